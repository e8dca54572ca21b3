/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repair_mp_harness.h: shared harness for the multipart/byteranges
 * parser tests (test_repair_mp.c, test_repair_mp_hostile.c): an object of
 * pseudo-random bytes with delimiters planted in it, the body styles that
 * carry parts of it, and a receiver that records what the parser hands
 * up.  Every piece is fed from its own exact-size heap copy, so that a
 * read past it is caught by AddressSanitizer.  Each binary runs setup
 * first.
 *
 * Everything is static: each test binary includes this header once.
 * Both files call every helper; a helper only one of them uses belongs
 * in that file, or the other fails -Wunused-function under -Werror.
 */
#ifndef NIPCACHE_REPAIR_MP_HARNESS_H
#define NIPCACHE_REPAIR_MP_HARNESS_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../daemon/repair_int.h"
#include "test.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The multipart parser, with an in-memory object as the receiver. */

#define OBJ_LEN		700
#define BODY_MAX	8192
#define BND		"XyZ 3d6b'()+_,-./:=?"

struct range {
	uint64_t first, last;
};

static const struct range parts4[] = {
	{ 0, 99 }, { 150, 150 }, { 200, 399 }, { 690, 699 },
};
static const struct range parts_unsorted[] = {
	{ 400, 419 }, { 0, 9 }, { 10, 10 },
};

/* How a body is written: line ends, preamble, spelling, extras. */
struct style {
	const char	*eol, *pre, *epi, *crname, *extra, *pad;
	int		star;
	const struct range *r;
	size_t		nr;
};

static const struct style styles[] = {
	{ "\r\n", "", "", "Content-Range", "", "", 0, parts4, NELEM(parts4) },
	{ "\n", "", "\n", "content-range", "", "", 0, parts4, NELEM(parts4) },
	{ "\r\n", "preamble -- --XyZ\r\n-\r\n--Xy\r\n\r\n", "\r\nepilogue\r\n--"
	    BND "\r\nContent-Range: junk\r\n", "CONTENT-RANGE",
	    "Content-Type: video/mp4\r\nX-A:\r\n", " \t ", 1, parts4,
	    NELEM(parts4) },
	{ "\n", "\n", "", "Content-range", "content-type:text/plain\n", "", 0,
	    parts_unsorted, NELEM(parts_unsorted) },
	{ "\r\n", "", "\r\n", "Content-Range", "", "", 0, parts4, 1 },
};

static uint8_t object[OBJ_LEN];

/* The object: pseudo-random bytes with delimiters planted in it. */
static void
object_fill(void)
{
	static const char plant[] = "\r\n--" BND "--\r\n\n--" BND "\r\n";
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t i;

	for (i = 0; i < OBJ_LEN; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		object[i] = (uint8_t)x;
	}
	for (i = 0; i + sizeof(plant) < OBJ_LEN; i += 97)
		memcpy(object + i, plant, sizeof(plant) - 1);
}

struct buf {
	uint8_t	p[BODY_MAX];
	size_t	len;
};

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > sizeof(b->p))
		abort();	/* a bug in the test */
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		abort();
	buf_add(b, tmp, (size_t)n);
}

/* A multipart/byteranges body of object in style st. */
static void
body_make(struct buf *b, const struct style *st)
{
	size_t i;

	b->len = 0;
	buf_printf(b, "%s", st->pre);
	for (i = 0; i < st->nr; i++) {
		const struct range *r = &st->r[i];

		buf_printf(b, "%s--%s%s%s%s%s: bytes %llu-%llu/", i ? st->eol :
		    "", BND, st->pad, st->eol, st->extra, st->crname,
		    (unsigned long long)r->first, (unsigned long long)r->last);
		if (st->star)
			buf_printf(b, "*%s%s", st->eol, st->eol);
		else
			buf_printf(b, "%d%s%s", OBJ_LEN, st->eol, st->eol);
		buf_add(b, object + r->first, (size_t)(r->last - r->first + 1));
	}
	buf_printf(b, "%s--%s--%s", st->eol, BND, st->epi);
}

/* What the receiver saw, and whether the parser misbehaved. */
struct rx {
	uint8_t		obj[OBJ_LEN];
	uint8_t		got[OBJ_LEN];
	const uint8_t	*piece;		/* the buffer being fed */
	size_t		plen;
	uint64_t	hash;		/* of every (offset, byte) handed up */
	uint64_t	bytes;
	unsigned	bad;		/* runs outside the buffer or ranges */
	int		refuse_at;	/* return -1 at this call; 0: never */
	int		calls;
	const struct range *decl;	/* declared ranges (mutations) */
	size_t		ndecl;
};

static int
rx_fn(void *arg, uint64_t off, const uint8_t *p, size_t n)
{
	struct rx *rx = arg;
	size_t i;

	rx->calls++;
	if (n == 0 || p < rx->piece || p + n > rx->piece + rx->plen ||
	    off + n < off) {
		rx->bad++;
		return 0;
	}
	if (rx->decl != NULL) {
		for (i = 0; i < rx->ndecl; i++)
			if (off >= rx->decl[i].first &&
			    off + n - 1 <= rx->decl[i].last)
				break;
		if (i == rx->ndecl)
			rx->bad++;
	}
	for (i = 0; i < n; i++) {
		rx->hash = (rx->hash ^ (off + i)) * 0x100000001b3ULL;
		rx->hash = (rx->hash ^ p[i]) * 0x100000001b3ULL;
		if (off + i < OBJ_LEN) {
			rx->obj[off + i] = p[i];
			rx->got[off + i]++;
		}
	}
	rx->bytes += n;
	return rx->refuse_at == rx->calls ? -1 : 0;
}

/* Feed n bytes from an exact-size heap copy; the feed's result. */
static int
feed_copy(struct repair_mp *m, const uint8_t *p, size_t n, struct rx *rx)
{
	uint8_t *c = malloc(n ? n : 1);
	int r;

	if (c == NULL)
		abort();
	memcpy(c, p, n);
	rx->piece = c;
	rx->plen = n;
	r = repair_mp_feed(m, c, n, rx_fn, rx);
	free(c);
	return r;
}

/* Fill the object: each binary runs this case first. */
static void
setup(void)
{
	object_fill();
}

#endif
