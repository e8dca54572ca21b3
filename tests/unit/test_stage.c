/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_stage.c: objects through the obj_sink and the committer thread:
 * out-of-order staging, content decoding and its bounds, digests, stale
 * versions, names, aborts and a full commit queue.
 */
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
md5_of(const uint8_t *b, size_t n, uint8_t out[16])
{
	struct md5_ctx c;

	md5_init(&c);
	md5_update(&c, n, b);
	md5_digest(&c, 16, out);
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

static void
test_plain(void)
{
	static uint8_t big[300000], small[1000];
	struct obj_meta m;
	struct stage_stats st;

	REQUIRE(setup(CONF_FSYNC_NEVER, 0) == 0);
	fill(big, sizeof(big), 1);
	fill(small, sizeof(small), 2);
	m = meta(1, "http://dvb.gw/live/seg1.ts", sizeof(big));
	m.content_type = "video/mp2t";
	m.has_md5 = 1;
	md5_of(big, sizeof(big), m.md5);
	m.has_sha256 = 1;
	sha_of(big, sizeof(big), m.sha256);
	REQUIRE(stage(&m, big, sizeof(big)) == 0);
	CHECK(wait_result(1) == OBJ_OK);
	CHECK(served("/live/seg1.ts", big, sizeof(big), "video/mp2t"));
	m = meta(2, "live/index.m3u8", sizeof(small));
	m.content_length = sizeof(small);
	REQUIRE(stage(&m, small, sizeof(small)) == 0);
	CHECK(wait_result(2) == OBJ_OK);
	CHECK(served("/live/index.m3u8", small, sizeof(small),
	    "application/vnd.apple.mpegurl"));
	/* Zero-length objects are complete at once. */
	m = meta(3, "empty.txt", 0);
	m.content_length = 0;
	REQUIRE(stage(&m, small, 0) == 0);
	CHECK(wait_result(3) == OBJ_OK);
	CHECK(served("/empty.txt", small, 0, "text/plain; charset=utf-8"));
	/* A staged object with its tail never written is not published. */
	{
		const struct obj_sink *s = stage_sink();
		void *h;

		m = meta(4, "holes.ts", 5000);
		REQUIRE((h = s->begin(s->ctx, &m.key, 5000)) != NULL);
		CHECK(s->write(s->ctx, h, 0, small, 1000) == 0);
		CHECK(s->write(s->ctx, h, 4500, small, 501) == -1);
		CHECK(s->write(s->ctx, h, 5001, small, 0) == -1);
		CHECK(s->write(s->ctx, h, UINT64_MAX, small, 2) == -1);
		s->commit(s->ctx, h, &m);
		CHECK(wait_result(4) == OBJ_EIO);
	}
	/* The FDT and the staging disagree on the length. */
	m = meta(5, "len.ts", sizeof(small));
	m.transfer_length = sizeof(small) + 1;
	{
		const struct obj_sink *s = stage_sink();
		void *h = s->begin(s->ctx, &m.key, sizeof(small));

		REQUIRE(h != NULL);
		CHECK(s->write(s->ctx, h, 0, small, sizeof(small)) == 0);
		s->commit(s->ctx, h, &m);
	}
	CHECK(wait_result(5) == OBJ_EIO);
	CHECK(cache_open("/holes.ts", &(struct cache_hit){ 0 }) == -1);
	stage_get_stats(&st);
	CHECK_EQ_U(st.begun, 5);
	CHECK_EQ_U(st.committed, 3);
	CHECK_EQ_U(st.failed[OBJ_EIO], 2);
	CHECK(st.bytes_written >= sizeof(big) + sizeof(small));
	CHECK_EQ_U(tmp_count(), 0);
	teardown();
}

struct enc_case {
	const char	*encoding;
	int		wbits;		/* 31 gzip, 15 zlib, -15 raw */
	int		md5_on;	/* 0 none, 1 decoded, 2 encoded, 3 bad */
	int64_t		clen;		/* -2: the right one */
	int		want;
};

static void
test_encodings(void)
{
	static const struct enc_case c[] = {
		{ "gzip", 31, 1, -2, OBJ_OK },
		{ "gzip", 31, 2, -2, OBJ_OK },
		{ "GZIP", 31, 0, -1, OBJ_OK },
		{ "x-gzip", 31, 0, -2, OBJ_OK },
		{ "deflate", 15, 1, -2, OBJ_OK },
		{ "deflate", -15, 2, -2, OBJ_OK },
		{ "identity", 0, 1, -2, OBJ_OK },
		{ "gzip", 31, 3, -2, OBJ_EDIGEST },
		{ "gzip", 31, 0, 12345, OBJ_ELENGTH },
		{ "gzip", 31, 0, 0, OBJ_ELENGTH },
		{ NULL, 0, 0, 12345, OBJ_ELENGTH },
		{ "br", 31, 0, -2, OBJ_EDECODE },
		{ "gzip", 0, 0, -2, OBJ_EDECODE },	/* not compressed */
	};
	static uint8_t body[200000];
	char loc[64], path[64];
	size_t i;

	REQUIRE(setup(CONF_FSYNC_COMMIT, 0) == 0);
	fill(body, sizeof(body), 3);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint64_t toi = 10 + i;
		size_t elen = sizeof(body);
		uint8_t *enc = c[i].wbits != 0 ?
		    compress_buf(body, sizeof(body), c[i].wbits, &elen) : body;
		struct obj_meta m;

		REQUIRE(enc != NULL);
		snprintf(loc, sizeof(loc), "enc/%zu.bin", i);
		snprintf(path, sizeof(path), "/enc/%zu.bin", i);
		m = meta(toi, loc, elen);
		m.content_encoding = c[i].encoding;
		m.content_length = c[i].clen == -2 ? (int64_t)sizeof(body) :
		    c[i].clen;
		m.has_md5 = c[i].md5_on != 0;
		if (c[i].md5_on == 1 || c[i].md5_on == 3)
			md5_of(body, sizeof(body), m.md5);
		else if (c[i].md5_on == 2)
			md5_of(enc, elen, m.md5);
		if (c[i].md5_on == 3)
			m.md5[0] ^= 1;
		REQUIRE(stage(&m, enc, elen) == 0);
		CHECK(wait_result(toi) == c[i].want);
		if (c[i].want == OBJ_OK)
			CHECK(served(path, body, sizeof(body), NULL));
		else
			CHECK(cache_open(path, &(struct cache_hit){ 0 }) == -1);
		if (wait_result(toi) != c[i].want)
			fprintf(stderr, "  case %zu: %d\n", i,
			    wait_result(toi));
		if (enc != body)
			free(enc);
	}
	CHECK_EQ_U(tmp_count(), 0);
	teardown();
}

/* Multi-member gzip is one body; truncation and trailing junk are not. */
static void
test_gzip_framing(void)
{
	static uint8_t a[50000], b[30000], both[80000], buf[200000];
	uint8_t *ga, *gb;
	size_t la, lb, n;
	struct obj_meta m;

	REQUIRE(setup(CONF_FSYNC_NEVER, 0) == 0);
	fill(a, sizeof(a), 4);
	fill(b, sizeof(b), 5);
	memcpy(both, a, sizeof(a));
	memcpy(both + sizeof(a), b, sizeof(b));
	ga = compress_buf(a, sizeof(a), 31, &la);
	gb = compress_buf(b, sizeof(b), 31, &lb);
	REQUIRE(ga != NULL && gb != NULL && la + lb + 8 < sizeof(buf));
	memcpy(buf, ga, la);
	memcpy(buf + la, gb, lb);
	m = meta(30, "multi.txt", la + lb);
	m.content_encoding = "gzip";
	m.content_length = sizeof(both);
	REQUIRE(stage(&m, buf, la + lb) == 0);
	CHECK(wait_result(30) == OBJ_OK);
	CHECK(served("/multi.txt", both, sizeof(both),
	    "text/plain; charset=utf-8"));
	/* Truncated at several points. */
	for (n = 0; n < 4; n++) {
		size_t cut = n == 0 ? 0 : n == 1 ? 5 : n == 2 ? la / 2 : la - 1;

		m = meta(31 + n, "trunc.txt", cut);
		m.content_encoding = "gzip";
		REQUIRE(stage(&m, ga, cut) == 0);
		CHECK(wait_result(31 + n) == OBJ_EDECODE);
	}
	/* Junk after the stream. */
	memcpy(buf, ga, la);
	memcpy(buf + la, "JUNKJUNK", 8);
	m = meta(35, "junk.txt", la + 8);
	m.content_encoding = "gzip";
	REQUIRE(stage(&m, buf, la + 8) == 0);
	CHECK(wait_result(35) == OBJ_EDECODE);
	/* Corrupted in the middle. */
	memcpy(buf, ga, la);
	buf[la / 2] ^= 0x55;
	buf[la / 2 + 1] ^= 0xaa;
	m = meta(36, "corrupt.txt", la);
	m.content_encoding = "gzip";
	REQUIRE(stage(&m, buf, la) == 0);
	CHECK(wait_result(36) == OBJ_EDECODE);
	CHECK(cache_open("/trunc.txt", &(struct cache_hit){ 0 }) == -1);
	free(ga);
	free(gb);
	CHECK_EQ_U(tmp_count(), 0);
	teardown();
}

static void
test_bomb(void)
{
	uint8_t *zeros = calloc(1, 10 << 20), *gz;
	size_t glen = 0;
	struct obj_meta m;
	struct stage_stats st;

	REQUIRE(zeros != NULL);
	REQUIRE(setup(CONF_FSYNC_NEVER, 0) == 0);
	gz = compress_buf(zeros, 10 << 20, 31, &glen);
	REQUIRE(gz != NULL && glen < 64 * 1024);
	m = meta(40, "bomb.xml", glen);
	m.content_encoding = "gzip";
	REQUIRE(stage(&m, gz, glen) == 0);
	CHECK(wait_result(40) == OBJ_EDECODE);
	CHECK(cache_open("/bomb.xml", &(struct cache_hit){ 0 }) == -1);
	/* Exactly at the cap is fine. */
	free(gz);
	gz = compress_buf(zeros, 1 << 20, 31, &glen);
	REQUIRE(gz != NULL);
	m = meta(41, "cap.xml", glen);
	m.content_encoding = "gzip";
	m.content_length = 1 << 20;
	REQUIRE(stage(&m, gz, glen) == 0);
	CHECK(wait_result(41) == OBJ_OK);
	CHECK(served("/cap.xml", zeros, 1 << 20, "application/xml"));
	stage_get_stats(&st);
	CHECK_EQ_U(st.failed[OBJ_EDECODE], 1);
	CHECK_EQ_U(tmp_count(), 0);
	free(gz);
	free(zeros);
	teardown();
}

static void
test_digests_and_versions(void)
{
	static uint8_t a[20000], b[20000];
	struct obj_meta m;

	REQUIRE(setup(CONF_FSYNC_ALWAYS, 0) == 0);
	fill(a, sizeof(a), 6);
	fill(b, sizeof(b), 7);
	/* MD5 of something else. */
	m = meta(50, "d/x.m4s", sizeof(a));
	m.has_md5 = 1;
	md5_of(b, sizeof(b), m.md5);
	REQUIRE(stage(&m, a, sizeof(a)) == 0);
	CHECK(wait_result(50) == OBJ_EDIGEST);
	CHECK(cache_open("/d/x.m4s", &(struct cache_hit){ 0 }) == -1);
	/* Content-Digest covers the transfer payload. */
	m = meta(51, "d/x.m4s", sizeof(a));
	m.has_sha256 = 1;
	sha_of(b, sizeof(b), m.sha256);
	REQUIRE(stage(&m, a, sizeof(a)) == 0);
	CHECK(wait_result(51) == OBJ_EDIGEST);
	/* Versions: 55 wins, 53 is stale, 55 again is a duplicate. */
	m = meta(55, "d/v.m3u8", sizeof(a));
	REQUIRE(stage(&m, a, sizeof(a)) == 0);
	CHECK(wait_result(55) == OBJ_OK);
	m = meta(53, "d/v.m3u8", sizeof(b));
	REQUIRE(stage(&m, b, sizeof(b)) == 0);
	CHECK(wait_result(53) == OBJ_ESTALE);
	CHECK(served("/d/v.m3u8", a, sizeof(a), NULL));
	m = meta(56, "d/v.m3u8", sizeof(a));
	m.seq = 55;
	REQUIRE(stage(&m, a, sizeof(a)) == 0);
	CHECK(wait_result(56) == OBJ_ESTALE);
	m = meta(57, "d/v.m3u8", sizeof(b));
	REQUIRE(stage(&m, b, sizeof(b)) == 0);
	CHECK(wait_result(57) == OBJ_OK);
	CHECK(served("/d/v.m3u8", b, sizeof(b), NULL));
	CHECK_EQ_U(tmp_count(), 0);
	teardown();
}

struct name_case {
	const char	*loc;
	const char	*type;
	const char	*path;		/* NULL: OBJ_ENAME */
	const char	*want_type;
};

static void
test_names_and_types(void)
{
	static const struct name_case c[] = {
		{ "tag:mabr.gpac.io.2025.services.1/live.m3u8", NULL,
		  "/tag/mabr.gpac.io.2025.services.1/live.m3u8",
		  "application/vnd.apple.mpegurl" },
		{ "urn:dvb:metadata:cs:X:2021:gateway-configuration",
		  "application/xml+dvb-mabr-session-configuration",
		  "/urn/dvb:metadata:cs:X:2021:gateway-configuration",
		  "application/xml+dvb-mabr-session-configuration" },
		{ "seg1.m4s", "application/octet-stream", "/seg1.m4s",
		  "video/mp4" },
		{ "a.ec3", "application/octet-stream; x=1", "/a.ec3",
		  "audio/eac3" },
		{ "k.key", "application/octet-stream; x=1", "/k.key",
		  "application/octet-stream; x=1" },
		{ "a.ts", "video/mp4", "/a.ts", "video/mp4" },
		{ "b.txt", "text/x\r\nSet-Cookie: a=b", "/b.txt",
		  "text/plain; charset=utf-8" },
		{ "noext", "application/octet-stream", "/noext",
		  "application/octet-stream" },
		{ "noext2", NULL, "/noext2", "application/octet-stream" },
		{ "noext3", "garbage", "/noext3", "application/octet-stream" },
		{ "http://h/metrics", NULL, NULL, NULL },
		{ "../x.ts", NULL, NULL, NULL },
		{ "a/%2e%2e/b.ts", NULL, NULL, NULL },
		{ "", NULL, NULL, NULL },
		{ NULL, NULL, NULL, NULL },
	};
	static uint8_t body[3000];
	struct obj_meta m;
	size_t i;

	REQUIRE(setup(CONF_FSYNC_NEVER, 0) == 0);
	fill(body, sizeof(body), 8);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		m = meta(60 + i, c[i].loc, sizeof(body));
		m.content_type = c[i].type;
		REQUIRE(stage(&m, body, sizeof(body)) == 0);
		if (c[i].path == NULL) {
			CHECK(wait_result(60 + i) == OBJ_ENAME);
			continue;
		}
		CHECK(wait_result(60 + i) == OBJ_OK);
		CHECK(served(c[i].path, body, sizeof(body), c[i].want_type));
	}
	CHECK_EQ_U(tmp_count(), 0);
	teardown();
}

static void
test_abort(void)
{
	const struct obj_sink *s;
	static uint8_t body[10000];
	struct stage_stats st;
	struct obj_meta m;
	void *h;
	int why;

	REQUIRE(setup(CONF_FSYNC_NEVER, 0) == 0);
	s = stage_sink();
	for (why = 0; why < OBJ_ABORT_NREASONS; why++) {
		m = meta(80 + (uint64_t)why, "ab.ts", sizeof(body));
		REQUIRE((h = s->begin(s->ctx, &m.key, sizeof(body))) != NULL);
		CHECK(s->write(s->ctx, h, 100, body, 5000) == 0);
		CHECK(tmp_count() == 1);
		s->abort(s->ctx, h, (enum obj_abort_reason)why);
		CHECK_EQ_U(tmp_count(), 0);
	}
	/* Unknown reasons are counted, not trusted as an index. */
	REQUIRE((h = s->begin(s->ctx, &m.key, 10)) != NULL);
	s->abort(s->ctx, h, (enum obj_abort_reason)1000);
	stage_get_stats(&st);
	for (why = 0; why < OBJ_ABORT_NREASONS; why++)
		CHECK(st.aborted[why] >= 1);
	CHECK_EQ_U(st.aborted[OBJ_ABORT_INVALID], 2);
	CHECK_EQ_U(tmp_count(), 0);
	CHECK(cache_open("/ab.ts", &(struct cache_hit){ 0 }) == -1);
	/* Absurd lengths are refused at begin. */
	CHECK(s->begin(s->ctx, &m.key, UINT64_MAX) == NULL);
	CHECK(s->begin(s->ctx, &m.key, UINT64_MAX - 4096) == NULL);
	teardown();
	/* Without a running stage (or cache), begin refuses. */
	CHECK(s->begin(s->ctx, &m.key, 10) == NULL);
}

/* A stuck committer: the queue bound turns extra commits into EIO. */
static void
test_queue_full(void)
{
	static uint8_t body[2000];
	struct stage_stats st;
	struct obj_meta m;
	int i;

	REQUIRE(setup(CONF_FSYNC_NEVER, 2) == 0);
	fill(body, sizeof(body), 9);
	R.block_toi = 90;
	m = meta(90, "q/0.ts", sizeof(body));
	REQUIRE(stage(&m, body, sizeof(body)) == 0);
	pthread_mutex_lock(&R.lock);
	while (!R.blocked)
		pthread_cond_wait(&R.cond, &R.lock);
	pthread_mutex_unlock(&R.lock);
	for (i = 1; i <= 3; i++) {
		char loc[32];

		snprintf(loc, sizeof(loc), "q/%d.ts", i);
		m = meta(90 + (uint64_t)i, loc, sizeof(body));
		REQUIRE(stage(&m, body, sizeof(body)) == 0);
	}
	/* The third was refused at once, on this thread. */
	CHECK(R.res[93] == OBJ_EIO);
	stage_get_stats(&st);
	CHECK_EQ_U(st.queue_now, 2);
	pthread_mutex_lock(&R.lock);
	R.release = 1;
	pthread_cond_broadcast(&R.cond);
	pthread_mutex_unlock(&R.lock);
	CHECK(wait_result(91) == OBJ_OK);
	CHECK(wait_result(92) == OBJ_OK);
	CHECK(served("/q/2.ts", body, sizeof(body), "video/mp2t"));
	CHECK(cache_open("/q/3.ts", &(struct cache_hit){ 0 }) == -1);
	stage_get_stats(&st);
	CHECK_EQ_U(st.failed[OBJ_EIO], 1);
	CHECK_EQ_U(st.queue_now, 0);
	CHECK_EQ_U(tmp_count(), 0);
	teardown();
}

/*
 * In-order writes go through write runs.  Many objects are open at once
 * (more than the runs' memory allows, so some write straight through),
 * interleaved, in pieces smaller and larger than a run, a few pieces out
 * of order; one is aborted with a run pending.  Every committed body is
 * exact, and nothing is left in tmp/.
 */
static void
test_write_runs(void)
{
	enum { NOBJ = 80, LEN = 200000 };
	static const size_t piece[] = { 1428, 7000, 65536, 70000, 1 };
	static const size_t seq9[] = { 65535, 1, 1, 1, 65533, 2, 1428 };
	static uint8_t body[NOBJ][LEN];
	const struct obj_sink *s;
	void *h[NOBJ];
	uint64_t off[NOBJ];
	struct obj_meta m;
	char loc[32], path[32];
	size_t i, n, k, n9 = 0;
	int busy = 1;

	REQUIRE(setup(CONF_FSYNC_NEVER, 0) == 0);
	s = stage_sink();
	for (i = 0; i < NOBJ; i++) {
		fill(body[i], LEN, 300 + (uint32_t)i);
		m = meta(150 + i, "x", LEN);
		REQUIRE((h[i] = s->begin(s->ctx, &m.key, LEN)) != NULL);
		off[i] = 0;
	}
	/* Object 7 sends its second piece first, then the first. */
	CHECK(s->write(s->ctx, h[7], 16384, body[7] + 16384, 100) == 0);
	while (busy) {
		busy = 0;
		for (i = 0; i < NOBJ; i++) {
			if (off[i] >= LEN)
				continue;
			k = piece[(i + off[i] / 1000) % 5];
			if (i == 9)	/* runs filled to the byte, and past */
				k = seq9[n9 < 7 ? n9++ : 6];
			n = LEN - off[i] < k ? LEN - off[i] : k;
			CHECK(s->write(s->ctx, h[i], off[i], body[i] + off[i],
			    n) == 0);
			off[i] += n;
			busy = 1;
			if (i == 3 && off[i] > LEN / 2 && h[3] != NULL) {
				s->abort(s->ctx, h[3], OBJ_ABORT_INCOMPLETE);
				h[3] = NULL;
				off[3] = LEN;
			}
		}
	}
	for (i = 0; i < NOBJ; i++) {
		if (h[i] == NULL)
			continue;
		snprintf(loc, sizeof(loc), "w/%zu.bin", i);
		m = meta(150 + i, loc, LEN);
		m.has_md5 = 1;
		md5_of(body[i], LEN, m.md5);
		s->commit(s->ctx, h[i], &m);
	}
	for (i = 0; i < NOBJ; i++) {
		if (i == 3)
			continue;
		CHECK(wait_result(150 + i) == OBJ_OK);
		snprintf(path, sizeof(path), "/w/%zu.bin", i);
		CHECK(served(path, body[i], LEN, NULL));
	}
	CHECK(R.res[153] == -1);
	CHECK_EQ_U(tmp_count(), 0);
	teardown();
}

/*
 * A burst piles up behind a blocked committer (fsync = commit), then goes
 * through in batches that mix outcomes: plain and gzip bodies, a digest
 * mismatch, a name that cannot be served, one path twice.  Each job gets
 * its own verdict, only the good ones are served, and nothing is left in
 * tmp/.
 */
static void
test_batch(void)
{
	static uint8_t body[1500], *gz;
	struct stage_stats st;
	struct obj_meta m;
	char loc[32], path[32];
	uint64_t toi, good = 0;
	size_t glen;
	int kind, want;

	REQUIRE(setup(CONF_FSYNC_COMMIT, 300) == 0);
	fill(body, sizeof(body), 11);
	R.block_toi = 110;
	m = meta(110, "b/block.ts", sizeof(body));
	REQUIRE(stage(&m, body, sizeof(body)) == 0);
	pthread_mutex_lock(&R.lock);
	while (!R.blocked)
		pthread_cond_wait(&R.cond, &R.lock);
	pthread_mutex_unlock(&R.lock);
	for (toi = 111; toi < 251; toi++) {
		kind = (int)(toi % 5);
		fill(body, sizeof(body), (uint32_t)toi);
		snprintf(loc, sizeof(loc), kind == 3 ? "../%u.ts" : "b/%u.ts",
		    (unsigned)toi);
		m = meta(toi, loc, sizeof(body));
		m.has_md5 = kind == 2;
		md5_of(body, sizeof(body) - (kind == 2), m.md5);
		if (kind == 1) {
			gz = compress_buf(body, sizeof(body), 31, &glen);
			REQUIRE(gz != NULL);
			m.transfer_length = glen;
			m.content_encoding = "gzip";
			m.content_length = sizeof(body);
			REQUIRE(stage(&m, gz, glen) == 0);
			free(gz);
		} else {
			REQUIRE(stage(&m, body, sizeof(body)) == 0);
		}
	}
	/* The same path again, newer: it replaces b/111.ts. */
	fill(body, sizeof(body), 251);
	m = meta(251, "b/111.ts", sizeof(body));
	REQUIRE(stage(&m, body, sizeof(body)) == 0);
	pthread_mutex_lock(&R.lock);
	R.release = 1;
	pthread_cond_broadcast(&R.cond);
	pthread_mutex_unlock(&R.lock);
	CHECK(wait_result(110) == OBJ_OK);
	CHECK(wait_result(251) == OBJ_OK);
	for (toi = 111; toi < 251; toi++) {
		kind = (int)(toi % 5);
		want = kind == 2 ? OBJ_EDIGEST : kind == 3 ? OBJ_ENAME :
		    OBJ_OK;
		CHECK(wait_result(toi) == want);
		snprintf(path, sizeof(path), "/b/%u.ts", (unsigned)toi);
		fill(body, sizeof(body), (uint32_t)(toi == 111 ? 251 : toi));
		if (want == OBJ_OK) {
			CHECK(served(path, body, sizeof(body), "video/mp2t"));
			good++;
		} else if (kind == 2) {
			CHECK(cache_open(path, &(struct cache_hit){ 0 }) == -1);
		}
	}
	stage_get_stats(&st);
	CHECK_EQ_U(st.committed, good + 2);
	CHECK_EQ_U(st.failed[OBJ_EDIGEST], 28);
	CHECK_EQ_U(st.failed[OBJ_ENAME], 28);
	CHECK_EQ_U(st.queue_now, 0);
	CHECK_EQ_U(tmp_count(), 0);
	teardown();
}

/* A playlist committed through the sink pins the init it maps. */
static void
test_playlist_pins(void)
{
	static const char pl[] = "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n"
	    "#EXTINF:2,\nseg1.m4s\n";
	static uint8_t init[700];
	struct cache_stats cs;
	struct obj_meta m;
	uint8_t *gz;
	size_t glen;

	REQUIRE(setup(CONF_FSYNC_NEVER, 0) == 0);
	fill(init, sizeof(init), 10);
	gz = compress_buf((const uint8_t *)pl, sizeof(pl) - 1, 31, &glen);
	REQUIRE(gz != NULL);
	m = meta(100, "tag:svc/live.m3u8", glen);
	m.content_encoding = "gzip";
	REQUIRE(stage(&m, gz, glen) == 0);
	CHECK(wait_result(100) == OBJ_OK);
	m = meta(101, "tag:svc/init.mp4", sizeof(init));
	REQUIRE(stage(&m, init, sizeof(init)) == 0);
	CHECK(wait_result(101) == OBJ_OK);
	cache_get_stats(&cs);
	CHECK_EQ_U(cs.pinned_bytes, 2 * CACHE_FS_BODY_OFF + sizeof(pl) - 1 +
	    sizeof(init));
	CHECK(served("/tag/svc/live.m3u8", (const uint8_t *)pl,
	    sizeof(pl) - 1, "application/vnd.apple.mpegurl"));
	free(gz);
	teardown();
}

TEST_MAIN(TEST(test_plain), TEST(test_encodings), TEST(test_gzip_framing),
    TEST(test_bomb), TEST(test_digests_and_versions),
    TEST(test_names_and_types), TEST(test_abort), TEST(test_queue_full),
    TEST(test_write_runs), TEST(test_batch), TEST(test_playlist_pins))
