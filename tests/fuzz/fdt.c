/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fdt.c: fuzz target for the FDT instance parser (carousel/fdt.c and
 * fdt_attr.c): the XML of an FDT, as reassembled from TOI 0.
 *
 * Invariants: a parsed instance has at most FDT_MAX_FILES files (skipped
 * ones included); every file has a clean Content-Location of at most
 * FDT_MAX_URI bytes, clean tokens, lengths of -1 or more, and OTI values
 * that are -1 (absent) or non-negative.
 */
#include "fuzz.h"
#include "../../carousel/fdt.h"

/* Non-empty, at most max bytes, no control characters (as fdt_attr.c). */
static int
fuzz_clean(const char *s, size_t max)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f)
			return 0;
	return n > 0 && n <= max;
}

static void
fuzz_fdt_file(const struct fdt_file *f)
{
	FUZZ_CHECK(f->location != NULL);
	FUZZ_CHECK(fuzz_clean(f->location, FDT_MAX_URI));
	if (f->content_type != NULL)
		FUZZ_CHECK(fuzz_clean(f->content_type, FDT_MAX_TOKEN));
	if (f->content_encoding != NULL)
		FUZZ_CHECK(fuzz_clean(f->content_encoding, FDT_MAX_TOKEN));
	FUZZ_CHECK(f->content_length >= -1 && f->transfer_length >= -1);
	FUZZ_CHECK(f->cache_expires >= -1);
	FUZZ_CHECK(f->oti.fei >= -1 && f->oti.instance_id >= -1);
	FUZZ_CHECK(f->oti.max_sbl >= -1 && f->oti.symbol_len >= -1 &&
	    f->oti.max_n >= -1);
	FUZZ_CHECK(f->oti.ssi_len <= sizeof(f->oti.ssi));
	FUZZ_CHECK(f->has_md5 <= 1 && f->has_sha256 <= 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdt *f;
	size_t i, skipped = 0;
	int rc;

	rc = fdt_parse((const char *)data, size, &f, &skipped);
	FUZZ_CHECK(fdt_strerror(rc) != NULL);
	if (rc != 0) {
		FUZZ_CHECK(rc < 0 && f == NULL);
		return 0;
	}
	FUZZ_CHECK(f != NULL);
	FUZZ_CHECK(f->nfiles + skipped <= FDT_MAX_FILES);
	FUZZ_CHECK(f->nfiles == 0 || f->files != NULL);
	FUZZ_CHECK(f->complete <= 1 && f->full_fdt <= 1);
	for (i = 0; i < f->nfiles; i++)
		fuzz_fdt_file(&f->files[i]);
	fdt_free(f);
	return 0;
}
