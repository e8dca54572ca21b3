/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reasm_repair_harness.h: shared harness for the carousel side of
 * unicast repair (test_reasm_repair.c, test_reasm_repair_hostile.c), on
 * top of reasm_harness.h.  A recording sink with repair and announce ops
 * (accepting or declining) checks every offer (ranges sorted, inside the
 * object, covering every byte never written, lost_bytes exact) and can
 * play the daemon: fill the missing bytes from the original and commit.
 * Packets are sent with chosen symbols lost, or as data-less signals.
 *
 * Everything is static: each test binary includes this header once.
 * Both files call every helper; a helper only one of them uses belongs
 * in that file, or the other fails -Wunused-function under -Werror.
 */
#ifndef NIPCACHE_REASM_REPAIR_HARNESS_H
#define NIPCACHE_REASM_REPAIR_HARNESS_H

#include "reasm_harness.h"
#include "../../carousel/ranges.h"

#define MAXCALL		256
#define MAXRG		64
#define LOSE_MAX	65536		/* symbols a lose[] map covers */

/* ---- Recording repair and announce ops. ---- */

struct rcall {
	struct obj_key	key;
	char		loc[256];
	uint64_t	len;
	int64_t		clen;
	uint64_t	seq;
	struct handle	*h;		/* taken handle, until filled/dropped */
	int		had_h;
	struct obj_range r[MAXRG];
	size_t		n;
	uint64_t	lost;
	enum obj_repair_trigger why;
	int		sane;		/* the offer keeps the contract */
};

struct rann {
	struct obj_key	key;
	char		loc[256];
	uint64_t	len;
	int64_t		clen;
	uint64_t	seq;
};

static struct {
	int		accept;
	int		ncalls;
	struct rcall	c[MAXCALL];
	int		nann;
	struct rann	a[MAXCALL];
	int		nrcv;		/* receiving() calls */
	struct rann	r[MAXCALL];
} rec;

/* Ranges sorted, disjoint, non-empty, inside len. */
static int
ranges_sane(const struct obj_range *r, size_t n, uint64_t len)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (r[i].len == 0 || r[i].off > len || r[i].len > len - r[i].off)
			return 0;
		if (i > 0 && r[i].off <= r[i - 1].off + r[i - 1].len)
			return 0;
	}
	return n > 0;
}

/* Every byte h never got lies in a range, and lost counts them. */
static int
holes_covered(const struct handle *h, const struct obj_range *r, size_t n,
    uint64_t lost)
{
	uint64_t x, holes = 0;
	size_t i = 0;

	for (x = 0; x < h->len; x++) {
		if (h->wcount[x] != 0)
			continue;
		holes++;
		while (i < n && r[i].off + r[i].len <= x)
			i++;
		if (i == n || x < r[i].off)
			return 0;
	}
	return holes == lost;
}

static int
rs_repair(void *ctx, void *hv, const struct obj_meta *m,
    const struct obj_range *missing, size_t n, uint64_t lost,
    enum obj_repair_trigger why)
{
	struct handle *h = hv;
	struct rcall *c;

	(void)ctx;
	if (rec.ncalls >= MAXCALL)
		return -1;
	c = &rec.c[rec.ncalls++];
	memset(c, 0, sizeof(*c));
	c->key = m->key;
	snprintf(c->loc, sizeof(c->loc), "%s", m->location);
	c->len = m->transfer_length;
	c->clen = m->content_length;
	c->seq = m->seq;
	c->had_h = h != NULL;
	c->n = n;
	memcpy(c->r, missing, (n < MAXRG ? n : MAXRG) * sizeof(*missing));
	c->lost = lost;
	c->why = why;
	c->sane = ranges_sane(missing, n, m->transfer_length) &&
	    lost <= ranges_total(missing, n);
	if (h != NULL)
		c->sane = c->sane && h->len == m->transfer_length &&
		    holes_covered(h, missing, n, lost);
	else
		c->sane = c->sane && n == 1 && missing[0].off == 0 &&
		    lost == m->transfer_length;
	if (!rec.accept)
		return -1;
	c->h = h;
	return 0;
}

static void
rs_announce(void *ctx, const struct obj_meta *m)
{
	struct rann *a;

	(void)ctx;
	if (rec.nann >= MAXCALL)
		return;
	a = &rec.a[rec.nann++];
	a->key = m->key;
	snprintf(a->loc, sizeof(a->loc), "%s", m->location);
	a->len = m->transfer_length;
	a->clen = m->content_length;
	a->seq = m->seq;
}

static void
rs_receiving(void *ctx, const struct obj_meta *m)
{
	struct rann *a;

	(void)ctx;
	if (rec.nrcv >= MAXCALL)
		return;
	a = &rec.r[rec.nrcv++];
	a->key = m->key;
	snprintf(a->loc, sizeof(a->loc), "%s", m->location);
	a->len = m->transfer_length;
	a->seq = m->seq;
}

static struct tctx *
rtctx_new(const struct reasm_params *p, int accept, int with_repair)
{
	struct tctx *t = tctx_new(p);

	memset(&rec, 0, sizeof(rec));
	rec.accept = accept;
	if (t == NULL)
		return NULL;
	t->ts.ops.repair = with_repair ? rs_repair : NULL;
	t->ts.ops.announce = rs_announce;
	t->ts.ops.receiving = rs_receiving;
	return t;
}

/* Play the daemon: write what c's handle lacks from o, then commit. */
static void
repair_fill(struct tctx *t, struct rcall *c, const struct tobj *o)
{
	struct obj_meta m;
	struct handle *h = c->h;
	uint64_t x, y;

	if (h == NULL && !c->had_h)
		h = ts_begin(&t->ts, &c->key, c->len);
	REQUIRE(h != NULL && h->len == o->len);
	for (x = 0; x < h->len; x = y) {
		for (y = x; y < h->len && (h->wcount[y] == 0) ==
		    (h->wcount[x] == 0); y++)
			;
		if (h->wcount[x] == 0)
			CHECK(ts_write(&t->ts, h, x, o->data + x, y - x) == 0);
	}
	memset(&m, 0, sizeof(m));
	m.key = c->key;
	m.location = c->loc;
	m.transfer_length = c->len;
	m.content_length = c->clen;
	m.seq = c->seq;
	ts_commit(&t->ts, h, &m);
	c->h = NULL;
}

/* Release every handle still held (the repair failed or was never run). */
static void
repair_drop_all(struct tctx *t)
{
	int i;

	for (i = 0; i < rec.ncalls; i++)
		if (rec.c[i].h != NULL) {
			ts_abort(&t->ts, rec.c[i].h, OBJ_ABORT_INCOMPLETE);
			rec.c[i].h = NULL;
		}
}

static void
rtctx_free(struct tctx *t)
{
	repair_drop_all(t);
	tctx_free(t);
}

/* ---- Packets. ---- */

/*
 * Send o's source symbols, one per packet, at t->now, skipping symbol k
 * when lose[k].  Close Object goes on the last packet sent (close 1) or
 * on the first (close 2).
 */
static void
send_lossy(struct tctx *t, const struct tobj *o, const uint8_t *lose,
    int close)
{
	size_t n, i, last = SIZE_MAX, first = SIZE_MAX;
	struct tpkt *p;
	struct pspec s;

	REQUIRE(lose == NULL || o->len / o->e < LOSE_MAX);
	REQUIRE((p = malloc(70000 * sizeof(*p))) != NULL);
	n = obj_packets(o, 1, p, 70000);
	for (i = 0; i < n; i++)
		if (lose == NULL || !lose[p[i].off / o->e]) {
			last = i;
			if (first == SIZE_MAX)
				first = i;
		}
	for (i = 0; i < n; i++) {
		if (lose != NULL && lose[p[i].off / o->e])
			continue;
		memset(&s, 0, sizeof(s));
		s.tsi = o->tsi;
		s.toi = o->toi;
		s.fti = o->pkt_fti;
		s.l = o->len;
		s.e = o->e;
		s.blen = o->b;
		s.sbn = p[i].sbn;
		s.esi = p[i].esi;
		s.pl = o->data + p[i].off;
		s.len = p[i].len;
		s.b = (uint8_t)((close == 1 && i == last) ||
		    (close == 2 && i == first));
		CHECK(feed(t, &s) == 0);
	}
	free(p);
}

/* A data-less packet: Close Object (b) or Close Session (a). */
static void
send_signal(struct tctx *t, uint32_t tsi, uint32_t toi, int a, int b)
{
	struct pspec s;

	memset(&s, 0, sizeof(s));
	s.tsi = tsi;
	s.toi = toi;
	s.a = (uint8_t)a;
	s.b = (uint8_t)b;
	s.nofpi = 1;
	CHECK(feed(t, &s) == 0);
}

/*
 * lose[] with the listed symbol indexes set (-1 ends), long enough for
 * any object of these tests (send_lossy checks).
 */
static uint8_t *
lose_list(const int *idx)
{
	uint8_t *l = calloc(LOSE_MAX, 1);

	for (; *idx >= 0; idx++)
		l[*idx] = 1;
	return l;
}

/* How often toi was announced. */
static int
anns_of(uint32_t toi)
{
	int i, n = 0;

	for (i = 0; i < rec.nann; i++)
		n += rec.a[i].key.toi.lo == toi;
	return n;
}

#endif
