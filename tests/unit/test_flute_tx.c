/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_flute_tx.c: the sender's packet and FDT builders, checked with the
 * receiver's own parsers (alc_parse, fec_oti_parse, fec_*, fdt_parse):
 * every header field of every packet of objects of 0, 1, 1427, 1428,
 * 1429 and 3,000,000 bytes, in order and shuffled; FDT instances that
 * round-trip, in batches, with escaping; 20-bit instance wrap; field
 * limits; the permutation; and the pure helpers (locations, content
 * types, rates, HLS playlists) with good and hostile input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/md5.h>

#include "test.h"
#include "../../carousel/alc.h"
#include "../../carousel/fdt.h"
#include "../../carousel/fec.h"
#include "../../daemon/util.h"
#include "../../carousel/flute_tx.h"

#define E	FTX_SYMBOL_LEN
#define B	FTX_MAX_SBL
#define PKTMAX	2048
#define IPV4_UDP 28
#define HDR_NO_NACI 40	/* LCT + EXT_FDT + EXT_FTI + FPI */

static const uint64_t sizes[] = { 0, 1, 1427, 1428, 1429, 3000000 };
#define NSIZES	(sizeof(sizes) / sizeof(sizes[0]))

static uint64_t rng_state = 0x1234567887654321ull;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint8_t *
make_content(uint64_t len)
{
	uint8_t *p = malloc(len + 1);
	uint64_t i;

	for (i = 0; p != NULL && i < len; i++)
		p[i] = (uint8_t)(rng() >> 56);
	return p;
}

/* What a receiver learns from one object's packets. */
struct seen {
	uint8_t		*bitmap;	/* one byte per source symbol */
	uint64_t	payload;	/* bytes */
	uint64_t	npk;
	uint64_t	nclose;
	uint64_t	last_close;	/* index of the packet with B */
	uint64_t	nfti;
	uint64_t	first_esi;	/* to tell shuffled from ordered */
	int		bad;
};

/* Check one data packet as the receiver would see it. */
static void
check_data_packet(const uint8_t *pkt, size_t len, uint32_t tsi,
    uint32_t toi, const uint8_t *obj, uint64_t olen,
    const struct fec_part *rp, struct seen *s)
{
	struct alc_pkt a;
	struct fec_oti oti;
	uint64_t off, idx;

	REQUIRE(alc_parse(pkt, len, &a) == 0);
	CHECK(len <= 1500 - IPV4_UDP);
	CHECK_EQ_U(a.version, 1);
	CHECK_EQ_U(a.codepoint, 0);
	CHECK_EQ_U(a.tsi_len, 4);
	CHECK_EQ_U(a.toi_len, 4);
	CHECK_EQ_U(a.tsi.lo, tsi);
	CHECK_EQ_U(a.toi.lo, toi);
	CHECK(a.tsi.hi == 0 && a.toi.hi == 0);
	CHECK(!a.has_fdt && !a.close_session && a.fpi_len == 4);
	if (a.has_fti) {
		s->nfti++;
		REQUIRE(fec_oti_parse(0, a.fti, a.fti_len, &oti) == 0);
		CHECK_EQ_U(oti.transfer_len, olen);
		CHECK_EQ_U(oti.symbol_len, E);
		CHECK_EQ_U(oti.max_sbl, B);
	}
	if (a.close_object) {
		s->nclose++;
		s->last_close = s->npk;
	}
	if (s->npk++ == 0)
		s->first_esi = a.esi;
	s->payload += a.payload_len;
	if (olen == 0) {
		CHECK(a.sbn == 0 && a.esi == 0 && a.payload_len == 0);
		return;
	}
	REQUIRE(a.sbn < rp->n && a.esi < fec_block_len(rp, a.sbn));
	off = fec_symbol_offset(rp, a.sbn, a.esi);
	idx = fec_symbol_index(rp, a.sbn, a.esi);
	CHECK_EQ_U(a.payload_len, fec_symbol_size(rp, a.sbn, a.esi));
	CHECK(off + a.payload_len <= olen);
	CHECK(memcmp(a.payload, obj + off, a.payload_len) == 0);
	REQUIRE(idx < rp->t);
	s->bitmap[idx]++;
}

/* Send one object through the builders and check every packet. */
static void
check_object(uint64_t olen, int shuffle)
{
	static uint8_t pkt[PKTMAX];
	struct ftx_object o;
	struct fec_part rp;
	struct ftx_pkt h;
	struct ftx_sym sym;
	struct seen s;
	uint8_t *obj = make_content(olen);
	uint32_t tsi = 0x81020304u, toi = 0xfedc0000u + (uint32_t)olen;
	uint64_t i;
	int len;

	memset(&s, 0, sizeof(s));
	REQUIRE(obj != NULL);
	REQUIRE(ftx_object_init(&o, tsi, toi, olen, E, B) == 0);
	o.fti_first = 1;
	if (shuffle)
		ftx_object_shuffle(&o, 42);
	/* The receiver partitions on its own, from L, E and B only. */
	REQUIRE(fec_partition(olen, E, B, &rp) == 0);
	s.bitmap = calloc(rp.t + 1, 1);
	REQUIRE(s.bitmap != NULL);
	CHECK_EQ_U(o.npk, olen == 0 ? 1 : rp.t);
	for (i = 0; i < o.npk; i++) {
		REQUIRE(ftx_object_packet(&o, i, &h, &sym) == 0);
		len = ftx_build_packet(&h, obj + sym.offset, sym.size, pkt,
		    sizeof(pkt));
		REQUIRE(len > 0);
		check_data_packet(pkt, (size_t)len, tsi, toi, obj, olen, &rp,
		    &s);
	}
	CHECK(ftx_object_packet(&o, o.npk, &h, &sym) < 0);
	CHECK_EQ_U(s.payload, olen);
	CHECK_EQ_U(s.nclose, 1);
	CHECK_EQ_U(s.last_close, o.npk - 1);
	CHECK_EQ_U(s.nfti, 1);
	for (i = 0; i < rp.t; i++)
		if (s.bitmap[i] != 1)
			s.bad++;
	CHECK_EQ_U(s.bad, 0);
	if (!shuffle)
		CHECK_EQ_U(s.first_esi, 0);
	free(s.bitmap);
	free(obj);
}

static void
test_object_packets(void)
{
	size_t i;

	for (i = 0; i < NSIZES; i++) {
		check_object(sizes[i], 0);
		check_object(sizes[i], 1);
	}
}

/* Shuffled order really differs from the sequential order. */
static void
test_shuffle_order(void)
{
	struct ftx_object a, b;
	struct ftx_pkt h;
	struct ftx_sym sa, sb;
	uint64_t i, moved = 0;

	REQUIRE(ftx_object_init(&a, 1, 1, 3000000, E, B) == 0);
	REQUIRE(ftx_object_init(&b, 1, 1, 3000000, E, B) == 0);
	ftx_object_shuffle(&b, 7);
	for (i = 0; i < a.npk; i++) {
		ftx_object_packet(&a, i, &h, &sa);
		ftx_object_packet(&b, i, &h, &sb);
		moved += sa.offset != sb.offset;
	}
	CHECK(moved > a.npk / 2);
}

/* MD5 of a buffer, as nipcast announces it. */
static const char *const locs[NSIZES] = {
	"http://dvb.gw/empty.bin",
	"http://dvb.gw/a&b/\"q\"<x>'y'.ts",
	"http://dvb.gw/live/seg1427.m4s",
	"relative/index.m3u8",
	"http://dvb.gw/%20x.mp4",
	"http://dvb.gw/big/file.bin",
};

static void
fill_files(struct ftx_file *f, uint8_t **content)
{
	size_t i;

	for (i = 0; i < NSIZES; i++) {
		memset(&f[i], 0, sizeof(f[i]));
		content[i] = make_content(sizes[i]);
		f[i].toi = (uint32_t)(i + 1) * 1000003u;
		f[i].location = locs[i];
		f[i].content_len = sizes[i];
		f[i].transfer_len = sizes[i] / 2;
		f[i].content_type = ftx_content_type(locs[i]);
		f[i].content_encoding = i == 2 ? "gzip" : NULL;
		f[i].has_md5 = i != 1;
		f[i].max_sbl = i == 5 ? 128 : 0;
		util_md5(content[i], sizes[i], f[i].md5);
	}
}

/* The XML round-trips through the receiver's FDT parser. */
static void
check_fdt_xml(const char *xml, size_t len, const struct ftx_file *f,
    size_t n, uint32_t expires)
{
	struct fdt *d = NULL;
	size_t i, skipped = 1;

	REQUIRE(fdt_parse(xml, len, &d, &skipped) == 0);
	CHECK_EQ_U(skipped, 0);
	CHECK_EQ_U(d->expires, expires);
	REQUIRE(d->nfiles == n);
	for (i = 0; i < n; i++) {
		const struct fdt_file *g = &d->files[i];

		CHECK_EQ_U(g->toi.lo, f[i].toi);
		CHECK(strcmp(g->location, f[i].location) == 0);
		CHECK_EQ_U(g->content_length, f[i].content_len);
		CHECK(g->transfer_length == (f[i].content_encoding ?
		    (int64_t)f[i].transfer_len : -1));
		CHECK((g->content_type == NULL) == (f[i].content_type == NULL));
		if (g->content_type && f[i].content_type)
			CHECK(strcmp(g->content_type, f[i].content_type) == 0);
		CHECK((g->content_encoding != NULL) ==
		    (f[i].content_encoding != NULL));
		CHECK_EQ_U(g->has_md5, f[i].has_md5);
		if (f[i].has_md5)
			CHECK(memcmp(g->md5, f[i].md5, 16) == 0);
		CHECK_EQ_U(g->oti.fei, 0);
		CHECK_EQ_U(g->oti.symbol_len, E);
		CHECK_EQ_U(g->oti.max_sbl, f[i].max_sbl ? f[i].max_sbl : B);
	}
	fdt_free(d);
}

/* Packetize an FDT instance and reassemble it from alc_parse output. */
static void
check_fdt_packets(const char *xml, size_t len, uint32_t instance)
{
	static uint8_t pkt[PKTMAX];
	char *back = calloc(len + 1, 1);
	struct ftx_object o;
	struct fec_part rp;
	struct fec_oti oti;
	struct alc_pkt a;
	struct ftx_pkt h;
	struct ftx_sym sym;
	uint64_t i, got = 0;
	int n;

	REQUIRE(back != NULL);
	REQUIRE(ftx_object_init(&o, 7, 0, len, E, B) == 0);
	ftx_object_fdt(&o, instance);
	REQUIRE(fec_partition(len, E, B, &rp) == 0);
	for (i = 0; i < o.npk; i++) {
		REQUIRE(ftx_object_packet(&o, i, &h, &sym) == 0);
		n = ftx_build_packet(&h, (const uint8_t *)xml + sym.offset,
		    sym.size, pkt, sizeof(pkt));
		REQUIRE(n > 0 && n <= 1500 - IPV4_UDP);
		REQUIRE(alc_parse(pkt, (size_t)n, &a) == 0);
		CHECK(a.toi.lo == 0 && a.tsi.lo == 7 && !a.close_object);
		CHECK(a.has_fdt && a.fdt_version == 1);
		CHECK_EQ_U(a.fdt_instance, instance % FTX_INSTANCE_MOD);
		REQUIRE(a.has_fti);
		REQUIRE(fec_oti_parse(0, a.fti, a.fti_len, &oti) == 0);
		CHECK_EQ_U(oti.transfer_len, len);
		memcpy(back + fec_symbol_offset(&rp, a.sbn, a.esi), a.payload,
		    a.payload_len);
		got += a.payload_len;
	}
	CHECK_EQ_U(got, len);
	CHECK(memcmp(back, xml, len) == 0);
	free(back);
}

static void
test_fdt_roundtrip(void)
{
	struct ftx_fdt_params p = { 3979630922u, E, B, 0 };
	struct ftx_file f[NSIZES];
	uint8_t *content[NSIZES];
	char *xml = malloc(65536);
	size_t i, nout = 0;
	int len;

	REQUIRE(xml != NULL);
	fill_files(f, content);
	len = ftx_fdt_build(&p, f, NSIZES, xml, 65536, &nout);
	REQUIRE(len > 0);
	CHECK_EQ_U(nout, NSIZES);
	CHECK_EQ_U(strlen(xml), (size_t)len);
	CHECK(strstr(xml, "urn:IETF:metadata:2005:FLUTE:FDT") != NULL);
	check_fdt_xml(xml, (size_t)len, f, NSIZES, p.expires);
	check_fdt_packets(xml, (size_t)len, 0xfffff);
	check_fdt_packets(xml, (size_t)len, 3);
	for (i = 0; i < NSIZES; i++)
		free(content[i]);
	free(xml);
}

/* A big carousel is announced in batches that each fit and parse. */
static void
test_fdt_batches(void)
{
	struct ftx_fdt_params p = { 1, E, B, 1 };
	static struct ftx_file f[500];
	static char names[500][64];
	char xml[8192];
	size_t i, done = 0, batches = 0, nout;
	int len;

	for (i = 0; i < 500; i++) {
		snprintf(names[i], sizeof(names[i]), "http://dvb.gw/f%zu.ts",
		    i);
		memset(&f[i], 0, sizeof(f[i]));
		f[i].toi = (uint32_t)i + 1;
		f[i].location = names[i];
		f[i].content_len = i * 1000;
		f[i].content_type = "video/mp2t";
		f[i].has_md5 = 1;
	}
	while (done < 500) {
		len = ftx_fdt_build(&p, f + done, 500 - done, xml, sizeof(xml),
		    &nout);
		REQUIRE(len > 0 && (size_t)len < sizeof(xml));
		REQUIRE(nout > 0);
		check_fdt_xml(xml, (size_t)len, f + done, nout, 1);
		check_fdt_packets(xml, (size_t)len, (uint32_t)batches);
		done += nout;
		batches++;
	}
	CHECK(batches > 1);
	CHECK_EQ_U(done, 500);
	/* Room for the instance but not one File: refused. */
	CHECK(ftx_fdt_build(&p, f, 1, xml, 300, &nout) < 0);
	CHECK(ftx_fdt_build(&p, f, 1, xml, 10, &nout) < 0);
	CHECK(ftx_fdt_build(&p, f, 0, xml, sizeof(xml), &nout) > 0);
	CHECK_EQ_U(nout, 0);
}

static void
test_instance_wrap(void)
{
	struct ftx_pkt h = { .has_fdt = 1, .fdt_instance = 0xfffff };
	struct ftx_object o;
	struct alc_pkt a;
	uint8_t pkt[64];
	int n;

	CHECK_EQ_U(ftx_instance_next(0xfffff), 0);
	CHECK_EQ_U(ftx_instance_next(0), 1);
	CHECK_EQ_U(ftx_instance_next(0x7ffff), 0x80000);
	n = ftx_write_header(&h, pkt, sizeof(pkt));
	REQUIRE(n > 0 && alc_parse(pkt, (size_t)n, &a) == 0);
	CHECK_EQ_U(a.fdt_instance, 0xfffff);
	h.fdt_instance = FTX_INSTANCE_MOD;
	CHECK(ftx_write_header(&h, pkt, sizeof(pkt)) < 0);
	REQUIRE(ftx_object_init(&o, 1, 0, 10, E, B) == 0);
	ftx_object_fdt(&o, FTX_INSTANCE_MOD + 5);
	CHECK_EQ_U(o.hdr.fdt_instance, 5);
}

/* Header lengths, flags and every width limit. */
static void
test_header_limits(void)
{
	struct ftx_pkt h = { .tsi = 1, .toi = 2, .close_session = 1 };
	uint8_t pkt[PKTMAX], pay[E];
	struct alc_pkt a;
	int n;

	memset(pay, 0xab, sizeof(pay));
	CHECK_EQ_U(ftx_header_len(&h), 20);
	h.has_fti = 1;
	CHECK_EQ_U(ftx_header_len(&h), 36);
	h.has_fdt = 1;
	CHECK_EQ_U(ftx_header_len(&h), HDR_NO_NACI);
	/* The largest header without NACI still fits IPv4 + UDP in 1500. */
	CHECK(IPV4_UDP + HDR_NO_NACI + E <= 1500);
	n = ftx_build_packet(&h, pay, E, pkt, sizeof(pkt));
	REQUIRE(n == HDR_NO_NACI + E);
	REQUIRE(alc_parse(pkt, (size_t)n, &a) == 0);
	CHECK(a.close_session && !a.close_object);
	CHECK_EQ_U(a.hdr_len, HDR_NO_NACI - 4);
	CHECK(ftx_write_header(&h, pkt, HDR_NO_NACI - 1) < 0);
	CHECK(ftx_build_packet(&h, pay, E, pkt, HDR_NO_NACI + E - 1) < 0);
	h.sbn = 0x10000;
	CHECK(ftx_write_header(&h, pkt, sizeof(pkt)) < 0);
	h.sbn = 0xffff;
	h.esi = 0x10000;
	CHECK(ftx_write_header(&h, pkt, sizeof(pkt)) < 0);
	h.esi = 0xffff;
	h.transfer_len = FTX_MAX_TRANSFER + 1;
	CHECK(ftx_write_header(&h, pkt, sizeof(pkt)) < 0);
	h.transfer_len = FTX_MAX_TRANSFER;
	n = ftx_write_header(&h, pkt, sizeof(pkt));
	REQUIRE(n > 0 && alc_parse(pkt, (size_t)n, &a) == 0);
	CHECK(a.sbn == 0xffff && a.esi == 0xffff && a.payload_len == 0);
}

/* Objects too big for SBN16 with B: a larger B, or refusal. */
static void
test_block_limits(void)
{
	struct ftx_object o;
	uint64_t big = 65537ull * B * E;

	CHECK_EQ_U(ftx_block_for(0, B), B);
	CHECK_EQ_U(ftx_block_for(65536ull * B, B), B);
	CHECK_EQ_U(ftx_block_for(65536ull * B + 1, B), B + 1);
	CHECK_EQ_U(ftx_block_for(1ull << 32, B), 65536);
	CHECK_EQ_U(ftx_block_for((1ull << 32) + 1, B), 0);
	CHECK(ftx_object_init(&o, 1, 1, big, E, B) < 0);
	REQUIRE(ftx_object_init(&o, 1, 1, big, E,
	    ftx_block_for((big + E - 1) / E, B)) == 0);
	CHECK(o.part.n <= 0x10000);
	CHECK(ftx_object_init(&o, 1, 1, 10, 0, B) < 0);
	CHECK(ftx_object_init(&o, 1, 1, 10, E, 0) < 0);
	CHECK(ftx_object_init(&o, 1, 1, FTX_MAX_TRANSFER + 1, 65000,
	    65535) < 0);
}

static void
test_perm(void)
{
	static const uint64_t ns[] = { 0, 1, 2, 3, 7, 64, 1000, 4097, 100003 };
	struct ftx_perm p, q;
	uint8_t *seen;
	size_t i;
	uint64_t j, x, same;

	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		seen = calloc(ns[i] + 1, 1);
		REQUIRE(seen != NULL);
		ftx_perm_init(&p, ns[i], i);
		for (j = 0; j < ns[i]; j++) {
			x = ftx_perm_at(&p, j);
			REQUIRE(x < ns[i]);
			seen[x]++;
		}
		for (j = 0; j < ns[i]; j++)
			CHECK_EQ_U(seen[j], 1);
		free(seen);
	}
	ftx_perm_init(&p, 1000, 1);
	ftx_perm_init(&q, 1000, 2);
	for (j = 0, same = 0; j < 1000; j++)
		same += ftx_perm_at(&p, j) == ftx_perm_at(&q, j);
	CHECK(same < 50);
	ftx_perm_init(&q, 1000, 1);
	for (j = 0, same = 0; j < 1000; j++)
		same += ftx_perm_at(&p, j) == ftx_perm_at(&q, j);
	CHECK_EQ_U(same, 1000);
}

static void
test_location(void)
{
	static const struct {
		const char *base, *rel, *want;
	} t[] = {
		{ "http://dvb.gw/", "a/b.ts", "http://dvb.gw/a/b.ts" },
		{ "http://dvb.gw", "a.ts", "http://dvb.gw/a.ts" },
		{ "http://dvb.gw/x/", "/lead.ts", "http://dvb.gw/x/lead.ts" },
		{ "", "rel/p.m3u8", "rel/p.m3u8" },
		{ "h/", "sp ace%#?.ts", "h/sp%20ace%25%23%3F.ts" },
		{ "http://h/", "a&b=c;d@e:f~g", "http://h/a&b=c;d@e:f~g" },
		{ "http://h/", "\xc3\xa9t\xc3\xa9", "http://h/%C3%A9t%C3%A9" },
		{ "http://h/", "x\"<>\\y", "http://h/x%22%3C%3E%5Cy" },
	};
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK(ftx_location(t[i].base, t[i].rel, out, sizeof(out)) ==
		    (int)strlen(t[i].want));
		CHECK(strcmp(out, t[i].want) == 0);
	}
	CHECK(ftx_location("http://dvb.gw/", "abc", out, 17) < 0);
	CHECK(ftx_location("http://dvb.gw/", "abc", out, 18) == 17);
	CHECK(ftx_location("http://dvb.gw/", "   ", out, 20) < 0);
}

static void
test_content_type(void)
{
	static const struct {
		const char *name, *want;
	} t[] = {
		{ "live/index.m3u8", "application/vnd.apple.mpegurl" },
		{ "SEG.TS", "video/mp2t" },
		{ "a/b/c.m4s", "video/iso.segment" },
		{ "init.mp4", "video/mp4" },
		{ "x.mpd", "application/dash+xml" },
		{ "sub.vtt", "text/vtt" },
		{ "noext", NULL },
		{ "dir.ts/noext", NULL },
		{ "trailing.", NULL },
		{ "weird.xyz", NULL },
	};
	const char *got;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		got = ftx_content_type(t[i].name);
		CHECK((got == NULL) == (t[i].want == NULL));
		if (got != NULL && t[i].want != NULL)
			CHECK(strcmp(got, t[i].want) == 0);
	}
}

static void
test_parse_rate(void)
{
	static const struct {
		const char	*s;
		uint64_t	want;
	} good[] = {
		{ "0", 0 }, { "20M", 20000000 }, { "1.2G", 1200000000 },
		{ "500k", 500000 }, { "1500", 1500 }, { "2.5m", 2500000 },
		{ "0.000000001G", 1 }, { "18446744073709551615", UINT64_MAX },
		{ ".5M", 500000 },
	};
	static const char *const bad[] = {
		"", "M", "-1", "1.2.3", "10X", "10MM", "1e9", " 5", "5 ",
		"18446744073709551616", "18446744073709552G", ".",
		"18446744073.9G",
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 12345;
		CHECK(ftx_parse_rate(good[i].s, &v) == 0);
		CHECK_EQ_U(v, good[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(ftx_parse_rate(bad[i], &v) < 0);
}

static const char media_pl[] =
	"#EXTM3U\r\n#EXT-X-VERSION:7\r\n#EXT-X-TARGETDURATION:2\r\n"
	"#EXT-X-MAP:URI=\"init_0.mp4\",BYTERANGE=\"700@0\"\r\n"
	"#EXT-X-KEY:METHOD=AES-128,URI=\"k,ey.bin\",IV=0x1\r\n"
	"#EXTINF:2.000,\r\nseg_1.m4s\r\n\r\n# a comment\r\n"
	"#EXTINF:2.000,\r\nsub/seg_2.m4s?x=1\r\n"
	"#EXT-X-KEY:METHOD=NONE\r\n"
	"#EXTINF:2.000,\r\nlast.ts";

static const char master_pl[] =
	"#EXTM3U\n"
	"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en\","
	"URI=\"audio/en.m3u8\"\n"
	"#EXT-X-STREAM-INF:BANDWIDTH=800000\n"
	"v0/stream\n"
	"#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"iframe.m3u8\"\n"
	"#EXT-X-STREAM-INF:BANDWIDTH=1600000\n"
	"v1/index.m3u8\n";

struct hls_want {
	const char		*uri;
	enum ftx_hls_kind	kind;
};

static void
check_hls(const char *pl, size_t len, const struct hls_want *w, size_t n,
    size_t cap)
{
	char uri[256];
	enum ftx_hls_kind kind;
	size_t pos = 0, i = 0;

	while (ftx_hls_next(pl, len, &pos, uri, cap, &kind)) {
		REQUIRE(i < n);
		CHECK(strcmp(uri, w[i].uri) == 0);
		CHECK_EQ_U(kind, w[i].kind);
		i++;
	}
	CHECK_EQ_U(i, n);
	CHECK_EQ_U(pos, len);
}

static void
test_hls_next(void)
{
	static const struct hls_want media[] = {
		{ "init_0.mp4", FTX_HLS_MAP },
		{ "k,ey.bin", FTX_HLS_KEY },
		{ "seg_1.m4s", FTX_HLS_SEGMENT },
		{ "sub/seg_2.m4s?x=1", FTX_HLS_SEGMENT },
		{ "last.ts", FTX_HLS_SEGMENT },
	};
	static const struct hls_want master[] = {
		{ "audio/en.m3u8", FTX_HLS_PLAYLIST },
		{ "v0/stream", FTX_HLS_PLAYLIST },
		{ "iframe.m3u8", FTX_HLS_PLAYLIST },
		{ "v1/index.m3u8", FTX_HLS_PLAYLIST },
	};
	static const char odd[] =
	    "#EXT-X-MAP:URI=\"unterminated\n#EXT-X-MAP:BYTERANGE=1\n"
	    "#EXT-X-MAP:XURI=\"no\",URI=\"yes.mp4\"\n"
	    "averyveryverylongsegmentname.ts\nok.ts\n";
	static const struct hls_want oddw[] = {
		{ "yes.mp4", FTX_HLS_MAP },
		{ "ok.ts", FTX_HLS_SEGMENT },
	};

	check_hls(media_pl, sizeof(media_pl) - 1, media, 5, 256);
	check_hls(master_pl, sizeof(master_pl) - 1, master, 4, 256);
	/* A URI longer than the buffer is skipped, not truncated. */
	check_hls(odd, sizeof(odd) - 1, oddw, 2, 16);
	check_hls("", 0, NULL, 0, 256);
	check_hls("\n\r\n#EXTM3U", 10, NULL, 0, 256);
	/* A NUL inside a line is refused. */
	check_hls("a\0b.ts\nc.ts\n", 12, (const struct hls_want[]){
	    { "c.ts", FTX_HLS_SEGMENT } }, 1, 256);
}

/* Random bytes: never a crash, always termination, URIs NUL-free. */
static void
test_hls_hostile(void)
{
	static const char alphabet[] = "#EXT-X-MAP:URI=\",\r\n\"abc./%";
	char buf[512], uri[64];
	enum ftx_hls_kind kind;
	size_t pos, len, j;
	int i, found;

	for (i = 0; i < 2000; i++) {
		len = rng() % sizeof(buf);
		for (j = 0; j < len; j++)
			buf[j] = i & 1 ? (char)rng() :
			    alphabet[rng() % (sizeof(alphabet) - 1)];
		pos = 0;
		found = 0;
		while (ftx_hls_next(buf, len, &pos, uri, sizeof(uri), &kind)) {
			CHECK(strlen(uri) > 0 && strlen(uri) < sizeof(uri));
			CHECK(pos <= len);
			if (++found > 600)
				break;
		}
		CHECK(found <= 512);
		CHECK(pos == len);
	}
}

static void
test_hls_resolve(void)
{
	static const struct {
		const char *dir, *uri, *want;
	} t[] = {
		{ "", "seg.ts", "seg.ts" },
		{ "live/v0", "seg.ts", "live/v0/seg.ts" },
		{ "live/v0", "../init.mp4", "live/init.mp4" },
		{ "live/v0", "./a/./b/../c.ts?x=1#f", "live/v0/a/c.ts" },
		{ "live", "sp%20ace.ts", "live/sp ace.ts" },
		{ "a", "b//c.ts", "a/b/c.ts" },
		{ "", "a:b/c", NULL },
		{ "", "http://x/seg.ts", NULL },
		{ "", "skd://key", NULL },
		{ "", "/abs/seg.ts", NULL },
		{ "", "../seg.ts", NULL },
		{ "a", "../../seg.ts", NULL },
		{ "", "nul%00.ts", NULL },
		{ "", "bad%4.ts", NULL },
		{ "", "bad%zz.ts", NULL },
		{ "", "end%", NULL },
		{ "", "?only", NULL },
		{ "", "", NULL },
		{ "a", "..", NULL },
		{ "a", "b/..", "a" },
	};
	char out[64];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc = ftx_hls_resolve(t[i].dir, t[i].uri, out, sizeof(out));
		if (t[i].want == NULL) {
			CHECK(rc < 0);
		} else {
			CHECK(rc == 0);
			if (rc == 0)
				CHECK(strcmp(out, t[i].want) == 0);
		}
	}
	CHECK(ftx_hls_resolve("", "abcdefgh.ts", out, 8) < 0);
	CHECK(ftx_hls_resolve("", "abcdefg.ts", out, 11) == 0);
}

static void
test_ntp(void)
{
	/* protocols.md 3.2: 3979630922 is 2026-02-09 13:02:02 UTC. */
	CHECK_EQ_U(ftx_unix_to_ntp(3979630922ll - 2208988800ll), 3979630922u);
	CHECK_EQ_U(ftx_unix_to_ntp(0), 2208988800u);
	/* Era 1 (after 2036-02-07) wraps to small values. */
	CHECK_EQ_U(ftx_unix_to_ntp(2085978496ll + 10), 10);
}

/* Fill a NACI whose fields differ from each other and from their bytes. */
TEST_MAIN(TEST(test_object_packets), TEST(test_shuffle_order),
    TEST(test_fdt_roundtrip), TEST(test_fdt_batches),
    TEST(test_instance_wrap), TEST(test_header_limits),
    TEST(test_block_limits), TEST(test_perm), TEST(test_location),
    TEST(test_content_type), TEST(test_parse_rate), TEST(test_hls_next),
    TEST(test_hls_hostile), TEST(test_hls_resolve), TEST(test_ntp))
