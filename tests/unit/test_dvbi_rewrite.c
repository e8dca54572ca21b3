/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_dvbi_rewrite.c: the semantics of the DVB-I service list rewrite.
 * The SES list (../shared/data) instance by instance: copies on the box
 * first with the original priorities, the originals moved behind, versions
 * bumped, MediaUris mapped, and what the parser then picks; a custom
 * mapping; signatures and digests dropped; the three HLS forms; the
 * instance rule on mixed instances; @version of any length; limits; and
 * hostile input (entities, wrong roots, nesting, truncation, byte flips).
 * The XSD round trip over every real list is test_dvbi_rewrite_xsd.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "../../dvb-i/dvbi.h"
#include "../../dvb-i/xmlu.h"
#include "rewrite_harness.h"
#include "sample_harness.h"
#include "test.h"

#define BASE	"http://192.0.2.7:8080"
#define NS26	"urn:dvb:metadata:servicediscovery:2026"
#define MAXI	64	/* instances per service the checks look at */
#define TP1045	SAMPLE_SES "/service_list_tp1045.xml"

static size_t
count_str(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* Maps only dvb.gw URLs that contain arg ("/B1/"). */
static int
map_only(void *arg, const char *url, char *path, size_t len)
{
	if (strncmp(url, "http://dvb.gw/", 14) != 0 || !strstr(url, arg))
		return -1;
	snprintf(path, len, "/%s", url + 14);
	return 0;
}

/* Answers a path that does not start with '/': never used. */
static int
map_relative(void *arg, const char *url, char *path, size_t len)
{
	(void)arg;
	(void)url;
	snprintf(path, len, "relative/x.m3u8");
	return 0;
}

/* ---- the SES list, instance by instance ---- */

/* The locator text of a ServiceInstance into buf. */
static int
inst_url(const xmlNode *n, char *buf, size_t len)
{
	const xmlNode *k;

	XMLU_FOREACH(k, n, NULL) {
		if (xmlu_is(k, "IdentifierBasedDeliveryParameters") ||
		    (xmlu_is(k, "URI") && xmlu_child(k, NULL) == NULL))
			return xmlu_text(k, buf, len);
		if (inst_url(k, buf, len) >= 0)
			return 0;
	}
	return -1;
}

static uint64_t
prio(const xmlNode *n)
{
	uint64_t p = 0;

	if (xmlu_attr(n, "priority") != NULL)
		CHECK(xmlu_u64(xmlu_attr(n, "priority"), UINT32_MAX, &p) == 0);
	return p;
}

static size_t
instances(const xmlNode *svc, const xmlNode **v)
{
	const xmlNode *n;
	size_t k = 0;

	XMLU_FOREACH(n, svc, "ServiceInstance")
		if (k < MAXI)
			v[k++] = n;
	return k;
}

/*
 * The rule, for a service whose every instance the box serves: the
 * copies first with the original priorities and URLs on the box, then
 * the originals in the same order, each moved up by max + 1.
 */
static void
check_service(const xmlNode *so, const xmlNode *sn)
{
	const xmlNode *vo[MAXI], *vn[MAXI];
	char uo[512], un[512], want[600];
	uint64_t maxp = 0, v0 = 0, v1 = 0;
	size_t no, nn, j;

	no = instances(so, vo);
	nn = instances(sn, vn);
	REQUIRE(no > 0 && nn == 2 * no);
	for (j = 0; j < no; j++)
		maxp = prio(vo[j]) > maxp ? prio(vo[j]) : maxp;
	for (j = 0; j < no; j++) {
		REQUIRE(inst_url(vo[j], uo, sizeof(uo)) >= 0);
		REQUIRE(strncmp(uo, "http://dvb.gw/", 14) == 0);
		snprintf(want, sizeof(want), "%s/%s", BASE, uo + 14);
		CHECK(inst_url(vn[j], un, sizeof(un)) >= 0 && !strcmp(un, want));
		CHECK_EQ_U(prio(vn[j]), prio(vo[j]));
		CHECK(inst_url(vn[no + j], un, sizeof(un)) >= 0 && !strcmp(un, uo));
		CHECK_EQ_U(prio(vn[no + j]), prio(vo[j]) + maxp + 1);
	}
	CHECK(xmlu_u64(xmlu_attr(so, "version"), UINT64_MAX, &v0) == 0);
	CHECK(xmlu_u64(xmlu_attr(sn, "version"), UINT64_MAX, &v1) == 0);
	CHECK_EQ_U(v1, v0 + 1);
}

/* Every MediaUri below n into *all, those on the box into *box. */
static void
count_media(const xmlNode *n, size_t *all, size_t *box)
{
	const xmlNode *k;
	char u[512];

	XMLU_FOREACH(k, n, NULL) {
		if (xmlu_is(k, "MediaUri") && xmlu_text(k, u, sizeof(u)) > 0) {
			(*all)++;
			*box += strncmp(u, BASE "/", strlen(BASE) + 1) == 0;
		}
		count_media(k, all, box);
	}
}

static void
check_ses_parse(const struct out *o)
{
	const struct dvbi_instance *pi;
	struct dvbi_list l;
	char err[256];
	size_t i;

	REQUIRE(dvbi_parse(o->buf, o->len, &l, err, sizeof(err)) == 0);
	CHECK_EQ_U(l.version, 2);
	CHECK_EQ_U(l.nservices, 3);
	for (i = 0; i < l.nservices; i++) {
		CHECK_EQ_U(l.services[i].ninstances, 4);
		CHECK_EQ_U(l.services[i].version, 2);
		pi = dvbi_playable(&l.services[i], 0);
		CHECK(pi != NULL && pi->kind == DVBI_KIND_DASH &&
		    strncmp(pi->url, BASE "/", strlen(BASE) + 1) == 0);
		pi = dvbi_playable(&l.services[i], 1);
		CHECK(pi != NULL && pi->kind == DVBI_KIND_HLS &&
		    strncmp(pi->url, BASE "/", strlen(BASE) + 1) == 0);
	}
	dvbi_list_free(&l);
}

static void
test_ses_semantics(void)
{
	const struct dvbi_rewrite_opts opts = { BASE, NULL, NULL };
	const xmlNode *ro, *rn, *so, *sn, *vn[MAXI];
	size_t len, all = 0, box = 0, all0 = 0, box0 = 0, nsvc = 0;
	char err[256], u[512];
	xmlDocPtr orig;
	struct out o;
	char *buf;

	if ((buf = sample_read(TP1045, &len)) == NULL) {
		sample_skip("SES list semantics");
		return;
	}
	REQUIRE((orig = xmlu_parse(buf, len, "tp1045", err, sizeof(err))) != NULL);
	if (rewrite(buf, len, &opts, &o) != 0)
		goto out;
	ro = xmlDocGetRootElement(orig);
	rn = xmlDocGetRootElement(o.doc);
	CHECK(!strcmp(xmlu_attr(rn, "version"), "2"));
	for (so = xmlu_child(ro, "Service"), sn = xmlu_child(rn, "Service");
	    so != NULL && sn != NULL; so = xmlu_next(so, "Service"),
	    sn = xmlu_next(sn, "Service"), nsvc++)
		check_service(so, sn);
	CHECK_EQ_U(nsvc, 3);
	/* The first service spelled out: what a player sees. */
	sn = xmlu_child(rn, "Service");
	CHECK_EQ_U(instances(sn, vn), 4);
	CHECK(inst_url(vn[0], u, sizeof(u)) >= 0 &&
	    !strcmp(u, BASE "/ses.com/livesim2/B1/Manifest.mpd"));
	CHECK(!strcmp(xmlu_attr(vn[0], "priority"), "1"));
	CHECK(xmlu_is(xmlu_child(vn[1], "IdentifierBasedDeliveryParameters"),
	    "IdentifierBasedDeliveryParameters"));
	CHECK(!strcmp(xmlu_attr(vn[1], "priority"), "2"));
	CHECK(!strcmp(xmlu_attr(vn[2], "priority"), "4"));
	CHECK(!strcmp(xmlu_attr(vn[3], "priority"), "5"));
	count_media(ro, &all0, &box0);
	count_media(rn, &all, &box);
	CHECK(all0 > 0 && box0 == 0 && all == all0 && box == all);
	CHECK(strstr(o.buf, ">" BASE "/ses.com/dvbi/cg/manifest.xml<") != NULL);
	CHECK(strstr(o.buf, "http://dvb.gw/ses.com/livesim2/B1/Manifest.mpd"));
	CHECK(strstr(o.buf, "http://dvb.gw/ses.com/livesim2/C1/playlist.m3u8"));
	/* Copies use the namespaces in scope instead of declaring them. */
	CHECK_EQ_U(count_str(o.buf, "xmlns:dvbi-types="), 1);
	CHECK_EQ_U(count_str(o.buf, "xmlns="), 1);
	check_ses_parse(&o);
out:
	out_free(&o);
	xmlFreeDoc(orig);
	free(buf);
}

/* A mapping that serves only B1: nothing else moves. */
static void
test_custom_mapping(void)
{
	const struct dvbi_rewrite_opts opts = { BASE, map_only, "/B1/" };
	const struct dvbi_rewrite_opts rel = { BASE, map_relative, NULL };
	const xmlNode *rn, *sn, *vn[MAXI];
	size_t len;
	struct out o;
	char *buf;

	if ((buf = sample_read(TP1045, &len)) == NULL) {
		sample_skip("custom mapping");
		return;
	}
	if (rewrite(buf, len, &opts, &o) == 0) {
		rn = xmlDocGetRootElement(o.doc);
		sn = xmlu_child(rn, "Service");
		CHECK_EQ_U(instances(sn, vn), 4);
		CHECK(!strcmp(xmlu_attr(sn, "version"), "2"));
		for (sn = xmlu_next(sn, "Service"); sn; sn = xmlu_next(sn, "Service")) {
			CHECK_EQ_U(instances(sn, vn), 2);
			CHECK(!strcmp(xmlu_attr(vn[0], "priority"), "1"));
			CHECK(!strcmp(xmlu_attr(sn, "version"), "1"));
		}
		CHECK_EQ_U(count_str(o.buf, BASE), 2);
		CHECK(!strcmp(xmlu_attr(rn, "version"), "2"));
	}
	out_free(&o);
	/* A path that is not absolute is refused: nothing rewritten. */
	if (rewrite(buf, len, &rel, &o) == 0)
		CHECK_EQ_U(count_str(o.buf, BASE), 0);
	out_free(&o);
	free(buf);
}

/* ---- inline lists ---- */

#define HEAD26(ver)							\
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"			\
	"<ServiceList xmlns=\"" NS26 "\" xmlns:dvbi-types="		\
	"\"urn:dvb:metadata:servicediscovery-types:2026\" "		\
	"xmlns:tva=\"urn:tva:metadata:2026\" "				\
	"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "	\
	"xmlns:hls=\"vnd:apple:mpegurl\" "				\
	"xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" "		\
	"id=\"tag:example.com,2026:t\" version=\"" ver "\" xml:lang=\"en\">\n" \
	"\t<Name>T</Name>\n\t<ProviderName>P</ProviderName>\n"
#define SVC(id, inst)							\
	"\t<Service version=\"3\">\n\t\t<UniqueIdentifier>" id		\
	"</UniqueIdentifier>\n" inst "\t\t<ServiceName>S</ServiceName>\n" \
	"\t\t<ProviderName>P</ProviderName>\n\t</Service>\n"
#define DASH(attrs, url)						\
	"\t\t<ServiceInstance" attrs ">\n\t\t\t<DASHDeliveryParameters>" \
	"<UriBasedLocation contentType=\"application/dash+xml\">"	\
	"<dvbi-types:URI>" url "</dvbi-types:URI></UriBasedLocation>"	\
	"</DASHDeliveryParameters>\n\t\t</ServiceInstance>\n"
#define TAIL	"</ServiceList>\n"

static const char signed_list[] =
HEAD26("7")
"\t<SignaturePolicies>\n"
"\t\t<dvbi-types:SignaturePolicy policyId=\"urn:example:policy:1\">\n"
"\t\t\t<dvbi-types:Enforcement>required</dvbi-types:Enforcement>\n"
"\t\t\t<dvbi-types:TrustAnchor><dvbi-types:CAFingerprint algorithm=\"sha-256\">"
"AB:CD:EF</dvbi-types:CAFingerprint></dvbi-types:TrustAnchor>\n"
"\t\t</dvbi-types:SignaturePolicy>\n"
"\t</SignaturePolicies>\n"
"\t<RelatedMaterial>\n"
"\t\t<tva:HowRelated href=\"urn:dvb:metadata:cs:HowRelatedCS:2021:1001.1\"/>\n"
"\t\t<tva:MediaLocator><tva:MediaUri contentType=\"image/png\" "
"integrity=\"sha256=:q1w2e3==:\" verificationPolicy=\"urn:example:policy:1\">"
"http://dvb.gw/example.com/list-logo.png</tva:MediaUri></tva:MediaLocator>\n"
"\t</RelatedMaterial>\n"
SVC("tag:example.com,2026:one",
"\t\t<ServiceInstance priority=\"1\" id=\"dash\">\n"
"\t\t\t<DASHDeliveryParameters><UriBasedLocation contentType=\"application/dash+xml\">"
"<dvbi-types:URI verificationPolicy=\"urn:example:policy:1\">"
"http://dvb.gw/example.com/one/manifest.mpd</dvbi-types:URI></UriBasedLocation>"
"</DASHDeliveryParameters>\n"
"\t\t</ServiceInstance>\n")
"\t<ds:Signature>\n"
"\t\t<ds:SignedInfo><ds:Reference URI=\"\"><ds:DigestValue>AAAA</ds:DigestValue>"
"</ds:Reference></ds:SignedInfo>\n"
"\t\t<ds:SignatureValue>BBBB</ds:SignatureValue>\n"
"\t</ds:Signature>\n"
TAIL;

/* Digest attributes outside the schema, and a Signature not in ds:. */
static const char digest_list[] =
HEAD26("1")
"\t<RelatedMaterial><tva:MediaLocator><tva:MediaUri contentType=\"image/png\" "
"contentDigest=\"x\" sha256Digest=\"y\" lang=\"keep\">"
"http://dvb.gw/l.png</tva:MediaUri></tva:MediaLocator></RelatedMaterial>\n"
"\t<RelatedMaterial><tva:MediaLocator><tva:MediaUri integrity=\"kept\">"
"http://elsewhere.example/l.png</tva:MediaUri></tva:MediaLocator>"
"</RelatedMaterial>\n"
"\t<Signature xmlns=\"urn:not:dsig\">kept</Signature>\n"
"\t<Other><ds:Signature>nested</ds:Signature></Other>\n"
TAIL;

static void
test_signatures(void)
{
	const struct dvbi_rewrite_opts opts = { BASE, NULL, NULL };
	struct xsd cache[2];
	char why[256], err[256];
	xmlSchemaPtr s = NULL;
	xmlDocPtr doc;
	struct out o;
	struct stat sb;

	memset(cache, 0, sizeof(cache));
	if (stat(SAMPLE_XSD, &sb) == 0) {
		s = xsd_get(cache, 2, "dvbi_v8.0.xsd");
		doc = xmlu_parse(signed_list, strlen(signed_list), "t", err,
		    sizeof(err));
		CHECK(doc != NULL && xsd_valid(s, doc, why));
		xmlFreeDoc(doc);
	}
	if (rewrite(signed_list, strlen(signed_list), &opts, &o) == 0) {
		CHECK(strstr(o.buf, "SignaturePolic") == NULL);
		CHECK(strstr(o.buf, "Signature") == NULL);
		CHECK(strstr(o.buf, "DigestValue") == NULL);
		/* Only the original URI keeps its policy; MediaUri lost both. */
		CHECK_EQ_U(count_str(o.buf, "verificationPolicy="), 1);
		CHECK(strstr(o.buf, "integrity=") == NULL);
		CHECK(strstr(o.buf, "<dvbi-types:URI>" BASE
		    "/example.com/one/manifest.mpd</dvbi-types:URI>") != NULL);
		CHECK(strstr(o.buf, "id=\"dash-local\"") != NULL);
		CHECK(strstr(o.buf, "id=\"dash\"") != NULL);
		CHECK(strstr(o.buf, "version=\"8\"") != NULL);
		CHECK(strstr(o.buf, "<Service version=\"4\">") != NULL);
		if (s != NULL)
			CHECK(xsd_valid(s, o.doc, why));
	}
	out_free(&o);
	if (s != NULL)
		xmlSchemaFree(s);
	if (rewrite(digest_list, strlen(digest_list), &opts, &o) == 0) {
		CHECK(strstr(o.buf, "Digest=") == NULL);
		CHECK(strstr(o.buf, "lang=\"keep\"") != NULL);
		CHECK(strstr(o.buf, "integrity=\"kept\"") != NULL);
		CHECK(strstr(o.buf, ">kept</Signature>") != NULL);
		CHECK(strstr(o.buf, "nested") == NULL);
		CHECK(strstr(o.buf, "<Other/>") != NULL);
	}
	out_free(&o);
}

#define HLS_IDENT							\
	"\t\t<ServiceInstance priority=\"2\">\n\t\t\t<IdentifierBased"	\
	"DeliveryParameters contentType=\"application/vnd.apple.mpegurl\">" \
	"http://dvb.gw/ex/ident.m3u8?a=1&amp;b=2</IdentifierBased"	\
	"DeliveryParameters>\n\t\t</ServiceInstance>\n"
#define HLS_EXT								\
	"\t\t<ServiceInstance priority=\"2\">\n\t\t\t<OtherDelivery"	\
	"Parameters extensionName=\"vnd.apple.mpegurl\" "		\
	"xsi:type=\"hls:m3u8RefType\"><hls:UriBasedLocation "		\
	"contentType=\"application/vnd.apple.mpegurl\"><dvbi-types:URI>" \
	"http://dvb.gw/ex/ext.m3u8</dvbi-types:URI></hls:UriBasedLocation>" \
	"</OtherDeliveryParameters>\n\t\t</ServiceInstance>\n"
#define HLS_PRIVATE							\
	"\t\t<ServiceInstance priority=\"2\">\n\t\t\t<OtherDelivery"	\
	"Parameters extensionName=\"APPLE-HLS.0\"><HLSUrl contentType="	\
	"\"application/vnd.apple.mpegurl\"><URI>http://dvb.gw/ex/priv.m3u8" \
	"</URI></HLSUrl></OtherDeliveryParameters>\n\t\t</ServiceInstance>\n"

static const char hls_valid[] = HEAD26("1")
	SVC("tag:e,2026:ident", HLS_IDENT) SVC("tag:e,2026:ext", HLS_EXT) TAIL;
static const char hls_all[] = HEAD26("1")
	SVC("tag:e,2026:ident", HLS_IDENT) SVC("tag:e,2026:ext", HLS_EXT)
	SVC("tag:e,2026:priv", HLS_PRIVATE) TAIL;

static void
test_hls_forms(void)
{
	static const char *const want[] = {
		BASE "/ex/ident.m3u8?a=1&b=2", BASE "/ex/ext.m3u8",
		BASE "/ex/priv.m3u8",
	};
	const struct dvbi_rewrite_opts opts = { BASE, NULL, NULL };
	const xmlNode *sn, *vn[MAXI];
	struct xsd cache[2];
	char why[256] = "", u[512];
	xmlSchemaPtr s = NULL;
	struct stat sb;
	struct out o;
	size_t i = 0;

	if (rewrite(hls_all, strlen(hls_all), &opts, &o) == 0) {
		XMLU_FOREACH(sn, xmlDocGetRootElement(o.doc), "Service") {
			REQUIRE(i < 3 && instances(sn, vn) == 2);
			CHECK(inst_url(vn[0], u, sizeof(u)) >= 0 &&
			    !strcmp(u, want[i]));
			CHECK(!strcmp(xmlu_attr(vn[0], "priority"), "2"));
			CHECK(!strcmp(xmlu_attr(vn[1], "priority"), "5"));
			CHECK(inst_url(vn[1], u, sizeof(u)) >= 0 &&
			    !strncmp(u, "http://dvb.gw/", 14));
			i++;
		}
		CHECK_EQ_U(i, 3);
		CHECK(strstr(o.buf, "ident.m3u8?a=1&amp;b=2</") != NULL);
		CHECK_EQ_U(count_str(o.buf, "xmlns:hls="), 1);
	}
	out_free(&o);
	/* The schema route stays valid against the +hls schema. */
	if (stat(SAMPLE_XSD, &sb) < 0)
		return;
	memset(cache, 0, sizeof(cache));
	s = xsd_get(cache, 2, "dvbi_v8.0+hls+hbbtv+dvbhb.xsd");
	if (rewrite(hls_valid, strlen(hls_valid), &opts, &o) == 0)
		CHECK(s != NULL && xsd_valid(s, o.doc, why));
	if (why[0] != '\0')
		fprintf(stderr, "  %s\n", why);
	out_free(&o);
	if (s != NULL)
		xmlSchemaFree(s);
}

/*
 * Mixed instances: a broadcast one (not served, but moved behind the
 * copies), one without @priority, one whose second URI the box cannot
 * serve (not copied), in a pretty list.
 */
static const char mixed[] = HEAD26("1")
SVC("tag:e,2026:mixed",
"\t\t<ServiceInstance priority=\"0\" id=\"t\">\n\t\t\t<DVBTDeliveryParameters>"
"<DVBTriplet serviceId=\"1\"/></DVBTDeliveryParameters>\n\t\t</ServiceInstance>\n"
DASH(" priority=\"3\" id=\"d\"", "http://DVB.GW/a/m.mpd")
DASH("", "http://dvb.gw/b/m.mpd")
"\t\t<ServiceInstance priority=\"1\"><OtherDeliveryParameters extensionName=\"x\">"
"<A><URI>http://dvb.gw/c/1.m3u8</URI></A><B><URI>http://far.example/2</URI></B>"
"</OtherDeliveryParameters></ServiceInstance>\n")
SVC("tag:e,2026:badprio", DASH(" priority=\"high\"", "http://dvb.gw/d/m.mpd"))
TAIL;

static void
test_instance_rule(void)
{
	static const char *const prios[] = { "3", NULL, "4", "7", "4", "5" };
	const struct dvbi_rewrite_opts opts = { BASE, NULL, NULL };
	const xmlNode *sn, *vn[MAXI];
	struct out o;
	const char *p;
	size_t i;

	if (rewrite(mixed, strlen(mixed), &opts, &o) != 0)
		goto out;
	sn = xmlu_child(xmlDocGetRootElement(o.doc), "Service");
	REQUIRE(instances(sn, vn) == 6);
	for (i = 0; i < 6; i++) {
		p = xmlu_attr(vn[i], "priority");
		CHECK(prios[i] == NULL ? p == NULL : p != NULL && !strcmp(p, prios[i]));
	}
	CHECK(!strcmp(xmlu_attr(vn[0], "id"), "d-local"));
	CHECK(!strcmp(xmlu_attr(vn[2], "id"), "t"));
	CHECK(!strcmp(xmlu_attr(vn[3], "id"), "d"));
	CHECK(strstr(o.buf, ">" BASE "/a/m.mpd<") && strstr(o.buf, ">" BASE "/b/m.mpd<"));
	CHECK(strstr(o.buf, BASE "/c/1.m3u8") == NULL);
	CHECK(strstr(o.buf, "</ServiceInstance><") == NULL);
	CHECK(!strcmp(xmlu_attr(sn, "version"), "4"));
	/* A priority that is not a number: the service is left alone. */
	sn = xmlu_next(sn, "Service");
	CHECK(instances(sn, vn) == 1 && !strcmp(xmlu_attr(sn, "version"), "3"));
out:
	out_free(&o);
}

/* @version is an xs:positiveInteger of any length. */
static void
test_versions(void)
{
	static const struct {
		const char *attr, *want;
	} t[] = {
		{ " version=\"1\"", "2" }, { " version=\"9\"", "10" },
		{ " version=\"0099\"", "100" }, { " version=\" 7 \"", "8" },
		{ " version=\"0\"", "1" }, { " version=\"abc\"", "1" },
		{ " version=\"\"", "1" }, { " version=\"-3\"", "1" },
		{ "", "1" },
		{ " version=\"18446744073709551615\"", "18446744073709551616" },
		{ " version=\"999999999999999999999999\"",
		  "1000000000000000000000000" },
	};
	const struct dvbi_rewrite_opts opts = { BASE, NULL, NULL };
	char in[256];
	struct out o;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(in, sizeof(in), "<ServiceList xmlns=\"%s\"%s/>", NS26,
		    t[i].attr);
		if (rewrite(in, strlen(in), &opts, &o) == 0)
			CHECK(!strcmp(xmlu_attr(xmlDocGetRootElement(o.doc),
			    "version"), t[i].want));
		out_free(&o);
	}
}

/*
 * A mapping that answers decoded cache keys, as the daemon's does (names.c
 * decodes "%DB" and "%3F"): the rewrite must percent-encode them, or the
 * list would not be UTF-8 and a player would cut the path at the "?".
 * Found by the dvbi_rewrite fuzz target.
 */
static int
map_key(void *arg, const char *url, char *path, size_t len)
{
	(void)url;
	return snprintf(path, len, "%s", (const char *)arg) < (int)len ? 0 : -1;
}

static void
test_key_encoding(void)
{
	static const struct {
		const char *key, *want;
	} t[] = {
		{ "/a b/\xdb?c#d.mpd", BASE "/a%20b/%DB%3Fc%23d.mpd" },
		{ "/100%/\"x\"<y>.mpd", BASE "/100%25/%22x%22%3Cy%3E.mpd" },
		{ "/ok/a-b_c~d!$&'()*+,;=:@.mpd",
		  BASE "/ok/a-b_c~d!$&amp;'()*+,;=:@.mpd" },
	};
	static const char in[] = HEAD26("1")
	    SVC("tag:e,2026:k", DASH("", "http://dvb.gw/k.mpd")) TAIL;
	struct dvbi_rewrite_opts opts = { BASE, map_key, NULL };
	struct out o;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		opts.arg = (void *)(uintptr_t)t[i].key;
		if (rewrite(in, sizeof(in) - 1, &opts, &o) == 0)
			CHECK_EQ_U(count_str(o.buf, t[i].want), 1);
		out_free(&o);
	}
}

/* Appends to a growing buffer; aborts the test binary on OOM. */
static void
cat(char **b, size_t *len, size_t *cap, const char *s)
{
	size_t l = strlen(s);

	if (*len + l + 1 > *cap) {
		*cap = (*len + l + 1) * 2;
		if ((*b = realloc(*b, *cap)) == NULL)
			abort();
	}
	memcpy(*b + *len, s, l + 1);
	*len += l;
}

static void
test_limits(void)
{
	char *base = malloc(4100), *b = NULL, one[512];
	struct dvbi_rewrite_opts opts = { BASE, NULL, NULL };
	const xmlNode *sn, *vn[MAXI];
	size_t len = 0, cap = 0, i;
	struct out o;

	/* 20 servable instances: DVBI_MAX_INSTANCES copies, all behind. */
	cat(&b, &len, &cap, HEAD26("1") "<Service version=\"1\">"
	    "<UniqueIdentifier>u</UniqueIdentifier>");
	for (i = 0; i < 20; i++) {
		snprintf(one, sizeof(one), DASH(" priority=\"%zu\"",
		    "http://dvb.gw/%zu.mpd"), i, i);
		cat(&b, &len, &cap, one);
	}
	cat(&b, &len, &cap, "<ServiceName>S</ServiceName></Service>" TAIL);
	if (rewrite(b, len, &opts, &o) == 0) {
		sn = xmlu_child(xmlDocGetRootElement(o.doc), "Service");
		CHECK_EQ_U(instances(sn, vn), 20 + DVBI_MAX_INSTANCES);
		CHECK(!strcmp(xmlu_attr(vn[DVBI_MAX_INSTANCES], "priority"),
		    "16"));
	}
	out_free(&o);
	/* A base that makes URLs longer than 4096 bytes: left alone. */
	memset(base, 'b', 4099);
	memcpy(base, "http://", 7);
	base[4099] = '\0';
	opts.base = base;
	if (rewrite(b, len, &opts, &o) == 0) {
		sn = xmlu_child(xmlDocGetRootElement(o.doc), "Service");
		CHECK_EQ_U(instances(sn, vn), 20);
		CHECK(strstr(o.buf, "bbbbbbbb") == NULL);
	}
	out_free(&o);
	/* Thousands of URIs made 4 KB long each: refused, not swallowed. */
	base[4000] = '\0';
	len = 0;
	cat(&b, &len, &cap, HEAD26("1"));
	for (i = 0; i < 9000; i++)
		cat(&b, &len, &cap, "<RelatedMaterial><tva:MediaLocator>"
		    "<tva:MediaUri>http://dvb.gw/x</tva:MediaUri>"
		    "</tva:MediaLocator></RelatedMaterial>\n");
	cat(&b, &len, &cap, TAIL);
	CHECK(rewrite(b, len, &opts, &o) < 0 && strstr(o.err, "exceed"));
	out_free(&o);
	free(base);
	free(b);
}

/* ---- hostile input ---- */

static void
test_hostile_fixed(void)
{
	static const char *const bad[] = {
		"",
		"garbage",
		"<ServiceList",
		"<!DOCTYPE l [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]>"
		"<ServiceList xmlns=\"" NS26 "\">&b;</ServiceList>",
		"<?xml version=\"1.0\"?><!DOCTYPE x SYSTEM \"file:///etc/passwd\">"
		"<ServiceList xmlns=\"" NS26 "\"/>",
		"<ServiceList version=\"1\"/>",
		"<ServiceList xmlns=\"urn:other\" version=\"1\"/>",
		"<sld:ServiceListEntryPoints xmlns:sld="
		"\"urn:dvb:metadata:servicelistdiscovery:2024\"/>",
		"<Playlist xmlns=\"" NS26 "\"/>",
		"<ServiceList xmlns=\"" NS26 "\"><a></b></ServiceList>",
	};
	const struct dvbi_rewrite_opts opts = { BASE, NULL, NULL };
	const struct dvbi_rewrite_opts nobase = { NULL, NULL, NULL };
	char deep[2048];
	struct out o;
	size_t i, l = 0;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(rewrite(bad[i], strlen(bad[i]), &opts, &o) < 0);
		out_free(&o);
	}
	CHECK(rewrite(NULL, 0, &opts, &o) < 0);
	out_free(&o);
	CHECK(rewrite(mixed, strlen(mixed), &nobase, &o) < 0);
	out_free(&o);
	CHECK(rewrite(mixed, strlen(mixed), NULL, &o) < 0);
	out_free(&o);
	l = (size_t)snprintf(deep, sizeof(deep), "<ServiceList xmlns=\"%s\">",
	    NS26);
	for (i = 0; i < 100; i++)
		l += (size_t)snprintf(deep + l, sizeof(deep) - l, "<a>");
	for (i = 0; i < 100; i++)
		l += (size_t)snprintf(deep + l, sizeof(deep) - l, "</a>");
	l += (size_t)snprintf(deep + l, sizeof(deep) - l, "</ServiceList>");
	CHECK(rewrite(deep, l, &opts, &o) < 0);
	out_free(&o);
}

/* Every outcome of a damaged list is -1 or a ServiceList that parses. */
static void
damaged(const char *in, size_t len, size_t *ok)
{
	const struct dvbi_rewrite_opts opts[] = {
		{ BASE, NULL, NULL }, { BASE, map_all, NULL },
	};
	struct out o;
	size_t i;

	for (i = 0; i < 2; i++) {
		if (rewrite(in, len, &opts[i], &o) == 0)
			(*ok)++;
		out_free(&o);
	}
}

static void
test_hostile_damage(void)
{
	size_t len, cut, ok = 0, i, k;
	uint32_t seed = 0x5eed1045;
	char *buf, *m;

	if ((buf = sample_read(TP1045, &len)) == NULL) {
		sample_skip("damaged SES list");
		return;
	}
	/* Each cut is checked inside rewrite(): -1 or a list that parses. */
	for (cut = 1; cut < len; cut += 53)
		damaged(buf, cut, &ok);
	fprintf(stderr, "  %zu of %zu cuts still rewritten\n", ok,
	    2 * ((len + 51) / 53));
	ok = 0;
	REQUIRE((m = malloc(len)) != NULL);
	for (i = 0; i < 300; i++) {
		memcpy(m, buf, len);
		for (k = 0; k < 1 + i % 6; k++) {
			seed = seed * 1103515245u + 12345u;
			/* Odd rounds stay ASCII, so more lists still parse. */
			m[(seed >> 8) % len] = (i & 1) ?
			    (char)(' ' + (seed >> 3) % 95) : (char)(seed >> 3);
		}
		damaged(m, len, &ok);
	}
	fprintf(stderr, "  %zu damaged lists still rewritten\n", ok);
	CHECK(ok > 0);
	free(m);
	free(buf);
}

TEST_MAIN(TEST(test_ses_semantics), TEST(test_custom_mapping),
    TEST(test_signatures), TEST(test_hls_forms), TEST(test_instance_rule),
    TEST(test_versions), TEST(test_key_encoding), TEST(test_limits),
    TEST(test_hostile_fixed), TEST(test_hostile_damage))
