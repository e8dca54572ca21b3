/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_reasm_repair.c: the carousel side of unicast repair, trigger by
 * trigger.  Cases: Close Object, reception timeout per channel or by
 * default, FDT expiry and FullFDT, end of session, declined offers,
 * failure verdicts, announce once per declaration, counters, and a sink
 * without repair op.  Parameters, hostile declarations, replaced objects
 * and seeded random loss are in test_reasm_repair_hostile.c.  Harness:
 * reasm_repair_harness.h over reasm_harness.h.
 */
#include "reasm_repair_harness.h"

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

/*
 * Packets of a declared object tell the sink it is arriving: on the first
 * one, then at most every OBJ_RECEIVING_MS; an undeclared TOI's do not,
 * nor repeats of a committed one.  Packets buffered because neither the
 * FDT nor they give the symbol length tell it too, and so do packets
 * buffered before the FDT when it starts their object.
 */
static void
test_receiving(void)
{
	static const int second_half[] = { 5, 6, 7, 8, 9, -1 };
	static const int first_half[] = { 0, 1, 2, 3, 4, -1 };
	struct tctx *t = rtctx_new(NULL, 1, 0);
	static const int one[] = { 3, -1 };
	struct tobj o[4], *op[1];
	uint8_t *lose;

	REQUIRE(t != NULL);
	rng_seed(31);
	tobj_init(&o[2], 2, 3, 1000, 100, 10);
	o[2].fdt_oti = o[2].pkt_fti = 0;	/* no geometry anywhere */
	tobj_init(&o[0], 2, 1, 1000, 100, 10);
	tobj_init(&o[1], 2, 2, 1000, 100, 10);
	op[0] = &o[0];
	send_obj(t, &o[1]);			/* never declared */
	CHECK_EQ_U(rec.nrcv, 0);
	send_fdt(t, 2, 1, op, 1, 0, NULL);
	CHECK_EQ_U(rec.nrcv, 0);		/* announced, no packet yet */
	lose = lose_list(second_half);
	send_lossy(t, &o[0], lose, 0);
	free(lose);
	REQUIRE(rec.nrcv == 1);
	CHECK(strcmp(rec.r[0].loc, o[0].loc) == 0);
	CHECK_EQ_U(rec.r[0].key.toi.lo, 1);
	CHECK_EQ_U(rec.r[0].len, o[0].len);
	t->now += OBJ_RECEIVING_MS - 1;		/* too soon to tell again */
	lose = lose_list(first_half);
	send_lossy(t, &o[0], lose, 0);
	free(lose);
	CHECK_EQ_U(rec.nrcv, 1);
	check_obj(t, &o[0]);			/* complete now */
	t->now += OBJ_RECEIVING_MS;
	send_obj(t, &o[0]);			/* a later carousel cycle */
	CHECK_EQ_U(rec.nrcv, 1);
	op[0] = &o[2];
	send_fdt(t, 2, 2, op, 1, 0, NULL);
	send_lossy(t, &o[2], NULL, 0);
	REQUIRE(rec.nrcv == 2);
	CHECK_EQ_U(rec.r[1].key.toi.lo, 3);
	CHECK_EQ_U(stats(t).objects_now, 0);	/* buffered, not started */
	tobj_init(&o[3], 2, 4, 1000, 100, 10);
	lose = lose_list(one);
	send_lossy(t, &o[3], lose, 1);		/* all before its FDT */
	free(lose);
	CHECK_EQ_U(rec.nrcv, 2);
	op[0] = &o[3];
	send_fdt(t, 2, 3, op, 1, 0, NULL);	/* replayed: incomplete */
	REQUIRE(rec.nrcv == 3);
	CHECK_EQ_U(rec.r[2].key.toi.lo, 4);
	tobjs_free(o, 4);
	rtctx_free(t);
}

/* The session of TSI tsi in v[0..n), or NULL. */
static const struct reasm_sess_stats *
sess_of(const struct reasm_sess_stats *v, size_t n, uint32_t tsi)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].tsi.hi == 0 && v[i].tsi.lo == tsi)
			return &v[i];
	return NULL;
}

/*
 * Per-session counters (reasm_get_sessions): a lossy object on TSI 1
 * goes to repair, a whole one on TSI 2 is committed; each session gets
 * its own, they add up to the global counters, and go with the session.
 */
static void
test_sess_counts(void)
{
	static const int holes[] = { 5, 6, 40, 99, -1 };
	struct tctx *t = rtctx_new(NULL, 1, 1);
	struct reasm_sess_stats v[3];
	const struct reasm_sess_stats *a, *b;
	struct tobj o[2], *op[2] = { &o[0], &o[1] };
	struct reasm_stats st;
	uint8_t *lose;

	REQUIRE(t != NULL);
	CHECK_EQ_U(reasm_get_sessions(t->r, v, 3), 0);
	rng_seed(23);
	tobj_init(&o[0], 1, 10, 10000, 100, 16);
	tobj_init(&o[1], 2, 20, 3000, 100, 16);
	send_fdt(t, 1, 1, &op[0], 1, 0, NULL);
	send_fdt(t, 2, 1, &op[1], 1, 0, NULL);
	lose = lose_list(holes);
	send_lossy(t, &o[0], lose, 1);
	send_obj(t, &o[1]);
	check_obj(t, &o[1]);
	REQUIRE(reasm_get_sessions(t->r, v, 3) == 2);
	a = sess_of(v, 2, 1);
	b = sess_of(v, 2, 2);
	REQUIRE(a != NULL && b != NULL);
	CHECK_EQ_U(a->c.repairs, 1);
	CHECK_EQ_U(a->c.lost_symbols, 4);
	CHECK_EQ_U(a->c.objects, 0);
	CHECK_EQ_U(a->c.bytes, 10000 - 400);
	CHECK_EQ_U(b->c.repairs + b->c.lost_symbols + b->c.incomplete, 0);
	CHECK_EQ_U(b->c.objects, 1);
	CHECK_EQ_U(b->c.bytes, 3000);
	CHECK(a->c.packets > 90 && b->c.packets > 30);
	CHECK(a->port == t->chan.port && a->family == t->chan.family);
	st = stats(t);
	CHECK_EQ_U(a->c.packets + b->c.packets, st.packets);
	CHECK_EQ_U(a->c.bytes + b->c.bytes, st.bytes);
	/* A short buffer gets what fits; the count is still all of them. */
	memset(v, 0xa5, sizeof(v));
	CHECK_EQ_U(reasm_get_sessions(t->r, v, 1), 2);
	CHECK(v[1].port == 0xa5a5 && v[1].c.packets == 0xa5a5a5a5a5a5a5a5ULL);
	CHECK_EQ_U(reasm_get_sessions(t->r, NULL, 0), 2);
	/* Forgotten sessions take their counters with them. */
	t->now += 600000;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(reasm_get_sessions(t->r, v, 3), 0);
	free(lose);
	tobjs_free(o, 2);
	rtctx_free(t);
}

TEST_MAIN(TEST(test_close), TEST(test_close_cases), TEST(test_declined),
    TEST(test_timeout), TEST(test_expired), TEST(test_expired_full_fdt),
    TEST(test_session), TEST(test_verdict), TEST(test_announce),
    TEST(test_no_repair_op), TEST(test_receiving), TEST(test_sess_counts))
