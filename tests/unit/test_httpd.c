/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_httpd.c: the HTTP layer.  First the pure helpers of mime.c, table
 * driven with hostile input; then the real server end to end: a temporary
 * cache with a small playlist (served from RAM) and a 3 MB segment (served
 * from its file), httpd on 127.0.0.1:0, and libcurl as the player.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <nettle/md5.h>

#include "../../daemon/cache.h"
#include "../../daemon/cache_fs.h"
#include "../../daemon/conf.h"
#include "../../daemon/httpd.h"
#include "../../daemon/httpd_int.h"	/* loopback, table bound */
#include "../../daemon/log.h"
#include "../../daemon/mime.h"
#include "../../daemon/names.h"
#include "../../daemon/util.h"
#include "test.h"

/* ---- pure helpers ---- */

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

/* ---- end to end ---- */

#define BIG_SIZE	(3u << 20)

static _Atomic int e2e_ready;
static char e2e_dir[64];
static int e2e_port;
static uint8_t *big_body;
static const char small_v1[] =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
    "#EXTINF:2.0,\nseg1.ts\n";
static const char small_v2[] =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
    "#EXTINF:2.0,\nseg1.ts\n#EXTINF:2.0,\nseg2.ts\n";

static int
e2e_health(char *buf, size_t len)
{
	int r = atomic_load(&e2e_ready);

	snprintf(buf, len, "{\"ready\":%s}", r ? "true" : "false");
	return r;
}

static size_t
e2e_metrics(char *buf, size_t len)
{
	struct httpd_stats st;
	size_t off = 0;
	int i, n;

	httpd_get_stats(&st);
	for (i = 0; i < HTTPD_NCODES; i++) {
		n = snprintf(buf + off, len - off,
		    "http_requests_total{code=\"%s\"} %llu\n",
		    httpd_code_label(i), (unsigned long long)st.by_code[i]);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	return off;
}

static const struct httpd_hooks e2e_hooks = { e2e_health, e2e_metrics };

/*
 * Stage a file in the cache's own format and publish it; the type in the
 * file header and the one handed to cache_publish may differ.
 */
static int
e2e_publish_as(const char *path, const void *body, size_t len, uint64_t seq,
    const char *htype, const char *type, int in_ram, uint8_t md5[16])
{
	static uint8_t hdrbuf[CACHE_FS_BODY_OFF];
	struct cache_fs_hdr h;
	struct cache_obj o;
	struct md5_ctx ctx;
	char tmp[128];
	int fd, r;

	md5_init(&ctx);
	md5_update(&ctx, len, body);
	md5_digest(&ctx, 16, md5);
	memset(&h, 0, sizeof(h));
	h.body_len = len;
	memcpy(h.md5, md5, 16);
	h.mtime = 1700000000;
	h.seq = seq;
	util_strlcpy(h.content_type, htype, sizeof(h.content_type));
	util_strlcpy(h.path, path, sizeof(h.path));
	if (cache_fs_hdr_encode(&h, hdrbuf, sizeof(hdrbuf)) < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s/tmp/pub%llu", e2e_dir,
	    (unsigned long long)seq);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return -1;
	r = cache_fs_pwrite_full(fd, hdrbuf, sizeof(hdrbuf), 0) == 0 &&
	    cache_fs_pwrite_full(fd, body, len, CACHE_FS_BODY_OFF) == 0;
	close(fd);
	if (!r)
		return -1;
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.tmp_file = tmp;
	o.size = len;
	o.body_off = CACHE_FS_BODY_OFF;
	o.content_type = type;
	o.md5 = md5;
	o.seq = seq;
	o.mtime = h.mtime;
	o.body = in_ram ? body : NULL;
	return cache_publish(&o);
}

static int
e2e_publish(const char *path, const void *body, size_t len, uint64_t seq,
    const char *type, int in_ram, uint8_t md5[16])
{
	return e2e_publish_as(path, body, len, seq, type, type, in_ram, md5);
}

struct resp {
	long	code;
	char	hdr[16384];
	size_t	hlen;
	uint8_t	*body;
	size_t	blen;
	size_t	bcap;
};

static size_t
resp_hdr(char *p, size_t sz, size_t n, void *arg)
{
	struct resp *r = arg;
	size_t len = sz * n;

	if (r->hlen + len < sizeof(r->hdr)) {
		memcpy(r->hdr + r->hlen, p, len);
		r->hlen += len;
		r->hdr[r->hlen] = '\0';
	}
	return len;
}

static size_t
resp_body(char *p, size_t sz, size_t n, void *arg)
{
	struct resp *r = arg;
	size_t len = sz * n;

	if (r->blen + len > r->bcap) {
		size_t cap = (r->blen + len) * 2;
		uint8_t *nb = realloc(r->body, cap);

		if (nb == NULL)
			return 0;
		r->body = nb;
		r->bcap = cap;
	}
	memcpy(r->body + r->blen, p, len);
	r->blen += len;
	return len;
}

static void
resp_free(struct resp *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* The value of header name in r (a static copy), or NULL. */
static const char *
resp_get(const struct resp *r, const char *name)
{
	static _Thread_local char val[512];
	const char *p = r->hdr;
	size_t nl = strlen(name);

	while ((p = strstr(p, "\n")) != NULL) {
		p++;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1, *e;

			while (*v == ' ')
				v++;
			e = v + strcspn(v, "\r\n");
			snprintf(val, sizeof(val), "%.*s", (int)(e - v), v);
			return val;
		}
	}
	return NULL;
}

static int
resp_has(const struct resp *r, const char *name, const char *value)
{
	const char *v = resp_get(r, name);

	return v != NULL && strcmp(v, value) == 0;
}

/*
 * One request to 127.0.0.1:port with the exact request target (curl sends
 * it as is, so "..", "%00" and the absolute form reach the server).
 */
static int
fetch_port(int port, const char *method, const char *target,
    const char *h1, const char *h2, struct resp *r)
{
	struct curl_slist *hl = NULL;
	char url[64];
	CURL *c;
	CURLcode cc;

	memset(r, 0, sizeof(*r));
	if ((c = curl_easy_init()) == NULL)
		return -1;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_REQUEST_TARGET, target);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, resp_hdr);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, resp_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (h1 != NULL)
		hl = curl_slist_append(hl, h1);
	if (h2 != NULL)
		hl = curl_slist_append(hl, h2);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->code);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK)
		fprintf(stderr, "curl %s %.60s: %s\n", method, target,
		    curl_easy_strerror(cc));
	return cc == CURLE_OK ? 0 : -1;
}

static int
fetch(const char *method, const char *target, const char *h1,
    const char *h2, struct resp *r)
{
	return fetch_port(e2e_port, method, target, h1, h2, r);
}

/* GET target and expect code; returns the body length or -1. */
static long
get_code(const char *target, long code)
{
	struct resp r;
	long n = -1;

	if (fetch("GET", target, NULL, NULL, &r) == 0 && r.code == code &&
	    resp_has(&r, "Access-Control-Allow-Origin", "*"))
		n = (long)r.blen;
	if (n < 0)
		fprintf(stderr, "GET %.60s: %ld, want %ld\n", target, r.code,
		    code);
	resp_free(&r);
	return n;
}

static int
e2e_setup(struct conf **cp)
{
	struct cache_params p;
	struct conf *c;
	char err[256];
	size_t i;

	snprintf(e2e_dir, sizeof(e2e_dir), "/tmp/test_httpd.XXXXXX");
	if (mkdtemp(e2e_dir) == NULL)
		return -1;
	memset(&p, 0, sizeof(p));
	p.dir = e2e_dir;
	p.max_bytes = 64ull << 20;
	p.mem_max = 64 << 10;
	p.mem_budget = 1 << 20;
	p.fsync_mode = CONF_FSYNC_NEVER;
	if (cache_init(&p, err, sizeof(err)) != 0) {
		fprintf(stderr, "cache_init: %s\n", err);
		return -1;
	}
	if ((big_body = malloc(BIG_SIZE)) == NULL)
		return -1;
	srandom(12345);
	for (i = 0; i < BIG_SIZE; i++)
		big_body[i] = (uint8_t)random();
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	conf_defaults(c);
	c->nlisten = 1;
	util_strlcpy(c->listen[0], "127.0.0.1:0", sizeof(c->listen[0]));
	c->http_threads = 2;
	*cp = c;
	return 0;
}

static void
e2e_teardown(struct conf *c)
{
	char cmd[128];

	httpd_stop();
	cache_shutdown();
	free(c);
	free(big_body);
	big_body = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e2e_dir);
	if (e2e_dir[0] != '\0' && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", e2e_dir);
}

/* Health before and after ready, the reserved paths, bad targets. */
static void
e2e_paths(void)
{
	struct resp r;
	char *longt;

	REQUIRE(fetch("GET", "/health", NULL, NULL, &r) == 0);
	CHECK(r.code == 503);
	CHECK(r.blen == 15 && memcmp(r.body, "{\"ready\":false}", 15) == 0);
	CHECK(resp_has(&r, "Content-Type", "application/json"));
	resp_free(&r);
	atomic_store(&e2e_ready, 1);
	REQUIRE(fetch("GET", "/health", NULL, NULL, &r) == 0);
	CHECK(r.code == 200);
	CHECK(r.blen == 14 && memcmp(r.body, "{\"ready\":true}", 14) == 0);
	resp_free(&r);

	CHECK(get_code("/", 200) > 0);
	REQUIRE(fetch("GET", "/services.json", NULL, NULL, &r) == 0);
	CHECK(r.code == 200 && r.blen == 16 &&
	    memcmp(r.body, "{\"services\":[]}\n", 16) == 0);
	resp_free(&r);
	CHECK(get_code("/dvbi/", 404) >= 0);
	CHECK(get_code("/nip/x.m3u8", 404) >= 0);
	CHECK(get_code("/missing.ts", 404) >= 0);
	CHECK(get_code("/a/../small.m3u8", 400) >= 0);
	CHECK(get_code("/a/%2e%2e/small.m3u8", 400) >= 0);
	CHECK(get_code("/small.m3u8%00", 400) >= 0);
	CHECK(get_code("/a%2fsmall.m3u8", 400) >= 0);
	CHECK(get_code("http://evil.example/small.m3u8", 400) >= 0);
	longt = malloc(NAMES_MAX + 2);
	REQUIRE(longt != NULL);
	memset(longt, 'a', NAMES_MAX + 1);
	longt[0] = '/';
	longt[NAMES_MAX + 1] = '\0';
	CHECK(get_code(longt, 400) >= 0);
	free(longt);
}

/* Full bodies from RAM and from the file, HEAD, methods, CORS. */
static void
e2e_full(const char *etag_small)
{
	char want[32];
	struct resp r;
	int i;

	for (i = 0; i < 3; i++) {	/* the second and third reuse */
		REQUIRE(fetch("GET", "/small.m3u8", NULL, NULL, &r) == 0);
		CHECK(r.code == 200);
		CHECK(r.blen == sizeof(small_v1) - 1 &&
		    memcmp(r.body, small_v1, r.blen) == 0);
		CHECK(resp_has(&r, "Content-Type",
		    "application/vnd.apple.mpegurl"));
		CHECK(resp_has(&r, "Cache-Control", "max-age=1"));
		CHECK(resp_has(&r, "ETag", etag_small));
		CHECK(resp_has(&r, "Accept-Ranges", "bytes"));
		CHECK(resp_has(&r, "Access-Control-Allow-Origin", "*"));
		CHECK(resp_has(&r, "Access-Control-Expose-Headers",
		    "Content-Length, Content-Range, Age, Date"));
		CHECK(resp_has(&r, "Last-Modified",
		    "Tue, 14 Nov 2023 22:13:20 GMT"));
		resp_free(&r);
	}
	CHECK(get_code("http://dvb.gw/small.m3u8", 200) ==
	    (long)sizeof(small_v1) - 1);
	CHECK(get_code("/small.m3u8?_HLS_msn=3", 200) ==
	    (long)sizeof(small_v1) - 1);
	CHECK(get_code("/./small.m3u8", 200) == (long)sizeof(small_v1) - 1);

	REQUIRE(fetch("GET", "/v/big.ts", NULL, NULL, &r) == 0);
	CHECK(r.code == 200);
	CHECK(r.blen == BIG_SIZE && memcmp(r.body, big_body, BIG_SIZE) == 0);
	CHECK(resp_has(&r, "Content-Type", "video/MP2T"));
	CHECK(resp_has(&r, "Cache-Control",
	    "public, max-age=86400, immutable"));
	resp_free(&r);
	CHECK(get_code("/v//big.ts", 200) == BIG_SIZE);

	REQUIRE(fetch("HEAD", "/v/big.ts", NULL, NULL, &r) == 0);
	CHECK(r.code == 200 && r.blen == 0);
	CHECK(resp_has(&r, "Content-Length", "3145728"));
	resp_free(&r);
	REQUIRE(fetch("HEAD", "/small.m3u8", "Range: bytes=0-1", NULL,
	    &r) == 0);
	CHECK(r.code == 200 && r.blen == 0);
	snprintf(want, sizeof(want), "%zu", sizeof(small_v1) - 1);
	CHECK(resp_has(&r, "Content-Length", want));
	resp_free(&r);

	REQUIRE(fetch("OPTIONS", "/v/big.ts", NULL, NULL, &r) == 0);
	CHECK(r.code == 204 && r.blen == 0);
	CHECK(resp_has(&r, "Access-Control-Allow-Origin", "*"));
	CHECK(resp_has(&r, "Access-Control-Allow-Methods",
	    "GET, HEAD, OPTIONS"));
	CHECK(resp_get(&r, "Access-Control-Allow-Headers") != NULL &&
	    strstr(resp_get(&r, "Access-Control-Allow-Headers"), "Range"));
	CHECK(resp_has(&r, "Access-Control-Max-Age", "86400"));
	resp_free(&r);

	REQUIRE(fetch("DELETE", "/v/big.ts", NULL, NULL, &r) == 0);
	CHECK(r.code == 405);
	CHECK(resp_has(&r, "Allow", "GET, HEAD, OPTIONS"));
	resp_free(&r);
}

/* Carousel metadata never reaches a header unchecked. */
static void
e2e_hostile_type(void)
{
	static const char body[] = "0123456789";
	uint8_t md5[16];
	struct resp r;

	REQUIRE(e2e_publish_as("/evil.ts", body, 10, 10, "video/mp2t",
	    "video/mp2t\r\nSet-Cookie: x=1", 1, md5) == 0);
	REQUIRE(fetch("GET", "/evil.ts", NULL, NULL, &r) == 0);
	CHECK(r.code == 200 && r.blen == 10);
	CHECK(resp_has(&r, "Content-Type", "video/mp2t"));
	CHECK(resp_get(&r, "Set-Cookie") == NULL);
	resp_free(&r);
}

/* 206 from the file and from RAM, 416, ignored and If-Range'd ranges. */
static void
e2e_ranges(const char *etag_big)
{
	char ifr[96], want[64];
	struct resp r;

	REQUIRE(fetch("GET", "/v/big.ts", "Range: bytes=100-199", NULL,
	    &r) == 0);
	CHECK(r.code == 206);
	CHECK(r.blen == 100 && memcmp(r.body, big_body + 100, 100) == 0);
	CHECK(resp_has(&r, "Content-Range", "bytes 100-199/3145728"));
	CHECK(resp_has(&r, "Content-Type", "video/MP2T"));
	resp_free(&r);

	REQUIRE(fetch("GET", "/v/big.ts", "Range: bytes=3145000-", NULL,
	    &r) == 0);
	CHECK(r.code == 206 && r.blen == 728 &&
	    memcmp(r.body, big_body + 3145000, 728) == 0);
	resp_free(&r);

	REQUIRE(fetch("GET", "/small.m3u8", "Range: bytes=-10", NULL,
	    &r) == 0);
	CHECK(r.code == 206 && r.blen == 10 &&
	    memcmp(r.body, small_v1 + sizeof(small_v1) - 11, 10) == 0);
	snprintf(want, sizeof(want), "bytes %zu-%zu/%zu",
	    sizeof(small_v1) - 11, sizeof(small_v1) - 2, sizeof(small_v1) - 1);
	CHECK(resp_has(&r, "Content-Range", want));
	resp_free(&r);

	REQUIRE(fetch("GET", "/v/big.ts", "Range: bytes=4000000-", NULL,
	    &r) == 0);
	CHECK(r.code == 416 && r.blen == 0);
	CHECK(resp_has(&r, "Content-Range", "bytes */3145728"));
	resp_free(&r);

	REQUIRE(fetch("GET", "/v/big.ts", "Range: bytes=0-1,5-6", NULL,
	    &r) == 0);
	CHECK(r.code == 200 && r.blen == BIG_SIZE);
	resp_free(&r);
	REQUIRE(fetch("GET", "/v/big.ts", "Range: bytes=x-y", NULL, &r) == 0);
	CHECK(r.code == 200 && r.blen == BIG_SIZE);
	resp_free(&r);

	snprintf(ifr, sizeof(ifr), "If-Range: %s", etag_big);
	REQUIRE(fetch("GET", "/v/big.ts", "Range: bytes=0-9", ifr, &r) == 0);
	CHECK(r.code == 206 && r.blen == 10);
	resp_free(&r);
	REQUIRE(fetch("GET", "/v/big.ts", "Range: bytes=0-9",
	    "If-Range: \"0123\"", &r) == 0);
	CHECK(r.code == 200 && r.blen == BIG_SIZE);
	resp_free(&r);
}

/* 304 by ETag and by date; mismatches get the body. */
static void
e2e_conditional(const char *etag_small, const char *etag_big)
{
	char inm[128];
	struct resp r;

	snprintf(inm, sizeof(inm), "If-None-Match: \"x\", %s", etag_big);
	REQUIRE(fetch("GET", "/v/big.ts", inm, NULL, &r) == 0);
	CHECK(r.code == 304 && r.blen == 0);
	CHECK(resp_has(&r, "ETag", etag_big));
	CHECK(resp_has(&r, "Access-Control-Allow-Origin", "*"));
	resp_free(&r);
	snprintf(inm, sizeof(inm), "If-None-Match: W/%s", etag_small);
	REQUIRE(fetch("GET", "/small.m3u8", inm, NULL, &r) == 0);
	CHECK(r.code == 304 && r.blen == 0);
	resp_free(&r);
	REQUIRE(fetch("GET", "/small.m3u8", "If-None-Match: *", NULL,
	    &r) == 0);
	CHECK(r.code == 304);
	resp_free(&r);
	REQUIRE(fetch("GET", "/small.m3u8", "If-None-Match: \"nope\"",
	    "If-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT", &r) == 0);
	CHECK(r.code == 200 && r.blen == sizeof(small_v1) - 1);
	resp_free(&r);
	REQUIRE(fetch("GET", "/v/big.ts",
	    "If-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT", NULL, &r) == 0);
	CHECK(r.code == 304);
	resp_free(&r);
	REQUIRE(fetch("GET", "/v/big.ts",
	    "If-Modified-Since: Tue, 14 Nov 2023 22:13:19 GMT", NULL, &r) == 0);
	CHECK(r.code == 200 && r.blen == BIG_SIZE);
	resp_free(&r);
	REQUIRE(fetch("GET", "/v/big.ts", "If-Modified-Since: garbage", NULL,
	    &r) == 0);
	CHECK(r.code == 200);
	resp_free(&r);
}

struct hammer {
	int	ok;
	int	n;
};

static void *
hammer_main(void *arg)
{
	struct hammer *h = arg;
	struct resp r;
	int i;

	for (i = 0; i < h->n; i++) {
		if (fetch("GET", "/small.m3u8", NULL, NULL, &r) == 0 &&
		    r.code == 200 && r.blen == sizeof(small_v2) - 1 &&
		    memcmp(r.body, small_v2, r.blen) == 0)
			h->ok++;
		resp_free(&r);
	}
	return NULL;
}

/* A new version replaces the kept response at once; then 4 clients. */
static void
e2e_replace(const char *etag_v1)
{
	struct hammer h[4];
	pthread_t t[4];
	uint8_t md5[16];
	char hex[33], etag[40];
	struct resp r;
	int i;

	REQUIRE(e2e_publish("/small.m3u8", small_v2, sizeof(small_v2) - 1, 3,
	    "application/vnd.apple.mpegurl", 1, md5) == 0);
	util_hex(md5, 16, hex);
	snprintf(etag, sizeof(etag), "\"%s\"", hex);
	CHECK(strcmp(etag, etag_v1) != 0);
	REQUIRE(fetch("GET", "/small.m3u8", NULL, NULL, &r) == 0);
	CHECK(r.code == 200 && r.blen == sizeof(small_v2) - 1 &&
	    memcmp(r.body, small_v2, r.blen) == 0);
	CHECK(resp_has(&r, "ETag", etag));
	resp_free(&r);
	for (i = 0; i < 4; i++) {
		h[i].ok = 0;
		h[i].n = 25;
		REQUIRE(pthread_create(&t[i], NULL, hammer_main, &h[i]) == 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK(h[i].ok == h[i].n);
	}
}

/* One connection for many requests, even one with a body; 405 closes. */
static void
e2e_keepalive(void)
{
	struct resp r;
	char url[64];
	long conns[4] = { -1, -1, -1, -1 };
	CURL *c;
	int i;

	REQUIRE((c = curl_easy_init()) != NULL);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, resp_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	for (i = 0; i < 4; i++) {
		memset(&r, 0, sizeof(r));
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/%s", e2e_port,
		    i == 1 ? "v/big.ts" : "small.m3u8");
		curl_easy_setopt(c, CURLOPT_URL, url);
		if (i == 2) {
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "GET");
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, "ignored body");
		}
		CHECK(curl_easy_perform(c) == CURLE_OK);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
		curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &conns[i]);
		CHECK(r.code == 200);
		CHECK(r.blen == (i == 1 ? BIG_SIZE : sizeof(small_v1) - 1));
		resp_free(&r);
		if (i == 2) {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
			curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		}
	}
	CHECK(conns[0] == 1 && conns[1] == 0 && conns[2] == 0 && conns[3] == 0);
	/* A refused method is answered at once and the connection closed. */
	memset(&r, 0, sizeof(r));
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "POST");
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "x=1");
	CHECK(curl_easy_perform(c) == CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
	CHECK(r.code == 405);
	resp_free(&r);
	curl_easy_cleanup(c);
}

/*
 * The server side of our own loopback connection (this process runs the
 * server): its socket has the fixed send buffer.  The kernel doubles the
 * value asked for and caps it at net.core.wmem_max.
 */
static void
e2e_sndbuf(void)
{
	struct sockaddr_in a, me, peer, local;
	socklen_t l;
	unsigned long wmax = 0;
	char buf[4096];
	FILE *f;
	int s, fd, v, found = 0;
	ssize_t n;

	if ((f = fopen("/proc/sys/net/core/wmem_max", "r")) != NULL) {
		if (fscanf(f, "%lu", &wmax) != 1)
			wmax = 0;
		fclose(f);
	}
	REQUIRE((s = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)e2e_port);
	REQUIRE(connect(s, (struct sockaddr *)&a, sizeof(a)) == 0);
	l = sizeof(me);
	REQUIRE(getsockname(s, (struct sockaddr *)&me, &l) == 0);
	n = snprintf(buf, sizeof(buf), "GET /small.m3u8 HTTP/1.1\r\n"
	    "Host: x\r\n\r\n");
	REQUIRE(write(s, buf, (size_t)n) == n);
	CHECK(read(s, buf, sizeof(buf)) > 12 && memcmp(buf, "HTTP/1.1 200", 12)
	    == 0);
	for (fd = 0; fd < 1024 && !found; fd++) {
		l = sizeof(local);
		if (fd == s || getsockname(fd, (struct sockaddr *)&local,
		    &l) < 0 || local.sin_family != AF_INET ||
		    local.sin_port != a.sin_port)
			continue;
		l = sizeof(peer);
		if (getpeername(fd, (struct sockaddr *)&peer, &l) < 0 ||
		    peer.sin_port != me.sin_port)
			continue;
		l = sizeof(v);
		REQUIRE(getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &l) == 0);
		found = 1;
		if (wmax > 0 && wmax < HTTPD_LO_SNDBUF)
			CHECK((unsigned long)v == 2 * wmax);
		else
			CHECK(v == 2 * HTTPD_LO_SNDBUF);
	}
	CHECK(found);
	close(s);
}

/* GET path: 200 with len bytes of c?  1 or 0. */
static int
get_filled(const char *path, size_t len, int c)
{
	struct resp r;
	int ok;

	ok = fetch("GET", path, NULL, NULL, &r) == 0 && r.code == 200 &&
	    r.blen == len && r.body[0] == c && r.body[len - 1] == c;
	resp_free(&r);
	return ok;
}

/*
 * Many distinct RAM objects through the response table, each asked for
 * right after it is published, so the table keeps blobs the cache has
 * already dropped from its budget: each answer is right, the RAM the
 * table pins stays bounded, and all of it is given back when the server
 * stops (checked after the teardown).
 */
static void
e2e_rc_bound(void)
{
	static uint8_t body[60000];
	uint8_t md5[16];
	char path[32];
	int i, round, bad = 0;

	for (round = 0; round < 2; round++) {
		for (i = 0; i < 48; i++) {
			snprintf(path, sizeof(path), "/rc/%d.m3u8", i);
			memset(body, 'a' + i % 26, sizeof(body));
			if (round == 0)
				REQUIRE(e2e_publish(path, body, sizeof(body),
				    100 + (uint64_t)i,
				    "application/vnd.apple.mpegurl", 1,
				    md5) == 0);
			bad += !get_filled(path, sizeof(body), 'a' + i % 26);
			CHECK(httpd_rc_bytes() <= HTTPD_RC_BYTES_MAX +
			    sizeof(body) + 1024);
		}
		CHECK(httpd_rc_bytes() > HTTPD_RC_BYTES_MAX / 2);
	}
	CHECK(bad == 0);
}

/* Counters through /metrics and httpd_get_stats. */
static void
e2e_metrics_check(const struct httpd_stats *before)
{
	struct httpd_stats st;
	struct resp r;
	uint64_t sum = 0;
	int i;

	REQUIRE(fetch("GET", "/metrics", NULL, NULL, &r) == 0);
	CHECK(r.code == 200);
	CHECK(resp_has(&r, "Content-Type", "text/plain; version=0.0.4"));
	REQUIRE(resp_body("", 1, 1, &r) == 1);	/* NUL-terminate */
	CHECK(strstr((char *)r.body, "http_requests_total{code=\"200\"} ") !=
	    NULL);
	CHECK(strstr((char *)r.body, "http_requests_total{code=\"416\"} 1\n")
	    != NULL);
	resp_free(&r);
	httpd_get_stats(&st);
	for (i = 0; i < HTTPD_NCODES; i++)
		sum += st.by_code[i];
	CHECK(st.requests == sum);
	CHECK_EQ_U(st.by_code[4] - before->by_code[4], 6);	/* 400 */
	CHECK_EQ_U(st.by_code[5] - before->by_code[5], 3);	/* 404 */
	CHECK_EQ_U(st.by_code[6] - before->by_code[6], 1);	/* 416 */
	CHECK_EQ_U(st.by_code[1] - before->by_code[1], 1);	/* 204 */
	CHECK_EQ_U(st.by_code[3] - before->by_code[3], 4);	/* 304 */
	CHECK(st.bytes_sent_hint > 6ull * BIG_SIZE);
}

/* A second daemon on [::1]:0, when the host has IPv6 loopback. */
static void
e2e_ipv6(struct conf *c, const char *etag_big)
{
	struct sockaddr_in6 a;
	struct resp r;
	int s, ok;

	(void)etag_big;
	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_addr = in6addr_loopback;
	s = socket(AF_INET6, SOCK_STREAM, 0);
	ok = s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (s >= 0)
		close(s);
	if (!ok) {
		fprintf(stderr, "test_httpd: no IPv6 loopback, skipping [::1]\n");
		return;
	}
	httpd_stop();
	c->nlisten = 2;
	util_strlcpy(c->listen[1], "[::1]:0", sizeof(c->listen[1]));
	REQUIRE(httpd_start(c, &e2e_hooks) == 0);
	e2e_port = httpd_bound_port(0);
	CHECK(httpd_bound_port(1) > 0);
	CHECK(httpd_bound_port(2) == -1);
	CHECK(get_code("/v/big.ts", 200) == BIG_SIZE);
	{
		char url[64];
		CURL *cu = curl_easy_init();

		REQUIRE(cu != NULL);
		memset(&r, 0, sizeof(r));
		snprintf(url, sizeof(url), "http://[::1]:%d/small.m3u8",
		    httpd_bound_port(1));
		curl_easy_setopt(cu, CURLOPT_URL, url);
		curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, resp_body);
		curl_easy_setopt(cu, CURLOPT_WRITEDATA, &r);
		CHECK(curl_easy_perform(cu) == CURLE_OK);
		curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &r.code);
		CHECK(r.code == 200 && r.blen == sizeof(small_v2) - 1);
		curl_easy_cleanup(cu);
		resp_free(&r);
	}
}

static void
test_e2e(void)
{
	struct httpd_stats before;
	struct conf *c = NULL;
	uint8_t md5[16];
	char hex[33], etag_small[40], etag_big[40];

	REQUIRE(e2e_setup(&c) == 0);
	REQUIRE(e2e_publish("/small.m3u8", small_v1, sizeof(small_v1) - 1, 1,
	    "application/vnd.apple.mpegurl", 1, md5) == 0);
	util_hex(md5, 16, hex);
	snprintf(etag_small, sizeof(etag_small), "\"%s\"", hex);
	REQUIRE(e2e_publish("/v/big.ts", big_body, BIG_SIZE, 2, "video/MP2T",
	    0, md5) == 0);
	util_hex(md5, 16, hex);
	snprintf(etag_big, sizeof(etag_big), "\"%s\"", hex);

	REQUIRE(httpd_start(c, &e2e_hooks) == 0);
	e2e_port = httpd_bound_port(0);
	REQUIRE(e2e_port > 0);
	CHECK(httpd_bound_port(1) == -1);
	httpd_get_stats(&before);

	e2e_paths();
	e2e_full(etag_small);
	e2e_ranges(etag_big);
	e2e_conditional(etag_small, etag_big);
	e2e_keepalive();
	e2e_metrics_check(&before);
	e2e_hostile_type();
	e2e_replace(etag_small);
	e2e_sndbuf();
	e2e_rc_bound();
	e2e_ipv6(c, etag_big);
	e2e_teardown(c);
	CHECK_EQ_U(httpd_rc_bytes(), 0);
}

/* Starting on a port already taken fails cleanly and can be retried. */
static void
test_start_fail(void)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	struct conf *c;
	int s;

	c = calloc(1, sizeof(*c));
	REQUIRE(c != NULL);
	conf_defaults(c);
	s = socket(AF_INET, SOCK_STREAM, 0);
	REQUIRE(s >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	REQUIRE(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    listen(s, 1) == 0 && getsockname(s, (struct sockaddr *)&a,
	    &al) == 0);
	c->nlisten = 2;
	util_strlcpy(c->listen[0], "127.0.0.1:0", sizeof(c->listen[0]));
	snprintf(c->listen[1], sizeof(c->listen[1]), "127.0.0.1:%d",
	    ntohs(a.sin_port));
	CHECK(httpd_start(c, NULL) == -1);
	CHECK(httpd_bound_port(0) == -1);
	util_strlcpy(c->listen[1], "bogus", sizeof(c->listen[1]));
	CHECK(httpd_start(c, NULL) == -1);
	c->nlisten = 1;
	CHECK(httpd_start(c, NULL) == 0);
	CHECK((e2e_port = httpd_bound_port(0)) > 0);
	/* Without hooks: always healthy, empty metrics. */
	CHECK(get_code("/health", 200) > 0);
	CHECK(get_code("/metrics", 200) == 0);
	/* No cache yet: "try again", not "gone". */
	CHECK(get_code("/x.ts", 503) >= 0);
	CHECK(httpd_start(c, NULL) == -1);	/* already running */
	httpd_stop();
	httpd_stop();
	close(s);
	free(c);
}

static void
test_setup(void)
{
	log_init("test_httpd", LOG_LEVEL_WARN);
	CHECK(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
}

static void
test_cleanup(void)
{
	curl_global_cleanup();
}

TEST_MAIN(TEST(test_setup), TEST(test_target),
    TEST(test_location_target_agree), TEST(test_range),
    TEST(test_etag), TEST(test_date), TEST(test_listen), TEST(test_header_safe),
    TEST(test_mime), TEST(test_peer_loopback),
    TEST(test_start_fail), TEST(test_e2e), TEST(test_cleanup))
