/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repair.c: the unicast repair thread (repair.h).  Jobs wait in a queue
 * ordered by due time (now + back-off); the thread takes those that are
 * due while fewer than max_parallel transfers run, and drives them with
 * one libcurl multi handle, which keeps connections alive between
 * requests.  Callers wake it with curl_multi_wakeup().  A finished
 * transfer is committed through the stage sink (the one commit path),
 * and the committer's verdict comes back through repair_commit_result().
 *
 * The path table says which cache paths have a job (queued, in flight or
 * committed and waiting for its verdict) and which failed recently; it is
 * what dedups repair_path() and answers repair_path_state().
 *
 * Locking: repair_lock covers the queue, the counts, the path table, the
 * verdict list, the parameters, the policies and the generator.  Jobs in
 * flight, their handles and the ETag table belong to the thread.  No
 * curl transfer, sink call, hook or log line runs with the lock held;
 * curl_multi_wakeup() does (a non-blocking write to a socket pair), so
 * that the multi handle cannot go away under it.  Counters are relaxed
 * atomics.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uthash.h>

#include "log.h"
#include "names.h"
#include "repair_int.h"
#include "util.h"

#define REPAIR_PATHS_MAX	8192	/* paths remembered as failed */
#define REPAIR_AWAIT_MAX	1024	/* commits waiting for a verdict */
#define REPAIR_AWAIT_MS		60000	/* a verdict not seen by then */
#define REPAIR_POLL_MS		1000
#define REPAIR_POLICIES_MAX	1024

/* A cache path with jobs, or that failed less than failed_ttl_ms ago. */
struct repair_pathent {
	UT_hash_handle	hh;
	uint32_t	refs;		/* jobs queued, running, committed */
	uint64_t	failed_until;
	char		path[];
};

/* A committed job waiting for the committer's verdict. */
struct repair_await {
	struct repair_await *next;
	struct obj_key	key;
	enum obj_repair_trigger why;
	uint64_t	deadline;
	char		*path;
};

static struct {
	struct repair_params p;
	struct repair_hooks hk;
	struct repair_policy *pol;
	size_t		npol;
	uint64_t	rng;
	struct repair_job *queue;	/* by due time */
	size_t		nqueued;
	size_t		nactive;	/* taken by the thread */
	struct repair_job *active;	/* the thread's */
	struct repair_pathent *paths;
	struct repair_await *await;
	size_t		nawait;
	uint64_t	next_toi;
	uint64_t	pruned_ms;
	int		running, stopping;
	pthread_t	thread;
	CURLM		*multi;
} rs;
static pthread_mutex_t repair_lock = PTHREAD_MUTEX_INITIALIZER;

static struct {
	_Atomic uint64_t jobs[OBJ_REPAIR_NTRIGGERS];
	_Atomic uint64_t done[OBJ_REPAIR_NTRIGGERS][REPAIR_NOUTCOMES];
	_Atomic uint64_t requests, range_requests, body_bytes, lost_bytes;
	_Atomic uint64_t deferred;
} rc;

#define COUNT(x, n)	\
	atomic_fetch_add_explicit(&(x), (n), memory_order_relaxed)

void
repair_count_body(size_t n)
{
	COUNT(rc.body_bytes, n);
}

static void
count_done(enum obj_repair_trigger why, enum repair_outcome o)
{
	if ((unsigned)why < OBJ_REPAIR_NTRIGGERS &&
	    (unsigned)o < REPAIR_NOUTCOMES)
		COUNT(rc.done[why][o], 1);
}

static struct repair_pathent *
do_path_find(const char *path)
{
	struct repair_pathent *pe;

	HASH_FIND(hh, rs.paths, path, strlen(path), pe);
	return pe;
}

/* One more job for path; -1 out of memory. */
static int
do_path_ref(const char *path)
{
	struct repair_pathent *pe = do_path_find(path);
	size_t n = strlen(path);

	if (pe == NULL) {
		if ((pe = calloc(1, sizeof(*pe) + n + 1)) == NULL)
			return -1;
		memcpy(pe->path, path, n + 1);
		HASH_ADD(hh, rs.paths, path[0], n, pe);
	}
	pe->refs++;
	return 0;
}

/*
 * A job for path ended; failed: remember that for failed_ttl_ms (unless
 * the table is full of such memories: they are only a courtesy).
 */
static void
do_path_release(const char *path, int failed, uint64_t now)
{
	struct repair_pathent *pe = do_path_find(path);

	if (pe == NULL)
		return;
	if (pe->refs > 0)
		pe->refs--;
	if (failed && HASH_COUNT(rs.paths) <= REPAIR_PATHS_MAX)
		pe->failed_until = now + rs.p.failed_ttl_ms;
	if (pe->refs == 0 && pe->failed_until <= now) {
		HASH_DEL(rs.paths, pe);
		free(pe);
	}
}

static void
do_queue_insert(struct repair_job *j)
{
	struct repair_job **pp = &rs.queue;

	while (*pp != NULL && (*pp)->due_ms <= j->due_ms)
		pp = &(*pp)->next;
	j->next = *pp;
	*pp = j;
	rs.nqueued++;
}

/* Make path's queued jobs due now. */
static void
do_hurry(const char *path, uint64_t now)
{
	struct repair_job **pp = &rs.queue, *j, *moved = NULL;

	while ((j = *pp) != NULL) {
		if (j->due_ms > now && strcmp(j->path, path) == 0) {
			*pp = j->next;
			j->next = moved;
			moved = j;
			rs.nqueued--;
		} else {
			pp = &j->next;
		}
	}
	while ((j = moved) != NULL) {
		moved = j->next;
		j->due_ms = now;
		do_queue_insert(j);
	}
}

/* Drop failure memories and verdicts that will not come. */
static void
do_prune(uint64_t now)
{
	struct repair_pathent *pe, *tmp;
	struct repair_await **pp = &rs.await, *a;

	if (now < rs.pruned_ms + REPAIR_POLL_MS)
		return;
	rs.pruned_ms = now;
	while ((a = *pp) != NULL) {
		if (a->deadline > now) {
			pp = &a->next;
			continue;
		}
		*pp = a->next;
		rs.nawait--;
		do_path_release(a->path, 0, now);
		free(a->path);
		free(a);
	}
	HASH_ITER(hh, rs.paths, pe, tmp) {
		if (pe->refs == 0 && pe->failed_until <= now) {
			HASH_DEL(rs.paths, pe);
			free(pe);
		}
	}
}

/*
 * 1 if path has a job now (hurried if urgent), -1 if it failed less than
 * failed_ttl_ms ago, else 0.  Lock held.
 */
static int
do_path_busy(const char *path, int urgent)
{
	struct repair_pathent *pe = do_path_find(path);
	uint64_t now = util_now_ms();

	if (pe == NULL)
		return 0;
	if (pe->refs == 0)
		return pe->failed_until > now ? -1 : 0;
	if (urgent) {
		do_hurry(path, now);
		curl_multi_wakeup(rs.multi);
	}
	return 1;
}

/*
 * May j be queued?  A path job is not when its path has a job already
 * (1) or failed recently (-1): a player asking again and again must not
 * turn into a request each time.  An object job is not over
 * max_object_bytes.  Lock held.
 */
static int
do_job_gate(struct repair_job *j, int urgent)
{
	if (!rs.running || rs.stopping || !rs.p.enabled ||
	    rs.nqueued + rs.nactive >= REPAIR_QUEUE_MAX)
		return -1;
	if (!j->is_path)
		return j->meta.transfer_length > rs.p.max_object_bytes ? -1 : 0;
	j->meta.key.toi.lo = ++rs.next_toi;
	return do_path_busy(j->path, urgent);
}

/*
 * Queue j (its URL and back-off chosen under the lock).  0 when queued
 * (from then on j is the thread's: the caller must not touch it), 1 when
 * its path has a job already, -1 when repair is off, the queue is full,
 * the object is too large or there is nowhere to fetch it from.
 */
static int
job_submit(struct repair_job *j, int urgent, void (**queued)(const char *))
{
	uint64_t backoff, now = util_now_ms();
	int r;

	pthread_mutex_lock(&repair_lock);
	*queued = rs.hk.queued;
	j->sink = rs.hk.sink;
	if ((r = do_job_gate(j, urgent)) != 0)
		goto out;
	r = -1;
	if (repair_job_url(j, &rs.p, rs.pol, rs.npol, &rs.rng, &backoff) < 0) {
		count_done(j->why, REPAIR_ENOURL);
		goto out;
	}
	if (do_path_ref(j->path) < 0)
		goto out;
	j->queued_ms = now;
	j->due_ms = now + (urgent ? 0 : backoff);
	do_queue_insert(j);
	COUNT(rc.jobs[j->why], 1);
	COUNT(rc.lost_bytes, j->lost);
	curl_multi_wakeup(rs.multi);
	r = 0;
out:
	pthread_mutex_unlock(&repair_lock);
	return r;
}

int
repair_object(void *h, const struct obj_meta *meta,
    const struct obj_range *missing, size_t nmissing, uint64_t lost_bytes,
    enum obj_repair_trigger why)
{
	void (*queued)(const char *);
	char path[NAMES_MAX];
	struct repair_job *j;

	if ((unsigned)why >= OBJ_REPAIR_NTRIGGERS)
		return -1;
	j = repair_job_object(h, meta, missing, nmissing, lost_bytes, why);
	if (j == NULL)
		return -1;
	util_strlcpy(path, j->path, sizeof(path));
	if (job_submit(j, 0, &queued) != 0) {
		repair_job_free(j);	/* h stays with the caller */
		return -1;
	}
	if (queued != NULL)
		queued(path);
	return 0;
}

/* A path already under way is hurried if urgent; one that failed is not. */
int
repair_path(const char *path, enum obj_repair_trigger why, int urgent)
{
	void (*queued)(const char *);
	struct repair_job *j;
	int r;

	if (path == NULL || (unsigned)why >= OBJ_REPAIR_NTRIGGERS ||
	    (j = repair_job_path(path, why)) == NULL)
		return -1;
	if ((r = job_submit(j, urgent, &queued)) != 0) {
		repair_job_free(j);
		return r > 0 ? 0 : -1;
	}
	if (queued != NULL)
		queued(path);
	return 0;
}

/*
 * The same job, fetched even though path is cached: the answer is
 * committed with the cached version's seq, so that different bytes
 * replace it and a newer broadcast version still wins over both.
 */
int
repair_refresh(const char *path, uint64_t seq)
{
	void (*queued)(const char *);
	struct repair_job *j;
	int r;

	if (path == NULL ||
	    (j = repair_job_path(path, OBJ_REPAIR_REFRESH)) == NULL)
		return -1;
	j->refresh = 1;
	j->meta.seq = seq;
	if ((r = job_submit(j, 1, &queued)) != 0) {
		repair_job_free(j);
		return r > 0 ? 0 : -1;
	}
	return 0;
}

void
repair_hurry(const char *path)
{
	if (path == NULL)
		return;
	pthread_mutex_lock(&repair_lock);
	if (rs.running && !rs.stopping)
		(void)do_path_busy(path, 1);
	pthread_mutex_unlock(&repair_lock);
}

enum repair_state
repair_path_state(const char *path)
{
	struct repair_pathent *pe;
	enum repair_state st = REPAIR_ST_NONE;

	if (path == NULL)
		return st;
	pthread_mutex_lock(&repair_lock);
	if ((pe = do_path_find(path)) != NULL) {
		if (pe->refs > 0)
			st = REPAIR_ST_PENDING;
		else if (pe->failed_until > util_now_ms())
			st = REPAIR_ST_FAILED;
	}
	pthread_mutex_unlock(&repair_lock);
	return st;
}

static int
key_eq(const struct obj_key *a, const struct obj_key *b)
{
	return a->family == b->family && a->port == b->port &&
	    memcmp(a->src, b->src, sizeof(a->src)) == 0 &&
	    memcmp(a->dst, b->dst, sizeof(a->dst)) == 0 &&
	    alc_id_eq(a->tsi, b->tsi) && alc_id_eq(a->toi, b->toi);
}

/*
 * OBJ_OK and OBJ_ESTALE (an equal or newer version is cached) count as
 * repaired; any other verdict as EVERIFY, and the path is marked failed.
 * Verdicts for objects repair did not commit are ignored.
 */
void
repair_commit_result(const struct obj_key *key, enum obj_result res)
{
	struct repair_await **pp, *a = NULL;
	int ok = res == OBJ_OK || res == OBJ_ESTALE;

	if (key == NULL)
		return;
	pthread_mutex_lock(&repair_lock);
	for (pp = &rs.await; *pp != NULL; pp = &(*pp)->next) {
		if (key_eq(&(*pp)->key, key)) {
			a = *pp;
			*pp = a->next;
			rs.nawait--;
			count_done(a->why, ok ? REPAIR_OK : REPAIR_EVERIFY);
			do_path_release(a->path, !ok, util_now_ms());
			break;
		}
	}
	pthread_mutex_unlock(&repair_lock);
	if (a == NULL)
		return;
	free(a->path);
	free(a);
}

/* Remember a commit until its verdict; the job's path ref moves here. */
static void
await_add(struct repair_job *j)
{
	struct repair_await *a = calloc(1, sizeof(*a)), **pp;
	uint64_t now = util_now_ms();

	pthread_mutex_lock(&repair_lock);
	rs.nactive--;
	if (a == NULL || rs.nawait >= REPAIR_AWAIT_MAX) {
		/* No room to wait for the verdict: the job ends here. */
		do_path_release(j->path, 0, now);
		pthread_mutex_unlock(&repair_lock);
		free(a);
		return;
	}
	a->key = j->meta.key;
	a->why = j->why;
	a->deadline = now + REPAIR_AWAIT_MS;
	a->path = j->path;
	j->path = NULL;
	for (pp = &rs.await; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = a;
	rs.nawait++;
	pthread_mutex_unlock(&repair_lock);
}

/* Commit: the verdict comes back through repair_commit_result(). */
static void
job_commit(struct repair_job *j)
{
	const struct obj_sink *s = j->sink;
	void *h = j->h;

	await_add(j);
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
	rs.nactive--;
	count_done(j->why, o);
	/*
	 * A refresh that failed is not held off: the next playlist request
	 * (a player's poll, a few seconds later) tries again, and nobody
	 * waits on a refresh, so there is nothing to tell.
	 */
	do_path_release(j->path, o != REPAIR_ECANCEL && !j->refresh,
	    util_now_ms());
	pthread_mutex_unlock(&repair_lock);
	if (tell && !j->refresh && rs.hk.failed != NULL)
		rs.hk.failed(j->is_path ? NULL : &j->meta.key, j->path);
	repair_job_free(j);
}

/* Take up to max - active due jobs off the queue (lock held). */
static struct repair_job *
do_take_due(uint64_t now)
{
	struct repair_job *list = NULL, **tail = &list, *j;

	while ((j = rs.queue) != NULL && j->due_ms <= now &&
	    rs.nactive < rs.p.max_parallel) {
		rs.queue = j->next;
		rs.nqueued--;
		rs.nactive++;
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

	if (rs.queue == NULL || rs.nactive >= rs.p.max_parallel)
		return REPAIR_POLL_MS;
	d = rs.queue->due_ms > now ? rs.queue->due_ms - now : 0;
	return d < REPAIR_POLL_MS ? (int)d : REPAIR_POLL_MS;
}

/* Put a taken job back in the queue, due at until. */
static void
job_defer(struct repair_job *j, uint64_t until)
{
	pthread_mutex_lock(&repair_lock);
	rs.nactive--;
	j->due_ms = until;
	do_queue_insert(j);
	pthread_mutex_unlock(&repair_lock);
	COUNT(rc.deferred, 1);
}

/*
 * 1 if a path job must not start now: dropped because the receiver
 * handed the same path to repair as an object (its missing ranges are
 * fetched, not the whole), or put back while the broadcast brings it.
 */
static int
job_held(struct repair_job *j)
{
	struct repair_pathent *pe;
	uint64_t until;
	int shared;

	pthread_mutex_lock(&repair_lock);
	shared = (pe = do_path_find(j->path)) != NULL && pe->refs > 1;
	pthread_mutex_unlock(&repair_lock);
	if (shared) {
		log_debug("repair: %s is under repair as an object", j->path);
		job_end(j, REPAIR_ECANCEL, 0, OBJ_ABORT_SUPERSEDED);
		return 1;
	}
	if (rs.hk.wait == NULL ||
	    (until = rs.hk.wait(j->path, j->queued_ms)) <= util_now_ms())
		return 0;
	job_defer(j, until);
	return 1;
}

/* Start a due job, unless its path got cached while it waited. */
static void
job_launch(struct repair_job *j, const struct repair_params *p)
{
	if (!j->refresh && rs.hk.cached != NULL && rs.hk.cached(j->path)) {
		log_debug("repair: %s is cached, dropped", j->path);
		job_end(j, REPAIR_ECANCEL, 0, OBJ_ABORT_SUPERSEDED);
		return;
	}
	if (j->is_path && !j->refresh && job_held(j))
		return;
	if (repair_http_start(j, p) < 0 ||
	    curl_multi_add_handle(rs.multi, j->x->easy) != CURLM_OK) {
		log_warnx_rl("repair: %s: %s", j->url,
		    j->err[0] != '\0' ? j->err : "cannot start the request");
		repair_http_end(j);
		job_end(j, REPAIR_EHTTP, 1, OBJ_ABORT_INCOMPLETE);
		return;
	}
	COUNT(rc.requests, 1);
	if (!j->whole)
		COUNT(rc.range_requests, 1);
	j->next = rs.active;
	rs.active = j;
}

static void
active_remove(struct repair_job *j)
{
	struct repair_job **pp;

	for (pp = &rs.active; *pp != NULL; pp = &(*pp)->next) {
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

	while ((m = curl_multi_info_read(rs.multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		e = m->easy_handle;
		res = m->data.result;
		/* m is gone once its handle is removed. */
		curl_multi_remove_handle(rs.multi, e);
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
	if (!rs.stopping) {
		do_prune(now);
		list = do_take_due(now);
		if (list != NULL)
			*p = rs.p;
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
	s = rs.stopping;
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
		curl_multi_perform(rs.multi, &still);
		/* A slot came free: look at the queue before sleeping. */
		if (repair_reap() == 0)
			curl_multi_poll(rs.multi, NULL, 0, wait_ms, NULL);
	}
	return NULL;
}

int
repair_start(const struct repair_params *p, const struct repair_hooks *h)
{
	if (p == NULL || h == NULL || h->sink == NULL)
		return -1;
	if (rs.running) {
		log_warnx("repair_start: already running");
		return -1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("repair_start: curl_global_init failed");
		return -1;
	}
	memset(&rs, 0, sizeof(rs));
	memset(&rc, 0, sizeof(rc));	/* nothing else runs yet */
	rs.p = *p;
	repair_params_norm(&rs.p);
	rs.hk = *h;
	rs.rng = p->seed != 0 ? p->seed : util_now_ms() ^
	    ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)&rs;
	if (rs.rng == 0)
		rs.rng = 1;
	repair_http_reset();
	if ((rs.multi = curl_multi_init()) == NULL ||
	    pthread_create(&rs.thread, NULL, repair_main, NULL) != 0) {
		log_warnx("repair_start: cannot start the repair thread");
		if (rs.multi != NULL)
			curl_multi_cleanup(rs.multi);
		rs.multi = NULL;
		curl_global_cleanup();
		return -1;
	}
	rs.running = 1;
	return 0;
}

/* After the thread: abort what is queued or running, tell main. */
static void
repair_drain(void)
{
	struct repair_job *j;

	while ((j = rs.active) != NULL) {
		rs.active = j->next;
		curl_multi_remove_handle(rs.multi, j->x->easy);
		repair_http_end(j);
		job_end(j, REPAIR_ECANCEL, 1, OBJ_ABORT_SHUTDOWN);
	}
	while ((j = rs.queue) != NULL) {
		rs.queue = j->next;
		rs.nqueued--;
		rs.nactive++;	/* job_end counts it out of the active */
		job_end(j, REPAIR_ECANCEL, 1, OBJ_ABORT_SHUTDOWN);
	}
}

static void
repair_free_tables(void)
{
	struct repair_pathent *pe, *tmp;
	struct repair_await *a;

	while ((a = rs.await) != NULL) {
		rs.await = a->next;
		free(a->path);
		free(a);
	}
	HASH_ITER(hh, rs.paths, pe, tmp) {
		HASH_DEL(rs.paths, pe);
		free(pe);
	}
	free(rs.pol);
	rs.pol = NULL;
	rs.npol = 0;
	rs.nawait = 0;
}

void
repair_stop(void)
{
	pthread_mutex_lock(&repair_lock);
	if (!rs.running || rs.stopping) {
		pthread_mutex_unlock(&repair_lock);
		return;
	}
	rs.stopping = 1;
	curl_multi_wakeup(rs.multi);
	pthread_mutex_unlock(&repair_lock);
	pthread_join(rs.thread, NULL);
	repair_drain();
	pthread_mutex_lock(&repair_lock);
	repair_free_tables();
	curl_multi_cleanup(rs.multi);
	rs.multi = NULL;
	rs.running = 0;
	rs.stopping = 0;
	pthread_mutex_unlock(&repair_lock);
	curl_global_cleanup();
}

void
repair_set_params(const struct repair_params *p)
{
	struct repair_params n;

	if (p == NULL)
		return;
	n = *p;
	repair_params_norm(&n);
	pthread_mutex_lock(&repair_lock);
	rs.p = n;
	if (rs.running)
		curl_multi_wakeup(rs.multi);
	pthread_mutex_unlock(&repair_lock);
}

int
repair_set_policies(const struct repair_policy *v, size_t n)
{
	struct repair_policy *copy = NULL, *old;

	if (n > REPAIR_POLICIES_MAX || (n > 0 && v == NULL))
		return -1;
	if (n > 0) {
		if ((copy = malloc(n * sizeof(*copy))) == NULL)
			return -1;
		memcpy(copy, v, n * sizeof(*copy));
	}
	pthread_mutex_lock(&repair_lock);
	old = rs.pol;
	rs.pol = copy;
	rs.npol = n;
	pthread_mutex_unlock(&repair_lock);
	free(old);
	return 0;
}

void
repair_get_stats(struct repair_stats *out)
{
	int i, k;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < OBJ_REPAIR_NTRIGGERS; i++) {
		out->jobs[i] = atomic_load(&rc.jobs[i]);
		for (k = 0; k < REPAIR_NOUTCOMES; k++)
			out->done[i][k] = atomic_load(&rc.done[i][k]);
	}
	out->requests = atomic_load(&rc.requests);
	out->range_requests = atomic_load(&rc.range_requests);
	out->deferred = atomic_load(&rc.deferred);
	out->body_bytes = atomic_load(&rc.body_bytes);
	out->lost_bytes = atomic_load(&rc.lost_bytes);
	pthread_mutex_lock(&repair_lock);
	out->queued_now = rs.nqueued;
	out->active_now = rs.nactive;
	pthread_mutex_unlock(&repair_lock);
}
