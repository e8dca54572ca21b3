/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_fec.c: RFC 5052 section 9.1 block partitioning (the worked example
 * of protocols.md 2.4, edge cases, randomized tiling) and the EXT_FTI
 * OTI layouts of protocols.md 2.2, well-formed and malformed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "../../carousel/fec.h"

static void
test_worked_example(void)
{
	struct fec_part p;
	uint32_t sbn, total = 0;

	REQUIRE(fec_partition(1000000, 1400, 64, &p) == 0);
	CHECK_EQ_U(p.len, 1000000);
	CHECK_EQ_U(p.e, 1400);
	CHECK_EQ_U(p.t, 715);
	CHECK_EQ_U(p.n, 12);
	CHECK_EQ_U(p.a_large, 60);
	CHECK_EQ_U(p.a_small, 59);
	CHECK_EQ_U(p.i_large, 7);
	for (sbn = 0; sbn < p.n; sbn++) {
		CHECK_EQ_U(fec_block_len(&p, sbn), sbn < 7 ? 60 : 59);
		total += fec_block_len(&p, sbn);
	}
	CHECK_EQ_U(total, 715);
	CHECK_EQ_U(fec_block_len(&p, 12), 0);
	/* The last symbol: block 11, ESI 58. */
	CHECK_EQ_U(fec_symbol_offset(&p, 11, 58), 999600);
	CHECK_EQ_U(fec_symbol_size(&p, 11, 58), 400);
	CHECK_EQ_U(fec_symbol_index(&p, 11, 58), 714);
	/* The repair example: bytes=684600-685999. */
	CHECK_EQ_U(fec_symbol_offset(&p, 8, 10), 684600);
	CHECK_EQ_U(fec_symbol_size(&p, 8, 10), 1400);
	CHECK_EQ_U(fec_symbol_index(&p, 8, 10), 489);
	CHECK_EQ_U(fec_symbol_offset(&p, 0, 0), 0);
	CHECK_EQ_U(fec_symbol_offset(&p, 7, 0), 420 * 1400);
	/* Out of range gives size 0. */
	CHECK_EQ_U(fec_symbol_size(&p, 11, 59), 0);
	CHECK_EQ_U(fec_symbol_size(&p, 6, 60), 1400 * 0);
	CHECK_EQ_U(fec_symbol_size(&p, 12, 0), 0);
	CHECK_EQ_U(fec_symbol_size(&p, 6, 59), 1400);
}

/* Small and edge inputs, table-driven. */
static void
test_partition_table(void)
{
	static const struct {
		uint64_t	len;
		uint32_t	e, b;
		int		rc;
		uint64_t	t;
		uint32_t	n, al, as, il, last;
	} t[] = {
		{ 0, 1400, 64, 0, 0, 0, 0, 0, 0, 0 },		/* empty */
		{ 100, 1400, 64, 0, 1, 1, 1, 1, 0, 100 },	/* L < E */
		{ 1400, 1400, 64, 0, 1, 1, 1, 1, 0, 1400 },	/* L = E */
		/* L = 10E exactly */
		{ 14000, 1400, 4, 0, 10, 3, 4, 3, 1, 1400 },
		{ 14001, 1400, 4, 0, 11, 3, 4, 3, 2, 1 },
		{ 5, 1, 1, 0, 5, 5, 1, 1, 0, 1 },		/* B = 1 */
		{ 64 * 1400, 1400, 64, 0, 64, 1, 64, 64, 0, 1400 },
		{ 65 * 1400, 1400, 64, 0, 65, 2, 33, 32, 1, 1400 },
		{ 100, 0, 64, FEC_EINVAL, 0, 0, 0, 0, 0, 0 },	/* E = 0 */
		/* B = 0 */
		{ 100, 1400, 0, FEC_EINVAL, 0, 0, 0, 0, 0, 0 },
		{ 0, 0, 0, FEC_EINVAL, 0, 0, 0, 0, 0, 0 },
		/* T = 2^32 - 1 still fits, one more symbol does not. */
		{ 0xffffffffULL, 1, 1, 0, 0xffffffffULL, 0xffffffffU, 1, 1,
		    0, 1 },
		{ 0x100000000ULL, 1, 1, FEC_ERANGE, 0, 0, 0, 0, 0, 0 },
		{ UINT64_MAX, 1, 64, FEC_ERANGE, 0, 0, 0, 0, 0, 0 },
		{ UINT64_MAX, 65535, 1, FEC_ERANGE, 0, 0, 0, 0, 0, 0 },
		/* 48-bit L with E = 65535: about 4.3e9 symbols, too many. */
		{ 0xffffffffffffULL, 65535, 0xffffffffU, FEC_ERANGE,
		    0, 0, 0, 0, 0, 0 },
		/* Big but legal: last symbol far out, no overflow. */
		{ 0xffffffffffffULL, 0xffffffffU, 0xffffffffU, 0, 65537, 1,
		    65537, 65537, 0, 0xffff },
	};
	struct fec_part p;
	uint32_t last_sbn;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc = fec_partition(t[i].len, t[i].e, t[i].b, &p);
		CHECK_EQ_U(rc, t[i].rc);
		if (rc != 0)
			continue;
		CHECK_EQ_U(p.t, t[i].t);
		CHECK_EQ_U(p.n, t[i].n);
		CHECK_EQ_U(p.a_large, t[i].al);
		CHECK_EQ_U(p.a_small, t[i].as);
		CHECK_EQ_U(p.i_large, t[i].il);
		if (p.t == 0) {
			CHECK_EQ_U(fec_block_len(&p, 0), 0);
			CHECK_EQ_U(fec_symbol_size(&p, 0, 0), 0);
			continue;
		}
		last_sbn = p.n - 1;
		CHECK_EQ_U(fec_symbol_size(&p, last_sbn,
		    fec_block_len(&p, last_sbn) - 1), t[i].last);
		CHECK_EQ_U(fec_symbol_offset(&p, last_sbn,
		    fec_block_len(&p, last_sbn) - 1) + t[i].last, t[i].len);
	}
}

static uint64_t
rnd(uint64_t *s)
{
	/* xorshift64*, deterministic for a fixed seed. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/*
 * Walk every (sbn, esi) of one partition: offsets must run contiguously
 * from 0 to L, indexes from 0 to T-1, and every byte be covered once.
 * Returns the number of failures.
 */
static unsigned
tile_check(uint64_t len, uint32_t e, uint32_t b, uint8_t *cover)
{
	struct fec_part p;
	uint64_t next = 0, idx = 0, off, k;
	uint32_t sbn, esi, bl, sz;
	unsigned bad = 0;

	if (fec_partition(len, e, b, &p) != 0)
		return 1;
	memset(cover, 0, len);
	bad += p.n > 0 && p.a_large - p.a_small > 1;
	bad += p.a_large > b || p.i_large >= (p.n ? p.n : 1);
	for (sbn = 0; sbn < p.n; sbn++) {
		bl = fec_block_len(&p, sbn);
		bad += bl == 0 || bl > b;
		for (esi = 0; esi < bl; esi++) {
			off = fec_symbol_offset(&p, sbn, esi);
			sz = fec_symbol_size(&p, sbn, esi);
			bad += off != next || fec_symbol_index(&p, sbn, esi)
			    != idx || sz == 0 || sz > e || off + sz > len;
			if (off + sz > len)
				return bad;
			for (k = off; k < off + sz; k++)
				cover[k]++;
			next = off + sz;
			idx++;
		}
		bad += fec_symbol_size(&p, sbn, bl) != 0;
	}
	bad += next != len || idx != p.t || fec_block_len(&p, p.n) != 0;
	for (k = 0; k < len; k++)
		bad += cover[k] != 1;
	return bad;
}

/* Many random (L, E, B): the symbols tile [0, L) exactly once. */
static void
test_tiling(void)
{
	enum { MAXLEN = 100000 };
	uint64_t seed = 0x243f6a8885a308d3ULL, len;
	uint32_t e, b;
	uint8_t *cover = malloc(MAXLEN);
	unsigned i, bad = 0;

	REQUIRE(cover != NULL);
	for (i = 0; i < 1000; i++) {
		/* Mix tiny and large objects, symbols and blocks. */
		len = rnd(&seed) % (i % 4 == 0 ? 50 : MAXLEN);
		e = (uint32_t)(rnd(&seed) % (i % 3 == 0 ? 8 : 2000)) + 1;
		b = (uint32_t)(rnd(&seed) % (i % 5 == 0 ? 3 : 300)) + 1;
		if (tile_check(len, e, b, cover) != 0) {
			fprintf(stderr, "tiling L=%llu E=%u B=%u failed\n",
			    (unsigned long long)len, e, b);
			bad++;
		}
	}
	CHECK_EQ_U(bad, 0);
	free(cover);
}

/* Big-endian writers for building EXT_FTI. */
static void
put(uint8_t *p, uint64_t v, int bytes)
{
	while (bytes-- > 0) {
		p[bytes] = (uint8_t)v;
		v >>= 8;
	}
}

/* One encoded OTI per layout, with the values it must decode to. */
struct oti_case {
	uint8_t		fei, hel;
	uint64_t	tl;
	uint16_t	inst, e;
	uint32_t	b;
	uint16_t	max_n, z, n;
	uint8_t		al, m, g;
	uint8_t		raw_m, raw_g;	/* FEI 2 as sent */
};

static size_t
oti_encode(const struct oti_case *c, uint8_t *x)
{
	memset(x, 0xee, 16);
	x[0] = 64;
	x[1] = c->hel;
	switch (c->fei) {
	case 129:
		put(x + 2, c->tl, 6); put(x + 8, c->inst, 2);
		put(x + 10, c->e, 2); put(x + 12, c->b, 2);
		put(x + 14, c->max_n, 2);
		break;
	case 2:
		put(x + 2, c->tl, 6); x[8] = c->raw_m; x[9] = c->raw_g;
		put(x + 10, c->e, 2); put(x + 12, c->b, 2);
		put(x + 14, c->max_n, 2);
		break;
	case 5:
		put(x + 2, c->tl, 6); put(x + 8, c->e, 2);
		x[10] = (uint8_t)c->b; x[11] = (uint8_t)c->max_n;
		break;
	case 6:
		put(x + 2, c->tl, 5); x[7] = 0; put(x + 8, c->e, 2);
		x[10] = (uint8_t)c->z; put(x + 11, c->n, 2); x[13] = c->al;
		put(x + 14, 0, 2);
		break;
	case 1:
		put(x + 2, c->tl, 5); x[7] = 0; put(x + 8, c->e, 2);
		put(x + 10, c->z, 2); x[12] = (uint8_t)c->n; x[13] = c->al;
		put(x + 14, 0, 2);
		break;
	default:	/* 0, 128, 130 */
		put(x + 2, c->tl, 6); put(x + 8, c->inst, 2);
		put(x + 10, c->e, 2); put(x + 12, c->b, 4);
		break;
	}
	return 4 * (size_t)c->hel;
}

static void
test_oti_layouts(void)
{
	static const struct oti_case t[] = {
		/* fei hel tl inst e b max_n z n al m g raw_m raw_g */
		{ 0, 4, 1000, 0, 1460, 64, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 0, 4, 0xffffffffffffULL, 0, 65535, 0xffffffffU,
		    0, 0, 0, 0, 0, 0, 0, 0 },
		{ 128, 4, 123456789, 0x1234, 1024, 0x01020304,
		    0, 0, 0, 0, 0, 0, 0, 0 },
		{ 130, 4, 42, 7, 512, 100, 0, 0, 0, 0, 0, 0, 0, 0 },
		{ 129, 4, 0x0a0b0c0d0e0fULL, 0, 1400, 200, 255,
		    0, 0, 0, 0, 0, 0, 0 },
		{ 2, 4, 99999, 0, 1000, 180, 255, 0, 0, 0, 8, 1, 0, 0 },
		{ 2, 4, 99999, 0, 1000, 180, 255, 0, 0, 0, 4, 3, 4, 3 },
		{ 5, 3, 77777, 0, 1280, 200, 255, 0, 0, 0, 0, 0, 0, 0 },
		{ 6, 4, 0xffffffffffULL, 0, 1400, 0, 0, 2, 1, 4,
		    0, 0, 0, 0 },
		{ 6, 4, 1000000, 0, 1280, 0, 0, 255, 0xffff, 8,
		    0, 0, 0, 0 },
		{ 1, 4, 5000000, 0, 1024, 0, 0, 0x1234, 3, 4,
		    0, 0, 0, 0 },
	};
	uint8_t x[16];
	struct fec_oti o;
	size_t i, len;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		len = oti_encode(&t[i], x);
		REQUIRE(fec_oti_parse(t[i].fei, x, len, &o) == 0);
		CHECK_EQ_U(o.fei, t[i].fei);
		CHECK_EQ_U(o.transfer_len, t[i].tl);
		CHECK_EQ_U(o.instance_id, t[i].inst);
		CHECK_EQ_U(o.symbol_len, t[i].e);
		CHECK_EQ_U(o.max_sbl, t[i].b);
		CHECK_EQ_U(o.max_n, t[i].max_n);
		CHECK_EQ_U(o.z, t[i].z);
		CHECK_EQ_U(o.n, t[i].n);
		CHECK_EQ_U(o.al, t[i].al);
		CHECK_EQ_U(o.m, t[i].m);
		CHECK_EQ_U(o.g, t[i].g);
	}

	/* FEI 0 has a reserved slot where 128/130 have the instance ID. */
	len = oti_encode(&t[0], x);
	put(x + 8, 0xabcd, 2);
	REQUIRE(fec_oti_parse(0, x, len, &o) == 0);
	CHECK_EQ_U(o.instance_id, 0);
	CHECK_EQ_U(o.symbol_len, 1460);
	REQUIRE(fec_oti_parse(128, x, len, &o) == 0);
	CHECK_EQ_U(o.instance_id, 0xabcd);
}

/* Malformed OTI: each must be refused with the right code. */
static void
test_oti_malformed(void)
{
	static const struct {
		struct oti_case	c;
		size_t		len;	/* 0: what the HEL says */
		int		rc;
	} t[] = {
		/* RaptorQ T = 0, Z = 0, N = 0, Al = 0, T % Al != 0. */
		{ { 6, 4, 1000, 0, 0, 0, 0, 1, 1, 4, 0, 0, 0, 0 }, 0,
		    FEC_EINVAL },
		{ { 6, 4, 1000, 0, 1400, 0, 0, 0, 1, 4, 0, 0, 0, 0 }, 0,
		    FEC_EINVAL },
		{ { 6, 4, 1000, 0, 1400, 0, 0, 1, 0, 4, 0, 0, 0, 0 }, 0,
		    FEC_EINVAL },
		{ { 6, 4, 1000, 0, 1400, 0, 0, 1, 1, 0, 0, 0, 0, 0 }, 0,
		    FEC_EINVAL },
		{ { 6, 4, 1000, 0, 1402, 0, 0, 1, 1, 4, 0, 0, 0, 0 }, 0,
		    FEC_EINVAL },
		/* Raptor gets the same checks. */
		{ { 1, 4, 1000, 0, 1401, 0, 0, 1, 1, 2, 0, 0, 0, 0 }, 0,
		    FEC_EINVAL },
		/* Wrong HEL for the scheme. */
		{ { 0, 3, 1000, 0, 1460, 64, 0, 0, 0, 0, 0, 0, 0, 0 }, 0,
		    FEC_EINVAL },
		{ { 0, 5, 1000, 0, 1460, 64, 0, 0, 0, 0, 0, 0, 0, 0 }, 16,
		    FEC_EINVAL },
		{ { 5, 4, 1000, 0, 1460, 64, 0, 0, 0, 0, 0, 0, 0, 0 }, 0,
		    FEC_EINVAL },
		{ { 6, 3, 1000, 0, 1400, 0, 0, 1, 1, 4, 0, 0, 0, 0 }, 12,
		    FEC_EINVAL },
		/* HEL right, caller's length wrong. */
		{ { 0, 4, 1000, 0, 1460, 64, 0, 0, 0, 0, 0, 0, 0, 0 }, 12,
		    FEC_EINVAL },
		{ { 129, 4, 1000, 0, 1460, 64, 0, 0, 0, 0, 0, 0, 0, 0 }, 0,
		    0 },
		/* Unknown schemes. */
		{ { 3, 4, 1000, 0, 1460, 64, 0, 0, 0, 0, 0, 0, 0, 0 }, 0,
		    FEC_EUNSUP },
		{ { 4, 4, 1000, 0, 1460, 64, 0, 0, 0, 0, 0, 0, 0, 0 }, 0,
		    FEC_EUNSUP },
		{ { 131, 4, 1000, 0, 1460, 64, 0, 0, 0, 0, 0, 0, 0, 0 }, 0,
		    FEC_EUNSUP },
		{ { 255, 4, 1000, 0, 1460, 64, 0, 0, 0, 0, 0, 0, 0, 0 }, 0,
		    FEC_EUNSUP },
	};
	uint8_t x[16], *copy;
	struct fec_oti o;
	size_t i, len;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		len = oti_encode(&t[i].c, x);
		if (t[i].len != 0)
			len = t[i].len;
		if (len > sizeof(x))
			len = sizeof(x);
		/* Exact-size copy: ASan would catch a read past len. */
		REQUIRE((copy = malloc(len)) != NULL);
		memcpy(copy, x, len);
		rc = fec_oti_parse(t[i].c.fei, copy, len, &o);
		if (rc != t[i].rc)
			fprintf(stderr, "oti case %zu: rc %d\n", i, rc);
		CHECK(rc == t[i].rc);
		free(copy);
	}
	CHECK(fec_oti_parse(0, NULL, 0, &o) == FEC_EINVAL);
	CHECK(fec_oti_parse(0, x, 0, &o) == FEC_EINVAL);
}

TEST_MAIN(
	TEST(test_worked_example),
	TEST(test_partition_table),
	TEST(test_tiling),
	TEST(test_oti_layouts),
	TEST(test_oti_malformed),
)
