/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reasm.c: FLUTE session and object reassembly (protocols.md 0 to 3, 8).
 *
 * State, all owned by the rx thread:
 *   reasm -> sessions (channel + TSI, uthash)
 *     session -> declarations (TOI -> what the FDT said, uthash), each with
 *                at most one object in flight (source symbol bitmap);
 *             -> done markers (TOI of a committed object, uthash);
 *             -> FDT instances being reassembled (instance ID, uthash);
 *             -> packets waiting for their FDT, grouped by TOI (uthash),
 *                also linked on one reasm-wide list, oldest first, which
 *                the prefdt_ms and prefdt_max_bytes bounds walk.
 *
 * Choices worth knowing:
 * - An object is only received once an FDT has declared it, because the
 *   commit needs its Content-Location.  Earlier packets are buffered.
 * - Transfer length: FDT Transfer-Length, else EXT_FTI, else EXT_TOL, else
 *   FDT Content-Length (the decoded size, right only without encoding).
 *   E and B: EXT_FTI, else the FDT FEC-OTI attributes.  With E but no B
 *   (RFC 5445 requires B) the object is taken as one source block, B =
 *   ceil(L/E) capped at 2^16 (the ESI space); a sender that really used
 *   smaller blocks then shows up as bad_symbols and an incomplete object,
 *   never as wrong bytes.
 * - Completion is "every source block complete", never a byte count.
 * - FDT instances that are already applied are skipped cheaply for a
 *   while (reparse_ms) and parsed again afterwards, which refreshes the
 *   declarations they hold.  Of two instances that disagree about a TOI
 *   the newer (20-bit serial arithmetic) wins, unless the newer one has
 *   not been seen for object_timeout_ms: then the sender restarted its
 *   counter.  A new location (or other content) for a TOI gets a new seq;
 *   repeating the same declaration keeps it.
 * - With FullFDT, a TOI the newest instance leaves out is forgotten once
 *   it has had no packet for reparse_ms.
 * - A declaration ages out once no packet of its object and no FDT naming
 *   it arrived for object_timeout_ms and its FDT's Expires (if still in
 *   the future on arrival, capped at session_timeout_ms) has passed.  An
 *   FDT that was already expired on arrival is still honoured: the clock
 *   of a box, or of a replayed capture, cannot be trusted.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define ZLIB_CONST
#include <zlib.h>

#define HASH_NONFATAL_OOM 1
#include <uthash.h>
#include <utlist.h>

#include "../daemon/log.h"
#include "../daemon/util.h"
#include "fdt.h"
#include "fec.h"
#include "reasm.h"

#define REASM_MAX_SYMBOLS	(1u << 24)	/* 2 MiB of bitmap per object */
#define REASM_FEI0_SPACE	65536u		/* 16-bit SBN and ESI */
#define REASM_MAX_DECLS		65536u		/* declarations per session */
#define REASM_MAX_FDTASM	8u		/* FDT instances in reassembly */
#define REASM_MAX_APPLIED	4096u		/* applied FDT IDs remembered */
#define REASM_CLOSE_GRACE_MS	2000u		/* after Close Session */
#define FDT_ID_MASK		0xFFFFFu	/* 20-bit instance IDs */

struct sess_key {
	uint8_t		family;
	uint8_t		src[16];
	uint8_t		dst[16];
	uint16_t	port;
	struct alc_id	tsi;
};

/* One packet reduced to what reassembly needs (EXT_FTI decoded). */
struct pinfo {
	uint32_t	sbn;
	uint32_t	esi;
	const uint8_t	*payload;
	size_t		len;
	uint8_t		has_fti;
	uint8_t		has_tol;
	uint8_t		close_object;
	uint32_t	fti_e;
	uint32_t	fti_b;
	uint64_t	fti_l;
	uint64_t	tol;
};

/* Source symbols received so far, laid out per RFC 5052 9.1. */
struct symtrack {
	struct fec_part	part;
	uint8_t		*bits;		/* one bit per source symbol */
	uint32_t	*got;		/* symbols received per block */
	uint32_t	blocks_left;
};

enum decl_state {
	DECL_NEW = 0,			/* no symbol seen yet */
	DECL_STARTED,			/* an object was opened */
	DECL_DONE,			/* committed */
};

struct obj;

/* What the FDT said about one TOI. */
struct decl {
	UT_hash_handle	hh;
	struct alc_id	toi;
	uint32_t	inst;		/* FDT instance that declared it */
	uint32_t	gen;		/* session FDT generation listing it */
	uint64_t	seq;
	char		*location;
	char		*ctype;
	char		*cenc;
	int64_t		content_length;
	int64_t		transfer_length;
	uint32_t	e;		/* FDT symbol length, 0 if absent */
	uint32_t	b;		/* FDT max source block length, 0 */
	uint8_t		has_md5;
	uint8_t		md5[16];
	uint8_t		has_sha256;
	uint8_t		sha256[32];
	uint8_t		state;		/* enum decl_state */
	uint8_t		unlisted;	/* left out of a FullFDT instance */
	uint8_t		refused;	/* permanently refused by a bound */
	uint8_t		limited;	/* a transient bound was counted */
	uint8_t		close_seen;	/* Close Object flag seen */
	uint64_t	touch_ms;	/* last packet or declaration */
	uint64_t	inst_ms;	/* last time inst (re)declared it */
	uint64_t	keep_ms;	/* FDT Expires, monotonic, 0 if past */
	struct obj	*obj;
};

/* An object being received. */
struct obj {
	struct obj	*prev, *next;
	struct decl	*decl;
	void		*h;		/* sink handle */
	struct symtrack	trk;
	uint64_t	last_ms;
	uint8_t		close_seen;
};

struct done {
	UT_hash_handle	hh;
	struct alc_id	toi;
	uint64_t	last_ms;
};

struct fdtasm {
	UT_hash_handle	hh;
	uint32_t	id;
	uint8_t		has_cenc;
	uint8_t		cenc;
	struct symtrack	trk;
	uint8_t		*buf;
	uint64_t	last_ms;
};

struct sess;

/* Packets of one TOI waiting for their FDT. */
struct pgroup {
	UT_hash_handle	hh;
	struct alc_id	toi;
	struct sess	*s;
	struct ppkt	*pkts;
	struct ppkt	*hint;		/* first one with EXT_FTI or EXT_TOL */
};

struct ppkt {
	struct ppkt	*prev, *next;	/* in the group */
	struct ppkt	*aprev, *anext;	/* reasm-wide, oldest first */
	struct pgroup	*g;
	uint64_t	at_ms;
	size_t		cost;
	struct pinfo	pi;		/* payload points at data */
	uint8_t		data[];
};

/* An FDT instance applied (or rejected) recently. */
struct applied {
	UT_hash_handle	hh;
	uint32_t	id;
	uint64_t	at_ms;
};

struct sess {
	UT_hash_handle	hh;
	struct sess_key	key;
	uint64_t	last_ms;
	uint8_t		closing;	/* Close Session flag seen */
	uint8_t		complete;	/* newest FDT said Complete */
	uint8_t		full_fdt;	/* newest FDT said FullFDT */
	uint8_t		have_newest;
	uint32_t	newest;		/* newest FDT instance applied */
	uint32_t	gen;
	struct decl	*decls;
	uint32_t	ndecls;
	struct obj	*objs;
	uint32_t	nobjs;
	struct done	*done;
	struct fdtasm	*fdts;
	uint32_t	nfdts;
	struct pgroup	*pend;
	struct applied	*applied;
	uint32_t	napplied;
};

struct reasm {
	struct reasm_params	p;
	const struct obj_sink	*sink;
	struct reasm_stats	st;
	struct sess		*sessions;
	struct ppkt		*aged;
	uint64_t		seq;
};

typedef int (*put_fn)(struct reasm *r, void *ctx, uint64_t off,
    const uint8_t *p, size_t n);

void
reasm_params_default(struct reasm_params *p)
{
	memset(p, 0, sizeof(*p));
	p->max_sessions = 1024;
	p->max_objects_per_session = 4096;
	p->max_object_bytes = 4ULL << 30;
	p->max_inflight_bytes = 8ULL << 30;
	p->prefdt_max_bytes = 16ULL << 20;
	p->prefdt_ms = 30000;
	p->object_timeout_ms = 30000;
	p->session_timeout_ms = 300000;
	p->done_ms = 300000;
}

static uint64_t
age(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

/* How long an applied FDT instance is skipped before it is parsed again. */
static uint64_t
reparse_ms(const struct reasm *r)
{
	uint64_t t = r->p.object_timeout_ms;

	if (r->p.done_ms < t)
		t = r->p.done_ms;
	return t / 4;
}

/* 1 if 20-bit FDT instance ID a is newer than b (serial arithmetic). */
static int
fdt_id_newer(uint32_t a, uint32_t b)
{
	uint32_t d = (a - b) & FDT_ID_MASK;

	return d != 0 && d < (FDT_ID_MASK + 1) / 2;
}

static int
id_is_zero(const struct alc_id *id)
{
	return id->hi == 0 && id->lo == 0;
}

/* ---- Source symbol tracking (objects and FDT instances alike). ---- */

/* 0, or -1 when the geometry is invalid or beyond our bounds. */
static int
trk_init(struct symtrack *t, uint64_t len, uint32_t e, uint32_t b)
{
	memset(t, 0, sizeof(*t));
	if (fec_partition(len, e, b, &t->part) < 0 ||
	    t->part.t > REASM_MAX_SYMBOLS || t->part.n > REASM_FEI0_SPACE ||
	    t->part.a_large > REASM_FEI0_SPACE)
		return -1;
	t->bits = calloc(t->part.t / 8 + 1, 1);
	t->got = calloc((size_t)t->part.n + 1, sizeof(*t->got));
	if (t->bits == NULL || t->got == NULL) {
		free(t->bits);
		free(t->got);
		t->bits = NULL;
		t->got = NULL;
		return -1;
	}
	t->blocks_left = t->part.n;
	return 0;
}

static void
trk_free(struct symtrack *t)
{
	free(t->bits);
	free(t->got);
	t->bits = NULL;
	t->got = NULL;
}

/*
 * Number of whole symbols in a payload of len bytes that starts at (sbn,
 * esi), or -1 unless it splits exactly into symbols of that block (all E
 * bytes, the last symbol of the object possibly shorter).
 */
static long
trk_count(const struct symtrack *t, uint32_t sbn, uint32_t esi, size_t len)
{
	uint32_t blen = fec_block_len(&t->part, sbn);
	size_t off = 0;
	long k = 0;

	if (len == 0 || esi >= blen)
		return -1;
	while (off < len) {
		uint32_t sz;

		if ((uint64_t)esi + (uint64_t)k >= blen)
			return -1;
		sz = fec_symbol_size(&t->part, sbn, esi + (uint32_t)k);
		if (sz == 0 || len - off < sz)
			return -1;
		off += sz;
		k++;
	}
	return k;
}

/*
 * Record k validated symbols from (sbn, esi).  Each run of new symbols is
 * contiguous in the object and goes to put() in one call; duplicates are
 * counted and not rewritten.  Returns 0, or -1 if put() failed.
 */
static int
trk_add(struct reasm *r, struct symtrack *t, const struct pinfo *pi,
    long k, put_fn put, void *ctx)
{
	uint64_t idx = fec_symbol_index(&t->part, pi->sbn, pi->esi);
	uint64_t off0 = idx * t->part.e;
	uint32_t blen = fec_block_len(&t->part, pi->sbn);
	size_t pos = 0, run = 0, runlen = 0;
	long i;

	for (i = 0; i < k; i++, idx++) {
		uint32_t sz = fec_symbol_size(&t->part, pi->sbn,
		    pi->esi + (uint32_t)i);
		uint8_t bit = (uint8_t)(1u << (idx & 7));

		if (t->bits[idx >> 3] & bit) {
			r->st.duplicate_symbols++;
			if (runlen > 0 && put(r, ctx, off0 + run,
			    pi->payload + run, runlen) < 0)
				return -1;
			runlen = 0;
		} else {
			t->bits[idx >> 3] |= bit;
			if (++t->got[pi->sbn] == blen)
				t->blocks_left--;
			if (runlen == 0)
				run = pos;
			runlen += sz;
		}
		pos += sz;
	}
	if (runlen > 0 && put(r, ctx, off0 + run, pi->payload + run,
	    runlen) < 0)
		return -1;
	return 0;
}

/* ---- Sessions. ---- */

static void
sess_key_make(struct sess_key *k, uint8_t family, const uint8_t *src,
    const uint8_t *dst, uint16_t port, struct alc_id tsi)
{
	size_t al = family == AF_INET ? 4 : 16;

	memset(k, 0, sizeof(*k));
	k->family = family;
	memcpy(k->src, src, al);
	memcpy(k->dst, dst, al);
	k->port = port;
	k->tsi = tsi;
}

static void
obj_key_make(struct obj_key *k, const struct sess *s, struct alc_id toi)
{
	memset(k, 0, sizeof(*k));
	k->family = s->key.family;
	memcpy(k->src, s->key.src, sizeof(k->src));
	memcpy(k->dst, s->key.dst, sizeof(k->dst));
	k->port = s->key.port;
	k->tsi = s->key.tsi;
	k->toi = toi;
}

static struct sess *
sess_get(struct reasm *r, const struct reasm_chan *c, struct alc_id tsi,
    uint64_t now)
{
	struct sess_key k;
	struct sess *s;

	sess_key_make(&k, c->family, c->src, c->dst, c->port, tsi);
	HASH_FIND(hh, r->sessions, &k, sizeof(k), s);
	if (s != NULL)
		return s;
	if (r->st.sessions_now >= r->p.max_sessions) {
		r->st.objects_dropped_limit++;
		log_warnx_rl("reasm: session limit (%u) reached, TSI %llu "
		    "refused", r->p.max_sessions, (unsigned long long)tsi.lo);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->key = k;
	s->last_ms = now;
	HASH_ADD(hh, r->sessions, key, sizeof(s->key), s);
	if (s->hh.tbl == NULL) {
		free(s);
		return NULL;
	}
	r->st.sessions_now++;
	return s;
}

/* ---- Done markers. ---- */

static struct done *
done_find(struct sess *s, const struct alc_id *toi)
{
	struct done *d;

	HASH_FIND(hh, s->done, toi, sizeof(*toi), d);
	return d;
}

static void
done_add(struct sess *s, struct alc_id toi, uint64_t now)
{
	struct done *d = done_find(s, &toi);

	if (d == NULL) {
		if ((d = calloc(1, sizeof(*d))) == NULL)
			return;	/* The next cycle is simply received again. */
		d->toi = toi;
		HASH_ADD(hh, s->done, toi, sizeof(d->toi), d);
		if (d->hh.tbl == NULL) {
			free(d);
			return;
		}
	}
	d->last_ms = now;
}

static void
done_del(struct sess *s, struct done *d)
{
	HASH_DEL(s->done, d);
	free(d);
}

/* ---- Objects. ---- */

static void
obj_free(struct reasm *r, struct sess *s, struct obj *o)
{
	DL_DELETE(s->objs, o);
	s->nobjs--;
	r->st.objects_now--;
	r->st.inflight_bytes_now -= o->trk.part.len;
	o->decl->obj = NULL;
	trk_free(&o->trk);
	free(o);
}

static void
obj_abort(struct reasm *r, struct sess *s, struct obj *o,
    enum obj_abort_reason why)
{
	r->sink->abort(r->sink->ctx, o->h, why);
	obj_free(r, s, o);
}

/* Hand a complete object (h from begin()) to the sink with its metadata. */
static void
obj_commit(struct reasm *r, struct sess *s, struct decl *dc, void *h,
    uint64_t len, uint64_t now)
{
	struct obj_meta m;

	memset(&m, 0, sizeof(m));
	obj_key_make(&m.key, s, dc->toi);
	m.location = dc->location;
	m.transfer_length = len;
	m.content_length = dc->content_length;
	m.content_type = dc->ctype;
	m.content_encoding = dc->cenc;
	m.has_md5 = dc->has_md5;
	memcpy(m.md5, dc->md5, sizeof(m.md5));
	m.has_sha256 = dc->has_sha256;
	memcpy(m.sha256, dc->sha256, sizeof(m.sha256));
	m.seq = dc->seq;
	r->sink->commit(r->sink->ctx, h, &m);
	r->st.objects_completed++;
	dc->state = DECL_DONE;
	done_add(s, dc->toi, now);
}

static int
obj_put(struct reasm *r, void *ctx, uint64_t off, const uint8_t *p, size_t n)
{
	struct obj *o = ctx;

	if (r->sink->write(r->sink->ctx, o->h, off, p, n) < 0)
		return -1;
	r->st.bytes += n;
	return 0;
}

/*
 * Feed one packet's symbols.  Returns 1 when the object completed (it is
 * then committed and gone), 0, or -1 when the packet was dropped.
 */
static int
obj_feed(struct reasm *r, struct sess *s, struct obj *o,
    const struct pinfo *pi, uint64_t now)
{
	struct decl *dc = o->decl;
	long k = trk_count(&o->trk, pi->sbn, pi->esi, pi->len);

	if (k < 0) {
		r->st.bad_symbols++;
		log_warnx_rl("reasm: TOI %llu: symbol SBN %u ESI %u length "
		    "%zu does not fit the object", (unsigned long long)
		    dc->toi.lo, pi->sbn, pi->esi, pi->len);
		return -1;
	}
	if (pi->has_fti && (pi->fti_l != o->trk.part.len ||
	    pi->fti_e != o->trk.part.e))
		log_warnx_rl("reasm: TOI %llu: EXT_FTI disagrees with the "
		    "first one, kept the first", (unsigned long long)
		    dc->toi.lo);
	o->last_ms = now;
	if (pi->close_object)
		o->close_seen = 1;
	if (trk_add(r, &o->trk, pi, k, obj_put, o) < 0) {
		r->st.sink_errors++;
		obj_abort(r, s, o, OBJ_ABORT_LIMIT);
		return -1;
	}
	if (o->trk.blocks_left > 0)
		return 0;
	obj_commit(r, s, dc, o->h, o->trk.part.len, now);
	obj_free(r, s, o);
	return 1;
}

/* Transfer length, E and B of dc's object; -1 while still unknown. */
static int
obj_geometry(const struct decl *dc, const struct pinfo *hint, uint64_t *len,
    uint32_t *e, uint32_t *b)
{
	uint64_t t;

	if (dc->transfer_length >= 0)
		*len = (uint64_t)dc->transfer_length;
	else if (hint != NULL && hint->has_fti)
		*len = hint->fti_l;
	else if (hint != NULL && hint->has_tol)
		*len = hint->tol;
	else if (dc->content_length >= 0)
		*len = (uint64_t)dc->content_length;
	else
		return -1;
	*e = hint != NULL && hint->has_fti && hint->fti_e ? hint->fti_e : dc->e;
	*b = hint != NULL && hint->has_fti && hint->fti_b ? hint->fti_b : dc->b;
	if (*len == 0)
		return 0;
	if (*e == 0)
		return -1;
	if (*b == 0) {
		/* No B anywhere: assume a single block (see the top). */
		t = *len / *e + (*len % *e != 0);
		*b = t < REASM_FEI0_SPACE ? (uint32_t)t : REASM_FEI0_SPACE;
	}
	return 0;
}

/* Count a refusal once per declaration; permanent ones stick. */
static int
obj_refuse(struct reasm *r, struct decl *dc, int permanent, const char *why)
{
	if (permanent)
		dc->refused = 1;
	else if (dc->limited)
		return -1;
	else
		dc->limited = 1;
	r->st.objects_dropped_limit++;
	log_warnx_rl("reasm: TOI %llu (%s) refused: %s",
	    (unsigned long long)dc->toi.lo, dc->location, why);
	return -1;
}

/* Begin and commit an empty object at once. */
static int
obj_empty(struct reasm *r, struct sess *s, struct decl *dc, uint64_t now)
{
	struct obj_key k;
	void *h;

	obj_key_make(&k, s, dc->toi);
	if ((h = r->sink->begin(r->sink->ctx, &k, 0)) == NULL) {
		r->st.sink_errors++;
		return -1;
	}
	r->st.objects_started++;
	obj_commit(r, s, dc, h, 0, now);
	return 0;
}

/*
 * Open dc's object.  Returns 1 when dc->obj is open, 0 when it completed
 * at once (L = 0), -2 while its geometry is unknown, -1 when refused.
 */
static int
obj_start(struct reasm *r, struct sess *s, struct decl *dc,
    const struct pinfo *hint, uint64_t now)
{
	struct obj_key k;
	struct obj *o;
	uint64_t len;
	uint32_t e, b;

	if (obj_geometry(dc, hint, &len, &e, &b) < 0)
		return -2;
	if (len > r->p.max_object_bytes)
		return obj_refuse(r, dc, 1, "transfer length too large");
	if (len == 0)
		return obj_empty(r, s, dc, now);
	if (s->nobjs >= r->p.max_objects_per_session ||
	    r->st.inflight_bytes_now + len > r->p.max_inflight_bytes)
		return obj_refuse(r, dc, 0, "too many objects in flight");
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return -1;
	if (trk_init(&o->trk, len, e, b) < 0) {
		free(o);
		return obj_refuse(r, dc, 1, "block partitioning out of bounds");
	}
	obj_key_make(&k, s, dc->toi);
	if ((o->h = r->sink->begin(r->sink->ctx, &k, len)) == NULL) {
		r->st.sink_errors++;
		trk_free(&o->trk);
		free(o);
		return -1;
	}
	o->decl = dc;
	o->last_ms = now;
	o->close_seen = dc->close_seen;
	DL_APPEND(s->objs, o);
	s->nobjs++;
	r->st.objects_now++;
	r->st.objects_started++;
	r->st.inflight_bytes_now += len;
	dc->obj = o;
	dc->state = DECL_STARTED;
	dc->limited = 0;
	return 1;
}

/* ---- Packets before their FDT. ---- */

static struct pgroup *
pend_find(struct sess *s, const struct alc_id *toi)
{
	struct pgroup *g;

	HASH_FIND(hh, s->pend, toi, sizeof(*toi), g);
	return g;
}

static void
pend_drop(struct reasm *r, struct ppkt *pp)
{
	struct pgroup *g = pp->g;

	DL_DELETE2(g->pkts, pp, prev, next);
	DL_DELETE2(r->aged, pp, aprev, anext);
	if (g->hint == pp)
		g->hint = NULL;
	r->st.prefdt_bytes_now -= pp->cost;
	free(pp);
	if (g->pkts == NULL) {
		HASH_DEL(g->s->pend, g);
		free(g);
	}
}

/* Free every buffered packet of g (g goes too). */
static void
pend_discard(struct reasm *r, struct pgroup *g, int count)
{
	struct ppkt *pp;
	int last;

	do {
		pp = g->pkts;
		last = pp->next == NULL;
		if (count)
			r->st.prefdt_dropped++;
		pend_drop(r, pp);
	} while (!last);
}

static struct pgroup *
pend_group(struct sess *s, const struct alc_id *toi)
{
	struct pgroup *g = pend_find(s, toi);

	if (g != NULL)
		return g;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->toi = *toi;
	g->s = s;
	HASH_ADD(hh, s->pend, toi, sizeof(g->toi), g);
	if (g->hh.tbl == NULL) {
		free(g);
		return NULL;
	}
	return g;
}

/* Buffer a packet whose TOI no FDT has described yet.  0 or -1. */
static int
pend_add(struct reasm *r, struct sess *s, const struct alc_id *toi,
    const struct pinfo *pi, uint64_t now)
{
	size_t cost = sizeof(struct ppkt) + pi->len;
	struct pgroup *g;
	struct ppkt *pp;

	if (r->p.prefdt_ms == 0 || cost > r->p.prefdt_max_bytes)
		goto drop;
	while (r->aged != NULL &&
	    r->st.prefdt_bytes_now + cost > r->p.prefdt_max_bytes) {
		r->st.prefdt_dropped++;
		pend_drop(r, r->aged);
	}
	if ((g = pend_group(s, toi)) == NULL)
		goto drop;
	if ((pp = malloc(cost)) == NULL) {
		if (g->pkts == NULL) {
			HASH_DEL(s->pend, g);
			free(g);
		}
		goto drop;
	}
	pp->g = g;
	pp->at_ms = now;
	pp->cost = cost;
	pp->pi = *pi;
	memcpy(pp->data, pi->payload, pi->len);
	pp->pi.payload = pp->data;
	DL_APPEND2(g->pkts, pp, prev, next);
	DL_APPEND2(r->aged, pp, aprev, anext);
	if (g->hint == NULL && (pi->has_fti || pi->has_tol))
		g->hint = pp;
	r->st.prefdt_bytes_now += cost;
	return 0;
drop:
	r->st.prefdt_dropped++;
	return -1;
}

/* A buffered packet of this TOI that carries the geometry, or NULL. */
static const struct pinfo *
pend_hint(struct sess *s, const struct alc_id *toi)
{
	struct pgroup *g = pend_find(s, toi);

	return g != NULL && g->hint != NULL ? &g->hint->pi : NULL;
}

/* Feed the buffered packets of dc's TOI into its object, then free them. */
static void
pend_replay(struct reasm *r, struct sess *s, struct decl *dc, uint64_t now)
{
	struct pgroup *g = pend_find(s, &dc->toi);
	struct ppkt *pp;
	int last;

	if (g == NULL)
		return;
	do {
		pp = g->pkts;
		last = pp->next == NULL;
		if (dc->obj != NULL)
			(void)obj_feed(r, s, dc->obj, &pp->pi, now);
		pend_drop(r, pp);
	} while (!last);
}

/* Start dc's object if we can, and replay what was buffered for it. */
static int
obj_open(struct reasm *r, struct sess *s, struct decl *dc,
    const struct pinfo *pi, uint64_t now)
{
	const struct pinfo *hint = pi;
	struct pgroup *g;
	int rc;

	if (hint == NULL || (!hint->has_fti && !hint->has_tol)) {
		const struct pinfo *h2 = pend_hint(s, &dc->toi);

		if (h2 != NULL)
			hint = h2;
	}
	rc = obj_start(r, s, dc, hint, now);
	if (rc == -2)
		return rc;
	if (rc < 0) {
		if (dc->refused && (g = pend_find(s, &dc->toi)) != NULL)
			pend_discard(r, g, 0);
		return rc;
	}
	pend_replay(r, s, dc, now);
	return 0;
}

/* ---- Declarations. ---- */

static struct decl *
decl_find(struct sess *s, const struct alc_id *toi)
{
	struct decl *dc;

	HASH_FIND(hh, s->decls, toi, sizeof(*toi), dc);
	return dc;
}

static void
decl_strings_free(struct decl *dc)
{
	free(dc->location);
	free(dc->ctype);
	free(dc->cenc);
	dc->location = dc->ctype = dc->cenc = NULL;
}

/* Drop a declaration (no object in flight); counted if never received. */
static void
decl_drop(struct reasm *r, struct sess *s, struct decl *dc, int count)
{
	if (dc->obj != NULL)
		obj_abort(r, s, dc->obj, OBJ_ABORT_INCOMPLETE);
	else if (count && dc->state == DECL_NEW && !dc->refused)
		r->st.objects_incomplete++;
	HASH_DEL(s->decls, dc);
	s->ndecls--;
	decl_strings_free(dc);
	free(dc);
}

static int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static char *
str_dup(const char *a, int *err)
{
	char *d;

	if (a == NULL)
		return NULL;
	if ((d = strdup(a)) == NULL)
		*err = 1;
	return d;
}

static uint32_t
oti_u32(int64_t v, uint32_t max)
{
	return v > 0 && v <= (int64_t)max ? (uint32_t)v : 0;
}

/*
 * Copy what f says into dc.  With merge (the same content declared
 * again), lengths and OTI that f leaves out keep their known values.
 * Returns 0, or -1 on ENOMEM.
 */
static int
decl_fill(struct decl *dc, const struct fdt_file *f, int merge)
{
	uint32_t e = oti_u32(f->oti.symbol_len, 0xFFFF);
	uint32_t b = oti_u32(f->oti.max_sbl, UINT32_MAX);
	int err = 0;

	decl_strings_free(dc);
	dc->location = str_dup(f->location, &err);
	dc->ctype = str_dup(f->content_type, &err);
	dc->cenc = str_dup(f->content_encoding, &err);
	if (!merge || f->content_length >= 0)
		dc->content_length = f->content_length;
	if (!merge || f->transfer_length >= 0)
		dc->transfer_length = f->transfer_length;
	if (!merge || e != 0)
		dc->e = e;
	if (!merge || b != 0)
		dc->b = b;
	dc->has_md5 = f->has_md5;
	memcpy(dc->md5, f->md5, sizeof(dc->md5));
	dc->has_sha256 = f->has_sha256;
	memcpy(dc->sha256, f->sha256, sizeof(dc->sha256));
	return err || dc->location == NULL ? -1 : 0;
}

static int
len_differs(int64_t a, int64_t b)
{
	return a >= 0 && b >= 0 && a != b;
}

/*
 * 1 if f describes other content than dc (a new version of the TOI), or
 * a transfer length other than the one the object in flight uses.  OTI
 * details and Content-Type alone are updated in place.
 */
static int
decl_differs(const struct decl *dc, const struct fdt_file *f)
{
	return !str_eq(dc->location, f->location) ||
	    !str_eq(dc->cenc, f->content_encoding) ||
	    len_differs(dc->content_length, f->content_length) ||
	    len_differs(dc->transfer_length, f->transfer_length) ||
	    (dc->obj != NULL && len_differs((int64_t)dc->obj->trk.part.len,
	    f->transfer_length)) ||
	    dc->has_md5 != f->has_md5 || dc->has_sha256 != f->has_sha256 ||
	    memcmp(dc->md5, f->md5, sizeof(dc->md5)) != 0 ||
	    memcmp(dc->sha256, f->sha256, sizeof(dc->sha256)) != 0;
}

static struct decl *
decl_new(struct reasm *r, struct sess *s, const struct fdt_file *f)
{
	struct decl *dc;

	if (s->ndecls >= REASM_MAX_DECLS) {
		r->st.objects_dropped_limit++;
		log_warnx_rl("reasm: declaration limit reached, TOI %llu "
		    "ignored", (unsigned long long)f->toi.lo);
		return NULL;
	}
	if ((dc = calloc(1, sizeof(*dc))) == NULL)
		return NULL;
	dc->toi = f->toi;
	if (decl_fill(dc, f, 0) < 0)
		goto fail;
	HASH_ADD(hh, s->decls, toi, sizeof(dc->toi), dc);
	if (dc->hh.tbl == NULL)
		goto fail;
	s->ndecls++;
	dc->seq = ++r->seq;
	return dc;
fail:
	decl_strings_free(dc);
	free(dc);
	return NULL;
}

/*
 * A newer instance changed what the TOI carries: whatever was received or
 * committed under the old declaration no longer counts.  A new location
 * (or new content) is a new mapping and gets a new seq.
 */
static int
decl_replace(struct reasm *r, struct sess *s, struct decl *dc,
    const struct fdt_file *f)
{
	struct done *d = done_find(s, &dc->toi);

	if (dc->obj != NULL)
		obj_abort(r, s, dc->obj, OBJ_ABORT_SUPERSEDED);
	if (d != NULL)
		done_del(s, d);
	dc->state = DECL_NEW;
	dc->refused = 0;
	dc->limited = 0;
	dc->seq = ++r->seq;
	return decl_fill(dc, f, 0);
}

static int
decl_len_zero(const struct decl *dc)
{
	return dc->transfer_length == 0 ||
	    (dc->transfer_length < 0 && dc->content_length == 0);
}

/* Apply one File of FDT instance id. */
static void
decl_apply(struct reasm *r, struct sess *s, uint32_t id,
    const struct fdt_file *f, uint64_t keep, uint64_t now)
{
	struct decl *dc;
	struct done *d;

	if (id_is_zero(&f->toi) || f->location == NULL)
		return;
	if ((dc = decl_find(s, &f->toi)) == NULL) {
		if ((dc = decl_new(r, s, f)) == NULL)
			return;
	} else if (fdt_id_newer(dc->inst, id) &&
	    age(now, dc->inst_ms) < r->p.object_timeout_ms) {
		/*
		 * An older instance: the newer one keeps the TOI, as long as
		 * it is still being sent.  Otherwise the sender restarted its
		 * instance counter and the "older" one is the current truth.
		 */
		dc->touch_ms = now;
		dc->gen = s->gen;
		dc->unlisted = 0;
		return;
	} else if ((decl_differs(dc, f) ? decl_replace(r, s, dc, f) :
	    decl_fill(dc, f, 1)) < 0) {
		decl_drop(r, s, dc, 0);
		return;
	}
	dc->inst = id;
	dc->inst_ms = now;
	dc->gen = s->gen;
	dc->unlisted = 0;
	dc->touch_ms = now;
	dc->keep_ms = keep;
	if ((d = done_find(s, &dc->toi)) != NULL)
		d->last_ms = now;
	else if (dc->obj == NULL && !dc->refused && dc->state != DECL_DONE &&
	    (pend_find(s, &dc->toi) != NULL || decl_len_zero(dc)))
		(void)obj_open(r, s, dc, NULL, now);
}

/* ---- FDT instances. ---- */

/* Monotonic time until which an FDT's Expires keeps its declarations. */
static uint64_t
fdt_keep_ms(const struct reasm *r, uint32_t expires, uint64_t now,
    int64_t now_unix)
{
	int64_t ex;
	uint64_t d;

	if (now_unix <= 0)
		return 0;
	ex = util_ntp_to_unix(expires, now_unix);
	if (ex <= now_unix)
		return 0;
	d = (uint64_t)(ex - now_unix);
	if (d > r->p.session_timeout_ms / 1000)
		d = r->p.session_timeout_ms / 1000;
	return now + d * 1000;
}

static void
fdt_apply(struct reasm *r, struct sess *s, uint32_t id, const struct fdt *f,
    uint64_t now, int64_t now_unix)
{
	uint64_t keep = fdt_keep_ms(r, f->expires, now, now_unix);
	int newest = !s->have_newest || !fdt_id_newer(s->newest, id);
	struct decl *dc, *tmp;
	size_t i;

	if (newest) {
		s->have_newest = 1;
		s->newest = id;
		s->complete = f->complete;
		s->full_fdt = f->full_fdt;
	}
	s->gen++;
	for (i = 0; i < f->nfiles; i++)
		decl_apply(r, s, id, &f->files[i], keep, now);
	if (!newest || !f->full_fdt)
		return;
	HASH_ITER(hh, s->decls, dc, tmp)
		if (dc->gen != s->gen)
			dc->unlisted = 1;
}

static int
applied_recent(const struct reasm *r, struct sess *s, uint32_t id,
    uint64_t now)
{
	struct applied *a;

	HASH_FIND(hh, s->applied, &id, sizeof(id), a);
	return a != NULL && age(now, a->at_ms) < reparse_ms(r);
}

/* Remember id; when the table is full it is simply parsed again later. */
static void
applied_note(struct sess *s, uint32_t id, uint64_t now)
{
	struct applied *a;

	HASH_FIND(hh, s->applied, &id, sizeof(id), a);
	if (a == NULL) {
		if (s->napplied >= REASM_MAX_APPLIED ||
		    (a = calloc(1, sizeof(*a))) == NULL)
			return;
		a->id = id;
		HASH_ADD(hh, s->applied, id, sizeof(a->id), a);
		if (a->hh.tbl == NULL) {
			free(a);
			return;
		}
		s->napplied++;
	}
	a->at_ms = now;
}

static void
applied_del(struct sess *s, struct applied *a)
{
	HASH_DEL(s->applied, a);
	s->napplied--;
	free(a);
}

static void
fdtasm_free(struct reasm *r, struct sess *s, struct fdtasm *fa)
{
	HASH_DEL(s->fdts, fa);
	s->nfdts--;
	r->st.inflight_bytes_now -= fa->trk.part.len;
	trk_free(&fa->trk);
	free(fa->buf);
	free(fa);
}

/* A rejected instance is counted once and then skipped like an applied one. */
static void
fdt_reject(struct reasm *r, struct sess *s, uint32_t id, uint64_t now,
    const char *why)
{
	r->st.fdt_bad++;
	applied_note(s, id, now);
	log_warnx_rl("reasm: FDT instance %u rejected: %s", id, why);
}

/*
 * Undo EXT_CENC into a new buffer of at most FDT_MAX_XML bytes.
 * Returns 0, or -1 (bad stream, unknown encoding, too large, ENOMEM).
 */
static int
fdt_inflate(const uint8_t *in, size_t len, uint8_t cenc, uint8_t **out,
    size_t *outlen)
{
	int wbits = cenc == ALC_CENC_ZLIB ? 15 : cenc == ALC_CENC_DEFLATE ?
	    -15 : cenc == ALC_CENC_GZIP ? 31 : 0;
	size_t cap = 64 << 10;
	uint8_t *buf = NULL, *nb;
	z_stream zs;
	int rc = Z_OK;

	memset(&zs, 0, sizeof(zs));
	if (wbits == 0 || inflateInit2(&zs, wbits) != Z_OK)
		return -1;
	zs.next_in = in;
	zs.avail_in = (uInt)len;
	while (rc == Z_OK) {
		if (buf == NULL || zs.avail_out == 0) {
			if (buf != NULL && (cap *= 2) > FDT_MAX_XML + 1)
				cap = FDT_MAX_XML + 1;
			if (buf != NULL && zs.total_out >= cap)
				break;
			if ((nb = realloc(buf, cap)) == NULL)
				break;
			buf = nb;
			zs.next_out = buf + zs.total_out;
			zs.avail_out = (uInt)(cap - zs.total_out);
		}
		rc = inflate(&zs, Z_NO_FLUSH);
	}
	*outlen = zs.total_out;
	inflateEnd(&zs);
	if (rc != Z_STREAM_END || *outlen > FDT_MAX_XML) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

/* A complete instance: decode, parse, apply. */
static void
fdt_finish(struct reasm *r, struct sess *s, struct fdtasm *fa, uint64_t now,
    int64_t now_unix)
{
	uint8_t *xml = fa->buf, *dec = NULL;
	size_t len = fa->trk.part.len;
	uint32_t id = fa->id;
	struct fdt *f = NULL;
	int rc;

	if (fa->has_cenc && fa->cenc != ALC_CENC_NULL) {
		if (fdt_inflate(fa->buf, len, fa->cenc, &dec, &len) < 0) {
			fdtasm_free(r, s, fa);
			fdt_reject(r, s, id, now, "content encoding");
			return;
		}
		xml = dec;
	}
	rc = fdt_parse((const char *)xml, len, &f, NULL);
	free(dec);
	fdtasm_free(r, s, fa);
	if (rc < 0) {
		fdt_reject(r, s, id, now, fdt_strerror(rc));
		return;
	}
	r->st.fdt_instances++;
	applied_note(s, id, now);
	fdt_apply(r, s, id, f, now, now_unix);
	fdt_free(f);
}

static int
fdt_put(struct reasm *r, void *ctx, uint64_t off, const uint8_t *p, size_t n)
{
	struct fdtasm *fa = ctx;

	(void)r;
	memcpy(fa->buf + off, p, n);
	return 0;
}

/* Make room for one more instance in reassembly: drop the stalest. */
static void
fdtasm_evict(struct reasm *r, struct sess *s)
{
	struct fdtasm *fa, *tmp, *old = NULL;

	HASH_ITER(hh, s->fdts, fa, tmp)
		if (old == NULL || fa->last_ms < old->last_ms)
			old = fa;
	if (old != NULL)
		fdtasm_free(r, s, old);
}

static struct fdtasm *
fdtasm_new(struct reasm *r, struct sess *s, uint32_t id,
    const struct pinfo *pi, uint64_t now)
{
	struct fdtasm *fa;

	if (!pi->has_fti) {
		r->st.bad_symbols++;
		log_warnx_rl("reasm: FDT instance %u: packet without EXT_FTI",
		    id);
		return NULL;
	}
	if (pi->fti_l == 0 || pi->fti_l > FDT_MAX_XML) {
		fdt_reject(r, s, id, now, "transfer length out of bounds");
		return NULL;
	}
	if (r->st.inflight_bytes_now + pi->fti_l > r->p.max_inflight_bytes) {
		r->st.objects_dropped_limit++;
		return NULL;
	}
	if (s->nfdts >= REASM_MAX_FDTASM)
		fdtasm_evict(r, s);
	if ((fa = calloc(1, sizeof(*fa))) == NULL)
		return NULL;
	if (trk_init(&fa->trk, pi->fti_l, pi->fti_e, pi->fti_b) < 0) {
		free(fa);
		fdt_reject(r, s, id, now, "bad block partitioning");
		return NULL;
	}
	fa->id = id;
	if ((fa->buf = malloc(pi->fti_l)) == NULL)
		goto fail;
	HASH_ADD(hh, s->fdts, id, sizeof(fa->id), fa);
	if (fa->hh.tbl == NULL)
		goto fail;
	s->nfdts++;
	r->st.inflight_bytes_now += pi->fti_l;
	return fa;
fail:
	trk_free(&fa->trk);
	free(fa->buf);
	free(fa);
	return NULL;
}

/* A packet of TOI 0.  0 or -1. */
static int
fdt_input(struct reasm *r, struct sess *s, const struct alc_pkt *pkt,
    const struct pinfo *pi, uint64_t now, int64_t now_unix)
{
	struct fdtasm *fa;
	uint32_t id;
	long k;

	if (!pkt->has_fdt) {
		r->st.bad_symbols++;
		log_warnx_rl("reasm: TOI 0 packet without EXT_FDT");
		return -1;
	}
	id = pkt->fdt_instance & FDT_ID_MASK;
	if (applied_recent(r, s, id, now))
		return 0;
	HASH_FIND(hh, s->fdts, &id, sizeof(id), fa);
	if (fa == NULL && (fa = fdtasm_new(r, s, id, pi, now)) == NULL)
		return -1;
	if (pkt->has_cenc && !fa->has_cenc) {
		fa->has_cenc = 1;
		fa->cenc = pkt->cenc;
	}
	if ((k = trk_count(&fa->trk, pi->sbn, pi->esi, pi->len)) < 0) {
		r->st.bad_symbols++;
		log_warnx_rl("reasm: FDT instance %u: symbol SBN %u ESI %u "
		    "length %zu does not fit", id, pi->sbn, pi->esi, pi->len);
		return -1;
	}
	fa->last_ms = now;
	(void)trk_add(r, &fa->trk, pi, k, fdt_put, fa);
	if (fa->trk.blocks_left == 0)
		fdt_finish(r, s, fa, now, now_unix);
	return 0;
}

/* ---- Data packets. ---- */

static int
data_input(struct reasm *r, struct sess *s, const struct alc_id *toi,
    const struct pinfo *pi, uint64_t now)
{
	struct decl *dc = decl_find(s, toi);
	struct done *d = done_find(s, toi);
	int rc;

	if (dc != NULL) {
		dc->touch_ms = now;
		if (pi->close_object)
			dc->close_seen = 1;
	}
	if (d != NULL) {
		/* A later carousel cycle of a committed object. */
		d->last_ms = now;
		return 0;
	}
	if (dc == NULL)
		return pend_add(r, s, toi, pi, now);
	if (dc->refused)
		return -1;
	if (dc->obj == NULL) {
		rc = obj_open(r, s, dc, pi, now);
		if (rc == -2)
			return pend_add(r, s, toi, pi, now);
		if (rc < 0)
			return -1;
		if (dc->obj == NULL)
			return 0;	/* Completed by what was buffered. */
	}
	return obj_feed(r, s, dc->obj, pi, now) < 0 ? -1 : 0;
}

/*
 * A data-less packet (RFC 5775 4.1: no FEC Payload ID) only signals Close
 * Session or Close Object.  Close Object on an incomplete object is
 * recorded; unicast repair will start there.
 */
static int
signal_input(struct sess *s, const struct alc_pkt *pkt)
{
	struct decl *dc;

	if (pkt->close_object && (dc = decl_find(s, &pkt->toi)) != NULL) {
		dc->close_seen = 1;
		if (dc->obj != NULL)
			dc->obj->close_seen = 1;
	}
	return 0;
}

/* Fill pi from pkt; -1 if its EXT_FTI is malformed. */
static int
pinfo_make(struct pinfo *pi, const struct alc_pkt *pkt)
{
	struct fec_oti oti;

	memset(pi, 0, sizeof(*pi));
	pi->sbn = pkt->sbn;
	pi->esi = pkt->esi;
	pi->payload = pkt->payload;
	pi->len = pkt->payload_len;
	pi->close_object = pkt->close_object;
	pi->has_tol = pkt->has_tol;
	pi->tol = pkt->tol;
	if (!pkt->has_fti)
		return 0;
	if (fec_oti_parse(pkt->codepoint, pkt->fti, pkt->fti_len, &oti) < 0 ||
	    oti.symbol_len == 0 || oti.max_sbl == 0)
		return -1;
	pi->has_fti = 1;
	pi->fti_l = oti.transfer_len;
	pi->fti_e = oti.symbol_len;
	pi->fti_b = oti.max_sbl;
	return 0;
}

int
reasm_input(struct reasm *r, const struct reasm_chan *chan,
    const struct alc_pkt *pkt, uint64_t now_ms, int64_t now_unix)
{
	struct pinfo pi;
	struct sess *s;
	int rc;

	if (pkt->codepoint != ALC_FEI_NOCODE) {
		r->st.unsupported_fec++;
		return -1;
	}
	if (pinfo_make(&pi, pkt) < 0) {
		r->st.bad_symbols++;
		log_warnx_rl("reasm: TOI %llu: malformed EXT_FTI",
		    (unsigned long long)pkt->toi.lo);
		return -1;
	}
	if ((s = sess_get(r, chan, pkt->tsi, now_ms)) == NULL)
		return -1;
	s->last_ms = now_ms;
	if (pkt->close_session)
		s->closing = 1;
	if (pkt->fpi_len == 0)
		rc = signal_input(s, pkt);
	else if (id_is_zero(&pkt->toi))
		rc = fdt_input(r, s, pkt, &pi, now_ms, now_unix);
	else
		rc = data_input(r, s, &pkt->toi, &pi, now_ms);
	if (rc == 0)
		r->st.packets++;
	return rc;
}

/* ---- Expiry, teardown, API. ---- */

/*
 * Forget a session.  Unless shutting down, what was announced or started
 * and never finished is counted as incomplete.
 */
static void
sess_free(struct reasm *r, struct sess *s, int shutdown)
{
	enum obj_abort_reason why = shutdown ? OBJ_ABORT_SHUTDOWN :
	    OBJ_ABORT_INCOMPLETE;
	struct decl *dc, *dtmp;
	struct done *d, *ntmp;
	struct fdtasm *fa, *ftmp;
	struct pgroup *g, *gtmp;
	struct applied *a, *atmp;

	while (s->objs != NULL) {
		if (!shutdown)
			r->st.objects_incomplete++;
		obj_abort(r, s, s->objs, why);
	}
	HASH_ITER(hh, s->decls, dc, dtmp)
		decl_drop(r, s, dc, !shutdown);
	HASH_ITER(hh, s->done, d, ntmp)
		done_del(s, d);
	HASH_ITER(hh, s->fdts, fa, ftmp)
		fdtasm_free(r, s, fa);
	HASH_ITER(hh, s->pend, g, gtmp)
		pend_discard(r, g, !shutdown);
	HASH_ITER(hh, s->applied, a, atmp)
		applied_del(s, a);
	HASH_DEL(r->sessions, s);
	r->st.sessions_now--;
	free(s);
}

static void
decls_expire(struct reasm *r, struct sess *s, uint64_t now)
{
	struct decl *dc, *tmp;
	uint64_t idle;

	HASH_ITER(hh, s->decls, dc, tmp) {
		if (dc->obj != NULL)
			continue;
		idle = age(now, dc->touch_ms);
		if (dc->unlisted ? idle >= reparse_ms(r) :
		    idle > r->p.object_timeout_ms && now >= dc->keep_ms)
			decl_drop(r, s, dc, 1);
	}
}

static void
sess_expire(struct reasm *r, struct sess *s, uint64_t now)
{
	struct obj *o, *otmp;
	struct done *d, *dtmp;
	struct fdtasm *fa, *ftmp;
	struct applied *a, *atmp;

	DL_FOREACH_SAFE(s->objs, o, otmp)
		if (age(now, o->last_ms) > r->p.object_timeout_ms) {
			r->st.objects_incomplete++;
			obj_abort(r, s, o, OBJ_ABORT_INCOMPLETE);
		}
	decls_expire(r, s, now);
	HASH_ITER(hh, s->done, d, dtmp)
		if (age(now, d->last_ms) > r->p.done_ms)
			done_del(s, d);
	HASH_ITER(hh, s->fdts, fa, ftmp)
		if (age(now, fa->last_ms) > r->p.object_timeout_ms)
			fdtasm_free(r, s, fa);
	HASH_ITER(hh, s->applied, a, atmp)
		if (age(now, a->at_ms) >= reparse_ms(r))
			applied_del(s, a);
}

void
reasm_expire(struct reasm *r, uint64_t now_ms)
{
	struct sess *s, *tmp;
	uint64_t idle;

	while (r->aged != NULL &&
	    age(now_ms, r->aged->at_ms) > r->p.prefdt_ms) {
		r->st.prefdt_dropped++;
		pend_drop(r, r->aged);
	}
	HASH_ITER(hh, r->sessions, s, tmp) {
		idle = age(now_ms, s->last_ms);
		if (idle > r->p.session_timeout_ms ||
		    (s->closing && idle > REASM_CLOSE_GRACE_MS))
			sess_free(r, s, 0);
		else
			sess_expire(r, s, now_ms);
	}
}

struct reasm *
reasm_new(const struct reasm_params *p, const struct obj_sink *sink)
{
	struct reasm *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->p = *p;
	r->sink = sink;
	return r;
}

void
reasm_free(struct reasm *r)
{
	struct sess *s, *tmp;

	if (r == NULL)
		return;
	HASH_ITER(hh, r->sessions, s, tmp)
		sess_free(r, s, 1);
	free(r);
}

/*
 * OBJ_OK and OBJ_ESTALE (a newer version is cached) keep the done-marker,
 * and so does OBJ_ENAME (the same name would fail again).  Any other
 * failure drops it, so that the next carousel cycle is received again.
 */
void
reasm_commit_result(struct reasm *r, const struct obj_key *key,
    enum obj_result res)
{
	struct sess_key k;
	struct sess *s;
	struct decl *dc;
	struct done *d;

	if (res == OBJ_OK || res == OBJ_ESTALE)
		return;
	r->st.objects_commit_failed++;
	if (res == OBJ_ENAME)
		return;
	sess_key_make(&k, key->family, key->src, key->dst, key->port,
	    key->tsi);
	HASH_FIND(hh, r->sessions, &k, sizeof(k), s);
	if (s == NULL)
		return;
	if ((d = done_find(s, &key->toi)) != NULL)
		done_del(s, d);
	/* Not DECL_NEW: it must not count as incomplete a second time. */
	if ((dc = decl_find(s, &key->toi)) != NULL && dc->obj == NULL)
		dc->state = DECL_STARTED;
}

void
reasm_get_stats(const struct reasm *r, struct reasm_stats *out)
{
	*out = r->st;
}
