/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipdoc.c: fuzz target for the DVB-NIP document parsers of
 * dvb-i/nipdoc.c.  The first byte picks the kind (0: the Network
 * Information File, 1: the Service Information File, 2: the Service List
 * Entry Points; modulo 3), the rest is the XML.
 *
 * Invariants: a parse that succeeds stays within the NIPDOC_MAX_* bounds,
 * every fixed-size string is terminated, every list pointer is set, and
 * a failed parse writes a terminated message.
 */
#include "fuzz.h"
#include "../../dvb-i/nipdoc.h"

static void
fuzz_nif_stream(const struct nif_stream *s)
{
	FUZZ_CHECK(FUZZ_STRZ(s->link_layer) && FUZZ_STRZ(s->provider));
	FUZZ_CHECK(FUZZ_STRZ(s->bootstrap_type) && FUZZ_STRZ(s->status));
	FUZZ_CHECK(s->bootstrap <= 1);
	FUZZ_CHECK(FUZZ_STRZ(s->delivery.polarization) &&
	    FUZZ_STRZ(s->delivery.modulation) &&
	    FUZZ_STRZ(s->delivery.roll_off) && FUZZ_STRZ(s->delivery.fec) &&
	    FUZZ_STRZ(s->delivery.s2x_mode) &&
	    FUZZ_STRZ(s->delivery.profiles));
}

static void
fuzz_nif(const struct nif *n)
{
	size_t i, j;

	FUZZ_CHECK(FUZZ_STRZ(n->version) && FUZZ_STRZ(n->type));
	FUZZ_CHECK(n->nnetworks <= NIPDOC_MAX_NETWORKS);
	FUZZ_CHECK(n->nnetworks == 0 || n->networks != NULL);
	for (i = 0; i < n->nnetworks; i++) {
		const struct nif_network *w = &n->networks[i];

		FUZZ_CHECK(FUZZ_STRZ(w->type) && FUZZ_STRZ(w->name) &&
		    FUZZ_STRZ(w->provider) &&
		    FUZZ_STRZ(w->orbital_position));
		FUZZ_CHECK(w->nstreams <= NIPDOC_MAX_STREAMS);
		FUZZ_CHECK(w->nstreams == 0 || w->streams != NULL);
		for (j = 0; j < w->nstreams; j++)
			fuzz_nif_stream(&w->streams[j]);
	}
}

static void
fuzz_sif(const struct sif *s)
{
	size_t i, j;

	FUZZ_CHECK(FUZZ_STRZ(s->version) && FUZZ_STRZ(s->provider));
	FUZZ_CHECK(s->nmedia <= NIPDOC_MAX_MEDIA);
	FUZZ_CHECK(s->nmedia == 0 || s->media != NULL);
	for (i = 0; i < s->nmedia; i++) {
		FUZZ_CHECK(s->media[i].nuris <= NIPDOC_MAX_URIS);
		FUZZ_CHECK(s->media[i].nuris == 0 || s->media[i].uris != NULL);
		for (j = 0; j < s->media[i].nuris; j++)
			FUZZ_CHECK(s->media[i].uris[j] != NULL);
	}
}

static void
fuzz_slep(const struct slep *s)
{
	size_t i;

	FUZZ_CHECK(FUZZ_STRZ(s->ns) && FUZZ_STRZ(s->registry_name));
	FUZZ_CHECK(s->noffers <= NIPDOC_MAX_OFFERINGS);
	FUZZ_CHECK(s->noffers == 0 || s->offers != NULL);
	for (i = 0; i < s->noffers; i++)
		FUZZ_CHECK(s->offers[i].regulator <= 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[160];
	struct nif nif;
	struct sif sif;
	struct slep slep;
	int kind, rc = -1;

	if (size < 1)
		return 0;
	kind = data[0] % 3;
	data++;
	size--;
	err[0] = '\0';
	if (kind == 0 && (rc = nif_parse(data, size, &nif, err,
	    sizeof(err))) == 0) {
		fuzz_nif(&nif);
		nif_free(&nif);
	} else if (kind == 1 && (rc = sif_parse(data, size, &sif, err,
	    sizeof(err))) == 0) {
		fuzz_sif(&sif);
		sif_free(&sif);
	} else if (kind == 2 && (rc = slep_parse(data, size, &slep, err,
	    sizeof(err))) == 0) {
		fuzz_slep(&slep);
		slep_free(&slep);
	} else {
		FUZZ_CHECK(rc == -1);
		FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)));
	}
	return 0;
}
