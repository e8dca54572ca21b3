/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decap.h: what every decapsulator below UDP shares (MPE and ULE in a
 * transport stream, GSE in baseband frames, pcap records): the one output
 * ("an IP datagram arrived"), the counters of what was dropped and why,
 * and the two DVB checksums.  Pure: no I/O, no clock, no globals.
 */
#ifndef NIPCACHE_DECAP_H
#define NIPCACHE_DECAP_H

#include <stddef.h>
#include <stdint.h>

/* Why bytes below the IP layer were dropped; one counter each. */
enum decap_err {
	DECAP_TS_SYNC = 0,	/* no 0x47 sync byte: bytes skipped to resync */
	DECAP_TS_TEI,		/* transport_error_indicator set */
	DECAP_TS_CC,		/* continuity counter jump on a followed PID */
	DECAP_TS_SCRAMBLED,	/* transport_scrambling_control != 0 */
	DECAP_TS_AF,		/* adaptation_field_length too long */
	DECAP_SECT_POINTER,	/* pointer_field beyond the packet */
	DECAP_SECT_LEN,		/* section_length out of range */
	DECAP_SECT_CRC,		/* CRC_32 of a section wrong */
	DECAP_SECT_TRUNC,	/* section cut short (new start, CC jump) */
	DECAP_MPE_FLAGS,	/* scrambled, LLC/SNAP not IP, next not current */
	DECAP_PSI,		/* PAT, PMT or INT that cannot be parsed */
	DECAP_ULE_LEN,		/* SNDU length impossible or cut short */
	DECAP_ULE_CRC,
	DECAP_ULE_TYPE,		/* not IPv4/IPv6, or an unknown extension */
	DECAP_BB_HDR,		/* BBHEADER CRC-8 wrong or DFL impossible */
	DECAP_BB_MODE,		/* a BBFrame that carries TS, not GSE */
	DECAP_GSE_HDR,		/* GSE packet header or length impossible */
	DECAP_GSE_FRAG,		/* fragment without its start, overflow, lost */
	DECAP_GSE_CRC,		/* CRC-32 of a reassembled PDU wrong */
	DECAP_GSE_TYPE,		/* not IPv4/IPv6, or an unknown extension */
	DECAP_PCAP_HDR,		/* file or block header not understood */
	DECAP_PCAP_TRUNC,	/* record cut short (captured < needed) */
	DECAP_PCAP_LINK,	/* link type or EtherType that is not IP */
	DECAP_INT_LIMIT,	/* INT locates more streams than are followed */
	DECAP_NERR
};

/*
 * Where a decapsulator delivers: datagram() gets one whole IPv4 or IPv6
 * packet (len bytes at ip, borrowed for the call only; it may carry
 * trailing padding, which ipudp_parse ignores).  err points at
 * DECAP_NERR counters that the decapsulator increments.
 */
struct decap_out {
	void		(*datagram)(void *arg, const uint8_t *ip, size_t len);
	void		*arg;
	uint64_t	*err;
};

/* Short stable name of e ("ts_cc"), for metric labels; "?" if unknown. */
const char	*decap_err_name(int e);
/*
 * MPEG-2 CRC-32 (polynomial 0x04C11DB7, init 0xFFFFFFFF, no reflection,
 * no final XOR) of n bytes, continuing from crc (pass 0xFFFFFFFF first).
 * Over a whole PSI section including its CRC field the result is 0.
 */
uint32_t	decap_crc32(uint32_t crc, const uint8_t *p, size_t n);
/* DVB-S2 BBHEADER CRC-8 (polynomial 0xD5, init 0) of n bytes. */
uint8_t		decap_crc8(const uint8_t *p, size_t n);

#endif
