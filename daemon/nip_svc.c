/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nip_svc.c: from the parsed signalling to the service table and the
 * channels to receive.
 *
 * A service is a DVB-I Service (by UniqueIdentifier) or a MulticastSession
 * of the gateway configuration (by serviceIdentifier): the same string
 * (protocols.md 4.1, step 4).  Its transport sessions are the
 * MulticastTransportSessions of its MulticastSession and the gateway
 * sessions whose ObjectCarousel names it.  Gateway sessions
 * (MulticastGatewayConfigurationTransportSession) carry signalling and
 * object carousels, so they are always received; the [nip] join policy
 * decides for the services' own sessions.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mime.h"
#include "names.h"
#include "nip_int.h"
#include "util.h"

#define NIP_SVC_SRCS	64	/* transport sessions per service */

int
nip_endpoint_src(const struct mgc_endpoint *e, struct carousel_src *s)
{
	memset(s, 0, sizeof(*s));
	if (inet_pton(AF_INET, e->group, s->group) == 1)
		s->family = AF_INET;
	else if (inet_pton(AF_INET6, e->group, s->group) == 1)
		s->family = AF_INET6;
	else
		return -1;
	if ((s->family == AF_INET && (s->group[0] & 0xf0) != 0xe0) ||
	    (s->family == AF_INET6 && s->group[0] != 0xff) || e->port == 0)
		return -1;
	s->port = e->port;
	if (e->source[0] != '\0') {
		if (inet_pton(s->family, e->source, s->source) != 1)
			return -1;
		s->has_source = 1;
	}
	if (e->has_tsi) {
		s->has_tsi = 1;
		s->tsi.lo = e->tsi;
	}
	return 0;
}

/* Append src to v (capacity cap) unless already there. */
static void
src_add(struct carousel_src *v, size_t *n, size_t cap,
    const struct carousel_src *src)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (rx_src_eq(&v[i], src) &&
		    v[i].reception_timeout_ms == src->reception_timeout_ms)
			return;
	if (*n < cap)
		v[(*n)++] = *src;
}

/* The endpoints of transport session t, appended. */
static void
src_add_ts(struct carousel_src *v, size_t *n, size_t cap,
    const struct mgc_ts *t)
{
	struct carousel_src s;
	size_t i;

	if (t->proto == MGC_PROTO_ROUTE) {
		log_warnx_rl("nip: a ROUTE session is signalled; only FLUTE "
		    "is received");
		return;
	}
	for (i = 0; i < t->nendpoints; i++)
		if (nip_endpoint_src(&t->endpoints[i], &s) == 0)
			src_add(v, n, cap, &s);
}

static char *
sdup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* The folder of a URL's cache path ("/a/b/" for "/a/b/c.m3u8"). */
static char *
url_folder(const char *url)
{
	char key[1024], *slash;

	if (url == NULL || names_from_location(url, key, sizeof(key)) < 0)
		return NULL;
	if ((slash = strrchr(key, '/')) == NULL)
		return NULL;
	slash[1] = '\0';
	return strlen(key) > 1 ? strdup(key) : NULL;
}

static void
prefix_add(struct nip_vsvc *s, const char *url)
{
	char *f = url_folder(url), **p;
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < s->nprefixes; i++)
		if (strcmp(s->prefixes[i], f) == 0) {
			free(f);
			return;
		}
	if ((p = realloc(s->prefixes, (s->nprefixes + 1) * sizeof(*p))) == NULL) {
		free(f);
		return;
	}
	s->prefixes = p;
	p[s->nprefixes++] = f;
}

/* Fill s from a DVB-I service of list l. */
static void
svc_from_list(struct nip_vsvc *s, const struct dvbi_list *l,
    const struct dvbi_service *d, const char *region)
{
	const struct dvbi_instance *in = dvbi_playable(d, 1);
	const struct dvbi_lcn *lcn = dvbi_lcn_for(l, d->id, region);
	char key[1024];
	size_t i;

	s->name = sdup(dvbi_service_name(d, NULL));
	s->provider = sdup(d->provider != NULL ? d->provider : l->provider);
	s->lcn = lcn != NULL ? (long)lcn->number : -1;
	s->genre = d->ngenres > 0 ? sdup(d->genres[0]) : NULL;
	s->logo_src = sdup(d->logo);
	s->type = sdup(d->type);
	if (in != NULL) {
		s->play_src = sdup(in->url);
		if (names_from_location(in->url, key, sizeof(key)) == 0)
			s->play_key = strdup(key);
	}
	for (i = 0; i < d->ninstances; i++)
		prefix_add(s, d->instances[i].url);
}

/* The manifest a MulticastSession names: HLS first. */
static const char *
pml_url(const struct mgc_service *m)
{
	const char *first = NULL, *u;
	size_t i;

	for (i = 0; i < m->npml; i++) {
		u = m->pml[i].url != NULL && m->pml[i].url[0] != '\0' ?
		    m->pml[i].url : m->pml[i].object_uri;
		if (u == NULL)
			continue;
		if (m->pml[i].content_type != NULL &&
		    strstr(m->pml[i].content_type, "mpegurl") != NULL)
			return u;
		if (first == NULL)
			first = u;
	}
	return first;
}

/* Add what the gateway configuration says about service s. */
static void
svc_from_mgc(struct nip_vsvc *s, const struct mgc *m, size_t cap)
{
	const struct mgc_service *ms = mgc_service_find(m, s->id);
	char key[1024];
	size_t i, j;

	for (i = 0; i < m->nts; i++)
		if (m->ts[i].gateway && mgc_ts_serves(&m->ts[i], s->id))
			src_add_ts(s->srcs, &s->nsrcs, cap, &m->ts[i]);
	if (ms == NULL)
		return;
	for (i = ms->first_ts; i < ms->first_ts + ms->nts && i < m->nts; i++) {
		src_add_ts(s->srcs, &s->nsrcs, cap, &m->ts[i]);
		for (j = 0; j < m->ts[i].ncomponents; j++)
			prefix_add(s, m->ts[i].components[j].media_playlist);
	}
	for (i = 0; i < ms->npml; i++) {
		prefix_add(s, ms->pml[i].url);
		prefix_add(s, ms->pml[i].object_uri);
	}
	if (s->play_src == NULL && pml_url(ms) != NULL) {
		s->play_src = strdup(pml_url(ms));
		if (names_from_location(s->play_src, key, sizeof(key)) == 0)
			s->play_key = strdup(key);
	}
	if (s->name == NULL)
		s->name = sdup(s->id);
}

static int
svc_index(const struct nip_view *v, const char *id)
{
	size_t i;

	for (i = 0; i < v->nsvcs; i++)
		if (strcmp(v->svcs[i].id, id) == 0)
			return (int)i;
	return -1;
}

/* A new entry for id, or NULL when full or out of memory. */
static struct nip_vsvc *
svc_new(struct nip_view *v, const char *id, size_t cap)
{
	struct nip_vsvc *s;

	if (id == NULL || v->nsvcs >= cap || svc_index(v, id) >= 0)
		return NULL;
	s = &v->svcs[v->nsvcs];
	memset(s, 0, sizeof(*s));
	s->lcn = -1;
	s->srcs = calloc(NIP_SVC_SRCS, sizeof(*s->srcs));
	s->id = strdup(id);
	if (s->srcs == NULL || s->id == NULL) {
		free(s->srcs);
		free(s->id);
		memset(s, 0, sizeof(*s));
		return NULL;
	}
	v->nsvcs++;
	return s;
}

/* Services from every list, then MulticastSessions no list names. */
static void
svc_collect(struct nip *n, struct nip_view *v)
{
	const struct mgc *ms[2] = { n->has_gw ? &n->gw : NULL,
	    n->has_boot ? &n->boot : NULL };
	struct nip_vsvc *s;
	size_t i, j, k;

	for (i = 0; i < n->nlists; i++) {
		const struct dvbi_list *l = &n->lists[i].parsed;

		for (j = 0; n->lists[i].ok && j < l->nservices; j++)
			if ((s = svc_new(v, l->services[j].id, v->cap)))
				svc_from_list(s, l, &l->services[j],
				    n->conf->nip_region[0] ?
				    n->conf->nip_region : NULL);
	}
	for (k = 0; k < 2; k++)
		for (i = 0; ms[k] != NULL && i < ms[k]->nservices; i++)
			(void)svc_new(v, ms[k]->services[i].id, v->cap);
	for (i = 0; i < v->nsvcs; i++)
		for (k = 0; k < 2; k++)
			if (ms[k] != NULL && v->svcs[i].id != NULL)
				svc_from_mgc(&v->svcs[i], ms[k], NIP_SVC_SRCS);
}

/* Touch and join times survive a new view. */
static void
svc_carry(struct nip_view *v, const struct nip_view *old)
{
	size_t i;
	int j;

	for (i = 0; old != NULL && i < v->nsvcs; i++) {
		if (v->svcs[i].id == NULL ||
		    (j = svc_index(old, v->svcs[i].id)) < 0)
			continue;
		atomic_store(&v->svcs[i].touched_ms,
		    atomic_load(&old->svcs[j].touched_ms));
		atomic_store(&v->svcs[i].joined_ms,
		    atomic_load(&old->svcs[j].joined_ms));
		atomic_store(&v->svcs[i].bitrate,
		    atomic_load(&old->svcs[j].bitrate));
		v->svcs[i].rate_bytes = old->svcs[j].rate_bytes;
		v->svcs[i].rate_ms = old->svcs[j].rate_ms;
	}
}

static int
raw_dup(struct nip_raw *dst, const struct nip_raw *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src->buf == NULL)
		return 0;
	if ((dst->buf = malloc(src->len + 1)) == NULL)
		return -1;
	memcpy(dst->buf, src->buf, src->len + 1);
	dst->len = src->len;
	util_strlcpy(dst->etag, src->etag, sizeof(dst->etag));
	return 0;
}

/* The lists (raw, for rewriting) and the documents as received. */
static int
view_docs(struct nip *n, struct nip_view *v)
{
	size_t i;
	int k;

	for (k = 0; k < NIP_NKINDS; k++)
		if (raw_dup(&v->docs[k], &n->docs[k]) < 0)
			return -1;
	if (n->nlists > 0 &&
	    (v->lists = calloc(n->nlists, sizeof(*v->lists))) == NULL)
		return -1;
	for (i = 0; i < n->nlists; i++) {
		const struct nip_list *l = &n->lists[i];
		struct nip_vlist *o = &v->lists[v->nlists];

		if (!l->ok)
			continue;
		o->key = strdup(l->key);
		o->url = strdup(l->url);
		o->id = sdup(l->parsed.id);
		o->name = sdup(l->parsed.name);
		o->version = l->parsed.version;
		o->buf = malloc(l->raw.len + 1);
		v->nlists++;
		if (o->key == NULL || o->url == NULL || o->buf == NULL)
			return -1;
		memcpy(o->buf, l->raw.buf, l->raw.len + 1);
		o->len = l->raw.len;
	}
	return 0;
}

/* At most how many services the state names (lists + MulticastSessions). */
static size_t
nip_svc_count(const struct nip *n)
{
	size_t i, c = 0;

	for (i = 0; i < n->nlists; i++)
		c += n->lists[i].ok ? n->lists[i].parsed.nservices : 0;
	c += n->has_gw ? n->gw.nservices : 0;
	c += n->has_boot ? n->boot.nservices : 0;
	return c;
}

/*
 * The fallback host of absolute URLs (a request without a usable Host):
 * the first listen address, or for an interface (lo:8080) the loopback
 * address with its port, as an interface name is no host.
 */
static void
nip_svc_listen(const char *listen, char *out, size_t len)
{
	char ifname[16];
	uint16_t port;

	if (httpu_parse_listen_if(listen, ifname, sizeof(ifname), &port) == 0)
		snprintf(out, len, "127.0.0.1:%u", (unsigned)port);
	else
		util_strlcpy(out, listen, len);
}

struct nip_view *
nip_svc_build(struct nip *n, const struct nip_view *old)
{
	struct nip_view *v = nip_view_new();

	if (v == NULL)
		return NULL;
	nip_svc_listen(n->conf->listen[0], v->listen, sizeof(v->listen));
	v->on_demand = n->conf->nip_join == CONF_JOIN_ON_DEMAND;
	v->cap = nip_svc_count(n);
	v->svcs = calloc(v->cap + 1, sizeof(*v->svcs));
	if (v->svcs == NULL || view_docs(n, v) < 0) {
		nip_view_put(v);
		return NULL;
	}
	svc_collect(n, v);
	svc_carry(v, old);
	return v;
}

/*
 * join = list: "ID" allows, "!ID" denies; with no allowing entry at all,
 * every service not denied is joined.
 */
static int
nip_svc_listed(const struct conf *c, const char *id)
{
	int allowed = 0, any_allow = 0;
	size_t i;

	for (i = 0; i < c->nip_nservices; i++) {
		const char *e = c->nip_services[i];

		if (e[0] == '!') {
			if (strcmp(e + 1, id) == 0)
				return 0;
			continue;
		}
		any_allow = 1;
		if (strcmp(e, id) == 0)
			allowed = 1;
	}
	return allowed || !any_allow;
}

int
nip_svc_wanted(const struct nip *n, const struct nip_vsvc *s, uint64_t now)
{
	uint64_t t;

	switch (n->conf->nip_join) {
	case CONF_JOIN_LIST:
		return nip_svc_listed(n->conf, s->id);
	case CONF_JOIN_ON_DEMAND:
		t = atomic_load(&s->touched_ms);
		return t != 0 && now - t < n->conf->nip_idle_leave_ms;
	default:
		return 1;
	}
}

int
nip_iface_v6(const char *iface)
{
	struct ifaddrs *ifa, *i;
	char name[IF_NAMESIZE] = "";
	int r = 0;

	if (getifaddrs(&ifa) < 0)
		return 0;
	for (i = ifa; i != NULL; i = i->ifa_next) {	/* name of an address */
		char a[64];

		if (i->ifa_addr == NULL || i->ifa_name == NULL)
			continue;
		if (strcmp(i->ifa_name, iface) == 0 ||
		    (i->ifa_addr->sa_family == AF_INET && inet_ntop(AF_INET,
		    &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr,
		    a, sizeof(a)) != NULL && strcmp(a, iface) == 0))
			util_strlcpy(name, i->ifa_name, sizeof(name));
	}
	for (i = ifa; name[0] != '\0' && i != NULL; i = i->ifa_next)
		if (i->ifa_addr != NULL && i->ifa_name != NULL &&
		    i->ifa_addr->sa_family == AF_INET6 &&
		    strcmp(i->ifa_name, name) == 0 &&
		    !(i->ifa_flags & IFF_LOOPBACK))
			r = 1;
	freeifaddrs(ifa);
	return r;
}

/* The announcement channel(s), TSI 0, any source. */
static void
add_announcement(const struct nip *n, struct carousel_src *v, size_t *nv,
    size_t cap)
{
	struct mgc_endpoint e;
	struct carousel_src s;

	memset(&e, 0, sizeof(e));
	e.port = NIP_ANNOUNCE_PORT;
	e.has_tsi = 1;
	util_strlcpy(e.group, NIP_ANNOUNCE_GROUP, sizeof(e.group));
	if (nip_endpoint_src(&e, &s) == 0)
		src_add(v, nv, cap, &s);
	if (!n->v6)
		return;
	util_strlcpy(e.group, NIP_ANNOUNCE_GROUP6, sizeof(e.group));
	if (nip_endpoint_src(&e, &s) == 0)
		src_add(v, nv, cap, &s);
}

struct carousel_src *
nip_svc_channels(struct nip *n, struct nip_view *v, uint64_t now,
    size_t *nout)
{
	const struct mgc *ms[2] = { n->has_boot ? &n->boot : NULL,
	    n->has_gw ? &n->gw : NULL };
	size_t cap = CONF_MAX_SRCS + 2 * MGC_MAX_TS + 64, nv = 0, i, j;
	struct carousel_src *out, s;

	if ((out = calloc(cap, sizeof(*out))) == NULL)
		return NULL;
	for (i = 0; i < n->conf->nsrcs; i++) {
		s = n->conf->srcs[i];
		src_add(out, &nv, cap, &s);
	}
	if (n->conf->nip_announcement)
		add_announcement(n, out, &nv, cap);
	for (j = 0; j < 2; j++)
		for (i = 0; ms[j] != NULL && i < ms[j]->nts; i++)
			if (ms[j]->ts[i].gateway)
				src_add_ts(out, &nv, cap, &ms[j]->ts[i]);
	for (i = 0; v != NULL && i < v->nsvcs; i++) {
		struct nip_vsvc *sv = &v->svcs[i];

		if (!nip_svc_wanted(n, sv, now) || sv->nsrcs == 0) {
			atomic_store(&sv->joined_ms, 0);
			continue;
		}
		for (j = 0; j < sv->nsrcs; j++)
			src_add(out, &nv, cap, &sv->srcs[j]);
		if (atomic_load(&sv->joined_ms) == 0)
			atomic_store(&sv->joined_ms, now);
	}
	*nout = nv;
	return out;
}
