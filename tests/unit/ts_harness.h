/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ts_harness.h: transport streams built by hand for the TS demux tests
 * and the decapsulation round trips.  Section builders (CRC-correct PAT,
 * PMT with the data_broadcast_id descriptor, MPE datagram sections with
 * the MAC split over bytes 3-4 and 8-11), a ULE SNDU builder, a
 * packetizer that packs units back to back behind the pointer_field (or
 * ULE Payload Pointer, the same thing) with optional adaptation fields,
 * UDP datagrams from ipudp_build, a sink that keeps copies of what a
 * decapsulator delivers, and the scratch section, MAC and hand-made
 * packet the demux tests share.  For the INT: a PMT with component tags
 * (stream_identifier_descriptor) and INT section builders.  Written from
 * the standards, independently of the demux and mux under test.  All
 * static and marked unused.
 */
#ifndef NIPCACHE_TS_HARNESS_H
#define NIPCACHE_TS_HARNESS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "testutil.h"
#include "../../carousel/decap.h"
#include "../../carousel/ipudp.h"
#include "../../carousel/ts.h"

#define TSH_UNUSED	__attribute__((unused))
#define TSH_SECT_MAX	4096
#define TSH_SNDU_MAX	(4 + 32767)

/* ---- Growable byte buffer. ---- */

struct tsh_buf {
	uint8_t		*p;
	size_t		len;
	size_t		cap;
};

static TSH_UNUSED void
tsh_buf_put(struct tsh_buf *b, const uint8_t *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 4096;
		b->p = realloc(b->p, b->cap);
		if (b->p == NULL)
			abort();
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static TSH_UNUSED void
tsh_buf_free(struct tsh_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* ---- Sections. ---- */

/*
 * Write section_length (keeping the 4 flag bits of byte 1) and, if the
 * section_syntax_indicator is set, the CRC_32 into a section of len bytes
 * in total.  Call again after patching a section to keep it valid.
 */
static TSH_UNUSED void
tsh_section_seal(uint8_t *s, size_t len)
{
	uint32_t crc;

	s[1] = (uint8_t)((s[1] & 0xf0) | ((len - 3) >> 8 & 0x0f));
	s[2] = (uint8_t)(len - 3);
	if (s[1] & 0x80) {
		crc = decap_crc32(0xffffffffu, s, len - 4);
		put32(s + len - 4, crc);
	}
}

/* The 8-byte long-form header: table_id .. last_section_number. */
static TSH_UNUSED void
tsh_long_header(uint8_t *s, uint8_t table_id, uint16_t ext, uint8_t version)
{
	s[0] = table_id;
	s[1] = 0xb0;		/* syntax 1, '0', reserved 11 */
	s[2] = 0;
	put16(s + 3, ext);
	s[5] = (uint8_t)(0xc0 | (version & 0x1f) << 1 | 0x01);
	s[6] = 0;
	s[7] = 0;
}

struct tsh_prog {
	uint16_t	number;
	uint16_t	pmt_pid;
};

/* A PAT section; returns its length. */
static TSH_UNUSED size_t
tsh_pat(uint8_t *s, uint16_t tsid, uint8_t version,
    const struct tsh_prog *prog, size_t n)
{
	size_t i, off = 8;

	tsh_long_header(s, 0x00, tsid, version);
	for (i = 0; i < n; i++, off += 4) {
		put16(s + off, prog[i].number);
		put16(s + off + 2, 0xe000u | prog[i].pmt_pid);
	}
	tsh_section_seal(s, off + 4);
	return off + 4;
}

struct tsh_es {
	uint8_t		stream_type;
	uint16_t	pid;
	uint16_t	dbid;	/* data_broadcast_id descriptor; 0: none */
};

/* A PMT section (PCR PID 0x1FFF, no program descriptors). */
static TSH_UNUSED size_t
tsh_pmt(uint8_t *s, uint16_t program, uint8_t version,
    const struct tsh_es *es, size_t n)
{
	size_t i, off = 12, il;

	tsh_long_header(s, 0x02, program, version);
	put16(s + 8, 0xe000u | TS_PID_NULL);
	put16(s + 10, 0xf000u);
	for (i = 0; i < n; i++) {
		il = es[i].dbid ? 4 : 0;
		s[off] = es[i].stream_type;
		put16(s + off + 1, 0xe000u | es[i].pid);
		put16(s + off + 3, (uint32_t)(0xf000u | il));
		off += 5;
		if (il) {
			s[off] = 0x66;
			s[off + 1] = 2;
			put16(s + off + 2, es[i].dbid);
			off += 4;
		}
	}
	tsh_section_seal(s, off + 4);
	return off + 4;
}

/*
 * A PMT ES that may also carry a stream_identifier_descriptor (0x52), the
 * component_tag an INT's IP/MAC_stream_location_descriptor names.
 */
struct tsh_esx {
	uint8_t		stream_type;
	uint16_t	pid;
	uint16_t	dbid;	/* data_broadcast_id descriptor; 0: none */
	int		ctag;	/* component_tag; -1: no stream_identifier */
};

/* A PMT section of tsh_esx entries (PCR PID 0x1FFF). */
static TSH_UNUSED size_t
tsh_pmt_x(uint8_t *s, uint16_t program, uint8_t version,
    const struct tsh_esx *es, size_t n)
{
	size_t i, off = 12, il;

	tsh_long_header(s, 0x02, program, version);
	put16(s + 8, 0xe000u | TS_PID_NULL);
	put16(s + 10, 0xf000u);
	for (i = 0; i < n; i++) {
		il = (es[i].dbid ? 4 : 0) + (es[i].ctag >= 0 ? 3 : 0);
		s[off] = es[i].stream_type;
		put16(s + off + 1, 0xe000u | es[i].pid);
		put16(s + off + 3, (uint32_t)(0xf000u | il));
		off += 5;
		if (es[i].dbid) {
			s[off] = 0x66;
			s[off + 1] = 2;
			put16(s + off + 2, es[i].dbid);
			off += 4;
		}
		if (es[i].ctag >= 0) {
			s[off] = 0x52;
			s[off + 1] = 1;
			s[off + 2] = (uint8_t)es[i].ctag;
			off += 3;
		}
	}
	tsh_section_seal(s, off + 4);
	return off + 4;
}

/*
 * The start of an INT section (EN 301 192 §8.4.4): table_id 0x4C,
 * action_type 0x01, platform_id_hash, version, section numbers,
 * platform_id, processing_order 0, an empty platform descriptor loop.
 * Returns the offset of the first target loop; add pairs with
 * tsh_int_pair, finish with tsh_int_end.
 */
static TSH_UNUSED size_t
tsh_int_begin(uint8_t *s, uint32_t platform, uint8_t version,
    uint8_t section, uint8_t last)
{
	uint8_t hash = (uint8_t)(platform ^ platform >> 8 ^ platform >> 16);

	tsh_long_header(s, 0x4c, (uint16_t)(0x0100 | hash), version);
	s[6] = section;
	s[7] = last;
	s[8] = (uint8_t)(platform >> 16);
	s[9] = (uint8_t)(platform >> 8);
	s[10] = (uint8_t)platform;
	s[11] = 0;
	put16(s + 12, 0xf000u);
	return 14;
}

/* A descriptor loop (12-bit length) of the n bytes at d; returns off. */
static TSH_UNUSED size_t
tsh_int_loop(uint8_t *s, size_t off, const uint8_t *d, size_t n)
{
	put16(s + off, (uint32_t)(0xf000u | n));
	if (n > 0)
		memcpy(s + off + 2, d, n);
	return off + 2 + n;
}

/* One target loop and its operational loop at off; returns the end. */
static TSH_UNUSED size_t
tsh_int_pair(uint8_t *s, size_t off, const uint8_t *tgt, size_t ntgt,
    const uint8_t *op, size_t nop)
{
	off = tsh_int_loop(s, off, tgt, ntgt);
	return tsh_int_loop(s, off, op, nop);
}

/* Seal an INT section whose loops end at off; returns its length. */
static TSH_UNUSED size_t
tsh_int_end(uint8_t *s, size_t off)
{
	tsh_section_seal(s, off + 4);
	return off + 4;
}

/* An IP/MAC_stream_location_descriptor at p; returns its 11 bytes. */
static TSH_UNUSED size_t
tsh_desc_loc(uint8_t *p, uint16_t service, uint8_t tag)
{
	p[0] = 0x13;
	p[1] = 9;
	put16(p + 2, 0x0055);		/* network_id */
	put16(p + 4, 0x0013);		/* original_network_id */
	put16(p + 6, 0x0777);		/* transport_stream_id: not ours */
	put16(p + 8, service);
	p[10] = tag;
	return 11;
}

#define TSH_MPE_LLC	0x01	/* LLC/SNAP header before the datagram */
#define TSH_MPE_NOCRC	0x02	/* section_syntax_indicator 0, checksum 0 */

/*
 * An MPE datagram section for an IP datagram; mac is in transmission
 * order (MSB first).  Returns its length (at most 4096 if len fits).
 */
static TSH_UNUSED size_t
tsh_mpe(uint8_t *s, const uint8_t mac[6], int flags, const uint8_t *ip,
    size_t len)
{
	static const uint8_t llc[6] = { 0xaa, 0xaa, 0x03, 0, 0, 0 };
	size_t off = 12;

	s[0] = TS_TABLE_MPE;
	s[1] = (flags & TSH_MPE_NOCRC) ? 0x30 : 0xb0;
	s[3] = mac[5];
	s[4] = mac[4];
	s[5] = (uint8_t)(0xc0 | ((flags & TSH_MPE_LLC) ? 0x02 : 0) | 0x01);
	s[6] = 0;
	s[7] = 0;
	s[8] = mac[3];
	s[9] = mac[2];
	s[10] = mac[1];
	s[11] = mac[0];
	if (flags & TSH_MPE_LLC) {
		memcpy(s + 12, llc, 6);
		put16(s + 18, (ip[0] >> 4) == 6 ? 0x86dd : 0x0800);
		off += 8;
	}
	memcpy(s + off, ip, len);
	off += len;
	memset(s + off, 0, 4);
	tsh_section_seal(s, off + 4);
	return off + 4;
}

/* ---- ULE. ---- */

/*
 * An SNDU: D = 1 if npa is NULL, else D = 0 and the 6-byte NPA address;
 * type, pdu, CRC-32.  Returns its length.
 */
static TSH_UNUSED size_t
tsh_ule(uint8_t *s, uint16_t type, const uint8_t *npa, const uint8_t *pdu,
    size_t n)
{
	size_t off = 4, length = n + 4 + (npa ? 6 : 0);

	put16(s, (uint32_t)((npa ? 0 : 0x8000u) | length));
	put16(s + 2, type);
	if (npa) {
		memcpy(s + 4, npa, 6);
		off += 6;
	}
	memcpy(s + off, pdu, n);
	off += n;
	put32(s + off, decap_crc32(0xffffffffu, s, off));
	return off + 4;
}

/* ---- Packetizer. ---- */

/*
 * Cuts units (sections or SNDUs) of one PID into TS packets appended to
 * out.  A packet in which a unit starts has PUSI and the pointer to the
 * first such unit; units follow back to back; a finished packet is
 * padded with 0xFF.  af > 0 puts an adaptation field of af bytes (length
 * byte included, at most 100) in every packet; nopack starts every unit
 * in a new packet.  Set the fields, then call tsh_pk_init.
 */
struct tsh_pk {
	struct tsh_buf	*out;
	uint16_t	pid;
	uint8_t		cc;
	uint8_t		af;
	int		nopack;
	uint8_t		pay[184];
	size_t		len;
	int		start;		/* offset of the first unit start, -1 */
};

static TSH_UNUSED void
tsh_pk_init(struct tsh_pk *t, struct tsh_buf *out, uint16_t pid)
{
	memset(t, 0, sizeof(*t));
	t->out = out;
	t->pid = pid;
	t->start = -1;
}

/* Payload bytes a packet holds besides the pointer (if it has one). */
static TSH_UNUSED size_t
tsh_pk_room(const struct tsh_pk *t, int pusi)
{
	return 184 - t->af - (pusi ? 1 : 0);
}

static TSH_UNUSED void
tsh_pk_emit(struct tsh_pk *t)
{
	uint8_t p[188];
	size_t off = 4;
	int pusi = t->start >= 0;

	p[0] = 0x47;
	p[1] = (uint8_t)((pusi ? 0x40 : 0) | (t->pid >> 8 & 0x1f));
	p[2] = (uint8_t)t->pid;
	p[3] = (uint8_t)((t->af ? 0x30 : 0x10) | (t->cc & 0x0f));
	if (t->af) {
		p[4] = (uint8_t)(t->af - 1);
		if (t->af > 1)
			p[5] = 0;
		if (t->af > 2)
			memset(p + 6, 0xff, t->af - 2u);
		off += t->af;
	}
	if (pusi)
		p[off++] = (uint8_t)t->start;
	memcpy(p + off, t->pay, t->len);
	memset(p + off + t->len, 0xff, 188 - off - t->len);
	tsh_buf_put(t->out, p, 188);
	t->cc = (uint8_t)((t->cc + 1) & 0x0f);
	t->len = 0;
	t->start = -1;
}

/* Finish the packet being filled, if any, with stuffing. */
static TSH_UNUSED void
tsh_pk_flush(struct tsh_pk *t)
{
	if (t->len > 0 || t->start >= 0)
		tsh_pk_emit(t);
}

static TSH_UNUSED void
tsh_pk_unit(struct tsh_pk *t, const uint8_t *u, size_t n)
{
	size_t room, take;

	if (t->nopack)
		tsh_pk_flush(t);
	/* A unit starts only where the pointer and one byte of it fit. */
	if (t->start < 0 && t->len >= tsh_pk_room(t, 1))
		tsh_pk_emit(t);
	if (t->start < 0)
		t->start = (int)t->len;
	while (n > 0) {
		room = tsh_pk_room(t, t->start >= 0) - t->len;
		take = n < room ? n : room;
		memcpy(t->pay + t->len, u, take);
		t->len += take;
		u += take;
		n -= take;
		if (t->len == tsh_pk_room(t, t->start >= 0))
			tsh_pk_emit(t);
	}
}

/* Every unit of a stream of units of the given lengths. */
static TSH_UNUSED void
tsh_pk_units(struct tsh_pk *t, const uint8_t *u, const size_t *lens,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		tsh_pk_unit(t, u, lens[i]);
		u += lens[i];
	}
}

/* ---- IP datagrams. ---- */

/*
 * A UDP datagram of plen payload bytes (a pattern from seed) to a
 * multicast group, IPv4 or IPv6.  Returns its length; aborts if it does
 * not fit cap.
 */
static TSH_UNUSED size_t
tsh_ip(uint8_t *buf, size_t cap, int family, size_t plen, uint32_t seed)
{
	struct ipudp h;
	uint8_t *pl = malloc(plen + 1);
	ssize_t n;
	size_t i;

	if (pl == NULL)
		abort();
	for (i = 0; i < plen; i++)
		pl[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
	memset(&h, 0, sizeof(h));
	h.family = family;
	if (family == AF_INET) {
		memcpy(h.src, "\x0a\x00\x00\x01", 4);
		memcpy(h.dst, "\xe0\x00\x17\x0e", 4);
	} else {
		memcpy(h.src, "\xfd\x00\x00\x00\x00\x00\x00\x00"
		    "\x00\x00\x00\x00\x00\x00\x00\x01", 16);
		memcpy(h.dst, "\xff\x0e\x00\x00\x00\x00\x00\x00"
		    "\x00\x00\x00\x00\x00\x00\x01\x2c", 16);
	}
	h.sport = (uint16_t)(1000 + seed % 1000);
	h.dport = 3937;
	h.ttl = 8;
	h.payload = pl;
	h.len = plen;
	n = ipudp_build(buf, cap, &h);
	free(pl);
	if (n < 0)
		abort();
	return (size_t)n;
}

/* ---- A set of datagrams, kept to compare with what is delivered. ---- */

struct tsh_dgs {
	struct tsh_buf	b;
	size_t		*off;
	size_t		*len;
	size_t		n;
	size_t		cap;
};

/* Add tsh_ip(family, plen, seed); returns its index. */
static TSH_UNUSED size_t
tsh_dgs_add(struct tsh_dgs *s, int family, size_t plen, uint32_t seed)
{
	static uint8_t ip[70000];
	size_t n = tsh_ip(ip, sizeof(ip), family, plen, seed);

	if (s->n == s->cap) {
		s->cap = s->cap * 2 + 64;
		s->off = realloc(s->off, s->cap * sizeof(*s->off));
		s->len = realloc(s->len, s->cap * sizeof(*s->len));
		if (s->off == NULL || s->len == NULL)
			abort();
	}
	s->off[s->n] = s->b.len;
	s->len[s->n] = n;
	tsh_buf_put(&s->b, ip, n);
	return s->n++;
}

static TSH_UNUSED const uint8_t *
tsh_dgs_ip(const struct tsh_dgs *s, size_t i)
{
	return s->b.p + s->off[i];
}

/* The index of a datagram identical to the n bytes at p, or -1. */
static TSH_UNUSED long
tsh_dgs_find(const struct tsh_dgs *s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->len[i] == n && memcmp(tsh_dgs_ip(s, i), p, n) == 0)
			return (long)i;
	return -1;
}

static TSH_UNUSED void
tsh_dgs_clear(struct tsh_dgs *s)
{
	s->n = 0;
	s->b.len = 0;
}

static TSH_UNUSED void
tsh_dgs_free(struct tsh_dgs *s)
{
	tsh_buf_free(&s->b);
	free(s->off);
	free(s->len);
	memset(s, 0, sizeof(*s));
}

/* ---- A sink keeping copies of the delivered datagrams. ---- */

struct tsh_sink {
	size_t		n;
	size_t		cap;
	uint8_t		**p;
	size_t		*len;
	uint64_t	err[DECAP_NERR];
};

static TSH_UNUSED void
tsh_sink_cb(void *arg, const uint8_t *ip, size_t len)
{
	struct tsh_sink *k = arg;

	if (k->n == k->cap) {
		k->cap = k->cap * 2 + 16;
		k->p = realloc(k->p, k->cap * sizeof(*k->p));
		k->len = realloc(k->len, k->cap * sizeof(*k->len));
		if (k->p == NULL || k->len == NULL)
			abort();
	}
	if ((k->p[k->n] = malloc(len + 1)) == NULL)
		abort();
	memcpy(k->p[k->n], ip, len);
	k->len[k->n] = len;
	k->n++;
}

/* The decap_out that delivers into k. */
static TSH_UNUSED struct decap_out
tsh_sink_out(struct tsh_sink *k)
{
	struct decap_out o;

	o.datagram = tsh_sink_cb;
	o.arg = k;
	o.err = k->err;
	return o;
}

/* Forget what was delivered (counters too). */
static TSH_UNUSED void
tsh_sink_reset(struct tsh_sink *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->p[i]);
	k->n = 0;
	memset(k->err, 0, sizeof(k->err));
}

static TSH_UNUSED void
tsh_sink_free(struct tsh_sink *k)
{
	tsh_sink_reset(k);
	free(k->p);
	free(k->len);
	memset(k, 0, sizeof(*k));
}

static TSH_UNUSED uint64_t
tsh_sink_errs(const struct tsh_sink *k)
{
	uint64_t t = 0;
	int i;

	for (i = 0; i < DECAP_NERR; i++)
		t += k->err[i];
	return t;
}

/* Whether datagram i is exactly the n bytes at p. */
static TSH_UNUSED int
tsh_sink_is(const struct tsh_sink *k, size_t i, const uint8_t *p, size_t n)
{
	return i < k->n && k->len[i] == n && memcmp(k->p[i], p, n) == 0;
}

/* ---- A demux delivering into a sink. ---- */

struct tsh_fx {
	struct tsh_sink	k;
	struct ts_demux	*d;
};

static TSH_UNUSED int
tsh_fx_init(struct tsh_fx *f, uint16_t pid, int ule, uint16_t service)
{
	struct ts_demux_params p;
	struct decap_out o;

	memset(f, 0, sizeof(*f));
	memset(&p, 0, sizeof(p));
	p.pid = pid;
	p.ule = (uint8_t)ule;
	p.service_id = service;
	o = tsh_sink_out(&f->k);
	f->d = ts_demux_new(&p, &o);
	return f->d != NULL;
}

static TSH_UNUSED void
tsh_fx_fini(struct tsh_fx *f)
{
	ts_demux_free(f->d);
	tsh_sink_free(&f->k);
}

static TSH_UNUSED void
tsh_fx_feed(struct tsh_fx *f, const struct tsh_buf *b)
{
	ts_demux_input(f->d, b->p, b->len);
}

/* Whether f delivered exactly datagrams first.. of s, in order. */
static TSH_UNUSED int
tsh_fx_got(const struct tsh_fx *f, const struct tsh_dgs *s, size_t first)
{
	size_t i;

	if (f->k.n != s->n - first)
		return 0;
	for (i = first; i < s->n; i++)
		if (!tsh_sink_is(&f->k, i - first, tsh_dgs_ip(s, i), s->len[i]))
			return 0;
	return 1;
}

/* ---- Whole packets. ---- */

/* TS packet i of b. */
static TSH_UNUSED uint8_t *
tsh_pkt(struct tsh_buf *b, size_t i)
{
	return b->p + i * 188;
}

/* Remove packet i of b. */
static TSH_UNUSED void
tsh_pkt_drop(struct tsh_buf *b, size_t i)
{
	memmove(tsh_pkt(b, i), tsh_pkt(b, i + 1), b->len - (i + 1) * 188);
	b->len -= 188;
}

/* Packets of b with PUSI. */
static TSH_UNUSED size_t
tsh_pusi_count(const struct tsh_buf *b)
{
	size_t i, n = 0;

	for (i = 0; i + 188 <= b->len; i += 188)
		n += (b->p[i + 1] >> 6) & 1;
	return n;
}

/* Continuity counters by PID, for streams built a unit at a time. */
struct tsh_cc {
	uint8_t		cc[8192];
};

/* One unit on pid in packets of its own (stuffed), counter kept in c. */
static TSH_UNUSED void
tsh_put_unit(struct tsh_buf *b, struct tsh_cc *c, uint16_t pid,
    const uint8_t *u, size_t n)
{
	struct tsh_pk t;

	tsh_pk_init(&t, b, pid);
	t.cc = c->cc[pid & 0x1fff];
	tsh_pk_unit(&t, u, n);
	tsh_pk_flush(&t);
	c->cc[pid & 0x1fff] = t.cc;
}

/* A PAT (tsid 1) on PID 0. */
static TSH_UNUSED void
tsh_put_pat(struct tsh_buf *b, struct tsh_cc *c, uint8_t version,
    const struct tsh_prog *prog, size_t n)
{
	static uint8_t s[TSH_SECT_MAX];

	tsh_put_unit(b, c, 0, s, tsh_pat(s, 1, version, prog, n));
}

/* A PMT of program on pmt_pid. */
static TSH_UNUSED void
tsh_put_pmt(struct tsh_buf *b, struct tsh_cc *c, uint16_t pmt_pid,
    uint16_t program, uint8_t version, const struct tsh_es *es, size_t n)
{
	static uint8_t s[TSH_SECT_MAX];

	tsh_put_unit(b, c, pmt_pid, s, tsh_pmt(s, program, version, es, n));
}

/* A PMT of tsh_esx entries on pmt_pid. */
static TSH_UNUSED void
tsh_put_pmt_x(struct tsh_buf *b, struct tsh_cc *c, uint16_t pmt_pid,
    uint16_t program, uint8_t version, const struct tsh_esx *es, size_t n)
{
	static uint8_t s[TSH_SECT_MAX];

	tsh_put_unit(b, c, pmt_pid, s, tsh_pmt_x(s, program, version, es, n));
}

/* ---- Shorthands the demux tests share. ---- */

/* Room for one section or SNDU built by hand; tsh_mpe_put writes here. */
static uint8_t tsh_sec[TSH_SNDU_MAX + 16] TSH_UNUSED;

/* The MAC of the IPv4 group tsh_ip sends to (224.0.23.14). */
static const uint8_t tsh_mac0[6] TSH_UNUSED = {
	0x01, 0x00, 0x5e, 0x00, 0x17, 0x0e
};

/* Datagram i of s as an MPE section (built in tsh_sec) into t. */
static TSH_UNUSED void
tsh_mpe_put(struct tsh_pk *t, const struct tsh_dgs *s, size_t i, int flags)
{
	size_t n = tsh_mpe(tsh_sec, tsh_mac0, flags, tsh_dgs_ip(s, i),
	    s->len[i]);

	tsh_pk_unit(t, tsh_sec, n);
}

/*
 * One hand-made packet on PID 0x100: adaptation_field_control afc,
 * continuity counter cc and, if afc has an adaptation field, its length
 * byte afl (flags 0).  The rest is 0xFF.
 */
static TSH_UNUSED void
tsh_raw_pkt(uint8_t *p, int pusi, int afc, int cc, int afl)
{
	memset(p, 0xff, 188);
	p[0] = 0x47;
	p[1] = (uint8_t)((pusi ? 0x40 : 0) | 0x01);
	p[2] = 0x00;
	p[3] = (uint8_t)(afc << 4 | cc);
	if (afc & 2) {
		p[4] = (uint8_t)afl;
		if (afl > 0)
			p[5] = 0;
	}
}

#endif
