/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ts.h: IP over MPEG-2 transport streams.  The demux follows PAT, PMT and
 * INT (or a configured PID), reassembles private sections across TS packets
 * and delivers the datagrams of MPE sections (ETSI EN 301 192 §7) and of
 * ULE SNDUs (RFC 4326).  The mux is nipcast's writer: PAT, PMT with a
 * data_broadcast_id descriptor, MPE datagram sections.  Pure: no I/O, no
 * clock; bytes in, datagrams (demux) or TS packets (mux) out.
 */
#ifndef NIPCACHE_TS_H
#define NIPCACHE_TS_H

#include <stddef.h>
#include <stdint.h>

#include "decap.h"

#define TS_PACKET	188
#define TS_PID_NULL	0x1fff
#define TS_DBID_MPE	0x0005	/* data_broadcast_id of multiprotocol encapsulation */
#define TS_TABLE_MPE	0x3e	/* DSM-CC private data (MPE datagram) section */
#define TS_STREAM_ULE	0x91	/* PMT stream_type RFC 4326 registers for ULE */

struct ts_demux_params {
	/*
	 * 0: find the MPE PIDs from the PAT and the PMTs (an ES with a
	 * data_broadcast_id_descriptor naming 0x0005; stream_type 0x91 for
	 * ULE), the INT (an ES naming 0x000B carries it; its IP/MAC stream
	 * locations name a service's component_tag, EN 301 192 §8) and,
	 * until a PMT or INT names one, accept any PID whose sections start
	 * with table_id 0x3E.  Else only this PID.
	 */
	uint16_t	pid;
	uint8_t		ule;		/* pid carries ULE, not MPE */
	uint16_t	service_id;	/* with pid 0: only this service, 0 any */
};

struct ts_demux;

/* NULL on out of memory.  out is copied; out->err must outlive the demux. */
struct ts_demux	*ts_demux_new(const struct ts_demux_params *p,
		    const struct decap_out *out);
void		 ts_demux_free(struct ts_demux *d);
/*
 * Feed bytes of a transport stream, in any chunking (a partial packet is
 * kept for the next call).  Resynchronises on the 0x47 sync byte.
 */
void		 ts_demux_input(struct ts_demux *d, const uint8_t *buf,
		    size_t len);
/* The PIDs followed as MPE/ULE now, at most max, for logs and status. */
size_t		 ts_demux_pids(const struct ts_demux *d, uint16_t *out,
		    size_t max);

struct ts_mux_params {
	uint16_t	pid;		/* MPE PID, 0 = 0x0100 */
	uint16_t	pmt_pid;	/* 0 = 0x0020 */
	uint16_t	service_id;	/* program_number, 0 = 1 */
	uint16_t	tsid;		/* transport_stream_id, 0 = 1 */
	uint32_t	psi_every;	/* PAT+PMT every this many TS packets, 0 = 500 */
};

/* Receives whole TS packets (len is a multiple of 188); 0 or -1 to stop. */
typedef int	(*ts_write_fn)(void *arg, const uint8_t *ts, size_t len);

struct ts_mux;

struct ts_mux	*ts_mux_new(const struct ts_mux_params *p, ts_write_fn w,
		    void *arg);
void		 ts_mux_free(struct ts_mux *m);
/*
 * One IPv4/IPv6 datagram (at most 4080 bytes) as one MPE section: the MAC
 * is the IP multicast MAC of the destination (unicast: 0), CRC_32 set,
 * sections packed back to back with pointer_field, continuity counters
 * kept.  Returns 0, or -1 (datagram too large or the writer failed).
 */
int		 ts_mux_datagram(struct ts_mux *m, const uint8_t *ip,
		    size_t len);
/* Finish the packet being filled (stuffing 0xFF): 0 or -1. */
int		 ts_mux_flush(struct ts_mux *m);

#endif
