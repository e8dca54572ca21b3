/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_reasm.c: FLUTE reassembly through real packets.  Each packet is
 * built here byte by byte (LCT with 4-byte TSI/TOI, EXT_FDT, EXT_FTI,
 * EXT_CENC, FEI 0 payload ID), parsed by alc_parse and fed to reasm_input;
 * a recording sink checks that every byte is written exactly once and
 * keeps a copy of what was committed.  Block partitioning is recomputed
 * here independently of fec.c.  Randomness is seeded.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <zlib.h>

#include "test.h"
#include "../../carousel/alc.h"
#include "../../carousel/fdt.h"
#include "../../carousel/reasm.h"

#define NTP_OFFSET	2208988800LL
#define NOW_UNIX	1700000000LL
#define MAXREC		1024
#define MAXPL		(256 << 10)

/* ---- Seeded xorshift64. ---- */

static uint64_t rng_state;

static void
rng_seed(uint64_t s)
{
	rng_state = s * 0x9E3779B97F4A7C15ULL + 1;
}

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint32_t
rng_below(uint32_t n)
{
	return n ? (uint32_t)(rng() % n) : 0;
}

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

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

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
static size_t
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

/* ---- Cases. ---- */

/*
 * Many sizes around the symbol and block boundaries, several geometries,
 * the OTI in the FDT or on the packets, random order, duplicates and up
 * to four symbols per packet: every object committed once, byte-exact.
 */
static void
test_random_objects(void)
{
	static const uint16_t es[] = { 1, 7, 100, 100, 1428, 512 };
	static const uint32_t bs[] = { 4, 4, 4, 64, 64, 1 };
	struct tobj o[80], *op[80];
	struct tpkt *pk = calloc(200000, sizeof(*pk));
	struct tctx *t = tctx_new(NULL);
	struct reasm_stats st;
	size_t n = 0, np = 0, i, g;

	REQUIRE(t != NULL && pk != NULL);
	rng_seed(1);
	for (g = 0; g < sizeof(es) / sizeof(es[0]); g++) {
		uint64_t e = es[g], be = e * bs[g];
		uint64_t sz[] = { 0, 1, e - 1, e, e + 1, be - 1, be, be + 1,
		    1 + rng_below((uint32_t)(20 * be < 150000 ? 20 * be :
		    150000)), 3 * be + rng_below((uint32_t)be) };

		for (i = 0; i < sizeof(sz) / sizeof(sz[0]); i++) {
			if (i > 0 && sz[i] == 0)
				continue;
			tobj_init(&o[n], 7, (uint32_t)n + 1, sz[i], es[g],
			    bs[g]);
			o[n].fdt_oti = rng_below(2);
			o[n].pkt_fti = !o[n].fdt_oti || rng_below(2);
			o[n].fdt_tl = rng_below(2);
			op[n] = &o[n];
			n++;
		}
	}
	send_fdt(t, 7, 1, op, n, 0, NULL);
	for (i = 0; i < n; i++)
		np += obj_packets(&o[i], 4, pk + np, 200000 - np);
	(void)send_pkts(t, pk, np, 20, 0);
	for (i = 0; i < n; i++)
		check_obj(t, &o[i]);
	st = stats(t);
	CHECK_EQ_U(st.objects_completed, n);
	CHECK_EQ_U(st.objects_started, n);
	CHECK_EQ_U(st.fdt_instances, 1);
	CHECK(st.duplicate_symbols > 0);
	CHECK_EQ_U(st.bad_symbols, 0);
	CHECK_EQ_U(st.objects_now, 0);
	CHECK_EQ_U(st.inflight_bytes_now, 0);
	CHECK_EQ_U(t->ts.begins, n);
	for (i = 0; i + 1 < n; i++)
		CHECK(t->ts.c[i].seq != t->ts.c[i + 1].seq);
	tobjs_free(o, n);
	free(pk);
	tctx_free(t);
}

/* Loss in one cycle, filled by the next; a third cycle is ignored. */
static void
test_cycles(void)
{
	struct tobj o[12], *op[12];
	struct tpkt *pk = calloc(20000, sizeof(*pk));
	struct tctx *t = tctx_new(NULL);
	size_t n = 12, np = 0, i;
	int begins;

	REQUIRE(t != NULL && pk != NULL);
	rng_seed(2);
	for (i = 0; i < n; i++) {
		tobj_init(&o[i], 3, 100 + (uint32_t)i, 500 +
		    rng_below(6000), 100, 4);
		op[i] = &o[i];
	}
	send_fdt(t, 3, 9, op, n, 0, NULL);
	for (i = 0; i < n; i++)
		np += obj_packets(&o[i], 3, pk + np, 20000 - np);
	/* Drop the first packet of every object, plus 30% at random. */
	for (i = 0; i < np; i++)
		if (pk[i].off == 0)
			pk[i].len = 0;
	{
		struct tpkt *keep = malloc(np * sizeof(*keep));
		size_t nk = 0;

		for (i = 0; i < np; i++)
			if (pk[i].len != 0)
				keep[nk++] = pk[i];
		(void)send_pkts(t, keep, nk, 10, 30);
		free(keep);
	}
	CHECK_EQ_U(t->ts.ncommits, 0);
	np = 0;
	for (i = 0; i < n; i++)
		np += obj_packets(&o[i], 2, pk + np, 20000 - np);
	t->now += 1000;
	(void)send_pkts(t, pk, np, 10, 0);
	for (i = 0; i < n; i++)
		check_obj(t, &o[i]);
	begins = t->ts.begins;
	CHECK_EQ_U(begins, n);
	(void)send_pkts(t, pk, np, 0, 0);
	CHECK_EQ_U(t->ts.ncommits, n);
	CHECK_EQ_U(t->ts.begins, begins);
	tobjs_free(o, n);
	free(pk);
	tctx_free(t);
}

/* Packets before their FDT are buffered and replayed; bounds apply. */
static void
test_prefdt(void)
{
	struct tobj o[3], *op[3];
	struct tpkt pk[400];
	struct reasm_params p;
	struct reasm_stats st;
	struct tctx *t = tctx_new(NULL);
	size_t np, i;

	REQUIRE(t != NULL);
	rng_seed(3);
	tobj_init(&o[0], 1, 5, 9000, 100, 4);	/* all before the FDT */
	tobj_init(&o[1], 1, 6, 4000, 64, 8);	/* half before, half after */
	tobj_init(&o[2], 1, 7, 3000, 50, 16);	/* OTI only on the packets */
	o[2].fdt_oti = 0;
	o[2].fdt_tl = 0;
	o[2].pkt_fti = 1;
	for (i = 0; i < 3; i++)
		op[i] = &o[i];
	np = obj_packets(&o[0], 2, pk, 400);
	(void)send_pkts(t, pk, np, 10, 0);
	np = obj_packets(&o[2], 1, pk, 400);
	(void)send_pkts(t, pk, np, 0, 0);
	np = obj_packets(&o[1], 1, pk, 400);
	(void)send_pkts(t, pk, np / 2, 0, 0);
	st = stats(t);
	CHECK(st.prefdt_bytes_now > 12000);
	CHECK_EQ_U(t->ts.begins, 0);
	send_fdt(t, 1, 77, op, 3, 0, NULL);
	(void)send_pkts(t, pk + np / 2, np - np / 2, 0, 0);
	for (i = 0; i < 3; i++)
		check_obj(t, &o[i]);
	st = stats(t);
	CHECK_EQ_U(st.prefdt_bytes_now, 0);
	CHECK_EQ_U(st.prefdt_dropped, 0);
	tctx_free(t);

	/* Byte bound: the oldest are dropped; time bound: all are. */
	reasm_params_default(&p);
	p.prefdt_max_bytes = 3000;
	p.prefdt_ms = 5000;
	REQUIRE((t = tctx_new(&p)) != NULL);
	np = obj_packets(&o[0], 1, pk, 400);
	(void)send_pkts(t, pk, np, 0, 0);
	st = stats(t);
	CHECK(st.prefdt_bytes_now <= 3000 && st.prefdt_bytes_now > 0);
	CHECK(st.prefdt_dropped >= np - 30);
	t->now += 6000;
	reasm_expire(t->r, t->now);
	st = stats(t);
	CHECK_EQ_U(st.prefdt_bytes_now, 0);
	CHECK_EQ_U(st.prefdt_dropped, np);
	send_fdt(t, 1, 77, op, 1, 0, NULL);
	CHECK_EQ_U(t->ts.begins, 0);
	tobjs_free(o, 3);
	tctx_free(t);
}

/* EXT_CENC 1, 2 and 3; a bomb, garbage and an unknown encoding refused. */
static void
test_fdt_cenc(void)
{
	struct tobj o[4], *op[4];
	struct reasm_stats st;
	struct tctx *t;
	char *big;
	uint8_t *z;
	size_t zlen, i;
	int c;

	rng_seed(4);
	for (c = 1; c <= 3; c++) {
		REQUIRE((t = tctx_new(NULL)) != NULL);
		for (i = 0; i < 4; i++) {
			tobj_init(&o[i], 2, 40 + (uint32_t)i, rng_below(3000),
			    100, 4);
			op[i] = &o[i];
		}
		send_fdt(t, 2, 5, op, 4, c, NULL);
		for (i = 0; i < 4; i++) {
			send_obj(t, &o[i]);
			check_obj(t, &o[i]);
		}
		st = stats(t);
		CHECK_EQ_U(st.fdt_instances, 1);
		CHECK_EQ_U(st.fdt_bad, 0);
		tobjs_free(o, 4);
		tctx_free(t);
	}

	REQUIRE((t = tctx_new(NULL)) != NULL);
	/* 5 MiB of blanks compress to a few KiB: beyond FDT_MAX_XML. */
	big = malloc(FDT_MAX_XML + (1 << 20));
	REQUIRE(big != NULL);
	memset(big, ' ', FDT_MAX_XML + (1 << 20));
	memcpy(big, "<FDT-Instance Expires=\"1\">", 26);
	z = squash((uint8_t *)big, FDT_MAX_XML + (1 << 20), 3, &zlen);
	free(big);
	REQUIRE(z != NULL);
	send_fdt_raw(t, 2, 1, z, zlen, 3, 1000, 64);
	CHECK_EQ_U(stats(t).fdt_bad, 1);
	z[zlen / 2] ^= 0x55;	/* corrupt stream */
	memset(z + 10, 0xA5, 20);
	send_fdt_raw(t, 2, 2, z, zlen, 1, 1000, 64);
	CHECK_EQ_U(stats(t).fdt_bad, 2);
	send_fdt_raw(t, 2, 3, z, zlen, 7, 1000, 64);
	CHECK_EQ_U(stats(t).fdt_bad, 3);
	CHECK_EQ_U(stats(t).fdt_instances, 0);
	free(z);
	tctx_free(t);
}

/* Instance IDs wrap: 0 is newer than 0xFFFFF, 0xFFFFE is older. */
static void
test_fdt_wrap(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj o, *op = &o;
	const struct commit *c1 = NULL, *c2 = NULL;
	uint64_t s1;

	REQUIRE(t != NULL);
	rng_seed(5);
	tobj_init(&o, 4, 5, 2500, 100, 4);
	snprintf(o.loc, sizeof(o.loc), "a.m3u8");
	send_fdt(t, 4, 0xFFFFF, &op, 1, 0, NULL);
	send_obj(t, &o);
	CHECK_EQ_U(commits_of(&t->ts, 4, 5, &c1), 1);
	REQUIRE(c1 != NULL);
	CHECK(strcmp(c1->location, "a.m3u8") == 0);
	s1 = c1->seq;

	snprintf(o.loc, sizeof(o.loc), "b.m3u8");
	send_fdt(t, 4, 0, &op, 1, 0, NULL);
	send_obj(t, &o);
	CHECK_EQ_U(commits_of(&t->ts, 4, 5, &c2), 2);
	REQUIRE(c2 != NULL);
	CHECK(strcmp(c2->location, "b.m3u8") == 0);
	CHECK(c2->seq > s1);
	CHECK(memcmp(c2->data, o.data, o.len) == 0);

	/* A late copy of an older instance changes nothing. */
	snprintf(o.loc, sizeof(o.loc), "c.m3u8");
	send_fdt(t, 4, 0xFFFFE, &op, 1, 0, NULL);
	send_obj(t, &o);
	CHECK_EQ_U(commits_of(&t->ts, 4, 5, NULL), 2);
	CHECK_EQ_U(stats(t).fdt_instances, 3);
	/* A repeat of an applied instance is skipped. */
	send_fdt(t, 4, 0, &op, 1, 0, NULL);
	CHECK_EQ_U(stats(t).fdt_instances, 3);

	/*
	 * Once instance 0 is no longer sent, a lower ID is a sender that
	 * restarted its counter: it wins.
	 */
	t->now += 31000;
	send_fdt(t, 4, 0xFFFFE, &op, 1, 0, NULL);
	send_obj(t, &o);
	CHECK_EQ_U(commits_of(&t->ts, 4, 5, &c2), 3);
	REQUIRE(c2 != NULL);
	CHECK(strcmp(c2->location, "c.m3u8") == 0);
	tobjs_free(&o, 1);
	tctx_free(t);
}

/*
 * A newer instance that gives a TOI in flight another location aborts the
 * partial object (superseded); the TOI is then received for the new one.
 * Without packets for done_ms the done-marker goes, and the next cycle
 * (FDT repeated) is committed again.
 */
static void
test_supersede_and_done_expiry(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj o, *op = &o;
	const struct commit *c = NULL;
	struct tpkt pk[100];
	size_t np;

	REQUIRE(t != NULL);
	rng_seed(17);
	tobj_init(&o, 2, 9, 3000, 100, 4);
	snprintf(o.loc, sizeof(o.loc), "old");
	send_fdt(t, 2, 1, &op, 1, 0, NULL);
	np = obj_packets(&o, 1, pk, 100);
	(void)send_pkts(t, pk, np / 2, 0, 0);
	snprintf(o.loc, sizeof(o.loc), "new");
	send_fdt(t, 2, 2, &op, 1, 0, NULL);
	CHECK_EQ_U(t->ts.aborts[OBJ_ABORT_SUPERSEDED], 1);
	send_obj(t, &o);
	check_obj(t, &o);

	t->now += 300001;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(stats(t).objects_incomplete, 0);
	send_obj(t, &o);			/* no FDT yet: buffered */
	CHECK_EQ_U(commits_of(&t->ts, 2, 9, NULL), 1);
	send_fdt(t, 2, 2, &op, 1, 0, NULL);
	CHECK_EQ_U(commits_of(&t->ts, 2, 9, &c), 2);
	REQUIRE(c != NULL);
	CHECK(c->exact && memcmp(c->data, o.data, o.len) == 0);
	CHECK_EQ_U(stats(t).fdt_instances, 3);
	tobjs_free(&o, 1);
	tctx_free(t);
}

/* Same group, port and TOIs on two TSIs: kept apart. */
static void
test_two_sessions(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj a[3], b[3], *pa[3], *pb[3];
	struct tpkt *pk = calloc(4000, sizeof(*pk));
	size_t np = 0, i;

	REQUIRE(t != NULL && pk != NULL);
	rng_seed(6);
	for (i = 0; i < 3; i++) {
		tobj_init(&a[i], 10, 1 + (uint32_t)i, 3000 + i, 100, 4);
		tobj_init(&b[i], 11, 1 + (uint32_t)i, 2000 + i, 100, 8);
		pa[i] = &a[i];
		pb[i] = &b[i];
	}
	send_fdt(t, 10, 1, pa, 3, 0, NULL);
	send_fdt(t, 11, 1, pb, 3, 0, NULL);
	for (i = 0; i < 3; i++) {
		np += obj_packets(&a[i], 2, pk + np, 4000 - np);
		np += obj_packets(&b[i], 2, pk + np, 4000 - np);
	}
	(void)send_pkts(t, pk, np, 10, 0);
	for (i = 0; i < 3; i++) {
		check_obj(t, &a[i]);
		check_obj(t, &b[i]);
	}
	CHECK_EQ_U(stats(t).sessions_now, 2);
	tobjs_free(a, 3);
	tobjs_free(b, 3);
	free(pk);
	tctx_free(t);
}

/* A newer TOI for a location gets a larger seq; re-declaring keeps it. */
static void
test_seq(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj o[3], *op[3];
	const struct commit *c10 = NULL, *c11 = NULL, *c12 = NULL;

	REQUIRE(t != NULL);
	rng_seed(7);
	tobj_init(&o[0], 1, 10, 700, 100, 4);
	tobj_init(&o[1], 1, 11, 800, 100, 4);
	tobj_init(&o[2], 1, 12, 900, 100, 4);
	snprintf(o[0].loc, sizeof(o[0].loc), "live/p.m3u8");
	snprintf(o[1].loc, sizeof(o[1].loc), "live/p.m3u8");
	op[0] = &o[0];
	op[1] = &o[1];
	op[2] = &o[2];
	send_fdt(t, 1, 1, op, 1, 0, NULL);
	send_fdt(t, 1, 2, op, 2, 0, NULL);	/* TOI 10 again, TOI 11 new */
	send_obj(t, &o[1]);			/* newer finishes first */
	send_obj(t, &o[0]);
	send_fdt(t, 1, 3, op, 3, 0, NULL);
	send_obj(t, &o[2]);
	CHECK_EQ_U(commits_of(&t->ts, 1, 10, &c10), 1);
	CHECK_EQ_U(commits_of(&t->ts, 1, 11, &c11), 1);
	CHECK_EQ_U(commits_of(&t->ts, 1, 12, &c12), 1);
	REQUIRE(c10 && c11 && c12);
	CHECK(c11->seq > c10->seq);
	CHECK(c12->seq > c11->seq);
	tobjs_free(o, 3);
	tctx_free(t);
}

/* Hostile lengths, ranges and FEC schemes: counted, never committed. */
static void
test_hostile_symbols(void)
{
	static const uint8_t feis[] = { 1, 2, 5, 6, 128, 129, 130 };
	struct tctx *t = tctx_new(NULL);
	struct tobj o[2], *op[2];
	uint8_t pl[600];
	struct pspec s;
	size_t i;

	REQUIRE(t != NULL);
	rng_seed(8);
	tobj_init(&o[0], 1, 20, 950, 100, 4);	/* T 10: blocks 4,3,3 */
	tobj_init(&o[1], 1, 21, 1000, 100, 4);
	o[1].len = 1ULL << 50;			/* absurd */
	op[0] = &o[0];
	op[1] = &o[1];
	send_fdt(t, 1, 1, op, 2, 0, NULL);
	memset(&s, 0, sizeof(s));
	memset(pl, 0x5a, sizeof(pl));
	s.tsi = 1;
	s.toi = 21;
	s.pl = pl;
	s.len = 100;
	CHECK(feed(t, &s) < 0);
	CHECK(feed(t, &s) < 0);
	CHECK_EQ_U(stats(t).objects_dropped_limit, 1);
	CHECK_EQ_U(t->ts.begins, 0);

	s.toi = 20;
	s.sbn = 1;
	s.esi = 3;			/* block 1 has 3 symbols */
	CHECK(feed(t, &s) < 0);
	s.sbn = 3;			/* only 3 blocks */
	s.esi = 0;
	CHECK(feed(t, &s) < 0);
	s.sbn = 0;
	s.len = 150;			/* not a multiple of E */
	CHECK(feed(t, &s) < 0);
	s.len = 50;
	CHECK(feed(t, &s) < 0);
	s.len = 500;			/* 5 symbols in a block of 4 */
	CHECK(feed(t, &s) < 0);
	s.sbn = 2;
	s.esi = 2;
	s.len = 100;			/* the last symbol is 50 bytes */
	CHECK(feed(t, &s) < 0);
	s.len = 0;
	CHECK(feed(t, &s) < 0);
	CHECK_EQ_U(stats(t).bad_symbols, 7);
	s.len = 50;
	CHECK(feed(t, &s) == 0);
	s.fti = 1;			/* EXT_FTI with E = 0 */
	s.e = 0;
	s.blen = 4;
	s.l = 950;
	CHECK(feed(t, &s) < 0);
	CHECK_EQ_U(stats(t).bad_symbols, 8);

	memset(&s, 0, sizeof(s));
	s.tsi = 1;
	s.toi = 20;
	s.pl = pl;
	s.len = 100;
	for (i = 0; i < sizeof(feis); i++) {
		s.cp = feis[i];
		CHECK(feed(t, &s) < 0);
	}
	CHECK_EQ_U(stats(t).unsupported_fec, sizeof(feis));

	/* A data-less Close Object packet is a signal, not a symbol. */
	memset(&s, 0, sizeof(s));
	s.tsi = 1;
	s.toi = 20;
	s.b = 1;
	s.nofpi = 1;
	CHECK(feed(t, &s) == 0);
	CHECK_EQ_U(stats(t).bad_symbols, 8);
	CHECK_EQ_U(t->ts.ncommits, 0);
	tobjs_free(o, 2);
	tctx_free(t);
}

/* FDT instances that are not XML, too large, or lack their extensions. */
static void
test_hostile_fdt(void)
{
	static const char notxml[] = "this is not an FDT <<<";
	struct tctx *t = tctx_new(NULL);
	struct pspec s;
	uint8_t pl[200];
	int i;

	REQUIRE(t != NULL);
	send_fdt_raw(t, 1, 10, (const uint8_t *)notxml, sizeof(notxml) - 1,
	    -1, 8, 2);
	CHECK_EQ_U(stats(t).fdt_bad, 1);
	/* The same bad instance repeated is not counted again. */
	send_fdt_raw(t, 1, 10, (const uint8_t *)notxml, sizeof(notxml) - 1,
	    -1, 8, 2);
	CHECK_EQ_U(stats(t).fdt_bad, 1);

	memset(&s, 0, sizeof(s));
	memset(pl, '<', sizeof(pl));
	s.tsi = 1;
	s.fdt = 1;
	s.fdt_id = 11;
	s.fti = 1;
	s.l = (uint64_t)FDT_MAX_XML + 1;
	s.e = 200;
	s.blen = 64;
	s.pl = pl;
	s.len = 200;
	CHECK(feed(t, &s) < 0);
	for (i = 1; i < 5; i++) {
		s.esi = (uint16_t)i;
		(void)feed(t, &s);
	}
	CHECK_EQ_U(stats(t).fdt_bad, 2);
	s.fdt_id = 12;			/* no EXT_FTI */
	s.fti = 0;
	CHECK(feed(t, &s) < 0);
	s.fdt = 0;			/* no EXT_FDT */
	CHECK(feed(t, &s) < 0);
	CHECK_EQ_U(stats(t).bad_symbols, 2);
	CHECK_EQ_U(stats(t).fdt_instances, 0);
	CHECK_EQ_U(stats(t).inflight_bytes_now, 0);
	tctx_free(t);
}

/* Random bytes and mutated packets: no crash, nothing leaks (ASan). */
static void
test_fuzz(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj o, *op = &o;
	struct alc_pkt p;
	uint8_t buf[600];
	struct pspec s;
	size_t n, i, j;

	REQUIRE(t != NULL);
	rng_seed(9);
	tobj_init(&o, 1, 3, 4000, 100, 4);
	send_fdt(t, 1, 1, &op, 1, 0, NULL);
	for (i = 0; i < 20000; i++) {
		memset(&s, 0, sizeof(s));
		s.tsi = rng_below(3);
		s.toi = rng_below(5);
		s.fdt = rng_below(2);
		s.fdt_id = (uint32_t)rng();
		s.fti = rng_below(2);
		s.l = rng_below(2) ? rng_below(5000) : rng();
		s.e = (uint16_t)rng_below(300);
		s.blen = rng_below(10);
		s.sbn = (uint16_t)rng_below(4);
		s.esi = (uint16_t)rng_below(6);
		s.pl = o.data;
		s.len = rng_below(500);
		s.a = rng_below(50) == 0;
		s.b = rng_below(20) == 0;
		n = pkt_build(&s, buf);
		for (j = rng_below(4); j > 0; j--)
			buf[rng_below((uint32_t)n)] ^= (uint8_t)rng();
		if (alc_parse(buf, n, &p) == 0)
			(void)reasm_input(t->r, &t->chan, &p, t->now,
			    t->now_unix);
		t->now += rng_below(20);
		if (i % 500 == 0)
			reasm_expire(t->r, t->now);
	}
	CHECK_EQ_U(t->ts.bad_writes, 0);
	tobjs_free(&o, 1);
	tctx_free(t);
}

/* Timeouts: a partial object and a never-sent TOI are both incomplete. */
static void
test_expiry(void)
{
	struct reasm_params p;
	struct tobj o[3], *op[3];
	struct tpkt pk[100];
	struct reasm_stats st;
	struct tctx *t;
	size_t np, i;

	reasm_params_default(&p);
	p.object_timeout_ms = 1000;
	p.session_timeout_ms = 100000;
	REQUIRE((t = tctx_new(&p)) != NULL);
	rng_seed(10);
	tobj_init(&o[0], 1, 30, 2000, 100, 4);
	tobj_init(&o[1], 1, 31, 2000, 100, 4);	/* never sent */
	tobj_init(&o[2], 1, 32, 1000, 100, 4);	/* complete */
	for (i = 0; i < 3; i++)
		op[i] = &o[i];
	send_fdt(t, 1, 1, op, 3, 0, NULL);	/* expired on arrival */
	np = obj_packets(&o[0], 1, pk, 100);
	(void)send_pkts(t, pk, np - 1, 0, 0);
	send_obj(t, &o[2]);
	check_obj(t, &o[2]);
	t->now += 500;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(stats(t).objects_incomplete, 0);
	t->now += 1000;
	reasm_expire(t->r, t->now);
	st = stats(t);
	CHECK_EQ_U(t->ts.aborts[OBJ_ABORT_INCOMPLETE], 1);
	CHECK_EQ_U(st.objects_incomplete, 2);
	CHECK_EQ_U(st.objects_now, 0);
	CHECK_EQ_U(t->ts.live, 0);
	tctx_free(t);

	/*
	 * An Expires still in the future keeps a declaration that long even
	 * without packets; after it, the never-sent one is counted.
	 */
	REQUIRE((t = tctx_new(&p)) != NULL);
	{
		size_t len;
		char *x = fdt_xml(op, 2, 50, NULL, &len);

		send_fdt_raw(t, 1, 2, (uint8_t *)x, len, -1, 300, 8);
		free(x);
	}
	t->now += 30000;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(stats(t).objects_incomplete, 0);
	send_obj(t, &o[0]);
	check_obj(t, &o[0]);
	t->now += 21000;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(stats(t).objects_incomplete, 1);
	tobjs_free(o, 3);
	tctx_free(t);
}

/* A failed commit drops the done-marker: the next cycle commits again. */
static void
test_commit_result(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj o, *op = &o;
	const struct commit *c = NULL;
	struct obj_key key;

	REQUIRE(t != NULL);
	rng_seed(11);
	tobj_init(&o, 6, 8, 3333, 100, 4);
	send_fdt(t, 6, 1, &op, 1, 0, NULL);
	send_obj(t, &o);
	REQUIRE(commits_of(&t->ts, 6, 8, &c) == 1);
	key = c->key;
	send_obj(t, &o);
	CHECK_EQ_U(commits_of(&t->ts, 6, 8, NULL), 1);
	reasm_commit_result(t->r, &key, OBJ_EIO);
	CHECK_EQ_U(stats(t).objects_commit_failed, 1);
	send_obj(t, &o);
	CHECK_EQ_U(commits_of(&t->ts, 6, 8, &c), 2);
	REQUIRE(c != NULL);
	CHECK(c->exact && memcmp(c->data, o.data, o.len) == 0);
	reasm_commit_result(t->r, &c->key, OBJ_OK);
	send_obj(t, &o);
	CHECK_EQ_U(commits_of(&t->ts, 6, 8, NULL), 2);
	CHECK_EQ_U(stats(t).objects_commit_failed, 1);
	tobjs_free(&o, 1);
	tctx_free(t);
}

/* reasm_free aborts staged objects with OBJ_ABORT_SHUTDOWN. */
static void
test_shutdown(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj o[2], *op[2];
	struct tpkt pk[100];
	size_t np;

	REQUIRE(t != NULL);
	rng_seed(12);
	tobj_init(&o[0], 1, 1, 5000, 100, 4);
	tobj_init(&o[1], 1, 2, 5000, 100, 4);
	op[0] = &o[0];
	op[1] = &o[1];
	send_fdt(t, 1, 1, op, 2, 0, NULL);
	np = obj_packets(&o[0], 1, pk, 100);
	(void)send_pkts(t, pk, np / 2, 0, 0);
	np = obj_packets(&o[1], 1, pk, 100);
	(void)send_pkts(t, pk, np / 2, 0, 0);
	CHECK_EQ_U(t->ts.live, 2);
	reasm_free(t->r);
	t->r = reasm_new(&(struct reasm_params){ 0 }, &t->ts.ops);
	CHECK_EQ_U(t->ts.aborts[OBJ_ABORT_SHUTDOWN], 2);
	CHECK_EQ_U(t->ts.live, 0);
	tobjs_free(o, 2);
	tctx_free(t);
}

/* Close Session: the session goes soon after; its partial object aborts. */
static void
test_close_session(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj o, *op = &o;
	struct tpkt pk[100];
	struct pspec s;
	size_t np;

	REQUIRE(t != NULL);
	rng_seed(13);
	tobj_init(&o, 1, 1, 5000, 100, 4);
	send_fdt(t, 1, 1, &op, 1, 0, NULL);
	np = obj_packets(&o, 1, pk, 100);
	(void)send_pkts(t, pk, np / 2, 0, 0);
	memset(&s, 0, sizeof(s));
	s.tsi = 1;
	s.toi = 1;
	s.a = 1;
	s.nofpi = 1;
	CHECK(feed(t, &s) == 0);
	t->now += 1000;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(stats(t).sessions_now, 1);
	t->now += 5000;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(stats(t).sessions_now, 0);
	CHECK_EQ_U(stats(t).objects_incomplete, 1);
	CHECK_EQ_U(t->ts.aborts[OBJ_ABORT_INCOMPLETE], 1);
	tobjs_free(&o, 1);
	tctx_free(t);
}

/* Objects in flight per session and in bytes are bounded. */
static void
test_limits(void)
{
	struct reasm_params p;
	struct tobj o[2], *op[2];
	struct tpkt pk[200];
	struct tctx *t;
	size_t np0, np1, i;

	reasm_params_default(&p);
	p.max_objects_per_session = 1;
	REQUIRE((t = tctx_new(&p)) != NULL);
	rng_seed(14);
	tobj_init(&o[0], 1, 1, 3000, 100, 4);
	tobj_init(&o[1], 1, 2, 3000, 100, 4);
	op[0] = &o[0];
	op[1] = &o[1];
	send_fdt(t, 1, 1, op, 2, 0, NULL);
	np0 = obj_packets(&o[0], 1, pk, 100);
	np1 = obj_packets(&o[1], 1, pk + 100, 100);
	for (i = 0; i < np0 || i < np1; i++) {
		if (i < np0)
			CHECK(feed_tpkt(t, &pk[i]) == 0);
		if (i < np1)
			(void)feed_tpkt(t, &pk[100 + i]);
	}
	check_obj(t, &o[0]);
	CHECK_EQ_U(stats(t).objects_dropped_limit, 1);
	(void)send_pkts(t, pk + 100, np1, 0, 0);
	check_obj(t, &o[1]);
	tctx_free(t);

	reasm_params_default(&p);
	p.max_sessions = 1;
	REQUIRE((t = tctx_new(&p)) != NULL);
	send_fdt(t, 1, 1, op, 2, 0, NULL);
	send_fdt(t, 2, 1, op, 2, 0, NULL);	/* a second TSI: refused */
	CHECK_EQ_U(stats(t).sessions_now, 1);
	CHECK_EQ_U(stats(t).fdt_instances, 1);
	CHECK(stats(t).objects_dropped_limit > 0);
	tctx_free(t);

	reasm_params_default(&p);
	p.max_inflight_bytes = 5000;
	REQUIRE((t = tctx_new(&p)) != NULL);
	send_fdt(t, 1, 1, op, 2, 0, NULL);
	CHECK(feed_tpkt(t, &pk[0]) == 0);
	CHECK(feed_tpkt(t, &pk[100]) < 0);
	CHECK_EQ_U(stats(t).objects_dropped_limit, 1);
	tobjs_free(o, 2);
	tctx_free(t);
}

/* A sink write failure aborts the object; the next cycle retries. */
static void
test_sink_failure(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj o, *op = &o;

	REQUIRE(t != NULL);
	rng_seed(15);
	tobj_init(&o, 1, 1, 2000, 100, 4);
	send_fdt(t, 1, 1, &op, 1, 0, NULL);
	t->ts.fail_writes = 1;
	send_obj(t, &o);
	CHECK_EQ_U(stats(t).sink_errors, 1);
	CHECK_EQ_U(t->ts.aborts[OBJ_ABORT_LIMIT], 1);
	CHECK_EQ_U(t->ts.ncommits, 0);
	send_obj(t, &o);
	check_obj(t, &o);
	tobjs_free(&o, 1);
	tctx_free(t);
}

/* FullFDT: a TOI left out of the newest full listing is forgotten. */
static void
test_full_fdt(void)
{
	struct reasm_params p;
	struct tobj o[2], *op[2];
	struct tctx *t;

	reasm_params_default(&p);
	p.object_timeout_ms = 40000;
	p.done_ms = 40000;
	REQUIRE((t = tctx_new(&p)) != NULL);
	rng_seed(16);
	tobj_init(&o[0], 1, 1, 1000, 100, 4);
	tobj_init(&o[1], 1, 2, 1000, 100, 4);
	op[0] = &o[0];
	op[1] = &o[1];
	send_fdt(t, 1, 1, op, 2, 0, "mbms2008:FullFDT=\"true\"");
	send_fdt(t, 1, 2, op + 1, 1, 0, "mbms2008:FullFDT=\"true\"");
	t->now += 11000;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(stats(t).objects_incomplete, 1);
	send_obj(t, &o[0]);		/* no longer declared: buffered */
	CHECK_EQ_U(commits_of(&t->ts, 1, 1, NULL), 0);
	send_obj(t, &o[1]);
	check_obj(t, &o[1]);
	tobjs_free(o, 2);
	tctx_free(t);
}

/*
 * A sender restarted within a second may reuse an FDT instance ID and its
 * TOIs for other content: the new FDT must be applied and the TOI received
 * again, not skipped as "already applied" or "already done".
 */
static void
test_restarted_sender(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj a, b, *op;
	const struct commit *c = NULL;

	REQUIRE(t != NULL);
	rng_seed(11);
	tobj_init(&a, 1, 1, 5000, 100, 8);
	tobj_init(&b, 1, 1, 5000, 100, 8);
	snprintf(b.loc, sizeof(b.loc), "http://dvb.gw/restarted/b.bin");
	op = &a;
	send_fdt(t, 1, 77, &op, 1, 0, NULL);
	send_obj(t, &a);
	check_obj(t, &a);
	op = &b;
	send_fdt(t, 1, 77, &op, 1, 0, NULL);	/* same id, other FDT */
	send_obj(t, &b);
	CHECK_EQ_U(stats(t).fdt_instances, 2);
	CHECK_EQ_U(t->ts.ncommits, 2);
	REQUIRE(t->ts.ncommits == 2);
	c = &t->ts.c[1];
	CHECK(strcmp(c->location, b.loc) == 0);
	CHECK(c->exact && memcmp(c->data, b.data, b.len) == 0);
	CHECK(c->seq > t->ts.c[0].seq);
	/* Restarted again, at an ID far "behind" by serial arithmetic. */
	snprintf(a.loc, sizeof(a.loc), "http://dvb.gw/restarted/c.bin");
	op = &a;
	send_fdt(t, 1, (77 - 300000) & 0xFFFFF, &op, 1, 0, NULL);
	send_obj(t, &a);
	REQUIRE(t->ts.ncommits == 3);
	CHECK(strcmp(t->ts.c[2].location, a.loc) == 0);
	tobjs_free(&a, 1);
	tobjs_free(&b, 1);
	tctx_free(t);
}

TEST_MAIN(TEST(test_random_objects), TEST(test_cycles), TEST(test_prefdt),
    TEST(test_fdt_cenc), TEST(test_fdt_wrap),
    TEST(test_supersede_and_done_expiry), TEST(test_two_sessions),
    TEST(test_seq), TEST(test_hostile_symbols), TEST(test_hostile_fdt),
    TEST(test_fuzz), TEST(test_expiry), TEST(test_commit_result),
    TEST(test_shutdown), TEST(test_close_session), TEST(test_limits),
    TEST(test_sink_failure), TEST(test_full_fdt),
    TEST(test_restarted_sender))
