/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reasm_int.h: private to the carousel/reasm*.c files.  The state of one
 * reassembler (see the overview at the top of reasm.c) and the functions
 * the files share.  Everything here is owned by the rx thread; nothing
 * outside carousel/reasm*.c may include it.
 */
#ifndef NIPCACHE_REASM_INT_H
#define NIPCACHE_REASM_INT_H

#include <stddef.h>
#include <stdint.h>

#define HASH_NONFATAL_OOM 1
#include <uthash.h>
#include <utlist.h>

#include "fec.h"
#include "ranges.h"
#include "reasm.h"

#define REASM_MAX_SYMBOLS	(1u << 24)	/* 2 MiB of bitmap per object */
#define REASM_FEI0_SPACE	65536u		/* 16-bit SBN and ESI */
#define REASM_MAX_DECLS		65536u		/* declarations per session */
#define REASM_MAX_FDTASM	8u		/* FDT instances in reassembly */
#define REASM_MAX_APPLIED	4096u		/* applied FDT IDs remembered */
#define REASM_CLOSE_GRACE_MS	2000u		/* after Close Session */
#define FDT_ID_MASK		0xFFFFFu	/* 20-bit instance IDs */
#define REASM_REPAIR_RANGES	RANGES_MAX_PER_REQ	/* default */
#define REASM_REPAIR_RANGES_MAX	4096u		/* cap on repair_max_ranges */

struct sess_key {
	uint8_t		family;
	uint8_t		src[16];
	uint8_t		dst[16];
	uint16_t	port;
	struct alc_id	tsi;
};

/* One packet reduced to what reassembly needs (EXT_FTI decoded). */
struct pinfo {
	uint32_t	sbn;
	uint32_t	esi;
	const uint8_t	*payload;
	size_t		len;
	uint8_t		fei;		/* the packet's codepoint: 0, 5 or 6 */
	uint8_t		has_fti;
	uint8_t		has_tol;
	uint8_t		close_object;
	uint32_t	fti_e;		/* E, or T for RaptorQ */
	uint32_t	fti_b;		/* B; 0 for RaptorQ */
	uint64_t	fti_l;
	uint16_t	fti_max_n;	/* FEI 5 */
	uint8_t		fti_z;		/* FEI 6: Z, N and Al */
	uint16_t	fti_n;
	uint8_t		fti_al;
	uint64_t	tol;
};

/* Source symbols received so far, laid out per RFC 5052 9.1. */
struct symtrack {
	struct fec_part	part;
	uint8_t		*bits;		/* one bit per source symbol */
	uint32_t	*got;		/* symbols received per block */
	uint32_t	blocks_left;
};

enum decl_state {
	DECL_NEW = 0,			/* no symbol seen yet */
	DECL_STARTED,			/* an object was opened */
	DECL_DONE,			/* committed */
};

struct obj;
struct fec_obj;

/* What the FDT said about one TOI. */
struct decl {
	UT_hash_handle	hh;
	struct alc_id	toi;
	uint32_t	inst;		/* FDT instance that declared it */
	uint32_t	gen;		/* session FDT generation listing it */
	uint64_t	seq;
	char		*location;
	char		*ctype;
	char		*cenc;
	int64_t		content_length;
	int64_t		transfer_length;
	uint32_t	e;		/* FDT symbol length, 0 if absent */
	uint32_t	b;		/* FDT max source block length, 0 */
	int32_t		fei;		/* FDT FEC Encoding ID, -1 if absent */
	uint32_t	max_n;		/* FDT max encoding symbols, 0 */
	uint8_t		ssi_len;	/* FDT Scheme-Specific-Info, 0 */
	uint8_t		ssi[8];
	uint8_t		has_md5;
	uint8_t		md5[16];
	uint8_t		has_sha256;
	uint8_t		sha256[32];
	uint8_t		state;		/* enum decl_state */
	uint8_t		unlisted;	/* left out of a FullFDT instance */
	uint8_t		refused;	/* permanently refused by a bound */
	uint8_t		limited;	/* a transient bound was counted */
	uint8_t		close_seen;	/* Close Object flag seen */
	uint8_t		declined;	/* repair() refused it while never
					   started: not asked again */
	uint8_t		told;		/* sink->receiving() was called */
	uint64_t	touch_ms;	/* last packet or declaration */
	uint64_t	inst_ms;	/* last time inst (re)declared it */
	uint64_t	keep_ms;	/* FDT Expires, monotonic, 0 if past */
	uint64_t	told_ms;	/* last sink->receiving(), if told */
	struct obj	*obj;
};

/* An object being received. */
struct obj {
	struct obj	*prev, *next;
	struct decl	*decl;
	void		*h;		/* sink handle */
	struct symtrack	trk;
	struct fec_obj	*fec;		/* FEI 5 and 6 (reasm_fec.c), else NULL */
	uint64_t	last_ms;
	uint8_t		close_seen;	/* a packet fed to it had Close Object */
	uint8_t		declined;	/* repair() refused it: not asked again */
};

struct done {
	UT_hash_handle	hh;
	struct alc_id	toi;
	uint64_t	last_ms;
};

struct fdtasm {
	UT_hash_handle	hh;
	uint32_t	id;
	uint8_t		has_cenc;
	uint8_t		cenc;
	struct symtrack	trk;
	uint8_t		*buf;
	uint64_t	last_ms;
};

struct sess;

/* Packets of one TOI waiting for their FDT. */
struct pgroup {
	UT_hash_handle	hh;
	struct alc_id	toi;
	struct sess	*s;
	struct ppkt	*pkts;
	struct ppkt	*hint;		/* first one with EXT_FTI or EXT_TOL */
};

struct ppkt {
	struct ppkt	*prev, *next;	/* in the group */
	struct ppkt	*aprev, *anext;	/* reasm-wide, oldest first */
	struct pgroup	*g;
	uint64_t	at_ms;
	size_t		cost;
	struct pinfo	pi;		/* payload points at data */
	uint8_t		data[];
};

/* An FDT instance applied (or rejected) recently. */
struct applied {
	UT_hash_handle	hh;
	uint32_t	id;
	uint64_t	len;		/* FDT transfer length: a sender that
					   restarts may reuse the id for
					   another FDT */
	uint64_t	at_ms;
};

struct sess {
	UT_hash_handle	hh;
	struct sess_key	key;
	uint64_t	last_ms;
	uint32_t	rto_ms;		/* reception timeout of the channel of
					   its last packet, 0: the params' */
	uint8_t		closing;	/* Close Session flag seen */
	uint8_t		complete;	/* newest FDT said Complete */
	uint8_t		full_fdt;	/* newest FDT said FullFDT */
	uint8_t		have_newest;
	uint32_t	newest;		/* newest FDT instance applied */
	uint32_t	gen;
	struct decl	*decls;
	uint32_t	ndecls;
	struct obj	*objs;
	uint32_t	nobjs;
	struct done	*done;
	struct fdtasm	*fdts;
	uint32_t	nfdts;
	struct pgroup	*pend;
	struct applied	*applied;
	uint32_t	napplied;
	struct reasm_sess_counts c;	/* reasm_sstat.c */
};

struct reasm {
	struct reasm_params	p;
	const struct obj_sink	*sink;
	struct reasm_stats	st;
	struct sess		*sessions;
	struct ppkt		*aged;
	uint64_t		seq;
};

typedef int (*put_fn)(struct reasm *r, void *ctx, uint64_t off,
    const uint8_t *p, size_t n);

/*
 * reasm_sstat.c: per-session counters.  The global counters a session's
 * work moves are read before it (reasm_sc_begin) and the difference goes
 * to the session after it (reasm_sc_end), so the code that counts needs
 * no session at hand.
 */
struct reasm_sc_mark {
	struct reasm_sess_counts c;
};

void	reasm_sc_begin(const struct reasm *r, struct reasm_sc_mark *m);
void	reasm_sc_end(const struct reasm *r, struct sess *s,
	    const struct reasm_sc_mark *m);


/* now - then, or 0 if the clock went backwards. */
static inline uint64_t
reasm_age(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

/* How long an applied FDT instance is skipped before it is parsed again. */
static inline uint64_t
reasm_reparse_ms(const struct reasm *r)
{
	uint64_t t = r->p.object_timeout_ms;

	if (r->p.done_ms < t)
		t = r->p.done_ms;
	return t / 4;
}

/* 1 for TOI (or TSI) 0. */
static inline int
reasm_id_is_zero(const struct alc_id *id)
{
	return id->hi == 0 && id->lo == 0;
}

/* reasm_trk.c: symbol tracking. */

/* Set up t for partition p; 0, or -1 if out of bounds or ENOMEM. */
int	reasm_trk_setup(struct symtrack *t, const struct fec_part *p);
/* Set up t for an object of len bytes; 0, or -1 if out of bounds/ENOMEM. */
int	reasm_trk_init(struct symtrack *t, uint64_t len, uint32_t e,
	    uint32_t b);
/* Free t's bitmaps (t itself belongs to the caller). */
void	reasm_trk_free(struct symtrack *t);
/* Whole symbols in a payload at (sbn, esi), or -1 unless it fits exactly. */
long	reasm_trk_count(const struct symtrack *t, uint32_t sbn, uint32_t esi,
	    size_t len);
/* Record k counted symbols, new runs go to put(); 0, or -1 if put failed. */
int	reasm_trk_add(struct reasm *r, struct symtrack *t,
	    const struct pinfo *pi, long k, put_fn put, void *ctx);

/* reasm.c: done markers and objects. */

/* put_fn of objects: stage n bytes at off through the sink; 0 or -1. */
int	reasm_obj_put(struct reasm *r, void *ctx, uint64_t off,
	    const uint8_t *p, size_t n);
/* The done marker of toi in s, or NULL. */
struct done *reasm_done_find(struct sess *s, const struct alc_id *toi);
/* Mark toi done (its repeats are ignored); silently not on ENOMEM. */
void	reasm_done_add(struct sess *s, struct alc_id toi, uint64_t now);
/* Forget a done marker (the next carousel cycle is received again). */
void	reasm_done_del(struct sess *s, struct done *d);
/* What a commit of dc's object of len bytes tells the sink. */
void	reasm_meta_make(struct obj_meta *m, const struct sess *s,
	    const struct decl *dc, uint64_t len);
/* Free o (its handle is the sink's now) and release its in-flight bytes. */
void	reasm_obj_free(struct reasm *r, struct sess *s, struct obj *o);
/* Abort o in the sink with reason why, then free it. */
void	reasm_obj_abort(struct reasm *r, struct sess *s, struct obj *o,
	    enum obj_abort_reason why);
/* Feed one packet to o; 1 if it completed (and is gone), 0, or -1. */
int	reasm_obj_feed(struct reasm *r, struct sess *s, struct obj *o,
	    const struct pinfo *pi, uint64_t now);
/* Open dc's object: 1 open, 0 done at once, -2 geometry unknown, -1. */
int	reasm_obj_start(struct reasm *r, struct sess *s, struct decl *dc,
	    const struct pinfo *hint, uint64_t now);

/* reasm_pend.c: packets before their FDT. */

/* The group of packets buffered for toi in s, or NULL. */
struct pgroup *reasm_pend_find(struct sess *s, const struct alc_id *toi);
/* Free one buffered packet (and its group when it was the last). */
void	reasm_pend_drop(struct reasm *r, struct ppkt *pp);
/* Free every packet of g and g itself; count them as dropped if count. */
void	reasm_pend_discard(struct reasm *r, struct pgroup *g, int count);
/* Buffer a packet of a TOI no FDT has declared yet; 0, or -1 (dropped). */
int	reasm_pend_add(struct reasm *r, struct sess *s,
	    const struct alc_id *toi, const struct pinfo *pi, uint64_t now);
/* Start dc's object and replay its buffered packets; 0, -1 or -2. */
int	reasm_obj_open(struct reasm *r, struct sess *s, struct decl *dc,
	    const struct pinfo *pi, uint64_t now);

/* reasm_fdt.c: declarations and FDT instances. */

/* The declaration of toi in s, or NULL. */
struct decl *reasm_decl_find(struct sess *s, const struct alc_id *toi);
/* Drop a declaration and abort its object; counted if never received. */
void	reasm_decl_drop(struct reasm *r, struct sess *s, struct decl *dc,
	    int count);
/* Free an FDT instance in reassembly and release its in-flight bytes. */
void	reasm_fdtasm_free(struct reasm *r, struct sess *s, struct fdtasm *fa);
/* Forget that an FDT instance was applied. */
void	reasm_applied_del(struct sess *s, struct applied *a);
/* A packet of TOI 0 (an FDT instance); 0, or -1 when dropped. */
int	reasm_fdt_input(struct reasm *r, struct sess *s,
	    const struct alc_pkt *pkt, const struct pinfo *pi, uint64_t now,
	    int64_t now_unix);

/* reasm_fec.c: objects of FEI 5 (Reed-Solomon) and 6 (RaptorQ). */

/* The FEI of dc's object opened on hint (NULL: the FDT's); -1 mismatch. */
int	reasm_fec_fei(struct reasm *r, const struct decl *dc,
	    const struct pinfo *hint);
/* Partition o (FEI 5 or 6) and set up o->fec; 0, -1 refused, -2 unknown. */
int	reasm_fec_init(struct reasm *r, struct obj *o, uint8_t fei,
	    const struct decl *dc, const struct pinfo *hint, uint64_t len,
	    uint32_t e, uint32_t b);
/* Does o decode FEC (a FEC object with a usable codec)? */
int	reasm_fec_decodes(const struct obj *o);
/* Free o's FEC state (repair symbols held); o->fec may be NULL. */
void	reasm_fec_free(struct reasm *r, struct obj *o);
/* Source symbols in pi for FEC object o, or -1 unless pi fits exactly. */
long	reasm_fec_count(const struct obj *o, const struct pinfo *pi);
/* Take pi's symbols (counted) and decode what they allow; 0, -1 sink error. */
int	reasm_fec_add(struct reasm *r, struct obj *o, const struct pinfo *pi);

/* reasm_repair.c: unicast repair triggers (sink repair and announce ops). */

/* Hand incomplete o to repair for why; 1 when taken (o is gone), else 0. */
int	reasm_repair_obj(struct reasm *r, struct sess *s, struct obj *o,
	    enum obj_repair_trigger why, uint64_t now);
/* dc's object was fed a Close Object packet and is incomplete: repair. */
void	reasm_repair_closed(struct reasm *r, struct sess *s, struct decl *dc,
	    uint64_t now);
/* EXPIRED or TIMEOUT due for o (expiry tick)?  1 when taken (o is gone). */
int	reasm_repair_tick(struct reasm *r, struct sess *s, struct obj *o,
	    uint64_t now);
/* dc was declared, never started, and expires: repair it whole (h NULL). */
void	reasm_repair_decl(struct reasm *r, struct sess *s, struct decl *dc,
	    uint64_t now);
/* Tell the sink (announce op) that dc declares a new object. */
void	reasm_announce(struct reasm *r, const struct sess *s,
	    const struct decl *dc);
/* Packets of dc's object are arriving: tell the sink (rate-limited). */
void	reasm_receiving(struct reasm *r, const struct sess *s,
	    struct decl *dc, uint64_t now);

#endif
