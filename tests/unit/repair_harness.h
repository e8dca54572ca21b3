/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repair_harness.h: the fixture of test_repair.c: a real origin
 * (libmicrohttpd on 127.0.0.1, port 0) and a recording in-memory obj_sink
 * with the repair hooks.  The origin serves deterministic bytes for
 * ".../MODE/LEN.TAG": MODE obj honours Range (206 single part or
 * multipart/byteranges), ign ignores it (200 with a right Content-Digest),
 * bad sends a wrong one, 404 fails, slow answers after 1.5 s, hold after
 * 150 ms, chk answers chunked (no length), dfl deflate-encoded, evil a
 * range nobody asked for, wtot a wrong total, mpev a part nobody asked
 * for, mpcut a multipart answer without its closing boundary.
 * Included by one test file, so everything here is static.
 */
#ifndef NIPCACHE_REPAIR_HARNESS_H
#define NIPCACHE_REPAIR_HARNESS_H

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>
#include <nettle/base64.h>
#include <nettle/sha2.h>
#include <zlib.h>

#include "../../daemon/repair.h"
#include "../../daemon/repair_int.h"	/* REPAIR_QUEUE_MAX */
#include "../../daemon/util.h"
#include "test.h"

#define MAXREQ	128
#define MAXH	64
#define WAIT_MS	5000

/* ---- the origin ---- */

struct oreq {
	char		path[256];
	char		range[512];
	char		ifrange[128];
	uint64_t	t_ms;
};

static struct {
	pthread_mutex_t	lock;
	struct MHD_Daemon *d;
	int		port;
	struct oreq	req[MAXREQ];
	int		nreq, inflight, maxinflight;
	_Atomic int	quit;
} O = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint8_t
src_byte(const char *name, uint64_t i)
{
	uint32_t h = 2166136261u;

	for (; *name != '\0'; name++)
		h = (h ^ (uint8_t)*name) * 16777619u;
	return (uint8_t)(h + i * 131 + (i >> 9) * 7);
}

static const char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b != NULL ? b + 1 : path;
}

/* MODE of ".../MODE/NAME". */
static void
mode_of(const char *url, char *out, size_t len)
{
	const char *b = base_name(url), *m = b - 1;

	while (m > url && m[-1] != '/')
		m--;
	snprintf(out, len, "%.*s", (int)(b - 1 - m > 0 ? b - 1 - m : 0), m);
}

static void
nap(uint64_t ms)
{
	uint64_t end = util_now_ms() + ms;

	while (util_now_ms() < end && !atomic_load(&O.quit))
		usleep(5000);
}

/* "bytes=a-b,c-d" into r (test input: well formed). */
static int
parse_ranges(const char *v, uint64_t r[][2], int max)
{
	int n = 0;
	char *e;

	if (v == NULL || strncmp(v, "bytes=", 6) != 0)
		return 0;
	v += 6;
	while (n < max && *v != '\0') {
		r[n][0] = strtoull(v, &e, 10);
		r[n][1] = strtoull(e + 1, &e, 10);
		n++;
		v = *e == ',' ? e + 1 : e;
	}
	return n;
}

static struct MHD_Response *
buf_response(const char *p, size_t n)
{
	return MHD_create_response_from_buffer(n, (void *)(uintptr_t)p,
	    MHD_RESPMEM_MUST_COPY);
}

/*
 * 206 multipart/byteranges of r[0..n-1]; mpev shifts the last part by a
 * byte (outside what was asked), mpcut leaves the closing boundary out.
 */
static struct MHD_Response *
multipart(const char *mode, const uint8_t *body, uint64_t len,
    uint64_t r[][2], int n)
{
	size_t cap = 1024 + (size_t)len + (size_t)n * 128, o = 0;
	char *out = malloc(cap);
	struct MHD_Response *resp;
	int i;

	if (strcmp(mode, "mpev") == 0 && r[n - 1][1] + 1 < len)
		r[n - 1][0]++, r[n - 1][1]++;
	for (i = 0; i < n; i++) {
		o += (size_t)snprintf(out + o, cap - o, "%s--BND\r\n"
		    "Content-Type: application/octet-stream\r\n"
		    "Content-Range: bytes %llu-%llu/%llu\r\n\r\n",
		    i ? "\r\n" : "", (unsigned long long)r[i][0],
		    (unsigned long long)r[i][1],
		    (unsigned long long)len + !strcmp(mode, "wtot"));
		memcpy(out + o, body + r[i][0], r[i][1] - r[i][0] + 1);
		o += r[i][1] - r[i][0] + 1;
	}
	if (strcmp(mode, "mpcut") != 0)
		o += (size_t)snprintf(out + o, cap - o, "\r\n--BND--\r\n");
	resp = buf_response(out, o);
	free(out);
	MHD_add_response_header(resp, "Content-Type",
	    "multipart/byteranges; boundary=BND");
	return resp;
}

struct chunked {
	uint8_t	*p;
	uint64_t len;
};

static ssize_t
chunk_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct chunked *c = cls;
	size_t n;

	if (pos >= c->len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	n = c->len - pos < max ? (size_t)(c->len - pos) : max;
	if (n > 1000)
		n = 1000;
	memcpy(buf, c->p + pos, n);
	return (ssize_t)n;
}

static void
chunk_free(void *cls)
{
	struct chunked *c = cls;

	free(c->p);
	free(c);
}

static void
add_digest(struct MHD_Response *resp, const uint8_t *p, size_t n, int wrong)
{
	struct sha256_ctx c;
	uint8_t d[32];
	char b64[BASE64_ENCODE_RAW_LENGTH(32) + 1], v[80];

	sha256_init(&c);
	sha256_update(&c, n, p);
	sha256_digest(&c, sizeof(d), d);
	if (wrong)
		d[0] ^= 1;
	base64_encode_raw(b64, sizeof(d), d);
	b64[sizeof(b64) - 1] = '\0';
	snprintf(v, sizeof(v), "sha-256=:%s:", b64);
	MHD_add_response_header(resp, "Content-Digest", v);
}

/* 200: chunked, deflate-encoded, with a digest, or plain. */
static struct MHD_Response *
whole(const char *mode, uint8_t *body, uint64_t len)
{
	struct MHD_Response *resp;
	struct chunked *ck;
	uLongf zlen = compressBound((uLong)len);
	uint8_t *z;

	if (strcmp(mode, "chk") == 0) {
		ck = malloc(sizeof(*ck));
		ck->p = malloc(len + 1);
		memcpy(ck->p, body, len);
		ck->len = len;
		return MHD_create_response_from_callback(MHD_SIZE_UNKNOWN,
		    4096, chunk_read, ck, chunk_free);
	}
	if (strcmp(mode, "dfl") == 0) {
		z = malloc(zlen);
		compress(z, &zlen, body, (uLong)len);
		resp = buf_response((char *)z, zlen);
		MHD_add_response_header(resp, "Content-Encoding", "deflate");
		free(z);
		return resp;
	}
	resp = buf_response((char *)body, len);
	if (strcmp(mode, "ign") == 0 || strcmp(mode, "bad") == 0)
		add_digest(resp, body, len, mode[0] == 'b');
	return resp;
}

/* 206: the first range asked (evil: another), its total (wtot: wrong). */
static struct MHD_Response *
single(const char *mode, const uint8_t *body, uint64_t len, uint64_t r[2])
{
	struct MHD_Response *resp;
	char cr[96];

	if (strcmp(mode, "evil") == 0)
		r[0] = 0, r[1] = 9;
	snprintf(cr, sizeof(cr), "bytes %llu-%llu/%llu",
	    (unsigned long long)r[0], (unsigned long long)r[1],
	    (unsigned long long)len + !strcmp(mode, "wtot"));
	resp = buf_response((const char *)body + r[0], r[1] - r[0] + 1);
	MHD_add_response_header(resp, "Content-Range", cr);
	return resp;
}

/* The whole object (200), or what Range asks for (206). */
static struct MHD_Response *
answer(const char *mode, const char *name, const char *range, int *code)
{
	uint64_t len = strtoull(name, NULL, 10), r[32][2], i;
	uint8_t *body = malloc(len + 1);
	struct MHD_Response *resp;
	int n = strcmp(mode, "ign") && strcmp(mode, "bad") ?
	    parse_ranges(range, r, 32) : 0;

	for (i = 0; i < len; i++)
		body[i] = src_byte(name, i);
	*code = n > 0 ? 206 : 200;
	if (n > 1 && strcmp(mode, "evil") != 0)
		resp = multipart(mode, body, len, r, n);
	else if (n > 0)
		resp = single(mode, body, len, r[0]);
	else
		resp = whole(mode, body, len);
	MHD_add_response_header(resp, "ETag", "\"v1\"");
	if (n < 2 || strcmp(mode, "evil") == 0)
		MHD_add_response_header(resp, "Content-Type", "video/mp4");
	free(body);
	return resp;
}

static enum MHD_Result
origin_cb(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upsize, void **ptr)
{
	static int marker;
	const char *range, *ifr;
	struct MHD_Response *resp;
	struct oreq *q;
	char mode[32];
	int code;
	enum MHD_Result r;

	(void)cls, (void)method, (void)version, (void)upload, (void)upsize;
	if (*ptr == NULL) {
		*ptr = &marker;
		return MHD_YES;
	}
	range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Range");
	ifr = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-Range");
	mode_of(url, mode, sizeof(mode));
	pthread_mutex_lock(&O.lock);
	if (O.nreq < MAXREQ) {
		q = &O.req[O.nreq++];
		snprintf(q->path, sizeof(q->path), "%s", url);
		snprintf(q->range, sizeof(q->range), "%s", range ? range : "");
		snprintf(q->ifrange, sizeof(q->ifrange), "%s", ifr ? ifr : "");
		q->t_ms = util_now_ms();
	}
	if (++O.inflight > O.maxinflight)
		O.maxinflight = O.inflight;
	pthread_mutex_unlock(&O.lock);
	if (strcmp(mode, "slow") == 0 || strcmp(mode, "hold") == 0)
		nap(mode[0] == 's' ? 1500 : 150);
	if (strcmp(mode, "404") == 0) {
		resp = buf_response("nope", 4);
		code = 404;
	} else {
		resp = answer(mode, base_name(url), range, &code);
	}
	r = MHD_queue_response(c, (unsigned)code, resp);
	MHD_destroy_response(resp);
	pthread_mutex_lock(&O.lock);
	O.inflight--;
	pthread_mutex_unlock(&O.lock);
	return r;
}

static void
origin_start(void)
{
	const union MHD_DaemonInfo *di;

	if (O.d != NULL)
		return;
	O.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    origin_cb, NULL, MHD_OPTION_END);
	if (O.d == NULL)
		return;
	di = MHD_get_daemon_info(O.d, MHD_DAEMON_INFO_BIND_PORT);
	O.port = di != NULL ? di->port : 0;
}

/* ---- the recording sink and hooks ---- */

struct mh {
	struct obj_key	key;
	uint64_t	len;
	uint8_t		*buf, *wmask;
	int		state;		/* 0 open, 1 committed, 2 aborted */
	int		why, by_repair, commits;
	char		loc[256], ce[32], ctype[64];
	int		has_sha;
	uint64_t	tlen;
	uint64_t	seq;
};

static struct {
	pthread_mutex_t	lock;
	struct mh	h[MAXH];
	int		n, commits, aborts, failed, failed_key, queued;
	enum obj_result	verdict;
	char		failed_path[256], cached[256];
	char		wait_path[256];	/* the wait hook holds this path */
	int		waits;		/* wait hook calls for it */
} S = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct mh *
mh_new(const struct obj_key *key, uint64_t len)
{
	struct mh *m = NULL;

	pthread_mutex_lock(&S.lock);
	if (S.n < MAXH) {
		m = &S.h[S.n++];
		memset(m, 0, sizeof(*m));
		m->key = *key;
		m->len = len;
		m->buf = calloc(1, len + 1);
		m->wmask = calloc(1, len + 1);
	}
	pthread_mutex_unlock(&S.lock);
	return m;
}

static void *
sk_begin(void *ctx, const struct obj_key *key, uint64_t len)
{
	struct mh *m = mh_new(key, len);

	(void)ctx;
	if (m != NULL)
		m->by_repair = 1;
	return m;
}

static int
sk_write(void *ctx, void *h, uint64_t off, const void *buf, size_t len)
{
	struct mh *m = h;

	(void)ctx;
	if (m->state != 0 || off > m->len || len > m->len - off)
		return -1;
	memcpy(m->buf + off, buf, len);
	memset(m->wmask + off, 1, len);
	return 0;
}

static void
sk_commit(void *ctx, void *h, const struct obj_meta *meta)
{
	struct mh *m = h;
	struct obj_key key = meta->key;
	enum obj_result v;

	(void)ctx;
	pthread_mutex_lock(&S.lock);
	m->state = 1;
	m->commits++;
	snprintf(m->loc, sizeof(m->loc), "%s", meta->location);
	snprintf(m->ce, sizeof(m->ce), "%s", meta->content_encoding ?
	    meta->content_encoding : "");
	snprintf(m->ctype, sizeof(m->ctype), "%s", meta->content_type ?
	    meta->content_type : "");
	m->has_sha = meta->has_sha256;
	m->tlen = meta->transfer_length;
	m->seq = meta->seq;
	S.commits++;
	v = S.verdict;
	pthread_mutex_unlock(&S.lock);
	repair_commit_result(&key, v);	/* what main forwards */
}

static void
sk_abort(void *ctx, void *h, enum obj_abort_reason why)
{
	struct mh *m = h;

	(void)ctx;
	pthread_mutex_lock(&S.lock);
	m->state = 2;
	m->why = (int)why;
	S.aborts++;
	pthread_mutex_unlock(&S.lock);
}

static const struct obj_sink sink = {
	.begin = sk_begin, .write = sk_write, .commit = sk_commit,
	.abort = sk_abort,
};

static void
hk_failed(const struct obj_key *key, const char *path)
{
	pthread_mutex_lock(&S.lock);
	S.failed++;
	S.failed_key += key != NULL;
	snprintf(S.failed_path, sizeof(S.failed_path), "%s", path);
	pthread_mutex_unlock(&S.lock);
}

static void
hk_queued(const char *path)
{
	(void)path;
	pthread_mutex_lock(&S.lock);
	S.queued++;
	pthread_mutex_unlock(&S.lock);
}

static int
hk_cached(const char *path)
{
	int r;

	pthread_mutex_lock(&S.lock);
	r = strcmp(path, S.cached) == 0;
	pthread_mutex_unlock(&S.lock);
	return r;
}

/* While S.wait_path names path: come back in 50 ms. */
static uint64_t
hk_wait(const char *path, uint64_t queued_ms)
{
	uint64_t r = 0;

	(void)queued_ms;
	pthread_mutex_lock(&S.lock);
	if (strcmp(path, S.wait_path) == 0) {
		S.waits++;
		r = util_now_ms() + 50;
	}
	pthread_mutex_unlock(&S.lock);
	return r;
}

static const struct repair_hooks hooks = {
	.sink = &sink, .failed = hk_failed, .queued = hk_queued,
	.cached = hk_cached, .wait = hk_wait,
};

/* ---- fixture ---- */

static int
sget(const int *v)
{
	int r;

	pthread_mutex_lock(&S.lock);
	r = *v;
	pthread_mutex_unlock(&S.lock);
	return r;
}

/* Wait (10 ms steps, WAIT_MS at most) until *v >= want. */
static int
wait_for(const int *v, int want)
{
	uint64_t end = util_now_ms() + WAIT_MS;

	while (sget(v) < want && util_now_ms() < end)
		usleep(10000);
	return sget(v) >= want;
}

static void
reset(void)
{
	int i;

	pthread_mutex_lock(&S.lock);
	for (i = 0; i < S.n; i++) {
		free(S.h[i].buf);
		free(S.h[i].wmask);
	}
	memset(S.h, 0, sizeof(S.h));
	S.n = S.commits = S.aborts = S.failed = S.failed_key = S.queued = 0;
	S.verdict = OBJ_OK;
	S.cached[0] = S.failed_path[0] = S.wait_path[0] = '\0';
	S.waits = 0;
	pthread_mutex_unlock(&S.lock);
	pthread_mutex_lock(&O.lock);
	O.nreq = O.inflight = O.maxinflight = 0;
	pthread_mutex_unlock(&O.lock);
}

static void
base_params(struct repair_params *p, const char *sub)
{
	origin_start();
	memset(p, 0, sizeof(*p));
	p->enabled = 1;
	p->nbase = 1;
	p->base[0].weight = 1;
	snprintf(p->base[0].url, sizeof(p->base[0].url),
	    "http://127.0.0.1:%d/%s", O.port, sub);
	p->connect_timeout_ms = 1000;
	p->timeout_ms = 3000;
	p->seed = 42;
}

static int
start(const struct repair_params *p)
{
	reset();
	return O.d != NULL && repair_start(p, &hooks) == 0;
}

static void
stop(void)
{
	repair_stop();
	reset();
}

static struct obj_key
key_of(uint32_t group_last, uint64_t tsi, uint64_t toi)
{
	struct obj_key k;

	memset(&k, 0, sizeof(k));
	k.family = AF_INET;
	k.dst[0] = 239, k.dst[1] = 1, k.dst[2] = 1;
	k.dst[3] = (uint8_t)group_last;
	k.port = 5000;
	k.tsi.lo = tsi;
	k.toi.lo = toi;
	return k;
}

/* A staged handle with name's bytes but for the missing ranges. */
static struct mh *
staged(const struct obj_key *k, const char *name, const struct obj_range *r,
    size_t n)
{
	uint64_t len = strtoull(name, NULL, 10), i;
	struct mh *m = mh_new(k, len);
	size_t j;

	for (i = 0; i < len; i++)
		m->buf[i] = src_byte(name, i);
	for (j = 0; j < n; j++)
		memset(m->buf + r[j].off, 0, r[j].len);
	return m;
}

static uint64_t
ranges_lost(const struct obj_range *r, size_t n)
{
	uint64_t t = 0;

	while (n-- > 0)
		t += r[n].len;
	return t;
}

static int
submit(struct mh *m, const char *loc, const struct obj_range *r, size_t n,
    const char *ce)
{
	struct obj_meta meta;

	memset(&meta, 0, sizeof(meta));
	meta.key = m->key;
	meta.location = loc;
	meta.transfer_length = m->len;
	meta.content_length = -1;
	meta.content_encoding = ce;
	meta.has_sha256 = ce != NULL;
	return repair_object(m, &meta, r, n, ranges_lost(r, n),
	    OBJ_REPAIR_LOSS);
}

/* The bytes are the source's, and repair wrote exactly the ranges. */
static int
bytes_ok(const struct mh *m, const char *name, const struct obj_range *r,
    size_t n)
{
	uint64_t i;
	size_t j;
	int in;

	for (i = 0; i < m->len; i++) {
		for (in = 0, j = 0; j < n; j++)
			in |= i >= r[j].off && i < r[j].off + r[j].len;
		if (m->buf[i] != src_byte(name, i) || m->wmask[i] != in)
			return 0;
	}
	return 1;
}

static uint64_t
written(const struct mh *m)
{
	uint64_t i, n = 0;

	for (i = 0; i < m->len; i++)
		n += m->wmask[i];
	return n;
}

static struct oreq
req(int i)
{
	struct oreq q;

	pthread_mutex_lock(&O.lock);
	q = O.req[i];
	pthread_mutex_unlock(&O.lock);
	return q;
}

#endif
