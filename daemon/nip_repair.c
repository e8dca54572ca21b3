/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nip_repair.c: unicast repair as the DVB-MABR gateway configuration
 * signals it (TS 103 769 clause 9).  Each transport session's
 * UnicastRepairParameters become a repair policy for its channels
 * (repair_set_policies), and its transportObjectReceptionTimeout travels
 * with those channels to rx, where reassembly starts a repair when an
 * object stops receiving.  Main thread only, like the rest of nip*.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nip_int.h"
#include "repair.h"
#include "util.h"

/* The transport session of either document with an endpoint equal to s. */
static const struct mgc_ts *
nip_repair_ts(const struct nip *n, const struct carousel_src *s)
{
	const struct mgc *ms[2] = { n->has_boot ? &n->boot : NULL,
	    n->has_gw ? &n->gw : NULL };
	struct carousel_src e;
	size_t i, j, k;

	for (k = 0; k < 2; k++)
		for (i = 0; ms[k] != NULL && i < ms[k]->nts; i++)
			for (j = 0; j < ms[k]->ts[i].nendpoints; j++)
				if (nip_endpoint_src(&ms[k]->ts[i].endpoints[j],
				    &e) == 0 && rx_src_eq(&e, s))
					return &ms[k]->ts[i];
	return NULL;
}

void
nip_repair_timeouts(const struct nip *n, struct carousel_src *v, size_t nv)
{
	const struct mgc_ts *t;
	uint32_t ms;
	size_t i;

	for (i = 0; i < nv; i++) {
		if ((t = nip_repair_ts(n, &v[i])) == NULL || !t->has_repair)
			continue;
		ms = t->repair.reception_timeout_ms;
		/* Absent (UINT32_MAX) or zero: the configured default. */
		v[i].reception_timeout_ms = ms == UINT32_MAX ? 0 : ms;
	}
}

/* Policy p for the repair parameters r of one endpoint. */
static void
policy_fill(struct repair_policy *p, const struct mgc_repair *r)
{
	size_t i;

	if (r->object_base_uri != NULL)
		util_strlcpy(p->object_base_uri, r->object_base_uri,
		    sizeof(p->object_base_uri));
	p->fixed_backoff_ms = r->fixed_backoff_ms == UINT32_MAX ? 0 :
	    r->fixed_backoff_ms;
	p->random_backoff_ms = r->random_backoff_ms == UINT32_MAX ? 0 :
	    r->random_backoff_ms;
	for (i = 0; i < r->nbase && p->nbase < REPAIR_MAX_BASE; i++) {
		if (r->base[i].url == NULL ||
		    strlen(r->base[i].url) >= sizeof(p->base[0].url))
			continue;
		util_strlcpy(p->base[p->nbase].url, r->base[i].url,
		    sizeof(p->base[0].url));
		p->base[p->nbase++].weight = r->base[i].weight;
	}
}

/* Append the policies of document m's sessions to v (capacity cap). */
static size_t
policies_of(const struct mgc *m, struct repair_policy *v, size_t nv,
    size_t cap)
{
	const struct mgc_ts *t;
	size_t i, j;

	for (i = 0; i < m->nts; i++) {
		t = &m->ts[i];
		if (!t->has_repair)
			continue;
		for (j = 0; j < t->nendpoints && nv < cap; j++) {
			memset(&v[nv], 0, sizeof(v[nv]));
			if (nip_endpoint_src(&t->endpoints[j], &v[nv].src) < 0)
				continue;
			policy_fill(&v[nv], &t->repair);
			nv++;
		}
	}
	return nv;
}

void
nip_repair_update(const struct nip *n)
{
	size_t cap = 0, nv = 0, i;
	struct repair_policy *v;

	for (i = 0; n->has_boot && i < n->boot.nts; i++)
		cap += n->boot.ts[i].has_repair ? n->boot.ts[i].nendpoints : 0;
	for (i = 0; n->has_gw && i < n->gw.nts; i++)
		cap += n->gw.ts[i].has_repair ? n->gw.ts[i].nendpoints : 0;
	if (cap == 0) {
		(void)repair_set_policies(NULL, 0);
		return;
	}
	if ((v = calloc(cap, sizeof(*v))) == NULL) {
		log_warnx("nip: out of memory for %zu repair policies", cap);
		return;
	}
	if (n->has_boot)
		nv = policies_of(&n->boot, v, nv, cap);
	if (n->has_gw)
		nv = policies_of(&n->gw, v, nv, cap);
	if (repair_set_policies(v, nv) == 0)
		log_info("nip: %zu session(s) signal unicast repair", nv);
	free(v);
}
