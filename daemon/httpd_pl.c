/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * httpd_pl.c: live HLS playlists as served.
 *
 * A live media playlist in RAM is rewritten for each request by
 * hls_rewrite(), which asks about each segment: entries neither there nor
 * expected are held back at the end, or marked EXT-X-GAP before later
 * ones (../shared/docs/dvbi-and-hls.md 2.7).  What the rewriter remembers
 * of each playlist (struct hls_state) is kept in a small table; the
 * rewrite runs on a copy, outside its lock.  A rewritten body is answered
 * fresh, with an ETag of its own and no Last-Modified (the body changes
 * when a segment arrives, the file does not).
 *
 * This file only makes and sends the playlist as served; deciding to
 * hold an LL-HLS blocking reload, and holding it, is httpd_hold.c's.  The
 * rewrite notes where the held-back run starts (struct httpd_served) so
 * that a blocking reload can wait on that segment too.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#define HASH_NONFATAL_OOM	1
#define uthash_nonfatal_oom(elt) ((void)0)
#include <uthash.h>
#include <utlist.h>

#include "cache.h"
#include "hls.h"
#include "hold.h"
#include "httpd_int.h"
#include "mime.h"
#include "util.h"

#define HTTPD_HLS_MAX		256	/* playlists remembered */

struct hls_slot {
	UT_hash_handle		hh;
	struct hls_slot		*prev, *next;	/* most recent first */
	struct hls_state	st;
	char			path[];
};

static struct {
	pthread_mutex_t	mtx;		/* hls, lru, n */
	struct hls_slot	*hls;
	struct hls_slot	*lru;
	uint32_t	n;
	int		gap;
	int		(*fetch)(const char *path, int urgent);
	void		(*refresh)(const char *path, uint64_t seq,
			    uint32_t target_ms);
} pl = {
	.mtx = PTHREAD_MUTEX_INITIALIZER,
};

static _Atomic uint64_t ps_rewritten, ps_held_back, ps_gaps, ps_stale;

void
httpd_pl_start(const struct conf *c, const struct httpd_hooks *hk)
{
	pthread_mutex_lock(&pl.mtx);
	pl.gap = c->http_gap_tag;
	pl.fetch = hk->fetch;
	pl.refresh = hk->refresh;
	pthread_mutex_unlock(&pl.mtx);
}

void
httpd_pl_free(void)
{
	struct hls_slot *s, *tmp;

	pthread_mutex_lock(&pl.mtx);
	HASH_ITER(hh, pl.hls, s, tmp) {
		/* uthash frees its table with the last item: no use after free. */
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
		HASH_DELETE(hh, pl.hls, s);
		free(s);
	}
	pl.lru = NULL;
	pl.n = 0;
	pthread_mutex_unlock(&pl.mtx);
}

void
httpd_pl_stats(struct httpd_stats *out)
{
	out->playlists_rewritten = atomic_load(&ps_rewritten);
	out->segments_held_back = atomic_load(&ps_held_back);
	out->gaps_marked = atomic_load(&ps_gaps);
	out->playlists_stale = atomic_load(&ps_stale);
}

/*
 * The table of playlist states.  A playlist that loses its slot starts
 * again from the source's own numbering, which is what it was before.
 */
static void
pl_table_get(const char *path, struct hls_state *out)
{
	struct hls_slot *s;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&pl.mtx);
	HASH_FIND_STR(pl.hls, path, s);
	if (s != NULL) {
		*out = s->st;
		DL_DELETE(pl.lru, s);
		DL_PREPEND(pl.lru, s);
	}
	pthread_mutex_unlock(&pl.mtx);
}

static void
do_pl_table_evict(void)
{
	struct hls_slot *s = pl.lru != NULL ? pl.lru->prev : NULL;

	if (s == NULL)
		return;
	HASH_DELETE(hh, pl.hls, s);
	DL_DELETE(pl.lru, s);
	pl.n--;
	free(s);
}

/*
 * Keep st for path.  Two requests may rewrite at once; the one that
 * served the higher sequence number wins, so numbers never go back.
 */
static void
pl_table_put(const char *path, const struct hls_state *st)
{
	size_t len = strlen(path);
	struct hls_slot *s, *n = NULL;

	pthread_mutex_lock(&pl.mtx);
	HASH_FIND(hh, pl.hls, path, len, s);
	if (s == NULL && (n = malloc(sizeof(*n) + len + 1)) != NULL) {
		memcpy(n->path, path, len + 1);
		n->st = *st;
		HASH_ADD_KEYPTR(hh, pl.hls, n->path, len, n);
		if (n->hh.tbl == NULL) {
			free(n);
		} else {
			DL_PREPEND(pl.lru, n);
			if (++pl.n > HTTPD_HLS_MAX)
				do_pl_table_evict();
		}
	} else if (s != NULL && (!s->st.valid ||
	    st->served_last >= s->st.served_last)) {
		s->st = *st;
	}
	pthread_mutex_unlock(&pl.mtx);
}

/*
 * The rewriter's question: is the segment at path there, coming, or
 * lost?  The generation is read before the second lookup, so a blocking
 * reload that waits on the first expected segment misses no publish.
 */
static enum hls_seg
pl_status(void *arg, const char *path)
{
	struct httpd_served *sv = arg;
	struct cache_hit h;
	enum hls_seg ret;
	uint64_t gen = 0;

	if (cache_peek(path, &h) == 0 || (gen = hold_gen(path),
	    cache_peek(path, &h) == 0)) {
		sv->in_run = 0;
		return HLS_SEG_OK;
	}
	switch (hold_state(path)) {
	case HOLD_PENDING:
		ret = HLS_SEG_PENDING;
		break;
	case HOLD_LOST:
		ret = HLS_SEG_LOST;
		break;
	default:
		ret = pl.fetch != NULL && pl.fetch(path, 0) ?
		    HLS_SEG_PENDING : HLS_SEG_LOST;
		break;
	}
	if (ret == HLS_SEG_LOST && !sv->in_run) {
		util_strlcpy(sv->tail, path, sizeof(sv->tail));
		sv->tail_gen = gen;
	}
	sv->in_run = ret == HLS_SEG_LOST;
	return ret;
}

/*
 * Total loss of signal: the broadcast stops updating a live playlist, so
 * its newest segments are never announced and the player runs dry.  A
 * media playlist published more than 1.5 target durations ago is fetched
 * again from the terrestrial side; its new segments are then fetched like
 * any never-announced object.  hls.js keeps about three target durations
 * of media ahead, so the refresh lands well before the buffer is spent.
 * An entry indexed at start has only its mtime (whole seconds).
 */
static void
pl_check_stale(const char *path, const struct cache_hit *h,
    const struct hls_info *in)
{
	int64_t age_ms, limit;

	if (pl.refresh == NULL || !in->media || in->endlist ||
	    in->target_ms == 0)
		return;
	limit = (int64_t)in->target_ms * 3 / 2;
	if (h->pub_ms != 0) {
		age_ms = (int64_t)(util_now_ms() - h->pub_ms);
	} else {
		age_ms = ((int64_t)util_wall_s() - h->mtime) * 1000;
		limit += 1000;
	}
	if (age_ms > limit) {
		atomic_fetch_add(&ps_stale, 1);
		pl.refresh(path, h->seq, in->target_ms);
	}
}

int
httpd_pl_make(const char *path, const struct cache_hit *h,
    struct httpd_served *sv)
{
	struct hls_opts o = { .gap = pl.gap, .min_segments = 0 };
	const struct cache_blob *b = h->blob;
	struct util_sb sb = { 0 };
	struct hls_state st;
	int ret;

	if (pl.fetch == NULL) {
		hls_scan((const char *)b->data, b->len, &sv->info);
		pl_check_stale(path, h, &sv->info);
		return 0;
	}
	pl_table_get(path, &st);
	ret = hls_rewrite((const char *)b->data, b->len, path, &o,
	    pl_status, sv, &st, &sb, &sv->info);
	if (ret >= 0) {
		pl_table_put(path, &st);
		pl_check_stale(path, h, &sv->info);
	}
	if (ret < 0 || (ret == 1 && (sb.err || sb.p == NULL))) {
		free(sb.p);
		return -1;
	}
	if (ret == 1) {
		sv->body = sb.p;
		sv->len = sb.len;
		atomic_fetch_add(&ps_rewritten, 1);
		atomic_fetch_add(&ps_held_back, sv->info.held_back);
		atomic_fetch_add(&ps_gaps, sv->info.gaps);
	}
	return 0;
}

int
httpd_pl_is(const struct cache_hit *h, const char *path)
{
	static const char *const types[] = {
		"application/vnd.apple.mpegurl", "audio/mpegurl",
		"application/x-mpegurl", NULL
	};
	size_t i, n, plen = strlen(path);

	if (h->blob == NULL)
		return 0;
	if (plen >= 5 && strcasecmp(path + plen - 5, ".m3u8") == 0)
		return 1;
	for (i = 0; types[i] != NULL; i++) {
		n = strlen(types[i]);
		if (strncasecmp(h->content_type, types[i], n) == 0 &&
		    (h->content_type[n] == '\0' || h->content_type[n] == ';' ||
		    h->content_type[n] == ' '))
			return 1;
	}
	return 0;
}

static enum MHD_Result
pl_304(struct MHD_Connection *c, const char *etag)
{
	struct MHD_Response *r = httpd_empty();

	r = httpd_keep(r, r != NULL &&
	    httpd_add1(r, "Cache-Control", HTTPD_CC_PLAYLIST) &&
	    httpd_add1(r, "ETag", etag));
	return httpd_queue_once(c, 304, r, 0);
}

/*
 * The blob's type and CORS, the playlist Cache-Control, an ETag of these
 * bytes, and no Last-Modified or Accept-Ranges (a range of a body made
 * per request is not offered).
 */
enum MHD_Result
httpd_pl_send(struct MHD_Connection *c, enum httpd_method m,
    struct cache_hit *h, struct httpd_served *sv)
{
	char etag[48], hex[33];
	struct MHD_Response *r;
	uint8_t md5[16];
	const char *inm;

	util_md5(sv->body, sv->len, md5);
	util_hex(md5, 16, hex);
	snprintf(etag, sizeof(etag), "\"r%.32s\"", hex);
	inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
	if (inm != NULL && httpu_etag_match(inm, etag)) {
		httpd_hit_release(h);
		free(sv->body);
		return pl_304(c, etag);
	}
	r = MHD_create_response_from_buffer_with_free_callback(sv->len,
	    sv->body, free);
	if (r == NULL)
		free(sv->body);
	r = httpd_keep(r, r != NULL && httpd_add(r, httpd_hdr_cors) &&
	    httpd_add1(r, "Content-Type", h->content_type) &&
	    httpd_add1(r, "Cache-Control", HTTPD_CC_PLAYLIST) &&
	    httpd_add1(r, "ETag", etag));
	httpd_hit_release(h);
	return httpd_queue_once(c, 200, r, m == HTTPD_M_GET ? sv->len : 0);
}
