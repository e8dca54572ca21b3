/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ts_demux_ule.c: the TS demux (carousel/ts_demux.c, ts_psi.c and
 * ts_ule.c) above the MPE path, on streams built by hand
 * (tests/unit/ts_harness.h): PAT and PMT discovery against sniffing, a
 * fixed PID and a service filter, PMT and PAT versions, malformed PSI;
 * ULE packed, spanning, padded, behind adaptation fields, D = 0,
 * extension headers and errors; resynchronisation after junk and lost
 * bytes.  The MPE cases are in test_ts_demux.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "test.h"
#include "ts_harness.h"

/* Datagram i of s as a ULE SNDU (D = 1, EtherType by IP version). */
static void
ule_put(struct tsh_pk *t, const struct tsh_dgs *s, size_t i)
{
	const uint8_t *ip = tsh_dgs_ip(s, i);
	size_t n = tsh_ule(tsh_sec, (ip[0] >> 4) == 6 ? 0x86dd : 0x0800, NULL,
	    ip, s->len[i]);

	tsh_pk_unit(t, tsh_sec, n);
}

/* ---- PAT, PMT, sniffing. ---- */

/* Datagram i of s as one MPE section or SNDU on pid (whole packets). */
static void
data_put(struct tsh_buf *b, struct tsh_cc *ps, uint16_t pid,
    const struct tsh_dgs *s, size_t i, int ule)
{
	struct tsh_pk t;

	tsh_pk_init(&t, b, pid);
	t.cc = ps->cc[pid];
	if (ule)
		ule_put(&t, s, i);
	else
		tsh_mpe_put(&t, s, i, 0);
	tsh_pk_flush(&t);
	ps->cc[pid] = t.cc;
}

static size_t
pids(const struct tsh_fx *f, uint16_t *out)
{
	return ts_demux_pids(f->d, out, 64);
}

static void
test_psi_discovery(void)
{
	static struct tsh_cc ps;
	static const struct tsh_prog pr[] = { { 1, 0x20 } };
	static const struct tsh_es es[] = {
		{ 0x1b, 0x101, 0 },		/* video */
		{ 0x05, 0x200, TS_DBID_MPE },
		{ 0x06, 0x201, 0x000b },	/* INT, not MPE */
		{ 0x91, 0x202, 0 },		/* ULE */
	};
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_fx f;
	uint16_t pl[64];
	size_t n;

	memset(&ps, 0, sizeof(ps));
	tsh_dgs_add(&s, AF_INET, 100, 1);
	tsh_dgs_add(&s, AF_INET6, 100, 2);
	tsh_dgs_add(&s, AF_INET, 100, 3);
	tsh_dgs_add(&s, AF_INET, 100, 4);
	tsh_put_pat(&b, &ps, 0, pr, 1);
	tsh_put_pmt(&b, &ps, 0x20, 1, 0, es, 4);
	data_put(&b, &ps, 0x200, &s, 0, 0);
	data_put(&b, &ps, 0x202, &s, 1, 1);
	data_put(&b, &ps, 0x201, &s, 2, 0);
	data_put(&b, &ps, 0x300, &s, 3, 0);
	REQUIRE(tsh_fx_init(&f, 0, 0, 0));
	tsh_fx_feed(&f, &b);
	CHECK_EQ_U(f.k.n, 2);
	CHECK(tsh_sink_is(&f.k, 0, tsh_dgs_ip(&s, 0), s.len[0]));
	CHECK(tsh_sink_is(&f.k, 1, tsh_dgs_ip(&s, 1), s.len[1]));
	CHECK_EQ_U(tsh_sink_errs(&f.k), 0);
	n = pids(&f, pl);
	CHECK_EQ_U(n, 2);
	CHECK(n == 2 && pl[0] == 0x200 && pl[1] == 0x202);
	CHECK_EQ_U(ts_demux_pids(f.d, pl, 1), 1);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

static void
test_sniff(void)
{
	static struct tsh_cc ps;
	static const struct tsh_prog pr[] = { { 1, 0x20 } };
	static const struct tsh_es es[] = { { 0x05, 0x200, TS_DBID_MPE } };
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_fx f;
	uint16_t pl[64];
	uint8_t p[188];
	size_t i, n;

	memset(&ps, 0, sizeof(ps));
	for (i = 0; i < 6; i++)
		tsh_dgs_add(&s, AF_INET, 50, (uint32_t)i);
	data_put(&b, &ps, 0x300, &s, 0, 0);
	data_put(&b, &ps, 0x301, &s, 1, 0);
	data_put(&b, &ps, 0x12, &s, 2, 0);	/* DVB SI range: never */
	/* A PES start (00 00 01 E0) on a video PID is not a section. */
	tsh_raw_pkt(p, 1, 1, 0, 0);
	p[1] = 0x41;
	p[2] = 0x01;
	memcpy(p + 4, "\x00\x00\x01\xe0", 4);
	tsh_buf_put(&b, p, 188);
	REQUIRE(tsh_fx_init(&f, 0, 0, 0));
	tsh_fx_feed(&f, &b);
	CHECK_EQ_U(f.k.n, 2);
	CHECK(tsh_sink_is(&f.k, 0, tsh_dgs_ip(&s, 0), s.len[0]));
	CHECK(tsh_sink_is(&f.k, 1, tsh_dgs_ip(&s, 1), s.len[1]));
	n = pids(&f, pl);
	CHECK(n == 2 && pl[0] == 0x300 && pl[1] == 0x301);
	/* A PMT naming 0x200 ends the guessing. */
	b.len = 0;
	tsh_put_pat(&b, &ps, 0, pr, 1);
	tsh_put_pmt(&b, &ps, 0x20, 1, 0, es, 1);
	data_put(&b, &ps, 0x300, &s, 3, 0);
	data_put(&b, &ps, 0x200, &s, 4, 0);
	tsh_fx_feed(&f, &b);
	CHECK_EQ_U(f.k.n, 3);
	CHECK(tsh_sink_is(&f.k, 2, tsh_dgs_ip(&s, 4), s.len[4]));
	n = pids(&f, pl);
	CHECK(n == 1 && pl[0] == 0x200);
	CHECK_EQ_U(tsh_sink_errs(&f.k), 0);
	tsh_fx_fini(&f);
	/* At most 32 PIDs are sniffed. */
	b.len = 0;
	for (i = 0; i < 40; i++)
		data_put(&b, &ps, (uint16_t)(0x400 + i), &s, 5, 0);
	REQUIRE(tsh_fx_init(&f, 0, 0, 0));
	tsh_fx_feed(&f, &b);
	CHECK_EQ_U(pids(&f, pl), 32);
	CHECK_EQ_U(f.k.n, 32);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

/* A fixed PID ignores PSI; a service filter reads one program only. */
static void
test_fixed_and_service(void)
{
	static struct tsh_cc ps;
	static const struct tsh_prog pr[] = { { 1, 0x20 }, { 2, 0x21 } };
	static const struct tsh_es es1[] = { { 0x05, 0x200, TS_DBID_MPE } };
	static const struct tsh_es es2[] = { { 0x05, 0x201, TS_DBID_MPE } };
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_fx f;
	uint16_t pl[64];
	size_t n;

	memset(&ps, 0, sizeof(ps));
	tsh_dgs_add(&s, AF_INET, 10, 1);
	tsh_dgs_add(&s, AF_INET, 11, 2);
	tsh_dgs_add(&s, AF_INET, 12, 3);
	tsh_put_pat(&b, &ps, 0, pr, 2);
	tsh_put_pmt(&b, &ps, 0x20, 1, 0, es1, 1);
	tsh_put_pmt(&b, &ps, 0x21, 2, 0, es2, 1);
	data_put(&b, &ps, 0x200, &s, 0, 0);
	data_put(&b, &ps, 0x201, &s, 1, 0);
	data_put(&b, &ps, 0x300, &s, 2, 0);

	REQUIRE(tsh_fx_init(&f, 0x300, 0, 0));
	tsh_fx_feed(&f, &b);
	CHECK_EQ_U(f.k.n, 1);
	CHECK(tsh_sink_is(&f.k, 0, tsh_dgs_ip(&s, 2), s.len[2]));
	n = pids(&f, pl);
	CHECK(n == 1 && pl[0] == 0x300);
	tsh_fx_fini(&f);

	REQUIRE(tsh_fx_init(&f, 0, 0, 2));
	tsh_fx_feed(&f, &b);
	CHECK_EQ_U(f.k.n, 1);
	CHECK(tsh_sink_is(&f.k, 0, tsh_dgs_ip(&s, 1), s.len[1]));
	n = pids(&f, pl);
	CHECK(n == 1 && pl[0] == 0x201);
	tsh_fx_fini(&f);

	REQUIRE(tsh_fx_init(&f, 0, 0, 0));
	tsh_fx_feed(&f, &b);
	CHECK_EQ_U(f.k.n, 2);
	CHECK_EQ_U(pids(&f, pl), 2);
	CHECK_EQ_U(tsh_sink_errs(&f.k), 0);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

/* A new PMT version replaces the set; a PAT without the program ends it. */
static void
test_pmt_version(void)
{
	static struct tsh_cc ps;
	static const struct tsh_prog pr[] = { { 1, 0x20 } };
	static const struct tsh_prog pr2[] = { { 7, 0x27 } };
	static const struct tsh_es v0[] = { { 0x05, 0x200, TS_DBID_MPE } };
	static const struct tsh_es v1[] = { { 0x91, 0x201, 0 } };
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_fx f;
	uint16_t pl[64];
	size_t n;

	memset(&ps, 0, sizeof(ps));
	tsh_dgs_add(&s, AF_INET, 40, 1);
	tsh_dgs_add(&s, AF_INET, 41, 2);
	tsh_dgs_add(&s, AF_INET, 42, 3);
	REQUIRE(tsh_fx_init(&f, 0, 0, 0));
	tsh_put_pat(&b, &ps, 0, pr, 1);
	tsh_put_pmt(&b, &ps, 0x20, 1, 0, v0, 1);
	/* A repeat changes nothing. */
	tsh_put_pmt(&b, &ps, 0x20, 1, 0, v0, 1);
	tsh_fx_feed(&f, &b);
	n = pids(&f, pl);
	CHECK(n == 1 && pl[0] == 0x200);
	b.len = 0;
	tsh_put_pmt(&b, &ps, 0x20, 1, 1, v1, 1);
	data_put(&b, &ps, 0x200, &s, 0, 0);
	data_put(&b, &ps, 0x201, &s, 1, 1);
	tsh_fx_feed(&f, &b);
	n = pids(&f, pl);
	CHECK(n == 1 && pl[0] == 0x201);
	CHECK_EQ_U(f.k.n, 1);
	CHECK(tsh_sink_is(&f.k, 0, tsh_dgs_ip(&s, 1), s.len[1]));
	/* Program 1 leaves: nothing named, so MPE is sniffed again. */
	b.len = 0;
	tsh_put_pat(&b, &ps, 1, pr2, 1);
	data_put(&b, &ps, 0x200, &s, 2, 0);
	tsh_fx_feed(&f, &b);
	n = pids(&f, pl);
	CHECK(n == 1 && pl[0] == 0x200);
	CHECK_EQ_U(f.k.n, 2);
	CHECK(tsh_sink_is(&f.k, 1, tsh_dgs_ip(&s, 2), s.len[2]));
	CHECK_EQ_U(tsh_sink_errs(&f.k), 0);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

static void
test_psi_errors(void)
{
	static struct tsh_cc ps;
	static const struct tsh_prog pr[] = { { 1, 0x20 } };
	static const struct tsh_es es[] = { { 0x05, 0x200, TS_DBID_MPE } };
	struct tsh_buf b = { 0 };
	struct tsh_fx f;
	uint16_t pl[64];
	size_t n;

	memset(&ps, 0, sizeof(ps));
	REQUIRE(tsh_fx_init(&f, 0, 0, 0));
	n = tsh_pat(tsh_sec, 1, 0, pr, 1);
	tsh_sec[9] ^= 1;				/* CRC now wrong */
	tsh_put_unit(&b, &ps, 0, tsh_sec, n);
	n = tsh_pat(tsh_sec, 1, 0, pr, 1);
	tsh_sec[1] &= 0x7f;				/* short form PAT */
	tsh_section_seal(tsh_sec, n);
	tsh_put_unit(&b, &ps, 0, tsh_sec, n);
	n = tsh_pat(tsh_sec, 1, 0, pr, 1);
	tsh_section_seal(tsh_sec, n + 2);	/* entries not 4-byte steps */
	tsh_put_unit(&b, &ps, 0, tsh_sec, n + 2);
	tsh_fx_feed(&f, &b);
	CHECK_EQ_U(f.k.err[DECAP_SECT_CRC], 1);
	CHECK_EQ_U(f.k.err[DECAP_PSI], 2);
	b.len = 0;
	tsh_put_pat(&b, &ps, 0, pr, 1);
	n = tsh_pmt(tsh_sec, 1, 0, es, 1);
	put16(tsh_sec + 15, 0xf000 | 40);	/* ES_info_length overruns */
	tsh_section_seal(tsh_sec, n);
	tsh_put_unit(&b, &ps, 0x20, tsh_sec, n);
	n = tsh_pmt(tsh_sec, 1, 0, es, 1);
	tsh_sec[5] &= 0xfe;				/* next, not current */
	tsh_section_seal(tsh_sec, n);
	tsh_put_unit(&b, &ps, 0x20, tsh_sec, n);
	n = tsh_pmt(tsh_sec, 2, 0, es, 1);	/* not a program of the PAT */
	tsh_put_unit(&b, &ps, 0x20, tsh_sec, n);
	tsh_fx_feed(&f, &b);
	CHECK_EQ_U(f.k.err[DECAP_PSI], 3);
	CHECK_EQ_U(pids(&f, pl), 0);
	CHECK_EQ_U(tsh_sink_errs(&f.k), 4);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
}

/* ---- ULE. ---- */

static void
test_ule_basic(void)
{
	static const uint8_t npa[6] = { 0x02, 0, 0, 0, 0, 9 };
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_pk t;
	struct tsh_fx f;
	const uint8_t *ip;
	size_t i, n;
	int pass;

	for (i = 0; i < 60; i++)
		tsh_dgs_add(&s, i & 1 ? AF_INET6 : AF_INET, i * i % 700,
		    (uint32_t)i);
	tsh_dgs_add(&s, AF_INET, 9000, 99);		/* spans ~50 packets */
	tsh_dgs_add(&s, AF_INET, 0, 100);
	for (pass = 0; pass < 3; pass++) {
		tsh_pk_init(&t, &b, 0x200);
		t.nopack = pass == 1;		/* padding after each */
		t.af = pass == 2 ? 8 : 0;
		for (i = 0; i < s.n; i++) {
			if (i % 5 == 2) {
				ip = tsh_dgs_ip(&s, i);
				n = tsh_ule(tsh_sec, (ip[0] >> 4) == 6 ?
				    0x86dd : 0x0800, npa, ip, s.len[i]);
				tsh_pk_unit(&t, tsh_sec, n);
			} else {
				ule_put(&t, &s, i);
			}
		}
		tsh_pk_flush(&t);
		if (pass == 0)
			CHECK(tsh_pusi_count(&b) < s.n);	/* packed */
		else
			CHECK(pass != 1 || tsh_pusi_count(&b) == s.n);
		REQUIRE(tsh_fx_init(&f, 0x200, 1, 0));
		tsh_fx_feed(&f, &b);
		CHECK(tsh_fx_got(&f, &s, 0));
		CHECK_EQ_U(tsh_sink_errs(&f.k), 0);
		tsh_fx_fini(&f);
		b.len = 0;
	}
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

/* Extension headers: Test, Bridged, Optional ones, unknown ones. */
static void
test_ule_types(void)
{
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_pk t;
	struct tsh_fx f;
	uint8_t pdu[2000];
	size_t n, i;

	tsh_dgs_add(&s, AF_INET, 33, 1);
	tsh_dgs_add(&s, AF_INET6, 34, 2);
	tsh_dgs_add(&s, AF_INET, 35, 3);
	tsh_pk_init(&t, &b, 0x200);
	/* A Test SNDU: dropped without counting. */
	n = tsh_ule(tsh_sec, 0x0000, NULL, tsh_dgs_ip(&s, 0), s.len[0]);
	tsh_pk_unit(&t, tsh_sec, n);
	/* Bridged: MAC dst, MAC src, EtherType, then IP. */
	memcpy(pdu, "\x01\x00\x5e\x00\x17\x0e\x02\x00\x00\x00\x00\x01", 12);
	put16(pdu + 12, 0x0800);
	memcpy(pdu + 14, tsh_dgs_ip(&s, 0), s.len[0]);
	n = tsh_ule(tsh_sec, 0x0001, NULL, pdu, 14 + s.len[0]);
	tsh_pk_unit(&t, tsh_sec, n);
	put16(pdu + 12, 0x0806);				/* ARP */
	n = tsh_ule(tsh_sec, 0x0001, NULL, pdu, 14 + s.len[0]);
	tsh_pk_unit(&t, tsh_sec, n);
	/* Optional: padding (H-LEN 1), then H-LEN 3 with 4 bytes. */
	put16(pdu, 0x0300 | 0x01);
	memcpy(pdu + 2, "\x11\x22\x33\x44", 4);
	put16(pdu + 6, 0x86dd);
	memcpy(pdu + 8, tsh_dgs_ip(&s, 1), s.len[1]);
	n = tsh_ule(tsh_sec, 0x0100, NULL, pdu, 8 + s.len[1]);
	tsh_pk_unit(&t, tsh_sec, n);
	n = tsh_ule(tsh_sec, 0x0005, NULL, pdu, 30);		/* unknown */
	tsh_pk_unit(&t, tsh_sec, n);
	n = tsh_ule(tsh_sec, 0x0806, NULL, pdu, 30);		/* not IP */
	tsh_pk_unit(&t, tsh_sec, n);
	for (i = 0; i < 20; i++)				/* loop */
		put16(pdu + 2 * i, 0x0100);
	n = tsh_ule(tsh_sec, 0x0100, NULL, pdu, 40);
	tsh_pk_unit(&t, tsh_sec, n);
	n = tsh_ule(tsh_sec, 0x0500, NULL, pdu, 6);	/* H-LEN 5 > 6 */
	tsh_pk_unit(&t, tsh_sec, n);
	ule_put(&t, &s, 2);
	tsh_pk_flush(&t);
	REQUIRE(tsh_fx_init(&f, 0x200, 1, 0));
	tsh_fx_feed(&f, &b);
	CHECK(tsh_fx_got(&f, &s, 0));
	CHECK_EQ_U(f.k.err[DECAP_ULE_TYPE], 4);
	CHECK_EQ_U(f.k.err[DECAP_ULE_LEN], 1);
	CHECK_EQ_U(tsh_sink_errs(&f.k), 5);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

static void
test_ule_errors(void)
{
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_pk t;
	struct tsh_fx f;
	size_t n;

	tsh_dgs_add(&s, AF_INET, 300, 1);
	tsh_dgs_add(&s, AF_INET, 301, 2);
	tsh_dgs_add(&s, AF_INET, 302, 3);
	tsh_pk_init(&t, &b, 0x200);
	n = tsh_ule(tsh_sec, 0x0800, NULL, tsh_dgs_ip(&s, 0), s.len[0]);
	tsh_sec[50] ^= 4;
	tsh_pk_unit(&t, tsh_sec, n);			/* bad CRC */
	put16(tsh_sec, 0x8003);				/* Length 3 < CRC */
	tsh_pk_unit(&t, tsh_sec, 8);
	tsh_pk_flush(&t);
	ule_put(&t, &s, 1);
	tsh_pk_flush(&t);
	/* Length 10 more than sent: the next PUSI cuts it short. */
	n = tsh_ule(tsh_sec, 0x0800, NULL, tsh_dgs_ip(&s, 0), s.len[0]);
	put16(tsh_sec, 0x8000 | (uint32_t)(n - 4 + 10));
	tsh_pk_unit(&t, tsh_sec, n);
	ule_put(&t, &s, 2);
	tsh_pk_flush(&t);
	REQUIRE(tsh_fx_init(&f, 0x200, 1, 0));
	tsh_fx_feed(&f, &b);
	CHECK(tsh_fx_got(&f, &s, 1));
	CHECK_EQ_U(f.k.err[DECAP_ULE_CRC], 1);
	CHECK_EQ_U(f.k.err[DECAP_ULE_LEN], 2);
	CHECK_EQ_U(tsh_sink_errs(&f.k), 3);
	tsh_fx_fini(&f);
	/* A continuity jump drops the SNDU being assembled. */
	b.len = 0;
	tsh_pk_init(&t, &b, 0x200);
	t.nopack = 1;
	ule_put(&t, &s, 0);
	ule_put(&t, &s, 1);
	ule_put(&t, &s, 2);
	tsh_pk_flush(&t);
	REQUIRE(b.len == 6 * 188);
	tsh_pkt_drop(&b, 0);
	tsh_pkt_drop(&b, 2);
	REQUIRE(tsh_fx_init(&f, 0x200, 1, 0));
	tsh_fx_feed(&f, &b);
	CHECK(tsh_fx_got(&f, &s, 2));
	CHECK_EQ_U(f.k.err[DECAP_TS_CC], 1);
	CHECK_EQ_U(f.k.err[DECAP_ULE_LEN], 1);
	CHECK_EQ_U(tsh_sink_errs(&f.k), 2);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

/* ---- Sync. ---- */

static void
test_resync(void)
{
	struct tsh_buf b = { 0 }, g = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_pk t;
	struct tsh_fx f;
	uint8_t junk[1000];
	size_t i, np;

	rng_seed(3);
	for (i = 0; i < sizeof(junk); i++) {
		junk[i] = (uint8_t)rng();
		if (junk[i] == 0x47)
			junk[i] = 0;
	}
	for (i = 0; i < 20; i++)
		tsh_dgs_add(&s, AF_INET, 100 + i, (uint32_t)i);
	tsh_pk_init(&t, &b, 0x100);
	t.nopack = 1;
	for (i = 0; i < s.n; i++)
		tsh_mpe_put(&t, &s, i, 0);
	tsh_pk_flush(&t);
	np = b.len / 188;
	REQUIRE(np == 20);
	/* Junk before, then junk between packets 10 and 11. */
	tsh_buf_put(&g, junk, 333);
	tsh_buf_put(&g, b.p, 10 * 188);
	tsh_buf_put(&g, junk + 400, 5);
	tsh_buf_put(&g, tsh_pkt(&b, 10), 10 * 188);
	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	tsh_fx_feed(&f, &g);
	CHECK(tsh_fx_got(&f, &s, 0));
	CHECK_EQ_U(f.k.err[DECAP_TS_SYNC], 2);
	CHECK_EQ_U(tsh_sink_errs(&f.k), 2);
	tsh_fx_fini(&f);
	/* The same, one byte at a time: lone 0x47s are taken on trial. */
	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	for (i = 0; i < g.len; i++)
		ts_demux_input(f.d, g.p + i, 1);
	CHECK(tsh_fx_got(&f, &s, 0));
	CHECK_EQ_U(f.k.err[DECAP_TS_SYNC], 2);
	tsh_fx_fini(&f);
	/* Bytes lost inside packet 5: that packet goes, sync comes back. */
	g.len = 0;
	tsh_buf_put(&g, b.p, 5 * 188 + 17);
	tsh_buf_put(&g, b.p + 5 * 188 + 20, b.len - 5 * 188 - 20);
	/*
	 * Packet 5 keeps its header and ends 3 bytes into packet 6: CRC.
	 * Packet 6 is skipped by the resync: a counter jump.
	 */
	REQUIRE(tsh_fx_init(&f, 0x100, 0, 0));
	tsh_fx_feed(&f, &g);
	CHECK_EQ_U(f.k.n, 18);
	CHECK(tsh_sink_is(&f.k, 5, tsh_dgs_ip(&s, 7), s.len[7]));
	CHECK_EQ_U(f.k.err[DECAP_TS_SYNC], 1);
	CHECK_EQ_U(f.k.err[DECAP_TS_CC], 1);
	CHECK_EQ_U(f.k.err[DECAP_SECT_CRC], 1);
	CHECK_EQ_U(tsh_sink_errs(&f.k), 3);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_buf_free(&g);
	tsh_dgs_free(&s);
}

TEST_MAIN(
	TEST(test_psi_discovery),
	TEST(test_sniff),
	TEST(test_fixed_and_service),
	TEST(test_pmt_version),
	TEST(test_psi_errors),
	TEST(test_ule_basic),
	TEST(test_ule_types),
	TEST(test_ule_errors),
	TEST(test_resync)
)
