/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tuner.c: one thread per tuner.  It opens the frontend through
 * struct tuner_ops, applies the plan, polls the status every poll_ms and
 * declares lock; without lock after lock_timeout_ms, or when a lock is
 * gone for more than lost_ms, it retunes after an exponential back-off
 * (backoff_min_ms doubling to backoff_max_ms, reset by a lock).  A
 * missing device or a failed apply closes the handle and reopens after
 * the same back-off.  Nothing here is fatal.  A tuner without a
 * frequency waits (TUNER_WAITING) until tuner_retarget hands it one, from
 * the NIF; a retarget at any time retunes at once.
 *
 * Locking: t->mtx covers stop, next and snap.  It is held to copy them
 * and inside the timed waits, never across an ops call.  conf and plan
 * belong to the thread once it runs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "tuner.h"
#include "util.h"

struct tuner {
	struct tuner_conf	conf;
	struct tuner_plan	plan;
	const struct tuner_ops	*ops;
	char			name[40];	/* "adapter0/frontend0" */
	pthread_t		thread;
	pthread_mutex_t		mtx;
	pthread_cond_t		cond;
	int			stop;		/* mtx */
	int			has_next;	/* mtx: next is waiting */
	struct tuner_conf	next;		/* mtx: from tuner_retarget */
	struct tuner_plan	next_plan;	/* mtx */
	struct tuner_status_snapshot snap;	/* mtx */
};

/* Why a wait ended. */
enum tuner_wake {
	WAKE_TIME,
	WAKE_STOP,
	WAKE_RETARGET
};

/* How the watch of one tune ended. */
enum tuner_watch {
	WATCH_STOP,
	WATCH_RETUNE,
	WATCH_RETARGET
};

/* The thread's own running state; never shared. */
struct tuner_run {
	void		*h;		/* the open handle, or NULL */
	enum tuner_state state;
	uint32_t	backoff;	/* the next retry delay */
	unsigned	streak;		/* failures since a lock */
	int		capped_said;	/* streak reached backoff_max */
	int		planned;	/* conf has a delivery and plan */
};

const char *
tuner_state_name(enum tuner_state s)
{
	switch (s) {
	case TUNER_OPENING:
		return "opening";
	case TUNER_TUNING:
		return "tuning";
	case TUNER_LOCKED:
		return "locked";
	case TUNER_LOST:
		return "lost";
	case TUNER_NO_DEVICE:
		return "no_device";
	case TUNER_WAITING:
		return "waiting";
	}
	return "unknown";
}

/* Copies r's state and back-off (and st, if given) into the snapshot. */
static void
tuner_publish(struct tuner *t, const struct tuner_run *r,
    const struct tuner_status *st)
{
	uint64_t now = util_now_ms();
	int64_t wall = util_wall_s();

	pthread_mutex_lock(&t->mtx);
	if (t->snap.state != r->state) {
		t->snap.state = r->state;
		t->snap.last_change_ms = now;
		t->snap.last_change_unix = wall;
	}
	if (st != NULL)
		t->snap.st = *st;
	t->snap.backoff_ms = r->backoff;
	pthread_mutex_unlock(&t->mtx);
}

/* Adds to the counters. */
static void
tuner_count(struct tuner *t, unsigned tunes, unsigned losses, unsigned opens)
{
	pthread_mutex_lock(&t->mtx);
	t->snap.tunes_total += tunes;
	t->snap.lock_losses_total += losses;
	t->snap.open_failures_total += opens;
	pthread_mutex_unlock(&t->mtx);
}

/* Waits ms, or less if tuner_stop or tuner_retarget is called. */
static enum tuner_wake
tuner_wait(struct tuner *t, uint32_t ms)
{
	struct timespec ts;
	enum tuner_wake w;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&t->mtx);
	/* 0 is a wake-up (stop, retarget or spurious): check them again. */
	while (!t->stop && !t->has_next &&
	    pthread_cond_timedwait(&t->cond, &t->mtx, &ts) == 0)
		;
	w = t->stop ? WAKE_STOP : t->has_next ? WAKE_RETARGET : WAKE_TIME;
	pthread_mutex_unlock(&t->mtx);
	return w;
}

/* Waits the current back-off and doubles it. */
static enum tuner_wake
tuner_backoff(struct tuner *t, struct tuner_run *r)
{
	uint32_t ms = r->backoff;

	r->backoff = ms > t->conf.backoff_max_ms / 2 ?
	    t->conf.backoff_max_ms : ms * 2;
	r->streak++;
	tuner_publish(t, r, NULL);
	return tuner_wait(t, ms);
}

/*
 * Logs one failure.  Only the first of a streak and the one where the
 * back-off reaches its maximum are warnings (rate limited across
 * tuners), so a tuner without a dish or device logs two lines, not one
 * every half minute for ever; the rest go to debug.
 */
static void
tuner_fail(struct tuner *t, struct tuner_run *r, const char *what,
    const char *why)
{
	if (r->streak == 0) {
		log_warnx_rl("tuner %s: %s: %s; retrying in %u ms", t->name,
		    what, why, r->backoff);
	} else if (r->backoff >= t->conf.backoff_max_ms && !r->capped_said) {
		log_warnx_rl("tuner %s: %s: %s (%u failures in a row); "
		    "retrying every %u ms", t->name, what, why, r->streak + 1,
		    r->backoff);
		r->capped_said = 1;
	} else {
		log_debug("tuner %s: %s: %s; retrying in %u ms", t->name, what,
		    why, r->backoff);
	}
}

static int
tuner_open(struct tuner *t, struct tuner_run *r)
{
	char why[256] = "unknown error";

	r->h = t->ops->open(t->conf.adapter, t->conf.frontend, why,
	    sizeof(why));
	if (r->h != NULL)
		return 0;
	tuner_count(t, 0, 0, 1);
	r->state = TUNER_NO_DEVICE;
	tuner_publish(t, r, NULL);
	tuner_fail(t, r, "cannot open", why);
	return -1;
}

/* Applies the plan; on failure the handle is closed for a reopen. */
static int
tuner_tune(struct tuner *t, struct tuner_run *r)
{
	char why[256] = "unknown error";

	if (t->ops->apply(r->h, &t->plan, why, sizeof(why)) == 0) {
		tuner_count(t, 1, 0, 0);
		r->state = TUNER_TUNING;
		tuner_publish(t, r, NULL);
		return 0;
	}
	tuner_fail(t, r, "cannot tune", why);
	t->ops->close(r->h);
	r->h = NULL;
	return -1;
}

/* ", signal -45.2 dBm, C/N 12.3 dB" for what the reading has. */
static void
tuner_fmt_status(const struct tuner_status *st, char *buf, size_t n)
{
	int k = 0;

	buf[0] = '\0';
	if (st->have_signal)
		k = snprintf(buf, n, ", signal %.1f %s", st->signal,
		    st->signal_dbm ? "dBm" : "%");
	if (st->have_cnr && k >= 0 && (size_t)k < n)
		snprintf(buf + k, n - (size_t)k, ", C/N %.1f dB", st->cnr_db);
}

static void
tuner_locked(struct tuner *t, struct tuner_run *r,
    const struct tuner_status *st, uint64_t took_ms)
{
	char s[96];

	r->backoff = t->conf.backoff_min_ms;
	r->streak = 0;
	r->capped_said = 0;
	r->state = TUNER_LOCKED;
	tuner_publish(t, r, st);
	tuner_fmt_status(st, s, sizeof(s));
	log_info("tuner %s: locked on %u.%03u MHz %c (IF %u.%03u MHz) after "
	    "%llu ms%s", t->name, t->conf.freq_khz / 1000,
	    t->conf.freq_khz % 1000, t->conf.pol, t->plan.if_khz / 1000,
	    t->plan.if_khz % 1000, (unsigned long long)took_ms, s);
}

/* One status reading; a failed one counts as no lock. */
static void
tuner_poll(struct tuner *t, struct tuner_run *r, struct tuner_status *st)
{
	memset(st, 0, sizeof(*st));
	if (t->ops->status(r->h, st) < 0) {
		memset(st, 0, sizeof(*st));
		log_debug("tuner %s: status read failed", t->name);
	}
}

/*
 * Polls one tune until it must be redone: no lock within
 * lock_timeout_ms, or a lock gone for more than lost_ms (logged once,
 * counted in lock_losses_total).
 */
static enum tuner_watch
tuner_watch(struct tuner *t, struct tuner_run *r)
{
	uint64_t start = util_now_ms(), last_lock = 0, now;
	struct tuner_status st;
	char why[64];

	for (;;) {
		switch (tuner_wait(t, t->conf.poll_ms)) {
		case WAKE_STOP:
			return WATCH_STOP;
		case WAKE_RETARGET:
			return WATCH_RETARGET;
		case WAKE_TIME:
			break;
		}
		tuner_poll(t, r, &st);
		now = util_now_ms();
		if (st.lock) {
			last_lock = now;
			if (r->state != TUNER_LOCKED)
				tuner_locked(t, r, &st, now - start);
		} else if (r->state == TUNER_LOCKED) {
			if (now - last_lock > t->conf.lost_ms)
				break;
		} else if (now - start >= t->conf.lock_timeout_ms) {
			tuner_publish(t, r, &st);
			snprintf(why, sizeof(why), "timed out after %u ms",
			    t->conf.lock_timeout_ms);
			tuner_fail(t, r, "no lock", why);
			return WATCH_RETUNE;
		}
		tuner_publish(t, r, &st);
	}
	r->state = TUNER_LOST;
	tuner_publish(t, r, &st);
	tuner_count(t, 0, 1, 0);
	log_warnx("tuner %s: lock lost on %u.%03u MHz %c (none for %llu ms); "
	    "retuning", t->name, t->conf.freq_khz / 1000,
	    t->conf.freq_khz % 1000, t->conf.pol,
	    (unsigned long long)(now - last_lock));
	return WATCH_RETUNE;
}

/*
 * Takes the delivery tuner_retarget left, if any: the new conf and plan,
 * the back-off reset.  1 if there was one.
 */
static int
tuner_take_next(struct tuner *t, struct tuner_run *r)
{
	enum tuner_state st = r->state;
	int took;

	/* Not locked on the new delivery yet: the snapshot never says so. */
	if (st == TUNER_WAITING)
		st = TUNER_OPENING;
	else if (st == TUNER_LOCKED || st == TUNER_LOST)
		st = r->h != NULL ? TUNER_TUNING : TUNER_OPENING;
	pthread_mutex_lock(&t->mtx);
	if ((took = t->has_next)) {
		t->conf = t->next;
		t->plan = t->next_plan;
		t->has_next = 0;
		t->snap.if_khz = t->plan.if_khz;
		t->snap.freq_khz = t->conf.freq_khz;
		t->snap.pol = t->conf.pol;
		t->snap.symbol_rate = t->conf.symbol_rate;
		if (t->snap.state != st) {
			t->snap.state = st;
			t->snap.last_change_ms = util_now_ms();
			t->snap.last_change_unix = util_wall_s();
		}
	}
	pthread_mutex_unlock(&t->mtx);
	if (took) {
		r->backoff = t->conf.backoff_min_ms;
		r->streak = 0;
		r->capped_said = 0;
		r->planned = 1;
		r->state = st;
	}
	return took;
}

/* One step without a plan: wait for a retarget.  1 when stopping. */
static int
tuner_idle(struct tuner *t, struct tuner_run *r)
{
	r->state = TUNER_WAITING;
	tuner_publish(t, r, NULL);
	if (tuner_wait(t, 60000) == WAKE_STOP)
		return 1;
	tuner_take_next(t, r);
	return 0;
}

/* One open, tune and watch; 1 when stopping. */
static int
tuner_step(struct tuner *t, struct tuner_run *r)
{
	enum tuner_watch w = WATCH_RETUNE;

	tuner_take_next(t, r);
	if (r->h == NULL && tuner_open(t, r) < 0)
		goto backoff;
	if (tuner_tune(t, r) < 0)
		goto backoff;
	if ((w = tuner_watch(t, r)) == WATCH_STOP)
		return 1;
	if (w == WATCH_RETARGET)
		return 0;
backoff:
	/* A retarget during the back-off is taken by the next step. */
	return tuner_backoff(t, r) == WAKE_STOP;
}

static void *
tuner_main(void *arg)
{
	struct tuner *t = arg;
	struct tuner_run r;
	int stop = 0;

	memset(&r, 0, sizeof(r));
	r.state = t->conf.freq_khz != 0 ? TUNER_OPENING : TUNER_WAITING;
	r.planned = t->conf.freq_khz != 0;
	r.backoff = t->conf.backoff_min_ms;
	while (!stop)
		stop = r.planned ? tuner_step(t, &r) : tuner_idle(t, &r);
	if (r.h != NULL)
		t->ops->close(r.h);
	return NULL;
}

/* Zero timing fields take the defaults; the back-off range is ordered. */
static void
tuner_conf_fix(struct tuner_conf *c)
{
	if (c->lock_timeout_ms == 0)
		c->lock_timeout_ms = TUNER_LOCK_TIMEOUT_MS;
	if (c->poll_ms == 0)
		c->poll_ms = TUNER_POLL_MS;
	if (c->lost_ms == 0)
		c->lost_ms = TUNER_LOST_MS;
	if (c->backoff_min_ms == 0)
		c->backoff_min_ms = TUNER_BACKOFF_MIN_MS;
	if (c->backoff_max_ms < c->backoff_min_ms)
		c->backoff_max_ms = c->backoff_min_ms;
}

static int
tuner_sync_init(struct tuner *t)
{
	pthread_condattr_t ca;
	int r;

	if (pthread_mutex_init(&t->mtx, NULL) != 0)
		return -1;
	r = pthread_condattr_init(&ca) == 0 &&
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
	    pthread_cond_init(&t->cond, &ca) == 0;
	pthread_condattr_destroy(&ca);
	if (!r) {
		pthread_mutex_destroy(&t->mtx);
		return -1;
	}
	return 0;
}

static void
tuner_log_plan(const char *name, const char *what, const struct tuner_conf *c,
    const struct tuner_plan *p)
{
	log_info("tuner %s: %s %u.%03u MHz %c, %u sym/s, LO %u.%03u MHz, IF "
	    "%u.%03u MHz, %s band, DiSEqC port %d", name, what,
	    c->freq_khz / 1000, c->freq_khz % 1000, c->pol, c->symbol_rate,
	    p->lo_khz / 1000, p->lo_khz % 1000, p->if_khz / 1000,
	    p->if_khz % 1000, p->band ? "high" : "low", c->diseqc_port);
}

struct tuner *
tuner_start(const struct tuner_conf *c, const struct tuner_ops *ops)
{
	struct tuner *t;
	char why[256], thr[16];

	if (c == NULL || ops == NULL || ops->open == NULL ||
	    ops->apply == NULL || ops->status == NULL || ops->close == NULL) {
		log_warnx("tuner: no configuration or backend");
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		log_warn("tuner: calloc");
		return NULL;
	}
	t->conf = *c;
	t->ops = ops;
	tuner_conf_fix(&t->conf);
	snprintf(t->name, sizeof(t->name), "adapter%d/frontend%d", c->adapter,
	    c->frontend);
	if (t->conf.freq_khz != 0 &&
	    tuner_plan_make(&t->conf, &t->plan, why, sizeof(why)) < 0) {
		log_warnx("tuner %s: %s", t->name, why);
		goto out_free;
	}
	if (tuner_sync_init(t) < 0) {
		log_warnx("tuner %s: cannot initialise its lock", t->name);
		goto out_free;
	}
	t->snap.state = t->conf.freq_khz != 0 ? TUNER_OPENING : TUNER_WAITING;
	t->snap.if_khz = t->plan.if_khz;
	t->snap.freq_khz = t->conf.freq_khz;
	t->snap.pol = t->conf.pol;
	t->snap.symbol_rate = t->conf.symbol_rate;
	t->snap.backoff_ms = t->conf.backoff_min_ms;
	t->snap.last_change_ms = util_now_ms();
	t->snap.last_change_unix = util_wall_s();
	if ((errno = pthread_create(&t->thread, NULL, tuner_main, t)) != 0) {
		log_warn("tuner %s: pthread_create", t->name);
		goto out_sync;
	}
	snprintf(thr, sizeof(thr), "tuner%d:%d", c->adapter, c->frontend);
	pthread_setname_np(t->thread, thr);
	if (t->conf.freq_khz != 0)
		tuner_log_plan(t->name, "tuning", &t->conf, &t->plan);
	else
		log_info("tuner %s: no frequency configured: waiting for the "
		    "NIF (in-band, cached or [nip] nif)", t->name);
	return t;
out_sync:
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->mtx);
out_free:
	free(t);
	return NULL;
}

int
tuner_retarget(struct tuner *t, const struct tuner_conf *c, char *why,
    size_t n)
{
	struct tuner_conf k;
	struct tuner_plan p;

	if (t == NULL || c == NULL) {
		snprintf(why, n, "no tuner");
		return -1;
	}
	/* The delivery from c; the device, LNB and timing stay the tuner's. */
	pthread_mutex_lock(&t->mtx);
	k = t->has_next ? t->next : t->conf;
	pthread_mutex_unlock(&t->mtx);
	tuner_conf_set_delivery(&k, c);
	if (tuner_plan_make(&k, &p, why, n) < 0)
		return -1;
	pthread_mutex_lock(&t->mtx);
	t->next = k;
	t->next_plan = p;
	t->has_next = 1;
	t->snap.retargets_total++;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->mtx);
	tuner_log_plan(t->name, "retuning to", &k, &p);
	return 0;
}

void
tuner_stop(struct tuner *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&t->mtx);
	t->stop = 1;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->mtx);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->mtx);
	free(t);
}

int
tuner_get_status(struct tuner *t, struct tuner_status_snapshot *out)
{
	if (t == NULL || out == NULL)
		return -1;
	pthread_mutex_lock(&t->mtx);
	*out = t->snap;
	pthread_mutex_unlock(&t->mtx);
	return 0;
}
