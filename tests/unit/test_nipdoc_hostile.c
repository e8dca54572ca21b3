/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_nipdoc_hostile.c: the NIF, SIF and SLEP parsers on hostile input:
 * entity attacks (billion laughs, external entities, XInclude), depth and
 * size limits, bad arguments, wrong roots and namespaces, missing or bad
 * parts, over-long texts cut on a character boundary, more items than the
 * NIPDOC_MAX_* bounds, every real sample truncated at 37-byte steps and a
 * seeded byte-flip loop over them.  Every successful parse is checked
 * against the invariants below; nothing may crash or leak.  The real
 * documents parsed field by field are in test_nipdoc.c.
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

#define FIXED_OK(a)	(strnlen((a), sizeof(a)) < sizeof(a) && utf8_ok(a))

enum kind { K_NIF, K_SIF, K_SLEP };

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

/* 1 if s is well-formed UTF-8 (the cut never splits a character). */
static int
utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int more;

	while (*p != '\0') {
		more = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 :
		    (*p & 0xf0) == 0xe0 ? 2 : (*p & 0xf8) == 0xf0 ? 3 : -1;
		if (more < 0)
			return 0;
		for (p++; more > 0; more--, p++)
			if ((*p & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

/* A document built with printf-style pieces (open_memstream). */
struct doc {
	char	*buf;
	size_t	len;
	FILE	*f;
};

static void
doc_open(struct doc *d)
{
	d->buf = NULL;
	d->len = 0;
	d->f = open_memstream(&d->buf, &d->len);
}

static void
doc_close(struct doc *d)
{
	fclose(d->f);
}

#define NIF_HEAD "<NetworkInformationFile xmlns=\"" NS24 "\">"
#define NIF_TAIL "</NetworkInformationFile>"
#define ABN(x) "<ActualBroadcastNetwork>" x "</ActualBroadcastNetwork>"
#define SIF_HEAD "<ServiceInformationFile xmlns=\"" NS24 "\">"
#define SIF_TAIL "</ServiceInformationFile>"
#define SLEP_HEAD "<ServiceListEntryPoints xmlns=\"" SLD24 "\">"
#define SLEP_TAIL "</ServiceListEntryPoints>"

static int
nif_str(const char *s, struct nif *n)
{
	return nif_parse(s, strlen(s), n, err, sizeof(err));
}

/* Invariants that every successful parse must keep. */
static void
nif_invariants(const struct nif *n)
{
	size_t i, j;

	CHECK(n->nnetworks >= 1 && n->nnetworks <= NIPDOC_MAX_NETWORKS);
	CHECK(n->networks != NULL && n->networks[0].actual == 1);
	CHECK(FIXED_OK(n->version) && FIXED_OK(n->type));
	for (i = 0; n->networks != NULL && i < n->nnetworks; i++) {
		const struct nif_network *w = &n->networks[i];

		CHECK(w->nstreams <= NIPDOC_MAX_STREAMS);
		CHECK(w->network_id <= 65280);
		CHECK(FIXED_OK(w->name) && FIXED_OK(w->provider) &&
		    FIXED_OK(w->type) && FIXED_OK(w->orbital_position));
		for (j = 0; j < w->nstreams; j++) {
			const struct nif_stream *s = &w->streams[j];

			CHECK(FIXED_OK(s->link_layer) &&
			    FIXED_OK(s->provider) &&
			    FIXED_OK(s->bootstrap_type) &&
			    FIXED_OK(s->status) &&
			    FIXED_OK(s->delivery.roll_off) &&
			    FIXED_OK(s->delivery.profiles));
			CHECK(s->carrier_id <= 65535 && s->link_id <= 65535);
		}
	}
}

static void
sif_invariants(const struct sif *s)
{
	size_t i, j;

	CHECK(s->nmedia <= NIPDOC_MAX_MEDIA);
	CHECK(FIXED_OK(s->version) && FIXED_OK(s->provider));
	for (i = 0; i < s->nmedia; i++) {
		CHECK(s->media[i].nuris <= NIPDOC_MAX_URIS);
		for (j = 0; j < s->media[i].nuris; j++)
			CHECK(s->media[i].uris[j] != NULL &&
			    s->media[i].uris[j][0] != '\0');
	}
}

static void
slep_invariants(const struct slep *s)
{
	size_t i;

	CHECK(s->noffers <= NIPDOC_MAX_OFFERINGS);
	CHECK(FIXED_OK(s->ns) && FIXED_OK(s->registry_name));
	for (i = 0; i < s->noffers; i++) {
		const struct slep_offering *o = &s->offers[i];

		CHECK(o->uri != NULL && o->uri[0] != '\0');
		CHECK(o->list_name != NULL && o->content_type != NULL &&
		    o->provider != NULL);
		CHECK(o->regulator <= 1);
	}
}

/* Parse with the parser of kind k, check invariants, free; the result. */
static int
parse_any(enum kind k, const void *b, size_t len)
{
	struct nif n;
	struct sif s;
	struct slep p;
	int rc;

	switch (k) {
	case K_NIF:
		if ((rc = nif_parse(b, len, &n, err, sizeof(err))) == 0)
			nif_invariants(&n);
		nif_free(&n);
		break;
	case K_SIF:
		if ((rc = sif_parse(b, len, &s, err, sizeof(err))) == 0)
			sif_invariants(&s);
		sif_free(&s);
		break;
	default:
		if ((rc = slep_parse(b, len, &p, err, sizeof(err))) == 0)
			slep_invariants(&p);
		slep_free(&p);
		break;
	}
	if (rc < 0)
		CHECK(err[0] != '\0');
	return rc;
}

static void
test_entities_and_limits(void)
{
	static const char laughs[] = "<?xml version=\"1.0\"?>"
	    "<!DOCTYPE NetworkInformationFile [<!ENTITY a \"aaaaaaaaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
	    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]>"
	    NIF_HEAD ABN("<NetworkName>&d;</NetworkName>") NIF_TAIL;
	static const char xxe[] = "<?xml version=\"1.0\"?>"
	    "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
	    NIF_HEAD ABN("<NetworkName>&e;</NetworkName>") NIF_TAIL;
	static const char xinc[] = NIF_HEAD ABN("<NetworkName>"
	    "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" "
	    "href=\"file:///etc/passwd\" parse=\"text\"/>x</NetworkName>")
	    NIF_TAIL;
	struct nif n;
	struct doc d;
	char *big;
	int i;

	CHECK(nif_str(laughs, &n) == -1 && n.networks == NULL);
	CHECK(nif_str(xxe, &n) == -1 && strstr(err, "DOCTYPE") != NULL);
	/* XInclude is never processed: the name is just "x". */
	CHECK(nif_str(xinc, &n) == 0 && strcmp(n.networks[0].name, "x") == 0);
	nif_free(&n);
	for (i = 0; i < 2; i++) {
		int depth = i == 0 ? 40 : 200, k;

		doc_open(&d);
		fputs(NIF_HEAD "<ActualBroadcastNetwork>", d.f);
		for (k = 0; k < depth; k++)
			fputs("<a>", d.f);
		for (k = 0; k < depth; k++)
			fputs("</a>", d.f);
		fputs("</ActualBroadcastNetwork>" NIF_TAIL, d.f);
		doc_close(&d);
		CHECK(nif_parse(d.buf, d.len, &n, err, sizeof(err)) ==
		    (i == 0 ? 0 : -1));
		nif_free(&n);
		free(d.buf);
	}
	big = malloc(XMLU_MAX_BYTES + 1);
	REQUIRE(big != NULL);
	memset(big, ' ', XMLU_MAX_BYTES + 1);
	memcpy(big, NIF_HEAD ABN("") NIF_TAIL,
	    strlen(NIF_HEAD ABN("") NIF_TAIL));
	CHECK(nif_parse(big, XMLU_MAX_BYTES + 1, &n, err, sizeof(err)) == -1);
	CHECK(nif_parse(big, XMLU_MAX_BYTES, &n, err, sizeof(err)) == 0);
	nif_free(&n);
	free(big);
	/* No buffer, no room for the result, no room for the error. */
	CHECK(nif_parse(NULL, 10, &n, err, sizeof(err)) == -1);
	CHECK(sif_parse("<x/>", 0, NULL, err, sizeof(err)) == -1);
	CHECK(slep_parse("<x/>", 4, NULL, NULL, 0) == -1);
	CHECK(nif_parse("not xml", 7, &n, NULL, 0) == -1);
}

/* Every parser refuses every document that is not its own. */
static void
test_wrong_root_ns(void)
{
	static const struct {
		enum kind	k;
		const char	*doc;
		const char	*why;	/* expected in err */
	} cases[] = {
		{ K_NIF, SIF_HEAD SIF_TAIL, "root element" },
		{ K_NIF, SLEP_HEAD SLEP_TAIL, "root element" },
		{ K_SIF, NIF_HEAD ABN("") NIF_TAIL, "root element" },
		{ K_SLEP, NIF_HEAD ABN("") NIF_TAIL, "root element" },
		{ K_NIF, "<NetworkInformationFile xmlns=\"urn:dvb:metadata:"
		    "servicediscovery:2024\">" ABN("") NIF_TAIL, "namespace" },
		{ K_NIF, "<NetworkInformationFile>" ABN("") NIF_TAIL,
		    "namespace" },
		{ K_SIF, "<x:ServiceInformationFile xmlns:x=\"urn:dvb:metadata:"
		    "nativeipX:2024\"/>", "namespace" },
		{ K_SLEP, "<ServiceListEntryPoints xmlns=\"" NS24 "\"/>",
		    "namespace" },
		{ K_SLEP, "<ServiceListEntryPoints xmlns=\"urn:dvb:metadata:"
		    "servicediscovery:2024\"/>", "namespace" },
		{ K_SLEP, "<ServiceList xmlns=\"" SLD24 "\"/>",
		    "root element" },
		{ K_SIF, "", "empty" },
		{ K_SLEP, "<ServiceListEntryPoints xmlns=\"" SLD24 "\">",
		    "well-formed" },
		{ K_NIF, NIF_HEAD "<NetworkName>a</NIF>" NIF_TAIL,
		    "well-formed" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		CHECK(parse_any(cases[i].k, cases[i].doc,
		    strlen(cases[i].doc)) == -1);
		if (strstr(err, cases[i].why) == NULL)
			fprintf(stderr, "case %zu: err \"%s\"\n", i, err);
		CHECK(strstr(err, cases[i].why) != NULL);
	}
}

/* The behaviour chosen for absent or bad parts (see nipdoc.c). */
static void
test_nif_missing_parts(void)
{
	static const struct {
		const char	*id;	/* NIPNetworkID element, or "" */
		uint32_t	want;
	} ids[] = {
		{ "<NIPNetworkID>1</NIPNetworkID>", 1 },
		{ "<NIPNetworkID> 42 </NIPNetworkID>", 42 },
		{ "<NIPNetworkID>65280</NIPNetworkID>", 65280 },
		{ "<NIPNetworkID>65281</NIPNetworkID>", 0 },
		{ "<NIPNetworkID>0</NIPNetworkID>", 0 },
		{ "<NIPNetworkID>-1</NIPNetworkID>", 0 },
		{ "<NIPNetworkID>0x10</NIPNetworkID>", 0 },
		{ "<NIPNetworkID>99999999999999999999999</NIPNetworkID>", 0 },
		{ "", 0 },
	};
	struct nif n;
	struct doc d;
	size_t i;

	CHECK(nif_str(NIF_HEAD "<VersionUpdate>2025-01-10T11:36:58Z"
	    "</VersionUpdate>" NIF_TAIL, &n) == -1);
	CHECK(strstr(err, "no ActualBroadcastNetwork") != NULL);
	CHECK(n.networks == NULL && n.nnetworks == 0);
	CHECK(nif_str(NIF_HEAD "<OtherBroadcastNetwork/>" NIF_TAIL, &n) == -1);
	CHECK(strstr(err, "no ActualBroadcastNetwork") != NULL);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		doc_open(&d);
		fprintf(d.f, NIF_HEAD ABN("%s") NIF_TAIL, ids[i].id);
		doc_close(&d);
		CHECK(nif_parse(d.buf, d.len, &n, err, sizeof(err)) == 0);
		CHECK(n.nnetworks == 1 && n.networks[0].network_id ==
		    ids[i].want);
		nif_free(&n);
		free(d.buf);
	}
	/* No VersionUpdate, an Other before the Actual, DVB-S2, West. */
	CHECK(nif_str(NIF_HEAD "<VersionUpdate>soon</VersionUpdate>"
	    "<OtherBroadcastNetwork><NetworkName>O</NetworkName>"
	    "<SatellitePosition><OrbitalPosition>5.0</OrbitalPosition>"
	    "<West_East_flag>West</West_East_flag></SatellitePosition>"
	    "<NIPStream><NIPCarrierID>70000</NIPCarrierID>"
	    "<DVBS2_NIPDeliveryParameters><Frequency>1222616</Frequency>"
	    "<Modulation_Type>8PSK</Modulation_Type><FEC>3/4</FEC>"
	    "<input_stream_identifier>7</input_stream_identifier>"
	    "</DVBS2_NIPDeliveryParameters></NIPStream>"
	    "</OtherBroadcastNetwork>" ABN("<NetworkName>A</NetworkName>"
	    "<NIPStream/>") NIF_TAIL, &n) == 0);
	REQUIRE(n.nnetworks == 2);
	CHECK(strcmp(n.version, "soon") == 0 && n.version_ms == 0);
	CHECK(n.networks[0].actual == 1 && n.networks[1].actual == 0);
	CHECK(strcmp(n.networks[0].name, "A") == 0);
	CHECK(n.networks[0].nstreams == 1 &&
	    n.networks[0].streams[0].bootstrap == 0 &&
	    n.networks[0].streams[0].delivery.present == 0);
	CHECK(n.networks[1].east == 0);
	CHECK(strcmp(n.networks[1].orbital_position, "5.0") == 0);
	REQUIRE(n.networks[1].nstreams == 1);
	CHECK(n.networks[1].streams[0].carrier_id == 0);	/* > 16 bits */
	CHECK(n.networks[1].streams[0].delivery.s2x == 0);
	CHECK(n.networks[1].streams[0].delivery.frequency == 1222616);
	CHECK(n.networks[1].streams[0].delivery.isi == 7);
	CHECK(strcmp(n.networks[1].streams[0].delivery.modulation,
	    "8PSK") == 0);
	CHECK(strcmp(n.networks[1].streams[0].delivery.fec, "3/4") == 0);
	nif_free(&n);
}

static void
test_sif_slep_missing_parts(void)
{
	static const char sif[] = SIF_HEAD "<BroadcastMediaStream>"
	    "<NIPNetworkID>9</NIPNetworkID><BroadcastMedia><URI/>"
	    "<URI>  </URI><URI> a </URI><InteractiveApplications/>"
	    "</BroadcastMedia><BroadcastMedia><URI>b</URI>"
	    "<InteractiveApplications/></BroadcastMedia>"
	    "</BroadcastMediaStream>" SIF_TAIL;
	static const char slep[] = SLEP_HEAD "<ProviderOffering>"
	    "<ServiceListOffering regulatorListFlag=\"1\">"
	    "<ServiceListURI><URI/></ServiceListURI></ServiceListOffering>"
	    "<ServiceListOffering regulatorListFlag=\"bogus\">"
	    "<ServiceListURI contentType=\"t1\"><URI> </URI></ServiceListURI>"
	    "<ServiceListURI contentType=\"t2\"><URI>u2</URI></ServiceListURI>"
	    "</ServiceListOffering><ServiceListOffering "
	    "regulatorListFlag=\"true\"><ServiceListURI><URI>u3</URI>"
	    "</ServiceListURI></ServiceListOffering></ProviderOffering>"
	    SLEP_TAIL;
	struct sif s;
	struct slep p;

	CHECK(sif_parse(SIF_HEAD SIF_TAIL, strlen(SIF_HEAD SIF_TAIL), &s, err,
	    sizeof(err)) == 0);
	CHECK(s.nmedia == 0 && s.media == NULL && s.version[0] == '\0');
	sif_free(&s);
	CHECK(sif_parse(sif, strlen(sif), &s, err, sizeof(err)) == 0);
	REQUIRE(s.nmedia == 1);
	/* Empty URIs are skipped; URIs of both BroadcastMedia are kept. */
	CHECK(s.media[0].nuris == 2 && s.media[0].napps == 2);
	CHECK(strcmp(s.media[0].uris[0], "a") == 0 &&
	    strcmp(s.media[0].uris[1], "b") == 0);
	CHECK(s.media[0].network_id == 9 && s.media[0].carrier_id == 0);
	sif_free(&s);
	CHECK(slep_parse(SLEP_HEAD SLEP_TAIL, strlen(SLEP_HEAD SLEP_TAIL), &p,
	    err, sizeof(err)) == 0);
	CHECK(p.noffers == 0 && p.registry_name[0] == '\0');
	slep_free(&p);
	CHECK(slep_parse(slep, strlen(slep), &p, err, sizeof(err)) == 0);
	REQUIRE(p.noffers == 2);
	CHECK(strcmp(p.offers[0].uri, "u2") == 0);
	CHECK(strcmp(p.offers[0].content_type, "t2") == 0);
	CHECK(p.offers[0].regulator == 0 && p.offers[1].regulator == 1);
	CHECK(p.offers[0].list_id == NULL && p.offers[0].list_name != NULL &&
	    p.offers[0].list_name[0] == '\0');
	CHECK(strcmp(p.offers[1].provider, "") == 0);
	CHECK(strcmp(p.offers[1].content_type, "") == 0);
	CHECK(p.truncated == 0);
	slep_free(&p);
}

/* n copies of s. */
static char *
repeat(const char *s, size_t n)
{
	size_t l = strlen(s), i;
	char *r = malloc(l * n + 1);

	if (r == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		memcpy(r + i * l, s, l);
	r[l * n] = '\0';
	return r;
}

static void
test_long_texts(void)
{
	char *a = repeat("A", 1000), *e = repeat("\xc3\xa9", 200);
	char *eu = repeat("\xe2\x82\xac", 50), *sp = repeat(" ", 300);
	struct nif n;
	struct sif s;
	struct slep p;
	struct doc d;

	REQUIRE(a != NULL && e != NULL && eu != NULL && sp != NULL);
	doc_open(&d);
	fprintf(d.f, NIF_HEAD "<VersionUpdate>%.60s</VersionUpdate>"
	    "<NIFType>%sPhysical Network%s</NIFType>" ABN("<NetworkName>%s"
	    "</NetworkName><NIPNetworkProviderName>%s"
	    "</NIPNetworkProviderName><NIPStream><LinkLayerFormat>GSE-Lite-"
	    "but-longer</LinkLayerFormat><DVBS2X_NIPDeliveryParameters>"
	    "<Roll_off>0.2000000000</Roll_off><Frequency>99999999999"
	    "</Frequency></DVBS2X_NIPDeliveryParameters></NIPStream>")
	    NIF_TAIL, a, sp, sp, a, e);
	doc_close(&d);
	CHECK(nif_parse(d.buf, d.len, &n, err, sizeof(err)) == 0);
	free(d.buf);
	REQUIRE(n.nnetworks == 1 && n.networks[0].nstreams == 1);
	CHECK(strlen(n.version) == 39 && n.version_ms == 0);
	/* White space beyond the field's size is trimmed, not cut. */
	CHECK(strcmp(n.type, "Physical Network") == 0);
	CHECK(strlen(n.networks[0].name) == 127);
	CHECK(strspn(n.networks[0].name, "A") == 127);
	/* 2-byte characters: 126 bytes, never half a character. */
	CHECK(strlen(n.networks[0].provider) == 126);
	CHECK(utf8_ok(n.networks[0].provider));
	CHECK(strcmp(n.networks[0].streams[0].link_layer,
	    "GSE-Lite-but-lo") == 0);
	CHECK(strcmp(n.networks[0].streams[0].delivery.roll_off,
	    "0.20000") == 0);
	CHECK(n.networks[0].streams[0].delivery.frequency == 0);
	CHECK(n.truncated == 1);
	nif_free(&n);
	doc_open(&d);
	fprintf(d.f, SIF_HEAD "<NIPNetworkProviderName>%s"
	    "</NIPNetworkProviderName>" SIF_TAIL, eu);
	doc_close(&d);
	CHECK(sif_parse(d.buf, d.len, &s, err, sizeof(err)) == 0);
	free(d.buf);
	/* 3-byte characters: 42 of them fit in 127 bytes. */
	CHECK(strlen(s.provider) == 126 && utf8_ok(s.provider));
	CHECK(s.truncated == 1);
	sif_free(&s);
	doc_open(&d);
	fprintf(d.f, SLEP_HEAD "<ServiceListRegistryEntity><Name>%s</Name>"
	    "</ServiceListRegistryEntity><ProviderOffering><Provider><Name>%s"
	    "</Name></Provider><ServiceListOffering><ServiceListURI><URI>%s"
	    "</URI></ServiceListURI></ServiceListOffering></ProviderOffering>"
	    SLEP_TAIL, a, a, a);
	doc_close(&d);
	CHECK(slep_parse(d.buf, d.len, &p, err, sizeof(err)) == 0);
	free(d.buf);
	CHECK(strlen(p.registry_name) == 127 && p.truncated == 1);
	/* Dynamic strings are kept whole. */
	CHECK(p.noffers == 1 && strcmp(p.offers[0].uri, a) == 0 &&
	    strcmp(p.offers[0].provider, a) == 0);
	slep_free(&p);
	free(a);
	free(e);
	free(eu);
	free(sp);
}

/* Documents with more items than the NIPDOC_MAX_* limits. */
static void
test_too_many(void)
{
	struct nif n;
	struct sif s;
	struct slep p;
	struct doc d;
	int i;

	/* 70 other networks before the actual one: the actual one stays. */
	doc_open(&d);
	fputs(NIF_HEAD, d.f);
	for (i = 0; i < 70; i++)
		fputs("<OtherBroadcastNetwork/>", d.f);
	fputs("<ActualBroadcastNetwork>", d.f);
	for (i = 0; i < 300; i++)
		fprintf(d.f, "<NIPStream><NIPCarrierID>%d</NIPCarrierID>"
		    "</NIPStream>", i + 1);
	fputs("</ActualBroadcastNetwork>" NIF_TAIL, d.f);
	doc_close(&d);
	CHECK(nif_parse(d.buf, d.len, &n, err, sizeof(err)) == 0);
	free(d.buf);
	CHECK_EQ_U(n.nnetworks, NIPDOC_MAX_NETWORKS);
	CHECK(n.truncated == 1 && n.networks[0].actual == 1 &&
	    n.networks[NIPDOC_MAX_NETWORKS - 1].actual == 0);
	CHECK_EQ_U(n.networks[0].nstreams, NIPDOC_MAX_STREAMS);
	CHECK_EQ_U(n.networks[0].streams[NIPDOC_MAX_STREAMS - 1].carrier_id,
	    NIPDOC_MAX_STREAMS);
	nif_free(&n);
	/* 300 streams, the first with 9000 URIs. */
	doc_open(&d);
	fputs(SIF_HEAD "<BroadcastMediaStream><BroadcastMedia>", d.f);
	for (i = 0; i < 9000; i++)
		fprintf(d.f, "<URI>u%d</URI>", i);
	fputs("</BroadcastMedia></BroadcastMediaStream>", d.f);
	for (i = 1; i < 300; i++)
		fprintf(d.f, "<BroadcastMediaStream><NIPCarrierID>%d"
		    "</NIPCarrierID></BroadcastMediaStream>", i);
	fputs(SIF_TAIL, d.f);
	doc_close(&d);
	CHECK(sif_parse(d.buf, d.len, &s, err, sizeof(err)) == 0);
	free(d.buf);
	REQUIRE(s.nmedia == NIPDOC_MAX_MEDIA);
	CHECK(s.truncated == 1);
	CHECK_EQ_U(s.media[0].nuris, NIPDOC_MAX_URIS);
	CHECK(strcmp(s.media[0].uris[NIPDOC_MAX_URIS - 1], "u8191") == 0);
	CHECK_EQ_U(s.media[NIPDOC_MAX_MEDIA - 1].carrier_id, 255);
	sif_free(&s);
	/*
	 * 10 offerings without a URI, then exactly the limit: nothing is
	 * lost, so not truncated; one more real one truncates.
	 */
	for (i = 0; i < 2; i++) {
		int k;

		doc_open(&d);
		fputs("<ServiceListEntryPoints xmlns=\"urn:dvb:metadata:"
		    "servicelistdiscovery:2026-with-a-very-long-tail-that-does-"
		    "not-fit-in-the-96-bytes-of-struct-slep-ns\">"
		    "<ProviderOffering>", d.f);
		for (k = 0; k < 10; k++)
			fputs("<ServiceListOffering/>", d.f);
		for (k = 0; k < NIPDOC_MAX_OFFERINGS + i; k++)
			fprintf(d.f, "<ServiceListOffering><ServiceListURI>"
			    "<URI>u%d</URI></ServiceListURI>"
			    "</ServiceListOffering>", k);
		fputs("</ProviderOffering>" SLEP_TAIL, d.f);
		doc_close(&d);
		CHECK(slep_parse(d.buf, d.len, &p, err, sizeof(err)) == 0);
		free(d.buf);
		CHECK_EQ_U(p.noffers, NIPDOC_MAX_OFFERINGS);
		CHECK(strcmp(p.offers[NIPDOC_MAX_OFFERINGS - 1].uri,
		    "u255") == 0);
		CHECK(strlen(p.ns) == sizeof(p.ns) - 1);
		/* The long namespace alone sets truncated; the offers not. */
		CHECK(p.truncated == 1);
		slep_free(&p);
	}
}

/* The real documents, each with the parser it belongs to. */
static const struct {
	const char	*path;
	enum kind	k;
} real[] = {
	{ SAMPLE_SES "/nif.xml", K_NIF },
	{ SAMPLE_SES "/sif.xml", K_SIF },
	{ SAMPLE_SES "/slep.xml", K_SLEP },
	{ SAMPLE_SL "/slepr-master.xml", K_SLEP },
	{ SAMPLE_SL "/slepr-main.xml", K_SLEP },
};

/*
 * Every prefix cut at a multiple of 37 bytes fails, unless it keeps the
 * root's end tag; nothing crashes or leaks either way.
 */
static void
test_truncation(void)
{
	size_t i, cut, len, end;
	char *b;

	for (i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		if ((b = load(real[i].path, &len)) == NULL)
			continue;
		end = (size_t)((char *)memrchr(b, '>', len) - b) + 1;
		CHECK(parse_any(real[i].k, b, len) == 0);
		for (cut = 37; cut < len; cut += 37)
			CHECK(parse_any(real[i].k, b, cut) ==
			    (cut >= end ? 0 : -1));
		free(b);
	}
}

/* xorshift64*: deterministic across runs and libcs. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* 300 copies of each real file with 1 to 4 bytes changed. */
static void
test_byte_flips(void)
{
	uint64_t seed = 0x6e6970646f63ULL;	/* "nipdoc" */
	size_t i, len, it, f, ok = 0, bad = 0;
	char *b, *m;

	for (i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		if ((b = load(real[i].path, &len)) == NULL)
			continue;
		REQUIRE((m = malloc(len)) != NULL);
		for (it = 0; it < 300; it++) {
			memcpy(m, b, len);
			/* Half flip bits, half put printable ASCII. */
			for (f = 0; f <= rnd(&seed) % 4; f++) {
				size_t at = rnd(&seed) % len;

				if (rnd(&seed) & 1)
					m[at] ^= (char)(1 + rnd(&seed) % 255);
				else
					m[at] = (char)(' ' + rnd(&seed) % 95);
			}
			if (parse_any(real[i].k, m, len) == 0)
				ok++;
			else
				bad++;
		}
		free(m);
		free(b);
	}
	fprintf(stderr, "byte flips: %zu parsed, %zu refused\n", ok, bad);
	/* Both outcomes occur: flips in text pass, flips in markup fail. */
	if (ok + bad > 0)
		CHECK(ok > 0 && bad > 0);
}

TEST_MAIN(TEST(test_entities_and_limits), TEST(test_wrong_root_ns),
    TEST(test_nif_missing_parts), TEST(test_sif_slep_missing_parts),
    TEST(test_long_texts), TEST(test_too_many), TEST(test_truncation),
    TEST(test_byte_flips))
