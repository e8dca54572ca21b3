/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stage_batch.c: what the committer thread does with the jobs it takes
 * off the queue.  For each: undo the Content-Encoding with a bound on the
 * output, check Content-Length, Content-MD5 and Content-Digest, write the
 * header page.  Then the sealed files of the whole batch are made durable
 * together (fsync = commit or always), and only then renamed into place
 * and published one by one, in queue order.  See stage_sync() for why
 * that keeps the crash guarantee of one fsync per object at a fraction of
 * the cost, which matters when a carousel brings thousands of small
 * objects in a burst.  Nothing unverified is ever published.
 *
 * Everything here runs on the committer thread and touches only the jobs
 * it was handed and the batch, which that thread owns.
 */
#define ZLIB_CONST
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
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
#include "stage_int.h"
#include "util.h"

#define STAGE_CHUNK		(64 * 1024)
#define STAGE_BATCH_RAM		(1u << 20)	/* small bodies one holds */

enum stage_enc { ENC_NONE, ENC_GZIP, ENC_DEFLATE, ENC_UNKNOWN };

/* One committer pass over a staged object, then its sealed state. */
struct stage_work {
	struct stage_job *j;
	const struct stage_params *p;	/* the batch's */
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
	uint8_t		*ibuf, *obuf;	/* the batch's scratch */
	enum obj_result	res;
	uint8_t		md5[16];	/* of the body: the ETag */
	char		path[NAMES_MAX];
};

/* Sealed objects waiting for one sync; owned by the committer thread. */
struct stage_batch {
	struct stage_params p;		/* dir unused */
	struct stage_work w[STAGE_BATCH_MAX];
	size_t		n;
	uint64_t	ram;		/* bytes of small bodies held */
	uint8_t		ibuf[STAGE_CHUNK];
	uint8_t		obuf[STAGE_CHUNK];
};

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
		if (w->dlen + n > w->p->max_decoded_bytes)
			return OBJ_EDECODE;
		if (cache_fs_pwrite_full(w->out_fd, p, n,
		    CACHE_FS_BODY_OFF + w->dlen) < 0)
			return OBJ_EIO;
		md5_update(&w->md5_d, n, p);
	}
	if (w->keep && w->dlen + n <= w->p->mem_max) {
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

/*
 * Write the header page; the file is then complete but not yet durable
 * (stage_sync does that for the whole batch).  The size of a staged file
 * was checked by work_staged_ok and a decoded one is written end to end,
 * so the ftruncate is only a safety net for the decoded case.
 */
static enum obj_result
work_seal(struct stage_work *w)
{
	struct cache_fs_hdr *h;
	uint8_t *page;
	enum obj_result r = OBJ_EIO;

	h = calloc(1, sizeof(*h));
	page = malloc(CACHE_FS_BODY_OFF);
	if (h == NULL || page == NULL)
		goto out;
	h->body_len = w->dlen;
	memcpy(h->md5, w->md5, 16);
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
	    (w->out_path != NULL && ftruncate(w->out_fd,
	    (off_t)(CACHE_FS_BODY_OFF + w->dlen)) < 0)) {
		log_warn_rl("stage: seal %s", w->path);
		goto out;
	}
	r = OBJ_OK;
out:
	free(page);
	free(h);
	return r;
}

/* Hand the sealed (and synced) file to the cache. */
static enum obj_result
work_publish(struct stage_work *w)
{
	struct stage_job *j = w->j;
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
	o.md5 = w->md5;
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

/* Verify and seal; on OBJ_OK the sealed file is w->out_fd. */
static enum obj_result
work_run(struct stage_work *w, struct stage_job *j)
{
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
	    (r = work_verify(w, w->md5)) != OBJ_OK)
		return r;
	if (w->zinit) {
		inflateEnd(&w->zs);
		w->zinit = 0;
	}
	if ((r = work_seal(w)) != OBJ_OK)
		return r;
	if (w->out_fd != w->in_fd) {
		close(j->h->fd);
		j->h->fd = -1;
	}
	return OBJ_OK;
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

/* Free what the pass holds, report the job; everything staged is gone. */
static void
work_finish(struct stage_work *w)
{
	if (w->res != OBJ_OK && w->res != OBJ_ESTALE)
		log_warnx_rl("stage: %s: not published: %s",
		    w->j->meta.location ? w->j->meta.location : "(unnamed)",
		    stage_result_name(w->res));
	if (w->zinit)
		inflateEnd(&w->zs);
	if (w->out_path != NULL) {
		close(w->out_fd);
		unlink(w->out_path);
		free(w->out_path);
	} else if (w->out_fd >= 0 && w->out_fd != w->j->h->fd) {
		close(w->out_fd);
	}
	free(w->body);
	stage_job_report(w->j, w->res);
	memset(w, 0, sizeof(*w));
}

/* Set up w for j and verify and seal it (w->res says how it went). */
static void
work_start(struct stage_work *w, struct stage_job *j, struct stage_batch *b)
{
	memset(w, 0, sizeof(*w));
	w->j = j;
	w->m = &j->meta;
	w->in_fd = w->out_fd = j->h->fd;
	w->enc = stage_encoding(j->meta.content_encoding);
	w->p = &b->p;
	w->keep = b->p.mem_max > 0;
	w->ibuf = b->ibuf;
	w->obuf = b->obuf;
	md5_init(&w->md5_t);
	md5_init(&w->md5_d);
	sha256_init(&w->sha);
	w->res = work_run(w, j);
}

/*
 * Make every sealed file of the batch durable (fsync = commit or always).
 * The guarantee is the one a per-object fsync gave: no object is renamed
 * into objects/ before its bytes and size are on stable storage, so after
 * a crash an object is either whole or absent (tmp/ is purged at start).
 * fdatasync is enough for that (data, size and block map; the mtime is
 * not needed).  Writeback of all files is started first, so their blocks
 * go to the device together and the first fdatasync's journal commit
 * usually covers the rest.  syncfs() would cost less again, but it also
 * flushes whatever else is dirty on that file system and cannot say which
 * file failed; per file, a failed one is dropped alone (to come back with
 * the next carousel cycle).  The rename itself is made durable only under
 * fsync = always, by cache_publish, as before.
 */
static void
stage_sync(struct stage_batch *b)
{
	size_t i;

	if (b->p.fsync_mode < CONF_FSYNC_COMMIT)
		return;
	for (i = 0; i < b->n; i++)
		(void)sync_file_range(b->w[i].out_fd, 0, 0,
		    SYNC_FILE_RANGE_WRITE);
	for (i = 0; i < b->n; i++) {
		if (fdatasync(b->w[i].out_fd) < 0) {
			cache_fs_count_error(errno);
			log_warn_rl("stage: sync %s", b->w[i].path);
			b->w[i].res = OBJ_EIO;
		}
	}
}

/* Sync the sealed batch, then publish and report each in queue order. */
static void
stage_flush(struct stage_batch *b)
{
	struct stage_work *w;
	size_t i;

	stage_sync(b);
	for (i = 0; i < b->n; i++) {
		w = &b->w[i];
		if (w->res == OBJ_OK) {
			/* The staged input of a decoded one is closed. */
			close(w->out_fd);
			w->out_fd = -1;
			w->j->h->fd = -1;
			w->res = work_publish(w);
		}
		work_finish(w);
	}
	b->n = 0;
	b->ram = 0;
}

/* Verify and seal a list of jobs, publishing them in batches. */
void
stage_batch_run(struct stage_batch *b, struct stage_job *jobs)
{
	struct stage_job *j;
	struct stage_work *w;

	while ((j = jobs) != NULL) {
		jobs = j->next;
		j->next = NULL;
		w = &b->w[b->n];
		work_start(w, j, b);
		if (w->res != OBJ_OK) {
			work_finish(w);
			continue;
		}
		if (w->keep)
			b->ram += w->dlen;
		if (++b->n == STAGE_BATCH_MAX || b->ram >= STAGE_BATCH_RAM)
			stage_flush(b);
	}
	stage_flush(b);
}

struct stage_batch *
stage_batch_new(const struct stage_params *p)
{
	struct stage_batch *b = calloc(1, sizeof(*b));

	if (b != NULL) {
		b->p = *p;
		b->p.dir = NULL;
	}
	return b;
}

void
stage_batch_free(struct stage_batch *b)
{
	free(b);
}
