/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_names.c: Content-Location and reference mapping, and the escape
 * decoder.  Request targets and content types are tested with their
 * single implementations in mime.c (test_httpd.c).
 */
#include <stdio.h>
#include <string.h>

#include "../../daemon/names.h"
#include "test.h"

struct map_case {
	const char	*in;
	const char	*want;		/* NULL: must be refused */
};

static void
check_table(int (*fn)(const char *, char *, size_t),
    const struct map_case *c, size_t n, const char *what)
{
	char out[NAMES_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		int r = fn(c[i].in, out, sizeof(out));

		if (c[i].want == NULL) {
			CHECK(r == -1);
			if (r != -1)
				fprintf(stderr, "  %s(\"%s\") gave \"%s\"\n",
				    what, c[i].in, out);
		} else {
			CHECK(r == 0 && strcmp(out, c[i].want) == 0);
			if (r != 0 || strcmp(out, c[i].want) != 0)
				fprintf(stderr, "  %s(\"%s\") = %d \"%s\", "
				    "want \"%s\"\n", what, c[i].in, r, out,
				    c[i].want);
		}
	}
}

static void
test_location_good(void)
{
	static const struct map_case c[] = {
		{ "http://dvb.gw/ses.com/dvbi/service_list.xml",
		  "/ses.com/dvbi/service_list.xml" },
		{ "HTTPS://Host:8080/a/b.m3u8?x=1#frag", "/a/b.m3u8" },
		{ "http://user@h/p", "/p" },
		{ "tag:mabr.gpac.io.2025.services.4294967295/live.m3u8",
		  "/tag/mabr.gpac.io.2025.services.4294967295/live.m3u8" },
		{ "urn:dvb:metadata:cs:MulticastTransportObjectTypeCS:2021:"
		  "gateway-configuration",
		  "/urn/dvb:metadata:cs:MulticastTransportObjectTypeCS:2021:"
		  "gateway-configuration" },
		{ "TAG:x/y", "/tag/x/y" },
		{ "index.m3u8", "/index.m3u8" },
		{ "seg%201.m4s", "/seg 1.m4s" },
		{ "a//b/./c", "/a/b/c" },
		{ "/abs/x.ts", "/abs/x.ts" },
		{ "dir/", "/dir/" },
		{ "a%3Fb", "/a?b" },
		{ "seg.ts?x=1", "/seg.ts" },
		{ "dvbix/y", "/dvbix/y" },
		{ "nipper", "/nipper" },
		{ "ses.com/dvbi/x.xml", "/ses.com/dvbi/x.xml" },
		{ "caf\xc3\xa9.txt", "/caf\xc3\xa9.txt" },
		{ "a..b/..c", "/a..b/..c" },
		{ "dir/a:b.ts", "/dir/a:b.ts" },
	};

	check_table(names_from_location, c, sizeof(c) / sizeof(c[0]),
	    "location");
}

static void
test_location_hostile(void)
{
	static const struct map_case c[] = {
		{ "", NULL },
		{ "../etc/passwd", NULL },
		{ "a/../b", NULL },
		{ "a/..", NULL },
		{ "%2e%2e/x", NULL },
		{ "a/%2E%2E", NULL },
		{ "a%2f..%2fb", NULL },
		{ "a%2fb", NULL },
		{ "a%2Fb", NULL },
		{ "a\\b", NULL },
		{ "a%5cb", NULL },
		{ "..%5c..%5cwindows", NULL },
		{ "a/.%2e/b", NULL },
		{ "http://h/a/../../etc", NULL },
		{ "tag:..", NULL },
		{ "urn:a/../b", NULL },
		{ "a%00b", NULL },
		{ "a%0ab", NULL },
		{ "a%7f", NULL },
		{ "a\nb", NULL },
		{ "a\rb", NULL },
		{ "a\x7f", NULL },
		{ "%", NULL },
		{ "%4", NULL },
		{ "ab%4", NULL },
		{ "%zz", NULL },
		{ "http://host", NULL },
		{ "http://host/", NULL },
		{ "http://host?q", NULL },
		{ "tag:", NULL },
		{ "tag:/", NULL },
		{ "/", NULL },
		{ ".", NULL },
		{ "./", NULL },
		{ "//", NULL },
		{ "?x", NULL },
		{ "http://h/metrics", NULL },
		{ "health", NULL },
		{ "/services.json", NULL },
		{ "dvbi/x", NULL },
		{ "dvbi", NULL },
		{ "nip", NULL },
		{ "http://h/nip/a/b", NULL },
		{ "http://h/dvbi/", NULL },
		{ "./health", NULL },
		{ "a/../health", NULL },
	};

	check_table(names_from_location, c, sizeof(c) / sizeof(c[0]),
	    "location");
	CHECK(names_from_location(NULL, (char[8]){ 0 }, 8) == -1);
}

/* Lengths around NAMES_MAX, raw and escaped, and small output buffers. */
static void
test_location_lengths(void)
{
	static char in[4 * NAMES_MAX], out[NAMES_MAX];
	size_t i;

	memset(in, 'a', NAMES_MAX - 2);
	in[NAMES_MAX - 2] = '\0';
	CHECK(names_from_location(in, out, sizeof(out)) == 0);
	CHECK_EQ_U(strlen(out), NAMES_MAX - 1);
	memset(in, 'a', NAMES_MAX - 1);
	in[NAMES_MAX - 1] = '\0';
	CHECK(names_from_location(in, out, sizeof(out)) == -1);
	memset(in, 'a', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	CHECK(names_from_location(in, out, sizeof(out)) == -1);
	/* 2000 escaped bytes decode to a short enough name... */
	for (i = 0; i < 2000; i++)
		memcpy(in + 3 * i, "%41", 3);
	in[3 * 2000] = '\0';
	CHECK(names_from_location(in, out, sizeof(out)) == 0);
	CHECK_EQ_U(strlen(out), 2001);
	CHECK(out[1] == 'A' && out[2000] == 'A');
	/* ...but raw input beyond three times the limit is not read. */
	for (i = 0; i < 2100; i++)
		memcpy(in + 3 * i, "%41", 3);
	in[3 * 2100] = '\0';
	CHECK(names_from_location(in, out, sizeof(out)) == -1);
	/* One long segment. */
	memset(in, 'b', NAMES_MAX + 10);
	in[NAMES_MAX + 10] = '\0';
	CHECK(names_from_location(in, out, sizeof(out)) == -1);
	/* The caller's buffer bounds the result too. */
	CHECK(names_from_location("abc", out, 5) == 0);
	CHECK(strcmp(out, "/abc") == 0);
	CHECK(names_from_location("abcd", out, 5) == -1);
	CHECK(names_from_location("tag:abc", out, 8) == -1);
	CHECK(names_from_location("tag:abc", out, 9) == 0);
}

struct res_case {
	const char	*base;
	const char	*ref;
	const char	*want;
};

static void
test_resolve(void)
{
	static const struct res_case c[] = {
		{ "/tag/s/live.m3u8", "init.mp4", "/tag/s/init.mp4" },
		{ "/a/b/c.m3u8", "../i.mp4", "/a/i.mp4" },
		{ "/a/c.m3u8", "../../../i.mp4", "/i.mp4" },
		{ "/a/c.m3u8", "./x/./i.mp4", "/a/x/i.mp4" },
		{ "/a/c.m3u8", "/x/i.mp4", "/x/i.mp4" },
		{ "/a/c.m3u8", "//host/x/i.mp4", "/x/i.mp4" },
		{ "/a/c.m3u8", "http://dvb.gw/z/i.mp4", "/z/i.mp4" },
		{ "/a/c.m3u8", "tag:q/i.mp4", "/tag/q/i.mp4" },
		{ "/a/c.m3u8", "i.mp4?t=1", "/a/i.mp4" },
		{ "/a/c.m3u8", "i%20x.mp4", "/a/i x.mp4" },
		{ "/c.m3u8", "i.mp4", "/i.mp4" },
		{ "/a/c.m3u8", "", NULL },
		{ "/a/c.m3u8", "../metrics", NULL },
		{ "/a/c.m3u8", "x%00", NULL },
		{ "/a/c.m3u8", "http://h/../x", NULL },
		{ "noslash", "i.mp4", NULL },
		{ "/a/c.m3u8", "..", NULL },
	};
	char out[NAMES_MAX];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int r = names_resolve(c[i].base, c[i].ref, out, sizeof(out));

		if (c[i].want == NULL)
			CHECK(r == -1);
		else
			CHECK(r == 0 && strcmp(out, c[i].want) == 0);
		if ((c[i].want == NULL) != (r == -1) ||
		    (r == 0 && strcmp(out, c[i].want) != 0))
			fprintf(stderr, "  resolve(%s, %s) = %d \"%s\"\n",
			    c[i].base, c[i].ref, r, out);
	}
}

static void
test_reserved(void)
{
	static const struct {
		const char *path;
		int reserved;
	} c[] = {
		{ "/", 1 }, { "", 1 }, { "/health", 1 }, { "/metrics", 1 },
		{ "/services.json", 1 }, { "/dvbi", 1 }, { "/dvbi/", 1 },
		{ "/dvbi/x.xml", 1 }, { "/nip", 1 }, { "/nip/a/b", 1 },
		{ "/healthz", 0 }, { "/metrics/x", 0 }, { "/dvbix", 0 },
		{ "/a/dvbi/x", 0 }, { "/nipx/y", 0 }, { "/x.m3u8", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		CHECK(names_is_reserved(c[i].path) == c[i].reserved);
	CHECK(names_is_reserved(NULL) == 1);
}

struct maps {
	int	n;
	char	path[NAMES_MAX_MAPS + 4][64];
};

static void
maps_cb(void *arg, const char *path)
{
	struct maps *m = arg;

	if (m->n < NAMES_MAX_MAPS + 4)
		snprintf(m->path[m->n], sizeof(m->path[0]), "%s", path);
	m->n++;
}

static void
test_hls_maps(void)
{
	static const char pl[] =
	    "#EXTM3U\r\n"
	    "#EXT-X-VERSION:7\r\n"
	    "#EXT-X-MAP:URI=\"init_1.mp4\"\r\n"
	    "#EXTINF:2.0,\r\nseg1.m4s\r\n"
	    "#EXT-X-MAP:BYTERANGE=\"100@0\",URI=\"../other/init.mp4\"\n"
	    "#EXT-X-MAP:URI=unquoted.mp4\n"
	    "#EXT-X-MAP:URI=\"unterminated.mp4\n"
	    "#EXT-X-MAPX:URI=\"not-a-map.mp4\"\n"
	    "#EXT-X-MAP:URI=\"../../../../metrics\"\n"
	    "#EXT-X-MAP:FOO=1,URI=\"http://dvb.gw/abs/init.mp4\"";
	struct maps m;
	char big[64 * 40];
	size_t i, len = 0;

	memset(&m, 0, sizeof(m));
	CHECK(names_hls_maps("/tag/s/live.m3u8", pl, sizeof(pl) - 1, maps_cb,
	    &m) == 3);
	REQUIRE(m.n == 3);
	CHECK(strcmp(m.path[0], "/tag/s/init_1.mp4") == 0);
	CHECK(strcmp(m.path[1], "/tag/other/init.mp4") == 0);
	CHECK(strcmp(m.path[2], "/abs/init.mp4") == 0);
	/* A NUL inside the body does not end the scan early or crash. */
	memset(&m, 0, sizeof(m));
	CHECK(names_hls_maps("/p.m3u8", "#EXTM3U\n\0\n#EXT-X-MAP:URI=\"i\"\n",
	    29, maps_cb, &m) == 1);
	/* The count is bounded. */
	for (i = 0; i < 40; i++)
		len += (size_t)snprintf(big + len, sizeof(big) - len,
		    "#EXT-X-MAP:URI=\"i%zu.mp4\"\n", i);
	memset(&m, 0, sizeof(m));
	CHECK(names_hls_maps("/p.m3u8", big, len, maps_cb, &m) ==
	    NAMES_MAX_MAPS);
	CHECK(m.n == NAMES_MAX_MAPS);
	/* Truncated bodies at every length never read past the end. */
	for (i = 0; i < sizeof(pl) - 1; i++) {
		char *cp = malloc(i + 1);

		REQUIRE(cp != NULL);
		memcpy(cp, pl, i);
		memset(&m, 0, sizeof(m));
		names_hls_maps("/tag/s/live.m3u8", cp, i, maps_cb, &m);
		CHECK(m.n <= 3);
		free(cp);
	}
}

/* names_unescape: every byte value, and cut-short or bad escapes. */
static void
test_unescape(void)
{
	static const struct {
		const char	*s;
		size_t		at;
		int		want;		/* -1: refused */
	} c[] = {
		{ "%41", 0, 'A' }, { "%2f", 0, '/' }, { "%2F", 0, '/' },
		{ "%00", 0, 0 }, { "%ff", 0, 255 }, { "%Ff", 0, 255 },
		{ "a%7e", 1, '~' }, { "%", 0, -1 }, { "%4", 0, -1 },
		{ "a%4", 1, -1 }, { "%g1", 0, -1 }, { "%1g", 0, -1 },
		{ "% 1", 0, -1 }, { "%-1", 0, -1 }, { "%+f", 0, -1 },
	};
	char s[4];
	size_t i;
	int v;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		size_t at = c[i].at;
		int r = names_unescape(c[i].s, strlen(c[i].s), &at);

		CHECK(r == c[i].want);
		CHECK(at == (r < 0 ? c[i].at : c[i].at + 2));
		if (r != c[i].want)
			fprintf(stderr, "  unescape(\"%s\") = %d\n", c[i].s, r);
	}
	/* Every byte round-trips; n bounds the read, not the NUL. */
	for (v = 0; v < 256; v++) {
		size_t at = 0;

		snprintf(s, sizeof(s), "%%%02X", v);
		CHECK(names_unescape(s, 3, &at) == v && at == 2);
		at = 0;
		CHECK(names_unescape(s, 2, &at) == -1 && at == 0);
	}
}

TEST_MAIN(TEST(test_location_good), TEST(test_location_hostile),
    TEST(test_location_lengths), TEST(test_resolve), TEST(test_reserved),
    TEST(test_unescape), TEST(test_hls_maps))
