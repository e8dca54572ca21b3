/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cache_serve.c: answering lookups.  cache_open copies out what a request
 * needs under cache_lock and then, with the lock released, hands out the
 * cheapest thing that answers it: a reference to the object's RAM blob, a
 * dup of a descriptor kept open for hot objects, or a freshly opened file
 * (which may then become a blob or a hot descriptor for the next
 * request).  The blob and hot-descriptor lists, both least recently used
 * at the tail, live here; cache.c calls into them when entries go.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache_int.h"
#include <utlist.h>

#include "log.h"
#include "util.h"

void
cache_blob_unref(struct cache_blob *b)
{
	if (b != NULL && atomic_fetch_sub(&b->refs, 1) == 1)
		free(b);
}

struct cache_blob *
cache_blob_new(const uint8_t *data, uint64_t len)
{
	struct cache_blob *b = malloc(sizeof(*b) + (size_t)len);

	if (b == NULL)
		return NULL;
	atomic_init(&b->refs, 1);
	b->len = (uint32_t)len;
	if (data != NULL && len > 0)
		memcpy(b->data, data, (size_t)len);
	return b;
}

/*
 * Which objects live in RAM.  Playlists, manifests and signalling (XML,
 * JSON) are small, few and asked for again and again, every second, by
 * every player: from RAM they cost no open, no read and no sendfile.
 * Segments are asked for about once each, so a RAM copy mostly wastes
 * memory (a burst of 10,000 small segments once took the whole budget)
 * and sendfile from the page cache serves them as fast; their hot
 * descriptors are kept instead.
 */
int
cache_ram_ok(const struct cache_entry *e)
{
	return e->size <= cache_cs.p.mem_max && (e->is_playlist ||
	    strstr(e->content_type, "json") != NULL);
}

void
do_cache_drop_hot(struct cache_entry *e)
{
	if (e->hot_fd < 0)
		return;
	DL_DELETE2(cache_cs.hot, e, fprev, fnext);
	cache_cs.st.hot_fds--;
}

void
do_cache_drop_blob(struct cache_entry *e)
{
	if (e->blob == NULL)
		return;
	DL_DELETE2(cache_cs.blobs, e, bprev, bnext);
	cache_cs.st.mem_bytes -= e->blob->len;
}

/* Drop RAM copies, least recently used first, down to the budget. */
void
do_cache_trim_blobs(void)
{
	struct cache_entry *e;

	while (cache_cs.st.mem_bytes > cache_cs.p.mem_budget &&
	    cache_cs.blobs != NULL) {
		e = cache_cs.blobs->bprev;
		do_cache_drop_blob(e);
		cache_blob_unref(e->blob);
		e->blob = NULL;
	}
}

static void
do_cache_fill_hit(const struct cache_entry *e, struct cache_hit *out)
{
	char hex[33];

	out->fd = -1;
	out->blob = NULL;
	out->body_off = CACHE_FS_BODY_OFF;
	out->size = e->size;
	out->mtime = e->mtime;
	out->seq = e->seq;
	out->pub_ms = e->pub_ms;
	out->is_playlist = e->is_playlist;
	util_strlcpy(out->content_type, e->content_type,
	    sizeof(out->content_type));
	util_hex(e->md5, sizeof(e->md5), hex);
	out->etag[0] = '"';
	memcpy(out->etag + 1, hex, 32);
	out->etag[33] = '"';
	out->etag[34] = '\0';
}

int
cache_peek(const char *path, struct cache_hit *out)
{
	struct cache_entry *e;

	pthread_mutex_lock(&cache_lock);
	if ((e = do_cache_find(path)) != NULL)
		do_cache_fill_hit(e, out);
	pthread_mutex_unlock(&cache_lock);
	return e != NULL ? 0 : -1;
}

/* Same version still indexed? */
static struct cache_entry *
do_cache_find_gen(const char *path, uint64_t gen)
{
	struct cache_entry *e = do_cache_find(path);

	return e != NULL && e->gen == gen ? e : NULL;
}

/*
 * Read a small body into a blob, keep it for the next requests and hand
 * out a reference.  0, or -1 (the caller serves the descriptor).
 */
static int
open_load_blob(int fd, const char *path, uint64_t gen, struct cache_hit *out)
{
	struct cache_blob *b = cache_blob_new(NULL, out->size);
	struct cache_entry *e;

	if (b == NULL)
		return -1;
	if (cache_fs_pread_full(fd, b->data, b->len, out->body_off) < 0) {
		free(b);
		return -1;
	}
	atomic_fetch_add(&b->refs, 1);
	pthread_mutex_lock(&cache_lock);
	cache_cs.st.hits++;
	e = do_cache_find_gen(path, gen);
	if (e != NULL && e->blob == NULL) {
		e->blob = b;
		DL_PREPEND2(cache_cs.blobs, e, bprev, bnext);
		cache_cs.st.mem_bytes += b->len;
		do_cache_trim_blobs();
	} else {
		atomic_fetch_sub(&b->refs, 1);
	}
	pthread_mutex_unlock(&cache_lock);
	out->blob = b;
	return 0;
}

/* Keep a duplicate of fd open for the next requests of the same entry. */
static void
open_keep_hot(int fd, const char *path, uint64_t gen)
{
	struct cache_entry *e, *t;
	int hot = fcntl(fd, F_DUPFD_CLOEXEC, 0), drop = -1;

	pthread_mutex_lock(&cache_lock);
	cache_cs.st.hits++;
	e = do_cache_find_gen(path, gen);
	if (hot >= 0 && e != NULL && e->hot_fd < 0) {
		e->hot_fd = hot;
		hot = -1;
		DL_PREPEND2(cache_cs.hot, e, fprev, fnext);
		if (++cache_cs.st.hot_fds > CACHE_HOT_MAX) {
			t = cache_cs.hot->fprev;
			drop = t->hot_fd;
			do_cache_drop_hot(t);
			t->hot_fd = -1;
		}
	}
	pthread_mutex_unlock(&cache_lock);
	if (hot >= 0)
		close(hot);
	if (drop >= 0)
		close(drop);
}

/*
 * The answer straight from memory: a blob, or a dup of a hot descriptor.
 * Returns 0 if answered, 1 to open the file (*gen, file and *want_blob
 * set), -1 if not cached.
 */
static int
do_cache_open_fast(const char *path, struct cache_hit *out, uint64_t *gen,
    char file[CACHE_FS_NAME_MAX], int *want_blob)
{
	struct cache_entry *e = do_cache_find(path);

	if (e == NULL)
		return -1;
	DL_DELETE2(cache_cs.lru, e, prev, next);
	DL_PREPEND2(cache_cs.lru, e, prev, next);
	do_cache_fill_hit(e, out);
	if (e->blob != NULL) {
		DL_DELETE2(cache_cs.blobs, e, bprev, bnext);
		DL_PREPEND2(cache_cs.blobs, e, bprev, bnext);
		atomic_fetch_add(&e->blob->refs, 1);
		out->blob = e->blob;
		return 0;
	}
	if (e->hot_fd >= 0 &&
	    (out->fd = fcntl(e->hot_fd, F_DUPFD_CLOEXEC, 0)) >= 0) {
		DL_DELETE2(cache_cs.hot, e, fprev, fnext);
		DL_PREPEND2(cache_cs.hot, e, fprev, fnext);
		return 0;
	}
	*gen = e->gen;
	memcpy(file, e->file, CACHE_FS_NAME_MAX);
	*want_blob = cache_ram_ok(e) &&
	    cache_cs.st.mem_bytes + e->size <= cache_cs.p.mem_budget;
	return 1;
}

/* One lookup; -2 if the file vanished between lookup and open. */
static int
cache_open_try(const char *path, struct cache_hit *out)
{
	char file[CACHE_FS_NAME_MAX];
	uint64_t gen = 0;
	int r, fd, want_blob = 0;

	pthread_mutex_lock(&cache_lock);
	r = do_cache_open_fast(path, out, &gen, file, &want_blob);
	if (r == 0)
		cache_cs.st.hits++;
	pthread_mutex_unlock(&cache_lock);
	if (r <= 0)
		return r;
	/* A symlink swapped in for an object file is never followed. */
	if ((fd = openat(cache_cs.rootfd, file, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) < 0) {
		if (errno == ENOENT)
			return -2;
		log_warn_rl("cache open %s", file);
		return -1;
	}
	if (want_blob && open_load_blob(fd, path, gen, out) == 0) {
		close(fd);
		return 0;
	}
	open_keep_hot(fd, path, gen);
	out->fd = fd;
	return 0;
}

int
cache_open(const char *path, struct cache_hit *out)
{
	int r = -1, attempt;

	out->fd = -1;
	out->blob = NULL;
	if (!atomic_load(&cache_is_ready) || path == NULL)
		return -1;
	for (attempt = 0; attempt < 2; attempt++) {
		if ((r = cache_open_try(path, out)) != -2)
			break;
	}
	if (r != 0) {
		pthread_mutex_lock(&cache_lock);
		cache_cs.st.misses++;
		pthread_mutex_unlock(&cache_lock);
		return -1;
	}
	return 0;
}

void
cache_close(struct cache_hit *h)
{
	cache_blob_unref(h->blob);
	h->blob = NULL;
}
