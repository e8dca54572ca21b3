/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_tuner.c: the tuner thread's state machine, driven through a fake
 * struct tuner_ops whose lock is scripted per tune and per poll.  Timing
 * is shrunk to milliseconds; every assertion waits for a condition in a
 * bounded loop (never a fixed sleep) and checks counts, or lower bounds
 * on the gaps between attempts, which a slow machine cannot break.  The
 * last cases run the real libdvbv5 backend against a missing adapter.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/dvb/frontend.h>

#include "test.h"
#include "../../daemon/tuner.h"
#include "../../daemon/util.h"

#define NFAKE		4
#define MAX_STAMPS	64
#define WAIT_MS		3000	/* the bound of every wait_until */

/*
 * One fake frontend per adapter number.  The tuner thread writes the
 * counters, the test reads them: atomics.  Stamps are read after
 * tuner_stop (the join orders them).
 */
struct fake {
	/* Lock at poll p (1-based, counted from each apply) of tune n. */
	int		(*lock)(int tune, int poll);
	_Atomic int	open_fail;	/* opens to fail; -1: all */
	_Atomic int	apply_fail;	/* applies that fail */
	_Atomic int	status_fail;	/* status always fails */
	_Atomic int	opens, open_calls, closes, applies, polls;
	_Atomic int	poll_in_tune;
	uint64_t	open_ms[MAX_STAMPS];
	uint64_t	apply_ms[MAX_STAMPS];
	uint32_t	last_if;
};

static struct fake fakes[NFAKE];

static void *
fake_open(int adapter, int frontend, char *why, size_t n)
{
	struct fake *f;
	int k;

	if (adapter < 0 || adapter >= NFAKE || frontend != 0) {
		snprintf(why, n, "no such fake");
		return NULL;
	}
	f = &fakes[adapter];
	k = atomic_fetch_add(&f->open_calls, 1);
	if (k < MAX_STAMPS)
		f->open_ms[k] = util_now_ms();
	if (atomic_load(&f->open_fail) != 0) {
		if (atomic_load(&f->open_fail) > 0)
			atomic_fetch_sub(&f->open_fail, 1);
		snprintf(why, n, "/dev/dvb/adapter%d/frontend0: fake absent",
		    adapter);
		return NULL;
	}
	atomic_fetch_add(&f->opens, 1);
	return f;
}

static int
fake_apply(void *h, const struct tuner_plan *p, char *why, size_t n)
{
	struct fake *f = h;
	int k;

	if (atomic_load(&f->apply_fail) > 0) {
		atomic_fetch_sub(&f->apply_fail, 1);
		snprintf(why, n, "fake apply failure");
		return -1;
	}
	k = atomic_fetch_add(&f->applies, 1);
	if (k < MAX_STAMPS)
		f->apply_ms[k] = util_now_ms();
	tuner_plan_prop(p, DTV_FREQUENCY, &f->last_if);
	atomic_store(&f->poll_in_tune, 0);
	return 0;
}

static int
fake_status(void *h, struct tuner_status *st)
{
	struct fake *f = h;
	int poll = atomic_fetch_add(&f->poll_in_tune, 1) + 1;

	atomic_fetch_add(&f->polls, 1);
	if (atomic_load(&f->status_fail))
		return -1;
	memset(st, 0, sizeof(*st));
	st->lock = f->lock != NULL && f->lock(atomic_load(&f->applies), poll);
	st->have_signal = 1;
	st->signal_dbm = 1;
	st->signal = -50.5;
	st->have_cnr = 1;
	st->cnr_db = 11.25;
	st->have_ucb = 1;
	st->ucb = (uint64_t)poll;
	return 0;
}

static void
fake_close(void *h)
{
	struct fake *f = h;

	atomic_fetch_add(&f->closes, 1);
}

static const struct tuner_ops fake_ops = {
	fake_open, fake_apply, fake_status, fake_close
};

static int
lock_after_3(int tune, int poll)
{
	(void)tune;
	return poll >= 3;
}

static int
never(int tune, int poll)
{
	(void)tune;
	(void)poll;
	return 0;
}

/* Tune 1 locks for polls 2..8 only; later tunes lock from poll 2 on. */
static int
lose_once(int tune, int poll)
{
	if (tune == 1)
		return poll >= 2 && poll <= 8;
	return poll >= 2;
}

/* Locked from poll 2, except a two-poll drop-out well under lost_ms. */
static int
dropout(int tune, int poll)
{
	(void)tune;
	return poll >= 2 && poll != 6 && poll != 7;
}

static int
lock_at_once(int tune, int poll)
{
	(void)tune;
	(void)poll;
	return 1;
}

static void
fake_reset(void)
{
	int i;

	for (i = 0; i < NFAKE; i++) {
		memset(&fakes[i], 0, sizeof(fakes[i]));
		atomic_init(&fakes[i].open_fail, 0);
	}
}

/* 11141 MHz H on a universal LNB, with millisecond timing. */
static void
fast_conf(struct tuner_conf *c, int adapter)
{
	tuner_conf_default(c);
	c->adapter = adapter;
	c->freq_khz = 11141000;
	c->pol = 'H';
	c->symbol_rate = 23500000;
	c->poll_ms = 5;
	c->lock_timeout_ms = 40;
	c->lost_ms = 50;
	c->backoff_min_ms = 10;
	c->backoff_max_ms = 80;
}

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { 0, (long)ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* Polls the snapshot until pred holds; 1 if it did within WAIT_MS. */
static int
wait_until(struct tuner *t, int (*pred)(const struct tuner_status_snapshot *,
    const void *), const void *arg, struct tuner_status_snapshot *s)
{
	uint64_t end = util_now_ms() + WAIT_MS;

	while (util_now_ms() < end) {
		if (tuner_get_status(t, s) == 0 && pred(s, arg))
			return 1;
		sleep_ms(1);
	}
	return 0;
}

static int
is_state(const struct tuner_status_snapshot *s, const void *arg)
{
	return s->state == *(const enum tuner_state *)arg;
}

static int
tunes_at_least(const struct tuner_status_snapshot *s, const void *arg)
{
	return s->tunes_total >= *(const uint64_t *)arg;
}

static int
relocked_after_loss(const struct tuner_status_snapshot *s, const void *arg)
{
	(void)arg;
	return s->lock_losses_total >= 1 && s->state == TUNER_LOCKED;
}

static int
opens_tried(const struct tuner_status_snapshot *s, const void *arg)
{
	return s->open_failures_total >= *(const uint64_t *)arg;
}

/* Waits until a fake counter reaches n; 1 if it did within WAIT_MS. */
static int
wait_count(_Atomic int *v, int n)
{
	uint64_t end = util_now_ms() + WAIT_MS;

	while (util_now_ms() < end) {
		if (atomic_load(v) >= n)
			return 1;
		sleep_ms(1);
	}
	return 0;
}

/* stamps[k + 1] - stamps[k] >= base + min(bmin << k, bmax), k < n. */
static void
check_gaps(const uint64_t *stamps, int n, uint32_t base, uint32_t bmin,
    uint32_t bmax)
{
	uint32_t b = bmin;
	int k;

	for (k = 0; k < n; k++) {
		uint64_t gap = stamps[k + 1] - stamps[k];

		/* Stamps are truncated to whole ms: allow 1 ms. */
		if (gap + 1 < base + b)
			fprintf(stderr, "gap %d: %llu ms < %u ms\n", k,
			    (unsigned long long)gap, base + b);
		CHECK(gap + 1 >= base + b);
		b = b * 2 > bmax ? bmax : b * 2;
	}
}

static void
test_lock_after_polls(void)
{
	enum tuner_state want = TUNER_LOCKED;
	struct tuner_status_snapshot s;
	struct tuner_conf c;
	struct tuner *t;

	fake_reset();
	fakes[0].lock = lock_after_3;
	fast_conf(&c, 0);
	REQUIRE((t = tuner_start(&c, &fake_ops)) != NULL);
	CHECK(wait_until(t, is_state, &want, &s));
	CHECK(s.st.lock);
	CHECK_EQ_U(s.tunes_total, 1);
	CHECK_EQ_U(s.lock_losses_total, 0);
	CHECK_EQ_U(s.open_failures_total, 0);
	CHECK_EQ_U(s.backoff_ms, 10);
	CHECK_EQ_U(s.if_khz, 1391000);
	CHECK(s.st.have_signal && s.st.signal_dbm && s.st.signal == -50.5);
	CHECK(s.st.have_cnr && s.st.cnr_db == 11.25);
	CHECK(s.st.have_ucb && s.st.ucb >= 3);	/* locked on poll 3 */
	CHECK(s.last_change_ms > 0 && s.last_change_unix > 0);
	CHECK(strcmp(tuner_state_name(s.state), "locked") == 0);
	tuner_stop(t);
	CHECK_EQ_U(atomic_load(&fakes[0].opens), 1);
	CHECK_EQ_U(atomic_load(&fakes[0].closes), 1);
	CHECK_EQ_U(atomic_load(&fakes[0].applies), 1);
	CHECK_EQ_U(fakes[0].last_if, 1391000);
}

/* No lock: a retune per lock_timeout, back-off 10, 20, 40, 80, 80 ms. */
static void
test_no_lock_backoff(void)
{
	struct tuner_status_snapshot s;
	struct tuner_conf c;
	struct tuner *t;
	uint64_t n = 6;
	int applies;

	fake_reset();
	fakes[0].lock = never;
	fast_conf(&c, 0);
	REQUIRE((t = tuner_start(&c, &fake_ops)) != NULL);
	CHECK(wait_until(t, tunes_at_least, &n, &s));
	CHECK(s.state == TUNER_TUNING);
	CHECK(!s.st.lock);
	CHECK_EQ_U(s.backoff_ms, 80);
	CHECK_EQ_U(s.lock_losses_total, 0);
	tuner_stop(t);
	applies = atomic_load(&fakes[0].applies);
	CHECK(applies >= 6);
	/* Timeouts retune on the open handle: one open, closed at stop. */
	CHECK_EQ_U(atomic_load(&fakes[0].opens), 1);
	CHECK_EQ_U(atomic_load(&fakes[0].closes), 1);
	check_gaps(fakes[0].apply_ms, 5, 40, 10, 80);
}

/* Lock, then none for > lost_ms: counted once, retuned, locked again. */
static void
test_loss_of_lock(void)
{
	struct tuner_status_snapshot s;
	struct tuner_conf c;
	struct tuner *t;

	fake_reset();
	fakes[0].lock = lose_once;
	fast_conf(&c, 0);
	REQUIRE((t = tuner_start(&c, &fake_ops)) != NULL);
	CHECK(wait_until(t, relocked_after_loss, NULL, &s));
	CHECK_EQ_U(s.lock_losses_total, 1);
	CHECK_EQ_U(s.tunes_total, 2);
	CHECK_EQ_U(s.backoff_ms, 10);
	CHECK(s.st.lock);
	tuner_stop(t);
	CHECK_EQ_U(atomic_load(&fakes[0].opens), 1);
	/* The retune came after lost_ms (50) and the back-off (10). */
	check_gaps(fakes[0].apply_ms, 1, 50, 10, 10);
}

/* A drop-out shorter than lost_ms is not a loss. */
static void
test_short_dropout(void)
{
	struct tuner_status_snapshot s;
	struct tuner_conf c;
	struct tuner *t;

	fake_reset();
	fakes[0].lock = dropout;
	fast_conf(&c, 0);
	c.lost_ms = 300;
	REQUIRE((t = tuner_start(&c, &fake_ops)) != NULL);
	CHECK(wait_count(&fakes[0].polls, 20));
	REQUIRE(tuner_get_status(t, &s) == 0);
	tuner_stop(t);
	CHECK(s.state == TUNER_LOCKED);
	CHECK_EQ_U(s.lock_losses_total, 0);
	CHECK_EQ_U(s.tunes_total, 1);
}

/* No device: no_device state, retries with back-off, then it appears. */
static void
test_open_failure_retries(void)
{
	enum tuner_state want = TUNER_LOCKED;
	struct tuner_status_snapshot s;
	struct tuner_conf c;
	struct tuner *t;
	uint64_t n = 4;

	fake_reset();
	fakes[0].lock = lock_at_once;
	atomic_store(&fakes[0].open_fail, -1);	/* until we say so */
	fast_conf(&c, 0);
	REQUIRE((t = tuner_start(&c, &fake_ops)) != NULL);
	CHECK(wait_until(t, opens_tried, &n, &s));
	CHECK(s.state == TUNER_NO_DEVICE);
	CHECK(strcmp(tuner_state_name(s.state), "no_device") == 0);
	CHECK_EQ_U(s.tunes_total, 0);
	atomic_store(&fakes[0].open_fail, 0);
	CHECK(wait_until(t, is_state, &want, &s));
	CHECK_EQ_U(s.tunes_total, 1);
	CHECK_EQ_U(s.backoff_ms, 10);
	tuner_stop(t);
	CHECK(s.open_failures_total >= 4);
	CHECK_EQ_U(s.open_failures_total + 1,
	    atomic_load(&fakes[0].open_calls));
	CHECK_EQ_U(atomic_load(&fakes[0].opens), 1);
	CHECK_EQ_U(atomic_load(&fakes[0].closes), 1);
	check_gaps(fakes[0].open_ms, 4, 0, 10, 80);
}

/* A failed apply closes the handle and reopens; nothing leaks. */
static void
test_apply_failure_reopens(void)
{
	enum tuner_state want = TUNER_LOCKED;
	struct tuner_status_snapshot s;
	struct tuner_conf c;
	struct tuner *t;

	fake_reset();
	fakes[0].lock = lock_at_once;
	atomic_store(&fakes[0].apply_fail, 2);
	fast_conf(&c, 0);
	REQUIRE((t = tuner_start(&c, &fake_ops)) != NULL);
	CHECK(wait_until(t, is_state, &want, &s));
	CHECK_EQ_U(s.tunes_total, 1);
	tuner_stop(t);
	CHECK_EQ_U(atomic_load(&fakes[0].opens), 3);
	CHECK_EQ_U(atomic_load(&fakes[0].closes), 3);
	CHECK_EQ_U(atomic_load(&fakes[0].applies), 1);
}

/* A status read that fails counts as no lock: timeouts and retunes. */
static void
test_status_failure(void)
{
	struct tuner_status_snapshot s;
	struct tuner_conf c;
	struct tuner *t;
	uint64_t n = 3;

	fake_reset();
	fakes[0].lock = lock_at_once;
	atomic_store(&fakes[0].status_fail, 1);
	fast_conf(&c, 0);
	REQUIRE((t = tuner_start(&c, &fake_ops)) != NULL);
	CHECK(wait_until(t, tunes_at_least, &n, &s));
	CHECK(s.state == TUNER_TUNING);
	CHECK(!s.st.lock);
	tuner_stop(t);
	CHECK_EQ_U(atomic_load(&fakes[0].opens), 1);
}

static uint64_t
stop_ms(struct tuner *t)
{
	uint64_t t0 = util_now_ms();

	tuner_stop(t);
	return util_now_ms() - t0;
}

/* tuner_stop interrupts a 10 s back-off and a 500 ms poll at once. */
static void
test_stop_is_prompt(void)
{
	enum tuner_state tuning = TUNER_TUNING;
	struct tuner_status_snapshot s;
	struct tuner_conf c;
	struct tuner *t;
	uint64_t one = 1, ms;

	fake_reset();
	atomic_store(&fakes[0].open_fail, -1);
	fast_conf(&c, 0);
	c.backoff_min_ms = 10000;
	c.backoff_max_ms = 30000;
	REQUIRE((t = tuner_start(&c, &fake_ops)) != NULL);
	CHECK(wait_until(t, opens_tried, &one, &s));
	ms = stop_ms(t);
	CHECK(ms < 1000);
	CHECK_EQ_U(atomic_load(&fakes[0].open_calls), 1);

	fake_reset();
	fakes[0].lock = never;
	fast_conf(&c, 0);
	c.poll_ms = 500;
	c.lock_timeout_ms = 10000;
	REQUIRE((t = tuner_start(&c, &fake_ops)) != NULL);
	CHECK(wait_until(t, is_state, &tuning, &s));
	ms = stop_ms(t);
	CHECK(ms < 1000);
	CHECK_EQ_U(atomic_load(&fakes[0].closes), 1);
}

/* Two tuners run side by side, each with its own device and script. */
static void
test_two_tuners(void)
{
	enum tuner_state want = TUNER_LOCKED;
	struct tuner_status_snapshot s0, s1;
	struct tuner_conf c0, c1;
	struct tuner *t0, *t1;
	uint64_t n = 3;

	fake_reset();
	fakes[0].lock = lock_after_3;
	fakes[1].lock = never;
	fast_conf(&c0, 0);
	fast_conf(&c1, 1);
	c1.freq_khz = 12441000;
	c1.pol = 'V';
	REQUIRE((t0 = tuner_start(&c0, &fake_ops)) != NULL);
	REQUIRE((t1 = tuner_start(&c1, &fake_ops)) != NULL);
	CHECK(wait_until(t0, is_state, &want, &s0));
	CHECK(wait_until(t1, tunes_at_least, &n, &s1));
	REQUIRE(tuner_get_status(t0, &s0) == 0);
	tuner_stop(t1);
	tuner_stop(t0);
	CHECK_EQ_U(s0.tunes_total, 1);
	CHECK(s1.state == TUNER_TUNING);
	CHECK_EQ_U(s1.if_khz, 1841000);
	CHECK_EQ_U(fakes[0].last_if, 1391000);
	CHECK_EQ_U(fakes[1].last_if, 1841000);
	CHECK_EQ_U(atomic_load(&fakes[0].applies), 1);
	CHECK(atomic_load(&fakes[1].applies) >= 3);
}

static void
test_start_refuses(void)
{
	static const struct tuner_ops half = { fake_open, NULL, NULL, NULL };
	struct tuner_status_snapshot s;
	struct tuner_conf c;
	char why[64];

	fake_reset();
	fast_conf(&c, 0);
	c.freq_khz = 13000000;		/* IF 2400 MHz */
	CHECK(tuner_start(&c, &fake_ops) == NULL);
	fast_conf(&c, 0);
	CHECK(tuner_start(&c, NULL) == NULL);
	CHECK(tuner_start(&c, &half) == NULL);
	CHECK(tuner_start(NULL, &fake_ops) == NULL);
	CHECK_EQ_U(atomic_load(&fakes[0].open_calls), 0);
	tuner_stop(NULL);
	CHECK(tuner_get_status(NULL, &s) < 0);
	CHECK(strcmp(tuner_state_name(TUNER_OPENING), "opening") == 0);
	CHECK(strcmp(tuner_state_name(TUNER_LOST), "lost") == 0);
	CHECK(strcmp(tuner_state_name(TUNER_WAITING), "waiting") == 0);
	CHECK(tuner_retarget(NULL, &c, why, sizeof(why)) < 0);
}

static int
locked_on(const struct tuner_status_snapshot *s, const void *arg)
{
	return s->state == TUNER_LOCKED &&
	    s->freq_khz == *(const uint32_t *)arg;
}

static int
backing_off(const struct tuner_status_snapshot *s, const void *arg)
{
	return s->tunes_total >= 1 && s->backoff_ms >= *(const uint32_t *)arg;
}

/* A tuner without a frequency waits; each retarget tunes at once. */
static void
test_wait_and_retarget(void)
{
	enum tuner_state waiting = TUNER_WAITING;
	struct tuner_status_snapshot s;
	struct tuner_conf c, d;
	struct tuner *t;
	char why[256] = "";
	uint32_t f1 = 11141000, f2 = 12603000;

	fake_reset();
	fakes[0].lock = lock_at_once;
	fast_conf(&c, 0);
	c.freq_khz = 0;
	REQUIRE((t = tuner_start(&c, &fake_ops)) != NULL);
	CHECK(wait_until(t, is_state, &waiting, &s));
	CHECK_EQ_U(s.freq_khz, 0);
	CHECK_EQ_U(atomic_load(&fakes[0].open_calls), 0);
	fast_conf(&d, 3);		/* its adapter is not taken */
	REQUIRE(tuner_retarget(t, &d, why, sizeof(why)) == 0);
	CHECK(wait_until(t, locked_on, &f1, &s));
	CHECK_EQ_U(fakes[0].last_if, 1391000);
	d.freq_khz = f2;		/* high band: IF 2003 MHz */
	d.pol = 'V';
	REQUIRE(tuner_retarget(t, &d, why, sizeof(why)) == 0);
	CHECK(wait_until(t, locked_on, &f2, &s));
	CHECK_EQ_U(fakes[0].last_if, 2003000);
	CHECK(s.pol == 'V' && s.if_khz == 2003000);
	CHECK_EQ_U(s.tunes_total, 2);
	CHECK_EQ_U(s.retargets_total, 2);
	/* Retuned on the open handle. */
	CHECK_EQ_U(atomic_load(&fakes[0].opens), 1);
	CHECK_EQ_U(atomic_load(&fakes[0].closes), 0);
	d.freq_khz = 13000000;		/* IF 2400 MHz: refused, no change */
	CHECK(tuner_retarget(t, &d, why, sizeof(why)) < 0);
	CHECK(strstr(why, "IF") != NULL);
	REQUIRE(tuner_get_status(t, &s) == 0);
	CHECK_EQ_U(s.retargets_total, 2);
	CHECK(stop_ms(t) < 1000);
	CHECK_EQ_U(atomic_load(&fakes[0].closes), 1);
}

/* A retarget cuts a long back-off short; stop while waiting is prompt. */
static void
test_retarget_cuts_backoff(void)
{
	enum tuner_state waiting = TUNER_WAITING;
	struct tuner_status_snapshot s;
	struct tuner_conf c;
	struct tuner *t;
	char why[256] = "";
	uint32_t backoff = 120000, f2 = 12603000;
	uint64_t two = 2;

	fake_reset();
	fakes[1].lock = never;
	fast_conf(&c, 1);
	c.backoff_min_ms = 60000;
	c.backoff_max_ms = 120000;
	REQUIRE((t = tuner_start(&c, &fake_ops)) != NULL);
	CHECK(wait_until(t, backing_off, &backoff, &s));
	c.freq_khz = f2;
	c.pol = 'V';
	REQUIRE(tuner_retarget(t, &c, why, sizeof(why)) == 0);
	CHECK(wait_until(t, tunes_at_least, &two, &s));
	CHECK_EQ_U(s.freq_khz, f2);
	CHECK(stop_ms(t) < 1000);

	fake_reset();
	fast_conf(&c, 0);
	c.freq_khz = 0;
	REQUIRE((t = tuner_start(&c, &fake_ops)) != NULL);
	CHECK(wait_until(t, is_state, &waiting, &s));
	CHECK(stop_ms(t) < 1000);
	CHECK_EQ_U(atomic_load(&fakes[0].open_calls), 0);
}

/* The real backend on an adapter that does not exist: never fatal. */
static void
test_dvbv5_without_device(void)
{
	const struct tuner_ops *ops = tuner_ops_dvbv5();
	struct tuner_status_snapshot s;
	struct tuner_conf c;
	struct tuner *t;
	char why[256] = "";
	uint64_t two = 2, ms;

	REQUIRE(ops != NULL && ops->open && ops->apply && ops->status &&
	    ops->close);
	CHECK(ops->open(250, 0, why, sizeof(why)) == NULL);
	CHECK(strstr(why, "/dev/dvb/adapter250/frontend0") != NULL);
	errno = 0;
	CHECK(tuner_demux_open(250, 0) == -1);
	CHECK(errno == ENOENT);
	errno = 0;
	CHECK(tuner_demux_open(250, 0x2001) == -1);
	CHECK(errno == EINVAL);

	fast_conf(&c, 250);
	REQUIRE((t = tuner_start(&c, ops)) != NULL);
	CHECK(wait_until(t, opens_tried, &two, &s));
	CHECK(s.state == TUNER_NO_DEVICE);
	ms = stop_ms(t);
	CHECK(ms < 1000);
}

TEST_MAIN(TEST(test_lock_after_polls), TEST(test_no_lock_backoff),
    TEST(test_loss_of_lock), TEST(test_short_dropout),
    TEST(test_open_failure_retries), TEST(test_apply_failure_reopens),
    TEST(test_status_failure), TEST(test_stop_is_prompt),
    TEST(test_two_tuners), TEST(test_start_refuses),
    TEST(test_wait_and_retarget), TEST(test_retarget_cuts_backoff),
    TEST(test_dvbv5_without_device))
