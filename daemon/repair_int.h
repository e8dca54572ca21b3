/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repair_int.h: what the files of the repair module share and nobody else
 * may use.  repair_mp.c holds the pure parsers of repair answers (HTTP
 * header values and the multipart/byteranges body, fed in pieces as curl
 * delivers it, so no answer is ever held whole in memory).
 */
#ifndef NIPCACHE_REPAIR_INT_H
#define NIPCACHE_REPAIR_INT_H

#include <stddef.h>
#include <stdint.h>

#include "repair.h"

/*
 * "bytes FIRST-LAST/TOTAL" (TOTAL may be "*": *total = UINT64_MAX).
 * 0, or -1 if malformed or FIRST > LAST or LAST >= TOTAL.
 */
int	repair_content_range(const char *v, uint64_t *first, uint64_t *last,
	    uint64_t *total);
/*
 * The boundary of a "multipart/byteranges; boundary=..." Content-Type
 * (quoted or not, 1..70 characters per RFC 2046).  0, or -1 if the type
 * is not multipart/byteranges or has no valid boundary.
 */
int	repair_mp_boundary(const char *ctype, char *out, size_t len);
/*
 * The sha-256 value of a Content-Digest or Repr-Digest field (RFC 9530
 * "sha-256=:BASE64:", among other algorithms, any order).  1 found, 0 no
 * sha-256 member, -1 malformed.
 */
int	repair_digest_sha256(const char *v, uint8_t out[32]);
/* A Content-MD5 value (base64 of 16 bytes).  0, or -1. */
int	repair_content_md5(const char *v, uint8_t out[16]);

/* Called for each byte run of a part: its offset in the object and bytes. */
typedef int (*repair_mp_fn)(void *arg, uint64_t off, const uint8_t *p,
    size_t n);

#define REPAIR_MP_HDR_MAX	1024	/* part header block bound */

/* Streaming multipart/byteranges parser (one per answer, caller-owned). */
struct repair_mp {
	char		boundary[80];
	size_t		blen;
	int		state;		/* private */
	char		hdr[REPAIR_MP_HDR_MAX];
	size_t		hlen;
	uint64_t	off;		/* object offset of the next body byte */
	uint64_t	left;		/* body bytes left in this part */
	uint64_t	total;		/* from the parts' Content-Range */
	uint32_t	parts;		/* parts completed */
	size_t		match;		/* boundary bytes matched (private) */
	char		err[96];	/* why it failed */
};

/* Start parsing an answer with this boundary.  0, or -1 if too long. */
int	repair_mp_init(struct repair_mp *m, const char *boundary);
/*
 * Feed the next n bytes of the body.  fn gets each part's bytes (a part
 * may come in several runs) at its Content-Range offset.  0, or -1 when
 * the body is malformed (m->err says why) or fn returned < 0.  Preamble
 * and epilogue are ignored; a part without a valid Content-Range, a part
 * body longer or shorter than its range, or a header block over
 * REPAIR_MP_HDR_MAX is malformed.
 */
int	repair_mp_feed(struct repair_mp *m, const uint8_t *p, size_t n,
	    repair_mp_fn fn, void *arg);
/* 0 if the closing boundary was seen (every part complete), else -1. */
int	repair_mp_finish(struct repair_mp *m);

#endif
