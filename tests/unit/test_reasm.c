/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_reasm.c: FLUTE reassembly through real packets: objects, cycles,
 * packets before their FDT, sessions, hostile symbols, fuzzing, expiry,
 * limits and sink failures.  The cases about FDT instances themselves
 * (content encoding, instance ID wrap, supersede, FullFDT, restarted
 * senders) are in test_reasm_fdt.c; the harness is in reasm_harness.h.
 */
#include "reasm_harness.h"

/*
 * Many sizes around the symbol and block boundaries, several geometries,
 * the OTI in the FDT or on the packets, random order, duplicates and up
 * to four symbols per packet: every object committed once, byte-exact.
 */
static void
test_random_objects(void)
{
	static const uint16_t es[] = { 1, 7, 100, 100, 1428, 512 };
	static const uint32_t bs[] = { 4, 4, 4, 64, 64, 1 };
	struct tobj o[80], *op[80];
	struct tpkt *pk = calloc(200000, sizeof(*pk));
	struct tctx *t = tctx_new(NULL);
	struct reasm_stats st;
	size_t n = 0, np = 0, i, g;

	REQUIRE(t != NULL && pk != NULL);
	rng_seed(1);
	for (g = 0; g < sizeof(es) / sizeof(es[0]); g++) {
		uint64_t e = es[g], be = e * bs[g];
		uint64_t sz[] = { 0, 1, e - 1, e, e + 1, be - 1, be, be + 1,
		    1 + rng_below((uint32_t)(20 * be < 150000 ? 20 * be :
		    150000)), 3 * be + rng_below((uint32_t)be) };

		for (i = 0; i < sizeof(sz) / sizeof(sz[0]); i++) {
			if (i > 0 && sz[i] == 0)
				continue;
			tobj_init(&o[n], 7, (uint32_t)n + 1, sz[i], es[g],
			    bs[g]);
			o[n].fdt_oti = rng_below(2);
			o[n].pkt_fti = !o[n].fdt_oti || rng_below(2);
			o[n].fdt_tl = rng_below(2);
			op[n] = &o[n];
			n++;
		}
	}
	send_fdt(t, 7, 1, op, n, 0, NULL);
	for (i = 0; i < n; i++)
		np += obj_packets(&o[i], 4, pk + np, 200000 - np);
	(void)send_pkts(t, pk, np, 20, 0);
	for (i = 0; i < n; i++)
		check_obj(t, &o[i]);
	st = stats(t);
	CHECK_EQ_U(st.objects_completed, n);
	CHECK_EQ_U(st.objects_started, n);
	CHECK_EQ_U(st.fdt_instances, 1);
	CHECK(st.duplicate_symbols > 0);
	CHECK_EQ_U(st.bad_symbols, 0);
	CHECK_EQ_U(st.objects_now, 0);
	CHECK_EQ_U(st.inflight_bytes_now, 0);
	CHECK_EQ_U(t->ts.begins, n);
	for (i = 0; i + 1 < n; i++)
		CHECK(t->ts.c[i].seq != t->ts.c[i + 1].seq);
	tobjs_free(o, n);
	free(pk);
	tctx_free(t);
}

/* Loss in one cycle, filled by the next; a third cycle is ignored. */
static void
test_cycles(void)
{
	struct tobj o[12], *op[12];
	struct tpkt *pk = calloc(20000, sizeof(*pk));
	struct tctx *t = tctx_new(NULL);
	size_t n = 12, np = 0, i;
	int begins;

	REQUIRE(t != NULL && pk != NULL);
	rng_seed(2);
	for (i = 0; i < n; i++) {
		tobj_init(&o[i], 3, 100 + (uint32_t)i, 500 +
		    rng_below(6000), 100, 4);
		op[i] = &o[i];
	}
	send_fdt(t, 3, 9, op, n, 0, NULL);
	for (i = 0; i < n; i++)
		np += obj_packets(&o[i], 3, pk + np, 20000 - np);
	/* Drop the first packet of every object, plus 30% at random. */
	for (i = 0; i < np; i++)
		if (pk[i].off == 0)
			pk[i].len = 0;
	{
		struct tpkt *keep = malloc(np * sizeof(*keep));
		size_t nk = 0;

		for (i = 0; i < np; i++)
			if (pk[i].len != 0)
				keep[nk++] = pk[i];
		(void)send_pkts(t, keep, nk, 10, 30);
		free(keep);
	}
	CHECK_EQ_U(t->ts.ncommits, 0);
	np = 0;
	for (i = 0; i < n; i++)
		np += obj_packets(&o[i], 2, pk + np, 20000 - np);
	t->now += 1000;
	(void)send_pkts(t, pk, np, 10, 0);
	for (i = 0; i < n; i++)
		check_obj(t, &o[i]);
	begins = t->ts.begins;
	CHECK_EQ_U(begins, n);
	(void)send_pkts(t, pk, np, 0, 0);
	CHECK_EQ_U(t->ts.ncommits, n);
	CHECK_EQ_U(t->ts.begins, begins);
	tobjs_free(o, n);
	free(pk);
	tctx_free(t);
}

/* Packets before their FDT are buffered and replayed; bounds apply. */
static void
test_prefdt(void)
{
	struct tobj o[3], *op[3];
	struct tpkt pk[400];
	struct reasm_params p;
	struct reasm_stats st;
	struct tctx *t = tctx_new(NULL);
	size_t np, i;

	REQUIRE(t != NULL);
	rng_seed(3);
	tobj_init(&o[0], 1, 5, 9000, 100, 4);	/* all before the FDT */
	tobj_init(&o[1], 1, 6, 4000, 64, 8);	/* half before, half after */
	tobj_init(&o[2], 1, 7, 3000, 50, 16);	/* OTI only on the packets */
	o[2].fdt_oti = 0;
	o[2].fdt_tl = 0;
	o[2].pkt_fti = 1;
	for (i = 0; i < 3; i++)
		op[i] = &o[i];
	np = obj_packets(&o[0], 2, pk, 400);
	(void)send_pkts(t, pk, np, 10, 0);
	np = obj_packets(&o[2], 1, pk, 400);
	(void)send_pkts(t, pk, np, 0, 0);
	np = obj_packets(&o[1], 1, pk, 400);
	(void)send_pkts(t, pk, np / 2, 0, 0);
	st = stats(t);
	CHECK(st.prefdt_bytes_now > 12000);
	CHECK_EQ_U(t->ts.begins, 0);
	send_fdt(t, 1, 77, op, 3, 0, NULL);
	(void)send_pkts(t, pk + np / 2, np - np / 2, 0, 0);
	for (i = 0; i < 3; i++)
		check_obj(t, &o[i]);
	st = stats(t);
	CHECK_EQ_U(st.prefdt_bytes_now, 0);
	CHECK_EQ_U(st.prefdt_dropped, 0);
	tctx_free(t);

	/* Byte bound: the oldest are dropped; time bound: all are. */
	reasm_params_default(&p);
	p.prefdt_max_bytes = 3000;
	p.prefdt_ms = 5000;
	REQUIRE((t = tctx_new(&p)) != NULL);
	np = obj_packets(&o[0], 1, pk, 400);
	(void)send_pkts(t, pk, np, 0, 0);
	st = stats(t);
	CHECK(st.prefdt_bytes_now <= 3000 && st.prefdt_bytes_now > 0);
	CHECK(st.prefdt_dropped >= np - 30);
	t->now += 6000;
	reasm_expire(t->r, t->now);
	st = stats(t);
	CHECK_EQ_U(st.prefdt_bytes_now, 0);
	CHECK_EQ_U(st.prefdt_dropped, np);
	send_fdt(t, 1, 77, op, 1, 0, NULL);
	CHECK_EQ_U(t->ts.begins, 0);
	tobjs_free(o, 3);
	tctx_free(t);
}

/* Same group, port and TOIs on two TSIs: kept apart. */
static void
test_two_sessions(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj a[3], b[3], *pa[3], *pb[3];
	struct tpkt *pk = calloc(4000, sizeof(*pk));
	size_t np = 0, i;

	REQUIRE(t != NULL && pk != NULL);
	rng_seed(6);
	for (i = 0; i < 3; i++) {
		tobj_init(&a[i], 10, 1 + (uint32_t)i, 3000 + i, 100, 4);
		tobj_init(&b[i], 11, 1 + (uint32_t)i, 2000 + i, 100, 8);
		pa[i] = &a[i];
		pb[i] = &b[i];
	}
	send_fdt(t, 10, 1, pa, 3, 0, NULL);
	send_fdt(t, 11, 1, pb, 3, 0, NULL);
	for (i = 0; i < 3; i++) {
		np += obj_packets(&a[i], 2, pk + np, 4000 - np);
		np += obj_packets(&b[i], 2, pk + np, 4000 - np);
	}
	(void)send_pkts(t, pk, np, 10, 0);
	for (i = 0; i < 3; i++) {
		check_obj(t, &a[i]);
		check_obj(t, &b[i]);
	}
	CHECK_EQ_U(stats(t).sessions_now, 2);
	tobjs_free(a, 3);
	tobjs_free(b, 3);
	free(pk);
	tctx_free(t);
}

/* Hostile lengths, ranges and FEC schemes: counted, never committed. */
static void
test_hostile_symbols(void)
{
	static const uint8_t feis[] = { 1, 2, 128, 129, 130 };
	struct tctx *t = tctx_new(NULL);
	struct tobj o[2], *op[2];
	uint8_t pl[600];
	struct pspec s;
	size_t i;

	REQUIRE(t != NULL);
	rng_seed(8);
	tobj_init(&o[0], 1, 20, 950, 100, 4);	/* T 10: blocks 4,3,3 */
	tobj_init(&o[1], 1, 21, 1000, 100, 4);
	o[1].len = 1ULL << 50;			/* absurd */
	op[0] = &o[0];
	op[1] = &o[1];
	send_fdt(t, 1, 1, op, 2, 0, NULL);
	memset(&s, 0, sizeof(s));
	memset(pl, 0x5a, sizeof(pl));
	s.tsi = 1;
	s.toi = 21;
	s.pl = pl;
	s.len = 100;
	CHECK(feed(t, &s) < 0);
	CHECK(feed(t, &s) < 0);
	CHECK_EQ_U(stats(t).objects_dropped_limit, 1);
	CHECK_EQ_U(t->ts.begins, 0);

	s.toi = 20;
	s.sbn = 1;
	s.esi = 3;			/* block 1 has 3 symbols */
	CHECK(feed(t, &s) < 0);
	s.sbn = 3;			/* only 3 blocks */
	s.esi = 0;
	CHECK(feed(t, &s) < 0);
	s.sbn = 0;
	s.len = 150;			/* not a multiple of E */
	CHECK(feed(t, &s) < 0);
	s.len = 50;
	CHECK(feed(t, &s) < 0);
	s.len = 500;			/* 5 symbols in a block of 4 */
	CHECK(feed(t, &s) < 0);
	s.sbn = 2;
	s.esi = 2;
	s.len = 100;			/* the last symbol is 50 bytes */
	CHECK(feed(t, &s) < 0);
	s.len = 0;
	CHECK(feed(t, &s) < 0);
	CHECK_EQ_U(stats(t).bad_symbols, 7);
	s.len = 50;
	CHECK(feed(t, &s) == 0);
	s.fti = 1;			/* EXT_FTI with E = 0 */
	s.e = 0;
	s.blen = 4;
	s.l = 950;
	CHECK(feed(t, &s) < 0);
	CHECK_EQ_U(stats(t).bad_symbols, 8);

	memset(&s, 0, sizeof(s));
	s.tsi = 1;
	s.toi = 20;
	s.pl = pl;
	s.len = 100;
	for (i = 0; i < sizeof(feis); i++) {
		s.cp = feis[i];
		CHECK(feed(t, &s) < 0);
	}
	CHECK_EQ_U(stats(t).unsupported_fec, sizeof(feis));
	/* FEC schemes 5 and 6 are decoded, but not into a No-Code object. */
	for (i = 5; i <= 6; i++) {
		s.cp = (uint8_t)i;
		CHECK(feed(t, &s) < 0);
	}
	CHECK_EQ_U(stats(t).unsupported_fec, sizeof(feis));
	CHECK_EQ_U(stats(t).bad_symbols, 10);

	/* A data-less Close Object packet is a signal, not a symbol. */
	memset(&s, 0, sizeof(s));
	s.tsi = 1;
	s.toi = 20;
	s.b = 1;
	s.nofpi = 1;
	CHECK(feed(t, &s) == 0);
	CHECK_EQ_U(stats(t).bad_symbols, 10);
	CHECK_EQ_U(t->ts.ncommits, 0);
	tobjs_free(o, 2);
	tctx_free(t);
}

/* Random bytes and mutated packets: no crash, nothing leaks (ASan). */
static void
test_fuzz(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj o, *op = &o;
	struct alc_pkt p;
	uint8_t buf[600];
	struct pspec s;
	size_t n, i, j;

	REQUIRE(t != NULL);
	rng_seed(9);
	tobj_init(&o, 1, 3, 4000, 100, 4);
	send_fdt(t, 1, 1, &op, 1, 0, NULL);
	for (i = 0; i < 20000; i++) {
		memset(&s, 0, sizeof(s));
		s.tsi = rng_below(3);
		s.toi = rng_below(5);
		s.fdt = rng_below(2);
		s.fdt_id = (uint32_t)rng();
		s.fti = rng_below(2);
		s.l = rng_below(2) ? rng_below(5000) : rng();
		s.e = (uint16_t)rng_below(300);
		s.blen = rng_below(10);
		s.sbn = (uint16_t)rng_below(4);
		s.esi = (uint16_t)rng_below(6);
		s.pl = o.data;
		s.len = rng_below(500);
		s.a = rng_below(50) == 0;
		s.b = rng_below(20) == 0;
		n = pkt_build(&s, buf);
		for (j = rng_below(4); j > 0; j--)
			buf[rng_below((uint32_t)n)] ^= (uint8_t)rng();
		if (alc_parse(buf, n, &p) == 0)
			(void)reasm_input(t->r, &t->chan, &p, t->now,
			    t->now_unix);
		t->now += rng_below(20);
		if (i % 500 == 0)
			reasm_expire(t->r, t->now);
	}
	CHECK_EQ_U(t->ts.bad_writes, 0);
	tobjs_free(&o, 1);
	tctx_free(t);
}

/* Timeouts: a partial object and a never-sent TOI are both incomplete. */
static void
test_expiry(void)
{
	struct reasm_params p;
	struct tobj o[3], *op[3];
	struct tpkt pk[100];
	struct reasm_stats st;
	struct tctx *t;
	size_t np, i;

	reasm_params_default(&p);
	p.object_timeout_ms = 1000;
	p.session_timeout_ms = 100000;
	REQUIRE((t = tctx_new(&p)) != NULL);
	rng_seed(10);
	tobj_init(&o[0], 1, 30, 2000, 100, 4);
	tobj_init(&o[1], 1, 31, 2000, 100, 4);	/* never sent */
	tobj_init(&o[2], 1, 32, 1000, 100, 4);	/* complete */
	for (i = 0; i < 3; i++)
		op[i] = &o[i];
	send_fdt(t, 1, 1, op, 3, 0, NULL);	/* expired on arrival */
	np = obj_packets(&o[0], 1, pk, 100);
	(void)send_pkts(t, pk, np - 1, 0, 0);
	send_obj(t, &o[2]);
	check_obj(t, &o[2]);
	t->now += 500;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(stats(t).objects_incomplete, 0);
	t->now += 1000;
	reasm_expire(t->r, t->now);
	st = stats(t);
	CHECK_EQ_U(t->ts.aborts[OBJ_ABORT_INCOMPLETE], 1);
	CHECK_EQ_U(st.objects_incomplete, 2);
	CHECK_EQ_U(st.objects_now, 0);
	CHECK_EQ_U(t->ts.live, 0);
	tctx_free(t);

	/*
	 * An Expires still in the future keeps a declaration that long even
	 * without packets; after it, the never-sent one is counted.
	 */
	REQUIRE((t = tctx_new(&p)) != NULL);
	{
		size_t len;
		char *x = fdt_xml(op, 2, 50, NULL, &len);

		send_fdt_raw(t, 1, 2, (uint8_t *)x, len, -1, 300, 8);
		free(x);
	}
	t->now += 30000;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(stats(t).objects_incomplete, 0);
	send_obj(t, &o[0]);
	check_obj(t, &o[0]);
	t->now += 21000;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(stats(t).objects_incomplete, 1);
	tobjs_free(o, 3);
	tctx_free(t);
}

/* A failed commit drops the done-marker: the next cycle commits again. */
static void
test_commit_result(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj o, *op = &o;
	const struct commit *c = NULL;
	struct obj_key key;

	REQUIRE(t != NULL);
	rng_seed(11);
	tobj_init(&o, 6, 8, 3333, 100, 4);
	send_fdt(t, 6, 1, &op, 1, 0, NULL);
	send_obj(t, &o);
	REQUIRE(commits_of(&t->ts, 6, 8, &c) == 1);
	key = c->key;
	send_obj(t, &o);
	CHECK_EQ_U(commits_of(&t->ts, 6, 8, NULL), 1);
	reasm_commit_result(t->r, &key, OBJ_EIO);
	CHECK_EQ_U(stats(t).objects_commit_failed, 1);
	send_obj(t, &o);
	CHECK_EQ_U(commits_of(&t->ts, 6, 8, &c), 2);
	REQUIRE(c != NULL);
	CHECK(c->exact && memcmp(c->data, o.data, o.len) == 0);
	reasm_commit_result(t->r, &c->key, OBJ_OK);
	send_obj(t, &o);
	CHECK_EQ_U(commits_of(&t->ts, 6, 8, NULL), 2);
	CHECK_EQ_U(stats(t).objects_commit_failed, 1);
	tobjs_free(&o, 1);
	tctx_free(t);
}

/* reasm_free aborts staged objects with OBJ_ABORT_SHUTDOWN. */
static void
test_shutdown(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj o[2], *op[2];
	struct tpkt pk[100];
	size_t np;

	REQUIRE(t != NULL);
	rng_seed(12);
	tobj_init(&o[0], 1, 1, 5000, 100, 4);
	tobj_init(&o[1], 1, 2, 5000, 100, 4);
	op[0] = &o[0];
	op[1] = &o[1];
	send_fdt(t, 1, 1, op, 2, 0, NULL);
	np = obj_packets(&o[0], 1, pk, 100);
	(void)send_pkts(t, pk, np / 2, 0, 0);
	np = obj_packets(&o[1], 1, pk, 100);
	(void)send_pkts(t, pk, np / 2, 0, 0);
	CHECK_EQ_U(t->ts.live, 2);
	reasm_free(t->r);
	t->r = reasm_new(&(struct reasm_params){ 0 }, &t->ts.ops);
	CHECK_EQ_U(t->ts.aborts[OBJ_ABORT_SHUTDOWN], 2);
	CHECK_EQ_U(t->ts.live, 0);
	tobjs_free(o, 2);
	tctx_free(t);
}

/* Close Session: the session goes soon after; its partial object aborts. */
static void
test_close_session(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj o, *op = &o;
	struct tpkt pk[100];
	struct pspec s;
	size_t np;

	REQUIRE(t != NULL);
	rng_seed(13);
	tobj_init(&o, 1, 1, 5000, 100, 4);
	send_fdt(t, 1, 1, &op, 1, 0, NULL);
	np = obj_packets(&o, 1, pk, 100);
	(void)send_pkts(t, pk, np / 2, 0, 0);
	memset(&s, 0, sizeof(s));
	s.tsi = 1;
	s.toi = 1;
	s.a = 1;
	s.nofpi = 1;
	CHECK(feed(t, &s) == 0);
	t->now += 1000;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(stats(t).sessions_now, 1);
	t->now += 5000;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(stats(t).sessions_now, 0);
	CHECK_EQ_U(stats(t).objects_incomplete, 1);
	CHECK_EQ_U(t->ts.aborts[OBJ_ABORT_INCOMPLETE], 1);
	tobjs_free(&o, 1);
	tctx_free(t);
}

/* After a refused session is let in: a new object on TSI 2 is exact. */
static void
recover_tsi2(struct tctx *t)
{
	struct tobj o, *op = &o;

	tobj_init(&o, 2, 7, 2500, 100, 4);
	send_fdt(t, 2, 1, &op, 1, 0, NULL);
	send_obj(t, &o);
	check_obj(t, &o);
	CHECK_EQ_U(stats(t).sessions_now, 1);
	tobjs_free(&o, 1);
}

/* Objects in flight per session, in all and in bytes, and sessions,
 * are bounded; each refusal is counted and the next one fits. */
static void
test_limits(void)
{
	struct reasm_params p;
	struct tobj o[2], *op[2];
	struct tpkt pk[200];
	struct tctx *t;
	size_t np0, np1, i;

	reasm_params_default(&p);
	p.max_objects_per_session = 1;
	REQUIRE((t = tctx_new(&p)) != NULL);
	rng_seed(14);
	tobj_init(&o[0], 1, 1, 3000, 100, 4);
	tobj_init(&o[1], 1, 2, 3000, 100, 4);
	op[0] = &o[0];
	op[1] = &o[1];
	send_fdt(t, 1, 1, op, 2, 0, NULL);
	np0 = obj_packets(&o[0], 1, pk, 100);
	np1 = obj_packets(&o[1], 1, pk + 100, 100);
	for (i = 0; i < np0 || i < np1; i++) {
		if (i < np0)
			CHECK(feed_tpkt(t, &pk[i]) == 0);
		if (i < np1)
			(void)feed_tpkt(t, &pk[100 + i]);
	}
	check_obj(t, &o[0]);
	CHECK_EQ_U(stats(t).objects_dropped_limit, 1);
	(void)send_pkts(t, pk + 100, np1, 0, 0);
	check_obj(t, &o[1]);
	tctx_free(t);

	/*
	 * Sessions: a second TSI is refused (its packets counted apart from
	 * objects), and once the first is forgotten the second is taken.
	 */
	reasm_params_default(&p);
	p.max_sessions = 1;
	p.session_timeout_ms = 2000;
	REQUIRE((t = tctx_new(&p)) != NULL);
	send_fdt(t, 1, 1, op, 2, 0, NULL);
	send_fdt(t, 2, 1, op, 2, 0, NULL);	/* a second TSI: refused */
	CHECK_EQ_U(stats(t).sessions_now, 1);
	CHECK_EQ_U(stats(t).fdt_instances, 1);
	CHECK(stats(t).sessions_refused > 0);
	CHECK_EQ_U(stats(t).objects_dropped_limit, 0);
	(void)send_pkts(t, pk, np0, 0, 0);	/* the first is served exact */
	check_obj(t, &o[0]);
	t->now += 3000;
	reasm_expire(t->r, t->now);
	CHECK_EQ_U(stats(t).sessions_now, 0);
	recover_tsi2(t);
	tctx_free(t);

	/* Bytes in flight: the second waits until the first is done. */
	reasm_params_default(&p);
	p.max_inflight_bytes = 5000;
	REQUIRE((t = tctx_new(&p)) != NULL);
	send_fdt(t, 1, 1, op, 2, 0, NULL);
	CHECK(feed_tpkt(t, &pk[0]) == 0);
	CHECK(feed_tpkt(t, &pk[100]) < 0);
	CHECK_EQ_U(stats(t).objects_dropped_limit, 1);
	CHECK_EQ_U(stats(t).inflight_bytes_now, 3000);
	(void)send_pkts(t, pk, np0, 0, 0);
	check_obj(t, &o[0]);
	CHECK_EQ_U(stats(t).inflight_bytes_now, 0);
	(void)send_pkts(t, pk + 100, np1, 0, 0);
	check_obj(t, &o[1]);
	tctx_free(t);

	/* Objects in flight over all sessions, the same. */
	reasm_params_default(&p);
	p.max_objects = 1;
	REQUIRE((t = tctx_new(&p)) != NULL);
	send_fdt(t, 1, 1, op, 2, 0, NULL);
	CHECK(feed_tpkt(t, &pk[0]) == 0);
	CHECK(feed_tpkt(t, &pk[100]) < 0);
	CHECK_EQ_U(stats(t).objects_dropped_limit, 1);
	CHECK_EQ_U(stats(t).objects_now, 1);
	(void)send_pkts(t, pk, np0, 0, 0);
	check_obj(t, &o[0]);
	CHECK_EQ_U(stats(t).objects_now, 0);
	(void)send_pkts(t, pk + 100, np1, 0, 0);
	check_obj(t, &o[1]);
	CHECK_EQ_U(t->ts.ncommits, 2);
	tobjs_free(o, 2);
	tctx_free(t);
}

/* A sink write failure aborts the object; the next cycle retries. */
static void
test_sink_failure(void)
{
	struct tctx *t = tctx_new(NULL);
	struct tobj o, *op = &o;

	REQUIRE(t != NULL);
	rng_seed(15);
	tobj_init(&o, 1, 1, 2000, 100, 4);
	send_fdt(t, 1, 1, &op, 1, 0, NULL);
	t->ts.fail_writes = 1;
	send_obj(t, &o);
	CHECK_EQ_U(stats(t).sink_errors, 1);
	CHECK_EQ_U(t->ts.aborts[OBJ_ABORT_LIMIT], 1);
	CHECK_EQ_U(t->ts.ncommits, 0);
	send_obj(t, &o);
	check_obj(t, &o);
	tobjs_free(&o, 1);
	tctx_free(t);
}

TEST_MAIN(TEST(test_random_objects), TEST(test_cycles), TEST(test_prefdt),
    TEST(test_two_sessions), TEST(test_hostile_symbols), TEST(test_fuzz),
    TEST(test_expiry), TEST(test_commit_result), TEST(test_shutdown),
    TEST(test_close_session), TEST(test_limits), TEST(test_sink_failure))
