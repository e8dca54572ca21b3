/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every real signalling file in ../shared/data parses with the parser its
 * root element calls for: the SES 19.2E DVB-NIP decode (bootstrap, NIF,
 * SIF, SLEP, three service lists, the content guide manifest) and every
 * DVB-I service list and registry of the reference client.  Files are
 * found by listing the folders, so a new sample is covered without a
 * change here.  The hand-checked values live in test_mgc, test_nipdoc and
 * test_dvbi_sl; this test makes sure nothing is left out.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "sample_harness.h"
#include "../../dvb-i/dvbi.h"
#include "../../dvb-i/mgc.h"
#include "../../dvb-i/nipdoc.h"
#include "../../dvb-i/xmlu.h"

/* Parse buf with the parser for its root element; the root's name or NULL. */
static const char *
parse_by_root(const char *buf, size_t len, char *err, size_t errlen)
{
	static char root[64];
	xmlDocPtr doc = xmlu_parse(buf, len, "sample", err, errlen);
	int r = -1;

	if (doc == NULL)
		return NULL;
	snprintf(root, sizeof(root), "%s",
	    (const char *)xmlDocGetRootElement(doc)->name);
	xmlFreeDoc(doc);
	if (strcmp(root, "MulticastGatewayConfiguration") == 0) {
		struct mgc m;

		if ((r = mgc_parse(buf, len, &m, err, errlen)) == 0)
			mgc_free(&m);
	} else if (strcmp(root, "NetworkInformationFile") == 0) {
		struct nif n;

		if ((r = nif_parse(buf, len, &n, err, errlen)) == 0)
			nif_free(&n);
	} else if (strcmp(root, "ServiceInformationFile") == 0) {
		struct sif s;

		if ((r = sif_parse(buf, len, &s, err, errlen)) == 0)
			sif_free(&s);
	} else if (strcmp(root, "ServiceListEntryPoints") == 0) {
		struct slep s;

		if ((r = slep_parse(buf, len, &s, err, errlen)) == 0)
			slep_free(&s);
	} else if (strcmp(root, "ServiceList") == 0) {
		struct dvbi_list l;

		if ((r = dvbi_parse(buf, len, &l, err, errlen)) == 0)
			dvbi_list_free(&l);
	} else if (strcmp(root, "NIPContentGuideManifest") == 0) {
		r = 0;	/* well-formed is all the gateway needs of it yet */
	}
	return r == 0 ? root : NULL;
}

/* Every *.xml of dir parses; returns how many, or -1 if dir is absent. */
static int
check_dir(const char *dir)
{
	struct dirent *e;
	char path[1024], err[256];
	int n = 0;
	DIR *d = opendir(dir);

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name), len = 0;
		const char *root;
		char *buf;

		if (l < 5 || strcmp(e->d_name + l - 4, ".xml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		buf = sample_read(path, &len);
		CHECK(buf != NULL);
		if (buf == NULL)
			continue;
		err[0] = '\0';
		root = parse_by_root(buf, len, err, sizeof(err));
		CHECK(root != NULL);
		fprintf(stderr, "  %-48s %s\n", e->d_name,
		    root != NULL ? root : err);
		free(buf);
		n++;
	}
	closedir(d);
	return n;
}

static void
test_ses(void)
{
	int n = check_dir(SAMPLE_SES);

	if (n < 0 && sample_skip("every sample parses"))
		return;
	/* bootstrap, nif, sif, slep, three lists, cg-manifest (ls *.xml). */
	CHECK_EQ_U(n, 8);
}

static void
test_servicelists(void)
{
	int n = check_dir(SAMPLE_SL);

	if (n < 0 && sample_skip("every sample parses"))
		return;
	CHECK(n >= 9);
}

TEST_MAIN(TEST(test_ses), TEST(test_servicelists))
