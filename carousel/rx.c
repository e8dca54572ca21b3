/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rx.c: the receive thread.
 *
 * One thread owns every multicast socket, the epoll set and the reassembler
 * (style.md 10.2, 10.3).  Other threads talk to it only through the shared
 * slot below: a mutex-protected hand-off for new sources (SIGHUP), a bounded
 * queue of commit verdicts, and the published counters, with an eventfd in
 * the epoll set to wake it.  The per-datagram path makes no system call
 * beyond recvmmsg: the destination group and the kernel drop counter come
 * from control messages (IP_PKTINFO / IPV6_PKTINFO, SO_RXQ_OVFL).
 *
 * A channel is one socket per (group, port), bound to the group so that
 * only its traffic arrives; every configured source on it is joined on that
 * socket, and the (source, TSI) filters are applied per datagram.
 *
 * rx_sock.c opens and joins the channel sockets, rx_src.c parses the
 * GROUP:PORT[/TSI][@SOURCE] source syntax; rx_int.h is what they share.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../daemon/log.h"
#include "../daemon/util.h"
#include "rx_int.h"

#define RX_EVENTS	32
#define RX_ROUNDS	8	/* recvmmsg calls per socket per wake-up */
#define RX_RESULTQ	4096	/* queued commit verdicts */
#define RX_RCVBUF_DEF	(8u << 20)

struct rx_result {
	struct obj_key	key;
	enum obj_result	res;
};

/*
 * Everything other threads may touch, under one lock.  It outlives the rx
 * thread, so a late rx_commit_result() during shutdown finds running == 0
 * instead of freed memory.
 */
static struct {
	pthread_mutex_t	lock;
	int		running;
	int		stopping;
	int		ready;
	int		wakefd;
	struct carousel_src *pending;	/* rx_set_sources() slot */
	size_t		npending;
	int		has_pending;
	struct reasm_params params;	/* rx_set_params() slot */
	int		has_params;
	struct rx_result *q;		/* ring of RX_RESULTQ verdicts */
	size_t		qhead;
	size_t		qcount;
	uint64_t	qdropped;
	struct rx_stats	snap;
} rx_sh = { .lock = PTHREAD_MUTEX_INITIALIZER, .wakefd = -1 };

static struct rx *rx_cur;	/* touched by rx_start/rx_stop only */

/* Write to the eventfd; the caller holds rx_sh.lock so it stays open. */
static void
rx_wakeup_locked(void)
{
	uint64_t one = 1;

	if (rx_sh.wakefd >= 0 && write(rx_sh.wakefd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already non-zero, rx will wake. */
	}
}

static int
src_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* Add one configured source to its channel (created on first use). */
static int
chans_add(struct rx_chan **v, size_t *n, const struct carousel_src *s)
{
	struct rx_chan *c = NULL;
	size_t i, al = rx_addr_len(s->family);
	void *p;

	for (i = 0; i < *n && c == NULL; i++)
		if (v[i]->family == s->family && v[i]->port == s->port &&
		    memcmp(v[i]->group, s->group, al) == 0)
			c = v[i];
	if (c == NULL) {
		if ((c = calloc(1, sizeof(*c))) == NULL)
			return -1;
		c->evkind = RX_EV_CHAN;
		c->family = s->family;
		memcpy(c->group, s->group, al);
		c->port = s->port;
		c->fd = -1;
		v[(*n)++] = c;
	}
	if ((p = realloc(c->filters, (c->nfilters + 1) *
	    sizeof(*c->filters))) == NULL)
		return -1;
	c->filters = p;
	c->filters[c->nfilters] = *s;
	if (s->family == AF_INET)
		memset(c->filters[c->nfilters].source + 4, 0, 12);
	c->nfilters++;
	if (!s->has_source) {
		c->any_source = 1;
		return 0;
	}
	for (i = 0; i < c->nsources; i++)
		if (memcmp(c->sources[i], s->source, al) == 0)
			return 0;
	if ((p = realloc(c->sources, (c->nsources + 1) * 16)) == NULL)
		return -1;
	c->sources = p;
	memset(c->sources[c->nsources], 0, 16);
	memcpy(c->sources[c->nsources++], s->source, al);
	return 0;
}

/* Group the configured sources into channels (not yet opened). */
static struct rx_chan **
chans_build(const struct carousel_src *srcs, size_t n, size_t *nout)
{
	struct rx_chan **v;
	size_t i, nc = 0;

	/* An array of pointers: the element is a pointer. */
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((srcs[i].family != AF_INET && srcs[i].family != AF_INET6) ||
		    srcs[i].port == 0 ||
		    !rx_addr_is_mcast(srcs[i].family, srcs[i].group)) {
			log_warnx("rx: source %zu is not a multicast channel, "
			    "ignored", i);
			continue;
		}
		if (chans_add(v, &nc, &srcs[i]) == -1) {
			while (nc > 0)
				rx_chan_free(v[--nc]);
			free(v);
			return NULL;
		}
	}
	for (i = 0; i < nc; i++) {
		if (v[i]->nsources > 1)
			qsort(v[i]->sources, v[i]->nsources, 16, src_cmp);
		if (rx_stat_alloc(v[i]) < 0) {
			while (nc > 0)
				rx_chan_free(v[--nc]);
			free(v);
			return NULL;
		}
	}
	*nout = nc;
	return v;
}

/* Two channels that would make the same socket and the same joins. */
static int
chan_same(const struct rx_chan *a, const struct rx_chan *b)
{
	if (a->family != b->family || a->port != b->port ||
	    memcmp(a->group, b->group, 16) != 0 ||
	    a->any_source != b->any_source)
		return 0;
	if (a->any_source)
		return 1;
	/* Without any-source filters every channel has a source. */
	return a->nsources == b->nsources &&
	    memcmp(a->sources, b->sources, a->nsources * 16) == 0;
}

/*
 * Switch to a new source list.  Channels whose socket and joins stay the
 * same keep their socket (only the filters change), so no datagram queued
 * on them is lost; reassembly state lives in reasm, keyed by channel and
 * TSI, and is not touched.  Others are closed (leaving their groups) or
 * opened.
 */
static int
rx_apply(struct rx *rx, const struct carousel_src *srcs, size_t n,
    uint64_t now)
{
	struct rx_chan **v, *tmp;
	size_t i, j, nv = 0, joined = 0;

	if ((v = chans_build(srcs, n, &nv)) == NULL) {
		log_warnx("rx: out of memory, keeping the previous sources");
		return -1;
	}
	for (i = 0; i < nv; i++) {
		for (j = 0; j < rx->nchans; j++) {
			if (rx->chans[j] == NULL ||
			    !chan_same(rx->chans[j], v[i]))
				continue;
			tmp = rx->chans[j];
			rx->chans[j] = NULL;
			/* The new filters keep the old counters of equal ones. */
			rx_stat_carry(v[i], tmp);
			free(tmp->filters);
			free(tmp->fstats);
			tmp->filters = v[i]->filters;
			tmp->nfilters = v[i]->nfilters;
			tmp->fstats = v[i]->fstats;
			v[i]->filters = NULL;
			v[i]->fstats = NULL;
			rx_chan_free(v[i]);
			v[i] = tmp;
			break;
		}
	}
	for (j = 0; j < rx->nchans; j++)
		rx_chan_free(rx->chans[j]);
	free(rx->chans);
	rx->chans = v;
	rx->nchans = nv;
	for (i = 0; i < nv; i++)
		if (v[i]->fd != -1 || (!rx->p.no_sockets &&
		    rx_chan_open(rx, v[i], now) == 0))
			joined++;
	log_info("rx: %zu channel(s) from %zu source(s), %zu joined", nv, n,
	    joined);
	return 0;
}

/* Restore the lengths recvmmsg overwrote. */
static void
rx_msg_reset(struct rx *rx, size_t i)
{
	rx->msgs[i].msg_hdr.msg_namelen = sizeof(rx->names[i]);
	rx->msgs[i].msg_hdr.msg_controllen = sizeof(rx->ctrl[i]);
	rx->msgs[i].msg_hdr.msg_flags = 0;
}

/*
 * Read one socket: full batches in a row while the queue keeps them
 * coming, bounded so that other channels get their turn.
 */
static void
rx_drain(struct rx *rx, struct rx_chan *c)
{
	uint64_t now;
	int64_t wall;
	int round, n, i;

	for (round = 0; round < RX_ROUNDS; round++) {
		n = recvmmsg(c->fd, rx->msgs, rx->p.batch, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				log_warn_rl("rx: recvmmsg");
			return;
		}
		now = util_now_ms();
		wall = util_wall_s();
		for (i = 0; i < n; i++) {
			rx_datagram(rx, c, &rx->msgs[i], now, wall);
			rx_msg_reset(rx, (size_t)i);
		}
		if ((uint32_t)n < rx->p.batch)
			return;
	}
}

/* Apply queued commit verdicts, copying them out a chunk at a time. */
static void
rx_results(struct rx *rx)
{
	struct rx_result r[32];
	size_t i, k;

	do {
		pthread_mutex_lock(&rx_sh.lock);
		for (k = 0; k < 32 && rx_sh.qcount > 0; k++) {
			r[k] = rx_sh.q[rx_sh.qhead];
			rx_sh.qhead = (rx_sh.qhead + 1) % RX_RESULTQ;
			rx_sh.qcount--;
		}
		pthread_mutex_unlock(&rx_sh.lock);
		for (i = 0; i < k; i++)
			reasm_commit_result(rx->reasm, &r[i].key, r[i].res);
	} while (k == 32);
}

/* Publish counters and readiness for the other threads. */
static void
rx_publish(struct rx *rx)
{
	size_t i, joined = 0;

	for (i = 0; i < rx->nchans; i++)
		joined += rx->chans[i]->fd != -1;
	rx->st.sockets = joined;
	/* Without sockets the channels are filters only: nothing to join. */
	if (rx->p.no_sockets)
		joined = rx->nchans;
	rx_inputs_stats(rx);
	if (rx->reasm != NULL)
		reasm_get_stats(rx->reasm, &rx->st.reasm);
	pthread_mutex_lock(&rx_sh.lock);
	rx->st.results_dropped = rx_sh.qdropped;
	rx_sh.snap = rx->st;
	rx_sh.ready = joined == rx->nchans && !rx_sh.has_pending;
	pthread_mutex_unlock(&rx_sh.lock);
	rx_stat_publish(rx);
}

/* The eventfd fired: stop request, new sources, or verdicts. */
static void
rx_wake(struct rx *rx, uint64_t now)
{
	struct carousel_src *srcs = NULL;
	struct reasm_params np;
	uint64_t v;
	size_t n = 0;
	int take, newp;

	if (read(rx->wakefd, &v, sizeof(v)) < 0) {
		/* EAGAIN: a wake-up already consumed. */
	}
	pthread_mutex_lock(&rx_sh.lock);
	rx->stop = rx_sh.stopping;
	take = rx_sh.has_pending;
	if (take) {
		srcs = rx_sh.pending;
		n = rx_sh.npending;
		rx_sh.pending = NULL;
		rx_sh.has_pending = 0;
	}
	newp = rx_sh.has_params;
	np = rx_sh.params;
	rx_sh.has_params = 0;
	pthread_mutex_unlock(&rx_sh.lock);
	if (newp)
		reasm_set_params(rx->reasm, &np);
	rx_results(rx);
	if (take && !rx->stop) {
		rx_apply(rx, srcs, n, now);
		rx_publish(rx);
	}
	free(srcs);
}

/* Every RX_TICK_MS: expiry, join retries, verdicts, counters. */
static void
rx_housekeep(struct rx *rx, uint64_t now)
{
	struct rx_chan *c;
	char name[64];
	size_t i;

	reasm_expire(rx->reasm, now);
	for (i = 0; i < rx->nchans; i++) {
		c = rx->chans[i];
		if (c->fd == -1 && !rx->p.no_sockets && now >= c->retry_at &&
		    rx_chan_open(rx, c, now) == 0) {
			rx_chan_name(c, name, sizeof(name));
			log_info("rx: %s joined after a retry", name);
		}
	}
	rx_results(rx);
	rx_publish(rx);
}

static void *
rx_main(void *arg)
{
	struct rx *rx = arg;
	struct epoll_event ev[RX_EVENTS];
	uint64_t now;
	int i, n, wake, tmo;

	while (!rx->stop) {
		now = util_now_ms();
		if (now >= rx->next_tick) {
			rx_housekeep(rx, now);
			rx->next_tick = now + RX_TICK_MS;
		}
		tmo = rx_inputs_run(rx, now, (int)(rx->next_tick - now));
		n = epoll_wait(rx->epfd, ev, RX_EVENTS, tmo);
		if (n == -1 && errno != EINTR)
			log_warn_rl("rx: epoll_wait");
		/* Sockets first: applying new sources frees channels. */
		for (i = 0, wake = 0; i < n; i++) {
			if (ev[i].data.ptr == NULL)
				wake = 1;
			else if (*(int *)ev[i].data.ptr == RX_EV_INPUT)
				rx_input_event(rx, ev[i].data.ptr);
			else
				rx_drain(rx, ev[i].data.ptr);
		}
		if (wake)
			rx_wake(rx, util_now_ms());
	}
	rx_publish(rx);
	/* Staged objects are aborted from the thread that began them. */
	reasm_free(rx->reasm);
	rx->reasm = NULL;
	return NULL;
}

static int
rx_buffers(struct rx *rx)
{
	size_t i, b = rx->p.batch;

	rx->msgs = calloc(b, sizeof(*rx->msgs));
	rx->iov = calloc(b, sizeof(*rx->iov));
	rx->names = calloc(b, sizeof(*rx->names));
	rx->ctrl = calloc(b, sizeof(*rx->ctrl));
	rx->data = malloc(b * RX_SLOT_BYTES);
	if (!rx->msgs || !rx->iov || !rx->names || !rx->ctrl || !rx->data)
		return -1;
	for (i = 0; i < b; i++) {
		rx->iov[i].iov_base = rx->data + i * RX_SLOT_BYTES;
		rx->iov[i].iov_len = RX_SLOT_BYTES;
		rx->msgs[i].msg_hdr.msg_iov = &rx->iov[i];
		rx->msgs[i].msg_hdr.msg_iovlen = 1;
		rx->msgs[i].msg_hdr.msg_name = &rx->names[i];
		rx->msgs[i].msg_hdr.msg_control = &rx->ctrl[i];
		rx_msg_reset(rx, i);
	}
	return 0;
}

static void
rx_free(struct rx *rx)
{
	size_t i;

	rx_inputs_free(rx);
	if (rx->reasm != NULL)
		reasm_free(rx->reasm);
	for (i = 0; i < rx->nchans; i++)
		rx_chan_free(rx->chans[i]);
	free(rx->chans);
	if (rx->epfd != -1)
		close(rx->epfd);
	if (rx->wakefd != -1)
		close(rx->wakefd);
	free(rx->msgs);
	free(rx->iov);
	free(rx->names);
	free(rx->ctrl);
	free(rx->data);
	free(rx->sess);
	free(rx);
}

/* Allocate and wire everything except channels and the thread. */
static struct rx *
rx_new(const struct rx_params *p, const struct obj_sink *sink)
{
	struct epoll_event ev;
	struct rx *rx;

	if ((rx = calloc(1, sizeof(*rx))) == NULL)
		return NULL;
	rx->epfd = rx->wakefd = -1;
	rx->p = *p;
	rx->p.interface[sizeof(rx->p.interface) - 1] = '\0';
	if (rx->p.batch == 0)
		rx->p.batch = 64;
	if (rx->p.batch > RX_BATCH_MAX)
		rx->p.batch = RX_BATCH_MAX;
	if (rx->p.rcvbuf == 0)
		rx->p.rcvbuf = RX_RCVBUF_DEF;
	if (rx->p.reasm.max_sessions == 0)
		reasm_params_default(&rx->p.reasm);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (rx_buffers(rx) == -1 ||
	    (rx->reasm = reasm_new(&rx->p.reasm, sink)) == NULL ||
	    (rx->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (rx->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1 ||
	    epoll_ctl(rx->epfd, EPOLL_CTL_ADD, rx->wakefd, &ev) == -1) {
		log_warn("rx_start: set-up");
		rx_free(rx);
		return NULL;
	}
	return rx;
}

/* Reset the shared slot for a new run; q is handed over. */
static void
rx_shared_open(int wakefd, struct rx_result *q)
{
	pthread_mutex_lock(&rx_sh.lock);
	rx_sh.running = 1;
	rx_sh.stopping = 0;
	rx_sh.ready = 0;
	rx_sh.wakefd = wakefd;
	rx_sh.q = q;
	rx_sh.qhead = rx_sh.qcount = 0;
	rx_sh.qdropped = 0;
	memset(&rx_sh.snap, 0, sizeof(rx_sh.snap));
	pthread_mutex_unlock(&rx_sh.lock);
}

static void
rx_shared_close(void)
{
	pthread_mutex_lock(&rx_sh.lock);
	rx_sh.running = 0;
	rx_sh.ready = 0;
	rx_sh.wakefd = -1;
	free(rx_sh.q);
	rx_sh.q = NULL;
	rx_sh.qcount = 0;
	free(rx_sh.pending);
	rx_sh.pending = NULL;
	rx_sh.has_pending = 0;
	rx_sh.snap.sockets = 0;
	pthread_mutex_unlock(&rx_sh.lock);
}

int
rx_start(const struct rx_params *p, const struct carousel_src *srcs,
    size_t n, const struct obj_sink *sink)
{
	struct rx_result *q;
	struct rx *rx;
	sigset_t all, old;
	int err;

	if (rx_cur != NULL) {
		log_warnx("rx_start: already running");
		return -1;
	}
	if ((q = calloc(RX_RESULTQ, sizeof(*q))) == NULL) {
		log_warn("rx_start: result queue");
		return -1;
	}
	if ((rx = rx_new(p, sink)) == NULL) {
		free(q);
		return -1;
	}
	rx_shared_open(rx->wakefd, q);
	rx->next_tick = util_now_ms() + RX_TICK_MS;
	if (rx_apply(rx, srcs, n, util_now_ms()) == -1 ||
	    rx_inputs_start(rx) == -1)
		goto fail;
	rx_publish(rx);
	/* Signals belong to the main thread (sigwait/signalfd). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&rx->thread, NULL, rx_main, rx);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		errno = err;
		log_warn("rx_start: pthread_create");
		goto fail;
	}
	rx_cur = rx;
	return 0;
fail:
	rx_shared_close();
	rx_free(rx);
	return -1;
}

void
rx_stop(void)
{
	struct rx *rx = rx_cur;

	if (rx == NULL)
		return;
	pthread_mutex_lock(&rx_sh.lock);
	rx_sh.stopping = 1;
	rx_wakeup_locked();
	pthread_mutex_unlock(&rx_sh.lock);
	pthread_join(rx->thread, NULL);
	rx_shared_close();
	rx_free(rx);
	rx_cur = NULL;
	rx_stat_clear();
}

int
rx_set_sources(const struct carousel_src *srcs, size_t n)
{
	struct carousel_src *copy = NULL;

	if (n > 0) {
		if ((copy = calloc(n, sizeof(*copy))) == NULL)
			return -1;
		memcpy(copy, srcs, n * sizeof(*copy));
	}
	pthread_mutex_lock(&rx_sh.lock);
	if (!rx_sh.running) {
		pthread_mutex_unlock(&rx_sh.lock);
		free(copy);
		return -1;
	}
	free(rx_sh.pending);	/* an older list not applied yet */
	rx_sh.pending = copy;
	rx_sh.npending = n;
	rx_sh.has_pending = 1;
	rx_sh.ready = 0;
	rx_wakeup_locked();
	pthread_mutex_unlock(&rx_sh.lock);
	return 0;
}

int
rx_set_params(const struct reasm_params *p)
{
	pthread_mutex_lock(&rx_sh.lock);
	if (!rx_sh.running) {
		pthread_mutex_unlock(&rx_sh.lock);
		return -1;
	}
	rx_sh.params = *p;
	rx_sh.has_params = 1;
	rx_wakeup_locked();
	pthread_mutex_unlock(&rx_sh.lock);
	return 0;
}

void
rx_get_stats(struct rx_stats *out)
{
	pthread_mutex_lock(&rx_sh.lock);
	*out = rx_sh.snap;
	pthread_mutex_unlock(&rx_sh.lock);
}

int
rx_ready(void)
{
	int r;

	pthread_mutex_lock(&rx_sh.lock);
	r = rx_sh.running && rx_sh.ready;
	pthread_mutex_unlock(&rx_sh.lock);
	return r;
}

void
rx_commit_result(const struct obj_key *key, enum obj_result res)
{
	struct rx_result *r;
	int full;

	pthread_mutex_lock(&rx_sh.lock);
	if (!rx_sh.running || rx_sh.q == NULL) {
		pthread_mutex_unlock(&rx_sh.lock);
		return;
	}
	full = rx_sh.qcount == RX_RESULTQ;
	if (full) {
		rx_sh.qdropped++;
	} else {
		r = &rx_sh.q[(rx_sh.qhead + rx_sh.qcount) % RX_RESULTQ];
		r->key = *key;
		r->res = res;
		/* Empty before: rx drains fully per wake, so one is enough. */
		if (rx_sh.qcount++ == 0)
			rx_wakeup_locked();
	}
	pthread_mutex_unlock(&rx_sh.lock);
	if (full)
		log_warnx_rl("rx_commit_result: queue full, verdict dropped");
}
