/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_httpd.c: the pure helpers of the HTTP layer (request targets,
 * ranges, ETags, dates, listen addresses, header safety, loopback peers,
 * MIME types), table driven with hostile input.  The real server end to
 * end is in test_httpd_e2e.c.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../daemon/httpd.h"
#include "../../daemon/httpd_int.h"	/* loopback, table bound */
#include "../../daemon/log.h"
#include "../../daemon/mime.h"
#include "../../daemon/names.h"
#include "test.h"

static void
test_target(void)
{
	static const struct {
		const char	*raw;
		const char	*want;		/* NULL: refused (400) */
	} t[] = {
		{ "/", "/" },
		{ "/a/b.m3u8", "/a/b.m3u8" },
		{ "/a/b.m3u8?x=1&y=%00", "/a/b.m3u8" },
		{ "/a/b.ts#frag", "/a/b.ts" },
		{ "/A%20Better%20Film.mp4", "/A Better Film.mp4" },
		{ "/a%25b", "/a%b" },
		{ "/caf%C3%A9", "/caf\xc3\xa9" },
		{ "/a//b/./c/", "/a/b/c/" },
		{ "/a/%2e/b", "/a/b" },
		{ "/..a/b..", "/..a/b.." },
		{ "/a/...", "/a/..." },
		{ "/a%3Fb", "/a?b" },
		{ "//x", "/x" },
		{ "http://dvb.gw/a/b.m3u8", "/a/b.m3u8" },
		{ "HTTP://DVB.GW/a", "/a" },
		{ "http://dvb.gw:80/a?q", "/a" },
		{ "http://dvb.gw", "/" },
		{ "http://dvb.gw?x", "/" },
		{ "/?x=1", "/" },
		{ "/health", "/health" },
		{ "/a%2541", "/a%41" },
		{ "/a%2e%2e", "/a.." },
		{ "/tag/x//y", "/tag/x/y" },
		{ "/seg%201.m4s", "/seg 1.m4s" },
		{ "/%2e%2e/b", NULL },
		{ "/x%00", NULL },
		{ "/x%", NULL },
		{ "/x\ty", NULL },
		{ "/a/../b", NULL },
		{ "/..", NULL },
		{ "/a/..", NULL },
		{ "/a/%2e%2e/b", NULL },
		{ "/a/%2E%2e", NULL },
		{ "/a/.%2e/b", NULL },
		{ "/a%00b", NULL },
		{ "/a%2fb", NULL },
		{ "/a%2Fb", NULL },
		{ "/a%5cb", NULL },
		{ "/a\\b", NULL },
		{ "/a%0ab", NULL },
		{ "/a%7f", NULL },
		{ "/a\rb", NULL },
		{ "/a b", NULL },
		{ "/a\x7f", NULL },
		{ "/a%", NULL },
		{ "/a%4", NULL },
		{ "/a%zz", NULL },
		{ "/a%4g", NULL },
		{ "", NULL },
		{ "*", NULL },
		{ "a/b", NULL },
		{ "http://evil.example/a", NULL },
		{ "http://dvb.gw.evil/a", NULL },
		{ "http://dvb.gw:8080/a", NULL },
		{ "http://user@dvb.gw/a", NULL },
		{ "https://dvb.gw/a", NULL },
		{ "ftp://dvb.gw/a", NULL },
		{ "http://dvb.gw/../a", NULL },
		{ "http://dvb.gwa", NULL },
		{ "http://host/a/b", NULL },
		{ "HTTPS://Host:8080/a/b.m3u8", NULL },
	};
	char out[NAMES_MAX + 1], *big;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int r = httpu_check_target(t[i].raw, out, sizeof(out));

		if (t[i].want == NULL) {
			if (r != -1)
				fprintf(stderr, "target %zu accepted: %s\n", i,
				    out);
			CHECK(r == -1);
		} else {
			if (r != 0 || strcmp(out, t[i].want) != 0)
				fprintf(stderr, "target %zu: r %d out '%s'\n",
				    i, r, out);
			CHECK(r == 0 && strcmp(out, t[i].want) == 0);
		}
	}
	CHECK(httpu_check_target(NULL, out, sizeof(out)) == -1);

	/* Over-long: exactly NAMES_MAX raw bytes pass, one more does not. */
	big = malloc(NAMES_MAX + 16);
	REQUIRE(big != NULL);
	memset(big, 'x', NAMES_MAX + 8);
	big[0] = '/';
	big[NAMES_MAX] = '\0';
	CHECK(httpu_check_target(big, out, sizeof(out)) == 0);
	CHECK_EQ_U(strlen(out), NAMES_MAX);
	/* ...but not into a buffer too small for it. */
	CHECK(httpu_check_target(big, out, 100) == -1);
	big[NAMES_MAX] = 'x';
	big[NAMES_MAX + 1] = '\0';
	CHECK(httpu_check_target(big, out, sizeof(out)) == -1);
	/* The query does not count toward the limit. */
	big[NAMES_MAX] = '?';
	CHECK(httpu_check_target(big, out, sizeof(out)) == 0);
	free(big);
}

/*
 * A carousel name (names_from_location) and the request a player makes
 * for it (httpu_check_target) meet on the same cache key.
 */
static void
test_location_target_agree(void)
{
	static const struct {
		const char	*loc;
		const char	*req;
	} t[] = {
		{ "tag:mabr.gpac.io.2025.services.4294967295/live.m3u8",
		  "/tag/mabr.gpac.io.2025.services.4294967295/live.m3u8" },
		{ "http://dvb.gw/ses.com/dvbi/cg/manifest.xml",
		  "/ses.com/dvbi/cg/manifest.xml" },
		{ "http://dvb.gw/ses.com/dvbi/cg/manifest.xml",
		  "http://dvb.gw/ses.com/dvbi/cg/manifest.xml" },
		{ "seg%201.m4s", "/seg%201.m4s" },
		{ "a%2541.ts", "/a%2541.ts" },
		{ "urn:dvb:x:y", "/urn/dvb:x:y" },
		{ "TAG:x/y", "/tag/x/y" },
		{ "a//b/./c", "/a//b/%2e/c" },
		{ "dir/", "/dir/" },
		{ "a%3Fb", "/a%3fb" },
		{ "caf\xc3\xa9.txt", "/caf%C3%A9.txt" },
	};
	char a[NAMES_MAX], b[NAMES_MAX + 1];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		REQUIRE(names_from_location(t[i].loc, a, sizeof(a)) == 0);
		REQUIRE(httpu_check_target(t[i].req, b, sizeof(b)) == 0);
		CHECK(strcmp(a, b) == 0);
		if (strcmp(a, b) != 0)
			fprintf(stderr, "  %s -> %s, %s -> %s\n", t[i].loc, a,
			    t[i].req, b);
	}
}

static void
test_range(void)
{
	static const struct {
		const char	*hdr;
		uint64_t	size;
		int		want;
		uint64_t	off, len;
	} t[] = {
		{ "bytes=0-99", 1000, HTTPU_RANGE_OK, 0, 100 },
		{ "bytes=100-199", 1000, HTTPU_RANGE_OK, 100, 100 },
		{ "bytes=999-999", 1000, HTTPU_RANGE_OK, 999, 1 },
		{ "bytes=500-", 1000, HTTPU_RANGE_OK, 500, 500 },
		{ "bytes=0-", 1000, HTTPU_RANGE_OK, 0, 1000 },
		{ "bytes=-100", 1000, HTTPU_RANGE_OK, 900, 100 },
		{ "bytes=-5000", 1000, HTTPU_RANGE_OK, 0, 1000 },
		{ "bytes=900-5000", 1000, HTTPU_RANGE_OK, 900, 100 },
		{ "BYTES=1-2", 1000, HTTPU_RANGE_OK, 1, 2 },
		{ " bytes=1-2 ", 1000, HTTPU_RANGE_OK, 1, 2 },
		{ "bytes=1-2,", 1000, HTTPU_RANGE_OK, 1, 2 },
		{ "bytes=, 1-2", 1000, HTTPU_RANGE_OK, 1, 2 },
		{ "bytes=0-99999999999999999999999", 1000, HTTPU_RANGE_OK, 0,
		    1000 },
		{ "bytes=-99999999999999999999999", 1000, HTTPU_RANGE_OK, 0,
		    1000 },
		{ "bytes=18446744073709551615-", 1000, HTTPU_RANGE_UNSAT, 0, 0 },
		{ "bytes=99999999999999999999999-", 1000, HTTPU_RANGE_UNSAT, 0,
		    0 },
		{ "bytes=1000-", 1000, HTTPU_RANGE_UNSAT, 0, 0 },
		{ "bytes=1000-2000", 1000, HTTPU_RANGE_UNSAT, 0, 0 },
		{ "bytes=-0", 1000, HTTPU_RANGE_UNSAT, 0, 0 },
		{ "bytes=0-", 0, HTTPU_RANGE_UNSAT, 0, 0 },
		{ "bytes=-1", 0, HTTPU_RANGE_UNSAT, 0, 0 },
		{ "bytes=0-1,5-6", 1000, HTTPU_RANGE_NONE, 0, 0 },
		{ "bytes=0-1, 2000-", 1000, HTTPU_RANGE_NONE, 0, 0 },
		{ "bytes=5-1", 1000, HTTPU_RANGE_NONE, 0, 0 },
		{ "bytes=", 1000, HTTPU_RANGE_NONE, 0, 0 },
		{ "bytes=,", 1000, HTTPU_RANGE_NONE, 0, 0 },
		{ "bytes=-", 1000, HTTPU_RANGE_NONE, 0, 0 },
		{ "bytes=a-b", 1000, HTTPU_RANGE_NONE, 0, 0 },
		{ "bytes=1-2x", 1000, HTTPU_RANGE_NONE, 0, 0 },
		{ "bytes=1-2,junk", 1000, HTTPU_RANGE_NONE, 0, 0 },
		{ "bytes=--1", 1000, HTTPU_RANGE_NONE, 0, 0 },
		{ "bytes=1", 1000, HTTPU_RANGE_NONE, 0, 0 },
		{ "bytes 0-1", 1000, HTTPU_RANGE_NONE, 0, 0 },
		{ "items=0-1", 1000, HTTPU_RANGE_NONE, 0, 0 },
		{ "bytes=+1-2", 1000, HTTPU_RANGE_NONE, 0, 0 },
		{ "", 1000, HTTPU_RANGE_NONE, 0, 0 },
	};
	uint64_t off, len;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int r;

		off = len = 77;
		r = httpu_parse_range(t[i].hdr, t[i].size, &off, &len);
		if (r != t[i].want)
			fprintf(stderr, "range %zu '%s': %d\n", i, t[i].hdr, r);
		CHECK(r == t[i].want);
		if (r == HTTPU_RANGE_OK && t[i].want == HTTPU_RANGE_OK) {
			CHECK_EQ_U(off, t[i].off);
			CHECK_EQ_U(len, t[i].len);
		}
	}
	CHECK(httpu_parse_range(NULL, 10, &off, &len) == HTTPU_RANGE_NONE);
}

static void
test_etag(void)
{
	static const struct {
		const char	*list;
		const char	*etag;
		int		want;
	} t[] = {
		{ "\"abc\"", "\"abc\"", 1 },
		{ "W/\"abc\"", "\"abc\"", 1 },
		{ "\"abc\"", "W/\"abc\"", 1 },
		{ "*", "\"abc\"", 1 },
		{ "\"x\", \"abc\"", "\"abc\"", 1 },
		{ "\"x\",W/\"abc\"", "\"abc\"", 1 },
		{ " ,, \"abc\" ,", "\"abc\"", 1 },
		{ "\"a,b\", \"abc\"", "\"abc\"", 1 },
		{ "junk, \"abc\"", "\"abc\"", 1 },
		{ "\"abcd\"", "\"abc\"", 0 },
		{ "\"ab\"", "\"abc\"", 0 },
		{ "abc", "\"abc\"", 0 },
		{ "\"abc", "\"abc\"", 0 },
		{ "", "\"abc\"", 0 },
		{ "\"\"", "\"abc\"", 0 },
		{ "W/", "\"abc\"", 0 },
		{ "\"abc\"", "", 0 },
		{ "\"abc\"", "abc", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int r = httpu_etag_match(t[i].list, t[i].etag);

		if (r != t[i].want)
			fprintf(stderr, "etag %zu: %d\n", i, r);
		CHECK(r == t[i].want);
	}
	CHECK(httpu_etag_match(NULL, "\"a\"") == 0);
	CHECK(httpu_if_range_match("\"abc\"", "\"abc\"") == 1);
	CHECK(httpu_if_range_match(" \"abc\" ", "\"abc\"") == 1);
	CHECK(httpu_if_range_match("W/\"abc\"", "\"abc\"") == 0);
	CHECK(httpu_if_range_match("\"abcd\"", "\"abc\"") == 0);
	CHECK(httpu_if_range_match("\"abc\"x", "\"abc\"") == 0);
	CHECK(httpu_if_range_match("Sun, 06 Nov 1994 08:49:37 GMT",
	    "\"abc\"") == 0);
	CHECK(httpu_if_range_match("\"abc\"", "") == 0);
}

static void
test_date(void)
{
	static const char *const bad[] = {
		"", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC",
		"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
		"Sun, 06 Xyz 1994 08:49:37 GMT", "Sun, 32 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 24:49:37 GMT", "Sun, 06 Nov 19x4 08:49:37 GMT",
		"Sun, 06 Nov 1969 08:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 08:49:37 GMTT",
	};
	char buf[40];
	int64_t t = 0;
	size_t i;

	CHECK(httpu_parse_date("Sun, 06 Nov 1994 08:49:37 GMT", &t) == 0);
	CHECK(t == 784111777);
	CHECK(httpu_format_date(784111777, buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, "Sun, 06 Nov 1994 08:49:37 GMT") == 0);
	CHECK(httpu_format_date(0, buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, "Thu, 01 Jan 1970 00:00:00 GMT") == 0);
	CHECK(httpu_format_date(784111777, buf, 29) == -1);
	/* Round trips over the range a cache will see. */
	for (t = 0; t < 4102444800LL; t += 86400LL * 37 + 3607) {
		int64_t back = -1;

		CHECK(httpu_format_date(t, buf, sizeof(buf)) == 0);
		CHECK(httpu_parse_date(buf, &back) == 0 && back == t);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (httpu_parse_date(bad[i], &t) != -1)
			fprintf(stderr, "date '%s' accepted\n", bad[i]);
		CHECK(httpu_parse_date(bad[i], &t) == -1);
	}
	CHECK(httpu_parse_date(NULL, &t) == -1);
}

static void
test_listen(void)
{
	static const struct {
		const char	*s;
		int		family;		/* 0: refused */
		int		port;
	} t[] = {
		{ "127.0.0.1:8080", AF_INET, 8080 },
		{ "0.0.0.0:0", AF_INET, 0 },
		{ "[::1]:80", AF_INET6, 80 },
		{ "[::]:65535", AF_INET6, 65535 },
		{ "[fe80::1]:1", AF_INET6, 1 },
		{ "127.0.0.1:65536", 0, 0 },
		{ "127.0.0.1:", 0, 0 },
		{ "127.0.0.1:80x", 0, 0 },
		{ "127.0.0.1:-1", 0, 0 },
		{ "127.0.0.1:000080", 0, 0 },
		{ "127.0.0.1", 0, 0 },
		{ ":80", 0, 0 },
		{ "localhost:80", 0, 0 },
		{ "::1:80", 0, 0 },
		{ "[::1]80", 0, 0 },
		{ "[::1:80", 0, 0 },
		{ "[]:80", 0, 0 },
		{ "[127.0.0.1]:80", 0, 0 },
		{ "300.0.0.1:80", 0, 0 },
		{ "", 0, 0 },
	};
	struct sockaddr_storage ss;
	char buf[64];
	socklen_t sl;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int r = httpu_parse_listen(t[i].s, &ss, &sl);

		if (t[i].family == 0) {
			CHECK(r == -1);
			continue;
		}
		REQUIRE(r == 0);
		CHECK(ss.ss_family == t[i].family);
		if (t[i].family == AF_INET) {
			CHECK(sl == sizeof(struct sockaddr_in));
			CHECK(ntohs(((struct sockaddr_in *)&ss)->sin_port) ==
			    t[i].port);
		} else {
			CHECK(sl == sizeof(struct sockaddr_in6));
			CHECK(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) ==
			    t[i].port);
		}
	}
	CHECK(httpu_parse_listen(NULL, &ss, &sl) == -1);

	/* What "listening on ADDR:PORT" prints. */
	REQUIRE(httpu_parse_listen("[::1]:80", &ss, &sl) == 0);
	httpu_format_addr(&ss, buf, sizeof(buf));
	CHECK(strcmp(buf, "[::1]") == 0);
	REQUIRE(httpu_parse_listen("10.1.2.3:80", &ss, &sl) == 0);
	httpu_format_addr(&ss, buf, sizeof(buf));
	CHECK(strcmp(buf, "10.1.2.3") == 0);
}

/* "IFNAME:PORT" listen addresses; addresses are not names. */
static void
test_listen_if(void)
{
	static const struct {
		const char	*s;
		const char	*ifname;	/* NULL: refused */
		int		port;
	} t[] = {
		{ "lo:8080", "lo", 8080 },
		{ "br-lan:80", "br-lan", 80 },
		{ "eth0.100:0", "eth0.100", 0 },
		{ "wlan_1:65535", "wlan_1", 65535 },
		{ "a23456789012345:1", "a23456789012345", 1 },
		{ "localhost:80", "localhost", 80 },
		{ "a234567890123456:1", NULL, 0 },	/* 16 bytes */
		{ "127.0.0.1:80", NULL, 0 },
		{ "1.2.3:80", NULL, 0 },
		{ "123:80", NULL, 0 },
		{ "[::1]:80", NULL, 0 },
		{ "::1:80", NULL, 0 },
		{ "eth0:", NULL, 0 },
		{ "eth0:65536", NULL, 0 },
		{ "eth0:8x", NULL, 0 },
		{ "eth0", NULL, 0 },
		{ ":80", NULL, 0 },
		{ "eth/0:80", NULL, 0 },
		{ "eth 0:80", NULL, 0 },
		{ "eth0%lo:80", NULL, 0 },
		{ "", NULL, 0 },
	};
	char ifn[16];
	uint16_t port;
	size_t i;
	int r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		port = 9;
		r = httpu_parse_listen_if(t[i].s, ifn, sizeof(ifn), &port);
		if (t[i].ifname == NULL) {
			CHECK(r == -1);
			if (r != -1)
				fprintf(stderr, "  listen_if %s taken\n",
				    t[i].s);
			continue;
		}
		CHECK(r == 0 && strcmp(ifn, t[i].ifname) == 0 &&
		    port == t[i].port);
	}
	CHECK(httpu_parse_listen_if(NULL, ifn, sizeof(ifn), &port) == -1);
	/* A buffer too small for the name. */
	CHECK(httpu_parse_listen_if("br-lan:80", ifn, 4, &port) == -1);
}

static void
test_header_safe(void)
{
	CHECK(httpu_header_safe("video/mp2t") == 1);
	CHECK(httpu_header_safe("\"0123abc\"") == 1);
	CHECK(httpu_header_safe("text/plain; charset=utf-8") == 1);
	CHECK(httpu_header_safe("") == 0);
	CHECK(httpu_header_safe(NULL) == 0);
	CHECK(httpu_header_safe("video/mp2t\r\nSet-Cookie: x") == 0);
	CHECK(httpu_header_safe("a\tb") == 0);
	CHECK(httpu_header_safe("caf\xc3\xa9") == 0);
	CHECK(httpu_header_safe("a\x7f") == 0);
}

/* Which peers get the fixed loopback send buffer. */
static void
test_peer_loopback(void)
{
	static const struct {
		int		family;
		const char	*addr;
		int		lo;
	} t[] = {
		{ AF_INET, "127.0.0.1", 1 },
		{ AF_INET, "127.255.255.254", 1 },
		{ AF_INET, "127.1.2.3", 1 },
		{ AF_INET, "128.0.0.1", 0 },
		{ AF_INET, "126.255.255.255", 0 },
		{ AF_INET, "10.0.0.1", 0 },
		{ AF_INET, "0.0.0.0", 0 },
		{ AF_INET, "255.255.255.255", 0 },
		{ AF_INET6, "::1", 1 },
		{ AF_INET6, "::ffff:127.0.0.1", 1 },
		{ AF_INET6, "::ffff:127.9.9.9", 1 },
		{ AF_INET6, "::ffff:10.0.0.1", 0 },
		{ AF_INET6, "::127.0.0.1", 0 },		/* not v4-mapped */
		{ AF_INET6, "::", 0 },
		{ AF_INET6, "::2", 0 },
		{ AF_INET6, "fe80::1", 0 },
		{ AF_INET6, "2001:db8::1", 0 },
	};
	struct sockaddr_storage ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&ss, 0, sizeof(ss));
		ss.ss_family = (sa_family_t)t[i].family;
		REQUIRE(inet_pton(t[i].family, t[i].addr,
		    t[i].family == AF_INET ? (void *)&a4->sin_addr :
		    (void *)&a6->sin6_addr) == 1);
		CHECK(httpd_peer_is_loopback((struct sockaddr *)&ss) ==
		    t[i].lo);
	}
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	CHECK(httpd_peer_is_loopback((struct sockaddr *)&ss) == 0);
	CHECK(httpd_peer_is_loopback(NULL) == 0);
}

static void
test_mime(void)
{
	static const struct {
		const char	*path;
		const char	*type;
	} t[] = {
		{ "/a/live.m3u8", "application/vnd.apple.mpegurl" },
		{ "/a/LIVE.M3U8", "application/vnd.apple.mpegurl" },
		{ "/a/seg1.ts", "video/mp2t" },
		{ "/a/seg1.m4s", "video/mp4" },
		{ "/a/init.mp4", "video/mp4" },
		{ "/a/a.m4a", "audio/mp4" },
		{ "/a/a.aac", "audio/aac" },
		{ "/a/sub.vtt", "text/vtt" },
		{ "/a/m.mpd", "application/dash+xml" },
		{ "/dvbi.xml", "application/xml" },
		{ "/x.json", "application/json" },
		{ "/logo.jpg", "image/jpeg" },
		{ "/logo.JPEG", "image/jpeg" },
		{ "/logo.png", "image/png" },
		{ "/a.b/key", "application/octet-stream" },
		{ "/a/noext", "application/octet-stream" },
		{ "/a/trailing.", "application/octet-stream" },
		{ "/a/x.unknownext", "application/octet-stream" },
		{ "", "application/octet-stream" },
		{ "/v.cmfv", "video/mp4" },
		{ "/v.m4v", "video/mp4" },
		{ "/a.cmfa", "audio/mp4" },
		{ "/l.m3u", "application/vnd.apple.mpegurl" },
		{ "/s.m2ts", "video/mp2t" },
		{ "/a.ac3", "audio/ac3" },
		{ "/a.ec3", "audio/eac3" },
		{ "/a.mp3", "audio/mpeg" },
		{ "/s.webvtt", "text/vtt" },
		{ "/s.ttml", "application/ttml+xml" },
		{ "/p.gif", "image/gif" },
		{ "/p.webp", "image/webp" },
		{ "/p.svg", "image/svg+xml" },
		{ "/i.html", "text/html; charset=utf-8" },
		{ "/i.HTM", "text/html; charset=utf-8" },
		{ "/r.txt", "text/plain; charset=utf-8" },
		{ "/s.css", "text/css" },
		{ "/s.js", "text/javascript" },
		{ "/k/aes.key", "application/octet-stream" },
		{ "/a.b/noext", "application/octet-stream" },
		{ "/x.ts.gz", "application/octet-stream" },
		{ "/a.ts/", "application/octet-stream" },
		{ "seg.TS", "video/mp2t" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		CHECK(strcmp(mime_from_path(t[i].path), t[i].type) == 0);
	CHECK(strcmp(mime_from_path(NULL), "application/octet-stream") == 0);
}

static void
test_setup(void)
{
	log_init("test_httpd", LOG_LEVEL_WARN);
}

TEST_MAIN(TEST(test_setup), TEST(test_target),
    TEST(test_location_target_agree), TEST(test_range),
    TEST(test_etag), TEST(test_date), TEST(test_listen),
    TEST(test_listen_if), TEST(test_header_safe),
    TEST(test_mime), TEST(test_peer_loopback))
