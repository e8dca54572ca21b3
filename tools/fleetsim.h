/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fleetsim.h: what the fleet repair simulation shares between
 * fleetsim.c (options, main, output) and fleetsim_model.c (the boxes and
 * the CDN): the parameters, the state of one run and its results.
 */
#ifndef NIPCACHE_FLEETSIM_H
#define NIPCACHE_FLEETSIM_H

#include <stddef.h>
#include <stdint.h>

#include "../carousel/fec.h"

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

struct segshare;

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

/*
 * One run of p: 0, or -1 when out of memory or the geometry is bad.  s
 * holds the run's state for the output; sim_free it either way.
 */
int	sim_run(const struct params *p, struct sim *s, struct result *res);
void	sim_free(struct sim *s);

#endif
