/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reasm.h: FLUTE session and object reassembly.  Owned by one thread (rx);
 * no locks.  Feeds parsed ALC packets in, stages object bytes out through an
 * obj_sink.  Handles FDT instances (TOI 0: reassembly, EXT_CENC, fdt_parse,
 * 20-bit instance IDs), packets that arrive before their FDT (buffered,
 * bounded in time and bytes), RFC 5052 block partitioning, several symbols
 * per packet, duplicates, any order, symbols merged across carousel cycles,
 * and completion when every source block is complete.  FEI 0 (No-Code),
 * 5 (Reed-Solomon) and 6 (RaptorQ); lost source symbols of FEC objects
 * are rebuilt from repair symbols (reasm_fec.c).
 */
#ifndef NIPCACHE_REASM_H
#define NIPCACHE_REASM_H

#include <stddef.h>
#include <stdint.h>

#include "alc.h"
#include "sink.h"

struct reasm;

struct reasm_params {
	uint32_t	max_sessions;		/* (channel, TSI) tracked */
	uint32_t	max_objects_per_session;/* objects in flight */
	uint32_t	max_objects;		/* ... in all sessions (each holds
						   a staging descriptor) */
	uint64_t	max_object_bytes;	/* largest transfer length */
	uint64_t	max_inflight_bytes;	/* sum of in-flight transfer lengths */
	uint64_t	prefdt_max_bytes;	/* payload buffered before the FDT */
	uint64_t	prefdt_ms;		/* how long it is kept */
	uint64_t	object_timeout_ms;	/* no packet for this long: abort */
	uint64_t	session_timeout_ms;	/* idle session forgotten */
	uint64_t	done_ms;		/* completed TOIs remembered (ignore
						   repeats) this long after their
						   last packet */
	uint64_t	reception_timeout_ms;	/* started object with no packet
						   this long: repair trigger
						   (channels may override);
						   0 = only other triggers */
	uint32_t	repair_merge_gap;	/* missing ranges closer than
						   this many bytes are merged
						   into one (0: RANGES_MERGE_GAP) */
	uint32_t	repair_max_ranges;	/* ranges per object handed to
						   repair (0: 64); beyond, the
						   closest are merged */
	uint64_t	fec_max_object_bytes;	/* FEC repair symbols held per
						   object; also the largest
						   source block decoded */
	uint64_t	fec_max_total_bytes;	/* ... held by all objects */
};

/* Fill defaults (sane for a set-top box). */
void	reasm_params_default(struct reasm_params *p);

/* Counters; each is monotonic except the *_now gauges. */
struct reasm_stats {
	uint64_t	packets;		/* ALC packets accepted */
	uint64_t	fdt_instances;		/* FDT instances parsed */
	uint64_t	fdt_bad;		/* FDT instances rejected */
	uint64_t	objects_started;
	uint64_t	objects_completed;	/* handed to commit() */
	uint64_t	objects_incomplete;	/* announced or started, never done */
	uint64_t	objects_dropped_limit;	/* refused by a bound */
	uint64_t	sessions_refused;	/* packets of a new session
						   refused at max_sessions */
	uint64_t	objects_commit_failed;	/* reported back by the daemon */
	uint64_t	duplicate_symbols;
	uint64_t	unsupported_fec;	/* packets with FEI we do not decode
						   (not 0, 5 or 6; FDT not 0) */
	uint64_t	bad_symbols;		/* out of range SBN/ESI/length */
	uint64_t	prefdt_dropped;		/* buffered packets dropped by bound */
	uint64_t	sink_errors;		/* begin/write failures */
	uint64_t	repairs_handed[OBJ_REPAIR_NTRIGGERS]; /* taken by repair */
	uint64_t	repairs_declined;	/* repair() said no */
	uint64_t	lost_bytes;		/* missing bytes handed to repair */
	uint64_t	lost_symbols;		/* missing source symbols handed */
	uint64_t	bytes;			/* payload bytes staged */
	/* FEC schemes (FEI 5 Reed-Solomon, FEI 6 RaptorQ). */
	uint64_t	fec_bad_oti;		/* packets with a malformed EXT_FTI,
						   objects refused for their OTI
						   (N > 1, K too large, FDT FEI
						   mismatch) */
	uint64_t	fec_no_decode;		/* objects received from source
						   symbols only: no codec, no
						   sink read, block too large */
	uint64_t	fec_repair_held;	/* repair symbols kept */
	uint64_t	fec_repair_unneeded;	/* not kept: block complete or
						   enough held already */
	uint64_t	fec_repair_dropped;	/* not kept: memory bound, or
						   the object is not decoded */
	uint64_t	fec_blocks_decoded;
	uint64_t	fec_symbols_recovered;	/* source symbols rebuilt */
	uint64_t	fec_decode_failed;	/* decodes that failed (the
						   block waits for repeats) */
	uint64_t	fec_bytes_now;		/* repair symbol memory held */
	uint64_t	sessions_now;
	uint64_t	objects_now;
	uint64_t	inflight_bytes_now;
	uint64_t	prefdt_bytes_now;
};

/*
 * What one FLUTE session (channel and TSI) brought, counted from its
 * packets and its objects' outcomes.  The counters start when the session
 * is first seen and go with it when it is forgotten (session_timeout).
 */
struct reasm_sess_counts {
	uint64_t	packets;	/* ALC packets accepted */
	uint64_t	bytes;		/* object bytes staged */
	uint64_t	objects;	/* objects completed */
	uint64_t	incomplete;	/* objects given up */
	uint64_t	fec_recovered;	/* source symbols rebuilt by FEC */
	uint64_t	lost_symbols;	/* source symbols missing when an
					   object went to repair */
	uint64_t	repairs;	/* objects handed to repair */
};

/* One session's key and counters (reasm_get_sessions). */
struct reasm_sess_stats {
	uint8_t		family;		/* AF_INET or AF_INET6 */
	uint8_t		src[16];	/* sender (IPv4 in the first 4) */
	uint8_t		dst[16];	/* group */
	uint16_t	port;
	struct alc_id	tsi;
	uint64_t	last_ms;	/* its last packet */
	struct reasm_sess_counts c;
};

/* Channel a packet arrived on (source, group, port). */
struct reasm_chan {
	uint8_t		family;
	uint8_t		src[16];
	uint8_t		dst[16];
	uint16_t	port;
	uint32_t	reception_timeout_ms;	/* signalled for this channel's
						   session, 0: the params' */
};

/* New reassembler writing to sink (borrowed; must outlive it). NULL on ENOMEM. */
struct reasm *reasm_new(const struct reasm_params *p, const struct obj_sink *sink);
/* Replace the bounds (p is copied), as reasm_new took them. */
void	reasm_set_params(struct reasm *r, const struct reasm_params *p);
/* Aborts every staged object (OBJ_ABORT_SHUTDOWN) and frees everything. */
void	reasm_free(struct reasm *r);

/*
 * Feed one parsed packet (pkt borrows the receive buffer only for the call).
 * now_ms is a monotonic clock, now_unix the wall clock (FDT Expires).
 * Returns 0, or -1 when the packet was dropped (it is counted).
 */
int	reasm_input(struct reasm *r, const struct reasm_chan *chan,
	    const struct alc_pkt *pkt, uint64_t now_ms, int64_t now_unix);

/* Age out idle objects, sessions, pre-FDT buffers and done-markers. */
void	reasm_expire(struct reasm *r, uint64_t now_ms);

/*
 * The daemon's verdict on an object handed to commit().  On failure the
 * done-marker is dropped so that the next carousel cycle is received again.
 */
void	reasm_commit_result(struct reasm *r, const struct obj_key *key,
	    enum obj_result res);

/* Copy the counters out. */
void	reasm_get_stats(const struct reasm *r, struct reasm_stats *out);
/*
 * Copy the keys and counters of up to max sessions into out (in no
 * particular order); returns how many sessions there are, which may be
 * more than max.
 */
size_t	reasm_get_sessions(const struct reasm *r, struct reasm_sess_stats *out,
	    size_t max);

#endif
