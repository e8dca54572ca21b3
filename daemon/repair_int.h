/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repair_int.h: what the files of the repair module share and nobody else
 * may use.  repair_mp.c holds the pure parsers of repair answers (HTTP
 * header values and the multipart/byteranges body, fed in pieces as curl
 * delivers it, so no answer is ever held whole in memory).
 */
#ifndef NIPCACHE_REPAIR_INT_H
#define NIPCACHE_REPAIR_INT_H

#include <stddef.h>
#include <stdint.h>

#include "repair.h"

/*
 * "bytes FIRST-LAST/TOTAL" (TOTAL may be "*": *total = UINT64_MAX).
 * 0, or -1 if malformed or FIRST > LAST or LAST >= TOTAL.
 */
int	repair_content_range(const char *v, uint64_t *first, uint64_t *last,
	    uint64_t *total);
/*
 * The boundary of a "multipart/byteranges; boundary=..." Content-Type
 * (quoted or not, 1..70 characters per RFC 2046).  0, or -1 if the type
 * is not multipart/byteranges or has no valid boundary.
 */
int	repair_mp_boundary(const char *ctype, char *out, size_t len);
/*
 * The sha-256 value of a Content-Digest or Repr-Digest field (RFC 9530
 * "sha-256=:BASE64:", among other algorithms, any order).  1 found, 0 no
 * sha-256 member, -1 malformed.
 */
int	repair_digest_sha256(const char *v, uint8_t out[32]);
/* A Content-MD5 value (base64 of 16 bytes).  0, or -1. */
int	repair_content_md5(const char *v, uint8_t out[16]);

/* Called for each byte run of a part: its offset in the object and bytes. */
typedef int (*repair_mp_fn)(void *arg, uint64_t off, const uint8_t *p,
    size_t n);

#define REPAIR_MP_HDR_MAX	1024	/* part header block bound */

/* Streaming multipart/byteranges parser (one per answer, caller-owned). */
struct repair_mp {
	char		boundary[80];
	size_t		blen;
	int		state;		/* private */
	char		hdr[REPAIR_MP_HDR_MAX];
	size_t		hlen;
	uint64_t	off;		/* object offset of the next byte */
	uint64_t	left;		/* body bytes left in this part */
	uint64_t	total;		/* from the parts' Content-Range: 0
					   before the first part's header,
					   UINT64_MAX for "*" */
	uint32_t	parts;		/* parts completed */
	size_t		match;		/* boundary bytes matched (private) */
	char		err[96];	/* why it failed */
};

/* Start parsing an answer with this boundary.  0, or -1 if too long. */
int	repair_mp_init(struct repair_mp *m, const char *boundary);
/*
 * Feed the next n bytes of the body.  fn gets each part's bytes (a part
 * may come in several runs) at its Content-Range offset.  0, or -1 when
 * the body is malformed (m->err says why) or fn returned < 0.  Preamble
 * and epilogue are ignored; a part without a valid Content-Range, a part
 * body longer or shorter than its range, or a header block over
 * REPAIR_MP_HDR_MAX is malformed.
 */
int	repair_mp_feed(struct repair_mp *m, const uint8_t *p, size_t n,
	    repair_mp_fn fn, void *arg);
/* 0 if the closing boundary was seen (every part complete), else -1. */
int	repair_mp_finish(struct repair_mp *m);


/*
 * The engine: repair.c is the API, the job queue, the path table and the
 * verdicts; repair_run.c is the thread; repair_job.c builds jobs and
 * chooses their URLs; repair_http.c runs one transfer (request, answer,
 * bytes into the staged handle).
 */
#include <pthread.h>
#include <stdatomic.h>

#include <curl/curl.h>
#include <nettle/md5.h>
#include <nettle/sha2.h>

#define REPAIR_QUEUE_MAX	4096		/* jobs waiting or in flight */
#define REPAIR_RANGES_MAX	1024		/* missing ranges per job */
#define REPAIR_BUFFER_MAX	(UINT64_C(64) << 20) /* answer without length */

/* What the header block of the (last) response said. */
struct repair_answer {
	int		status;
	uint8_t		has_clen, has_crange, has_md5, has_cdig, has_rdig;
	uint8_t		bad;		/* a malformed digest field */
	uint64_t	clen;
	uint64_t	cr_first, cr_last, cr_total;
	char		ctype[128];	/* "" if absent or too long */
	char		cenc[32];
	char		etag[128];
	uint8_t		md5[16], cdig[32], rdig[32];
};

enum repair_mode {
	REPAIR_M_WAIT = 0,	/* header block not complete yet */
	REPAIR_M_RANGE,		/* 206, one part */
	REPAIR_M_MULTI,		/* 206 multipart/byteranges */
	REPAIR_M_WHOLE,		/* 200, streamed */
	REPAIR_M_BUFFER,	/* 200 without Content-Length, no handle yet */
	REPAIR_M_DISCARD,	/* an error status: the body is dropped */
};

/* One transfer, owned by the repair thread. */
struct repair_xfer {
	CURL		*easy;
	struct curl_slist *hdrs;
	struct repair_answer a;
	enum repair_mode mode;
	struct repair_mp mp;
	uint64_t	off;		/* object offset of the next byte */
	uint64_t	left;		/* bytes left in a single part */
	uint64_t	got;		/* body bytes received */
	uint64_t	max_bytes;	/* largest object accepted */
	uint8_t		*buf;		/* REPAIR_M_BUFFER */
	size_t		blen, bcap;
	int		hash;		/* digests of the body wanted */
	struct md5_ctx	md5;
	struct sha256_ctx sha;
};

/*
 * A job.  Queued jobs are linked by next under repair_lock; a running one
 * (taken by the thread) belongs to the thread, as does its handle h.
 */
struct repair_job {
	struct repair_job *next;
	uint64_t	due_ms;
	uint64_t	queued_ms;
	uint8_t		is_path;	/* repair_path(), not repair_object() */
	uint8_t		whole;		/* one GET without Range */
	uint8_t		refetch;	/* content-encoded: h is dropped */
	uint8_t		fresh;		/* h was begun from the answer */
	uint8_t		refresh;	/* repair_refresh(): fetched although
					   cached, committed at meta.seq */
	enum obj_repair_trigger why;
	const struct obj_sink *sink;
	void		*h;		/* the staged handle, or NULL */
	struct obj_meta	meta;		/* strings: the job's */
	char		*location, *content_type, *content_encoding;
	struct obj_range *miss;		/* sorted, disjoint, inside */
	uint64_t	*cov;		/* bytes covered from each start */
	size_t		nmiss;
	uint64_t	lost;
	char		*path;		/* the cache path */
	char		url[REPAIR_URL_MAX];
	struct repair_xfer *x;		/* while running */
	enum repair_outcome fail;	/* set when a callback gave up */
	char		err[128];	/* why it failed */
};

/* repair_job.c (called with repair_lock held: no I/O) */
/* A job for repair_object(); NULL if meta is unusable or out of memory. */
struct repair_job *repair_job_object(void *h, const struct obj_meta *meta,
	    const struct obj_range *missing, size_t n, uint64_t lost,
	    enum obj_repair_trigger why);
/*
 * A job for a cache path ("/P"), meta.location "http://dvb.gw/P"; its key
 * is family 0, TSI all ones (repair.c numbers the TOI).
 */
struct repair_job *repair_job_path(const char *path,
	    enum obj_repair_trigger why);
/*
 * Choose the URL of a job (see repair.h) and draw its back-off into
 * *backoff; whole_pct decides Range or whole GET.  0, or -1 if there is
 * nowhere to fetch it from.
 */
int	repair_job_url(struct repair_job *j, const struct repair_params *p,
	    const struct repair_policy *pol, size_t npol, uint64_t *rng,
	    uint64_t *backoff);
/* Free the job (not its handle: that is aborted or committed first). */
void	repair_job_free(struct repair_job *j);
/* Put the defaults of repair.h in place of the zeros. */
void	repair_params_norm(struct repair_params *p);
/* 1 if a Content-Encoding is a real one ("identity" is none). */
int	repair_encoded(const char *ce);

/* repair_http.c (repair thread only) */
/* Forget the ETags learnt (at start). */
void	repair_http_reset(void);
/* Make the easy handle of j (j->x); 0, or -1 (j->err says why). */
int	repair_http_start(struct repair_job *j,
	    const struct repair_params *p);
/*
 * The transfer ended with rc: check the answer, stage what is left and
 * make j->meta ready for commit.  REPAIR_OK, or why it failed (j->err).
 */
enum repair_outcome repair_http_done(struct repair_job *j, CURLcode rc);
/* Free j->x (its easy handle must be out of the multi handle). */
void	repair_http_end(struct repair_job *j);

/*
 * The state of repair.c and repair_run.c.
 *
 * Locking: repair_lock covers the queue, the counts, the path table, the
 * verdict list, the parameters, the policies and the generator.  Jobs in
 * flight, their handles and the ETag table belong to the thread.  No
 * curl transfer, sink call, hook or log line runs with the lock held;
 * curl_multi_wakeup() does (a non-blocking write to a socket pair), so
 * that the multi handle cannot go away under it.  Counters are relaxed
 * atomics.  do_repair_* functions need the lock held.
 */
#define REPAIR_POLL_MS		1000	/* longest sleep; prune interval */

struct repair_pathent;
struct repair_await;

struct repair_ctx {
	struct repair_params p;
	struct repair_hooks hk;
	struct repair_policy *pol;
	size_t		npol;
	uint64_t	rng;
	struct repair_job *queue;	/* by due time */
	size_t		nqueued;
	size_t		nactive;	/* taken by the thread */
	struct repair_job *active;	/* the thread's */
	struct repair_pathent *paths;
	struct repair_await *await;
	size_t		nawait;
	uint64_t	next_toi;
	uint64_t	pruned_ms;
	int		running, stopping;
	pthread_t	thread;
	CURLM		*multi;
};

struct repair_counters {
	_Atomic uint64_t jobs[OBJ_REPAIR_NTRIGGERS];
	_Atomic uint64_t done[OBJ_REPAIR_NTRIGGERS][REPAIR_NOUTCOMES];
	_Atomic uint64_t requests, range_requests, body_bytes, lost_bytes;
	_Atomic uint64_t deferred;
};

extern struct repair_ctx repair_rs;
extern pthread_mutex_t repair_lock;
extern struct repair_counters repair_rc;

#define REPAIR_COUNT(x, n)	\
	atomic_fetch_add_explicit(&(x), (n), memory_order_relaxed)

/* repair.c */
/* Count answer body bytes (every byte curl delivers). */
void	repair_count_body(size_t n);
/* Count a job that ended with outcome o. */
void	repair_count_done(enum obj_repair_trigger why, enum repair_outcome o);
/* How many jobs path has (queued, running, committed). */
uint32_t do_repair_path_refs(const char *path);
/*
 * A job for path ended; failed: remember that for failed_ttl_ms (unless
 * the table is full of such memories: they are only a courtesy).
 */
void	do_repair_path_release(const char *path, int failed, uint64_t now);
/* Insert j in the queue by its due time. */
void	do_repair_queue_insert(struct repair_job *j);
/* Drop failure memories and verdicts that will not come. */
void	do_repair_prune(uint64_t now);
/*
 * Remember a commit until its verdict; the job's path ref moves there.
 * Takes the lock: j leaves the active count.
 */
void	repair_await_add(struct repair_job *j);
/* At stop, after the thread and the drain: free the tables (lock held). */
void	repair_free_tables(void);

#endif
