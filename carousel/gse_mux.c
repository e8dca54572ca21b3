/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gse_mux.c: nipcast's GSE writer (ETSI TS 102 606-1).  Datagrams become
 * GSE packets back to back in the data field of DVB-S2 BBFrames of one
 * generic continuous stream; a datagram that does not fit what is left
 * of the frame is fragmented, the rest following in the next frames.
 * Frames are written as short as their content: DFL says how many bits
 * are used, so nothing is padded.  Pure: no I/O, no clock.
 */
#include <stdlib.h>
#include <string.h>

#include "gse.h"
#include "ipudp.h"

#define GSE_FIXED	2	/* S, E, LT, GSE_Length */
#define GSE_LEN_MAX	4095	/* 12-bit GSE_Length */
#define FRAG_ID_LEN	1
#define TOTAL_LEN_LEN	2
#define PROTO_LEN	2
#define CRC_LEN		4
#define LT_REUSE	3
#define SUB_HDR		(GSE_FIXED + FRAG_ID_LEN)
/* A first fragment with the longest label and one data byte fits. */
#define MUX_DFL_MIN	16
/*
 * MATYPE-1: TS/GS 01 generic continuous, SIS 1 single stream, CCM 1,
 * ISSYI 0, NPD 0, RO 00 (0.35).
 */
#define MATYPE1_GCS	((1 << 6) | (1 << 5) | (1 << 4))

struct gse_mux {
	gse_write_fn	 w;
	void		*arg;
	size_t		 dfl;		/* data field bytes a frame may use */
	unsigned	 lt;		/* label type of first packets */
	size_t		 label_len;
	uint8_t		 frag_id;	/* of the next fragmented PDU */
	int		 failed;	/* the writer said stop */
	size_t		 used;		/* data field bytes filled */
	uint8_t		 frame[GSE_BBHEADER + GSE_DFL_MAX];
};

/* One datagram on its way into GSE packets. */
struct pdu {
	const uint8_t	*data;
	size_t		 len;
	size_t		 off;		/* data bytes already written */
	uint16_t	 proto;
	uint8_t		 label[6];
	uint8_t		 frag_id;
	uint32_t	 crc;
};

static uint8_t *
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

struct gse_mux *
gse_mux_new(const struct gse_mux_params *p, gse_write_fn w, void *arg)
{
	static const struct gse_mux_params none;
	struct gse_mux *m;

	if (p == NULL)
		p = &none;
	if (w == NULL || p->label_type > 3 ||
	    (p->dfl != 0 && (p->dfl < MUX_DFL_MIN || p->dfl > GSE_DFL_MAX)))
		return NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->w = w;
	m->arg = arg;
	m->dfl = p->dfl ? p->dfl : GSE_DFL_MAX;
	/* LT 11 (re-use the previous label) is never chosen: as 00. */
	m->lt = p->label_type == 3 ? 0 : p->label_type;
	m->label_len = m->lt == 0 ? 6 : m->lt == 1 ? 3 : 0;
	return m;
}

void
gse_mux_free(struct gse_mux *m)
{
	free(m);
}

static size_t
room(const struct gse_mux *m)
{
	return m->dfl - m->used;
}

/* Write the frame being filled, if any; a refusal stops the mux. */
static int
frame_close(struct gse_mux *m)
{
	uint8_t *h = m->frame;
	size_t used = m->used;

	if (used == 0)
		return 0;
	m->used = 0;
	h[0] = MATYPE1_GCS;
	h[1] = 0;			/* MATYPE-2: ISI, unused with SIS */
	put16(h + 2, 0);		/* UPL: continuous stream */
	put16(h + 4, (uint32_t)(used * 8));
	h[6] = 0;			/* SYNC */
	put16(h + 7, 0);		/* SYNCD */
	h[9] = decap_crc8(h, 9);
	if (m->w(m->arg, h, GSE_BBHEADER + used) < 0) {
		m->failed = 1;
		return -1;
	}
	return 0;
}

/*
 * Start a GSE packet of len bytes in total at the end of the frame and
 * return where its fields after GSE_Length go.
 */
static uint8_t *
pkt_begin(struct gse_mux *m, int s, int e, unsigned lt, size_t len)
{
	uint8_t *p = m->frame + GSE_BBHEADER + m->used;
	size_t gse_len = len - GSE_FIXED;

	m->used += len;
	p[0] = (uint8_t)((s << 7) | (e << 6) | (lt << 4) | (gse_len >> 8));
	p[1] = (uint8_t)gse_len;
	return p + GSE_FIXED;
}

static uint8_t *
put_type_label(const struct gse_mux *m, const struct pdu *u, uint8_t *p)
{
	p = put16(p, u->proto);
	memcpy(p, u->label + 6 - m->label_len, m->label_len);
	return p + m->label_len;
}

static void
put_complete(struct gse_mux *m, const struct pdu *u)
{
	size_t hdr = GSE_FIXED + PROTO_LEN + m->label_len;
	uint8_t *p = pkt_begin(m, 1, 1, m->lt, hdr + u->len);

	p = put_type_label(m, u, p);
	memcpy(p, u->data, u->len);
}

static size_t
first_hdr(const struct gse_mux *m)
{
	return SUB_HDR + TOTAL_LEN_LEN + PROTO_LEN + m->label_len;
}

static void
put_first(struct gse_mux *m, struct pdu *u, size_t n)
{
	uint8_t *p = pkt_begin(m, 1, 0, m->lt, first_hdr(m) + n);

	*p++ = u->frag_id;
	p = put16(p, (uint32_t)(PROTO_LEN + m->label_len + u->len));
	p = put_type_label(m, u, p);
	memcpy(p, u->data, n);
	u->off = n;
}

/*
 * A middle or last fragment.  Their LT is 11: no label follows, and a
 * middle fragment must not start with the four zero bits of padding.
 */
static void
put_sub(struct gse_mux *m, struct pdu *u, size_t n, int last)
{
	size_t len = SUB_HDR + n + (last ? CRC_LEN : 0);
	uint8_t *p = pkt_begin(m, 0, last, LT_REUSE, len);

	*p++ = u->frag_id;
	memcpy(p, u->data + u->off, n);
	u->off += n;
	if (last)
		put16(put16(p + n, u->crc >> 16), u->crc);
}

static size_t
min3(size_t a, size_t b, size_t c)
{
	size_t r = a < b ? a : b;

	return r < c ? r : c;
}

/*
 * The datagram whole if it fits what is left, else its first fragment
 * (at least one data byte, never all of them).  1 when done, 0 when
 * fragments must follow, -1 if the writer failed.
 */
static int
mux_start(struct gse_mux *m, struct pdu *u)
{
	size_t whole = GSE_FIXED + PROTO_LEN + m->label_len + u->len;
	size_t hdr = first_hdr(m);

	for (;;) {
		if (whole - GSE_FIXED <= GSE_LEN_MAX && whole <= room(m)) {
			put_complete(m, u);
			return 1;
		}
		/* Here len > 4: whole did not fit where hdr + 1 does. */
		if (room(m) >= hdr + 1) {
			put_first(m, u, min3(room(m) - hdr,
			    GSE_LEN_MAX + GSE_FIXED - hdr, u->len - 1));
			return 0;
		}
		if (frame_close(m) < 0)
			return -1;
	}
}

/*
 * Middle fragments until the rest and the whole CRC fit one last
 * fragment; each carries at least one byte and leaves one for the last.
 */
static int
mux_rest(struct gse_mux *m, struct pdu *u)
{
	size_t r;

	while ((r = u->len - u->off) > 0) {
		if (SUB_HDR + r + CRC_LEN <= room(m) &&
		    FRAG_ID_LEN + r + CRC_LEN <= GSE_LEN_MAX) {
			put_sub(m, u, r, 1);
			return 0;
		}
		if (room(m) >= SUB_HDR + 1 && r >= 2)
			put_sub(m, u, min3(room(m) - SUB_HDR,
			    GSE_LEN_MAX - FRAG_ID_LEN, r - 1), 0);
		else if (frame_close(m) < 0)
			return -1;
	}
	return 0;
}

/*
 * The CRC-32 a fragmented datagram ends with covers the reassembled
 * Total_Length, Protocol_Type, Label and PDU (TS 102 606-1 §4.2.2).
 */
static void
pdu_crc(const struct gse_mux *m, struct pdu *u)
{
	uint8_t head[TOTAL_LEN_LEN + PROTO_LEN + 6], *p;

	p = put16(head, (uint32_t)(PROTO_LEN + m->label_len + u->len));
	p = put_type_label(m, u, p);
	u->crc = decap_crc32(0xffffffffu, head, (size_t)(p - head));
	u->crc = decap_crc32(u->crc, u->data, u->len);
}

/* The protocol and label of a datagram, -1 if it cannot be sent. */
static int
pdu_init(const struct gse_mux *m, struct pdu *u, const uint8_t *ip,
    size_t len)
{
	if (ip == NULL || len == 0 ||
	    len > 0xffff - PROTO_LEN - m->label_len)
		return -1;
	if ((ip[0] >> 4) != 4 && (ip[0] >> 4) != 6)
		return -1;
	memset(u, 0, sizeof(*u));
	u->data = ip;
	u->len = len;
	u->proto = (ip[0] >> 4) == 4 ? 0x0800 : 0x86dd;
	u->frag_id = m->frag_id;
	ipudp_dst_mac(ip, len, u->label);
	return 0;
}

int
gse_mux_datagram(struct gse_mux *m, const uint8_t *ip, size_t len)
{
	struct pdu u;
	int rc;

	if (m == NULL || m->failed || pdu_init(m, &u, ip, len) < 0)
		return -1;
	if ((rc = mux_start(m, &u)) < 0)
		return -1;
	if (rc == 0) {
		m->frag_id++;
		pdu_crc(m, &u);
		if (mux_rest(m, &u) < 0)
			return -1;
	}
	/* Too little left for any packet: the frame is done. */
	if (room(m) < GSE_FIXED + PROTO_LEN + m->label_len + 1)
		return frame_close(m);
	return 0;
}

int
gse_mux_flush(struct gse_mux *m)
{
	if (m == NULL || m->failed)
		return -1;
	return frame_close(m);
}
