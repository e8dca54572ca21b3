/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ts_demux.c: the packet layer of the TS demux (sync, header, continuity
 * counter), the table of followed PIDs, the reassembly of the units a PID
 * carries (PSI sections with their pointer_field; ULE SNDUs with their
 * Payload Pointer, which works the same way) and the MPE datagram section
 * (EN 301 192 §7).  PAT and PMT are in ts_psi.c, the INT in ts_int.c,
 * the SNDU decoder in ts_ule.c.
 */
#include <stdlib.h>
#include <string.h>

#include "ts_demux_int.h"

#define TS_SYNC		0x47
#define TS_STUFFING	0xff

/* What a TS packet header says (ISO/IEC 13818-1 §2.4.3.2). */
struct ts_hdr {
	uint16_t	pid;
	uint8_t		tei;
	uint8_t		pusi;
	uint8_t		scrambled;
	uint8_t		afc;		/* adaptation_field_control */
	uint8_t		cc;
	uint8_t		disc;		/* discontinuity_indicator */
	int		off;		/* payload offset, -1: AF too long */
};

static const uint8_t llc_snap[6] = { 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00 };

static void	ts_packet(struct ts_demux *d, const uint8_t *p);

/* ---- The table of followed PIDs. ---- */

static int
kind_is_data(int kind)
{
	return kind == TS_KIND_MPE || kind == TS_KIND_ULE;
}

/* A data PID the tables name (a PMT or an INT), which ends sniffing. */
static int
origin_is_named(int origin)
{
	return origin == TS_FROM_PMT || origin == TS_FROM_INT;
}

struct ts_stream *
ts_stream_get(struct ts_demux *d, uint16_t pid)
{
	if (pid >= TS_NPID || d->slot[pid] == 0)
		return NULL;
	return &d->st[d->slot[pid] - 1];
}

/*
 * Follow pid as kind.  The reassembly buffer is allocated here, once, so
 * the memory a demux can use is bounded by the caps on streams.  NULL if
 * the PID is taken, a cap is reached or malloc fails.
 */
struct ts_stream *
ts_stream_add(struct ts_demux *d, uint16_t pid, int kind, int origin)
{
	struct ts_stream *st;
	size_t i, cap;

	if (pid >= TS_NPID || d->slot[pid] != 0)
		return NULL;
	if (kind_is_data(kind) && d->ndata >= TS_MAX_DATA)
		return NULL;
	for (i = 0; i < TS_MAX_STREAMS && d->st[i].kind != TS_KIND_NONE; i++)
		;
	if (i == TS_MAX_STREAMS)
		return NULL;
	cap = kind == TS_KIND_ULE ? TS_SNDU_MAX : TS_SECT_MAX;
	st = &d->st[i];
	memset(st, 0, sizeof(*st));
	if ((st->buf = malloc(cap)) == NULL)
		return NULL;
	st->cap = cap;
	st->pid = pid;
	st->kind = (uint8_t)kind;
	st->origin = (uint8_t)origin;
	st->cc = -1;
	st->lost = 1;
	d->slot[pid] = (uint8_t)(i + 1);
	if (kind_is_data(kind)) {
		d->ndata++;
		if (origin_is_named(origin))
			d->npmtdata++;
	}
	return st;
}

void
ts_stream_del(struct ts_demux *d, struct ts_stream *st)
{
	if (kind_is_data(st->kind)) {
		d->ndata--;
		if (origin_is_named(st->origin))
			d->npmtdata--;
	}
	d->slot[st->pid] = 0;
	free(st->buf);
	memset(st, 0, sizeof(*st));
}

void
ts_deliver(struct ts_demux *d, const uint8_t *ip, size_t len)
{
	if (d->out.datagram != NULL)
		d->out.datagram(d->out.arg, ip, len);
}

/* ---- Life cycle. ---- */

/* The first streams: PID 0 for the PAT, or the one PID configured. */
static int
ts_demux_first(struct ts_demux *d)
{
	int kind = d->p.ule ? TS_KIND_ULE : TS_KIND_MPE;

	if (d->p.pid == 0)
		return ts_stream_add(d, 0, TS_KIND_PAT, TS_FROM_PSI) ? 0 : -1;
	/* A PID that cannot occur follows nothing; that is not an error. */
	if (d->p.pid >= TS_PID_NULL)
		return 0;
	return ts_stream_add(d, d->p.pid, kind, TS_FROM_FIXED) ? 0 : -1;
}

struct ts_demux *
ts_demux_new(const struct ts_demux_params *p, const struct decap_out *out)
{
	struct ts_demux *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	if (p != NULL)
		d->p = *p;
	if (out != NULL)
		d->out = *out;
	if (ts_demux_first(d) != 0) {
		ts_demux_free(d);
		return NULL;
	}
	return d;
}

void
ts_demux_free(struct ts_demux *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < TS_MAX_STREAMS; i++)
		free(d->st[i].buf);
	free(d);
}

size_t
ts_demux_pids(const struct ts_demux *d, uint16_t *out, size_t max)
{
	size_t n = 0;
	unsigned pid;

	if (d == NULL || out == NULL)
		return 0;
	for (pid = 0; pid < TS_NPID && n < max; pid++) {
		if (d->slot[pid] != 0 &&
		    kind_is_data(d->st[d->slot[pid] - 1].kind))
			out[n++] = (uint16_t)pid;
	}
	return n;
}

/* ---- Input: sync bytes and packets cut across calls. ---- */

/*
 * Scan for a packet start after sync was lost: a 0x47 that another 0x47
 * follows one packet later, or, when the buffer ends before that byte, a
 * lone 0x47 taken on trial (confirmed if the next packet starts with
 * 0x47 too).  Returns its offset, or len.
 */
static size_t
ts_resync(struct ts_demux *d, const uint8_t *buf, size_t len, size_t off)
{
	const uint8_t *q;
	size_t i;

	for (i = off; i < len; i++) {
		if ((q = memchr(buf + i, TS_SYNC, len - i)) == NULL)
			return len;
		i = (size_t)(q - buf);
		if (len - i <= TS_PACKET) {
			d->sync = TS_TRIAL;
			return i;
		}
		if (buf[i + TS_PACKET] == TS_SYNC) {
			d->sync = TS_IN_SYNC;
			return i;
		}
	}
	return len;
}

/* The offset of the next packet start at or after off, or len. */
static size_t
ts_sync(struct ts_demux *d, const uint8_t *buf, size_t len, size_t off)
{
	if (buf[off] == TS_SYNC && d->sync != TS_LOST) {
		d->sync = TS_IN_SYNC;
		return off;
	}
	/* Count each episode once, not each byte skipped. */
	if (d->sync == TS_IN_SYNC)
		ts_count(d, DECAP_TS_SYNC);
	d->sync = TS_LOST;
	return ts_resync(d, buf, len, off);
}

/* Complete the packet kept from the last call; returns bytes taken. */
static size_t
ts_part_fill(struct ts_demux *d, const uint8_t *buf, size_t len)
{
	size_t n = TS_PACKET - d->partlen;

	if (n > len)
		n = len;
	memcpy(d->part + d->partlen, buf, n);
	d->partlen += n;
	if (d->partlen == TS_PACKET) {
		d->partlen = 0;
		ts_packet(d, d->part);
	}
	return n;
}

void
ts_demux_input(struct ts_demux *d, const uint8_t *buf, size_t len)
{
	size_t off = 0;

	if (d == NULL || buf == NULL)
		return;
	if (d->partlen > 0)
		off = ts_part_fill(d, buf, len);
	while (off < len) {
		off = ts_sync(d, buf, len, off);
		if (off == len)
			break;
		if (len - off < TS_PACKET) {
			memcpy(d->part, buf + off, len - off);
			d->partlen = len - off;
			break;
		}
		ts_packet(d, buf + off);
		off += TS_PACKET;
	}
}

/* ---- Units: reassembly of sections and SNDUs. ---- */

static size_t
unit_hdrlen(const struct ts_stream *st)
{
	return st->kind == TS_KIND_ULE ? 2 : 3;
}

/* What a unit cut short is counted as. */
static int
unit_trunc_err(const struct ts_stream *st)
{
	return st->kind == TS_KIND_ULE ? DECAP_ULE_LEN : DECAP_SECT_TRUNC;
}

/*
 * Stuffing where a unit could start: 0xFF for sections (no table_id is
 * 0xFF); the End Indicator 0xFFFF for ULE, or one 0xFF that ends the
 * packet.
 */
static int
unit_stuffing(const struct ts_stream *st, const uint8_t *p, size_t n)
{
	if (p[0] != TS_STUFFING)
		return 0;
	if (st->kind != TS_KIND_ULE || n == 1)
		return 1;
	return p[1] == TS_STUFFING;
}

/* Drop the unit in progress (counted) and wait for the next PUSI. */
static void
unit_break(struct ts_demux *d, struct ts_stream *st)
{
	if (st->active)
		ts_count(d, unit_trunc_err(st));
	st->active = 0;
	st->lost = 1;
}

/* The total length of a section from its first 3 bytes, 0 if refused. */
static size_t
sect_length(struct ts_demux *d, const struct ts_stream *st)
{
	const uint8_t *b = st->buf;
	size_t sl = (size_t)(b[1] & 0x0f) << 8 | b[2];
	size_t min = 0;

	/* The long form has 5 more header bytes and the CRC_32. */
	if (b[1] & 0x80)
		min = 5 + 4;
	if (st->kind == TS_KIND_MPE && b[0] == TS_TABLE_MPE)
		min = 9 + 4;
	if (sl > TS_SECT_MAX - 3 || sl < min) {
		ts_count(d, DECAP_SECT_LEN);
		return 0;
	}
	return 3 + sl;
}

/* The checks that make an MPE section's bytes trustworthy. */
static int
mpe_check(struct ts_demux *d, struct ts_stream *st, const uint8_t *s,
    size_t len)
{
	if (s[1] & 0x80) {
		if (decap_crc32(0xffffffffu, s, len) != 0) {
			ts_count(d, DECAP_SECT_CRC);
			return 0;
		}
		st->crc_seen = 1;
		return s[0] == TS_TABLE_MPE;
	}
	if (s[0] != TS_TABLE_MPE)
		return 0;
	/*
	 * The checksum form is not verified.  One bit error in the
	 * section_syntax_indicator must not switch a PID that has been
	 * sending CRC_32 to unchecked sections, so such a PID keeps
	 * requiring it.
	 */
	if (st->crc_seen) {
		ts_count(d, DECAP_SECT_CRC);
		return 0;
	}
	return 1;
}

/*
 * The offset of the datagram in an MPE section (12, or 20 after LLC/SNAP),
 * 0 if byte 5 refuses it: scrambled, not current, or LLC/SNAP that is not
 * IPv4/IPv6.  The MAC address bytes are not looked at.
 */
static size_t
mpe_payload_off(struct ts_demux *d, const uint8_t *s, size_t len)
{
	uint8_t f = s[5];
	unsigned et;

	if ((f & 0x3c) != 0 || (f & 0x01) == 0)
		goto refuse;
	if ((f & 0x02) == 0)
		return 12;
	if (len < 12 + 8 + 4 || memcmp(s + 12, llc_snap, 6) != 0)
		goto refuse;
	et = (unsigned)s[18] << 8 | s[19];
	if (et != 0x0800 && et != 0x86dd)
		goto refuse;
	return 20;
refuse:
	ts_count(d, DECAP_MPE_FLAGS);
	return 0;
}

static void
mpe_section(struct ts_demux *d, struct ts_stream *st, const uint8_t *s,
    size_t len)
{
	size_t off;

	if (!mpe_check(d, st, s, len))
		return;
	if ((off = mpe_payload_off(d, s, len)) == 0)
		return;
	if (off + 4 >= len) {
		ts_count(d, DECAP_SECT_LEN);
		return;
	}
	ts_deliver(d, s + off, len - 4 - off);
}

static void
unit_done(struct ts_demux *d, struct ts_stream *st)
{
	switch (st->kind) {
	case TS_KIND_ULE:
		ts_ule_sndu(d, st->buf, st->need);
		break;
	case TS_KIND_MPE:
		mpe_section(d, st, st->buf, st->need);
		break;
	default:
		ts_psi_section(d, st, st->buf, st->need);
		break;
	}
}

/* Copy the unit's header bytes; returns how many were taken. */
static size_t
unit_head(struct ts_stream *st, const uint8_t *p, size_t n)
{
	size_t take = unit_hdrlen(st) - st->have;

	if (take > n)
		take = n;
	memcpy(st->buf + st->have, p, take);
	st->have += take;
	return take;
}

/*
 * Append up to n bytes to the unit being assembled; returns how many it
 * took.  A complete unit is decoded.  An impossible length drops the unit
 * and the rest of the packet (returns n): where the next unit starts is
 * unknown until the next PUSI.
 */
static size_t
unit_feed(struct ts_demux *d, struct ts_stream *st, const uint8_t *p,
    size_t n)
{
	size_t used = 0, take;

	if (st->need == 0) {
		used = unit_head(st, p, n);
		if (st->have < unit_hdrlen(st))
			return used;
		st->need = st->kind == TS_KIND_ULE ?
		    ts_ule_length(d, st->buf) : sect_length(d, st);
		if (st->need == 0) {
			st->active = 0;
			st->lost = 1;
			return n;
		}
	}
	take = st->need - st->have;
	if (take > n - used)
		take = n - used;
	memcpy(st->buf + st->have, p + used, take);
	st->have += take;
	if (st->have == st->need) {
		st->active = 0;
		unit_done(d, st);
	}
	return used + take;
}

/*
 * A packet without PUSI continues the unit in progress.  If none is in
 * progress although the stream was in step, a unit start was missed (a
 * lost PUSI): count it once.  Bytes after a unit that ends here can only
 * be stuffing, since a new unit would have needed PUSI.
 */
static void
unit_continue(struct ts_demux *d, struct ts_stream *st, const uint8_t *p,
    size_t n)
{
	if (st->active) {
		unit_feed(d, st, p, n);
		return;
	}
	if (!st->lost && !unit_stuffing(st, p, n)) {
		ts_count(d, unit_trunc_err(st));
		st->lost = 1;
	}
}

/*
 * A packet with PUSI: the bytes before the pointer target finish the unit
 * in progress, then units start back to back until stuffing or the end
 * of the packet.
 */
static void
unit_payload(struct ts_demux *d, struct ts_stream *st, const uint8_t *p,
    size_t n, int pusi)
{
	size_t ptr, off;

	if (!pusi) {
		if (n > 0)
			unit_continue(d, st, p, n);
		return;
	}
	/* A PUSI packet must hold the pointer and the byte it points at. */
	if (n == 0 || (ptr = p[0]) + 1 >= n) {
		ts_count(d, DECAP_SECT_POINTER);
		unit_break(d, st);
		return;
	}
	if (st->active) {
		unit_feed(d, st, p + 1, ptr);
		if (st->active) {
			ts_count(d, unit_trunc_err(st));
			st->active = 0;
		}
	}
	st->lost = 0;
	off = 1 + ptr;
	while (off < n && !unit_stuffing(st, p + off, n - off)) {
		st->active = 1;
		st->have = 0;
		st->need = 0;
		off += unit_feed(d, st, p + off, n - off);
		if (st->active)
			break;
	}
}

/* ---- TS packets. ---- */

static void
ts_hdr_parse(const uint8_t *p, struct ts_hdr *h)
{
	size_t afl;

	h->tei = p[1] >> 7;
	h->pusi = (p[1] >> 6) & 1;
	h->pid = (uint16_t)((p[1] & 0x1f) << 8 | p[2]);
	h->scrambled = p[3] >> 6;
	h->afc = (p[3] >> 4) & 3;
	h->cc = p[3] & 0x0f;
	h->disc = 0;
	h->off = 4;
	if ((h->afc & 2) == 0)
		return;
	afl = p[4];
	if (afl > ((h->afc & 1) ? 182u : 183u)) {
		h->off = -1;
		return;
	}
	if (afl > 0)
		h->disc = p[5] >> 7;
	h->off = 5 + (int)afl;
}

static int
ts_sniffing(const struct ts_demux *d)
{
	return d->p.pid == 0 && d->npmtdata == 0;
}

/*
 * Until a PMT or an INT names an MPE/ULE PID, follow any PID whose first
 * section in a PUSI packet is an MPE datagram section.  The PSI and DVB
 * SI PIDs (below 0x20) and the null PID are never data.
 */
static struct ts_stream *
ts_sniff(struct ts_demux *d, const struct ts_hdr *h, const uint8_t *p)
{
	size_t at;

	if (!ts_sniffing(d) || !h->pusi || (h->afc & 1) == 0 || h->off < 0 ||
	    h->off >= TS_PACKET || h->scrambled || h->pid < 0x20 ||
	    h->pid == TS_PID_NULL)
		return NULL;
	at = (size_t)h->off + 1 + p[h->off];
	if (at >= TS_PACKET || p[at] != TS_TABLE_MPE)
		return NULL;
	return ts_stream_add(d, h->pid, TS_KIND_MPE, TS_FROM_SNIFF);
}

/*
 * The continuity counter of a packet with payload.  Returns 1 for the
 * one duplicate a multiplexer may send, which is ignored.  A jump drops
 * the unit in progress; a discontinuity_indicator excuses it.
 */
static int
ts_cc(struct ts_demux *d, struct ts_stream *st, const struct ts_hdr *h)
{
	if ((h->afc & 1) == 0)
		return 0;
	if (st->cc < 0 || h->cc == ((st->cc + 1) & 0x0f)) {
		st->cc = (int8_t)h->cc;
		st->dup = 0;
		return 0;
	}
	/* st->cc >= 0 here: the first packet took the branch above. */
	if (h->cc == (uint8_t)st->cc && !st->dup && !h->disc) {
		st->dup = 1;
		return 1;
	}
	if (!h->disc)
		ts_count(d, DECAP_TS_CC);
	unit_break(d, st);
	st->cc = (int8_t)h->cc;
	st->dup = 0;
	return 0;
}

static void
ts_packet(struct ts_demux *d, const uint8_t *p)
{
	struct ts_hdr h;
	struct ts_stream *st;

	ts_hdr_parse(p, &h);
	st = ts_stream_get(d, h.pid);
	/*
	 * Counted whatever the PID: the PID of a damaged packet cannot be
	 * trusted, so it may have belonged to a followed one.
	 */
	if (h.tei) {
		ts_count(d, DECAP_TS_TEI);
		if (st != NULL) {
			unit_break(d, st);
			st->cc = -1;
		}
		return;
	}
	if (h.afc == 0)
		return;
	if (st == NULL && (st = ts_sniff(d, &h, p)) == NULL)
		return;
	if (h.off < 0) {
		ts_count(d, DECAP_TS_AF);
		unit_break(d, st);
		st->cc = -1;
		return;
	}
	if (ts_cc(d, st, &h) != 0)
		return;
	if (h.scrambled) {
		ts_count(d, DECAP_TS_SCRAMBLED);
		unit_break(d, st);
		return;
	}
	if (h.afc & 1)
		unit_payload(d, st, p + h.off, TS_PACKET - (size_t)h.off,
		    h.pusi);
}
