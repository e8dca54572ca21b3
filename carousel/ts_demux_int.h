/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ts_demux_int.h: the TS demux's private state, shared by ts_demux.c (TS
 * packets, the table of followed PIDs, section and SNDU reassembly, MPE),
 * ts_psi.c (PAT and PMT) and ts_ule.c (ULE SNDUs).  Not a contract: only
 * those three files include it.
 */
#ifndef NIPCACHE_TS_DEMUX_INT_H
#define NIPCACHE_TS_DEMUX_INT_H

#include <stddef.h>
#include <stdint.h>

#include "ts.h"

#define TS_NPID		8192
#define TS_MAX_STREAMS	128	/* PAT + PMT PIDs + data PIDs */
#define TS_MAX_DATA	32	/* MPE/ULE PIDs followed at once */
#define TS_MAX_PROGS	64	/* programs of the PAT whose PMT is read */
#define TS_SECT_MAX	(3 + 4093)	/* table_id, length, section_length */
#define TS_SNDU_MAX	(4 + 32767)	/* D/Length, Type, 15-bit Length */

enum ts_kind {
	TS_KIND_NONE = 0,
	TS_KIND_PAT,
	TS_KIND_PMT,
	TS_KIND_MPE,
	TS_KIND_ULE
};

/* Why a PID is followed; decides what a new PMT may replace. */
enum ts_origin {
	TS_FROM_FIXED = 1,	/* params.pid */
	TS_FROM_PSI,		/* PAT on PID 0, or a PMT PID the PAT names */
	TS_FROM_PMT,		/* an MPE/ULE elementary stream of a PMT */
	TS_FROM_SNIFF		/* sections with table_id 0x3E seen */
};

/*
 * One followed PID: its continuity counter and the unit (PSI section or
 * ULE SNDU) being reassembled in buf.
 */
struct ts_stream {
	uint16_t	pid;
	uint8_t		kind;		/* enum ts_kind; NONE = free slot */
	uint8_t		origin;		/* enum ts_origin */
	uint16_t	program;	/* owning program, TS_FROM_PMT only */
	int8_t		cc;		/* last continuity counter, -1 none */
	uint8_t		dup;		/* the last packet was a duplicate */
	uint8_t		active;		/* a unit is being assembled */
	uint8_t		lost;		/* unit boundaries unknown until PUSI */
	uint8_t		crc_seen;	/* MPE: CRC_32 sections seen here */
	uint8_t		*buf;
	size_t		cap;
	size_t		have;		/* bytes of the unit in buf */
	size_t		need;		/* its total length, 0 while unknown */
};

/* A program of the PAT and the PID of its PMT. */
struct ts_prog {
	uint16_t	number;
	uint16_t	pmt_pid;
};

struct ts_demux {
	struct ts_demux_params	 p;
	struct decap_out	 out;
	uint8_t			 slot[TS_NPID];	/* stream index + 1, 0 none */
	struct ts_stream	 st[TS_MAX_STREAMS];
	struct ts_prog		 prog[TS_MAX_PROGS];
	size_t			 nprog;
	unsigned		 ndata;		/* MPE/ULE streams */
	unsigned		 npmtdata;	/* of those, named by a PMT */
	uint8_t			 part[TS_PACKET];	/* packet cut by input */
	size_t			 partlen;
	int			 sync;		/* enum ts_sync */
};

/* Where the input stands with the 0x47 sync bytes. */
enum ts_sync {
	TS_IN_SYNC = 0,
	TS_LOST,		/* a packet start was not 0x47; scanning */
	TS_TRIAL		/* took a lone 0x47 at the end of a buffer */
};

static inline void
ts_count(struct ts_demux *d, int e)
{
	if (d->out.err != NULL)
		d->out.err[e]++;
}

/* ts_demux.c: the table of followed PIDs. */
struct ts_stream	*ts_stream_get(struct ts_demux *d, uint16_t pid);
struct ts_stream	*ts_stream_add(struct ts_demux *d, uint16_t pid,
			    int kind, int origin);
void			 ts_stream_del(struct ts_demux *d,
			    struct ts_stream *st);
void			 ts_deliver(struct ts_demux *d, const uint8_t *ip,
			    size_t len);

/* ts_psi.c: a complete PAT or PMT section, CRC not yet checked. */
void			 ts_psi_section(struct ts_demux *d,
			    struct ts_stream *st, const uint8_t *sec,
			    size_t len);

/* ts_ule.c */
/*
 * The total length of the SNDU whose first two bytes are at p, or 0 if
 * the Length is impossible (counted as DECAP_ULE_LEN).
 */
size_t			 ts_ule_length(struct ts_demux *d, const uint8_t *p);
/* A complete SNDU of len bytes: check the CRC, deliver its PDU. */
void			 ts_ule_sndu(struct ts_demux *d, const uint8_t *s,
			    size_t len);

#endif
