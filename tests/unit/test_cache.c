/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_cache.c: the object store: header codec, LRU and byte cap against a
 * naive model, pinning, rebuild after a crash, the directory lock,
 * responses that outlive eviction, and tables that cannot grow.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nettle/md5.h>

#include "../../daemon/cache.h"
#include "../../daemon/cache_fs.h"
#include "../../daemon/cache_int.h"	/* cache_hash_fail */
#include "../../daemon/mime.h"
#include "test.h"

#define OBJ_COST(size)	(CACHE_FS_BODY_OFF + (uint64_t)(size))

static char tdir[64];
static unsigned tmp_counter;

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void
dir_new(void)
{
	snprintf(tdir, sizeof(tdir), "/tmp/nipcache-tc-XXXXXX");
	if (mkdtemp(tdir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
}

static void
dir_remove(void)
{
	nftw(tdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Number of entries in a directory below tdir ("tmp", "objects/ab"). */
static int
dir_count(const char *sub)
{
	char p[256];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(p, sizeof(p), "%s/%s", tdir, sub);
	if ((d = opendir(p)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static int
objects_count(void)
{
	char sub[32];
	int i, n = 0;

	for (i = 0; i < 256; i++) {
		int c;

		snprintf(sub, sizeof(sub), "objects/%02x", i);
		if ((c = dir_count(sub)) > 0)
			n += c;
	}
	return n;
}

static struct cache_params
params(uint64_t max_bytes, uint32_t mem_max, uint64_t mem_budget)
{
	struct cache_params p;

	memset(&p, 0, sizeof(p));
	p.dir = tdir;
	p.max_bytes = max_bytes;
	p.mem_max = mem_max;
	p.mem_budget = mem_budget;
	return p;
}

static int
open_cache(uint64_t max_bytes, uint32_t mem_max, uint64_t mem_budget)
{
	struct cache_params p = params(max_bytes, mem_max, mem_budget);
	char err[256];
	int r = cache_init(&p, err, sizeof(err));

	if (r != 0)
		fprintf(stderr, "cache_init: %d %s\n", r, err);
	return r;
}

static void
fill(uint8_t *b, size_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (uint8_t)x;
	}
}

static void
md5_of(const uint8_t *b, size_t n, uint8_t out[16])
{
	struct md5_ctx c;

	md5_init(&c);
	md5_update(&c, n, b);
	md5_digest(&c, 16, out);
}

/*
 * Write a complete object file into tmp/ as the committer would and
 * publish it.  Returns what cache_publish returned.
 */
static int
publish(const char *path, const uint8_t *body, size_t len, uint64_t seq,
    int in_mem)
{
	static struct cache_fs_hdr h;
	uint8_t page[CACHE_FS_BODY_OFF];
	char file[256];
	struct cache_obj o;
	int fd;

	memset(&h, 0, sizeof(h));
	h.body_len = len;
	md5_of(body, len, h.md5);
	h.mtime = 1700000000;
	h.seq = seq;
	snprintf(h.content_type, sizeof(h.content_type), "%s",
	    mime_from_path(path));
	snprintf(h.path, sizeof(h.path), "%s", path);
	if (cache_fs_hdr_encode(&h, page, sizeof(page)) < 0)
		return -9;
	snprintf(file, sizeof(file), "%s/tmp/t%u", tdir, tmp_counter++);
	if ((fd = open(file, O_RDWR | O_CREAT | O_EXCL, 0640)) < 0)
		return -9;
	if (cache_fs_pwrite_full(fd, page, sizeof(page), 0) < 0 ||
	    (len > 0 && cache_fs_pwrite_full(fd, body, len,
	    CACHE_FS_BODY_OFF) < 0)) {
		close(fd);
		return -9;
	}
	close(fd);
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.tmp_file = file;
	o.size = len;
	o.body_off = CACHE_FS_BODY_OFF;
	o.content_type = h.content_type;
	o.md5 = h.md5;
	o.seq = seq;
	o.mtime = h.mtime;
	o.body = in_mem ? body : NULL;
	return cache_publish(&o);
}

/* The body a hit serves, read from its blob or descriptor. */
static int
hit_read(const struct cache_hit *h, uint8_t *buf, size_t cap)
{
	if (h->size > cap)
		return -1;
	if (h->blob != NULL) {
		if (h->blob->len != h->size)
			return -1;
		memcpy(buf, h->blob->data, h->size);
		return 0;
	}
	if (h->fd < 0)
		return -1;
	return cache_fs_pread_full(h->fd, buf, h->size, h->body_off);
}

/* cache_open + compare with the expected body + release. */
static int
served_equals(const char *path, const uint8_t *body, size_t len)
{
	static uint8_t buf[1 << 20];
	struct cache_hit h;
	uint8_t md5[16];
	char etag[40], hex[33];
	int ok;
	size_t i;

	if (cache_open(path, &h) < 0)
		return 0;
	md5_of(body, len, md5);
	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", md5[i]);
	snprintf(etag, sizeof(etag), "\"%s\"", hex);
	ok = h.size == len && hit_read(&h, buf, sizeof(buf)) == 0 &&
	    memcmp(buf, body, len) == 0 && strcmp(h.etag, etag) == 0 &&
	    h.body_off == CACHE_FS_BODY_OFF;
	if (h.fd >= 0)
		close(h.fd);
	cache_close(&h);
	return ok;
}

static void
test_hdr_codec(void)
{
	static struct cache_fs_hdr h, g;
	static uint8_t page[CACHE_FS_BODY_OFF], bad[CACHE_FS_BODY_OFF];
	size_t i, hl = 60 + 10 + 14 + 4;

	memset(&h, 0, sizeof(h));
	h.body_len = 123456;
	memset(h.md5, 0xab, 16);
	h.mtime = -5;
	h.seq = UINT64_MAX;
	strcpy(h.content_type, "video/mp2t");
	strcpy(h.path, "/a/b/segment.ts");
	hl = 60 + strlen(h.content_type) + strlen(h.path) + 4;
	REQUIRE(cache_fs_hdr_encode(&h, page, sizeof(page)) == 0);
	memset(&g, 0, sizeof(g));
	REQUIRE(cache_fs_hdr_decode(page, sizeof(page), &g) == 0);
	CHECK(g.body_len == h.body_len && g.mtime == -5 &&
	    g.seq == UINT64_MAX && memcmp(g.md5, h.md5, 16) == 0 &&
	    strcmp(g.path, h.path) == 0 &&
	    strcmp(g.content_type, h.content_type) == 0);
	/* Truncated input, and every single bit flipped, is refused. */
	for (i = 0; i < hl; i++)
		CHECK(cache_fs_hdr_decode(page, i, &g) == -1);
	for (i = 0; i < hl * 8; i++) {
		memcpy(bad, page, sizeof(bad));
		bad[i / 8] ^= (uint8_t)(1u << (i % 8));
		CHECK(cache_fs_hdr_decode(bad, sizeof(bad), &g) == -1);
	}
	/* Garbage and zeros. */
	fill(bad, sizeof(bad), 7);
	CHECK(cache_fs_hdr_decode(bad, sizeof(bad), &g) == -1);
	memset(bad, 0, sizeof(bad));
	CHECK(cache_fs_hdr_decode(bad, sizeof(bad), &g) == -1);
	/* Encode refuses what must never reach a header. */
	strcpy(h.path, "/a\r\nX-Evil: 1");
	CHECK(cache_fs_hdr_encode(&h, page, sizeof(page)) == -1);
	strcpy(h.path, "relative");
	CHECK(cache_fs_hdr_encode(&h, page, sizeof(page)) == -1);
	strcpy(h.path, "");
	CHECK(cache_fs_hdr_encode(&h, page, sizeof(page)) == -1);
	strcpy(h.path, "/ok");
	memset(h.content_type, 'x', sizeof(h.content_type));
	CHECK(cache_fs_hdr_encode(&h, page, sizeof(page)) == -1);
	strcpy(h.content_type, "text/plain");
	CHECK(cache_fs_hdr_encode(&h, page, 100) == -1);
	memset(h.path, 'p', sizeof(h.path) - 1);
	h.path[0] = '/';
	h.path[sizeof(h.path) - 1] = '\0';
	CHECK(cache_fs_hdr_encode(&h, page, sizeof(page)) == 0);
	CHECK(cache_fs_hdr_decode(page, sizeof(page), &g) == 0);
	CHECK(strlen(g.path) == NAMES_MAX - 1);
}

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

static const char pl_body[] =
    "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:2,\nseg1.m4s\n";

static void
test_pinning(void)
{
	static uint8_t seg[3000];
	struct cache_stats st;
	char path[32];
	int i;

	dir_new();
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
	/* A new playlist maps another init: the old one loses its pin. */
	CHECK(publish("/live/p.m3u8", (const uint8_t *)"#EXTM3U\n"
	    "#EXT-X-MAP:URI=\"init2.mp4\"\n", 35, 2, 1) == 0);
	for (i = 20; i < 24; i++) {
		snprintf(path, sizeof(path), "/live/s%d.m4s", i);
		CHECK(publish(path, seg, sizeof(seg), 1, 0) == 0);
	}
	CHECK(!served_equals("/live/init.mp4", seg, 1000));
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
	dir_remove();
}

/* Copy a file (to fake a crash that left an old version behind). */
static int
copy_file(const char *from, const char *to)
{
	static uint8_t buf[1 << 16];
	int in = open(from, O_RDONLY), out;
	ssize_t n;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	close(in);
	if (out >= 0)
		close(out);
	return out >= 0 ? 0 : -1;
}

/* The object file currently holding path (by scanning headers). */
static int
find_object_file(const char *path, char *out, size_t len)
{
	static struct cache_fs_hdr h;
	uint8_t page[CACHE_FS_BODY_OFF];
	char dname[256], fname[512];
	struct dirent *de;
	DIR *d;
	int i, fd, found = -1;

	for (i = 0; i < 256 && found < 0; i++) {
		snprintf(dname, sizeof(dname), "%s/objects/%02x", tdir, i);
		if ((d = opendir(dname)) == NULL)
			continue;
		while (found < 0 && (de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(fname, sizeof(fname), "%s/%s", dname,
			    de->d_name);
			if ((fd = open(fname, O_RDONLY)) < 0)
				continue;
			if (cache_fs_pread_full(fd, page, sizeof(page),
			    0) == 0 &&
			    cache_fs_hdr_decode(page, sizeof(page), &h) == 0 &&
			    strcmp(h.path, path) == 0) {
				snprintf(out, len, "%s", fname);
				found = 0;
			}
			close(fd);
		}
		closedir(d);
	}
	return found;
}

static void
write_file(const char *sub, const char *text)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tdir, sub);
	if ((f = fopen(p, "w")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void
test_restart(void)
{
	static uint8_t a[5000], b[7000], c[100];
	char fa[512], fold[512], fc[512], keep[600];
	struct cache_stats st;
	struct cache_hit h;

	dir_new();
	fill(a, sizeof(a), 11);
	fill(b, sizeof(b), 12);
	fill(c, sizeof(c), 13);
	REQUIRE(open_cache(1 << 20, 0, 0) == 0);
	CHECK(publish("/x/a.ts", a, sizeof(a), 7, 0) == 0);
	CHECK(publish("/x/c.ts", c, sizeof(c), 1, 0) == 0);
	CHECK(publish("/x/p.m3u8", (const uint8_t *)pl_body,
	    sizeof(pl_body) - 1, 1, 1) == 0);
	CHECK(publish("/x/init.mp4", c, 50, 1, 0) == 0);
	/* Keep the first version of b to fake a crash before its unlink. */
	CHECK(publish("/x/b.ts", a, 4000, 1, 0) == 0);
	REQUIRE(find_object_file("/x/b.ts", fold, sizeof(fold)) == 0);
	snprintf(keep, sizeof(keep), "%s.keep", fold);
	REQUIRE(copy_file(fold, keep) == 0);
	CHECK(publish("/x/b.ts", b, sizeof(b), 2, 0) == 0);
	cache_shutdown();
	CHECK(rename(keep, fold) == 0);
	/* Corrupt c (truncated) and leave junk everywhere. */
	REQUIRE(find_object_file("/x/c.ts", fc, sizeof(fc)) == 0);
	CHECK(truncate(fc, CACHE_FS_BODY_OFF + 10) == 0);
	write_file("tmp/sdeadbeef", "partial");
	write_file("tmp/ddeadbeef", "partial");
	snprintf(fa, sizeof(fa), "%s/objects/00", tdir);
	mkdir(fa, 0750);
	write_file("objects/00/not-an-object", "junk");
	REQUIRE(open_cache(1 << 20, 4096, 1 << 20) == 0);
	cache_get_stats(&st);
	CHECK_EQ_U(st.rebuilt, 4);
	CHECK_EQ_U(st.rebuild_dropped, 2);
	CHECK_EQ_U(st.tmp_purged, 2);
	CHECK_EQ_U(st.objects, 4);
	CHECK_EQ_U(dir_count("tmp"), 0);
	CHECK_EQ_U(objects_count(), 4);
	CHECK(access(fc, F_OK) == -1);
	CHECK(cache_open("/x/c.ts", &h) == -1);
	CHECK(served_equals("/x/a.ts", a, sizeof(a)));
	CHECK(served_equals("/x/b.ts", b, sizeof(b)));
	/* Pins come back from the playlist on disk. */
	CHECK(st.pinned_bytes == OBJ_COST(sizeof(pl_body) - 1) + OBJ_COST(50));
	/* Small objects are loaded into RAM on first use. */
	REQUIRE(cache_open("/x/p.m3u8", &h) == 0);
	CHECK(h.blob != NULL && h.fd == -1 && h.is_playlist);
	CHECK(strcmp(h.content_type, "application/vnd.apple.mpegurl") == 0);
	cache_close(&h);
	/* What was on disk is older than anything received now. */
	CHECK(publish("/x/a.ts", b, 100, 1, 0) == 0);
	CHECK(served_equals("/x/a.ts", b, 100));
	CHECK(publish("/x/a.ts", b, 100, 1, 0) == 1);
	cache_shutdown();

	/* Format checks: a foreign version, a foreign directory, no dir. */
	write_file("FORMAT", "nipcache-cache 99\n");
	CHECK(open_cache(1 << 20, 0, 0) == -1);
	write_file("FORMAT", CACHE_FS_FORMAT "\n");
	REQUIRE(open_cache(1 << 20, 0, 0) == 0);
	cache_shutdown();
	dir_remove();
	CHECK(open_cache(1 << 20, 0, 0) == 1);
	dir_new();
	write_file("photo.jpg", "x");
	CHECK(open_cache(1 << 20, 0, 0) == -1);
	CHECK(dir_count("") == 1);	/* no LOCK left behind */
	dir_remove();
	dir_new();
	REQUIRE(open_cache(1 << 20, 0, 0) == 0);
	CHECK(access(strcat(strcpy(fa, tdir), "/FORMAT"), F_OK) == 0);
	cache_shutdown();
	dir_remove();
}

static void
test_lock(void)
{
	char p[256], err[256];
	struct cache_params cp;
	pid_t pid;
	int st = -1, fd;

	dir_new();
	REQUIRE(open_cache(1 << 20, 0, 0) == 0);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		/* The child has the same (singleton) state: reset it. */
		cp = params(1 << 20, 0, 0);
		cache_shutdown();
		_exit(cache_init(&cp, err, sizeof(err)) == -1 &&
		    strstr(err, "in use") != NULL ? 0 : 1);
	}
	REQUIRE(pid > 0);
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cache_shutdown();
	/* Another open file description in this very process also conflicts. */
	snprintf(p, sizeof(p), "%s/LOCK", tdir);
	REQUIRE((fd = open(p, O_RDWR)) >= 0);
	CHECK(flock(fd, LOCK_EX | LOCK_NB) == 0);
	cp = params(1 << 20, 0, 0);
	CHECK(cache_init(&cp, err, sizeof(err)) == -1);
	CHECK(strstr(err, "in use") != NULL);
	close(fd);
	CHECK(open_cache(1 << 20, 0, 0) == 0);
	cache_shutdown();
	dir_remove();
}

/* Eviction and replacement never change what an open response reads. */
static void
test_open_survives(void)
{
	static uint8_t a[100000], b[100000], s[200], got[100000];
	struct cache_hit h1, h2, hb;
	struct cache_stats st;

	dir_new();
	fill(a, sizeof(a), 21);
	fill(b, sizeof(b), 22);
	fill(s, sizeof(s), 23);
	REQUIRE(open_cache(1 << 20, 1024, 4096) == 0);
	CHECK(publish("/v/a.ts", a, sizeof(a), 1, 0) == 0);
	CHECK(publish("/v/s.m3u8", s, sizeof(s), 1, 1) == 0);
	REQUIRE(cache_open("/v/a.ts", &h1) == 0);
	CHECK(h1.fd >= 0 && h1.blob == NULL);
	REQUIRE(cache_open("/v/a.ts", &h2) == 0);	/* a hot dup */
	cache_get_stats(&st);
	CHECK_EQ_U(st.hot_fds, 1);
	REQUIRE(cache_open("/v/s.m3u8", &hb) == 0);
	CHECK(hb.blob != NULL && hb.fd == -1);
	/* A new version replaces a.ts; then everything is evicted. */
	CHECK(publish("/v/a.ts", b, sizeof(b), 2, 0) == 0);
	CHECK(served_equals("/v/a.ts", b, sizeof(b)));
	cache_set_limits(0, 0, 0);
	cache_get_stats(&st);
	CHECK_EQ_U(st.objects, 0);
	CHECK_EQ_U(st.hot_fds, 0);
	CHECK_EQ_U(st.mem_bytes, 0);
	CHECK_EQ_U(objects_count(), 0);
	CHECK(hit_read(&h1, got, sizeof(got)) == 0 &&
	    memcmp(got, a, sizeof(a)) == 0);
	CHECK(hit_read(&h2, got, sizeof(got)) == 0 &&
	    memcmp(got, a, sizeof(a)) == 0);
	CHECK(hit_read(&hb, got, sizeof(got)) == 0 &&
	    memcmp(got, s, sizeof(s)) == 0);
	close(h1.fd);
	close(h2.fd);
	cache_close(&hb);
	CHECK(cache_open("/v/a.ts", &h1) == -1);
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

/* cache_publish itself refuses a key that is not a path. */
static int
publish_bad_path(void)
{
	char file[256];
	struct cache_obj o;
	uint8_t md5[16] = { 0 };

	snprintf(file, sizeof(file), "%s/tmp/bad", tdir);
	write_file("tmp/bad", "x");
	memset(&o, 0, sizeof(o));
	o.path = "relative";
	o.tmp_file = file;
	o.size = 1;
	o.md5 = md5;
	return cache_publish(&o);
}

static void
test_min_free_and_versions(void)
{
	static uint8_t a[500], b[500];
	struct cache_stats st;

	dir_new();
	fill(a, sizeof(a), 31);
	fill(b, sizeof(b), 32);
	REQUIRE(open_cache(1 << 20, 0, 0) == 0);
	CHECK(publish("/q/x", a, sizeof(a), 5, 0) == 0);
	CHECK(publish("/q/x", b, sizeof(b), 3, 0) == 1);	/* older */
	CHECK(publish("/q/x", a, sizeof(a), 5, 0) == 1);	/* duplicate */
	CHECK(publish("/q/x", a, sizeof(a), 0, 0) == 1);	/* unknown */
	CHECK(served_equals("/q/x", a, sizeof(a)));
	CHECK(publish("/q/x", b, sizeof(b), 5, 0) == 0);	/* changed */
	CHECK(served_equals("/q/x", b, sizeof(b)));
	CHECK(publish("/q/y", a, sizeof(a), 0, 0) == 0);
	CHECK(publish("/q/y", b, sizeof(b), 0, 0) == 0);	/* 0 vs 0 */
	CHECK(publish("/q/y", a, sizeof(a), 1, 0) == 0);	/* 1 > 0 */
	CHECK_EQ_U(dir_count("tmp"), 0);
	CHECK_EQ_U(objects_count(), 2);
	/* A file system that is fuller than min_free allows empties us. */
	cache_set_limits(1 << 20, UINT64_C(1) << 62, 0);
	cache_get_stats(&st);
	CHECK_EQ_U(st.objects, 0);
	CHECK(publish("/q/z", a, sizeof(a), 1, 0) == 0);
	cache_get_stats(&st);
	CHECK_EQ_U(st.objects, 0);
	cache_set_limits(1 << 20, 0, 0);
	CHECK(publish("/q/z", a, sizeof(a), 2, 0) == 0);
	cache_housekeep();
	CHECK(served_equals("/q/z", a, sizeof(a)));
	/* Bad objects are refused, and their file is removed. */
	CHECK(publish_bad_path() == -1);
	CHECK_EQ_U(dir_count("tmp"), 0);
	cache_shutdown();
	CHECK(publish("/q/w", a, sizeof(a), 1, 0) == -1);
	CHECK(cache_open("/q/z", &(struct cache_hit){ 0 }) == -1);
	dir_remove();
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
			md5_of(buf, h.size, md5);
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

/* Enough objects that the index has to grow several times. */
#define OOM_N	600

/*
 * Publish n objects "/g/<i>.ts" (cost OBJ_COST(len) each) and count the
 * accepted ones; each must be served, each refused one gone for good.
 */
static int
publish_many(int n, const uint8_t *body, size_t len, uint64_t seq)
{
	char path[32];
	int i, r, ok = 0;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/g/%d.ts", i);
		r = publish(path, body, len, seq, 0);
		CHECK(r == 0 || r == -1);
		if (r == 0)
			CHECK(served_equals(path, body, len));
		else
			CHECK(cache_peek(path, &(struct cache_hit){ 0 }) == -1);
		ok += r == 0;
	}
	return ok;
}

/*
 * uthash out of memory (HASH_NONFATAL_OOM): an add that cannot create or
 * grow a table is refused and counted, and the cache stays consistent:
 * counters match the index and the files on disk, nothing leaks (ASan).
 */
static void
test_hash_oom(void)
{
	static uint8_t seg[2000];
	struct cache_stats st;
	int ok;

	dir_new();
	REQUIRE(open_cache(1 << 26, 0, 0) == 0);
	fill(seg, sizeof(seg), 21);
	/* The very first add has to create the index. */
	atomic_store(&cache_hash_fail, 1);
	CHECK(publish("/o/a.ts", seg, sizeof(seg), 1, 0) == -1);
	atomic_store(&cache_hash_fail, 0);
	cache_get_stats(&st);
	CHECK_EQ_U(st.hash_oom, 1);
	CHECK_EQ_U(st.publish_errors, 1);
	CHECK_EQ_U(st.objects + st.bytes + st.inserts, 0);
	CHECK_EQ_U(objects_count(), 0);
	CHECK_EQ_U(dir_count("tmp"), 0);
	CHECK(publish("/o/a.ts", seg, sizeof(seg), 1, 0) == 0);
	CHECK(served_equals("/o/a.ts", seg, sizeof(seg)));
	/* A playlist is indexed but its pin table cannot be created. */
	atomic_store(&cache_hash_fail, 1);
	CHECK(publish("/o/p.m3u8", (const uint8_t *)pl_body,
	    sizeof(pl_body) - 1, 1, 1) == 0);
	atomic_store(&cache_hash_fail, 0);
	CHECK(publish("/o/init.mp4", seg, 100, 1, 0) == 0);
	cache_get_stats(&st);
	CHECK_EQ_U(st.hash_oom, 2);
	CHECK_EQ_U(st.objects, 3);
	CHECK_EQ_U(st.pinned_bytes, OBJ_COST(sizeof(pl_body) - 1));
	CHECK(served_equals("/o/p.m3u8", (const uint8_t *)pl_body,
	    sizeof(pl_body) - 1));
	/* The index cannot grow: some adds are refused, the rest go in. */
	atomic_store(&cache_hash_fail, 1);
	ok = publish_many(OOM_N, seg, sizeof(seg), 1);
	atomic_store(&cache_hash_fail, 0);
	cache_get_stats(&st);
	CHECK(ok > 0 && ok < OOM_N);
	CHECK_EQ_U(st.hash_oom, 2 + OOM_N - ok);
	CHECK_EQ_U(st.objects, 3 + ok);
	CHECK_EQ_U(st.bytes, OBJ_COST(sizeof(pl_body) - 1) + OBJ_COST(100) +
	    OBJ_COST(sizeof(seg)) * (1 + (uint64_t)ok));
	CHECK_EQ_U(objects_count(), st.objects);
	CHECK_EQ_U(dir_count("tmp"), 0);
	/* New versions whose add fails take the old one with them. */
	atomic_store(&cache_hash_fail, 1);
	ok = publish_many(OOM_N, seg + 1, sizeof(seg) - 1, 2);
	atomic_store(&cache_hash_fail, 0);
	cache_get_stats(&st);
	CHECK_EQ_U(st.objects, 3 + ok);
	CHECK_EQ_U(objects_count(), st.objects);
	/* With memory back every object goes in. */
	CHECK_EQ_U(publish_many(OOM_N, seg, sizeof(seg), 3), OOM_N);
	cache_get_stats(&st);
	CHECK_EQ_U(st.objects, OOM_N + 3);
	CHECK_EQ_U(objects_count(), OOM_N + 3);
	cache_shutdown();
	/* A rebuild that cannot index keeps the files for the next start. */
	atomic_store(&cache_hash_fail, 1);
	REQUIRE(open_cache(1 << 26, 0, 0) == 0);
	atomic_store(&cache_hash_fail, 0);
	cache_get_stats(&st);
	CHECK_EQ_U(st.objects, 0);
	CHECK_EQ_U(st.hash_oom, OOM_N + 3);
	CHECK_EQ_U(objects_count(), OOM_N + 3);
	cache_shutdown();
	REQUIRE(open_cache(1 << 26, 0, 0) == 0);
	cache_get_stats(&st);
	CHECK_EQ_U(st.objects, OOM_N + 3);
	CHECK_EQ_U(st.rebuilt, OOM_N + 3);
	CHECK_EQ_U(st.hash_oom, 0);
	CHECK(served_equals("/g/0.ts", seg, sizeof(seg)));
	cache_shutdown();
	dir_remove();
}

TEST_MAIN(TEST(test_hdr_codec), TEST(test_lru_model), TEST(test_pinning),
    TEST(test_restart), TEST(test_lock), TEST(test_open_survives),
    TEST(test_mem_budget), TEST(test_mem_policy),
    TEST(test_min_free_and_versions), TEST(test_concurrent),
    TEST(test_hash_oom))
