/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fleetsim.c: how many unicast repair requests a fleet of nipcached boxes
 * sends to the CDN when a rain fade hits part of the region, and whether
 * the repaired segments arrive before the players need them.  It runs the
 * daemon's own code for what a box does: fec_partition (carousel/fec.c),
 * ranges_missing and ranges_total (carousel/ranges.c) for the bytes asked
 * for, and repair_backoff_ms / repair_rand (daemon/repair_url.c) for the
 * back-off.  tools/fleet-repair.md describes the model and the results.
 * The model is in fleetsim_model.c; this file has the options and the
 * output.
 */
#include <getopt.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleetsim.h"

#define MAX_BOXES	100000000ULL

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
