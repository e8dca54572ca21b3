/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rs_ref.h: for test_fec_rs.c only.  A seeded generator and a reference
 * GF(2^8) (0x11D) built bit by bit, and the RFC 5510 generator matrix the
 * most naive way (Vandermonde columns, plain Gauss-Jordan inversion), all
 * written apart from carousel/fec_rs.c so the codec is checked against
 * arithmetic it does not share.
 */
#ifndef NIPCACHE_RS_REF_H
#define NIPCACHE_RS_REF_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define Q	255

/* xorshift64, seeded per test. */
static uint64_t rng_state;

static void
rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 1;
}

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static void
rng_fill(uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)rng();
}

/* Reference field: shift-and-add, reducing by x^8+x^4+x^3+x^2+1. */
static uint8_t
slow_mul(uint8_t a, uint8_t b)
{
	unsigned int r = 0, x = a;

	while (b) {
		if (b & 1)
			r ^= x;
		b >>= 1;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x11d;
	}
	return (uint8_t)r;
}

static uint8_t ref_mul[256][256];
static uint8_t ref_inv[256];

static void
ref_init(void)
{
	unsigned int a, b;

	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++)
			ref_mul[a][b] = slow_mul((uint8_t)a, (uint8_t)b);
	/* The inverse by exhaustive search: no logarithms involved. */
	for (a = 1; a < 256; a++)
		for (b = 1; b < 256; b++)
			if (ref_mul[a][b] == 1)
				ref_inv[a] = (uint8_t)b;
}

static uint8_t
ref_pow(uint8_t a, unsigned int e)
{
	uint8_t r = 1;

	while (e--)
		r = ref_mul[r][a];
	return r;
}


/*
 * The naive generator matrix, n rows of k: row e holds the coefficients
 * of encoding symbol e.  V[e][i] = x_e^i with x_0 = 0, x_e = alpha^(e-1);
 * G = V * (top k x k of V)^-1.  Returns 0, or -1 if singular.
 */
static int
naive_invert(uint8_t *a, uint8_t *inv, unsigned int k)
{
	unsigned int r, c, p, j;
	uint8_t f, tmp;

	for (r = 0; r < k; r++)
		for (c = 0; c < k; c++)
			inv[r * k + c] = r == c;
	for (c = 0; c < k; c++) {
		for (p = c; p < k && a[p * k + c] == 0; p++)
			;
		if (p == k)
			return -1;
		for (j = 0; j < k; j++) {
			tmp = a[c * k + j], a[c * k + j] = a[p * k + j], a[p * k + j] = tmp;
			tmp = inv[c * k + j], inv[c * k + j] = inv[p * k + j],
			    inv[p * k + j] = tmp;
		}
		f = ref_inv[a[c * k + c]];
		for (j = 0; j < k; j++) {
			a[c * k + j] = ref_mul[f][a[c * k + j]];
			inv[c * k + j] = ref_mul[f][inv[c * k + j]];
		}
		for (r = 0; r < k; r++) {
			f = a[r * k + c];
			if (r == c || f == 0)
				continue;
			for (j = 0; j < k; j++) {
				a[r * k + j] ^= ref_mul[f][a[c * k + j]];
				inv[r * k + j] ^= ref_mul[f][inv[c * k + j]];
			}
		}
	}
	return 0;
}

static uint8_t *
naive_generator(unsigned int k, unsigned int n)
{
	uint8_t *v = malloc((size_t)n * k), *top = malloc((size_t)k * k);
	uint8_t *inv = malloc((size_t)k * k), *g = malloc((size_t)n * k);
	unsigned int e, i, j;
	uint8_t x;

	if (!v || !top || !inv || !g)
		abort();
	for (e = 0; e < n; e++) {
		x = e == 0 ? 0 : ref_pow(2, e - 1);
		for (i = 0; i < k; i++)
			v[e * k + i] = i == 0 ? 1 : ref_mul[v[e * k + i - 1]][x];
	}
	memcpy(top, v, (size_t)k * k);
	if (naive_invert(top, inv, k) != 0) {
		free(g);
		g = NULL;
		goto out;
	}
	for (e = 0; e < n; e++)
		for (j = 0; j < k; j++) {
			x = 0;
			for (i = 0; i < k; i++)
				x ^= ref_mul[v[e * k + i]][inv[i * k + j]];
			g[e * k + j] = x;
		}
out:
	free(v);
	free(top);
	free(inv);
	return g;
}

/* Encoding symbol e from G and the source block, byte by byte. */
static void
naive_symbol(const uint8_t *g, const uint8_t *src, unsigned int k,
    unsigned int t, unsigned int e, uint8_t *out)
{
	unsigned int b, i;

	for (b = 0; b < t; b++) {
		out[b] = 0;
		for (i = 0; i < k; i++)
			out[b] ^= ref_mul[g[e * k + i]][src[i * t + b]];
	}
}

/* The top of G is the identity: the naive construction is systematic. */
static unsigned int
naive_not_identity(const uint8_t *g, unsigned int k)
{
	unsigned int r, c, bad = 0;

	for (r = 0; r < k; r++)
		for (c = 0; c < k; c++)
			bad += g[r * k + c] != (r == c);
	return bad;
}

#endif
