/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gse_demux.c: the receive half of gse.h.  BBFrames (ETSI EN 302 307-1
 * 5.1.6 header) arrive either as a byte stream in any chunking or one
 * frame at a time; their data fields hold GSE packets (ETSI TS 102 606-1)
 * back to back, which are either whole PDUs or fragments reassembled per
 * Frag_ID.  Everything that cannot be used is counted into out->err and
 * dropped; memory is one frame of buffer plus at most GSE_REASM_MAX
 * reassembly buffers of at most 64 KB each.
 */
#include <stdlib.h>
#include <string.h>

#include "gse.h"

#define BB_FRAME_MAX	(GSE_BBHEADER + GSE_DFL_MAX)
#define GSE_NFRAG	256	/* Frag_ID is 8 bits */
#define GSE_REASM_MAX	16	/* reassembly buffers allocated at once */
#define GSE_REASM_FRAMES 256	/* BBFrames a reassembly may span */
#define GSE_EXT_MAX	8	/* extension headers followed in one PDU */
#define GSE_TYPE_IPV4	0x0800
#define GSE_TYPE_IPV6	0x86dd
#define GSE_TYPE_MIN	0x0600	/* below: an extension header (as ULE) */

/*
 * What bb_check makes of a BBHEADER.  GSE travels in generic continuous
 * streams (TS/GS 01) or in GSE-HEM (10); a transport stream (11) or a
 * generic packetized stream (00: user packets of UPL bits) is not ours.
 */
enum bb_kind {
	BB_BAD = -1,		/* CRC-8 wrong or DFL impossible */
	BB_GSE = 0,		/* generic stream: GSE packets */
	BB_OTHER = 1		/* transport or packetized stream */
};

/*
 * A Frag_ID is idle, reassembling into buf, or discarding: its PDU was
 * already counted as lost (start refused, overflow, timeout, fragment
 * without a start), so its remaining fragments are eaten silently until
 * its last fragment, a new start or GSE_REASM_FRAMES frames.
 */
enum frag_state {
	FRAG_IDLE = 0,
	FRAG_BUSY,
	FRAG_DISCARD
};

struct gse_frag {
	uint8_t		*buf;		/* total bytes while busy */
	uint32_t	 since;		/* frame of the start or the discard */
	uint32_t	 crc;		/* CRC-32 from Total_Length so far */
	uint16_t	 total;		/* Total_Length */
	uint16_t	 have;
	uint8_t		 lablen;	/* label bytes after Protocol_Type */
	uint8_t		 state;		/* enum frag_state */
};

struct gse_demux {
	struct decap_out out;
	uint32_t	 frame;		/* BBFrames seen: reassembly clock */
	unsigned	 nbuf;		/* reassembly buffers allocated */
	unsigned	 nbusy;		/* Frag_IDs not idle */
	int		 lost;		/* scanning the stream for a header */
	size_t		 have;		/* bytes of a partial frame in acc */
	struct gse_frag	 frag[GSE_NFRAG];
	uint8_t		 acc[BB_FRAME_MAX];
};

static void
demux_count(struct gse_demux *d, enum decap_err e)
{
	if (d->out.err != NULL)
		d->out.err[e]++;
}

static uint32_t
rd16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t
rd32(const uint8_t *p)
{
	return rd16(p) << 16 | rd16(p + 2);
}

/*
 * Classify a 10-byte BBHEADER and return its data field length in bytes
 * through *dfl.  The CRC-8 field is the CRC XORed with the MODE byte,
 * which is 1 in high efficiency mode; that mode is signalled for GSE by
 * TS/GS = 10 (GSE-HEM), so for it both forms are accepted.
 */
static int
bb_check(const uint8_t *h, size_t *dfl)
{
	uint32_t bits = rd16(h + 4);
	unsigned tsgs = h[0] >> 6;
	uint8_t crc = decap_crc8(h, GSE_BBHEADER - 1);

	if (crc != h[9] && !(tsgs == 2 && (uint8_t)(crc ^ 1) == h[9]))
		return BB_BAD;
	if (bits % 8 != 0 || bits / 8 > GSE_DFL_MAX)
		return BB_BAD;
	*dfl = bits / 8;
	return tsgs == 1 || tsgs == 2 ? BB_GSE : BB_OTHER;
}

/*
 * Offset of the first place in p where a GSE BBHEADER could start, or,
 * if there is none, of the first of the last nine bytes (a header may
 * still begin there once more bytes arrive).  Only GSE headers are resync
 * points: nothing in the others is ours, and ten zero bytes would pass
 * as an empty packetized frame.
 */
static size_t
bb_scan(const uint8_t *p, size_t n)
{
	size_t i, dfl;

	if (n < GSE_BBHEADER)
		return 0;
	for (i = 0; i + GSE_BBHEADER <= n; i++)
		if (bb_check(p + i, &dfl) == BB_GSE)
			return i;
	return i;
}

/* Move f to state, freeing its buffer when it stops reassembling. */
static void
frag_to(struct gse_demux *d, struct gse_frag *f, enum frag_state state)
{
	if (f->buf != NULL) {
		free(f->buf);
		f->buf = NULL;
		d->nbuf--;
	}
	if (f->state == FRAG_IDLE && state != FRAG_IDLE)
		d->nbusy++;
	else if (f->state != FRAG_IDLE && state == FRAG_IDLE)
		d->nbusy--;
	f->state = (uint8_t)state;
	f->since = d->frame;
}

/*
 * One more BBFrame: the clock of the reassemblies.  One that started
 * GSE_REASM_FRAMES frames ago has lost a fragment (TS 102 606-1 lets the
 * receiver time out); it is counted and its Frag_ID discards for as long
 * again, then becomes idle.
 */
static void
demux_tick(struct gse_demux *d)
{
	struct gse_frag *f;
	size_t i;

	d->frame++;
	for (i = 0; i < GSE_NFRAG && d->nbusy > 0; i++) {
		f = &d->frag[i];
		if (f->state == FRAG_IDLE ||
		    d->frame - f->since < GSE_REASM_FRAMES)
			continue;
		if (f->state == FRAG_BUSY) {
			demux_count(d, DECAP_GSE_FRAG);
			frag_to(d, f, FRAG_DISCARD);
		} else {
			frag_to(d, f, FRAG_IDLE);
		}
	}
}

/*
 * A PDU starting at its Protocol_Type (n >= 2 + lablen): skip the label
 * and any optional extension headers (ULE rules, which GSE shares: H-LEN
 * 1..5 in bits 8-10 of the type, 2 * H-LEN bytes ending in the next
 * type), then deliver IPv4 and IPv6.  Mandatory extensions (H-LEN 0) and
 * other EtherTypes are not ours.
 */
static void
gse_deliver(struct gse_demux *d, const uint8_t *p, size_t n, size_t lablen)
{
	uint32_t type = rd16(p), hlen;
	size_t off = 2 + lablen;
	int i;

	for (i = 0; i <= GSE_EXT_MAX; i++) {
		if (type == GSE_TYPE_IPV4 || type == GSE_TYPE_IPV6) {
			if (off >= n)
				demux_count(d, DECAP_GSE_HDR);
			else if (d->out.datagram != NULL)
				d->out.datagram(d->out.arg, p + off, n - off);
			return;
		}
		hlen = (type >> 8) & 7;
		if (type >= GSE_TYPE_MIN || hlen == 0 || hlen > 5 ||
		    2 * hlen > n - off || i == GSE_EXT_MAX)
			break;
		off += 2 * hlen;
		type = rd16(p + off - 2);
	}
	demux_count(d, DECAP_GSE_TYPE);
}

/*
 * A first fragment: p is Frag_ID, Total_Length, then the first bytes of
 * the reassembled PDU (Protocol_Type, label, data).  A start on a busy
 * Frag_ID loses the PDU being reassembled there.  gse_packet saw that
 * the body holds Protocol_Type and label, so a Total_Length not below
 * the body is one that can hold them too.
 */
static void
frag_start(struct gse_demux *d, const uint8_t *p, size_t n, size_t lablen)
{
	struct gse_frag *f = &d->frag[p[0]];
	uint32_t total = rd16(p + 1);
	size_t body = n - 3;

	if (f->state == FRAG_BUSY)
		demux_count(d, DECAP_GSE_FRAG);
	frag_to(d, f, FRAG_IDLE);
	if (body > total || d->nbuf >= GSE_REASM_MAX)
		goto refuse;
	f->buf = malloc(total);
	if (f->buf == NULL)
		goto refuse;
	d->nbuf++;
	memcpy(f->buf, p + 3, body);
	f->have = (uint16_t)body;
	f->total = (uint16_t)total;
	f->lablen = (uint8_t)lablen;
	f->crc = decap_crc32(0xffffffffu, p + 1, n - 1);
	d->nbusy++;
	f->state = FRAG_BUSY;
	f->since = d->frame;
	return;
refuse:
	demux_count(d, DECAP_GSE_FRAG);
	frag_to(d, f, FRAG_DISCARD);
}

/* A fragment of a PDU whose start was never seen. */
static void
frag_orphan(struct gse_demux *d, struct gse_frag *f, int last)
{
	if (f->state == FRAG_IDLE)
		demux_count(d, DECAP_GSE_FRAG);
	frag_to(d, f, last ? FRAG_IDLE : FRAG_DISCARD);
}

/*
 * A middle or last fragment: p is Frag_ID, data and, in the last, the
 * CRC-32 of Total_Length and the whole reassembled PDU.  The last one
 * must complete Total_Length exactly (else a fragment was lost).
 */
static void
frag_more(struct gse_demux *d, const uint8_t *p, size_t n, int last)
{
	struct gse_frag *f = &d->frag[p[0]];
	size_t data = n - 1 - (last ? 4 : 0);

	if (f->state != FRAG_BUSY) {
		frag_orphan(d, f, last);
		return;
	}
	if (data > (size_t)(f->total - f->have)) {
		demux_count(d, DECAP_GSE_FRAG);
		frag_to(d, f, last ? FRAG_IDLE : FRAG_DISCARD);
		return;
	}
	memcpy(f->buf + f->have, p + 1, data);
	f->have = (uint16_t)(f->have + data);
	f->crc = decap_crc32(f->crc, p + 1, data);
	if (!last)
		return;
	if (f->have != f->total)
		demux_count(d, DECAP_GSE_FRAG);
	else if (f->crc != rd32(p + n - 4))
		demux_count(d, DECAP_GSE_CRC);
	else
		gse_deliver(d, f->buf, f->total, f->lablen);
	frag_to(d, f, FRAG_IDLE);
}

/*
 * Label bytes of a packet with S = 1.  Re-use (11) means the label of an
 * earlier packet of the same BBFrame, so it is only valid after one that
 * carried a label (00 or 01); no label bytes are present then.
 */
static int
gse_label(unsigned lt, int *labelled, size_t *lablen)
{
	static const uint8_t len[4] = { 6, 3, 0, 0 };

	if (lt == 3 && !*labelled)
		return -1;
	if (lt < 2)
		*labelled = 1;
	*lablen = len[lt];
	return 0;
}

/*
 * One GSE packet: top is its first four bits (S, E, LT), p and n the
 * GSE_Length bytes after the fixed header.  A packet too short for its
 * own fields is counted and skipped; its length is still trusted.
 */
static void
gse_packet(struct gse_demux *d, unsigned top, const uint8_t *p, size_t n,
    int *labelled)
{
	int s = (top >> 3) & 1, e = (top >> 2) & 1;
	size_t lablen = 0;

	if (s && gse_label(top & 3, labelled, &lablen) < 0) {
		demux_count(d, DECAP_GSE_HDR);
		return;
	}
	if (s && e) {
		if (n < 2 + lablen)
			demux_count(d, DECAP_GSE_HDR);
		else
			gse_deliver(d, p, n, lablen);
	} else if (s) {
		if (n < 5 + lablen)
			demux_count(d, DECAP_GSE_HDR);
		else
			frag_start(d, p, n, lablen);
	} else if (n < (e ? 5u : 1u)) {
		demux_count(d, DECAP_GSE_HDR);
	} else {
		frag_more(d, p, n, e);
	}
}

/*
 * Walk the data field.  Four zero bits where a header would start mean
 * the rest is padding; a packet running past the end means the field
 * cannot be trusted from there on.
 */
static void
gse_walk(struct gse_demux *d, const uint8_t *p, size_t n)
{
	size_t off = 0, len;
	int labelled = 0;

	while (off < n) {
		if ((p[off] >> 4) == 0)
			return;
		if (n - off < 2) {
			demux_count(d, DECAP_GSE_HDR);
			return;
		}
		len = rd16(p + off) & 0x0fff;
		if (len > n - off - 2) {
			demux_count(d, DECAP_GSE_HDR);
			return;
		}
		gse_packet(d, p[off] >> 4, p + off + 2, len, &labelled);
		off += 2 + len;
	}
}

/* A frame whose header bb_check accepted as kind, dfl data bytes. */
static void
demux_bbframe(struct gse_demux *d, const uint8_t *bb, size_t dfl, int kind)
{
	demux_tick(d);
	if (kind == BB_OTHER)
		demux_count(d, DECAP_BB_MODE);
	else
		gse_walk(d, bb + GSE_BBHEADER, dfl);
}

/*
 * One step over the stream bytes p[0..n): returns how many were used, 0
 * when more are needed.  Out of sync, bytes that cannot start a header
 * are skipped; in sync, a bad header is counted (once: the episode lasts
 * until the scan finds a header) and a whole frame is consumed at once.
 */
static size_t
demux_step(struct gse_demux *d, const uint8_t *p, size_t n)
{
	size_t skip, dfl;
	int kind;

	if (d->lost) {
		skip = bb_scan(p, n);
		if (skip + GSE_BBHEADER > n)
			return skip;
		d->lost = 0;
		if (skip > 0)
			return skip;
	}
	if (n < GSE_BBHEADER)
		return 0;
	kind = bb_check(p, &dfl);
	if (kind == BB_BAD) {
		demux_count(d, DECAP_BB_HDR);
		d->lost = 1;
		return 1;
	}
	if (n < GSE_BBHEADER + dfl)
		return 0;
	demux_bbframe(d, p, dfl, kind);
	return GSE_BBHEADER + dfl;
}

static size_t
demux_run(struct gse_demux *d, const uint8_t *p, size_t n)
{
	size_t off = 0, c;

	while ((c = demux_step(d, p + off, n - off)) > 0)
		off += c;
	return off;
}

/*
 * How many bytes acc should hold before the next step can progress: a
 * header, then its whole frame; out of sync, as much as fits (the scan
 * is cheaper over big blocks).
 */
static size_t
demux_want(const struct gse_demux *d)
{
	size_t dfl;

	if (d->lost)
		return sizeof(d->acc);
	if (d->have < GSE_BBHEADER || bb_check(d->acc, &dfl) == BB_BAD)
		return GSE_BBHEADER;
	return GSE_BBHEADER + dfl;
}

struct gse_demux *
gse_demux_new(const struct decap_out *out)
{
	struct gse_demux *d;

	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	if (out != NULL)
		d->out = *out;
	return d;
}

void
gse_demux_free(struct gse_demux *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < GSE_NFRAG; i++)
		free(d->frag[i].buf);
	free(d);
}

/*
 * Whole frames in buf are parsed where they lie; only a partial frame (or
 * fewer than ten bytes while out of sync) is copied into acc, and acc is
 * topped up only as far as the frame it holds needs, so that it empties
 * and the next call works in place again.
 */
void
gse_demux_input(struct gse_demux *d, const uint8_t *buf, size_t len)
{
	size_t c, take, want;

	if (d == NULL || buf == NULL)
		return;
	while (len > 0) {
		if (d->have == 0) {
			c = demux_run(d, buf, len);
			/* What is left is less than one frame. */
			d->have = len - c <= sizeof(d->acc) ? len - c : 0;
			memcpy(d->acc, buf + c, d->have);
			return;
		}
		want = demux_want(d);
		take = want > d->have ? want - d->have : 0;
		if (take > len)
			take = len;
		memcpy(d->acc + d->have, buf, take);
		d->have += take;
		buf += take;
		len -= take;
		c = demux_run(d, d->acc, d->have);
		if (c == 0 && take == 0)
			c = d->have;		/* cannot happen: no progress */
		memmove(d->acc, d->acc + c, d->have - c);
		d->have -= c;
	}
}

void
gse_demux_frame(struct gse_demux *d, const uint8_t *bb, size_t len)
{
	size_t dfl;
	int kind;

	if (d == NULL)
		return;
	if (bb == NULL || len < GSE_BBHEADER) {
		demux_count(d, DECAP_BB_HDR);
		return;
	}
	kind = bb_check(bb, &dfl);
	if (kind == BB_BAD || len < GSE_BBHEADER + dfl) {
		demux_count(d, DECAP_BB_HDR);
		return;
	}
	demux_bbframe(d, bb, dfl, kind);
}
