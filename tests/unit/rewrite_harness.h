/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rewrite_harness.h: the shared fixture of test_dvbi_rewrite.c and
 * test_dvbi_rewrite_xsd.c: one rewrite that checks the buffer contract
 * and parses its output back, the map-everything URL mapping, and XSD
 * validation with libxml2's xmlschemas (schemas parsed once per case,
 * from the real ones in ../shared/data).  Included by one test file each,
 * so everything here is static.
 */
#ifndef NIPCACHE_REWRITE_HARNESS_H
#define NIPCACHE_REWRITE_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "../../dvb-i/dvbi.h"
#include "../../dvb-i/xmlu.h"
#include "sample_harness.h"
#include "test.h"

/* The result of one rewrite, re-parsed. */
struct out {
	int		r;
	char		*buf;
	size_t		len;
	xmlDocPtr	doc;
	char		err[256];
};

static void
out_free(struct out *o)
{
	free(o->buf);
	if (o->doc != NULL)
		xmlFreeDoc(o->doc);
	memset(o, 0, sizeof(*o));
}

/* Rewrite, check the buffer contract, and parse the output back. */
static int
rewrite(const void *in, size_t len, const struct dvbi_rewrite_opts *opts,
    struct out *o)
{
	char perr[256];

	memset(o, 0, sizeof(*o));
	o->r = dvbi_rewrite(in, len, opts, &o->buf, &o->len, o->err,
	    sizeof(o->err));
	if (o->r != 0) {
		CHECK(o->buf == NULL && o->len == 0 && o->err[0] != '\0');
		return o->r;
	}
	CHECK(o->buf != NULL && o->buf[o->len] == '\0');
	CHECK(o->buf != NULL && strlen(o->buf) == o->len);
	o->doc = xmlu_parse(o->buf, o->len, "output", perr, sizeof(perr));
	CHECK(o->doc != NULL);
	if (o->doc == NULL) {
		fprintf(stderr, "  output does not parse: %s\n", perr);
		return -1;
	}
	CHECK(xmlu_is(xmlDocGetRootElement(o->doc), "ServiceList"));
	return 0;
}

/* Maps every absolute http(s) URL: "scheme://host/p" -> "/host/p". */
static int
map_all(void *arg, const char *url, char *path, size_t len)
{
	const char *s = strstr(url, "://");

	(void)arg;
	if (s == NULL || strncmp(url, "http", 4) != 0)
		return -1;
	return snprintf(path, len, "/%s", s + 3) < (int)len ? 0 : -1;
}

/* ---- schema validation ---- */

struct xsd {
	const char	*file;
	xmlSchemaPtr	schema;
};

/* Keep the first validation error, print nothing. */
static void
xsd_on_error(void *ctx, xmlErrorPtr e)
{
	char *first = ctx;

	if (first != NULL && first[0] == '\0' && e != NULL && e->message)
		snprintf(first, 256, "line %d: %s", e->line, e->message);
}

/*
 * The XSD from SAMPLE_XSD, parsed once: schemas cost far more than the
 * lists.  The caller frees every cache[i].schema.
 */
static xmlSchemaPtr
xsd_get(struct xsd *cache, size_t n, const char *file)
{
	char path[512], first[256] = "";
	xmlSchemaParserCtxtPtr pc;
	size_t i;

	for (i = 0; i < n && cache[i].file != NULL; i++)
		if (strcmp(cache[i].file, file) == 0)
			return cache[i].schema;
	if (i == n)
		return NULL;
	cache[i].file = file;
	snprintf(path, sizeof(path), "%s/%s", SAMPLE_XSD, file);
	if ((pc = xmlSchemaNewParserCtxt(path)) == NULL)
		return NULL;
	xmlSchemaSetParserStructuredErrors(pc, xsd_on_error, first);
	cache[i].schema = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	if (cache[i].schema == NULL)
		fprintf(stderr, "  %s does not load: %s\n", file, first);
	return cache[i].schema;
}

/* 1 if doc validates against s; the first error goes to why (256 bytes). */
static int
xsd_valid(xmlSchemaPtr s, xmlDocPtr doc, char *why)
{
	xmlSchemaValidCtxtPtr vc;
	int r;

	why[0] = '\0';
	if (s == NULL || (vc = xmlSchemaNewValidCtxt(s)) == NULL)
		return 0;
	xmlSchemaSetValidStructuredErrors(vc, xsd_on_error, why);
	r = xmlSchemaValidateDoc(vc, doc);
	xmlSchemaFreeValidCtxt(vc);
	return r == 0;
}

#endif
