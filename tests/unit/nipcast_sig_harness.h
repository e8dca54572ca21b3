/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipcast_sig_harness.h: what test_nipcast_sig.c and
 * test_nipcast_sig_repair.c share: parsing a description as "desc.ini"
 * with a fixed clock, checking that a bad one is refused with the line and
 * the reason, and validating a document against an XSD file (the
 * DVB-MABR one is looked for under ../shared/data).  Each test
 * includes it once, so everything here is static.
 */
#ifndef NIPCACHE_NIPCAST_SIG_HARNESS_H
#define NIPCACHE_NIPCAST_SIG_HARNESS_H

#include <ftw.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "test.h"
#include "testutil.h"
#include "../../carousel/nipcast.h"
#include "../../daemon/util.h"

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

#define SIG_DATA	"../shared/data"

static const char *sig_xsd_want;	/* "Element", quotes included */
static char sig_xsd_path[512];

/* nftw callback: the first .xsd under SIG_DATA that defines the element. */
static int
sig_xsd_find(const char *path, const struct stat *st, int type,
    struct FTW *f)
{
	size_t l = strlen(path), n;
	char *buf;
	FILE *fp;

	(void)f;
	if (type != FTW_F || l < 4 || strcmp(path + l - 4, ".xsd") != 0 ||
	    st->st_size > (8 << 20) || (fp = fopen(path, "r")) == NULL)
		return 0;
	buf = calloc(1, (size_t)st->st_size + 1);
	n = buf != NULL ? fread(buf, 1, (size_t)st->st_size, fp) : 0;
	fclose(fp);
	if (n > 0 && strstr(buf, sig_xsd_want) != NULL)
		util_strlcpy(sig_xsd_path, path, sizeof(sig_xsd_path));
	free(buf);
	return sig_xsd_path[0] != '\0';
}

/*
 * Validate a gateway configuration against the DVB-MABR schema (the XSD
 * under SIG_DATA that defines element, given in quotes) when there is
 * one; otherwise say why, once.
 */
static TESTUTIL_UNUSED void
sig_gw_xsd(const char *element, const char *doc, size_t len)
{
	static int looked;
	struct stat st;

	if (!looked) {
		looked = 1;
		sig_xsd_want = element;
		if (stat(SIG_DATA, &st) < 0)
			fprintf(stderr, "SKIP: gateway schema check, " SIG_DATA
			    " not present\n");
		else if (nftw(SIG_DATA, sig_xsd_find, 16, FTW_PHYS) < 0 ||
		    sig_xsd_path[0] == '\0')
			fprintf(stderr, "SKIP: gateway schema check, no "
			    "DVB-MABR XSD (one defining %s) under " SIG_DATA
			    "\n", element);
	}
	if (sig_xsd_path[0] != '\0')
		CHECK(xsd_check_path(sig_xsd_path, doc, len) == 1);
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
