/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the pure repair helpers in daemon/repair_url.c: the
 * xorshift64* generator, back-off draws, weighted BaseURL choice (their
 * distributions, since a fleet of boxes relies on them to spread the load)
 * and the repair URL of a transport object.
 */
#include <stdint.h>
#include <string.h>

#include "../../daemon/repair.h"
#include "test.h"

#define DRAWS	100000

static void
test_rand_state(void)
{
	uint64_t a = 42, b = 42, c = 43, z = 0;
	int i, same = 1, differ = 0, zero_state = 0;

	for (i = 0; i < DRAWS; i++) {
		uint64_t x = repair_rand(&a), y = repair_rand(&b);

		same &= x == y;
		differ += x != repair_rand(&c);
		zero_state += a == 0;
	}
	CHECK(same);
	CHECK(differ == DRAWS);
	CHECK(zero_state == 0);
	/* A zero state is recovered from, not stuck at zero. */
	CHECK(repair_rand(&z) != 0);
	CHECK(z != 0);
}

/* Every output bit is set about half the time. */
static void
test_rand_bits(void)
{
	static unsigned ones[64];
	uint64_t s = 0x1234567;
	int i, b, bad = 0;

	memset(ones, 0, sizeof(ones));
	for (i = 0; i < DRAWS; i++) {
		uint64_t x = repair_rand(&s);

		for (b = 0; b < 64; b++)
			ones[b] += (unsigned)((x >> b) & 1);
	}
	/* 0.5 +- 0.01 is more than six standard deviations. */
	for (b = 0; b < 64; b++)
		bad += ones[b] < DRAWS * 49 / 100 || ones[b] > DRAWS * 51 / 100;
	CHECK_EQ_U(bad, 0);
}

static void
test_backoff_fixed(void)
{
	uint64_t s = 7, before = 7;
	int i, ok = 1;

	for (i = 0; i < 1000; i++)
		ok &= repair_backoff_ms(1500, 0, &s) == 1500;
	CHECK(ok);
	CHECK_EQ_U(s, before);	/* no draw without a random part */
	CHECK_EQ_U(repair_backoff_ms(0, 0, &s), 0);
	CHECK_EQ_U(repair_backoff_ms(UINT32_MAX, 0, &s), UINT32_MAX);
}

/* Mean, spread and bounds of the draws for one random_ms. */
static void
check_uniform(uint32_t fixed, uint32_t rnd, uint64_t seed)
{
	double n = (double)rnd + 1, mean, var, sum = 0, sq = 0;
	double want_mean = (double)rnd / 2, want_var = (n * n - 1) / 12;
	uint64_t s = seed, lo = UINT64_MAX, hi = 0;
	int i;

	for (i = 0; i < DRAWS; i++) {
		uint64_t v = repair_backoff_ms(fixed, rnd, &s);
		double d = (double)(v - fixed);

		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
		sum += d;
		sq += d * d;
	}
	mean = sum / DRAWS;
	var = sq / DRAWS - mean * mean;
	CHECK(lo >= fixed);
	CHECK(hi <= (uint64_t)fixed + rnd);
	/*
	 * Within 5.3 standard errors of the mean (sqrt(var / DRAWS)),
	 * compared squared to need no libm; the variance within 2%.
	 */
	CHECK((mean - want_mean) * (mean - want_mean) <=
	    5.3 * 5.3 * want_var / DRAWS + 1e-9);
	CHECK(var - want_var <= 0.02 * want_var + 1e-9);
	CHECK(want_var - var <= 0.02 * want_var + 1e-9);
}

static void
test_backoff_uniform(void)
{
	check_uniform(2000, 1000, 1);
	check_uniform(0, 7, 2);
	check_uniform(0, 1, 3);
	check_uniform(100, 2999999, 4);
	/* The largest values: fixed + random does not wrap. */
	check_uniform(UINT32_MAX, UINT32_MAX, 5);
}

/* Chi-square of small ranges: every value reachable, none favoured. */
static void
test_backoff_buckets(void)
{
	static unsigned cnt[10];
	uint64_t s = 99;
	double chi = 0, e = DRAWS / 10.0;
	int i, out = 0;

	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < DRAWS; i++) {
		uint64_t v = repair_backoff_ms(5, 9, &s);

		if (v >= 5 && v <= 14)
			cnt[v - 5]++;
		else
			out++;
	}
	CHECK_EQ_U(out, 0);
	for (i = 0; i < 10; i++)
		chi += (cnt[i] - e) * (cnt[i] - e) / e;
	/* 9 degrees of freedom: P(chi > 35) is about 6e-5. */
	CHECK(chi < 35);
}

static void
test_pick_none(void)
{
	struct repair_base b[3];
	uint64_t s = 5;

	memset(b, 0, sizeof(b));
	CHECK(repair_pick_base(b, 0, &s) == -1);
	CHECK(repair_pick_base(NULL, 3, &s) == -1);
	CHECK(repair_pick_base(b, 3, &s) == -1);	/* all disabled */
}

/* How often each of n bases is picked in DRAWS draws from seed. */
static void
count_picks(const struct repair_base *b, size_t n, uint64_t seed,
    unsigned *cnt)
{
	uint64_t s = seed;
	int i, r;

	memset(cnt, 0, n * sizeof(*cnt));
	for (i = 0; i < DRAWS; i++) {
		r = repair_pick_base(b, n, &s);
		if (r >= 0 && (size_t)r < n)
			cnt[r]++;
	}
}

static void
test_pick_weights(void)
{
	struct repair_base b[4];
	unsigned cnt[4];

	memset(b, 0, sizeof(b));
	b[1].weight = 1;
	b[3].weight = 3;
	count_picks(b, 4, 11, cnt);
	CHECK_EQ_U(cnt[0] + cnt[2], 0);		/* weight 0: never */
	CHECK_EQ_U(cnt[1] + cnt[3], DRAWS);
	/* 25% +- 1% is over seven standard deviations. */
	CHECK(cnt[1] > DRAWS * 24 / 100 && cnt[1] < DRAWS * 26 / 100);
	CHECK(cnt[3] > DRAWS * 74 / 100 && cnt[3] < DRAWS * 76 / 100);

	/* Only one enabled: always that one. */
	b[3].weight = 0;
	count_picks(b, 4, 12, cnt);
	CHECK_EQ_U(cnt[1], DRAWS);

	/* Weights whose sum passes 2^32 take the other draw; still even. */
	b[0].weight = b[1].weight = b[2].weight = UINT32_MAX;
	b[3].weight = 0;
	count_picks(b, 4, 13, cnt);
	CHECK(cnt[0] > DRAWS * 32 / 100 && cnt[0] < DRAWS * 35 / 100);
	CHECK(cnt[1] > DRAWS * 32 / 100 && cnt[1] < DRAWS * 35 / 100);
	CHECK(cnt[2] > DRAWS * 32 / 100 && cnt[2] < DRAWS * 35 / 100);
	CHECK_EQ_U(cnt[3], 0);
}

static void
test_pick_deterministic(void)
{
	struct repair_base b[3];
	uint64_t s1 = 77, s2 = 77;
	int i, same = 1, seen[3] = { 0, 0, 0 };

	memset(b, 0, sizeof(b));
	b[0].weight = 2;
	b[1].weight = 5;
	b[2].weight = 1;
	for (i = 0; i < 1000; i++) {
		int x = repair_pick_base(b, 3, &s1);

		same &= x == repair_pick_base(b, 3, &s2);
		if (x >= 0 && x < 3)
			seen[x] = 1;
	}
	CHECK(same);
	CHECK(seen[0] && seen[1] && seen[2]);
}

static const struct {
	const char *loc, *obu, *base, *want;	/* want NULL: -1 */
} url_cases[] = {
	/* protocols.md 5.4 */
	{ "http://dvb.gw/ses.com/a/1.m4s", "http://dvb.gw/",
	    "https://cdn.example/", "https://cdn.example/ses.com/a/1.m4s" },
	{ "http://dvb.gw/ses.com/a/1.m4s", "http://dvb.gw",
	    "https://cdn.example/", "https://cdn.example/ses.com/a/1.m4s" },
	{ "http://dvb.gw/ses.com/a/1.m4s", "http://dvb.gw/ses.com/",
	    "https://cdn.example/r", "https://cdn.example/r/a/1.m4s" },
	{ "http://dvb.gw/P", NULL, "http://cdn.example/x/",
	    "http://cdn.example/x/P" },
	{ "http://dvb.gw/P", "", "http://cdn.example/x",
	    "http://cdn.example/x/P" },
	{ "HTTPS://origin.example:8443/live/s.ts", NULL, "http://cdn/",
	    "http://cdn/live/s.ts" },
	{ "//dvb.gw/P", NULL, "http://cdn/", "http://cdn/P" },
	{ "http://dvb.gw/a/b.mpd?x=1&y=2", NULL, "https://cdn",
	    "https://cdn/a/b.mpd?x=1&y=2" },
	{ "http://dvb.gw/a/b.m4s#1024", NULL, "https://cdn/",
	    "https://cdn/a/b.m4s" },
	{ "http://dvb.gw/a/b?q=1#f", NULL, "https://cdn/",
	    "https://cdn/a/b?q=1" },
	{ "http://dvb.gw/a%20b/c%2Fd.ts", NULL, "https://cdn/",
	    "https://cdn/a%20b/c%2Fd.ts" },
	{ "http://dvb.gw/a/./b", NULL, "https://cdn/", "https://cdn/a/./b" },
	{ "http://dvb.gw/a/..b/...", NULL, "https://cdn/",
	    "https://cdn/a/..b/..." },
	{ "http://dvb.gw/a/b?x=../y", NULL, "https://cdn/",
	    "https://cdn/a/b?x=../y" },
	{ "a/b.ts", NULL, "https://cdn/x", "https://cdn/x/a/b.ts" },
	{ "/a/b.ts", NULL, "https://cdn/x/", "https://cdn/x/a/b.ts" },
	{ "tag:x.org,2024:/a/b", "tag:x.org,2024:", "https://u:p@cdn:81/",
	    "https://u:p@cdn:81/a/b" },
	{ "http://dvb.gw/\xc3\xa9t\xc3\xa9.ts", NULL, "https://cdn/",
	    "https://cdn/\xc3\xa9t\xc3\xa9.ts" },
	/* Not under object_base_uri. */
	{ "http://other.gw/ses.com/a", "http://dvb.gw/", "https://cdn/", NULL },
	{ "a/b.ts", "http://dvb.gw/", "https://cdn/", NULL },
	{ "http://dvb.gw", "http://dvb.gw/", "https://cdn/", NULL },
	/* Bad bases. */
	{ "http://dvb.gw/P", NULL, "ftp://cdn/", NULL },
	{ "http://dvb.gw/P", NULL, "cdn.example/", NULL },
	{ "http://dvb.gw/P", NULL, "https://", NULL },
	{ "http://dvb.gw/P", NULL, "https:///x", NULL },
	{ "http://dvb.gw/P", NULL, "https://cdn/?q=1", NULL },
	{ "http://dvb.gw/P", NULL, "https://cdn/#f", NULL },
	{ "http://dvb.gw/P", NULL, "https://cd n/", NULL },
	{ "http://dvb.gw/P", NULL, "", NULL },
	{ "http://dvb.gw/P", NULL, NULL, NULL },
	/* ".." segments, plain or escaped. */
	{ "http://dvb.gw/a/../b", NULL, "https://cdn/", NULL },
	{ "http://dvb.gw/../b", NULL, "https://cdn/", NULL },
	{ "http://dvb.gw/a/..", NULL, "https://cdn/", NULL },
	{ "http://dvb.gw/a/..?x", NULL, "https://cdn/", NULL },
	{ "http://dvb.gw/a/%2E%2e/b", NULL, "https://cdn/", NULL },
	{ "http://dvb.gw/a/.%2E/b", NULL, "https://cdn/", NULL },
	{ "http://dvb.gw/a/..\\b", NULL, "https://cdn/", NULL },
	{ "../b", NULL, "https://cdn/", NULL },
	{ "http://dvb.gw/x/../y", "http://dvb.gw/x/", "https://cdn/", NULL },
	/* No host to replace, or nothing to fetch. */
	{ "tag:example.com,2024:obj1", NULL, "https://cdn/", NULL },
	{ "urn:dvb:metadata:x", "", "https://cdn/", NULL },
	{ "http://dvb.gw/", NULL, "https://cdn/", NULL },
	{ "http://dvb.gw", NULL, "https://cdn/", NULL },
	{ "http://dvb.gw/?q", NULL, "https://cdn/", NULL },
	{ "http://dvb.gw/#5", NULL, "https://cdn/", NULL },
	{ "", NULL, "https://cdn/", NULL },
	/* Blanks and control characters. */
	{ "http://dvb.gw/a b", NULL, "https://cdn/", NULL },
	{ "http://dvb.gw/a\tb", NULL, "https://cdn/", NULL },
	{ "http://dvb.gw/a\x7f", NULL, "https://cdn/", NULL },
	{ "http://dvb.gw/a\r\nHost: x", NULL, "https://cdn/", NULL },
};

static void
test_url_table(void)
{
	char out[REPAIR_URL_MAX];
	size_t i;

	for (i = 0; i < sizeof(url_cases) / sizeof(url_cases[0]); i++) {
		int r = repair_url(url_cases[i].loc, url_cases[i].obu,
		    url_cases[i].base, out, sizeof(out));

		if (url_cases[i].want == NULL) {
			CHECK(r == -1);
			if (r != -1)
				fprintf(stderr, "case %zu: got %s\n", i, out);
			continue;
		}
		CHECK(r == 0);
		CHECK(r == 0 && strcmp(out, url_cases[i].want) == 0);
		if (r != 0 || strcmp(out, url_cases[i].want) != 0)
			fprintf(stderr, "case %zu: %d %s\n", i, r, out);
	}
}

/* The output buffer bound, with and without the added slash. */
static void
test_url_fit(void)
{
	static const char *want = "https://cdn.example/x/ses.com/a/1.m4s";
	char out[64];
	size_t need = strlen(want) + 1;

	memset(out, 'Z', sizeof(out));
	CHECK(repair_url("http://dvb.gw/ses.com/a/1.m4s", "http://dvb.gw/",
	    "https://cdn.example/x", out, need) == 0);
	CHECK(strcmp(out, want) == 0);
	CHECK(out[need] == 'Z');	/* nothing written past len */
	CHECK(repair_url("http://dvb.gw/ses.com/a/1.m4s", "http://dvb.gw/",
	    "https://cdn.example/x", out, need - 1) == -1);
	CHECK(repair_url("http://dvb.gw/ses.com/a/1.m4s", "http://dvb.gw/",
	    "https://cdn.example/x/", out, need) == 0);
	CHECK(strcmp(out, want) == 0);
	CHECK(repair_url("http://dvb.gw/ses.com/a/1.m4s", "http://dvb.gw/",
	    "https://cdn.example/x/", out, need - 1) == -1);
	CHECK(repair_url("http://dvb.gw/P", NULL, "https://c/", out, 0) == -1);
	CHECK(repair_url("http://dvb.gw/P", NULL, "https://c/", NULL, 9) == -1);
	CHECK(repair_url(NULL, NULL, "https://c/", out, sizeof(out)) == -1);
}

/* A location as long as REPAIR_URL_MAX allows, and one byte longer. */
static void
test_url_long(void)
{
	static char loc[REPAIR_URL_MAX + 16], want[REPAIR_URL_MAX + 16];
	char out[REPAIR_URL_MAX];
	const char *base = "https://cdn/";
	size_t room = REPAIR_URL_MAX - 1 - strlen(base);

	memcpy(loc, "http://dvb.gw/", 14);
	memset(loc + 14, 'a', room);
	loc[14 + room] = '\0';
	snprintf(want, sizeof(want), "%s%s", base, loc + 14);
	CHECK(repair_url(loc, NULL, base, out, sizeof(out)) == 0);
	CHECK(strcmp(out, want) == 0);
	loc[14 + room] = 'a';
	loc[15 + room] = '\0';
	CHECK(repair_url(loc, NULL, base, out, sizeof(out)) == -1);
}

TEST_MAIN(TEST(test_rand_state), TEST(test_rand_bits),
    TEST(test_backoff_fixed), TEST(test_backoff_uniform),
    TEST(test_backoff_buckets), TEST(test_pick_none),
    TEST(test_pick_weights), TEST(test_pick_deterministic),
    TEST(test_url_table), TEST(test_url_fit), TEST(test_url_long))
