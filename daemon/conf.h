/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conf.h: nipcached.conf (INI, libinih) -> an immutable struct conf.
 * Every key is documented in systemd/nipcached.conf and README.md.
 */
#ifndef NIPCACHE_CONF_H
#define NIPCACHE_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "../carousel/rx.h"
#include "netacl.h"
#include "tuner.h"

#define CONF_MAX_LISTEN	8
#define CONF_MAX_SRCS	256
#define CONF_MAX_NIP_SERVICES	64
#define CONF_MAX_REPAIR_BASE	8
#define CONF_MAX_TUNERS	4

enum conf_sockets {
	CONF_SOCKETS_AUTO = 0,	/* kernel sockets unless an input below UDP */
	CONF_SOCKETS_YES,
	CONF_SOCKETS_NO,
};

enum conf_join {
	CONF_JOIN_ALL = 0,	/* every service signalled */
	CONF_JOIN_ON_DEMAND,	/* when a player asks; left after idle_leave */
	CONF_JOIN_LIST,		/* only [nip] services */
};

enum conf_fsync {
	CONF_FSYNC_NEVER = 0,	/* rename only: flash wear first */
	CONF_FSYNC_COMMIT,	/* fsync each object before it is published */
	CONF_FSYNC_ALWAYS,	/* also fsync the directory after each rename */
};

struct conf {
	char		path[4096];		/* file it came from */
	int		log_level;		/* [log] level */

	/* [input] */
	char		interface[64];		/* interface, default 127.0.0.1 */
	uint32_t	rcvbuf;			/* receive_buffer */
	size_t		nsrcs;
	struct carousel_src srcs[CONF_MAX_SRCS];/* udp = (repeatable) */
	size_t		ninputs;		/* ts, gse, pcap (repeatable) */
	struct rx_input	inputs[RX_INPUTS_MAX];
	uint8_t		pace_realtime;		/* pace = realtime */
	enum conf_sockets sockets;		/* sockets = auto|yes|no */
	size_t		ntuners;		/* dvb = A[:F] (repeatable) */
	struct tuner_conf tuners[CONF_MAX_TUNERS]; /* [tuner], [tuner2].. */

	/* [carousel] bounds */
	struct reasm_params reasm;

	/* [cache] */
	char		cache_dir[4096];	/* dir */
	uint64_t	max_bytes;		/* max_bytes */
	uint64_t	min_free_bytes;		/* min_free as bytes, or */
	uint32_t	min_free_pct;		/* min_free as percent */
	enum conf_fsync	fsync;			/* fsync */
	uint64_t	max_decoded_bytes;	/* gunzip output cap */
	int		require_mount;		/* wait until dir is a mount point */

	/* [nip] */
	int		nip_announcement;	/* announcement = on|off */
	enum conf_join	nip_join;		/* join */
	size_t		nip_nservices;		/* services = ID ... */
	char		nip_services[CONF_MAX_NIP_SERVICES][256];
	uint64_t	nip_idle_leave_ms;	/* idle_leave */
	char		nip_region[128];	/* region (for LCNs) */
	char		nip_gateway_config[4096];	/* local file, or "" */
	char		nip_nif[4096];		/* local file, or "" */

	/* [repair] */
	int		repair_enabled;		/* enabled */
	size_t		repair_nbase;		/* base_url = URL [WEIGHT] */
	char		repair_base[CONF_MAX_REPAIR_BASE][1024];
	uint32_t	repair_base_weight[CONF_MAX_REPAIR_BASE];
	char		repair_origin[1024];	/* origin, or "" */
	uint64_t	repair_reception_timeout_ms; /* reception_timeout */
	uint32_t	repair_fixed_backoff_ms;	/* fixed_backoff */
	uint32_t	repair_random_backoff_ms;	/* random_backoff */
	uint32_t	repair_max_parallel;	/* max_parallel */
	uint32_t	repair_timeout_ms;	/* request_timeout */

	/* [http] (conf_http.c) */
	size_t		nlisten;
	char		listen[CONF_MAX_LISTEN][80];	/* ADDR:PORT, IFNAME:PORT */
	uint32_t	http_threads;		/* threads */
	uint32_t	http_max_conns;		/* max_connections */
	uint32_t	http_per_client;	/* max_connections_per_client */
	uint32_t	http_timeout_s;		/* timeout */
	uint32_t	http_header_ms;		/* header_timeout */
	uint32_t	http_mem_max;		/* small_object_max: served from RAM */
	uint32_t	http_hold_ms;		/* hold_timeout */
	uint32_t	http_max_held;		/* max_held */
	uint32_t	http_held_per_client;	/* max_held_per_client, 0: any */
	uint32_t	http_rate;		/* max_request_rate, 0: off */
	struct netacl	http_admin_allow;	/* admin_allow */
	struct netacl	http_limit_exempt;	/* limit_exempt */
	int		http_gap_tag;		/* gap_tag: EXT-X-GAP, else hold back */
	char		http_ui_dir[1024];	/* ui_dir: the status page's
						   files, "" = compiled in */
};

/* Defaults for every key (what an empty file gives). */
void	conf_defaults(struct conf *c);

/*
 * Load path over the defaults.  Returns 0 and a new *out (free with
 * conf_free), or -1 with "file:line: key: reason" in err.
 */
int	conf_load(const char *path, struct conf **out, char *err, size_t errlen);
/*
 * conf_input.c: the [input] keys below UDP (ts, gse, pcap, dvb, pace,
 * sockets) and the [tuner] sections.  1 if section/name is not one of
 * them, else 0 or -1 with why.  Tuner sections may come before their dvb
 * line; conf_input_finish() checks them at the end.
 */
int	conf_input_key(struct conf *c, const char *section, const char *name,
	    const char *value, char *why, size_t n);
/* After the whole file: 0, or -1 with why (a [tuner] without dvb). */
int	conf_input_finish(struct conf *c, char *why, size_t n);
/* 1 if the kernel sockets are to be opened. */
int	conf_use_sockets(const struct conf *c);
void	conf_free(struct conf *c);

#endif
