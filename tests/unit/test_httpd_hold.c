/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_httpd_hold.c: held requests end to end, with real libmicrohttpd, a
 * real cache in a temporary folder, the hold table wired to its publish
 * hook, and libcurl or raw sockets as players: an expected object is held
 * and answered when published, 503 at the hold deadline, 404 when not
 * expected; 500 held requests on 2 threads; publishes racing with
 * requests; playlists as served (held back, EXT-X-GAP, numbering); LL-HLS
 * blocking reloads; httpd_stop with held requests.
 */
#include <errno.h>
#include <poll.h>
#include <sys/resource.h>
#include <time.h>

#include "httpd_harness.h"
#include "../../daemon/hold.h"

#define TYPE_M3U8	"application/vnd.apple.mpegurl"
#define TYPE_TS		"video/mp2t"

static struct conf *hc;
static _Atomic uint64_t pub_seq = 100;
static _Atomic int fetch_calls, fetch_urgent;
static int pub_str(const char *path, const char *body);

/*
 * The daemon's fetch hook, as main would do it: /exp/... can always be
 * fetched (a repair source exists); otherwise only what was announced.
 */
static int
t_fetch(const char *path, int urgent)
{
	atomic_fetch_add(&fetch_calls, 1);
	if (urgent)
		atomic_fetch_add(&fetch_urgent, 1);
	/* A publish between the lookup and the hold. */
	if (strncmp(path, "/exp/inhook", 11) == 0)
		pub_str(path, "published in between");
	return strncmp(path, "/exp/", 5) == 0 ||
	    hold_state(path) == HOLD_PENDING;
}

static const struct httpd_hooks hold_hooks = {
	.health = e2e_health, .metrics = e2e_metrics, .fetch = t_fetch
};

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int
srv_start(uint32_t hold_ms)
{
	hc->http_hold_ms = hold_ms;
	if (httpd_start(hc, &hold_hooks) != 0)
		return -1;
	e2e_port = httpd_bound_port(0);
	return e2e_port > 0 ? 0 : -1;
}

static int
pub(const char *path, const void *body, size_t len, const char *type,
    int in_ram)
{
	uint8_t md5[16];

	return e2e_publish(path, body, len, atomic_fetch_add(&pub_seq, 1) + 1,
	    type, in_ram, md5);
}

static int
pub_str(const char *path, const char *body)
{
	return pub(path, body, strlen(body), strstr(path, ".m3u8") != NULL ?
	    TYPE_M3U8 : TYPE_TS, 1);
}

static uint64_t
stat_held_now(void)
{
	struct httpd_stats st;

	httpd_get_stats(&st);
	return st.held_now;
}

/* Wait until n requests are held (or ms pass); 1 if they are. */
static int
wait_held(uint64_t n, unsigned ms)
{
	uint64_t end = util_now_ms() + ms;

	while (stat_held_now() < n && util_now_ms() < end)
		sleep_ms(1);
	return stat_held_now() >= n;
}

/* A player in its own thread. */
struct player {
	pthread_t	t;
	char		target[256];
	struct resp	r;
	uint64_t	t0, t1;
	int		rc;
};

static void *
player_run(void *arg)
{
	struct player *p = arg;

	p->t0 = util_now_ms();
	p->rc = fetch("GET", p->target, NULL, NULL, &p->r);
	p->t1 = util_now_ms();
	return NULL;
}

static void
player_start(struct player *p, const char *target)
{
	memset(p, 0, sizeof(*p));
	util_strlcpy(p->target, target, sizeof(p->target));
	pthread_create(&p->t, NULL, player_run, p);
}

static void
player_join(struct player *p)
{
	pthread_join(p->t, NULL);
}

/* A raw request on its own connection; the socket, or -1. */
static int
sock_get(const char *target)
{
	struct sockaddr_in sa;
	char req[512];
	int fd, n;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)e2e_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n"
	    "Connection: close\r\n\r\n", target);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, req, (size_t)n) != n) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read until EOF (or ms pass); returns the bytes read. */
static size_t
sock_read(int fd, char *buf, size_t cap, unsigned ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t end = util_now_ms() + ms;
	size_t off = 0;
	ssize_t n;

	while (off + 1 < cap && util_now_ms() < end) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		if ((n = read(fd, buf + off, cap - 1 - off)) <= 0)
			break;
		off += (size_t)n;
	}
	buf[off] = '\0';
	return off;
}

/* 1 if a raw response is 200 with exactly body at its end. */
static int
raw_ok(const char *buf, size_t n, const char *body)
{
	size_t bl = strlen(body);

	return strncmp(buf, "HTTP/1.1 200", 12) == 0 && n >= bl &&
	    memcmp(buf + n - bl, body, bl) == 0;
}

static int
threads_now(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	int n = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

static void
test_setup(void)
{
	struct rlimit rl;

	/* 500 held connections need 1000+ descriptors in this process. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4096 &&
	    rl.rlim_max >= 4096) {
		rl.rlim_cur = 4096;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	REQUIRE(curl_global_init(CURL_GLOBAL_DEFAULT) == 0);
	e2e_on_publish = hold_published;
	REQUIRE(e2e_setup(&hc) == 0);
	hc->http_per_client = 0;
	hc->http_max_conns = 4000;
	REQUIRE(hold_init(NULL) == 0);
	REQUIRE(srv_start(1500) == 0);
}

/* Held, then answered as soon as another thread publishes. */
static void
test_held_then_published(void)
{
	static const char body[] = "segment one bytes";
	struct httpd_stats st;
	struct player p;
	uint8_t *big = big_body;
	uint64_t t_pub;

	player_start(&p, "/exp/a.ts");
	CHECK(wait_held(1, 2000));
	sleep_ms(30);
	CHECK(p.t1 == 0);		/* still waiting */
	t_pub = util_now_ms();
	REQUIRE(pub_str("/exp/a.ts", body) == 0);
	player_join(&p);
	CHECK(p.rc == 0 && p.r.code == 200);
	CHECK(p.r.blen == strlen(body) &&
	    memcmp(p.r.body, body, p.r.blen) == 0);
	CHECK(p.t1 - t_pub < 500);
	CHECK(resp_has(&p.r, "Access-Control-Allow-Origin", "*"));
	resp_free(&p.r);
	httpd_get_stats(&st);
	CHECK(st.held >= 1);
	CHECK_EQ_U(st.held_now, 0);

	/* A large object, served from its descriptor. */
	player_start(&p, "/exp/big.ts");
	CHECK(wait_held(1, 2000));
	REQUIRE(pub("/exp/big.ts", big, BIG_SIZE, TYPE_TS, 0) == 0);
	player_join(&p);
	CHECK(p.rc == 0 && p.r.code == 200 && p.r.blen == BIG_SIZE &&
	    memcmp(p.r.body, big, BIG_SIZE) == 0);
	resp_free(&p.r);

	/* Announced by the carousel (not by the fetch hook) holds too. */
	hold_announce("/ann/b.ts");
	player_start(&p, "/ann/b.ts");
	CHECK(wait_held(1, 2000));
	REQUIRE(pub_str("/ann/b.ts", body) == 0);
	player_join(&p);
	CHECK(p.rc == 0 && p.r.code == 200);
	resp_free(&p.r);
}

/* Never published: 503 + Retry-After after hold_timeout, not before. */
static void
test_hold_timeout(void)
{
	struct httpd_stats a, b;
	struct player p;
	struct resp r;

	httpd_stop();
	REQUIRE(srv_start(300) == 0);
	httpd_get_stats(&a);
	player_start(&p, "/exp/never.ts");
	/* HEAD is held and timed out the same way. */
	REQUIRE(fetch("HEAD", "/exp/never2.ts", NULL, NULL, &r) == 0);
	CHECK(r.code == 503 && resp_has(&r, "Retry-After", "1"));
	resp_free(&r);
	player_join(&p);
	CHECK(p.rc == 0 && p.r.code == 503);
	CHECK(resp_has(&p.r, "Retry-After", "1"));
	CHECK(p.t1 - p.t0 >= 300);
	CHECK(p.t1 - p.t0 < 2000);
	resp_free(&p.r);
	httpd_get_stats(&b);
	CHECK_EQ_U(b.held_timeouts - a.held_timeouts, 2);
	CHECK_EQ_U(b.held - a.held, 2);
	httpd_stop();
	REQUIRE(srv_start(1500) == 0);
}

/* Not expected: 404 at once, and the fetch hook was asked (urgent). */
static void
test_unknown_404(void)
{
	struct httpd_stats a, b;
	uint64_t t0 = util_now_ms();
	int calls = atomic_load(&fetch_urgent);

	httpd_get_stats(&a);
	CHECK(get_code("/nope/x.ts", 404) >= 0);
	CHECK(util_now_ms() - t0 < 300);
	CHECK(atomic_load(&fetch_urgent) > calls);
	httpd_get_stats(&b);
	CHECK_EQ_U(b.held - a.held, 0);
	/* Lost: 404 too (nothing will come). */
	hold_lost("/nope/y.ts");
	CHECK(get_code("/nope/y.ts", 404) >= 0);
}

/* A lost object wakes its held request at once: 503, not 404. */
static void
test_lost_wakes(void)
{
	struct player p;
	uint64_t t_lost;

	player_start(&p, "/exp/lost.ts");
	CHECK(wait_held(1, 2000));
	t_lost = util_now_ms();
	hold_lost("/exp/lost.ts");
	player_join(&p);
	CHECK(p.rc == 0 && p.r.code == 503);
	CHECK(resp_has(&p.r, "Retry-After", "1"));
	CHECK(p.t1 - t_lost < 500);
	resp_free(&p.r);
}

/* 500 held requests on 2 HTTP threads, all answered by one publish. */
static void
test_many_held(void)
{
	enum { N = 500 };
	static const char body[] = "many players wait for this";
	static int fd[N];
	static char buf[4096];
	int i, ok = 0, opened = 0, th;

	for (i = 0; i < N; i++) {
		fd[i] = sock_get("/exp/many.ts");
		opened += fd[i] >= 0;
	}
	CHECK_EQ_U(opened, N);
	CHECK(wait_held(N, 5000));
	th = threads_now();
	CHECK(th > 0 && th < 16);	/* no thread per held request */
	REQUIRE(pub_str("/exp/many.ts", body) == 0);
	for (i = 0; i < N; i++) {
		size_t n;

		if (fd[i] < 0)
			continue;
		n = sock_read(fd[i], buf, sizeof(buf), 5000);
		ok += raw_ok(buf, n, body);
		close(fd[i]);
	}
	CHECK_EQ_U(ok, N);
	CHECK_EQ_U(stat_held_now(), 0);
}

/*
 * Publishes racing with requests: the publish may land before the
 * lookup, between the lookup and the hold, or between the hold and the
 * suspension; every request must be answered 200, promptly.
 */
static void
test_race(void)
{
	enum { N = 150 };
	static char buf[4096];
	char path[64], body[64];
	int i, ok = 0, fd;
	unsigned seed = 42;
	uint64_t t0, worst = 0;

	for (i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "/exp/race%d.ts", i);
		snprintf(body, sizeof(body), "race body %d", i);
		t0 = util_now_ms();
		if ((fd = sock_get(path)) < 0)
			continue;
		/* Spin a little: land anywhere in the handler. */
		for (volatile unsigned k = rand_r(&seed) % 20000; k > 0; k--)
			;
		if (pub_str(path, body) == 0) {
			size_t n = sock_read(fd, buf, sizeof(buf), 3000);

			ok += raw_ok(buf, n, body);
		}
		close(fd);
		if (util_now_ms() - t0 > worst)
			worst = util_now_ms() - t0;
	}
	CHECK_EQ_U(ok, N);
	CHECK(worst < 1000);
	CHECK(wait_held(0, 100) && stat_held_now() == 0);
}

/*
 * The object is published after the miss and before hold_wait: the
 * generation read before the lookup makes the handler look again and
 * answer 200 without holding.
 */
static void
test_race_in_between(void)
{
	struct httpd_stats a, b;
	struct resp r;

	httpd_get_stats(&a);
	REQUIRE(fetch("GET", "/exp/inhook1.ts", NULL, NULL, &r) == 0);
	CHECK(r.code == 200 && r.blen == strlen("published in between"));
	resp_free(&r);
	httpd_get_stats(&b);
	CHECK_EQ_U(b.held - a.held, 0);
}

/* Publishes the path as soon as a waiter is registered. */
struct racer {
	pthread_t	t;
	char		path[64];
	uint64_t	held0;
	_Atomic int	done;
};

static void *
racer_run(void *arg)
{
	struct racer *rc = arg;
	struct hold_stats st;
	uint64_t end = util_now_ms() + 3000;

	do
		hold_get_stats(&st);
	while (st.held == rc->held0 && util_now_ms() < end);
	/*
	 * A bare wake first (fast: it lands before the suspension more
	 * often), as if a version came and went: the request is held again
	 * and the real publish answers it.
	 */
	hold_published(rc->path);
	pub_str(rc->path, "raced");
	atomic_store(&rc->done, 1);
	return NULL;
}

/*
 * The wake runs right after hold_wait registers the waiter, sometimes
 * before the handler suspends the connection: every request still gets
 * its 200.
 */
static void
test_race_wake(void)
{
	enum { N = 100 };
	static char buf[4096];
	struct hold_stats st;
	struct racer rc;
	int i, fd, ok = 0;

	for (i = 0; i < N; i++) {
		memset(&rc, 0, sizeof(rc));
		snprintf(rc.path, sizeof(rc.path), "/exp/wake%d.ts", i);
		hold_get_stats(&st);
		rc.held0 = st.held;
		pthread_create(&rc.t, NULL, racer_run, &rc);
		if ((fd = sock_get(rc.path)) >= 0) {
			size_t n = sock_read(fd, buf, sizeof(buf), 3000);

			ok += raw_ok(buf, n, "raced");
			close(fd);
		}
		pthread_join(rc.t, NULL);
	}
	CHECK_EQ_U(ok, N);
	CHECK_EQ_U(stat_held_now(), 0);
}

/* The served MEDIA-SEQUENCE of a playlist body, or -1. */
static long long
body_msn(const struct resp *r)
{
	const char *p;
	char tmp[8192];

	snprintf(tmp, sizeof(tmp), "%.*s", (int)r->blen, (const char *)r->body);
	if ((p = strstr(tmp, "#EXT-X-MEDIA-SEQUENCE:")) == NULL)
		return -1;
	return atoll(p + 22);
}

static int
body_has(const struct resp *r, const char *s)
{
	char tmp[8192];

	snprintf(tmp, sizeof(tmp), "%.*s", (int)r->blen, (const char *)r->body);
	return strstr(tmp, s) != NULL;
}

static const char pl_live[] =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
    "#EXT-X-MEDIA-SEQUENCE:1\n"
    "#EXTINF:2.0,\ns1.ts\n#EXTINF:2.0,\ns2.ts\n"
    "#EXTINF:2.0,\ns3.ts\n#EXTINF:2.0,\ns4.ts\n";

/*
 * A trailing segment neither there nor expected is held back; once
 * announced it is listed (and a request for it held), once published it
 * is served.
 */
static void
test_playlist_held_back(void)
{
	struct httpd_stats a, b;
	struct player p;
	struct resp r;
	char inm[96];

	httpd_get_stats(&a);
	REQUIRE(pub_str("/pl/s1.ts", "1") == 0);
	REQUIRE(pub_str("/pl/s2.ts", "2") == 0);
	REQUIRE(pub_str("/pl/s3.ts", "3") == 0);
	REQUIRE(pub_str("/pl/live.m3u8", pl_live) == 0);
	REQUIRE(fetch("GET", "/pl/live.m3u8", NULL, NULL, &r) == 0);
	CHECK(r.code == 200);
	CHECK(body_has(&r, "s3.ts") && !body_has(&r, "s4.ts"));
	CHECK(resp_has(&r, "Content-Type", TYPE_M3U8));
	CHECK(resp_has(&r, "Cache-Control", HTTPD_CC_PLAYLIST));
	CHECK(resp_has(&r, "Access-Control-Allow-Origin", "*"));
	CHECK(resp_get(&r, "Last-Modified") == NULL);
	REQUIRE(resp_get(&r, "ETag") != NULL);
	snprintf(inm, sizeof(inm), "If-None-Match: %s", resp_get(&r, "ETag"));
	resp_free(&r);
	/* The rewritten body's own validator. */
	REQUIRE(fetch("GET", "/pl/live.m3u8", inm, NULL, &r) == 0);
	CHECK(r.code == 304 && r.blen == 0);
	resp_free(&r);
	httpd_get_stats(&b);
	CHECK(b.playlists_rewritten - a.playlists_rewritten >= 1);
	CHECK(b.segments_held_back - a.segments_held_back >= 1);
	/* Announced: listed as received; the old validator is stale. */
	hold_announce("/pl/s4.ts");
	REQUIRE(fetch("GET", "/pl/live.m3u8", inm, NULL, &r) == 0);
	CHECK(r.code == 200 && body_has(&r, "s4.ts"));
	CHECK(r.blen == strlen(pl_live) &&
	    memcmp(r.body, pl_live, r.blen) == 0);
	CHECK(resp_get(&r, "Last-Modified") != NULL);
	resp_free(&r);
	/* The player asks for it before it is there: held, then served. */
	player_start(&p, "/pl/s4.ts");
	CHECK(wait_held(1, 2000));
	REQUIRE(pub_str("/pl/s4.ts", "4") == 0);
	player_join(&p);
	CHECK(p.rc == 0 && p.r.code == 200 && p.r.blen == 1);
	resp_free(&p.r);
}

static const char pl_gap[] =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
    "#EXT-X-MEDIA-SEQUENCE:7\n"
    "#EXTINF:2.0,\ng7.ts\n#EXTINF:2.0,\ng8.ts\n"
    "#EXTINF:2.0,\ng9.ts\n#EXTINF:2.0,\ng10.ts\n";

/* A lost segment in the middle: EXT-X-GAP and version 8. */
static void
test_playlist_gap(void)
{
	struct httpd_stats a, b;
	struct resp r;

	httpd_get_stats(&a);
	REQUIRE(pub_str("/gap/g7.ts", "7") == 0);
	hold_lost("/gap/g8.ts");
	REQUIRE(pub_str("/gap/g9.ts", "9") == 0);
	REQUIRE(pub_str("/gap/g10.ts", "10") == 0);
	REQUIRE(pub_str("/gap/p.m3u8", pl_gap) == 0);
	REQUIRE(fetch("GET", "/gap/p.m3u8", NULL, NULL, &r) == 0);
	CHECK(r.code == 200);
	CHECK(body_has(&r, "#EXT-X-GAP\n") || body_has(&r, "#EXT-X-GAP\r"));
	CHECK(body_has(&r, "#EXT-X-VERSION:8"));
	CHECK(!body_has(&r, "#EXT-X-VERSION:3"));
	CHECK(body_has(&r, "g8.ts") && body_has(&r, "g10.ts"));
	CHECK(body_msn(&r) == 7);
	resp_free(&r);
	httpd_get_stats(&b);
	CHECK(b.gaps_marked - a.gaps_marked >= 1);
	/* The segment of a gap is not expected: 404, not held. */
	CHECK(get_code("/gap/g8.ts", 404) >= 0);
}

static const char pl_seq_hi[] =
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:100\n"
    "#EXTINF:2.0,\nn100.ts\n#EXTINF:2.0,\nn101.ts\n";
static const char pl_seq_lo[] =
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:5\n"
    "#EXTINF:2.0,\nn5.ts\n#EXTINF:2.0,\nn6.ts\n";

/* The source restarts its numbering: the served one never goes back. */
static void
test_playlist_msn_monotonic(void)
{
	struct resp r;
	long long m1, m2;

	REQUIRE(pub_str("/seq/n100.ts", "a") == 0);
	REQUIRE(pub_str("/seq/n101.ts", "b") == 0);
	REQUIRE(pub_str("/seq/n5.ts", "c") == 0);
	REQUIRE(pub_str("/seq/n6.ts", "d") == 0);
	REQUIRE(pub_str("/seq/p.m3u8", pl_seq_hi) == 0);
	REQUIRE(fetch("GET", "/seq/p.m3u8", NULL, NULL, &r) == 0);
	m1 = body_msn(&r);
	CHECK(r.code == 200 && m1 == 100);
	resp_free(&r);
	REQUIRE(pub_str("/seq/p.m3u8", pl_seq_lo) == 0);
	REQUIRE(fetch("GET", "/seq/p.m3u8", NULL, NULL, &r) == 0);
	m2 = body_msn(&r);
	CHECK(r.code == 200 && body_has(&r, "n5.ts"));
	CHECK(m2 >= m1);
	CHECK(body_has(&r, "#EXT-X-DISCONTINUITY"));
	resp_free(&r);
	/* Asked again: the same numbers, not renumbered twice. */
	REQUIRE(fetch("GET", "/seq/p.m3u8", NULL, NULL, &r) == 0);
	CHECK(body_msn(&r) == m2);
	resp_free(&r);
}

static void
ll_playlist(char *buf, size_t len, unsigned first, unsigned last,
    const char *dir)
{
	size_t off;
	unsigned i;
	char seg[64];

	off = (size_t)snprintf(buf, len, "#EXTM3U\n#EXT-X-VERSION:6\n"
	    "#EXT-X-TARGETDURATION:1\n"
	    "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES\n"
	    "#EXT-X-MEDIA-SEQUENCE:%u\n", first);
	for (i = first; i <= last && off < len; i++) {
		snprintf(seg, sizeof(seg), "/%s/s%u.ts", dir, i);
		if (cache_peek(seg, &(struct cache_hit){ .fd = -1 }) < 0)
			pub_str(seg, "x");
		off += (size_t)snprintf(buf + off, len - off,
		    "#EXTINF:1.0,\ns%u.ts\n", i);
	}
}

/* LL-HLS blocking playlist reloads (rfc8216bis 6.2.5.2). */
static void
test_blocking_reload(void)
{
	char pl[2048], seg[64];
	struct httpd_stats a, b;
	struct player never, soon, back;
	struct resp r;

	httpd_get_stats(&a);
	ll_playlist(pl, sizeof(pl), 10, 13, "ll");
	REQUIRE(pub_str("/ll/p.m3u8", pl) == 0);
	ll_playlist(pl, sizeof(pl), 10, 13, "lln");
	REQUIRE(pub_str("/lln/p.m3u8", pl) == 0);
	/* Asked for a segment that never comes: 503 after 3 x 1 s. */
	player_start(&never, "/lln/p.m3u8?_HLS_msn=14");
	CHECK(get_code("/ll/p.m3u8?_HLS_part=1", 400) >= 0);
	CHECK(get_code("/ll/p.m3u8?_HLS_msn=16", 400) >= 0);
	CHECK(get_code("/ll/p.m3u8?_HLS_msn=1x", 400) >= 0);
	CHECK(get_code("/ll/p.m3u8?_HLS_msn=12", 200) > 0);
	CHECK(get_code("/ll/p.m3u8?_HLS_msn=13", 200) > 0);
	/* msn = last + 1: held until a version lists it. */
	player_start(&soon, "/ll/p.m3u8?_HLS_msn=14");
	CHECK(wait_held(2, 2000));
	sleep_ms(50);
	CHECK(soon.t1 == 0);
	/* Another version without it wakes, re-checks and holds again. */
	ll_playlist(pl, sizeof(pl), 11, 13, "ll");
	REQUIRE(pub_str("/ll/p.m3u8", pl) == 0);
	sleep_ms(50);
	CHECK(soon.t1 == 0);
	ll_playlist(pl, sizeof(pl), 11, 14, "ll");
	REQUIRE(pub_str("/ll/p.m3u8", pl) == 0);
	player_join(&soon);
	CHECK(soon.rc == 0 && soon.r.code == 200);
	CHECK(body_has(&soon.r, "s14.ts"));
	CHECK(soon.t1 - soon.t0 < 2500);
	resp_free(&soon.r);
	/*
	 * The playlist lists 15, but 15 is not there yet: held back, so the
	 * request waits for the segment itself as well.
	 */
	ll_playlist(pl, sizeof(pl), 11, 14, "ll");
	strcat(pl, "#EXTINF:1.0,\ns15.ts\n");
	REQUIRE(pub_str("/ll/p.m3u8", pl) == 0);
	player_start(&back, "/ll/p.m3u8?_HLS_msn=15");
	CHECK(wait_held(2, 2000));
	snprintf(seg, sizeof(seg), "/ll/s15.ts");
	REQUIRE(pub_str(seg, "y") == 0);
	player_join(&back);
	CHECK(back.rc == 0 && back.r.code == 200 &&
	    body_has(&back.r, "s15.ts"));
	CHECK(back.t1 - back.t0 < 2500);
	resp_free(&back.r);
	player_join(&never);
	CHECK(never.rc == 0 && never.r.code == 503);
	CHECK(resp_has(&never.r, "Retry-After", "1"));
	CHECK(never.t1 - never.t0 >= 3000 && never.t1 - never.t0 < 4500);
	resp_free(&never.r);
	httpd_get_stats(&b);
	CHECK(b.blocking_reloads - a.blocking_reloads >= 3);
	/* Without CAN-BLOCK-RELOAD the directives are ignored. */
	REQUIRE(fetch("GET", "/pl/live.m3u8?_HLS_msn=99", NULL, NULL, &r) == 0);
	CHECK(r.code == 200 && body_has(&r, "s4.ts"));
	resp_free(&r);
}

/* httpd_stop with held requests returns promptly. */
static void
test_stop_with_held(void)
{
	enum { N = 20 };
	int fd[N], i, closed = 0;
	char buf[1024];
	uint64_t t0;

	httpd_stop();
	REQUIRE(srv_start(30000) == 0);
	for (i = 0; i < N; i++)
		fd[i] = sock_get("/exp/stop.ts");
	CHECK(wait_held(N, 3000));
	t0 = util_now_ms();
	httpd_stop();
	CHECK(util_now_ms() - t0 < 1000);
	for (i = 0; i < N; i++) {
		if (fd[i] < 0)
			continue;
		sock_read(fd[i], buf, sizeof(buf), 2000);
		closed++;
		close(fd[i]);
	}
	CHECK_EQ_U(closed, N);
	/* The hold table still has the waiters: shutdown frees them. */
	hold_shutdown();
	REQUIRE(hold_init(NULL) == 0);
	REQUIRE(srv_start(1500) == 0);
}

static void
test_cleanup(void)
{
	e2e_teardown(hc);
	hold_shutdown();
	curl_global_cleanup();
}

TEST_MAIN(TEST(test_setup), TEST(test_held_then_published),
    TEST(test_hold_timeout), TEST(test_unknown_404), TEST(test_lost_wakes),
    TEST(test_many_held), TEST(test_race), TEST(test_race_in_between),
    TEST(test_race_wake), TEST(test_playlist_held_back),
    TEST(test_playlist_gap), TEST(test_playlist_msn_monotonic),
    TEST(test_blocking_reload), TEST(test_stop_with_held),
    TEST(test_cleanup))
