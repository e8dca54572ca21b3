/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcapf.c: capture files, read one record at a time out of a caller's
 * buffer and written for nipcast.  The reader never reads outside the
 * bytes it is given, and every call either consumes bytes or returns 0
 * (wait for more) or -1 (give up), so no input can make a caller spin.
 *
 * Formats: classic pcap as libpcap writes it (savefile.c, sf-pcap.c) and
 * pcapng (draft-ietf-opsawg-pcapng): SHB, IDB, EPB, SPB and the obsolete
 * OPB; other block types are skipped.  Link types from the tcpdump.org
 * LINKTYPE_ list.
 */
#include <string.h>

#include "ipudp.h"
#include "pcapf.h"

enum { ST_START = 0, ST_CLASSIC, ST_NG, ST_DEAD };

#define MAGIC_US	0xa1b2c3d4u
#define MAGIC_NS	0xa1b23c4du
#define NG_SHB		0x0a0d0d0au	/* a palindrome: any order */
#define NG_BOM		0x1a2b3c4du
#define NG_IDB		1
#define NG_OPB		2
#define NG_SPB		3
#define NG_EPB		6
#define NG_OPT_TSRESOL	9
#define NG_TSRES_DEF	6		/* microseconds */
#define NG_MAX_IF	(sizeof(((struct pcapf_rd *)0)->if_link) / \
			 sizeof(((struct pcapf_rd *)0)->if_link[0]))
#define NG_NO_LINK	0xffffffffu	/* an IDB we could not read */

#define LT_NULL		0
#define LT_ETHERNET	1
#define LT_RAW_12	12		/* DLT_RAW on some BSDs */
#define LT_RAW_14	14		/* DLT_RAW on OpenBSD */
#define LT_RAW		101
#define LT_LOOP		108
#define LT_SLL		113
#define LT_IPV4		228
#define LT_IPV6		229
#define LT_SLL2		276

#define ET_IPV4		0x0800
#define ET_IPV6		0x86dd
#define ET_8021Q	0x8100
#define ET_8021AD	0x88a8
#define MAX_VLAN_TAGS	2

#define NS_PER_S	UINT64_C(1000000000)
#define WR_SNAPLEN	262144

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
bswap32(uint32_t v)
{
	return v >> 24 | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | v << 24;
}

/* File fields are in the writer's byte order; r->swap says if not ours. */
static uint32_t
rd32(const struct pcapf_rd *r, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return r->swap ? bswap32(v) : v;
}

static uint16_t
rd16(const struct pcapf_rd *r, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return r->swap ? (uint16_t)(v >> 8 | v << 8) : v;
}

static void
count(struct pcapf_rd *r, int e)
{
	if (r->err != NULL)
		r->err[e]++;
}

void
pcapf_rd_init(struct pcapf_rd *r, uint64_t *err)
{
	memset(r, 0, sizeof(*r));
	r->err = err;
}

/* The file cannot be followed any further: count once, refuse forever. */
static int
rd_broken(struct pcapf_rd *r)
{
	count(r, DECAP_PCAP_HDR);
	r->state = ST_DEAD;
	return -1;
}

/*
 * The link layer.  Each returns the offset of the IP packet in the frame,
 * or -DECAP_PCAP_TRUNC / -DECAP_PCAP_LINK.
 */
static int
ip_ethertype(uint16_t type)
{
	return type == ET_IPV4 || type == ET_IPV6;
}

static int
link_eth(const uint8_t *f, size_t n)
{
	size_t off = 12;
	uint16_t type;
	int tags;

	for (tags = 0;; tags++) {
		if (n < off + 2)
			return -DECAP_PCAP_TRUNC;
		type = be16(f + off);
		if ((type != ET_8021Q && type != ET_8021AD) ||
		    tags == MAX_VLAN_TAGS)
			break;
		off += 4;
	}
	return ip_ethertype(type) ? (int)off + 2 : -DECAP_PCAP_LINK;
}

/* Linux cooked capture: the protocol sits at proto in a hl-byte header. */
static int
link_sll(const uint8_t *f, size_t n, size_t hl, size_t proto)
{
	if (n < hl)
		return -DECAP_PCAP_TRUNC;
	return ip_ethertype(be16(f + proto)) ? (int)hl : -DECAP_PCAP_LINK;
}

/*
 * BSD loopback: a 4-byte address family in the capturing host's order
 * (LINKTYPE_NULL) or network order (LINKTYPE_LOOP), so both are tried.
 * AF_INET6 is 24, 28 or 30 depending on the BSD.
 */
static int
link_loop(const uint8_t *f, size_t n)
{
	uint32_t af[2];
	int i;

	if (n < 4)
		return -DECAP_PCAP_TRUNC;
	af[0] = (uint32_t)f[0] << 24 | (uint32_t)f[1] << 16 |
	    (uint32_t)f[2] << 8 | f[3];
	af[1] = bswap32(af[0]);
	for (i = 0; i < 2; i++)
		if (af[i] == 2 || af[i] == 24 || af[i] == 28 || af[i] == 30)
			return 4;
	return -DECAP_PCAP_LINK;
}

static int
link_offset(uint32_t link, const uint8_t *f, size_t n)
{
	switch (link) {
	case LT_ETHERNET:
		return link_eth(f, n);
	case LT_RAW:
	case LT_RAW_12:
	case LT_RAW_14:
	case LT_IPV4:
	case LT_IPV6:
		return 0;
	case LT_SLL:
		return link_sll(f, n, 16, 14);
	case LT_SLL2:
		return link_sll(f, n, 20, 0);
	case LT_NULL:
	case LT_LOOP:
		return link_loop(f, n);
	default:
		return -DECAP_PCAP_LINK;
	}
}

/*
 * Whether the capture holds all of the IP packet its header claims (a
 * snaplen may have cut it).  Anything finer is ipudp_parse's business.
 */
static int
ip_captured(const uint8_t *ip, size_t n)
{
	if (n < 1)
		return -DECAP_PCAP_TRUNC;
	switch (ip[0] >> 4) {
	case 4:
		return n < 20 || be16(ip + 2) > n ? -DECAP_PCAP_TRUNC : 0;
	case 6:
		return n < 40 || 40 + (size_t)be16(ip + 4) > n ?
		    -DECAP_PCAP_TRUNC : 0;
	default:
		return -DECAP_PCAP_LINK;
	}
}

/* Hand out the IP packet of one frame (1), or count why not (2). */
static int
link_strip(struct pcapf_rd *r, uint32_t link, const uint8_t *f, size_t n,
    struct pcapf_pkt *out)
{
	int off, rc;

	off = link_offset(link, f, n);
	if (off < 0) {
		count(r, -off);
		return 2;
	}
	rc = ip_captured(f + off, n - (size_t)off);
	if (rc < 0) {
		count(r, -rc);
		return 2;
	}
	out->ip = f + off;
	out->len = n - (size_t)off;
	return 1;
}

/* Classic pcap: the 24-byte file header. */
static int
classic_header(struct pcapf_rd *r, const uint8_t *buf, size_t len,
    size_t *used)
{
	uint32_t m;

	memcpy(&m, buf, 4);
	if (m == MAGIC_US || m == MAGIC_NS)
		r->swap = 0;
	else if (bswap32(m) == MAGIC_US || bswap32(m) == MAGIC_NS)
		r->swap = 1;
	else
		return rd_broken(r);
	if (len < PCAPF_FILE_HDR)
		return 0;
	r->nsec = rd32(r, buf) == MAGIC_NS;
	r->snaplen = rd32(r, buf + 16);
	/* The high bits carry FCS information, not the link type. */
	r->link = rd32(r, buf + 20) & 0xffff;
	r->state = ST_CLASSIC;
	*used = PCAPF_FILE_HDR;
	return 2;
}

/*
 * Classic pcap: one record.  An impossible caplen means the record
 * headers cannot be trusted to find the next record: give up.
 */
static int
classic_record(struct pcapf_rd *r, const uint8_t *buf, size_t len,
    size_t *used, struct pcapf_pkt *out)
{
	uint32_t caplen, limit = PCAPF_MAX_RECORD;
	uint64_t sec, frac;

	if (len < PCAPF_REC_HDR)
		return 0;
	if (r->snaplen != 0 && r->snaplen < limit)
		limit = r->snaplen;
	caplen = rd32(r, buf + 8);
	if (caplen > limit)
		return rd_broken(r);
	if (len - PCAPF_REC_HDR < caplen)
		return 0;
	sec = rd32(r, buf);
	frac = rd32(r, buf + 4);
	out->ts_ns = sec * NS_PER_S + frac * (r->nsec ? 1 : 1000);
	*used = PCAPF_REC_HDR + caplen;
	return link_strip(r, r->link, buf + PCAPF_REC_HDR, caplen, out);
}

static uint64_t
pow10_u64(unsigned e)
{
	uint64_t v = 1;

	while (e-- > 0)
		v *= 10;
	return v;
}

/*
 * A pcapng timestamp in units of if_tsresol: 10^-res, or 2^-(res & 0x7f)
 * when bit 7 is set.  Binary fractions finer than 2^-32 s are cut to
 * 2^-32 first so that the products stay within 64 bits.
 */
static uint64_t
ng_ts_ns(uint64_t ts, uint8_t res)
{
	unsigned e = res & 0x7f;
	uint64_t frac;

	if (!(res & 0x80)) {
		if (e <= 9)
			return ts * pow10_u64(9 - e);
		return e - 9 > 19 ? 0 : ts / pow10_u64(e - 9);
	}
	if (e > 32) {
		ts = e - 32 >= 64 ? 0 : ts >> (e - 32);
		e = 32;
	}
	frac = ts & ((UINT64_C(1) << e) - 1);
	return (ts >> e) * NS_PER_S + ((frac * NS_PER_S) >> e);
}

/* The if_tsresol option among the IDB options at o (n bytes). */
static uint8_t
ng_idb_tsresol(const struct pcapf_rd *r, const uint8_t *o, size_t n)
{
	size_t olen, step;
	uint16_t code;

	while (n >= 4) {
		code = rd16(r, o);
		olen = rd16(r, o + 2);
		if (code == 0 || olen > n - 4)
			break;
		if (code == NG_OPT_TSRESOL && olen == 1)
			return o[4];
		step = 4 + ((olen + 3) & ~(size_t)3);
		if (step > n)
			break;
		o += step;
		n -= step;
	}
	return NG_TSRES_DEF;
}

/*
 * A new section: its own byte order, no interfaces yet.  Only major
 * version 1 exists; another one cannot be read.
 */
static int
ng_shb(struct pcapf_rd *r, const uint8_t *b, size_t btl)
{
	if (btl < 28 || rd16(r, b + 12) != 1)
		return rd_broken(r);
	r->nif = 0;
	return 2;
}

/*
 * An interface gets the next id even when its IDB is malformed, so that
 * the ids of the later ones stay right; its packets are then counted.
 */
static int
ng_idb(struct pcapf_rd *r, const uint8_t *b, size_t btl)
{
	uint32_t i = r->nif;
	int ok = btl >= 20;

	if (i < NG_MAX_IF) {
		r->if_link[i] = ok ? rd16(r, b + 8) : NG_NO_LINK;
		r->if_tsres[i] = ok ? ng_idb_tsresol(r, b + 16, btl - 20) :
		    NG_TSRES_DEF;
	}
	if (r->nif <= NG_MAX_IF)
		r->nif++;
	if (!ok || i >= NG_MAX_IF)
		count(r, DECAP_PCAP_HDR);
	return 2;
}

static int
ng_packet(struct pcapf_rd *r, uint32_t ifid, uint64_t ts,
    const uint8_t *data, size_t caplen, struct pcapf_pkt *out)
{
	if (ifid >= r->nif || ifid >= NG_MAX_IF || caplen > PCAPF_MAX_RECORD) {
		count(r, DECAP_PCAP_HDR);
		return 2;
	}
	out->ts_ns = ng_ts_ns(ts, r->if_tsres[ifid]);
	return link_strip(r, r->if_link[ifid], data, caplen, out);
}

/*
 * EPB and OPB share their layout but for the interface id, 32 bits in
 * an EPB and 16 (then 16 of drop count) in an OPB.
 */
static int
ng_epb(struct pcapf_rd *r, const uint8_t *b, size_t btl, int obsolete,
    struct pcapf_pkt *out)
{
	uint32_t ifid, caplen;
	uint64_t ts;

	if (btl < 32)
		goto bad;
	ifid = obsolete ? rd16(r, b + 8) : rd32(r, b + 8);
	ts = (uint64_t)rd32(r, b + 12) << 32 | rd32(r, b + 16);
	caplen = rd32(r, b + 20);
	if (caplen > btl - 32)
		goto bad;
	return ng_packet(r, ifid, ts, b + 28, caplen, out);
bad:
	count(r, DECAP_PCAP_HDR);
	return 2;
}

/* SPB: interface 0, no timestamp, captured = min(original, block). */
static int
ng_spb(struct pcapf_rd *r, const uint8_t *b, size_t btl,
    struct pcapf_pkt *out)
{
	size_t caplen;

	if (btl < 16) {
		count(r, DECAP_PCAP_HDR);
		return 2;
	}
	caplen = rd32(r, b + 8);
	if (caplen > btl - 16)
		caplen = btl - 16;
	return ng_packet(r, 0, 0, b + 12, caplen, out);
}

/*
 * One pcapng block.  Its length must be sane and match the trailing
 * copy, else the next block cannot be found.  An SHB's byte-order magic
 * decides how to read its own length.
 */
static int
ng_block(struct pcapf_rd *r, const uint8_t *buf, size_t len, size_t *used,
    struct pcapf_pkt *out)
{
	uint32_t type, btl, bom;

	if (len < 12)
		return 0;
	memcpy(&type, buf, 4);
	if (type == NG_SHB) {
		memcpy(&bom, buf + 8, 4);
		if (bom != NG_BOM && bswap32(bom) != NG_BOM)
			return rd_broken(r);
		r->swap = bom != NG_BOM;
	}
	type = rd32(r, buf);
	btl = rd32(r, buf + 4);
	if (btl < 12 || btl % 4 != 0 || btl > PCAPF_MAX_BLOCK)
		return rd_broken(r);
	if (len < btl)
		return 0;
	if (rd32(r, buf + btl - 4) != btl)
		return rd_broken(r);
	*used = btl;
	switch (type) {
	case NG_SHB:
		return ng_shb(r, buf, btl);
	case NG_IDB:
		return ng_idb(r, buf, btl);
	case NG_EPB:
	case NG_OPB:
		return ng_epb(r, buf, btl, type == NG_OPB, out);
	case NG_SPB:
		return ng_spb(r, buf, btl, out);
	default:
		return 2;
	}
}

int
pcapf_rd_next(struct pcapf_rd *r, const uint8_t *buf, size_t len,
    size_t *used, struct pcapf_pkt *out)
{
	uint32_t m;
	int rc;

	*used = 0;
	switch (r->state) {
	case ST_START:
		if (len < 4)
			return 0;
		memcpy(&m, buf, 4);
		if (m != NG_SHB)
			return classic_header(r, buf, len, used);
		r->ng = 1;
		r->state = ST_NG;
		/* FALLTHROUGH */
	case ST_NG:
		rc = ng_block(r, buf, len, used, out);
		break;
	case ST_CLASSIC:
		rc = classic_record(r, buf, len, used, out);
		break;
	default:
		return -1;
	}
	if (rc <= 0)
		*used = 0;
	return rc;
}

static void
wr_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Little-endian, whatever the host, so that output is reproducible. */
void
pcapf_wr_header(uint8_t out[PCAPF_FILE_HDR])
{
	wr_le32(out, MAGIC_US);
	out[4] = 2;			/* version 2.4 */
	out[5] = 0;
	out[6] = 4;
	out[7] = 0;
	wr_le32(out + 8, 0);		/* thiszone */
	wr_le32(out + 12, 0);		/* sigfigs */
	wr_le32(out + 16, WR_SNAPLEN);
	wr_le32(out + 20, LT_ETHERNET);
}

/*
 * The packet is moved first (memmove), so ip may already be in place;
 * the MAC and EtherType are then taken from the moved copy.
 */
ssize_t
pcapf_wr_record(uint8_t *buf, size_t cap, uint64_t ts_ns,
    const uint8_t *ip, size_t len)
{
	static const uint8_t src_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	uint8_t *eth = buf + PCAPF_REC_HDR;
	uint8_t *pkt = eth + PCAPF_ETH_HDR;
	size_t frame = PCAPF_ETH_HDR + len;
	uint16_t type;

	if (len > WR_SNAPLEN - PCAPF_ETH_HDR || cap < PCAPF_REC_HDR + frame)
		return -1;
	if (len > 0)
		memmove(pkt, ip, len);
	wr_le32(buf, (uint32_t)(ts_ns / NS_PER_S));
	wr_le32(buf + 4, (uint32_t)(ts_ns % NS_PER_S / 1000));
	wr_le32(buf + 8, (uint32_t)frame);
	wr_le32(buf + 12, (uint32_t)frame);
	ipudp_dst_mac(pkt, len, eth);
	memcpy(eth + 6, src_mac, 6);
	type = len > 0 && pkt[0] >> 4 == 6 ? ET_IPV6 : ET_IPV4;
	eth[12] = (uint8_t)(type >> 8);
	eth[13] = (uint8_t)type;
	return (ssize_t)(PCAPF_REC_HDR + frame);
}
