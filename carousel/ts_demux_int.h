/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ts_demux_int.h: the TS demux's private state, shared by ts_demux.c (TS
 * packets, the table of followed PIDs, section and SNDU reassembly, MPE),
 * ts_psi.c (PAT and PMT), ts_int.c (the IP/MAC Notification Table) and
 * ts_ule.c (ULE SNDUs).  Not a contract: only those files and the INT
 * test (which checks the INT parser and the bounds directly) include it.
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
#define TS_MAX_INTLOC	32	/* (service, component_tag) pairs INTs name */
#define TS_MAX_COMPS	256	/* component tags of the PMTs read */
#define TS_PMT_COMPS	64	/* of those, from one PMT section */
#define TS_INT_LOCS	32	/* locations kept from one INT section */
#define TS_TABLE_INT	0x4c	/* IP/MAC notification section */
#define TS_DBID_INT	0x000b	/* data_broadcast_id of the INT */

enum ts_kind {
	TS_KIND_NONE = 0,
	TS_KIND_PAT,
	TS_KIND_PMT,
	TS_KIND_MPE,
	TS_KIND_ULE,
	TS_KIND_INT		/* IP/MAC Notification Table sections */
};

/* Why a PID is followed; decides what a new PMT may replace. */
enum ts_origin {
	TS_FROM_FIXED = 1,	/* params.pid */
	TS_FROM_PSI,		/* PAT on PID 0, or a PMT PID the PAT names */
	TS_FROM_PMT,		/* an MPE/ULE elementary stream of a PMT */
	TS_FROM_SNIFF,		/* sections with table_id 0x3E seen */
	TS_FROM_INT		/* MPE stream an INT locates */
};

/*
 * One followed PID: its continuity counter and the unit (PSI section or
 * ULE SNDU) being reassembled in buf.
 */
struct ts_stream {
	uint16_t	pid;
	uint8_t		kind;		/* enum ts_kind; NONE = free slot */
	uint8_t		origin;		/* enum ts_origin */
	uint16_t	program;	/* owning program, TS_FROM_PMT/INT */
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

/*
 * Where an INT section (on int_pid, of the sub-table ext/platform, with
 * version and section number) says a stream of IP datagrams is: the
 * component_tag of an elementary stream of the service service.
 */
struct ts_intloc {
	uint16_t	int_pid;
	uint16_t	ext;		/* action_type, platform_id_hash */
	uint32_t	platform;	/* platform_id */
	uint8_t		version;
	uint8_t		section;
	uint8_t		tag;		/* component_tag */
	uint16_t	service;
};

/* An ES of a PMT with a stream_identifier_descriptor. */
struct ts_comp {
	uint16_t	program;
	uint16_t	pid;
	uint8_t		tag;
};

/* What one INT section says (ts_int_parse). */
struct ts_int_info {
	uint8_t		action;		/* action_type */
	uint16_t	ext;
	uint32_t	platform;
	uint8_t		version;
	uint8_t		section;
	size_t		n;
	size_t		dropped;	/* locations beyond TS_INT_LOCS */
	struct {
		uint16_t	service;
		uint8_t		tag;
	}		loc[TS_INT_LOCS];
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
	unsigned		 npmtdata;	/* of those, named by a PMT/INT */
	struct ts_intloc	 intloc[TS_MAX_INTLOC];
	size_t			 nintloc;
	struct ts_comp		 comp[TS_MAX_COMPS];
	size_t			 ncomp;
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

/* ts_int.c */
/*
 * Parse one INT section of len bytes (CRC checked by the caller) into ii:
 * the locations of the target/operational loop pairs that target IP.  -1
 * if the section or a loop or descriptor in it is malformed.  Pure.
 */
int			 ts_int_parse(const uint8_t *s, size_t len,
			    struct ts_int_info *ii);
/* A complete INT section on int_pid (CRC checked, current). */
void			 ts_int_section(struct ts_demux *d, uint16_t int_pid,
			    const uint8_t *sec, size_t len);
/* The INT PID int_pid is no longer followed: forget what it said. */
void			 ts_int_forget(struct ts_demux *d, uint16_t int_pid);
/* The component tags of program's PMT replace the ones it had. */
void			 ts_int_comps(struct ts_demux *d, uint16_t program,
			    const struct ts_comp *c, size_t n);
/*
 * Follow, as MPE, the PIDs the INT locations resolve to through the
 * component tags, and stop following the ones no longer located.
 */
void			 ts_int_resolve(struct ts_demux *d);

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
