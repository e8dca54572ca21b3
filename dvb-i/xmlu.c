/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xmlu.c: safe parsing and local-name helpers over libxml2 (see xmlu.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "xmlu.h"

/* The first error libxml2 reports while parsing, kept for the caller. */
struct xmlu_errs {
	int	seen;
	int	doctype;	/* a DOCTYPE reached the parser */
	char	msg[160];
	int	line;
};

/* Structured error hook: keep the first message, print nothing. */
static void
xmlu_on_error(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxtPtr pc = ctx;
	struct xmlu_errs *es = pc != NULL ? pc->_private : NULL;
	size_t n;

	if (es == NULL || es->seen || e == NULL || e->level < XML_ERR_ERROR)
		return;
	es->seen = 1;
	es->line = e->line;
	snprintf(es->msg, sizeof(es->msg), "%s",
	    e->message != NULL ? e->message : "malformed XML");
	n = strlen(es->msg);
	while (n > 0 && (es->msg[n - 1] == '\n' || es->msg[n - 1] == ' '))
		es->msg[--n] = '\0';
}

/*
 * SAX hook called at the start of any DOCTYPE.  The byte scan in
 * xmlu_parse cannot see one written in UTF-16 (or any other encoding
 * libxml2 converts), so stop the parser here too, before it reads a
 * single entity declaration.
 */
static void
xmlu_on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext_id,
    const xmlChar *sys_id)
{
	xmlParserCtxtPtr pc = ctx;
	struct xmlu_errs *es = pc != NULL ? pc->_private : NULL;

	(void)name;
	(void)ext_id;
	(void)sys_id;
	if (es != NULL)
		es->doctype = 1;
	xmlStopParser(pc);
}

/* libxml2's generic (unstructured) messages: encoding and I/O noise. */
static void __attribute__((format(printf, 2, 3)))
xmlu_quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

/* memmem for a short ASCII needle. */
static int
xmlu_contains(const void *buf, size_t len, const char *needle)
{
	return memmem(buf, len, needle, strlen(needle)) != NULL;
}

/*
 * Element depth and count of the tree under root; -1 past the limits.
 * depth is the nesting level of n itself (root: 1), so text inside the
 * deepest allowed element does not count as one level more.
 */
static int
xmlu_check_tree(const xmlNode *root)
{
	const xmlNode *n = root;
	size_t nodes = 0;
	int depth = 1;

	while (n != NULL) {
		if (n->type == XML_ELEMENT_NODE &&
		    (++nodes > XMLU_MAX_NODES || depth > XMLU_MAX_DEPTH))
			return -1;
		if (n->children != NULL && n->type == XML_ELEMENT_NODE) {
			depth++;
			n = n->children;
			continue;
		}
		while (n != NULL && n != root && n->next == NULL) {
			n = n->parent;
			depth--;
		}
		if (n == NULL || n == root)
			break;
		n = n->next;
	}
	return 0;
}

xmlDocPtr
xmlu_parse(const void *buf, size_t len, const char *what, char *err,
    size_t errlen)
{
	const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
	struct xmlu_errs es;
	xmlParserCtxtPtr pc;
	xmlDocPtr doc;

	if (buf == NULL || len == 0) {
		snprintf(err, errlen, "%s: empty document", what);
		return NULL;
	}
	if (len > XMLU_MAX_BYTES || len > (size_t)INT32_MAX) {
		snprintf(err, errlen, "%s: %zu bytes, over the %u-byte limit",
		    what, len, XMLU_MAX_BYTES);
		return NULL;
	}
	/*
	 * No signalling document has a DTD; refusing them outright stops
	 * entity expansion (billion laughs) and external entities (XXE)
	 * before libxml2 sees a byte.
	 */
	if (xmlu_contains(buf, len, "<!DOCTYPE") ||
	    xmlu_contains(buf, len, "<!ENTITY")) {
		snprintf(err, errlen, "%s: a DOCTYPE or entity declaration "
		    "is not accepted", what);
		return NULL;
	}
	if ((pc = xmlNewParserCtxt()) == NULL) {
		snprintf(err, errlen, "%s: out of memory", what);
		return NULL;
	}
	memset(&es, 0, sizeof(es));
	/* Per thread in libxml2: input from the network prints nothing. */
	xmlSetGenericErrorFunc(NULL, xmlu_quiet);
	pc->_private = &es;
	pc->sax->serror = xmlu_on_error;
	pc->sax->internalSubset = xmlu_on_doctype;
	doc = xmlCtxtReadMemory(pc, buf, (int)len, NULL, NULL, opts);
	if (doc != NULL && (!pc->wellFormed || es.seen || es.doctype)) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	if (doc == NULL && es.doctype)
		snprintf(err, errlen, "%s: a DOCTYPE or entity declaration "
		    "is not accepted", what);
	else if (doc == NULL)
		snprintf(err, errlen, "%s: not well-formed XML: %s (line %d)",
		    what, es.seen ? es.msg : "parse error", es.line);
	xmlFreeParserCtxt(pc);
	if (doc != NULL && (xmlDocGetRootElement(doc) == NULL ||
	    xmlu_check_tree(xmlDocGetRootElement(doc)) < 0)) {
		snprintf(err, errlen, "%s: no root element, or nested deeper "
		    "than %d or over %d elements", what, XMLU_MAX_DEPTH,
		    XMLU_MAX_NODES);
		xmlFreeDoc(doc);
		doc = NULL;
	}
	return doc;
}

int
xmlu_is(const xmlNode *n, const char *local)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->name != NULL &&
	    strcmp((const char *)n->name, local) == 0;
}

int
xmlu_ns_has_prefix(const xmlNode *n, const char *prefix)
{
	const char *href;

	if (prefix == NULL)
		return 1;
	if (n == NULL || n->ns == NULL || n->ns->href == NULL)
		return 0;
	href = (const char *)n->ns->href;
	return strncmp(href, prefix, strlen(prefix)) == 0;
}

/* n itself or its next element sibling named local. */
static xmlNodePtr
xmlu_from(const xmlNode *n, const char *local)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (local == NULL || xmlu_is(n, local))
			return (xmlNodePtr)(uintptr_t)n;
	}
	return NULL;
}

xmlNodePtr
xmlu_child(const xmlNode *n, const char *local)
{
	return n != NULL ? xmlu_from(n->children, local) : NULL;
}

xmlNodePtr
xmlu_next(const xmlNode *n, const char *local)
{
	return n != NULL ? xmlu_from(n->next, local) : NULL;
}

const char *
xmlu_attr(const xmlNode *n, const char *local)
{
	const xmlAttr *a;

	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return NULL;
	for (a = n->properties; a != NULL; a = a->next) {
		if (a->name == NULL || strcmp((const char *)a->name, local) != 0)
			continue;
		if (a->children != NULL && a->children->type == XML_TEXT_NODE &&
		    a->children->next == NULL)
			return (const char *)a->children->content;
		return "";
	}
	return NULL;
}

/*
 * Append the characters of one text node at buf + *off, skipping leading
 * white space, so that only the trimmed text has to fit: white space
 * with no room left is dropped, anything else then makes it -1.
 */
static int
xmlu_append(const char *t, char *buf, size_t len, size_t *off)
{
	for (; *t != '\0'; t++) {
		int space = isspace((unsigned char)*t);

		if (*off == 0 && space)
			continue;
		if (*off + 1 >= len) {
			if (space)
				continue;
			return -1;
		}
		buf[(*off)++] = *t;
	}
	return 0;
}

/* Append the text below n to buf (at *off); -1 when it does not fit. */
static int
xmlu_gather(const xmlNode *n, char *buf, size_t len, size_t *off)
{
	const xmlNode *c;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_TEXT_NODE ||
		    c->type == XML_CDATA_SECTION_NODE) {
			if (c->content != NULL && xmlu_append((const char *)
			    c->content, buf, len, off) < 0)
				return -1;
		} else if (c->type == XML_ELEMENT_NODE &&
		    xmlu_gather(c, buf, len, off) < 0) {
			return -1;
		}
	}
	return 0;
}

int
xmlu_text(const xmlNode *n, char *buf, size_t len)
{
	size_t off = 0, s = 0;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	if (n == NULL || xmlu_gather(n, buf, len, &off) < 0) {
		buf[0] = '\0';
		return -1;
	}
	while (off > 0 && isspace((unsigned char)buf[off - 1]))
		off--;
	while (s < off && isspace((unsigned char)buf[s]))
		s++;
	memmove(buf, buf + s, off - s);
	buf[off - s] = '\0';
	return (int)(off - s);
}

int
xmlu_child_text(const xmlNode *n, const char *local, char *buf, size_t len)
{
	if (len > 0)
		buf[0] = '\0';
	return xmlu_text(xmlu_child(n, local), buf, len);
}

char *
xmlu_text_dup(const xmlNode *n)
{
	xmlChar *c;
	char *s, *b, *e;

	if (n == NULL || (c = xmlNodeGetContent(n)) == NULL)
		return NULL;
	for (b = (char *)c; isspace((unsigned char)*b); b++)
		;
	e = b + strlen(b);
	while (e > b && isspace((unsigned char)e[-1]))
		e--;
	s = strndup(b, (size_t)(e - b));
	xmlFree(c);
	return s;
}

int
xmlu_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	int n = 0;

	if (s == NULL)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	for (; *s >= '0' && *s <= '9'; s++, n++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (n == 0 || *s != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

int
xmlu_bool(const char *s, int dflt)
{
	size_t n;

	if (s == NULL)
		return dflt;
	while (isspace((unsigned char)*s))
		s++;
	/* The word, then nothing but white space ("true x" is not true). */
	n = strcspn(s, " \t\r\n");
	if (s[n + strspn(s + n, " \t\r\n")] != '\0')
		return -1;
	if ((n == 4 && strncmp(s, "true", 4) == 0) || (n == 1 && *s == '1'))
		return 1;
	if ((n == 5 && strncmp(s, "false", 5) == 0) || (n == 1 && *s == '0'))
		return 0;
	return -1;
}

/* Digits with an optional fraction as milli-units; advances *sp. */
static int
xmlu_num_milli(const char **sp, uint64_t *out)
{
	const char *s = *sp;
	uint64_t v = 0, frac = 0, scale = 1000;
	int n = 0;

	for (; *s >= '0' && *s <= '9'; s++, n++) {
		/* So that v * 1000 + 999 below cannot wrap either. */
		if (v > ((UINT64_MAX - 999) / 1000 - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.' || *s == ',') {
		for (s++; *s >= '0' && *s <= '9'; s++, n++) {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*s - '0') * scale;
			}
		}
	}
	if (n == 0)
		return -1;
	*sp = s;
	*out = v * 1000 + frac;
	return 0;
}

struct xmlu_unit {
	char		unit;
	uint64_t	ms;
};

/* A component of v milli-units times its unit; -1 if that overflows. */
static int
xmlu_scale(uint64_t v, uint64_t unit_ms, uint64_t *out)
{
	uint64_t whole, frac;

	if (v / 1000 > UINT64_MAX / unit_ms)
		return -1;
	whole = v / 1000 * unit_ms;
	frac = (v % 1000) * unit_ms / 1000;
	if (whole > UINT64_MAX - frac)
		return -1;
	*out = whole + frac;
	return 0;
}

int
xmlu_duration_ms(const char *s, uint64_t *ms)
{
	static const struct xmlu_unit date[] = {
		{ 'Y', 365ULL * 86400000 }, { 'M', 30ULL * 86400000 },
		{ 'W', 7ULL * 86400000 }, { 'D', 86400000ULL } },
	    tod[] = { { 'H', 3600000ULL }, { 'M', 60000ULL }, { 'S', 1000ULL } };
	const struct xmlu_unit *u;
	uint64_t total = 0, v;
	size_t i, n, next = 0;
	int in_time = 0, parts = 0;

	if (s == NULL || *s++ != 'P')
		return -1;
	while (*s != '\0') {
		/* A 'T' must be followed by a time part: parts restarts. */
		if (*s == 'T' && !in_time) {
			in_time = 1;
			parts = 0;
			next = 0;
			s++;
			continue;
		}
		u = in_time ? tod : date;
		n = in_time ? 3 : 4;
		if (xmlu_num_milli(&s, &v) < 0)
			return -1;
		for (i = next; i < n && u[i].unit != *s; i++)
			;
		if (i == n || xmlu_scale(v, u[i].ms, &v) < 0 ||
		    total > UINT64_MAX - v)
			return -1;
		next = i + 1;
		total += v;
		parts++;
		s++;
	}
	if (parts == 0)
		return -1;
	*ms = total;
	return 0;
}

/* Exactly n digits as an int; advances *sp. */
static int
xmlu_digits(const char **sp, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if ((*sp)[i] < '0' || (*sp)[i] > '9')
			return -1;
		v = v * 10 + ((*sp)[i] - '0');
	}
	*sp += n;
	*out = v;
	return 0;
}

/* Time zone "Z", "+hh:mm", "-hh:mm" or nothing, as seconds east of UTC. */
static int
xmlu_zone(const char *s, int64_t *east)
{
	int h, m, sign;

	*east = 0;
	if (*s == '\0')
		return 0;
	if (*s == 'Z')
		return s[1] == '\0' ? 0 : -1;
	if (*s != '+' && *s != '-')
		return -1;
	sign = *s++ == '-' ? -1 : 1;
	if (xmlu_digits(&s, 2, &h) < 0 || *s++ != ':' ||
	    xmlu_digits(&s, 2, &m) < 0 || *s != '\0' || h > 14 || m > 59)
		return -1;
	*east = sign * (h * 3600 + m * 60);
	return 0;
}

/* The sub-second part: ".fff" (xs:dateTime) or ":nnnFNNN" (MPEG-7). */
static int
xmlu_subsec(const char **sp, uint64_t *ms)
{
	const char *s = *sp;
	uint64_t num = 0, den = 0;
	int n = 0;

	*ms = 0;
	if (*s == '.') {
		uint64_t scale = 100;

		for (s++; *s >= '0' && *s <= '9'; s++, n++) {
			*ms += (uint64_t)(*s - '0') * scale;
			scale /= 10;
		}
	} else if (*s == ':') {
		for (s++; *s >= '0' && *s <= '9' && n < 9; s++, n++)
			num = num * 10 + (uint64_t)(*s - '0');
		if (n == 0 || *s++ != 'F')
			return -1;
		for (n = 0; *s >= '0' && *s <= '9' && n < 9; s++, n++)
			den = den * 10 + (uint64_t)(*s - '0');
		if (n == 0 || den == 0 || num >= den)
			return -1;
		*ms = num * 1000 / den;
	} else {
		return 0;
	}
	if (n == 0)
		return -1;
	*sp = s;
	return 0;
}

/*
 * Days from 1970-01-01 to y-mo-d in the proleptic Gregorian calendar,
 * computed here rather than with timegm so that dates past 2038 work
 * where time_t is 32 bits.  Returns -1 for a day the month lacks.
 */
static int
xmlu_days(int y, int mo, int d, int64_t *days)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	int64_t yy, era, yoe, doy;

	if (mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap))
		return -1;
	/* Years starting in March, so the leap day ends a year. */
	yy = mo <= 2 ? y - 1 : y;
	era = (yy >= 0 ? yy : yy - 399) / 400;
	yoe = yy - era * 400;
	doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
	*days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
	return 0;
}

int
xmlu_timepoint_ms(const char *s, int64_t *ms)
{
	int y, mo, d, h, mi, sec;
	uint64_t sub;
	int64_t east, days;

	if (s == NULL)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	if (xmlu_digits(&s, 4, &y) < 0 || *s++ != '-' ||
	    xmlu_digits(&s, 2, &mo) < 0 || *s++ != '-' ||
	    xmlu_digits(&s, 2, &d) < 0 || *s++ != 'T' ||
	    xmlu_digits(&s, 2, &h) < 0 || *s++ != ':' ||
	    xmlu_digits(&s, 2, &mi) < 0 || *s++ != ':' ||
	    xmlu_digits(&s, 2, &sec) < 0 || xmlu_subsec(&s, &sub) < 0 ||
	    xmlu_zone(s, &east) < 0)
		return -1;
	if (xmlu_days(y, mo, d, &days) < 0 || h > 24 || mi > 59 ||
	    sec > 60 || (h == 24 && (mi || sec || sub)))
		return -1;
	*ms = ((days * 24 + h) * 3600 + mi * 60 + sec - east) * 1000 +
	    (int64_t)sub;
	return 0;
}
