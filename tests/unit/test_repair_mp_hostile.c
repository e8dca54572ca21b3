/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_repair_mp_hostile.c: the multipart/byteranges parser of
 * daemon/repair_mp.c against 6,000 seeded mutations of well-formed
 * bodies, each parsed whole, in random pieces and a byte at a time: the
 * three must agree, and no byte may be handed up outside the buffer or
 * the ranges the body declares.  Harness: repair_mp_harness.h; the
 * table-driven cases are in test_repair_mp.c.
 */
#include <strings.h>

#include "repair_mp_harness.h"

/* Mutation test: a tiny independent generator (splitmix64). */
static uint64_t
mrand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static size_t
mpick(uint64_t *s, size_t n)
{
	return n ? (size_t)(mrand(s) % n) : 0;
}

/* One random edit of b: bytes changed, inserted, deleted, cut, copied. */
static void
mutate(struct buf *b, uint64_t *s)
{
	static const char hot[] = "\r\n-:0123456789 /*bytes" BND;
	size_t at = mpick(s, b->len), k, n;
	char num[24];

	switch (mpick(s, 8)) {
	case 0:
		if (b->len)
			b->p[at] = (uint8_t)mrand(s);
		break;
	case 1:
		if (b->len)
			b->p[at] = (uint8_t)hot[mpick(s, sizeof(hot) - 1)];
		break;
	case 2:
		if (b->len + 1 < sizeof(b->p)) {
			memmove(b->p + at + 1, b->p + at, b->len - at);
			b->p[at] = (uint8_t)hot[mpick(s, sizeof(hot) - 1)];
			b->len++;
		}
		break;
	case 3:
		if (b->len) {
			memmove(b->p + at, b->p + at + 1, b->len - at - 1);
			b->len--;
		}
		break;
	case 4:
		b->len = at;
		break;
	case 5:
		n = 1 + mpick(s, 40);
		k = mpick(s, b->len);
		if (k + n <= b->len && b->len + n <= sizeof(b->p)) {
			memmove(b->p + at + n, b->p + at, b->len - at);
			memmove(b->p + at, b->p + (k < at ? k : k + n), n);
			b->len += n;
		}
		break;
	case 6:
		/* Replace the next run of digits with another number. */
		while (at < b->len && (b->p[at] < '0' || b->p[at] > '9'))
			at++;
		k = at;
		while (k < b->len && b->p[k] >= '0' && b->p[k] <= '9')
			k++;
		n = (size_t)snprintf(num, sizeof(num), "%llu",
		    (unsigned long long)(mpick(s, 3) == 0 ? mrand(s) :
		    mpick(s, OBJ_LEN + 2)));
		if (at < b->len && b->len - (k - at) + n <= sizeof(b->p)) {
			memmove(b->p + at + n, b->p + k, b->len - k);
			memcpy(b->p + at, num, n);
			b->len = b->len - (k - at) + n;
		}
		break;
	default:
		k = mpick(s, b->len);
		if (b->len) {
			uint8_t t = b->p[at];

			b->p[at] = b->p[k];
			b->p[k] = t;
		}
		break;
	}
}

/*
 * The ranges the Content-Range lines of a (mutated) body declare, found
 * independently of the parser: the parser may only hand up bytes inside
 * one of them.
 */
static size_t
declared(const struct buf *b, struct range *r, size_t max)
{
	char v[256];
	uint64_t f, l, t;
	size_t i, e, n = 0;

	for (i = 0; i < b->len && n < max; i = e + 1) {
		for (e = i; e < b->len && b->p[e] != '\n'; e++)
			;
		if (e - i < 14 || e - i >= sizeof(v) ||
		    strncasecmp((const char *)b->p + i, "content-range:", 14))
			continue;
		memcpy(v, b->p + i + 14, e - i - 14);
		v[e - i - 14] = '\0';
		if (e - i > 14 && v[e - i - 15] == '\r')
			v[e - i - 15] = '\0';
		if (repair_content_range(v, &f, &l, &t) == 0) {
			r[n].first = f;
			r[n++].last = l;
		}
	}
	return n;
}

/* What one parse of a mutated body did, to compare between feedings. */
struct outcome {
	int		feed_rc, fin_rc;
	uint64_t	hash, bytes, total;
	uint32_t	parts;
	unsigned	bad;
	char		err[96];
};

/* mode 0: whole; 1: random pieces; 2: bytewise. */
static void
run_mutant(const struct buf *b, const struct range *decl, size_t ndecl,
    int mode, uint64_t *s, struct outcome *o)
{
	struct repair_mp m;
	struct rx rx;
	size_t at = 0, n;
	int r = 0, after = 0;

	memset(&rx, 0, sizeof(rx));
	rx.decl = decl;
	rx.ndecl = ndecl;
	repair_mp_init(&m, BND);
	while (at < b->len) {
		n = mode == 0 ? b->len : mode == 2 ? 1 : 1 + mpick(s, 64);
		if (n > b->len - at)
			n = b->len - at;
		if (r == 0)
			r = feed_copy(&m, b->p + at, n, &rx);
		else	/* Once failed, every feed says so. */
			after += feed_copy(&m, b->p + at, n, &rx) != -1;
		at += n;
	}
	memset(o, 0, sizeof(*o));
	o->feed_rc = r;
	o->fin_rc = repair_mp_finish(&m);
	o->hash = rx.hash;
	o->bytes = rx.bytes;
	o->total = m.total;
	o->parts = m.parts;
	o->bad = rx.bad + (unsigned)after;
	memcpy(o->err, m.err, sizeof(o->err));
}

static int
outcome_same(const struct outcome *a, const struct outcome *b)
{
	return a->feed_rc == b->feed_rc && a->fin_rc == b->fin_rc &&
	    a->hash == b->hash && a->bytes == b->bytes &&
	    a->total == b->total && a->parts == b->parts &&
	    strcmp(a->err, b->err) == 0;
}

#define MUTANTS	6000

static void
test_mp_mutations(void)
{
	static struct buf base[NELEM(styles)], b;
	struct range decl[64];
	struct outcome o[3];
	uint64_t s = 20240611;
	size_t i, k, ndecl;
	unsigned bad = 0, differ = 0, accepted = 0, edits;

	for (i = 0; i < NELEM(styles); i++)
		body_make(&base[i], &styles[i]);
	for (i = 0; i < MUTANTS; i++) {
		b = base[mpick(&s, NELEM(styles))];
		edits = 1 + (unsigned)mpick(&s, 4);
		for (k = 0; k < edits; k++)
			mutate(&b, &s);
		ndecl = declared(&b, decl, NELEM(decl));
		run_mutant(&b, decl, ndecl, 0, &s, &o[0]);
		run_mutant(&b, decl, ndecl, 1, &s, &o[1]);
		run_mutant(&b, decl, ndecl, i % 8 == 0 ? 2 : 1, &s, &o[2]);
		bad += o[0].bad + o[1].bad + o[2].bad;
		differ += !outcome_same(&o[0], &o[1]) ||
		    !outcome_same(&o[0], &o[2]);
		accepted += o[0].fin_rc == 0;
		/* An accepted answer delivered within its declared total. */
		if (o[0].fin_rc == 0 && o[0].parts == 0)
			bad++;
	}
	CHECK_EQ_U(bad, 0);
	CHECK_EQ_U(differ, 0);
	/* The mix is useful: some mutants survive, most do not. */
	CHECK(accepted > MUTANTS / 50);
	CHECK(accepted < MUTANTS * 9 / 10);
	fprintf(stderr, "mutations: %d bodies, %u accepted\n", MUTANTS,
	    accepted);
}

TEST_MAIN(TEST(setup), TEST(test_mp_mutations))
