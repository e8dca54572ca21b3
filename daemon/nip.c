/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nip.c: the NIP manager's state and its tick (see nip.h).  Each tick it
 * peeks at the cache paths of the signalling URNs and of every URL that
 * may be a service list; a changed ETag means a new version, which is read
 * (outside any lock), parsed and, when it parses, applied: the services
 * and the channels to join are recomputed.  A version that does not parse
 * is counted, logged (rate-limited) and remembered, so it is not parsed
 * again; the previous good version stays in force.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../dvb-i/xmlu.h"
#include "cache.h"
#include "log.h"
#include "names.h"
#include "nip_int.h"
#include "util.h"

#define NIP_FILE_CHECK_MS	2000
#define NIP_RATE_MS		1000

static const char *const nip_urns[NIP_NKINDS] = {
	[NIP_BOOTSTRAP] =
	    "urn:dvb:metadata:cs:NativeIPMulticastTransportObjectTypeCS:2023:bootstrap",
	[NIP_GATEWAY] =
	    "urn:dvb:metadata:cs:MulticastTransportObjectTypeCS:2021:gateway-configuration",
	[NIP_NIF] = "urn:dvb:metadata:nativeip:NetworkInformationFile",
	[NIP_SIF] = "urn:dvb:metadata:nativeip:ServiceInformationFile",
	[NIP_SLEP] = "urn:dvb:metadata:nativeip:dvb-i-slep",
};

static const char *const nip_names[NIP_NKINDS] = {
	"bootstrap", "gateway", "nif", "sif", "slep"
};

static struct nip *nip_cur;	/* main thread only */
static pthread_mutex_t nip_st_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nip_stats nip_st_snap;
static _Atomic int nip_wake_fd = -1;

const char *
nip_kind_name(enum nip_kind k)
{
	return k < NIP_NKINDS ? nip_names[k] : "?";
}

void
nip_raw_free(struct nip_raw *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

/* Copy the body of a cache hit into out->buf (NUL-terminated). */
static int
nip_read_hit(const struct cache_hit *h, struct nip_raw *out)
{
	size_t got = 0;
	ssize_t r;

	if (h->size > XMLU_MAX_BYTES || (out->buf = malloc(h->size + 1)) == NULL)
		return -1;
	if (h->blob != NULL) {
		memcpy(out->buf, h->blob->data, h->size);
		got = h->size;
	}
	while (h->blob == NULL && got < h->size) {
		r = pread(h->fd, out->buf + got, h->size - got,
		    (off_t)(h->body_off + got));
		if (r <= 0 && errno != EINTR)
			break;
		if (r > 0)
			got += (size_t)r;
	}
	if (got != h->size) {
		nip_raw_free(out);
		return -1;
	}
	out->buf[got] = '\0';
	out->len = got;
	util_strlcpy(out->etag, h->etag, sizeof(out->etag));
	return 0;
}

int
nip_read_key(const char *key, struct nip_raw *out)
{
	struct cache_hit h;
	int r;

	memset(out, 0, sizeof(*out));
	if (cache_open(key, &h) < 0)
		return -1;
	r = nip_read_hit(&h, out);
	if (h.fd >= 0)
		close(h.fd);
	cache_close(&h);
	return r;
}

/* Parse doc as kind into the state; 0, or -1 with err. */
static int
nip_parse_kind(struct nip *n, enum nip_kind k, const struct nip_raw *d,
    char *err, size_t errlen)
{
	struct mgc m;
	int r = -1;

	switch (k) {
	case NIP_BOOTSTRAP:
	case NIP_GATEWAY:
		if ((r = mgc_parse(d->buf, d->len, &m, err, errlen)) < 0)
			break;
		if (k == NIP_BOOTSTRAP) {
			if (n->has_boot)
				mgc_free(&n->boot);
			n->boot = m;
			n->has_boot = 1;
		} else {
			if (n->has_gw)
				mgc_free(&n->gw);
			n->gw = m;
			n->has_gw = 1;
		}
		break;
	case NIP_NIF: {
		struct nif x;

		if ((r = nif_parse(d->buf, d->len, &x, err, errlen)) == 0) {
			if (n->has_nif)
				nif_free(&n->nif);
			n->nif = x;
			n->has_nif = 1;
			n->nif_gen++;
		}
		break;
	}
	case NIP_SIF: {
		struct sif x;

		if ((r = sif_parse(d->buf, d->len, &x, err, errlen)) == 0) {
			if (n->has_sif)
				sif_free(&n->sif);
			n->sif = x;
			n->has_sif = 1;
		}
		break;
	}
	case NIP_SLEP: {
		struct slep x;

		if ((r = slep_parse(d->buf, d->len, &x, err, errlen)) == 0) {
			if (n->has_slep)
				slep_free(&n->slep);
			n->slep = x;
			n->has_slep = 1;
		}
		break;
	}
	default:
		break;
	}
	return r;
}

/* A new version of kind k arrived (from the cache or a file): apply it. */
static void
nip_take(struct nip *n, enum nip_kind k, struct nip_raw *d, const char *from)
{
	char err[256];

	if (nip_parse_kind(n, k, d, err, sizeof(err)) < 0) {
		n->st.errors[k]++;
		util_strlcpy(n->bad[k], d->etag, sizeof(n->bad[k]));
		log_warnx_rl("nip: %s from %s refused, keeping the previous "
		    "version: %s", nip_names[k], from, err);
		nip_raw_free(d);
		return;
	}
	nip_raw_free(&n->docs[k]);
	n->docs[k] = *d;
	n->st.parsed[k]++;
	n->dirty = 1;
	log_info("nip: new %s from %s (%zu bytes)", nip_names[k], from, d->len);
}

/* Local file configured for kind k, or NULL. */
static const char *
nip_local_file(const struct nip *n, enum nip_kind k)
{
	if (k == NIP_GATEWAY && n->conf->nip_gateway_config[0] != '\0')
		return n->conf->nip_gateway_config;
	if (k == NIP_NIF && n->conf->nip_nif[0] != '\0')
		return n->conf->nip_nif;
	return NULL;
}

/* Read a whole local file (<= XMLU_MAX_BYTES) tagged by its mtime. */
static int
nip_read_file(const char *path, const struct stat *st, struct nip_raw *out)
{
	int fd;
	ssize_t r;

	memset(out, 0, sizeof(*out));
	if (st->st_size <= 0 || (uint64_t)st->st_size > XMLU_MAX_BYTES)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	out->buf = malloc((size_t)st->st_size + 1);
	r = out->buf != NULL ? read(fd, out->buf, (size_t)st->st_size) : -1;
	close(fd);
	if (r != (ssize_t)st->st_size) {
		nip_raw_free(out);
		return -1;
	}
	out->buf[r] = '\0';
	out->len = (size_t)r;
	snprintf(out->etag, sizeof(out->etag), "\"f%lld.%ld-%lld\"",
	    (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
	    (long long)st->st_size);
	return 0;
}

/* The configured local gateway configuration and NIF, when they change. */
static void
nip_check_files(struct nip *n)
{
	static const enum nip_kind kinds[2] = { NIP_GATEWAY, NIP_NIF };
	struct nip_raw d;
	struct stat st;
	const char *path;
	int i;

	for (i = 0; i < 2; i++) {
		if ((path = nip_local_file(n, kinds[i])) == NULL)
			continue;
		if (stat(path, &st) < 0) {
			log_warnx_rl("nip: %s: %s", path, strerror(errno));
			continue;
		}
		if (nip_read_file(path, &st, &d) < 0) {
			log_warnx_rl("nip: %s: cannot read (empty, over %u "
			    "bytes, or unreadable)", path, XMLU_MAX_BYTES);
			continue;
		}
		if (strcmp(d.etag, n->file_tag[i]) == 0 ||
		    strcmp(d.etag, n->bad[kinds[i]]) == 0) {
			nip_raw_free(&d);
			continue;
		}
		util_strlcpy(n->file_tag[i], d.etag, sizeof(n->file_tag[i]));
		nip_take(n, kinds[i], &d, path);
	}
}

/* The in-band signalling objects, by their fixed URNs. */
static void
nip_check_docs(struct nip *n)
{
	struct cache_hit h;
	struct nip_raw d;
	int k;

	for (k = 0; k < NIP_NKINDS; k++) {
		if (nip_local_file(n, (enum nip_kind)k) != NULL ||
		    cache_peek(n->keys[k], &h) < 0)
			continue;
		if (strcmp(h.etag, n->docs[k].etag) == 0 ||
		    strcmp(h.etag, n->bad[k]) == 0)
			continue;
		if (nip_read_key(n->keys[k], &d) < 0)
			continue;	/* evicted meanwhile: next tick */
		nip_take(n, (enum nip_kind)k, &d, "the broadcast");
	}
}

/* Add url to the candidate list once. */
static void
nip_cand_add(char (*c)[1024], size_t *nc, const char *url, int xml_only)
{
	size_t i, l;

	if (url == NULL || *nc >= NIP_MAX_CANDS || (l = strlen(url)) == 0 ||
	    l >= 1024)
		return;
	if (xml_only && (l < 4 || strcasecmp(url + l - 4, ".xml") != 0))
		return;
	for (i = 0; i < *nc; i++)
		if (strcmp(c[i], url) == 0)
			return;
	memcpy(c[(*nc)++], url, l + 1);
}

/* URLs that may hold service lists: SLEP, SIF, carousel locators. */
static size_t
nip_candidates(const struct nip *n, char (*c)[1024], int *from_slep)
{
	const struct mgc *ms[2] = { n->has_boot ? &n->boot : NULL,
	    n->has_gw ? &n->gw : NULL };
	size_t nc = 0, i, j, k;

	for (i = 0; n->has_slep && i < n->slep.noffers; i++)
		nip_cand_add(c, &nc, n->slep.offers[i].uri, 0);
	*from_slep = (int)nc;
	for (i = 0; n->has_sif && i < n->sif.nmedia; i++)
		for (j = 0; j < n->sif.media[i].nuris; j++)
			nip_cand_add(c, &nc, n->sif.media[i].uris[j], 1);
	for (k = 0; k < 2; k++)
		for (i = 0; ms[k] != NULL && i < ms[k]->nts; i++)
			for (j = 0; j < ms[k]->ts[i].nlocators; j++)
				nip_cand_add(c, &nc,
				    ms[k]->ts[i].locators[j].uri, 1);
	return nc;
}

/* One candidate: a new version of a (maybe new) service list. */
static void
nip_check_list(struct nip *n, const char *url, int trusted)
{
	struct nip_list *l = NULL;
	struct dvbi_list parsed;
	struct cache_hit h;
	struct nip_raw d;
	char key[1024], err[256];
	size_t i;

	if (names_from_location(url, key, sizeof(key)) < 0 ||
	    cache_peek(key, &h) < 0)
		return;
	if (!trusted && strstr(h.content_type, "dvbisl") == NULL)
		return;
	for (i = 0; i < n->nlists; i++)
		if (strcmp(n->lists[i].key, key) == 0)
			l = &n->lists[i];
	if (l != NULL && strcmp(l->raw.etag, h.etag) == 0)
		return;
	if (l == NULL && n->nlists >= NIP_MAX_LISTS)
		return;
	if (nip_read_key(key, &d) < 0)
		return;
	if (dvbi_parse(d.buf, d.len, &parsed, err, sizeof(err)) < 0) {
		n->st.list_errors++;
		log_warnx_rl("nip: service list %s refused: %s", url, err);
		if (l != NULL)	/* remember the tag: not parsed again */
			util_strlcpy(l->raw.etag, d.etag, sizeof(l->raw.etag));
		nip_raw_free(&d);
		return;
	}
	if (l == NULL) {
		l = &n->lists[n->nlists++];
		memset(l, 0, sizeof(*l));
		util_strlcpy(l->url, url, sizeof(l->url));
		util_strlcpy(l->key, key, sizeof(l->key));
	} else if (l->ok) {
		dvbi_list_free(&l->parsed);
	}
	nip_raw_free(&l->raw);
	l->raw = d;
	l->parsed = parsed;
	l->ok = 1;
	n->st.lists_parsed++;
	n->dirty = 1;
	log_info("nip: service list %s version %llu, %zu services", url,
	    (unsigned long long)parsed.version, parsed.nservices);
}

/* Drop lists no longer signalled anywhere. */
static void
nip_prune_lists(struct nip *n, char (*c)[1024], size_t nc)
{
	size_t i, j;

	for (i = 0; i < n->nlists;) {
		for (j = 0; j < nc; j++)
			if (strcmp(n->lists[i].url, c[j]) == 0)
				break;
		if (j < nc) {
			i++;
			continue;
		}
		log_info("nip: service list %s no longer signalled",
		    n->lists[i].url);
		if (n->lists[i].ok)
			dvbi_list_free(&n->lists[i].parsed);
		nip_raw_free(&n->lists[i].raw);
		n->lists[i] = n->lists[--n->nlists];
		n->dirty = 1;
	}
}

static void
nip_check_lists(struct nip *n)
{
	char (*c)[1024];
	size_t nc, i;
	int nslep;

	if ((c = malloc(NIP_MAX_CANDS * sizeof(*c))) == NULL)
		return;
	nc = nip_candidates(n, c, &nslep);
	for (i = 0; i < nc; i++)
		nip_check_list(n, c[i], (int)i < nslep);
	nip_prune_lists(n, c, nc);
	free(c);
}

/* Bit rates per service, from rx's per-source byte counters. */
static void
nip_rates(struct nip *n, uint64_t now)
{
	struct nip_view *v = n->view;
	struct rx_src_stats rs;
	size_t i, j;

	for (i = 0; v != NULL && i < v->nsvcs; i++) {
		struct nip_vsvc *s = &v->svcs[i];
		uint64_t bytes = 0;

		for (j = 0; j < s->nsrcs; j++)
			if (rx_get_src_stats(&s->srcs[j], &rs) == 0)
				bytes += rs.bytes;
		if (s->rate_ms != 0 && now > s->rate_ms && bytes >= s->rate_bytes)
			atomic_store(&s->bitrate, (bytes - s->rate_bytes) * 8000 /
			    (now - s->rate_ms));
		s->rate_bytes = bytes;
		s->rate_ms = now;
	}
}

/* Hand rx the channels wanted now, if they differ from the last set. */
static void
nip_apply_channels(struct nip *n, uint64_t now)
{
	struct carousel_src *v;
	size_t nv;

	if ((v = nip_svc_channels(n, n->view, now, &nv)) == NULL)
		return;
	nip_repair_timeouts(n, v, nv);
	if (nv == n->napplied && (nv == 0 ||
	    memcmp(v, n->applied, nv * sizeof(*v)) == 0)) {
		free(v);
		return;
	}
	if (rx_set_sources(v, nv) < 0) {
		free(v);
		return;
	}
	free(n->applied);
	n->applied = v;
	n->napplied = nv;
	n->st.applies++;
	n->st.channels = nv;
	log_info("nip: receiving %zu channel(s)", nv);
}

static void
nip_publish_stats(struct nip *n)
{
	size_t i, joined = 0;

	n->st.lists = n->nlists;
	n->st.services = n->view != NULL ? n->view->nsvcs : 0;
	for (i = 0; n->view != NULL && i < n->view->nsvcs; i++)
		joined += atomic_load(&n->view->svcs[i].joined_ms) != 0;
	n->st.services_joined = joined;
	pthread_mutex_lock(&nip_st_lock);
	nip_st_snap = n->st;
	pthread_mutex_unlock(&nip_st_lock);
}

void
nip_tick(uint64_t now)
{
	struct nip *n = nip_cur;
	struct nip_view *v;
	uint64_t x;

	if (n == NULL)
		return;
	if (read(n->wakefd, &x, sizeof(x)) < 0) {
		/* EAGAIN: nobody asked for an early tick. */
	}
	if (now >= n->next_file_check) {
		nip_check_files(n);
		n->next_file_check = now + NIP_FILE_CHECK_MS;
	}
	if (cache_ready()) {
		nip_check_docs(n);
		nip_check_lists(n);
	}
	if (n->dirty && (v = nip_svc_build(n, n->view)) != NULL) {
		if (n->view != NULL)
			nip_view_put(n->view);
		n->view = v;
		atomic_fetch_add(&v->refs, 1);
		nip_view_publish(v);
		nip_repair_update(n);
		n->dirty = 0;
	}
	nip_apply_channels(n, now);
	if (now >= n->next_rate) {
		nip_rates(n, now);
		n->next_rate = now + NIP_RATE_MS;
	}
	nip_publish_stats(n);
}

static struct conf *
nip_conf_copy(const struct conf *c)
{
	struct conf *k = malloc(sizeof(*k));

	if (k != NULL)
		memcpy(k, c, sizeof(*k));
	return k;
}

int
nip_start(const struct conf *c)
{
	struct nip *n;
	int k;

	if ((n = calloc(1, sizeof(*n))) == NULL ||
	    (n->conf = nip_conf_copy(c)) == NULL) {
		free(n);
		return -1;
	}
	for (k = 0; k < NIP_NKINDS; k++)
		if (names_from_location(nip_urns[k], n->keys[k],
		    sizeof(n->keys[k])) < 0)
			fatalx("nip: cannot map %s", nip_urns[k]);
	n->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	atomic_store(&nip_wake_fd, n->wakefd);
	n->dirty = 1;
	n->v6 = nip_iface_v6(c->interface);
	nip_cur = n;
	nip_tick(util_now_ms());
	return 0;
}

void
nip_reload(const struct conf *c)
{
	struct nip *n = nip_cur;
	struct conf *k;

	if (n == NULL || (k = nip_conf_copy(c)) == NULL)
		return;
	free(n->conf);
	n->conf = k;
	memset(n->file_tag, 0, sizeof(n->file_tag));
	n->v6 = nip_iface_v6(c->interface);
	n->next_file_check = 0;
	n->dirty = 1;
}

void
nip_stop(void)
{
	struct nip *n = nip_cur;
	size_t i;
	int k;

	if (n == NULL)
		return;
	nip_cur = NULL;
	nip_view_publish(NULL);
	if (n->view != NULL)
		nip_view_put(n->view);
	for (k = 0; k < NIP_NKINDS; k++)
		nip_raw_free(&n->docs[k]);
	if (n->has_boot)
		mgc_free(&n->boot);
	if (n->has_gw)
		mgc_free(&n->gw);
	if (n->has_nif)
		nif_free(&n->nif);
	if (n->has_sif)
		sif_free(&n->sif);
	if (n->has_slep)
		slep_free(&n->slep);
	for (i = 0; i < n->nlists; i++) {
		if (n->lists[i].ok)
			dvbi_list_free(&n->lists[i].parsed);
		nip_raw_free(&n->lists[i].raw);
	}
	atomic_store(&nip_wake_fd, -1);
	if (n->wakefd >= 0)
		close(n->wakefd);
	free(n->applied);
	free(n->conf);
	free(n);
}

const struct nif *
nip_nif(uint64_t *gen)
{
	struct nip *n = nip_cur;

	if (n == NULL || !n->has_nif)
		return NULL;
	*gen = n->nif_gen;
	return &n->nif;
}

int
nip_wakefd(void)
{
	return atomic_load(&nip_wake_fd);
}

/* Ask the main loop for an early tick (an on-demand join); any thread. */
void
nip_wake(void)
{
	uint64_t one = 1;
	int fd = atomic_load(&nip_wake_fd);

	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: already pending. */
	}
}

void
nip_get_stats(struct nip_stats *out)
{
	pthread_mutex_lock(&nip_st_lock);
	*out = nip_st_snap;
	pthread_mutex_unlock(&nip_st_lock);
}
