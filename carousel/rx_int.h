/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rx_int.h: private to rx.c, rx_sock.c and rx_src.c.  The state owned by
 * the rx thread and the functions the three files share; nothing outside
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
};

/* One socket: a (group, port) with its joins and its filters. */
struct rx_chan {
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

/* rx_stat.c */

/* 1 if a and b name the same source (family, group, port, source, TSI). */
int	rx_src_eq(const struct carousel_src *a, const struct carousel_src *b);
/* Allocate c->fstats (zeroed) for its filters: 0 or -1. */
int	rx_stat_alloc(struct rx_chan *c);
/* Copy the counters of old's filters to c's equal filters. */
void	rx_stat_carry(struct rx_chan *c, const struct rx_chan *old);
/* Publish a copy of every filter's counters (rx thread). */
void	rx_stat_publish(struct rx *rx);
/* Drop the published copy (rx_stop). */
void	rx_stat_clear(void);

#endif
