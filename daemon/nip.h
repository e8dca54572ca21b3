/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nip.h: the DVB-NIP manager.  It follows the bootstrap chain the
 * broadcast itself describes (protocols.md 4.1 and 8, trap 11):
 *
 *   announcement channel 224.0.23.14:3937 TSI 0
 *     -> bootstrap gateway configuration, NIF, SIF, SLEP, service lists
 *     -> the gateway sessions it lists -> the full gateway configuration
 *     -> MulticastSession@serviceIdentifier = DVB-I UniqueIdentifier
 *     -> that service's transport sessions, joined by the [nip] policy.
 *
 * Signalling objects arrive through the ordinary commit path into the
 * cache; the manager notices a new version by its ETag on each tick,
 * parses it (dvb-i/, pure), recomputes the channels to receive and hands
 * them to rx (rx_set_sources), so a new version applies without a
 * restart.  It also makes the documents players and people ask for:
 * /services.json, /dvbi/servicelist.xml (rewritten to point at the box),
 * /dvbi/ (every list, as a SLEP), /nip/<doc>.xml as received.
 *
 * Threads: nip_start/nip_tick/nip_reload/nip_stop run in the main thread,
 * which owns the manager's state.  What the HTTP threads need is an
 * immutable, refcounted view published under one mutex (a pointer swap);
 * nip_document and nip_touch may be called from any thread.
 */
#ifndef NIPCACHE_NIP_H
#define NIPCACHE_NIP_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "httpd.h"

/* The fixed announcement channel of TS 103 876 (IPv4; FF02::12D for v6). */
#define NIP_ANNOUNCE_GROUP	"224.0.23.14"
#define NIP_ANNOUNCE_GROUP6	"ff02::12d"
#define NIP_ANNOUNCE_PORT	3937

enum nip_kind {
	NIP_BOOTSTRAP = 0,
	NIP_GATEWAY,
	NIP_NIF,
	NIP_SIF,
	NIP_SLEP,
	NIP_NKINDS
};

struct nif;

struct nip_stats {
	uint64_t	parsed[NIP_NKINDS];	/* versions applied */
	uint64_t	errors[NIP_NKINDS];	/* versions refused */
	uint64_t	lists_parsed;		/* service list versions applied */
	uint64_t	list_errors;
	uint64_t	lists;			/* service lists known now */
	uint64_t	services;		/* services known now */
	uint64_t	services_joined;	/* of which joined */
	uint64_t	channels;		/* sources handed to rx */
	uint64_t	applies;		/* channel sets handed to rx */
};

/* Start with the configuration (copied); call after rx_start.  0 or -1. */
int	nip_start(const struct conf *c);
/* Periodic work from the main loop (every tick): new versions, joins. */
void	nip_tick(uint64_t now_ms);
/* SIGHUP: the new [nip] and [input] udp settings. */
void	nip_reload(const struct conf *c);
void	nip_stop(void);
/*
 * Main thread: the NIF in force (in-band, cached or [nip] nif), valid
 * until the next nip_tick, and in *gen its version count; NULL if none.
 */
const struct nif *nip_nif(uint64_t *gen);
/* An eventfd readable when an on-demand join wants a tick soon; -1 if none. */
int	nip_wakefd(void);
void	nip_get_stats(struct nip_stats *out);

/*
 * Any thread: the DVB-I identifier of the service whose transport session
 * src is (family, group, port, source, TSI), copied into id (truncated to
 * len); 0, or -1 when no service of the current view uses src.
 */
struct carousel_src;
int	nip_src_service(const struct carousel_src *src, char *id, size_t len);

/* httpd hooks (any thread); see struct httpd_hooks. */
int	nip_document(const char *path, const char *host, struct httpd_doc *out);
int	nip_touch(const char *path);

/* The short name of a kind ("bootstrap", "gateway", ...). */
const char *nip_kind_name(enum nip_kind k);

#endif
