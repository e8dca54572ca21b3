/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_reasm_repair.c: the carousel side of unicast repair.  A recording
 * sink with repair and announce ops (accepting or declining) checks every
 * offer (ranges sorted, inside the object, covering every byte never
 * written, lost_bytes exact) and can play the daemon: fill the missing
 * bytes from the original and commit.  Cases: each trigger (Close Object,
 * reception timeout per channel or by default, FDT expiry and FullFDT,
 * end of session), declined offers, failure verdicts, announce once per
 * declaration, counters, a sink without repair op, hostile declarations,
 * and seeded random loss.  Harness: reasm_harness.h.
 */
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

/* Declare objs in an FDT that expires expires_s seconds from now. */
static void
send_fdt_exp(struct tctx *t, uint32_t tsi, uint32_t id, struct tobj **objs,
    size_t n, int64_t expires_s, const char *extra)
{
	size_t len;
	char *x = fdt_xml(objs, n, expires_s, extra, &len);

	send_fdt_raw(t, tsi, id, (const uint8_t *)x, len, -1, 500, 4);
	free(x);
}

/* Send hand-written FDT XML (one File per line in body). */
static void
send_fdt_body(struct tctx *t, uint32_t tsi, uint32_t id, const char *body,
    int64_t expires_s)
{
	char x[4096];
	int n = snprintf(x, sizeof(x), "<?xml version=\"1.0\"?>\n"
	    "<FDT-Instance xmlns=\"urn:IETF:metadata:2005:FLUTE:FDT\" "
	    "Expires=\"%lld\">\n%s</FDT-Instance>\n", (long long)(NOW_UNIX +
	    NTP_OFFSET + expires_s), body);

	REQUIRE(n > 0 && (size_t)n < sizeof(x));
	send_fdt_raw(t, tsi, id, (const uint8_t *)x, (size_t)n, -1, 500, 4);
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

/* Nothing was aborted. */
static int
no_aborts(const struct tctx *t)
{
	int i, n = 0;

	for (i = 0; i < OBJ_ABORT_NREASONS; i++)
		n += t->ts.aborts[i];
	return n == 0;
}

/* ---- Close Object. ---- */

/* Holes and Close Object: the exact ranges, the handle handed over. */
static void
test_close(void)
{
	static const int holes[] = { 5, 6, 40, 99, -1 };
	struct tctx *t = rtctx_new(NULL, 1, 1);
	struct tobj o, *op = &o;
	struct reasm_stats st;
	struct rcall *c;
	uint8_t *lose;
	int begins;

	REQUIRE(t != NULL);
	rng_seed(21);
	tobj_init(&o, 1, 10, 10000, 100, 16);
	send_fdt(t, 1, 1, &op, 1, 0, NULL);
	lose = lose_list(holes);
	send_lossy(t, &o, lose, 1);
	REQUIRE(rec.ncalls == 1);
	c = &rec.c[0];
	CHECK(c->why == OBJ_REPAIR_CLOSE);
	CHECK(c->had_h && c->sane);
	CHECK_EQ_U(c->n, 3);
	CHECK_EQ_U(c->r[0].off, 500);
	CHECK_EQ_U(c->r[0].len, 200);
	CHECK_EQ_U(c->r[1].off, 4000);
	CHECK_EQ_U(c->r[1].len, 100);
	CHECK_EQ_U(c->r[2].off, 9900);
	CHECK_EQ_U(c->r[2].len, 100);
	CHECK_EQ_U(c->lost, 400);
	CHECK(strcmp(c->loc, o.loc) == 0);
	CHECK_EQ_U(c->len, 10000);
	CHECK_EQ_U(c->clen, 10000);
	CHECK_EQ_U(c->key.toi.lo, 10);
	CHECK(c->seq > 0);
	st = stats(t);
	CHECK_EQ_U(st.repairs_handed[OBJ_REPAIR_CLOSE], 1);
	CHECK_EQ_U(st.repairs_declined, 0);
	CHECK_EQ_U(st.lost_bytes, 400);
	CHECK_EQ_U(st.lost_symbols, 4);
	CHECK_EQ_U(st.objects_now, 0);
	CHECK_EQ_U(st.inflight_bytes_now, 0);
	CHECK_EQ_U(st.objects_completed, 0);
	CHECK_EQ_U(st.objects_incomplete, 0);
	CHECK(no_aborts(t));
	CHECK_EQ_U(t->ts.live, 1);	/* the repairer's now */
	/* Handed over counts as done: the next cycle is not received. */
	begins = t->ts.begins;
	send_obj(t, &o);
	t->now += 60000;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(t->ts.begins, begins);
	CHECK_EQ_U(rec.ncalls, 1);
	CHECK(no_aborts(t));
	repair_fill(t, c, &o);
	check_obj(t, &o);
	free(lose);
	tobjs_free(&o, 1);
	rtctx_free(t);
}

/*
 * Close Object on a complete object, as a data-less signal, on buffered
 * packets (early in the buffer, replayed whole before judging) and on
 * buffered packets with holes.
 */
static void
test_close_cases(void)
{
	static const int holes[] = { 3, -1 };
	struct tctx *t = rtctx_new(NULL, 1, 1);
	struct tobj o[4], *op[4];
	uint8_t *lose;
	int i;

	REQUIRE(t != NULL);
	rng_seed(22);
	for (i = 0; i < 4; i++) {
		tobj_init(&o[i], 2, (uint32_t)i + 1, 2000 + (uint64_t)i * 77,
		    100, 4);
		op[i] = &o[i];
	}
	lose = lose_list(holes);
	send_lossy(t, &o[2], NULL, 2);		/* buffered, B first */
	send_lossy(t, &o[3], lose, 2);		/* buffered, holes */
	send_fdt(t, 2, 1, op, 4, 0, NULL);
	check_obj(t, &o[2]);
	REQUIRE(rec.ncalls == 1);
	CHECK(rec.c[0].why == OBJ_REPAIR_CLOSE && rec.c[0].sane);
	CHECK_EQ_U(rec.c[0].key.toi.lo, 4);
	CHECK_EQ_U(rec.c[0].lost, 100);
	send_lossy(t, &o[0], NULL, 1);		/* complete with B */
	check_obj(t, &o[0]);
	CHECK_EQ_U(rec.ncalls, 1);
	send_lossy(t, &o[1], lose, 0);
	CHECK_EQ_U(rec.ncalls, 1);
	send_signal(t, 2, 2, 0, 1);
	REQUIRE(rec.ncalls == 2);
	CHECK(rec.c[1].why == OBJ_REPAIR_CLOSE && rec.c[1].sane);
	CHECK_EQ_U(rec.c[1].key.toi.lo, 2);
	CHECK_EQ_U(rec.c[1].n, 1);
	CHECK_EQ_U(rec.c[1].r[0].off, 300);
	repair_fill(t, &rec.c[0], &o[3]);
	repair_fill(t, &rec.c[1], &o[1]);
	for (i = 0; i < 4; i++)
		check_obj(t, &o[i]);
	CHECK_EQ_U(stats(t).repairs_handed[OBJ_REPAIR_CLOSE], 2);
	free(lose);
	tobjs_free(o, 4);
	rtctx_free(t);
}

/* Declined: keeps receiving, never asked again, aborted as before. */
static void
test_declined(void)
{
	static const int holes[] = { 1, 2, 30, -1 };
	struct reasm_params p;
	struct tctx *t;
	struct tobj o[2], *op[2];
	struct reasm_stats st;
	uint8_t *lose;

	reasm_params_default(&p);
	p.reception_timeout_ms = 1000;
	REQUIRE((t = rtctx_new(&p, 0, 1)) != NULL);
	rng_seed(23);
	tobj_init(&o[0], 1, 3, 5000, 100, 8);
	tobj_init(&o[1], 1, 4, 5000, 100, 8);
	op[0] = &o[0];
	op[1] = &o[1];
	send_fdt(t, 1, 1, op, 2, 0, NULL);
	lose = lose_list(holes);
	send_lossy(t, &o[0], lose, 1);
	REQUIRE(rec.ncalls == 1);
	CHECK(rec.c[0].why == OBJ_REPAIR_CLOSE && rec.c[0].sane);
	st = stats(t);
	CHECK_EQ_U(st.repairs_declined, 1);
	CHECK_EQ_U(st.repairs_handed[OBJ_REPAIR_CLOSE], 0);
	CHECK_EQ_U(st.lost_bytes, 0);
	CHECK_EQ_U(st.objects_now, 1);
	send_signal(t, 1, 3, 0, 1);
	t->now += 1000;
	reasm_expire(t->r, t->now);
	send_lossy(t, &o[0], lose, 1);
	CHECK_EQ_U(rec.ncalls, 1);
	send_obj(t, &o[0]);			/* the next cycle fills it */
	check_obj(t, &o[0]);
	CHECK(no_aborts(t));
	/* Declined and never completed: aborted at object_timeout. */
	send_lossy(t, &o[1], lose, 1);
	CHECK_EQ_U(rec.ncalls, 2);
	t->now += p.object_timeout_ms;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(t->ts.aborts[OBJ_ABORT_INCOMPLETE], 0);
	t->now += 1;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(t->ts.aborts[OBJ_ABORT_INCOMPLETE], 1);
	st = stats(t);
	CHECK_EQ_U(st.objects_incomplete, 1);
	CHECK_EQ_U(st.repairs_declined, 2);
	CHECK_EQ_U(rec.ncalls, 2);
	free(lose);
	tobjs_free(o, 2);
	rtctx_free(t);
}

/* ---- Reception timeout. ---- */

static void
test_timeout(void)
{
	static const int holes[] = { 7, -1 };
	struct reasm_params p;
	struct tctx *t;
	struct tobj a, b, *op;
	uint64_t ta, tb;
	uint8_t *lose;

	reasm_params_default(&p);
	p.reception_timeout_ms = 5000;
	REQUIRE((t = rtctx_new(&p, 1, 1)) != NULL);
	rng_seed(24);
	tobj_init(&a, 1, 1, 3000, 100, 8);
	tobj_init(&b, 2, 1, 3000, 100, 8);
	lose = lose_list(holes);
	t->chan.reception_timeout_ms = 1000;	/* signalled for TSI 1 */
	op = &a;
	send_fdt(t, 1, 1, &op, 1, 0, NULL);
	ta = t->now;
	send_lossy(t, &a, lose, 0);
	t->chan.reception_timeout_ms = 0;	/* TSI 2: the default */
	op = &b;
	send_fdt(t, 2, 1, &op, 1, 0, NULL);
	tb = t->now;
	send_lossy(t, &b, lose, 0);
	reasm_expire(t->r, ta + 999);
	CHECK_EQ_U(rec.ncalls, 0);
	reasm_expire(t->r, ta + 1000);
	REQUIRE(rec.ncalls == 1);
	CHECK(rec.c[0].why == OBJ_REPAIR_TIMEOUT && rec.c[0].sane);
	CHECK_EQ_U(rec.c[0].key.tsi.lo, 1);
	reasm_expire(t->r, tb + 4999);
	CHECK_EQ_U(rec.ncalls, 1);
	reasm_expire(t->r, tb + 5000);
	REQUIRE(rec.ncalls == 2);
	CHECK(rec.c[1].why == OBJ_REPAIR_TIMEOUT && rec.c[1].sane);
	CHECK_EQ_U(rec.c[1].key.tsi.lo, 2);
	CHECK_EQ_U(stats(t).repairs_handed[OBJ_REPAIR_TIMEOUT], 2);
	repair_fill(t, &rec.c[0], &a);
	repair_fill(t, &rec.c[1], &b);
	check_obj(t, &a);
	check_obj(t, &b);
	rtctx_free(t);

	/* No timeout anywhere: only object_timeout, as before. */
	REQUIRE((t = rtctx_new(NULL, 1, 1)) != NULL);
	op = &a;
	send_fdt(t, 1, 1, &op, 1, 0, NULL);
	ta = t->now;
	send_lossy(t, &a, lose, 0);
	reasm_expire(t->r, ta + 30000);
	CHECK_EQ_U(rec.ncalls, 0);
	reasm_expire(t->r, ta + 30001);
	CHECK_EQ_U(rec.ncalls, 0);
	CHECK_EQ_U(t->ts.aborts[OBJ_ABORT_INCOMPLETE], 1);
	free(lose);
	tobjs_free(&a, 1);
	tobjs_free(&b, 1);
	rtctx_free(t);
}

/* ---- FDT expiry. ---- */

static void
test_expired(void)
{
	static const int holes[] = { 0, 69, -1 };
	struct tctx *t;
	struct tobj x, *op = &x;
	struct reasm_stats st;
	uint8_t *lose;
	uint64_t t0;
	int begins;

	/* Declared, never started, Expires in 10 s: whole, no handle. */
	REQUIRE((t = rtctx_new(NULL, 1, 1)) != NULL);
	rng_seed(25);
	tobj_init(&x, 1, 1, 7000, 100, 8);
	lose = lose_list(holes);
	send_fdt_exp(t, 1, 1, &op, 1, 10, NULL);
	t0 = t->now - 1;
	reasm_expire(t->r, t0 + 9999);
	CHECK_EQ_U(rec.ncalls, 0);
	reasm_expire(t->r, t0 + 10000);
	REQUIRE(rec.ncalls == 1);
	CHECK(rec.c[0].why == OBJ_REPAIR_EXPIRED && rec.c[0].sane);
	CHECK(!rec.c[0].had_h);
	CHECK_EQ_U(rec.c[0].r[0].len, 7000);
	CHECK_EQ_U(rec.c[0].lost, 7000);
	st = stats(t);
	CHECK_EQ_U(st.repairs_handed[OBJ_REPAIR_EXPIRED], 1);
	CHECK_EQ_U(st.lost_bytes, 7000);
	CHECK_EQ_U(st.lost_symbols, 70);
	begins = t->ts.begins;
	send_obj(t, &x);
	CHECK_EQ_U(t->ts.begins, begins);
	t->now = t0 + 60000;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(rec.ncalls, 1);
	CHECK_EQ_U(stats(t).objects_incomplete, 0);
	repair_fill(t, &rec.c[0], &x);
	check_obj(t, &x);
	rtctx_free(t);

	/* Started and incomplete when its FDT expires: with the handle. */
	REQUIRE((t = rtctx_new(NULL, 1, 1)) != NULL);
	send_fdt_exp(t, 1, 1, &op, 1, 10, NULL);
	t0 = t->now - 1;
	send_lossy(t, &x, lose, 0);
	reasm_expire(t->r, t0 + 9999);
	CHECK_EQ_U(rec.ncalls, 0);
	reasm_expire(t->r, t0 + 10000);
	REQUIRE(rec.ncalls == 1);
	CHECK(rec.c[0].why == OBJ_REPAIR_EXPIRED && rec.c[0].sane);
	CHECK(rec.c[0].had_h);
	CHECK_EQ_U(rec.c[0].n, 2);
	CHECK_EQ_U(rec.c[0].lost, 200);
	repair_fill(t, &rec.c[0], &x);
	check_obj(t, &x);
	rtctx_free(t);

	/* Expires already past on arrival: only when it is forgotten. */
	REQUIRE((t = rtctx_new(NULL, 1, 1)) != NULL);
	send_fdt(t, 1, 1, &op, 1, 0, NULL);
	t0 = t->now - 1;
	reasm_expire(t->r, t0 + 30000);
	CHECK_EQ_U(rec.ncalls, 0);
	reasm_expire(t->r, t0 + 30001);
	REQUIRE(rec.ncalls == 1);
	CHECK(rec.c[0].why == OBJ_REPAIR_EXPIRED && !rec.c[0].had_h);
	CHECK_EQ_U(stats(t).objects_incomplete, 0);
	free(lose);
	tobjs_free(&x, 1);
	rtctx_free(t);
}

/* A FullFDT instance leaves out one started and one unstarted object. */
static void
test_expired_full_fdt(void)
{
	static const int holes[] = { 2, -1 };
	struct tctx *t = rtctx_new(NULL, 1, 1);
	struct tobj o[3], *op[3];
	uint64_t t0, t1;
	uint8_t *lose;

	REQUIRE(t != NULL);
	rng_seed(26);
	tobj_init(&o[0], 1, 1, 1000, 100, 4);
	tobj_init(&o[1], 1, 2, 1000, 100, 4);
	tobj_init(&o[2], 1, 3, 1000, 100, 4);
	op[0] = &o[0];
	op[1] = &o[1];
	op[2] = &o[2];
	lose = lose_list(holes);
	send_fdt(t, 1, 1, op, 2, 0, "mbms2008:FullFDT=\"true\"");
	t0 = t->now - 1;
	t->now += 100;
	t1 = t->now;
	send_lossy(t, &o[0], lose, 0);
	send_fdt(t, 1, 2, op + 2, 1, 0, "mbms2008:FullFDT=\"true\"");
	reasm_expire(t->r, t0 + 7499);		/* reparse_ms is 7500 */
	CHECK_EQ_U(rec.ncalls, 0);
	reasm_expire(t->r, t0 + 7500);
	REQUIRE(rec.ncalls == 1);
	CHECK(rec.c[0].why == OBJ_REPAIR_EXPIRED && !rec.c[0].had_h);
	CHECK_EQ_U(rec.c[0].key.toi.lo, 2);
	reasm_expire(t->r, t1 + 7499);
	CHECK_EQ_U(rec.ncalls, 1);
	reasm_expire(t->r, t1 + 7500);
	REQUIRE(rec.ncalls == 2);
	CHECK(rec.c[1].why == OBJ_REPAIR_EXPIRED && rec.c[1].had_h);
	CHECK(rec.c[1].sane);
	CHECK_EQ_U(rec.c[1].key.toi.lo, 1);
	CHECK_EQ_U(stats(t).repairs_handed[OBJ_REPAIR_EXPIRED], 2);
	free(lose);
	tobjs_free(o, 3);
	rtctx_free(t);
}

/* ---- End of session. ---- */

static void
test_session(void)
{
	static const int holes[] = { 4, -1 };
	struct tctx *t;
	struct tobj o, *op = &o;
	uint8_t *lose;
	uint64_t t0;
	int accept;

	rng_seed(27);
	tobj_init(&o, 5, 1, 4000, 100, 8);
	lose = lose_list(holes);
	for (accept = 1; accept >= 0; accept--) {
		REQUIRE((t = rtctx_new(NULL, accept, 1)) != NULL);
		send_fdt(t, 5, 1, &op, 1, 0, NULL);
		send_lossy(t, &o, lose, 0);
		send_signal(t, 5, 1, 1, 0);
		t0 = t->now;
		reasm_expire(t->r, t0 + 2000);
		CHECK_EQ_U(rec.ncalls, 0);
		reasm_expire(t->r, t0 + 2001);
		REQUIRE(rec.ncalls == 1);
		CHECK(rec.c[0].why == OBJ_REPAIR_SESSION && rec.c[0].sane);
		CHECK_EQ_U(stats(t).sessions_now, 0);
		CHECK_EQ_U(stats(t).repairs_handed[OBJ_REPAIR_SESSION],
		    accept);
		CHECK_EQ_U(stats(t).objects_incomplete, !accept);
		CHECK_EQ_U(t->ts.aborts[OBJ_ABORT_INCOMPLETE], !accept);
		if (accept) {
			repair_fill(t, &rec.c[0], &o);
			check_obj(t, &o);
		}
		rtctx_free(t);
	}
	/* Shutdown is not a trigger: the object is aborted. */
	REQUIRE((t = rtctx_new(NULL, 1, 1)) != NULL);
	send_fdt(t, 5, 1, &op, 1, 0, NULL);
	send_lossy(t, &o, lose, 0);
	reasm_free(t->r);
	t->r = NULL;
	CHECK_EQ_U(rec.ncalls, 0);
	CHECK_EQ_U(t->ts.aborts[OBJ_ABORT_SHUTDOWN], 1);
	free(lose);
	tobjs_free(&o, 1);
	rtctx_free(t);
}

/* ---- Verdicts. ---- */

/* A failed repair drops the done marker; a good one keeps it. */
static void
test_verdict(void)
{
	static const int holes[] = { 9, -1 };
	struct tctx *t = rtctx_new(NULL, 1, 1);
	struct tobj o, *op = &o;
	struct obj_key key;
	uint8_t *lose;
	int begins;

	REQUIRE(t != NULL);
	rng_seed(28);
	tobj_init(&o, 6, 8, 3333, 100, 4);
	lose = lose_list(holes);
	send_fdt(t, 6, 1, &op, 1, 0, NULL);
	send_lossy(t, &o, lose, 1);
	REQUIRE(rec.ncalls == 1 && rec.c[0].h != NULL);
	key = rec.c[0].key;
	repair_drop_all(t);			/* the fetch failed */
	reasm_commit_result(t->r, &key, OBJ_EIO);
	CHECK_EQ_U(stats(t).objects_commit_failed, 1);
	send_obj(t, &o);			/* the next cycle */
	check_obj(t, &o);
	CHECK_EQ_U(rec.ncalls, 1);
	/* Repaired and published: repeats stay ignored. */
	tobjs_free(&o, 1);
	tobj_init(&o, 6, 9, 3333, 100, 4);
	send_fdt(t, 6, 2, &op, 1, 0, NULL);
	send_lossy(t, &o, lose, 1);
	REQUIRE(rec.ncalls == 2);
	repair_fill(t, &rec.c[1], &o);
	reasm_commit_result(t->r, &rec.c[1].key, OBJ_OK);
	begins = t->ts.begins;
	send_obj(t, &o);
	CHECK_EQ_U(t->ts.begins, begins);
	check_obj(t, &o);
	free(lose);
	tobjs_free(&o, 1);
	rtctx_free(t);
}

/* ---- Announce. ---- */

static const struct rann *
ann_of(uint32_t toi, int nth)
{
	int i;

	for (i = 0; i < rec.nann; i++)
		if (rec.a[i].key.toi.lo == toi && nth-- == 0)
			return &rec.a[i];
	return NULL;
}

static int
anns_of(uint32_t toi)
{
	int i, n = 0;

	for (i = 0; i < rec.nann; i++)
		n += rec.a[i].key.toi.lo == toi;
	return n;
}

/* Once per declaration, whatever repeats; again for a new version. */
static void
test_announce(void)
{
	struct tctx *t = rtctx_new(NULL, 1, 0);
	struct tobj o[3], *op[3];
	const struct commit *c = NULL;
	const struct rann *a;
	int i;

	REQUIRE(t != NULL);
	rng_seed(29);
	for (i = 0; i < 3; i++) {
		tobj_init(&o[i], 4, (uint32_t)i + 1, 1000 + (uint64_t)i, 100,
		    4);
		op[i] = &o[i];
	}
	send_fdt(t, 4, 1, op, 3, 0, NULL);
	send_fdt(t, 4, 2, op, 3, 0, NULL);
	t->now += 10000;			/* past reparse_ms */
	send_fdt(t, 4, 1, op, 3, 0, NULL);
	send_fdt(t, 4, 3, op, 3, 1, NULL);
	CHECK_EQ_U(rec.nann, 3);
	for (i = 0; i < 3; i++) {
		a = ann_of((uint32_t)i + 1, 0);
		REQUIRE(a != NULL);
		CHECK(strcmp(a->loc, o[i].loc) == 0);
		CHECK_EQ_U(a->len, o[i].len);
		CHECK_EQ_U(a->clen, o[i].len);
		CHECK_EQ_U(a->key.tsi.lo, 4);
		CHECK(a->seq > 0);
	}
	CHECK(rec.a[0].seq != rec.a[1].seq && rec.a[1].seq != rec.a[2].seq);
	send_obj(t, &o[0]);
	REQUIRE(commits_of(&t->ts, 4, 1, &c) == 1);
	CHECK_EQ_U(c->seq, ann_of(1, 0)->seq);
	/* A new version under TOI 2: announced with its new seq. */
	snprintf(o[1].loc, sizeof(o[1].loc), "http://dvb.gw/s4/v2.bin");
	send_fdt(t, 4, 4, op, 3, 0, NULL);
	CHECK_EQ_U(anns_of(2), 2);
	a = ann_of(2, 1);
	REQUIRE(a != NULL);
	CHECK(strcmp(a->loc, o[1].loc) == 0);
	CHECK(a->seq > ann_of(2, 0)->seq);
	CHECK_EQ_U(rec.nann, 4);
	/* Forgotten after its commit, declared again: nothing to wait for. */
	t->now += 31000;
	reasm_expire(t->r, t->now);
	send_fdt(t, 4, 5, op, 1, 0, NULL);
	CHECK_EQ_U(anns_of(1), 1);
	CHECK_EQ_U(rec.ncalls, 0);
	tobjs_free(o, 3);
	rtctx_free(t);
}

/* ---- Without a repair op: exactly as before. ---- */

static void
test_no_repair_op(void)
{
	static const int holes[] = { 1, -1 };
	struct tctx *t = rtctx_new(NULL, 1, 0);
	struct tobj o[3], *op[3];
	struct reasm_stats st;
	uint8_t *lose;
	uint64_t t0;
	int i;

	REQUIRE(t != NULL);
	rng_seed(30);
	for (i = 0; i < 3; i++) {
		tobj_init(&o[i], 1, (uint32_t)i + 1, 900, 100, 4);
		op[i] = &o[i];
	}
	lose = lose_list(holes);
	send_fdt_exp(t, 1, 1, op, 3, 10, NULL);
	t0 = t->now;
	send_lossy(t, &o[0], lose, 1);
	send_lossy(t, &o[1], lose, 1);
	CHECK_EQ_U(stats(t).objects_now, 2);
	send_obj(t, &o[0]);
	check_obj(t, &o[0]);
	reasm_expire(t->r, t0 + 10000);		/* Expires passed */
	CHECK_EQ_U(stats(t).objects_now, 1);
	reasm_expire(t->r, t0 + 30001);
	st = stats(t);
	CHECK_EQ_U(st.objects_now, 0);
	CHECK_EQ_U(t->ts.aborts[OBJ_ABORT_INCOMPLETE], 1);
	CHECK_EQ_U(st.objects_incomplete, 2);	/* o[1], and o[2] unseen */
	for (i = 0; i < OBJ_REPAIR_NTRIGGERS; i++)
		CHECK_EQ_U(st.repairs_handed[i], 0);
	CHECK_EQ_U(st.repairs_declined + st.lost_bytes + st.lost_symbols, 0);
	CHECK_EQ_U(rec.ncalls, 0);
	CHECK_EQ_U(rec.nann, 3);
	free(lose);
	tobjs_free(o, 3);
	rtctx_free(t);
}

/* ---- Parameters: merge gap and max ranges. ---- */

struct param_case {
	uint32_t	gap, max;
	int		holes[6];
	size_t		n;
	uint64_t	off0, len0, offn, lenn;
};

static const struct param_case pcases[] = {
	/* Runs at 1000, 1200, 5000, 9000 (100 bytes each). */
	{ 1, 2, { 10, 12, 50, 90, -1 }, 2, 1000, 4100, 9000, 100 },
	{ 1, 0, { 10, 12, 50, 90, -1 }, 4, 1000, 100, 9000, 100 },
	{ 0, 0, { 10, 12, 50, 90, -1 }, 3, 1000, 300, 9000, 100 },
	{ 0, 1, { 10, 12, 50, 90, -1 }, 1, 1000, 8100, 1000, 8100 },
	{ 3800, 0, { 10, 12, 50, 90, -1 }, 2, 1000, 4100, 9000, 100 },
	{ 3901, 0, { 10, 12, 50, 90, -1 }, 1, 1000, 8100, 1000, 8100 },
	{ 0, 1000000000, { 0, 99, -1 }, 2, 0, 100, 9900, 100 },
};

static void
test_params(void)
{
	struct reasm_params p;
	struct tctx *t;
	struct tobj o, *op = &o;
	uint8_t *lose;
	size_t i;

	rng_seed(31);
	tobj_init(&o, 1, 1, 10000, 100, 32);
	for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		const struct param_case *pc = &pcases[i];
		const struct rcall *c;

		reasm_params_default(&p);
		p.repair_merge_gap = pc->gap;
		p.repair_max_ranges = pc->max;
		REQUIRE((t = rtctx_new(&p, 1, 1)) != NULL);
		lose = lose_list(pc->holes);
		send_fdt(t, 1, 1, &op, 1, 0, NULL);
		send_lossy(t, &o, lose, 1);
		REQUIRE(rec.ncalls == 1);
		c = &rec.c[0];
		CHECK(c->sane);
		CHECK_EQ_U(c->n, pc->n);
		CHECK_EQ_U(c->r[0].off, pc->off0);
		CHECK_EQ_U(c->r[0].len, pc->len0);
		CHECK_EQ_U(c->r[c->n - 1].off, pc->offn);
		CHECK_EQ_U(c->r[c->n - 1].len, pc->lenn);
		free(lose);
		rtctx_free(t);
	}
	tobjs_free(&o, 1);
}

/* ---- Hostile declarations. ---- */

static void
test_hostile(void)
{
	static const char body[] =
	    "<File TOI=\"1\" Content-Location=\"http://dvb.gw/h/zero\" "
	    "Content-Length=\"0\" Transfer-Length=\"0\"/>\n"
	    "<File TOI=\"2\" Content-Location=\"http://dvb.gw/h/nolen\"/>\n"
	    "<File TOI=\"3\" Content-Location=\"http://dvb.gw/h/huge\" "
	    "Transfer-Length=\"1099511627776\" "
	    "FEC-OTI-Encoding-Symbol-Length=\"1400\" "
	    "FEC-OTI-Maximum-Source-Block-Length=\"64\"/>\n"
	    "<File TOI=\"4\" Content-Location=\"http://dvb.gw/h/big\" "
	    "Transfer-Length=\"3221225472\" "
	    "FEC-OTI-Encoding-Symbol-Length=\"1400\" "
	    "FEC-OTI-Maximum-Source-Block-Length=\"64\"/>\n"
	    "<File TOI=\"5\" Content-Location=\"http://dvb.gw/h/clen\" "
	    "Content-Length=\"500\"/>\n"
	    "<File TOI=\"6\" Content-Location=\"http://dvb.gw/h/max\" "
	    "Transfer-Length=\"9223372036854775807\"/>\n";
	struct tctx *t = rtctx_new(NULL, 1, 1);
	struct reasm_stats st;
	uint64_t t0;
	int i;

	REQUIRE(t != NULL);
	send_fdt_body(t, 1, 1, body, 10);
	t0 = t->now - 1;
	CHECK_EQ_U(commits_of(&t->ts, 1, 1, NULL), 1);	/* empty: at once */
	/* huge and max are over max_object_bytes: not on their way. */
	CHECK_EQ_U(rec.nann, 4);
	reasm_expire(t->r, t0 + 10000);
	REQUIRE(rec.ncalls == 2);
	for (i = 0; i < 2; i++) {
		CHECK(rec.c[i].sane && !rec.c[i].had_h);
		CHECK(rec.c[i].why == OBJ_REPAIR_EXPIRED);
	}
	CHECK_EQ_U(rec.c[0].key.toi.lo + rec.c[1].key.toi.lo, 9);
	st = stats(t);
	CHECK_EQ_U(st.lost_bytes, 3221225472ULL + 500);
	CHECK_EQ_U(st.lost_symbols, 2300876);	/* ceil(3 GiB / 1400) */
	reasm_expire(t->r, t0 + 40000);		/* forgotten: not again */
	CHECK_EQ_U(rec.ncalls, 2);
	CHECK_EQ_U(stats(t).objects_incomplete, 3);	/* 2, 3, 6 */
	rtctx_free(t);
}

/* Repair offered, then a newer FDT gives the TOI other content. */
static void
test_replaced(void)
{
	static const int holes[] = { 2, -1 };
	struct tctx *t = rtctx_new(NULL, 0, 1);
	struct tobj a, b, *op;
	uint8_t *lose;

	REQUIRE(t != NULL);
	rng_seed(32);
	tobj_init(&a, 1, 7, 2000, 100, 4);
	tobj_init(&b, 1, 7, 2500, 100, 4);
	snprintf(b.loc, sizeof(b.loc), "http://dvb.gw/s1/o7-v2.bin");
	lose = lose_list(holes);
	op = &a;
	send_fdt(t, 1, 1, &op, 1, 0, NULL);
	send_lossy(t, &a, lose, 1);		/* declined, in flight */
	CHECK_EQ_U(rec.ncalls, 1);
	op = &b;
	send_fdt(t, 1, 2, &op, 1, 0, NULL);
	CHECK_EQ_U(t->ts.aborts[OBJ_ABORT_SUPERSEDED], 1);
	CHECK_EQ_U(anns_of(7), 2);
	send_obj(t, &b);
	check_obj(t, &b);
	CHECK_EQ_U(rec.ncalls, 1);

	/* Taken by repair, then replaced: the new version still arrives. */
	rec.accept = 1;
	tobjs_free(&a, 1);
	tobjs_free(&b, 1);
	tobj_init(&a, 1, 8, 2000, 100, 4);
	tobj_init(&b, 1, 8, 2500, 100, 4);
	snprintf(b.loc, sizeof(b.loc), "http://dvb.gw/s1/o8-v2.bin");
	op = &a;
	send_fdt(t, 1, 3, &op, 1, 0, NULL);
	send_lossy(t, &a, lose, 1);
	REQUIRE(rec.ncalls == 2 && rec.c[1].h != NULL);
	op = &b;
	send_fdt(t, 1, 4, &op, 1, 0, NULL);
	send_obj(t, &b);
	check_obj(t, &b);
	/* The old version's repair fails late: nothing breaks. */
	repair_drop_all(t);
	reasm_commit_result(t->r, &rec.c[1].key, OBJ_EIO);
	send_obj(t, &b);
	CHECK_EQ_U(t->ts.live, 0);
	CHECK_EQ_U(stats(t).objects_now, 0);
	free(lose);
	tobjs_free(&a, 1);
	tobjs_free(&b, 1);
	rtctx_free(t);
}

/* ---- Seeded random loss. ---- */

/*
 * Many geometries, random order, duplicates, up to four symbols per
 * packet and random loss, then a data-less Close Object: every object
 * with a hole is offered once with ranges that cover exactly what is
 * missing, and filling them gives the original bytes.
 */
static void
test_random(void)
{
	static const uint16_t es[] = { 1, 7, 100, 512, 1400 };
	static const uint32_t bs[] = { 1, 3, 16, 64, 200 };
	struct tpkt *pk = calloc(100000, sizeof(*pk));
	struct tctx *t = rtctx_new(NULL, 1, 1);
	struct tobj o[40], *op[40];
	size_t n = 40, np, i, dropped;
	int calls = 0, j;

	REQUIRE(t != NULL && pk != NULL);
	rng_seed(33);
	for (i = 0; i < n; i++) {
		uint16_t e = es[rng_below(5)];

		tobj_init(&o[i], 9, (uint32_t)i + 1, 1 + rng_below(e < 100 ?
		    3000 : 60000), e, bs[rng_below(5)]);
		o[i].pkt_fti = rng_below(2);
		op[i] = &o[i];
	}
	send_fdt(t, 9, 1, op, n, 0, NULL);
	for (i = 0; i < n; i++) {
		np = obj_packets(&o[i], 4, pk, 100000);
		dropped = send_pkts(t, pk, np, 10, rng_below(30));
		send_signal(t, 9, o[i].toi, 0, 1);
		if (dropped == 0) {
			CHECK_EQ_U(rec.ncalls, calls);
			continue;
		}
		REQUIRE(rec.ncalls == calls + 1);
		CHECK(rec.c[calls].sane);
		CHECK(rec.c[calls].n <= RANGES_MAX_PER_REQ);
		CHECK_EQ_U(rec.c[calls].key.toi.lo, o[i].toi);
		repair_fill(t, &rec.c[calls], &o[i]);
		calls++;
	}
	for (i = 0; i < n; i++)
		check_obj(t, &o[i]);
	for (j = 0; j < OBJ_REPAIR_NTRIGGERS; j++)
		CHECK_EQ_U(stats(t).repairs_handed[j],
		    j == OBJ_REPAIR_CLOSE ? calls : 0);
	CHECK(calls > 10);
	tobjs_free(o, n);
	free(pk);
	rtctx_free(t);
}

TEST_MAIN(TEST(test_close), TEST(test_close_cases), TEST(test_declined),
    TEST(test_timeout), TEST(test_expired), TEST(test_expired_full_fdt),
    TEST(test_session), TEST(test_verdict), TEST(test_announce),
    TEST(test_no_repair_op), TEST(test_params), TEST(test_hostile),
    TEST(test_replaced), TEST(test_random))
