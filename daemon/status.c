/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * status.c: the /status.json document from a snapshot (status.h).  Pure:
 * no locks, no I/O, no globals, so a test can render any state.
 *
 * Ratios are numbers in 0..1 with four decimals, or null when there is
 * nothing to divide (no lookups yet, no packets, no byte cap).  The loss
 * of a session is an estimate from what reassembly could see: source
 * symbols rebuilt by FEC plus those still missing when an object went to
 * repair, over the packets received plus the latter.  Losses that a later
 * carousel cycle filled in are not seen, so it is a lower bound.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "status.h"
#include "util.h"

#define ST_ANNOUNCE4	"224.0.23.14"
#define ST_ANNOUNCE6	"ff02::12d"
#define ST_ANNOUNCE_PORT 3937

/* s as a JSON string with its quotes; NULL or "" as null. */
static void
st_str(struct util_sb *b, const char *s)
{
	util_sb_json(b, s != NULL && *s != '\0' ? s : NULL);
}

/*
 * num / den with four decimals, or null when den is 0.  Sums of counters
 * are passed as doubles, so they cannot wrap.
 */
static void
st_ratio(struct util_sb *b, double num, double den)
{
	double r;

	if (!(den > 0.0)) {
		util_sb_printf(b, "null");
		return;
	}
	r = num / den;
	util_sb_printf(b, "%.4f", r > 1.0 ? 1.0 : r < 0.0 ? 0.0 : r);
}

static void
st_u64(struct util_sb *b, const char *key, uint64_t v, int comma)
{
	util_sb_printf(b, "%s\"%s\":%llu", comma ? "," : "", key,
	    (unsigned long long)v);
}

static void
st_cache(struct util_sb *b, const struct status_in *in)
{
	const struct cache_stats *c = &in->cache;

	util_sb_printf(b, ",\"cache\":{\"ready\":%s",
	    in->cache_ready ? "true" : "false");
	st_u64(b, "bytes", c->bytes, 1);
	st_u64(b, "max_bytes", c->max_bytes, 1);
	st_u64(b, "objects", c->objects, 1);
	util_sb_printf(b, ",\"fill\":");
	st_ratio(b, (double)c->bytes, (double)c->max_bytes);
	st_u64(b, "hits", c->hits, 1);
	st_u64(b, "misses", c->misses, 1);
	util_sb_printf(b, ",\"hit_ratio\":");
	st_ratio(b, (double)c->hits, (double)c->hits + (double)c->misses);
	st_u64(b, "evictions", c->evictions, 1);
	util_sb_printf(b, "}");
}

static uint64_t
st_bad_packets(const struct rx_stats *r)
{
	uint64_t n = r->reasm.bad_symbols + r->reasm.unsupported_fec;
	size_t i;

	for (i = 0; i < sizeof(r->bad_packets) / sizeof(r->bad_packets[0]); i++)
		n += r->bad_packets[i];
	return n;
}

static void
st_receiver(struct util_sb *b, const struct rx_stats *r)
{
	util_sb_printf(b, ",\"receiver\":{");
	st_u64(b, "datagrams", r->datagrams, 0);
	st_u64(b, "bytes", r->bytes, 1);
	st_u64(b, "kernel_drops", r->kernel_drops, 1);
	st_u64(b, "bad_packets", st_bad_packets(r), 1);
	st_u64(b, "filtered", r->filtered, 1);
	st_u64(b, "channels", r->sockets, 1);
	st_u64(b, "flute_sessions", r->reasm.sessions_now, 1);
	st_u64(b, "objects_completed", r->reasm.objects_completed, 1);
	st_u64(b, "objects_incomplete", r->reasm.objects_incomplete, 1);
	st_u64(b, "fec_recovered", r->reasm.fec_symbols_recovered, 1);
	st_u64(b, "lost_symbols", r->reasm.lost_symbols, 1);
	util_sb_printf(b, "}");
}

static void
st_repair(struct util_sb *b, const struct repair_stats *r)
{
	uint64_t jobs = 0, ok = 0, failed = 0;
	int t, o;

	for (t = 0; t < OBJ_REPAIR_NTRIGGERS; t++) {
		jobs += r->jobs[t];
		for (o = 0; o < REPAIR_NOUTCOMES; o++) {
			if (o == REPAIR_OK)
				ok += r->done[t][o];
			else
				failed += r->done[t][o];
		}
	}
	util_sb_printf(b, ",\"repair\":{");
	st_u64(b, "objects", jobs, 0);
	st_u64(b, "ok", ok, 1);
	st_u64(b, "failed", failed, 1);
	st_u64(b, "requests", r->requests, 1);
	st_u64(b, "body_bytes", r->body_bytes, 1);
	st_u64(b, "lost_bytes", r->lost_bytes, 1);
	st_u64(b, "queued", r->queued_now, 1);
	st_u64(b, "active", r->active_now, 1);
	util_sb_printf(b, "}");
}

/* Group, port, TSI and source of a session. */
static void
st_where(struct util_sb *b, const struct carousel_src *s)
{
	int af = s->family == AF_INET6 ? AF_INET6 : AF_INET;
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(af, s->group, a, sizeof(a)) == NULL)
		a[0] = '\0';
	util_sb_printf(b, "\"group\":");
	st_str(b, a);
	st_u64(b, "port", s->port, 1);
	if (!s->has_tsi)
		util_sb_printf(b, ",\"tsi\":null");
	else if (s->tsi.hi == 0)
		st_u64(b, "tsi", s->tsi.lo, 1);
	else
		util_sb_printf(b, ",\"tsi\":\"0x%llx%016llx\"",
		    (unsigned long long)s->tsi.hi,
		    (unsigned long long)s->tsi.lo);
	if (!s->has_source || inet_ntop(af, s->source, a, sizeof(a)) == NULL)
		a[0] = '\0';
	util_sb_printf(b, ",\"source\":");
	st_str(b, a);
}

/* "service" (carries a DVB-I service), "announcement" (NIP) or "other". */
static const char *
st_role(const struct status_session *ss)
{
	const struct carousel_src *s = &ss->st.src;
	char a[INET6_ADDRSTRLEN];
	int af = s->family == AF_INET6 ? AF_INET6 : AF_INET;

	if (ss->service[0] != '\0')
		return "service";
	if (s->port == ST_ANNOUNCE_PORT &&
	    inet_ntop(af, s->group, a, sizeof(a)) != NULL &&
	    (strcmp(a, ST_ANNOUNCE4) == 0 || strcmp(a, ST_ANNOUNCE6) == 0))
		return "announcement";
	return "other";
}

static void
st_counts(struct util_sb *b, const struct rx_src_stats *st)
{
	const struct reasm_sess_counts *c = &st->sess;

	st_u64(b, "flute_sessions", st->nsessions, 1);
	st_u64(b, "packets", c->packets, 1);
	st_u64(b, "objects", c->objects, 1);
	st_u64(b, "incomplete", c->incomplete, 1);
	st_u64(b, "fec_recovered", c->fec_recovered, 1);
	st_u64(b, "lost_symbols", c->lost_symbols, 1);
	st_u64(b, "repairs", c->repairs, 1);
	util_sb_printf(b, ",\"loss_ratio\":");
	st_ratio(b, (double)c->fec_recovered + (double)c->lost_symbols,
	    (double)c->packets + (double)c->lost_symbols);
}

static void
st_session(struct util_sb *b, const struct status_session *ss, uint64_t now)
{
	const struct rx_src_stats *st = &ss->st;
	int heard = st->last_ms != 0 && now >= st->last_ms;
	int live = heard && now - st->last_ms < STATUS_LIVE_MS;

	util_sb_printf(b, "{");
	st_where(b, &st->src);
	util_sb_printf(b, ",\"service\":");
	st_str(b, ss->service);
	util_sb_printf(b, ",\"role\":\"%s\",\"receiving\":%s", st_role(ss),
	    live ? "true" : "false");
	if (heard)
		st_u64(b, "idle_ms", now - st->last_ms, 1);
	else
		util_sb_printf(b, ",\"idle_ms\":null");
	st_u64(b, "bitrate", live ? st->bitrate : 0, 1);
	st_u64(b, "datagrams", st->datagrams, 1);
	st_u64(b, "bytes", st->bytes, 1);
	st_counts(b, st);
	util_sb_printf(b, "}");
}

int
status_render(const struct status_in *in, struct util_sb *b)
{
	size_t i;

	util_sb_printf(b, "{\"ready\":%s", in->ready ? "true" : "false");
	st_u64(b, "uptime_seconds", in->uptime_s, 1);
	st_cache(b, in);
	st_receiver(b, &in->rx);
	st_repair(b, &in->repair);
	util_sb_printf(b, ",\"sessions\":[");
	for (i = 0; in->sess != NULL && i < in->nsess; i++) {
		util_sb_printf(b, i ? ",\n" : "\n");
		st_session(b, &in->sess[i], in->now_ms);
	}
	util_sb_printf(b, "]}\n");
	return b->err ? -1 : 0;
}
