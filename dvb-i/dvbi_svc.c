/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dvbi_svc.c: one DVB-I Service or TestService element into a struct
 * dvbi_service (dvbi-and-hls.md 1.2, 1.3 and 1.5).  dvbi.c walks the list
 * and calls dvbi_svc_parse for each service; everything else here is
 * private.
 *
 * Elements are matched by local name only, so tva: children in the wrong
 * namespace and URI in the main or the types namespace are all found.
 * A ServiceInstance takes the first delivery element it recognises; the
 * schema allows one (plus an optional SAT>IP companion we ignore).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dvbi.h"
#include "xmlu.h"

/* Shared with dvbi.c, which declares the same two prototypes. */
#include "dvbi_int.h"

/* The HowRelated suffix of a service logo (HowRelatedCS 2020, 2021...). */
#define DVBI_LOGO_SUFFIX	":1001.2"

/*
 * A copy of s into *out, NULL for NULL or "" (an empty locator or name
 * is as good as none).  0, or -1 when out of memory.
 */
static int
dvbi_svc_dup(const char *s, char **out)
{
	*out = NULL;
	if (s == NULL || *s == '\0')
		return 0;
	*out = strdup(s);
	return *out != NULL ? 0 : -1;
}

int
dvbi_text(const xmlNode *n, char **out)
{
	*out = NULL;
	if (n == NULL)
		return 0;
	if ((*out = xmlu_text_dup(n)) == NULL)
		return -1;
	if (**out == '\0') {
		free(*out);
		*out = NULL;
	}
	return 0;
}

/* The first element below n (depth first, n excluded) named local. */
static const xmlNode *
dvbi_svc_find(const xmlNode *n, const char *local)
{
	const xmlNode *c, *hit;

	XMLU_FOREACH(c, n, NULL) {
		if (xmlu_is(c, local))
			return c;
		if ((hit = dvbi_svc_find(c, local)) != NULL)
			return hit;
	}
	return NULL;
}

/*
 * @priority: nonNegativeInteger, default 0 (dvbi_v1.0 typed it integer,
 * so a negative value is read as 0, the most preferred).  A value that is
 * not a number is kept but ranked last, so that a broken instance never
 * wins over a good one; one too big for 32 bits is saturated.
 */
static uint32_t
dvbi_svc_priority(const char *s)
{
	uint64_t v;
	const char *p = s;

	if (s == NULL)
		return 0;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p == '-' && xmlu_u64(p + 1, UINT64_MAX, &v) == 0)
		return 0;
	if (xmlu_u64(s, UINT64_MAX, &v) < 0)
		return UINT32_MAX;
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* 1 if the MIME type names an HLS playlist (RFC 8216 4, legacy x-). */
static int
dvbi_svc_hls_type(const char *ct)
{
	static const char *const types[] = {
		"application/vnd.apple.mpegurl", "audio/mpegurl",
		"application/x-mpegurl", "audio/x-mpegurl",
	};
	size_t i, n;

	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, "; \t");
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (n == strlen(types[i]) && strncasecmp(ct, types[i], n) == 0)
			return 1;
	return 0;
}

/* 1 if the path of url (query and fragment cut) ends in ".m3u8". */
static int
dvbi_svc_m3u8(const char *url)
{
	size_t n;

	if (url == NULL)
		return 0;
	n = strcspn(url, "?#");
	return n >= 5 && strncasecmp(url + n - 5, ".m3u8", 5) == 0;
}

/* DASHDeliveryParameters/UriBasedLocation/URI and its @contentType. */
static int
dvbi_svc_dash(const xmlNode *d, struct dvbi_instance *in)
{
	const xmlNode *loc = xmlu_child(d, "UriBasedLocation");

	in->kind = DVBI_KIND_DASH;
	if (loc == NULL)
		return 0;
	if (dvbi_svc_dup(xmlu_attr(loc, "contentType"), &in->content_type) < 0)
		return -1;
	return dvbi_text(xmlu_child(loc, "URI"), &in->url);
}

/* IdentifierBasedDeliveryParameters: the URL is the element's text. */
static int
dvbi_svc_ident(const xmlNode *d, struct dvbi_instance *in)
{
	if (dvbi_svc_dup(xmlu_attr(d, "contentType"), &in->content_type) < 0 ||
	    dvbi_text(d, &in->url) < 0)
		return -1;
	in->kind = dvbi_svc_hls_type(in->content_type) ||
	    dvbi_svc_m3u8(in->url) ? DVBI_KIND_HLS : DVBI_KIND_IDENTIFIER;
	return 0;
}

/*
 * OtherDeliveryParameters: the schema's HLS extension (extensionName
 * vnd.apple.mpegurl, hls:UriBasedLocation/URI) or a private one such as
 * ARD's APPLE-HLS.0 (HLSUrl/URI).  Either way the locator is the first
 * URI below, and its content type the nearest @contentType on the way
 * up; it is HLS if any of the three says so.
 */
static int
dvbi_svc_other(const xmlNode *d, struct dvbi_instance *in)
{
	const char *ext = xmlu_attr(d, "extensionName"), *ct = NULL;
	const xmlNode *uri = dvbi_svc_find(d, "URI"), *p;

	in->kind = DVBI_KIND_OTHER;
	for (p = uri; p != NULL && p != d->parent && ct == NULL; p = p->parent)
		ct = xmlu_attr(p, "contentType");
	if (dvbi_svc_dup(ct, &in->content_type) < 0 ||
	    dvbi_text(uri, &in->url) < 0)
		return -1;
	if ((ext != NULL && strcasecmp(ext, "vnd.apple.mpegurl") == 0) ||
	    dvbi_svc_hls_type(ct) || dvbi_svc_m3u8(in->url))
		in->kind = DVBI_KIND_HLS;
	return 0;
}

/* A DVBTriplet attribute: a number up to max, 0 when absent or bad. */
static uint32_t
dvbi_svc_id16(const xmlNode *t, const char *name)
{
	uint64_t v;

	if (xmlu_u64(xmlu_attr(t, name), UINT16_MAX, &v) < 0)
		return 0;
	return (uint32_t)v;
}

/* DVB-S/T/C: the triplet, and for S the tuning texts as written. */
static int
dvbi_svc_broadcast(const xmlNode *d, enum dvbi_kind kind,
    struct dvbi_instance *in)
{
	const xmlNode *t = xmlu_child(d, "DVBTriplet");

	in->kind = kind;
	in->onid = dvbi_svc_id16(t, "origNetId");
	in->tsid = dvbi_svc_id16(t, "tsId");
	in->sid = dvbi_svc_id16(t, "serviceId");
	if (kind != DVBI_KIND_DVBS)
		return 0;
	if (dvbi_text(xmlu_child(d, "Frequency"), &in->frequency) < 0 ||
	    dvbi_text(xmlu_child(d, "Polarization"),
	    &in->polarization) < 0 ||
	    dvbi_text(xmlu_child(d, "OrbitalPosition"),
	    &in->orbital_position) < 0)
		return -1;
	return 0;
}

/* One ServiceInstance.  0, or -1 when out of memory. */
static int
dvbi_svc_instance(const xmlNode *n, struct dvbi_instance *in)
{
	const xmlNode *c;

	in->priority = dvbi_svc_priority(xmlu_attr(n, "priority"));
	in->kind = DVBI_KIND_OTHER;
	XMLU_FOREACH(c, n, NULL) {
		if (xmlu_is(c, "DASHDeliveryParameters"))
			return dvbi_svc_dash(c, in);
		if (xmlu_is(c, "IdentifierBasedDeliveryParameters"))
			return dvbi_svc_ident(c, in);
		if (xmlu_is(c, "OtherDeliveryParameters"))
			return dvbi_svc_other(c, in);
		if (xmlu_is(c, "DVBSDeliveryParameters"))
			return dvbi_svc_broadcast(c, DVBI_KIND_DVBS, in);
		if (xmlu_is(c, "DVBTDeliveryParameters"))
			return dvbi_svc_broadcast(c, DVBI_KIND_DVBT, in);
		if (xmlu_is(c, "DVBCDeliveryParameters"))
			return dvbi_svc_broadcast(c, DVBI_KIND_DVBC, in);
	}
	return 0;
}

/* The logo: MediaUri of a RelatedMaterial whose HowRelated is 1001.2. */
static int
dvbi_svc_logo(const xmlNode *rm, struct dvbi_service *s)
{
	const char *href = xmlu_attr(xmlu_child(rm, "HowRelated"), "href");
	size_t n, k = strlen(DVBI_LOGO_SUFFIX);

	if (s->logo != NULL || href == NULL || (n = strlen(href)) < k ||
	    strcmp(href + n - k, DVBI_LOGO_SUFFIX) != 0)
		return 0;
	return dvbi_text(dvbi_svc_find(rm, "MediaUri"), &s->logo);
}

/* A ServiceName with its xml:lang; empty names are skipped. */
static int
dvbi_svc_name(const xmlNode *n, struct dvbi_service *s, uint8_t *truncated)
{
	struct dvbi_name *nm;
	char *text;

	if (dvbi_text(n, &text) < 0)
		return -1;
	if (text == NULL)
		return 0;
	if (s->nnames == DVBI_MAX_NAMES) {
		*truncated = 1;
		free(text);
		return 0;
	}
	nm = &s->names[s->nnames++];
	nm->text = text;
	return dvbi_svc_dup(xmlu_attr(n, "lang"), &nm->lang);
}

/* The fields that are simple texts or attributes, first one wins. */
static int
dvbi_svc_simple(const xmlNode *c, struct dvbi_service *s, uint8_t *truncated)
{
	if (xmlu_is(c, "UniqueIdentifier"))
		return s->id != NULL ? 0 : dvbi_text(c, &s->id);
	if (xmlu_is(c, "ProviderName"))
		return s->provider != NULL ? 0 : dvbi_text(c, &s->provider);
	if (xmlu_is(c, "ServiceType"))
		return s->type != NULL ? 0 :
		    dvbi_svc_dup(xmlu_attr(c, "href"), &s->type);
	if (xmlu_is(c, "ContentGuideSourceRef"))
		return s->cg_ref != NULL ? 0 : dvbi_text(c, &s->cg_ref);
	if (xmlu_is(c, "ContentGuideServiceRef"))
		return s->cg_service_ref != NULL ? 0 :
		    dvbi_text(c, &s->cg_service_ref);
	if (xmlu_is(c, "ServiceGenre") && xmlu_attr(c, "href") != NULL) {
		if (s->ngenres == DVBI_MAX_GENRES) {
			*truncated = 1;
			return 0;
		}
		if (dvbi_svc_dup(xmlu_attr(c, "href"), &s->genres[s->ngenres]) < 0)
			return -1;
		if (s->genres[s->ngenres] != NULL)
			s->ngenres++;
	}
	return 0;
}

/*
 * Fill s from a Service or TestService element.  0 (s->id stays NULL when
 * the service has no UniqueIdentifier: the caller drops it), or -1 when
 * out of memory.  Either way s is left for dvbi_svc_free.
 */
int
dvbi_svc_parse(const xmlNode *n, struct dvbi_service *s, uint8_t *truncated)
{
	const xmlNode *c;
	uint64_t v;

	s->test = xmlu_is(n, "TestService");
	if (xmlu_u64(xmlu_attr(n, "version"), UINT64_MAX, &v) == 0)
		s->version = v;
	XMLU_FOREACH(c, n, NULL) {
		int rc = 0;

		if (xmlu_is(c, "ServiceInstance")) {
			if (s->ninstances == DVBI_MAX_INSTANCES)
				*truncated = 1;
			else
				rc = dvbi_svc_instance(c,
				    &s->instances[s->ninstances++]);
		} else if (xmlu_is(c, "ServiceName")) {
			rc = dvbi_svc_name(c, s, truncated);
		} else if (xmlu_is(c, "RelatedMaterial")) {
			rc = dvbi_svc_logo(c, s);
		} else {
			rc = dvbi_svc_simple(c, s, truncated);
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

void
dvbi_svc_free(struct dvbi_service *s)
{
	size_t i;

	for (i = 0; i < s->nnames; i++) {
		free(s->names[i].lang);
		free(s->names[i].text);
	}
	for (i = 0; i < s->ngenres; i++)
		free(s->genres[i]);
	for (i = 0; i < s->ninstances; i++) {
		free(s->instances[i].url);
		free(s->instances[i].content_type);
		free(s->instances[i].frequency);
		free(s->instances[i].polarization);
		free(s->instances[i].orbital_position);
	}
	free(s->id);
	free(s->provider);
	free(s->type);
	free(s->logo);
	free(s->cg_ref);
	free(s->cg_service_ref);
	memset(s, 0, sizeof(*s));
}
