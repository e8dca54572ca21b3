/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ipudp.c: the IPv4/IPv6 + UDP parser against packets the test
 * builds itself (with its own checksum code), table-driven valid and
 * invalid cases for both families, build -> parse round trips of seeded
 * random sizes, every single-bit flip and every truncation of small
 * packets, and the error names.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "test.h"
#include "testutil.h"
#include "../../carousel/ipudp.h"

#define BIG	(65535 + 64)
#define NPAY	11		/* odd, so the checksum pads a byte */
#define MAXEXT	10

static const uint8_t src4[4] = { 10, 0, 0, 1 };
static const uint8_t dst4[4] = { 239, 1, 2, 3 };
static const uint8_t src6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t dst6[16] = { 0xff, 0x3e, [14] = 0x12, [15] = 0x34 };

/* RFC 1071, written independently of the parser's. */
static uint32_t
t_sum(uint32_t s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	return s;
}

static uint16_t
t_fold(uint32_t s)
{
	while (s > 0xffff)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The UDP checksum over ulen bytes at udp (its field must be 0). */
static uint16_t
t_udp_csum(int v6, const uint8_t *src, const uint8_t *dst,
    const uint8_t *udp, size_t ulen)
{
	size_t alen = v6 ? 16 : 4;
	uint32_t s;

	s = t_sum(0, src, alen) + t_sum(0, dst, alen) + 17 + (uint32_t)ulen;
	return (uint16_t)~t_fold(t_sum(s, udp, ulen));
}

/*
 * One test packet: a correct IPv4 or IPv6 UDP packet with NPAY payload
 * bytes, then the listed changes.  Fields left 0 keep the packet valid.
 */
struct pspec {
	const char	*name;
	int		v6;
	int		ihl;		/* v4 IHL written (0: 5) */
	int		ihl_set;	/* v4: IHL + 1 put in at the end */
	uint16_t	fragw;		/* v4 flags + offset (0: DF) */
	uint8_t		proto;		/* upper layer (0: UDP) */
	int		next;		/* v6 extension headers */
	uint8_t		ext[MAXEXT];
	int		ext_over;	/* v6: last ext header too long */
	int		iplen_delta;	/* v4 total, v6 payload length */
	int		iplen_set;	/* ... or this value (+1) */
	int		ulen_delta;	/* UDP length */
	int		ulen_set;	/* ... or this value (+1) */
	int		ck;		/* 1: UDP checksum 0, 2: wrong */
	int		ipck_bad;
	int		version;	/* overwrite (0: keep) */
	size_t		pad;
	size_t		cut;
	int		want;
};

/* Builds s into p; returns the length, *poff the payload offset. */
static size_t
t_build(const struct pspec *s, uint8_t *p, size_t *poff)
{
	size_t hl = 20, off, i, ulen, avail, tot;
	int v6 = s->v6, ihl = s->ihl ? s->ihl : 5;
	uint8_t *udp;

	memset(p, 0, 256);
	if (!v6) {
		hl = (size_t)ihl * 4;
		for (i = 20; i < hl; i++)
			p[i] = i + 1 == hl ? 0 : 1;	/* NOPs, then EOL */
		off = hl;
	} else {
		off = 40;
		for (i = 0; i < (size_t)s->next; i++) {
			uint8_t nt = i + 1 < (size_t)s->next ? s->ext[i + 1] :
			    (s->proto ? s->proto : 17);
			p[off] = nt;
			/* Routing headers 16 bytes, the others 8. */
			p[off + 1] = s->ext[i] == 43 ? 1 : 0;
			if (s->ext_over && i + 1 == (size_t)s->next)
				p[off + 1] = 200;
			off += s->ext[i] == 43 ? 16 : 8;
		}
	}
	udp = p + off;
	*poff = off + 8;
	for (i = 0; i < NPAY; i++)
		udp[8 + i] = (uint8_t)(i * 37 + 5);
	avail = 8 + NPAY;
	ulen = s->ulen_set ? (size_t)s->ulen_set - 1 :
	    (size_t)((int)avail + s->ulen_delta);
	put16(udp, 1000);
	put16(udp + 2, 2000);
	put16(udp + 4, (uint32_t)ulen);
	if (s->ck != 1 && ulen <= avail) {
		uint16_t c = t_udp_csum(v6, v6 ? src6 : src4, v6 ? dst6 : dst4,
		    udp, ulen);

		put16(udp + 6, c ? c : 0xffff);
		if (s->ck == 2)
			udp[7] ^= 0x10;
	}
	tot = off + avail;
	if (!v6) {
		p[0] = (uint8_t)(0x40 | ihl);
		put16(p + 2, s->iplen_set ? (uint32_t)s->iplen_set - 1 :
		    (uint32_t)((int)tot + s->iplen_delta));
		put16(p + 6, s->fragw ? s->fragw : 0x4000);
		p[8] = 33;
		p[9] = s->proto ? s->proto : 17;
		memcpy(p + 12, src4, 4);
		memcpy(p + 16, dst4, 4);
		if (s->ihl_set)
			p[0] = (uint8_t)(0x40 | (s->ihl_set - 1));
		put16(p + 10, (uint16_t)~t_fold(t_sum(0, p, hl)) ^
		    (s->ipck_bad ? 0x0100 : 0));
	} else {
		p[0] = 0x60;
		put16(p + 4, s->iplen_set ? (uint32_t)s->iplen_set - 1 :
		    (uint32_t)((int)tot - 40 + s->iplen_delta));
		p[6] = s->next ? s->ext[0] : (s->proto ? s->proto : 17);
		p[7] = 7;
		memcpy(p + 8, src6, 16);
		memcpy(p + 24, dst6, 16);
	}
	if (s->version)
		p[0] = (uint8_t)((s->version & 15) << 4 | (p[0] & 15));
	for (i = 0; i < s->pad; i++)
		p[tot + i] = 0xee;
	return tot + s->pad - s->cut;
}

#define V6	.v6 = 1
#define E(...)	.next = sizeof((uint8_t[]){ __VA_ARGS__ }), \
		.ext = { __VA_ARGS__ }

static const struct pspec cases[] = {
	{ "v4", .want = 0 },
	{ "v4 ihl 6", .ihl = 6 },
	{ "v4 ihl 15", .ihl = 15 },
	{ "v4 udp checksum 0", .ck = 1 },
	{ "v4 link padding", .pad = 7 },
	{ "v4 udp shorter than ip", .ulen_delta = -3 },
	{ "v4 reserved flag", .fragw = 0x8000 },
	{ "v4 no df", .fragw = 0, .want = 0 },
	{ "v4 total covers padding", .iplen_delta = 1, .pad = 1 },
	{ "v4 ihl 4", .ihl_set = 5, .want = -IPUDP_HDR },
	{ "v4 ihl 0", .ihl_set = 1, .want = -IPUDP_HDR },
	{ "v4 ihl past end", .ihl_set = 16, .cut = 10, .want = -IPUDP_TRUNC },
	{ "v4 ip checksum", .ipck_bad = 1, .want = -IPUDP_IPCSUM },
	{ "v4 more fragments", .fragw = 0x2000, .want = -IPUDP_FRAG },
	{ "v4 offset", .fragw = 0x0001, .want = -IPUDP_FRAG },
	{ "v4 df and offset", .fragw = 0x5fff, .want = -IPUDP_FRAG },
	{ "v4 tcp", .proto = 6, .want = -IPUDP_PROTO },
	{ "v4 total too long", .iplen_delta = 1, .want = -IPUDP_TRUNC },
	{ "v4 total below header", .iplen_set = 20, .want = -IPUDP_HDR },
	{ "v4 total 0", .iplen_set = 1, .want = -IPUDP_HDR },
	{ "v4 no room for udp", .iplen_delta = -NPAY - 1,
	    .want = -IPUDP_TRUNC },
	{ "v4 udp len past ip", .ulen_delta = 1, .want = -IPUDP_UDPLEN },
	{ "v4 udp len 7", .ulen_set = 8, .want = -IPUDP_UDPLEN },
	{ "v4 udp len 0", .ulen_set = 1, .want = -IPUDP_UDPLEN },
	{ "v4 udp checksum", .ck = 2, .want = -IPUDP_UDPCSUM },
	{ "version 5", .version = 5, .want = -IPUDP_VERSION },
	{ "version 0", .version = 16, .want = -IPUDP_VERSION },
	{ "v4 empty", .cut = 20 + 8 + NPAY, .want = -IPUDP_TRUNC },
	{ "v6", V6 },
	{ "v6 hop-by-hop", V6, E(0) },
	{ "v6 hbh routing dstopts", V6, E(0, 43, 60) },
	{ "v6 dstopts twice", V6, E(60, 60) },
	{ "v6 eight ext", V6, E(0, 60, 43, 60, 43, 60, 43, 60) },
	{ "v6 nine ext", V6, E(0, 60, 43, 60, 43, 60, 43, 60, 60),
	    .want = -IPUDP_HDR },
	{ "v6 hbh not first", V6, E(60, 0), .want = -IPUDP_HDR },
	{ "v6 fragment", V6, E(44), .want = -IPUDP_FRAG },
	{ "v6 hbh fragment", V6, E(0, 44), .want = -IPUDP_FRAG },
	{ "v6 tcp", V6, .proto = 6, .want = -IPUDP_PROTO },
	{ "v6 no next header", V6, .proto = 59, .want = -IPUDP_PROTO },
	{ "v6 icmp after ext", V6, E(0, 60), .proto = 58,
	    .want = -IPUDP_PROTO },
	{ "v6 ext overruns", V6, E(0, 60), .ext_over = 1,
	    .want = -IPUDP_HDR },
	{ "v6 ext cut by length", V6, E(0), .iplen_set = 5,
	    .want = -IPUDP_TRUNC },
	{ "v6 payload too long", V6, .iplen_delta = 1, .want = -IPUDP_TRUNC },
	{ "v6 payload covers pad", V6, .iplen_delta = 1, .pad = 1 },
	{ "v6 no room for udp", V6, .iplen_set = 8, .want = -IPUDP_TRUNC },
	{ "v6 udp checksum 0", V6, .ck = 1, .want = -IPUDP_UDPCSUM },
	{ "v6 udp checksum", V6, E(43), .ck = 2, .want = -IPUDP_UDPCSUM },
	{ "v6 udp len past ip", V6, .ulen_delta = 1, .want = -IPUDP_UDPLEN },
	{ "v6 udp len 7", V6, .ulen_set = 8, .want = -IPUDP_UDPLEN },
	{ "v6 udp shorter than ip", V6, E(60), .ulen_delta = -5 },
	{ "v6 link padding", V6, E(0, 43), .pad = 20 },
	{ "v6 cut header", V6, .cut = 8 + NPAY + 1, .want = -IPUDP_TRUNC },
	{ "v6 as v4", V6, .version = 4, .want = -IPUDP_HDR },
};

static void
check_ok(const struct pspec *s, const uint8_t *p, size_t poff,
    const struct ipudp *u)
{
	size_t want_len = (size_t)(NPAY + s->ulen_delta);

	CHECK(u->family == (s->v6 ? AF_INET6 : AF_INET));
	CHECK(u->payload == p + poff);
	CHECK_EQ_U(u->len, want_len);
	CHECK_EQ_U(u->sport, 1000);
	CHECK_EQ_U(u->dport, 2000);
	CHECK_EQ_U(u->ttl, s->v6 ? 7 : 33);
	if (s->v6) {
		CHECK(memcmp(u->src, src6, 16) == 0);
		CHECK(memcmp(u->dst, dst6, 16) == 0);
	} else {
		CHECK(memcmp(u->src, src4, 4) == 0);
		CHECK(memcmp(u->dst, dst4, 4) == 0);
		CHECK(u->src[4] == 0 && u->dst[15] == 0);
	}
}

static void
test_table(void)
{
	static uint8_t p[512];
	struct ipudp u;
	size_t i, n, poff;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = t_build(&cases[i], p, &poff);
		rc = ipudp_parse(p, n, &u);
		if (rc != cases[i].want)
			fprintf(stderr, "case \"%s\": rc %d (%s), want %d\n",
			    cases[i].name, rc, ipudp_err_name(rc),
			    cases[i].want);
		CHECK(rc == cases[i].want);
		if (rc == 0 && cases[i].want == 0)
			check_ok(&cases[i], p, poff, &u);
	}
}

/* Independent checks of what ipudp_build wrote. */
static void
check_built(const uint8_t *p, size_t n, const struct ipudp *h)
{
	int v6 = h->family == AF_INET6;
	size_t hl = v6 ? 40 : 20;
	const uint8_t *udp = p + hl;

	REQUIRE(n == hl + 8 + h->len);
	if (!v6) {
		CHECK(t_fold(t_sum(0, p, 20)) == 0xffff);
		CHECK(p[0] == 0x45 && p[6] == 0x40 && p[7] == 0);
		CHECK(p[4] == 0 && p[5] == 0);
		CHECK(p[8] == (h->ttl ? h->ttl : 64));
		CHECK((size_t)(p[2] << 8 | p[3]) == n);
	} else {
		CHECK(p[0] == 0x60 && p[6] == 17);
		CHECK(p[7] == (h->ttl ? h->ttl : 64));
		CHECK((size_t)(p[4] << 8 | p[5]) == n - 40);
	}
	CHECK((size_t)(udp[4] << 8 | udp[5]) == 8 + h->len);
	CHECK(udp[6] != 0 || udp[7] != 0);
	CHECK(t_fold(t_sum(t_sum(t_sum(17 + (uint32_t)(8 + h->len), h->src,
	    v6 ? 16 : 4), h->dst, v6 ? 16 : 4), udp, 8 + h->len)) == 0xffff);
}

static void
rand_hdr(struct ipudp *h, int v6)
{
	size_t i;

	memset(h, 0, sizeof(*h));
	h->family = v6 ? AF_INET6 : AF_INET;
	for (i = 0; i < (v6 ? 16u : 4u); i++) {
		h->src[i] = (uint8_t)rng();
		h->dst[i] = (uint8_t)rng();
	}
	h->sport = (uint16_t)rng();
	h->dport = (uint16_t)rng();
	h->ttl = (uint8_t)rng();
}

static void
test_roundtrip(void)
{
	static uint8_t pay[BIG], buf[BIG];
	struct ipudp h, u;
	ssize_t n;
	size_t i, k;
	int v6, ok = 0;

	rng_seed(4242);
	for (i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)rng();
	for (k = 0; k < 3000; k++) {
		v6 = (int)(k & 1);
		rand_hdr(&h, v6);
		h.payload = pay + rng_below(64);
		h.len = k % 97 == 0 ? rng_below(65000) : rng_below(1500);
		if (k < 4)
			h.len = k < 2 ? 0 : (v6 ? 65527 : 65507);
		n = ipudp_build(buf, sizeof(buf), &h);
		REQUIRE(n > 0);
		check_built(buf, (size_t)n, &h);
		CHECK(ipudp_parse(buf, (size_t)n, &u) == 0);
		CHECK(u.family == h.family && u.sport == h.sport &&
		    u.dport == h.dport);
		CHECK(u.ttl == (h.ttl ? h.ttl : 64));
		CHECK(memcmp(u.src, h.src, 16) == 0);
		CHECK(memcmp(u.dst, h.dst, 16) == 0);
		CHECK(u.len == h.len && u.payload == buf + (v6 ? 48 : 28));
		ok += u.len == h.len && memcmp(u.payload, h.payload,
		    h.len) == 0;
	}
	CHECK_EQ_U(ok, 3000);
}

/* Sizes, capacities and families the builder must refuse. */
static void
test_build_limits(void)
{
	static uint8_t buf[BIG], pay[BIG];
	struct ipudp h;
	size_t cap;

	rng_seed(7);
	rand_hdr(&h, 0);
	h.payload = pay;
	h.len = 65508;
	CHECK(ipudp_build(buf, sizeof(buf), &h) == -1);
	h.family = AF_INET6;
	h.len = 65528;
	CHECK(ipudp_build(buf, sizeof(buf), &h) == -1);
	h.len = 65527;
	CHECK(ipudp_build(buf, sizeof(buf), &h) == 65575);
	h.family = AF_UNIX;
	h.len = 10;
	CHECK(ipudp_build(buf, sizeof(buf), &h) == -1);
	h.family = AF_INET;
	h.payload = NULL;
	CHECK(ipudp_build(buf, sizeof(buf), &h) == -1);
	h.payload = pay;
	for (cap = 0; cap < 38; cap++)
		CHECK(ipudp_build(buf, cap, &h) == -1);
	CHECK(ipudp_build(buf, 38, &h) == 38);
}

/* The payload already in place, and a checksum that computes to 0. */
static void
test_build_special(void)
{
	static uint8_t buf[256], copy[64];
	struct ipudp h, u;
	uint16_t c;
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		size_t hl = v6 ? 48 : 28;

		rng_seed(99 + (uint64_t)v6);
		rand_hdr(&h, v6);
		memset(copy, 0, sizeof(copy));
		memcpy(copy, "in place payload", 16);
		memcpy(buf + hl, copy, 32);
		h.payload = buf + hl;
		h.len = 32;
		REQUIRE(ipudp_build(buf, sizeof(buf), &h) ==
		    (ssize_t)(hl + 32));
		REQUIRE(ipudp_parse(buf, hl + 32, &u) == 0);
		CHECK(memcmp(u.payload, copy, 32) == 0);
		/*
		 * With the last payload word 0 the checksum is c; putting c
		 * there makes the sum all ones, so the checksum computes to
		 * 0 and must go out as 0xffff.
		 */
		c = (uint16_t)(buf[hl - 2] << 8 | buf[hl - 1]);
		put16(copy + 30, c);
		h.payload = copy;
		REQUIRE(ipudp_build(buf, sizeof(buf), &h) ==
		    (ssize_t)(hl + 32));
		CHECK(buf[hl - 2] == 0xff && buf[hl - 1] == 0xff);
		CHECK(ipudp_parse(buf, hl + 32, &u) == 0);
	}
}

/*
 * Every single-bit flip.  IPv4: the header checksum covers the header
 * and the UDP checksum the rest, so every flip is refused; only a flip
 * that turns the UDP checksum field into 0 ("none") leaves a valid
 * packet.  IPv6 has no header checksum and neither traffic class, flow
 * label nor hop limit is in the pseudo-header: those flips are accepted.
 */
static void
flip_one(uint8_t *p, size_t n, size_t hl, int v6, size_t bit)
{
	struct ipudp u;
	size_t byte = bit / 8;
	int rc, accept;

	p[byte] ^= (uint8_t)(0x80 >> (bit % 8));
	rc = ipudp_parse(p, n, &u);
	if (v6)
		accept = (bit >= 4 && bit < 32) || byte == 7;
	else
		accept = (byte == hl + 6 || byte == hl + 7) &&
		    (p[hl + 6] | p[hl + 7]) == 0;
	if (accept != (rc == 0))
		fprintf(stderr, "flip v%d bit %zu: rc %d\n", v6 ? 6 : 4, bit,
		    rc);
	CHECK(accept == (rc == 0));
	if (!v6 && byte >= 1 && byte < 20)
		CHECK(rc == -IPUDP_IPCSUM);
	if (byte >= hl + 8)
		CHECK(rc == -IPUDP_UDPCSUM);
	if (v6 && byte == 7)
		CHECK(rc == 0 && u.ttl == p[7]);
	p[byte] ^= (uint8_t)(0x80 >> (bit % 8));
}

static void
flip_all(const struct ipudp *h)
{
	static uint8_t buf[128];
	struct ipudp u;
	ssize_t n;
	size_t bit;
	int v6 = h->family == AF_INET6;

	n = ipudp_build(buf, sizeof(buf), h);
	REQUIRE(n > 0);
	for (bit = 0; bit < (size_t)n * 8; bit++)
		flip_one(buf, (size_t)n, v6 ? 40 : 20, v6, bit);
	CHECK(ipudp_parse(buf, (size_t)n, &u) == 0);
}

static void
test_bitflips(void)
{
	static uint8_t buf[128];
	uint8_t pay[6] = "hello";
	struct ipudp h;
	uint32_t w;
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		rng_seed(3);
		rand_hdr(&h, v6);
		h.payload = pay;
		h.len = 5;
		flip_all(&h);
	}
	/*
	 * An IPv4 packet whose UDP checksum is a single set bit (found by
	 * trying every last payload word): one flip turns it into 0.
	 */
	h.family = AF_INET;
	h.len = sizeof(pay);
	for (w = 0; w <= 0xffff; w++) {
		put16(pay + 4, w);
		if (ipudp_build(buf, sizeof(buf), &h) == 34 &&
		    buf[26] == 0x04 && buf[27] == 0)
			break;
	}
	REQUIRE(w <= 0xffff);
	flip_all(&h);
}

/* Every cut is too short; padding of any length is ignored. */
static void
test_truncation(void)
{
	static const struct pspec v4 = { "v4 options", .ihl = 7 };
	static const struct pspec v6 = { "v6 ext", V6, E(0, 43, 60) };
	const struct pspec *s[2] = { &v4, &v6 };
	static uint8_t p[512];
	struct ipudp u;
	size_t i, n, cut, pad, poff;

	for (i = 0; i < 2; i++) {
		n = t_build(s[i], p, &poff);
		for (cut = 0; cut < n; cut++)
			CHECK(ipudp_parse(p, cut, &u) == -IPUDP_TRUNC);
		CHECK(ipudp_parse(p, n, &u) == 0);
		CHECK(u.payload == p + poff && u.len == NPAY);
		for (pad = 1; pad <= 64; pad++) {
			p[n + pad - 1] = (uint8_t)(pad * 13);
			CHECK(ipudp_parse(p, n + pad, &u) == 0);
			CHECK(u.len == NPAY);
		}
	}
}

static void
test_names(void)
{
	const char *a, *b, *c;
	int e, f;

	for (e = 1; e < IPUDP_NERR; e++) {
		a = ipudp_err_name(e);
		CHECK(strcmp(a, "?") != 0);
		CHECK(strcmp(a, ipudp_err_name(-e)) == 0);
		CHECK(strspn(a, "abcdefghijklmnopqrstuvwxyz0123456789_") ==
		    strlen(a));
		for (f = 1; f < e; f++)
			CHECK(strcmp(a, ipudp_err_name(f)) != 0);
	}
	CHECK(strcmp(ipudp_err_name(-IPUDP_UDPCSUM), "udp_checksum") == 0);
	b = ipudp_err_name(0);
	c = ipudp_err_name(IPUDP_NERR);
	CHECK(strcmp(b, "?") == 0 && strcmp(c, "?") == 0);
	CHECK(strcmp(ipudp_err_name(-IPUDP_NERR), "?") == 0);
	CHECK(strcmp(ipudp_err_name(-2147483647 - 1), "?") == 0);
	CHECK(strcmp(ipudp_err_name(1000), "?") == 0);
}

TEST_MAIN(TEST(test_table), TEST(test_roundtrip), TEST(test_build_limits),
    TEST(test_build_special), TEST(test_bitflips), TEST(test_truncation),
    TEST(test_names))
