/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notify.h: sd_notify without libsystemd (chrony main.c idea): datagrams
 * such as "READY=1" to $NOTIFY_SOCKET.  Does nothing when it is unset.
 */
#ifndef NIPCACHE_NOTIFY_H
#define NIPCACHE_NOTIFY_H

#include <stdint.h>

/* Send one state string ("READY=1\nSTATUS=..."). 0, or -1 if it failed. */
int	notify_send(const char *state);
/* Watchdog interval wanted by systemd in ms ($WATCHDOG_USEC), or 0. */
uint64_t notify_watchdog_ms(void);

#endif
