/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mime.h: the pure helpers of the HTTP layer.  Content types by file
 * extension (the daemon's only table, shared with the store), and the
 * request parsers httpd.c needs: the raw request target check (the only
 * request-target mapping), single byte ranges, entity-tag lists, HTTP
 * dates and [http] listen addresses.  No I/O, no globals, so each one is
 * unit tested on hostile input.
 */
#ifndef NIPCACHE_MIME_H
#define NIPCACHE_MIME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define MIME_DEFAULT	"application/octet-stream"

/*
 * Content type for a URL path or file name, from the extension of its
 * last segment (case-insensitive).  Never NULL: unknown or missing
 * extensions give MIME_DEFAULT.  Static storage.
 */
const char *mime_from_path(const char *path);

/*
 * Judge a raw (still percent-encoded) request target and decode it into
 * the cache key form.  Origin-form "/P" and absolute-form "http://dvb.gw/P"
 * (host dvb.gw, optional ":80") are accepted; the query and fragment are
 * cut.  Refused (-1, answer 400): other hosts or schemes, a raw target
 * longer than NAMES_MAX, raw or encoded control characters, NUL, raw "\",
 * encoded "/" or "\", bad escapes, and ".." segments in any encoding.
 * Like names.c, empty and "." segments vanish and a trailing "/" stays.
 * The target must not have been unescaped already (with libmicrohttpd,
 * install an identity MHD_OPTION_UNESCAPE_CALLBACK), or a name containing
 * "%25" would be decoded twice.  Reserved paths (names_is_reserved) are
 * returned, not refused, so the caller can dispatch them.  Returns 0 with
 * the NUL-terminated key in out, or -1.
 */
int	httpu_check_target(const char *raw, char *out, size_t outlen);

enum httpu_range {
	HTTPU_RANGE_NONE = 0,	/* absent, invalid or multiple: send all (200) */
	HTTPU_RANGE_OK,		/* one satisfiable range: 206 */
	HTTPU_RANGE_UNSAT,	/* not satisfiable: 416 */
};

/*
 * Parse a Range header value ("bytes=a-b", "bytes=a-", "bytes=-n") for a
 * body of size bytes.  On HTTPU_RANGE_OK *off and *len give the bytes to
 * send (len >= 1).  hdr may be NULL.  Huge numbers saturate, so they mean
 * "beyond the end" rather than wrapping.
 */
enum httpu_range httpu_parse_range(const char *hdr, uint64_t size,
	    uint64_t *off, uint64_t *len);

/*
 * 1 if the If-None-Match list (`*` or comma-separated entity tags, weak
 * or strong) matches etag under the weak comparison, else 0.
 */
int	httpu_etag_match(const char *list, const char *etag);

/* 1 if an If-Range value is exactly the strong etag, else 0. */
int	httpu_if_range_match(const char *value, const char *etag);

/* IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") to Unix time.  0 or -1. */
int	httpu_parse_date(const char *s, int64_t *out);

/* Unix time to IMF-fixdate in buf (at least 30 bytes).  0 or -1. */
int	httpu_format_date(int64_t t, char *buf, size_t len);

/*
 * 1 if s can go into a response header as is: not empty, printable ASCII
 * only.  Carousel metadata (content types, ETags) is checked with it.
 */
int	httpu_header_safe(const char *s);

/*
 * "A.B.C.D:PORT" or "[IPv6]:PORT" (numeric only, as conf.c checks) to a
 * socket address.  0 or -1.
 */
int	httpu_parse_listen(const char *s, struct sockaddr_storage *ss,
	    socklen_t *sslen);
/*
 * "IFNAME:PORT" (br-lan:8080): the interface name (1 to 15 of letters,
 * digits, "_", "." and "-", not only digits and dots) into ifname and the
 * port.  0, or -1 if s is not of that form (an address, say).
 */
int	httpu_parse_listen_if(const char *s, char *ifname, size_t iflen,
	    uint16_t *port);
/* The address of ss for logs: "A.B.C.D" or "[IPv6]", no port. */
void	httpu_format_addr(const struct sockaddr_storage *ss, char *buf,
	    size_t len);

#endif
