/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rx_stat.c: per-source counters.  The rx thread counts the datagrams each
 * configured (group, port, source, TSI) accepted, in an array parallel to
 * each channel's filters, and publishes a copy every housekeeping tick;
 * other threads (the NIP manager, for "is this service on air") read the
 * copy under its own lock.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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

void
rx_stat_publish(struct rx *rx)
{
	struct rx_src_stats *v, *old;
	size_t i, j, n = 0, k = 0;

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

int
rx_get_src_stats(const struct carousel_src *src, struct rx_src_stats *out)
{
	struct carousel_src s = *src;
	size_t i;
	int r = -1;

	if (s.family == AF_INET) {
		memset(s.group + 4, 0, 12);
		memset(s.source + 4, 0, 12);
	}
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
