/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sink.h: the seam between carousel/ and storage.  carousel/ knows nothing
 * of files or HTTP: it stages object bytes through these callbacks, and the
 * daemon (daemon/stage.c) turns them into cache entries.  Unit tests use an
 * in-memory sink.
 *
 * Life of a handle: begin() -> any number of write() (and read()) ->
 * exactly one of commit() or abort(), each of which consumes the handle.
 * All calls for one handle come from one thread.  commit() is
 * asynchronous: the daemon verifies (decoding, length, digest) and
 * publishes later, and reports the outcome through the result callback
 * it was given (see rx_commit_result).
 */
#ifndef NIPCACHE_SINK_H
#define NIPCACHE_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "alc.h"

/* A transport object: channel (src, dst, port) + TSI + TOI. */
struct obj_key {
	uint8_t		family;		/* AF_INET or AF_INET6 */
	uint8_t		src[16];	/* source address (IPv4 in the first 4) */
	uint8_t		dst[16];	/* group address */
	uint16_t	port;		/* destination UDP port, host order */
	struct alc_id	tsi;
	struct alc_id	toi;
};

/* What the FDT said about an object, at commit time.  Borrowed by commit(). */
struct obj_meta {
	struct obj_key	key;
	const char	*location;	/* Content-Location as announced */
	uint64_t	transfer_length;/* bytes staged */
	int64_t		content_length;	/* decoded length, -1 if not announced */
	const char	*content_type;	/* NULL if not announced */
	const char	*content_encoding; /* NULL, "gzip", ... */
	uint8_t		has_md5;
	uint8_t		md5[16];
	uint8_t		has_sha256;
	uint8_t		sha256[32];
	uint64_t	seq;		/* version order per location: larger is newer */
};

/* Reasons passed to abort(), for counters. */
enum obj_abort_reason {
	OBJ_ABORT_INCOMPLETE = 0,	/* timed out / session ended */
	OBJ_ABORT_SUPERSEDED,		/* a newer version replaced it */
	OBJ_ABORT_INVALID,		/* FDT and packets disagree */
	OBJ_ABORT_LIMIT,		/* a bound was hit */
	OBJ_ABORT_SHUTDOWN,
	OBJ_ABORT_NREASONS
};

/* Outcome reported back after commit(). */
enum obj_result {
	OBJ_OK = 0,		/* published in the cache */
	OBJ_EDIGEST,		/* Content-MD5 / Content-Digest mismatch */
	OBJ_ELENGTH,		/* decoded length != Content-Length */
	OBJ_EDECODE,		/* bad or oversized content encoding (gzip bomb) */
	OBJ_ESTALE,		/* an equal or newer version is already cached */
	OBJ_EIO,		/* disk error or ENOSPC */
	OBJ_ENAME,		/* Content-Location cannot be served */
	OBJ_NRESULTS
};

/* A byte range [off, off + len) of a transport object. */
struct obj_range {
	uint64_t	off;
	uint64_t	len;
};

/* Why an incomplete object is handed to repair (protocols.md 5.4). */
enum obj_repair_trigger {
	OBJ_REPAIR_LOSS = 0,	/* loss that FEC cannot fix (FEC schemes) */
	OBJ_REPAIR_TIMEOUT,	/* transportObjectReceptionTimeout, no packet */
	OBJ_REPAIR_CLOSE,	/* Close Object flag, object incomplete */
	OBJ_REPAIR_EXPIRED,	/* its FDT instance expired (or was dropped) */
	OBJ_REPAIR_SESSION,	/* the session ended (closed, idle or left) */
	OBJ_REPAIR_PLAYER,	/* daemon side: a playlist or player named it */
	OBJ_REPAIR_ORIGIN,	/* daemon side: never announced, from origin */
	OBJ_REPAIR_REFRESH,	/* daemon side: a live playlist gone stale */
	OBJ_REPAIR_NTRIGGERS
};

/* How often sink->receiving() is called at most for one object. */
#define OBJ_RECEIVING_MS	500

struct obj_sink {
	void	*ctx;
	/* Start staging an object of transfer_len bytes; NULL on failure. */
	void	*(*begin)(void *ctx, const struct obj_key *key,
		    uint64_t transfer_len);
	/* Write len bytes at off (off + len <= transfer_len). 0 or -1. */
	int	(*write)(void *ctx, void *h, uint64_t off, const void *buf,
		    size_t len);
	/* Every byte is written: verify and publish asynchronously. */
	void	(*commit)(void *ctx, void *h, const struct obj_meta *meta);
	/* Throw the staged bytes away. */
	void	(*abort)(void *ctx, void *h, enum obj_abort_reason why);
	/*
	 * Optional (NULL: incomplete objects are only aborted).  A repair
	 * trigger fired for an incomplete object.  h holds the bytes
	 * received so far, or is NULL when nothing was staged (then the
	 * whole object is missing).  missing[] lists the byte ranges still
	 * needed: sorted, disjoint, inside meta->transfer_length, small gaps
	 * merged; lost_bytes is the source bytes actually missing (before
	 * merging).  meta is borrowed for the call.  Returns 0 when the
	 * daemon took h (it commits or aborts it, and reports the result
	 * like a commit), or -1 when it cannot repair this object (repair
	 * disabled, no repair URL): h then stays with the caller, which
	 * keeps receiving and does not ask again for this object.
	 */
	int	(*repair)(void *ctx, void *h, const struct obj_meta *meta,
		    const struct obj_range *missing, size_t nmissing,
		    uint64_t lost_bytes, enum obj_repair_trigger why);
	/*
	 * Optional.  An FDT declared a new object (first declaration of
	 * this TOI): players asking for it may be held until it completes.
	 * meta is borrowed (no digest needed).
	 */
	void	(*announce)(void *ctx, const struct obj_meta *meta);
	/*
	 * Optional.  Packets of a declared object are arriving: called on
	 * its first packet and then at most every OBJ_RECEIVING_MS while
	 * more come, so that a unicast fetch of the same object can wait
	 * for the broadcast.  meta is borrowed (no digest needed).
	 */
	void	(*receiving)(void *ctx, const struct obj_meta *meta);
	/*
	 * Optional (NULL: objects of a FEC scheme are received from their
	 * source symbols only and repair symbols are not used).  Read back
	 * len bytes at off that write() stored in h (off + len <=
	 * transfer_len); FEC decoding needs the source symbols of a block
	 * that were already staged.  Only ranges that were written are
	 * read.  Same thread as the other calls for h.  0 or -1.
	 */
	int	(*read)(void *ctx, void *h, uint64_t off, void *buf, size_t len);
};

#endif
