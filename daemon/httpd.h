/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * httpd.h: the local HTTP server (libmicrohttpd, epoll + thread pool).
 * Serves cache objects (small ones from refcounted memory, large ones from
 * file descriptors so sendfile copies), /health, /metrics, the documents
 * of the hooks, and the status page at / with its files under /ui/
 * ([http] ui_dir).
 */
#ifndef NIPCACHE_HTTPD_H
#define NIPCACHE_HTTPD_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

/* 200 204 206 304 400 404 416 503 403 414 429 431 other */
#define HTTPD_NCODES	13

/* Requests and connections refused by a limit (httpd_limit_label). */
enum httpd_limit {
	HTTPD_L_CONNS,		/* max_connections: closed at accept */
	HTTPD_L_CLIENT_CONNS,	/* max_connections_per_client: closed */
	HTTPD_L_RATE,		/* max_request_rate: 429 */
	HTTPD_L_HELD,		/* max_held: 503 */
	HTTPD_L_CLIENT_HELD,	/* max_held_per_client: 503 */
	HTTPD_L_HEADER_TIMEOUT,	/* header_timeout, timeout: closed */
	HTTPD_L_HEADER_SIZE,	/* request line, headers too large: 414, 431 */
	HTTPD_L_ADMIN,		/* admin_allow: 403 */
	HTTPD_NLIMITS
};

struct httpd_stats {
	uint64_t	requests;
	uint64_t	by_code[HTTPD_NCODES];
	uint64_t	bytes_sent_hint;	/* body bytes queued */
	/* Held requests (daemon/hold.h) and playlists as served. */
	uint64_t	held;			/* requests held, total */
	uint64_t	held_now;		/* held right now */
	uint64_t	held_timeouts;		/* 503 after a hold */
	uint64_t	playlists_rewritten;	/* answers with a rewritten body */
	uint64_t	segments_held_back;	/* entries left out, summed */
	uint64_t	gaps_marked;		/* EXT-X-GAP entries, summed */
	uint64_t	playlists_stale;	/* live playlists served stale
						   (refresh asked) */
	uint64_t	blocking_reloads;	/* LL-HLS requests that waited */
	/* Limits (httpd_guard.c). */
	uint64_t	refused[HTTPD_NLIMITS];	/* enum httpd_limit */
	uint64_t	connections_now;	/* open connections */
	uint64_t	clients_now;		/* client addresses tracked */
};

/* A document made on request (see httpd_hooks.document). */
struct httpd_doc {
	char		*body;		/* malloc'd; httpd frees it */
	size_t		len;
	char		type[96];	/* Content-Type */
	uint32_t	max_age;	/* Cache-Control max-age, seconds */
};

/*
 * Callbacks main provides, called from the HTTP threads: /health and
 * /metrics (text written to buf), the NIP documents, and on-demand joins.
 */
struct httpd_hooks {
	/* Return 1 if ready (200) else 0 (503); fill buf (4 KiB) with JSON. */
	int	(*health)(char *buf, size_t len);
	/* Fill buf (256 KiB) with Prometheus text; return bytes written. */
	size_t	(*metrics)(char *buf, size_t len);
	/*
	 * /services.json, /status.json, /dvbi/... and /nip/...: host is the
	 * request's Host header (NULL if none), for absolute URLs back to
	 * the box.  Return 200 with *out filled, or 404 or 503 (nothing to
	 * free).
	 */
	int	(*document)(const char *path, const char *host,
		    struct httpd_doc *out);
	/*
	 * A player asked for cache path (before the lookup).  Return 1 if
	 * the path belongs to a service being joined right now, so a miss
	 * is "503, retry" rather than 404; else 0.
	 */
	int	(*touch)(const char *path);
	/*
	 * path is not cached: make sure it is on its way if it can be
	 * (broadcast reception, unicast repair, the fallback origin).
	 * urgent: a player is waiting for it now (skip any back-off).
	 * Return 1 if it is expected (a request may be held for it), 0 if
	 * it will not come.  NULL: nothing is ever expected, and live
	 * playlists are served as received (without it httpd cannot tell a
	 * segment on its way from one that will never come).
	 */
	int	(*fetch)(const char *path, int urgent);
	/*
	 * A live media playlist is served that the broadcast has not
	 * updated for 1.5 target durations (plus a second): fetch it again
	 * from the terrestrial side if there is one (repair_refresh), as
	 * version seq; target_ms is its EXT-X-TARGETDURATION.  Called on the
	 * request's thread; must not block.  NULL: stale playlists are
	 * served as they are.
	 */
	void	(*refresh)(const char *path, uint64_t seq, uint32_t target_ms);
};

/*
 * Bind every [http] listen address and start; hooks is copied (NULL or a
 * NULL member: /health answers 200, /metrics is empty).  Logs "httpd:
 * listening on ADDR:PORT" per address.  0 or -1 (logged).  Requests are
 * held with the hold table: call hold_init() first (without it nothing is
 * held; expected objects are answered 503 at once).
 */
int	httpd_start(const struct conf *c, const struct httpd_hooks *hooks);
/*
 * Stop every daemon and drop the blob references httpd holds (responses
 * it keeps for hot objects).  Held requests are resumed first (their
 * connections are closed by the stop), so this never waits for a hold
 * deadline.  Order in main: httpd_stop(), then hold_shutdown(), then
 * cache_shutdown(); either order of the first two is safe (a request
 * woken by hold_shutdown is answered 503, a hold after it is refused).
 */
void	httpd_stop(void);
/* The port listen address i is bound to (useful with port 0), or -1. */
int	httpd_bound_port(size_t i);
void	httpd_get_stats(struct httpd_stats *out);
/* Status code index for by_code[] and its label ("200", ..., "other"). */
const char *httpd_code_label(int idx);
/* The label of an enum httpd_limit ("connections", ..., "admin"). */
const char *httpd_limit_label(int idx);

#endif
