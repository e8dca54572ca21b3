/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * httpd.c: the local HTTP server.  One libmicrohttpd daemon per [http]
 * listen address, each an epoll loop with a small thread pool.  The
 * access handler judges the raw request target, routes the reserved
 * paths, and hands everything else to httpd_object() (httpd_obj.c), which
 * answers cache objects:
 *
 *   - small objects from the refcounted blob the cache hands out (no copy,
 *     no open); the full 200 response of a blob is kept in a small table
 *     and queued again while the cache still returns that same blob, so a
 *     hot playlist costs no allocation and no header formatting at all;
 *   - other objects from the descriptor cache_open opened, so MHD sends
 *     them with sendfile and closes the descriptor afterwards.
 *
 * MHD percent-decodes the path before the handler sees it, which would
 * hide "%2e%2e" and "%2f" from our checks, so an identity unescape
 * callback is installed: the handler gets the raw path (MHD has already
 * cut the query) and httpu_check_target() judges and decodes it.  Query
 * arguments stay raw too; a handler that ever reads them must decode.
 *
 * Caching headers: playlists and manifests (hit.is_playlist) get
 * "max-age=1" so a live stream never sticks on a stale copy; everything
 * else is immutable once published and gets "public, max-age=86400,
 * immutable".  A miss is 404, or 503 with Retry-After while the cache is
 * not open yet; a miss on an object that is on its way is held
 * (httpd_hold.c), which is why the daemons allow suspend/resume.
 *
 * Who may connect, how much one client may take and who may see the
 * diagnostic pages is httpd_guard.c's: its accept policy, the first call
 * for each request (rate), and httpd_reserved (admin_allow).
 *
 * HTTP status codes exist only in the httpd files.  Nothing is logged
 * per request; bad requests are answered and counted (refusals by a
 * limit are also logged, rate-limited).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "httpd_int.h"
#include "log.h"
#include "mime.h"
#include "names.h"
#include "util.h"

#define HTTPD_CC_NONE		"no-store"
#define HTTPD_EXPOSE		"Content-Length, Content-Range, Age, Date"
#define HTTPD_METHODS		"GET, HEAD, OPTIONS"
#define HTTPD_REQ_HEADERS	"Range, If-Range, If-None-Match, If-Modified-Since"
#define HTTPD_HEALTH_MAX	4096
#define HTTPD_METRICS_MAX	(256 << 10)
/*
 * Per-connection memory: MHD zeroes all of it between keep-alive requests,
 * so the default 32 KiB costs a 32 KiB memset per request.  16 KiB still
 * holds a NAMES_MAX target and several KiB of request headers.
 */
#define HTTPD_CONN_MEM		(16 << 10)

static struct {
	struct MHD_Daemon	*d[CONF_MAX_LISTEN];
	int			port[CONF_MAX_LISTEN];
	size_t			n;
	int			running;
	struct httpd_hooks	hooks;
	struct MHD_Response	*fixed[HTTPD_F_N];
} httpd;

static _Atomic uint64_t httpd_codes[HTTPD_NCODES];
static _Atomic uint64_t httpd_bytes;

/* Header lists: name, value, ..., NULL. */
const char *const httpd_hdr_cors[] = {
	"Access-Control-Allow-Origin", "*",
	"Access-Control-Expose-Headers", HTTPD_EXPOSE, NULL
};
static const char *const hdr_allow[] = { "Allow", HTTPD_METHODS, NULL };
static const char *const hdr_retry[] = { "Retry-After", "1", NULL };
static const char *const hdr_preflight[] = {
	"Allow", HTTPD_METHODS,
	"Access-Control-Allow-Methods", HTTPD_METHODS,
	"Access-Control-Allow-Headers", HTTPD_REQ_HEADERS,
	"Access-Control-Max-Age", "86400",
	"Access-Control-Allow-Private-Network", "true", NULL
};

static const struct {
	unsigned	code;
	const char	*type;
	const char	*body;
	const char *const *extra;
} httpd_fixed_def[HTTPD_F_N] = {
	[HTTPD_F_BAD] = { 400, "text/plain", "bad request\n", NULL },
	[HTTPD_F_NOTFOUND] = { 404, "text/plain", "not found\n", NULL },
	[HTTPD_F_METHOD] = { 405, "text/plain", "method not allowed\n",
	    hdr_allow },
	[HTTPD_F_OPTIONS] = { 204, NULL, "", hdr_preflight },
	[HTTPD_F_SERVICES] = { 200, "application/json",
	    "{\"services\":[]}\n", NULL },
	[HTTPD_F_UNAVAIL] = { 503, "text/plain", "service unavailable\n",
	    hdr_retry },
	[HTTPD_F_FORBIDDEN] = { 403, "text/plain", "forbidden\n", NULL },
	[HTTPD_F_RATE] = { 429, "text/plain", "too many requests\n",
	    hdr_retry },
};

/* Appended, never reordered: the indices are by_code[]'s. */
static const char *const httpd_labels[HTTPD_NCODES] = {
	"200", "204", "206", "304", "400", "404", "416", "503", "403", "414",
	"429", "431", "other"
};

static const unsigned httpd_code_vals[HTTPD_NCODES - 1] = {
	200, 204, 206, 304, 400, 404, 416, 503, 403, 414, 429, 431
};

/* Index into by_code[]: the last one collects every other status. */
static int
httpd_code_idx(unsigned code)
{
	int i;

	for (i = 0; i < HTTPD_NCODES - 1; i++) {
		if (httpd_code_vals[i] == code)
			return i;
	}
	return HTTPD_NCODES - 1;
}

const char *
httpd_code_label(int idx)
{
	if (idx < 0 || idx >= HTTPD_NCODES)
		return "other";
	return httpd_labels[idx];
}

void
httpd_get_stats(struct httpd_stats *out)
{
	int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < HTTPD_NCODES; i++) {
		out->by_code[i] = atomic_load_explicit(&httpd_codes[i],
		    memory_order_relaxed);
		out->requests += out->by_code[i];
	}
	out->bytes_sent_hint = atomic_load_explicit(&httpd_bytes,
	    memory_order_relaxed);
	httpd_hold_stats(out);
	httpd_guard_stats(out);
}

int
httpd_bound_port(size_t i)
{
	return i < httpd.n ? httpd.port[i] : -1;
}

/* Queue r and count it; body is what a GET sends (0 for HEAD). */
enum MHD_Result
httpd_queue(struct MHD_Connection *c, unsigned code, struct MHD_Response *r,
    uint64_t body)
{
	atomic_fetch_add_explicit(&httpd_codes[httpd_code_idx(code)], 1,
	    memory_order_relaxed);
	if (body > 0)
		atomic_fetch_add_explicit(&httpd_bytes, body,
		    memory_order_relaxed);
	return MHD_queue_response(c, code, r);
}

enum MHD_Result
httpd_queue_fixed(struct MHD_Connection *c, enum httpd_fixed f,
    enum httpd_method m)
{
	const char *body = httpd_fixed_def[f].body;

	return httpd_queue(c, httpd_fixed_def[f].code, httpd.fixed[f],
	    m == HTTPD_M_GET ? strlen(body) : 0);
}

/* Queue a response made for this request, then drop our reference. */
enum MHD_Result
httpd_queue_once(struct MHD_Connection *c, unsigned code,
    struct MHD_Response *r, uint64_t body)
{
	enum MHD_Result ret;

	if (r == NULL)
		return httpd_queue_fixed(c, HTTPD_F_UNAVAIL, HTTPD_M_HEAD);
	ret = httpd_queue(c, code, r, body);
	MHD_destroy_response(r);
	return ret;
}

int
httpd_add1(struct MHD_Response *r, const char *name, const char *value)
{
	return MHD_add_response_header(r, name, value) == MHD_YES;
}

/* Add a header list; 0 if MHD refused one (out of memory). */
int
httpd_add(struct MHD_Response *r, const char *const *kv)
{
	for (; kv[0] != NULL; kv += 2) {
		if (!httpd_add1(r, kv[0], kv[1]))
			return 0;
	}
	return 1;
}

/* r if its headers went in (ok), else NULL with r destroyed. */
struct MHD_Response *
httpd_keep(struct MHD_Response *r, int ok)
{
	if (r != NULL && !ok) {
		MHD_destroy_response(r);
		return NULL;
	}
	return r;
}

static struct MHD_Response *
httpd_fixed_new(enum httpd_fixed f)
{
	const char *body = httpd_fixed_def[f].body;
	const char *type = httpd_fixed_def[f].type;
	struct MHD_Response *r;

	/* The bodies are static; MHD only reads them. */
	r = MHD_create_response_from_buffer(strlen(body),
	    (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return NULL;
	return httpd_keep(r, httpd_add(r, httpd_hdr_cors) &&
	    httpd_add1(r, "Cache-Control", HTTPD_CC_NONE) &&
	    (type == NULL || httpd_add1(r, "Content-Type", type)) &&
	    (httpd_fixed_def[f].extra == NULL ||
	    httpd_add(r, httpd_fixed_def[f].extra)));
}

/* Readiness: 200 once main says so, 503 before, both with its JSON. */
static enum MHD_Result
httpd_health(struct MHD_Connection *c, enum httpd_method m)
{
	char buf[HTTPD_HEALTH_MAX];
	struct MHD_Response *r;
	int ready = 1;
	size_t n;

	if (httpd.hooks.health != NULL) {
		buf[0] = '\0';
		ready = httpd.hooks.health(buf, sizeof(buf));
		buf[sizeof(buf) - 1] = '\0';
	} else
		util_strlcpy(buf, "{\"status\":\"ok\"}\n", sizeof(buf));
	n = strlen(buf);
	r = MHD_create_response_from_buffer(n, buf, MHD_RESPMEM_MUST_COPY);
	r = httpd_keep(r, r != NULL && httpd_add(r, httpd_hdr_cors) &&
	    httpd_add1(r, "Content-Type", "application/json") &&
	    httpd_add1(r, "Cache-Control", HTTPD_CC_NONE));
	return httpd_queue_once(c, ready ? 200 : 503, r, m == HTTPD_M_GET ? n : 0);
}

static enum MHD_Result
httpd_metrics(struct MHD_Connection *c, enum httpd_method m)
{
	struct MHD_Response *r;
	char *buf;
	size_t n = 0;

	if ((buf = malloc(HTTPD_METRICS_MAX)) == NULL)
		return httpd_queue_fixed(c, HTTPD_F_UNAVAIL, m);
	buf[0] = '\0';
	if (httpd.hooks.metrics != NULL)
		n = httpd.hooks.metrics(buf, HTTPD_METRICS_MAX);
	if (n > HTTPD_METRICS_MAX)
		n = HTTPD_METRICS_MAX;
	r = MHD_create_response_from_buffer_with_free_callback(n, buf, free);
	if (r == NULL) {
		free(buf);
		return httpd_queue_fixed(c, HTTPD_F_UNAVAIL, m);
	}
	/* No CORS: a web page in a LAN browser must not read it (README). */
	r = httpd_keep(r,
	    httpd_add1(r, "Content-Type", "text/plain; version=0.0.4") &&
	    httpd_add1(r, "Cache-Control", HTTPD_CC_NONE));
	return httpd_queue_once(c, 200, r, m == HTTPD_M_GET ? n : 0);
}

/* A document from the hook: /services.json, /dvbi/..., /nip/... */
static enum MHD_Result
httpd_document(struct MHD_Connection *c, const char *path,
    enum httpd_method m)
{
	struct httpd_doc d;
	struct MHD_Response *r;
	const char *host;
	char cc[48];
	int code;

	if (httpd.hooks.document == NULL)
		return strcmp(path, "/services.json") == 0 ?
		    httpd_queue_fixed(c, HTTPD_F_SERVICES, m) :
		    httpd_queue_fixed(c, HTTPD_F_NOTFOUND, m);
	memset(&d, 0, sizeof(d));
	host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	code = httpd.hooks.document(path, host, &d);
	if (code != 200)
		return httpd_queue_fixed(c, code == 404 ? HTTPD_F_NOTFOUND :
		    HTTPD_F_UNAVAIL, m);
	r = MHD_create_response_from_buffer_with_free_callback(d.len, d.body,
	    free);
	if (r == NULL) {
		free(d.body);
		return httpd_queue_fixed(c, HTTPD_F_UNAVAIL, m);
	}
	snprintf(cc, sizeof(cc), "max-age=%u", d.max_age);
	/* CORS for players and apps; not on the diagnostics (/nip/...). */
	r = httpd_keep(r, (httpd_guard_admin_path(path) ||
	    httpd_add(r, httpd_hdr_cors)) &&
	    httpd_add1(r, "Content-Type", d.type) &&
	    httpd_add1(r, "Cache-Control", d.max_age ? cc : HTTPD_CC_NONE));
	return httpd_queue_once(c, 200, r, m == HTTPD_M_GET ? d.len : 0);
}

/* The daemon's own paths; the diagnostic ones only for admin_allow. */
static enum MHD_Result
httpd_reserved(struct MHD_Connection *c, const char *path,
    enum httpd_method m)
{
	if (httpd_guard_admin_path(path) && !httpd_guard_admin(c))
		return httpd_queue_fixed(c, HTTPD_F_FORBIDDEN, m);
	if (httpd_ui_is(path))
		return httpd_ui(c, path, m);
	if (strcmp(path, "/health") == 0)
		return httpd_health(c, m);
	if (strcmp(path, "/metrics") == 0)
		return httpd_metrics(c, m);
	return httpd_document(c, path, m);
}

static enum httpd_method
httpd_method(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return HTTPD_M_GET;
	if (strcmp(m, "HEAD") == 0)
		return HTTPD_M_HEAD;
	if (strcmp(m, "OPTIONS") == 0)
		return HTTPD_M_OPTIONS;
	return HTTPD_M_OTHER;
}

/*
 * The first call for a request: its headers are in.  A response queued
 * here makes MHD close the connection afterwards (it will not read the
 * rest of the request), so only what we refuse is answered here: a
 * client over its request rate, a method we do not serve.
 */
static enum MHD_Result
httpd_first(struct MHD_Connection *c, enum httpd_method m, void **con_cls)
{
	if (httpd_guard_rate(c) < 0) {
		httpd_guard_req_in(c);
		return httpd_queue_fixed(c, HTTPD_F_RATE, m);
	}
	if (m == HTTPD_M_OTHER) {
		httpd_guard_req_in(c);
		return httpd_queue_fixed(c, HTTPD_F_METHOD, m);
	}
	httpd_req_mark(con_cls);
	return MHD_YES;
}

/*
 * The access handler.  MHD calls it once when the headers are in
 * (httpd_first), then with any body, then once more with nothing left,
 * when the request is answered and the connection kept alive.  A body is
 * read and dropped.
 */
static enum MHD_Result
httpd_access(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	char path[NAMES_MAX + 1];
	enum httpd_method m = httpd_method(method);

	(void)cls;
	(void)version;
	(void)upload_data;
	if (*con_cls == NULL)
		return httpd_first(c, m, con_cls);
	if (*upload_data_size != 0) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	httpd_guard_req_in(c);
	if (httpu_check_target(url, path, sizeof(path)) < 0)
		return httpd_queue_fixed(c, HTTPD_F_BAD, m);
	if (m == HTTPD_M_OPTIONS)
		return httpd_queue_fixed(c, HTTPD_F_OPTIONS, m);
	if (names_is_reserved(path))
		return httpd_reserved(c, path, m);
	return httpd_object(c, path, m, httpd.hooks.touch != NULL ?
	    httpd.hooks.touch(path) : 0, con_cls);
}

/* A request is over (answered, or its connection closed). */
static void
httpd_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode why)
{
	(void)cls;
	(void)why;
	httpd_req_done(con_cls);
	httpd_guard_req_done(c);
}

/* Keep the path raw: httpu_check_target() must see the escapes. */
static size_t
httpd_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

/*
 * What MHD refused on its own: requests it answered itself (the request
 * line or headers did not fit the connection's memory: 414, 431; bad
 * syntax: 400) and connections over its backstop limit.  Its log is the
 * only place that says so.
 */
static void
httpd_mhd_count(const char *msg)
{
	static const char err[] = "Error processing request (HTTP response "
	    "code is ";
	unsigned long code;

	/* 0: no number; an HTTP status has three digits. */
	if (strncmp(msg, err, sizeof(err) - 1) == 0 &&
	    (code = strtoul(msg + sizeof(err) - 1, NULL, 10)) > 0 &&
	    code < 1000) {
		atomic_fetch_add_explicit(
		    &httpd_codes[httpd_code_idx((unsigned)code)],
		    1, memory_order_relaxed);
		if (code == 414 || code == 431)
			httpd_guard_count(HTTPD_L_HEADER_SIZE);
	} else if (strncmp(msg, "Server reached connection limit", 31) == 0) {
		httpd_guard_count(HTTPD_L_CONNS);
	}
}

/*
 * A client that goes away mid-answer: a player that stops, seeks or
 * switches renditions closes its connection while a segment is still
 * being sent.  That is how players work, not a fault of anyone's.
 */
static int
httpd_mhd_client_gone(const char *msg)
{
	return strncmp(msg, "Failed to send", 14) == 0 ||
	    strstr(msg, "no longer available") != NULL ||
	    strstr(msg, "reset by peer") != NULL ||
	    strstr(msg, "Broken pipe") != NULL;
}

/* MHD's own messages are mostly about clients: rate-limited. */
static void __attribute__((format(printf, 2, 0)))
httpd_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[256];
	size_t n;

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	httpd_mhd_count(buf);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (httpd_mhd_client_gone(buf))
		log_debug("httpd: libmicrohttpd: %s", buf);
	else
		log_warnx_rl("httpd: libmicrohttpd: %s", buf);
}

/* 1 if sa is a loopback address (127/8, ::1 or ::ffff:127/104). */
int
httpd_peer_is_loopback(const struct sockaddr *sa)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	const struct sockaddr_in6 *s6;

	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family != AF_INET6)
		return 0;
	s6 = (const struct sockaddr_in6 *)(const void *)sa;
	if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
		return 1;
	return memcmp(s6->sin6_addr.s6_addr, v4mapped, 12) == 0 &&
	    s6->sin6_addr.s6_addr[12] == 127;
}

/*
 * A connection opens or closes: httpd_guard.c tracks it (limits,
 * deadlines, admin_allow).  A new loopback connection also gets a fixed
 * send buffer.  In pool mode MHD sends a file in 128 KiB sendfile()
 * chunks, and a loopback socket's send buffer autotunes up to 4 MB, so a
 * whole 2 MB segment sits queued in the socket.  The player's kernel then
 * sees each window it opens refilled within microseconds, measures a
 * round-trip time of that order and never grows its receive buffer (ss
 * showed rcv_rtt 15 us, the window stuck at 64 KiB and the sender
 * "rwnd_limited" 90% of the time); every window update then makes the
 * reader's own softirq push the next packets, and the reader, not the
 * server, runs out of CPU.  On loopback a fixed buffer of a few hundred
 * KiB costs nothing (the RTT is microseconds) and lets the reader's
 * autotuning work: with wrk on 2 MB segments, from 0.85x to about 1.1x
 * nginx.  Remote peers keep autotuning, which a real round-trip time
 * needs.  A failed setsockopt only costs speed.
 */
static void
httpd_notify_conn(void *cls, struct MHD_Connection *c, void **socket_ctx,
    enum MHD_ConnectionNotificationCode what)
{
	const union MHD_ConnectionInfo *peer, *fd;
	int v = HTTPD_LO_SNDBUF;

	(void)cls;
	if (what == MHD_CONNECTION_NOTIFY_CLOSED) {
		httpd_guard_close(socket_ctx);
		return;
	}
	if (what != MHD_CONNECTION_NOTIFY_STARTED)
		return;
	httpd_guard_open(c, socket_ctx);
	peer = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (peer == NULL || !httpd_peer_is_loopback(peer->client_addr))
		return;
	fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (fd != NULL)
		(void)setsockopt(fd->connect_fd, SOL_SOCKET, SO_SNDBUF, &v,
		    sizeof(v));
}

/*
 * Where c->listen[i] listens: an address MHD binds (V6ONLY for IPv6), or
 * an interface, whose socket we make (*lfd).  0, or -1 (logged).
 */
static int
httpd_listen_addr(const struct conf *c, size_t i, struct sockaddr_storage *ss,
    int *lfd, unsigned int *flags)
{
	socklen_t sl;

	memset(ss, 0, sizeof(*ss));
	*lfd = -1;
	if (httpu_parse_listen(c->listen[i], ss, &sl) == 0) {
		if (ss->ss_family == AF_INET6)
			*flags |= MHD_USE_IPv6;
		return 0;
	}
	if ((*lfd = httpd_guard_if_socket(c->listen[i])) >= 0)
		return 0;
	if (*lfd == -2)
		log_warnx("httpd: listen %s: not ADDR:PORT or INTERFACE:PORT",
		    c->listen[i]);
	return -1;
}

/*
 * Start the daemon for c->listen[i].  Our accept policy enforces
 * max_connections over all of them; MHD's own limit, which it splits
 * between its threads, is only a backstop.
 */
static int
httpd_listen(const struct conf *c, size_t i)
{
	unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	unsigned int th = c->http_threads > 1 ? c->http_threads : 0;
	const union MHD_DaemonInfo *di;
	struct sockaddr_storage ss;
	struct MHD_Daemon *d;
	char addr[INET6_ADDRSTRLEN + 2];
	int lfd;

	if (httpd_listen_addr(c, i, &ss, &lfd, &flags) < 0)
		return -1;
	/*
	 * A socket of ours is MHD's from here: it closes it when it stops,
	 * and on some of its failures, so a failure leaves it alone (at
	 * worst one descriptor, and httpd_start fails).
	 */
	d = MHD_start_daemon(flags, 0, httpd_guard_accept, NULL, httpd_access,
	    NULL, MHD_OPTION_EXTERNAL_LOGGER, httpd_mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&ss,
	    MHD_OPTION_LISTEN_SOCKET, lfd,
	    MHD_OPTION_THREAD_POOL_SIZE, th,
	    MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned int)c->http_max_conns * (th > 0 ? th : 1),
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)c->http_timeout_s,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTPD_CONN_MEM,
	    MHD_OPTION_UNESCAPE_CALLBACK, httpd_unescape, NULL,
	    MHD_OPTION_NOTIFY_CONNECTION, httpd_notify_conn, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, httpd_completed, NULL,
	    MHD_OPTION_END);
	if (d == NULL) {
		log_warnx("httpd: listen %s: cannot start (address in use?)",
		    c->listen[i]);
		return -1;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	httpd.d[httpd.n] = d;
	httpd.port[httpd.n] = di != NULL ? di->port : 0;
	if (lfd >= 0)
		log_info("httpd: listening on %s (port %d, any address of the "
		    "interface)", c->listen[i], httpd.port[httpd.n]);
	else {
		httpu_format_addr(&ss, addr, sizeof(addr));
		log_info("httpd: listening on %s:%d", addr,
		    httpd.port[httpd.n]);
	}
	httpd.n++;
	return 0;
}

static void
httpd_free_fixed(void)
{
	int f;

	for (f = 0; f < HTTPD_F_N; f++) {
		if (httpd.fixed[f] != NULL)
			MHD_destroy_response(httpd.fixed[f]);
		httpd.fixed[f] = NULL;
	}
}

int
httpd_start(const struct conf *c, const struct httpd_hooks *hooks)
{
	size_t i;
	int f;

	if (httpd.running) {
		log_warnx("httpd_start: already running");
		return -1;
	}
	memset(&httpd.hooks, 0, sizeof(httpd.hooks));
	if (hooks != NULL)
		httpd.hooks = *hooks;
	for (f = 0; f < HTTPD_F_N; f++) {
		if ((httpd.fixed[f] = httpd_fixed_new(f)) == NULL) {
			log_warnx("httpd_start: out of memory");
			httpd_free_fixed();
			return -1;
		}
	}
	if (httpd_guard_start(c) < 0) {
		httpd_free_fixed();
		return -1;
	}
	httpd_rc_init();
	httpd_ui_start(c);
	httpd_hold_start(c, &httpd.hooks);
	httpd.n = 0;
	httpd.running = 1;
	for (i = 0; i < c->nlisten && i < CONF_MAX_LISTEN; i++) {
		if (httpd_listen(c, i) < 0) {
			httpd_stop();
			return -1;
		}
	}
	if (httpd.n == 0)
		log_info("httpd: no listen address, HTTP is off");
	return 0;
}

void
httpd_stop(void)
{
	size_t i;

	if (!httpd.running)
		return;
	/* MHD panics if a connection is still suspended when it stops. */
	httpd_hold_stop();
	for (i = 0; i < httpd.n; i++) {
		MHD_stop_daemon(httpd.d[i]);
		httpd.d[i] = NULL;
	}
	httpd.n = 0;
	httpd_guard_stop();
	httpd_hold_free();
	httpd_rc_flush();
	httpd_free_fixed();
	httpd.running = 0;
}
