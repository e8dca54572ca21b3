/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gse_harness.h: BBFrames and GSE packets built by hand for the GSE demux
 * tests (test_gse_demux.c, test_gse_demux_hostile.c), independently of
 * gse_mux.c: a BBHEADER with its CRC-8, GSE packets with every S/E
 * combination and label type, a fragmenter that computes Total_Length
 * and the CRC-32, real IPv4/IPv6 UDP packets from ipudp_build, and a sink
 * that records what the demux delivers.
 *
 * Everything is static and marked unused: each test binary includes this
 * header once and need not call every helper.
 */
#ifndef NIPCACHE_GSE_HARNESS_H
#define NIPCACHE_GSE_HARNESS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "test.h"
#include "testutil.h"
#include "../../carousel/decap.h"
#include "../../carousel/gse.h"
#include "../../carousel/ipudp.h"

#define GH_UNUSED	__attribute__((unused))
#define GH_FRAME_MAX	(GSE_BBHEADER + GSE_DFL_MAX)
#define GH_MATYPE_GS	0x70	/* TS/GS 01 (continuous), SIS, CCM, ro 0.35 */
#define GH_MATYPE_HEM	0xb0	/* TS/GS 10 (GSE-HEM) */
#define GH_MATYPE_TS	0xf0	/* TS/GS 11 (transport stream) */
#define GH_PT_IPV4	0x0800
#define GH_PT_IPV6	0x86dd
#define GH_MAXREC	4096

/* ---- BBFrames. ---- */

struct gh_frame {
	uint8_t		b[GH_FRAME_MAX];
	size_t		len;		/* header + data field so far */
	size_t		dfl_max;	/* data field capacity, bytes */
	uint8_t		matype1;
};

static GH_UNUSED void
gh_frame_init(struct gh_frame *f, uint8_t matype1, size_t dfl_max)
{
	memset(f->b, 0, GSE_BBHEADER);
	f->len = GSE_BBHEADER;
	f->dfl_max = dfl_max ? dfl_max : GSE_DFL_MAX;
	f->matype1 = matype1;
}

static GH_UNUSED size_t
gh_room(const struct gh_frame *f)
{
	return f->dfl_max - (f->len - GSE_BBHEADER);
}

/* Write a BBHEADER with DFL = dfl_bits and a correct CRC-8 at h. */
static GH_UNUSED void
gh_bbheader(uint8_t *h, uint8_t matype1, uint32_t dfl_bits)
{
	h[0] = matype1;
	h[1] = 0;			/* MATYPE-2: ISI 0 */
	put16(h + 2, 0);		/* UPL: continuous */
	put16(h + 4, dfl_bits);
	h[6] = 0;			/* SYNC */
	put16(h + 7, 0);		/* SYNCD */
	h[9] = decap_crc8(h, 9);
}

/* Seal the frame: DFL = the data field written so far. */
static GH_UNUSED void
gh_frame_end(struct gh_frame *f)
{
	gh_bbheader(f->b, f->matype1, (uint32_t)(f->len - GSE_BBHEADER) * 8);
}

static GH_UNUSED int
gh_put(struct gh_frame *f, const void *p, size_t n)
{
	if (n > gh_room(f))
		return -1;
	if (n > 0)
		memcpy(f->b + f->len, p, n);
	f->len += n;
	return 0;
}

/* ---- Streams and headers. ---- */

struct gh_stream {
	uint8_t		b[1 << 21];
	size_t		len;
};

static GH_UNUSED void
gh_stream_add(struct gh_stream *st, const struct gh_frame *f)
{
	if (st->len + f->len <= sizeof(st->b)) {
		memcpy(st->b + st->len, f->b, f->len);
		st->len += f->len;
	}
}

static GH_UNUSED uint32_t
gh_rd16(const void *v)
{
	const uint8_t *p = v;

	return (uint32_t)p[0] << 8 | p[1];
}

/* Whether a GSE BBHEADER could start at p, as the demux's scan sees it. */
static GH_UNUSED int
gh_is_header(const uint8_t *p)
{
	uint32_t bits = gh_rd16(p + 4);

	return decap_crc8(p, 9) == p[9] && bits % 8 == 0 &&
	    bits / 8 <= GSE_DFL_MAX && ((p[0] >> 6) == 1 || (p[0] >> 6) == 2);
}

/* n random bytes at p, edited until no ten of them look like a header. */
static GH_UNUSED void
gh_garbage(uint8_t *p, size_t n, uint64_t seed)
{
	size_t i;

	rng_seed(seed);
	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rng();
	for (i = 0; i + GSE_BBHEADER <= n; i++)
		if (gh_is_header(p + i)) {
			p[i + 9] ^= 0x55;
			i = i < 10 ? 0 : i - 10;
		}
}

/* ---- GSE packets. ---- */

static GH_UNUSED size_t
gh_lablen(int lt)
{
	return lt == 0 ? 6 : lt == 1 ? 3 : 0;
}

/*
 * One GSE packet: fixed header with S, E, LT and GSE_Length, then hdr,
 * body and trailer.  -1 if it does not fit the frame or 4095 bytes.
 */
static GH_UNUSED int
gh_pkt(struct gh_frame *f, int s, int e, int lt, const uint8_t *hdr,
    size_t hn, const uint8_t *body, size_t bn, const uint8_t *tr, size_t tn)
{
	size_t glen = hn + bn + tn;
	uint8_t fixed[2];

	if (glen > 0x0fff || 2 + glen > gh_room(f))
		return -1;
	put16(fixed, (uint32_t)(s << 15 | e << 14 | lt << 12) | (uint32_t)glen);
	gh_put(f, fixed, 2);
	gh_put(f, hdr, hn);
	gh_put(f, body, bn);
	gh_put(f, tr, tn);
	return 0;
}

/* S=1 E=1: Protocol_Type, label (lablen(lt) bytes of label), PDU. */
static GH_UNUSED int
gh_complete(struct gh_frame *f, int lt, const uint8_t *label, uint16_t pt,
    const uint8_t *pdu, size_t n)
{
	uint8_t hdr[8];
	size_t ln = gh_lablen(lt);

	put16(hdr, pt);
	if (ln > 0)
		memcpy(hdr + 2, label, ln);
	return gh_pkt(f, 1, 1, lt, hdr, 2 + ln, pdu, n, NULL, 0);
}

/* Padding: n zero bytes (the first four bits zero end the packets). */
static GH_UNUSED int
gh_padding(struct gh_frame *f, size_t n)
{
	if (n > gh_room(f))
		return -1;
	memset(f->b + f->len, 0, n);
	f->len += n;
	return 0;
}

/* ---- Fragmentation. ---- */

/*
 * A PDU to be fragmented.  img is what the receiver reassembles:
 * Protocol_Type, label (none with LT 11), PDU; crc is the CRC-32 of
 * Total_Length and img.  off is how much has been sent.
 */
struct gh_frag {
	uint8_t		fid;
	int		lt;
	uint8_t		img[65536];
	size_t		total;
	size_t		off;
	uint32_t	crc;
};

static GH_UNUSED void
gh_frag_init(struct gh_frag *fr, uint8_t fid, int lt, const uint8_t *label,
    uint16_t pt, const uint8_t *pdu, size_t n)
{
	size_t ln = lt == 3 ? 0 : gh_lablen(lt);
	uint8_t tl[2];

	fr->fid = fid;
	fr->lt = lt;
	put16(fr->img, pt);
	if (ln > 0)
		memcpy(fr->img + 2, label, ln);
	fr->total = 2 + ln + n;
	if (fr->total > sizeof(fr->img))
		fr->total = sizeof(fr->img);
	memcpy(fr->img + 2 + ln, pdu, fr->total - 2 - ln);
	fr->off = 0;
	put16(tl, (uint32_t)fr->total);
	fr->crc = decap_crc32(0xffffffffu, tl, 2);
	fr->crc = decap_crc32(fr->crc, fr->img, fr->total);
}

/* First fragment: Frag_ID, Total_Length, img[0..k) (k >= 2 + label). */
static GH_UNUSED int
gh_frag_first(struct gh_frag *fr, struct gh_frame *f, size_t k)
{
	uint8_t hdr[3];

	hdr[0] = fr->fid;
	put16(hdr + 1, (uint32_t)fr->total);
	if (k > fr->total || gh_pkt(f, 1, 0, fr->lt, hdr, 3, fr->img, k,
	    NULL, 0) < 0)
		return -1;
	fr->off = k;
	return 0;
}

/* Middle fragment with the next k bytes; LT 11 as subsequent packets. */
static GH_UNUSED int
gh_frag_middle(struct gh_frag *fr, struct gh_frame *f, size_t k)
{
	if (fr->off + k > fr->total || gh_pkt(f, 0, 0, 3, &fr->fid, 1,
	    fr->img + fr->off, k, NULL, 0) < 0)
		return -1;
	fr->off += k;
	return 0;
}

/* Last fragment: everything left and the CRC-32. */
static GH_UNUSED int
gh_frag_last(struct gh_frag *fr, struct gh_frame *f)
{
	uint8_t tr[4];

	put32(tr, fr->crc);
	if (gh_pkt(f, 0, 1, 3, &fr->fid, 1, fr->img + fr->off,
	    fr->total - fr->off, tr, 4) < 0)
		return -1;
	fr->off = fr->total;
	return 0;
}

/*
 * Put as much of fr as fits into f (at most max data bytes, 0 = no
 * limit): 1 once the last fragment is out, 0 if more remains, -1 if not
 * even a header fitted.
 */
static GH_UNUSED int
gh_frag_some(struct gh_frag *fr, struct gh_frame *f, size_t max)
{
	size_t room = gh_room(f), k, hdr = fr->off == 0 ? 5 : 3;

	if (room < hdr + (fr->off == 0 ? 9 : 5))
		return -1;
	k = room - hdr;
	if (k > 4095 - (hdr - 2))
		k = 4095 - (hdr - 2);
	if (max > 0 && k > max)
		k = max;
	if (fr->off == 0) {
		if (k >= fr->total)
			k = fr->total - 1;
		return gh_frag_first(fr, f, k);
	}
	if (fr->total - fr->off + 4 <= k)
		return gh_frag_last(fr, f) < 0 ? -1 : 1;
	return gh_frag_middle(fr, f, k);
}

/* ---- IP packets. ---- */

/* A UDP packet to 239.1.1.1 (or ff0e::101) with a seeded payload. */
static GH_UNUSED size_t
gh_ip(uint8_t *buf, size_t cap, int family, size_t plen, uint64_t seed)
{
	static uint8_t pl[65536];
	struct ipudp h;
	ssize_t n;
	size_t i;

	rng_seed(seed);
	for (i = 0; i < plen && i < sizeof(pl); i++)
		pl[i] = (uint8_t)rng();
	memset(&h, 0, sizeof(h));
	h.family = family;
	if (family == AF_INET) {
		memcpy(h.src, "\x0a\x1f\x1e\x0b", 4);
		memcpy(h.dst, "\xef\x01\x01\x01", 4);
	} else {
		h.src[0] = 0x20;
		h.src[1] = 0x01;
		h.src[15] = 1;
		h.dst[0] = 0xff;
		h.dst[1] = 0x0e;
		h.dst[14] = 0x01;
		h.dst[15] = 0x01;
	}
	h.sport = 4000;
	h.dport = (uint16_t)(3000 + (seed & 0xff));
	h.ttl = 7;
	h.payload = pl;
	h.len = plen;
	n = ipudp_build(buf, cap, &h);
	return n < 0 ? 0 : (size_t)n;
}

/* ---- Recording sink. ---- */

struct gh_rec {
	size_t		len;
	uint8_t		*p;
};

struct gh_sink {
	uint64_t	err[DECAP_NERR];
	struct decap_out out;
	size_t		n;
	struct gh_rec	rec[GH_MAXREC];
};

static GH_UNUSED void
gh_sink_datagram(void *arg, const uint8_t *ip, size_t len)
{
	struct gh_sink *s = arg;
	uint8_t *p;

	if (s->n >= GH_MAXREC)
		return;
	p = malloc(len ? len : 1);
	if (p == NULL)
		return;
	memcpy(p, ip, len);
	s->rec[s->n].p = p;
	s->rec[s->n].len = len;
	s->n++;
}

static GH_UNUSED void
gh_sink_init(struct gh_sink *s)
{
	memset(s, 0, sizeof(*s));
	s->out.datagram = gh_sink_datagram;
	s->out.arg = s;
	s->out.err = s->err;
}

static GH_UNUSED void
gh_sink_clear(struct gh_sink *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->rec[i].p);
	s->n = 0;
	memset(s->err, 0, sizeof(s->err));
}

/* Whether record i is exactly p[0..n). */
static GH_UNUSED int
gh_rec_is(const struct gh_sink *s, size_t i, const uint8_t *p, size_t n)
{
	return i < s->n && s->rec[i].len == n && memcmp(s->rec[i].p, p, n) == 0;
}

/* Whether p[0..n) was delivered exactly once. */
static GH_UNUSED int
gh_delivered_once(const struct gh_sink *s, const uint8_t *p, size_t n)
{
	size_t i;
	int k = 0;

	for (i = 0; i < s->n; i++)
		k += gh_rec_is(s, i, p, n);
	return k == 1;
}

static GH_UNUSED uint64_t
gh_err_total(const struct gh_sink *s)
{
	uint64_t t = 0;
	int i;

	for (i = 0; i < DECAP_NERR; i++)
		t += s->err[i];
	return t;
}

#endif
