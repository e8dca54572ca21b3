/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frontend.h: the inputs below UDP as main wires them (issue 5).  The
 * configured ts/gse/pcap inputs go to rx as they are; each "[input] dvb"
 * starts a tuner thread (daemon/tuner.h, libdvbv5) and becomes a ts input
 * whose descriptor is the adapter's demux, (re)opened by rx through
 * frontend's callback.  Also the inputs' and tuners' /metrics families and
 * their part of /health.
 */
#ifndef NIPCACHE_FRONTEND_H
#define NIPCACHE_FRONTEND_H

#include <stddef.h>

#include "../carousel/rx.h"
#include "conf.h"

struct nif;

/*
 * Fill rp's inputs and no_sockets from c and start the tuners.  0, or -1
 * (logged) when an input cannot be set up; a missing adapter is not an
 * error (its tuner and demux are retried).
 */
int	frontend_start(const struct conf *c, struct rx_params *rp);
/*
 * Main thread, for each new NIF version: every tuner that follows the
 * NIF ([tuner] without a frequency, or follow_nif = yes) is retargeted to
 * the NIP stream tuner_nif_pick chooses, when that differs from where it
 * is; each decision is logged, a GSE stream with a warning.
 */
void	frontend_nif(const struct nif *nif);
/* Stop the tuners (after rx_stop). */
void	frontend_stop(void);
/* Append the input and tuner families to buf; bytes written. */
size_t	frontend_metrics(char *buf, size_t len);
/*
 * Append ,"inputs":[..],"tuners":[..] to a /health JSON object; bytes
 * written.
 */
size_t	frontend_health(char *buf, size_t len);

#endif
