/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cache_fs.c: the cache directory on disk: the lock, the format file, the
 * purge of tmp/ at start, the object header codec and the scan that lets
 * cache.c rebuild its index after any kind of stop, and the count of
 * writes the file system refused for want of space.  Nothing here touches
 * the index or its lock.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <nettle/sha2.h>
#include <zlib.h>

#include "cache_fs.h"
#include "log.h"
#include "util.h"

/*
 * Header layout, little endian:
 *   0 magic "NIPCOBJ\n"   8 version   12 header length (with the CRC)
 *  16 body length        24 body MD5 40 mtime   48 seq
 *  56 type length (u16)  58 path length (u16)   60 type, path
 *  then the CRC-32 of every byte before it.
 */
#define HDR_MAGIC	"NIPCOBJ\n"
#define HDR_VERSION	1
#define HDR_FIXED	60

static _Atomic uint64_t fs_disk_full;

void
cache_fs_count_error(int err)
{
	if (err == ENOSPC || err == EDQUOT)
		atomic_fetch_add_explicit(&fs_disk_full, 1,
		    memory_order_relaxed);
}

uint64_t
cache_fs_disk_full(void)
{
	return atomic_load_explicit(&fs_disk_full, memory_order_relaxed);
}

static void
put_le(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Printable ASCII or UTF-8 bytes only: these strings end up in headers. */
static int
str_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

int
cache_fs_hdr_encode(const struct cache_fs_hdr *h, uint8_t *buf, size_t len)
{
	size_t tl = strnlen(h->content_type, sizeof(h->content_type));
	size_t pl = strnlen(h->path, sizeof(h->path));
	size_t hl = HDR_FIXED + tl + pl + 4;

	if (len < CACHE_FS_BODY_OFF || tl >= sizeof(h->content_type) ||
	    pl == 0 || pl >= sizeof(h->path) || h->path[0] != '/' ||
	    !str_ok(h->content_type, tl) || !str_ok(h->path, pl) ||
	    h->body_len > CACHE_FS_BODY_MAX)
		return -1;
	memset(buf, 0, CACHE_FS_BODY_OFF);
	/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): binary magic. */
	memcpy(buf, HDR_MAGIC, 8);
	put_le(buf + 8, HDR_VERSION, 4);
	put_le(buf + 12, hl, 4);
	put_le(buf + 16, h->body_len, 8);
	memcpy(buf + 24, h->md5, 16);
	put_le(buf + 40, (uint64_t)h->mtime, 8);
	put_le(buf + 48, h->seq, 8);
	put_le(buf + 56, tl, 2);
	put_le(buf + 58, pl, 2);
	memcpy(buf + HDR_FIXED, h->content_type, tl);
	memcpy(buf + HDR_FIXED + tl, h->path, pl);
	put_le(buf + hl - 4, crc32(0, buf, (uInt)(hl - 4)), 4);
	return 0;
}

int
cache_fs_hdr_decode(const uint8_t *buf, size_t len, struct cache_fs_hdr *out)
{
	size_t hl, tl, pl;

	if (len < HDR_FIXED + 4 || memcmp(buf, HDR_MAGIC, 8) != 0 ||
	    get_le(buf + 8, 4) != HDR_VERSION)
		return -1;
	hl = get_le(buf + 12, 4);
	tl = get_le(buf + 56, 2);
	pl = get_le(buf + 58, 2);
	if (hl > len || hl > CACHE_FS_BODY_OFF ||
	    hl != HDR_FIXED + tl + pl + 4 ||
	    tl >= sizeof(out->content_type) || pl == 0 ||
	    pl >= sizeof(out->path))
		return -1;
	if (get_le(buf + hl - 4, 4) != crc32(0, buf, (uInt)(hl - 4)))
		return -1;
	out->body_len = get_le(buf + 16, 8);
	memcpy(out->md5, buf + 24, 16);
	out->mtime = (int64_t)get_le(buf + 40, 8);
	out->seq = get_le(buf + 48, 8);
	memcpy(out->content_type, buf + HDR_FIXED, tl);
	out->content_type[tl] = '\0';
	memcpy(out->path, buf + HDR_FIXED + tl, pl);
	out->path[pl] = '\0';
	if (out->body_len > CACHE_FS_BODY_MAX || out->path[0] != '/' ||
	    !str_ok(out->content_type, tl) || !str_ok(out->path, pl))
		return -1;
	return 0;
}

/* The 32 hex digits naming path. */
static void
path_hash_hex(const char *path, char hex[33])
{
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	sha256_update(&ctx, strlen(path), (const uint8_t *)path);
	sha256_digest(&ctx, sizeof(d), d);
	util_hex(d, 16, hex);
}

void
cache_fs_object_name(const char *path, uint64_t gen,
    char name[CACHE_FS_NAME_MAX])
{
	char hex[33];

	path_hash_hex(path, hex);
	snprintf(name, CACHE_FS_NAME_MAX, "objects/%.2s/%s-%016" PRIx64, hex,
	    hex, gen);
}

int
cache_fs_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int
cache_fs_pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			cache_fs_count_error(errno);
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int
cache_fs_read(int rootfd, const char *name, uint64_t off, void *buf,
    size_t len)
{
	int fd, r;

	if ((fd = openat(rootfd, name, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	r = cache_fs_pread_full(fd, buf, len, off);
	close(fd);
	return r;
}

int
cache_fs_sync_dir_of(int rootfd, const char *name)
{
	char dir[CACHE_FS_NAME_MAX];
	const char *slash = strrchr(name, '/');
	int fd, r;

	if (slash == NULL || (size_t)(slash - name) >= sizeof(dir))
		return -1;
	memcpy(dir, name, (size_t)(slash - name));
	dir[slash - name] = '\0';
	if ((fd = openat(rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

/* Entries that may be in a directory that has no FORMAT yet. */
static int
fs_is_empty_enough(int rootfd)
{
	DIR *d;
	struct dirent *de;
	int fd, ok = 1;

	if ((fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;

		if (strcmp(n, ".") != 0 && strcmp(n, "..") != 0 &&
		    strcmp(n, "LOCK") != 0 && strcmp(n, "lost+found") != 0 &&
		    strcmp(n, "FORMAT.new") != 0)
			ok = 0;
	}
	closedir(d);
	return ok;
}

/* Write FORMAT crash-safely: FORMAT.new, fsync, rename, fsync the dir. */
static int
fs_write_format(int rootfd)
{
	char line[64];
	int fd, n;

	n = snprintf(line, sizeof(line), "%s\n", CACHE_FS_FORMAT);
	fd = openat(rootfd, "FORMAT.new",
	    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	if (cache_fs_pwrite_full(fd, line, (size_t)n, 0) < 0 || fsync(fd) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	if (renameat(rootfd, "FORMAT.new", rootfd, "FORMAT") < 0)
		return -1;
	return fsync(rootfd);
}

/* FORMAT must match, or be absent from an empty directory. */
static int
fs_check_format(int rootfd, const char *dir, char *err, size_t errlen)
{
	char buf[128];
	ssize_t n;
	int fd;

	if ((fd = openat(rootfd, "FORMAT", O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno != ENOENT)
			goto fail_errno;
		if (!fs_is_empty_enough(rootfd)) {
			snprintf(err, errlen, "%s: not empty and has no FORMAT "
			    "file: not a nipcache cache directory", dir);
			return -1;
		}
		if (fs_write_format(rootfd) < 0)
			goto fail_errno;
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		goto fail_errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	if (strcmp(buf, CACHE_FS_FORMAT) != 0) {
		snprintf(err, errlen, "%s: cache format \"%.64s\", this "
		    "nipcached uses \"%s\"", dir, buf, CACHE_FS_FORMAT);
		return -1;
	}
	return 0;
fail_errno:
	snprintf(err, errlen, "%s: FORMAT: %s", dir, strerror(errno));
	return -1;
}

/*
 * name as a real directory in the cache.  Something else in its place (a
 * symlink pointing out of the cache, say) is removed and logged: staging,
 * the purge of tmp/ and serving must never reach outside dir.
 */
static int
fs_real_dir(int rootfd, const char *name)
{
	struct stat st;

	if (mkdirat(rootfd, name, 0750) == 0)
		return 0;
	if (errno != EEXIST || fstatat(rootfd, name, &st,
	    AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (S_ISDIR(st.st_mode))
		return 0;
	log_warnx("cache: %s is not a directory (a symlink?): replaced",
	    name);
	if (unlinkat(rootfd, name, 0) < 0)
		return -1;
	return mkdirat(rootfd, name, 0750);
}

/* tmp/ and objects/; the buckets are made on first use. */
static int
fs_make_dirs(int rootfd)
{
	if (fs_real_dir(rootfd, "tmp") < 0 ||
	    fs_real_dir(rootfd, "objects") < 0)
		return -1;
	return 0;
}

/* Make the bucket directory of an object name on first use. */
static int
fs_make_bucket(int rootfd, const char *name)
{
	char dir[CACHE_FS_NAME_MAX];
	const char *slash = strrchr(name, '/');

	if (slash == NULL || (size_t)(slash - name) >= sizeof(dir))
		return -1;
	memcpy(dir, name, (size_t)(slash - name));
	dir[slash - name] = '\0';
	if (mkdirat(rootfd, dir, 0750) < 0)
		return errno == EEXIST ? 0 : -1;
	/* Once per bucket: make the new directory entry durable. */
	return cache_fs_sync_dir_of(rootfd, dir);
}

/* Take the lock; the flock belongs to this open file description. */
static int
fs_lock(int rootfd, const char *dir, int *created, char *err, size_t errlen)
{
	int fd;

	*created = 1;
	fd = openat(rootfd, "LOCK", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
	    0640);
	if (fd < 0 && errno == EEXIST) {
		*created = 0;
		fd = openat(rootfd, "LOCK", O_RDWR | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s/LOCK: %s", dir, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			snprintf(err, errlen, "%s: in use by another nipcached "
			    "(LOCK is held)", dir);
		else
			snprintf(err, errlen, "%s/LOCK: flock: %s", dir,
			    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
cache_fs_open(const char *dir, int *rootfd, int *lockfd, char *err,
    size_t errlen)
{
	int rfd, lfd, created;

	rfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return errno == ENOENT ? 1 : -1;
	}
	if ((lfd = fs_lock(rfd, dir, &created, err, errlen)) < 0)
		goto out_close_root;
	if (fs_check_format(rfd, dir, err, errlen) < 0)
		goto out_unlock;
	if (fs_make_dirs(rfd) < 0) {
		snprintf(err, errlen, "%s: mkdir: %s", dir, strerror(errno));
		goto out_unlock;
	}
	*rootfd = rfd;
	*lockfd = lfd;
	return 0;
out_unlock:
	/* Leave no trace in a directory that is not ours. */
	if (created)
		unlinkat(rfd, "LOCK", 0);
	close(lfd);
out_close_root:
	close(rfd);
	return -1;
}

uint64_t
cache_fs_purge_tmp(int rootfd)
{
	DIR *d;
	struct dirent *de;
	uint64_t n = 0;
	int fd;

	/* A symlink planted as tmp must not make us empty its target. */
	fd = openat(rootfd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    O_NOFOLLOW);
	if (fd < 0)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(fd, de->d_name, 0) == 0 ||
		    unlinkat(fd, de->d_name, AT_REMOVEDIR) == 0)
			n++;
		else
			log_warn("cache purge tmp/%s", de->d_name);
	}
	closedir(d);
	return n;
}

/* "<32 hex>-<16 hex>" whose hash starts with bucket; sets *gen. */
static int
scan_parse_name(const char *n, const char *bucket, uint64_t *gen)
{
	size_t i;

	if (strlen(n) != 49 || n[32] != '-' || n[0] != bucket[0] ||
	    n[1] != bucket[1])
		return -1;
	*gen = 0;
	for (i = 0; i < 49; i++) {
		int c = (unsigned char)n[i];

		if (i == 32)
			continue;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -1;
		if (i > 32)
			*gen = *gen << 4 | (uint64_t)(c <= '9' ? c - '0' :
			    c - 'a' + 10);
	}
	return 0;
}

/* Check one object file: name, header, size and that the name fits. */
static int
scan_check(int dfd, const char *name, const char *bucket,
    struct cache_fs_hdr *h, uint64_t *gen)
{
	uint8_t buf[CACHE_FS_BODY_OFF];
	char want[CACHE_FS_NAME_MAX];
	struct stat st;
	int fd, r = -1;

	if (scan_parse_name(name, bucket, gen) < 0)
		return -1;
	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < CACHE_FS_BODY_OFF ||
	    cache_fs_pread_full(fd, buf, sizeof(buf), 0) < 0 ||
	    cache_fs_hdr_decode(buf, sizeof(buf), h) < 0)
		goto out;
	if ((uint64_t)st.st_size != CACHE_FS_BODY_OFF + h->body_len)
		goto out;
	cache_fs_object_name(h->path, *gen, want);
	if (strcmp(want + 11, name) == 0)
		r = 0;
out:
	close(fd);
	return r;
}

/* Scan one bucket directory. */
static uint64_t
scan_bucket(int rootfd, int b, int (*fn)(void *, const struct cache_fs_obj *),
    void *arg, uint64_t *dropped)
{
	struct cache_fs_hdr h;
	char dname[16], rel[CACHE_FS_NAME_MAX];
	struct cache_fs_obj o;
	struct dirent *de;
	uint64_t gen, maxgen = 0;
	DIR *d;
	int fd;

	snprintf(dname, sizeof(dname), "objects/%02x", b);
	/* Objects are only ever indexed (and served) from inside dir. */
	fd = openat(rootfd, dname, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    O_NOFOLLOW);
	if (fd < 0) {
		/* A symlink: dropped, so that no publish goes through it. */
		if ((errno == ELOOP || errno == ENOTDIR) &&
		    unlinkat(rootfd, dname, 0) == 0)
			log_warnx("cache scan: %s was not a directory: "
			    "removed", dname);
		return 0;
	}
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || de->d_type == DT_DIR)
			continue;
		if (scan_check(fd, de->d_name, dname + 8, &h, &gen) == 0) {
			cache_fs_object_name(h.path, gen, rel);
			o.hdr = &h;
			o.name = rel;
			o.gen = gen;
			if (gen > maxgen)
				maxgen = gen;
			if (fn(arg, &o) == 0)
				continue;
		} else {
			log_info("cache scan: dropping bad object %s/%s",
			    dname, de->d_name);
			(*dropped)++;
		}
		unlinkat(fd, de->d_name, 0);
	}
	closedir(d);
	return maxgen;
}

uint64_t
cache_fs_scan(int rootfd, int (*fn)(void *arg, const struct cache_fs_obj *o),
    void *arg, uint64_t *dropped)
{
	uint64_t g, maxgen = 0;
	int b;

	for (b = 0; b < 256; b++) {
		g = scan_bucket(rootfd, b, fn, arg, dropped);
		if (g > maxgen)
			maxgen = g;
	}
	return maxgen;
}

/* A new bucket (mkdir) or directory block (rename) may need space. */
int
cache_fs_rename_in(int rootfd, const char *from, const char *name)
{
	if (renameat(AT_FDCWD, from, rootfd, name) == 0)
		return 0;
	if (errno != ENOENT || fs_make_bucket(rootfd, name) < 0 ||
	    renameat(AT_FDCWD, from, rootfd, name) < 0) {
		cache_fs_count_error(errno);
		return -1;
	}
	return 0;
}

char *
cache_fs_read_body(int rootfd, const char *name, size_t len)
{
	char *body = malloc(len + 1);

	if (body == NULL)
		return NULL;
	if (cache_fs_read(rootfd, name, CACHE_FS_BODY_OFF, body, len) < 0) {
		free(body);
		return NULL;
	}
	body[len] = '\0';
	return body;
}

uint64_t
cache_fs_free_shortfall(int rootfd, uint64_t min_bytes, uint32_t min_pct)
{
	struct statvfs sv;
	uint64_t want, avail, total;

	if ((min_bytes == 0 && min_pct == 0) || fstatvfs(rootfd, &sv) < 0)
		return 0;
	avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	total = (uint64_t)sv.f_blocks * sv.f_frsize;
	want = total / 100 * (min_pct > 100 ? 100 : min_pct);
	if (min_bytes > want)
		want = min_bytes;
	return avail >= want ? 0 : want - avail;
}
