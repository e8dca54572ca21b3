/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reasm_pend.c: packets that arrive before the FDT declaring their TOI.
 *
 * They are copied and grouped by TOI per session, and also linked on one
 * reasm-wide list, oldest first, so that the prefdt_ms and
 * prefdt_max_bytes bounds drop the oldest first.  Once a declaration
 * arrives, reasm_obj_open() starts its object (with the geometry a
 * buffered EXT_FTI or EXT_TOL gives) and replays the group into it.
 * State and shared functions: reasm_int.h; the overview is in reasm.c.
 */
#include <stdlib.h>
#include <string.h>

#include "reasm_int.h"

/* ---- Packets before their FDT. ---- */

struct pgroup *
reasm_pend_find(struct sess *s, const struct alc_id *toi)
{
	struct pgroup *g;

	HASH_FIND(hh, s->pend, toi, sizeof(*toi), g);
	return g;
}

void
reasm_pend_drop(struct reasm *r, struct ppkt *pp)
{
	struct pgroup *g = pp->g;

	/* pp is on g's list, so the list is not empty: never NULL. */
	/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
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
void
reasm_pend_discard(struct reasm *r, struct pgroup *g, int count)
{
	struct ppkt *pp;
	int last;

	do {
		pp = g->pkts;
		/* The drop made g->pkts pp->next, never pp: not freed. */
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
		last = pp->next == NULL;
		if (count)
			r->st.prefdt_dropped++;
		reasm_pend_drop(r, pp);
	} while (!last);
}

static struct pgroup *
pend_group(struct sess *s, const struct alc_id *toi)
{
	struct pgroup *g = reasm_pend_find(s, toi);

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
int
reasm_pend_add(struct reasm *r, struct sess *s, const struct alc_id *toi,
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
		reasm_pend_drop(r, r->aged);
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

/*
 * A buffered packet of this TOI that carries the geometry, else the
 * oldest one (its codepoint is the object's FEC scheme), or NULL.
 */
static const struct pinfo *
pend_hint(struct sess *s, const struct alc_id *toi)
{
	struct pgroup *g = reasm_pend_find(s, toi);

	if (g == NULL)
		return NULL;
	return g->hint != NULL ? &g->hint->pi : &g->pkts->pi;
}

/* Feed the buffered packets of dc's TOI into its object, then free them. */
static void
pend_replay(struct reasm *r, struct sess *s, struct decl *dc, uint64_t now)
{
	struct pgroup *g = reasm_pend_find(s, &dc->toi);
	struct ppkt *pp;
	int last;

	if (g == NULL)
		return;
	do {
		pp = g->pkts;
		/* The drop made g->pkts pp->next, never pp: not freed. */
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
		last = pp->next == NULL;
		if (dc->obj != NULL)
			(void)reasm_obj_feed(r, s, dc->obj, &pp->pi, now);
		reasm_pend_drop(r, pp);
	} while (!last);
}

/* Start dc's object if we can, and replay what was buffered for it. */
int
reasm_obj_open(struct reasm *r, struct sess *s, struct decl *dc,
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
	rc = reasm_obj_start(r, s, dc, hint, now);
	if (rc == -2)
		return rc;
	if (rc < 0) {
		if (dc->refused && (g = reasm_pend_find(s, &dc->toi)) != NULL)
			reasm_pend_discard(r, g, 0);
		return rc;
	}
	pend_replay(r, s, dc, now);
	return 0;
}
