/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ts_demux_hostile.c: the TS demux on input it must survive, seeded
 * and deterministic.  Random bytes (several MB, any chunking) and random
 * packets with valid sync bytes and plausible headers, in every mode
 * (PAT/PMT discovery, fixed MPE PID, fixed ULE PID); then a valid stream
 * of PAT, PMT, MPE sections with CRC_32 and ULE SNDUs damaged by random
 * bit flips and by deleted byte ranges.  Checked: nothing crashes (run it
 * under ASan/UBSan), the counters stay within what the input can cause,
 * every datagram delivered from a damaged stream is byte-identical to one
 * that was sent and is delivered at most once, and a datagram lost is
 * never lost silently (some counter moved).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "test.h"
#include "ts_harness.h"

#define PID_PMT		0x0020
#define PID_MPE		0x0200
#define PID_ULE		0x0201

static uint8_t sec[TSH_SNDU_MAX + 16];

/* Feed b in random pieces (1 byte to 3 packets). */
static void
feed_random(struct tsh_fx *f, const uint8_t *b, size_t len)
{
	size_t off, n;

	for (off = 0; off < len; off += n) {
		n = rng_below(4) == 0 ? 1 + rng_below(8) : 1 + rng_below(564);
		if (n > len - off)
			n = len - off;
		ts_demux_input(f->d, b + off, n);
	}
}

/*
 * What any input of len bytes may cause: one sync episode per packet's
 * worth of bytes, a bounded number of counts per packet (a packet holds
 * at most 61 units of 3 bytes), datagrams no longer than a unit, and at
 * most 32 data PIDs, never a PSI one when guessing.
 */
static void
check_bounds(const struct tsh_fx *f, size_t len, int fixed)
{
	uint64_t pkts = len / 188 + 1;
	uint16_t pl[64];
	size_t i, n, longest = 0;

	CHECK(f->k.err[DECAP_TS_SYNC] <= pkts);
	CHECK(tsh_sink_errs(&f->k) <= 64 * pkts);
	for (i = 0; i < f->k.n; i++)
		if (f->k.len[i] > longest)
			longest = f->k.len[i];
	CHECK(longest <= (fixed == 1 ? 4080u : 32767u));
	n = ts_demux_pids(f->d, pl, 64);
	CHECK(n <= 32);
	for (i = 0; i < n && !fixed; i++)
		CHECK(pl[i] >= 0x20 && pl[i] < 0x1fff);
	CHECK(!fixed || n == 1);
}

/* Fully random bytes: 3 modes x 6 x 512 KB. */
static void
test_random_bytes(void)
{
	static uint8_t b[512 * 1024];
	struct tsh_fx f;
	size_t i;
	int mode, it;

	rng_seed(1);
	for (mode = 0; mode < 3; mode++) {
		for (it = 0; it < 6; it++) {
			for (i = 0; i < sizeof(b); i++)
				b[i] = (uint8_t)rng();
			REQUIRE(tsh_fx_init(&f, mode ? 0x100 : 0, mode == 2, 0));
			feed_random(&f, b, sizeof(b));
			check_bounds(&f, sizeof(b), mode);
			tsh_fx_fini(&f);
		}
	}
}

/*
 * One random packet: sync byte right, PID from a small set that the
 * demux follows, header bits mostly plausible, payload random or the
 * start of a section or SNDU of random length.
 */
static void
random_packet(uint8_t *p)
{
	static const uint16_t pidset[] = {
		0x0000, PID_PMT, 0x0100, PID_MPE, PID_ULE, 0x0300, 0x1fff
	};
	size_t i;
	uint16_t pid = pidset[rng_below(7)];

	for (i = 0; i < 188; i++)
		p[i] = (uint8_t)rng();
	p[0] = 0x47;
	p[1] = (uint8_t)((p[1] & (rng_below(8) ? 0x40 : 0xe0)) | pid >> 8);
	p[2] = (uint8_t)pid;
	if (rng_below(8))
		p[3] = (uint8_t)((p[3] & 0x0f) | 0x10);
	if (rng_below(2) && (p[3] & 0x10)) {
		p[4] = (uint8_t)rng_below(6);		/* pointer */
		p[5 + p[4]] = rng_below(2) ? TS_TABLE_MPE : (uint8_t)rng();
	}
	if (rng_below(4) == 0) {
		i = 4 + rng_below(184);
		memset(p + i, 0xff, 188 - i);
	}
}

static void
test_random_packets(void)
{
	static uint8_t b[188 * 2000];
	struct tsh_fx f;
	size_t i;
	int mode, it;

	rng_seed(2);
	for (mode = 0; mode < 3; mode++) {
		for (it = 0; it < 8; it++) {
			for (i = 0; i < sizeof(b) / 188; i++)
				random_packet(b + i * 188);
			REQUIRE(tsh_fx_init(&f, mode ? 0x100 : 0, mode == 2, 0));
			feed_random(&f, b, sizeof(b));
			check_bounds(&f, sizeof(b), mode);
			tsh_fx_fini(&f);
		}
	}
}

/* ---- A valid stream, damaged. ---- */

struct stream {
	struct tsh_buf	b;
	struct tsh_dgs	s;
	size_t		head;	/* bytes of the first PAT + PMT */
	size_t		tail;	/* bytes of the clean sentinel end */
};

static void
psi_emit(struct tsh_pk *pat, struct tsh_pk *pmt)
{
	static const struct tsh_prog pr[] = { { 1, PID_PMT } };
	static const struct tsh_es es[] = {
		{ 0x1b, 0x0101, 0 },
		{ 0x0d, PID_MPE, TS_DBID_MPE },
		{ 0x91, PID_ULE, 0 },
	};
	size_t n;

	n = tsh_pat(sec, 1, 0, pr, 1);
	tsh_pk_unit(pat, sec, n);
	tsh_pk_flush(pat);
	n = tsh_pmt(sec, 1, 0, es, 3);
	tsh_pk_unit(pmt, sec, n);
	tsh_pk_flush(pmt);
}

/* Datagram i of the set as an MPE section (even i) or a ULE SNDU. */
static void
data_emit(struct tsh_pk *mpe, struct tsh_pk *ule, const struct tsh_dgs *s,
    size_t i)
{
	static const uint8_t mac[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	const uint8_t *ip = tsh_dgs_ip(s, i);
	size_t n;

	if (i % 2 == 0) {
		n = tsh_mpe(sec, mac, i % 6 == 0 ? TSH_MPE_LLC : 0, ip,
		    s->len[i]);
		tsh_pk_unit(mpe, sec, n);
	} else {
		n = tsh_ule(sec, (ip[0] >> 4) == 6 ? 0x86dd : 0x0800,
		    i % 5 == 0 ? (const uint8_t *)"\x02\0\0\0\0\x01" : NULL,
		    ip, s->len[i]);
		tsh_pk_unit(ule, sec, n);
	}
}

/*
 * PAT and PMT every 40 datagrams; MPE sections and ULE SNDUs packed on
 * their PIDs, sizes from 0 to 1400 bytes plus a few large ones; the last
 * datagrams are a sentinel that the tests leave undamaged, so that a
 * loss just before it is seen by the continuity counter.
 */
static void
stream_build(struct stream *st, size_t ndg)
{
	struct tsh_pk pat, pmt, mpe, ule;
	size_t i, plen;

	memset(st, 0, sizeof(*st));
	tsh_pk_init(&pat, &st->b, 0);
	tsh_pk_init(&pmt, &st->b, PID_PMT);
	tsh_pk_init(&mpe, &st->b, PID_MPE);
	tsh_pk_init(&ule, &st->b, PID_ULE);
	for (i = 0; i < ndg; i++) {
		plen = rng_below(8) ? rng_below(1400) : 4000 + rng_below(52);
		if (i % 2 == 1 && rng_below(20) == 0)
			plen = 9000;
		/* With LLC/SNAP, an MPE datagram is at most 4072 bytes. */
		tsh_dgs_add(&st->s, rng_below(3) ? AF_INET : AF_INET6,
		    plen > 4000 && i % 2 == 0 ? 4000 : plen, (uint32_t)i);
	}
	for (i = 0; i < ndg; i++) {
		if (i % 40 == 0)
			psi_emit(&pat, &pmt);
		if (i == 0)
			st->head = st->b.len;
		if (i == ndg - 6) {
			tsh_pk_flush(&mpe);
			tsh_pk_flush(&ule);
			st->tail = st->b.len;
		}
		data_emit(&mpe, &ule, &st->s, i);
	}
	tsh_pk_flush(&mpe);
	tsh_pk_flush(&ule);
	st->tail = st->b.len - st->tail;
}

static void
stream_free(struct stream *st)
{
	tsh_buf_free(&st->b);
	tsh_dgs_free(&st->s);
}

/*
 * Compare what f delivered with what st sent.  Returns the number of
 * datagrams delivered that were not sent (or sent once, delivered twice).
 */
static size_t
check_delivered(const struct tsh_fx *f, const struct stream *st, size_t *lost)
{
	uint8_t *seen = calloc(st->s.n, 1);
	size_t i, bad = 0;
	long j;

	if (seen == NULL)
		abort();
	for (i = 0; i < f->k.n; i++) {
		j = tsh_dgs_find(&st->s, f->k.p[i], f->k.len[i]);
		if (j < 0 || seen[j]++)
			bad++;
	}
	*lost = 0;
	for (i = 0; i < st->s.n; i++)
		*lost += !seen[i];
	free(seen);
	return bad;
}

/* Datagrams lost and delivered over the damaged runs of a test. */
static size_t total_lost, total_got;

/* Feed a damaged copy and check it; returns 1 if any check failed. */
static int
run_damaged(const struct stream *st, const uint8_t *b, size_t len)
{
	struct tsh_fx f;
	size_t bad, lost;
	int fail = 0;

	if (!tsh_fx_init(&f, 0, 0, 0))
		return 1;
	feed_random(&f, b, len);
	bad = check_delivered(&f, st, &lost);
	total_lost += lost;
	total_got += f.k.n;
	if (bad != 0) {
		fprintf(stderr, "%zu corrupted or repeated datagrams\n", bad);
		fail = 1;
	}
	if (lost > 0 && tsh_sink_errs(&f.k) == 0) {
		fprintf(stderr, "%zu datagrams lost, nothing counted\n", lost);
		fail = 1;
	}
	check_bounds(&f, len, 0);
	tsh_fx_fini(&f);
	return fail;
}

/*
 * The damage did lose datagrams, and most still arrived: the runs tested
 * something.  Resets the totals.
 */
static void
damage_seen(void)
{
	fprintf(stderr, "  lost %zu, delivered %zu\n", total_lost, total_got);
	CHECK(total_lost > 0);
	CHECK(total_got > 4 * total_lost);
	total_lost = 0;
	total_got = 0;
}

/* The clean stream: everything arrives, nothing is counted. */
static void
test_clean_stream(void)
{
	struct stream st;
	struct tsh_fx f;
	size_t lost;

	rng_seed(3);
	stream_build(&st, 400);
	REQUIRE(tsh_fx_init(&f, 0, 0, 0));
	feed_random(&f, st.b.p, st.b.len);
	CHECK_EQ_U(check_delivered(&f, &st, &lost), 0);
	CHECK_EQ_U(lost, 0);
	CHECK_EQ_U(f.k.n, 400);
	CHECK_EQ_U(tsh_sink_errs(&f.k), 0);
	tsh_fx_fini(&f);
	stream_free(&st);
}

/*
 * Random bit flips anywhere between the first PAT/PMT (without which the
 * ULE PID is unknown, so its packets are not the demux's to count) and
 * the sentinel end.
 */
static void
test_bit_flips(void)
{
	struct stream st;
	uint8_t *b;
	size_t span, at, k, nflip;
	int it, fails = 0;

	rng_seed(4);
	stream_build(&st, 400);
	REQUIRE((b = malloc(st.b.len)) != NULL);
	span = st.b.len - st.head - st.tail;
	for (it = 0; it < 150; it++) {
		memcpy(b, st.b.p, st.b.len);
		nflip = 1 + rng_below(it < 50 ? 3 : 40);
		for (k = 0; k < nflip; k++) {
			at = st.head + rng_below((uint32_t)span);
			b[at] ^= (uint8_t)(1u << rng_below(8));
		}
		fails += run_damaged(&st, b, st.b.len);
	}
	CHECK_EQ_U(fails, 0);
	damage_seen();
	free(b);
	stream_free(&st);
}

/* Flips aimed at TS headers and section/SNDU headers. */
static void
test_header_flips(void)
{
	struct stream st;
	uint8_t *b;
	size_t npk, pk, k;
	int it, fails = 0;

	rng_seed(5);
	stream_build(&st, 300);
	REQUIRE((b = malloc(st.b.len)) != NULL);
	npk = (st.b.len - st.head - st.tail) / 188;
	for (it = 0; it < 300; it++) {
		memcpy(b, st.b.p, st.b.len);
		for (k = 0; k < 1 + rng_below(4); k++) {
			pk = st.head / 188 + rng_below((uint32_t)npk);
			b[pk * 188 + rng_below(9)] ^=
			    (uint8_t)(1u << rng_below(8));
		}
		fails += run_damaged(&st, b, st.b.len);
	}
	CHECK_EQ_U(fails, 0);
	damage_seen();
	free(b);
	stream_free(&st);
}

/* Byte ranges deleted (shorter than 16 packets, so the counter sees it). */
static void
test_deletions(void)
{
	struct stream st;
	uint8_t *b;
	size_t len, at, n, k, span;
	int it, fails = 0;

	rng_seed(6);
	stream_build(&st, 400);
	REQUIRE((b = malloc(st.b.len)) != NULL);
	for (it = 0; it < 150; it++) {
		memcpy(b, st.b.p, st.b.len);
		len = st.b.len;
		for (k = 0; k < 1 + rng_below(5); k++) {
			span = len - st.head - st.tail;
			n = 1 + rng_below(it % 3 ? 2000 : 200);
			if (it % 5 == 0)
				n = 188 * (1 + rng_below(8));
			if (n >= span)
				continue;
			at = st.head + rng_below((uint32_t)(span - n));
			memmove(b + at, b + at + n, len - at - n);
			len -= n;
		}
		fails += run_damaged(&st, b, len);
	}
	CHECK_EQ_U(fails, 0);
	damage_seen();
	free(b);
	stream_free(&st);
}

/* Whole packets duplicated, reordered and dropped. */
static void
test_packet_shuffle(void)
{
	struct stream st;
	struct tsh_buf b = { 0 };
	size_t np, i, j, head;
	int it, fails = 0;

	rng_seed(7);
	stream_build(&st, 300);
	np = st.b.len / 188;
	head = st.head / 188;
	for (it = 0; it < 100; it++) {
		b.len = 0;
		for (i = 0; i < np; i++) {
			j = i;
			if (i >= head && i + 1 < np - st.tail / 188) {
				if (rng_below(200) == 0)
					continue;
				if (rng_below(200) == 0)
					j = i + 1;
			}
			tsh_buf_put(&b, st.b.p + j * 188, 188);
			if (rng_below(50) == 0)
				tsh_buf_put(&b, st.b.p + j * 188, 188);
		}
		fails += run_damaged(&st, b.p, b.len);
	}
	CHECK_EQ_U(fails, 0);
	damage_seen();
	tsh_buf_free(&b);
	stream_free(&st);
}

TEST_MAIN(
	TEST(test_random_bytes),
	TEST(test_random_packets),
	TEST(test_clean_stream),
	TEST(test_bit_flips),
	TEST(test_header_flips),
	TEST(test_deletions),
	TEST(test_packet_shuffle)
)
