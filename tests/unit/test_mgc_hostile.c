/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_mgc_hostile.c: the MulticastGatewayConfiguration parser on hostile
 * input: DTDs and entity bombs, depth, size, wrong roots and namespaces,
 * the real SES bootstrap truncated and byte-flipped (skipped when
 * ../shared/data is absent), malformed and unusable endpoints, every
 * MGC_MAX_* bound, and numbers that are out of range or not numbers.
 * Nothing may crash or leak; what is accepted must satisfy invariants().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "mgc_harness.h"

#define S(a)		"<NetworkSourceAddress>" a "</NetworkSourceAddress>"
#define ROOT_OPEN	"<MulticastGatewayConfiguration xmlns=\"" NS_2024 "\">"
#define ROOT_CLOSE	"</MulticastGatewayConfiguration>"
#define GW_OPEN		"<MulticastGatewayConfigurationTransportSession>"
#define GW_CLOSE	"</MulticastGatewayConfigurationTransportSession>"

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
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

	if ((buf = sample_read(SES_BOOTSTRAP, &len)) == NULL) {
		sample_skip(SES_BOOTSTRAP);
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

	if ((buf = sample_read(SES_BOOTSTRAP, &len)) == NULL) {
		sample_skip(SES_BOOTSTRAP);
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

TEST_MAIN(TEST(test_refused), TEST(test_ses_truncated),
    TEST(test_ses_flipped), TEST(test_endpoints), TEST(test_bounds),
    TEST(test_bad_numbers))
