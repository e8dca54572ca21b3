/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fec_codec.h: the block codecs behind FEC Encoding IDs 5 (Reed-Solomon
 * over GF(2^8), RFC 5510 section 5) and 6 (RaptorQ, RFC 6330).
 *
 * One shape for every scheme, so the receiver (carousel/reasm*.c) and the
 * sender (nipcast) never name a scheme's internals:
 *
 *  - a source block is k symbols of t bytes, contiguous (k * t bytes);
 *    the last symbol of an object is zero-padded to t by the caller;
 *  - ESI 0..k-1 are the source symbols themselves (both schemes are
 *    systematic), ESI >= k are repair symbols;
 *  - encode writes the repair symbols esi0 .. esi0+nrep-1;
 *  - decode gets the source buffer with the symbols it has (have[i] != 0
 *    for source symbol i present), plus nrep repair symbols (their ESIs
 *    in resi[], their bytes contiguous in rep), and fills every missing
 *    source symbol in place.
 *
 * Pure: no I/O, no clock, no globals but const tables (built once,
 * thread-safe), no logging.  Any input is safe: bad parameters return
 * FEC_CODEC_EINVAL, never crash.  Memory is allocated per call and
 * bounded by k, t and nrep.
 */
#ifndef NIPCACHE_FEC_CODEC_H
#define NIPCACHE_FEC_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define FEC_CODEC_EINVAL	(-1)	/* parameters out of the scheme's range */
#define FEC_CODEC_EMORE		(-2)	/* not enough symbols (yet) to decode */
#define FEC_CODEC_ENOMEM	(-3)

struct fec_codec {
	uint8_t		fei;		/* 5 or 6 */
	const char	*name;		/* "rs", "raptorq" */
	uint32_t	max_k;		/* largest source block, symbols */
	uint32_t	max_esi;	/* largest ESI the payload ID carries */
	/*
	 * n: the code length the block was encoded for (RS: k + repair
	 * count, at most 255, as FEC-OTI max_n; RaptorQ ignores it).
	 * 0, or a FEC_CODEC_E* value.
	 */
	int	(*encode)(const uint8_t *src, uint32_t k, uint32_t n,
		    uint32_t t, uint32_t esi0, uint32_t nrep, uint8_t *rep);
	int	(*decode)(uint8_t *src, const uint8_t *have, uint32_t k,
		    uint32_t n, uint32_t t, const uint32_t *resi,
		    const uint8_t *rep, uint32_t nrep);
};

/* The schemes: carousel/fec_rs.c and carousel/fec_rq.c. */
extern const struct fec_codec fec_rs_codec;
extern const struct fec_codec fec_rq_codec;

/* The codec for fei (5 or 6), or NULL. */
const struct fec_codec *fec_codec_get(uint8_t fei);

#endif
