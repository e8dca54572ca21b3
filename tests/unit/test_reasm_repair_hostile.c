/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_reasm_repair_hostile.c: the carousel side of unicast repair under
 * strain: merge gap and max ranges, hostile declarations (empty, no
 * length, over max_object_bytes, 3 GiB), a TOI given other content while
 * its repair is offered or taken, and seeded random loss over many
 * geometries.  The cases keep their order of the single binary this was
 * split from, so the seeded packet orders are the same.  Harness:
 * reasm_repair_harness.h over reasm_harness.h; the triggers are in
 * test_reasm_repair.c.
 */
#include "reasm_repair_harness.h"

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

TEST_MAIN(TEST(test_params), TEST(test_hostile), TEST(test_replaced),
    TEST(test_random))
