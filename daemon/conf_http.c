/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conf_http.c: the [http] section of nipcached.conf: where the server
 * listens, its limits, who may see the diagnostic pages, and how players
 * are served.
 *
 *   listen = ADDR:PORT | [IPv6]:PORT | IFNAME:PORT ...   (repeatable)
 *   threads, max_connections, max_connections_per_client, timeout,
 *   header_timeout, max_request_rate, hold_timeout, max_held,
 *   max_held_per_client, admin_allow, limit_exempt, memory_object_max,
 *   gap_tag, ui_dir
 *
 * An interface name is only checked for its form here; httpd binds it
 * (SO_BINDTODEVICE) when it starts, so a configuration can be checked on
 * a machine that lacks the interface.
 */
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_int.h"
#include "mime.h"
#include "util.h"

/* Loopback and the private, unique-local and link-local networks. */
#define HTTP_ADMIN_DEFAULT	"127.0.0.0/8 ::1 10.0.0.0/8 172.16.0.0/12 " \
	"192.168.0.0/16 169.254.0.0/16 fc00::/7 fe80::/10"
#define HTTP_EXEMPT_DEFAULT	"127.0.0.0/8 ::1"
#define HTTP_IFNAME_MAX		15	/* IFNAMSIZ - 1 */

typedef int (*http_parse_fn)(struct conf *c, struct conf_http_st *st,
    const char *v, char *why, size_t n);

/*
 * "A.B.C.D:PORT", "[IPv6]:PORT" or "IFNAME:PORT", by the parsers httpd
 * binds with, so that what -n accepts is what the daemon can listen on.
 */
static int
listen_ok(const char *v)
{
	struct sockaddr_storage ss;
	char ifname[HTTP_IFNAME_MAX + 1];
	socklen_t sl;
	uint16_t port;

	return httpu_parse_listen(v, &ss, &sl) == 0 ||
	    httpu_parse_listen_if(v, ifname, sizeof(ifname), &port) == 0;
}

/* One line: blank-separated addresses; the first line drops the default. */
static int
http_listen(struct conf *c, struct conf_http_st *st, const char *v,
    char *why, size_t n)
{
	char one[sizeof(c->listen[0])];
	size_t l;

	if (!st->listen_given) {
		c->nlisten = 0;
		st->listen_given = 1;
	}
	for (; *v != '\0'; v += l) {
		v += strspn(v, " \t");
		if ((l = strcspn(v, " \t")) == 0)
			break;
		if (c->nlisten >= CONF_MAX_LISTEN) {
			snprintf(why, n, "more than %d listen addresses",
			    CONF_MAX_LISTEN);
			return -1;
		}
		if (l >= sizeof(one))
			goto bad;
		memcpy(one, v, l);
		one[l] = '\0';
		if (!listen_ok(one))
			goto bad;
		util_strlcpy(c->listen[c->nlisten++], one,
		    sizeof(c->listen[0]));
	}
	return 0;
bad:
	snprintf(why, n, "expected ADDR:PORT, [IPv6]:PORT or INTERFACE:PORT "
	    "(br-lan:8080), separated by blanks");
	return -1;
}

static int
http_threads(struct conf *c, struct conf_http_st *st, const char *v,
    char *why, size_t n)
{
	(void)st;
	return conf_parse_u32(&c->http_threads, v, 1, 64, why, n);
}

static int
http_max_conns(struct conf *c, struct conf_http_st *st, const char *v,
    char *why, size_t n)
{
	(void)st;
	return conf_parse_u32(&c->http_max_conns, v, 1, 100000, why, n);
}

static int
http_per_client(struct conf *c, struct conf_http_st *st, const char *v,
    char *why, size_t n)
{
	(void)st;
	return conf_parse_u32(&c->http_per_client, v, 0, 100000, why, n);
}

static int
http_timeout(struct conf *c, struct conf_http_st *st, const char *v,
    char *why, size_t n)
{
	uint64_t ms;

	(void)st;
	if (conf_parse_ms(&ms, v, 1000, 3600000, why, n) < 0)
		return -1;
	c->http_timeout_s = (uint32_t)(ms / 1000);
	return 0;
}

static int
http_header_timeout(struct conf *c, struct conf_http_st *st, const char *v,
    char *why, size_t n)
{
	uint64_t ms;

	(void)st;
	if (conf_parse_ms(&ms, v, 1000, 3600000, why, n) < 0)
		return -1;
	c->http_header_ms = (uint32_t)ms;
	return 0;
}

static int
http_rate(struct conf *c, struct conf_http_st *st, const char *v, char *why,
    size_t n)
{
	(void)st;
	return conf_parse_u32(&c->http_rate, v, 0, 1000000, why, n);
}

static int
http_mem_max(struct conf *c, struct conf_http_st *st, const char *v,
    char *why, size_t n)
{
	uint64_t x;

	(void)st;
	if (conf_parse_size(&x, v, 0, 16 << 20, why, n) < 0)
		return -1;
	c->http_mem_max = (uint32_t)x;
	return 0;
}

static int
http_hold(struct conf *c, struct conf_http_st *st, const char *v, char *why,
    size_t n)
{
	uint64_t ms;

	(void)st;
	if (conf_parse_ms(&ms, v, 0, 60000, why, n) < 0)
		return -1;
	c->http_hold_ms = (uint32_t)ms;
	return 0;
}

static int
http_max_held(struct conf *c, struct conf_http_st *st, const char *v,
    char *why, size_t n)
{
	(void)st;
	return conf_parse_u32(&c->http_max_held, v, 1, 100000, why, n);
}

static int
http_held_per_client(struct conf *c, struct conf_http_st *st, const char *v,
    char *why, size_t n)
{
	(void)st;
	return conf_parse_u32(&c->http_held_per_client, v, 0, 100000, why, n);
}

static int
http_admin_allow(struct conf *c, struct conf_http_st *st, const char *v,
    char *why, size_t n)
{
	(void)st;
	return netacl_parse(v, &c->http_admin_allow, why, n);
}

static int
http_limit_exempt(struct conf *c, struct conf_http_st *st, const char *v,
    char *why, size_t n)
{
	(void)st;
	return netacl_parse(v, &c->http_limit_exempt, why, n);
}

static int
http_gap_tag(struct conf *c, struct conf_http_st *st, const char *v,
    char *why, size_t n)
{
	(void)st;
	return conf_parse_bool(&c->http_gap_tag, v, why, n);
}

static int
http_ui_dir(struct conf *c, struct conf_http_st *st, const char *v,
    char *why, size_t n)
{
	(void)st;
	if (v[0] != '/') {
		snprintf(why, n, "expected an absolute path");
		return -1;
	}
	return conf_parse_str(c->http_ui_dir, sizeof(c->http_ui_dir), v, why,
	    n);
}

/* The keys of [http]. */
static const struct conf_http_key {
	const char	*name;
	http_parse_fn	fn;
} conf_http_keys[] = {
	{ "listen", http_listen },
	{ "threads", http_threads },
	{ "max_connections", http_max_conns },
	{ "max_connections_per_client", http_per_client },
	{ "timeout", http_timeout },
	{ "header_timeout", http_header_timeout },
	{ "max_request_rate", http_rate },
	{ "memory_object_max", http_mem_max },
	{ "hold_timeout", http_hold },
	{ "max_held", http_max_held },
	{ "max_held_per_client", http_held_per_client },
	{ "admin_allow", http_admin_allow },
	{ "limit_exempt", http_limit_exempt },
	{ "gap_tag", http_gap_tag },
	{ "ui_dir", http_ui_dir },
};

int
conf_http_key(struct conf *c, struct conf_http_st *st, const char *name,
    const char *value, char *why, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(conf_http_keys) / sizeof(conf_http_keys[0]);
	    i++) {
		if (strcasecmp(name, conf_http_keys[i].name) == 0)
			return conf_http_keys[i].fn(c, st, value, why, n);
	}
	return 1;
}

void
conf_http_defaults(struct conf *c)
{
	char why[160];

	c->nlisten = 1;
	util_strlcpy(c->listen[0], "127.0.0.1:8080", sizeof(c->listen[0]));
	c->http_threads = 2;
	c->http_max_conns = 1000;
	c->http_per_client = 64;
	c->http_timeout_s = 30;
	c->http_header_ms = 10000;
	c->http_rate = 100;
	c->http_mem_max = 64 << 10;
	c->http_hold_ms = 6000;
	c->http_max_held = 512;
	c->http_held_per_client = 32;
	c->http_gap_tag = 1;
	/* Constant lists: they parse. */
	(void)netacl_parse(HTTP_ADMIN_DEFAULT, &c->http_admin_allow, why,
	    sizeof(why));
	(void)netacl_parse(HTTP_EXEMPT_DEFAULT, &c->http_limit_exempt, why,
	    sizeof(why));
}
