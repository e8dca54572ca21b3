/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_httpd_ui.c: the status page's files (daemon/httpd_ui.c) through the
 * real server and libcurl: the fixed list with its MIME types, bodies,
 * ETags (304, and a new one when a file changes), no-cache, the page's
 * security headers, HEAD; names outside the list (404) and traversals
 * (400); a directory or a FIFO in a file's place; and a missing folder or
 * hls.min.js: the plain index (with the folder's name escaped) and one log
 * line per missing file, however many requests.
 */
#include <sys/types.h>

#include "httpd_harness.h"

static char ui_dir[64];
static const char page_html[] = "<!DOCTYPE html><title>t</title>\n";
static const char page_js[] = "\"use strict\"; window.x = 1;\n";
static const char page_css[] = "body { color: red; }\n";
static char *hls_js;
static size_t hls_len;

static const struct {
	const char	*path;
	const char	*name;
	const char	*type;
} ui_cases[] = {
	{ "/", "index.html", "text/html; charset=utf-8" },
	{ "/ui/status.js", "status.js", "text/javascript; charset=utf-8" },
	{ "/ui/status.css", "status.css", "text/css; charset=utf-8" },
	{ "/ui/hls.min.js", "hls.min.js", "text/javascript; charset=utf-8" },
};

static int
put(const char *dir, const char *name, const void *body, size_t len)
{
	char p[256];
	FILE *f;
	int ok;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if ((f = fopen(p, "wb")) == NULL)
		return -1;
	ok = fwrite(body, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void
ui_path(const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", ui_dir, name);
}

/* The body file i should have. */
static void
ui_body(size_t i, const void **b, size_t *n)
{
	static const char *const small[] = { page_html, page_js, page_css };

	if (i < 3) {
		*b = small[i];
		*n = strlen(small[i]);
	} else {
		*b = hls_js;
		*n = hls_len;
	}
}

static void
ui_remove(void)
{
	char cmd[128];

	free(hls_js);
	hls_js = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", ui_dir);
	if (ui_dir[0] != '\0' && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", ui_dir);
	ui_dir[0] = '\0';
}

/* A fresh folder with the four files (the previous one removed). */
static int
make_ui(void)
{
	size_t i;
	const void *b;
	size_t n;

	ui_remove();
	snprintf(ui_dir, sizeof(ui_dir), "/tmp/test_httpd_ui.XXXXXX");
	if (mkdtemp(ui_dir) == NULL)
		return -1;
	/* A big script, sent with sendfile like the real hls.min.js. */
	hls_len = 300000;
	if ((hls_js = malloc(hls_len)) == NULL)
		return -1;
	for (i = 0; i < hls_len; i++)
		hls_js[i] = (char)('a' + i % 26);
	memcpy(hls_js, "/*", 2);
	memcpy(hls_js + hls_len - 3, "*/\n", 3);
	for (i = 0; i < 4; i++) {
		ui_body(i, &b, &n);
		if (put(ui_dir, ui_cases[i].name, b, n) < 0)
			return -1;
	}
	return 0;
}

/* Each file: type, body, validators; 304 by ETag; HEAD. */
static void
ui_files_ok(void)
{
	char inm[160];
	struct resp r;
	const void *b;
	size_t i, n;

	for (i = 0; i < 4; i++) {
		ui_body(i, &b, &n);
		REQUIRE(fetch("GET", ui_cases[i].path, NULL, NULL, &r) == 0);
		CHECK(r.code == 200);
		CHECK(resp_has(&r, "Content-Type", ui_cases[i].type));
		CHECK(resp_has(&r, "Cache-Control", "no-cache"));
		/* Read same-origin: no CORS for other pages to use. */
		CHECK(resp_get(&r, "Access-Control-Allow-Origin") == NULL);
		CHECK(r.blen == n && memcmp(r.body, b, n) == 0);
		/* The page's own headers, on the page only. */
		CHECK((resp_get(&r, "Content-Security-Policy") != NULL) ==
		    (i == 0));
		CHECK((resp_get(&r, "X-Content-Type-Options") != NULL) ==
		    (i == 0));
		REQUIRE(resp_get(&r, "ETag") != NULL);
		REQUIRE(resp_get(&r, "ETag")[0] == '"');
		snprintf(inm, sizeof(inm), "If-None-Match: \"other\", %s",
		    resp_get(&r, "ETag"));
		resp_free(&r);
		REQUIRE(fetch("GET", ui_cases[i].path, inm, NULL, &r) == 0);
		CHECK(r.code == 304 && r.blen == 0);
		CHECK(resp_get(&r, "ETag") != NULL);
		resp_free(&r);
		REQUIRE(fetch("GET", ui_cases[i].path, "If-None-Match: \"x\"",
		    NULL, &r) == 0);
		CHECK(r.code == 200 && r.blen == n);
		resp_free(&r);
		REQUIRE(fetch("HEAD", ui_cases[i].path, NULL, NULL, &r) == 0);
		CHECK(r.code == 200 && r.blen == 0);
		snprintf(inm, sizeof(inm), "%zu", n);
		CHECK(resp_has(&r, "Content-Length", inm));
		resp_free(&r);
	}
}

/* Only the list is served: other names 404, traversals 400. */
static void
ui_refused(void)
{
	static const char *const notfound[] = {
		"/ui", "/ui/", "/ui/index.html", "/ui/STATUS.JS",
		"/ui/status.js.bak", "/ui/a/status.js", "/ui/hls.min.js/",
		"/ui/.", "/ui/c.conf",
	};
	static const char *const bad[] = {
		"/ui/../etc/passwd", "/ui/%2e%2e/status.js", "/ui/%2fstatus.js",
		"/ui/status.js%00", "/ui/%2e%2e%2fc.conf",
	};
	/* Spellings of a listed name (httpu_check_target normalises them). */
	static const char *const same[] = { "/ui/./status.js", "/ui//status.js",
	    "/ui/%73tatus.js" };
	size_t i;

	for (i = 0; i < sizeof(notfound) / sizeof(notfound[0]); i++)
		CHECK(get_code(notfound[i], 404) >= 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long n = get_code(bad[i], 400);

		if (n < 0)
			fprintf(stderr, "  (%s)\n", bad[i]);
		CHECK(n >= 0);
	}
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		CHECK(get_code(same[i], 200) == (long)strlen(page_js));
}

/* A changed file gets a new ETag; the old one no longer matches. */
static void
ui_change(void)
{
	static const char css2[] = "body { color: blue; margin: 0; }\n";
	char inm[160];
	struct resp r;

	REQUIRE(fetch("GET", "/ui/status.css", NULL, NULL, &r) == 0);
	REQUIRE(resp_get(&r, "ETag") != NULL);
	snprintf(inm, sizeof(inm), "If-None-Match: %s", resp_get(&r, "ETag"));
	resp_free(&r);
	REQUIRE(put(ui_dir, "status.css", css2, strlen(css2)) == 0);
	REQUIRE(fetch("GET", "/ui/status.css", inm, NULL, &r) == 0);
	CHECK(r.code == 200);
	CHECK(r.blen == strlen(css2) && memcmp(r.body, css2, r.blen) == 0);
	resp_free(&r);
}

/* Not a regular file: a folder, a FIFO (which must not hang the thread). */
static void
ui_not_regular(void)
{
	char p[256];
	uint64_t t0;

	ui_path("status.css", p, sizeof(p));
	REQUIRE(unlink(p) == 0 && mkdir(p, 0755) == 0);
	CHECK(get_code("/ui/status.css", 404) >= 0);
	ui_path("hls.min.js", p, sizeof(p));
	REQUIRE(unlink(p) == 0 && mkfifo(p, 0644) == 0);
	t0 = util_now_ms();
	CHECK(get_code("/ui/hls.min.js", 404) >= 0);
	CHECK(util_now_ms() - t0 < 3000);
	CHECK(get_code("/", 200) > 0);
}

static void
test_files(void)
{
	struct conf *c = NULL;
	uint8_t md5[16];

	REQUIRE(e2e_setup(&c) == 0);
	REQUIRE(make_ui() == 0);
	REQUIRE(e2e_publish("/x/one.m3u8", small_v1, sizeof(small_v1) - 1, 1,
	    "application/vnd.apple.mpegurl", 1, md5) == 0);
	util_strlcpy(c->http_ui_dir, ui_dir, sizeof(c->http_ui_dir));
	REQUIRE(httpd_start(c, &e2e_hooks) == 0);
	REQUIRE((e2e_port = httpd_bound_port(0)) > 0);
	ui_files_ok();
	ui_refused();
	ui_change();
	ui_not_regular();
	/* Cache objects are served as before; a carousel /ui/x is hidden. */
	CHECK(get_code("/x/one.m3u8", 200) == (long)sizeof(small_v1) - 1);
	CHECK(names_is_reserved("/ui/x.js"));
	CHECK(names_is_reserved("/status.json"));
	httpd_stop();
	e2e_teardown(c);
}

/* Lines of the captured log that contain s. */
static int
log_lines(const char *file, const char *s)
{
	char line[1024];
	FILE *f = fopen(file, "r");
	int n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, s) != NULL &&
		    strstr(line, "status page") != NULL;
	fclose(f);
	return n;
}

/* Run httpd on dir with stderr in logfile; three requests per path. */
static void
ui_run_missing(struct conf *c, const char *dir, const char *logfile)
{
	struct resp r;
	int saved, fd, i;

	util_strlcpy(c->http_ui_dir, dir, sizeof(c->http_ui_dir));
	fflush(stderr);
	saved = dup(2);
	fd = open(logfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	REQUIRE(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	if (httpd_start(c, &e2e_hooks) == 0) {
		e2e_port = httpd_bound_port(0);
		for (i = 0; i < 3; i++) {
			if (fetch("GET", "/", NULL, NULL, &r) == 0)
				resp_free(&r);
			if (fetch("GET", "/ui/hls.min.js", NULL, NULL, &r) == 0)
				resp_free(&r);
		}
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}

/* No folder: the plain index, the name escaped; each file logged once. */
static void
test_missing(void)
{
	static const char dir[] = "/nonexistent/a<b&c>\"d";
	char logfile[] = "/tmp/test_httpd_ui.log.XXXXXX";
	struct conf *c = NULL;
	struct resp r;
	char *body, p[256];
	int fd;

	REQUIRE((fd = mkstemp(logfile)) >= 0);
	close(fd);
	REQUIRE(e2e_setup(&c) == 0);
	ui_run_missing(c, dir, logfile);
	REQUIRE(fetch("GET", "/", NULL, NULL, &r) == 0);
	CHECK(r.code == 200);
	CHECK(resp_has(&r, "Content-Type", "text/html; charset=utf-8"));
	CHECK(resp_has(&r, "Cache-Control", "no-store"));
	REQUIRE((body = calloc(1, r.blen + 1)) != NULL);
	memcpy(body, r.body, r.blen);
	CHECK(strstr(body, "not installed") != NULL);
	CHECK(strstr(body, "/nonexistent/a&lt;b&amp;c&gt;&quot;d/index.html")
	    != NULL);
	CHECK(strstr(body, "a<b") == NULL);
	CHECK(strstr(body, "href=\"/status.json\"") != NULL);
	free(body);
	resp_free(&r);
	CHECK(get_code("/ui/status.js", 404) >= 0);
	httpd_stop();
	CHECK_EQ_U(log_lines(logfile, "/index.html:"), 1);
	CHECK_EQ_U(log_lines(logfile, "/status.js:"), 1);
	CHECK_EQ_U(log_lines(logfile, "/hls.min.js:"), 1);
	CHECK_EQ_U(log_lines(logfile, "cannot play"), 1);
	/* Only hls.min.js missing: the page itself is served. */
	REQUIRE(make_ui() == 0);
	ui_path("hls.min.js", p, sizeof(p));
	REQUIRE(unlink(p) == 0);
	ui_run_missing(c, ui_dir, logfile);
	CHECK(get_code("/", 200) == (long)strlen(page_html));
	CHECK(get_code("/ui/hls.min.js", 404) >= 0);
	httpd_stop();
	CHECK_EQ_U(log_lines(logfile, "/hls.min.js:"), 1);
	CHECK_EQ_U(log_lines(logfile, "/index.html:"), 0);
	unlink(logfile);
	e2e_teardown(c);
}

static void
test_setup(void)
{
	log_init("test_httpd_ui", LOG_LEVEL_WARN);
	CHECK(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
}

static void
test_cleanup(void)
{
	curl_global_cleanup();
	ui_remove();
}

TEST_MAIN(TEST(test_setup), TEST(test_files), TEST(test_missing),
    TEST(test_cleanup))
