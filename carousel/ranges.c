/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ranges.c: the byte ranges unicast repair must fetch for a partly
 * received object (protocols.md 2.4 and 5.4).  Pure: no I/O, no
 * allocation.
 *
 * With RFC 5052 block partitioning, symbol index order is byte order:
 * index k covers bytes [k*E, min((k+1)*E, L)).  So a run of clear bits
 * in the symbol bitmap is one byte range, and ranges come out sorted.
 *
 * Ranges are built in one pass into the caller's array of max entries.
 * A new range closer than merge_gap to the previous one extends it.  When
 * the array is full, the closest adjacent pair (the leftmost of equally
 * close pairs) among the max + 1 ranges is merged.  Merging two neighbours
 * never changes the other gaps, so this keeps exactly the max - 1 widest
 * gaps of the whole list, as merging the closest pairs of the complete
 * list would, without ever holding the complete list.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ranges.h"

/* Accumulator writing ranges into out[0..max-1]. */
struct racc {
	struct obj_range *out;
	size_t		max;
	size_t		n;
	uint64_t	gap;		/* merge ranges closer than this */
	size_t		minat;		/* i >= 1: gap out[i-1]..out[i] is the
					   smallest (leftmost on ties); 0 when
					   n < 2 */
};

static uint64_t
range_end(const struct obj_range *r)
{
	return r->off + r->len;
}

/* Bytes between out[i - 1] and out[i] (0 if they touch or overlap). */
static uint64_t
racc_gap(const struct racc *a, size_t i)
{
	uint64_t e = range_end(&a->out[i - 1]);

	return a->out[i].off > e ? a->out[i].off - e : 0;
}

/* Find the smallest gap again, leftmost first. */
static void
racc_rescan(struct racc *a)
{
	size_t i;

	a->minat = 0;
	for (i = 1; i < a->n; i++)
		if (a->minat == 0 || racc_gap(a, i) < racc_gap(a, a->minat))
			a->minat = i;
}

/* Grow out[i] so that it also covers [.., end). */
static void
racc_extend(struct racc *a, size_t i, uint64_t end)
{
	if (end > range_end(&a->out[i]))
		a->out[i].len = end - a->out[i].off;
}

/* Merge out[i - 1] and out[i] into one, closing the hole at i. */
static void
racc_join(struct racc *a, size_t i)
{
	racc_extend(a, i - 1, range_end(&a->out[i]));
	memmove(&a->out[i], &a->out[i + 1], (a->n - i - 1) * sizeof(*a->out));
	a->n--;
}

/*
 * Append [off, off + len).  off must not be below the previous range's
 * start (callers feed sorted ranges); overlapping ones are merged.
 */
static void
racc_add(struct racc *a, uint64_t off, uint64_t len)
{
	uint64_t end, g;
	int joined = 0;

	if (len == 0)
		return;
	if (len > UINT64_MAX - off)
		len = UINT64_MAX - off;
	end = off + len;
	if (a->n > 0) {
		g = range_end(&a->out[a->n - 1]);
		g = off > g ? off - g : 0;
		/* Overlapping (a caller's bug) or close: one range. */
		if (off < range_end(&a->out[a->n - 1]) || g < a->gap) {
			racc_extend(a, a->n - 1, end);
			return;
		}
		if (a->n == a->max) {
			/* The new gap loses ties: it is the rightmost. */
			if (a->minat == 0 || g < racc_gap(a, a->minat)) {
				racc_extend(a, a->n - 1, end);
				return;
			}
			racc_join(a, a->minat);
			joined = 1;
		}
	}
	a->out[a->n].off = off;
	a->out[a->n].len = len;
	a->n++;
	if (joined)
		racc_rescan(a);
	else if (a->n >= 2 && (a->minat == 0 ||
	    racc_gap(a, a->n - 1) < racc_gap(a, a->minat)))
		a->minat = a->n - 1;
}

static void
racc_init(struct racc *a, struct obj_range *out, size_t max, uint64_t gap)
{
	a->out = out;
	a->max = max;
	a->n = 0;
	a->gap = gap;
	a->minat = 0;
}

/* First index >= i below t whose bit equals want, or t. */
static uint64_t
bits_next(const uint8_t *bits, uint64_t t, uint64_t i, int want)
{
	uint8_t skip = want ? 0x00 : 0xFF;

	while (i < t) {
		if ((i & 7) == 0 && bits[i >> 3] == skip) {
			i += 8;
			continue;
		}
		if (((bits[i >> 3] >> (i & 7)) & 1) == (want ? 1 : 0))
			return i;
		i++;
	}
	return t;
}

size_t
ranges_missing(const struct fec_part *p, const uint8_t *bits,
    uint64_t merge_gap, struct obj_range *out, size_t max, uint64_t *lost)
{
	struct racc a;
	uint64_t i, j, off, end, total = 0;

	if (max == 0)
		out = NULL;
	racc_init(&a, out, max, merge_gap);
	for (i = 0; p->e != 0 && i < p->t; i = j) {
		if ((i = bits_next(bits, p->t, i, 0)) >= p->t)
			break;
		j = bits_next(bits, p->t, i, 1);
		off = i * p->e;
		end = j >= p->t ? p->len : j * p->e;
		total += end - off;
		if (out != NULL)
			racc_add(&a, off, end - off);
	}
	if (lost != NULL)
		*lost = total;
	return a.n;
}

size_t
ranges_merge(struct obj_range *r, size_t n, uint64_t gap, size_t max)
{
	struct obj_range cur;
	struct racc a;
	size_t i;

	if (max == 0)
		max = 1;
	/* In place: the accumulator never writes past the range it reads. */
	racc_init(&a, r, max, gap);
	for (i = 0; i < n; i++) {
		cur = r[i];
		racc_add(&a, cur.off, cur.len);
	}
	return a.n;
}

uint64_t
ranges_total(const struct obj_range *r, size_t n)
{
	uint64_t t = 0;
	size_t i;

	for (i = 0; i < n; i++)
		t = r[i].len > UINT64_MAX - t ? UINT64_MAX : t + r[i].len;
	return t;
}

/*
 * An empty list or an empty range cannot be written as an HTTP Range, and
 * neither can one whose last byte is beyond 2^64 - 1: those are -1 too.
 */
int
ranges_header(const struct obj_range *r, size_t n, char *buf, size_t len)
{
	size_t pos;
	size_t i;
	int k;

	if (buf == NULL || len == 0)
		return -1;
	buf[0] = '\0';
	if (n == 0 || len > INT_MAX)
		return -1;
	pos = (size_t)snprintf(buf, len, "bytes=");
	for (i = 0; i < n && pos < len; i++) {
		if (r[i].len == 0 || r[i].len - 1 > UINT64_MAX - r[i].off)
			break;
		k = snprintf(buf + pos, len - pos, "%s%" PRIu64 "-%" PRIu64,
		    i > 0 ? "," : "", r[i].off, r[i].off + (r[i].len - 1));
		if (k < 0)
			break;
		pos += (size_t)k;
	}
	if (i < n || pos >= len) {
		buf[0] = '\0';
		return -1;
	}
	return (int)pos;
}
