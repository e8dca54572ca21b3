/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * names.h: from a carousel object's Content-Location to the URL path it is
 * served at (the cache key).  An HTTP request target is judged and mapped
 * to that same key by httpu_check_target() in mime.h.
 *
 *   http://HOST/P, https://HOST/P  ->  /P
 *   SCHEME:REST (tag:, urn:, ...)  ->  /SCHEME/REST
 *       (e.g. /tag/mabr.gpac.io.2025.services.1/live.m3u8)
 *   a bare relative name P         ->  /P
 *
 * Percent-escapes are decoded; ".." segments, NUL, control characters,
 * "\" and an escaped "/" (%2F), empty results and paths longer than
 * NAMES_MAX are refused.  Reserved paths (/health, /metrics,
 * /services.json, /dvbi/, /nip/, /) are never produced for carousel
 * objects: such names are refused.
 *
 * Normal form of a key: starts with "/", no empty or "." segments (so "//"
 * collapses), no control characters, the scheme lower-cased, no query
 * ("?...") or fragment ("#..."): both are cut before decoding, so "%3F"
 * stays part of the name.  A trailing "/" is kept.  Every function here is
 * pure (no I/O, no globals) and the result always fits in NAMES_MAX bytes
 * including its NUL.
 */
#ifndef NIPCACHE_NAMES_H
#define NIPCACHE_NAMES_H

#include <stddef.h>

#define NAMES_MAX	2048

/* Map a Content-Location.  Returns 0, or -1 if it cannot be served. */
int	names_from_location(const char *loc, char *out, size_t outlen);
/* 1 if path is one of the reserved daemon paths. */
int	names_is_reserved(const char *path);

/*
 * Decode the percent-escape "%XX" at s[*i] (s holds n bytes): returns the
 * byte, 0 to 255, and leaves *i on the escape's last digit; or -1 if the
 * escape is cut short or not hexadecimal.  The one decoder for names and
 * request targets (mime.c), so both read escapes alike.
 */
int	names_unescape(const char *s, size_t n, size_t *i);

/*
 * Resolve a URI reference found inside an object (an HLS URI, a DASH
 * BaseURL) against the key base of that object, RFC 3986 style: absolute
 * URIs map as names_from_location, "/p" and "//host/p" are taken from the
 * root, anything else is relative to base's directory ("..", clamped at
 * the root, is allowed here).  0, or -1 if the result cannot be served.
 */
int	names_resolve(const char *base, const char *ref, char *out,
	    size_t outlen);

/*
 * Call fn once for each #EXT-X-MAP:URI="..." of an HLS playlist body
 * (len bytes, NUL not needed), resolved against base.  At most
 * NAMES_MAX_MAPS are reported.  Returns how many were.
 */
#define NAMES_MAX_MAPS	16
int	names_hls_maps(const char *base, const char *body, size_t len,
	    void (*fn)(void *arg, const char *path), void *arg);

#endif
