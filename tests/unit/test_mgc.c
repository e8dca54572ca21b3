/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_mgc.c: the MulticastGatewayConfiguration parser against the real
 * SES bootstrap, hand-written full configurations in the 2024 form, the
 * Eutelsat-like ns2:-prefixed 2023 form and GPAC's form, and hostile
 * input: DTDs, depth, size, wrong roots, truncation, byte flips, unusable
 * endpoints and every bound.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "../../dvb-i/mgc.h"

#define SES_BOOTSTRAP	"../shared/data/nip/ses-19.2e/bootstrap.xml"
#define NS_2024		"urn:dvb:metadata:MulticastSessionConfiguration:2024"
#define NS_2023		"urn:dvb:metadata:MulticastSessionConfiguration:2023"
#define XSI		"http://www.w3.org/2001/XMLSchema-instance"
#define FLUTE_ID	\
	"urn:dvb:metadata:cs:MulticastTransportProtocolCS:2019:FLUTE"
#define DAY_MS		86400000ULL

/* Element builders, so that the documents below stay readable. */
#define G(a)		"<NetworkDestinationGroupAddress>" a		\
			"</NetworkDestinationGroupAddress>"
#define P(a)		"<TransportDestinationPort>" a			\
			"</TransportDestinationPort>"
#define T(a)		"<MediaTransportSessionIdentifier>" a		\
			"</MediaTransportSessionIdentifier>"
#define S(a)		"<NetworkSourceAddress>" a "</NetworkSourceAddress>"
#define EP(x)		"<EndpointAddress>" x "</EndpointAddress>"
#define FLUTE_1		"<TransportProtocol protocolIdentifier=\""	\
			FLUTE_ID "\" protocolVersion=\"1\"/>"
#define ROOT_OPEN	"<MulticastGatewayConfiguration xmlns=\"" NS_2024 "\">"
#define ROOT_CLOSE	"</MulticastGatewayConfiguration>"
#define GW_OPEN		"<MulticastGatewayConfigurationTransportSession>"
#define GW_CLOSE	"</MulticastGatewayConfigurationTransportSession>"

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* The whole file, or NULL if it cannot be read. */
static char *
read_file(const char *path, size_t *len)
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

/* 1 if s is an IPv4 or IPv6 multicast address. */
static int
is_mcast(const char *s)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, s, a) == 1)
		return (a[0] & 0xf0) == 0xe0;
	return inet_pton(AF_INET6, s, a) == 1 && a[0] == 0xff;
}

/*
 * What every successfully parsed document must satisfy, whatever its
 * content: the number of broken rules.
 */
static int
invariants(const struct mgc *m)
{
	size_t i, j;
	int bad = 0;

	bad += m->nts > MGC_MAX_TS || m->nservices > MGC_MAX_SERVICES;
	for (i = 0; i < m->nts; i++) {
		const struct mgc_ts *t = &m->ts[i];

		bad += t->nendpoints < 1 || t->nendpoints > MGC_MAX_EP;
		bad += t->gateway != (t->service < 0);
		bad += t->service >= (int)m->nservices;
		bad += t->nfec > MGC_MAX_FEC || t->nlocators > MGC_MAX_LOCATORS;
		bad += t->nrefs > MGC_MAX_REFS;
		bad += t->ncomponents > MGC_MAX_COMPONENTS;
		for (j = 0; j < t->nendpoints && j < MGC_MAX_EP; j++)
			bad += !is_mcast(t->endpoints[j].group) ||
			    t->endpoints[j].port == 0;
		for (j = 0; j < t->nlocators; j++)
			bad += t->locators[j].uri == NULL ||
			    t->locators[j].uri[0] == '\0';
		for (j = 0; j < t->nrefs; j++)
			bad += t->refs[j].service_id == NULL;
	}
	for (i = 0; i < m->nservices; i++) {
		const struct mgc_service *s = &m->services[i];

		bad += s->id == NULL || s->first_ts + s->nts > m->nts;
		for (j = 0; j < s->nts && s->first_ts + j < m->nts; j++)
			bad += m->ts[s->first_ts + j].service != (int)i;
		for (j = 0; j < s->npml; j++)
			bad += s->pml[j].url == NULL ||
			    s->pml[j].manifest_id == NULL ||
			    s->pml[j].content_type == NULL;
	}
	return bad;
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

	if ((buf = read_file(SES_BOOTSTRAP, &len)) == NULL) {
		printf("SKIP: ../shared/data not present\n");
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

/* Refused: -1, a message, and nothing left to free. */
static void
check_refused(const void *buf, size_t len, const char *needle)
{
	struct mgc m;
	char err[256];

	memset(&m, 0xa5, sizeof(m));
	err[0] = '\0';
	CHECK(mgc_parse(buf, len, &m, err, sizeof(err)) == -1);
	CHECK(err[0] != '\0');
	if (strstr(err, needle) == NULL)
		fprintf(stderr, "want \"%s\" in: %s\n", needle, err);
	CHECK(strstr(err, needle) != NULL);
	CHECK(m.nts == 0 && m.ts == NULL && m.nservices == 0 &&
	    m.services == NULL);
}

static void
check_refused_str(const char *doc, const char *needle)
{
	check_refused(doc, strlen(doc), needle);
}

/* A document of at least size bytes: one session, then padding locators. */
static char *
big_doc(size_t size, size_t *len)
{
	static const char head[] = "<MulticastGatewayConfiguration xmlns=\""
	    NS_2024 "\"><MulticastGatewayConfigurationTransportSession>"
	    "<EndpointAddress><NetworkDestinationGroupAddress>239.1.1.1"
	    "</NetworkDestinationGroupAddress><TransportDestinationPort>1"
	    "</TransportDestinationPort></EndpointAddress><ObjectCarousel>";
	static const char loc[] =
	    "<ResourceLocator>http://dvb.gw/x</ResourceLocator>";
	static const char tail[] = "</ObjectCarousel>"
	    "</MulticastGatewayConfigurationTransportSession>"
	    "</MulticastGatewayConfiguration>";
	size_t n = (size - sizeof(head) - sizeof(tail)) / (sizeof(loc) - 1) + 1;
	size_t i, off;
	char *s;

	*len = sizeof(head) - 1 + n * (sizeof(loc) - 1) + sizeof(tail) - 1;
	if ((s = malloc(*len)) == NULL)
		return NULL;
	memcpy(s, head, sizeof(head) - 1);
	off = sizeof(head) - 1;
	for (i = 0; i < n; i++, off += sizeof(loc) - 1)
		memcpy(s + off, loc, sizeof(loc) - 1);
	memcpy(s + off, tail, sizeof(tail) - 1);
	return s;
}

static void
test_refused(void)
{
	static const char laughs[] = "<?xml version=\"1.0\"?>"
	    "<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
	    "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
	    "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
	    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
	    "<MulticastGatewayConfiguration xmlns=\"" NS_2024 "\">&lol3;"
	    "</MulticastGatewayConfiguration>";
	static const char xxe[] = "<?xml version=\"1.0\"?>"
	    "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	    "<MulticastGatewayConfiguration xmlns=\"" NS_2024 "\">"
	    "<MulticastSession serviceIdentifier=\"&x;\"/>"
	    "</MulticastGatewayConfiguration>";
	size_t len, i;
	char *s;

	check_refused_str(laughs, "DOCTYPE");
	check_refused_str(xxe, "DOCTYPE");
	check_refused_str("<FDT-Instance xmlns=\"urn:IETF:metadata:2005:"
	    "FLUTE:FDT\"/>", "root element");
	check_refused_str("<MulticastServerConfiguration xmlns=\"" NS_2024
	    "\"/>", "root element");
	check_refused_str("<MulticastGatewayConfiguration xmlns=\""
	    "urn:dvb:metadata:nativeip:2024\"/>", "namespace");
	check_refused_str("<MulticastGatewayConfiguration/>", "(none)");
	check_refused_str("<MulticastGatewayConfiguration xmlns=\""
	    "urn:dvb:metadata:MulticastSessionConfiguration:\"/>", "namespace");
	check_refused_str("<MulticastGatewayConfiguration xmlns=\""
	    "urn:dvb:metadata:MulticastSessionConfiguration:2024:and:a:very:"
	    "long:tail:that:does:not:fit:the:ns:field:of:the:struct\"/>",
	    "namespace");
	/* The namespace on a child, not the root, does not count. */
	check_refused_str("<MulticastGatewayConfiguration><x xmlns=\"" NS_2024
	    "\"/></MulticastGatewayConfiguration>", "namespace");
	check_refused_str("", "empty");
	check_refused_str("not XML at all", "not well-formed");
	check_refused_str("<MulticastGatewayConfiguration xmlns=\"" NS_2024
	    "\">", "not well-formed");
	/* 100 000 nested elements under a good root. */
	len = 100000;
	REQUIRE((s = malloc(len * 7 + 200)) != NULL);
	i = (size_t)sprintf(s, "<MulticastGatewayConfiguration xmlns=\"%s\">",
	    NS_2024);
	for (size_t k = 0; k < len; k++, i += 3)
		memcpy(s + i, "<a>", 3);
	for (size_t k = 0; k < len; k++, i += 4)
		memcpy(s + i, "</a>", 4);
	i += (size_t)sprintf(s + i, "</MulticastGatewayConfiguration>");
	check_refused(s, i, "gateway configuration: ");
	free(s);
	/* 9 MB, well-formed: over the size limit. */
	REQUIRE((s = big_doc(9u << 20, &len)) != NULL);
	CHECK(len >= 9u << 20);
	check_refused(s, len, "limit");
	free(s);
}

/* The SES bootstrap cut short every 97 bytes: never accepted half. */
static void
test_ses_truncated(void)
{
	struct mgc m;
	char err[256];
	size_t len, k, refused = 0;
	char *buf;
	int rc;

	if ((buf = read_file(SES_BOOTSTRAP, &len)) == NULL) {
		printf("SKIP: ../shared/data not present\n");
		return;
	}
	for (k = 0; k < len; k += 97) {
		err[0] = '\0';
		rc = mgc_parse(buf, k, &m, err, sizeof(err));
		/* Only the whole closing tag makes a well-formed prefix. */
		if (k < len - 1) {
			CHECK(rc == -1 && err[0] != '\0');
			CHECK(m.ts == NULL && m.nts == 0);
		}
		if (rc == 0) {
			CHECK(invariants(&m) == 0);
			mgc_free(&m);
		} else {
			refused++;
		}
	}
	CHECK_EQ_U(refused, (len + 96) / 97);
	free(buf);
}

/* xorshift64: a fixed seed, so every run flips the same bytes. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
test_ses_flipped(void)
{
	uint64_t seed = 0x4d47432d666c6970ULL;
	int ok = 0, refused = 0, iter, k;
	struct mgc m;
	char err[256];
	size_t len;
	char *buf, *copy;

	if ((buf = read_file(SES_BOOTSTRAP, &len)) == NULL) {
		printf("SKIP: ../shared/data not present\n");
		return;
	}
	if ((copy = malloc(len)) == NULL) {
		free(buf);
		REQUIRE(0);
	}
	for (iter = 0; iter < 300; iter++) {
		memcpy(copy, buf, len);
		for (k = 0; k <= (int)(rnd(&seed) % 4); k++)
			copy[rnd(&seed) % len] = (char)(rnd(&seed) & 0xff);
		err[0] = '\0';
		if (mgc_parse(copy, len, &m, err, sizeof(err)) == 0) {
			ok++;
			CHECK(invariants(&m) == 0);
			CHECK(m.nts + m.dropped_sessions <= 14);
			mgc_free(&m);
		} else {
			refused++;
			CHECK(err[0] != '\0' && m.ts == NULL);
		}
	}
	/* Both outcomes occur, so both paths were exercised. */
	CHECK(ok > 0 && refused > 0);
	free(copy);
	free(buf);
}

/* One gateway session around an EndpointAddress body, parsed. */
static int
parse_ep(const char *ep, struct mgc *m)
{
	char doc[2048], err[256];

	snprintf(doc, sizeof(doc), "<MulticastGatewayConfiguration xmlns=\""
	    NS_2024 "\"><MulticastGatewayConfigurationTransportSession>%s"
	    "</MulticastGatewayConfigurationTransportSession>"
	    "</MulticastGatewayConfiguration>", ep);
	return mgc_parse(doc, strlen(doc), m, err, sizeof(err));
}


static void
test_endpoints(void)
{
	static const struct {
		const char	*xml;
		int		 keep;
	} cases[] = {
		{ EP(G("239.1.1.1") P("1234") T("7")), 1 },
		{ EP(G("239.1.1.1") P(" 65535 ")), 1 },
		{ EP(G("ff05::1:3") P("1")), 1 },
		{ EP(S("2001:db8::5") G("ff3e::1234") P("9")), 1 },
		{ EP(S("") G("224.0.0.251") P("5353") T("0")), 1 },
		{ EP(G("10.0.0.1") P("1234")), 0 },		/* unicast */
		{ EP(G("2001:db8::1") P("1234")), 0 },
		{ EP(G("239.1.1") P("1234")), 0 },
		{ EP(G("239.1.1.256") P("1234")), 0 },
		{ EP(G("ff02::1%eth0") P("1234")), 0 },
		{ EP(G("") P("1234")), 0 },
		{ EP(P("1234")), 0 },				/* no group */
		{ EP(G("239.1.1.1")), 0 },			/* no port */
		{ EP(G("239.1.1.1") P("0")), 0 },
		{ EP(G("239.1.1.1") P("65536")), 0 },
		{ EP(G("239.1.1.1") P("80x")), 0 },
		{ EP(G("239.1.1.1") P("-1")), 0 },
		{ EP(G("239.1.1.1") P("1234") T("abc")), 0 },
		{ EP(G("239.1.1.1") P("1234") T("-1")), 0 },
		{ EP(G("239.1.1.1") P("1234") T("")), 0 },
		{ EP(G("239.1.1.1") P("1234") T("18446744073709551616")), 0 },
		{ EP(S("not-an-ip") G("239.1.1.1") P("1")), 0 },
		{ EP(S("2001:db8::5") G("239.1.1.1") P("1")), 0 },
		{ EP(S("239.9.9.9") G("239.1.1.1") P("1")), 0 },
		{ "", 0 },					/* none */
		/* One bad and one good endpoint: the good one is kept. */
		{ EP(G("10.0.0.1") P("1")) EP(G("239.4.4.4") P("2")), 1 },
	};
	size_t i, keep = 0, all_len = 0;
	char err[256], doc[1024], *all;
	struct mgc m;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		REQUIRE(parse_ep(cases[i].xml, &m) == 0);
		if (m.nts != (size_t)cases[i].keep)
			fprintf(stderr, "endpoint case %zu: %s\n", i,
			    cases[i].xml);
		CHECK_EQ_U(m.nts, cases[i].keep);
		CHECK_EQ_U(m.dropped_sessions, !cases[i].keep);
		CHECK(invariants(&m) == 0);
		if (m.nts == 1)
			CHECK_EQ_U(m.ts[0].nendpoints, 1);
		keep += (size_t)cases[i].keep;
		all_len += strlen(cases[i].xml) + 128;
		mgc_free(&m);
	}
	/* All of them in one document: the counts add up. */
	REQUIRE((all = malloc(all_len + 256)) != NULL);
	strcpy(all, "<MulticastGatewayConfiguration xmlns=\"" NS_2024 "\">");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strcat(all, "<MulticastGatewayConfigurationTransportSession>");
		strcat(all, cases[i].xml);
		strcat(all, "</MulticastGatewayConfigurationTransportSession>");
	}
	strcat(all, "</MulticastGatewayConfiguration>");
	CHECK(mgc_parse(all, strlen(all), &m, err, sizeof(err)) == 0);
	CHECK_EQ_U(m.nts, keep);
	CHECK_EQ_U(m.dropped_sessions, sizeof(cases) / sizeof(cases[0]) - keep);
	CHECK(streq(m.ts[1].endpoints[0].group, "239.1.1.1"));
	CHECK(m.ts[1].endpoints[0].port == 65535);
	CHECK(!m.ts[1].endpoints[0].has_tsi);
	CHECK(streq(m.ts[3].endpoints[0].source, "2001:db8::5"));
	CHECK(streq(m.ts[keep - 1].endpoints[0].group, "239.4.4.4"));
	mgc_free(&m);
	free(all);
	/* A service without serviceIdentifier: its sessions are dropped. */
	snprintf(doc, sizeof(doc), ROOT_OPEN "<MulticastSession>"
	    "<MulticastTransportSession>" EP(G("239.1.1.1") P("1"))
	    "</MulticastTransportSession><MulticastTransportSession>"
	    EP(G("239.1.1.2") P("1")) "</MulticastTransportSession>"
	    "</MulticastSession>" ROOT_CLOSE);
	CHECK(mgc_parse(doc, strlen(doc), &m, err, sizeof(err)) == 0);
	CHECK(m.nts == 0 && m.nservices == 0 && m.dropped_sessions == 2);
	mgc_free(&m);
}

/* n copies of piece between head and tail; caller frees. */
static char *
repeat(const char *head, const char *piece, size_t n, const char *tail,
    size_t *len)
{
	size_t hl = strlen(head), pl = strlen(piece), tl = strlen(tail), i;
	char *s = malloc(hl + n * pl + tl + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, head, hl);
	for (i = 0; i < n; i++)
		memcpy(s + hl + i * pl, piece, pl);
	memcpy(s + hl + n * pl, tail, tl + 1);
	*len = hl + n * pl + tl;
	return s;
}


/* Parse n pieces inside one gateway session (or at the root: bare). */
static int
parse_many(const char *piece, size_t n, int bare, struct mgc *m)
{
	char err[256], *s;
	size_t len;
	int rc;

	s = bare ? repeat(ROOT_OPEN, piece, n, ROOT_CLOSE, &len) :
	    repeat(ROOT_OPEN GW_OPEN EP(G("239.0.0.1") P("1")), piece, n,
	    GW_CLOSE ROOT_CLOSE, &len);
	if (s == NULL)
		return -2;
	rc = mgc_parse(s, len, m, err, sizeof(err));
	free(s);
	return rc;
}

static void
test_bounds(void)
{
	struct mgc m;

	/* Endpoints: exactly MGC_MAX_EP is fine; one more is truncated. */
	REQUIRE(parse_many(EP(G("239.1.1.1") P("2")), MGC_MAX_EP - 1, 0,
	    &m) == 0);
	CHECK(m.nts == 1 && m.ts[0].nendpoints == MGC_MAX_EP && !m.truncated);
	mgc_free(&m);
	REQUIRE(parse_many(EP(G("239.1.1.1") P("2")), MGC_MAX_EP + 4, 0,
	    &m) == 0);
	CHECK(m.nts == 1 && m.ts[0].nendpoints == MGC_MAX_EP && m.truncated);
	CHECK(streq(m.ts[0].endpoints[0].group, "239.0.0.1"));
	CHECK(m.ts[0].endpoints[MGC_MAX_EP - 1].port == 2);
	mgc_free(&m);
	/* Transport sessions. */
	REQUIRE(parse_many(GW_OPEN EP(G("239.1.1.1") P("2")) GW_CLOSE,
	    MGC_MAX_TS + 3, 1, &m) == 0);
	CHECK(m.nts == MGC_MAX_TS && m.truncated && invariants(&m) == 0);
	mgc_free(&m);
	/* Services, each with one session. */
	REQUIRE(parse_many("<MulticastSession serviceIdentifier=\"s\">"
	    "<MulticastTransportSession>" EP(G("239.1.1.1") P("2"))
	    "</MulticastTransportSession></MulticastSession>",
	    MGC_MAX_SERVICES + 1, 1, &m) == 0);
	CHECK(m.nservices == MGC_MAX_SERVICES && m.nts == MGC_MAX_SERVICES);
	CHECK(m.truncated && invariants(&m) == 0);
	CHECK(m.services[MGC_MAX_SERVICES - 1].first_ts == MGC_MAX_TS - 1);
	mgc_free(&m);
	/* Locators, refs, FEC, BaseURL, components. */
	REQUIRE(parse_many("<ObjectCarousel>" "</ObjectCarousel>", 1, 0,
	    &m) == 0);
	CHECK(m.ts[0].has_carousel && m.ts[0].nlocators == 0 && !m.truncated);
	mgc_free(&m);
	{
		char *s;
		size_t len;
		char err[256];

		REQUIRE((s = repeat(ROOT_OPEN GW_OPEN EP(G("239.0.0.1") P("1"))
		    "<ObjectCarousel>", "<ResourceLocator>u</ResourceLocator>"
		    "<InitSegments serviceIdRef=\"x\"/>",
		    MGC_MAX_LOCATORS + 2, "</ObjectCarousel>" GW_CLOSE
		    ROOT_CLOSE, &len)) != NULL);
		CHECK(mgc_parse(s, len, &m, err, sizeof(err)) == 0);
		free(s);
		CHECK(m.nts == 1 && m.truncated);
		CHECK(m.ts[0].nlocators == MGC_MAX_LOCATORS);
		CHECK(m.ts[0].nrefs == MGC_MAX_REFS);
		mgc_free(&m);
	}
	REQUIRE(parse_many("<ForwardErrorCorrectionParameters>"
	    "<SchemeIdentifier>urn:ietf:rmt:fec:encoding:6</SchemeIdentifier>"
	    "</ForwardErrorCorrectionParameters>", MGC_MAX_FEC + 1, 0,
	    &m) == 0);
	CHECK(m.ts[0].nfec == MGC_MAX_FEC && m.truncated &&
	    m.ts[0].fec[MGC_MAX_FEC - 1].fei == 6);
	mgc_free(&m);
	REQUIRE(parse_many("<UnicastRepairParameters>"
	    "<BaseURL>http://a/</BaseURL><BaseURL>http://b/</BaseURL>"
	    "<BaseURL>http://c/</BaseURL><BaseURL>http://d/</BaseURL>"
	    "<BaseURL>http://e/</BaseURL><BaseURL>http://f/</BaseURL>"
	    "<BaseURL>http://g/</BaseURL><BaseURL>http://h/</BaseURL>"
	    "<BaseURL>http://i/</BaseURL></UnicastRepairParameters>", 1, 0,
	    &m) == 0);
	CHECK(m.ts[0].repair.nbase == MGC_MAX_BASEURL && m.truncated);
	CHECK(streq(m.ts[0].repair.base[MGC_MAX_BASEURL - 1].url, "http://h/"));
	mgc_free(&m);
	REQUIRE(parse_many("<ServiceComponentIdentifier manifestIdRef=\"m\"/>",
	    MGC_MAX_COMPONENTS + 1, 0, &m) == 0);
	CHECK(m.ts[0].ncomponents == MGC_MAX_COMPONENTS && m.truncated);
	mgc_free(&m);
	REQUIRE(parse_many("<MulticastSession serviceIdentifier=\"s\">"
	    "<PresentationManifestLocator manifestId=\"a\"/>"
	    "<PresentationManifestLocator manifestId=\"b\"/>"
	    "<PresentationManifestLocator manifestId=\"c\"/>"
	    "<PresentationManifestLocator manifestId=\"d\"/>"
	    "<PresentationManifestLocator manifestId=\"e\"/>"
	    "</MulticastSession>",
	    1, 1, &m) == 0);
	CHECK(m.nservices == 1 && m.services[0].npml == 5 && !m.truncated);
	CHECK(streq(m.services[0].pml[4].manifest_id, "e"));
	CHECK(streq(m.services[0].pml[4].content_type, ""));
	mgc_free(&m);
}

/* Numbers out of range or not numbers: the field is absent. */
static void
test_bad_numbers(void)
{
	static const char doc[] =
	    "<MulticastGatewayConfiguration xmlns=\"" NS_2024 "\""
	    " schemaVersion=\"two\" validUntil=\"2099-02-30T00:00:00Z\""
	    " validityPeriod=\"P1H\">"
	    "<MulticastGatewayConfigurationTransportSession"
	    " sessionIdleTimeout=\"PT30S\" transportSecurity=\"paranoid\">"
	    "<TransportProtocol protocolIdentifier=\"urn:x:NORM\""
	    " protocolVersion=\"v1\"/>"
	    EP(G("239.1.1.1") P("2"))
	    "<BitRate average=\"-5\" maximum=\"99999999999999999999999\"/>"
	    "<ForwardErrorCorrectionParameters><SchemeIdentifier>"
	    "urn:ietf:rmt:fec:encoding:300</SchemeIdentifier>"
	    "</ForwardErrorCorrectionParameters>"
	    "<ForwardErrorCorrectionParameters><SchemeIdentifier>"
	    "URN:IETF:RMT:FEC:ENCODING:1</SchemeIdentifier>"
	    "<OverheadPercentage>lots</OverheadPercentage>"
	    EP(G("10.0.0.1") P("5"))
	    "</ForwardErrorCorrectionParameters>"
	    "<ForwardErrorCorrectionParameters><SchemeIdentifier>"
	    "urn:example:fec:1</SchemeIdentifier>"
	    "</ForwardErrorCorrectionParameters>"
	    "<UnicastRepairParameters transportObjectReceptionTimeout=\"-1\""
	    " fixedBackOffPeriod=\"4294967296\""
	    " randomBackOffPeriod=\"PT0.25S\">"
	    "<BaseURL relativeWeight=\"heavy\">http://r/</BaseURL>"
	    "<BaseURL>  </BaseURL>"
	    "</UnicastRepairParameters>"
	    "<ObjectCarousel aggregateTransportSize=\"1e6\""
	    " aggregateContentSize=\"18446744073709551615\">"
	    "<ResourceLocator targetAcquisitionLatency=\"5s\">u"
	    "</ResourceLocator>"
	    "<PresentationManifests serviceIdRef=\"\"/>"
	    "</ObjectCarousel>"
	    "</MulticastGatewayConfigurationTransportSession>"
	    "<MulticastSession serviceIdentifier=\"svc\""
	    " contentPlaybackAvailabilityOffset=\"-PT4S\">"
	    "<MulticastTransportSession sessionIdleTimeout=\"-1\""
	    " transmissionMode=\"Chunked\">"
	    "<TransportProtocol protocolIdentifier=\"ROUTE\"/>"
	    EP(G("239.1.1.2") P("3")) "</MulticastTransportSession>"
	    "</MulticastSession>"
	    "</MulticastGatewayConfiguration>";
	const struct mgc_ts *t;
	struct mgc m;
	char err[256];

	REQUIRE(mgc_parse(doc, strlen(doc), &m, err, sizeof(err)) == 0);
	CHECK(invariants(&m) == 0 && !m.truncated);
	CHECK(m.schema_version == -1);
	CHECK(!m.has_valid_until && !m.has_validity_period);
	REQUIRE(m.nts == 2 && m.nservices == 1);
	t = &m.ts[0];
	CHECK(t->idle_timeout_ms == 30000);	/* a duration: tolerated */
	CHECK(t->security == MGC_SEC_NONE);
	CHECK(t->proto == MGC_PROTO_OTHER && t->proto_version == 0);
	CHECK(t->bitrate_avg == 0 && t->bitrate_max == 0);
	/* Only the upper-case URN with a usable FEI survives, sans endpoint. */
	REQUIRE(t->nfec == 1);
	CHECK(t->fec[0].fei == 1 && t->fec[0].overhead_pct == 0 &&
	    !t->fec[0].has_endpoint);
	CHECK(t->has_repair && t->repair.reception_timeout_ms == 0);
	CHECK(t->repair.fixed_backoff_ms == 0);
	CHECK(t->repair.random_backoff_ms == 250);
	CHECK(t->repair.nbase == 1 && t->repair.base[0].weight == 1);
	CHECK(t->carousel_transport_size == 0);
	CHECK(t->carousel_content_size == UINT64_MAX);
	CHECK(t->nlocators == 1 && t->locators[0].latency_ms == 0);
	CHECK(t->nrefs == 0);	/* empty serviceIdRef in a gateway session */
	t = &m.ts[1];
	CHECK(m.services[0].playback_offset_ms == 0);
	CHECK(t->idle_timeout_ms == 0 && !t->chunked);
	CHECK(t->proto == MGC_PROTO_ROUTE);
	mgc_free(&m);
}


TEST_MAIN(TEST(test_ses_bootstrap), TEST(test_full_2024),
    TEST(test_full_ns2_2023), TEST(test_gpac_style), TEST(test_refused),
    TEST(test_ses_truncated), TEST(test_ses_flipped), TEST(test_endpoints),
    TEST(test_bounds), TEST(test_bad_numbers))
