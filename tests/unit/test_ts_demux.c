/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ts_demux.c: the MPE path of the TS demux (carousel/ts_demux.c) on
 * streams built by hand (tests/unit/ts_harness.h): MPE sections spanning
 * 1..23 packets, packed several to a packet, behind stuffing and
 * adaptation fields, starting and ending at every offset of a packet and
 * fed cut at every byte; CRC, continuity jumps and duplicates, a lost
 * PUSI, TEI, scrambling, adaptation field and pointer errors;
 * section_length limits; byte 5 flags, LLC/SNAP, the split MAC and the
 * checksum form; the API's odd arguments.  PSI discovery, ULE and
 * resynchronisation are in test_ts_demux_ule.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "test.h"
#include "ts_harness.h"

/* ---- MPE sections across packets. ---- */

/* Datagrams whose sections span 1 to 23 packets, IPv4 and IPv6. */
static void
test_mpe_sizes(void)
{
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_pk t;
	struct tsh_fx f;
	size_t plen, i;

	for (plen = 0; plen <= 4052; plen += 61)
		tsh_dgs_add(&s, AF_INET, plen, (uint32_t)plen);
	tsh_dgs_add(&s, AF_INET, 4052, 1);	/* 4080 bytes: the largest */
	for (plen = 0; plen <= 4032; plen += 503)
		tsh_dgs_add(&s, AF_INET6, plen, (uint32_t)plen);
	tsh_dgs_add(&s, AF_INET6, 4032, 2);
	tsh_pk_init(&t, &b, 0x100);
	for (i = 0; i < s.n; i++)
		tsh_mpe_put(&t, &s, i, 0);
	tsh_pk_flush(&t);
	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	tsh_fx_feed(&f, &b);
	CHECK(tsh_fx_got(&f, &s, 0));
	CHECK_EQ_U(tsh_sink_errs(&f.k), 0);
	/* The largest datagrams make 4096-byte sections. */
	CHECK_EQ_U(s.len[s.n - 1], 4080);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

/* Many small sections packed several to a packet, with and without AF. */
static void
test_mpe_packed(void)
{
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_pk t;
	struct tsh_fx f;
	size_t i;
	int af;

	for (i = 0; i < 200; i++)
		tsh_dgs_add(&s, i % 3 ? AF_INET : AF_INET6, i % 23,
		    (uint32_t)i);
	for (af = 0; af <= 30; af += 15) {
		tsh_pk_init(&t, &b, 0x1234);
		t.af = (uint8_t)af;
		for (i = 0; i < s.n; i++)
			tsh_mpe_put(&t, &s, i, 0);
		tsh_pk_flush(&t);
		/* Several sections share packets. */
		CHECK(b.len / 188 < s.n / 2);
		REQUIRE(tsh_fx_init(&f, 0x1234, 0, 0));
		tsh_fx_feed(&f, &b);
		CHECK(tsh_fx_got(&f, &s, 0));
		CHECK_EQ_U(tsh_sink_errs(&f.k), 0);
		tsh_fx_fini(&f);
		b.len = 0;
	}
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

/*
 * Every section in its own packet, the rest stuffing; and packets of pure
 * stuffing (no PUSI) between sections.
 */
static void
test_mpe_stuffing(void)
{
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_pk t;
	struct tsh_fx f;
	uint8_t stuff[188];
	size_t i;

	for (i = 0; i < 30; i++)
		tsh_dgs_add(&s, AF_INET, i * 37 % 400, (uint32_t)i);
	tsh_pk_init(&t, &b, 0x100);
	t.nopack = 1;
	for (i = 0; i < s.n; i++) {
		tsh_mpe_put(&t, &s, i, 0);
		tsh_pk_flush(&t);
		if (i % 4 == 0) {
			memset(stuff, 0xff, sizeof(stuff));
			stuff[0] = 0x47;
			stuff[1] = 0x01;
			stuff[2] = 0x00;
			stuff[3] = (uint8_t)(0x10 | t.cc);
			t.cc = (t.cc + 1) & 0x0f;
			tsh_buf_put(&b, stuff, 188);
		}
	}
	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	tsh_fx_feed(&f, &b);
	CHECK(tsh_fx_got(&f, &s, 0));
	CHECK_EQ_U(tsh_sink_errs(&f.k), 0);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

/*
 * A section that starts at every offset of a packet (a filler section of
 * growing size in front of it) and ends at every offset (its own size
 * grows too).
 */
static void
test_mpe_offsets(void)
{
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_pk t;
	struct tsh_fx f;
	size_t fill, plen, bad = 0, runs = 0;

	for (fill = 0; fill <= 200; fill++) {
		for (plen = 0; plen < 184; plen++) {
			tsh_dgs_clear(&s);
			tsh_dgs_add(&s, AF_INET, fill, 7);
			tsh_dgs_add(&s, AF_INET, plen, 9);
			tsh_dgs_add(&s, AF_INET, 3, 11);
			b.len = 0;
			tsh_pk_init(&t, &b, 0x100);
			tsh_mpe_put(&t, &s, 0, 0);
			tsh_mpe_put(&t, &s, 1, 0);
			tsh_mpe_put(&t, &s, 2, 0);
			tsh_pk_flush(&t);
			REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
			tsh_fx_feed(&f, &b);
			runs++;
			if (!tsh_fx_got(&f, &s, 0) || tsh_sink_errs(&f.k) != 0)
				bad++;
			tsh_fx_fini(&f);
		}
	}
	CHECK_EQ_U(bad, 0);
	CHECK_EQ_U(runs, 201 * 184);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

/* A stream fed in two pieces cut at every byte, and in random pieces. */
static void
test_mpe_cuts(void)
{
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_pk t;
	struct tsh_fx f;
	size_t i, cut, off, n, bad = 0;

	for (i = 0; i < 12; i++)
		tsh_dgs_add(&s, i & 1 ? AF_INET6 : AF_INET, i * 53,
		    (uint32_t)i);
	tsh_pk_init(&t, &b, 0x100);
	for (i = 0; i < s.n; i++)
		tsh_mpe_put(&t, &s, i, 0);
	tsh_pk_flush(&t);
	for (cut = 0; cut <= b.len; cut++) {
		REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
		ts_demux_input(f.d, b.p, cut);
		ts_demux_input(f.d, b.p + cut, b.len - cut);
		if (!tsh_fx_got(&f, &s, 0) || tsh_sink_errs(&f.k) != 0)
			bad++;
		tsh_fx_fini(&f);
	}
	CHECK_EQ_U(bad, 0);
	rng_seed(42);
	for (i = 0; i < 200; i++) {
		REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
		for (off = 0; off < b.len; off += n) {
			n = i % 4 == 0 ? 1 : 1 + rng_below(600);
			if (n > b.len - off)
				n = b.len - off;
			ts_demux_input(f.d, b.p + off, n);
		}
		if (!tsh_fx_got(&f, &s, 0) || tsh_sink_errs(&f.k) != 0)
			bad++;
		tsh_fx_fini(&f);
	}
	CHECK_EQ_U(bad, 0);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

/* ---- Errors below the section. ---- */

/* Three sections of 3 packets each, one section per packet start. */
static void
three_sections(struct tsh_buf *b, struct tsh_dgs *s, uint16_t pid)
{
	struct tsh_pk t;
	size_t i;

	for (i = 0; i < 3; i++)
		tsh_dgs_add(s, AF_INET, 450, (uint32_t)i);
	tsh_pk_init(&t, b, pid);
	t.nopack = 1;
	for (i = 0; i < 3; i++)
		tsh_mpe_put(&t, s, i, 0);
	tsh_pk_flush(&t);
}

static void
test_crc_error(void)
{
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_fx f;

	three_sections(&b, &s, 0x100);
	REQUIRE(b.len == 9 * 188);
	tsh_pkt(&b, 1)[100] ^= 0x10;
	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	tsh_fx_feed(&f, &b);
	CHECK(tsh_fx_got(&f, &s, 1));
	CHECK_EQ_U(f.k.err[DECAP_SECT_CRC], 1);
	CHECK_EQ_U(tsh_sink_errs(&f.k), 1);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

static void
test_cc_jump(void)
{
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_fx f;

	three_sections(&b, &s, 0x100);
	tsh_pkt_drop(&b, 1);
	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	tsh_fx_feed(&f, &b);
	CHECK(tsh_fx_got(&f, &s, 1));
	CHECK_EQ_U(f.k.err[DECAP_TS_CC], 1);
	CHECK_EQ_U(f.k.err[DECAP_SECT_TRUNC], 1);
	CHECK_EQ_U(tsh_sink_errs(&f.k), 2);
	tsh_fx_fini(&f);
	/* A dropped PUSI packet: its section's tail is skipped. */
	b.len = 0;
	tsh_dgs_clear(&s);
	three_sections(&b, &s, 0x100);
	tsh_pkt_drop(&b, 3);
	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	tsh_fx_feed(&f, &b);
	CHECK_EQ_U(f.k.n, 2);
	CHECK(tsh_sink_is(&f.k, 0, tsh_dgs_ip(&s, 0), s.len[0]));
	CHECK(tsh_sink_is(&f.k, 1, tsh_dgs_ip(&s, 2), s.len[2]));
	CHECK_EQ_U(f.k.err[DECAP_TS_CC], 1);
	CHECK_EQ_U(f.k.err[DECAP_SECT_TRUNC], 0);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

/*
 * A PUSI bit lost where a section starts at the packet start: the
 * orphan continuation is counted once.
 */
static void
test_lost_pusi(void)
{
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_fx f;

	three_sections(&b, &s, 0x100);
	tsh_pkt(&b, 3)[1] &= (uint8_t)~0x40;
	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	tsh_fx_feed(&f, &b);
	CHECK_EQ_U(f.k.n, 2);
	CHECK(tsh_sink_is(&f.k, 1, tsh_dgs_ip(&s, 2), s.len[2]));
	CHECK_EQ_U(f.k.err[DECAP_SECT_TRUNC], 1);
	CHECK_EQ_U(tsh_sink_errs(&f.k), 1);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

/* Each packet sent twice is fine; three times is a jump. */
static void
test_cc_dup(void)
{
	struct tsh_buf b = { 0 }, b2 = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_fx f;
	size_t i;

	three_sections(&b, &s, 0x100);
	for (i = 0; i < b.len / 188; i++) {
		tsh_buf_put(&b2, tsh_pkt(&b, i), 188);
		tsh_buf_put(&b2, tsh_pkt(&b, i), 188);
	}
	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	tsh_fx_feed(&f, &b2);
	CHECK(tsh_fx_got(&f, &s, 0));
	CHECK_EQ_U(tsh_sink_errs(&f.k), 0);
	tsh_fx_fini(&f);
	b2.len = 0;
	for (i = 0; i < b.len / 188; i++) {
		tsh_buf_put(&b2, tsh_pkt(&b, i), 188);
		if (i == 4) {
			tsh_buf_put(&b2, tsh_pkt(&b, i), 188);
			tsh_buf_put(&b2, tsh_pkt(&b, i), 188);
		}
	}
	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	tsh_fx_feed(&f, &b2);
	CHECK_EQ_U(f.k.n, 2);
	CHECK(tsh_sink_is(&f.k, 0, tsh_dgs_ip(&s, 0), s.len[0]));
	CHECK(tsh_sink_is(&f.k, 1, tsh_dgs_ip(&s, 2), s.len[2]));
	CHECK_EQ_U(f.k.err[DECAP_TS_CC], 1);
	CHECK_EQ_U(f.k.err[DECAP_SECT_TRUNC], 1);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_buf_free(&b2);
	tsh_dgs_free(&s);
}

/* TEI and scrambling each lose one section; TEI counts on any PID. */
static void
test_tei_scrambled(void)
{
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_fx f;

	three_sections(&b, &s, 0x100);
	tsh_pkt(&b, 1)[1] |= 0x80;
	tsh_pkt(&b, 7)[3] |= 0x80;	/* transport_scrambling_control 10 */
	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	tsh_fx_feed(&f, &b);
	CHECK_EQ_U(f.k.n, 1);
	CHECK(tsh_sink_is(&f.k, 0, tsh_dgs_ip(&s, 1), s.len[1]));
	CHECK_EQ_U(f.k.err[DECAP_TS_TEI], 1);
	CHECK_EQ_U(f.k.err[DECAP_TS_SCRAMBLED], 1);
	CHECK_EQ_U(f.k.err[DECAP_SECT_TRUNC], 2);
	CHECK_EQ_U(f.k.err[DECAP_TS_CC], 0);
	tsh_pkt(&b, 1)[1] = 0x80 | 0x02;	/* another PID */
	ts_demux_input(f.d, tsh_pkt(&b, 1), 188);
	CHECK_EQ_U(f.k.err[DECAP_TS_TEI], 2);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

static void
test_adaptation(void)
{
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_fx f;
	uint8_t p[188];

	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	tsh_raw_pkt(p, 0, 3, 0, 183);	/* too long with payload */
	ts_demux_input(f.d, p, 188);
	tsh_raw_pkt(p, 0, 2, 0, 184);	/* too long even alone */
	ts_demux_input(f.d, p, 188);
	CHECK_EQ_U(f.k.err[DECAP_TS_AF], 2);
	tsh_raw_pkt(p, 0, 2, 0, 183);	/* the AF-only maximum */
	ts_demux_input(f.d, p, 188);
	tsh_raw_pkt(p, 1, 3, 0, 182);	/* no payload byte left */
	ts_demux_input(f.d, p, 188);
	CHECK_EQ_U(f.k.err[DECAP_TS_AF], 2);
	CHECK_EQ_U(f.k.err[DECAP_SECT_POINTER], 1);
	tsh_raw_pkt(p, 1, 0, 5, 0);		/* reserved: ignored, no CC */
	ts_demux_input(f.d, p, 188);
	CHECK_EQ_U(tsh_sink_errs(&f.k), 3);
	tsh_fx_fini(&f);
	/*
	 * An AF-only packet neither checks nor advances the counter, even
	 * with the discontinuity_indicator; the next payload must follow.
	 */
	three_sections(&b, &s, 0x100);
	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	ts_demux_input(f.d, b.p, 3 * 188);
	tsh_raw_pkt(p, 0, 2, 9, 1);
	p[5] = 0x80;
	ts_demux_input(f.d, p, 188);
	memcpy(p, tsh_pkt(&b, 3), 188);
	p[3] = (uint8_t)((p[3] & 0xf0) | 0x09);
	ts_demux_input(f.d, p, 188);
	CHECK_EQ_U(f.k.err[DECAP_TS_CC], 1);
	CHECK_EQ_U(f.k.n, 1);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

static void
test_discontinuity(void)
{
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_pk t;
	struct tsh_fx f;
	uint8_t p[188];
	size_t n;

	tsh_dgs_add(&s, AF_INET, 100, 1);
	tsh_dgs_add(&s, AF_INET, 100, 2);
	tsh_pk_init(&t, &b, 0x100);
	t.nopack = 1;
	tsh_mpe_put(&t, &s, 0, 0);
	tsh_pk_flush(&t);
	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	tsh_fx_feed(&f, &b);
	/* The next section behind an AF with the indicator and CC 9. */
	n = tsh_mpe(tsh_sec, tsh_mac0, 0, tsh_dgs_ip(&s, 1), s.len[1]);
	tsh_raw_pkt(p, 1, 3, 9, 2);
	p[5] = 0x80;
	p[7] = 0;
	memcpy(p + 8, tsh_sec, n);
	ts_demux_input(f.d, p, 188);
	CHECK(tsh_fx_got(&f, &s, 0));
	CHECK_EQ_U(tsh_sink_errs(&f.k), 0);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

static void
test_pointer_and_length(void)
{
	struct tsh_fx f;
	uint8_t p[188];

	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	tsh_raw_pkt(p, 1, 1, 0, 0);
	p[4] = 183;			/* points past the last byte */
	ts_demux_input(f.d, p, 188);
	CHECK_EQ_U(f.k.err[DECAP_SECT_POINTER], 1);
	tsh_raw_pkt(p, 1, 1, 1, 0);
	p[4] = 182;			/* the last byte: a section may start */
	p[187] = 0x3e;
	ts_demux_input(f.d, p, 188);
	CHECK_EQ_U(f.k.err[DECAP_SECT_POINTER], 1);
	/* ... and its section_length says 4094 in the next packet. */
	tsh_raw_pkt(p, 0, 1, 2, 0);
	p[4] = 0xbf;
	p[5] = 0xfe;
	ts_demux_input(f.d, p, 188);
	CHECK_EQ_U(f.k.err[DECAP_SECT_LEN], 1);
	/* An MPE section of 12 bytes after section_length. */
	tsh_raw_pkt(p, 1, 1, 3, 0);
	p[4] = 0;
	p[5] = 0x3e;
	p[6] = 0xb0;
	p[7] = 12;
	ts_demux_input(f.d, p, 188);
	CHECK_EQ_U(f.k.err[DECAP_SECT_LEN], 2);
	CHECK_EQ_U(tsh_sink_errs(&f.k), 3);
	/* A PUSI whose pointer cuts the section in progress short. */
	tsh_raw_pkt(p, 1, 1, 4, 0);
	p[4] = 0;
	p[5] = 0x3e;
	p[6] = 0xb1;
	p[7] = 0x00;			/* 256 bytes: continues */
	ts_demux_input(f.d, p, 188);
	tsh_raw_pkt(p, 1, 1, 5, 0);
	p[4] = 10;			/* but the next one starts here */
	ts_demux_input(f.d, p, 188);
	CHECK_EQ_U(f.k.err[DECAP_SECT_TRUNC], 1);
	CHECK_EQ_U(f.k.n, 0);
	tsh_fx_fini(&f);
}

/* ---- MPE section header. ---- */

static void
test_mpe_flags(void)
{
	static const uint8_t refuse[] = {
		0x10, 0x20, 0x30,	/* payload_scrambling_control */
		0x04, 0x08, 0x0c,	/* address_scrambling_control */
		0x00,			/* current_next_indicator 0 */
	};
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_pk t;
	struct tsh_fx f;
	size_t i, n;

	tsh_dgs_add(&s, AF_INET, 60, 1);
	tsh_dgs_add(&s, AF_INET6, 60, 2);
	tsh_pk_init(&t, &b, 0x100);
	for (i = 0; i < sizeof(refuse); i++) {
		n = tsh_mpe(tsh_sec, tsh_mac0, 0, tsh_dgs_ip(&s, 0), s.len[0]);
		tsh_sec[5] = (uint8_t)((refuse[i] ? 0xc1 : 0xc0) | refuse[i]);
		tsh_section_seal(tsh_sec, n);
		tsh_pk_unit(&t, tsh_sec, n);
	}
	/* LLC/SNAP not IP, and not LLC/SNAP at all. */
	n = tsh_mpe(tsh_sec, tsh_mac0, TSH_MPE_LLC, tsh_dgs_ip(&s, 0),
	    s.len[0]);
	put16(tsh_sec + 18, 0x0806);
	tsh_section_seal(tsh_sec, n);
	tsh_pk_unit(&t, tsh_sec, n);
	n = tsh_mpe(tsh_sec, tsh_mac0, TSH_MPE_LLC, tsh_dgs_ip(&s, 0),
	    s.len[0]);
	tsh_sec[14] = 0x13;
	tsh_section_seal(tsh_sec, n);
	tsh_pk_unit(&t, tsh_sec, n);
	/* Good LLC/SNAP for both families. */
	tsh_mpe_put(&t, &s, 0, TSH_MPE_LLC);
	tsh_mpe_put(&t, &s, 1, TSH_MPE_LLC);
	tsh_pk_flush(&t);
	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	tsh_fx_feed(&f, &b);
	CHECK(tsh_fx_got(&f, &s, 0));
	CHECK_EQ_U(f.k.err[DECAP_MPE_FLAGS], sizeof(refuse) + 2);
	CHECK_EQ_U(tsh_sink_errs(&f.k), sizeof(refuse) + 2);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

/* Any MAC is accepted: the bytes are not a filter. */
static void
test_mpe_mac(void)
{
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_pk t;
	struct tsh_fx f;
	uint8_t mac[6];
	size_t i, j, n;

	rng_seed(7);
	tsh_pk_init(&t, &b, 0x100);
	for (i = 0; i < 40; i++) {
		tsh_dgs_add(&s, i & 1 ? AF_INET6 : AF_INET, 20 + i,
		    (uint32_t)i);
		for (j = 0; j < 6; j++)
			mac[j] = (uint8_t)rng();
		if (i == 0)
			memset(mac, 0x47, 6);
		if (i == 1)
			memset(mac, 0xff, 6);
		n = tsh_mpe(tsh_sec, mac, 0, tsh_dgs_ip(&s, i), s.len[i]);
		/* The split order: b[11]:b[10]:b[9]:b[8]:b[4]:b[3]. */
		CHECK(tsh_sec[11] == mac[0] && tsh_sec[8] == mac[3] &&
		    tsh_sec[4] == mac[4] && tsh_sec[3] == mac[5]);
		tsh_pk_unit(&t, tsh_sec, n);
	}
	tsh_pk_flush(&t);
	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	tsh_fx_feed(&f, &b);
	CHECK(tsh_fx_got(&f, &s, 0));
	CHECK_EQ_U(tsh_sink_errs(&f.k), 0);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

/*
 * The checksum form is accepted unverified, unless the PID has sent
 * CRC_32 sections before.
 */
static void
test_mpe_checksum(void)
{
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_pk t;
	struct tsh_fx f;

	tsh_dgs_add(&s, AF_INET, 30, 1);
	tsh_dgs_add(&s, AF_INET, 31, 2);
	tsh_dgs_add(&s, AF_INET, 32, 3);
	tsh_pk_init(&t, &b, 0x100);
	tsh_mpe_put(&t, &s, 0, TSH_MPE_NOCRC);
	tsh_mpe_put(&t, &s, 1, 0);
	tsh_mpe_put(&t, &s, 2, TSH_MPE_NOCRC);
	tsh_pk_flush(&t);
	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	tsh_fx_feed(&f, &b);
	CHECK_EQ_U(f.k.n, 2);
	CHECK(tsh_sink_is(&f.k, 0, tsh_dgs_ip(&s, 0), s.len[0]));
	CHECK(tsh_sink_is(&f.k, 1, tsh_dgs_ip(&s, 1), s.len[1]));
	CHECK_EQ_U(f.k.err[DECAP_SECT_CRC], 1);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

/* Creation and the NULL/odd arguments the API allows. */
static void
test_api(void)
{
	struct ts_demux_params p;
	struct ts_demux *d;
	uint16_t pl[4];

	memset(&p, 0, sizeof(p));
	d = ts_demux_new(NULL, NULL);
	REQUIRE(d != NULL);
	ts_demux_input(d, (const uint8_t *)"\x47", 1);
	ts_demux_input(d, NULL, 0);
	CHECK_EQ_U(ts_demux_pids(d, pl, 4), 0);
	CHECK_EQ_U(ts_demux_pids(d, NULL, 4), 0);
	ts_demux_free(d);
	ts_demux_free(NULL);
	p.pid = 0x1fff;
	d = ts_demux_new(&p, NULL);
	REQUIRE(d != NULL);
	CHECK_EQ_U(ts_demux_pids(d, pl, 4), 0);
	ts_demux_free(d);
	p.pid = 0x1ffe;
	p.ule = 1;
	d = ts_demux_new(&p, NULL);
	REQUIRE(d != NULL);
	CHECK(ts_demux_pids(d, pl, 4) == 1 && pl[0] == 0x1ffe);
	ts_demux_free(d);
}

TEST_MAIN(
	TEST(test_mpe_sizes),
	TEST(test_mpe_packed),
	TEST(test_mpe_stuffing),
	TEST(test_mpe_offsets),
	TEST(test_mpe_cuts),
	TEST(test_crc_error),
	TEST(test_cc_jump),
	TEST(test_lost_pusi),
	TEST(test_cc_dup),
	TEST(test_tei_scrambled),
	TEST(test_adaptation),
	TEST(test_discontinuity),
	TEST(test_pointer_and_length),
	TEST(test_mpe_flags),
	TEST(test_mpe_mac),
	TEST(test_mpe_checksum),
	TEST(test_api)
)
