/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mime.c: content types by extension and the pure request parsers of the
 * HTTP layer (see mime.h).  Everything here reads only its arguments, so
 * players' hostile headers can be thrown at it from unit tests.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mime.h"
#include "names.h"

/*
 * The one extension table of the daemon: the store (stage.c, cache.c)
 * uses it for objects announced without a useful type, httpd.c for
 * metadata it cannot send.  Set explicitly (dvbi-and-hls.md 2.1):
 * /etc/mime.types has no .ts and gives .m4s a type old players do not
 * know, so video/mp4 is used.
 */
static const struct {
	const char	*ext;
	const char	*type;
} mime_types[] = {
	{ "m3u8",	"application/vnd.apple.mpegurl" },
	{ "m3u",	"application/vnd.apple.mpegurl" },
	{ "ts",		"video/mp2t" },
	{ "m2ts",	"video/mp2t" },
	{ "m4s",	"video/mp4" },
	{ "mp4",	"video/mp4" },
	{ "m4v",	"video/mp4" },
	{ "cmfv",	"video/mp4" },
	{ "m4a",	"audio/mp4" },
	{ "cmfa",	"audio/mp4" },
	{ "aac",	"audio/aac" },
	{ "ac3",	"audio/ac3" },
	{ "ec3",	"audio/eac3" },
	{ "mp3",	"audio/mpeg" },
	{ "vtt",	"text/vtt" },
	{ "webvtt",	"text/vtt" },
	{ "ttml",	"application/ttml+xml" },
	{ "mpd",	"application/dash+xml" },
	{ "xml",	"application/xml" },
	{ "json",	"application/json" },
	{ "jpg",	"image/jpeg" },
	{ "jpeg",	"image/jpeg" },
	{ "png",	"image/png" },
	{ "gif",	"image/gif" },
	{ "webp",	"image/webp" },
	{ "svg",	"image/svg+xml" },
	{ "html",	"text/html; charset=utf-8" },
	{ "htm",	"text/html; charset=utf-8" },
	{ "txt",	"text/plain; charset=utf-8" },
	{ "css",	"text/css" },
	{ "js",		"text/javascript" },
	{ "pdf",	"application/pdf" },
	{ "aitx",	"application/vnd.dvb.ait+xml" },
	{ "key",	"application/octet-stream" },
};

const char *
mime_from_path(const char *path)
{
	const char *slash, *dot;
	size_t i;

	if (path == NULL)
		return MIME_DEFAULT;
	slash = strrchr(path, '/');
	dot = strrchr(slash != NULL ? slash : path, '.');
	if (dot == NULL || dot[1] == '\0')
		return MIME_DEFAULT;
	for (i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++) {
		if (strcasecmp(dot + 1, mime_types[i].ext) == 0)
			return mime_types[i].type;
	}
	return MIME_DEFAULT;
}

/*
 * For an absolute-form target, the path after "http://dvb.gw[:80]", or
 * NULL.  dvb.gw is the name DVB-NIP gives the gateway; any other host
 * would turn us into an open proxy, so it is refused.
 */
static const char *
target_absolute(const char *raw)
{
	const char *auth, *end;
	size_t n;

	if (strncasecmp(raw, "http://", 7) != 0)
		return NULL;
	auth = raw + 7;
	end = auth + strcspn(auth, "/?#");
	n = (size_t)(end - auth);
	if (n == 6 && strncasecmp(auth, "dvb.gw", 6) == 0)
		return end;
	if (n == 9 && strncasecmp(auth, "dvb.gw:80", 9) == 0)
		return end;
	return NULL;
}

/* One raw byte of the path, decoded: the byte, or -1 to refuse. */
static int
target_byte(const char *p, size_t n, size_t *i)
{
	unsigned char c = (unsigned char)p[*i];
	int d;

	if (c <= 0x20 || c == 0x7f || c == '\\')
		return -1;
	if (c != '%')
		return c;
	if ((d = names_unescape(p, n, i)) < 0)
		return -1;
	c = (unsigned char)d;
	/* An encoded slash would let one segment smuggle two. */
	if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
		return -1;
	return c;
}

/*
 * Decode p[0..n) into out segment by segment, the way names.c builds
 * keys: each segment is written after its "/" and taken back if it is
 * empty or "."; ".." is refused.  A trailing "/" stays, the root is "/".
 */
static int
target_decode(const char *p, size_t n, char *out, size_t outlen)
{
	size_t i = 0, len = 0, start, sl;
	int c = 0;

	do {
		if (len + 2 > outlen)
			return -1;
		out[len++] = '/';
		start = len;
		while (i < n) {
			if ((c = target_byte(p, n, &i)) < 0)
				return -1;
			i++;
			if (c == '/')
				break;
			if (len + 2 > outlen)
				return -1;
			out[len++] = (char)c;
		}
		sl = len - start;
		if (sl == 2 && out[start] == '.' && out[start + 1] == '.')
			return -1;
		if (sl == 0 || (sl == 1 && out[start] == '.'))
			len = start - 1;
	} while (i < n);
	if (len == 0 || c == '/') {
		if (len + 2 > outlen)
			return -1;
		out[len++] = '/';
	}
	out[len] = '\0';
	return 0;
}

int
httpu_check_target(const char *raw, char *out, size_t outlen)
{
	const char *p;
	size_t n;

	if (raw == NULL || out == NULL || outlen < 2)
		return -1;
	out[0] = '\0';
	p = raw;
	if (p[0] != '/' && (p = target_absolute(raw)) == NULL)
		return -1;
	n = strcspn(p, "?#");
	if (n > NAMES_MAX)
		return -1;
	if (n > 0 && p[0] != '/')
		return -1;
	return target_decode(p, n, out, outlen);
}

static const char *
skip_ows(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Decimal digits, saturating at UINT64_MAX.  NULL if there are none. */
static const char *
parse_u64_sat(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			v = UINT64_MAX;
		else
			v = v * 10 + d;
	}
	if (p == s)
		return NULL;
	*out = v;
	return p;
}

struct range_spec {
	int		suffix;		/* "-n" */
	int		has_last;
	uint64_t	first;		/* or the suffix length */
	uint64_t	last;
};

/* One "a-b", "a-" or "-n"; returns the end of it or NULL. */
static const char *
parse_range_spec(const char *s, struct range_spec *r)
{
	memset(r, 0, sizeof(*r));
	if (*s == '-') {
		r->suffix = 1;
		return parse_u64_sat(s + 1, &r->first);
	}
	if ((s = parse_u64_sat(s, &r->first)) == NULL || *s != '-')
		return NULL;
	s++;
	if (*s >= '0' && *s <= '9') {
		r->has_last = 1;
		s = parse_u64_sat(s, &r->last);
	}
	return s;
}

/*
 * Count the non-empty elements of the range set (RFC 9110 allows empty
 * list elements) and keep the first.  -1 on any syntax error.
 */
static int
parse_range_set(const char *s, struct range_spec *first)
{
	struct range_spec r;
	int n = 0;

	for (;;) {
		s = skip_ows(s);
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '\0')
			return n;
		if ((s = parse_range_spec(s, &r)) == NULL)
			return -1;
		if (n++ == 0)
			*first = r;
		s = skip_ows(s);
		if (*s != ',' && *s != '\0')
			return -1;
	}
}

enum httpu_range
httpu_parse_range(const char *hdr, uint64_t size, uint64_t *off,
    uint64_t *len)
{
	struct range_spec r = { 0 };
	uint64_t last;

	if (hdr == NULL)
		return HTTPU_RANGE_NONE;
	hdr = skip_ows(hdr);
	if (strncasecmp(hdr, "bytes=", 6) != 0)
		return HTTPU_RANGE_NONE;
	/* Multiple ranges get the whole body: legal, and players never ask. */
	if (parse_range_set(hdr + 6, &r) != 1)
		return HTTPU_RANGE_NONE;
	if (r.suffix) {
		if (r.first == 0 || size == 0)
			return HTTPU_RANGE_UNSAT;
		*len = r.first < size ? r.first : size;
		*off = size - *len;
		return HTTPU_RANGE_OK;
	}
	if (r.has_last && r.last < r.first)
		return HTTPU_RANGE_NONE;
	if (r.first >= size)
		return HTTPU_RANGE_UNSAT;
	last = r.has_last && r.last < size ? r.last : size - 1;
	*off = r.first;
	*len = last - r.first + 1;
	return HTTPU_RANGE_OK;
}

/*
 * The next entity tag of a list: sets *tag and *tlen to the opaque tag
 * with its quotes (any W/ prefix dropped), *star for "*".  Returns the
 * rest of the list, or NULL at its end.  A malformed element is skipped.
 */
static const char *
etag_next(const char *s, const char **tag, size_t *tlen, int *star)
{
	const char *q;

	for (;;) {
		s = skip_ows(s);
		while (*s == ',' || *s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return NULL;
		*star = 0;
		if (*s == '*') {
			*star = 1;
			*tag = s;
			*tlen = 1;
			return s + 1;
		}
		if (s[0] == 'W' && s[1] == '/')
			s += 2;
		if (*s == '"' && (q = strchr(s + 1, '"')) != NULL) {
			*tag = s;
			*tlen = (size_t)(q - s) + 1;
			return q + 1;
		}
		/* Not a tag: resynchronise on the next comma. */
		s += strcspn(s, ",");
	}
}

int
httpu_etag_match(const char *list, const char *etag)
{
	const char *tag;
	size_t tlen, elen;
	int star;

	if (list == NULL || etag == NULL)
		return 0;
	if (etag[0] == 'W' && etag[1] == '/')
		etag += 2;
	elen = strlen(etag);
	if (elen < 2 || etag[0] != '"')
		return 0;
	while ((list = etag_next(list, &tag, &tlen, &star)) != NULL) {
		if (star)
			return 1;
		if (tlen == elen && memcmp(tag, etag, elen) == 0)
			return 1;
	}
	return 0;
}

int
httpu_if_range_match(const char *value, const char *etag)
{
	size_t n;

	if (value == NULL || etag == NULL || etag[0] != '"')
		return 0;
	value = skip_ows(value);
	n = strlen(etag);
	if (strncmp(value, etag, n) != 0)
		return 0;
	return *skip_ows(value + n) == '\0';
}

static const char *const date_days[7] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const date_months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* Exactly n digits at s, as an int; -1 otherwise. */
static int
date_digits(const char *s, int n)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * Only the IMF-fixdate form: every client sends it, and a date we cannot
 * read just means no 304 (RFC 9110 lets us ignore it).  Parsed by hand,
 * so the result does not depend on the locale.
 */
int
httpu_parse_date(const char *s, int64_t *out)
{
	struct tm tm;
	time_t t;
	int mon;

	/* "Sun, 06 Nov 1994 08:49:37 GMT": fixed offsets, 29 bytes. */
	if (s == NULL || strlen(s) != 29 || s[3] != ',' || s[4] != ' ' ||
	    s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
	    s[22] != ':' || strcmp(s + 25, " GMT") != 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	for (mon = 0; mon < 12; mon++) {
		if (strncmp(s + 8, date_months[mon], 3) == 0)
			break;
	}
	tm.tm_mday = date_digits(s + 5, 2);
	tm.tm_year = date_digits(s + 12, 4) - 1900;
	tm.tm_hour = date_digits(s + 17, 2);
	tm.tm_min = date_digits(s + 20, 2);
	tm.tm_sec = date_digits(s + 23, 2);
	tm.tm_mon = mon;
	if (mon == 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_year < 70 ||
	    tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 ||
	    tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60)
		return -1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	*out = (int64_t)t;
	return 0;
}

int
httpu_format_date(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;
	int n;

	if (buf == NULL || gmtime_r(&tt, &tm) == NULL || tm.tm_year < 0 ||
	    tm.tm_year > 8099)
		return -1;
	n = snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    date_days[tm.tm_wday], tm.tm_mday, date_months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
httpu_header_safe(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	}
	return 1;
}

/* The port after the host: 0..65535, digits only. */
static int
listen_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 5)
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (i == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* Copy host[0..hl) out of s for inet_pton; -1 if empty or too long. */
static int
listen_host(const char *s, size_t hl, char *host, size_t hostlen)
{
	if (hl == 0 || hl >= hostlen)
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	return 0;
}

int
httpu_parse_listen(const char *s, struct sockaddr_storage *ss,
    socklen_t *sslen)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	char host[INET6_ADDRSTRLEN];
	const char *end;
	uint16_t pn;

	if (s == NULL)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL || end[1] != ':' ||
		    listen_host(s + 1, (size_t)(end - s - 1), host,
		    sizeof(host)) < 0 ||
		    inet_pton(AF_INET6, host, &s6->sin6_addr) != 1 ||
		    listen_port(end + 2, &pn) < 0)
			return -1;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(pn);
		*sslen = sizeof(*s6);
		return 0;
	}
	if ((end = strrchr(s, ':')) == NULL ||
	    listen_host(s, (size_t)(end - s), host, sizeof(host)) < 0 ||
	    inet_pton(AF_INET, host, &s4->sin_addr) != 1 ||
	    listen_port(end + 1, &pn) < 0)
		return -1;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(pn);
	*sslen = sizeof(*s4);
	return 0;
}

int
httpu_parse_listen_if(const char *s, char *ifname, size_t iflen,
    uint16_t *port)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
	const char *colon;
	size_t hl;

	if (s == NULL || (colon = strrchr(s, ':')) == NULL)
		return -1;
	hl = (size_t)(colon - s);
	/* 15 bytes: IFNAMSIZ less the NUL; digits and dots are IPv4. */
	if (hl == 0 || hl > 15 || strspn(s, ok) < hl ||
	    strspn(s, "0123456789.") >= hl ||
	    listen_host(s, hl, ifname, iflen) < 0 ||
	    listen_port(colon + 1, port) < 0)
		return -1;
	return 0;
}

void
httpu_format_addr(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)ss)->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]", a);
	} else {
		inet_ntop(AF_INET,
		    &((const struct sockaddr_in *)ss)->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s", a);
	}
}
