/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cache_harness.h: the shared fixture of test_cache.c, test_cache_pin.c
 * and test_cache_restart.c: a temporary cache directory, object files
 * written and published as the committer would, and checks on what a hit
 * serves.  Included by one test file each, so everything here is static;
 * a helper that not every one of them calls is marked
 * __attribute__((unused)), or that file fails -Wunused-function under
 * -Werror.
 */
#ifndef NIPCACHE_CACHE_HARNESS_H
#define NIPCACHE_CACHE_HARNESS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/md5.h>

#include "../../daemon/cache.h"
#include "../../daemon/util.h"
#include "../../daemon/cache_fs.h"
#include "../../daemon/mime.h"
#include "test.h"

#define OBJ_COST(size)	(CACHE_FS_BODY_OFF + (uint64_t)(size))

static char tdir[64];
static unsigned tmp_counter;

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void
dir_new(void)
{
	snprintf(tdir, sizeof(tdir), "/tmp/nipcache-tc-XXXXXX");
	if (mkdtemp(tdir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
}

static void
dir_remove(void)
{
	nftw(tdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Number of entries in a directory below tdir ("tmp", "objects/ab"). */
static int
dir_count(const char *sub)
{
	char p[256];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(p, sizeof(p), "%s/%s", tdir, sub);
	if ((d = opendir(p)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Object files under objects/ (not test_cache_pin.c). */
static int __attribute__((unused))
objects_count(void)
{
	char sub[32];
	int i, n = 0;

	for (i = 0; i < 256; i++) {
		int c;

		snprintf(sub, sizeof(sub), "objects/%02x", i);
		if ((c = dir_count(sub)) > 0)
			n += c;
	}
	return n;
}

static struct cache_params
params(uint64_t max_bytes, uint32_t mem_max, uint64_t mem_budget)
{
	struct cache_params p;

	memset(&p, 0, sizeof(p));
	p.dir = tdir;
	p.max_bytes = max_bytes;
	p.mem_max = mem_max;
	p.mem_budget = mem_budget;
	return p;
}

static int
open_cache(uint64_t max_bytes, uint32_t mem_max, uint64_t mem_budget)
{
	struct cache_params p = params(max_bytes, mem_max, mem_budget);
	char err[256];
	int r = cache_init(&p, err, sizeof(err));

	if (r != 0)
		fprintf(stderr, "cache_init: %d %s\n", r, err);
	return r;
}

static void
fill(uint8_t *b, size_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (uint8_t)x;
	}
}

/*
 * Write a complete object file into tmp/ as the committer would and
 * publish it.  Returns what cache_publish returned.
 */
static int
publish(const char *path, const uint8_t *body, size_t len, uint64_t seq,
    int in_mem)
{
	static struct cache_fs_hdr h;
	uint8_t page[CACHE_FS_BODY_OFF];
	char file[256];
	struct cache_obj o;
	int fd;

	memset(&h, 0, sizeof(h));
	h.body_len = len;
	util_md5(body, len, h.md5);
	h.mtime = 1700000000;
	h.seq = seq;
	snprintf(h.content_type, sizeof(h.content_type), "%s",
	    mime_from_path(path));
	snprintf(h.path, sizeof(h.path), "%s", path);
	if (cache_fs_hdr_encode(&h, page, sizeof(page)) < 0)
		return -9;
	snprintf(file, sizeof(file), "%s/tmp/t%u", tdir, tmp_counter++);
	if ((fd = open(file, O_RDWR | O_CREAT | O_EXCL, 0640)) < 0)
		return -9;
	if (cache_fs_pwrite_full(fd, page, sizeof(page), 0) < 0 ||
	    (len > 0 && cache_fs_pwrite_full(fd, body, len,
	    CACHE_FS_BODY_OFF) < 0)) {
		close(fd);
		return -9;
	}
	close(fd);
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.tmp_file = file;
	o.size = len;
	o.body_off = CACHE_FS_BODY_OFF;
	o.content_type = h.content_type;
	o.md5 = h.md5;
	o.seq = seq;
	o.mtime = h.mtime;
	o.body = in_mem ? body : NULL;
	return cache_publish(&o);
}

/* The body a hit serves, read from its blob or descriptor. */
static int
hit_read(const struct cache_hit *h, uint8_t *buf, size_t cap)
{
	if (h->size > cap)
		return -1;
	if (h->blob != NULL) {
		if (h->blob->len != h->size)
			return -1;
		memcpy(buf, h->blob->data, h->size);
		return 0;
	}
	if (h->fd < 0)
		return -1;
	return cache_fs_pread_full(h->fd, buf, h->size, h->body_off);
}

/* cache_open + compare with the expected body + release. */
static int
served_equals(const char *path, const uint8_t *body, size_t len)
{
	static uint8_t buf[1 << 20];
	struct cache_hit h;
	uint8_t md5[16];
	char etag[40], hex[33];
	int ok;
	size_t i;

	if (cache_open(path, &h) < 0)
		return 0;
	util_md5(body, len, md5);
	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", md5[i]);
	snprintf(etag, sizeof(etag), "\"%s\"", hex);
	ok = h.size == len && hit_read(&h, buf, sizeof(buf)) == 0 &&
	    memcmp(buf, body, len) == 0 && strcmp(h.etag, etag) == 0 &&
	    h.body_off == CACHE_FS_BODY_OFF;
	if (h.fd >= 0)
		close(h.fd);
	cache_close(&h);
	return ok;
}

static const char pl_body[] =
    "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2,\nseg1.m4s\n";

#endif
