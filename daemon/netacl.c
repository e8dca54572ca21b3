/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netacl.c: CIDR network lists (netacl.h).  Addresses are compared as
 * byte strings under a prefix mask, IPv4 as 4 bytes and IPv6 as 16, so
 * one matcher serves both families.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "netacl.h"

#define NETACL_TOKEN_MAX	64	/* an IPv6 address and "/128" fit */

static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

static size_t
addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* 1 if the first bits of a and b are equal. */
static int
prefix_eq(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;
	uint8_t mask;

	if (memcmp(a, b, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (uint8_t)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

/* 1 if a bit after the first bits of a is set. */
static int
host_bits_set(const uint8_t *a, unsigned bits, size_t len)
{
	size_t i;

	for (i = bits / 8; i < len; i++) {
		uint8_t keep = i == bits / 8 && bits % 8 != 0 ?
		    (uint8_t)(0xff << (8 - bits % 8)) : 0;

		if ((a[i] & (uint8_t)~keep) != 0)
			return 1;
	}
	return 0;
}

/* "A", "A/N": one network into net.  0 or -1. */
static int
net_parse(const char *tok, struct netacl_net *net)
{
	char buf[NETACL_TOKEN_MAX];
	const char *slash = strchr(tok, '/');
	size_t alen = slash != NULL ? (size_t)(slash - tok) : strlen(tok);
	unsigned bits = 0, max;
	const char *p;

	if (alen == 0 || alen >= sizeof(buf))
		return -1;
	memcpy(buf, tok, alen);
	buf[alen] = '\0';
	memset(net, 0, sizeof(*net));
	if (inet_pton(AF_INET, buf, net->addr) == 1)
		net->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, net->addr) == 1)
		net->family = AF_INET6;
	else
		return -1;
	max = net->family == AF_INET ? 32 : 128;
	if (slash == NULL) {
		net->bits = (uint8_t)max;
		return 0;
	}
	for (p = slash + 1; *p >= '0' && *p <= '9' && p - slash <= 3; p++)
		bits = bits * 10 + (unsigned)(*p - '0');
	if (p == slash + 1 || *p != '\0' || bits > max ||
	    host_bits_set(net->addr, bits, addr_len(net->family)))
		return -1;
	net->bits = (uint8_t)bits;
	return 0;
}

static int
acl_add(struct netacl *acl, const struct netacl_net *net)
{
	if (acl->n >= NETACL_MAX)
		return -1;
	acl->net[acl->n++] = *net;
	return 0;
}

/* "any": 0.0.0.0/0 and ::/0. */
static int
acl_add_any(struct netacl *acl)
{
	struct netacl_net net;

	memset(&net, 0, sizeof(net));
	net.family = AF_INET;
	if (acl_add(acl, &net) < 0)
		return -1;
	net.family = AF_INET6;
	return acl_add(acl, &net);
}

int
netacl_parse(const char *s, struct netacl *out, char *why, size_t n)
{
	char tok[NETACL_TOKEN_MAX];
	struct netacl_net net;
	size_t l, ntok = 0;
	int none = 0;

	memset(out, 0, sizeof(*out));
	for (; s != NULL && *s != '\0'; s += l) {
		s += strspn(s, " \t");
		if ((l = strcspn(s, " \t")) == 0)
			break;
		ntok++;
		if (l >= sizeof(tok))
			goto bad;
		memcpy(tok, s, l);
		tok[l] = '\0';
		if (strcmp(tok, "none") == 0)
			none = 1;
		else if (strcmp(tok, "any") == 0 ? acl_add_any(out) < 0 :
		    net_parse(tok, &net) < 0 || acl_add(out, &net) < 0)
			goto bad;
	}
	if (ntok == 0 || (none && ntok > 1)) {
		snprintf(why, n, "expected networks (192.168.0.0/16 fd00::/8), "
		    "any, or none alone");
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
bad:
	snprintf(why, n, "expected at most %d networks such as 10.0.0.0/8 or "
	    "fe80::/10 (no host bits under the prefix), any, or none",
	    NETACL_MAX);
	memset(out, 0, sizeof(*out));
	return -1;
}

int
netacl_match_addr(const struct netacl *acl, int family, const uint8_t *addr)
{
	size_t i;

	for (i = 0; i < acl->n; i++) {
		if (acl->net[i].family == family &&
		    prefix_eq(acl->net[i].addr, addr, acl->net[i].bits))
			return 1;
	}
	return 0;
}

int
netacl_key(const struct sockaddr *sa, int *family, uint8_t addr[16])
{
	const struct sockaddr_in6 *s6;

	memset(addr, 0, 16);
	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET) {
		memcpy(addr, &((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr, 4);
		*family = AF_INET;
		return 0;
	}
	if (sa->sa_family != AF_INET6)
		return -1;
	s6 = (const struct sockaddr_in6 *)(const void *)sa;
	if (memcmp(s6->sin6_addr.s6_addr, v4mapped, 12) == 0) {
		memcpy(addr, s6->sin6_addr.s6_addr + 12, 4);
		*family = AF_INET;
		return 0;
	}
	memcpy(addr, s6->sin6_addr.s6_addr, 16);
	*family = AF_INET6;
	return 0;
}

int
netacl_match(const struct netacl *acl, const struct sockaddr *sa)
{
	uint8_t addr[16];
	int family;

	if (acl == NULL || netacl_key(sa, &family, addr) < 0)
		return 0;
	return netacl_match_addr(acl, family, addr);
}
