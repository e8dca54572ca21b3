/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipudp.h: IPv4/IPv6 + UDP headers of a decapsulated datagram, parsed and
 * checked as the kernel would (header checksum, lengths, fragments, IPv6
 * extension headers, UDP checksum), and built for nipcast's outputs.
 * Pure: no I/O, no globals.
 */
#ifndef NIPCACHE_IPUDP_H
#define NIPCACHE_IPUDP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Why a datagram was refused; ipudp_parse returns the negative value. */
enum ipudp_err {
	IPUDP_TRUNC = 1,	/* shorter than its headers or its length */
	IPUDP_VERSION,		/* not version 4 or 6 */
	IPUDP_HDR,		/* IHL < 5, total length < header, bad ext */
	IPUDP_IPCSUM,		/* IPv4 header checksum wrong */
	IPUDP_FRAG,		/* a fragment (not reassembled: counted) */
	IPUDP_PROTO,		/* not UDP */
	IPUDP_UDPLEN,		/* UDP length field disagrees */
	IPUDP_UDPCSUM,		/* UDP checksum wrong (or 0 on IPv6) */
	IPUDP_NERR
};

/* One UDP datagram; payload borrows from the parsed buffer. */
struct ipudp {
	int		family;		/* AF_INET or AF_INET6 */
	uint8_t		src[16];	/* IPv4 in the first 4 bytes, rest 0 */
	uint8_t		dst[16];
	uint16_t	sport;
	uint16_t	dport;
	uint8_t		ttl;		/* TTL or hop limit */
	const uint8_t	*payload;
	size_t		len;		/* UDP payload bytes */
};

/*
 * Parse an IPv4 (options skipped) or IPv6 (hop-by-hop, routing and
 * destination options headers skipped) packet carrying UDP.  Bytes after
 * the IP total/payload length are ignored (link padding).  An IPv4 UDP
 * checksum of 0 means "none"; on IPv6 it is an error.  Returns 0 and
 * fills *out, or -IPUDP_* (*out undefined).
 */
int		ipudp_parse(const uint8_t *p, size_t len, struct ipudp *out);
/* Short stable name ("udp_checksum") of -rc or rc; "?" if unknown. */
const char	*ipudp_err_name(int e);
/*
 * Write IP + UDP headers and h->payload (h->len bytes) into buf: IPv4
 * with DF, id 0, the given TTL (64 if 0) and both checksums; IPv6 with
 * hop limit ttl (64 if 0 too) and the UDP checksum.  h->payload may
 * already sit at its final place in buf (it is moved first).  Returns the
 * packet length, or -1 if the family is neither AF_INET nor AF_INET6, cap
 * is too small or the payload cannot fit one IP packet.
 */
ssize_t		ipudp_build(uint8_t *buf, size_t cap, const struct ipudp *h);
/*
 * The link-layer address an IP packet goes to: the IP multicast MAC of
 * its destination (01:00:5e + low 23 bits; 33:33 + low 32 bits for IPv6),
 * else 02:00:00:00:00:01.  ip may be truncated (then the latter).
 */
void		ipudp_dst_mac(const uint8_t *ip, size_t len, uint8_t mac[6]);

#endif
