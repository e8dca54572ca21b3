/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nip_doc.c: the documents the NIP manager serves, made on request from
 * a view:
 *
 *   /services.json            every service, for simple players
 *   /dvbi/servicelist.xml     the first service list, rewritten for the box
 *   /dvbi/<list path>         each list, rewritten ("/dvbi/ses.com/dvbi/x.xml")
 *   /dvbi/                    a DVB-I SLEP naming every rewritten list
 *   /nip/<doc>.xml            bootstrap, gateway, nif, sif, slep as received
 *
 * Absolute URLs back to the box use the request's Host header, so a list
 * fetched as http://192.168.1.10:8080/... names that address; a Host that
 * is not a plain host[:port] falls back to the first listen address.
 * Rewritten lists are kept per view for a few Hosts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "names.h"
#include "nip_int.h"
#include "util.h"

#define DOC_DVBI	"/dvbi/"
#define DOC_NIP		"/nip/"

/* "http://" + Host, or + the first listen address. */
static void
doc_base(const struct nip_view *v, const char *host, char *out, size_t len)
{
	const char *h = host;
	size_t n = h != NULL ? strlen(h) : 0;

	if (n == 0 || n >= 100 ||
	    strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-:[]") != n)
		h = v->listen;
	if (strncmp(h, "0.0.0.0:", 8) == 0) {
		snprintf(out, len, "http://127.0.0.1:%s", h + 8);
		return;
	}
	if (strncmp(h, "[::]:", 5) == 0) {
		snprintf(out, len, "http://[::1]:%s", h + 5);
		return;
	}
	snprintf(out, len, "http://%s", h);
}

/* rewrite callback: the box serves dvb.gw URLs and what it has cached. */
static int
doc_local_path(void *arg, const char *url, char *path, size_t len)
{
	struct cache_hit h;

	(void)arg;
	if (names_from_location(url, path, len) < 0)
		return -1;
	if (strncasecmp(url, "http://dvb.gw/", 14) == 0)
		return 0;
	return cache_peek(path, &h) == 0 ? 0 : -1;
}

/*
 * The box's absolute URL for a broadcast URL it can serve, or NULL.  The
 * key is decoded (a "?" or a non-UTF-8 byte in it is the byte itself), so
 * it is percent-encoded as the DVB-I rewrite and repair do.
 */
static char *
doc_local_url(const char *base, const char *url)
{
	char key[1024], path[sizeof(key) * 3], *out;

	if (url == NULL || doc_local_path(NULL, url, key, sizeof(key)) < 0 ||
	    util_path_escape(key, path, sizeof(path)) < 0)
		return NULL;
	if (asprintf(&out, "%s%s", base, path) < 0)
		return NULL;
	return out;
}

/* ISO 8601 UTC of a Unix time into buf. */
static void
doc_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
doc_live(struct util_sb *b, const struct nip_vsvc *s, uint64_t now)
{
	struct rx_src_stats rs;
	struct cache_hit h;
	char t[40];
	int live = 0;
	size_t i;

	for (i = 0; i < s->nsrcs; i++)
		if (rx_get_src_stats(&s->srcs[i], &rs) == 0 && rs.last_ms != 0 &&
		    now - rs.last_ms < NIP_LIVE_MS)
			live = 1;
	util_sb_printf(b, "\"live\":{\"receiving\":%s,\"bitrate\":%llu,"
	    "\"joined\":%s,\"last_object_time\":", live ? "true" : "false",
	    live ? (unsigned long long)atomic_load(&s->bitrate) : 0ULL,
	    atomic_load(&s->joined_ms) ? "true" : "false");
	if (s->play_key != NULL && cache_peek(s->play_key, &h) == 0) {
		doc_time(h.mtime, t, sizeof(t));
		util_sb_json(b, t);
	} else {
		util_sb_printf(b, "null");
	}
	util_sb_printf(b, "}");
}

static void
doc_service(struct util_sb *b, const struct nip_vsvc *s, const char *base,
    uint64_t now)
{
	char *play = doc_local_url(base, s->play_src);
	char *logo = doc_local_url(base, s->logo_src);

	util_sb_printf(b, "{\"id\":");
	util_sb_json(b, s->id);
	util_sb_printf(b, ",\"name\":");
	util_sb_json(b, s->name);
	util_sb_printf(b, ",\"provider\":");
	util_sb_json(b, s->provider);
	if (s->lcn >= 0)
		util_sb_printf(b, ",\"lcn\":%ld", s->lcn);
	else
		util_sb_printf(b, ",\"lcn\":null");
	util_sb_printf(b, ",\"genre\":");
	util_sb_json(b, s->genre);
	util_sb_printf(b, ",\"type\":");
	util_sb_json(b, s->type);
	util_sb_printf(b, ",\"logo_url\":");
	util_sb_json(b, logo != NULL ? logo : s->logo_src);
	util_sb_printf(b, ",\"play_url\":");
	util_sb_json(b, play);
	util_sb_printf(b, ",\"source_url\":");
	util_sb_json(b, s->play_src);
	util_sb_printf(b, ",");
	doc_live(b, s, now);
	util_sb_printf(b, "}");
	free(play);
	free(logo);
}

/* Services by LCN (none last), then by name. */
static int
svc_order(const void *a, const void *b)
{
	const struct nip_vsvc *x = *(const struct nip_vsvc *const *)a;
	const struct nip_vsvc *y = *(const struct nip_vsvc *const *)b;
	unsigned long lx = (unsigned long)x->lcn, ly = (unsigned long)y->lcn;

	if (lx != ly)
		return lx < ly ? -1 : 1;
	return strcmp(x->name != NULL ? x->name : "",
	    y->name != NULL ? y->name : "");
}

static int
doc_services(struct nip_view *v, const char *base, struct util_sb *b)
{
	const struct nip_vsvc **o;
	uint64_t now = util_now_ms();
	size_t i;

	/* An array of pointers: the element is a pointer. */
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	if ((o = calloc(v->nsvcs + 1, sizeof(*o))) == NULL)
		return -1;
	for (i = 0; i < v->nsvcs; i++)
		o[i] = &v->svcs[i];
	/* An array of pointers: the element is a pointer. */
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	qsort(o, v->nsvcs, sizeof(*o), svc_order);
	util_sb_printf(b, "{\"services\":[");
	for (i = 0; i < v->nsvcs; i++) {
		util_sb_printf(b, i ? ",\n" : "\n");
		doc_service(b, o[i], base, now);
	}
	util_sb_printf(b, "\n]}\n");
	free(o);
	return 0;
}

/* The list rewritten for base, from the view's slots or made now. */
static int
doc_list(struct nip_view *v, struct nip_vlist *l, const char *base,
    struct util_sb *b)
{
	struct dvbi_rewrite_opts o = { base, doc_local_path, NULL };
	struct nip_rw *slot;
	char err[256], *out = NULL;
	size_t i, len = 0;

	pthread_mutex_lock(&v->rw_lock);
	for (i = 0; i < NIP_RW_SLOTS; i++)
		if (l->rw[i].buf != NULL && strcmp(l->rw[i].host, base) == 0) {
			util_sb_printf(b, "%.*s", (int)l->rw[i].len, l->rw[i].buf);
			pthread_mutex_unlock(&v->rw_lock);
			return 0;
		}
	pthread_mutex_unlock(&v->rw_lock);
	if (dvbi_rewrite(l->buf, l->len, &o, &out, &len, err, sizeof(err)) < 0)
		return -1;
	util_sb_printf(b, "%.*s", (int)len, out);
	pthread_mutex_lock(&v->rw_lock);
	slot = &l->rw[l->rw_next++ % NIP_RW_SLOTS];
	free(slot->buf);
	slot->buf = out;
	slot->len = len;
	util_strlcpy(slot->host, base, sizeof(slot->host));
	pthread_mutex_unlock(&v->rw_lock);
	return 0;
}

/* A DVB-I Service List Entry Points document naming every list. */
static void
doc_slep(const struct nip_view *v, const char *base, struct util_sb *b)
{
	size_t i;

	util_sb_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<ServiceListEntryPoints xmlns=\"urn:dvb:metadata:"
	    "servicelistdiscovery:2024\" xmlns:dvbi-types=\"urn:dvb:metadata:"
	    "servicediscovery-types:2023\" xml:lang=\"en\">\n"
	    "  <ServiceListRegistryEntity regulatorFlag=\"false\">"
	    "<Name>nipcache</Name></ServiceListRegistryEntity>\n");
	if (v->nlists > 0)
		util_sb_printf(b, "  <ProviderOffering>\n    <Provider "
		    "regulatorFlag=\"false\"><Name>nipcache</Name></Provider>\n");
	for (i = 0; i < v->nlists; i++) {
		util_sb_printf(b, "    <ServiceListOffering regulatorListFlag="
		    "\"false\">\n      <dvbi-types:ServiceListName>");
		util_sb_xml(b, v->lists[i].name != NULL ? v->lists[i].name :
		    v->lists[i].url);
		util_sb_printf(b, "</dvbi-types:ServiceListName>\n      "
		    "<dvbi-types:ServiceListURI contentType=\"application/"
		    "vnd.dvb.dvbisl+xml\"><dvbi-types:URI>");
		util_sb_xml(b, base);
		util_sb_printf(b, "/dvbi");
		util_sb_xml(b, v->lists[i].key);
		/* Delivery is required; its children (all optional) are not. */
		util_sb_printf(b, "</dvbi-types:URI></dvbi-types:ServiceListURI>\n"
		    "      <dvbi-types:Delivery/>\n");
		if (v->lists[i].id != NULL) {
			util_sb_printf(b, "      <dvbi-types:ServiceListId>");
			util_sb_xml(b, v->lists[i].id);
			util_sb_printf(b, "</dvbi-types:ServiceListId>\n");
		}
		util_sb_printf(b, "    </ServiceListOffering>\n");
	}
	if (v->nlists > 0)
		util_sb_printf(b, "  </ProviderOffering>\n");
	util_sb_printf(b, "</ServiceListEntryPoints>\n");
}

/* /nip/<kind>.xml */
static int
doc_nip(const struct nip_view *v, const char *name, struct util_sb *b)
{
	char want[32];
	int k;

	for (k = 0; k < NIP_NKINDS; k++) {
		snprintf(want, sizeof(want), "%s.xml",
		    nip_kind_name((enum nip_kind)k));
		if (strcmp(name, want) != 0)
			continue;
		if (v->docs[k].buf == NULL)
			return 404;
		util_sb_printf(b, "%.*s", (int)v->docs[k].len, v->docs[k].buf);
		return 200;
	}
	return 404;
}

/* The list a /dvbi/ path names, or NULL. */
static struct nip_vlist *
doc_find_list(struct nip_view *v, const char *rest)
{
	size_t i;

	if (strcmp(rest, "servicelist.xml") == 0)
		return v->nlists > 0 ? &v->lists[0] : NULL;
	for (i = 0; i < v->nlists; i++)
		if (strcmp(v->lists[i].key + 1, rest) == 0)
			return &v->lists[i];
	return NULL;
}

static int
doc_dvbi(struct nip_view *v, const char *rest, const char *base,
    struct util_sb *b, struct httpd_doc *out)
{
	struct nip_vlist *l;

	if (*rest == '\0') {
		doc_slep(v, base, b);
		util_strlcpy(out->type, "application/xml", sizeof(out->type));
		return 200;
	}
	if ((l = doc_find_list(v, rest)) == NULL)
		return 404;
	if (doc_list(v, l, base, b) < 0)
		return 503;
	util_strlcpy(out->type, "application/vnd.dvb.dvbisl+xml",
	    sizeof(out->type));
	return 200;
}

int
nip_doc_render(struct nip_view *v, const char *path, const char *host,
    struct httpd_doc *out)
{
	struct util_sb b = { NULL, 0, 0, 0 };
	char base[160];
	int code = 404;

	doc_base(v, host, base, sizeof(base));
	out->max_age = 1;
	if (strcmp(path, "/services.json") == 0) {
		code = doc_services(v, base, &b) == 0 ? 200 : 503;
		util_strlcpy(out->type, "application/json", sizeof(out->type));
		out->max_age = 0;
	} else if (strncmp(path, DOC_DVBI, strlen(DOC_DVBI)) == 0 ||
	    strcmp(path, "/dvbi") == 0) {
		code = doc_dvbi(v, path[5] == '/' ? path + 6 : "", base, &b, out);
	} else if (strncmp(path, DOC_NIP, strlen(DOC_NIP)) == 0) {
		code = doc_nip(v, path + strlen(DOC_NIP), &b);
		util_strlcpy(out->type, "application/xml", sizeof(out->type));
	}
	if (code == 200 && (b.err || b.p == NULL))
		code = 503;
	if (code != 200) {
		free(b.p);
		return code;
	}
	out->body = b.p;
	out->len = b.len;
	return 200;
}
