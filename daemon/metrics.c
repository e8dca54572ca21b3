/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics.c: Prometheus text format (prefix nipcache_, base units, _total
 * counters) and the /health document.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "../carousel/alc.h"
#include "../carousel/rx.h"
#include "cache.h"
#include "frontend.h"
#include "hold.h"
#include "httpd.h"
#include "metrics.h"
#include "nip.h"
#include "repair.h"
#include "stage.h"
#include "util.h"

static uint64_t metrics_start_ms;
static _Atomic int metrics_ready;

struct mbuf {
	char	*p;
	size_t	len;
	size_t	off;
};

static void
mb_printf(struct mbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
mb_printf(struct mbuf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (b->off + 1 >= b->len)
		return;
	va_start(ap, fmt);
	r = vsnprintf(b->p + b->off, b->len - b->off, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	b->off += (size_t)r < b->len - b->off ? (size_t)r : b->len - b->off - 1;
}

/* One metric family with HELP and TYPE, unlabelled. */
static void
mb_metric(struct mbuf *b, const char *name, const char *type,
    const char *help, uint64_t v)
{
	mb_printf(b, "# HELP nipcache_%s %s\n# TYPE nipcache_%s %s\n"
	    "nipcache_%s %llu\n", name, help, name, type, name,
	    (unsigned long long)v);
}

static void
mb_head(struct mbuf *b, const char *name, const char *type, const char *help)
{
	mb_printf(b, "# HELP nipcache_%s %s\n# TYPE nipcache_%s %s\n",
	    name, help, name, type);
}

static void
mb_label(struct mbuf *b, const char *name, const char *label,
    const char *value, uint64_t v)
{
	mb_printf(b, "nipcache_%s{%s=\"%s\"} %llu\n", name, label, value,
	    (unsigned long long)v);
}

void
metrics_init(void)
{
	metrics_start_ms = util_now_ms();
}

void
metrics_set_ready(int ready)
{
	atomic_store(&metrics_ready, ready);
}

int
metrics_is_ready(void)
{
	return atomic_load(&metrics_ready);
}

uint64_t
metrics_uptime_s(void)
{
	return (util_now_ms() - metrics_start_ms) / 1000;
}

int
metrics_health(char *buf, size_t len)
{
	struct cache_stats cs;
	struct rx_stats rs;
	struct mbuf b = { buf, len, 0 };
	int ready = atomic_load(&metrics_ready);

	memset(&cs, 0, sizeof(cs));
	memset(&rs, 0, sizeof(rs));
	if (cache_ready())
		cache_get_stats(&cs);
	rx_get_stats(&rs);
	buf[0] = '\0';
	mb_printf(&b, "{\"status\":\"%s\",\"uptime_seconds\":%llu,"
	    "\"cache\":{\"bytes\":%llu,\"objects\":%llu,\"max_bytes\":%llu},"
	    "\"sessions\":%llu,\"channels\":%llu,\"objects_in_flight\":%llu",
	    ready ? "ok" : "starting",
	    (unsigned long long)metrics_uptime_s(),
	    (unsigned long long)cs.bytes, (unsigned long long)cs.objects,
	    (unsigned long long)cs.max_bytes,
	    (unsigned long long)rs.reasm.sessions_now,
	    (unsigned long long)rs.sockets,
	    (unsigned long long)rs.reasm.objects_now);
	b.off += frontend_health(b.p + b.off, b.len - b.off);
	mb_printf(&b, "}\n");
	return ready;
}

static void
metrics_rx(struct mbuf *b, const struct rx_stats *r)
{
	int i;

	mb_metric(b, "packets_total", "counter",
	    "UDP datagrams received on carousel channels.", r->datagrams);
	mb_metric(b, "received_bytes_total", "counter",
	    "UDP payload bytes received.", r->bytes);
	mb_metric(b, "kernel_drops_total", "counter",
	    "Datagrams the kernel dropped for want of socket buffer (SO_RXQ_OVFL).",
	    r->kernel_drops);
	mb_metric(b, "receive_buffer_bytes", "gauge",
	    "Effective socket receive buffer.", r->rcvbuf);
	mb_metric(b, "packets_filtered_total", "counter",
	    "Datagrams of a TSI or source not configured.", r->filtered);
	mb_head(b, "bad_packets_total", "counter",
	    "Packets dropped as malformed or unusable, by reason.");
	for (i = 1; i <= ALC_ENERR; i++)
		mb_label(b, "bad_packets_total", "reason", alc_strerror(-i),
		    r->bad_packets[i]);
	mb_label(b, "bad_packets_total", "reason", "other", r->bad_packets[0]);
	mb_label(b, "bad_packets_total", "reason", "bad_symbol",
	    r->reasm.bad_symbols);
	mb_label(b, "bad_packets_total", "reason", "unsupported_fec",
	    r->reasm.unsupported_fec);
	mb_label(b, "bad_packets_total", "reason", "prefdt_overflow",
	    r->reasm.prefdt_dropped);
	mb_label(b, "bad_packets_total", "reason", "session_limit",
	    r->reasm.sessions_refused);
	mb_metric(b, "duplicate_symbols_total", "counter",
	    "Symbols received again (carousel repeats).",
	    r->reasm.duplicate_symbols);
	mb_metric(b, "fdt_instances_total", "counter",
	    "FDT instances parsed.", r->reasm.fdt_instances);
	mb_metric(b, "fdt_rejected_total", "counter",
	    "FDT instances rejected as malformed.", r->reasm.fdt_bad);
	mb_metric(b, "sessions", "gauge", "FLUTE sessions tracked.",
	    r->reasm.sessions_now);
	mb_metric(b, "channels", "gauge", "Multicast channels joined.",
	    r->sockets);
	mb_metric(b, "objects_in_flight", "gauge",
	    "Objects being reassembled.", r->reasm.objects_now);
	mb_metric(b, "staged_bytes_total", "counter",
	    "Object bytes written to staging.", r->reasm.bytes);
}

/* FEC schemes 5 and 6 (carousel/reasm_fec.c). */
static void
metrics_fec(struct mbuf *b, const struct reasm_stats *r)
{
	mb_metric(b, "fec_oti_rejected_total", "counter",
	    "FEC packets with a malformed EXT_FTI, and FEC objects refused for "
	    "their OTI (sub-blocks, blocks too large, FDT FEI mismatch).",
	    r->fec_bad_oti);
	mb_metric(b, "fec_objects_source_only_total", "counter",
	    "FEC objects received from source symbols only (no codec, no "
	    "read-back, blocks too large).", r->fec_no_decode);
	mb_head(b, "fec_repair_symbols_total", "counter",
	    "FEC repair symbols received, by what became of them.");
	mb_label(b, "fec_repair_symbols_total", "outcome", "held",
	    r->fec_repair_held);
	mb_label(b, "fec_repair_symbols_total", "outcome", "unneeded",
	    r->fec_repair_unneeded);
	mb_label(b, "fec_repair_symbols_total", "outcome", "dropped",
	    r->fec_repair_dropped);
	mb_metric(b, "fec_blocks_decoded_total", "counter",
	    "Source blocks completed by FEC decoding.", r->fec_blocks_decoded);
	mb_metric(b, "fec_symbols_recovered_total", "counter",
	    "Lost source symbols rebuilt by FEC decoding.",
	    r->fec_symbols_recovered);
	mb_metric(b, "fec_decode_failures_total", "counter",
	    "FEC decodes that failed (the block waits for repeats).",
	    r->fec_decode_failed);
	mb_metric(b, "fec_repair_bytes", "gauge",
	    "Memory held by FEC repair symbols.", r->fec_bytes_now);
}

static const char *const result_names[OBJ_NRESULTS] = {
	"ok", "digest", "length", "decode", "stale", "io", "name"
};

static void
metrics_objects(struct mbuf *b, const struct rx_stats *r,
    const struct stage_stats *s)
{
	int i;

	mb_metric(b, "objects_completed_total", "counter",
	    "Objects verified and published in the cache.", s->committed);
	mb_head(b, "objects_failed_total", "counter",
	    "Objects not published, by reason.");
	mb_label(b, "objects_failed_total", "reason", "incomplete",
	    r->reasm.objects_incomplete);
	mb_label(b, "objects_failed_total", "reason", "limit",
	    r->reasm.objects_dropped_limit);
	for (i = 1; i < OBJ_NRESULTS; i++)
		mb_label(b, "objects_failed_total", "reason", result_names[i],
		    s->failed[i]);
	mb_metric(b, "commit_queue", "gauge",
	    "Objects waiting for verification.", s->queue_now);
}

static void
metrics_cache(struct mbuf *b, const struct cache_stats *c)
{
	mb_metric(b, "cache_bytes", "gauge", "Bytes of objects cached.", c->bytes);
	mb_metric(b, "cache_objects", "gauge", "Objects cached.", c->objects);
	mb_metric(b, "cache_max_bytes", "gauge", "Configured byte cap.",
	    c->max_bytes);
	mb_metric(b, "cache_pinned_bytes", "gauge",
	    "Bytes pinned (current playlists and their init segments).",
	    c->pinned_bytes);
	mb_metric(b, "cache_memory_bytes", "gauge",
	    "Bytes of small objects held in RAM.", c->mem_bytes);
	mb_metric(b, "evictions_total", "counter",
	    "Objects evicted by the byte cap or min_free.", c->evictions);
	mb_metric(b, "evictions_pinned_total", "counter",
	    "Pinned objects evicted because pinned bytes alone exceeded the cap.",
	    c->evictions_pinned);
	mb_metric(b, "disk_full_total", "counter",
	    "Writes to the cache file system refused for want of space "
	    "(ENOSPC, EDQUOT); the object comes again with a later cycle.",
	    c->disk_full);
	mb_metric(b, "cache_replaced_total", "counter",
	    "Objects replaced by a newer version.", c->replaced);
	mb_metric(b, "cache_hits_total", "counter", "Lookups found.", c->hits);
	mb_metric(b, "cache_misses_total", "counter", "Lookups not found.",
	    c->misses);
}

static void
metrics_http(struct mbuf *b, const struct httpd_stats *h)
{
	int i;

	mb_head(b, "http_requests_total", "counter",
	    "HTTP requests answered, by status code.");
	for (i = 0; i < HTTPD_NCODES; i++)
		mb_label(b, "http_requests_total", "code", httpd_code_label(i),
		    h->by_code[i]);
	mb_metric(b, "http_held_timeouts_total", "counter",
	    "Held requests answered 503 at their deadline.", h->held_timeouts);
	mb_metric(b, "http_playlists_rewritten_total", "counter",
	    "Live playlists served rewritten (held back, gaps, renumbered).",
	    h->playlists_rewritten);
	mb_metric(b, "http_segments_held_back_total", "counter",
	    "Playlist entries left out because their segment is not there.",
	    h->segments_held_back);
	mb_metric(b, "http_gaps_marked_total", "counter",
	    "Playlist entries served with #EXT-X-GAP.", h->gaps_marked);
	mb_metric(b, "http_playlists_stale_total", "counter",
	    "Live playlists served after 1.5 target durations without an "
	    "update (a refresh from the terrestrial side was asked).",
	    h->playlists_stale);
	mb_metric(b, "http_blocking_reloads_total", "counter",
	    "LL-HLS playlist requests that waited for a new version.",
	    h->blocking_reloads);
	mb_head(b, "http_refused_total", "counter",
	    "Connections and requests refused by an [http] limit or network.");
	for (i = 0; i < HTTPD_NLIMITS; i++)
		mb_label(b, "http_refused_total", "reason",
		    httpd_limit_label(i), h->refused[i]);
	mb_metric(b, "http_connections", "gauge", "HTTP connections open.",
	    h->connections_now);
	mb_metric(b, "http_clients", "gauge",
	    "Client addresses the per-client limits track.", h->clients_now);
}

static void
metrics_nip(struct mbuf *b)
{
	struct nip_stats n;
	int k;

	nip_get_stats(&n);
	mb_head(b, "nip_documents_total", "counter",
	    "DVB-NIP signalling versions applied, by document.");
	for (k = 0; k < NIP_NKINDS; k++)
		mb_label(b, "nip_documents_total", "doc",
		    nip_kind_name((enum nip_kind)k), n.parsed[k]);
	mb_head(b, "nip_document_errors_total", "counter",
	    "DVB-NIP signalling versions refused (not parsable), by document.");
	for (k = 0; k < NIP_NKINDS; k++)
		mb_label(b, "nip_document_errors_total", "doc",
		    nip_kind_name((enum nip_kind)k), n.errors[k]);
	mb_metric(b, "nip_service_lists_total", "counter",
	    "DVB-I service list versions applied.", n.lists_parsed);
	mb_metric(b, "nip_service_list_errors_total", "counter",
	    "DVB-I service list versions refused.", n.list_errors);
	mb_metric(b, "nip_service_lists", "gauge",
	    "DVB-I service lists known.", n.lists);
	mb_metric(b, "nip_services", "gauge", "Services known.", n.services);
	mb_metric(b, "nip_services_joined", "gauge",
	    "Services whose sessions are joined.", n.services_joined);
	mb_metric(b, "nip_channels", "gauge",
	    "Multicast sources handed to the receiver.", n.channels);
}

static const char *const trigger_names[OBJ_REPAIR_NTRIGGERS] = {
	"loss", "timeout", "close", "expired", "session", "player", "origin",
	"refresh"
};
static const char *const outcome_names[REPAIR_NOUTCOMES] = {
	"ok", "http", "verify", "nourl", "cancel"
};

static void
metrics_repair_done(struct mbuf *b, const struct repair_stats *r)
{
	int t, o;

	mb_head(b, "repair_results_total", "counter",
	    "Repairs finished, by trigger and result.");
	for (t = 0; t < OBJ_REPAIR_NTRIGGERS; t++)
		for (o = 0; o < REPAIR_NOUTCOMES; o++)
			mb_printf(b, "nipcache_repair_results_total{trigger=\"%s\","
			    "result=\"%s\"} %llu\n", trigger_names[t],
			    outcome_names[o], (unsigned long long)r->done[t][o]);
}

static void
metrics_repair(struct mbuf *b, const struct rx_stats *rs)
{
	struct repair_stats r;
	int t;

	repair_get_stats(&r);
	mb_head(b, "repairs_total", "counter",
	    "Objects handed to unicast repair, by trigger.");
	for (t = 0; t < OBJ_REPAIR_NTRIGGERS; t++)
		mb_label(b, "repairs_total", "trigger", trigger_names[t],
		    r.jobs[t]);
	metrics_repair_done(b, &r);
	mb_metric(b, "repairs_declined_total", "counter",
	    "Incomplete objects with no repair URL (left to the carousel).",
	    rs->reasm.repairs_declined);
	mb_metric(b, "repair_requests_total", "counter",
	    "HTTP repair requests sent.", r.requests);
	mb_metric(b, "repair_range_requests_total", "counter",
	    "HTTP repair requests with a Range header.", r.range_requests);
	mb_metric(b, "repair_deferred_total", "counter",
	    "Path fetches put back while the broadcast brings the object.",
	    r.deferred);
	mb_metric(b, "repair_body_bytes_total", "counter",
	    "HTTP body bytes received by repair.", r.body_bytes);
	mb_metric(b, "repair_lost_bytes_total", "counter",
	    "Bytes missing from objects handed to repair.", r.lost_bytes);
	mb_metric(b, "lost_symbols_total", "counter",
	    "Source symbols missing from objects handed to repair.",
	    rs->reasm.lost_symbols);
	mb_metric(b, "repair_queued", "gauge",
	    "Repairs waiting (back-off or a free slot).", r.queued_now);
	mb_metric(b, "repair_active", "gauge", "Repair requests in flight.",
	    r.active_now);
}

static void
metrics_hold(struct mbuf *b)
{
	static const char *const why[4] = {
		"published", "lost", "deadline", "shutdown"
	};
	struct hold_stats h;
	int i;

	hold_get_stats(&h);
	mb_metric(b, "held_requests_total", "counter",
	    "Requests held until their object arrived or a deadline.", h.held);
	mb_metric(b, "held_requests", "gauge", "Requests held now.",
	    h.waiting_now);
	mb_head(b, "held_wakeups_total", "counter",
	    "Held requests woken, by reason.");
	for (i = 0; i < 4; i++)
		mb_label(b, "held_wakeups_total", "reason", why[i], h.woken[i]);
	mb_metric(b, "held_refused_total", "counter",
	    "Requests not held because the table was full.", h.refused);
}

size_t
metrics_render(char *buf, size_t len)
{
	struct mbuf b = { buf, len, 0 };
	struct rx_stats rs;
	struct stage_stats ss;
	struct cache_stats cs;
	struct httpd_stats hs;

	memset(&cs, 0, sizeof(cs));
	rx_get_stats(&rs);
	stage_get_stats(&ss);
	if (cache_ready())
		cache_get_stats(&cs);
	httpd_get_stats(&hs);
	buf[0] = '\0';
	mb_metric(&b, "up", "gauge", "1 when the daemon is ready.",
	    (uint64_t)atomic_load(&metrics_ready));
	/*
	 * A gauge, not a counter: promtool wants counters to end in _total,
	 * and "seconds since start" is read as a level (it restarts at 0).
	 */
	mb_metric(&b, "uptime_seconds", "gauge", "Seconds since start.",
	    metrics_uptime_s());
	mb_head(&b, "build_info", "gauge",
	    "Always 1; the version label says which nipcached runs.");
	mb_label(&b, "build_info", "version", NIPCACHE_VERSION, 1);
	metrics_rx(&b, &rs);
	metrics_fec(&b, &rs.reasm);
	metrics_objects(&b, &rs, &ss);
	metrics_cache(&b, &cs);
	metrics_http(&b, &hs);
	metrics_nip(&b);
	metrics_repair(&b, &rs);
	metrics_hold(&b);
	b.off += frontend_metrics(b.p + b.off, b.len - b.off);
	return b.off;
}
