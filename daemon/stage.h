/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stage.h: staging files and the committer thread.  Implements the
 * obj_sink of carousel/sink.h: begin/write go to a file in <dir>/tmp;
 * commit hands the file to the committer thread, which undoes the
 * Content-Encoding (bounded), checks Content-Length and Content-MD5 /
 * Content-Digest, fsyncs per policy and calls cache_publish().  The outcome
 * goes to the result callback (rx_commit_result in the daemon).
 */
#ifndef NIPCACHE_STAGE_H
#define NIPCACHE_STAGE_H

#include <stdint.h>

#include "../carousel/sink.h"

struct stage_params {
	const char	*dir;			/* cache root */
	int		fsync_mode;		/* enum conf_fsync */
	uint64_t	max_decoded_bytes;	/* gunzip output cap */
	uint32_t	mem_max;		/* bodies up to this go to RAM too */
	uint32_t	queue_max;		/* commits waiting, beyond: EIO */
};

struct stage_stats {
	uint64_t	begun;
	uint64_t	committed;			/* published */
	uint64_t	failed[OBJ_NRESULTS];		/* by obj_result */
	uint64_t	aborted[OBJ_ABORT_NREASONS];	/* by reason */
	uint64_t	bytes_written;
	uint64_t	queue_now;
};

typedef void (*stage_result_fn)(const struct obj_key *key, enum obj_result res);

/*
 * Start the committer thread (after cache_init: staging lives in the cache
 * directory).  Zeroes the counters.  queue_max 0 means 1024 and
 * max_decoded_bytes 0 means 64 MiB.  0 or -1.
 */
int	stage_start(const struct stage_params *p, stage_result_fn cb);
/*
 * Refuse new objects, let the committer finish every queued commit (each
 * is reported through the callback) and join it.  Call before
 * cache_shutdown.
 */
void	stage_stop(void);
/* The sink for rx (static storage). */
const struct obj_sink *stage_sink(void);
void	stage_get_stats(struct stage_stats *out);

#endif
