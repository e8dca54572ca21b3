/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stage.c: the obj_sink the receiver writes into, and the committer
 * thread.  begin/write/abort run on the caller's thread and touch only the
 * handle and a file in <dir>/tmp (staged bodies start at
 * CACHE_FS_BODY_OFF, so an unencoded object is committed in place by
 * writing its header page).  commit() only queues; the committer undoes
 * the Content-Encoding with a bound on the output, checks Content-Length,
 * Content-MD5 and Content-Digest, writes the header, fsyncs per policy and
 * calls cache_publish().  Nothing unverified is ever published.
 *
 * Locking: stage_lock covers the job queue and the running/stopping flags;
 * counters are relaxed atomics.  No file is touched with the lock held.
 */
#define ZLIB_CONST
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/md5.h>
#include <nettle/sha2.h>
#include <zlib.h>

#include "cache.h"
#include "cache_fs.h"
#include "conf.h"
#include "log.h"
#include "mime.h"
#include "names.h"
#include "stage.h"
#include "util.h"

#define STAGE_CHUNK		(64 * 1024)
#define STAGE_QUEUE_DEFAULT	1024
#define STAGE_DECODED_DEFAULT	(UINT64_C(64) << 20)

enum stage_enc { ENC_NONE, ENC_GZIP, ENC_DEFLATE, ENC_UNKNOWN };

struct stage_handle {
	int		fd;
	uint64_t	len;		/* transfer length */
	char		*path;		/* <dir>/tmp/s<n> */
};

struct stage_job {
	struct stage_job *next;
	struct stage_handle *h;
	struct obj_meta	meta;		/* strings below are the job's */
	char		*location;
	char		*content_type;
	char		*content_encoding;
};

/* One committer pass over a staged object. */
struct stage_work {
	const struct obj_meta *m;
	int		in_fd;
	int		out_fd;		/* the decoded file, or in_fd */
	char		*out_path;	/* the decoded file, or NULL */
	enum stage_enc	enc;
	z_stream	zs;
	int		zinit, zdone;
	struct md5_ctx	md5_t, md5_d;	/* transfer bytes, body bytes */
	struct sha256_ctx sha;
	uint64_t	dlen;		/* body bytes so far */
	uint8_t		*body;		/* small body kept in RAM, or NULL */
	int		keep;
	uint8_t		*ibuf, *obuf;
	char		path[NAMES_MAX];
};

static struct {
	struct stage_params p;
	char		*tmpdir;
	stage_result_fn	cb;
	pthread_t	thread;
	struct stage_job *head, *tail;
	uint32_t	queued;
	int		running, stopping;
} sg;
static pthread_mutex_t stage_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stage_cond = PTHREAD_COND_INITIALIZER;
static _Atomic int stage_open;		/* begin() may stage */
static _Atomic uint64_t stage_fileno;

static struct {
	_Atomic uint64_t begun, committed, bytes_written, queue_now;
	_Atomic uint64_t failed[OBJ_NRESULTS];
	_Atomic uint64_t aborted[OBJ_ABORT_NREASONS];
} sc;

#define COUNT(x, n)	\
	atomic_fetch_add_explicit(&(x), (n), memory_order_relaxed)

/* Create a new file in tmp/; *path gets its name (malloc'd).  fd or -1. */
static int
stage_create(char prefix, char **path)
{
	size_t len = strlen(sg.tmpdir) + 24;
	int fd = -1, tries;

	if ((*path = malloc(len)) == NULL)
		return -1;
	for (tries = 0; tries < 8 && fd < 0; tries++) {
		snprintf(*path, len, "%s/%c%016" PRIx64, sg.tmpdir, prefix,
		    atomic_fetch_add(&stage_fileno, 1));
		fd = open(*path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		log_warn_rl("stage: create in %s", sg.tmpdir);
		free(*path);
		*path = NULL;
	}
	return fd;
}

static void
handle_free(struct stage_handle *h, int unlink_file)
{
	if (h == NULL)
		return;
	if (h->fd >= 0)
		close(h->fd);
	if (unlink_file && h->path != NULL && unlink(h->path) < 0)
		log_warn_rl("stage: unlink %s", h->path);
	free(h->path);
	free(h);
}

static void *
stage_begin(void *ctx, const struct obj_key *key, uint64_t transfer_len)
{
	struct stage_handle *h;

	(void)ctx;
	(void)key;
	if (!atomic_load(&stage_open) || !cache_ready() ||
	    transfer_len > CACHE_FS_BODY_MAX)
		return NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->len = transfer_len;
	if ((h->fd = stage_create('s', &h->path)) < 0) {
		free(h);
		return NULL;
	}
	COUNT(sc.begun, 1);
	return h;
}

static int
stage_write(void *ctx, void *hv, uint64_t off, const void *buf, size_t len)
{
	struct stage_handle *h = hv;

	(void)ctx;
	if (h == NULL || off > h->len || len > h->len - off)
		return -1;
	if (cache_fs_pwrite_full(h->fd, buf, len,
	    CACHE_FS_BODY_OFF + off) < 0) {
		log_warn_rl("stage: write %s", h->path);
		return -1;
	}
	COUNT(sc.bytes_written, len);
	return 0;
}

static void
stage_abort(void *ctx, void *hv, enum obj_abort_reason why)
{
	(void)ctx;
	if (hv == NULL)
		return;
	if ((unsigned)why >= OBJ_ABORT_NREASONS)
		why = OBJ_ABORT_INVALID;
	COUNT(sc.aborted[why], 1);
	handle_free(hv, 1);
}

static void
job_free(struct stage_job *j)
{
	if (j == NULL)
		return;
	handle_free(j->h, 1);
	free(j->location);
	free(j->content_type);
	free(j->content_encoding);
	free(j);
}

/*
 * Drop the job (and whatever it still has in tmp/), count the outcome and
 * tell the receiver, in that order: when the verdict arrives the files are
 * already gone.
 */
static void
job_report(struct stage_job *j, enum obj_result res)
{
	struct obj_key key = j->meta.key;

	job_free(j);
	if ((unsigned)res >= OBJ_NRESULTS)
		res = OBJ_EIO;
	if (res == OBJ_OK)
		COUNT(sc.committed, 1);
	else
		COUNT(sc.failed[res], 1);
	if (sg.cb != NULL)
		sg.cb(&key, res);
}

/* Copy what commit() only borrows; 0 or -1 (out of memory). */
static int
job_copy_meta(struct stage_job *j, const struct obj_meta *m)
{
	j->meta = *m;
	j->location = m->location ? strdup(m->location) : NULL;
	j->content_type = m->content_type ? strdup(m->content_type) : NULL;
	j->content_encoding = m->content_encoding ?
	    strdup(m->content_encoding) : NULL;
	j->meta.location = j->location;
	j->meta.content_type = j->content_type;
	j->meta.content_encoding = j->content_encoding;
	if ((m->location && !j->location) ||
	    (m->content_type && !j->content_type) ||
	    (m->content_encoding && !j->content_encoding))
		return -1;
	return 0;
}

static void
stage_commit(void *ctx, void *hv, const struct obj_meta *m)
{
	struct stage_job *j;
	int queued = 0;

	(void)ctx;
	if (hv == NULL)
		return;
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		handle_free(hv, 1);
		COUNT(sc.failed[OBJ_EIO], 1);
		if (sg.cb != NULL)
			sg.cb(&m->key, OBJ_EIO);
		return;
	}
	j->h = hv;
	if (job_copy_meta(j, m) == 0) {
		pthread_mutex_lock(&stage_lock);
		if (sg.running && !sg.stopping && sg.queued < sg.p.queue_max) {
			if (sg.tail != NULL)
				sg.tail->next = j;
			else
				sg.head = j;
			sg.tail = j;
			sg.queued++;
			atomic_store(&sc.queue_now, sg.queued);
			queued = 1;
			pthread_cond_signal(&stage_cond);
		}
		pthread_mutex_unlock(&stage_lock);
	}
	if (!queued) {
		log_warnx_rl("stage: commit queue full or stopped, dropping %s",
		    m->location != NULL ? m->location : "(unnamed)");
		job_report(j, OBJ_EIO);
	}
}

static enum stage_enc
stage_encoding(const char *ce)
{
	if (ce == NULL || ce[0] == '\0' || strcasecmp(ce, "identity") == 0)
		return ENC_NONE;
	if (strcasecmp(ce, "gzip") == 0 || strcasecmp(ce, "x-gzip") == 0)
		return ENC_GZIP;
	if (strcasecmp(ce, "deflate") == 0)
		return ENC_DEFLATE;
	return ENC_UNKNOWN;
}

/* A body byte run: count it, check the bound, write it if decoded. */
static enum obj_result
work_out(struct stage_work *w, const uint8_t *p, size_t n)
{
	if (w->enc != ENC_NONE) {
		if (w->dlen + n > sg.p.max_decoded_bytes)
			return OBJ_EDECODE;
		if (cache_fs_pwrite_full(w->out_fd, p, n,
		    CACHE_FS_BODY_OFF + w->dlen) < 0)
			return OBJ_EIO;
		md5_update(&w->md5_d, n, p);
	}
	if (w->keep && w->dlen + n <= sg.p.mem_max) {
		uint8_t *b = realloc(w->body, (size_t)(w->dlen + n) + 1);

		if (b != NULL) {
			memcpy(b + w->dlen, p, n);
			w->body = b;
		} else {
			w->keep = 0;
		}
	} else {
		w->keep = 0;
	}
	w->dlen += n;
	return OBJ_OK;
}

/*
 * Inflate one chunk of transfer bytes.  Several gzip members in a row are
 * one body (RFC 1952); anything else after the end of the stream is an
 * error.
 */
static enum obj_result
work_inflate(struct stage_work *w, const uint8_t *in, size_t n)
{
	enum obj_result r;
	size_t got;
	int zr;

	w->zs.next_in = in;
	w->zs.avail_in = (uInt)n;
	do {
		if (w->zdone) {
			if (w->zs.avail_in == 0)
				break;
			if (w->enc != ENC_GZIP || inflateReset(&w->zs) != Z_OK)
				return OBJ_EDECODE;
			w->zdone = 0;
		}
		w->zs.next_out = w->obuf;
		w->zs.avail_out = STAGE_CHUNK;
		zr = inflate(&w->zs, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
			return OBJ_EDECODE;
		got = STAGE_CHUNK - w->zs.avail_out;
		if (got > 0 && (r = work_out(w, w->obuf, got)) != OBJ_OK)
			return r;
		if (zr == Z_STREAM_END)
			w->zdone = 1;
		else if (zr == Z_BUF_ERROR)
			break;
	} while (w->zs.avail_in > 0 || w->zs.avail_out == 0);
	return OBJ_OK;
}

/* zlib window bits: gzip or zlib for gzip, zlib or raw for deflate. */
static int
work_zlib_bits(struct stage_work *w)
{
	uint8_t b[2];

	if (w->enc == ENC_GZIP)
		return 15 + 32;
	if (w->m->transfer_length >= 2 &&
	    cache_fs_pread_full(w->in_fd, b, 2, CACHE_FS_BODY_OFF) == 0 &&
	    (b[0] & 0x0f) == 8 && ((b[0] << 8) | b[1]) % 31 == 0)
		return 15;
	return -15;
}

/* Read the staged bytes once: digests, and the decoder if encoded. */
static enum obj_result
work_pass(struct stage_work *w)
{
	uint64_t off, len = w->m->transfer_length;
	enum obj_result r = OBJ_OK;
	size_t n;

	if (w->enc != ENC_NONE) {
		if (inflateInit2(&w->zs, work_zlib_bits(w)) != Z_OK)
			return OBJ_EIO;
		w->zinit = 1;
	}
	for (off = 0; off < len && r == OBJ_OK; off += n) {
		n = len - off < STAGE_CHUNK ? (size_t)(len - off) : STAGE_CHUNK;
		if (cache_fs_pread_full(w->in_fd, w->ibuf, n,
		    CACHE_FS_BODY_OFF + off) < 0)
			return OBJ_EIO;
		md5_update(&w->md5_t, n, w->ibuf);
		if (w->m->has_sha256)
			sha256_update(&w->sha, n, w->ibuf);
		if (w->enc != ENC_NONE)
			r = work_inflate(w, w->ibuf, n);
		else
			r = work_out(w, w->ibuf, n);
	}
	if (r == OBJ_OK && w->enc != ENC_NONE && !w->zdone)
		r = OBJ_EDECODE;	/* truncated stream */
	return r;
}

/* Length and digests; md5_body gets the body MD5 (the ETag). */
static enum obj_result
work_verify(struct stage_work *w, uint8_t md5_body[16])
{
	const struct obj_meta *m = w->m;
	uint8_t md5_t[MD5_DIGEST_SIZE], sha[SHA256_DIGEST_SIZE];

	md5_digest(&w->md5_t, sizeof(md5_t), md5_t);
	if (w->enc != ENC_NONE)
		md5_digest(&w->md5_d, MD5_DIGEST_SIZE, md5_body);
	else
		memcpy(md5_body, md5_t, MD5_DIGEST_SIZE);
	if (m->content_length >= 0 && (uint64_t)m->content_length != w->dlen)
		return OBJ_ELENGTH;
	if (m->has_md5 && memcmp(m->md5, md5_t, 16) != 0 &&
	    memcmp(m->md5, md5_body, 16) != 0)
		return OBJ_EDIGEST;
	if (m->has_sha256) {
		sha256_digest(&w->sha, sizeof(sha), sha);
		if (memcmp(m->sha256, sha, sizeof(sha)) != 0)
			return OBJ_EDIGEST;
	}
	return OBJ_OK;
}

/* A usable announced type: printable, "x/y", and not too long. */
static int
type_usable(const char *t)
{
	size_t i, n;

	if (t == NULL || (n = strlen(t)) == 0 || n >= CACHE_FS_TYPE_MAX ||
	    strchr(t, '/') == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		if (t[i] < 0x20 || t[i] > 0x7e)
			return 0;
	}
	return 1;
}

/* The announced type when it says something, else the extension's. */
static const char *
stage_content_type(const char *announced, const char *path)
{
	const char *ext = mime_from_path(path);
	size_t n = strlen(MIME_DEFAULT);
	int usable = type_usable(announced);

	if (usable && !(strncasecmp(announced, MIME_DEFAULT, n) == 0 &&
	    (announced[n] == '\0' || announced[n] == ';' ||
	    announced[n] == ' ')))
		return announced;
	if (strcmp(ext, MIME_DEFAULT) != 0)
		return ext;
	return usable ? announced : MIME_DEFAULT;
}

/* Write the header page and sync per policy; the file is then complete. */
static enum obj_result
work_seal(struct stage_work *w, const uint8_t md5[16])
{
	struct cache_fs_hdr *h;
	uint8_t *page;
	enum obj_result r = OBJ_EIO;

	h = calloc(1, sizeof(*h));
	page = malloc(CACHE_FS_BODY_OFF);
	if (h == NULL || page == NULL)
		goto out;
	h->body_len = w->dlen;
	memcpy(h->md5, md5, 16);
	h->mtime = util_wall_s();
	h->seq = w->m->seq;
	util_strlcpy(h->content_type, stage_content_type(w->m->content_type,
	    w->path), sizeof(h->content_type));
	util_strlcpy(h->path, w->path, sizeof(h->path));
	if (cache_fs_hdr_encode(h, page, CACHE_FS_BODY_OFF) < 0) {
		r = OBJ_ENAME;
		goto out;
	}
	if (cache_fs_pwrite_full(w->out_fd, page, CACHE_FS_BODY_OFF, 0) < 0 ||
	    ftruncate(w->out_fd, (off_t)(CACHE_FS_BODY_OFF + w->dlen)) < 0 ||
	    (sg.p.fsync_mode >= CONF_FSYNC_COMMIT && fsync(w->out_fd) < 0)) {
		log_warn_rl("stage: seal %s", w->path);
		goto out;
	}
	r = OBJ_OK;
out:
	free(page);
	free(h);
	return r;
}

/* Hand the sealed file to the cache. */
static enum obj_result
work_publish(struct stage_work *w, struct stage_job *j, const uint8_t md5[16])
{
	struct cache_obj o;
	char type[CACHE_FS_TYPE_MAX];
	int r;

	util_strlcpy(type, stage_content_type(w->m->content_type, w->path),
	    sizeof(type));
	memset(&o, 0, sizeof(o));
	o.path = w->path;
	o.tmp_file = w->out_path != NULL ? w->out_path : j->h->path;
	o.size = w->dlen;
	o.body_off = CACHE_FS_BODY_OFF;
	o.content_type = type;
	o.md5 = md5;
	o.seq = w->m->seq;
	o.mtime = util_wall_s();
	o.body = w->keep ? w->body : NULL;
	if (o.body == NULL && w->keep)
		o.body = (const uint8_t *)"";
	r = cache_publish(&o);
	/* cache_publish consumed the file whatever it returned. */
	if (w->out_path != NULL) {
		free(w->out_path);
		w->out_path = NULL;
	} else {
		free(j->h->path);
		j->h->path = NULL;
	}
	return r == 0 ? OBJ_OK : r == 1 ? OBJ_ESTALE : OBJ_EIO;
}

/* The staged file must hold the header page plus every transfer byte. */
static int
work_staged_ok(struct stage_work *w)
{
	struct stat st;
	uint64_t want = CACHE_FS_BODY_OFF + w->m->transfer_length;

	if (fstat(w->in_fd, &st) < 0)
		return 0;
	if (w->m->transfer_length == 0)
		return st.st_size == 0 || (uint64_t)st.st_size == want;
	return (uint64_t)st.st_size == want;
}

static enum obj_result
work_run(struct stage_work *w, struct stage_job *j)
{
	uint8_t md5[16];
	enum obj_result r;

	if (names_from_location(j->meta.location, w->path, sizeof(w->path)) < 0)
		return OBJ_ENAME;
	if (w->enc == ENC_UNKNOWN)
		return OBJ_EDECODE;
	if (j->meta.transfer_length != j->h->len || !work_staged_ok(w)) {
		log_warnx_rl("stage: %s: staged file incomplete",
		    j->meta.location);
		return OBJ_EIO;
	}
	if (w->enc != ENC_NONE &&
	    (w->out_fd = stage_create('d', &w->out_path)) < 0)
		return OBJ_EIO;
	if ((r = work_pass(w)) != OBJ_OK ||
	    (r = work_verify(w, md5)) != OBJ_OK ||
	    (r = work_seal(w, md5)) != OBJ_OK)
		return r;
	if (w->out_fd != w->in_fd) {
		close(w->out_fd);
		w->out_fd = -1;
	}
	close(j->h->fd);
	j->h->fd = -1;
	return work_publish(w, j, md5);
}

static const char *
stage_result_name(enum obj_result r)
{
	static const char *const names[OBJ_NRESULTS] = {
		"ok", "digest mismatch", "length mismatch",
		"bad or oversized encoding", "stale", "I/O error",
		"name cannot be served",
	};

	return (unsigned)r < OBJ_NRESULTS ? names[r] : "?";
}

/* Verify and publish one job; everything it staged is gone afterwards. */
static enum obj_result
stage_process(struct stage_job *j)
{
	struct stage_work *w;
	enum obj_result r = OBJ_EIO;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return OBJ_EIO;
	w->m = &j->meta;
	w->in_fd = w->out_fd = j->h->fd;
	w->enc = stage_encoding(j->meta.content_encoding);
	w->keep = sg.p.mem_max > 0;
	md5_init(&w->md5_t);
	md5_init(&w->md5_d);
	sha256_init(&w->sha);
	w->ibuf = malloc(STAGE_CHUNK);
	w->obuf = malloc(STAGE_CHUNK);
	if (w->ibuf != NULL && w->obuf != NULL)
		r = work_run(w, j);
	if (r != OBJ_OK && r != OBJ_ESTALE)
		log_warnx_rl("stage: %s: not published: %s",
		    j->meta.location ? j->meta.location : "(unnamed)",
		    stage_result_name(r));
	if (w->zinit)
		inflateEnd(&w->zs);
	if (w->out_path != NULL) {
		close(w->out_fd);
		unlink(w->out_path);
		free(w->out_path);
	}
	free(w->body);
	free(w->ibuf);
	free(w->obuf);
	free(w);
	return r;
}

static void *
stage_main(void *arg)
{
	struct stage_job *j;

	(void)arg;
	pthread_mutex_lock(&stage_lock);
	for (;;) {
		while (sg.head == NULL && !sg.stopping)
			pthread_cond_wait(&stage_cond, &stage_lock);
		if ((j = sg.head) == NULL)
			break;
		if ((sg.head = j->next) == NULL)
			sg.tail = NULL;
		sg.queued--;
		atomic_store(&sc.queue_now, sg.queued);
		pthread_mutex_unlock(&stage_lock);
		job_report(j, stage_process(j));
		pthread_mutex_lock(&stage_lock);
	}
	pthread_mutex_unlock(&stage_lock);
	return NULL;
}

static const struct obj_sink stage_obj_sink = {
	.ctx = NULL,
	.begin = stage_begin,
	.write = stage_write,
	.commit = stage_commit,
	.abort = stage_abort,
};

const struct obj_sink *
stage_sink(void)
{
	return &stage_obj_sink;
}

int
stage_start(const struct stage_params *p, stage_result_fn cb)
{
	size_t n;

	if (sg.running || p->dir == NULL)
		return -1;
	memset(&sg, 0, sizeof(sg));
	memset(&sc, 0, sizeof(sc));	/* nothing else runs yet */
	sg.p = *p;
	if (sg.p.queue_max == 0)
		sg.p.queue_max = STAGE_QUEUE_DEFAULT;
	if (sg.p.max_decoded_bytes == 0)
		sg.p.max_decoded_bytes = STAGE_DECODED_DEFAULT;
	sg.cb = cb;
	n = strlen(p->dir) + sizeof("/tmp");
	if ((sg.tmpdir = malloc(n)) == NULL)
		return -1;
	snprintf(sg.tmpdir, n, "%s/tmp", p->dir);
	sg.p.dir = NULL;
	if (pthread_create(&sg.thread, NULL, stage_main, NULL) != 0) {
		log_warnx("stage_start: cannot create the committer thread");
		free(sg.tmpdir);
		sg.tmpdir = NULL;
		return -1;
	}
	sg.running = 1;
	atomic_store(&stage_open, 1);
	return 0;
}

void
stage_stop(void)
{
	if (!sg.running)
		return;
	atomic_store(&stage_open, 0);
	pthread_mutex_lock(&stage_lock);
	sg.stopping = 1;
	pthread_cond_broadcast(&stage_cond);
	pthread_mutex_unlock(&stage_lock);
	pthread_join(sg.thread, NULL);
	pthread_mutex_lock(&stage_lock);
	sg.running = 0;
	pthread_mutex_unlock(&stage_lock);
	free(sg.tmpdir);
	sg.tmpdir = NULL;
}

void
stage_get_stats(struct stage_stats *out)
{
	int i;

	memset(out, 0, sizeof(*out));
	out->begun = atomic_load(&sc.begun);
	out->committed = atomic_load(&sc.committed);
	out->bytes_written = atomic_load(&sc.bytes_written);
	out->queue_now = atomic_load(&sc.queue_now);
	for (i = 0; i < OBJ_NRESULTS; i++)
		out->failed[i] = atomic_load(&sc.failed[i]);
	for (i = 0; i < OBJ_ABORT_NREASONS; i++)
		out->aborted[i] = atomic_load(&sc.aborted[i]);
}
