/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_httpd_stale.c: the terrestrial fallback's trigger, end to end with
 * real libmicrohttpd and a real cache.  A live media playlist that the
 * broadcast has not updated for 1.5 target durations (plus a second) asks
 * the refresh hook for a new copy, with the cached version's seq; a fresh
 * one, a VOD one (ENDLIST) and a master playlist do not.
 */
#include <time.h>

#include "httpd_harness.h"
#include "../../daemon/hold.h"

#define TYPE_M3U8	"application/vnd.apple.mpegurl"

static struct conf *hc;
static pthread_mutex_t rlock = PTHREAD_MUTEX_INITIALIZER;
static int nrefresh;
static char rpath[256];
static uint64_t rseq;

static int
t_fetch(const char *path, int urgent)
{
	(void)urgent;
	return strncmp(path, "/exp/", 5) == 0;
}

static void
t_refresh(const char *path, uint64_t seq, uint32_t target_ms)
{
	(void)target_ms;
	pthread_mutex_lock(&rlock);
	nrefresh++;
	snprintf(rpath, sizeof(rpath), "%s", path);
	rseq = seq;
	pthread_mutex_unlock(&rlock);
}

static const struct httpd_hooks stale_hooks = {
	.health = e2e_health, .metrics = e2e_metrics, .fetch = t_fetch,
	.refresh = t_refresh
};

static const char pl_live[] =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
    "#EXT-X-MEDIA-SEQUENCE:1\n"
    "#EXTINF:2.0,\ns1.ts\n#EXTINF:2.0,\ns2.ts\n";
static const char pl_vod[] =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
    "#EXTINF:2.0,\ns1.ts\n#EXT-X-ENDLIST\n";
static const char pl_master[] =
    "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=100000\nlive.m3u8\n";

static int
pub_at(const char *path, const char *body, uint64_t seq, int64_t mtime)
{
	uint8_t md5[16];

	e2e_mtime = mtime;
	return e2e_publish(path, body, strlen(body), seq,
	    strstr(path, ".m3u8") != NULL ? TYPE_M3U8 : "video/mp2t", 1,
	    md5);
}

static int
refreshes(char *path, size_t len, uint64_t *seq)
{
	int n;

	pthread_mutex_lock(&rlock);
	n = nrefresh;
	if (path != NULL)
		snprintf(path, len, "%s", rpath);
	if (seq != NULL)
		*seq = rseq;
	pthread_mutex_unlock(&rlock);
	return n;
}

static void
test_setup(void)
{
	REQUIRE(curl_global_init(CURL_GLOBAL_DEFAULT) == 0);
	e2e_on_publish = hold_published;
	REQUIRE(e2e_setup(&hc) == 0);
	REQUIRE(hold_init(NULL) == 0);
	REQUIRE(httpd_start(hc, &stale_hooks) == 0);
	e2e_port = httpd_bound_port(0);
	REQUIRE(e2e_port > 0);
}

static const char pl_live1[] =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n"
    "#EXT-X-MEDIA-SEQUENCE:1\n"
    "#EXTINF:1.0,\ns1.ts\n#EXTINF:1.0,\ns2.ts\n";

/*
 * Fresh playlists ask nothing.  Polled as a player does, a live one asks
 * for a refresh once 1.5 target durations have passed since it was
 * published (never before), with its version; a VOD playlist and a master
 * playlist as old never do; a broadcast update makes it fresh again.
 */
static void
test_stale(void)
{
	static const struct {
		const char	*path, *body;
	} T[] = {
		{ "/a/live.m3u8", pl_live },	/* TARGETDURATION 2 */
		{ "/b/live1.m3u8", pl_live1 },	/* TARGETDURATION 1 */
		{ "/e/vod.m3u8", pl_vod },	/* ENDLIST: final */
		{ "/f/master.m3u8", pl_master },	/* not media */
	};
	uint64_t t0, t1 = 0, seq = 0, end;
	struct httpd_stats a, b;
	char path[256];
	size_t i;

	httpd_get_stats(&a);
	/*
	 * t0 before publishing: a publish can take a while on a loaded
	 * machine, and every bound below counts from the publication.
	 */
	t0 = util_now_ms();
	for (i = 0; i < sizeof(T) / sizeof(T[0]); i++)
		REQUIRE(pub_at(T[i].path, T[i].body, 50 + i, time(NULL)) == 0);
	for (i = 0; i < sizeof(T) / sizeof(T[0]); i++)
		CHECK(get_code(T[i].path, 200) >= 0);
	CHECK_EQ_U(refreshes(NULL, 0, NULL), 0);
	/* Poll the 1 s playlist until it asks (bounded). */
	end = t0 + 10000;
	while (refreshes(NULL, 0, NULL) == 0 && util_now_ms() < end) {
		CHECK(get_code("/b/live1.m3u8", 200) >= 0);
		t1 = util_now_ms();
		usleep(50000);
	}
	REQUIRE(refreshes(path, sizeof(path), &seq) == 1);
	CHECK(t1 - t0 >= 1500);
	CHECK(strcmp(path, "/b/live1.m3u8") == 0);
	CHECK_EQ_U(seq, 51);
	/* As old: VOD and master never ask; the 2 s one not before 3 s. */
	CHECK(get_code("/e/vod.m3u8", 200) >= 0);
	CHECK(get_code("/f/master.m3u8", 200) >= 0);
	CHECK(get_code("/a/live.m3u8", 200) >= 0);
	if (util_now_ms() - t0 < 3000)
		CHECK_EQ_U(refreshes(NULL, 0, NULL), 1);
	httpd_get_stats(&b);
	CHECK_EQ_U(b.playlists_stale - a.playlists_stale,
	    refreshes(NULL, 0, NULL));
	/* A broadcast update makes it fresh again: no more refreshes. */
	REQUIRE(pub_at("/b/live1.m3u8", pl_live1, 99, time(NULL)) == 0);
	i = (size_t)refreshes(NULL, 0, NULL);
	CHECK(get_code("/b/live1.m3u8", 200) >= 0);
	CHECK_EQ_U(refreshes(NULL, 0, NULL), i);
}

static void
test_cleanup(void)
{
	e2e_teardown(hc);
	hold_shutdown();
	curl_global_cleanup();
}

TEST_MAIN(TEST(test_setup), TEST(test_stale), TEST(test_cleanup))
