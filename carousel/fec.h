/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fec.h: FEC Object Transmission Information and source block
 * partitioning (RFC 5052 section 9.1).  Pure functions.
 * See ../shared/docs/protocols.md sections 2.2 to 2.4.
 */
#ifndef NIPCACHE_FEC_H
#define NIPCACHE_FEC_H

#include <stddef.h>
#include <stdint.h>

/* FEC OTI as carried in EXT_FTI or in FDT attributes. */
struct fec_oti {
	uint8_t		fei;		/* FEC Encoding ID */
	uint64_t	transfer_len;	/* L, bytes (F for Raptor/RaptorQ) */
	uint16_t	instance_id;	/* FEI >= 128 */
	uint16_t	symbol_len;	/* E (T for RaptorQ) */
	uint32_t	max_sbl;	/* B, maximum source block length */
	uint16_t	max_n;		/* maximum number of encoding symbols */
	/* RaptorQ / Raptor scheme-specific. */
	uint16_t	z;		/* number of source blocks */
	uint16_t	n;		/* sub-blocks */
	uint8_t		al;		/* symbol alignment */
	/* RS GF(2^m) (FEI 2). */
	uint8_t		m;
	uint8_t		g;
};

#define FEC_EINVAL	(-1)	/* malformed or inconsistent */
#define FEC_EUNSUP	(-2)	/* FEI whose OTI layout we do not know */
#define FEC_ERANGE	(-3)	/* values outside our bounds */

/*
 * Decode EXT_FTI (ext points at HET, len = 4*HEL) for the given FEI.
 * Returns 0, FEC_EINVAL (len or HEL not the scheme's size; for Raptor and
 * RaptorQ also T, Z, N or Al zero, or T not a multiple of Al), FEC_EUNSUP.
 */
int	fec_oti_parse(uint8_t fei, const uint8_t *ext, size_t len,
	    struct fec_oti *out);

/* Block partitioning of one object for FEI 0, 2, 5, 128, 129 (and 6). */
struct fec_part {
	uint64_t	len;		/* L, transfer length in bytes */
	uint32_t	e;		/* E, symbol length */
	uint64_t	t;		/* total source symbols ceil(L/E) */
	uint32_t	n;		/* number of source blocks */
	uint32_t	a_large;	/* symbols in a large block */
	uint32_t	a_small;	/* symbols in a small block */
	uint32_t	i_large;	/* the first i_large blocks are large */
};

/*
 * Compute the partition for L bytes, symbol length E, max block B.
 * L = 0 gives t = 0, n = 0 (complete at once).  Returns 0, or FEC_EINVAL
 * when E = 0 or B = 0, or FEC_ERANGE when the block count would not fit.
 */
int	fec_partition(uint64_t len, uint32_t e, uint32_t b, struct fec_part *out);
/*
 * RaptorQ (RFC 6330 section 4.4.1.2) with one sub-block: Kt = ceil(F/T)
 * symbols in Z blocks, the first ZL of KL symbols and the rest of KS,
 * (KL, KS, ZL, ZS) = Partition[Kt, Z].  Filled into the same struct
 * (n = Z, a_large = KL, a_small = KS, i_large = ZL), so every function
 * below works on it.  Returns 0, FEC_EINVAL when T = 0, Z = 0 or Z > Kt
 * (an empty block), FEC_ERANGE when Kt does not fit 32 bits.  F = 0
 * gives t = 0, n = 0.
 */
int	fec_partition_z(uint64_t len, uint32_t t, uint32_t z,
	    struct fec_part *out);
/* Source symbols in block sbn (0 if sbn >= n). */
uint32_t fec_block_len(const struct fec_part *p, uint32_t sbn);
/* Byte offset of source symbol (sbn, esi); the caller checks the ranges. */
uint64_t fec_symbol_offset(const struct fec_part *p, uint32_t sbn, uint32_t esi);
/*
 * Bytes in symbol (sbn, esi): E, or less for the last symbol of the object;
 * 0 if sbn or esi is out of range.
 */
uint32_t fec_symbol_size(const struct fec_part *p, uint32_t sbn, uint32_t esi);
/* Index of symbol (sbn, esi) in 0..t-1, for bitmaps. */
uint64_t fec_symbol_index(const struct fec_part *p, uint32_t sbn, uint32_t esi);

#endif
