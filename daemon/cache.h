/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cache.h: THE object store.  A uthash index keyed by URL path, an LRU with
 * a byte cap and min_free, pinning of current playlists/manifests and of
 * everything a current HLS playlist references (segments, parts, init
 * sections, keys), kept pinned for a grace period after a new version drops
 * them (the old version's duration plus its longest segment, at least 3 x
 * target duration, at most 10 minutes), and one lock (cache_lock).  Object files
 * are self-describing (see cache_fs.h) so the index is rebuilt after any
 * restart, clean or not.
 *
 * Locking: every public function takes and releases cache_lock itself;
 * static do_cache_* functions require it held.  No I/O under the lock.
 *
 * Accounting: an object costs its file size, CACHE_FS_BODY_OFF (4096, the
 * header page) + body length, against max_bytes: that is what it takes on
 * disk.  Pinned objects count too; when only pinned objects are left over
 * the cap, the least recently used of them go (evictions_pinned).
 */
#ifndef NIPCACHE_CACHE_H
#define NIPCACHE_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <stdatomic.h>

struct cache_params {
	const char	*dir;		/* cache root; staging in <dir>/tmp */
	uint64_t	max_bytes;	/* byte cap (objects on disk) */
	uint64_t	min_free_bytes;	/* keep this much free on the fs, or */
	uint32_t	min_free_pct;	/* this percent */
	int		fsync_mode;	/* enum conf_fsync */
	uint32_t	mem_max;	/* playlists/manifests/XML/JSON up to
					   this size are kept in RAM */
	uint64_t	mem_budget;	/* total RAM for such objects */
	/*
	 * Called after each successful publish with the object's path, from
	 * the publishing thread, with no lock held (NULL: none).  The hold
	 * table uses it to wake requests waiting for the object.
	 */
	void		(*on_publish)(const char *path);
};

/* Small playlists and signalling are served from refcounted memory. */
struct cache_blob {
	_Atomic uint32_t refs;
	uint32_t	len;
	uint8_t		data[];
};

/* What cache_open copies out for one request (by value). */
struct cache_hit {
	/*
	 * Owned by the caller, or -1 if blob.  It may be a dup() of a cached
	 * descriptor and share its file offset: read it with pread/sendfile
	 * at body_off (as libmicrohttpd does), never with read/lseek.
	 */
	int		fd;
	uint64_t	body_off;	/* body offset in fd */
	uint64_t	size;		/* body length */
	struct cache_blob *blob;	/* a reference, or NULL */
	char		content_type[96];
	char		etag[48];	/* quoted strong validator */
	int64_t		mtime;		/* Unix seconds, for Last-Modified */
	uint8_t		is_playlist;	/* m3u8/mpd/xml: short Cache-Control */
	uint64_t	seq;		/* version order (cache_obj.seq) */
	uint64_t	pub_ms;		/* util_now_ms() when published in this
					   run, 0 if indexed at start */
};

struct cache_stats {
	uint64_t	bytes;		/* bytes cached */
	uint64_t	objects;
	uint64_t	pinned_bytes;
	uint64_t	max_bytes;
	uint64_t	evictions;		/* by the byte cap or min_free */
	uint64_t	evictions_pinned;	/* pinned evicted anyway */
	uint64_t	inserts;
	uint64_t	replaced;		/* new version of a location */
	uint64_t	stale_rejected;		/* older version finished late */
	uint64_t	hits;
	uint64_t	misses;
	uint64_t	mem_bytes;		/* RAM held by blobs */
	uint64_t	hot_fds;		/* descriptors kept open */
	uint64_t	publish_errors;		/* rename or file errors */
	uint64_t	rebuilt;		/* objects indexed at start */
	uint64_t	rebuild_dropped;	/* bad files deleted at start */
	uint64_t	tmp_purged;		/* leftovers deleted at start */
	uint64_t	hash_oom;		/* index or pin adds refused:
						   out of memory */
	uint64_t	disk_full;		/* writes refused for want
						   of space (staging too) */
};

/*
 * Open the cache: lock <dir> (one daemon per folder), check or write the
 * format version, purge <dir>/tmp, rebuild the index from the object
 * files (dropping any that fail their self-check).  Returns 0 or -1 with a
 * reason in err.  If <dir> does not exist yet, returns 1 (not ready: the
 * caller waits for a late mount and calls again).
 */
int	cache_init(const struct cache_params *p, char *err, size_t errlen);
/* Free the index and release the lock; after stage_stop and httpd_stop. */
void	cache_shutdown(void);
/* Apply a new byte cap or min_free at run time (SIGHUP). */
void	cache_set_limits(uint64_t max_bytes, uint64_t min_free_bytes,
	    uint32_t min_free_pct);

/* Object to publish, prepared by the committer (stage.c). */
struct cache_obj {
	const char	*path;		/* URL path key, "/a/b.m3u8" */
	const char	*tmp_file;	/* complete object file in <dir>/tmp,
					   header written (see cache_fs.h) */
	uint64_t	size;		/* body length */
	uint64_t	body_off;	/* CACHE_FS_BODY_OFF, the only layout */
	const char	*content_type;
	const uint8_t	*md5;		/* 16 bytes of the body: the ETag */
	uint64_t	seq;		/* version order; 0 = unknown, older
					   than any nonzero seq */
	int64_t		mtime;
	const uint8_t	*body;		/* the body in memory if small, or NULL */
};

/*
 * The single commit path: rename tmp_file into place, index it, evict from
 * the LRU tail as needed.  Returns 0, 1 when an equal or newer version is
 * already cached (tmp_file is removed), or -1 on I/O error (tmp_file is
 * removed too).  Version order: an entry rebuilt from disk is older than
 * anything published since start (the receiver's seq restarts with it),
 * unless the bytes are the same (same MD5: a duplicate); otherwise the
 * larger seq wins, 0 losing to any other; on an equal seq
 * the same MD5 is a duplicate (1) and a different one replaces.  The body
 * of a small object (o->body) is copied into RAM; an HLS playlist is also
 * scanned for everything it references, which gets pinned.
 */
int	cache_publish(const struct cache_obj *o);

/*
 * Look up a URL path, make it the most recently used and copy the answer
 * out: a blob reference or a descriptor of its own.  0, or -1 if not
 * cached (then out->fd is -1 and out->blob NULL).
 */
int	cache_open(const char *path, struct cache_hit *out);
/*
 * The same metadata without touching the LRU or opening anything (fd -1,
 * blob NULL): for validators, /metrics and tests.  0, or -1.
 */
int	cache_peek(const char *path, struct cache_hit *out);
/* Release what cache_open gave (the blob reference; not the fd). */
void	cache_close(struct cache_hit *h);
void	cache_blob_unref(struct cache_blob *b);

/*
 * Periodic work: enforce min_free as the file system fills from elsewhere,
 * and release expired grace pins.
 */
void	cache_housekeep(void);
void	cache_get_stats(struct cache_stats *out);
/* 1 once cache_init has succeeded. */
int	cache_ready(void);

#endif
