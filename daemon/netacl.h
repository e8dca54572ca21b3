/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netacl.h: lists of IPv4 and IPv6 networks in CIDR notation, and whether
 * a client address falls in one.  Pure: no I/O, no globals.  [http]
 * admin_allow and limit_exempt are parsed with it (conf_http.c), and the
 * HTTP server matches each new connection's peer against them
 * (httpd_guard.c).  An IPv4 client seen on a dual-stack socket
 * (::ffff:a.b.c.d) matches the IPv4 networks.
 */
#ifndef NIPCACHE_NETACL_H
#define NIPCACHE_NETACL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define NETACL_MAX	32	/* networks in one list */

struct netacl_net {
	uint8_t		family;		/* AF_INET or AF_INET6 */
	uint8_t		bits;		/* prefix length */
	uint8_t		addr[16];	/* network, host bits zero */
};

struct netacl {
	size_t		n;
	struct netacl_net net[NETACL_MAX];
};

/*
 * Parse a list of networks separated by blanks: "192.168.0.0/16",
 * "fe80::/10", a bare address (a /32 or /128), "any" (every IPv4 and IPv6
 * address) or "none" (the empty list, alone).  Host bits set under the
 * prefix ("192.168.1.1/16") are refused as a likely typo.  0 with *out
 * filled, or -1 with why (*out is then empty).
 */
int	netacl_parse(const char *s, struct netacl *out, char *why, size_t n);
/* 1 if the address (4 or 16 bytes by family) is in one of the networks. */
int	netacl_match_addr(const struct netacl *acl, int family,
	    const uint8_t *addr);
/* 1 if sa (AF_INET or AF_INET6) is in one of the networks; 0 otherwise. */
int	netacl_match(const struct netacl *acl, const struct sockaddr *sa);
/*
 * The address of sa as a key: *family and 16 bytes (IPv4 in the first 4,
 * the rest zero; a v4-mapped IPv6 address as IPv4).  0, or -1 if sa is
 * neither IPv4 nor IPv6.
 */
int	netacl_key(const struct sockaddr *sa, int *family, uint8_t addr[16]);

#endif
