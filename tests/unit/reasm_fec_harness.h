/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reasm_fec_harness.h: shared harness for the FEC reassembly tests
 * (test_reasm_fec.c, test_reasm_fec_hostile.c), on top of
 * reasm_harness.h (whose recording sink also reads back).
 *
 * The plumbing is tested with a genuine erasure code of our own, plugged
 * in as FEI 5 and 6 through fec_codec_override(): each repair symbol is the XOR of the block's
 * source symbols (zero-padded to T) with its ESI's low byte folded in, so
 * any one repair symbol rebuilds exactly one lost source symbol and two
 * losses cannot be rebuilt.  Packets of FEI 5 and 6 (EXT_FTI HEL 3 and 4,
 * both FEC Payload IDs) are built byte by byte; the RaptorQ partition
 * (Partition[Kt, Z]) is recomputed here independently of fec.c.
 *
 * Everything is static: each test binary includes this header once.
 * Helpers only one of the files uses are marked TESTUTIL_UNUSED.
 */
#ifndef NIPCACHE_REASM_FEC_HARNESS_H
#define NIPCACHE_REASM_FEC_HARNESS_H

#include "reasm_harness.h"
#include "../../carousel/fec.h"
#include "../../carousel/fec_codec.h"
#include "../../daemon/util.h"

/*
 * These binaries link without carousel/fec_codec.o and define
 * fec_codec_get() here, so a test can put a codec of its own in front of
 * a scheme with fec_codec_override() while the daemon has no such hook.
 */
static const struct fec_codec *fec_codec_over[2];

const struct fec_codec *
fec_codec_get(uint8_t fei)
{
	if (fei == 5)
		return fec_codec_over[0] != NULL ? fec_codec_over[0] :
		    &fec_rs_codec;
	if (fei == 6)
		return fec_codec_over[1] != NULL ? fec_codec_over[1] :
		    &fec_rq_codec;
	return NULL;
}

/* Make fec_codec_get(fei) return c, or the real codec when c is NULL. */
static void
fec_codec_override(uint8_t fei, const struct fec_codec *c)
{
	if (fei == 5 || fei == 6)
		fec_codec_over[fei - 5] = c;
}

/* ---- The XOR test code. ---- */

static struct {
	int		decodes;
	uint32_t	last_t;
	uint32_t	n_of_k[256];	/* the code length seen per k */
} xo;

static void
xor_parity(const uint8_t *src, uint32_t k, uint32_t t, uint32_t esi,
    uint8_t *out)
{
	uint32_t i, j;

	memset(out, (uint8_t)esi, t);
	for (i = 0; i < k; i++)
		for (j = 0; j < t; j++)
			out[j] ^= src[(size_t)i * t + j];
}

static int
xor_encode(const uint8_t *src, uint32_t k, uint32_t n, uint32_t t,
    uint32_t esi0, uint32_t nrep, uint8_t *rep)
{
	uint32_t i;

	(void)n;
	if (k == 0 || t == 0 || esi0 < k)
		return FEC_CODEC_EINVAL;
	for (i = 0; i < nrep; i++)
		xor_parity(src, k, t, esi0 + i, rep + (size_t)i * t);
	return 0;
}

static int
xor_decode(uint8_t *src, const uint8_t *have, uint32_t k, uint32_t n,
    uint32_t t, const uint32_t *resi, const uint8_t *rep, uint32_t nrep)
{
	uint32_t i, j, miss = 0, lost = 0;
	uint8_t *dst;

	xo.decodes++;
	xo.last_t = t;
	if (k < 256)
		xo.n_of_k[k] = n;
	if (k == 0 || t == 0)
		return FEC_CODEC_EINVAL;
	for (i = 0; i < nrep; i++)
		if (resi[i] < k || resi[i] >= n)
			return FEC_CODEC_EINVAL;
	for (i = 0; i < k; i++)
		if (!have[i]) {
			miss = i;
			lost++;
		}
	if (lost == 0)
		return 0;
	if (lost > 1 || nrep == 0)
		return FEC_CODEC_EMORE;
	dst = src + (size_t)miss * t;
	for (j = 0; j < t; j++)
		dst[j] = rep[j] ^ (uint8_t)resi[0];
	for (i = 0; i < k; i++)
		if (i != miss)
			for (j = 0; j < t; j++)
				dst[j] ^= src[(size_t)i * t + j];
	return 0;
}

/* Refuses every block, like a codec that does not take the parameters. */
static int
bad_decode(uint8_t *src, const uint8_t *have, uint32_t k, uint32_t n,
    uint32_t t, const uint32_t *resi, const uint8_t *rep, uint32_t nrep)
{
	(void)src;
	(void)have;
	(void)k;
	(void)n;
	(void)t;
	(void)resi;
	(void)rep;
	(void)nrep;
	xo.decodes++;
	return FEC_CODEC_EINVAL;
}

static const struct fec_codec xor_rs = {
	5, "xor-rs", 255, 254, xor_encode, xor_decode
};
static const struct fec_codec xor_rq = {
	6, "xor-rq", 56403, 0xFFFFFF, xor_encode, xor_decode
};
static const struct fec_codec bad_rs = {
	5, "bad", 255, 254, xor_encode, bad_decode
};

static void
codecs_xor(void)
{
	fec_codec_override(5, &xor_rs);
	fec_codec_override(6, &xor_rq);
	memset(&xo, 0, sizeof(xo));
}

/* ---- FEC objects and their packets. ---- */

/* RFC 6330 4.4.1.2 Partition[Kt, Z], independently of fec.c. */
static void
tpart_z(uint64_t len, uint32_t t, uint32_t z, struct tpart *p)
{
	memset(p, 0, sizeof(*p));
	p->len = len;
	p->e = t;
	p->t = (len + t - 1) / t;
	p->n = z;
	p->al = (uint32_t)((p->t + z - 1) / z);
	p->as = (uint32_t)(p->t / z);
	p->il = (uint32_t)(p->t - (uint64_t)p->as * z);
}

struct fobj {
	struct tobj	o;
	uint8_t		cp;		/* 5 or 6 */
	struct tpart	p;
	int		fti;		/* packets carry EXT_FTI */
	uint8_t		b, max_n;	/* FEI 5 */
	uint8_t		z, al;		/* FEI 6 */
	uint16_t	n;
};

/* FEI 5 with B = bz (max_n = bz + 2) or FEI 6 with Z = bz (Al 4, N 1). */
static void
fobj_init(struct fobj *f, uint8_t cp, uint32_t toi, uint64_t len,
    uint16_t e, uint32_t bz)
{
	memset(f, 0, sizeof(*f));
	tobj_init(&f->o, 1, toi, len, e, bz);
	f->o.fdt_oti = 0;
	f->cp = cp;
	f->fti = 1;
	if (cp == 5) {
		f->b = (uint8_t)bz;
		f->max_n = (uint8_t)(bz + 2);
		tpart(len, e, bz, &f->p);
	} else {
		f->z = (uint8_t)bz;
		f->n = 1;
		f->al = 4;
		tpart_z(len, e, bz, &f->p);
	}
}

/* The FDT-Instance attributes declaring f's OTI (FEI alone if !full). */
static const char *
fobj_fdt(const struct fobj *f, int full)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static char x[400];
	uint32_t v;

	if (!full)
		snprintf(x, sizeof(x), "FEC-OTI-FEC-Encoding-ID=\"%u\"", f->cp);
	else if (f->cp == 5)
		snprintf(x, sizeof(x), "FEC-OTI-FEC-Encoding-ID=\"5\" "
		    "FEC-OTI-Encoding-Symbol-Length=\"%u\" "
		    "FEC-OTI-Maximum-Source-Block-Length=\"%u\" "
		    "FEC-OTI-Max-Number-of-Encoding-Symbols=\"%u\"",
		    f->o.e, f->b, f->max_n);
	else {
		/* Z(8) N(16) Al(8): four bytes, eight base64 characters. */
		v = (uint32_t)f->z << 24 | (uint32_t)f->n << 8 | f->al;
		snprintf(x, sizeof(x), "FEC-OTI-FEC-Encoding-ID=\"6\" "
		    "FEC-OTI-Encoding-Symbol-Length=\"%u\" "
		    "FEC-OTI-Scheme-Specific-Info=\"%c%c%c%c%c%c==\"", f->o.e,
		    b64[v >> 26], b64[(v >> 20) & 63], b64[(v >> 14) & 63],
		    b64[(v >> 8) & 63], b64[(v >> 2) & 63],
		    b64[(v << 4) & 63]);
	}
	return x;
}

static void
fobj_declare(struct tctx *t, struct fobj *f, uint32_t id, int full)
{
	struct tobj *op = &f->o;

	send_fdt(t, 1, id, &op, 1, 0, fobj_fdt(f, full));
}

/* Source block sbn of f, zero-padded to K * T, into buf. */
static uint32_t
fobj_block(const struct fobj *f, uint32_t sbn, uint8_t *buf)
{
	uint32_t k = tblen(&f->p, sbn);
	uint64_t off = toff(&f->p, sbn, 0), end = off + (uint64_t)k * f->o.e;

	if (end > f->o.len)
		end = f->o.len;
	memset(buf, 0, (size_t)k * f->o.e);
	memcpy(buf, f->o.data + off, end - off);
	return k;
}

struct fspec {
	uint32_t	toi;
	uint8_t		cp;
	int		fti;
	uint64_t	l;
	uint16_t	e;
	uint8_t		b, max_n, z, al;
	uint16_t	n;
	uint8_t		hel;		/* 0: the scheme's */
	int		nofpi, close;
	uint32_t	sbn, esi;
	const uint8_t	*pl;
	size_t		len;
};

static size_t
fpkt_build(const struct fspec *s, uint8_t *out)
{
	size_t n = 16;

	memset(out, 0, 64);
	out[0] = 0x10;
	out[1] = (uint8_t)(0xa0 | (s->close ? 1 : 0));
	out[3] = s->cp;
	put32(out + 8, 1);
	put32(out + 12, s->toi);
	if (s->fti) {
		out[n] = 0x40;
		put16(out + n + 2, (uint32_t)(s->l >> 32));
		put32(out + n + 4, (uint32_t)s->l);
		if (s->cp == 5) {
			out[n + 1] = s->hel ? s->hel : 3;
			put16(out + n + 8, s->e);
			out[n + 10] = s->b;
			out[n + 11] = s->max_n;
		} else {
			out[n + 1] = s->hel ? s->hel : 4;
			memmove(out + n + 2, out + n + 3, 5);	/* F is 40 bits */
			out[n + 7] = 0;
			put16(out + n + 8, s->e);
			out[n + 10] = s->z;
			put16(out + n + 11, s->n);
			out[n + 13] = s->al;
		}
		n += 4 * (size_t)out[n + 1];
	}
	out[2] = (uint8_t)(n / 4);
	if (s->nofpi)
		return n;
	put32(out + n, s->cp == 5 ? s->sbn << 8 | (s->esi & 0xff) :
	    s->sbn << 24 | (s->esi & 0xffffff));
	n += 4;
	if (s->len)
		memcpy(out + n, s->pl, s->len);
	return n + s->len;
}

static int
ffeed(struct tctx *t, const struct fspec *s)
{
	size_t n = fpkt_build(s, pktbuf);
	struct alc_pkt p;

	if (alc_parse(pktbuf, n, &p) != 0)
		return -99;
	return reasm_input(t->r, &t->chan, &p, t->now++, t->now_unix);
}

static void
fspec_of(const struct fobj *f, struct fspec *s)
{
	memset(s, 0, sizeof(*s));
	s->toi = f->o.toi;
	s->cp = f->cp;
	s->fti = f->fti;
	s->l = f->o.len;
	s->e = f->o.e;
	s->b = f->b;
	s->max_n = f->max_n;
	s->z = f->z;
	s->n = f->n;
	s->al = f->al;
}

/*
 * Send symbols esi .. esi+count-1 of block sbn in one packet: source
 * symbols below K (the object's short last one zero-padded to T if pad or
 * if more follow), repair symbols from K on.  The reasm_input result.
 */
static int
fsend(struct tctx *t, const struct fobj *f, uint32_t sbn, uint32_t esi,
    uint32_t count, int pad)
{
	static uint8_t blk[MAXPL], pl[MAXPL];
	uint32_t k = 0, e = f->o.e, i, x;
	const struct fec_codec *c = fec_codec_get(f->cp);
	struct fspec s;
	size_t n = 0;
	uint64_t off;

	if ((uint64_t)tblen(&f->p, sbn) * e > MAXPL ||
	    (uint64_t)count * e > MAXPL)
		return -97;
	if (sbn >= f->p.n) {
		/* No such block: bytes of the right size, for hostile tests. */
		memset(pl, 0xab, (size_t)count * e);
		n = (size_t)count * e;
		count = 0;
	} else {
		k = fobj_block(f, sbn, blk);
	}
	for (i = 0; i < count; i++) {
		x = esi + i;
		if (x >= k) {
			if (c == NULL || c->encode(blk, k, 255, e, x, 1,
			    pl + n) != 0)
				return -98;
			n += e;
			continue;
		}
		off = toff(&f->p, sbn, x);
		memcpy(pl + n, blk + (size_t)x * e, e);
		n += off + e <= f->o.len || pad || i + 1 < count ? e :
		    f->o.len - off;
	}
	fspec_of(f, &s);
	s.sbn = sbn;
	s.esi = esi;
	s.pl = pl;
	s.len = n;
	return ffeed(t, &s);
}

/* ---- Whole objects. ---- */

struct frun {
	uint32_t	sbn, esi, count;
};

/*
 * Send every source symbol of f whose index lose[] does not mark, and nrep
 * repair symbols per block from ESI K, in runs of up to maxk consecutive
 * symbols (a run may cross from source into repair), in random order.
 */
static void
fsend_all(struct tctx *t, const struct fobj *f, const uint8_t *lose,
    uint32_t nrep, uint32_t maxk)
{
	struct frun *runs = calloc(f->p.t + (uint64_t)f->p.n * nrep + 1,
	    sizeof(*runs)), tmp;
	size_t n = 0, i, j;
	uint32_t sbn, esi, k, idx = 0;

	for (sbn = 0; sbn < f->p.n; sbn++) {
		k = tblen(&f->p, sbn);
		for (esi = 0; esi < k + nrep; esi++) {
			if (esi < k && lose != NULL && lose[idx + esi]) {
				continue;
			}
			if (n > 0 && runs[n - 1].sbn == sbn &&
			    runs[n - 1].esi + runs[n - 1].count == esi &&
			    runs[n - 1].count < maxk) {
				runs[n - 1].count++;
				continue;
			}
			runs[n].sbn = sbn;
			runs[n].esi = esi;
			runs[n++].count = 1;
		}
		idx += k;
	}
	for (i = n; i > 1; i--) {
		j = rng_below((uint32_t)i);
		tmp = runs[i - 1];
		runs[i - 1] = runs[j];
		runs[j] = tmp;
	}
	for (i = 0; i < n; i++)
		CHECK(fsend(t, f, runs[i].sbn, runs[i].esi, runs[i].count,
		    (int)rng_below(2)) == 0);
	free(runs);
}

/*
 * lose[] with one symbol lost in every block, at a random ESI; with last,
 * the last block loses the object's last (short) symbol.
 */
static uint8_t *
lose_one_per_block(const struct fobj *f, uint32_t *nlost, int last)
{
	uint8_t *lose = calloc(f->p.t + 1, 1);
	uint32_t sbn, idx = 0, k;

	*nlost = 0;
	for (sbn = 0; sbn < f->p.n; sbn++) {
		k = tblen(&f->p, sbn);
		lose[idx + (last && sbn + 1 == f->p.n ? k - 1 :
		    rng_below(k))] = 1;
		(*nlost)++;
		idx += k;
	}
	return lose;
}

/* Send the source symbols lose[] marks (a carousel repeat of them). */
static void
fsend_lost(struct tctx *t, const struct fobj *f, const uint8_t *lose)
{
	uint32_t sbn, esi, idx = 0, k;

	for (sbn = 0; sbn < f->p.n; sbn++) {
		k = tblen(&f->p, sbn);
		for (esi = 0; esi < k; esi++)
			if (lose[idx + esi])
				CHECK(fsend(t, f, sbn, esi, 1, 0) == 0);
		idx += k;
	}
}

/* The committed copy is f's, byte for byte (and by MD5). */
static void
check_fobj(const struct tctx *t, const struct fobj *f)
{
	const struct commit *c = NULL;
	uint8_t a[16], b[16];

	check_obj(t, &f->o);
	if (commits_of(&t->ts, f->o.tsi, f->o.toi, &c) != 1 || c == NULL)
		return;
	util_md5(c->data, c->len, a);
	util_md5(f->o.data, f->o.len, b);
	CHECK(memcmp(a, b, sizeof(a)) == 0);
}

#endif
