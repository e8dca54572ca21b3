/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tuner_conf.c: the [tuner] configuration keys, "[input] dvb", and the
 * conversion from a NIF's delivery parameters.  Pure: no I/O, no clock,
 * no state besides const tables.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tuner.h"
#include "tuner_int.h"
#include "util.h"
#include "../dvb-i/nipdoc.h"

#define MHZ(x)		((x) * 1000u)	/* in kHz */
#define MICRO		1000000u
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Names compare loosely (tuner_name_eq): "c band" is "C-BAND". */
struct conf_lnbtype {
	const char	*name;
	uint32_t	low, high, sw;	/* kHz */
};

static const struct conf_lnbtype conf_lnbs[] = {
	{ "UNIVERSAL", MHZ(9750), MHZ(10600), MHZ(11700) },
	{ "DBS", MHZ(11250), 0, 0 },
	{ "STANDARD", MHZ(10750), 0, 0 },
	{ "C-BAND", MHZ(5150), 0, 0 },
};

struct conf_num {
	uint64_t	ip, frac;	/* integer part, millionths */
};

/* "123" or "123.456" (up to 6 decimals) at *sp; *sp moves past it. */
static int
conf_decimal(const char **sp, struct conf_num *v)
{
	const char *s = *sp;
	int nd = 0, nf = 0;

	v->ip = v->frac = 0;
	for (; isdigit((unsigned char)*s) && nd <= 12; s++, nd++)
		v->ip = v->ip * 10 + (uint64_t)(*s - '0');
	if (*s == '.') {
		for (s++; isdigit((unsigned char)*s) && nf <= 6; s++, nf++)
			v->frac = v->frac * 10 + (uint64_t)(*s - '0');
	}
	if ((nd == 0 && nf == 0) || nd > 12 || nf > 6)
		return -1;
	for (; nf < 6; nf++)
		v->frac *= 10;
	*sp = s;
	return 0;
}

/* v times unit, exactly (no fraction left) and at most max.  0 or -1. */
static int
conf_scale(const struct conf_num *v, uint64_t unit, uint64_t max,
    uint64_t *out)
{
	uint64_t f = v->frac * unit;

	if (unit == 0 || v->ip > max / unit || f % MICRO)
		return -1;
	if (v->ip * unit + f / MICRO > max)
		return -1;
	*out = v->ip * unit + f / MICRO;
	return 0;
}

struct conf_unit {
	const char	*name;
	uint64_t	mul;
};

/*
 * A decimal number and an optional unit from units (no case, white
 * space allowed between); *mul is 0 when no unit was given.  0 or -1.
 */
static int
conf_number_unit(const char *s, const struct conf_unit *units, size_t nu,
    struct conf_num *v, uint64_t *mul)
{
	char buf[TUNER_TOKEN_MAX];
	const char *p = buf;
	size_t i;

	if (tuner_trim(s, buf, sizeof(buf)) < 0 || conf_decimal(&p, v) < 0)
		return -1;
	while (isspace((unsigned char)*p))
		p++;
	*mul = 0;
	if (*p == '\0')
		return 0;
	for (i = 0; i < nu; i++) {
		if (strcasecmp(p, units[i].name) == 0) {
			*mul = units[i].mul;
			return 0;
		}
	}
	return -1;
}

/* An integer in [min, max] (decimal, or 0x hex); 0 or -1. */
static int
conf_intval(const char *s, long min, long max, long *out)
{
	char buf[TUNER_TOKEN_MAX], *end;
	long v;

	if (tuner_trim(s, buf, sizeof(buf)) < 0 || buf[0] == '\0')
		return -1;
	v = strtol(buf, &end, 0);
	if (*end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* H, V, L, R from "h", "Horizontal", "circular-left", ...; 0 or -1. */
static int
conf_polval(const char *s, char *pol)
{
	static const char *const words[] = {
		"h", "horizontal", "v", "vertical", "l", "left", "r", "right"
	};
	char buf[TUNER_TOKEN_MAX];
	const char *w;
	size_t i;

	if (tuner_trim(s, buf, sizeof(buf)) < 0)
		return -1;
	w = buf + strlen(buf);
	while (w > buf && !strchr(" -_", w[-1]))
		w--;
	for (i = 0; i < NELEM(words); i++) {
		if (strcasecmp(w, words[i]) == 0) {
			*pol = (char)toupper((unsigned char)words[i][0]);
			return 0;
		}
	}
	return -1;
}

void
tuner_conf_default(struct tuner_conf *c)
{
	memset(c, 0, sizeof(*c));
	util_strlcpy(c->delsys, "DVBS2", sizeof(c->delsys));
	c->pilot = TUNER_PILOT_AUTO;
	c->stream_id = -1;
	c->pls_mode = TUNER_PLS_ROOT;
	util_strlcpy(c->lnb, conf_lnbs[0].name, sizeof(c->lnb));
	c->lof_low_khz = conf_lnbs[0].low;
	c->lof_high_khz = conf_lnbs[0].high;
	c->lof_switch_khz = conf_lnbs[0].sw;
	c->diseqc_port = -1;
	c->nif_carrier = -1;
	c->follow_nif = -1;
	c->lock_timeout_ms = TUNER_LOCK_TIMEOUT_MS;
	c->poll_ms = TUNER_POLL_MS;
	c->lost_ms = TUNER_LOST_MS;
	c->backoff_min_ms = TUNER_BACKOFF_MIN_MS;
	c->backoff_max_ms = TUNER_BACKOFF_MAX_MS;
}

/*
 * The [tuner] keys, table driven: each handler parses one kind of value
 * into the field at off and returns 0, or -1 for the caller's message
 * "key: bad value 'v' (expected ...)".  c is only written on success.
 */
struct conf_key;
typedef int conf_set_fn(const struct conf_key *, struct tuner_conf *,
    const char *);

struct conf_word {
	const char	*word;
	long		value;
};

struct conf_key {
	const char		*key;
	conf_set_fn		*set;
	size_t			off, size;	/* the field */
	enum tuner_names	names;		/* conf_name */
	const struct conf_word	*words;		/* conf_int */
	const struct conf_measure *q;		/* conf_quantity */
	long			min, max;	/* conf_int */
	const char		*expect;
};

#define FIELD(f)	.off = offsetof(struct tuner_conf, f),		\
			.size = sizeof(((struct tuner_conf *)0)->f)

/*
 * A quantity with optional units; a bare number below plain_below is in
 * mul_small units (MHz, ks/s), else in mul_big (kHz, sym/s).
 */
struct conf_measure {
	const struct conf_unit *units;
	size_t		nunits;
	uint64_t	plain_below, mul_small, mul_big;
	uint64_t	min, max;
};

static const struct conf_unit conf_freq_units[] = {
	{ "khz", 1 }, { "mhz", 1000 }, { "ghz", MICRO },
};
static const struct conf_measure conf_freq = {
	conf_freq_units, NELEM(conf_freq_units), 100000, 1000, 1,
	TUNER_FREQ_MIN_KHZ, TUNER_FREQ_MAX_KHZ
};
static const struct conf_unit conf_sr_units[] = {
	{ "s/s", 1 }, { "sym/s", 1 }, { "sps", 1 }, { "baud", 1 },
	{ "ks/s", 1000 }, { "ksym/s", 1000 }, { "ksps", 1000 },
	{ "kbaud", 1000 }, { "ms/s", MICRO }, { "msym/s", MICRO },
	{ "msps", MICRO }, { "mbaud", MICRO },
};
static const struct conf_measure conf_sr = {
	conf_sr_units, NELEM(conf_sr_units), 1000000, 1000, 1,
	TUNER_SR_MIN, TUNER_SR_MAX
};

/* A measure (k->q) into a uint32_t field. */
static int
conf_quantity(const struct conf_key *k, struct tuner_conf *c,
    const char *v)
{
	const struct conf_measure *q = k->q;
	struct conf_num x;
	uint64_t mul, r;
	uint32_t u32;

	if (conf_number_unit(v, q->units, q->nunits, &x, &mul) < 0)
		return -1;
	if (mul == 0)
		mul = x.ip < q->plain_below ? q->mul_small : q->mul_big;
	if (conf_scale(&x, mul, q->max, &r) < 0 || r < q->min)
		return -1;
	u32 = (uint32_t)r;
	memcpy((char *)c + k->off, &u32, sizeof(u32));
	return 0;
}

static int
conf_pol(const struct conf_key *k, struct tuner_conf *c, const char *v)
{
	(void)k;
	return conf_polval(v, &c->pol);
}

/* A name from k->names into a char array field ("" for auto). */
static int
conf_name(const struct conf_key *k, struct tuner_conf *c, const char *v)
{
	char buf[TUNER_TOKEN_MAX];

	if (tuner_name_canon(k->names, v, buf, sizeof(buf)) < 0 ||
	    (buf[0] == '\0' && k->names == TUNER_NAMES_DELSYS))
		return -1;
	util_strlcpy((char *)c + k->off, buf, k->size);
	return 0;
}

/* One of k->words, or a number in [min, max] (none if min > max). */
static int
conf_int(const struct conf_key *k, struct tuner_conf *c, const char *v)
{
	const struct conf_word *w;
	char buf[TUNER_TOKEN_MAX];
	long x;

	if (tuner_trim(v, buf, sizeof(buf)) < 0)
		return -1;
	for (w = k->words; w != NULL && w->word != NULL; w++)
		if (strcasecmp(buf, w->word) == 0)
			break;
	if (w != NULL && w->word != NULL)
		x = w->value;
	else if (k->min > k->max || conf_intval(buf, k->min, k->max, &x) < 0)
		return -1;
	if (k->size == sizeof(uint16_t)) {
		uint16_t u16 = (uint16_t)x;

		memcpy((char *)c + k->off, &u16, sizeof(u16));
	} else {
		int i = (int)x;		/* int and uint32_t fields */

		memcpy((char *)c + k->off, &i, sizeof(i));
	}
	return 0;
}

static int
conf_lock_timeout(const struct conf_key *k, struct tuner_conf *c,
    const char *v)
{
	uint64_t ms;

	(void)k;
	if (util_parse_duration_ms(v, &ms) < 0 || ms < 100 || ms > 600000)
		return -1;
	c->lock_timeout_ms = (uint32_t)ms;
	return 0;
}

/* "LOW[,HIGH,SWITCH]" in MHz into kHz; the count of values, or -1. */
static int
conf_lnb_custom(const char *v, uint32_t khz[3])
{
	char buf[64];
	char *p = buf, *tok;
	int k = 0;

	if (tuner_trim(v, buf, sizeof(buf)) < 0)
		return -1;
	while ((tok = strsep(&p, ",")) != NULL) {
		char t[TUNER_TOKEN_MAX];
		const char *q = t;
		struct conf_num x;
		uint64_t f;

		if (k == 3 || tuner_trim(tok, t, sizeof(t)) < 0 ||
		    conf_decimal(&q, &x) < 0 || *q != '\0' ||
		    conf_scale(&x, 1000, TUNER_FREQ_MAX_KHZ, &f) < 0)
			return -1;
		khz[k++] = (uint32_t)f;
	}
	return k;
}

static int
conf_lnb(const struct conf_key *k, struct tuner_conf *c, const char *v)
{
	uint32_t khz[3] = { 0, 0, 0 };
	const struct conf_lnbtype *l;
	int nk;

	(void)k;
	for (l = conf_lnbs; l < conf_lnbs + NELEM(conf_lnbs); l++) {
		if (tuner_name_eq(v, l->name)) {
			util_strlcpy(c->lnb, l->name, sizeof(c->lnb));
			c->lof_low_khz = l->low;
			c->lof_high_khz = l->high;
			c->lof_switch_khz = l->sw;
			return 0;
		}
	}
	nk = conf_lnb_custom(v, khz);
	if (nk != 1 && (nk != 3 || khz[1] == 0 || khz[2] == 0))
		return -1;
	c->lnb[0] = '\0';
	c->lof_low_khz = khz[0];
	c->lof_high_khz = khz[1];
	c->lof_switch_khz = khz[2];
	return 0;
}

static const struct conf_word conf_none_words[] = {
	{ "", -1 }, { "none", -1 }, { "off", -1 }, { NULL, 0 }
};
static const struct conf_word conf_pilot_words[] = {
	{ "", TUNER_PILOT_AUTO }, { "auto", TUNER_PILOT_AUTO },
	{ "on", TUNER_PILOT_ON }, { "yes", TUNER_PILOT_ON },
	{ "off", TUNER_PILOT_OFF }, { "no", TUNER_PILOT_OFF }, { NULL, 0 }
};
static const struct conf_word conf_pls_words[] = {
	{ "root", TUNER_PLS_ROOT }, { "gold", TUNER_PLS_GOLD }, { NULL, 0 }
};
static const struct conf_word conf_diseqc_words[] = {
	{ "", -1 }, { "none", -1 }, { "off", -1 },
	{ "a", 0 }, { "b", 1 }, { "c", 2 }, { "d", 3 }, { NULL, 0 }
};
static const struct conf_word conf_auto_words[] = {
	{ "", 0 }, { "auto", 0 }, { "any", 0 }, { NULL, 0 }
};
static const struct conf_word conf_carrier_words[] = {
	{ "", -1 }, { "auto", -1 }, { "any", -1 }, { NULL, 0 }
};
static const struct conf_word conf_follow_words[] = {
	{ "", -1 }, { "auto", -1 }, { "yes", 1 }, { "on", 1 }, { "true", 1 },
	{ "no", 0 }, { "off", 0 }, { "false", 0 }, { NULL, 0 }
};

static const struct conf_key conf_keys[] = {
	{ .key = "frequency", .set = conf_quantity, FIELD(freq_khz),
	    .q = &conf_freq, .expect = "e.g. "
	    "\"11141 MHz\" or \"11141000 kHz\", 500 MHz to 100 GHz" },
	{ .key = "polarisation", .set = conf_pol, .expect = "h, v, l or r" },
	{ .key = "polarization", .set = conf_pol, .expect = "h, v, l or r" },
	{ .key = "symbol_rate", .set = conf_quantity, FIELD(symbol_rate),
	    .q = &conf_sr, .expect = "e.g. "
	    "\"23500 ks/s\" or \"27500000\", 0.1 to 100 Msym/s" },
	{ .key = "modulation", .set = conf_name, FIELD(modulation),
	    .names = TUNER_NAMES_MOD,
	    .expect = "QPSK, 8PSK, 16APSK, 32APSK or auto" },
	{ .key = "fec", .set = conf_name, FIELD(fec), .names = TUNER_NAMES_FEC,
	    .expect = "1/2, 2/3, 3/4, 5/6, 7/8, 2/5, 3/5, 4/5, 8/9, 9/10 or "
	    "auto" },
	{ .key = "rolloff", .set = conf_name, FIELD(rolloff),
	    .names = TUNER_NAMES_ROLLOFF,
	    .expect = "0.35, 0.25, 0.20, 0.15, 0.10, 0.05 or auto" },
	{ .key = "delivery_system", .set = conf_name, FIELD(delsys),
	    .names = TUNER_NAMES_DELSYS, .expect = "DVBS2 or DVBS" },
	{ .key = "pilot", .set = conf_int, FIELD(pilot),
	    .words = conf_pilot_words, .min = 1, .max = 0,
	    .expect = "on, off or auto" },
	{ .key = "stream_id", .set = conf_int, FIELD(stream_id),
	    .words = conf_none_words, .min = 0, .max = 255,
	    .expect = "0..255 or none" },
	{ .key = "pls_mode", .set = conf_int, FIELD(pls_mode),
	    .words = conf_pls_words, .min = 1, .max = 0,
	    .expect = "root or gold" },
	{ .key = "pls_code", .set = conf_int, FIELD(pls_code),
	    .min = 0, .max = TUNER_PLS_CODE_MAX, .expect = "0..262143" },
	{ .key = "lnb", .set = conf_lnb, .expect = "UNIVERSAL, DBS, STANDARD, "
	    "C-BAND, or LOW[,HIGH,SWITCH] in MHz" },
	{ .key = "diseqc", .set = conf_int, FIELD(diseqc_port),
	    .words = conf_diseqc_words, .min = 0, .max = 3,
	    .expect = "none, 0..3 or A..D" },
	{ .key = "lock_timeout", .set = conf_lock_timeout,
	    .expect = "e.g. \"10s\", 100ms to 10m" },
	{ .key = "pid", .set = conf_int, FIELD(mpe_pid),
	    .words = conf_auto_words, .min = 0, .max = 0x1FFE,
	    .expect = "auto or 1..8190" },
	{ .key = "service_id", .set = conf_int, FIELD(service_id),
	    .words = conf_auto_words, .min = 0, .max = 65535,
	    .expect = "any or 1..65535" },
	{ .key = "nif_carrier", .set = conf_int, FIELD(nif_carrier),
	    .words = conf_carrier_words, .min = 0, .max = 65535,
	    .expect = "auto or a NIPCarrierID 0..65535" },
	{ .key = "follow_nif", .set = conf_int, FIELD(follow_nif),
	    .words = conf_follow_words, .min = 1, .max = 0,
	    .expect = "yes, no or auto" },
};

int
tuner_conf_set(struct tuner_conf *c, const char *key, const char *val,
    char *why, size_t n)
{
	const struct conf_key *k;

	if (key == NULL || val == NULL) {
		snprintf(why, n, "tuner: missing key or value");
		return -1;
	}
	for (k = conf_keys; k < conf_keys + NELEM(conf_keys); k++) {
		if (strcasecmp(key, k->key) != 0)
			continue;
		if (k->set(k, c, val) == 0)
			return 0;
		snprintf(why, n, "%s: bad value '%s' (expected %s)", key, val,
		    k->expect);
		return -1;
	}
	snprintf(why, n, "%s: unknown [tuner] key", key);
	return -1;
}

int
tuner_parse_device(const char *s, struct tuner_conf *c, char *why, size_t n)
{
	char buf[TUNER_TOKEN_MAX], *colon;
	long a, f = 0;

	if (s == NULL || tuner_trim(s, buf, sizeof(buf)) < 0)
		goto bad;
	colon = strchr(buf, ':');
	if (colon != NULL) {
		*colon = '\0';
		if (conf_intval(colon + 1, 0, 255, &f) < 0)
			goto bad;
	}
	if (conf_intval(buf, 0, 255, &a) < 0)
		goto bad;
	c->adapter = (int)a;
	c->frontend = (int)f;
	return 0;
bad:
	snprintf(why, n, "dvb: bad device '%s' (expected ADAPTER[:FRONTEND], "
	    "e.g. 0 or 0:1)", s ? s : "");
	return -1;
}

int
tuner_conf_from_nif(struct tuner_conf *c, const struct nif_delivery *d)
{
	struct tuner_conf t;

	if (c == NULL || d == NULL || !d->present)
		return -1;
	t = *c;
	if (d->frequency == 0 || d->frequency > TUNER_FREQ_MAX_KHZ / 10 ||
	    d->frequency * 10 < TUNER_FREQ_MIN_KHZ)
		return -1;
	if (d->symbol_rate == 0 || d->symbol_rate > TUNER_SR_MAX / 1000 ||
	    d->symbol_rate * 1000 < TUNER_SR_MIN || d->isi > 255)
		return -1;
	if (conf_polval(d->polarization, &t.pol) < 0 ||
	    tuner_name_canon(TUNER_NAMES_MOD, d->modulation, t.modulation,
	    sizeof(t.modulation)) < 0 ||
	    tuner_name_canon(TUNER_NAMES_FEC, d->fec, t.fec,
	    sizeof(t.fec)) < 0 ||
	    tuner_name_canon(TUNER_NAMES_ROLLOFF, d->roll_off, t.rolloff,
	    sizeof(t.rolloff)) < 0)
		return -1;
	t.freq_khz = d->frequency * 10;
	t.symbol_rate = d->symbol_rate * 1000;
	t.stream_id = (int)d->isi;
	t.pilot = TUNER_PILOT_AUTO;
	t.pls_mode = TUNER_PLS_ROOT;
	t.pls_code = 0;
	/* S2X carriers tune as SYS_DVBS2: the uapi has no S2X system. */
	util_strlcpy(t.delsys, "DVBS2", sizeof(t.delsys));
	*c = t;
	return 0;
}


int
tuner_conf_follows_nif(const struct tuner_conf *c)
{
	return c->follow_nif > 0 || (c->follow_nif < 0 && c->freq_khz == 0);
}

/* The delivery fields: the same list as tuner_conf_same_delivery's. */
void
tuner_conf_set_delivery(struct tuner_conf *dst, const struct tuner_conf *src)
{
	memcpy(dst->delsys, src->delsys, sizeof(dst->delsys));
	dst->freq_khz = src->freq_khz;
	dst->pol = src->pol;
	dst->symbol_rate = src->symbol_rate;
	memcpy(dst->modulation, src->modulation, sizeof(dst->modulation));
	memcpy(dst->fec, src->fec, sizeof(dst->fec));
	memcpy(dst->rolloff, src->rolloff, sizeof(dst->rolloff));
	dst->pilot = src->pilot;
	dst->stream_id = src->stream_id;
	dst->pls_mode = src->pls_mode;
	dst->pls_code = src->pls_code;
}

int
tuner_conf_same_delivery(const struct tuner_conf *a,
    const struct tuner_conf *b)
{
	return a->freq_khz == b->freq_khz && a->pol == b->pol &&
	    a->symbol_rate == b->symbol_rate &&
	    a->stream_id == b->stream_id && a->pilot == b->pilot &&
	    a->pls_mode == b->pls_mode && a->pls_code == b->pls_code &&
	    strcmp(a->delsys, b->delsys) == 0 &&
	    strcmp(a->modulation, b->modulation) == 0 &&
	    strcmp(a->fec, b->fec) == 0 &&
	    strcmp(a->rolloff, b->rolloff) == 0;
}
