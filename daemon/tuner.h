/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tuner.h: the satellite tuner of nipcached (protocols.md 6.4,
 * packaging.md section 6).
 *
 * Three layers, so that all but the last can be tested on a machine
 * without /dev/dvb:
 *
 *  - tuner_conf.c and tuner_plan.c (pure): the [tuner] configuration,
 *    its conversion from a NIF's DVBS2(X)_NIPDeliveryParameters, and
 *    tuner_plan_make(), which turns a configuration into exactly what
 *    goes to the hardware: the intermediate frequency, band, tone,
 *    voltage, DiSEqC bytes and the list of DTV_* properties.
 *  - tuner.c: one thread per tuner, a small state machine (open, apply,
 *    poll the lock, retune with exponential back-off, reopen a vanished
 *    device) driving the hardware only through struct tuner_ops.  The
 *    unit tests plug a scripted fake into that seam.
 *  - tuner_dvbv5.c: the real tuner_ops over libdvbv5 (frontend) and the
 *    plain demux ioctls (tuner_demux_open).
 *
 * We do the LNB arithmetic ourselves and hand libdvbv5 no LNB
 * (parms->lnb = NULL, sat_number = -1): libdvbv5 then stores our
 * DTV_FREQUENCY unchanged, so the intermediate frequency, the band, the
 * 22 kHz tone, the LNB voltage and the DiSEqC committed-switch byte are
 * all decided in pure code that the tests check value for value, C band
 * (inverted spectrum) and custom LNBs included, instead of inside the
 * library where nothing can be asserted without hardware.
 */
#ifndef NIPCACHE_TUNER_H
#define NIPCACHE_TUNER_H

#include <stddef.h>
#include <stdint.h>

struct nif;
struct nif_delivery;

#define TUNER_PILOT_AUTO	0
#define TUNER_PILOT_ON		1
#define TUNER_PILOT_OFF		2

/* The values the kernel expects in bits 26-27 of DTV_STREAM_ID. */
#define TUNER_PLS_ROOT		0
#define TUNER_PLS_GOLD		1
#define TUNER_PLS_CODE_MAX	262143u		/* 18 bits */

/* Our defaults; tests shrink the timing fields to milliseconds. */
#define TUNER_LOCK_TIMEOUT_MS	10000
#define TUNER_POLL_MS		250
#define TUNER_LOST_MS		2000
#define TUNER_BACKOFF_MIN_MS	1000
#define TUNER_BACKOFF_MAX_MS	30000

/* The usable intermediate frequency range of an L-band tuner, in kHz. */
#define TUNER_IF_MIN_KHZ	950000u
#define TUNER_IF_MAX_KHZ	2150000u

/*
 * Strings hold canonical spellings ("" = auto): modulation "QPSK",
 * "8PSK", "16APSK", "32APSK"; fec "1/2" .. "9/10"; rolloff "0.35" ..
 * "0.05"; lnb "UNIVERSAL", "DBS", "STANDARD", "C-BAND" or "" (custom).
 * lof_low_khz alone is a single-LO LNB (high and switch 0); a LO above
 * the signal (C band) gives IF = LO - f.
 */
struct tuner_conf {
	int		adapter;	/* [input] dvb = A[:F] */
	int		frontend;
	char		delsys[8];	/* "DVBS2" (default) or "DVBS" */
	uint32_t	freq_khz;	/* transponder (RF); 0 unset */
	char		pol;		/* 'H' 'V' 'L' 'R'; 0 unset */
	uint32_t	symbol_rate;	/* symbols/s; 0 unset */
	char		modulation[8];
	char		fec[8];
	char		rolloff[8];
	int		pilot;		/* TUNER_PILOT_* */
	int		stream_id;	/* ISI 0..255, -1 none */
	int		pls_mode;	/* TUNER_PLS_ROOT or _GOLD */
	uint32_t	pls_code;	/* root 0: the default sequence */
	char		lnb[12];
	uint32_t	lof_low_khz;
	uint32_t	lof_high_khz;
	uint32_t	lof_switch_khz;
	int		diseqc_port;	/* -1 none, 0..3 */
	uint32_t	lock_timeout_ms;
	uint16_t	mpe_pid;	/* 0: find it from PAT/PMT */
	uint16_t	service_id;	/* 0: any */
	int		nif_carrier;	/* NIPCarrierID to receive, -1 auto */
	int		follow_nif;	/* 1 yes, 0 no, -1 auto: iff no frequency */
	/* State machine timing: not config keys; 0 takes the default. */
	uint32_t	poll_ms;	/* status poll interval */
	uint32_t	lost_ms;	/* no lock this long after one: lost */
	uint32_t	backoff_min_ms;	/* first retry delay, doubled */
	uint32_t	backoff_max_ms;
};

/* Defaults: adapter 0:0, DVBS2, universal LNB, no DiSEqC, 10 s timeout. */
void	tuner_conf_default(struct tuner_conf *c);

/*
 * One [tuner] key (frequency, polarisation, symbol_rate, modulation, fec,
 * rolloff, pilot, stream_id, pls_mode, pls_code, lnb, diseqc,
 * lock_timeout, pid, service_id, delivery_system, nif_carrier,
 * follow_nif).  0, or -1 with why
 * naming the key and the bad value; c is unchanged on error.
 */
int	tuner_conf_set(struct tuner_conf *c, const char *key,
	    const char *val, char *why, size_t n);
/* "[input] dvb = ADAPTER[:FRONTEND]" into c->adapter, c->frontend. 0/-1. */
int	tuner_parse_device(const char *s, struct tuner_conf *c, char *why,
	    size_t n);
/*
 * The delivery fields (frequency, polarisation, symbol rate, modulation,
 * FEC, roll-off, ISI; pilot and PLS back to their defaults) from a NIF's
 * DVBS2(X)_NIPDeliveryParameters; adapter, LNB, DiSEqC and timing stay.
 * -1 and c unchanged when d is absent or a value is unusable.
 */
int	tuner_conf_from_nif(struct tuner_conf *c,
	    const struct nif_delivery *d);
/* Whether c takes its delivery from the NIF (follow_nif resolved). */
int	tuner_conf_follows_nif(const struct tuner_conf *c);
/*
 * The delivery fields (those tuner_conf_same_delivery compares) of src
 * into dst; dst's device, LNB, DiSEqC, PIDs and timing stay.
 */
void	tuner_conf_set_delivery(struct tuner_conf *dst,
	    const struct tuner_conf *src);
/* 1 if a and b tune the same: frequency to stream id, delivery system. */
int	tuner_conf_same_delivery(const struct tuner_conf *a,
	    const struct tuner_conf *b);

/* The NIP stream tuner_nif_pick chose, for the log and /health. */
struct tuner_nif_choice {
	uint32_t	network_id;
	uint32_t	carrier_id;
	uint32_t	link_id;
	uint32_t	service_id;
	char		link_layer[16];	/* "TS", "GSE-Lite", "GSE" */
	char		provider[64];
	uint8_t		ts;		/* 1: TS (MPE/ULE), what a frontend gives */
};

/*
 * Pure (tuner_nif.c): the NIP stream of nif that a tuner configured as
 * base should receive, and base with that stream's delivery in out.
 * Streams without DVB-S2(X) delivery parameters, or whose plan does not
 * fit base's LNB (IF outside 950..2150 MHz), are never chosen.  The
 * choice: base->nif_carrier if set; else, when base has a frequency, the
 * stream on that frequency and polarisation (its parameters may have
 * changed); else the best by TS link layer (what a Linux frontend
 * delivers), an active bootstrap stream, the actual network, document
 * order.  0, or -1 with why.
 */
int	tuner_nif_pick(const struct tuner_conf *base, const struct nif *nif,
	    struct tuner_conf *out, struct tuner_nif_choice *ch, char *why,
	    size_t n);

#define TUNER_PROPS_MAX		16

struct tuner_prop {
	uint32_t	cmd;		/* DTV_* of linux/dvb/frontend.h */
	uint32_t	value;
};

/*
 * What one tune does.  The SEC fields are applied first (tone off,
 * voltage, DiSEqC, tone), then props are stored and set.  props repeats
 * voltage and tone as DTV_VOLTAGE/DTV_TONE values for completeness; the
 * libdvbv5 backend applies them through its SEC calls instead.
 */
struct tuner_plan {
	uint32_t	if_khz;		/* = the DTV_FREQUENCY value */
	uint32_t	lo_khz;		/* the local oscillator used */
	uint8_t		band;		/* 0 low, 1 high */
	uint8_t		tone;		/* 22 kHz: 1 on */
	uint8_t		voltage;	/* 13 or 18; 0 off */
	uint8_t		diseqc_len;	/* 0 or 4 */
	uint8_t		diseqc[6];	/* E0 10 38 F0|p<<2|H<<1|hi */
	size_t		nprops;
	struct tuner_prop props[TUNER_PROPS_MAX];
};

/*
 * Pure: the plan for c.  -1 with why when the IF falls outside
 * 950..2150 MHz, a value is unknown or unset, or the combination is not
 * valid for the delivery system.
 */
int	tuner_plan_make(const struct tuner_conf *c, struct tuner_plan *p,
	    char *why, size_t n);
/* The value of property cmd in p: 0, or -1 if p does not set it. */
int	tuner_plan_prop(const struct tuner_plan *p, uint32_t cmd,
	    uint32_t *value);

/* One reading of the frontend; each value is valid only if its have_ is. */
struct tuner_status {
	uint8_t		lock;
	uint8_t		have_signal;
	uint8_t		signal_dbm;	/* 1: in dBm, 0: relative % */
	uint8_t		have_cnr;
	uint8_t		have_ber;
	uint8_t		have_ucb;
	double		signal;
	double		cnr_db;
	double		ber;		/* bit error ratio */
	uint64_t	ucb;		/* uncorrected blocks (counter) */
};

/*
 * The hardware seam.  open returns a handle or NULL with why (never
 * fatal: the caller retries); apply and status return 0 or -1 (apply
 * with why).  Each handle is used by one thread only; close takes any
 * handle open returned.
 */
struct tuner_ops {
	void	*(*open)(int adapter, int frontend, char *why, size_t n);
	int	(*apply)(void *h, const struct tuner_plan *p, char *why,
		    size_t n);
	int	(*status)(void *h, struct tuner_status *st);
	void	(*close)(void *h);
};

/* The real backend (libdvbv5), tuner_dvbv5.c. */
const struct tuner_ops *tuner_ops_dvbv5(void);

/*
 * Opens /dev/dvb/adapterN/demux0 non-blocking with a 4 MiB buffer and a
 * started TS-tap filter on pid (0 or 0x2000: the whole TS); TS packets
 * are read from the returned fd, which the caller closes.  -1 with errno
 * (and a log line naming the device) on failure.
 */
int	tuner_demux_open(int adapter, uint16_t pid);

enum tuner_state {
	TUNER_OPENING,		/* not yet tried */
	TUNER_TUNING,		/* applied, waiting for lock */
	TUNER_LOCKED,
	TUNER_LOST,		/* lock lost, retune pending */
	TUNER_NO_DEVICE,	/* open failed, retry pending */
	TUNER_WAITING		/* no delivery yet: waits for a NIF */
};

struct tuner_status_snapshot {
	enum tuner_state state;
	struct tuner_status st;		/* the latest reading */
	uint64_t	tunes_total;	/* successful applies */
	uint64_t	lock_losses_total;
	uint64_t	open_failures_total;
	uint32_t	backoff_ms;	/* what the next failure waits */
	uint32_t	if_khz;
	uint32_t	freq_khz;	/* the transponder tuned, 0 none yet */
	char		pol;
	uint32_t	symbol_rate;
	uint64_t	retargets_total;	/* deliveries handed over */
	uint64_t	last_change_ms;	/* util_now_ms() of a change */
	int64_t		last_change_unix;
};

/* "opening", "tuning", "locked", "lost", "no_device", "waiting". */
const char *tuner_state_name(enum tuner_state s);

struct tuner;

/*
 * Starts the thread of one tuner; any number may run, one per
 * adapter:frontend.  c is copied, ops must outlive the tuner.  A c
 * without a frequency starts TUNER_WAITING for tuner_retarget.  NULL,
 * with a log line, if c has an invalid plan or the thread cannot start;
 * hardware failures later are never fatal, only retried.  The returned
 * handle is the tuner's id: pass it to tuner_get_status (any thread) and
 * finally once to tuner_stop.
 */
struct tuner *tuner_start(const struct tuner_conf *c,
	    const struct tuner_ops *ops);
/*
 * Hands the tuner a new delivery (frequency to stream id; c's adapter,
 * LNB and timing fields are ignored): the thread retunes at once, on the
 * handle it has open, with its back-off reset.  Any thread.  0, or -1
 * with why when c gives no valid plan with the tuner's LNB (nothing
 * changes then).
 */
int	tuner_retarget(struct tuner *t, const struct tuner_conf *c, char *why,
	    size_t n);
/* Stops and joins the thread (well under a second), closes, frees. */
void	tuner_stop(struct tuner *t);
/* Thread safe copy of the current state.  0, or -1 if t is NULL. */
int	tuner_get_status(struct tuner *t, struct tuner_status_snapshot *out);

#endif
