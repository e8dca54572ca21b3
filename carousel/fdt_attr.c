/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fdt_attr.c: from the libxml2 tree of one FDT instance to struct fdt.
 * fdt.c hands over each finished File element (and the FDT-Instance root
 * once); this file reads their attributes (text nodes only, never
 * entities), parses the values (decimal, TOI, tokens, FEC OTI, MD5 and
 * sha-256 digests, Cache-Control) and merges the instance defaults.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "../daemon/util.h"
#include "fdt.h"
#include "fdt_int.h"

#define FDT_OTI_NONE	{ -1, -1, -1, -1, -1, 0, { 0 } }

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

void
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
int
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
int
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
