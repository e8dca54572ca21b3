/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mgc_ts.c: one transport session of a MulticastGatewayConfiguration,
 * either a MulticastTransportSession of a MulticastSession or a
 * MulticastGatewayConfigurationTransportSession (TS 103 769 clauses
 * 10.2.3 to 10.2.5; protocols.md 5.2 to 5.4).  Everything read from the
 * document is checked here: a session is only kept with at least one
 * EndpointAddress a receiver can join.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mgc_int.h"
#include "xmlu.h"

#define MGC_XSI_NS	"http://www.w3.org/2001/XMLSchema-instance"
#define MGC_FEC_URN	"urn:ietf:rmt:fec:encoding:"

/* Parse an IPv4 or IPv6 address: its family and whether it is multicast. */
static int
mgc_addr(const char *s, int *family, int *mcast)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		*family = AF_INET;
		*mcast = IN_MULTICAST(ntohl(a4.s_addr));
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a6) == 1) {
		*family = AF_INET6;
		*mcast = IN6_IS_ADDR_MULTICAST(&a6);
		return 0;
	}
	return -1;
}

/* The optional NetworkSourceAddress: "" (ASM) or unicast of family af. */
static int
mgc_endpoint_source(const xmlNode *n, int af, struct mgc_endpoint *ep)
{
	const xmlNode *c;
	int family, mcast;

	if ((c = xmlu_child(n, "NetworkSourceAddress")) == NULL)
		return 0;
	if (xmlu_text(c, ep->source, sizeof(ep->source)) < 0)
		return -1;
	if (ep->source[0] == '\0')
		return 0;
	if (mgc_addr(ep->source, &family, &mcast) < 0 || family != af ||
	    mcast)
		return -1;
	return 0;
}

/*
 * One EndpointAddress into *ep.  0 if a receiver can use it: a multicast
 * group, a port in 1..65535, a numeric TSI when one is given (none means
 * any TSI on that port), and a unicast source of the group's family when
 * one is given.
 */
static int
mgc_endpoint_parse(const xmlNode *n, struct mgc_endpoint *ep)
{
	const xmlNode *c;
	char num[32];
	uint64_t v;
	int af, mcast;

	memset(ep, 0, sizeof(*ep));
	if (xmlu_child_text(n, "NetworkDestinationGroupAddress", ep->group,
	    sizeof(ep->group)) <= 0 || mgc_addr(ep->group, &af, &mcast) < 0 ||
	    !mcast || mgc_endpoint_source(n, af, ep) < 0)
		return -1;
	if (xmlu_child_text(n, "TransportDestinationPort", num,
	    sizeof(num)) < 0 || xmlu_u64(num, 65535, &v) < 0 || v == 0)
		return -1;
	ep->port = (uint16_t)v;
	if ((c = xmlu_child(n, "MediaTransportSessionIdentifier")) != NULL) {
		if (xmlu_text(c, num, sizeof(num)) < 0 ||
		    xmlu_u64(num, UINT64_MAX, &ep->tsi) < 0)
			return -1;
		ep->has_tsi = 1;
	}
	return 0;
}

/* Every usable EndpointAddress, up to MGC_MAX_EP; bad ones are skipped. */
static void
mgc_ts_endpoints(const xmlNode *n, struct mgc_ts *t, uint8_t *truncated)
{
	const xmlNode *c;

	XMLU_FOREACH(c, n, "EndpointAddress") {
		if (t->nendpoints == MGC_MAX_EP) {
			*truncated = 1;
			break;
		}
		if (mgc_endpoint_parse(c, &t->endpoints[t->nendpoints]) == 0)
			t->nendpoints++;
	}
	if (t->nendpoints < MGC_MAX_EP)
		memset(&t->endpoints[t->nendpoints], 0,
		    sizeof(t->endpoints[0]));
}

/*
 * ForwardErrorCorrectionParameters.  An entry whose SchemeIdentifier is
 * not urn:ietf:rmt:fec:encoding:<0..255> is skipped; one whose repair
 * EndpointAddress is unusable is kept without it, since the source
 * symbols on the session itself are still fine.
 */
static void
mgc_ts_fec(const xmlNode *n, struct mgc_ts *t, uint8_t *truncated)
{
	const size_t plen = sizeof(MGC_FEC_URN) - 1;
	const xmlNode *c, *ep;
	struct mgc_fec *f;
	char buf[64];
	uint64_t v;

	XMLU_FOREACH(c, n, "ForwardErrorCorrectionParameters") {
		if (t->nfec == MGC_MAX_FEC) {
			*truncated = 1;
			break;
		}
		f = &t->fec[t->nfec];
		memset(f, 0, sizeof(*f));
		if (xmlu_child_text(c, "SchemeIdentifier", buf,
		    sizeof(buf)) < 0 ||
		    strncasecmp(buf, MGC_FEC_URN, plen) != 0 ||
		    xmlu_u64(buf + plen, 255, &v) < 0)
			continue;
		f->fei = (uint8_t)v;
		if (xmlu_child_text(c, "OverheadPercentage", buf,
		    sizeof(buf)) >= 0 && xmlu_u64(buf, UINT32_MAX, &v) == 0)
			f->overhead_pct = (uint32_t)v;
		ep = xmlu_child(c, "EndpointAddress");
		if (ep != NULL && mgc_endpoint_parse(ep, &f->endpoint) == 0)
			f->has_endpoint = 1;
		else
			memset(&f->endpoint, 0, sizeof(f->endpoint));
		t->nfec++;
	}
}

/* UnicastRepairParameters (0..1); -1 only when out of memory. */
static int
mgc_ts_repair(const xmlNode *n, struct mgc_ts *t, uint8_t *truncated)
{
	struct mgc_repair *r = &t->repair;
	struct mgc_baseurl *b;
	const xmlNode *c;
	const char *w;
	uint64_t v;

	if ((n = xmlu_child(n, "UnicastRepairParameters")) == NULL)
		return 0;
	t->has_repair = 1;
	if (mgc_dup_attr(n, "transportObjectBaseURI", NULL,
	    &r->object_base_uri) < 0)
		return -1;
	r->reception_timeout_ms = (uint32_t)mgc_attr_ms(n,
	    "transportObjectReceptionTimeout", UINT32_MAX);
	r->fixed_backoff_ms = (uint32_t)mgc_attr_ms(n, "fixedBackOffPeriod",
	    UINT32_MAX);
	r->random_backoff_ms = (uint32_t)mgc_attr_ms(n, "randomBackOffPeriod",
	    UINT32_MAX);
	XMLU_FOREACH(c, n, "BaseURL") {
		if (r->nbase == MGC_MAX_BASEURL) {
			*truncated = 1;
			break;
		}
		b = &r->base[r->nbase];
		if ((b->url = xmlu_text_dup(c)) == NULL)
			return -1;
		if (b->url[0] == '\0') {
			free(b->url);
			b->url = NULL;
			continue;
		}
		/* A weight that is not a number counts as absent: 1. */
		w = xmlu_attr(c, "relativeWeight");
		b->weight = w != NULL && xmlu_u64(w, UINT32_MAX, &v) == 0 ?
		    (uint32_t)v : 1;
		r->nbase++;
	}
	return 0;
}

/* Children of n named a or b (b may be NULL), counted up to max. */
static size_t
mgc_count(const xmlNode *n, const char *a, const char *b, size_t max,
    uint8_t *truncated)
{
	const xmlNode *c;
	size_t k = 0;

	XMLU_FOREACH(c, n, NULL) {
		if (!xmlu_is(c, a) && (b == NULL || !xmlu_is(c, b)))
			continue;
		if (k == max) {
			*truncated = 1;
			break;
		}
		k++;
	}
	return k;
}

/* ObjectCarousel/ResourceLocator: URIs that are not empty. */
static int
mgc_carousel_locators(const xmlNode *oc, struct mgc_ts *t,
    uint8_t *truncated)
{
	struct mgc_locator *l;
	const xmlNode *c;
	size_t cap;

	cap = mgc_count(oc, "ResourceLocator", NULL, MGC_MAX_LOCATORS,
	    truncated);
	if (cap == 0)
		return 0;
	if ((t->locators = calloc(cap, sizeof(*t->locators))) == NULL)
		return -1;
	XMLU_FOREACH(c, oc, "ResourceLocator") {
		if (t->nlocators == cap)
			break;
		/* Counted before filling, so mgc_ts_clear frees it. */
		l = &t->locators[t->nlocators++];
		if ((l->uri = xmlu_text_dup(c)) == NULL)
			return -1;
		if (l->uri[0] == '\0') {
			free(l->uri);
			l->uri = NULL;
			t->nlocators--;
			continue;
		}
		l->latency_ms = mgc_attr_dur(c, "targetAcquisitionLatency");
	}
	return 0;
}

/*
 * One PresentationManifests or InitSegments.  Without @serviceIdRef it
 * belongs to the owning service (svc_id); in a gateway session it then
 * names no service and is skipped (1).
 */
static int
mgc_ref_parse(const xmlNode *c, const char *svc_id, struct mgc_svcref *r)
{
	const char *sid = xmlu_attr(c, "serviceIdRef");

	if (sid == NULL || *sid == '\0')
		sid = svc_id;
	if (sid == NULL)
		return 1;
	r->init = xmlu_is(c, "InitSegments");
	r->latency_ms = mgc_attr_dur(c, "targetAcquisitionLatency");
	if (mgc_dup(sid, &r->service_id) < 0 ||
	    mgc_dup_attr(c, "transportSessionIdRef", NULL, &r->ts_id) < 0)
		return -1;
	return 0;
}

/* ObjectCarousel/PresentationManifests and InitSegments, in order. */
static int
mgc_carousel_refs(const xmlNode *oc, const char *svc_id, struct mgc_ts *t,
    uint8_t *truncated)
{
	const xmlNode *c;
	size_t cap;
	int r;

	cap = mgc_count(oc, "PresentationManifests", "InitSegments",
	    MGC_MAX_REFS, truncated);
	if (cap == 0)
		return 0;
	if ((t->refs = calloc(cap, sizeof(*t->refs))) == NULL)
		return -1;
	XMLU_FOREACH(c, oc, NULL) {
		if (!xmlu_is(c, "PresentationManifests") &&
		    !xmlu_is(c, "InitSegments"))
			continue;
		if (t->nrefs == cap)
			break;
		r = mgc_ref_parse(c, svc_id, &t->refs[t->nrefs++]);
		if (r < 0)
			return -1;
		if (r > 0)
			t->nrefs--;
	}
	return 0;
}

/* ObjectCarousel (0..1). */
static int
mgc_ts_carousel(const xmlNode *n, const char *svc_id, struct mgc_ts *t,
    uint8_t *truncated)
{
	const xmlNode *oc;
	const char *v;
	uint64_t u;

	if ((oc = xmlu_child(n, "ObjectCarousel")) == NULL)
		return 0;
	t->has_carousel = 1;
	if ((v = xmlu_attr(oc, "aggregateTransportSize")) != NULL &&
	    xmlu_u64(v, UINT64_MAX, &u) == 0)
		t->carousel_transport_size = u;
	if ((v = xmlu_attr(oc, "aggregateContentSize")) != NULL &&
	    xmlu_u64(v, UINT64_MAX, &u) == 0)
		t->carousel_content_size = u;
	if (mgc_carousel_locators(oc, t, truncated) < 0 ||
	    mgc_carousel_refs(oc, svc_id, t, truncated) < 0)
		return -1;
	return 0;
}

/*
 * The kind of a ServiceComponentIdentifier from its xsi:type, a QName
 * whose prefix is whatever the writer chose (or none): only the local
 * part counts.  No xsi:type, or an unknown one, is generic.
 */
static enum mgc_comp_kind
mgc_comp_kind(const xmlNode *n)
{
	const xmlAttr *a;
	const char *v, *colon;

	for (a = n->properties; a != NULL; a = a->next) {
		if (a->name != NULL && a->ns != NULL && a->ns->href != NULL &&
		    strcmp((const char *)a->name, "type") == 0 &&
		    strcmp((const char *)a->ns->href, MGC_XSI_NS) == 0)
			break;
	}
	if (a == NULL || a->children == NULL ||
	    a->children->type != XML_TEXT_NODE || a->children->content == NULL)
		return MGC_COMP_GENERIC;
	v = (const char *)a->children->content;
	if ((colon = strrchr(v, ':')) != NULL)
		v = colon + 1;
	if (strcmp(v, "DASHComponentIdentifierType") == 0)
		return MGC_COMP_DASH;
	if (strcmp(v, "HLSComponentIdentifierType") == 0)
		return MGC_COMP_HLS;
	return MGC_COMP_GENERIC;
}

/*
 * One ServiceComponentIdentifier.  Every attribute found is kept, even
 * one that does not belong to the kind: harmless, and a consumer reads
 * only the fields of the kind.
 */
static int
mgc_comp_parse(const xmlNode *c, struct mgc_component *k)
{
	k->kind = mgc_comp_kind(c);
	if (mgc_dup_attr(c, "manifestIdRef", "", &k->manifest_id_ref) < 0 ||
	    mgc_dup_attr(c, "mediaPlaylistLocator", NULL,
	    &k->media_playlist) < 0 ||
	    mgc_dup_attr(c, "periodIdentifier", NULL, &k->period_id) < 0 ||
	    mgc_dup_attr(c, "adaptationSetIdentifier", NULL,
	    &k->adaptation_set_id) < 0 ||
	    mgc_dup_attr(c, "representationIdentifier", NULL,
	    &k->representation_id) < 0 ||
	    mgc_dup_attr(c, "componentIdentifier", NULL,
	    &k->component_id) < 0)
		return -1;
	return 0;
}

/* ServiceComponentIdentifier (1..n in a service's session). */
static int
mgc_ts_components(const xmlNode *n, struct mgc_ts *t, uint8_t *truncated)
{
	const xmlNode *c;
	size_t cap;

	cap = mgc_count(n, "ServiceComponentIdentifier", NULL,
	    MGC_MAX_COMPONENTS, truncated);
	if (cap == 0)
		return 0;
	if ((t->components = calloc(cap, sizeof(*t->components))) == NULL)
		return -1;
	XMLU_FOREACH(c, n, "ServiceComponentIdentifier") {
		if (t->ncomponents == cap)
			break;
		if (mgc_comp_parse(c, &t->components[t->ncomponents++]) < 0)
			return -1;
	}
	return 0;
}

/* protocolIdentifier: a term whose last part names the protocol. */
static enum mgc_proto
mgc_proto(const char *id)
{
	const char *last;

	if (id == NULL)
		return MGC_PROTO_OTHER;
	last = strrchr(id, ':');
	last = last != NULL ? last + 1 : id;
	if (strcmp(last, "FLUTE") == 0)
		return MGC_PROTO_FLUTE;
	if (strcmp(last, "ROUTE") == 0)
		return MGC_PROTO_ROUTE;
	return MGC_PROTO_OTHER;
}

static enum mgc_security
mgc_security(const char *v)
{
	if (v != NULL && strcmp(v, "integrity") == 0)
		return MGC_SEC_INTEGRITY;
	if (v != NULL && strcmp(v, "integrityAndAuthenticity") == 0)
		return MGC_SEC_INTEGRITY_AUTH;
	return MGC_SEC_NONE;
}

/* TransportProtocol and BitRate: numbers that do not parse stay 0. */
static void
mgc_ts_protocol(const xmlNode *n, struct mgc_ts *t)
{
	const xmlNode *c;
	const char *v;
	uint64_t u;

	if ((c = xmlu_child(n, "TransportProtocol")) != NULL) {
		t->proto = mgc_proto(xmlu_attr(c, "protocolIdentifier"));
		if ((v = xmlu_attr(c, "protocolVersion")) != NULL &&
		    xmlu_u64(v, UINT32_MAX, &u) == 0)
			t->proto_version = (uint32_t)u;
	}
	if ((c = xmlu_child(n, "BitRate")) != NULL) {
		if ((v = xmlu_attr(c, "average")) != NULL &&
		    xmlu_u64(v, UINT64_MAX, &u) == 0)
			t->bitrate_avg = u;
		if ((v = xmlu_attr(c, "maximum")) != NULL &&
		    xmlu_u64(v, UINT64_MAX, &u) == 0)
			t->bitrate_max = u;
	}
}

/* The session's own attributes. */
static int
mgc_ts_attrs(const xmlNode *n, struct mgc_ts *t)
{
	const char *v;

	if (mgc_dup_attr(n, "id", NULL, &t->id) < 0 ||
	    mgc_dup_attr(n, "serviceClass", NULL, &t->service_class) < 0 ||
	    mgc_dup_attr(n, "tags", NULL, &t->tags) < 0)
		return -1;
	v = xmlu_attr(n, "transmissionMode");
	t->chunked = v != NULL && strcmp(v, "chunked") == 0;
	t->security = mgc_security(xmlu_attr(n, "transportSecurity"));
	t->idle_timeout_ms = (uint32_t)mgc_attr_ms(n, "sessionIdleTimeout",
	    UINT32_MAX);
	mgc_ts_protocol(n, t);
	return 0;
}

int
mgc_ts_parse(const xmlNode *n, const char *svc_id, struct mgc_ts *t,
    uint8_t *truncated)
{
	/* Endpoints first: a session nobody can join costs no more work. */
	mgc_ts_endpoints(n, t, truncated);
	if (t->nendpoints == 0)
		return MGC_TS_DROP;
	mgc_ts_fec(n, t, truncated);
	if (mgc_ts_attrs(n, t) < 0 || mgc_ts_repair(n, t, truncated) < 0 ||
	    mgc_ts_carousel(n, svc_id, t, truncated) < 0 ||
	    mgc_ts_components(n, t, truncated) < 0) {
		mgc_ts_clear(t);
		return -1;
	}
	return MGC_TS_KEEP;
}

void
mgc_ts_clear(struct mgc_ts *t)
{
	size_t i;

	free(t->id);
	free(t->service_class);
	free(t->tags);
	free(t->repair.object_base_uri);
	for (i = 0; i < t->repair.nbase; i++)
		free(t->repair.base[i].url);
	for (i = 0; i < t->nlocators; i++)
		free(t->locators[i].uri);
	free(t->locators);
	for (i = 0; i < t->nrefs; i++) {
		free(t->refs[i].service_id);
		free(t->refs[i].ts_id);
	}
	free(t->refs);
	for (i = 0; i < t->ncomponents; i++) {
		free(t->components[i].manifest_id_ref);
		free(t->components[i].media_playlist);
		free(t->components[i].period_id);
		free(t->components[i].adaptation_set_id);
		free(t->components[i].representation_id);
		free(t->components[i].component_id);
	}
	free(t->components);
	memset(t, 0, sizeof(*t));
}
