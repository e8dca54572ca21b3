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
#include "../../dvb-i/dvbi.h"
#include "../../dvb-i/mgc.h"
#include "../../dvb-i/nipdoc.h"
#include "../../dvb-i/xmlu.h"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) != NULL &&
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		*len = (size_t)n;
	fclose(f);
	return buf;
}

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
		buf = slurp(path, &len);
		CHECK(buf != NULL);
		if (buf == NULL)
			continue;
		err[0] = '\0';
		root = parse_by_root(buf, len, err, sizeof(err));
		CHECK(root != NULL);
		printf("  %-48s %s\n", e->d_name, root != NULL ? root : err);
		free(buf);
		n++;
	}
	closedir(d);
	return n;
}

static void
test_ses(void)
{
	int n = check_dir("../shared/data/nip/ses-19.2e");

	if (n < 0) {
		printf("SKIP: ../shared/data not present\n");
		return;
	}
	/* bootstrap, nif, sif, slep, three lists, cg-manifest (ls *.xml). */
	CHECK_EQ_U(n, 8);
}

static void
test_servicelists(void)
{
	int n = check_dir("../shared/data/dvb-i/servicelists");

	if (n < 0) {
		printf("SKIP: ../shared/data not present\n");
		return;
	}
	CHECK(n >= 9);
}

TEST_MAIN(TEST(test_ses), TEST(test_servicelists))
