/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repair.h: DVB-MABR unicast repair (ETSI TS 103 769 clause 9, Annex F.3;
 * ../shared/docs/protocols.md 5.4) and the terrestrial fallback origin.
 *
 * One thread runs a libcurl multi handle (keep-alive, at most max_parallel
 * requests, timeouts, TLS verification on https).  A job waits its
 * back-off, fixed + U(0, random) drawn per object, unless a player is
 * waiting for it (repair_hurry), then fetches the missing byte ranges in
 * one request (Range with several ranges; 206 single part or
 * multipart/byteranges answers; If-Range with a known strong ETag), or the
 * whole object when most of it is missing, when it is content-encoded or
 * when nothing was staged.  The bytes go into the staged handle and the
 * object is committed through the stage sink: the one commit path, where
 * the committer checks Content-Length, Content-MD5 and Content-Digest.  A
 * response's own Content-MD5 / Content-Digest / Repr-Digest (whole
 * answers) is checked here too.  Repair only ever goes to hosts from the
 * signalling (BaseURL) or the configuration (base_url, origin), never to
 * a host named by other carousel content.
 *
 * Thread safety: every function may be called from any thread.
 */
#ifndef NIPCACHE_REPAIR_H
#define NIPCACHE_REPAIR_H

#include <stddef.h>
#include <stdint.h>

#include "../carousel/rx.h"
#include "../carousel/sink.h"

#define REPAIR_MAX_BASE		8
#define REPAIR_URL_MAX		1024

struct repair_base {
	char		url[REPAIR_URL_MAX];
	uint32_t	weight;		/* relativeWeight; 0 disables it */
};

/* How one transport session is repaired, from its UnicastRepairParameters. */
struct repair_policy {
	struct carousel_src src;	/* the session: group, port, source, TSI */
	char		object_base_uri[REPAIR_URL_MAX]; /* or "" */
	uint32_t	fixed_backoff_ms;
	uint32_t	random_backoff_ms;
	size_t		nbase;
	struct repair_base base[REPAIR_MAX_BASE];
};

struct repair_params {
	int		enabled;		/* [repair] enabled */
	size_t		nbase;			/* [repair] base_url (repeatable) */
	struct repair_base base[REPAIR_MAX_BASE];
	char		origin[REPAIR_URL_MAX];	/* [repair] origin, or "" */
	uint32_t	fixed_backoff_ms;	/* when the signalling gives none */
	uint32_t	random_backoff_ms;
	uint32_t	max_parallel;		/* requests in flight; 0: 4 */
	uint32_t	connect_timeout_ms;	/* 0: 3000 */
	uint32_t	timeout_ms;		/* whole request; 0: 10000 */
	uint32_t	whole_pct;		/* more than this % missing: one
						   whole GET; 0: 50 */
	uint64_t	max_object_bytes;	/* largest object fetched; 0: 4G */
	uint32_t	failed_ttl_ms;		/* repair_path_state() says
						   FAILED this long; 0: 60000 */
	uint64_t	seed;			/* back-off and base choice; 0:
						   from the clock and pid */
};

/* What the rest of the daemon lends the repair thread (main wires it). */
struct repair_hooks {
	/* Where fetched bytes are staged and committed (the stage sink). */
	const struct obj_sink *sink;
	/*
	 * A repair ended without a commit (HTTP failure, nothing to fetch
	 * from, shut down): the key handed in (NULL for path jobs) and the
	 * cache path.  Main tells the receiver (rx_commit_result) and the
	 * hold table (hold_lost).  May be NULL.
	 */
	void	(*failed)(const struct obj_key *key, const char *path);
	/* A job for path was queued (players may now wait for it).  May be NULL. */
	void	(*queued)(const char *path);
	/* 1 if path is cached already: the job is dropped.  May be NULL. */
	int	(*cached)(const char *path);
	/*
	 * A path job (not a refresh) is due, queued at queued_ms: a time
	 * after now puts it back until then, because the broadcast is
	 * still bringing the object.  May be NULL.
	 */
	uint64_t (*wait)(const char *path, uint64_t queued_ms);
};

/* Start the thread; p and h are copied.  0, or -1 (logged). */
int	repair_start(const struct repair_params *p,
	    const struct repair_hooks *h);
/* Stop: abort queued and running jobs (their handles are aborted). */
void	repair_stop(void);
/* New parameters (SIGHUP); running requests finish with the old ones. */
void	repair_set_params(const struct repair_params *p);
/* Replace the per-session policies (from the NIP manager); copied. 0/-1. */
int	repair_set_policies(const struct repair_policy *v, size_t n);

/*
 * The obj_sink repair operation (see carousel/sink.h for the contract):
 * 0 when the job was taken (h belongs to repair from now on), -1 when
 * there is no repair URL for this object or repair is disabled.
 */
int	repair_object(void *h, const struct obj_meta *meta,
	    const struct obj_range *missing, size_t nmissing,
	    uint64_t lost_bytes, enum obj_repair_trigger why);

/*
 * Fetch the object served at cache path (a segment a playlist names that
 * never arrived: OBJ_REPAIR_PLAYER; or anything the broadcast never
 * announced, from the origin: OBJ_REPAIR_ORIGIN).  urgent skips the
 * back-off (a player is waiting).  0 when queued or already under way, -1
 * when there is nothing to fetch it from.
 */
int	repair_path(const char *path, enum obj_repair_trigger why, int urgent);
/*
 * Terrestrial fallback for a live playlist the broadcast stopped updating
 * (a total loss of signal): fetch path again now although it is cached,
 * and commit the answer at version seq (the cached entry's), so that new
 * bytes replace the stale ones while any newer broadcast version still
 * wins.  Trigger OBJ_REPAIR_REFRESH; one job per path at a time; a
 * failure is counted but not held off (the next poll tries again) and
 * not told to the failed hook.  0 when queued
 * or already under way, -1 when there is nowhere to fetch it from.
 */
int	repair_refresh(const char *path, uint64_t seq);
/* A player waits for path: start its job now if it is still backing off. */
void	repair_hurry(const char *path);

enum repair_state {
	REPAIR_ST_NONE = 0,
	REPAIR_ST_PENDING,	/* queued, backing off or in flight */
	REPAIR_ST_FAILED,	/* gave up less than failed_ttl_ms ago */
};
enum repair_state repair_path_state(const char *path);

/* The committer's verdict on an object repair committed (main forwards). */
void	repair_commit_result(const struct obj_key *key, enum obj_result res);

/* Outcome of a job, for the counters. */
enum repair_outcome {
	REPAIR_OK = 0,		/* committed and published */
	REPAIR_EHTTP,		/* transport error or HTTP status */
	REPAIR_EVERIFY,		/* digest or length check failed */
	REPAIR_ENOURL,		/* no base URL */
	REPAIR_ECANCEL,		/* already cached, or shut down */
	REPAIR_NOUTCOMES
};

struct repair_stats {
	uint64_t	jobs[OBJ_REPAIR_NTRIGGERS];	/* taken, by trigger */
	uint64_t	done[OBJ_REPAIR_NTRIGGERS][REPAIR_NOUTCOMES];
	uint64_t	requests;		/* HTTP requests sent */
	uint64_t	range_requests;		/* of which with Range */
	uint64_t	deferred;		/* path jobs put back to wait
						   for the broadcast */
	uint64_t	body_bytes;		/* HTTP body bytes received */
	uint64_t	lost_bytes;		/* missing bytes handed in */
	uint64_t	queued_now;		/* waiting (back-off or slot) */
	uint64_t	active_now;		/* requests in flight */
};
void	repair_get_stats(struct repair_stats *out);

/* Pure helpers (repair_url.c), also used by tools/fleetsim.c. */

/* One step of the xorshift64* generator behind the draws; *s must not be 0. */
uint64_t repair_rand(uint64_t *s);
/* The back-off of one object: fixed + a uniform draw in [0, random]. */
uint64_t repair_backoff_ms(uint32_t fixed_ms, uint32_t random_ms,
	    uint64_t *rng);
/* Choose a base by relativeWeight (0 = disabled); index, or -1 if none. */
int	repair_pick_base(const struct repair_base *b, size_t n, uint64_t *rng);
/*
 * The repair URL of a transport object (protocols.md 5.4): strip
 * object_base_uri (may be NULL or "") from location and prepend base.
 * Without object_base_uri, an absolute http(s) location loses its scheme
 * and host ("http://dvb.gw/P" with base "http://cdn/x/" gives
 * "http://cdn/x/P"); a relative location is appended to base; another
 * scheme (tag:, urn:) without object_base_uri gives -1.  base must be
 * http:// or https://.  0, or -1 (does not fit, bad base,
 * location does not start with object_base_uri, or ".." segments).
 */
int	repair_url(const char *location, const char *object_base_uri,
	    const char *base, char *out, size_t len);

#endif
