/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_nipdoc.c: the NIF, SIF and SLEP parsers on the real SES 19.2E
 * signalling and the DVB SLEP registries, field by field, and the same
 * documents rewritten with an ns2: prefix, other namespace years and a
 * prefix made the default, which must parse to the same values.  Hostile
 * input (entities, limits, wrong roots, missing parts, over-long texts,
 * truncation, byte flips) is in test_nipdoc_hostile.c.
 *
 * Expected counts were taken independently of this parser:
 *   grep -c '<URI>' sif.xml                        -> 56 (53 + 3)
 *   python3 ElementTree, len(bms.findall('.//{*}URI')) per stream -> 53, 3
 *   python3 ElementTree over ProviderOffering/ServiceListOffering:
 *     slep.xml 3, slepr-master.xml 10, slepr-main.xml 8 offerings
 *   python3 calendar.timegm("2025-01-10T11:36:58") * 1000 -> 1736509018000
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../dvb-i/nipdoc.h"
#include "../../dvb-i/xmlu.h"
#include "test.h"
#include "sample_harness.h"

#define NS24	"urn:dvb:metadata:nativeip:2024"
#define SLD24	"urn:dvb:metadata:servicelistdiscovery:2024"
#define SES_MS	1736509018000LL

static char err[256];

/* A whole sample file, or NULL after a SKIP line if it cannot be read. */
static char *
load(const char *path, size_t *len)
{
	char *b = sample_read(path, len);

	if (b == NULL)
		sample_skip(path);
	return b;
}

/* s with every "from" replaced by "to" (malloc'd). */
static char *
replace(const char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0;
	const char *p;
	char *out, *o;

	for (p = s; (p = strstr(p, from)) != NULL; p += fl)
		n++;
	o = out = malloc(strlen(s) + n * tl + 1);
	if (out == NULL)
		return NULL;
	while ((p = strstr(s, from)) != NULL) {
		memcpy(o, s, (size_t)(p - s));
		o += p - s;
		memcpy(o, to, tl);
		o += tl;
		s = p + fl;
	}
	strcpy(o, s);
	return out;
}

/* s with "ns2:" put before every element name that has no prefix. */
static char *
prefix_elements(const char *s)
{
	char *out = malloc(strlen(s) * 2 + 1), *o = out;
	size_t n;

	if (out == NULL)
		return NULL;
	while (*s != '\0') {
		*o++ = *s;
		if (*s++ != '<')
			continue;
		if (*s == '/')
			*o++ = *s++;
		n = strcspn(s, " \t\r\n/>");
		if (((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) &&
		    memchr(s, ':', n) == NULL) {
			memcpy(o, "ns2:", 4);
			o += 4;
		}
	}
	*o = '\0';
	return out;
}

static void
test_nif_ses(void)
{
	const struct nif_stream *s;
	const struct nif_network *w;
	struct nif n;
	size_t len;
	char *b;

	if ((b = load(SAMPLE_SES "/nif.xml", &len)) == NULL)
		return;
	CHECK(nif_parse(b, len, &n, err, sizeof(err)) == 0);
	free(b);
	REQUIRE(n.nnetworks == 1);
	CHECK(strcmp(n.version, "2025-01-10T11:36:58Z") == 0);
	CHECK(n.version_ms == SES_MS);
	CHECK(strcmp(n.type, "Physical Network") == 0);
	CHECK(n.truncated == 0);
	w = &n.networks[0];
	CHECK(w->actual == 1 && w->east == 1 && w->network_id == 1);
	CHECK(strcmp(w->name, "SES") == 0 && strcmp(w->provider, "SES") == 0);
	CHECK(strcmp(w->type, "Satellite") == 0);
	CHECK(strcmp(w->orbital_position, "19.2") == 0);
	REQUIRE(w->nstreams == 2);
	s = &w->streams[0];
	CHECK_EQ_U(s->carrier_id, 1045);
	CHECK(s->link_id == 1 && s->service_id == 0);
	CHECK(strcmp(s->link_layer, "GSE-Lite") == 0);
	CHECK(strcmp(s->provider, "SES") == 0);
	CHECK(s->bootstrap == 1);
	CHECK(strcmp(s->bootstrap_type, "Physical Network") == 0);
	CHECK(strcmp(s->status, "Active") == 0);
	CHECK(s->delivery.present == 1 && s->delivery.s2x == 1);
	CHECK_EQ_U(s->delivery.frequency, 1114100);
	CHECK_EQ_U(s->delivery.symbol_rate, 23500);
	CHECK(strcmp(s->delivery.polarization, "horizontal") == 0);
	CHECK(strcmp(s->delivery.roll_off, "0.20") == 0);
	CHECK(strcmp(s->delivery.s2x_mode, "S2X") == 0);
	CHECK(strcmp(s->delivery.profiles, "Broadcast services") == 0);
	CHECK(s->delivery.modulation[0] == '\0' && s->delivery.fec[0] == '\0');
	CHECK(s->delivery.isi == 0);
	s = &w->streams[1];
	CHECK_EQ_U(s->carrier_id, 1102);
	CHECK(strcmp(s->bootstrap_type, "Commercial Operator") == 0);
	CHECK_EQ_U(s->delivery.frequency, 1244100);
	CHECK_EQ_U(s->delivery.symbol_rate, 27500);
	CHECK(strcmp(s->delivery.polarization, "vertical") == 0);
	nif_free(&n);
	CHECK(n.networks == NULL && n.nnetworks == 0);
	nif_free(&n);		/* a second free is harmless */
}

/* Index of uri in m, or -1. */
static long
find_uri(const struct sif_media *m, const char *uri)
{
	size_t i;

	for (i = 0; i < m->nuris; i++)
		if (strcmp(m->uris[i], uri) == 0)
			return (long)i;
	return -1;
}

static void
test_sif_ses(void)
{
	const struct sif_media *m;
	struct sif s;
	size_t len;
	char *b;

	if ((b = load(SAMPLE_SES "/sif.xml", &len)) == NULL)
		return;
	CHECK(sif_parse(b, len, &s, err, sizeof(err)) == 0);
	free(b);
	REQUIRE(s.nmedia == 2);
	CHECK(strcmp(s.version, "2025-01-10T11:36:58Z") == 0);
	CHECK(s.version_ms == SES_MS);
	CHECK(strcmp(s.provider, "SES") == 0 && s.truncated == 0);
	m = &s.media[0];
	CHECK(m->network_id == 1 && m->carrier_id == 1045 &&
	    m->link_id == 1 && m->service_id == 0);
	CHECK_EQ_U(m->nuris, 53);
	CHECK_EQ_U(s.media[1].nuris, 3);
	CHECK_EQ_U(m->nuris + s.media[1].nuris, 56);
	CHECK(m->napps == 0);
	CHECK(strcmp(m->uris[0], "http://dvb.gw/ses.com/dvbi/cg/CoreSet") == 0);
	CHECK(find_uri(m, "http://dvb.gw/ses.com/livesim2/B1/playlist.m3u8") ==
	    8);
	CHECK(find_uri(m, "http://dvb.gw/ses.com/dvbi/service_list_tp1045.xml")
	    == 13);
	/* Percent-encoded UTF-8 is kept exactly as written. */
	CHECK(find_uri(m, "http://dvb.gw/ses.com/private/pdf/"
	    "Su%CC%88ddeutsche%20Zeitung.pdf") >= 0);
	CHECK(strcmp(m->uris[52], "http://dvb.gw/ses.com/livesim2/C1/"
	    "Manifest.mpd") == 0);
	m = &s.media[1];
	CHECK(m->network_id == 1 && m->carrier_id == 1102);
	CHECK(find_uri(m, "http://dvb.gw/inverto.tv/s2/5G-EMERGE/Live/hls/"
	    "RaiScuola/RaiScuola.m3u8") == 1);
	sif_free(&s);
	CHECK(s.media == NULL && s.nmedia == 0);
}

static void
check_ses_slep(const struct slep *p)
{
	static const char *const uris[3] = {
		"http://dvb.gw/ses.com/dvbi/service_list_full.xml",
		"http://dvb.gw/ses.com/private/dvbi/"
		    "service_list_ses_private.xml",
		"http://dvb.gw/ses.com/dvbi/service_list_tp1045.xml",
	};
	static const char *const ids[3] = {
		"tag:ses.com,2024:DVB-NIP_SES_Network",
		"tag:ses.com,2024:DVB-NIP_Offline_Content",
		"tag:ses.com,2024:DVB-NIP_TP1045",
	};
	size_t i;

	CHECK(strcmp(p->registry_name, "SES DVB-NIP") == 0);
	REQUIRE(p->noffers == 3);
	for (i = 0; i < 3; i++) {
		CHECK(strcmp(p->offers[i].uri, uris[i]) == 0);
		CHECK(p->offers[i].list_id != NULL &&
		    strcmp(p->offers[i].list_id, ids[i]) == 0);
		CHECK(strcmp(p->offers[i].provider, "SES") == 0);
		CHECK(strcmp(p->offers[i].content_type,
		    "application/xml") == 0);
		CHECK(p->offers[i].regulator == 0);
	}
	CHECK(strcmp(p->offers[2].list_name, "DVB-NIP TP1045") == 0);
}

static void
test_slep_ses(void)
{
	struct slep p;
	size_t len;
	char *b;

	if ((b = load(SAMPLE_SES "/slep.xml", &len)) == NULL)
		return;
	CHECK(slep_parse(b, len, &p, err, sizeof(err)) == 0);
	free(b);
	CHECK(strcmp(p.ns, SLD24) == 0 && p.truncated == 0);
	check_ses_slep(&p);
	slep_free(&p);
	CHECK(p.offers == NULL && p.noffers == 0);
}

static void
test_slep_registries(void)
{
	struct slep p;
	size_t len;
	char *b;

	if ((b = load(SAMPLE_SL "/slepr-master.xml", &len)) != NULL) {
		CHECK(slep_parse(b, len, &p, err, sizeof(err)) == 0);
		free(b);
		CHECK(strcmp(p.ns,
		    "urn:dvb:metadata:servicelistdiscovery:2026") == 0);
		CHECK(strcmp(p.registry_name, "DVB") == 0);
		CHECK_EQ_U(p.noffers, 10);
		if (p.noffers == 10) {
			/* The first of two ServiceListName is kept. */
			CHECK(strcmp(p.offers[0].list_name, "DVB-I Reference "
			    "Client default service list") == 0);
			CHECK(strcmp(p.offers[0].provider,
			    "DVB default list") == 0);
			CHECK(strcmp(p.offers[7].provider, "BMT") == 0);
			/* White space around the URI text is trimmed. */
			CHECK(strcmp(p.offers[9].uri, "https://www.satip.info/"
			    "sites/satip/files/files/ASTRA_28_2_E.xml") == 0);
			CHECK(strcmp(p.offers[9].list_id,
			    "tag:ses.org,2024:astra_28.2") == 0);
		}
		slep_free(&p);
	}
	if ((b = load(SAMPLE_SL "/slepr-main.xml", &len)) != NULL) {
		CHECK(slep_parse(b, len, &p, err, sizeof(err)) == 0);
		free(b);
		CHECK(strcmp(p.ns, SLD24) == 0);
		CHECK_EQ_U(p.noffers, 8);
		if (p.noffers == 8) {
			CHECK(p.offers[0].regulator == 1);
			CHECK(strcmp(p.offers[0].provider, "AGCOM") == 0);
			CHECK(p.offers[1].regulator == 0);
			/* Of two ServiceListURI, the first. */
			CHECK(strcmp(p.offers[3].uri, "http://www.british-"
			    "service-list-provider.co.uk/documentaries.xml")
			    == 0);
			CHECK(strcmp(p.offers[5].list_name,
			    "DVB-I Reference Client service list") == 0);
			CHECK(strcmp(p.offers[7].list_id, "image-ref111") == 0);
		}
		slep_free(&p);
	}
}

/* 1 if two NIFs hold the same values. */
static int
nif_same(const struct nif *a, const struct nif *b)
{
	size_t i;

	if (strcmp(a->version, b->version) || a->version_ms != b->version_ms ||
	    strcmp(a->type, b->type) || a->nnetworks != b->nnetworks)
		return 0;
	for (i = 0; i < a->nnetworks; i++) {
		const struct nif_network *x = &a->networks[i];
		const struct nif_network *y = &b->networks[i];

		if (x->actual != y->actual || strcmp(x->name, y->name) ||
		    strcmp(x->provider, y->provider) || x->east != y->east ||
		    strcmp(x->orbital_position, y->orbital_position) ||
		    x->network_id != y->network_id ||
		    x->nstreams != y->nstreams ||
		    memcmp(x->streams, y->streams,
		    x->nstreams * sizeof(*x->streams)) != 0)
			return 0;
	}
	return 1;
}

static int
sif_same(const struct sif *a, const struct sif *b)
{
	size_t i, j;

	if (strcmp(a->version, b->version) || a->version_ms != b->version_ms ||
	    strcmp(a->provider, b->provider) || a->nmedia != b->nmedia)
		return 0;
	for (i = 0; i < a->nmedia; i++) {
		const struct sif_media *x = &a->media[i], *y = &b->media[i];

		if (x->network_id != y->network_id ||
		    x->carrier_id != y->carrier_id ||
		    x->link_id != y->link_id ||
		    x->service_id != y->service_id ||
		    x->nuris != y->nuris || x->napps != y->napps)
			return 0;
		for (j = 0; j < x->nuris; j++)
			if (strcmp(x->uris[j], y->uris[j]) != 0)
				return 0;
	}
	return 1;
}

/* The SES NIF and SIF with an ns2: prefix and the 2023 namespace. */
static void
test_prefixed_nip(void)
{
	static const char *const files[2] = {
		SAMPLE_SES "/nif.xml", SAMPLE_SES "/sif.xml",
	};
	struct nif n1, n2;
	struct sif s1, s2;
	char *b, *r1, *r2;
	size_t len, i;

	for (i = 0; i < 2; i++) {
		if ((b = load(files[i], &len)) == NULL)
			continue;
		r1 = replace(b, "xmlns=\"" NS24 "\"",
		    "xmlns:ns2=\"urn:dvb:metadata:nativeip:2023\"");
		REQUIRE(r1 != NULL && strcmp(r1, b) != 0);
		r2 = prefix_elements(r1);
		REQUIRE(r2 != NULL);
		CHECK(strstr(r2, "<ns2:VersionUpdate>") != NULL);
		if (i == 0) {
			CHECK(nif_parse(b, len, &n1, err, sizeof(err)) == 0);
			CHECK(nif_parse(r2, strlen(r2), &n2, err,
			    sizeof(err)) == 0);
			CHECK(n2.nnetworks == 1 && nif_same(&n1, &n2));
			nif_free(&n1);
			nif_free(&n2);
		} else {
			CHECK(sif_parse(b, len, &s1, err, sizeof(err)) == 0);
			CHECK(sif_parse(r2, strlen(r2), &s2, err,
			    sizeof(err)) == 0);
			CHECK(s2.nmedia == 2 && sif_same(&s1, &s2));
			sif_free(&s1);
			sif_free(&s2);
		}
		free(r1);
		free(r2);
		free(b);
	}
}

/*
 * The SES SLEP with an ns2: prefix and the 2019 namespace, once with the
 * types in their own namespace, once with them in the main one (the
 * pre-2024 form), and a registry with its sld: prefix made the default.
 */
static void
test_prefixed_slep(void)
{
	char *b, *r1, *r2, *r3, *r4;
	struct slep p;
	size_t len;

	if ((b = load(SAMPLE_SES "/slep.xml", &len)) == NULL)
		return;
	r1 = replace(b, "xmlns=\"" SLD24 "\"", "xmlns:ns2=\"urn:dvb:metadata:"
	    "servicelistdiscovery:2019\"");
	r2 = prefix_elements(r1);
	r3 = replace(r2, "<dvbi-types:", "<ns2:");
	r4 = replace(r3, "</dvbi-types:", "</ns2:");
	REQUIRE(r4 != NULL && strstr(r4, "<ns2:URI>") != NULL);
	CHECK(slep_parse(r2, strlen(r2), &p, err, sizeof(err)) == 0);
	CHECK(strcmp(p.ns, "urn:dvb:metadata:servicelistdiscovery:2019") == 0);
	check_ses_slep(&p);
	slep_free(&p);
	CHECK(slep_parse(r4, strlen(r4), &p, err, sizeof(err)) == 0);
	check_ses_slep(&p);
	slep_free(&p);
	free(b);
	free(r1);
	free(r2);
	free(r3);
	free(r4);
	if ((b = load(SAMPLE_SL "/slepr-master.xml", &len)) == NULL)
		return;
	r1 = replace(b, "sld:", "");
	r2 = replace(r1, "xmlns:sld=", "xmlns=");
	CHECK(r2 != NULL && strstr(r2, "xmlns=\"urn:dvb") != NULL);
	CHECK(slep_parse(r2, strlen(r2), &p, err, sizeof(err)) == 0);
	CHECK_EQ_U(p.noffers, 10);
	slep_free(&p);
	free(r1);
	free(r2);
	free(b);
}

TEST_MAIN(TEST(test_nif_ses), TEST(test_sif_ses), TEST(test_slep_ses),
    TEST(test_slep_registries), TEST(test_prefixed_nip),
    TEST(test_prefixed_slep))
