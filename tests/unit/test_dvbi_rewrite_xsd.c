/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_dvbi_rewrite_xsd.c: the DVB-I service list rewrite against the
 * real schemas.  Every real file in ../shared/data (the SES lists and the
 * service list collection) is validated with libxml2's xmlschemas against
 * the XSD of its namespace (plain, else the +hls variant) before the
 * rewrite and again after rewriting it two ways: only http://dvb.gw/ URLs,
 * and every http(s) URL.  A list that validated must still validate;
 * files that are not service lists must be refused.  The rewrite semantics
 * are in test_dvbi_rewrite.c.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "../../dvb-i/dvbi.h"
#include "../../dvb-i/xmlu.h"
#include "rewrite_harness.h"
#include "sample_harness.h"
#include "test.h"

#define BASE	"http://192.0.2.7:8080"
#define NXSD	20	/* schemas cached per run */

/* The schema the original validates against (plain, else +hls), or NULL. */
static xmlSchemaPtr
xsd_pick(struct xsd *cache, size_t n, xmlDocPtr doc, const char **name)
{
	const xmlNode *root = xmlDocGetRootElement(doc);
	const char *ns = root->ns != NULL ? (const char *)root->ns->href : "";
	const char *plain = dvbi_xsd_for_ns(ns, 0);
	const char *hls = dvbi_xsd_for_ns(ns, 1);
	char why[256];

	if (plain == NULL)
		return NULL;
	*name = plain;
	if (xsd_valid(xsd_get(cache, n, plain), doc, why))
		return xsd_get(cache, n, plain);
	/* Without an HLS variant the library answers the plain one again. */
	if (hls == NULL || strcmp(hls, plain) == 0)
		return NULL;
	*name = hls;
	if (xsd_valid(xsd_get(cache, n, hls), doc, why))
		return xsd_get(cache, n, hls);
	return NULL;
}

struct rt_stats {
	size_t	files, lists, valid, valid_after;
	int	tp1045, full, ses_private, regions;
};

/* One real file: validate, rewrite two ways, validate both outputs. */
static void
roundtrip_file(const char *path, const char *name, struct xsd *cache,
    size_t ncache, struct rt_stats *st)
{
	static const struct dvbi_rewrite_opts opts[] = {
		{ BASE, NULL, NULL },		/* only http://dvb.gw/ */
		{ BASE, map_all, NULL },	/* every http(s) URL */
	};
	const char *xsd = "none";
	char err[256], why[256];
	xmlSchemaPtr s = NULL;
	struct out o;
	xmlDocPtr doc;
	size_t len, i;
	char *buf;
	int valid;

	REQUIRE((buf = sample_read(path, &len)) != NULL);
	st->files++;
	doc = xmlu_parse(buf, len, name, err, sizeof(err));
	CHECK(doc != NULL);
	if (doc == NULL || !xmlu_is(xmlDocGetRootElement(doc), "ServiceList")) {
		/* The registries (slepr-*) are not service lists. */
		CHECK(rewrite(buf, len, &opts[0], &o) < 0);
		fprintf(stderr, "  %-48s not a ServiceList: %s\n", name, o.err);
		out_free(&o);
		goto out;
	}
	st->lists++;
	s = xsd_pick(cache, ncache, doc, &xsd);
	valid = s != NULL;
	st->valid += valid;
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		CHECK(rewrite(buf, len, &opts[i], &o) == 0);
		if (o.doc == NULL) {
			fprintf(stderr, "  %s: %s\n", name, o.err);
			out_free(&o);
			continue;
		}
		if (i == 1)
			CHECK(strstr(o.buf, BASE "/") != NULL);
		/* Pretty lists stay pretty: copies are indented too. */
		if (strstr(buf, "</ServiceInstance>\n"))
			CHECK(strstr(o.buf, "</ServiceInstance><") == NULL);
		if (valid && !xsd_valid(s, o.doc, why)) {
			CHECK(!"a valid list no longer validates");
			fprintf(stderr, "  %s (%s, mapping %zu): %s\n", name,
			    xsd, i, why);
		} else if (valid && i == 1) {
			st->valid_after++;
		}
		out_free(&o);
	}
	fprintf(stderr, "  %-48s %s %s\n", name,
	    valid ? "validates before and after against" : "does not validate:",
	    valid ? xsd : "rewritten anyway");
	st->tp1045 |= valid && strcmp(name, "service_list_tp1045.xml") == 0;
	st->full |= valid && strcmp(name, "service_list_full.xml") == 0;
	st->ses_private |= valid &&
	    strcmp(name, "service_list_ses_private.xml") == 0;
	st->regions |= valid && strcmp(name, "regions.xml") == 0;
out:
	if (doc != NULL)
		xmlFreeDoc(doc);
	free(buf);
}

/* Every *.xml in dir whose name starts with prefix. */
static void
roundtrip_dir(const char *dir, const char *prefix, struct xsd *cache,
    size_t ncache, struct rt_stats *st)
{
	struct dirent *de;
	char path[1024];
	size_t l;
	DIR *d;

	REQUIRE((d = opendir(dir)) != NULL);
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (l < 4 || strcmp(de->d_name + l - 4, ".xml") != 0 ||
		    strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		roundtrip_file(path, de->d_name, cache, ncache, st);
	}
	closedir(d);
}

static void
test_xsd_roundtrip(void)
{
	struct xsd cache[NXSD];
	struct rt_stats st;
	struct stat sb;
	size_t i;

	if (stat(SAMPLE_XSD, &sb) < 0 || stat(SAMPLE_SL, &sb) < 0 ||
	    stat(SAMPLE_SES, &sb) < 0) {
		sample_skip("XSD round trip of the real lists");
		return;
	}
	memset(cache, 0, sizeof(cache));
	memset(&st, 0, sizeof(st));
	roundtrip_dir(SAMPLE_SES, "service_list_", cache, NXSD, &st);
	roundtrip_dir(SAMPLE_SL, "", cache, NXSD, &st);
	fprintf(stderr, "  %zu files, %zu service lists, %zu validate "
	    "(and still do after a full rewrite: %zu)\n", st.files, st.lists,
	    st.valid, st.valid_after);
	CHECK(st.files >= 12);
	CHECK(st.valid > 0 && st.valid_after == st.valid);
	CHECK(st.tp1045 && st.full && st.ses_private && st.regions);
	for (i = 0; i < NXSD; i++)
		if (cache[i].schema != NULL)
			xmlSchemaFree(cache[i].schema);
}

TEST_MAIN(TEST(test_xsd_roundtrip))
