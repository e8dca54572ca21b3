/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frontend.c: inputs below UDP and the tuners, wired for main (see
 * frontend.h).  The tuner threads own the frontends; rx owns the demux
 * descriptors it reads.  This file owns only the table of started tuners,
 * written at start and stop on the main thread and read (the handles
 * only) by the HTTP threads rendering /metrics and /health, under fe_lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "frontend.h"
#include "log.h"
#include "tuner.h"
#include "util.h"

struct fe_tuner {
	struct tuner	*t;
	int		adapter, frontend;
	uint16_t	pid;
	/* Following the NIF; written by main under fe_lock. */
	int		follow;
	struct tuner_conf base;		/* as configured */
	struct tuner_conf target;	/* the delivery last handed over */
	int		have_target;
	struct tuner_nif_choice choice;	/* valid while have_choice */
	int		have_choice;
	char		nif_why[96];	/* why the last NIF gave nothing */
};

static pthread_mutex_t fe_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fe_tuner fe_tuners[CONF_MAX_TUNERS];
static size_t fe_ntuners;

/* rx's open callback of a dvb input: the adapter's demux, TS tap. */
static int
fe_dvb_open(void *arg)
{
	const struct fe_tuner *ft = arg;

	return tuner_demux_open(ft->adapter, ft->pid);
}

static int
fe_add_dvb(const struct tuner_conf *tc, struct fe_tuner *ft,
    struct rx_params *rp)
{
	struct rx_input *in;

	if (rp->ninputs >= RX_INPUTS_MAX) {
		log_warnx("dvb%d:%d: more than %d inputs", tc->adapter,
		    tc->frontend, RX_INPUTS_MAX);
		return -1;
	}
	memset(ft, 0, sizeof(*ft));
	ft->adapter = tc->adapter;
	ft->frontend = tc->frontend;
	ft->pid = tc->mpe_pid;
	ft->base = *tc;
	ft->follow = tuner_conf_follows_nif(tc);
	ft->target = *tc;
	ft->have_target = tc->freq_khz != 0;
	if ((ft->t = tuner_start(tc, tuner_ops_dvbv5())) == NULL)
		return -1;
	in = &rp->inputs[rp->ninputs++];
	memset(in, 0, sizeof(*in));
	in->kind = RX_IN_TS;
	snprintf(in->name, sizeof(in->name), "dvb%d:%d", tc->adapter,
	    tc->frontend);
	in->open = fe_dvb_open;
	in->arg = ft;
	in->ts.pid = tc->mpe_pid;
	in->ts.service_id = tc->service_id;
	return 0;
}

int
frontend_start(const struct conf *c, struct rx_params *rp)
{
	size_t i;

	rp->no_sockets = !conf_use_sockets(c);
	rp->ninputs = c->ninputs;
	memcpy(rp->inputs, c->inputs, c->ninputs * sizeof(c->inputs[0]));
	pthread_mutex_lock(&fe_lock);
	for (i = 0; i < c->ntuners; i++) {
		if (fe_add_dvb(&c->tuners[i], &fe_tuners[i], rp) < 0) {
			pthread_mutex_unlock(&fe_lock);
			return -1;
		}
		fe_ntuners = i + 1;
	}
	pthread_mutex_unlock(&fe_lock);
	if (rp->no_sockets)
		log_info("input: %zu input(s) below UDP; no kernel sockets",
		    rp->ninputs);
	return 0;
}

/*
 * The stream for ft: the one it is on, if the NIF still lists it (with
 * maybe new parameters); else the NIF's best, as if nothing were tuned.
 */
static int
fe_pick(const struct fe_tuner *ft, const struct nif *nif,
    struct tuner_conf *want, struct tuner_nif_choice *ch, char *why,
    size_t n)
{
	struct tuner_conf any;

	if (ft->have_target &&
	    tuner_nif_pick(&ft->target, nif, want, ch, why, n) == 0)
		return 0;
	any = ft->base;
	any.freq_khz = 0;
	return tuner_nif_pick(&any, nif, want, ch, why, n);
}

/* One following tuner (a copy) and a new NIF; no lock held. */
static void
fe_follow(struct fe_tuner *ft, const struct nif *nif)
{
	struct tuner_nif_choice ch;
	struct tuner_conf want;
	char why[160];

	if (fe_pick(ft, nif, &want, &ch, why, sizeof(why)) < 0) {
		util_strlcpy(ft->nif_why, why, sizeof(ft->nif_why));
		log_warnx_rl("tuner adapter%d/frontend%d: the NIF gives no "
		    "stream to tune: %s", ft->adapter, ft->frontend, why);
		return;
	}
	ft->nif_why[0] = '\0';
	ft->choice = ch;
	ft->have_choice = 1;
	if (ft->have_target && tuner_conf_same_delivery(&want, &ft->target))
		return;
	log_info("tuner adapter%d/frontend%d: NIF: NIP stream of %s, network "
	    "%u, carrier %u, link %u, service %u (%s)", ft->adapter,
	    ft->frontend, ch.provider, ch.network_id, ch.carrier_id,
	    ch.link_id, ch.service_id, ch.link_layer);
	if (!ch.ts)
		log_warnx("tuner adapter%d/frontend%d: that stream is %s: a "
		    "Linux frontend hands over TS only, so expect no datagrams "
		    "unless the driver delivers baseband frames (read them as "
		    "[input] gse)", ft->adapter, ft->frontend, ch.link_layer);
	if (tuner_retarget(ft->t, &want, why, sizeof(why)) < 0) {
		log_warnx("tuner adapter%d/frontend%d: cannot tune the NIF's "
		    "stream: %s", ft->adapter, ft->frontend, why);
		return;
	}
	ft->target = want;
	ft->have_target = 1;
}

void
frontend_nif(const struct nif *nif)
{
	size_t i;

	struct fe_tuner f;

	if (nif == NULL)
		return;
	/* Main writes the table, so it reads it without the lock. */
	for (i = 0; i < fe_ntuners; i++) {
		if (!fe_tuners[i].follow)
			continue;
		f = fe_tuners[i];
		fe_follow(&f, nif);
		/* Only these fields change: rx reads adapter and pid. */
		pthread_mutex_lock(&fe_lock);
		fe_tuners[i].target = f.target;
		fe_tuners[i].have_target = f.have_target;
		fe_tuners[i].choice = f.choice;
		fe_tuners[i].have_choice = f.have_choice;
		memcpy(fe_tuners[i].nif_why, f.nif_why, sizeof(f.nif_why));
		pthread_mutex_unlock(&fe_lock);
	}
}

void
frontend_stop(void)
{
	struct fe_tuner v[CONF_MAX_TUNERS];
	size_t i, n;

	pthread_mutex_lock(&fe_lock);
	n = fe_ntuners;
	memcpy(v, fe_tuners, sizeof(v));
	fe_ntuners = 0;
	pthread_mutex_unlock(&fe_lock);
	for (i = 0; i < n; i++)
		tuner_stop(v[i].t);
}

/* ---- /metrics and /health ---- */

struct fe_buf {
	char	*p;
	size_t	len, off;
};

static void
fb_printf(struct fe_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fb_printf(struct fe_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (b->off + 1 >= b->len)
		return;
	va_start(ap, fmt);
	r = vsnprintf(b->p + b->off, b->len - b->off, fmt, ap);
	va_end(ap);
	if (r > 0)
		b->off += (size_t)r < b->len - b->off ? (size_t)r :
		    b->len - b->off - 1;
}

/* A JSON string: backslash, quote and controls escaped. */
static void
fe_escape(const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; *s != '\0' && o + 7 < len; s++) {
		if (*s == '"' || *s == '\\') {
			out[o++] = '\\';
			out[o++] = *s;
		} else if ((unsigned char)*s < 0x20) {
			o += (size_t)snprintf(out + o, len - o, "\\u%04x",
			    (unsigned char)*s);
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
}

/*
 * A Prometheus label value: backslash, quote and newline escaped as its
 * text format wants (it knows no \u escape); other controls become '?'.
 */
static void
fe_label(const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; *s != '\0' && o + 3 < len; s++) {
		if (*s == '"' || *s == '\\' || *s == '\n') {
			out[o++] = '\\';
			out[o++] = *s == '\n' ? 'n' : *s;
		} else {
			out[o++] = (unsigned char)*s < 0x20 ? '?' : *s;
		}
	}
	out[o] = '\0';
}

static const char *
fe_kind(enum rx_input_kind k)
{
	return k == RX_IN_TS ? "ts" : k == RX_IN_GSE ? "gse" : "pcap";
}

static void
fe_head(struct fe_buf *b, const char *name, const char *type,
    const char *help)
{
	fb_printf(b, "# HELP nipcache_%s %s\n# TYPE nipcache_%s %s\n", name,
	    help, name, type);
}

/* One family with a series per input. */
static void
fe_input_family(struct fe_buf *b, const struct rx_stats *rs, const char *name,
    const char *type, const char *help, int which)
{
	const struct rx_input_stats *s;
	char esc[2 * RX_INPUT_NAME];
	uint64_t v;
	size_t i;

	fe_head(b, name, type, help);
	for (i = 0; i < rs->ninputs; i++) {
		s = &rs->inputs[i];
		v = which == 0 ? s->bytes : which == 1 ? s->datagrams :
		    which == 2 ? s->open : which == 3 ? s->eof : s->opens;
		fe_label(s->name, esc, sizeof(esc));
		fb_printf(b, "nipcache_%s{input=\"%s\",kind=\"%s\"} %llu\n",
		    name, esc, fe_kind(s->kind), (unsigned long long)v);
	}
}

static void
fe_input_metrics(struct fe_buf *b, const struct rx_stats *rs)
{
	int e;

	fe_input_family(b, rs, "input_bytes_total", "counter",
	    "Bytes read from an input below UDP.", 0);
	fe_input_family(b, rs, "input_datagrams_total", "counter",
	    "IP datagrams an input yielded.", 1);
	fe_input_family(b, rs, "input_open", "gauge",
	    "1 while the input's file, socket or device is open.", 2);
	fe_input_family(b, rs, "input_ended", "gauge",
	    "1 once a file or stream input reached its end.", 3);
	fe_input_family(b, rs, "input_opens_total", "counter",
	    "Times the input was opened (devices: reopened).", 4);
	fe_head(b, "input_errors_total", "counter",
	    "Frames, sections, packets or records below IP dropped, by "
	    "reason.");
	for (e = 0; e < DECAP_NERR; e++)
		fb_printf(b, "nipcache_input_errors_total{reason=\"%s\"} %llu\n",
		    decap_err_name(e), (unsigned long long)rs->decap_errors[e]);
	fe_head(b, "input_ip_errors_total", "counter",
	    "Datagrams from inputs refused by the IP/UDP checks, by reason.");
	for (e = 1; e < IPUDP_NERR; e++)
		fb_printf(b, "nipcache_input_ip_errors_total{reason=\"%s\"} "
		    "%llu\n", ipudp_err_name(e),
		    (unsigned long long)rs->ip_errors[e]);
}

/* The started tuners' states, copied under the lock. */
static size_t
fe_snapshots(struct tuner_status_snapshot *ss, struct fe_tuner *ft)
{
	size_t i, n;

	pthread_mutex_lock(&fe_lock);
	n = fe_ntuners;
	for (i = 0; i < n; i++) {
		ft[i] = fe_tuners[i];
		if (tuner_get_status(ft[i].t, &ss[i]) < 0)
			memset(&ss[i], 0, sizeof(ss[i]));
	}
	pthread_mutex_unlock(&fe_lock);
	return n;
}

/* One tuner family: a series per tuner whose reading has the value. */
static void
fe_tuner_family(struct fe_buf *b, const struct tuner_status_snapshot *ss,
    const struct fe_tuner *ft, size_t n, const char *name, const char *type,
    const char *help, int which)
{
	const struct tuner_status *st;
	size_t i;
	double v;
	int have;

	fe_head(b, name, type, help);
	for (i = 0; i < n; i++) {
		st = &ss[i].st;
		switch (which) {
		case 0: have = 1; v = ss[i].state == TUNER_LOCKED; break;
		case 1: have = st->have_signal && st->signal_dbm;
			v = st->signal; break;
		case 2: have = st->have_signal && !st->signal_dbm;
			v = st->signal; break;
		case 3: have = st->have_cnr; v = st->cnr_db; break;
		case 4: have = st->have_ber; v = st->ber; break;
		case 5: have = st->have_ucb; v = (double)st->ucb; break;
		case 6: have = 1; v = (double)ss[i].tunes_total; break;
		case 7: have = 1; v = (double)ss[i].lock_losses_total; break;
		case 8: have = 1; v = (double)ss[i].open_failures_total; break;
		case 9: have = ss[i].freq_khz != 0;
			v = (double)ss[i].freq_khz * 1000.0; break;
		default: have = 1; v = (double)ss[i].retargets_total; break;
		}
		if (have)
			fb_printf(b, "nipcache_%s{adapter=\"%d:%d\"} %.12g\n",
			    name, ft[i].adapter, ft[i].frontend, v);
	}
}

static void
fe_tuner_metrics(struct fe_buf *b)
{
	static const struct {
		const char *name, *type, *help;
	} F[] = {
		{ "tuner_locked", "gauge", "1 while the frontend has lock." },
		{ "tuner_signal_dbm", "gauge", "Signal strength (dBm)." },
		{ "tuner_signal_percent", "gauge",
		    "Signal strength (relative, 0 to 100)." },
		{ "tuner_cnr_db", "gauge", "Carrier to noise ratio (dB)." },
		{ "tuner_ber", "gauge", "Bit error ratio before the outer "
		    "code." },
		{ "tuner_uncorrected_blocks_total", "counter",
		    "Blocks the frontend could not correct." },
		{ "tuner_tunes_total", "counter", "Tuning attempts applied." },
		{ "tuner_lock_losses_total", "counter", "Times lock was lost." },
		{ "tuner_open_failures_total", "counter",
		    "Times the frontend could not be opened." },
		{ "tuner_frequency_hertz", "gauge",
		    "The transponder frequency tuned (RF, before the LNB)." },
		{ "tuner_retargets_total", "counter",
		    "Deliveries the NIF handed to the tuner." },
	};
	struct tuner_status_snapshot ss[CONF_MAX_TUNERS];
	struct fe_tuner ft[CONF_MAX_TUNERS];
	size_t i, n = fe_snapshots(ss, ft);

	if (n == 0)
		return;
	for (i = 0; i < sizeof(F) / sizeof(F[0]); i++)
		fe_tuner_family(b, ss, ft, n, F[i].name, F[i].type, F[i].help,
		    (int)i);
}

size_t
frontend_metrics(char *buf, size_t len)
{
	struct fe_buf b = { buf, len, 0 };
	struct rx_stats rs;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	rx_get_stats(&rs);
	fe_input_metrics(&b, &rs);
	fe_tuner_metrics(&b);
	return b.off;
}

/* Where the tuner is (or waits to be) tuned, and whether the NIF chose it. */
static void
fe_health_target(struct fe_buf *b, const struct tuner_status_snapshot *ss,
    const struct fe_tuner *ft)
{
	char esc[2 * sizeof(ft->nif_why)], ll[2 * sizeof(ft->choice.link_layer)];

	if (ss->freq_khz != 0)
		fb_printf(b, ",\"frequency_khz\":%u,\"polarisation\":\"%c\","
		    "\"symbol_rate\":%u", ss->freq_khz, ss->pol ? ss->pol : '?',
		    ss->symbol_rate);
	fb_printf(b, ",\"follows_nif\":%s", ft->follow ? "true" : "false");
	if (ft->follow && ft->have_choice) {
		fe_escape(ft->choice.provider, esc, sizeof(esc));
		fe_escape(ft->choice.link_layer, ll, sizeof(ll));
		fb_printf(b, ",\"nif_stream\":{\"network\":%u,\"carrier\":%u,"
		    "\"link\":%u,\"service\":%u,\"link_layer\":\"%s\","
		    "\"provider\":\"%s\"}", ft->choice.network_id,
		    ft->choice.carrier_id, ft->choice.link_id,
		    ft->choice.service_id, ll, esc);
	}
	if (ft->follow && ft->nif_why[0] != '\0') {
		fe_escape(ft->nif_why, esc, sizeof(esc));
		fb_printf(b, ",\"nif_error\":\"%s\"", esc);
	}
}

static void
fe_health_tuners(struct fe_buf *b)
{
	struct tuner_status_snapshot ss[CONF_MAX_TUNERS];
	struct fe_tuner ft[CONF_MAX_TUNERS];
	size_t i, n = fe_snapshots(ss, ft);

	fb_printf(b, ",\"tuners\":[");
	for (i = 0; i < n; i++) {
		fb_printf(b, "%s{\"device\":\"%d:%d\",\"state\":\"%s\","
		    "\"lock\":%s,\"if_khz\":%u,\"tunes\":%llu,"
		    "\"lock_losses\":%llu", i ? "," : "", ft[i].adapter,
		    ft[i].frontend, tuner_state_name(ss[i].state),
		    ss[i].state == TUNER_LOCKED ? "true" : "false",
		    ss[i].if_khz, (unsigned long long)ss[i].tunes_total,
		    (unsigned long long)ss[i].lock_losses_total);
		if (ss[i].st.have_signal)
			fb_printf(b, ",\"signal_%s\":%.2f",
			    ss[i].st.signal_dbm ? "dbm" : "percent",
			    ss[i].st.signal);
		if (ss[i].st.have_cnr)
			fb_printf(b, ",\"cnr_db\":%.2f", ss[i].st.cnr_db);
		if (ss[i].st.have_ber)
			fb_printf(b, ",\"ber\":%.3g", ss[i].st.ber);
		fe_health_target(b, &ss[i], &ft[i]);
		fb_printf(b, "}");
	}
	fb_printf(b, "]");
}

size_t
frontend_health(char *buf, size_t len)
{
	struct fe_buf b = { buf, len, 0 };
	char esc[2 * RX_INPUT_NAME];
	struct rx_stats rs;
	size_t i;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	rx_get_stats(&rs);
	fb_printf(&b, ",\"inputs\":[");
	for (i = 0; i < rs.ninputs; i++) {
		fe_escape(rs.inputs[i].name, esc, sizeof(esc));
		fb_printf(&b, "%s{\"name\":\"%s\",\"kind\":\"%s\",\"open\":%s,"
		    "\"ended\":%s,\"bytes\":%llu,\"datagrams\":%llu}",
		    i ? "," : "", esc, fe_kind(rs.inputs[i].kind),
		    rs.inputs[i].open ? "true" : "false",
		    rs.inputs[i].eof ? "true" : "false",
		    (unsigned long long)rs.inputs[i].bytes,
		    (unsigned long long)rs.inputs[i].datagrams);
	}
	fb_printf(&b, "]");
	fe_health_tuners(&b);
	return b.off;
}
