/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conf.c: nipcached.conf (INI, libinih) -> struct conf.  One flat table of
 * keys, each a one-line call to a small parse_* function (chrony's
 * CNF_ParseLine shape).  Errors read "file:line: [section] key: reason".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "conf_int.h"
#include "log.h"
#include "util.h"

/* libinih as Debian builds it reads lines of at most INI_MAX_LINE - 1 bytes. */
#define CONF_LINE_MAX	199

struct conf_ctx {
	struct conf	*c;
	struct conf_http_st http;	/* [http] state across lines */
	char		key[96];	/* first failing key */
	char		why[160];	/* and why */
	int		failed;
};

typedef int (*conf_parse_fn)(struct conf *c, const char *v, char *why, size_t n);

static int
parse_level(struct conf *c, const char *v, char *why, size_t n)
{
	if (strcasecmp(v, "warn") == 0 || strcasecmp(v, "warning") == 0)
		c->log_level = LOG_LEVEL_WARN;
	else if (strcasecmp(v, "info") == 0)
		c->log_level = LOG_LEVEL_INFO;
	else if (strcasecmp(v, "debug") == 0)
		c->log_level = LOG_LEVEL_DEBUG;
	else {
		snprintf(why, n, "expected warn, info or debug");
		return -1;
	}
	return 0;
}

int
conf_parse_str(char *dst, size_t dstlen, const char *v, char *why, size_t n)
{
	if (*v == '\0' || strlen(v) >= dstlen) {
		snprintf(why, n, "empty or longer than %zu bytes", dstlen - 1);
		return -1;
	}
	util_strlcpy(dst, v, dstlen);
	return 0;
}

static int
parse_interface(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_str(c->interface, sizeof(c->interface), v, why, n);
}

static int
parse_udp(struct conf *c, const char *v, char *why, size_t n)
{
	if (c->nsrcs >= CONF_MAX_SRCS) {
		snprintf(why, n, "more than %d channels", CONF_MAX_SRCS);
		return -1;
	}
	if (rx_parse_src(v, &c->srcs[c->nsrcs]) < 0) {
		snprintf(why, n, "expected GROUP:PORT[/TSI][@SOURCE] with a "
		    "multicast group, IPv6 in brackets");
		return -1;
	}
	c->nsrcs++;
	return 0;
}

/* A size in bytes (K, M, G, T binary) within [lo, hi]. */
int
conf_parse_size(uint64_t *dst, const char *v, uint64_t lo, uint64_t hi,
    char *why, size_t n)
{
	uint64_t x;

	if (util_parse_size(v, &x) < 0 || x < lo || x > hi) {
		snprintf(why, n, "expected a size from %llu to %llu bytes "
		    "(suffixes K, M, G, T)", (unsigned long long)lo,
		    (unsigned long long)hi);
		return -1;
	}
	*dst = x;
	return 0;
}

int
conf_parse_ms(uint64_t *dst, const char *v, uint64_t lo, uint64_t hi,
    char *why, size_t n)
{
	uint64_t x;

	if (util_parse_duration_ms(v, &x) < 0 || x < lo || x > hi) {
		snprintf(why, n, "expected a duration from %llums to %llums "
		    "(250ms, 6s, 2m)", (unsigned long long)lo,
		    (unsigned long long)hi);
		return -1;
	}
	*dst = x;
	return 0;
}

int
conf_parse_u32(uint32_t *dst, const char *v, uint32_t lo, uint32_t hi,
    char *why, size_t n)
{
	uint64_t x;

	if (util_parse_size(v, &x) < 0 || x < lo || x > hi) {
		snprintf(why, n, "expected a number from %u to %u", lo, hi);
		return -1;
	}
	*dst = (uint32_t)x;
	return 0;
}

static int
parse_rcvbuf(struct conf *c, const char *v, char *why, size_t n)
{
	uint64_t x;

	if (conf_parse_size(&x, v, 64 << 10, 1ULL << 30, why, n) < 0)
		return -1;
	c->rcvbuf = (uint32_t)x;
	return 0;
}

static int
parse_obj_timeout(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_ms(&c->reasm.object_timeout_ms, v, 100, 86400000,
	    why, n);
}

static int
parse_session_timeout(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_ms(&c->reasm.session_timeout_ms, v, 1000, 86400000,
	    why, n);
}

static int
parse_prefdt_time(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_ms(&c->reasm.prefdt_ms, v, 0, 600000, why, n);
}

static int
parse_prefdt_bytes(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_size(&c->reasm.prefdt_max_bytes, v, 0, 1ULL << 30,
	    why, n);
}

static int
parse_max_object(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_size(&c->reasm.max_object_bytes, v, 1, 1ULL << 40,
	    why, n);
}

static int
parse_fec_object(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_size(&c->reasm.fec_max_object_bytes, v, 0, 1ULL << 32,
	    why, n);
}

static int
parse_fec_total(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_size(&c->reasm.fec_max_total_bytes, v, 0, 1ULL << 36,
	    why, n);
}

static int
parse_inflight(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_size(&c->reasm.max_inflight_bytes, v, 1, 1ULL << 42,
	    why, n);
}

static int
parse_objs_per_session(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_u32(&c->reasm.max_objects_per_session, v, 1, 1000000,
	    why, n);
}

static int
parse_max_objects(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_u32(&c->reasm.max_objects, v, 1, 1000000, why, n);
}

static int
parse_max_sessions(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_u32(&c->reasm.max_sessions, v, 1, 100000, why, n);
}

static int
parse_dir(struct conf *c, const char *v, char *why, size_t n)
{
	if (v[0] != '/') {
		snprintf(why, n, "expected an absolute path");
		return -1;
	}
	return conf_parse_str(c->cache_dir, sizeof(c->cache_dir), v, why, n);
}

static int
parse_max_bytes(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_size(&c->max_bytes, v, 1 << 20, 1ULL << 50, why, n);
}

static int
parse_min_free(struct conf *c, const char *v, char *why, size_t n)
{
	size_t len = strlen(v);
	uint64_t pct;
	char num[32];

	if (len > 1 && len < sizeof(num) && v[len - 1] == '%') {
		memcpy(num, v, len - 1);
		num[len - 1] = '\0';
		if (util_parse_size(num, &pct) < 0 || pct > 90) {
			snprintf(why, n, "expected a percentage from 0%% to 90%%");
			return -1;
		}
		c->min_free_pct = (uint32_t)pct;
		c->min_free_bytes = 0;
		return 0;
	}
	c->min_free_pct = 0;
	return conf_parse_size(&c->min_free_bytes, v, 0, 1ULL << 50, why, n);
}

static int
parse_fsync(struct conf *c, const char *v, char *why, size_t n)
{
	if (strcasecmp(v, "always") == 0)
		c->fsync = CONF_FSYNC_ALWAYS;
	else if (strcasecmp(v, "commit") == 0)
		c->fsync = CONF_FSYNC_COMMIT;
	else if (strcasecmp(v, "never") == 0)
		c->fsync = CONF_FSYNC_NEVER;
	else {
		snprintf(why, n, "expected always, commit or never");
		return -1;
	}
	return 0;
}

static int
parse_decoded_max(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_size(&c->max_decoded_bytes, v, 1024, 1ULL << 40,
	    why, n);
}

int
conf_parse_bool(int *dst, const char *v, char *why, size_t n)
{
	int b = util_parse_bool(v);

	if (b < 0) {
		snprintf(why, n, "expected yes or no");
		return -1;
	}
	*dst = b;
	return 0;
}

static int
parse_require_mount(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_bool(&c->require_mount, v, why, n);
}

static int
parse_announcement(struct conf *c, const char *v, char *why, size_t n)
{
	int b = util_parse_bool(v);

	if (b < 0) {
		snprintf(why, n, "expected on or off");
		return -1;
	}
	c->nip_announcement = b;
	return 0;
}

static int
parse_join(struct conf *c, const char *v, char *why, size_t n)
{
	if (strcasecmp(v, "all") == 0)
		c->nip_join = CONF_JOIN_ALL;
	else if (strcasecmp(v, "on-demand") == 0)
		c->nip_join = CONF_JOIN_ON_DEMAND;
	else if (strcasecmp(v, "list") == 0)
		c->nip_join = CONF_JOIN_LIST;
	else {
		snprintf(why, n, "expected all, on-demand or list");
		return -1;
	}
	return 0;
}

/* services = ID ID ...; repeatable, each line adds. */
static int
parse_nip_services(struct conf *c, const char *v, char *why, size_t n)
{
	const char *p = v;
	size_t l;

	while (*p != '\0') {
		p += strspn(p, " \t");
		if ((l = strcspn(p, " \t")) == 0)
			break;
		if (c->nip_nservices >= CONF_MAX_NIP_SERVICES ||
		    l >= sizeof(c->nip_services[0])) {
			snprintf(why, n, "at most %d identifiers of up to %zu "
			    "bytes", CONF_MAX_NIP_SERVICES,
			    sizeof(c->nip_services[0]) - 1);
			return -1;
		}
		memcpy(c->nip_services[c->nip_nservices], p, l);
		c->nip_services[c->nip_nservices++][l] = '\0';
		p += l;
	}
	return 0;
}

static int
parse_idle_leave(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_ms(&c->nip_idle_leave_ms, v, 1000, 86400000, why, n);
}

static int
parse_region(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_str(c->nip_region, sizeof(c->nip_region), v, why, n);
}

static int
parse_abs_path(char *dst, size_t len, const char *v, char *why, size_t n)
{
	if (v[0] != '/') {
		snprintf(why, n, "expected an absolute path");
		return -1;
	}
	return conf_parse_str(dst, len, v, why, n);
}

static int
parse_gateway_config(struct conf *c, const char *v, char *why, size_t n)
{
	return parse_abs_path(c->nip_gateway_config,
	    sizeof(c->nip_gateway_config), v, why, n);
}

static int
parse_nif(struct conf *c, const char *v, char *why, size_t n)
{
	return parse_abs_path(c->nip_nif, sizeof(c->nip_nif), v, why, n);
}

static int
parse_repair_enabled(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_bool(&c->repair_enabled, v, why, n);
}

/* An http:// or https:// URL with a host, no blanks; into dst. */
static int
parse_http_url(char *dst, size_t len, const char *v, size_t vlen, char *why,
    size_t n)
{
	size_t skip = strncasecmp(v, "http://", 7) == 0 ? 7 :
	    strncasecmp(v, "https://", 8) == 0 ? 8 : 0;

	if (skip == 0 || vlen <= skip || v[skip] == '/' || vlen >= len ||
	    memchr(v, ' ', vlen) != NULL || memchr(v, '\t', vlen) != NULL) {
		snprintf(why, n, "expected an http:// or https:// URL with a "
		    "host, shorter than %zu bytes", len);
		return -1;
	}
	memcpy(dst, v, vlen);
	dst[vlen] = '\0';
	return 0;
}

/* base_url = URL [WEIGHT]; repeatable. */
static int
parse_repair_base(struct conf *c, const char *v, char *why, size_t n)
{
	size_t l = strcspn(v, " \t"), i = c->repair_nbase;
	const char *w = v + l + strspn(v + l, " \t");
	uint32_t weight = 1;

	if (i >= CONF_MAX_REPAIR_BASE) {
		snprintf(why, n, "at most %d base URLs", CONF_MAX_REPAIR_BASE);
		return -1;
	}
	if (parse_http_url(c->repair_base[i], sizeof(c->repair_base[i]), v, l,
	    why, n) < 0)
		return -1;
	if (*w != '\0' && conf_parse_u32(&weight, w, 0, 1000000, why, n) < 0)
		return -1;
	c->repair_base_weight[i] = weight;
	c->repair_nbase++;
	return 0;
}

static int
parse_repair_origin(struct conf *c, const char *v, char *why, size_t n)
{
	return parse_http_url(c->repair_origin, sizeof(c->repair_origin), v,
	    strlen(v), why, n);
}

static int
parse_reception_timeout(struct conf *c, const char *v, char *why, size_t n)
{
	if (conf_parse_ms(&c->repair_reception_timeout_ms, v, 0, 600000, why,
	    n) < 0)
		return -1;
	c->reasm.reception_timeout_ms = c->repair_reception_timeout_ms;
	return 0;
}

static int
parse_backoff(uint32_t *dst, const char *v, char *why, size_t n)
{
	uint64_t ms;

	if (conf_parse_ms(&ms, v, 0, 600000, why, n) < 0)
		return -1;
	*dst = (uint32_t)ms;
	return 0;
}

static int
parse_fixed_backoff(struct conf *c, const char *v, char *why, size_t n)
{
	return parse_backoff(&c->repair_fixed_backoff_ms, v, why, n);
}

static int
parse_random_backoff(struct conf *c, const char *v, char *why, size_t n)
{
	return parse_backoff(&c->repair_random_backoff_ms, v, why, n);
}

static int
parse_max_parallel(struct conf *c, const char *v, char *why, size_t n)
{
	return conf_parse_u32(&c->repair_max_parallel, v, 1, 64, why, n);
}

static int
parse_request_timeout(struct conf *c, const char *v, char *why, size_t n)
{
	uint64_t ms;

	if (conf_parse_ms(&ms, v, 100, 600000, why, n) < 0)
		return -1;
	c->repair_timeout_ms = (uint32_t)ms;
	return 0;
}

static const struct conf_key {
	const char	*section;
	const char	*name;
	conf_parse_fn	fn;
} conf_keys[] = {
	{ "log", "level", parse_level },
	{ "input", "interface", parse_interface },
	{ "input", "udp", parse_udp },
	{ "input", "receive_buffer", parse_rcvbuf },
	{ "carousel", "object_timeout", parse_obj_timeout },
	{ "carousel", "session_timeout", parse_session_timeout },
	{ "carousel", "prefdt_time", parse_prefdt_time },
	{ "carousel", "prefdt_bytes", parse_prefdt_bytes },
	{ "carousel", "max_object_size", parse_max_object },
	{ "carousel", "max_inflight_bytes", parse_inflight },
	{ "carousel", "fec_object_bytes", parse_fec_object },
	{ "carousel", "fec_total_bytes", parse_fec_total },
	{ "carousel", "max_objects_per_session", parse_objs_per_session },
	{ "carousel", "max_sessions", parse_max_sessions },
	{ "carousel", "max_objects", parse_max_objects },
	{ "cache", "dir", parse_dir },
	{ "cache", "max_bytes", parse_max_bytes },
	{ "cache", "min_free", parse_min_free },
	{ "cache", "fsync", parse_fsync },
	{ "cache", "max_decoded_size", parse_decoded_max },
	{ "cache", "require_mount", parse_require_mount },
	{ "nip", "announcement", parse_announcement },
	{ "nip", "join", parse_join },
	{ "nip", "services", parse_nip_services },
	{ "nip", "idle_leave", parse_idle_leave },
	{ "nip", "region", parse_region },
	{ "nip", "gateway_config", parse_gateway_config },
	{ "nip", "nif", parse_nif },
	{ "repair", "enabled", parse_repair_enabled },
	{ "repair", "base_url", parse_repair_base },
	{ "repair", "origin", parse_repair_origin },
	{ "repair", "reception_timeout", parse_reception_timeout },
	{ "repair", "fixed_backoff", parse_fixed_backoff },
	{ "repair", "random_backoff", parse_random_backoff },
	{ "repair", "max_parallel", parse_max_parallel },
	{ "repair", "request_timeout", parse_request_timeout },
};

/* libinih callback: one key at a time; remembers the first error only. */
static int
conf_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct conf_ctx *x = user;
	char why[160] = "";
	size_t i;
	int r = -1;

	if (strcasecmp(section, "http") == 0) {
		r = conf_http_key(x->c, &x->http, name, value, why,
		    sizeof(why));
		if (r == 1) {
			snprintf(why, sizeof(why), "unknown key");
			r = -1;
		}
	} else if ((r = conf_input_key(x->c, section, name, value, why,
	    sizeof(why))) != 1) {
		/* An input below UDP or a [tuner] key. */
	} else {
		r = -1;
		for (i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++) {
			if (strcasecmp(section, conf_keys[i].section) == 0 &&
			    strcasecmp(name, conf_keys[i].name) == 0)
				break;
		}
		if (i == sizeof(conf_keys) / sizeof(conf_keys[0]))
			snprintf(why, sizeof(why), "unknown key");
		else
			r = conf_keys[i].fn(x->c, value, why, sizeof(why));
	}
	if (r == 0)
		return 1;
	if (!x->failed) {
		x->failed = 1;
		snprintf(x->key, sizeof(x->key), "[%.40s] %.40s", section, name);
		util_strlcpy(x->why, why, sizeof(x->why));
	}
	return 0;
}

/* libinih silently splits long lines; find them first.  Line or 0. */
static int
conf_long_line(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	int c, line = 1;
	size_t col = 0;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((c = getc(f)) != EOF) {
		if (c == '\n') {
			line++;
			col = 0;
		} else if (++col > CONF_LINE_MAX) {
			fclose(f);
			snprintf(err, errlen, "%s:%d: line longer than %d "
			    "characters", path, line, CONF_LINE_MAX);
			return line;
		}
	}
	fclose(f);
	return 0;
}

void
conf_defaults(struct conf *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->log_level = LOG_LEVEL_INFO;
	util_strlcpy(c->interface, "127.0.0.1", sizeof(c->interface));
	c->rcvbuf = 8 << 20;
	reasm_params_default(&c->reasm);
	c->reasm.object_timeout_ms = 30000;
	c->reasm.session_timeout_ms = 300000;
	c->reasm.prefdt_ms = 30000;
	c->reasm.prefdt_max_bytes = 16ULL << 20;
	c->reasm.max_object_bytes = 4ULL << 30;
	c->reasm.max_inflight_bytes = 8ULL << 30;
	c->reasm.max_objects_per_session = 4096;
	c->reasm.max_sessions = 1024;
	c->reasm.max_objects = 4096;
	util_strlcpy(c->cache_dir, "/var/cache/nipcache", sizeof(c->cache_dir));
	c->max_bytes = 10ULL << 30;
	c->min_free_pct = 5;
	c->fsync = CONF_FSYNC_COMMIT;
	c->max_decoded_bytes = 256ULL << 20;
	c->nip_announcement = 1;
	c->nip_join = CONF_JOIN_ALL;
	c->nip_idle_leave_ms = 300000;
	conf_http_defaults(c);
	c->repair_enabled = 1;
	c->repair_reception_timeout_ms = 2000;
	c->reasm.reception_timeout_ms = c->repair_reception_timeout_ms;
	c->repair_fixed_backoff_ms = 0;
	c->repair_random_backoff_ms = 1000;
	c->repair_max_parallel = 4;
	c->repair_timeout_ms = 10000;
	for (i = 0; i < CONF_MAX_TUNERS; i++)
		tuner_conf_default(&c->tuners[i]);
}

int
conf_load(const char *path, struct conf **out, char *err, size_t errlen)
{
	struct conf_ctx x;
	struct conf *c;
	int r;

	*out = NULL;
	if (conf_long_line(path, err, errlen) != 0)
		return -1;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	conf_defaults(c);
	util_strlcpy(c->path, path, sizeof(c->path));
	memset(&x, 0, sizeof(x));
	x.c = c;
	r = ini_parse(path, conf_handler, &x);
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot open", path);
	} else if (r > 0 && x.failed) {
		snprintf(err, errlen, "%s:%d: %s: %s", path, r, x.key, x.why);
	} else if (r > 0) {
		snprintf(err, errlen, "%s:%d: syntax error (expected "
		    "[section] or key = value)", path, r);
	} else if (conf_input_finish(c, x.why, sizeof(x.why)) < 0) {
		snprintf(err, errlen, "%s: %s", path, x.why);
	} else {
		*out = c;
		return 0;
	}
	free(c);
	return -1;
}

void
conf_free(struct conf *c)
{
	free(c);
}
