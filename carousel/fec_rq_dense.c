/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fec_rq_dense.c: GF(256) arithmetic and the dense part of the RaptorQ
 * solver (fec_rq_solve.c phase 4): u unknowns, the inactive symbols,
 * with nb binary equations and H HDPC equations over GF(256).
 *
 * The binary rows are eliminated first, Gauss-Jordan on 64-bit words,
 * and the HDPC rows are reduced alongside; a binary pivot row added to
 * an HDPC row multiplies it by a byte, never the other way round, so
 * the binary rows stay binary.  The columns that no binary row could
 * pivot (about H of them) are then solved over GF(256) from the
 * binary rows left over and the HDPC rows, and substituted back.
 */
#include <stdlib.h>
#include <string.h>

#include "fec_codec.h"
#include "fec_rq_int.h"

#define RQ_NONE UINT32_MAX

void
fec_rq_gf_init(struct fec_rq_gf *gf)
{
	unsigned i, x = 1;

	for (i = 0; i < 255; i++) {
		gf->exp[i] = (uint8_t)x;
		gf->log[x] = (uint8_t)i;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x11D;
	}
	for (i = 255; i < 512; i++)
		gf->exp[i] = gf->exp[i - 255];
	gf->log[0] = 0;
}

static uint8_t
rq_gf_mul(const struct fec_rq_gf *gf, uint8_t a, uint8_t b)
{
	if (a == 0 || b == 0)
		return 0;
	return gf->exp[gf->log[a] + gf->log[b]];
}

static uint8_t
rq_gf_inv(const struct fec_rq_gf *gf, uint8_t a)
{
	return gf->exp[255 - gf->log[a]];
}

void
fec_rq_gf_alpha(uint8_t *buf, size_t n)
{
	const uint64_t lo = 0x7F7F7F7F7F7F7F7Full, hi = 0x0101010101010101ull;
	uint64_t x;
	size_t i = 0;

	/* Eight bytes at once: shift each left, reduce the carried-out bit. */
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, buf + i, 8);
		x = ((x & lo) << 1) ^ (((x >> 7) & hi) * 0x1D);
		memcpy(buf + i, &x, 8);
	}
	for (; i < n; i++)
		buf[i] = (uint8_t)((buf[i] << 1) ^ (buf[i] & 0x80 ? 0x1D : 0));
}

void
fec_rq_gf_muladd(const struct fec_rq_gf *gf, uint8_t *dst, const uint8_t *src,
    uint8_t beta, size_t n)
{
	uint8_t tab[256];
	unsigned v;
	size_t i;

	if (beta == 0)
		return;
	if (beta == 1) {
		fec_rq_xor(dst, src, n);
		return;
	}
	/* A product table pays off only on long rows. */
	if (n < 128) {
		for (i = 0; i < n; i++)
			dst[i] ^= rq_gf_mul(gf, beta, src[i]);
		return;
	}
	for (v = 0; v < 256; v++)
		tab[v] = rq_gf_mul(gf, beta, (uint8_t)v);
	for (i = 0; i < n; i++)
		dst[i] ^= tab[src[i]];
}

static void
rq_gf_scale(const struct fec_rq_gf *gf, uint8_t *buf, uint8_t beta, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = rq_gf_mul(gf, beta, buf[i]);
}

int
fec_rq_dense_init(struct fec_rq_dense *dn, uint32_t nb, uint32_t h,
    uint32_t u, uint32_t t)
{
	size_t i, nsym = (size_t)nb + h;

	fec_rq_gf_init(&dn->gf);
	dn->nb = nb;
	dn->h = h;
	dn->u = u;
	dn->t = t;
	dn->wu = ((size_t)u + 63) / 64;
	dn->bv = calloc(nb + 1, sizeof(*dn->bv));
	dn->bs = calloc(nb + 1, sizeof(*dn->bs));
	dn->hs = calloc(h + 1, sizeof(*dn->hs));
	dn->val = calloc(u + 1, sizeof(*dn->val));
	dn->hc = calloc((size_t)h * u + 1, 1);
	dn->scratch_c = calloc((size_t)u + t, 1);
	dn->bvmem = calloc((size_t)nb * dn->wu + 1, sizeof(uint64_t));
	dn->symmem = calloc(nsym * t + 1, 1);
	if (dn->bv == NULL || dn->bs == NULL || dn->hs == NULL ||
	    dn->val == NULL || dn->hc == NULL || dn->scratch_c == NULL ||
	    dn->bvmem == NULL || dn->symmem == NULL)
		return FEC_CODEC_ENOMEM;
	dn->scratch_s = dn->scratch_c + u;
	for (i = 0; i < nb; i++) {
		dn->bv[i] = dn->bvmem + i * dn->wu;
		dn->bs[i] = dn->symmem + i * t;
	}
	for (i = 0; i < h; i++)
		dn->hs[i] = dn->symmem + (nb + i) * t;
	return 0;
}

void
fec_rq_dense_free(struct fec_rq_dense *dn)
{
	free(dn->bv);
	free(dn->bs);
	free(dn->hs);
	free(dn->val);
	free(dn->hc);
	free(dn->scratch_c);
	free(dn->bvmem);
	free(dn->symmem);
}

static int
rq_bit(const uint64_t *v, uint32_t k)
{
	return (v[k / 64] >> (k % 64)) & 1;
}

static void
rq_swap_rows(struct fec_rq_dense *dn, uint32_t a, uint32_t b)
{
	uint64_t *v = dn->bv[a];
	uint8_t *s = dn->bs[a];

	dn->bv[a] = dn->bv[b];
	dn->bs[a] = dn->bs[b];
	dn->bv[b] = v;
	dn->bs[b] = s;
}

void
fec_rq_bits_add(uint8_t *dst, const uint64_t *v, size_t wu, uint8_t beta)
{
	uint64_t wd;
	size_t i;

	for (i = 0; i < wu; i++)
		for (wd = v[i]; wd != 0; wd &= wd - 1)
			dst[i * 64 + (size_t)__builtin_ctzll(wd)] ^= beta;
}

/* Add beta times binary row r to every HDPC row with beta at column k. */
static void
rq_binary_into_hdpc(struct fec_rq_dense *dn, uint32_t r, uint32_t k)
{
	uint8_t beta, *hc;
	uint32_t h;

	for (h = 0; h < dn->h; h++) {
		hc = dn->hc + (size_t)h * dn->u;
		if ((beta = hc[k]) == 0)
			continue;
		fec_rq_bits_add(hc, dn->bv[r], dn->wu, beta);
		fec_rq_gf_muladd(&dn->gf, dn->hs[h], dn->bs[r], beta, dn->t);
	}
}

/*
 * Step 1: Gauss-Jordan over GF(2) on the binary rows.  pk[k] is the
 * row that pivots column k, or NONE for a free column; the pivot rows
 * end up first.  Returns the number of pivot rows.
 */
static uint32_t
rq_binary_elim(struct fec_rq_dense *dn, uint32_t *pk)
{
	uint32_t k, r, r2, next = 0;
	size_t i;

	for (k = 0; k < dn->u; k++) {
		pk[k] = RQ_NONE;
		for (r = next; r < dn->nb && !rq_bit(dn->bv[r], k); r++)
			;
		if (r == dn->nb)
			continue;
		rq_swap_rows(dn, r, next);
		for (r2 = 0; r2 < dn->nb; r2++) {
			if (r2 == next || !rq_bit(dn->bv[r2], k))
				continue;
			for (i = 0; i < dn->wu; i++)
				dn->bv[r2][i] ^= dn->bv[next][i];
			fec_rq_xor(dn->bs[r2], dn->bs[next], dn->t);
		}
		rq_binary_into_hdpc(dn, next, k);
		pk[k] = next++;
	}
	return next;
}

/*
 * Step 2: Gauss-Jordan over GF(256) on the nf free columns, from the m
 * rows in a (m x nf) with right-hand sides rhs.  Row f of the result
 * holds free column f's value.
 */
static int
rq_gf_elim(struct fec_rq_dense *dn, uint8_t *a, uint8_t **rhs, uint32_t m,
    uint32_t nf)
{
	uint32_t f, r, r2;
	uint8_t beta, *s;

	for (f = 0; f < nf; f++) {
		for (r = f; r < m && a[(size_t)r * nf + f] == 0; r++)
			;
		if (r == m)
			return FEC_CODEC_EMORE;
		if (r != f) {
			for (r2 = 0; r2 < nf; r2++) {
				beta = a[(size_t)r * nf + r2];
				a[(size_t)r * nf + r2] = a[(size_t)f * nf + r2];
				a[(size_t)f * nf + r2] = beta;
			}
			s = rhs[r];
			rhs[r] = rhs[f];
			rhs[f] = s;
		}
		beta = rq_gf_inv(&dn->gf, a[(size_t)f * nf + f]);
		rq_gf_scale(&dn->gf, a + (size_t)f * nf, beta, nf);
		rq_gf_scale(&dn->gf, rhs[f], beta, dn->t);
		for (r = 0; r < m; r++) {
			beta = a[(size_t)r * nf + f];
			if (r == f || beta == 0)
				continue;
			fec_rq_gf_muladd(&dn->gf, a + (size_t)r * nf,
			    a + (size_t)f * nf, beta, nf);
			fec_rq_gf_muladd(&dn->gf, rhs[r], rhs[f], beta, dn->t);
		}
	}
	return 0;
}

/* The subsystem of the free columns: leftover binary rows, HDPC rows. */
static int
rq_free_solve(struct fec_rq_dense *dn, const uint32_t *fcol, uint32_t nf,
    uint32_t npiv)
{
	uint32_t m = dn->nb - npiv + dn->h, r, f;
	uint8_t *a, **rhs;
	int rc;

	if (nf == 0)
		return 0;
	if (m < nf)
		return FEC_CODEC_EMORE;
	a = calloc((size_t)m * nf, 1);
	rhs = calloc(m, sizeof(*rhs));
	if (a == NULL || rhs == NULL) {
		rc = FEC_CODEC_ENOMEM;
		goto out;
	}
	for (r = 0; r < m; r++) {
		for (f = 0; f < nf; f++) {
			if (r < dn->nb - npiv)
				a[(size_t)r * nf + f] = (uint8_t)rq_bit(
				    dn->bv[npiv + r], fcol[f]);
			else
				a[(size_t)r * nf + f] = dn->hc[(size_t)(r -
				    (dn->nb - npiv)) * dn->u + fcol[f]];
		}
		rhs[r] = r < dn->nb - npiv ? dn->bs[npiv + r] :
		    dn->hs[r - (dn->nb - npiv)];
	}
	rc = rq_gf_elim(dn, a, rhs, m, nf);
	for (f = 0; rc == 0 && f < nf; f++)
		dn->val[fcol[f]] = rhs[f];
out:
	free(a);
	free(rhs);
	return rc;
}

int
fec_rq_dense_solve(struct fec_rq_dense *dn)
{
	uint32_t *pk, *fcol, nf = 0, npiv, k, f;
	int rc;

	pk = calloc((size_t)dn->u + 1, sizeof(*pk));
	fcol = calloc((size_t)dn->u + 1, sizeof(*fcol));
	if (pk == NULL || fcol == NULL) {
		rc = FEC_CODEC_ENOMEM;
		goto out;
	}
	npiv = rq_binary_elim(dn, pk);
	for (k = 0; k < dn->u; k++)
		if (pk[k] == RQ_NONE)
			fcol[nf++] = k;
	if ((rc = rq_free_solve(dn, fcol, nf, npiv)) != 0)
		goto out;
	/* Step 3: the binary pivot rows still hold free columns. */
	for (k = 0; k < dn->u; k++) {
		if (pk[k] == RQ_NONE)
			continue;
		for (f = 0; f < nf; f++)
			if (rq_bit(dn->bv[pk[k]], fcol[f]))
				fec_rq_xor(dn->bs[pk[k]], dn->val[fcol[f]],
				    dn->t);
		dn->val[k] = dn->bs[pk[k]];
	}
out:
	free(pk);
	free(fcol);
	return rc;
}
