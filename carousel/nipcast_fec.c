/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipcast_fec.c: objects sent with --fec rs (FEI 5, Reed-Solomon over
 * GF(2^8), RFC 5510 section 5) or --fec raptorq (FEI 6, RFC 6330), with
 * --overhead percent of repair symbols.  The codecs are fec_codec.h's.
 *
 * Geometry, from the object's length and the options alone, so that the
 * FDT (nc_fec_file), EXT_FTI (nc_fec_header) and the packets agree:
 *
 * - RS: n <= 255 per block, so B is the largest k with k + ceil(k *
 *   overhead / 100) <= 255 (or --block if smaller), blocks by RFC 5052
 *   9.1 (fec_partition).  The B announced is the object's largest block,
 *   when that partitions it the same way, and max_n = B + ceil(B *
 *   overhead / 100).  Each block of k symbols then has n = floor(k *
 *   max_n / B) encoding symbols (RFC 5510 section 6.2, as the receiver
 *   computes it): a full block gets exactly its ceil(k * overhead / 100)
 *   repair symbols, a block one symbol shorter at most one fewer.
 * - RaptorQ: N = 1 sub-block; Al = 4 when T is a multiple of 4, else 1;
 *   Z = ceil(Kt / 1024) blocks (Partition[Kt, Z]), fewer symbols per
 *   block for symbols above 16 KiB so that a block stays within 16 MiB.
 *   A receiver decodes a block in memory (nipcached up to 32 MiB by
 *   default), so blocks stay small.  Z has 8 bits: an object that would
 *   need more than 255 blocks gets 255 bigger ones, up to RFC 6330's
 *   56403 symbols and 64 MiB a block; beyond that it is refused.
 *   Repair symbols per block: ceil(K * overhead / 100).
 *
 * Order: block by block, each block's source symbols as they are
 * (systematic), one per packet, then its repair symbols (with --shuffle,
 * the block's packets in a seeded random order instead).  A block is read
 * and encoded once per send and its buffers are reused for the next one.
 * The last source symbol of an object goes out short for RS, as in
 * No-Code, and zero-padded to T for RaptorQ (RFC 6330 4.4.2: encoding
 * symbols are T bytes).  On each later send of the same object, RaptorQ
 * sends fresh repair ESIs following the previous send's, so a receiver
 * that missed symbols gains new equations every cycle; RS has only
 * n - k repair symbols and sends the same ones again.
 */
#include <stdlib.h>
#include <string.h>

#include "../daemon/log.h"
#include "fec_codec.h"
#include "nipcast.h"

#define RS_MAX_N	255u		/* RFC 5510 section 5: n <= 2^8 - 1 */
#define RS_MAX_BLOCKS	(1ull << 24)	/* the SBN has 24 bits */
#define RQ_MAX_K	56403u		/* RFC 6330 Table 2 */
#define RQ_MAX_Z	255u		/* Z has 8 bits in the OTI */
#define RQ_MAX_F	((1ull << 40) - 1)
#define RQ_ESI_SPACE	(1u << 24)	/* the ESI has 24 bits */
#define RQ_BLOCK_BYTES	(16u << 20)	/* a normal block at most */
#define RQ_MAX_BLOCK_BYTES (64ull << 20) /* a raised block at most */

/* ceil(k * overhead / 100). */
static uint32_t
repair_for(uint32_t k, uint32_t overhead)
{
	return (uint32_t)(((uint64_t)k * overhead + 99) / 100);
}

int
nc_fec_scheme(const char *name)
{
	if (strcmp(name, "none") == 0)
		return FTX_FEI_NOCODE;
	if (strcmp(name, "rs") == 0)
		return FTX_FEI_RS8;
	if (strcmp(name, "raptorq") == 0)
		return FTX_FEI_RAPTORQ;
	return -1;
}

const char *
nc_fec_name(uint8_t fei)
{
	switch (fei) {
	case FTX_FEI_NOCODE: return "none";
	case FTX_FEI_RS8: return "rs";
	case FTX_FEI_RAPTORQ: return "raptorq";
	default: return "?";
	}
}

uint32_t
nc_fec_rs_max_b(uint32_t overhead)
{
	uint32_t k = RS_MAX_N;

	while (k > 1 && k + repair_for(k, overhead) > RS_MAX_N)
		k--;
	return k;
}

static int
oti_rs(const struct nc_opts *o, uint64_t len, struct nc_fec_oti *f)
{
	uint32_t b = nc_fec_rs_max_b(o->overhead);
	struct fec_part q;

	if (o->block_given && o->max_sbl < b)
		b = o->max_sbl;
	if (len > FTX_MAX_TRANSFER || fec_partition(len, f->e, b,
	    &f->part) < 0 || f->part.n > RS_MAX_BLOCKS)
		return -1;
	if (f->part.t > 0 && fec_partition(len, f->e, f->part.a_large,
	    &q) == 0 && q.n == f->part.n && q.a_large == f->part.a_large) {
		b = q.a_large;
		f->part = q;
	}
	f->b = b;
	f->max_n = b + repair_for(b, o->overhead);
	return 0;
}

static int
oti_rq(const struct nc_opts *o, uint64_t len, struct nc_fec_oti *f)
{
	uint64_t kt = len / f->e + (len % f->e != 0), z;
	uint32_t kmax = o->block_given ? o->max_sbl : NC_FEC_RQ_BLOCK;

	if (!o->block_given && (uint64_t)kmax * f->e > RQ_BLOCK_BYTES)
		kmax = RQ_BLOCK_BYTES / f->e;
	if (kmax > RQ_MAX_K)
		kmax = RQ_MAX_K;
	if (len > RQ_MAX_F || kmax == 0)
		return -1;
	z = kt == 0 ? 1 : (kt + kmax - 1) / kmax;
	if (z > RQ_MAX_Z)
		z = RQ_MAX_Z;		/* fewer, bigger blocks */
	if (fec_partition_z(len, f->e, (uint32_t)z, &f->part) < 0 ||
	    f->part.a_large > RQ_MAX_K ||
	    (uint64_t)f->part.a_large * f->e > RQ_MAX_BLOCK_BYTES)
		return -1;
	f->z = (uint8_t)z;
	f->n = 1;
	f->al = f->e % 4 == 0 ? 4 : 1;
	f->b = f->part.a_large;
	f->max_n = f->b + repair_for(f->b, o->overhead);
	return 0;
}

int
nc_fec_oti(const struct nc_opts *o, uint64_t len, struct nc_fec_oti *f)
{
	memset(f, 0, sizeof(*f));
	f->fei = o->fec;
	f->e = o->symbol_len;
	f->overhead = o->overhead;
	if (f->e == 0)
		return -1;
	switch (o->fec) {
	case FTX_FEI_RS8:
		return oti_rs(o, len, f);
	case FTX_FEI_RAPTORQ:
		return oti_rq(o, len, f);
	default:
		return -1;
	}
}

uint32_t
nc_fec_nrep(const struct nc_fec_oti *f, uint32_t sbn)
{
	uint32_t k = fec_block_len(&f->part, sbn);

	if (k == 0)
		return 0;
	if (f->fei == FTX_FEI_RS8)
		return (uint32_t)((uint64_t)k * f->max_n / f->b) - k;
	return repair_for(k, f->overhead);
}

uint32_t
nc_fec_esi0(const struct nc_fec_oti *f, uint32_t k, uint32_t nrep,
    uint64_t round)
{
	uint64_t slots;

	if (f->fei != FTX_FEI_RAPTORQ || nrep == 0 || k >= RQ_ESI_SPACE)
		return k;
	/* Whole rounds of nrep ESIs fit below 2^24; then it starts over. */
	slots = (RQ_ESI_SPACE - k) / nrep;
	if (slots == 0)
		return k;
	return k + (uint32_t)(round % slots * nrep);
}

uint64_t
nc_fec_packets(const struct nc_fec_oti *f)
{
	const struct fec_part *p = &f->part;
	uint64_t n = p->t;

	/* The first i_large blocks have one size, the others another. */
	if (p->n > 0) {
		n += (uint64_t)p->i_large * nc_fec_nrep(f, 0);
		n += (uint64_t)(p->n - p->i_large) * nc_fec_nrep(f, p->n - 1);
	}
	return n > 0 ? n : 1;
}

void
nc_fec_header(const struct nc_fec_oti *f, struct ftx_pkt *h)
{
	h->fei = f->fei;
	h->transfer_len = f->part.len;
	h->symbol_len = f->e;
	if (f->fei == FTX_FEI_RS8) {
		h->max_sbl = f->b;
		h->max_n = (uint16_t)f->max_n;
	} else {
		h->max_sbl = 0;
		h->z = f->z;
		h->sub_blocks = f->n;
		h->al = f->al;
	}
}

void
nc_fec_file(const struct nc_fec_oti *f, struct ftx_file *file)
{
	file->fei = f->fei;
	file->max_sbl = f->b;
	file->symbol_len = f->e;
	file->max_n = f->max_n;
	file->ssi_len = 0;
	if (f->fei == FTX_FEI_RAPTORQ) {
		/* RFC 6330 3.3.3: Z(8) N(16) Al(8). */
		file->ssi_len = 4;
		file->ssi[0] = f->z;
		file->ssi[1] = (uint8_t)(f->n >> 8);
		file->ssi[2] = (uint8_t)f->n;
		file->ssi[3] = f->al;
	}
}

/* One send of an object: the block being sent and where we are. */
struct fec_run {
	const struct nc_opts	*o;
	const struct nc_obj	*ob;
	const struct nc_fec_oti	*f;
	const struct fec_codec	*codec;
	struct nc_fdt	*fdt;
	int		fd;
	int		fti;		/* EXT_FTI on the first packet */
	int		short_read;
	struct ftx_pkt	hdr;		/* template: TSI, TOI, OTI */
	uint64_t	sent;		/* packets so far */
	uint64_t	npk;		/* in all */
	/* The current block: k source symbols, then nrep repair. */
	uint32_t	sbn, k, nrep, esi0;
	uint8_t		*src;		/* k * e bytes, zero-padded */
	uint8_t		*rep;		/* nrep * e bytes */
	struct ftx_perm	perm;		/* --shuffle: order in the block */
};

/* Buffers for the largest block (block 0 is one of the largest). */
static int
run_alloc(struct fec_run *r)
{
	size_t e = r->f->e;

	r->src = malloc((size_t)r->f->part.a_large * e);
	r->rep = malloc(((size_t)nc_fec_nrep(r->f, 0) + 1) * e);
	if (r->src == NULL || r->rep == NULL) {
		log_warn("%s: FEC buffers", r->ob->location);
		return -1;
	}
	return 0;
}

/* Read block sbn, pad it with zeros to k * e bytes, encode its repair. */
static int
run_block(struct fec_run *r, uint32_t sbn)
{
	const struct fec_part *p = &r->f->part;
	size_t e = r->f->e, bytes;
	int rc;

	r->sbn = sbn;
	r->k = fec_block_len(p, sbn);
	r->nrep = nc_fec_nrep(r->f, sbn);
	r->esi0 = nc_fec_esi0(r->f, r->k, r->nrep, r->ob->sends);
	bytes = (size_t)(r->k - 1) * e + fec_symbol_size(p, sbn, r->k - 1);
	if (nc_src_read(&r->ob->src, r->fd, fec_symbol_offset(p, sbn, 0),
	    r->src, bytes) < 0)
		r->short_read = 1;
	memset(r->src + bytes, 0, (size_t)r->k * e - bytes);
	rc = r->codec->encode(r->src, r->k, r->k + r->nrep, r->f->e, r->esi0,
	    r->nrep, r->rep);
	if (rc != 0) {
		log_warnx_rl("%s: %s encoding of block %u failed (%d)",
		    r->ob->location, r->codec->name, sbn, rc);
		return -1;
	}
	if (r->o->shuffle)
		ftx_perm_init(&r->perm, (uint64_t)r->k + r->nrep, r->o->seed ^
		    ((uint64_t)r->ob->toi * 0xd6e8feb86659fd93ull) ^
		    ((uint64_t)sbn << 32) ^ r->ob->sends);
	return 0;
}

/* Header and payload of packet j (0 .. k + nrep - 1) of the block. */
static void
run_packet(struct fec_run *r, uint32_t j, struct ftx_pkt *h,
    const uint8_t **pl, size_t *len)
{
	uint32_t i = r->o->shuffle ? (uint32_t)ftx_perm_at(&r->perm, j) : j;
	size_t e = r->f->e;

	*h = r->hdr;
	h->sbn = r->sbn;
	if (i < r->k) {
		h->esi = i;
		*pl = r->src + (size_t)i * e;
		*len = r->f->fei == FTX_FEI_RS8 ?
		    fec_symbol_size(&r->f->part, r->sbn, i) : e;
	} else {
		h->esi = r->esi0 + (i - r->k);
		*pl = r->rep + (size_t)(i - r->k) * e;
		*len = e;
	}
	h->has_fti = r->sent == 0 && r->fti;
	h->close_object = r->sent + 1 == r->npk;
	r->sent++;
}

/* Every packet of the current block, then out before its buffers go. */
static int
run_send_block(struct fec_run *r)
{
	const uint8_t *pl;
	struct ftx_pkt h;
	uint32_t j;
	size_t len;
	int rc = 0;

	for (j = 0; j < r->k + r->nrep && rc == 0 && !nc_stopping(); j++) {
		rc = nc_tx_fdt_due(r->fdt);
		run_packet(r, j, &h, &pl, &len);
		if (rc == 0)
			rc = nc_tx_queue(&h, pl, len);
	}
	return rc == 0 ? nc_tx_flush() : rc;
}

/* An empty object: one packet without payload, for the B flag. */
static int
run_empty(struct fec_run *r)
{
	static const uint8_t none[1];	/* iovecs never point at NULL */
	struct ftx_pkt h = r->hdr;

	h.has_fti = (uint8_t)r->fti;
	h.close_object = 1;
	return nc_tx_queue(&h, none, 0);
}

static int
run_init(struct fec_run *r, const struct nc_opts *o, const struct nc_obj *ob,
    const struct nc_fec_oti *f)
{
	memset(r, 0, sizeof(*r));
	r->o = o;
	r->ob = ob;
	r->f = f;
	r->npk = nc_fec_packets(f);
	r->hdr.tsi = o->tsi;
	r->hdr.toi = ob->toi;
	nc_fec_header(f, &r->hdr);
	if ((r->codec = fec_codec_get(f->fei)) == NULL)
		return -1;
	return f->part.t > 0 ? run_alloc(r) : 0;
}

int
nc_fec_send(const struct nc_opts *o, const struct nc_obj *ob, int fd,
    struct nc_fdt *f, int fti)
{
	struct nc_fec_oti fo;
	struct fec_run r;
	uint32_t sbn;
	int rc = 0;

	if (nc_fec_oti(o, ob->src.len, &fo) < 0) {
		log_warnx_rl("%s: %llu bytes, too big for --fec %s: skipped",
		    ob->location, (unsigned long long)ob->src.len,
		    nc_fec_name(o->fec));
		return 0;
	}
	if (run_init(&r, o, ob, &fo) < 0)
		goto out;
	r.fd = fd;
	r.fdt = f;
	r.fti = fti;
	/* No symbols, no blocks (and no buffers: run_init made none). */
	if (fo.part.t == 0) {
		rc = run_empty(&r);
		goto out;
	}
	for (sbn = 0; sbn < fo.part.n && rc == 0 && !nc_stopping(); sbn++) {
		if (run_block(&r, sbn) < 0)
			break;		/* logged; the object is skipped */
		rc = run_send_block(&r);
	}
	if (r.short_read)
		log_warnx_rl("%s: file shrank while being sent; zeros sent",
		    ob->location);
out:
	free(r.src);
	free(r.rep);
	return rc;
}
