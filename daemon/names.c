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
	    is_dir_or_below(path, "/dvbi") ||
	    is_dir_or_below(path, "/nip");
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
		v = ++i;
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

int
names_hls_maps(const char *base, const char *body, size_t len,
    void (*fn)(void *arg, const char *path), void *arg)
{
	static const char tag[] = "#EXT-X-MAP:";
	char uri[NAMES_RAW_MAX + 1], path[NAMES_MAX];
	size_t pos = 0, tl = sizeof(tag) - 1;
	int count = 0;

	while (pos < len && count < NAMES_MAX_MAPS) {
		const char *line = body + pos, *nl, *val;
		size_t ll;
		long vl;

		nl = memchr(line, '\n', len - pos);
		ll = nl != NULL ? (size_t)(nl - line) : len - pos;
		pos += ll + 1;
		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		if (ll <= tl || memcmp(line, tag, tl) != 0)
			continue;
		vl = hls_attr_uri(line + tl, ll - tl, &val);
		if (vl <= 0 || (size_t)vl > NAMES_RAW_MAX ||
		    memchr(val, '\0', (size_t)vl) != NULL)
			continue;
		memcpy(uri, val, (size_t)vl);
		uri[vl] = '\0';
		if (names_resolve(base, uri, path, sizeof(path)) < 0)
			continue;
		fn(arg, path);
		count++;
	}
	return count;
}
