/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mgc.c: fuzz target for the DVB-MABR multicast gateway configuration
 * parser (dvb-i/mgc.c, mgc_ts.c): the NIP bootstrap and the full
 * gateway configuration, and the lookups made on the result.
 *
 * Invariants: the MGC_MAX_* bounds hold; each service's sessions lie
 * inside the session table and name it back; gateway sessions belong to
 * no service; mgc_service_find finds each service by its id.
 */
#include "fuzz.h"
#include "../../dvb-i/mgc.h"

static void
fuzz_mgc_ts(const struct mgc *m, const struct mgc_ts *t)
{
	size_t i;

	FUZZ_CHECK(t->nendpoints <= MGC_MAX_EP);
	FUZZ_CHECK(t->nfec <= MGC_MAX_FEC);
	FUZZ_CHECK(t->nlocators <= MGC_MAX_LOCATORS);
	FUZZ_CHECK(t->nrefs <= MGC_MAX_REFS);
	FUZZ_CHECK(t->ncomponents <= MGC_MAX_COMPONENTS);
	FUZZ_CHECK(t->repair.nbase <= MGC_MAX_BASEURL);
	FUZZ_CHECK(t->nlocators == 0 || t->locators != NULL);
	FUZZ_CHECK(t->nrefs == 0 || t->refs != NULL);
	FUZZ_CHECK(t->ncomponents == 0 || t->components != NULL);
	FUZZ_CHECK(t->proto <= MGC_PROTO_ROUTE);
	FUZZ_CHECK(t->security <= MGC_SEC_INTEGRITY_AUTH);
	if (t->gateway)
		FUZZ_CHECK(t->service == -1);
	else
		FUZZ_CHECK(t->service >= 0 &&
		    (size_t)t->service < m->nservices);
	for (i = 0; i < t->nendpoints; i++)
		FUZZ_CHECK(FUZZ_STRZ(t->endpoints[i].source) &&
		    FUZZ_STRZ(t->endpoints[i].group));
	for (i = 0; i < t->nfec; i++)
		FUZZ_CHECK(FUZZ_STRZ(t->fec[i].endpoint.group));
	for (i = 0; i < t->repair.nbase; i++)
		FUZZ_CHECK(t->repair.base[i].url != NULL);
	for (i = 0; i < t->nlocators; i++)
		FUZZ_CHECK(t->locators[i].uri != NULL);
	for (i = 0; i < t->ncomponents; i++)
		FUZZ_CHECK(t->components[i].kind <= MGC_COMP_HLS);
}

static void
fuzz_mgc_service(const struct mgc *m, size_t k)
{
	const struct mgc_service *s = &m->services[k];
	const struct mgc_service *f;
	size_t i;

	FUZZ_CHECK(s->npml <= MGC_MAX_PML);
	FUZZ_CHECK(s->first_ts <= m->nts && s->nts <= m->nts - s->first_ts);
	for (i = s->first_ts; i < s->first_ts + s->nts; i++)
		FUZZ_CHECK(m->ts[i].service == (int)k && !m->ts[i].gateway);
	if (s->id == NULL)
		return;
	f = mgc_service_find(m, s->id);
	FUZZ_CHECK(f != NULL && f <= s && strcmp(f->id, s->id) == 0);
	for (i = s->first_ts; i < s->first_ts + s->nts; i++)
		(void)mgc_ts_serves(&m->ts[i], s->id);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mgc m;
	char err[160];
	size_t i;

	err[0] = '\0';
	if (mgc_parse(data, size, &m, err, sizeof(err)) != 0) {
		FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)));
		return 0;
	}
	FUZZ_CHECK(FUZZ_STRZ(m.ns));
	FUZZ_CHECK(m.nts <= MGC_MAX_TS && m.nservices <= MGC_MAX_SERVICES);
	FUZZ_CHECK(m.nts == 0 || m.ts != NULL);
	FUZZ_CHECK(m.nservices == 0 || m.services != NULL);
	for (i = 0; i < m.nts; i++)
		fuzz_mgc_ts(&m, &m.ts[i]);
	for (i = 0; i < m.nservices; i++)
		fuzz_mgc_service(&m, i);
	FUZZ_CHECK(mgc_service_find(&m, "\x01no such service") == NULL);
	mgc_free(&m);
	return 0;
}
