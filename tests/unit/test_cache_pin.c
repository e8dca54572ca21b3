/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_cache_pin.c: pinning in the object store: what a playlist maps or
 * lists stays under byte pressure, the grace period of dropped references,
 * big and hostile playlists with bounded pin and grace tables.  The tests
 * drive the clock through cache_test_now_ms.
 */
#include "cache_harness.h"
#include "../../daemon/cache_int.h"	/* the test clock, the pin table */
#include "../../daemon/names.h"

#define T0	1000000000ull	/* test clock start, ms */

static void
test_pinning(void)
{
	static uint8_t seg[3000];
	struct cache_stats st;
	char path[32];
	int i;

	dir_new();
	atomic_store(&cache_test_now_ms, T0);
	/* Room for four objects of OBJ_COST(3000). */
	REQUIRE(open_cache(4 * OBJ_COST(3000), 0, 0) == 0);
	fill(seg, sizeof(seg), 1);
	CHECK(publish("/live/p.m3u8", (const uint8_t *)pl_body,
	    sizeof(pl_body) - 1, 1, 1) == 0);
	/* The init arrives after its playlist and is pinned on arrival. */
	CHECK(publish("/live/init.mp4", seg, 1000, 1, 0) == 0);
	cache_get_stats(&st);
	CHECK(st.pinned_bytes == OBJ_COST(sizeof(pl_body) - 1) +
	    OBJ_COST(1000));
	for (i = 0; i < 20; i++) {
		snprintf(path, sizeof(path), "/live/s%d.m4s", i);
		CHECK(publish(path, seg, sizeof(seg), 1, 0) == 0);
	}
	CHECK(served_equals("/live/init.mp4", seg, 1000));
	CHECK(served_equals("/live/p.m3u8", (const uint8_t *)pl_body,
	    sizeof(pl_body) - 1));
	CHECK(!served_equals("/live/s0.m4s", seg, sizeof(seg)));
	CHECK(served_equals("/live/s19.m4s", seg, sizeof(seg)));
	cache_get_stats(&st);
	CHECK(st.evictions_pinned == 0 && st.evictions >= 17);
	/*
	 * A new playlist maps another init: the old one keeps its pin for
	 * the grace period, the old version's 2 s plus its longest segment
	 * (2 s), and loses it then.
	 */
	CHECK(publish("/live/p.m3u8", (const uint8_t *)"#EXTM3U\n"
	    "#EXT-X-MAP:URI=\"init2.mp4\"\n", 35, 2, 1) == 0);
	for (i = 20; i < 32; i++) {
		if (i == 24)
			atomic_store(&cache_test_now_ms, T0 + 3999);
		if (i == 28)
			atomic_store(&cache_test_now_ms, T0 + 4000);
		if (i % 4 == 0)
			cache_housekeep();
		snprintf(path, sizeof(path), "/live/s%d.m4s", i);
		CHECK(publish(path, seg, sizeof(seg), 1, 0) == 0);
		if (i % 4 == 3)
			CHECK(served_equals("/live/init.mp4", seg, 1000) ==
			    (i < 28));
	}
	/* Only pinned objects over the cap: the oldest pinned goes. */
	CHECK(publish("/live/init2.mp4", seg, 2000, 1, 0) == 0);
	CHECK(publish("/other/q.m3u8", (const uint8_t *)"#EXTM3U\n", 8, 1,
	    1) == 0);
	cache_set_limits(OBJ_COST(8) + 100, 0, 0);
	cache_get_stats(&st);
	/*
	 * p.m3u8 is the least recently used pinned entry: it goes first and
	 * takes the pin of init2.mp4 with it, which then goes as an unpinned
	 * entry.  q.m3u8 stays.
	 */
	CHECK_EQ_U(st.evictions_pinned, 1);
	CHECK_EQ_U(st.objects, 1);
	CHECK(cache_peek("/live/p.m3u8", &(struct cache_hit){ 0 }) == -1);
	CHECK(cache_peek("/other/q.m3u8", &(struct cache_hit){ 0 }) == 0);
	CHECK_EQ_U(st.bytes, OBJ_COST(8));
	CHECK_EQ_U(st.pinned_bytes, OBJ_COST(8));
	cache_shutdown();
	atomic_store(&cache_test_now_ms, 0);
	dir_remove();
}

/* An HLS media playlist of segments first..first+n-1. */
static size_t
live_playlist(char *buf, size_t cap, int first, int n, const char *extinf,
    int target)
{
	size_t len;
	int i;

	len = (size_t)snprintf(buf, cap, "#EXTM3U\n#EXT-X-TARGETDURATION:%d\n"
	    "#EXT-X-MEDIA-SEQUENCE:%d\n#EXT-X-MAP:URI=\"init.mp4\"\n", target,
	    first);
	for (i = first; i < first + n && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len,
		    "#EXTINF:%s,\ns%05d.m4s\n", extinf, i);
	return len < cap ? len : cap;
}

static int
present(const char *path)
{
	struct cache_hit h;

	return cache_peek(path, &h) == 0;
}

/* Publish segments /w/s<from>.. of 3000 bytes. */
static int
publish_segs(const char *dir, int from, int to, const uint8_t *seg)
{
	char path[64];
	int i, n = 0;

	for (i = from; i < to; i++) {
		snprintf(path, sizeof(path), "%s/s%05d.m4s", dir, i);
		n += publish(path, seg, 3000, 1, 0) == 0;
	}
	return n;
}

/*
 * A live window: what the current playlist lists stays under byte
 * pressure while unlisted segments go; a segment the next version drops
 * stays for the grace period (5 x 2 s + 2 s) and is evictable after it.
 */
static void
test_window_pins(void)
{
	static uint8_t seg[3000];
	static char pl[4096];
	struct cache_stats st;
	uint64_t plcost, pinned;
	size_t len;
	int i, ok = 1;

	dir_new();
	atomic_store(&cache_test_now_ms, T0);
	REQUIRE(open_cache(12 * OBJ_COST(3000), 0, 0) == 0);
	fill(seg, sizeof(seg), 3);
	len = live_playlist(pl, sizeof(pl), 0, 5, "2.000", 2);
	plcost = OBJ_COST(len);
	CHECK(publish("/w/live.m3u8", (const uint8_t *)pl, len, 1, 1) == 0);
	CHECK(publish("/w/init.mp4", seg, 1000, 1, 0) == 0);
	CHECK_EQ_U(publish_segs("/w", 0, 5, seg), 5);
	/* Unlisted segments (numbered from 100) under pressure. */
	CHECK_EQ_U(publish_segs("/w", 100, 140, seg), 40);
	pinned = plcost + OBJ_COST(1000) + 5 * OBJ_COST(3000);
	cache_get_stats(&st);
	CHECK_EQ_U(st.pinned_bytes, pinned);
	CHECK_EQ_U(st.evictions_pinned, 0);
	CHECK(st.evictions >= 30);
	CHECK(present("/w/s00000.m4s") && present("/w/s00004.m4s"));
	CHECK(present("/w/init.mp4") && !present("/w/s00100.m4s"));
	CHECK(present("/w/s00139.m4s"));
	/* The next version drops s00000 and adds s00005. */
	len = live_playlist(pl, sizeof(pl), 1, 5, "2.000", 2);
	CHECK(publish("/w/live.m3u8", (const uint8_t *)pl, len, 2, 1) == 0);
	CHECK_EQ_U(publish_segs("/w", 5, 6, seg), 1);
	for (i = 0; i < 3; i++) {
		static const uint64_t at[] = { 0, 6000, 11999 };

		atomic_store(&cache_test_now_ms, T0 + at[i]);
		cache_housekeep();
		CHECK_EQ_U(publish_segs("/w", 140 + 10 * i, 150 + 10 * i, seg),
		    10);
		cache_get_stats(&st);
		ok &= present("/w/s00000.m4s");
		ok &= st.pinned_bytes == pinned + OBJ_COST(3000) +
		    OBJ_COST(len) - plcost;
	}
	CHECK(ok);
	CHECK_EQ_U(st.evictions_pinned, 0);
	/* Grace over: unpinned at once, evicted under pressure next. */
	atomic_store(&cache_test_now_ms, T0 + 12000);
	cache_housekeep();
	cache_get_stats(&st);
	CHECK_EQ_U(st.pinned_bytes, pinned + OBJ_COST(len) - plcost);
	CHECK(present("/w/s00000.m4s"));
	CHECK_EQ_U(publish_segs("/w", 200, 210, seg), 10);
	CHECK(!present("/w/s00000.m4s"));
	for (i = 1; i <= 5; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/w/s%05d.m4s", i);
		CHECK(present(path));
	}
	cache_get_stats(&st);
	CHECK_EQ_U(st.evictions_pinned, 0);
	cache_shutdown();
	atomic_store(&cache_test_now_ms, 0);
	dir_remove();
}

/* The grace period of a playlist, as computed at publish. */
static uint32_t
grace_of(const char *path)
{
	struct cache_entry *e;
	uint32_t g = UINT32_MAX;

	pthread_mutex_lock(&cache_lock);
	if ((e = do_cache_find(path)) != NULL)
		g = e->grace_ms;
	pthread_mutex_unlock(&cache_lock);
	return g;
}

static size_t
pin_count(void)
{
	size_t n;

	pthread_mutex_lock(&cache_lock);
	n = HASH_COUNT(cache_cs.pins);
	pthread_mutex_unlock(&cache_lock);
	return n;
}

/*
 * Grace = duration + longest segment, at least 3 target durations, at
 * most 10 minutes, none without durations; and a reference two playlists
 * share stays pinned while either lists it.
 */
static void
test_grace_rules(void)
{
	static const struct {
		int		n;
		const char	*extinf;
		int		target;
		uint32_t	grace;
	} c[] = {
		{ 5, "2.000", 2, 12000 },
		{ 3, "1", 6, 18000 },		/* 3 x target */
		{ 400, "6.006", 6, 600000 },	/* capped */
		{ 2, "9999999999", 0, 600000 },
		{ 1, "0.5", 0, 1000 },
		{ 0, "2", 0, 0 },		/* no segments */
	};
	static char pl[16384];
	static uint8_t seg[1000];
	struct cache_stats st;
	char path[32];
	size_t i, len;

	dir_new();
	atomic_store(&cache_test_now_ms, T0);
	REQUIRE(open_cache(1 << 24, 0, 0) == 0);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		snprintf(path, sizeof(path), "/g/%zu.m3u8", i);
		len = live_playlist(pl, sizeof(pl), 0, c[i].n, c[i].extinf,
		    c[i].target);
		CHECK(publish(path, (const uint8_t *)pl, len, 1, 1) == 0);
		CHECK_EQ_U(grace_of(path), c[i].grace);
	}
	/* Not HLS: a DASH manifest pins itself, references nothing. */
	CHECK(publish("/g/m.mpd", (const uint8_t *)"<MPD>\nx.m4s\n", 12, 1,
	    1) == 0);
	CHECK_EQ_U(grace_of("/g/m.mpd"), 0);
	cache_shutdown();
	dir_remove();

	/* Two playlists without durations map one init. */
	dir_new();
	REQUIRE(open_cache(1 << 24, 0, 0) == 0);
	fill(seg, sizeof(seg), 4);
	len = live_playlist(pl, sizeof(pl), 0, 0, "1", 0);
	CHECK(publish("/s/a.m3u8", (const uint8_t *)pl, len, 1, 1) == 0);
	CHECK(publish("/s/b.m3u8", (const uint8_t *)pl, len, 1, 1) == 0);
	CHECK(publish("/s/init.mp4", seg, sizeof(seg), 1, 0) == 0);
	CHECK(publish("/s/a.m3u8", (const uint8_t *)"#EXTM3U\n", 8, 2, 1) ==
	    0);
	cache_get_stats(&st);
	CHECK_EQ_U(st.pinned_bytes, OBJ_COST(len) + OBJ_COST(8) +
	    OBJ_COST(sizeof(seg)));
	CHECK(publish("/s/b.m3u8", (const uint8_t *)"#EXTM3U\n", 8, 2, 1) ==
	    0);
	cache_get_stats(&st);
	CHECK_EQ_U(st.pinned_bytes, 2 * OBJ_COST(8));
	CHECK_EQ_U(pin_count(), 0);
	cache_shutdown();
	atomic_store(&cache_test_now_ms, 0);
	dir_remove();
}

/* The references of the playlist at path: count, first and last. */
static uint32_t
refs_of(const char *path, char *first, char *last, size_t cap)
{
	struct cache_entry *e;
	uint32_t n = 0;

	first[0] = last[0] = '\0';
	pthread_mutex_lock(&cache_lock);
	if ((e = do_cache_find(path)) != NULL && (n = e->nrefs) > 0) {
		snprintf(first, cap, "%s", e->refs[0]);
		snprintf(last, cap, "%s", e->refs[n - 1]);
	}
	pthread_mutex_unlock(&cache_lock);
	return n;
}

static uint64_t
grace_refs(void)
{
	uint64_t n;

	pthread_mutex_lock(&cache_lock);
	n = cache_cs.grace_refs;
	pthread_mutex_unlock(&cache_lock);
	return n;
}

/*
 * A playlist of 5,000 segments pins its newest NAMES_MAX_REFS - 1 and its
 * init, whether its body comes in memory or is read from its file; the
 * pin table and the grace records stay bounded through many versions.
 */
static void
test_big_playlist(void)
{
	static uint8_t seg[3000];
	static char pl[256 * 1024];
	char first[64], last[64];
	size_t len;
	int v;

	dir_new();
	atomic_store(&cache_test_now_ms, T0);
	REQUIRE(open_cache(16 * OBJ_COST(3000) + OBJ_COST(sizeof(pl)), 0,
	    0) == 0);
	fill(seg, sizeof(seg), 5);
	len = live_playlist(pl, sizeof(pl), 0, 5000, "2.000", 2);
	REQUIRE(len < sizeof(pl));
	CHECK(publish("/b/live.m3u8", (const uint8_t *)pl, len, 1, 1) == 0);
	CHECK_EQ_U(refs_of("/b/live.m3u8", first, last, sizeof(first)),
	    NAMES_MAX_REFS);
	CHECK(strcmp(first, "/b/init.mp4") == 0);
	CHECK(strcmp(last, "/b/s04999.m4s") == 0);
	CHECK_EQ_U(pin_count(), NAMES_MAX_REFS);
	/* Without its body in memory (over mem_max): read from the file. */
	CHECK(publish("/c/live.m3u8", (const uint8_t *)pl, len, 1, 0) == 0);
	CHECK_EQ_U(refs_of("/c/live.m3u8", first, last, sizeof(first)),
	    NAMES_MAX_REFS);
	CHECK(strcmp(last, "/c/s04999.m4s") == 0);
	CHECK_EQ_U(pin_count(), 2 * NAMES_MAX_REFS);
	/* The newest listed stay, the oldest listed (not pinned) go. */
	CHECK_EQ_U(publish_segs("/b", 0, 1, seg), 1);
	CHECK_EQ_U(publish_segs("/b", 4990, 5000, seg), 10);
	CHECK_EQ_U(publish_segs("/b", 6000, 6020, seg), 20);
	CHECK(!present("/b/s00000.m4s") && present("/b/s04990.m4s"));
	CHECK(present("/b/s04999.m4s") && !present("/b/s06000.m4s"));
	/* Versions that each drop 1,000 keep them for the 10 min cap. */
	for (v = 1; v <= 3; v++) {
		len = live_playlist(pl, sizeof(pl), 1000 * v, 5000, "2.000",
		    2);
		CHECK(publish("/b/live.m3u8", (const uint8_t *)pl, len,
		    1 + (uint64_t)v, 1) == 0);
		CHECK_EQ_U(grace_refs(), 1000 * (uint64_t)v);
	}
	CHECK_EQ_U(pin_count(), 2 * NAMES_MAX_REFS + 3000);
	CHECK(present("/b/s04999.m4s"));
	atomic_store(&cache_test_now_ms, T0 + 599999);
	cache_housekeep();
	CHECK_EQ_U(grace_refs(), 3000);
	atomic_store(&cache_test_now_ms, T0 + 600000);
	cache_housekeep();
	CHECK_EQ_U(grace_refs(), 0);
	CHECK_EQ_U(pin_count(), 2 * NAMES_MAX_REFS);
	/* Versions with nothing in common: grace is bounded (65,536). */
	for (v = 0; v < 20; v++) {
		len = live_playlist(pl, sizeof(pl), 100000 * (v + 1), 5000,
		    "2", 2);
		CHECK(publish("/b/live.m3u8", (const uint8_t *)pl, len,
		    10 + (uint64_t)v, 1) == 0);
	}
	CHECK(grace_refs() <= 65536 && grace_refs() > 60000);
	CHECK(pin_count() <= 65536 + 3 * NAMES_MAX_REFS);
	cache_shutdown();
	atomic_store(&cache_test_now_ms, 0);
	dir_remove();
}

/*
 * Hostile playlists through the cache: 100,000 URIs, a line of 1 MB,
 * binary noise (seeded).  Nothing crashes or leaks (ASan), references
 * stay bounded, and everything is released by a playlist without any.
 */
static void
test_hostile_playlists(void)
{
	size_t cap = 2u << 20, len, i;
	char *b = malloc(cap);
	char first[64], last[64];
	uint32_t x = 99;
	int j;

	REQUIRE(b != NULL);
	dir_new();
	atomic_store(&cache_test_now_ms, T0);
	REQUIRE(open_cache(1 << 26, 0, 0) == 0);
	len = (size_t)snprintf(b, cap, "#EXTM3U\n");
	for (i = 0; i < 100000; i++)
		len += (size_t)snprintf(b + len, cap - len, "u%zu\n", i);
	CHECK(publish("/h/a.m3u8", (const uint8_t *)b, len, 1, 1) == 0);
	CHECK_EQ_U(refs_of("/h/a.m3u8", first, last, sizeof(first)),
	    NAMES_MAX_REFS);
	CHECK(strcmp(last, "/h/u99999") == 0);
	memset(b + 8, 'x', 1 << 20);
	len = 8 + (1 << 20);
	CHECK(publish("/h/a.m3u8", (const uint8_t *)b, len, 2, 1) == 0);
	CHECK_EQ_U(refs_of("/h/a.m3u8", first, last, sizeof(first)), 0);
	for (j = 0; j < 100; j++) {
		len = 8 + (size_t)j * 331;
		for (i = 8; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			b[i] = j % 2 ? "\n#:,=\"a/.EXTINF-"[x % 15] : (char)x;
		}
		CHECK(publish("/h/a.m3u8", (const uint8_t *)b, len,
		    3 + (uint64_t)j, 1) == 0);
		CHECK(refs_of("/h/a.m3u8", first, last, sizeof(first)) <=
		    NAMES_MAX_REFS);
	}
	CHECK(publish("/h/a.m3u8", (const uint8_t *)"#EXTM3U\n", 8, 1000, 1) ==
	    0);
	atomic_store(&cache_test_now_ms, T0 + 600000);
	cache_housekeep();
	CHECK_EQ_U(grace_refs(), 0);
	CHECK_EQ_U(pin_count(), 0);
	cache_shutdown();
	atomic_store(&cache_test_now_ms, 0);
	dir_remove();
	free(b);
}

TEST_MAIN(TEST(test_pinning), TEST(test_window_pins),
    TEST(test_grace_rules), TEST(test_big_playlist),
    TEST(test_hostile_playlists))
