/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repair_mp.c: pure parsers of repair answers: the Content-Range,
 * Content-Type boundary, Content-Digest / Repr-Digest (RFC 9530) and
 * Content-MD5 field values, and a streaming multipart/byteranges body
 * parser (RFC 9110 14.6, RFC 2046 5.1.1).  The answers come from the
 * network, so every parser is strict, reads no further than the NUL of a
 * field or the n bytes it was fed, and says -1 rather than guess.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "repair_int.h"
#include "util.h"

#define MP_BOUNDARY_MAX	70	/* RFC 2046 */
#define MP_CR_MAX	127	/* longest Content-Range value in a part */

/* Field-value helpers. */

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static const char *
skip_ows(const char *s)
{
	while (is_ows(*s))
		s++;
	return s;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_lcalpha(char c)
{
	return c >= 'a' && c <= 'z';
}

/* RFC 9110 tchar. */
static int
is_tchar(char c)
{
	if (is_digit(c) || is_lcalpha(c) || (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/*
 * A decimal number of at most 20 digits that fits in 64 bits; more
 * digits (even leading zeros) are refused as overlong.  Returns the end,
 * or NULL.
 */
static const char *
parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int n = 0;

	for (; is_digit(*s); s++) {
		unsigned d = (unsigned)(*s - '0');

		if (++n > 20 || v > (UINT64_MAX - d) / 10)
			return NULL;
		v = v * 10 + d;
	}
	if (n == 0)
		return NULL;
	*out = v;
	return s;
}

int
repair_content_range(const char *v, uint64_t *first, uint64_t *last,
    uint64_t *total)
{
	uint64_t f, l, t = UINT64_MAX;
	const char *p;

	p = skip_ows(v);
	if (strncasecmp(p, "bytes ", 6) != 0)
		return -1;
	if ((p = parse_u64(p + 6, &f)) == NULL || *p != '-')
		return -1;
	if ((p = parse_u64(p + 1, &l)) == NULL || *p != '/')
		return -1;
	p++;
	if (*p == '*')
		p++;
	else if ((p = parse_u64(p, &t)) == NULL || t == UINT64_MAX)
		return -1;
	/* last + 1 must not overflow: the parser counts up to it. */
	if (*skip_ows(p) != '\0' || f > l || l == UINT64_MAX ||
	    (t != UINT64_MAX && l >= t))
		return -1;
	*first = f;
	*last = l;
	*total = t;
	return 0;
}

/* RFC 2046 bcharsnospace. */
static int
is_bchar(char c)
{
	if (is_digit(c) || is_lcalpha(c) || (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("'()+_,-./:=?", c) != NULL;
}

/*
 * One parameter value, a token or a quoted-string, at s.  Its unquoted
 * text goes to out (len bytes, may be 0 to only check the syntax).
 * Returns the end, or NULL if malformed or it does not fit.
 */
static const char *
param_value(const char *s, char *out, size_t len, size_t *vlen)
{
	size_t n = 0;
	char c;

	if (*s != '"') {
		for (; is_tchar(*s); s++, n++)
			if (n + 1 < len)
				out[n] = *s;
		*vlen = n;
		return n > 0 && (len == 0 || n < len) ? s : NULL;
	}
	for (s++; *s != '"'; s++, n++) {
		if (*s == '\\')
			s++;
		c = *s;
		if (c == '\0' || c == 0x7f ||
		    ((unsigned char)c < 0x20 && c != '\t'))
			return NULL;
		if (n + 1 < len)
			out[n] = c;
	}
	*vlen = n;
	return len == 0 || n < len ? s + 1 : NULL;
}

/* The boundary found in a Content-Type, checked against RFC 2046. */
static int
boundary_ok(const char *b, size_t n)
{
	size_t i;

	if (n < 1 || n > MP_BOUNDARY_MAX || b[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++)
		if (!is_bchar(b[i]) && b[i] != ' ')
			return 0;
	return 1;
}

int
repair_mp_boundary(const char *ctype, char *out, size_t len)
{
	char val[MP_BOUNDARY_MAX + 2];
	const char *p, *name;
	size_t nlen, vlen, blen = 0;
	int found = 0;

	p = skip_ows(ctype);
	if (strncasecmp(p, "multipart/byteranges", 20) != 0)
		return -1;
	p = skip_ows(p + 20);
	while (*p == ';') {
		p = skip_ows(p + 1);
		for (name = p; is_tchar(*p); p++)
			;
		nlen = (size_t)(p - name);
		if (nlen == 0 || *p++ != '=')
			return -1;
		if (nlen == 8 && strncasecmp(name, "boundary", 8) == 0) {
			/* A second boundary would make the answer ambiguous. */
			if (found++)
				return -1;
			p = param_value(p, val, sizeof(val), &vlen);
			if (p == NULL || !boundary_ok(val, vlen))
				return -1;
			blen = vlen;
			val[blen] = '\0';
		} else if ((p = param_value(p, NULL, 0, &vlen)) == NULL) {
			return -1;
		}
		p = skip_ows(p);
	}
	if (*p != '\0' || !found || blen + 1 > len)
		return -1;
	memcpy(out, val, blen + 1);
	return 0;
}

/* A character of the base64 alphabet (RFC 4648), or its padding. */
static int
b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    is_digit(c) || c == '+' || c == '/' || c == '=';
}

/*
 * Decode exactly n characters of base64 into exactly want bytes (nettle,
 * through util_base64_decode).  Padding may be left out (RFC 8941 4.2.7
 * asks parsers to tolerate that) but, when present, must be complete;
 * blanks or anything outside the alphabet are refused here first, since
 * util_base64_decode skips blanks.  0 or -1.
 */
static int
b64_exact(const char *s, size_t n, uint8_t *out, size_t want)
{
	char buf[128];
	uint8_t tmp[96];
	size_t i, pad = 0;

	if (n == 0 || n >= sizeof(buf) || want > sizeof(tmp))
		return -1;
	/* Padding, when present, must complete the last quantum. */
	while (pad < n && s[n - 1 - pad] == '=')
		pad++;
	if (pad > 2 || (pad > 0 && n % 4 != 0))
		return -1;
	for (i = 0; i < n; i++)
		if (!b64_char(s[i]))
			return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (util_base64_decode(buf, tmp, sizeof(tmp)) != (int)want)
		return -1;
	memcpy(out, tmp, want);
	return 0;
}

int
repair_content_md5(const char *v, uint8_t out[16])
{
	const char *p = skip_ows(v);
	size_t n = strcspn(p, " \t");

	if (*skip_ows(p + n) != '\0' || n > 24)
		return -1;
	return b64_exact(p, n, out, 16);
}

/*
 * Structured-field (RFC 8941) pieces for the digest dictionaries.  Each
 * returns the end of what it read, or NULL if malformed.
 */

/* key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" ) */
static const char *
sf_key(const char *s)
{
	if (!is_lcalpha(*s) && *s != '*')
		return NULL;
	for (s++; is_lcalpha(*s) || is_digit(*s) || (*s != '\0' &&
	    strchr("_-.*", *s) != NULL); s++)
		;
	return s;
}

/* ":base64:"; its text (without the colons) in *b, *blen. */
static const char *
sf_bytes(const char *s, const char **b, size_t *blen)
{
	const char *e;

	if (*s != ':')
		return NULL;
	for (e = s + 1; *e != '\0' && b64_char(*e); e++)
		;
	if (*e != ':')
		return NULL;
	*b = s + 1;
	*blen = (size_t)(e - s - 1);
	return e + 1;
}

/* Integer or decimal: "-"? 1..15 digits, or 1..12 "." 1..3. */
static const char *
sf_number(const char *s)
{
	const char *d;

	if (*s == '-')
		s++;
	for (d = s; is_digit(*s); s++)
		;
	if (s == d || s - d > 15)
		return NULL;
	if (*s != '.')
		return s;
	if (s - d > 12)
		return NULL;
	for (d = ++s; is_digit(*s); s++)
		;
	return s == d || s - d > 3 ? NULL : s;
}

/* Any bare item (byte sequence, string, token, number, boolean). */
static const char *
sf_bare_item(const char *s)
{
	const char *b;
	size_t n;

	if (*s == ':')
		return sf_bytes(s, &b, &n);
	if (*s == '?')
		return s[1] == '0' || s[1] == '1' ? s + 2 : NULL;
	if (*s == '-' || is_digit(*s))
		return sf_number(s);
	if (*s == '"') {
		for (s++; *s != '"'; s++) {
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			else if ((unsigned char)*s < 0x20 ||
			    (unsigned char)*s > 0x7e || *s == '\\')
				return NULL;
		}
		return s + 1;
	}
	if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
	    *s == '*') {
		for (s++; is_tchar(*s) || *s == ':' || *s == '/'; s++)
			;
		return s;
	}
	return NULL;
}

/* *( ";" *SP key [ "=" bare-item ] ) */
static const char *
sf_params(const char *s)
{
	while (s != NULL && *s == ';') {
		s++;
		while (*s == ' ')
			s++;
		if ((s = sf_key(s)) != NULL && *s == '=')
			s = sf_bare_item(s + 1);
	}
	return s;
}

int
repair_digest_sha256(const char *v, uint8_t out[32])
{
	uint8_t tmp[32];
	const char *p, *k, *b;
	size_t blen;
	int found = 0;

	p = skip_ows(v);
	while (*p != '\0') {
		k = p;
		if ((p = sf_key(p)) == NULL)
			return -1;
		if (p - k == 7 && memcmp(k, "sha-256", 7) == 0) {
			/* A later member of the same name wins (RFC 8941). */
			if (*p != '=' ||
			    (p = sf_bytes(p + 1, &b, &blen)) == NULL ||
			    b64_exact(b, blen, tmp, 32) != 0)
				return -1;
			found = 1;
		} else if (*p == '=' && (p = sf_bare_item(p + 1)) == NULL) {
			return -1;
		}
		if ((p = sf_params(p)) == NULL)
			return -1;
		p = skip_ows(p);
		if (*p == '\0')
			break;
		if (*p != ',' || *(p = skip_ows(p + 1)) == '\0')
			return -1;
	}
	if (found)
		memcpy(out, tmp, 32);
	return found;
}

/* The streaming multipart/byteranges parser. */

enum mp_state {
	MP_PRE_BOL = 0,	/* preamble at a line start: matching a delimiter */
	MP_PRE_SKIP,	/* preamble, inside a line */
	MP_TAIL,	/* just after a delimiter: "--", padding or line end */
	MP_DASH,	/* one "-" of a close delimiter seen */
	MP_PAD,		/* transport padding after a delimiter */
	MP_TAIL_CR,	/* CR after a delimiter */
	MP_HDR,		/* part header block */
	MP_BODY,	/* part body: m->left bytes to go */
	MP_END,		/* part body read: CR or LF next */
	MP_END_CR,	/* CR after the body: LF next */
	MP_DELIM,	/* matching the delimiter after a part */
	MP_EPILOGUE,	/* after the close delimiter: ignored */
	MP_FAIL,
};

static int
mp_fail(struct repair_mp *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
mp_fail(struct repair_mp *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->err, sizeof(m->err), fmt, ap);
	va_end(ap);
	m->state = MP_FAIL;
	return -1;
}

/* Byte i of the delimiter "--" boundary. */
static char
mp_delim(const struct repair_mp *m, size_t i)
{
	return i < 2 ? '-' : m->boundary[i - 2];
}

int
repair_mp_init(struct repair_mp *m, const char *boundary)
{
	size_t n = strlen(boundary);

	memset(m, 0, sizeof(*m));
	if (n < 1 || n > MP_BOUNDARY_MAX || n >= sizeof(m->boundary) ||
	    strpbrk(boundary, "\r\n") != NULL) {
		snprintf(m->err, sizeof(m->err), "bad boundary");
		m->state = MP_FAIL;
		return -1;
	}
	memcpy(m->boundary, boundary, n + 1);
	m->blen = n;
	m->state = MP_PRE_BOL;
	return 0;
}

/*
 * One header line (without its line end) of a part: remember the value
 * of Content-Range in cr (cap bytes); other fields are ignored.
 */
static int
mp_hdr_line(struct repair_mp *m, const char *l, size_t n, char *cr,
    size_t cap, int *seen)
{
	size_t i, name;
	const char *v;

	for (i = 0; i < n; i++)
		if (l[i] == '\0' || l[i] == '\r')
			return mp_fail(m, "part %u: control byte in header",
			    m->parts + 1);
	for (name = 0; name < n && is_tchar(l[name]); name++)
		;
	if (name == 0 || name == n || l[name] != ':')
		return mp_fail(m, "part %u: bad header line", m->parts + 1);
	if (name != 13 || strncasecmp(l, "content-range", 13) != 0)
		return 0;
	if ((*seen)++)
		return mp_fail(m, "part %u: two Content-Range", m->parts + 1);
	v = l + name + 1;
	n -= name + 1;
	if (n >= cap)
		return mp_fail(m, "part %u: Content-Range too long",
		    m->parts + 1);
	memcpy(cr, v, n);
	cr[n] = '\0';
	return 0;
}

/* The header block is complete: find the part's range, start its body. */
static int
mp_hdr_done(struct repair_mp *m)
{
	char cr[MP_CR_MAX + 1];
	uint64_t first, last, total;
	size_t i, start = 0, n;
	int seen = 0;

	for (i = 0; i < m->hlen; i++) {
		if (m->hdr[i] != '\n')
			continue;
		n = i - start;
		if (n > 0 && m->hdr[i - 1] == '\r')
			n--;
		if (n == 0)
			break;	/* the empty line ending the block */
		if (mp_hdr_line(m, m->hdr + start, n, cr, sizeof(cr),
		    &seen) < 0)
			return -1;
		start = i + 1;
	}
	if (!seen)
		return mp_fail(m, "part %u: no Content-Range", m->parts + 1);
	if (repair_content_range(cr, &first, &last, &total) < 0)
		return mp_fail(m, "part %u: bad Content-Range", m->parts + 1);
	if (m->total != 0 && m->total != total)
		return mp_fail(m, "part %u: Content-Range total differs",
		    m->parts + 1);
	m->total = total;
	m->off = first;
	m->left = last - first + 1;
	m->state = MP_BODY;
	return 0;
}

/* One byte of a part header block. */
static int
mp_hdr_byte(struct repair_mp *m, char c)
{
	if (m->hlen >= REPAIR_MP_HDR_MAX)
		return mp_fail(m, "part %u: header block over %d bytes",
		    m->parts + 1, REPAIR_MP_HDR_MAX);
	m->hdr[m->hlen++] = c;
	if (c != '\n') {
		m->match++;
		return 0;
	}
	/*
	 * A line with nothing before its LF (or CR LF) ends the block; the
	 * lines are checked then (a folded one has no name and fails).
	 */
	if (m->match == 0 || (m->match == 1 && m->hdr[m->hlen - 2] == '\r'))
		return mp_hdr_done(m);
	m->match = 0;
	return 0;
}

/* Into the header block of the next part. */
static void
mp_start_part(struct repair_mp *m)
{
	m->hlen = 0;
	m->match = 0;
	m->state = MP_HDR;
}

/*
 * A delimiter line that goes on with something else.  Before the first
 * part it was only a preamble line that looked like one; later it is
 * malformed.
 */
static int
mp_tail_bad(struct repair_mp *m, char c)
{
	if (m->parts > 0)
		return mp_fail(m, "part %u: garbage after boundary", m->parts);
	m->match = 0;
	m->state = c == '\n' ? MP_PRE_BOL : MP_PRE_SKIP;
	return 0;
}

/* One byte after a delimiter: "--" closes, padding, then a line end. */
static int
mp_tail_byte(struct repair_mp *m, char c)
{
	switch (m->state) {
	case MP_TAIL:
		if (c == '-') {
			m->state = MP_DASH;
			return 0;
		}
		/* FALLTHROUGH */
	case MP_PAD:
		if (c == ' ' || c == '\t')
			m->state = MP_PAD;
		else if (c == '\r')
			m->state = MP_TAIL_CR;
		else if (c == '\n')
			mp_start_part(m);
		else
			return mp_tail_bad(m, c);
		return 0;
	case MP_DASH:
		if (c != '-')
			return mp_tail_bad(m, c);
		/* RFC 2046: a multipart body has at least one part. */
		if (m->parts == 0)
			return mp_fail(m, "no parts");
		m->state = MP_EPILOGUE;
		return 0;
	default:	/* MP_TAIL_CR */
		if (c != '\n')
			return mp_tail_bad(m, c);
		mp_start_part(m);
		return 0;
	}
}

/* One byte of the preamble: only a line starting with the delimiter counts. */
static void
mp_pre_byte(struct repair_mp *m, char c)
{
	if (m->state == MP_PRE_BOL && c == mp_delim(m, m->match)) {
		if (++m->match == m->blen + 2)
			m->state = MP_TAIL;
		return;
	}
	m->match = 0;
	m->state = c == '\n' ? MP_PRE_BOL : MP_PRE_SKIP;
}

/* One byte between a part's body and the next delimiter. */
static int
mp_end_byte(struct repair_mp *m, char c)
{
	switch (m->state) {
	case MP_END:
		if (c == '\r') {
			m->state = MP_END_CR;
			return 0;
		}
		/* FALLTHROUGH */
	case MP_END_CR:
		if (c != '\n')
			break;
		m->state = MP_DELIM;
		m->match = 0;
		return 0;
	default:	/* MP_DELIM */
		if (c != mp_delim(m, m->match))
			break;
		if (++m->match == m->blen + 2)
			m->state = MP_TAIL;
		return 0;
	}
	return mp_fail(m, "part %u: no boundary after its body", m->parts);
}

/* Hand up to n body bytes of the current part to fn; bytes used or -1. */
static int64_t
mp_body(struct repair_mp *m, const uint8_t *p, size_t n, repair_mp_fn fn,
    void *arg)
{
	size_t k = n;

	if ((uint64_t)k > m->left)
		k = (size_t)m->left;
	if (fn != NULL && fn(arg, m->off, p, k) < 0)
		return mp_fail(m, "part %u: refused by the receiver",
		    m->parts + 1);
	m->off += k;
	m->left -= k;
	if (m->left == 0) {
		if (m->parts < UINT32_MAX)
			m->parts++;
		m->state = MP_END;
	}
	return (int64_t)k;
}

int
repair_mp_feed(struct repair_mp *m, const uint8_t *p, size_t n,
    repair_mp_fn fn, void *arg)
{
	size_t i = 0;
	int64_t k;
	int rc = 0;

	while (i < n && rc == 0) {
		switch (m->state) {
		case MP_FAIL:
			return -1;
		case MP_EPILOGUE:
			return 0;
		case MP_BODY:
			if ((k = mp_body(m, p + i, n - i, fn, arg)) < 0)
				return -1;
			i += (size_t)k;
			continue;
		case MP_PRE_BOL:
		case MP_PRE_SKIP:
			mp_pre_byte(m, (char)p[i]);
			break;
		case MP_HDR:
			rc = mp_hdr_byte(m, (char)p[i]);
			break;
		case MP_END:
		case MP_END_CR:
		case MP_DELIM:
			rc = mp_end_byte(m, (char)p[i]);
			break;
		default:
			rc = mp_tail_byte(m, (char)p[i]);
			break;
		}
		i++;
	}
	return m->state == MP_FAIL ? -1 : 0;
}

int
repair_mp_finish(struct repair_mp *m)
{
	if (m->state == MP_EPILOGUE)
		return 0;
	if (m->state != MP_FAIL)
		mp_fail(m, "truncated after %u parts", m->parts);
	return -1;
}
