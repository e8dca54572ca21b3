/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * httpd_guard.c: who may reach the HTTP server and how much of it one
 * client may take, so that a hostile device on the home network can
 * neither exhaust the server nor read its diagnostics.
 *
 *   - Connections: max_connections in all (exact across every listen
 *     address, unlike libmicrohttpd's own limit, which it splits between
 *     its threads) and max_connections_per_client, decided in MHD's
 *     accept policy callback, so a refused connection is closed at once.
 *   - Request rate: a token bucket per client address, max_request_rate
 *     per second with bursts of twice that; an empty bucket is 429 with
 *     Retry-After.
 *   - Held requests: max_held in all and max_held_per_client, reserved
 *     before a request is suspended (httpd_hold.c); beyond them, 503.
 *   - Slow requests (slowloris): a new connection must deliver its first
 *     request, headers and any body, within header_timeout; each later
 *     request must come whole within [http] timeout of the previous
 *     response.  libmicrohttpd's own timeout only counts idle time, which
 *     one byte every few seconds resets.  The guard thread shuts the late
 *     connections down; MHD then sees the end of the stream and closes.
 *   - Diagnostics: /, /ui/, /health, /metrics, /status.json and /nip/ are
 *     403 for clients outside admin_allow (decided once per connection).
 *   - Where: an "IFNAME:PORT" listen address gets a socket bound to that
 *     interface (SO_BINDTODEVICE, which needs no privilege since Linux
 *     5.7), so it serves what arrives there and nothing else.
 *
 * Clients in limit_exempt (default: loopback, the box itself) are held to
 * no per-client limit; the totals hold for everyone.  A client is an
 * address; IPv4 seen on a dual-stack socket counts as IPv4.
 *
 * Locking: one mutex (g.mtx) covers the client table, the deadline lists
 * and the connections on them.  It is held across shutdown(2) of a late
 * connection on purpose: MHD tells us a connection is closed before it
 * closes the descriptor, and that notification takes the mutex, so a
 * descriptor on a list is never one the kernel has given to another
 * connection.  shutdown() does not block.  Nothing is logged under it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <uthash.h>
#include <utlist.h>

#include "httpd_int.h"
#include "log.h"
#include "mime.h"
#include "netacl.h"
#include "util.h"

/*
 * The thread sleeps at most a tick; every sweep it forgets the clients
 * with nothing open for GUARD_IDLE_MS.  The table holds max_connections
 * plus GUARD_CLIENTS_EXTRA clients.
 */
#define GUARD_TICK_MS		1000
#define GUARD_SWEEP_MS		5000
#define GUARD_IDLE_MS		10000
#define GUARD_CLIENTS_EXTRA	1024
#define GUARD_TOKEN		1000	/* a request, in milli-tokens */
#define GUARD_BACKLOG		511

enum { GC_OFF = 0, GC_FIRST, GC_NEXT };	/* which deadline list */

struct guard_key {
	uint8_t		addr[16];
	uint8_t		family;
};

struct guard_client {
	UT_hash_handle	hh;
	struct guard_key key;
	uint32_t	conns;		/* open connections */
	uint32_t	held;		/* held requests reserved */
	uint64_t	tokens;		/* milli-tokens */
	uint64_t	last_ms;	/* of the last refill */
	uint64_t	seen_ms;	/* last request or close */
};

struct httpd_gconn {
	struct httpd_gconn	*prev, *next;	/* g.first or g.next */
	struct guard_client	*cl;		/* NULL: not tracked */
	uint64_t		deadline;
	int			fd;
	uint8_t			list;		/* GC_* */
	uint8_t			admin_ok;
};

static struct {
	pthread_mutex_t		mtx;
	pthread_cond_t		cond;
	pthread_t		thr;
	int			running, stop;
	struct guard_client	*clients;
	uint32_t		nclients, clients_max;
	/* Deadlines grow along each list: the head is the next one due. */
	struct httpd_gconn	*first, *next;
	uint64_t		first_ms, next_ms;
	uint32_t		max_conns, per_client, rate, max_held;
	uint32_t		held_per_client;
	struct netacl		admin, exempt;
} g = {
	.mtx = PTHREAD_MUTEX_INITIALIZER,
};

static _Atomic uint64_t g_conns, g_held;
static _Atomic uint64_t g_refused[HTTPD_NLIMITS];

static const char *const guard_labels[HTTPD_NLIMITS] = {
	"connections", "client_connections", "request_rate", "held",
	"client_held", "header_timeout", "header_size", "admin"
};

const char *
httpd_limit_label(int idx)
{
	return idx >= 0 && idx < HTTPD_NLIMITS ? guard_labels[idx] : "other";
}

void
httpd_guard_count(enum httpd_limit l)
{
	if ((unsigned)l < HTTPD_NLIMITS)
		atomic_fetch_add_explicit(&g_refused[l], 1,
		    memory_order_relaxed);
}

void
httpd_guard_stats(struct httpd_stats *out)
{
	int i;

	for (i = 0; i < HTTPD_NLIMITS; i++)
		out->refused[i] = atomic_load(&g_refused[i]);
	out->connections_now = atomic_load(&g_conns);
	pthread_mutex_lock(&g.mtx);
	out->clients_now = g.nclients;
	pthread_mutex_unlock(&g.mtx);
}

/* The client's address for a log line. */
static void
guard_addr(const struct sockaddr *sa, char *buf, size_t len)
{
	uint8_t a[16];
	int fam;

	if (netacl_key(sa, &fam, a) < 0 || inet_ntop(fam, a, buf,
	    (socklen_t)len) == NULL)
		util_strlcpy(buf, "?", len);
}

static const struct sockaddr *
guard_peer(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i;

	i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	return i != NULL ? i->client_addr : NULL;
}

static struct httpd_gconn *
guard_conn(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i;

	i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return i != NULL ? i->socket_context : NULL;
}

static int
guard_key(const struct sockaddr *sa, struct guard_key *k)
{
	int fam;

	memset(k, 0, sizeof(*k));
	if (netacl_key(sa, &fam, k->addr) < 0)
		return -1;
	k->family = (uint8_t)fam;
	return 0;
}

/* Forget clients with nothing open, idle since before; the number left. */
static uint32_t
do_guard_sweep(uint64_t before)
{
	struct guard_client *cl, *tmp;

	HASH_ITER(hh, g.clients, cl, tmp) {
		if (cl->conns == 0 && cl->held == 0 && cl->seen_ms <= before) {
			/* uthash frees its table with the last item: no use after free. */
			/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
			HASH_DEL(g.clients, cl);
			free(cl);
			g.nclients--;
		}
	}
	return g.nclients;
}

/* The client's entry, made if need be; NULL when the table is full. */
static struct guard_client *
do_guard_client(const struct guard_key *k, uint64_t now)
{
	struct guard_client *cl;

	HASH_FIND(hh, g.clients, k, sizeof(*k), cl);
	if (cl != NULL)
		return cl;
	if (g.nclients >= g.clients_max && do_guard_sweep(now) >=
	    g.clients_max)
		return NULL;
	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return NULL;
	cl->key = *k;
	cl->tokens = 2ull * g.rate * GUARD_TOKEN;
	cl->last_ms = cl->seen_ms = now;
	HASH_ADD(hh, g.clients, key, sizeof(cl->key), cl);
	g.nclients++;
	return cl;
}

enum MHD_Result
httpd_guard_accept(void *cls, const struct sockaddr *sa, socklen_t salen)
{
	struct guard_client *cl;
	struct guard_key k;
	enum httpd_limit why = HTTPD_NLIMITS;
	char a[INET6_ADDRSTRLEN];

	(void)cls;
	(void)salen;
	if (atomic_load(&g_conns) >= g.max_conns) {
		why = HTTPD_L_CONNS;
	} else if (g.per_client > 0 && !netacl_match(&g.exempt, sa) &&
	    guard_key(sa, &k) == 0) {
		pthread_mutex_lock(&g.mtx);
		HASH_FIND(hh, g.clients, &k, sizeof(k), cl);
		if (cl != NULL && cl->conns >= g.per_client)
			why = HTTPD_L_CLIENT_CONNS;
		pthread_mutex_unlock(&g.mtx);
	}
	if (why == HTTPD_NLIMITS)
		return MHD_YES;
	httpd_guard_count(why);
	guard_addr(sa, a, sizeof(a));
	log_warnx_rl("httpd: %s: connection refused (%s)", a,
	    why == HTTPD_L_CONNS ? "max_connections" :
	    "max_connections_per_client");
	return MHD_NO;
}

/* Put gc on a deadline list (held: g.mtx). */
static void
do_guard_arm(struct httpd_gconn *gc, int list, uint64_t now)
{
	if (gc->list == GC_FIRST)
		DL_DELETE(g.first, gc);
	else if (gc->list == GC_NEXT)
		DL_DELETE(g.next, gc);
	gc->list = (uint8_t)list;
	if (list == GC_FIRST) {
		gc->deadline = now + g.first_ms;
		DL_APPEND(g.first, gc);
	} else if (list == GC_NEXT) {
		gc->deadline = now + g.next_ms;
		DL_APPEND(g.next, gc);
	}
}

void
httpd_guard_open(struct MHD_Connection *c, void **socket_ctx)
{
	const union MHD_ConnectionInfo *fd;
	const struct sockaddr *sa = guard_peer(c);
	struct httpd_gconn *gc;
	struct guard_key k;
	uint64_t now = util_now_ms();

	atomic_fetch_add(&g_conns, 1);
	*socket_ctx = NULL;
	fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (fd == NULL || (gc = calloc(1, sizeof(*gc))) == NULL)
		return;
	gc->fd = fd->connect_fd;
	gc->admin_ok = (uint8_t)netacl_match(&g.admin, sa);
	pthread_mutex_lock(&g.mtx);
	if (!netacl_match(&g.exempt, sa) && guard_key(sa, &k) == 0 &&
	    (gc->cl = do_guard_client(&k, now)) != NULL)
		gc->cl->conns++;
	do_guard_arm(gc, GC_FIRST, now);
	pthread_mutex_unlock(&g.mtx);
	*socket_ctx = gc;
}

void
httpd_guard_close(void **socket_ctx)
{
	struct httpd_gconn *gc = *socket_ctx;

	*socket_ctx = NULL;
	atomic_fetch_sub(&g_conns, 1);
	if (gc == NULL)
		return;
	pthread_mutex_lock(&g.mtx);
	do_guard_arm(gc, GC_OFF, 0);
	if (gc->cl != NULL) {
		gc->cl->conns--;
		gc->cl->seen_ms = util_now_ms();
	}
	pthread_mutex_unlock(&g.mtx);
	free(gc);
}

void
httpd_guard_req_in(struct MHD_Connection *c)
{
	struct httpd_gconn *gc = guard_conn(c);

	if (gc == NULL)
		return;
	pthread_mutex_lock(&g.mtx);
	do_guard_arm(gc, GC_OFF, 0);
	pthread_mutex_unlock(&g.mtx);
}

void
httpd_guard_req_done(struct MHD_Connection *c)
{
	struct httpd_gconn *gc = guard_conn(c);

	if (gc == NULL)
		return;
	pthread_mutex_lock(&g.mtx);
	if (gc->fd >= 0)
		do_guard_arm(gc, GC_NEXT, util_now_ms());
	pthread_mutex_unlock(&g.mtx);
}

/* Refill cl's bucket and take a token (held: g.mtx).  0 or -1. */
static int
do_guard_take(struct guard_client *cl, uint64_t now)
{
	uint64_t cap = 2ull * g.rate * GUARD_TOKEN;

	if (now > cl->last_ms) {
		cl->tokens += (now - cl->last_ms) * g.rate;
		if (cl->tokens > cap)
			cl->tokens = cap;
		cl->last_ms = now;
	}
	cl->seen_ms = now;
	if (cl->tokens < GUARD_TOKEN)
		return -1;
	cl->tokens -= GUARD_TOKEN;
	return 0;
}

int
httpd_guard_rate(struct MHD_Connection *c)
{
	struct httpd_gconn *gc;
	char a[INET6_ADDRSTRLEN];
	int r;

	if (g.rate == 0 || (gc = guard_conn(c)) == NULL || gc->cl == NULL)
		return 0;
	pthread_mutex_lock(&g.mtx);
	r = do_guard_take(gc->cl, util_now_ms());
	pthread_mutex_unlock(&g.mtx);
	if (r == 0)
		return 0;
	httpd_guard_count(HTTPD_L_RATE);
	guard_addr(guard_peer(c), a, sizeof(a));
	log_warnx_rl("httpd: %s: over max_request_rate (%u/s), 429", a,
	    g.rate);
	return -1;
}

int
httpd_guard_admin_path(const char *path)
{
	return httpd_ui_is(path) || strcmp(path, "/health") == 0 ||
	    strcmp(path, "/metrics") == 0 ||
	    strcmp(path, "/status.json") == 0 ||
	    strncmp(path, "/nip/", 5) == 0 || strcmp(path, "/nip") == 0;
}

int
httpd_guard_admin(struct MHD_Connection *c)
{
	struct httpd_gconn *gc = guard_conn(c);
	char a[INET6_ADDRSTRLEN];

	if (gc != NULL && gc->admin_ok)
		return 1;
	httpd_guard_count(HTTPD_L_ADMIN);
	guard_addr(guard_peer(c), a, sizeof(a));
	log_warnx_rl("httpd: %s: not in admin_allow, 403", a);
	return 0;
}

int
httpd_guard_hold(struct MHD_Connection *c, struct httpd_gconn **slot)
{
	struct httpd_gconn *gc = guard_conn(c);
	enum httpd_limit why = HTTPD_NLIMITS;
	char a[INET6_ADDRSTRLEN];

	*slot = NULL;
	if (atomic_fetch_add(&g_held, 1) >= g.max_held) {
		why = HTTPD_L_HELD;
	} else if (gc != NULL && gc->cl != NULL && g.held_per_client > 0) {
		pthread_mutex_lock(&g.mtx);
		if (gc->cl->held >= g.held_per_client)
			why = HTTPD_L_CLIENT_HELD;
		else
			gc->cl->held++;
		pthread_mutex_unlock(&g.mtx);
	}
	if (why == HTTPD_NLIMITS) {
		*slot = gc;
		return 0;
	}
	atomic_fetch_sub(&g_held, 1);
	httpd_guard_count(why);
	guard_addr(guard_peer(c), a, sizeof(a));
	log_warnx_rl("httpd: %s: request not held (%s), 503", a,
	    why == HTTPD_L_HELD ? "max_held" : "max_held_per_client");
	return -1;
}

void
httpd_guard_unhold(struct httpd_gconn *gc)
{
	atomic_fetch_sub(&g_held, 1);
	if (gc == NULL || gc->cl == NULL || g.held_per_client == 0)
		return;
	pthread_mutex_lock(&g.mtx);
	gc->cl->held--;
	pthread_mutex_unlock(&g.mtx);
}

/*
 * Shut down the connections of list whose deadline has passed (held:
 * g.mtx).  The number shut down; *next gets the next deadline of list.
 */
static unsigned
do_guard_expire(struct httpd_gconn **list, uint64_t now, uint64_t *next)
{
	struct httpd_gconn *gc;
	unsigned n = 0;

	while ((gc = *list) != NULL && gc->deadline <= now) {
		do_guard_arm(gc, GC_OFF, 0);
		(void)shutdown(gc->fd, SHUT_RDWR);
		gc->fd = -1;	/* never armed again */
		n++;
	}
	if (gc != NULL && gc->deadline < *next)
		*next = gc->deadline;
	return n;
}

static void
guard_sleep_until(uint64_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	(void)pthread_cond_timedwait(&g.cond, &g.mtx, &ts);
}

/*
 * A connection that brought no whole first request in header_timeout is
 * refused (slowloris, or a client that connected and never spoke): counted
 * and logged.  A kept-alive connection with no next request within
 * timeout is a player between requests more often than not (ffmpeg keeps
 * one open across playlist reloads): closing it is ordinary idle expiry,
 * like any server's keep-alive timeout, and is only logged in debug.
 */
static void
guard_report(unsigned late, unsigned idle)
{
	if (late > 0) {
		atomic_fetch_add(&g_refused[HTTPD_L_HEADER_TIMEOUT], late);
		log_warnx_rl("httpd: %u connection(s) closed: first request "
		    "not received in time (header_timeout)", late);
	}
	if (idle > 0)
		log_debug("httpd: %u kept-alive connection(s) closed: no "
		    "next request within timeout", idle);
}

static void *
guard_main(void *arg)
{
	uint64_t now, next, sweep = 0;
	unsigned n, idle;

	(void)arg;
	pthread_mutex_lock(&g.mtx);
	while (!g.stop) {
		now = util_now_ms();
		next = now + GUARD_TICK_MS;
		n = do_guard_expire(&g.first, now, &next);
		idle = do_guard_expire(&g.next, now, &next);
		if (now >= sweep) {
			(void)do_guard_sweep(now - GUARD_IDLE_MS);
			sweep = now + GUARD_SWEEP_MS;
		}
		if (n > 0 || idle > 0) {
			pthread_mutex_unlock(&g.mtx);
			guard_report(n, idle);
			pthread_mutex_lock(&g.mtx);
			continue;
		}
		guard_sleep_until(next);
	}
	pthread_mutex_unlock(&g.mtx);
	return NULL;
}

int
httpd_guard_start(const struct conf *c)
{
	pthread_condattr_t ca;
	int ok;

	pthread_mutex_lock(&g.mtx);
	g.max_conns = c->http_max_conns;
	g.per_client = c->http_per_client;
	g.rate = c->http_rate;
	g.max_held = c->http_max_held;
	g.held_per_client = c->http_held_per_client;
	g.first_ms = c->http_header_ms;
	g.next_ms = (uint64_t)c->http_timeout_s * 1000;
	g.admin = c->http_admin_allow;
	g.exempt = c->http_limit_exempt;
	g.clients_max = c->http_max_conns + GUARD_CLIENTS_EXTRA;
	g.stop = 0;
	pthread_mutex_unlock(&g.mtx);
	ok = pthread_condattr_init(&ca) == 0;
	ok = ok && pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
	    pthread_cond_init(&g.cond, &ca) == 0;
	if (!ok || pthread_create(&g.thr, NULL, guard_main, NULL) != 0) {
		log_warnx("httpd: cannot start the guard thread");
		return -1;
	}
	pthread_condattr_destroy(&ca);
	g.running = 1;
	return 0;
}

void
httpd_guard_stop(void)
{
	struct guard_client *cl, *tmp;

	if (g.running) {
		pthread_mutex_lock(&g.mtx);
		g.stop = 1;
		pthread_cond_signal(&g.cond);
		pthread_mutex_unlock(&g.mtx);
		pthread_join(g.thr, NULL);
		pthread_cond_destroy(&g.cond);
		g.running = 0;
	}
	pthread_mutex_lock(&g.mtx);
	HASH_ITER(hh, g.clients, cl, tmp) {
		/* uthash frees its table with the last item: no use after free. */
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
		HASH_DEL(g.clients, cl);
		free(cl);
	}
	g.nclients = 0;
	g.first = g.next = NULL;
	pthread_mutex_unlock(&g.mtx);
	atomic_store(&g_held, 0);
}

/* A dual-stack socket, else IPv4; bound to ifname, listening. */
static int
guard_if_bind(const char *ifname, uint16_t port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	int fd, on = 1, off = 0, v6 = 1;
	socklen_t sl = sizeof(*s6);

	memset(&ss, 0, sizeof(ss));
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 && errno == EAFNOSUPPORT) {
		v6 = 0;
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
	}
	if (fd < 0)
		return -1;
	if (v6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
	} else {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		sl = sizeof(*s4);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
	    sizeof(off)) < 0) ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
	    (socklen_t)strlen(ifname)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, sl) < 0 ||
	    listen(fd, GUARD_BACKLOG) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
httpd_guard_if_socket(const char *s)
{
	char ifname[IF_NAMESIZE];
	uint16_t port;
	int fd;

	if (httpu_parse_listen_if(s, ifname, sizeof(ifname), &port) < 0)
		return -2;
	if (if_nametoindex(ifname) == 0) {
		log_warnx("httpd: listen %s: no interface %s", s, ifname);
		return -1;
	}
	if ((fd = guard_if_bind(ifname, port)) < 0)
		log_warn("httpd: listen %s", s);
	return fd;
}
