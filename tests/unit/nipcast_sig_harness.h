/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipcast_sig_harness.h: what test_nipcast_sig.c and
 * test_nipcast_sig_repair.c share: parsing a description as "desc.ini"
 * with a fixed clock, checking that a bad one is refused with the line and
 * the reason, and validating a document against an XSD file.  Each test
 * includes it once, so everything here is static.
 */
#ifndef NIPCACHE_NIPCAST_SIG_HARNESS_H
#define NIPCACHE_NIPCAST_SIG_HARNESS_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "test.h"
#include "../../carousel/nipcast.h"

#define NOW	1767225600	/* 2026-01-01T00:00:00Z */

/* Parse a description (NUL-terminated text); 0 or -1 with err. */
static int
parse(const char *text, struct nc_desc *d, char *err, size_t n)
{
	err[0] = '\0';
	if (nc_desc_parse(text, strlen(text), "desc.ini", d, err, n) < 0)
		return -1;
	d->rate = 20000000;
	d->updated = NOW;
	return 0;
}

/* The first schema error, kept in ctx. */
static void
xsd_error(void *ctx, xmlErrorPtr e)
{
	char *first = ctx;

	if (first[0] == '\0' && e != NULL && e->message != NULL)
		snprintf(first, 256, "line %d: %s", e->line, e->message);
}

/* 1 valid, 0 invalid, -1 schema unavailable; path is the XSD file. */
static int
xsd_check_path(const char *path, const char *doc, size_t len)
{
	const char *xsd = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 :
	    path;
	char why[256] = "";
	xmlSchemaParserCtxtPtr pc;
	xmlSchemaValidCtxtPtr vc;
	xmlSchemaPtr s;
	xmlDocPtr x;
	int r = -1;

	if ((pc = xmlSchemaNewParserCtxt(path)) == NULL)
		return -1;
	xmlSchemaSetParserStructuredErrors(pc, xsd_error, why);
	s = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	x = xmlReadMemory(doc, (int)len, "doc.xml", NULL, XML_PARSE_NONET);
	if (s != NULL && x != NULL && (vc = xmlSchemaNewValidCtxt(s)) != NULL) {
		xmlSchemaSetValidStructuredErrors(vc, xsd_error, why);
		r = xmlSchemaValidateDoc(vc, x) == 0;
		xmlSchemaFreeValidCtxt(vc);
	}
	if (r == 0)
		fprintf(stderr, "  %s: %s\n", xsd, why);
	xmlFreeDoc(x);
	xmlSchemaFree(s);
	return r;
}

/* Bad descriptions: refused with the line and the reason. */
static void
bad_case(const char *text, int line, const char *why, size_t i)
{
	char err[512], want[64];
	struct nc_desc d;

	snprintf(want, sizeof(want), "desc.ini:%d: ", line);
	CHECK(parse(text, &d, err, sizeof(err)) < 0);
	if (strncmp(err, want, strlen(want)) != 0 || strstr(err, why) == NULL) {
		fprintf(stderr, "  case %zu: got \"%s\", want %s... %s\n", i,
		    err, want, why);
		CHECK(!"error names the line and the reason");
	}
	CHECK(d.nsvc == 0 && d.svc == NULL && d.provider == NULL &&
	    d.repair.nbase == 0);
}

#endif
