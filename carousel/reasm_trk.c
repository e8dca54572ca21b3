/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reasm_trk.c: which source symbols of an object (or FDT instance) were
 * received, laid out by its block partitioning (RFC 5052 9.1, or RFC
 * 6330 4.4.1 for RaptorQ: the same struct fec_part).  One bit per
 * source symbol and a count per block; a block is complete when its
 * count reaches its length, the object when no block is left.  New runs
 * of symbols go to a put() callback, so staging (or the FDT buffer) and
 * FEC recovery share one commit path.  State and callers: reasm_int.h.
 */
#include <stdlib.h>
#include <string.h>

#include "fec.h"
#include "reasm_int.h"

/*
 * 0, or -1 when the partition is beyond our bounds (the bitmap size, the
 * 16-bit block and symbol numbers of FEI 0, which also bound FEI 5 and 6
 * well above their own limits) or on ENOMEM.
 */
int
reasm_trk_setup(struct symtrack *t, const struct fec_part *p)
{
	memset(t, 0, sizeof(*t));
	if (p->t > REASM_MAX_SYMBOLS || p->n > REASM_FEI0_SPACE ||
	    p->a_large > REASM_FEI0_SPACE)
		return -1;
	t->part = *p;
	t->bits = calloc(t->part.t / 8 + 1, 1);
	t->got = calloc((size_t)t->part.n + 1, sizeof(*t->got));
	if (t->bits == NULL || t->got == NULL) {
		reasm_trk_free(t);
		return -1;
	}
	t->blocks_left = t->part.n;
	return 0;
}

/* 0, or -1 when the geometry is invalid or beyond our bounds. */
int
reasm_trk_init(struct symtrack *t, uint64_t len, uint32_t e, uint32_t b)
{
	struct fec_part p;

	memset(t, 0, sizeof(*t));
	if (fec_partition(len, e, b, &p) < 0)
		return -1;
	return reasm_trk_setup(t, &p);
}

void
reasm_trk_free(struct symtrack *t)
{
	free(t->bits);
	free(t->got);
	t->bits = NULL;
	t->got = NULL;
}

/*
 * Number of whole symbols in a payload of len bytes that starts at (sbn,
 * esi), or -1 unless it splits exactly into symbols of that block (all E
 * bytes, the last symbol of the object possibly shorter).
 */
long
reasm_trk_count(const struct symtrack *t, uint32_t sbn, uint32_t esi,
    size_t len)
{
	uint32_t blen = fec_block_len(&t->part, sbn);
	size_t off = 0;
	long k = 0;

	if (len == 0 || esi >= blen)
		return -1;
	while (off < len) {
		uint32_t sz;

		if ((uint64_t)esi + (uint64_t)k >= blen)
			return -1;
		sz = fec_symbol_size(&t->part, sbn, esi + (uint32_t)k);
		if (sz == 0 || len - off < sz)
			return -1;
		off += sz;
		k++;
	}
	return k;
}

/*
 * Record k validated symbols from (sbn, esi).  Each run of new symbols is
 * contiguous in the object and goes to put() in one call; duplicates are
 * counted and not rewritten.  Returns 0, or -1 if put() failed.
 */
int
reasm_trk_add(struct reasm *r, struct symtrack *t, const struct pinfo *pi,
    long k, put_fn put, void *ctx)
{
	uint64_t idx = fec_symbol_index(&t->part, pi->sbn, pi->esi);
	uint64_t off0 = idx * t->part.e;
	uint32_t blen = fec_block_len(&t->part, pi->sbn);
	size_t pos = 0, run = 0, runlen = 0;
	long i;

	for (i = 0; i < k; i++, idx++) {
		uint32_t sz = fec_symbol_size(&t->part, pi->sbn,
		    pi->esi + (uint32_t)i);
		uint8_t bit = (uint8_t)(1u << (idx & 7));

		if (t->bits[idx >> 3] & bit) {
			r->st.duplicate_symbols++;
			if (runlen > 0 && put(r, ctx, off0 + run,
			    pi->payload + run, runlen) < 0)
				return -1;
			runlen = 0;
		} else {
			t->bits[idx >> 3] |= bit;
			if (++t->got[pi->sbn] == blen)
				t->blocks_left--;
			if (runlen == 0)
				run = pos;
			runlen += sz;
		}
		pos += sz;
	}
	if (runlen > 0 && put(r, ctx, off0 + run, pi->payload + run,
	    runlen) < 0)
		return -1;
	return 0;
}
