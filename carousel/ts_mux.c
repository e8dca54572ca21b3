/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ts_mux.c: nipcast's transport stream writer.  One service: a PAT, a PMT
 * naming one ES (stream_type 0x0D, data_broadcast_id 0x0005) and MPE
 * datagram sections on that ES's PID.  Sections are packed back to back:
 * bytes wait in a small queue until a whole packet can be cut from it, so
 * every packet but the last of a burst is full.  Pure: no I/O, no clock.
 */
#include <stdlib.h>
#include <string.h>

#include "ipudp.h"
#include "ts.h"

#define TS_SYNC		0x47
#define TS_PAYLOAD	(TS_PACKET - 4)
#define BATCH_PKTS	64
#define PID_PAT		0x0000
#define PID_MIN		0x0020	/* 0x0000-0x001F: MPEG and DVB SI tables */
#define STREAM_DSMCC_D	0x0d	/* ISO/IEC 13818-6 type D: DSM-CC sections */
#define DESC_DBID	0x66	/* data_broadcast_id_descriptor */
#define SECT_MAX	4096	/* 3 header bytes + section_length 4093 */
#define MPE_HDR		12
#define CRC_LEN		4
#define MPE_DGRAM_MAX	(SECT_MAX - MPE_HDR - CRC_LEN)	/* 4080 */
#define PAT_LEN		16
#define PMT_LEN		25
/*
 * Between calls fewer than TS_PAYLOAD bytes wait, and a section is at
 * least MPE_HDR + 1 + CRC_LEN = 17 bytes long, so at most 11 section
 * starts wait, plus the one just added.
 */
#define STARTS_MAX	16

enum cc_slot { CC_PAT, CC_PMT, CC_MPE, CC_NSLOT };

struct ts_mux {
	ts_write_fn	 w;
	void		*arg;
	uint16_t	 pid[CC_NSLOT];		/* PID of each slot */
	uint8_t		 cc[CC_NSLOT];		/* next continuity_counter */
	uint32_t	 psi_every;
	uint32_t	 since_psi;		/* packets written since a PAT */
	int		 psi_sent;
	int		 failed;		/* the writer said stop */
	uint8_t		 pat[PAT_LEN];
	uint8_t		 pmt[PMT_LEN];
	/* Section bytes not yet in a packet, and where sections start. */
	uint8_t		 pend[TS_PAYLOAD + SECT_MAX];
	size_t		 pend_len;
	size_t		 starts[STARTS_MAX];
	size_t		 nstarts;
	uint8_t		 batch[BATCH_PKTS * TS_PACKET];
	size_t		 nbatch;
};

static uint8_t *
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

/* Fill in section_length and the CRC_32 of a section of len bytes. */
static void
section_seal(uint8_t *s, size_t len)
{
	uint32_t crc;

	s[1] = (uint8_t)((s[1] & 0xf0) | ((len - 3) >> 8));
	s[2] = (uint8_t)(len - 3);
	crc = decap_crc32(0xffffffffu, s, len - CRC_LEN);
	put16(put16(s + len - CRC_LEN, crc >> 16), crc);
}

/*
 * The long-form header shared by PAT and PMT: syntax indicator 1,
 * version 0, current_next 1, section 0 of 0.
 */
static uint8_t *
psi_header(uint8_t *s, uint8_t table_id, uint16_t id)
{
	s[0] = table_id;
	s[1] = 0xb0;
	s = put16(s + 3, id);
	*s++ = 0xc1;
	*s++ = 0;
	*s++ = 0;
	return s;
}

static void
psi_build(struct ts_mux *m, uint16_t tsid, uint16_t service_id)
{
	uint8_t *p;

	p = psi_header(m->pat, 0x00, tsid);
	put16(put16(p, service_id), 0xe000 | m->pid[CC_PMT]);
	section_seal(m->pat, PAT_LEN);

	p = psi_header(m->pmt, 0x02, service_id);
	p = put16(p, 0xe000 | TS_PID_NULL);	/* no PCR */
	p = put16(p, 0xf000);			/* program_info_length 0 */
	*p++ = STREAM_DSMCC_D;
	p = put16(p, 0xe000 | m->pid[CC_MPE]);
	p = put16(p, 0xf000 | 4);		/* ES_info_length */
	*p++ = DESC_DBID;
	*p++ = 2;
	put16(p, TS_DBID_MPE);
	section_seal(m->pmt, PMT_LEN);
}

static int
pid_valid(uint16_t pid)
{
	return pid >= PID_MIN && pid < TS_PID_NULL;
}

struct ts_mux *
ts_mux_new(const struct ts_mux_params *p, ts_write_fn w, void *arg)
{
	static const struct ts_mux_params none;
	struct ts_mux *m;

	if (p == NULL)
		p = &none;
	if (w == NULL)
		return NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->w = w;
	m->arg = arg;
	m->pid[CC_PAT] = PID_PAT;
	m->pid[CC_PMT] = p->pmt_pid ? p->pmt_pid : 0x0020;
	m->pid[CC_MPE] = p->pid ? p->pid : 0x0100;
	m->psi_every = p->psi_every ? p->psi_every : 500;
	if (!pid_valid(m->pid[CC_PMT]) || !pid_valid(m->pid[CC_MPE]) ||
	    m->pid[CC_PMT] == m->pid[CC_MPE]) {
		free(m);
		return NULL;
	}
	psi_build(m, p->tsid ? p->tsid : 1, p->service_id ? p->service_id : 1);
	return m;
}

void
ts_mux_free(struct ts_mux *m)
{
	free(m);
}

/* Hand the batch to the writer; a refusal stops the mux for good. */
static int
batch_write(struct ts_mux *m)
{
	size_t n = m->nbatch;

	m->nbatch = 0;
	if (n == 0)
		return 0;
	if (m->w(m->arg, m->batch, n * TS_PACKET) < 0) {
		m->failed = 1;
		return -1;
	}
	return 0;
}

/*
 * Start the next packet of the batch on a slot's PID and return its
 * payload, already stuffed with 0xFF for whatever the caller leaves.
 */
static uint8_t *
pkt_begin(struct ts_mux *m, enum cc_slot slot, int pusi)
{
	uint8_t *p = m->batch + m->nbatch * TS_PACKET;
	uint16_t pid = m->pid[slot];

	p[0] = TS_SYNC;
	p[1] = (uint8_t)((pusi ? 0x40 : 0) | (pid >> 8));
	p[2] = (uint8_t)pid;
	p[3] = 0x10 | m->cc[slot];	/* not scrambled, payload only */
	m->cc[slot] = (m->cc[slot] + 1) & 0x0f;
	memset(p + 4, 0xff, TS_PAYLOAD);
	return p + 4;
}

static int
pkt_end(struct ts_mux *m)
{
	m->since_psi++;
	if (++m->nbatch == BATCH_PKTS)
		return batch_write(m);
	return 0;
}

/* One PSI section alone in a packet, pointer_field 0. */
static int
psi_packet(struct ts_mux *m, enum cc_slot slot, const uint8_t *s,
    size_t len)
{
	uint8_t *pl = pkt_begin(m, slot, 1);

	pl[0] = 0;
	memcpy(pl + 1, s, len);
	return pkt_end(m);
}

static int
psi_put(struct ts_mux *m)
{
	m->psi_sent = 1;
	m->since_psi = 0;
	if (psi_packet(m, CC_PAT, m->pat, PAT_LEN) < 0)
		return -1;
	return psi_packet(m, CC_PMT, m->pmt, PMT_LEN);
}

/*
 * How many queued bytes the next MPE packet takes, 0 if it is not full
 * yet (unless final).  A section starting within the first 183 payload
 * bytes needs PUSI and a pointer_field, which leaves 183 for data.  One
 * that would start at the 184th byte cannot: its packet would have no
 * PUSI, so that packet ends with one stuffing byte after the previous
 * section instead (ISO/IEC 13818-1 §2.4.4: 0xFF where a table_id is due
 * ends the packet) and the section starts the next one.
 */
static size_t
mpe_plan(const struct ts_mux *m, int final, int *pusi)
{
	size_t first = m->nstarts > 0 ? m->starts[0] : SIZE_MAX;
	size_t cap = TS_PAYLOAD;

	*pusi = first < TS_PAYLOAD - 1;
	if (first <= TS_PAYLOAD - 1)
		cap = TS_PAYLOAD - 1;
	if (m->pend_len >= cap)
		return cap;
	return final ? m->pend_len : 0;
}

/* Drop n bytes from the head of the queue. */
static void
mpe_consume(struct ts_mux *m, size_t n)
{
	size_t i, k = 0;

	m->pend_len -= n;
	memmove(m->pend, m->pend + n, m->pend_len);
	for (i = 0; i < m->nstarts; i++)
		if (m->starts[i] >= n)
			m->starts[k++] = m->starts[i] - n;
	m->nstarts = k;
}

/* Cut packets from the queue: full ones, and with final the last one. */
static int
mpe_emit(struct ts_mux *m, int final)
{
	uint8_t *pl;
	size_t n;
	int pusi;

	while ((n = mpe_plan(m, final, &pusi)) > 0) {
		if ((!m->psi_sent || m->since_psi >= m->psi_every) &&
		    psi_put(m) < 0)
			return -1;
		pl = pkt_begin(m, CC_MPE, pusi);
		if (pusi)
			*pl++ = (uint8_t)m->starts[0];
		memcpy(pl, m->pend, n);
		mpe_consume(m, n);
		if (pkt_end(m) < 0)
			return -1;
	}
	return 0;
}

/*
 * Queue one datagram section (EN 301 192 §7.1): no LLC/SNAP, not
 * scrambled, section 0 of 0, the MAC split over bytes 3-4 and 8-11 with
 * its least significant byte first.
 */
static void
mpe_section(struct ts_mux *m, const uint8_t *ip, size_t len)
{
	uint8_t *s = m->pend + m->pend_len;
	size_t slen = MPE_HDR + len + CRC_LEN;
	uint8_t mac[6];

	ipudp_dst_mac(ip, len, mac);
	s[0] = TS_TABLE_MPE;
	s[1] = 0xb0;		/* syntax 1, private 0, reserved 11 */
	s[3] = mac[5];
	s[4] = mac[4];
	s[5] = 0xc1;		/* reserved 11, no scrambling or LLC/SNAP */
	s[6] = 0;
	s[7] = 0;
	s[8] = mac[3];
	s[9] = mac[2];
	s[10] = mac[1];
	s[11] = mac[0];
	memcpy(s + MPE_HDR, ip, len);
	section_seal(s, slen);
	m->starts[m->nstarts++] = m->pend_len;
	m->pend_len += slen;
}

int
ts_mux_datagram(struct ts_mux *m, const uint8_t *ip, size_t len)
{
	if (m == NULL || m->failed || ip == NULL || len == 0 ||
	    len > MPE_DGRAM_MAX)
		return -1;
	if ((ip[0] >> 4) != 4 && (ip[0] >> 4) != 6)
		return -1;
	/* Cannot happen (see STARTS_MAX); refuse rather than overflow. */
	if (m->nstarts == STARTS_MAX || m->pend_len >= TS_PAYLOAD)
		return -1;
	mpe_section(m, ip, len);
	return mpe_emit(m, 0);
}

int
ts_mux_flush(struct ts_mux *m)
{
	if (m == NULL || m->failed)
		return -1;
	if (mpe_emit(m, 1) < 0)
		return -1;
	return batch_write(m);
}
