/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cache_int.h: what the files of the cache module share and nobody else
 * may use.  cache.c keeps the index, the LRU, publishing and eviction;
 * cache_pin.c the pin table and the grace period of references a
 * playlist dropped; cache_serve.c answers lookups (cache_open,
 * cache_peek) and owns the two memory tiers, hot descriptors and RAM
 * blobs.
 *
 * Locking is that of cache.h: cache_lock covers everything in
 * struct cache_state that is not marked otherwise, and do_cache_*
 * functions need it held.
 */
#ifndef NIPCACHE_CACHE_INT_H
#define NIPCACHE_CACHE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/*
 * uthash must not end the daemon when it cannot grow a table: with
 * HASH_NONFATAL_OOM a failed add leaves the table as it was, the element
 * outside it with elt->hh.tbl NULL (uthash user guide), and calls
 * uthash_nonfatal_oom, which counts it.  Every add is checked with
 * cache_hash_added().  Table allocations go through cache_hash_malloc so
 * that tests can make them fail.
 */
#define HASH_NONFATAL_OOM	1
#define uthash_nonfatal_oom(elt) \
	atomic_fetch_add_explicit(&cache_hash_oom, 1, memory_order_relaxed)
#define uthash_malloc(sz)	cache_hash_malloc(sz)
#include <uthash.h>

#include "cache.h"
#include "cache_fs.h"

#define CACHE_HOT_MAX		256		/* descriptors kept open */

struct cache_entry {
	UT_hash_handle	hh;
	char		*path;			/* the key */
	struct cache_entry *prev, *next;	/* LRU, head = most recent */
	struct cache_entry *fprev, *fnext;	/* holding a hot fd */
	struct cache_entry *bprev, *bnext;	/* holding a blob */
	struct cache_blob *blob;
	char		**refs;			/* paths this playlist pins */
	uint32_t	nrefs;			/* <= NAMES_MAX_REFS */
	uint32_t	refs_cap;
	uint32_t	grace_ms;		/* see cache_pin.c */
	uint64_t	gen;
	uint64_t	size;
	uint64_t	seq;
	int64_t		mtime;
	uint64_t	pub_ms;			/* util_now_ms() at publish,
						   0 if rebuilt at start */
	int		hot_fd;
	uint8_t		md5[16];
	uint8_t		this_run;	/* published since start */
	uint8_t		is_playlist;
	uint8_t		pin_self;	/* a playlist or manifest */
	uint8_t		pinned;
	char		file[CACHE_FS_NAME_MAX];
	char		content_type[CACHE_FS_TYPE_MAX];
};

/* A path referenced by refs pins: current playlists and grace records. */
struct cache_pin {
	UT_hash_handle	hh;
	char		*path;
	uint32_t	refs;
	uint64_t	mark;		/* see do_cache_pins_retire */
};

/*
 * The references an old playlist version had and its successor dropped,
 * pinned until the monotonic time until (ms).
 */
struct cache_grace {
	struct cache_grace *prev, *next;	/* oldest first */
	uint64_t	until;
	char		**refs;
	uint32_t	nrefs;
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
	struct cache_grace *grace;
	uint64_t	grace_refs;	/* references in grace records */
	uint64_t	grace_next;	/* earliest until; 0: look */
	uint64_t	pin_mark;
	struct cache_stats st;
};

extern pthread_mutex_t cache_lock;
extern struct cache_state cache_cs;
/* Set once cache_init has succeeded; read without the lock. */
extern _Atomic int cache_is_ready;
/* Table adds refused for want of memory (uthash_nonfatal_oom). */
extern _Atomic uint64_t cache_hash_oom;
/*
 * Fault injection for the unit tests: while nonzero, every uthash table
 * allocation fails.  Never set by the daemon.
 */
extern _Atomic int cache_hash_fail;

/*
 * The clock of grace periods for the unit tests: while nonzero, the
 * monotonic time in ms.  Never set by the daemon.
 */
extern _Atomic uint64_t cache_test_now_ms;

/* uthash's allocator: malloc, unless cache_hash_fail is set. */
void	*cache_hash_malloc(size_t size);

/* 1 if the HASH_ADD of elt went in, 0 if uthash refused it (no memory). */
#define cache_hash_added(elt)	((elt)->hh.tbl != NULL)

/* cache.c */
struct cache_entry *do_cache_find(const char *path);
/* Set e's pinned flag and account for it in pinned_bytes. */
void	do_cache_set_pinned(struct cache_entry *e, int pinned);

/* cache_pin.c */
/* The monotonic time in ms (cache_test_now_ms if set). */
uint64_t cache_now_ms(void);
/*
 * Read the references of the playlist e from its body (lock not held, e
 * not shared yet) into e->refs, and its grace period into e->grace_ms.
 */
void	cache_pin_scan(struct cache_entry *e, const char *body, size_t len);
/* 1 if some playlist or grace record pins path. */
int	do_cache_pin_held(const char *path);
/* Count the references of e, just indexed, in the pin table. */
void	do_cache_pins_add(struct cache_entry *e);
/*
 * e leaves the index, replaced by succ (not indexed yet) or evicted
 * (succ NULL): its references that succ does not have stay pinned for
 * e->grace_ms, the others are released.  e->refs is emptied.
 */
void	do_cache_pins_retire(struct cache_entry *e,
	    const struct cache_entry *succ);
/* Release the grace records due at now. */
void	do_cache_pins_expire(uint64_t now);
/* Free the pin table and the grace records (shutdown). */
void	do_cache_pins_clear(void);

/* cache_serve.c */
struct cache_blob *cache_blob_new(const uint8_t *data, uint64_t len);
/* 1 if e may be kept in RAM: small and a playlist, XML or JSON. */
int	cache_ram_ok(const struct cache_entry *e);
void	do_cache_drop_hot(struct cache_entry *e);
void	do_cache_drop_blob(struct cache_entry *e);
void	do_cache_trim_blobs(void);

#endif
