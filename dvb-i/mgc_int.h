/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mgc_int.h: what mgc.c (the document and its MulticastSession elements)
 * and mgc_ts.c (one transport session) share.  Not for other modules.
 */
#ifndef NIPCACHE_MGC_INT_H
#define NIPCACHE_MGC_INT_H

#include <libxml/tree.h>

#include "mgc.h"

/* What mgc_ts_parse made of a session. */
#define MGC_TS_KEEP	0
#define MGC_TS_DROP	1	/* no usable EndpointAddress */

/*
 * Fill *t (zeroed by the caller) from a MulticastTransportSession or a
 * MulticastGatewayConfigurationTransportSession.  svc_id is the owning
 * service's identifier, or NULL for a gateway session.  Hitting a
 * MGC_MAX_* bound sets *truncated.  Returns MGC_TS_KEEP, MGC_TS_DROP
 * (t already cleared), or -1 when out of memory (t cleared too).
 */
int	mgc_ts_parse(const xmlNode *n, const char *svc_id, struct mgc_ts *t,
	    uint8_t *truncated);
/* Free what a transport session owns and zero it. */
void	mgc_ts_clear(struct mgc_ts *t);

/*
 * *out = a copy of s, or NULL when s is NULL.  -1 only when out of
 * memory, so absent and failed can be told apart.
 */
int	mgc_dup(const char *s, char **out);
/* The same for attribute local of n; dflt (may be NULL) if it is absent. */
int	mgc_dup_attr(const xmlNode *n, const char *local, const char *dflt,
	    char **out);
/* An xs:duration attribute in milliseconds; 0 if absent or bad. */
uint64_t mgc_attr_dur(const xmlNode *n, const char *local);
/*
 * A time attribute in milliseconds: a plain integer (what the schema
 * says) or, leniently, an ISO 8601 duration.  0 if absent or bad.
 */
uint64_t mgc_attr_ms(const xmlNode *n, const char *local, uint64_t max);

#endif
