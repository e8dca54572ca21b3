/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_pcapf.c: the capture reader and writer (carousel/pcapf.c), with
 * files built by tests/unit/pcapf_harness.h.  Files written by the
 * writer read back (whole and in random chunks) and the writer's size
 * limits; every link type in classic files of all four magic forms;
 * hostile headers, every truncation and impossible lengths in classic
 * and pcapng files; and the interop captures under ../shared/data when
 * they are there.  The pcapng decoding cases, bad pcapng blocks and the
 * mutation loop are in test_pcapf_ng.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "test.h"
#include "pcapf_harness.h"

/* Writer output, read back whole and in chunks. */
static void
test_write_read(void)
{
	static uint8_t ips[200][1600];
	static size_t lens[200];
	static uint64_t ts[200];
	uint64_t err[DECAP_NERR] = { 0 }, t = 1700000000ull * 1000000000ull;
	uint8_t mac[6], *rec;
	struct got g;
	ssize_t w;
	size_t i, k;

	rng_seed(11);
	memset(&fa, 0, sizeof(fa));
	pcapf_wr_header(fa.b);
	CHECK(memcmp(fa.b, "\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8) == 0);
	CHECK(memcmp(fa.b + 16, "\x00\x00\x04\x00\x01\x00\x00\x00", 8) == 0);
	fa.n = PCAPF_FILE_HDR;
	for (i = 0; i < 200; i++) {
		lens[i] = mk_ip(ips[i], (int)(i % 3 == 0), rng_below(1500),
		    (uint32_t)rng());
		t += rng_below(5000000) + 1;
		ts[i] = t;
		rec = fa.b + fa.n;
		w = pcapf_wr_record(rec, FBMAX - fa.n, t, ips[i], lens[i]);
		REQUIRE(w == (ssize_t)(30 + lens[i]));
		ipudp_dst_mac(ips[i], lens[i], mac);
		CHECK(memcmp(rec + 16, mac, 6) == 0);
		CHECK(memcmp(rec + 22, "\x02\0\0\0\0\x02", 6) == 0);
		CHECK(rec[28] == (i % 3 == 0 ? 0x86 : 0x08));
		fa.n += (size_t)w;
	}
	for (k = 0; k < 4; k++) {
		rd_all(fa.b, fa.n, err, k == 0 ? 0 : 50 + 500 * k, &g);
		CHECK(g.last == 0);
		REQUIRE(g.n == 200);
		for (i = 0; i < 200; i++) {
			CHECK(g.ts[i] == ts[i] / 1000 * 1000);
			CHECK(g.len[i] == lens[i] &&
			    memcmp(g.ip[i], ips[i], lens[i]) == 0);
		}
	}
	CHECK_EQ_U(err_sum(err), 0);
}

static void
test_write_limits(void)
{
	static uint8_t buf[PCAPF_MAX_BLOCK], ip[64];
	struct pcapf_rd r;
	struct pcapf_pkt p;
	uint64_t err[DECAP_NERR] = { 0 };
	size_t n, cap, used;

	n = mk_ip(ip, 0, 20, 1);
	for (cap = 0; cap < 30 + n; cap++)
		CHECK(pcapf_wr_record(buf, cap, 0, ip, n) == -1);
	CHECK(pcapf_wr_record(buf, sizeof(buf), 0, buf, 262144 - 13) == -1);
	/* The packet already in place; the largest frame still reads. */
	memcpy(buf + 30, ip, n);
	CHECK(pcapf_wr_record(buf, 30 + n, 2500, buf + 30, n) ==
	    (ssize_t)(30 + n));
	CHECK(memcmp(buf + 30, ip, n) == 0 && buf[4] == 2 && buf[0] == 0);
	memset(buf + 54, 0, 262130);
	buf[54] = 0x45;
	CHECK(pcapf_wr_record(buf + 24, sizeof(buf) - 24, 0, buf + 54,
	    262130) == 262160);
	pcapf_wr_header(buf);
	pcapf_rd_init(&r, err);
	CHECK(pcapf_rd_next(&r, buf, 24 + 262160, &used, &p) == 2);
	CHECK(pcapf_rd_next(&r, buf + 24, 262160, &used, &p) == 1);
	CHECK(used == 262160 && p.len == 262130);
}

/* Link layers, each in classic files of all four magic forms. */
struct lcase {
	const char	*name;
	uint32_t	link;
	uint8_t		pre[32];
	size_t		npre;
	int		ip;		/* 4, 6, 5 (not IP), 0 (none) */
	size_t		pad, cut;
	int		want;		/* -1: a packet, or the error */
};

#define ETH	"\x01\x00\x5e\x01\x02\x03\x02\0\0\0\0\x02"
#define L(s)	.pre = s, .npre = sizeof(s) - 1
#define OK	.want = -1
#define LINK	.want = DECAP_PCAP_LINK
#define TRUNC	.want = DECAP_PCAP_TRUNC

static const struct lcase lcases[] = {
	{ "eth v4", 1, L(ETH "\x08\x00"), 4, OK },
	{ "eth v6", 1, L(ETH "\x86\xdd"), 6, OK },
	{ "eth padded", 1, L(ETH "\x08\x00"), 4, .pad = 18, OK },
	{ "eth 802.1q", 1, L(ETH "\x81\x00\x00\x05\x08\x00"), 4, OK },
	{ "eth qinq", 1, L(ETH "\x88\xa8\x00\x05\x81\x00\x00\x07\x86\xdd"),
	    6, OK },
	{ "eth three tags", 1,
	    L(ETH "\x81\x00\0\1\x81\x00\0\2\x81\x00\0\3\x08\x00"), 4, LINK },
	{ "eth arp", 1, L(ETH "\x08\x06"), 4, LINK },
	{ "eth 802.3 length", 1, L(ETH "\x00\x40"), 4, LINK },
	{ "eth short", 1, L("\x01\x00\x5e\x01\x02\x03\x02\0\0\0"), 0, TRUNC },
	{ "eth tag cut", 1, L(ETH "\x81\x00\x00"), 0, TRUNC },
	{ "eth ip cut", 1, L(ETH "\x08\x00"), 4, .cut = 1, TRUNC },
	{ "eth v6 cut", 1, L(ETH "\x86\xdd"), 6, .cut = 1, TRUNC },
	{ "eth not ip", 1, L(ETH "\x08\x00"), 5, LINK },
	{ "raw 101 v4", 101, L(""), 4, OK },
	{ "raw 101 v6", 101, L(""), 6, .pad = 3, OK },
	{ "raw 12", 12, L(""), 4, OK },
	{ "raw 14", 14, L(""), 6, OK },
	{ "ipv4 228", 228, L(""), 4, OK },
	{ "ipv6 229", 229, L(""), 6, OK },
	{ "raw bad version", 101, L(""), 5, LINK },
	{ "raw empty", 101, L(""), 0, TRUNC },
	{ "raw v4 header cut", 101, L(""), 4, .cut = 20, TRUNC },
	{ "sll v4", 113, L("\0\0\0\1\0\6\x02\0\0\0\0\x02\0\0\x08\x00"), 4,
	    OK },
	{ "sll v6", 113, L("\0\4\0\1\0\6\x02\0\0\0\0\x02\0\0\x86\xdd"), 6,
	    OK },
	{ "sll arp", 113, L("\0\0\0\1\0\6\x02\0\0\0\0\x02\0\0\x08\x06"), 4,
	    LINK },
	{ "sll short", 113, L("\0\0\0\1\0\6\x02\0\0\0\0\x02\0\0\x08"), 0,
	    TRUNC },
	{ "sll2 v6", 276,
	    L("\x86\xdd\0\0\0\0\0\2\0\1\0\6\x02\0\0\0\0\x02\0\0"), 6, OK },
	{ "sll2 v4", 276,
	    L("\x08\x00\0\0\0\0\0\2\0\1\0\6\x02\0\0\0\0\x02\0\0"), 4, OK },
	{ "sll2 arp", 276,
	    L("\x08\x06\0\0\0\0\0\2\0\1\0\6\x02\0\0\0\0\x02\0\0"), 4, LINK },
	{ "sll2 short", 276, L("\x08\x00\0\0\0\0\0\2\0\1"), 0, TRUNC },
	{ "null af 2 le", 0, L("\x02\0\0\0"), 4, OK },
	{ "null af 2 be", 0, L("\0\0\0\x02"), 4, OK },
	{ "null af 24", 0, L("\x18\0\0\0"), 6, OK },
	{ "null af 28 be", 0, L("\0\0\0\x1c"), 6, OK },
	{ "null af 30", 0, L("\x1e\0\0\0"), 6, OK },
	{ "null af 7", 0, L("\x07\0\0\0"), 4, LINK },
	{ "null short", 0, L("\x02\0"), 0, TRUNC },
	{ "loop af 2", 108, L("\0\0\0\x02"), 4, OK },
	{ "unknown link", 147, L(""), 4, LINK },
};

static void
lcase_run(const struct lcase *c, int be, int nsec)
{
	static uint8_t fr[256], ip[128];
	uint64_t err[DECAP_NERR] = { 0 };
	size_t iplen = 0, n;
	struct got g;

	if (c->ip)
		iplen = mk_ip(ip, c->ip == 6, 13, 77);
	if (c->ip == 5)
		ip[0] = 0x55;
	memset(&fa, 0, sizeof(fa));
	fa.be = be;
	classic_hdr(&fa, nsec, 65535, c->link);
	memcpy(fr, c->pre, c->npre);
	memcpy(fr + c->npre, ip, iplen);
	memset(fr + c->npre + iplen, 0xee, c->pad);
	n = c->npre + iplen + c->pad - c->cut;
	classic_rec(&fa, 1234567890, 654321, fr, n);
	rd_all(fa.b, fa.n, err, 0, &g);
	CHECK(g.last == 0);
	if (c->want >= 0) {
		if (g.n != 0 || err[c->want] != 1)
			fprintf(stderr, "link case \"%s\" not refused\n",
			    c->name);
		CHECK(g.n == 0 && err[c->want] == 1 && err_sum(err) == 1);
		return;
	}
	if (g.n != 1)
		fprintf(stderr, "link case \"%s\" refused\n", c->name);
	REQUIRE(g.n == 1);
	CHECK(g.ip[0] == fa.b + 40 + c->npre);
	CHECK(g.len[0] == iplen + c->pad - c->cut);
	CHECK(memcmp(g.ip[0], ip, iplen) == 0);
	CHECK(g.ts[0] == 1234567890ull * 1000000000 +
	    (nsec ? 654321 : 654321000));
	CHECK_EQ_U(err_sum(err), 0);
}

static void
test_link_types(void)
{
	size_t i;
	int v;

	for (i = 0; i < sizeof(lcases) / sizeof(lcases[0]); i++)
		for (v = 0; v < 4; v++)
			lcase_run(&lcases[i], v & 1, v >> 1);
}

/* One call on a fresh reader over n bytes of f. */
static int
rd_one(const uint8_t *f, size_t n, uint64_t *err, size_t *used)
{
	struct pcapf_rd r;
	struct pcapf_pkt p;

	pcapf_rd_init(&r, err);
	return pcapf_rd_next(&r, f, n, used, &p);
}

static void
test_bad_headers(void)
{
	static const struct {
		const char	*s;
		size_t		n;
	} junk[] = {
		{ "GET / HTTP/1.1\r\n", 16 },
		{ "\xd4\xc3\xb2\xa2", 4 },
		{ "\x0a\x0d\x0d\x0a\x1c\0\0\0\x4d\x3c\x2b\x1b", 12 },
	};
	uint64_t err[DECAP_NERR] = { 0 };
	struct pcapf_rd r;
	struct pcapf_pkt p;
	size_t i, len, used;
	int be, ns;

	for (i = 0; i < 3; i++) {
		memset(err, 0, sizeof(err));
		pcapf_rd_init(&r, err);
		CHECK(pcapf_rd_next(&r, (const uint8_t *)junk[i].s,
		    junk[i].n, &used, &p) == -1);
		CHECK(pcapf_rd_next(&r, (const uint8_t *)junk[i].s,
		    junk[i].n, &used, &p) == -1 && used == 0);
		CHECK(err[DECAP_PCAP_HDR] == 1 && err_sum(err) == 1);
	}
	/* Every cut of a file header asks for more and counts nothing. */
	memset(err, 0, sizeof(err));
	for (be = 0; be < 2; be++) {
		for (ns = 0; ns < 3; ns++) {
			memset(&fa, 0, sizeof(fa));
			fa.be = be;
			if (ns < 2)
				classic_hdr(&fa, ns, 65535, 1);
			else
				ng_shb(&fa);
			for (len = 0; len < fa.n; len++)
				CHECK(rd_one(fa.b, len, err, &used) == 0 &&
				    used == 0);
			CHECK(rd_one(fa.b, fa.n, err, &used) == 2 &&
			    used == fa.n);
		}
	}
	CHECK_EQ_U(err_sum(err), 0);
	/* An SHB of another major version, and one too short. */
	memset(&fa, 0, sizeof(fa));
	ng_shb(&fa);
	fa.b[12] = 2;
	CHECK(rd_one(fa.b, fa.n, err, &used) == -1);
	memset(&fa, 0, sizeof(fa));
	i = blk_begin(&fa, 0x0a0d0d0a);
	fb_u32(&fa, 0x1a2b3c4d);
	fb_u32(&fa, 1);
	blk_end(&fa, i);
	CHECK(rd_one(fa.b, fa.n, err, &used) == -1);
	CHECK_EQ_U(err[DECAP_PCAP_HDR], 2);
}

/*
 * Every prefix of a good file: the reader hands out exactly the records
 * that are whole, then waits; it never gives up and counts nothing.
 */
static void
prefixes(const struct fb *f, const size_t *ends, size_t nend)
{
	uint64_t err[DECAP_NERR] = { 0 };
	struct got g;
	size_t len, whole;

	for (len = 0; len <= f->n; len++) {
		rd_all(f->b, len, err, 0, &g);
		for (whole = 0; whole < nend && ends[whole] <= len; whole++)
			;
		CHECK(g.last == 0);
		CHECK(g.n == whole);
	}
	CHECK_EQ_U(err_sum(err), 0);
}

static void
test_truncated(void)
{
	uint8_t ip[100];
	size_t ends[4], n, i;
	int be;

	n = mk_ip(ip, 0, 30, 5);
	for (be = 0; be < 2; be++) {
		memset(&fa, 0, sizeof(fa));
		fa.be = be;
		classic_hdr(&fa, 1, 65535, 101);
		for (i = 0; i < 3; i++) {
			classic_rec(&fa, 1, 2, ip, n - i);
			ip[3] -= 1;		/* keep the total length */
			ends[i] = fa.n;
		}
		prefixes(&fa, ends, 3);
		memset(&fa, 0, sizeof(fa));
		fa.be = be;
		ng_shb(&fa);
		ng_idb(&fa, 228, 9);
		for (i = 0; i < 3; i++) {
			ip[3] += 1;
			if (i == 1)
				ng_spb(&fa, ip, n - 2 + i);
			else
				ng_epb(&fa, 0, 0, 5, ip, n - 2 + i);
			ends[i] = fa.n;
		}
		prefixes(&fa, ends, 3);
	}
}

/* Lengths that lose the record boundaries: -1, counted. */
static void
test_bad_lengths(void)
{
	static const uint32_t btl[] = { 0, 4, 8, 14, 0x80000000u,
	    PCAPF_MAX_BLOCK + 4 };
	static const uint32_t snap[] = { 0, 0, 100, 100, 0 };
	static const uint32_t caplen[] = { 0xffffffffu,
	    PCAPF_MAX_RECORD + 1, 101, 100, PCAPF_MAX_RECORD };
	int rc;
	uint64_t err[DECAP_NERR] = { 0 };
	struct pcapf_rd r;
	struct pcapf_pkt p;
	size_t i, used, at;
	int be;

	for (be = 0; be < 2; be++) {
		for (i = 0; i < sizeof(btl) / sizeof(btl[0]) + 1; i++) {
			memset(&fa, 0, sizeof(fa));
			fa.be = be;
			ng_shb(&fa);
			at = fa.n;
			ng_idb(&fa, 1, -1);
			if (i < sizeof(btl) / sizeof(btl[0])) {
				fa.n = at + 4;
				fb_u32(&fa, btl[i]);
			} else {
				fa.b[fa.n - 1] ^= 4;	/* bad trailer */
			}
			fa.n = FBMAX;
			pcapf_rd_init(&r, err);
			CHECK(pcapf_rd_next(&r, fa.b, fa.n, &used, &p) == 2);
			CHECK(pcapf_rd_next(&r, fa.b + used, fa.n - used,
			    &used, &p) == -1);
		}
		/*
		 * Classic: caplen above the limit, or above the snaplen
		 * (0: none); the last two are allowed.
		 */
		for (i = 0; i < 5; i++) {
			memset(&fa, 0, sizeof(fa));
			fa.be = be;
			classic_hdr(&fa, 0, snap[i], 101);
			fb_u32(&fa, 0);
			fb_u32(&fa, 0);
			fb_u32(&fa, caplen[i]);
			fa.n = FBMAX;
			pcapf_rd_init(&r, err);
			CHECK(pcapf_rd_next(&r, fa.b, fa.n, &used, &p) == 2);
			rc = pcapf_rd_next(&r, fa.b + 24, fa.n - 24, &used, &p);
			CHECK(i < 3 ? rc == -1 : rc == 2 &&
			    used == 16 + caplen[i]);
		}
	}
	/* pcapng: a block within bounds, a packet over the limit: skipped. */
	memset(&fa, 0, sizeof(fa));
	ng_shb(&fa);
	ng_idb(&fa, 101, -1);
	ng_epb(&fa, 0, 0, 1, fa.b + FBMAX / 2, PCAPF_MAX_RECORD + 4);
	pcapf_rd_init(&r, err);
	CHECK(pcapf_rd_next(&r, fa.b, fa.n, &used, &p) == 2);
	at = used;
	CHECK(pcapf_rd_next(&r, fa.b + at, fa.n - at, &used, &p) == 2);
	at += used;
	CHECK(pcapf_rd_next(&r, fa.b + at, fa.n - at, &used, &p) == 2);
	CHECK(used == 32 + PCAPF_MAX_RECORD + 4 + 8 && at + used == fa.n);
	CHECK_EQ_U(err[DECAP_PCAP_HDR], 2 * (sizeof(btl) / sizeof(btl[0]) +
	    4) + 1);
	/* The two allowed records hold no IP (zeros): version 0. */
	CHECK_EQ_U(err[DECAP_PCAP_LINK], 4);
	CHECK_EQ_U(err_sum(err), err[DECAP_PCAP_HDR] + 4);
}

static uint8_t *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	long sz;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (b = malloc((size_t)sz)) != NULL &&
	    fread(b, 1, (size_t)sz, f) != (size_t)sz) {
		free(b);
		b = NULL;
	}
	*n = b ? (size_t)sz : 0;
	fclose(f);
	return b;
}

/*
 * A real capture, read through a fixed window refilled as a caller
 * would (the window as large as PCAPF_MAX_BLOCK promises is enough).
 */
static void
interop(const char *path, size_t nrec, const uint8_t grp[4], uint16_t p1,
    uint16_t p2)
{
	uint64_t err[DECAP_NERR] = { 0 };
	size_t n, off = 0, used, got = 0, good = 0, win = 4096;
	struct pcapf_rd r;
	struct pcapf_pkt p;
	struct ipudp u;
	uint64_t last = 0;
	uint8_t *b;
	int rc;

	b = slurp(path, &n);
	if (b == NULL) {
		printf("# skipped: %s is not readable\n", path);
		return;
	}
	pcapf_rd_init(&r, err);
	for (;;) {
		size_t avail = n - off < win ? n - off : win;

		rc = pcapf_rd_next(&r, b + off, avail, &used, &p);
		if (rc <= 0)
			break;
		if (rc == 1) {
			got++;
			good += ipudp_parse(p.ip, p.len, &u) == 0 &&
			    u.family == AF_INET &&
			    memcmp(u.dst, grp, 4) == 0 &&
			    (u.dport == p1 || u.dport == p2);
			last = p.ts_ns;
		}
		off += used;
	}
	CHECK(rc == 0 && off == n);
	CHECK_EQ_U(got, nrec);
	CHECK_EQ_U(good, nrec);
	CHECK_EQ_U(err_sum(err), 0);
	CHECK(last > 1600000000ull * 1000000000ull);
	free(b);
}

static void
test_interop(void)
{
	static const uint8_t g1[4] = { 239, 1, 1, 1 };
	static const uint8_t g2[4] = { 239, 1, 1, 95 };

	interop("../shared/data/interop/gpac-mabr-hls.pcap", 1241, g1, 1234,
	    1235);
	interop("../shared/data/interop/libflute-hls.pcap", 1952, g2, 40085,
	    40085);
}

TEST_MAIN(TEST(test_write_read), TEST(test_write_limits),
    TEST(test_link_types), TEST(test_bad_headers), TEST(test_truncated),
    TEST(test_bad_lengths), TEST(test_interop))
