/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz.h: what the fuzz targets share.  Each tests/fuzz/<target>.c
 * defines LLVMFuzzerTestOneInput; clang links it with libFuzzer (make
 * fuzz), gcc with replay.c (make check replays the committed corpus and
 * crashers).  FUZZ_CHECK aborts on a broken invariant, so both engines
 * report it as a crash: a parse that succeeds must also yield fields in
 * range, not only not crash.  A small reader splits the input into
 * fields for targets that take several strings.
 */
#ifndef NIPCACHE_FUZZ_H
#define NIPCACHE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_UNUSED	__attribute__((unused))

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* 1 if the char array a holds a NUL (a bounded string), else 0. */
#define FUZZ_STRZ(a)	(memchr((a), '\0', sizeof(a)) != NULL)

/* Reads an input front to back; past the end every read gives zeros. */
struct fuzz_in {
	const uint8_t	*p;
	size_t		n;
};

static FUZZ_UNUSED uint8_t
fuzz_u8(struct fuzz_in *in)
{
	uint8_t v = 0;

	if (in->n > 0) {
		v = in->p[0];
		in->p++;
		in->n--;
	}
	return v;
}

static FUZZ_UNUSED uint16_t
fuzz_u16(struct fuzz_in *in)
{
	uint16_t hi = fuzz_u8(in);

	return (uint16_t)(hi << 8 | fuzz_u8(in));
}

/* Up to n bytes from the input (fewer at its end); returns how many. */
static FUZZ_UNUSED size_t
fuzz_take(struct fuzz_in *in, size_t n, const uint8_t **p)
{
	if (n > in->n)
		n = in->n;
	*p = in->p;
	in->p += n;
	in->n -= n;
	return n;
}

/*
 * The next line of the input (up to '\n', which is dropped) as a
 * malloc'd NUL-terminated string, or NULL at the end of the input.  An
 * embedded NUL shortens the string, as it would for a C caller.
 */
static FUZZ_UNUSED char *
fuzz_line(struct fuzz_in *in)
{
	const uint8_t *nl;
	size_t n;
	char *s;

	if (in->n == 0)
		return NULL;
	nl = memchr(in->p, '\n', in->n);
	n = nl != NULL ? (size_t)(nl - in->p) : in->n;
	s = malloc(n + 1);
	if (s == NULL)
		abort();
	memcpy(s, in->p, n);
	s[n] = '\0';
	in->p += n + (nl != NULL);
	in->n -= n + (nl != NULL);
	return s;
}

#endif
