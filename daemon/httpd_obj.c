/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * httpd_obj.c: answering a cache object.  httpd_serve_hit() answers the
 * request from what the cache copied out (httpd_hold.c looks it up):
 *
 *   - conditionals first (RFC 9110 13.2.2): If-None-Match, or else
 *     If-Modified-Since, gives 304;
 *   - then a single byte range, for GET only and only if If-Range (when
 *     sent) names this version: 206, or 416 when unsatisfiable;
 *   - else the whole body, 200: a blob's full response is kept in a small
 *     table and queued again while the cache returns that same blob, other
 *     objects go out from their descriptor with sendfile.
 *
 * Playlists and manifests (hit.is_playlist) get "max-age=1" so a live
 * stream never sticks on a stale copy; everything else is immutable once
 * published.  Headers from carousel metadata are checked before use.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "cache.h"
#include "httpd_int.h"
#include "mime.h"
#include "util.h"

/*
 * The blob response table: direct-mapped by path hash.  Each slot holds
 * one blob reference through its response.  While the cache keeps that
 * blob the reference costs nothing, but a slot whose path is no longer
 * asked for keeps the last version it served alive: 256 slots of 64 KiB
 * would pin 16 MiB beyond the cache's budget.  So the entries are
 * charged (body plus RC_ENT_COST for the response and its headers) and,
 * above HTTPD_RC_BYTES_MAX, a clock hand empties other slots; a hot path
 * that loses its slot is put back by its next request.
 */
#define RC_SLOTS		256
#define RC_ENT_COST		1024

struct rc_ent {
	_Atomic uint32_t	refs;	/* the slot's and each user's */
	uint64_t		key;	/* path hash */
	const struct cache_blob	*blob;	/* identity of the version */
	uint64_t		size;
	uint64_t		cost;	/* charged to rc_bytes */
	char			etag[48];
	struct MHD_Response	*resp;	/* holds the blob reference */
};

struct rc_slot {
	pthread_mutex_t	mtx;
	struct rc_ent	*ent;
};

static struct rc_slot httpd_rc[RC_SLOTS];
static _Atomic uint64_t rc_bytes;	/* charged by live entries */
static _Atomic uint32_t rc_hand;	/* next slot the trim looks at */

/*
 * An empty body for 304 and 416, with CORS: every response carries it,
 * players run in pages from other origins.
 */
struct MHD_Response *
httpd_empty(void)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	return httpd_keep(r, r != NULL && httpd_add(r, httpd_hdr_cors));
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
	atomic_fetch_sub(&rc_bytes, e->cost);
	MHD_destroy_response(e->resp);
	free(e);
}

/* Empty other slots than keep until within HTTPD_RC_BYTES_MAX. */
static void
rc_trim(size_t keep)
{
	struct rc_slot *s;
	struct rc_ent *old;
	size_t i, n;

	for (n = 0; n < RC_SLOTS &&
	    atomic_load(&rc_bytes) > HTTPD_RC_BYTES_MAX; n++) {
		i = atomic_fetch_add(&rc_hand, 1) % RC_SLOTS;
		if (i == keep)
			continue;
		s = &httpd_rc[i];
		pthread_mutex_lock(&s->mtx);
		old = s->ent;
		s->ent = NULL;
		pthread_mutex_unlock(&s->mtx);
		rc_unref(old);
	}
}

/* The cached response for this hit with a reference taken, or NULL. */
static struct rc_ent *
rc_get(uint64_t key, const struct cache_hit *h)
{
	struct rc_slot *s = &httpd_rc[key % RC_SLOTS];
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
	struct rc_slot *s = &httpd_rc[key % RC_SLOTS];
	struct rc_ent *e, *old;

	if ((e = malloc(sizeof(*e))) == NULL)
		return NULL;
	atomic_init(&e->refs, 2);
	e->key = key;
	e->blob = blob;
	e->size = h->size;
	e->cost = h->size + RC_ENT_COST;
	util_strlcpy(e->etag, h->etag, sizeof(e->etag));
	e->resp = r;
	atomic_fetch_add(&rc_bytes, e->cost);
	pthread_mutex_lock(&s->mtx);
	old = s->ent;
	s->ent = e;
	pthread_mutex_unlock(&s->mtx);
	rc_unref(old);
	rc_trim(key % RC_SLOTS);
	return e;
}

/* Bytes the table holds (tests). */
uint64_t
httpd_rc_bytes(void)
{
	return atomic_load(&rc_bytes);
}

void
httpd_rc_init(void)
{
	size_t i;

	for (i = 0; i < RC_SLOTS; i++) {
		pthread_mutex_init(&httpd_rc[i].mtx, NULL);
		httpd_rc[i].ent = NULL;
	}
}

/* Drop every cached response (and so its blob reference). */
void
httpd_rc_flush(void)
{
	size_t i;

	for (i = 0; i < RC_SLOTS; i++) {
		rc_unref(httpd_rc[i].ent);
		httpd_rc[i].ent = NULL;
		pthread_mutex_destroy(&httpd_rc[i].mtx);
	}
}

static void
httpd_blob_free(void *cls)
{
	cache_blob_unref(cls);
}

/* Give back whatever the hit still owns. */
void
httpd_hit_release(struct cache_hit *h)
{
	if (h->fd >= 0) {
		close(h->fd);
		h->fd = -1;
	}
	cache_close(h);
}

/* Make the hit consistent; -1 if it cannot be served at all. */
int
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
	return httpd_keep(r, httpd_add(r, httpd_hdr_cors) &&
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
	uint64_t key = rc_hash(path), body = m == HTTPD_M_GET ? h->size : 0;
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
		return httpd_queue_fixed(c, HTTPD_F_UNAVAIL, m);
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
    const char *path, enum httpd_method m, int shared)
{
	struct MHD_Response *r;
	uint64_t size = h->size;

	if (h->blob != NULL && shared)
		return httpd_send_blob(c, h, path, m);
	r = httpd_body_resp(h, 0, size, 0);
	httpd_hit_release(h);
	return httpd_queue_once(c, 200, r, m == HTTPD_M_GET ? size : 0);
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

	if (m != HTTPD_M_GET || (range = httpd_header(c, "Range")) == NULL)
		return HTTPU_RANGE_NONE;
	ifr = httpd_header(c, "If-Range");
	if (ifr != NULL && !httpu_if_range_match(ifr, h->etag))
		return HTTPU_RANGE_NONE;
	return httpu_parse_range(range, h->size, off, len);
}

/*
 * A checked hit.  Not shared: the answer is made for this request alone
 * (an LL-HLS blocking reload must not be answered from, or leave, an
 * entry keyed by the path without its query).
 */
enum MHD_Result
httpd_serve_hit(struct MHD_Connection *c, struct cache_hit *h,
    const char *path, enum httpd_method m, int shared)
{
	uint64_t off = 0, len = 0;

	if (httpd_not_modified(c, h))
		return httpd_send_304(c, h);
	switch (httpd_range(c, h, m, &off, &len)) {
	case HTTPU_RANGE_OK:
		return httpd_send_part(c, h, off, len);
	case HTTPU_RANGE_UNSAT:
		return httpd_send_416(c, h);
	case HTTPU_RANGE_NONE:
		break;
	}
	return httpd_send_full(c, h, path, m, shared);
}
