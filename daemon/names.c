/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * names.c: Content-Location and references inside objects to cache keys.
 * Every name that reaches the cache or the file system passes through
 * here, so the rules are strict: decode once, refuse what could escape
 * ("..", control characters, NUL) and keep one normal form, the one
 * httpu_check_target() (mime.c) gives a player's request, so that both
 * always meet on the same key.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "names.h"

/* Longest raw name we look at: every byte of a key could be escaped. */
#define NAMES_RAW_MAX	(3 * NAMES_MAX)

/* A bounded output buffer; cap never exceeds NAMES_MAX. */
struct nbuf {
	char	*out;
	size_t	cap;
	size_t	len;
};

static void
nbuf_init(struct nbuf *nb, char *out, size_t outlen)
{
	nb->out = out;
	nb->cap = outlen < NAMES_MAX ? outlen : NAMES_MAX;
	nb->len = 0;
	out[0] = '\0';
}

/* Append n bytes; -1 if the result (and its NUL) would not fit. */
static int
nbuf_add(struct nbuf *nb, const char *s, size_t n)
{
	if (nb->len + n + 1 > nb->cap)
		return -1;
	memcpy(nb->out + nb->len, s, n);
	nb->len += n;
	nb->out[nb->len] = '\0';
	return 0;
}

/* Drop the last segment ("/a/b" -> "/a"); at the root nothing happens. */
static void
nbuf_pop(struct nbuf *nb)
{
	while (nb->len > 0 && nb->out[nb->len - 1] != '/')
		nb->len--;
	if (nb->len > 0)
		nb->len--;
	nb->out[nb->len] = '\0';
}

/*
 * One decoded segment: empty and "." vanish, ".." pops when allowed and is
 * refused otherwise, anything else becomes "/seg".
 */
static int
nbuf_segment(struct nbuf *nb, const char *seg, size_t n, int pops)
{
	if (n == 0 || (n == 1 && seg[0] == '.'))
		return 0;
	if (n == 2 && seg[0] == '.' && seg[1] == '.') {
		if (!pops)
			return -1;
		nbuf_pop(nb);
		return 0;
	}
	if (nbuf_add(nb, "/", 1) < 0)
		return -1;
	return nbuf_add(nb, seg, n);
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

int
names_unescape(const char *s, size_t n, size_t *i)
{
	int hi, lo;

	if (*i + 2 >= n)
		return -1;
	hi = hexval(s[*i + 1]);
	lo = hexval(s[*i + 2]);
	if (hi < 0 || lo < 0)
		return -1;
	*i += 2;
	return hi << 4 | lo;
}

static int
is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * Decode src[0..n) and append it segment by segment.  An escaped "/" is
 * refused rather than guessed at (a slash inside a segment or a separator?
 * the HTTP side refuses it too), and so is "\" in any form, which some
 * clients turn into "/".
 */
static int
norm_path(struct nbuf *nb, const char *src, size_t n, int pops)
{
	char seg[NAMES_MAX];
	size_t i, sl = 0;
	int trailing = 0;

	seg[0] = '\0';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '%') {
			int d = names_unescape(src, n, &i);

			if (d < 0 || d == '/')
				return -1;
			c = (unsigned char)d;
		}
		if (c == '\0' || c == '\\' || is_ctl(c))
			return -1;
		trailing = c == '/';
		if (c == '/') {
			if (nbuf_segment(nb, seg, sl, pops) < 0)
				return -1;
			sl = 0;
			continue;
		}
		if (sl == sizeof(seg))
			return -1;
		seg[sl++] = (char)c;
	}
	if (nbuf_segment(nb, seg, sl, pops) < 0)
		return -1;
	if (trailing && nb->len > 0)
		return nbuf_add(nb, "/", 1);
	return 0;
}

/* Length of a leading "scheme:" (RFC 3986), without the colon, or 0. */
static size_t
scheme_len(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; s[i] != '\0'; i++) {
		char c = s[i];

		if (c == ':')
			return i;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
			return 0;
	}
	return 0;
}

/* Skip "//authority" (s points after the "//"); returns the path start. */
static const char *
skip_authority(const char *s)
{
	return s + strcspn(s, "/?#");
}

/* Length of the path part: the query and fragment are cut. */
static size_t
path_len(const char *s)
{
	return strcspn(s, "?#");
}

/* Refuse over-long input and raw control characters before decoding. */
static int
raw_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= NAMES_RAW_MAX || is_ctl((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* For "http://" or "https://" (any case): the path start, else NULL. */
static const char *
http_path(const char *s)
{
	if (strncasecmp(s, "http://", 7) == 0)
		return skip_authority(s + 7);
	if (strncasecmp(s, "https://", 8) == 0)
		return skip_authority(s + 8);
	return NULL;
}

/* "SCHEME:REST" -> "/scheme/REST", REST normalised without "..". */
static int
map_scheme(struct nbuf *nb, const char *loc, size_t sl)
{
	char scheme[64];
	const char *rest = loc + sl + 1;
	size_t i;

	if (sl >= sizeof(scheme))
		return -1;
	scheme[0] = '/';
	for (i = 0; i < sl; i++) {
		char c = loc[i];

		scheme[i + 1] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a')
		    : c;
	}
	if (nbuf_add(nb, scheme, sl + 1) < 0)
		return -1;
	if (norm_path(nb, rest, path_len(rest), 0) < 0)
		return -1;
	/* "tag:" or "tag:/" alone names nothing. */
	i = nb->len;
	if (nb->out[i - 1] == '/')
		i--;
	return i > sl + 1 ? 0 : -1;
}

/*
 * The end of a mapping that produced r: the key stands if nothing failed
 * and it names something servable (not empty, not reserved); otherwise
 * out is emptied.  0 or -1.
 */
static int
key_done(struct nbuf *nb, int r)
{
	if (r < 0 || nb->len == 0 || names_is_reserved(nb->out)) {
		nb->out[0] = '\0';
		return -1;
	}
	return 0;
}

int
names_from_location(const char *loc, char *out, size_t outlen)
{
	struct nbuf nb;
	const char *p;
	size_t sl;
	int r;

	if (loc == NULL || out == NULL || outlen == 0)
		return -1;
	nbuf_init(&nb, out, outlen);
	if (!raw_ok(loc))
		return -1;
	if ((p = http_path(loc)) != NULL)
		r = norm_path(&nb, p, path_len(p), 0);
	else if ((sl = scheme_len(loc)) > 0)
		r = map_scheme(&nb, loc, sl);
	else
		r = norm_path(&nb, loc, path_len(loc), 0);
	return key_done(&nb, r);
}

/* path equals name, or starts with name followed by "/". */
static int
is_dir_or_below(const char *path, const char *name)
{
	size_t n = strlen(name);

	return strncmp(path, name, n) == 0 &&
	    (path[n] == '\0' || path[n] == '/');
}

int
names_is_reserved(const char *path)
{
	if (path == NULL || path[0] == '\0' || strcmp(path, "/") == 0)
		return 1;
	return strcmp(path, "/health") == 0 ||
	    strcmp(path, "/metrics") == 0 ||
	    strcmp(path, "/services.json") == 0 ||
	    strcmp(path, "/status.json") == 0 ||
	    is_dir_or_below(path, "/dvbi") ||
	    is_dir_or_below(path, "/nip") ||
	    is_dir_or_below(path, "/ui");
}

/* Copy base's directory ("/a/b/c.m3u8" -> "/a/b") into nb. */
static int
base_dir(struct nbuf *nb, const char *base)
{
	const char *slash;

	if (base == NULL || base[0] != '/' || !raw_ok(base))
		return -1;
	slash = strrchr(base, '/');
	return nbuf_add(nb, base, (size_t)(slash - base));
}

int
names_resolve(const char *base, const char *ref, char *out, size_t outlen)
{
	struct nbuf nb;
	const char *p = ref;
	int r;

	if (ref == NULL || out == NULL || outlen == 0)
		return -1;
	if (http_path(ref) != NULL || scheme_len(ref) > 0)
		return names_from_location(ref, out, outlen);
	nbuf_init(&nb, out, outlen);
	if (ref[0] == '\0' || !raw_ok(ref))
		return -1;
	if (ref[0] == '/' && ref[1] == '/')
		p = skip_authority(ref + 2);
	else if (ref[0] != '/' && base_dir(&nb, base) < 0)
		return -1;
	r = norm_path(&nb, p, path_len(p), 1);
	return key_done(&nb, r);
}

/*
 * Find URI="..." in an HLS attribute list (a[0..n)).  Returns the value
 * length and sets *val, or -1 if there is none or it is not quoted.
 */
static long
hls_attr_uri(const char *a, size_t n, const char **val)
{
	size_t i = 0;

	while (i < n) {
		size_t name = i, nl, v;

		while (i < n && a[i] != '=' && a[i] != ',')
			i++;
		nl = i - name;
		if (i >= n || a[i] == ',') {
			i++;
			continue;
		}
		i++;
		if (i < n && a[i] == '"') {
			v = ++i;
			while (i < n && a[i] != '"')
				i++;
			if (i >= n)
				return -1;
			if (nl == 3 && memcmp(a + name, "URI", 3) == 0) {
				*val = a + v;
				return (long)(i - v);
			}
			i++;
		}
		while (i < n && a[i] != ',')
			i++;
		i++;
	}
	return -1;
}

/* The reporting side of the playlist scanners. */
struct hls_out {
	const char	*base;
	void		(*fn)(void *arg, const char *path);
	void		*arg;
	int		count;
	char		last[NAMES_MAX];	/* the last path reported */
};

static void
hls_out_init(struct hls_out *o, const char *base,
    void (*fn)(void *arg, const char *path), void *arg)
{
	o->base = base;
	o->fn = fn;
	o->arg = arg;
	o->count = 0;
	o->last[0] = '\0';
}

/*
 * The next line of body[0..len) from *pos on, without its "\n" or "\r\n";
 * NULL at the end.  *pos moves past the line.
 */
static const char *
hls_line(const char *body, size_t len, size_t *pos, size_t *ll)
{
	const char *line, *nl;
	size_t n;

	if (*pos >= len)
		return NULL;
	line = body + *pos;
	nl = memchr(line, '\n', len - *pos);
	n = nl != NULL ? (size_t)(nl - line) : len - *pos;
	*pos += n + 1;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	*ll = n;
	return line;
}

/*
 * Resolve the URI val[0..vl) and hand it to fn.  A "data:" URI names no
 * object; a path equal to the last one reported (byte ranges of one
 * file, listed one after the other) is reported once.
 */
static void
hls_report(struct hls_out *o, const char *val, size_t vl)
{
	char uri[NAMES_RAW_MAX + 1], path[NAMES_MAX];

	if (vl == 0 || vl > NAMES_RAW_MAX || memchr(val, '\0', vl) != NULL ||
	    (vl >= 5 && strncasecmp(val, "data:", 5) == 0))
		return;
	memcpy(uri, val, vl);
	uri[vl] = '\0';
	if (names_resolve(o->base, uri, path, sizeof(path)) < 0 ||
	    strcmp(path, o->last) == 0)
		return;
	memcpy(o->last, path, strlen(path) + 1);
	o->fn(o->arg, path);
	o->count++;
}

/* line[0..n) starts with the tag t (a string literal) and goes on. */
#define HLS_TAG_IS(line, n, t) \
	((n) > sizeof(t) - 1 && memcmp((line), (t), sizeof(t) - 1) == 0)

int
names_hls_maps(const char *base, const char *body, size_t len,
    void (*fn)(void *arg, const char *path), void *arg)
{
	static const char tag[] = "#EXT-X-MAP:";
	struct hls_out o;
	const char *line, *val;
	size_t pos = 0, ll, tl = sizeof(tag) - 1;
	long vl;

	hls_out_init(&o, base, fn, arg);
	while (o.count < NAMES_MAX_MAPS &&
	    (line = hls_line(body, len, &pos, &ll)) != NULL) {
		if (!HLS_TAG_IS(line, ll, tag))
			continue;
		vl = hls_attr_uri(line + tl, ll - tl, &val);
		if (vl > 0)
			hls_report(&o, val, (size_t)vl);
	}
	return o.count;
}

/* What a line references, for names_hls_refs. */
enum hls_kind {
	HLS_NONE,
	HLS_FIXED,	/* a map or key: always reported */
	HLS_WINDOW,	/* a segment or part: the oldest may be skipped */
};

#define HLS_TAG(t, kind)	{ t, sizeof(t) - 1, kind }

static const struct {
	const char	*tag;
	size_t		len;
	enum hls_kind	kind;
} hls_uri_tags[] = {
	HLS_TAG("#EXT-X-MAP:", HLS_FIXED),
	HLS_TAG("#EXT-X-KEY:", HLS_FIXED),
	HLS_TAG("#EXT-X-PART:", HLS_WINDOW),
	HLS_TAG("#EXT-X-PRELOAD-HINT:", HLS_WINDOW),
};

/* The URI line l[0..n) references, if any, in *uri and *ul. */
static enum hls_kind
hls_line_uri(const char *l, size_t n, const char **uri, size_t *ul)
{
	size_t i;
	long vl;

	if (n == 0)
		return HLS_NONE;
	if (l[0] != '#') {
		*uri = l;
		*ul = n;
		return HLS_WINDOW;
	}
	for (i = 0; i < sizeof(hls_uri_tags) / sizeof(hls_uri_tags[0]); i++) {
		size_t tl = hls_uri_tags[i].len;

		if (n <= tl || memcmp(l, hls_uri_tags[i].tag, tl) != 0)
			continue;
		if ((vl = hls_attr_uri(l + tl, n - tl, uri)) <= 0)
			return HLS_NONE;
		*ul = (size_t)vl;
		return hls_uri_tags[i].kind;
	}
	return HLS_NONE;
}

/*
 * Decimal seconds ("6", "5.005", "2.", ".5") to milliseconds, clamped at
 * NAMES_HLS_DUR_MAX; digits past the millisecond are ignored.  The first
 * byte that is neither a digit nor the one '.' ends the number, so a
 * negative value is 0.
 */
static uint32_t
hls_seconds_ms(const char *s, size_t n)
{
	uint64_t ms = 0, scale = 100;
	size_t i;

	for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		ms = ms * 10 + (uint64_t)(s[i] - '0') * 1000;
		if (ms > NAMES_HLS_DUR_MAX)
			return NAMES_HLS_DUR_MAX;
	}
	if (i < n && s[i] == '.') {
		for (i++; i < n && scale > 0 && s[i] >= '0' && s[i] <= '9';
		    i++, scale /= 10)
			ms += (uint64_t)(s[i] - '0') * scale;
	}
	return ms > NAMES_HLS_DUR_MAX ? NAMES_HLS_DUR_MAX : (uint32_t)ms;
}

/* Account for line l[0..n) if it is #EXTINF or #EXT-X-TARGETDURATION. */
static void
hls_line_dur(const char *l, size_t n, struct names_hls_dur *d)
{
	static const char inf[] = "#EXTINF:";
	static const char td[] = "#EXT-X-TARGETDURATION:";
	uint32_t ms;

	if (HLS_TAG_IS(l, n, inf)) {
		ms = hls_seconds_ms(l + sizeof(inf) - 1, n - (sizeof(inf) - 1));
		d->total_ms = UINT64_MAX - d->total_ms < ms ? UINT64_MAX :
		    d->total_ms + ms;
		if (ms > d->longest_ms)
			d->longest_ms = ms;
	} else if (HLS_TAG_IS(l, n, td)) {
		d->target_ms = hls_seconds_ms(l + sizeof(td) - 1,
		    n - (sizeof(td) - 1));
	}
}

/*
 * The first pass of names_hls_refs: durations, and how many URI lines
 * and parts (*nwin) and maps and keys (*nfixed) there are.
 */
static void
hls_refs_count(const char *body, size_t len, struct names_hls_dur *d,
    size_t *nwin, size_t *nfixed)
{
	const char *line, *uri;
	size_t pos = 0, ll, ul;

	*nwin = *nfixed = 0;
	while ((line = hls_line(body, len, &pos, &ll)) != NULL) {
		switch (hls_line_uri(line, ll, &uri, &ul)) {
		case HLS_WINDOW:
			(*nwin)++;
			break;
		case HLS_FIXED:
			(*nfixed)++;
			break;
		case HLS_NONE:
			hls_line_dur(line, ll, d);
			break;
		}
	}
}

/*
 * Two passes over the body: the first counts, so that the second can
 * pass over the oldest segments and parts when there are more than
 * NAMES_MAX_REFS references (a long event playlist): what a player asks
 * for next is at the end.  Both passes are linear in len; only the
 * reported URIs are resolved.
 */
int
names_hls_refs(const char *base, const char *body, size_t len,
    void (*fn)(void *arg, const char *path), void *arg,
    struct names_hls_dur *dur)
{
	static const char magic[] = "#EXTM3U";
	struct names_hls_dur d = { 0, 0, 0 };
	struct hls_out o;
	const char *line, *uri;
	size_t pos = 0, ll, ul, nwin, nfixed, skip = 0;
	enum hls_kind kind;

	if (dur != NULL)
		*dur = d;
	if (body == NULL || len < sizeof(magic) - 1 ||
	    memcmp(body, magic, sizeof(magic) - 1) != 0)
		return 0;
	hls_refs_count(body, len, &d, &nwin, &nfixed);
	if (dur != NULL)
		*dur = d;
	if (nwin + nfixed > NAMES_MAX_REFS)
		skip = nwin + nfixed - NAMES_MAX_REFS;
	if (skip > nwin)
		skip = nwin;
	hls_out_init(&o, base, fn, arg);
	while (o.count < NAMES_MAX_REFS &&
	    (line = hls_line(body, len, &pos, &ll)) != NULL) {
		kind = hls_line_uri(line, ll, &uri, &ul);
		if (kind == HLS_WINDOW && skip > 0)
			skip--;
		else if (kind != HLS_NONE)
			hls_report(&o, uri, ul);
	}
	return o.count;
}
