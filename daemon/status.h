/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * status.h: /status.json, what the status page at / polls besides
 * /services.json and /health: cache fill and hit rate, receiver and repair
 * totals, and one entry per receive session (each configured or signalled
 * multicast source: its bit rate, packets, objects, FEC recoveries, losses
 * handed to repair, and the DVB-I service it carries).
 *
 * status.c renders the document from a plain snapshot (pure, unit-tested);
 * status_collect.c takes that snapshot from the modules' copy-out
 * statistics (rx, cache, repair, the NIP view), each read under its
 * owner's lock only for the copy, and is the httpd document hook's part.
 */
#ifndef NIPCACHE_STATUS_H
#define NIPCACHE_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "../carousel/rx.h"
#include "cache.h"
#include "httpd.h"
#include "repair.h"
#include "util.h"

#define STATUS_PATH	"/status.json"
#define STATUS_ID_MAX	256
/* A source is "receiving" while its last datagram is this recent. */
#define STATUS_LIVE_MS	5000

/* One receive session and the service it belongs to. */
struct status_session {
	struct rx_src_stats st;
	char		service[STATUS_ID_MAX];	/* DVB-I id, "" if none */
};

/* Everything the document shows, copied out of the modules. */
struct status_in {
	uint64_t	now_ms;		/* util_now_ms() of the snapshot */
	uint64_t	uptime_s;
	int		ready;		/* as /health */
	int		cache_ready;	/* cache is open (else cache zeroed) */
	struct cache_stats cache;
	struct rx_stats	rx;
	struct repair_stats repair;
	const struct status_session *sess;
	size_t		nsess;
};

/*
 * The JSON document for in, appended to b (a zeroed util_sb).  Pure.
 * 0, or -1 when b ran out of memory (b->err).
 */
int	status_render(const struct status_in *in, struct util_sb *b);

/*
 * httpd document hook for STATUS_PATH: take a snapshot and render it.
 * 200 with out filled (JSON, no-store), or 503 when out of memory.
 */
int	status_document(struct httpd_doc *out);

#endif
