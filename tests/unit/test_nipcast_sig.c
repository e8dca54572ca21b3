/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_nipcast_sig.c: the signalling chain nipcast --nip sends, checked
 * the way a receiver sees it.  A description is parsed, its six documents
 * rendered, and each is read back with the daemon's own parsers
 * (dvb-i/mgc.h, nipdoc.h, dvbi.h): the bootstrap leads to the gateway
 * session, the gateway configuration maps every DVB-I service to its
 * endpoint, the SIF and SLEP lead to the list, and the list validates
 * against the DVB-I v6.0 schema.  Then reloads and their versions, and
 * the description parser and small parsers on bad and hostile input.
 * The unicast repair keys are tested in test_nipcast_sig_repair.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <libxml/parser.h>

#include "test.h"
#include "nipcast_sig_harness.h"
#include "../../carousel/nipcast.h"
#include "../../daemon/util.h"
#include "../../dvb-i/dvbi.h"
#include "../../dvb-i/mgc.h"
#include "../../dvb-i/nipdoc.h"

#define SCHEMAS	"../shared/data/dvb-i/schemas"
#define TITLE1	"Demo <One> & \"Friends\" 'n' Ça"

static const char desc2[] =
	"; a test network\n"
	"[network]\n"
	"provider = nipcache & <demo>\n"
	"domain = demo.nipcache.invalid\n"
	"list_id = tag:nipcache.invalid,2026:demo\n"
	"list_name = nipcache \"demo\" list\n"
	"gateway = 239.255.0.1:5000/1\n"
	"source = 192.0.2.7\n"
	"network_id = 7\n"
	"carrier_id = 1045\n"
	"link_id = 2\n"
	"service_id = 3\n"
	"\n"
	"[service one]\n"
	"title = " TITLE1 "\n"
	"lcn = 5\n"
	"genre = urn:tva:metadata:cs:ContentCS:2011:3.1.1\n"
	"logo = http://dvb.gw/demo.nipcache.invalid/logos/one.png\n"
	"hls = /srv/one\n"
	"playlist = live.m3u8\n"
	"session = 239.255.1.1:5001/11\n"
	"bitrate = 4M\n"
	"\n"
	"[service two]\n"
	"id = tag:example.com,2025:second\n"
	"hls = /srv/two\n"
	"playlist = hls/master.m3u8\n"
	"session = [ff15::1]:5002/22\n"
	"mode = static\n";

static const char svc3[] =
	"\n[service three]\n"
	"title = Third\n"
	"hls = /srv/three\n"
	"playlist = p.m3u8\n"
	"session = 239.255.1.3:5003/33\n";

struct docs {
	char	*doc[NC_DOC_N];
	size_t	len[NC_DOC_N];
};

static int
render_all(const struct nc_desc *d, struct docs *x)
{
	int i;

	memset(x, 0, sizeof(*x));
	for (i = 0; i < NC_DOC_N; i++)
		if (nc_sig_render(d, (enum nc_doc)i, &x->doc[i],
		    &x->len[i]) < 0)
			return -1;
	return 0;
}

static void
docs_free(struct docs *x)
{
	int i;

	for (i = 0; i < NC_DOC_N; i++)
		free(x->doc[i]);
}

static int
has_locator(const struct mgc_ts *t, const char *uri)
{
	size_t i;

	for (i = 0; i < t->nlocators; i++)
		if (strcmp(t->locators[i].uri, uri) == 0)
			return 1;
	return 0;
}

static int
ep_is(const struct mgc_endpoint *e, const char *group, unsigned port,
    uint64_t tsi)
{
	return strcmp(e->group, group) == 0 && e->port == port && e->has_tsi &&
	    e->tsi == tsi;
}

static void
check_bootstrap(const struct nc_desc *d, const struct docs *x)
{
	char list[512], err[256];
	struct mgc m;

	REQUIRE(mgc_parse(x->doc[NC_DOC_BOOTSTRAP], x->len[NC_DOC_BOOTSTRAP],
	    &m, err, sizeof(err)) == 0);
	CHECK(strcmp(m.ns, "urn:dvb:metadata:MulticastSessionConfiguration:"
	    "2024") == 0);
	CHECK_EQ_U(m.schema_version, 2);
	CHECK(m.has_valid_until && m.valid_until_ms > (int64_t)NOW * 1000);
	CHECK_EQ_U(m.nservices, 0);
	CHECK_EQ_U(m.dropped_sessions, 0);
	REQUIRE(m.nts == 2);
	CHECK(m.ts[0].gateway && m.ts[1].gateway);
	CHECK(m.ts[0].proto == MGC_PROTO_FLUTE && m.ts[0].proto_version == 1);
	CHECK(ep_is(&m.ts[0].endpoints[0], "224.0.23.14", 3937, 0));
	CHECK(strcmp(m.ts[0].endpoints[0].source, "192.0.2.7") == 0);
	CHECK(ep_is(&m.ts[1].endpoints[0], "239.255.0.1", 5000, 1));
	CHECK_EQ_U(m.ts[1].bitrate_max, 20000000);
	REQUIRE(nc_sig_location(d, NC_DOC_LIST, list, sizeof(list)) > 0);
	CHECK(has_locator(&m.ts[0], "urn:dvb:metadata:nativeip:"
	    "NetworkInformationFile"));
	CHECK(has_locator(&m.ts[0], "urn:dvb:metadata:nativeip:"
	    "ServiceInformationFile"));
	CHECK(has_locator(&m.ts[0], "urn:dvb:metadata:nativeip:dvb-i-slep"));
	CHECK(has_locator(&m.ts[0], list));
	CHECK(has_locator(&m.ts[1], "urn:dvb:metadata:cs:"
	    "MulticastTransportObjectTypeCS:2021:gateway-configuration"));
	mgc_free(&m);
}

/* One MulticastSession against the list's service and the description. */
static void
check_session(const struct mgc *m, const struct mgc_service *s,
    const struct nc_svc *want, const char *url, const char *group)
{
	const struct mgc_ts *t;

	REQUIRE(s != NULL && s->npml == 1 && s->nts == 1);
	CHECK(strcmp(s->pml[0].url, url) == 0);
	CHECK(strcmp(s->pml[0].content_type,
	    "application/vnd.apple.mpegurl") == 0);
	CHECK(s->pml[0].object_uri != NULL &&
	    strcmp(s->pml[0].object_uri, url) == 0);
	t = &m->ts[s->first_ts];
	CHECK(!t->gateway && t->proto == MGC_PROTO_FLUTE);
	CHECK_EQ_U(t->idle_timeout_ms, 60000);
	REQUIRE(t->nendpoints == 1);
	CHECK(ep_is(&t->endpoints[0], group, want->session.port,
	    want->session.tsi));
	REQUIRE(t->ncomponents == 1);
	CHECK(t->components[0].kind == MGC_COMP_HLS);
	CHECK(strcmp(t->components[0].media_playlist, url) == 0);
	CHECK(strcmp(t->components[0].manifest_id_ref,
	    s->pml[0].manifest_id) == 0);
}

static void
check_gateway(const struct nc_desc *d, const struct docs *x,
    const struct dvbi_list *l)
{
	const struct mgc_service *s;
	char url[512], err[256];
	struct mgc m;
	size_t i;

	REQUIRE(mgc_parse(x->doc[NC_DOC_GATEWAY], x->len[NC_DOC_GATEWAY], &m,
	    err, sizeof(err)) == 0);
	CHECK_EQ_U(m.nservices, 2);
	CHECK(m.nts == 4 && m.ts[0].gateway && m.ts[1].gateway);
	for (i = 0; i < l->nservices && i < 2; i++) {
		s = mgc_service_find(&m, l->services[i].id);
		REQUIRE(nc_sig_playlist_url(d, &d->svc[i], url,
		    sizeof(url)) > 0);
		check_session(&m, s, &d->svc[i], url,
		    i == 0 ? "239.255.1.1" : "ff15::1");
	}
	s = mgc_service_find(&m, "tag:nipcache.invalid,2026:one");
	REQUIRE(s != NULL);
	CHECK_EQ_U(m.ts[s->first_ts].bitrate_max, 4000000);
	CHECK(strcmp(m.ts[s->first_ts].endpoints[0].source,
	    "192.0.2.7") == 0);
	/* An IPv4 source is no source for an IPv6 group. */
	s = mgc_service_find(&m, "tag:example.com,2025:second");
	REQUIRE(s != NULL);
	CHECK(m.ts[s->first_ts].endpoints[0].source[0] == '\0');
	mgc_free(&m);
}

static void
check_nif_sif_slep(const struct nc_desc *d, const struct docs *x)
{
	char list[512], url[512], err[256];
	struct nif n;
	struct sif s;
	struct slep p;
	size_t i, found = 0;

	REQUIRE(nc_sig_location(d, NC_DOC_LIST, list, sizeof(list)) > 0);
	REQUIRE(nif_parse(x->doc[NC_DOC_NIF], x->len[NC_DOC_NIF], &n, err,
	    sizeof(err)) == 0);
	REQUIRE(n.nnetworks == 1 && n.networks[0].nstreams == 1);
	CHECK(n.networks[0].actual && n.networks[0].network_id == 7);
	CHECK(strcmp(n.networks[0].provider, "nipcache & <demo>") == 0);
	CHECK(n.networks[0].streams[0].carrier_id == 1045 &&
	    n.networks[0].streams[0].link_id == 2 &&
	    n.networks[0].streams[0].service_id == 3);
	CHECK(n.networks[0].streams[0].bootstrap);
	CHECK(strcmp(n.version, "2026-01-01T00:00:00Z") == 0);
	nif_free(&n);
	REQUIRE(sif_parse(x->doc[NC_DOC_SIF], x->len[NC_DOC_SIF], &s, err,
	    sizeof(err)) == 0);
	REQUIRE(s.nmedia == 1);
	CHECK(s.media[0].network_id == 7 && s.media[0].carrier_id == 1045);
	for (i = 0; i < s.media[0].nuris; i++) {
		found += strcmp(s.media[0].uris[i], list) == 0;
		nc_sig_playlist_url(d, &d->svc[1], url, sizeof(url));
		found += strcmp(s.media[0].uris[i], url) == 0;
	}
	CHECK_EQ_U(found, 2);
	CHECK_EQ_U(s.media[0].nuris, 1 + d->nsvc);
	sif_free(&s);
	REQUIRE(slep_parse(x->doc[NC_DOC_SLEP], x->len[NC_DOC_SLEP], &p, err,
	    sizeof(err)) == 0);
	REQUIRE(p.noffers == 1);
	CHECK(strcmp(p.offers[0].uri, list) == 0);
	CHECK(strcmp(p.offers[0].list_id, d->list_id) == 0);
	CHECK(strcmp(p.offers[0].list_name, "nipcache \"demo\" list") == 0);
	slep_free(&p);
}

static void
check_list(const struct nc_desc *d, const struct dvbi_list *l)
{
	const struct dvbi_instance *in;
	const struct dvbi_lcn *lcn;
	char url[512];

	CHECK(strcmp(l->id, "tag:nipcache.invalid,2026:demo") == 0);
	CHECK_EQ_U(l->version, 1);
	CHECK(strcmp(l->name, "nipcache \"demo\" list") == 0);
	CHECK(strcmp(l->provider, "nipcache & <demo>") == 0);
	REQUIRE(l->nservices == 2);
	CHECK(strcmp(l->services[0].id, "tag:nipcache.invalid,2026:one") == 0);
	CHECK(strcmp(l->services[1].id, "tag:example.com,2025:second") == 0);
	CHECK(strcmp(dvbi_service_name(&l->services[0], NULL), TITLE1) == 0);
	CHECK(strcmp(dvbi_service_name(&l->services[1], NULL), "two") == 0);
	CHECK(l->services[0].ngenres == 1 && strcmp(l->services[0].genres[0],
	    "urn:tva:metadata:cs:ContentCS:2011:3.1.1") == 0);
	CHECK(l->services[0].type != NULL && strstr(l->services[0].type,
	    "ServiceTypeCS:2019:linear") != NULL);
	CHECK(l->services[0].logo != NULL && strcmp(l->services[0].logo,
	    "http://dvb.gw/demo.nipcache.invalid/logos/one.png") == 0);
	CHECK(l->services[1].logo == NULL);
	in = dvbi_playable(&l->services[1], 1);
	REQUIRE(in != NULL);
	nc_sig_playlist_url(d, &d->svc[1], url, sizeof(url));
	CHECK(in->kind == DVBI_KIND_HLS && strcmp(in->url, url) == 0);
	CHECK(strcmp(url, "http://dvb.gw/demo.nipcache.invalid/two/hls/"
	    "master.m3u8") == 0);
	lcn = dvbi_lcn_for(l, l->services[0].id, NULL);
	CHECK(lcn != NULL && lcn->number == 5);
	lcn = dvbi_lcn_for(l, l->services[1].id, NULL);
	CHECK(lcn != NULL && lcn->number == 6);	/* the next free one */
}

/* An XSD of the DVB-I schema folder. */
static int
xsd_check(const char *xsd, const char *doc, size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", SCHEMAS, xsd);
	return xsd_check_path(path, doc, len);
}

static void
test_chain(void)
{
	struct dvbi_list l;
	struct nc_desc d;
	struct docs x;
	struct stat st;
	char err[512];

	REQUIRE(parse(desc2, &d, err, sizeof(err)) == 0);
	REQUIRE(render_all(&d, &x) == 0);
	REQUIRE(dvbi_parse(x.doc[NC_DOC_LIST], x.len[NC_DOC_LIST], &l, err,
	    sizeof(err)) == 0);
	check_bootstrap(&d, &x);
	check_gateway(&d, &x, &l);
	check_nif_sif_slep(&d, &x);
	check_list(&d, &l);
	dvbi_list_free(&l);
	if (stat(SCHEMAS "/dvbi_v6.0.xsd", &st) < 0) {
		fprintf(stderr, "SKIP: schema check, " SCHEMAS " not present\n");
	} else {
		CHECK(xsd_check("dvbi_v6.0.xsd", x.doc[NC_DOC_LIST],
		    x.len[NC_DOC_LIST]) == 1);
		CHECK(xsd_check("dvbi_service_list_discovery_v1.6.xsd",
		    x.doc[NC_DOC_SLEP], x.len[NC_DOC_SLEP]) == 1);
	}
	docs_free(&x);
	nc_desc_free(&d);
}

/* Every document is well-formed XML, for any text a title may hold. */
static void
test_escaping(void)
{
	static const char *const titles[] = {
		"&", "<", ">", "\"", "'", "&amp;", "]]>", "<!--x-->",
		"a&b<c>d\"e'f", "<?xml?>", "&#0;", "\xe2\x82\xac 5",
		"\xf0\x9f\x93\xba TV",
	};
	char text[2048], err[512];
	struct dvbi_list l;
	struct nc_desc d;
	struct docs x;
	size_t i;
	int j;

	for (i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
		snprintf(text, sizeof(text), "[network]\nprovider = P %s\n"
		    "domain = d.example\nlist_id = tag:d.example,2026:l\n"
		    "gateway = 239.0.0.1:1/1\n[service s]\ntitle = %s\n"
		    "hls = /x\nplaylist = a.m3u8\nsession = 239.0.0.2:2/2\n",
		    titles[i], titles[i]);
		REQUIRE(parse(text, &d, err, sizeof(err)) == 0);
		REQUIRE(render_all(&d, &x) == 0);
		for (j = 0; j < NC_DOC_N; j++) {
			xmlDocPtr doc = xmlReadMemory(x.doc[j], (int)x.len[j],
			    "t.xml", NULL, XML_PARSE_NONET);

			CHECK(doc != NULL);
			xmlFreeDoc(doc);
		}
		if (dvbi_parse(x.doc[NC_DOC_LIST], x.len[NC_DOC_LIST], &l,
		    err, sizeof(err)) == 0) {
			CHECK(l.nservices == 1 && strcmp(dvbi_service_name(
			    &l.services[0], NULL), titles[i]) == 0);
			CHECK(strncmp(l.provider, "P ", 2) == 0 &&
			    strcmp(l.provider + 2, titles[i]) == 0);
			dvbi_list_free(&l);
		} else {
			CHECK(!"list does not parse back");
		}
		docs_free(&x);
		nc_desc_free(&d);
	}
}

/* Reloads: what changed is versioned, what did not keeps its bytes. */
static void
test_reload(void)
{
	char text[4096], err[512];
	struct nc_desc a, b, c, e;
	struct docs xa, xb;
	struct dvbi_list l;

	REQUIRE(parse(desc2, &a, err, sizeof(err)) == 0);
	snprintf(text, sizeof(text), "%s%s", desc2, svc3);
	REQUIRE(parse(text, &b, err, sizeof(err)) == 0);
	b.updated = NOW + 60;
	CHECK(nc_sig_carry(&b, &a) == 1);
	CHECK_EQ_U(b.list_version, 2);
	CHECK(b.svc[0].version == 1 && b.svc[1].version == 1 &&
	    b.svc[2].version == 1);
	CHECK(b.updated == NOW + 60);
	REQUIRE(render_all(&a, &xa) == 0);
	REQUIRE(render_all(&b, &xb) == 0);
	/* The bootstrap and SLEP do not change: their TOIs stay. */
	CHECK(strcmp(xa.doc[NC_DOC_BOOTSTRAP], xb.doc[NC_DOC_BOOTSTRAP]) == 0);
	CHECK(strcmp(xa.doc[NC_DOC_SLEP], xb.doc[NC_DOC_SLEP]) == 0);
	CHECK(strcmp(xa.doc[NC_DOC_GATEWAY], xb.doc[NC_DOC_GATEWAY]) != 0);
	REQUIRE(dvbi_parse(xb.doc[NC_DOC_LIST], xb.len[NC_DOC_LIST], &l, err,
	    sizeof(err)) == 0);
	CHECK_EQ_U(l.version, 2);
	CHECK_EQ_U(l.nservices, 3);
	dvbi_list_free(&l);
	docs_free(&xa);
	docs_free(&xb);
	/* A changed title: that service and the list go up. */
	snprintf(text, sizeof(text), "%s%s", desc2, svc3);
	memcpy(strstr(text, "title = Third"), "title = Thurd", 13);
	REQUIRE(parse(text, &c, err, sizeof(err)) == 0);
	c.updated = NOW + 120;
	CHECK(nc_sig_carry(&c, &b) == 1);
	CHECK_EQ_U(c.list_version, 3);
	CHECK(c.svc[0].version == 1 && c.svc[2].version == 2);
	/* The same again: nothing changes, not even VersionUpdate. */
	REQUIRE(parse(text, &e, err, sizeof(err)) == 0);
	e.updated = NOW + 180;
	CHECK(nc_sig_carry(&e, &c) == 0);
	CHECK_EQ_U(e.list_version, 3);
	CHECK(e.svc[2].version == 2 && e.updated == NOW + 120);
	nc_desc_free(&e);
	/* A list_version set higher in the file wins. */
	snprintf(text, sizeof(text), "%.*slist_version = 9\n%s%s",
	    (int)(strstr(desc2, "network_id") - desc2), desc2,
	    strstr(desc2, "network_id"), svc3);
	memcpy(strstr(text, "title = Third"), "title = Thurd", 13);
	REQUIRE(parse(text, &e, err, sizeof(err)) == 0);
	CHECK(nc_sig_carry(&e, &c) == 1);
	CHECK_EQ_U(e.list_version, 9);
	nc_desc_free(&e);
	nc_desc_free(&c);
	nc_desc_free(&b);
	nc_desc_free(&a);
}

static void
test_defaults(void)
{
	static const char text[] =
		"[network]\nprovider = Prov\ndomain = d.example\n"
		"list_id = tag:d.example,2026:list\ngateway = 239.0.0.1:9/0\n"
		"[service a]\nhls = /a\nplaylist = a.m3u8\n"
		"session = 239.0.0.2:9/1\n"
		"[service b-2]\nlcn = 1\nhls = rel/b\nplaylist = b.m3u8\n"
		"session = 239.0.0.2:9/2\n";
	struct nc_desc d;
	char err[512], buf[256];

	REQUIRE(parse(text, &d, err, sizeof(err)) == 0);
	CHECK(strcmp(d.list_name, "Prov") == 0 && d.list_version == 1);
	CHECK(d.source == NULL && d.network_id == 1 && d.carrier_id == 1 &&
	    d.link_id == 1 && d.service_id == 0);
	REQUIRE(d.nsvc == 2);
	CHECK(strcmp(d.svc[0].id, "tag:d.example,2026:a") == 0);
	CHECK(strcmp(d.svc[0].title, "a") == 0 && d.svc[0].live == 1);
	CHECK(d.svc[0].lcn == 2 && d.svc[1].lcn == 1);
	CHECK(d.svc[0].line == 6 && d.svc[1].line == 10);
	CHECK(d.svc[1].hls_line == 12 && strcmp(d.svc[1].hls, "rel/b") == 0);
	CHECK(nc_sig_url_base(&d, &d.svc[1], buf, sizeof(buf)) > 0 &&
	    strcmp(buf, "http://dvb.gw/d.example/b-2/") == 0);
	CHECK(nc_sig_location(&d, NC_DOC_LIST, buf, 10) < 0);
	CHECK(strcmp(nc_sig_file(NC_DOC_GATEWAY), "gateway.xml") == 0);
	CHECK(strcmp(nc_sig_ctype(NC_DOC_LIST),
	    "application/vnd.dvb.dvbisl+xml") == 0);
	nc_desc_free(&d);
}

static void
test_desc_bad(void)
{
	static const char net[] =
		"[network]\nprovider = P\ndomain = d.example\n"
		"list_id = tag:d.example,2026:l\ngateway = 239.0.0.1:1/1\n";
	static const struct {
		const char	*tail;	/* after net[] (5 lines) */
		int		line;
		const char	*why;
	} cases[] = {
		{ "[service a]\nhls = /a\nplaylist = a.m3u8\n", 6,
		    "session is missing" },
		{ "[service a]\nsession = 239.0.0.2:1/1\nplaylist = a\n", 6,
		    "hls is missing" },
		{ "[service a]\nsession = 10.0.0.1:1/1\n", 7,
		    "not a multicast group" },
		{ "[service a]\nsession = 239.0.0.2:1\n", 7, "GROUP:PORT/TSI" },
		{ "[service a]\nsession = 239.0.0.2:70000/1\n", 7,
		    "GROUP:PORT/TSI" },
		{ "[service a]\nsession = 239.0.0.300:1/1\n", 7,
		    "GROUP:PORT/TSI" },
		{ "[service a]\nsession = [ff15::1:1/1\n", 7,
		    "GROUP:PORT/TSI" },
		{ "[service a]\nsession = 239.0.0.2:1/4294967296\n", 7,
		    "GROUP:PORT/TSI" },
		{ "[service a]\nhls = /a\n[service b]\nhls = /b\n"
		    "[service a]\nhls = /c\n", 10, "duplicate service" },
		{ "[service a]\ncolour = red\n", 7, "unknown key" },
		{ "[service a]\nhls = /a\nhls = /b\n", 8, "given twice" },
		{ "colour = red\n", 6, "unknown key" },
		{ "[services]\nhls = /a\n", 6, "unknown section" },
		{ "[service A]\nhls = /a\n", 6, "NAME must be" },
		{ "[service a/b]\nhls = /a\n", 6, "NAME must be" },
		{ "[service dvbi]\nhls = /a\n", 6, "taken" },
		/* To inih, [network] right after [network] is one section. */
		{ "[network]\nprovider = Q\n", 7, "provider: given twice" },
		{ "[service a]\nhls = /a\n[network]\nprovider = Q\n", 8,
		    "[network]: given twice" },
		{ "[service a]\nplaylist = ../x.m3u8\n", 7, "relative path" },
		{ "[service a]\nplaylist = /x.m3u8\n", 7, "relative path" },
		{ "[service a]\nplaylist = a b.m3u8\n", 7, "relative path" },
		{ "[service a]\nplaylist = a//b.m3u8\n", 7, "relative path" },
		{ "[service a]\nmode = paused\n", 7, "live or static" },
		{ "[service a]\nbitrate = fast\n", 7, "bits per second" },
		{ "[service a]\nbitrate = -4M\n", 7, "bits per second" },
		{ "[service a]\nlcn = 0\n", 7, "1 to 65535" },
		{ "[service a]\ntitle = \xc3\x28\n", 7, "UTF-8" },
		{ "[service a]\ntitle = a\x01z\n", 7, "UTF-8" },
		{ "[service a]\nid = no-scheme\n", 7, "URI" },
		{ "[service a]\nhls = /a\nplaylist = a\n"
		    "session = 239.0.0.1:1/1\n", 6, "gateway's" },
		{ "[service a]\nhls = /a\nplaylist = a\n"
		    "session = 224.0.23.14:3937/5\n", 6, "announcement" },
		{ "[service a]\nhls = /a\nplaylist = a\n"
		    "session = 239.0.0.2:1/1\n[service b]\nhls = /b\n"
		    "playlist = b\nsession = 239.0.0.2:1/1\n", 10,
		    "another service's" },
		{ "[service a]\nlcn = 3\nhls = /a\nplaylist = a\n"
		    "session = 239.0.0.2:1/1\n[service b]\nlcn = 3\n"
		    "hls = /b\nplaylist = b\nsession = 239.0.0.2:1/2\n", 11,
		    "lcn is not unique" },
		{ "[service a]\nid = tag:x,1:s\nhls = /a\nplaylist = a\n"
		    "session = 239.0.0.2:1/1\n[service b]\nid = tag:x,1:s\n"
		    "hls = /b\nplaylist = b\nsession = 239.0.0.2:1/2\n", 11,
		    "id is not unique" },
		{ "garbage line\n", 6, "syntax error" },
		{ "[network\n", 6, "syntax error" },
	};
	char text[1024];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", net, cases[i].tail);
		bad_case(text, cases[i].line, cases[i].why, i);
	}
}

/* The [network] part alone, and text that is not a description at all. */
static void
test_desc_hostile(void)
{
	static const char *const bad[] = {
		"", "\n\n", "[network]\n", "[network]\nprovider = P\n",
		"[network]\nprovider = P\ndomain = ../x\n",
		"[network]\nprovider = P\ndomain = d\nlist_id = tag:x,1:l\n"
		    "gateway = 224.0.23.14:3937/0\n",
		"[network]\nprovider = P\ndomain = d\nlist_id = tag:x,1:l\n"
		    "gateway = 239.0.0.1:1/1\nnetwork_id = 65281\n",
	};
	char text[2048], err[512], *big;
	struct nc_desc d;
	uint64_t rng = 12345;
	size_t i, j, n = strlen(desc2);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(parse(bad[i], &d, err, sizeof(err)) < 0);
	/* A NUL byte inside, and a line libinih would cut. */
	CHECK(nc_desc_parse("[network]\0x", 11, "desc.ini", &d, err,
	    sizeof(err)) < 0 && strstr(err, "NUL") != NULL);
	big = calloc(1, 4096);
	REQUIRE(big != NULL);
	memset(big, 'x', 300);
	memcpy(big, "[network]\nprovider = ", 21);
	CHECK(parse(big, &d, err, sizeof(err)) < 0 &&
	    strstr(err, "desc.ini:2: line: longer") != NULL);
	free(big);
	/* Every truncation of a good one: accepted or refused, never worse. */
	for (i = 0; i < n; i++) {
		memcpy(text, desc2, i);
		text[i] = '\0';
		if (parse(text, &d, err, sizeof(err)) == 0)
			nc_desc_free(&d);
	}
	/* Seeded random damage. */
	for (i = 0; i < 2000; i++) {
		memcpy(text, desc2, n + 1);
		for (j = 0; j < 4; j++) {
			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			text[(rng >> 33) % n] = (char)(1 + (rng >> 20) % 255);
		}
		if (parse(text, &d, err, sizeof(err)) == 0) {
			struct docs x;

			CHECK(render_all(&d, &x) == 0);
			docs_free(&x);
			nc_desc_free(&d);
		}
	}
}

static void
test_parse_ep(void)
{
	static const struct {
		const char	*s;
		int		tsi;
		int		ok;
		const char	*group;
		unsigned	port;
		uint32_t	t;
	} cases[] = {
		{ "239.1.2.3:5000", 0, 1, "239.1.2.3", 5000, 0 },
		{ "239.1.2.3:5000/7", 1, 1, "239.1.2.3", 5000, 7 },
		{ "[ff15::1]:5001/4294967295", 1, 1, "ff15::1", 5001,
		    4294967295u },
		{ "[ff15::1]:5001", 0, 1, "ff15::1", 5001, 0 },
		{ "239.1.2.3:5000/7", 0, 0, NULL, 0, 0 },
		{ "239.1.2.3:5000", 1, 0, NULL, 0, 0 },
		{ "239.1.2.3", 0, 0, NULL, 0, 0 },
		{ "239.1.2.3:0", 0, 0, NULL, 0, 0 },
		{ "239.1.2.3:65536", 0, 0, NULL, 0, 0 },
		{ "239.1.2.3:+5", 0, 0, NULL, 0, 0 },
		{ "239.1.2.3:5x", 0, 0, NULL, 0, 0 },
		{ ":5000", 0, 0, NULL, 0, 0 },
		{ "ff15::1:5000", 0, 0, NULL, 0, 0 },
		{ "[ff15::1]:", 0, 0, NULL, 0, 0 },
		{ "[]:5", 0, 0, NULL, 0, 0 },
		{ "239.1.2.3:5/", 1, 0, NULL, 0, 0 },
		{ "239.1.2.3:5/-1", 1, 0, NULL, 0, 0 },
		{ "", 0, 0, NULL, 0, 0 },
	};
	struct nc_ep ep;
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = nc_parse_ep(cases[i].s, cases[i].tsi, &ep);

		CHECK((r == 0) == cases[i].ok);
		if (r == 0 && cases[i].ok)
			CHECK(strcmp(ep.group, cases[i].group) == 0 &&
			    ep.port == cases[i].port && ep.tsi == cases[i].t &&
			    ep.salen > 0);
		if (r != 0)
			CHECK(ep.salen == 0);
	}
	CHECK(nc_parse_u64("18446744073709551615", 0, UINT64_MAX, &v) == 0 &&
	    v == UINT64_MAX);
	CHECK(nc_parse_u64("18446744073709551616", 0, UINT64_MAX, &v) < 0);
	CHECK(nc_parse_u64("5", 6, 9, &v) < 0);
	CHECK(nc_parse_u64("", 0, 9, &v) < 0);
}

static void
test_objline(void)
{
	static const struct {
		const char	*line;
		int		r;
		const char	*path, *loc, *ctype;
	} cases[] = {
		{ "a.xml urn:x:y", 1, "a.xml", "urn:x:y", NULL },
		{ "  a.xml\thttp://dvb.gw/a  text/xml\r\n", 1, "a.xml",
		    "http://dvb.gw/a", "text/xml" },
		{ "# a b", 0, NULL, NULL, NULL },
		{ "#", 0, NULL, NULL, NULL },
		{ "", 0, NULL, NULL, NULL },
		{ " \t\r\n", 0, NULL, NULL, NULL },
		{ "lonely", -1, NULL, NULL, NULL },
		{ "a b c d", -1, NULL, NULL, NULL },
		{ "a b c d e f", -1, NULL, NULL, NULL },
	};
	char buf[128], *p, *l, *c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		util_strlcpy(buf, cases[i].line, sizeof(buf));
		p = l = c = NULL;
		CHECK(nc_sig_objline(buf, &p, &l, &c) == cases[i].r);
		if (cases[i].r != 1)
			continue;
		CHECK(p != NULL && strcmp(p, cases[i].path) == 0);
		CHECK(l != NULL && strcmp(l, cases[i].loc) == 0);
		CHECK(cases[i].ctype == NULL ? c == NULL :
		    c != NULL && strcmp(c, cases[i].ctype) == 0);
	}
}

/* Many services: every one reaches the gateway configuration. */
static void
test_many(void)
{
	size_t cap = 200000, n, i;
	char *text = malloc(cap), err[512], id[64];
	struct nc_desc d;
	struct docs x;
	struct mgc m;

	REQUIRE(text != NULL);
	n = (size_t)snprintf(text, cap, "[network]\nprovider = P\n"
	    "domain = d.example\nlist_id = tag:d.example,2026:l\n"
	    "gateway = 239.0.0.1:1/1\n");
	for (i = 0; i < 500; i++)
		n += (size_t)snprintf(text + n, cap - n, "[service s%zu]\n"
		    "hls = /s\nplaylist = p.m3u8\nsession = 239.1.%zu.%zu:"
		    "5000/%zu\n", i, i / 200, i % 200, i);
	REQUIRE(parse(text, &d, err, sizeof(err)) == 0);
	REQUIRE(render_all(&d, &x) == 0);
	REQUIRE(mgc_parse(x.doc[NC_DOC_GATEWAY], x.len[NC_DOC_GATEWAY], &m,
	    err, sizeof(err)) == 0);
	CHECK_EQ_U(m.nservices, 500);
	snprintf(id, sizeof(id), "tag:d.example,2026:s499");
	CHECK(mgc_service_find(&m, id) != NULL);
	CHECK(d.svc[499].lcn == 500);
	mgc_free(&m);
	docs_free(&x);
	nc_desc_free(&d);
	free(text);
}

TEST_MAIN(TEST(test_chain), TEST(test_escaping), TEST(test_reload),
    TEST(test_defaults), TEST(test_desc_bad), TEST(test_desc_hostile),
    TEST(test_parse_ep), TEST(test_objline), TEST(test_many))
