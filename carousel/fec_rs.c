/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fec_rs.c: the Reed-Solomon erasure code over GF(2^8) of FEC Encoding
 * ID 5 (RFC 5510 sections 5 and 8), behind the fec_codec.h interface.
 *
 * The field is GF(2^8) built on the primitive polynomial
 * x^8 + x^4 + x^3 + x^2 + 1 (0x11D), alpha = x = 2 (RFC 5510 section 8.1).
 *
 * The code.  RFC 5510 section 8 builds the systematic generator matrix
 * as GM = V_{k,k}^-1 * V_{k,n} from a Vandermonde matrix whose column j
 * holds the powers 0..k-1 of an evaluation point x_j.  OpenFEC's
 * reed-solomon_gf_2_8 codec (by the RFC's authors, derived from Luigi
 * Rizzo's codec, as are zfec and OpenPGM) uses the points
 *
 *	x_0 = 0, x_j = alpha^(j - 1) for j >= 1.
 *
 * Read literally, the RFC text (v_{i,j} = alpha^(i*j), that is
 * x_j = alpha^j) gives other repair symbols, which no implementation we
 * know of produces.  We follow OpenFEC, so that a sender or receiver
 * built on it interoperates with us bit for bit (checked against
 * OpenFEC's own output; tests/unit/test_fec_rs.c keeps one vector).
 *
 * With those points, GM column j is the Lagrange basis of the k source
 * points evaluated at x_j: encoding symbol j is P(x_j), where P is the
 * polynomial of degree < k taking the source symbols at x_0 .. x_{k-1}.
 * So we never build or invert a matrix: encoding evaluates P at each
 * repair point, and decoding rebuilds each missing source symbol by
 * Lagrange interpolation through any k received symbols.  That is the
 * same arithmetic as inverting the k x k submatrix of the received
 * columns, with O(k^2) scalar work per call instead of O(k^3), and
 * k multiply-accumulates of whole symbols per symbol produced.
 *
 * The symbol work is a table-driven multiply-accumulate: one 256-byte
 * row of the multiplication table per coefficient, four source symbols
 * per pass over the destination.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fec_codec.h"

#define RS_POLY		0x11d	/* x^8 + x^4 + x^3 + x^2 + 1 */
#define RS_Q		255	/* non-zero elements: n <= 2^8 - 1 */
#define RS_MAX_T	65535	/* E is 16 bits in the FEI 5 OTI */

/*
 * rs_exp[i] = alpha^i for 0 <= i < 2 * 255 (doubled so that a sum of two
 * logarithms needs no reduction), rs_log[alpha^i] = i, and
 * rs_mul[a][b] = a * b.  Written once under rs_once, read-only after.
 */
static uint8_t rs_exp[2 * RS_Q];
static uint8_t rs_log[256];
static uint8_t rs_mul[256][256];
static pthread_once_t rs_once = PTHREAD_ONCE_INIT;

static void
rs_tables_init(void)
{
	unsigned int i, a, b, x = 1;

	for (i = 0; i < RS_Q; i++) {
		rs_exp[i] = rs_exp[i + RS_Q] = (uint8_t)x;
		rs_log[x] = (uint8_t)i;
		x <<= 1;
		if (x & 0x100)
			x ^= RS_POLY;
	}
	for (a = 1; a < 256; a++)
		for (b = 1; b < 256; b++)
			rs_mul[a][b] = rs_exp[rs_log[a] + rs_log[b]];
}

/* The evaluation point of encoding symbol esi (esi < 255). */
static uint8_t
rs_point(uint32_t esi)
{
	return esi == 0 ? 0 : rs_exp[esi - 1];
}

/*
 * The parameters every call shares: 1 <= k <= n <= 255, and
 * 1 <= t <= 65535 (which also keeps k * t far from overflowing).
 */
static int
rs_check(uint32_t k, uint32_t n, uint32_t t)
{
	if (k == 0 || n < k || n > RS_Q || t == 0 || t > RS_MAX_T)
		return -1;
	return 0;
}

/*
 * logd[i] = log of prod_{l != i} (x[i] - x[l]): the denominator of the
 * i-th Lagrange basis polynomial through the k distinct points x[].
 */
static void
rs_denoms(const uint8_t *x, uint32_t k, uint8_t *logd)
{
	uint32_t i, l, sum;

	for (i = 0; i < k; i++) {
		sum = 0;
		for (l = 0; l < k; l++)
			if (l != i)
				sum += rs_log[x[i] ^ x[l]];
		logd[i] = (uint8_t)(sum % RS_Q);
	}
}

/*
 * row[i] = L_i(xt), the i-th Lagrange basis polynomial through the k
 * points x[] evaluated at xt, which must not be one of them:
 * L_i(xt) = prod_l (xt - x[l]) / ((xt - x[i]) * prod_{l != i} (x[i] - x[l])).
 * lt[] is scratch for k logarithms.  No coefficient is ever zero.
 */
static void
rs_row(const uint8_t *x, const uint8_t *logd, uint32_t k, uint8_t xt,
    uint8_t *lt, uint8_t *row)
{
	uint32_t i, lognum = 0;

	for (i = 0; i < k; i++) {
		lt[i] = rs_log[xt ^ x[i]];
		lognum += lt[i];
	}
	lognum %= RS_Q;
	for (i = 0; i < k; i++)
		row[i] = rs_exp[(lognum + 2 * RS_Q - lt[i] - logd[i]) % RS_Q];
}

/* d = (first ? 0 : d) + sum of c[j] * s[j] for j < 4, over t bytes. */
static void
rs_mac4(uint8_t *restrict d, const uint8_t *const *s, const uint8_t *c,
    size_t t, int first)
{
	const uint8_t *restrict s0 = s[0], *restrict s1 = s[1];
	const uint8_t *restrict s2 = s[2], *restrict s3 = s[3];
	const uint8_t *m0 = rs_mul[c[0]], *m1 = rs_mul[c[1]];
	const uint8_t *m2 = rs_mul[c[2]], *m3 = rs_mul[c[3]];
	size_t b;

	if (first) {
		for (b = 0; b < t; b++)
			d[b] = m0[s0[b]] ^ m1[s1[b]] ^ m2[s2[b]] ^ m3[s3[b]];
		return;
	}
	for (b = 0; b < t; b++)
		d[b] ^= m0[s0[b]] ^ m1[s1[b]] ^ m2[s2[b]] ^ m3[s3[b]];
}

/* d = (first ? 0 : d) + c * s over t bytes. */
static void
rs_mac1(uint8_t *restrict d, const uint8_t *restrict s, uint8_t c,
    size_t t, int first)
{
	const uint8_t *m = rs_mul[c];
	size_t b;

	if (first) {
		for (b = 0; b < t; b++)
			d[b] = m[s[b]];
		return;
	}
	for (b = 0; b < t; b++)
		d[b] ^= m[s[b]];
}

/* d = sum of c[i] * s[i] for i < cnt (cnt >= 1), over t bytes. */
static void
rs_combine(uint8_t *d, const uint8_t *const *s, const uint8_t *c,
    uint32_t cnt, size_t t)
{
	uint32_t i = 0;

	for (; i + 4 <= cnt; i += 4)
		rs_mac4(d, s + i, c + i, t, i == 0);
	for (; i < cnt; i++)
		rs_mac1(d, s[i], c[i], t, i == 0);
}

/*
 * Per-call scratch for k known symbols: their addresses, their points,
 * the Lagrange denominators, one coefficient row and its scratch.
 */
struct rs_work {
	const uint8_t	**sym;
	uint8_t		*x;
	uint8_t		*logd;
	uint8_t		*row;
	uint8_t		*lt;
};

static int
rs_work_alloc(struct rs_work *w, uint32_t k)
{
	size_t ptrs = (size_t)k * sizeof(*w->sym);
	uint8_t *p;

	p = malloc(ptrs + 4 * (size_t)k);
	if (p == NULL)
		return FEC_CODEC_ENOMEM;
	w->sym = (const uint8_t **)(void *)p;
	w->x = p + ptrs;
	w->logd = w->x + k;
	w->row = w->logd + k;
	w->lt = w->row + k;
	return 0;
}

static int
rs_encode(const uint8_t *src, uint32_t k, uint32_t n, uint32_t t,
    uint32_t esi0, uint32_t nrep, uint8_t *rep)
{
	struct rs_work w;
	uint32_t i;
	int rc;

	if (rs_check(k, n, t) != 0 || src == NULL || esi0 < k ||
	    esi0 > n || nrep > n - esi0 || (nrep > 0 && rep == NULL))
		return FEC_CODEC_EINVAL;
	if (nrep == 0)
		return 0;
	if (pthread_once(&rs_once, rs_tables_init) != 0)
		return FEC_CODEC_ENOMEM;
	if ((rc = rs_work_alloc(&w, k)) != 0)
		return rc;
	for (i = 0; i < k; i++) {
		w.sym[i] = src + (size_t)i * t;
		w.x[i] = rs_point(i);
	}
	rs_denoms(w.x, k, w.logd);
	for (i = 0; i < nrep; i++) {
		rs_row(w.x, w.logd, k, rs_point(esi0 + i), w.lt, w.row);
		rs_combine(rep + (size_t)i * t, w.sym, w.row, k, t);
	}
	free(w.sym);
	return 0;
}

/*
 * Every repair ESI in [k, n) and none twice.  nrep <= n - k has been
 * checked, so this reads at most 254 entries however hostile the call.
 */
static int
rs_check_resi(const uint32_t *resi, uint32_t nrep, uint32_t k, uint32_t n)
{
	uint8_t seen[RS_Q] = { 0 };
	uint32_t j;

	for (j = 0; j < nrep; j++) {
		if (resi[j] < k || resi[j] >= n || seen[resi[j]])
			return -1;
		seen[resi[j]] = 1;
	}
	return 0;
}

/*
 * The k known symbols: the source symbols present, then as many repair
 * symbols (in the caller's order) as there are sources missing.
 */
static void
rs_known(struct rs_work *w, const uint8_t *src, const uint8_t *have,
    uint32_t k, size_t t, const uint32_t *resi, const uint8_t *rep)
{
	uint32_t i, cnt = 0, j = 0;

	for (i = 0; i < k; i++) {
		if (!have[i])
			continue;
		w->sym[cnt] = src + i * t;
		w->x[cnt++] = rs_point(i);
	}
	while (cnt < k) {
		w->sym[cnt] = rep + j * t;
		w->x[cnt++] = rs_point(resi[j++]);
	}
}

static int
rs_decode(uint8_t *src, const uint8_t *have, uint32_t k, uint32_t n,
    uint32_t t, const uint32_t *resi, const uint8_t *rep, uint32_t nrep)
{
	struct rs_work w;
	uint32_t i, miss = 0;
	int rc;

	if (rs_check(k, n, t) != 0 || src == NULL || have == NULL ||
	    nrep > n - k || (nrep > 0 && (resi == NULL || rep == NULL)) ||
	    rs_check_resi(resi, nrep, k, n) != 0)
		return FEC_CODEC_EINVAL;
	for (i = 0; i < k; i++)
		miss += !have[i];
	if (miss == 0)
		return 0;
	if (nrep < miss)
		return FEC_CODEC_EMORE;
	if (pthread_once(&rs_once, rs_tables_init) != 0)
		return FEC_CODEC_ENOMEM;
	if ((rc = rs_work_alloc(&w, k)) != 0)
		return rc;
	rs_known(&w, src, have, k, t, resi, rep);
	rs_denoms(w.x, k, w.logd);
	for (i = 0; i < k; i++) {
		if (have[i])
			continue;
		rs_row(w.x, w.logd, k, rs_point(i), w.lt, w.row);
		rs_combine(src + (size_t)i * t, w.sym, w.row, k, t);
	}
	free(w.sym);
	return 0;
}

const struct fec_codec fec_rs_codec = {
	.fei = 5,
	.name = "rs",
	.max_k = RS_Q,
	.max_esi = RS_Q - 1,
	.encode = rs_encode,
	.decode = rs_decode,
};
