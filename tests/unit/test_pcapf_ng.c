/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_pcapf_ng.c: the pcapng side of the capture reader
 * (carousel/pcapf.c), with files built by tests/unit/pcapf_harness.h.
 * Hand-built pcapng in both byte orders, with every packet block kind,
 * several timestamp resolutions and link types, unknown blocks, a second
 * section and sections of both orders in one file, read whole and in
 * random chunks; blocks that are wrong inside but keep their length;
 * and a seeded mutation loop over pcapng and classic files that also
 * proves every call makes progress.  The writer, link types, classic
 * files and interop captures are in test_pcapf.c.
 */
#include <stdint.h>
#include <string.h>

#include "test.h"
#include "pcapf_harness.h"

/* The mutation loop's good file, before it is damaged. */
static struct fb fbb;

/* SHB, three IDBs and every packet block kind, in one byte order. */
static size_t
mk_ng(struct fb *f, int be, uint64_t *ts, size_t *iplen, uint8_t ips[][128])
{
	uint8_t fr[200];
	size_t at, i;
	uint64_t sec = 1700000000;

	memset(f, 0, sizeof(*f));
	f->be = be;
	ng_shb(f);
	ng_idb(f, 1, 9);		/* Ethernet, ns */
	ng_idb(f, 101, 0x94);		/* raw IP, 2^-20 s */
	ng_idb(f, 113, -1);		/* Linux SLL, default us */
	ng_idb(f, 229, 0xa8);		/* IPv6, 2^-40 s */
	for (i = 0; i < 6; i++)
		iplen[i] = mk_ip(ips[i], i == 1 || i == 5, 9 + i, (uint32_t)i);
	memcpy(fr, "\x01\x00\x5e\0\0\x01\x02\0\0\0\0\x02\x08\x00", 14);
	memcpy(fr + 14, ips[0], iplen[0]);
	ng_epb(f, 0, 0, sec * 1000000000 + 123456789, fr, 14 + iplen[0]);
	ts[0] = sec * 1000000000 + 123456789;
	ng_epb(f, 0, 1, sec << 20 | 0x12345, ips[1], iplen[1]);
	ts[1] = sec * 1000000000 + 0x12345ull * 1000000000 / 1048576;
	memset(fr, 0, 16);
	fr[14] = 0x08;
	memcpy(fr + 16, ips[2], iplen[2]);
	ng_epb(f, 1, 2, sec * 1000000 + 654321, fr, 16 + iplen[2]);
	ts[2] = sec * 1000000000 + 654321000;
	at = blk_begin(f, 0xbad);	/* unknown: skipped */
	fb_u32(f, 7);
	blk_end(f, at);
	memcpy(fr, "\x01\x00\x5e\0\0\x01\x02\0\0\0\0\x02\x08\x00", 14);
	memcpy(fr + 14, ips[3], iplen[3]);
	ng_spb(f, fr, 14 + iplen[3]);
	ts[3] = 0;
	ng_epb(f, 0, 3, 5ull << 40 | 1ull << 39, ips[5], iplen[5]);
	ts[4] = 5500000000ull;
	memcpy(ips[4], ips[5], iplen[5]);
	iplen[4] = iplen[5];
	/* A new section forgets the interfaces. */
	ng_shb(f);
	ng_idb(f, 228, 3);
	ng_epb(f, 0, 0, 42, ips[0], iplen[0]);
	ts[5] = 42000000;
	memcpy(ips[5], ips[0], iplen[0]);
	iplen[5] = iplen[0];
	ng_epb(f, 0, 1, 43, ips[1], iplen[1]);	/* if 1 gone: counted */
	return 6;
}

static void
test_pcapng(void)
{
	static uint8_t ips[6][128];
	uint64_t err[DECAP_NERR], ts[6];
	size_t iplen[6], i, n;
	struct ipudp u;
	struct got g;
	int be, k;

	rng_seed(12);
	for (be = 0; be < 2; be++) {
		for (k = 0; k < 3; k++) {
			n = mk_ng(&fa, be, ts, iplen, ips);
			memset(err, 0, sizeof(err));
			rd_all(fa.b, fa.n, err, (size_t)k * 40, &g);
			CHECK(g.last == 0);
			CHECK_EQ_U(err[DECAP_PCAP_HDR], 1);
			CHECK_EQ_U(err_sum(err), 1);
			REQUIRE(g.n == n);
			for (i = 0; i < n; i++) {
				CHECK_EQ_U(g.ts[i], ts[i]);
				CHECK(g.len[i] == iplen[i] &&
				    memcmp(g.ip[i], ips[i], iplen[i]) == 0);
				CHECK(ipudp_parse(g.ip[i], g.len[i], &u) == 0);
			}
		}
	}
	/* Sections in both orders in one file. */
	n = mk_ng(&fa, 0, ts, iplen, ips);
	fa.be = 1;
	ng_shb(&fa);
	ng_idb(&fa, 101, 9);
	ng_epb(&fa, 0, 0, 77, ips[1], iplen[1]);
	memset(err, 0, sizeof(err));
	rd_all(fa.b, fa.n, err, 0, &g);
	CHECK(g.n == n + 1 && g.ts[n] == 77 && g.len[n] == iplen[1]);
	CHECK(err_sum(err) == 1);
}

/*
 * Blocks that are wrong inside but whose length is fine: counted and
 * skipped, and the next block still reads.
 */
static void
test_bad_blocks(void)
{
	uint64_t err[DECAP_NERR] = { 0 };
	uint8_t ip[100];
	size_t n, i, at;
	struct got g;

	n = mk_ip(ip, 1, 10, 9);
	memset(&fa, 0, sizeof(fa));
	ng_shb(&fa);
	ng_epb(&fa, 0, 0, 1, ip, n);		/* before any IDB */
	for (i = 0; i < 17; i++)
		ng_idb(&fa, 229, -1);		/* the 17th: counted */
	ng_epb(&fa, 0, 16, 1, ip, n);		/* on the 17th */
	ng_epb(&fa, 0, 17, 1, ip, n);		/* no such interface */
	ng_epb(&fa, 0, 15, 1, ip, n);		/* fine */
	at = fa.n;
	ng_epb(&fa, 0, 0, 1, ip, n);
	fa.n = at + 20;
	fb_u32(&fa, 1000);			/* caplen past the block */
	fa.n = at + 28 + ((n + 3) & ~3u) + 12;
	for (i = 0; i < 50; i++) {		/* 12-byte blocks */
		at = blk_begin(&fa, 0x40 + (uint32_t)i);
		blk_end(&fa, at);
	}
	ng_spb(&fa, ip, 0);			/* empty SPB */
	at = blk_begin(&fa, 1);			/* IDB too short */
	fb_u32(&fa, 229);
	blk_end(&fa, at);
	ng_shb(&fa);
	ng_idb(&fa, 229, -1);
	at = blk_begin(&fa, 1);
	fb_u32(&fa, 229);
	blk_end(&fa, at);
	ng_epb(&fa, 0, 1, 1, ip, n);		/* on the short IDB */
	ng_epb(&fa, 0, 0, 2, ip, n);		/* fine */
	at = blk_begin(&fa, 6);			/* EPB too short */
	fb_u32(&fa, 0);
	blk_end(&fa, at);
	at = blk_begin(&fa, 3);			/* SPB, snapped */
	fb_u32(&fa, (uint32_t)n + 100);
	fb_put(&fa, ip, n);
	blk_end(&fa, at);
	rd_all(fa.b, fa.n, err, 0, &g);
	CHECK(g.last == 0);
	CHECK_EQ_U(g.n, 3);
	CHECK(g.n == 3 && g.ts[1] == 2000 && g.ts[2] == 0);
	CHECK(g.len[2] == ((n + 3) & ~(size_t)3) && n % 4 != 0);
	CHECK_EQ_U(err[DECAP_PCAP_HDR], 8);
	CHECK_EQ_U(err[DECAP_PCAP_TRUNC], 1);
	CHECK_EQ_U(err[DECAP_PCAP_LINK], 1);
	CHECK_EQ_U(g.calls, 83);
}

/*
 * Seeded mutations of good files.  Each call consumes at least 12 bytes
 * or stops, so the number of calls is bounded by the length; ASan
 * checks that nothing is read outside the buffer.
 */
static void
test_mutations(void)
{
	static uint8_t ips[6][128], m[8192];
	uint64_t err[DECAP_NERR] = { 0 }, ts[6];
	size_t iplen[6], k, j, n, base;
	struct got g;
	uint8_t ip[128];

	rng_seed(2024);
	for (k = 0; k < 6000; k++) {
		if (k % 2 == 0) {
			mk_ng(&fbb, (int)(k / 2 % 2), ts, iplen, ips);
		} else {
			memset(&fbb, 0, sizeof(fbb));
			fbb.be = (int)(k / 2 % 2);
			classic_hdr(&fbb, 0, 65535, (uint32_t[]){ 1, 0, 113,
			    276, 101 }[k % 5]);
			for (j = 0; j < 4; j++) {
				n = mk_ip(ip, (int)j & 1, j * 7, (uint32_t)k);
				classic_rec(&fbb, 1, 1, ip, n);
			}
		}
		n = fbb.n < sizeof(m) ? fbb.n : sizeof(m);
		memcpy(m, fbb.b, n);
		base = k % 3 == 0 ? 24 : 0;	/* spare the file header */
		for (j = rng_below(8) + 1; j > 0; j--)
			m[base + rng_below((uint32_t)(n - base))] ^=
			    (uint8_t)(1 + rng_below(255));
		if (k % 7 == 0)
			n -= rng_below((uint32_t)n);
		rd_all(m, n, err, k % 4 == 0 ? 64 : 0, &g);
		CHECK(g.calls <= n / 12 + 2 + (k % 4 == 0 ? n : 0));
	}
}

TEST_MAIN(TEST(test_pcapng), TEST(test_bad_blocks), TEST(test_mutations))
