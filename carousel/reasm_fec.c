/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reasm_fec.c: objects of FEI 5 (Reed-Solomon over GF(2^8), RFC 5510)
 * and FEI 6 (RaptorQ, RFC 6330), protocols.md 2.2 to 2.5.
 *
 * Both codes are systematic, so a source symbol (ESI < K of its block) is
 * staged and tracked exactly like a No-Code one (reasm_trk_add).  Repair
 * symbols (ESI >= K) of a block that is still incomplete are held here,
 * in memory, until the block's source and repair symbols reach K; then
 * the source symbols already staged are read back through the sink's
 * read op, the codec (fec_codec_get) rebuilds the missing ones, and they
 * go through reasm_trk_add as if they had been received: the bitmap, the
 * block counts and the sink writes stay the single commit path.
 *
 * Choices worth knowing:
 * - Geometry: FEI 5 uses RFC 5052 partitioning with E and B (K <= 255)
 *   and max_n (n <= 255; a block of k symbols has n = floor(k * max_n /
 *   B), RFC 5510 6.2); FEI 6 uses Partition[Kt, Z] (fec_partition_z)
 *   with one sub-block (N > 1 interleaves the bytes of each symbol, so
 *   even the source symbols could not be placed: refused).  The OTI
 *   comes from EXT_FTI, else the FDT (FEC-OTI-* and, for RaptorQ, the
 *   4-byte Scheme-Specific-Info Z(8) N(16) Al(8)).
 * - A block is decoded as soon as it can be (RaptorQ: tried at K, then
 *   at K+1 and K+2 on FEC_CODEC_EMORE), so whenever unicast repair is
 *   asked for an object, every block FEC could rebuild has been rebuilt
 *   and the missing ranges are only what FEC cannot recover.
 * - At most K - (source received) + margin repair symbols are held per
 *   block (RaptorQ margin 2, RS 0); memory is bounded per object and in
 *   total (reasm_params fec_max_*): beyond, repair symbols are dropped
 *   (counted) and the object relies on carousel repeats and unicast
 *   repair.  A block larger than the per-object bound is never decoded.
 * - Without a codec, a sink read op or room to decode, an object is still
 *   received from its source symbols (counted in fec_no_decode).  A codec
 *   that rejects the parameters (FEC_CODEC_EINVAL) does the same.
 * - The last source symbol of the object may come short (as in FEI 0) or
 *   zero-padded to T (RaptorQ encodes the padded block); both are taken.
 * - Duplicate repair symbols are found with a small open-addressing set
 *   per block, so hostile ESI orders cost no quadratic scans.
 */
#include <stdlib.h>
#include <string.h>

#include "../daemon/log.h"
#include "fec.h"
#include "fec_codec.h"
#include "reasm_int.h"

#define FEC_RS_MAX_K		255u		/* RFC 5510 5: n <= 255 */
#define FEC_RS_MAX_ESI		254u
#define FEC_RQ_MAX_K		56403u		/* RFC 6330 Table 2 */
#define FEC_RQ_MAX_Z		256u
#define FEC_RQ_MAX_ESI		0xFFFFFFu	/* 24-bit ESI */
#define FEC_RQ_MARGIN		2u		/* repair beyond K held */
#define FEC_MIN_CAP		4u

/* Repair symbols held for one incomplete block. */
struct fec_blk {
	UT_hash_handle	hh;
	uint32_t	sbn;
	uint32_t	nrep;		/* held */
	uint32_t	cap;		/* room for */
	uint32_t	*esi;		/* their ESIs, in arrival order */
	uint8_t		*sym;		/* their bytes, T each, same order */
	uint32_t	*set;		/* slot + 1 by ESI hash, 0 = empty */
	uint32_t	bits;		/* the set has 1 << bits entries */
	uint64_t	mem;		/* bytes counted for this block */
};

struct fec_obj {
	const struct fec_codec *codec;	/* NULL: source symbols only */
	uint8_t		fei;
	uint32_t	margin;		/* repair symbols held beyond K */
	uint32_t	max_esi;
	uint32_t	b;		/* RS: B and max_n give each n */
	uint32_t	max_n;
	uint64_t	mem;		/* bytes held by blks */
	struct fec_blk	*blks;		/* by SBN */
};

/* ---- Geometry. ---- */

int
reasm_fec_fei(struct reasm *r, const struct decl *dc,
    const struct pinfo *hint)
{
	int fdt = dc->fei == ALC_FEI_RS8 || dc->fei == ALC_FEI_RAPTORQ;
	int fei = hint != NULL ? hint->fei : fdt ? dc->fei : ALC_FEI_NOCODE;

	/*
	 * An FDT that names another FEI than the packets use describes
	 * another encoding.  Other FEIs with No-Code packets are left alone,
	 * as before FEC was supported.
	 */
	if (dc->fei < 0 || dc->fei == fei || (fei == ALC_FEI_NOCODE && !fdt))
		return fei;
	r->st.fec_bad_oti++;
	return -1;
}

/* RS: B and max_n checked, the RFC 5052 partition in *p; 0 or -1. */
static int
fec_geom_rs(struct fec_obj *f, const struct decl *dc,
    const struct pinfo *hint, uint64_t len, uint32_t e, uint32_t b,
    struct fec_part *p)
{
	uint32_t max_n = hint != NULL && hint->has_fti ? hint->fti_max_n :
	    dc->max_n;

	if (b > FEC_RS_MAX_K || max_n > FEC_RS_MAX_K ||
	    (max_n != 0 && max_n < b) || fec_partition(len, e, b, p) < 0 ||
	    p->a_large > FEC_RS_MAX_K)
		return -1;
	f->b = b;
	f->max_n = max_n;
	f->max_esi = FEC_RS_MAX_ESI;
	return 0;
}

/* RaptorQ: Z, N and Al checked, Partition[Kt, Z] in *p; 0, -1 or -2. */
static int
fec_geom_rq(struct fec_obj *f, const struct decl *dc,
    const struct pinfo *hint, uint64_t len, uint32_t t, struct fec_part *p)
{
	uint32_t z, n, al;

	if (hint != NULL && hint->has_fti) {
		z = hint->fti_z;
		n = hint->fti_n;
		al = hint->fti_al;
	} else if (dc->ssi_len == 4) {
		z = dc->ssi[0];
		n = (uint32_t)dc->ssi[1] << 8 | dc->ssi[2];
		al = dc->ssi[3];
	} else {
		return -2;	/* Wait for a packet with EXT_FTI. */
	}
	if (al == 0 || t % al != 0 || z == 0 || z > FEC_RQ_MAX_Z || n != 1 ||
	    fec_partition_z(len, t, z, p) < 0 || p->a_large > FEC_RQ_MAX_K)
		return -1;
	f->margin = FEC_RQ_MARGIN;
	f->max_esi = FEC_RQ_MAX_ESI;
	return 0;
}

/* Can o's blocks be decoded here?  Else it is received source-only. */
static void
fec_pick_codec(struct reasm *r, struct obj *o, const struct decl *dc)
{
	struct fec_obj *f = o->fec;
	const struct fec_codec *c = fec_codec_get(f->fei);
	const struct fec_part *p = &o->trk.part;
	const char *why = NULL;

	if (c == NULL)
		why = "no codec";
	else if (r->sink->read == NULL)
		why = "the sink cannot read back";
	else if (r->p.fec_max_object_bytes == 0)
		why = "FEC decoding turned off";
	else if (p->a_large > c->max_k || (uint64_t)p->a_large * p->e >
	    r->p.fec_max_object_bytes)
		why = "source blocks too large";
	if (why == NULL) {
		f->codec = c;
		return;
	}
	r->st.fec_no_decode++;
	log_warnx_rl("reasm: TOI %llu: FEI %u received without FEC: %s",
	    (unsigned long long)dc->toi.lo, f->fei, why);
}

int
reasm_fec_init(struct reasm *r, struct obj *o, uint8_t fei,
    const struct decl *dc, const struct pinfo *hint, uint64_t len,
    uint32_t e, uint32_t b)
{
	struct fec_part p;
	int rc;

	if ((o->fec = calloc(1, sizeof(*o->fec))) == NULL)
		return -1;
	o->fec->fei = fei;
	rc = fei == ALC_FEI_RS8 ? fec_geom_rs(o->fec, dc, hint, len, e, b, &p) :
	    fei == ALC_FEI_RAPTORQ ? fec_geom_rq(o->fec, dc, hint, len, e, &p) :
	    -1;
	if (rc == 0 && reasm_trk_setup(&o->trk, &p) < 0)
		rc = -1;
	if (rc < 0) {
		if (rc == -1) {
			r->st.fec_bad_oti++;
			log_warnx_rl("reasm: TOI %llu: FEI %u OTI unusable "
			    "(E/T %u, B %u)", (unsigned long long)dc->toi.lo,
			    fei, e, b);
		}
		free(o->fec);
		o->fec = NULL;
		return rc;
	}
	fec_pick_codec(r, o, dc);
	return 0;
}

/* ---- Repair symbols held per block. ---- */

/* Bytes a block with room for cap symbols of t bytes is counted for. */
static uint64_t
blk_bytes(uint32_t cap, uint32_t t, uint32_t *bits)
{
	uint32_t b = 1;

	while ((1u << b) < 2 * cap)
		b++;
	*bits = b;
	return sizeof(struct fec_blk) + (uint64_t)cap * (t + sizeof(uint32_t)) +
	    ((uint64_t)1 << b) * sizeof(uint32_t);
}

/* Within the per-object and total bounds after more bytes? */
static int
fec_mem_ok(const struct reasm *r, const struct fec_obj *f, uint64_t more)
{
	return f->mem + more <= r->p.fec_max_object_bytes &&
	    r->st.fec_bytes_now + more <= r->p.fec_max_total_bytes;
}

static void
fec_mem_add(struct reasm *r, struct fec_obj *f, struct fec_blk *bk,
    uint64_t n)
{
	bk->mem += n;
	f->mem += n;
	r->st.fec_bytes_now += n;
}

static void
blk_free(struct reasm *r, struct fec_obj *f, struct fec_blk *bk)
{
	HASH_DEL(f->blks, bk);
	f->mem -= bk->mem;
	r->st.fec_bytes_now -= bk->mem;
	free(bk->esi);
	free(bk->sym);
	free(bk->set);
	free(bk);
}

static struct fec_blk *
blk_find(const struct fec_obj *f, uint32_t sbn)
{
	struct fec_blk *bk;

	HASH_FIND(hh, f->blks, &sbn, sizeof(sbn), bk);
	return bk;
}

static struct fec_blk *
blk_new(struct reasm *r, struct fec_obj *f, uint32_t sbn)
{
	struct fec_blk *bk;

	if (!fec_mem_ok(r, f, sizeof(*bk)) ||
	    (bk = calloc(1, sizeof(*bk))) == NULL)
		return NULL;
	bk->sbn = sbn;
	HASH_ADD(hh, f->blks, sbn, sizeof(bk->sbn), bk);
	if (bk->hh.tbl == NULL) {
		free(bk);
		return NULL;
	}
	fec_mem_add(r, f, bk, sizeof(*bk));
	return bk;
}

/* Fibonacci hashing on the high bits: consecutive ESIs spread out. */
static uint32_t
esi_slot(uint32_t esi, uint32_t bits)
{
	return (uint32_t)(esi * 2654435761u) >> (32 - bits);
}

/* Slot of esi among bk's repair symbols, or -1. */
static long
blk_lookup(const struct fec_blk *bk, uint32_t esi)
{
	uint32_t mask, i;

	if (bk->set == NULL)
		return -1;
	mask = (1u << bk->bits) - 1;
	for (i = esi_slot(esi, bk->bits); bk->set[i] != 0; i = (i + 1) & mask)
		if (bk->esi[bk->set[i] - 1] == esi)
			return (long)bk->set[i] - 1;
	return -1;
}

static void
blk_index(struct fec_blk *bk, uint32_t slot)
{
	uint32_t mask = (1u << bk->bits) - 1;
	uint32_t i = esi_slot(bk->esi[slot], bk->bits);

	while (bk->set[i] != 0)
		i = (i + 1) & mask;
	bk->set[i] = slot + 1;
}

/* Room for cap symbols of t bytes (cap > bk->cap); 0, or -1 unchanged. */
static int
blk_resize(struct reasm *r, struct fec_obj *f, struct fec_blk *bk,
    uint32_t cap, uint32_t t)
{
	uint32_t bits, *esi, *set, i;
	uint64_t want = blk_bytes(cap, t, &bits), have = bk->mem;
	uint8_t *sym;

	if (want < have || !fec_mem_ok(r, f, want - have))
		return -1;
	if ((set = calloc((size_t)1 << bits, sizeof(*set))) == NULL)
		return -1;
	if ((esi = realloc(bk->esi, (size_t)cap * sizeof(*esi))) != NULL)
		bk->esi = esi;
	if (esi == NULL || (sym = realloc(bk->sym, (size_t)cap * t)) == NULL) {
		free(set);
		return -1;
	}
	bk->sym = sym;
	free(bk->set);
	bk->set = set;
	bk->bits = bits;
	bk->cap = cap;
	for (i = 0; i < bk->nrep; i++)
		blk_index(bk, i);
	fec_mem_add(r, f, bk, want - have);
	return 0;
}

/* Append a repair symbol; room grows by doubling up to lim. 0 or -1. */
static int
blk_push(struct reasm *r, struct fec_obj *f, struct fec_blk *bk,
    uint32_t esi, const uint8_t *sym, uint32_t t, uint32_t lim)
{
	uint32_t cap = bk->cap < FEC_MIN_CAP ? FEC_MIN_CAP : 2 * bk->cap;

	if (cap > lim)
		cap = lim;
	if (bk->nrep == bk->cap && (cap <= bk->cap || blk_resize(r, f, bk,
	    cap, t) < 0) && blk_resize(r, f, bk, bk->cap + 1, t) < 0)
		return -1;
	bk->esi[bk->nrep] = esi;
	memcpy(bk->sym + (size_t)bk->nrep * t, sym, t);
	blk_index(bk, bk->nrep);
	bk->nrep++;
	return 0;
}

/* Keep repair symbol esi of block sbn if it may help; counted either way. */
static void
fec_repair_add(struct reasm *r, struct obj *o, uint32_t sbn, uint32_t esi,
    const uint8_t *sym)
{
	struct fec_obj *f = o->fec;
	uint32_t k = fec_block_len(&o->trk.part, sbn), got = o->trk.got[sbn];
	uint32_t lim = k - got + f->margin;
	struct fec_blk *bk;

	if (f->codec == NULL || esi > f->codec->max_esi) {
		r->st.fec_repair_dropped++;
		return;
	}
	bk = blk_find(f, sbn);
	if (bk != NULL && blk_lookup(bk, esi) >= 0) {
		r->st.duplicate_symbols++;
		return;
	}
	if (got >= k || (bk != NULL && bk->nrep >= lim)) {
		r->st.fec_repair_unneeded++;
		return;
	}
	if ((bk == NULL && (bk = blk_new(r, f, sbn)) == NULL) ||
	    blk_push(r, f, bk, esi, sym, o->trk.part.e, lim) < 0) {
		r->st.fec_repair_dropped++;
		if (bk != NULL && bk->nrep == 0)
			blk_free(r, f, bk);
		return;
	}
	r->st.fec_repair_held++;
}

int
reasm_fec_decodes(const struct obj *o)
{
	return o->fec != NULL && o->fec->codec != NULL;
}

void
reasm_fec_free(struct reasm *r, struct obj *o)
{
	struct fec_blk *bk, *tmp;

	if (o->fec == NULL)
		return;
	HASH_ITER(hh, o->fec->blks, bk, tmp)
		blk_free(r, o->fec, bk);
	free(o->fec);
	o->fec = NULL;
}

/* ---- Decoding. ---- */

static int
trk_has(const struct symtrack *t, uint64_t idx)
{
	return (t->bits[idx >> 3] >> (idx & 7)) & 1;
}

/* Bytes of source symbols [i, j) of block sbn (only the last is short). */
static size_t
run_bytes(const struct fec_part *p, uint32_t sbn, uint32_t i, uint32_t j)
{
	return (size_t)(j - i - 1) * p->e + fec_symbol_size(p, sbn, j - 1);
}

/*
 * The end of the run of symbols from i of block sbn (k symbols) that are
 * all received (want 1) or all missing (want 0).
 */
static uint32_t
run_end(const struct symtrack *t, uint32_t sbn, uint32_t k, uint32_t i,
    int want)
{
	uint64_t idx = fec_symbol_index(&t->part, sbn, i);

	while (i < k && trk_has(t, idx) == want) {
		i++;
		idx++;
	}
	return i;
}

/* Read the staged source symbols of block sbn into src; mark have[]. */
static int
fec_read_block(struct reasm *r, struct obj *o, uint32_t sbn, uint32_t k,
    uint8_t *src, uint8_t *have)
{
	const struct fec_part *p = &o->trk.part;
	uint32_t i = 0, j;

	while (i < k) {
		if ((j = run_end(&o->trk, sbn, k, i, 1)) == i) {
			i = run_end(&o->trk, sbn, k, i, 0);
			continue;
		}
		memset(have + i, 1, j - i);
		if (r->sink->read(r->sink->ctx, o->h, fec_symbol_offset(p, sbn,
		    i), src + (size_t)i * p->e, run_bytes(p, sbn, i, j)) < 0)
			return -1;
		i = j;
	}
	return 0;
}

/* Put the rebuilt symbols (have[i] == 0) through the commit path. */
static int
fec_put_block(struct reasm *r, struct obj *o, uint32_t sbn, uint32_t k,
    const uint8_t *src)
{
	const struct fec_part *p = &o->trk.part;
	struct pinfo pi;
	uint32_t i = 0, j;

	memset(&pi, 0, sizeof(pi));
	pi.sbn = sbn;
	while (i < k) {
		if ((j = run_end(&o->trk, sbn, k, i, 0)) == i) {
			i = run_end(&o->trk, sbn, k, i, 1);
			continue;
		}
		pi.esi = i;
		pi.payload = src + (size_t)i * p->e;
		pi.len = run_bytes(p, sbn, i, j);
		if (reasm_trk_add(r, &o->trk, &pi, (long)(j - i),
		    reasm_obj_put, o) < 0)
			return -1;
		r->st.fec_symbols_recovered += j - i;
		i = j;
	}
	return 0;
}

/*
 * The code length n for the codec: RS blocks of k symbols have n =
 * floor(k * max_n / B) (RFC 5510 6.2), raised to cover every ESI held
 * (a sender that counts n otherwise); RaptorQ ignores it.
 */
static uint32_t
fec_code_n(const struct fec_obj *f, const struct fec_blk *bk, uint32_t k)
{
	uint32_t n = k, i;

	if (f->max_n != 0 && f->b != 0)
		n = (uint32_t)((uint64_t)k * f->max_n / f->b);
	for (i = 0; i < bk->nrep; i++)
		if (bk->esi[i] >= n)
			n = bk->esi[i] + 1;
	return n;
}

/* A decode failed: drop what bk holds; parameters refused: no more FEC. */
static void
fec_fail(struct reasm *r, struct obj *o, struct fec_blk *bk, int rc)
{
	struct fec_blk *b2, *tmp;

	r->st.fec_decode_failed++;
	blk_free(r, o->fec, bk);
	if (rc != FEC_CODEC_EINVAL)
		return;
	log_warnx_rl("reasm: TOI %llu: %s codec refused the block "
	    "parameters, received without FEC", (unsigned long long)
	    o->decl->toi.lo, o->fec->codec->name);
	r->st.fec_no_decode++;
	o->fec->codec = NULL;
	HASH_ITER(hh, o->fec->blks, b2, tmp)
		blk_free(r, o->fec, b2);
}

/*
 * Decode block bk (source + repair held >= K).  On FEC_CODEC_EMORE with
 * room for more repair symbols it waits; any other failure drops the
 * repair symbols held (new ones may succeed).  0, or -1 if the sink
 * failed a write (the caller aborts the object).
 */
static int
fec_decode(struct reasm *r, struct obj *o, struct fec_blk *bk, uint32_t k)
{
	const struct fec_codec *c = o->fec->codec;
	uint32_t t = o->trk.part.e, sbn = bk->sbn;
	uint8_t *src = calloc(k, t), *have = calloc(k, 1);
	int rc = FEC_CODEC_ENOMEM, ret = 0;

	if (src == NULL || have == NULL)
		goto out;	/* Tried again with the next symbol. */
	if (fec_read_block(r, o, sbn, k, src, have) < 0) {
		r->st.sink_errors++;
		fec_fail(r, o, bk, FEC_CODEC_ENOMEM);
		goto out;
	}
	rc = c->decode(src, have, k, fec_code_n(o->fec, bk, k), t, bk->esi,
	    bk->sym, bk->nrep);
	if (rc == FEC_CODEC_EMORE &&
	    bk->nrep < k - o->trk.got[sbn] + o->fec->margin)
		goto out;
	if (rc != 0) {
		fec_fail(r, o, bk, rc);
		goto out;
	}
	blk_free(r, o->fec, bk);
	r->st.fec_blocks_decoded++;
	ret = fec_put_block(r, o, sbn, k, src);
out:
	free(src);
	free(have);
	return ret;
}

/* Block sbn got a symbol: free its repair if complete, decode if it can. */
static int
fec_try(struct reasm *r, struct obj *o, uint32_t sbn)
{
	struct fec_blk *bk = blk_find(o->fec, sbn);
	uint32_t k = fec_block_len(&o->trk.part, sbn), got;

	if (bk == NULL)
		return 0;
	got = o->trk.got[sbn];
	if (got >= k) {
		blk_free(r, o->fec, bk);
		return 0;
	}
	if (got + bk->nrep < k || o->fec->codec == NULL)
		return 0;
	return fec_decode(r, o, bk, k);
}

/* ---- Packets. ---- */

/*
 * How pi splits at (sbn, esi): *nsrc source symbols in its first *srclen
 * bytes (the object's last symbol short, or zero-padded to T), then
 * *nrep repair symbols of T bytes.  0, or -1 unless it splits exactly.
 */
static int
fec_split(const struct obj *o, const struct pinfo *pi, long *nsrc,
    size_t *srclen, uint32_t *nrep)
{
	const struct fec_part *p = &o->trk.part;
	uint32_t k = fec_block_len(p, pi->sbn), esi = pi->esi, sz;
	size_t off = 0;

	*nsrc = 0;
	if (pi->fei != o->fec->fei || k == 0 || pi->len == 0)
		return -1;
	for (; off < pi->len && esi < k; esi++, (*nsrc)++) {
		sz = fec_symbol_size(p, pi->sbn, esi);
		if (pi->len - off < sz)
			return -1;
		off += pi->len - off >= p->e ? p->e : sz;
	}
	*srclen = off;
	if ((pi->len - off) % p->e != 0)
		return -1;
	*nrep = (uint32_t)((pi->len - off) / p->e);
	if (*nrep > 0 && (uint64_t)esi + *nrep - 1 > o->fec->max_esi)
		return -1;
	return 0;
}

long
reasm_fec_count(const struct obj *o, const struct pinfo *pi)
{
	uint32_t nrep;
	size_t srclen;
	long nsrc;

	return fec_split(o, pi, &nsrc, &srclen, &nrep) < 0 ? -1 : nsrc;
}

int
reasm_fec_add(struct reasm *r, struct obj *o, const struct pinfo *pi)
{
	uint32_t nrep, i, t = o->trk.part.e;
	struct pinfo src = *pi;
	size_t srclen;
	long nsrc;

	if (fec_split(o, pi, &nsrc, &srclen, &nrep) < 0)
		return 0;	/* Checked by reasm_fec_count already. */
	src.len = srclen;
	if (nsrc > 0 && reasm_trk_add(r, &o->trk, &src, nsrc, reasm_obj_put,
	    o) < 0)
		return -1;
	for (i = 0; i < nrep; i++)
		fec_repair_add(r, o, pi->sbn, pi->esi + (uint32_t)nsrc + i,
		    pi->payload + srclen + (size_t)i * t);
	return fec_try(r, o, pi->sbn);
}
