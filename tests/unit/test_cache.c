/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_cache.c: the object store in RAM: LRU and byte cap against a naive
 * model, pinning and the grace period of dropped references, the RAM
 * budget and policy, and readers racing a publisher.  Restart, the lock,
 * the on-disk format and the file system are in test_cache_restart.c.
 * The grace tests drive the clock through cache_test_now_ms.
 */
#include "cache_harness.h"
#include "../../daemon/cache_int.h"	/* the test clock, the pin table */
#include "../../daemon/names.h"

#define T0	1000000000ull	/* test clock start, ms */

/* ---- The reference model for the randomised test. ---- */

#define M_PATHS		40
#define M_SEGS		32	/* /sNN.ts; then 4 playlists, 4 inits */

struct mobj {
	int		present;
	uint64_t	size;
	uint64_t	seq;
	uint32_t	content;	/* body seed */
	uint64_t	tick;		/* last use */
	int		ref;		/* playlist: init index it maps */
};

static struct model {
	struct mobj	o[M_PATHS];
	uint64_t	clock, bytes, cap;
	uint64_t	evictions, evictions_pinned, inserts, replaced, stale;
	uint64_t	lastseq[M_PATHS];
} M;

static void
m_path(int i, char *out, size_t len)
{
	if (i < M_SEGS)
		snprintf(out, len, "/r/s%02d.ts", i);
	else if (i < M_SEGS + 4)
		snprintf(out, len, "/r/l%d.m3u8", i - M_SEGS);
	else
		snprintf(out, len, "/r/i%d.mp4", i - M_SEGS - 4);
}

static int
m_is_playlist(int i)
{
	return i >= M_SEGS && i < M_SEGS + 4;
}

static int
m_pinned(int i)
{
	int j;

	if (m_is_playlist(i))
		return 1;
	for (j = M_SEGS; j < M_SEGS + 4; j++) {
		if (M.o[j].present && M_SEGS + 4 + M.o[j].ref == i)
			return 1;
	}
	return 0;
}

static uint64_t
m_pinned_bytes(void)
{
	uint64_t b = 0;
	int i;

	for (i = 0; i < M_PATHS; i++) {
		if (M.o[i].present && m_pinned(i))
			b += OBJ_COST(M.o[i].size);
	}
	return b;
}

static void
m_evict(void)
{
	int i, pass, best;

	while (M.bytes > M.cap) {
		best = -1;
		for (pass = 0; pass < 2 && best < 0; pass++) {
			for (i = 0; i < M_PATHS; i++) {
				if (!M.o[i].present || m_pinned(i) != pass)
					continue;
				if (best < 0 || M.o[i].tick < M.o[best].tick)
					best = i;
			}
		}
		if (best < 0)
			return;
		M.evictions++;
		M.evictions_pinned += m_pinned(best);
		M.o[best].present = 0;
		M.bytes -= OBJ_COST(M.o[best].size);
	}
}

/* The body of object i, version content: playlists map an init. */
static size_t
m_body(int i, uint32_t content, uint64_t size, uint8_t *buf, int *ref)
{
	int n;

	fill(buf, (size_t)size, content);
	*ref = -1;
	if (!m_is_playlist(i))
		return (size_t)size;
	*ref = (int)(content % 4);
	n = snprintf((char *)buf, 64, "#EXTM3U\n#EXT-X-MAP:URI=\"i%d.mp4\"\n#",
	    *ref);
	return (size_t)size > (size_t)n ? (size_t)size : (size_t)n;
}

/* The expected outcome of publishing (seq, content) at i. */
static int
m_publish(int i, uint64_t seq, uint32_t content, uint64_t size, int ref)
{
	struct mobj *o = &M.o[i];

	if (o->present) {
		int same = o->content == content && o->size == size;
		int stale;

		if ((seq == 0) != (o->seq == 0))
			stale = seq == 0;
		else if (seq != o->seq)
			stale = seq < o->seq;
		else
			stale = same;
		if (stale) {
			M.stale++;
			return 1;
		}
		M.replaced++;
		M.bytes -= OBJ_COST(o->size);
	} else {
		M.inserts++;
	}
	o->present = 1;
	o->size = size;
	o->seq = seq;
	o->content = content;
	o->ref = ref;
	o->tick = ++M.clock;
	M.bytes += OBJ_COST(size);
	m_evict();
	return 0;
}

static uint32_t rng = 12345;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return n ? rng % n : 0;
}

/* Pick a version for i: newer, older, the same again, or seq 0. */
static void
pick_version(int i, uint64_t *seq, uint32_t *content)
{
	uint32_t k = rnd(100);
	struct mobj *o = &M.o[i];

	*content = rnd(1u << 30);
	if (k < 70 || !o->present) {
		*seq = ++M.lastseq[i] + rnd(3);
		M.lastseq[i] = *seq;
	} else if (k < 80) {
		*seq = o->seq > 1 ? o->seq - 1 - rnd((uint32_t)o->seq - 1) :
		    o->seq;
	} else if (k < 90) {
		*seq = o->seq;
		*content = o->content;
	} else if (k < 95) {
		*seq = 0;
	} else {
		*seq = o->seq;
	}
}

static int
step_publish(uint8_t *buf)
{
	int i = (int)rnd(M_PATHS), ref, r, want;
	uint64_t seq, size;
	uint32_t content;
	size_t len;
	char path[64];

	pick_version(i, &seq, &content);
	size = m_is_playlist(i) ? 60 + content % 400 : content % 6000;
	if (M.o[i].present && M.o[i].content == content)
		size = M.o[i].size;
	len = m_body(i, content, size, buf, &ref);
	m_path(i, path, sizeof(path));
	want = m_publish(i, seq, content, len, ref);
	r = publish(path, buf, len, seq, m_is_playlist(i) || rnd(2));
	CHECK(r == want);
	return r == want;
}

static int
step_open(uint8_t *buf)
{
	int i = (int)rnd(M_PATHS), ref;
	size_t len;
	char path[64];
	struct cache_hit h;

	m_path(i, path, sizeof(path));
	if (!M.o[i].present) {
		CHECK(cache_open(path, &h) == -1);
		return 1;
	}
	M.o[i].tick = ++M.clock;
	len = m_body(i, M.o[i].content, M.o[i].size, buf, &ref);
	/* Regenerate into the upper half so buf holds the expectation. */
	CHECK(len == M.o[i].size);
	return served_equals(path, buf, len);
}

/* After every step: the same set, bytes and counters as the model. */
static int
compare_model(void)
{
	struct cache_stats st;
	struct cache_hit h;
	char path[64];
	int i, ok = 1;

	cache_get_stats(&st);
	ok &= st.bytes == M.bytes;
	ok &= st.evictions == M.evictions;
	ok &= st.evictions_pinned == M.evictions_pinned;
	ok &= st.inserts == M.inserts && st.replaced == M.replaced;
	ok &= st.stale_rejected == M.stale;
	ok &= st.pinned_bytes == m_pinned_bytes();
	for (i = 0; i < M_PATHS; i++) {
		m_path(i, path, sizeof(path));
		ok &= (cache_peek(path, &h) == 0) == M.o[i].present;
		if (M.o[i].present)
			ok &= h.size == M.o[i].size && h.fd == -1 &&
			    h.blob == NULL;
	}
	if (!ok)
		fprintf(stderr, "  model: bytes %llu/%llu evictions %llu/%llu "
		    "pinned %llu/%llu\n", (unsigned long long)st.bytes,
		    (unsigned long long)M.bytes,
		    (unsigned long long)st.evictions,
		    (unsigned long long)M.evictions,
		    (unsigned long long)st.evictions_pinned,
		    (unsigned long long)M.evictions_pinned);
	return ok;
}

static void
test_lru_model(void)
{
	static uint8_t buf[8192];
	static const uint64_t caps[] = { 24 * 1024, 48 * 1024, 96 * 1024 };
	struct cache_stats st;
	int step, ok = 1;

	dir_new();
	memset(&M, 0, sizeof(M));
	M.cap = 96 * 1024;
	REQUIRE(open_cache(M.cap, 4096, 16 * 1024) == 0);
	for (step = 0; step < 20000 && ok; step++) {
		uint32_t k = rnd(100);

		if (k < 35) {
			ok &= step_publish(buf);
		} else if (k < 85) {
			ok &= step_open(buf);
		} else if (k < 95) {
			cache_housekeep();
		} else if (k < 98) {
			M.cap = caps[rnd(3)];
			cache_set_limits(M.cap, 0, 0);
			m_evict();
		}
		ok &= compare_model();
		if (step % 2500 == 0) {
			cache_get_stats(&st);
			ok &= objects_count() == (int)st.objects;
			ok &= dir_count("tmp") == 0;
			ok &= st.mem_bytes <= 16 * 1024;
		}
		if (!ok)
			fprintf(stderr, "  model diverged at step %d\n", step);
	}
	CHECK(ok);
	cache_get_stats(&st);
	CHECK(st.evictions > 1000 && st.evictions_pinned > 0);
	CHECK(st.stale_rejected > 100 && st.replaced > 100);
	CHECK(st.hits > 1000 && st.misses > 1000);
	cache_shutdown();
	dir_remove();
}

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

static void
test_mem_budget(void)
{
	static uint8_t b[1000];
	struct cache_stats st;
	struct cache_hit h;
	char path[32];
	int i;

	dir_new();
	REQUIRE(open_cache(1 << 20, 1000, 3000) == 0);
	for (i = 0; i < 6; i++) {
		fill(b, sizeof(b), (uint32_t)i);
		snprintf(path, sizeof(path), "/m/%d.m3u8", i);
		CHECK(publish(path, b, sizeof(b), 1, 1) == 0);
		cache_get_stats(&st);
		CHECK(st.mem_bytes <= 3000);
	}
	/* The oldest lost its RAM copy and is served from its file. */
	REQUIRE(cache_open("/m/0.m3u8", &h) == 0);
	CHECK(h.blob == NULL && h.fd >= 0);
	close(h.fd);
	cache_close(&h);
	fill(b, sizeof(b), 0);
	CHECK(served_equals("/m/0.m3u8", b, sizeof(b)));
	REQUIRE(cache_open("/m/5.m3u8", &h) == 0);
	CHECK(h.blob != NULL && h.fd == -1);
	cache_close(&h);
	cache_shutdown();
	dir_remove();
}

/*
 * Only playlists, manifests and signalling (XML, JSON) up to mem_max live
 * in RAM, whether handed over at publish or loaded at the first open;
 * segments and everything else are served from their files.
 */
static void
test_mem_policy(void)
{
	static const struct {
		const char	*path;
		size_t		len;
		int		ram;
	} c[] = {
		{ "/p/live.m3u8", 900, 1 },
		{ "/p/manifest.mpd", 900, 1 },
		{ "/p/sl.xml", 900, 1 },
		{ "/p/svc.json", 900, 1 },
		{ "/p/big.m3u8", 1001, 0 },	/* over mem_max */
		{ "/p/seg.ts", 900, 0 },
		{ "/p/seg.m4s", 900, 0 },
		{ "/p/notes.txt", 900, 0 },
		{ "/p/noext", 900, 0 },
		{ "/p/empty.m3u8", 0, 1 },
	};
	static uint8_t b[1001];
	struct cache_stats st;
	struct cache_hit h;
	uint64_t want = 0;
	size_t i;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		/* Pass 0 hands the body over; pass 1 loads it at open. */
		dir_new();
		REQUIRE(open_cache(1 << 20, 1000, 1 << 20) == 0);
		want = 0;
		for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
			fill(b, c[i].len, (uint32_t)i);
			CHECK(publish(c[i].path, b, c[i].len, 1, pass == 0) ==
			    0);
			REQUIRE(cache_open(c[i].path, &h) == 0);
			CHECK((h.blob != NULL) == c[i].ram);
			CHECK((h.fd >= 0) == !c[i].ram);
			if (h.fd >= 0)
				close(h.fd);
			cache_close(&h);
			CHECK(served_equals(c[i].path, b, c[i].len));
			if (c[i].ram)
				want += c[i].len;
		}
		cache_get_stats(&st);
		CHECK_EQ_U(st.mem_bytes, want);
		cache_shutdown();
		dir_remove();
	}
}

/* Readers against a publisher that keeps replacing and evicting. */
static _Atomic int conc_stop;
static _Atomic int conc_bad, conc_hits;

static void *
conc_reader(void *arg)
{
	static _Thread_local uint8_t buf[20000];
	struct cache_hit h;
	uint8_t md5[16];
	char path[32], etag[40];
	unsigned i = (unsigned)(uintptr_t)arg;
	int k;

	while (!atomic_load(&conc_stop)) {
		snprintf(path, sizeof(path), "/c/%u.bin", i++ % 8);
		if (cache_open(path, &h) < 0)
			continue;
		if (hit_read(&h, buf, sizeof(buf)) < 0) {
			atomic_fetch_add(&conc_bad, 1);
		} else {
			util_md5(buf, h.size, md5);
			etag[0] = '"';
			for (k = 0; k < 16; k++)
				snprintf(etag + 1 + 2 * k, 3, "%02x", md5[k]);
			etag[33] = '"';
			etag[34] = '\0';
			if (strcmp(etag, h.etag) != 0)
				atomic_fetch_add(&conc_bad, 1);
		}
		atomic_fetch_add(&conc_hits, 1);
		if (h.fd >= 0)
			close(h.fd);
		cache_close(&h);
	}
	return NULL;
}

static void
test_concurrent(void)
{
	static uint8_t body[20000];
	pthread_t t[3];
	struct cache_stats st;
	char path[32];
	int i, n = 0;

	dir_new();
	/* Small objects in RAM, large ones from files; room for about 4. */
	REQUIRE(open_cache(4 * OBJ_COST(12000), 2048, 8192) == 0);
	for (i = 0; i < 3; i++)
		REQUIRE(pthread_create(&t[i], NULL, conc_reader,
		    (void *)(uintptr_t)i) == 0);
	for (i = 0; i < 1500; i++) {
		size_t len = (size_t)(i * 7919) % sizeof(body);

		fill(body, len, (uint32_t)i);
		snprintf(path, sizeof(path), "/c/%d.bin", i % 8);
		n += publish(path, body, len, (uint64_t)i + 1, i % 2) == 0;
		if (i % 500 == 0)
			cache_housekeep();
	}
	atomic_store(&conc_stop, 1);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ_U(n, 1500);
	CHECK_EQ_U(atomic_load(&conc_bad), 0);
	CHECK(atomic_load(&conc_hits) > 0);
	cache_get_stats(&st);
	CHECK(st.evictions > 0 && st.bytes <= 4 * OBJ_COST(12000));
	CHECK_EQ_U(objects_count(), st.objects);
	cache_shutdown();
	dir_remove();
}

TEST_MAIN(TEST(test_lru_model), TEST(test_pinning), TEST(test_window_pins),
    TEST(test_grace_rules), TEST(test_big_playlist),
    TEST(test_hostile_playlists), TEST(test_mem_budget),
    TEST(test_mem_policy), TEST(test_concurrent))
