/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_tuner_nif.c: tuner_nif_pick, the choice of the NIP stream a tuner
 * receives from a NIF.  Each NIF is written here as XML from a table of
 * streams and read with the real parser (nif_parse), so the test covers
 * the way from the document to the tuner's delivery; the SES NIF from
 * ../shared is checked too when present.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "sample_harness.h"
#include "../../daemon/tuner.h"
#include "../../dvb-i/nipdoc.h"

/* One NIPStream of a generated NIF. */
struct gen_stream {
	int		other;		/* in an OtherBroadcastNetwork */
	const char	*ll;		/* LinkLayerFormat, NULL none */
	unsigned	carrier;
	unsigned	freq;		/* 10 kHz units, 0: no delivery */
	const char	*pol;
	unsigned	sr;		/* ks/s */
	const char	*boot;		/* Status of BootstrapStream, NULL none */
	const char	*fec;		/* DVBS2 (not S2X) with this FEC */
};

static size_t
gen_stream_xml(char *b, size_t n, const struct gen_stream *s)
{
	size_t k = (size_t)snprintf(b, n, "<NIPStream>");

	if (s->ll != NULL)
		k += (size_t)snprintf(b + k, n - k,
		    "<LinkLayerFormat>%s</LinkLayerFormat>", s->ll);
	k += (size_t)snprintf(b + k, n - k, "<NIPStreamProviderName>P%u"
	    "</NIPStreamProviderName><NIPCarrierID>%u</NIPCarrierID>"
	    "<NIPLinkID>1</NIPLinkID><NIPServiceID>0</NIPServiceID>",
	    s->carrier, s->carrier);
	if (s->boot != NULL)
		k += (size_t)snprintf(b + k, n - k, "<BootstrapStream>"
		    "<BootstrapType>Physical Network</BootstrapType><Status>%s"
		    "</Status></BootstrapStream>", s->boot);
	if (s->freq != 0)
		k += (size_t)snprintf(b + k, n - k, "<%s><Frequency>%u"
		    "</Frequency><Polarization>%s</Polarization>%s%s%s"
		    "<SymbolRate>%u</SymbolRate><input_stream_identifier>0"
		    "</input_stream_identifier></%s>", s->fec ?
		    "DVBS2_NIPDeliveryParameters" :
		    "DVBS2X_NIPDeliveryParameters", s->freq, s->pol,
		    s->fec ? "<FEC>" : "", s->fec ? s->fec : "",
		    s->fec ? "</FEC>" : "", s->sr, s->fec ?
		    "DVBS2_NIPDeliveryParameters" :
		    "DVBS2X_NIPDeliveryParameters");
	k += (size_t)snprintf(b + k, n - k, "</NIPStream>");
	return k;
}

/* The streams of one network kind (actual or other) as a network. */
static size_t
gen_network(char *b, size_t n, const struct gen_stream *s, size_t ns,
    int other)
{
	const char *el = other ? "OtherBroadcastNetwork" :
	    "ActualBroadcastNetwork";
	size_t i, k;

	k = (size_t)snprintf(b, n, "<%s><NetworkType>Satellite</NetworkType>"
	    "<NetworkName>N</NetworkName><NIPNetworkProviderName>Net"
	    "</NIPNetworkProviderName><NIPNetworkID>%d</NIPNetworkID>", el,
	    other ? 2 : 1);
	for (i = 0; i < ns; i++)
		if (s[i].other == other)
			k += gen_stream_xml(b + k, n - k, &s[i]);
	k += (size_t)snprintf(b + k, n - k, "</%s>", el);
	return k;
}

/* Parses a NIF of the given streams into nif; 0 or -1. */
static int
gen_nif(const struct gen_stream *s, size_t ns, struct nif *nif)
{
	static char b[16384];
	char err[256];
	size_t k, i;
	int other = 0;

	k = (size_t)snprintf(b, sizeof(b), "<NetworkInformationFile "
	    "xmlns=\"urn:dvb:metadata:nativeip:2024\"><VersionUpdate>"
	    "2026-11-21T10:00:00Z</VersionUpdate><NIFType>Physical Network"
	    "</NIFType>");
	for (i = 0; i < ns; i++)
		other |= s[i].other;
	k += gen_network(b + k, sizeof(b) - k, s, ns, 0);
	if (other)
		k += gen_network(b + k, sizeof(b) - k, s, ns, 1);
	k += (size_t)snprintf(b + k, sizeof(b) - k,
	    "</NetworkInformationFile>");
	if (nif_parse(b, k, nif, err, sizeof(err)) < 0) {
		fprintf(stderr, "# nif_parse: %s\n", err);
		return -1;
	}
	return 0;
}

struct pick_case {
	const char	*what;
	struct gen_stream s[4];
	size_t		ns;
	int		carrier_conf;	/* [tuner] nif_carrier, -1 auto */
	uint32_t	base_freq;	/* kHz, 0 none */
	char		base_pol;
	int		want;		/* carrier chosen, -1 none */
	uint32_t	want_freq, want_sr;	/* kHz, sym/s */
	int		want_ts;
	const char	*why;		/* in the refusal */
};

#define TS(c, f, p, sr, b)	{ 0, "TS", c, f, p, sr, b, NULL }
#define GSE(c, f, p, sr, b)	{ 0, "GSE-Lite", c, f, p, sr, b, NULL }

static const struct pick_case cases[] = {
	{ "TS beats a GSE bootstrap", { GSE(1045, 1114100, "horizontal",
	    23500, "Active"), TS(7, 1244100, "vertical", 27500, NULL) }, 2,
	    -1, 0, 0, 7, 12441000, 27500000, 1, NULL },
	{ "an active bootstrap beats a plain stream", { TS(1, 1114100,
	    "horizontal", 23500, NULL), TS(2, 1174300, "horizontal", 27500,
	    "Active") }, 2, -1, 0, 0, 2, 11743000, 27500000, 1, NULL },
	{ "an inactive bootstrap is a plain stream", { TS(1, 1114100,
	    "horizontal", 23500, "Inactive"), TS(2, 1174300, "horizontal",
	    27500, "Active") }, 2, -1, 0, 0, 2, 11743000, 27500000, 1, NULL },
	{ "document order breaks a tie", { GSE(1045, 1114100, "horizontal",
	    23500, "Active"), GSE(1102, 1244100, "vertical", 27500,
	    "Active") }, 2, -1, 0, 0, 1045, 11141000, 23500000, 0, NULL },
	{ "the actual network beats another", { { 1, "TS", 5, 1114100,
	    "horizontal", 23500, NULL, NULL }, TS(6, 1174300, "vertical",
	    27500, NULL) }, 2, -1, 0, 0, 6, 11743000, 27500000, 1, NULL },
	{ "the configured carrier wins, GSE or not", { TS(7, 1244100,
	    "vertical", 27500, "Active"), GSE(1045, 1114100, "horizontal",
	    23500, NULL) }, 2, 1045, 0, 0, 1045, 11141000, 23500000, 0,
	    NULL },
	{ "a configured carrier the NIF lacks", { TS(7, 1244100,
	    "vertical", 27500, "Active") }, 1, 999, 0, 0, -1, 0, 0, 0,
	    "NIPCarrierID 999" },
	{ "the stream we are on, with a new symbol rate", { TS(1, 1174300,
	    "horizontal", 22000, "Active"), TS(2, 1114100, "horizontal",
	    27500, NULL) }, 2, -1, 11141000, 'H', 2, 11141000, 27500000, 1,
	    NULL },
	{ "the stream we are on, 2 MHz off in the NIF", { TS(1, 1174300,
	    "horizontal", 22000, "Active"), TS(2, 1114300, "horizontal",
	    23500, NULL) }, 2, -1, 11141000, 'H', 2, 11143000, 23500000, 1,
	    NULL },
	{ "nothing on our frequency and polarisation", { TS(1, 1114100,
	    "vertical", 22000, "Active") }, 1, -1, 11141000, 'H', -1, 0, 0,
	    0, "no NIP stream on 11141.000 MHz H" },
	{ "outside the LNB's IF range", { TS(1, 1300000, "horizontal",
	    27500, "Active") }, 1, -1, 0, 0, -1, 0, 0, 0,
	    "none of its 1 NIP stream(s)" },
	{ "no delivery parameters", { TS(1, 0, "horizontal", 27500,
	    "Active") }, 1, -1, 0, 0, -1, 0, 0, 0, "none of its 1" },
	{ "an unreadable polarisation", { TS(1, 1114100, "sideways",
	    27500, "Active"), TS(2, 1074300, "vertical", 22000, NULL) }, 2,
	    -1, 0, 0, 2, 10743000, 22000000, 1, NULL },
	{ "DVB-S2 with a code rate", { { 0, NULL, 3, 1214000, "vertical",
	    27500, "Active", "3/4" } }, 1, -1, 0, 0, 3, 12140000, 27500000,
	    1, NULL },
	{ "no stream at all", { { 0 } }, 0, -1, 0, 0, -1, 0, 0, 0,
	    "lists no NIP stream" },
};

static void
check_case(const struct pick_case *pc)
{
	struct tuner_nif_choice ch;
	struct tuner_conf base, out;
	struct nif nif;
	char why[160] = "";
	int r;

	REQUIRE(gen_nif(pc->s, pc->ns, &nif) == 0);
	tuner_conf_default(&base);
	base.adapter = 1;
	base.diseqc_port = 2;
	base.nif_carrier = pc->carrier_conf;
	base.freq_khz = pc->base_freq;
	base.pol = pc->base_pol;
	base.symbol_rate = pc->base_freq ? 22000000 : 0;
	memset(&out, 0xA5, sizeof(out));
	r = tuner_nif_pick(&base, &nif, &out, &ch, why, sizeof(why));
	if (pc->want < 0) {
		CHECK(r < 0);
		CHECK(strstr(why, pc->why) != NULL);
		if (strstr(why, pc->why) == NULL)
			fprintf(stderr, "# %s: why \"%s\"\n", pc->what, why);
	} else if (r < 0) {
		CHECK(!"a stream was expected");
		fprintf(stderr, "# %s: refused: %s\n", pc->what, why);
	} else {
		CHECK_EQ_U(ch.carrier_id, (unsigned)pc->want);
		CHECK_EQ_U(out.freq_khz, pc->want_freq);
		CHECK_EQ_U(out.symbol_rate, pc->want_sr);
		CHECK_EQ_U(ch.ts, (unsigned)pc->want_ts);
		/* The device, LNB and DiSEqC stay as configured. */
		CHECK(out.adapter == 1 && out.diseqc_port == 2);
		CHECK(strcmp(out.lnb, "UNIVERSAL") == 0);
		CHECK(out.nif_carrier == pc->carrier_conf);
	}
	nif_free(&nif);
}

static void
test_pick_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
}

/* The choice names the stream and copies its ids and provider. */
static void
test_choice_fields(void)
{
	struct gen_stream s[2] = {
		TS(7, 1244100, "vertical", 27500, "Active"),
		{ 1, "GSE", 9, 1114100, "horizontal", 23500, NULL, NULL },
	};
	struct tuner_nif_choice ch;
	struct tuner_conf base, out;
	struct nif nif;
	char why[160];

	REQUIRE(gen_nif(s, 2, &nif) == 0);
	tuner_conf_default(&base);
	base.nif_carrier = 9;
	REQUIRE(tuner_nif_pick(&base, &nif, &out, &ch, why, sizeof(why)) == 0);
	CHECK_EQ_U(ch.network_id, 2);
	CHECK_EQ_U(ch.carrier_id, 9);
	CHECK_EQ_U(ch.link_id, 1);
	CHECK(strcmp(ch.link_layer, "GSE") == 0);
	CHECK(strcmp(ch.provider, "P9") == 0);
	CHECK(out.pol == 'H' && out.stream_id == 0);
	CHECK(tuner_nif_pick(NULL, &nif, &out, &ch, why, sizeof(why)) < 0);
	CHECK(tuner_nif_pick(&base, NULL, &out, &ch, why, sizeof(why)) < 0);
	CHECK(tuner_nif_pick(&base, &nif, NULL, &ch, why, sizeof(why)) < 0);
	CHECK(tuner_nif_pick(&base, &nif, &out, NULL, why, sizeof(why)) < 0);
	nif_free(&nif);
}

/* follow_nif and the delivery comparison the daemon's retune rests on. */
static void
test_follow_and_same(void)
{
	struct tuner_conf a, b;
	char why[160];

	tuner_conf_default(&a);
	CHECK(tuner_conf_follows_nif(&a));
	a.freq_khz = 11141000;
	CHECK(!tuner_conf_follows_nif(&a));
	REQUIRE(tuner_conf_set(&a, "follow_nif", "yes", why, sizeof(why)) == 0);
	CHECK(tuner_conf_follows_nif(&a));
	REQUIRE(tuner_conf_set(&a, "follow_nif", "no", why, sizeof(why)) == 0);
	a.freq_khz = 0;
	CHECK(!tuner_conf_follows_nif(&a));
	CHECK(tuner_conf_set(&a, "follow_nif", "maybe", why, sizeof(why)) < 0);
	CHECK(strstr(why, "follow_nif") != NULL);
	REQUIRE(tuner_conf_set(&a, "nif_carrier", "1045", why, sizeof(why))
	    == 0);
	CHECK(a.nif_carrier == 1045);
	REQUIRE(tuner_conf_set(&a, "nif_carrier", "auto", why, sizeof(why))
	    == 0);
	CHECK(a.nif_carrier == -1);
	CHECK(tuner_conf_set(&a, "nif_carrier", "65536", why, sizeof(why)) < 0);
	CHECK(tuner_conf_set(&a, "nif_carrier", "-2", why, sizeof(why)) < 0);

	tuner_conf_default(&a);
	a.freq_khz = 11141000;
	a.pol = 'H';
	a.symbol_rate = 23500000;
	b = a;
	b.adapter = 3;
	b.diseqc_port = 1;
	b.lock_timeout_ms = 1;
	CHECK(tuner_conf_same_delivery(&a, &b));
	b.symbol_rate = 27500000;
	CHECK(!tuner_conf_same_delivery(&a, &b));
	b = a;
	b.pol = 'V';
	CHECK(!tuner_conf_same_delivery(&a, &b));
	b = a;
	b.stream_id = 4;
	CHECK(!tuner_conf_same_delivery(&a, &b));
	b = a;
	memcpy(b.fec, "3/4", 4);
	CHECK(!tuner_conf_same_delivery(&a, &b));
	/* set_delivery copies exactly what same_delivery compares. */
	tuner_conf_default(&b);
	b.adapter = 5;
	b.diseqc_port = 3;
	tuner_conf_set_delivery(&b, &a);
	CHECK(tuner_conf_same_delivery(&a, &b));
	CHECK(b.adapter == 5 && b.diseqc_port == 3);
}

/* SES 19.2E: two GSE-Lite bootstrap streams; the first is chosen. */
static void
test_ses_nif(void)
{
	struct tuner_nif_choice ch;
	struct tuner_conf base, out;
	struct tuner_plan p;
	struct nif nif;
	char err[256], why[160];
	size_t len;
	char *buf = sample_read(SAMPLE_SES "/nif.xml", &len);

	if (buf == NULL && sample_skip("SES NIF"))
		return;
	REQUIRE(nif_parse(buf, len, &nif, err, sizeof(err)) == 0);
	free(buf);
	tuner_conf_default(&base);
	REQUIRE(tuner_nif_pick(&base, &nif, &out, &ch, why, sizeof(why)) == 0);
	CHECK_EQ_U(ch.carrier_id, 1045);
	CHECK_EQ_U(ch.network_id, 1);
	CHECK(!ch.ts && strcmp(ch.link_layer, "GSE-Lite") == 0);
	REQUIRE(tuner_plan_make(&out, &p, why, sizeof(why)) == 0);
	CHECK_EQ_U(p.if_khz, 1391000);
	CHECK_EQ_U(p.voltage, 18);
	base.nif_carrier = 1102;
	REQUIRE(tuner_nif_pick(&base, &nif, &out, &ch, why, sizeof(why)) == 0);
	CHECK_EQ_U(out.freq_khz, 12441000);
	CHECK(out.pol == 'V');
	REQUIRE(tuner_plan_make(&out, &p, why, sizeof(why)) == 0);
	CHECK_EQ_U(p.if_khz, 1841000);
	CHECK_EQ_U(p.tone, 1);
	CHECK_EQ_U(p.voltage, 13);
	nif_free(&nif);
}

TEST_MAIN(TEST(test_pick_table), TEST(test_choice_fields),
    TEST(test_follow_and_same), TEST(test_ses_nif))
