/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fec_rq.c: the RaptorQ codec of FEC Encoding ID 6 (RFC 6330) behind
 * struct fec_codec.  This file holds the parameters, the tuple and LT
 * generators of section 5.3.5 and the encode/decode glue; the solver is
 * in fec_rq_solve.c and the constant tables in fec_rq_tab.c.
 *
 * Both directions solve the same kind of system: encoding finds the
 * intermediate symbols from the K source symbols (plus K' - K zero
 * padding symbols), decoding from whatever K or more encoding symbols
 * arrived.  Any repair ESI is then one LTEnc over the intermediate
 * symbols, and so is any missing source symbol.
 *
 * The codec works on one source block with N = 1 sub-blocks.  Every step
 * is a byte-wise linear map with coefficients that depend on K alone,
 * so sub-blocking (N > 1) is only a permutation of the block's bytes
 * that the caller applies before encoding and undoes after decoding.
 */
#include <stdlib.h>
#include <string.h>

#include "fec_codec.h"
#include "fec_rq_int.h"

#define RQ_SPARE	24u	/* repair symbols beyond K worth solving with */

static int
rq_isprime(uint32_t n)
{
	uint32_t d;

	if (n < 2)
		return 0;
	for (d = 2; d * d <= n; d++)
		if (n % d == 0)
			return 0;
	return 1;
}

int
fec_rq_params_get(uint32_t k, struct fec_rq_params *p)
{
	const struct fec_rq_t2 *r = NULL;
	uint32_t i;

	if (k == 0 || k > FEC_RQ_MAX_K)
		return -1;
	for (i = 0; i < FEC_RQ_T2_ROWS; i++) {
		if (fec_rq_table2[i].kp >= k) {
			r = &fec_rq_table2[i];
			break;
		}
	}
	if (r == NULL)
		return -1;
	p->k = k;
	p->kp = r->kp;
	p->j = r->j;
	p->s = r->s;
	p->h = r->h;
	p->w = r->w;
	p->l = p->kp + p->s + p->h;
	p->p = p->l - p->w;
	p->b = p->w - p->s;
	p->p1 = p->p;
	while (!rq_isprime(p->p1))
		p->p1++;
	return 0;
}

uint32_t
fec_rq_rand(uint32_t y, uint32_t i, uint32_t m)
{
	uint32_t x0 = (y + i) & 0xFF;
	uint32_t x1 = ((y >> 8) + i) & 0xFF;
	uint32_t x2 = ((y >> 16) + i) & 0xFF;
	uint32_t x3 = ((y >> 24) + i) & 0xFF;

	return (fec_rq_v[0][x0] ^ fec_rq_v[1][x1] ^ fec_rq_v[2][x2] ^
	    fec_rq_v[3][x3]) % m;
}

uint32_t
fec_rq_deg(uint32_t v, uint32_t w)
{
	uint32_t d;

	for (d = 1; d < FEC_RQ_DEG_N - 1; d++)
		if (v < fec_rq_deg_f[d])
			break;
	return d < w - 2 ? d : w - 2;
}

void
fec_rq_tuple(const struct fec_rq_params *p, uint32_t isi,
    struct fec_rq_tuple *tp)
{
	uint32_t a = 53591 + p->j * 997;
	uint32_t b = 10267 * (p->j + 1);
	uint32_t y, v;

	if (a % 2 == 0)
		a++;
	/* y = (B + X * A) % 2^32: unsigned arithmetic wraps as required. */
	y = b + isi * a;
	v = fec_rq_rand(y, 0, 1u << 20);
	tp->d = fec_rq_deg(v, p->w);
	tp->a = 1 + fec_rq_rand(y, 1, p->w - 1);
	tp->b = fec_rq_rand(y, 2, p->w);
	tp->d1 = tp->d < 4 ? 2 + fec_rq_rand(isi, 3, 2) : 2;
	tp->a1 = 1 + fec_rq_rand(isi, 4, p->p1 - 1);
	tp->b1 = fec_rq_rand(isi, 5, p->p1);
}

/* Step b1 through the orbit mod P1 to the next value below P. */
static uint32_t
rq_pi_next(const struct fec_rq_params *p, uint32_t b1, uint32_t a1)
{
	b1 = (b1 + a1) % p->p1;
	while (b1 >= p->p)
		b1 = (b1 + a1) % p->p1;
	return b1;
}

unsigned
fec_rq_lt_cols(const struct fec_rq_params *p, uint32_t isi, uint32_t *cols)
{
	struct fec_rq_tuple tp;
	uint32_t b, b1, j;
	unsigned n = 0;

	fec_rq_tuple(p, isi, &tp);
	b = tp.b;
	cols[n++] = b;
	for (j = 1; j < tp.d; j++) {
		b = (b + tp.a) % p->w;
		cols[n++] = b;
	}
	b1 = tp.b1;
	while (b1 >= p->p)
		b1 = (b1 + tp.a1) % p->p1;
	cols[n++] = p->w + b1;
	for (j = 1; j < tp.d1; j++) {
		b1 = rq_pi_next(p, b1, tp.a1);
		cols[n++] = p->w + b1;
	}
	return n;
}

/* 32 bytes as one value: SIMD registers where the target has them. */
typedef uint64_t rq_wide __attribute__((vector_size(32)));

/* Half the codec's time is spent here, hence the wide words. */
void
fec_rq_xor(uint8_t *dst, const uint8_t *src, size_t t)
{
	size_t i = 0;
	rq_wide x, y;
	uint64_t a, b;

	/* memcpy keeps the wide loads free of alignment and aliasing UB. */
	for (; i + sizeof(x) <= t; i += sizeof(x)) {
		memcpy(&x, dst + i, sizeof(x));
		memcpy(&y, src + i, sizeof(y));
		x ^= y;
		memcpy(dst + i, &x, sizeof(x));
	}
	for (; i + 8 <= t; i += 8) {
		memcpy(&a, dst + i, 8);
		memcpy(&b, src + i, 8);
		a ^= b;
		memcpy(dst + i, &a, 8);
	}
	for (; i < t; i++)
		dst[i] ^= src[i];
}

void
fec_rq_ltenc(const struct fec_rq_params *p, const uint8_t *c, uint32_t t,
    uint32_t isi, uint8_t *out)
{
	uint32_t cols[FEC_RQ_LT_MAX];
	unsigned n, i;

	n = fec_rq_lt_cols(p, isi, cols);
	memcpy(out, c + (size_t)cols[0] * t, t);
	for (i = 1; i < n; i++)
		fec_rq_xor(out, c + (size_t)cols[i] * t, t);
}

static int
rq_block_ok(uint32_t k, uint32_t t)
{
	return k >= 1 && k <= FEC_RQ_MAX_K && t >= 1 && t <= FEC_RQ_MAX_T;
}

/*
 * The intermediate symbols of a block from its source symbols: K source
 * rows and K' - K zero padding rows (section 5.3.3.4).
 */
static uint8_t *
rq_intermediate(const struct fec_rq_params *p, const uint8_t *src,
    uint32_t t, int *rc)
{
	const uint8_t **sym;
	uint32_t *isi, i;
	uint8_t *c;

	sym = calloc(p->kp, sizeof(*sym));
	isi = calloc(p->kp, sizeof(*isi));
	c = malloc((size_t)p->l * t);
	if (sym == NULL || isi == NULL || c == NULL) {
		*rc = FEC_CODEC_ENOMEM;
		goto out_free;
	}
	for (i = 0; i < p->kp; i++) {
		isi[i] = i;
		sym[i] = i < p->k ? src + (size_t)i * t : NULL;
	}
	*rc = fec_rq_solve(p, isi, sym, p->kp, t, c);
out_free:
	free(sym);
	free(isi);
	if (*rc != 0) {
		free(c);
		c = NULL;
	}
	return c;
}

/* ESI to ISI (section 5.3.1): repair ESIs skip the padding symbols. */
static uint32_t
rq_isi(const struct fec_rq_params *p, uint32_t esi)
{
	return esi < p->k ? esi : esi + (p->kp - p->k);
}

static int
rq_encode(const uint8_t *src, uint32_t k, uint32_t n, uint32_t t,
    uint32_t esi0, uint32_t nrep, uint8_t *rep)
{
	struct fec_rq_params p;
	uint8_t *c;
	uint32_t i;
	int rc;

	(void)n;
	if (src == NULL || !rq_block_ok(k, t) || esi0 > FEC_RQ_MAX_ESI ||
	    nrep > FEC_RQ_MAX_ESI - esi0 + 1 || (nrep > 0 && rep == NULL))
		return FEC_CODEC_EINVAL;
	if (nrep == 0)
		return 0;
	if (fec_rq_params_get(k, &p) != 0)
		return FEC_CODEC_EINVAL;
	c = rq_intermediate(&p, src, t, &rc);
	if (c == NULL)
		return rc;
	for (i = 0; i < nrep; i++)
		fec_rq_ltenc(&p, c, t, rq_isi(&p, esi0 + i),
		    rep + (size_t)i * t);
	free(c);
	return 0;
}

static int
rq_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Repair ESIs must be repair ESIs, in range and distinct. */
static int
rq_check_resi(uint32_t k, const uint32_t *resi, uint32_t nrep)
{
	uint32_t *s, i;
	int rc = 0;

	for (i = 0; i < nrep; i++)
		if (resi[i] < k || resi[i] > FEC_RQ_MAX_ESI)
			return FEC_CODEC_EINVAL;
	if (nrep < 2)
		return 0;
	s = malloc((size_t)nrep * sizeof(*s));
	if (s == NULL)
		return FEC_CODEC_ENOMEM;
	memcpy(s, resi, (size_t)nrep * sizeof(*s));
	qsort(s, nrep, sizeof(*s), rq_cmp_u32);
	for (i = 1; i < nrep; i++)
		if (s[i] == s[i - 1])
			rc = FEC_CODEC_EINVAL;
	free(s);
	return rc;
}

/*
 * Solve from the received symbols: the source symbols we have, the
 * padding symbols (known zeros) and the repair symbols.
 */
static uint8_t *
rq_received(const struct fec_rq_params *p, const uint8_t *src,
    const uint8_t *have, uint32_t t, const uint32_t *resi,
    const uint8_t *rep, uint32_t nrep, int *rc)
{
	const uint8_t **sym;
	uint32_t *isi, n = 0, i;
	size_t max = (size_t)p->kp + nrep;
	uint8_t *c;

	sym = calloc(max, sizeof(*sym));
	isi = calloc(max, sizeof(*isi));
	c = malloc((size_t)p->l * t);
	if (sym == NULL || isi == NULL || c == NULL) {
		*rc = FEC_CODEC_ENOMEM;
		goto out_free;
	}
	for (i = 0; i < p->kp; i++) {
		if (i < p->k && !have[i])
			continue;
		isi[n] = i;
		sym[n++] = i < p->k ? src + (size_t)i * t : NULL;
	}
	for (i = 0; i < nrep; i++) {
		isi[n] = rq_isi(p, resi[i]);
		sym[n++] = rep + (size_t)i * t;
	}
	*rc = fec_rq_solve(p, isi, sym, n, t, c);
out_free:
	free(sym);
	free(isi);
	if (*rc != 0) {
		free(c);
		c = NULL;
	}
	return c;
}

static int
rq_decode(uint8_t *src, const uint8_t *have, uint32_t k, uint32_t n,
    uint32_t t, const uint32_t *resi, const uint8_t *rep, uint32_t nrep)
{
	struct fec_rq_params p;
	uint32_t i, use, nsrc = 0;
	uint8_t *c;
	int rc;

	(void)n;
	if (src == NULL || have == NULL || !rq_block_ok(k, t) ||
	    (nrep > 0 && (resi == NULL || rep == NULL)))
		return FEC_CODEC_EINVAL;
	if ((rc = rq_check_resi(k, resi, nrep)) != 0)
		return rc;
	for (i = 0; i < k; i++)
		nsrc += have[i] != 0;
	if (nsrc == k)
		return 0;
	if ((uint64_t)nsrc + nrep < k)
		return FEC_CODEC_EMORE;
	if (fec_rq_params_get(k, &p) != 0)
		return FEC_CODEC_EINVAL;
	/*
	 * Each symbol beyond K divides the chance of a decoding failure by
	 * about a hundred, so K + RQ_SPARE practically never fail; more
	 * only slow the dense phase down.  Use them all only if the first
	 * ones really were not enough.
	 */
	use = nrep;
	if (nsrc + (uint64_t)nrep > (uint64_t)k + RQ_SPARE)
		use = k + RQ_SPARE - nsrc;
	c = rq_received(&p, src, have, t, resi, rep, use, &rc);
	if (c == NULL && rc == FEC_CODEC_EMORE && use < nrep)
		c = rq_received(&p, src, have, t, resi, rep, nrep, &rc);
	if (c == NULL)
		return rc;
	for (i = 0; i < k; i++)
		if (!have[i])
			fec_rq_ltenc(&p, c, t, i, src + (size_t)i * t);
	free(c);
	return 0;
}

const struct fec_codec fec_rq_codec = {
	.fei = 6,
	.name = "raptorq",
	.max_k = FEC_RQ_MAX_K,
	.max_esi = FEC_RQ_MAX_ESI,
	.encode = rq_encode,
	.decode = rq_decode,
};
