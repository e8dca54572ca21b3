/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_tuner_plan.c: the pure half of the tuner: [tuner] keys, the
 * "[input] dvb" device, NIF delivery parameters, and the plan (IF, band,
 * tone, voltage, DiSEqC bytes, DTV_* values).  Expected values are
 * written out from the LNB and DiSEqC rules, not recomputed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/dvb/frontend.h>

#include "test.h"
#include "testutil.h"
#include "sample_harness.h"
#include "../../daemon/tuner.h"
#include "../../dvb-i/nipdoc.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* A DVB-S2 transponder on a universal LNB, as the daemon would build it. */
static void
base_conf(struct tuner_conf *c, const char *freq, const char *pol)
{
	char why[256];

	tuner_conf_default(c);
	if (tuner_conf_set(c, "frequency", freq, why, sizeof(why)) < 0 ||
	    tuner_conf_set(c, "polarisation", pol, why, sizeof(why)) < 0 ||
	    tuner_conf_set(c, "symbol_rate", "23500 ks/s", why,
	    sizeof(why)) < 0)
		fprintf(stderr, "base_conf: %s\n", why);
}

static uint32_t
prop(const struct tuner_plan *p, uint32_t cmd)
{
	uint32_t v = 0xDEADBEEF;

	tuner_plan_prop(p, cmd, &v);
	return v;
}

static void
test_universal_low_and_high(void)
{
	struct tuner_conf c;
	struct tuner_plan p;
	char why[256];

	base_conf(&c, "11141 MHz", "h");
	REQUIRE(tuner_plan_make(&c, &p, why, sizeof(why)) == 0);
	CHECK_EQ_U(p.if_khz, 1391000);
	CHECK_EQ_U(p.lo_khz, 9750000);
	CHECK_EQ_U(p.band, 0);
	CHECK_EQ_U(p.tone, 0);
	CHECK_EQ_U(p.voltage, 18);
	CHECK_EQ_U(p.diseqc_len, 0);
	CHECK_EQ_U(prop(&p, DTV_DELIVERY_SYSTEM), SYS_DVBS2);
	CHECK_EQ_U(prop(&p, DTV_FREQUENCY), 1391000);
	CHECK_EQ_U(prop(&p, DTV_SYMBOL_RATE), 23500000);
	CHECK_EQ_U(prop(&p, DTV_INVERSION), INVERSION_AUTO);
	CHECK_EQ_U(prop(&p, DTV_MODULATION), QAM_AUTO);
	CHECK_EQ_U(prop(&p, DTV_INNER_FEC), FEC_AUTO);
	CHECK_EQ_U(prop(&p, DTV_ROLLOFF), ROLLOFF_AUTO);
	CHECK_EQ_U(prop(&p, DTV_PILOT), PILOT_AUTO);
	CHECK_EQ_U(prop(&p, DTV_STREAM_ID), NO_STREAM_ID_FILTER);
	CHECK_EQ_U(prop(&p, DTV_VOLTAGE), SEC_VOLTAGE_18);
	CHECK_EQ_U(prop(&p, DTV_TONE), SEC_TONE_OFF);
	CHECK(tuner_plan_prop(&p, DTV_BANDWIDTH_HZ, &(uint32_t){ 0 }) < 0);

	base_conf(&c, "12441 MHz", "v");
	REQUIRE(tuner_plan_make(&c, &p, why, sizeof(why)) == 0);
	CHECK_EQ_U(p.if_khz, 1841000);
	CHECK_EQ_U(p.lo_khz, 10600000);
	CHECK_EQ_U(p.band, 1);
	CHECK_EQ_U(p.tone, 1);
	CHECK_EQ_U(p.voltage, 13);
	CHECK_EQ_U(prop(&p, DTV_FREQUENCY), 1841000);
	CHECK_EQ_U(prop(&p, DTV_VOLTAGE), SEC_VOLTAGE_13);
	CHECK_EQ_U(prop(&p, DTV_TONE), SEC_TONE_ON);
}

/* Band edges, the other named LNBs, custom LOs and refused IFs. */
static void
test_lnb_table(void)
{
	static const struct {
		const char	*lnb, *freq, *pol;
		int		ok;
		uint32_t	if_khz;
		unsigned	band, tone, volt;
	} t[] = {
		{ "universal", "10700", "h", 1, 950000, 0, 0, 18 },
		{ "universal", "10699.999", "h", 0, 0, 0, 0, 0 },
		{ "universal", "11699.999", "v", 1, 1949999, 0, 0, 13 },
		{ "universal", "11700", "v", 1, 1100000, 1, 1, 13 },
		{ "universal", "12750", "l", 1, 2150000, 1, 1, 18 },
		{ "universal", "12751", "r", 0, 0, 0, 0, 0 },
		{ "DBS", "12200", "r", 1, 950000, 0, 0, 13 },
		{ "DBS", "12700", "l", 1, 1450000, 0, 0, 18 },
		{ "standard", "11700", "h", 1, 950000, 0, 0, 18 },
		{ "standard", "12900", "h", 1, 2150000, 0, 0, 18 },
		{ "C-BAND", "4000", "r", 1, 1150000, 0, 0, 13 },
		{ "c band", "3400", "l", 1, 1750000, 0, 0, 18 },
		{ "cband", "4200", "h", 1, 950000, 0, 0, 18 },
		{ "C-BAND", "5000", "h", 0, 0, 0, 0, 0 },
		{ "10750", "11200", "v", 0, 0, 0, 0, 0 },
		{ "10000", "11500", "v", 1, 1500000, 0, 0, 13 },
		{ "9750,10600,11700", "12441", "v", 1, 1841000, 1, 1, 13 },
		{ "9750.5,10600,11700", "11141", "h", 1, 1390500, 0, 0, 18 },
		{ "0", "1391", "h", 1, 1391000, 0, 0, 18 },
		{ "0", "2200", "h", 0, 0, 0, 0, 0 },
	};
	char why[256];
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		struct tuner_conf c;
		struct tuner_plan p;
		int r;

		base_conf(&c, t[i].freq, t[i].pol);
		REQUIRE(tuner_conf_set(&c, "lnb", t[i].lnb, why,
		    sizeof(why)) == 0);
		r = tuner_plan_make(&c, &p, why, sizeof(why));
		CHECK(r == (t[i].ok ? 0 : -1));
		if (!t[i].ok) {
			CHECK(strstr(why, "outside") != NULL);
			continue;
		}
		if (r < 0)
			fprintf(stderr, "case %zu: %s\n", i, why);
		CHECK_EQ_U(p.if_khz, t[i].if_khz);
		CHECK_EQ_U(prop(&p, DTV_FREQUENCY), t[i].if_khz);
		CHECK_EQ_U(p.band, t[i].band);
		CHECK_EQ_U(p.tone, t[i].tone);
		CHECK_EQ_U(p.voltage, t[i].volt);
	}
}

/* Committed switch: E0 10 38 F0 | port << 2 | horizontal << 1 | high. */
static void
test_diseqc_bytes(void)
{
	static const struct {
		const char	*port, *freq, *pol;
		uint8_t		last;
	} t[] = {
		{ "0", "11141", "v", 0xF0 },
		{ "0", "11141", "h", 0xF2 },
		{ "0", "12441", "v", 0xF1 },
		{ "0", "12441", "h", 0xF3 },
		{ "1", "11141", "v", 0xF4 },
		{ "1", "12441", "l", 0xF7 },
		{ "2", "11141", "h", 0xFA },
		{ "2", "12441", "r", 0xF9 },
		{ "3", "11141", "v", 0xFC },
		{ "3", "12441", "h", 0xFF },
		{ "B", "11141", "v", 0xF4 },
		{ "D", "12441", "h", 0xFF },
	};
	char why[256];
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		struct tuner_conf c;
		struct tuner_plan p;

		base_conf(&c, t[i].freq, t[i].pol);
		REQUIRE(tuner_conf_set(&c, "diseqc", t[i].port, why,
		    sizeof(why)) == 0);
		REQUIRE(tuner_plan_make(&c, &p, why, sizeof(why)) == 0);
		CHECK_EQ_U(p.diseqc_len, 4);
		CHECK_EQ_U(p.diseqc[0], 0xE0);
		CHECK_EQ_U(p.diseqc[1], 0x10);
		CHECK_EQ_U(p.diseqc[2], 0x38);
		CHECK_EQ_U(p.diseqc[3], t[i].last);
	}
	/* No DiSEqC on a single-LO LNB: band bit 0, tone off. */
	{
		struct tuner_conf c;
		struct tuner_plan p;

		base_conf(&c, "4000", "h");
		REQUIRE(tuner_conf_set(&c, "lnb", "C-BAND", why,
		    sizeof(why)) == 0);
		REQUIRE(tuner_conf_set(&c, "diseqc", "1", why,
		    sizeof(why)) == 0);
		REQUIRE(tuner_plan_make(&c, &p, why, sizeof(why)) == 0);
		CHECK_EQ_U(p.diseqc[3], 0xF6);
		CHECK_EQ_U(p.tone, 0);
		c.diseqc_port = 4;
		CHECK(tuner_plan_make(&c, &p, why, sizeof(why)) < 0);
		c.diseqc_port = -2;
		CHECK(tuner_plan_make(&c, &p, why, sizeof(why)) < 0);
	}
}

/* Every accepted name maps to its uapi value, per delivery system. */
static void
test_modcod_mapping(void)
{
	static const struct {
		const char	*key, *val, *delsys;
		uint32_t	cmd, value;	/* cmd 0: plan refuses */
	} t[] = {
		{ "modulation", "QPSK", "DVBS2", DTV_MODULATION, QPSK },
		{ "modulation", "8PSK", "DVBS2", DTV_MODULATION, PSK_8 },
		{ "modulation", "8-psk", "DVBS2", DTV_MODULATION, PSK_8 },
		{ "modulation", "psk/8", "DVBS2", DTV_MODULATION, PSK_8 },
		{ "modulation", "16APSK", "DVBS2", DTV_MODULATION, APSK_16 },
		{ "modulation", "32apsk", "DVBS2", DTV_MODULATION, APSK_32 },
		{ "modulation", "auto", "DVBS2", DTV_MODULATION, QAM_AUTO },
		{ "modulation", "", "DVBS2", DTV_MODULATION, QAM_AUTO },
		{ "modulation", "8PSK", "DVBS", 0, 0 },
		{ "fec", "1/2", "DVBS2", DTV_INNER_FEC, FEC_1_2 },
		{ "fec", "2/3", "DVBS2", DTV_INNER_FEC, FEC_2_3 },
		{ "fec", "3/4", "DVBS2", DTV_INNER_FEC, FEC_3_4 },
		{ "fec", "5/6", "DVBS2", DTV_INNER_FEC, FEC_5_6 },
		{ "fec", "2/5", "DVBS2", DTV_INNER_FEC, FEC_2_5 },
		{ "fec", "3/5", "DVBS2", DTV_INNER_FEC, FEC_3_5 },
		{ "fec", "4/5", "DVBS2", DTV_INNER_FEC, FEC_4_5 },
		{ "fec", "8/9", "DVBS2", DTV_INNER_FEC, FEC_8_9 },
		{ "fec", "9/10", "DVBS2", DTV_INNER_FEC, FEC_9_10 },
		{ "fec", "AUTO", "DVBS2", DTV_INNER_FEC, FEC_AUTO },
		{ "fec", "7/8", "DVBS", DTV_INNER_FEC, FEC_7_8 },
		{ "fec", "3/4", "DVBS", DTV_INNER_FEC, FEC_3_4 },
		{ "fec", "7/8", "DVBS2", 0, 0 },
		{ "fec", "9/10", "DVBS", 0, 0 },
		{ "rolloff", "0.35", "DVBS2", DTV_ROLLOFF, ROLLOFF_35 },
		{ "rolloff", "0.25", "DVBS2", DTV_ROLLOFF, ROLLOFF_25 },
		{ "rolloff", "0.20", "DVBS2", DTV_ROLLOFF, ROLLOFF_20 },
		{ "rolloff", "0.2", "DVBS2", DTV_ROLLOFF, ROLLOFF_20 },
		{ "rolloff", "0.15", "DVBS2", DTV_ROLLOFF, 4 },
		{ "rolloff", "0.10", "DVBS2", DTV_ROLLOFF, 5 },
		{ "rolloff", "0.1", "DVBS2", DTV_ROLLOFF, 5 },
		{ "rolloff", "0.05", "DVBS2", DTV_ROLLOFF, 6 },
		{ "rolloff", "auto", "DVBS2", DTV_ROLLOFF, ROLLOFF_AUTO },
		{ "rolloff", "0.20", "DVBS", 0, 0 },
		{ "pilot", "on", "DVBS2", DTV_PILOT, PILOT_ON },
		{ "pilot", "off", "DVBS2", DTV_PILOT, PILOT_OFF },
		{ "pilot", "auto", "DVBS2", DTV_PILOT, PILOT_AUTO },
		{ "stream_id", "7", "DVBS2", DTV_STREAM_ID, 7 },
		{ "stream_id", "0", "DVBS2", DTV_STREAM_ID, 0 },
		{ "stream_id", "none", "DVBS2", DTV_STREAM_ID, 0xFFFFFFFFu },
		{ "stream_id", "3", "DVBS", 0, 0 },
	};
	char why[256];
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		struct tuner_conf c;
		struct tuner_plan p;
		int r;

		base_conf(&c, "11141", "h");
		REQUIRE(tuner_conf_set(&c, "delivery_system", t[i].delsys,
		    why, sizeof(why)) == 0);
		REQUIRE(tuner_conf_set(&c, t[i].key, t[i].val, why,
		    sizeof(why)) == 0);
		r = tuner_plan_make(&c, &p, why, sizeof(why));
		if (t[i].cmd == 0) {
			CHECK(r < 0);
			CHECK(strstr(why, t[i].key) != NULL);
			continue;
		}
		REQUIRE(r == 0);
		CHECK_EQ_U(prop(&p, t[i].cmd), t[i].value);
	}
}

/* DVB-S stores no modulation, roll-off, pilot or stream. */
static void
test_dvbs_props(void)
{
	struct tuner_conf c;
	struct tuner_plan p;
	uint32_t v;
	char why[256];

	base_conf(&c, "11141", "v");
	REQUIRE(tuner_conf_set(&c, "delivery_system", "DVB-S", why,
	    sizeof(why)) == 0);
	CHECK(strcmp(c.delsys, "DVBS") == 0);
	REQUIRE(tuner_plan_make(&c, &p, why, sizeof(why)) == 0);
	CHECK_EQ_U(prop(&p, DTV_DELIVERY_SYSTEM), SYS_DVBS);
	CHECK(tuner_plan_prop(&p, DTV_MODULATION, &v) < 0);
	CHECK(tuner_plan_prop(&p, DTV_ROLLOFF, &v) < 0);
	CHECK(tuner_plan_prop(&p, DTV_PILOT, &v) < 0);
	CHECK(tuner_plan_prop(&p, DTV_STREAM_ID, &v) < 0);
	CHECK_EQ_U(prop(&p, DTV_INNER_FEC), FEC_AUTO);
	CHECK_EQ_U(p.nprops, 7);
}

/* PLS folds into DTV_STREAM_ID: isi | code << 8 | mode << 26. */
static void
test_pls_fold(void)
{
	struct tuner_conf c;
	struct tuner_plan p;
	char why[256];

	base_conf(&c, "11141", "h");
	REQUIRE(tuner_conf_set(&c, "stream_id", "7", why, sizeof(why)) == 0);
	REQUIRE(tuner_conf_set(&c, "pls_mode", "gold", why, sizeof(why)) == 0);
	REQUIRE(tuner_conf_set(&c, "pls_code", "0x12345", why,
	    sizeof(why)) == 0);
	REQUIRE(tuner_plan_make(&c, &p, why, sizeof(why)) == 0);
	CHECK_EQ_U(prop(&p, DTV_STREAM_ID), 0x05234507u);

	REQUIRE(tuner_conf_set(&c, "pls_mode", "root", why, sizeof(why)) == 0);
	REQUIRE(tuner_conf_set(&c, "pls_code", "262143", why,
	    sizeof(why)) == 0);
	REQUIRE(tuner_plan_make(&c, &p, why, sizeof(why)) == 0);
	CHECK_EQ_U(prop(&p, DTV_STREAM_ID), 0x03FFFF07u);

	/* Gold code 0 still says "gold" in bits 26-27. */
	c.pls_mode = TUNER_PLS_GOLD;
	c.pls_code = 0;
	c.stream_id = 255;
	REQUIRE(tuner_plan_make(&c, &p, why, sizeof(why)) == 0);
	CHECK_EQ_U(prop(&p, DTV_STREAM_ID), 0x040000FFu);

	/* PLS without a stream id, and values out of range, are refused. */
	c.stream_id = -1;
	CHECK(tuner_plan_make(&c, &p, why, sizeof(why)) < 0);
	CHECK(strstr(why, "stream_id") != NULL);
	c.stream_id = 256;
	c.pls_mode = TUNER_PLS_ROOT;
	CHECK(tuner_plan_make(&c, &p, why, sizeof(why)) < 0);
	c.stream_id = 1;
	c.pls_code = TUNER_PLS_CODE_MAX + 1;
	CHECK(tuner_plan_make(&c, &p, why, sizeof(why)) < 0);
	c.pls_code = 0;
	c.pls_mode = 2;
	CHECK(tuner_plan_make(&c, &p, why, sizeof(why)) < 0);
}

/* Values set directly in the struct (not through the keys) are checked. */
static void
test_plan_refuses(void)
{
	struct tuner_conf c;
	struct tuner_plan p;
	char why[256];

	base_conf(&c, "11141", "h");
	c.freq_khz = 0;
	CHECK(tuner_plan_make(&c, &p, why, sizeof(why)) < 0);
	CHECK(strstr(why, "frequency") != NULL);
	base_conf(&c, "11141", "h");
	c.pol = 0;
	CHECK(tuner_plan_make(&c, &p, why, sizeof(why)) < 0);
	CHECK(strstr(why, "polarisation") != NULL);
	c.pol = 'x';
	CHECK(tuner_plan_make(&c, &p, why, sizeof(why)) < 0);
	base_conf(&c, "11141", "h");
	c.symbol_rate = 0;
	CHECK(tuner_plan_make(&c, &p, why, sizeof(why)) < 0);
	CHECK(strstr(why, "symbol_rate") != NULL);
	base_conf(&c, "11141", "h");
	c.lof_switch_khz = 0;
	CHECK(tuner_plan_make(&c, &p, why, sizeof(why)) < 0);
	CHECK(strstr(why, "lnb") != NULL);
	base_conf(&c, "11141", "h");
	snprintf(c.modulation, sizeof(c.modulation), "64APSK");
	CHECK(tuner_plan_make(&c, &p, why, sizeof(why)) < 0);
	CHECK(strstr(why, "64APSK") != NULL);
	base_conf(&c, "11141", "h");
	snprintf(c.delsys, sizeof(c.delsys), "ISDBS");
	CHECK(tuner_plan_make(&c, &p, why, sizeof(why)) < 0);
	base_conf(&c, "11141", "h");
	c.pilot = 7;
	CHECK(tuner_plan_make(&c, &p, why, sizeof(why)) < 0);
}

/* Good values: the field they set; bad ones: why names key and value. */
static void
test_conf_keys(void)
{
	static const struct {
		const char	*key, *val;
		int		ok;
		uint64_t	want;	/* the numeric field, when ok */
	} t[] = {
		{ "frequency", "11141 MHz", 1, 11141000 },
		{ "frequency", "11141000 kHz", 1, 11141000 },
		{ "frequency", "11141", 1, 11141000 },
		{ "frequency", "11141000", 1, 11141000 },
		{ "frequency", "11.141 GHz", 1, 11141000 },
		{ "frequency", " 11141.5MHz ", 1, 11141500 },
		{ "frequency", "99999", 1, 99999000 },
		{ "frequency", "100000", 0, 0 },
		{ "frequency", "11141.0005 MHz", 0, 0 },
		{ "frequency", "11141 Hz", 0, 0 },
		{ "frequency", "-11141", 0, 0 },
		{ "frequency", "1e4", 0, 0 },
		{ "frequency", "200", 0, 0 },
		{ "frequency", "", 0, 0 },
		{ "frequency", "999999999999999 kHz", 0, 0 },
		{ "frequency", "1.2.3", 0, 0 },
		{ "symbol_rate", "23500 ks/s", 1, 23500000 },
		{ "symbol_rate", "27500000", 1, 27500000 },
		{ "symbol_rate", "27500", 1, 27500000 },
		{ "symbol_rate", "27.5 Ms/s", 1, 27500000 },
		{ "symbol_rate", "22000 kSym/s", 1, 22000000 },
		{ "symbol_rate", "999999", 0, 0 },
		{ "symbol_rate", "100", 1, 100000 },
		{ "symbol_rate", "0", 0, 0 },
		{ "symbol_rate", "1000000000", 0, 0 },
		{ "symbol_rate", "23500 kHz", 0, 0 },
		{ "stream_id", "none", 1, (uint64_t)-1 },
		{ "stream_id", "5", 1, 5 },
		{ "stream_id", "255", 1, 255 },
		{ "stream_id", "256", 0, 0 },
		{ "stream_id", "-2", 0, 0 },
		{ "stream_id", "5x", 0, 0 },
		{ "pls_code", "262143", 1, 262143 },
		{ "pls_code", "262144", 0, 0 },
		{ "pls_mode", "GOLD", 1, TUNER_PLS_GOLD },
		{ "pls_mode", "combo", 0, 0 },
		{ "diseqc", "none", 1, (uint64_t)-1 },
		{ "diseqc", "3", 1, 3 },
		{ "diseqc", "c", 1, 2 },
		{ "diseqc", "4", 0, 0 },
		{ "diseqc", "E", 0, 0 },
		{ "lock_timeout", "10s", 1, 10000 },
		{ "lock_timeout", "500ms", 1, 500 },
		{ "lock_timeout", "50ms", 0, 0 },
		{ "lock_timeout", "forever", 0, 0 },
		{ "pid", "auto", 1, 0 },
		{ "pid", "0x1234", 1, 0x1234 },
		{ "pid", "8191", 0, 0 },
		{ "service_id", "17702", 1, 17702 },
		{ "service_id", "any", 1, 0 },
		{ "service_id", "65536", 0, 0 },
		{ "pilot", "yes", 1, TUNER_PILOT_ON },
		{ "pilot", "sometimes", 0, 0 },
		{ "Polarization", "Vertical", 1, 'V' },
		{ "polarisation", "circular-left", 1, 'L' },
		{ "polarisation", "R", 1, 'R' },
		{ "polarisation", "x", 0, 0 },
		{ "polarisation", "", 0, 0 },
		{ "modulation", "64APSK", 0, 0 },
		{ "fec", "12", 0, 0 },
		{ "fec", "1/4", 0, 0 },
		{ "rolloff", "0.30", 0, 0 },
		{ "rolloff", "35", 0, 0 },
		{ "delivery_system", "auto", 0, 0 },
		{ "delivery_system", "ISDB-T", 0, 0 },
		{ "lnb", "9750,10600", 0, 0 },
		{ "lnb", "9750,10600,11700,1", 0, 0 },
		{ "lnb", "9750,,11700", 0, 0 },
		{ "lnb", "ku", 0, 0 },
		{ "no_such_key", "1", 0, 0 },
	};
	char why[256];
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		struct tuner_conf c, before;
		uint64_t got = 0;
		int r;

		tuner_conf_default(&c);
		before = c;
		why[0] = '\0';
		r = tuner_conf_set(&c, t[i].key, t[i].val, why, sizeof(why));
		if (!t[i].ok) {
			CHECK(r < 0);
			CHECK(strstr(why, t[i].key) != NULL);
			/* An unknown key is named; its value is moot. */
			CHECK(strstr(why, "unknown [tuner] key") != NULL ||
			    strstr(why, t[i].val) != NULL);
			CHECK(memcmp(&c, &before, sizeof(c)) == 0);
			continue;
		}
		if (r < 0)
			fprintf(stderr, "case %zu: %s\n", i, why);
		REQUIRE(r == 0);
		if (strcmp(t[i].key, "frequency") == 0)
			got = c.freq_khz;
		else if (strcmp(t[i].key, "symbol_rate") == 0)
			got = c.symbol_rate;
		else if (strcmp(t[i].key, "stream_id") == 0)
			got = (uint64_t)(int64_t)c.stream_id;
		else if (strcmp(t[i].key, "pls_code") == 0)
			got = c.pls_code;
		else if (strcmp(t[i].key, "pls_mode") == 0)
			got = (uint64_t)c.pls_mode;
		else if (strcmp(t[i].key, "diseqc") == 0)
			got = (uint64_t)(int64_t)c.diseqc_port;
		else if (strcmp(t[i].key, "lock_timeout") == 0)
			got = c.lock_timeout_ms;
		else if (strcmp(t[i].key, "pid") == 0)
			got = c.mpe_pid;
		else if (strcmp(t[i].key, "service_id") == 0)
			got = c.service_id;
		else if (strcmp(t[i].key, "pilot") == 0)
			got = (uint64_t)c.pilot;
		else
			got = (uint64_t)c.pol;
		CHECK_EQ_U(got, t[i].want);
	}
}

static void
test_device_and_lnb_fields(void)
{
	static const struct {
		const char	*s;
		int		ok, adapter, frontend;
	} t[] = {
		{ "0", 1, 0, 0 }, { "1:2", 1, 1, 2 }, { " 3 : 1 ", 1, 3, 1 },
		{ "255:255", 1, 255, 255 }, { "256", 0, 0, 0 },
		{ "a", 0, 0, 0 },
		{ "1:", 0, 0, 0 }, { ":1", 0, 0, 0 }, { "1:2:3", 0, 0, 0 },
		{ "", 0, 0, 0 }, { "-1", 0, 0, 0 },
	};
	struct tuner_conf c;
	char why[256];
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		tuner_conf_default(&c);
		c.adapter = 9;
		c.frontend = 9;
		if (!t[i].ok) {
			CHECK(tuner_parse_device(t[i].s, &c, why,
			    sizeof(why)) < 0);
			CHECK(strstr(why, "dvb") != NULL);
			CHECK(c.adapter == 9 && c.frontend == 9);
			continue;
		}
		REQUIRE(tuner_parse_device(t[i].s, &c, why, sizeof(why)) == 0);
		CHECK(c.adapter == t[i].adapter);
		CHECK(c.frontend == t[i].frontend);
	}
	CHECK(tuner_parse_device(NULL, &c, why, sizeof(why)) < 0);

	tuner_conf_default(&c);
	CHECK(strcmp(c.lnb, "UNIVERSAL") == 0);
	REQUIRE(tuner_conf_set(&c, "lnb", "c-band", why, sizeof(why)) == 0);
	CHECK(strcmp(c.lnb, "C-BAND") == 0);
	CHECK_EQ_U(c.lof_low_khz, 5150000);
	CHECK_EQ_U(c.lof_high_khz, 0);
	CHECK_EQ_U(c.lof_switch_khz, 0);
	REQUIRE(tuner_conf_set(&c, "lnb", "9750, 10600, 11700", why,
	    sizeof(why)) == 0);
	CHECK(c.lnb[0] == '\0');
	CHECK_EQ_U(c.lof_low_khz, 9750000);
	CHECK_EQ_U(c.lof_high_khz, 10600000);
	CHECK_EQ_U(c.lof_switch_khz, 11700000);
	REQUIRE(tuner_conf_set(&c, "modulation", "psk-8", why,
	    sizeof(why)) == 0);
	CHECK(strcmp(c.modulation, "8PSK") == 0);
	REQUIRE(tuner_conf_set(&c, "rolloff", "0.1", why, sizeof(why)) == 0);
	CHECK(strcmp(c.rolloff, "0.10") == 0);
	REQUIRE(tuner_conf_set(&c, "fec", "auto", why, sizeof(why)) == 0);
	CHECK(c.fec[0] == '\0');
	CHECK(tuner_conf_set(&c, NULL, "1", why, sizeof(why)) < 0);
	CHECK(tuner_conf_set(&c, "fec", NULL, why, sizeof(why)) < 0);
}

/* The SES 19.2E NIF: both NIP streams tune on a universal LNB. */
static void
test_nif_real(void)
{
	struct tuner_conf c;
	struct tuner_plan p;
	struct nif nif;
	char err[256], why[256];
	size_t len;
	char *buf = sample_read(SAMPLE_SES "/nif.xml", &len);

	if (buf == NULL && sample_skip("SES NIF"))
		return;
	REQUIRE(nif_parse(buf, len, &nif, err, sizeof(err)) == 0);
	free(buf);
	REQUIRE(nif.nnetworks >= 1 && nif.networks[0].nstreams >= 2);
	tuner_conf_default(&c);
	c.adapter = 2;
	c.diseqc_port = 1;
	REQUIRE(tuner_conf_from_nif(&c, &nif.networks[0].streams[0].delivery)
	    == 0);
	CHECK_EQ_U(c.freq_khz, 11141000);
	CHECK(c.pol == 'H');
	CHECK_EQ_U(c.symbol_rate, 23500000);
	CHECK(strcmp(c.rolloff, "0.20") == 0);
	CHECK(c.modulation[0] == '\0' && c.fec[0] == '\0');
	CHECK(c.stream_id == 0);
	CHECK(strcmp(c.delsys, "DVBS2") == 0);
	CHECK(c.adapter == 2 && c.diseqc_port == 1);
	CHECK(strcmp(c.lnb, "UNIVERSAL") == 0);
	REQUIRE(tuner_plan_make(&c, &p, why, sizeof(why)) == 0);
	CHECK_EQ_U(p.if_khz, 1391000);
	CHECK_EQ_U(p.tone, 0);
	CHECK_EQ_U(p.voltage, 18);
	CHECK_EQ_U(p.diseqc[3], 0xF6);
	CHECK_EQ_U(prop(&p, DTV_ROLLOFF), ROLLOFF_20);
	CHECK_EQ_U(prop(&p, DTV_STREAM_ID), 0);

	REQUIRE(tuner_conf_from_nif(&c, &nif.networks[0].streams[1].delivery)
	    == 0);
	CHECK_EQ_U(c.freq_khz, 12441000);
	CHECK(c.pol == 'V');
	CHECK_EQ_U(c.symbol_rate, 27500000);
	REQUIRE(tuner_plan_make(&c, &p, why, sizeof(why)) == 0);
	CHECK_EQ_U(p.if_khz, 1841000);
	CHECK_EQ_U(p.band, 1);
	CHECK_EQ_U(p.tone, 1);
	CHECK_EQ_U(p.voltage, 13);
	CHECK_EQ_U(p.diseqc[3], 0xF5);
	nif_free(&nif);
}

/* Unusable NIF values are refused and leave the configuration alone. */
static void
test_nif_hostile(void)
{
	struct nif_delivery good, d;
	struct tuner_conf c, before;
	int i;

	memset(&good, 0, sizeof(good));
	good.present = 1;
	good.s2x = 1;
	good.frequency = 1114100;
	good.symbol_rate = 23500;
	snprintf(good.polarization, sizeof(good.polarization), "horizontal");
	snprintf(good.roll_off, sizeof(good.roll_off), "0.20");
	snprintf(good.modulation, sizeof(good.modulation), "8PSK");
	snprintf(good.fec, sizeof(good.fec), "3/4");
	tuner_conf_default(&c);
	REQUIRE(tuner_conf_from_nif(&c, &good) == 0);
	CHECK(strcmp(c.modulation, "8PSK") == 0 && strcmp(c.fec, "3/4") == 0);
	CHECK(tuner_conf_from_nif(&c, NULL) < 0);
	CHECK(tuner_conf_from_nif(NULL, &good) < 0);
	for (i = 0; i < 10; i++) {
		d = good;
		switch (i) {
		case 0: d.present = 0; break;
		case 1: d.frequency = 0; break;
		case 2: d.frequency = UINT32_MAX; break;
		case 3: d.symbol_rate = 0; break;
		case 4: d.symbol_rate = UINT32_MAX; break;
		case 5: snprintf(d.polarization, sizeof(d.polarization),
			    "diagonal"); break;
		case 6: snprintf(d.modulation, sizeof(d.modulation),
			    "64APSK"); break;
		case 7: snprintf(d.fec, sizeof(d.fec), "7/9"); break;
		case 8: snprintf(d.roll_off, sizeof(d.roll_off), "0.5"); break;
		case 9: d.isi = 256; break;
		}
		before = c;
		CHECK(tuner_conf_from_nif(&c, &d) < 0);
		CHECK(memcmp(&c, &before, sizeof(c)) == 0);
	}
}

/* Random and oversized values never crash and never half-write. */
static void
test_conf_hostile(void)
{
	static const char *const keys[] = {
		"frequency", "polarisation", "symbol_rate", "modulation",
		"fec", "rolloff", "pilot", "stream_id", "pls_mode",
		"pls_code", "lnb", "diseqc", "lock_timeout", "pid",
		"service_id", "delivery_system",
	};
	static const char alphabet[] = "0123456789.,:/- kKmMgGhHzZsSxX\t";
	char val[300], why[128];
	struct tuner_conf c, before;
	struct tuner_plan p;
	int i, accepted = 0;

	rng_seed(5);
	for (i = 0; i < 20000; i++) {
		size_t k = rng_below(NELEM(keys)), n = rng_below(24), j;

		if (rng_below(50) == 0)
			n = sizeof(val) - 1;
		for (j = 0; j < n; j++)
			val[j] = rng_below(4) ? alphabet[rng_below(
			    sizeof(alphabet) - 1)] : (char)(rng_below(255) + 1);
		val[n] = '\0';
		tuner_conf_default(&c);
		before = c;
		if (tuner_conf_set(&c, keys[k], val, why, sizeof(why)) == 0) {
			accepted++;
			tuner_plan_make(&c, &p, why, sizeof(why));
		} else {
			CHECK(memcmp(&c, &before, sizeof(c)) == 0);
			CHECK(why[0] != '\0');
		}
	}
	CHECK(accepted > 100);
	tuner_conf_default(&c);
	CHECK(tuner_parse_device("1:1", &c, why, sizeof(why)) == 0);
}

TEST_MAIN(TEST(test_universal_low_and_high), TEST(test_lnb_table),
    TEST(test_diseqc_bytes), TEST(test_modcod_mapping),
    TEST(test_dvbs_props), TEST(test_pls_fold), TEST(test_plan_refuses),
    TEST(test_conf_keys), TEST(test_device_and_lnb_fields),
    TEST(test_nif_real), TEST(test_nif_hostile), TEST(test_conf_hostile))
