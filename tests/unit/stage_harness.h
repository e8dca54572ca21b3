/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stage_harness.h: the shared fixture of test_stage.c and test_stage_enc.c:
 * a temporary cache with the stage committer started, the verdicts it
 * reports by TOI, seeded bodies, a shuffled staging through the obj_sink
 * and checks on what the cache then serves.  Included by one test file
 * each, so everything here is static.
 */
#ifndef NIPCACHE_STAGE_HARNESS_H
#define NIPCACHE_STAGE_HARNESS_H

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nettle/md5.h>
#include <nettle/sha2.h>
#include <zlib.h>

#include "../../daemon/cache.h"
#include "../../daemon/util.h"
#include "../../daemon/cache_fs.h"
#include "../../daemon/conf.h"
#include "../../daemon/stage.h"
#include "test.h"

#define MAX_TOI		256

static char tdir[64];

/* Results by TOI, filled by the committer thread. */
static struct {
	pthread_mutex_t	lock;
	pthread_cond_t	cond;
	int		res[MAX_TOI];	/* -1 until reported */
	uint64_t	block_toi;	/* the callback waits on this TOI */
	int		blocked, release;
} R = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, { 0 }, 0, 0,
	0 };

static void
on_result(const struct obj_key *key, enum obj_result res)
{
	uint64_t toi = key->toi.lo;

	pthread_mutex_lock(&R.lock);
	if (toi < MAX_TOI)
		R.res[toi] = (int)res;
	pthread_cond_broadcast(&R.cond);
	if (toi == R.block_toi && toi != 0) {
		R.blocked = 1;
		pthread_cond_broadcast(&R.cond);
		while (!R.release)
			pthread_cond_wait(&R.cond, &R.lock);
	}
	pthread_mutex_unlock(&R.lock);
}

/* Wait up to 5 s for the verdict on toi; -1 on timeout. */
static int
wait_result(uint64_t toi)
{
	struct timespec ts;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	pthread_mutex_lock(&R.lock);
	while (R.res[toi] < 0 &&
	    pthread_cond_timedwait(&R.cond, &R.lock, &ts) == 0)
		;
	r = R.res[toi];
	pthread_mutex_unlock(&R.lock);
	return r;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static int
tmp_count(void)
{
	char p[128];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(p, sizeof(p), "%s/tmp", tdir);
	if ((d = opendir(p)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static int
setup(int fsync_mode, uint32_t queue_max)
{
	struct cache_params cp;
	struct stage_params sp;
	char err[256];
	int i;

	snprintf(tdir, sizeof(tdir), "/tmp/nipcache-ts-XXXXXX");
	if (mkdtemp(tdir) == NULL)
		return -1;
	memset(&cp, 0, sizeof(cp));
	cp.dir = tdir;
	cp.max_bytes = 64 << 20;
	cp.fsync_mode = fsync_mode;
	cp.mem_max = 4096;
	cp.mem_budget = 1 << 20;
	if (cache_init(&cp, err, sizeof(err)) != 0) {
		fprintf(stderr, "cache_init: %s\n", err);
		return -1;
	}
	memset(&sp, 0, sizeof(sp));
	sp.dir = tdir;
	sp.fsync_mode = fsync_mode;
	sp.max_decoded_bytes = 1 << 20;
	sp.mem_max = 4096;
	sp.queue_max = queue_max;
	for (i = 0; i < MAX_TOI; i++)
		R.res[i] = -1;
	R.block_toi = 0;
	R.blocked = R.release = 0;
	return stage_start(&sp, on_result);
}

static void
teardown(void)
{
	stage_stop();
	cache_shutdown();
	nftw(tdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static uint32_t rng = 777;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng % n;
}

/* Bytes that compress a little, like real media. */
static void
fill(uint8_t *b, size_t n, uint32_t seed)
{
	size_t i;

	rng = seed * 2 + 1;
	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(i % 7 == 0 ? rnd(256) : 'a' + (i / 64) % 26);
}

static struct obj_meta
meta(uint64_t toi, const char *loc, uint64_t len)
{
	struct obj_meta m;

	memset(&m, 0, sizeof(m));
	m.key.family = 2;
	m.key.port = 5000;
	m.key.tsi.lo = 1;
	m.key.toi.lo = toi;
	m.location = loc;
	m.transfer_length = len;
	m.content_length = -1;
	m.seq = toi;
	return m;
}

/*
 * Stage data through the sink in 1428-byte symbols in a shuffled order
 * (with duplicates), then commit with m.  0, or -1 if the sink refused.
 */
static int
stage(const struct obj_meta *m, const uint8_t *data, size_t len)
{
	const struct obj_sink *s = stage_sink();
	size_t nsym = (len + 1427) / 1428, i, *order;
	void *h;

	if ((h = s->begin(s->ctx, &m->key, len)) == NULL)
		return -1;
	order = malloc((nsym + 1) * sizeof(*order));
	for (i = 0; i < nsym; i++)
		order[i] = i;
	for (i = nsym; i > 1; i--) {
		size_t j = rnd((uint32_t)i), t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
	for (i = 0; i < nsym + (nsym > 0); i++) {
		size_t k = order[i % nsym], off = k * 1428;
		size_t n = len - off < 1428 ? len - off : 1428;

		if (s->write(s->ctx, h, off, data + off, n) < 0) {
			s->abort(s->ctx, h, OBJ_ABORT_INVALID);
			free(order);
			return -1;
		}
	}
	free(order);
	s->commit(s->ctx, h, m);
	return 0;
}

static void
sha_of(const uint8_t *b, size_t n, uint8_t out[32])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, n, b);
	sha256_digest(&c, 32, out);
}

/* Served at path with exactly these bytes (and this type if given)? */
static int
served(const char *path, const uint8_t *body, size_t len, const char *type)
{
	static uint8_t buf[1 << 21];
	struct cache_hit h;
	int ok;

	if (cache_open(path, &h) < 0)
		return 0;
	ok = h.size == len && len <= sizeof(buf);
	if (ok && h.blob != NULL)
		memcpy(buf, h.blob->data, len);
	else if (ok)
		ok = cache_fs_pread_full(h.fd, buf, len, h.body_off) == 0;
	ok = ok && memcmp(buf, body, len) == 0;
	if (type != NULL && strcmp(h.content_type, type) != 0) {
		fprintf(stderr, "  %s: type %s, want %s\n", path,
		    h.content_type, type);
		ok = 0;
	}
	if (h.fd >= 0)
		close(h.fd);
	cache_close(&h);
	return ok;
}

/* gzip (wbits 31), zlib (15) or raw deflate (-15) into a new buffer. */
static uint8_t *
compress_buf(const uint8_t *in, size_t len, int wbits, size_t *outlen)
{
	z_stream zs;
	size_t cap = len + len / 100 + 1024;
	uint8_t *out = malloc(cap);

	memset(&zs, 0, sizeof(zs));
	if (out == NULL || deflateInit2(&zs, 6, Z_DEFLATED, wbits, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		free(out);
		return NULL;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&zs);
		free(out);
		return NULL;
	}
	*outlen = zs.total_out;
	deflateEnd(&zs);
	return out;
}

#endif
