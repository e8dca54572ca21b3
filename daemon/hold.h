/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hold.h: what players may wait for, and the requests waiting.
 *
 * A table of cache paths: announced (an FDT declared them, a playlist
 * names them) or under repair, i.e. expected soon; lost (repair gave up);
 * and, briefly, published.  Each path carries a generation that goes up on
 * every publish, so a waiter never misses one.  HTTP threads hold a
 * request (libmicrohttpd suspend) by registering a waiter with a deadline;
 * the waiter's wake callback runs exactly once: at the next publish of the
 * path, when it is marked lost, at its deadline (one timer thread for all
 * of them: held requests cost no threads), or at shutdown.
 *
 * Thread safety: every function may be called from any thread.  One
 * mutex; wake callbacks run outside it and must not block.
 */
#ifndef NIPCACHE_HOLD_H
#define NIPCACHE_HOLD_H

#include <stddef.h>
#include <stdint.h>

enum hold_state {
	HOLD_NONE = 0,		/* nothing known */
	HOLD_PENDING,		/* announced or under repair: expected */
	HOLD_LOST,		/* repair gave up (until lost_ttl) */
};

/* Why a waiter was woken. */
enum hold_wake {
	HOLD_WAKE_PUBLISHED = 0,	/* a new version of the path is cached */
	HOLD_WAKE_LOST,			/* it will not come */
	HOLD_WAKE_DEADLINE,		/* its deadline passed */
	HOLD_WAKE_SHUTDOWN,
};

struct hold_params {
	uint32_t	pending_ttl_ms;	/* announced entries expire; 0: 30000 */
	uint32_t	lost_ttl_ms;	/* lost entries expire; 0: 60000 */
	uint32_t	max_entries;	/* table bound; 0: 65536 */
	uint32_t	max_waiters;	/* held requests at once; 0: 4096 */
};

/* Start the deadline thread; p is copied (NULL: defaults).  0 or -1. */
int	hold_init(const struct hold_params *p);
/* Wake every waiter (HOLD_WAKE_SHUTDOWN), stop the thread, free all. */
void	hold_shutdown(void);

/* path is expected (announced in an FDT or a playlist, or being repaired). */
void	hold_announce(const char *path);
/*
 * The broadcast announced path (an FDT declared it) or, receiving 1, its
 * packets are arriving: PENDING like hold_announce(), and the time is
 * kept for hold_broadcast_times().
 */
void	hold_broadcast(const char *path, int receiving);
/* util_now_ms() of the last of each (0: never, or no entry). */
void	hold_broadcast_times(const char *path, uint64_t *announced_ms,
	    uint64_t *receiving_ms);
/* Repair of path gave up: waiters wake (LOST); the state says LOST. */
void	hold_lost(const char *path);
/* A version of path was published: waiters wake, generation + 1. */
void	hold_published(const char *path);

/* State of path (PENDING entries older than pending_ttl_ms are NONE). */
enum hold_state hold_state(const char *path);
/* 1 if a request is held for path now (a player is waiting for it). */
int	hold_waiting(const char *path);
/* Current generation of path (0 if unknown); read it before a lookup. */
uint64_t hold_gen(const char *path);

typedef void (*hold_wake_fn)(void *arg, enum hold_wake why);
/*
 * Hold a request for path until its next publish (after generation gen,
 * as read by hold_gen before the cache lookup) or deadline_ms (util_now_ms
 * clock).  Returns 0 when registered (wake(arg, ...) will run exactly
 * once, possibly from another thread before this returns), 1 when path
 * was published since gen (look again; wake never runs), or -1 when the
 * waiter table is full (answer now).
 */
int	hold_wait(const char *path, uint64_t gen, uint64_t deadline_ms,
	    hold_wake_fn wake, void *arg);

struct hold_stats {
	uint64_t	held;		/* requests held, total */
	uint64_t	woken[4];	/* by enum hold_wake */
	uint64_t	refused;	/* table full */
	uint64_t	waiting_now;
	uint64_t	entries_now;
};
void	hold_get_stats(struct hold_stats *out);

#endif
