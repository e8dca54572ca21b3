/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fec.c: FEC Object Transmission Information (EXT_FTI) decoding and the
 * RFC 5052 section 9.1 block partitioning used to place source symbols.
 *
 * Pure functions.  The OTI layouts are in protocols.md 2.2; the
 * partitioning and the worked example in 2.4.  Everything that comes from
 * the network is range-checked here so that callers can size bitmaps and
 * buffers from the results without further overflow checks.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fec.h"

/* EXT_FTI lengths in bytes (4*HEL), HET and HEL included. */
#define FEC_OTI_LEN	16
#define FEC_OTI_LEN_RS8	12

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
get40(const uint8_t *p)
{
	return (uint64_t)p[0] << 32 | get32(p + 1);
}

static uint64_t
get48(const uint8_t *p)
{
	return (uint64_t)get16(p) << 32 | get32(p + 2);
}

/* FEI 0, 128, 130: TL48 | instance or reserved 16 | E16 | B32. */
static void
oti_blocks(const uint8_t *x, struct fec_oti *out)
{
	out->transfer_len = get48(x + 2);
	/* For FEI 0 the slot is reserved: keep instance_id at 0. */
	if (out->fei >= 128)
		out->instance_id = get16(x + 8);
	out->symbol_len = get16(x + 10);
	out->max_sbl = get32(x + 12);
}

/* FEI 129: TL48 | instance16 | E16 | B16 | max_n16. */
static void
oti_sbsys(const uint8_t *x, struct fec_oti *out)
{
	out->transfer_len = get48(x + 2);
	out->instance_id = get16(x + 8);
	out->symbol_len = get16(x + 10);
	out->max_sbl = get16(x + 12);
	out->max_n = get16(x + 14);
}

/* FEI 2: TL48 | m8 | G8 | E16 | B16 | max_n16, with m = 0 -> 8, G = 0 -> 1. */
static void
oti_rs_m(const uint8_t *x, struct fec_oti *out)
{
	out->transfer_len = get48(x + 2);
	out->m = x[8] ? x[8] : 8;
	out->g = x[9] ? x[9] : 1;
	out->symbol_len = get16(x + 10);
	out->max_sbl = get16(x + 12);
	out->max_n = get16(x + 14);
}

/* FEI 5: TL48 | E16 | B8 | max_n8, 12 bytes in all. */
static void
oti_rs8(const uint8_t *x, struct fec_oti *out)
{
	out->transfer_len = get48(x + 2);
	out->symbol_len = get16(x + 8);
	out->max_sbl = x[10];
	out->max_n = x[11];
}

/*
 * FEI 6 (RaptorQ): F40 | res8 | T16 | Z8 | N16 | Al8 | pad16.
 * FEI 1 (Raptor):  F40 | res8 | T16 | Z16 | N8 | Al8 | pad16.
 * Both partition with T/Al and divide by Z and N, so zeros and a T that is
 * not a multiple of Al are rejected here rather than in every user.
 */
static int
oti_raptor(const uint8_t *x, struct fec_oti *out)
{
	out->transfer_len = get40(x + 2);
	out->symbol_len = get16(x + 8);
	if (out->fei == 6) {
		out->z = x[10];
		out->n = get16(x + 11);
	} else {
		out->z = get16(x + 10);
		out->n = x[12];
	}
	out->al = x[13];
	if (out->symbol_len == 0 || out->z == 0 || out->n == 0 ||
	    out->al == 0 || out->symbol_len % out->al != 0)
		return FEC_EINVAL;
	return 0;
}

/* Expected 4*HEL for each FEI we know, or 0. */
static size_t
oti_len(uint8_t fei)
{
	switch (fei) {
	case 0: case 1: case 2: case 6:
	case 128: case 129: case 130:
		return FEC_OTI_LEN;
	case 5:
		return FEC_OTI_LEN_RS8;
	default:
		return 0;
	}
}

int
fec_oti_parse(uint8_t fei, const uint8_t *ext, size_t len,
    struct fec_oti *out)
{
	size_t want;

	memset(out, 0, sizeof(*out));
	out->fei = fei;
	if ((want = oti_len(fei)) == 0)
		return FEC_EUNSUP;
	/* Both the caller's length and the HEL byte must say the same. */
	if (ext == NULL || len != want || 4 * (size_t)ext[1] != want)
		return FEC_EINVAL;

	switch (fei) {
	case 1:
	case 6:
		return oti_raptor(ext, out);
	case 2:
		oti_rs_m(ext, out);
		break;
	case 5:
		oti_rs8(ext, out);
		break;
	case 129:
		oti_sbsys(ext, out);
		break;
	default:
		oti_blocks(ext, out);
		break;
	}
	return 0;
}

/*
 * RFC 5052 section 9.1.  T = ceil(L/E) is capped at UINT32_MAX so that
 * every symbol index fits the 32-bit ESI/SBN space and a bitmap of T bits
 * can be sized without overflow; (T-1)*E + E then stays below 2^64.
 */
int
fec_partition(uint64_t len, uint32_t e, uint32_t b, struct fec_part *out)
{
	uint64_t t;

	memset(out, 0, sizeof(*out));
	if (e == 0 || b == 0)
		return FEC_EINVAL;
	t = len / e + (len % e != 0);
	if (t > UINT32_MAX)
		return FEC_ERANGE;
	out->len = len;
	out->e = e;
	out->t = t;
	if (t == 0)
		return 0;
	out->n = (uint32_t)(t / b + (t % b != 0));
	out->a_large = (uint32_t)(t / out->n + (t % out->n != 0));
	out->a_small = (uint32_t)(t / out->n);
	out->i_large = (uint32_t)(t - (uint64_t)out->a_small * out->n);
	return 0;
}

/* RFC 6330 4.4.1.2: the same arithmetic with the block count given. */
int
fec_partition_z(uint64_t len, uint32_t t, uint32_t z, struct fec_part *out)
{
	uint64_t kt;

	memset(out, 0, sizeof(*out));
	if (t == 0 || z == 0)
		return FEC_EINVAL;
	kt = len / t + (len % t != 0);
	if (kt > UINT32_MAX)
		return FEC_ERANGE;
	if (kt == 0) {
		out->e = t;
		return 0;
	}
	if (z > kt)
		return FEC_EINVAL;
	out->len = len;
	out->e = t;
	out->t = kt;
	out->n = z;
	out->a_large = (uint32_t)(kt / z + (kt % z != 0));
	out->a_small = (uint32_t)(kt / z);
	out->i_large = (uint32_t)(kt - (uint64_t)out->a_small * z);
	return 0;
}

uint32_t
fec_block_len(const struct fec_part *p, uint32_t sbn)
{
	if (sbn >= p->n)
		return 0;
	return sbn < p->i_large ? p->a_large : p->a_small;
}

uint64_t
fec_symbol_index(const struct fec_part *p, uint32_t sbn, uint32_t esi)
{
	if (sbn < p->i_large)
		return (uint64_t)sbn * p->a_large + esi;
	return (uint64_t)p->i_large * p->a_large +
	    (uint64_t)(sbn - p->i_large) * p->a_small + esi;
}

uint64_t
fec_symbol_offset(const struct fec_part *p, uint32_t sbn, uint32_t esi)
{
	return fec_symbol_index(p, sbn, esi) * p->e;
}

/*
 * Every symbol is E bytes except the last one of the object.  Out of
 * range (sbn, esi) give 0, so a caller that forgot its checks copies
 * nothing rather than something.
 */
uint32_t
fec_symbol_size(const struct fec_part *p, uint32_t sbn, uint32_t esi)
{
	uint64_t idx;

	if (esi >= fec_block_len(p, sbn))
		return 0;
	idx = fec_symbol_index(p, sbn, esi);
	if (idx + 1 < p->t)
		return p->e;
	return (uint32_t)(p->len - idx * p->e);
}
