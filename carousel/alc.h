/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * alc.h: LCT (RFC 5651) + ALC (RFC 5775) packet parser, as used by FLUTE
 * (RFC 3926 / RFC 6726).  A pure function: bytes in, struct out, no I/O,
 * no allocation, no globals.  See ../shared/docs/protocols.md section 1.
 */
#ifndef NIPCACHE_ALC_H
#define NIPCACHE_ALC_H

#include <stddef.h>
#include <stdint.h>

/*
 * TSI and TOI are up to 112 bits (4*S+2*H, 4*O+2*H bytes), decoded as one
 * big-endian unsigned integer: lo holds the low 64 bits, hi the rest.
 */
struct alc_id {
	uint64_t	hi;
	uint64_t	lo;
};

/* Header extension types (HET). */
#define ALC_HET_NOP	0
#define ALC_HET_AUTH	1
#define ALC_HET_TIME	2
#define ALC_HET_FTI	64
#define ALC_HET_TOL48	67
#define ALC_HET_NACI	68
#define ALC_HET_FDT	192
#define ALC_HET_CENC	193
#define ALC_HET_TOL24	194

/* FEC Encoding IDs (= the codepoint in FLUTE). */
#define ALC_FEI_NOCODE		0
#define ALC_FEI_RAPTOR		1
#define ALC_FEI_RS_M		2
#define ALC_FEI_RS8		5
#define ALC_FEI_RAPTORQ		6
#define ALC_FEI_SBLB		128
#define ALC_FEI_SBSYS		129
#define ALC_FEI_COMPACT		130

/* EXT_CENC values (encoding of the FDT instance itself). */
#define ALC_CENC_NULL		0
#define ALC_CENC_ZLIB		1
#define ALC_CENC_DEFLATE	2
#define ALC_CENC_GZIP		3

struct alc_pkt {
	/* Fixed header. */
	uint8_t		version;	/* V, must be 1 */
	uint8_t		psi;		/* PSI bits */
	uint8_t		close_session;	/* A flag */
	uint8_t		close_object;	/* B flag */
	uint8_t		codepoint;	/* CP = FEC Encoding ID in FLUTE */
	uint8_t		cci_len;	/* bytes: 4*(C+1) */
	uint8_t		tsi_len;	/* bytes: 4*S+2*H */
	uint8_t		toi_len;	/* bytes: 4*O+2*H */
	uint16_t	hdr_len;	/* bytes: 4*HDR_LEN */
	uint32_t	cci;		/* first 32 bits of the CCI */
	struct alc_id	tsi;
	struct alc_id	toi;

	/* Header extensions; has_* is 1 when present (last one wins). */
	uint8_t		has_fdt;
	uint8_t		fdt_version;	/* EXT_FDT V (1 = RFC 3926, 2 = RFC 6726) */
	uint32_t	fdt_instance;	/* EXT_FDT instance ID, 20 bits */
	uint8_t		has_cenc;
	uint8_t		cenc;		/* ALC_CENC_* */
	uint8_t		has_fti;
	uint16_t	fti_len;	/* bytes, HET and HEL included (4*HEL) */
	const uint8_t	*fti;		/* borrows from buf: the whole extension */
	uint8_t		has_time;
	uint16_t	time_use;	/* EXT_TIME Use field */
	uint32_t	time_sct_hi;	/* present when use bit 15 set */
	uint32_t	time_sct_lo;	/* bit 14 */
	uint32_t	time_ert;	/* bit 13 */
	uint32_t	time_slc;	/* bit 12 */
	uint8_t		has_tol;
	uint64_t	tol;		/* EXT_TOL (24 or 48 bit) */
	uint8_t		has_naci;
	uint16_t	naci_network;	/* EXT_NACI NIPNetworkID */
	uint16_t	naci_carrier;
	uint16_t	naci_link;
	uint16_t	naci_service;
	uint8_t		naci_name_len;
	const uint8_t	*naci_name;	/* borrows from buf, not NUL-terminated */
	uint16_t	n_unknown_ext;	/* extensions skipped as unknown */

	/*
	 * FEC Payload ID, decoded per codepoint: 0/1/130 SBN16|ESI16,
	 * 2 and 5 SBN24|ESI8, 6 SBN8|ESI24, 128 SBN32|ESI32,
	 * 129 SBN32|SBL16|ESI16.
	 */
	uint8_t		fpi_len;	/* bytes of FEC Payload ID */
	uint32_t	sbn;
	uint32_t	esi;
	uint16_t	sbl;		/* FEI 129 source block length */

	/*
	 * Encoding symbol(s): borrows from buf.  A data-less packet (RFC 5775
	 * section 4.1: the LCT header alone, with A or B set) parses with
	 * fpi_len = 0, sbn = esi = 0 and payload_len = 0: it carries no
	 * symbol, only the close flags.
	 */
	const uint8_t	*payload;
	size_t		payload_len;
};

/* Negative return values of alc_parse. */
#define ALC_ETRUNC	(-1)	/* shorter than the fixed header or HDR_LEN */
#define ALC_EVERSION	(-2)	/* V != 1 */
#define ALC_EHDRLEN	(-3)	/* HDR_LEN too small for CCI+TSI+TOI */
#define ALC_EEXT	(-4)	/* extension overruns HDR_LEN, HEL=0, bad length */
#define ALC_ENOID	(-5)	/* no TSI or no TOI (FLUTE requires both) */
#define ALC_EFEI	(-6)	/* codepoint with no known FEC Payload ID layout */
#define ALC_EFPI	(-7)	/* packet too short for the FEC Payload ID */
#define ALC_ENERR	7	/* number of error codes, for counters */

/*
 * Parse one datagram.  Returns 0 and fills *out (pointers borrow from buf),
 * or a negative ALC_E* code; on error *out holds whatever was decoded
 * before the fault and must not be trusted.  A packet with a known but
 * undecoded FEC scheme (1, 2, 5, 6, 128, 129, 130) parses fine: the caller
 * decides.  Checks, in order: length >= 4, V = 1, TSI and TOI present,
 * 4*HDR_LEN covers CCI+TSI+TOI and fits in len, extensions fill the header
 * exactly, known codepoint, room for the FEC Payload ID.
 */
int	alc_parse(const uint8_t *buf, size_t len, struct alc_pkt *out);

/*
 * Short stable name for an ALC_E* code ("truncated", ...), for logs and
 * metric labels: "ok" for 0, "unknown" for anything else.
 */
const char *alc_strerror(int err);

/* 1 if a == b. */
int	alc_id_eq(struct alc_id a, struct alc_id b);

#endif
