/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fec_rq_int.h: private to carousel/fec_rq*.c (and the unit test).  The
 * RaptorQ (RFC 6330) pieces the files share: the normative tables, the
 * per-block parameters, the tuple generator and the solver that turns a
 * set of known encoding symbols into the L intermediate symbols.
 *
 * Names follow the RFC: K source symbols, K' = K padded up to a row of
 * Table 2, S LDPC and H HDPC symbols, W LT symbols, P = L - W permanently
 * inactive (PI) symbols, L = K' + S + H intermediate symbols, ISI the
 * internal symbol ID (ESI for source symbols, ESI + K' - K for repair).
 */
#ifndef NIPCACHE_FEC_RQ_INT_H
#define NIPCACHE_FEC_RQ_INT_H

#include <stddef.h>
#include <stdint.h>

#define FEC_RQ_MAX_K	56403u		/* the last K' of Table 2 */
#define FEC_RQ_MAX_ESI	0xFFFFFFu	/* the ESI is 24 bits (3.2) */
#define FEC_RQ_MAX_T	65535u		/* T is 16 bits in the OTI (3.3.2) */
#define FEC_RQ_T2_ROWS	477u
#define FEC_RQ_DEG_N	31u
#define FEC_RQ_LT_MAX	33u		/* d <= 30 plus d1 <= 3 */

/* One row of Table 2 (section 5.6). */
struct fec_rq_t2 {
	uint16_t	kp;
	uint16_t	j;
	uint16_t	s;
	uint16_t	h;
	uint16_t	w;
};

extern const struct fec_rq_t2 fec_rq_table2[FEC_RQ_T2_ROWS];
extern const uint32_t *const fec_rq_v[4];
extern const uint32_t fec_rq_deg_f[FEC_RQ_DEG_N];

/* The parameters of one source block (sections 5.3.3.3 and 5.6). */
struct fec_rq_params {
	uint32_t	k;
	uint32_t	kp;		/* K' */
	uint32_t	j;		/* J(K') */
	uint32_t	s;
	uint32_t	h;
	uint32_t	w;
	uint32_t	l;		/* K' + S + H */
	uint32_t	p;		/* L - W */
	uint32_t	p1;		/* smallest prime >= P */
	uint32_t	b;		/* W - S */
};

/* The tuple of an ISI (section 5.3.5.4). */
struct fec_rq_tuple {
	uint32_t	d;
	uint32_t	a;
	uint32_t	b;
	uint32_t	d1;
	uint32_t	a1;
	uint32_t	b1;
};

/* Fill *p for a block of k source symbols; -1 if k is 0 or too large. */
int	fec_rq_params_get(uint32_t k, struct fec_rq_params *p);
/* Rand[y, i, m] (section 5.3.5.1); m > 0. */
uint32_t fec_rq_rand(uint32_t y, uint32_t i, uint32_t m);
/* Deg[v] (section 5.3.5.2) for v < 2^20. */
uint32_t fec_rq_deg(uint32_t v, uint32_t w);
/* Tuple[K', X] (section 5.3.5.4). */
void	fec_rq_tuple(const struct fec_rq_params *p, uint32_t isi,
	    struct fec_rq_tuple *tp);
/*
 * The intermediate-symbol columns of the LT row of an ISI (the
 * LTEnc of section 5.3.5.3 without the symbols): at most
 * FEC_RQ_LT_MAX distinct columns, returns the count.
 */
unsigned fec_rq_lt_cols(const struct fec_rq_params *p, uint32_t isi,
	    uint32_t *cols);
/* LTEnc: the encoding symbol of an ISI from the L symbols in c. */
void	fec_rq_ltenc(const struct fec_rq_params *p, const uint8_t *c,
	    uint32_t t, uint32_t isi, uint8_t *out);
/* dst ^= src over t bytes. */
void	fec_rq_xor(uint8_t *dst, const uint8_t *src, size_t t);

/* GF(256) of section 5.7: polynomial 0x11D, alpha = 2. */
struct fec_rq_gf {
	uint8_t		exp[512];
	uint8_t		log[256];
};

/*
 * The dense system over the u inactive symbols (fec_rq_dense.c): nb
 * binary rows (bit vectors bv, right-hand sides bs) and h HDPC rows over
 * GF(256) (coefficients hc, h x u; right-hand sides hs).  After a
 * successful solve, val[k] points at the value of inactive symbol k.
 */
struct fec_rq_dense {
	struct fec_rq_gf gf;
	uint32_t	nb;
	uint32_t	h;
	uint32_t	u;
	uint32_t	t;
	size_t		wu;
	uint64_t	**bv;
	uint8_t		**bs;
	uint8_t		*hc;
	uint8_t		**hs;
	uint8_t		*scratch_c;	/* u bytes */
	uint8_t		*scratch_s;	/* t bytes */
	uint8_t		**val;
	uint64_t	*bvmem;
	uint8_t		*symmem;
};

void	fec_rq_gf_init(struct fec_rq_gf *gf);
/* buf *= alpha, byte by byte. */
void	fec_rq_gf_alpha(uint8_t *buf, size_t n);
/* dst ^= beta * src. */
void	fec_rq_gf_muladd(const struct fec_rq_gf *gf, uint8_t *dst,
	    const uint8_t *src, uint8_t beta, size_t n);
/* dst[j] ^= beta for every bit j set in the bit vector v. */
void	fec_rq_bits_add(uint8_t *dst, const uint64_t *v, size_t wu,
	    uint8_t beta);
int	fec_rq_dense_init(struct fec_rq_dense *dn, uint32_t nb, uint32_t h,
	    uint32_t u, uint32_t t);
/* 0, or FEC_CODEC_EMORE if the rank is below u; ENOMEM. */
int	fec_rq_dense_solve(struct fec_rq_dense *dn);
void	fec_rq_dense_free(struct fec_rq_dense *dn);

/*
 * Solve for the L intermediate symbols (written to c, L * t bytes) from
 * n known encoding symbols: isi[i] and its bytes sym[i] (NULL for a
 * padding symbol, all zero).  The LDPC and HDPC constraints are added
 * here.  0, FEC_CODEC_EMORE when the symbols do not determine the
 * block (the constraint matrix has rank < L), or FEC_CODEC_ENOMEM.
 */
int	fec_rq_solve(const struct fec_rq_params *p, const uint32_t *isi,
	    const uint8_t *const *sym, uint32_t n, uint32_t t, uint8_t *c);

#endif
