/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sample_harness.h: reading the real signalling samples in ../shared/data
 * (paths relative to the repo root, the tests' working directory) for the
 * dvb-i parser tests.  A lone clone has no ../shared/data: tests then print
 * a SKIP line for the cases that need it and still pass.
 */
#ifndef NIPCACHE_SAMPLE_HARNESS_H
#define NIPCACHE_SAMPLE_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SAMPLE_SES	"../shared/data/nip/ses-19.2e"
#define SAMPLE_SL	"../shared/data/dvb-i/servicelists"
#define SAMPLE_XSD	"../shared/data/dvb-i/schemas"

/*
 * The whole file, NUL-terminated (the NUL is not counted in *len), or NULL
 * if it cannot be read.  Free with free().
 */
static inline char *
sample_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* Print the skip reason once per case; returns 1 so callers can return. */
static inline int
sample_skip(const char *what)
{
	printf("SKIP: ../shared/data not present (%s)\n", what);
	return 1;
}

#endif
