/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * status_collect.c: the snapshot behind /status.json, taken on an HTTP
 * thread from the copy-out statistics every module already publishes:
 * rx's per-source copy (rx_get_all_src_stats, which the rx thread
 * refreshes every tick and whose bit rates and session counters it works
 * out once a second), the cache and repair counters, and the NIP view for
 * the service of each source.  Each owner's lock is held only while it
 * copies; rendering happens afterwards, outside every lock.
 */
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "nip.h"
#include "status.h"
#include "util.h"

/* The per-source copy, each with its service (if any). */
static struct status_session *
status_sessions(size_t *n)
{
	struct rx_src_stats *v;
	struct status_session *s;
	size_t i;

	if ((v = rx_get_all_src_stats(n)) == NULL)
		return NULL;
	if ((s = calloc(*n, sizeof(*s))) == NULL) {
		free(v);
		*n = 0;
		return NULL;
	}
	for (i = 0; i < *n; i++) {
		s[i].st = v[i];
		if (nip_src_service(&v[i].src, s[i].service,
		    sizeof(s[i].service)) < 0)
			s[i].service[0] = '\0';
	}
	free(v);
	return s;
}

int
status_document(struct httpd_doc *out)
{
	struct util_sb b = { NULL, 0, 0, 0 };
	struct status_session *sess;
	struct status_in *in;
	int code = 503;

	/* struct rx_stats is a few KiB: not on an HTTP thread's stack. */
	if ((in = calloc(1, sizeof(*in))) == NULL)
		return 503;
	in->now_ms = util_now_ms();
	in->uptime_s = metrics_uptime_s();
	in->ready = metrics_is_ready();
	in->cache_ready = cache_ready();
	if (in->cache_ready)
		cache_get_stats(&in->cache);
	rx_get_stats(&in->rx);
	repair_get_stats(&in->repair);
	sess = status_sessions(&in->nsess);
	in->sess = sess;
	if (status_render(in, &b) == 0 && b.p != NULL) {
		out->body = b.p;
		out->len = b.len;
		util_strlcpy(out->type, "application/json", sizeof(out->type));
		out->max_age = 0;
		b.p = NULL;
		code = 200;
	}
	free(b.p);
	free(sess);
	free(in);
	return code;
}
