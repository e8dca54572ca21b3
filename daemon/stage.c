/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stage.c: the obj_sink the receiver writes into, the job queue and the
 * committer thread.  begin/write/read/abort run on the caller's thread
 * and touch only the handle and a file in <dir>/tmp (staged bodies start
 * at CACHE_FS_BODY_OFF, so an unencoded object is committed in place by
 * writing its header page); write gathers contiguous symbols into runs,
 * and read gives staged bytes back (FEC decoding).  commit() only
 * queues; the committer undoes the Content-Encoding with a bound on the
 * output, checks Content-Length, Content-MD5 and Content-Digest, writes
 * the header, syncs per policy and calls cache_publish().  Nothing
 * unverified is ever published.
 *
 * The committer takes up to STAGE_BATCH_MAX queued jobs at once and hands
 * them to stage_batch_run() (stage_batch.c), which makes the whole batch
 * durable together before it publishes any of it.
 *
 * Locking: stage_lock covers the job queue and the running/stopping flags;
 * counters are relaxed atomics.  No file is touched with the lock held.
 * The batch belongs to the committer thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "cache_fs.h"
#include "log.h"
#include "stage_int.h"

#define STAGE_QUEUE_DEFAULT	1024
#define STAGE_DECODED_DEFAULT	(UINT64_C(64) << 20)
#define STAGE_RUN		(64u << 10)	/* a write run per object */
#define STAGE_RUN_TOTAL		(1u << 20)	/* all runs together */

static struct {
	struct stage_params p;
	char		*tmpdir;
	stage_result_fn	cb;
	pthread_t	thread;
	struct stage_job *head, *tail;
	uint32_t	queued;
	int		running, stopping;
	struct stage_batch *batch;
} sg;
static pthread_mutex_t stage_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stage_cond = PTHREAD_COND_INITIALIZER;
static _Atomic int stage_open;		/* begin() may stage */
static _Atomic uint64_t stage_run_bytes;	/* run buffers allocated */
static _Atomic uint64_t stage_fileno;

static struct {
	_Atomic uint64_t begun, committed, bytes_written, queue_now;
	_Atomic uint64_t failed[OBJ_NRESULTS];
	_Atomic uint64_t aborted[OBJ_ABORT_NREASONS];
} sc;

#define COUNT(x, n)	\
	atomic_fetch_add_explicit(&(x), (n), memory_order_relaxed)

/* Create a new file in tmp/; *path gets its name (malloc'd).  fd or -1. */
int
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
		cache_fs_count_error(errno);
		log_warn_rl("stage: create in %s", sg.tmpdir);
		free(*path);
		*path = NULL;
	}
	return fd;
}

static void
handle_drop_run(struct stage_handle *h)
{
	if (h->run == NULL)
		return;
	free(h->run);
	h->run = NULL;
	h->run_len = 0;
	atomic_fetch_sub(&stage_run_bytes, STAGE_RUN);
}

/* Write the pending run out; 0 or -1. */
static int
handle_flush(struct stage_handle *h)
{
	size_t n = h->run_len;

	h->run_len = 0;
	if (n > 0 && cache_fs_pwrite_full(h->fd, h->run, n,
	    CACHE_FS_BODY_OFF + h->run_off) < 0) {
		log_warn_rl("stage: write %s", h->path);
		return -1;
	}
	return 0;
}

/* A run buffer for h, within STAGE_RUN_TOTAL; 1, or 0 to write through. */
static int
handle_get_run(struct stage_handle *h)
{
	if (h->run != NULL)
		return 1;
	if (atomic_fetch_add(&stage_run_bytes, STAGE_RUN) + STAGE_RUN >
	    STAGE_RUN_TOTAL || (h->run = malloc(STAGE_RUN)) == NULL) {
		atomic_fetch_sub(&stage_run_bytes, STAGE_RUN);
		return 0;
	}
	return 1;
}

static void
handle_free(struct stage_handle *h, int unlink_file)
{
	if (h == NULL)
		return;
	handle_drop_run(h);
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

/*
 * Symbols mostly arrive in order, one packet (about 1.4 KB) each: a write
 * each would cost a syscall and make the file system zero the rest of
 * every page it starts.  So a contiguous run of up to STAGE_RUN bytes is
 * gathered and written at once; a write elsewhere, commit or a full run
 * flushes it.  A failed flush fails the write that caused it (reasm then
 * aborts the object) or the commit.
 */
static int
stage_write(void *ctx, void *hv, uint64_t off, const void *buf, size_t len)
{
	struct stage_handle *h = hv;

	(void)ctx;
	if (h == NULL || off > h->len || len > h->len - off)
		return -1;
	if (h->run_len > 0 && off == h->run_off + h->run_len &&
	    len <= STAGE_RUN - h->run_len) {
		memcpy(h->run + h->run_len, buf, len);
		h->run_len += len;
	} else if (handle_flush(h) < 0) {
		return -1;
	} else if (len < STAGE_RUN && handle_get_run(h)) {
		memcpy(h->run, buf, len);
		h->run_off = off;
		h->run_len = len;
	} else if (cache_fs_pwrite_full(h->fd, buf, len,
	    CACHE_FS_BODY_OFF + off) < 0) {
		log_warn_rl("stage: write %s", h->path);
		return -1;
	}
	COUNT(sc.bytes_written, len);
	return 0;
}

/*
 * Read staged bytes back (FEC decoding needs the source symbols of a
 * block).  A pending run that overlaps the range is written out first,
 * so the file holds every byte written so far.
 */
static int
stage_read(void *ctx, void *hv, uint64_t off, void *buf, size_t len)
{
	struct stage_handle *h = hv;

	(void)ctx;
	if (h == NULL || off > h->len || len > h->len - off)
		return -1;
	if (h->run_len > 0 && off < h->run_off + h->run_len &&
	    h->run_off < off + len && handle_flush(h) < 0)
		return -1;
	if (len > 0 && cache_fs_pread_full(h->fd, buf, len,
	    CACHE_FS_BODY_OFF + off) < 0) {
		log_warn_rl("stage: read back %s", h->path);
		return -1;
	}
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
void
stage_job_report(struct stage_job *j, enum obj_result res)
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
	if (handle_flush(hv) < 0 || (j = calloc(1, sizeof(*j))) == NULL) {
		handle_free(hv, 1);
		COUNT(sc.failed[OBJ_EIO], 1);
		if (sg.cb != NULL)
			sg.cb(&m->key, OBJ_EIO);
		return;
	}
	j->h = hv;
	handle_drop_run(j->h);
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
		stage_job_report(j, OBJ_EIO);
	}
}

/* Detach up to STAGE_BATCH_MAX jobs from the queue (lock held). */
static struct stage_job *
do_stage_take(void)
{
	struct stage_job *first = sg.head, *last = first;
	uint32_t n = 1;

	while (n < STAGE_BATCH_MAX && last->next != NULL) {
		last = last->next;
		n++;
	}
	if ((sg.head = last->next) == NULL)
		sg.tail = NULL;
	last->next = NULL;
	sg.queued -= n;
	atomic_store(&sc.queue_now, sg.queued);
	return first;
}

static void *
stage_main(void *arg)
{
	struct stage_job *jobs;

	(void)arg;
	pthread_mutex_lock(&stage_lock);
	for (;;) {
		while (sg.head == NULL && !sg.stopping)
			pthread_cond_wait(&stage_cond, &stage_lock);
		if (sg.head == NULL)
			break;
		jobs = do_stage_take();
		pthread_mutex_unlock(&stage_lock);
		stage_batch_run(sg.batch, jobs);
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
	.read = stage_read,
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
	if ((sg.batch = stage_batch_new(&sg.p)) == NULL ||
	    pthread_create(&sg.thread, NULL, stage_main, NULL) != 0) {
		log_warnx("stage_start: cannot create the committer thread");
		stage_batch_free(sg.batch);
		sg.batch = NULL;
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
	stage_batch_free(sg.batch);
	sg.batch = NULL;
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
