/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * alc.c: LCT (RFC 5651) + ALC (RFC 5775) packet parser for FLUTE.
 *
 * Everything here is a pure function of the datagram: no allocation, no
 * globals, no I/O.  Every length read from the packet is checked against
 * the buffer before it is used, because the bytes come straight from the
 * network (protocols.md sections 1, 2.1 and trap 2).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "alc.h"

/* Bytes of the fixed LCT header before the CCI. */
#define ALC_FIXED_LEN	4

/* EXT_TIME Use bits, most significant first, in the order the words follow. */
#define ALC_TIME_SCT_HI	0x8000
#define ALC_TIME_SCT_LO	0x4000
#define ALC_TIME_ERT	0x2000
#define ALC_TIME_SLC	0x1000

/* EXT_NACI: four 16-bit IDs, one reserved byte, the name length. */
#define ALC_NACI_FIXED	10

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t
get24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * Read n (<= 16) bytes as one big-endian integer.  The bytes that do not
 * fit in lo shift up into hi, so a 14-byte TOI keeps all 112 bits.
 */
static struct alc_id
get_id(const uint8_t *p, size_t n)
{
	struct alc_id id = { 0, 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		id.hi = id.hi << 8 | id.lo >> 56;
		id.lo = id.lo << 8 | p[i];
	}
	return id;
}

int
alc_id_eq(struct alc_id a, struct alc_id b)
{
	return a.hi == b.hi && a.lo == b.lo;
}

const char *
alc_strerror(int err)
{
	/* Stable, lower-case, no spaces: they end up as metric labels. */
	switch (err) {
	case 0:
		return "ok";
	case ALC_ETRUNC:
		return "truncated";
	case ALC_EVERSION:
		return "version";
	case ALC_EHDRLEN:
		return "hdr_len";
	case ALC_EEXT:
		return "extension";
	case ALC_ENOID:
		return "no_tsi_toi";
	case ALC_EFEI:
		return "unknown_fec";
	case ALC_EFPI:
		return "fec_payload_id";
	default:
		return "unknown";
	}
}

/*
 * EXT_TIME: the Use field says which 32-bit words follow, always in the
 * order SCT-High, SCT-Low, ERT, SLC.  The extension may be longer than the
 * words announced (PI-specific data), but never shorter.
 */
static int
ext_time(const uint8_t *e, size_t elen, struct alc_pkt *out)
{
	static const uint16_t bits[4] = {
		ALC_TIME_SCT_HI, ALC_TIME_SCT_LO, ALC_TIME_ERT, ALC_TIME_SLC
	};
	uint32_t *dst[4];
	uint16_t use = get16(e + 2);
	size_t off = 4, i;

	dst[0] = &out->time_sct_hi;
	dst[1] = &out->time_sct_lo;
	dst[2] = &out->time_ert;
	dst[3] = &out->time_slc;
	for (i = 0; i < 4; i++) {
		if (!(use & bits[i])) {
			*dst[i] = 0;
			continue;
		}
		if (off + 4 > elen)
			return ALC_EEXT;
		*dst[i] = get32(e + off);
		off += 4;
	}
	out->has_time = 1;
	out->time_use = use;
	return 0;
}

/* EXT_NACI (protocols.md 1.2): the name must fit inside 4*HEL. */
static int
ext_naci(const uint8_t *e, size_t elen, struct alc_pkt *out)
{
	size_t name_len;

	if (elen < 2 + ALC_NACI_FIXED)
		return ALC_EEXT;
	name_len = e[2 + 9];
	if (2 + ALC_NACI_FIXED + name_len > elen)
		return ALC_EEXT;
	out->has_naci = 1;
	out->naci_network = get16(e + 2);
	out->naci_carrier = get16(e + 4);
	out->naci_link = get16(e + 6);
	out->naci_service = get16(e + 8);
	out->naci_name_len = (uint8_t)name_len;
	out->naci_name = e + 2 + ALC_NACI_FIXED;
	return 0;
}

/* Variable-length extensions (HET < 128); e points at HET, elen = 4*HEL. */
static int
ext_variable(const uint8_t *e, size_t elen, struct alc_pkt *out)
{
	switch (e[0]) {
	case ALC_HET_NOP:
	case ALC_HET_AUTH:
		/* Known, nothing for a receiver without authentication. */
		return 0;
	case ALC_HET_TIME:
		return ext_time(e, elen, out);
	case ALC_HET_FTI:
		/* Decoding needs the FEI; fec_oti_parse does it later. */
		out->has_fti = 1;
		out->fti = e;
		out->fti_len = (uint16_t)elen;
		return 0;
	case ALC_HET_TOL48:
		if (elen < 8)
			return ALC_EEXT;
		out->has_tol = 1;
		out->tol = (uint64_t)get16(e + 2) << 32 | get32(e + 4);
		return 0;
	case ALC_HET_NACI:
		return ext_naci(e, elen, out);
	default:
		out->n_unknown_ext++;
		return 0;
	}
}

/* Fixed-length extensions (HET >= 128): always HET plus 24 bits. */
static void
ext_fixed(const uint8_t *e, struct alc_pkt *out)
{
	switch (e[0]) {
	case ALC_HET_FDT:
		out->has_fdt = 1;
		out->fdt_version = e[1] >> 4;
		out->fdt_instance = get24(e + 1) & 0xfffff;
		break;
	case ALC_HET_CENC:
		out->has_cenc = 1;
		out->cenc = e[1];
		break;
	case ALC_HET_TOL24:
		out->has_tol = 1;
		out->tol = get24(e + 1);
		break;
	default:
		out->n_unknown_ext++;
		break;
	}
}

/*
 * Walk the extensions in [off, end).  They must use up that range
 * exactly: an extension that runs past HDR_LEN, or a HEL of 0 (which
 * would never advance), rejects the packet.
 */
static int
alc_parse_ext(const uint8_t *buf, size_t off, size_t end, struct alc_pkt *out)
{
	size_t elen;
	int rc;

	while (off < end) {
		if (end - off < 4)
			return ALC_EEXT;
		if (buf[off] >= 128) {
			ext_fixed(buf + off, out);
			off += 4;
			continue;
		}
		elen = 4 * (size_t)buf[off + 1];
		if (elen == 0 || elen > end - off)
			return ALC_EEXT;
		if ((rc = ext_variable(buf + off, elen, out)) != 0)
			return rc;
		off += elen;
	}
	return 0;
}

/* Size of the FEC Payload ID for a codepoint (= FEI), 0 if unknown. */
static size_t
fpi_size(uint8_t cp)
{
	switch (cp) {
	case ALC_FEI_NOCODE:
	case ALC_FEI_RAPTOR:
	case ALC_FEI_RS_M:
	case ALC_FEI_RS8:
	case ALC_FEI_RAPTORQ:
	case ALC_FEI_COMPACT:
		return 4;
	case ALC_FEI_SBLB:
	case ALC_FEI_SBSYS:
		return 8;
	default:
		return 0;
	}
}

/*
 * Decode the FEC Payload ID at p (fpi_size(cp) bytes).  FEI 2 is read
 * with m = 8, the only value anyone sends; the real m is in the OTI.
 */
static void
alc_parse_fpi(const uint8_t *p, struct alc_pkt *out)
{
	uint32_t w = get32(p);

	switch (out->codepoint) {
	case ALC_FEI_RS_M:
	case ALC_FEI_RS8:
		out->sbn = w >> 8;
		out->esi = w & 0xff;
		break;
	case ALC_FEI_RAPTORQ:
		out->sbn = w >> 24;
		out->esi = w & 0xffffff;
		break;
	case ALC_FEI_SBLB:
		out->sbn = w;
		out->esi = get32(p + 4);
		break;
	case ALC_FEI_SBSYS:
		out->sbn = w;
		out->sbl = get16(p + 4);
		out->esi = get16(p + 6);
		break;
	default:
		/* 0, 1, 130: SBN16 | ESI16. */
		out->sbn = w >> 16;
		out->esi = w & 0xffff;
		break;
	}
}

/*
 * The fixed part: flags, lengths, CCI, TSI and TOI.  Returns the offset
 * where the extensions start, or a negative ALC_E* code.
 */
static int
alc_parse_fixed(const uint8_t *buf, size_t len, struct alc_pkt *out)
{
	unsigned c, s, o, h;
	size_t fixed;

	if (len < ALC_FIXED_LEN)
		return ALC_ETRUNC;
	out->version = buf[0] >> 4;
	if (out->version != 1)
		return ALC_EVERSION;
	c = (buf[0] >> 2) & 3;
	out->psi = buf[0] & 3;
	s = buf[1] >> 7;
	o = (buf[1] >> 5) & 3;
	h = (buf[1] >> 4) & 1;
	out->close_session = (buf[1] >> 1) & 1;
	out->close_object = buf[1] & 1;
	out->hdr_len = (uint16_t)(4 * buf[2]);
	out->codepoint = buf[3];
	out->cci_len = (uint8_t)(4 * (c + 1));
	out->tsi_len = (uint8_t)(4 * s + 2 * h);
	out->toi_len = (uint8_t)(4 * o + 2 * h);

	/* FLUTE identifies every object by (TSI, TOI): both must exist. */
	if (out->tsi_len == 0 || out->toi_len == 0)
		return ALC_ENOID;
	fixed = ALC_FIXED_LEN + out->cci_len + out->tsi_len + out->toi_len;
	if (out->hdr_len < fixed)
		return ALC_EHDRLEN;
	if (out->hdr_len > len)
		return ALC_ETRUNC;

	out->cci = get32(buf + ALC_FIXED_LEN);
	out->tsi = get_id(buf + ALC_FIXED_LEN + out->cci_len, out->tsi_len);
	out->toi = get_id(buf + ALC_FIXED_LEN + out->cci_len + out->tsi_len,
	    out->toi_len);
	return (int)fixed;
}

int
alc_parse(const uint8_t *buf, size_t len, struct alc_pkt *out)
{
	size_t fpi, rest;
	int rc;

	memset(out, 0, sizeof(*out));
	if (buf == NULL)
		return ALC_ETRUNC;
	if ((rc = alc_parse_fixed(buf, len, out)) < 0)
		return rc;
	if ((rc = alc_parse_ext(buf, (size_t)rc, out->hdr_len, out)) != 0)
		return rc;
	if ((fpi = fpi_size(out->codepoint)) == 0)
		return ALC_EFEI;

	rest = len - out->hdr_len;
	if (rest == 0 && (out->close_session || out->close_object)) {
		/*
		 * A data-less packet (RFC 5775 section 4.1): only the LCT
		 * header, sent to signal the end of a session or object.
		 */
		out->payload = buf + out->hdr_len;
		return 0;
	}
	if (rest < fpi)
		return ALC_EFPI;
	out->fpi_len = (uint8_t)fpi;
	alc_parse_fpi(buf + out->hdr_len, out);
	out->payload = buf + out->hdr_len + fpi;
	out->payload_len = rest - fpi;
	return 0;
}
