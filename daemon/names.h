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
#include <stdint.h>

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
 * (len bytes, NUL not needed), resolved against base.  A path equal to
 * the one reported just before is not reported again, nor is a "data:"
 * URI.  At most NAMES_MAX_MAPS are reported.  Returns how many were.
 */
#define NAMES_MAX_MAPS	16
int	names_hls_maps(const char *base, const char *body, size_t len,
	    void (*fn)(void *arg, const char *path), void *arg);

/*
 * Durations read from an HLS playlist, in milliseconds: the sum of its
 * #EXTINF (the playlist duration), the longest #EXTINF and
 * #EXT-X-TARGETDURATION.  Each #EXTINF and the target are clamped at
 * NAMES_HLS_DUR_MAX; the sum saturates.
 */
struct names_hls_dur {
	uint64_t	total_ms;
	uint32_t	longest_ms;
	uint32_t	target_ms;
};

#define NAMES_MAX_REFS		4096
#define NAMES_HLS_DUR_MAX	86400000u	/* a day */

/*
 * Call fn once for every URI an HLS playlist references, resolved as in
 * names_hls_maps: the URI lines (media segments, or the variant
 * playlists of a multivariant one) and the URI= of #EXT-X-MAP,
 * #EXT-X-KEY, #EXT-X-PART and #EXT-X-PRELOAD-HINT.  A body that does not
 * start with #EXTM3U is no HLS playlist (a DASH manifest, say) and
 * references nothing.  At most NAMES_MAX_REFS paths are reported; when
 * there are more, the oldest URI lines and parts are passed over so that
 * the live edge stays (maps and keys never are).  dur, if not NULL,
 * receives the durations of the whole body.  Returns how many paths were
 * reported.
 */
int	names_hls_refs(const char *base, const char *body, size_t len,
	    void (*fn)(void *arg, const char *path), void *arg,
	    struct names_hls_dur *dur);

#endif
