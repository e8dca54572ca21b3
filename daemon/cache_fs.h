/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cache_fs.h: the on-disk layout of the cache (OpenSMTPD queue_fs idea).
 *
 *   <dir>/FORMAT                 "nipcache-cache 1\n"
 *   <dir>/LOCK                   flock()ed by the running daemon
 *   <dir>/tmp/                   staging; emptied at every start
 *   <dir>/objects/xx/<32 hex>-<16 hex>
 *
 * The 32 hex digits are the first 16 bytes of SHA-256 of the URL path (xx
 * is the first of them); the 16 hex digits are a generation number unique
 * for the life of the cache directory (each publish takes the next one),
 * so a new version never overwrites a file an older index entry, or an
 * open response, still uses.  Generations also order the files by publish
 * time across restarts, whatever the clock did.
 *
 * Every object file is self-describing: a header at offset 0 (magic,
 * version, lengths, body MD5, mtime, seq, content type, URL path, CRC-32)
 * zero-padded to CACHE_FS_BODY_OFF, then the body.  A file whose header is
 * bad or whose size is not CACHE_FS_BODY_OFF + body length is never
 * indexed.  The header codec is pure (bytes in, struct out).
 */
#ifndef NIPCACHE_CACHE_FS_H
#define NIPCACHE_CACHE_FS_H

#include <stddef.h>
#include <stdint.h>

#include "names.h"

#define CACHE_FS_FORMAT		"nipcache-cache 1"
#define CACHE_FS_BODY_OFF	4096		/* page aligned for sendfile */
#define CACHE_FS_TYPE_MAX	96		/* content type, with its NUL */
#define CACHE_FS_BODY_MAX	(UINT64_C(1) << 48)
/* "objects/xx/" + 32 hex + "-" + 16 hex, and its NUL. */
#define CACHE_FS_NAME_MAX	64

struct cache_fs_hdr {
	uint64_t	body_len;
	uint8_t		md5[16];
	int64_t		mtime;		/* Unix seconds */
	uint64_t	seq;		/* the receiver's version order */
	char		content_type[CACHE_FS_TYPE_MAX];
	char		path[NAMES_MAX];
};

/*
 * Encode h into buf (CACHE_FS_BODY_OFF bytes, zero padded).  Returns 0, or
 * -1 if a string is too long or holds a control character.
 */
int	cache_fs_hdr_encode(const struct cache_fs_hdr *h, uint8_t *buf,
	    size_t len);
/* Decode and check (magic, version, CRC, strings).  0 or -1. */
int	cache_fs_hdr_decode(const uint8_t *buf, size_t len,
	    struct cache_fs_hdr *out);

/* "objects/xx/<hash>-<gen>" for path, relative to the cache root. */
void	cache_fs_object_name(const char *path, uint64_t gen,
	    char name[CACHE_FS_NAME_MAX]);

/*
 * Open the cache root: 1 if dir does not exist, -1 with a reason in err
 * (locked by another process, foreign or newer format, I/O), or 0 with
 * *rootfd (an O_PATH-like directory fd) and *lockfd (holding the flock).
 * Writes FORMAT into an empty directory and makes tmp/ and objects/; the
 * bucket directories objects/xx are made when first needed.
 */
int	cache_fs_open(const char *dir, int *rootfd, int *lockfd, char *err,
	    size_t errlen);
/* Delete every file in tmp/.  Returns how many were removed. */
uint64_t cache_fs_purge_tmp(int rootfd);

/* One object file that passed its checks, for cache_fs_scan's callback. */
struct cache_fs_obj {
	const struct cache_fs_hdr *hdr;
	const char	*name;		/* relative to the root */
	uint64_t	gen;
};

/*
 * Check every file under objects/ and call fn for each good one; bad
 * files are deleted and counted in *dropped.  fn returns 0, or -1 to
 * delete that file too.  Returns the largest generation seen.
 */
uint64_t cache_fs_scan(int rootfd, int (*fn)(void *arg,
	    const struct cache_fs_obj *o), void *arg, uint64_t *dropped);

/* Read len bytes at off of the root-relative file name; 0 or -1. */
int	cache_fs_read(int rootfd, const char *name, uint64_t off, void *buf,
	    size_t len);
/* pread/pwrite until done (EINTR, short counts); 0 or -1 with errno. */
int	cache_fs_pread_full(int fd, void *buf, size_t len, uint64_t off);
int	cache_fs_pwrite_full(int fd, const void *buf, size_t len,
	    uint64_t off);
/*
 * rename(2) the file from (a path) to the root-relative object name,
 * making its bucket directory on first use.  0 or -1 with errno.
 */
int	cache_fs_rename_in(int rootfd, const char *from, const char *name);
/* The len body bytes of an object file, NUL-terminated (free), or NULL. */
char	*cache_fs_read_body(int rootfd, const char *name, size_t len);
/* Bytes to free so the file system keeps min_bytes or min_pct free. */
uint64_t cache_fs_free_shortfall(int rootfd, uint64_t min_bytes,
	    uint32_t min_pct);
/* fsync the directory holding the root-relative name. 0 or -1. */
int	cache_fs_sync_dir_of(int rootfd, const char *name);
/*
 * A write to the cache file system failed with err (an errno value):
 * ENOSPC and EDQUOT are counted as disk full.  The write helpers above
 * count their own failures; callers count the calls they make themselves
 * (open, fdatasync).  Any thread.
 */
void	cache_fs_count_error(int err);
/* Writes refused for want of space since start. */
uint64_t cache_fs_disk_full(void);

#endif
