/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_status.c: /status.json (daemon/status.c) rendered from known
 * states: every value where it belongs, ratios and their nulls, IPv4 and
 * IPv6 sessions, roles, and hostile states (no sessions, counters at zero
 * and at their maximum, a clock that went backwards, service names with
 * quotes, backslashes, control and UTF-8 characters).  Every document
 * must be well-formed JSON, which a strict RFC 8259 checker below judges.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "test.h"
#include "../../daemon/status.h"
#include "../../daemon/util.h"

/* ---- A strict JSON checker (RFC 8259): 1 if the text is one value. ---- */

static int j_value(const char **p, int depth);

static void
j_ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

static int
j_string(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;
	int i;

	if (*s++ != '"')
		return 0;
	while (*s != '"') {
		if (*s < 0x20)
			return 0;
		if (*s++ != '\\')
			continue;
		if (*s == 'u') {
			for (i = 1; i <= 4; i++)
				if (!isxdigit(s[i]))
					return 0;
			s += 5;
		} else if (*s != '\0' && strchr("\"\\/bfnrt", *s) != NULL) {
			s++;
		} else {
			return 0;
		}
	}
	*p = (const char *)s + 1;
	return 1;
}

static int
j_digits(const char **p)
{
	const char *s = *p;

	while (**p >= '0' && **p <= '9')
		(*p)++;
	return *p > s;
}

static int
j_number(const char **p)
{
	if (**p == '-')
		(*p)++;
	if (**p == '0')
		(*p)++;
	else if (!j_digits(p))
		return 0;
	if (**p == '.') {
		(*p)++;
		if (!j_digits(p))
			return 0;
	}
	if (**p == 'e' || **p == 'E') {
		(*p)++;
		if (**p == '+' || **p == '-')
			(*p)++;
		if (!j_digits(p))
			return 0;
	}
	return 1;
}

/* Members or elements up to close; each a value (objects: "key":value). */
static int
j_list(const char **p, char close, int object, int depth)
{
	(*p)++;
	j_ws(p);
	if (**p == close) {
		(*p)++;
		return 1;
	}
	for (;;) {
		j_ws(p);
		if (object) {
			if (!j_string(p))
				return 0;
			j_ws(p);
			if (*(*p)++ != ':')
				return 0;
		}
		if (!j_value(p, depth + 1))
			return 0;
		j_ws(p);
		if (**p == close) {
			(*p)++;
			return 1;
		}
		if (*(*p)++ != ',')
			return 0;
	}
}

static int
j_value(const char **p, int depth)
{
	static const char *const lit[] = { "true", "false", "null" };
	size_t i;

	if (depth > 64)
		return 0;
	j_ws(p);
	if (**p == '{')
		return j_list(p, '}', 1, depth);
	if (**p == '[')
		return j_list(p, ']', 0, depth);
	if (**p == '"')
		return j_string(p);
	for (i = 0; i < 3; i++)
		if (strncmp(*p, lit[i], strlen(lit[i])) == 0) {
			*p += strlen(lit[i]);
			return 1;
		}
	return j_number(p);
}

static int
json_ok(const char *text)
{
	const char *p = text;

	if (text == NULL || !j_value(&p, 0))
		return 0;
	j_ws(&p);
	return *p == '\0';
}

/* The checker itself: what it must take and what it must refuse. */
static void
test_checker(void)
{
	static const char *const good[] = {
		"{}", "[]", "0", "-0.5e+3", "\"a\\u00e9\\n\"",
		"{\"a\":[1,{\"b\":null}]}",
		" {\"x\" : true , \"y\":false}\n",
	};
	static const char *const bad[] = {
		"", "{", "{\"a\":}", "[1,]", "{\"a\" 1}", "01", "1.", ".5",
		"\"\x01\"",
		"\"\\x\"", "\"\\u12\"", "{a:1}", "[1] [2]", "nul", "{\"a\":1,}",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(json_ok(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!json_ok(bad[i]));
}

/* ---- Known states. ---- */

#define NOW	1000000

static void
sess_v4(struct status_session *s, const char *group, uint16_t port,
    int tsi, const char *service)
{
	memset(s, 0, sizeof(*s));
	s->st.src.family = AF_INET;
	inet_pton(AF_INET, group, s->st.src.group);
	s->st.src.port = port;
	if (tsi >= 0) {
		s->st.src.has_tsi = 1;
		s->st.src.tsi.lo = (uint64_t)tsi;
	}
	if (service != NULL)
		util_strlcpy(s->service, service, sizeof(s->service));
}

/* Render in; the text (the caller frees it), NULL on failure. */
static char *
render(const struct status_in *in)
{
	struct util_sb b = { NULL, 0, 0, 0 };

	if (status_render(in, &b) != 0) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

static int
has(const char *doc, const char *part)
{
	if (doc != NULL && strstr(doc, part) != NULL)
		return 1;
	fprintf(stderr, "  missing: %s\n", part);
	return 0;
}

static void
known_state(struct status_in *in, struct status_session *s)
{
	memset(in, 0, sizeof(*in));
	in->now_ms = NOW;
	in->uptime_s = 42;
	in->ready = 1;
	in->cache_ready = 1;
	in->cache.bytes = 250;
	in->cache.max_bytes = 1000;
	in->cache.objects = 3;
	in->cache.hits = 3;
	in->cache.misses = 1;
	in->cache.evictions = 2;
	in->rx.datagrams = 100;
	in->rx.bytes = 140000;
	in->rx.kernel_drops = 1;
	in->rx.bad_packets[1] = 2;
	in->rx.reasm.bad_symbols = 1;
	in->rx.reasm.unsupported_fec = 1;
	in->rx.reasm.objects_completed = 5;
	in->rx.reasm.fec_symbols_recovered = 3;
	in->repair.jobs[0] = 2;
	in->repair.jobs[OBJ_REPAIR_PLAYER] = 1;
	in->repair.done[0][REPAIR_OK] = 2;
	in->repair.done[OBJ_REPAIR_PLAYER][REPAIR_OK + 1] = 1;
	in->repair.requests = 4;
	in->repair.body_bytes = 5000;
	sess_v4(&s[0], "239.1.1.1", 5000, 11, "tag:x,2026:one");
	s[0].st.last_ms = NOW - 100;
	s[0].st.bitrate = 2000000;
	s[0].st.datagrams = 99;
	s[0].st.nsessions = 1;
	s[0].st.sess.packets = 98;
	s[0].st.sess.objects = 7;
	s[0].st.sess.lost_symbols = 2;
	s[0].st.sess.fec_recovered = 3;
	s[0].st.sess.repairs = 1;
	sess_v4(&s[1], "224.0.23.14", 3937, 0, NULL);
	s[1].st.last_ms = NOW - 6000;	/* heard, but too long ago */
	s[1].st.bitrate = 5000;
	memset(&s[2], 0, sizeof(s[2]));
	s[2].st.src.family = AF_INET6;
	inet_pton(AF_INET6, "ff15::1", s[2].st.src.group);
	s[2].st.src.port = 6000;
	s[2].st.src.has_source = 1;
	inet_pton(AF_INET6, "2001:db8::1", s[2].st.src.source);
	s[2].st.bitrate = 77;		/* never heard: shown as 0 */
	sess_v4(&s[3], "239.1.1.2", 5002, 1, NULL);
	s[3].st.src.tsi.hi = 1;
	in->sess = s;
	in->nsess = 4;
}

static void
test_known(void)
{
	struct status_session s[4];
	struct status_in in;
	char *d;

	known_state(&in, s);
	d = render(&in);
	REQUIRE(d != NULL);
	CHECK(json_ok(d));
	CHECK(d[strlen(d) - 1] == '\n');
	CHECK(has(d, "{\"ready\":true,\"uptime_seconds\":42,"));
	CHECK(has(d, "\"cache\":{\"ready\":true,\"bytes\":250,\"max_bytes\":"
	    "1000,\"objects\":3,\"fill\":0.2500,\"hits\":3,\"misses\":1,"
	    "\"hit_ratio\":0.7500,\"evictions\":2}"));
	CHECK(has(d, "\"datagrams\":100,\"bytes\":140000,\"kernel_drops\":1,"
	    "\"bad_packets\":4,"));
	CHECK(has(d, "\"objects_completed\":5,"));
	CHECK(has(d, "\"repair\":{\"objects\":3,\"ok\":2,\"failed\":1,"
	    "\"requests\":4,\"body_bytes\":5000,"));
	CHECK(has(d, "{\"group\":\"239.1.1.1\",\"port\":5000,\"tsi\":11,"
	    "\"source\":null,\"service\":\"tag:x,2026:one\",\"role\":"
	    "\"service\",\"receiving\":true,\"idle_ms\":100,\"bitrate\":"
	    "2000000,\"datagrams\":99,"));
	CHECK(has(d, "\"flute_sessions\":1,\"packets\":98,\"objects\":7,"
	    "\"incomplete\":0,\"fec_recovered\":3,\"lost_symbols\":2,"
	    "\"repairs\":1,\"loss_ratio\":0.0500}"));
	CHECK(has(d, "{\"group\":\"224.0.23.14\",\"port\":3937,\"tsi\":0,"
	    "\"source\":null,\"service\":null,\"role\":\"announcement\","
	    "\"receiving\":false,\"idle_ms\":6000,\"bitrate\":0,"));
	CHECK(has(d, "{\"group\":\"ff15::1\",\"port\":6000,\"tsi\":null,"
	    "\"source\":\"2001:db8::1\",\"service\":null,\"role\":\"other\","
	    "\"receiving\":false,\"idle_ms\":null,\"bitrate\":0,"));
	CHECK(has(d, "\"tsi\":\"0x10000000000000001\""));
	CHECK(has(d, "\"loss_ratio\":null}"));
	free(d);
}

/* Nothing yet: no sessions, cache closed, every counter 0. */
static void
test_empty(void)
{
	struct status_in in;
	char *d;

	memset(&in, 0, sizeof(in));
	d = render(&in);
	REQUIRE(d != NULL);
	CHECK(json_ok(d));
	CHECK(has(d, "{\"ready\":false,\"uptime_seconds\":0,\"cache\":{"
	    "\"ready\":false,\"bytes\":0,\"max_bytes\":0,\"objects\":0,"
	    "\"fill\":null,\"hits\":0,\"misses\":0,\"hit_ratio\":null,"));
	CHECK(has(d, "\"repair\":{\"objects\":0,\"ok\":0,\"failed\":0,"));
	CHECK(has(d, "\"sessions\":[]}\n"));
	free(d);
	/* A count without an array is no session at all. */
	in.nsess = 5;
	d = render(&in);
	REQUIRE(d != NULL);
	CHECK(json_ok(d) && has(d, "\"sessions\":[]}"));
	free(d);
}

/* Names from the broadcast are escaped; extreme counters stay in range. */
static void
test_hostile(void)
{
	static const char *const ids[] = {
		"a\"b\\c", "line\nbreak\x01\x1f\x7f",
		"\xc3\x9c" "n\xc3\xaf" "c\xc3\xb8" "de",
		"</script><b>", "",
	};
	struct status_session s[5];
	struct status_in in;
	size_t i;
	char *d;

	memset(&in, 0, sizeof(in));
	in.now_ms = 5000;
	in.cache_ready = 1;
	in.cache.bytes = UINT64_MAX;
	in.cache.max_bytes = 1;
	in.cache.hits = UINT64_MAX;
	in.cache.misses = UINT64_MAX;
	for (i = 0; i < 5; i++) {
		sess_v4(&s[i], "239.9.9.9", (uint16_t)(6000 + i), (int)i,
		    ids[i]);
		s[i].st.sess.packets = UINT64_MAX;
		s[i].st.sess.lost_symbols = UINT64_MAX;
		s[i].st.sess.fec_recovered = UINT64_MAX;
		s[i].st.last_ms = 9000;		/* after now: clock skew */
		s[i].st.bitrate = UINT64_MAX;
	}
	in.sess = s;
	in.nsess = 5;
	d = render(&in);
	REQUIRE(d != NULL);
	CHECK(json_ok(d));
	CHECK(has(d, "\"service\":\"a\\\"b\\\\c\""));
	CHECK(has(d, "\"service\":\"line\\u000abreak\\u0001\\u001f\\u007f\""));
	CHECK(has(d, "\"service\":\"\xc3\x9c" "n\xc3\xaf" "c\xc3\xb8" "de\""));
	CHECK(has(d, "\"fill\":1.0000"));
	CHECK(has(d, "\"hit_ratio\":0.5000"));
	CHECK(has(d, "\"loss_ratio\":1.0000"));
	CHECK(has(d, "\"receiving\":false,\"idle_ms\":null,\"bitrate\":0,"));
	CHECK(has(d, "\"port\":6004,\"tsi\":4,\"source\":null,\"service\":null,"
	    "\"role\":\"other\""));
	free(d);
}

/* Many sessions make one long, still well-formed document. */
static void
test_many(void)
{
	struct status_session *s;
	struct status_in in;
	char *d, group[32];
	size_t i, n = 2000, count = 0;
	const char *p;

	REQUIRE((s = calloc(n, sizeof(*s))) != NULL);
	memset(&in, 0, sizeof(in));
	in.now_ms = NOW;
	for (i = 0; i < n; i++) {
		snprintf(group, sizeof(group), "239.%zu.%zu.1", i / 256,
		    i % 256);
		sess_v4(&s[i], group, 5000, (int)i, "tag:many");
		s[i].st.last_ms = NOW;
	}
	in.sess = s;
	in.nsess = n;
	d = render(&in);
	REQUIRE(d != NULL);
	CHECK(json_ok(d));
	for (p = d; (p = strstr(p, "\"role\":\"service\"")) != NULL; p++)
		count++;
	CHECK_EQ_U(count, n);
	free(d);
	free(s);
}

/* A buffer that failed before is reported, and nothing is allocated. */
static void
test_sb_error(void)
{
	struct util_sb b = { NULL, 0, 0, 1 };
	struct status_in in;

	memset(&in, 0, sizeof(in));
	CHECK(status_render(&in, &b) == -1);
	CHECK(b.p == NULL);
}

TEST_MAIN(TEST(test_checker), TEST(test_known), TEST(test_empty),
    TEST(test_hostile), TEST(test_many), TEST(test_sb_error))
