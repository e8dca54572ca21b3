/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dvbi.c: fuzz target for the DVB-I service list parser (dvb-i/dvbi.c,
 * dvbi_svc.c) and the lookups the daemon runs on a parsed list (LCN per
 * region, service names, the playable instance).
 *
 * Invariants: the DVBI_MAX_* bounds hold, every pointer a count covers
 * is set, every region's parent is another region's id, and the lookups
 * return members of the list.
 */
#include "fuzz.h"
#include "../../dvb-i/dvbi.h"

static void
fuzz_dvbi_service(const struct dvbi_list *l, const struct dvbi_service *s)
{
	const struct dvbi_instance *in;
	size_t i;

	FUZZ_CHECK(s->nnames <= DVBI_MAX_NAMES);
	FUZZ_CHECK(s->ngenres <= DVBI_MAX_GENRES);
	FUZZ_CHECK(s->ninstances <= DVBI_MAX_INSTANCES);
	for (i = 0; i < s->nnames; i++)
		FUZZ_CHECK(s->names[i].text != NULL);
	for (i = 0; i < s->ngenres; i++)
		FUZZ_CHECK(s->genres[i] != NULL);
	for (i = 0; i < s->ninstances; i++)
		FUZZ_CHECK(s->instances[i].kind <= DVBI_KIND_DVBC);
	if (s->nnames > 0) {
		FUZZ_CHECK(dvbi_service_name(s, NULL) == s->names[0].text);
		FUZZ_CHECK(dvbi_service_name(s, "en") != NULL);
	}
	for (i = 0; i < 2; i++) {
		in = dvbi_playable(s, (int)i);
		FUZZ_CHECK(in == NULL || (in >= s->instances &&
		    in < s->instances + s->ninstances));
	}
	if (s->id != NULL) {
		const struct dvbi_lcn *lcn = dvbi_lcn_for(l, s->id, NULL);

		FUZZ_CHECK(lcn == NULL || (lcn->service_ref != NULL &&
		    strcmp(lcn->service_ref, s->id) == 0));
	}
}

static int
fuzz_dvbi_region_known(const struct dvbi_list *l, const char *id)
{
	size_t i;

	for (i = 0; i < l->nregions; i++)
		if (l->regions[i].id != NULL && strcmp(l->regions[i].id, id) == 0)
			return 1;
	return 0;
}

static void
fuzz_dvbi_list(const struct dvbi_list *l)
{
	size_t i, j;

	FUZZ_CHECK(FUZZ_STRZ(l->ns));
	FUZZ_CHECK(l->nservices <= DVBI_MAX_SERVICES);
	FUZZ_CHECK(l->ntables <= DVBI_MAX_TABLES);
	FUZZ_CHECK(l->nregions <= DVBI_MAX_REGIONS);
	FUZZ_CHECK(l->nservices == 0 || l->services != NULL);
	FUZZ_CHECK(l->ntables == 0 || l->tables != NULL);
	FUZZ_CHECK(l->nregions == 0 || l->regions != NULL);
	for (i = 0; i < l->nservices; i++)
		fuzz_dvbi_service(l, &l->services[i]);
	for (i = 0; i < l->ntables; i++) {
		FUZZ_CHECK(l->tables[i].nlcns <= DVBI_MAX_LCNS);
		FUZZ_CHECK(l->tables[i].nlcns == 0 || l->tables[i].lcns);
		FUZZ_CHECK(l->tables[i].nregions == 0 || l->tables[i].regions);
		for (j = 0; j < l->tables[i].nlcns; j++)
			FUZZ_CHECK(l->tables[i].lcns[j].service_ref != NULL);
	}
	for (i = 0; i < l->nregions; i++) {
		FUZZ_CHECK(l->regions[i].id != NULL);
		if (l->regions[i].parent != NULL)
			FUZZ_CHECK(fuzz_dvbi_region_known(l,
			    l->regions[i].parent));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dvbi_list l;
	char err[160];

	err[0] = '\0';
	if (dvbi_parse(data, size, &l, err, sizeof(err)) != 0) {
		FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)));
		return 0;
	}
	fuzz_dvbi_list(&l);
	if (l.nregions > 0 && l.nservices > 0 && l.services[0].id != NULL)
		(void)dvbi_lcn_for(&l, l.services[0].id, l.regions[0].id);
	dvbi_list_free(&l);
	return 0;
}
