/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_hls.c: the live HLS playlist rewriter and the LL-HLS blocking
 * check (hls.c), with names.c resolving segment URIs: pass-through,
 * resolution, hold-back and gaps, exact output, versions, LL-HLS parts,
 * attributes, renumbering and the blocking-request table.  A full output
 * buffer, a huge playlist and seeded mutations are in test_hls_hostile.c;
 * the shared helpers in hls_harness.h.
 */
#include "hls_harness.h"

/* The number after "tag:" in text, or UINT64_MAX if absent. */
static uint64_t
tag_num(const char *text, const char *tag)
{
	const char *p = strstr(text, tag);

	if (p == NULL)
		return UINT64_MAX;
	return strtoull(p + strlen(tag) + 1, NULL, 10);
}

static void
test_passthrough(void)
{
	static const struct {
		const char	*body;
		int		len;	/* -1: strlen */
		int		media, endlist;
		unsigned	nseg;
	} c[] = {
		{ "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n"
		  "#EXTINF:2,\nb.ts\n#EXT-X-ENDLIST\n", -1, 1, 1, 2 },
		{ "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000,CODECS=\"a,b\"\n"
		  "v1/p.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2000\nv2/p.m3u8\n",
		  -1, 0, 0, 0 },
		{ "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,URI=\"a.m3u8\"\n"
		  "#EXTINF:2,\nx.ts\n", -1, 0, 0, 0 },
		{ "hello world\n#EXTINF:2,\na.ts\n", -1, 0, 0, 0 },
		{ "", 0, 0, 0, 0 },
		{ "#EXTM3U\n#EXTINF:2,\na\0.ts\n", 25, 0, 0, 0 },
		{ "#EXTM3U\n\x01\x02\xff\xfe\n", -1, 0, 0, 0 },
		{ "\xef\xbb\xbf#EXTM3U\n#EXTINF:2,\na.ts\n", -1, 0, 0, 0 },
		{ "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:99999999999999999999\n"
		  "#EXTINF:2,\na.ts\n", -1, 1, 0, 1 },
		{ "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:-1\n#EXTINF:2,\na.ts\n",
		  -1, 1, 0, 1 },
		{ "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-MEDIA-SEQUENCE:2\n"
		  "#EXTINF:2,\na.ts\n", -1, 1, 0, 1 },
		{ "#EXTM3U\n#EXT-X-TARGETDURATION:99999999\n#EXTINF:2,\na.ts\n",
		  -1, 1, 0, 1 },
		{ "#EXTM3U\n#EXT-X-PART-INF:PART-TARGET=0\n#EXTINF:2,\na.ts\n",
		  -1, 1, 0, 1 },
		{ "#EXTM3U\n#EXTINF:2,\na.ts\n#EXTINF:2,\n", -1, 1, 0, 1 },
		{ "#EXTM3U\n#EXTINF:2,\n#EXTINF:2,\na.ts\n", -1, 1, 0, 1 },
		{ "#EXTM3U\na.ts\n#EXTINF:2,\nb.ts\n", -1, 1, 0, 2 },
		{ "#EXTM3U\n#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n#EXTINF:2,\na.ts\n",
		  -1, 1, 0, 1 },
		{ "#EXTM3U\r#EXTINF:2,\ra.ts\r", -1, 0, 0, 0 },
		{ "#EXTM3U\n", -1, 0, 0, 0 },
	};
	struct hls_opts o = { 1, 1 };
	struct hls_state st;
	struct hls_info info;
	struct util_sb out;
	struct cb cbs;
	size_t i, len;
	int r;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *b;

		len = c[i].len < 0 ? strlen(c[i].body) : (size_t)c[i].len;
		b = malloc(len + 1);
		memcpy(b, c[i].body, len);
		memset(&st, 0, sizeof(st));
		memset(&cbs, 0, sizeof(cbs));
		cbs.spec = "LLLLLLLL";
		r = rw(b, len, &o, &cbs, &st, &out, &info);
		CHECK(r == 0);
		CHECK(out.len == 0 && out.p == NULL);
		CHECK_EQ_U(cbs.calls, 0);
		CHECK_EQ_U(info.media, c[i].media);
		CHECK_EQ_U(info.endlist, c[i].endlist);
		CHECK_EQ_U(info.nsegments, c[i].nseg);
		CHECK_EQ_U(info.held_back, 0);
		CHECK(st.valid == 0);
		if (r != 0 || cbs.calls != 0)
			fprintf(stderr, "  pass-through case %zu\n", i);
		free(b);
	}
	r = hls_rewrite(NULL, 0, "/a.m3u8", &o, cb_status, &cbs, &st, &out,
	    &info);
	CHECK(r == 0 && info.media == 0);
}

static void
test_resolve(void)
{
	static const struct {
		const char	*base, *uri, *path;	/* path NULL: LOST */
	} c[] = {
		{ "/svc/live.m3u8", "seg/1.ts", "/svc/seg/1.ts" },
		{ "/svc/live.m3u8", "http://dvb.gw/x/2.ts", "/x/2.ts" },
		{ "/svc/live.m3u8", "/abs/3.ts", "/abs/3.ts" },
		{ "/svc/a/live.m3u8", "../up/4.ts", "/svc/up/4.ts" },
		{ "/svc/live.m3u8", "5.ts?token=1", "/svc/5.ts" },
		{ "/svc/live.m3u8", "//other.host/y/6.ts", "/y/6.ts" },
		{ "/svc/live.m3u8", "tag:mabr.x/7.ts", "/tag/mabr.x/7.ts" },
		{ "/svc/live.m3u8", "seg%208.ts", "/svc/seg 8.ts" },
		{ "/tag/mabr.gpac.io.2025.services.1/live.m3u8", "s1.m4s",
		  "/tag/mabr.gpac.io.2025.services.1/s1.m4s" },
		{ "/svc/live.m3u8", "/health", NULL },
		{ "/svc/live.m3u8", "a\x01" "b.ts", NULL },
	};
	struct hls_info info;
	struct util_sb out;
	struct cb cbs;
	size_t i;
	int r;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char body[512];
		struct hls_state st = { 0 };

		/* Under test second: min_segments keeps only the first. */
		snprintf(body, sizeof(body), "#EXTM3U\n"
		    "#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfirst.ts\n"
		    "#EXTINF:2,\n%s\n", c[i].uri);
		memset(&cbs, 0, sizeof(cbs));
		memset(&out, 0, sizeof(out));
		r = hls_rewrite(body, strlen(body), c[i].base, NULL,
		    cb_status, &cbs, &st, &out, &info);
		if (c[i].path != NULL) {
			CHECK(r == 0);
			CHECK_EQ_U(cbs.calls, 2);
			CHECK(strcmp(cbs.seen[1], c[i].path) == 0);
			if (strcmp(cbs.seen[1], c[i].path) != 0)
				fprintf(stderr, "  \"%s\" gave \"%s\"\n",
				    c[i].uri, cbs.seen[1]);
		} else {
			/* Unservable: never asked about, held back. */
			CHECK(r == 1);
			CHECK_EQ_U(cbs.calls, 1);
			CHECK_EQ_U(info.held_back, 1);
		}
		free(out.p);
	}
}

/* Hold-back, gaps and cuts, by segment status. */
static void
test_holdback(void)
{
	static const struct {
		const char	*spec;
		int		gap;
		uint32_t	min;
		int		ret;
		unsigned	listed;
		const char	*marks;		/* 'G': marked, per listed */
	} c[] = {
		{ "OOOOO", 0, 0, 0, 5, "....." },
		{ "OPPPP", 0, 0, 0, 5, "....." },
		{ "OOOOL", 0, 0, 1, 4, "...." },
		{ "OOOOL", 1, 0, 1, 4, "...." },
		{ "OOLLL", 0, 0, 1, 2, ".." },
		{ "OOLLL", 1, 0, 1, 2, ".." },
		{ "LLLLL", 0, 0, 1, 1, "." },
		{ "LLLLL", 1, 0, 1, 1, "G" },
		{ "LLLLL", 0, 3, 1, 3, "..." },
		{ "OOLLL", 0, 4, 1, 4, "...." },
		{ "OOLLL", 1, 4, 1, 4, "..GG" },
		{ "OOLLL", 0, 9, 0, 5, "....." },
		{ "OLOOO", 1, 0, 1, 5, ".G..." },
		{ "OLOOO", 0, 0, 1, 1, "." },
		{ "OLOLO", 1, 0, 1, 5, ".G.G." },
		{ "OLPLL", 1, 0, 1, 3, ".G." },
		{ "OLPLL", 0, 0, 1, 1, "." },
		{ "OLPLL", 0, 2, 1, 2, ".." },
		{ "LOOOO", 0, 0, 1, 1, "." },
		{ "LOOOO", 1, 0, 1, 5, "G...." },
		{ "OOOOP", 1, 0, 0, 5, "....." },
		{ "OOPLP", 0, 0, 1, 3, "..." },
	};
	const char *u[8];
	size_t ul[8], i, k;
	struct hls_info info;
	struct util_sb out;
	struct cb cbs;
	char *b;
	int r;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct hls_opts o = { c[i].gap, c[i].min };
		struct hls_state st = { 0 };
		unsigned n = (unsigned)strlen(c[i].spec), gaps = 0, nu;

		b = mk_pl("", 40, 0, n, "");
		memset(&cbs, 0, sizeof(cbs));
		cbs.spec = c[i].spec;
		r = rw(b, strlen(b), &o, &cbs, &st, &out, &info);
		CHECK(r == c[i].ret);
		CHECK_EQ_U(cbs.calls, n);
		CHECK(strcmp(cbs.seen[0], "/live/s0.ts") == 0);
		CHECK_EQ_U(info.nsegments, c[i].listed);
		CHECK_EQ_U(info.held_back, n - c[i].listed);
		CHECK_EQ_U(info.msn_first, 40);
		CHECK_EQ_U(info.msn_last, 40 + c[i].listed - 1);
		for (k = 0; k < c[i].listed; k++)
			gaps += c[i].marks[k] == 'G';
		CHECK_EQ_U(info.gaps, gaps);
		if (r == 1) {
			nu = uri_lines(out.p, out.len, u, ul, 8);
			CHECK_EQ_U(nu, c[i].listed);
			for (k = 0; k < nu && k < 8; k++) {
				char want[64], gl[80];

				snprintf(want, sizeof(want), "s%zu.ts", k);
				CHECK(ul[k] == strlen(want) &&
				    memcmp(u[k], want, ul[k]) == 0);
				snprintf(gl, sizeof(gl), "#EXT-X-GAP\n%s\n",
				    want);
				CHECK((strstr(out.p, gl) != NULL) ==
				    (c[i].marks[k] == 'G'));
			}
			CHECK_EQ_U(count_line(out.p, "#EXT-X-VERSION:8"),
			    gaps > 0);
			CHECK_EQ_U(count_line(out.p, "#EXT-X-GAP"), gaps);
		} else {
			CHECK(out.len == 0);
		}
		if (r != c[i].ret || info.nsegments != c[i].listed)
			fprintf(stderr, "  hold-back case %zu (%s)\n", i,
			    c[i].spec);
		free(out.p);
		free(b);
	}
}

/* The exact output of a gap + hold-back rewrite, LF and CRLF. */
static void
test_exact(void)
{
	static const char in[] =
	    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:10\n"
	    "#EXTINF:2.000,\ns0.ts\n#EXTINF:2.000,\ns1.ts\n"
	    "#EXT-X-PROGRAM-DATE-TIME:2025-01-01T00:00:04Z\n"
	    "#EXTINF:2.000,\ns2.ts\n#EXTINF:2.000,\ns3.ts\n";
	static const char want[] =
	    "#EXTM3U\n#EXT-X-VERSION:8\n#EXT-X-TARGETDURATION:2\n"
	    "#EXT-X-MEDIA-SEQUENCE:10\n"
	    "#EXTINF:2.000,\ns0.ts\n#EXTINF:2.000,\n#EXT-X-GAP\ns1.ts\n"
	    "#EXT-X-PROGRAM-DATE-TIME:2025-01-01T00:00:04Z\n"
	    "#EXTINF:2.000,\ns2.ts\n";
	struct hls_opts o = { 1, 0 };
	char crin[sizeof(in) * 2], crwant[sizeof(want) * 2];
	struct hls_state st = { 0 };
	struct hls_info info;
	struct util_sb out;
	struct cb cbs = { "OLOL", 0, 0, { { 0 } } };
	size_t i, k;
	int r;

	r = rw(in, strlen(in), &o, &cbs, &st, &out, &info);
	CHECK(r == 1);
	CHECK(out.p != NULL && strcmp(out.p, want) == 0);
	CHECK_EQ_U(info.held_back, 1);
	CHECK_EQ_U(info.gaps, 1);
	free(out.p);

	/* CRLF in, CRLF out, added lines included. */
	for (i = k = 0; in[i] != '\0'; i++) {
		if (in[i] == '\n')
			crin[k++] = '\r';
		crin[k++] = in[i];
	}
	crin[k] = '\0';
	for (i = k = 0; want[i] != '\0'; i++) {
		if (want[i] == '\n')
			crwant[k++] = '\r';
		crwant[k++] = want[i];
	}
	crwant[k] = '\0';
	memset(&st, 0, sizeof(st));
	cbs.calls = 0;
	r = rw(crin, strlen(crin), &o, &cbs, &st, &out, &info);
	CHECK(r == 1);
	CHECK(out.p != NULL && strcmp(out.p, crwant) == 0);
	CHECK(strcmp(cbs.seen[3], "/live/s3.ts") == 0);
	free(out.p);

	/* A last line without a line end is still a segment. */
	r = rw(in, strlen(in) - 1, &o, &cbs, &st, &out, &info);
	CHECK(r == 1 && out.p != NULL && strcmp(out.p, want) == 0);
	free(out.p);
}

/* EXT-X-VERSION: added when absent, raised when lower, kept when higher. */
static void
test_version(void)
{
	static const struct {
		const char	*head;
		const char	*want;
	} c[] = {
		{ "", "#EXTM3U\n#EXT-X-VERSION:8\n" },
		{ "#EXT-X-VERSION:3\n", "#EXT-X-TARGETDURATION:2\n"
		  "#EXT-X-VERSION:8\n" },
		{ "#EXT-X-VERSION:8\n", "#EXT-X-TARGETDURATION:2\n"
		  "#EXT-X-VERSION:8\n" },
		{ "#EXT-X-VERSION:9\n", "#EXT-X-TARGETDURATION:2\n"
		  "#EXT-X-VERSION:9\n" },
	};
	struct hls_opts o = { 1, 0 };
	struct hls_info info;
	struct util_sb out;
	struct cb cbs;
	size_t i;
	int r;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct hls_state st = { 0 };
		char *b = mk_pl(c[i].head, 0, 0, 3, "");

		memset(&cbs, 0, sizeof(cbs));
		cbs.spec = "OLO";
		r = rw(b, strlen(b), &o, &cbs, &st, &out, &info);
		CHECK(r == 1 && out.p != NULL);
		CHECK(out.p != NULL && strstr(out.p, c[i].want) != NULL);
		CHECK(out.p != NULL && strstr(out.p, "#EXT-X-VERSION") <
		    strstr(out.p, "#EXTINF"));
		CHECK_EQ_U(count_line(out.p, "#EXT-X-VERSION:8") +
		    count_line(out.p, "#EXT-X-VERSION:9"), 1);
		/* Without a gap, no version change at all. */
		cbs.spec = "OOL";
		memset(&st, 0, sizeof(st));
		free(out.p);
		r = rw(b, strlen(b), &o, &cbs, &st, &out, &info);
		CHECK(r == 1);
		CHECK_EQ_U(count_line(out.p, "#EXT-X-VERSION:8"),
		    strstr(c[i].head, ":8") != NULL);
		free(out.p);
		free(b);
	}
}

static void
test_llhls(void)
{
	char body[2048];
	struct hls_opts o = { 0, 0 };
	struct hls_state st = { 0 };
	struct hls_info info, scan;
	struct util_sb out;
	struct cb cbs = { "OO", 20, 0, { { 0 } } };
	int r;

	snprintf(body, sizeof(body), "%s%s", ll_head, ll_tail);
	r = rw(body, strlen(body), &o, &cbs, &st, &out, &info);
	CHECK(r == 0);
	CHECK_EQ_U(cbs.calls, 2);
	CHECK_EQ_U(info.parts_next, 2);
	CHECK(info.can_block == 1 && info.media == 1);
	CHECK_EQ_U(info.target_ms, 4000);
	CHECK_EQ_U(info.part_target_ms, 1000);
	CHECK_EQ_U(info.msn_last, 21);
	hls_scan(body, strlen(body), &scan);
	CHECK(scan.media == info.media && scan.endlist == info.endlist &&
	    scan.can_block == info.can_block &&
	    scan.target_ms == info.target_ms &&
	    scan.part_target_ms == info.part_target_ms &&
	    scan.msn_first == info.msn_first &&
	    scan.msn_last == info.msn_last &&
	    scan.nsegments == info.nsegments &&
	    scan.parts_next == info.parts_next);

	/*
	 * Once served, a segment stays listed (the tail never shrinks):
	 * lost later, it is marked a gap.
	 */
	cbs.spec = "OL";
	o.gap = 1;
	r = rw(body, strlen(body), &o, &cbs, &st, &out, &info);
	CHECK(r == 1);
	CHECK_EQ_U(info.held_back, 0);
	CHECK_EQ_U(info.gaps, 1);
	CHECK_EQ_U(info.msn_last, 21);
	CHECK(out.p != NULL && strstr(out.p, "#EXT-X-GAP\n") != NULL &&
	    strstr(out.p, "s21.ts") != NULL);
	free(out.p);
	o.gap = 0;

	/* New to this player: the newest lost segment, its parts go. */
	memset(&st, 0, sizeof(st));
	r = rw(body, strlen(body), &o, &cbs, &st, &out, &info);
	CHECK(r == 1);
	CHECK_EQ_U(info.held_back, 1);
	CHECK_EQ_U(info.parts_next, 0);
	CHECK_EQ_U(info.msn_last, 20);
	CHECK(out.p != NULL && strstr(out.p, "#EXT-X-PART:") == NULL);
	CHECK(out.p != NULL && strstr(out.p, "PRELOAD-HINT") == NULL);
	CHECK(out.p != NULL && strstr(out.p, "s21.ts") == NULL);
	CHECK_EQ_U(count_line(out.p, "#EXT-X-RENDITION-REPORT:URI=\"../b/"
	    "p.m3u8\",LAST-MSN=21,LAST-PART=1"), 1);
	CHECK(out.p != NULL && strstr(out.p, "#EXT-X-PART-INF:PART-TARGET"
	    "=1.0\n") != NULL);
	free(out.p);

	/* A gap in the middle keeps the parts of the next segment. */
	snprintf(body, sizeof(body), "%s#EXTINF:4.000,\ns22.ts\n%s", ll_head,
	    strstr(ll_tail, "#EXT-X-PRELOAD"));
	cbs.spec = "OLO";
	o.gap = 1;
	r = rw(body, strlen(body), &o, &cbs, &st, &out, &info);
	CHECK(r == 1 && info.gaps == 1 && info.parts_next == 0);
	CHECK(out.p != NULL && strstr(out.p, "PRELOAD-HINT") != NULL);
	CHECK_EQ_U(count_line(out.p, "#EXT-X-PART:DURATION=1.0,URI=\""
	    "s21.p1.mp4\""), 1);
	free(out.p);
}

/* SERVER-CONTROL and PART-INF attributes, quoted commas included. */
static void
test_attrs(void)
{
	static const struct {
		const char	*tags;
		int		can_block;
		uint32_t	part_ms;
		int		media;
	} c[] = {
		{ "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES\n", 1, 0, 1 },
		{ "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=NO\n", 0, 0, 1 },
		{ "#EXT-X-SERVER-CONTROL:X-A=\"p,CAN-BLOCK-RELOAD=YES\","
		  "HOLD-BACK=6\n", 0, 0, 1 },
		{ "#EXT-X-SERVER-CONTROL:X-A=\"p,q\",CAN-BLOCK-RELOAD=YES\n",
		  1, 0, 1 },
		{ "#EXT-X-SERVER-CONTROL:XCAN-BLOCK-RELOAD=YES\n", 0, 0, 1 },
		{ "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YESS\n", 0, 0, 1 },
		{ "#EXT-X-SERVER-CONTROL:PART-HOLD-BACK=1,CAN-BLOCK-RELOAD"
		  "=YES\n#EXT-X-PART-INF:PART-TARGET=0.33334\n", 1, 334, 1 },
		{ "#EXT-X-PART-INF:PART-TARGET=0.2\n", 0, 200, 1 },
		{ "#EXT-X-PART-INF:PART-TARGET=2\n", 0, 2000, 1 },
		{ "#EXT-X-PART-INF:PART-TARGET=1.0001\n", 0, 1001, 1 },
		{ "#EXT-X-PART-INF:X=\",PART-TARGET=9\",PART-TARGET=0.5\n",
		  0, 500, 1 },
	};
	struct hls_info info;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *b = mk_pl(c[i].tags, 0, 0, 2, "");

		hls_scan(b, strlen(b), &info);
		CHECK_EQ_U(info.can_block, c[i].can_block);
		CHECK_EQ_U(info.part_target_ms, c[i].part_ms);
		CHECK_EQ_U(info.media, c[i].media);
		CHECK_EQ_U(info.target_ms, 2000);
		CHECK_EQ_U(info.nsegments, 2);
		free(b);
	}
}

/*
 * A segment the source marks EXT-X-GAP is not looked up, stays listed
 * (even last) and is not marked twice.
 */
static void
test_source_gap(void)
{
	static const char in[] =
	    "#EXTM3U\n#EXT-X-VERSION:8\n#EXT-X-TARGETDURATION:2\n"
	    "#EXTINF:2,\ns0.ts\n#EXTINF:2,\n#EXT-X-GAP\ns1.ts\n"
	    "#EXTINF:2,\ns2.ts\n#EXT-X-GAP\n#EXTINF:2,\ns3.ts\n";
	struct hls_opts o = { 1, 0 };
	struct hls_state st = { 0 };
	struct hls_info info;
	struct util_sb out;
	struct cb cbs = { "OLOL", 0, 0, { { 0 } } };
	int r;

	r = rw(in, strlen(in), &o, &cbs, &st, &out, &info);
	CHECK(r == 0);
	CHECK_EQ_U(cbs.calls, 2);
	CHECK(strcmp(cbs.seen[0], "/live/s0.ts") == 0);
	CHECK(strcmp(cbs.seen[1], "/live/s2.ts") == 0);
	CHECK_EQ_U(info.nsegments, 4);
	CHECK_EQ_U(info.gaps, 0);
	cbs.spec = "LLLL";
	o.gap = 0;
	memset(&st, 0, sizeof(st));
	r = rw(in, strlen(in), &o, &cbs, &st, &out, &info);
	CHECK(r == 1 && info.nsegments == 1 && info.held_back == 3);
	free(out.p);
}

/* Served MSNs of successive versions; see the table of versions. */
static void
test_renumber(void)
{
	static const struct {
		const char	*head;
		uint64_t	msn;
		unsigned	first;
		uint64_t	want_msn, want_dseq;	/* served */
		int		disc, renumbered, ret;
		int		restart;	/* continues after the last */
	} v[] = {
		{ "#EXT-X-DISCONTINUITY-SEQUENCE:3\n", 100, 100, 100, 3, 0,
		  0, 0, 0 },
		{ "#EXT-X-DISCONTINUITY-SEQUENCE:3\n", 101, 101, 101, 3, 0,
		  0, 0, 0 },
		/*
		 * The source restarts at 0 and forgets its sequence: the
		 * first new segment is one discontinuity after the last
		 * old one; once it leaves the head the sequence counts it.
		 */
		{ "", 0, 1000, 106, 3, 1, 1, 1, 1 },
		{ "", 0, 1000, 106, 3, 1, 1, 1, 0 },
		{ "", 1, 1001, 107, 4, 0, 1, 1, 0 },
		{ "", 3, 1003, 109, 4, 0, 1, 1, 0 },
		/* Then leaps absurdly far ahead. */
		{ "", 5000003, 2000, 114, 4, 1, 1, 1, 1 },
		{ "", 5000004, 2001, 115, 5, 0, 1, 1, 0 },
	};
	struct hls_state st = { 0 };
	struct hls_info info;
	struct util_sb out;
	struct cb cbs;
	uint64_t prev_first = 0, prev_last = 0, prev_dseq = 0;
	char *prev = NULL;
	size_t i;
	int r;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *b = mk_pl(v[i].head, v[i].msn, v[i].first, 5, "");
		const char *text;
		uint64_t dseq;

		memset(&cbs, 0, sizeof(cbs));
		r = rw(b, strlen(b), NULL, &cbs, &st, &out, &info);
		CHECK(r == v[i].ret);
		text = r == 1 ? out.p : b;
		CHECK_EQ_U(info.msn_first, v[i].want_msn);
		CHECK_EQ_U(info.msn_last, v[i].want_msn + 4);
		CHECK_EQ_U(info.renumbered, v[i].renumbered);
		CHECK_EQ_U(tag_num(text, "#EXT-X-MEDIA-SEQUENCE"),
		    v[i].want_msn);
		dseq = tag_num(text, "#EXT-X-DISCONTINUITY-SEQUENCE");
		CHECK_EQ_U(dseq == UINT64_MAX ? 0 : dseq, v[i].want_dseq);
		CHECK_EQ_U(count_line(text, "#EXT-X-DISCONTINUITY"),
		    v[i].disc);
		if (v[i].disc)
			CHECK(strstr(text, "#EXT-X-DISCONTINUITY\n#EXTINF") ==
			    strstr(text, "#EXTINF") - 21);
		/* Served numbers never go back; a repeat changes nothing. */
		if (v[i].restart)
			CHECK_EQ_U(info.msn_first, prev_last + 1);
		else if (i > 0)
			CHECK(info.msn_first >= prev_first &&
			    info.msn_last >= prev_last);
		if (i == 3)
			CHECK(prev != NULL && strcmp(prev, text) == 0);
		CHECK((dseq == UINT64_MAX ? 0 : dseq) >= prev_dseq);
		CHECK_EQ_U(st.served_last, info.msn_last);
		prev_first = info.msn_first;
		prev_last = info.msn_last;
		prev_dseq = dseq == UINT64_MAX ? 0 : dseq;
		free(prev);
		prev = strdup(text);
		free(out.p);
		free(b);
	}
	free(prev);
}

/*
 * Segments already served are never held back (the tail never shrinks);
 * served_last only counts what was listed.
 */
static void
test_served_last(void)
{
	struct hls_opts o = { 0, 0 };
	struct hls_state st = { 0 };
	struct hls_info info;
	struct util_sb out;
	struct cb cbs = { NULL, 0, 0, { { 0 } } };
	char *b = mk_pl("", 7, 0, 4, "");
	int r;

	r = rw(b, strlen(b), &o, &cbs, &st, &out, &info);
	CHECK(r == 0 && st.served_last == 10);
	cbs.spec = "OOLL";
	r = rw(b, strlen(b), &o, &cbs, &st, &out, &info);
	CHECK(r == 0 && info.msn_last == 10 && st.served_last == 10);
	CHECK(st.msn_shift == 0 && info.renumbered == 0);
	memset(&st, 0, sizeof(st));
	r = rw(b, strlen(b), &o, &cbs, &st, &out, &info);
	CHECK(r == 1 && info.msn_last == 8 && st.served_last == 8);
	free(out.p);
	free(b);
}

static void
test_block(void)
{
	static const struct {
		uint8_t		can_block, endlist;
		uint32_t	part_ms, parts_next;
		const char	*msn, *part;
		enum hls_block	want;
	} c[] = {
		{ 0, 0, 1000, 2, "101", NULL, HLS_BLOCK_NONE },
		{ 1, 1, 1000, 2, "101", NULL, HLS_BLOCK_NONE },
		{ 1, 0, 1000, 2, NULL, NULL, HLS_BLOCK_NONE },
		{ 0, 0, 1000, 2, NULL, "1", HLS_BLOCK_NONE },
		{ 1, 0, 1000, 2, NULL, "1", HLS_BLOCK_BAD },
		{ 1, 0, 1000, 2, "+1", NULL, HLS_BLOCK_BAD },
		{ 1, 0, 1000, 2, " 1", NULL, HLS_BLOCK_BAD },
		{ 1, 0, 1000, 2, "1 ", NULL, HLS_BLOCK_BAD },
		{ 1, 0, 1000, 2, "", NULL, HLS_BLOCK_BAD },
		{ 1, 0, 1000, 2, "-1", NULL, HLS_BLOCK_BAD },
		{ 1, 0, 1000, 2, "0x10", NULL, HLS_BLOCK_BAD },
		{ 1, 0, 1000, 2, "1.0", NULL, HLS_BLOCK_BAD },
		{ 1, 0, 1000, 2, "18446744073709551616", NULL, HLS_BLOCK_BAD },
		{ 1, 0, 1000, 2, "99999999999999999999", NULL, HLS_BLOCK_BAD },
		{ 1, 0, 1000, 2, "000000000000000000100", NULL, HLS_BLOCK_BAD },
		{ 1, 0, 1000, 2, "18446744073709551615", NULL, HLS_BLOCK_BAD },
		{ 1, 0, 1000, 2, "00000000000000000100", NULL,
		  HLS_BLOCK_READY },
		{ 1, 0, 1000, 2, "100", NULL, HLS_BLOCK_READY },
		{ 1, 0, 1000, 2, "0", NULL, HLS_BLOCK_READY },
		{ 1, 0, 1000, 2, "99", "7", HLS_BLOCK_READY },
		{ 1, 0, 1000, 2, "100", "99", HLS_BLOCK_READY },
		{ 1, 0, 1000, 2, "101", NULL, HLS_BLOCK_WAIT },
		{ 1, 0, 1000, 2, "102", NULL, HLS_BLOCK_WAIT },
		{ 1, 0, 1000, 2, "103", NULL, HLS_BLOCK_BAD },
		{ 1, 0, 1000, 2, "101", "0", HLS_BLOCK_READY },
		{ 1, 0, 1000, 2, "101", "1", HLS_BLOCK_READY },
		{ 1, 0, 1000, 2, "101", "2", HLS_BLOCK_WAIT },
		{ 1, 0, 1000, 2, "101", "3", HLS_BLOCK_WAIT },
		{ 1, 0, 1000, 2, "101", "4", HLS_BLOCK_BAD },
		{ 1, 0, 1000, 2, "101", "+2", HLS_BLOCK_BAD },
		{ 1, 0, 1000, 2, "101", "", HLS_BLOCK_BAD },
		{ 1, 0, 1000, 2, "101", "18446744073709551615",
		  HLS_BLOCK_BAD },
		{ 1, 0, 1000, 2, "103", "0", HLS_BLOCK_BAD },
		/* 4 parts a segment: part 0 of 102 is 3 parts ahead. */
		{ 1, 0, 1000, 2, "102", "0", HLS_BLOCK_BAD },
		{ 1, 0, 1000, 4, "102", "0", HLS_BLOCK_WAIT },
		{ 1, 0, 1000, 4, "102", "1", HLS_BLOCK_WAIT },
		{ 1, 0, 1000, 4, "102", "2", HLS_BLOCK_BAD },
		{ 1, 0, 1000, 0, "101", "0", HLS_BLOCK_WAIT },
		{ 1, 0, 1000, 0, "101", "2", HLS_BLOCK_BAD },
		/* Part target 0.2 s: the limit is 3 / 0.2 = 15 parts. */
		{ 1, 0, 200, 2, "101", "15", HLS_BLOCK_WAIT },
		{ 1, 0, 200, 2, "101", "16", HLS_BLOCK_BAD },
		{ 1, 0, 200, 2, "102", "0", HLS_BLOCK_BAD },
		{ 1, 0, 200, 18, "102", "0", HLS_BLOCK_WAIT },
		/* 3 / 0.334 = 8.98: 8 parts ahead is fine, 9 is not. */
		{ 1, 0, 334, 0, "101", "7", HLS_BLOCK_WAIT },
		{ 1, 0, 334, 0, "101", "8", HLS_BLOCK_BAD },
		/* No parts advertised: the part is ignored. */
		{ 1, 0, 0, 0, "101", "50", HLS_BLOCK_WAIT },
		{ 1, 0, 0, 0, "102", "0", HLS_BLOCK_WAIT },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct hls_info info = { 0 };
		enum hls_block b;

		info.media = 1;
		info.can_block = c[i].can_block;
		info.endlist = c[i].endlist;
		info.target_ms = 4000;
		info.part_target_ms = c[i].part_ms;
		info.msn_first = 95;
		info.msn_last = 100;
		info.nsegments = 6;
		info.parts_next = c[i].parts_next;
		b = hls_block_check(&info, c[i].msn, c[i].part);
		CHECK(b == c[i].want);
		if (b != c[i].want)
			fprintf(stderr, "  block case %zu: %d, want %d\n", i,
			    (int)b, (int)c[i].want);
	}
	CHECK(hls_block_check(NULL, "1", NULL) == HLS_BLOCK_NONE);
}

TEST_MAIN(TEST(test_passthrough), TEST(test_resolve), TEST(test_holdback),
    TEST(test_exact), TEST(test_version), TEST(test_source_gap),
    TEST(test_llhls), TEST(test_attrs), TEST(test_renumber),
    TEST(test_served_last), TEST(test_block))
