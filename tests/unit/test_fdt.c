/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_fdt.c: the FDT instance parser on real FDTs (GPAC, rt-libflute),
 * every namespace variant, attribute edge values, and hostile documents:
 * entity attacks, limits, truncation and a seeded mutation loop.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../carousel/fdt.h"
#include "../../daemon/util.h"
#include "test.h"

#define EXPIRES	"3979630922"
#define SHA_EMPTY_B64	"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
#define SHA_EMPTY_HEX	\
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* FDT instance 1 of TSI 1 in gpac-mabr-hls.pcap, as sent. */
static const char gpac_fdt[] =
"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\" ?>\n"
"<FDT-Instance Expires=\"4294944000\" xmlns=\"urn:IETF:metadata:2005:FLUTE:FDT\">\n"
"<File FEC-OTI-FEC-Encoding-ID=\"0\" FEC-OTI-Maximum-Source-Block-Length=\"65535\" Content-Length=\"2670\" Transfer-Length=\"2670\" Content-Location=\"urn:dvb:metadata:cs:MulticastTransportObjectTypeCS:2021:gateway-configuration\" Content-Type=\"application/xml+dvb-mabr-session-configuration\" FEC-OTI-Encoding-Symbol-Length=\"1416\" TOI=\"1\" Content-MD5=\"I/y/rqNER3SF4ftSY3TY+Q==\"/>\n"
"<File FEC-OTI-FEC-Encoding-ID=\"0\" FEC-OTI-Maximum-Source-Block-Length=\"65535\" Content-Length=\"297\" Transfer-Length=\"297\" Content-Location=\"tag:mabr.gpac.io.2025.services.4294967295/live.m3u8\" Content-Type=\"video/mpegurl\" FEC-OTI-Encoding-Symbol-Length=\"1416\" TOI=\"2\" Content-MD5=\"pY6+Qd6/WF0hmwXgC49o2A==\"/>\n"
"<File FEC-OTI-FEC-Encoding-ID=\"0\" FEC-OTI-Maximum-Source-Block-Length=\"65535\" Content-Length=\"947\" Transfer-Length=\"947\" Content-Location=\"tag:mabr.gpac.io.2025.services.4294967295/src_dash_track1_init.mp4\" Content-Type=\"video/mp4\" FEC-OTI-Encoding-Symbol-Length=\"1416\" TOI=\"3\" Content-MD5=\"BXeA9/PZ8NB5uxhbAt9vjQ==\"/>\n"
"<File FEC-OTI-FEC-Encoding-ID=\"0\" FEC-OTI-Maximum-Source-Block-Length=\"65535\" Content-Length=\"176\" Transfer-Length=\"176\" Content-Location=\"tag:mabr.gpac.io.2025.services.4294967295/live_1.m3u8\" Content-Type=\"application/vnd.apple.mpegURL\" FEC-OTI-Encoding-Symbol-Length=\"1416\" TOI=\"4\" Content-MD5=\"0+IqnQlrhk713ABsP/9FYg==\"/>\n"
"<File FEC-OTI-FEC-Encoding-ID=\"0\" FEC-OTI-Maximum-Source-Block-Length=\"65535\" Content-Length=\"871\" Transfer-Length=\"871\" Content-Location=\"tag:mabr.gpac.io.2025.services.4294967295/src_dash_track2_init.mp4\" Content-Type=\"video/mp4\" FEC-OTI-Encoding-Symbol-Length=\"1416\" TOI=\"5\" Content-MD5=\"wNym3qOZOAwQ/ChU9QJDZg==\"/>\n"
"<File FEC-OTI-FEC-Encoding-ID=\"0\" FEC-OTI-Maximum-Source-Block-Length=\"65535\" Content-Length=\"180\" Transfer-Length=\"180\" Content-Location=\"tag:mabr.gpac.io.2025.services.4294967295/live_2.m3u8\" Content-Type=\"application/vnd.apple.mpegURL\" FEC-OTI-Encoding-Symbol-Length=\"1416\" TOI=\"6\" Content-MD5=\"Dt6vghfSEH3Jbm0ivpyrpg==\"/>\n"
"</FDT-Instance>\n";

/* FDT instance 7 of libflute-hls.pcap, as sent (instance-level OTI). */
static const char libflute_fdt[] =
"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
"<FDT-Instance xmlns=\"urn:IETF:metadata:2005:FLUTE:FDT\" Expires=\"4004243277\" FEC-OTI-FEC-Encoding-ID=\"0\" FEC-OTI-Maximum-Source-Block-Length=\"64\" FEC-OTI-Encoding-Symbol-Length=\"1436\" xmlns:mbms2007=\"urn:3GPP:metadata:2007:MBMS:FLUTE:FDT\" xmlns:mbms2012=\"urn:3GPP:metadata:2012:MBMS:FLUTE:FDT\">\n"
"    <File TOI=\"1\" Content-Location=\"index.m3u8\" Content-Length=\"159\" Transfer-Length=\"159\" Content-MD5=\"o/ljKptk5wsGFIZiLGCf/A==\" Content-Type=\"application/octet-stream\"/>\n"
"    <File TOI=\"2\" Content-Location=\"seg1.m4s\" Content-Length=\"300000\" Transfer-Length=\"300000\" Content-MD5=\"pzg3rYjYvsYsCrZ+j1dLvA==\" Content-Type=\"application/octet-stream\"/>\n"
"    <File TOI=\"3\" Content-Location=\"seg2.m4s\" Content-Length=\"300000\" Transfer-Length=\"300000\" Content-MD5=\"1JIk5QBYqFGgj9kvQ6XgWA==\" Content-Type=\"application/octet-stream\"/>\n"
"    <File TOI=\"4\" Content-Location=\"seg3.m4s\" Content-Length=\"300000\" Transfer-Length=\"300000\" Content-MD5=\"I9tIFfk95JoEe5ycJyGRBA==\" Content-Type=\"application/octet-stream\"/>\n"
"    <File TOI=\"5\" Content-Location=\"seg4.m4s\" Content-Length=\"300000\" Transfer-Length=\"300000\" Content-MD5=\"LippTKgiG74SmE0NRWfhIA==\" Content-Type=\"application/octet-stream\"/>\n"
"    <File TOI=\"6\" Content-Location=\"seg5.m4s\" Content-Length=\"300000\" Transfer-Length=\"300000\" Content-MD5=\"Y4/4jffcINndRx0khJVsOA==\" Content-Type=\"application/octet-stream\"/>\n"
"    <File TOI=\"7\" Content-Location=\"big.txt\" Content-Length=\"1288895\" Transfer-Length=\"1288895\" Content-MD5=\"DhBCah1b3f/O8C8TRXhxKA==\" Content-Type=\"application/octet-stream\"/>\n"
"</FDT-Instance>\n";

/* A richer document for truncation and mutation: every feature once. */
static const char rich_fdt[] =
"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
"<!-- a comment with > and \" and = = = -->\n"
"<ns2:FDT-Instance xmlns:ns2=\"urn:3GPP:metadata:2022:FLUTE:FDT\""
" xmlns:mbms2007=\"urn:3GPP:metadata:2007:MBMS:FLUTE:FDT\""
" xmlns:mbms2008=\"urn:3GPP:metadata:2008:MBMS:FLUTE:FDT_ext\""
" xmlns:dvb=\"urn:dvb:metadata:ExtendedFileDeliveryTable:2022\""
" Expires=\"" EXPIRES "\" Complete=\"true\" mbms2008:FullFDT=\"true\""
" Content-Type=\"video/mp4\" FEC-OTI-FEC-Encoding-ID=\"0\""
" FEC-OTI-Maximum-Source-Block-Length=\"64\""
" FEC-OTI-Encoding-Symbol-Length=\"1428\">\n"
" <ns2:File TOI=\"5192296858534827628530496329220095\""
" Content-Location=\"http://dvb.gw/a/b.m4s?x=1&amp;y=2\""
" Content-Length=\"1000\" Transfer-Length=\"600\" Content-Encoding=\"gzip\""
" Content-MD5=\"I/y/rqNER3SF4ftSY3TY+Q==\""
" dvb:Content-Digest=\"sha-256=:" SHA_EMPTY_B64 ":\">\n"
"  <mbms2007:Cache-Control><mbms2007:Expires>3979631000</mbms2007:Expires>"
"</mbms2007:Cache-Control>\n"
" </ns2:File><?pi x=\"y\"?><!-- between -->\n"
" <ns2:File TOI=\"2\" Content-Location=\"index.m3u8\""
" FEC-OTI-Encoding-Symbol-Length=\"100\"><![CDATA[ <x a=1> ]]>"
"<mbms2007:Cache-Control><mbms2007:no-cache>true</mbms2007:no-cache>"
"</mbms2007:Cache-Control></ns2:File>\n"
"</ns2:FDT-Instance>\n";

static char big[8u << 20];

static int
parse(const char *xml, struct fdt **f, size_t *skipped)
{
	return fdt_parse(xml, strlen(xml), f, skipped);
}

/* One FDT with root attributes ra and the File elements in files. */
static const char *
doc(const char *ra, const char *files)
{
	snprintf(big, sizeof(big), "<FDT-Instance xmlns="
	    "\"urn:IETF:metadata:2005:FLUTE:FDT\" %s>%s</FDT-Instance>",
	    ra, files);
	return big;
}

/* One File with attributes fa and children body. */
static const char *
doc1(const char *fa, const char *body)
{
	static char file[1 << 16];

	snprintf(file, sizeof(file), "<File %s>%s</File>", fa, body);
	return doc("Expires=\"" EXPIRES "\"", file);
}

static const char *
hex(const uint8_t *p, size_t n)
{
	static char out[65];

	util_hex(p, n, out);
	return out;
}

static void
test_namespaces(void)
{
	static const struct {
		const char	*pfx;		/* element prefix */
		const char	*decl;		/* namespace declaration */
	} t[] = {
		{ "", "xmlns=\"urn:IETF:metadata:2005:FLUTE:FDT\"" },
		{ "", "xmlns=\"http://www.example.com/flute\"" },
		{ "", "xmlns=\"urn:ietf:params:xml:ns:fdt\"" },
		{ "", "xmlns=\"urn:3GPP:metadata:2022:FLUTE:FDT\"" },
		{ "", "xmlns=\"urn:dvb:metadata:ExtendedFileDeliveryTable:2022\"" },
		{ "", "" },
		{ "ns2:", "xmlns:ns2=\"urn:IETF:metadata:2005:FLUTE:FDT\"" },
		{ "fdt:", "xmlns:fdt=\"urn:ietf:params:xml:ns:fdt\"" },
		{ "ns2:", "xmlns:ns2=\"urn:3GPP:metadata:2022:FLUTE:FDT\"" },
		{ "ns2:", "" },	/* undeclared prefix: tolerated */
		{ "x:", "xmlns:x=\"urn:other\" xmlns=\"urn:unrelated\"" },
	};
	char xml[1024];
	size_t i, sk;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fdt *f = NULL;

		snprintf(xml, sizeof(xml), "<?xml version=\"1.0\"?>"
		    "<%sFDT-Instance %s Expires=\"" EXPIRES "\">"
		    "<%sFile TOI=\"5\" Content-Location=\"a/b\"/>"
		    "<%sOther/></%sFDT-Instance>", t[i].pfx, t[i].decl,
		    t[i].pfx, t[i].pfx, t[i].pfx);
		if (parse(xml, &f, &sk) != 0) {
			fprintf(stderr, "namespace case %zu failed\n", i);
			CHECK(0);
			continue;
		}
		CHECK_EQ_U(f->expires, 3979630922u);
		CHECK_EQ_U(f->nfiles, 1);
		CHECK_EQ_U(sk, 0);
		CHECK_EQ_U(f->files[0].toi.lo, 5);
		CHECK(strcmp(f->files[0].location, "a/b") == 0);
		fdt_free(f);
	}
}

static void
test_gpac(void)
{
	static const char *const md5[] = {
		"23fcbfaea344477485e1fb526374d8f9",
		"a58ebe41debf585d219b05e00b8f68d8",
		"057780f7f3d9f0d079bb185b02df6f8d",
	};
	struct fdt *f;
	size_t i, sk = 99;

	REQUIRE(parse(gpac_fdt, &f, &sk) == 0);
	CHECK_EQ_U(f->expires, 4294944000u);
	CHECK_EQ_U(sk, 0);
	CHECK(!f->complete && !f->full_fdt);
	REQUIRE(f->nfiles == 6);
	for (i = 0; i < 6; i++) {
		CHECK_EQ_U(f->files[i].toi.lo, i + 1);
		CHECK_EQ_U(f->files[i].toi.hi, 0);
		CHECK_EQ_U(f->files[i].oti.fei, 0);
		CHECK_EQ_U(f->files[i].oti.max_sbl, 65535);
		CHECK_EQ_U(f->files[i].oti.symbol_len, 1416);
		CHECK(f->files[i].oti.instance_id == -1);
		CHECK(f->files[i].oti.max_n == -1);
		CHECK(f->files[i].has_md5 && !f->files[i].has_sha256);
		CHECK(f->files[i].content_encoding == NULL);
		CHECK(f->files[i].cache_expires == -1);
	}
	for (i = 0; i < 3; i++)
		CHECK(strcmp(hex(f->files[i].md5, 16), md5[i]) == 0);
	CHECK(strcmp(f->files[0].location, "urn:dvb:metadata:cs:"
	    "MulticastTransportObjectTypeCS:2021:gateway-configuration") == 0);
	CHECK(strcmp(f->files[1].location,
	    "tag:mabr.gpac.io.2025.services.4294967295/live.m3u8") == 0);
	CHECK(strcmp(f->files[1].content_type, "video/mpegurl") == 0);
	CHECK_EQ_U(f->files[2].content_length, 947);
	CHECK_EQ_U(f->files[2].transfer_length, 947);
	fdt_free(f);
}

/*
 * Cross-check with the independent reassembler's list when the shared
 * data is present: each complete object's MD5 and size must match.
 */
static void
check_expected(const char *path, const char *xml, int want)
{
	char line[512], st[32], md5[64], loc[300];
	unsigned long long size, toi;
	struct fdt *f;
	FILE *fp;
	size_t i;
	int hits = 0;

	REQUIRE(parse(xml, &f, NULL) == 0);
	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "skip: %s absent\n", path);
		fdt_free(f);
		return;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%31s %63s %llu %llu %299s", st, md5, &size,
		    &toi, loc) != 5 || strcmp(st, "complete") != 0)
			continue;
		for (i = 0; i < f->nfiles; i++) {
			if (f->files[i].toi.lo != toi ||
			    strcmp(f->files[i].location, loc) != 0)
				continue;
			CHECK(strcmp(hex(f->files[i].md5, 16), md5) == 0);
			CHECK_EQ_U(f->files[i].content_length, size);
			hits++;
		}
	}
	fclose(fp);
	CHECK_EQ_U(hits, want);
	fdt_free(f);
}

static void
test_expected_lists(void)
{
	/* TOIs 4 and 6 of the GPAC instance were never sent completely. */
	check_expected("../shared/data/interop/gpac-mabr-hls.expected.txt",
	    gpac_fdt, 4);
	check_expected("../shared/data/interop/libflute-hls.expected.txt",
	    libflute_fdt, 7);
}

static void
test_libflute(void)
{
	struct fdt *f;
	size_t i, sk;

	REQUIRE(parse(libflute_fdt, &f, &sk) == 0);
	CHECK_EQ_U(f->expires, 4004243277u);
	REQUIRE(f->nfiles == 7);
	for (i = 0; i < 7; i++) {
		/* The instance defaults apply to every file. */
		CHECK_EQ_U(f->files[i].oti.fei, 0);
		CHECK_EQ_U(f->files[i].oti.max_sbl, 64);
		CHECK_EQ_U(f->files[i].oti.symbol_len, 1436);
		CHECK(f->files[i].has_md5);
	}
	CHECK(strcmp(f->files[0].location, "index.m3u8") == 0);
	CHECK(strcmp(f->files[6].location, "big.txt") == 0);
	CHECK_EQ_U(f->files[6].transfer_length, 1288895);
	CHECK(strcmp(hex(f->files[0].md5, 16),
	    "a3f9632a9b64e70b061486622c609ffc") == 0);
	fdt_free(f);
}

static void
test_rich(void)
{
	const struct fdt_file *a, *b;
	struct fdt *f;
	size_t sk;

	REQUIRE(parse(rich_fdt, &f, &sk) == 0);
	CHECK(f->complete && f->full_fdt);
	REQUIRE(f->nfiles == 2);
	a = &f->files[0];
	b = &f->files[1];
	CHECK_EQ_U(a->toi.hi, 0xFFFFFFFFFFFFull);
	CHECK_EQ_U(a->toi.lo, UINT64_MAX);
	CHECK(strcmp(a->location, "http://dvb.gw/a/b.m4s?x=1&y=2") == 0);
	CHECK(strcmp(a->content_type, "video/mp4") == 0);
	CHECK(strcmp(a->content_encoding, "gzip") == 0);
	CHECK_EQ_U(a->content_length, 1000);
	CHECK_EQ_U(a->transfer_length, 600);
	CHECK(a->has_sha256 && strcmp(hex(a->sha256, 32), SHA_EMPTY_HEX) == 0);
	CHECK_EQ_U(a->cache_expires, 3979631000u);
	CHECK(!a->no_cache);
	CHECK_EQ_U(a->oti.symbol_len, 1428);
	CHECK_EQ_U(b->oti.symbol_len, 100);
	CHECK_EQ_U(b->oti.max_sbl, 64);
	CHECK(b->no_cache && b->cache_expires == -1);
	CHECK(b->transfer_length == -1 && b->content_length == -1);
	CHECK(b->content_encoding == NULL && !b->has_md5);
	fdt_free(f);
}

static void
test_flags(void)
{
	static const struct {
		const char	*ra;
		int		complete, full;
	} t[] = {
		{ "Complete=\"true\"", 1, 0 },
		{ "Complete=\" 1 \"", 1, 0 },
		{ "Complete=\"false\"", 0, 0 },
		{ "Complete=\"yes\"", 0, 0 },
		{ "xmlns:m=\"urn:3GPP:metadata:2008:MBMS:FLUTE:FDT_ext\" "
		  "m:FullFDT=\"true\"", 0, 1 },
		{ "xmlns:m=\"urn:3GPP:metadata:2008:MBMS:FLUTE:FDT_ext\" "
		  "m:FullFDT=\"1\" Complete=\"1\"", 1, 1 },
		{ "xmlns:m=\"urn:3GPP:metadata:2008:MBMS:FLUTE:FDT_ext\" "
		  "m:FullFDT=\"false\"", 0, 0 },
		{ "FullFDT=\"true\"", 0, 1 },
		{ "", 0, 0 },
	};
	char ra[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fdt *f;

		snprintf(ra, sizeof(ra), "Expires=\"1\" %s", t[i].ra);
		if (parse(doc(ra, ""), &f, NULL) != 0) {
			CHECK(0);
			continue;
		}
		CHECK_EQ_U(f->complete, t[i].complete);
		CHECK_EQ_U(f->full_fdt, t[i].full);
		CHECK_EQ_U(f->nfiles, 0);
		fdt_free(f);
	}
}

static void
test_expires(void)
{
	static const struct {
		const char	*ra;
		int		rc;
		uint32_t	v;
	} t[] = {
		{ "Expires=\"0\"", 0, 0 },
		{ "Expires=\"4294967295\"", 0, 4294967295u },
		{ "Expires=\" 3979630922\n\"", 0, 3979630922u },
		{ "Expires=\"+7\"", 0, 7 },
		{ "", FDT_EATTR, 0 },
		{ "Expires=\"\"", FDT_EATTR, 0 },
		{ "Expires=\"abc\"", FDT_EATTR, 0 },
		{ "Expires=\"-1\"", FDT_EATTR, 0 },
		{ "Expires=\"99999999999\"", FDT_EATTR, 0 },
		{ "Expires=\"4294967296\"", FDT_EATTR, 0 },
		{ "Expires=\"12 34\"", FDT_EATTR, 0 },
		{ "Expires=\"0x10\"", FDT_EATTR, 0 },
		{ "Expires=\"1.5\"", FDT_EATTR, 0 },
		/* An instance default that is malformed poisons every file. */
		{ "Expires=\"1\" FEC-OTI-FEC-Encoding-ID=\"x\"", FDT_EATTR, 0 },
		{ "Expires=\"1\" FEC-OTI-Encoding-Symbol-Length=\"-3\"",
		  FDT_EATTR, 0 },
		{ "Expires=\"1\" FEC-OTI-Scheme-Specific-Info=\"!!\"",
		  FDT_EATTR, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fdt *f = (struct fdt *)&f;
		int rc = parse(doc(t[i].ra,
		    "<File TOI=\"1\" Content-Location=\"a\"/>"), &f, NULL);

		if (rc != t[i].rc)
			fprintf(stderr, "expires case %zu: %d\n", i, rc);
		CHECK(rc == t[i].rc);
		if (rc == 0) {
			CHECK_EQ_U(f->expires, t[i].v);
			fdt_free(f);
		} else {
			CHECK(f == NULL);
		}
	}
}

static void
test_toi(void)
{
	static const struct {
		const char	*toi;
		int		ok;
		uint64_t	hi, lo;
	} t[] = {
		{ "1", 1, 0, 1 },
		{ "4294967296", 1, 0, 4294967296ull },
		{ "18446744073709551615", 1, 0, UINT64_MAX },
		{ "18446744073709551616", 1, 1, 0 },
		{ "18446744073709551621", 1, 1, 5 },
		{ "5192296858534827628530496329220095", 1, 0xFFFFFFFFFFFFull,
		  UINT64_MAX },
		{ "0005192296858534827628530496329220095", 1,
		  0xFFFFFFFFFFFFull, UINT64_MAX },
		{ "5192296858534827628530496329220096", 0, 0, 0 },
		{ "99999999999999999999999999999999999999999", 0, 0, 0 },
		{ " 7 ", 1, 0, 7 },
		{ "+7", 1, 0, 7 },
		{ "007", 1, 0, 7 },
		{ "0", 0, 0, 0 },
		{ "000", 0, 0, 0 },
		{ "-1", 0, 0, 0 },
		{ "abc", 0, 0, 0 },
		{ "", 0, 0, 0 },
		{ "+", 0, 0, 0 },
		{ "0x10", 0, 0, 0 },
		{ "1.0", 0, 0, 0 },
		{ "1e3", 0, 0, 0 },
		{ "1 2", 0, 0, 0 },
	};
	char fa[256];
	size_t i, sk;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fdt *f;

		/* A good File after the one under test must survive. */
		snprintf(fa, sizeof(fa), "<File TOI=\"%s\" Content-Location="
		    "\"x\"/><File TOI=\"9\" Content-Location=\"y\"/>",
		    t[i].toi);
		if (parse(doc("Expires=\"1\"", fa), &f, &sk) != 0) {
			CHECK(0);
			continue;
		}
		CHECK_EQ_U(f->nfiles, t[i].ok ? 2 : 1);
		CHECK_EQ_U(sk, t[i].ok ? 0 : 1);
		if (t[i].ok && f->nfiles == 2) {
			CHECK_EQ_U(f->files[0].toi.hi, t[i].hi);
			CHECK_EQ_U(f->files[0].toi.lo, t[i].lo);
		}
		CHECK_EQ_U(f->files[f->nfiles - 1].toi.lo, 9);
		fdt_free(f);
	}
	/* A missing TOI skips the file too. */
	{
		struct fdt *f;

		REQUIRE(parse(doc1("Content-Location=\"x\"", ""), &f, &sk) == 0);
		CHECK(f->nfiles == 0 && sk == 1);
		fdt_free(f);
	}
}

/* File attributes: lengths, locations, strings, OTI overrides. */
static void
test_file_attrs(void)
{
	static char longloc[FDT_MAX_URI + 64], maxloc[FDT_MAX_URI + 64];
	static const struct {
		const char	*fa;
		int		ok;
		int64_t		clen, tlen;
		const char	*loc;
	} t[] = {
		{ "TOI=\"1\" Content-Location=\"a\"", 1, -1, -1, "a" },
		{ "TOI=\"1\" Content-Location=\" seg1.m4s \" Content-Length="
		  "\" 0 \" Transfer-Length=\"9223372036854775807\"", 1, 0,
		  INT64_MAX, "seg1.m4s" },
		{ "TOI=\"1\" Content-Location=\"urn:dvb:metadata:nativeip:"
		  "NetworkInformationFile\"", 1, -1, -1,
		  "urn:dvb:metadata:nativeip:NetworkInformationFile" },
		{ "TOI=\"1\" Content-Location=\"tag:x.y,2025:/a b\"", 1, -1, -1,
		  "tag:x.y,2025:/a b" },
		{ "TOI=\"1\" Content-Location=\"a&amp;b&#x41;&lt;\"", 1, -1, -1,
		  "a&bA<" },
		{ "TOI=\"1\" Content-Location=\"a\" Transfer-Length="
		  "\"9223372036854775808\"", 0, 0, 0, NULL },
		{ "TOI=\"1\" Content-Location=\"a\" Content-Length=\"-5\"",
		  0, 0, 0, NULL },
		{ "TOI=\"1\" Content-Location=\"a\" Content-Length=\"12abc\"",
		  0, 0, 0, NULL },
		{ "TOI=\"1\" Content-Location=\"a\" Transfer-Length=\"\"",
		  0, 0, 0, NULL },
		{ "TOI=\"1\" Content-Location=\"\"", 0, 0, 0, NULL },
		{ "TOI=\"1\" Content-Location=\"   \"", 0, 0, 0, NULL },
		{ "TOI=\"1\"", 0, 0, 0, NULL },
		{ "TOI=\"1\" Content-Location=\"a&#9;b\"", 0, 0, 0, NULL },
		{ "TOI=\"1\" Content-Location=\"a&#x7f;b\"", 0, 0, 0, NULL },
		{ "TOI=\"1\" Content-Location=\"a\" Content-Type=\"t&#10;x\"",
		  0, 0, 0, NULL },
		{ "TOI=\"1\" Content-Location=\"a\" "
		  "FEC-OTI-FEC-Encoding-ID=\"256\"", 0, 0, 0, NULL },
		{ "TOI=\"1\" Content-Location=\"a\" "
		  "FEC-OTI-FEC-Instance-ID=\"2147483648\"", 0, 0, 0, NULL },
		{ "TOI=\"1\" Content-Location=\"a\" "
		  "FEC-OTI-Scheme-Specific-Info=\"AAECAwQFBgcI\"", 0, 0, 0,
		  NULL },
		{ "TOI=\"1\" Content-Location=\"a\" "
		  "FEC-OTI-Scheme-Specific-Info=\"@@@@\"", 0, 0, 0, NULL },
		{ longloc, 0, 0, 0, NULL },
		{ maxloc, 1, -1, -1, NULL },
	};
	size_t i, sk;
	int n;

	n = snprintf(longloc, sizeof(longloc), "TOI=\"1\" Content-Location=\"");
	memset(longloc + n, 'u', FDT_MAX_URI + 1);
	strcpy(longloc + n + FDT_MAX_URI + 1, "\"");
	strcpy(maxloc, longloc);
	strcpy(maxloc + n + FDT_MAX_URI, "\"");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fdt *f;

		if (parse(doc1(t[i].fa, ""), &f, &sk) != 0) {
			CHECK(0);
			continue;
		}
		if (f->nfiles != (size_t)t[i].ok)
			fprintf(stderr, "file attr case %zu\n", i);
		CHECK_EQ_U(f->nfiles, t[i].ok);
		CHECK_EQ_U(sk, !t[i].ok);
		if (t[i].ok && f->nfiles == 1) {
			CHECK(f->files[0].content_length == t[i].clen);
			CHECK(f->files[0].transfer_length == t[i].tlen);
			CHECK(t[i].loc == NULL ||
			    strcmp(f->files[0].location, t[i].loc) == 0);
			CHECK(strlen(f->files[0].location) <= FDT_MAX_URI);
		}
		fdt_free(f);
	}
}

static void
test_defaults(void)
{
	static const char ra[] = "Expires=\"1\" Content-Type=\"text/plain\" "
	    "Content-Encoding=\"gzip\" FEC-OTI-FEC-Encoding-ID=\"6\" "
	    "FEC-OTI-FEC-Instance-ID=\"0\" "
	    "FEC-OTI-Maximum-Source-Block-Length=\"100\" "
	    "FEC-OTI-Encoding-Symbol-Length=\"1400\" "
	    "FEC-OTI-Max-Number-of-Encoding-Symbols=\"200\" "
	    "FEC-OTI-Scheme-Specific-Info=\"AQIDBA==\"";
	static const char files[] =
	    "<File TOI=\"1\" Content-Location=\"a\"/>"
	    "<File TOI=\"2\" Content-Location=\"b\" Content-Type=\"video/mp4\" "
	    "Content-Encoding=\"\" FEC-OTI-FEC-Encoding-ID=\"0\" "
	    "FEC-OTI-Encoding-Symbol-Length=\"1428\" "
	    "FEC-OTI-Scheme-Specific-Info=\"AAECAwQFBgc\"/>";
	struct fdt *f;
	const struct fdt_oti *o;

	REQUIRE(parse(doc(ra, files), &f, NULL) == 0);
	REQUIRE(f->nfiles == 2);
	o = &f->files[0].oti;
	CHECK(strcmp(f->files[0].content_type, "text/plain") == 0);
	CHECK(strcmp(f->files[0].content_encoding, "gzip") == 0);
	CHECK(o->fei == 6 && o->instance_id == 0 && o->max_sbl == 100);
	CHECK(o->symbol_len == 1400 && o->max_n == 200);
	CHECK(o->ssi_len == 4 && memcmp(o->ssi, "\1\2\3\4", 4) == 0);
	o = &f->files[1].oti;
	CHECK(strcmp(f->files[1].content_type, "video/mp4") == 0);
	/* An empty value counts as absent: the default applies. */
	CHECK(strcmp(f->files[1].content_encoding, "gzip") == 0);
	CHECK(o->fei == 0 && o->instance_id == 0 && o->max_sbl == 100);
	CHECK(o->symbol_len == 1428 && o->max_n == 200);
	CHECK(o->ssi_len == 8 &&
	    memcmp(o->ssi, "\0\1\2\3\4\5\6\7", 8) == 0);
	fdt_free(f);

	/* No defaults and no overrides: everything "not given". */
	REQUIRE(parse(doc1("TOI=\"1\" Content-Location=\"a\"", ""), &f,
	    NULL) == 0);
	REQUIRE(f->nfiles == 1);
	o = &f->files[0].oti;
	CHECK(o->fei == -1 && o->instance_id == -1 && o->max_sbl == -1);
	CHECK(o->symbol_len == -1 && o->max_n == -1 && o->ssi_len == 0);
	CHECK(f->files[0].content_type == NULL);
	CHECK(f->files[0].content_encoding == NULL);
	fdt_free(f);
}

static void
test_digests(void)
{
	static const struct {
		const char	*fa;
		int		md5, sha, bad;
	} t[] = {
		{ "Content-MD5=\"I/y/rqNER3SF4ftSY3TY+Q==\"", 1, 0, 0 },
		{ "Content-MD5=\" I/y/rqNER3SF4ftSY3TY+Q \"", 1, 0, 0 },
		{ "Content-MD5=\"AAECAwQFBgcICQoLDA0O\"", 0, 0, 1 },
		{ "Content-MD5=\"I/y/rqNER3SF4ftSY3TY+Q==AAAA\"", 0, 0, 1 },
		{ "Content-MD5=\"!!not base64!!\"", 0, 0, 1 },
		{ "Content-MD5=\"\"", 0, 0, 1 },
		{ "Content-Digest=\"sha-256=:" SHA_EMPTY_B64 ":\"", 0, 1, 0 },
		{ "Content-Digest=\"SHA-256=:" SHA_EMPTY_B64 ":\"", 0, 1, 0 },
		{ "Content-Digest=\"sha-512=:z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg"
		  "/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==:, "
		  "sha-256=:" SHA_EMPTY_B64 ":\"", 0, 1, 0 },
		{ "Content-Digest=\" sha-256=:" SHA_EMPTY_B64 ":;p=1 , "
		  "md5=:I/y/rqNER3SF4ftSY3TY+Q==:\"", 0, 1, 0 },
		{ "Content-Digest=\"sha-512=:AAAA:\"", 0, 0, 0 },
		{ "Content-Digest=\"sha-256=:AAAA:\"", 0, 0, 1 },
		{ "Content-Digest=\"sha-256=" SHA_EMPTY_B64 "\"", 0, 0, 1 },
		{ "Content-Digest=\"sha-256=:" SHA_EMPTY_B64 "\"", 0, 0, 1 },
		{ "Content-Digest=\"sha-256\"", 0, 0, 0 },
		{ "Content-Digest=\"\"", 0, 0, 0 },
		{ "Content-MD5=\"x\" Content-Digest=\"sha-256=::\"", 0, 0, 2 },
		{ "xmlns:dvb=\"urn:dvb:metadata:ExtendedFileDeliveryTable:2022\""
		  " dvb:Content-Digest=\"sha-256=:" SHA_EMPTY_B64 ":\""
		  " Content-MD5=\"I/y/rqNER3SF4ftSY3TY+Q==\"", 1, 1, 0 },
	};
	char fa[512];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fdt *f;

		snprintf(fa, sizeof(fa), "TOI=\"1\" Content-Location=\"a\" %s",
		    t[i].fa);
		if (parse(doc1(fa, ""), &f, NULL) != 0 || f->nfiles != 1) {
			CHECK(0);
			continue;
		}
		if (f->files[0].has_md5 != t[i].md5 ||
		    f->files[0].has_sha256 != t[i].sha ||
		    f->bad_digests != (size_t)t[i].bad)
			fprintf(stderr, "digest case %zu\n", i);
		CHECK_EQ_U(f->files[0].has_md5, t[i].md5);
		CHECK_EQ_U(f->files[0].has_sha256, t[i].sha);
		CHECK_EQ_U(f->bad_digests, t[i].bad);
		if (t[i].md5)
			CHECK(strcmp(hex(f->files[0].md5, 16),
			    "23fcbfaea344477485e1fb526374d8f9") == 0);
		if (t[i].sha)
			CHECK(strcmp(hex(f->files[0].sha256, 32),
			    SHA_EMPTY_HEX) == 0);
		fdt_free(f);
	}
}

static void
test_cache_control(void)
{
#define M7 "xmlns:m=\"urn:3GPP:metadata:2007:MBMS:FLUTE:FDT\""
	static const struct {
		const char	*body;
		int		no_cache, max_stale;
		int64_t		expires;
	} t[] = {
		{ "", 0, 0, -1 },
		{ "<m:Cache-Control " M7 "><m:no-cache>true</m:no-cache>"
		  "</m:Cache-Control>", 1, 0, -1 },
		{ "<m:Cache-Control " M7 "><m:no-cache/></m:Cache-Control>",
		  1, 0, -1 },
		{ "<m:Cache-Control " M7 "><m:no-cache>false</m:no-cache>"
		  "</m:Cache-Control>", 0, 0, -1 },
		{ "<m:Cache-Control " M7 "><m:max-stale>true</m:max-stale>"
		  "</m:Cache-Control>", 0, 1, -1 },
		{ "<m:Cache-Control " M7 "><m:Expires> 4004243287 </m:Expires>"
		  "</m:Cache-Control>", 0, 0, 4004243287ll },
		{ "<m:Cache-Control " M7 "><m:Expires>0</m:Expires>"
		  "</m:Cache-Control>", 0, 0, 0 },
		{ "<m:Cache-Control " M7 "><m:Expires>soon</m:Expires>"
		  "</m:Cache-Control>", 0, 0, -1 },
		{ "<m:Cache-Control " M7 "><m:Expires>4294967296</m:Expires>"
		  "</m:Cache-Control>", 0, 0, -1 },
		{ "<Cache-Control><no-cache>1</no-cache><Expires>5</Expires>"
		  "</Cache-Control>", 1, 0, 5 },
		{ "<Other><no-cache/></Other>", 0, 0, -1 },
		{ "<Cache-Control><!-- c --><x:no-cache xmlns:x=\"urn:y\">"
		  "<![CDATA[true]]></x:no-cache></Cache-Control>", 1, 0, -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fdt *f;

		if (parse(doc1("TOI=\"1\" Content-Location=\"a\"", t[i].body),
		    &f, NULL) != 0 || f->nfiles != 1) {
			fprintf(stderr, "cache-control case %zu\n", i);
			CHECK(0);
			continue;
		}
		CHECK_EQ_U(f->files[0].no_cache, t[i].no_cache);
		CHECK_EQ_U(f->files[0].max_stale, t[i].max_stale);
		CHECK(f->files[0].cache_expires == t[i].expires);
		fdt_free(f);
	}
#undef M7
}

/* Documents that must be refused with a given code. */
static void
test_refused(void)
{
	static const struct {
		const char	*xml;
		int		rc;
	} t[] = {
		{ "hello", FDT_EXML },
		{ "<", FDT_EXML },
		{ "<FDT-Instance Expires=\"1\">", FDT_EXML },
		{ "<FDT-Instance Expires=\"1\"/><x/>", FDT_EXML },
		{ "<FDT-Instance Expires=\"1\" Expires=\"2\"/>", FDT_EXML },
		{ "<FDT-Instance Expires=1/>", FDT_EXML },
		{ "<?xml version=\"1.0\"?>", FDT_EXML },
		{ "<FDT-Instance Expires=\"1\"><File TOI=\"1\" Content-Location="
		  "\"&xxe;\"/></FDT-Instance>", FDT_EXML },
		{ "<FDT-Instance Expires=\"1\">&lol;</FDT-Instance>", FDT_EXML },
		{ "<!DOCTYPE FDT-Instance><FDT-Instance Expires=\"1\"/>",
		  FDT_EXML },
		{ "<!DOCTYPE FDT-Instance SYSTEM \"http://127.0.0.1:1/x.dtd\">"
		  "<FDT-Instance Expires=\"1\"/>", FDT_EXML },
		{ "<FDT Expires=\"1\"/>", FDT_EROOT },
		{ "<File TOI=\"1\" Content-Location=\"a\"/>", FDT_EROOT },
		{ "<x:FDT-Instances xmlns:x=\"urn:IETF:metadata:2005:FLUTE:FDT\""
		  " Expires=\"1\"/>", FDT_EROOT },
		{ "<fdt-instance Expires=\"1\"/>", FDT_EROOT },
		{ "<FDT-Instance expires=\"1\"/>", FDT_EATTR },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fdt *f = (struct fdt *)&f;
		int rc = parse(t[i].xml, &f, NULL);

		if (rc != t[i].rc)
			fprintf(stderr, "refused case %zu: %d\n", i, rc);
		CHECK(rc == t[i].rc);
		CHECK(f == NULL);
	}
	CHECK(fdt_parse("", 0, &(struct fdt *){ NULL }, NULL) == FDT_EXML);
	CHECK(fdt_parse(NULL, 5, &(struct fdt *){ NULL }, NULL) == FDT_EXML);
}

static void
test_entities(void)
{
	static const char laughs[] =
	    "<?xml version=\"1.0\"?><!DOCTYPE FDT-Instance ["
	    "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
	    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
	    "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">"
	    "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
	    "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">"
	    "<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">"
	    "<!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">]>"
	    "<FDT-Instance Expires=\"1\"><File TOI=\"1\" Content-Location="
	    "\"&i;\" Content-Type=\"&i;\"/>&i;</FDT-Instance>";
	static const char *const xxe[] = {
	    "<?xml version=\"1.0\"?><!DOCTYPE FDT-Instance ["
	    "<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	    "<FDT-Instance Expires=\"1\"><File TOI=\"1\" "
	    "Content-Location=\"a\" Content-Type=\"&x;\"/>&x;</FDT-Instance>",
	    "<?xml version=\"1.0\"?><!DOCTYPE FDT-Instance ["
	    "<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]>"
	    "<FDT-Instance Expires=\"1\"/>",
	    "<?xml version=\"1.0\"?><!DOCTYPE FDT-Instance SYSTEM "
	    "\"file:///etc/passwd\"><FDT-Instance Expires=\"1\">"
	    "<File TOI=\"1\" Content-Location=\"a\"/></FDT-Instance>",
	};
	struct fdt *f = (struct fdt *)&f;
	size_t i;

	CHECK(parse(laughs, &f, NULL) == FDT_EXML);
	CHECK(f == NULL);
	for (i = 0; i < sizeof(xxe) / sizeof(xxe[0]); i++) {
		f = (struct fdt *)&f;
		CHECK(parse(xxe[i], &f, NULL) == FDT_EXML);
		CHECK(f == NULL);
	}
	/* XInclude is never processed: the element is just unknown. */
	REQUIRE(parse("<FDT-Instance Expires=\"1\" xmlns:xi=\"http://www.w3.org"
	    "/2001/XInclude\"><xi:include href=\"file:///etc/passwd\" "
	    "parse=\"text\"/><File TOI=\"1\" Content-Location=\"a\"/>"
	    "</FDT-Instance>", &f, NULL) == 0);
	REQUIRE(f->nfiles == 1);
	CHECK(strstr(f->files[0].location, "root:") == NULL);
	CHECK(strcmp(f->files[0].location, "a") == 0);
	fdt_free(f);
}

/* Element nesting: FDT_MAX_DEPTH levels pass, one more does not. */
static void
test_depth(void)
{
	static const int depths[] = { FDT_MAX_DEPTH, FDT_MAX_DEPTH + 1, 300,
	    100000 };
	size_t i;
	int d;

	for (i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
		struct fdt *f = NULL;
		size_t n;
		int rc;

		n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\">"
		    "<File TOI=\"1\" Content-Location=\"a\"/>");
		for (d = 1; d < depths[i]; d++)
			n += (size_t)sprintf(big + n, "<x>");
		for (d = 1; d < depths[i]; d++)
			n += (size_t)sprintf(big + n, "</x>");
		n += (size_t)sprintf(big + n, "</FDT-Instance>");
		rc = fdt_parse(big, n, &f, NULL);
		CHECK(rc == (depths[i] <= FDT_MAX_DEPTH ? 0 : FDT_ELIMIT));
		if (rc == 0)
			CHECK_EQ_U(f->nfiles, 1);
		fdt_free(f);
	}
}

static size_t
many_files(size_t nfiles)
{
	size_t i, n;

	n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\">");
	for (i = 0; i < nfiles; i++)
		n += (size_t)sprintf(big + n,
		    "<File TOI=\"%zu\" Content-Location=\"f%zu\"/>", i + 1, i);
	n += (size_t)sprintf(big + n, "</FDT-Instance>");
	return n;
}

static void
test_limits(void)
{
	struct fdt *f = NULL;
	size_t n, i, k;

	/* 2.9 MB: Files straddle the parser's chunk boundaries. */
	n = many_files(FDT_MAX_FILES);
	REQUIRE(fdt_parse(big, n, &f, NULL) == 0);
	REQUIRE(f->nfiles == FDT_MAX_FILES);
	for (i = k = 0; i < FDT_MAX_FILES; i++) {
		char loc[16];

		snprintf(loc, sizeof(loc), "f%zu", i);
		k += f->files[i].toi.lo == i + 1 &&
		    strcmp(f->files[i].location, loc) == 0;
	}
	CHECK_EQ_U(k, FDT_MAX_FILES);
	fdt_free(f);
	n = many_files(FDT_MAX_FILES + 1);
	CHECK(fdt_parse(big, n, &f, NULL) == FDT_ELIMIT && f == NULL);

	/* Oversize: a valid document padded with blanks past the limit. */
	n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\">");
	memset(big + n, ' ', FDT_MAX_XML);
	n += FDT_MAX_XML;
	n += (size_t)sprintf(big + n, "</FDT-Instance>");
	CHECK(fdt_parse(big, n, &f, NULL) == FDT_ELIMIT && f == NULL);
	CHECK(fdt_parse(big, FDT_MAX_XML - 100, &f, NULL) == FDT_EXML);

	/* Lots of small elements: the element cap, not memory, stops it. */
	n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\">");
	while (n < FDT_MAX_XML - 32)
		n += (size_t)sprintf(big + n, "<a/>");
	n += (size_t)sprintf(big + n, "</FDT-Instance>");
	CHECK(fdt_parse(big, n, &f, NULL) == FDT_ELIMIT && f == NULL);

	/* Attributes per tag: 64 pass, 65 and a 4 MB flood do not. */
	for (i = FDT_MAX_ATTRS - 2; i <= FDT_MAX_ATTRS + 1; i++) {
		n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\">"
		    "<File TOI=\"1\" ");
		for (k = 2; k < i; k++)
			n += (size_t)sprintf(big + n, "a%zu='=' ", k);
		n += (size_t)sprintf(big + n, "Content-Location=\"a\"/>"
		    "</FDT-Instance>");
		CHECK(fdt_parse(big, n, &f, NULL) ==
		    (i <= FDT_MAX_ATTRS ? 0 : FDT_ELIMIT));
		fdt_free(f);
		f = NULL;
	}
	n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\"><File ");
	for (i = 0; n < FDT_MAX_XML - 64; i++)
		n += (size_t)sprintf(big + n, "a%zu=\"\" ", i);
	n += (size_t)sprintf(big + n, "/></FDT-Instance>");
	CHECK(fdt_parse(big, n, &f, NULL) == FDT_ELIMIT);
	/* Namespace declarations count too. */
	for (k = FDT_MAX_ATTRS - 1; k <= FDT_MAX_ATTRS; k++) {
		n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\"");
		for (i = 0; i < k; i++)
			n += (size_t)sprintf(big + n, " xmlns:n%zu=\"u:%zu\"",
			    i, i);
		n += (size_t)sprintf(big + n, "/>");
		CHECK(fdt_parse(big, n, &f, NULL) ==
		    (k < FDT_MAX_ATTRS ? 0 : FDT_ELIMIT));
		fdt_free(f);
		f = NULL;
	}
}

/* Namespaces in scope: 2 x 60 pass, 3 x 60 nested do not; siblings do. */
static size_t
ns_levels(int nested, int levels)
{
	size_t n;
	int l, i;

	n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\">");
	for (l = 0; l < levels; l++) {
		n += (size_t)sprintf(big + n, "<x");
		for (i = 0; i < 60; i++)
			n += (size_t)sprintf(big + n, " xmlns:p%d=\"u:%d\"", i, l);
		n += (size_t)sprintf(big + n, nested ? ">" : "/>");
	}
	for (l = 0; nested && l < levels; l++)
		n += (size_t)sprintf(big + n, "</x>");
	n += (size_t)sprintf(big + n, "<File TOI=\"1\" Content-Location=\"a\"/>"
	    "</FDT-Instance>");
	return n;
}

static void
test_ns_scope(void)
{
	struct fdt *f = NULL;

	CHECK(fdt_parse(big, ns_levels(1, 2), &f, NULL) == 0);
	CHECK(f != NULL && f->nfiles == 1);
	fdt_free(f);
	CHECK(fdt_parse(big, ns_levels(1, 3), &f, NULL) == FDT_ELIMIT);
	CHECK(fdt_parse(big, ns_levels(0, 50), &f, NULL) == 0);
	CHECK(f != NULL && f->nfiles == 1);
	fdt_free(f);
}

/* Elements below one File: FDT_MAX_SUBTREE pass, one more does not. */
static void
test_subtree(void)
{
	static const size_t counts[] = { FDT_MAX_SUBTREE, FDT_MAX_SUBTREE + 1,
	    100000 };
	struct fdt *f = NULL;
	size_t i, k, n;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\"><File "
		    "TOI=\"1\" Content-Location=\"a\"><Cache-Control>");
		for (k = 1; k < counts[i]; k++)
			n += (size_t)sprintf(big + n, "<no-cache/>");
		n += (size_t)sprintf(big + n, "</Cache-Control></File>"
		    "<File TOI=\"2\" Content-Location=\"b\"/></FDT-Instance>");
		CHECK(fdt_parse(big, n, &f, NULL) ==
		    (counts[i] <= FDT_MAX_SUBTREE ? 0 : FDT_ELIMIT));
		if (f != NULL)
			CHECK(f->nfiles == 2 && f->files[0].no_cache);
		fdt_free(f);
		f = NULL;
	}
	/* Comments, PIs and CDATA add no nodes and count for no limit. */
	n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\"><File TOI=\"1\" "
	    "Content-Location=\"a\"><Cache-Control><Expires>");
	while (n < (512u << 10))
		n += (size_t)sprintf(big + n, "<!-- -->1<?p?><![CDATA[]]>");
	n += (size_t)sprintf(big + n, "</Expires></Cache-Control></File>"
	    "</FDT-Instance>");
	REQUIRE(fdt_parse(big, n, &f, NULL) == 0);
	CHECK(f->nfiles == 1 && f->files[0].cache_expires == -1);
	fdt_free(f);
}

static void
test_huge_values(void)
{
	static const char *const attrs[] = {
		"Content-Location", "Content-Type", "Content-Encoding", "TOI",
		"Content-Length", "FEC-OTI-Encoding-Symbol-Length",
		"FEC-OTI-Scheme-Specific-Info",
	};
	struct fdt *f;
	size_t i, n, sk;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\"><File "
		    "TOI=\"1\" Content-Location=\"a\" %s=\"", attrs[i]);
		memset(big + n, i == 3 || i == 4 ? '7' : 'A', 1 << 20);
		n += 1 << 20;
		n += (size_t)sprintf(big + n, "\"/></FDT-Instance>");
		/* Duplicate TOI/Content-Location: not well-formed. */
		if (i == 0 || i == 3) {
			CHECK(fdt_parse(big, n, &f, &sk) == FDT_EXML);
			continue;
		}
		REQUIRE(fdt_parse(big, n, &f, &sk) == 0);
		CHECK(f->nfiles == 0 && sk == 1);
		fdt_free(f);
	}
	n = (size_t)sprintf(big, "<FDT-Instance Expires=\"");
	memset(big + n, '9', 1 << 20);
	n += 1 << 20;
	n += (size_t)sprintf(big + n, "\"/>");
	CHECK(fdt_parse(big, n, &f, NULL) == FDT_EATTR);
	n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\"><File "
	    "TOI=\"1\" Content-Location=\"");
	memset(big + n, 'u', 1 << 20);
	n += 1 << 20;
	n += (size_t)sprintf(big + n, "\"/></FDT-Instance>");
	REQUIRE(fdt_parse(big, n, &f, &sk) == 0);
	CHECK(f->nfiles == 0 && sk == 1);
	fdt_free(f);
}

static void
test_bad_bytes(void)
{
	static const struct {
		const char	*xml;
		size_t		len;
		int		rc;
	} t[] = {
#define B(s, rc) { s, sizeof(s) - 1, rc }
		B("<FDT-Instance Expires=\"1\"><File TOI=\"1\" "
		  "Content-Location=\"a\0b\"/></FDT-Instance>", FDT_EXML),
		B("<FDT-Instance Expires=\"1\">\0</FDT-Instance>", FDT_EXML),
		B("\0<FDT-Instance Expires=\"1\"/>", FDT_EXML),
		B("<FDT-Instance Expires=\"1\"/>\0garbage", FDT_EXML),
		B("<FDT-Instance Expires=\"1\"/>\0\0<x", FDT_EXML),
		/* A C string terminator counted in the length is fine. */
		B("<FDT-Instance Expires=\"1\"/>\0", 0),
		B("<FDT-Instance Expires=\"1\"/>\n\0\0\0", 0),
		B("\0\0\0", FDT_EXML),
		B("<FDT-Instance Expires=\"1\"><File TOI=\"1\" "
		  "Content-Location=\"\xff\xfe\"/></FDT-Instance>", FDT_EXML),
		B("<FDT-Instance Expires=\"1\"><File TOI=\"1\" "
		  "Content-Location=\"\xc0\xaf\"/></FDT-Instance>", FDT_EXML),
		B("<FDT-Instance Expires=\"1\"><File TOI=\"1\" "
		  "Content-Location=\"\xed\xa0\x80\"/></FDT-Instance>", FDT_EXML),
		B("<FDT-Instance Expires=\"1\">\xe2\x82</FDT-Instance>", FDT_EXML),
		B("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		  "<FDT-Instance Expires=\"1\" \x80=\"1\"/>", FDT_EXML),
		B("<FDT-Instance Expires=\"1\">&#0;</FDT-Instance>", FDT_EXML),
		B("<FDT-Instance Expires=\"1\"><File TOI=\"1\" "
		  "Content-Location=\"&#xD800;\"/></FDT-Instance>", FDT_EXML),
		B("<FDT-Instance Expires=\"1\">\x1b$B</FDT-Instance>", FDT_EXML),
		/* UTF-16 (both orders, with and without BOM), EBCDIC. */
		B("\xff\xfe<\0F\0/\0>\0", FDT_EXML),
		B("\xfe\xff\0<\0F\0/\0>", FDT_EXML),
		B("<\0?\0x\0m\0l\0 \0?\0>\0", FDT_EXML),
		B("\x4c\x6f\xa7\x94\x93\x40\x6f\x6e", FDT_EXML),
		/* Declared Latin-1 with a Latin-1 byte: not UTF-8. */
		B("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
		  "<FDT-Instance Expires=\"1\"><File TOI=\"1\" "
		  "Content-Location=\"caf\xe9\"/></FDT-Instance>", FDT_EXML),
		/* The declaration is ignored; what counts is UTF-8. */
		B("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
		  "<FDT-Instance Expires=\"1\"/>", 0),
		B("<?xml version=\"1.0\" encoding=\"UTF-16\"?>"
		  "<FDT-Instance Expires=\"1\"/>", 0),
		B("<?xml version=\"1.0\" encoding=\"ISO-2022-JP\"?>"
		  "<FDT-Instance Expires=\"1\"/>", 0),
		B("\xef\xbb\xbf<?xml version=\"1.0\"?><FDT-Instance "
		  "Expires=\"1\"/>", 0),
		B("\n <FDT-Instance Expires=\"1\"/>", 0),
#undef B
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fdt *f = (struct fdt *)&f;
		int rc = fdt_parse(t[i].xml, t[i].len, &f, NULL);

		if (rc != t[i].rc)
			fprintf(stderr, "bad bytes case %zu: %d\n", i, rc);
		CHECK(rc == t[i].rc);
		CHECK((rc == 0) == (f != NULL));
		if (rc == 0)
			fdt_free(f);
	}
	/* Valid non-ASCII UTF-8 passes through unchanged. */
	{
		struct fdt *f;

		REQUIRE(parse(doc1("TOI=\"1\" Content-Location="
		    "\"caf\xc3\xa9/\xe2\x82\xac\"", ""), &f, NULL) == 0);
		REQUIRE(f->nfiles == 1);
		CHECK(strcmp(f->files[0].location,
		    "caf\xc3\xa9/\xe2\x82\xac") == 0);
		fdt_free(f);
	}
}

/* Truncated at every 7th byte: an error or a sane result, never a crash. */
static void
test_truncation(void)
{
	static const char *const docs[] = { rich_fdt, gpac_fdt, libflute_fdt };
	size_t d, len, full, errors, n;

	for (d = 0; d < sizeof(docs) / sizeof(docs[0]); d++) {
		full = strlen(docs[d]);
		/* Without the root's end tag no prefix is well-formed. */
		n = (size_t)(strstr(docs[d], "</") - docs[d]);
		while (strstr(docs[d] + n + 2, "</") != NULL)
			n = (size_t)(strstr(docs[d] + n + 2, "</") - docs[d]);
		for (errors = 0, len = 1; len < full; len += 7) {
			struct fdt *f = NULL;
			int rc = fdt_parse(docs[d], len, &f, NULL);

			if (len <= n)
				CHECK(rc < 0);
			if (rc < 0) {
				CHECK(f == NULL);
				errors++;
			}
			fdt_free(f);
		}
		CHECK(errors >= n / 7);
	}
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void
mutate(char *buf, size_t *len)
{
	static const char special[] = "<>\"'=&;/:x0 -#\xff\x80\0!?[]";
	size_t pos = *len ? rng() % *len : 0, k;

	switch (rng() % 6) {
	case 0:
		buf[pos] ^= (char)(1u << (rng() % 8));
		break;
	case 1:
		buf[pos] = special[rng() % (sizeof(special) - 1)];
		break;
	case 2:
		*len = pos;
		break;
	case 3:		/* delete a slice */
		k = rng() % 16;
		if (pos + k <= *len) {
			memmove(buf + pos, buf + pos + k, *len - pos - k);
			*len -= k;
		}
		break;
	case 4:		/* duplicate a slice */
		k = rng() % 64;
		if (pos + k <= *len && *len + k < 4096) {
			memmove(buf + pos + k, buf + pos, *len - pos);
			*len += k;
		}
		break;
	default:
		buf[pos] = (char)('0' + rng() % 10);
		break;
	}
}

/* A parsed instance must satisfy the header's promises. */
static int
sane(const struct fdt *f)
{
	size_t i;

	for (i = 0; i < f->nfiles; i++) {
		const struct fdt_file *x = &f->files[i];

		if (x->location == NULL || x->location[0] == '\0' ||
		    strlen(x->location) > FDT_MAX_URI ||
		    (x->toi.hi == 0 && x->toi.lo == 0) ||
		    x->toi.hi > 0xFFFFFFFFFFFFull ||
		    x->content_length < -1 || x->transfer_length < -1 ||
		    x->oti.fei < -1 || x->oti.fei > 255 || x->oti.ssi_len > 8 ||
		    x->cache_expires < -1 || x->cache_expires > UINT32_MAX)
			return 0;
	}
	return 1;
}

static void
test_mutation(void)
{
	static const char *const seeds[] = { rich_fdt, libflute_fdt };
	char buf[4096];
	size_t len, ok = 0, bad = 0, files = 0;
	int i, m;

	for (i = 0; i < 20000; i++) {
		const char *s = seeds[i % 2];
		struct fdt *f = NULL;
		int rc;

		len = strlen(s);
		memcpy(buf, s, len);
		for (m = 1 + (int)(rng() % 4); m > 0; m--)
			mutate(buf, &len);
		rc = fdt_parse(buf, len, &f, NULL);
		if (rc == 0) {
			CHECK(f != NULL && sane(f));
			files += f->nfiles;
			ok++;
		} else {
			CHECK(f == NULL && rc >= FDT_ENOMEM && rc < 0);
			bad++;
		}
		fdt_free(f);
	}
	fprintf(stderr, "mutation: %zu parsed (%zu files), %zu refused\n",
	    ok, files, bad);
	CHECK(ok > 1000 && bad > 1000);
}

static void *
thread_main(void *arg)
{
	int i, *fails = arg;

	for (i = 0; i < 300; i++) {
		struct fdt *f;
		const char *x = i % 2 ? gpac_fdt : libflute_fdt;

		if (fdt_parse(x, strlen(x), &f, NULL) != 0) {
			(*fails)++;
			continue;
		}
		*fails += f->nfiles != (i % 2 ? 6u : 7u);
		fdt_free(f);
	}
	return NULL;
}

/* Parsing from several threads at once (the receive threads do this). */
static void
test_threads(void)
{
	pthread_t th[4];
	int fails[4] = { 0, 0, 0, 0 }, i;

	for (i = 0; i < 4; i++)
		REQUIRE(pthread_create(&th[i], NULL, thread_main,
		    &fails[i]) == 0);
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK_EQ_U(fails[i], 0);
	}
}

static void
test_strerror(void)
{
	static const int codes[] = { FDT_EXML, FDT_EROOT, FDT_EATTR,
	    FDT_ELIMIT, FDT_ENOMEM };
	size_t i, j;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		CHECK(fdt_strerror(codes[i])[0] != '\0');
		CHECK(strcmp(fdt_strerror(codes[i]), "unknown") != 0);
		for (j = 0; j < i; j++)
			CHECK(strcmp(fdt_strerror(codes[i]),
			    fdt_strerror(codes[j])) != 0);
	}
	CHECK(strcmp(fdt_strerror(-77), "unknown") == 0);
	fdt_free(NULL);
}

TEST_MAIN(TEST(test_namespaces), TEST(test_gpac), TEST(test_expected_lists),
    TEST(test_libflute), TEST(test_rich), TEST(test_flags),
    TEST(test_expires), TEST(test_toi), TEST(test_file_attrs),
    TEST(test_defaults), TEST(test_digests), TEST(test_cache_control),
    TEST(test_refused), TEST(test_entities), TEST(test_depth),
    TEST(test_limits), TEST(test_ns_scope), TEST(test_subtree),
    TEST(test_huge_values), TEST(test_bad_bytes),
    TEST(test_truncation), TEST(test_mutation), TEST(test_threads),
    TEST(test_strerror))
