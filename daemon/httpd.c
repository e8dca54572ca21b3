/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * httpd.c: the local HTTP server.  One libmicrohttpd daemon per [http]
 * listen address, each an epoll loop with a small thread pool.  The
 * access handler judges the raw request target, routes the reserved
 * paths, and answers cache objects:
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
 * not open yet.
 *
 * HTTP status codes exist only in this file.  Nothing is logged per
 * request; bad requests are answered and counted.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "cache.h"
#include "httpd.h"
#include "log.h"
#include "mime.h"
#include "names.h"
#include "util.h"

/* Segments never change once published; playlists change every second. */
#define HTTPD_CC_MEDIA		"public, max-age=86400, immutable"
#define HTTPD_CC_PLAYLIST	"max-age=1"
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

/*
 * The blob response table: direct-mapped by path hash.  Each slot holds
 * one blob reference through its response, so it pins at most
 * RC_SLOTS * small_object_max bytes of RAM beyond the cache's budget.
 */
#define RC_SLOTS		256

enum httpd_method {
	M_GET,
	M_HEAD,
	M_OPTIONS,
	M_OTHER,
};

/* Responses built once at start and queued by every thread. */
enum httpd_fixed {
	F_BAD,
	F_NOTFOUND,
	F_METHOD,
	F_OPTIONS,
	F_INDEX,
	F_SERVICES,
	F_UNAVAIL,
	F_N
};

struct rc_ent {
	_Atomic uint32_t	refs;	/* the slot's and each user's */
	uint64_t		key;	/* path hash */
	const struct cache_blob	*blob;	/* identity of the version */
	uint64_t		size;
	char			etag[48];
	struct MHD_Response	*resp;	/* holds the blob reference */
};

struct rc_slot {
	pthread_mutex_t	mtx;
	struct rc_ent	*ent;
};

static struct {
	struct MHD_Daemon	*d[CONF_MAX_LISTEN];
	int			port[CONF_MAX_LISTEN];
	size_t			n;
	int			running;
	struct httpd_hooks	hooks;
	struct MHD_Response	*fixed[F_N];
	struct rc_slot		rc[RC_SLOTS];
} httpd;

static _Atomic uint64_t httpd_codes[HTTPD_NCODES];
static _Atomic uint64_t httpd_bytes;

static const char httpd_index_html[] =
    "<!DOCTYPE html>\n<html><head><title>nipcache</title></head><body>\n"
    "<h1>nipcache</h1>\n<ul>\n"
    "<li><a href=\"/health\">/health</a>: readiness (JSON)</li>\n"
    "<li><a href=\"/metrics\">/metrics</a>: Prometheus metrics</li>\n"
    "<li><a href=\"/services.json\">/services.json</a>: services</li>\n"
    "</ul>\n<p>Carousel objects are served at their own paths.</p>\n"
    "</body></html>\n";

/* Header lists: name, value, ..., NULL. */
static const char *const hdr_cors[] = {
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
} httpd_fixed_def[F_N] = {
	[F_BAD] =	{ 400, "text/plain", "bad request\n", NULL },
	[F_NOTFOUND] =	{ 404, "text/plain", "not found\n", NULL },
	[F_METHOD] =	{ 405, "text/plain", "method not allowed\n", hdr_allow },
	[F_OPTIONS] =	{ 204, NULL, "", hdr_preflight },
	[F_INDEX] =	{ 200, "text/html; charset=utf-8", httpd_index_html,
			  NULL },
	[F_SERVICES] =	{ 200, "application/json", "{\"services\":[]}\n",
			  NULL },
	[F_UNAVAIL] =	{ 503, "text/plain", "service unavailable\n",
			  hdr_retry },
};

static const char *const httpd_labels[HTTPD_NCODES] = {
	"200", "204", "206", "304", "400", "404", "416", "other"
};

static const unsigned httpd_code_vals[HTTPD_NCODES - 1] = {
	200, 204, 206, 304, 400, 404, 416
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
}

int
httpd_bound_port(size_t i)
{
	return i < httpd.n ? httpd.port[i] : -1;
}

/* Queue r and count it; body is what a GET sends (0 for HEAD). */
static enum MHD_Result
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

static enum MHD_Result
httpd_queue_fixed(struct MHD_Connection *c, enum httpd_fixed f,
    enum httpd_method m)
{
	const char *body = httpd_fixed_def[f].body;

	return httpd_queue(c, httpd_fixed_def[f].code, httpd.fixed[f],
	    m == M_GET ? strlen(body) : 0);
}

/* Queue a response made for this request, then drop our reference. */
static enum MHD_Result
httpd_queue_once(struct MHD_Connection *c, unsigned code,
    struct MHD_Response *r, uint64_t body)
{
	enum MHD_Result ret;

	if (r == NULL)
		return httpd_queue_fixed(c, F_UNAVAIL, M_HEAD);
	ret = httpd_queue(c, code, r, body);
	MHD_destroy_response(r);
	return ret;
}

static int
httpd_add1(struct MHD_Response *r, const char *name, const char *value)
{
	return MHD_add_response_header(r, name, value) == MHD_YES;
}

/* Add a header list; 0 if MHD refused one (out of memory). */
static int
httpd_add(struct MHD_Response *r, const char *const *kv)
{
	for (; kv[0] != NULL; kv += 2) {
		if (!httpd_add1(r, kv[0], kv[1]))
			return 0;
	}
	return 1;
}

/* r if its headers went in (ok), else NULL with r destroyed. */
static struct MHD_Response *
httpd_keep(struct MHD_Response *r, int ok)
{
	if (r != NULL && !ok) {
		MHD_destroy_response(r);
		return NULL;
	}
	return r;
}

/*
 * An empty body for 304 and 416, with CORS: every response carries it,
 * players run in pages from other origins.
 */
static struct MHD_Response *
httpd_empty(void)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	return httpd_keep(r, r != NULL && httpd_add(r, hdr_cors));
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
	return httpd_keep(r, httpd_add(r, hdr_cors) &&
	    httpd_add1(r, "Cache-Control", HTTPD_CC_NONE) &&
	    (type == NULL || httpd_add1(r, "Content-Type", type)) &&
	    (httpd_fixed_def[f].extra == NULL ||
	    httpd_add(r, httpd_fixed_def[f].extra)));
}

/*
 * Blob response table.  A hit needs the path hash, the very blob the
 * cache returned (a new version is a new blob, and the old one cannot be
 * freed, so its address cannot be reused, while a slot holds it) and the
 * same ETag and size.  The slot lock only guards the pointer swap and the
 * reference count; MHD is never called under it.
 */
static uint64_t
rc_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void
rc_unref(struct rc_ent *e)
{
	if (e == NULL || atomic_fetch_sub(&e->refs, 1) != 1)
		return;
	MHD_destroy_response(e->resp);
	free(e);
}

/* The cached response for this hit with a reference taken, or NULL. */
static struct rc_ent *
rc_get(uint64_t key, const struct cache_hit *h)
{
	struct rc_slot *s = &httpd.rc[key % RC_SLOTS];
	struct rc_ent *e;

	pthread_mutex_lock(&s->mtx);
	e = s->ent;
	if (e != NULL && e->key == key && e->blob == h->blob &&
	    e->size == h->size && strcmp(e->etag, h->etag) == 0)
		atomic_fetch_add(&e->refs, 1);
	else
		e = NULL;
	pthread_mutex_unlock(&s->mtx);
	return e;
}

/*
 * Keep r in the table (replacing the slot's previous entry).  Returns
 * the entry with a reference for the caller, or NULL when out of memory
 * (the caller still owns r).
 */
static struct rc_ent *
rc_put(uint64_t key, const struct cache_blob *blob, const struct cache_hit *h,
    struct MHD_Response *r)
{
	struct rc_slot *s = &httpd.rc[key % RC_SLOTS];
	struct rc_ent *e, *old;

	if ((e = malloc(sizeof(*e))) == NULL)
		return NULL;
	atomic_init(&e->refs, 2);
	e->key = key;
	e->blob = blob;
	e->size = h->size;
	util_strlcpy(e->etag, h->etag, sizeof(e->etag));
	e->resp = r;
	pthread_mutex_lock(&s->mtx);
	old = s->ent;
	s->ent = e;
	pthread_mutex_unlock(&s->mtx);
	rc_unref(old);
	return e;
}

static void
rc_init(void)
{
	size_t i;

	for (i = 0; i < RC_SLOTS; i++) {
		pthread_mutex_init(&httpd.rc[i].mtx, NULL);
		httpd.rc[i].ent = NULL;
	}
}

/* Drop every cached response (and so its blob reference). */
static void
rc_flush(void)
{
	size_t i;

	for (i = 0; i < RC_SLOTS; i++) {
		rc_unref(httpd.rc[i].ent);
		httpd.rc[i].ent = NULL;
		pthread_mutex_destroy(&httpd.rc[i].mtx);
	}
}

static void
httpd_blob_free(void *cls)
{
	cache_blob_unref(cls);
}

/* Give back whatever the hit still owns. */
static void
httpd_hit_release(struct cache_hit *h)
{
	if (h->fd >= 0) {
		close(h->fd);
		h->fd = -1;
	}
	cache_close(h);
}

/* Make the hit consistent; -1 if it cannot be served at all. */
static int
httpd_hit_check(struct cache_hit *h, const char *path)
{
	h->content_type[sizeof(h->content_type) - 1] = '\0';
	h->etag[sizeof(h->etag) - 1] = '\0';
	if (!httpu_header_safe(h->content_type))
		util_strlcpy(h->content_type, mime_from_path(path),
		    sizeof(h->content_type));
	if (!httpu_header_safe(h->etag) || h->etag[0] != '"')
		h->etag[0] = '\0';
	if (h->blob != NULL) {
		if (h->fd >= 0) {
			close(h->fd);
			h->fd = -1;
		}
		h->size = h->blob->len;
		return 0;
	}
	return h->fd >= 0 ? 0 : -1;
}

/* ETag, Last-Modified and Cache-Control: on 200, 206 and 304. */
static int
httpd_add_validators(struct MHD_Response *r, const struct cache_hit *h)
{
	char date[32];

	if (!httpd_add1(r, "Cache-Control", h->is_playlist ?
	    HTTPD_CC_PLAYLIST : HTTPD_CC_MEDIA))
		return 0;
	if (h->etag[0] != '\0' && !httpd_add1(r, "ETag", h->etag))
		return 0;
	if (h->mtime > 0 && httpu_format_date(h->mtime, date,
	    sizeof(date)) == 0)
		return httpd_add1(r, "Last-Modified", date);
	return 1;
}

/* A body for [off, off + len) that takes over the hit's blob or fd. */
static struct MHD_Response *
httpd_body(struct cache_hit *h, uint64_t off, uint64_t len)
{
	struct MHD_Response *r;

	if (h->blob != NULL) {
		r = MHD_create_response_from_buffer_with_free_callback_cls(
		    (size_t)len, h->blob->data + off, httpd_blob_free, h->blob);
		if (r != NULL)
			h->blob = NULL;
		return r;
	}
	r = MHD_create_response_from_fd_at_offset64(len, h->fd,
	    h->body_off + off);
	if (r != NULL)
		h->fd = -1;
	return r;
}

/* A body response with every header (Content-Range if part). */
static struct MHD_Response *
httpd_body_resp(struct cache_hit *h, uint64_t off, uint64_t len, int part)
{
	struct MHD_Response *r;
	char cr[80];

	if ((r = httpd_body(h, off, len)) == NULL)
		return NULL;
	snprintf(cr, sizeof(cr), "bytes %llu-%llu/%llu",
	    (unsigned long long)off, (unsigned long long)(off + len - 1),
	    (unsigned long long)h->size);
	return httpd_keep(r, httpd_add(r, hdr_cors) &&
	    httpd_add_validators(r, h) &&
	    httpd_add1(r, "Content-Type", h->content_type) &&
	    httpd_add1(r, "Accept-Ranges", "bytes") &&
	    (!part || httpd_add1(r, "Content-Range", cr)));
}

static enum MHD_Result
httpd_send_304(struct MHD_Connection *c, struct cache_hit *h)
{
	struct MHD_Response *r = httpd_empty();

	r = httpd_keep(r, r != NULL && httpd_add_validators(r, h));
	httpd_hit_release(h);
	return httpd_queue_once(c, 304, r, 0);
}

static enum MHD_Result
httpd_send_416(struct MHD_Connection *c, struct cache_hit *h)
{
	struct MHD_Response *r = httpd_empty();
	char cr[48];

	snprintf(cr, sizeof(cr), "bytes */%llu", (unsigned long long)h->size);
	httpd_hit_release(h);
	r = httpd_keep(r, r != NULL && httpd_add1(r, "Content-Range", cr));
	return httpd_queue_once(c, 416, r, 0);
}

static enum MHD_Result
httpd_send_part(struct MHD_Connection *c, struct cache_hit *h, uint64_t off,
    uint64_t len)
{
	struct MHD_Response *r;

	r = httpd_body_resp(h, off, len, 1);
	httpd_hit_release(h);
	return httpd_queue_once(c, 206, r, len);
}

/*
 * A full blob answer, from the table when this exact version was answered
 * before.  The hit's own blob reference is dropped on a table hit and
 * handed to the new response otherwise.
 */
static enum MHD_Result
httpd_send_blob(struct MHD_Connection *c, struct cache_hit *h,
    const char *path, enum httpd_method m)
{
	const struct cache_blob *blob = h->blob;
	uint64_t key = rc_hash(path), body = m == M_GET ? h->size : 0;
	struct MHD_Response *r;
	struct rc_ent *e;
	enum MHD_Result ret;

	if ((e = rc_get(key, h)) != NULL) {
		httpd_hit_release(h);
		ret = httpd_queue(c, 200, e->resp, body);
		rc_unref(e);
		return ret;
	}
	r = httpd_body_resp(h, 0, h->size, 0);
	if (r == NULL) {
		httpd_hit_release(h);
		return httpd_queue_fixed(c, F_UNAVAIL, m);
	}
	e = rc_put(key, blob, h, r);
	httpd_hit_release(h);
	if (e == NULL)
		return httpd_queue_once(c, 200, r, body);
	ret = httpd_queue(c, 200, r, body);
	rc_unref(e);
	return ret;
}

static enum MHD_Result
httpd_send_full(struct MHD_Connection *c, struct cache_hit *h,
    const char *path, enum httpd_method m)
{
	struct MHD_Response *r;
	uint64_t size = h->size;

	if (h->blob != NULL)
		return httpd_send_blob(c, h, path, m);
	r = httpd_body_resp(h, 0, size, 0);
	httpd_hit_release(h);
	return httpd_queue_once(c, 200, r, m == M_GET ? size : 0);
}

static const char *
httpd_header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* RFC 9110 13.2.2: If-None-Match, or else If-Modified-Since. */
static int
httpd_not_modified(struct MHD_Connection *c, const struct cache_hit *h)
{
	const char *v;
	int64_t t;

	if ((v = httpd_header(c, "If-None-Match")) != NULL)
		return h->etag[0] != '\0' && httpu_etag_match(v, h->etag);
	if (h->mtime <= 0 || (v = httpd_header(c, "If-Modified-Since")) == NULL)
		return 0;
	return httpu_parse_date(v, &t) == 0 && h->mtime <= t;
}

/* A Range header, honoured only for GET and a matching If-Range. */
static enum httpu_range
httpd_range(struct MHD_Connection *c, const struct cache_hit *h,
    enum httpd_method m, uint64_t *off, uint64_t *len)
{
	const char *range, *ifr;

	if (m != M_GET || (range = httpd_header(c, "Range")) == NULL)
		return HTTPU_RANGE_NONE;
	ifr = httpd_header(c, "If-Range");
	if (ifr != NULL && !httpu_if_range_match(ifr, h->etag))
		return HTTPU_RANGE_NONE;
	return httpu_parse_range(range, h->size, off, len);
}

static enum MHD_Result
httpd_object(struct MHD_Connection *c, const char *path, enum httpd_method m)
{
	struct cache_hit hit;
	uint64_t off = 0, len = 0;

	memset(&hit, 0, sizeof(hit));
	hit.fd = -1;
	/* Before the cache is up (a late mount) nothing is known: retry. */
	if (cache_open(path, &hit) < 0)
		return httpd_queue_fixed(c, cache_ready() ? F_NOTFOUND :
		    F_UNAVAIL, m);
	if (httpd_hit_check(&hit, path) < 0) {
		httpd_hit_release(&hit);
		return httpd_queue_fixed(c, F_UNAVAIL, m);
	}
	if (httpd_not_modified(c, &hit))
		return httpd_send_304(c, &hit);
	switch (httpd_range(c, &hit, m, &off, &len)) {
	case HTTPU_RANGE_OK:
		return httpd_send_part(c, &hit, off, len);
	case HTTPU_RANGE_UNSAT:
		return httpd_send_416(c, &hit);
	case HTTPU_RANGE_NONE:
		break;
	}
	return httpd_send_full(c, &hit, path, m);
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
	r = httpd_keep(r, r != NULL && httpd_add(r, hdr_cors) &&
	    httpd_add1(r, "Content-Type", "application/json") &&
	    httpd_add1(r, "Cache-Control", HTTPD_CC_NONE));
	return httpd_queue_once(c, ready ? 200 : 503, r, m == M_GET ? n : 0);
}

static enum MHD_Result
httpd_metrics(struct MHD_Connection *c, enum httpd_method m)
{
	struct MHD_Response *r;
	char *buf;
	size_t n = 0;

	if ((buf = malloc(HTTPD_METRICS_MAX)) == NULL)
		return httpd_queue_fixed(c, F_UNAVAIL, m);
	buf[0] = '\0';
	if (httpd.hooks.metrics != NULL)
		n = httpd.hooks.metrics(buf, HTTPD_METRICS_MAX);
	if (n > HTTPD_METRICS_MAX)
		n = HTTPD_METRICS_MAX;
	r = MHD_create_response_from_buffer_with_free_callback(n, buf, free);
	if (r == NULL) {
		free(buf);
		return httpd_queue_fixed(c, F_UNAVAIL, m);
	}
	r = httpd_keep(r, httpd_add(r, hdr_cors) &&
	    httpd_add1(r, "Content-Type", "text/plain; version=0.0.4") &&
	    httpd_add1(r, "Cache-Control", HTTPD_CC_NONE));
	return httpd_queue_once(c, 200, r, m == M_GET ? n : 0);
}

/* The daemon's own paths; /dvbi/ and /nip/ come with a later issue. */
static enum MHD_Result
httpd_reserved(struct MHD_Connection *c, const char *path,
    enum httpd_method m)
{
	if (strcmp(path, "/") == 0)
		return httpd_queue_fixed(c, F_INDEX, m);
	if (strcmp(path, "/health") == 0)
		return httpd_health(c, m);
	if (strcmp(path, "/metrics") == 0)
		return httpd_metrics(c, m);
	if (strcmp(path, "/services.json") == 0)
		return httpd_queue_fixed(c, F_SERVICES, m);
	return httpd_queue_fixed(c, F_NOTFOUND, m);
}

static enum httpd_method
httpd_method(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return M_GET;
	if (strcmp(m, "HEAD") == 0)
		return M_HEAD;
	if (strcmp(m, "OPTIONS") == 0)
		return M_OPTIONS;
	return M_OTHER;
}

/*
 * The access handler.  MHD calls it once when the headers are in, then
 * with any body, then once more with nothing left.  A response queued on
 * the first call makes MHD close the connection afterwards (it will not
 * read the rest of the request), so only methods we refuse are answered
 * there; everything else waits for the last call and keeps the
 * connection alive.  A body is read and dropped.
 */
static enum MHD_Result
httpd_access(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	static int seen;
	char path[NAMES_MAX + 1];
	enum httpd_method m = httpd_method(method);

	(void)cls;
	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {
		if (m == M_OTHER)
			return httpd_queue_fixed(c, F_METHOD, m);
		*con_cls = &seen;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (httpu_check_target(url, path, sizeof(path)) < 0)
		return httpd_queue_fixed(c, F_BAD, m);
	if (m == M_OPTIONS)
		return httpd_queue_fixed(c, F_OPTIONS, m);
	if (names_is_reserved(path))
		return httpd_reserved(c, path, m);
	return httpd_object(c, path, m);
}

/* Keep the path raw: httpu_check_target() must see the escapes. */
static size_t
httpd_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

/* MHD's own messages are mostly about clients: rate-limited. */
static void __attribute__((format(printf, 2, 0)))
httpd_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[256];
	size_t n;

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	log_warnx_rl("httpd: libmicrohttpd: %s", buf);
}

/* Start the daemon for c->listen[i]; MHD binds it (V6ONLY for IPv6). */
static int
httpd_listen(const struct conf *c, size_t i)
{
	unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *di;
	struct sockaddr_storage ss;
	struct MHD_Daemon *d;
	char addr[INET6_ADDRSTRLEN + 2];
	socklen_t sl;

	if (httpu_parse_listen(c->listen[i], &ss, &sl) < 0) {
		log_warnx("httpd: listen %s: not ADDR:PORT", c->listen[i]);
		return -1;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	d = MHD_start_daemon(flags, 0, NULL, NULL, httpd_access, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, httpd_mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned int)(c->http_threads > 1 ? c->http_threads : 0),
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)c->http_max_conns,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)c->http_per_client,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)c->http_timeout_s,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTPD_CONN_MEM,
	    MHD_OPTION_UNESCAPE_CALLBACK, httpd_unescape, NULL,
	    MHD_OPTION_END);
	if (d == NULL) {
		log_warnx("httpd: listen %s: cannot start (address in use?)",
		    c->listen[i]);
		return -1;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	httpd.d[httpd.n] = d;
	httpd.port[httpd.n] = di != NULL ? di->port : 0;
	httpu_format_addr(&ss, addr, sizeof(addr));
	log_info("httpd: listening on %s:%d", addr, httpd.port[httpd.n]);
	httpd.n++;
	return 0;
}

static void
httpd_free_fixed(void)
{
	int f;

	for (f = 0; f < F_N; f++) {
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
	for (f = 0; f < F_N; f++) {
		if ((httpd.fixed[f] = httpd_fixed_new(f)) == NULL) {
			log_warnx("httpd_start: out of memory");
			httpd_free_fixed();
			return -1;
		}
	}
	rc_init();
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
	for (i = 0; i < httpd.n; i++) {
		MHD_stop_daemon(httpd.d[i]);
		httpd.d[i] = NULL;
	}
	httpd.n = 0;
	rc_flush();
	httpd_free_fixed();
	httpd.running = 0;
}
