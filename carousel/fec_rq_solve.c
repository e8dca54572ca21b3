/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fec_rq_solve.c: the RaptorQ solver, inactivation decoding.
 *
 * The system A * C = D of RFC 6330 section 5.4.2 has L unknown
 * intermediate symbols C and one row per constraint: S LDPC rows and one
 * LT row per known encoding symbol (sparse, binary), plus H HDPC rows
 * (dense, over GF(256)).  Any algorithm that solves it gives the same C,
 * since A has full column rank exactly when the block is decodable; the
 * one in the RFC is an example.  This one:
 *
 *  1. Peel (the RFC's first phase, symbolically): repeatedly take a
 *     binary row with the fewest active columns, make one of them its
 *     pivot and inactivate the others.  The P PI columns start inactive.
 *     Each pivot row then involves only its pivot, earlier pivots and
 *     inactive columns, so the pivots form a triangular system.  When no
 *     binary row reaches the columns still active, they are inactivated
 *     too, where the RFC's first phase would give up: decoding succeeds
 *     exactly when A has full rank.
 *  2. Forward: write each pivot symbol as y + g * I, where I is the
 *     vector of the u inactive symbols, y a symbol and g a bit vector;
 *     it costs one XOR per nonzero of the sparse rows.
 *  3. Reduce the rows that were not pivots, and the HDPC rows, to
 *     equations over I alone.  The HDPC rows are G_HDPC = MT * GAMMA
 *     (section 5.3.3.3), applied with the recurrence
 *     Q[j] = alpha * Q[j-1] + C[j], so they cost O(L) symbol operations
 *     instead of O(H * L).
 *  4. Solve those u unknowns: binary rows first, on bit vectors, then
 *     the few columns left with the HDPC rows over GF(256)
 *     (fec_rq_dense.c).  Rank < u means the symbols are not enough.
 *  5. Back: each pivot symbol from its original sparse row, in pivot
 *     order, so the dense g vectors never touch symbol bytes.
 *
 * The symbol cost is O(nnz(A) * T + u^2 * T) with u close to P, and
 * the memory O(L * T + L * u / 8) bytes, all allocated per call.
 */
#include <stdlib.h>
#include <string.h>

#include "fec_codec.h"
#include "fec_rq_int.h"

#define RQ_NONE UINT32_MAX

/* The sparse binary rows and the state of the peeling. */
struct rq_sys {
	const struct fec_rq_params *p;
	uint32_t	t;
	uint32_t	nrows;		/* S LDPC rows, then the LT rows */
	uint32_t	*rstart;	/* row i: rlen[i] columns from here */
	uint32_t	*rlen;
	uint32_t	*rcol;
	const uint8_t *const *sym;	/* LT row S + i: sym[i] */
	uint32_t	*cstart;	/* rows of column j < W: crow[...] */
	uint32_t	*crow;
	uint32_t	*rdeg;		/* active columns left in a row */
	uint32_t	*bnext;		/* bucket lists of rows by rdeg */
	uint32_t	*bprev;
	uint32_t	*bhead;
	uint32_t	maxdeg;
	uint32_t	mindeg;
	uint8_t		*chosen;
	uint32_t	*cpiv;		/* column -> pivot step, or NONE */
	uint32_t	*cina;		/* column -> inactive index, or NONE */
	uint32_t	*ina_col;	/* inactive index -> column */
	uint32_t	*prow;		/* pivot step -> row */
	uint32_t	*pcol;		/* pivot step -> column */
	uint32_t	npiv;
	uint32_t	nina;
	uint32_t	nactive;
	size_t		wu;		/* 64-bit words in a u-bit vector */
	uint64_t	*g;		/* npiv vectors of wu words */
	uint8_t		*c;		/* the L intermediate symbols */
};

static const uint8_t *
rq_row_sym(const struct rq_sys *y, uint32_t row)
{
	return row < y->p->s ? NULL : y->sym[row - y->p->s];
}

static void
rq_row_add(struct rq_sys *y, uint32_t row, uint32_t col)
{
	y->rcol[y->rstart[row] + y->rlen[row]++] = col;
}

/*
 * The LDPC rows (section 5.3.3.3): G_LDPC,1 puts each of the first B
 * columns into three rows, I_S one column per row, G_LDPC,2 two PI
 * columns per row.  For every row of Table 2, 1 + (B - 1) / S < S, so
 * the three rows of a column are distinct (the unit test checks it).
 */
static void
rq_ldpc_rows(struct rq_sys *y, uint32_t *cnt)
{
	const struct fec_rq_params *p = y->p;
	uint32_t i, a, b, r;

	for (i = 0; i < p->b; i++) {
		a = 1 + i / p->s;
		b = i % p->s;
		for (r = 0; r < 3; r++) {
			if (cnt != NULL)
				cnt[b]++;
			else
				rq_row_add(y, b, i);
			b = (b + a) % p->s;
		}
	}
	for (i = 0; i < p->s; i++) {
		if (cnt != NULL) {
			cnt[i] += 3;
			continue;
		}
		rq_row_add(y, i, p->b + i);
		rq_row_add(y, i, p->w + i % p->p);
		rq_row_add(y, i, p->w + (i + 1) % p->p);
	}
}

/* Lay out the rows: LDPC rows counted first, LT rows at their maximum. */
static int
rq_build_rows(struct rq_sys *y, const uint32_t *isi, uint32_t n)
{
	const struct fec_rq_params *p = y->p;
	uint32_t i;
	size_t off = 0;

	y->nrows = p->s + n;
	y->rstart = calloc((size_t)y->nrows + 1, sizeof(uint32_t));
	y->rlen = calloc(y->nrows, sizeof(uint32_t));
	if (y->rstart == NULL || y->rlen == NULL)
		return FEC_CODEC_ENOMEM;
	rq_ldpc_rows(y, y->rlen);
	for (i = 0; i < y->nrows; i++) {
		y->rstart[i] = (uint32_t)off;
		off += i < p->s ? y->rlen[i] : FEC_RQ_LT_MAX;
		if (i < p->s)
			y->rlen[i] = 0;
	}
	y->rstart[y->nrows] = (uint32_t)off;
	/* off >= S's LDPC row lengths, and S >= 7 (RFC 6330 5.6). */
	/* NOLINTNEXTLINE(clang-analyzer-optin.portability.UnixAPI) */
	y->rcol = malloc(off * sizeof(uint32_t));
	if (y->rcol == NULL)
		return FEC_CODEC_ENOMEM;
	rq_ldpc_rows(y, NULL);
	for (i = 0; i < n; i++)
		y->rlen[p->s + i] = fec_rq_lt_cols(p, isi[i],
		    y->rcol + y->rstart[p->s + i]);
	return 0;
}

/* The transpose of the rows restricted to the W LT columns. */
static int
rq_build_cols(struct rq_sys *y)
{
	uint32_t w = y->p->w, i, e, col, *fill;
	size_t nnz = 0;

	y->cstart = calloc((size_t)w + 1, sizeof(uint32_t));
	y->rdeg = calloc(y->nrows, sizeof(uint32_t));
	fill = calloc(w, sizeof(uint32_t));
	if (y->cstart == NULL || y->rdeg == NULL || fill == NULL)
		goto out_nomem;
	for (i = 0; i < y->nrows; i++)
		for (e = 0; e < y->rlen[i]; e++)
			if ((col = y->rcol[y->rstart[i] + e]) < w) {
				fill[col]++;
				y->rdeg[i]++;
			}
	for (col = 0; col < w; col++) {
		y->cstart[col] = (uint32_t)nnz;
		nnz += fill[col];
		fill[col] = 0;
	}
	y->cstart[w] = (uint32_t)nnz;
	y->crow = malloc((nnz ? nnz : 1) * sizeof(uint32_t));
	if (y->crow == NULL)
		goto out_nomem;
	for (i = 0; i < y->nrows; i++)
		for (e = 0; e < y->rlen[i]; e++)
			if ((col = y->rcol[y->rstart[i] + e]) < w)
				y->crow[y->cstart[col] + fill[col]++] = i;
	free(fill);
	return 0;
out_nomem:
	free(fill);
	return FEC_CODEC_ENOMEM;
}

static void
rq_bucket_link(struct rq_sys *y, uint32_t row)
{
	uint32_t d = y->rdeg[row];

	y->bprev[row] = RQ_NONE;
	y->bnext[row] = y->bhead[d];
	if (y->bhead[d] != RQ_NONE)
		y->bprev[y->bhead[d]] = row;
	y->bhead[d] = row;
	if (d < y->mindeg)
		y->mindeg = d;
}

static void
rq_bucket_unlink(struct rq_sys *y, uint32_t row)
{
	uint32_t d = y->rdeg[row];

	if (y->bprev[row] != RQ_NONE)
		y->bnext[y->bprev[row]] = y->bnext[row];
	else
		y->bhead[d] = y->bnext[row];
	if (y->bnext[row] != RQ_NONE)
		y->bprev[y->bnext[row]] = y->bprev[row];
}

/* The unchosen row with the fewest active columns (at least one). */
static uint32_t
rq_bucket_pop(struct rq_sys *y)
{
	uint32_t row;

	while (y->mindeg <= y->maxdeg && y->bhead[y->mindeg] == RQ_NONE)
		y->mindeg++;
	if (y->mindeg > y->maxdeg)
		return RQ_NONE;
	row = y->bhead[y->mindeg];
	rq_bucket_unlink(y, row);
	return row;
}

/* Column col leaves the active set: fewer active columns in its rows. */
static void
rq_col_leave(struct rq_sys *y, uint32_t col)
{
	uint32_t e, row;

	y->nactive--;
	for (e = y->cstart[col]; e < y->cstart[col + 1]; e++) {
		row = y->crow[e];
		if (y->chosen[row])
			continue;
		rq_bucket_unlink(y, row);
		if (--y->rdeg[row] > 0)
			rq_bucket_link(y, row);
	}
}

static void
rq_inactivate(struct rq_sys *y, uint32_t col)
{
	y->cina[col] = y->nina;
	y->ina_col[y->nina++] = col;
	if (col < y->p->w)
		rq_col_leave(y, col);
}

static int
rq_col_active(const struct rq_sys *y, uint32_t col)
{
	return col < y->p->w && y->cpiv[col] == RQ_NONE &&
	    y->cina[col] == RQ_NONE;
}

/* Pivot on the first active column of row; inactivate its others. */
static void
rq_peel_row(struct rq_sys *y, uint32_t row)
{
	uint32_t e, col, piv = RQ_NONE;

	y->chosen[row] = 1;
	for (e = 0; e < y->rlen[row]; e++) {
		col = y->rcol[y->rstart[row] + e];
		if (!rq_col_active(y, col))
			continue;
		if (piv == RQ_NONE)
			piv = col;
		else
			rq_inactivate(y, col);
	}
	y->cpiv[piv] = y->npiv;
	y->prow[y->npiv] = row;
	y->pcol[y->npiv++] = piv;
	rq_col_leave(y, piv);
}

static int
rq_peel_init(struct rq_sys *y)
{
	const struct fec_rq_params *p = y->p;
	uint32_t i;

	y->bnext = malloc(y->nrows * sizeof(uint32_t));
	y->bprev = malloc(y->nrows * sizeof(uint32_t));
	y->chosen = calloc(y->nrows, 1);
	y->cpiv = malloc(p->l * sizeof(uint32_t));
	y->cina = malloc(p->l * sizeof(uint32_t));
	y->ina_col = malloc(p->l * sizeof(uint32_t));
	y->prow = malloc(p->l * sizeof(uint32_t));
	y->pcol = malloc(p->l * sizeof(uint32_t));
	if (y->bnext == NULL || y->bprev == NULL || y->chosen == NULL ||
	    y->cpiv == NULL || y->cina == NULL || y->ina_col == NULL ||
	    y->prow == NULL || y->pcol == NULL)
		return FEC_CODEC_ENOMEM;
	y->maxdeg = 0;
	for (i = 0; i < y->nrows; i++)
		if (y->rdeg[i] > y->maxdeg)
			y->maxdeg = y->rdeg[i];
	y->bhead = malloc(((size_t)y->maxdeg + 1) * sizeof(uint32_t));
	if (y->bhead == NULL)
		return FEC_CODEC_ENOMEM;
	for (i = 0; i <= y->maxdeg; i++)
		y->bhead[i] = RQ_NONE;
	y->mindeg = y->maxdeg + 1;
	for (i = 0; i < y->nrows; i++)
		if (y->rdeg[i] > 0)
			rq_bucket_link(y, i);
	for (i = 0; i < p->l; i++)
		y->cpiv[i] = y->cina[i] = RQ_NONE;
	/* The PI columns are inactive from the start (section 5.4.2.2). */
	for (i = p->w; i < p->l; i++)
		rq_inactivate(y, i);
	y->nactive = p->w;
	return 0;
}

/* Phase 1: peel until no column is active. */
static int
rq_peel(struct rq_sys *y)
{
	uint32_t row, col;
	int rc;

	if ((rc = rq_peel_init(y)) != 0)
		return rc;
	while (y->nactive > 0) {
		row = rq_bucket_pop(y);
		if (row == RQ_NONE)
			break;
		rq_peel_row(y, row);
	}
	/* Columns no binary row reaches are left to the dense phase. */
	for (col = 0; col < y->p->w && y->nactive > 0; col++)
		if (rq_col_active(y, col))
			rq_inactivate(y, col);
	return 0;
}

static void
rq_vec_xor(uint64_t *dst, const uint64_t *src, size_t wu)
{
	size_t i;

	for (i = 0; i < wu; i++)
		dst[i] ^= src[i];
}

/* A row's right-hand side: its symbol, or zeros (LDPC, padding). */
static void
rq_row_rhs(const struct rq_sys *y, uint32_t row, uint8_t *dst)
{
	const uint8_t *sym = rq_row_sym(y, row);

	if (sym != NULL)
		memcpy(dst, sym, y->t);
	else
		memset(dst, 0, y->t);
}

/*
 * Move column j of a row to the right-hand side: a pivot column adds
 * its y (already in c) and its g, an inactive column flips its bit.
 */
static void
rq_fold(const struct rq_sys *y, uint32_t j, uint8_t *rhs, uint64_t *bits)
{
	uint32_t k;

	if (y->cpiv[j] != RQ_NONE) {
		fec_rq_xor(rhs, y->c + (size_t)j * y->t, y->t);
		rq_vec_xor(bits, y->g + (size_t)y->cpiv[j] * y->wu, y->wu);
	} else {
		k = y->cina[j];
		bits[k / 64] ^= 1ull << (k % 64);
	}
}

/*
 * Phase 2: pivot step s's symbol is y_s + g_s * I.  y_s goes into its
 * slot of c, which phase 5 overwrites with the final value.  The other
 * pivot columns of a pivot row are earlier pivots (the peel guarantees
 * it), so their y and g are ready.
 */
static int
rq_forward(struct rq_sys *y)
{
	uint32_t s, e, row, col, j;
	uint8_t *dst;

	y->wu = ((size_t)y->nina + 63) / 64;
	y->g = calloc((size_t)y->npiv * y->wu + 1, sizeof(uint64_t));
	if (y->g == NULL)
		return FEC_CODEC_ENOMEM;
	for (s = 0; s < y->npiv; s++) {
		row = y->prow[s];
		col = y->pcol[s];
		dst = y->c + (size_t)col * y->t;
		rq_row_rhs(y, row, dst);
		for (e = 0; e < y->rlen[row]; e++) {
			j = y->rcol[y->rstart[row] + e];
			if (j != col)
				rq_fold(y, j, dst, y->g + (size_t)s * y->wu);
		}
	}
	return 0;
}

/*
 * Phase 3 for one binary row that was not a pivot: its equation over
 * the inactive symbols, bits = row's inactive columns + the g of its
 * pivot columns, rhs = D + the y of its pivot columns.
 */
static void
rq_reduce_row(const struct rq_sys *y, uint32_t row, uint64_t *bits,
    uint8_t *rhs)
{
	uint32_t e;

	rq_row_rhs(y, row, rhs);
	for (e = 0; e < y->rlen[row]; e++)
		rq_fold(y, y->rcol[y->rstart[row] + e], rhs, bits);
}

/* The affine form of intermediate symbol j, added into (qc, qs). */
static void
rq_add_affine(const struct rq_sys *y, uint32_t j, uint8_t *qc, uint8_t *qs)
{
	/* j < K'+S < L, the length of cpiv (L = K'+S+H by construction). */
	/* NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult) */
	if (y->cpiv[j] == RQ_NONE) {
		qc[y->cina[j]] ^= 1;
		return;
	}
	fec_rq_xor(qs, y->c + (size_t)j * y->t, y->t);
	fec_rq_bits_add(qc, y->g + (size_t)y->cpiv[j] * y->wu, y->wu, 1);
}

/*
 * Phase 3 for the HDPC rows: row h of G_HDPC * C is
 * sum_j MT[h][j] * Q[j] with Q[j] = alpha * Q[j-1] + C[j]; MT column
 * j < K'+S-1 has ones in two rows given by Rand, the last column
 * alpha^h in row h.  The identity part adds the PI symbol K'+S+h.
 */
static void
rq_reduce_hdpc(const struct rq_sys *y, struct fec_rq_dense *dn)
{
	const struct fec_rq_params *p = y->p;
	uint32_t n = p->kp + p->s, u = y->nina, j, h, h1, h2;
	uint8_t *qc = dn->scratch_c, *qs = dn->scratch_s;

	memset(qc, 0, u);
	memset(qs, 0, y->t);
	for (j = 0; j < n; j++) {
		fec_rq_gf_alpha(qc, u);
		fec_rq_gf_alpha(qs, y->t);
		rq_add_affine(y, j, qc, qs);
		if (j + 1 == n)
			break;
		h1 = fec_rq_rand(j + 1, 6, p->h);
		h2 = (h1 + fec_rq_rand(j + 1, 7, p->h - 1) + 1) % p->h;
		fec_rq_xor(dn->hc + (size_t)h1 * u, qc, u);
		fec_rq_xor(dn->hs[h1], qs, y->t);
		fec_rq_xor(dn->hc + (size_t)h2 * u, qc, u);
		fec_rq_xor(dn->hs[h2], qs, y->t);
	}
	for (h = 0; h < p->h; h++) {
		fec_rq_gf_muladd(&dn->gf, dn->hc + (size_t)h * u, qc,
		    dn->gf.exp[h], u);
		fec_rq_gf_muladd(&dn->gf, dn->hs[h], qs, dn->gf.exp[h], y->t);
		/* n + h < K'+S+H = L, the length of cina. */
		/* NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult) */
		dn->hc[(size_t)h * u + y->cina[n + h]] ^= 1;
	}
}

/* Phase 3: the dense system over the u inactive symbols. */
static int
rq_reduce(struct rq_sys *y, struct fec_rq_dense *dn)
{
	uint32_t row, r = 0;
	int rc;

	for (row = 0; row < y->nrows; row++)
		r += !y->chosen[row];
	rc = fec_rq_dense_init(dn, r, y->p->h, y->nina, y->t);
	if (rc != 0)
		return rc;
	r = 0;
	for (row = 0; row < y->nrows; row++) {
		if (y->chosen[row])
			continue;
		rq_reduce_row(y, row, dn->bv[r], dn->bs[r]);
		r++;
	}
	rq_reduce_hdpc(y, dn);
	return 0;
}

/* Phase 5: the pivot symbols from their own rows, in pivot order. */
static void
rq_back(struct rq_sys *y)
{
	uint32_t s, e, row, col, j;
	uint8_t *dst;

	for (s = 0; s < y->npiv; s++) {
		row = y->prow[s];
		col = y->pcol[s];
		dst = y->c + (size_t)col * y->t;
		rq_row_rhs(y, row, dst);
		for (e = 0; e < y->rlen[row]; e++) {
			j = y->rcol[y->rstart[row] + e];
			if (j != col)
				fec_rq_xor(dst, y->c + (size_t)j * y->t, y->t);
		}
	}
}

static void
rq_sys_free(struct rq_sys *y)
{
	free(y->rstart);
	free(y->rlen);
	free(y->rcol);
	free(y->cstart);
	free(y->crow);
	free(y->rdeg);
	free(y->bnext);
	free(y->bprev);
	free(y->bhead);
	free(y->chosen);
	free(y->cpiv);
	free(y->cina);
	free(y->ina_col);
	free(y->prow);
	free(y->pcol);
	free(y->g);
}

int
fec_rq_solve(const struct fec_rq_params *p, const uint32_t *isi,
    const uint8_t *const *sym, uint32_t n, uint32_t t, uint8_t *c)
{
	struct rq_sys y;
	struct fec_rq_dense dn;
	uint32_t k;
	int rc;

	memset(&y, 0, sizeof(y));
	memset(&dn, 0, sizeof(dn));
	y.p = p;
	y.t = t;
	y.sym = sym;
	y.c = c;
	if ((rc = rq_build_rows(&y, isi, n)) != 0 ||
	    (rc = rq_build_cols(&y)) != 0 || (rc = rq_peel(&y)) != 0 ||
	    (rc = rq_forward(&y)) != 0 || (rc = rq_reduce(&y, &dn)) != 0 ||
	    (rc = fec_rq_dense_solve(&dn)) != 0)
		goto out;
	for (k = 0; k < y.nina; k++)
		memcpy(c + (size_t)y.ina_col[k] * t, dn.val[k], t);
	rq_back(&y);
out:
	fec_rq_dense_free(&dn);
	rq_sys_free(&y);
	return rc;
}
