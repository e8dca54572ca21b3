/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replay.c: the main() that gcc links with a fuzz target instead of
 * libFuzzer.  Each argument is an input file (a corpus entry or a
 * crasher) passed once to LLVMFuzzerTestOneInput; a crash or a broken
 * invariant aborts the process, which make check reports as a failure.
 * Prints how many inputs ran, for the unit test log.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* The whole file in a malloc'd buffer of exactly its size, or NULL. */
static uint8_t *
replay_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *nb;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((nb = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	/* An exact-size copy, so ASan sees a read past the input. */
	if ((nb = malloc(n ? n : 1)) == NULL)
		goto fail2;
	memcpy(nb, buf, n);
	free(buf);
	*len = n;
	return nb;
fail:
	fclose(f);
fail2:
	free(buf);
	return NULL;
}

int
main(int argc, char **argv)
{
	uint8_t *buf;
	size_t len;
	int i;

	for (i = 1; i < argc; i++) {
		if ((buf = replay_read(argv[i], &len)) == NULL) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
	}
	printf("%d inputs replayed\n", argc - 1);
	return 0;
}
