/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dvbi_int.h: shared by dvbi.c (the list) and dvbi_svc.c (its services)
 * and nobody else.
 */
#ifndef NIPCACHE_DVBI_INT_H
#define NIPCACHE_DVBI_INT_H

#include <stdint.h>

#include <libxml/tree.h>

#include "dvbi.h"

/*
 * Fill s from a Service or TestService element; a truncation sets
 * *truncated.  0 (s->id stays NULL without a UniqueIdentifier: the caller
 * drops it), or -1 when out of memory.  Either way s is left for
 * dvbi_svc_free.
 */
int	dvbi_svc_parse(const xmlNode *n, struct dvbi_service *s,
	    uint8_t *truncated);
void	dvbi_svc_free(struct dvbi_service *s);
/*
 * The trimmed text of n as a malloc'd copy in *out, NULL when n is absent
 * or the text empty (an empty name or locator is as good as none).  0, or
 * -1 when out of memory.
 */
int	dvbi_text(const xmlNode *n, char **out);

#endif
