/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fecbench: encode and decode throughput of the FEC codecs behind
 * carousel/fec_codec.h, one core, at DVB-NIP parameters (1400-byte
 * symbols, blocks of 64 to 1024 symbols).  Run by tools/bench.sh; prints
 * a Markdown table for BENCHMARKS.md.
 *
 * Encode: every repair symbol of a block at the given overhead, timed
 * over whole blocks; MB/s counts source bytes.  Decode: a tenth of the
 * source symbols lost (spread, seeded), rebuilt from as many repair
 * symbols as are lost, plus RaptorQ's usual one or two more when K do not
 * suffice; MB/s again counts source bytes, so the figures say how fast a
 * box turns received data into objects.  Every decoded block is compared
 * with its source, so a wrong codec cannot post a figure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../carousel/fec_codec.h"

#define T		1400u
#define MIN_SECS	0.4		/* each figure runs at least this long */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

struct blk {
	uint32_t	k, n, nrep;
	uint8_t		*src, *rep, *work, *have;
	uint32_t	*resi;
};

static int
blk_init(struct blk *b, const struct fec_codec *c, uint32_t k,
    unsigned overhead)
{
	uint32_t i;

	b->k = k;
	b->nrep = (k * overhead + 99) / 100 + 2;
	b->n = k + b->nrep;
	if (c->fei == 5 && b->n > 255) {
		b->n = 255;
		b->nrep = 255 - k;
	}
	b->src = malloc((size_t)k * T);
	b->work = malloc((size_t)k * T);
	b->rep = malloc((size_t)b->nrep * T);
	b->have = malloc(k);
	b->resi = malloc(b->nrep * sizeof(*b->resi));
	if (!b->src || !b->work || !b->rep || !b->have || !b->resi)
		return -1;
	for (i = 0; i < k * T; i++)
		b->src[i] = (uint8_t)rnd();
	for (i = 0; i < b->nrep; i++)
		b->resi[i] = k + i;
	return 0;
}

static void
blk_free(struct blk *b)
{
	free(b->src);
	free(b->work);
	free(b->rep);
	free(b->have);
	free(b->resi);
}

/* Source MB/s of encoding every repair symbol; -1 on a codec error. */
static double
bench_encode(const struct fec_codec *c, struct blk *b)
{
	double t0 = now_s(), dt;
	unsigned runs = 0;

	do {
		if (c->encode(b->src, b->k, b->n, T, b->k, b->nrep,
		    b->rep) != 0)
			return -1;
		runs++;
	} while ((dt = now_s() - t0) < MIN_SECS);
	return (double)runs * b->k * T / dt / 1e6;
}

/* Loses a tenth of the source; 0 on an exact decode, -1 otherwise. */
static int
decode_once(const struct fec_codec *c, struct blk *b, double *secs)
{
	uint32_t lost = 0, i, use;
	double t0;
	int r;

	memcpy(b->work, b->src, (size_t)b->k * T);
	memset(b->have, 1, b->k);
	for (i = 0; i < b->k; i++) {
		if (rnd() % 10 == 0 && lost < b->nrep) {
			b->have[i] = 0;
			memset(b->work + (size_t)i * T, 0, T);
			lost++;
		}
	}
	for (use = lost, r = FEC_CODEC_EMORE; r == FEC_CODEC_EMORE &&
	    use <= b->nrep; use++) {
		t0 = now_s();
		r = c->decode(b->work, b->have, b->k, b->n, T, b->resi,
		    b->rep, use);
		*secs += now_s() - t0;
	}
	if (r != 0 || memcmp(b->work, b->src, (size_t)b->k * T) != 0)
		return -1;
	return 0;
}

static double
bench_decode(const struct fec_codec *c, struct blk *b)
{
	double secs = 0, t0 = now_s();
	unsigned runs = 0;

	do {
		if (decode_once(c, b, &secs) < 0)
			return -1;
		runs++;
	} while (now_s() - t0 < MIN_SECS);
	return (double)runs * b->k * T / secs / 1e6;
}

static void
bench_row(const struct fec_codec *c, uint32_t k, unsigned overhead)
{
	struct blk b;
	double enc, dec;

	memset(&b, 0, sizeof(b));
	if (blk_init(&b, c, k, overhead) < 0) {
		fprintf(stderr, "fecbench: out of memory\n");
		exit(1);
	}
	enc = bench_encode(c, &b);
	dec = bench_decode(c, &b);
	if (enc < 0 || dec < 0) {
		printf("| %s | %u | %u | FAILED | FAILED |\n", c->name, k,
		    b.nrep);
		blk_free(&b);
		exit(1);
	}
	printf("| %s | %u | %u | %.0f | %.0f |\n", c->name, k, b.nrep, enc,
	    dec);
	blk_free(&b);
}

int
main(int argc, char **argv)
{
	static const uint32_t rs_k[] = { 64, 128, 200 };
	static const uint32_t rq_k[] = { 64, 256, 1024 };
	unsigned overhead = argc > 1 ? (unsigned)atoi(argv[1]) : 20, i;
	const struct fec_codec *rs = fec_codec_get(5), *rq = fec_codec_get(6);

	if (rs == NULL || rq == NULL) {
		fprintf(stderr, "fecbench: a codec is missing\n");
		return 1;
	}
	printf("| scheme | K (symbols of %u B) | repair symbols | encode MB/s "
	    "| decode MB/s (10%% lost) |\n|---|---|---|---|---|\n", T);
	for (i = 0; i < sizeof(rs_k) / sizeof(rs_k[0]); i++)
		bench_row(rs, rs_k[i], overhead);
	for (i = 0; i < sizeof(rq_k) / sizeof(rq_k[0]); i++)
		bench_row(rq, rq_k[i], overhead);
	return 0;
}
