/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcapf.h: capture files.  The reader pulls one record at a time out of
 * a classic pcap (microsecond or nanosecond, either byte order) or a
 * pcapng file, strips the link layer (Ethernet with VLAN tags, raw IP,
 * Linux cooked v1/v2, BSD loopback) and hands out the IP packet and its
 * timestamp, so that the caller can pace the replay.  The writer makes
 * classic Ethernet pcap for nipcast.  Pure: the caller does the I/O.
 */
#ifndef NIPCACHE_PCAPF_H
#define NIPCACHE_PCAPF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "decap.h"

/* A capture record cannot be larger than this (else counted, skipped). */
#define PCAPF_MAX_RECORD	(256 * 1024)
/*
 * A read buffer this large always holds one whole record or pcapng block
 * (the reader refuses bigger blocks: counted, -1), so a caller that keeps
 * at least this much unread data never waits on a 0 forever.
 */
#define PCAPF_MAX_BLOCK		(PCAPF_MAX_RECORD + 4096)

struct pcapf_pkt {
	uint64_t	ts_ns;		/* capture time, ns since the epoch */
	const uint8_t	*ip;		/* IPv4 or IPv6 packet, borrowed */
	size_t		len;
};

struct pcapf_rd {
	int		state;		/* private: 0 before the file header */
	int		ng;		/* pcapng */
	int		swap;		/* byte order differs from ours */
	int		nsec;
	uint32_t	link;		/* classic: the one link type */
	uint32_t	snaplen;	/* classic: from the file header */
	uint32_t	nif;		/* pcapng: interfaces seen */
	uint32_t	if_link[16];	/* pcapng: link type per interface */
	uint8_t		if_tsres[16];	/* pcapng: if_tsresol per interface */
					/* (an interface past the 16th: counted) */
	uint64_t	*err;		/* DECAP_NERR counters, borrowed */
};

/* Start reading a file; err (DECAP_NERR counters) must outlive r. */
void	pcapf_rd_init(struct pcapf_rd *r, uint64_t *err);
/*
 * Take the next record from buf (len bytes, the unread rest of the file).
 * Returns 1 with *out set and *used bytes consumed; 0 when buf holds no
 * whole record or header yet (*used 0: read more; at end of file, the
 * rest is a truncated record: count it); 2 when *used bytes were a header
 * or a record that carries no IP packet (counted if malformed): call
 * again; -1 when the file cannot be read further (not a capture, or a
 * header so broken that no record boundary can be found).
 */
int	pcapf_rd_next(struct pcapf_rd *r, const uint8_t *buf, size_t len,
	    size_t *used, struct pcapf_pkt *out);

#define PCAPF_FILE_HDR	24
#define PCAPF_REC_HDR	16
#define PCAPF_ETH_HDR	14

/* Classic pcap header, microseconds, LINKTYPE_ETHERNET, snaplen 262144. */
void	pcapf_wr_header(uint8_t out[PCAPF_FILE_HDR]);
/*
 * One Ethernet record around the IP packet ip (destination MAC: the IP
 * multicast MAC, else 02:00:00:00:00:01; EtherType from the IP version).
 * ip may already sit at its final place, buf + PCAPF_REC_HDR +
 * PCAPF_ETH_HDR.  Returns the bytes written into buf, or -1 if cap is too
 * small or the frame would exceed the snaplen (len > 262144 - 14).
 */
ssize_t	pcapf_wr_record(uint8_t *buf, size_t cap, uint64_t ts_ns,
	    const uint8_t *ip, size_t len);

#endif
