/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reasm_repair.c: when reassembly hands an incomplete object to unicast
 * repair (protocols.md 5.4, trap 14), and what it tells the sink about
 * new declarations.  Nothing here runs unless the sink has a repair (or
 * announce) op; without one, incomplete objects are only aborted.
 *
 * Triggers, each at most once per object:
 * - CLOSE: a packet with Close Object was fed and the object is still
 *   incomplete after it (after the whole replay of buffered packets);
 * - EXPIRED: the Expires of the FDT declaring it passed (keep_ms; an FDT
 *   already expired on arrival, keep_ms 0, never fires this way, since
 *   the box's clock cannot be trusted), or the newest FullFDT left it out
 *   and no packet came for reparse_ms.  A declaration never started is
 *   handed whole with no handle (h NULL), when its Expires passes or when
 *   it is forgotten, if its transfer length is known;
 * - TIMEOUT: no packet for the session's reception timeout (the channel's
 *   transportObjectReceptionTimeout, else the params');
 * - SESSION: its session ends (Close Session or idle), not at shutdown.
 * A taken object counts as done exactly like a commit: the done marker
 * makes repeats of its TOI ignored until a failure verdict comes back
 * through reasm_commit_result.  A refusal is remembered on the object
 * (or declaration), which then keeps receiving and is never offered
 * again; it is aborted at object_timeout as before.
 *
 * FEC objects (reasm_fec.c) need nothing more here: a block is decoded as
 * soon as its source and repair symbols allow, so when a trigger fires
 * every block FEC could rebuild is complete, and the missing ranges are
 * only the blocks FEC cannot recover with what was received.
 */
#include <stdlib.h>

#include "../daemon/log.h"
#include "ranges.h"
#include "reasm_int.h"

/* The reception timeout of s, 0 for none. */
static uint64_t
repair_rto(const struct reasm *r, const struct sess *s)
{
	return s->rto_ms != 0 ? s->rto_ms : r->p.reception_timeout_ms;
}

static size_t
repair_max_ranges(const struct reasm *r)
{
	uint32_t m = r->p.repair_max_ranges;

	if (m == 0)
		return REASM_REPAIR_RANGES;
	return m < REASM_REPAIR_RANGES_MAX ? m : REASM_REPAIR_RANGES_MAX;
}

/* Source symbols of t not received yet. */
static uint64_t
repair_missing_symbols(const struct symtrack *t)
{
	uint64_t got = 0;
	uint32_t i;

	for (i = 0; i < t->part.n; i++)
		got += t->got[i];
	return got < t->part.t ? t->part.t - got : 0;
}

/*
 * Offer h (NULL: nothing staged) to the sink.  0 when taken: counted,
 * and dc is done as after a commit.  -1 when refused (counted).
 */
static int
repair_offer(struct reasm *r, struct sess *s, struct decl *dc, void *h,
    uint64_t len, const struct obj_range *rg, size_t n, uint64_t lost,
    uint64_t lost_sym, enum obj_repair_trigger why, uint64_t now)
{
	struct obj_meta m;

	reasm_meta_make(&m, s, dc, len);
	if (r->sink->repair(r->sink->ctx, h, &m, rg, n, lost, why) != 0) {
		r->st.repairs_declined++;
		return -1;
	}
	r->st.repairs_handed[why]++;
	r->st.lost_bytes += lost;
	r->st.lost_symbols += lost_sym;
	dc->state = DECL_DONE;
	reasm_done_add(s, dc->toi, now);
	log_debug("reasm: TOI %llu (%s): %llu bytes in %zu ranges to repair",
	    (unsigned long long)dc->toi.lo, dc->location,
	    (unsigned long long)lost, n);
	return 0;
}

int
reasm_repair_obj(struct reasm *r, struct sess *s, struct obj *o,
    enum obj_repair_trigger why, uint64_t now)
{
	size_t max = repair_max_ranges(r), n;
	uint64_t gap = r->p.repair_merge_gap, lost;
	struct obj_range *rg;
	int rc;

	if (r->sink->repair == NULL || o->declined || o->trk.blocks_left == 0)
		return 0;
	if (gap == 0)
		gap = RANGES_MERGE_GAP;
	if ((rg = calloc(max, sizeof(*rg))) == NULL)
		return 0;	/* Offered again at the next trigger. */
	n = ranges_missing(&o->trk.part, o->trk.bits, gap, rg, max, &lost);
	rc = n == 0 ? 1 : repair_offer(r, s, o->decl, o->h, o->trk.part.len,
	    rg, n, lost, repair_missing_symbols(&o->trk), why, now);
	free(rg);
	if (rc != 0) {
		o->declined = rc < 0;
		return 0;
	}
	reasm_obj_free(r, s, o);
	return 1;
}

void
reasm_repair_closed(struct reasm *r, struct sess *s, struct decl *dc,
    uint64_t now)
{
	/*
	 * The Close Object flag rides the object's last packet, after every
	 * repair symbol: what a FEC object still lacks then is loss FEC
	 * could not fix with this cycle's symbols.
	 */
	if (dc->obj != NULL && dc->obj->close_seen)
		(void)reasm_repair_obj(r, s, dc->obj,
		    reasm_fec_decodes(dc->obj) ? OBJ_REPAIR_LOSS :
		    OBJ_REPAIR_CLOSE, now);
}

int
reasm_repair_tick(struct reasm *r, struct sess *s, struct obj *o,
    uint64_t now)
{
	const struct decl *dc = o->decl;
	uint64_t idle = reasm_age(now, o->last_ms), rto = repair_rto(r, s);

	if (r->sink->repair == NULL || o->declined)
		return 0;
	if ((dc->keep_ms != 0 && now >= dc->keep_ms) ||
	    (dc->unlisted && idle >= reasm_reparse_ms(r)))
		return reasm_repair_obj(r, s, o, OBJ_REPAIR_EXPIRED, now);
	if (rto != 0 && idle >= rto)
		return reasm_repair_obj(r, s, o, OBJ_REPAIR_TIMEOUT, now);
	return 0;
}

/* The transfer length a declaration gives (as obj_geometry), or -1. */
static int64_t
repair_decl_len(const struct decl *dc)
{
	if (dc->transfer_length >= 0)
		return dc->transfer_length;
	return dc->content_length;
}

void
reasm_repair_decl(struct reasm *r, struct sess *s, struct decl *dc,
    uint64_t now)
{
	int64_t len = repair_decl_len(dc);
	struct obj_range whole;
	struct pgroup *g;
	uint64_t sym;

	if (r->sink->repair == NULL || dc->obj != NULL ||
	    dc->state != DECL_NEW || dc->refused || dc->declined || len <= 0 ||
	    (uint64_t)len > r->p.max_object_bytes ||
	    reasm_done_find(s, &dc->toi) != NULL)
		return;
	whole.off = 0;
	whole.len = (uint64_t)len;
	sym = dc->e != 0 ? (whole.len + dc->e - 1) / dc->e : 0;
	if (repair_offer(r, s, dc, NULL, whole.len, &whole, 1, whole.len, sym,
	    OBJ_REPAIR_EXPIRED, now) < 0) {
		dc->declined = 1;
		return;
	}
	/* Its buffered packets will never be used now. */
	if ((g = reasm_pend_find(s, &dc->toi)) != NULL)
		reasm_pend_discard(r, g, 0);
}

/*
 * The meta carries what the FDT said; transfer_length is the declared
 * length (Transfer-Length, else Content-Length), 0 when it gives none.
 */
void
reasm_announce(struct reasm *r, const struct sess *s, const struct decl *dc)
{
	int64_t len = repair_decl_len(dc);
	struct obj_meta m;

	/* One that a bound will refuse is not on its way. */
	if (r->sink->announce == NULL || dc->refused ||
	    (len > 0 && (uint64_t)len > r->p.max_object_bytes))
		return;
	reasm_meta_make(&m, s, dc, len > 0 ? (uint64_t)len : 0);
	r->sink->announce(r->sink->ctx, &m);
}

/*
 * Packets of dc's object are arriving (started, or buffered): tell the
 * sink, at most every OBJ_RECEIVING_MS.  Called per packet, so the
 * common case is the two tests before any work.
 */

void
reasm_receiving(struct reasm *r, const struct sess *s, struct decl *dc,
    uint64_t now)
{
	int64_t len;
	struct obj_meta m;

	if (r->sink->receiving == NULL || (dc->told &&
	    reasm_age(now, dc->told_ms) < OBJ_RECEIVING_MS))
		return;
	dc->told = 1;
	dc->told_ms = now;
	len = repair_decl_len(dc);
	reasm_meta_make(&m, s, dc, len > 0 ? (uint64_t)len : 0);
	r->sink->receiving(r->sink->ctx, &m);
}
