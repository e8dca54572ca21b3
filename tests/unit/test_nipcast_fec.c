/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_nipcast_fec.c: nipcast --fec rs|raptorq, through the sender's own
 * transmit path (nc_parse_args, nc_tx_open, nc_tx_object to a pcap
 * --output) and read back with the receiver's parsers: every packet of a
 * cycle for many sizes and overheads (codepoint, EXT_FTI, FEC Payload
 * IDs, repair counts, systematic source symbols), block decoding with the
 * codecs after seeded losses within the overhead (random and one burst),
 * the real reassembler rebuilding the objects from the same lossy
 * captures (and not completing one whose block lost too much), RaptorQ's
 * fresh repair ESIs each cycle, and --loss and --shuffle on repair
 * packets.  The expected geometry is worked out from the RFCs in
 * nipcast_fec_harness.h, not with nipcast_fec.c; the signalling side is
 * test_nipcast_fec_opts.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nipcast_fec_harness.h"
#include "../../carousel/fec_codec.h"

/* ---- 1. Every packet of one cycle. ---- */

/* EXT_FTI of the first data packet: the fields of g. */
static void
check_fti(const struct alc_pkt *a, const struct geo *g)
{
	struct fec_oti oti;

	REQUIRE(a->has_fti);
	CHECK_EQ_U(a->fti_len, g->fei == FTX_FEI_RS8 ? 12 : 16);
	REQUIRE(fec_oti_parse(g->fei, a->fti, a->fti_len, &oti) == 0);
	CHECK_EQ_U(oti.transfer_len, g->p.len);
	CHECK_EQ_U(oti.symbol_len, g->e);
	if (g->fei == FTX_FEI_RS8) {
		CHECK_EQ_U(oti.max_sbl, g->b);
		CHECK_EQ_U(oti.max_n, g->max_n);
	} else {
		CHECK_EQ_U(oti.z, g->z);
		CHECK_EQ_U(oti.n, 1);
		CHECK_EQ_U(oti.al, g->al);
	}
}

/* A source symbol carries the object's bytes as they are. */
static void
check_source(const struct alc_pkt *a, const struct geo *g,
    const struct tobj *o)
{
	uint64_t off = toff(&g->p, a->sbn, a->esi);
	size_t want = o->len - off < g->e ? (size_t)(o->len - off) : g->e;
	size_t i;

	/* RaptorQ pads the last symbol to T with zeros; RS sends it short. */
	CHECK_EQ_U(a->payload_len, g->fei == FTX_FEI_RAPTORQ ? g->e : want);
	CHECK(memcmp(a->payload, o->data + off, want) == 0);
	for (i = want; i < a->payload_len; i++)
		CHECK(a->payload[i] == 0);
}

/*
 * Per block: every source ESI once, then (ordered: in this order, else in
 * any) the nrep repair ESIs following k.
 */
static void
check_cycle(const struct cap *c, const struct geo *g, const struct tobj *o,
    int ordered)
{
	uint32_t src[300] = { 0 }, rep[300] = { 0 }, k;
	size_t i, data = 0;
	struct alc_pkt a;

	for (i = 0; i < c->n; i++) {
		REQUIRE(alc_parse(c->p[i], c->len[i], &a) == 0);
		if (a.toi.lo == 0) {
			CHECK_EQ_U(a.codepoint, 0);	/* FDTs stay No-Code */
			continue;
		}
		CHECK_EQ_U(a.codepoint, g->fei);
		if (data++ == 0)
			check_fti(&a, g);
		else
			CHECK(!a.has_fti);
		CHECK_EQ_U(a.close_object, i + 1 == c->n);
		if (o->len == 0) {
			CHECK(a.sbn == 0 && a.esi == 0 && a.payload_len == 0);
			continue;
		}
		REQUIRE(a.sbn < g->p.n && a.sbn < 300);
		k = tblen(&g->p, a.sbn);
		if (a.esi < k) {
			src[a.sbn]++;
			CHECK(!ordered || rep[a.sbn] == 0);
			check_source(&a, g, o);
		} else {
			CHECK(a.esi < k + geo_nrep(g, a.sbn));
			CHECK(!ordered || a.esi == k + rep[a.sbn]);
			CHECK_EQ_U(a.payload_len, g->e);
			rep[a.sbn]++;
		}
	}
	for (i = 0; i < g->p.n && i < 300; i++) {
		CHECK_EQ_U(src[i], tblen(&g->p, (uint32_t)i));
		CHECK_EQ_U(rep[i], geo_nrep(g, (uint32_t)i));
		CHECK(rep[i] > 0);
	}
	CHECK_EQ_U(data, o->len == 0 ? 1 : g->p.t + (g->p.n > 0 ?
	    (uint64_t)rep[0] * g->p.il + (uint64_t)rep[g->p.n - 1] *
	    (g->p.n - g->p.il) : 0));
}

/* Object sizes for symbol length e: the edges and several blocks. */
static size_t
sizes(uint8_t fei, uint32_t e, uint32_t ov, uint64_t *out)
{
	struct geo g;
	size_t n = 0;

	geo_make(fei, e, e, ov, &g);
	out[n++] = 0;
	out[n++] = 1;
	out[n++] = e;
	if (fei == FTX_FEI_RS8) {
		geo_make(fei, 255ull * e, e, ov, &g);	/* B of this overhead */
		out[n++] = (uint64_t)g.p.al * e;	/* exactly one block */
		out[n++] = 3ull * g.p.al * e + 17;	/* short last symbol */
		out[n++] = 7ull * g.p.al * e - 1;
	} else {
		out[n++] = 1000ull * e;
		out[n++] = 2ull * RQ_BLOCK * e + 3ull * e + 17;
		out[n++] = 4ull * RQ_BLOCK * e + 5;	/* five blocks */
	}
	return n;
}

static void
test_cycle_layout(void)
{
	static const uint32_t ovs[] = { 5, 20, 50 };
	static const struct { const char *name, *e; uint8_t fei; } sch[] = {
		{ "rs", "100", FTX_FEI_RS8 }, { "rs", "1428", FTX_FEI_RS8 },
		{ "raptorq", "100", FTX_FEI_RAPTORQ },
		{ "raptorq", "101", FTX_FEI_RAPTORQ },	/* Al = 1 */
	};
	uint64_t sz[8];
	size_t s, v, i, n;
	char ov[16];
	struct run r;
	struct tobj o;
	struct geo g;
	struct cap c;

	rng_seed(1);
	for (s = 0; s < sizeof(sch) / sizeof(sch[0]); s++)
		for (v = 0; v < 3; v++) {
			snprintf(ov, sizeof(ov), "%u", ovs[v]);
			n = sizes(sch[s].fei, (uint32_t)atoi(sch[s].e),
			    ovs[v], sz);
			for (i = 0; i < n; i++) {
				memset(&r, 0, sizeof(r));
				r.fec = sch[s].name;
				r.ov = ov;
				r.e = sch[s].e;
				tobj_init(&o, 1, 10 + (uint32_t)i, sz[i],
				    (uint16_t)atoi(sch[s].e), 0);
				REQUIRE(capture(&r, &o, 1, &c, NULL) == 0);
				geo_make(sch[s].fei, sz[i], o.e, ovs[v], &g);
				check_cycle(&c, &g, &o, 1);
				cap_free(&c);
				free(o.data);
			}
		}
}

/* ---- 2 and 3. Losses, the codecs and the reassembler. ---- */

/* Which packets to drop: up to lim symbols per block. */
enum drop_kind { DROP_RANDOM, DROP_BURST, DROP_TOO_MANY, DROP_FTI };

/*
 * Mark drop[i] for the packets of c to lose.  Returns how many blocks,
 * the victim of DROP_TOO_MANY left out, lose a source symbol: those the
 * receiver must decode.
 */
static uint32_t
plan_drops(const struct cap *c, const struct geo *g, enum drop_kind kind,
    uint32_t victim, uint8_t *drop)
{
	uint32_t sbn, lim, d, hit = 0, j, first, lost;
	size_t i, *idx = malloc(c->n * sizeof(*idx)), m;
	struct alc_pkt a;

	/* Only the packet with EXT_FTI: the OTI must come from the FDT. */
	for (i = 0; kind == DROP_FTI && i < c->n; i++)
		if (alc_parse(c->p[i], c->len[i], &a) == 0 && a.has_fti &&
		    a.toi.lo != 0) {
			drop[i] = 1;
			free(idx);
			return 1;
		}

	for (sbn = 0; sbn < g->p.n; sbn++) {
		for (i = 0, m = 0; i < c->n; i++)
			if (alc_parse(c->p[i], c->len[i], &a) == 0 &&
			    a.toi.lo != 0 && a.sbn == sbn)
				idx[m++] = i;
		/*
		 * Up to every repair symbol's worth.  RaptorQ may then have
		 * exactly K symbols, where a decode fails about once in a
		 * hundred (RFC 6330 4.1); these seeded sets all decode.
		 */
		lim = geo_nrep(g, sbn);
		d = 1 + rng_below(lim);
		if (kind == DROP_TOO_MANY && sbn == victim)
			d = geo_nrep(g, sbn) + 1;
		if (kind == DROP_BURST) {
			first = rng_below((uint32_t)(m - d + 1));
			for (j = 0; j < d; j++)
				drop[idx[first + j]] = 1;
		} else {
			for (j = 0; j < d; ) {
				i = idx[rng_below((uint32_t)m)];
				if (!drop[i] && ++j)
					drop[i] = 1;
			}
		}
		for (i = 0, lost = 0; i < m; i++)
			lost += drop[idx[i]] && alc_parse(c->p[idx[i]],
			    c->len[idx[i]], &a) == 0 &&
			    a.esi < tblen(&g->p, sbn);
		hit += lost > 0 && !(kind == DROP_TOO_MANY && sbn == victim);
	}
	free(idx);
	return hit;
}

/* Decode block sbn from what survived with the codec; 0 or its error. */
static int
decode_block(const struct cap *c, const uint8_t *drop, const struct geo *g,
    const struct tobj *o, uint32_t sbn)
{
	const struct fec_codec *cd = fec_codec_get(g->fei);
	uint32_t k = tblen(&g->p, sbn), nrep = 0, resi[1200];
	uint8_t *src = calloc(k, g->e), *have = calloc(k, 1);
	uint8_t *rep = malloc((size_t)geo_nrep(g, sbn) * g->e + 1);
	struct alc_pkt a;
	size_t i;
	int rc;

	for (i = 0; i < c->n; i++) {
		if (drop[i] || alc_parse(c->p[i], c->len[i], &a) != 0 ||
		    a.toi.lo == 0 || a.sbn != sbn)
			continue;
		if (a.esi < k) {
			memcpy(src + (size_t)a.esi * g->e, a.payload,
			    a.payload_len);
			have[a.esi] = 1;
		} else {
			resi[nrep] = a.esi;
			memcpy(rep + (size_t)nrep++ * g->e, a.payload, g->e);
		}
	}
	rc = cd->decode(src, have, k, k + geo_nrep(g, sbn), g->e, resi, rep,
	    nrep);
	if (rc == 0)
		CHECK(memcmp(src, o->data + toff(&g->p, sbn, 0),
		    (size_t)(sbn + 1 == g->p.n ? o->len - toff(&g->p, sbn, 0) :
		    (uint64_t)k * g->e)) == 0);
	free(src);
	free(have);
	free(rep);
	return rc;
}

/* Feed c minus drop to a reassembler; the object's commit count. */
static int
reasm_feed(const struct cap *c, const uint8_t *drop, const struct tobj *o,
    struct reasm_stats *st)
{
	struct tctx *t = tctx_new(NULL);
	const struct commit *cm = NULL;
	struct alc_pkt a;
	size_t i;
	int n;

	t->now_unix = (int64_t)time(NULL);
	for (i = 0; i < c->n; i++) {
		if (drop[i])
			continue;
		CHECK(alc_parse(c->p[i], c->len[i], &a) == 0);
		reasm_input(t->r, &t->chan, &a, t->now++, t->now_unix);
	}
	n = commits_of(&t->ts, 1, o->toi, &cm);
	if (cm != NULL) {
		CHECK_EQ_U(cm->len, o->len);
		CHECK(cm->exact);
		CHECK(memcmp(cm->data, o->data, o->len) == 0);
	}
	*st = stats(t);
	tctx_free(t);
	return n;
}

static void
losses(const char *fec, uint8_t fei, const char *ov, uint64_t len,
    enum drop_kind kind)
{
	struct reasm_stats st;
	struct run r = { fec, ov, "200", NULL, NULL, 0, 1 };
	uint8_t *drop;
	struct tobj o;
	struct geo g;
	struct cap c;
	uint32_t sbn, victim = 1, lossy;
	int rc;

	tobj_init(&o, 1, 7, len, 200, 0);
	REQUIRE(capture(&r, &o, 1, &c, NULL) == 0);
	geo_make(fei, len, 200, (uint32_t)atoi(ov), &g);
	REQUIRE(g.p.n >= 3);
	drop = calloc(c.n, 1);
	lossy = plan_drops(&c, &g, kind, victim, drop);
	for (sbn = 0; sbn < g.p.n; sbn++) {
		rc = decode_block(&c, drop, &g, &o, sbn);
		CHECK(kind == DROP_TOO_MANY && sbn == victim ? rc != 0 :
		    rc == 0);
	}
	if (kind == DROP_TOO_MANY) {
		CHECK_EQ_U(reasm_feed(&c, drop, &o, &st), 0);
		CHECK_EQ_U(st.fec_blocks_decoded, lossy);
		CHECK(lossy > 0);
		CHECK_EQ_U(st.objects_completed, 0);
	} else {
		CHECK_EQ_U(reasm_feed(&c, drop, &o, &st), 1);
		CHECK_EQ_U(st.fec_blocks_decoded, lossy);
		CHECK(lossy > 0);
		CHECK_EQ_U(st.lost_symbols, 0);
		CHECK_EQ_U(st.fec_no_decode, 0);
	}
	free(drop);
	cap_free(&c);
	free(o.data);
}

static void
test_losses(void)
{
	static const char *const ovs[] = { "5", "20", "50" };
	size_t i, round;

	rng_seed(2);
	for (round = 0; round < 3; round++)
		for (i = 0; i < 3; i++) {
			/* RS B is 243, 212 or 170 here: 4 to 6 blocks. */
			losses("rs", FTX_FEI_RS8, ovs[i], 1000ull * 200 + 91,
			    round == 1 ? DROP_BURST : DROP_RANDOM);
			losses("raptorq", FTX_FEI_RAPTORQ, ovs[i],
			    3ull * RQ_BLOCK * 200 + 33,
			    round == 1 ? DROP_BURST : DROP_RANDOM);
		}
	losses("rs", FTX_FEI_RS8, "20", 1000ull * 200 + 91, DROP_TOO_MANY);
	losses("raptorq", FTX_FEI_RAPTORQ, "20", 3ull * RQ_BLOCK * 200 + 33,
	    DROP_TOO_MANY);
	losses("rs", FTX_FEI_RS8, "5", 1000ull * 200 + 91, DROP_FTI);
	losses("raptorq", FTX_FEI_RAPTORQ, "5", 3ull * RQ_BLOCK * 200 + 33,
	    DROP_FTI);
}

/* ---- Cycles, --loss, --shuffle. ---- */

/* ESIs sent per (cycle, block 0) repair range: first and count. */
static void
repair_range(const struct cap *c, size_t from, size_t to, uint32_t k,
    uint32_t *first, uint32_t *n)
{
	struct alc_pkt a;
	size_t i;

	*first = UINT32_MAX;
	*n = 0;
	for (i = from; i < to; i++)
		if (alc_parse(c->p[i], c->len[i], &a) == 0 && a.toi.lo != 0 &&
		    a.sbn == 0 && a.esi >= k) {
			*first = a.esi < *first ? a.esi : *first;
			(*n)++;
		}
}

/* Index just past the last packet with the B flag before from's end. */
static size_t
cycle_end(const struct cap *c, size_t from)
{
	struct alc_pkt a;

	for (; from < c->n; from++)
		if (alc_parse(c->p[from], c->len[from], &a) == 0 &&
		    a.close_object)
			return from + 1;
	return c->n;
}

static void
test_cycles(void)
{
	struct run r = { "raptorq", "20", "100", NULL, NULL, 0, 3 };
	uint32_t first[3], n[3], k = 300;
	size_t from = 0, cy;
	struct tobj o;
	struct geo g;
	struct cap c;

	tobj_init(&o, 1, 9, (uint64_t)k * 100, 100, 0);
	REQUIRE(capture(&r, &o, 1, &c, NULL) == 0);
	for (cy = 0; cy < 3; cy++) {
		size_t end = cycle_end(&c, from);

		repair_range(&c, from, end, k, &first[cy], &n[cy]);
		CHECK_EQ_U(n[cy], ceil_pct(k, 20));
		from = end;
	}
	/* Each cycle's ESIs follow the previous cycle's. */
	CHECK_EQ_U(first[0], k);
	CHECK_EQ_U(first[1], k + n[0]);
	CHECK_EQ_U(first[2], k + n[0] + n[1]);
	cap_free(&c);
	/* RS has n <= 255: the same repair symbols again. */
	r.fec = "rs";
	geo_make(FTX_FEI_RS8, o.len, 100, 20, &g);
	k = tblen(&g.p, 0);
	REQUIRE(capture(&r, &o, 1, &c, NULL) == 0);
	from = cycle_end(&c, 0);
	repair_range(&c, 0, from, k, &first[0], &n[0]);
	repair_range(&c, from, cycle_end(&c, from), k, &first[1], &n[1]);
	CHECK(n[0] == geo_nrep(&g, 0) && n[0] == n[1]);
	CHECK(first[0] == k && first[1] == k);
	cap_free(&c);
	free(o.data);
}

/* --loss drops repair packets too; --shuffle keeps every symbol. */
static void
test_loss_shuffle(void)
{
	struct run r = { "rs", "50", "100", NULL, NULL, 1, 1 };
	uint32_t k, nsrc = 0, nrep = 0;
	struct alc_pkt a;
	struct tobj o;
	struct geo g;
	struct cap c;
	size_t i;

	tobj_init(&o, 1, 5, 50000, 100, 0);
	geo_make(FTX_FEI_RS8, o.len, 100, 50, &g);
	REQUIRE(capture(&r, &o, 1, &c, NULL) == 0);
	check_cycle(&c, &g, &o, 0);
	cap_free(&c);
	r.shuffle = 0;
	r.loss = "0.3";
	REQUIRE(capture(&r, &o, 1, &c, NULL) == 0);
	for (i = 0; i < c.n; i++)
		if (alc_parse(c.p[i], c.len[i], &a) == 0 && a.toi.lo != 0) {
			k = tblen(&g.p, a.sbn);
			nsrc += a.esi < k;
			nrep += a.esi >= k;
		}
	CHECK(nsrc > 0 && nsrc < g.p.t);
	CHECK(nrep > 0 && nrep < 50 * g.p.t / 100);
	cap_free(&c);
	free(o.data);
}

TEST_MAIN(TEST(test_setup), TEST(test_cycle_layout), TEST(test_losses),
    TEST(test_cycles), TEST(test_loss_shuffle), TEST(test_teardown))
