/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dvbi.c: the DVB-I service list parser (dvbi.h; dvbi-and-hls.md part 1):
 * the ServiceList itself, its RegionList, LCNTableList and
 * ContentGuideSource count, the lookups over the result, and the XSD of
 * each namespace year.  dvbi_svc.c reads the services.
 *
 * Real lists do not validate, so nothing here needs them to: elements
 * are found by local name, missing optional parts are NULL or 0, and a
 * part that cannot be used (a Service without UniqueIdentifier, an LCN
 * without a number or a serviceRef, a Region without regionID) is
 * dropped while the rest of the list is kept.  Only a document that is
 * not a service list at all (not XML, another root or namespace, no @id)
 * is refused.  Every array has a DVBI_MAX_* bound; what lies beyond it is
 * dropped and the list marked truncated.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "dvbi.h"
#include "xmlu.h"

/* Shared with dvbi_svc.c, which defines them. */
#include "dvbi_int.h"

#define DVBI_NS_PREFIX	"urn:dvb:metadata:servicediscovery:"

/*
 * A @version (positiveInteger): 0 when absent or not a number.  Some lists
 * use a timestamp (regions.xml: 20260604064012), hence 64 bits.
 */
static uint64_t
dvbi_version(const char *s)
{
	uint64_t v;

	if (xmlu_u64(s, UINT64_MAX, &v) < 0)
		return 0;
	return v;
}

/* Regions. */

/* Region elements with a regionID below n, nested ones included. */
static size_t
dvbi_region_count(const xmlNode *n)
{
	const xmlNode *c;
	size_t k = 0;

	XMLU_FOREACH(c, n, "Region") {
		const char *id = xmlu_attr(c, "regionID");

		k += (id != NULL && *id != '\0') + dvbi_region_count(c);
		if (k > DVBI_MAX_REGIONS)
			break;
	}
	return k;
}

/*
 * The Regions below n, in document order, each with the id of the Region
 * that encloses it (parent, borrowed from the tree).  A Region without
 * regionID is skipped but its children are kept, under its own parent.
 */
static int
dvbi_region_add(const xmlNode *n, const char *parent, struct dvbi_list *l,
    size_t cap)
{
	const xmlNode *c;

	XMLU_FOREACH(c, n, "Region") {
		const char *id = xmlu_attr(c, "regionID"), *mine = parent;

		if (id != NULL && *id != '\0') {
			struct dvbi_region *r;

			if (l->nregions == cap) {
				l->truncated = 1;
				return 0;
			}
			r = &l->regions[l->nregions++];
			if ((r->id = strdup(id)) == NULL ||
			    (parent != NULL &&
			    (r->parent = strdup(parent)) == NULL) ||
			    dvbi_text(xmlu_child(c, "RegionName"), &r->name) < 0)
				return -1;
			mine = id;
		}
		if (dvbi_region_add(c, mine, l, cap) < 0)
			return -1;
	}
	return 0;
}

/* Every RegionList child of the ServiceList. */
static int
dvbi_regions(const xmlNode *root, struct dvbi_list *l)
{
	const xmlNode *rl;
	size_t n = 0;

	XMLU_FOREACH(rl, root, "RegionList")
		n += dvbi_region_count(rl);
	if (n > DVBI_MAX_REGIONS) {
		n = DVBI_MAX_REGIONS;
		l->truncated = 1;
	}
	if (n == 0)
		return 0;
	if ((l->regions = calloc(n, sizeof(*l->regions))) == NULL)
		return -1;
	XMLU_FOREACH(rl, root, "RegionList")
		if (dvbi_region_add(rl, NULL, l, n) < 0)
			return -1;
	return 0;
}

/* LCN tables. */

/* Element children of n named local, counted up to max + 1. */
static size_t
dvbi_count(const xmlNode *n, const char *local, size_t max)
{
	const xmlNode *c;
	size_t k = 0;

	XMLU_FOREACH(c, n, local)
		if (++k > max)
			break;
	return k;
}

/* One LCN: dropped (0, nothing added) without a number or serviceRef. */
static int
dvbi_lcn_add(const xmlNode *c, struct dvbi_lcn_table *t)
{
	const char *ref = xmlu_attr(c, "serviceRef");
	struct dvbi_lcn *e = &t->lcns[t->nlcns];
	uint64_t num;
	int b;

	if (ref == NULL || *ref == '\0' ||
	    xmlu_u64(xmlu_attr(c, "channelNumber"), UINT32_MAX, &num) < 0)
		return 0;
	if ((e->service_ref = strdup(ref)) == NULL)
		return -1;
	e->number = (uint32_t)num;
	/* xs:boolean with default true; a bad value is read as the default. */
	b = xmlu_bool(xmlu_attr(c, "visible"), 1);
	e->visible = b != 0;
	b = xmlu_bool(xmlu_attr(c, "selectable"), 1);
	e->selectable = b != 0;
	t->nlcns++;
	return 0;
}

/* The TargetRegion texts of an LCNTable (empty ones dropped). */
static int
dvbi_table_regions(const xmlNode *tn, struct dvbi_lcn_table *t)
{
	const xmlNode *c;
	size_t n = dvbi_count(tn, "TargetRegion", DVBI_MAX_REGIONS);

	if (n == 0)
		return 0;
	if ((t->regions = calloc(n, sizeof(*t->regions))) == NULL)
		return -1;
	XMLU_FOREACH(c, tn, "TargetRegion") {
		if (t->nregions == n)
			break;
		if (dvbi_text(c, &t->regions[t->nregions]) < 0)
			return -1;
		if (t->regions[t->nregions] != NULL)
			t->nregions++;
	}
	return 0;
}

/* One LCNTable: its TargetRegions and LCNs. */
static int
dvbi_table(const xmlNode *tn, struct dvbi_lcn_table *t, uint8_t *truncated)
{
	const xmlNode *c;
	size_t n = dvbi_count(tn, "LCN", DVBI_MAX_LCNS), i = 0;

	if (dvbi_table_regions(tn, t) < 0)
		return -1;
	if (n > DVBI_MAX_LCNS) {
		n = DVBI_MAX_LCNS;
		*truncated = 1;
	}
	if (n == 0)
		return 0;
	if ((t->lcns = calloc(n, sizeof(*t->lcns))) == NULL)
		return -1;
	XMLU_FOREACH(c, tn, "LCN") {
		if (i++ == n)
			break;
		if (dvbi_lcn_add(c, t) < 0)
			return -1;
	}
	return 0;
}

/* Every LCNTable of every LCNTableList. */
static int
dvbi_tables(const xmlNode *root, struct dvbi_list *l)
{
	const xmlNode *tl, *tn;
	size_t n = 0;

	XMLU_FOREACH(tl, root, "LCNTableList")
		n += dvbi_count(tl, "LCNTable", DVBI_MAX_TABLES);
	if (n > DVBI_MAX_TABLES) {
		n = DVBI_MAX_TABLES;
		l->truncated = 1;
	}
	if (n == 0)
		return 0;
	if ((l->tables = calloc(n, sizeof(*l->tables))) == NULL)
		return -1;
	XMLU_FOREACH(tl, root, "LCNTableList") {
		XMLU_FOREACH(tn, tl, "LCNTable") {
			if (l->ntables == n)
				return 0;
			if (dvbi_table(tn, &l->tables[l->ntables++],
			    &l->truncated) < 0)
				return -1;
		}
	}
	return 0;
}

/* Services. */

static int
dvbi_is_service(const xmlNode *n)
{
	return xmlu_is(n, "Service") || xmlu_is(n, "TestService");
}

/*
 * Service and TestService, in document order.  One without a
 * UniqueIdentifier cannot be referred to (LCN, NIP serviceIdRef, EPG), so
 * it is dropped and the others kept.
 */
static int
dvbi_services(const xmlNode *root, struct dvbi_list *l)
{
	const xmlNode *c;
	size_t n = 0;

	XMLU_FOREACH(c, root, NULL)
		if (dvbi_is_service(c) && ++n > DVBI_MAX_SERVICES)
			break;
	if (n > DVBI_MAX_SERVICES) {
		n = DVBI_MAX_SERVICES;
		l->truncated = 1;
	}
	if (n == 0)
		return 0;
	if ((l->services = calloc(n, sizeof(*l->services))) == NULL)
		return -1;
	XMLU_FOREACH(c, root, NULL) {
		struct dvbi_service *s;

		if (!dvbi_is_service(c))
			continue;
		if (l->nservices == n)
			break;
		s = &l->services[l->nservices];
		if (dvbi_svc_parse(c, s, &l->truncated) < 0) {
			dvbi_svc_free(s);
			return -1;
		}
		if (s->id == NULL)
			dvbi_svc_free(s);
		else
			l->nservices++;
	}
	return 0;
}

/* The list. */

/* ContentGuideSource elements, in a ContentGuideSourceList or alone. */
static size_t
dvbi_cg_sources(const xmlNode *root)
{
	const xmlNode *c;
	size_t k = 0;

	XMLU_FOREACH(c, root, NULL) {
		if (xmlu_is(c, "ContentGuideSource"))
			k++;
		else if (xmlu_is(c, "ContentGuideSourceList"))
			k += dvbi_count(c, "ContentGuideSource", SIZE_MAX - 1);
	}
	return k;
}

/* Everything below the root; -1 only when out of memory. */
static int
dvbi_fill(const xmlNode *root, struct dvbi_list *l)
{
	const char *ns = (const char *)root->ns->href;

	if (strlen(ns) >= sizeof(l->ns))
		l->truncated = 1;
	snprintf(l->ns, sizeof(l->ns), "%s", ns);
	l->version = dvbi_version(xmlu_attr(root, "version"));
	l->ncg_sources = dvbi_cg_sources(root);
	if ((l->id = strdup(xmlu_attr(root, "id"))) == NULL ||
	    dvbi_text(xmlu_child(root, "Name"), &l->name) < 0 ||
	    dvbi_text(xmlu_child(root, "ProviderName"), &l->provider) < 0 ||
	    dvbi_regions(root, l) < 0 || dvbi_tables(root, l) < 0 ||
	    dvbi_services(root, l) < 0)
		return -1;
	return 0;
}

int
dvbi_parse(const void *buf, size_t len, struct dvbi_list *out, char *err,
    size_t errlen)
{
	const char *id;
	xmlDocPtr doc;
	xmlNodePtr root;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if ((doc = xmlu_parse(buf, len, "service list", err, errlen)) == NULL)
		return -1;
	root = xmlDocGetRootElement(doc);
	id = xmlu_attr(root, "id");
	if (!xmlu_is(root, "ServiceList"))
		snprintf(err, errlen, "service list: the root element is <%.40s>, "
		    "not <ServiceList>", (const char *)root->name);
	else if (!xmlu_ns_has_prefix(root, DVBI_NS_PREFIX))
		snprintf(err, errlen, "service list: namespace \"%.80s\" is not "
		    DVBI_NS_PREFIX "*", root->ns != NULL ?
		    (const char *)root->ns->href : "");
	else if (id == NULL || *id == '\0')
		snprintf(err, errlen, "service list: ServiceList has no @id");
	else if (dvbi_fill(root, out) < 0)
		snprintf(err, errlen, "service list: out of memory");
	else
		rc = 0;
	if (rc < 0)
		dvbi_list_free(out);
	xmlFreeDoc(doc);
	return rc;
}

void
dvbi_list_free(struct dvbi_list *l)
{
	size_t i, j;

	if (l == NULL)
		return;
	for (i = 0; i < l->nservices; i++)
		dvbi_svc_free(&l->services[i]);
	for (i = 0; i < l->ntables; i++) {
		for (j = 0; j < l->tables[i].nregions; j++)
			free(l->tables[i].regions[j]);
		for (j = 0; j < l->tables[i].nlcns; j++)
			free(l->tables[i].lcns[j].service_ref);
		free(l->tables[i].regions);
		free(l->tables[i].lcns);
	}
	for (i = 0; i < l->nregions; i++) {
		free(l->regions[i].id);
		free(l->regions[i].name);
		free(l->regions[i].parent);
	}
	free(l->services);
	free(l->tables);
	free(l->regions);
	free(l->id);
	free(l->name);
	free(l->provider);
	memset(l, 0, sizeof(*l));
}

/* Lookups. */

/* The first table targeting region, or with no TargetRegion (NULL). */
static const struct dvbi_lcn_table *
dvbi_table_for(const struct dvbi_list *l, const char *region)
{
	size_t i, j;

	for (i = 0; i < l->ntables; i++) {
		const struct dvbi_lcn_table *t = &l->tables[i];

		if (region == NULL && t->nregions == 0)
			return t;
		for (j = 0; region != NULL && j < t->nregions; j++)
			if (strcmp(t->regions[j], region) == 0)
				return t;
	}
	return NULL;
}

/* The parent id of the first Region with this id, NULL if none. */
static const char *
dvbi_region_parent(const struct dvbi_list *l, const char *id)
{
	size_t i;

	for (i = 0; i < l->nregions; i++)
		if (strcmp(l->regions[i].id, id) == 0)
			return l->regions[i].parent;
	return NULL;
}

/*
 * The table for the region itself, else for its nearest ancestor, else
 * the default one.  The walk is bounded because duplicate regionIDs can
 * make the parent chain loop.  The chosen table is the whole line-up for
 * that region: a service it does not list has no LCN there, even if the
 * default table lists it.
 */
const struct dvbi_lcn *
dvbi_lcn_for(const struct dvbi_list *l, const char *service_id,
    const char *region)
{
	const struct dvbi_lcn_table *t = NULL;
	const char *r = region;
	size_t i, steps;

	if (l == NULL || service_id == NULL)
		return NULL;
	for (steps = 0; r != NULL && t == NULL && steps <= l->nregions; steps++) {
		t = dvbi_table_for(l, r);
		r = dvbi_region_parent(l, r);
	}
	if (t == NULL)
		t = dvbi_table_for(l, NULL);
	if (t == NULL)
		return NULL;
	for (i = 0; i < t->nlcns; i++)
		if (strcmp(t->lcns[i].service_ref, service_id) == 0)
			return &t->lcns[i];
	return NULL;
}

/*
 * The name in lang (case-insensitive), else one whose primary subtag
 * matches ("en" for "en-GB" and the other way round), else the first.
 */
const char *
dvbi_service_name(const struct dvbi_service *s, const char *lang)
{
	size_t i, k;

	if (s == NULL || s->nnames == 0)
		return NULL;
	if (lang == NULL)
		return s->names[0].text;
	for (i = 0; i < s->nnames; i++)
		if (s->names[i].lang != NULL &&
		    strcasecmp(s->names[i].lang, lang) == 0)
			return s->names[i].text;
	k = strcspn(lang, "-_");
	for (i = 0; i < s->nnames; i++) {
		const char *nl = s->names[i].lang;

		if (nl != NULL && strcspn(nl, "-_") == k &&
		    strncasecmp(nl, lang, k) == 0)
			return s->names[i].text;
	}
	return s->names[0].text;
}

/* 1 if in a plays over b: HLS first when asked, then lower @priority. */
static int
dvbi_better(const struct dvbi_instance *a, const struct dvbi_instance *b,
    int prefer_hls)
{
	int ah = a->kind == DVBI_KIND_HLS, bh = b->kind == DVBI_KIND_HLS;

	if (prefer_hls && ah != bh)
		return ah;
	return a->priority < b->priority;
}

/*
 * Among DASH, HLS and IDENTIFIER instances with a URL: with prefer_hls
 * any HLS one wins, otherwise (and among equals) the lowest @priority,
 * the first in document order on a tie.
 */
const struct dvbi_instance *
dvbi_playable(const struct dvbi_service *s, int prefer_hls)
{
	const struct dvbi_instance *best = NULL;
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < s->ninstances; i++) {
		const struct dvbi_instance *in = &s->instances[i];

		if (in->url == NULL || (in->kind != DVBI_KIND_DASH &&
		    in->kind != DVBI_KIND_HLS &&
		    in->kind != DVBI_KIND_IDENTIFIER))
			continue;
		if (best == NULL || dvbi_better(in, best, prefer_hls))
			best = in;
	}
	return best;
}

/* The schema of each namespace year, and its HLS variant if there is one. */
static const struct {
	const char	*year;
	const char	*xsd;
	const char	*hls;
} dvbi_xsds[] = {
	{ "2019", "dvbi_v1.0.xsd", NULL },
	{ "2020", "dvbi_v2.0.xsd", NULL },
	{ "2021", "dvbi_v3.0.xsd", NULL },
	{ "2022", "dvbi_v3.1.xsd", NULL },
	{ "2022b", "dvbi_v4.0.xsd", "dvbi_v4.0+hls+hbbtv.xsd" },
	{ "2023", "dvbi_v5.0.xsd", "dvbi_v5.0+hls+hbbtv.xsd" },
	{ "2024", "dvbi_v6.0.xsd", "dvbi_v6.0+hls+hbbtv.xsd" },
	{ "2025", "dvbi_v7.0.xsd", "dvbi_v7.0+hls+hbbtv.xsd" },
	{ "2026", "dvbi_v8.0.xsd", "dvbi_v8.0+hls+hbbtv+dvbhb.xsd" },
};

const char *
dvbi_xsd_for_ns(const char *ns, int hls)
{
	size_t i, k = strlen(DVBI_NS_PREFIX);

	if (ns == NULL || strncmp(ns, DVBI_NS_PREFIX, k) != 0)
		return NULL;
	for (i = 0; i < sizeof(dvbi_xsds) / sizeof(dvbi_xsds[0]); i++) {
		if (strcmp(ns + k, dvbi_xsds[i].year) != 0)
			continue;
		return hls && dvbi_xsds[i].hls != NULL ? dvbi_xsds[i].hls :
		    dvbi_xsds[i].xsd;
	}
	return NULL;
}
