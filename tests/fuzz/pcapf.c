/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcapf.c: fuzz target for the capture file reader (carousel/pcapf.c):
 * classic pcap in both byte orders and resolutions, pcapng blocks, and
 * the link layers it strips.  A capture is a file the operator names
 * (rx_input.c replays it), and may come from anywhere.
 *
 * Byte 0: how the file arrives.  0: all at once; else reads of
 * (byte 0) * 61 bytes, the window growing only when the reader asks for
 * more, as rx_input.c does.  The rest is the file.
 *
 * Invariants, on every call: 1 and 2 consume at least one byte and no
 * more than given; 1 hands out a non-empty packet inside the bytes it
 * consumed; 0 consumes nothing; and every error counter stays below the
 * number of calls (each call counts at most a few things).
 */
#include "fuzz.h"
#include "../../carousel/pcapf.h"

/* Checks one call's result against the calling contract. */
static void
fuzz_pcapf_check(int r, const uint8_t *buf, size_t len, size_t used,
    const struct pcapf_pkt *p)
{
	FUZZ_CHECK(r >= -1 && r <= 2);
	if (r == 0)
		FUZZ_CHECK(used == 0);
	if (r == 1 || r == 2)
		FUZZ_CHECK(used > 0 && used <= len);
	if (r == 1) {
		FUZZ_CHECK(p->ip != NULL && p->len > 0);
		FUZZ_CHECK(p->ip >= buf && p->ip + p->len <= buf + used);
		FUZZ_CHECK(p->len <= PCAPF_MAX_RECORD);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t err[DECAP_NERR];
	struct pcapf_rd rd;
	struct pcapf_pkt p;
	size_t off = 0, avail, piece, used, calls = 0, limit, i;
	int r = 0;

	if (size == 0)
		return 0;
	piece = (size_t)data[0] * 61;
	data++;
	size--;
	avail = piece == 0 || piece > size ? size : piece;
	/* Each call consumes a byte or grows the window: a bound to prove. */
	limit = 2 * size + 8;
	memset(err, 0, sizeof(err));
	pcapf_rd_init(&rd, err);
	while (calls < limit) {
		used = 0;
		memset(&p, 0, sizeof(p));
		r = pcapf_rd_next(&rd, data + off, avail - off, &used, &p);
		calls++;
		fuzz_pcapf_check(r, data + off, avail - off, used, &p);
		if (r < 0)
			break;
		if (r == 0) {
			if (avail == size)
				break;		/* a truncated last record */
			avail = size - avail < piece ? size : avail + piece;
			continue;
		}
		off += used;
	}
	FUZZ_CHECK(calls < limit);
	for (i = 0; i < DECAP_NERR; i++)
		FUZZ_CHECK(err[i] <= 4 * calls);
	return 0;
}
