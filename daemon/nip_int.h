/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nip_int.h: shared by the files of the NIP manager and nobody else.
 * nip.c: state, watching the cache for new versions, local files, ticks.
 * nip_svc.c: the service table and the channels to join.
 * nip_view.c: the immutable view the HTTP threads read, on-demand touches.
 * nip_doc.c: the documents (/services.json, /dvbi/, /nip/).
 */
#ifndef NIPCACHE_NIP_INT_H
#define NIPCACHE_NIP_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../carousel/rx.h"
#include "../dvb-i/dvbi.h"
#include "../dvb-i/mgc.h"
#include "../dvb-i/nipdoc.h"
#include "nip.h"

#define NIP_MAX_LISTS	32
#define NIP_MAX_CANDS	256	/* URLs that may be service lists */
#define NIP_RW_SLOTS	4	/* rewritten copies kept per list (by Host) */
#define NIP_JOIN_GRACE_MS 30000	/* "being joined" this long after a join */
#define NIP_LIVE_MS	5000	/* receiving: a packet this recently */

/* A document as received: bytes and the version tag they came with. */
struct nip_raw {
	char		*buf;		/* NUL-terminated copy, or NULL */
	size_t		len;
	char		etag[48];	/* cache ETag, or mtime for files */
};

struct nip_list {
	char		url[1024];	/* as signalled */
	char		key[1024];	/* cache path */
	struct nip_raw	raw;
	struct dvbi_list parsed;
	int		ok;		/* parsed holds a list */
};

/* One service as the view shows it; strings owned by the view. */
struct nip_vsvc {
	char		*id;
	char		*name;
	char		*provider;
	long		lcn;		/* -1: none for the region */
	char		*genre;
	char		*logo_src;	/* broadcast URL, or NULL */
	char		*play_src;	/* broadcast URL of the instance played */
	char		*play_key;	/* its cache path, or NULL */
	char		*type;		/* ServiceType href, or NULL */
	char		**prefixes;	/* cache path folders of this service */
	size_t		nprefixes;
	struct carousel_src *srcs;	/* its transport sessions */
	size_t		nsrcs;
	_Atomic uint64_t touched_ms;	/* last player request (on-demand) */
	_Atomic uint64_t joined_ms;	/* when joined, 0 = not joined */
	_Atomic uint64_t bitrate;	/* bit/s over the last seconds */
	uint64_t	rate_bytes;	/* main thread: last byte count */
	uint64_t	rate_ms;	/* and when */
};

/* A rewritten list for one Host. */
struct nip_rw {
	char		host[128];
	char		*buf;
	size_t		len;
};

struct nip_vlist {
	char		*key;		/* cache path of the list */
	char		*url;
	char		*id, *name;
	uint64_t	version;
	char		*buf;		/* as received */
	size_t		len;
	struct nip_rw	rw[NIP_RW_SLOTS];
	size_t		rw_next;
};

/* What HTTP threads read: immutable but for atomics and the rw cache. */
struct nip_view {
	_Atomic uint32_t refs;
	pthread_mutex_t	rw_lock;	/* the lists' rw slots */
	struct nip_raw	docs[NIP_NKINDS];
	struct nip_vlist *lists;
	size_t		nlists;
	struct nip_vsvc	*svcs;
	size_t		nsvcs;
	size_t		cap;		/* svcs allocated */
	char		listen[80];	/* fallback base when no Host */
	int		on_demand;	/* [nip] join = on-demand */
};

/* The manager's state, owned by the main thread. */
struct nip {
	struct conf	*conf;		/* private copy */
	int		wakefd;
	char		keys[NIP_NKINDS][256];	/* cache paths of the URNs */
	struct nip_raw	docs[NIP_NKINDS];
	char		bad[NIP_NKINDS][48];	/* refused versions: not retried */
	struct mgc	boot, gw;	/* parsed bootstrap and gateway */
	int		has_boot, has_gw;
	struct nif	nif;
	struct sif	sif;
	struct slep	slep;
	int		has_nif, has_sif, has_slep;
	uint64_t	nif_gen;	/* bumped by each NIF version taken */
	struct nip_list	lists[NIP_MAX_LISTS];
	size_t		nlists;
	char		file_tag[2][64];	/* local files' mtime tags */
	uint64_t	next_file_check;
	uint64_t	next_rate;
	int		dirty;		/* recompute services and joins */
	int		v6;		/* input interface has IPv6 */
	struct carousel_src *applied;	/* last set handed to rx */
	size_t		napplied;
	struct nip_view	*view;		/* current (one reference held) */
	struct nip_stats st;
};

/* nip.c */
/* Ask the main loop for an early tick (an on-demand join); any thread. */
void	nip_wake(void);
/* Read the whole cache object at key (<= XMLU_MAX_BYTES): 0 or -1. */
int	nip_read_key(const char *key, struct nip_raw *out);
void	nip_raw_free(struct nip_raw *r);

/* nip_svc.c */
/*
 * Build the next view from the state (services from the lists and the
 * gateway configuration; their sessions), carrying touch and join times
 * over from old by service id.  NULL when out of memory.
 */
struct nip_view *nip_svc_build(struct nip *n, const struct nip_view *old);
/*
 * The channels to receive now: [input] udp, the announcement, every
 * signalling session, and the sessions of the wanted services (marked
 * joined in v).  Returns a malloc'd array (*nout entries) or NULL.
 */
struct carousel_src *nip_svc_channels(struct nip *n, struct nip_view *v,
	    uint64_t now, size_t *nout);
/* An EndpointAddress as a carousel source: 0, or -1 if unusable. */
int	nip_endpoint_src(const struct mgc_endpoint *e, struct carousel_src *s);
/* 1 if the input interface (name or IPv4 address) has IPv6, not lo. */
int	nip_iface_v6(const char *iface);
/* 1 if service s is wanted under the policy at now. */
int	nip_svc_wanted(const struct nip *n, const struct nip_vsvc *s,
	    uint64_t now);

/* nip_repair.c */
/* Set each channel's signalled transportObjectReceptionTimeout. */
void	nip_repair_timeouts(const struct nip *n, struct carousel_src *v,
	    size_t nv);
/* Hand repair the sessions' UnicastRepairParameters (repair_set_policies). */
void	nip_repair_update(const struct nip *n);

/* nip_view.c */
void	nip_view_publish(struct nip_view *v);	/* takes v's reference */
struct nip_view *nip_view_get(void);		/* a new reference, or NULL */
void	nip_view_put(struct nip_view *v);
struct nip_view *nip_view_new(void);

/* nip_doc.c */
/* The document at path for a request with this Host: 200, 404 or 503. */
int	nip_doc_render(struct nip_view *v, const char *path, const char *host,
	    struct httpd_doc *out);

#endif
