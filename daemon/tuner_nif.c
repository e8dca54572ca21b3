/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tuner_nif.c: which NIP stream of a NIF a tuner receives (see
 * tuner_nif_pick in tuner.h).  Pure: no I/O, no clock, no state.
 *
 * A NIF lists every NIP stream of a network, on several transponders and
 * sometimes on other satellites.  A box has one dish and LNB, so a stream
 * is a candidate only when its delivery parameters make a plan with the
 * configured LNB.  Among candidates the operator's [tuner] nif_carrier
 * wins; a tuner already on a frequency keeps that stream (the NIF may
 * have changed its symbol rate or code rate); otherwise TS beats GSE,
 * because a Linux frontend hands over TS only (protocols.md 6.3).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tuner.h"
#include "util.h"
#include "../dvb-i/nipdoc.h"

/* Within this of the configured frequency, a stream is "the one we are on". */
#define NIF_SAME_FREQ_KHZ	5000u

struct nif_cand {
	const struct nif_network *net;
	const struct nif_stream *st;
	struct tuner_conf conf;
	int		score;
};

static int
nif_is_ts(const struct nif_stream *s)
{
	return s->link_layer[0] == '\0' ||
	    strcasecmp(s->link_layer, "TS") == 0;
}

/* Preference for the automatic choice; larger is better. */
static int
nif_score(const struct nif_network *net, const struct nif_stream *s)
{
	int v = 0;

	if (nif_is_ts(s))
		v += 8;
	if (s->bootstrap && (s->status[0] == '\0' ||
	    strcasecmp(s->status, "Active") == 0))
		v += 4;
	if (net->actual)
		v += 2;
	return v;
}

/* s as a candidate for base: 0 with c filled, or -1 (not receivable). */
static int
nif_candidate(const struct tuner_conf *base, const struct nif_network *net,
    const struct nif_stream *s, struct nif_cand *c)
{
	struct tuner_plan p;
	char why[128];

	c->net = net;
	c->st = s;
	c->conf = *base;
	if (tuner_conf_from_nif(&c->conf, &s->delivery) < 0)
		return -1;
	if (tuner_plan_make(&c->conf, &p, why, sizeof(why)) < 0)
		return -1;
	c->score = nif_score(net, s);
	return 0;
}

static uint32_t
nif_absdiff(uint32_t a, uint32_t b)
{
	return a > b ? a - b : b - a;
}

/* Is candidate c better than best for base?  Document order breaks ties. */
static int
nif_better(const struct tuner_conf *base, const struct nif_cand *c,
    const struct nif_cand *best, int have)
{
	if (base->nif_carrier >= 0)
		return !have && c->st->carrier_id == (uint32_t)base->nif_carrier;
	if (base->freq_khz != 0)
		return !have && c->conf.pol == base->pol &&
		    nif_absdiff(c->conf.freq_khz, base->freq_khz) <=
		    NIF_SAME_FREQ_KHZ;
	return !have || c->score > best->score;
}

static void
nif_choice(const struct nif_cand *c, struct tuner_nif_choice *ch)
{
	memset(ch, 0, sizeof(*ch));
	ch->network_id = c->net->network_id;
	ch->carrier_id = c->st->carrier_id;
	ch->link_id = c->st->link_id;
	ch->service_id = c->st->service_id;
	util_strlcpy(ch->link_layer, c->st->link_layer[0] != '\0' ?
	    c->st->link_layer : "TS", sizeof(ch->link_layer));
	util_strlcpy(ch->provider, c->st->provider[0] != '\0' ?
	    c->st->provider : c->net->provider, sizeof(ch->provider));
	ch->ts = (uint8_t)nif_is_ts(c->st);
}

static void
nif_none(const struct tuner_conf *base, size_t nstreams, size_t ncand,
    char *why, size_t n)
{
	if (nstreams == 0)
		snprintf(why, n, "the NIF lists no NIP stream");
	else if (ncand == 0)
		snprintf(why, n, "none of its %zu NIP stream(s) has DVB-S2 "
		    "delivery parameters this LNB can receive", nstreams);
	else if (base->nif_carrier >= 0)
		snprintf(why, n, "no receivable NIP stream with NIPCarrierID "
		    "%d", base->nif_carrier);
	else
		snprintf(why, n, "no NIP stream on %u.%03u MHz %c",
		    base->freq_khz / 1000, base->freq_khz % 1000,
		    base->pol ? base->pol : '?');
}

int
tuner_nif_pick(const struct tuner_conf *base, const struct nif *nif,
    struct tuner_conf *out, struct tuner_nif_choice *ch, char *why,
    size_t n)
{
	struct nif_cand c, best;
	size_t i, j, nstreams = 0, ncand = 0;
	int have = 0;

	if (base == NULL || nif == NULL || out == NULL || ch == NULL) {
		snprintf(why, n, "no NIF");
		return -1;
	}
	memset(&best, 0, sizeof(best));
	for (i = 0; i < nif->nnetworks; i++) {
		const struct nif_network *net = &nif->networks[i];

		for (j = 0; j < net->nstreams; j++) {
			nstreams++;
			if (nif_candidate(base, net, &net->streams[j], &c) < 0)
				continue;
			ncand++;
			if (nif_better(base, &c, &best, have)) {
				best = c;
				have = 1;
			}
		}
	}
	if (!have) {
		nif_none(base, nstreams, ncand, why, n);
		return -1;
	}
	*out = best.conf;
	nif_choice(&best, ch);
	return 0;
}
