/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cache.c: the object index.  One lock, cache_lock, covers everything in
 * struct cache_state below that is not marked otherwise: the uthash index,
 * the three lists (LRU, hot descriptors, RAM blobs), the pin table and the
 * counters.  do_cache_* functions need it held.  Files are renamed,
 * opened, read, unlinked and closed only with the lock released: the
 * entries removed under the lock are collected on a victim list and their
 * files dealt with afterwards.  Names are unique per version, so a file is
 * never replaced under a reader.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <uthash.h>
#include <utlist.h>

#include "cache.h"
#include "cache_fs.h"
#include "conf.h"
#include "log.h"
#include "names.h"
#include "util.h"

#define CACHE_HOT_MAX		256		/* descriptors kept open */
#define CACHE_PLAYLIST_SCAN	(1024 * 1024)	/* rebuild reads these */

struct cache_entry {
	UT_hash_handle	hh;
	char		*path;			/* the key */
	struct cache_entry *prev, *next;	/* LRU, head = most recent */
	struct cache_entry *fprev, *fnext;	/* holding a hot fd */
	struct cache_entry *bprev, *bnext;	/* holding a blob */
	struct cache_blob *blob;
	char		**refs;			/* paths this playlist pins */
	size_t		nrefs;
	uint64_t	gen;
	uint64_t	size;
	uint64_t	seq;
	int64_t		mtime;
	int		hot_fd;
	uint8_t		md5[16];
	uint8_t		this_run;	/* published since start */
	uint8_t		is_playlist;
	uint8_t		pin_self;	/* a playlist or manifest */
	uint8_t		pinned;
	char		file[CACHE_FS_NAME_MAX];
	char		content_type[CACHE_FS_TYPE_MAX];
};

/* An init segment referenced by refs live playlists. */
struct cache_pin {
	UT_hash_handle	hh;
	char		*path;
	uint32_t	refs;
};

struct cache_state {
	struct cache_params p;		/* dir is ours (strdup) */
	int		rootfd;		/* set at init, read without lock */
	int		lockfd;
	struct cache_entry *index;
	struct cache_entry *lru;
	struct cache_entry *hot;
	struct cache_entry *blobs;
	struct cache_pin *pins;
	struct cache_stats st;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cache_state cs = { .rootfd = -1, .lockfd = -1 };
static _Atomic uint64_t cache_next_gen;
static _Atomic int cache_is_ready;

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
	const char *ext = names_type_from_ext(e->path);
	const char *t = e->content_type;

	if (ext == NULL)
		ext = "";
	e->pin_self = type_is(t, "application/vnd.apple.mpegurl") ||
	    type_is(t, "application/x-mpegurl") ||
	    type_is(t, "application/dash+xml") ||
	    type_is(ext, "application/vnd.apple.mpegurl") ||
	    type_is(ext, "application/dash+xml");
	e->is_playlist = e->pin_self || strstr(t, "xml") != NULL ||
	    strcmp(ext, "application/xml") == 0;
}

void
cache_blob_unref(struct cache_blob *b)
{
	if (b != NULL && atomic_fetch_sub(&b->refs, 1) == 1)
		free(b);
}

static void
entry_free(struct cache_entry *e)
{
	size_t i;

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
		if (unlink_files && unlinkat(cs.rootfd, v->file, 0) < 0 &&
		    errno != ENOENT)
			log_warn_rl("cache unlink %s", v->file);
		entry_free(v);
	}
}

static struct cache_entry *
do_cache_find(const char *path)
{
	struct cache_entry *e;

	HASH_FIND_STR(cs.index, path, e);
	return e;
}

static void
do_cache_set_pinned(struct cache_entry *e, int pinned)
{
	if (e->pinned == pinned)
		return;
	e->pinned = (uint8_t)pinned;
	if (pinned)
		cs.st.pinned_bytes += entry_bytes(e);
	else
		cs.st.pinned_bytes -= entry_bytes(e);
}

/* Recompute the pin of the entry at path, if it is cached. */
static void
do_cache_repin(const char *path)
{
	struct cache_entry *e = do_cache_find(path);
	struct cache_pin *pin;

	if (e == NULL)
		return;
	HASH_FIND_STR(cs.pins, path, pin);
	do_cache_set_pinned(e, e->pin_self || pin != NULL);
}

/* Count e's references in the pin table (entries it names get pinned). */
static void
do_cache_pins_add(struct cache_entry *e)
{
	struct cache_pin *pin;
	size_t i, kept = 0;

	for (i = 0; i < e->nrefs; i++) {
		HASH_FIND_STR(cs.pins, e->refs[i], pin);
		if (pin == NULL && (pin = calloc(1, sizeof(*pin))) != NULL) {
			if ((pin->path = strdup(e->refs[i])) == NULL) {
				free(pin);
				pin = NULL;
			} else {
				HASH_ADD_KEYPTR(hh, cs.pins, pin->path,
				    strlen(pin->path), pin);
			}
		}
		if (pin == NULL) {
			/* Out of memory: that reference goes unpinned. */
			free(e->refs[i]);
			continue;
		}
		pin->refs++;
		e->refs[kept++] = e->refs[i];
		do_cache_repin(pin->path);
	}
	e->nrefs = kept;
}

static void
do_cache_pins_drop(struct cache_entry *e)
{
	struct cache_pin *pin;
	size_t i;

	for (i = 0; i < e->nrefs; i++) {
		HASH_FIND_STR(cs.pins, e->refs[i], pin);
		if (pin == NULL || --pin->refs > 0)
			continue;
		HASH_DEL(cs.pins, pin);
		free(pin->path);
		free(pin);
		do_cache_repin(e->refs[i]);
	}
}

static void
do_cache_drop_hot(struct cache_entry *e)
{
	if (e->hot_fd < 0)
		return;
	DL_DELETE2(cs.hot, e, fprev, fnext);
	cs.st.hot_fds--;
}

static void
do_cache_drop_blob(struct cache_entry *e)
{
	if (e->blob == NULL)
		return;
	DL_DELETE2(cs.blobs, e, bprev, bnext);
	cs.st.mem_bytes -= e->blob->len;
}

/*
 * Take e out of the index and every list and put it on *victims; its
 * descriptor, blob and file are dealt with by victims_free.
 */
static void
do_cache_remove(struct cache_entry *e, struct cache_entry **victims)
{
	HASH_DEL(cs.index, e);
	DL_DELETE2(cs.lru, e, prev, next);
	do_cache_drop_hot(e);
	do_cache_drop_blob(e);
	do_cache_set_pinned(e, 0);
	do_cache_pins_drop(e);
	cs.st.bytes -= entry_bytes(e);
	cs.st.objects--;
	e->next = *victims;
	*victims = e;
}

static void
do_cache_insert(struct cache_entry *e)
{
	struct cache_pin *pin;

	HASH_ADD_KEYPTR(hh, cs.index, e->path, strlen(e->path), e);
	DL_PREPEND2(cs.lru, e, prev, next);
	cs.st.bytes += entry_bytes(e);
	cs.st.objects++;
	if (e->blob != NULL) {
		DL_PREPEND2(cs.blobs, e, bprev, bnext);
		cs.st.mem_bytes += e->blob->len;
	}
	HASH_FIND_STR(cs.pins, e->path, pin);
	do_cache_set_pinned(e, e->pin_self || pin != NULL);
	do_cache_pins_add(e);
}

/*
 * The next victim: the least recently used unpinned entry, or the least
 * recently used of all when every entry is pinned.  Pinned entries are
 * few (playlists and their init segments), so the walk is short.
 */
static struct cache_entry *
do_cache_lru_victim(void)
{
	struct cache_entry *tail = cs.lru != NULL ? cs.lru->prev : NULL, *e;

	for (e = tail; e != NULL; e = e == cs.lru ? NULL : e->prev) {
		if (!e->pinned)
			return e;
	}
	return tail;
}

/* Evict until bytes <= target; eviction may unpin init segments. */
static void
do_cache_evict(uint64_t target, struct cache_entry **victims)
{
	struct cache_entry *e;

	while (cs.st.bytes > target && (e = do_cache_lru_victim()) != NULL) {
		cs.st.evictions++;
		if (e->pinned)
			cs.st.evictions_pinned++;
		do_cache_remove(e, victims);
	}
}

/* Drop RAM copies, least recently used first, down to the budget. */
static void
do_cache_trim_blobs(void)
{
	struct cache_entry *e;

	while (cs.st.mem_bytes > cs.p.mem_budget && cs.blobs != NULL) {
		e = cs.blobs->bprev;
		do_cache_drop_blob(e);
		cache_blob_unref(e->blob);
		e->blob = NULL;
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

static struct cache_blob *
blob_new(const uint8_t *data, uint64_t len)
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

/* names_hls_maps callback: append a path to e->refs. */
static void
entry_add_ref(void *arg, const char *path)
{
	struct cache_entry *e = arg;
	char **r, *s;

	if ((s = strdup(path)) == NULL)
		return;
	if ((r = realloc(e->refs, (e->nrefs + 1) * sizeof(*r))) == NULL) {
		free(s);
		return;
	}
	e->refs = r;
	e->refs[e->nrefs++] = s;
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
	e->this_run = 1;
	e->gen = atomic_fetch_add(&cache_next_gen, 1);
	cache_fs_object_name(e->path, e->gen, e->file);
	if (o->body != NULL && o->size <= cs.p.mem_max &&
	    o->size <= cs.p.mem_budget)
		e->blob = blob_new(o->body, o->size);
	if (o->body != NULL && e->pin_self)
		names_hls_maps(e->path, (const char *)o->body, o->size,
		    entry_add_ref, e);
	return e;
}

/* Bytes to free to honour min_free; lock not held. */
static uint64_t
min_free_shortfall(void)
{
	uint64_t minb;
	uint32_t pct;

	pthread_mutex_lock(&cache_lock);
	pct = cs.p.min_free_pct;
	minb = cs.p.min_free_bytes;
	pthread_mutex_unlock(&cache_lock);
	return cache_fs_free_shortfall(cs.rootfd, minb, pct);
}

/* Evict for the cap and min_free, then delete the victims' files. */
static void
cache_enforce(void)
{
	struct cache_entry *victims = NULL;
	uint64_t need = min_free_shortfall();

	pthread_mutex_lock(&cache_lock);
	do_cache_evict(cs.p.max_bytes, &victims);
	do_cache_evict(cs.st.bytes > need ? cs.st.bytes - need : 0, &victims);
	pthread_mutex_unlock(&cache_lock);
	victims_free(victims, 1);
}

/* Insert e (its file is in place) unless a newer version won meanwhile. */
static int
publish_commit(struct cache_entry *e)
{
	struct cache_entry *old, *victims = NULL;

	pthread_mutex_lock(&cache_lock);
	if (do_cache_is_stale(e)) {
		cs.st.stale_rejected++;
		pthread_mutex_unlock(&cache_lock);
		victims_free(e, 1);
		return 1;
	}
	if ((old = do_cache_find(e->path)) != NULL) {
		do_cache_remove(old, &victims);
		cs.st.replaced++;
	} else {
		cs.st.inserts++;
	}
	do_cache_insert(e);
	do_cache_evict(cs.p.max_bytes, &victims);
	do_cache_trim_blobs();
	pthread_mutex_unlock(&cache_lock);
	victims_free(victims, 1);
	return 0;
}

int
cache_publish(const struct cache_obj *o)
{
	struct cache_entry *e = NULL;
	int stale = 0;

	if (o == NULL || o->tmp_file == NULL)
		return -1;
	if (atomic_load(&cache_is_ready) && (e = publish_prepare(o)) != NULL) {
		pthread_mutex_lock(&cache_lock);
		if ((stale = do_cache_is_stale(e)) != 0)
			cs.st.stale_rejected++;
		pthread_mutex_unlock(&cache_lock);
	}
	if (e == NULL || stale) {
		if (unlink(o->tmp_file) < 0)
			log_warn_rl("cache publish: unlink %s", o->tmp_file);
		entry_free(e);
		return stale ? 1 : -1;
	}
	if (cache_fs_rename_in(cs.rootfd, o->tmp_file, e->file) < 0) {
		log_warn_rl("cache publish: rename %s", o->tmp_file);
		unlink(o->tmp_file);
		entry_free(e);
		pthread_mutex_lock(&cache_lock);
		cs.st.publish_errors++;
		pthread_mutex_unlock(&cache_lock);
		return -1;
	}
	if (cs.p.fsync_mode >= CONF_FSYNC_ALWAYS &&
	    cache_fs_sync_dir_of(cs.rootfd, e->file) < 0)
		log_warn_rl("cache publish: fsync dir of %s", e->file);
	if (publish_commit(e) != 0)
		return 1;
	if (min_free_shortfall() > 0)
		cache_enforce();
	return 0;
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
	struct cache_blob *b = blob_new(NULL, out->size);
	struct cache_entry *e;

	if (b == NULL)
		return -1;
	if (cache_fs_pread_full(fd, b->data, b->len, out->body_off) < 0) {
		free(b);
		return -1;
	}
	atomic_fetch_add(&b->refs, 1);
	pthread_mutex_lock(&cache_lock);
	cs.st.hits++;
	e = do_cache_find_gen(path, gen);
	if (e != NULL && e->blob == NULL) {
		e->blob = b;
		DL_PREPEND2(cs.blobs, e, bprev, bnext);
		cs.st.mem_bytes += b->len;
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
	cs.st.hits++;
	e = do_cache_find_gen(path, gen);
	if (hot >= 0 && e != NULL && e->hot_fd < 0) {
		e->hot_fd = hot;
		hot = -1;
		DL_PREPEND2(cs.hot, e, fprev, fnext);
		if (++cs.st.hot_fds > CACHE_HOT_MAX) {
			t = cs.hot->fprev;
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
	DL_DELETE2(cs.lru, e, prev, next);
	DL_PREPEND2(cs.lru, e, prev, next);
	do_cache_fill_hit(e, out);
	if (e->blob != NULL) {
		DL_DELETE2(cs.blobs, e, bprev, bnext);
		DL_PREPEND2(cs.blobs, e, bprev, bnext);
		atomic_fetch_add(&e->blob->refs, 1);
		out->blob = e->blob;
		return 0;
	}
	if (e->hot_fd >= 0 &&
	    (out->fd = fcntl(e->hot_fd, F_DUPFD_CLOEXEC, 0)) >= 0) {
		DL_DELETE2(cs.hot, e, fprev, fnext);
		DL_PREPEND2(cs.hot, e, fprev, fnext);
		return 0;
	}
	*gen = e->gen;
	memcpy(file, e->file, CACHE_FS_NAME_MAX);
	*want_blob = e->size <= cs.p.mem_max &&
	    cs.st.mem_bytes + e->size <= cs.p.mem_budget;
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
		cs.st.hits++;
	pthread_mutex_unlock(&cache_lock);
	if (r <= 0)
		return r;
	if ((fd = openat(cs.rootfd, file, O_RDONLY | O_CLOEXEC)) < 0) {
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
		cs.st.misses++;
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

/* cache_fs_scan callback: index one good file, newest generation wins. */
static int
rebuild_add(void *arg, const struct cache_fs_obj *o)
{
	struct cache_entry **idx = arg, *e, *old;

	HASH_FIND_STR(*idx, o->hdr->path, old);
	if (old != NULL && old->gen > o->gen)
		return -1;
	e = entry_new(o->hdr->path, o->hdr->content_type, o->hdr->body_len);
	if (e == NULL)
		return 0;	/* out of memory: keep the file for next time */
	memcpy(e->md5, o->hdr->md5, sizeof(e->md5));
	e->seq = o->hdr->seq;
	e->mtime = o->hdr->mtime;
	e->gen = o->gen;
	util_strlcpy(e->file, o->name, sizeof(e->file));
	if (old != NULL) {
		HASH_DEL(*idx, old);
		old->next = NULL;
		victims_free(old, 1);
	}
	HASH_ADD_KEYPTR(hh, *idx, e->path, strlen(e->path), e);
	return 0;
}

static int
gen_cmp(const void *a, const void *b)
{
	const struct cache_entry *x = a, *y = b;

	return x->gen < y->gen ? -1 : x->gen > y->gen;
}

/* Re-read small playlists so their init segments are pinned again. */
static void
rebuild_pins(struct cache_entry *idx)
{
	struct cache_entry *e, *tmp;
	char *body;

	HASH_ITER(hh, idx, e, tmp) {
		if (!e->pin_self || e->size > CACHE_PLAYLIST_SCAN ||
		    (body = cache_fs_read_body(cs.rootfd, e->file,
		    (size_t)e->size)) == NULL)
			continue;
		names_hls_maps(e->path, body, (size_t)e->size, entry_add_ref,
		    e);
		free(body);
	}
}

/* Scan objects/ and load the index, oldest generation at the LRU tail. */
static void
cache_rebuild(void)
{
	struct cache_entry *idx = NULL, *e, *tmp, *victims = NULL;
	uint64_t dropped = 0, maxgen;

	maxgen = cache_fs_scan(cs.rootfd, rebuild_add, &idx, &dropped);
	atomic_store(&cache_next_gen, maxgen + 1);
	HASH_SORT(idx, gen_cmp);
	rebuild_pins(idx);
	pthread_mutex_lock(&cache_lock);
	cs.st.rebuild_dropped = dropped;
	HASH_ITER(hh, idx, e, tmp) {
		HASH_DEL(idx, e);
		do_cache_insert(e);
		cs.st.rebuilt++;
	}
	do_cache_evict(cs.p.max_bytes, &victims);
	pthread_mutex_unlock(&cache_lock);
	victims_free(victims, 1);
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
	memset(&cs, 0, sizeof(cs));
	cs.p = *p;
	cs.p.dir = dir;
	cs.rootfd = rootfd;
	cs.lockfd = lockfd;
	cs.st.max_bytes = p->max_bytes;
	cs.st.tmp_purged = purged;
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
	struct cache_pin *pin, *ptmp;
	int rootfd, lockfd;
	char *dir;

	if (!atomic_exchange(&cache_is_ready, 0))
		return;
	pthread_mutex_lock(&cache_lock);
	HASH_ITER(hh, cs.index, e, tmp) {
		HASH_DEL(cs.index, e);
		e->next = all;
		all = e;
	}
	HASH_ITER(hh, cs.pins, pin, ptmp) {
		HASH_DEL(cs.pins, pin);
		free(pin->path);
		free(pin);
	}
	dir = (char *)(uintptr_t)cs.p.dir;
	rootfd = cs.rootfd;
	lockfd = cs.lockfd;
	memset(&cs, 0, sizeof(cs));
	cs.rootfd = cs.lockfd = -1;
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
	cs.p.max_bytes = max_bytes;
	cs.st.max_bytes = max_bytes;
	cs.p.min_free_bytes = min_free_bytes;
	cs.p.min_free_pct = min_free_pct;
	pthread_mutex_unlock(&cache_lock);
	if (atomic_load(&cache_is_ready))
		cache_enforce();
}

void
cache_housekeep(void)
{
	if (atomic_load(&cache_is_ready))
		cache_enforce();
}

void
cache_get_stats(struct cache_stats *out)
{
	pthread_mutex_lock(&cache_lock);
	*out = cs.st;
	pthread_mutex_unlock(&cache_lock);
}

int
cache_ready(void)
{
	return atomic_load(&cache_is_ready);
}
