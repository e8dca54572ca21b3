/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hold.c: the table of expected paths and the requests waiting for them.
 *
 * One mutex (hold.mtx) covers everything in struct hold_tab: the uthash
 * index of entries, their age list (oldest update first), each entry's
 * waiter list, the deadline heap (a binary min-heap of every waiter by
 * deadline) and the counters.  do_hold_* functions need it held.
 *
 * A waiter leaves the structures exactly once, under the mutex, by
 * whichever comes first: a publish, a loss, its deadline (the one timer
 * thread), or shutdown.  It is then put on a private list, and its wake
 * callback runs after the mutex is released, so a callback may call back
 * into this module (or into libmicrohttpd) without deadlock.
 *
 * Generations come from one counter shared by all paths, so an entry that
 * expired and was made again can never show a generation a reader saw
 * before.  Published entries stay HOLD_KEEP_MS so that a reader that read
 * the generation before its cache lookup and calls hold_wait after a miss
 * still sees a publish that happened in between.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HASH_NONFATAL_OOM	1
/* do_hold_get sees the entry left out (no table) and refuses it. */
#define uthash_nonfatal_oom(elt) ((void)(elt))
#include <uthash.h>
#include <utlist.h>

#include "hold.h"
#include "log.h"
#include "util.h"

#define HOLD_KEEP_MS		5000	/* published entries stay this long */
#define HOLD_SWEEP_MS		1000	/* expired entries go this often */
#define HOLD_PENDING_TTL	30000
#define HOLD_LOST_TTL		60000
#define HOLD_MAX_ENTRIES	65536
#define HOLD_MAX_WAITERS	4096

struct hold_waiter {
	struct hold_waiter	*prev, *next;	/* the entry's waiters */
	struct hold_waiter	*wnext;		/* the woken list */
	struct hold_entry	*e;
	uint64_t		deadline;
	size_t			hidx;		/* slot in the heap */
	enum hold_wake		why;
	hold_wake_fn		wake;
	void			*arg;
};

struct hold_entry {
	UT_hash_handle		hh;
	struct hold_entry	*aprev, *anext;	/* age list */
	struct hold_waiter	*waiters;
	uint64_t		gen;
	uint64_t		t_upd;		/* last announce/lost/publish */
	uint64_t		bc_ann;		/* last announced by an FDT */
	uint64_t		bc_rx;		/* last told its packets arrive */
	enum hold_state		st;		/* as last set */
	char			path[];
};

static struct hold_tab {
	pthread_mutex_t		mtx;
	pthread_cond_t		cond;		/* wakes the timer thread */
	pthread_t		thr;
	int			running;
	int			stop;
	struct hold_params	p;
	struct hold_entry	*idx;
	struct hold_entry	*age;
	struct hold_waiter	**heap;
	size_t			hn;
	uint64_t		gen;
	uint64_t		nentries;
	uint64_t		next_sweep;
	struct hold_stats	st;
} hold = { .mtx = PTHREAD_MUTEX_INITIALIZER };

/*
 * The deadline heap.  hidx lets a waiter woken by a publish leave from the
 * middle in O(log n).
 */
static void
do_hold_heap_set(size_t i, struct hold_waiter *w)
{
	hold.heap[i] = w;
	w->hidx = i;
}

static void
do_hold_heap_up(size_t i)
{
	struct hold_waiter *w = hold.heap[i];

	while (i > 0 && hold.heap[(i - 1) / 2]->deadline > w->deadline) {
		do_hold_heap_set(i, hold.heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	do_hold_heap_set(i, w);
}

static void
do_hold_heap_down(size_t i)
{
	struct hold_waiter *w = hold.heap[i];
	size_t c;

	while ((c = 2 * i + 1) < hold.hn) {
		if (c + 1 < hold.hn &&
		    hold.heap[c + 1]->deadline < hold.heap[c]->deadline)
			c++;
		if (hold.heap[c]->deadline >= w->deadline)
			break;
		do_hold_heap_set(i, hold.heap[c]);
		i = c;
	}
	do_hold_heap_set(i, w);
}

static void
do_hold_heap_del(struct hold_waiter *w)
{
	size_t i = w->hidx;
	struct hold_waiter *last = hold.heap[--hold.hn];

	if (i == hold.hn)
		return;
	do_hold_heap_set(i, last);
	do_hold_heap_up(i);
	do_hold_heap_down(last->hidx);
}

/* Take w out of the heap and its entry onto *woken, woken for why. */
static void
do_hold_collect(struct hold_waiter *w, enum hold_wake why,
    struct hold_waiter **woken)
{
	do_hold_heap_del(w);
	/* A waiter in the heap is on its entry's list: w->e is set. */
	/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
	DL_DELETE(w->e->waiters, w);
	w->e = NULL;
	w->why = why;
	w->wnext = *woken;
	*woken = w;
	hold.st.woken[why]++;
}

static void
do_hold_collect_all(struct hold_entry *e, enum hold_wake why,
    struct hold_waiter **woken)
{
	while (e->waiters != NULL)
		do_hold_collect(e->waiters, why, woken);
}

/* Run the callbacks of a woken list (no lock held) and free it. */
static void
hold_run(struct hold_waiter *w)
{
	struct hold_waiter *next;

	for (; w != NULL; w = next) {
		next = w->wnext;
		w->wake(w->arg, w->why);
		free(w);
	}
}

/* The state of e as readers see it: announcements and losses expire. */
static enum hold_state
do_hold_effective(const struct hold_entry *e, uint64_t now)
{
	uint64_t age = now - e->t_upd;

	if (e->st == HOLD_PENDING && age >= hold.p.pending_ttl_ms)
		return HOLD_NONE;
	if (e->st == HOLD_LOST && age >= hold.p.lost_ttl_ms)
		return HOLD_NONE;
	return e->st;
}

/* 1 if e may go: nobody waits and nothing it says is still needed. */
static int
do_hold_expired(const struct hold_entry *e, uint64_t now)
{
	if (e->waiters != NULL)
		return 0;
	if (do_hold_effective(e, now) != HOLD_NONE)
		return 0;
	return e->gen == 0 || now - e->t_upd >= HOLD_KEEP_MS;
}

static void
do_hold_remove(struct hold_entry *e)
{
	/* uthash frees its table with the last item: no use after free. */
	/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
	HASH_DELETE(hh, hold.idx, e);
	DL_DELETE2(hold.age, e, aprev, anext);
	hold.nentries--;
	free(e);
}

/* Drop expired entries; the age list is in update order. */
static void
do_hold_sweep(uint64_t now)
{
	uint32_t min_ttl = HOLD_KEEP_MS;
	struct hold_entry *e, *next;

	if (hold.p.pending_ttl_ms < min_ttl)
		min_ttl = hold.p.pending_ttl_ms;
	if (hold.p.lost_ttl_ms < min_ttl)
		min_ttl = hold.p.lost_ttl_ms;
	for (e = hold.age; e != NULL && now - e->t_upd >= min_ttl; e = next) {
		next = e->anext;
		if (do_hold_expired(e, now))
			do_hold_remove(e);
	}
}

/*
 * The table is full: drop the oldest entries nobody waits for, a batch at
 * a time so that a stream of new paths does not walk the list each time.
 * Returns 0 if there is room now.
 */
static int
do_hold_make_room(void)
{
	uint64_t batch = hold.p.max_entries / 16 + 1, n = 0;
	struct hold_entry *e, *next;

	for (e = hold.age; e != NULL && n < batch; e = next) {
		next = e->anext;
		if (e->waiters == NULL) {
			do_hold_remove(e);
			n++;
		}
	}
	return hold.nentries < hold.p.max_entries ? 0 : -1;
}

static struct hold_entry *
do_hold_find(const char *path)
{
	struct hold_entry *e;

	HASH_FIND(hh, hold.idx, path, strlen(path), e);
	return e;
}

/* The entry of path, made if needed; NULL when it cannot be. */
static struct hold_entry *
do_hold_get(const char *path, uint64_t now)
{
	struct hold_entry *e;
	size_t len;

	if ((e = do_hold_find(path)) != NULL)
		return e;
	if (hold.nentries >= hold.p.max_entries && do_hold_make_room() < 0)
		return NULL;
	len = strlen(path);
	if ((e = calloc(1, sizeof(*e) + len + 1)) == NULL)
		return NULL;
	memcpy(e->path, path, len + 1);
	e->t_upd = now;
	HASH_ADD_KEYPTR(hh, hold.idx, e->path, len, e);
	if (e->hh.tbl == NULL) {
		free(e);
		return NULL;
	}
	DL_APPEND2(hold.age, e, aprev, anext);
	hold.nentries++;
	return e;
}

/* Set e's state and make it the youngest. */
static void
do_hold_set(struct hold_entry *e, enum hold_state st, uint64_t now)
{
	e->st = st;
	e->t_upd = now;
	DL_DELETE2(hold.age, e, aprev, anext);
	DL_APPEND2(hold.age, e, aprev, anext);
}

static int
hold_lock(void)
{
	pthread_mutex_lock(&hold.mtx);
	if (hold.running && !hold.stop)
		return 0;
	pthread_mutex_unlock(&hold.mtx);
	return -1;
}

static void
hold_abs_time(uint64_t at_ms, struct timespec *ts)
{
	uint64_t now = util_now_ms();

	clock_gettime(CLOCK_MONOTONIC, ts);
	if (at_ms > now) {
		uint64_t ns = (uint64_t)ts->tv_nsec +
		    (at_ms - now) % 1000 * 1000000;

		ts->tv_sec += (time_t)((at_ms - now) / 1000 + ns / 1000000000);
		ts->tv_nsec = (long)(ns % 1000000000);
	}
}

/* Collect every waiter whose deadline passed. */
static struct hold_waiter *
do_hold_expire_waiters(uint64_t now)
{
	struct hold_waiter *woken = NULL;

	while (hold.hn > 0 && hold.heap[0]->deadline <= now)
		do_hold_collect(hold.heap[0], HOLD_WAKE_DEADLINE, &woken);
	return woken;
}

/*
 * The timer thread: sleeps until the earliest deadline (or the next
 * sweep), wakes whoever is due, and sweeps expired entries once a second.
 */
static void *
hold_thread(void *arg)
{
	struct hold_waiter *woken;
	struct timespec ts;
	uint64_t now, at;

	(void)arg;
	pthread_mutex_lock(&hold.mtx);
	while (!hold.stop) {
		now = util_now_ms();
		woken = do_hold_expire_waiters(now);
		if (now >= hold.next_sweep) {
			do_hold_sweep(now);
			hold.next_sweep = now + HOLD_SWEEP_MS;
		}
		if (woken != NULL) {
			pthread_mutex_unlock(&hold.mtx);
			hold_run(woken);
			pthread_mutex_lock(&hold.mtx);
			continue;
		}
		at = hold.next_sweep;
		if (hold.hn > 0 && hold.heap[0]->deadline < at)
			at = hold.heap[0]->deadline;
		hold_abs_time(at, &ts);
		pthread_cond_timedwait(&hold.cond, &hold.mtx, &ts);
	}
	pthread_mutex_unlock(&hold.mtx);
	return NULL;
}

static void
hold_defaults(const struct hold_params *p)
{
	memset(&hold.p, 0, sizeof(hold.p));
	if (p != NULL)
		hold.p = *p;
	if (hold.p.pending_ttl_ms == 0)
		hold.p.pending_ttl_ms = HOLD_PENDING_TTL;
	if (hold.p.lost_ttl_ms == 0)
		hold.p.lost_ttl_ms = HOLD_LOST_TTL;
	if (hold.p.max_entries == 0)
		hold.p.max_entries = HOLD_MAX_ENTRIES;
	if (hold.p.max_waiters == 0)
		hold.p.max_waiters = HOLD_MAX_WAITERS;
}

static int
hold_cond_init(void)
{
	pthread_condattr_t ca;
	int r;

	if (pthread_condattr_init(&ca) != 0)
		return -1;
	r = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
	    pthread_cond_init(&hold.cond, &ca) == 0 ? 0 : -1;
	pthread_condattr_destroy(&ca);
	return r;
}

int
hold_init(const struct hold_params *p)
{
	int r = -1;

	pthread_mutex_lock(&hold.mtx);
	if (hold.running) {
		log_warnx("hold_init: already running");
		goto out;
	}
	hold_defaults(p);
	/* An array of pointers: the element is a pointer. */
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	hold.heap = calloc(hold.p.max_waiters, sizeof(*hold.heap));
	if (hold.heap == NULL || hold_cond_init() < 0)
		goto out_free;
	memset(&hold.st, 0, sizeof(hold.st));
	hold.hn = 0;
	hold.stop = 0;
	hold.next_sweep = util_now_ms() + HOLD_SWEEP_MS;
	if ((errno = pthread_create(&hold.thr, NULL, hold_thread, NULL)) != 0) {
		log_warn("hold_init: pthread_create");
		pthread_cond_destroy(&hold.cond);
		goto out_free;
	}
	hold.running = 1;
	r = 0;
	goto out;
out_free:
	free(hold.heap);
	hold.heap = NULL;
out:
	pthread_mutex_unlock(&hold.mtx);
	return r;
}

void
hold_shutdown(void)
{
	struct hold_waiter *woken = NULL;
	struct hold_entry *e, *tmp;

	if (hold_lock() < 0)
		return;
	hold.stop = 1;
	while (hold.hn > 0)
		do_hold_collect(hold.heap[0], HOLD_WAKE_SHUTDOWN, &woken);
	pthread_cond_signal(&hold.cond);
	pthread_mutex_unlock(&hold.mtx);
	pthread_join(hold.thr, NULL);
	hold_run(woken);
	pthread_mutex_lock(&hold.mtx);
	HASH_ITER(hh, hold.idx, e, tmp)
		do_hold_remove(e);
	free(hold.heap);
	hold.heap = NULL;
	pthread_cond_destroy(&hold.cond);
	hold.running = 0;
	hold.stop = 0;
	pthread_mutex_unlock(&hold.mtx);
}

/* path is expected; by: 0 a repair, 1 an FDT, 2 packets arriving. */
static void
hold_expect(const char *path, int by)
{
	uint64_t now = util_now_ms();
	struct hold_entry *e;

	if (hold_lock() < 0)
		return;
	if ((e = do_hold_get(path, now)) != NULL) {
		do_hold_set(e, HOLD_PENDING, now);
		if (by == 1)
			e->bc_ann = now;
		else if (by == 2)
			e->bc_rx = now;
	}
	pthread_mutex_unlock(&hold.mtx);
}

void
hold_announce(const char *path)
{
	hold_expect(path, 0);
}

void
hold_broadcast(const char *path, int receiving)
{
	hold_expect(path, receiving ? 2 : 1);
}

void
hold_broadcast_times(const char *path, uint64_t *announced_ms,
    uint64_t *receiving_ms)
{
	struct hold_entry *e;

	*announced_ms = *receiving_ms = 0;
	if (hold_lock() < 0)
		return;
	if ((e = do_hold_find(path)) != NULL) {
		*announced_ms = e->bc_ann;
		*receiving_ms = e->bc_rx;
	}
	pthread_mutex_unlock(&hold.mtx);
}

void
hold_lost(const char *path)
{
	struct hold_waiter *woken = NULL;
	uint64_t now = util_now_ms();
	struct hold_entry *e;

	if (hold_lock() < 0)
		return;
	if ((e = do_hold_get(path, now)) != NULL) {
		do_hold_set(e, HOLD_LOST, now);
		do_hold_collect_all(e, HOLD_WAKE_LOST, &woken);
	}
	pthread_mutex_unlock(&hold.mtx);
	hold_run(woken);
}

void
hold_published(const char *path)
{
	struct hold_waiter *woken = NULL;
	uint64_t now = util_now_ms();
	struct hold_entry *e;

	if (hold_lock() < 0)
		return;
	hold.gen++;
	if ((e = do_hold_get(path, now)) != NULL) {
		e->gen = hold.gen;
		do_hold_set(e, HOLD_NONE, now);
		do_hold_collect_all(e, HOLD_WAKE_PUBLISHED, &woken);
	}
	pthread_mutex_unlock(&hold.mtx);
	hold_run(woken);
}

/*
 * What the three readers below tell of a path, read in one go under the
 * mutex; all zero (HOLD_NONE) without an entry or a running table.
 */
struct hold_snap {
	enum hold_state	st;
	int		waiting;
	uint64_t	gen;
};

static struct hold_snap
hold_snapshot(const char *path)
{
	struct hold_snap s = { HOLD_NONE, 0, 0 };
	struct hold_entry *e;

	if (hold_lock() < 0)
		return s;
	if ((e = do_hold_find(path)) != NULL) {
		s.st = do_hold_effective(e, util_now_ms());
		s.waiting = e->waiters != NULL;
		s.gen = e->gen;
	}
	pthread_mutex_unlock(&hold.mtx);
	return s;
}

enum hold_state
hold_state(const char *path)
{
	return hold_snapshot(path).st;
}

int
hold_waiting(const char *path)
{
	return hold_snapshot(path).waiting;
}

uint64_t
hold_gen(const char *path)
{
	return hold_snapshot(path).gen;
}

/* Put w on e and in the heap; tell the timer if it is now the first. */
static void
do_hold_add_waiter(struct hold_entry *e, struct hold_waiter *w)
{
	w->e = e;
	DL_APPEND(e->waiters, w);
	hold.heap[hold.hn] = w;
	w->hidx = hold.hn++;
	do_hold_heap_up(w->hidx);
	if (w->hidx == 0)
		pthread_cond_signal(&hold.cond);
	hold.st.held++;
}

int
hold_wait(const char *path, uint64_t gen, uint64_t deadline_ms,
    hold_wake_fn wake, void *arg)
{
	struct hold_waiter *w;
	struct hold_entry *e;
	int r = -1;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	w->deadline = deadline_ms;
	w->wake = wake;
	w->arg = arg;
	if (hold_lock() < 0) {
		free(w);
		return -1;
	}
	e = do_hold_find(path);
	if ((e != NULL ? e->gen : 0) != gen) {
		r = 1;
	} else if (hold.hn >= hold.p.max_waiters ||
	    (e == NULL && (e = do_hold_get(path, util_now_ms())) == NULL)) {
		hold.st.refused++;
	} else {
		do_hold_add_waiter(e, w);
		w = NULL;
		r = 0;
	}
	pthread_mutex_unlock(&hold.mtx);
	free(w);
	return r;
}

void
hold_get_stats(struct hold_stats *out)
{
	pthread_mutex_lock(&hold.mtx);
	*out = hold.st;
	out->waiting_now = hold.hn;
	out->entries_now = hold.nentries;
	pthread_mutex_unlock(&hold.mtx);
}
