/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fdt.c: FLUTE FDT instance parser (RFC 3926 / RFC 6726 with the 3GPP and
 * DVB extensions of protocols.md section 3).
 *
 * The XML comes from the network, so the parse runs in guarded steps.
 * A gate admits UTF-8 only, and a byte pre-scan refuses start tags with
 * more than FDT_MAX_ATTRS attributes (libxml2 2.9 is quadratic in them).
 * libxml2's push parser then builds a tree with SAX hooks that stop it at
 * the first DOCTYPE (before any entity is declared, so entity expansion
 * and external entities never happen) and at the depth, element,
 * namespace and File limits.  After every chunk the finished File
 * elements are read by local names and their subtrees freed, so memory
 * stays near the size of the result, not 30 times the input as a whole
 * tree would.  Attribute values are read from their text nodes only, so
 * an entity reference could never be expanded even if one got in.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "../daemon/util.h"
#include "fdt.h"

/* Elements in the whole document: a File needs a handful at most. */
#define FDT_MAX_ELEMS	((size_t)FDT_MAX_FILES * 8)

/* Bytes fed to libxml2 at a time; finished Files are freed in between. */
#define FDT_CHUNK	(64u << 10)

/* Internal: a value is malformed (the caller decides what that means). */
#define FDT_BAD		(-100)

/*
 * No XML_PARSE_NOENT, DTDLOAD, DTDATTR, XINCLUDE or HUGE, on purpose.
 * IGNORE_ENC: the input is always parsed as UTF-8 (see fdt_gate).
 * NOCDATA: CDATA sections become ordinary text.
 */
#define FDT_XML_OPTIONS	(XML_PARSE_NONET | XML_PARSE_NOBLANKS | \
			 XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
			 XML_PARSE_IGNORE_ENC | XML_PARSE_NOCDATA)

#define FDT_OTI_NONE	{ -1, -1, -1, -1, -1, 0, { 0 } }

/* State of one parse, reached from the SAX hooks through ctxt->_private. */
struct fdt_sax {
	int			depth;
	int			nns[FDT_MAX_DEPTH + 1]; /* declared per level */
	int			nscope;	/* sum of nns */
	size_t			nelem;
	size_t			nsub;	/* below the current root child */
	size_t			nfile;
	int			err;	/* FDT_E* of a hook that stopped it */
	startElementNsSAX2Func	start;	/* the tree builder's own hooks */
	endElementNsSAX2Func	end;
};

/* Instance-level defaults, merged into every File. */
struct fdt_dflt {
	char		*ctype;
	char		*cenc;
	struct fdt_oti	oti;
};

/* The result being built. */
struct fdt_run {
	struct fdt	*f;
	size_t		cap;		/* f->files allocated */
	size_t		skipped;
	int		have_root;	/* instance attributes read */
	struct fdt_dflt	d;
};

static const char *const fdt_oti_names[] = {
	"FEC-OTI-FEC-Encoding-ID",
	"FEC-OTI-FEC-Instance-ID",
	"FEC-OTI-Maximum-Source-Block-Length",
	"FEC-OTI-Encoding-Symbol-Length",
	"FEC-OTI-Max-Number-of-Encoding-Symbols",
};
static const uint64_t fdt_oti_max[] = {
	255, INT32_MAX, INT64_MAX, INT64_MAX, INT64_MAX,
};

static pthread_once_t fdt_once = PTHREAD_ONCE_INIT;

static void
fdt_lib_init(void)
{
	xmlInitParser();
}

/* Pre-scan. */

static int
fdt_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Only UTF-8 (or plain ASCII) reaches libxml2, and its encoding
 * declaration is ignored: then the pre-scan sees exactly the characters
 * libxml2 parses, which a declared ISO-2022-JP or an autodetected UTF-16
 * or EBCDIC would break.  Every FDT seen in the wild is UTF-8.  Trailing
 * NULs (a C string terminator counted in the transfer length) are
 * dropped; any other NUL would end libxml2's input early and hide what
 * follows, so it is refused.
 */
static int
fdt_gate(const char *xml, size_t *len)
{
	size_t i = 0;

	while (*len > 0 && xml[*len - 1] == '\0')
		(*len)--;
	if (*len >= 3 && memcmp(xml, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < *len && fdt_is_space(xml[i]))
		i++;
	if (i >= *len || xml[i] != '<' || memchr(xml, '\0', *len) != NULL)
		return FDT_EXML;
	return 0;
}

static const char *
fdt_skip_past(const char *p, const char *end, const char *term)
{
	size_t n = strlen(term);
	const char *q = memmem(p, (size_t)(end - p), term, n);

	return q == NULL ? end : q + n;
}

/* Count '=' outside quotes up to the '>' that ends the tag at p. */
static const char *
fdt_scan_tag(const char *p, const char *end, size_t *nattr)
{
	char quote = 0;

	for (p++; p < end; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '=') {
			(*nattr)++;
		} else if (*p == '>') {
			return p + 1;
		}
	}
	return end;
}

/*
 * A lexical pass over the raw bytes: comments, CDATA sections and
 * processing instructions are skipped whole, every other markup counts
 * its '=' signs.  It only has to be right for well-formed input in an
 * ASCII-compatible encoding; anything else fails in libxml2 anyway.
 */
static int
fdt_prescan(const char *p, size_t len)
{
	const char *end = p + len;
	size_t nattr;

	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		size_t left = (size_t)(end - p);

		nattr = 0;
		if (left >= 4 && memcmp(p, "<!--", 4) == 0)
			p = fdt_skip_past(p + 4, end, "-->");
		else if (left >= 9 && memcmp(p, "<![CDATA[", 9) == 0)
			p = fdt_skip_past(p + 9, end, "]]>");
		else if (left >= 2 && p[1] == '?')
			p = fdt_skip_past(p + 2, end, "?>");
		else
			p = fdt_scan_tag(p, end, &nattr);
		if (nattr > FDT_MAX_ATTRS)
			return FDT_ELIMIT;
	}
	return 0;
}

/* Names. */

/*
 * libxml2 keeps an undeclared prefix inside the name ("ns2:File"); such
 * documents are only namespace-broken, so compare after the last ':'.
 */
static int
fdt_name_eq(const xmlChar *name, const char *want)
{
	const char *n = (const char *)name, *colon;

	if (n == NULL)
		return 0;
	if ((colon = strrchr(n, ':')) != NULL)
		n = colon + 1;
	return strcmp(n, want) == 0;
}

static int
fdt_is_elem(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && fdt_name_eq(n->name, name);
}

/* libxml2 with hooks. */

static void
fdt_sax_stop(xmlParserCtxtPtr ctxt, int err)
{
	struct fdt_sax *st = ctxt->_private;

	if (st->err == 0)
		st->err = err;
	xmlStopParser(ctxt);
}

static void
fdt_sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nb_ns, const xmlChar **ns, int nb_attr,
    int nb_def, const xmlChar **attrs)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct fdt_sax *st = ctxt->_private;

	st->depth++;
	st->nelem++;
	if (st->depth == 2)
		st->nsub = 0;
	else if (st->depth > 2)
		st->nsub++;
	if (st->depth == 2 && fdt_name_eq(localname, "File"))
		st->nfile++;
	if (st->depth > FDT_MAX_DEPTH || st->nelem > FDT_MAX_ELEMS ||
	    st->nsub > FDT_MAX_SUBTREE || st->nfile > FDT_MAX_FILES ||
	    st->nscope + nb_ns > FDT_MAX_NS) {
		fdt_sax_stop(ctxt, FDT_ELIMIT);
		return;
	}
	st->nns[st->depth] = nb_ns;
	st->nscope += nb_ns;
	st->start(ctx, localname, prefix, uri, nb_ns, ns, nb_attr, nb_def,
	    attrs);
}

static void
fdt_sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct fdt_sax *st = ctxt->_private;

	st->nscope -= st->nns[st->depth];
	st->depth--;
	st->end(ctx, localname, prefix, uri);
}

/*
 * Called when "<!DOCTYPE name ..." has been read and before its internal
 * subset: no FDT has a DTD, and refusing here means no entity is ever
 * declared, so neither billion laughs nor external entities can work.
 */
static void
fdt_sax_dtd(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	(void)name;
	(void)eid;
	(void)sid;
	fdt_sax_stop(ctx, FDT_EXML);
}

/* Errors are reported as FDT_E* codes; libxml2 must not print them. */
static void
fdt_sax_error(void *ctx, xmlErrorPtr error)
{
	(void)ctx;
	(void)error;
}

/* A push parser with the hooks installed, or NULL (ENOMEM). */
static xmlParserCtxtPtr
fdt_ctxt_new(struct fdt_sax *st)
{
	xmlParserCtxtPtr ctxt;

	memset(st, 0, sizeof(*st));
	if ((ctxt = xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, NULL)) == NULL)
		return NULL;
	xmlCtxtUseOptions(ctxt, FDT_XML_OPTIONS);
	/* Do not trust process-wide defaults another module may have set. */
	ctxt->replaceEntities = 0;
	ctxt->loadsubset = 0;
	ctxt->validate = 0;
	ctxt->_private = st;
	st->start = ctxt->sax->startElementNs;
	st->end = ctxt->sax->endElementNs;
	if (st->start == NULL || st->end == NULL) {
		xmlFreeParserCtxt(ctxt);
		return NULL;
	}
	ctxt->sax->startElementNs = fdt_sax_start;
	ctxt->sax->endElementNs = fdt_sax_end;
	ctxt->sax->internalSubset = fdt_sax_dtd;
	ctxt->sax->serror = fdt_sax_error;
	/*
	 * No comment or PI nodes: then text nodes only sit between
	 * elements, and the element limits bound every node in the tree.
	 */
	ctxt->sax->comment = NULL;
	ctxt->sax->processingInstruction = NULL;
	return ctxt;
}

static int
fdt_status(xmlParserCtxtPtr ctxt, const struct fdt_sax *st)
{
	xmlDocPtr doc = ctxt->myDoc;

	if (st->err != 0)
		return st->err;
	if (ctxt->errNo == XML_ERR_NO_MEMORY)
		return FDT_ENOMEM;
	if (!ctxt->wellFormed || (doc != NULL &&
	    (doc->intSubset != NULL || doc->extSubset != NULL)))
		return FDT_EXML;
	return 0;
}

/*
 * The text of a node list (an attribute's or an element's children),
 * trimmed, in a new string.  Only text nodes count (CDATA is text with
 * XML_PARSE_NOCDATA): entity references are never followed.  NULL only
 * on ENOMEM.
 */
static char *
fdt_text(xmlNodePtr first)
{
	xmlNodePtr c;
	size_t n = 0, k, a = 0;
	char *buf;

	for (c = first; c != NULL; c = c->next)
		if (c->type == XML_TEXT_NODE && c->content != NULL)
			n += strlen((const char *)c->content);
	if ((buf = malloc(n + 1)) == NULL)
		return NULL;
	for (c = first, n = 0; c != NULL; c = c->next) {
		if (c->type != XML_TEXT_NODE || c->content == NULL)
			continue;
		k = strlen((const char *)c->content);
		memcpy(buf + n, c->content, k);
		n += k;
	}
	while (n > 0 && fdt_is_space(buf[n - 1]))
		n--;
	while (a < n && fdt_is_space(buf[a]))
		a++;
	memmove(buf, buf + a, n - a);
	buf[n - a] = '\0';
	return buf;
}

/*
 * The attribute with this local name: one without a namespace if there
 * is one, else the first in document order.
 */
static xmlAttrPtr
fdt_prop(xmlNodePtr node, const char *name)
{
	xmlAttrPtr a, found = NULL;

	for (a = node->properties; a != NULL; a = a->next) {
		if (!fdt_name_eq(a->name, name))
			continue;
		if (a->ns == NULL)
			return a;
		if (found == NULL)
			found = a;
	}
	return found;
}

/* 1 and a new trimmed string in *val, 0 if absent, or FDT_ENOMEM. */
static int
fdt_attr(xmlNodePtr node, const char *name, char **val)
{
	xmlAttrPtr a = fdt_prop(node, name);

	*val = NULL;
	if (a == NULL)
		return 0;
	if ((*val = fdt_text(a->children)) == NULL)
		return FDT_ENOMEM;
	return 1;
}

/* Value parsers. */

/* Decimal, optional '+', nothing else; at most max.  0 or -1. */
static int
fdt_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	unsigned d;

	if (*s == '+')
		s++;
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		d = (unsigned)((unsigned char)*s - '0');
		if (d > 9 || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/*
 * A TOI: a positive decimal integer below 2^112, kept in four 32-bit
 * limbs so that no 128-bit type is needed (32-bit OpenWrt targets).
 */
static int
fdt_parse_toi(const char *s, struct alc_id *id)
{
	uint32_t w[4] = { 0, 0, 0, 0 };
	uint64_t carry, v;
	int i;

	if (*s == '+')
		s++;
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		carry = (uint64_t)(*s - '0');
		for (i = 0; i < 4; i++) {
			v = (uint64_t)w[i] * 10 + carry;
			w[i] = (uint32_t)v;
			carry = v >> 32;
		}
		if (w[3] > 0xFFFF)
			return -1;
	}
	id->hi = (uint64_t)w[3] << 32 | w[2];
	id->lo = (uint64_t)w[1] << 32 | w[0];
	return id->hi == 0 && id->lo == 0 ? -1 : 0;
}

/* Non-empty, at most max bytes, no control characters. */
static int
fdt_clean(const char *s, size_t max)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f || n >= max)
			return 0;
	return n > 0;
}

/* An optional number: *out is left alone when absent.  0, FDT_BAD, ENOMEM. */
static int
fdt_attr_num(xmlNodePtr node, const char *name, uint64_t max, int64_t *out)
{
	uint64_t u;
	char *v;
	int rc;

	if ((rc = fdt_attr(node, name, &v)) <= 0)
		return rc;
	rc = fdt_parse_u64(v, max, &u) == 0 ? 0 : FDT_BAD;
	free(v);
	if (rc == 0)
		*out = (int64_t)u;
	return rc;
}

/* xs:boolean as FLUTE uses it: "true" or "1" set the flag. */
static int
fdt_attr_bool(xmlNodePtr node, const char *name, uint8_t *out)
{
	char *v;
	int rc;

	if ((rc = fdt_attr(node, name, &v)) <= 0)
		return rc;
	*out = strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
	free(v);
	return 0;
}

/* Content-Type and friends: empty counts as absent.  0, FDT_BAD, ENOMEM. */
static int
fdt_attr_token(xmlNodePtr node, const char *name, char **out)
{
	char *v;
	int rc;

	*out = NULL;
	if ((rc = fdt_attr(node, name, &v)) <= 0)
		return rc;
	if (v[0] == '\0') {
		free(v);
		return 0;
	}
	if (!fdt_clean(v, FDT_MAX_TOKEN)) {
		free(v);
		return FDT_BAD;
	}
	*out = v;
	return 0;
}

/* The FEC-OTI-* attributes of an FDT-Instance or a File. */
static int
fdt_oti_parse(xmlNodePtr node, struct fdt_oti *oti)
{
	int64_t v[5];
	char *s;
	int i, n, rc;

	for (i = 0; i < 5; i++) {
		v[i] = -1;
		rc = fdt_attr_num(node, fdt_oti_names[i], fdt_oti_max[i], &v[i]);
		if (rc < 0)
			return rc;
	}
	oti->fei = (int32_t)v[0];
	oti->instance_id = (int32_t)v[1];
	oti->max_sbl = v[2];
	oti->symbol_len = v[3];
	oti->max_n = v[4];
	if ((rc = fdt_attr(node, "FEC-OTI-Scheme-Specific-Info", &s)) <= 0)
		return rc;
	n = util_base64_decode(s, oti->ssi, sizeof(oti->ssi));
	free(s);
	if (n < 0)
		return FDT_BAD;
	oti->ssi_len = (uint8_t)n;
	return 0;
}

static void
fdt_oti_merge(struct fdt_oti *f, const struct fdt_oti *d)
{
	if (f->fei < 0)
		f->fei = d->fei;
	if (f->instance_id < 0)
		f->instance_id = d->instance_id;
	if (f->max_sbl < 0)
		f->max_sbl = d->max_sbl;
	if (f->symbol_len < 0)
		f->symbol_len = d->symbol_len;
	if (f->max_n < 0)
		f->max_n = d->max_n;
	if (f->ssi_len == 0) {
		f->ssi_len = d->ssi_len;
		memcpy(f->ssi, d->ssi, sizeof(f->ssi));
	}
}

/*
 * The sha-256 member of an RFC 9530 digest dictionary such as
 * "sha-512=:...:, sha-256=:b64:".  1 if found and decoded, 0 if there is
 * none, -1 if it is malformed.
 */
static int
fdt_digest_sha256(const char *s, uint8_t out[32])
{
	const char *key, *val, *end, *close;
	uint8_t tmp[32];
	char b64[128];
	size_t klen;

	for (; *s != '\0'; s = end) {
		while (*s == ',' || fdt_is_space(*s))
			s++;
		key = s;
		if ((end = strchr(s, ',')) == NULL)
			end = s + strlen(s);
		klen = strcspn(key, "=,");
		if (key[klen] != '=' || klen != 7 ||
		    strncasecmp(key, "sha-256", 7) != 0)
			continue;
		val = key + klen + 1;
		if (*val != ':' || (close = memchr(val + 1, ':',
		    (size_t)(end - val - 1))) == NULL ||
		    (size_t)(close - val - 1) >= sizeof(b64))
			return -1;
		memcpy(b64, val + 1, (size_t)(close - val - 1));
		b64[close - val - 1] = '\0';
		if (util_base64_decode(b64, tmp, sizeof(tmp)) != 32)
			return -1;
		memcpy(out, tmp, sizeof(tmp));
		return 1;
	}
	return 0;
}

/* Files. */

static void
fdt_file_clear(struct fdt_file *file)
{
	free(file->location);
	free(file->content_type);
	free(file->content_encoding);
	memset(file, 0, sizeof(*file));
}

/* TOI and Content-Location, both required.  0, FDT_BAD or ENOMEM. */
static int
fdt_file_ids(xmlNodePtr node, struct fdt_file *file)
{
	char *v;
	int rc;

	if ((rc = fdt_attr(node, "TOI", &v)) <= 0)
		return rc == 0 ? FDT_BAD : rc;
	rc = fdt_parse_toi(v, &file->toi) == 0 ? 0 : FDT_BAD;
	free(v);
	if (rc < 0)
		return rc;
	if ((rc = fdt_attr(node, "Content-Location", &v)) <= 0)
		return rc == 0 ? FDT_BAD : rc;
	if (!fdt_clean(v, FDT_MAX_URI)) {
		free(v);
		return FDT_BAD;
	}
	file->location = v;
	return 0;
}

static int
fdt_strdup_default(char **dst, const char *dflt)
{
	if (*dst != NULL || dflt == NULL)
		return 0;
	return (*dst = strdup(dflt)) == NULL ? FDT_ENOMEM : 0;
}

/*
 * Content-MD5 and Content-Digest.  A malformed one is dropped and
 * counted: the file stays usable, its length is still checked.
 */
static int
fdt_file_digests(xmlNodePtr node, struct fdt_file *file, size_t *bad)
{
	char *v;
	int rc;

	if ((rc = fdt_attr(node, "Content-MD5", &v)) < 0)
		return rc;
	if (rc == 1) {
		if (util_base64_decode(v, file->md5, sizeof(file->md5)) == 16)
			file->has_md5 = 1;
		else
			(*bad)++;
		free(v);
	}
	if ((rc = fdt_attr(node, "Content-Digest", &v)) < 0)
		return rc;
	if (rc == 1) {
		rc = fdt_digest_sha256(v, file->sha256);
		file->has_sha256 = rc == 1;
		*bad += rc < 0;
		free(v);
	}
	if (!file->has_md5)
		memset(file->md5, 0, sizeof(file->md5));
	return 0;
}

/* "false" and "0" clear a flag element; present otherwise means set. */
static uint8_t
fdt_flag(const char *v)
{
	return strcmp(v, "false") != 0 && strcmp(v, "0") != 0;
}

/* The 3GPP mbms2007 Cache-Control child of a File. */
static int
fdt_cache_control(xmlNodePtr node, struct fdt_file *file)
{
	xmlNodePtr cc, c;
	uint64_t u;
	char *v;

	for (cc = node->children; cc != NULL; cc = cc->next)
		if (fdt_is_elem(cc, "Cache-Control"))
			break;
	if (cc == NULL)
		return 0;
	for (c = cc->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if ((v = fdt_text(c->children)) == NULL)
			return FDT_ENOMEM;
		if (fdt_name_eq(c->name, "no-cache"))
			file->no_cache = fdt_flag(v);
		else if (fdt_name_eq(c->name, "max-stale"))
			file->max_stale = fdt_flag(v);
		else if (fdt_name_eq(c->name, "Expires") &&
		    fdt_parse_u64(v, UINT32_MAX, &u) == 0)
			file->cache_expires = (int64_t)u;
		free(v);
	}
	return 0;
}

/* One File element.  0, FDT_BAD (skip it) or FDT_ENOMEM. */
static int
fdt_file_parse(xmlNodePtr node, const struct fdt_dflt *d,
    struct fdt_file *file, size_t *bad)
{
	struct fdt_oti none = FDT_OTI_NONE;
	int rc;

	memset(file, 0, sizeof(*file));
	file->content_length = file->transfer_length = -1;
	file->cache_expires = -1;
	file->oti = none;
	if ((rc = fdt_file_ids(node, file)) < 0 ||
	    (rc = fdt_attr_num(node, "Content-Length", INT64_MAX,
	    &file->content_length)) < 0 ||
	    (rc = fdt_attr_num(node, "Transfer-Length", INT64_MAX,
	    &file->transfer_length)) < 0 ||
	    (rc = fdt_attr_token(node, "Content-Type",
	    &file->content_type)) < 0 ||
	    (rc = fdt_attr_token(node, "Content-Encoding",
	    &file->content_encoding)) < 0 ||
	    (rc = fdt_oti_parse(node, &file->oti)) < 0 ||
	    (rc = fdt_strdup_default(&file->content_type, d->ctype)) < 0 ||
	    (rc = fdt_strdup_default(&file->content_encoding, d->cenc)) < 0 ||
	    (rc = fdt_file_digests(node, file, bad)) < 0 ||
	    (rc = fdt_cache_control(node, file)) < 0)
		goto fail;
	fdt_oti_merge(&file->oti, &d->oti);
	return 0;
fail:
	fdt_file_clear(file);
	return rc;
}

/* The instance. */

/* Expires (required), flags and defaults.  0, FDT_EATTR or FDT_ENOMEM. */
static int
fdt_instance(xmlNodePtr root, struct fdt *f, struct fdt_dflt *d)
{
	int64_t expires = -1;
	int rc;

	rc = fdt_attr_num(root, "Expires", UINT32_MAX, &expires);
	if (rc == FDT_ENOMEM)
		return rc;
	if (rc < 0 || expires < 0)
		return FDT_EATTR;
	f->expires = (uint32_t)expires;
	if ((rc = fdt_attr_bool(root, "Complete", &f->complete)) < 0 ||
	    (rc = fdt_attr_bool(root, "FullFDT", &f->full_fdt)) < 0 ||
	    (rc = fdt_attr_token(root, "Content-Type", &d->ctype)) < 0 ||
	    (rc = fdt_attr_token(root, "Content-Encoding", &d->cenc)) < 0 ||
	    (rc = fdt_oti_parse(root, &d->oti)) < 0)
		return rc == FDT_BAD ? FDT_EATTR : rc;
	return 0;
}

static int
fdt_add_file(struct fdt_run *run, xmlNodePtr node)
{
	struct fdt *f = run->f;
	struct fdt_file *nf;
	size_t cap;
	int rc;

	if (f->nfiles + run->skipped >= FDT_MAX_FILES)
		return FDT_ELIMIT;
	if (f->nfiles == run->cap) {
		cap = run->cap ? run->cap * 2 : 16;
		if (cap > FDT_MAX_FILES)
			cap = FDT_MAX_FILES;
		if ((nf = realloc(f->files, cap * sizeof(*nf))) == NULL)
			return FDT_ENOMEM;
		f->files = nf;
		run->cap = cap;
	}
	rc = fdt_file_parse(node, &run->d, &f->files[f->nfiles],
	    &f->bad_digests);
	if (rc == 0)
		f->nfiles++;
	else if (rc == FDT_BAD)
		run->skipped++;
	return rc == FDT_BAD ? 0 : rc;
}

/*
 * After each chunk: check the parser, read the instance attributes once
 * the root has started, and turn every finished child of the root into
 * a struct fdt_file and free its subtree, so that the tree never holds
 * much more than a chunk.  The last child may still be growing, so it
 * waits unless this is the final step.
 */
static int
fdt_step(xmlParserCtxtPtr ctxt, const struct fdt_sax *st,
    struct fdt_run *run, int final)
{
	xmlNodePtr root = NULL, c;
	int rc;

	if ((rc = fdt_status(ctxt, st)) < 0)
		return rc;
	if (ctxt->myDoc != NULL)
		root = xmlDocGetRootElement(ctxt->myDoc);
	if (root == NULL)
		return final ? FDT_EXML : 0;
	if (!run->have_root) {
		if (!fdt_name_eq(root->name, "FDT-Instance"))
			return FDT_EROOT;
		if ((rc = fdt_instance(root, run->f, &run->d)) < 0)
			return rc;
		run->have_root = 1;
	}
	while ((c = root->children) != NULL && (final || c != root->last)) {
		rc = fdt_is_elem(c, "File") ? fdt_add_file(run, c) : 0;
		xmlUnlinkNode(c);
		xmlFreeNode(c);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Feed the document to libxml2 in chunks, harvesting Files as they end. */
static int
fdt_run(const char *xml, size_t len, struct fdt_run *run)
{
	xmlParserCtxtPtr ctxt;
	struct fdt_sax st;
	size_t off, n;
	int rc = 0;

	if ((ctxt = fdt_ctxt_new(&st)) == NULL)
		return FDT_ENOMEM;
	for (off = 0; off < len && rc == 0; off += n) {
		n = len - off < FDT_CHUNK ? len - off : FDT_CHUNK;
		xmlParseChunk(ctxt, xml + off, (int)n, 0);
		rc = fdt_step(ctxt, &st, run, 0);
	}
	if (rc == 0) {
		xmlParseChunk(ctxt, NULL, 0, 1);
		rc = fdt_step(ctxt, &st, run, 1);
	}
	xmlFreeDoc(ctxt->myDoc);
	ctxt->myDoc = NULL;
	xmlFreeParserCtxt(ctxt);
	return rc;
}

int
fdt_parse(const char *xml, size_t len, struct fdt **out, size_t *skipped)
{
	struct fdt_run run;
	int rc;

	*out = NULL;
	if (skipped != NULL)
		*skipped = 0;
	if (xml == NULL || len == 0)
		return FDT_EXML;
	if (len > FDT_MAX_XML)
		return FDT_ELIMIT;
	if ((rc = fdt_gate(xml, &len)) < 0 ||
	    (rc = fdt_prescan(xml, len)) < 0)
		return rc;
	pthread_once(&fdt_once, fdt_lib_init);
	memset(&run, 0, sizeof(run));
	if ((run.f = calloc(1, sizeof(*run.f))) == NULL)
		return FDT_ENOMEM;
	rc = fdt_run(xml, len, &run);
	free(run.d.ctype);
	free(run.d.cenc);
	if (rc < 0) {
		fdt_free(run.f);
		return rc;
	}
	*out = run.f;
	if (skipped != NULL)
		*skipped = run.skipped;
	return 0;
}

void
fdt_free(struct fdt *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nfiles; i++)
		fdt_file_clear(&f->files[i]);
	free(f->files);
	free(f);
}

/* Indexed by -FDT_E*. */
static const char *const fdt_errnames[] = {
	"ok", "not-xml", "wrong-root", "bad-attribute", "over-limit",
	"no-memory",
};

const char *
fdt_strerror(int err)
{
	if (err > 0 || err < FDT_ENOMEM)
		return "unknown";
	return fdt_errnames[-err];
}
