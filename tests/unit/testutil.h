/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * testutil.h: small helpers several unit tests share: a seeded xorshift64
 * generator (its sequence is part of the seeded tests' inputs: do not
 * change it) and big-endian writers for building packets.  Static and
 * marked unused, so an includer need not call every one.
 */
#ifndef NIPCACHE_TESTUTIL_H
#define NIPCACHE_TESTUTIL_H

#include <stdint.h>

#define TESTUTIL_UNUSED	__attribute__((unused))

static uint64_t rng_state TESTUTIL_UNUSED;

static TESTUTIL_UNUSED void
rng_seed(uint64_t s)
{
	rng_state = s * 0x9E3779B97F4A7C15ULL + 1;
}

static TESTUTIL_UNUSED uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static TESTUTIL_UNUSED uint32_t
rng_below(uint32_t n)
{
	return n ? (uint32_t)(rng() % n) : 0;
}

static TESTUTIL_UNUSED void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static TESTUTIL_UNUSED void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

#endif
