/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repair_http.c: one repair transfer, on the repair thread.  The request
 * is a GET, with "Range: bytes=a-b,c-d" (and If-Range when a strong ETag
 * of the URL is known) when only some ranges of a staged object are
 * missing.  The answer is streamed into the staged handle as curl
 * delivers it, never held whole: a 206 single part at its Content-Range,
 * a 206 multipart/byteranges through the parser of repair_mp.c, a 200
 * (a server may ignore Range) byte for byte, writing only what is
 * missing.  An object fetched whole with nothing staged is begun from
 * the answer's Content-Length, or, without one, buffered up to a bound.
 * At the end every missing range must have been covered and the
 * answer's own Content-MD5 / Content-Digest / Repr-Digest must match
 * the body; repair.c then commits.
 *
 * Everything here runs on the repair thread; the ETag table is its own.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../carousel/ranges.h"
#include "log.h"
#include "repair_int.h"
#include "util.h"

#ifndef NIPCACHE_VERSION
#define NIPCACHE_VERSION	"0"
#endif

#define HTTP_VALUE_MAX		1024		/* header value */
#define HTTP_ERRBODY_MAX	(64u << 10)	/* error body drained */
#define HTTP_RANGE_MAX		8192		/* Range, else whole */
#define HTTP_ETAGS		64

/* Strong ETags of answers, by URL, for If-Range (round robin). */
static struct {
	char	url[REPAIR_URL_MAX];
	char	etag[128];
} etags[HTTP_ETAGS];
static size_t etag_next;

void
repair_http_reset(void)
{
	memset(etags, 0, sizeof(etags));
	etag_next = 0;
}

static const char *
etag_find(const char *url)
{
	size_t i;

	for (i = 0; i < HTTP_ETAGS; i++) {
		if (etags[i].url[0] != '\0' && strcmp(etags[i].url, url) == 0)
			return etags[i].etag;
	}
	return NULL;
}

/* Remember a strong ETag; a weak or missing one forgets the URL's. */
static void
etag_learn(const char *url, const char *etag)
{
	size_t i, n = strlen(etag);
	int strong = n >= 2 && etag[0] == '"' && etag[n - 1] == '"';

	for (i = 0; i < HTTP_ETAGS; i++) {
		if (strcmp(etags[i].url, url) != 0)
			continue;
		if (strong)
			util_strlcpy(etags[i].etag, etag,
			    sizeof(etags[i].etag));
		else
			etags[i].url[0] = '\0';
		return;
	}
	if (!strong || strlen(url) >= sizeof(etags[0].url))
		return;
	i = etag_next++ % HTTP_ETAGS;
	util_strlcpy(etags[i].url, url, sizeof(etags[i].url));
	util_strlcpy(etags[i].etag, etag, sizeof(etags[i].etag));
}

/* Record the first reason the job failed; always -1. */
static int
job_err(struct repair_job *j, enum repair_outcome o, const char *why)
{
	if (j->fail == REPAIR_OK) {
		j->fail = o;
		util_strlcpy(j->err, why, sizeof(j->err));
	}
	return -1;
}

static int
http_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return *s == '\0' ? 0 : -1;
}

/* dst gets v if it fits, else "" (a value cut short means nothing). */
static void
copy_fit(char *dst, size_t n, const char *v, int cut)
{
	if (cut || strlen(v) >= n)
		dst[0] = '\0';
	else
		util_strlcpy(dst, v, n);
}

/* A Content-Digest or Repr-Digest field: its sha-256 member. */
static void
answer_digest(struct repair_answer *a, const char *v, int cut, uint8_t *out,
    uint8_t *has)
{
	int r = cut ? -1 : repair_digest_sha256(v, out);

	if (r < 0)
		a->bad = 1;
	*has = r == 1;
}

static void
answer_field(struct repair_answer *a, const char *name, const char *v,
    int cut)
{
	if (strcasecmp(name, "content-length") == 0) {
		a->has_clen = !cut && http_u64(v, &a->clen) == 0;
	} else if (strcasecmp(name, "content-range") == 0) {
		a->has_crange = !cut && repair_content_range(v, &a->cr_first,
		    &a->cr_last, &a->cr_total) == 0;
	} else if (strcasecmp(name, "content-type") == 0) {
		copy_fit(a->ctype, sizeof(a->ctype), v, cut);
	} else if (strcasecmp(name, "content-encoding") == 0) {
		copy_fit(a->cenc, sizeof(a->cenc), v, cut);
		if (a->cenc[0] == '\0' && v[0] != '\0')
			util_strlcpy(a->cenc, "?", sizeof(a->cenc));
	} else if (strcasecmp(name, "etag") == 0) {
		copy_fit(a->etag, sizeof(a->etag), v, cut);
	} else if (strcasecmp(name, "content-md5") == 0) {
		a->has_md5 = 1;
		if (cut || repair_content_md5(v, a->md5) < 0)
			a->bad = 1;
	} else if (strcasecmp(name, "content-digest") == 0) {
		answer_digest(a, v, cut, a->cdig, &a->has_cdig);
	} else if (strcasecmp(name, "repr-digest") == 0) {
		answer_digest(a, v, cut, a->rdig, &a->has_rdig);
	}
}

/* "HTTP/1.1 206 Partial Content": a new response, forget the last. */
static void
answer_status(struct repair_answer *a, const char *l, size_t n)
{
	const char *sp = memchr(l, ' ', n);
	size_t i = sp != NULL ? (size_t)(sp - l) + 1 : n;

	memset(a, 0, sizeof(*a));
	if (i + 3 > n || l[i] < '1' || l[i] > '9' || l[i + 1] < '0' ||
	    l[i + 1] > '9' || l[i + 2] < '0' || l[i + 2] > '9')
		return;
	a->status = (l[i] - '0') * 100 + (l[i + 1] - '0') * 10 +
	    (l[i + 2] - '0');
}

/*
 * One header line.  Fields after the body started (trailers) are
 * ignored: what the body was checked against is fixed by then.
 */
static size_t
http_header_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct repair_job *j = arg;
	struct repair_xfer *x = j->x;
	size_t len = size * nitems, total = len, nl, vl;
	char name[64], v[HTTP_VALUE_MAX];
	const char *colon, *val;

	while (len > 0 && (buf[len - 1] == '\r' || buf[len - 1] == '\n' ||
	    buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	if (x->mode != REPAIR_M_WAIT)
		return total;
	if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		answer_status(&x->a, buf, len);
		return total;
	}
	if ((colon = memchr(buf, ':', len)) == NULL ||
	    (nl = (size_t)(colon - buf)) == 0 || nl >= sizeof(name))
		return total;
	memcpy(name, buf, nl);
	name[nl] = '\0';
	for (val = colon + 1; val < buf + len && (*val == ' ' ||
	    *val == '\t'); val++)
		;
	vl = (size_t)(buf + len - val);
	if (vl >= sizeof(v))
		vl = sizeof(v) - 1;
	memcpy(v, val, vl);
	v[vl] = '\0';
	answer_field(&x->a, name, v, (size_t)(buf + len - val) >= sizeof(v));
	return total;
}

/* 1 if [off, off + n) lies inside one requested range. */
static int
range_inside(const struct repair_job *j, uint64_t off, uint64_t n)
{
	size_t i;

	for (i = 0; i < j->nmiss; i++) {
		if (off >= j->miss[i].off && n <= j->miss[i].len &&
		    off - j->miss[i].off <= j->miss[i].len - n)
			return 1;
	}
	return 0;
}

static int
stage_put(struct repair_job *j, uint64_t off, const uint8_t *p, size_t n)
{
	if (n > 0 && j->sink->write(j->sink->ctx, j->h, off, p, n) < 0)
		return job_err(j, REPAIR_EHTTP, "staging write failed");
	return 0;
}

/*
 * Stage n answer bytes at off: all of them into a handle begun from the
 * answer, else only what falls in the missing ranges (the handle has the
 * rest), advancing each range's covered prefix.
 */
static int
body_put(struct repair_job *j, uint64_t off, const uint8_t *p, size_t n)
{
	uint64_t len = j->meta.transfer_length, s, e, end;
	const struct obj_range *r;
	size_t i;

	if (off > len || n > len - off)
		return job_err(j, REPAIR_EVERIFY, "bytes beyond the object");
	if (j->fresh)
		return stage_put(j, off, p, n);
	for (i = 0; i < j->nmiss; i++) {
		r = &j->miss[i];
		s = off > r->off ? off : r->off;
		e = off + n < r->off + r->len ? off + n : r->off + r->len;
		if (s >= e)
			continue;
		if (stage_put(j, s, p + (s - off), (size_t)(e - s)) < 0)
			return -1;
		end = r->off + j->cov[i];
		if (s <= end && e > end)
			j->cov[i] = e - r->off;
	}
	return 0;
}

/* A run of a multipart part (repair_mp_fn). */
static int
mp_run(void *arg, uint64_t off, const uint8_t *p, size_t n)
{
	struct repair_job *j = arg;
	uint64_t total = j->x->mp.total;

	if (total != UINT64_MAX && total != j->meta.transfer_length)
		return job_err(j, REPAIR_EVERIFY,
		    "part total differs from the object");
	if (!range_inside(j, off, n))
		return job_err(j, REPAIR_EHTTP,
		    "part outside the ranges asked");
	return body_put(j, off, p, n);
}

/* Begin a handle for a whole answer of len bytes. */
static int
fresh_begin(struct repair_job *j, uint64_t len)
{
	if (len > j->x->max_bytes)
		return job_err(j, REPAIR_EHTTP, "object too large");
	j->h = j->sink->begin(j->sink->ctx, &j->meta.key, len);
	if (j->h == NULL)
		return job_err(j, REPAIR_EHTTP, "cannot stage the object");
	j->fresh = 1;
	j->meta.transfer_length = len;
	j->x->off = 0;
	j->x->mode = REPAIR_M_WHOLE;
	return 0;
}

/* 206 to a Range request: one part at its Content-Range, or multipart. */
static int
begin_partial(struct repair_job *j)
{
	struct repair_xfer *x = j->x;
	struct repair_answer *a = &x->a;
	char b[80];

	if (repair_encoded(a->cenc))
		return job_err(j, REPAIR_EHTTP, "partial answer is encoded");
	if (repair_mp_boundary(a->ctype, b, sizeof(b)) == 0) {
		if (repair_mp_init(&x->mp, b) < 0)
			return job_err(j, REPAIR_EHTTP, x->mp.err);
		x->mode = REPAIR_M_MULTI;
		return 0;
	}
	if (!a->has_crange)
		return job_err(j, REPAIR_EHTTP, "206 without a Content-Range");
	if (a->cr_total != UINT64_MAX && a->cr_total != j->meta.transfer_length)
		return job_err(j, REPAIR_EVERIFY,
		    "Content-Range total differs from the object");
	if (!range_inside(j, a->cr_first, a->cr_last - a->cr_first + 1))
		return job_err(j, REPAIR_EHTTP, "Content-Range not asked for");
	x->off = a->cr_first;
	x->left = a->cr_last - a->cr_first + 1;
	x->mode = REPAIR_M_RANGE;
	return 0;
}

/* 200: the whole object, into the staged handle or a new one. */
static int
begin_whole(struct repair_job *j)
{
	struct repair_xfer *x = j->x;
	struct repair_answer *a = &x->a;

	if (j->h != NULL) {
		if (repair_encoded(a->cenc))
			return job_err(j, REPAIR_EHTTP,
			    "encoded answer for a staged object");
		if (a->has_clen && a->clen != j->meta.transfer_length)
			return job_err(j, REPAIR_EVERIFY,
			    "length differs from the object");
		x->off = 0;
		x->mode = REPAIR_M_WHOLE;
		return 0;
	}
	if (a->has_clen)
		return fresh_begin(j, a->clen);
	x->mode = REPAIR_M_BUFFER;
	return 0;
}

/* The header block is complete: decide how the body is taken. */
static int
answer_begin(struct repair_job *j)
{
	struct repair_xfer *x = j->x;
	struct repair_answer *a = &x->a;

	if (a->bad)
		return job_err(j, REPAIR_EVERIFY, "malformed digest field");
	x->hash = a->has_md5 || a->has_cdig || (a->status == 200 &&
	    a->has_rdig);
	if (x->hash) {
		md5_init(&x->md5);
		sha256_init(&x->sha);
	}
	if (a->status == 206 && !j->whole)
		return begin_partial(j);
	if (a->status == 200)
		return begin_whole(j);
	x->mode = REPAIR_M_DISCARD;
	return 0;
}

/* A whole answer of unknown length, kept until its end (bounded). */
static int
body_buffer(struct repair_job *j, const uint8_t *p, size_t n)
{
	struct repair_xfer *x = j->x;
	uint64_t bound = x->max_bytes < REPAIR_BUFFER_MAX ? x->max_bytes :
	    REPAIR_BUFFER_MAX;
	size_t cap;
	uint8_t *b;

	if ((uint64_t)x->blen + n > bound)
		return job_err(j, REPAIR_EHTTP,
		    "answer without length too large");
	if (x->blen + n > x->bcap) {
		cap = x->bcap ? x->bcap : 64u << 10;
		while (cap < x->blen + n)
			cap *= 2;
		if ((b = realloc(x->buf, cap)) == NULL)
			return job_err(j, REPAIR_EHTTP, "out of memory");
		x->buf = b;
		x->bcap = cap;
	}
	memcpy(x->buf + x->blen, p, n);
	x->blen += n;
	return 0;
}

static int
body_take(struct repair_job *j, const uint8_t *p, size_t n)
{
	struct repair_xfer *x = j->x;

	if (x->hash) {
		md5_update(&x->md5, n, p);
		sha256_update(&x->sha, n, p);
	}
	x->got += n;
	switch (x->mode) {
	case REPAIR_M_MULTI:
		if (repair_mp_feed(&x->mp, p, n, mp_run, j) < 0)
			return job_err(j, REPAIR_EHTTP, x->mp.err);
		return 0;
	case REPAIR_M_BUFFER:
		return body_buffer(j, p, n);
	case REPAIR_M_DISCARD:
		return x->got > HTTP_ERRBODY_MAX ?
		    job_err(j, REPAIR_EHTTP, "error body too long") : 0;
	case REPAIR_M_RANGE:
		if (n > x->left)
			return job_err(j, REPAIR_EVERIFY,
			    "part longer than its Content-Range");
		x->left -= n;
		break;
	default:
		break;
	}
	if (body_put(j, x->off, p, n) < 0)
		return -1;
	x->off += n;
	return 0;
}

static size_t
http_body_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct repair_job *j = arg;
	size_t n = size * nmemb;

	repair_count_body(n);
	if (j->x->mode == REPAIR_M_WAIT && answer_begin(j) < 0)
		return 0;
	if (body_take(j, (const uint8_t *)p, n) < 0)
		return 0;
	return n;
}

/* The body is complete: close the parser, flush a buffer, check length. */
static int
done_body(struct repair_job *j)
{
	struct repair_xfer *x = j->x;
	char why[64];

	switch (x->mode) {
	case REPAIR_M_DISCARD:
		snprintf(why, sizeof(why), "HTTP status %d", x->a.status);
		return job_err(j, REPAIR_EHTTP, why);
	case REPAIR_M_MULTI:
		if (repair_mp_finish(&x->mp) < 0)
			return job_err(j, REPAIR_EHTTP, x->mp.err);
		return 0;
	case REPAIR_M_RANGE:
		if (x->left != 0)
			return job_err(j, REPAIR_EVERIFY,
			    "part shorter than its Content-Range");
		return 0;
	case REPAIR_M_BUFFER:
		if (fresh_begin(j, x->blen) < 0 ||
		    body_put(j, 0, x->buf, x->blen) < 0)
			return -1;
		x->off = x->blen;
		break;
	default:
		break;
	}
	if (x->off != j->meta.transfer_length)
		return job_err(j, REPAIR_EVERIFY,
		    "body length differs from the object");
	return 0;
}

/* Every missing range must have been filled from its start to its end. */
static int
done_covered(struct repair_job *j)
{
	size_t i;

	if (j->fresh)
		return 0;
	for (i = 0; i < j->nmiss; i++) {
		if (j->cov[i] != j->miss[i].len)
			return job_err(j, REPAIR_EVERIFY,
			    "a missing range was not covered");
	}
	return 0;
}

/* The answer's own digests, over the body bytes as received. */
static int
done_digests(struct repair_job *j)
{
	struct repair_xfer *x = j->x;
	struct repair_answer *a = &x->a;
	uint8_t md5[MD5_DIGEST_SIZE], sha[SHA256_DIGEST_SIZE];

	if (!x->hash)
		return 0;
	md5_digest(&x->md5, sizeof(md5), md5);
	sha256_digest(&x->sha, sizeof(sha), sha);
	if (a->has_md5 && memcmp(a->md5, md5, sizeof(md5)) != 0)
		return job_err(j, REPAIR_EVERIFY, "Content-MD5 mismatch");
	if (a->has_cdig && memcmp(a->cdig, sha, sizeof(sha)) != 0)
		return job_err(j, REPAIR_EVERIFY, "Content-Digest mismatch");
	if (a->status == 200 && a->has_rdig &&
	    memcmp(a->rdig, sha, sizeof(sha)) != 0)
		return job_err(j, REPAIR_EVERIFY, "Repr-Digest mismatch");
	return 0;
}

/* A usable Content-Type: "x/y", printable ASCII (the stage checks too). */
static int
type_usable(const char *t)
{
	size_t i;

	if (strchr(t, '/') == NULL)
		return 0;
	for (i = 0; t[i] != '\0'; i++) {
		if (t[i] < 0x20 || t[i] > 0x7e)
			return 0;
	}
	return 1;
}

static int
same_encoding(const char *a, const char *b)
{
	int ea = repair_encoded(a), eb = repair_encoded(b);

	/* Encoded implies non-NULL; the NULL tests are for the analyser. */
	if (!ea || !eb || a == NULL || b == NULL)
		return !ea && !eb;
	return strcasecmp(a, b) == 0;
}

/*
 * A handle begun from the answer holds the bytes in the answer's encoding
 * (identity unless the server chose one): the signalled sha-256 covered
 * the announced encoded form, so it stands only if the two agree.  The
 * MD5 stays: the committer takes it as of the transfer or of the body.
 */
static int
done_meta(struct repair_job *j)
{
	const char *ce = j->x->a.cenc, *ct = j->x->a.ctype;

	if (!j->fresh)
		return 0;
	if (!repair_encoded(ce))
		ce = NULL;
	if (!same_encoding(ce, j->meta.content_encoding))
		j->meta.has_sha256 = 0;
	free(j->content_encoding);
	j->content_encoding = ce != NULL ? strdup(ce) : NULL;
	j->meta.content_encoding = j->content_encoding;
	if (ce != NULL && j->content_encoding == NULL)
		return job_err(j, REPAIR_EHTTP, "out of memory");
	if (j->is_path && type_usable(ct)) {
		free(j->content_type);
		j->content_type = strdup(ct);
		j->meta.content_type = j->content_type;
	}
	return 0;
}

enum repair_outcome
repair_http_done(struct repair_job *j, CURLcode rc)
{
	struct repair_xfer *x = j->x;

	if (j->fail != REPAIR_OK)
		return j->fail;
	if (rc != CURLE_OK) {
		job_err(j, REPAIR_EHTTP, curl_easy_strerror(rc));
		return j->fail;
	}
	if (x->mode == REPAIR_M_WAIT && answer_begin(j) < 0)
		return j->fail;
	if (done_body(j) < 0 || done_covered(j) < 0 ||
	    done_digests(j) < 0 || done_meta(j) < 0)
		return j->fail;
	etag_learn(j->url, x->a.etag);
	return REPAIR_OK;
}

/* Range (and If-Range) for a partial fetch; too many ranges: whole GET. */
static int
http_headers(struct repair_job *j)
{
	char buf[HTTP_RANGE_MAX];
	const char *etag;
	struct curl_slist *l;

	if (j->whole)
		return 0;
	memcpy(buf, "Range: ", 7);
	if (ranges_header(j->miss, j->nmiss, buf + 7, sizeof(buf) - 7) < 0) {
		j->whole = 1;
		return 0;
	}
	if ((l = curl_slist_append(NULL, buf)) == NULL)
		return -1;
	j->x->hdrs = l;
	if ((etag = etag_find(j->url)) != NULL) {
		snprintf(buf, sizeof(buf), "If-Range: %s", etag);
		/* The list's head stays j->x->hdrs: only failure matters. */
		if (curl_slist_append(j->x->hdrs, buf) == NULL)
			return -1;
	}
	return 0;
}

/*
 * No redirects (repair goes only to hosts from the signalling or the
 * configuration), http and https only, TLS verification as curl's
 * defaults have it, no Accept-Encoding (identity bytes).
 */
static int
http_setopts(struct repair_job *j, const struct repair_params *p)
{
	CURL *e = j->x->easy;
	curl_off_t max = p->max_object_bytes > INT64_MAX ? INT64_MAX :
	    (curl_off_t)p->max_object_bytes;
	int bad = 0;

	bad |= curl_easy_setopt(e, CURLOPT_URL, j->url) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)p->connect_timeout_ms) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
	    (long)p->timeout_ms) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, max) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_USERAGENT,
	    "nipcached/" NIPCACHE_VERSION) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, j->x->hdrs) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, http_header_cb) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HEADERDATA, j) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_body_cb) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, j) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_PRIVATE, j) != CURLE_OK;
	return bad ? -1 : 0;
}

int
repair_http_start(struct repair_job *j, const struct repair_params *p)
{
	struct repair_xfer *x;

	if ((x = j->x = calloc(1, sizeof(*x))) == NULL)
		return job_err(j, REPAIR_EHTTP, "out of memory");
	x->max_bytes = p->max_object_bytes;
	if (j->refetch && j->h != NULL) {
		/* Ranges of the encoded form cannot be asked for. */
		j->sink->abort(j->sink->ctx, j->h, OBJ_ABORT_INCOMPLETE);
		j->h = NULL;
	}
	if (http_headers(j) < 0 || (x->easy = curl_easy_init()) == NULL ||
	    http_setopts(j, p) < 0)
		return job_err(j, REPAIR_EHTTP, "cannot set up the request");
	if (j->whole)
		log_debug("repair: GET %s", j->url);
	else
		log_debug("repair: GET %s (%zu ranges)", j->url, j->nmiss);
	return 0;
}

void
repair_http_end(struct repair_job *j)
{
	struct repair_xfer *x = j->x;

	if (x == NULL)
		return;
	if (x->easy != NULL)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->hdrs);
	free(x->buf);
	free(x);
	j->x = NULL;
}
