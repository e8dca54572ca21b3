/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rx.h: the receive thread.  One thread, epoll over the multicast sockets,
 * recvmmsg batches, alc_parse and reasm_input, staging through the sink.
 * carousel/ owns these types; daemon/main.c fills them from the config.
 */
#ifndef NIPCACHE_RX_H
#define NIPCACHE_RX_H

#include <stddef.h>
#include <stdint.h>

#include "alc.h"
#include "decap.h"
#include "ipudp.h"
#include "reasm.h"
#include "sink.h"
#include "ts.h"

/* One multicast channel to join. */
struct carousel_src {
	int		family;		/* AF_INET or AF_INET6 */
	uint8_t		group[16];
	uint16_t	port;
	uint8_t		has_source;	/* source-specific join */
	uint8_t		source[16];
	uint8_t		has_tsi;	/* accept only this TSI */
	struct alc_id	tsi;
	uint32_t	reception_timeout_ms;	/* signalled
					   transportObjectReceptionTimeout
					   for this session, 0 = default */
};

/*
 * 1 if a and b name the same source (family, group, port, source, TSI);
 * field by field, as padding and unused address bytes may differ.
 */
int	rx_src_eq(const struct carousel_src *a, const struct carousel_src *b);

/*
 * An input below UDP (issue 5): a transport stream with MPE or ULE, a
 * stream of DVB-S2 baseband frames with GSE, or a capture file.  Every
 * datagram it yields goes through the same IP/UDP checks and the same
 * channel filters (group, port, source, TSI) as the kernel sockets'.
 */
enum rx_input_kind {
	RX_IN_TS = 1,
	RX_IN_GSE,
	RX_IN_PCAP,
};

#define RX_INPUTS_MAX	16
#define RX_INPUT_NAME	256

struct rx_input {
	enum rx_input_kind kind;
	/* A file, "-" (standard input) or "udp://HOST:PORT" (ts, gse). */
	char		name[RX_INPUT_NAME];
	/*
	 * A device (the DVB demux): rx calls open(arg) for a descriptor to
	 * read TS packets from, again with back-off when it fails or the
	 * device goes away, and closes it at stop.  NULL: open name.
	 */
	int		(*open)(void *arg);
	void		*arg;
	struct ts_demux_params ts;	/* RX_IN_TS */
	uint8_t		realtime;	/* RX_IN_PCAP: at the capture's pace */
};

/* What one input did (rx_stats.inputs). */
struct rx_input_stats {
	char		name[RX_INPUT_NAME];
	enum rx_input_kind kind;
	uint64_t	bytes;		/* read from it */
	uint64_t	datagrams;	/* IP datagrams it yielded */
	uint64_t	opens;		/* descriptors opened (devices: reopens) */
	uint8_t		open;		/* a descriptor is open now */
	uint8_t		eof;		/* a file or stream ended */
};

/*
 * An empty interface lets the kernel choose (routing table); rcvbuf 0
 * means 8 MB, batch 0 means 64 (at most RX_BATCH_MAX); reasm with
 * max_sessions 0 means reasm_params_default().
 */
struct rx_params {
	char		interface[64];	/* address or interface name to join on */
	uint32_t	rcvbuf;		/* wanted SO_RCVBUF (capped by rmem_max) */
	uint32_t	batch;		/* datagrams per recvmmsg */
	struct reasm_params reasm;
	/* 1: no kernel sockets (the channels only filter the inputs). */
	uint8_t		no_sockets;
	size_t		ninputs;
	struct rx_input	inputs[RX_INPUTS_MAX];
};

#define RX_BATCH_MAX	1024
/* Housekeeping period: reasm_expire, join retries, counters published. */
#define RX_TICK_MS	100
/* Largest datagram received whole; longer ones are counted as bad. */
#define RX_SLOT_BYTES	9216
/* bad_packets[RX_BAD_OVERSIZE]: longer than RX_SLOT_BYTES (MSG_TRUNC). */
#define RX_BAD_OVERSIZE	0

struct rx_stats {
	uint64_t	datagrams;		/* received */
	uint64_t	bytes;			/* UDP payload bytes received */
	uint64_t	kernel_drops;		/* SO_RXQ_OVFL */
	uint64_t	bad_packets[ALC_ENERR + 1]; /* by -ALC_E* code */
	uint64_t	filtered;		/* wrong TSI or source */
	uint64_t	sockets;		/* joined channels now */
	uint64_t	join_failures;		/* join attempts that failed */
	uint64_t	results_dropped;	/* verdict queue was full */
	uint32_t	rcvbuf;			/* effective receive buffer */
	struct reasm_stats reasm;
	uint64_t	decap_errors[DECAP_NERR];	/* inputs, by reason */
	uint64_t	ip_errors[IPUDP_NERR];	/* inputs' datagrams refused */
	size_t		ninputs;
	struct rx_input_stats inputs[RX_INPUTS_MAX];
};

/*
 * Join srcs (copied) and start the thread.  sink is borrowed and must
 * outlive rx_stop().  Returns 0, or -1 with a logged reason (no thread).
 * A channel that cannot be joined is logged and retried, not fatal.
 */
int	rx_start(const struct rx_params *p, const struct carousel_src *srcs,
	    size_t n, const struct obj_sink *sink);
/*
 * Replace the joined channels (SIGHUP); thread safe, srcs copied, applied
 * by rx soon after.  Unchanged channels keep their socket and reassembly
 * state.  Returns 0, or -1 when rx is not running or out of memory.
 */
int	rx_set_sources(const struct carousel_src *srcs, size_t n);
/*
 * Replace the reassembly bounds (SIGHUP); thread safe, applied by rx to
 * objects and sessions that start from then on.  0, or -1 if not running.
 */
int	rx_set_params(const struct reasm_params *p);
/* Stop the thread, abort staged objects and leave every group. */
void	rx_stop(void);
/*
 * Copy the counters out; thread safe.  The rx thread publishes them every
 * housekeeping tick (RX_TICK_MS), so they may lag by that much.
 */
void	rx_get_stats(struct rx_stats *out);
/* 1 once every configured channel is joined (0 while a set is pending). */
int	rx_ready(void);
/*
 * Thread safe: queue the daemon's verdict on a committed object for rx
 * (reasm_commit_result).  Never blocks: dropped and counted when the
 * queue is full, ignored when rx is not running.
 */
void	rx_commit_result(const struct obj_key *key, enum obj_result res);

/* Counters of one configured source (see rx_get_src_stats). */
struct rx_src_stats {
	struct carousel_src src;
	uint64_t	datagrams;	/* accepted by this source's filter */
	uint64_t	bytes;		/* their UDP payload bytes */
	uint64_t	last_ms;	/* util_now_ms() of the last, 0 = never */
	/*
	 * Taken every second: the UDP payload bit rate over the last one,
	 * and the FLUTE sessions (sender and TSI) this source accepted, with
	 * their counters summed (those of forgotten sessions are gone).
	 */
	uint64_t	bitrate;
	uint32_t	nsessions;
	struct reasm_sess_counts sess;
};

/*
 * Thread safe: the counters of the configured source equal to *src
 * (family, group, port, source, TSI).  They lag by up to RX_TICK_MS and
 * survive rx_set_sources() while the source stays configured.  0, or -1
 * if src is not configured (or rx is not running).
 */
int	rx_get_src_stats(const struct carousel_src *src,
	    struct rx_src_stats *out);
/*
 * Thread safe: a malloc'd copy of every configured source's counters, in
 * the order of the channels; *n is set.  NULL with *n = 0 when there are
 * none (or out of memory).  The caller frees it.
 */
struct rx_src_stats *rx_get_all_src_stats(size_t *n);
/* 1 if a and b name the same source (family, group, port, source, TSI). */
int	rx_src_same(const struct carousel_src *a, const struct carousel_src *b);

/*
 * Parse an input for kind: "PATH", "-", or for ts and gse also
 * "udp://HOST:PORT" (HOST an IPv4/IPv6 unicast or multicast address, IPv6
 * in brackets); for ts, options may follow after spaces: "pid=N" (MPE PID,
 * 0x.. hex too), "ule" (that PID carries ULE), "service=N".  Pure.  0 and
 * *out filled (open NULL, realtime 0), or -1 with a reason in why.
 */
int	rx_parse_input(enum rx_input_kind kind, const char *s,
	    struct rx_input *out, char *why, size_t n);

/*
 * Parse "GROUP:PORT[/TSI][@SOURCE]" ("[ff15::1]:5000/2@[2001:db8::1]").
 * IPv6 addresses go in brackets; GROUP must be multicast, PORT 1..65535,
 * TSI decimal up to 2^64-1 (in tsi.lo), SOURCE a unicast address of the
 * same family.  Pure.  Returns 0 and fills *out, or -1 (*out untouched).
 */
int	rx_parse_src(const char *s, struct carousel_src *out);

#endif
