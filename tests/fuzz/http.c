/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http.c: fuzz target for the HTTP request path of nipcached, through the
 * pure functions the libmicrohttpd handlers call (daemon/mime.c,
 * names.c, hls.c): the request target check and mapping to a cache key,
 * Range, If-None-Match, If-Range and If-Modified-Since against an object,
 * and for a playlist the LL-HLS blocking reload check (_HLS_msn,
 * _HLS_part), the per-request playlist rewrite and the references read
 * from it.
 *
 * Input lines: request target, Range, If-None-Match, If-Range,
 * If-Modified-Since (an empty line: header absent), the object's ETag,
 * its size, _HLS_msn, _HLS_part; the rest is the object's body.
 *
 * Invariants: a key is a normal path (starts with "/", no empty, "." or
 * ".." segment, no control character, fits NAMES_MAX); a satisfiable
 * range lies inside the object; a strong ETag matches itself; a parsed
 * date survives formatting; resolved references are keys too.
 */
#include "fuzz.h"
#include "../../daemon/hls.h"
#include "../../daemon/mime.h"
#include "../../daemon/names.h"

#define FUZZ_HTTP_LINES	9

/* A cache key in normal form (names.h). */
static void
fuzz_key(const char *k)
{
	size_t n = strlen(k), i, seg = 0;

	FUZZ_CHECK(n >= 1 && n < NAMES_MAX + 1 && k[0] == '/');
	for (i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)k[i] >= 0x20 && k[i] != 0x7f);
	for (i = 1; i <= n; i++) {
		if (i < n && k[i] != '/')
			continue;
		/* k[seg] is '/', the segment is k[seg + 1 .. i). */
		if (i < n || i - seg > 1) {
			FUZZ_CHECK(i - seg > 1);
			FUZZ_CHECK(!(i - seg == 2 && k[seg + 1] == '.'));
			FUZZ_CHECK(!(i - seg == 3 && k[seg + 1] == '.' &&
			    k[seg + 2] == '.'));
		}
		seg = i;
	}
}

static void
fuzz_ref(void *arg, const char *path)
{
	size_t *n = arg;

	fuzz_key(path);
	(*n)++;
}

/* Status of a segment, from its path: a fixed function of the input. */
static enum hls_seg
fuzz_seg(void *arg, const char *path)
{
	(void)arg;
	fuzz_key(path);
	return (enum hls_seg)(strlen(path) % 3);
}

static int
fuzz_strong_etag(const char *e)
{
	size_t n = strlen(e), i;

	if (n < 2 || e[0] != '"' || e[n - 1] != '"')
		return 0;
	for (i = 1; i + 1 < n; i++)
		if (e[i] == '"' || e[i] == ',' || (unsigned char)e[i] <= 0x20 ||
		    (unsigned char)e[i] >= 0x7f)
			return 0;
	return 1;
}

static void
fuzz_conditionals(char **l)
{
	uint64_t size = strtoull(l[6], NULL, 10), off = 0, len = 0;
	enum httpu_range r;
	char buf[64];
	int64_t t, t2;

	r = httpu_parse_range(l[1][0] ? l[1] : NULL, size, &off, &len);
	FUZZ_CHECK(r <= HTTPU_RANGE_UNSAT);
	if (r == HTTPU_RANGE_OK)
		FUZZ_CHECK(len >= 1 && off < size && len <= size - off);
	(void)httpu_etag_match(l[2], l[5]);
	(void)httpu_if_range_match(l[3], l[5]);
	if (fuzz_strong_etag(l[5])) {
		FUZZ_CHECK(httpu_etag_match(l[5], l[5]) == 1);
		FUZZ_CHECK(httpu_etag_match("*", l[5]) == 1);
		FUZZ_CHECK(httpu_if_range_match(l[5], l[5]) == 1);
	}
	if (httpu_parse_date(l[4], &t) == 0 &&
	    httpu_format_date(t, buf, sizeof(buf)) == 0) {
		FUZZ_CHECK(httpu_parse_date(buf, &t2) == 0 && t2 == t);
	}
	(void)httpu_header_safe(l[5]);
}

static void
fuzz_playlist(const char *path, char **l, const char *body, size_t len)
{
	struct hls_opts o = { (int)(len & 1), (uint32_t)(len % 4) };
	struct hls_state st;
	struct hls_info info;
	struct names_hls_dur dur = { 0, 0, 0 };
	struct util_sb sb;
	size_t nrefs = 0;
	enum hls_block b;
	int rc;

	hls_scan(body, len, &info);
	b = hls_block_check(&info, l[7][0] ? l[7] : NULL,
	    l[8][0] ? l[8] : NULL);
	FUZZ_CHECK(b <= HLS_BLOCK_BAD);
	memset(&st, 0, sizeof(st));
	memset(&sb, 0, sizeof(sb));
	rc = hls_rewrite(body, len, path, &o, fuzz_seg, NULL, &st, &sb, &info);
	FUZZ_CHECK(rc >= -1 && rc <= 1);
	if (rc == 1) {
		FUZZ_CHECK(sb.len > 0 && sb.p != NULL);
		/* The served playlist is read by the same code again. */
		hls_scan(sb.p, sb.len, &info);
		(void)hls_block_check(&info, l[7], l[8]);
	}
	free(sb.p);
	FUZZ_CHECK(names_hls_refs(path, body, len, fuzz_ref, &nrefs, &dur) ==
	    (int)nrefs);
	FUZZ_CHECK(nrefs <= NAMES_MAX_REFS);
	FUZZ_CHECK(dur.longest_ms <= NAMES_HLS_DUR_MAX &&
	    dur.target_ms <= NAMES_HLS_DUR_MAX);
	nrefs = 0;
	FUZZ_CHECK(names_hls_maps(path, body, len, fuzz_ref, &nrefs) ==
	    (int)nrefs && nrefs <= NAMES_MAX_MAPS);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	char *l[FUZZ_HTTP_LINES], key[NAMES_MAX + 1], res[NAMES_MAX + 1];
	int i;

	for (i = 0; i < FUZZ_HTTP_LINES; i++)
		if ((l[i] = fuzz_line(&in)) == NULL)
			l[i] = strdup("");
	if (httpu_check_target(l[0], key, sizeof(key)) == 0) {
		fuzz_key(key);
		(void)names_is_reserved(key);
		(void)mime_from_path(key);
		if (names_resolve(key, l[5], res, sizeof(res)) == 0)
			fuzz_key(res);
		fuzz_playlist(key, l, (const char *)in.p, in.n);
	}
	fuzz_conditionals(l);
	for (i = 0; i < FUZZ_HTTP_LINES; i++)
		free(l[i]);
	return 0;
}
