/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repair_job.c: a repair job and where it fetches from (protocols.md 5.4).
 * An object job copies what the receiver hands over (the meta strings,
 * the missing ranges) and is fetched from its session's BaseURL when the
 * signalling gives one, else from the configured base_url; never from the
 * origin and never from a host named by the object itself.  A path job
 * names a cache path: it is fetched from a session whose
 * transportObjectBaseURI covers the path, else from base_url, else from
 * the origin.  The parameters' defaults are filled in here too.  Nothing
 * here does I/O: repair.c calls these with its lock held.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "../carousel/ranges.h"
#include "names.h"
#include "repair_int.h"
#include "util.h"

#define GW_PREFIX	"http://dvb.gw"
#define PARALLEL_MAX	64

static int
dup_opt(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	*dst = strdup(src);
	return *dst == NULL ? -1 : 0;
}

/* The stage treats "identity" as no encoding, and so does repair. */
int
repair_encoded(const char *ce)
{
	return ce != NULL && ce[0] != '\0' && strcasecmp(ce, "identity") != 0;
}

/* The receiver's list is trusted only once checked. */
static int
ranges_valid(const struct obj_range *r, size_t n, uint64_t len)
{
	uint64_t end = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (r[i].len == 0 || r[i].off < end || r[i].off > len ||
		    r[i].len > len - r[i].off)
			return 0;
		end = r[i].off + r[i].len;
	}
	return 1;
}

/*
 * The ranges to fetch.  A handle with no usable list (none given, too
 * many, not sorted or outside the object) is treated as missing
 * everything, so that a whole GET fills every byte of it.
 */
static int
job_set_ranges(struct repair_job *j, const struct obj_range *r, size_t n)
{
	struct obj_range all = { 0, j->meta.transfer_length };

	if (j->h == NULL)
		return 0;
	if (n == 0 || n > REPAIR_RANGES_MAX || r == NULL ||
	    !ranges_valid(r, n, j->meta.transfer_length)) {
		r = &all;
		n = all.len > 0 ? 1 : 0;
	}
	if (n == 0)
		return 0;
	j->miss = malloc(n * sizeof(*j->miss));
	j->cov = calloc(n, sizeof(*j->cov));
	if (j->miss == NULL || j->cov == NULL)
		return -1;
	memcpy(j->miss, r, n * sizeof(*r));
	j->nmiss = n;
	return 0;
}

struct repair_job *
repair_job_object(void *h, const struct obj_meta *m,
    const struct obj_range *missing, size_t n, uint64_t lost,
    enum obj_repair_trigger why)
{
	char path[NAMES_MAX];
	struct repair_job *j;

	if (m == NULL || m->location == NULL ||
	    names_from_location(m->location, path, sizeof(path)) < 0)
		return NULL;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	j->h = h;
	j->why = why;
	j->lost = lost;
	j->meta = *m;
	if ((j->path = strdup(path)) == NULL ||
	    dup_opt(&j->location, m->location) < 0 ||
	    dup_opt(&j->content_type, m->content_type) < 0 ||
	    dup_opt(&j->content_encoding, m->content_encoding) < 0 ||
	    job_set_ranges(j, missing, n) < 0) {
		repair_job_free(j);
		return NULL;
	}
	j->meta.location = j->location;
	j->meta.content_type = j->content_type;
	j->meta.content_encoding = j->content_encoding;
	return j;
}

struct repair_job *
repair_job_path(const char *path, enum obj_repair_trigger why)
{
	char esc[REPAIR_URL_MAX];
	struct repair_job *j;
	size_t n;

	if (path == NULL || path[0] != '/' || strlen(path) >= NAMES_MAX ||
	    util_path_escape(path, esc, sizeof(esc)) < 0)
		return NULL;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	n = sizeof(GW_PREFIX) + strlen(esc);
	j->path = strdup(path);
	j->location = malloc(n);
	if (j->path == NULL || j->location == NULL) {
		repair_job_free(j);
		return NULL;
	}
	snprintf(j->location, n, "%s%s", GW_PREFIX, esc);
	j->is_path = 1;
	j->whole = 1;
	j->why = why;
	j->meta.key.tsi.hi = j->meta.key.tsi.lo = UINT64_MAX;
	j->meta.location = j->location;
	j->meta.content_length = -1;
	return j;
}

/* The session of a policy carries the object: channel, port, TSI. */
static int
policy_has_key(const struct repair_policy *pol, const struct obj_key *k)
{
	const struct carousel_src *s = &pol->src;
	size_t alen = s->family == AF_INET6 ? 16 : 4;

	if (s->family != (int)k->family || s->port != k->port ||
	    memcmp(s->group, k->dst, alen) != 0)
		return 0;
	if (s->has_source && memcmp(s->source, k->src, alen) != 0)
		return 0;
	return !s->has_tsi || alc_id_eq(s->tsi, k->tsi);
}

static const struct repair_policy *
policy_for_key(const struct repair_policy *v, size_t n,
    const struct obj_key *k)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (policy_has_key(&v[i], k))
			return &v[i];
	}
	return NULL;
}

/* Whole GET, or the missing ranges only (whole_pct of the object). */
static void
job_choose_whole(struct repair_job *j, uint32_t whole_pct)
{
	uint64_t total = ranges_total(j->miss, j->nmiss);
	uint64_t len = j->meta.transfer_length;

	j->refetch = j->h != NULL && repair_encoded(j->meta.content_encoding);
	j->whole = j->h == NULL || j->refetch || j->nmiss == 0 ||
	    (double)total * 100.0 > (double)whole_pct * (double)len;
}

/*
 * An object: its session's BaseURL (transportObjectBaseURI cut off), or
 * the configured base_url (scheme and host cut off).  The back-off is the
 * session's whenever the signalling names the session.
 */
static int
job_object_url(struct repair_job *j, const struct repair_params *p,
    const struct repair_policy *pol, size_t npol, uint64_t *rng,
    uint64_t *backoff)
{
	const struct repair_policy *sp;
	const char *uri;
	int b;

	sp = policy_for_key(pol, npol, &j->meta.key);
	if (sp != NULL)
		*backoff = repair_backoff_ms(sp->fixed_backoff_ms,
		    sp->random_backoff_ms, rng);
	else
		*backoff = repair_backoff_ms(p->fixed_backoff_ms,
		    p->random_backoff_ms, rng);
	if (sp != NULL &&
	    (b = repair_pick_base(sp->base, sp->nbase, rng)) >= 0) {
		uri = sp->object_base_uri[0] != '\0' ? sp->object_base_uri :
		    NULL;
		if (repair_url(j->location, uri, sp->base[b].url, j->url,
		    sizeof(j->url)) == 0)
			return 0;
	}
	if ((b = repair_pick_base(p->base, p->nbase, rng)) < 0)
		return -1;
	return repair_url(j->location, NULL, p->base[b].url, j->url,
	    sizeof(j->url));
}

/*
 * The cache path prefix an object_base_uri stands for.  "http://h/" maps
 * to the root, which names_from_location() refuses as a name, so a byte
 * is appended for the mapping and taken off again.
 */
static int
policy_prefix(const char *uri, char *out, size_t len)
{
	char tmp[REPAIR_URL_MAX + 2];
	size_t n;

	if (uri[0] == '\0')
		return -1;
	snprintf(tmp, sizeof(tmp), "%sx", uri);
	if (names_from_location(tmp, out, len) < 0)
		return -1;
	n = strlen(out);
	if (n == 0 || out[n - 1] != 'x')
		return -1;
	out[n - 1] = '\0';
	return 0;
}

/* How much of path the policy's object_base_uri covers; 0 if none. */
static size_t
policy_covers(const struct repair_policy *pol, const char *path)
{
	char pre[NAMES_MAX];
	size_t n;

	if (policy_prefix(pol->object_base_uri, pre, sizeof(pre)) < 0)
		return 0;
	n = strlen(pre);
	if (n == 0 || strncmp(path, pre, n) != 0)
		return 0;
	if (pre[n - 1] != '/' && path[n] != '/' && path[n] != '\0')
		return 0;	/* "/ab" does not cover "/abc" */
	return n;
}

/* The signalled session covering path the most closely, with a base. */
static const struct repair_policy *
policy_for_path(const struct repair_policy *v, size_t npol, const char *path,
    size_t *plen)
{
	const struct repair_policy *best = NULL;
	size_t i, n, j;

	*plen = 0;
	for (i = 0; i < npol; i++) {
		for (j = 0; j < v[i].nbase && v[i].base[j].weight == 0; j++)
			;
		if (j == v[i].nbase ||
		    (n = policy_covers(&v[i], path)) <= *plen)
			continue;
		best = &v[i];
		*plen = n;
	}
	return best;
}

/* A path under a session's transportObjectBaseURI: its BaseURL. */
static int
job_policy_path_url(struct repair_job *j, const struct repair_policy *sp,
    size_t plen, uint64_t *rng)
{
	char esc[REPAIR_URL_MAX], loc[2 * REPAIR_URL_MAX];
	int b;

	if (util_path_escape(j->path + plen, esc, sizeof(esc)) < 0 ||
	    (b = repair_pick_base(sp->base, sp->nbase, rng)) < 0)
		return -1;
	if ((size_t)snprintf(loc, sizeof(loc), "%s%s", sp->object_base_uri,
	    esc) >= sizeof(loc))
		return -1;
	return repair_url(loc, sp->object_base_uri, sp->base[b].url, j->url,
	    sizeof(j->url));
}

/* A cache path: a covering session, else base_url, else the origin. */
static int
job_path_url(struct repair_job *j, const struct repair_params *p,
    const struct repair_policy *pol, size_t npol, uint64_t *rng,
    uint64_t *backoff)
{
	const struct repair_policy *sp;
	size_t plen;
	int b;

	sp = policy_for_path(pol, npol, j->path, &plen);
	if (sp != NULL && job_policy_path_url(j, sp, plen, rng) == 0) {
		*backoff = repair_backoff_ms(sp->fixed_backoff_ms,
		    sp->random_backoff_ms, rng);
		return 0;
	}
	*backoff = repair_backoff_ms(p->fixed_backoff_ms,
	    p->random_backoff_ms, rng);
	if ((b = repair_pick_base(p->base, p->nbase, rng)) >= 0)
		return repair_url(j->location, NULL, p->base[b].url, j->url,
		    sizeof(j->url));
	if (p->origin[0] == '\0')
		return -1;
	return repair_url(j->location, NULL, p->origin, j->url,
	    sizeof(j->url));
}

int
repair_job_url(struct repair_job *j, const struct repair_params *p,
    const struct repair_policy *pol, size_t npol, uint64_t *rng,
    uint64_t *backoff)
{
	*backoff = 0;
	if (j->is_path)
		return job_path_url(j, p, pol, npol, rng, backoff);
	job_choose_whole(j, p->whole_pct);
	return job_object_url(j, p, pol, npol, rng, backoff);
}

/* Defaults for the zeros (repair.h). */
void
repair_params_norm(struct repair_params *p)
{
	if (p->max_parallel == 0)
		p->max_parallel = 4;
	if (p->max_parallel > PARALLEL_MAX)
		p->max_parallel = PARALLEL_MAX;
	if (p->connect_timeout_ms == 0)
		p->connect_timeout_ms = 3000;
	if (p->timeout_ms == 0)
		p->timeout_ms = 10000;
	if (p->whole_pct == 0)
		p->whole_pct = 50;
	if (p->whole_pct > 100)
		p->whole_pct = 100;
	if (p->max_object_bytes == 0)
		p->max_object_bytes = UINT64_C(4) << 30;
	if (p->failed_ttl_ms == 0)
		p->failed_ttl_ms = 60000;
	if (p->nbase > REPAIR_MAX_BASE)
		p->nbase = REPAIR_MAX_BASE;
}

void
repair_job_free(struct repair_job *j)
{
	if (j == NULL)
		return;
	free(j->location);
	free(j->content_type);
	free(j->content_encoding);
	free(j->miss);
	free(j->cov);
	free(j->path);
	free(j);
}
