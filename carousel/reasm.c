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
 *
 * - Unicast repair (only with the sink's repair op): an incomplete object
 *   is handed over, ranges and all, at the first of Close Object, its
 *   FDT's expiry, the reception timeout or the end of its session; see
 *   reasm_repair.c.  Handed over counts as done, like a commit.
 *
 * - FEC (FEI 5 Reed-Solomon, FEI 6 RaptorQ with one sub-block): source
 *   symbols are staged like No-Code ones; repair symbols of incomplete
 *   blocks are held in memory (bounded) until a block has K symbols,
 *   then decoded with the staged source read back (sink read op).  See
 *   reasm_fec.c.  FDT instances are received as No-Code only.
 *
 * The module is split along its state: reasm.c (sessions, done markers,
 * objects, packet input, expiry and the API), reasm_trk.c (symbol
 * tracking), reasm_pend.c (packets waiting for their FDT), reasm_fdt.c
 * (declarations, FDT instance reassembly and EXT_CENC), reasm_repair.c
 * (repair triggers), reasm_fec.c (FEC objects) and reasm_sstat.c (what
 * each session brought).  reasm_int.h holds the state above and the
 * functions they share.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../daemon/log.h"
#include "fec.h"
#include "reasm_int.h"

void
reasm_params_default(struct reasm_params *p)
{
	memset(p, 0, sizeof(*p));
	p->max_sessions = 1024;
	p->max_objects_per_session = 4096;
	p->max_objects = 4096;
	p->max_object_bytes = 4ULL << 30;
	p->max_inflight_bytes = 8ULL << 30;
	p->prefdt_max_bytes = 16ULL << 20;
	p->prefdt_ms = 30000;
	p->object_timeout_ms = 30000;
	p->session_timeout_ms = 300000;
	p->done_ms = 300000;
	p->fec_max_object_bytes = 32ULL << 20;
	p->fec_max_total_bytes = 64ULL << 20;
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
		r->st.sessions_refused++;
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

struct done *
reasm_done_find(struct sess *s, const struct alc_id *toi)
{
	struct done *d;

	HASH_FIND(hh, s->done, toi, sizeof(*toi), d);
	return d;
}

void
reasm_done_add(struct sess *s, struct alc_id toi, uint64_t now)
{
	struct done *d = reasm_done_find(s, &toi);

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

void
reasm_done_del(struct sess *s, struct done *d)
{
	/* uthash frees its table with the last item: no use after free. */
	/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
	HASH_DEL(s->done, d);
	free(d);
}

/* ---- Objects. ---- */

void
reasm_obj_free(struct reasm *r, struct sess *s, struct obj *o)
{
	DL_DELETE(s->objs, o);
	s->nobjs--;
	r->st.objects_now--;
	r->st.inflight_bytes_now -= o->trk.part.len;
	o->decl->obj = NULL;
	reasm_fec_free(r, o);
	reasm_trk_free(&o->trk);
	free(o);
}

void
reasm_obj_abort(struct reasm *r, struct sess *s, struct obj *o,
    enum obj_abort_reason why)
{
	r->sink->abort(r->sink->ctx, o->h, why);
	reasm_obj_free(r, s, o);
}

void
reasm_meta_make(struct obj_meta *m, const struct sess *s,
    const struct decl *dc, uint64_t len)
{
	memset(m, 0, sizeof(*m));
	obj_key_make(&m->key, s, dc->toi);
	m->location = dc->location;
	m->transfer_length = len;
	m->content_length = dc->content_length;
	m->content_type = dc->ctype;
	m->content_encoding = dc->cenc;
	m->has_md5 = dc->has_md5;
	memcpy(m->md5, dc->md5, sizeof(m->md5));
	m->has_sha256 = dc->has_sha256;
	memcpy(m->sha256, dc->sha256, sizeof(m->sha256));
	m->seq = dc->seq;
}

/* Hand a complete object (h from begin()) to the sink with its metadata. */
static void
obj_commit(struct reasm *r, struct sess *s, struct decl *dc, void *h,
    uint64_t len, uint64_t now)
{
	struct obj_meta m;

	reasm_meta_make(&m, s, dc, len);
	r->sink->commit(r->sink->ctx, h, &m);
	r->st.objects_completed++;
	dc->state = DECL_DONE;
	reasm_done_add(s, dc->toi, now);
}

int
reasm_obj_put(struct reasm *r, void *ctx, uint64_t off, const uint8_t *p,
    size_t n)
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
int
reasm_obj_feed(struct reasm *r, struct sess *s, struct obj *o,
    const struct pinfo *pi, uint64_t now)
{
	struct decl *dc = o->decl;
	long k = o->fec != NULL ? reasm_fec_count(o, pi) :
	    pi->fei != ALC_FEI_NOCODE ? -1 :
	    reasm_trk_count(&o->trk, pi->sbn, pi->esi, pi->len);

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
	if ((o->fec != NULL ? reasm_fec_add(r, o, pi) : reasm_trk_add(r,
	    &o->trk, pi, k, reasm_obj_put, o)) < 0) {
		r->st.sink_errors++;
		reasm_obj_abort(r, s, o, OBJ_ABORT_LIMIT);
		return -1;
	}
	if (o->trk.blocks_left > 0)
		return 0;
	obj_commit(r, s, dc, o->h, o->trk.part.len, now);
	reasm_obj_free(r, s, o);
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
int
reasm_obj_start(struct reasm *r, struct sess *s, struct decl *dc,
    const struct pinfo *hint, uint64_t now)
{
	int fei = reasm_fec_fei(r, dc, hint), rc;
	struct obj_key k;
	struct obj *o;
	uint64_t len;
	uint32_t e, b;

	if (fei < 0)
		return obj_refuse(r, dc, 1, "FEC Encoding ID is not the FDT's");
	if (obj_geometry(dc, hint, &len, &e, &b) < 0)
		return -2;
	if (len > r->p.max_object_bytes)
		return obj_refuse(r, dc, 1, "transfer length too large");
	if (len == 0)
		return obj_empty(r, s, dc, now);
	if (s->nobjs >= r->p.max_objects_per_session ||
	    r->st.objects_now >= r->p.max_objects ||
	    r->st.inflight_bytes_now + len > r->p.max_inflight_bytes)
		return obj_refuse(r, dc, 0, "too many objects in flight");
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return -1;
	rc = fei == 0 ? reasm_trk_init(&o->trk, len, e, b) :
	    reasm_fec_init(r, o, (uint8_t)fei, dc, hint, len, e, b);
	if (rc < 0) {
		free(o);
		return rc == -2 ? -2 : obj_refuse(r, dc, 1,
		    "block partitioning out of bounds");
	}
	obj_key_make(&k, s, dc->toi);
	if ((o->h = r->sink->begin(r->sink->ctx, &k, len)) == NULL) {
		r->st.sink_errors++;
		reasm_fec_free(r, o);
		reasm_trk_free(&o->trk);
		free(o);
		return -1;
	}
	o->decl = dc;
	o->last_ms = now;
	DL_APPEND(s->objs, o);
	s->nobjs++;
	r->st.objects_now++;
	r->st.objects_started++;
	r->st.inflight_bytes_now += len;
	dc->obj = o;
	dc->state = DECL_STARTED;
	dc->limited = 0;
	/* Also when packets buffered before its FDT start it. */
	reasm_receiving(r, s, dc, now);
	return 1;
}

/* ---- Data packets. ---- */

static int
data_input(struct reasm *r, struct sess *s, const struct alc_id *toi,
    const struct pinfo *pi, uint64_t now)
{
	struct decl *dc = reasm_decl_find(s, toi);
	struct done *d = reasm_done_find(s, toi);
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
		return reasm_pend_add(r, s, toi, pi, now);
	if (dc->refused)
		return -1;
	if (dc->obj == NULL) {
		rc = reasm_obj_open(r, s, dc, pi, now);
		if (rc == -2) {
			/* Declared, waiting for its geometry: arriving. */
			if ((rc = reasm_pend_add(r, s, toi, pi, now)) == 0)
				reasm_receiving(r, s, dc, now);
			return rc;
		}
		if (rc < 0)
			return -1;
		if (dc->obj == NULL)
			return 0;	/* Completed by what was buffered. */
	}
	if (reasm_obj_feed(r, s, dc->obj, pi, now) < 0)
		return -1;
	if (dc->obj != NULL)
		reasm_receiving(r, s, dc, now);
	reasm_repair_closed(r, s, dc, now);
	return 0;
}

/*
 * A data-less packet (RFC 5775 4.1: no FEC Payload ID) only signals Close
 * Session or Close Object.  Close Object on an incomplete object starts
 * unicast repair.
 */
static int
signal_input(struct reasm *r, struct sess *s, const struct alc_pkt *pkt,
    uint64_t now)
{
	struct decl *dc;

	if (pkt->close_object && (dc = reasm_decl_find(s, &pkt->toi)) != NULL) {
		dc->close_seen = 1;
		if (dc->obj != NULL) {
			dc->obj->close_seen = 1;
			reasm_repair_closed(r, s, dc, now);
		}
	}
	return 0;
}

/* Fill pi from pkt; -1 if its EXT_FTI is malformed. */
static int
pinfo_make(struct pinfo *pi, const struct alc_pkt *pkt)
{
	struct fec_oti oti;

	memset(pi, 0, sizeof(*pi));
	pi->fei = pkt->codepoint;
	pi->sbn = pkt->sbn;
	pi->esi = pkt->esi;
	pi->payload = pkt->payload;
	pi->len = pkt->payload_len;
	pi->close_object = pkt->close_object;
	pi->has_tol = pkt->has_tol;
	pi->tol = pkt->tol;
	if (!pkt->has_fti)
		return 0;
	/* RaptorQ has no B: Z blocks instead (fec_oti_parse checks them). */
	if (fec_oti_parse(pkt->codepoint, pkt->fti, pkt->fti_len, &oti) < 0 ||
	    oti.symbol_len == 0 || (oti.max_sbl == 0 && oti.z == 0))
		return -1;
	pi->has_fti = 1;
	pi->fti_l = oti.transfer_len;
	pi->fti_e = oti.symbol_len;
	pi->fti_b = oti.max_sbl;
	pi->fti_max_n = oti.max_n;
	pi->fti_z = (uint8_t)oti.z;
	pi->fti_n = oti.n;
	pi->fti_al = oti.al;
	return 0;
}

int
reasm_input(struct reasm *r, const struct reasm_chan *chan,
    const struct alc_pkt *pkt, uint64_t now_ms, int64_t now_unix)
{
	struct reasm_sc_mark mark;
	struct pinfo pi;
	struct sess *s;
	int rc;

	/* FDT instances are only taken as No-Code (as every sender does). */
	if (pkt->codepoint != ALC_FEI_NOCODE && ((pkt->codepoint !=
	    ALC_FEI_RS8 && pkt->codepoint != ALC_FEI_RAPTORQ) ||
	    reasm_id_is_zero(&pkt->toi))) {
		r->st.unsupported_fec++;
		return -1;
	}
	if (pinfo_make(&pi, pkt) < 0) {
		if (pkt->codepoint != ALC_FEI_NOCODE)
			r->st.fec_bad_oti++;
		else
			r->st.bad_symbols++;
		log_warnx_rl("reasm: TOI %llu: malformed EXT_FTI",
		    (unsigned long long)pkt->toi.lo);
		return -1;
	}
	if ((s = sess_get(r, chan, pkt->tsi, now_ms)) == NULL)
		return -1;
	s->last_ms = now_ms;
	s->rto_ms = chan->reception_timeout_ms;
	if (pkt->close_session)
		s->closing = 1;
	reasm_sc_begin(r, &mark);
	if (pkt->fpi_len == 0)
		rc = signal_input(r, s, pkt, now_ms);
	else if (reasm_id_is_zero(&pkt->toi))
		rc = reasm_fdt_input(r, s, pkt, &pi, now_ms, now_unix);
	else
		rc = data_input(r, s, &pkt->toi, &pi, now_ms);
	if (rc == 0)
		r->st.packets++;
	reasm_sc_end(r, s, &mark);
	return rc;
}

/* ---- Expiry, teardown, API. ---- */

/*
 * Forget a session.  Unless shutting down, objects in flight go to repair
 * (OBJ_REPAIR_SESSION), and what was announced or started and never
 * finished otherwise is counted as incomplete.
 */
static void
sess_free(struct reasm *r, struct sess *s, int shutdown, uint64_t now)
{
	enum obj_abort_reason why = shutdown ? OBJ_ABORT_SHUTDOWN :
	    OBJ_ABORT_INCOMPLETE;
	struct decl *dc, *dtmp;
	struct done *d, *ntmp;
	struct fdtasm *fa, *ftmp;
	struct pgroup *g, *gtmp;
	struct applied *a, *atmp;

	while (s->objs != NULL) {
		if (!shutdown && reasm_repair_obj(r, s, s->objs,
		    OBJ_REPAIR_SESSION, now))
			continue;
		if (!shutdown)
			r->st.objects_incomplete++;
		reasm_obj_abort(r, s, s->objs, why);
	}
	HASH_ITER(hh, s->decls, dc, dtmp)
		reasm_decl_drop(r, s, dc, !shutdown);
	HASH_ITER(hh, s->done, d, ntmp)
		reasm_done_del(s, d);
	HASH_ITER(hh, s->fdts, fa, ftmp)
		reasm_fdtasm_free(r, s, fa);
	HASH_ITER(hh, s->pend, g, gtmp)
		reasm_pend_discard(r, g, !shutdown);
	HASH_ITER(hh, s->applied, a, atmp)
		reasm_applied_del(s, a);
	HASH_DEL(r->sessions, s);
	r->st.sessions_now--;
	free(s);
}

/*
 * Age out declarations without an object.  One that was never started
 * goes to repair whole when its FDT's Expires passes or when it is
 * forgotten, whichever comes first.
 */
static void
decls_expire(struct reasm *r, struct sess *s, uint64_t now)
{
	struct decl *dc, *tmp;
	uint64_t idle;
	int drop;

	HASH_ITER(hh, s->decls, dc, tmp) {
		if (dc->obj != NULL)
			continue;
		idle = reasm_age(now, dc->touch_ms);
		drop = dc->unlisted ? idle >= reasm_reparse_ms(r) :
		    idle > r->p.object_timeout_ms && now >= dc->keep_ms;
		if (drop || (dc->keep_ms != 0 && now >= dc->keep_ms))
			reasm_repair_decl(r, s, dc, now);
		if (drop)
			reasm_decl_drop(r, s, dc, 1);
	}
}

static void
sess_expire(struct reasm *r, struct sess *s, uint64_t now)
{
	struct obj *o, *otmp;
	struct done *d, *dtmp;
	struct fdtasm *fa, *ftmp;
	struct applied *a, *atmp;

	DL_FOREACH_SAFE(s->objs, o, otmp) {
		if (reasm_repair_tick(r, s, o, now))
			continue;
		if (reasm_age(now, o->last_ms) > r->p.object_timeout_ms) {
			r->st.objects_incomplete++;
			reasm_obj_abort(r, s, o, OBJ_ABORT_INCOMPLETE);
		}
	}
	decls_expire(r, s, now);
	HASH_ITER(hh, s->done, d, dtmp)
		if (reasm_age(now, d->last_ms) > r->p.done_ms)
			reasm_done_del(s, d);
	HASH_ITER(hh, s->fdts, fa, ftmp)
		if (reasm_age(now, fa->last_ms) > r->p.object_timeout_ms)
			reasm_fdtasm_free(r, s, fa);
	HASH_ITER(hh, s->applied, a, atmp)
		if (reasm_age(now, a->at_ms) >= reasm_reparse_ms(r))
			reasm_applied_del(s, a);
}

void
reasm_expire(struct reasm *r, uint64_t now_ms)
{
	struct reasm_sc_mark mark;
	struct sess *s, *tmp;
	uint64_t idle;

	while (r->aged != NULL &&
	    reasm_age(now_ms, r->aged->at_ms) > r->p.prefdt_ms) {
		r->st.prefdt_dropped++;
		reasm_pend_drop(r, r->aged);
	}
	HASH_ITER(hh, r->sessions, s, tmp) {
		idle = reasm_age(now_ms, s->last_ms);
		if (idle > r->p.session_timeout_ms ||
		    (s->closing && idle > REASM_CLOSE_GRACE_MS)) {
			sess_free(r, s, 0, now_ms);
			continue;
		}
		reasm_sc_begin(r, &mark);
		sess_expire(r, s, now_ms);
		reasm_sc_end(r, s, &mark);
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
reasm_set_params(struct reasm *r, const struct reasm_params *p)
{
	r->p = *p;
}

void
reasm_free(struct reasm *r)
{
	struct sess *s, *tmp;

	if (r == NULL)
		return;
	HASH_ITER(hh, r->sessions, s, tmp)
		sess_free(r, s, 1, 0);
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
	if ((d = reasm_done_find(s, &key->toi)) != NULL)
		reasm_done_del(s, d);
	/* Not DECL_NEW: it must not count as incomplete a second time. */
	if ((dc = reasm_decl_find(s, &key->toi)) != NULL && dc->obj == NULL)
		dc->state = DECL_STARTED;
}

void
reasm_get_stats(const struct reasm *r, struct reasm_stats *out)
{
	*out = r->st;
}
