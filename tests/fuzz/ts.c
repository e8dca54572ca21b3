/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ts.c: fuzz target for the transport stream demultiplexer: TS packets,
 * PAT/PMT/INT, MPE sections and ULE SNDUs (carousel/ts_demux.c, ts_psi.c,
 * ts_int.c, ts_ule.c), and the IP/UDP parse of what it delivers.
 *
 * Byte 0: bit 0 ULE (else MPE), bit 1 a fixed PID (bytes 1-2) rather than
 * PSI discovery, bit 2 structured input, bit 3 only service 1; byte 3:
 * the size of the pieces the stream is fed in (0: all at once).  Raw
 * input is the stream itself.  Structured input is a list of records
 * (type, PID, 16-bit length, body) that this harness turns into TS
 * packets with correct lengths and CRCs, so that mutations reach what
 * lies behind the checksums: 0 a PSI/MPE/INT section, 1 a ULE SNDU
 * (2-byte type then the PDU), 2 a raw packet, 3 a ULE SNDU with a
 * destination address (NPA), 4 end the packet being filled (stuffing).
 *
 * Invariants: every datagram delivered is readable and non-empty, the
 * followed PIDs are valid and few, and no error counter is out of range.
 */
#include "fuzz.h"
#include "decap_sink.h"
#include "ts_harness.h"
#include "../../carousel/ts_demux_int.h"

#define FUZZ_TS_PIDS	8

struct fuzz_ts {
	struct tsh_buf	out;
	struct tsh_pk	pk[FUZZ_TS_PIDS];
	size_t		npk;
};

static struct tsh_pk *
fuzz_ts_pk(struct fuzz_ts *f, uint16_t pid)
{
	size_t i;

	for (i = 0; i < f->npk; i++)
		if (f->pk[i].pid == pid)
			return &f->pk[i];
	if (f->npk == FUZZ_TS_PIDS)
		return &f->pk[pid % FUZZ_TS_PIDS];
	tsh_pk_init(&f->pk[f->npk], &f->out, pid);
	return &f->pk[f->npk++];
}

/* A section: its length fields and, with syntax 1, its CRC made right. */
static void
fuzz_ts_section(struct tsh_pk *pk, const uint8_t *b, size_t n)
{
	uint8_t s[TSH_SECT_MAX];

	if (n < 3 || n > TSH_SECT_MAX)
		return;
	memcpy(s, b, n);
	if (n < 12)
		s[1] &= 0x7f;
	tsh_section_seal(s, n);
	tsh_pk_unit(pk, s, n);
}

static void
fuzz_ts_sndu(struct tsh_pk *pk, const uint8_t *b, size_t n, int npa)
{
	static uint8_t s[TSH_SNDU_MAX + 16];
	static const uint8_t mac[6] = { 1, 0, 0x5e, 1, 2, 3 };

	if (n < 2)
		return;
	n = tsh_ule(s, (uint16_t)(b[0] << 8 | b[1]), npa ? mac : NULL,
	    b + 2, n - 2);
	tsh_pk_unit(pk, s, n);
}

static void
fuzz_ts_records(struct fuzz_ts *f, struct fuzz_in *in)
{
	const uint8_t *b;
	struct tsh_pk *pk;
	uint8_t type;
	size_t n, i;

	while (in->n > 0) {
		type = fuzz_u8(in) % 5;
		pk = fuzz_ts_pk(f, fuzz_u16(in) & 0x1fff);
		n = fuzz_take(in, fuzz_u16(in), &b);
		if (type == 0)
			fuzz_ts_section(pk, b, n);
		else if (type == 1 || type == 3)
			fuzz_ts_sndu(pk, b, n, type == 3);
		else if (type == 2 && n >= TS_PACKET)
			tsh_buf_put(&f->out, b, TS_PACKET);
		else if (type == 4)
			tsh_pk_flush(pk);
	}
	for (i = 0; i < f->npk; i++)
		tsh_pk_flush(&f->pk[i]);
}

static void
fuzz_ts_feed(struct ts_demux *d, const uint8_t *p, size_t n, size_t piece)
{
	size_t k;

	if (piece == 0)
		piece = n;
	for (; n > 0; p += k, n -= k) {
		k = n < piece ? n : piece;
		ts_demux_input(d, p, k);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ts_demux_params p;
	struct fuzz_in in = { data, size };
	struct fuzz_sink k;
	struct fuzz_ts f;
	struct ts_demux *d;
	uint16_t pids[TS_MAX_STREAMS];
	size_t i, n, piece;
	uint8_t mode;

	mode = fuzz_u8(&in);
	memset(&p, 0, sizeof(p));
	p.ule = mode & 1;
	p.pid = fuzz_u16(&in) & 0x1fff;
	if (!(mode & 2))
		p.pid = 0;
	p.service_id = (mode & 8) ? 1 : 0;
	piece = fuzz_u8(&in);
	fuzz_sink_init(&k);
	d = ts_demux_new(&p, &k.out);
	FUZZ_CHECK(d != NULL);
	memset(&f, 0, sizeof(f));
	if (mode & 4) {
		fuzz_ts_records(&f, &in);
		fuzz_ts_feed(d, f.out.p, f.out.len, piece);
	} else {
		fuzz_ts_feed(d, in.p, in.n, piece);
	}
	n = ts_demux_pids(d, pids, TS_MAX_STREAMS);
	FUZZ_CHECK(n <= TS_MAX_DATA + 1);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(pids[i] < TS_PID_NULL);
		if (getenv("FUZZ_VERBOSE") != NULL)
			fprintf(stderr, "pid 0x%x\n", pids[i]);
	}
	ts_demux_free(d);
	tsh_buf_free(&f.out);
	fuzz_sink_fini(&k);
	return 0;
}
