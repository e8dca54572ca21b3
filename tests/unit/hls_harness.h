/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hls_harness.h: shared harness for the HLS rewriter tests (test_hls.c,
 * test_hls_hostile.c).  Playlists are built here; segment status comes
 * from a table keyed by the number in the segment's name ("s7.ts" is
 * segment 7); URI lines and whole lines are counted by code independent
 * of hls.c.
 *
 * Everything is static: each test binary includes this header once.
 * Both files call every helper; a helper only one of them uses belongs
 * in that file, or the other fails -Wunused-function under -Werror.
 */
#ifndef NIPCACHE_HLS_HARNESS_H
#define NIPCACHE_HLS_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../daemon/hls.h"
#include "../../daemon/names.h"
#include "test.h"

#define MAXSEEN	16

/* The status callback's view: statuses by segment number, paths seen. */
struct cb {
	const char	*spec;		/* 'O' ok, 'P' pending, 'L' lost */
	unsigned	base;		/* segment number of spec[0] */
	unsigned	calls;
	char		seen[MAXSEEN][NAMES_MAX];
};

static enum hls_seg
cb_status(void *arg, const char *path)
{
	struct cb *c = arg;
	const char *s = strrchr(path, '/');
	unsigned long n;
	char *end;

	if (c->calls < MAXSEEN)
		snprintf(c->seen[c->calls], NAMES_MAX, "%s", path);
	c->calls++;
	if (c->spec == NULL || s == NULL || s[1] != 's')
		return HLS_SEG_OK;
	n = strtoul(s + 2, &end, 10);
	if (n < c->base || n - c->base >= strlen(c->spec))
		return HLS_SEG_OK;
	switch (c->spec[n - c->base]) {
	case 'L':
		return HLS_SEG_LOST;
	case 'P':
		return HLS_SEG_PENDING;
	default:
		return HLS_SEG_OK;
	}
}

/* A live playlist: head tags, n segments s<first>.ts..., then tail. */
static char *
mk_pl(const char *head, uint64_t msn, unsigned first, unsigned n,
    const char *tail)
{
	size_t cap = 256 + strlen(head) + strlen(tail) + (size_t)n * 40;
	char *b = malloc(cap);
	size_t len;
	unsigned i;

	len = (size_t)snprintf(b, cap, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n"
	    "%s#EXT-X-MEDIA-SEQUENCE:%llu\n", head, (unsigned long long)msn);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(b + len, cap - len,
		    "#EXTINF:2.000,\ns%u.ts\n", first + i);
	snprintf(b + len, cap - len, "%s", tail);
	return b;
}

/* One rewrite at /live/p.m3u8 with fresh output. */
static int
rw(const char *body, size_t len, const struct hls_opts *o, struct cb *c,
    struct hls_state *st, struct util_sb *out, struct hls_info *info)
{
	memset(out, 0, sizeof(*out));
	return hls_rewrite(body, len, "/live/p.m3u8", o, cb_status, c, st,
	    out, info);
}

/* URI lines as the playlist grammar defines them (independent code). */
static unsigned
uri_lines(const char *b, size_t len, const char **u, size_t *ul,
    unsigned max)
{
	size_t pos = 0, n, i;
	unsigned k = 0;

	while (pos < len) {
		const char *p = b + pos, *nl = memchr(p, '\n', len - pos);

		n = nl != NULL ? (size_t)(nl - p) : len - pos;
		pos += n + (nl != NULL);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		for (i = 0; i < n && (p[i] == ' ' || p[i] == '\t'); i++)
			;
		if (i == n || p[0] == '#')
			continue;
		if (k < max) {
			u[k] = p;
			ul[k] = n;
		}
		k++;
	}
	return k;
}

/* Occurrences of a whole line in a text. */
static unsigned
count_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;
	unsigned k = 0;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == '\r' || p[n] == '\0'))
			k++;
		p += n;
	}
	return k;
}

/* An LL-HLS playlist: the head up to segment 21, then parts of 22. */
static const char ll_head[] =
    "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-VERSION:9\n"
    "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=3.0\n"
    "#EXT-X-PART-INF:PART-TARGET=1.0\n#EXT-X-MEDIA-SEQUENCE:20\n"
    "#EXTINF:4.000,\ns20.ts\n"
    "#EXT-X-PART:DURATION=1.0,URI=\"s21.p0.mp4\",INDEPENDENT=YES\n"
    "#EXT-X-PART:DURATION=1.0,URI=\"s21.p1.mp4\"\n"
    "#EXTINF:4.000,\ns21.ts\n";
static const char ll_tail[] =
    "#EXT-X-PART:DURATION=1.0,URI=\"s22.p0.mp4\",INDEPENDENT=YES\n"
    "#EXT-X-PART:DURATION=1.0,URI=\"s22.p1.mp4\"\n"
    "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"s22.p2.mp4\"\n"
    "#EXT-X-RENDITION-REPORT:URI=\"../b/p.m3u8\",LAST-MSN=21,LAST-PART=1\n";

#endif
