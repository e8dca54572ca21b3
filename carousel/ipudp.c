/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipudp.c: IPv4/IPv6 + UDP, parsed with the checks the Linux receive path
 * makes before a socket sees a datagram (ip_rcv_core, ipv6_rcv, udp_rcv),
 * so that a capture or a decapsulated stream yields exactly what the
 * kernel would have delivered from the same packets; and built, for the
 * sender's outputs.
 *
 * Error precedence is part of the contract the tests pin down: a header
 * whose fixed part does not fit in the bytes (or in the length the layer
 * below declares) is IPUDP_TRUNC; a length field that claims more than
 * the layer below declares is the error of the header carrying it
 * (IPUDP_HDR for IP and extension headers, IPUDP_UDPLEN for UDP).
 */
#include <string.h>
#include <sys/socket.h>

#include "ipudp.h"

#define IP4_HDR		20
#define IP6_HDR		40
#define UDP_HDR		8
#define IP_MAXLEN	0xffff
/* More extension headers than this is an attack, not a packet. */
#define IP6_MAX_EXT	8

#define NH_HOPOPTS	0
#define NH_UDP		17
#define NH_ROUTING	43
#define NH_FRAGMENT	44
#define NH_DSTOPTS	60

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
wr16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * One's-complement sum (RFC 1071) of n bytes taken as big-endian 16-bit
 * words, an odd last byte padded with zero; unfolded.  Every caller's
 * pieces start at an even offset of the checksummed whole.
 */
static uint64_t
csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += rd16(p + i);
	if (n & 1)
		sum += (uint64_t)p[n - 1] << 8;
	return sum;
}

static uint16_t
csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * The pseudo-header of RFC 768 (IPv4) and RFC 8200 8.1 (IPv6): both
 * addresses, the protocol and the UDP length.  For IPv6 the length and
 * next header are 32-bit fields whose high bits are zero here, so the
 * same words sum to the same value.
 */
static uint64_t
csum_pseudo(int family, const uint8_t *src, const uint8_t *dst, size_t ulen)
{
	size_t alen = family == AF_INET6 ? 16 : 4;
	uint64_t sum;

	sum = csum_add(0, src, alen);
	sum = csum_add(sum, dst, alen);
	return sum + NH_UDP + ulen;
}

/*
 * The UDP header at udp, with avail bytes of IP payload behind it; the
 * addresses and family in *out are already set.  Bytes of IP payload
 * beyond the UDP length are ignored, as udp_rcv trims them.
 */
static int
udp_check(const uint8_t *udp, size_t avail, struct ipudp *out)
{
	size_t ulen;
	uint16_t ck;
	uint64_t sum;

	if (avail < UDP_HDR)
		return -IPUDP_TRUNC;
	ulen = rd16(udp + 4);
	if (ulen < UDP_HDR || ulen > avail)
		return -IPUDP_UDPLEN;
	ck = rd16(udp + 6);
	if (ck == 0 && out->family == AF_INET6)
		return -IPUDP_UDPCSUM;
	if (ck != 0) {
		sum = csum_pseudo(out->family, out->src, out->dst, ulen);
		if (csum_fold(csum_add(sum, udp, ulen)) != 0xffff)
			return -IPUDP_UDPCSUM;
	}
	out->sport = rd16(udp);
	out->dport = rd16(udp + 2);
	out->payload = udp + UDP_HDR;
	out->len = ulen - UDP_HDR;
	return 0;
}

/* IPv4, in the order of ip_rcv_core: header, checksum, then lengths. */
static int
parse_v4(const uint8_t *p, size_t len, struct ipudp *out)
{
	size_t hl, tot;

	if (len < IP4_HDR)
		return -IPUDP_TRUNC;
	hl = (size_t)(p[0] & 0x0f) * 4;
	if (hl < IP4_HDR)
		return -IPUDP_HDR;
	if (len < hl)
		return -IPUDP_TRUNC;
	if (csum_fold(csum_add(0, p, hl)) != 0xffff)
		return -IPUDP_IPCSUM;
	tot = rd16(p + 2);
	if (tot > len)
		return -IPUDP_TRUNC;
	if (tot < hl)
		return -IPUDP_HDR;
	/* MF set or a nonzero offset; the reserved bit is ignored. */
	if (rd16(p + 6) & 0x3fff)
		return -IPUDP_FRAG;
	if (p[9] != NH_UDP)
		return -IPUDP_PROTO;
	memset(out, 0, sizeof(*out));
	out->family = AF_INET;
	memcpy(out->src, p + 12, 4);
	memcpy(out->dst, p + 16, 4);
	out->ttl = p[8];
	return udp_check(p + hl, tot - hl, out);
}

/*
 * Walk the extension headers a receiver must skip to reach UDP, from
 * *off within the IPv6 payload that ends at end.  Hop-by-hop options
 * are only valid straight after the fixed header (RFC 8200 4.1).
 * Returns the upper-layer protocol with *off at its header, or -IPUDP_*.
 */
static int
v6_skip_ext(const uint8_t *p, size_t end, size_t *off)
{
	uint8_t nh = p[6];
	size_t elen;
	int n;

	for (n = 0; nh == NH_HOPOPTS || nh == NH_ROUTING || nh == NH_DSTOPTS;
	    n++) {
		if (n == IP6_MAX_EXT || (nh == NH_HOPOPTS && n > 0))
			return -IPUDP_HDR;
		if (end - *off < 8)
			return -IPUDP_TRUNC;
		elen = ((size_t)p[*off + 1] + 1) * 8;
		if (elen > end - *off)
			return -IPUDP_HDR;
		nh = p[*off];
		*off += elen;
	}
	return nh;
}

static int
parse_v6(const uint8_t *p, size_t len, struct ipudp *out)
{
	size_t end, off = IP6_HDR;
	int nh;

	if (len < IP6_HDR)
		return -IPUDP_TRUNC;
	end = IP6_HDR + (size_t)rd16(p + 4);
	if (end > len)
		return -IPUDP_TRUNC;
	nh = v6_skip_ext(p, end, &off);
	if (nh < 0)
		return nh;
	if (nh == NH_FRAGMENT)
		return -IPUDP_FRAG;
	if (nh != NH_UDP)
		return -IPUDP_PROTO;
	memset(out, 0, sizeof(*out));
	out->family = AF_INET6;
	memcpy(out->src, p + 8, 16);
	memcpy(out->dst, p + 24, 16);
	out->ttl = p[7];
	return udp_check(p + off, end - off, out);
}

int
ipudp_parse(const uint8_t *p, size_t len, struct ipudp *out)
{
	if (len < 1)
		return -IPUDP_TRUNC;
	switch (p[0] >> 4) {
	case 4:
		return parse_v4(p, len, out);
	case 6:
		return parse_v6(p, len, out);
	default:
		return -IPUDP_VERSION;
	}
}

static const char *const err_names[IPUDP_NERR] = {
	[IPUDP_TRUNC] = "truncated",
	[IPUDP_VERSION] = "ip_version",
	[IPUDP_HDR] = "ip_header",
	[IPUDP_IPCSUM] = "ip_checksum",
	[IPUDP_FRAG] = "fragment",
	[IPUDP_PROTO] = "not_udp",
	[IPUDP_UDPLEN] = "udp_length",
	[IPUDP_UDPCSUM] = "udp_checksum",
};

const char *
ipudp_err_name(int e)
{
	if (e < 0 && e > -IPUDP_NERR)
		e = -e;
	if (e < 0 || e >= IPUDP_NERR || err_names[e] == NULL)
		return "?";
	return err_names[e];
}

static void
build_v4(uint8_t *p, const struct ipudp *h, size_t tot)
{
	p[0] = 0x45;
	p[1] = 0;
	wr16(p + 2, tot);
	wr16(p + 4, 0);
	wr16(p + 6, 0x4000);		/* DF: never fragmented by us */
	p[8] = h->ttl ? h->ttl : 64;
	p[9] = NH_UDP;
	wr16(p + 10, 0);
	memcpy(p + 12, h->src, 4);
	memcpy(p + 16, h->dst, 4);
	wr16(p + 10, (uint16_t)~csum_fold(csum_add(0, p, IP4_HDR)));
}

static void
build_v6(uint8_t *p, const struct ipudp *h, size_t ulen)
{
	p[0] = 0x60;
	p[1] = p[2] = p[3] = 0;
	wr16(p + 4, ulen);
	p[6] = NH_UDP;
	p[7] = h->ttl ? h->ttl : 64;
	memcpy(p + 8, h->src, 16);
	memcpy(p + 24, h->dst, 16);
}

/*
 * The payload is moved first, with memmove, so that a caller may have
 * put it at its final place in buf already.
 */
ssize_t
ipudp_build(uint8_t *buf, size_t cap, const struct ipudp *h)
{
	size_t hl, ulen, tot;
	uint8_t *udp;
	uint16_t ck;

	if (h->family == AF_INET)
		hl = IP4_HDR;
	else if (h->family == AF_INET6)
		hl = IP6_HDR;
	else
		return -1;
	/* IPv4 total length, or IPv6 payload (= UDP) length, is 16 bits. */
	if (h->len > IP_MAXLEN - UDP_HDR - (h->family == AF_INET ? hl : 0))
		return -1;
	ulen = UDP_HDR + h->len;
	tot = hl + ulen;
	if (cap < tot || (h->len > 0 && h->payload == NULL))
		return -1;
	udp = buf + hl;
	if (h->len > 0)
		memmove(udp + UDP_HDR, h->payload, h->len);
	wr16(udp, h->sport);
	wr16(udp + 2, h->dport);
	wr16(udp + 4, ulen);
	wr16(udp + 6, 0);
	if (h->family == AF_INET)
		build_v4(buf, h, tot);
	else
		build_v6(buf, h, ulen);
	ck = csum_fold(csum_add(csum_pseudo(h->family, h->src, h->dst, ulen),
	    udp, ulen));
	/*
	 * The checksum is ~ck; a computed 0 (ck 0xffff) is sent as its other
	 * one's-complement form, 0xffff.
	 */
	wr16(udp + 6, ck == 0xffff ? 0xffff : (uint16_t)~ck);
	return (ssize_t)tot;
}
