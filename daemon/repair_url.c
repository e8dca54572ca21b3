/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repair_url.c: the pure helpers of unicast repair (protocols.md 5.4): the
 * random draws behind the back-off and the BaseURL choice, and the repair
 * URL of a transport object.  No globals, no I/O, no locks: tools/fleetsim.c
 * calls them for a million simulated boxes, so they are also kept cheap.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "repair.h"

/* Any non-zero constant will do; this one is 2^64 divided by phi. */
#define RAND_RESEED	0x9e3779b97f4a7c15ULL

uint64_t
repair_rand(uint64_t *s)
{
	uint64_t x = *s;

	/* A zero state would stay zero forever; recover instead of sticking. */
	if (x == 0)
		x = RAND_RESEED;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/*
 * A uniform draw in [0, bound), bound > 0, without modulo bias.  Bounds up
 * to 2^32 (every back-off, nearly every weight sum) take the multiply-shift
 * method on the high half of the output, whose bits are the generator's
 * best; larger bounds reject the short top interval and reduce modulo.
 */
static uint64_t
rand_below(uint64_t *s, uint64_t bound)
{
	uint64_t x, m, t;

	if (bound <= (1ULL << 32)) {
		t = ((1ULL << 32) - bound) % bound;
		do {
			m = (repair_rand(s) >> 32) * bound;
		} while ((m & 0xffffffffULL) < t);
		return m >> 32;
	}
	t = (0 - bound) % bound;
	do {
		x = repair_rand(s);
	} while (x < t);
	return x % bound;
}

uint64_t
repair_backoff_ms(uint32_t fixed_ms, uint32_t random_ms, uint64_t *rng)
{
	/* No random part: no draw, so the generator is left as it was. */
	if (random_ms == 0)
		return fixed_ms;
	return (uint64_t)fixed_ms + rand_below(rng, (uint64_t)random_ms + 1);
}

int
repair_pick_base(const struct repair_base *b, size_t n, uint64_t *rng)
{
	uint64_t sum = 0, x;
	size_t i;

	if (b == NULL)
		return -1;
	for (i = 0; i < n; i++)
		sum += b[i].weight;
	if (sum == 0)
		return -1;
	x = rand_below(rng, sum);
	for (i = 0; i < n; i++) {
		if (x < b[i].weight)
			return (int)i;
		x -= b[i].weight;
	}
	return -1;	/* not reached: x < sum */
}

/* Length of an "http://" or "https://" prefix (any case), else 0. */
static size_t
url_http_prefix(const char *s)
{
	if (strncasecmp(s, "http://", 7) == 0)
		return 7;
	if (strncasecmp(s, "https://", 8) == 0)
		return 8;
	return 0;
}

/*
 * 1 if s starts with an RFC 3986 scheme ("tag:", "urn:", "ftp:"): letters,
 * digits, "+", "-" and "." after a letter, then ":".
 */
static int
url_has_scheme(const char *s)
{
	const char *p = s;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	p += strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789+-.");
	return *p == ':';
}

/* 1 if s has a control character, a space or DEL: no valid URL does. */
static int
url_has_ctl(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* 1 if the n bytes at s spell "..", also with "%2e" escapes in any case. */
static int
url_is_dotdot(const char *s, size_t n)
{
	int dots = 0;

	while (n > 0) {
		if (*s == '.') {
			s++;
			n--;
		} else if (n >= 3 && strncasecmp(s, "%2e", 3) == 0) {
			s += 3;
			n -= 3;
		} else {
			return 0;
		}
		dots++;
	}
	return dots == 2;
}

/*
 * 1 if the path (n bytes) has a ".." segment.  A repair server normalises
 * it away and could then serve a file outside the base, so such a name is
 * refused rather than sent.  Backslashes count as separators too, as some
 * servers treat them so.
 */
static int
url_has_dotdot(const char *p, size_t n)
{
	size_t i, seg = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != '/' && p[i] != '\\')
			continue;
		if (url_is_dotdot(p + seg, i - seg))
			return 1;
		seg = i + 1;
	}
	return 0;
}

/*
 * Check base: http(s), a non-empty host, no query, fragment or blanks.
 * Returns its length, or 0 if it is not usable.
 */
static size_t
url_base_check(const char *base)
{
	size_t pre, n;

	if (base == NULL || (pre = url_http_prefix(base)) == 0)
		return 0;
	n = strlen(base);
	if (n == pre || base[pre] == '/' || url_has_ctl(base, n) ||
	    strpbrk(base, "?#") != NULL)
		return 0;
	return n;
}

/*
 * The part of location that goes after base: object_base_uri cut off, or
 * the scheme and host of an absolute http(s) location, and then one
 * leading "/".  NULL when location does not start with object_base_uri or
 * names another scheme with no object_base_uri to cut it off.
 */
static const char *
url_rel(const char *location, const char *object_base_uri)
{
	size_t pre;
	const char *p = location;

	if (object_base_uri != NULL && *object_base_uri != '\0') {
		pre = strlen(object_base_uri);
		if (strncmp(location, object_base_uri, pre) != 0)
			return NULL;
		p += pre;
	} else if ((pre = url_http_prefix(location)) != 0 ||
	    strncmp(location, "//", 2) == 0) {
		p += pre ? pre : 2;
		p += strcspn(p, "/?#");
	} else if (url_has_scheme(location)) {
		return NULL;
	}
	if (*p == '/')
		p++;
	return p;
}

int
repair_url(const char *location, const char *object_base_uri,
    const char *base, char *out, size_t len)
{
	const char *rel;
	size_t blen, rlen, plen, slash;

	if (location == NULL || out == NULL || len == 0)
		return -1;
	if ((blen = url_base_check(base)) == 0)
		return -1;
	if ((rel = url_rel(location, object_base_uri)) == NULL)
		return -1;
	/* The fragment is the receiver's business (chunked offsets). */
	rlen = strcspn(rel, "#");
	plen = strcspn(rel, "?#");
	if (plen == 0 || url_has_ctl(rel, rlen) || url_has_dotdot(rel, plen))
		return -1;
	slash = base[blen - 1] != '/';
	if (blen + slash + rlen >= len)
		return -1;
	memcpy(out, base, blen);
	if (slash)
		out[blen] = '/';
	memcpy(out + blen + slash, rel, rlen);
	out[blen + slash + rlen] = '\0';
	return 0;
}
