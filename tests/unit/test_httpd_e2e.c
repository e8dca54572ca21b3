/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_httpd_e2e.c: the real server end to end: a temporary cache with a
 * small playlist (served from RAM) and a 3 MB segment (served from its
 * file), httpd on 127.0.0.1:0 (and [::1]:0), and libcurl as the player.
 */
#include "httpd_harness.h"

/* Health before and after ready, the reserved paths, bad targets. */
static void
e2e_paths(void)
{
	struct resp r;
	char *longt;

	REQUIRE(fetch("GET", "/health", NULL, NULL, &r) == 0);
	CHECK(r.code == 503);
	CHECK(r.blen == 15 && memcmp(r.body, "{\"ready\":false}", 15) == 0);
	CHECK(resp_has(&r, "Content-Type", "application/json"));
	resp_free(&r);
	atomic_store(&e2e_ready, 1);
	REQUIRE(fetch("GET", "/health", NULL, NULL, &r) == 0);
	CHECK(r.code == 200);
	CHECK(r.blen == 14 && memcmp(r.body, "{\"ready\":true}", 14) == 0);
	resp_free(&r);

	CHECK(get_code("/", 200) > 0);
	REQUIRE(fetch("GET", "/services.json", NULL, NULL, &r) == 0);
	CHECK(r.code == 200 && r.blen == 16 &&
	    memcmp(r.body, "{\"services\":[]}\n", 16) == 0);
	resp_free(&r);
	CHECK(get_code("/dvbi/", 404) >= 0);
	CHECK(get_code("/nip/x.m3u8", 404) >= 0);
	CHECK(get_code("/missing.ts", 404) >= 0);
	CHECK(get_code("/a/../small.m3u8", 400) >= 0);
	CHECK(get_code("/a/%2e%2e/small.m3u8", 400) >= 0);
	CHECK(get_code("/small.m3u8%00", 400) >= 0);
	CHECK(get_code("/a%2fsmall.m3u8", 400) >= 0);
	CHECK(get_code("http://evil.example/small.m3u8", 400) >= 0);
	longt = malloc(NAMES_MAX + 2);
	REQUIRE(longt != NULL);
	memset(longt, 'a', NAMES_MAX + 1);
	longt[0] = '/';
	longt[NAMES_MAX + 1] = '\0';
	CHECK(get_code(longt, 400) >= 0);
	free(longt);
}

/* Full bodies from RAM and from the file, HEAD, methods, CORS. */
static void
e2e_full(const char *etag_small)
{
	char want[32];
	struct resp r;
	int i;

	for (i = 0; i < 3; i++) {	/* the second and third reuse */
		REQUIRE(fetch("GET", "/small.m3u8", NULL, NULL, &r) == 0);
		CHECK(r.code == 200);
		CHECK(r.blen == sizeof(small_v1) - 1 &&
		    memcmp(r.body, small_v1, r.blen) == 0);
		CHECK(resp_has(&r, "Content-Type",
		    "application/vnd.apple.mpegurl"));
		CHECK(resp_has(&r, "Cache-Control", "max-age=1"));
		CHECK(resp_has(&r, "ETag", etag_small));
		CHECK(resp_has(&r, "Accept-Ranges", "bytes"));
		CHECK(resp_has(&r, "Access-Control-Allow-Origin", "*"));
		CHECK(resp_has(&r, "Access-Control-Expose-Headers",
		    "Content-Length, Content-Range, Age, Date"));
		CHECK(resp_has(&r, "Last-Modified",
		    "Tue, 14 Nov 2023 22:13:20 GMT"));
		resp_free(&r);
	}
	CHECK(get_code("http://dvb.gw/small.m3u8", 200) ==
	    (long)sizeof(small_v1) - 1);
	CHECK(get_code("/small.m3u8?_HLS_msn=3", 200) ==
	    (long)sizeof(small_v1) - 1);
	CHECK(get_code("/./small.m3u8", 200) == (long)sizeof(small_v1) - 1);

	REQUIRE(fetch("GET", "/v/big.ts", NULL, NULL, &r) == 0);
	CHECK(r.code == 200);
	CHECK(r.blen == BIG_SIZE && memcmp(r.body, big_body, BIG_SIZE) == 0);
	CHECK(resp_has(&r, "Content-Type", "video/MP2T"));
	CHECK(resp_has(&r, "Cache-Control",
	    "public, max-age=86400, immutable"));
	resp_free(&r);
	CHECK(get_code("/v//big.ts", 200) == BIG_SIZE);

	REQUIRE(fetch("HEAD", "/v/big.ts", NULL, NULL, &r) == 0);
	CHECK(r.code == 200 && r.blen == 0);
	CHECK(resp_has(&r, "Content-Length", "3145728"));
	resp_free(&r);
	REQUIRE(fetch("HEAD", "/small.m3u8", "Range: bytes=0-1", NULL,
	    &r) == 0);
	CHECK(r.code == 200 && r.blen == 0);
	snprintf(want, sizeof(want), "%zu", sizeof(small_v1) - 1);
	CHECK(resp_has(&r, "Content-Length", want));
	resp_free(&r);

	REQUIRE(fetch("OPTIONS", "/v/big.ts", NULL, NULL, &r) == 0);
	CHECK(r.code == 204 && r.blen == 0);
	CHECK(resp_has(&r, "Access-Control-Allow-Origin", "*"));
	CHECK(resp_has(&r, "Access-Control-Allow-Methods",
	    "GET, HEAD, OPTIONS"));
	CHECK(resp_get(&r, "Access-Control-Allow-Headers") != NULL &&
	    strstr(resp_get(&r, "Access-Control-Allow-Headers"), "Range"));
	CHECK(resp_has(&r, "Access-Control-Max-Age", "86400"));
	resp_free(&r);

	REQUIRE(fetch("DELETE", "/v/big.ts", NULL, NULL, &r) == 0);
	CHECK(r.code == 405);
	CHECK(resp_has(&r, "Allow", "GET, HEAD, OPTIONS"));
	resp_free(&r);
}

/* Carousel metadata never reaches a header unchecked. */
static void
e2e_hostile_type(void)
{
	static const char body[] = "0123456789";
	uint8_t md5[16];
	struct resp r;

	REQUIRE(e2e_publish_as("/evil.ts", body, 10, 10, "video/mp2t",
	    "video/mp2t\r\nSet-Cookie: x=1", 1, md5) == 0);
	REQUIRE(fetch("GET", "/evil.ts", NULL, NULL, &r) == 0);
	CHECK(r.code == 200 && r.blen == 10);
	CHECK(resp_has(&r, "Content-Type", "video/mp2t"));
	CHECK(resp_get(&r, "Set-Cookie") == NULL);
	resp_free(&r);
}

/* 206 from the file and from RAM, 416, ignored and If-Range'd ranges. */
static void
e2e_ranges(const char *etag_big)
{
	char ifr[96], want[64];
	struct resp r;

	REQUIRE(fetch("GET", "/v/big.ts", "Range: bytes=100-199", NULL,
	    &r) == 0);
	CHECK(r.code == 206);
	CHECK(r.blen == 100 && memcmp(r.body, big_body + 100, 100) == 0);
	CHECK(resp_has(&r, "Content-Range", "bytes 100-199/3145728"));
	CHECK(resp_has(&r, "Content-Type", "video/MP2T"));
	resp_free(&r);

	REQUIRE(fetch("GET", "/v/big.ts", "Range: bytes=3145000-", NULL,
	    &r) == 0);
	CHECK(r.code == 206 && r.blen == 728 &&
	    memcmp(r.body, big_body + 3145000, 728) == 0);
	resp_free(&r);

	REQUIRE(fetch("GET", "/small.m3u8", "Range: bytes=-10", NULL,
	    &r) == 0);
	CHECK(r.code == 206 && r.blen == 10 &&
	    memcmp(r.body, small_v1 + sizeof(small_v1) - 11, 10) == 0);
	snprintf(want, sizeof(want), "bytes %zu-%zu/%zu",
	    sizeof(small_v1) - 11, sizeof(small_v1) - 2, sizeof(small_v1) - 1);
	CHECK(resp_has(&r, "Content-Range", want));
	resp_free(&r);

	REQUIRE(fetch("GET", "/v/big.ts", "Range: bytes=4000000-", NULL,
	    &r) == 0);
	CHECK(r.code == 416 && r.blen == 0);
	CHECK(resp_has(&r, "Content-Range", "bytes */3145728"));
	resp_free(&r);

	REQUIRE(fetch("GET", "/v/big.ts", "Range: bytes=0-1,5-6", NULL,
	    &r) == 0);
	CHECK(r.code == 200 && r.blen == BIG_SIZE);
	resp_free(&r);
	REQUIRE(fetch("GET", "/v/big.ts", "Range: bytes=x-y", NULL, &r) == 0);
	CHECK(r.code == 200 && r.blen == BIG_SIZE);
	resp_free(&r);

	snprintf(ifr, sizeof(ifr), "If-Range: %s", etag_big);
	REQUIRE(fetch("GET", "/v/big.ts", "Range: bytes=0-9", ifr, &r) == 0);
	CHECK(r.code == 206 && r.blen == 10);
	resp_free(&r);
	REQUIRE(fetch("GET", "/v/big.ts", "Range: bytes=0-9",
	    "If-Range: \"0123\"", &r) == 0);
	CHECK(r.code == 200 && r.blen == BIG_SIZE);
	resp_free(&r);
}

/* 304 by ETag and by date; mismatches get the body. */
static void
e2e_conditional(const char *etag_small, const char *etag_big)
{
	char inm[128];
	struct resp r;

	snprintf(inm, sizeof(inm), "If-None-Match: \"x\", %s", etag_big);
	REQUIRE(fetch("GET", "/v/big.ts", inm, NULL, &r) == 0);
	CHECK(r.code == 304 && r.blen == 0);
	CHECK(resp_has(&r, "ETag", etag_big));
	CHECK(resp_has(&r, "Access-Control-Allow-Origin", "*"));
	resp_free(&r);
	snprintf(inm, sizeof(inm), "If-None-Match: W/%s", etag_small);
	REQUIRE(fetch("GET", "/small.m3u8", inm, NULL, &r) == 0);
	CHECK(r.code == 304 && r.blen == 0);
	resp_free(&r);
	REQUIRE(fetch("GET", "/small.m3u8", "If-None-Match: *", NULL,
	    &r) == 0);
	CHECK(r.code == 304);
	resp_free(&r);
	REQUIRE(fetch("GET", "/small.m3u8", "If-None-Match: \"nope\"",
	    "If-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT", &r) == 0);
	CHECK(r.code == 200 && r.blen == sizeof(small_v1) - 1);
	resp_free(&r);
	REQUIRE(fetch("GET", "/v/big.ts",
	    "If-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT", NULL, &r) == 0);
	CHECK(r.code == 304);
	resp_free(&r);
	REQUIRE(fetch("GET", "/v/big.ts",
	    "If-Modified-Since: Tue, 14 Nov 2023 22:13:19 GMT", NULL, &r) == 0);
	CHECK(r.code == 200 && r.blen == BIG_SIZE);
	resp_free(&r);
	REQUIRE(fetch("GET", "/v/big.ts", "If-Modified-Since: garbage", NULL,
	    &r) == 0);
	CHECK(r.code == 200);
	resp_free(&r);
}

struct hammer {
	int	ok;
	int	n;
};

static void *
hammer_main(void *arg)
{
	struct hammer *h = arg;
	struct resp r;
	int i;

	for (i = 0; i < h->n; i++) {
		if (fetch("GET", "/small.m3u8", NULL, NULL, &r) == 0 &&
		    r.code == 200 && r.blen == sizeof(small_v2) - 1 &&
		    memcmp(r.body, small_v2, r.blen) == 0)
			h->ok++;
		resp_free(&r);
	}
	return NULL;
}

/* A new version replaces the kept response at once; then 4 clients. */
static void
e2e_replace(const char *etag_v1)
{
	struct hammer h[4];
	pthread_t t[4];
	uint8_t md5[16];
	char hex[33], etag[40];
	struct resp r;
	int i;

	REQUIRE(e2e_publish("/small.m3u8", small_v2, sizeof(small_v2) - 1, 3,
	    "application/vnd.apple.mpegurl", 1, md5) == 0);
	util_hex(md5, 16, hex);
	snprintf(etag, sizeof(etag), "\"%s\"", hex);
	CHECK(strcmp(etag, etag_v1) != 0);
	REQUIRE(fetch("GET", "/small.m3u8", NULL, NULL, &r) == 0);
	CHECK(r.code == 200 && r.blen == sizeof(small_v2) - 1 &&
	    memcmp(r.body, small_v2, r.blen) == 0);
	CHECK(resp_has(&r, "ETag", etag));
	resp_free(&r);
	for (i = 0; i < 4; i++) {
		h[i].ok = 0;
		h[i].n = 25;
		REQUIRE(pthread_create(&t[i], NULL, hammer_main, &h[i]) == 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK(h[i].ok == h[i].n);
	}
}

/* One connection for many requests, even one with a body; 405 closes. */
static void
e2e_keepalive(void)
{
	struct resp r;
	char url[64];
	long conns[4] = { -1, -1, -1, -1 };
	CURL *c;
	int i;

	REQUIRE((c = curl_easy_init()) != NULL);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, resp_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	for (i = 0; i < 4; i++) {
		memset(&r, 0, sizeof(r));
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/%s", e2e_port,
		    i == 1 ? "v/big.ts" : "small.m3u8");
		curl_easy_setopt(c, CURLOPT_URL, url);
		if (i == 2) {
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "GET");
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, "ignored body");
		}
		CHECK(curl_easy_perform(c) == CURLE_OK);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
		curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &conns[i]);
		CHECK(r.code == 200);
		CHECK(r.blen == (i == 1 ? BIG_SIZE : sizeof(small_v1) - 1));
		resp_free(&r);
		if (i == 2) {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
			curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		}
	}
	CHECK(conns[0] == 1 && conns[1] == 0 && conns[2] == 0 && conns[3] == 0);
	/* A refused method is answered at once and the connection closed. */
	memset(&r, 0, sizeof(r));
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "POST");
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "x=1");
	CHECK(curl_easy_perform(c) == CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
	CHECK(r.code == 405);
	resp_free(&r);
	curl_easy_cleanup(c);
}

/*
 * The server side of our own loopback connection (this process runs the
 * server): its socket has the fixed send buffer.  The kernel doubles the
 * value asked for and caps it at net.core.wmem_max.
 */
static void
e2e_sndbuf(void)
{
	struct sockaddr_in a, me, peer, local;
	socklen_t l;
	unsigned long wmax = 0;
	char buf[4096];
	FILE *f;
	int s, fd, v, found = 0;
	ssize_t n;

	if ((f = fopen("/proc/sys/net/core/wmem_max", "r")) != NULL) {
		if (fscanf(f, "%lu", &wmax) != 1)
			wmax = 0;
		fclose(f);
	}
	REQUIRE((s = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)e2e_port);
	REQUIRE(connect(s, (struct sockaddr *)&a, sizeof(a)) == 0);
	l = sizeof(me);
	REQUIRE(getsockname(s, (struct sockaddr *)&me, &l) == 0);
	n = snprintf(buf, sizeof(buf), "GET /small.m3u8 HTTP/1.1\r\n"
	    "Host: x\r\n\r\n");
	REQUIRE(write(s, buf, (size_t)n) == n);
	CHECK(read(s, buf, sizeof(buf)) > 12 && memcmp(buf, "HTTP/1.1 200", 12)
	    == 0);
	for (fd = 0; fd < 1024 && !found; fd++) {
		l = sizeof(local);
		if (fd == s || getsockname(fd, (struct sockaddr *)&local,
		    &l) < 0 || local.sin_family != AF_INET ||
		    local.sin_port != a.sin_port)
			continue;
		l = sizeof(peer);
		if (getpeername(fd, (struct sockaddr *)&peer, &l) < 0 ||
		    peer.sin_port != me.sin_port)
			continue;
		l = sizeof(v);
		REQUIRE(getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &l) == 0);
		found = 1;
		if (wmax > 0 && wmax < HTTPD_LO_SNDBUF)
			CHECK((unsigned long)v == 2 * wmax);
		else
			CHECK(v == 2 * HTTPD_LO_SNDBUF);
	}
	CHECK(found);
	close(s);
}

/* GET path: 200 with len bytes of c?  1 or 0. */
static int
get_filled(const char *path, size_t len, int c)
{
	struct resp r;
	int ok;

	ok = fetch("GET", path, NULL, NULL, &r) == 0 && r.code == 200 &&
	    r.blen == len && r.body[0] == c && r.body[len - 1] == c;
	resp_free(&r);
	return ok;
}

/*
 * Many distinct RAM objects through the response table, each asked for
 * right after it is published, so the table keeps blobs the cache has
 * already dropped from its budget: each answer is right, the RAM the
 * table pins stays bounded, and all of it is given back when the server
 * stops (checked after the teardown).
 */
static void
e2e_rc_bound(void)
{
	static uint8_t body[60000];
	uint8_t md5[16];
	char path[32];
	int i, round, bad = 0;

	for (round = 0; round < 2; round++) {
		for (i = 0; i < 48; i++) {
			snprintf(path, sizeof(path), "/rc/%d.m3u8", i);
			memset(body, 'a' + i % 26, sizeof(body));
			if (round == 0)
				REQUIRE(e2e_publish(path, body, sizeof(body),
				    100 + (uint64_t)i,
				    "application/vnd.apple.mpegurl", 1,
				    md5) == 0);
			bad += !get_filled(path, sizeof(body), 'a' + i % 26);
			CHECK(httpd_rc_bytes() <= HTTPD_RC_BYTES_MAX +
			    sizeof(body) + 1024);
		}
		CHECK(httpd_rc_bytes() > HTTPD_RC_BYTES_MAX / 2);
	}
	CHECK(bad == 0);
}

/* Counters through /metrics and httpd_get_stats. */
static void
e2e_metrics_check(const struct httpd_stats *before)
{
	struct httpd_stats st;
	struct resp r;
	uint64_t sum = 0;
	int i;

	REQUIRE(fetch("GET", "/metrics", NULL, NULL, &r) == 0);
	CHECK(r.code == 200);
	CHECK(resp_has(&r, "Content-Type", "text/plain; version=0.0.4"));
	REQUIRE(resp_body("", 1, 1, &r) == 1);	/* NUL-terminate */
	CHECK(strstr((char *)r.body, "http_requests_total{code=\"200\"} ") !=
	    NULL);
	CHECK(strstr((char *)r.body, "http_requests_total{code=\"416\"} 1\n")
	    != NULL);
	resp_free(&r);
	httpd_get_stats(&st);
	for (i = 0; i < HTTPD_NCODES; i++)
		sum += st.by_code[i];
	CHECK(st.requests == sum);
	CHECK_EQ_U(st.by_code[4] - before->by_code[4], 6);	/* 400 */
	CHECK_EQ_U(st.by_code[5] - before->by_code[5], 3);	/* 404 */
	CHECK_EQ_U(st.by_code[6] - before->by_code[6], 1);	/* 416 */
	CHECK_EQ_U(st.by_code[1] - before->by_code[1], 1);	/* 204 */
	CHECK_EQ_U(st.by_code[3] - before->by_code[3], 4);	/* 304 */
	CHECK(st.bytes_sent_hint > 6ull * BIG_SIZE);
}

/* A second daemon on [::1]:0, when the host has IPv6 loopback. */
static void
e2e_ipv6(struct conf *c, const char *etag_big)
{
	struct sockaddr_in6 a;
	struct resp r;
	int s, ok;

	(void)etag_big;
	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_addr = in6addr_loopback;
	s = socket(AF_INET6, SOCK_STREAM, 0);
	ok = s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (s >= 0)
		close(s);
	if (!ok) {
		fprintf(stderr, "test_httpd: no IPv6 loopback, skipping [::1]\n");
		return;
	}
	httpd_stop();
	c->nlisten = 2;
	util_strlcpy(c->listen[1], "[::1]:0", sizeof(c->listen[1]));
	REQUIRE(httpd_start(c, &e2e_hooks) == 0);
	e2e_port = httpd_bound_port(0);
	CHECK(httpd_bound_port(1) > 0);
	CHECK(httpd_bound_port(2) == -1);
	CHECK(get_code("/v/big.ts", 200) == BIG_SIZE);
	{
		char url[64];
		CURL *cu = curl_easy_init();

		REQUIRE(cu != NULL);
		memset(&r, 0, sizeof(r));
		snprintf(url, sizeof(url), "http://[::1]:%d/small.m3u8",
		    httpd_bound_port(1));
		curl_easy_setopt(cu, CURLOPT_URL, url);
		curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, resp_body);
		curl_easy_setopt(cu, CURLOPT_WRITEDATA, &r);
		CHECK(curl_easy_perform(cu) == CURLE_OK);
		curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &r.code);
		CHECK(r.code == 200 && r.blen == sizeof(small_v2) - 1);
		curl_easy_cleanup(cu);
		resp_free(&r);
	}
}

static void
test_e2e(void)
{
	struct httpd_stats before;
	struct conf *c = NULL;
	uint8_t md5[16];
	char hex[33], etag_small[40], etag_big[40];

	REQUIRE(e2e_setup(&c) == 0);
	REQUIRE(e2e_publish("/small.m3u8", small_v1, sizeof(small_v1) - 1, 1,
	    "application/vnd.apple.mpegurl", 1, md5) == 0);
	util_hex(md5, 16, hex);
	snprintf(etag_small, sizeof(etag_small), "\"%s\"", hex);
	REQUIRE(e2e_publish("/v/big.ts", big_body, BIG_SIZE, 2, "video/MP2T",
	    0, md5) == 0);
	util_hex(md5, 16, hex);
	snprintf(etag_big, sizeof(etag_big), "\"%s\"", hex);

	REQUIRE(httpd_start(c, &e2e_hooks) == 0);
	e2e_port = httpd_bound_port(0);
	REQUIRE(e2e_port > 0);
	CHECK(httpd_bound_port(1) == -1);
	httpd_get_stats(&before);

	e2e_paths();
	e2e_full(etag_small);
	e2e_ranges(etag_big);
	e2e_conditional(etag_small, etag_big);
	e2e_keepalive();
	e2e_metrics_check(&before);
	e2e_hostile_type();
	e2e_replace(etag_small);
	e2e_sndbuf();
	e2e_rc_bound();
	e2e_ipv6(c, etag_big);
	e2e_teardown(c);
	CHECK_EQ_U(httpd_rc_bytes(), 0);
}

/* Starting on a port already taken fails cleanly and can be retried. */
static void
test_start_fail(void)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	struct conf *c;
	int s;

	c = calloc(1, sizeof(*c));
	REQUIRE(c != NULL);
	conf_defaults(c);
	s = socket(AF_INET, SOCK_STREAM, 0);
	REQUIRE(s >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	REQUIRE(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    listen(s, 1) == 0 && getsockname(s, (struct sockaddr *)&a,
	    &al) == 0);
	c->nlisten = 2;
	util_strlcpy(c->listen[0], "127.0.0.1:0", sizeof(c->listen[0]));
	snprintf(c->listen[1], sizeof(c->listen[1]), "127.0.0.1:%d",
	    ntohs(a.sin_port));
	CHECK(httpd_start(c, NULL) == -1);
	CHECK(httpd_bound_port(0) == -1);
	util_strlcpy(c->listen[1], "bogus", sizeof(c->listen[1]));
	CHECK(httpd_start(c, NULL) == -1);
	c->nlisten = 1;
	CHECK(httpd_start(c, NULL) == 0);
	CHECK((e2e_port = httpd_bound_port(0)) > 0);
	/* Without hooks: always healthy, empty metrics. */
	CHECK(get_code("/health", 200) > 0);
	CHECK(get_code("/metrics", 200) == 0);
	/* No cache yet: "try again", not "gone". */
	CHECK(get_code("/x.ts", 503) >= 0);
	CHECK(httpd_start(c, NULL) == -1);	/* already running */
	httpd_stop();
	httpd_stop();
	close(s);
	free(c);
}

static void
test_setup(void)
{
	log_init("test_httpd_e2e", LOG_LEVEL_WARN);
	CHECK(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
}

static void
test_cleanup(void)
{
	curl_global_cleanup();
}

TEST_MAIN(TEST(test_setup), TEST(test_start_fail), TEST(test_e2e),
    TEST(test_cleanup))
