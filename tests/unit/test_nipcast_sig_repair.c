/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_nipcast_sig_repair.c: the unicast repair keys of a nipcast --nip
 * description ([network] defaults, [service] overrides) go through the
 * gateway configuration to mgc_parse field by field, in the order the
 * schema wants (checked against the DVB-MABR XSD when ../shared/data has
 * one); bad values are refused with the line and the reason, and damaged
 * descriptions are refused or round-trip intact.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>

#include "test.h"
#include "nipcast_sig_harness.h"
#include "../../carousel/nipcast.h"
#include "../../daemon/util.h"
#include "../../dvb-i/mgc.h"


static const char rdesc[] =
	"[network]\n"
	"provider = P\n"
	"domain = d.example\n"
	"list_id = tag:d.example,2026:l\n"
	"gateway = 239.0.0.1:1/1\n"
	"repair_base = https://cdn1.example/nip/\n"
	"repair_base = http://cdn2.example:8080/x/?a=1&b=2  3\n"
	"repair_object_base = http://dvb.gw/\n"
	"random_backoff = 1500ms\n"
	"[service inherit]\n"
	"hls = /a\nplaylist = a.m3u8\nsession = 239.0.0.2:1/1\n"
	"[service own]\n"
	"hls = /b\nplaylist = b.m3u8\nsession = 239.0.0.2:1/2\n"
	"repair_base = https://edge.example/\t0\n"
	"reception_timeout = 2s\n"
	"fixed_backoff = 250ms\n"
	"random_backoff = 0\n"
	"repair_object_base = http://dvb.gw/d.example/\n"
	"[service part]\n"
	"hls = /c\nplaylist = c.m3u8\nsession = 239.0.0.2:1/3\n"
	"fixed_backoff = 1\n";

#define CDN1	"https://cdn1.example/nip/"
#define CDN2	"http://cdn2.example:8080/x/?a=1&b=2"

/* What mgc_parse must find for each service of a repair description. */
struct rwant {
	const char	*name;
	int		has;
	const char	*obj;
	uint32_t	timeout, fixed, random;
	size_t		nbase;
	const char	*base[3];
	uint32_t	weight[3];
};

static const struct rwant rwant1[] = {
	{ "inherit", 1, "http://dvb.gw/", 1000, 0, 1500, 2,
	    { CDN1, CDN2 }, { 1, 3 } },
	{ "own", 1, "http://dvb.gw/d.example/", 2000, 250, 0, 1,
	    { "https://edge.example/" }, { 0 } },
	{ "part", 1, "http://dvb.gw/", 1000, 1000, 1500, 2,
	    { CDN1, CDN2 }, { 1, 3 } },
};

/* No base in [network]: only the service that has one gets repair. */
static const char rdesc2[] =
	"[service x]\n"
	"hls = /x\nplaylist = x.m3u8\nsession = 239.0.0.2:1/1\n"
	"repair_base = http://r.example/\n"
	"[network]\n"
	"provider = P\n"
	"domain = d.example\n"
	"list_id = tag:d.example,2026:l\n"
	"gateway = 239.0.0.1:1/1\n"
	"reception_timeout = 3s\n"
	"[service plain]\n"
	"hls = /p\nplaylist = p.m3u8\nsession = 239.0.0.2:1/2\n";

static const struct rwant rwant2[] = {
	{ "x", 1, NULL, 3000, 0, 0, 1, { "http://r.example/" }, { 1 } },
	{ "plain", 0, NULL, 0, 0, 0, 0, { NULL }, { 0 } },
};

static void
check_rwant(const struct mgc *m, const struct rwant *w)
{
	const struct mgc_repair *r;
	const struct mgc_ts *t;
	char id[128];
	size_t i;

	snprintf(id, sizeof(id), "tag:d.example,2026:%s", w->name);
	REQUIRE(mgc_service_find(m, id) != NULL);
	t = &m->ts[mgc_service_find(m, id)->first_ts];
	r = &t->repair;
	CHECK_EQ_U(t->has_repair, w->has);
	CHECK(w->obj == NULL ? r->object_base_uri == NULL :
	    r->object_base_uri != NULL &&
	    strcmp(r->object_base_uri, w->obj) == 0);
	CHECK_EQ_U(r->reception_timeout_ms, w->timeout);
	CHECK_EQ_U(r->fixed_backoff_ms, w->fixed);
	CHECK_EQ_U(r->random_backoff_ms, w->random);
	REQUIRE(r->nbase == w->nbase);
	for (i = 0; i < w->nbase; i++) {
		CHECK(strcmp(r->base[i].url, w->base[i]) == 0);
		CHECK_EQ_U(r->base[i].weight, w->weight[i]);
	}
}

/* Where the schema wants it: after BitRate, before the component. */
static void
check_order(const char *doc, const char *name)
{
	char id[96];
	const char *p, *bit, *rep, *comp, *end;

	snprintf(id, sizeof(id), "<MulticastTransportSession id=\"%s\"", name);
	REQUIRE((p = strstr(doc, id)) != NULL);
	end = strstr(p, "</MulticastTransportSession>");
	bit = strstr(p, "<BitRate");
	rep = strstr(p, "<UnicastRepairParameters");
	comp = strstr(p, "<ServiceComponentIdentifier");
	REQUIRE(end != NULL && bit != NULL && rep != NULL && comp != NULL);
	CHECK(bit < rep && rep < comp && comp < end);
	CHECK(strstr(rep, "</UnicastRepairParameters>") < comp);
}

/* Render a description's gateway configuration and parse it back. */
static void
repair_roundtrip(const char *text, const struct rwant *w, size_t n)
{
	struct nc_desc d;
	char err[512], *doc;
	struct mgc m;
	size_t len, i;

	REQUIRE(parse(text, &d, err, sizeof(err)) == 0);
	REQUIRE(nc_sig_render(&d, NC_DOC_GATEWAY, &doc, &len) == 0);
	REQUIRE(mgc_parse(doc, len, &m, err, sizeof(err)) == 0);
	CHECK_EQ_U(m.nservices, n);
	CHECK(m.truncated == 0 && m.dropped_sessions == 0);
	for (i = 0; i < n; i++) {
		check_rwant(&m, &w[i]);
		if (w[i].has)
			check_order(doc, w[i].name);
	}
	/* Defaults are left out. */
	CHECK(strstr(doc, "relativeWeight=\"1\"") == NULL);
	CHECK(strstr(doc, "BackOffPeriod=\"0\"") == NULL);
	CHECK(strstr(doc, "&amp;b=2") != NULL || w[0].nbase < 2);
	sig_gw_xsd("\"UnicastRepairParameters\"", doc, len);
	mgc_free(&m);
	free(doc);
	nc_desc_free(&d);
}

static void
test_repair(void)
{
	char text[4096], err[512];
	struct nc_desc a, b;
	size_t n, i;

	repair_roundtrip(rdesc, rwant1, 3);
	repair_roundtrip(rdesc2, rwant2, 2);
	/* The description itself: [network] keeps its defaults. */
	REQUIRE(parse(rdesc, &a, err, sizeof(err)) == 0);
	CHECK(a.repair.nbase == 2 && a.repair.timeout_ms == 0 &&
	    a.repair.random_ms == 1500);
	CHECK(a.svc[1].repair.given == (NC_RP_BASE | NC_RP_OBJECT_BASE |
	    NC_RP_TIMEOUT | NC_RP_FIXED | NC_RP_RANDOM));
	CHECK(a.svc[0].repair.given == 0);
	/* A changed back-off changes the gateway configuration only. */
	snprintf(text, sizeof(text), "%s", rdesc);
	memcpy(strstr(text, "1500ms"), "1600ms", 6);
	REQUIRE(parse(text, &b, err, sizeof(err)) == 0);
	b.updated = NOW + 60;
	CHECK(nc_sig_carry(&b, &a) == 1);
	CHECK(b.list_version == 1 && b.svc[0].version == 1 &&
	    b.updated == NOW + 60);
	nc_desc_free(&b);
	nc_desc_free(&a);
	/* Eight bases in [network] are allowed, and are inherited. */
	n = (size_t)(strstr(rdesc, "[service") - rdesc);
	memcpy(text, rdesc, n);
	for (i = 2; i < NC_REPAIR_MAX_BASE; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "repair_base = https://m%zu.example/ %zu\n", i, i);
	snprintf(text + n, sizeof(text) - n, "%s", strstr(rdesc, "[service"));
	REQUIRE(parse(text, &a, err, sizeof(err)) == 0);
	CHECK_EQ_U(a.svc[1].repair.nbase, 1);
	REQUIRE(a.svc[2].repair.nbase == NC_REPAIR_MAX_BASE);
	CHECK(strcmp(a.svc[2].repair.base[7], "https://m7.example/") == 0 &&
	    a.svc[2].repair.weight[7] == 7);
	nc_desc_free(&a);
}

/* Repair keys refused, in [network] (lines 6..) and in a service. */
static void
test_repair_bad(void)
{
	static const char net[] =
		"[network]\nprovider = P\ndomain = d.example\n"
		"list_id = tag:d.example,2026:l\ngateway = 239.0.0.1:1/1\n";
	static const char svc[] = "[service a]\nhls = /a\nplaylist = a\n"
		"session = 239.0.0.2:1/1\n";	/* lines 6 to 9 */
	static const struct {
		int		in_svc;
		const char	*tail;
		int		line;
		const char	*why;
	} cases[] = {
		{ 0, "repair_base = ftp://cdn.example/\n", 6, "http://" },
		{ 0, "repair_base = https://\n", 6, "with a host" },
		{ 0, "repair_base = https:///x\n", 6, "with a host" },
		{ 0, "repair_base = cdn.example\n", 6, "http://" },
		{ 0, "repair_base = https://c.example/ x\n", 6, "WEIGHT" },
		{ 0, "repair_base = https://c.example/ 1000001\n", 6,
		    "WEIGHT" },
		{ 0, "repair_base = https://c.example/ -1\n", 6, "WEIGHT" },
		{ 0, "repair_base = https://c.example/ 1 2\n", 6, "WEIGHT" },
		{ 0, "repair_base = https://c.ex\x01mple/\n", 6, "http://" },
		{ 0, "repair_base =\n", 6, "http://" },
		{ 0, "reception_timeout = 0\n", 6, "from 1ms to 10m" },
		{ 0, "reception_timeout = 601s\n", 6, "from 1ms to 10m" },
		{ 0, "reception_timeout = 18446744073709551615ms\n", 6,
		    "duration" },
		{ 0, "fixed_backoff = soon\n", 6, "from 0 to 10m" },
		{ 0, "random_backoff = 11m\n", 6, "from 0 to 10m" },
		{ 0, "random_backoff = -5\n", 6, "duration" },
		{ 0, "random_backoff = 1s\nrandom_backoff = 2s\n", 7,
		    "given twice" },
		{ 0, "repair_object_base = dvb.gw\n", 6, "URI" },
		{ 1, "fixed_backoff = 1s\n", 6, "need a repair_base" },
		{ 1, "repair_object_base = http://dvb.gw/\n", 6,
		    "need a repair_base" },
		{ 1, "repair_base = http://r.example/ 2\nrandom_backoff = x\n",
		    11, "duration" },
	};
	char text[2048];
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%s%s%s", net,
		    cases[i].in_svc ? svc : "", cases[i].tail);
		bad_case(text, cases[i].line, cases[i].why, i);
	}
	/* A ninth base, in either section. */
	for (i = 0; i < 2; i++) {
		n = (size_t)snprintf(text, sizeof(text), "%s%s", net,
		    i ? svc : "");
		for (int j = 0; j < 9; j++)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
			    "repair_base = https://m%d.example/\n", j);
		bad_case(text, i ? 18 : 14, "at most 8", i);
	}
}

/*
 * Damaged repair descriptions: refused, or round-tripped intact.  The
 * junk is what values are made of, so that many damaged ones still parse.
 */
static void
test_repair_hostile(void)
{
	static const char junk[] = "0129:/.=msx \t\n#;&<\"\xff";
	size_t n = strlen(rdesc), i, j, k;
	char text[2048], err[512], *doc;
	const struct mgc_service *ms;
	uint64_t rng = 777;
	size_t accepted = 0;
	struct nc_desc d;
	struct mgc m;
	size_t len;

	for (i = 0; i < 2000; i++) {
		memcpy(text, rdesc, n + 1);
		for (j = 0; j < 1 + i % 2; j++) {
			rng = rng * 6364136223846793005ull +
			    1442695040888963407ull;
			text[(rng >> 33) % n] = junk[(rng >> 20) %
			    (sizeof(junk) - 1)];
		}
		if (parse(text, &d, err, sizeof(err)) < 0)
			continue;
		accepted++;
		REQUIRE(nc_sig_render(&d, NC_DOC_GATEWAY, &doc, &len) == 0);
		if (mgc_parse(doc, len, &m, err, sizeof(err)) == 0) {
			for (k = 0; k < d.nsvc; k++) {
				const struct nc_repair *r = &d.svc[k].repair;
				const struct mgc_ts *t;

				ms = mgc_service_find(&m, d.svc[k].id);
				REQUIRE(ms != NULL);
				t = &m.ts[ms->first_ts];
				CHECK_EQ_U(t->has_repair, r->nbase > 0);
				CHECK_EQ_U(t->repair.nbase, r->nbase);
				CHECK_EQ_U(t->repair.random_backoff_ms,
				    r->nbase > 0 ? r->random_ms : 0);
			}
			mgc_free(&m);
		} else {
			CHECK(!"rendered gateway configuration parses back");
		}
		free(doc);
		nc_desc_free(&d);
	}
	/* The damage must leave enough accepted to mean something. */
	CHECK(accepted > 150);
}

TEST_MAIN(TEST(test_repair), TEST(test_repair_bad),
    TEST(test_repair_hostile))
