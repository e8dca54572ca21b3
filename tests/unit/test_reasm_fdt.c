/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_reasm_fdt.c: FLUTE reassembly of FDT instances through real
 * packets: content encodings and bombs, instance ID wrap-around, a newer
 * instance superseding an object in flight, seq order across instances,
 * hostile instances, FullFDT, senders that restart their counters, and
 * the cap on instances reassembled at once.
 * The harness is shared with test_reasm.c through reasm_harness.h.
 */
#include "reasm_harness.h"
#include "../../carousel/reasm_int.h"

/* EXT_CENC 1, 2 and 3; a bomb, garbage and an unknown encoding refused. */
static void
test_fdt_cenc(void)
{
	struct tobj o[4], *op[4];
	struct reasm_stats st;
	struct tctx *t;
	char *big;
	uint8_t *z;
	size_t zlen, i;
	int c;

	rng_seed(4);
	for (c = 1; c <= 3; c++) {
		REQUIRE((t = tctx_new(NULL)) != NULL);
		for (i = 0; i < 4; i++) {
			tobj_init(&o[i], 2, 40 + (uint32_t)i, rng_below(3000),
			    100, 4);
			op[i] = &o[i];
		}
		send_fdt(t, 2, 5, op, 4, c, NULL);
		for (i = 0; i < 4; i++) {
			send_obj(t, &o[i]);
			check_obj(t, &o[i]);
		}
		st = stats(t);
		CHECK_EQ_U(st.fdt_instances, 1);
		CHECK_EQ_U(st.fdt_bad, 0);
		tobjs_free(o, 4);
		tctx_free(t);
	}

	REQUIRE((t = tctx_new(NULL)) != NULL);
	/* 5 MiB of blanks compress to a few KiB: beyond FDT_MAX_XML. */
	big = malloc(FDT_MAX_XML + (1 << 20));
	REQUIRE(big != NULL);
	memset(big, ' ', FDT_MAX_XML + (1 << 20));
	memcpy(big, "<FDT-Instance Expires=\"1\">", 26);
	z = squash((uint8_t *)big, FDT_MAX_XML + (1 << 20), 3, &zlen);
	free(big);
	REQUIRE(z != NULL);
	send_fdt_raw(t, 2, 1, z, zlen, 3, 1000, 64);
	CHECK_EQ_U(stats(t).fdt_bad, 1);
	z[zlen / 2] ^= 0x55;	/* corrupt stream */
	memset(z + 10, 0xA5, 20);
	send_fdt_raw(t, 2, 2, z, zlen, 1, 1000, 64);
	CHECK_EQ_U(stats(t).fdt_bad, 2);
	send_fdt_raw(t, 2, 3, z, zlen, 7, 1000, 64);
	CHECK_EQ_U(stats(t).fdt_bad, 3);
	CHECK_EQ_U(stats(t).fdt_instances, 0);
	free(z);
	tctx_free(t);
}

/* Instance IDs wrap: 0 is newer than 0xFFFFF, 0xFFFFE is older. */
static void
test_fdt_wrap(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj o, *op = &o;
	const struct commit *c1 = NULL, *c2 = NULL;
	uint64_t s1;

	REQUIRE(t != NULL);
	rng_seed(5);
	tobj_init(&o, 4, 5, 2500, 100, 4);
	snprintf(o.loc, sizeof(o.loc), "a.m3u8");
	send_fdt(t, 4, 0xFFFFF, &op, 1, 0, NULL);
	send_obj(t, &o);
	CHECK_EQ_U(commits_of(&t->ts, 4, 5, &c1), 1);
	REQUIRE(c1 != NULL);
	CHECK(strcmp(c1->location, "a.m3u8") == 0);
	s1 = c1->seq;

	snprintf(o.loc, sizeof(o.loc), "b.m3u8");
	send_fdt(t, 4, 0, &op, 1, 0, NULL);
	send_obj(t, &o);
	CHECK_EQ_U(commits_of(&t->ts, 4, 5, &c2), 2);
	REQUIRE(c2 != NULL);
	CHECK(strcmp(c2->location, "b.m3u8") == 0);
	CHECK(c2->seq > s1);
	CHECK(memcmp(c2->data, o.data, o.len) == 0);

	/* A late copy of an older instance changes nothing. */
	snprintf(o.loc, sizeof(o.loc), "c.m3u8");
	send_fdt(t, 4, 0xFFFFE, &op, 1, 0, NULL);
	send_obj(t, &o);
	CHECK_EQ_U(commits_of(&t->ts, 4, 5, NULL), 2);
	CHECK_EQ_U(stats(t).fdt_instances, 3);
	/* A repeat of an applied instance is skipped. */
	send_fdt(t, 4, 0, &op, 1, 0, NULL);
	CHECK_EQ_U(stats(t).fdt_instances, 3);

	/*
	 * Once instance 0 is no longer sent, a lower ID is a sender that
	 * restarted its counter: it wins.
	 */
	t->now += 31000;
	send_fdt(t, 4, 0xFFFFE, &op, 1, 0, NULL);
	send_obj(t, &o);
	CHECK_EQ_U(commits_of(&t->ts, 4, 5, &c2), 3);
	REQUIRE(c2 != NULL);
	CHECK(strcmp(c2->location, "c.m3u8") == 0);
	tobjs_free(&o, 1);
	tctx_free(t);
}

/*
 * A newer instance that gives a TOI in flight another location aborts the
 * partial object (superseded); the TOI is then received for the new one.
 * Without packets for done_ms the done-marker goes, and the next cycle
 * (FDT repeated) is committed again.
 */
static void
test_supersede_and_done_expiry(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj o, *op = &o;
	const struct commit *c = NULL;
	struct tpkt pk[100];
	size_t np;

	REQUIRE(t != NULL);
	rng_seed(17);
	tobj_init(&o, 2, 9, 3000, 100, 4);
	snprintf(o.loc, sizeof(o.loc), "old");
	send_fdt(t, 2, 1, &op, 1, 0, NULL);
	np = obj_packets(&o, 1, pk, 100);
	(void)send_pkts(t, pk, np / 2, 0, 0);
	snprintf(o.loc, sizeof(o.loc), "new");
	send_fdt(t, 2, 2, &op, 1, 0, NULL);
	CHECK_EQ_U(t->ts.aborts[OBJ_ABORT_SUPERSEDED], 1);
	send_obj(t, &o);
	check_obj(t, &o);

	t->now += 300001;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(stats(t).objects_incomplete, 0);
	send_obj(t, &o);			/* no FDT yet: buffered */
	CHECK_EQ_U(commits_of(&t->ts, 2, 9, NULL), 1);
	send_fdt(t, 2, 2, &op, 1, 0, NULL);
	CHECK_EQ_U(commits_of(&t->ts, 2, 9, &c), 2);
	REQUIRE(c != NULL);
	CHECK(c->exact && memcmp(c->data, o.data, o.len) == 0);
	CHECK_EQ_U(stats(t).fdt_instances, 3);
	tobjs_free(&o, 1);
	tctx_free(t);
}

/* A newer TOI for a location gets a larger seq; re-declaring keeps it. */
static void
test_seq(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj o[3], *op[3];
	const struct commit *c10 = NULL, *c11 = NULL, *c12 = NULL;

	REQUIRE(t != NULL);
	rng_seed(7);
	tobj_init(&o[0], 1, 10, 700, 100, 4);
	tobj_init(&o[1], 1, 11, 800, 100, 4);
	tobj_init(&o[2], 1, 12, 900, 100, 4);
	snprintf(o[0].loc, sizeof(o[0].loc), "live/p.m3u8");
	snprintf(o[1].loc, sizeof(o[1].loc), "live/p.m3u8");
	op[0] = &o[0];
	op[1] = &o[1];
	op[2] = &o[2];
	send_fdt(t, 1, 1, op, 1, 0, NULL);
	send_fdt(t, 1, 2, op, 2, 0, NULL);	/* TOI 10 again, TOI 11 new */
	send_obj(t, &o[1]);			/* newer finishes first */
	send_obj(t, &o[0]);
	send_fdt(t, 1, 3, op, 3, 0, NULL);
	send_obj(t, &o[2]);
	CHECK_EQ_U(commits_of(&t->ts, 1, 10, &c10), 1);
	CHECK_EQ_U(commits_of(&t->ts, 1, 11, &c11), 1);
	CHECK_EQ_U(commits_of(&t->ts, 1, 12, &c12), 1);
	REQUIRE(c10 && c11 && c12);
	CHECK(c11->seq > c10->seq);
	CHECK(c12->seq > c11->seq);
	tobjs_free(o, 3);
	tctx_free(t);
}

/* FDT instances that are not XML, too large, or lack their extensions. */
static void
test_hostile_fdt(void)
{
	static const char notxml[] = "this is not an FDT <<<";
	struct tctx *t = tctx_new(NULL);
	struct pspec s;
	uint8_t pl[200];
	int i;

	REQUIRE(t != NULL);
	send_fdt_raw(t, 1, 10, (const uint8_t *)notxml, sizeof(notxml) - 1,
	    -1, 8, 2);
	CHECK_EQ_U(stats(t).fdt_bad, 1);
	/* The same bad instance repeated is not counted again. */
	send_fdt_raw(t, 1, 10, (const uint8_t *)notxml, sizeof(notxml) - 1,
	    -1, 8, 2);
	CHECK_EQ_U(stats(t).fdt_bad, 1);

	memset(&s, 0, sizeof(s));
	memset(pl, '<', sizeof(pl));
	s.tsi = 1;
	s.fdt = 1;
	s.fdt_id = 11;
	s.fti = 1;
	s.l = (uint64_t)FDT_MAX_XML + 1;
	s.e = 200;
	s.blen = 64;
	s.pl = pl;
	s.len = 200;
	CHECK(feed(t, &s) < 0);
	for (i = 1; i < 5; i++) {
		s.esi = (uint16_t)i;
		(void)feed(t, &s);
	}
	CHECK_EQ_U(stats(t).fdt_bad, 2);
	s.fdt_id = 12;			/* no EXT_FTI */
	s.fti = 0;
	CHECK(feed(t, &s) < 0);
	s.fdt = 0;			/* no EXT_FDT */
	CHECK(feed(t, &s) < 0);
	CHECK_EQ_U(stats(t).bad_symbols, 2);
	CHECK_EQ_U(stats(t).fdt_instances, 0);
	CHECK_EQ_U(stats(t).inflight_bytes_now, 0);
	tctx_free(t);
}

/* FullFDT: a TOI left out of the newest full listing is forgotten. */
static void
test_full_fdt(void)
{
	struct reasm_params p;
	struct tobj o[2], *op[2];
	struct tctx *t;

	reasm_params_default(&p);
	p.object_timeout_ms = 40000;
	p.done_ms = 40000;
	REQUIRE((t = tctx_new(&p)) != NULL);
	rng_seed(16);
	tobj_init(&o[0], 1, 1, 1000, 100, 4);
	tobj_init(&o[1], 1, 2, 1000, 100, 4);
	op[0] = &o[0];
	op[1] = &o[1];
	send_fdt(t, 1, 1, op, 2, 0, "mbms2008:FullFDT=\"true\"");
	send_fdt(t, 1, 2, op + 1, 1, 0, "mbms2008:FullFDT=\"true\"");
	t->now += 11000;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(stats(t).objects_incomplete, 1);
	send_obj(t, &o[0]);		/* no longer declared: buffered */
	CHECK_EQ_U(commits_of(&t->ts, 1, 1, NULL), 0);
	send_obj(t, &o[1]);
	check_obj(t, &o[1]);
	tobjs_free(o, 2);
	tctx_free(t);
}

/*
 * A sender restarted within a second may reuse an FDT instance ID and its
 * TOIs for other content: the new FDT must be applied and the TOI received
 * again, not skipped as "already applied" or "already done".
 */
static void
test_restarted_sender(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj a, b, *op;
	const struct commit *c = NULL;

	REQUIRE(t != NULL);
	rng_seed(11);
	tobj_init(&a, 1, 1, 5000, 100, 8);
	tobj_init(&b, 1, 1, 5000, 100, 8);
	snprintf(b.loc, sizeof(b.loc), "http://dvb.gw/restarted/b.bin");
	op = &a;
	send_fdt(t, 1, 77, &op, 1, 0, NULL);
	send_obj(t, &a);
	check_obj(t, &a);
	op = &b;
	send_fdt(t, 1, 77, &op, 1, 0, NULL);	/* same id, other FDT */
	send_obj(t, &b);
	CHECK_EQ_U(stats(t).fdt_instances, 2);
	CHECK_EQ_U(t->ts.ncommits, 2);
	REQUIRE(t->ts.ncommits == 2);
	c = &t->ts.c[1];
	CHECK(strcmp(c->location, b.loc) == 0);
	CHECK(c->exact && memcmp(c->data, b.data, b.len) == 0);
	CHECK(c->seq > t->ts.c[0].seq);
	/* Restarted again, at an ID far "behind" by serial arithmetic. */
	snprintf(a.loc, sizeof(a.loc), "http://dvb.gw/restarted/c.bin");
	op = &a;
	send_fdt(t, 1, (77 - 300000) & 0xFFFFF, &op, 1, 0, NULL);
	send_obj(t, &a);
	REQUIRE(t->ts.ncommits == 3);
	CHECK(strcmp(t->ts.c[2].location, a.loc) == 0);
	tobjs_free(&a, 1);
	tobjs_free(&b, 1);
	tctx_free(t);
}

/* Symbols first..last-1 of FDT instance id (one block, e-byte symbols). */
static void
send_fdt_syms(struct tctx *t, uint32_t id, const char *x, size_t len,
    uint16_t e, size_t first, size_t last)
{
	struct pspec s;
	size_t i;

	for (i = first; i < last && i * e < len; i++) {
		memset(&s, 0, sizeof(s));
		s.tsi = 3;
		s.fdt = 1;
		s.fdt_id = id;
		s.fti = 1;
		s.l = len;
		s.e = e;
		s.blen = 64;
		s.esi = (uint16_t)i;
		s.pl = (const uint8_t *)x + i * e;
		s.len = len - i * e < e ? len - i * e : e;
		(void)feed(t, &s);
		t->now++;
	}
}

/*
 * At most REASM_MAX_FDTASM instances are reassembled at once per session:
 * one more evicts the stalest (its bytes are released), the others
 * complete; the evicted one completes once its lost symbol comes again.
 */
static void
test_fdtasm_cap(void)
{
	enum { N = REASM_MAX_FDTASM + 1 };
	struct tobj o[N], *op;
	struct tctx *t;
	char *x[N];
	size_t len[N], i, held = 0;

	REQUIRE((t = tctx_new(NULL)) != NULL);
	rng_seed(21);
	for (i = 0; i < N; i++) {
		tobj_init(&o[i], 3, 10 + (uint32_t)i, 500, 100, 4);
		op = &o[i];
		x[i] = fdt_xml(&op, 1, -3600, NULL, &len[i]);
		REQUIRE(len[i] > 300);
		send_fdt_syms(t, 1 + (uint32_t)i, x[i], len[i], 100, 0, 1);
		if (i > 0)
			held += len[i];
	}
	/* Instance 1, the stalest, went when the ninth came. */
	CHECK_EQ_U(stats(t).fdt_instances, 0);
	CHECK_EQ_U(stats(t).inflight_bytes_now, held);
	for (i = 1; i < N; i++)
		send_fdt_syms(t, 1 + (uint32_t)i, x[i], len[i], 100, 1, 64);
	CHECK_EQ_U(stats(t).fdt_instances, N - 1);
	CHECK_EQ_U(stats(t).inflight_bytes_now, 0);
	/* Its other symbols alone cannot complete it; the lost one does. */
	send_fdt_syms(t, 1, x[0], len[0], 100, 1, 64);
	CHECK_EQ_U(stats(t).fdt_instances, N - 1);
	CHECK_EQ_U(stats(t).inflight_bytes_now, len[0]);
	send_fdt_syms(t, 1, x[0], len[0], 100, 0, 1);
	CHECK_EQ_U(stats(t).fdt_instances, N);
	CHECK_EQ_U(stats(t).inflight_bytes_now, 0);
	CHECK_EQ_U(stats(t).fdt_bad, 0);
	for (i = 0; i < N; i++)
		free(x[i]);
	tobjs_free(o, N);
	tctx_free(t);
}

TEST_MAIN(TEST(test_fdt_cenc), TEST(test_fdt_wrap),
    TEST(test_supersede_and_done_expiry), TEST(test_seq),
    TEST(test_hostile_fdt), TEST(test_full_fdt),
    TEST(test_restarted_sender), TEST(test_fdtasm_cap))
