/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * names.h: from a carousel object's Content-Location to the URL path it is
 * served at, and from an HTTP request target to that same key.
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
 * Map a raw (still percent-encoded) HTTP request target, origin form
 * "/a/b?x" or absolute form "http://dvb.gw/a/b", to the cache key.  The
 * target must not have been unescaped already (with libmicrohttpd, install
 * an identity MHD_OPTION_UNESCAPE_CALLBACK), or a name containing "%25"
 * would be decoded twice.  Reserved paths are returned, not refused, so the
 * caller can dispatch them.  0, or -1 (400 Bad Request).
 */
int	names_from_request(const char *target, char *out, size_t outlen);

/*
 * Resolve a URI reference found inside an object (an HLS URI, a DASH
 * BaseURL) against the key base of that object, RFC 3986 style: absolute
 * URIs map as names_from_location, "/p" and "//host/p" are taken from the
 * root, anything else is relative to base's directory ("..", clamped at
 * the root, is allowed here).  0, or -1 if the result cannot be served.
 */
int	names_resolve(const char *base, const char *ref, char *out,
	    size_t outlen);

/* The content type for path's file extension, or NULL if unknown. */
const char *names_type_from_ext(const char *path);

/*
 * Call fn once for each #EXT-X-MAP:URI="..." of an HLS playlist body
 * (len bytes, NUL not needed), resolved against base.  At most
 * NAMES_MAX_MAPS are reported.  Returns how many were.
 */
#define NAMES_MAX_MAPS	16
int	names_hls_maps(const char *base, const char *body, size_t len,
	    void (*fn)(void *arg, const char *path), void *arg);

#endif
