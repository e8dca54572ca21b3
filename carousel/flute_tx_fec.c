/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flute_tx_fec.c: the parts of an ALC header that depend on the FEC
 * Encoding ID: EXT_FTI and the FEC Payload ID for FEI 0 (Compact No-Code,
 * RFC 5445), 5 (Reed-Solomon over GF(2^8), RFC 5510 section 5) and 6
 * (RaptorQ, RFC 6330 section 3.2), laid out as protocols.md 2.1 and 2.2
 * give them and as fec_oti_parse and alc_parse read them back.  Pure, no
 * state: see flute_tx.h.
 */
#include <stddef.h>
#include <stdint.h>

#include "flute_tx.h"

#define FTI_HET		64
#define FTI_LEN		16	/* FEI 0 and 6: HEL 4 */
#define FTI_LEN_RS8	12	/* FEI 5: HEL 3 */
#define RQ_MAX_F	((1ull << 40) - 1)	/* F is 40 bits */
#define RS8_MAX_SBN	0xffffffu		/* 24 bits */
#define RQ_MAX_ESI	0xffffffu

static uint8_t *
put_be(uint8_t *p, uint64_t v, unsigned bytes)
{
	while (bytes-- > 0)
		*p++ = (uint8_t)(v >> (8 * bytes));
	return p;
}

size_t
ftx_fti_len(const struct ftx_pkt *h)
{
	if (!h->has_fti)
		return 0;
	return h->fei == FTX_FEI_RS8 ? FTI_LEN_RS8 : FTI_LEN;
}

/* EXT_FTI fields of FEI 5 and 6 must fit; Z, N and Al are never 0. */
static int
fti_valid(const struct ftx_pkt *h)
{
	switch (h->fei) {
	case FTX_FEI_RS8:
		return h->transfer_len <= FTX_MAX_TRANSFER &&
		    h->max_sbl <= 0xff && h->max_n <= 0xff;
	case FTX_FEI_RAPTORQ:
		return h->transfer_len <= RQ_MAX_F && h->z != 0 &&
		    h->sub_blocks != 0 && h->al != 0 &&
		    h->symbol_len % h->al == 0;
	default:
		return h->transfer_len <= FTX_MAX_TRANSFER;
	}
}

int
ftx_fec_valid(const struct ftx_pkt *h)
{
	if (h->has_fti && !fti_valid(h))
		return 0;
	switch (h->fei) {
	case FTX_FEI_NOCODE:
		return h->sbn <= 0xffff && h->esi <= 0xffff;
	case FTX_FEI_RS8:
		return h->sbn <= RS8_MAX_SBN && h->esi <= 0xff;
	case FTX_FEI_RAPTORQ:
		return h->sbn <= 0xff && h->esi <= RQ_MAX_ESI;
	default:
		return 0;	/* no layout for it here */
	}
}

uint8_t *
ftx_put_fti(uint8_t *p, const struct ftx_pkt *h)
{
	size_t len = ftx_fti_len(h);

	*p++ = FTI_HET;
	*p++ = (uint8_t)(len / 4);		/* HEL */
	switch (h->fei) {
	case FTX_FEI_RS8:
		/* TL48 | E16 | B8 | max_n8. */
		p = put_be(p, h->transfer_len, 6);
		p = put_be(p, h->symbol_len, 2);
		*p++ = (uint8_t)h->max_sbl;
		*p++ = (uint8_t)h->max_n;
		return p;
	case FTX_FEI_RAPTORQ:
		/* F40 | reserved8 | T16 | Z8 | N16 | Al8 | pad16. */
		p = put_be(p, h->transfer_len, 5);
		*p++ = 0;
		p = put_be(p, h->symbol_len, 2);
		*p++ = h->z;
		p = put_be(p, h->sub_blocks, 2);
		*p++ = h->al;
		return put_be(p, 0, 2);
	default:
		/* TL48 | FEC Instance ID slot 16 | E16 | B32. */
		p = put_be(p, h->transfer_len, 6);
		p = put_be(p, 0, 2);
		p = put_be(p, h->symbol_len, 2);
		return put_be(p, h->max_sbl, 4);
	}
}

uint8_t *
ftx_put_fpi(uint8_t *p, const struct ftx_pkt *h)
{
	switch (h->fei) {
	case FTX_FEI_RS8:
		p = put_be(p, h->sbn, 3);
		return put_be(p, h->esi, 1);
	case FTX_FEI_RAPTORQ:
		p = put_be(p, h->sbn, 1);
		return put_be(p, h->esi, 3);
	default:
		p = put_be(p, h->sbn, 2);
		return put_be(p, h->esi, 2);
	}
}
