/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ranges.h: which bytes of a partly received object unicast repair must
 * fetch.  Pure functions (no I/O, no allocation), shared by reasm and by
 * the fleet simulation (tools/fleetsim.c), so that what is simulated is
 * what the daemon does.  See ../shared/docs/protocols.md 2.4 and 5.4.
 */
#ifndef NIPCACHE_RANGES_H
#define NIPCACHE_RANGES_H

#include <stddef.h>
#include <stdint.h>

#include "fec.h"
#include "sink.h"

/*
 * Defaults for reasm (tools/fleetsim.c uses the same).  A part of a
 * multipart/byteranges answer costs about 80 to 100 bytes of headers, so
 * fetching a gap between two missing runs pays only when the gap is
 * smaller than that: with symbols of a kilobyte or more, only touching
 * runs become one range.  64 ranges keep the Range header near 1 KB.
 */
#define RANGES_MERGE_GAP	128
#define RANGES_MAX_PER_REQ	64

/*
 * The byte ranges of the source symbols whose bit is clear in bits (one
 * bit per source symbol, index fec_symbol_index(), LSB first in each
 * byte), for the object partitioned as p.  Runs of missing symbols become
 * one range each; ranges separated by fewer than merge_gap bytes are
 * merged; if more than max ranges remain, the two closest are merged
 * until max fit.  The last range ends at p->len (a short last symbol).
 * Writes up to max ranges to out (max >= 1), sorted and disjoint, and
 * returns their count; *lost gets the bytes actually missing (before
 * merging).  Returns 0 when nothing is missing.
 */
size_t	ranges_missing(const struct fec_part *p, const uint8_t *bits,
	    uint64_t merge_gap, struct obj_range *out, size_t max,
	    uint64_t *lost);

/*
 * Merge in place: ranges (sorted, disjoint) closer than gap bytes become
 * one, then the closest pairs merge until at most max remain.  Returns
 * the new count.
 */
size_t	ranges_merge(struct obj_range *r, size_t n, uint64_t gap, size_t max);

/* Sum of the lengths. */
uint64_t ranges_total(const struct obj_range *r, size_t n);

/*
 * Write "bytes=a-b,c-d" (HTTP Range, inclusive ends) for r[0..n-1] into
 * buf.  Returns the length, or -1 if it does not fit (buf is then "").
 */
int	ranges_header(const struct obj_range *r, size_t n, char *buf,
	    size_t len);

#endif
