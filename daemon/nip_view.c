/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nip_view.c: the view of the NIP state that HTTP threads read.  The main
 * thread builds a new view whenever the signalling changes and publishes
 * it with a pointer swap under nip_view_lock; readers take a reference
 * under the same lock and drop it when done, so a view is freed by
 * whoever drops the last reference, never while in use.  Besides the
 * atomics (touch, join, bit rate) and the rewritten-list slots (under the
 * view's rw_lock), a view never changes.
 */
#include <stdlib.h>
#include <string.h>

#include "nip_int.h"
#include "util.h"

static pthread_mutex_t nip_view_lock = PTHREAD_MUTEX_INITIALIZER;
static struct nip_view *nip_view_cur;

struct nip_view *
nip_view_new(void)
{
	struct nip_view *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	atomic_store(&v->refs, 1);
	pthread_mutex_init(&v->rw_lock, NULL);
	return v;
}

static void
nip_vsvc_free(struct nip_vsvc *s)
{
	size_t i;

	free(s->id);
	free(s->name);
	free(s->provider);
	free(s->genre);
	free(s->logo_src);
	free(s->play_src);
	free(s->play_key);
	free(s->type);
	for (i = 0; i < s->nprefixes; i++)
		free(s->prefixes[i]);
	free(s->prefixes);
	free(s->srcs);
}

static void
nip_vlist_free(struct nip_vlist *l)
{
	size_t i;

	free(l->key);
	free(l->url);
	free(l->id);
	free(l->name);
	free(l->buf);
	for (i = 0; i < NIP_RW_SLOTS; i++)
		free(l->rw[i].buf);
}

static void
nip_view_free(struct nip_view *v)
{
	size_t i;
	int k;

	for (k = 0; k < NIP_NKINDS; k++)
		nip_raw_free(&v->docs[k]);
	for (i = 0; i < v->nlists; i++)
		nip_vlist_free(&v->lists[i]);
	free(v->lists);
	for (i = 0; v->svcs != NULL && i < v->nsvcs; i++)
		nip_vsvc_free(&v->svcs[i]);
	free(v->svcs);
	pthread_mutex_destroy(&v->rw_lock);
	free(v);
}

void
nip_view_put(struct nip_view *v)
{
	if (v != NULL && atomic_fetch_sub(&v->refs, 1) == 1)
		nip_view_free(v);
}

void
nip_view_publish(struct nip_view *v)
{
	struct nip_view *old;

	pthread_mutex_lock(&nip_view_lock);
	old = nip_view_cur;
	nip_view_cur = v;
	pthread_mutex_unlock(&nip_view_lock);
	nip_view_put(old);
}

struct nip_view *
nip_view_get(void)
{
	struct nip_view *v;

	pthread_mutex_lock(&nip_view_lock);
	v = nip_view_cur;
	if (v != NULL)
		atomic_fetch_add(&v->refs, 1);
	pthread_mutex_unlock(&nip_view_lock);
	return v;
}

/* 1 if path is at or below one of the service's folders. */
static int
nip_svc_owns(const struct nip_vsvc *s, const char *path)
{
	size_t i;

	if (s->play_key != NULL && strcmp(s->play_key, path) == 0)
		return 1;
	for (i = 0; i < s->nprefixes; i++)
		if (strncmp(path, s->prefixes[i], strlen(s->prefixes[i])) == 0)
			return 1;
	return 0;
}

int
nip_touch(const char *path)
{
	struct nip_view *v = nip_view_get();
	uint64_t now = util_now_ms(), j;
	int joining = 0;
	size_t i;

	if (v == NULL)
		return 0;
	for (i = 0; i < v->nsvcs; i++) {
		struct nip_vsvc *s = &v->svcs[i];

		if (!nip_svc_owns(s, path))
			continue;
		/* Coarse: one store a second at most per service. */
		if (now - atomic_load(&s->touched_ms) >= 1000)
			atomic_store(&s->touched_ms, now);
		j = atomic_load(&s->joined_ms);
		if (j == 0 && v->on_demand)
			nip_wake();
		/* Not joined and never will be (join = list): a plain miss. */
		joining = j == 0 ? v->on_demand : now - j < NIP_JOIN_GRACE_MS;
		break;
	}
	nip_view_put(v);
	return joining;
}

int
nip_document(const char *path, const char *host, struct httpd_doc *out)
{
	struct nip_view *v = nip_view_get();
	int r;

	if (v == NULL)
		return strcmp(path, "/services.json") == 0 ? 503 : 404;
	r = nip_doc_render(v, path, host, out);
	nip_view_put(v);
	return r;
}

int
nip_src_service(const struct carousel_src *src, char *id, size_t len)
{
	struct nip_view *v = nip_view_get();
	size_t i, j;
	int r = -1;

	for (i = 0; v != NULL && r < 0 && i < v->nsvcs; i++) {
		const struct nip_vsvc *s = &v->svcs[i];

		for (j = 0; j < s->nsrcs; j++) {
			if (s->id != NULL && rx_src_same(&s->srcs[j], src)) {
				util_strlcpy(id, s->id, len);
				r = 0;
				break;
			}
		}
	}
	nip_view_put(v);
	return r;
}
