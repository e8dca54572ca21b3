/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ts_demux_int.c: MPE PIDs found through the IP/MAC Notification
 * Table (EN 301 192 §8) by the TS demux (carousel/ts_int.c, ts_psi.c).  A
 * PMT names the INT PID (data_broadcast_id 0x000B) and ESs with component
 * tags; an INT locates (service, component_tag); MPE sections on that ES
 * are then delivered.  Covered: every IP target descriptor, an empty
 * target loop, non-IP targets; no INT, a location with no ES; CRC errors,
 * truncated loops, descriptor lengths past their loop and other malformed
 * sections (counted, and harmless to the next good INT); reserved
 * action_type and next (not current) tables; 1000 targets (bounded,
 * counted); new INT versions, multi-section INTs, PMT changes; sniffing
 * ending on an INT; a seeded random-mutation loop (run it under
 * ASan/UBSan) checking the state stays within its bounds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "test.h"
#include "ts_harness.h"
#include "../../carousel/ts_demux_int.h"

#define PID_PMT		0x0020
#define PID_INT		0x0030
#define PID_TGT		0x0200	/* component_tag TAG */
#define PID_TGT2	0x0201	/* component_tag TAG2 */
#define PID_MPE		0x0300	/* announced with data_broadcast_id 5 */
#define PID_OTHER	0x0400	/* announced by nothing */
#define SERVICE		1
#define TAG		7
#define TAG2		8
#define PLATFORM	0x00000a

static uint8_t sec[TSH_SECT_MAX];

/* ---- Streams. ---- */

/* The INT, two tagged ESs and (last, so optional) an MPE ES. */
static const struct tsh_esx psi_es[] = {
	{ 0x1b, 0x0101, 0, 1 },			/* video, tag 1 */
	{ 0x05, PID_INT, 0x000b, -1 },
	{ 0x0d, PID_TGT, 0, TAG },
	{ 0x0d, PID_TGT2, 0, TAG2 },
	{ 0x0d, PID_MPE, TS_DBID_MPE, 3 },
};

/* PAT and a PMT with psi_es (without the MPE ES unless mpe). */
static void
put_psi(struct tsh_buf *b, struct tsh_cc *c, int mpe, uint8_t version)
{
	static const struct tsh_prog pr[] = { { SERVICE, PID_PMT } };

	tsh_put_pat(b, c, 0, pr, 1);
	tsh_put_pmt_x(b, c, PID_PMT, SERVICE, version, psi_es, mpe ? 5 : 4);
}

/* Datagram i of s as one MPE section on pid. */
static void
put_mpe(struct tsh_buf *b, struct tsh_cc *c, uint16_t pid,
    const struct tsh_dgs *s, size_t i)
{
	struct tsh_pk t;

	tsh_pk_init(&t, b, pid);
	t.cc = c->cc[pid];
	tsh_mpe_put(&t, s, i, 0);
	tsh_pk_flush(&t);
	c->cc[pid] = t.cc;
}

/* A target descriptor with tag (content zero) at p; returns its size. */
static size_t
tgt_desc(uint8_t *p, int tag)
{
	size_t n;

	switch (tag) {
	case 0x09: n = 8; break;	/* IPv4 mask, address */
	case 0x0a: n = 32; break;	/* IPv6 mask, address */
	case 0x0f: n = 5; break;	/* IPv4 address, slash */
	case 0x10: n = 10; break;	/* source and destination */
	case 0x11: n = 17; break;
	case 0x12: n = 34; break;
	default: n = 12; break;		/* MAC mask, MAC; smartcard */
	}
	p[0] = (uint8_t)tag;
	p[1] = (uint8_t)n;
	memset(p + 2, 0, n);
	return 2 + n;
}

/*
 * An INT section with one pair: a target loop with one descriptor of
 * tgt (-1: empty loop) and a location of (service, tag).  Returns its
 * length.  With the IP slash target, the layout is fixed: target loop
 * length at 14, its descriptor at 16..22, operational loop length at
 * 23, the location at 25..35, CRC at 36.
 */
static size_t
int_one(uint8_t *s, uint8_t version, int tgt, uint16_t service, uint8_t tag)
{
	uint8_t t[64], op[16];
	size_t nt = tgt < 0 ? 0 : tgt_desc(t, tgt);
	size_t no = tsh_desc_loc(op, service, tag);
	size_t off = tsh_int_begin(s, PLATFORM, version, 0, 0);

	off = tsh_int_pair(s, off, t, nt, op, no);
	return tsh_int_end(s, off);
}

static void
put_int(struct tsh_buf *b, struct tsh_cc *c, const uint8_t *s, size_t n)
{
	tsh_put_unit(b, c, PID_INT, s, n);
}

/* Whether pid is among the PIDs the demux follows as MPE/ULE. */
static int
follows(const struct tsh_fx *f, uint16_t pid)
{
	uint16_t pl[64];
	size_t i, n = ts_demux_pids(f->d, pl, 64);

	for (i = 0; i < n; i++)
		if (pl[i] == pid)
			return 1;
	return 0;
}

/* ---- Discovery. ---- */

/*
 * Each kind of target loop: the IP ones (and an empty loop) locate the
 * ES, the others do not.  Datagrams span several packets.
 */
static void
test_int_targets(void)
{
	static const struct {
		int	tgt;
		int	ok;
	} cases[] = {
		{ -1, 1 }, { 0x09, 1 }, { 0x0a, 1 }, { 0x0f, 1 }, { 0x10, 1 },
		{ 0x11, 1 }, { 0x12, 1 }, { 0x07, 0 }, { 0x06, 0 }, { 0x0d, 0 },
	};
	static struct tsh_cc c;
	struct tsh_dgs s = { 0 };
	struct tsh_fx f;
	size_t i, n;

	tsh_dgs_add(&s, AF_INET, 1000, 1);
	tsh_dgs_add(&s, AF_INET6, 600, 2);
	tsh_dgs_add(&s, AF_INET, 50, 3);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tsh_buf b = { 0 };

		memset(&c, 0, sizeof(c));
		put_psi(&b, &c, 1, 0);
		n = int_one(sec, 0, cases[i].tgt, SERVICE, TAG);
		put_int(&b, &c, sec, n);
		put_mpe(&b, &c, PID_TGT, &s, 0);
		put_mpe(&b, &c, PID_TGT, &s, 1);
		put_mpe(&b, &c, PID_MPE, &s, 2);
		REQUIRE(tsh_fx_init(&f, 0, 0, 0));
		tsh_fx_feed(&f, &b);
		CHECK_EQ_U(tsh_sink_errs(&f.k), 0);
		CHECK_EQ_U(follows(&f, PID_TGT), cases[i].ok);
		CHECK(follows(&f, PID_MPE));
		if (cases[i].ok)
			CHECK(tsh_fx_got(&f, &s, 0));
		else
			CHECK(f.k.n == 1 && tsh_sink_is(&f.k, 0,
			    tsh_dgs_ip(&s, 2), s.len[2]));
		tsh_fx_fini(&f);
		tsh_buf_free(&b);
	}
	tsh_dgs_free(&s);
}

/*
 * Without the INT, or with an INT whose location names no ES, the tagged
 * ES is not followed (an MPE ES of the PMT keeps sniffing off).
 */
static void
test_int_absent(void)
{
	static struct tsh_cc c;
	static const struct {
		int		have_int;
		uint16_t	service;
		uint8_t		tag;
	} cases[] = {
		{ 0, SERVICE, TAG }, { 1, SERVICE, 99 }, { 1, 2, TAG },
		{ 1, SERVICE, 1 },	/* the video ES, PID 0x101: followed */
	};
	struct tsh_dgs s = { 0 };
	struct tsh_fx f;
	size_t i, n;

	tsh_dgs_add(&s, AF_INET, 300, 1);
	tsh_dgs_add(&s, AF_INET, 300, 2);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tsh_buf b = { 0 };

		memset(&c, 0, sizeof(c));
		put_psi(&b, &c, 1, 0);
		if (cases[i].have_int) {
			n = int_one(sec, 0, 0x0f, cases[i].service,
			    cases[i].tag);
			put_int(&b, &c, sec, n);
		}
		put_mpe(&b, &c, PID_TGT, &s, 0);
		put_mpe(&b, &c, PID_MPE, &s, 1);
		REQUIRE(tsh_fx_init(&f, 0, 0, 0));
		tsh_fx_feed(&f, &b);
		CHECK(tsh_fx_got(&f, &s, 1));
		CHECK_EQ_U(tsh_sink_errs(&f.k), 0);
		CHECK(!follows(&f, PID_TGT));
		CHECK(!follows(&f, PID_INT));
		CHECK_EQ_U(follows(&f, 0x0101), cases[i].tag == 1);
		tsh_fx_fini(&f);
		tsh_buf_free(&b);
	}
	tsh_dgs_free(&s);
}

/*
 * With only the INT to go by: before it, MPE on any PID is sniffed; once
 * it locates a PID, the guesses stop.
 */
static void
test_int_sniff(void)
{
	static struct tsh_cc c;
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_fx f;
	size_t n;

	tsh_dgs_add(&s, AF_INET, 100, 1);
	tsh_dgs_add(&s, AF_INET, 100, 2);
	tsh_dgs_add(&s, AF_INET, 100, 3);
	memset(&c, 0, sizeof(c));
	put_psi(&b, &c, 0, 0);
	put_mpe(&b, &c, PID_OTHER, &s, 0);	/* sniffed */
	n = int_one(sec, 0, -1, SERVICE, TAG);
	put_int(&b, &c, sec, n);
	put_mpe(&b, &c, PID_TGT, &s, 1);
	put_mpe(&b, &c, PID_OTHER, &s, 2);	/* no longer */
	REQUIRE(tsh_fx_init(&f, 0, 0, 0));
	tsh_fx_feed(&f, &b);
	CHECK_EQ_U(f.k.n, 2);
	CHECK(tsh_sink_is(&f.k, 0, tsh_dgs_ip(&s, 0), s.len[0]));
	CHECK(tsh_sink_is(&f.k, 1, tsh_dgs_ip(&s, 1), s.len[1]));
	CHECK(follows(&f, PID_TGT));
	CHECK(!follows(&f, PID_OTHER));
	CHECK_EQ_U(tsh_sink_errs(&f.k), 0);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

/* ---- Damaged INTs. ---- */

enum mut {
	M_CRC, M_TGT_LEN, M_OP_LEN, M_DESC_LEN, M_LOC_SHORT, M_PLAT_LEN,
	M_CUT, M_SECNUM, M_SHORT_FORM, M_TRAILING, M_ACTION, M_NEXT
};

/* Damage the section int_one built; returns its new length. */
static size_t
mutate(uint8_t *s, size_t n, int m)
{
	switch (m) {
	case M_CRC:
		s[35] ^= 0x01;		/* the component_tag */
		return n;
	case M_TGT_LEN:	s[15] = 0xff; break;
	case M_OP_LEN:	s[24] = 12; break;
	case M_DESC_LEN: s[26] = 10; break;
	case M_LOC_SHORT:
		/* A location of 8 bytes: one short of component_tag. */
		s[24] = 10;
		s[26] = 8;
		n -= 1;
		break;
	case M_PLAT_LEN: s[13] = 0x40; break;
	case M_CUT:	n -= 3; break;		/* inside the location */
	case M_SECNUM:	s[6] = 1; break;	/* > last_section_number */
	case M_SHORT_FORM: s[1] &= 0x7f; break;
	case M_TRAILING:
		s[36] = 0;		/* one byte after the last pair */
		n += 1;
		break;
	case M_ACTION:	s[3] = 0x02; break;
	case M_NEXT:	s[5] &= 0xfe; break;
	}
	tsh_section_seal(s, n);
	return n;
}

/*
 * Each damaged INT locates nothing and is counted (the last two are
 * valid but not for us: not counted); a good INT after it works.
 */
static void
test_int_errors(void)
{
	static const struct {
		int	m;
		int	err;		/* -1: none */
	} cases[] = {
		{ M_CRC, DECAP_SECT_CRC }, { M_TGT_LEN, DECAP_PSI },
		{ M_OP_LEN, DECAP_PSI }, { M_DESC_LEN, DECAP_PSI },
		{ M_LOC_SHORT, DECAP_PSI }, { M_PLAT_LEN, DECAP_PSI },
		{ M_CUT, DECAP_PSI }, { M_SECNUM, DECAP_PSI },
		{ M_SHORT_FORM, DECAP_PSI }, { M_TRAILING, DECAP_PSI },
		{ M_ACTION, -1 }, { M_NEXT, -1 },
	};
	static struct tsh_cc c;
	struct tsh_dgs s = { 0 };
	struct tsh_fx f;
	size_t i, n;

	tsh_dgs_add(&s, AF_INET, 200, 1);
	tsh_dgs_add(&s, AF_INET, 200, 2);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tsh_buf b = { 0 };

		memset(&c, 0, sizeof(c));
		put_psi(&b, &c, 1, 0);
		n = int_one(sec, 0, 0x0f, SERVICE, TAG);
		CHECK_EQ_U(n, 40);
		n = mutate(sec, n, cases[i].m);
		put_int(&b, &c, sec, n);
		put_mpe(&b, &c, PID_TGT, &s, 0);
		REQUIRE(tsh_fx_init(&f, 0, 0, 0));
		tsh_fx_feed(&f, &b);
		CHECK_EQ_U(f.k.n, 0);
		CHECK(!follows(&f, PID_TGT));
		CHECK_EQ_U(tsh_sink_errs(&f.k), cases[i].err >= 0);
		if (cases[i].err >= 0)
			CHECK_EQ_U(f.k.err[cases[i].err], 1);
		b.len = 0;
		n = int_one(sec, 1, 0x0f, SERVICE, TAG);
		put_int(&b, &c, sec, n);
		put_mpe(&b, &c, PID_TGT, &s, 1);
		tsh_fx_feed(&f, &b);
		CHECK(tsh_fx_got(&f, &s, 1));
		tsh_fx_fini(&f);
		tsh_buf_free(&b);
	}
	tsh_dgs_free(&s);
}

/* ---- Bounds. ---- */

/*
 * 1000 locations over 4 sections (service 1 + i / 256, tag i % 256) and
 * a PMT with 40 tagged ESs: at most TS_MAX_INTLOC locations are kept,
 * the rest counted; 32 PIDs are followed, the first 32 tags.
 */
static void
test_int_many(void)
{
	static struct tsh_cc c;
	static const struct tsh_prog pr[] = { { SERVICE, PID_PMT } };
	struct tsh_esx es[41];
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_fx f;
	uint8_t op[16];
	size_t i, k, n, off, rep;

	memset(&c, 0, sizeof(c));
	es[0] = (struct tsh_esx){ 0x05, PID_INT, 0x000b, -1 };
	for (i = 0; i < 40; i++)
		es[i + 1] = (struct tsh_esx){ 0x0d, (uint16_t)(0x200 + i), 0,
		    (int)i };
	tsh_dgs_add(&s, AF_INET, 100, 1);
	tsh_dgs_add(&s, AF_INET, 100, 2);
	tsh_put_pat(&b, &c, 0, pr, 1);
	tsh_put_pmt_x(&b, &c, PID_PMT, SERVICE, 0, es, 41);
	for (rep = 0; rep < 3; rep++) {
		for (k = 0; k < 4; k++) {
			off = tsh_int_begin(sec, PLATFORM, 0, (uint8_t)k, 3);
			for (i = 250 * k; i < 250 * (k + 1); i++) {
				tsh_desc_loc(op, (uint16_t)(1 + i / 256),
				    (uint8_t)i);
				off = tsh_int_pair(sec, off, NULL, 0, op, 11);
			}
			n = tsh_int_end(sec, off);
			CHECK(n <= 4096);
			put_int(&b, &c, sec, n);
		}
	}
	put_mpe(&b, &c, 0x21f, &s, 0);
	put_mpe(&b, &c, 0x220, &s, 1);
	REQUIRE(tsh_fx_init(&f, 0, 0, 0));
	tsh_fx_feed(&f, &b);
	CHECK_EQ_U(f.d->nintloc, TS_MAX_INTLOC);
	CHECK_EQ_U(f.d->ndata, 32);
	CHECK(follows(&f, 0x200) && follows(&f, 0x21f));
	CHECK(!follows(&f, 0x220));
	CHECK(tsh_fx_got(&f, &s, 0) == 0 && f.k.n == 1);
	CHECK(tsh_sink_is(&f.k, 0, tsh_dgs_ip(&s, 0), s.len[0]));
	/* Each of the 12 sections lost locations. */
	CHECK_EQ_U(f.k.err[DECAP_INT_LIMIT], 12);
	CHECK_EQ_U(tsh_sink_errs(&f.k), 12);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

/* ---- Changes. ---- */

/* An INT of version v, one section per entry of tags (of SERVICE). */
static void
put_int_tags(struct tsh_buf *b, struct tsh_cc *c, uint8_t v,
    const uint8_t *tags, size_t ntags)
{
	uint8_t op[16];
	size_t i, off;

	for (i = 0; i < ntags; i++) {
		off = tsh_int_begin(sec, PLATFORM, v, (uint8_t)i,
		    (uint8_t)(ntags - 1));
		tsh_desc_loc(op, SERVICE, tags[i]);
		off = tsh_int_pair(sec, off, NULL, 0, op, 11);
		put_int(b, c, sec, tsh_int_end(sec, off));
	}
}

/* Feed b, then check which of PID_TGT/PID_TGT2 is followed; reset b. */
static void
step(struct tsh_fx *f, struct tsh_buf *b, int tgt, int tgt2)
{
	tsh_fx_feed(f, b);
	b->len = 0;
	CHECK_EQ_U(follows(f, PID_TGT), tgt);
	CHECK_EQ_U(follows(f, PID_TGT2), tgt2);
}

/*
 * A new version replaces the mapping; a repeated section keeps it; the
 * sections of a longer INT add up, and its next version expires the
 * sections it does not resend; a PMT without the INT forgets it all.
 */
static void
test_int_version(void)
{
	static struct tsh_cc c;
	static const uint8_t t1[] = { TAG }, t2[] = { TAG2 };
	static const uint8_t t12[] = { TAG, TAG2 };
	static const struct tsh_esx moved[] = {
		{ 0x05, PID_INT, 0x000b, -1 }, { 0x0d, PID_TGT, 0, TAG },
		{ 0x0d, PID_TGT2, 0, 9 }, { 0x0d, 0x0202, 0, TAG2 },
	};
	static const struct tsh_esx no_int[] = {
		{ 0x0d, PID_TGT, 0, TAG }, { 0x0d, PID_TGT2, 0, TAG2 },
		{ 0x0d, PID_MPE, TS_DBID_MPE, 3 },
	};
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_fx f;

	memset(&c, 0, sizeof(c));
	tsh_dgs_add(&s, AF_INET, 100, 1);
	tsh_dgs_add(&s, AF_INET, 100, 2);
	tsh_dgs_add(&s, AF_INET, 100, 3);
	REQUIRE(tsh_fx_init(&f, 0, 0, 0));
	put_psi(&b, &c, 1, 0);
	put_int_tags(&b, &c, 0, t1, 1);
	step(&f, &b, 1, 0);
	put_int_tags(&b, &c, 1, t2, 1);
	put_mpe(&b, &c, PID_TGT, &s, 0);
	put_mpe(&b, &c, PID_TGT2, &s, 1);
	step(&f, &b, 0, 1);
	CHECK(f.k.n == 1 && tsh_sink_is(&f.k, 0, tsh_dgs_ip(&s, 1),
	    s.len[1]));
	put_int_tags(&b, &c, 1, t2, 1);
	step(&f, &b, 0, 1);
	put_int_tags(&b, &c, 2, t12, 2);
	step(&f, &b, 1, 1);
	CHECK_EQ_U(f.d->nintloc, 2);
	/* Version 3 has one section: both sections of version 2 expire. */
	put_int_tags(&b, &c, 3, t2, 1);
	step(&f, &b, 0, 1);
	CHECK_EQ_U(f.d->nintloc, 1);
	/* The PMT moves tag 8 from PID_TGT2 to PID 0x202. */
	tsh_put_pmt_x(&b, &c, PID_PMT, SERVICE, 1, moved, 4);
	step(&f, &b, 0, 0);
	CHECK(follows(&f, 0x0202));
	tsh_put_pmt_x(&b, &c, PID_PMT, SERVICE, 2, no_int, 3);
	step(&f, &b, 0, 0);
	CHECK(!follows(&f, 0x0202));
	CHECK_EQ_U(f.d->nintloc, 0);
	put_mpe(&b, &c, PID_TGT2, &s, 2);
	step(&f, &b, 0, 0);
	CHECK_EQ_U(f.k.n, 1);
	CHECK_EQ_U(tsh_sink_errs(&f.k), 0);
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

/* ---- Random damage. ---- */

/* A valid INT with pairs of assorted targets, locating tags 0..9. */
static size_t
int_rich(uint8_t *s, uint8_t version)
{
	static const int tg[] = { -1, 0x09, 0x0a, 0x0f, 0x10, 0x11, 0x12,
	    0x07, 0x0f, -1 };
	uint8_t t[64], op[40];
	size_t i, off = tsh_int_begin(s, PLATFORM, version, 0, 0), nt, no;

	for (i = 0; i < 10; i++) {
		nt = tg[i] < 0 ? 0 : tgt_desc(t, tg[i]);
		no = tsh_desc_loc(op, SERVICE, (uint8_t)i);
		no += tsh_desc_loc(op + no, SERVICE, (uint8_t)(i + 100));
		off = tsh_int_pair(s, off, t, nt, op, no);
	}
	return tsh_int_end(s, off);
}

/* Damage a copy of the n-byte section in s; returns its length. */
static size_t
int_damage(uint8_t *s, size_t n)
{
	size_t k, flips = 1 + rng_below(4);

	for (k = 0; k < flips; k++) {
		if (rng_below(2))
			s[rng_below((uint32_t)n)] ^= (uint8_t)(1 << rng_below(8));
		else
			s[12 + rng_below((uint32_t)n - 12)] =
			    (uint8_t)rng_below(256);
	}
	if (rng_below(4) == 0)
		n = 14 + rng_below((uint32_t)n - 14 + 40);
	if (rng_below(10) != 0)
		tsh_section_seal(s, n);
	return n;
}

/*
 * Thousands of damaged INTs (mostly with a valid CRC, so that the parser
 * sees them), some damaged PMTs: nothing crashes, the tables stay within
 * their caps, every parse keeps at most TS_INT_LOCS locations; a good INT
 * afterwards works.
 */
static void
test_int_hostile(void)
{
	static struct tsh_cc c;
	static uint8_t good[TSH_SECT_MAX], bad[TSH_SECT_MAX + 64];
	struct ts_int_info ii;
	struct tsh_buf b = { 0 };
	struct tsh_dgs s = { 0 };
	struct tsh_fx f;
	size_t it, gn, n, parsed = 0;

	rng_seed(0x17a5);
	memset(&c, 0, sizeof(c));
	tsh_dgs_add(&s, AF_INET, 100, 1);
	gn = int_rich(good, 0);
	REQUIRE(ts_int_parse(good, gn, &ii) == 0);
	CHECK_EQ_U(ii.n, 18);		/* 9 IP pairs, 2 locations each */
	REQUIRE(tsh_fx_init(&f, 0, 0, 0));
	for (it = 0; it < 4000; it++) {
		if (it % 100 == 0)
			put_psi(&b, &c, (int)(it / 100 % 2), (uint8_t)it);
		memset(bad, 0xa5, sizeof(bad));
		if (rng_below(20) == 0) {
			n = tsh_pmt_x(bad, SERVICE, (uint8_t)it, psi_es, 5);
			n = int_damage(bad, n);
			tsh_put_unit(&b, &c, PID_PMT, bad, n);
		} else {
			memcpy(bad, good, gn);
			bad[5] = (uint8_t)(0xc1 | (it % 32) << 1);
			n = int_damage(bad, gn);
			parsed += ts_int_parse(bad, n, &ii) == 0;
			CHECK(ii.n <= TS_INT_LOCS);
			put_int(&b, &c, bad, n);
		}
		tsh_fx_feed(&f, &b);
		b.len = 0;
		CHECK(f.d->nintloc <= TS_MAX_INTLOC);
		CHECK(f.d->ncomp <= TS_MAX_COMPS);
		CHECK(f.d->ndata <= TS_MAX_DATA);
		tsh_sink_reset(&f.k);
	}
	/* Some damage leaves a valid section, most does not. */
	CHECK(parsed > 100 && parsed < 3500);
	/* A PMT without the INT clears what damaged INTs left. */
	tsh_put_pmt_x(&b, &c, PID_PMT, SERVICE, 6, psi_es + 2, 3);
	put_psi(&b, &c, 1, 7);
	put_int(&b, &c, sec, int_one(sec, 9, -1, SERVICE, TAG));
	put_mpe(&b, &c, PID_TGT, &s, 0);
	tsh_fx_feed(&f, &b);
	CHECK(tsh_fx_got(&f, &s, 0));
	tsh_fx_fini(&f);
	tsh_buf_free(&b);
	tsh_dgs_free(&s);
}

TEST_MAIN(TEST(test_int_targets), TEST(test_int_absent),
    TEST(test_int_sniff), TEST(test_int_errors), TEST(test_int_many),
    TEST(test_int_version), TEST(test_int_hostile))
