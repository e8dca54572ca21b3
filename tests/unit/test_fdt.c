/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_fdt.c: the FDT instance parser on real FDTs (GPAC, rt-libflute),
 * every namespace variant and attribute edge values.  Hostile documents
 * are in test_fdt_hostile.c.
 */
#include "fdt_harness.h"
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

TEST_MAIN(TEST(test_namespaces), TEST(test_gpac), TEST(test_expected_lists),
    TEST(test_libflute), TEST(test_rich), TEST(test_flags),
    TEST(test_expires), TEST(test_toi), TEST(test_file_attrs),
    TEST(test_defaults), TEST(test_digests), TEST(test_cache_control))
