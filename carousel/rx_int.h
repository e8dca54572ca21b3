/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rx_int.h: private to the carousel/rx*.c files.  The state owned by
 * the rx thread and the functions the files share; nothing outside
 * carousel/rx*.c may include it.
 */
#ifndef NIPCACHE_RX_INT_H
#define NIPCACHE_RX_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "rx.h"

#define RX_CTRL_BYTES	128	/* PKTINFO + RXQ_OVFL control messages */

/* What one filter (configured source) accepted. */
struct rx_fstat {
	uint64_t	datagrams;
	uint64_t	bytes;
	uint64_t	last_ms;	/* util_now_ms() of the last one, 0 never */
	/* Every RX_RATE_MS (rx_stat.c): */
	uint64_t	rate_bytes;	/* bytes at the last rate tick */
	uint64_t	bitrate;	/* bit/s over the last period */
	uint32_t	nsessions;	/* reasm sessions it accepted */
	struct reasm_sess_counts sess;	/* their counters, summed */
};

/* Bit rates and session counters are taken this often. */
#define RX_RATE_MS	1000

/* What an epoll event's data.ptr points at (the wake eventfd: NULL). */
#define RX_EV_CHAN	1
#define RX_EV_INPUT	2

/* One socket: a (group, port) with its joins and its filters. */
struct rx_chan {
	int		evkind;		/* RX_EV_CHAN */
	int		family;
	uint8_t		group[16];	/* IPv4 in the first 4, rest zero */
	uint16_t	port;
	uint8_t		any_source;	/* a filter has no source: ASM join */
	size_t		nsources;
	uint8_t		(*sources)[16];	/* distinct and sorted: SSM joins */
	size_t		nfilters;
	struct carousel_src *filters;
	struct rx_fstat	*fstats;	/* parallel to filters */
	int		fd;		/* -1 while not joined */
	uint32_t	ovfl;		/* last SO_RXQ_OVFL value seen */
	uint64_t	retry_at;
	uint32_t	retry_ms;	/* current back-off */
};

/* Receive buffers for one recvmmsg batch. */
union rx_ctrl {
	struct cmsghdr	hdr;
	uint8_t		buf[RX_CTRL_BYTES];
};

struct gse_demux;
struct pcapf_rd;

/* One input below UDP (rx_input.c). */
struct rx_in {
	int		evkind;		/* RX_EV_INPUT */
	struct rx	*rx;
	struct rx_input	cf;
	struct rx_input_stats st;
	int		fd;		/* -1: closed (see retry_at, eof) */
	uint8_t		polled;		/* fd is in epoll (else read when due) */
	uint8_t		sock;		/* a UDP socket: one datagram per read */
	uint64_t	retry_at;	/* devices: next open attempt */
	uint32_t	retry_ms;
	struct ts_demux	*ts;
	struct gse_demux *gse;
	struct pcapf_rd	*pcap;
	uint8_t		*buf;		/* pcap: unparsed bytes */
	size_t		fill;
	uint64_t	ts0_ns;		/* realtime pcap: first record's time */
	uint64_t	t0_ms;		/* and when it was replayed */
	uint64_t	due_ms;		/* next record not before (realtime) */
};

/* State owned by the rx thread (and by rx_start/rx_stop around it). */
struct rx {
	struct rx_params p;
	struct reasm	*reasm;
	int		epfd;
	int		wakefd;
	int		stop;
	pthread_t	thread;
	struct rx_chan	**chans;
	size_t		nchans;
	uint64_t	next_tick;
	int		rcvbuf_logged;
	struct rx_stats	st;
	struct mmsghdr	*msgs;
	struct iovec	*iov;
	struct sockaddr_storage *names;
	union rx_ctrl	*ctrl;
	uint8_t		*data;
	struct rx_in	*in[RX_INPUTS_MAX];
	size_t		nin;
	uint64_t	now;		/* of the input chunk being read */
	int64_t		wall;
	uint64_t	rate_ms;	/* last rate tick (rx_stat.c) */
	struct reasm_sess_stats *sess;	/* reasm_get_sessions buffer */
	size_t		sess_cap;
};

/* Address bytes of family: 4 for AF_INET, else 16. */
static inline size_t
rx_addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* 1 if a (4 or 16 bytes, per family) is a multicast group. */
static inline int
rx_addr_is_mcast(int family, const uint8_t *a)
{
	return family == AF_INET ? (a[0] & 0xf0) == 0xe0 : a[0] == 0xff;
}

/* rx_sock.c */

/* "group:port" or "[group]:port" of c, for log messages. */
void	rx_chan_name(const struct rx_chan *c, char *buf, size_t len);
/* Open, bind and join c; 0, or -1 with a retry scheduled and logged. */
int	rx_chan_open(struct rx *rx, struct rx_chan *c, uint64_t now);
/* Close c's socket (leaving its groups) and free it; NULL is fine. */
void	rx_chan_free(struct rx_chan *c);

/* rx_dgram.c */

/* The index of c's first filter accepting (source, TSI), or -1. */
int	rx_match(const struct rx_chan *c, const uint8_t *src, struct alc_id tsi);

/* One datagram of c from a recvmmsg batch: count, filter, reassemble. */
void	rx_datagram(struct rx *rx, struct rx_chan *c, struct mmsghdr *m,
	    uint64_t now, int64_t wall);

/*
 * One IP datagram from an input: IP/UDP checks, then the channel whose
 * group and port it is for, and the same filters and reassembly as a
 * socket's datagram (rx->now and rx->wall are its time).
 */
int	rx_ip_datagram(struct rx *rx, const uint8_t *ip, size_t len);

/* rx_input.c */

/* Create the inputs of rx->p (opened now or later).  0, or -1. */
int	rx_inputs_start(struct rx *rx);
/* Close and free them. */
void	rx_inputs_free(struct rx *rx);
/* epoll said in is readable. */
void	rx_input_event(struct rx *rx, struct rx_in *in);
/*
 * Read what is due from inputs that epoll cannot watch (files, paced
 * captures) and reopen devices; returns how long epoll may sleep (ms)
 * before they need this again, at most max_ms.
 */
int	rx_inputs_run(struct rx *rx, uint64_t now, int max_ms);
/* Copy their counters into rx->st (rx_publish). */
void	rx_inputs_stats(struct rx *rx);

/* rx_stat.c */

/* Allocate c->fstats (zeroed) for its filters: 0 or -1. */
int	rx_stat_alloc(struct rx_chan *c);
/* Copy the counters of old's filters to c's equal filters. */
void	rx_stat_carry(struct rx_chan *c, const struct rx_chan *old);
/*
 * Publish a copy of every filter's counters (rx thread); every RX_RATE_MS
 * also their bit rates and the counters of the sessions they accepted.
 */
void	rx_stat_publish(struct rx *rx);
/* Drop the published copy (rx_stop). */
void	rx_stat_clear(void);

#endif
