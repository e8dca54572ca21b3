/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fleetsim_model.c: the boxes and the CDN of tools/fleetsim.c, and the
 * statistics of a run.
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
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../carousel/fec.h"
#include "../carousel/ranges.h"
#include "../daemon/repair.h"
#include "fleetsim.h"

#define MAX_RANGES	RANGES_MAX_PER_REQ	/* as reasm */
#define WHOLE_PCT	50	/* repair: more missing than this: whole GET */
#define HDR_BYTES	400	/* request and response headers */
#define PART_BYTES	100	/* multipart/byteranges part headers */
#define HIST_MS		10	/* finish-time histogram bin */
#define HIST_BINS	60000	/* 600 s */

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

void
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

int
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
