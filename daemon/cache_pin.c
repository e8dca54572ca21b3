/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cache_pin.c: what eviction passes over.  A current playlist or manifest
 * is pinned itself (pin_self), and so is everything a current HLS
 * playlist references: its segments, parts, preload hints, init segments
 * and keys (names_hls_refs).  The pin table counts, per path, the
 * playlists and grace records that reference it; an entry is pinned
 * while it is pin_self or its path is in the table, whether the object
 * arrived before or after the playlist naming it.
 *
 * The grace period.  A player that loaded a playlist asks for what it
 * lists until well after the next version is out: rfc8216bis 6.2.2 wants
 * a segment removed from a playlist to stay available for its duration
 * plus the longest duration of a playlist that contained it.  So when a
 * version is replaced (or evicted), the references its successor no
 * longer has stay pinned for
 *
 *	grace = the old version's duration (sum of #EXTINF) + its longest
 *		segment, at least 3 target durations (what LL-HLS asks for
 *		removed parts), at most CACHE_GRACE_MAX_MS,
 *
 * counted from the replacement, which is later than the segment first
 * appeared: on the safe side.  A playlist without durations (a
 * multivariant playlist, a DASH manifest) gets none.  Due records are
 * released at the next publish (a comparison while none is due) or by
 * cache_housekeep.  Grace records are not kept over a restart: there the
 * playlists on disk pin what they list again.  All grace records together
 * hold at most CACHE_GRACE_MAX_REFS references; past that the oldest go
 * early, so that a sender changing playlists very fast cannot grow the
 * table without bound.
 *
 * Pinning only orders eviction: pinned bytes count toward max_bytes and,
 * when only pinned objects are left over it, the least recently used of
 * them go (cache.c).  All do_* functions need cache_lock.
 */
#include <stdlib.h>
#include <string.h>

#include "cache_int.h"
#include <utlist.h>

#include "log.h"
#include "names.h"
#include "util.h"

#define CACHE_GRACE_MAX_MS	(10 * 60 * 1000)
#define CACHE_GRACE_MAX_REFS	65536

_Atomic uint64_t cache_test_now_ms;

uint64_t
cache_now_ms(void)
{
	uint64_t t = atomic_load_explicit(&cache_test_now_ms,
	    memory_order_relaxed);

	return t != 0 ? t : util_now_ms();
}

static uint32_t
pin_grace_ms(const struct names_hls_dur *d)
{
	uint64_t g = CACHE_GRACE_MAX_MS;

	if (d->total_ms < CACHE_GRACE_MAX_MS)
		g = d->total_ms + d->longest_ms;
	if (g < 3 * (uint64_t)d->target_ms)
		g = 3 * (uint64_t)d->target_ms;
	return g > CACHE_GRACE_MAX_MS ? CACHE_GRACE_MAX_MS : (uint32_t)g;
}

/* names_hls_refs callback: append a path to e->refs. */
static void
pin_scan_add(void *arg, const char *path)
{
	struct cache_entry *e = arg;
	char **r, *s;
	uint32_t cap;

	if (e->nrefs == e->refs_cap) {
		cap = e->refs_cap > 0 ? 2 * e->refs_cap : 16;
		if ((r = realloc(e->refs, cap * sizeof(*r))) == NULL)
			return;
		e->refs = r;
		e->refs_cap = cap;
	}
	if ((s = strdup(path)) == NULL)
		return;
	e->refs[e->nrefs++] = s;
}

void
cache_pin_scan(struct cache_entry *e, const char *body, size_t len)
{
	struct names_hls_dur d;

	names_hls_refs(e->path, body, len, pin_scan_add, e, &d);
	e->grace_ms = pin_grace_ms(&d);
}

/* Recompute the pin of the entry at path, if it is cached. */
static void
do_pin_update(const char *path)
{
	struct cache_entry *e = do_cache_find(path);

	if (e != NULL)
		do_cache_set_pinned(e, e->pin_self || do_cache_pin_held(path));
}

int
do_cache_pin_held(const char *path)
{
	struct cache_pin *pin;

	HASH_FIND_STR(cache_cs.pins, path, pin);
	return pin != NULL;
}

/* The pin record of path, new ones with no reference; NULL if no memory. */
static struct cache_pin *
do_pin_get(const char *path)
{
	struct cache_pin *pin;

	HASH_FIND_STR(cache_cs.pins, path, pin);
	if (pin != NULL)
		return pin;
	if ((pin = calloc(1, sizeof(*pin))) == NULL)
		return NULL;
	if ((pin->path = strdup(path)) == NULL)
		goto out_free_pin;
	HASH_ADD_KEYPTR(hh, cache_cs.pins, pin->path, strlen(pin->path), pin);
	if (!cache_hash_added(pin))
		goto out_free_path;
	return pin;
out_free_path:
	free(pin->path);
out_free_pin:
	free(pin);
	return NULL;
}

/* Take one reference off path; the last one unpins it. */
static void
do_pin_unref(const char *path)
{
	struct cache_pin *pin;

	HASH_FIND_STR(cache_cs.pins, path, pin);
	if (pin == NULL || --pin->refs > 0)
		return;
	HASH_DEL(cache_cs.pins, pin);
	free(pin->path);
	free(pin);
	do_pin_update(path);
}

/* Unreference and free n paths and the array holding them. */
static void
do_pin_unref_all(char **refs, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		do_pin_unref(refs[i]);
		free(refs[i]);
	}
	free(refs);
}

/*
 * Stop at the first reference that cannot be counted for want of memory:
 * it and the rest go unpinned (and one failure is counted, not one per
 * reference).
 */
void
do_cache_pins_add(struct cache_entry *e)
{
	struct cache_pin *pin;
	uint32_t i, n;

	for (i = 0; i < e->nrefs; i++) {
		if ((pin = do_pin_get(e->refs[i])) == NULL)
			break;
		pin->refs++;
		do_pin_update(pin->path);
	}
	for (n = i; n < e->nrefs; n++)
		free(e->refs[n]);
	e->nrefs = i;
}

static void
do_grace_release(struct cache_grace *g)
{
	DL_DELETE(cache_cs.grace, g);
	cache_cs.grace_refs -= g->nrefs;
	do_pin_unref_all(g->refs, g->nrefs);
	free(g);
}

/* Move e's references into a new grace record, due in e->grace_ms. */
static void
do_grace_add(struct cache_entry *e)
{
	struct cache_grace *g;

	if (e->nrefs == 0 || (g = calloc(1, sizeof(*g))) == NULL) {
		do_pin_unref_all(e->refs, e->nrefs);
		goto out;
	}
	g->until = cache_now_ms() + e->grace_ms;
	g->refs = e->refs;
	g->nrefs = e->nrefs;
	DL_APPEND(cache_cs.grace, g);
	cache_cs.grace_refs += g->nrefs;
	if (g->until < cache_cs.grace_next)
		cache_cs.grace_next = g->until;
	while (cache_cs.grace_refs > CACHE_GRACE_MAX_REFS) {
		log_warnx_rl("cache: too many references in grace; releasing "
		    "the oldest early");
		do_grace_release(cache_cs.grace);
	}
out:
	e->refs = NULL;
	e->nrefs = e->refs_cap = 0;
}

/*
 * The references of succ are marked first, with a mark no earlier call
 * used, so telling which of e's references succ still has costs one
 * lookup each.  Those are released now (succ counts them again when it
 * is indexed, under the same lock: nothing sees the gap).
 */
void
do_cache_pins_retire(struct cache_entry *e, const struct cache_entry *succ)
{
	struct cache_pin *pin;
	uint64_t mark = ++cache_cs.pin_mark;
	uint32_t i, kept = 0;

	for (i = 0; succ != NULL && i < succ->nrefs; i++) {
		HASH_FIND_STR(cache_cs.pins, succ->refs[i], pin);
		if (pin != NULL)
			pin->mark = mark;
	}
	for (i = 0; i < e->nrefs; i++) {
		HASH_FIND_STR(cache_cs.pins, e->refs[i], pin);
		if (e->grace_ms > 0 && pin != NULL && pin->mark != mark) {
			e->refs[kept++] = e->refs[i];
			continue;
		}
		do_pin_unref(e->refs[i]);
		free(e->refs[i]);
	}
	e->nrefs = kept;
	do_grace_add(e);
}

void
do_cache_pins_expire(uint64_t now)
{
	struct cache_grace *g, *tmp;
	uint64_t next = UINT64_MAX;

	if (cache_cs.grace_next > now)
		return;
	DL_FOREACH_SAFE(cache_cs.grace, g, tmp) {
		if (g->until <= now)
			do_grace_release(g);
		else if (g->until < next)
			next = g->until;
	}
	cache_cs.grace_next = next;
}

void
do_cache_pins_clear(void)
{
	struct cache_pin *pin, *ptmp;
	struct cache_grace *g, *gtmp;
	uint32_t i;

	DL_FOREACH_SAFE(cache_cs.grace, g, gtmp) {
		DL_DELETE(cache_cs.grace, g);
		for (i = 0; i < g->nrefs; i++)
			free(g->refs[i]);
		free(g->refs);
		free(g);
	}
	cache_cs.grace_refs = 0;
	HASH_ITER(hh, cache_cs.pins, pin, ptmp) {
		/* uthash frees its table with the last item: no use after free. */
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
		HASH_DEL(cache_cs.pins, pin);
		free(pin->path);
		free(pin);
	}
}
