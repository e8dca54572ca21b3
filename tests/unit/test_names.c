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
		{ "/status.json", 1 }, { "/ui", 1 }, { "/ui/", 1 },
		{ "/ui/hls.min.js", 1 }, { "/ui/a/b", 1 }, { "/uix", 0 },
		{ "/a/ui/x", 0 }, { "/status.jsonx", 0 }, { "/status", 0 },
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

/* What names_hls_refs reports, kept as a list of paths. */
struct refs {
	size_t	n;
	size_t	bad;		/* not a normal key */
	char	first[NAMES_MAX];
	char	last[NAMES_MAX];
	char	path[64][128];	/* the first 64 */
};

static void
refs_cb(void *arg, const char *path)
{
	struct refs *r = arg;
	size_t len = strlen(path);

	r->bad += path[0] != '/' || len >= NAMES_MAX ||
	    strstr(path, "/../") != NULL || names_is_reserved(path);
	if (r->n == 0)
		snprintf(r->first, sizeof(r->first), "%s", path);
	snprintf(r->last, sizeof(r->last), "%s", path);
	if (r->n < 64)
		snprintf(r->path[r->n], sizeof(r->path[0]), "%s", path);
	r->n++;
}

static int
refs_run(const char *base, const char *body, size_t len, struct refs *r,
    struct names_hls_dur *d)
{
	memset(r, 0, sizeof(*r));
	return names_hls_refs(base, body, len, refs_cb, r, d);
}

static void
test_hls_refs(void)
{
	static const char pl[] =
	    "#EXTM3U\r\n"
	    "#EXT-X-VERSION:9\r\n"
	    "#EXT-X-TARGETDURATION:4\r\n"
	    "#EXT-X-PART-INF:PART-TARGET=1.0\n"
	    "#EXT-X-KEY:METHOD=AES-128,URI=\"keys/k1.bin\",IV=0x1\n"
	    "#EXT-X-KEY:METHOD=NONE\n"
	    "#EXT-X-MAP:URI=\"init.mp4\"\n"
	    "#EXTINF:3.840,title\n"
	    "seg1.m4s\n"
	    "\n"
	    "#EXT-X-BYTERANGE:100@0\n#EXTINF:4,\nall.mp4\n"
	    "#EXT-X-BYTERANGE:100@100\n#EXTINF:4.0005,\nall.mp4\n"
	    "#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"data:text/plain;base64,AA\"\n"
	    "#EXTINF:2.5,\n../up/seg3.m4s?x=1\n"
	    "#EXTINF:1,\n../../../../metrics\n"
	    "#EXT-X-PART:DURATION=1.0,URI=\"p4.0.m4s\",INDEPENDENT=YES\n"
	    "#EXT-X-PART-INF:URI=\"not-a-part.m4s\"\n"
	    "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p4.1.m4s\"\n"
	    "#EXT-X-RENDITION-REPORT:URI=\"../lo/live.m3u8\"\n"
	    "http://dvb.gw/abs/seg5.m4s";
	static const char mv[] = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n"
	    "hi/live.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2\nlo/live.m3u8\n";
	static const char *want[] = {
		"/tag/s/keys/k1.bin", "/tag/s/init.mp4", "/tag/s/seg1.m4s",
		"/tag/s/all.mp4", "/tag/up/seg3.m4s", "/tag/s/p4.0.m4s",
		"/tag/s/p4.1.m4s", "/abs/seg5.m4s",
	};
	struct names_hls_dur d;
	struct refs r;
	size_t i, n = sizeof(want) / sizeof(want[0]);

	CHECK(refs_run("/tag/s/live.m3u8", pl, sizeof(pl) - 1, &r, &d) ==
	    (int)n);
	REQUIRE(r.n == n);
	for (i = 0; i < n; i++) {
		CHECK(strcmp(r.path[i], want[i]) == 0);
		if (strcmp(r.path[i], want[i]) != 0)
			fprintf(stderr, "  ref %zu: %s\n", i, r.path[i]);
	}
	CHECK_EQ_U(d.total_ms, 3840 + 4000 + 4000 + 2500 + 1000);
	CHECK_EQ_U(d.longest_ms, 4000);
	CHECK_EQ_U(d.target_ms, 4000);
	/* Not HLS (no #EXTM3U first): a DASH manifest references nothing. */
	CHECK(refs_run("/d/m.mpd", "<?xml version=\"1.0\"?>\n<MPD>\nseg.m4s\n",
	    36, &r, &d) == 0 && r.n == 0 && d.total_ms == 0);
	CHECK(refs_run("/d/m.m3u8", "#EXTM3", 6, &r, NULL) == 0);
	CHECK(names_hls_refs("/d/m.m3u8", NULL, 0, refs_cb, &r, NULL) == 0);
	/* A multivariant playlist references its variants. */
	CHECK(refs_run("/v/master.m3u8", mv, sizeof(mv) - 1, &r, &d) == 2);
	CHECK(strcmp(r.path[1], "/v/lo/live.m3u8") == 0 && d.total_ms == 0);
}

/* #EXTINF and #EXT-X-TARGETDURATION values, good and hostile. */
static void
test_hls_durations(void)
{
	static const struct {
		const char	*v;
		uint32_t	ms;
	} c[] = {
		{ "6", 6000 }, { "6,", 6000 }, { "5.005,t", 5005 },
		{ "2.", 2000 }, { "0.0001", 0 }, { "1.23456789", 1234 },
		{ ".5", 500 }, { "-1", 0 }, { "abc", 0 }, { "", 0 },
		{ "86400", NAMES_HLS_DUR_MAX }, { "86401", NAMES_HLS_DUR_MAX },
		{ "99999999999999999999999999", NAMES_HLS_DUR_MAX },
		{ "3 ,", 3000 }, { "0x10", 0 },
	};
	char body[256];
	struct names_hls_dur d;
	struct refs r;
	size_t i;
	int n;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		n = snprintf(body, sizeof(body), "#EXTM3U\n#EXTINF:%s\ns.ts\n"
		    "#EXT-X-TARGETDURATION:%s\n#EXTINF:%s\n", c[i].v, c[i].v,
		    c[i].v);
		refs_run("/a/p.m3u8", body, (size_t)n, &r, &d);
		CHECK_EQ_U(d.total_ms, 2 * (uint64_t)c[i].ms);
		CHECK_EQ_U(d.longest_ms, c[i].ms);
		CHECK_EQ_U(d.target_ms, c[i].ms);
	}
}

/*
 * Bounds: 100,000 segment lines report NAMES_MAX_REFS, the newest ones
 * and every map; a 1 MB line, binary noise, NULs and every truncation
 * never crash or report anything that is not a normal key.
 */
static void
test_hls_refs_hostile(void)
{
	static const char head[] = "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n";
	struct names_hls_dur d;
	struct refs r;
	size_t cap = 3u << 20, len, i, j;
	char *b = malloc(cap);
	uint32_t x = 7;

	REQUIRE(b != NULL);
	len = (size_t)snprintf(b, cap, "%s", head);
	for (i = 0; i < 100000; i++)
		len += (size_t)snprintf(b + len, cap - len,
		    "#EXTINF:2,\ns%06zu.ts\n", i);
	CHECK(refs_run("/l/p.m3u8", b, len, &r, &d) == NAMES_MAX_REFS);
	CHECK_EQ_U(r.n, NAMES_MAX_REFS);
	CHECK(strcmp(r.first, "/l/init.mp4") == 0);
	CHECK(strcmp(r.path[1], "/l/s095905.ts") == 0);
	CHECK(strcmp(r.last, "/l/s099999.ts") == 0);
	CHECK_EQ_U(d.total_ms, 200000000ull);
	/* A line of 1 MB, then a good one. */
	len = (size_t)snprintf(b, cap, "%s", head);
	memset(b + len, 'a', 1 << 20);
	len += 1 << 20;
	len += (size_t)snprintf(b + len, cap - len, "\n#EXT-X-MAP:URI=\"%s",
	    "i2.mp4\"\nok.ts\n");
	CHECK(refs_run("/l/p.m3u8", b, len, &r, NULL) == 3);
	CHECK(strcmp(r.last, "/l/ok.ts") == 0);
	/* Binary noise after the magic, seeded. */
	for (j = 0; j < 200; j++) {
		len = 8 + j * 997 % 60000;
		memcpy(b, "#EXTM3U\n", 8);
		for (i = 8; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			b[i] = j % 2 ? "\n#:,=\"a/."[x % 9] : (char)x;
		}
		refs_run("/n/p.m3u8", b, len, &r, &d);
		CHECK(r.bad == 0 && r.n <= NAMES_MAX_REFS);
	}
	/* Every truncation of a playlist with NULs and CRs. */
	len = (size_t)snprintf(b, cap, "%s#EXTINF:1\r\na\r\n#EXT-X-PART:URI="
	    "\"p\"\n#EXT-X-KEY:URI=\"k", head);
	b[len++] = '\0';
	memcpy(b + len, "\"\nz\0y\n", 6);
	len += 6;
	for (i = 0; i <= len; i++) {
		char *cp = malloc(i + 1);

		REQUIRE(cp != NULL);
		memcpy(cp, b, i);
		refs_run("/t/p.m3u8", cp, i, &r, NULL);
		CHECK(r.bad == 0 && r.n <= 4);
		free(cp);
	}
	free(b);
}

TEST_MAIN(TEST(test_location_good), TEST(test_location_hostile),
    TEST(test_location_lengths), TEST(test_resolve), TEST(test_reserved),
    TEST(test_unescape), TEST(test_hls_maps), TEST(test_hls_refs),
    TEST(test_hls_durations), TEST(test_hls_refs_hostile))
