/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gse.c: fuzz target for the GSE decapsulator (carousel/gse_demux.c):
 * BBFrames carrying GSE packets, fragment reassembly and extension
 * headers, and the IP/UDP parse of what it delivers.
 *
 * Byte 0: bit 0 whole frames (else a byte stream), bit 1 make each
 * frame's BBHEADER CRC-8 right, bit 2 make its DFL match the frame, bit
 * 3 GSE-HEM (TS/GS = 10) instead of continuous GSE; byte 1: the size of
 * the pieces a stream is fed in (0: all at once).  In frame mode the rest
 * is a list of frames, each a 16-bit length then its bytes; the fixes
 * let mutations of the data field get past the header check.
 *
 * Invariants: every datagram delivered is readable and non-empty, and no
 * error counter is out of range.
 */
#include "fuzz.h"
#include "decap_sink.h"
#include "../../carousel/gse.h"

#define FUZZ_GSE_FRAME	(GSE_BBHEADER + GSE_DFL_MAX)

static void
fuzz_gse_frames(struct gse_demux *d, struct fuzz_in *in, uint8_t mode)
{
	const uint8_t *b;
	uint8_t *f;
	size_t n, dfl;

	while (in->n > 0) {
		n = fuzz_take(in, fuzz_u16(in) % (FUZZ_GSE_FRAME + 1), &b);
		/* An exact copy: ASan sees a read past the frame. */
		f = malloc(n > 0 ? n : 1);
		FUZZ_CHECK(f != NULL);
		memcpy(f, b, n);
		if (n >= GSE_BBHEADER) {
			if (mode & 8)
				f[0] = (uint8_t)((f[0] & 0x3f) | 0x80);
			if (mode & 4) {
				dfl = (n - GSE_BBHEADER) * 8;
				f[4] = (uint8_t)(dfl >> 8);
				f[5] = (uint8_t)dfl;
			}
			if (mode & 2)
				f[9] = decap_crc8(f, GSE_BBHEADER - 1);
		}
		gse_demux_frame(d, f, n);
		free(f);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct gse_demux *d;
	struct fuzz_sink k;
	size_t piece, m;
	uint8_t mode;

	mode = fuzz_u8(&in);
	piece = fuzz_u8(&in);
	fuzz_sink_init(&k);
	d = gse_demux_new(&k.out);
	FUZZ_CHECK(d != NULL);
	if (mode & 1) {
		fuzz_gse_frames(d, &in, mode);
	} else {
		if (piece == 0)
			piece = in.n;
		while (in.n > 0) {
			const uint8_t *b;

			m = fuzz_take(&in, piece, &b);
			gse_demux_input(d, b, m);
		}
	}
	gse_demux_free(d);
	fuzz_sink_fini(&k);
	return 0;
}
