/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * httpd_hold.c: looking objects up for a request and holding requests
 * for objects on their way, LL-HLS blocking reloads among them.
 *
 * Holding.  A player must never get 404 for a segment that is about to
 * arrive (hls.js gives up on a 4xx, ../shared/docs/dvbi-and-hls.md 2.7),
 * nor stall longer than needed.  A miss for an expected object registers
 * the request with the hold table (hold.h) and suspends its connection,
 * which costs no thread.  The wake callback resumes it at the object's
 * publish (MHD calls the access handler again: look again, serve), at its
 * loss or at the deadline (503 with Retry-After, which players retry).
 *
 * Suspend/resume ordering.  In libmicrohttpd 0.9.75 only the handler may
 * suspend its connection, while MHD_resume_connection may come from any
 * thread, so a wake can run before the handler has suspended (a publish
 * between hold_wait and MHD_suspend_connection).  A resume that comes
 * first sets connection->resuming, and the suspend after it then only
 * clears the flag (daemon.c internal_suspend_connection_): the connection
 * stays in FULL_REQ_RECEIVED without a response and MHD calls the handler
 * again on every loop, a busy loop; and the API calls a resume of a
 * connection that is not suspended undefined.  So a resume only ever
 * follows a suspend: each request has an atomic state word, (hold
 * sequence number, IDLE / ARMED / SUSPENDED / WOKEN + why).  The handler
 * arms it before hold_wait, suspends, then moves ARMED to SUSPENDED; a
 * wake moves ARMED or SUSPENDED of its own sequence number to WOKEN and
 * resumes only if it saw SUSPENDED.  If the wake won, the handler's move
 * fails and it resumes its own, now suspended, connection.  A blocking
 * reload waits on two paths; the later wake has an old sequence number
 * and changes nothing.
 *
 * Stopping.  MHD_stop_daemon panics on a suspended connection, so
 * httpd_hold_stop() refuses new holds, wakes every armed or suspended
 * request itself (the same transitions) and waits for wakes that are
 * between their transition and their resume.  A request is freed when MHD
 * is done with it and every waiter registered for it has woken.
 *
 * Playlists.  A live playlist in RAM is answered as httpd_pl.c rewrites
 * it for players.  LL-HLS blocking reloads (_HLS_msn, _HLS_part) are held
 * here until a version lists what they ask for, at most 3 target
 * durations from their arrival.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>
#include <utlist.h>

#include "cache.h"
#include "hls.h"
#include "hold.h"
#include "httpd_int.h"
#include "util.h"

#define HTTPD_LOOKS		4	/* lookups per handler call */
#define HTTPD_HOLDS_MAX		8	/* holds per object request */
#define HTTPD_BLOCK_HOLDS_MAX	256	/* per blocking reload */

/*
 * A request's state word: the hold sequence number (which hold of the
 * request) times 256 plus one of these.
 */
enum req_st {
	REQ_IDLE = 0,
	REQ_ARMED,		/* hold_wait called, not suspended yet */
	REQ_SUSPENDED,
	REQ_WOKEN,		/* + enum hold_wake */
};
#define REQ_ST(seq, st)		((uint64_t)(seq) << 8 | (uint64_t)(st))
#define REQ_SEQ(w)		((w) >> 8)
#define REQ_STATE(w)		((int)((w) & 0xff))

/* What a request keeps across its suspensions (*con_cls). */
struct httpd_req {
	_Atomic uint32_t	refs;	/* MHD's, and one per waiter */
	_Atomic uint64_t	st;	/* REQ_ST(seq, enum req_st) */
	struct MHD_Connection	*con;
	struct httpd_req	*prev, *next;	/* hh.all */
	struct httpd_req	*snext;		/* httpd_hold_stop's list */
	/* Only the connection's own thread touches the rest. */
	uint64_t		first_ms;	/* first arrival */
	uint64_t		deadline;	/* of an object hold */
	uint32_t		holds;
	uint8_t			holding;	/* counted in held_now */
	uint8_t			blocked;	/* counted a blocking reload */
	uint8_t			reserved;	/* max_held: slot */
	struct httpd_gconn	*slot;
};

/*
 * The wake argument of one registration.  A request may wait on two paths
 * (a blocking reload: the playlist and a segment it lacks); the second
 * wake carries an old sequence number and changes nothing.
 */
struct req_tok {
	struct httpd_req	*r;
	uint64_t		seq;
};

/* A path to wait on and its generation, read before the lookup. */
struct hold_on {
	const char	*path;
	uint64_t	gen;
};

/* One lookup: the request and what its last wake said. */
struct look {
	struct MHD_Connection	*c;
	const char		*path;
	enum httpd_method	m;
	int			joining;
	void			**cls;
	uint64_t		gen;	/* of path, read before the lookup */
	int			woke;	/* enum hold_wake, or -1 */
};

static struct {
	pthread_mutex_t	mtx;		/* all, stopping */
	struct httpd_req *all;
	int		stopping;
	uint32_t	hold_ms;
	int		(*fetch)(const char *path, int urgent);
} hh = {
	.mtx = PTHREAD_MUTEX_INITIALIZER,
};

static _Atomic int hh_inflight;	/* wakes between transition and resume */
static _Atomic uint64_t hs_held, hs_held_now, hs_timeouts, hs_blocking;
static char req_marker;		/* *con_cls of a request with no state */

void
httpd_hold_stats(struct httpd_stats *out)
{
	out->held = atomic_load(&hs_held);
	out->held_now = atomic_load(&hs_held_now);
	out->held_timeouts = atomic_load(&hs_timeouts);
	out->blocking_reloads = atomic_load(&hs_blocking);
	httpd_pl_stats(out);
}

void
httpd_req_mark(void **cls)
{
	*cls = &req_marker;
}

static void
req_unref(struct httpd_req *r)
{
	if (atomic_fetch_sub(&r->refs, 1) == 1)
		free(r);
}

/* The request's state, made on first need; NULL when out of memory. */
static struct httpd_req *
req_get(struct look *lk)
{
	struct httpd_req *r;

	if (*lk->cls != NULL && *lk->cls != &req_marker)
		return *lk->cls;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	atomic_init(&r->refs, 1);
	atomic_init(&r->st, REQ_ST(0, REQ_IDLE));
	r->con = lk->c;
	r->first_ms = util_now_ms();
	pthread_mutex_lock(&hh.mtx);
	DL_APPEND(hh.all, r);
	pthread_mutex_unlock(&hh.mtx);
	*lk->cls = r;
	return r;
}

/*
 * A request about to be held takes a place under max_held and
 * max_held_per_client (httpd_guard.c), kept until it is woken or over.
 * 0, or -1: answer 503 now.
 */
static int
req_reserve(struct httpd_req *r)
{
	if (r->reserved)
		return 0;
	if (httpd_guard_hold(r->con, &r->slot) < 0)
		return -1;
	r->reserved = 1;
	return 0;
}

static void
req_release(struct httpd_req *r)
{
	if (!r->reserved)
		return;
	r->reserved = 0;
	httpd_guard_unhold(r->slot);
	r->slot = NULL;
}

void
httpd_req_done(void **cls)
{
	struct httpd_req *r = *cls;

	*cls = NULL;
	if (r == NULL || (void *)r == &req_marker)
		return;
	req_release(r);
	pthread_mutex_lock(&hh.mtx);
	DL_DELETE(hh.all, r);
	pthread_mutex_unlock(&hh.mtx);
	if (r->holding)
		atomic_fetch_sub(&hs_held_now, 1);
	req_unref(r);
}

/*
 * Move r from ARMED or SUSPENDED of hold seq (any hold: seq 0) to WOKEN +
 * why.  Returns the state it left, or REQ_IDLE if it was in neither
 * (woken already, not held, or held again since).
 */
static int
req_to_woken(struct httpd_req *r, uint64_t seq, enum hold_wake why)
{
	uint64_t old = atomic_load(&r->st);

	do {
		if ((REQ_STATE(old) != REQ_ARMED &&
		    REQ_STATE(old) != REQ_SUSPENDED) ||
		    (seq != 0 && REQ_SEQ(old) != seq))
			return REQ_IDLE;
	} while (!atomic_compare_exchange_weak(&r->st, &old,
	    REQ_ST(REQ_SEQ(old), REQ_WOKEN + (int)why)));
	return REQ_STATE(old);
}

/* The hold table's wake callback (any thread, no lock held). */
static void
req_wake(void *arg, enum hold_wake why)
{
	struct req_tok *t = arg;
	struct httpd_req *r = t->r;

	atomic_fetch_add(&hh_inflight, 1);
	if (req_to_woken(r, t->seq, why) == REQ_SUSPENDED)
		MHD_resume_connection(r->con);
	atomic_fetch_sub(&hh_inflight, 1);
	free(t);
	req_unref(r);
}

/* Back in the handler: what woke the request (-1: it was not held). */
static int
req_consume(struct httpd_req *r)
{
	uint64_t w = atomic_load(&r->st);

	if (REQ_STATE(w) < REQ_WOKEN)
		return -1;
	atomic_store(&r->st, REQ_ST(REQ_SEQ(w), REQ_IDLE));
	req_release(r);
	if (r->holding) {
		r->holding = 0;
		atomic_fetch_sub(&hs_held_now, 1);
	}
	return REQ_STATE(w) - REQ_WOKEN;
}

/* Register one waiter for hold seq; hold_wait's answer. */
static int
req_wait(struct httpd_req *r, uint64_t seq, const struct hold_on *on,
    uint64_t deadline)
{
	struct req_tok *t;
	int ret;

	if ((t = malloc(sizeof(*t))) == NULL)
		return -1;
	t->r = r;
	t->seq = seq;
	atomic_fetch_add(&r->refs, 1);
	if ((ret = hold_wait(on->path, on->gen, deadline, req_wake, t)) != 0) {
		free(t);
		/* The caller's reference keeps r: never the last one here. */
		atomic_fetch_sub(&r->refs, 1);
	}
	return ret;
}

/* Suspended and counted. */
static void
req_suspend(struct httpd_req *r, uint64_t seq)
{
	uint64_t exp = REQ_ST(seq, REQ_ARMED);

	MHD_suspend_connection(r->con);
	if (!atomic_compare_exchange_strong(&r->st, &exp,
	    REQ_ST(seq, REQ_SUSPENDED)))
		MHD_resume_connection(r->con);	/* woken before suspended */
	if (r->holds++ == 0)
		atomic_fetch_add(&hs_held, 1);
	r->holding = 1;
	atomic_fetch_add(&hs_held_now, 1);
}

/*
 * Hold r until a publish of any of the n paths after its generation, or
 * deadline.  0: held (suspended; the handler returns MHD_YES); 1: one was
 * published since, look again; -1: cannot hold (stopping, table full, or
 * over max_held or max_held_per_client).  A waiter left registered when
 * another path says "look again" wakes later with an old sequence number.
 */
static int
req_hold(struct httpd_req *r, const struct hold_on *on, int n,
    uint64_t deadline)
{
	int i, ret, held = 0, again = 0;
	uint64_t seq;

	if (req_reserve(r) < 0)
		return -1;
	pthread_mutex_lock(&hh.mtx);
	if (hh.stopping) {
		pthread_mutex_unlock(&hh.mtx);
		req_release(r);
		return -1;
	}
	seq = REQ_SEQ(atomic_load(&r->st)) + 1;
	atomic_store(&r->st, REQ_ST(seq, REQ_ARMED));
	pthread_mutex_unlock(&hh.mtx);
	for (i = 0; i < n && !again; i++) {
		ret = req_wait(r, seq, &on[i], deadline);
		held += ret == 0;
		again = ret == 1;
	}
	if (again || held == 0) {
		atomic_store(&r->st, REQ_ST(seq, REQ_IDLE));
		req_release(r);
		return again ? 1 : -1;
	}
	req_suspend(r, seq);
	return 0;
}

void
httpd_hold_start(const struct conf *c, const struct httpd_hooks *hk)
{
	pthread_mutex_lock(&hh.mtx);
	hh.stopping = 0;
	hh.hold_ms = c->http_hold_ms;
	hh.fetch = hk->fetch;
	pthread_mutex_unlock(&hh.mtx);
	httpd_pl_start(c, hk);
}

void
httpd_hold_stop(void)
{
	struct timespec ms = { 0, 1000000 };
	struct httpd_req *r, *list = NULL;

	pthread_mutex_lock(&hh.mtx);
	hh.stopping = 1;
	DL_FOREACH(hh.all, r) {
		if (req_to_woken(r, 0, HOLD_WAKE_SHUTDOWN) == REQ_SUSPENDED) {
			atomic_fetch_add(&r->refs, 1);
			r->snext = list;
			list = r;
		}
	}
	pthread_mutex_unlock(&hh.mtx);
	for (; list != NULL; list = r) {
		r = list->snext;
		MHD_resume_connection(list->con);
		req_unref(list);
	}
	while (atomic_load(&hh_inflight) > 0)
		nanosleep(&ms, NULL);
}

/* The daemons are gone: forget the playlists. */
void
httpd_hold_free(void)
{
	httpd_pl_free();
}

static int
look_answer(struct look *lk, enum httpd_fixed f, enum MHD_Result *res)
{
	*res = httpd_queue_fixed(lk->c, f, lk->m);
	return 0;
}

/* Held before and not answered now: 503, counted once per request. */
static int
look_timeout(struct look *lk, enum MHD_Result *res)
{
	atomic_fetch_add(&hs_timeouts, 1);
	return look_answer(lk, HTTPD_F_UNAVAIL, res);
}

/*
 * An LL-HLS blocking reload that cannot be answered yet: wait for the
 * next publish of the playlist and, when its end is held back, of the
 * first segment held back (its arrival lists it without a new playlist).
 * The deadline, 3 target durations from the first arrival, survives
 * resumes.  0 (held or answered) or 1 (look again).
 */
static int
look_block(struct look *lk, struct httpd_served *sv, enum MHD_Result *res)
{
	uint64_t span = 3ull * sv->info.target_ms, now = util_now_ms();
	struct hold_on on[2];
	struct httpd_req *r;
	int ret;

	if ((r = req_get(lk)) == NULL)
		return look_answer(lk, HTTPD_F_UNAVAIL, res);
	if (span == 0)
		span = hh.hold_ms;
	if (lk->woke == HOLD_WAKE_SHUTDOWN || now >= r->first_ms + span)
		return r->holds > 0 ? look_timeout(lk, res) :
		    look_answer(lk, HTTPD_F_UNAVAIL, res);
	if (r->holds >= HTTPD_BLOCK_HOLDS_MAX)
		return look_timeout(lk, res);
	if (!r->blocked) {
		r->blocked = 1;
		atomic_fetch_add(&hs_blocking, 1);
	}
	on[0].path = lk->path;
	on[0].gen = lk->gen;
	on[1].path = sv->tail;
	on[1].gen = sv->tail_gen;
	ret = req_hold(r, on, sv->info.held_back > 0 && sv->in_run ? 2 : 1,
	    r->first_ms + span);
	if (ret < 0)
		return look_answer(lk, HTTPD_F_UNAVAIL, res);
	*res = MHD_YES;
	return ret;
}

/* A playlist in RAM: as served, and LL-HLS directives. */
static int
look_playlist(struct look *lk, struct cache_hit *h, enum MHD_Result *res)
{
	const char *msn, *part;
	struct httpd_served *sv;
	int blocking, ret = 0;

	msn = MHD_lookup_connection_value(lk->c, MHD_GET_ARGUMENT_KIND,
	    "_HLS_msn");
	part = MHD_lookup_connection_value(lk->c, MHD_GET_ARGUMENT_KIND,
	    "_HLS_part");
	blocking = msn != NULL || part != NULL;
	if (!blocking && hh.fetch == NULL) {
		*res = httpd_serve_hit(lk->c, h, lk->path, lk->m, 1);
		return 0;
	}
	if ((sv = calloc(1, sizeof(*sv))) == NULL ||
	    httpd_pl_make(lk->path, h, sv) < 0) {
		httpd_hit_release(h);
		free(sv);
		return look_answer(lk, HTTPD_F_UNAVAIL, res);
	}
	switch (blocking ? hls_block_check(&sv->info, msn, part) :
	    HLS_BLOCK_NONE) {
	case HLS_BLOCK_BAD:
		httpd_hit_release(h);
		free(sv->body);
		ret = look_answer(lk, HTTPD_F_BAD, res);
		break;
	case HLS_BLOCK_WAIT:
		httpd_hit_release(h);
		free(sv->body);
		ret = look_block(lk, sv, res);
		break;
	default:
		if (sv->body != NULL)
			*res = httpd_pl_send(lk->c, lk->m, h, sv);
		else
			*res = httpd_serve_hit(lk->c, h, lk->path, lk->m,
			    !blocking);
		break;
	}
	free(sv);
	return ret;
}

static int
look_hit(struct look *lk, struct cache_hit *h, enum MHD_Result *res)
{
	if (httpd_hit_check(h, lk->path) < 0) {
		httpd_hit_release(h);
		return look_answer(lk, HTTPD_F_UNAVAIL, res);
	}
	if (httpd_pl_is(h, lk->path))
		return look_playlist(lk, h, res);
	*res = httpd_serve_hit(lk->c, h, lk->path, lk->m, 1);
	return 0;
}

/* 1 if a miss on path is worth holding for. */
static int
look_expected(struct look *lk)
{
	int expected = lk->joining;

	/* Urgent: a player waits, so any repair back-off is skipped. */
	if (hh.fetch != NULL && hh.fetch(lk->path, 1))
		expected = 1;
	return expected || hold_state(lk->path) == HOLD_PENDING;
}

/*
 * Not cached.  The first time: 404 unless expected, else hold until
 * hold_timeout.  After a hold: published but gone again (evicted, or a
 * racing version) is held again until the same deadline; lost, deadline
 * or shutdown is 503.
 */
static int
look_miss(struct look *lk, enum MHD_Result *res)
{
	struct httpd_req *r = NULL;
	struct hold_on on;
	int ret;

	if (!cache_ready())
		return look_answer(lk, HTTPD_F_UNAVAIL, res);
	if (*lk->cls != &req_marker)
		r = *lk->cls;
	if (r != NULL && r->holds > 0) {
		if (lk->woke != HOLD_WAKE_PUBLISHED ||
		    util_now_ms() >= r->deadline ||
		    r->holds >= HTTPD_HOLDS_MAX)
			return look_timeout(lk, res);
	} else {
		if (!look_expected(lk))
			return look_answer(lk, HTTPD_F_NOTFOUND, res);
		if (hh.hold_ms == 0 || (r = req_get(lk)) == NULL)
			return look_answer(lk, HTTPD_F_UNAVAIL, res);
		r->deadline = util_now_ms() + hh.hold_ms;
	}
	on.path = lk->path;
	on.gen = lk->gen;
	ret = req_hold(r, &on, 1, r->deadline);
	if (ret < 0)
		return look_answer(lk, HTTPD_F_UNAVAIL, res);
	*res = MHD_YES;
	return ret;
}

enum MHD_Result
httpd_object(struct MHD_Connection *c, const char *path, enum httpd_method m,
    int joining, void **cls)
{
	struct look lk = { c, path, m, joining, cls, 0, -1 };
	enum MHD_Result res = MHD_YES;
	struct cache_hit hit;
	int i;

	if (*cls != NULL && *cls != &req_marker)
		lk.woke = req_consume(*cls);
	for (i = 0; i < HTTPD_LOOKS; i++) {
		/* Before the lookup: a publish after it must show. */
		lk.gen = hold_gen(path);
		memset(&hit, 0, sizeof(hit));
		hit.fd = -1;
		if (cache_open(path, &hit) == 0) {
			if (look_hit(&lk, &hit, &res) == 0)
				return res;
		} else if (look_miss(&lk, &res) == 0) {
			return res;
		}
		lk.woke = HOLD_WAKE_PUBLISHED;
	}
	return httpd_queue_fixed(c, HTTPD_F_UNAVAIL, m);
}
