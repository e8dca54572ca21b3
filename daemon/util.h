/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util.h: small helpers shared by every module.
 *
 * The x* allocators are for start-up only: they call fatal() on failure.
 * Code that runs on network input uses malloc() and handles NULL.
 */
#ifndef NIPCACHE_UTIL_H
#define NIPCACHE_UTIL_H

#include <stddef.h>
#include <stdint.h>

void	*xmalloc(size_t n);
void	*xcalloc(size_t nmemb, size_t size);
void	*xrealloc(void *p, size_t n);
char	*xstrdup(const char *s);

/* Monotonic clock in milliseconds (CLOCK_MONOTONIC). */
uint64_t util_now_ms(void);
/* Wall clock in seconds since the Unix epoch. */
int64_t	util_wall_s(void);

/*
 * Sizes with binary suffixes K, M, G, T ("10G" = 10 * 2^30); plain digits
 * are bytes.  Returns 0 or -1 (syntax error or overflow).
 */
int	util_parse_size(const char *s, uint64_t *out);
/* Durations "250ms", "6s", "2m", "1h"; a bare number is seconds. 0 or -1. */
int	util_parse_duration_ms(const char *s, uint64_t *out);
/* Booleans yes/no, on/off, true/false, 1/0.  Returns 0 or 1, -1 if neither. */
int	util_parse_bool(const char *s);

/* strlcpy semantics: always NUL-terminates, returns strlen(src). */
size_t	util_strlcpy(char *dst, const char *src, size_t dstsize);

/*
 * Base64 (RFC 4648, padding optional, whitespace ignored) into out.
 * Returns the decoded length, or -1 on bad input or if it exceeds outmax.
 */
int	util_base64_decode(const char *in, uint8_t *out, size_t outmax);

/* MD5 of n bytes at buf into out (Content-MD5, ETags, tests). */
void	util_md5(const void *buf, size_t n, uint8_t out[16]);

/* Lower-case hex of n bytes into out (2n + 1 bytes). */
void	util_hex(const uint8_t *in, size_t n, char *out);

/*
 * NTP seconds (32-bit, seconds since 1900) to Unix seconds, choosing the
 * era (the 32-bit field wraps in 2036) that puts the result closest to
 * now_unix.
 */
int64_t	util_ntp_to_unix(uint32_t ntp, int64_t now_unix);

/*
 * A growing, always NUL-terminated text buffer for documents made at run
 * time (signalling XML, JSON).  Start it zeroed; on a failed allocation or
 * past UTIL_SB_MAX bytes it stops growing and sets err, so callers check
 * once at the end.  The caller frees p.
 */
#define UTIL_SB_MAX	(64u << 20)
struct util_sb {
	char	*p;
	size_t	len, cap;
	int	err;
};

void	util_sb_add(struct util_sb *b, const char *s, size_t n);
void	util_sb_printf(struct util_sb *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* s escaped for XML text and attribute values (&<>"' as entities). */
void	util_sb_xml(struct util_sb *b, const char *s);
/* s as a JSON string with its quotes (controls and DEL as \u00XX), or null. */
void	util_sb_json(struct util_sb *b, const char *s);
/*
 * in as a URL path into out (len bytes): every byte that is not an RFC 3986
 * pchar or '/' percent-encoded, so that a decoded name ("%", "?", "#",
 * blanks, non-UTF-8 bytes) survives the trip back through a URL decoder.
 * 0, or -1 if it does not fit.
 */
int	util_path_escape(const char *in, char *out, size_t len);

#endif
