/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_xmlu.c: the safe libxml2 entry point and the shared helpers of
 * the signalling parsers: durations, time points, numbers, booleans,
 * text and attributes by local name, and what xmlu_parse refuses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "../../dvb-i/xmlu.h"

#define DAY_MS	86400000ULL

static void
test_duration(void)
{
	static const struct {
		const char	*s;
		uint64_t	 ms;
	} good[] = {
		{ "PT0.514S", 514 },
		{ "PT2S", 2000 },
		{ "PT0S", 0 },
		{ "P1DT1H", DAY_MS + 3600000 },
		/* Years as 365 days and months as 30, as xmlu.h says. */
		{ "P99Y11M30DT0H0M0.000S", (99 * 365 + 11 * 30 + 30) * DAY_MS },
		{ "PT1M30.5S", 90500 },
		{ "P1W", 7 * DAY_MS },
		{ "PT10.663S", 10663 },
		{ "PT1.0009S", 1000 },	/* below a millisecond: cut */
		{ "PT0.5H", 1800000 },
	};
	static const char *bad[] = {
		"", "P", "PT", "-PT1S", "P1H", "PT1D", "PTS", "P1DT", "PT1S2",
		"P1M1Y", "PT1S1S", "P1DT1H1D", " PT1S", "PT1,", "PTT1S",
		"P99999999999999999Y", "PT18446744073709551616S",
		"PT18446744073709551S",
	};
	uint64_t ms;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = 12345;
		CHECK(xmlu_duration_ms(good[i].s, &ms) == 0);
		CHECK_EQ_U(ms, good[i].ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ms = 12345;
		if (xmlu_duration_ms(bad[i], &ms) != -1)
			fprintf(stderr, "duration \"%s\" accepted\n", bad[i]);
		CHECK(xmlu_duration_ms(bad[i], &ms) == -1);
		CHECK_EQ_U(ms, 12345);	/* untouched on failure */
	}
	CHECK(xmlu_duration_ms(NULL, &ms) == -1);
}

static void
test_timepoint(void)
{
	/* Expected values from Python's calendar.timegm, times 1000. */
	static const struct {
		const char	*s;
		int64_t		 ms;
	} good[] = {
		{ "2099-06-26T07:01:50:000F1000", 4086140510000LL },
		{ "2099-06-26T07:01:50:500F1000", 4086140510500LL },
		{ "2025-01-10T11:36:58:12F25", 1736509018480LL },
		{ "2025-01-10T11:36:58:12F25+01:00", 1736505418480LL },
		{ "2025-01-10T11:36:58Z", 1736509018000LL },
		{ "2025-01-10T11:36:58", 1736509018000LL },	/* UTC */
		{ "2025-01-10T11:36:58+01:00", 1736505418000LL },
		{ "2025-01-10T11:36:58-02:30", 1736518018000LL },
		{ "2025-01-10T11:36:58.25Z", 1736509018250LL },
		{ "2025-01-10T11:36:58.123456+01:00", 1736505418123LL },
		{ "2024-02-29T00:00:00Z", 1709164800000LL },
		{ "2000-03-01T00:00:00Z", 951868800000LL },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1969-12-31T23:59:59Z", -1000 },
		{ "  2025-01-10T11:36:58Z", 1736509018000LL },
	};
	static const char *bad[] = {
		"", "2025", "2025-01-10", "2025-01-10 11:36:58Z",
		"2025-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
		"2025-04-31T00:00:00Z", "2025-13-01T00:00:00Z",
		"2025-00-01T00:00:00Z", "2025-01-00T00:00:00Z",
		"2025-01-10T25:00:00Z", "2025-01-10T11:60:00Z",
		"2025-01-10T24:00:00.5Z", "2025-01-10T11:36:58:000F0",
		"2025-01-10T11:36:58:1000F1000", "2025-01-10T11:36:58:F1000",
		"2025-01-10T11:36:58:5", "2025-01-10T11:36:58.",
		"2025-01-10T11:36:58Zjunk", "2025-01-10T11:36:58+1:00",
		"2025-01-10T11:36:58+15:00", "2025-01-10T11:36:58 ",
		"25-01-10T11:36:58Z", "2025-1-10T11:36:58Z",
	};
	int64_t ms;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = 7;
		CHECK(xmlu_timepoint_ms(good[i].s, &ms) == 0);
		if (ms != good[i].ms)
			fprintf(stderr, "timepoint %s: %lld\n", good[i].s,
			    (long long)ms);
		CHECK(ms == good[i].ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ms = 7;
		if (xmlu_timepoint_ms(bad[i], &ms) != -1)
			fprintf(stderr, "timepoint \"%s\" accepted\n", bad[i]);
		CHECK(xmlu_timepoint_ms(bad[i], &ms) == -1);
		CHECK(ms == 7);
	}
	CHECK(xmlu_timepoint_ms(NULL, &ms) == -1);
}

static void
test_numbers(void)
{
	static const struct {
		const char	*s;
		uint64_t	 max;
		int		 rc;
		uint64_t	 v;
	} cases[] = {
		{ "0", 10, 0, 0 },
		{ " 42 ", 100, 0, 42 },
		{ "\t7\n", 7, 0, 7 },
		{ "8", 7, -1, 0 },
		{ "65535", 65535, 0, 65535 },
		{ "65536", 65535, -1, 0 },
		{ "18446744073709551615", UINT64_MAX, 0, UINT64_MAX },
		{ "18446744073709551616", UINT64_MAX, -1, 0 },
		{ "99999999999999999999999", UINT64_MAX, -1, 0 },
		{ "007", 10, 0, 7 },
		{ "-1", UINT64_MAX, -1, 0 },
		{ "+1", UINT64_MAX, -1, 0 },
		{ "", UINT64_MAX, -1, 0 },
		{ "   ", UINT64_MAX, -1, 0 },
		{ "1x", UINT64_MAX, -1, 0 },
		{ "0x10", UINT64_MAX, -1, 0 },
		{ "1 2", UINT64_MAX, -1, 0 },
		{ "1.5", UINT64_MAX, -1, 0 },
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = 99;
		CHECK(xmlu_u64(cases[i].s, cases[i].max, &v) == cases[i].rc);
		CHECK_EQ_U(v, cases[i].rc == 0 ? cases[i].v : 99);
	}
	CHECK(xmlu_u64(NULL, 10, &v) == -1);
}

static void
test_bool(void)
{
	static const struct {
		const char	*s;
		int		 want;
	} cases[] = {
		{ "true", 1 }, { "1", 1 }, { "false", 0 }, { "0", 0 },
		{ " true ", 1 }, { "\tfalse\n", 0 }, { "True", -1 },
		{ "yes", -1 }, { "", -1 }, { "truex", -1 }, { "true x", -1 },
		{ "1 0", -1 }, { "10", -1 }, { "falsehood", -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(xmlu_bool(cases[i].s, 5) == cases[i].want);
	CHECK(xmlu_bool(NULL, 5) == 5);
	CHECK(xmlu_bool(NULL, 0) == 0);
}

/* Parse a NUL-terminated string; NULL (with err) on failure. */
static xmlDocPtr
parse(const char *s, char *err, size_t errlen)
{
	err[0] = '\0';
	return xmlu_parse(s, strlen(s), "test", err, errlen);
}

static void
test_text(void)
{
	static const char doc[] =
	    "<r xmlns=\"urn:x:2024\" xmlns:p=\"urn:y\">"
	    "<a>  padded value \n\t</a>"
	    "<p:b>x<i>in</i>y</p:b>"
	    "<c>abcd</c>"
	    "<d/>"
	    "<e><![CDATA[ <cdata> ]]></e>"
	    "<f>a &amp; b &#x41;</f>"
	    "<g>\n        abc  <i> </i> \n      </g>"
	    "<h> ab c </h>"
	    "</r>";
	char err[256], buf[16], small[4];
	const xmlNode *r;
	xmlDocPtr d;
	char *dup;

	REQUIRE((d = parse(doc, err, sizeof(err))) != NULL);
	r = xmlDocGetRootElement(d);
	CHECK(xmlu_child_text(r, "a", buf, sizeof(buf)) == 12);
	CHECK(strcmp(buf, "padded value") == 0);
	/* Prefixed element, text of descendants concatenated. */
	CHECK(xmlu_child_text(r, "b", buf, sizeof(buf)) == 4);
	CHECK(strcmp(buf, "xiny") == 0);
	/* Exactly len - 1 characters fit; one more does not. */
	CHECK(xmlu_child_text(r, "c", buf, 5) == 4);
	CHECK(strcmp(buf, "abcd") == 0);
	strcpy(small, "zz");
	CHECK(xmlu_child_text(r, "c", small, sizeof(small)) == -1);
	CHECK(small[0] == '\0');
	/* Only the trimmed text has to fit, however much padding. */
	CHECK(xmlu_child_text(r, "g", small, sizeof(small)) == 3);
	CHECK(strcmp(small, "abc") == 0);
	CHECK(xmlu_child_text(r, "h", small, sizeof(small)) == -1);
	CHECK(xmlu_child_text(r, "h", buf, 5) == 4);
	CHECK(strcmp(buf, "ab c") == 0);
	CHECK(xmlu_child_text(r, "d", buf, sizeof(buf)) == 0);
	CHECK(buf[0] == '\0');
	CHECK(xmlu_child_text(r, "e", buf, sizeof(buf)) == 7);
	CHECK(strcmp(buf, "<cdata>") == 0);
	CHECK(xmlu_child_text(r, "f", buf, sizeof(buf)) == 7);
	CHECK(strcmp(buf, "a & b A") == 0);
	strcpy(buf, "zz");
	CHECK(xmlu_child_text(r, "missing", buf, sizeof(buf)) == -1);
	CHECK(buf[0] == '\0');
	CHECK(xmlu_text(NULL, buf, sizeof(buf)) == -1);
	CHECK(xmlu_text(r, buf, 0) == -1);
	dup = xmlu_text_dup(xmlu_child(r, "a"));
	CHECK(dup != NULL && strcmp(dup, "padded value") == 0);
	free(dup);
	dup = xmlu_text_dup(xmlu_child(r, "d"));
	CHECK(dup != NULL && dup[0] == '\0');
	free(dup);
	CHECK(xmlu_text_dup(NULL) == NULL);
	xmlFreeDoc(d);
}

static void
test_names(void)
{
	static const char doc[] =
	    "<ns2:Root xmlns:ns2=\"urn:dvb:metadata:nativeip:2023\" "
	    "xmlns:ext=\"urn:dvb:metadata:Extensibility:2024\" "
	    "ext:schemaVersion=\"2\" plain=\"p&amp;q&lt;\" empty=\"\">"
	    "<ns2:Item n=\"1\"/><!-- comment --><Other/>text"
	    "<ns2:Item n=\"2\"/><ns2:Item n=\"3\"/>"
	    "</ns2:Root>";
	const xmlNode *r, *c;
	char err[256];
	xmlDocPtr d;
	int n = 0, all = 0;

	REQUIRE((d = parse(doc, err, sizeof(err))) != NULL);
	r = xmlDocGetRootElement(d);
	CHECK(xmlu_is(r, "Root"));
	CHECK(!xmlu_is(r, "ns2:Root"));
	CHECK(!xmlu_is(NULL, "Root"));
	CHECK(xmlu_ns_has_prefix(r, "urn:dvb:metadata:nativeip:"));
	CHECK(xmlu_ns_has_prefix(r, NULL));
	CHECK(!xmlu_ns_has_prefix(r, "urn:dvb:metadata:nativeip:2024"));
	CHECK(!xmlu_ns_has_prefix(xmlu_child(r, "Other"), "urn:"));
	/* ext:schemaVersion is found by its local name. */
	CHECK(xmlu_attr(r, "schemaVersion") != NULL &&
	    strcmp(xmlu_attr(r, "schemaVersion"), "2") == 0);
	CHECK(xmlu_attr(r, "plain") != NULL &&
	    strcmp(xmlu_attr(r, "plain"), "p&q<") == 0);
	CHECK(xmlu_attr(r, "empty") != NULL && *xmlu_attr(r, "empty") == 0);
	CHECK(xmlu_attr(r, "ext:schemaVersion") == NULL);
	CHECK(xmlu_attr(r, "missing") == NULL);
	CHECK(xmlu_attr(NULL, "x") == NULL);
	XMLU_FOREACH(c, r, "Item") {
		n++;
		CHECK(xmlu_attr(c, "n") != NULL &&
		    atoi(xmlu_attr(c, "n")) == n);
	}
	CHECK(n == 3);
	XMLU_FOREACH(c, r, NULL)
		all++;
	CHECK(all == 4);
	CHECK(xmlu_child(r, "Nope") == NULL);
	CHECK(xmlu_next(xmlu_child(r, "Other"), "Other") == NULL);
	xmlFreeDoc(d);
}

/* Refused with a message naming what and containing needle. */
static void
check_refused(const void *buf, size_t len, const char *needle)
{
	char err[256];
	xmlDocPtr d;

	err[0] = '\0';
	d = xmlu_parse(buf, len, "doc", err, sizeof(err));
	CHECK(d == NULL);
	if (d != NULL)
		xmlFreeDoc(d);
	CHECK(strncmp(err, "doc: ", 5) == 0);
	if (strstr(err, needle) == NULL)
		fprintf(stderr, "want \"%s\" in: %s\n", needle, err);
	CHECK(strstr(err, needle) != NULL);
}

/* The document as UTF-16LE with a byte order mark; caller frees. */
static unsigned char *
utf16le(const char *s, size_t *len)
{
	size_t n = strlen(s), i;
	unsigned char *u = malloc(2 * n + 2);

	if (u == NULL)
		return NULL;
	u[0] = 0xff;
	u[1] = 0xfe;
	for (i = 0; i < n; i++) {
		u[2 + 2 * i] = (unsigned char)s[i];
		u[3 + 2 * i] = 0;
	}
	*len = 2 * n + 2;
	return u;
}

/* n nested <e> elements, the innermost holding text. */
static char *
nested(size_t n, size_t *len)
{
	char *s = malloc(n * 7 + 2), *p;
	size_t i;

	if ((p = s) == NULL)
		return NULL;
	for (i = 0; i < n; i++, p += 3)
		memcpy(p, "<e>", 3);
	*p++ = 'x';
	for (i = 0; i < n; i++, p += 4)
		memcpy(p, "</e>", 4);
	*len = (size_t)(p - s);
	return s;
}

static void
test_refused(void)
{
	static const char laughs[] =
	    "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
	    "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
	    "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
	    "]><lolz>&lol3;</lolz>";
	static const char xxe[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE r "
	    "[<!ENTITY e SYSTEM \"file:///etc/passwd\">]><r>&e;</r>";
	unsigned char *u;
	char *s;
	size_t len, i;

	check_refused(laughs, strlen(laughs), "DOCTYPE");
	check_refused(xxe, strlen(xxe), "DOCTYPE");
	/* The same in UTF-16, which a byte scan cannot see. */
	REQUIRE((u = utf16le(xxe, &len)) != NULL);
	check_refused(u, len, "DOCTYPE");
	free(u);
	REQUIRE((u = utf16le("<!DOCTYPE r><r/>", &len)) != NULL);
	check_refused(u, len, "DOCTYPE");
	free(u);
	/* UTF-16 without a DTD is fine. */
	REQUIRE((u = utf16le("<r a=\"1\"/>", &len)) != NULL);
	{
		char err[128];
		xmlDocPtr d = xmlu_parse(u, len, "doc", err, sizeof(err));

		CHECK(d != NULL);
		CHECK(d != NULL && xmlu_is(xmlDocGetRootElement(d), "r"));
		xmlFreeDoc(d);
	}
	free(u);
	check_refused("", 0, "empty");
	check_refused(NULL, 10, "empty");
	check_refused("<r><a></r>", 10, "not well-formed");
	check_refused("<r><a></r>", 10, "line 1");
	check_refused("no xml", 6, "not well-formed");
	check_refused("<r>&undefined;</r>", 18, "not well-formed");
	check_refused("<p:r/>", 6, "not well-formed");	/* unbound prefix */
	/* Oversize: refused before parsing, whatever the content. */
	REQUIRE((s = malloc(XMLU_MAX_BYTES + 1)) != NULL);
	memset(s, ' ', XMLU_MAX_BYTES + 1);
	memcpy(s, "<r>", 3);
	memcpy(s + XMLU_MAX_BYTES - 3, "</r>", 4);
	check_refused(s, XMLU_MAX_BYTES + 1, "limit");
	free(s);
	/* Depth: 64 levels (text in the last) pass, 65 do not. */
	REQUIRE((s = nested(XMLU_MAX_DEPTH, &len)) != NULL);
	{
		char err[128];
		xmlDocPtr d = xmlu_parse(s, len, "doc", err, sizeof(err));

		CHECK(d != NULL);
		xmlFreeDoc(d);
	}
	free(s);
	REQUIRE((s = nested(XMLU_MAX_DEPTH + 1, &len)) != NULL);
	check_refused(s, len, "deeper");
	free(s);
	/* 100 000 levels: libxml2's own limit stops it first. */
	REQUIRE((s = nested(100000, &len)) != NULL);
	check_refused(s, len, "");
	free(s);
	/* Too many elements, each shallow. */
	len = 3 + 4 * (XMLU_MAX_NODES + 1) + 4;
	REQUIRE((s = malloc(len)) != NULL);
	memcpy(s, "<r>", 3);
	for (i = 0; i < XMLU_MAX_NODES + 1; i++)
		memcpy(s + 3 + 4 * i, "<a/>", 4);
	memcpy(s + len - 4, "</r>", 4);
	check_refused(s, len, "elements");
	free(s);
	/* Nothing is left behind: the next good document parses. */
	{
		static const char good[] = "<r><a x=\"1\">t</a></r>";
		char err[128], buf[8];
		xmlDocPtr d = xmlu_parse(good, strlen(good), "doc", err,
		    sizeof(err));

		REQUIRE(d != NULL);
		CHECK(xmlu_child_text(xmlDocGetRootElement(d), "a", buf,
		    sizeof(buf)) == 1 && strcmp(buf, "t") == 0);
		xmlFreeDoc(d);
	}
}

TEST_MAIN(TEST(test_duration), TEST(test_timepoint), TEST(test_numbers),
    TEST(test_bool), TEST(test_text), TEST(test_names), TEST(test_refused))
