/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * alc.c: fuzz target for the LCT/ALC packet parser (carousel/alc.c) and,
 * behind it, the EXT_FTI decoder and source block partitioning
 * (carousel/fec.c), as one received UDP payload reaches them.
 *
 * Invariants: a parsed packet's header and symbol lie inside the input
 * and its lengths follow the flags; a decoded FTI gives a partition whose
 * blocks add up to the object and whose symbols lie inside it.
 */
#include "fuzz.h"
#include "../../carousel/alc.h"
#include "../../carousel/fec.h"

static void
fuzz_alc_fields(const uint8_t *data, size_t size, const struct alc_pkt *p)
{
	FUZZ_CHECK(p->version == 1);
	FUZZ_CHECK(p->hdr_len <= size);
	FUZZ_CHECK(p->hdr_len >= 4 + p->cci_len + p->tsi_len + p->toi_len);
	FUZZ_CHECK(p->tsi_len > 0 && p->tsi_len <= 16);
	FUZZ_CHECK(p->toi_len > 0 && p->toi_len <= 16);
	FUZZ_CHECK(p->payload >= data + p->hdr_len);
	FUZZ_CHECK(p->payload + p->payload_len == data + size);
	FUZZ_CHECK((size_t)(p->payload - data) == p->hdr_len + p->fpi_len);
	if (p->fpi_len == 0)
		FUZZ_CHECK(p->payload_len == 0 &&
		    (p->close_session || p->close_object));
	if (p->has_fti)
		FUZZ_CHECK(p->fti >= data && p->fti + p->fti_len <= data +
		    p->hdr_len && p->fti_len >= 4);
	if (p->has_naci && p->naci_name_len > 0)
		FUZZ_CHECK(p->naci_name >= data && p->naci_name +
		    p->naci_name_len <= data + p->hdr_len);
	if (p->has_fdt)
		FUZZ_CHECK(p->fdt_instance < (1u << 20));
	if (p->has_tol)
		FUZZ_CHECK(p->tol < (1ULL << 48));
}

/* Every block adds up to t; the packet's symbol, if in range, fits L. */
static void
fuzz_alc_part(const struct fec_part *pt, const struct alc_pkt *p)
{
	uint64_t sum = 0, off;
	uint32_t sbn, sz;

	for (sbn = 0; sbn < pt->n && sbn < 4096; sbn++)
		sum += fec_block_len(pt, sbn);
	if (pt->n <= 4096)
		FUZZ_CHECK(sum == pt->t);
	FUZZ_CHECK(fec_block_len(pt, pt->n) == 0);
	if (p->sbn >= pt->n || p->esi >= fec_block_len(pt, p->sbn))
		return;
	sz = fec_symbol_size(pt, p->sbn, p->esi);
	off = fec_symbol_offset(pt, p->sbn, p->esi);
	FUZZ_CHECK(sz > 0 && sz <= pt->e);
	FUZZ_CHECK(off + sz <= pt->len);
	FUZZ_CHECK(fec_symbol_index(pt, p->sbn, p->esi) < pt->t);
}

static void
fuzz_alc_fti(const struct alc_pkt *p)
{
	struct fec_oti oti;
	struct fec_part pt;
	int rc;

	if (fec_oti_parse(p->codepoint, p->fti, p->fti_len, &oti) != 0)
		return;
	FUZZ_CHECK(oti.fei == p->codepoint);
	if (oti.fei == ALC_FEI_RAPTORQ)
		rc = fec_partition_z(oti.transfer_len, oti.symbol_len, oti.z,
		    &pt);
	else
		rc = fec_partition(oti.transfer_len, oti.symbol_len,
		    oti.max_sbl, &pt);
	if (rc != 0)
		return;
	FUZZ_CHECK(pt.len == oti.transfer_len);
	if (pt.len == 0) {
		FUZZ_CHECK(pt.t == 0 && pt.n == 0);
		return;
	}
	FUZZ_CHECK(pt.t == (pt.len + pt.e - 1) / pt.e);
	fuzz_alc_part(&pt, p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alc_pkt p;
	int rc;

	rc = alc_parse(data, size, &p);
	FUZZ_CHECK(rc <= 0 && rc >= -ALC_ENERR);
	FUZZ_CHECK(alc_strerror(rc) != NULL);
	if (rc != 0)
		return 0;
	fuzz_alc_fields(data, size, &p);
	if (p.has_fti)
		fuzz_alc_fti(&p);
	return 0;
}
