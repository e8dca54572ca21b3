/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_hold.c: the hold table (daemon/hold.c): states and generations,
 * waiters woken exactly once by publish, loss, deadline or shutdown, the
 * race between a lookup and a publish, the table bounds, expiry, and a
 * seeded multi-threaded stress with exact wake counts.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../daemon/hold.h"
#include "../../daemon/util.h"
#include "test.h"

struct tok {
	_Atomic int	n;		/* wakes */
	_Atomic int	why;
	_Atomic uint64_t at;		/* util_now_ms of the wake */
	uint64_t	deadline;
};

static void
tok_wake(void *arg, enum hold_wake why)
{
	struct tok *t = arg;

	atomic_store(&t->why, (int)why);
	atomic_store(&t->at, util_now_ms());
	atomic_fetch_add(&t->n, 1);
}

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Wait up to ms for *n to reach want; returns the final value. */
static int
wait_count(_Atomic int *n, int want, unsigned ms)
{
	uint64_t end = util_now_ms() + ms;

	while (atomic_load(n) < want && util_now_ms() < end)
		sleep_ms(2);
	return atomic_load(n);
}

static void
start(uint32_t pending, uint32_t lost, uint32_t entries, uint32_t waiters)
{
	struct hold_params p = { pending, lost, entries, waiters };

	if (hold_init(&p) != 0) {
		fprintf(stderr, "hold_init failed\n");
		exit(1);
	}
}

static void
test_states(void)
{
	static char longp[10000];
	uint64_t g1, g2;

	start(0, 0, 0, 0);
	CHECK(hold_init(NULL) < 0);	/* once */
	CHECK(hold_state("/a.ts") == HOLD_NONE);
	CHECK_EQ_U(hold_gen("/a.ts"), 0);
	hold_announce("/a.ts");
	CHECK(hold_state("/a.ts") == HOLD_PENDING);
	CHECK_EQ_U(hold_gen("/a.ts"), 0);
	hold_published("/a.ts");
	g1 = hold_gen("/a.ts");
	CHECK(g1 > 0);
	CHECK(hold_state("/a.ts") == HOLD_NONE);
	hold_published("/b.ts");
	hold_published("/a.ts");
	g2 = hold_gen("/a.ts");
	CHECK(g2 > g1);
	CHECK(hold_gen("/b.ts") > g1 && hold_gen("/b.ts") < g2);
	hold_lost("/a.ts");
	CHECK(hold_state("/a.ts") == HOLD_LOST);
	CHECK_EQ_U(hold_gen("/a.ts"), g2);	/* a loss is no version */
	hold_announce("/a.ts");			/* a new repair */
	CHECK(hold_state("/a.ts") == HOLD_PENDING);
	/* Hostile names are just keys. */
	memset(longp, 'x', sizeof(longp) - 1);
	hold_announce(longp);
	hold_announce("");
	CHECK(hold_state(longp) == HOLD_PENDING);
	CHECK(hold_state("") == HOLD_PENDING);
	hold_shutdown();
	hold_shutdown();	/* twice is harmless */
	/* After shutdown nothing is known and nothing is held. */
	hold_announce("/a.ts");
	hold_published("/a.ts");
	CHECK(hold_state("/a.ts") == HOLD_NONE);
	CHECK_EQ_U(hold_gen("/a.ts"), 0);
	CHECK(hold_wait("/a.ts", 0, util_now_ms() + 10, tok_wake, NULL) < 0);
}

/* What the broadcast said of a path, and when; announce alone says none. */
static void
test_broadcast(void)
{
	uint64_t a, r, t0;

	start(0, 0, 0, 0);
	t0 = util_now_ms();
	hold_announce("/b/1.ts");		/* a repair, not the broadcast */
	hold_broadcast_times("/b/1.ts", &a, &r);
	CHECK(a == 0 && r == 0);
	hold_broadcast("/b/1.ts", 0);
	CHECK(hold_state("/b/1.ts") == HOLD_PENDING);
	hold_broadcast_times("/b/1.ts", &a, &r);
	CHECK(a >= t0 && a <= util_now_ms() && r == 0);
	usleep(20000);
	hold_broadcast("/b/1.ts", 1);
	hold_broadcast_times("/b/1.ts", &a, &r);
	CHECK(r >= a + 20 && r <= util_now_ms());
	hold_broadcast("/b/2.ts", 1);		/* packets before any FDT */
	CHECK(hold_state("/b/2.ts") == HOLD_PENDING);
	hold_broadcast_times("/b/2.ts", &a, &r);
	CHECK(a == 0 && r >= t0);
	hold_broadcast_times("/b/none.ts", &a, &r);
	CHECK(a == 0 && r == 0);
	hold_shutdown();
	hold_broadcast("/b/1.ts", 0);		/* after shutdown: nothing */
	hold_broadcast_times("/b/1.ts", &a, &r);
	CHECK(a == 0 && r == 0);
}

static void
test_publish_wakes_once(void)
{
	struct tok t[3];
	struct hold_stats st;
	uint64_t gen, far = util_now_ms() + 60000;
	int i;

	memset(t, 0, sizeof(t));
	start(0, 0, 0, 0);
	hold_announce("/s/1.ts");
	gen = hold_gen("/s/1.ts");
	for (i = 0; i < 2; i++)
		CHECK(hold_wait("/s/1.ts", gen, far, tok_wake, &t[i]) == 0);
	/* Another path's waiter is not disturbed. */
	CHECK(hold_wait("/s/2.ts", 0, far, tok_wake, &t[2]) == 0);
	hold_get_stats(&st);
	CHECK_EQ_U(st.waiting_now, 3);
	CHECK_EQ_U(st.held, 3);
	CHECK(hold_waiting("/s/1.ts") == 1 && hold_waiting("/s/3.ts") == 0);
	hold_published("/s/1.ts");
	CHECK(hold_waiting("/s/1.ts") == 0 && hold_waiting("/s/2.ts") == 1);
	/* The callbacks ran in hold_published, before it returned. */
	CHECK_EQ_U(atomic_load(&t[0].n), 1);
	CHECK_EQ_U(atomic_load(&t[1].n), 1);
	CHECK(atomic_load(&t[0].why) == HOLD_WAKE_PUBLISHED);
	CHECK_EQ_U(atomic_load(&t[2].n), 0);
	hold_published("/s/1.ts");
	sleep_ms(20);
	CHECK_EQ_U(atomic_load(&t[0].n), 1);
	hold_get_stats(&st);
	CHECK_EQ_U(st.waiting_now, 1);
	CHECK_EQ_U(st.woken[HOLD_WAKE_PUBLISHED], 2);
	hold_shutdown();
	CHECK_EQ_U(atomic_load(&t[2].n), 1);
	CHECK(atomic_load(&t[2].why) == HOLD_WAKE_SHUTDOWN);
	CHECK_EQ_U(atomic_load(&t[0].n), 1);
}

/* A publish between the generation read and hold_wait is not missed. */
static void
test_race_publish(void)
{
	struct tok t;
	uint64_t gen;

	memset(&t, 0, sizeof(t));
	start(0, 0, 0, 0);
	gen = hold_gen("/r.ts");		/* unknown: 0 */
	hold_published("/r.ts");		/* races with the lookup */
	CHECK(hold_wait("/r.ts", gen, util_now_ms() + 1000, tok_wake,
	    &t) == 1);
	gen = hold_gen("/r.ts");
	hold_published("/r.ts");
	CHECK(hold_wait("/r.ts", gen, util_now_ms() + 1000, tok_wake,
	    &t) == 1);
	/* With the current generation it waits. */
	CHECK(hold_wait("/r.ts", hold_gen("/r.ts"), util_now_ms() + 1000,
	    tok_wake, &t) == 0);
	hold_published("/r.ts");
	CHECK_EQ_U(atomic_load(&t.n), 1);
	hold_shutdown();
	CHECK_EQ_U(atomic_load(&t.n), 1);
}

static void
test_deadlines(void)
{
	enum { N = 40 };
	struct tok t[N], past;
	uint64_t now = util_now_ms();
	int i, ok = 1;

	memset(t, 0, sizeof(t));
	memset(&past, 0, sizeof(past));
	srandom(7);
	start(0, 0, 0, 0);
	for (i = 0; i < N; i++) {
		t[i].deadline = now + 20 + (uint64_t)(random() % 280);
		CHECK(hold_wait("/d.ts", 0, t[i].deadline, tok_wake,
		    &t[i]) == 0);
	}
	CHECK(hold_wait("/p.ts", 0, now - 5, tok_wake, &past) == 0);
	CHECK(wait_count(&past.n, 1, 1000) == 1);
	CHECK(atomic_load(&past.why) == HOLD_WAKE_DEADLINE);
	for (i = 0; i < N; i++) {
		if (wait_count(&t[i].n, 1, 2000) != 1 ||
		    atomic_load(&t[i].why) != HOLD_WAKE_DEADLINE ||
		    atomic_load(&t[i].at) < t[i].deadline ||
		    atomic_load(&t[i].at) > t[i].deadline + 700)
			ok = 0;
	}
	CHECK(ok);
	sleep_ms(20);
	for (i = 0; i < N; i++)
		CHECK_EQ_U(atomic_load(&t[i].n), 1);
	hold_shutdown();
	CHECK_EQ_U(atomic_load(&t[0].n), 1);
}

static void
test_lost(void)
{
	struct tok t;

	memset(&t, 0, sizeof(t));
	start(0, 0, 0, 0);
	hold_announce("/l.ts");
	CHECK(hold_wait("/l.ts", hold_gen("/l.ts"), util_now_ms() + 5000,
	    tok_wake, &t) == 0);
	hold_lost("/l.ts");
	CHECK_EQ_U(atomic_load(&t.n), 1);
	CHECK(atomic_load(&t.why) == HOLD_WAKE_LOST);
	CHECK(hold_state("/l.ts") == HOLD_LOST);
	hold_published("/l.ts");	/* repaired after all */
	CHECK(hold_state("/l.ts") == HOLD_NONE);
	CHECK_EQ_U(atomic_load(&t.n), 1);
	hold_shutdown();
}

static void
test_bounds(void)
{
	struct tok t[6];
	struct hold_stats st;
	uint64_t far = util_now_ms() + 60000;
	char p[32];
	int i;

	memset(t, 0, sizeof(t));
	start(0, 0, 8, 4);
	CHECK(hold_wait("/w.ts", 0, far, tok_wake, &t[0]) == 0);
	for (i = 0; i < 40; i++) {
		snprintf(p, sizeof(p), "/e%d.ts", i);
		hold_announce(p);
	}
	hold_get_stats(&st);
	CHECK(st.entries_now <= 8);
	CHECK(hold_state("/e39.ts") == HOLD_PENDING);	/* newest kept */
	CHECK(hold_state("/e0.ts") == HOLD_NONE);	/* oldest dropped */
	/* The waited entry stayed: its publish still wakes. */
	hold_published("/w.ts");
	CHECK_EQ_U(atomic_load(&t[0].n), 1);
	/* max_waiters */
	for (i = 1; i < 5; i++)
		CHECK(hold_wait("/x.ts", hold_gen("/x.ts"), far, tok_wake,
		    &t[i]) == 0);
	CHECK(hold_wait("/x.ts", hold_gen("/x.ts"), far, tok_wake,
	    &t[5]) == -1);
	hold_get_stats(&st);
	CHECK_EQ_U(st.refused, 1);
	CHECK_EQ_U(st.waiting_now, 4);
	hold_shutdown();
	for (i = 1; i < 5; i++)
		CHECK(atomic_load(&t[i].n) == 1 &&
		    atomic_load(&t[i].why) == HOLD_WAKE_SHUTDOWN);
	CHECK_EQ_U(atomic_load(&t[5].n), 0);

	/* Every entry waited for: no room for another path. */
	memset(t, 0, sizeof(t));
	start(0, 0, 2, 10);
	CHECK(hold_wait("/a.ts", 0, far, tok_wake, &t[0]) == 0);
	CHECK(hold_wait("/b.ts", 0, far, tok_wake, &t[1]) == 0);
	CHECK(hold_wait("/c.ts", 0, far, tok_wake, &t[2]) == -1);
	hold_announce("/c.ts");
	CHECK(hold_state("/c.ts") == HOLD_NONE);
	hold_shutdown();
	CHECK(atomic_load(&t[0].n) == 1 && atomic_load(&t[1].n) == 1);
	CHECK_EQ_U(atomic_load(&t[2].n), 0);
}

static void
test_shutdown_wakes_all(void)
{
	enum { N = 300 };
	static struct tok t[N];
	struct hold_stats st;
	char p[32];
	int i, n = 0;

	memset(t, 0, sizeof(t));
	start(0, 0, 0, 0);
	for (i = 0; i < N; i++) {
		snprintf(p, sizeof(p), "/z%d.ts", i % 17);
		CHECK(hold_wait(p, hold_gen(p), util_now_ms() + 60000,
		    tok_wake, &t[i]) == 0);
	}
	hold_get_stats(&st);
	CHECK_EQ_U(st.waiting_now, N);
	hold_shutdown();
	for (i = 0; i < N; i++)
		n += atomic_load(&t[i].n) == 1 &&
		    atomic_load(&t[i].why) == HOLD_WAKE_SHUTDOWN;
	CHECK_EQ_U(n, N);
	hold_get_stats(&st);
	CHECK_EQ_U(st.woken[HOLD_WAKE_SHUTDOWN], N);
}

static void
test_ttl(void)
{
	struct hold_stats st;

	start(100, 150, 0, 0);
	hold_announce("/t1.ts");
	hold_announce("/t2.ts");
	hold_lost("/t3.ts");
	CHECK(hold_state("/t1.ts") == HOLD_PENDING);
	CHECK(hold_state("/t3.ts") == HOLD_LOST);
	sleep_ms(120);
	CHECK(hold_state("/t1.ts") == HOLD_NONE);
	CHECK(hold_state("/t3.ts") == HOLD_LOST);
	sleep_ms(60);
	CHECK(hold_state("/t3.ts") == HOLD_NONE);
	hold_announce("/t2.ts");	/* renewed */
	CHECK(hold_state("/t2.ts") == HOLD_PENDING);
	/* The once-a-second sweep frees expired entries. */
	sleep_ms(1300);
	hold_get_stats(&st);
	CHECK_EQ_U(st.entries_now, 0);
	hold_shutdown();
}

/*
 * Stress: waiters and publishers on a few paths from several threads.
 * Every registered waiter must be woken exactly once (publish, deadline
 * or shutdown) and no refused or raced one ever.
 */
#define ST_THREADS	6
#define ST_OPS		3000
#define ST_PATHS	8

static struct tok st_tok[ST_THREADS][ST_OPS];
static _Atomic int st_reg[ST_THREADS][ST_OPS];	/* hold_wait result + 2 */

static void *
stress_thread(void *arg)
{
	int id = (int)(intptr_t)arg, i, r;
	unsigned seed = 1000u + (unsigned)id;
	char p[16];

	for (i = 0; i < ST_OPS; i++) {
		snprintf(p, sizeof(p), "/q%d", rand_r(&seed) % ST_PATHS);
		if (rand_r(&seed) % 3 == 0) {
			hold_published(p);
			atomic_store(&st_reg[id][i], 0);
			continue;
		}
		r = hold_wait(p, hold_gen(p), util_now_ms() +
		    (uint64_t)(rand_r(&seed) % 40), tok_wake, &st_tok[id][i]);
		atomic_store(&st_reg[id][i], r + 2);
	}
	return NULL;
}

static void
test_stress(void)
{
	pthread_t th[ST_THREADS];
	struct hold_stats st;
	int i, j, bad = 0, reg = 0, woke = 0;

	memset(st_tok, 0, sizeof(st_tok));
	start(0, 0, 0, 64);
	for (i = 0; i < ST_THREADS; i++)
		pthread_create(&th[i], NULL, stress_thread,
		    (void *)(intptr_t)i);
	for (i = 0; i < ST_THREADS; i++)
		pthread_join(th[i], NULL);
	sleep_ms(100);		/* the last deadlines pass */
	hold_shutdown();
	for (i = 0; i < ST_THREADS; i++) {
		for (j = 0; j < ST_OPS; j++) {
			int r = atomic_load(&st_reg[i][j]) - 2;
			int n = atomic_load(&st_tok[i][j].n);

			if (r == 0)
				reg++;
			woke += n;
			if ((r == 0 && n != 1) || (r != 0 && n != 0))
				bad++;
		}
	}
	CHECK_EQ_U(bad, 0);
	CHECK(reg > 1000);
	CHECK_EQ_U(woke, reg);
	hold_get_stats(&st);
	CHECK_EQ_U(st.held, (uint64_t)reg);
	CHECK_EQ_U(st.woken[0] + st.woken[1] + st.woken[2] + st.woken[3],
	    (uint64_t)reg);
	CHECK(st.woken[HOLD_WAKE_PUBLISHED] > 0);
	CHECK_EQ_U(st.waiting_now, 0);
}

TEST_MAIN(TEST(test_states), TEST(test_broadcast), TEST(test_publish_wakes_once),
    TEST(test_race_publish), TEST(test_deadlines), TEST(test_lost),
    TEST(test_bounds), TEST(test_shutdown_wakes_all), TEST(test_ttl),
    TEST(test_stress))
