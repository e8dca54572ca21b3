/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * httpd_int.h: what the files of the HTTP module share and nobody else
 * may use.  httpd.c sets up the daemons, counts and queues responses and
 * dispatches requests; httpd_obj.c answers cache objects (conditionals,
 * ranges and the table of reusable blob responses); httpd_hold.c looks
 * objects up and holds requests for expected ones (suspend/resume),
 * LL-HLS blocking reloads among them; httpd_pl.c makes and sends live HLS
 * playlists as rewritten for players; httpd_ui.c serves the status page's
 * files; httpd_guard.c enforces the limits and networks of [http] and
 * opens the sockets of interface listen addresses.  httpd.c sees
 * httpd_hold.c, httpd_ui.c and httpd_guard.c only.
 */
#ifndef NIPCACHE_HTTPD_INT_H
#define NIPCACHE_HTTPD_INT_H

#include <stdint.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "cache.h"
#include "hls.h"
#include "httpd.h"
#include "names.h"

/* Send buffer for loopback peers (the kernel doubles it); httpd.c. */
#define HTTPD_LO_SNDBUF		(256 << 10)
/* RAM the blob response table may pin (httpd_obj.c). */
#define HTTPD_RC_BYTES_MAX	(2u << 20)
/* Segments never change once published; playlists change every second. */
#define HTTPD_CC_MEDIA		"public, max-age=86400, immutable"
#define HTTPD_CC_PLAYLIST	"max-age=1"

enum httpd_method {
	HTTPD_M_GET,
	HTTPD_M_HEAD,
	HTTPD_M_OPTIONS,
	HTTPD_M_OTHER,
};

/* Responses built once at start and queued by every thread. */
enum httpd_fixed {
	HTTPD_F_BAD,
	HTTPD_F_NOTFOUND,
	HTTPD_F_METHOD,
	HTTPD_F_OPTIONS,
	HTTPD_F_SERVICES,
	HTTPD_F_UNAVAIL,
	HTTPD_F_FORBIDDEN,	/* admin_allow */
	HTTPD_F_RATE,		/* max_request_rate */
	HTTPD_F_N
};

/* A connection as httpd_guard.c tracks it (MHD's socket context). */
struct httpd_gconn;

/* CORS headers every response carries (name, value, ..., NULL). */
extern const char *const httpd_hdr_cors[];

/* httpd.c */
/* Queue r and count it; body is what a GET sends (0 for HEAD). */
enum MHD_Result httpd_queue(struct MHD_Connection *c, unsigned code,
	    struct MHD_Response *r, uint64_t body);
/* Queue one of the fixed responses (the body counts for GET only). */
enum MHD_Result httpd_queue_fixed(struct MHD_Connection *c,
	    enum httpd_fixed f, enum httpd_method m);
/* Queue a response made for this request (NULL: 503), then drop it. */
enum MHD_Result httpd_queue_once(struct MHD_Connection *c, unsigned code,
	    struct MHD_Response *r, uint64_t body);
/* 1 if sa is a loopback address (127/8, ::1, ::ffff:127/104); 0 else. */
int	httpd_peer_is_loopback(const struct sockaddr *sa);
/* Add one header; 1, or 0 if MHD refused it (out of memory). */
int	httpd_add1(struct MHD_Response *r, const char *name,
	    const char *value);
/* Add a header list (name, value, ..., NULL); 1, or 0. */
int	httpd_add(struct MHD_Response *r, const char *const *kv);
/* r if its headers went in (ok), else NULL with r destroyed. */
struct MHD_Response *httpd_keep(struct MHD_Response *r, int ok);

/* httpd_obj.c */
/* Make the hit consistent (safe headers); -1 if it cannot be served. */
int	httpd_hit_check(struct cache_hit *h, const char *path);
/* Give back whatever the hit still owns (descriptor, blob reference). */
void	httpd_hit_release(struct cache_hit *h);
/*
 * Answer a checked hit: 304, 206/416 for a range, else 200.  shared: the
 * full answer of a blob may come from (and go into) the table of kept
 * responses, which is keyed by path alone.  The hit is released.
 */
enum MHD_Result httpd_serve_hit(struct MHD_Connection *c,
	    struct cache_hit *h, const char *path, enum httpd_method m,
	    int shared);
/* An empty body with the CORS headers (304, 416), or NULL. */
struct MHD_Response *httpd_empty(void);
/* Set up and tear down the blob response table (httpd_start/stop). */
void	httpd_rc_init(void);
/* Drop every kept response (and so its blob reference). */
void	httpd_rc_flush(void);
/* Bytes charged to the table (bodies plus a fixed cost per response). */
uint64_t httpd_rc_bytes(void);

/* httpd_hold.c */
/*
 * Answer the cache object at path (a key from httpu_check_target).  A
 * miss is 404; but when the object is expected (joining: its service is
 * being joined; or the fetch hook or the hold table says it is coming)
 * the request is held until it is published, then answered, or answered
 * 503 with Retry-After at the hold deadline.  503 too before the cache
 * is open.  cls is the request's MHD context (see httpd_req_mark).
 */
enum MHD_Result httpd_object(struct MHD_Connection *c, const char *path,
	    enum httpd_method m, int joining, void **cls);
/* First call of the access handler: mark the request as seen. */
void	httpd_req_mark(void **cls);
/* MHD_OPTION_NOTIFY_COMPLETED: free what the request holds. */
void	httpd_req_done(void **cls);
/* Take the options and the fetch hook (NULL: nothing is expected). */
void	httpd_hold_start(const struct conf *c, const struct httpd_hooks *hk);
/* Resume every held request and hold no more; before MHD_stop_daemon. */
void	httpd_hold_stop(void);
/* Forget the playlist states; after MHD_stop_daemon. */
void	httpd_hold_free(void);
/* The hold and playlist counters of struct httpd_stats. */
void	httpd_hold_stats(struct httpd_stats *out);

/* httpd_ui.c */
/*
 * Take the page's folder ([http] ui_dir, else the compiled-in one) and log
 * what is missing from it.
 */
void	httpd_ui_start(const struct conf *c);
/* 1 if path is the status page or one of its files ("/", "/ui/..."). */
int	httpd_ui_is(const char *path);
/*
 * Answer a path httpd_ui_is() took: a file of the fixed list (200, or 304
 * by ETag), 404 for any other, and for "/" without index.html a plain
 * index saying what is missing.
 */
enum MHD_Result httpd_ui(struct MHD_Connection *c, const char *path,
	    enum httpd_method m);

/* httpd_guard.c */
/*
 * Take the limits and networks of c and start the thread that closes
 * connections whose request does not arrive in time.  0, or -1 (logged).
 */
int	httpd_guard_start(const struct conf *c);
/* Stop the thread and forget the clients; after MHD_stop_daemon. */
void	httpd_guard_stop(void);
/* MHD's accept policy: max_connections, max_connections_per_client. */
enum MHD_Result httpd_guard_accept(void *cls, const struct sockaddr *sa,
	    socklen_t salen);
/* MHD_CONNECTION_NOTIFY_STARTED and _CLOSED (*socket_ctx is ours). */
void	httpd_guard_open(struct MHD_Connection *c, void **socket_ctx);
void	httpd_guard_close(void **socket_ctx);
/*
 * A request's headers (and body) are in: its connection no longer has a
 * deadline.  After its response, the connection has [http] timeout to
 * bring the next request whole (httpd_guard_req_done).
 */
void	httpd_guard_req_in(struct MHD_Connection *c);
void	httpd_guard_req_done(struct MHD_Connection *c);
/* Take a token of the client's max_request_rate: 0, or -1 (answer 429). */
int	httpd_guard_rate(struct MHD_Connection *c);
/* 1 if path is a diagnostic page that admin_allow guards. */
int	httpd_guard_admin_path(const char *path);
/* 1 if the client is in admin_allow; 0 (answer 403), counted. */
int	httpd_guard_admin(struct MHD_Connection *c);
/*
 * Reserve a held request under max_held and max_held_per_client: 0 with
 * *slot to give back with httpd_guard_unhold (while the connection is
 * open), or -1 (answer 503), counted.
 */
int	httpd_guard_hold(struct MHD_Connection *c,
	    struct httpd_gconn **slot);
void	httpd_guard_unhold(struct httpd_gconn *slot);
/* Count a refusal libmicrohttpd made itself (from its log). */
void	httpd_guard_count(enum httpd_limit l);
/* The limit counters of struct httpd_stats. */
void	httpd_guard_stats(struct httpd_stats *out);
/*
 * The listening socket of an "IFNAME:PORT" listen address: dual-stack
 * (IPv4 where there is no IPv6), bound to the interface with
 * SO_BINDTODEVICE, so it accepts whatever arrives on that interface
 * whatever its addresses are now or later.  The descriptor, or -1
 * (logged); -2 if s is not of that form.
 */
int	httpd_guard_if_socket(const char *s);

/* httpd_pl.c */
/* A live playlist as served to one request (httpd_pl_make). */
struct httpd_served {
	char		*body;		/* rewritten (malloc'd), or NULL */
	size_t		len;
	struct hls_info	info;
	/*
	 * The first of the trailing run of segments not there and not
	 * expected (what is held back), for a blocking reload to wait on,
	 * and its generation, read before its second lookup.
	 */
	char		tail[NAMES_MAX + 1];
	uint64_t	tail_gen;
	int		in_run;
};

/* Take the gap option, the fetch and refresh hooks (httpd_hold_start). */
void	httpd_pl_start(const struct conf *c, const struct httpd_hooks *hk);
/* Forget the playlist states (httpd_hold_free). */
void	httpd_pl_free(void);
/* The playlist counters of struct httpd_stats (httpd_hold_stats). */
void	httpd_pl_stats(struct httpd_stats *out);
/* 1 if the hit is an HLS playlist held in RAM. */
int	httpd_pl_is(const struct cache_hit *h, const char *path);
/*
 * The playlist in b as this request gets it, into a zeroed sv: rewritten
 * (sv->body) or as received.  Without a fetch hook nothing can be known
 * to be coming, so the playlist is only scanned.  0, or -1 when out of
 * memory.
 */
int	httpd_pl_make(const char *path, const struct cache_hit *h,
	    struct httpd_served *sv);
/*
 * Answer a rewritten body (sv->body), made for this request, 200 or 304.
 * The hit is released; the body is handed to MHD or freed.
 */
enum MHD_Result httpd_pl_send(struct MHD_Connection *c, enum httpd_method m,
	    struct cache_hit *h, struct httpd_served *sv);

#endif
