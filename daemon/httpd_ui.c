/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * httpd_ui.c: the status page at "/" and its files under "/ui/".  The
 * page (index.html, status.js, status.css) and hls.min.js, its player, are
 * plain files in one folder: [http] ui_dir, else NIPCACHE_UI_DIR (made by
 * the Makefile from PREFIX: $(PREFIX)/share/nipcache/ui, where make
 * install puts them).  Only the fixed list below is served, by name, so
 * no request can reach any other file; anything else under /ui/ is 404.
 *
 * Each request opens its file and answers from the descriptor (sendfile),
 * so nothing is held in memory, and a package upgrade shows at once.  The
 * ETag is made from the file's size, modification time and inode, as
 * nginx does; every file is "no-cache", so a browser revalidates it on
 * each load and gets a 304 while it is unchanged.
 *
 * Without index.html (a build that was not installed, a wrong ui_dir), "/"
 * answers a plain index of the endpoints that says what is missing; each
 * missing file is logged once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "httpd_int.h"
#include "log.h"
#include "mime.h"
#include "paths.h"
#include "util.h"

#define UI_CC		"no-cache"
#define UI_FALLBACK_MAX	4096
#define UI_DIR_MAX	1024

static const struct ui_file {
	const char	*path;		/* request path */
	const char	*name;		/* file in the folder */
	const char	*type;
} ui_files[] = {
	{ "/", "index.html", "text/html; charset=utf-8" },
	{ "/ui/status.js", "status.js", "text/javascript; charset=utf-8" },
	{ "/ui/status.css", "status.css", "text/css; charset=utf-8" },
	/* Last: the player (ui_warn_missing says so). */
	{ "/ui/hls.min.js", "hls.min.js", "text/javascript; charset=utf-8" },
};
#define UI_NFILES	(sizeof(ui_files) / sizeof(ui_files[0]))

/* Everything from the box itself; logos may be the list's URLs. */
static const char ui_csp[] =
    "default-src 'self'; img-src 'self' http: https: data:; "
    "media-src 'self' blob:; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

static const char *const ui_hdr_page[] = {
	"X-Content-Type-Options", "nosniff",
	"Content-Security-Policy", ui_csp,
	NULL
};

static struct {
	char		dir[UI_DIR_MAX];
	char		fallback[UI_FALLBACK_MAX];
	size_t		fallback_len;
} ui;

static _Atomic int ui_warned[UI_NFILES];

static const char ui_index_tail[] =
    "<ul>\n"
    "<li><a href=\"/health\">/health</a>: readiness (JSON)</li>\n"
    "<li><a href=\"/status.json\">/status.json</a>: reception per session,"
    " cache and repair (JSON)</li>\n"
    "<li><a href=\"/metrics\">/metrics</a>: Prometheus metrics</li>\n"
    "<li><a href=\"/services.json\">/services.json</a>: services</li>\n"
    "<li><a href=\"/dvbi/servicelist.xml\">/dvbi/servicelist.xml</a>: "
    "the DVB-I service list, pointing at this box; "
    "<a href=\"/dvbi/\">/dvbi/</a>: every list</li>\n"
    "<li>/nip/bootstrap.xml, /nip/gateway.xml, /nip/nif.xml, /nip/sif.xml, "
    "/nip/slep.xml: the DVB-NIP signalling as received</li>\n"
    "</ul>\n<p>Carousel objects are served at their own paths.</p>\n"
    "</body></html>\n";

/* s with &, <, > and " as entities into out (truncated). */
static void
ui_html_escape(const char *s, char *out, size_t len)
{
	size_t o = 0;
	const char *e;

	for (; *s != '\0' && o + 7 < len; s++) {
		e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ?
		    "&gt;" : *s == '"' ? "&quot;" : NULL;
		if (e == NULL) {
			out[o++] = *s;
			continue;
		}
		memcpy(out + o, e, strlen(e));
		o += strlen(e);
	}
	out[o] = '\0';
}

/* The page served when index.html cannot be opened. */
static void
ui_make_fallback(void)
{
	char esc[2 * UI_DIR_MAX];
	int n;

	ui_html_escape(ui.dir, esc, sizeof(esc));
	n = snprintf(ui.fallback, sizeof(ui.fallback),
	    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>nipcache</title></head><body>\n<h1>nipcache</h1>\n"
	    "<p>The status page is not installed: %s/index.html is missing "
	    "or unreadable. <code>make install</code> puts the page and "
	    "hls.min.js there; <code>[http] ui_dir</code> names another "
	    "folder.</p>\n%s", esc, ui_index_tail);
	ui.fallback_len = n < 0 ? 0 : (size_t)n < sizeof(ui.fallback) ?
	    (size_t)n : sizeof(ui.fallback) - 1;
}

/* Log, once per file and run, why it cannot be served. */
static void
ui_warn_missing(size_t i, const char *why)
{
	if (atomic_exchange(&ui_warned[i], 1))
		return;
	if (i == 0)
		log_warnx("httpd: status page: %s/%s: %s; / serves a plain "
		    "index ([http] ui_dir)", ui.dir, ui_files[i].name, why);
	else
		log_warnx("httpd: status page: %s/%s: %s%s", ui.dir,
		    ui_files[i].name, why, i == UI_NFILES - 1 ?
		    "; the page cannot play services" : "");
}

void
httpd_ui_start(const struct conf *c)
{
	char p[UI_DIR_MAX + 32];
	size_t i;

	util_strlcpy(ui.dir, c->http_ui_dir[0] != '\0' ? c->http_ui_dir :
	    NIPCACHE_UI_DIR, sizeof(ui.dir));
	ui_make_fallback();
	for (i = 0; i < UI_NFILES; i++) {
		atomic_store(&ui_warned[i], 0);
		snprintf(p, sizeof(p), "%s/%s", ui.dir, ui_files[i].name);
		if (access(p, R_OK) < 0)
			ui_warn_missing(i, strerror(errno));
	}
}

int
httpd_ui_is(const char *path)
{
	return strcmp(path, "/") == 0 || strcmp(path, "/ui") == 0 ||
	    strncmp(path, "/ui/", 4) == 0;
}

/* The file of the table at path, or -1. */
static int
ui_find(const char *path)
{
	size_t i;

	for (i = 0; i < UI_NFILES; i++)
		if (strcmp(path, ui_files[i].path) == 0)
			return (int)i;
	return -1;
}

/* Open file i: a regular file, or -1 (logged once). */
static int
ui_open(size_t i, struct stat *st)
{
	char p[UI_DIR_MAX + 32];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", ui.dir, ui_files[i].name);
	/* Non-blocking, so a FIFO in its place cannot hang the thread. */
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		ui_warn_missing(i, strerror(errno));
		return -1;
	}
	if (fstat(fd, st) == 0 && S_ISREG(st->st_mode) &&
	    fcntl(fd, F_SETFL, 0) == 0)
		return fd;
	close(fd);
	ui_warn_missing(i, "not a regular file");
	return -1;
}

static enum MHD_Result
ui_fallback(struct MHD_Connection *c, enum httpd_method m)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(ui.fallback_len, ui.fallback,
	    MHD_RESPMEM_PERSISTENT);
	r = httpd_keep(r, r != NULL &&
	    httpd_add1(r, "Content-Type", "text/html; charset=utf-8") &&
	    httpd_add1(r, "Cache-Control", "no-store"));
	return httpd_queue_once(c, 200, r, m == HTTPD_M_GET ?
	    ui.fallback_len : 0);
}

/* Headers of 200 and 304 alike; no CORS: the page reads same-origin. */
static int
ui_headers(struct MHD_Response *r, size_t i, const char *etag)
{
	return httpd_add1(r, "Cache-Control", UI_CC) &&
	    httpd_add1(r, "ETag", etag) &&
	    (i != 0 || httpd_add(r, ui_hdr_page));
}

static enum MHD_Result
ui_send(struct MHD_Connection *c, size_t i, int fd, const struct stat *st,
    enum httpd_method m)
{
	struct MHD_Response *r;
	const char *inm;
	char etag[80];

	snprintf(etag, sizeof(etag), "\"%llx-%llx-%llx\"",
	    (unsigned long long)st->st_size,
	    (unsigned long long)st->st_mtim.tv_sec * 1000000000ULL +
	    (unsigned long long)st->st_mtim.tv_nsec,
	    (unsigned long long)st->st_ino);
	inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
	if (inm != NULL && httpu_etag_match(inm, etag)) {
		close(fd);
		r = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
		r = httpd_keep(r, r != NULL && ui_headers(r, i, etag));
		return httpd_queue_once(c, 304, r, 0);
	}
	r = MHD_create_response_from_fd64((uint64_t)st->st_size, fd);
	if (r == NULL) {
		close(fd);
		return httpd_queue_fixed(c, HTTPD_F_UNAVAIL, m);
	}
	r = httpd_keep(r, ui_headers(r, i, etag) &&
	    httpd_add1(r, "Content-Type", ui_files[i].type));
	return httpd_queue_once(c, 200, r, m == HTTPD_M_GET ?
	    (uint64_t)st->st_size : 0);
}

enum MHD_Result
httpd_ui(struct MHD_Connection *c, const char *path, enum httpd_method m)
{
	struct stat st;
	int i, fd;

	if ((i = ui_find(path)) < 0)
		return httpd_queue_fixed(c, HTTPD_F_NOTFOUND, m);
	if ((fd = ui_open((size_t)i, &st)) < 0)
		return i == 0 ? ui_fallback(c, m) :
		    httpd_queue_fixed(c, HTTPD_F_NOTFOUND, m);
	return ui_send(c, (size_t)i, fd, &st, m);
}
