/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_gse_demux_hostile.c: the GSE demux fed what a broken tuner or a
 * hostile uplink could send: many MB of seeded random bytes as a stream
 * and as frames, good headers over random data fields and over random
 * GSE packets, and a good stream of fragmented PDUs with bits flipped,
 * ranges cut out and restarts.  Nothing may crash or hang (run it under
 * ASan/UBSan), memory stays within the reassembly cap, and no PDU longer
 * than one GSE packet can carry (so necessarily reassembled, under a
 * CRC-32) is delivered unless it is one that was sent (or one whose label
 * boundary moved: see label_shifted).  A whole
 * PDU has no CRC in GSE, so a flipped one may be delivered: the IP and
 * UDP checksums downstream catch those, and they are only counted here.
 */
#include <malloc.h>

#include "gse_harness.h"

#define NPDU		16
#define ONE_PKT_MAX	4093	/* largest PDU one GSE packet carries */
#define MAXFRAMES	4096
#define MEM_CAP		(16 * 65536 + 65536)	/* buffers + slack */

struct hsink {
	uint64_t	err[DECAP_NERR];
	struct decap_out out;
	uint64_t	orig;		/* exactly a PDU that was sent */
	uint64_t	shifted;	/* one with its label boundary moved */
	uint64_t	small;		/* other, short enough for one packet */
	uint64_t	bad;		/* other and longer: must stay 0 */
};

static uint8_t pdus[NPDU + 2][30000];
static size_t pdun[NPDU + 2];
static struct gh_stream vs;		/* the good stream */
static size_t foff[MAXFRAMES + 1];	/* its frames' offsets */
static size_t nframes, nsmall;
static struct gh_stream ms;		/* a damaged copy */
static struct gh_frame fr;
static struct gh_frag fg[3];
static struct hsink hs;
static const uint8_t mac6[6] = { 0x01, 0x00, 0x5e, 0x00, 0x17, 0x0e };

/*
 * Whether ip is big PDU i seen through the wrong label length.  The LT
 * bits of a first fragment are outside the CRC-32, so one flipped there
 * moves the boundary between label (sent: 0, 3 or 6 bytes of mac6) and
 * PDU by up to six bytes; the IP checksums downstream catch that.
 */
static int
label_shifted(const uint8_t *ip, size_t len, size_t i)
{
	static uint8_t img[6 + sizeof(pdus[0])];
	size_t ls, off;

	for (ls = 0; ls <= 6; ls += 3) {
		memcpy(img, mac6, ls);
		memcpy(img + ls, pdus[i], pdun[i]);
		for (off = 0; off <= 6; off += 3)
			if (len + off == ls + pdun[i] &&
			    memcmp(ip, img + off, len) == 0)
				return 1;
	}
	return 0;
}

static void
hsink_datagram(void *arg, const uint8_t *ip, size_t len)
{
	struct hsink *s = arg;
	size_t i;

	for (i = 0; i < NPDU + 2; i++)
		if (len == pdun[i] && memcmp(ip, pdus[i], len) == 0) {
			s->orig++;
			return;
		}
	for (i = 0; i < NPDU && len > ONE_PKT_MAX; i++)
		if (len + 6 >= pdun[i] && len <= pdun[i] + 6 &&
		    label_shifted(ip, len, i)) {
			s->shifted++;
			return;
		}
	if (len <= ONE_PKT_MAX)
		s->small++;
	else
		s->bad++;
}

static struct gse_demux *
hs_new(void)
{
	memset(&hs, 0, sizeof(hs));
	hs.out.datagram = hsink_datagram;
	hs.out.arg = &hs;
	hs.out.err = hs.err;
	return gse_demux_new(&hs.out);
}

/* Big PDUs (fragmented), then two small ones (whole) at the end. */
static int
make_pdus(void)
{
	size_t i;

	for (i = 0; i < NPDU; i++) {
		pdun[i] = gh_ip(pdus[i], sizeof(pdus[i]),
		    i % 2 ? AF_INET6 : AF_INET, 4100 + (i * 1543) % 25000,
		    1000 + i);
		if (pdun[i] <= ONE_PKT_MAX)
			return 0;
	}
	pdun[NPDU] = gh_ip(pdus[NPDU], 1500, AF_INET, 200, 50);
	pdun[NPDU + 1] = gh_ip(pdus[NPDU + 1], 1500, AF_INET, 900, 51);
	return pdun[NPDU] && pdun[NPDU + 1];
}

/* Up to three PDUs in flight, one fragment each per frame. */
static void
frame_fill(int *act, int *next, int *done)
{
	int j;

	for (j = 0; j < 3; j++) {
		if (act[j] < 0 && *next < NPDU) {
			act[j] = *next;
			gh_frag_init(&fg[j], (uint8_t)(*next * 37 + 5),
			    (int)rng_below(3), mac6,
			    *next % 2 ? GH_PT_IPV6 : GH_PT_IPV4,
			    pdus[*next], pdun[*next]);
			(*next)++;
		}
		if (act[j] >= 0 &&
		    gh_frag_some(&fg[j], &fr, 200 + rng_below(4000)) == 1) {
			act[j] = -1;
			(*done)++;
		}
	}
}

/*
 * The good stream: frames of random size, fragments of three PDUs
 * interleaved, now and then the two small PDUs whole (labelled, then
 * re-using the label) and some padding.
 */
static void
build_valid(uint64_t seed)
{
	int act[3] = { -1, -1, -1 }, next = 0, done = 0;

	vs.len = 0;
	nframes = 0;
	nsmall = 0;
	rng_seed(seed);
	while (done < NPDU && nframes < MAXFRAMES) {
		gh_frame_init(&fr, GH_MATYPE_GS,
		    1000 + rng_below(GSE_DFL_MAX - 999));
		if (rng_below(3) == 0) {
			nsmall += gh_complete(&fr, 0, mac6, GH_PT_IPV4,
			    pdus[NPDU], pdun[NPDU]) == 0;
			nsmall += gh_complete(&fr, 3, NULL, GH_PT_IPV4,
			    pdus[NPDU + 1], pdun[NPDU + 1]) == 0;
		}
		frame_fill(act, &next, &done);
		if (rng_below(6) == 0)
			gh_padding(&fr, gh_room(&fr) < 64 ? gh_room(&fr) : 64);
		gh_frame_end(&fr);
		foff[nframes++] = vs.len;
		gh_stream_add(&vs, &fr);
	}
	foff[nframes] = vs.len;
}

/* Feed p[0..n) in random chunks of 1 to max bytes. */
static void
feed_chunks(struct gse_demux *d, const uint8_t *p, size_t n, uint32_t max)
{
	size_t off, c;

	for (off = 0; off < n; off += c) {
		c = 1 + rng_below(max);
		if (c > n - off)
			c = n - off;
		gse_demux_input(d, p + off, c);
	}
}

static size_t
heap_in_use(void)
{
#ifdef __SANITIZE_ADDRESS__
	return 0;
#else
	return mallinfo2().uordblks;
#endif
}

static void
test_baseline(void)
{
	struct gse_demux *d;
	size_t i;

	REQUIRE(make_pdus());
	build_valid(7);
	REQUIRE(nframes < MAXFRAMES);
	d = hs_new();
	REQUIRE(d != NULL);
	rng_seed(8);
	feed_chunks(d, vs.b, vs.len, 3000);
	CHECK_EQ_U(hs.orig, NPDU + nsmall);
	for (i = 0; i < nframes; i++)
		gse_demux_frame(d, vs.b + foff[i], foff[i + 1] - foff[i]);
	CHECK_EQ_U(hs.orig, 2 * (NPDU + nsmall));
	CHECK_EQ_U(hs.small + hs.bad, 0);
	for (i = 0; i < DECAP_NERR; i++)
		CHECK_EQ_U(hs.err[i], 0);
	gse_demux_free(d);
}

/* 16 MB of random bytes as a stream, in chunks of every size. */
static void
test_random_stream(void)
{
	static uint8_t buf[1 << 16];
	struct gse_demux *d = NULL;
	size_t total, i;

	for (total = 0; total < (16u << 20); total += sizeof(buf)) {
		if (total % (4u << 20) == 0) {
			gse_demux_free(d);
			d = hs_new();
			REQUIRE(d != NULL);
		}
		rng_seed(total + 1);
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)rng();
		feed_chunks(d, buf, sizeof(buf),
		    1u << (4 * ((total >> 16) % 5)));
		CHECK_EQ_U(hs.bad, 0);
	}
	CHECK(hs.err[DECAP_BB_HDR] > 0);
	gse_demux_free(d);
}

/*
 * Frames: random bytes of random length; then good headers (any mode)
 * over random data fields, whole and cut short.
 */
static void
test_random_frames(void)
{
	struct gse_demux *d;
	size_t len, k;
	int i;

	d = hs_new();
	REQUIRE(d != NULL);
	rng_seed(99);
	for (i = 0; i < 3000; i++) {
		len = rng_below(GH_FRAME_MAX + 20);
		for (k = 0; k < len; k++)
			ms.b[k] = (uint8_t)rng();
		if (i % 2) {
			gh_bbheader(ms.b, (uint8_t)rng(),
			    8 * (uint32_t)rng_below(GSE_DFL_MAX + 1));
			len = GSE_BBHEADER + gh_rd16(ms.b + 4) / 8;
			len -= i % 3 == 0 ? rng_below((uint32_t)len) : 0;
		}
		gse_demux_frame(d, ms.b, len);
		CHECK_EQ_U(hs.bad, 0);
	}
	CHECK(hs.err[DECAP_BB_HDR] > 0);
	CHECK(hs.err[DECAP_GSE_HDR] > 0);
	CHECK(hs.err[DECAP_BB_MODE] > 0);
	gse_demux_free(d);
}

/*
 * One random GSE packet: mostly fragments of a few Frag_IDs with
 * random Total_Length, so reassemblies start, collide, overflow, fail
 * their CRC and time out; sometimes anything at all.
 */
static void
random_packet(struct gh_frame *f)
{
	uint8_t hdr[3], body[4096];
	size_t room = gh_room(f), n, i;
	uint32_t k = rng_below(10);
	int s = k < 4 ? 1 : k < 9 ? 0 : (int)rng_below(2);
	int e = k < 4 ? 0 : k < 7 ? 0 : k < 9 ? 1 : (int)rng_below(2);

	if (room < 8)
		return;
	n = rng_below(rng_below(2) ? 64 : 4096);
	if (n + 5 > room)
		n = room - 5;
	for (i = 0; i < n; i++)
		body[i] = (uint8_t)rng();
	if (rng_below(2))
		put16(body, GH_PT_IPV4);
	hdr[0] = (uint8_t)rng_below(40);
	put16(hdr + 1, rng_below(4) ? rng_below(65536) : (uint32_t)n + 40);
	gh_pkt(f, s, e, (int)rng_below(4), hdr, s && !e ? 3 : !s || !e,
	    body, n, NULL, 0);
}

static void
test_random_packets(void)
{
	struct gse_demux *d;
	size_t base, peak = 0, now;
	int i, j;

	base = heap_in_use();
	d = hs_new();
	REQUIRE(d != NULL);
	rng_seed(1234);
	for (i = 0; i < 6000; i++) {
		gh_frame_init(&fr, GH_MATYPE_GS, 0);
		for (j = 0; j < 40 && gh_room(&fr) > 8; j++)
			random_packet(&fr);
		gh_frame_end(&fr);
		if (i % 2)
			gse_demux_frame(d, fr.b, fr.len);
		else
			gse_demux_input(d, fr.b, fr.len);
		now = heap_in_use();
		if (now > base && now - base > peak)
			peak = now - base;
	}
	CHECK_EQ_U(hs.bad, 0);
	CHECK(hs.err[DECAP_GSE_FRAG] > 0);
	CHECK(hs.err[DECAP_GSE_HDR] > 0);
	CHECK(hs.err[DECAP_GSE_CRC] > 0);
	CHECK(peak <= MEM_CAP);
	if (base == 0)
		fprintf(stderr, "heap bound not measured (sanitizer)\n");
	gse_demux_free(d);
}

/*
 * 256 starts of 64 KB PDUs, packed into a few frames: 16 get a buffer,
 * 240 are refused (and the heap shows it); the 16 complete (the 17th is
 * discarded quietly), and then there is room again.
 */
static void
test_cap(void)
{
	static struct gh_sink sink;
	static uint8_t pdu[65000];
	struct gse_demux *d;
	size_t base;
	int i, r;

	REQUIRE(make_pdus());
	base = heap_in_use();
	gh_sink_init(&sink);
	d = gse_demux_new(&sink.out);
	REQUIRE(d != NULL);
	rng_seed(9);
	for (i = 0; i < (int)sizeof(pdu); i++)
		pdu[i] = (uint8_t)rng();
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	for (i = 0; i < 256; i++) {
		gh_frag_init(&fg[0], (uint8_t)i, 2, NULL, GH_PT_IPV4, pdu,
		    sizeof(pdu));
		if (gh_frag_first(&fg[0], &fr, 100) < 0) {
			gh_frame_end(&fr);
			gse_demux_frame(d, fr.b, fr.len);
			gh_frame_init(&fr, GH_MATYPE_GS, 0);
			gh_frag_first(&fg[0], &fr, 100);
		}
	}
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	CHECK_EQ_U(sink.err[DECAP_GSE_FRAG], 240);
	CHECK(heap_in_use() <= base + MEM_CAP);
	for (i = 0; i < 17; i++) {
		gh_frag_init(&fg[0], (uint8_t)i, 2, NULL, GH_PT_IPV4, pdu,
		    sizeof(pdu));
		fg[0].off = 100;
		do {
			gh_frame_init(&fr, GH_MATYPE_GS, 0);
			while ((r = gh_frag_some(&fg[0], &fr, 0)) == 0)
				;
			gh_frame_end(&fr);
			gse_demux_frame(d, fr.b, fr.len);
		} while (r != 1);
	}
	CHECK_EQ_U(sink.n, 16);
	CHECK(sink.n > 0 && gh_rec_is(&sink, 15, pdu, sizeof(pdu)));
	CHECK_EQ_U(gh_err_total(&sink), 240);
	gh_frag_init(&fg[0], 16, 1, mac6, GH_PT_IPV4, pdus[NPDU], pdun[NPDU]);
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_frag_first(&fg[0], &fr, 50);
	gh_frag_last(&fg[0], &fr);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	CHECK_EQ_U(sink.n, 17);
	CHECK(gh_rec_is(&sink, 16, pdus[NPDU], pdun[NPDU]));
	gse_demux_free(d);
	gh_sink_clear(&sink);
}

/* Flip 1 to 8 bits of the good stream; a third of the time in headers. */
static void
damage(void)
{
	uint32_t n = 1 + rng_below(8), i;
	size_t at;

	memcpy(ms.b, vs.b, vs.len);
	ms.len = vs.len;
	for (i = 0; i < n; i++) {
		if (rng_below(3) == 0)
			at = foff[rng_below((uint32_t)nframes)] + rng_below(16);
		else
			at = rng_below((uint32_t)vs.len);
		if (at >= vs.len)
			at = vs.len - 1;
		ms.b[at] ^= (uint8_t)(1u << rng_below(8));
	}
}

/*
 * After damage, the good stream twice: the first copy puts the demux
 * back in step with the frames (its first PDUs may be lost), the second
 * must come through whole.
 */
static int
recovers(struct gse_demux *d)
{
	feed_chunks(d, vs.b, vs.len, 5000);
	hs.orig = 0;
	memset(hs.err, 0, sizeof(hs.err));
	feed_chunks(d, vs.b, vs.len, 5000);
	return hs.orig == NPDU + nsmall && hs.err[DECAP_BB_HDR] == 0 &&
	    hs.err[DECAP_GSE_CRC] == 0;
}

/* Damaged streams: no long PDU but the ones sent (label aside). */
static void
test_flips(void)
{
	struct gse_demux *d;
	uint64_t orig = 0, bad = 0, shifted = 0, stuck = 0;
	int t;

	REQUIRE(make_pdus());
	build_valid(11);
	for (t = 0; t < 120; t++) {
		d = hs_new();
		REQUIRE(d != NULL);
		rng_seed(500 + (uint64_t)t);
		damage();
		feed_chunks(d, ms.b, ms.len, t % 2 ? 20000 : 50);
		orig += hs.orig;
		shifted += hs.shifted;
		bad += hs.bad;
		stuck += !recovers(d);
		bad += hs.bad;
		gse_demux_free(d);
	}
	CHECK_EQ_U(bad, 0);
	CHECK_EQ_U(stuck, 0);
	CHECK(orig > 60 * NPDU);
	fprintf(stderr, "flips: %llu sent PDUs delivered, %llu label-shifted\n",
	    (unsigned long long)orig, (unsigned long long)shifted);
}

/* The same frame by frame, frames also cut short. */
static void
test_flips_frames(void)
{
	struct gse_demux *d;
	size_t i, len;
	int t;

	REQUIRE(make_pdus());
	build_valid(12);
	d = hs_new();
	REQUIRE(d != NULL);
	for (t = 0; t < 60; t++) {
		rng_seed(900 + (uint64_t)t);
		damage();
		for (i = 0; i < nframes; i++) {
			len = foff[i + 1] - foff[i];
			if (rng_below(20) == 0)
				len = rng_below((uint32_t)len);
			gse_demux_frame(d, ms.b + foff[i], len);
		}
	}
	CHECK_EQ_U(hs.bad, 0);
	CHECK(hs.orig > 30 * NPDU);
	gse_demux_free(d);
}

/*
 * Bytes lost: a range cut out of the good stream, or the stream cut
 * short and restarted (a retune); then it must recover.
 */
static void
test_cuts(void)
{
	struct gse_demux *d;
	uint64_t bad = 0, stuck = 0;
	size_t a, b;
	int t;

	REQUIRE(make_pdus());
	build_valid(13);
	for (t = 0; t < 80; t++) {
		d = hs_new();
		REQUIRE(d != NULL);
		rng_seed(700 + (uint64_t)t);
		a = rng_below((uint32_t)vs.len);
		b = a + rng_below((uint32_t)(vs.len - a));
		feed_chunks(d, vs.b, a, 9000);
		if (t % 2)
			feed_chunks(d, vs.b + b, vs.len - b, 9000);
		bad += hs.bad;
		stuck += !recovers(d);
		bad += hs.bad;
		gse_demux_free(d);
	}
	CHECK_EQ_U(bad, 0);
	CHECK_EQ_U(stuck, 0);
}

TEST_MAIN(TEST(test_baseline), TEST(test_random_stream),
    TEST(test_random_frames), TEST(test_random_packets), TEST(test_cap),
    TEST(test_flips), TEST(test_flips_frames), TEST(test_cuts))
