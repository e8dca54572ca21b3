/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repair_run.c: the unicast repair thread (repair.h).  It takes the jobs
 * of the queue (repair.c) that are due while fewer than max_parallel
 * transfers run, and drives them with one libcurl multi handle, which
 * keeps connections alive between requests.  Callers wake it with
 * curl_multi_wakeup().  A finished transfer is committed through the
 * stage sink (the one commit path), and the committer's verdict comes
 * back through repair_commit_result().
 *
 * Locking is described in repair_int.h.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "repair_int.h"
#include "util.h"

/* Commit: the verdict comes back through repair_commit_result(). */
static void
job_commit(struct repair_job *j)
{
	const struct obj_sink *s = j->sink;
	void *h = j->h;

	repair_await_add(j);
	j->h = NULL;
	s->commit(s->ctx, h, &j->meta);
	repair_job_free(j);
}

/*
 * A job ends without a commit: throw its handle away, count, and (unless
 * it was cancelled because the path is cached) remember the failure and
 * tell main through the failed hook.
 */
static void
job_end(struct repair_job *j, enum repair_outcome o, int tell,
    enum obj_abort_reason why)
{
	if (j->h != NULL)
		j->sink->abort(j->sink->ctx, j->h, why);
	j->h = NULL;
	pthread_mutex_lock(&repair_lock);
	repair_rs.nactive--;
	repair_count_done(j->why, o);
	/*
	 * A refresh that failed is not held off: the next playlist request
	 * (a player's poll, a few seconds later) tries again, and nobody
	 * waits on a refresh, so there is nothing to tell.
	 */
	do_repair_path_release(j->path, o != REPAIR_ECANCEL && !j->refresh,
	    util_now_ms());
	pthread_mutex_unlock(&repair_lock);
	if (tell && !j->refresh && repair_rs.hk.failed != NULL)
		repair_rs.hk.failed(j->is_path ? NULL : &j->meta.key, j->path);
	repair_job_free(j);
}

/* Take up to max - active due jobs off the queue (lock held). */
static struct repair_job *
do_take_due(uint64_t now)
{
	struct repair_job *list = NULL, **tail = &list, *j;

	while ((j = repair_rs.queue) != NULL && j->due_ms <= now &&
	    repair_rs.nactive < repair_rs.p.max_parallel) {
		repair_rs.queue = j->next;
		repair_rs.nqueued--;
		repair_rs.nactive++;
		j->next = NULL;
		*tail = j;
		tail = &j->next;
	}
	return list;
}

/* How long the thread may sleep (lock held). */
static int
do_poll_ms(uint64_t now)
{
	uint64_t d;

	if (repair_rs.queue == NULL ||
	    repair_rs.nactive >= repair_rs.p.max_parallel)
		return REPAIR_POLL_MS;
	d = repair_rs.queue->due_ms > now ? repair_rs.queue->due_ms - now : 0;
	return d < REPAIR_POLL_MS ? (int)d : REPAIR_POLL_MS;
}

/* Put a taken job back in the queue, due at until. */
static void
job_defer(struct repair_job *j, uint64_t until)
{
	pthread_mutex_lock(&repair_lock);
	repair_rs.nactive--;
	j->due_ms = until;
	do_repair_queue_insert(j);
	pthread_mutex_unlock(&repair_lock);
	REPAIR_COUNT(repair_rc.deferred, 1);
}

/*
 * 1 if a path job must not start now: dropped because the receiver
 * handed the same path to repair as an object (its missing ranges are
 * fetched, not the whole), or put back while the broadcast brings it.
 */
static int
job_held(struct repair_job *j)
{
	uint64_t until;
	int shared;

	pthread_mutex_lock(&repair_lock);
	shared = do_repair_path_refs(j->path) > 1;
	pthread_mutex_unlock(&repair_lock);
	if (shared) {
		log_debug("repair: %s is under repair as an object", j->path);
		job_end(j, REPAIR_ECANCEL, 0, OBJ_ABORT_SUPERSEDED);
		return 1;
	}
	if (repair_rs.hk.wait == NULL ||
	    (until = repair_rs.hk.wait(j->path, j->queued_ms)) <= util_now_ms())
		return 0;
	job_defer(j, until);
	return 1;
}

/* Start a due job, unless its path got cached while it waited. */
static void
job_launch(struct repair_job *j, const struct repair_params *p)
{
	if (!j->refresh && repair_rs.hk.cached != NULL &&
	    repair_rs.hk.cached(j->path)) {
		log_debug("repair: %s is cached, dropped", j->path);
		job_end(j, REPAIR_ECANCEL, 0, OBJ_ABORT_SUPERSEDED);
		return;
	}
	if (j->is_path && !j->refresh && job_held(j))
		return;
	if (repair_http_start(j, p) < 0 ||
	    curl_multi_add_handle(repair_rs.multi, j->x->easy) != CURLM_OK) {
		log_warnx_rl("repair: %s: %s", j->url,
		    j->err[0] != '\0' ? j->err : "cannot start the request");
		repair_http_end(j);
		job_end(j, REPAIR_EHTTP, 1, OBJ_ABORT_INCOMPLETE);
		return;
	}
	REPAIR_COUNT(repair_rc.requests, 1);
	if (!j->whole)
		REPAIR_COUNT(repair_rc.range_requests, 1);
	j->next = repair_rs.active;
	repair_rs.active = j;
}

static void
active_remove(struct repair_job *j)
{
	struct repair_job **pp;

	for (pp = &repair_rs.active; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == j) {
			*pp = j->next;
			j->next = NULL;
			return;
		}
	}
}

/* Finished transfers: commit, or fail and tell.  How many ended. */
static int
repair_reap(void)
{
	struct repair_job *j;
	enum repair_outcome o;
	CURLMsg *m;
	CURLcode res;
	CURL *e;
	int left, n = 0;
	char *priv;

	while ((m = curl_multi_info_read(repair_rs.multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		e = m->easy_handle;
		res = m->data.result;
		/* m is gone once its handle is removed. */
		curl_multi_remove_handle(repair_rs.multi, e);
		if (curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv) != CURLE_OK)
			continue;
		j = (struct repair_job *)(void *)priv;
		active_remove(j);
		n++;
		if ((o = repair_http_done(j, res)) == REPAIR_OK) {
			repair_http_end(j);
			job_commit(j);
			continue;
		}
		log_warnx_rl("repair: %s: %s (HTTP %d)", j->url, j->err,
		    j->x->a.status);
		repair_http_end(j);
		job_end(j, o, 1, OBJ_ABORT_INCOMPLETE);
	}
	return n;
}

/* Take what is due under the lock; the parameters come with it. */
static struct repair_job *
repair_take(struct repair_params *p, int *wait_ms)
{
	struct repair_job *list = NULL;
	uint64_t now = util_now_ms();

	pthread_mutex_lock(&repair_lock);
	if (!repair_rs.stopping) {
		do_repair_prune(now);
		list = do_take_due(now);
		if (list != NULL)
			*p = repair_rs.p;
		*wait_ms = do_poll_ms(now);
	}
	pthread_mutex_unlock(&repair_lock);
	return list;
}

static int
repair_stopping(void)
{
	int s;

	pthread_mutex_lock(&repair_lock);
	s = repair_rs.stopping;
	pthread_mutex_unlock(&repair_lock);
	return s;
}

static void *
repair_main(void *arg)
{
	struct repair_params p;		/* the thread's copy */
	struct repair_job *list, *j;
	int still, wait_ms = REPAIR_POLL_MS;

	(void)arg;
	while (!repair_stopping()) {
		list = repair_take(&p, &wait_ms);
		while ((j = list) != NULL) {
			list = j->next;
			j->next = NULL;
			job_launch(j, &p);
		}
		curl_multi_perform(repair_rs.multi, &still);
		/* A slot came free: look at the queue before sleeping. */
		if (repair_reap() == 0)
			curl_multi_poll(repair_rs.multi, NULL, 0, wait_ms,
			    NULL);
	}
	return NULL;
}

int
repair_start(const struct repair_params *p, const struct repair_hooks *h)
{
	if (p == NULL || h == NULL || h->sink == NULL)
		return -1;
	if (repair_rs.running) {
		log_warnx("repair_start: already running");
		return -1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("repair_start: curl_global_init failed");
		return -1;
	}
	memset(&repair_rs, 0, sizeof(repair_rs));
	memset(&repair_rc, 0, sizeof(repair_rc));	/* nothing else runs yet */
	repair_rs.p = *p;
	repair_params_norm(&repair_rs.p);
	repair_rs.hk = *h;
	repair_rs.rng = p->seed != 0 ? p->seed : util_now_ms() ^
	    ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)&repair_rs;
	if (repair_rs.rng == 0)
		repair_rs.rng = 1;
	repair_http_reset();
	if ((repair_rs.multi = curl_multi_init()) == NULL ||
	    pthread_create(&repair_rs.thread, NULL, repair_main, NULL) != 0) {
		log_warnx("repair_start: cannot start the repair thread");
		if (repair_rs.multi != NULL)
			curl_multi_cleanup(repair_rs.multi);
		repair_rs.multi = NULL;
		curl_global_cleanup();
		return -1;
	}
	repair_rs.running = 1;
	return 0;
}

/* After the thread: abort what is queued or running, tell main. */
static void
repair_drain(void)
{
	struct repair_job *j;

	while ((j = repair_rs.active) != NULL) {
		repair_rs.active = j->next;
		curl_multi_remove_handle(repair_rs.multi, j->x->easy);
		repair_http_end(j);
		job_end(j, REPAIR_ECANCEL, 1, OBJ_ABORT_SHUTDOWN);
	}
	while ((j = repair_rs.queue) != NULL) {
		repair_rs.queue = j->next;
		repair_rs.nqueued--;
		/* job_end counts it out of the active. */
		repair_rs.nactive++;
		job_end(j, REPAIR_ECANCEL, 1, OBJ_ABORT_SHUTDOWN);
	}
}

void
repair_stop(void)
{
	pthread_mutex_lock(&repair_lock);
	if (!repair_rs.running || repair_rs.stopping) {
		pthread_mutex_unlock(&repair_lock);
		return;
	}
	repair_rs.stopping = 1;
	curl_multi_wakeup(repair_rs.multi);
	pthread_mutex_unlock(&repair_lock);
	pthread_join(repair_rs.thread, NULL);
	repair_drain();
	pthread_mutex_lock(&repair_lock);
	repair_free_tables();
	curl_multi_cleanup(repair_rs.multi);
	repair_rs.multi = NULL;
	repair_rs.running = 0;
	repair_rs.stopping = 0;
	pthread_mutex_unlock(&repair_lock);
	curl_global_cleanup();
}

