/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fleetsim.c: how many unicast repair requests a fleet of nipcached boxes
 * sends to the CDN when a rain fade hits part of the region, and whether
 * the repaired segments arrive before the players need them.  It runs the
 * daemon's own code for what a box does: fec_partition (carousel/fec.c),
 * ranges_missing and ranges_total (carousel/ranges.c) for the bytes asked
 * for, and repair_backoff_ms / repair_rand (daemon/repair_url.c) for the
 * back-off.  tools/fleet-repair.md describes the model and the results.
 *
 * Model.
 * - N boxes receive one live HLS rendition: segment i (duration D, S
 *   bytes) is available at i*D and multicast once during [i*D, (i+1)*D),
 *   one symbol of E bytes per packet (blocks of at most B symbols),
 *   packets evenly paced, the last one with Close Object.
 * - Loss.  A rain fade covers a share of the boxes (boxes 0 .. share*N-1)
 *   from fade_start for F seconds.  Every faded box loses the same packets:
 *   one shared pattern, total loss by default, or with --fade-loss q < 1 a
 *   two-state burst pattern losing q of the packets in bursts of
 *   --fade-burst packets on average.  On top of that every box loses each
 *   packet independently with probability p (its own draws).
 * - Trigger.  A box that received the last packet of a segment triggers
 *   repair at the segment's end (Close Object); one that lost it triggers
 *   a reception timeout after the last packet it got; one that got no
 *   packet of the segment learns of it when reception resumes (the first
 *   packet after the segment not lost to the fade) and triggers then.
 *   --urgent-whole instead models a player asking for such a segment: a
 *   uniform delay within D (playlist reload phase) and no back-off.
 * - Request.  After repair_backoff_ms(fixed, random) the box asks for
 *   ranges_missing() of its bitmap (ranges closer than 128 bytes merged,
 *   at most 64 ranges, as reasm), or for the whole object when those
 *   ranges cover more than half of it (as repair_job.c); plus 400 bytes of
 *   HTTP headers and 100 bytes per multipart part.
 * - CDN.  One FIFO server: a request takes max(1/C, bytes/W) seconds, so
 *   the CDN does at most C requests/s and W bytes/s; requests reach it
 *   RTT/2 after they are sent, and the answer is complete RTT/2 after the
 *   server is done with it, and no sooner than RTT + bytes / box access
 *   bandwidth after the request (the box's own link).  Arrivals are
 *   accounted per 1 ms (queue) and per 100 ms (the rates reported).
 * - Deadline.  Segment i must be complete by i*D + T*D (T target durations
 *   behind the origin's live edge, default 3), which leaves (T - 1)*D
 *   after the multicast ends for trigger, back-off and fetch.
 *
 * Memory is O(N) bytes (one flag byte per box) plus the shared patterns
 * and the time buckets: every box's losses and draws come from its own
 * generator seeded from (seed, box, segment), so the second pass (queue
 * completion times, deadlines) replays the first exactly instead of
 * storing requests.  Deterministic for a given --seed.
 */
#include <getopt.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../carousel/fec.h"
#include "../carousel/ranges.h"
#include "../daemon/repair.h"

#define MAX_RANGES	RANGES_MAX_PER_REQ	/* as reasm */
#define WHOLE_PCT	50	/* repair: more missing than this: whole GET */
#define HDR_BYTES	400	/* request and response headers */
#define PART_BYTES	100	/* multipart/byteranges part headers */
#define HIST_MS		10	/* finish-time histogram bin */
#define HIST_BINS	60000	/* 600 s */
#define MAX_BOXES	100000000ULL

struct params {
	uint64_t	nbox;
	double		seg_s;		/* D */
	double		bitrate;	/* bit/s: S = bitrate * D / 8 */
	uint32_t	sym, block;	/* E, B */
	uint32_t	nseg;		/* 0: enough to cover the fade */
	double		p;		/* independent loss per packet */
	double		fade_start, fade_len, fade_share, fade_loss;
	double		fade_burst;	/* mean burst, packets (q < 1) */
	uint32_t	rto_ms, fixed_ms, random_ms;
	double		cdn_rps, cdn_bw, rtt_ms, box_bw;	/* bw: bit/s */
	double		deadline_td;
	int		urgent_whole;
	int		series;
	uint64_t	seed;
};

/* What one box asks for one segment. */
struct req {
	int64_t		trig_us;	/* trigger time */
	int64_t		send_us;	/* after the back-off */
	uint64_t	bytes;		/* on the wire, headers included */
	int		whole;		/* nothing received */
};

/* The part every faded box shares, per segment. */
struct segshare {
	uint8_t		*bits;		/* received symbols, 1 = received */
	int64_t		resume_us;	/* first packet after it, not faded */
	int		lossy;		/* the fade costs this segment bytes */
	struct req	req;		/* a faded box without its own losses */
};

struct sim {
	struct params	p;
	struct fec_part	part;
	uint64_t	seg_bytes, nfade, ones_len;
	int64_t		d_us;
	double		lq;		/* log(1 - p) */
	struct segshare	*seg;
	uint8_t		*ones;		/* every symbol received */
	/* Per 1 ms arrival bucket. */
	size_t		nbkt;
	uint32_t	*cnt;
	uint64_t	*work_ns, *cum_ns, *bytes;
	int64_t		*start_ns;
	uint8_t		*boxflag;	/* 1 repaired, 2 late */
	uint32_t	*hist;		/* finish - tx end, HIST_MS bins */
};

struct result {
	uint64_t	requests, bytes, repaired_boxes, ok_boxes;
	uint64_t	ontime, fade_req, fade_ontime;
	uint64_t	feasible, feasible_ontime;	/* see own_us() */
	double		peak_rps, p50_rps, p90_rps, p99_rps, peak_mbps;
	double		active_s, max_wait_ms, p50_fin_ms, p99_fin_ms;
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: fleetsim [options]\n"
"  --boxes N          fleet size (1000)\n"
"  --seg-dur S        segment duration D, seconds (2)\n"
"  --bitrate R        stream bit/s, k/M/G suffix (4M): S = R*D/8\n"
"  --symbol E         symbol bytes (1428)     --block B  (64)\n"
"  --segments N       segments sent (default: until the fade is over + 2)\n"
"  --loss P           independent packet loss per box (1e-5)\n"
"  --fade-start S     (5)   --fade-len F (10)   --fade-share X (0.3)\n"
"  --fade-loss Q      packet loss inside the fade (1 = outage)\n"
"  --fade-burst K     mean burst length in packets when Q < 1 (20)\n"
"  --timeout MS       transportObjectReceptionTimeout (1000)\n"
"  --fixed MS         fixedBackOffPeriod (0)\n"
"  --random MS        randomBackOffPeriod (1000)\n"
"  --sweep LIST       one table row per item: RANDOM or FIXED/RANDOM (ms),\n"
"                     separated by commas\n"
"  --cdn-rps C        CDN requests/s (20000)   --cdn-bw W bit/s (40G)\n"
"  --rtt MS           round trip to the CDN (40)\n"
"  --box-bw R         a box's access bit/s (20M)\n"
"  --deadline T       segment due T*D after its availability (3)\n"
"  --urgent-whole     a segment received not at all: player request,\n"
"                     no back-off, after U(0, D)\n"
"  --series           print the 100 ms series (t, req/s, Mbit/s)\n"
"  --seed N           (1)\n");
}

/* ---- random draws ---- */

static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* A generator of its own for (box, segment): the passes replay it. */
static uint64_t
box_rng(const struct sim *s, uint64_t box, uint32_t seg)
{
	uint64_t r = mix64(s->p.seed ^ mix64(box * 0x100000001b3ULL + seg));

	return r != 0 ? r : 1;
}

static double
unif(uint64_t *rng)
{
	return (double)(repair_rand(rng) >> 11) * 0x1p-53;
}

/* Packets received before the next independent loss. */
static uint64_t
geo_skip(const struct sim *s, uint64_t *rng)
{
	double g;

	if (s->p.p <= 0)
		return UINT64_MAX;
	g = log1p(-unif(rng)) / s->lq;
	return g >= 1e18 ? UINT64_MAX : (uint64_t)g;
}

/* ---- the broadcast ---- */

/* When packet k of segment i has arrived (the end of its slot). */
static int64_t
pkt_us(const struct sim *s, uint32_t i, uint64_t k)
{
	return (int64_t)i * s->d_us +
	    (int64_t)((double)(k + 1) * (double)s->d_us / (double)s->part.t);
}

static int
in_fade(const struct sim *s, int64_t t)
{
	double a = s->p.fade_start * 1e6, b = a + s->p.fade_len * 1e6;

	return (double)t >= a && (double)t < b;
}

static void
bit_clear(uint8_t *bits, uint64_t k)
{
	bits[k >> 3] &= (uint8_t)~(1u << (k & 7));
}

static int
bit_get(const uint8_t *bits, uint64_t k)
{
	return (bits[k >> 3] >> (k & 7)) & 1;
}

/* The highest received symbol below t, or -1. */
static int64_t
last_set(const uint8_t *bits, uint64_t t)
{
	uint64_t k = t;

	while (k > 0) {
		if ((k & 7) == 0 && bits[(k >> 3) - 1] == 0) {
			k -= 8;
			continue;
		}
		k--;
		if (bit_get(bits, k))
			return (int64_t)k;
	}
	return -1;
}

/*
 * The shared fade pattern: total loss, or a two-state chain losing
 * fade_loss of the packets in bursts of fade_burst on average.
 */
static void
fade_pattern(struct sim *s)
{
	double q = s->p.fade_loss, pbg = 1.0 / s->p.fade_burst, pgb;
	uint64_t rng = mix64(s->p.seed ^ 0xfadeULL), k;
	int bad;
	uint32_t i;

	pgb = q >= 1 ? 1 : pbg * q / (1 - q);
	bad = unif(&rng) < q;
	for (i = 0; i < s->p.nseg; i++) {
		memcpy(s->seg[i].bits, s->ones, s->ones_len);
		for (k = 0; k < s->part.t; k++) {
			if (!in_fade(s, pkt_us(s, i, k)))
				continue;
			if (q >= 1 || bad)
				bit_clear(s->seg[i].bits, k);
			bad = bad ? unif(&rng) >= pbg : unif(&rng) < pgb;
		}
	}
}

/*
 * For each segment, the first packet after it that the fade spared.
 * After the last segment simulated, reception resumes when the fade ends.
 */
static void
fade_resume(struct sim *s)
{
	int64_t next = pkt_us(s, s->p.nseg, 0), fe;
	uint32_t i;
	uint64_t k;

	fe = (int64_t)((s->p.fade_start + s->p.fade_len) * 1e6);
	if (in_fade(s, next))
		next = fe;
	for (i = s->p.nseg; i-- > 0;) {
		s->seg[i].resume_us = next;
		for (k = s->part.t; k-- > 0;)
			if (bit_get(s->seg[i].bits, k))
				next = pkt_us(s, i, k);
	}
}

/* ---- one box, one segment ---- */

/*
 * What a box with this bitmap asks for segment i, without the back-off:
 * 0 if it misses nothing.  resume is when it hears of a segment it got
 * nothing of.
 */
static int
bits_request(const struct sim *s, uint32_t i, const uint8_t *bits,
    int64_t resume, struct req *r)
{
	struct obj_range rg[MAX_RANGES];
	uint64_t lost;
	int64_t last;
	size_t n;

	n = ranges_missing(&s->part, bits, RANGES_MERGE_GAP, rg,
	    MAX_RANGES, &lost);
	if (n == 0)
		return 0;
	last = last_set(bits, s->part.t);
	r->whole = last < 0;
	if (last < 0)
		r->trig_us = resume;
	else if ((uint64_t)last + 1 == s->part.t)
		r->trig_us = pkt_us(s, i, s->part.t - 1);
	else
		r->trig_us = pkt_us(s, i, (uint64_t)last) +
		    (int64_t)s->p.rto_ms * 1000;
	/* As repair_job.c: the merged ranges decide, not the lost bytes. */
	(void)lost;
	if (last < 0 || ranges_total(rg, n) * 100 > s->seg_bytes * WHOLE_PCT)
		r->bytes = s->seg_bytes + HDR_BYTES;
	else
		r->bytes = ranges_total(rg, n) + HDR_BYTES +
		    (n > 1 ? n * PART_BYTES : 0);
	return 1;
}

/* The back-off, as the daemon draws it (or a player's request). */
static void
req_send(const struct sim *s, struct req *r, uint64_t *rng)
{
	if (r->whole && s->p.urgent_whole)
		r->send_us = r->trig_us +
		    (int64_t)(unif(rng) * (double)s->d_us);
	else
		r->send_us = r->trig_us + (int64_t)repair_backoff_ms(
		    s->p.fixed_ms, s->p.random_ms, rng) * 1000;
}

/* Box box, segment i: 1 and *r if it sends a repair request. */
static int
box_request(const struct sim *s, uint64_t box, uint32_t i, uint8_t *work,
    struct req *r)
{
	uint64_t rng = box_rng(s, box, i), k, t = s->part.t;
	const struct segshare *sh = &s->seg[i];
	int fade = box < s->nfade;

	k = geo_skip(s, &rng);
	if (k >= t) {
		if (!fade || !sh->lossy)
			return 0;
		*r = sh->req;
	} else {
		memcpy(work, fade ? sh->bits : s->ones, s->ones_len);
		for (; k < t; k += 1 + geo_skip(s, &rng))
			bit_clear(work, k);
		if (!bits_request(s, i, work, fade ? sh->resume_us :
		    pkt_us(s, i, t - 1), r))
			return 0;
	}
	req_send(s, r, &rng);
	return 1;
}

/* ---- the CDN ---- */

static uint64_t
service_ns(const struct sim *s, uint64_t bytes)
{
	double a = 1e9 / s->p.cdn_rps, b = (double)bytes * 8e9 / s->p.cdn_bw;

	return (uint64_t)(a > b ? a : b);
}

static int64_t
arrival_us(const struct sim *s, const struct req *r)
{
	return r->send_us + (int64_t)(s->p.rtt_ms * 500);
}

/* Bucket of an arrival; grows the arrays.  -1 when out of memory. */
static int64_t
bucket(struct sim *s, int64_t at_us)
{
	size_t b = at_us > 0 ? (size_t)(at_us / 1000) : 0, n;

	if (b < s->nbkt)
		return (int64_t)b;
	n = b + 1 > 2 * s->nbkt ? b + 1 + 4096 : 2 * s->nbkt;
	if ((s->cnt = realloc(s->cnt, n * sizeof(*s->cnt))) == NULL ||
	    (s->bytes = realloc(s->bytes, n * 8)) == NULL ||
	    (s->work_ns = realloc(s->work_ns, n * 8)) == NULL ||
	    (s->cum_ns = realloc(s->cum_ns, n * 8)) == NULL ||
	    (s->start_ns = realloc(s->start_ns, n * 8)) == NULL)
		return -1;
	memset(s->cnt + s->nbkt, 0, (n - s->nbkt) * sizeof(*s->cnt));
	memset(s->bytes + s->nbkt, 0, (n - s->nbkt) * 8);
	memset(s->work_ns + s->nbkt, 0, (n - s->nbkt) * 8);
	memset(s->cum_ns + s->nbkt, 0, (n - s->nbkt) * 8);
	memset(s->start_ns + s->nbkt, 0, (n - s->nbkt) * 8);
	s->nbkt = n;
	return (int64_t)b;
}

/* Pass 1: every request into its arrival bucket. */
static int
pass_arrivals(struct sim *s, uint8_t *work, struct result *res)
{
	struct req r;
	uint64_t box;
	int64_t b;
	uint32_t i;

	for (i = 0; i < s->p.nseg; i++)
		for (box = 0; box < s->p.nbox; box++) {
			if (!box_request(s, box, i, work, &r))
				continue;
			if ((b = bucket(s, arrival_us(s, &r))) < 0)
				return -1;
			s->cnt[b]++;
			s->bytes[b] += r.bytes;
			s->work_ns[b] += service_ns(s, r.bytes);
			res->requests++;
			res->bytes += r.bytes;
		}
	return 0;
}

/* FIFO: when the server starts on each bucket's work. */
static void
queue_run(struct sim *s)
{
	int64_t done = 0, t;
	size_t b;

	for (b = 0; b < s->nbkt; b++) {
		t = (int64_t)b * 1000000;
		s->start_ns[b] = done > t ? done : t;
		done = s->start_ns[b] + (int64_t)s->work_ns[b];
	}
}

/*
 * The earliest a box can have its answer: its own link, an idle CDN.
 * Added to the trigger time, it tells whether a repair could have been on
 * time at all (no back-off, no queue): the fade may outlast a deadline.
 */
static int64_t
own_us(const struct sim *s, const struct req *r)
{
	return (int64_t)(s->p.rtt_ms * 1000) +
	    (int64_t)((double)r->bytes * 8e6 / s->p.box_bw);
}

/* When the box has its answer (pass 2, same order as pass 1). */
static int64_t
finish_us(struct sim *s, const struct req *r, double *wait_ms)
{
	int64_t at = arrival_us(s, r), b = at / 1000, start, done, own;

	uint64_t svc = service_ns(s, r->bytes);

	start = s->start_ns[b] + (int64_t)s->cum_ns[b];
	if (start < at * 1000)
		start = at * 1000;
	s->cum_ns[b] += svc;
	done = (start + (int64_t)svc) / 1000;
	if ((double)(done - at) / 1e3 > *wait_ms)
		*wait_ms = (double)(done - at) / 1e3;
	done += (int64_t)(s->p.rtt_ms * 500);
	own = r->send_us + own_us(s, r);
	return done > own ? done : own;
}

/* Pass 2: completion times against the deadlines. */
static void
pass_finish(struct sim *s, uint8_t *work, struct result *res)
{
	int64_t due, end, fin;
	struct req r;
	uint64_t box, h;
	uint32_t i;

	for (i = 0; i < s->p.nseg; i++) {
		end = (int64_t)(i + 1) * s->d_us;
		due = (int64_t)((double)i * (double)s->d_us +
		    s->p.deadline_td * (double)s->d_us);
		for (box = 0; box < s->p.nbox; box++) {
			if (!box_request(s, box, i, work, &r))
				continue;
			fin = finish_us(s, &r, &res->max_wait_ms);
			h = fin > end ? (uint64_t)(fin - end) / 1000 / HIST_MS :
			    0;
			s->hist[h < HIST_BINS ? h : HIST_BINS - 1]++;
			s->boxflag[box] |= 1 | (fin > due ? 2 : 0);
			res->ontime += fin <= due;
			res->fade_req += box < s->nfade;
			res->fade_ontime += box < s->nfade && fin <= due;
			if (r.trig_us + own_us(s, &r) <= due) {
				res->feasible++;
				res->feasible_ontime += fin <= due;
			}
		}
	}
}

/* ---- results ---- */

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* "series T REQ/S MBIT/S" for the 100 ms bucket k. */
static void
series_line(const struct sim *s, size_t k, uint64_t n)
{
	uint64_t bytes = 0;
	size_t b;

	for (b = k * 100; b < (k + 1) * 100 && b < s->nbkt; b++)
		bytes += s->bytes[b];
	printf("series %.1f %llu %.1f\n", (double)k / 10,
	    (unsigned long long)n * 10, (double)bytes * 80 / 1e6);
}

/* Requests/s and Mbit/s per 100 ms over the active window. */
static int
rates(const struct sim *s, struct result *res)
{
	size_t first = s->nbkt, last = 0, b, n, i;
	uint64_t *v;

	for (b = 0; b < s->nbkt; b++)
		if (s->cnt[b] != 0) {
			first = first < b ? first : b;
			last = b;
		}
	if (first > last)
		return 0;
	first /= 100;
	n = last / 100 - first + 1;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return -1;
	for (b = first * 100; b <= last; b++)
		v[b / 100 - first] += s->cnt[b];
	if (s->p.series)
		for (i = 0; i < n; i++)
			series_line(s, first + i, v[i]);
	qsort(v, n, sizeof(*v), cmp_u64);
	res->active_s = (double)n / 10;
	res->peak_rps = (double)v[n - 1] * 10;
	res->p50_rps = (double)v[n / 2] * 10;
	res->p90_rps = (double)v[n * 9 / 10] * 10;
	res->p99_rps = (double)v[n * 99 / 100] * 10;
	free(v);
	return 0;
}

/* Peak offered bandwidth per 100 ms (requested bytes by arrival). */
static void
peak_bw(const struct sim *s, struct result *res)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < s->nbkt; i++) {
		sum += (double)s->bytes[i];
		if (i % 100 == 99 || i + 1 == s->nbkt) {
			if (sum * 8 / 0.1 / 1e6 > res->peak_mbps)
				res->peak_mbps = sum * 8 / 0.1 / 1e6;
			sum = 0;
		}
	}
}

static void
finish_stats(const struct sim *s, struct result *res)
{
	uint64_t n = 0, seen = 0, b;

	for (b = 0; b < HIST_BINS; b++)
		n += s->hist[b];
	res->p50_fin_ms = res->p99_fin_ms = 0;
	for (b = 0; b < HIST_BINS && n > 0; b++) {
		seen += s->hist[b];
		if (res->p50_fin_ms == 0 && seen * 2 >= n)
			res->p50_fin_ms = (double)(b + 1) * HIST_MS;
		if (seen * 100 >= n * 99) {
			res->p99_fin_ms = (double)(b + 1) * HIST_MS;
			break;
		}
	}
	for (b = 0; b < s->p.nbox; b++) {
		res->repaired_boxes += (s->boxflag[b] & 1) != 0;
		res->ok_boxes += s->boxflag[b] == 1;
	}
}

/* ---- set-up ---- */

static void
sim_free(struct sim *s)
{
	uint32_t i;

	for (i = 0; s->seg != NULL && i < s->p.nseg; i++)
		free(s->seg[i].bits);
	free(s->seg);
	free(s->ones);
	free(s->cnt);
	free(s->bytes);
	free(s->work_ns);
	free(s->cum_ns);
	free(s->start_ns);
	free(s->boxflag);
	free(s->hist);
	memset(s, 0, sizeof(*s));
}

/* Partition, fade pattern and the faded boxes' shared request. */
static int
sim_init(struct sim *s, const struct params *p)
{
	uint32_t i;

	memset(s, 0, sizeof(*s));
	s->p = *p;
	s->d_us = (int64_t)(p->seg_s * 1e6);
	s->seg_bytes = (uint64_t)(p->bitrate * p->seg_s / 8);
	if (fec_partition(s->seg_bytes, p->sym, p->block, &s->part) != 0 ||
	    s->part.t == 0)
		return -1;
	if (s->p.nseg == 0)
		s->p.nseg = (uint32_t)ceil((p->fade_start + p->fade_len) /
		    p->seg_s) + 2;
	s->nfade = (uint64_t)(p->fade_share * (double)p->nbox);
	s->lq = p->p > 0 ? log1p(-p->p) : 0;
	s->ones_len = (s->part.t + 7) / 8;
	s->seg = calloc(s->p.nseg, sizeof(*s->seg));
	s->ones = malloc(s->ones_len);
	s->boxflag = calloc(p->nbox, 1);
	s->hist = calloc(HIST_BINS, sizeof(*s->hist));
	if (s->seg == NULL || s->ones == NULL || s->boxflag == NULL ||
	    s->hist == NULL)
		return -1;
	memset(s->ones, 0xff, s->ones_len);
	for (i = 0; i < s->p.nseg; i++)
		if ((s->seg[i].bits = malloc(s->ones_len)) == NULL)
			return -1;
	fade_pattern(s);
	fade_resume(s);
	for (i = 0; i < s->p.nseg; i++)
		s->seg[i].lossy = bits_request(s, i, s->seg[i].bits,
		    s->seg[i].resume_us, &s->seg[i].req);
	return 0;
}

static int
sim_run(const struct params *p, struct sim *s, struct result *res)
{
	uint8_t *work;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (sim_init(s, p) < 0 || (work = malloc(s->ones_len)) == NULL)
		return -1;
	if (pass_arrivals(s, work, res) < 0 || bucket(s, 0) < 0)
		goto out;
	queue_run(s);
	pass_finish(s, work, res);
	if (rates(s, res) < 0)
		goto out;
	peak_bw(s, res);
	finish_stats(s, res);
	rc = 0;
out:
	free(work);
	return rc;
}

/* ---- output ---- */

static double
pct(uint64_t a, uint64_t b)
{
	return b > 0 ? 100.0 * (double)a / (double)b : 100.0;
}

static void
print_params(const struct sim *s)
{
	const struct params *p = &s->p;

	printf("boxes %llu (%llu in the fade), D %.1f s, S %llu B "
	    "(%llu symbols of %u B, %u blocks), %u segments\n",
	    (unsigned long long)p->nbox, (unsigned long long)s->nfade,
	    p->seg_s, (unsigned long long)s->seg_bytes,
	    (unsigned long long)s->part.t, p->sym, s->part.n, p->nseg);
	printf("loss %g per packet; fade from %.1f s for %.1f s, loss %.2f; "
	    "timeout %u ms\n", p->p, p->fade_start, p->fade_len,
	    p->fade_loss, p->rto_ms);
	printf("CDN %.0f req/s, %.0f Mbit/s, RTT %.0f ms; box %.0f Mbit/s; "
	    "due %.1f D after availability (%.1f s after the multicast)%s\n",
	    p->cdn_rps, p->cdn_bw / 1e6, p->rtt_ms, p->box_bw / 1e6,
	    p->deadline_td, (p->deadline_td - 1) * p->seg_s,
	    p->urgent_whole ? ", urgent whole" : "");
}

static void
print_result(const struct sim *s, const struct result *r)
{
	printf("fixed %u ms, random %u ms\n", s->p.fixed_ms, s->p.random_ms);
	printf("requests %llu (%.4f per box and segment), %.3f GB\n",
	    (unsigned long long)r->requests, (double)r->requests /
	    (double)s->p.nbox / s->p.nseg, (double)r->bytes / 1e9);
	printf("CDN req/s per 100 ms: peak %.0f, p50 %.0f, p90 %.0f, p99 %.0f "
	    "over %.1f s; peak %.0f Mbit/s; longest wait %.0f ms\n",
	    r->peak_rps, r->p50_rps, r->p90_rps, r->p99_rps, r->active_s,
	    r->peak_mbps, r->max_wait_ms);
	printf("complete after the multicast: p50 %.0f ms, p99 %.0f ms\n",
	    r->p50_fin_ms, r->p99_fin_ms);
	printf("on time: %.2f%% of repairs, %.2f%% of the faded boxes' "
	    "repairs; %.2f%% of %llu repairing boxes had every one on time\n",
	    pct(r->ontime, r->requests), pct(r->fade_ontime, r->fade_req),
	    pct(r->ok_boxes, r->repaired_boxes),
	    (unsigned long long)r->repaired_boxes);
	printf("on time among the %.2f%% of repairs that could be (trigger "
	    "+ RTT + own transfer before the deadline): %.2f%%\n",
	    pct(r->feasible, r->requests),
	    pct(r->feasible_ontime, r->feasible));
}

static void
print_row(const struct sim *s, const struct result *r)
{
	printf("| %u | %u | %llu | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f "
	    "| %.2f | %.2f |\n", s->p.fixed_ms, s->p.random_ms,
	    (unsigned long long)r->requests, r->peak_rps, r->p99_rps,
	    r->p90_rps, r->peak_mbps, r->max_wait_ms, r->p99_fin_ms,
	    pct(r->ontime, r->requests),
	    pct(r->feasible_ontime, r->feasible));
}

/* ---- options ---- */

/* A number with an optional k, M or G suffix; -1 if not one. */
static int
num(const char *v, double lo, double hi, double *out)
{
	char *end;
	double x = strtod(v, &end);

	if (end == v)
		return -1;
	if (*end == 'k' || *end == 'K')
		x *= 1e3, end++;
	else if (*end == 'M')
		x *= 1e6, end++;
	else if (*end == 'G')
		x *= 1e9, end++;
	if (*end != '\0' || !(x >= lo && x <= hi))
		return -1;
	*out = x;
	return 0;
}

static int
num_u32(const char *v, uint32_t lo, uint32_t hi, uint32_t *out)
{
	double x;

	if (num(v, lo, hi, &x) < 0 || x != floor(x))
		return -1;
	*out = (uint32_t)x;
	return 0;
}

/* The options: each sets one field of struct params, within bounds. */
enum { K_DBL, K_U32, K_U64, K_FLAG };

#define OPT(n, k, f, lo, hi)	{ n, k, offsetof(struct params, f), lo, hi }

static const struct optdef {
	const char	*name;
	int		kind;
	size_t		off;
	double		lo, hi;
} optdefs[] = {
	OPT("boxes", K_U64, nbox, 1, MAX_BOXES),
	OPT("seg-dur", K_DBL, seg_s, 0.1, 60),
	OPT("bitrate", K_DBL, bitrate, 1e4, 1e9),
	OPT("symbol", K_U32, sym, 16, 65535),
	OPT("block", K_U32, block, 1, 65535),
	OPT("segments", K_U32, nseg, 1, 10000),
	OPT("loss", K_DBL, p, 0, 0.5),
	OPT("fade-start", K_DBL, fade_start, 0, 3600),
	OPT("fade-len", K_DBL, fade_len, 0, 3600),
	OPT("fade-share", K_DBL, fade_share, 0, 1),
	OPT("fade-loss", K_DBL, fade_loss, 0, 1),
	OPT("fade-burst", K_DBL, fade_burst, 1, 1e6),
	OPT("timeout", K_U32, rto_ms, 1, 600000),
	OPT("fixed", K_U32, fixed_ms, 0, 600000),
	OPT("random", K_U32, random_ms, 0, 600000),
	OPT("cdn-rps", K_DBL, cdn_rps, 1, 1e9),
	OPT("cdn-bw", K_DBL, cdn_bw, 1e6, 1e13),
	OPT("rtt", K_DBL, rtt_ms, 0, 10000),
	OPT("box-bw", K_DBL, box_bw, 1e5, 1e11),
	OPT("deadline", K_DBL, deadline_td, 1, 100),
	OPT("urgent-whole", K_FLAG, urgent_whole, 0, 1),
	OPT("series", K_FLAG, series, 0, 1),
	OPT("seed", K_U64, seed, 0, 1e18),
};
#define NOPT	(sizeof(optdefs) / sizeof(optdefs[0]))
#define O_SWEEP	(int)NOPT
#define O_HELP	(int)NOPT + 1

/* Option i's value v into p: 0, or -1 when out of bounds. */
static int
opt_set(struct params *p, size_t i, const char *v)
{
	const struct optdef *o = &optdefs[i];
	char *f = (char *)p + o->off;
	double x = 1;

	if (o->kind != K_FLAG && (num(v, o->lo, o->hi, &x) < 0 ||
	    (o->kind != K_DBL && x != floor(x))))
		return -1;
	if (o->kind == K_DBL)
		memcpy(f, &x, sizeof(double));
	else if (o->kind == K_U32)
		*(uint32_t *)(void *)f = (uint32_t)x;
	else if (o->kind == K_U64)
		*(uint64_t *)(void *)f = (uint64_t)x;
	else
		*(int *)(void *)f = 1;
	return 0;
}

/* getopt_long's table, from optdefs. */
static void
opt_table(struct option *t)
{
	size_t i;

	memset(t, 0, (NOPT + 3) * sizeof(*t));
	for (i = 0; i < NOPT; i++) {
		t[i].name = optdefs[i].name;
		t[i].has_arg = optdefs[i].kind != K_FLAG;
		t[i].val = (int)i;
	}
	t[NOPT].name = "sweep";
	t[NOPT].has_arg = 1;
	t[NOPT].val = O_SWEEP;
	t[NOPT + 1].name = "help";
	t[NOPT + 1].val = O_HELP;
}

static void
params_default(struct params *p)
{
	memset(p, 0, sizeof(*p));
	p->nbox = 1000;
	p->seg_s = 2;
	p->bitrate = 4e6;
	p->sym = 1428;
	p->block = 64;
	p->p = 1e-5;
	p->fade_start = 5;
	p->fade_len = 10;
	p->fade_share = 0.3;
	p->fade_loss = 1;
	p->fade_burst = 20;
	p->rto_ms = 1000;
	p->random_ms = 1000;
	p->cdn_rps = 20000;
	p->cdn_bw = 40e9;
	p->rtt_ms = 40;
	p->box_bw = 20e6;
	p->deadline_td = 3;
	p->seed = 1;
}

/* A --sweep item: RANDOM, or FIXED/RANDOM (ms).  0 or -1. */
static int
sweep_item(char *tok, const struct params *p, struct params *q)
{
	char *slash = strchr(tok, '/');

	q->fixed_ms = p->fixed_ms;
	if (slash != NULL) {
		*slash = '\0';
		if (num_u32(tok, 0, 600000, &q->fixed_ms) < 0)
			return -1;
		tok = slash + 1;
	}
	return num_u32(tok, 0, 600000, &q->random_ms);
}

/* One run, or one table row per --sweep value. */
static int
run_all(const struct params *p, const char *sweep)
{
	struct params q = *p;
	struct result r;
	struct sim s;
	char *list, *tok, *save = NULL;
	int rc = 0;

	if (sweep == NULL) {
		rc = sim_run(&q, &s, &r);
		if (rc == 0) {
			print_params(&s);
			print_result(&s, &r);
		}
		sim_free(&s);
		return rc;
	}
	if ((list = strdup(sweep)) == NULL)
		return -1;
	for (tok = strtok_r(list, ",", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		if (sweep_item(tok, p, &q) < 0) {
			fprintf(stderr, "fleetsim: --sweep: bad value %s\n",
			    tok);
			rc = -1;
			break;
		}
		if ((rc = sim_run(&q, &s, &r)) == 0) {
			if (tok == list) {
				print_params(&s);
				printf("\n| fixed ms | random ms | requests | "
				    "peak req/s | p99 req/s | p90 req/s | "
				    "peak Mbit/s | longest wait ms | "
				    "p99 done ms | on time %% | on time "
				    "when possible %% |\n|---|---|---|---|---"
				    "|---|---|---|---|---|---|\n");
			}
			print_row(&s, &r);
		}
		sim_free(&s);
	}
	free(list);
	return rc;
}

int
main(int argc, char **argv)
{
	struct option t[NOPT + 3];
	const char *sweep = NULL;
	struct params p;
	int c;

	params_default(&p);
	opt_table(t);
	while ((c = getopt_long(argc, argv, "h", t, NULL)) != -1) {
		if (c == 'h' || c == O_HELP) {
			usage(stdout);
			return 0;
		}
		if (c == O_SWEEP) {
			sweep = optarg;
			continue;
		}
		if (c < 0 || c >= (int)NOPT || opt_set(&p, (size_t)c,
		    optarg) < 0) {
			if (c >= 0 && c < (int)NOPT)
				fprintf(stderr, "fleetsim: --%s: bad value "
				    "%s\n", t[c].name, optarg);
			usage(stderr);
			return 64;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 64;
	}
	if (run_all(&p, sweep) < 0) {
		fprintf(stderr, "fleetsim: out of memory or bad geometry\n");
		return 1;
	}
	return 0;
}
