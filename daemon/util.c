/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.c: allocation at start-up, clocks, value parsers, encodings. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <nettle/base64.h>
#include <nettle/md5.h>

#include "log.h"
#include "util.h"

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatal("xmalloc %zu", n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		fatal("xcalloc %zu x %zu", nmemb, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		fatal("xrealloc %zu", n);
	return q;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		fatal("xstrdup");
	return p;
}

uint64_t
util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int64_t
util_wall_s(void)
{
	return (int64_t)time(NULL);
}

/* Parse leading decimal digits; *end points after them.  0 or -1. */
static int
parse_u64(const char *s, uint64_t *out, const char **end)
{
	uint64_t v = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	while (isdigit((unsigned char)*s)) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
		s++;
	}
	*out = v;
	*end = s;
	return 0;
}

/*
 * The end of a number with a unit: only white space may follow, and v
 * times the unit's mul must fit.  Then *out is set.  0 or -1.
 */
static int
parse_scaled_end(const char *end, uint64_t v, uint64_t mul, uint64_t *out)
{
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0' || (v && mul > UINT64_MAX / v))
		return -1;
	*out = v * mul;
	return 0;
}

int
util_parse_size(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t v, mul = 1;

	while (isspace((unsigned char)*s))
		s++;
	if (parse_u64(s, &v, &end) < 0)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K': mul = 1ULL << 10; end++; break;
	case 'M': mul = 1ULL << 20; end++; break;
	case 'G': mul = 1ULL << 30; end++; break;
	case 'T': mul = 1ULL << 40; end++; break;
	default: break;
	}
	if (mul > 1 && (*end == 'B' || *end == 'b'))
		end++;
	return parse_scaled_end(end, v, mul, out);
}

int
util_parse_duration_ms(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t v, mul;

	while (isspace((unsigned char)*s))
		s++;
	if (parse_u64(s, &v, &end) < 0)
		return -1;
	if (strncmp(end, "ms", 2) == 0) {
		mul = 1;
		end += 2;
	} else if (*end == 's') {
		mul = 1000;
		end++;
	} else if (*end == 'm') {
		mul = 60000;
		end++;
	} else if (*end == 'h') {
		mul = 3600000;
		end++;
	} else {
		mul = 1000;
	}
	return parse_scaled_end(end, v, mul, out);
}

int
util_parse_bool(const char *s)
{
	static const char *yes[] = { "yes", "on", "true", "1" };
	static const char *no[] = { "no", "off", "false", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

size_t
util_strlcpy(char *dst, const char *src, size_t dstsize)
{
	size_t n = strlen(src);

	if (dstsize) {
		size_t c = n < dstsize - 1 ? n : dstsize - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

int
util_base64_decode(const char *in, uint8_t *out, size_t outmax)
{
	struct base64_decode_ctx ctx;
	char clean[512];
	size_t n = 0, done, total = 0;
	uint8_t tmp[BASE64_DECODE_LENGTH(sizeof(clean))];

	for (; *in; in++) {
		if (isspace((unsigned char)*in))
			continue;
		if (n >= sizeof(clean))
			return -1;
		clean[n++] = *in;
	}
	/* nettle wants padding; add it when a sender left it out. */
	while (n % 4 && n < sizeof(clean))
		clean[n++] = '=';
	base64_decode_init(&ctx);
	done = sizeof(tmp);
	if (!base64_decode_update(&ctx, &done, tmp, n, clean) ||
	    !base64_decode_final(&ctx))
		return -1;
	total = done;
	if (total > outmax)
		return -1;
	memcpy(out, tmp, total);
	return (int)total;
}

void
util_md5(const void *buf, size_t n, uint8_t out[16])
{
	struct md5_ctx ctx;

	md5_init(&ctx);
	md5_update(&ctx, n, buf);
	md5_digest(&ctx, 16, out);
}

void
util_hex(const uint8_t *in, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[in[i] >> 4];
		out[2 * i + 1] = hx[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int64_t
util_ntp_to_unix(uint32_t ntp, int64_t now_unix)
{
	const int64_t era = 4294967296LL;
	int64_t base = (int64_t)ntp - 2208988800LL;
	int64_t best = base, k;

	/* Eras 0..2 cover 1900..2172; pick the one nearest to now. */
	for (k = 1; k <= 2; k++) {
		int64_t cand = base + k * era;

		if (llabs(cand - now_unix) < llabs(best - now_unix))
			best = cand;
	}
	return best;
}

void
util_sb_add(struct util_sb *b, const char *s, size_t n)
{
	size_t cap;
	char *g;

	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		if (b->len + n + 1 > UTIL_SB_MAX) {
			b->err = 1;
			return;
		}
		for (cap = b->cap ? b->cap : 4096; cap < b->len + n + 1;)
			cap *= 2;
		if ((g = realloc(b->p, cap)) == NULL) {
			b->err = 1;
			return;
		}
		b->p = g;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
util_sb_printf(struct util_sb *b, const char *fmt, ...)
{
	char small[256], *big;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (r < 0) {
		b->err = 1;
		return;
	}
	if ((size_t)r < sizeof(small)) {
		util_sb_add(b, small, (size_t)r);
		return;
	}
	if ((big = malloc((size_t)r + 1)) == NULL) {
		b->err = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)r + 1, fmt, ap);
	va_end(ap);
	util_sb_add(b, big, (size_t)r);
	free(big);
}

void
util_sb_xml(struct util_sb *b, const char *s)
{
	const char *e;
	size_t run;

	while (s != NULL && *s != '\0') {
		run = strcspn(s, "&<>\"'");
		util_sb_add(b, s, run);
		s += run;
		if (*s == '\0')
			break;
		e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ?
		    "&gt;" : *s == '"' ? "&quot;" : "&apos;";
		util_sb_add(b, e, strlen(e));
		s++;
	}
}

void
util_sb_json(struct util_sb *b, const char *s)
{
	const unsigned char *p;

	if (s == NULL) {
		util_sb_printf(b, "null");
		return;
	}
	util_sb_add(b, "\"", 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			util_sb_printf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			util_sb_printf(b, "\\u%04x", *p);
		else
			util_sb_add(b, (const char *)p, 1);
	}
	util_sb_add(b, "\"", 1);
}

/* RFC 3986 pchar plus '/': what a URL path may hold without escaping. */
static int
util_path_char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("-._~!$&'()*+,;=:@/", c) != NULL;
}

int
util_path_escape(const char *in, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	unsigned char c;

	for (; (c = (unsigned char)*in) != '\0'; in++) {
		if (o + (util_path_char(c) ? 1 : 3) >= len)
			return -1;
		if (util_path_char(c)) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (o >= len)
		return -1;
	out[o] = '\0';
	return 0;
}
