/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rx_stat.c: per-source counters.  The rx thread counts the datagrams each
 * configured (group, port, source, TSI) accepted, in an array parallel to
 * each channel's filters, and publishes a copy every housekeeping tick;
 * other threads (the NIP manager, for "is this service on air"; the status
 * page) read the copy under its own lock, which is held only to copy.
 * Once a second the rx thread also works out each source's bit rate and
 * sums the counters of the FLUTE sessions it accepted (reasm_sstat.c).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/util.h"
#include "rx_int.h"

static struct {
	pthread_mutex_t	lock;
	struct rx_src_stats *v;
	size_t		n;
} rx_ss = { .lock = PTHREAD_MUTEX_INITIALIZER };

int
rx_src_eq(const struct carousel_src *a, const struct carousel_src *b)
{
	size_t al = rx_addr_len(a->family);

	if (a->family != b->family || a->port != b->port ||
	    a->has_source != b->has_source || a->has_tsi != b->has_tsi ||
	    memcmp(a->group, b->group, al) != 0)
		return 0;
	if (a->has_source && memcmp(a->source, b->source, al) != 0)
		return 0;
	return !a->has_tsi || (a->tsi.hi == b->tsi.hi && a->tsi.lo == b->tsi.lo);
}

int
rx_stat_alloc(struct rx_chan *c)
{
	free(c->fstats);
	c->fstats = calloc(c->nfilters ? c->nfilters : 1, sizeof(*c->fstats));
	return c->fstats != NULL ? 0 : -1;
}

void
rx_stat_carry(struct rx_chan *c, const struct rx_chan *old)
{
	size_t i, j;

	for (i = 0; i < c->nfilters; i++)
		for (j = 0; j < old->nfilters; j++)
			if (rx_src_eq(&c->filters[i], &old->filters[j])) {
				c->fstats[i] = old->fstats[j];
				break;
			}
}

/* The channel and filter that accept session t, or -1. */
static int
rx_stat_find(struct rx *rx, const struct reasm_sess_stats *t, size_t *ci)
{
	size_t i, al;
	int fi;

	for (i = 0; i < rx->nchans; i++) {
		const struct rx_chan *c = rx->chans[i];

		al = rx_addr_len(c->family);
		if (c->family != t->family || c->port != t->port ||
		    memcmp(c->group, t->dst, al) != 0)
			continue;
		if ((fi = rx_match(c, t->src, t->tsi)) >= 0) {
			*ci = i;
			return fi;
		}
	}
	return -1;
}

static void
rx_stat_add(struct reasm_sess_counts *a, const struct reasm_sess_counts *b)
{
	a->packets += b->packets;
	a->bytes += b->bytes;
	a->objects += b->objects;
	a->incomplete += b->incomplete;
	a->fec_recovered += b->fec_recovered;
	a->lost_symbols += b->lost_symbols;
	a->repairs += b->repairs;
}

/* Sum the sessions' counters into the filters that accepted them. */
static void
rx_stat_sessions(struct rx *rx)
{
	struct reasm_sess_stats *nb;
	size_t i, ci, n;
	int fi;

	n = reasm_get_sessions(rx->reasm, rx->sess, rx->sess_cap);
	if (n > rx->sess_cap) {
		if ((nb = realloc(rx->sess, n * sizeof(*nb))) == NULL)
			return;
		rx->sess = nb;
		rx->sess_cap = n;
		n = reasm_get_sessions(rx->reasm, rx->sess, rx->sess_cap);
	}
	for (i = 0; i < n && i < rx->sess_cap; i++) {
		if ((fi = rx_stat_find(rx, &rx->sess[i], &ci)) < 0 ||
		    rx->chans[ci]->fstats == NULL)
			continue;
		rx->chans[ci]->fstats[fi].nsessions++;
		rx_stat_add(&rx->chans[ci]->fstats[fi].sess, &rx->sess[i].c);
	}
}

/* Every RX_RATE_MS: bit rates, and the sessions' counters afresh. */
static void
rx_stat_rates(struct rx *rx, uint64_t now)
{
	uint64_t dt = now - rx->rate_ms;
	size_t i, j;

	for (i = 0; i < rx->nchans; i++) {
		struct rx_chan *c = rx->chans[i];

		for (j = 0; c->fstats != NULL && j < c->nfilters; j++) {
			struct rx_fstat *f = &c->fstats[j];

			f->bitrate = rx->rate_ms == 0 ||
			    f->bytes < f->rate_bytes ? 0 :
			    (f->bytes - f->rate_bytes) * 8000 / dt;
			f->rate_bytes = f->bytes;
			f->nsessions = 0;
			memset(&f->sess, 0, sizeof(f->sess));
		}
	}
	if (rx->reasm != NULL)
		rx_stat_sessions(rx);
	rx->rate_ms = now;
}

void
rx_stat_publish(struct rx *rx)
{
	struct rx_src_stats *v, *old;
	size_t i, j, n = 0, k = 0;
	uint64_t now = util_now_ms();

	if (now - rx->rate_ms >= RX_RATE_MS)
		rx_stat_rates(rx, now);

	for (i = 0; i < rx->nchans; i++)
		n += rx->chans[i]->nfilters;
	if ((v = calloc(n ? n : 1, sizeof(*v))) == NULL)
		return;		/* keep the previous copy */
	for (i = 0; i < rx->nchans; i++) {
		const struct rx_chan *c = rx->chans[i];

		for (j = 0; j < c->nfilters; j++, k++) {
			v[k].src = c->filters[j];
			if (c->fstats != NULL) {
				v[k].datagrams = c->fstats[j].datagrams;
				v[k].bytes = c->fstats[j].bytes;
				v[k].last_ms = c->fstats[j].last_ms;
				v[k].bitrate = c->fstats[j].bitrate;
				v[k].nsessions = c->fstats[j].nsessions;
				v[k].sess = c->fstats[j].sess;
			}
		}
	}
	pthread_mutex_lock(&rx_ss.lock);
	old = rx_ss.v;
	rx_ss.v = v;
	rx_ss.n = n;
	pthread_mutex_unlock(&rx_ss.lock);
	free(old);
}

void
rx_stat_clear(void)
{
	pthread_mutex_lock(&rx_ss.lock);
	free(rx_ss.v);
	rx_ss.v = NULL;
	rx_ss.n = 0;
	pthread_mutex_unlock(&rx_ss.lock);
}

/* IPv4 addresses use the first 4 bytes; the rest must compare equal. */
static void
rx_src_norm(struct carousel_src *s)
{
	if (s->family == AF_INET) {
		memset(s->group + 4, 0, 12);
		memset(s->source + 4, 0, 12);
	}
}

int
rx_src_same(const struct carousel_src *a, const struct carousel_src *b)
{
	struct carousel_src x = *a, y = *b;

	rx_src_norm(&x);
	rx_src_norm(&y);
	return rx_src_eq(&x, &y);
}

struct rx_src_stats *
rx_get_all_src_stats(size_t *n)
{
	struct rx_src_stats *v;
	size_t cap;

	/* Allocate outside the lock; the copy may have shrunk meanwhile. */
	pthread_mutex_lock(&rx_ss.lock);
	cap = rx_ss.n;
	pthread_mutex_unlock(&rx_ss.lock);
	*n = 0;
	if (cap == 0 || (v = malloc(cap * sizeof(*v))) == NULL)
		return NULL;
	pthread_mutex_lock(&rx_ss.lock);
	*n = rx_ss.n < cap ? rx_ss.n : cap;
	memcpy(v, rx_ss.v, *n * sizeof(*v));
	pthread_mutex_unlock(&rx_ss.lock);
	if (*n == 0) {
		free(v);
		return NULL;
	}
	return v;
}

int
rx_get_src_stats(const struct carousel_src *src, struct rx_src_stats *out)
{
	struct carousel_src s = *src;
	size_t i;
	int r = -1;

	rx_src_norm(&s);
	pthread_mutex_lock(&rx_ss.lock);
	for (i = 0; i < rx_ss.n; i++) {
		if (rx_src_eq(&rx_ss.v[i].src, &s)) {
			*out = rx_ss.v[i];
			r = 0;
			break;
		}
	}
	pthread_mutex_unlock(&rx_ss.lock);
	return r;
}
