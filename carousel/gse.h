/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gse.h: IP over DVB-S2 baseband frames with Generic Stream Encapsulation
 * (ETSI TS 102 606-1), GSE-Lite included.  A BBFrame stream is BBFrames
 * back to back, each a 10-byte BBHEADER and DFL/8 bytes of data field
 * (no padding after it).  The demux checks the header CRC-8, walks the
 * GSE packets, reassembles fragments per Frag_ID and delivers the IPv4
 * and IPv6 PDUs; the mux is nipcast's writer.  Pure: no I/O, no clock.
 */
#ifndef NIPCACHE_GSE_H
#define NIPCACHE_GSE_H

#include <stddef.h>
#include <stdint.h>

#include "decap.h"

#define GSE_BBHEADER	10
#define GSE_DFL_MAX	7264	/* bytes: Kbch 58192 bits (normal frame) - header */

struct gse_demux;

struct gse_demux *gse_demux_new(const struct decap_out *out);
void		 gse_demux_free(struct gse_demux *d);
/*
 * Feed a BBFrame stream in any chunking.  A header whose CRC-8 fails is
 * counted once and the stream rescanned byte by byte for the next valid
 * header.
 */
void		 gse_demux_input(struct gse_demux *d, const uint8_t *buf,
		    size_t len);
/* One whole BBFrame (header and data field), as a tuner delivers it. */
void		 gse_demux_frame(struct gse_demux *d, const uint8_t *bb,
		    size_t len);

struct gse_mux_params {
	uint16_t	dfl;		/* data field bytes per frame, 0 = GSE_DFL_MAX */
	uint8_t		label_type;	/* 0: 6-byte MAC, 1: 3-byte, 2: none; 3 = 0 */
};

/* Receives whole BBFrames; 0 or -1 to stop. */
typedef int	(*gse_write_fn)(void *arg, const uint8_t *bb, size_t len);

struct gse_mux;

struct gse_mux	*gse_mux_new(const struct gse_mux_params *p, gse_write_fn w,
		    void *arg);
void		 gse_mux_free(struct gse_mux *m);
/*
 * One IPv4/IPv6 datagram (up to 65535 bytes) as GSE: whole when it fits
 * the frame being filled, else fragmented (first/middle/last with a
 * Frag_ID, Total_Length and CRC-32) across frames.  0, or -1.
 */
int		 gse_mux_datagram(struct gse_mux *m, const uint8_t *ip,
		    size_t len);
/* Write the frame being filled, if any: 0 or -1. */
int		 gse_mux_flush(struct gse_mux *m);

#endif
