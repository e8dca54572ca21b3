/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ranges.c: the repair byte ranges of carousel/ranges.c.  The
 * protocols.md 2.4 worked example, table-driven edge cases (short last
 * symbol, first/last symbol, nothing/all missing, merge gap, closest-first
 * merging to max ranges), ranges_merge/ranges_total, HTTP Range header
 * overflow, and thousands of seeded random cases compared with a per-byte
 * reference model that partitions blocks on its own (RFC 5052 9.1) and
 * merges the whole list the slow way.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "testutil.h"
#include "../../carousel/fec.h"
#include "../../carousel/ranges.h"


/* ---- Helpers. ---- */

/* A bitmap of t symbols, all received. */
static uint8_t *
bits_full(uint64_t t)
{
	uint8_t *b = malloc(t / 8 + 1);

	memset(b, 0xFF, t / 8 + 1);
	return b;
}

static void
bit_clear(uint8_t *b, uint64_t i)
{
	b[i >> 3] &= (uint8_t)~(1u << (i & 7));
}

static void
bit_set(uint8_t *b, uint64_t i)
{
	b[i >> 3] |= (uint8_t)(1u << (i & 7));
}

/* Run ranges_missing and render the header (or "" when none). */
static size_t
missing_hdr(const struct fec_part *p, const uint8_t *bits, uint64_t gap,
    size_t max, uint64_t *lost, char *hdr, size_t hlen)
{
	struct obj_range r[64];
	size_t n = ranges_missing(p, bits, gap, r, max, lost);

	hdr[0] = '\0';
	if (n > 0)
		CHECK(ranges_header(r, n, hdr, hlen) > 0);
	return n;
}

/* ---- protocols.md 2.4 ---- */

static void
test_worked_example(void)
{
	struct fec_part p;
	struct obj_range r[4];
	uint8_t *bits;
	uint64_t lost = 0;
	char hdr[128];
	size_t n;

	REQUIRE(fec_partition(1000000, 1400, 64, &p) == 0);
	CHECK_EQ_U(p.t, 715);
	CHECK_EQ_U(p.n, 12);
	CHECK_EQ_U(p.a_large, 60);
	CHECK_EQ_U(p.a_small, 59);
	CHECK_EQ_U(p.i_large, 7);
	bits = bits_full(p.t);
	bit_clear(bits, fec_symbol_index(&p, 8, 10));
	n = ranges_missing(&p, bits, 0, r, 4, &lost);
	CHECK_EQ_U(n, 1);
	CHECK_EQ_U(r[0].off, 684600);
	CHECK_EQ_U(r[0].len, 1400);
	CHECK_EQ_U(lost, 1400);
	CHECK(ranges_header(r, n, hdr, sizeof(hdr)) == 19);
	CHECK(strcmp(hdr, "bytes=684600-685999") == 0);
	free(bits);
}

/* ---- Edge cases, one object, table-driven. ---- */

struct edge_case {
	const char	*name;
	uint64_t	len;
	uint32_t	e, b;
	int		lost[8];	/* symbol indexes, -1 ends; -2: all */
	uint64_t	gap;
	size_t		max;
	const char	*want;		/* "" when nothing is missing */
	uint64_t	want_lost;
};

static const struct edge_case edges[] = {
	{ "short last", 1000000, 1400, 64, { 714, -1 }, 0, 4,
	    "bytes=999600-999999", 400 },
	{ "first", 1000000, 1400, 64, { 0, -1 }, 0, 4, "bytes=0-1399", 1400 },
	{ "first and last", 1000000, 1400, 64, { 0, 714, -1 }, 0, 4,
	    "bytes=0-1399,999600-999999", 1800 },
	{ "nothing", 1000000, 1400, 64, { -1 }, 0, 4, "", 0 },
	{ "all", 1000000, 1400, 64, { -2 }, 0, 4, "bytes=0-999999", 1000000 },
	{ "all, one symbol", 10, 1400, 64, { -2 }, 0, 4, "bytes=0-9", 10 },
	{ "exact symbols", 2800, 1400, 1, { 1, -1 }, 0, 4,
	    "bytes=1400-2799", 1400 },
	{ "run across blocks", 1000, 10, 4, { 3, 4, 5, -1 }, 0, 4,
	    "bytes=30-59", 30 },
	{ "gap not merged", 1000, 10, 4, { 0, 2, -1 }, 10, 4,
	    "bytes=0-9,20-29", 20 },
	{ "gap merged", 1000, 10, 4, { 0, 2, -1 }, 11, 4, "bytes=0-29", 20 },
	{ "gap merged into last", 1000, 10, 4, { 97, 99, -1 }, 11, 4,
	    "bytes=970-999", 20 },
	/* Gaps 10, 30, 20: max 3 merges the first pair. */
	{ "closest first", 1000, 10, 100, { 0, 2, 6, 9, -1 }, 0, 3,
	    "bytes=0-29,60-69,90-99", 40 },
	/* Gaps 30, 10, 20: max 2 merges the middle pair, then 20. */
	{ "closest twice", 1000, 10, 100, { 0, 4, 6, 9, -1 }, 0, 2,
	    "bytes=0-9,40-99", 40 },
	/* Equal gaps: the leftmost pair merges first. */
	{ "tie leftmost", 1000, 10, 100, { 0, 2, 4, -1 }, 0, 2,
	    "bytes=0-29,40-49", 30 },
	{ "max one", 1000, 10, 100, { 1, 50, 98, -1 }, 0, 1,
	    "bytes=10-989", 30 },
};

static void
test_edges(void)
{
	size_t i, j;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		const struct edge_case *c = &edges[i];
		struct fec_part p;
		uint64_t lost = 99, k;
		char hdr[256];
		uint8_t *bits;
		size_t n;

		REQUIRE(fec_partition(c->len, c->e, c->b, &p) == 0);
		bits = bits_full(p.t);
		for (j = 0; j < 8 && c->lost[j] != -1; j++) {
			if (c->lost[j] == -2)
				for (k = 0; k < p.t; k++)
					bit_clear(bits, k);
			else
				bit_clear(bits, (uint64_t)c->lost[j]);
		}
		n = missing_hdr(&p, bits, c->gap, c->max, &lost, hdr,
		    sizeof(hdr));
		if (strcmp(hdr, c->want) != 0 || lost != c->want_lost)
			fprintf(stderr, "edge %s: got \"%s\" lost %" PRIu64
			    "\n", c->name, hdr, lost);
		CHECK(strcmp(hdr, c->want) == 0);
		CHECK_EQ_U(lost, c->want_lost);
		CHECK(n <= c->max);
		CHECK((n == 0) == (c->want[0] == '\0'));
		free(bits);
	}
}

/* Bits beyond t in the last byte, and a bitmap of zero symbols. */
static void
test_tail_bits(void)
{
	struct fec_part p;
	struct obj_range r[2];
	uint8_t bits[2] = { 0xFF, 0x00 };	/* t = 8: byte 1 is slack */
	uint64_t lost = 1;

	REQUIRE(fec_partition(80, 10, 8, &p) == 0);
	CHECK_EQ_U(ranges_missing(&p, bits, 0, r, 2, &lost), 0);
	CHECK_EQ_U(lost, 0);
	bits[0] = 0x7F;
	bits[1] = 0xFF;
	CHECK_EQ_U(ranges_missing(&p, bits, 0, r, 2, &lost), 1);
	CHECK_EQ_U(r[0].off, 70);
	CHECK_EQ_U(r[0].len, 10);
	REQUIRE(fec_partition(0, 10, 8, &p) == 0);
	CHECK_EQ_U(ranges_missing(&p, bits, 0, r, 2, &lost), 0);
	CHECK_EQ_U(lost, 0);
	/* max 0 is outside the contract: nothing is written. */
	REQUIRE(fec_partition(80, 10, 8, &p) == 0);
	bits[0] = 0;
	CHECK_EQ_U(ranges_missing(&p, bits, 0, r, 0, &lost), 0);
	CHECK_EQ_U(lost, 80);
	CHECK_EQ_U(ranges_missing(&p, bits, 0, r, 1, NULL), 1);
}

/* Huge objects: offsets beyond 32 bits, a short last symbol. */
static void
test_huge(void)
{
	uint64_t len = (5ULL << 30) + 12345, lost = 0;
	struct fec_part p;
	struct obj_range r[4];
	char hdr[128];
	uint8_t *bits;

	REQUIRE(fec_partition(len, 65535, 1u << 20, &p) == 0);
	bits = bits_full(p.t);
	bit_clear(bits, p.t - 1);
	bit_clear(bits, p.t / 2);
	CHECK_EQ_U(ranges_missing(&p, bits, 0, r, 4, &lost), 2);
	CHECK_EQ_U(r[0].off, (p.t / 2) * 65535);
	CHECK_EQ_U(r[1].off + r[1].len, len);
	CHECK_EQ_U(lost, 65535 + len - (p.t - 1) * 65535);
	CHECK(ranges_header(r, 2, hdr, sizeof(hdr)) > 0);
	CHECK(strstr(hdr, "-5368721464") != NULL);	/* len - 1 */
	free(bits);
}

/* ---- ranges_merge and ranges_total. ---- */

struct merge_case {
	struct obj_range in[6];
	size_t		n;
	uint64_t	gap;
	size_t		max;
	const char	*want;
};

static const struct merge_case merges[] = {
	{ { { 0, 10 }, { 20, 10 }, { 100, 1 } }, 3, 0, 8,
	    "bytes=0-9,20-29,100-100" },
	{ { { 0, 10 }, { 20, 10 }, { 100, 1 } }, 3, 11, 8,
	    "bytes=0-29,100-100" },
	{ { { 0, 10 }, { 20, 10 }, { 100, 1 } }, 3, 0, 2,
	    "bytes=0-29,100-100" },
	{ { { 0, 10 }, { 20, 10 }, { 100, 1 } }, 3, 0, 1, "bytes=0-100" },
	{ { { 0, 10 }, { 20, 10 }, { 100, 1 } }, 3, 0, 0, "bytes=0-100" },
	/* Touching: one only when a gap is asked for. */
	{ { { 0, 10 }, { 10, 10 } }, 2, 0, 8, "bytes=0-9,10-19" },
	{ { { 0, 10 }, { 10, 10 } }, 2, 1, 8, "bytes=0-19" },
	/* Overlapping and empty ranges (callers' bugs) are tolerated. */
	{ { { 0, 10 }, { 5, 3 }, { 8, 10 }, { 30, 0 }, { 40, 2 } }, 5, 0, 8,
	    "bytes=0-17,40-41" },
	/* Gaps 5, 5, 1, 5: the 1 first, then the leftmost 5. */
	{ { { 0, 1 }, { 6, 1 }, { 12, 1 }, { 14, 1 }, { 20, 1 } }, 5, 0, 3,
	    "bytes=0-6,12-14,20-20" },
};

static void
test_merge(void)
{
	struct obj_range r[6];
	char hdr[128];
	size_t i, n;

	for (i = 0; i < sizeof(merges) / sizeof(merges[0]); i++) {
		memcpy(r, merges[i].in, sizeof(r));
		n = ranges_merge(r, merges[i].n, merges[i].gap, merges[i].max);
		CHECK(n <= (merges[i].max ? merges[i].max : 1));
		CHECK(ranges_header(r, n, hdr, sizeof(hdr)) > 0);
		if (strcmp(hdr, merges[i].want) != 0)
			fprintf(stderr, "merge %zu: got %s\n", i, hdr);
		CHECK(strcmp(hdr, merges[i].want) == 0);
	}
	CHECK_EQ_U(ranges_merge(r, 0, 10, 4), 0);
	CHECK_EQ_U(ranges_total(merges[0].in, 3), 21);
	CHECK_EQ_U(ranges_total(merges[0].in, 0), 0);
	r[0].off = 0;
	r[0].len = UINT64_MAX;
	r[1].off = 0;
	r[1].len = 5;
	CHECK(ranges_total(r, 2) == UINT64_MAX);
}

/* ---- ranges_header. ---- */

static void
test_header(void)
{
	struct obj_range r[3] = { { 0, 1 }, { 10, 5 }, { 100, 100 } };
	const char *want = "bytes=0-0,10-14,100-199";
	size_t wl = strlen(want), i;
	char buf[64];

	CHECK(ranges_header(r, 3, buf, sizeof(buf)) == (int)wl);
	CHECK(strcmp(buf, want) == 0);
	/* Every buffer too short by one or more: -1 and "". */
	for (i = 1; i <= wl; i++) {
		memset(buf, 'x', sizeof(buf));
		CHECK(ranges_header(r, 3, buf, i) == -1);
		CHECK(buf[0] == '\0');
	}
	CHECK(ranges_header(r, 3, buf, wl + 1) == (int)wl);
	CHECK(ranges_header(r, 3, NULL, 10) == -1);
	CHECK(ranges_header(r, 3, buf, 0) == -1);
	/* Nothing to ask for, an empty range, beyond 2^64: not a Range. */
	CHECK(ranges_header(r, 0, buf, sizeof(buf)) == -1 && buf[0] == '\0');
	r[1].len = 0;
	CHECK(ranges_header(r, 3, buf, sizeof(buf)) == -1 && buf[0] == '\0');
	r[1].off = UINT64_MAX;
	r[1].len = 1;
	CHECK(ranges_header(r, 2, buf, sizeof(buf)) > 0);
	CHECK(strcmp(buf, "bytes=0-0,18446744073709551615-"
	    "18446744073709551615") == 0);
	r[1].len = 2;
	CHECK(ranges_header(r, 2, buf, sizeof(buf)) == -1);
}

/* ---- Random cases against a per-byte reference. ---- */

/* Independent RFC 5052 9.1: offset of (sbn, esi), block lengths. */
static void
ref_part(uint64_t len, uint32_t e, uint32_t b, uint64_t *t, uint32_t *n,
    uint32_t *al, uint32_t *as, uint32_t *il)
{
	*t = (len + e - 1) / e;
	*n = *t ? (uint32_t)((*t + b - 1) / b) : 0;
	*al = *n ? (uint32_t)((*t + *n - 1) / *n) : 0;
	*as = *n ? (uint32_t)(*t / *n) : 0;
	*il = (uint32_t)(*t - (uint64_t)*as * *n);
}

/* Whole-list reference: runs of missing bytes, gap merge, closest pairs. */
static size_t
ref_ranges(const uint8_t *miss, uint64_t len, uint64_t gap, size_t max,
    struct obj_range *r)
{
	size_t n = 0, i, best;
	uint64_t x = 0, g, bg;

	while (x < len) {
		if (!miss[x]) {
			x++;
			continue;
		}
		r[n].off = x;
		while (x < len && miss[x])
			x++;
		r[n].len = x - r[n].off;
		if (n > 0 && r[n].off - (r[n - 1].off + r[n - 1].len) < gap)
			r[n - 1].len = x - r[n - 1].off;
		else
			n++;
	}
	while (n > max) {
		best = 1;
		bg = UINT64_MAX;
		for (i = 1; i < n; i++) {
			g = r[i].off - (r[i - 1].off + r[i - 1].len);
			if (g < bg) {
				bg = g;
				best = i;
			}
		}
		r[best - 1].len = r[best].off + r[best].len - r[best - 1].off;
		memmove(&r[best], &r[best + 1], (n - best - 1) * sizeof(*r));
		n--;
	}
	return n;
}

/* A loss pattern over (sbn, esi): random, bursts, every other, ... */
static int
ref_lose(int pattern, uint32_t pct, uint64_t idx, int *burst)
{
	switch (pattern) {
	case 0:
		return rng_below(100) < pct;
	case 1:
		if (*burst > 0) {
			(*burst)--;
			return 1;
		}
		if (rng_below(100) < pct / 4 + 1) {
			*burst = (int)rng_below(20);
			return 1;
		}
		return 0;
	case 2:
		return (idx & 1) != 0;
	case 3:
		return 1;
	default:
		return 0;
	}
}

static void
random_case(uint64_t len, uint32_t e, uint32_t b, int pattern, uint32_t pct,
    uint64_t gap, size_t max, struct obj_range *got, struct obj_range *want,
    uint8_t *miss)
{
	struct fec_part p;
	uint64_t t, off, x, lost = 0, lost_ref = 0;
	uint32_t n, al, as, il, sbn, esi, blen;
	uint8_t *bits;
	size_t ng, nw;
	int burst = 0, bad = 0;

	ref_part(len, e, b, &t, &n, &al, &as, &il);
	REQUIRE(fec_partition(len, e, b, &p) == 0);
	bits = bits_full(t);
	memset(miss, 0, len);
	for (sbn = 0; sbn < n; sbn++) {
		blen = sbn < il ? al : as;
		for (esi = 0; esi < blen; esi++) {
			off = sbn < il ? (uint64_t)sbn * al + esi :
			    (uint64_t)il * al + (uint64_t)(sbn - il) * as + esi;
			if (!ref_lose(pattern, pct, off, &burst))
				continue;
			bit_clear(bits, fec_symbol_index(&p, sbn, esi));
			for (x = off * e; x < (off + 1) * e && x < len; x++) {
				miss[x] = 1;
				lost_ref++;
			}
		}
	}
	ng = ranges_missing(&p, bits, gap, got, max, &lost);
	nw = ref_ranges(miss, len, gap, max, want);
	CHECK_EQ_U(lost, lost_ref);
	CHECK_EQ_U(ng, nw);
	if (ng == nw && memcmp(got, want, ng * sizeof(*got)) != 0)
		bad = 1;
	CHECK(!bad);
	if (bad || ng != nw || lost != lost_ref)
		fprintf(stderr, "random: L %" PRIu64 " E %u B %u pattern %d "
		    "gap %" PRIu64 " max %zu\n", len, e, b, pattern, gap, max);
	/* Every missing byte is covered; merging keeps them disjoint. */
	for (x = 0; x + 1 < ng; x++)
		CHECK(got[x].off + got[x].len < got[x + 1].off);
	CHECK(ranges_total(got, ng) >= lost);
	free(bits);
}

static void
test_random(void)
{
	static const uint32_t es[] = { 1, 3, 7, 100, 1400 };
	static const uint32_t bs[] = { 1, 2, 4, 64, 1000 };
	struct obj_range *got = calloc(4096, sizeof(*got));
	struct obj_range *want = calloc(40000, sizeof(*want));
	uint8_t *miss = malloc(40000);
	int i;

	REQUIRE(got != NULL && want != NULL && miss != NULL);
	rng_seed(42);
	for (i = 0; i < 4000; i++) {
		uint32_t e = es[rng_below(5)], b = bs[rng_below(5)];
		uint64_t len = rng_below(3) == 0 ? rng_below(4 * e + 2) :
		    rng_below(e < 100 ? 2000 : 40000);
		uint64_t gap = rng_below(3) == 0 ? 0 : rng_below(5 * e + 1);
		size_t max = rng_below(4) == 0 ? 4096 : 1 + rng_below(8);

		random_case(len, e, b, (int)rng_below(5), rng_below(101), gap,
		    max, got, want, miss);
	}
	free(got);
	free(want);
	free(miss);
}

/*
 * A big object with alternating loss: the single pass must stay fast
 * (2^20 ranges squeezed into 32) and agree with ranges_merge.
 */
static void
test_many_runs(void)
{
	struct fec_part p;
	struct obj_range r[32], *all = calloc(1u << 19, sizeof(*all));
	uint64_t lost = 0, i;
	uint8_t *bits;
	size_t n, m;

	REQUIRE(all != NULL);
	REQUIRE(fec_partition(1ULL << 20, 1, 1u << 16, &p) == 0);
	bits = bits_full(p.t);
	for (i = 0; i < p.t; i += 2)
		bit_clear(bits, i);
	for (i = 0; i < p.t; i += 1000)
		bit_set(bits, i);
	n = ranges_missing(&p, bits, 0, r, 32, &lost);
	m = ranges_missing(&p, bits, 0, all, 1u << 19, NULL);
	CHECK_EQ_U(n, 32);
	CHECK(m > 32);
	m = ranges_merge(all, m, 0, 32);
	CHECK_EQ_U(m, 32);
	CHECK(memcmp(all, r, sizeof(r)) == 0);
	CHECK_EQ_U(lost, p.t / 2 - (p.t / 1000 + 1));
	free(bits);
	free(all);
}

TEST_MAIN(TEST(test_worked_example), TEST(test_edges), TEST(test_tail_bits),
    TEST(test_huge), TEST(test_merge), TEST(test_header), TEST(test_random),
    TEST(test_many_runs))
