/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_dvbi_sl_hostile.c: the DVB-I service list parser (dvb-i/dvbi.c,
 * dvbi_svc.c) on input it must survive: lenient reading of broken values
 * (bad numbers, booleans and priorities, missing identifiers), every
 * DVBI_MAX_* bound exactly at and one past its limit, hostile documents
 * (entity expansion, external entities, wrong roots and namespaces, deep
 * nesting, oversize, NUL bytes) that must be refused with a reason and
 * nothing to free, and seeded random damage and truncation of the SES
 * lists in ../shared/data (skipped with a SKIP line when absent).  The
 * well-formed lists are in test_dvbi_sl.c.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "sample_harness.h"
#include "../../dvb-i/dvbi.h"
#include "../../dvb-i/xmlu.h"

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

/* The LCN number of a service in a region (0: none). */
static unsigned
lcn(const struct dvbi_list *l, const char *sid, const char *region)
{
	const struct dvbi_lcn *e = dvbi_lcn_for(l, sid, region);

	return e != NULL ? e->number : 0;
}

/* Lenient reading. */

static const char lenient[] =
    "<ServiceList xmlns='urn:dvb:metadata:servicediscovery:2021'"
    " xmlns:x='urn:other' id='tag:l' version='v2'>"
    "<Name xml:lang='en'> Lenient </Name><LCNTableList><LCNTable>"
    "<LCN channelNumber='x1' serviceRef='tag:a'/>"
    "<LCN channelNumber='99999999999' serviceRef='tag:a'/>"
    "<LCN channelNumber='5'/>"
    "<LCN channelNumber=' 12 ' serviceRef='tag:a' visible='false'"
    " selectable='maybe'/></LCNTable></LCNTableList>"
    "<Service version='x'><ServiceName>no id</ServiceName></Service>"
    "<Service version='2'><UniqueIdentifier> </UniqueIdentifier></Service>"
    "<TestService version='3'><UniqueIdentifier>tag:a</UniqueIdentifier>"
    "<UniqueIdentifier>tag:second</UniqueIdentifier>"
    "<ServiceInstance priority='abc'><DASHDeliveryParameters>"
    "<UriBasedLocation><URI>http://a/1.mpd</URI></UriBasedLocation>"
    "</DASHDeliveryParameters></ServiceInstance>"
    "<ServiceInstance priority='-4'><DASHDeliveryParameters>"
    "<UriBasedLocation><URI>http://a/2.mpd</URI></UriBasedLocation>"
    "</DASHDeliveryParameters></ServiceInstance>"
    "<ServiceInstance priority='99999999999'><DVBSDeliveryParameters>"
    "<DVBTriplet origNetId='1' tsId='1089' serviceId='28006'/>"
    "<OrbitalPosition>19.2</OrbitalPosition><Frequency>11493750</Frequency>"
    "<Polarization>horizontal</Polarization></DVBSDeliveryParameters>"
    "</ServiceInstance><ServiceInstance><SourceType>x</SourceType>"
    "</ServiceInstance><ServiceInstance><DVBCDeliveryParameters>"
    "<DVBTriplet origNetId='70000' serviceId='5'/></DVBCDeliveryParameters>"
    "</ServiceInstance><ServiceInstance priority='0'>"
    "<IdentifierBasedDeliveryParameters>http://a/3.mp4"
    "</IdentifierBasedDeliveryParameters></ServiceInstance>"
    "<ServiceName xml:lang='de'>Eins</ServiceName>"
    "<ServiceName/><x:ProviderName>P</x:ProviderName><RelatedMaterial>"
    "<HowRelated href='urn:tva:metadata:cs:HowRelatedCS:2012:19'/>"
    "<MediaLocator><MediaUri>http://a/banner</MediaUri></MediaLocator>"
    "</RelatedMaterial><RelatedMaterial><x:HowRelated"
    " href='urn:dvb:metadata:cs:HowRelatedCS:2020:1001.2'/><x:MediaLocator>"
    "<x:MediaUri>http://a/logo.png</x:MediaUri></x:MediaLocator>"
    "</RelatedMaterial><RelatedMaterial><HowRelated"
    " href='urn:dvb:metadata:cs:HowRelatedCS:2021:1001.2'/><MediaLocator>"
    "<MediaUri>http://a/second.png</MediaUri></MediaLocator>"
    "</RelatedMaterial><ServiceGenre href='g1'/><ServiceGenre/>"
    "<ServiceType href='radio'/></TestService>"
    "<Service version='1'><UniqueIdentifier>tag:b</UniqueIdentifier>"
    "</Service></ServiceList>";

/*
 * Choices: a Service without a (non-blank) UniqueIdentifier is dropped and
 * the rest kept; a bad @version reads 0; a bad @priority ranks last
 * (UINT32_MAX), a negative one (dvbi_v1.0 allowed it) first (0); an LCN
 * without a valid channelNumber or a serviceRef is dropped; a bad
 * boolean is the default.
 */
static void
test_lenient(void)
{
	const struct dvbi_instance *in;
	const struct dvbi_service *s;
	struct dvbi_list l;

	REQUIRE(parse_str(lenient, &l) == 0);
	CHECK_EQ_U(l.version, 0);
	CHECK(streq(l.name, "Lenient") && l.provider == NULL);
	CHECK(!l.truncated && l.ncg_sources == 0);
	REQUIRE(l.nservices == 2);
	s = &l.services[0];
	CHECK(streq(s->id, "tag:a") && s->test == 1 && s->version == 3);
	CHECK(streq(s->provider, "P") && streq(s->logo, "http://a/logo.png"));
	CHECK(streq(s->type, "radio") && s->ngenres == 1);
	CHECK(s->nnames == 1 && streq(s->names[0].lang, "de"));
	CHECK(streq(dvbi_service_name(s, "en"), "Eins"));
	REQUIRE(s->ninstances == 6);
	in = s->instances;
	CHECK(in[0].priority == UINT32_MAX && in[0].kind == DVBI_KIND_DASH);
	CHECK(in[0].content_type == NULL && streq(in[0].url, "http://a/1.mpd"));
	CHECK_EQ_U(in[1].priority, 0);
	/* in[5] has the same priority 0: the first in the file wins. */
	CHECK(dvbi_playable(s, 0) == &in[1] && dvbi_playable(s, 1) == &in[1]);
	CHECK(in[5].kind == DVBI_KIND_IDENTIFIER && in[5].priority == 0);
	CHECK(in[2].kind == DVBI_KIND_DVBS && in[2].priority == UINT32_MAX);
	CHECK(in[2].onid == 1 && in[2].tsid == 1089 && in[2].sid == 28006);
	CHECK(streq(in[2].frequency, "11493750") && in[2].url == NULL);
	CHECK(streq(in[2].polarization, "horizontal"));
	CHECK(streq(in[2].orbital_position, "19.2"));
	CHECK(in[3].kind == DVBI_KIND_OTHER && in[3].url == NULL);
	CHECK(in[4].kind == DVBI_KIND_DVBC && in[4].onid == 0 && in[4].sid == 5);
	CHECK(in[4].frequency == NULL);
	s = &l.services[1];
	CHECK(streq(s->id, "tag:b") && dvbi_service_name(s, "en") == NULL);
	CHECK(dvbi_playable(s, 1) == NULL && s->logo == NULL);
	REQUIRE(l.ntables == 1 && l.tables[0].nlcns == 1);
	CHECK_EQ_U(l.tables[0].lcns[0].number, 12);
	CHECK(l.tables[0].lcns[0].visible == 0);
	CHECK(l.tables[0].lcns[0].selectable == 1);
	CHECK(dvbi_lcn_for(&l, "tag:a", NULL) == &l.tables[0].lcns[0]);
	dvbi_list_free(&l);
	dvbi_list_free(NULL);
}

/* Bounds. */

/* A list of nsvc services, the first with extra instances etc. */
static char *
gen_list(size_t nsvc, size_t ninst, size_t nmore, size_t ntab, size_t nlcn,
    size_t nreg)
{
	char *b = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&b, &len);

	fprintf(fp, "<ServiceList xmlns='urn:dvb:metadata:servicediscovery:"
	    "2025' id='big' version='1'><RegionList>");
	for (i = 0; i < nreg; i++)
		fprintf(fp, "<Region regionID='r%zu'/>", i);
	fprintf(fp, "</RegionList><LCNTableList>");
	for (i = 0; i < ntab; i++) {
		size_t j;

		fprintf(fp, "<LCNTable>");
		for (j = 0; i == 0 && j < nlcn; j++)
			fprintf(fp, "<LCN channelNumber='%zu' serviceRef='s%zu'/>",
			    j + 1, j);
		fprintf(fp, "</LCNTable>");
	}
	fprintf(fp, "</LCNTableList>");
	for (i = 0; i < nsvc; i++) {
		size_t j;

		fprintf(fp, "<Service version='1'><UniqueIdentifier>s%zu"
		    "</UniqueIdentifier>", i);
		for (j = 0; i == 0 && j < ninst; j++)
			fprintf(fp, "<ServiceInstance priority='%zu'><Identifier"
			    "BasedDeliveryParameters>http://a/%zu.mp4</Identifier"
			    "BasedDeliveryParameters></ServiceInstance>", j, j);
		for (j = 0; i == 0 && j < nmore; j++)
			fprintf(fp, "<ServiceName xml:lang='l%zu'>n%zu</ServiceName>"
			    "<ServiceGenre href='g%zu'/>", j, j, j);
		fprintf(fp, "</Service>");
	}
	fprintf(fp, "</ServiceList>");
	fclose(fp);
	return b;
}

static void
test_bounds(void)
{
	struct dvbi_list l;
	char *b;

	/* Exactly at every limit: nothing is lost. */
	b = gen_list(DVBI_MAX_SERVICES, DVBI_MAX_INSTANCES, DVBI_MAX_NAMES,
	    DVBI_MAX_TABLES, DVBI_MAX_LCNS, DVBI_MAX_REGIONS);
	REQUIRE(parse_str(b, &l) == 0);
	CHECK(!l.truncated);
	CHECK_EQ_U(l.nservices, DVBI_MAX_SERVICES);
	CHECK_EQ_U(l.services[0].ninstances, DVBI_MAX_INSTANCES);
	CHECK_EQ_U(l.services[0].nnames, DVBI_MAX_NAMES);
	CHECK_EQ_U(l.services[0].ngenres, DVBI_MAX_GENRES);
	CHECK_EQ_U(l.ntables, DVBI_MAX_TABLES);
	CHECK_EQ_U(l.tables[0].nlcns, DVBI_MAX_LCNS);
	CHECK_EQ_U(l.nregions, DVBI_MAX_REGIONS);
	CHECK_EQ_U(lcn(&l, "s4095", NULL), 4096);
	dvbi_list_free(&l);
	free(b);

	/* One more of each: the excess is dropped and the list marked. */
	b = gen_list(DVBI_MAX_SERVICES + 1, DVBI_MAX_INSTANCES + 1,
	    DVBI_MAX_NAMES + 1, DVBI_MAX_TABLES + 1, DVBI_MAX_LCNS + 1,
	    DVBI_MAX_REGIONS + 1);
	REQUIRE(parse_str(b, &l) == 0);
	CHECK(l.truncated);
	CHECK_EQ_U(l.nservices, DVBI_MAX_SERVICES);
	CHECK(streq(l.services[DVBI_MAX_SERVICES - 1].id, "s4095"));
	CHECK_EQ_U(l.services[0].ninstances, DVBI_MAX_INSTANCES);
	CHECK_EQ_U(l.services[0].instances[15].priority, 15);
	CHECK(streq(l.services[0].instances[15].url, "http://a/15.mp4"));
	CHECK_EQ_U(l.services[0].nnames, DVBI_MAX_NAMES);
	CHECK_EQ_U(l.services[0].ngenres, DVBI_MAX_GENRES);
	CHECK_EQ_U(l.ntables, DVBI_MAX_TABLES);
	CHECK_EQ_U(l.tables[0].nlcns, DVBI_MAX_LCNS);
	CHECK_EQ_U(l.nregions, DVBI_MAX_REGIONS);
	CHECK(dvbi_playable(&l.services[0], 0) == &l.services[0].instances[0]);
	dvbi_list_free(&l);
	free(b);

	/* Only instances over the limit also marks the list. */
	b = gen_list(1, DVBI_MAX_INSTANCES + 4, 0, 0, 0, 0);
	REQUIRE(parse_str(b, &l) == 0);
	CHECK(l.truncated && l.services[0].ninstances == DVBI_MAX_INSTANCES);
	dvbi_list_free(&l);
	free(b);
}

/* Hostile documents: refused, with a reason, and nothing to free. */

#define SL_OPEN	"<ServiceList xmlns='urn:dvb:metadata:servicediscovery:2024'" \
		" id='x' version='1'>"

static const char laughs[] =
    "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
    "<!ENTITY lol1 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>"
    "<!ENTITY lol2 '&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;'>"
    "<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>"
    "<!ENTITY lol4 '&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;'>"
    "<!ENTITY lol5 '&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;'>]>"
    SL_OPEN "<Name>&lol5;</Name></ServiceList>";

static const char *const hostile[] = {
	laughs,
	"<?xml version='1.0'?><!DOCTYPE s [<!ENTITY x SYSTEM"
	" 'file:///etc/passwd'>]>" SL_OPEN "<Name>&x;</Name></ServiceList>",
	"<!DOCTYPE ServiceList>" SL_OPEN "</ServiceList>",
	"<ServiceListEntryPoints xmlns='urn:dvb:metadata:servicelistdiscovery:"
	"2024'/>",
	"<Foo xmlns='urn:dvb:metadata:servicediscovery:2024' id='x'/>",
	"<ServiceList xmlns='urn:dvb:metadata:servicelistdiscovery:2024'"
	" id='x'/>",
	"<ServiceList xmlns='urn:dvb:metadata:servicediscovery-types:2023'"
	" id='x'/>",
	"<ServiceList id='x' version='1'/>",
	"<d:ServiceList xmlns:d='urn:other' id='x'/>",
	"<ServiceList xmlns='urn:dvb:metadata:servicediscovery:2024'/>",
	"<ServiceList xmlns='urn:dvb:metadata:servicediscovery:2024' id=''/>",
	SL_OPEN "<Service><UniqueIdentifier>a</Service></ServiceList>",
	SL_OPEN,
	"not xml at all",
	"",
};

static void
check_refused(const char *b, size_t len, const char *what)
{
	struct dvbi_list l;

	memset(&l, 0xa5, sizeof(l));
	if (parse_buf(b, len, &l) != -1) {
		fprintf(stderr, "accepted: %s\n", what);
		CHECK(0);
		dvbi_list_free(&l);
		return;
	}
	CHECK(strncmp(errbuf, "service list: ", 14) == 0);
	CHECK(is_zero(&l));
	dvbi_list_free(&l);
}

/* A list with a Service holding depth nested elements. */
static char *
gen_deep(int depth)
{
	char *b = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&b, &len);
	int i;

	fprintf(fp, SL_OPEN "<Service><UniqueIdentifier>d</UniqueIdentifier>");
	for (i = 0; i < depth; i++)
		fprintf(fp, "<E>");
	for (i = 0; i < depth; i++)
		fprintf(fp, "</E>");
	fprintf(fp, "</Service></ServiceList>");
	fclose(fp);
	return b;
}

static void
test_hostile(void)
{
	struct dvbi_list l;
	size_t i, n;
	char *b;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		check_refused(hostile[i], strlen(hostile[i]), hostile[i]);
	check_refused(NULL, 0, "NULL");
	check_refused("<a\0b/>", 6, "NUL byte");

	/* Nesting: 40 levels below a Service is fine, 70 is not. */
	b = gen_deep(40);
	REQUIRE(parse_str(b, &l) == 0);
	CHECK(l.nservices == 1);
	dvbi_list_free(&l);
	free(b);
	b = gen_deep(70);
	check_refused(b, strlen(b), "deep");
	free(b);

	/* Size: XMLU_MAX_BYTES of list and blanks is read, one more is not. */
	n = XMLU_MAX_BYTES + 1;
	REQUIRE((b = malloc(n)) != NULL);
	memset(b, ' ', n);
	memcpy(b, SL_OPEN "</ServiceList>", strlen(SL_OPEN "</ServiceList>"));
	check_refused(b, n, "oversize");
	CHECK(parse_buf(b, n - 1, &l) == 0 && streq(l.id, "x"));
	dvbi_list_free(&l);
	free(b);
}

/* Random damage to the SES lists. */

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* What any accepted list must satisfy, whatever it was made from. */
static int
sane(const struct dvbi_list *l)
{
	size_t i, j;
	int ok = l->id != NULL && l->nservices <= DVBI_MAX_SERVICES &&
	    l->ntables <= DVBI_MAX_TABLES && l->nregions <= DVBI_MAX_REGIONS;

	for (i = 0; ok && i < l->nservices; i++) {
		const struct dvbi_service *s = &l->services[i];
		const struct dvbi_instance *p = dvbi_playable(s, 1);

		ok = s->id != NULL && s->ninstances <= DVBI_MAX_INSTANCES &&
		    s->nnames <= DVBI_MAX_NAMES && (p == NULL || p->url != NULL);
		for (j = 0; ok && j < s->nnames; j++)
			ok = s->names[j].text != NULL;
		(void)dvbi_service_name(s, "en");
		(void)dvbi_lcn_for(l, s->id, "r");
	}
	for (i = 0; ok && i < l->ntables; i++)
		for (j = 0; ok && j < l->tables[i].nlcns; j++)
			ok = l->tables[i].lcns[j].service_ref != NULL;
	return ok;
}

static void
test_mutations(void)
{
	static const char *const files[] = {
		SAMPLE_SES "/service_list_tp1045.xml",
		SAMPLE_SES "/service_list_full.xml",
		SAMPLE_SES "/service_list_ses_private.xml",
	};
	static const char alnum[] = "0123456789abcdefXYZ-";
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	size_t lens[3], it, accepted = 0, refused = 0, i;
	char *orig[3], *b;
	struct dvbi_list l;

	if (!have_data("test_mutations"))
		return;
	for (i = 0; i < 3; i++)
		REQUIRE((orig[i] = sample_read(files[i], &lens[i])) != NULL);
	for (it = 0; it < 900; it++) {
		size_t f = rnd(&seed) % 3, len = lens[f], k;

		b = malloc(len);
		memcpy(b, orig[f], len);
		/*
		 * One in three: a few letters or digits replaced by others,
		 * which keeps the XML mostly well formed but damages names,
		 * numbers and URLs; one in three: a cut; one in three: raw
		 * bytes anywhere and a cut.
		 */
		for (k = it % 3 == 1 ? 0 : 1 + rnd(&seed) % 8; k > 0; k--) {
			uint64_t r = rnd(&seed);
			char *c = &b[r % len];

			if (it % 3 != 0)
				*c = (char)(r >> 32);
			else if (isalnum((unsigned char)*c))
				*c = alnum[(r >> 32) % (sizeof(alnum) - 1)];
		}
		if (it % 3 != 0)
			len = rnd(&seed) % len;
		if (parse_buf(b, len, &l) == 0) {
			accepted++;
			CHECK(sane(&l));
			dvbi_list_free(&l);
		} else {
			refused++;
			CHECK(is_zero(&l) && errbuf[0] != '\0');
		}
		free(b);
	}
	/* Flips inside text and attribute values leave a usable list. */
	CHECK(accepted > 0 && refused > 0);
	fprintf(stderr, "mutations: %zu accepted, %zu refused\n", accepted,
	    refused);
	for (i = 0; i < 3; i++)
		free(orig[i]);
}

TEST_MAIN(TEST(test_lenient), TEST(test_bounds), TEST(test_hostile),
    TEST(test_mutations))
