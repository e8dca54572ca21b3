/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dvbi_rewrite.c: point a received DVB-I service list at the box (see
 * dvbi.h and dvbi-and-hls.md 1.5 (b)).  The list is edited as a DOM so
 * that everything this file does not understand survives byte for byte;
 * only locator texts, priorities, versions and @id values change, copies
 * of ServiceInstance elements are added next to their originals (which
 * keeps the xs:sequence order), and what would no longer verify is
 * removed.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "../daemon/util.h"
#include "dvbi.h"
#include "xmlu.h"

#define RW_WHAT		"service list"
#define RW_MAX_URL	4096	/* longest URL read or written */
#define RW_MAX_LOCATORS	8	/* locator URIs in one ServiceInstance */
/* URL text the rewrite may add, so a huge base cannot blow up memory. */
#define RW_MAX_GROWTH	(4u * XMLU_MAX_BYTES)
#define RW_DEFAULT_ORIGIN "http://dvb.gw/"
#define RW_DSIG_NS	"http://www.w3.org/2000/09/xmldsig#"
#define RW_LIST_NS	"urn:dvb:metadata:servicediscovery:"

/* Where a URI element sits, handed down the walk. */
#define RW_IN_RELATED	0x1u	/* below RelatedMaterial */
#define RW_IN_ENDPOINT	0x2u	/* below a ContentGuideSource *Endpoint */

struct rw_ctx {
	const struct dvbi_rewrite_opts *o;
	xmlDocPtr	doc;
	xmlNodePtr	root;
	size_t		growth;		/* bytes of URL text written */
	unsigned long	changes;	/* edits so far, to spot changed services */
	int		over;		/* RW_MAX_GROWTH reached */
};

/* The locator elements of one ServiceInstance, in document order. */
struct rw_locs {
	size_t		n;
	int		over;
	xmlNodePtr	v[RW_MAX_LOCATORS];
};

/* The value of the attribute name in no namespace, NULL if absent. */
static const char *
rw_attr(const xmlNode *n, const char *name)
{
	const xmlAttr *a;

	for (a = n->properties; a != NULL; a = a->next) {
		if (a->ns != NULL || strcmp((const char *)a->name, name) != 0)
			continue;
		if (a->children != NULL && a->children->type == XML_TEXT_NODE &&
		    a->children->next == NULL)
			return (const char *)a->children->content;
		return "";
	}
	return NULL;
}

static int
rw_set_attr(xmlNodePtr n, const char *name, const char *value)
{
	return xmlSetProp(n, (const xmlChar *)name,
	    (const xmlChar *)value) != NULL ? 0 : -1;
}

/* 1 if n's local name ends with suffix. */
static int
rw_name_ends(const xmlNode *n, const char *suffix)
{
	size_t l, s = strlen(suffix);

	if (n == NULL || n->type != XML_ELEMENT_NODE || n->name == NULL)
		return 0;
	l = strlen((const char *)n->name);
	return l >= s && strcmp((const char *)n->name + l - s, suffix) == 0;
}

/* A URI element holds text only; one with element children is not one. */
static int
rw_is_leaf(const xmlNode *n)
{
	return xmlu_child(n, NULL) == NULL;
}

/*
 * The default mapping: the carousel objects of DVB-NIP are named
 * "http://dvb.gw/<path>" and the box serves them as "/<path>".
 */
static int
rw_default_path(const char *url, char *path, size_t len)
{
	size_t o = strlen(RW_DEFAULT_ORIGIN);
	int k;

	if (strncasecmp(url, RW_DEFAULT_ORIGIN, o) != 0 || url[o] == '\0')
		return -1;
	k = snprintf(path, len, "/%s", url + o);
	return k > 0 && (size_t)k < len ? 0 : -1;
}

/* The box's URL for url into out (RW_MAX_URL + 1 bytes): 0, or -1. */
static int
rw_map(const struct dvbi_rewrite_opts *o, const char *url, char *out)
{
	char key[RW_MAX_URL], path[RW_MAX_URL];
	int k;

	path[0] = '\0';
	if (o->local_path != NULL) {
		if (o->local_path(o->arg, url, key, sizeof(key)) != 0)
			return -1;
		/*
		 * A callback that forgot the terminator gets no say.  The key
		 * is decoded (names.h): a "%3F" in a broadcast name is "?"
		 * there, so it is escaped again for the URL.
		 */
		if (memchr(key, '\0', sizeof(key)) == NULL ||
		    util_path_escape(key, path, sizeof(path)) < 0)
			return -1;
	} else if (rw_default_path(url, path, sizeof(path)) < 0) {
		return -1;
	}
	if (path[0] != '/')
		return -1;
	k = snprintf(out, RW_MAX_URL + 1, "%s%s", o->base, path);
	return k > 0 && k <= RW_MAX_URL ? 0 : -1;
}

/*
 * 1 for the attributes of an ExtendedURIType whose value covers the
 * resource at the old URL: r8 dvbi-types:URI has @verificationPolicy,
 * tva:MediaUri has @verificationPolicy and @integrity (a digest list).
 */
static int
rw_attr_unverifiable(const char *name)
{
	return strcasestr(name, "digest") != NULL ||
	    strcmp(name, "integrity") == 0 ||
	    strcmp(name, "verificationPolicy") == 0;
}

static void
rw_strip_attrs(xmlNodePtr n)
{
	xmlAttrPtr a, next;

	for (a = n->properties; a != NULL; a = next) {
		next = a->next;
		if (rw_attr_unverifiable((const char *)a->name))
			xmlRemoveProp(a);
	}
}

/*
 * Point the URI element n at the box: 1 when rewritten, 0 when the box
 * cannot serve it (n untouched), -1 when out of memory or over budget.
 */
static int
rw_set_url(struct rw_ctx *c, xmlNodePtr n)
{
	char url[RW_MAX_URL], full[RW_MAX_URL + 1];
	xmlNodePtr t, k;

	if (!rw_is_leaf(n) || xmlu_text(n, url, sizeof(url)) <= 0 ||
	    rw_map(c->o, url, full) < 0)
		return 0;
	c->growth += strlen(full);
	if (c->growth > RW_MAX_GROWTH) {
		c->over = 1;
		return -1;
	}
	/* A new text node: libxml2 escapes '&' and '<' when it saves. */
	if ((t = xmlNewDocText(c->doc, (const xmlChar *)full)) == NULL)
		return -1;
	while ((k = n->children) != NULL) {
		xmlUnlinkNode(k);
		xmlFreeNode(k);
	}
	xmlAddChild(n, t);
	rw_strip_attrs(n);
	c->changes++;
	return 1;
}

static void
rw_locs_add(struct rw_locs *l, xmlNodePtr n)
{
	if (l->n < RW_MAX_LOCATORS)
		l->v[l->n++] = n;
	else
		l->over = 1;
}

/* Every leaf *URI element below an OtherDeliveryParameters. */
static void
rw_other_uris(xmlNodePtr n, struct rw_locs *l)
{
	xmlNodePtr k;

	XMLU_FOREACH(k, n, NULL) {
		if (rw_name_ends(k, "URI") && rw_is_leaf(k))
			rw_locs_add(l, k);
		else
			rw_other_uris(k, l);
	}
}

/* The locators of a ServiceInstance (dvbi-and-hls.md 1.3 and 1.5 (b)). */
static void
rw_locators(xmlNodePtr inst, struct rw_locs *l)
{
	xmlNodePtr d, u, k;

	memset(l, 0, sizeof(*l));
	XMLU_FOREACH(d, inst, NULL) {
		if (xmlu_is(d, "DASHDeliveryParameters")) {
			XMLU_FOREACH(u, d, "UriBasedLocation")
				XMLU_FOREACH(k, u, "URI")
					rw_locs_add(l, k);
		} else if (xmlu_is(d, "IdentifierBasedDeliveryParameters")) {
			rw_locs_add(l, d);
		} else if (xmlu_is(d, "OtherDeliveryParameters")) {
			rw_other_uris(d, l);
		}
	}
}

/* Point every reference to ns below n (n included) at to instead. */
static void
rw_repoint_ns(xmlNodePtr n, const xmlNs *ns, xmlNsPtr to)
{
	xmlAttrPtr a;
	xmlNodePtr k;

	if (n->ns == ns)
		n->ns = to;
	for (a = n->properties; a != NULL; a = a->next)
		if (a->ns == ns)
			a->ns = to;
	XMLU_FOREACH(k, n, NULL)
		rw_repoint_ns(k, ns, to);
}

/*
 * xmlDocCopyNode declares on the copy every namespace it uses from
 * outside (it cannot see the scope it will land in).  Once the copy is in
 * place, drop the declarations its new parent already makes, so a copy
 * reads like its original.
 */
static void
rw_tidy_ns(xmlNodePtr cp)
{
	xmlNsPtr *pp = &cp->nsDef, ns, in;

	while ((ns = *pp) != NULL) {
		in = xmlSearchNs(cp->doc, cp->parent, ns->prefix);
		if (in == NULL || in->href == NULL || ns->href == NULL ||
		    !xmlStrEqual(in->href, ns->href)) {
			pp = &ns->next;
			continue;
		}
		rw_repoint_ns(cp, ns, in);
		*pp = ns->next;
		ns->next = NULL;
		xmlFreeNs(ns);
	}
}

/* @priority (default 0) of a ServiceInstance: 0, or -1 if not a number. */
static int
rw_priority(const xmlNode *inst, uint64_t *p)
{
	const char *v = rw_attr(inst, "priority");

	*p = 0;
	return v == NULL ? 0 : xmlu_u64(v, UINT32_MAX, p);
}

/* A copy's @id gets "-local", so ids stay apart from the originals'. */
static int
rw_suffix_id(xmlNodePtr cp)
{
	const char *id = rw_attr(cp, "id");
	size_t n;
	char *s;
	int r;

	if (id == NULL)
		return 0;
	n = strlen(id);
	if ((s = malloc(n + sizeof("-local"))) == NULL)
		return -1;
	memcpy(s, id, n);
	memcpy(s + n, "-local", sizeof("-local"));
	r = rw_set_attr(cp, "id", s);
	free(s);
	return r;
}

/*
 * Put a copy of inst pointing at the box before first (with a copy of
 * the blank text ws that indents first, if any).  Returns 1 when copied,
 * 0 when the box cannot serve every locator of inst, -1 on error.
 */
static int
rw_copy_instance(struct rw_ctx *c, xmlNodePtr inst, xmlNodePtr first,
    const xmlNode *ws, uint64_t *maxp)
{
	struct rw_locs l;
	xmlNodePtr cp, t = NULL;
	uint64_t p;
	size_t i;
	int r;

	rw_locators(inst, &l);
	if (l.n == 0 || l.over)
		return 0;
	if ((cp = xmlDocCopyNode(inst, c->doc, 1)) == NULL)
		return -1;
	rw_locators(cp, &l);
	for (i = 0; i < l.n; i++) {
		if ((r = rw_set_url(c, l.v[i])) != 1)
			goto out_free;
	}
	r = -1;
	if (rw_suffix_id(cp) < 0)
		goto out_free;
	if (ws != NULL) {
		if ((t = xmlNewDocText(c->doc, ws->content)) == NULL)
			goto out_free;
		xmlAddPrevSibling(first, t);
	}
	xmlAddPrevSibling(t != NULL ? t : first, cp);
	rw_tidy_ns(cp);
	(void)rw_priority(cp, &p);
	if (p > *maxp)
		*maxp = p;
	return 1;
out_free:
	xmlFreeNode(cp);
	return r;
}

/* Add delta to the @priority of inst and of every later instance. */
static int
rw_demote(xmlNodePtr inst, uint64_t delta)
{
	char buf[24];
	uint64_t p;

	for (; inst != NULL; inst = xmlu_next(inst, "ServiceInstance")) {
		if (rw_priority(inst, &p) < 0)
			return -1;
		/* Both are at most 2^32 (rw_priority's limit), so no wrap. */
		snprintf(buf, sizeof(buf), "%" PRIu64, p + delta);
		if (rw_set_attr(inst, "priority", buf) < 0)
			return -1;
	}
	return 0;
}

/*
 * Give a Service a local copy of each instance the box can serve, ahead
 * of the originals, and push the originals behind every copy: each keeps
 * its place relative to the others because all move by the same amount.
 * A service with a priority that is not a number is left as it is.
 */
static int
rw_service(struct rw_ctx *c, xmlNodePtr svc)
{
	xmlNodePtr first, n, ws;
	uint64_t maxp = 0, p;
	size_t ncopies = 0;
	int r;

	if ((first = xmlu_child(svc, "ServiceInstance")) == NULL)
		return 0;
	XMLU_FOREACH(n, svc, "ServiceInstance")
		if (rw_priority(n, &p) < 0)
			return 0;
	ws = first->prev;
	if (ws != NULL && (ws->type != XML_TEXT_NODE || !xmlIsBlankNode(ws)))
		ws = NULL;
	/* Copies go before first, so this loop only meets originals. */
	for (n = first; n != NULL && ncopies < DVBI_MAX_INSTANCES;
	    n = xmlu_next(n, "ServiceInstance")) {
		if ((r = rw_copy_instance(c, n, first, ws, &maxp)) < 0)
			return -1;
		ncopies += (size_t)r;
	}
	if (ncopies == 0)
		return 0;
	return rw_demote(first, maxp + 1);
}

/*
 * Add one to a version attribute, in decimal of any length (the schema
 * type is xs:positiveInteger); a missing or non-numeric one becomes 1.
 */
static int
rw_bump_version(xmlNodePtr n)
{
	const char *v = rw_attr(n, "version");
	size_t b = 0, e, i, len;
	char *s;
	int r;

	if (v == NULL)
		return rw_set_attr(n, "version", "1");
	e = strlen(v);
	while (b < e && strchr(" \t\r\n", v[b]) != NULL)
		b++;
	while (e > b && strchr(" \t\r\n", v[e - 1]) != NULL)
		e--;
	while (b + 1 < e && v[b] == '0')
		b++;
	len = e - b;
	if (len == 0 || strspn(v + b, "0123456789") < len)
		return rw_set_attr(n, "version", "1");
	if ((s = malloc(len + 2)) == NULL)
		return -1;
	s[0] = '0';
	memcpy(s + 1, v + b, len);
	s[len + 1] = '\0';
	for (i = len + 1; i-- > 0;) {
		if (s[i] != '9') {
			s[i]++;
			break;
		}
		s[i] = '0';
	}
	r = rw_set_attr(n, "version", s[0] == '0' ? s + 1 : s);
	free(s);
	return r;
}

/* 1 for what a rewritten list can no longer carry. */
static int
rw_unverifiable(const xmlNode *n)
{
	if (xmlu_is(n, "SignaturePolicies"))
		return 1;
	return xmlu_is(n, "Signature") && n->ns != NULL &&
	    n->ns->href != NULL &&
	    strcmp((const char *)n->ns->href, RW_DSIG_NS) == 0;
}

/*
 * Visit element n (flags say what encloses it): drop it if it would no
 * longer verify, rewrite it if it is a URI to point at the box, give a
 * Service its local instances, then visit the children.  n may be freed.
 */
static int
rw_visit(struct rw_ctx *c, xmlNodePtr n, unsigned flags)
{
	unsigned long before = c->changes;
	int svc = n->parent == c->root &&
	    (xmlu_is(n, "Service") || xmlu_is(n, "TestService"));
	unsigned cf = flags;
	xmlNodePtr k, next;

	if (rw_unverifiable(n)) {
		xmlUnlinkNode(n);
		xmlFreeNode(n);
		c->changes++;
		return 0;
	}
	if (((flags & RW_IN_RELATED) && xmlu_is(n, "MediaUri")) ||
	    ((flags & RW_IN_ENDPOINT) && xmlu_is(n, "URI")))
		return rw_set_url(c, n) < 0 ? -1 : 0;
	if (svc && rw_service(c, n) < 0)
		return -1;
	if (xmlu_is(n, "RelatedMaterial"))
		cf |= RW_IN_RELATED;
	if (xmlu_is(n->parent, "ContentGuideSource") &&
	    rw_name_ends(n, "Endpoint"))
		cf |= RW_IN_ENDPOINT;
	for (k = xmlu_child(n, NULL); k != NULL; k = next) {
		next = xmlu_next(k, NULL);
		if (rw_visit(c, k, cf) < 0)
			return -1;
	}
	if (svc && c->changes != before)
		return rw_bump_version(n);
	return 0;
}

/* The document as UTF-8 into a malloc'd NUL-terminated buffer. */
static int
rw_save(xmlDocPtr doc, char **out, size_t *outlen)
{
	xmlChar *mem = NULL;
	int size = 0;

	xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 0);
	if (mem == NULL || size <= 0) {
		xmlFree(mem);
		return -1;
	}
	if ((*out = malloc((size_t)size + 1)) == NULL) {
		xmlFree(mem);
		return -1;
	}
	memcpy(*out, mem, (size_t)size);
	(*out)[size] = '\0';
	*outlen = (size_t)size;
	xmlFree(mem);
	return 0;
}

int
dvbi_rewrite(const void *buf, size_t len, const struct dvbi_rewrite_opts *o,
    char **out, size_t *outlen, char *err, size_t errlen)
{
	struct rw_ctx c;
	int r = -1;

	*out = NULL;
	*outlen = 0;
	if (o == NULL || o->base == NULL) {
		snprintf(err, errlen, RW_WHAT ": no base URL to rewrite to");
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.o = o;
	if ((c.doc = xmlu_parse(buf, len, RW_WHAT, err, errlen)) == NULL)
		return -1;
	c.root = xmlDocGetRootElement(c.doc);
	if (!xmlu_is(c.root, "ServiceList") ||
	    !xmlu_ns_has_prefix(c.root, RW_LIST_NS)) {
		snprintf(err, errlen, RW_WHAT ": root element is %s, not a "
		    "DVB-I ServiceList", c.root->name != NULL ?
		    (const char *)c.root->name : "unnamed");
		goto out_free_doc;
	}
	if (rw_visit(&c, c.root, 0) < 0 || rw_bump_version(c.root) < 0) {
		if (c.over)
			snprintf(err, errlen, RW_WHAT ": rewritten URLs would "
			    "exceed %u bytes", RW_MAX_GROWTH);
		else
			snprintf(err, errlen, RW_WHAT ": out of memory");
		goto out_free_doc;
	}
	if (rw_save(c.doc, out, outlen) < 0) {
		snprintf(err, errlen, RW_WHAT ": cannot serialise the result");
		goto out_free_doc;
	}
	r = 0;
out_free_doc:
	xmlFreeDoc(c.doc);
	return r;
}
