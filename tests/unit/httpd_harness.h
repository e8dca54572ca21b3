/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * httpd_harness.h: the fixture of test_httpd_e2e.c: a temporary cache with
 * a small playlist (served from RAM) and a 3 MB segment (served from its
 * file), the health and metrics hooks, and libcurl as the player.
 * Everything here is static.
 */
#ifndef NIPCACHE_HTTPD_HARNESS_H
#define NIPCACHE_HTTPD_HARNESS_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <nettle/md5.h>

#include "../../daemon/cache.h"
#include "../../daemon/cache_fs.h"
#include "../../daemon/conf.h"
#include "../../daemon/httpd.h"
#include "../../daemon/httpd_int.h"	/* loopback, table bound */
#include "../../daemon/log.h"
#include "../../daemon/mime.h"
#include "../../daemon/names.h"
#include "../../daemon/util.h"
#include "test.h"

#define BIG_SIZE	(3u << 20)

static _Atomic int e2e_ready;
/* Set before e2e_setup to be told of every publish (the hold table). */
static void (*e2e_on_publish)(const char *path);
/* The mtime objects are published with (Unix seconds). */
static int64_t e2e_mtime = 1700000000;
static char e2e_dir[64];
static int e2e_port;
static uint8_t *big_body;
static const char small_v1[] =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
    "#EXTINF:2.0,\nseg1.ts\n";
static const char small_v2[] =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
    "#EXTINF:2.0,\nseg1.ts\n#EXTINF:2.0,\nseg2.ts\n";

static int
e2e_health(char *buf, size_t len)
{
	int r = atomic_load(&e2e_ready);

	snprintf(buf, len, "{\"ready\":%s}", r ? "true" : "false");
	return r;
}

static size_t
e2e_metrics(char *buf, size_t len)
{
	struct httpd_stats st;
	size_t off = 0;
	int i, n;

	httpd_get_stats(&st);
	for (i = 0; i < HTTPD_NCODES; i++) {
		n = snprintf(buf + off, len - off,
		    "http_requests_total{code=\"%s\"} %llu\n",
		    httpd_code_label(i), (unsigned long long)st.by_code[i]);
		if (n < 0 || (size_t)n >= len - off)
			break;
		off += (size_t)n;
	}
	return off;
}

static const struct httpd_hooks e2e_hooks = {
	.health = e2e_health, .metrics = e2e_metrics
};

/*
 * Stage a file in the cache's own format and publish it; the type in the
 * file header and the one handed to cache_publish may differ.
 */
static int
e2e_publish_as(const char *path, const void *body, size_t len, uint64_t seq,
    const char *htype, const char *type, int in_ram, uint8_t md5[16])
{
	static uint8_t hdrbuf[CACHE_FS_BODY_OFF];
	struct cache_fs_hdr h;
	struct cache_obj o;
	char tmp[128];
	int fd, r;

	util_md5(body, len, md5);
	memset(&h, 0, sizeof(h));
	h.body_len = len;
	memcpy(h.md5, md5, 16);
	h.mtime = e2e_mtime;
	h.seq = seq;
	util_strlcpy(h.content_type, htype, sizeof(h.content_type));
	util_strlcpy(h.path, path, sizeof(h.path));
	if (cache_fs_hdr_encode(&h, hdrbuf, sizeof(hdrbuf)) < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s/tmp/pub%llu", e2e_dir,
	    (unsigned long long)seq);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return -1;
	r = cache_fs_pwrite_full(fd, hdrbuf, sizeof(hdrbuf), 0) == 0 &&
	    cache_fs_pwrite_full(fd, body, len, CACHE_FS_BODY_OFF) == 0;
	close(fd);
	if (!r)
		return -1;
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.tmp_file = tmp;
	o.size = len;
	o.body_off = CACHE_FS_BODY_OFF;
	o.content_type = type;
	o.md5 = md5;
	o.seq = seq;
	o.mtime = h.mtime;
	o.body = in_ram ? body : NULL;
	return cache_publish(&o);
}

static int
e2e_publish(const char *path, const void *body, size_t len, uint64_t seq,
    const char *type, int in_ram, uint8_t md5[16])
{
	return e2e_publish_as(path, body, len, seq, type, type, in_ram, md5);
}

struct resp {
	long	code;
	char	hdr[16384];
	size_t	hlen;
	uint8_t	*body;
	size_t	blen;
	size_t	bcap;
};

static size_t
resp_hdr(char *p, size_t sz, size_t n, void *arg)
{
	struct resp *r = arg;
	size_t len = sz * n;

	if (r->hlen + len < sizeof(r->hdr)) {
		memcpy(r->hdr + r->hlen, p, len);
		r->hlen += len;
		r->hdr[r->hlen] = '\0';
	}
	return len;
}

static size_t
resp_body(char *p, size_t sz, size_t n, void *arg)
{
	struct resp *r = arg;
	size_t len = sz * n;

	if (r->blen + len > r->bcap) {
		size_t cap = (r->blen + len) * 2;
		uint8_t *nb = realloc(r->body, cap);

		if (nb == NULL)
			return 0;
		r->body = nb;
		r->bcap = cap;
	}
	memcpy(r->body + r->blen, p, len);
	r->blen += len;
	return len;
}

static void
resp_free(struct resp *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* The value of header name in r (a static copy), or NULL. */
static const char *
resp_get(const struct resp *r, const char *name)
{
	static _Thread_local char val[512];
	const char *p = r->hdr;
	size_t nl = strlen(name);

	while ((p = strstr(p, "\n")) != NULL) {
		p++;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1, *e;

			while (*v == ' ')
				v++;
			e = v + strcspn(v, "\r\n");
			snprintf(val, sizeof(val), "%.*s", (int)(e - v), v);
			return val;
		}
	}
	return NULL;
}

static int
resp_has(const struct resp *r, const char *name, const char *value)
{
	const char *v = resp_get(r, name);

	return v != NULL && strcmp(v, value) == 0;
}

/*
 * One request to 127.0.0.1:port with the exact request target (curl sends
 * it as is, so "..", "%00" and the absolute form reach the server).
 */
static int
fetch_port(int port, const char *method, const char *target,
    const char *h1, const char *h2, struct resp *r)
{
	struct curl_slist *hl = NULL;
	char url[64];
	CURL *c;
	CURLcode cc;

	memset(r, 0, sizeof(*r));
	if ((c = curl_easy_init()) == NULL)
		return -1;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_REQUEST_TARGET, target);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, resp_hdr);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, resp_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (h1 != NULL)
		hl = curl_slist_append(hl, h1);
	if (h2 != NULL)
		hl = curl_slist_append(hl, h2);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->code);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK)
		fprintf(stderr, "curl %s %.60s: %s\n", method, target,
		    curl_easy_strerror(cc));
	return cc == CURLE_OK ? 0 : -1;
}

static int
fetch(const char *method, const char *target, const char *h1,
    const char *h2, struct resp *r)
{
	return fetch_port(e2e_port, method, target, h1, h2, r);
}

/*
 * GET target and expect code; returns the body length or -1.  The answer
 * has CORS, except a diagnostic one (/metrics, /status.json, /nip/, the
 * page; not /health) that a web page must not read.
 */
static long
get_code(const char *target, long code)
{
	struct resp r;
	long n = -1;
	int cors;

	cors = code != 200 || !httpd_guard_admin_path(target) ||
	    strcmp(target, "/health") == 0;
	if (fetch("GET", target, NULL, NULL, &r) == 0 && r.code == code &&
	    resp_has(&r, "Access-Control-Allow-Origin", "*") == cors)
		n = (long)r.blen;
	if (n < 0)
		fprintf(stderr, "GET %.60s: %ld, want %ld\n", target, r.code,
		    code);
	resp_free(&r);
	return n;
}

static int
e2e_setup(struct conf **cp)
{
	struct cache_params p;
	struct conf *c;
	char err[256];
	size_t i;

	snprintf(e2e_dir, sizeof(e2e_dir), "/tmp/test_httpd.XXXXXX");
	if (mkdtemp(e2e_dir) == NULL)
		return -1;
	memset(&p, 0, sizeof(p));
	p.dir = e2e_dir;
	p.max_bytes = 64ull << 20;
	p.mem_max = 64 << 10;
	p.mem_budget = 1 << 20;
	p.fsync_mode = CONF_FSYNC_NEVER;
	p.on_publish = e2e_on_publish;
	if (cache_init(&p, err, sizeof(err)) != 0) {
		fprintf(stderr, "cache_init: %s\n", err);
		return -1;
	}
	if ((big_body = malloc(BIG_SIZE)) == NULL)
		return -1;
	srandom(12345);
	for (i = 0; i < BIG_SIZE; i++)
		big_body[i] = (uint8_t)random();
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	conf_defaults(c);
	c->nlisten = 1;
	util_strlcpy(c->listen[0], "127.0.0.1:0", sizeof(c->listen[0]));
	c->http_threads = 2;
	*cp = c;
	return 0;
}

static void
e2e_teardown(struct conf *c)
{
	char cmd[128];

	httpd_stop();
	cache_shutdown();
	free(c);
	free(big_body);
	big_body = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e2e_dir);
	if (e2e_dir[0] != '\0' && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", e2e_dir);
}

#endif
