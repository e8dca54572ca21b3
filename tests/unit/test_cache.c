/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_cache.c: the object store in RAM: LRU and byte cap against a naive
 * model, the RAM budget and policy, and readers racing a publisher.
 * Pinning and the grace period of dropped references are in
 * test_cache_pin.c; restart, the lock, the on-disk format and the file
 * system are in test_cache_restart.c.
 */
#include "cache_harness.h"

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

TEST_MAIN(TEST(test_lru_model), TEST(test_mem_budget),
    TEST(test_mem_policy), TEST(test_concurrent))
