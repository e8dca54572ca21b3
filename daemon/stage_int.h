/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stage_int.h: what the files of the stage module share and nobody else
 * may use.  stage.c is the obj_sink (staging files, write runs), the job
 * queue and the committer thread; stage_batch.c is what that thread does
 * with the jobs it takes: verify, seal, sync and publish them in batches.
 */
#ifndef NIPCACHE_STAGE_INT_H
#define NIPCACHE_STAGE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "stage.h"

#define STAGE_BATCH_MAX		64	/* jobs the committer takes at once */

struct stage_handle {
	int		fd;
	uint64_t	len;		/* transfer length */
	char		*path;		/* <dir>/tmp/s<n> */
	uint8_t		*run;		/* bytes not written yet, or NULL */
	uint64_t	run_off;	/* their transfer offset */
	size_t		run_len;
};

struct stage_job {
	struct stage_job *next;
	struct stage_handle *h;
	struct obj_meta	meta;		/* strings below are the job's */
	char		*location;
	char		*content_type;
	char		*content_encoding;
};

struct stage_batch;

/* stage.c */
/* Create a new file in tmp/; *path gets its name (malloc'd).  fd or -1. */
int	stage_create(char prefix, char **path);
/* Free the job and what it staged, count the result, tell the receiver. */
void	stage_job_report(struct stage_job *j, enum obj_result res);

/* stage_batch.c */
/* The committer's batch (p is copied), or NULL when out of memory. */
struct stage_batch *stage_batch_new(const struct stage_params *p);
void	stage_batch_free(struct stage_batch *b);
/* Verify, seal, sync and publish a list of jobs; each is reported. */
void	stage_batch_run(struct stage_batch *b, struct stage_job *jobs);

#endif
