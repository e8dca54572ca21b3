/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tuner_plan.c: the tuning plan (IF, band, tone, voltage, DiSEqC, DTV_*
 * values) and the name tables behind it.  Pure: no I/O, no clock, no
 * state besides const tables.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <linux/dvb/frontend.h>

#include "tuner.h"
#include "tuner_int.h"
#include "util.h"

/*
 * DVB-S2X roll-offs are not in the mainline uapi enum fe_rolloff; the
 * out-of-tree S2X drivers (TBS, crazycat) number them after ROLLOFF_AUTO
 * like this.  Our own names, so a future uapi enum cannot clash.
 */
#define TUNER_ROLLOFF_15	4u
#define TUNER_ROLLOFF_10	5u
#define TUNER_ROLLOFF_5		6u

#define DS_S		1u	/* valid on DVB-S */
#define DS_S2		2u	/* valid on DVB-S2 */

struct plan_name {
	const char	*name;		/* canonical spelling */
	const char	*alias;		/* also accepted, or NULL */
	uint32_t	value;		/* the uapi value */
	unsigned	systems;	/* DS_* where it is valid */
};

static const struct plan_name plan_delsys[] = {
	{ "DVBS2", "DVBS2X", SYS_DVBS2, DS_S2 },
	{ "DVBS", NULL, SYS_DVBS, DS_S },
};

static const struct plan_name plan_mods[] = {
	{ "QPSK", NULL, QPSK, DS_S | DS_S2 },
	{ "8PSK", "PSK8", PSK_8, DS_S2 },
	{ "16APSK", "APSK16", APSK_16, DS_S2 },
	{ "32APSK", "APSK32", APSK_32, DS_S2 },
};

static const struct plan_name plan_fecs[] = {
	{ "1/2", NULL, FEC_1_2, DS_S | DS_S2 },
	{ "2/3", NULL, FEC_2_3, DS_S | DS_S2 },
	{ "3/4", NULL, FEC_3_4, DS_S | DS_S2 },
	{ "5/6", NULL, FEC_5_6, DS_S | DS_S2 },
	{ "7/8", NULL, FEC_7_8, DS_S },
	{ "2/5", NULL, FEC_2_5, DS_S2 },
	{ "3/5", NULL, FEC_3_5, DS_S2 },
	{ "4/5", NULL, FEC_4_5, DS_S2 },
	{ "8/9", NULL, FEC_8_9, DS_S2 },
	{ "9/10", NULL, FEC_9_10, DS_S2 },
};

static const struct plan_name plan_rolloffs[] = {
	{ "0.35", NULL, ROLLOFF_35, DS_S | DS_S2 },
	{ "0.25", NULL, ROLLOFF_25, DS_S2 },
	{ "0.20", "0.2", ROLLOFF_20, DS_S2 },
	{ "0.15", NULL, TUNER_ROLLOFF_15, DS_S2 },
	{ "0.10", "0.1", TUNER_ROLLOFF_10, DS_S2 },
	{ "0.05", NULL, TUNER_ROLLOFF_5, DS_S2 },
};

/* Code rates and roll-offs compare exactly: "12" is not "1/2". */
static int
plan_exact_eq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

/* A table with its key and how its names compare. */
struct plan_names {
	const char		*key;
	const struct plan_name	*t;
	size_t			n;
	int			(*eq)(const char *, const char *);
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define NAMES(k, t, eq)	{ k, t, NELEM(t), eq }

static const struct plan_names plan_delsys_names =
	NAMES("delivery_system", plan_delsys, tuner_name_eq);
static const struct plan_names plan_mod_names =
	NAMES("modulation", plan_mods, tuner_name_eq);
static const struct plan_names plan_fec_names =
	NAMES("fec", plan_fecs, plan_exact_eq);
static const struct plan_names plan_rolloff_names =
	NAMES("rolloff", plan_rolloffs, plan_exact_eq);

int
tuner_trim(const char *s, char *buf, size_t n)
{
	size_t len;

	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= n)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

int
tuner_name_eq(const char *a, const char *b)
{
	for (;;) {
		while (*a && strchr("-_ /", *a))
			a++;
		while (*b && strchr("-_ /", *b))
			b++;
		if (toupper((unsigned char)*a) != toupper((unsigned char)*b))
			return 0;
		if (*a == '\0')
			return 1;
		a++;
		b++;
	}
}

/*
 * The entry of t matching s (trimmed): its index; -2 for "" or "auto";
 * -1 if unknown.
 */
static int
plan_lookup(const struct plan_names *nm, const char *s)
{
	char buf[TUNER_TOKEN_MAX];
	size_t i;

	if (tuner_trim(s, buf, sizeof(buf)) < 0)
		return -1;
	if (buf[0] == '\0' || strcasecmp(buf, "auto") == 0)
		return -2;
	for (i = 0; i < nm->n; i++)
		if (nm->eq(buf, nm->t[i].name) || (nm->t[i].alias != NULL &&
		    nm->eq(buf, nm->t[i].alias)))
			return (int)i;
	return -1;
}

int
tuner_name_canon(enum tuner_names k, const char *s, char *out, size_t n)
{
	static const struct plan_names *const all[] = {
		[TUNER_NAMES_DELSYS] = &plan_delsys_names,
		[TUNER_NAMES_MOD] = &plan_mod_names,
		[TUNER_NAMES_FEC] = &plan_fec_names,
		[TUNER_NAMES_ROLLOFF] = &plan_rolloff_names,
	};
	int i = plan_lookup(all[k], s);

	if (i == -1)
		return -1;
	util_strlcpy(out, i >= 0 ? all[k]->t[i].name : "", n);
	return 0;
}

static void
plan_add(struct tuner_plan *p, uint32_t cmd, uint32_t value)
{
	if (p->nprops < TUNER_PROPS_MAX) {
		p->props[p->nprops].cmd = cmd;
		p->props[p->nprops].value = value;
		p->nprops++;
	}
}

int
tuner_plan_prop(const struct tuner_plan *p, uint32_t cmd, uint32_t *value)
{
	size_t i;

	for (i = 0; i < p->nprops; i++) {
		if (p->props[i].cmd == cmd) {
			*value = p->props[i].value;
			return 0;
		}
	}
	return -1;
}

/* Band, LO and IF.  A LO above the signal (C band) inverts: IF = LO - f. */
static int
plan_lnb_math(const struct tuner_conf *c, struct tuner_plan *p, char *why,
    size_t n)
{
	uint32_t f = c->freq_khz, lo, ifk;

	if (f == 0) {
		snprintf(why, n, "frequency: not set");
		return -1;
	}
	if ((c->lof_high_khz == 0) != (c->lof_switch_khz == 0)) {
		snprintf(why, n, "lnb: a second LO needs a switch frequency "
		    "(LOW,HIGH,SWITCH)");
		return -1;
	}
	p->band = c->lof_switch_khz != 0 && f >= c->lof_switch_khz;
	lo = p->band ? c->lof_high_khz : c->lof_low_khz;
	ifk = lo > f ? lo - f : f - lo;
	if (ifk < TUNER_IF_MIN_KHZ || ifk > TUNER_IF_MAX_KHZ) {
		snprintf(why, n, "frequency: %u kHz with LO %u kHz gives IF "
		    "%u kHz, outside %u..%u kHz", f, lo, ifk,
		    TUNER_IF_MIN_KHZ, TUNER_IF_MAX_KHZ);
		return -1;
	}
	p->lo_khz = lo;
	p->if_khz = ifk;
	return 0;
}

/*
 * Voltage selects the polarisation (18 V horizontal/left), the 22 kHz
 * tone the high band, and a committed DiSEqC switch command (EN 50494
 * "write N0": framing E0, any LNB/switch 10, command 38) carries both
 * again with the port in its low nibble.
 */
static int
plan_sec(const struct tuner_conf *c, struct tuner_plan *p, char *why,
    size_t n)
{
	unsigned hpol;

	switch (c->pol) {
	case 'H': case 'L':
		hpol = 1;
		break;
	case 'V': case 'R':
		hpol = 0;
		break;
	default:
		snprintf(why, n, "polarisation: not set");
		return -1;
	}
	if (c->diseqc_port < -1 || c->diseqc_port > 3) {
		snprintf(why, n, "diseqc: port %d out of range",
		    c->diseqc_port);
		return -1;
	}
	p->voltage = hpol ? 18 : 13;
	p->tone = p->band;
	if (c->diseqc_port >= 0) {
		p->diseqc[0] = 0xE0;
		p->diseqc[1] = 0x10;
		p->diseqc[2] = 0x38;
		p->diseqc[3] = (uint8_t)(0xF0 | (unsigned)c->diseqc_port << 2 |
		    hpol << 1 | p->band);
		p->diseqc_len = 4;
	}
	return 0;
}

/* The value of s for delivery system ds; *v keeps its default for auto. */
static int
plan_pick(const struct plan_names *nm, const char *s, unsigned ds,
    uint32_t *v, char *why, size_t n)
{
	int i = plan_lookup(nm, s);

	if (i == -1) {
		snprintf(why, n, "%s: unknown value '%s'", nm->key, s);
		return -1;
	}
	if (i >= 0 && !(nm->t[i].systems & ds)) {
		snprintf(why, n, "%s: '%s' is not valid for %s", nm->key, s,
		    ds == DS_S ? "DVBS" : "DVBS2");
		return -1;
	}
	if (i >= 0)
		*v = nm->t[i].value;
	return 0;
}

/*
 * DTV_STREAM_ID carries the ISI in bits 0-7 and, for drivers that
 * support physical layer scrambling through it, the PLS code in bits
 * 8-25 and the mode (0 root, 1 gold) in bits 26-27.  No ISI: the kernel's
 * NO_STREAM_ID_FILTER, stored explicitly because libdvbv5 would otherwise
 * send its zeroed default, an ISI filter on stream 0.
 */
static int
plan_stream_id(const struct tuner_conf *c, unsigned ds, uint32_t *v,
    char *why, size_t n)
{
	int pls = c->pls_mode != TUNER_PLS_ROOT || c->pls_code != 0;

	if ((c->pls_mode != TUNER_PLS_ROOT && c->pls_mode != TUNER_PLS_GOLD) ||
	    c->pls_code > TUNER_PLS_CODE_MAX) {
		snprintf(why, n, "pls_code: mode %d code %u out of range",
		    c->pls_mode, c->pls_code);
		return -1;
	}
	if (c->stream_id > 255 || (c->stream_id < 0 && pls) ||
	    (ds == DS_S && (c->stream_id >= 0 || pls))) {
		snprintf(why, n, "stream_id: %d not valid here (0..255, needed "
		    "by PLS settings, DVBS2 only)", c->stream_id);
		return -1;
	}
	if (c->stream_id < 0)
		*v = NO_STREAM_ID_FILTER;
	else
		*v = (uint32_t)c->stream_id | c->pls_code << 8 |
		    (uint32_t)c->pls_mode << 26;
	return 0;
}

/*
 * Modulation, code rate, roll-off, pilot, stream.  DVB-S has only QPSK
 * at roll-off 0.35 and no streams, so it stores just the code rate.
 */
static int
plan_modcod(const struct tuner_conf *c, unsigned ds, struct tuner_plan *p,
    char *why, size_t n)
{
	static const uint32_t pilots[] = { PILOT_AUTO, PILOT_ON, PILOT_OFF };
	uint32_t mod = QAM_AUTO, fec = FEC_AUTO, ro = ROLLOFF_AUTO, sid;

	if (plan_pick(&plan_mod_names, c->modulation, ds, &mod, why, n) < 0 ||
	    plan_pick(&plan_fec_names, c->fec, ds, &fec, why, n) < 0 ||
	    plan_pick(&plan_rolloff_names, c->rolloff, ds, &ro, why, n) < 0 ||
	    plan_stream_id(c, ds, &sid, why, n) < 0)
		return -1;
	if (c->pilot < TUNER_PILOT_AUTO || c->pilot > TUNER_PILOT_OFF) {
		snprintf(why, n, "pilot: bad value %d", c->pilot);
		return -1;
	}
	if (ds == DS_S) {
		plan_add(p, DTV_INNER_FEC, fec);
		return 0;
	}
	plan_add(p, DTV_MODULATION, mod);
	plan_add(p, DTV_INNER_FEC, fec);
	plan_add(p, DTV_ROLLOFF, ro);
	plan_add(p, DTV_PILOT, pilots[c->pilot]);
	plan_add(p, DTV_STREAM_ID, sid);
	return 0;
}

int
tuner_plan_make(const struct tuner_conf *c, struct tuner_plan *p, char *why,
    size_t n)
{
	int i;

	memset(p, 0, sizeof(*p));
	if ((i = plan_lookup(&plan_delsys_names, c->delsys)) < 0) {
		snprintf(why, n, "delivery_system: unknown value '%s'",
		    c->delsys);
		return -1;
	}
	if (plan_lnb_math(c, p, why, n) < 0 || plan_sec(c, p, why, n) < 0)
		return -1;
	if (c->symbol_rate < TUNER_SR_MIN || c->symbol_rate > TUNER_SR_MAX) {
		snprintf(why, n, "symbol_rate: %u sym/s unset or out of "
		    "range", c->symbol_rate);
		return -1;
	}
	plan_add(p, DTV_DELIVERY_SYSTEM, plan_delsys[i].value);
	plan_add(p, DTV_FREQUENCY, p->if_khz);
	plan_add(p, DTV_SYMBOL_RATE, c->symbol_rate);
	plan_add(p, DTV_INVERSION, INVERSION_AUTO);
	if (plan_modcod(c, plan_delsys[i].systems, p, why, n) < 0)
		return -1;
	plan_add(p, DTV_VOLTAGE, p->voltage == 18 ? SEC_VOLTAGE_18 :
	    SEC_VOLTAGE_13);
	plan_add(p, DTV_TONE, p->tone ? SEC_TONE_ON : SEC_TONE_OFF);
	return 0;
}

