/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for daemon/util.c and the log rate limiter. */
#include <stdint.h>
#include <string.h>

#include "../../daemon/log.h"
#include "../../daemon/util.h"
#include "test.h"

static void
test_sizes(void)
{
	static const struct { const char *s; int ok; uint64_t v; } t[] = {
		{ "0", 1, 0 }, { "1", 1, 1 }, { "10G", 1, 10ULL << 30 },
		{ "1k", 1, 1024 }, { "5M", 1, 5ULL << 20 }, { "2T", 1, 2ULL << 40 },
		{ "3MB", 1, 3ULL << 20 }, { " 7 ", 1, 7 }, { "", 0, 0 },
		{ "G", 0, 0 }, { "-1", 0, 0 }, { "1X", 0, 0 }, { "1.5G", 0, 0 },
		{ "18446744073709551615", 1, UINT64_MAX },
		{ "18446744073709551616", 0, 0 }, { "17179869184G", 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t v = 12345;
		int r = util_parse_size(t[i].s, &v);

		CHECK((r == 0) == t[i].ok);
		if (t[i].ok)
			CHECK_EQ_U(v, t[i].v);
	}
}

static void
test_durations(void)
{
	static const struct { const char *s; int ok; uint64_t v; } t[] = {
		{ "250ms", 1, 250 }, { "6s", 1, 6000 }, { "2m", 1, 120000 },
		{ "1h", 1, 3600000 }, { "3", 1, 3000 }, { "0ms", 1, 0 },
		{ "ms", 0, 0 }, { "5x", 0, 0 }, { "", 0, 0 }, { "-5s", 0, 0 },
		{ "99999999999999999999s", 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t v = 0;
		int r = util_parse_duration_ms(t[i].s, &v);

		CHECK((r == 0) == t[i].ok);
		if (t[i].ok)
			CHECK_EQ_U(v, t[i].v);
	}
}

static void
test_base64(void)
{
	uint8_t out[32];

	/* RFC 1321 MD5("") = d41d8cd98f00b204e9800998ecf8427e. */
	CHECK(util_base64_decode("1B2M2Y8AsgTpgAmY7PhCfg==", out, 16) == 16);
	CHECK(out[0] == 0xd4 && out[15] == 0x7e);
	CHECK(util_base64_decode("1B2M2Y8AsgTpgAmY7PhCfg", out, 16) == 16);
	CHECK(util_base64_decode(" 1B2M 2Y8AsgTpgAmY7PhCfg==\n", out, 16) == 16);
	CHECK(util_base64_decode("1B2M2Y8AsgTpgAmY7PhCfg==", out, 15) == -1);
	CHECK(util_base64_decode("!!!!", out, 16) == -1);
	CHECK(util_base64_decode("", out, 16) == 0);
}

static void
test_ntp(void)
{
	/* protocols.md 3.2: 3979630922 -> 2026-02-09 13:02:02 UTC. */
	CHECK(util_ntp_to_unix(3979630922u, 1770000000) == 1770642122);
	/* After the 2036 wrap, small values belong to era 1. */
	CHECK(util_ntp_to_unix(1000, 2100000000 + 86400LL * 365 * 3) ==
	    1000 - 2208988800LL + 4294967296LL);
	/* Before the wrap, a value just below 2^32 stays in era 0. */
	CHECK(util_ntp_to_unix(4294967000u, 2085978000) ==
	    4294967000LL - 2208988800LL);
}

static void
test_misc(void)
{
	char buf[8];
	char hex[33];
	const uint8_t b[3] = { 0x00, 0xab, 0xff };

	CHECK(util_strlcpy(buf, "abcdefghij", sizeof(buf)) == 10);
	CHECK(strcmp(buf, "abcdefg") == 0);
	util_hex(b, 3, hex);
	CHECK(strcmp(hex, "00abff") == 0);
	CHECK(util_parse_bool("Yes") == 1 && util_parse_bool("off") == 0);
	CHECK(util_parse_bool("maybe") == -1);
}

/* RFC 1321 appendix A.5 test suite. */
static void
test_md5(void)
{
	static const struct { const char *in, *hex; } t[] = {
		{ "", "d41d8cd98f00b204e9800998ecf8427e" },
		{ "a", "0cc175b9c0f1b6a831c399e269772661" },
		{ "abc", "900150983cd24fb0d6963f7d28e17f72" },
		{ "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
	};
	uint8_t d[16];
	char hex[33];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		util_md5(t[i].in, strlen(t[i].in), d);
		util_hex(d, 16, hex);
		CHECK(strcmp(hex, t[i].hex) == 0);
	}
}

static void
test_ratelimit(void)
{
	struct log_rl rl;
	uint64_t sup = 0;
	int i, allowed = 0;

	memset(&rl, 0, sizeof(rl));
	for (i = 0; i < 100; i++)
		allowed += log_rl_allow(&rl, &sup);
	CHECK(allowed == LOG_RL_BURST);
	CHECK_EQ_U(atomic_load(&rl.suppressed), 100 - LOG_RL_BURST);
}

/* The growing text buffer: short and long printf, escaping, growth. */
static void
test_sb(void)
{
	struct util_sb b = { NULL, 0, 0, 0 };
	char big[1000];
	size_t i;

	util_sb_printf(&b, "<%s n=\"%d\">", "a", 7);
	util_sb_xml(&b, "x&<>\"'y");
	REQUIRE(!b.err && b.p != NULL);
	CHECK(strcmp(b.p, "<a n=\"7\">x&amp;&lt;&gt;&quot;&apos;y") == 0);
	CHECK_EQ_U(b.len, strlen(b.p));
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	util_sb_printf(&b, "[%s]", big);	/* past the 256-byte fast path */
	for (i = 0; i < 20000; i++)
		util_sb_add(&b, "0123456789", 10);
	CHECK(!b.err);
	CHECK_EQ_U(b.len, 36 + 1001 + 200000);
	CHECK(b.p[b.len] == '\0' && b.p[36] == '[' && b.p[37] == 'z');
	CHECK(b.p[36 + 1000] == ']');
	CHECK(b.cap >= b.len + 1);
	util_sb_xml(&b, NULL);
	CHECK(!b.err);
	free(b.p);
	memset(&b, 0, sizeof(b));
	util_sb_json(&b, "a\"\\\n\x01\x7f\xc3\xa9");
	util_sb_json(&b, NULL);
	util_sb_json(&b, "");
	REQUIRE(!b.err && b.p != NULL);
	CHECK(strcmp(b.p, "\"a\\\"\\\\\\u000a\\u0001\\u007f\xc3\xa9\"null\"\"") == 0);
	free(b.p);
}

/*
 * The URL path escape the DVB-I rewrite, /services.json, repair and
 * nipcast share: what is escaped, and the bounds (never a cut result).
 */
static void
test_path_escape(void)
{
	static char big[16000];
	char p[32], q[4096];

	CHECK(util_path_escape("/a b?#\xff/ok", p, sizeof(p)) == 0);
	CHECK(strcmp(p, "/a%20b%3F%23%FF/ok") == 0);
	CHECK(util_path_escape("/ok/a-b_c~d!$&'()*+,;=:@.mpd", p,
	    sizeof(p)) == 0);
	CHECK(strcmp(p, "/ok/a-b_c~d!$&'()*+,;=:@.mpd") == 0);
	/* Fits exactly (3 bytes + NUL), then one byte short. */
	CHECK(util_path_escape("?", p, 4) == 0);
	CHECK(strcmp(p, "%3F") == 0);
	CHECK(util_path_escape("?", p, 3) == -1);
	CHECK(util_path_escape("a", p, 1) == -1);
	/* Longer encoded than any URL the rewrite writes: refused, not cut. */
	memset(big, '?', 4500);
	big[4500] = '\0';
	CHECK(util_path_escape(big, q, sizeof(q)) == -1);
	CHECK(strspn(big, "?") == 4500 && big[4500] == '\0');
}

TEST_MAIN(TEST(test_sizes), TEST(test_durations), TEST(test_base64),
    TEST(test_ntp), TEST(test_misc), TEST(test_md5), TEST(test_ratelimit),
    TEST(test_sb), TEST(test_path_escape))
