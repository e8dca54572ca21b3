/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_hls_hostile.c: the HLS rewriter (hls.c) against a full output
 * buffer, a playlist of 20,000 segments, and 20,000 seeded mutations of
 * three playlists (LL-HLS, CRLF with keys and byte ranges, plain) whose
 * every rewrite must keep the URI lines, list what it says and be
 * idempotent; then random blocking-request values.  Harness:
 * hls_harness.h; the table-driven cases are in test_hls.c.
 */
#include "hls_harness.h"

/* A full output buffer: -1, and nothing when nothing changes. */
static void
test_nomem(void)
{
	struct hls_state st = { 0 };
	struct hls_info info;
	struct util_sb out = { NULL, 0, 0, 1 };
	struct cb cbs = { "OOL", 0, 0, { { 0 } } };
	char *b = mk_pl("", 0, 0, 3, "");

	CHECK(hls_rewrite(b, strlen(b), "/a/p.m3u8", NULL, cb_status, &cbs,
	    &st, &out, &info) == -1);
	cbs.spec = "OOO";
	CHECK(hls_rewrite(b, strlen(b), "/a/p.m3u8", NULL, cb_status, &cbs,
	    &st, &out, &info) == 0);
	CHECK(out.p == NULL && out.len == 0);
	free(b);
}

/* 20,000 segments in about a megabyte. */
static void
test_big(void)
{
	enum { N = 20000 };
	size_t cap = (size_t)N * 64 + 256, len;
	char *b = malloc(cap), *spec = malloc(N + 1);
	const char **u = malloc(N * sizeof(*u));
	size_t *ul = malloc(N * sizeof(*ul));
	struct hls_opts o = { 1, 0 };
	struct hls_state st = { 0 };
	struct hls_info info;
	struct util_sb out;
	struct cb cbs;
	unsigned i, nu;
	int r;

	len = (size_t)snprintf(b, cap, "#EXTM3U\n#EXT-X-VERSION:6\n"
	    "#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:123456\n");
	for (i = 0; i < N; i++)
		len += (size_t)snprintf(b + len, cap - len, "#EXTINF:2.000000,"
		    "\nsegs/long_segment_name/s%u.m4s\n", i);
	memset(spec, 'O', N);
	spec[N] = '\0';
	spec[777] = 'L';
	spec[N - 1] = spec[N - 2] = spec[N - 3] = 'L';
	memset(&cbs, 0, sizeof(cbs));
	cbs.spec = spec;
	CHECK(len > 1000000);
	r = rw(b, len, &o, &cbs, &st, &out, &info);
	CHECK(r == 1);
	CHECK_EQ_U(cbs.calls, N);
	CHECK_EQ_U(info.nsegments, N - 3);
	CHECK_EQ_U(info.held_back, 3);
	CHECK_EQ_U(info.gaps, 1);
	CHECK_EQ_U(info.msn_last, 123456 + N - 4);
	CHECK(strcmp(cbs.seen[5], "/live/segs/long_segment_name/s5.m4s") ==
	    0);
	nu = uri_lines(out.p, out.len, u, ul, N);
	CHECK_EQ_U(nu, N - 3);
	CHECK(nu > 0 && ul[nu - 1] == strlen("segs/long_segment_name/"
	    "s19996.m4s"));
	CHECK_EQ_U(count_line(out.p, "#EXT-X-VERSION:8"), 1);
	CHECK(strstr(out.p, "#EXT-X-GAP\nsegs/long_segment_name/s777.m4s\n")
	    != NULL);
	free(out.p);
	free(u);
	free(ul);
	free(spec);
	free(b);
}

/* xorshift64*: seeded, so every run mutates alike. */
static uint64_t rng_s = 0x9e3779b97f4a7c15ULL;

static uint32_t
rng(uint32_t n)
{
	rng_s ^= rng_s >> 12;
	rng_s ^= rng_s << 25;
	rng_s ^= rng_s >> 27;
	return n == 0 ? 0 : (uint32_t)((rng_s * 2685821657736338717ULL) >>
	    33) % n;
}

/* Status from a hash of the path: the same URI always gets the same. */
static enum hls_seg
hash_status(void *arg, const char *path)
{
	uint32_t h = 2166136261u;

	(*(unsigned *)arg)++;
	for (; *path != '\0'; path++)
		h = (h ^ (unsigned char)*path) * 16777619u;
	h %= 7;
	return h < 4 ? HLS_SEG_OK : h < 5 ? HLS_SEG_PENDING : HLS_SEG_LOST;
}

static const char *const pieces[] = {
	"#EXTINF:1,", "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-ENDLIST",
	"#EXT-X-STREAM-INF:BANDWIDTH=1", "#EXT-X-GAP", "#EXT-X-DISCONTINUITY",
	"#EXT-X-VERSION:99", "#EXT-X-PART:URI=\"x\"", "x.ts", "", "\r",
	"#EXT-X-PART-INF:PART-TARGET=0.0001", "#EXT-X-MEDIA-SEQUENCE:7",
	"#EXT-X-MEDIA-SEQUENCE:99999999999999999999", "/health",
	"#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES", "http://h/../../x.ts",
	"#EXT-X-RENDITION-REPORT:URI=\"a\"", "#EXT-X-DISCONTINUITY-SEQUENCE:9",
	"#EXT-X-SKIP:SKIPPED-SEGMENTS=1", "#EXT-X-VERSION:3", " ", "#",
	"#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"y\"", "#EXTM3U",
};

/* One random edit of b (len bytes, cap room); returns the new length. */
static size_t
mutate(char *b, size_t len, size_t cap)
{
	static const char alpha[] = "\n\r#:,=\"0123456789 \t\xff-AXE";
	size_t at = len ? rng((uint32_t)len) : 0, n;
	const char *p;

	switch (rng(6)) {
	case 0:
		if (len > 0)
			b[at] = rng(40) == 0 ? '\0' :
			    alpha[rng(sizeof(alpha) - 1)];
		return len;
	case 1:
		n = rng(24);
		n = n > len - at ? len - at : n;
		memmove(b + at, b + at + n, len - at - n);
		return len - n;
	case 2:
		return at;
	case 3:
		p = pieces[rng(sizeof(pieces) / sizeof(pieces[0]))];
		n = strlen(p) + 1;
		if (len + n > cap)
			return len;
		while (at > 0 && b[at - 1] != '\n')
			at--;
		memmove(b + at + n, b + at, len - at);
		memcpy(b + at, p, n - 1);
		b[at + n - 1] = '\n';
		return len + n;
	default:
		/* Copy a stretch of the playlist elsewhere (lines repeat). */
		n = rng(60);
		n = n > len - at ? len - at : n;
		if (len + n > cap || n == 0)
			return len;
		{
			size_t to = rng((uint32_t)len);
			char tmp[64];

			memcpy(tmp, b + at, n);
			memmove(b + to + n, b + to, len - to);
			memcpy(b + to, tmp, n);
		}
		return len + n;
	}
}

/* The invariants of one hostile rewrite. */
static void
check_hostile(const char *b, size_t len, const struct hls_opts *o,
    struct hls_state *st, int fresh_state)
{
	enum { MAXU = 512 };
	static const char *ui[MAXU], *uo[MAXU];
	static size_t li[MAXU], lo[MAXU];
	struct hls_state fresh = { 0 };
	struct hls_info info, scan, again;
	struct util_sb out, out2;
	unsigned calls = 0, ni, no, k;
	char *copy;
	int r;

	memset(&out, 0, sizeof(out));
	r = hls_rewrite(b, len, "/h/p.m3u8", o, hash_status, &calls, st, &out,
	    &info);
	CHECK(r == 0 || r == 1);
	ni = uri_lines(b, len, ui, li, MAXU);
	if (r != 1) {
		CHECK(out.len == 0);
		CHECK(calls == 0 || calls <= ni);
		return;
	}
	CHECK(calls <= ni);
	no = uri_lines(out.p, out.len, uo, lo, MAXU);
	CHECK_EQ_U(no, info.nsegments);
	CHECK_EQ_U(ni - no, info.held_back);
	for (k = 0; k < no && k < MAXU; k++)
		CHECK(lo[k] == li[k] && memcmp(uo[k], ui[k], lo[k]) == 0);
	/* The output is a clean live playlist the rewriter leaves alone. */
	copy = malloc(out.len);
	memcpy(copy, out.p, out.len);
	hls_scan(copy, out.len, &scan);
	CHECK(scan.media == 1 && scan.endlist == 0);
	CHECK_EQ_U(scan.nsegments, info.nsegments);
	CHECK_EQ_U(scan.msn_first, info.msn_first);
	CHECK_EQ_U(scan.msn_last, info.msn_last);
	memset(&out2, 0, sizeof(out2));
	r = hls_rewrite(copy, out.len, "/h/p.m3u8", o, hash_status, &calls,
	    &fresh, &out2, &again);
	/*
	 * Idempotent, unless segments served before were kept although lost
	 * and unmarked (gap off): a fresh state would hold them back.
	 */
	if (fresh_state || o->gap) {
		CHECK(r == 0);
		CHECK_EQ_U(again.nsegments, info.nsegments);
	}
	free(out2.p);
	free(copy);
	free(out.p);
}

static void
test_hostile(void)
{
	char tmpl[3][1024];
	struct hls_state shared = { 0 };
	size_t tl[3], cap = 4096, len;
	char *b = malloc(cap), *exact;
	unsigned it, k, nmut;
	int before = test_failures;

	snprintf(tmpl[0], sizeof(tmpl[0]), "%s%s", ll_head, ll_tail);
	snprintf(tmpl[1], sizeof(tmpl[1]), "#EXTM3U\r\n#EXT-X-VERSION:3\r\n"
	    "#EXT-X-TARGETDURATION:6\r\n#EXT-X-MEDIA-SEQUENCE:5\r\n"
	    "#EXT-X-DISCONTINUITY-SEQUENCE:2\r\n#EXT-X-KEY:METHOD=AES-128,"
	    "URI=\"k,1\"\r\n#EXTINF:6,\r\na/1.ts\r\n#EXT-X-DISCONTINUITY\r\n"
	    "#EXTINF:6,\r\nhttp://h/b/2.ts\r\n#EXT-X-BYTERANGE:100@0\r\n"
	    "#EXTINF:6,\r\nc.ts\r\n#EXTINF:6,\r\nd.ts\r\n");
	{
		char *m = mk_pl("#EXT-X-VERSION:7\n", 1000, 0, 12, "");

		snprintf(tmpl[2], sizeof(tmpl[2]), "%s", m);
		free(m);
	}
	for (k = 0; k < 3; k++)
		tl[k] = strlen(tmpl[k]);
	for (it = 0; it < 20000; it++) {
		struct hls_opts o = { (int)rng(2), rng(4) };
		struct hls_state fresh = { 0 };

		k = rng(3);
		memcpy(b, tmpl[k], tl[k]);
		len = tl[k];
		for (nmut = 1 + rng(6); nmut > 0; nmut--)
			len = mutate(b, len, cap);
		/* Exactly len bytes, so ASan sees any read past the end. */
		exact = malloc(len ? len : 1);
		memcpy(exact, b, len);
		check_hostile(exact, len, &o, it % 4 == 0 ? &shared : &fresh,
		    it % 4 != 0);
		free(exact);
		if (test_failures != before) {
			fprintf(stderr, "  hostile iteration %u failed\n", it);
			break;
		}
	}
	/* Random query values never crash the block check. */
	for (it = 0; it < 2000; it++) {
		struct hls_info info = { 0 };
		char m[24], p[24];
		unsigned j, n = rng(23);

		for (j = 0; j < n; j++)
			m[j] = "0123456789+- x"[rng(14)];
		m[n] = '\0';
		snprintf(p, sizeof(p), "%u", rng(5000));
		info.media = info.can_block = 1;
		info.msn_last = rng(3) == 0 ? UINT64_MAX - rng(3) : rng(100);
		info.part_target_ms = rng(3000);
		info.target_ms = rng(2) ? UINT32_MAX - rng(3) : rng(10000);
		info.parts_next = rng(2) ? UINT32_MAX - rng(3) : rng(10);
		CHECK(hls_block_check(&info, m, rng(2) ? p : NULL) <=
		    HLS_BLOCK_BAD);
	}
	free(b);
}

TEST_MAIN(TEST(test_nomem), TEST(test_big), TEST(test_hostile))
