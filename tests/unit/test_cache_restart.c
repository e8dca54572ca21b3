/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_cache_restart.c: the object store on disk: the header codec,
 * rebuild after a crash, FORMAT and the directory lock, responses that
 * outlive eviction, min_free and versions, tables that cannot grow, and
 * the count of writes refused for want of space.
 */
#include <sys/file.h>
#include <sys/wait.h>

#include "cache_harness.h"
#include "../../daemon/cache_int.h"	/* cache_hash_fail, cache_cs */

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

/*
 * Writes the file system refuses for want of space are counted (the
 * nipcache_disk_full_total the crash test reads); other errors are not.
 * /dev/full answers every write with ENOSPC.
 */
static void
test_disk_full(void)
{
	static const struct {
		int	err;
		int	counted;
	} errs[] = {
		{ ENOSPC, 1 }, { EDQUOT, 1 }, { EIO, 0 }, { EACCES, 0 },
		{ EBADF, 0 }, { 0, 0 },
	};
	uint8_t buf[512];
	struct cache_stats st;
	uint64_t n = cache_fs_disk_full();
	size_t i;
	int fd;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		cache_fs_count_error(errs[i].err);
		n += (uint64_t)errs[i].counted;
		CHECK_EQ_U(cache_fs_disk_full(), n);
	}
	fill(buf, sizeof(buf), 5);
	if ((fd = open("/dev/full", O_WRONLY | O_CLOEXEC)) >= 0) {
		errno = 0;
		CHECK(cache_fs_pwrite_full(fd, buf, sizeof(buf), 0) == -1);
		CHECK(errno == ENOSPC);
		CHECK_EQ_U(cache_fs_disk_full(), ++n);
		close(fd);
	} else {
		printf("# /dev/full: %s: its write is not tested\n",
		    strerror(errno));
	}
	/* A write to a descriptor open for reading fails, not for space. */
	dir_new();
	REQUIRE((fd = open(tdir, O_RDONLY | O_DIRECTORY)) >= 0);
	CHECK(cache_fs_pwrite_full(fd, buf, sizeof(buf), 0) == -1);
	close(fd);
	CHECK_EQ_U(cache_fs_disk_full(), n);
	/* The cache reports the same count; a rename of nothing is no space. */
	REQUIRE(open_cache(1 << 20, 0, 0) == 0);
	CHECK(cache_fs_rename_in(cache_cs.rootfd, "/nonexistent/x",
	    "objects/00/y") == -1 && errno == ENOENT);
	cache_get_stats(&st);
	CHECK_EQ_U(st.disk_full, n);
	cache_shutdown();
	dir_remove();
}

TEST_MAIN(TEST(test_hdr_codec), TEST(test_restart), TEST(test_lock),
    TEST(test_open_survives), TEST(test_min_free_and_versions),
    TEST(test_hash_oom), TEST(test_disk_full))
