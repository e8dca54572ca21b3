/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics.h: /health JSON and /metrics Prometheus text, built from the
 * copy-out statistics of rx, stage, cache and httpd.  Called from the HTTP
 * threads; reads only thread-safe snapshots.
 */
#ifndef NIPCACHE_METRICS_H
#define NIPCACHE_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* Record the start time; call once before the HTTP server starts. */
void	metrics_init(void);
/* Mark the daemon ready (cache loaded, tmp purged, inputs joined) or not. */
void	metrics_set_ready(int ready);
int	metrics_is_ready(void);
/* Seconds since metrics_init(). */
uint64_t metrics_uptime_s(void);
/* /health body (JSON); returns 1 if ready.  Fits in len or is truncated. */
int	metrics_health(char *buf, size_t len);
/* /metrics body; returns the bytes written (without the NUL). */
size_t	metrics_render(char *buf, size_t len);

#endif
