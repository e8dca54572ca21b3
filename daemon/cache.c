/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cache.c: the object index.  One lock, cache_lock, covers everything in
 * struct cache_state (cache_int.h) that is not marked otherwise: the
 * uthash index, the three lists (LRU, hot descriptors, RAM blobs), the pin
 * table and grace records, and the counters.  do_cache_* functions need
 * it held.  Files are renamed, opened, read, unlinked and closed only
 * with the lock released: the entries removed under the lock are
 * collected on a victim list and their files dealt with afterwards.
 * Names are unique per version, so a file is never replaced under a
 * reader.
 *
 * This file publishes, evicts and rebuilds; cache_pin.c decides what is
 * pinned and for how long; cache_serve.c answers lookups.  A table add
 * that runs out of memory is refused and counted (hash_oom): the object
 * is then simply not cached, or not pinned.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cache_int.h"
#include <utlist.h>

#include "conf.h"
#include "log.h"
#include "mime.h"
#include "names.h"
#include "util.h"

#define CACHE_PLAYLIST_SCAN	(1024 * 1024)	/* rebuild reads these */

pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
struct cache_state cache_cs = { .rootfd = -1, .lockfd = -1 };
_Atomic int cache_is_ready;
_Atomic uint64_t cache_hash_oom;
_Atomic int cache_hash_fail;
static _Atomic uint64_t cache_next_gen;

void *
cache_hash_malloc(size_t size)
{
	if (atomic_load_explicit(&cache_hash_fail, memory_order_relaxed))
		return NULL;
	return malloc(size);
}

static uint64_t
entry_bytes(const struct cache_entry *e)
{
	return CACHE_FS_BODY_OFF + e->size;
}

static int
type_is(const char *type, const char *want)
{
	return strncasecmp(type, want, strlen(want)) == 0;
}

/* Playlists and manifests: pinned while current, short cache lifetime. */
static void
entry_classify(struct cache_entry *e)
{
	const char *ext = mime_from_path(e->path);
	const char *t = e->content_type;

	e->pin_self = type_is(t, "application/vnd.apple.mpegurl") ||
	    type_is(t, "application/x-mpegurl") ||
	    type_is(t, "application/dash+xml") ||
	    type_is(ext, "application/vnd.apple.mpegurl") ||
	    type_is(ext, "application/dash+xml");
	e->is_playlist = e->pin_self || strstr(t, "xml") != NULL ||
	    strcmp(ext, "application/xml") == 0;
}

static void
entry_free(struct cache_entry *e)
{
	uint32_t i;

	if (e == NULL)
		return;
	if (e->hot_fd >= 0)
		close(e->hot_fd);
	cache_blob_unref(e->blob);
	for (i = 0; i < e->nrefs; i++)
		free(e->refs[i]);
	free(e->refs);
	free(e->path);
	free(e);
}

/* Delete the files of removed entries and free them: lock not held. */
static void
victims_free(struct cache_entry *v, int unlink_files)
{
	struct cache_entry *next;

	for (; v != NULL; v = next) {
		next = v->next;
		if (unlink_files && unlinkat(cache_cs.rootfd, v->file, 0) < 0 &&
		    errno != ENOENT)
			log_warn_rl("cache unlink %s", v->file);
		entry_free(v);
	}
}

struct cache_entry *
do_cache_find(const char *path)
{
	struct cache_entry *e;

	HASH_FIND_STR(cache_cs.index, path, e);
	return e;
}

void
do_cache_set_pinned(struct cache_entry *e, int pinned)
{
	if (e->pinned == pinned)
		return;
	e->pinned = (uint8_t)pinned;
	if (pinned)
		cache_cs.st.pinned_bytes += entry_bytes(e);
	else
		cache_cs.st.pinned_bytes -= entry_bytes(e);
}

/*
 * Take e out of the index and every list and put it on *victims; its
 * descriptor, blob and file are dealt with by victims_free.  succ is the
 * version replacing it, about to be indexed, or NULL: what e references
 * and succ does not gets its grace period.
 */
static void
do_cache_remove(struct cache_entry *e, const struct cache_entry *succ,
    struct cache_entry **victims)
{
	HASH_DEL(cache_cs.index, e);
	DL_DELETE2(cache_cs.lru, e, prev, next);
	do_cache_drop_hot(e);
	do_cache_drop_blob(e);
	do_cache_set_pinned(e, 0);
	do_cache_pins_retire(e, succ);
	cache_cs.st.bytes -= entry_bytes(e);
	cache_cs.st.objects--;
	e->next = *victims;
	*victims = e;
}

/* Index e; -1 if the index cannot grow (e is then in no table or list). */
static int
do_cache_insert(struct cache_entry *e)
{
	HASH_ADD_KEYPTR(hh, cache_cs.index, e->path, strlen(e->path), e);
	if (!cache_hash_added(e))
		return -1;
	DL_PREPEND2(cache_cs.lru, e, prev, next);
	cache_cs.st.bytes += entry_bytes(e);
	cache_cs.st.objects++;
	if (e->blob != NULL) {
		DL_PREPEND2(cache_cs.blobs, e, bprev, bnext);
		cache_cs.st.mem_bytes += e->blob->len;
	}
	do_cache_set_pinned(e, e->pin_self || do_cache_pin_held(e->path));
	do_cache_pins_add(e);
	return 0;
}

/*
 * The next victim: the least recently used unpinned entry, or the least
 * recently used of all when every entry is pinned.  The walk passes over
 * pinned entries only: the live windows of current playlists, which are
 * recent and so rarely at the tail, and at most NAMES_MAX_REFS per
 * playlist plus the grace records' share when the cap is too small for
 * them.
 */
static struct cache_entry *
do_cache_lru_victim(void)
{
	struct cache_entry *e, *tail = NULL;

	if (cache_cs.lru != NULL)
		tail = cache_cs.lru->prev;
	for (e = tail; e != NULL; e = e == cache_cs.lru ? NULL : e->prev) {
		if (!e->pinned)
			return e;
	}
	return tail;
}

/* Evict until bytes <= target; evicting a playlist starts a grace. */
static void
do_cache_evict(uint64_t target, struct cache_entry **victims)
{
	struct cache_entry *e;

	while (cache_cs.st.bytes > target &&
	    (e = do_cache_lru_victim()) != NULL) {
		cache_cs.st.evictions++;
		if (e->pinned)
			cache_cs.st.evictions_pinned++;
		do_cache_remove(e, NULL, victims);
	}
}

/* 1 if e must not replace old (see cache_publish in cache.h). */
static int
is_stale(const struct cache_entry *e, const struct cache_entry *old)
{
	int same = memcmp(e->md5, old->md5, sizeof(e->md5)) == 0;

	if (!old->this_run)
		return same;
	if ((e->seq == 0) != (old->seq == 0))
		return e->seq == 0;
	if (e->seq != old->seq)
		return e->seq < old->seq;
	return same;
}

static int
do_cache_is_stale(const struct cache_entry *e)
{
	struct cache_entry *old = do_cache_find(e->path);

	return old != NULL && is_stale(e, old);
}

static struct cache_entry *
entry_new(const char *path, const char *type, uint64_t size)
{
	struct cache_entry *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	if ((e->path = strdup(path)) == NULL) {
		free(e);
		return NULL;
	}
	e->hot_fd = -1;
	e->size = size;
	util_strlcpy(e->content_type, type != NULL && type[0] != '\0' ? type :
	    "application/octet-stream", sizeof(e->content_type));
	entry_classify(e);
	return e;
}

/* Everything about a new object that can be prepared without the lock. */
static struct cache_entry *
publish_prepare(const struct cache_obj *o)
{
	struct cache_entry *e;

	if (o->path == NULL || o->path[0] != '/' || o->md5 == NULL ||
	    strlen(o->path) >= NAMES_MAX || o->size > CACHE_FS_BODY_MAX)
		return NULL;
	if ((e = entry_new(o->path, o->content_type, o->size)) == NULL)
		return NULL;
	memcpy(e->md5, o->md5, sizeof(e->md5));
	e->seq = o->seq;
	e->mtime = o->mtime;
	e->pub_ms = util_now_ms();
	e->this_run = 1;
	e->gen = atomic_fetch_add(&cache_next_gen, 1);
	cache_fs_object_name(e->path, e->gen, e->file);
	if (o->body != NULL && cache_ram_ok(e) &&
	    o->size <= cache_cs.p.mem_budget)
		e->blob = cache_blob_new(o->body, o->size);
	if (o->body != NULL && e->pin_self)
		cache_pin_scan(e, (const char *)o->body, (size_t)o->size);
	return e;
}

/*
 * Read the references of a playlist that came without its body in
 * memory (larger than mem_max) from its file, as the rebuild does.
 */
static void
entry_scan_file(struct cache_entry *e)
{
	char *body;

	if (e->size > CACHE_PLAYLIST_SCAN || (body = cache_fs_read_body(
	    cache_cs.rootfd, e->file, (size_t)e->size)) == NULL)
		return;
	cache_pin_scan(e, body, (size_t)e->size);
	free(body);
}

/* Bytes to free to honour min_free; lock not held. */
static uint64_t
min_free_shortfall(void)
{
	uint64_t minb;
	uint32_t pct;

	pthread_mutex_lock(&cache_lock);
	pct = cache_cs.p.min_free_pct;
	minb = cache_cs.p.min_free_bytes;
	pthread_mutex_unlock(&cache_lock);
	return cache_fs_free_shortfall(cache_cs.rootfd, minb, pct);
}

/* Evict for the cap and min_free, then delete the victims' files. */
static void
cache_enforce(void)
{
	struct cache_entry *victims = NULL;
	uint64_t need = min_free_shortfall();

	pthread_mutex_lock(&cache_lock);
	do_cache_evict(cache_cs.p.max_bytes, &victims);
	do_cache_evict(cache_cs.st.bytes > need ? cache_cs.st.bytes - need : 0,
	    &victims);
	pthread_mutex_unlock(&cache_lock);
	victims_free(victims, 1);
}

/*
 * Insert e (its file is in place) unless a newer version won meanwhile:
 * 0, 1 if stale, or -1 if the index could not grow (e and any older
 * version are gone, files included: a later cycle brings the object back).
 */
static int
publish_commit(struct cache_entry *e)
{
	struct cache_entry *old, *victims = NULL;
	uint64_t now = cache_now_ms();
	int r = 0;

	pthread_mutex_lock(&cache_lock);
	if (do_cache_is_stale(e)) {
		cache_cs.st.stale_rejected++;
		pthread_mutex_unlock(&cache_lock);
		victims_free(e, 1);
		return 1;
	}
	if ((old = do_cache_find(e->path)) != NULL)
		do_cache_remove(old, e, &victims);
	if (do_cache_insert(e) < 0) {
		cache_cs.st.publish_errors++;
		e->next = victims;
		victims = e;
		r = -1;
	} else if (old != NULL) {
		cache_cs.st.replaced++;
	} else {
		cache_cs.st.inserts++;
	}
	do_cache_pins_expire(now);
	do_cache_evict(cache_cs.p.max_bytes, &victims);
	do_cache_trim_blobs();
	pthread_mutex_unlock(&cache_lock);
	if (r < 0)
		log_warnx_rl("cache publish %s: out of memory, not cached",
		    e->path);
	victims_free(victims, 1);
	return r;
}

int
cache_publish(const struct cache_obj *o)
{
	struct cache_entry *e = NULL;
	int r, stale = 0;

	if (o == NULL || o->tmp_file == NULL)
		return -1;
	if (atomic_load(&cache_is_ready) && (e = publish_prepare(o)) != NULL) {
		pthread_mutex_lock(&cache_lock);
		if ((stale = do_cache_is_stale(e)) != 0)
			cache_cs.st.stale_rejected++;
		pthread_mutex_unlock(&cache_lock);
	}
	if (e == NULL || stale) {
		if (unlink(o->tmp_file) < 0)
			log_warn_rl("cache publish: unlink %s", o->tmp_file);
		entry_free(e);
		return stale ? 1 : -1;
	}
	if (cache_fs_rename_in(cache_cs.rootfd, o->tmp_file, e->file) < 0) {
		log_warn_rl("cache publish: rename %s", o->tmp_file);
		unlink(o->tmp_file);
		entry_free(e);
		pthread_mutex_lock(&cache_lock);
		cache_cs.st.publish_errors++;
		pthread_mutex_unlock(&cache_lock);
		return -1;
	}
	if (cache_cs.p.fsync_mode >= CONF_FSYNC_ALWAYS &&
	    cache_fs_sync_dir_of(cache_cs.rootfd, e->file) < 0)
		log_warn_rl("cache publish: fsync dir of %s", e->file);
	if (e->pin_self && o->body == NULL)
		entry_scan_file(e);
	if ((r = publish_commit(e)) != 0)
		return r;
	if (min_free_shortfall() > 0)
		cache_enforce();
	if (cache_cs.p.on_publish != NULL)
		cache_cs.p.on_publish(o->path);
	return 0;
}

/*
 * cache_fs_scan callback: index one good file, newest generation wins.
 * Out of memory, the file is kept for the next start.  e goes in before
 * the older version is taken out (uthash allows the moment with two equal
 * keys, and this table is private), so a refused add loses nothing.
 */
static int
rebuild_add(void *arg, const struct cache_fs_obj *o)
{
	struct cache_entry **idx = arg, *e, *old;

	HASH_FIND_STR(*idx, o->hdr->path, old);
	if (old != NULL && old->gen > o->gen)
		return -1;
	e = entry_new(o->hdr->path, o->hdr->content_type, o->hdr->body_len);
	if (e == NULL)
		return 0;
	memcpy(e->md5, o->hdr->md5, sizeof(e->md5));
	e->seq = o->hdr->seq;
	e->mtime = o->hdr->mtime;
	e->gen = o->gen;
	util_strlcpy(e->file, o->name, sizeof(e->file));
	HASH_ADD_KEYPTR(hh, *idx, e->path, strlen(e->path), e);
	if (!cache_hash_added(e)) {
		entry_free(e);
		return 0;
	}
	if (old != NULL) {
		HASH_DEL(*idx, old);
		old->next = NULL;
		victims_free(old, 1);
	}
	return 0;
}

static int
gen_cmp(const void *a, const void *b)
{
	const struct cache_entry *x = a, *y = b;

	return x->gen < y->gen ? -1 : x->gen > y->gen;
}

/* Re-read playlists so that what they reference is pinned again. */
static void
rebuild_pins(struct cache_entry *idx)
{
	struct cache_entry *e, *tmp;

	HASH_ITER(hh, idx, e, tmp) {
		if (e->pin_self)
			entry_scan_file(e);
	}
}

/*
 * Scan objects/ and load the index, oldest generation at the LRU tail.
 * An entry the index has no room for is dropped, its file kept.
 */
static void
cache_rebuild(void)
{
	struct cache_entry *idx = NULL, *e, *tmp, *victims = NULL, *lost = NULL;
	uint64_t dropped = 0, maxgen;

	maxgen = cache_fs_scan(cache_cs.rootfd, rebuild_add, &idx, &dropped);
	atomic_store(&cache_next_gen, maxgen + 1);
	HASH_SORT(idx, gen_cmp);
	rebuild_pins(idx);
	pthread_mutex_lock(&cache_lock);
	cache_cs.st.rebuild_dropped = dropped;
	HASH_ITER(hh, idx, e, tmp) {
		HASH_DEL(idx, e);
		if (do_cache_insert(e) < 0) {
			e->next = lost;
			lost = e;
			continue;
		}
		cache_cs.st.rebuilt++;
	}
	do_cache_evict(cache_cs.p.max_bytes, &victims);
	pthread_mutex_unlock(&cache_lock);
	victims_free(victims, 1);
	victims_free(lost, 0);
}

int
cache_init(const struct cache_params *p, char *err, size_t errlen)
{
	struct cache_stats st;
	uint64_t purged;
	int r, rootfd = -1, lockfd = -1;
	char *dir;

	if (atomic_load(&cache_is_ready)) {
		snprintf(err, errlen, "%s: cache already open", p->dir);
		return -1;
	}
	r = cache_fs_open(p->dir, &rootfd, &lockfd, err, errlen);
	if (r != 0)
		return r;
	if ((dir = strdup(p->dir)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", p->dir);
		close(lockfd);
		close(rootfd);
		return -1;
	}
	purged = cache_fs_purge_tmp(rootfd);
	pthread_mutex_lock(&cache_lock);
	memset(&cache_cs, 0, sizeof(cache_cs));
	cache_cs.p = *p;
	cache_cs.p.dir = dir;
	cache_cs.rootfd = rootfd;
	cache_cs.lockfd = lockfd;
	cache_cs.st.max_bytes = p->max_bytes;
	cache_cs.st.tmp_purged = purged;
	atomic_store(&cache_hash_oom, 0);
	pthread_mutex_unlock(&cache_lock);
	cache_rebuild();
	cache_enforce();
	atomic_store(&cache_is_ready, 1);
	cache_get_stats(&st);
	log_info("cache %s: %llu objects, %llu bytes, %llu bad files and "
	    "%llu staging files dropped", p->dir,
	    (unsigned long long)st.objects, (unsigned long long)st.bytes,
	    (unsigned long long)st.rebuild_dropped,
	    (unsigned long long)st.tmp_purged);
	return 0;
}

void
cache_shutdown(void)
{
	struct cache_entry *e, *tmp, *all = NULL;
	int rootfd, lockfd;
	char *dir;

	if (!atomic_exchange(&cache_is_ready, 0))
		return;
	pthread_mutex_lock(&cache_lock);
	HASH_ITER(hh, cache_cs.index, e, tmp) {
		HASH_DEL(cache_cs.index, e);
		e->next = all;
		all = e;
	}
	do_cache_pins_clear();
	dir = (char *)(uintptr_t)cache_cs.p.dir;
	rootfd = cache_cs.rootfd;
	lockfd = cache_cs.lockfd;
	memset(&cache_cs, 0, sizeof(cache_cs));
	cache_cs.rootfd = cache_cs.lockfd = -1;
	pthread_mutex_unlock(&cache_lock);
	victims_free(all, 0);
	free(dir);
	close(rootfd);
	close(lockfd);
}

void
cache_set_limits(uint64_t max_bytes, uint64_t min_free_bytes,
    uint32_t min_free_pct)
{
	pthread_mutex_lock(&cache_lock);
	cache_cs.p.max_bytes = max_bytes;
	cache_cs.st.max_bytes = max_bytes;
	cache_cs.p.min_free_bytes = min_free_bytes;
	cache_cs.p.min_free_pct = min_free_pct;
	pthread_mutex_unlock(&cache_lock);
	if (atomic_load(&cache_is_ready))
		cache_enforce();
}

/* Release due grace records, then evict what they no longer protect. */
void
cache_housekeep(void)
{
	uint64_t now = cache_now_ms();

	if (!atomic_load(&cache_is_ready))
		return;
	pthread_mutex_lock(&cache_lock);
	do_cache_pins_expire(now);
	pthread_mutex_unlock(&cache_lock);
	cache_enforce();
}

void
cache_get_stats(struct cache_stats *out)
{
	pthread_mutex_lock(&cache_lock);
	*out = cache_cs.st;
	pthread_mutex_unlock(&cache_lock);
	out->hash_oom = atomic_load(&cache_hash_oom);
	out->disk_full = cache_fs_disk_full();
}

int
cache_ready(void)
{
	return atomic_load(&cache_is_ready);
}
