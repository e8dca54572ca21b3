/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_reasm_fec_hostile.c: FEC objects (FEI 5 and 6) against bad input:
 * malformed or unsupported OTI in EXT_FTI and in the FDT (T, Al, Z, N
 * zero, T not a multiple of Al, sub-blocks, blocks too large, max_n below
 * B, an FDT FEI the packets contradict), each counted and refused, never a
 * crash; then random and mutated packets with small memory bounds.
 */
#include "reasm_fec_harness.h"

/* A malformed or unsupported OTI: counted and refused, never a crash. */
struct bad_case {
	const char	*name;
	uint8_t		cp;
	int		fti;
	uint16_t	e;
	uint8_t		b, max_n, z, al, hel;
	uint16_t	n;
	uint64_t	len;
	const char	*fdt;		/* FDT-Instance attributes */
	int		object;		/* refused per object, else per packet */
};

static const struct bad_case bad_cases[] = {
	{ "T 0", 6, 1, 0, 0, 0, 1, 4, 0, 1, 1000, NULL, 0 },
	{ "Al 0", 6, 1, 64, 0, 0, 1, 0, 0, 1, 1000, NULL, 0 },
	{ "T % Al", 6, 1, 66, 0, 0, 1, 4, 0, 1, 1000, NULL, 0 },
	{ "Z 0", 6, 1, 64, 0, 0, 0, 4, 0, 1, 1000, NULL, 0 },
	{ "N 0", 6, 1, 64, 0, 0, 1, 4, 0, 0, 1000, NULL, 0 },
	{ "RQ HEL 3", 6, 1, 64, 0, 0, 1, 4, 3, 1, 1000, NULL, 0 },
	{ "N 2", 6, 1, 64, 0, 0, 1, 4, 0, 2, 1000, NULL, 1 },
	{ "K 56404", 6, 1, 4, 0, 0, 1, 4, 0, 1, 4 * 56404ULL, NULL, 1 },
	{ "Z > Kt", 6, 1, 64, 0, 0, 5, 4, 0, 1, 200, NULL, 1 },
	{ "B 0", 5, 1, 100, 0, 10, 0, 0, 0, 0, 1000, NULL, 0 },
	{ "E 0", 5, 1, 0, 8, 10, 0, 0, 0, 0, 1000, NULL, 0 },
	{ "RS HEL 4", 5, 1, 100, 8, 10, 0, 0, 4, 0, 1000, NULL, 0 },
	{ "max_n < B", 5, 1, 100, 10, 5, 0, 0, 0, 0, 1000, NULL, 1 },
	{ "FDT FEI 5, packets 6", 6, 1, 64, 0, 0, 1, 4, 0, 1, 1000,
	    "FEC-OTI-FEC-Encoding-ID=\"5\"", 1 },
	{ "FDT FEI 6, packets 5", 5, 1, 100, 8, 10, 0, 0, 0, 0, 1000,
	    "FEC-OTI-FEC-Encoding-ID=\"6\"", 1 },
	{ "FDT B 300", 5, 0, 100, 0, 0, 0, 0, 0, 0, 1000,
	    "FEC-OTI-FEC-Encoding-ID=\"5\" FEC-OTI-Encoding-Symbol-Length="
	    "\"100\" FEC-OTI-Maximum-Source-Block-Length=\"300\"", 1 },
	{ "FDT max_n 300", 5, 0, 100, 0, 0, 0, 0, 0, 0, 1000,
	    "FEC-OTI-FEC-Encoding-ID=\"5\" FEC-OTI-Encoding-Symbol-Length="
	    "\"100\" FEC-OTI-Maximum-Source-Block-Length=\"8\" "
	    "FEC-OTI-Max-Number-of-Encoding-Symbols=\"300\"", 1 },
	{ "FDT SSI N 2", 6, 0, 64, 0, 0, 0, 0, 0, 0, 1000,
	    "FEC-OTI-FEC-Encoding-ID=\"6\" FEC-OTI-Encoding-Symbol-Length="
	    "\"64\" FEC-OTI-Scheme-Specific-Info=\"AQACBA==\"", 1 },
	{ "FDT SSI Al 0", 6, 0, 64, 0, 0, 0, 0, 0, 0, 1000,
	    "FEC-OTI-FEC-Encoding-ID=\"6\" FEC-OTI-Encoding-Symbol-Length="
	    "\"64\" FEC-OTI-Scheme-Specific-Info=\"AQABAA==\"", 1 },
};

static void
bad_one(const struct bad_case *c)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj o, *op = &o;
	uint8_t pl[256];
	struct fspec s;
	int i;

	REQUIRE(t != NULL);
	tobj_init(&o, 1, 70, c->len, 100, 8);
	o.fdt_oti = 0;
	send_fdt(t, 1, 1, &op, 1, 0, c->fdt);
	memset(&s, 0, sizeof(s));
	memset(pl, 0x33, sizeof(pl));
	s.toi = 70;
	s.cp = c->cp;
	s.fti = c->fti;
	s.l = c->len;
	s.e = c->e;
	s.b = c->b;
	s.max_n = c->max_n;
	s.z = c->z;
	s.n = c->n;
	s.al = c->al;
	s.hel = c->hel;
	s.pl = pl;
	s.len = c->e != 0 && c->e <= sizeof(pl) ? c->e : 64;
	for (i = 0; i < 3; i++)
		CHECK(ffeed(t, &s) < 0);
	if (stats(t).fec_bad_oti != (c->object ? 1u : 3u))
		fprintf(stderr, "  bad OTI case %s\n", c->name);
	CHECK_EQ_U(stats(t).fec_bad_oti, c->object ? 1 : 3);
	CHECK_EQ_U(stats(t).objects_dropped_limit, c->object ? 1 : 0);
	CHECK_EQ_U(t->ts.begins, 0);
	CHECK_EQ_U(stats(t).objects_now, 0);
	tobjs_free(&o, 1);
	tctx_free(t);
}

static void
test_bad_oti(void)
{
	struct tctx *t;
	struct tobj o, *op = &o;
	struct pspec ps;
	size_t i;

	codecs_xor();
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		bad_one(&bad_cases[i]);

	/* No-Code packets for an object the FDT says is RaptorQ. */
	REQUIRE((t = tctx_new(NULL)) != NULL);
	tobj_init(&o, 1, 71, 1000, 100, 8);
	o.fdt_oti = 0;
	send_fdt(t, 1, 1, &op, 1, 0, "FEC-OTI-FEC-Encoding-ID=\"6\"");
	memset(&ps, 0, sizeof(ps));
	ps.tsi = 1;
	ps.toi = 71;
	ps.fti = 1;
	ps.l = 1000;
	ps.e = 100;
	ps.blen = 8;
	ps.pl = o.data;
	ps.len = 100;
	CHECK(feed(t, &ps) < 0);
	CHECK_EQ_U(stats(t).fec_bad_oti, 1);
	CHECK_EQ_U(t->ts.begins, 0);
	tobjs_free(&o, 1);
	tctx_free(t);

	/* Any other FEI in the FDT stays No-Code, as before. */
	REQUIRE((t = tctx_new(NULL)) != NULL);
	tobj_init(&o, 1, 72, 1000, 100, 8);
	send_fdt(t, 1, 1, &op, 1, 0, "FEC-OTI-FEC-Encoding-ID=\"128\"");
	send_obj(t, &o);
	check_obj(t, &o);
	CHECK_EQ_U(stats(t).fec_bad_oti, 0);
	tobjs_free(&o, 1);
	tctx_free(t);
}

/*
 * After the abuse, clean objects still come through: one rebuilt by FEC,
 * one completed by a carousel repeat of its lost symbols.
 */
static void
after_hostile(struct tctx *t)
{
	struct fobj f, g;
	uint8_t *lf, *lg;
	uint32_t nf, ng;
	uint64_t dec = stats(t).fec_blocks_decoded;

	fobj_init(&f, 6, 130, 4000, 64, 2);
	fobj_init(&g, 5, 131, 4000, 100, 16);
	fobj_declare(t, &f, 900, 0);
	fobj_declare(t, &g, 901, 0);
	lf = lose_one_per_block(&f, &nf, 1);
	lg = lose_one_per_block(&g, &ng, 0);
	fsend_all(t, &f, lf, 1, 2);
	fsend_all(t, &g, lg, 0, 1);
	CHECK_EQ_U(stats(t).fec_blocks_decoded, dec + f.p.n);
	fsend_lost(t, &g, lg);
	check_fobj(t, &f);
	check_fobj(t, &g);
	free(lf);
	free(lg);
	tobjs_free(&f.o, 1);
	tobjs_free(&g.o, 1);
}

/* One packet of random bytes with a header loosely like g's. */
static void
hostile_one(struct tctx *t, const struct fobj *g)
{
	static uint8_t junk[700];
	struct fspec s;
	size_t j;

	fspec_of(g, &s);
	for (j = 0; j < sizeof(junk); j++)
		junk[j] = (uint8_t)rng();
	s.toi = 110 + rng_below(6);
	s.cp = rng_below(8) ? (uint8_t)(5 + rng_below(2)) : (uint8_t)rng();
	s.fti = (int)rng_below(2);
	if (rng_below(2)) {
		s.l = rng() % 5000;
		s.e = (uint16_t)rng_below(200);
		s.b = (uint8_t)rng();
		s.max_n = (uint8_t)rng();
		s.z = (uint8_t)rng_below(5);
		s.n = (uint16_t)rng_below(3);
		s.al = (uint8_t)rng_below(9);
	}
	s.hel = (uint8_t)(rng_below(4) ? 0 : rng_below(6));
	s.nofpi = rng_below(20) == 0;
	s.close = rng_below(30) == 0;
	s.sbn = rng_below(8);
	s.esi = rng_below(40);
	s.pl = junk;
	s.len = rng_below(sizeof(junk));
	(void)ffeed(t, &s);
}

/*
 * Random and mutated FEC packets among valid ones (any symbols, repair
 * too, of four declared objects), with expiry now and then: no crash, no
 * leak, the memory bound kept, every commit written exactly once.
 */
static void
test_hostile(void)
{
	struct reasm_params p;
	struct tctx *t;
	struct fobj f[4];
	struct tobj *op[4];
	uint32_t sbn;
	int i, j;

	codecs_xor();
	reasm_params_default(&p);
	p.fec_max_object_bytes = 4096;
	p.fec_max_total_bytes = 6000;
	REQUIRE((t = tctx_new(&p)) != NULL);
	rng_seed(59);
	for (j = 0; j < 4; j++) {
		fobj_init(&f[j], j < 2 ? 5 : 6, 110 + j, 3000 + 500 * j, 64,
		    j < 2 ? 10 : 3);
		op[j] = &f[j].o;
	}
	send_fdt(t, 1, 1, op, 4, 0, NULL);
	for (i = 0; i < 30000; i++) {
		const struct fobj *g = &f[rng_below(4)];

		if (rng_below(2)) {
			sbn = rng_below(g->p.n + 1);
			(void)fsend(t, g, sbn, rng_below(tblen(&g->p, sbn) + 6),
			    1 + rng_below(3), (int)rng_below(2));
		} else {
			hostile_one(t, g);
		}
		CHECK(stats(t).fec_bytes_now <= 6000);
		if (rng_below(500) == 0) {
			t->now += 40000;
			reasm_expire(t->r, t->now);
			send_fdt(t, 1, 2 + (uint32_t)i, op, 4, 0, NULL);
		}
	}
	for (j = 0; j < t->ts.ncommits; j++)
		CHECK(t->ts.c[j].exact);
	t->now += 10000000;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(stats(t).objects_now, 0);
	CHECK_EQ_U(stats(t).fec_bytes_now, 0);
	after_hostile(t);
	for (j = 0; j < 4; j++)
		tobjs_free(&f[j].o, 1);
	tctx_free(t);
}

TEST_MAIN(TEST(test_bad_oti), TEST(test_hostile))
