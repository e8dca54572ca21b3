/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_netacl.c: CIDR lists (daemon/netacl.c): the parser on good,
 * malformed and hostile lists, the matcher on boundaries (/0, odd
 * prefixes, /32, /128, v4-mapped IPv6 peers), and the matcher against a
 * bit-by-bit reference on seeded random networks and addresses.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../daemon/netacl.h"
#include "test.h"

static void
test_parse(void)
{
	static const struct {
		const char	*s;
		int		n;	/* networks, or -1: refused */
	} t[] = {
		{ "127.0.0.0/8", 1 },
		{ "127.0.0.0/8 ::1", 2 },
		{ "  10.0.0.0/8\t192.168.0.0/16  ", 2 },
		{ "10.1.2.3", 1 },
		{ "fe80::/10 fc00::/7", 2 },
		{ "0.0.0.0/0", 1 },
		{ "::/0", 1 },
		{ "any", 2 },
		{ "any ::1", 3 },
		{ "none", 0 },
		{ "192.168.1.0/24", 1 },
		{ "192.168.1.128/25", 1 },
		{ "10.0.0.0/008", 1 },
		{ "2001:db8::/32", 1 },
		{ "::ffff:10.0.0.0/104", 1 },
		{ "", -1 },
		{ "   ", -1 },
		{ "none any", -1 },
		{ "none none", -1 },
		{ "10.0.0.1/8", -1 },		/* host bits */
		{ "192.168.1.1/24", -1 },
		{ "fe80::1/10", -1 },
		{ "10.0.0.0/33", -1 },
		{ "::/129", -1 },
		{ "10.0.0.0/", -1 },
		{ "/8", -1 },
		{ "10.0.0.0/8/8", -1 },
		{ "10.0.0.0/-1", -1 },
		{ "10.0.0.0/+8", -1 },
		{ "10.0.0.0/0008", -1 },
		{ "10.0.0.0/8x", -1 },
		{ "10.0.0", -1 },
		{ "10.0.0.256", -1 },
		{ "lan", -1 },
		{ "[::1]", -1 },
		{ "10.0.0.0/8,192.168.0.0/16", -1 },
		{ "10.0.0.0/8 bogus", -1 },
		{ "ANY", -1 },
	};
	struct netacl acl;
	char why[200], big[800];
	size_t i;
	int r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		why[0] = '\0';
		r = netacl_parse(t[i].s, &acl, why, sizeof(why));
		if (t[i].n < 0) {
			CHECK(r == -1 && acl.n == 0 && why[0] != '\0');
		} else {
			CHECK(r == 0);
			CHECK_EQ_U(acl.n, (unsigned)t[i].n);
		}
		if ((t[i].n < 0) != (r < 0))
			fprintf(stderr, "  case %zu '%s': %d\n", i, t[i].s, r);
	}
	CHECK(netacl_parse(NULL, &acl, why, sizeof(why)) == -1);

	/* NETACL_MAX networks fit, one more does not. */
	big[0] = '\0';
	for (i = 0; i < NETACL_MAX; i++)
		snprintf(big + strlen(big), sizeof(big) - strlen(big),
		    "10.%zu.0.0/16 ", i);
	CHECK(netacl_parse(big, &acl, why, sizeof(why)) == 0);
	CHECK_EQ_U(acl.n, NETACL_MAX);
	snprintf(big + strlen(big), sizeof(big) - strlen(big), "11.0.0.0/8");
	CHECK(netacl_parse(big, &acl, why, sizeof(why)) == -1);
	CHECK_EQ_U(acl.n, 0);
	/* A token longer than any address. */
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(netacl_parse(big, &acl, why, sizeof(why)) == -1);
}

static int
match_text(const struct netacl *acl, const char *a)
{
	uint8_t buf[16];

	if (inet_pton(AF_INET, a, buf) == 1)
		return netacl_match_addr(acl, AF_INET, buf);
	if (inet_pton(AF_INET6, a, buf) == 1)
		return netacl_match_addr(acl, AF_INET6, buf);
	return -1;
}

static void
test_match(void)
{
	static const struct {
		const char	*list;
		const char	*addr;
		int		in;
	} t[] = {
		{ "127.0.0.0/8", "127.0.0.1", 1 },
		{ "127.0.0.0/8", "127.255.255.255", 1 },
		{ "127.0.0.0/8", "128.0.0.0", 0 },
		{ "127.0.0.0/8", "126.255.255.255", 0 },
		{ "127.0.0.0/8", "::1", 0 },
		{ "::1", "::1", 1 },
		{ "::1", "::2", 0 },
		{ "::1", "127.0.0.1", 0 },
		{ "172.16.0.0/12", "172.31.255.255", 1 },
		{ "172.16.0.0/12", "172.32.0.0", 0 },
		{ "172.16.0.0/12", "172.15.255.255", 0 },
		{ "192.168.1.128/25", "192.168.1.127", 0 },
		{ "192.168.1.128/25", "192.168.1.128", 1 },
		{ "192.168.1.128/25", "192.168.1.255", 1 },
		{ "10.1.2.3", "10.1.2.3", 1 },
		{ "10.1.2.3", "10.1.2.4", 0 },
		{ "0.0.0.0/0", "255.255.255.255", 1 },
		{ "0.0.0.0/0", "::", 0 },
		{ "::/0", "2001:db8::1", 1 },
		{ "::/0", "1.2.3.4", 0 },
		{ "any", "1.2.3.4", 1 },
		{ "any", "2001:db8::1", 1 },
		{ "none", "127.0.0.1", 0 },
		{ "fe80::/10", "fe80::1", 1 },
		{ "fe80::/10", "febf:ffff::1", 1 },
		{ "fe80::/10", "fec0::1", 0 },
		{ "fc00::/7", "fdff::1", 1 },
		{ "fc00::/7", "fe00::1", 0 },
		{ "2001:db8::/127", "2001:db8::1", 1 },
		{ "2001:db8::/127", "2001:db8::2", 0 },
		{ "10.0.0.0/8 192.168.0.0/16", "192.168.7.7", 1 },
		{ "10.0.0.0/8 192.168.0.0/16", "11.0.0.1", 0 },
	};
	struct netacl acl;
	char why[200];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		REQUIRE(netacl_parse(t[i].list, &acl, why, sizeof(why)) == 0);
		CHECK(match_text(&acl, t[i].addr) == t[i].in);
		if (match_text(&acl, t[i].addr) != t[i].in)
			fprintf(stderr, "  %s in %s: want %d\n", t[i].addr,
			    t[i].list, t[i].in);
	}
}

/* Peers as libmicrohttpd hands them: sockaddr_in, sockaddr_in6, mapped. */
static void
test_sockaddr(void)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	struct sockaddr sx;
	struct netacl acl;
	uint8_t key[16];
	char why[200];
	int fam = 0;

	REQUIRE(netacl_parse("192.168.0.0/16 fd00::/8", &acl, why,
	    sizeof(why)) == 0);
	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	REQUIRE(inet_pton(AF_INET, "192.168.3.4", &s4.sin_addr) == 1);
	CHECK(netacl_match(&acl, (struct sockaddr *)&s4) == 1);
	CHECK(netacl_key((struct sockaddr *)&s4, &fam, key) == 0);
	CHECK(fam == AF_INET && key[0] == 192 && key[3] == 4 && key[4] == 0);
	REQUIRE(inet_pton(AF_INET, "192.169.3.4", &s4.sin_addr) == 1);
	CHECK(netacl_match(&acl, (struct sockaddr *)&s4) == 0);

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	REQUIRE(inet_pton(AF_INET6, "::ffff:192.168.3.4", &s6.sin6_addr) == 1);
	CHECK(netacl_match(&acl, (struct sockaddr *)&s6) == 1);
	CHECK(netacl_key((struct sockaddr *)&s6, &fam, key) == 0);
	CHECK(fam == AF_INET && key[0] == 192 && key[15] == 0);
	/* Not mapped (::192.168.3.4, the old compatible form): IPv6. */
	REQUIRE(inet_pton(AF_INET6, "::192.168.3.4", &s6.sin6_addr) == 1);
	CHECK(netacl_match(&acl, (struct sockaddr *)&s6) == 0);
	REQUIRE(inet_pton(AF_INET6, "fd00::7", &s6.sin6_addr) == 1);
	CHECK(netacl_match(&acl, (struct sockaddr *)&s6) == 1);
	CHECK(netacl_key((struct sockaddr *)&s6, &fam, key) == 0);
	CHECK(fam == AF_INET6 && key[0] == 0xfd && key[15] == 7);

	memset(&sx, 0, sizeof(sx));
	sx.sa_family = AF_UNIX;
	CHECK(netacl_match(&acl, &sx) == 0);
	CHECK(netacl_key(&sx, &fam, key) == -1);
	CHECK(netacl_match(&acl, NULL) == 0);
	CHECK(netacl_match(NULL, (struct sockaddr *)&s4) == 0);
}

/* Bit i of a (most significant first). */
static int
bit(const uint8_t *a, unsigned i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

/* The reference: compare bit by bit. */
static int
ref_in(const struct netacl_net *net, int family, const uint8_t *a)
{
	unsigned i;

	if (net->family != family)
		return 0;
	for (i = 0; i < net->bits; i++)
		if (bit(net->addr, i) != bit(a, i))
			return 0;
	return 1;
}

/* Random networks (as text, through the parser) against random peers. */
static void
test_random(void)
{
	unsigned seed = 8, k, i, bad = 0, hits = 0;
	char text[INET6_ADDRSTRLEN + 8], why[200];
	struct netacl acl;
	uint8_t a[16], b[16];

	for (k = 0; k < 4000; k++) {
		int v6 = rand_r(&seed) & 1, fam = v6 ? AF_INET6 : AF_INET;
		unsigned len = v6 ? 16 : 4, bits = (unsigned)rand_r(&seed) %
		    (len * 8 + 1);

		for (i = 0; i < 16; i++) {
			a[i] = (uint8_t)rand_r(&seed);
			b[i] = (uint8_t)rand_r(&seed);
		}
		/* Zero the host bits so that the parser takes it. */
		for (i = bits; i < len * 8; i++)
			a[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
		/* Half the peers share the prefix, with random bits after. */
		if (rand_r(&seed) & 1)
			for (i = 0; i < bits; i++)
				b[i / 8] = (uint8_t)((b[i / 8] &
				    ~(0x80 >> (i % 8))) | (bit(a, i) <<
				    (7 - i % 8)));
		inet_ntop(fam, a, text, sizeof(text));
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    "/%u", bits);
		REQUIRE(netacl_parse(text, &acl, why, sizeof(why)) == 0);
		REQUIRE(acl.n == 1 && acl.net[0].bits == bits);
		bad += netacl_match_addr(&acl, fam, b) !=
		    ref_in(&acl.net[0], fam, b);
		hits += ref_in(&acl.net[0], fam, b);
	}
	CHECK_EQ_U(bad, 0);
	CHECK(hits > 1000 && hits < 3000);
	if (hits <= 1000 || hits >= 3000)
		fprintf(stderr, "  hits %u\n", hits);
}

TEST_MAIN(TEST(test_parse), TEST(test_match), TEST(test_sockaddr),
    TEST(test_random))
