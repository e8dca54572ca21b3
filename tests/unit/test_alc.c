/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_alc.c: the LCT/ALC parser against the worked example of
 * protocols.md 1.3, table-driven field cases, and hostile input
 * (every truncation, bad lengths, a seeded fuzz loop).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "../../carousel/alc.h"
#include "../../carousel/fec.h"

#define MAXPKT	2048

/* protocols.md 1.3, byte for byte, followed by the FEC Payload ID. */
static const uint8_t example_hdr[] = {
	0x10, 0xa0, 0x09, 0x00,			/* V=1 S=1 O=1 HDR_LEN 9 */
	0x00, 0x00, 0x00, 0x00,			/* CCI */
	0x00, 0x00, 0x00, 0x00,			/* TSI 0 */
	0x00, 0x00, 0x00, 0x00,			/* TOI 0 */
	0xc0, 0x10, 0x00, 0x2a,			/* EXT_FDT V=1 id 42 */
	0x40, 0x04,				/* EXT_FTI HEL 4 */
	0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,	/* L = 1000 */
	0x00, 0x00,				/* reserved */
	0x05, 0xb4,				/* E = 1460 */
	0x00, 0x00, 0x00, 0x40,			/* B = 64 */
	0x00, 0x00, 0x00, 0x00,			/* SBN 0, ESI 0 */
};

/* Deterministic filler so payload bytes can be checked. */
static uint8_t
fill_byte(size_t i)
{
	return (uint8_t)(i * 7 + 3);
}

/* The worked example with n payload bytes; returns its length. */
static size_t
example_build(uint8_t *buf, size_t n)
{
	size_t i;

	memcpy(buf, example_hdr, sizeof(example_hdr));
	for (i = 0; i < n; i++)
		buf[sizeof(example_hdr) + i] = fill_byte(i);
	return sizeof(example_hdr) + n;
}

/*
 * A packet from parts.  ids are the CCI, TSI and TOI bytes (zeros when
 * NULL); HDR_LEN is computed from the parts unless hdr_words is nonzero.
 */
struct spec {
	uint8_t		b0, b1, cp, hdr_words;
	const uint8_t	*ids;
	size_t		ids_len;
	const uint8_t	*ext;
	size_t		ext_len;
	const uint8_t	*fpi;
	size_t		fpi_len;
	size_t		payload_len;
};

static size_t
spec_build(uint8_t *buf, const struct spec *sp)
{
	size_t off = 4, hdr = 4 + sp->ids_len + sp->ext_len, i;

	buf[0] = sp->b0;
	buf[1] = sp->b1;
	buf[2] = sp->hdr_words ? sp->hdr_words : (uint8_t)(hdr / 4);
	buf[3] = sp->cp;
	if (sp->ids != NULL)
		memcpy(buf + off, sp->ids, sp->ids_len);
	else
		memset(buf + off, 0, sp->ids_len);
	off += sp->ids_len;
	if (sp->ext_len > 0)
		memcpy(buf + off, sp->ext, sp->ext_len);
	off += sp->ext_len;
	if (sp->fpi_len > 0)
		memcpy(buf + off, sp->fpi, sp->fpi_len);
	off += sp->fpi_len;
	for (i = 0; i < sp->payload_len; i++)
		buf[off + i] = fill_byte(i);
	return off + sp->payload_len;
}

/* Parse from an exact-size heap copy so ASan sees any over-read. */
static int
parse_exact(const uint8_t *src, size_t len, struct alc_pkt *p,
    uint8_t **copy)
{
	*copy = malloc(len ? len : 1);
	if (*copy == NULL)
		abort();
	memcpy(*copy, src, len);
	return alc_parse(*copy, len, p);
}

static void
test_worked_example(void)
{
	uint8_t buf[MAXPKT];
	struct alc_pkt p;
	struct fec_oti oti;
	size_t len = example_build(buf, 1000), i;
	int ok = 1;

	REQUIRE(alc_parse(buf, len, &p) == 0);
	CHECK_EQ_U(p.version, 1);
	CHECK_EQ_U(p.psi, 0);
	CHECK_EQ_U(p.close_session, 0);
	CHECK_EQ_U(p.close_object, 0);
	CHECK_EQ_U(p.codepoint, 0);
	CHECK_EQ_U(p.cci_len, 4);
	CHECK_EQ_U(p.tsi_len, 4);
	CHECK_EQ_U(p.toi_len, 4);
	CHECK_EQ_U(p.hdr_len, 36);
	CHECK_EQ_U(p.cci, 0);
	CHECK(p.tsi.hi == 0 && p.tsi.lo == 0);
	CHECK(p.toi.hi == 0 && p.toi.lo == 0);
	CHECK_EQ_U(p.has_fdt, 1);
	CHECK_EQ_U(p.fdt_version, 1);
	CHECK_EQ_U(p.fdt_instance, 42);
	CHECK_EQ_U(p.has_cenc, 0);
	CHECK_EQ_U(p.has_fti, 1);
	CHECK_EQ_U(p.fti_len, 16);
	CHECK(p.fti == buf + 20);
	CHECK_EQ_U(p.has_time, 0);
	CHECK_EQ_U(p.has_tol, 0);
	CHECK_EQ_U(p.has_naci, 0);
	CHECK_EQ_U(p.n_unknown_ext, 0);
	CHECK_EQ_U(p.fpi_len, 4);
	CHECK_EQ_U(p.sbn, 0);
	CHECK_EQ_U(p.esi, 0);
	CHECK_EQ_U(p.sbl, 0);
	CHECK(p.payload == buf + 40);
	CHECK_EQ_U(p.payload_len, 1000);
	for (i = 0; i < p.payload_len; i++)
		ok &= p.payload[i] == fill_byte(i);
	CHECK(ok);

	/* The EXT_FTI it borrows decodes to the example's OTI. */
	REQUIRE(fec_oti_parse(p.codepoint, p.fti, p.fti_len, &oti) == 0);
	CHECK_EQ_U(oti.transfer_len, 1000);
	CHECK_EQ_U(oti.symbol_len, 1460);
	CHECK_EQ_U(oti.max_sbl, 64);
}

/* TSI/TOI lengths from S, O and H, decoded as big-endian integers. */
static void
test_ids(void)
{
	static const uint8_t seq[16] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
	};
	static const struct {
		uint8_t		b1;
		size_t		tsi_len, toi_len;
		uint64_t	tsi_hi, tsi_lo, toi_hi, toi_lo;
	} t[] = {
		/* S=1 O=1 H=1: 48-bit TSI and TOI. */
		{ 0xb0, 6, 6, 0, 0x010203040506ULL, 0, 0x010203040506ULL },
		/* S=0 O=3 H=1: 16-bit TSI, 112-bit TOI. */
		{ 0x70, 2, 14, 0, 0x0102, 0x010203040506ULL,
		    0x0708090a0b0c0d0eULL },
		/* S=0 O=0 H=1: 16 bits each. */
		{ 0x10, 2, 2, 0, 0x0102, 0, 0x0102 },
		/* S=1 O=2 H=0: 64-bit TOI. */
		{ 0xc0, 4, 8, 0, 0x01020304, 0, 0x0102030405060708ULL },
		/* S=1 O=3 H=0: 96-bit TOI. */
		{ 0xe0, 4, 12, 0, 0x01020304, 0x01020304,
		    0x05060708090a0b0cULL },
		/* S=1 O=3 H=1: 48-bit TSI, 112-bit TOI, the maximum. */
		{ 0xf0, 6, 14, 0, 0x010203040506ULL, 0x0f1011121314ULL,
		    0x15161718191a1b1cULL },
	};
	static const uint8_t fpi[4] = { 0, 1, 0, 2 };
	uint8_t ids[64], buf[MAXPKT];
	struct alc_pkt p;
	size_t i, j, len;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct spec sp = { 0x10, t[i].b1, 0, 0, ids,
		    4 + t[i].tsi_len + t[i].toi_len, NULL, 0, fpi, 4, 3 };

		/* CCI = 0xcccccccc, then TSI from seq, then TOI. */
		memset(ids, 0xcc, 4);
		memcpy(ids + 4, seq, t[i].tsi_len);
		for (j = 0; j < t[i].toi_len; j++)
			ids[4 + t[i].tsi_len + j] = (uint8_t)(
			    t[i].tsi_len == 6 && t[i].toi_len == 14 ?
			    0x0f + j : seq[j]);
		len = spec_build(buf, &sp);
		REQUIRE(alc_parse(buf, len, &p) == 0);
		CHECK_EQ_U(p.tsi_len, t[i].tsi_len);
		CHECK_EQ_U(p.toi_len, t[i].toi_len);
		CHECK_EQ_U(p.cci, 0xccccccccU);
		CHECK_EQ_U(p.tsi.hi, t[i].tsi_hi);
		CHECK_EQ_U(p.tsi.lo, t[i].tsi_lo);
		CHECK_EQ_U(p.toi.hi, t[i].toi_hi);
		CHECK_EQ_U(p.toi.lo, t[i].toi_lo);
		CHECK_EQ_U(p.esi, 2);
		CHECK_EQ_U(p.payload_len, 3);
	}
}

/* CCI of 4..16 bytes: its first word is kept and the TSI follows it. */
static void
test_cci(void)
{
	static const uint8_t fpi[4] = { 0 };
	uint8_t ids[32], buf[MAXPKT];
	struct alc_pkt p;
	unsigned c;
	size_t len, cl;

	for (c = 0; c < 4; c++) {
		struct spec sp = { (uint8_t)(0x10 | c << 2), 0xa0, 0, 0, ids,
		    0, NULL, 0, fpi, 4, 0 };

		cl = 4 * (c + 1);
		memset(ids, 0xee, cl);
		ids[0] = 0xde; ids[1] = 0xad; ids[2] = 0xbe; ids[3] = 0xef;
		memcpy(ids + cl, "\x00\x00\x12\x34\x00\x00\x56\x78", 8);
		sp.ids_len = cl + 8;
		len = spec_build(buf, &sp);
		REQUIRE(alc_parse(buf, len, &p) == 0);
		CHECK_EQ_U(p.cci_len, cl);
		CHECK_EQ_U(p.cci, 0xdeadbeefU);
		CHECK_EQ_U(p.tsi.lo, 0x1234);
		CHECK_EQ_U(p.toi.lo, 0x5678);
		CHECK_EQ_U(p.hdr_len, 4 + cl + 8);
	}
}

/* PSI, A and B flags. */
static void
test_flags(void)
{
	static const struct {
		uint8_t	b0, b1, psi, a, b;
	} t[] = {
		{ 0x10, 0xa0, 0, 0, 0 },
		{ 0x13, 0xa0, 3, 0, 0 },
		{ 0x12, 0xa2, 2, 1, 0 },
		{ 0x11, 0xa1, 1, 0, 1 },
		{ 0x10, 0xaf, 0, 1, 1 },	/* Res bits are ignored. */
	};
	uint8_t buf[MAXPKT];
	struct alc_pkt p;
	size_t i, len;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		len = example_build(buf, 10);
		buf[0] = t[i].b0;
		buf[1] = t[i].b1;
		REQUIRE(alc_parse(buf, len, &p) == 0);
		CHECK_EQ_U(p.psi, t[i].psi);
		CHECK_EQ_U(p.close_session, t[i].a);
		CHECK_EQ_U(p.close_object, t[i].b);
		CHECK_EQ_U(p.payload_len, 10);
	}
}

/* Each codepoint's FEC Payload ID layout. */
static void
test_fpi_layouts(void)
{
	static const uint8_t fpi[8] = {
		0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0
	};
	static const struct {
		uint8_t		cp, fpi_len;
		uint32_t	sbn, esi;
		uint16_t	sbl;
	} t[] = {
		{ 0, 4, 0x1234, 0x5678, 0 },
		{ 1, 4, 0x1234, 0x5678, 0 },
		{ 130, 4, 0x1234, 0x5678, 0 },
		{ 2, 4, 0x123456, 0x78, 0 },
		{ 5, 4, 0x123456, 0x78, 0 },
		{ 6, 4, 0x12, 0x345678, 0 },
		{ 128, 8, 0x12345678, 0x9abcdef0, 0 },
		{ 129, 8, 0x12345678, 0xdef0, 0x9abc },
	};
	uint8_t buf[MAXPKT];
	struct alc_pkt p;
	size_t i, len;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct spec sp = { 0x10, 0xa0, t[i].cp, 0, NULL, 12, NULL, 0,
		    fpi, 8, 5 };

		len = spec_build(buf, &sp);
		REQUIRE(alc_parse(buf, len, &p) == 0);
		CHECK_EQ_U(p.codepoint, t[i].cp);
		CHECK_EQ_U(p.fpi_len, t[i].fpi_len);
		CHECK_EQ_U(p.sbn, t[i].sbn);
		CHECK_EQ_U(p.esi, t[i].esi);
		CHECK_EQ_U(p.sbl, t[i].sbl);
		/* What is not FEC Payload ID is payload. */
		CHECK(p.payload == buf + 16 + t[i].fpi_len);
		CHECK_EQ_U(p.payload_len, 13 - t[i].fpi_len);

		/* One byte short of the FEC Payload ID. */
		CHECK(alc_parse(buf, 16 + t[i].fpi_len - 1, &p) == ALC_EFPI);
		/* Exactly the FEC Payload ID: an empty payload. */
		CHECK(alc_parse(buf, 16 + t[i].fpi_len, &p) == 0 &&
		    p.payload_len == 0);
	}
}

static void
test_unknown_codepoint(void)
{
	static const uint8_t bad[] = { 3, 4, 7, 64, 127, 131, 192, 255 };
	uint8_t buf[MAXPKT];
	struct alc_pkt p;
	size_t i, len;

	for (i = 0; i < sizeof(bad); i++) {
		len = example_build(buf, 100);
		buf[3] = bad[i];
		CHECK(alc_parse(buf, len, &p) == ALC_EFEI);
	}
}

/* EXT_TIME: the Use bits select which words follow, in fixed order. */
static void
test_ext_time(void)
{
	static const struct {
		uint16_t	use;
		uint8_t		hel;
		int		rc;
	} t[] = {
		{ 0x0000, 1, 0 },	/* no words */
		{ 0x8000, 2, 0 },	/* SCT-High */
		{ 0xc000, 3, 0 },	/* SCT-High, SCT-Low (ypo) */
		{ 0xe000, 4, 0 },	/* + ERT */
		{ 0xf000, 5, 0 },	/* all four */
		{ 0x4000, 2, 0 },	/* SCT-Low only */
		{ 0x2000, 2, 0 },	/* ERT only */
		{ 0x9000, 3, 0 },	/* SCT-High and SLC */
		{ 0x10ff, 2, 0 },	/* SLC plus PI-specific bits */
		{ 0x8000, 3, 0 },	/* longer than needed is fine */
		{ 0xf000, 4, ALC_EEXT },	/* one word missing */
		{ 0x8000, 1, ALC_EEXT },	/* no room for SCT-High */
	};
	static const uint16_t bits[4] = { 0x8000, 0x4000, 0x2000, 0x1000 };
	uint8_t ext[32], buf[MAXPKT];
	struct alc_pkt p;
	uint32_t want[4];
	size_t i, j, k, len;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct spec sp = { 0x10, 0xa0, 0, 0, NULL, 12, ext,
		    4 * (size_t)t[i].hel, (const uint8_t *)"\0\0\0\0", 4, 1 };

		ext[0] = ALC_HET_TIME;
		ext[1] = t[i].hel;
		ext[2] = (uint8_t)(t[i].use >> 8);
		ext[3] = (uint8_t)t[i].use;
		for (j = 1; j < t[i].hel; j++) {
			uint32_t w = 0xa0000000U + (uint32_t)j;

			ext[4 * j] = (uint8_t)(w >> 24);
			ext[4 * j + 1] = (uint8_t)(w >> 16);
			ext[4 * j + 2] = (uint8_t)(w >> 8);
			ext[4 * j + 3] = (uint8_t)w;
		}
		for (j = 0, k = 1; j < 4; j++)
			want[j] = t[i].use & bits[j] ?
			    0xa0000000U + (uint32_t)k++ : 0;
		len = spec_build(buf, &sp);
		rc = alc_parse(buf, len, &p);
		CHECK_EQ_U(rc, t[i].rc);
		if (rc != 0)
			continue;
		CHECK_EQ_U(p.has_time, 1);
		CHECK_EQ_U(p.time_use, t[i].use);
		CHECK_EQ_U(p.time_sct_hi, want[0]);
		CHECK_EQ_U(p.time_sct_lo, want[1]);
		CHECK_EQ_U(p.time_ert, want[2]);
		CHECK_EQ_U(p.time_slc, want[3]);
	}
}

/* EXT_NACI with names that fit, fit with padding, or overrun HEL. */
static void
test_ext_naci(void)
{
	static const struct {
		const char	*name;
		uint8_t		name_len, hel;
		int		rc;
	} t[] = {
		{ "EUTELSAT", 8, 5, 0 },	/* 2+10+8 = 20, exact */
		{ "SES", 3, 4, 0 },		/* padded to 16 */
		{ "", 0, 3, 0 },
		{ "EUTELSAT", 9, 5, ALC_EEXT },	/* name runs past HEL */
		{ "", 0, 2, ALC_EEXT },		/* no room for the IDs */
		{ "X", 255, 5, ALC_EEXT },
	};
	uint8_t ext[64], buf[MAXPKT];
	struct alc_pkt p;
	size_t i, len;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct spec sp = { 0x10, 0xa0, 0, 0, NULL, 12, ext,
		    4 * (size_t)t[i].hel, (const uint8_t *)"\0\0\0\0", 4, 7 };

		memset(ext, 0, sizeof(ext));
		ext[0] = ALC_HET_NACI;
		ext[1] = t[i].hel;
		/* network 318, carrier 7600, link 0, service 17702 */
		memcpy(ext + 2, "\x01\x3e\x1d\xb0\x00\x00\x45\x26\xff", 9);
		ext[11] = t[i].name_len;
		memcpy(ext + 12, t[i].name, strlen(t[i].name));
		len = spec_build(buf, &sp);
		rc = alc_parse(buf, len, &p);
		CHECK_EQ_U(rc, t[i].rc);
		if (rc != 0)
			continue;
		CHECK_EQ_U(p.has_naci, 1);
		CHECK_EQ_U(p.naci_network, 318);
		CHECK_EQ_U(p.naci_carrier, 7600);
		CHECK_EQ_U(p.naci_link, 0);
		CHECK_EQ_U(p.naci_service, 17702);
		CHECK_EQ_U(p.naci_name_len, t[i].name_len);
		CHECK(p.naci_name == buf + 16 + 12);
		CHECK(memcmp(p.naci_name, t[i].name, t[i].name_len) == 0);
		CHECK_EQ_U(p.payload_len, 7);
	}
}

/*
 * Every other extension in one header: known ones decoded, unknown
 * variable and fixed ones skipped and counted, the last TOL winning.
 */
static void
test_ext_misc(void)
{
	static const uint8_t ext[] = {
		0x00, 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, /* NOP */
		0x01, 0x01, 0x12, 0x34,		/* AUTH */
		0x64, 0x03, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,	/* HET 100 */
		0xc8, 0x01, 0x02, 0x03,		/* HET 200 */
		0xc0, 0x2f, 0xff, 0xff,		/* FDT V=2, max id */
		0xc1, 0x03, 0x00, 0x00,		/* CENC gzip */
		0xc2, 0x12, 0x34, 0x56,		/* TOL24 */
		0x43, 0x02, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, /* TOL48 */
		0xff, 0x00, 0x00, 0x00,		/* HET 255 */
	};
	uint8_t buf[MAXPKT];
	struct alc_pkt p;
	struct spec sp = { 0x10, 0xa0, 0, 0, NULL, 12, ext, sizeof(ext),
	    (const uint8_t *)"\0\1\0\2", 4, 9 };
	size_t len = spec_build(buf, &sp);

	REQUIRE(alc_parse(buf, len, &p) == 0);
	CHECK_EQ_U(p.n_unknown_ext, 3);
	CHECK_EQ_U(p.has_fdt, 1);
	CHECK_EQ_U(p.fdt_version, 2);
	CHECK_EQ_U(p.fdt_instance, 0xfffff);
	CHECK_EQ_U(p.has_cenc, 1);
	CHECK_EQ_U(p.cenc, ALC_CENC_GZIP);
	CHECK_EQ_U(p.has_tol, 1);
	CHECK_EQ_U(p.tol, 0x123456789abcULL);
	CHECK_EQ_U(p.has_fti, 0);
	CHECK_EQ_U(p.has_time, 0);
	CHECK_EQ_U(p.hdr_len, 16 + sizeof(ext));
	CHECK_EQ_U(p.sbn, 1);
	CHECK_EQ_U(p.esi, 2);
	CHECK_EQ_U(p.payload_len, 9);

	/* TOL24 alone, and an EXT_TOL48 too short to hold 48 bits. */
	sp.ext = ext + 36;
	sp.ext_len = 4;
	len = spec_build(buf, &sp);
	REQUIRE(alc_parse(buf, len, &p) == 0);
	CHECK_EQ_U(p.tol, 0x123456);
	sp.ext = (const uint8_t *)"\x43\x01\x00\x00";
	len = spec_build(buf, &sp);
	CHECK(alc_parse(buf, len, &p) == ALC_EEXT);
}

/*
 * Single-byte changes to the worked example (16 bytes of payload) and the
 * error each must give.
 */
static void
test_hostile_header(void)
{
	static const struct {
		size_t	off;
		uint8_t	val;
		int	rc;
	} t[] = {
		{ 0, 0x00, ALC_EVERSION },
		{ 0, 0x20, ALC_EVERSION },
		{ 0, 0xf0, ALC_EVERSION },
		{ 1, 0x20, ALC_ENOID },		/* S=0: no TSI */
		{ 1, 0x80, ALC_ENOID },		/* O=0: no TOI */
		{ 1, 0x00, ALC_ENOID },
		{ 2, 0, ALC_EHDRLEN },
		{ 2, 3, ALC_EHDRLEN },		/* < CCI+TSI+TOI */
		{ 2, 6, ALC_EEXT },		/* EXT_FTI overruns */
		{ 2, 8, ALC_EEXT },
		{ 2, 10, ALC_EEXT },		/* FPI read as HEL 0 ext */
		{ 2, 14, ALC_EEXT },		/* header = whole packet */
		{ 2, 15, ALC_ETRUNC },		/* past the packet */
		{ 2, 255, ALC_ETRUNC },
		{ 21, 0, ALC_EEXT },		/* FTI HEL 0 */
		{ 21, 5, ALC_EEXT },		/* FTI overruns */
		{ 21, 3, ALC_EEXT },		/* leftover: HEL 0 */
		{ 21, 2, ALC_EEXT },		/* same, two words left */
		{ 16, 0x40, ALC_EEXT },	/* variable, HEL 16 */
		{ 3, 3, ALC_EFEI },
		{ 2, 4, 0 },			/* no extensions: legal */
		{ 2, 5, 0 },			/* only EXT_FDT: legal */
	};
	uint8_t buf[MAXPKT], *copy;
	struct alc_pkt p;
	size_t i, len;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		len = example_build(buf, 16);
		buf[t[i].off] = t[i].val;
		rc = parse_exact(buf, len, &p, &copy);
		if (rc != t[i].rc)
			fprintf(stderr, "case %zu: rc %d want %d\n", i, rc,
			    t[i].rc);
		CHECK(rc == t[i].rc);
		if (rc == 0)
			CHECK_EQ_U(p.hdr_len + p.fpi_len + p.payload_len, len);
		free(copy);
	}
	CHECK(alc_parse(NULL, 0, &p) == ALC_ETRUNC);
}

/*
 * Every prefix of a valid packet must fail cleanly, or parse with the
 * payload cut short, in exactly the way HDR_LEN predicts.
 */
static void
truncate_all(const uint8_t *full, size_t len, size_t hdr, size_t fpi,
    int dataless_ok)
{
	struct alc_pkt p;
	uint8_t *copy;
	size_t l;
	int rc, want;

	for (l = 0; l < len; l++) {
		rc = parse_exact(full, l, &p, &copy);
		if (l < hdr)
			want = ALC_ETRUNC;
		else if (l == hdr && dataless_ok)
			want = 0;
		else if (l < hdr + fpi)
			want = ALC_EFPI;
		else
			want = 0;
		CHECK_EQ_U(rc, want);
		if (rc == 0 && l >= hdr + fpi) {
			CHECK(p.payload == copy + hdr + fpi);
			CHECK_EQ_U(p.payload_len, l - hdr - fpi);
		}
		free(copy);
	}
}

static void
test_truncation(void)
{
	static const uint8_t ids[] = {		/* C=3, S=1 O=3 H=1 */
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		0, 0, 0, 0, 0, 1,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	};
	static const uint8_t ext[] = {
		/* EXT_TIME */
		0x02, 0x03, 0xc0, 0x00, 1, 2, 3, 4, 5, 6, 7, 8,
		0x44, 0x04, 0, 1, 0, 2, 0, 3, 0, 4, 0, 3,	/* NACI */
		'S', 'E', 'S', 0,
		0xc0, 0x10, 0x00, 0x01,				/* FDT */
	};
	uint8_t buf[MAXPKT];
	struct spec sp = { 0x1c, 0xf0, 128, 0, ids, sizeof(ids), ext,
	    sizeof(ext), (const uint8_t *)"\0\0\0\1\0\0\0\2", 8, 50 };
	size_t len;

	len = example_build(buf, 100);
	truncate_all(buf, len, 36, 4, 0);

	len = spec_build(buf, &sp);
	truncate_all(buf, len, 4 + sizeof(ids) + sizeof(ext), 8, 0);

	/* With B set, the bare header is a legal data-less packet. */
	buf[1] |= 0x01;
	truncate_all(buf, len, 4 + sizeof(ids) + sizeof(ext), 8, 1);
}

/* A data-less close packet: header only, no FEC Payload ID. */
static void
test_dataless(void)
{
	uint8_t buf[MAXPKT];
	struct alc_pkt p;

	example_build(buf, 0);
	buf[1] |= 0x02;				/* A */
	REQUIRE(alc_parse(buf, 36, &p) == 0);
	CHECK_EQ_U(p.close_session, 1);
	CHECK_EQ_U(p.fpi_len, 0);
	CHECK_EQ_U(p.payload_len, 0);
	CHECK(p.payload == buf + 36);
	/* Partial FEC Payload IDs stay errors even with A set. */
	CHECK(alc_parse(buf, 38, &p) == ALC_EFPI);
	buf[1] &= (uint8_t)~0x02;
	CHECK(alc_parse(buf, 36, &p) == ALC_EFPI);
}

static uint64_t
rnd(uint64_t *s)
{
	/* xorshift64*, deterministic for a fixed seed. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* Invariants any successful parse must satisfy. */
static int
fuzz_consistent(const uint8_t *b, size_t len, const struct alc_pkt *p)
{
	struct fec_oti oti;
	int rc;

	if (p->version != 1 || p->hdr_len > len || p->hdr_len < 12)
		return 0;
	if (p->payload != b + p->hdr_len + p->fpi_len ||
	    p->hdr_len + p->fpi_len + p->payload_len != len)
		return 0;
	if (p->has_fti && (p->fti < b + 12 ||
	    p->fti + p->fti_len > b + p->hdr_len))
		return 0;
	if (p->has_naci && (p->naci_name < b ||
	    p->naci_name + p->naci_name_len > b + p->hdr_len))
		return 0;
	if (p->fdt_instance > 0xfffff)
		return 0;
	if (p->has_fti) {
		rc = fec_oti_parse(p->codepoint, p->fti, p->fti_len, &oti);
		if (rc != 0 && rc != FEC_EINVAL && rc != FEC_EUNSUP)
			return 0;
		if (rc == 0 && p->codepoint == 6 &&
		    (oti.al == 0 || oti.symbol_len % oti.al != 0))
			return 0;
	}
	return 1;
}

/*
 * 100,000 seeded iterations: half random bytes that mostly pass the
 * version check, half mutations of a valid packet with extensions.
 * Each input sits in an exact-size heap buffer so ASan sees over-reads.
 */
static void
test_fuzz(void)
{
	uint8_t base[MAXPKT], buf[MAXPKT], *copy;
	struct alc_pkt p;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	size_t baselen, len, j;
	unsigned n_ok = 0, n_bad = 0, i, k;
	int rc;

	baselen = example_build(base, 60);
	for (i = 0; i < 100000; i++) {
		if (i & 1) {
			len = rnd(&seed) % 120;
			for (j = 0; j < len; j++)
				buf[j] = (uint8_t)rnd(&seed);
			if (len > 2 && (rnd(&seed) & 3) != 0) {
				buf[0] = (uint8_t)(0x10 | (buf[0] & 0x0f));
				buf[2] = (uint8_t)(rnd(&seed) % 20);
			}
		} else {
			memcpy(buf, base, baselen);
			len = baselen - rnd(&seed) % 30;
			for (k = rnd(&seed) % 4 + 1; k > 0; k--)
				buf[rnd(&seed) % 40] = (uint8_t)rnd(&seed);
		}
		rc = parse_exact(buf, len, &p, &copy);
		if (rc > 0 || rc < -ALC_ENERR)
			n_bad++;
		else if (rc == 0 && !fuzz_consistent(copy, len, &p))
			n_bad++;
		else if (rc == 0)
			n_ok++;
		if (strcmp(alc_strerror(rc), "unknown") == 0)
			n_bad++;
		free(copy);
	}
	CHECK_EQ_U(n_bad, 0);
	/* The fuzzer must reach the success path, not only errors. */
	CHECK(n_ok > 1000);
}

static void
test_strerror(void)
{
	static const struct {
		int		err;
		const char	*name;
	} t[] = {
		{ ALC_ETRUNC, "truncated" },
		{ ALC_EVERSION, "version" },
		{ ALC_EHDRLEN, "hdr_len" },
		{ ALC_EEXT, "extension" },
		{ ALC_ENOID, "no_tsi_toi" },
		{ ALC_EFEI, "unknown_fec" },
		{ ALC_EFPI, "fec_payload_id" },
	};
	size_t i;

	CHECK_EQ_U(sizeof(t) / sizeof(t[0]), ALC_ENERR);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *s = alc_strerror(t[i].err);

		CHECK(strcmp(s, t[i].name) == 0);
		/* Prometheus label values we want: [a-z_] only. */
		CHECK(strspn(s, "abcdefghijklmnopqrstuvwxyz_") == strlen(s));
	}
	CHECK(strcmp(alc_strerror(-8), "unknown") == 0);
	CHECK(strcmp(alc_strerror(0), "ok") == 0);
}

static void
test_id_eq(void)
{
	struct alc_id a = { 1, 2 }, b = { 1, 2 }, c = { 0, 2 }, d = { 1, 3 };

	CHECK(alc_id_eq(a, b));
	CHECK(!alc_id_eq(a, c));
	CHECK(!alc_id_eq(a, d));
}

TEST_MAIN(
	TEST(test_worked_example),
	TEST(test_ids),
	TEST(test_cci),
	TEST(test_flags),
	TEST(test_fpi_layouts),
	TEST(test_unknown_codepoint),
	TEST(test_ext_time),
	TEST(test_ext_naci),
	TEST(test_ext_misc),
	TEST(test_hostile_header),
	TEST(test_truncation),
	TEST(test_dataless),
	TEST(test_fuzz),
	TEST(test_strerror),
	TEST(test_id_eq),
)
