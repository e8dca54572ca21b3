/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hls.h: live HLS media playlists as served to players (rfc8216bis
 * 6.2.1-6.2.2 and 6.2.5-6.2.6; ../shared/docs/dvbi-and-hls.md 2.5-2.7).
 *
 * A received media playlist is rewritten per request so that it never
 * lists a segment that is neither available nor expected (announced,
 * being received or under repair): the newest entries are held back until
 * their segments exist, and an unrecoverable segment with later ones after
 * it is marked #EXT-X-GAP (EXT-X-VERSION raised to 8), or, with gap off,
 * the list is cut before it.  Media sequence numbers never go backwards
 * across versions (a source that restarts its numbering is renumbered
 * after the last served number, with an EXT-X-DISCONTINUITY).  Multivariant
 * playlists, VOD playlists with ENDLIST and anything unparsable pass
 * through unchanged.  Parsing is pure: no I/O, no globals; the caller owns
 * the per-playlist state.
 */
#ifndef NIPCACHE_HLS_H
#define NIPCACHE_HLS_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* A segment (or part, or init section) as the cache sees it. */
enum hls_seg {
	HLS_SEG_OK = 0,		/* cached */
	HLS_SEG_PENDING,	/* expected: announced or under repair */
	HLS_SEG_LOST,		/* neither: will not come */
};

/*
 * Status of the cache path of a URI the playlist names (resolved against
 * the playlist's path with names_resolve); called once per segment, in
 * order.  May start a repair and answer PENDING.
 */
typedef enum hls_seg (*hls_status_fn)(void *arg, const char *path);

struct hls_opts {
	int		gap;		/* mark lost segments #EXT-X-GAP (else
					   cut the list before the first) */
	uint32_t	min_segments;	/* never hold back below this many
					   listed segments (0: 1) */
};

/* What the rewriter remembers about one playlist between versions. */
struct hls_state {
	uint8_t		valid;
	uint64_t	src_first;	/* source MSN of the first segment */
	uint64_t	served_first;	/* served MSN of that segment */
	uint64_t	served_last;	/* highest served MSN so far */
	int64_t		msn_shift;	/* served = source + shift */
	uint64_t	disc_shift;	/* added to DISCONTINUITY-SEQUENCE */
	uint64_t	disc_last;	/* discontinuity number of the last
					   served segment (never decreases) */
	uint64_t	disc_msn;	/* served MSN given an added
					   EXT-X-DISCONTINUITY (0: none) */
};

/* Facts about the playlist as served (for LL-HLS and the counters). */
struct hls_info {
	uint8_t		media;		/* a media playlist (has EXTINF) */
	uint8_t		endlist;	/* #EXT-X-ENDLIST */
	uint8_t		can_block;	/* SERVER-CONTROL CAN-BLOCK-RELOAD=YES */
	uint32_t	target_ms;	/* EXT-X-TARGETDURATION */
	uint32_t	part_target_ms;	/* EXT-X-PART-INF PART-TARGET, 0 */
	uint64_t	msn_first;	/* served MSN of the first segment */
	uint64_t	msn_last;	/* served MSN of the last complete one */
	uint32_t	nsegments;	/* listed as served */
	uint32_t	parts_next;	/* parts listed after msn_last (of
					   segment msn_last + 1) */
	uint32_t	held_back;	/* entries left out at the end */
	uint32_t	gaps;		/* entries marked EXT-X-GAP */
	uint8_t		renumbered;	/* the source went backwards */
};

/*
 * Rewrite playlist body (len bytes) served at path into out (appended),
 * calling status for each segment.  st is the playlist's state (zeroed for
 * a new playlist) and is updated.  Returns 1 when out holds a rewritten
 * body, 0 when the body is to be served unchanged (not a live media
 * playlist, or nothing to change: out untouched), or -1 when out ran out
 * of memory.  info is filled in every case.
 */
int	hls_rewrite(const char *body, size_t len, const char *path,
	    const struct hls_opts *o, hls_status_fn status, void *arg,
	    struct hls_state *st, struct util_sb *out, struct hls_info *info);

/* Only the facts, without rewriting (pure). */
void	hls_scan(const char *body, size_t len, struct hls_info *info);

enum hls_block {
	HLS_BLOCK_NONE = 0,	/* no (usable) directive: answer now */
	HLS_BLOCK_READY,	/* the requested segment/part exists */
	HLS_BLOCK_WAIT,		/* hold until the playlist changes */
	HLS_BLOCK_BAD,		/* 400: impossible request */
};

/*
 * LL-HLS blocking playlist reload (rfc8216bis 6.2.5.2): msn and part are
 * the raw _HLS_msn and _HLS_part query values (NULL when absent).  NONE
 * when the playlist does not advertise CAN-BLOCK-RELOAD=YES, has ENDLIST
 * or there is no _HLS_msn (but _HLS_part alone is BAD); BAD for garbage,
 * msn > msn_last + 2, or a part beyond the advance part limit; READY when
 * segment msn (part part) is already listed; else WAIT.  A part index
 * past the last part of msn means part 0 of msn + 1.
 */
enum hls_block hls_block_check(const struct hls_info *i, const char *msn,
	    const char *part);

#endif
