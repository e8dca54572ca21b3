/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hls.c: live HLS media playlists rewritten for players (see hls.h).
 *
 * Three walks over the body, each bounded by len: a parse that gathers
 * the facts and decides whether this is a live media playlist at all; a
 * second parse that records every segment (its URI and where its lines
 * end) so the cache can be asked about each; and, only when something has
 * to change, a copy of the lines into out with the few edits made on the
 * way.  Lines end in LF or CRLF; edited lines keep their own line end and
 * added lines take the one of the #EXTM3U line.  A line is blank if it
 * holds only spaces and tabs, a URI line if it does not start with "#", a
 * tag if it starts with "#EXT", and a comment otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hls.h"
#include "names.h"

#define HLS_MSN_MAX	1000000000000000000ULL	/* 10^18: more is absurd */
#define HLS_JUMP	1000000u	/* a source this far ahead restarted */
#define HLS_SERVED_MAX	(1ULL << 62)	/* served numbers never get near 2^64 */
#define HLS_SEG_MAX	1000000u	/* segments in one playlist */
#define HLS_DUR_MAX_MS	3600000u	/* target durations over an hour */
#define HLS_VERSION_MAX	1000u
#define HLS_URI_MAX	(3 * NAMES_MAX)	/* every byte of a key escaped */
#define HLS_GAP_VERSION	8		/* EXT-X-GAP needs version 8 */

enum hls_tag {
	T_NONE = 0,		/* a comment or a tag of no concern */
	T_EXTINF,
	T_PART,
	T_DISC,
	T_GAP,
	T_VERSION,
	T_TARGET,
	T_MSN,
	T_DSEQ,
	T_ENDLIST,
	T_MULTI,		/* only in multivariant playlists */
	T_SKIP,			/* a delta update: never rewritten */
	T_CONTROL,
	T_PART_INF,
	T_REPORT,
};

static const struct {
	const char	*name;
	enum hls_tag	tag;
} hls_tags[] = {
	{ "#EXTINF", T_EXTINF },
	{ "#EXT-X-PART", T_PART },
	{ "#EXT-X-DISCONTINUITY", T_DISC },
	{ "#EXT-X-GAP", T_GAP },
	{ "#EXT-X-VERSION", T_VERSION },
	{ "#EXT-X-TARGETDURATION", T_TARGET },
	{ "#EXT-X-MEDIA-SEQUENCE", T_MSN },
	{ "#EXT-X-DISCONTINUITY-SEQUENCE", T_DSEQ },
	{ "#EXT-X-ENDLIST", T_ENDLIST },
	{ "#EXT-X-STREAM-INF", T_MULTI },
	{ "#EXT-X-I-FRAME-STREAM-INF", T_MULTI },
	{ "#EXT-X-MEDIA", T_MULTI },
	{ "#EXT-X-SESSION-DATA", T_MULTI },
	{ "#EXT-X-SESSION-KEY", T_MULTI },
	{ "#EXT-X-SKIP", T_SKIP },
	{ "#EXT-X-SERVER-CONTROL", T_CONTROL },
	{ "#EXT-X-PART-INF", T_PART_INF },
	{ "#EXT-X-RENDITION-REPORT", T_REPORT },
};

/* One line of the body. */
struct hls_line {
	const char	*p;
	size_t		n;		/* length without the line end */
	size_t		eol;		/* bytes of the line end: 0 to 2 */
	size_t		vo;		/* tag value offset (n when none) */
	enum hls_tag	tag;
	int		uri;		/* a URI line */
};

/* What a parse learns about the playlist. */
struct hls_pl {
	uint8_t		bad;		/* malformed: pass through */
	uint8_t		multi, endlist, can_block, extinf;
	uint8_t		has_version, has_msn, has_dseq, has_target;
	uint64_t	version, msn, dseq;
	uint32_t	target_ms, part_target_ms;
	uint32_t	nseg;		/* URI lines */
	uint32_t	tail_parts;	/* EXT-X-PART after the last one */
};

/* The tags seen since the last URI line. */
struct hls_cur {
	uint8_t		extinf, disc, gap;
};

/* One segment as the rewrite sees it. */
struct hls_rec {
	size_t		uri, urilen;	/* its URI line in the body */
	size_t		end;		/* offset just after that line */
	uint8_t		disc, gap;	/* the source's own tags */
	uint8_t		status;		/* enum hls_seg */
	uint8_t		mark;		/* to be marked EXT-X-GAP */
};

/* What the rewrite does. */
struct hls_plan {
	uint32_t	keep;		/* segments listed */
	uint32_t	gaps;		/* marked here */
	uint64_t	msn, dseq;	/* as served */
	uint8_t		add_disc;	/* DISCONTINUITY before the first */
	uint8_t		version8;	/* EXT-X-VERSION set to 8 */
};

/* The output side of a rewrite. */
struct hls_out {
	struct util_sb		*sb;
	const struct hls_pl	*pl;
	const struct hls_plan	*pn;
	const struct hls_rec	*rec;
	const char		*eol;	/* line end of the #EXTM3U line */
	size_t			eoln;
	uint32_t		seg;	/* URI lines copied so far */
};

/* Name the line's tag, if it is one of ours, and find its value. */
static void
hls_classify(struct hls_line *l)
{
	size_t i, k;

	l->tag = T_NONE;
	l->uri = 0;
	l->vo = l->n;
	for (i = 0; i < l->n && (l->p[i] == ' ' || l->p[i] == '\t'); i++)
		;
	if (i == l->n)
		return;
	if (l->p[0] != '#') {
		l->uri = 1;
		return;
	}
	if (l->n < 4 || memcmp(l->p, "#EXT", 4) != 0)
		return;
	for (i = 0; i < sizeof(hls_tags) / sizeof(hls_tags[0]); i++) {
		k = strlen(hls_tags[i].name);
		if (l->n >= k && memcmp(l->p, hls_tags[i].name, k) == 0 &&
		    (l->n == k || l->p[k] == ':')) {
			l->tag = hls_tags[i].tag;
			l->vo = l->n == k ? k : k + 1;
			return;
		}
	}
}

/* The line at *pos, which moves past it; 0 at the end of the body. */
static int
hls_line_next(const char *b, size_t len, size_t *pos, struct hls_line *l)
{
	const char *nl;
	size_t n;

	if (*pos >= len)
		return 0;
	l->p = b + *pos;
	nl = memchr(l->p, '\n', len - *pos);
	n = nl != NULL ? (size_t)(nl - l->p) : len - *pos;
	l->eol = nl != NULL;
	if (n > 0 && l->p[n - 1] == '\r') {
		n--;
		l->eol++;
	}
	l->n = n;
	*pos += n + l->eol;
	hls_classify(l);
	return 1;
}

/* Strict decimal-integer: 1 to 20 digits, nothing else, no overflow. */
static int
hls_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/*
 * Decimal-floating-point seconds ("2", "0.33334") to milliseconds, rounded
 * up so that a limit computed from it is never too generous; -1 for
 * anything else or above max_ms.
 */
static int
hls_ms(const char *s, size_t n, uint32_t max_ms, uint32_t *out)
{
	uint64_t ms = 0;
	size_t i = 0, f;
	int up = 0;

	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		ms = ms * 10 + (uint64_t)(s[i] - '0') * 1000;
		if (ms > max_ms)
			return -1;
	}
	if (i == 0)
		return -1;
	if (i < n && s[i] == '.') {
		for (i++, f = 100; i < n && s[i] >= '0' && s[i] <= '9';
		    i++, f /= 10) {
			if (f > 0)
				ms += (uint64_t)(s[i] - '0') * f;
			else if (s[i] != '0')
				up = 1;
		}
	}
	ms += up;
	if (i != n || ms > max_ms)
		return -1;
	*out = (uint32_t)ms;
	return 0;
}

/*
 * Find attribute name in an attribute list a[0..n): NAME=VALUE pairs
 * separated by commas, where a quoted-string value may hold commas.  Sets
 * the value without its quotes; 0, or -1 if it is absent.
 */
static int
hls_attr(const char *a, size_t n, const char *name, const char **v,
    size_t *vn)
{
	size_t nl = strlen(name), i = 0, k, vs, ve;
	int match, quoted;

	while (i < n) {
		for (k = i; i < n && a[i] != '=' && a[i] != ','; i++)
			;
		if (i >= n || a[i] == ',') {
			i++;
			continue;
		}
		match = i - k == nl && memcmp(a + k, name, nl) == 0;
		vs = ++i;
		quoted = i < n && a[i] == '"';
		if (quoted)
			for (vs = ++i; i < n && a[i] != '"'; i++)
				;
		ve = i;
		for (; i < n && a[i] != ','; i++)
			;
		if (!quoted)
			ve = i;
		if (match) {
			*v = a + vs;
			*vn = ve - vs;
			return 0;
		}
		i++;
	}
	return -1;
}

/* A header number that must appear at most once and stay below max. */
static void
hls_header_u64(struct hls_pl *pl, const struct hls_line *l, uint8_t *seen,
    uint64_t *v, uint64_t max)
{
	if (*seen || hls_u64(l->p + l->vo, l->n - l->vo, v) < 0 || *v > max)
		pl->bad = 1;
	*seen = 1;
}

/* The playlist-wide tags: LL-HLS facts and the target durations. */
static void
hls_parse_control(struct hls_pl *pl, const struct hls_line *l)
{
	const char *a = l->p + l->vo, *v;
	size_t n = l->n - l->vo, vn;

	if (l->tag == T_CONTROL) {
		if (hls_attr(a, n, "CAN-BLOCK-RELOAD", &v, &vn) == 0 &&
		    vn == 3 && memcmp(v, "YES", 3) == 0)
			pl->can_block = 1;
	} else if (l->tag == T_PART_INF) {
		if (hls_attr(a, n, "PART-TARGET", &v, &vn) < 0 ||
		    hls_ms(v, vn, HLS_DUR_MAX_MS, &pl->part_target_ms) < 0 ||
		    pl->part_target_ms == 0)
			pl->bad = 1;
	} else if (l->tag == T_TARGET) {
		if (pl->has_target ||
		    hls_ms(a, n, HLS_DUR_MAX_MS, &pl->target_ms) < 0)
			pl->bad = 1;
		pl->has_target = 1;
	}
}

static void
hls_parse_tag(struct hls_pl *pl, struct hls_cur *cur,
    const struct hls_line *l)
{
	switch (l->tag) {
	case T_EXTINF:
		if (cur->extinf)
			pl->bad = 1;
		cur->extinf = pl->extinf = 1;
		break;
	case T_PART:
		if (pl->tail_parts < UINT32_MAX)
			pl->tail_parts++;
		break;
	case T_DISC:
		cur->disc = 1;
		break;
	case T_GAP:
		cur->gap = 1;
		break;
	case T_VERSION:
		hls_header_u64(pl, l, &pl->has_version, &pl->version,
		    HLS_VERSION_MAX);
		break;
	case T_MSN:
		hls_header_u64(pl, l, &pl->has_msn, &pl->msn, HLS_MSN_MAX);
		break;
	case T_DSEQ:
		hls_header_u64(pl, l, &pl->has_dseq, &pl->dseq, HLS_MSN_MAX);
		break;
	case T_ENDLIST:
		pl->endlist = 1;
		break;
	case T_MULTI:
		pl->multi = 1;
		break;
	case T_SKIP:
		pl->bad = 1;
		break;
	default:
		hls_parse_control(pl, l);
		break;
	}
}

/* A URI line ends a segment; rec (when given) records it. */
static void
hls_parse_uri(struct hls_pl *pl, struct hls_cur *cur,
    const struct hls_line *l, const char *b, size_t end,
    struct hls_rec *rec, uint32_t nrec)
{
	if (!cur->extinf || pl->nseg >= HLS_SEG_MAX)
		pl->bad = 1;
	if (rec != NULL && pl->nseg < nrec) {
		rec += pl->nseg;
		rec->uri = (size_t)(l->p - b);
		rec->urilen = l->n;
		rec->end = end;
		rec->disc = cur->disc;
		rec->gap = cur->gap;
	}
	if (pl->nseg < HLS_SEG_MAX)
		pl->nseg++;
	pl->tail_parts = 0;
	memset(cur, 0, sizeof(*cur));
}

/* Parse the body; rec, when not NULL, gets the first nrec segments. */
static void
hls_parse(const char *b, size_t len, struct hls_pl *pl, struct hls_rec *rec,
    uint32_t nrec)
{
	struct hls_cur cur;
	struct hls_line l;
	size_t pos = 0, i;

	memset(pl, 0, sizeof(*pl));
	memset(&cur, 0, sizeof(cur));
	if (b == NULL || len == 0 || memchr(b, '\0', len) != NULL) {
		pl->bad = 1;
		return;
	}
	hls_line_next(b, len, &pos, &l);
	for (i = 7; i < l.n && (l.p[i] == ' ' || l.p[i] == '\t'); i++)
		;
	if (l.n < 7 || memcmp(l.p, "#EXTM3U", 7) != 0 || i != l.n) {
		pl->bad = 1;
		return;
	}
	while (hls_line_next(b, len, &pos, &l)) {
		if (l.uri)
			hls_parse_uri(pl, &cur, &l, b, pos, rec, nrec);
		else if (l.tag != T_NONE)
			hls_parse_tag(pl, &cur, &l);
	}
	if (cur.extinf)
		pl->bad = 1;
}

/* The facts as the source states them. */
static void
hls_info_fill(const struct hls_pl *pl, struct hls_info *info)
{
	memset(info, 0, sizeof(*info));
	info->media = pl->extinf && !pl->multi;
	info->endlist = pl->endlist;
	info->can_block = pl->can_block;
	info->target_ms = pl->target_ms;
	info->part_target_ms = pl->part_target_ms;
	if (!info->media || pl->nseg == 0)
		return;
	info->msn_first = pl->msn;
	info->msn_last = pl->msn + pl->nseg - 1;
	info->nsegments = pl->nseg;
	info->parts_next = pl->tail_parts;
}

void
hls_scan(const char *body, size_t len, struct hls_info *info)
{
	struct hls_pl pl;

	hls_parse(body, len, &pl, NULL, 0);
	hls_info_fill(&pl, info);
}

/*
 * Ask the cache about each segment, in order.  A segment the source itself
 * marks EXT-X-GAP is not looked up (nobody will ever send it, and asking
 * could start a pointless repair); one whose URI cannot name a cache path
 * is LOST.
 */
static void
hls_status_all(const char *b, const char *path, hls_status_fn fn, void *arg,
    struct hls_rec *rec, uint32_t n)
{
	char uri[HLS_URI_MAX + 1], res[NAMES_MAX];
	enum hls_seg s;
	uint32_t i;

	for (i = 0; i < n; i++) {
		rec[i].status = HLS_SEG_OK;
		if (rec[i].gap)
			continue;
		rec[i].status = HLS_SEG_LOST;
		if (rec[i].urilen > HLS_URI_MAX)
			continue;
		memcpy(uri, b + rec[i].uri, rec[i].urilen);
		uri[rec[i].urilen] = '\0';
		if (names_resolve(path, uri, res, sizeof(res)) < 0)
			continue;
		s = fn != NULL ? fn(arg, res) : HLS_SEG_OK;
		rec[i].status = s == HLS_SEG_OK || s == HLS_SEG_PENDING ?
		    (uint8_t)s : (uint8_t)HLS_SEG_LOST;
	}
}

/*
 * How many segments stay listed.  Trailing LOST ones are held back; with
 * gap, LOST ones before the last good one are marked, without it the list
 * ends before the first LOST one.  Never fewer than min_segments or than
 * were served before (the tail never shrinks), and the head is never
 * touched; with gap, any LOST segment kept is marked.
 */
static uint32_t
hls_keep(struct hls_rec *rec, uint32_t n, const struct hls_opts *o,
    uint32_t served, uint32_t *gaps)
{
	uint32_t i, keep = 0, lost = n, min;
	int gap = o != NULL && o->gap;

	for (i = 0; i < n; i++) {
		if (rec[i].status != HLS_SEG_LOST)
			keep = i + 1;
		else if (lost == n)
			lost = i;
	}
	if (!gap && lost < keep)
		keep = lost;
	min = o != NULL && o->min_segments > 0 ? o->min_segments : 1;
	if (min > n)
		min = n;
	if (keep < min)
		keep = min;
	/* Players saw these already: the tail never shrinks. */
	if (keep < served)
		keep = served;
	*gaps = 0;
	for (i = 0; gap && i < keep; i++) {
		if (rec[i].status == HLS_SEG_LOST) {
			rec[i].mark = 1;
			(*gaps)++;
		}
	}
	return keep;
}

/*
 * How many of this version's segments were listed before (their served
 * number is at most served_last), if the numbering goes on as it was.
 */
static uint32_t
hls_served(const struct hls_pl *pl, const struct hls_state *st)
{
	uint64_t first;

	if (!st->valid || pl->msn < st->src_first ||
	    pl->msn - st->src_first > HLS_JUMP)
		return 0;
	first = pl->msn + (uint64_t)st->msn_shift;
	if (first > st->served_last)
		return 0;
	return st->served_last - first + 1 < pl->nseg ?
	    (uint32_t)(st->served_last - first + 1) : pl->nseg;
}

/*
 * The source went backwards (or leapt absurdly far ahead): the served
 * numbers continue after the last one served.  The first segment gets an
 * EXT-X-DISCONTINUITY (unless it has one) and the discontinuity sequence
 * is set so that this segment's discontinuity number is one more than
 * that of the last segment served before.
 */
static void
hls_renumber(const struct hls_pl *pl, const struct hls_rec *first,
    struct hls_state *st)
{
	st->msn_shift = (int64_t)(st->served_last + 1) - (int64_t)pl->msn;
	st->disc_shift = st->disc_last > pl->dseq ?
	    st->disc_last - pl->dseq : 0;
	st->disc_msn = first->disc ? 0 : st->served_last + 1;
}

/*
 * Served numbering for this version, and the state for the next.  Calling
 * again with the same version changes nothing, so every request may call.
 * Only a hostile source (numbers jumping by 10^18 again and again) could
 * push the served numbers towards 2^64: the state then starts afresh.
 * While the segment given an added DISCONTINUITY is listed it is always
 * the first (the source only removes from the head); once it is gone,
 * the discontinuity sequence counts it, as rfc8216bis 6.2.2 requires.
 */
static void
hls_number(const struct hls_pl *pl, const struct hls_rec *rec,
    struct hls_state *st, struct hls_plan *pn)
{
	uint64_t s = pl->msn, last, disc;
	uint32_t i;

	if (!st->valid)
		memset(st, 0, sizeof(*st));
	else if (s < st->src_first || s - st->src_first > HLS_JUMP)
		hls_renumber(pl, &rec[0], st);
	else if (st->disc_msn != 0 && s + (uint64_t)st->msn_shift >
	    st->disc_msn) {
		st->disc_shift++;
		st->disc_msn = 0;
	}
	if (s + (uint64_t)st->msn_shift > HLS_SERVED_MAX ||
	    pl->dseq + st->disc_shift > HLS_SERVED_MAX)
		memset(st, 0, sizeof(*st));
	pn->msn = s + (uint64_t)st->msn_shift;
	pn->dseq = pl->dseq + st->disc_shift;
	pn->add_disc = st->disc_msn != 0 && pn->msn == st->disc_msn &&
	    !rec[0].disc;
	last = pn->msn + pn->keep - 1;
	for (disc = pn->dseq + pn->add_disc, i = 0; i < pn->keep; i++)
		disc += rec[i].disc;
	st->valid = 1;
	st->src_first = s;
	st->served_first = pn->msn;
	if (last > st->served_last)
		st->served_last = last;
	if (disc > st->disc_last)
		st->disc_last = disc;
}

static void
hls_put_raw(struct util_sb *sb, const struct hls_line *l)
{
	util_sb_add(sb, l->p, l->n + l->eol);
}

/* An added line, ending like the #EXTM3U line. */
static void
hls_put_tag(struct hls_out *o, const char *tag)
{
	util_sb_add(o->sb, tag, strlen(tag));
	util_sb_add(o->sb, o->eol, o->eoln);
}

static void
hls_put_num(struct util_sb *sb, const char *tag, uint64_t v, const char *eol,
    size_t eoln)
{
	util_sb_printf(sb, "%s:%llu", tag, (unsigned long long)v);
	util_sb_add(sb, eol, eoln);
}

/* Header tags the source lacks, right after #EXTM3U. */
static void
hls_put_head(struct hls_out *o)
{
	if (o->pn->version8 && !o->pl->has_version)
		hls_put_num(o->sb, "#EXT-X-VERSION", HLS_GAP_VERSION, o->eol,
		    o->eoln);
	if (!o->pl->has_msn && o->pn->msn != 0)
		hls_put_num(o->sb, "#EXT-X-MEDIA-SEQUENCE", o->pn->msn, o->eol,
		    o->eoln);
	if (!o->pl->has_dseq && o->pn->dseq != 0)
		hls_put_num(o->sb, "#EXT-X-DISCONTINUITY-SEQUENCE",
		    o->pn->dseq, o->eol, o->eoln);
}

/* Copy one line of the listed part, edited where the plan says. */
static void
hls_put_line(struct hls_out *o, const struct hls_line *l)
{
	const char *eol = l->p + l->n;

	if (l->tag == T_VERSION && o->pn->version8) {
		hls_put_num(o->sb, "#EXT-X-VERSION", HLS_GAP_VERSION, eol,
		    l->eol);
		return;
	}
	if (l->tag == T_MSN && o->pn->msn != o->pl->msn) {
		hls_put_num(o->sb, "#EXT-X-MEDIA-SEQUENCE", o->pn->msn, eol,
		    l->eol);
		return;
	}
	if (l->tag == T_DSEQ && o->pn->dseq != o->pl->dseq) {
		hls_put_num(o->sb, "#EXT-X-DISCONTINUITY-SEQUENCE",
		    o->pn->dseq, eol, l->eol);
		return;
	}
	if (l->tag == T_EXTINF && o->seg == 0 && o->pn->add_disc)
		hls_put_tag(o, "#EXT-X-DISCONTINUITY");
	if (l->uri && o->seg < o->pn->keep) {
		if (o->rec[o->seg].mark)
			hls_put_tag(o, "#EXT-X-GAP");
		o->seg++;
	}
	hls_put_raw(o->sb, l);
}

/* Tags about the whole playlist rather than the segment they precede. */
static int
hls_playlist_tag(enum hls_tag t)
{
	return t == T_REPORT || t == T_VERSION || t == T_TARGET ||
	    t == T_MSN || t == T_DSEQ || t == T_CONTROL || t == T_PART_INF;
}

/*
 * Write the served playlist.  Past the last listed segment (when some
 * are held back) only playlist-wide tags (normally just the
 * EXT-X-RENDITION-REPORT lines) survive: parts, hints and other tags
 * there belong to segments not listed yet.
 */
static int
hls_emit(const char *b, size_t len, struct hls_out *o, uint32_t nseg)
{
	struct hls_line l;
	size_t pos = 0, cut;

	cut = o->pn->keep < nseg ? o->rec[o->pn->keep - 1].end : len;
	/* An empty body has no segments (hls_live): served as it is. */
	if (!hls_line_next(b, len, &pos, &l))
		return 0;
	hls_put_raw(o->sb, &l);
	o->eol = l.eol > 0 ? l.p + l.n : "\n";
	o->eoln = l.eol > 0 ? l.eol : 1;
	hls_put_head(o);
	while (hls_line_next(b, len, &pos, &l)) {
		if ((size_t)(l.p - b) < cut || hls_playlist_tag(l.tag))
			hls_put_line(o, &l);
	}
	return o->sb->err ? -1 : 1;
}

static int
hls_live(const struct hls_pl *pl)
{
	return !pl->bad && !pl->multi && !pl->endlist && pl->extinf &&
	    pl->nseg > 0;
}

int
hls_rewrite(const char *body, size_t len, const char *path,
    const struct hls_opts *o, hls_status_fn status, void *arg,
    struct hls_state *st, struct util_sb *out, struct hls_info *info)
{
	struct hls_state none = { 0 };
	struct hls_plan pn = { 0 };
	struct hls_out ho = { 0 };
	struct hls_rec *rec;
	struct hls_pl pl;
	int r = 0;

	if (st == NULL)
		st = &none;
	hls_parse(body, len, &pl, NULL, 0);
	hls_info_fill(&pl, info);
	if (!hls_live(&pl))
		return 0;
	if ((rec = calloc(pl.nseg, sizeof(*rec))) == NULL)
		return -1;
	hls_parse(body, len, &pl, rec, pl.nseg);
	hls_status_all(body, path, status, arg, rec, pl.nseg);
	pn.keep = hls_keep(rec, pl.nseg, o, hls_served(&pl, st), &pn.gaps);
	hls_number(&pl, rec, st, &pn);
	pn.version8 = pn.gaps > 0 &&
	    (!pl.has_version || pl.version < HLS_GAP_VERSION);
	info->msn_first = pn.msn;
	info->msn_last = pn.msn + pn.keep - 1;
	info->nsegments = pn.keep;
	info->held_back = pl.nseg - pn.keep;
	info->parts_next = pn.keep < pl.nseg ? 0 : pl.tail_parts;
	info->gaps = pn.gaps;
	info->renumbered = st->msn_shift != 0;
	if (pn.keep < pl.nseg || pn.gaps > 0 || pn.add_disc ||
	    pn.msn != pl.msn || pn.dseq != pl.dseq) {
		ho.sb = out;
		ho.pl = &pl;
		ho.pn = &pn;
		ho.rec = rec;
		r = hls_emit(body, len, &ho, pl.nseg);
	}
	free(rec);
	return r;
}

/* Parts per segment, for measuring how far ahead a request reaches. */
static uint64_t
hls_parts_per_seg(const struct hls_info *i)
{
	uint64_t per = 1;

	if (i->target_ms > 0)
		per = ((uint64_t)i->target_ms + i->part_target_ms - 1) /
		    i->part_target_ms;
	return per > i->parts_next ? per : i->parts_next;
}

/*
 * rfc8216bis 6.2.5.2: a request more than the Advance Part Limit beyond
 * the last listed part is refused.  The limit is 3 parts, or 3 / PART-
 * TARGET when the part target is under a second; dist counts parts past
 * the last listed one (1 = the next part).
 */
static int
hls_part_ok(uint64_t dist, uint32_t pt_ms)
{
	if (pt_ms >= 1000)
		return dist < 3;
	return dist * pt_ms < 3000;
}

enum hls_block
hls_block_check(const struct hls_info *i, const char *msn, const char *part)
{
	uint64_t m, p = 0, ahead, dist;

	if (i == NULL || !i->media || !i->can_block || i->endlist)
		return HLS_BLOCK_NONE;
	if (msn == NULL)
		return part != NULL ? HLS_BLOCK_BAD : HLS_BLOCK_NONE;
	if (hls_u64(msn, strlen(msn), &m) < 0 ||
	    (part != NULL && hls_u64(part, strlen(part), &p) < 0))
		return HLS_BLOCK_BAD;
	if (m <= i->msn_last)
		return HLS_BLOCK_READY;
	ahead = m - i->msn_last;
	if (ahead > 2)
		return HLS_BLOCK_BAD;
	if (part == NULL || i->part_target_ms == 0)
		return HLS_BLOCK_WAIT;
	if (ahead == 1 && p < i->parts_next)
		return HLS_BLOCK_READY;
	/* Every limit is at most 3000 parts: keeps the sums below small. */
	if (p >= (uint64_t)i->parts_next + 3000)
		return HLS_BLOCK_BAD;
	dist = (ahead - 1) * hls_parts_per_seg(i) + p + 1 - i->parts_next;
	return hls_part_ok(dist, i->part_target_ms) ? HLS_BLOCK_WAIT :
	    HLS_BLOCK_BAD;
}
