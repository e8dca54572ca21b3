/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcapf_harness.h: capture files built by hand for the pcap reader and
 * writer tests (test_pcapf.c, test_pcapf_ng.c).  A file buffer that
 * writes fields in either byte order; pcapng blocks (SHB, IDB with
 * if_tsresol, EPB, OPB, SPB, any block by type and length) and classic
 * headers and records; small UDP datagrams from ipudp_build; and a
 * reader loop that feeds pcapf_rd_next whole files or random windows,
 * checks the calling contract on every call and keeps what was read.
 * Written from the file format descriptions, independently of the
 * reader under test.  All static and marked unused.
 */
#ifndef NIPCACHE_PCAPF_HARNESS_H
#define NIPCACHE_PCAPF_HARNESS_H

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "test.h"
#include "testutil.h"
#include "../../carousel/ipudp.h"
#include "../../carousel/pcapf.h"

#define PCAPFH_UNUSED	__attribute__((unused))
#define FBMAX		(1024 * 1024)	/* the largest file a case builds */
#define MAXPKT		512		/* packets a read keeps */

/* A growing file in either byte order. */
struct fb {
	uint8_t		b[FBMAX];
	size_t		n;
	int		be;
};

static PCAPFH_UNUSED void
fb_u8(struct fb *f, uint32_t v)
{
	if (f->n < FBMAX)
		f->b[f->n++] = (uint8_t)v;
}

/* Fields in the file's byte order, one width digit (1, 2 or 4) each. */
static PCAPFH_UNUSED void
fb_w(struct fb *f, const char *widths, ...)
{
	va_list ap;
	uint32_t v;
	int w, i;

	va_start(ap, widths);
	for (; *widths != '\0'; widths++) {
		w = *widths - '0';
		v = va_arg(ap, uint32_t);
		for (i = 0; i < w; i++)
			fb_u8(f, v >> 8 * (f->be ? w - 1 - i : i));
	}
	va_end(ap);
}

static PCAPFH_UNUSED void
fb_u32(struct fb *f, uint32_t v)
{
	fb_w(f, "4", v);
}

static PCAPFH_UNUSED void
fb_put(struct fb *f, const void *p, size_t n)
{
	const uint8_t *q = p;
	size_t i;

	for (i = 0; i < n; i++)
		fb_u8(f, q[i]);
}

static PCAPFH_UNUSED void
fb_pad4(struct fb *f)
{
	while (f->n % 4)
		fb_u8(f, 0);
}

/* pcapng block: type and a length patched in by blk_end. */
static PCAPFH_UNUSED size_t
blk_begin(struct fb *f, uint32_t type)
{
	size_t at = f->n;

	fb_u32(f, type);
	fb_u32(f, 0);
	return at;
}

static PCAPFH_UNUSED void
blk_end(struct fb *f, size_t at)
{
	size_t end;
	uint32_t btl;

	fb_pad4(f);
	btl = (uint32_t)(f->n - at + 4);
	fb_u32(f, btl);
	end = f->n;
	f->n = at + 4;
	fb_u32(f, btl);
	f->n = end;
}

static PCAPFH_UNUSED void
ng_shb(struct fb *f)
{
	size_t at = blk_begin(f, 0x0a0d0d0a);

	fb_w(f, "42244", 0x1a2b3c4du, 1u, 0u, ~0u, ~0u);
	blk_end(f, at);
}

/* An IDB with an if_name option, then if_tsresol unless tsres < 0. */
static PCAPFH_UNUSED void
ng_idb(struct fb *f, uint16_t link, int tsres)
{
	size_t at = blk_begin(f, 1);

	fb_w(f, "22422", (uint32_t)link, 0u, 0u, 2u, 5u);
	fb_put(f, "eth0x", 5);
	fb_pad4(f);
	if (tsres >= 0) {
		fb_w(f, "221", 9u, 1u, (uint32_t)tsres);
		fb_pad4(f);
	}
	fb_w(f, "22", 0u, 0u);
	blk_end(f, at);
}

/* EPB (or OPB) with an epb_flags option after the data. */
static PCAPFH_UNUSED void
ng_epb(struct fb *f, int opb, uint32_t ifid, uint64_t ts,
    const uint8_t *d, size_t n)
{
	size_t at = blk_begin(f, opb ? 2 : 6);

	fb_w(f, opb ? "22" : "4", ifid, 0u);
	fb_w(f, "4444", (uint32_t)(ts >> 32), (uint32_t)ts, (uint32_t)n,
	    (uint32_t)n);
	fb_put(f, d, n);
	fb_pad4(f);
	fb_w(f, "224", 2u, 4u, 1u);
	blk_end(f, at);
}

static PCAPFH_UNUSED void
ng_spb(struct fb *f, const uint8_t *d, size_t n)
{
	size_t at = blk_begin(f, 3);

	fb_u32(f, (uint32_t)n);
	fb_put(f, d, n);
	blk_end(f, at);
}

static PCAPFH_UNUSED void
classic_hdr(struct fb *f, int nsec, uint32_t snaplen, uint32_t link)
{
	fb_w(f, "422444", nsec ? 0xa1b23c4du : 0xa1b2c3d4u, 2u, 4u, 0u, 0u,
	    snaplen);
	fb_u32(f, link);
}

static PCAPFH_UNUSED void
classic_rec(struct fb *f, uint32_t sec, uint32_t frac, const void *d,
    size_t n)
{
	fb_w(f, "4444", sec, frac, (uint32_t)n, (uint32_t)n);
	fb_put(f, d, n);
}

/* A small valid UDP packet; returns its length. */
static PCAPFH_UNUSED size_t
mk_ip(uint8_t *buf, int v6, size_t paylen, uint32_t seed)
{
	static uint8_t pay[2048];
	struct ipudp h;
	size_t i;

	memset(&h, 0, sizeof(h));
	h.family = v6 ? AF_INET6 : AF_INET;
	h.dst[0] = v6 ? 0xff : 239;
	h.dst[1] = v6 ? 0x3e : (uint8_t)seed;
	h.dst[3] = (uint8_t)(seed >> 8);
	h.dst[15] = v6 ? (uint8_t)seed : 0;
	h.src[0] = 10;
	h.sport = 5000;
	h.dport = (uint16_t)(1234 + seed % 7);
	for (i = 0; i < paylen && i < sizeof(pay); i++)
		pay[i] = (uint8_t)(i * 31 + seed);
	h.payload = pay;
	h.len = paylen;
	return (size_t)ipudp_build(buf, 4096, &h);
}

/* What a read produced. */
struct got {
	size_t		n;
	uint64_t	ts[MAXPKT];
	const uint8_t	*ip[MAXPKT];
	size_t		len[MAXPKT];
	int		last;
	size_t		calls;
};

/*
 * Read f[0..n) as a caller would, offering avail bytes at a time (all
 * of it if step is 0, else a random window grown on each 0).  Every
 * call must consume bytes or return 0/-1, and a packet must lie inside
 * the bytes consumed.
 */
static PCAPFH_UNUSED void
rd_all(const uint8_t *f, size_t n, uint64_t *err, size_t step,
    struct got *g)
{
	struct pcapf_rd r;
	struct pcapf_pkt p;
	size_t off = 0, avail, used;
	int rc;

	memset(g, 0, sizeof(*g));
	pcapf_rd_init(&r, err);
	avail = step ? rng_below((uint32_t)step) : n;
	for (;;) {
		if (avail > n - off)
			avail = n - off;
		used = 12345;
		rc = pcapf_rd_next(&r, f + off, avail, &used, &p);
		g->calls++;
		if (rc == 0 && avail < n - off) {
			avail += 1 + rng_below((uint32_t)step + 1);
			continue;
		}
		if (rc <= 0) {
			CHECK(used == 0);
			g->last = rc;
			return;
		}
		REQUIRE(rc == 1 || rc == 2);
		REQUIRE(used > 0 && used <= avail);
		if (rc == 1) {
			CHECK(p.ip >= f + off &&
			    p.ip + p.len <= f + off + used);
			if (g->n < MAXPKT) {
				g->ts[g->n] = p.ts_ns;
				g->ip[g->n] = p.ip;
				g->len[g->n] = p.len;
				g->n++;
			}
		}
		off += used;
		avail = step ? rng_below((uint32_t)step) : n;
	}
}

static PCAPFH_UNUSED uint64_t
err_sum(const uint64_t *err)
{
	uint64_t s = 0;
	int i;

	for (i = 0; i < DECAP_NERR; i++)
		s += err[i];
	return s;
}

/* The file a case builds (1 MiB, so not on the stack). */
static struct fb fa PCAPFH_UNUSED;

#endif
