/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mgc.c: the MulticastGatewayConfiguration document (see mgc.h): the
 * root, its MulticastSession elements (one per service) and the
 * bookkeeping of both kinds of transport session, which mgc_ts.c parses.
 *
 * Nothing a document says is trusted: every bound in mgc.h is enforced
 * while reading, and a part that cannot be used is dropped rather than
 * failing the whole document, since a gateway with most of its sessions
 * is far better than one with none.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgc_int.h"
#include "xmlu.h"

#define MGC_NS_PREFIX	"urn:dvb:metadata:MulticastSessionConfiguration:"
#define MGC_WHAT	"gateway configuration"

/* Growth state of the two arrays while one document is read. */
struct mgc_ctx {
	struct mgc	*m;
	size_t		 ts_cap;
	size_t		 svc_cap;
};

int
mgc_dup(const char *s, char **out)
{
	*out = NULL;
	if (s == NULL)
		return 0;
	return (*out = strdup(s)) != NULL ? 0 : -1;
}

int
mgc_dup_attr(const xmlNode *n, const char *local, const char *dflt,
    char **out)
{
	const char *v = xmlu_attr(n, local);

	return mgc_dup(v != NULL ? v : dflt, out);
}

uint64_t
mgc_attr_dur(const xmlNode *n, const char *local)
{
	const char *v = xmlu_attr(n, local);
	uint64_t ms;

	return v != NULL && xmlu_duration_ms(v, &ms) == 0 ? ms : 0;
}

uint64_t
mgc_attr_ms(const xmlNode *n, const char *local, uint64_t max)
{
	const char *v = xmlu_attr(n, local);
	uint64_t ms;

	if (v == NULL)
		return 0;
	while (*v == ' ')
		v++;
	if (*v == 'P' ? xmlu_duration_ms(v, &ms) : xmlu_u64(v, max, &ms))
		return 0;
	return ms <= max ? ms : 0;
}

/* The next array size for n + 1 elements: doubled, at most max. */
static size_t
mgc_next_cap(size_t cap, size_t max)
{
	cap = cap != 0 ? cap * 2 : 8;
	return cap < max ? cap : max;
}

/*
 * Append one transport session read from n, for service index svc (-1:
 * a gateway session).  Sessions past MGC_MAX_TS are not read.
 */
static int
mgc_add_ts(struct mgc_ctx *cx, const xmlNode *n, int svc, const char *svc_id)
{
	struct mgc *m = cx->m;
	struct mgc_ts t, *grown;
	size_t cap;
	int r;

	if (m->nts == MGC_MAX_TS) {
		m->truncated = 1;
		return 0;
	}
	memset(&t, 0, sizeof(t));
	if ((r = mgc_ts_parse(n, svc_id, &t, &m->truncated)) < 0)
		return -1;
	if (r == MGC_TS_DROP) {
		m->dropped_sessions++;
		return 0;
	}
	t.gateway = svc < 0;
	t.service = svc;
	if (m->nts == cx->ts_cap) {
		cap = mgc_next_cap(cx->ts_cap, MGC_MAX_TS);
		if ((grown = realloc(m->ts, cap * sizeof(*grown))) == NULL) {
			mgc_ts_clear(&t);
			return -1;
		}
		m->ts = grown;
		cx->ts_cap = cap;
	}
	m->ts[m->nts++] = t;
	return 0;
}

/* PresentationManifestLocator: url, manifest_id, content_type never NULL. */
static int
mgc_service_pml(const xmlNode *n, struct mgc_service *s, uint8_t *truncated)
{
	const xmlNode *c;
	struct mgc_pml *p;

	XMLU_FOREACH(c, n, "PresentationManifestLocator") {
		if (s->npml == MGC_MAX_PML) {
			*truncated = 1;
			break;
		}
		p = &s->pml[s->npml++];
		if ((p->url = xmlu_text_dup(c)) == NULL ||
		    mgc_dup_attr(c, "manifestId", "", &p->manifest_id) < 0 ||
		    mgc_dup_attr(c, "contentType", "", &p->content_type) < 0 ||
		    mgc_dup_attr(c, "transportObjectURI", NULL,
		    &p->object_uri) < 0 ||
		    mgc_dup_attr(c, "contentPlaybackPathPattern", NULL,
		    &p->path_pattern) < 0)
			return -1;
	}
	return 0;
}

/* A new, zeroed slot in m->services, or NULL when out of memory. */
static struct mgc_service *
mgc_service_slot(struct mgc_ctx *cx)
{
	struct mgc *m = cx->m;
	struct mgc_service *grown;
	size_t cap;

	if (m->nservices == cx->svc_cap) {
		cap = mgc_next_cap(cx->svc_cap, MGC_MAX_SERVICES);
		grown = realloc(m->services, cap * sizeof(*grown));
		if (grown == NULL)
			return NULL;
		m->services = grown;
		cx->svc_cap = cap;
	}
	memset(&m->services[m->nservices], 0, sizeof(m->services[0]));
	return &m->services[m->nservices++];
}

/*
 * A MulticastSession and its MulticastTransportSession elements, which
 * thereby sit together in m->ts.  Without @serviceIdentifier nothing can
 * name the service, so it is skipped and its sessions count as dropped.
 */
static int
mgc_add_service(struct mgc_ctx *cx, const xmlNode *n)
{
	const char *id = xmlu_attr(n, "serviceIdentifier");
	struct mgc *m = cx->m;
	struct mgc_service *s;
	const xmlNode *c;
	size_t idx;

	if (id == NULL || *id == '\0') {
		XMLU_FOREACH(c, n, "MulticastTransportSession")
			m->dropped_sessions++;
		return 0;
	}
	if (m->nservices == MGC_MAX_SERVICES) {
		m->truncated = 1;
		return 0;
	}
	if ((s = mgc_service_slot(cx)) == NULL)
		return -1;
	idx = m->nservices - 1;
	s->playback_offset_ms = mgc_attr_dur(n,
	    "contentPlaybackAvailabilityOffset");
	if (mgc_dup(id, &s->id) < 0 ||
	    mgc_service_pml(n, s, &m->truncated) < 0)
		return -1;
	s->first_ts = m->nts;
	XMLU_FOREACH(c, n, "MulticastTransportSession") {
		if (mgc_add_ts(cx, c, (int)idx, id) < 0)
			return -1;
	}
	s->nts = m->nts - s->first_ts;
	return 0;
}

/* The root's name, and a MulticastSessionConfiguration namespace (any year). */
static int
mgc_check_root(const xmlNode *root, struct mgc *m, char *err, size_t errlen)
{
	const size_t plen = sizeof(MGC_NS_PREFIX) - 1;
	const char *ns = NULL;

	if (!xmlu_is(root, "MulticastGatewayConfiguration")) {
		snprintf(err, errlen, MGC_WHAT ": root element %.64s is not "
		    "MulticastGatewayConfiguration", (const char *)root->name);
		return -1;
	}
	if (root->ns != NULL && root->ns->href != NULL)
		ns = (const char *)root->ns->href;
	if (ns == NULL || strncmp(ns, MGC_NS_PREFIX, plen) != 0 ||
	    ns[plen] == '\0' || strlen(ns) >= sizeof(m->ns)) {
		snprintf(err, errlen, MGC_WHAT ": namespace %.96s is not "
		    MGC_NS_PREFIX "<year>", ns != NULL ? ns : "(none)");
		return -1;
	}
	memcpy(m->ns, ns, strlen(ns) + 1);
	return 0;
}

/* schemaVersion, validUntil, validityPeriod: ignored when they do not parse. */
static void
mgc_root_attrs(const xmlNode *root, struct mgc *m)
{
	const char *v;
	uint64_t u;

	if ((v = xmlu_attr(root, "schemaVersion")) != NULL &&
	    xmlu_u64(v, INT_MAX, &u) == 0)
		m->schema_version = (int)u;
	if ((v = xmlu_attr(root, "validUntil")) != NULL &&
	    xmlu_timepoint_ms(v, &m->valid_until_ms) == 0)
		m->has_valid_until = 1;
	if ((v = xmlu_attr(root, "validityPeriod")) != NULL &&
	    xmlu_duration_ms(v, &m->validity_period_ms) == 0)
		m->has_validity_period = 1;
}

int
mgc_parse(const void *buf, size_t len, struct mgc *out, char *err,
    size_t errlen)
{
	struct mgc_ctx cx;
	const xmlNode *root, *c;
	xmlDocPtr doc;
	int rc = -1, r;

	memset(out, 0, sizeof(*out));
	if ((doc = xmlu_parse(buf, len, MGC_WHAT, err, errlen)) == NULL)
		return -1;
	root = xmlDocGetRootElement(doc);
	if (mgc_check_root(root, out, err, errlen) < 0)
		goto out_free_doc;
	out->schema_version = -1;
	mgc_root_attrs(root, out);
	memset(&cx, 0, sizeof(cx));
	cx.m = out;
	XMLU_FOREACH(c, root, NULL) {
		if (xmlu_is(c, "MulticastGatewayConfigurationTransportSession"))
			r = mgc_add_ts(&cx, c, -1, NULL);
		else if (xmlu_is(c, "MulticastSession"))
			r = mgc_add_service(&cx, c);
		else
			continue;
		if (r < 0) {
			snprintf(err, errlen, MGC_WHAT ": out of memory");
			goto out_free_doc;
		}
	}
	rc = 0;
out_free_doc:
	if (rc < 0)
		mgc_free(out);
	xmlFreeDoc(doc);
	return rc;
}

static void
mgc_service_clear(struct mgc_service *s)
{
	size_t i;

	free(s->id);
	for (i = 0; i < s->npml; i++) {
		free(s->pml[i].manifest_id);
		free(s->pml[i].content_type);
		free(s->pml[i].url);
		free(s->pml[i].object_uri);
		free(s->pml[i].path_pattern);
	}
}

void
mgc_free(struct mgc *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nts; i++)
		mgc_ts_clear(&m->ts[i]);
	free(m->ts);
	for (i = 0; i < m->nservices; i++)
		mgc_service_clear(&m->services[i]);
	free(m->services);
	memset(m, 0, sizeof(*m));
}

const struct mgc_service *
mgc_service_find(const struct mgc *m, const char *service_id)
{
	size_t i;

	if (m == NULL || service_id == NULL)
		return NULL;
	for (i = 0; i < m->nservices; i++) {
		if (m->services[i].id != NULL &&
		    strcmp(m->services[i].id, service_id) == 0)
			return &m->services[i];
	}
	return NULL;
}

int
mgc_ts_serves(const struct mgc_ts *t, const char *service_id)
{
	size_t i;

	if (t == NULL || service_id == NULL)
		return 0;
	for (i = 0; i < t->nrefs; i++) {
		if (t->refs[i].service_id != NULL &&
		    strcmp(t->refs[i].service_id, service_id) == 0)
			return 1;
	}
	return 0;
}
