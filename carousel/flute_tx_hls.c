/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flute_tx_hls.c: the HLS playlist reading behind nipcast --live (which
 * files a playlist names, and where they are on disk).  Pure, like the
 * rest of flute_tx: see flute_tx.h.
 */
#include <string.h>
#include <strings.h>

#include "flute_tx.h"

#define RESOLVE_MAX	4096

/* Find the end of the current line and the start of the next. */
static size_t
line_at(const char *pl, size_t len, size_t pos, size_t *next)
{
	const char *nl = memchr(pl + pos, '\n', len - pos);
	size_t end = nl != NULL ? (size_t)(nl - pl) : len;

	*next = nl != NULL ? end + 1 : len;
	if (end > pos && pl[end - 1] == '\r')
		end--;
	return end;
}

static int
copy_uri(const char *s, size_t n, char *uri, size_t cap)
{
	if (n == 0 || n >= cap || memchr(s, '\0', n) != NULL)
		return 0;
	memcpy(uri, s, n);
	uri[n] = '\0';
	return 1;
}

/* The URI="..." attribute of an attribute list (RFC 8216 section 4.2). */
static int
attr_uri(const char *s, const char *end, char *uri, size_t cap)
{
	while (s < end) {
		const char *eq = memchr(s, '=', (size_t)(end - s));
		const char *v, *ve;

		if (eq == NULL)
			return 0;
		v = eq + 1;
		if (v < end && *v == '"') {
			ve = memchr(v + 1, '"', (size_t)(end - v - 1));
			if (ve == NULL)
				return 0;
			if (eq - s == 3 && memcmp(s, "URI", 3) == 0)
				return copy_uri(v + 1, (size_t)(ve - v - 1),
				    uri, cap);
			ve++;
		} else {
			ve = memchr(v, ',', (size_t)(end - v));
			ve = ve != NULL ? ve : end;
		}
		s = ve < end && *ve == ',' ? ve + 1 : ve;
	}
	return 0;
}

static int
tag_is(const char *s, const char *end, const char *tag)
{
	size_t n = strlen(tag);

	return (size_t)(end - s) >= n && memcmp(s, tag, n) == 0;
}

/* A tag line: 1 with a URI if it is a tag that names one. */
static int
hls_tag(const char *s, const char *end, char *uri, size_t cap,
    enum ftx_hls_kind *kind)
{
	static const struct {
		const char		*tag;
		enum ftx_hls_kind	kind;
	} tags[] = {
		{ "#EXT-X-MAP:", FTX_HLS_MAP },
		{ "#EXT-X-KEY:", FTX_HLS_KEY },
		{ "#EXT-X-SESSION-KEY:", FTX_HLS_KEY },
		{ "#EXT-X-MEDIA:", FTX_HLS_PLAYLIST },
		{ "#EXT-X-I-FRAME-STREAM-INF:", FTX_HLS_PLAYLIST },
	};
	size_t i;

	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		if (!tag_is(s, end, tags[i].tag))
			continue;
		*kind = tags[i].kind;
		return attr_uri(s + strlen(tags[i].tag), end, uri, cap);
	}
	return 0;
}

static enum ftx_hls_kind
uri_kind(const char *uri, int variant)
{
	size_t n = strcspn(uri, "?#");

	if (variant || (n >= 5 && strncasecmp(uri + n - 5, ".m3u8", 5) == 0) ||
	    (n >= 4 && strncasecmp(uri + n - 4, ".m3u", 4) == 0))
		return FTX_HLS_PLAYLIST;
	return FTX_HLS_SEGMENT;
}

int
ftx_hls_next(const char *pl, size_t len, size_t *pos, char *uri,
    size_t cap, enum ftx_hls_kind *kind)
{
	int variant = 0;
	size_t end, next;

	for (; *pos < len; *pos = next) {
		end = line_at(pl, len, *pos, &next);
		if (end == *pos)
			continue;
		if (pl[*pos] == '#') {
			if (tag_is(pl + *pos, pl + end, "#EXT-X-STREAM-INF:"))
				variant = 1;
			else if (hls_tag(pl + *pos, pl + end, uri, cap, kind)) {
				*pos = next;
				return 1;
			}
			continue;
		}
		if (copy_uri(pl + *pos, end - *pos, uri, cap)) {
			*kind = uri_kind(uri, variant);
			*pos = next;
			return 1;
		}
		variant = 0;
	}
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0 .. n) into out; -1 on a bad escape, NUL or overflow. */
static int
pct_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0' || o + 1 >= cap)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* Fold "." and ".." of a '/'-separated path into out; -1 if it escapes. */
static int
fold_path(char *path, char *out, size_t cap)
{
	size_t o = 0;
	char *seg, *save = NULL;

	for (seg = strtok_r(path, "/", &save); seg != NULL;
	    seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			if (o == 0)
				return -1;
			while (o > 0 && out[--o] != '/')
				;
			continue;
		}
		if (o + (o > 0) + strlen(seg) + 1 > cap)
			return -1;
		if (o > 0)
			out[o++] = '/';
		memcpy(out + o, seg, strlen(seg));
		o += strlen(seg);
	}
	out[o] = '\0';
	return o > 0 ? 0 : -1;
}

int
ftx_hls_resolve(const char *dir, const char *uri, char *out, size_t cap)
{
	char path[RESOLVE_MAX];
	size_t n = strcspn(uri, "?#"), dl = strlen(dir);
	size_t colon = strcspn(uri, ":/?#");

	if (n == 0 || uri[0] == '/' || (colon < n && uri[colon] == ':'))
		return -1;
	if (dl + 2 >= sizeof(path))
		return -1;
	memcpy(path, dir, dl);
	if (dl > 0)
		path[dl++] = '/';
	if (pct_decode(uri, n, path + dl, sizeof(path) - dl) < 0)
		return -1;
	return fold_path(path, out, cap);
}
