/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repair.c: the submit side of unicast repair (repair.h).  Jobs wait in
 * a queue ordered by due time (now + back-off) for the repair thread
 * (repair_run.c), which commits a finished transfer through the stage
 * sink (the one commit path); the committer's verdict comes back through
 * repair_commit_result().
 *
 * The path table says which cache paths have a job (queued, in flight or
 * committed and waiting for its verdict) and which failed recently; it is
 * what dedups repair_path() and answers repair_path_state().
 *
 * Locking is described in repair_int.h.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <uthash.h>

#include "names.h"
#include "repair_int.h"
#include "util.h"

#define REPAIR_PATHS_MAX	8192	/* paths remembered as failed */
#define REPAIR_AWAIT_MAX	1024	/* commits waiting for a verdict */
#define REPAIR_AWAIT_MS		60000	/* a verdict not seen by then */
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

struct repair_ctx repair_rs;
pthread_mutex_t repair_lock = PTHREAD_MUTEX_INITIALIZER;
struct repair_counters repair_rc;

void
repair_count_body(size_t n)
{
	REPAIR_COUNT(repair_rc.body_bytes, n);
}

void
repair_count_done(enum obj_repair_trigger why, enum repair_outcome o)
{
	if ((unsigned)why < OBJ_REPAIR_NTRIGGERS &&
	    (unsigned)o < REPAIR_NOUTCOMES)
		REPAIR_COUNT(repair_rc.done[why][o], 1);
}

static struct repair_pathent *
do_path_find(const char *path)
{
	struct repair_pathent *pe;

	HASH_FIND(hh, repair_rs.paths, path, strlen(path), pe);
	return pe;
}

/* How many jobs path has (queued, running, committed). */
uint32_t
do_repair_path_refs(const char *path)
{
	struct repair_pathent *pe = do_path_find(path);

	return pe != NULL ? pe->refs : 0;
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
		HASH_ADD(hh, repair_rs.paths, path[0], n, pe);
	}
	pe->refs++;
	return 0;
}

/*
 * A job for path ended; failed: remember that for failed_ttl_ms (unless
 * the table is full of such memories: they are only a courtesy).
 */
void
do_repair_path_release(const char *path, int failed, uint64_t now)
{
	struct repair_pathent *pe = do_path_find(path);

	if (pe == NULL)
		return;
	if (pe->refs > 0)
		pe->refs--;
	if (failed && HASH_COUNT(repair_rs.paths) <= REPAIR_PATHS_MAX)
		pe->failed_until = now + repair_rs.p.failed_ttl_ms;
	if (pe->refs == 0 && pe->failed_until <= now) {
		HASH_DEL(repair_rs.paths, pe);
		free(pe);
	}
}

void
do_repair_queue_insert(struct repair_job *j)
{
	struct repair_job **pp = &repair_rs.queue;

	while (*pp != NULL && (*pp)->due_ms <= j->due_ms)
		pp = &(*pp)->next;
	j->next = *pp;
	*pp = j;
	repair_rs.nqueued++;
}

/* Make path's queued jobs due now. */
static void
do_hurry(const char *path, uint64_t now)
{
	struct repair_job **pp = &repair_rs.queue, *j, *moved = NULL;

	while ((j = *pp) != NULL) {
		if (j->due_ms > now && strcmp(j->path, path) == 0) {
			*pp = j->next;
			j->next = moved;
			moved = j;
			repair_rs.nqueued--;
		} else {
			pp = &j->next;
		}
	}
	while ((j = moved) != NULL) {
		moved = j->next;
		j->due_ms = now;
		do_repair_queue_insert(j);
	}
}

/* Drop failure memories and verdicts that will not come. */
void
do_repair_prune(uint64_t now)
{
	struct repair_pathent *pe, *tmp;
	struct repair_await **pp = &repair_rs.await, *a;

	if (now < repair_rs.pruned_ms + REPAIR_POLL_MS)
		return;
	repair_rs.pruned_ms = now;
	while ((a = *pp) != NULL) {
		if (a->deadline > now) {
			pp = &a->next;
			continue;
		}
		*pp = a->next;
		repair_rs.nawait--;
		do_repair_path_release(a->path, 0, now);
		free(a->path);
		free(a);
	}
	HASH_ITER(hh, repair_rs.paths, pe, tmp) {
		if (pe->refs == 0 && pe->failed_until <= now) {
			/* uthash frees its table with the last item: no use after free. */
			/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
			HASH_DEL(repair_rs.paths, pe);
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
		curl_multi_wakeup(repair_rs.multi);
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
	if (!repair_rs.running || repair_rs.stopping || !repair_rs.p.enabled ||
	    repair_rs.nqueued + repair_rs.nactive >= REPAIR_QUEUE_MAX)
		return -1;
	if (!j->is_path)
		return j->meta.transfer_length >
		    repair_rs.p.max_object_bytes ? -1 : 0;
	j->meta.key.toi.lo = ++repair_rs.next_toi;
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
	*queued = repair_rs.hk.queued;
	j->sink = repair_rs.hk.sink;
	if ((r = do_job_gate(j, urgent)) != 0)
		goto out;
	r = -1;
	if (repair_job_url(j, &repair_rs.p, repair_rs.pol, repair_rs.npol,
	    &repair_rs.rng, &backoff) < 0) {
		repair_count_done(j->why, REPAIR_ENOURL);
		goto out;
	}
	if (do_path_ref(j->path) < 0)
		goto out;
	j->queued_ms = now;
	j->due_ms = now + (urgent ? 0 : backoff);
	do_repair_queue_insert(j);
	REPAIR_COUNT(repair_rc.jobs[j->why], 1);
	REPAIR_COUNT(repair_rc.lost_bytes, j->lost);
	curl_multi_wakeup(repair_rs.multi);
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
	if (repair_rs.running && !repair_rs.stopping)
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
	for (pp = &repair_rs.await; *pp != NULL; pp = &(*pp)->next) {
		if (key_eq(&(*pp)->key, key)) {
			a = *pp;
			*pp = a->next;
			repair_rs.nawait--;
			repair_count_done(a->why,
			    ok ? REPAIR_OK : REPAIR_EVERIFY);
			do_repair_path_release(a->path, !ok, util_now_ms());
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
void
repair_await_add(struct repair_job *j)
{
	struct repair_await *a = calloc(1, sizeof(*a)), **pp;
	uint64_t now = util_now_ms();

	pthread_mutex_lock(&repair_lock);
	repair_rs.nactive--;
	if (a == NULL || repair_rs.nawait >= REPAIR_AWAIT_MAX) {
		/* No room to wait for the verdict: the job ends here. */
		do_repair_path_release(j->path, 0, now);
		pthread_mutex_unlock(&repair_lock);
		free(a);
		return;
	}
	a->key = j->meta.key;
	a->why = j->why;
	a->deadline = now + REPAIR_AWAIT_MS;
	a->path = j->path;
	j->path = NULL;
	for (pp = &repair_rs.await; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = a;
	repair_rs.nawait++;
	pthread_mutex_unlock(&repair_lock);
}

/* At stop, after the thread and the drain (lock held). */
void
repair_free_tables(void)
{
	struct repair_pathent *pe, *tmp;
	struct repair_await *a;

	while ((a = repair_rs.await) != NULL) {
		repair_rs.await = a->next;
		free(a->path);
		free(a);
	}
	HASH_ITER(hh, repair_rs.paths, pe, tmp) {
		/* uthash frees its table with the last item: no use after free. */
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
		HASH_DEL(repair_rs.paths, pe);
		free(pe);
	}
	free(repair_rs.pol);
	repair_rs.pol = NULL;
	repair_rs.npol = 0;
	repair_rs.nawait = 0;
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
	repair_rs.p = n;
	if (repair_rs.running)
		curl_multi_wakeup(repair_rs.multi);
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
	old = repair_rs.pol;
	repair_rs.pol = copy;
	repair_rs.npol = n;
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
		out->jobs[i] = atomic_load(&repair_rc.jobs[i]);
		for (k = 0; k < REPAIR_NOUTCOMES; k++)
			out->done[i][k] = atomic_load(&repair_rc.done[i][k]);
	}
	out->requests = atomic_load(&repair_rc.requests);
	out->range_requests = atomic_load(&repair_rc.range_requests);
	out->deferred = atomic_load(&repair_rc.deferred);
	out->body_bytes = atomic_load(&repair_rc.body_bytes);
	out->lost_bytes = atomic_load(&repair_rc.lost_bytes);
	pthread_mutex_lock(&repair_lock);
	out->queued_now = repair_rs.nqueued;
	out->active_now = repair_rs.nactive;
	pthread_mutex_unlock(&repair_lock);
}
