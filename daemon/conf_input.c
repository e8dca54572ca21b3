/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conf_input.c: the inputs below UDP in nipcached.conf.
 *
 *   [input]
 *   ts = PATH | - | udp://HOST:PORT [pid=N] [ule] [service=N]
 *   gse = PATH | - | udp://HOST:PORT
 *   pcap = PATH
 *   dvb = ADAPTER[:FRONTEND]       (its [tuner] section: [tuner], [tuner2]..)
 *   pace = realtime | fast         (pcap)
 *   sockets = auto | yes | no      (kernel sockets for the udp channels)
 *
 * The tuner keys themselves are daemon/tuner_conf.c's (tuner_conf_set).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf.h"

/* Which tuner a section names: [tuner] 0, [tuner2] 1 ..; -1 if none. */
static int
tuner_index(const char *section)
{
	int k;

	if (strcasecmp(section, "tuner") == 0)
		return 0;
	if (strncasecmp(section, "tuner", 5) != 0 || section[5] < '2' ||
	    section[5] > '0' + CONF_MAX_TUNERS || section[6] != '\0')
		return -1;
	k = section[5] - '1';
	return k;
}

static int
input_add(struct conf *c, enum rx_input_kind kind, const char *v, char *why,
    size_t n)
{
	if (c->ninputs >= RX_INPUTS_MAX) {
		snprintf(why, n, "more than %d inputs", RX_INPUTS_MAX);
		return -1;
	}
	if (rx_parse_input(kind, v, &c->inputs[c->ninputs], why, n) < 0)
		return -1;
	c->ninputs++;
	return 0;
}

static int
input_dvb(struct conf *c, const char *v, char *why, size_t n)
{
	struct tuner_conf *t;

	if (c->ntuners >= CONF_MAX_TUNERS) {
		snprintf(why, n, "more than %d dvb inputs", CONF_MAX_TUNERS);
		return -1;
	}
	t = &c->tuners[c->ntuners];
	if (tuner_parse_device(v, t, why, n) < 0)
		return -1;
	c->ntuners++;
	return 0;
}

static int
input_enum(const char *v, const char *const *names, int *out, char *why,
    size_t n)
{
	int i;

	for (i = 0; names[i] != NULL; i++) {
		if (strcasecmp(v, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	snprintf(why, n, "expected %s or %s%s%s", names[0], names[1],
	    names[2] != NULL ? " or " : "", names[2] != NULL ? names[2] : "");
	return -1;
}

static int
input_key(struct conf *c, const char *name, const char *v, char *why,
    size_t n)
{
	static const char *const pace[] = { "fast", "realtime", NULL };
	static const char *const sock[] = { "auto", "yes", "no", NULL };
	int x;

	if (strcasecmp(name, "ts") == 0)
		return input_add(c, RX_IN_TS, v, why, n);
	if (strcasecmp(name, "gse") == 0)
		return input_add(c, RX_IN_GSE, v, why, n);
	if (strcasecmp(name, "pcap") == 0)
		return input_add(c, RX_IN_PCAP, v, why, n);
	if (strcasecmp(name, "dvb") == 0)
		return input_dvb(c, v, why, n);
	if (strcasecmp(name, "pace") == 0) {
		if (input_enum(v, pace, &x, why, n) < 0)
			return -1;
		c->pace_realtime = (uint8_t)x;
		return 0;
	}
	if (strcasecmp(name, "sockets") == 0) {
		if (input_enum(v, sock, &x, why, n) < 0)
			return -1;
		c->sockets = (enum conf_sockets)x;
		return 0;
	}
	return 1;
}

int
conf_input_key(struct conf *c, const char *section, const char *name,
    const char *value, char *why, size_t n)
{
	int k;

	if (strcasecmp(section, "input") == 0)
		return input_key(c, name, value, why, n);
	if ((k = tuner_index(section)) < 0)
		return 1;
	return tuner_conf_set(&c->tuners[k], name, value, why, n);
}

int
conf_input_finish(struct conf *c, char *why, size_t n)
{
	size_t i;

	for (i = c->ntuners; i < CONF_MAX_TUNERS; i++) {
		if (c->tuners[i].freq_khz != 0) {
			snprintf(why, n, "[tuner%s] without a matching "
			    "[input] dvb line", i == 0 ? "" :
			    (const char *[]){ "", "2", "3", "4" }[i]);
			return -1;
		}
	}
	for (i = 0; i < c->ninputs; i++)
		if (c->inputs[i].kind == RX_IN_PCAP)
			c->inputs[i].realtime = c->pace_realtime;
	return 0;
}

int
conf_use_sockets(const struct conf *c)
{
	if (c->sockets != CONF_SOCKETS_AUTO)
		return c->sockets == CONF_SOCKETS_YES;
	return c->ninputs == 0 && c->ntuners == 0;
}
