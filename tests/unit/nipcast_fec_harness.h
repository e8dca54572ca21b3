/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipcast_fec_harness.h: what test_nipcast_fec.c and
 * test_nipcast_fec_opts.c share: running nipcast's own transmit path
 * (nc_parse_args, nc_tx_open, nc_tx_object) into a pcap --output and
 * reading the ALC packets back, and the FEC geometry the RFCs give,
 * worked out here independently of nipcast_fec.c.  Each test includes it
 * once, so everything here is static.
 */
#ifndef NIPCACHE_NIPCAST_FEC_HARNESS_H
#define NIPCACHE_NIPCAST_FEC_HARNESS_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Its helpers are not all used by each test. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "reasm_harness.h"
#pragma GCC diagnostic pop
#include "../../carousel/fec.h"
#include "../../carousel/ipudp.h"
#include "../../carousel/nipcast.h"
#include "../../carousel/pcapf.h"
#include "../../daemon/log.h"

#define RQ_BLOCK	1024	/* symbols per RaptorQ block nipcast aims at */

static char tmpdir[] = "/tmp/test_nipcast_fec.XXXXXX";

/* ---- Capturing what nipcast sends. ---- */

/* The ALC packets of one run, in sending order. */
struct cap {
	size_t		n, cap;
	uint8_t		**p;
	size_t		*len;
};

static void
cap_free(struct cap *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->p[i]);
	free(c->p);
	free(c->len);
	memset(c, 0, sizeof(*c));
}

static void
cap_add(struct cap *c, const uint8_t *p, size_t len)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 1024;
		c->p = realloc(c->p, c->cap * sizeof(*c->p));
		c->len = realloc(c->len, c->cap * sizeof(*c->len));
	}
	c->p[c->n] = malloc(len + 1);
	memcpy(c->p[c->n], p, len);
	c->len[c->n++] = len;
}

/* Options of one run; NULL leaves an option out. */
struct run {
	const char	*fec, *ov, *e, *loss, *block;
	int		shuffle;
	int		cycles;
};

static int
parse_opts(const struct run *s, const char *pcap, struct nc_opts *o)
{
	static char out[256];	/* o keeps pointers into the arguments */
	const char *av[32];
	int ac = 0;

	snprintf(out, sizeof(out), "pcap:%s", pcap);
	av[ac++] = "nipcast";
	av[ac++] = "-g";
	av[ac++] = "239.1.1.1:5000";
	av[ac++] = "-r";
	av[ac++] = "0";
	av[ac++] = "--output";
	av[ac++] = out;
#define OPT(name, v) if ((v) != NULL) { av[ac++] = name; av[ac++] = (v); }
	OPT("--fec", s->fec);
	OPT("--overhead", s->ov);
	OPT("--symbol-size", s->e);
	OPT("--loss", s->loss);
	OPT("--block", s->block);
#undef OPT
	if (s->shuffle)
		av[ac++] = "--shuffle";
	av[ac++] = "unused-path";
	av[ac] = NULL;
	optind = 0;
	return nc_parse_args(ac, (char **)(uintptr_t)av, o);
}

/* The UDP payloads of a pcap file. */
static void
read_pcap(const char *path, struct cap *c)
{
	struct pcapf_rd rd;
	struct pcapf_pkt pk;
	struct ipudp u;
	uint64_t err[16] = { 0 };
	size_t off = 0, used, len = 0;
	struct stat st;
	uint8_t *b;
	FILE *f;
	int rc;

	REQUIRE(stat(path, &st) == 0 && (f = fopen(path, "rb")) != NULL);
	b = malloc((size_t)st.st_size + 1);
	len = fread(b, 1, (size_t)st.st_size, f);
	fclose(f);
	pcapf_rd_init(&rd, err);
	while (off < len && (rc = pcapf_rd_next(&rd, b + off, len - off,
	    &used, &pk)) > 0) {
		off += used;
		if (rc == 1 && ipudp_parse(pk.ip, pk.len, &u) == 0)
			cap_add(c, u.payload, u.len);
	}
	CHECK_EQ_U(off, len);
	free(b);
}

/*
 * Send objs (cycles times, the FDT before each object) with the options
 * of s into c; the FDT XML in *xml if asked.  0, or what nc_parse_args or
 * nc_tx_open returned.
 */
static int
capture(const struct run *s, struct tobj *objs, size_t n, struct cap *c,
    char **xml)
{
	struct ftx_file files[8];
	struct nc_obj ob[8];
	struct nc_fdt fdt;
	struct nc_opts o;
	char pcap[128];
	size_t i, nout;
	int cy, rc;

	memset(c, 0, sizeof(*c));
	memset(&fdt, 0, sizeof(fdt));
	snprintf(pcap, sizeof(pcap), "%s/out.pcap", tmpdir);
	if ((rc = parse_opts(s, pcap, &o)) != 0 || (rc = nc_tx_open(&o)) != 0)
		return rc;
	memset(ob, 0, sizeof(ob));
	for (i = 0; i < n; i++) {
		ob[i].toi = objs[i].toi;
		ob[i].location = objs[i].loc;
		ob[i].content_len = objs[i].len;
		ob[i].src.mem = objs[i].data;
		ob[i].src.fd = -1;
		ob[i].src.len = objs[i].len;
		ob[i].max_sbl = nc_block_for(objs[i].len);
		nc_obj_file(&ob[i], &files[i]);
	}
	CHECK(nc_fdt_build(&fdt, files, n, &nout) == 0 && nout == n);
	for (cy = 0; cy < (s->cycles ? s->cycles : 1); cy++)
		for (i = 0; i < n; i++)
			CHECK(nc_tx_object(&ob[i], &fdt) == 0);
	CHECK(nc_tx_close() == 0);
	if (xml != NULL)
		*xml = strdup(fdt.xml);
	nc_fdt_clear(&fdt);
	read_pcap(pcap, c);
	unlink(pcap);
	return 0;
}

/* ---- The geometry the RFCs give, worked out independently. ---- */

struct geo {
	uint8_t		fei;
	uint32_t	e, b, max_n, z, al, ov;
	struct tpart	p;	/* blocks (RaptorQ: KL, KS, ZL in al/as/il) */
};

static uint32_t
ceil_pct(uint32_t k, uint32_t ov)
{
	return (k * ov + 99) / 100;
}

static void
geo_make(uint8_t fei, uint64_t len, uint32_t e, uint32_t ov, struct geo *g)
{
	uint64_t kt = (len + e - 1) / e;
	uint32_t b = 255;

	memset(g, 0, sizeof(*g));
	g->fei = fei;
	g->e = e;
	g->ov = ov;
	if (fei == FTX_FEI_RS8) {
		while (b + ceil_pct(b, ov) > 255)
			b--;
		tpart(len, e, b, &g->p);
		/* nipcast announces the largest block it uses as B. */
		g->b = g->p.t > 0 ? g->p.al : b;
		g->max_n = g->b + ceil_pct(g->b, ov);
		return;
	}
	g->z = kt == 0 ? 1 : (uint32_t)((kt + RQ_BLOCK - 1) / RQ_BLOCK);
	g->al = e % 4 == 0 ? 4 : 1;
	memset(&g->p, 0, sizeof(g->p));
	g->p.len = len;
	g->p.e = e;
	g->p.t = kt;
	if (kt > 0) {
		g->p.n = g->z;
		g->p.al = (uint32_t)((kt + g->z - 1) / g->z);
		g->p.as = (uint32_t)(kt / g->z);
		g->p.il = (uint32_t)(kt - (uint64_t)g->p.as * g->z);
	}
	g->b = g->p.al;
	g->max_n = g->b + ceil_pct(g->b, ov);
}

/* Repair symbols per cycle: RFC 5510 6.2 for RS, ceil(K * ov) for RQ. */
static TESTUTIL_UNUSED uint32_t
geo_nrep(const struct geo *g, uint32_t sbn)
{
	uint32_t k = tblen(&g->p, sbn);

	if (g->fei == FTX_FEI_RS8)
		return (uint32_t)((uint64_t)k * g->max_n / g->b) - k;
	return ceil_pct(k, g->ov);
}

/* A private folder for the pcap files; warnings only on stderr. */
static void
test_setup(void)
{
	REQUIRE(mkdtemp(tmpdir) != NULL);
	log_init("test_nipcast_fec", LOG_LEVEL_WARN);
}

static void
test_teardown(void)
{
	CHECK(rmdir(tmpdir) == 0);
}

#endif
