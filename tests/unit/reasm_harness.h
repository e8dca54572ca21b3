/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reasm_harness.h: shared harness for the FLUTE reassembly tests
 * (test_reasm.c, test_reasm_fdt.c).  Each packet is built here byte by
 * byte (LCT with 4-byte TSI/TOI, EXT_FDT, EXT_FTI, EXT_CENC, FEI 0 payload
 * ID), parsed by alc_parse and fed to reasm_input; a recording sink checks
 * that every byte is written exactly once, reads back only bytes written
 * (FEC decoding) and keeps a copy of what was committed.  Block partitioning is recomputed here independently of
 * fec.c.  Randomness is seeded.
 *
 * Everything is static: each test binary includes this header once.
 * Both files call every helper today; a helper only one of them uses must
 * be marked __attribute__((unused)), or the other fails -Wunused-function
 * under -Werror.
 */
#ifndef NIPCACHE_REASM_HARNESS_H
#define NIPCACHE_REASM_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <zlib.h>

#include "test.h"
#include "testutil.h"
#include "../../carousel/alc.h"
#include "../../carousel/fdt.h"
#include "../../carousel/reasm.h"

#define NTP_OFFSET	2208988800LL
#define NOW_UNIX	1700000000LL
#define MAXREC		1024
#define MAXPL		(256 << 10)


/* ---- Recording sink. ---- */

struct handle {
	struct obj_key	key;
	uint64_t	len;
	uint8_t		*buf;
	uint8_t		*wcount;	/* writes per byte */
};

struct commit {
	struct obj_key	key;
	char		location[256];
	int64_t		content_length;
	uint64_t	len;
	uint64_t	seq;
	uint8_t		*data;
	int		exact;		/* every byte written exactly once */
};

struct tsink {
	struct obj_sink	ops;
	int		begins;
	int		live;
	int		bad_writes;
	int		fail_writes;	/* make this many writes fail */
	int		reads;		/* read() calls */
	int		aborts[OBJ_ABORT_NREASONS];
	int		ncommits;
	struct commit	c[MAXREC];
};

static void *
ts_begin(void *ctx, const struct obj_key *key, uint64_t len)
{
	struct tsink *ts = ctx;
	struct handle *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->key = *key;
	h->len = len;
	h->buf = calloc(len + 1, 1);
	h->wcount = calloc(len + 1, 1);
	ts->begins++;
	ts->live++;
	return h;
}

static int
ts_write(void *ctx, void *hv, uint64_t off, const void *buf, size_t len)
{
	struct tsink *ts = ctx;
	struct handle *h = hv;
	size_t i;

	if (ts->fail_writes > 0) {
		ts->fail_writes--;
		return -1;
	}
	if (off > h->len || len > h->len - off || len == 0) {
		ts->bad_writes++;
		return -1;
	}
	memcpy(h->buf + off, buf, len);
	for (i = 0; i < len; i++)
		h->wcount[off + i]++;
	return 0;
}

/* Read back what was written (FEC decoding); unwritten bytes are refused. */
static int
ts_read(void *ctx, void *hv, uint64_t off, void *buf, size_t len)
{
	struct tsink *ts = ctx;
	struct handle *h = hv;
	size_t i;

	ts->reads++;
	if (off > h->len || len > h->len - off) {
		ts->bad_writes++;
		return -1;
	}
	for (i = 0; i < len; i++)
		if (h->wcount[off + i] == 0) {
			ts->bad_writes++;
			return -1;
		}
	memcpy(buf, h->buf + off, len);
	return 0;
}

static void
ts_release(struct tsink *ts, struct handle *h)
{
	ts->live--;
	free(h->buf);
	free(h->wcount);
	free(h);
}

static void
ts_commit(void *ctx, void *hv, const struct obj_meta *m)
{
	struct tsink *ts = ctx;
	struct handle *h = hv;
	struct commit *c;
	uint64_t i;

	if (ts->ncommits < MAXREC) {
		c = &ts->c[ts->ncommits++];
		c->key = m->key;
		snprintf(c->location, sizeof(c->location), "%s",
		    m->location ? m->location : "");
		c->content_length = m->content_length;
		c->len = m->transfer_length;
		c->seq = m->seq;
		c->exact = m->transfer_length == h->len;
		for (i = 0; i < h->len; i++)
			if (h->wcount[i] != 1)
				c->exact = 0;
		c->data = h->buf;
		h->buf = NULL;
	}
	ts_release(ts, h);
}

static void
ts_abort(void *ctx, void *hv, enum obj_abort_reason why)
{
	struct tsink *ts = ctx;

	ts->aborts[why]++;
	ts_release(ts, hv);
}

/* Commits of (tsi, toi); *last gets the newest. */
static int
commits_of(const struct tsink *ts, uint32_t tsi, uint32_t toi,
    const struct commit **last)
{
	int i, n = 0;

	for (i = 0; i < ts->ncommits; i++)
		if (ts->c[i].key.tsi.lo == tsi && ts->c[i].key.toi.lo == toi) {
			n++;
			if (last != NULL)
				*last = &ts->c[i];
		}
	return n;
}

/* ---- Test context. ---- */

struct tctx {
	struct reasm		*r;
	struct tsink		ts;
	struct reasm_chan	chan;
	uint64_t		now;
	int64_t			now_unix;
};

static struct tctx *
tctx_new(const struct reasm_params *p)
{
	struct tctx *t = calloc(1, sizeof(*t));
	struct reasm_params def;

	if (t == NULL)
		return NULL;
	reasm_params_default(&def);
	t->ts.ops.ctx = &t->ts;
	t->ts.ops.begin = ts_begin;
	t->ts.ops.write = ts_write;
	t->ts.ops.commit = ts_commit;
	t->ts.ops.abort = ts_abort;
	t->ts.ops.read = ts_read;
	t->chan.family = AF_INET;
	memcpy(t->chan.src, "\x0a\x00\x00\x01", 4);
	memcpy(t->chan.dst, "\xe0\x00\x17\x0e", 4);
	t->chan.port = 3937;
	t->now = 1000000;
	t->now_unix = NOW_UNIX;
	t->r = reasm_new(p ? p : &def, &t->ts.ops);
	if (t->r == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

static struct reasm_stats
stats(const struct tctx *t)
{
	struct reasm_stats st;

	reasm_get_stats(t->r, &st);
	return st;
}

/* Free everything; nothing may stay staged. */
static void
tctx_free(struct tctx *t)
{
	int i;

	reasm_free(t->r);
	CHECK_EQ_U(t->ts.live, 0);
	CHECK_EQ_U(t->ts.bad_writes, 0);
	for (i = 0; i < t->ts.ncommits; i++)
		free(t->ts.c[i].data);
	free(t);
}

/* ---- Packet builder. ---- */

struct pspec {
	uint32_t	tsi, toi;
	uint8_t		cp, a, b;
	int		fdt;
	uint32_t	fdt_id;
	int		cenc;
	uint8_t		cenc_v;
	int		fti;
	uint64_t	l;
	uint16_t	e;
	uint32_t	blen;
	int		nofpi;
	uint16_t	sbn, esi;
	const uint8_t	*pl;
	size_t		len;
};

static size_t
pkt_build(const struct pspec *s, uint8_t *out)
{
	size_t n = 16;

	out[0] = 0x10;
	out[1] = (uint8_t)(0xa0 | s->a << 1 | s->b);
	out[3] = s->cp;
	put32(out + 4, 0);
	put32(out + 8, s->tsi);
	put32(out + 12, s->toi);
	if (s->fdt) {
		out[n] = 0xc0;
		out[n + 1] = (uint8_t)(0x10 | ((s->fdt_id >> 16) & 0xf));
		put16(out + n + 2, s->fdt_id & 0xffff);
		n += 4;
	}
	if (s->cenc) {
		memcpy(out + n, "\xc1\x00\x00\x00", 4);
		out[n + 1] = s->cenc_v;
		n += 4;
	}
	if (s->fti) {
		out[n] = 0x40;
		out[n + 1] = 4;
		put16(out + n + 2, (uint32_t)(s->l >> 32));
		put32(out + n + 4, (uint32_t)s->l);
		put16(out + n + 8, 0);
		put16(out + n + 10, s->e);
		put32(out + n + 12, s->blen);
		n += 16;
	}
	out[2] = (uint8_t)(n / 4);
	if (!s->nofpi) {
		put16(out + n, s->sbn);
		put16(out + n + 2, s->esi);
		n += 4;
		if (s->len)
			memcpy(out + n, s->pl, s->len);
		n += s->len;
	}
	return n;
}

static uint8_t pktbuf[MAXPL + 64];

/* Build, parse and feed one packet; the reasm_input result. */
static int
feed(struct tctx *t, const struct pspec *s)
{
	size_t n = pkt_build(s, pktbuf);
	struct alc_pkt p;
	int rc = alc_parse(pktbuf, n, &p);

	CHECK(rc == 0);
	if (rc != 0)
		return -99;
	return reasm_input(t->r, &t->chan, &p, t->now, t->now_unix);
}

/* ---- RFC 5052 9.1, independently of fec.c. ---- */

struct tpart {
	uint64_t	t;
	uint32_t	n, al, as, il, e;
	uint64_t	len;
};

static void
tpart(uint64_t len, uint32_t e, uint32_t b, struct tpart *p)
{
	memset(p, 0, sizeof(*p));
	p->len = len;
	p->e = e;
	p->t = (len + e - 1) / e;
	if (p->t == 0)
		return;
	p->n = (uint32_t)((p->t + b - 1) / b);
	p->al = (uint32_t)((p->t + p->n - 1) / p->n);
	p->as = (uint32_t)(p->t / p->n);
	p->il = (uint32_t)(p->t - (uint64_t)p->as * p->n);
}

static uint32_t
tblen(const struct tpart *p, uint32_t sbn)
{
	return sbn < p->il ? p->al : p->as;
}

static uint64_t
toff(const struct tpart *p, uint32_t sbn, uint32_t esi)
{
	uint64_t i = sbn < p->il ? (uint64_t)sbn * p->al + esi :
	    (uint64_t)p->il * p->al + (uint64_t)(sbn - p->il) * p->as + esi;

	return i * p->e;
}

/* ---- Objects and their packets. ---- */

struct tobj {
	uint32_t	tsi, toi;
	char		loc[64];
	uint64_t	len;
	uint16_t	e;
	uint32_t	b;
	uint8_t		*data;
	int		fdt_oti;	/* FDT gives E and B */
	int		fdt_tl;		/* FDT gives Transfer-Length */
	int		pkt_fti;	/* data packets carry EXT_FTI */
};

struct tpkt {
	const struct tobj *o;
	uint16_t	sbn, esi;
	uint64_t	off;
	size_t		len;
};

static void
tobj_init(struct tobj *o, uint32_t tsi, uint32_t toi, uint64_t len,
    uint16_t e, uint32_t b)
{
	uint64_t i;

	memset(o, 0, sizeof(*o));
	o->tsi = tsi;
	o->toi = toi;
	o->len = len;
	o->e = e;
	o->b = b;
	o->fdt_oti = 1;
	o->fdt_tl = 1;
	snprintf(o->loc, sizeof(o->loc), "http://dvb.gw/s%u/o%u.bin", tsi, toi);
	o->data = malloc(len + 1);
	for (i = 0; i < len; i++)
		o->data[i] = (uint8_t)rng();
}

/* Packets of k <= maxk consecutive symbols of one block; returns count. */
static size_t
obj_packets(const struct tobj *o, uint32_t maxk, struct tpkt *out,
    size_t max)
{
	struct tpart p;
	size_t n = 0;
	uint32_t sbn, esi, k;

	tpart(o->len, o->e, o->b, &p);
	for (sbn = 0; sbn < p.n; sbn++)
		for (esi = 0; esi < tblen(&p, sbn) && n < max; esi += k) {
			k = 1 + rng_below(maxk);
			if (esi + k > tblen(&p, sbn))
				k = tblen(&p, sbn) - esi;
			out[n].o = o;
			out[n].sbn = (uint16_t)sbn;
			out[n].esi = (uint16_t)esi;
			out[n].off = toff(&p, sbn, esi);
			out[n].len = (size_t)(o->len - out[n].off <
			    (uint64_t)k * o->e ? o->len - out[n].off :
			    (uint64_t)k * o->e);
			n++;
		}
	return n;
}

static int
feed_tpkt(struct tctx *t, const struct tpkt *tp)
{
	struct pspec s;

	memset(&s, 0, sizeof(s));
	s.tsi = tp->o->tsi;
	s.toi = tp->o->toi;
	s.fti = tp->o->pkt_fti;
	s.l = tp->o->len;
	s.e = tp->o->e;
	s.blen = tp->o->b;
	s.sbn = tp->sbn;
	s.esi = tp->esi;
	s.pl = tp->o->data + tp->off;
	s.len = tp->len;
	return feed(t, &s);
}

/*
 * Feed pkts in random order, each dropped with drop_pct and repeated with
 * dup_pct.  Returns how many were dropped.
 */
static TESTUTIL_UNUSED size_t
send_pkts(struct tctx *t, const struct tpkt *pkts, size_t n,
    uint32_t dup_pct, uint32_t drop_pct)
{
	size_t *ord = malloc((2 * n + 1) * sizeof(*ord));
	size_t m = 0, i, j, tmp, dropped = 0;

	for (i = 0; i < n; i++) {
		if (rng_below(100) < drop_pct) {
			dropped++;
			continue;
		}
		ord[m++] = i;
		if (rng_below(100) < dup_pct)
			ord[m++] = i;
	}
	for (i = m; i > 1; i--) {
		j = rng_below((uint32_t)i);
		tmp = ord[i - 1];
		ord[i - 1] = ord[j];
		ord[j] = tmp;
	}
	for (i = 0; i < m; i++) {
		CHECK(feed_tpkt(t, &pkts[ord[i]]) == 0);
		t->now++;
	}
	free(ord);
	return dropped;
}

/* All packets of one object, in order, no loss. */
static void
send_obj(struct tctx *t, const struct tobj *o)
{
	struct tpkt *p = malloc(4096 * sizeof(*p));
	size_t n = obj_packets(o, 1, p, 4096), i;

	for (i = 0; i < n; i++)
		(void)feed_tpkt(t, &p[i]);
	free(p);
}

/* The committed copy of o matches it exactly, committed once. */
static void
check_obj(const struct tctx *t, const struct tobj *o)
{
	const struct commit *c = NULL;

	CHECK_EQ_U(commits_of(&t->ts, o->tsi, o->toi, &c), 1);
	if (c == NULL)
		return;
	CHECK_EQ_U(c->len, o->len);
	CHECK(c->exact);
	CHECK(strcmp(c->location, o->loc) == 0);
	CHECK_EQ_U(c->content_length, o->len);
	CHECK(c->seq > 0);
	CHECK(o->len == 0 || memcmp(c->data, o->data, o->len) == 0);
}

/* ---- FDT instances. ---- */

/* FDT XML declaring objs; extra goes into the FDT-Instance tag. */
static char *
fdt_xml(struct tobj **objs, size_t n, int64_t expires_delta, const char *extra,
    size_t *len)
{
	size_t cap = 512 + n * 400, off;
	char *x = malloc(cap);
	size_t i;

	off = (size_t)snprintf(x, cap, "<?xml version=\"1.0\" encoding=\"UTF-8\""
	    "?>\n<FDT-Instance xmlns=\"urn:IETF:metadata:2005:FLUTE:FDT\" "
	    "xmlns:mbms2008=\"urn:3GPP:metadata:2008:MBMS:FLUTE:FDT_ext\" "
	    "Expires=\"%lld\" %s>\n", (long long)(NOW_UNIX + NTP_OFFSET +
	    expires_delta), extra ? extra : "");
	for (i = 0; i < n; i++) {
		const struct tobj *o = objs[i];

		off += (size_t)snprintf(x + off, cap - off, "<File TOI=\"%u\" "
		    "Content-Location=\"%s\" Content-Length=\"%llu\"", o->toi,
		    o->loc, (unsigned long long)o->len);
		if (o->fdt_tl)
			off += (size_t)snprintf(x + off, cap - off,
			    " Transfer-Length=\"%llu\"",
			    (unsigned long long)o->len);
		if (o->fdt_oti)
			off += (size_t)snprintf(x + off, cap - off,
			    " FEC-OTI-Encoding-Symbol-Length=\"%u\""
			    " FEC-OTI-Maximum-Source-Block-Length=\"%u\"",
			    o->e, o->b);
		off += (size_t)snprintf(x + off, cap - off, "/>\n");
	}
	off += (size_t)snprintf(x + off, cap - off, "</FDT-Instance>\n");
	*len = off;
	return x;
}

/* zlib (1), raw DEFLATE (2) or gzip (3) of in; malloc'ed. */
static uint8_t *
squash(const uint8_t *in, size_t len, int cenc, size_t *outlen)
{
	int wbits = cenc == 1 ? 15 : cenc == 2 ? -15 : 31;
	z_stream zs;
	uint8_t *out;
	size_t cap;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 9, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return NULL;
	cap = deflateBound(&zs, (uLong)len) + 64;
	out = malloc(cap);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
		free(out);
		out = NULL;
	}
	*outlen = zs.total_out;
	deflateEnd(&zs);
	return out;
}

/*
 * Send one FDT instance: symbols of e bytes, blocks of b, shuffled, one
 * symbol per packet; cenc < 0 means no EXT_CENC.
 */
static void
send_fdt_raw(struct tctx *t, uint32_t tsi, uint32_t id, const uint8_t *body,
    size_t len, int cenc, uint16_t e, uint32_t b)
{
	struct tpkt *p = malloc(((len / e) + 2) * sizeof(*p));
	struct tobj o;
	size_t n, i, j;
	struct tpkt tmp;
	struct pspec s;

	memset(&o, 0, sizeof(o));
	o.len = len;
	o.e = e;
	o.b = b;
	o.data = (uint8_t *)(uintptr_t)body;
	n = obj_packets(&o, 1, p, (len / e) + 2);
	for (i = n; i > 1; i--) {
		j = rng_below((uint32_t)i);
		tmp = p[i - 1];
		p[i - 1] = p[j];
		p[j] = tmp;
	}
	for (i = 0; i < n; i++) {
		memset(&s, 0, sizeof(s));
		s.tsi = tsi;
		s.fdt = 1;
		s.fdt_id = id;
		s.cenc = cenc >= 0;
		s.cenc_v = (uint8_t)(cenc >= 0 ? cenc : 0);
		s.fti = 1;
		s.l = len;
		s.e = e;
		s.blen = b;
		s.sbn = p[i].sbn;
		s.esi = p[i].esi;
		s.pl = body + p[i].off;
		s.len = p[i].len;
		(void)feed(t, &s);
		t->now++;
	}
	free(p);
}

/* Declare objs in FDT instance id (plain or with content encoding cenc). */
static void
send_fdt(struct tctx *t, uint32_t tsi, uint32_t id, struct tobj **objs,
    size_t n, int cenc, const char *extra)
{
	size_t len, zlen;
	char *x = fdt_xml(objs, n, -3600, extra, &len);
	uint8_t *z;

	if (cenc > 0) {
		z = squash((const uint8_t *)x, len, cenc, &zlen);
		REQUIRE(z != NULL);
		send_fdt_raw(t, tsi, id, z, zlen, cenc, 97, 4);
		free(z);
	} else {
		send_fdt_raw(t, tsi, id, (const uint8_t *)x, len, -1, 500, 4);
	}
	free(x);
}

static void
tobjs_free(struct tobj *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(o[i].data);
}

#endif
