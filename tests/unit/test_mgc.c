/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_mgc.c: the MulticastGatewayConfiguration parser on well-formed
 * documents: the real SES bootstrap (skipped when ../shared/data is
 * absent), hand-written full configurations in the 2024 form and the
 * Eutelsat-like ns2:-prefixed 2023 form, and GPAC's form.  Hostile input,
 * bounds, malformed endpoints and mutation loops are in test_mgc_hostile.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "mgc_harness.h"

#define NS_2023		"urn:dvb:metadata:MulticastSessionConfiguration:2023"
#define XSI		"http://www.w3.org/2001/XMLSchema-instance"
#define FLUTE_ID	\
	"urn:dvb:metadata:cs:MulticastTransportProtocolCS:2019:FLUTE"
#define DAY_MS		86400000ULL
#define FLUTE_1		"<TransportProtocol protocolIdentifier=\""	\
			FLUTE_ID "\" protocolVersion=\"1\"/>"

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* The gateway session on group:port with this TSI, or NULL. */
static const struct mgc_ts *
find_ts(const struct mgc *m, const char *group, unsigned port, uint64_t tsi)
{
	size_t i;

	for (i = 0; i < m->nts; i++) {
		const struct mgc_endpoint *e = &m->ts[i].endpoints[0];

		if (streq(e->group, group) && e->port == port && e->tsi == tsi)
			return &m->ts[i];
	}
	return NULL;
}

static const struct mgc_locator *
find_locator(const struct mgc_ts *t, const char *uri)
{
	size_t i;

	for (i = 0; i < t->nlocators; i++)
		if (streq(t->locators[i].uri, uri))
			return &t->locators[i];
	return NULL;
}

/* What all 14 SES sessions share. */
static void
check_ses_all(const struct mgc *m)
{
	const struct mgc_ts *t;
	size_t i, nloc = 0, ncg = 0;

	for (i = 0; i < m->nts; i++) {
		t = &m->ts[i];
		CHECK(t->gateway == 1 && t->service == -1);
		CHECK(t->proto == MGC_PROTO_FLUTE && t->proto_version == 1);
		CHECK(t->security == MGC_SEC_INTEGRITY);
		CHECK(t->nendpoints == 1 && t->endpoints[0].has_tsi);
		CHECK(streq(t->endpoints[0].source, "192.168.200.180"));
		CHECK(t->has_carousel && !t->has_repair && t->nfec == 0);
		nloc += t->nlocators;
		ncg += streq(t->service_class,
		    "urn:dvb:metadata:nativeip:ContentGuide");
	}
	/* `grep -c '<ResourceLocator'` gives 374; two ContentGuide sessions. */
	CHECK_EQ_U(nloc, 374);
	CHECK_EQ_U(ncg, 2);
}

/* The announcement channel itself, first in the document. */
static void
check_ses_announcement(const struct mgc *m)
{
	const struct mgc_ts *t = &m->ts[0];
	const struct mgc_locator *l;

	CHECK(streq(t->endpoints[0].group, "224.0.23.14"));
	CHECK(t->endpoints[0].port == 3937 && t->endpoints[0].tsi == 0);
	CHECK(t->bitrate_max == 1048576 && t->bitrate_avg == 0);
	CHECK(t->carousel_transport_size == 26659);
	CHECK(t->carousel_content_size == 26659);
	CHECK_EQ_U(t->nlocators, 9);
	CHECK(t->service_class == NULL && t->tags == NULL && t->id == NULL);
	CHECK(t->locators != NULL && streq(t->locators[0].uri,
	    "urn:dvb:metadata:nativeip:ServiceGuide"));
	CHECK(t->locators != NULL && t->locators[0].latency_ms == 5005);
	l = find_locator(t, "urn:dvb:metadata:nativeip:NetworkInformationFile");
	CHECK(l != NULL && l->latency_ms == 514);
	l = find_locator(t, "http://dvb.gw/ses.com/dvbi/service_list_full.xml");
	CHECK(l != NULL && l->latency_ms == 1065);
	CHECK(!mgc_ts_serves(t, "tag:ses.com,2024:B1.1"));
}

/* Where the full gateway configuration and the manifests travel. */
static void
check_ses_manifests(const struct mgc *m)
{
	const struct mgc_ts *t = find_ts(m, "224.0.49.1", 49001, 49001);

	REQUIRE(t != NULL);
	CHECK_EQ_U(t->nrefs, 6);
	CHECK_EQ_U(t->nlocators, 0);
	CHECK(t->has_carousel && t->carousel_transport_size == 0);
	CHECK(t->bitrate_max == 2097152);
	CHECK(mgc_ts_serves(t, "tag:ses.com,2024:B1.1"));
	CHECK(mgc_ts_serves(t, "tag:ses.com,2024:B2.2"));
	CHECK(mgc_ts_serves(t, "tag:ses.com,2024:C1.3"));
	CHECK(!mgc_ts_serves(t, "tag:ses.com,2024:B1"));
	CHECK(!mgc_ts_serves(t, "tag:ses.com,2024:B1.10"));
	CHECK(!mgc_ts_serves(t, ""));
	CHECK(!mgc_ts_serves(t, NULL));
	CHECK(!mgc_ts_serves(NULL, "tag:ses.com,2024:B1.1"));
	REQUIRE(t->nrefs == 6);
	CHECK(t->refs[0].init == 0 && t->refs[0].latency_ms == 2000);
	CHECK(streq(t->refs[0].service_id, "tag:ses.com,2024:B1.1"));
	CHECK(t->refs[2].init == 0 && t->refs[2].latency_ms == 1000);
	CHECK(t->refs[3].init == 1 && t->refs[5].init == 1);
	CHECK(streq(t->refs[5].service_id, "tag:ses.com,2024:C1.3"));
	CHECK(t->refs[0].ts_id == NULL);
}

/* A ContentGuide session, and TSIs sharing a group and port. */
static void
check_ses_guide_shared(const struct mgc *m)
{
	const struct mgc_ts *t = find_ts(m, "224.0.49.10", 49010, 49010);

	REQUIRE(t != NULL);
	CHECK(streq(t->service_class,
	    "urn:dvb:metadata:nativeip:ContentGuide"));
	/* The tag the NIPContentGuideManifest refers to. */
	CHECK(streq(t->tags, "http://dvb.gw/ses.com/dvbi/cg/CoreSet"));
	CHECK(t->carousel_transport_size == 86954);
	CHECK(t->carousel_content_size == 958961);
	CHECK(t->nlocators == 1 && t->locators[0].latency_ms == 10663);
	CHECK(!mgc_ts_serves(t, "tag:ses.com,2024:B1.1"));
	CHECK(find_ts(m, "224.0.49.5", 49005, 49005) != NULL);
	CHECK(find_ts(m, "224.0.49.5", 49005, 49006) != NULL);
	CHECK(find_ts(m, "224.0.49.5", 49005, 49007) == NULL);
	CHECK(find_ts(m, "224.0.49.6", 49006, 49006) != NULL);
	CHECK(find_ts(m, "224.0.49.6", 49006, 49007) != NULL);
	t = find_ts(m, "224.0.49.5", 49005, 49006);
	CHECK(t != NULL && streq(t->tags,
	    "http://dvb.gw/ses.com/private/vod_small/covers"));
}

static void
test_ses_bootstrap(void)
{
	struct mgc m;
	char err[256];
	size_t len;
	char *buf;

	if ((buf = sample_read(SES_BOOTSTRAP, &len)) == NULL) {
		sample_skip(SES_BOOTSTRAP);
		return;
	}
	err[0] = '\0';
	CHECK(mgc_parse(buf, len, &m, err, sizeof(err)) == 0);
	free(buf);
	if (err[0] != '\0')
		fprintf(stderr, "%s\n", err);
	CHECK(invariants(&m) == 0);
	CHECK(streq(m.ns, NS_2024));
	CHECK(m.schema_version == 2);
	/* 2099-06-26T07:01:50Z: Python calendar.timegm, times 1000. */
	CHECK(m.has_valid_until && m.valid_until_ms == 4086140510000LL);
	CHECK(!m.has_validity_period);
	/*
	 * 14 gateway sessions, counted by hand two ways: grep -c
	 * '<MulticastGatewayConfigurationTransportSession' gives 14, and so
	 * does Python ElementTree's findall on the root (28 would be the
	 * opening plus closing tags).  No MulticastSession.
	 */
	CHECK_EQ_U(m.nts, 14);
	CHECK_EQ_U(m.nservices, 0);
	CHECK_EQ_U(m.dropped_sessions, 0);
	CHECK(!m.truncated);
	if (m.nts == 14) {
		check_ses_all(&m);
		check_ses_announcement(&m);
		check_ses_manifests(&m);
		check_ses_guide_shared(&m);
	}
	mgc_free(&m);
	CHECK(m.nts == 0 && m.ts == NULL && m.services == NULL);
	mgc_free(&m);		/* twice is harmless */
}

/*
 * A full gateway configuration's children, written without prefixes;
 * prefixed() turns it into the ns2: form.
 */
static const char full_body[] =
    "<MulticastGatewayConfigurationTransportSession"
    " transportSecurity=\"integrityAndAuthenticity\""
    " serviceClass=\"urn:dvb:metadata:nativeip:ServiceGuide\""
    " tags=\"http://a.example/x http://a.example/y\">"
    "<TransportProtocol protocolIdentifier=\"urn:dvb:metadata:cs:"
    "MulticastTransportProtocolCS:2019:ROUTE\" protocolVersion=\"2\"/>"
    "<EndpointAddress>"
    G(" ff3e::8000:1 ") P("5000") T("18446744073709551615")
    "</EndpointAddress>"
    "<ObjectCarousel aggregateTransportSize=\"100\""
    " aggregateContentSize=\"200\">"
    "<PresentationManifests serviceIdRef=\"urn:svc:one\""
    " transportSessionIdRef=\"ts-video\" targetAcquisitionLatency=\"PT1.5S\"/>"
    "<InitSegments serviceIdRef=\"urn:svc:one\"/>"
    "<InitSegments targetAcquisitionLatency=\"PT1S\"/>"
    "<ResourceLocator targetAcquisitionLatency=\"PT3S\">"
    "http://dvb.gw/op/a.xml</ResourceLocator>"
    "<ResourceLocator>   </ResourceLocator>"
    "</ObjectCarousel>"
    "<MulticastGatewayConfigurationMacro key=\"k\">v"
    "</MulticastGatewayConfigurationMacro>"
    "</MulticastGatewayConfigurationTransportSession>"
    "<MulticastSession serviceIdentifier=\"urn:svc:one\""
    " contentPlaybackAvailabilityOffset=\"PT4.5S\">"
    "<PresentationManifestLocator manifestId=\"m-hls\""
    " contentType=\"application/vnd.apple.mpegurl\""
    " transportObjectURI=\"http://dvb.gw/op/svc1/master.m3u8\""
    " contentPlaybackPathPattern=\"/op/svc1/*\">"
    " http://cdn.example/svc1/master.m3u8 </PresentationManifestLocator>"
    "<PresentationManifestLocator manifestId=\"m-dash\""
    " contentType=\"application/dash+xml\"></PresentationManifestLocator>"
    "<MulticastGatewaySessionReporting><ReportingLocator period=\"PT1M\">"
    "http://r.example/</ReportingLocator></MulticastGatewaySessionReporting>"
    "<MulticastTransportSession id=\"ts-video\" serviceClass=\"urn:x:video\""
    " transmissionMode=\"chunked\" transportSecurity=\"integrity\""
    " sessionIdleTimeout=\"30000\" contentIngestMethod=\"push\">"
    FLUTE_1
    "<EndpointAddress>"
    "<NetworkSourceAddress>10.1.2.3</NetworkSourceAddress>"
    "<NetworkDestinationGroupAddress>232.1.1.1</NetworkDestinationGroupAddress>"
    "<TransportDestinationPort>6000</TransportDestinationPort>"
    "<MediaTransportSessionIdentifier>100</MediaTransportSessionIdentifier>"
    "</EndpointAddress>"
    "<BitRate average=\"4000000\" maximum=\"6000000\"/>"
    "<ForwardErrorCorrectionParameters>"
    "<SchemeIdentifier>urn:ietf:rmt:fec:encoding:5</SchemeIdentifier>"
    "<OverheadPercentage>15</OverheadPercentage>"
    "<EndpointAddress>"
    "<NetworkDestinationGroupAddress>232.1.1.2</NetworkDestinationGroupAddress>"
    "<TransportDestinationPort>6001</TransportDestinationPort>"
    "<MediaTransportSessionIdentifier>101</MediaTransportSessionIdentifier>"
    "</EndpointAddress>"
    "</ForwardErrorCorrectionParameters>"
    "<UnicastRepairParameters transportObjectBaseURI=\"http://dvb.gw/op/\""
    " transportObjectReceptionTimeout=\"2000\" fixedBackOffPeriod=\"100\""
    " randomBackOffPeriod=\"500\">"
    "<BaseURL relativeWeight=\"3\">https://cdn1.example/op/</BaseURL>"
    "<BaseURL relativeWeight=\"0\">https://cdn2.example/op/</BaseURL>"
    "<BaseURL>https://cdn3.example/op/</BaseURL>"
    "</UnicastRepairParameters>"
    "<ServiceComponentIdentifier xsi:type=\"HLSComponentIdentifierType\""
    " manifestIdRef=\"m-hls\""
    " mediaPlaylistLocator=\"http://dvb.gw/op/svc1/video.m3u8\"/>"
    "<ServiceComponentIdentifier xsi:type=\"mcfg:DASHComponentIdentifierType\""
    " manifestIdRef=\"m-dash\" periodIdentifier=\"p0\""
    " adaptationSetIdentifier=\"1\" representationIdentifier=\"v720\"/>"
    "</MulticastTransportSession>"
    "<MulticastTransportSession id=\"ts-audio\">"
    FLUTE_1
    "<EndpointAddress>"
    "<NetworkDestinationGroupAddress>239.2.2.2</NetworkDestinationGroupAddress>"
    "<TransportDestinationPort>6002</TransportDestinationPort>"
    "</EndpointAddress>"
    "<BitRate average=\"128000\"/>"
    "<ObjectCarousel><InitSegments targetAcquisitionLatency=\"PT1S\"/>"
    "</ObjectCarousel>"
    "<ServiceComponentIdentifier xsi:type=\"GenericComponentIdentifierType\""
    " manifestIdRef=\"m-hls\" componentIdentifier=\"audio-en\"/>"
    "<ServiceComponentIdentifier type=\"HLSComponentIdentifierType\""
    " manifestIdRef=\"m-hls\"/>"
    "</MulticastTransportSession>"
    "</MulticastSession>"
    "<MulticastSession serviceIdentifier=\"urn:svc:two\">"
    "<PresentationManifestLocator manifestId=\"m2\""
    " contentType=\"application/dash+xml\">http://x.example/two.mpd"
    "</PresentationManifestLocator>"
    "<MulticastTransportSession id=\"unicast-group\"><EndpointAddress>"
    "<NetworkDestinationGroupAddress>10.0.0.1</NetworkDestinationGroupAddress>"
    "<TransportDestinationPort>7000</TransportDestinationPort>"
    "</EndpointAddress></MulticastTransportSession>"
    "<MulticastTransportSession id=\"two-ok\"><EndpointAddress>"
    "<NetworkDestinationGroupAddress>239.3.3.3</NetworkDestinationGroupAddress>"
    "<TransportDestinationPort>7000</TransportDestinationPort>"
    "<MediaTransportSessionIdentifier>1</MediaTransportSessionIdentifier>"
    "</EndpointAddress></MulticastTransportSession>"
    "</MulticastSession>"
    "<SomethingFromTheFuture a=\"b\"><MulticastSession/>"
    "</SomethingFromTheFuture>";

#define FULL_2024_ROOT							\
	"<MulticastGatewayConfiguration xmlns=\"" NS_2024 "\""		\
	" xmlns:ext=\"urn:dvb:metadata:Extensibility:2024\""		\
	" xmlns:mcfg=\"" NS_2024 "\" xmlns:xsi=\"" XSI "\""		\
	" ext:schemaVersion=\"2\" validUntil=\"2030-01-01T00:00:00Z\">"
#define FULL_2023_ROOT							\
	"<ns2:MulticastGatewayConfiguration xmlns:ns2=\"" NS_2023 "\""	\
	" xmlns:mcfg=\"" NS_2023 "\" xmlns:xsi=\"" XSI "\""		\
	" schemaVersion=\"0\" validityPeriod=\"P99Y11M30DT0H0M0.000S\">"

/* body with every element name given the ns2: prefix; caller frees. */
static char *
prefixed(const char *body)
{
	char *out = malloc(strlen(body) * 3 + 1), *o = out;
	const char *s;

	if (out == NULL)
		return NULL;
	for (s = body; *s != '\0'; s++) {
		*o++ = *s;
		if (*s != '<')
			continue;
		if (s[1] == '/')
			*o++ = *++s;
		memcpy(o, "ns2:", 4);
		o += 4;
	}
	*o = '\0';
	return out;
}

/* root + body + closing tag, parsed into *m; returns mgc_parse's result. */
static int
parse_doc(const char *root, const char *body, const char *close,
    struct mgc *m, char *err, size_t errlen)
{
	size_t n = strlen(root) + strlen(body) + strlen(close);
	char *doc = malloc(n + 1);
	int rc;

	if (doc == NULL)
		return -2;
	snprintf(doc, n + 1, "%s%s%s", root, body, close);
	err[0] = '\0';
	rc = mgc_parse(doc, n, m, err, errlen);
	if (rc != 0)
		fprintf(stderr, "parse_doc: %s\n", err);
	free(doc);
	return rc;
}

static void
check_full_gateway(const struct mgc *m)
{
	const struct mgc_ts *t = &m->ts[0];

	CHECK(t->gateway == 1 && t->service == -1);
	CHECK(t->proto == MGC_PROTO_ROUTE && t->proto_version == 2);
	CHECK(t->security == MGC_SEC_INTEGRITY_AUTH);
	CHECK(streq(t->service_class,
	    "urn:dvb:metadata:nativeip:ServiceGuide"));
	CHECK(streq(t->tags, "http://a.example/x http://a.example/y"));
	CHECK(t->nendpoints == 1 &&
	    streq(t->endpoints[0].group, "ff3e::8000:1"));
	CHECK(t->endpoints[0].source[0] == '\0');
	CHECK(t->endpoints[0].port == 5000 && t->endpoints[0].has_tsi);
	CHECK(t->endpoints[0].tsi == UINT64_MAX);
	CHECK(t->has_carousel && t->carousel_transport_size == 100 &&
	    t->carousel_content_size == 200);
	/* The InitSegments without serviceIdRef names no service: skipped. */
	REQUIRE(t->nrefs == 2);
	CHECK(!t->refs[0].init && streq(t->refs[0].service_id, "urn:svc:one"));
	CHECK(streq(t->refs[0].ts_id, "ts-video"));
	CHECK(t->refs[0].latency_ms == 1500);
	CHECK(t->refs[1].init && t->refs[1].ts_id == NULL &&
	    t->refs[1].latency_ms == 0);
	CHECK(mgc_ts_serves(t, "urn:svc:one"));
	CHECK(!mgc_ts_serves(t, "urn:svc:two"));
	/* The empty ResourceLocator is skipped. */
	CHECK(t->nlocators == 1 &&
	    streq(t->locators[0].uri, "http://dvb.gw/op/a.xml") &&
	    t->locators[0].latency_ms == 3000);
	CHECK(t->ncomponents == 0 && !t->has_repair && t->nfec == 0);
}

static void
check_full_video(const struct mgc_ts *t)
{
	const struct mgc_repair *r = &t->repair;

	CHECK(t->gateway == 0 && t->service == 0);
	CHECK(streq(t->id, "ts-video"));
	CHECK(streq(t->service_class, "urn:x:video"));
	CHECK(t->chunked && t->security == MGC_SEC_INTEGRITY);
	CHECK(t->idle_timeout_ms == 30000);
	CHECK(t->proto == MGC_PROTO_FLUTE && t->proto_version == 1);
	CHECK(t->nendpoints == 1 && streq(t->endpoints[0].source, "10.1.2.3"));
	CHECK(streq(t->endpoints[0].group, "232.1.1.1"));
	CHECK(t->endpoints[0].port == 6000 && t->endpoints[0].has_tsi &&
	    t->endpoints[0].tsi == 100);
	CHECK(t->bitrate_avg == 4000000 && t->bitrate_max == 6000000);
	REQUIRE(t->nfec == 1);
	CHECK(t->fec[0].fei == 5 && t->fec[0].overhead_pct == 15);
	CHECK(t->fec[0].has_endpoint &&
	    streq(t->fec[0].endpoint.group, "232.1.1.2") &&
	    t->fec[0].endpoint.port == 6001 && t->fec[0].endpoint.tsi == 101);
	REQUIRE(t->has_repair);
	CHECK(streq(r->object_base_uri, "http://dvb.gw/op/"));
	CHECK(r->reception_timeout_ms == 2000 && r->fixed_backoff_ms == 100 &&
	    r->random_backoff_ms == 500);
	REQUIRE(r->nbase == 3);
	CHECK(streq(r->base[0].url, "https://cdn1.example/op/") &&
	    r->base[0].weight == 3);
	CHECK(streq(r->base[1].url, "https://cdn2.example/op/") &&
	    r->base[1].weight == 0);
	CHECK(streq(r->base[2].url, "https://cdn3.example/op/") &&
	    r->base[2].weight == 1);
	CHECK(!t->has_carousel && t->nrefs == 0 && t->nlocators == 0);
	REQUIRE(t->ncomponents == 2);
	CHECK(t->components[0].kind == MGC_COMP_HLS);
	CHECK(streq(t->components[0].manifest_id_ref, "m-hls"));
	CHECK(streq(t->components[0].media_playlist,
	    "http://dvb.gw/op/svc1/video.m3u8"));
	CHECK(t->components[0].period_id == NULL);
	/* A prefixed xsi:type value: only the local part counts. */
	CHECK(t->components[1].kind == MGC_COMP_DASH);
	CHECK(streq(t->components[1].manifest_id_ref, "m-dash"));
	CHECK(streq(t->components[1].period_id, "p0"));
	CHECK(streq(t->components[1].adaptation_set_id, "1"));
	CHECK(streq(t->components[1].representation_id, "v720"));
	CHECK(t->components[1].media_playlist == NULL);
}

static void
check_full_audio(const struct mgc_ts *t)
{
	CHECK(t->gateway == 0 && t->service == 0 && streq(t->id, "ts-audio"));
	CHECK(!t->chunked && t->security == MGC_SEC_NONE &&
	    t->idle_timeout_ms == 0 && t->service_class == NULL);
	CHECK(t->nendpoints == 1 && streq(t->endpoints[0].group, "239.2.2.2"));
	CHECK(t->endpoints[0].port == 6002 && !t->endpoints[0].has_tsi);
	CHECK(t->endpoints[0].source[0] == '\0');
	CHECK(t->bitrate_avg == 128000 && t->bitrate_max == 0);
	CHECK(t->nfec == 0 && !t->has_repair);
	/* No serviceIdRef in a service's session: its own service. */
	CHECK(t->has_carousel && t->nrefs == 1 && t->refs[0].init &&
	    streq(t->refs[0].service_id, "urn:svc:one") &&
	    t->refs[0].latency_ms == 1000);
	REQUIRE(t->ncomponents == 2);
	CHECK(t->components[0].kind == MGC_COMP_GENERIC);
	CHECK(streq(t->components[0].component_id, "audio-en"));
	CHECK(streq(t->components[0].manifest_id_ref, "m-hls"));
	/* "type" outside the XSI namespace is no xsi:type. */
	CHECK(t->components[1].kind == MGC_COMP_GENERIC);
}

/* What the 2024 and the ns2: 2023 forms have in common: everything. */
static void
check_full(const struct mgc *m)
{
	const struct mgc_service *s;

	CHECK(invariants(m) == 0);
	CHECK(!m->truncated);
	CHECK_EQ_U(m->dropped_sessions, 1);	/* the unicast group */
	REQUIRE(m->nts == 4 && m->nservices == 2);
	check_full_gateway(m);
	s = mgc_service_find(m, "urn:svc:one");
	REQUIRE(s == &m->services[0]);
	CHECK(s->playback_offset_ms == 4500);
	CHECK(s->first_ts == 1 && s->nts == 2);
	REQUIRE(s->npml == 2);
	CHECK(streq(s->pml[0].manifest_id, "m-hls"));
	CHECK(streq(s->pml[0].content_type, "application/vnd.apple.mpegurl"));
	CHECK(streq(s->pml[0].url, "http://cdn.example/svc1/master.m3u8"));
	CHECK(streq(s->pml[0].object_uri, "http://dvb.gw/op/svc1/master.m3u8"));
	CHECK(streq(s->pml[0].path_pattern, "/op/svc1/*"));
	CHECK(streq(s->pml[1].manifest_id, "m-dash"));
	CHECK(streq(s->pml[1].content_type, "application/dash+xml"));
	CHECK(streq(s->pml[1].url, ""));
	CHECK(s->pml[1].object_uri == NULL && s->pml[1].path_pattern == NULL);
	check_full_video(&m->ts[1]);
	check_full_audio(&m->ts[2]);
	s = mgc_service_find(m, "urn:svc:two");
	REQUIRE(s == &m->services[1]);
	CHECK(s->playback_offset_ms == 0 && s->npml == 1);
	CHECK(s->first_ts == 3 && s->nts == 1);
	CHECK(streq(m->ts[3].id, "two-ok") && m->ts[3].service == 1);
	CHECK(streq(s->pml[0].url, "http://x.example/two.mpd"));
	CHECK(mgc_service_find(m, "urn:svc:three") == NULL);
	CHECK(mgc_service_find(m, NULL) == NULL);
	CHECK(mgc_service_find(NULL, "urn:svc:one") == NULL);
}

static void
test_full_2024(void)
{
	struct mgc m;
	char err[256];

	REQUIRE(parse_doc(FULL_2024_ROOT, full_body,
	    "</MulticastGatewayConfiguration>", &m, err, sizeof(err)) == 0);
	CHECK(streq(m.ns, NS_2024));
	CHECK(m.schema_version == 2);
	/* 2030-01-01T00:00:00Z: Python calendar.timegm, times 1000. */
	CHECK(m.has_valid_until && m.valid_until_ms == 1893456000000LL);
	CHECK(!m.has_validity_period);
	check_full(&m);
	mgc_free(&m);
}

static void
test_full_ns2_2023(void)
{
	struct mgc m;
	char err[256], *body;

	REQUIRE((body = prefixed(full_body)) != NULL);
	CHECK(strstr(body, "<ns2:MulticastSession ") != NULL);
	CHECK(strstr(body, "</ns2:BaseURL>") != NULL);
	if (parse_doc(FULL_2023_ROOT, body,
	    "</ns2:MulticastGatewayConfiguration>", &m, err, sizeof(err))) {
		free(body);
		REQUIRE(0);
	}
	free(body);
	CHECK(streq(m.ns, NS_2023));
	CHECK(m.schema_version == 0);
	CHECK(!m.has_valid_until);
	CHECK(m.has_validity_period &&
	    m.validity_period_ms == (99 * 365 + 11 * 30 + 30) * DAY_MS);
	check_full(&m);
	mgc_free(&m);
}

/* In the style GPAC's DVB-MABR output writes (see shared/data/interop). */
static const char gpac_doc[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<MulticastGatewayConfiguration xmlns=\"" NS_2023 "\">\n"
    "<MulticastGatewayConfigurationTransportSession"
    " transportSecurity=\"integrity\">\n"
    FLUTE_1 "\n"
    EP("\n" G("239.9.9.1") "\n" P("4000") "\n" T("1") "\n") "\n"
    "<BitRate average=\"900000\" maximum=\"950000\"/>\n"
    "<ObjectCarousel aggregateTransportSize=\"2000\">\n</ObjectCarousel>\n"
    "</MulticastGatewayConfigurationTransportSession>\n"
    "<MulticastSession serviceIdentifier=\"example.org:mabr:service:7\""
    " contentPlaybackAvailabilityOffset=\"PT4S\">\n"
    "<PresentationManifestLocator manifestId=\"hls_7\""
    " contentType=\"video/mpegurl\""
    " transportObjectURI=\"tag:example.org,2025:svc7/live.m3u8\">"
    "</PresentationManifestLocator>\n"
    "<MulticastTransportSession sessionIdleTimeout=\"60000\""
    " transportSecurity=\"integrity\" id=\"10\""
    " transmissionMode=\"resource\">\n"
    FLUTE_1 "\n"
    EP("\n" G("239.9.9.1") "\n" P("4001") "\n" T("10") "\n") "\n"
    "<BitRate average=\"800000\" maximum=\"800000\"/>\n"
    "<ServiceComponentIdentifier xmlns:xsi=\"" XSI "\" manifestIdRef=\"hls_7\""
    " xsi:type=\"HLSComponentIdentifierType\""
    " mediaPlaylistLocator=\"tag:example.org,2025:svc7/live_1.m3u8\"/>\n"
    "</MulticastTransportSession>\n"
    "<MulticastTransportSession sessionIdleTimeout=\"60000\""
    " transportSecurity=\"integrity\" id=\"20\""
    " transmissionMode=\"resource\">\n"
    FLUTE_1 "\n"
    EP("\n" G("239.9.9.1") "\n" P("4001") "\n" T("20") "\n") "\n"
    "<ServiceComponentIdentifier xmlns:xsi=\"" XSI "\" manifestIdRef=\"hls_7\""
    " xsi:type=\"HLSComponentIdentifierType\""
    " mediaPlaylistLocator=\"tag:example.org,2025:svc7/live_2.m3u8\"/>\n"
    "</MulticastTransportSession>\n"
    "</MulticastSession>\n"
    "</MulticastGatewayConfiguration>\n";

static void
test_gpac_style(void)
{
	const struct mgc_service *s;
	const struct mgc_ts *t;
	struct mgc m;
	char err[256];
	size_t i;

	REQUIRE(mgc_parse(gpac_doc, strlen(gpac_doc), &m, err,
	    sizeof(err)) == 0);
	CHECK(invariants(&m) == 0);
	CHECK(streq(m.ns, NS_2023) && m.schema_version == -1);
	CHECK(!m.has_valid_until && !m.has_validity_period);
	REQUIRE(m.nts == 3 && m.nservices == 1);
	t = &m.ts[0];
	CHECK(t->gateway && t->has_carousel && t->nlocators == 0 &&
	    t->nrefs == 0);
	CHECK(t->carousel_transport_size == 2000 &&
	    t->carousel_content_size == 0);
	CHECK(t->bitrate_avg == 900000 && t->bitrate_max == 950000);
	s = mgc_service_find(&m, "example.org:mabr:service:7");
	REQUIRE(s != NULL);
	CHECK(s->playback_offset_ms == 4000 && s->npml == 1);
	CHECK(streq(s->pml[0].content_type, "video/mpegurl"));
	CHECK(streq(s->pml[0].url, ""));
	CHECK(streq(s->pml[0].object_uri,
	    "tag:example.org,2025:svc7/live.m3u8"));
	CHECK(s->first_ts == 1 && s->nts == 2);
	for (i = 1; i < 3; i++) {
		t = &m.ts[i];
		CHECK(!t->gateway && t->service == 0 && !t->chunked);
		CHECK(t->idle_timeout_ms == 60000);
		CHECK(t->security == MGC_SEC_INTEGRITY);
		/* Two TSIs on one group and port. */
		CHECK(streq(t->endpoints[0].group, "239.9.9.1") &&
		    t->endpoints[0].port == 4001);
		CHECK(t->endpoints[0].tsi == (i == 1 ? 10 : 20));
		REQUIRE(t->ncomponents == 1);
		CHECK(t->components[0].kind == MGC_COMP_HLS);
		CHECK(streq(t->components[0].manifest_id_ref, "hls_7"));
	}
	CHECK(streq(m.ts[1].id, "10") && streq(m.ts[2].id, "20"));
	CHECK(streq(m.ts[2].components[0].media_playlist,
	    "tag:example.org,2025:svc7/live_2.m3u8"));
	mgc_free(&m);
}

TEST_MAIN(TEST(test_ses_bootstrap), TEST(test_full_2024),
    TEST(test_full_ns2_2023), TEST(test_gpac_style))
