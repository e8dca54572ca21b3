/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_stage.c: objects through the obj_sink and the committer thread:
 * out-of-order staging, lengths, names and types, aborts, a full commit
 * queue, write runs, read-back, batches and playlist pins.  Content
 * decoding and digests are in test_stage_enc.c.
 */
#include "stage_harness.h"

static void
test_plain(void)
{
	static uint8_t big[300000], small[1000];
	struct obj_meta m;
	struct stage_stats st;

	REQUIRE(setup(CONF_FSYNC_NEVER, 0) == 0);
	fill(big, sizeof(big), 1);
	fill(small, sizeof(small), 2);
	m = meta(1, "http://dvb.gw/live/seg1.ts", sizeof(big));
	m.content_type = "video/mp2t";
	m.has_md5 = 1;
	util_md5(big, sizeof(big), m.md5);
	m.has_sha256 = 1;
	sha_of(big, sizeof(big), m.sha256);
	REQUIRE(stage(&m, big, sizeof(big)) == 0);
	CHECK(wait_result(1) == OBJ_OK);
	CHECK(served("/live/seg1.ts", big, sizeof(big), "video/mp2t"));
	m = meta(2, "live/index.m3u8", sizeof(small));
	m.content_length = sizeof(small);
	REQUIRE(stage(&m, small, sizeof(small)) == 0);
	CHECK(wait_result(2) == OBJ_OK);
	CHECK(served("/live/index.m3u8", small, sizeof(small),
	    "application/vnd.apple.mpegurl"));
	/* Zero-length objects are complete at once. */
	m = meta(3, "empty.txt", 0);
	m.content_length = 0;
	REQUIRE(stage(&m, small, 0) == 0);
	CHECK(wait_result(3) == OBJ_OK);
	CHECK(served("/empty.txt", small, 0, "text/plain; charset=utf-8"));
	/* A staged object with its tail never written is not published. */
	{
		const struct obj_sink *s = stage_sink();
		void *h;

		m = meta(4, "holes.ts", 5000);
		REQUIRE((h = s->begin(s->ctx, &m.key, 5000)) != NULL);
		CHECK(s->write(s->ctx, h, 0, small, 1000) == 0);
		CHECK(s->write(s->ctx, h, 4500, small, 501) == -1);
		CHECK(s->write(s->ctx, h, 5001, small, 0) == -1);
		CHECK(s->write(s->ctx, h, UINT64_MAX, small, 2) == -1);
		s->commit(s->ctx, h, &m);
		CHECK(wait_result(4) == OBJ_EIO);
	}
	/* The FDT and the staging disagree on the length. */
	m = meta(5, "len.ts", sizeof(small));
	m.transfer_length = sizeof(small) + 1;
	{
		const struct obj_sink *s = stage_sink();
		void *h = s->begin(s->ctx, &m.key, sizeof(small));

		REQUIRE(h != NULL);
		CHECK(s->write(s->ctx, h, 0, small, sizeof(small)) == 0);
		s->commit(s->ctx, h, &m);
	}
	CHECK(wait_result(5) == OBJ_EIO);
	CHECK(cache_open("/holes.ts", &(struct cache_hit){ 0 }) == -1);
	stage_get_stats(&st);
	CHECK_EQ_U(st.begun, 5);
	CHECK_EQ_U(st.committed, 3);
	CHECK_EQ_U(st.failed[OBJ_EIO], 2);
	CHECK(st.bytes_written >= sizeof(big) + sizeof(small));
	CHECK_EQ_U(tmp_count(), 0);
	teardown();
}

struct name_case {
	const char	*loc;
	const char	*type;
	const char	*path;		/* NULL: OBJ_ENAME */
	const char	*want_type;
};

static void
test_names_and_types(void)
{
	static const struct name_case c[] = {
		{ "tag:mabr.gpac.io.2025.services.1/live.m3u8", NULL,
		  "/tag/mabr.gpac.io.2025.services.1/live.m3u8",
		  "application/vnd.apple.mpegurl" },
		{ "urn:dvb:metadata:cs:X:2021:gateway-configuration",
		  "application/xml+dvb-mabr-session-configuration",
		  "/urn/dvb:metadata:cs:X:2021:gateway-configuration",
		  "application/xml+dvb-mabr-session-configuration" },
		{ "seg1.m4s", "application/octet-stream", "/seg1.m4s",
		  "video/mp4" },
		{ "a.ec3", "application/octet-stream; x=1", "/a.ec3",
		  "audio/eac3" },
		{ "k.key", "application/octet-stream; x=1", "/k.key",
		  "application/octet-stream; x=1" },
		{ "a.ts", "video/mp4", "/a.ts", "video/mp4" },
		{ "b.txt", "text/x\r\nSet-Cookie: a=b", "/b.txt",
		  "text/plain; charset=utf-8" },
		{ "noext", "application/octet-stream", "/noext",
		  "application/octet-stream" },
		{ "noext2", NULL, "/noext2", "application/octet-stream" },
		{ "noext3", "garbage", "/noext3", "application/octet-stream" },
		{ "http://h/metrics", NULL, NULL, NULL },
		{ "../x.ts", NULL, NULL, NULL },
		{ "a/%2e%2e/b.ts", NULL, NULL, NULL },
		{ "", NULL, NULL, NULL },
		{ NULL, NULL, NULL, NULL },
	};
	static uint8_t body[3000];
	struct obj_meta m;
	size_t i;

	REQUIRE(setup(CONF_FSYNC_NEVER, 0) == 0);
	fill(body, sizeof(body), 8);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		m = meta(60 + i, c[i].loc, sizeof(body));
		m.content_type = c[i].type;
		REQUIRE(stage(&m, body, sizeof(body)) == 0);
		if (c[i].path == NULL) {
			CHECK(wait_result(60 + i) == OBJ_ENAME);
			continue;
		}
		CHECK(wait_result(60 + i) == OBJ_OK);
		CHECK(served(c[i].path, body, sizeof(body), c[i].want_type));
	}
	CHECK_EQ_U(tmp_count(), 0);
	teardown();
}

static void
test_abort(void)
{
	const struct obj_sink *s;
	static uint8_t body[10000];
	struct stage_stats st;
	struct obj_meta m;
	void *h;
	int why;

	REQUIRE(setup(CONF_FSYNC_NEVER, 0) == 0);
	s = stage_sink();
	for (why = 0; why < OBJ_ABORT_NREASONS; why++) {
		m = meta(80 + (uint64_t)why, "ab.ts", sizeof(body));
		REQUIRE((h = s->begin(s->ctx, &m.key, sizeof(body))) != NULL);
		CHECK(s->write(s->ctx, h, 100, body, 5000) == 0);
		CHECK(tmp_count() == 1);
		s->abort(s->ctx, h, (enum obj_abort_reason)why);
		CHECK_EQ_U(tmp_count(), 0);
	}
	/* Unknown reasons are counted, not trusted as an index. */
	REQUIRE((h = s->begin(s->ctx, &m.key, 10)) != NULL);
	s->abort(s->ctx, h, (enum obj_abort_reason)1000);
	stage_get_stats(&st);
	for (why = 0; why < OBJ_ABORT_NREASONS; why++)
		CHECK(st.aborted[why] >= 1);
	CHECK_EQ_U(st.aborted[OBJ_ABORT_INVALID], 2);
	CHECK_EQ_U(tmp_count(), 0);
	CHECK(cache_open("/ab.ts", &(struct cache_hit){ 0 }) == -1);
	/* Absurd lengths are refused at begin. */
	CHECK(s->begin(s->ctx, &m.key, UINT64_MAX) == NULL);
	CHECK(s->begin(s->ctx, &m.key, UINT64_MAX - 4096) == NULL);
	teardown();
	/* Without a running stage (or cache), begin refuses. */
	CHECK(s->begin(s->ctx, &m.key, 10) == NULL);
}

/* A stuck committer: the queue bound turns extra commits into EIO. */
static void
test_queue_full(void)
{
	static uint8_t body[2000];
	struct stage_stats st;
	struct obj_meta m;
	int i;

	REQUIRE(setup(CONF_FSYNC_NEVER, 2) == 0);
	fill(body, sizeof(body), 9);
	R.block_toi = 90;
	m = meta(90, "q/0.ts", sizeof(body));
	REQUIRE(stage(&m, body, sizeof(body)) == 0);
	pthread_mutex_lock(&R.lock);
	while (!R.blocked)
		pthread_cond_wait(&R.cond, &R.lock);
	pthread_mutex_unlock(&R.lock);
	for (i = 1; i <= 3; i++) {
		char loc[32];

		snprintf(loc, sizeof(loc), "q/%d.ts", i);
		m = meta(90 + (uint64_t)i, loc, sizeof(body));
		REQUIRE(stage(&m, body, sizeof(body)) == 0);
	}
	/* The third was refused at once, on this thread. */
	CHECK(R.res[93] == OBJ_EIO);
	stage_get_stats(&st);
	CHECK_EQ_U(st.queue_now, 2);
	pthread_mutex_lock(&R.lock);
	R.release = 1;
	pthread_cond_broadcast(&R.cond);
	pthread_mutex_unlock(&R.lock);
	CHECK(wait_result(91) == OBJ_OK);
	CHECK(wait_result(92) == OBJ_OK);
	CHECK(served("/q/2.ts", body, sizeof(body), "video/mp2t"));
	CHECK(cache_open("/q/3.ts", &(struct cache_hit){ 0 }) == -1);
	stage_get_stats(&st);
	CHECK_EQ_U(st.failed[OBJ_EIO], 1);
	CHECK_EQ_U(st.queue_now, 0);
	CHECK_EQ_U(tmp_count(), 0);
	teardown();
}

/*
 * In-order writes go through write runs.  Many objects are open at once
 * (more than the runs' memory allows, so some write straight through),
 * interleaved, in pieces smaller and larger than a run, a few pieces out
 * of order; one is aborted with a run pending.  Every committed body is
 * exact, and nothing is left in tmp/.
 */
static void
test_write_runs(void)
{
	enum { NOBJ = 80, LEN = 200000 };
	static const size_t piece[] = { 1428, 7000, 65536, 70000, 1 };
	static const size_t seq9[] = { 65535, 1, 1, 1, 65533, 2, 1428 };
	static uint8_t body[NOBJ][LEN];
	const struct obj_sink *s;
	void *h[NOBJ];
	uint64_t off[NOBJ];
	struct obj_meta m;
	char loc[32], path[32];
	size_t i, n, k, n9 = 0;
	int busy = 1;

	REQUIRE(setup(CONF_FSYNC_NEVER, 0) == 0);
	s = stage_sink();
	for (i = 0; i < NOBJ; i++) {
		fill(body[i], LEN, 300 + (uint32_t)i);
		m = meta(150 + i, "x", LEN);
		REQUIRE((h[i] = s->begin(s->ctx, &m.key, LEN)) != NULL);
		off[i] = 0;
	}
	/* Object 7 sends its second piece first, then the first. */
	CHECK(s->write(s->ctx, h[7], 16384, body[7] + 16384, 100) == 0);
	while (busy) {
		busy = 0;
		for (i = 0; i < NOBJ; i++) {
			if (off[i] >= LEN)
				continue;
			k = piece[(i + off[i] / 1000) % 5];
			if (i == 9)	/* runs filled to the byte, and past */
				k = seq9[n9 < 7 ? n9++ : 6];
			n = LEN - off[i] < k ? LEN - off[i] : k;
			CHECK(s->write(s->ctx, h[i], off[i], body[i] + off[i],
			    n) == 0);
			off[i] += n;
			busy = 1;
			if (i == 3 && off[i] > LEN / 2 && h[3] != NULL) {
				s->abort(s->ctx, h[3], OBJ_ABORT_INCOMPLETE);
				h[3] = NULL;
				off[3] = LEN;
			}
		}
	}
	for (i = 0; i < NOBJ; i++) {
		if (h[i] == NULL)
			continue;
		snprintf(loc, sizeof(loc), "w/%zu.bin", i);
		m = meta(150 + i, loc, LEN);
		m.has_md5 = 1;
		util_md5(body[i], LEN, m.md5);
		s->commit(s->ctx, h[i], &m);
	}
	for (i = 0; i < NOBJ; i++) {
		if (i == 3)
			continue;
		CHECK(wait_result(150 + i) == OBJ_OK);
		snprintf(path, sizeof(path), "/w/%zu.bin", i);
		CHECK(served(path, body[i], LEN, NULL));
	}
	CHECK(R.res[153] == -1);
	CHECK_EQ_U(tmp_count(), 0);
	teardown();
}

/*
 * read() gives back what write() staged (FEC decoding needs it), also
 * bytes still gathered in the run buffer, and refuses ranges outside the
 * object; the object then commits as usual.
 */
static void
test_read_back(void)
{
	enum { LEN = 150000 };
	static uint8_t body[LEN], back[LEN];
	const struct obj_sink *s;
	struct obj_meta m;
	size_t off, n;
	void *h;

	REQUIRE(setup(CONF_FSYNC_NEVER, 0) == 0);
	s = stage_sink();
	REQUIRE(s->read != NULL);
	fill(body, LEN, 77);
	m = meta(1, "fec/back.bin", LEN);
	REQUIRE((h = s->begin(s->ctx, &m.key, LEN)) != NULL);
	/* Two small writes sit in the run buffer: read across them. */
	CHECK(s->write(s->ctx, h, 0, body, 1000) == 0);
	CHECK(s->write(s->ctx, h, 1000, body + 1000, 1000) == 0);
	CHECK(s->read(s->ctx, h, 500, back, 1000) == 0);
	CHECK(memcmp(back, body + 500, 1000) == 0);
	/* The rest backwards, in pieces, some through the run buffer. */
	for (off = LEN; off > 2000; off -= n) {
		n = off - 2000 < 7000 ? off - 2000 : 7000;
		CHECK(s->write(s->ctx, h, off - n, body + off - n, n) == 0);
		CHECK(s->read(s->ctx, h, off - n, back, n) == 0);
		CHECK(memcmp(back, body + off - n, n) == 0);
	}
	CHECK(s->read(s->ctx, h, 0, back, LEN) == 0);
	CHECK(memcmp(back, body, LEN) == 0);
	CHECK(s->read(s->ctx, h, LEN - 10, back, 11) == -1);
	CHECK(s->read(s->ctx, h, UINT64_MAX, back, 1) == -1);
	CHECK(s->read(s->ctx, h, LEN, back, 0) == 0);
	s->commit(s->ctx, h, &m);
	CHECK(wait_result(1) == OBJ_OK);
	CHECK(served("/fec/back.bin", body, LEN, NULL));
	CHECK_EQ_U(tmp_count(), 0);
	teardown();
}

/*
 * A burst piles up behind a blocked committer (fsync = commit), then goes
 * through in batches that mix outcomes: plain and gzip bodies, a digest
 * mismatch, a name that cannot be served, one path twice.  Each job gets
 * its own verdict, only the good ones are served, and nothing is left in
 * tmp/.
 */
static void
test_batch(void)
{
	static uint8_t body[1500], *gz;
	struct stage_stats st;
	struct obj_meta m;
	char loc[32], path[32];
	uint64_t toi, good = 0;
	size_t glen;
	int kind, want;

	REQUIRE(setup(CONF_FSYNC_COMMIT, 300) == 0);
	fill(body, sizeof(body), 11);
	R.block_toi = 110;
	m = meta(110, "b/block.ts", sizeof(body));
	REQUIRE(stage(&m, body, sizeof(body)) == 0);
	pthread_mutex_lock(&R.lock);
	while (!R.blocked)
		pthread_cond_wait(&R.cond, &R.lock);
	pthread_mutex_unlock(&R.lock);
	for (toi = 111; toi < 251; toi++) {
		kind = (int)(toi % 5);
		fill(body, sizeof(body), (uint32_t)toi);
		snprintf(loc, sizeof(loc), kind == 3 ? "../%u.ts" : "b/%u.ts",
		    (unsigned)toi);
		m = meta(toi, loc, sizeof(body));
		m.has_md5 = kind == 2;
		util_md5(body, sizeof(body) - (kind == 2), m.md5);
		if (kind == 1) {
			gz = compress_buf(body, sizeof(body), 31, &glen);
			REQUIRE(gz != NULL);
			m.transfer_length = glen;
			m.content_encoding = "gzip";
			m.content_length = sizeof(body);
			REQUIRE(stage(&m, gz, glen) == 0);
			free(gz);
		} else {
			REQUIRE(stage(&m, body, sizeof(body)) == 0);
		}
	}
	/* The same path again, newer: it replaces b/111.ts. */
	fill(body, sizeof(body), 251);
	m = meta(251, "b/111.ts", sizeof(body));
	REQUIRE(stage(&m, body, sizeof(body)) == 0);
	pthread_mutex_lock(&R.lock);
	R.release = 1;
	pthread_cond_broadcast(&R.cond);
	pthread_mutex_unlock(&R.lock);
	CHECK(wait_result(110) == OBJ_OK);
	CHECK(wait_result(251) == OBJ_OK);
	for (toi = 111; toi < 251; toi++) {
		kind = (int)(toi % 5);
		want = kind == 2 ? OBJ_EDIGEST : kind == 3 ? OBJ_ENAME :
		    OBJ_OK;
		CHECK(wait_result(toi) == want);
		snprintf(path, sizeof(path), "/b/%u.ts", (unsigned)toi);
		fill(body, sizeof(body), (uint32_t)(toi == 111 ? 251 : toi));
		if (want == OBJ_OK) {
			CHECK(served(path, body, sizeof(body), "video/mp2t"));
			good++;
		} else if (kind == 2) {
			CHECK(cache_open(path, &(struct cache_hit){ 0 }) == -1);
		}
	}
	stage_get_stats(&st);
	CHECK_EQ_U(st.committed, good + 2);
	CHECK_EQ_U(st.failed[OBJ_EDIGEST], 28);
	CHECK_EQ_U(st.failed[OBJ_ENAME], 28);
	CHECK_EQ_U(st.queue_now, 0);
	CHECK_EQ_U(tmp_count(), 0);
	teardown();
}

/* A playlist committed through the sink pins the init it maps. */
static void
test_playlist_pins(void)
{
	static const char pl[] = "#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n"
	    "#EXTINF:2,\nseg1.m4s\n";
	static uint8_t init[700];
	struct cache_stats cs;
	struct obj_meta m;
	uint8_t *gz;
	size_t glen;

	REQUIRE(setup(CONF_FSYNC_NEVER, 0) == 0);
	fill(init, sizeof(init), 10);
	gz = compress_buf((const uint8_t *)pl, sizeof(pl) - 1, 31, &glen);
	REQUIRE(gz != NULL);
	m = meta(100, "tag:svc/live.m3u8", glen);
	m.content_encoding = "gzip";
	REQUIRE(stage(&m, gz, glen) == 0);
	CHECK(wait_result(100) == OBJ_OK);
	m = meta(101, "tag:svc/init.mp4", sizeof(init));
	REQUIRE(stage(&m, init, sizeof(init)) == 0);
	CHECK(wait_result(101) == OBJ_OK);
	cache_get_stats(&cs);
	CHECK_EQ_U(cs.pinned_bytes, 2 * CACHE_FS_BODY_OFF + sizeof(pl) - 1 +
	    sizeof(init));
	CHECK(served("/tag/svc/live.m3u8", (const uint8_t *)pl,
	    sizeof(pl) - 1, "application/vnd.apple.mpegurl"));
	free(gz);
	teardown();
}

TEST_MAIN(TEST(test_plain), TEST(test_names_and_types), TEST(test_abort),
    TEST(test_queue_full), TEST(test_write_runs), TEST(test_batch),
    TEST(test_playlist_pins), TEST(test_read_back))
