/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_dvbi_sl.c: the DVB-I service list parser (dvb-i/dvbi.c,
 * dvbi_svc.c) on well-formed lists: the real SES DVB-NIP lists and the DVB
 * reference client lists in ../shared/data, regions and regional LCN
 * lookups, the HLS delivery forms on small inline lists, and the table of
 * XSD names per namespace.  Lenient parsing of broken values, bounds,
 * hostile documents and random damage are in test_dvbi_sl_hostile.c.
 * Cases that need ../shared/data print a SKIP line when it is absent.
 *
 * The expected values for the sample files were counted independently of
 * this parser, with Python's xml.etree.ElementTree over local names:
 * services = Service/TestService children of the root, LCNs from the
 * LCN elements' channelNumber keyed by serviceRef, instances and kinds
 * from each ServiceInstance's *DeliveryParameters child and @contentType,
 * regions = Region elements with a regionID at any depth.  The URLs were
 * read off the files with grep.  They are written out below.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "sample_harness.h"
#include "../../dvb-i/dvbi.h"

#define SES	SAMPLE_SES "/service_list_"
#define TNS	"urn:dvb:metadata:servicediscovery-types:2023"

static char errbuf[256];

/*
 * 1 if the samples are here; otherwise print why the case is skipped.  The
 * tp1045 list stands for the whole of ../shared/data.
 */
static int
have_data(const char *what)
{
	if (access(SAMPLE_SES "/service_list_tp1045.xml", R_OK) == 0)
		return 1;
	return !sample_skip(what);
}

static int
parse_buf(const char *b, size_t len, struct dvbi_list *l)
{
	errbuf[0] = '\0';
	return dvbi_parse(b, len, l, errbuf, sizeof(errbuf));
}

static int
parse_str(const char *xml, struct dvbi_list *l)
{
	return parse_buf(xml, strlen(xml), l);
}

static int
parse_file(const char *path, struct dvbi_list *l)
{
	size_t len = 0;
	char *b = sample_read(path, &len);
	int rc;

	if (b == NULL)
		return -2;
	rc = parse_buf(b, len, l);
	free(b);
	return rc;
}

/* 1 if every byte of l is zero (what a failed parse must leave). */
static int
is_zero(const struct dvbi_list *l)
{
	static const struct dvbi_list z;

	return memcmp(l, &z, sizeof(z)) == 0;
}

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* tmpl with every "@K@" replaced by the value after K in kv (K, V, ...). */
static char *
expand(const char *tmpl, const char *const *kv, size_t nkv)
{
	size_t cap = strlen(tmpl) + 1, i;
	char *out, *o;
	const char *p;

	for (i = 0; i + 1 < nkv; i += 2)
		cap += 8 * strlen(kv[i + 1]);
	o = out = malloc(cap);
	for (p = tmpl; *p != '\0';) {
		for (i = 0; i + 1 < nkv; i += 2) {
			size_t k = strlen(kv[i]);

			if (p[0] == '@' && strncmp(p + 1, kv[i], k) == 0 &&
			    p[k + 1] == '@') {
				strcpy(o, kv[i + 1]);
				o += strlen(kv[i + 1]);
				p += k + 2;
				break;
			}
		}
		if (i + 1 >= nkv)
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

/* The LCN number of a service in a region (0: none). */
static unsigned
lcn(const struct dvbi_list *l, const char *sid, const char *region)
{
	const struct dvbi_lcn *e = dvbi_lcn_for(l, sid, region);

	return e != NULL ? e->number : 0;
}

/* The SES lists. */

static const unsigned ses_private_lcns[] = {
	1, 2, 3, 1100, 1101, 1102, 1103, 1104, 1105, 1106, 1107, 1108, 1109,
	1110, 1111, 1200, 1201, 1202, 1203, 1204, 1205, 1206, 1207, 1208,
	1209, 1300, 1301, 1302, 1303, 1304, 1305, 1306, 1307, 1308, 1309, 1310,
};

static const struct {
	const char	*file;
	const char	*id;
	const char	*name;
	size_t		nservices;
	unsigned	lcns[8];
} ses_lists[] = {
	{ "tp1045", "tag:ses.com,2024:DVB-NIP_TP1045", "DVB-NIP TP1045", 3,
	    { 1, 2, 3 } },
	{ "full", "tag:ses.com,2024:DVB-NIP_SES_Network",
	    "DVB-NIP SES Network", 6, { 1, 2, 3, 5, 6, 7 } },
	{ "ses_private", "tag:ses.com,2024:DVB-NIP_Offline_Content",
	    "DVB-NIP Offline Content", 36, { 0 } },
};

/* Service 0 of every SES list is B1: DASH at 1, HLS at 2. */
static void
check_b1(const struct dvbi_service *s)
{
	const struct dvbi_instance *d = &s->instances[0], *h = &s->instances[1];

	CHECK(streq(s->id, "tag:ses.com,2024:B1.1"));
	CHECK(streq(dvbi_service_name(s, "en"), "B1"));
	CHECK(streq(s->provider, "SES"));
	CHECK(streq(s->type, "urn:dvb:metadata:cs:ServiceTypeCS:2019:linear"));
	CHECK(streq(s->logo, "http://dvb.gw/ses.com/materials/ses.jpg"));
	CHECK(streq(s->cg_ref, "dvbnipcg"));
	CHECK(s->cg_service_ref == NULL && s->test == 0);
	CHECK_EQ_U(s->version, 1);
	REQUIRE(s->ninstances == 2);
	CHECK_EQ_U(d->kind, DVBI_KIND_DASH);
	CHECK_EQ_U(d->priority, 1);
	CHECK(streq(d->url, "http://dvb.gw/ses.com/livesim2/B1/Manifest.mpd"));
	CHECK(streq(d->content_type, "application/dash+xml"));
	CHECK_EQ_U(h->kind, DVBI_KIND_HLS);
	CHECK_EQ_U(h->priority, 2);
	CHECK(streq(h->url, "http://dvb.gw/ses.com/livesim2/B1/playlist.m3u8"));
	CHECK(streq(h->content_type, "application/vnd.apple.mpegurl"));
	CHECK(dvbi_playable(s, 1) == h);
	CHECK(dvbi_playable(s, 0) == d);
}

static void
test_ses_lists(void)
{
	struct dvbi_list l;
	char path[256];
	size_t i, j;

	if (!have_data("test_ses_lists"))
		return;
	for (i = 0; i < sizeof(ses_lists) / sizeof(ses_lists[0]); i++) {
		snprintf(path, sizeof(path), SES "%s.xml", ses_lists[i].file);
		REQUIRE(parse_file(path, &l) == 0);
		CHECK(streq(l.ns, "urn:dvb:metadata:servicediscovery:2024"));
		CHECK(streq(dvbi_xsd_for_ns(l.ns, 0), "dvbi_v6.0.xsd"));
		CHECK(streq(l.id, ses_lists[i].id));
		CHECK(streq(l.name, ses_lists[i].name));
		CHECK(streq(l.provider, "SES"));
		CHECK_EQ_U(l.version, 1);
		CHECK_EQ_U(l.ncg_sources, 1);
		CHECK_EQ_U(l.ntables, 1);
		CHECK_EQ_U(l.nregions, 0);
		CHECK(!l.truncated);
		REQUIRE(l.nservices == ses_lists[i].nservices);
		CHECK_EQ_U(l.tables[0].nlcns, l.nservices);
		for (j = 0; j < l.nservices; j++) {
			unsigned want = i == 2 ? ses_private_lcns[j] :
			    ses_lists[i].lcns[j];

			CHECK_EQ_U(lcn(&l, l.services[j].id, NULL), want);
			/* No RegionList: any region gets the default table. */
			CHECK_EQ_U(lcn(&l, l.services[j].id, "xx"), want);
		}
		check_b1(&l.services[0]);
		dvbi_list_free(&l);
		CHECK(is_zero(&l));
	}
}

/* tp1045 and full: every service's logo and instance kinds. */
static void
test_ses_details(void)
{
	struct dvbi_list l;
	const struct dvbi_service *s;

	if (!have_data("test_ses_details"))
		return;
	REQUIRE(parse_file(SES "full.xml", &l) == 0);
	/* Inverto 1..3: one HLS instance each, priority 1, png logo. */
	s = &l.services[3];
	CHECK(streq(s->id, "tag:inverto.tv,2024:66aa4385248360b9bf839d06"));
	CHECK(streq(dvbi_service_name(s, NULL), "Inverto 1"));
	CHECK(streq(s->logo, "http://dvb.gw/inverto.tv/rm/inverto1.png"));
	REQUIRE(s->ninstances == 1);
	CHECK_EQ_U(s->instances[0].kind, DVBI_KIND_HLS);
	CHECK(streq(s->instances[0].url, "http://dvb.gw/inverto.tv/s0/"
	    "5G-EMERGE/Live/hls/crits_linear/crits_linear.m3u8"));
	CHECK(dvbi_playable(s, 0) == &s->instances[0]);
	CHECK(streq(l.services[1].logo,
	    "http://dvb.gw/ses.com/materials/dvb-nip.jpg"));
	dvbi_list_free(&l);
}

/* ses_private: 3 linear, 12 jpeg, 10 video/mp4, 11 pdf services. */
static void
test_ses_private(void)
{
	struct dvbi_list l;
	size_t i, dash = 0, hls = 0, ident = 0, mp4 = 0, ondemand = 0;

	if (!have_data("test_ses_private"))
		return;
	REQUIRE(parse_file(SES "ses_private.xml", &l) == 0);
	for (i = 0; i < l.nservices; i++) {
		const struct dvbi_service *s = &l.services[i];
		size_t j;

		for (j = 0; j < s->ninstances; j++) {
			const struct dvbi_instance *in = &s->instances[j];

			dash += in->kind == DVBI_KIND_DASH;
			hls += in->kind == DVBI_KIND_HLS;
			ident += in->kind == DVBI_KIND_IDENTIFIER;
			if (streq(in->content_type, "video/mp4")) {
				mp4++;
				CHECK_EQ_U(in->kind, DVBI_KIND_IDENTIFIER);
				CHECK(dvbi_playable(s, 1) == in);
			}
		}
		ondemand += streq(s->type,
		    "urn:dvb:metadata:cs:ServiceTypeCS:2019:ondemand");
	}
	CHECK_EQ_U(dash, 3);
	CHECK_EQ_U(hls, 3);
	CHECK_EQ_U(ident, 33);
	CHECK_EQ_U(mp4, 10);
	CHECK_EQ_U(ondemand, 10);
	/* Service 17 (LCN 1202): a URL with %20 and a name with spaces. */
	CHECK(streq(l.services[17].instances[0].url, "http://dvb.gw/ses.com/"
	    "private/vod_small/Welcome%20to%20Luxembourg.mp4"));
	CHECK(streq(l.services[17].names[0].text, "Welcome to Luxembourg.mp4"));
	/* An escaped serviceRef still finds its service: LCN 1301. */
	CHECK_EQ_U(lcn(&l, "tag:ses.com,2024:Scho%CC%88ner_Wohnen.pdf.1301",
	    NULL), 1301);
	CHECK(l.services[3].logo == NULL);
	dvbi_list_free(&l);
}

/* The reference client lists. */

static const struct {
	const char	*file;
	size_t		nservices, ntables, nregions, ncg, ninstances;
} sl_files[] = {
	{ "TM-STREAM0075r1 DVB-DASH_Reference_Streams.xml", 19, 1, 0, 1, 19 },
	{ "advanced_codecs.xml", 1, 1, 0, 0, 1 },
	{ "drm.xml", 5, 1, 0, 1, 7 },
	{ "example.xml", 13, 1, 0, 1, 14 },
	{ "example_availability.xml", 2, 1, 0, 1, 2 },
	{ "example_rev1.xml", 2, 1, 0, 1, 2 },
	{ "regions.xml", 6, 5, 6, 0, 6 },
};

/*
 * Every file of servicelists/: the seven ServiceLists parse with the
 * counts above; slepr-main.xml and slepr-master.xml are registries
 * (ServiceListEntryPoints), not service lists, and must be refused.
 */
static void
test_all_servicelists(void)
{
	struct dvbi_list l;
	struct dirent *de;
	size_t ok = 0, slep = 0, i, j, n;
	char path[512];
	DIR *d;

	if (!have_data("test_all_servicelists") ||
	    (d = opendir(SAMPLE_SL)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strstr(de->d_name, ".xml") == NULL)
			continue;
		snprintf(path, sizeof(path), SAMPLE_SL "/%s", de->d_name);
		if (strncmp(de->d_name, "slepr-", 6) == 0) {
			CHECK(parse_file(path, &l) == -1);
			CHECK(strstr(errbuf, "ServiceListEntryPoints") != NULL);
			CHECK(is_zero(&l));
			slep++;
			continue;
		}
		if (parse_file(path, &l) != 0) {
			fprintf(stderr, "%s: %s\n", path, errbuf);
			CHECK(0);
			continue;
		}
		for (i = 0; i < sizeof(sl_files) / sizeof(sl_files[0]); i++) {
			if (strcmp(sl_files[i].file, de->d_name) != 0)
				continue;
			ok++;
			CHECK_EQ_U(l.nservices, sl_files[i].nservices);
			CHECK_EQ_U(l.ntables, sl_files[i].ntables);
			CHECK_EQ_U(l.nregions, sl_files[i].nregions);
			CHECK_EQ_U(l.ncg_sources, sl_files[i].ncg);
			for (j = n = 0; j < l.nservices; j++)
				n += l.services[j].ninstances;
			CHECK_EQ_U(n, sl_files[i].ninstances);
		}
		CHECK(dvbi_xsd_for_ns(l.ns, 0) != NULL);
		dvbi_list_free(&l);
	}
	closedir(d);
	CHECK_EQ_U(ok, sizeof(sl_files) / sizeof(sl_files[0]));
	CHECK_EQ_U(slep, 2);
}

static void
test_example(void)
{
	const struct dvbi_service *s;
	struct dvbi_list l;

	if (!have_data("test_example"))
		return;
	REQUIRE(parse_file(SAMPLE_SL "/example.xml", &l) == 0);
	REQUIRE(l.nservices == 13);
	CHECK(streq(dvbi_xsd_for_ns(l.ns, 1), "dvbi_v8.0+hls+hbbtv+dvbhb.xsd"));
	/* sid1: DVB-T triplet 8916/4097/74, LCN 646, no playable URL. */
	s = &l.services[0];
	CHECK_EQ_U(s->instances[0].kind, DVBI_KIND_DVBT);
	CHECK_EQ_U(s->instances[0].onid, 8916);
	CHECK_EQ_U(s->instances[0].tsid, 4097);
	CHECK_EQ_U(s->instances[0].sid, 74);
	CHECK(s->instances[0].url == NULL && dvbi_playable(s, 0) == NULL);
	CHECK(streq(s->cg_service_ref, "cgsid_1"));
	CHECK_EQ_U(lcn(&l, s->id, NULL), 646);
	/* sid3: DASH, names in en and zh. */
	s = &l.services[2];
	CHECK(streq(s->instances[0].url,
	    "https://livesim.dashif.org/livesim/testpic_2s/multi_subs.mpd"));
	CHECK(streq(dvbi_service_name(s, "zh"), "IRT测试通道"));
	CHECK(streq(dvbi_service_name(s, "ZH-cn"), "IRT测试通道"));
	CHECK(streq(dvbi_service_name(s, "en-GB"), "IRT test channel"));
	CHECK(streq(dvbi_service_name(s, "fr"), "IRT test channel"));
	CHECK_EQ_U(lcn(&l, s->id, NULL), 4);
	/* sid15: priority 2 first in the file, 1 second; a data: logo. */
	s = &l.services[3];
	REQUIRE(s->ninstances == 2);
	CHECK(dvbi_playable(s, 0) == &s->instances[1]);
	CHECK(dvbi_playable(s, 1) == &s->instances[1]);
	CHECK(streq(s->instances[0].url,
	    "https://refapp.hbbtv.org/livesim/02_llamanofragv1/manifest.mpd"));
	CHECK(s->logo != NULL && strncmp(s->logo, "data:image/png;base64,", 22) == 0);
	/* DASHIF-LL (LCN 21): no @priority means 0. */
	s = &l.services[6];
	CHECK(streq(s->id, "tag:dvb.org,2020:DASHIF-LL"));
	CHECK_EQ_U(s->instances[0].priority, 0);
	CHECK(streq(s->instances[0].url, "https://livesim.dashif.org/"
	    "livesim-chunked/chunkdur_1/ato_7/testpic4_8s/Manifest.mpd"));
	CHECK_EQ_U(lcn(&l, s->id, NULL), 21);
	CHECK(streq(l.services[12].instances[0].url, "https://dev.onscreenpub"
	    "lisher.co.uk/videos/streams/2rn2/RTÉ_One/manifest.php"));
	dvbi_list_free(&l);
}

/* Regions and regional LCN tables. */

/* regions.xml with from replaced by to (once), parsed into l. */
static int
parse_regions_edit(const char *from, const char *to, struct dvbi_list *l)
{
	size_t len = 0, k;
	char *b = sample_read(SAMPLE_SL "/regions.xml", &len), *p, *e;
	int rc = -1;

	if (b == NULL || (p = strstr(b, from)) == NULL) {
		free(b);
		return -1;
	}
	k = strlen(from);
	e = malloc(len + strlen(to) + 1);
	memcpy(e, b, (size_t)(p - b));
	sprintf(e + (p - b), "%s%s", to, p + k);
	rc = parse_str(e, l);
	free(e);
	free(b);
	return rc;
}

#define RSVC	"tag:dvb.org,2024:"

static void
test_regions(void)
{
	struct dvbi_list l;

	if (!have_data("test_regions"))
		return;
	REQUIRE(parse_file(SAMPLE_SL "/regions.xml", &l) == 0);
	REQUIRE(l.nregions == 6);
	CHECK(streq(l.regions[0].id, "deutschland") && l.regions[0].parent == NULL);
	CHECK(streq(l.regions[0].name, "Deutschland"));
	CHECK(streq(l.regions[1].id, "augsburg"));
	CHECK(streq(l.regions[1].parent, "deutschland"));
	CHECK(streq(l.regions[5].id, "köln") && streq(l.regions[5].name, "Köln"));
	CHECK(streq(l.regions[5].parent, "deutschland"));
	/* @version 20260604064012 does not fit 32 bits: kept whole. */
	CHECK_EQ_U(l.version, 20260604064012ULL);
	REQUIRE(l.ntables == 5);
	CHECK(l.tables[4].nregions == 1 && streq(l.tables[4].regions[0], "köln"));
	/* No default table: nothing without a region. */
	CHECK_EQ_U(lcn(&l, RSVC "koln", NULL), 0);
	CHECK_EQ_U(lcn(&l, RSVC "koln", "köln"), 2);
	CHECK_EQ_U(lcn(&l, RSVC "dortmund", "dortmund"), 2);
	CHECK_EQ_U(lcn(&l, RSVC "deutschland", "franken"), 1);
	/* The regional table is the whole line-up of its region. */
	CHECK_EQ_U(lcn(&l, RSVC "franken", "köln"), 0);
	/* deutschland has no table of its own and no ancestor. */
	CHECK_EQ_U(lcn(&l, RSVC "deutschland", "deutschland"), 0);
	CHECK(streq(dvbi_service_name(&l.services[2], "en"),
	    "Deutschland service"));
	dvbi_list_free(&l);

	/* A default table added: it differs from the regional ones. */
	REQUIRE(parse_regions_edit("<LCNTableList>", "<LCNTableList><LCNTable>"
	    "<LCN channelNumber=\"40\" serviceRef=\"" RSVC "koln\"/>"
	    "<LCN channelNumber=\"41\" serviceRef=\"" RSVC "franken\"/>"
	    "</LCNTable>", &l) == 0);
	CHECK_EQ_U(l.ntables, 6);
	CHECK_EQ_U(lcn(&l, RSVC "koln", NULL), 40);
	CHECK_EQ_U(lcn(&l, RSVC "koln", "köln"), 2);
	CHECK_EQ_U(lcn(&l, RSVC "koln", "nowhere"), 40);
	CHECK_EQ_U(lcn(&l, RSVC "franken", "köln"), 0);
	dvbi_list_free(&l);

	/* Augsburg's table retargeted at Deutschland: found via the parent. */
	REQUIRE(parse_regions_edit("<TargetRegion>augsburg</TargetRegion>",
	    "<TargetRegion>deutschland</TargetRegion>", &l) == 0);
	CHECK_EQ_U(lcn(&l, RSVC "ausburg", "augsburg"), 2);
	CHECK_EQ_U(lcn(&l, RSVC "ausburg", "deutschland"), 2);
	/* Köln's own table still wins over its parent's. */
	CHECK_EQ_U(lcn(&l, RSVC "koln", "köln"), 2);
	CHECK_EQ_U(lcn(&l, RSVC "ausburg", "köln"), 0);
	dvbi_list_free(&l);
}

/* Three levels, a Region without regionID, a table for the top. */
static const char deep_regions[] =
    "<ServiceList xmlns='urn:dvb:metadata:servicediscovery:2022b' id='r'"
    " version='1'><RegionList version='1'>"
    "<Region regionID='a'><RegionName>A</RegionName>"
    "<Region regionID='b'><Region><Region regionID='c'/></Region></Region>"
    "</Region><Region regionID='z'/></RegionList><LCNTableList>"
    "<LCNTable><TargetRegion>a</TargetRegion>"
    "<LCN channelNumber='7' serviceRef='s'/></LCNTable>"
    "<LCNTable><TargetRegion> </TargetRegion>"
    "<LCN channelNumber='9' serviceRef='s'/></LCNTable>"
    "</LCNTableList></ServiceList>";

static void
test_nested_regions(void)
{
	struct dvbi_list l;

	REQUIRE(parse_str(deep_regions, &l) == 0);
	REQUIRE(l.nregions == 4);
	CHECK(streq(l.regions[2].id, "c") && streq(l.regions[2].parent, "b"));
	CHECK(streq(l.regions[1].parent, "a") && l.regions[3].parent == NULL);
	CHECK(l.regions[1].name == NULL);
	CHECK_EQ_U(lcn(&l, "s", "c"), 7);	/* c -> b -> a */
	CHECK_EQ_U(lcn(&l, "s", "z"), 9);	/* the blank target is no target */
	CHECK_EQ_U(lcn(&l, "s", NULL), 9);
	CHECK(dvbi_lcn_for(&l, NULL, "a") == NULL);
	CHECK(dvbi_lcn_for(NULL, "s", "a") == NULL);
	dvbi_list_free(&l);
}

/* The three HLS forms, in three namespace years. */

static const char hls_tmpl[] =
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    "<ServiceList xmlns='urn:dvb:metadata:servicediscovery:@Y@'"
    " xmlns:dvbi-types='@T@' xmlns:tva='urn:tva:metadata:2024'"
    " xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'"
    " xmlns:hls='vnd:apple:mpegurl' id='tag:t,2025:hls' version='7'>"
    "<Name>HLS</Name><ProviderName>T</ProviderName>"
    "<Service version='1'><UniqueIdentifier>tag:t,2025:s</UniqueIdentifier>"
    "<ServiceInstance priority='3'>@B@</ServiceInstance>"
    "<ServiceName>S</ServiceName></Service></ServiceList>";

static const struct {
	const char	*what;
	const char	*body;	/* @U@ is the URI element's name */
	enum dvbi_kind	kind;
	const char	*url;
	const char	*ct;
} hls_forms[] = {
	{ "Annex G extension", "<OtherDeliveryParameters"
	    " extensionName='vnd.apple.mpegurl' xsi:type='hls:m3u8RefType'>"
	    "<hls:UriBasedLocation contentType='application/vnd.apple.mpegurl'>"
	    "<@U@>http://h/a/master?x=1</@U@></hls:UriBasedLocation>"
	    "</OtherDeliveryParameters>", DVBI_KIND_HLS, "http://h/a/master?x=1",
	    "application/vnd.apple.mpegurl" },
	{ "private extension, contentType", "<OtherDeliveryParameters"
	    " extensionName='APPLE-HLS.0'><HLSUrl contentType="
	    "'application/vnd.apple.mpegurl'><@U@> http://h/b/live </@U@>"
	    "</HLSUrl></OtherDeliveryParameters>", DVBI_KIND_HLS,
	    "http://h/b/live", "application/vnd.apple.mpegurl" },
	{ "private extension, .m3u8", "<OtherDeliveryParameters"
	    " extensionName='X'><Deep><Deeper><@U@>http://h/c/i.M3U8?t=1#f"
	    "</@U@></Deeper></Deep></OtherDeliveryParameters>", DVBI_KIND_HLS,
	    "http://h/c/i.M3U8?t=1#f", NULL },
	{ "contentType on the element", "<OtherDeliveryParameters"
	    " contentType='application/x-mpegURL; q=1'><@U@>http://h/k</@U@>"
	    "</OtherDeliveryParameters>", DVBI_KIND_HLS, "http://h/k",
	    "application/x-mpegURL; q=1" },
	{ "private extension, DASH", "<OtherDeliveryParameters"
	    " extensionName='X'><@U@>http://h/d/m.mpd</@U@>"
	    "</OtherDeliveryParameters>", DVBI_KIND_OTHER, "http://h/d/m.mpd",
	    NULL },
	{ "identifier, contentType", "<IdentifierBasedDeliveryParameters"
	    " contentType='application/vnd.apple.mpegurl'>http://h/e/p"
	    "</IdentifierBasedDeliveryParameters>", DVBI_KIND_HLS, "http://h/e/p",
	    "application/vnd.apple.mpegurl" },
	{ "identifier, audio/mpegurl", "<IdentifierBasedDeliveryParameters"
	    " contentType='audio/mpegurl'>http://h/f/p</Identifier"
	    "BasedDeliveryParameters>", DVBI_KIND_HLS, "http://h/f/p",
	    "audio/mpegurl" },
	{ "identifier, .m3u8 only", "<IdentifierBasedDeliveryParameters>"
	    "http://h/g/p.m3u8</IdentifierBasedDeliveryParameters>",
	    DVBI_KIND_HLS, "http://h/g/p.m3u8", NULL },
	{ "identifier, mp4", "<IdentifierBasedDeliveryParameters"
	    " contentType='video/mp4'>http://h/m3u8/v.mp4</Identifier"
	    "BasedDeliveryParameters>", DVBI_KIND_IDENTIFIER,
	    "http://h/m3u8/v.mp4", "video/mp4" },
};

static void
test_hls_forms(void)
{
	/* Year, types namespace, name of the URI element in that year. */
	static const char *const years[][3] = {
		{ "2020", "urn:x", "URI" },
		{ "2024", TNS, "dvbi-types:URI" },
		{ "2026", "urn:dvb:metadata:servicediscovery-types:2026",
		    "dvbi-types:URI" },
	};
	struct dvbi_list l;
	size_t y, f;

	for (y = 0; y < 3; y++) {
		for (f = 0; f < sizeof(hls_forms) / sizeof(hls_forms[0]); f++) {
			const char *kv1[] = { "U", years[y][2] };
			char *body = expand(hls_forms[f].body, kv1, 2);
			const char *kv2[] = { "Y", years[y][0], "T", years[y][1],
			    "B", body };
			char *xml = expand(hls_tmpl, kv2, 6);
			const struct dvbi_instance *in;

			if (parse_str(xml, &l) != 0 || l.nservices != 1 ||
			    l.services[0].ninstances != 1) {
				fprintf(stderr, "%s %s: %s\n", years[y][0],
				    hls_forms[f].what, errbuf);
				CHECK(0);
			} else {
				in = &l.services[0].instances[0];
				CHECK_EQ_U(in->kind, hls_forms[f].kind);
				CHECK_EQ_U(in->priority, 3);
				CHECK(streq(in->url, hls_forms[f].url));
				CHECK(hls_forms[f].ct == NULL ?
				    in->content_type == NULL :
				    streq(in->content_type, hls_forms[f].ct));
				CHECK((dvbi_playable(&l.services[0], 1) == in) ==
				    (hls_forms[f].kind != DVBI_KIND_OTHER));
			}
			dvbi_list_free(&l);
			free(xml);
			free(body);
		}
	}
}

/* XSD names. */

static void
test_xsd_for_ns(void)
{
	static const char *const t[][3] = {
		{ "2019", "dvbi_v1.0.xsd", "dvbi_v1.0.xsd" },
		{ "2020", "dvbi_v2.0.xsd", "dvbi_v2.0.xsd" },
		{ "2021", "dvbi_v3.0.xsd", "dvbi_v3.0.xsd" },
		{ "2022", "dvbi_v3.1.xsd", "dvbi_v3.1.xsd" },
		{ "2022b", "dvbi_v4.0.xsd", "dvbi_v4.0+hls+hbbtv.xsd" },
		{ "2023", "dvbi_v5.0.xsd", "dvbi_v5.0+hls+hbbtv.xsd" },
		{ "2024", "dvbi_v6.0.xsd", "dvbi_v6.0+hls+hbbtv.xsd" },
		{ "2025", "dvbi_v7.0.xsd", "dvbi_v7.0+hls+hbbtv.xsd" },
		{ "2026", "dvbi_v8.0.xsd", "dvbi_v8.0+hls+hbbtv+dvbhb.xsd" },
	};
	static const char *const bad[] = {
		"urn:dvb:metadata:servicediscovery:2027",
		"urn:dvb:metadata:servicediscovery:",
		"urn:dvb:metadata:servicediscovery:2024 ",
		"urn:dvb:metadata:servicediscovery:2022c",
		"URN:DVB:METADATA:SERVICEDISCOVERY:2024",
		"urn:dvb:metadata:servicediscovery-types:2023",
		"urn:dvb:metadata:servicelistdiscovery:2024", "", "2024",
	};
	int data = have_data("test_xsd_for_ns: schema files");
	char ns[96], path[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(ns, sizeof(ns), "urn:dvb:metadata:servicediscovery:%s",
		    t[i][0]);
		CHECK(streq(dvbi_xsd_for_ns(ns, 0), t[i][1]));
		CHECK(streq(dvbi_xsd_for_ns(ns, 1), t[i][2]));
		/* Each name is a file of the schema set, when it is here. */
		snprintf(path, sizeof(path), SAMPLE_XSD "/%s", t[i][2]);
		if (data && access(path, R_OK) != 0)
			CHECK(0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(dvbi_xsd_for_ns(bad[i], 0) == NULL);
		CHECK(dvbi_xsd_for_ns(bad[i], 1) == NULL);
	}
	CHECK(dvbi_xsd_for_ns(NULL, 1) == NULL);
}

TEST_MAIN(TEST(test_ses_lists), TEST(test_ses_details),
    TEST(test_ses_private), TEST(test_all_servicelists), TEST(test_example),
    TEST(test_regions), TEST(test_nested_regions), TEST(test_hls_forms),
    TEST(test_xsd_for_ns))
