/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_reasm_fec.c: FLUTE objects of FEI 5 (Reed-Solomon) and FEI 6
 * (RaptorQ) through reassembly (carousel/reasm_fec.c): the RaptorQ
 * partition, lost source symbols rebuilt from repair symbols, repair
 * before source, duplicates, blocks FEC cannot recover (and the ranges
 * unicast repair gets), the memory bounds, a sink without read-back, a
 * codec that fails, packets before the FDT.  Malformed OTI and hostile
 * packets are in test_reasm_fec_hostile.c; the test code is described in
 * reasm_fec_harness.h.  Randomness is seeded.
 */
#include "reasm_fec_harness.h"

/* ---- Cases. ---- */

/* RFC 6330 4.4.1.2 and protocols.md 2.4: Partition[Kt, Z]. */
static void
test_partition_z(void)
{
	struct fec_part p;
	struct tpart q;
	int i;

	CHECK(fec_partition_z(715ULL * 1400, 1400, 2, &p) == 0);
	CHECK_EQ_U(p.t, 715);
	CHECK_EQ_U(p.n, 2);
	CHECK_EQ_U(p.a_large, 358);		/* KL */
	CHECK_EQ_U(p.a_small, 357);		/* KS */
	CHECK_EQ_U(p.i_large, 1);		/* ZL; ZS = Z - ZL = 1 */
	CHECK_EQ_U(fec_block_len(&p, 0), 358);
	CHECK_EQ_U(fec_block_len(&p, 1), 357);
	CHECK_EQ_U(fec_block_len(&p, 2), 0);
	CHECK_EQ_U(fec_symbol_offset(&p, 1, 0), 358ULL * 1400);
	CHECK_EQ_U(fec_symbol_size(&p, 1, 356), 1400);
	CHECK(fec_partition_z(1000, 64, 3, &p) == 0);	/* Kt 16 */
	CHECK_EQ_U(p.a_large, 6);
	CHECK_EQ_U(p.a_small, 5);
	CHECK_EQ_U(p.i_large, 1);
	CHECK_EQ_U(fec_symbol_size(&p, 2, 4), 1000 - 15 * 64);
	CHECK(fec_partition_z(640, 64, 5, &p) == 0);	/* Kt 10: even */
	CHECK_EQ_U(p.a_large, 2);
	CHECK_EQ_U(p.a_small, 2);
	CHECK_EQ_U(p.i_large, 0);
	CHECK(fec_partition_z(1000, 0, 1, &p) == FEC_EINVAL);
	CHECK(fec_partition_z(1000, 64, 0, &p) == FEC_EINVAL);
	CHECK(fec_partition_z(100, 64, 3, &p) == FEC_EINVAL);	/* Z > Kt */
	CHECK(fec_partition_z(0, 64, 3, &p) == 0);
	CHECK_EQ_U(p.t, 0);
	CHECK_EQ_U(p.n, 0);
	CHECK(fec_partition_z(1ULL << 40, 1, 1, &p) == FEC_ERANGE);
	rng_seed(61);
	for (i = 0; i < 2000; i++) {
		uint64_t len = 1 + rng() % (1ULL << 30);
		uint32_t t = 1 + rng_below(65535), z = 1 + rng_below(256);

		if ((len + t - 1) / t < z) {
			CHECK(fec_partition_z(len, t, z, &p) == FEC_EINVAL);
			continue;
		}
		tpart_z(len, t, z, &q);
		REQUIRE(fec_partition_z(len, t, z, &p) == 0);
		CHECK(p.t == q.t && p.n == q.n && p.a_large == q.al &&
		    p.a_small == q.as && p.i_large == q.il);
		CHECK_EQ_U(fec_symbol_offset(&p, z - 1, 0), toff(&q, z - 1, 0));
	}
}

/* FEI 5: one lost source symbol per block rebuilt from its repair symbol. */
static void
test_rs_recover(void)
{
	struct reasm_sess_stats sv[2];
	struct tctx *t;
	struct fobj f, g;
	struct reasm_stats st;
	uint8_t *lose;
	uint32_t nlost;

	codecs_xor();
	REQUIRE((t = tctx_new(NULL)) != NULL);
	rng_seed(51);
	fobj_init(&f, 5, 10, 2950, 100, 8);	/* blocks 8, 8, 7, 7 */
	fobj_declare(t, &f, 1, 0);
	lose = lose_one_per_block(&f, &nlost, 1);
	fsend_all(t, &f, lose, 1, 1);
	check_fobj(t, &f);
	st = stats(t);
	CHECK_EQ_U(st.fec_blocks_decoded, 4);
	CHECK_EQ_U(st.fec_symbols_recovered, nlost);
	/* The session's own counters (reasm_get_sessions). */
	REQUIRE(reasm_get_sessions(t->r, sv, 2) == 1);
	CHECK_EQ_U(sv[0].c.fec_recovered, nlost);
	CHECK_EQ_U(sv[0].c.objects, 1);
	CHECK_EQ_U(sv[0].c.lost_symbols + sv[0].c.repairs, 0);
	CHECK_EQ_U(st.fec_repair_held, 4);
	CHECK_EQ_U(st.fec_no_decode, 0);
	CHECK_EQ_U(st.fec_bytes_now, 0);
	CHECK(t->ts.reads > 0);
	/* n = floor(k * max_n / B), RFC 5510 6.2: max_n 10, B 8. */
	CHECK_EQ_U(xo.n_of_k[8], 10);
	CHECK_EQ_U(xo.n_of_k[7], 8);
	CHECK_EQ_U(xo.last_t, 100);
	free(lose);

	/* The OTI from the FDT alone; several symbols per packet. */
	fobj_init(&g, 5, 11, 5000, 64, 20);
	g.fti = 0;
	fobj_declare(t, &g, 2, 1);
	lose = lose_one_per_block(&g, &nlost, 0);
	fsend_all(t, &g, lose, 1, 3);
	check_fobj(t, &g);
	CHECK_EQ_U(stats(t).fec_blocks_decoded, 4 + g.p.n);
	free(lose);
	tobjs_free(&f.o, 1);
	tobjs_free(&g.o, 1);
	tctx_free(t);
}

/* FEI 6: Z blocks, multi-symbol packets across source and repair. */
static void
test_rq_recover(void)
{
	struct tctx *t;
	struct fobj f, g;
	uint8_t *lose;
	uint32_t nlost;

	codecs_xor();
	REQUIRE((t = tctx_new(NULL)) != NULL);
	rng_seed(52);
	fobj_init(&f, 6, 20, 64 * 50 - 24, 64, 3);	/* 17, 17, 16 */
	CHECK_EQ_U(f.p.al, 17);
	CHECK_EQ_U(f.p.il, 2);
	fobj_declare(t, &f, 1, 0);
	lose = lose_one_per_block(&f, &nlost, 0);
	fsend_all(t, &f, lose, 3, 4);
	check_fobj(t, &f);
	CHECK_EQ_U(stats(t).fec_blocks_decoded, 3);
	CHECK_EQ_U(stats(t).fec_symbols_recovered, nlost);
	CHECK_EQ_U(xo.last_t, 64);
	free(lose);

	/* Z, N and Al from the FDT's Scheme-Specific-Info. */
	fobj_init(&g, 6, 21, 7777, 128, 5);
	g.fti = 0;
	fobj_declare(t, &g, 2, 1);
	lose = lose_one_per_block(&g, &nlost, 1);
	fsend_all(t, &g, lose, 1, 1);
	check_fobj(t, &g);
	CHECK_EQ_U(stats(t).fec_blocks_decoded, 3 + 5);
	CHECK_EQ_U(stats(t).fec_bytes_now, 0);
	free(lose);
	tobjs_free(&f.o, 1);
	tobjs_free(&g.o, 1);
	tctx_free(t);
}

/* Repair symbols first, duplicates of both kinds, repair not needed. */
static void
test_repair_first(void)
{
	struct tctx *t;
	struct fobj f;
	struct reasm_stats st;
	uint32_t esi;

	codecs_xor();
	REQUIRE((t = tctx_new(NULL)) != NULL);
	rng_seed(53);
	fobj_init(&f, 5, 30, 1600, 100, 8);		/* blocks 8, 8 */
	fobj_declare(t, &f, 1, 0);
	CHECK(fsend(t, &f, 0, 8, 1, 0) == 0);		/* parity first */
	CHECK(fsend(t, &f, 0, 8, 1, 0) == 0);		/* and again */
	st = stats(t);
	CHECK_EQ_U(st.fec_repair_held, 1);
	CHECK_EQ_U(st.duplicate_symbols, 1);
	CHECK(st.fec_bytes_now > 0);
	for (esi = 0; esi < 8; esi++)			/* block 1 whole */
		CHECK(fsend(t, &f, 1, esi, 1, 0) == 0);
	CHECK(fsend(t, &f, 1, 8, 1, 0) == 0);		/* not needed */
	CHECK_EQ_U(stats(t).fec_repair_unneeded, 1);
	for (esi = 0; esi < 8; esi++) {
		if (esi == 5)
			continue;
		CHECK(fsend(t, &f, 0, esi, 1, 0) == 0);
		if (esi == 2)
			CHECK(fsend(t, &f, 0, esi, 1, 0) == 0);
		if (esi < 7)
			CHECK_EQ_U(t->ts.ncommits, 0);
	}
	check_fobj(t, &f);
	st = stats(t);
	CHECK_EQ_U(st.duplicate_symbols, 2);
	CHECK_EQ_U(st.fec_blocks_decoded, 1);
	CHECK_EQ_U(st.fec_symbols_recovered, 1);
	CHECK_EQ_U(st.fec_bytes_now, 0);
	/* A later cycle of the committed object is ignored. */
	CHECK(fsend(t, &f, 0, 8, 1, 0) == 0);
	CHECK_EQ_U(stats(t).fec_repair_held, 1);
	tobjs_free(&f.o, 1);
	tctx_free(t);
}

/* ---- Unicast repair of what FEC cannot rebuild. ---- */

static struct {
	int		calls;
	struct obj_range r[16];
	size_t		n;
	uint64_t	lost;
	enum obj_repair_trigger why;
} rp;

static int
fr_repair(void *ctx, void *hv, const struct obj_meta *m,
    const struct obj_range *rg, size_t n, uint64_t lost,
    enum obj_repair_trigger why)
{
	(void)m;
	rp.calls++;
	rp.n = n < 16 ? n : 16;
	memcpy(rp.r, rg, rp.n * sizeof(*rg));
	rp.lost = lost;
	rp.why = why;
	if (hv != NULL)
		ts_release(ctx, hv);
	return 0;
}

static void
close_object(struct tctx *t, const struct fobj *f)
{
	struct fspec s;

	fspec_of(f, &s);
	s.fti = 0;
	s.nofpi = 1;
	s.close = 1;
	CHECK(ffeed(t, &s) == 0);
}

/* lose[] marking the given (sbn, esi) pairs, ended by sbn UINT32_MAX. */
static uint8_t *
lose_list(const struct fobj *f, const uint32_t *pairs)
{
	uint8_t *lose = calloc(f->p.t + 1, 1);

	for (; pairs[0] != UINT32_MAX; pairs += 2)
		lose[toff(&f->p, pairs[0], pairs[1]) / f->o.e] = 1;
	return lose;
}

/* A context whose repair op records the ranges (no merging). */
static struct tctx *
repair_ctx(void)
{
	struct reasm_params p;
	struct tctx *t;

	codecs_xor();
	reasm_params_default(&p);
	p.repair_merge_gap = 1;
	if ((t = tctx_new(&p)) != NULL)
		t->ts.ops.repair = fr_repair;
	memset(&rp, 0, sizeof(rp));
	return t;
}

/* RS, blocks of 8: block 0 is rebuilt, block 1 lost two: only its ranges. */
static void
test_unrecoverable_rs(void)
{
	static const uint32_t rs_lose[] = { 0, 2, 1, 1, 1, 5, UINT32_MAX };
	struct tctx *t = repair_ctx();
	struct fobj f;
	uint8_t *lose;
	uint32_t sbn;

	REQUIRE(t != NULL);
	rng_seed(54);
	fobj_init(&f, 5, 40, 2400, 100, 8);
	fobj_declare(t, &f, 1, 0);
	lose = lose_list(&f, rs_lose);
	fsend_all(t, &f, lose, 0, 1);
	for (sbn = 0; sbn < 3; sbn++)		/* parities last */
		CHECK(fsend(t, &f, sbn, 8, 1, 0) == 0);
	CHECK_EQ_U(stats(t).fec_blocks_decoded, 1);
	CHECK_EQ_U(stats(t).fec_repair_unneeded, 1);	/* block 2's */
	CHECK(stats(t).fec_bytes_now > 0);	/* block 1's parity */
	close_object(t, &f);
	CHECK_EQ_U(rp.calls, 1);
	CHECK_EQ_U(rp.why, OBJ_REPAIR_LOSS);
	CHECK_EQ_U(rp.n, 2);
	CHECK_EQ_U(rp.r[0].off, 9 * 100);
	CHECK_EQ_U(rp.r[0].len, 100);
	CHECK_EQ_U(rp.r[1].off, 13 * 100);
	CHECK_EQ_U(rp.r[1].len, 100);
	CHECK_EQ_U(rp.lost, 200);
	CHECK_EQ_U(stats(t).fec_bytes_now, 0);
	CHECK_EQ_U(stats(t).objects_now, 0);
	free(lose);
	tobjs_free(&f.o, 1);
	tctx_free(t);
}

/*
 * RaptorQ, blocks of 10: block 1 is rebuilt; block 0 lost two, so its
 * decode says "more" at K, K+1 and K+2 and then gives up.
 */
static void
test_unrecoverable_rq(void)
{
	static const uint32_t rq_lose[] = { 0, 3, 0, 6, 1, 9, UINT32_MAX };
	struct tctx *t = repair_ctx();
	struct fobj g;
	uint64_t held;
	uint8_t *lose;
	uint32_t esi;

	REQUIRE(t != NULL);
	rng_seed(55);
	fobj_init(&g, 6, 41, 64 * 20, 64, 2);
	fobj_declare(t, &g, 2, 0);
	lose = lose_list(&g, rq_lose);
	fsend_all(t, &g, lose, 0, 1);
	held = stats(t).fec_repair_held;
	CHECK(fsend(t, &g, 1, 10, 1, 0) == 0);
	CHECK_EQ_U(stats(t).fec_blocks_decoded, 1);
	for (esi = 10; esi < 14; esi++) {
		CHECK(fsend(t, &g, 0, esi, 1, 0) == 0);
		CHECK_EQ_U(stats(t).fec_decode_failed, esi == 13);
	}
	CHECK_EQ_U(stats(t).fec_repair_held, held + 1 + 4);
	CHECK_EQ_U(stats(t).fec_bytes_now, 0);
	CHECK(fsend(t, &g, 0, 14, 1, 0) == 0);	/* held afresh */
	CHECK(stats(t).fec_bytes_now > 0);
	close_object(t, &g);
	CHECK_EQ_U(rp.calls, 1);
	CHECK_EQ_U(rp.n, 2);
	CHECK_EQ_U(rp.r[0].off, 3 * 64);
	CHECK_EQ_U(rp.r[0].len, 64);
	CHECK_EQ_U(rp.r[1].off, 6 * 64);
	CHECK_EQ_U(rp.lost, 128);
	CHECK_EQ_U(stats(t).fec_bytes_now, 0);
	free(lose);
	tobjs_free(&g.o, 1);
	tctx_free(t);
}

/* Repair symbols beyond the per-object and total bounds are dropped. */
static void
test_memory_bounds(void)
{
	struct reasm_params p;
	struct tctx *t;
	struct fobj f[3];
	struct reasm_stats st;
	uint8_t *lose[3];
	uint32_t nlost, sbn, i;

	codecs_xor();
	reasm_params_default(&p);
	p.fec_max_object_bytes = 900;	/* a block (800 bytes) may decode */
	p.fec_max_total_bytes = 1400;
	REQUIRE((t = tctx_new(&p)) != NULL);
	rng_seed(55);
	for (i = 0; i < 3; i++) {
		fobj_init(&f[i], 5, 50 + i, 3200, 100, 8);	/* 4 blocks */
		fobj_declare(t, &f[i], 1 + i, 0);
		lose[i] = lose_one_per_block(&f[i], &nlost, 0);
	}
	/* Parities first: nothing can be decoded yet, memory fills up. */
	for (i = 0; i < 3; i++)
		for (sbn = 0; sbn < 4; sbn++) {
			CHECK(fsend(t, &f[i], sbn, 8, 1, 0) == 0);
			CHECK(stats(t).fec_bytes_now <= 1400);
		}
	st = stats(t);
	CHECK(st.fec_repair_held > 0);
	CHECK(st.fec_repair_dropped > 0);
	CHECK_EQ_U(st.fec_repair_held + st.fec_repair_dropped, 12);
	/* What was held rebuilds its block; the rest waits for repeats. */
	for (i = 0; i < 3; i++)
		fsend_all(t, &f[i], lose[i], 0, 2);
	st = stats(t);
	CHECK_EQ_U(st.fec_blocks_decoded, st.fec_repair_held);
	CHECK_EQ_U(st.fec_bytes_now, 0);
	CHECK_EQ_U(t->ts.ncommits, 0);
	for (i = 0; i < 3; i++) {
		fsend_lost(t, &f[i], lose[i]);
		check_fobj(t, &f[i]);
		free(lose[i]);
		tobjs_free(&f[i].o, 1);
	}
	tctx_free(t);

	/* No memory at all: every repair symbol is dropped. */
	p.fec_max_object_bytes = 0;
	REQUIRE((t = tctx_new(&p)) != NULL);
	fobj_init(&f[0], 6, 60, 1000, 100, 1);
	fobj_declare(t, &f[0], 1, 0);
	CHECK(fsend(t, &f[0], 0, 10, 1, 0) == 0);
	CHECK_EQ_U(stats(t).fec_repair_dropped, 1);
	CHECK_EQ_U(stats(t).fec_no_decode, 1);		/* blocks too large */
	tobjs_free(&f[0].o, 1);
	tctx_free(t);
}

/* A sink that cannot read back: source symbols only. */
static void
test_no_read(void)
{
	struct tctx *t;
	struct fobj f;
	struct reasm_stats st;
	uint8_t *lose;
	uint32_t nlost;

	codecs_xor();
	REQUIRE((t = tctx_new(NULL)) != NULL);
	t->ts.ops.read = NULL;
	rng_seed(56);
	fobj_init(&f, 5, 80, 1500, 100, 8);		/* blocks 8, 7 */
	fobj_declare(t, &f, 1, 0);
	lose = lose_one_per_block(&f, &nlost, 1);
	fsend_all(t, &f, lose, 1, 1);
	st = stats(t);
	CHECK_EQ_U(t->ts.ncommits, 0);
	CHECK_EQ_U(st.fec_no_decode, 1);
	CHECK_EQ_U(st.fec_repair_dropped, 2);
	CHECK_EQ_U(st.fec_repair_held, 0);
	CHECK_EQ_U(st.fec_bytes_now, 0);
	CHECK_EQ_U(xo.decodes, 0);
	fsend_lost(t, &f, lose);
	check_fobj(t, &f);
	free(lose);
	tobjs_free(&f.o, 1);
	tctx_free(t);
}

/* A codec that refuses the block: the object goes on without FEC. */
static void
test_codec_fails(void)
{
	struct tctx *t;
	struct fobj f;
	struct reasm_stats st;
	uint8_t *lose;
	uint32_t nlost;

	codecs_xor();
	fec_codec_override(5, &bad_rs);
	REQUIRE((t = tctx_new(NULL)) != NULL);
	rng_seed(57);
	fobj_init(&f, 5, 90, 2400, 100, 8);		/* blocks 8, 8, 8 */
	fobj_declare(t, &f, 1, 0);
	lose = lose_one_per_block(&f, &nlost, 0);
	fsend_all(t, &f, lose, 1, 1);
	st = stats(t);
	CHECK_EQ_U(xo.decodes, 1);
	CHECK_EQ_U(st.fec_decode_failed, 1);
	CHECK_EQ_U(st.fec_no_decode, 1);
	CHECK_EQ_U(st.fec_blocks_decoded, 0);
	CHECK_EQ_U(st.fec_bytes_now, 0);
	CHECK_EQ_U(t->ts.ncommits, 0);
	fsend_lost(t, &f, lose);
	check_fobj(t, &f);
	free(lose);
	tobjs_free(&f.o, 1);
	tctx_free(t);
	codecs_xor();
}

/* FEC packets that arrive before their FDT are replayed into the object. */
static void
test_before_fdt(void)
{
	struct tctx *t;
	struct fobj f;
	uint8_t *lose;
	uint32_t nlost;

	codecs_xor();
	REQUIRE((t = tctx_new(NULL)) != NULL);
	rng_seed(58);
	fobj_init(&f, 6, 100, 3000, 64, 2);
	lose = lose_one_per_block(&f, &nlost, 1);
	fsend_all(t, &f, lose, 1, 2);
	CHECK_EQ_U(t->ts.begins, 0);
	CHECK(stats(t).prefdt_bytes_now > 0);
	fobj_declare(t, &f, 1, 0);
	check_fobj(t, &f);
	CHECK_EQ_U(stats(t).fec_blocks_decoded, 2);
	CHECK_EQ_U(stats(t).prefdt_bytes_now, 0);
	free(lose);
	tobjs_free(&f.o, 1);
	tctx_free(t);
}

/* Plain No-Code objects are unaffected (and use every harness helper). */
static void
test_nocode_still(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj o, *op = &o;

	REQUIRE(t != NULL);
	rng_seed(60);
	tobj_init(&o, 1, 120, 5000, 100, 8);
	send_fdt(t, 1, 1, &op, 1, 2, NULL);
	send_obj(t, &o);
	check_obj(t, &o);
	CHECK_EQ_U(stats(t).fec_no_decode, 0);
	CHECK_EQ_U(t->ts.reads, 0);
	tobjs_free(&o, 1);
	tctx_free(t);
}

TEST_MAIN(TEST(test_partition_z), TEST(test_rs_recover),
    TEST(test_rq_recover), TEST(test_repair_first),
    TEST(test_unrecoverable_rs), TEST(test_unrecoverable_rq),
    TEST(test_memory_bounds), TEST(test_no_read), TEST(test_codec_fails),
    TEST(test_before_fdt), TEST(test_nocode_still))
