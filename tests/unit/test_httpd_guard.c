/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_httpd_guard.c: the limits and networks of [http] end to end
 * (daemon/httpd_guard.c), with real libmicrohttpd on 127.0.0.1, a real
 * cache, and raw sockets or libcurl as clients.  Each limit is shown to
 * refuse cleanly (the right status, or a closed connection, counted in
 * the stats) and the server to serve normally right after: admin_allow
 * (403), max_request_rate (429), max_connections and
 * max_connections_per_client (closed at accept), max_held and
 * max_held_per_client (503), header_timeout against a client trickling
 * its headers (closed, others served meanwhile), and headers larger than
 * the connection's memory (431, 414).  Loopback is a client like any
 * other here: limit_exempt is emptied.
 */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "httpd_harness.h"
#include "../../daemon/hold.h"
#include "../../daemon/netacl.h"

static struct conf *gc_conf;

static int
g_fetch(const char *path, int urgent)
{
	(void)urgent;
	return strncmp(path, "/exp/", 5) == 0;
}

static const struct httpd_hooks g_hooks = {
	.health = e2e_health, .metrics = e2e_metrics, .fetch = g_fetch
};

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static struct httpd_stats
stats(void)
{
	struct httpd_stats st;

	httpd_get_stats(&st);
	return st;
}

/* (Re)start the server with gc_conf; every limit off unless set. */
static void
srv_restart(void)
{
	char why[100];

	httpd_stop();
	REQUIRE(netacl_parse("none", &gc_conf->http_limit_exempt, why,
	    sizeof(why)) == 0);
	REQUIRE(httpd_start(gc_conf, &g_hooks) == 0);
	e2e_port = httpd_bound_port(0);
	REQUIRE(e2e_port > 0);
}

static void
srv_defaults(void)
{
	static struct conf d;

	conf_defaults(&d);
	gc_conf->http_rate = 0;
	gc_conf->http_per_client = 0;
	gc_conf->http_max_conns = 1000;
	gc_conf->http_max_held = d.http_max_held;
	gc_conf->http_held_per_client = 0;
	gc_conf->http_header_ms = d.http_header_ms;
	gc_conf->http_timeout_s = d.http_timeout_s;
	gc_conf->http_admin_allow = d.http_admin_allow;
}

static int
sock_open(void)
{
	struct sockaddr_in sa;
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)e2e_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
sock_send(int fd, const char *s, size_t n)
{
	return write(fd, s, n) == (ssize_t)n ? 0 : -1;
}

/* Wait up to ms for something to read; the bytes, 0 at EOF, -1 else. */
static ssize_t
sock_recv(int fd, char *buf, size_t cap, unsigned ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, (int)ms) <= 0)
		return -1;
	return read(fd, buf, cap);
}

/*
 * One keep-alive request on fd and its whole response (headers, and a
 * body of Content-Length bytes); the status, or -1.
 */
static int
sock_req(int fd, const char *target)
{
	char buf[8192], req[512];
	size_t off = 0, want = SIZE_MAX;
	const char *e, *cl;
	int code = -1, n;
	ssize_t r;

	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n\r\n",
	    target);
	if (sock_send(fd, req, (size_t)n) < 0)
		return -1;
	while (off < want && off + 1 < sizeof(buf)) {
		if ((r = sock_recv(fd, buf + off, sizeof(buf) - 1 - off,
		    3000)) <= 0)
			return -1;
		off += (size_t)r;
		buf[off] = '\0';
		if (want == SIZE_MAX && (e = strstr(buf, "\r\n\r\n")) != NULL) {
			sscanf(buf, "HTTP/1.1 %d", &code);
			cl = strcasestr(buf, "\r\nContent-Length: ");
			want = (size_t)(e + 4 - buf) + (cl != NULL && cl < e ?
			    strtoul(cl + 18, NULL, 10) : 0);
		}
	}
	return code;
}

/* 1 if the server closes fd (EOF or reset) within ms. */
static int
sock_closed(int fd, unsigned ms)
{
	uint64_t end = util_now_ms() + ms;
	char buf[4096];
	ssize_t r;

	while (util_now_ms() < end) {
		r = sock_recv(fd, buf, sizeof(buf), 50);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return 1;
	}
	return 0;
}

/* Wait until the server has n connections open (or ms pass). */
static int
wait_conns(uint64_t n, unsigned ms)
{
	uint64_t end = util_now_ms() + ms;

	while (stats().connections_now != n && util_now_ms() < end)
		sleep_ms(2);
	return stats().connections_now == n;
}

static int
wait_held(uint64_t n, unsigned ms)
{
	uint64_t end = util_now_ms() + ms;

	while (stats().held_now < n && util_now_ms() < end)
		sleep_ms(2);
	return stats().held_now >= n;
}

/* Diagnostics outside admin_allow: 403; players' paths unaffected. */
static void
test_admin(void)
{
	static const char *const deny[] = {
		"/metrics", "/health", "/status.json", "/", "/ui/status.js",
		"/nip/nif.xml", "http://dvb.gw/metrics",
	};
	struct httpd_stats st0 = stats(), st1;
	char why[100];
	size_t i;

	srv_defaults();
	REQUIRE(netacl_parse("10.0.0.0/8 fd00::/8", &gc_conf->http_admin_allow,
	    why, sizeof(why)) == 0);
	srv_restart();
	for (i = 0; i < sizeof(deny) / sizeof(deny[0]); i++)
		CHECK(get_code(deny[i], 403) >= 0);
	CHECK(get_code("/small.m3u8", 200) > 0);
	CHECK(get_code("/services.json", 200) > 0);
	CHECK(get_code("/dvbi/", 404) >= 0);
	st1 = stats();
	CHECK_EQ_U(st1.refused[HTTPD_L_ADMIN] - st0.refused[HTTPD_L_ADMIN],
	    sizeof(deny) / sizeof(deny[0]));
	CHECK_EQ_U(st1.by_code[8] - st0.by_code[8],	/* 403 */
	    sizeof(deny) / sizeof(deny[0]));
	/* Loopback in the list: served. */
	REQUIRE(netacl_parse("127.0.0.0/8", &gc_conf->http_admin_allow, why,
	    sizeof(why)) == 0);
	srv_restart();
	CHECK(get_code("/metrics", 200) > 0);
	CHECK(get_code("/health", 200) > 0);
}

/* 5/s, bursts of 10: the burst passes, the rest is 429, then it refills. */
static void
test_rate(void)
{
	struct httpd_stats st0, st1;
	struct resp r;
	int i, ok = 0, limited = 0, retry = 0;
	uint64_t t0;

	srv_defaults();
	gc_conf->http_rate = 5;
	srv_restart();
	st0 = stats();
	for (i = 0; i < 30; i++) {
		REQUIRE(fetch("GET", "/small.m3u8", NULL, NULL, &r) == 0);
		ok += r.code == 200;
		limited += r.code == 429;
		retry += r.code == 429 && resp_has(&r, "Retry-After", "1");
		resp_free(&r);
	}
	st1 = stats();
	CHECK(ok >= 10 && ok <= 13);
	CHECK(limited == 30 - ok && retry == limited);
	CHECK_EQ_U(st1.refused[HTTPD_L_RATE] - st0.refused[HTTPD_L_RATE],
	    (unsigned)limited);
	CHECK_EQ_U(st1.by_code[10] - st0.by_code[10], (unsigned)limited);
	/* A token comes back within 1/5 s. */
	t0 = util_now_ms();
	do {
		REQUIRE(fetch("GET", "/small.m3u8", NULL, NULL, &r) == 0);
		i = (int)r.code;
		resp_free(&r);
		if (i != 200)
			sleep_ms(20);
	} while (i != 200 && util_now_ms() - t0 < 2000);
	CHECK(i == 200);
	CHECK(util_now_ms() - t0 < 600);
}

/* max_connections_per_client, then max_connections. */
static void
test_connections(void)
{
	struct httpd_stats st0 = stats(), st1;
	int fd[4], extra, i;

	srv_defaults();
	gc_conf->http_per_client = 3;
	srv_restart();
	for (i = 0; i < 3; i++) {
		REQUIRE((fd[i] = sock_open()) >= 0);
		CHECK(sock_req(fd[i], "/small.m3u8") == 200);
	}
	REQUIRE((extra = sock_open()) >= 0);	/* the kernel accepts... */
	CHECK(sock_closed(extra, 2000));	/* ...the server closes */
	close(extra);
	st1 = stats();
	CHECK_EQ_U(st1.refused[HTTPD_L_CLIENT_CONNS] -
	    st0.refused[HTTPD_L_CLIENT_CONNS], 1);
	CHECK(sock_req(fd[0], "/small.m3u8") == 200);	/* unharmed */
	close(fd[2]);
	CHECK(wait_conns(2, 2000));
	REQUIRE((fd[2] = sock_open()) >= 0);
	CHECK(sock_req(fd[2], "/small.m3u8") == 200);
	for (i = 0; i < 3; i++)
		close(fd[i]);

	gc_conf->http_per_client = 0;
	gc_conf->http_max_conns = 4;
	srv_restart();
	CHECK(wait_conns(0, 2000));
	for (i = 0; i < 4; i++) {
		REQUIRE((fd[i] = sock_open()) >= 0);
		CHECK(sock_req(fd[i], "/small.m3u8") == 200);
	}
	REQUIRE((extra = sock_open()) >= 0);
	CHECK(sock_closed(extra, 2000));
	close(extra);
	CHECK_EQ_U(stats().refused[HTTPD_L_CONNS] - st0.refused[HTTPD_L_CONNS],
	    1);
	close(fd[1]);
	CHECK(wait_conns(3, 2000));
	REQUIRE((fd[1] = sock_open()) >= 0);
	CHECK(sock_req(fd[1], "/small.m3u8") == 200);
	for (i = 0; i < 4; i++)
		close(fd[i]);
}

/* Open n held requests for path; 1 if all are held. */
static int
hold_n(int *fd, int n, const char *path)
{
	char req[256];
	int i, len;

	len = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n\r\n",
	    path);
	for (i = 0; i < n; i++)
		if ((fd[i] = sock_open()) < 0 ||
		    sock_send(fd[i], req, (size_t)len) < 0)
			return 0;
	return wait_held((uint64_t)n, 3000);
}

/* The n held requests got their 200; their sockets are closed. */
static void
answered(int *fd, int n)
{
	char buf[1024];
	ssize_t r;
	int i;

	for (i = 0; i < n; i++) {
		r = sock_recv(fd[i], buf, sizeof(buf) - 1, 3000);
		CHECK(r > 12 && memcmp(buf, "HTTP/1.1 200", 12) == 0);
		close(fd[i]);
	}
}

/* max_held_per_client, then max_held: 503 at once, then held again. */
static void
test_held(void)
{
	static const char body[] = "published";
	struct httpd_stats st0 = stats();
	uint8_t md5[16];
	int fd[3], i;

	srv_defaults();
	gc_conf->http_hold_ms = 5000;	/* never reached */
	gc_conf->http_held_per_client = 2;
	srv_restart();
	REQUIRE(hold_n(fd, 2, "/exp/a.ts"));
	CHECK(get_code("/exp/a.ts", 503) >= 0);
	CHECK_EQ_U(stats().refused[HTTPD_L_CLIENT_HELD] -
	    st0.refused[HTTPD_L_CLIENT_HELD], 1);
	REQUIRE(e2e_publish("/exp/a.ts", body, sizeof(body) - 1, 900,
	    "video/mp2t", 1, md5) == 0);
	answered(fd, 2);
	CHECK(hold_n(fd, 2, "/exp/b.ts"));	/* room again */
	for (i = 0; i < 2; i++)
		close(fd[i]);

	gc_conf->http_held_per_client = 0;
	gc_conf->http_max_held = 3;
	srv_restart();
	REQUIRE(hold_n(fd, 3, "/exp/c.ts"));
	CHECK(get_code("/exp/c.ts", 503) >= 0);
	CHECK_EQ_U(stats().refused[HTTPD_L_HELD] - st0.refused[HTTPD_L_HELD],
	    1);
	REQUIRE(e2e_publish("/exp/c.ts", body, sizeof(body) - 1, 901,
	    "video/mp2t", 1, md5) == 0);
	answered(fd, 3);
	CHECK(hold_n(fd, 3, "/exp/d.ts"));
	for (i = 0; i < 3; i++)
		close(fd[i]);
}

/*
 * A client trickling its headers (one byte each 100 ms resets MHD's idle
 * timer) is closed at header_timeout; another is served meanwhile.  A
 * kept-alive connection has [http] timeout for its next request.
 */
static void
test_slow_headers(void)
{
	static const char head[] = "GET /small.m3u8 HTTP/1.1\r\nHost: t\r\n";
	struct httpd_stats st0 = stats();
	uint64_t t0, closed_ms = 0;
	int slow, keep, served = 0;
	char c = 'X';

	srv_defaults();
	gc_conf->http_header_ms = 400;
	srv_restart();
	REQUIRE((keep = sock_open()) >= 0);
	CHECK(sock_req(keep, "/small.m3u8") == 200);
	REQUIRE((slow = sock_open()) >= 0);
	t0 = util_now_ms();
	REQUIRE(sock_send(slow, head, sizeof(head) - 1) == 0);
	while (util_now_ms() - t0 < 3000 && closed_ms == 0) {
		if (write(slow, &c, 1) != 1 || sock_closed(slow, 100))
			closed_ms = util_now_ms() - t0;
		served += get_code("/v/big.ts", 200) == BIG_SIZE;
	}
	CHECK(closed_ms >= 400 && closed_ms < 2000);
	CHECK(served > 0);
	close(slow);
	CHECK_EQ_U(stats().refused[HTTPD_L_HEADER_TIMEOUT] -
	    st0.refused[HTTPD_L_HEADER_TIMEOUT], 1);
	/* The first connection idled past header_timeout: still good. */
	CHECK(sock_req(keep, "/small.m3u8") == 200);
	close(keep);
	/* A connection that never sends anything is closed too. */
	REQUIRE((slow = sock_open()) >= 0);
	CHECK(sock_closed(slow, 2500));
	close(slow);
}

/* Request line or headers beyond the connection's memory: 414, 431. */
static void
test_big_headers(void)
{
	struct httpd_stats st0 = stats(), st1;
	size_t big = 24 << 10;
	char *a, *req, buf[512];
	ssize_t r;
	int fd, k, len;

	srv_defaults();
	srv_restart();
	REQUIRE((a = malloc(big + 1)) != NULL);
	REQUIRE((req = malloc(big + 128)) != NULL);
	memset(a, 'a', big);
	a[big] = '\0';
	for (k = 0; k < 2; k++) {
		if (k == 0)
			len = snprintf(req, big + 128, "GET /small.m3u8 "
			    "HTTP/1.1\r\nHost: t\r\nX-Big: %s\r\n\r\n", a);
		else
			len = snprintf(req, big + 128, "GET /%s HTTP/1.1\r\n"
			    "Host: t\r\n\r\n", a);
		REQUIRE((fd = sock_open()) >= 0);
		(void)sock_send(fd, req, (size_t)len);
		r = sock_recv(fd, buf, sizeof(buf) - 1, 3000);
		CHECK(r > 12);
		buf[r > 0 ? r : 0] = '\0';
		CHECK(strncmp(buf, k == 0 ? "HTTP/1.1 431" : "HTTP/1.1 414",
		    12) == 0);
		CHECK(sock_closed(fd, 2000));
		close(fd);
		CHECK(get_code("/small.m3u8", 200) > 0);
	}
	free(req);
	free(a);
	st1 = stats();
	CHECK_EQ_U(st1.refused[HTTPD_L_HEADER_SIZE] -
	    st0.refused[HTTPD_L_HEADER_SIZE], 2);
	CHECK_EQ_U(st1.by_code[11] - st0.by_code[11], 1);	/* 431 */
	CHECK_EQ_U(st1.by_code[9] - st0.by_code[9], 1);	/* 414 */
}

/* The labels /metrics uses, and the code table's new entries. */
static void
test_labels(void)
{
	CHECK(strcmp(httpd_limit_label(HTTPD_L_RATE), "request_rate") == 0);
	CHECK(strcmp(httpd_limit_label(HTTPD_L_ADMIN), "admin") == 0);
	CHECK(strcmp(httpd_limit_label(HTTPD_NLIMITS), "other") == 0);
	CHECK(strcmp(httpd_code_label(8), "403") == 0);
	CHECK(strcmp(httpd_code_label(9), "414") == 0);
	CHECK(strcmp(httpd_code_label(10), "429") == 0);
	CHECK(strcmp(httpd_code_label(11), "431") == 0);
	CHECK(strcmp(httpd_code_label(12), "other") == 0);
}

static void
test_setup(void)
{
	uint8_t md5[16];

	log_init("test_httpd_guard", LOG_LEVEL_WARN);
	REQUIRE(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
	e2e_on_publish = hold_published;
	REQUIRE(e2e_setup(&gc_conf) == 0);
	REQUIRE(hold_init(NULL) == 0);
	atomic_store(&e2e_ready, 1);
	REQUIRE(e2e_publish("/small.m3u8", small_v1, sizeof(small_v1) - 1, 1,
	    "application/vnd.apple.mpegurl", 1, md5) == 0);
	REQUIRE(e2e_publish("/v/big.ts", big_body, BIG_SIZE, 2, "video/MP2T",
	    0, md5) == 0);
	srv_defaults();
	srv_restart();
}

static void
test_cleanup(void)
{
	httpd_stop();
	hold_shutdown();
	e2e_teardown(gc_conf);
	curl_global_cleanup();
}

TEST_MAIN(TEST(test_setup), TEST(test_labels), TEST(test_admin),
    TEST(test_rate), TEST(test_connections), TEST(test_held),
    TEST(test_slow_headers), TEST(test_big_headers), TEST(test_cleanup))
