/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_flute_tx_naci.c: the sender's EXT_NACI header extension (HET 68,
 * protocols.md 1.2), read back by the receiver's alc_parse: every field
 * for provider names of 0 to 64 bytes, with and without EXT_FDT/EXT_FTI,
 * header lengths, truncated packets, and the --naci option parser.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "testutil.h"
#include "../../carousel/alc.h"
#include "../../carousel/flute_tx.h"

#define E	FTX_SYMBOL_LEN
#define B	FTX_MAX_SBL
#define PKTMAX	2048
#define HDR_NO_NACI 40	/* LCT + EXT_FDT + EXT_FTI + FPI */

static void
naci_fill(struct ftx_naci *n, size_t name_len)
{
	size_t i;

	memset(n, 0, sizeof(*n));
	n->network = (uint16_t)(318 + name_len);
	n->carrier = (uint16_t)(0xa5c3 ^ name_len);
	n->link = (uint16_t)(rng() >> 48);
	n->service = (uint16_t)(17702 + 7 * name_len);
	n->name_len = (uint8_t)name_len;
	for (i = 0; i < name_len; i++)
		n->name[i] = (uint8_t)('A' + (rng() >> 59));
}

/* The receiver reads back every NACI field and the other extensions. */
static void
naci_check(const struct ftx_pkt *h, const uint8_t *pkt, int n,
    const uint8_t *pay, size_t plen)
{
	const struct ftx_naci *nc = h->naci;
	size_t hl = ftx_header_len(h), nl = ftx_naci_len(nc), off, i;
	struct alc_pkt a;

	REQUIRE(n == (int)(hl + plen));
	REQUIRE(alc_parse(pkt, (size_t)n, &a) == 0);
	CHECK(a.has_naci);
	CHECK_EQ_U(a.naci_network, nc->network);
	CHECK_EQ_U(a.naci_carrier, nc->carrier);
	CHECK_EQ_U(a.naci_link, nc->link);
	CHECK_EQ_U(a.naci_service, nc->service);
	CHECK_EQ_U(a.naci_name_len, nc->name_len);
	CHECK(nc->name_len == 0 ||
	    memcmp(a.naci_name, nc->name, nc->name_len) == 0);
	CHECK_EQ_U(a.hdr_len, hl - 4);
	CHECK_EQ_U(a.has_fdt, h->has_fdt);
	CHECK(!h->has_fdt || a.fdt_instance == h->fdt_instance);
	CHECK_EQ_U(a.has_fti, h->has_fti);
	CHECK_EQ_U(a.tsi.lo, h->tsi);
	CHECK_EQ_U(a.toi.lo, h->toi);
	CHECK_EQ_U(a.sbn, h->sbn);
	CHECK_EQ_U(a.esi, h->esi);
	CHECK_EQ_U(a.payload_len, plen);
	CHECK(plen == 0 || memcmp(a.payload, pay, plen) == 0);
	/* The extension sits before the FPI: HET 68, HEL, reserved 0, pad 0. */
	off = hl - 4 - nl;
	CHECK_EQ_U(pkt[off], 68);
	CHECK_EQ_U(pkt[off + 1] * 4u, nl);
	CHECK_EQ_U(pkt[off + 10], 0);
	CHECK_EQ_U(pkt[off + 11], nc->name_len);
	for (i = off + 12 + nc->name_len; i < off + nl; i++)
		CHECK_EQ_U(pkt[i], 0);
}

/* EXT_NACI with names of 0 to 64 bytes, alone and with FDT and FTI. */
static void
test_naci_roundtrip(void)
{
	struct ftx_pkt h;
	struct ftx_naci nc;
	uint8_t pkt[PKTMAX], pay[100];
	size_t len, ext;
	int n, flags;

	rng_seed(68);

	memset(pay, 0x5a, sizeof(pay));
	for (len = 0; len <= FTX_NACI_NAME_MAX; len++) {
		naci_fill(&nc, len);
		ext = (12 + len + 3) / 4 * 4;
		CHECK_EQ_U(ftx_naci_len(&nc), ext);
		for (flags = 0; flags < 4; flags++) {
			memset(&h, 0, sizeof(h));
			h.tsi = 49005;
			h.toi = flags & 1 ? 0 : 77 + (uint32_t)len;
			h.has_fdt = (uint8_t)(flags & 1);
			h.fdt_instance = 0xabcde;
			h.has_fti = (uint8_t)(flags >> 1);
			h.transfer_len = 123456;
			h.symbol_len = E;
			h.max_sbl = B;
			h.sbn = (uint32_t)len;
			h.esi = 3;
			h.naci = &nc;
			CHECK_EQ_U(ftx_header_len(&h), 20 + 4 * (flags & 1) +
			    16 * (flags >> 1) + ext);
			n = ftx_build_packet(&h, pay, len, pkt, sizeof(pkt));
			naci_check(&h, pkt, n, pay, len);
		}
	}
	/* The longest header is FTX_MAX_HDR, and one byte less is refused. */
	CHECK_EQ_U(ftx_header_len(&h), FTX_MAX_HDR);
	CHECK_EQ_U(ftx_write_header(&h, pkt, FTX_MAX_HDR), FTX_MAX_HDR);
	CHECK(ftx_write_header(&h, pkt, FTX_MAX_HDR - 1) < 0);
	nc.name_len = FTX_NACI_NAME_MAX + 1;
	CHECK(ftx_write_header(&h, pkt, sizeof(pkt)) < 0);
	h.naci = NULL;
	CHECK_EQ_U(ftx_header_len(&h), HDR_NO_NACI);
	CHECK_EQ_U(ftx_naci_len(NULL), 0);
}

/* The receiver never reads a NACI out of a cut-short packet. */
static void
test_naci_truncated(void)
{
	struct ftx_naci nc;
	struct ftx_pkt h = { .tsi = 1, .toi = 2, .has_fti = 1, .naci = &nc };
	uint8_t pkt[PKTMAX], *cut;
	struct alc_pkt a;
	int n, i;

	rng_seed(68);

	naci_fill(&nc, 13);
	n = ftx_write_header(&h, pkt, sizeof(pkt));
	REQUIRE(n == (int)ftx_header_len(&h));
	for (i = 0; i < n; i++) {
		cut = malloc((size_t)i + 1);
		REQUIRE(cut != NULL);
		memcpy(cut, pkt, (size_t)i);
		CHECK(alc_parse(cut, (size_t)i, &a) < 0);
		free(cut);
	}
	/* A name_len that overruns HEL is an extension error. */
	REQUIRE(alc_parse(pkt, (size_t)n, &a) == 0 && a.naci_name_len == 13);
	pkt[(size_t)n - 4 - ftx_naci_len(&nc) + 11] = 13 + 4;
	CHECK(alc_parse(pkt, (size_t)n, &a) == ALC_EEXT);
}

static void
test_naci_parse(void)
{
	static const struct {
		const char	*s;
		int		ok;
		uint16_t	net, car, link, svc;
		const char	*name;
	} t[] = {
		{ "1:1:1:1", 1, 1, 1, 1, 1, "" },
		{ "318:7600:0:17702:EUTELSAT", 1, 318, 7600, 0, 17702,
		    "EUTELSAT" },
		{ "65535:0:65535:0:", 1, 65535, 0, 65535, 0, "" },
		{ "1:2:3:4:a:b c", 1, 1, 2, 3, 4, "a:b c" },
		{ "1:2:3:4:\xc3\xa9t\xc3\xa9", 1, 1, 2, 3, 4,
		    "\xc3\xa9t\xc3\xa9" },
		{ "1:2:3", 0, 0, 0, 0, 0, NULL },
		{ "1:2:3:", 0, 0, 0, 0, 0, NULL },
		{ "", 0, 0, 0, 0, 0, NULL },
		{ "65536:1:1:1", 0, 0, 0, 0, 0, NULL },
		{ "1:1:1:99999999999999999999", 0, 0, 0, 0, 0, NULL },
		{ "-1:1:1:1", 0, 0, 0, 0, 0, NULL },
		{ "1:1:1:1x", 0, 0, 0, 0, 0, NULL },
		{ "1::1:1", 0, 0, 0, 0, 0, NULL },
		{ "0x10:1:1:1", 0, 0, 0, 0, 0, NULL },
		{ "1:1:1:1:tab\there", 0, 0, 0, 0, 0, NULL },
		{ "1:1:1:1:del\x7f", 0, 0, 0, 0, 0, NULL },
	};
	char name[FTX_NACI_NAME_MAX + 16];
	struct ftx_naci n;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (!t[i].ok) {
			CHECK(ftx_naci_parse(t[i].s, &n) < 0);
			continue;
		}
		REQUIRE(ftx_naci_parse(t[i].s, &n) == 0);
		CHECK(n.network == t[i].net && n.carrier == t[i].car);
		CHECK(n.link == t[i].link && n.service == t[i].svc);
		CHECK_EQ_U(n.name_len, strlen(t[i].name));
		CHECK(memcmp(n.name, t[i].name, n.name_len) == 0);
	}
	/* 64 name bytes are the limit. */
	memset(name, 'x', sizeof(name));
	memcpy(name, "1:2:3:4:", 8);
	name[8 + FTX_NACI_NAME_MAX] = '\0';
	CHECK(ftx_naci_parse(name, &n) == 0 &&
	    n.name_len == FTX_NACI_NAME_MAX);
	name[8 + FTX_NACI_NAME_MAX] = 'x';
	name[9 + FTX_NACI_NAME_MAX] = '\0';
	CHECK(ftx_naci_parse(name, &n) < 0);
}

TEST_MAIN(TEST(test_naci_roundtrip), TEST(test_naci_truncated),
    TEST(test_naci_parse))
