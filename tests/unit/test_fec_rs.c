/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_fec_rs.c: the Reed-Solomon GF(2^8) codec of FEC Encoding ID 5
 * (carousel/fec_rs.c).
 *
 * The codec is checked against a reference written here by the most
 * naive route: a bit-by-bit GF(2^8) multiply modulo 0x11D, the
 * Vandermonde matrix of RFC 5510 section 8 with Rizzo's evaluation
 * points (0, alpha^0, alpha^1, ...; see the comment atop fec_rs.c), a
 * plain Gauss-Jordan inversion of its top k x k block and a matrix
 * product.  Then: round trips from any k of n symbols, bursts, too few
 * symbols, and hostile parameters.  Seeded randomness throughout.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "../../carousel/fec_codec.h"
#include "rs_ref.h"

static const struct fec_codec *rs = &fec_rs_codec;

/* The field axioms, exhaustively where cheap. */
static void
test_gf_axioms(void)
{
	unsigned int a, b, c, i, bad_comm = 0, bad_assoc = 0, bad_dist = 0;
	unsigned int bad_inv = 0, bad_order = 0;

	rng_seed(1);
	for (a = 0; a < 256; a++) {
		for (b = 0; b < 256; b++)
			bad_comm += ref_mul[a][b] != ref_mul[b][a];
		CHECK(ref_mul[a][1] == a && ref_mul[a][0] == 0);
		/* Exactly one inverse for each non-zero element. */
		for (b = 1, c = 0; a && b < 256; b++)
			c += ref_mul[a][b] == 1;
		bad_inv += a && c != 1;
		/* a^255 = 1 for every non-zero a (Lagrange's theorem). */
		bad_order += a && ref_pow((uint8_t)a, Q) != 1;
	}
	for (i = 0; i < 200000; i++) {
		a = rng() & 255, b = rng() & 255, c = rng() & 255;
		bad_assoc += ref_mul[ref_mul[a][b]][c] != ref_mul[a][ref_mul[b][c]];
		bad_dist += ref_mul[a][b ^ c] != (ref_mul[a][b] ^ ref_mul[a][c]);
	}
	CHECK_EQ_U(bad_comm, 0);
	CHECK_EQ_U(bad_assoc, 0);
	CHECK_EQ_U(bad_dist, 0);
	CHECK_EQ_U(bad_inv, 0);
	CHECK_EQ_U(bad_order, 0);
}

/*
 * 0x11D is primitive: alpha = 2 has order exactly 255, so exp/log tables
 * built from it round-trip over every non-zero element.  alpha^8 is the
 * low byte of the polynomial.  (0x11B, the AES polynomial, fails here:
 * 2 has order 51 there.)
 */
static void
test_gf_generator(void)
{
	uint8_t exp[Q], log[256];
	unsigned int i, x = 1, seen = 0, first_one = 0;

	memset(log, 0, sizeof(log));
	for (i = 0; i < Q; i++) {
		exp[i] = (uint8_t)x;
		seen += log[x] == 0 && (x != 1 || i == 0);
		log[x] = (uint8_t)i;
		x = ref_mul[x][2];
		if (x == 1 && first_one == 0)
			first_one = i + 1;
	}
	CHECK_EQ_U(first_one, Q);
	CHECK_EQ_U(seen, Q);
	CHECK_EQ_U(ref_pow(2, 8), 0x1d);
	CHECK_EQ_U(ref_pow(2, Q), 1);
	for (i = 0; i < Q; i++)
		if (log[exp[i]] != i)
			break;
	CHECK_EQ_U(i, Q);
	for (x = 1; x < 256; x++)
		if (exp[log[x]] != x)
			break;
	CHECK_EQ_U(x, 256);
	for (x = 1; x < 256; x++)
		if (ref_mul[x][ref_inv[x]] != 1)
			break;
	CHECK_EQ_U(x, 256);
}

/* Every repair symbol of random blocks, codec against the naive route. */
static void
test_construction(void)
{
	static const unsigned int ks[] = { 1, 2, 3, 10, 64, 200, 254 };
	static const unsigned int ts[] = { 1, 7, 1400 };
	unsigned int a, b, e, k, n, t, bad;
	uint8_t *g, *src, *rep, *want;

	rng_seed(2);
	for (a = 0; a < sizeof(ks) / sizeof(ks[0]); a++) {
		k = ks[a];
		n = Q;
		g = naive_generator(k, n);
		REQUIRE(g != NULL);
		CHECK_EQ_U(naive_not_identity(g, k), 0);
		for (b = 0; b < sizeof(ts) / sizeof(ts[0]); b++) {
			t = ts[b];
			src = malloc((size_t)k * t);
			rep = malloc((size_t)(n - k) * t + 1);
			want = malloc(t);
			REQUIRE(src && rep && want);
			rng_fill(src, (size_t)k * t);
			CHECK(rs->encode(src, k, n, t, k, n - k, rep) == 0);
			for (e = k, bad = 0; e < n; e++) {
				naive_symbol(g, src, k, t, e, want);
				bad += memcmp(want, rep + (size_t)(e - k) * t, t) != 0;
			}
			CHECK_EQ_U(bad, 0);
			free(src);
			free(rep);
			free(want);
		}
		free(g);
	}
}

/*
 * A repair symbol does not depend on n (the code is shortened, RFC 5510
 * section 8), nor on which other repair symbols are asked for.
 */
static void
test_shortened(void)
{
	const unsigned int k = 20, t = 33;
	uint8_t src[20 * 33], all[(Q - 20) * 33], one[33];
	unsigned int n, e, bad = 0;

	rng_seed(3);
	rng_fill(src, sizeof(src));
	REQUIRE(rs->encode(src, k, Q, t, k, Q - k, all) == 0);
	for (n = k + 1; n <= Q; n += 17)
		for (e = k; e < n; e += 5) {
			REQUIRE(rs->encode(src, k, n, t, e, 1, one) == 0);
			bad += memcmp(one, all + (e - k) * t, t) != 0;
		}
	CHECK_EQ_U(bad, 0);
}

/*
 * Small cases by hand.  k = 1: every repair symbol is the source symbol.
 * k = 2, n = 3: points x0 = 0, x1 = 1, x2 = alpha = 2; the line through
 * (0, s0) and (1, s1) at 2 is s0 * (2 - 1) / (0 - 1) + s1 * (2 - 0) /
 * (1 - 0) = 3 * s0 + 2 * s1.
 */
static void
test_by_hand(void)
{
	uint8_t src[2 * 256], rep[254 * 256];
	unsigned int b, e, bad = 0;

	for (b = 0; b < 256; b++) {
		src[b] = (uint8_t)b;
		src[256 + b] = (uint8_t)(255 - b);
	}
	REQUIRE(rs->encode(src, 1, Q, 256, 1, Q - 1, rep) == 0);
	for (e = 0; e < Q - 1; e++)
		bad += memcmp(rep + e * 256, src, 256) != 0;
	CHECK_EQ_U(bad, 0);
	REQUIRE(rs->encode(src, 2, 3, 256, 2, 1, rep) == 0);
	for (b = 0; b < 256; b++)
		bad += rep[b] != (slow_mul(3, (uint8_t)b) ^
		    slow_mul(2, (uint8_t)(255 - b)));
	CHECK_EQ_U(bad, 0);
}

/*
 * An external anchor: k = 4, n = 8, t = 4, source bytes 1..16, repair
 * symbols 4..7 as OpenFEC's reed-solomon_gf_2_8 codec (roc-streaming/
 * openfec e549f3b) built them in a one-off run beside ours.
 */
static void
test_openfec_vector(void)
{
	static const uint8_t want[16] = {
		0x89, 0x8a, 0x8b, 0x26, 0x25, 0x26, 0x27, 0xb8,
		0x4f, 0x4c, 0x4d, 0x68, 0xfc, 0xff, 0xfe, 0xc6,
	};
	uint8_t src[16], rep[16];
	unsigned int i;

	for (i = 0; i < 16; i++)
		src[i] = (uint8_t)(i + 1);
	REQUIRE(rs->encode(src, 4, 8, 4, 4, 4, rep) == 0);
	CHECK(memcmp(rep, want, sizeof(want)) == 0);
}

/*
 * The codec's multiplication table, row by row: with one source symbol
 * holding the bytes 0..255 and the others zero, repair symbol e is
 * G[e][i] * b for every b.  Enough (k, i) to meet every non-zero
 * coefficient, each checked against the reference multiply.
 */
static void
test_mul_table(void)
{
	static const unsigned int ks[] = { 2, 3, 5, 10 };
	uint8_t covered[256] = { 0 }, *src, *rep;
	unsigned int a, i, e, b, k, bad = 0, distinct = 0;

	src = calloc(10, 256);
	rep = malloc(Q * 256);
	REQUIRE(src && rep);
	for (a = 0; a < sizeof(ks) / sizeof(ks[0]); a++) {
		k = ks[a];
		for (i = 0; i < k; i++) {
			memset(src, 0, (size_t)k * 256);
			for (b = 0; b < 256; b++)
				src[i * 256 + b] = (uint8_t)b;
			REQUIRE(rs->encode(src, k, Q, 256, k, Q - k, rep) == 0);
			for (e = 0; e < Q - k; e++) {
				uint8_t g = rep[e * 256 + 1];

				covered[g] = 1;
				for (b = 0; b < 256; b++)
					bad += rep[e * 256 + b] != slow_mul(g, (uint8_t)b);
			}
		}
	}
	for (b = 1; b < 256; b++)
		distinct += covered[b];
	CHECK_EQ_U(bad, 0);
	CHECK_EQ_U(distinct, Q);
	CHECK(covered[0] == 0);
	free(src);
	free(rep);
}

/* One block: source, all its repair symbols, and a working copy. */
struct blk {
	unsigned int	k, n, t;
	uint8_t		*src, *rep, *work, *have, *sel;
	uint32_t	*resi;
	uint8_t		*rsel;
};

static int
blk_init(struct blk *b, unsigned int k, unsigned int n, unsigned int t)
{
	b->k = k, b->n = n, b->t = t;
	b->src = malloc((size_t)k * t);
	b->rep = malloc((size_t)(n - k) * t + 1);
	b->work = malloc((size_t)k * t);
	b->have = malloc(k);
	b->sel = malloc(n);
	b->resi = malloc((n - k + 1) * sizeof(*b->resi));
	b->rsel = malloc((size_t)(n - k) * t + 1);
	if (!b->src || !b->rep || !b->work || !b->have || !b->sel ||
	    !b->resi || !b->rsel)
		return -1;
	rng_fill(b->src, (size_t)k * t);
	return rs->encode(b->src, k, n, t, k, n - k, b->rep);
}

static void
blk_free(struct blk *b)
{
	free(b->src);
	free(b->rep);
	free(b->work);
	free(b->have);
	free(b->sel);
	free(b->resi);
	free(b->rsel);
}

/*
 * Set up a decode from the symbols marked in sel[] (n entries): lost
 * sources are scribbled over, the selected repair symbols are copied out
 * in a shuffled order.  Returns how many repair symbols were selected.
 */
static uint32_t
blk_prepare(struct blk *b)
{
	unsigned int i, j, nrep = 0, t = b->t;
	uint32_t tmp;

	memcpy(b->work, b->src, (size_t)b->k * t);
	for (i = 0; i < b->k; i++) {
		b->have[i] = b->sel[i];
		if (!b->sel[i])
			memset(b->work + (size_t)i * t, 0xa5, t);
	}
	for (i = b->k; i < b->n; i++)
		if (b->sel[i])
			b->resi[nrep++] = i;
	for (i = nrep; i > 1; i--) {
		j = rng() % i;
		tmp = b->resi[i - 1], b->resi[i - 1] = b->resi[j], b->resi[j] = tmp;
	}
	for (i = 0; i < nrep; i++)
		memcpy(b->rsel + (size_t)i * t,
		    b->rep + (size_t)(b->resi[i] - b->k) * t, t);
	return nrep;
}

static int
blk_decode(struct blk *b)
{
	uint32_t nrep = blk_prepare(b);

	return rs->decode(b->work, b->have, b->k, b->n, b->t, b->resi,
	    b->rsel, nrep);
}

/* Select exactly cnt of the n symbols at random. */
static void
select_random(struct blk *b, unsigned int cnt)
{
	unsigned int i, j;

	memset(b->sel, 0, b->n);
	for (i = 0; i < cnt; i++) {
		do
			j = rng() % b->n;
		while (b->sel[j]);
		b->sel[j] = 1;
	}
}

/* Any k (or a few more) of n symbols rebuild the block exactly. */
static void
test_any_k(void)
{
	static const unsigned int ks[] = { 1, 2, 3, 10, 64, 200, 254 };
	static const unsigned int ts[] = { 1, 7, 1400 };
	unsigned int a, c, d, p, k, n, ns[3], pats, bad = 0, fail = 0, runs = 0;
	struct blk b;

	rng_seed(4);
	for (a = 0; a < sizeof(ks) / sizeof(ks[0]); a++)
		for (c = 0; c < sizeof(ts) / sizeof(ts[0]); c++) {
			k = ks[a];
			ns[0] = k + 1;
			ns[1] = k + (k + 4) / 5 < Q ? k + (k + 4) / 5 : Q;
			ns[2] = Q;
			pats = ts[c] == 1400 && k >= 64 ? 2 : 12;
			for (d = 0; d < 3; d++) {
				n = ns[d];
				if (n > Q || (d > 0 && n == ns[d - 1]))
					continue;
				REQUIRE(blk_init(&b, k, n, ts[c]) == 0);
				for (p = 0; p < pats; p++) {
					select_random(&b, p % 3 == 2 && n > k ? k + 1 : k);
					fail += blk_decode(&b) != 0;
					bad += memcmp(b.work, b.src, (size_t)k * ts[c]) != 0;
					runs++;
				}
				blk_free(&b);
			}
		}
	CHECK(runs > 200);
	CHECK_EQ_U(fail, 0);
	CHECK_EQ_U(bad, 0);
}

/*
 * Bursts: a run of consecutive lost symbols at every offset, as long as
 * the repair symbols allow, wrapping nothing; and every source lost.
 */
static void
test_bursts(void)
{
	static const unsigned int shapes[][3] = {
		{ 10, 30, 40 }, { 64, 77, 1400 }, { 100, 255, 16 }, { 3, 9, 5 },
	};
	unsigned int a, off, len, i, bad = 0, fail = 0, runs = 0;
	struct blk b;

	rng_seed(5);
	for (a = 0; a < sizeof(shapes) / sizeof(shapes[0]); a++) {
		REQUIRE(blk_init(&b, shapes[a][0], shapes[a][1], shapes[a][2]) == 0);
		len = b.n - b.k;
		for (off = 0; off + len <= b.n; off += 1 + b.n / 40) {
			for (i = 0; i < b.n; i++)
				b.sel[i] = i < off || i >= off + len;
			fail += blk_decode(&b) != 0;
			bad += memcmp(b.work, b.src, (size_t)b.k * b.t) != 0;
			runs++;
		}
		if (len >= b.k) {
			for (i = 0; i < b.n; i++)
				b.sel[i] = i >= b.k;
			fail += blk_decode(&b) != 0;
			bad += memcmp(b.work, b.src, (size_t)b.k * b.t) != 0;
			runs++;
		}
		blk_free(&b);
	}
	CHECK(runs > 50);
	CHECK_EQ_U(fail, 0);
	CHECK_EQ_U(bad, 0);
}

/*
 * Systematic: encode leaves the source alone; decode with every source
 * present returns 0 and changes nothing, repair symbols given or not.
 */
static void
test_systematic(void)
{
	struct blk b;
	uint8_t *copy;
	unsigned int i;

	rng_seed(6);
	REQUIRE(blk_init(&b, 50, 70, 100) == 0);
	copy = malloc(50 * 100);
	REQUIRE(copy != NULL);
	memcpy(copy, b.src, 50 * 100);
	CHECK(rs->encode(b.src, 50, 70, 100, 50, 20, b.rep) == 0);
	CHECK(memcmp(copy, b.src, 50 * 100) == 0);
	for (i = 0; i < 70; i++)
		b.sel[i] = i < 50 || i % 3 == 0;
	CHECK(blk_decode(&b) == 0);
	CHECK(memcmp(b.work, b.src, 50 * 100) == 0);
	memset(b.have, 1, 50);
	CHECK(rs->decode(b.work, b.have, 50, 70, 100, NULL, NULL, 0) == 0);
	CHECK(memcmp(b.work, b.src, 50 * 100) == 0);
	/* k = n = 255: no repair symbol, still a valid block. */
	CHECK(rs->encode(b.src, Q, Q, 1, Q, 0, NULL) == 0);
	free(copy);
	blk_free(&b);
}

/* k - 1 symbols: FEC_CODEC_EMORE and the buffer exactly as it was. */
static void
test_too_few(void)
{
	static const unsigned int shapes[][3] = {
		{ 1, 5, 8 }, { 10, 20, 7 }, { 64, 77, 1400 }, { 200, 255, 3 },
	};
	unsigned int a, p, bad = 0, runs = 0;
	uint8_t *before;
	uint32_t nrep;
	struct blk b;

	rng_seed(7);
	for (a = 0; a < sizeof(shapes) / sizeof(shapes[0]); a++) {
		REQUIRE(blk_init(&b, shapes[a][0], shapes[a][1], shapes[a][2]) == 0);
		before = malloc((size_t)b.k * b.t);
		REQUIRE(before != NULL);
		for (p = 0; p < 6; p++) {
			select_random(&b, b.k - 1);
			nrep = blk_prepare(&b);
			memcpy(before, b.work, (size_t)b.k * b.t);
			bad += rs->decode(b.work, b.have, b.k, b.n, b.t, b.resi,
			    b.rsel, nrep) != FEC_CODEC_EMORE;
			bad += memcmp(before, b.work, (size_t)b.k * b.t) != 0;
			runs++;
		}
		free(before);
		blk_free(&b);
	}
	CHECK_EQ_U(runs, 24);
	CHECK_EQ_U(bad, 0);
}

/*
 * Hostile parameters, table-driven: each must give FEC_CODEC_EINVAL
 * without reading past the small arrays passed (ASan watches) and without
 * touching the buffers.
 */
struct bad_call {
	const char	*what;
	uint32_t	k, n, t, esi0, nrep;
	int		null_src, null_rep, null_have, null_resi;
};

static const struct bad_call bad_enc[] = {
	{ "k = 0", 0, 10, 8, 0, 1, 0, 0, 0, 0 },
	{ "n < k", 5, 4, 8, 5, 0, 0, 0, 0, 0 },
	{ "n = 256", 5, 256, 8, 5, 1, 0, 0, 0, 0 },
	{ "n huge", 5, UINT32_MAX, 8, 5, 1, 0, 0, 0, 0 },
	{ "t = 0", 5, 10, 0, 5, 1, 0, 0, 0, 0 },
	{ "t > 65535", 5, 10, 65536, 5, 1, 0, 0, 0, 0 },
	{ "esi0 < k", 5, 10, 8, 4, 1, 0, 0, 0, 0 },
	{ "esi0 + nrep > n", 5, 10, 8, 9, 2, 0, 0, 0, 0 },
	{ "esi0 > n", 5, 10, 8, 11, 0, 0, 0, 0, 0 },
	{ "esi0 huge", 5, 10, 8, UINT32_MAX, 1, 0, 0, 0, 0 },
	{ "nrep huge", 5, 10, 8, 5, UINT32_MAX, 0, 0, 0, 0 },
	{ "esi0 + nrep wraps", 5, 10, 8, 6, UINT32_MAX - 2, 0, 0, 0, 0 },
	{ "src NULL", 5, 10, 8, 5, 1, 1, 0, 0, 0 },
	{ "rep NULL", 5, 10, 8, 5, 1, 0, 1, 0, 0 },
	{ "k > 255", 256, 256, 8, 256, 0, 0, 0, 0, 0 },
};

static const struct bad_call bad_dec[] = {
	{ "k = 0", 0, 10, 8, 0, 1, 0, 0, 0, 0 },
	{ "n < k", 5, 4, 8, 0, 0, 0, 0, 0, 0 },
	{ "n = 256", 5, 256, 8, 0, 1, 0, 0, 0, 0 },
	{ "t = 0", 5, 10, 0, 0, 1, 0, 0, 0, 0 },
	{ "t > 65535", 5, 10, 70000, 0, 1, 0, 0, 0, 0 },
	{ "nrep > n - k", 5, 10, 8, 0, 6, 0, 0, 0, 0 },
	{ "nrep huge", 5, 10, 8, 0, UINT32_MAX, 0, 0, 0, 0 },
	{ "src NULL", 5, 10, 8, 0, 1, 1, 0, 0, 0 },
	{ "rep NULL", 5, 10, 8, 0, 1, 0, 1, 0, 0 },
	{ "have NULL", 5, 10, 8, 0, 0, 0, 0, 1, 0 },
	{ "resi NULL", 5, 10, 8, 0, 1, 0, 0, 0, 1 },
};

/* Repair ESI lists for k = 5, n = 10, each wrong in one way. */
static const struct {
	const char	*what;
	uint32_t	nrep, resi[5];
} bad_resi[] = {
	{ "source ESI as repair", 2, { 5, 4 } },
	{ "ESI = n", 2, { 6, 10 } },
	{ "ESI huge", 1, { UINT32_MAX } },
	{ "duplicate", 3, { 7, 8, 7 } },
	{ "duplicate, adjacent", 2, { 9, 9 } },
};

static unsigned int
hostile_one(const struct bad_call *c, int enc, uint8_t *buf, size_t len)
{
	static const uint32_t resi[5] = { 5, 6, 7, 8, 9 };
	uint8_t have[5] = { 0, 1, 1, 1, 1 }, rep[5 * 8];
	uint8_t *src = c->null_src ? NULL : buf;
	int rc;

	memset(buf, 0x3c, len);
	memset(rep, 0x5a, sizeof(rep));
	if (enc)
		rc = rs->encode(src, c->k, c->n, c->t, c->esi0, c->nrep,
		    c->null_rep ? NULL : rep);
	else
		rc = rs->decode(src, c->null_have ? NULL : have, c->k, c->n,
		    c->t, c->null_resi ? NULL : resi, c->null_rep ? NULL : rep,
		    c->nrep);
	if (rc != FEC_CODEC_EINVAL) {
		fprintf(stderr, "%s %s: rc %d\n", enc ? "encode" : "decode",
		    c->what, rc);
		return 1;
	}
	return buf[0] != 0x3c || memcmp(buf, buf + 1, len - 1) != 0 ||
	    rep[0] != 0x5a || memcmp(rep, rep + 1, sizeof(rep) - 1) != 0;
}

static void
test_hostile(void)
{
	uint8_t buf[256 * 8], rep[5 * 8], have[5] = { 1, 1, 1, 1, 1 };
	unsigned int i, bad = 0;
	int rc;

	for (i = 0; i < sizeof(bad_enc) / sizeof(bad_enc[0]); i++)
		bad += hostile_one(&bad_enc[i], 1, buf, sizeof(buf));
	for (i = 0; i < sizeof(bad_dec) / sizeof(bad_dec[0]); i++)
		bad += hostile_one(&bad_dec[i], 0, buf, sizeof(buf));
	/* Bad repair ESIs are refused even when no source is missing. */
	for (i = 0; i < sizeof(bad_resi) / sizeof(bad_resi[0]); i++) {
		memset(rep, 0, sizeof(rep));
		rc = rs->decode(buf, have, 5, 10, 8, bad_resi[i].resi, rep,
		    bad_resi[i].nrep);
		if (rc != FEC_CODEC_EINVAL) {
			fprintf(stderr, "decode %s: rc %d\n", bad_resi[i].what, rc);
			bad++;
		}
		have[0] = 0;
		bad += rs->decode(buf, have, 5, 10, 8, bad_resi[i].resi, rep,
		    bad_resi[i].nrep) != FEC_CODEC_EINVAL;
		have[0] = 1;
	}
	CHECK_EQ_U(bad, 0);
	/* The edges just inside the range are accepted. */
	CHECK(rs->encode(buf, 1, 2, 8, 1, 1, buf + 1024) == 0);
	CHECK(memcmp(buf, buf + 1024, 8) == 0);
	CHECK(rs->encode(buf, 5, 10, 8, 10, 0, NULL) == 0);
	CHECK(rs->decode(buf, have, 5, 5, 8, NULL, NULL, 0) == 0);
	CHECK(fec_rs_codec.fei == 5 && strcmp(fec_rs_codec.name, "rs") == 0);
	CHECK(fec_rs_codec.max_k == Q && fec_rs_codec.max_esi == Q - 1);
}

/* The largest symbol: t = 65535, one source, one repair. */
static void
test_max_symbol(void)
{
	uint8_t *src = malloc(65535), *rep = malloc(65535);
	uint8_t have = 0;
	uint32_t resi = 1;

	REQUIRE(src && rep);
	rng_seed(8);
	rng_fill(src, 65535);
	CHECK(rs->encode(src, 1, 2, 65535, 1, 1, rep) == 0);
	CHECK(memcmp(src, rep, 65535) == 0);
	memset(src, 0, 65535);
	CHECK(rs->decode(src, &have, 1, 2, 65535, &resi, rep, 1) == 0);
	CHECK(memcmp(src, rep, 65535) == 0);
	free(src);
	free(rep);
}

/*
 * First use from several threads at once: the tables are built once
 * (pthread_once) and every thread gets the same repair symbols.  Must
 * run before any other case touches the codec.
 */
struct thr {
	pthread_t	id;
	uint8_t		rep[40 * 64];
	int		rc;
};

static uint8_t thr_src[30 * 64];

static void *
thr_main(void *arg)
{
	struct thr *th = arg;

	th->rc = rs->encode(thr_src, 30, 70, 64, 30, 40, th->rep);
	return NULL;
}

static void
test_threads_first_use(void)
{
	struct thr th[4];
	unsigned int i;

	rng_seed(9);
	rng_fill(thr_src, sizeof(thr_src));
	for (i = 0; i < 4; i++)
		REQUIRE(pthread_create(&th[i].id, NULL, thr_main, &th[i]) == 0);
	for (i = 0; i < 4; i++) {
		pthread_join(th[i].id, NULL);
		CHECK(th[i].rc == 0);
		CHECK(memcmp(th[i].rep, th[0].rep, sizeof(th[0].rep)) == 0);
	}
}

static void
test_ref_init(void)
{
	ref_init();
	CHECK(ref_mul[2][0x80] == 0x1d);
}

TEST_MAIN(TEST(test_threads_first_use), TEST(test_ref_init),
    TEST(test_gf_axioms), TEST(test_gf_generator), TEST(test_by_hand),
    TEST(test_openfec_vector), TEST(test_mul_table), TEST(test_construction),
    TEST(test_shortened), TEST(test_systematic), TEST(test_any_k),
    TEST(test_bursts), TEST(test_too_few), TEST(test_hostile),
    TEST(test_max_symbol))
