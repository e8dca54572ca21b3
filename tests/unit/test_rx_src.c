/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_rx_src.c: rx_parse_src, the carousel source spelling, from a table
 * (valid, hostile and malformed) and from seeded random strings that must
 * round-trip; rx_src_eq, which the NIP code compares sources with.  The
 * receive thread itself is tested in test_rx.c.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "test.h"
#include "../../carousel/rx.h"
#include "../../daemon/util.h"

struct parse_case {
	const char	*s;
	int		rc;
	int		family;
	const char	*group;
	uint16_t	port;
	int		has_tsi;
	uint64_t	tsi;
	const char	*source;	/* NULL: no source */
};

static const struct parse_case parse_cases[] = {
	{ "224.0.23.14:3937", 0, AF_INET, "224.0.23.14", 3937, 0, 0, NULL },
	{ "224.0.23.14:3937/0", 0, AF_INET, "224.0.23.14", 3937, 1, 0, NULL },
	{ "224.0.0.0:1", 0, AF_INET, "224.0.0.0", 1, 0, 0, NULL },
	{ "239.255.255.255:65535/18446744073709551615@192.0.2.1", 0, AF_INET,
	  "239.255.255.255", 65535, 1, UINT64_MAX, "192.0.2.1" },
	{ "232.1.1.1:5000@10.0.0.1", 0, AF_INET, "232.1.1.1", 5000, 0, 0,
	  "10.0.0.1" },
	{ "224.0.49.5:49005/49006", 0, AF_INET, "224.0.49.5", 49005, 1, 49006,
	  NULL },
	{ "[ff15::1]:5000/2@[2001:db8::1]", 0, AF_INET6, "ff15::1", 5000, 1, 2,
	  "2001:db8::1" },
	{ "[ff02::12d]:3937/0", 0, AF_INET6, "ff02::12d", 3937, 1, 0, NULL },
	{ "[FF0E::1]:1@[::1]", 0, AF_INET6, "ff0e::1", 1, 0, 0, "::1" },
	{ "239.1.1.1:00080", 0, AF_INET, "239.1.1.1", 80, 0, 0, NULL },
	/* Hostile or malformed. */
	{ "", -1, 0, NULL, 0, 0, 0, NULL },
	{ ":", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:0", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:65536", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:99999", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:123456", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:-1", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:+5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1: 5", -1, 0, NULL, 0, 0, 0, NULL },
	{ " 224.0.0.1:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5 ", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5\n", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5x", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:0x10", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5:6", -1, 0, NULL, 0, 0, 0, NULL },
	{ "10.0.0.1:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "223.255.255.255:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "240.0.0.1:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "255.255.255.255:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1.5:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.256:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.01:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "2240.0.0.1:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1111111111111:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "ff15::1:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[ff15::1]5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[ff15::1:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "ff15::1]:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[]:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[[ff15::1]]:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[224.0.0.1]:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[2001:db8::1]:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[::ffff:224.0.0.1]:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[ff15::1%lo]:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[ff15:::1]:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[ff15::1]:5000/", -1, 0, NULL, 0, 0, 0, NULL },
	{ "/5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "@10.0.0.1", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5/", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5/-1", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5/18446744073709551616", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5/99999999999999999999", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5/000000000000000000001", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5/3/4", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5/0x3", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5@", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5@224.0.0.2", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5@0.0.0.0", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5@255.255.255.255", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5@[2001:db8::1]", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[ff15::1]:5@10.0.0.1", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[ff15::1]:5@[::]", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[ff15::1]:5@[ff02::1]", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[ff15::1]:5@2001:db8::1", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5@10.0.0.1/3", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5@10.0.0.1@10.0.0.2", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5@10.0.0.1:7", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5@host.example", -1, 0, NULL, 0, 0, 0, NULL },
	{ "multicast:5", -1, 0, NULL, 0, 0, 0, NULL },
};

static void
check_parse_case(const struct parse_case *pc)
{
	struct carousel_src out, poison;
	uint8_t a[16];
	int rc;

	memset(&out, 0xa5, sizeof(out));
	memcpy(&poison, &out, sizeof(out));
	rc = rx_parse_src(pc->s, &out);
	if (rc != pc->rc)
		fprintf(stderr, "rx_parse_src(\"%s\") = %d\n", pc->s, rc);
	CHECK(rc == pc->rc);
	if (rc != 0 || pc->rc != 0) {
		if (rc != 0)
			CHECK(memcmp(&out, &poison, sizeof(out)) == 0);
		return;
	}
	CHECK(out.family == pc->family);
	memset(a, 0, sizeof(a));
	REQUIRE(inet_pton(pc->family, pc->group, a) == 1);
	CHECK(memcmp(out.group, a, 16) == 0);
	CHECK_EQ_U(out.port, pc->port);
	CHECK_EQ_U(out.has_tsi, pc->has_tsi);
	CHECK_EQ_U(out.tsi.lo, pc->tsi);
	CHECK_EQ_U(out.tsi.hi, 0);
	CHECK_EQ_U(out.has_source, pc->source != NULL);
	memset(a, 0, sizeof(a));
	if (pc->source != NULL)
		REQUIRE(inet_pton(pc->family, pc->source, a) == 1);
	CHECK(memcmp(out.source, a, 16) == 0);
}

static void
test_parse_table(void)
{
	char big[512];
	size_t i;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++)
		check_parse_case(&parse_cases[i]);
	CHECK(rx_parse_src(NULL, NULL) == -1);
	/* Longer than any valid spelling, valid prefix. */
	memset(big, '0', sizeof(big));
	memcpy(big, "224.0.0.1:5/", 12);
	big[sizeof(big) - 1] = '\0';
	CHECK(rx_parse_src(big, &(struct carousel_src){ 0 }) == -1);
	memset(big, 'f', sizeof(big));
	big[0] = '[';
	memcpy(big + 300, "]:5", 4);
	CHECK(rx_parse_src(big, &(struct carousel_src){ 0 }) == -1);
}

/* Print a parsed source back in the canonical spelling. */
static void
format_src(const struct carousel_src *c, char *buf, size_t len)
{
	char g[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN];
	int v6 = c->family == AF_INET6;
	int n;

	inet_ntop(c->family, c->group, g, sizeof(g));
	n = snprintf(buf, len, v6 ? "[%s]:%u" : "%s:%u", g, (unsigned)c->port);
	if (c->has_tsi)
		n += snprintf(buf + n, len - (size_t)n, "/%llu",
		    (unsigned long long)c->tsi.lo);
	if (c->has_source) {
		inet_ntop(c->family, c->source, s, sizeof(s));
		snprintf(buf + n, len - (size_t)n, v6 ? "@[%s]" : "@%s", s);
	}
}

/*
 * Seeded random strings over the grammar's alphabet: never a crash, and
 * anything accepted is a multicast group with a port that prints and
 * parses back to the same struct.
 */
static void
test_parse_random(void)
{
	static const char alpha[] = "0123456789.:[]/@fe2";
	const unsigned na = sizeof(alpha) - 1;
	static const char *seeds[] = { "239.1.2.3:5000/7@10.0.0.1",
	    "[ff15::1]:5000/2@[2001:db8::1]", "224.0.23.14:3937/0" };
	struct carousel_src a, b;
	char s[80], back[160];
	unsigned accepted = 0, bad = 0, i, j, len;

	srand(12345);
	for (i = 0; i < 50000; i++) {
		if (i % 2) {
			len = (unsigned)rand() % 60;
			for (j = 0; j < len; j++)
				s[j] = alpha[(unsigned)rand() % na];
			s[len] = '\0';
		} else {
			/* Mutate a valid spelling at one or two places. */
			util_strlcpy(s, seeds[i / 2 % 3], sizeof(s));
			len = (unsigned)strlen(s);
			for (j = 0; j < 1 + (unsigned)rand() % 2; j++)
				s[(unsigned)rand() % len] =
				    alpha[(unsigned)rand() % na];
		}
		if (rx_parse_src(s, &a) != 0)
			continue;
		accepted++;
		format_src(&a, back, sizeof(back));
		memset(&b, 0, sizeof(b));
		if (a.port == 0 || rx_parse_src(back, &b) != 0 ||
		    memcmp(&a, &b, sizeof(a)) != 0) {
			fprintf(stderr, "round trip \"%s\" -> \"%s\"\n", s,
			    back);
			bad++;
		}
	}
	CHECK(accepted > 100);
	CHECK_EQ_U(bad, 0);
}

struct eq_case {
	const char	*a, *b;
	int		eq;
};

static const struct eq_case eq_cases[] = {
	{ "224.0.23.14:3937", "224.0.23.14:3937", 1 },
	{ "224.0.23.14:3937", "224.0.23.15:3937", 0 },
	{ "224.0.23.14:3937", "224.0.23.14:3938", 0 },
	{ "224.0.23.14:3937/0", "224.0.23.14:3937", 0 },
	{ "224.0.23.14:3937/1", "224.0.23.14:3937/2", 0 },
	{ "224.0.23.14:3937/1", "224.0.23.14:3937/1", 1 },
	{ "232.1.1.1:5000@10.0.0.1", "232.1.1.1:5000@10.0.0.2", 0 },
	{ "232.1.1.1:5000@10.0.0.1", "232.1.1.1:5000", 0 },
	{ "232.1.1.1:5000/7@10.0.0.1", "232.1.1.1:5000/7@10.0.0.1", 1 },
	{ "[ff15::1]:5000/2@[2001:db8::1]", "[ff15::1]:5000/2@[2001:db8::1]",
	  1 },
	{ "[ff15::1]:5000", "[ff15::2]:5000", 0 },
	{ "[ff15::1]:5000@[2001:db8::1]", "[ff15::1]:5000@[2001:db8::2]", 0 },
	{ "[ff0e::e000:1]:5000", "224.0.0.1:5000", 0 },
};

/*
 * Field by field: equal sources stay equal whatever the bytes a source
 * does not use (past an IPv4 address, an unset source or TSI, padding)
 * and its reception timeout hold, which memcmp() got wrong.
 */
static void
test_src_eq(void)
{
	struct carousel_src a, b;
	size_t i;

	for (i = 0; i < sizeof(eq_cases) / sizeof(eq_cases[0]); i++) {
		memset(&a, 0, sizeof(a));
		memset(&b, 0xa5, sizeof(b));
		REQUIRE(rx_parse_src(eq_cases[i].a, &a) == 0);
		REQUIRE(rx_parse_src(eq_cases[i].b, &b) == 0);
		if (b.family == AF_INET)
			memset(b.group + 4, 0x5a, sizeof(b.group) - 4);
		if (!b.has_source)
			memset(b.source, 0x5a, sizeof(b.source));
		if (!b.has_tsi)
			b.tsi.lo = b.tsi.hi = 99;
		b.reception_timeout_ms = 1234;
		if (rx_src_eq(&a, &b) != eq_cases[i].eq ||
		    rx_src_eq(&b, &a) != eq_cases[i].eq) {
			fprintf(stderr, "rx_src_eq(\"%s\", \"%s\") != %d\n",
			    eq_cases[i].a, eq_cases[i].b, eq_cases[i].eq);
			CHECK(0);
		}
		CHECK(rx_src_eq(&a, &a));
	}
}

TEST_MAIN(TEST(test_parse_table), TEST(test_parse_random), TEST(test_src_eq))
