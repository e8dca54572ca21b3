/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tuner_dvbv5.c: the real tuner_ops over libdvbv5 1.22 (frontend) and
 * the demux ioctls of linux/dvb/dmx.h (tuner_demux_open).
 *
 * libdvbv5 gets no LNB (tuner.h explains why), so dvb_fe_set_parms()
 * stores our DTV_FREQUENCY, the IF, unchanged.  Version 1.22 still calls
 * its satellite hook, which logs "Need a LNBf to work" at error level
 * and returns without touching anything; the log callback turns that
 * one line into a debug message.  Voltage, tone and DiSEqC go through
 * libdvbv5's SEC wrappers in the order a committed switch needs, and are
 * skipped when storing properties (libdvbv5's DVB-S2 property table has
 * no DTV_VOLTAGE or DTV_TONE: storing them would fail).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/dvb/dmx.h>
#include <libdvbv5/dvb-fe.h>

#include "log.h"
#include "tuner.h"

#define DVBV5_DEMUX_BUFFER	(4u << 20)
#define DVBV5_DISEQC_WAIT_MS	15

struct dvbv5 {
	struct dvb_v5_fe_parms	*fe;
	char			path[48];
};

static void dvbv5_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* libdvbv5's messages (syslog levels) into our log, one line each. */
static void
dvbv5_log(int level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	buf[strcspn(buf, "\r\n")] = '\0';
	if (level <= LOG_WARNING && strstr(buf, "LNBf") == NULL)
		log_warnx_rl("libdvbv5: %s", buf);
	else if (level <= LOG_INFO && strstr(buf, "LNBf") == NULL)
		log_info("libdvbv5: %s", buf);
	else
		log_debug("libdvbv5: %s", buf);
}

static void
dvbv5_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* 1 if the frontend offers a satellite delivery system. */
static int
dvbv5_is_sat(const struct dvb_v5_fe_parms *fe)
{
	int i;

	for (i = 0; i < fe->num_systems && i < MAX_DELIVERY_SYSTEMS; i++)
		if (fe->systems[i] == SYS_DVBS || fe->systems[i] == SYS_DVBS2)
			return 1;
	return 0;
}

static void *
dvbv5_open(int adapter, int frontend, char *why, size_t n)
{
	struct dvbv5 *d;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		snprintf(why, n, "calloc: %s", strerror(errno));
		return NULL;
	}
	snprintf(d->path, sizeof(d->path), "/dev/dvb/adapter%d/frontend%d",
	    adapter, frontend);
	/* Checked first so that a missing device costs no udev scan. */
	if (access(d->path, R_OK | W_OK) < 0) {
		snprintf(why, n, "%s: %s", d->path, strerror(errno));
		goto out_free;
	}
	d->fe = dvb_fe_open_flags(adapter, frontend, 0, 0, dvbv5_log, O_RDWR);
	if (d->fe == NULL) {
		snprintf(why, n, "%s: libdvbv5 cannot open it", d->path);
		goto out_free;
	}
	if (!dvbv5_is_sat(d->fe)) {
		snprintf(why, n, "%s (%s): not a DVB-S/S2 frontend", d->path,
		    d->fe->info.name);
		goto out_close;
	}
	d->fe->lnb = NULL;
	d->fe->sat_number = -1;
	d->fe->freq_bpf = 0;
	d->fe->diseqc_wait = 0;
	return d;
out_close:
	dvb_fe_close(d->fe);
out_free:
	free(d);
	return NULL;
}

/* Tone off, voltage, DiSEqC with its settling waits, then the tone. */
static int
dvbv5_sec(struct dvbv5 *d, const struct tuner_plan *p, char *why, size_t n)
{
	struct dvb_v5_fe_parms *fe = d->fe;

	if (dvb_fe_sec_tone(fe, SEC_TONE_OFF) != 0 ||
	    dvb_fe_sec_voltage(fe, p->voltage != 0, p->voltage == 18) != 0) {
		snprintf(why, n, "%s: cannot set LNB voltage or tone", d->path);
		return -1;
	}
	if (p->diseqc_len > 0) {
		dvbv5_sleep_ms(DVBV5_DISEQC_WAIT_MS);
		if (dvb_fe_diseqc_cmd(fe, p->diseqc_len, p->diseqc) != 0) {
			snprintf(why, n, "%s: DiSEqC command failed", d->path);
			return -1;
		}
		dvbv5_sleep_ms(DVBV5_DISEQC_WAIT_MS);
	}
	if (dvb_fe_sec_tone(fe, p->tone ? SEC_TONE_ON : SEC_TONE_OFF) != 0) {
		snprintf(why, n, "%s: cannot set the 22 kHz tone", d->path);
		return -1;
	}
	return 0;
}

static int
dvbv5_apply(void *h, const struct tuner_plan *p, char *why, size_t n)
{
	struct dvbv5 *d = h;
	uint32_t sys;
	size_t i;
	int r;

	if (tuner_plan_prop(p, DTV_DELIVERY_SYSTEM, &sys) < 0 ||
	    dvb_set_sys(d->fe, (fe_delivery_system_t)sys) != 0) {
		snprintf(why, n, "%s: cannot select delivery system", d->path);
		return -1;
	}
	if (dvbv5_sec(d, p, why, n) < 0)
		return -1;
	for (i = 0; i < p->nprops; i++) {
		uint32_t cmd = p->props[i].cmd;

		if (cmd == DTV_DELIVERY_SYSTEM || cmd == DTV_VOLTAGE ||
		    cmd == DTV_TONE)
			continue;
		if (dvb_fe_store_parm(d->fe, cmd, p->props[i].value) != 0) {
			snprintf(why, n, "%s: property %u not accepted",
			    d->path, cmd);
			return -1;
		}
	}
	if ((r = dvb_fe_set_parms(d->fe)) != 0) {
		snprintf(why, n, "%s: FE_SET_PROPERTY: %s", d->path,
		    strerror(r < 0 ? -r : r));
		return -1;
	}
	return 0;
}

/* Signal strength: dBm (0.001 dB steps) or relative 0..65535 as %. */
static void
dvbv5_signal(struct dvb_v5_fe_parms *fe, struct tuner_status *st)
{
	struct dtv_stats *s;

	s = dvb_fe_retrieve_stats_layer(fe, DTV_STAT_SIGNAL_STRENGTH, 0);
	if (s != NULL && s->scale == FE_SCALE_DECIBEL) {
		st->have_signal = 1;
		st->signal_dbm = 1;
		st->signal = (double)s->svalue / 1000.0;
	} else if (s != NULL && s->scale == FE_SCALE_RELATIVE) {
		st->have_signal = 1;
		st->signal = (double)s->uvalue * 100.0 / 65535.0;
	}
	s = dvb_fe_retrieve_stats_layer(fe, DTV_STAT_CNR, 0);
	if (s != NULL && s->scale == FE_SCALE_DECIBEL) {
		st->have_cnr = 1;
		st->cnr_db = (double)s->svalue / 1000.0;
	}
}

/*
 * BER only as a real ratio (a DVBv5 counter pair): the DVBv3 value has
 * a driver-specific scale.  The UCB counter likewise only from DVBv5
 * statistics; libdvbv5 1.22 fills it with the SNR on its v3 fallback.
 */
static int
dvbv5_status(void *h, struct tuner_status *st)
{
	struct dvbv5 *d = h;
	struct dtv_stats *s;
	enum fecap_scale_params scale;
	uint32_t status = 0;
	float ber;

	memset(st, 0, sizeof(*st));
	if (dvb_fe_get_stats(d->fe) != 0 ||
	    dvb_fe_retrieve_stats(d->fe, DTV_STATUS, &status) != 0)
		return -1;
	st->lock = (status & FE_HAS_LOCK) != 0;
	dvbv5_signal(d->fe, st);
	ber = dvb_fe_retrieve_ber(d->fe, 0, &scale);
	if (scale == FE_SCALE_COUNTER && ber >= 0) {
		st->have_ber = 1;
		st->ber = ber;
	}
	s = dvb_fe_retrieve_stats_layer(d->fe, DTV_STAT_ERROR_BLOCK_COUNT, 0);
	if (d->fe->has_v5_stats && s != NULL && s->scale == FE_SCALE_COUNTER) {
		st->have_ucb = 1;
		st->ucb = s->uvalue;
	}
	return 0;
}

/* dvb_fe_close also switches the LNB supply off. */
static void
dvbv5_close(void *h)
{
	struct dvbv5 *d = h;

	if (d == NULL)
		return;
	dvb_fe_close(d->fe);
	free(d);
}

static const struct tuner_ops dvbv5_ops = {
	.open = dvbv5_open,
	.apply = dvbv5_apply,
	.status = dvbv5_status,
	.close = dvbv5_close,
};

const struct tuner_ops *
tuner_ops_dvbv5(void)
{
	return &dvbv5_ops;
}

int
tuner_demux_open(int adapter, uint16_t pid)
{
	struct dmx_pes_filter_params f;
	char path[48];
	int fd, e;

	if (pid > 0x2000) {
		errno = EINVAL;
		log_warnx("tuner_demux_open: adapter%d: bad pid %u", adapter,
		    pid);
		return -1;
	}
	snprintf(path, sizeof(path), "/dev/dvb/adapter%d/demux0", adapter);
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		e = errno;
		log_warn_rl("tuner_demux_open: %s", path);
		errno = e;
		return -1;
	}
	/* A smaller buffer still works, only with less slack: not fatal. */
	if (ioctl(fd, DMX_SET_BUFFER_SIZE,
	    (unsigned long)DVBV5_DEMUX_BUFFER) < 0)
		log_warn("tuner_demux_open: %s: DMX_SET_BUFFER_SIZE", path);
	memset(&f, 0, sizeof(f));
	f.pid = pid == 0 ? 0x2000 : pid;
	f.input = DMX_IN_FRONTEND;
	f.output = DMX_OUT_TSDEMUX_TAP;
	f.pes_type = DMX_PES_OTHER;
	f.flags = DMX_IMMEDIATE_START;
	if (ioctl(fd, DMX_SET_PES_FILTER, &f) < 0) {
		e = errno;
		log_warn_rl("tuner_demux_open: %s: DMX_SET_PES_FILTER pid %u",
		    path, f.pid);
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}
