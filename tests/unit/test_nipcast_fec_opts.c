/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_nipcast_fec_opts.c: the signalling side of nipcast --fec: the
 * FEC-OTI attributes of the FDT through fdt_parse, the gateway
 * configuration's ForwardErrorCorrectionParameters (in the schema's
 * order, through mgc_parse, and against the DVB-MABR XSD when
 * ../shared/data has one), --fec none sending exactly what no --fec
 * sends, the option errors and the limits of the block geometry.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nipcast_fec_harness.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "nipcast_sig_harness.h"
#pragma GCC diagnostic pop
#include "../../daemon/util.h"
#include "../../dvb-i/mgc.h"


/* ---- 4. The FDT and the gateway configuration. ---- */

static void
check_fdt_file(const struct fdt_file *f, const struct geo *g)
{
	CHECK_EQ_U(f->oti.fei, g->fei);
	CHECK_EQ_U(f->oti.symbol_len, g->e);
	if (g->b > 0) {
		CHECK_EQ_U(f->oti.max_sbl, g->b);
		CHECK_EQ_U(f->oti.max_n, g->max_n);
	}
	if (g->fei == FTX_FEI_RAPTORQ) {
		REQUIRE(f->oti.ssi_len == 4);
		CHECK_EQ_U(f->oti.ssi[0], g->z);
		CHECK(f->oti.ssi[1] == 0 && f->oti.ssi[2] == 1);
		CHECK_EQ_U(f->oti.ssi[3], g->al);
	} else {
		CHECK_EQ_U(f->oti.ssi_len, 0);
	}
}

static void
test_fdt(void)
{
	static const struct { const char *name; uint8_t fei; } sch[] = {
		{ "none", 0 }, { "rs", FTX_FEI_RS8 },
		{ "raptorq", FTX_FEI_RAPTORQ },
	};
	static const uint64_t len[3] = { 0, 3000, 300000 };
	struct run r = { NULL, NULL, "100", NULL, NULL, 0, 1 };
	struct tobj o[3];
	struct fdt *f;
	struct geo g;
	struct cap c;
	size_t s, i;
	char *xml;

	for (i = 0; i < 3; i++)
		tobj_init(&o[i], 1, 20 + (uint32_t)i, len[i], 100, 0);
	for (s = 0; s < 3; s++) {
		r.fec = sch[s].name;
		r.ov = s > 0 ? "30" : NULL;
		REQUIRE(capture(&r, o, 3, &c, &xml) == 0);
		REQUIRE(fdt_parse(xml, strlen(xml), &f, NULL) == 0);
		REQUIRE(f->nfiles == 3);
		/* The instance's own default stays No-Code. */
		CHECK(strstr(xml, "<FDT-Instance") != NULL && strstr(strstr(
		    xml, "<FDT-Instance"), "FEC-OTI-FEC-Encoding-ID=\"0\"") <
		    strstr(xml, "<File"));
		for (i = 0; i < 3; i++) {
			CHECK_EQ_U(f->files[i].toi.lo, o[i].toi);
			if (sch[s].fei == 0) {
				CHECK_EQ_U(f->files[i].oti.fei, 0);
				CHECK(strstr(xml, "Scheme-Specific") == NULL);
				continue;
			}
			geo_make(sch[s].fei, len[i], 100, 30, &g);
			check_fdt_file(&f->files[i], &g);
		}
		fdt_free(f);
		free(xml);
		cap_free(&c);
	}
	for (i = 0; i < 3; i++)
		free(o[i].data);
}

static const char gdesc[] =
	"[network]\nprovider = P\ndomain = d.example\n"
	"list_id = tag:d.example,2026:l\ngateway = 239.0.0.1:1/1\n"
	"[service a]\nhls = /a\nplaylist = a.m3u8\nsession = 239.0.0.2:1/1\n"
	"repair_base = http://r.example/\n"
	"[service b]\nhls = /b\nplaylist = b.m3u8\nsession = 239.0.0.2:1/2\n";

/* BitRate, then FEC, then repair (if any), then the component. */
static void
check_order(const char *doc, const char *name, int repair)
{
	const char *p, *bit, *fec, *rep, *comp;
	char id[64];

	snprintf(id, sizeof(id), "<MulticastTransportSession id=\"%s\"", name);
	REQUIRE((p = strstr(doc, id)) != NULL);
	bit = strstr(p, "<BitRate");
	fec = strstr(p, "<ForwardErrorCorrectionParameters>");
	rep = strstr(p, "<UnicastRepairParameters");
	comp = strstr(p, "<ServiceComponentIdentifier");
	REQUIRE(bit != NULL && fec != NULL && comp != NULL);
	CHECK(bit < fec && fec < comp);
	CHECK(strstr(fec, "</ForwardErrorCorrectionParameters>") < comp);
	CHECK(!repair || (rep != NULL && fec < rep && rep < comp));
}

static void
test_gateway(void)
{
	struct nc_desc d;
	char err[512], *doc;
	struct mgc m;
	size_t len, i, nsvc = 0;

	REQUIRE(parse(gdesc, &d, err, sizeof(err)) == 0);
	REQUIRE(nc_sig_render(&d, NC_DOC_GATEWAY, &doc, &len) == 0);
	CHECK(strstr(doc, "ForwardErrorCorrection") == NULL);
	free(doc);
	d.fec_fei = FTX_FEI_RAPTORQ;
	d.fec_overhead = 25;
	REQUIRE(nc_sig_render(&d, NC_DOC_GATEWAY, &doc, &len) == 0);
	check_order(doc, "a", 1);
	check_order(doc, "b", 0);
	CHECK(strstr(doc, "<SchemeIdentifier>urn:ietf:rmt:fec:encoding:6"
	    "</SchemeIdentifier>") != NULL);
	REQUIRE(mgc_parse(doc, len, &m, err, sizeof(err)) == 0);
	for (i = 0; i < m.nts; i++) {
		if (m.ts[i].gateway) {
			CHECK_EQ_U(m.ts[i].nfec, 0);	/* bootstrap: FEI 0 */
			continue;
		}
		nsvc++;
		REQUIRE(m.ts[i].nfec == 1);
		CHECK_EQ_U(m.ts[i].fec[0].fei, 6);
		CHECK_EQ_U(m.ts[i].fec[0].overhead_pct, 25);
		CHECK(!m.ts[i].fec[0].has_endpoint);
	}
	CHECK_EQ_U(nsvc, 2);
	mgc_free(&m);
	sig_gw_xsd("\"ForwardErrorCorrectionParameters\"", doc, len);
	free(doc);
	nc_desc_free(&d);
}

/* ---- 5. Options, and the limits of the geometry. ---- */

/* nc_parse_args on extra options; its result, stderr into msg. */
static int
opts_rc(const char *const *extra, struct nc_opts *o, char *msg, size_t cap)
{
	const char *av[16] = { "nipcast", "-g", "239.1.1.1:5000" };
	char path[160];
	int ac = 3, rc, fd, saved;
	ssize_t n;

	while (*extra != NULL)
		av[ac++] = *extra++;
	av[ac++] = "x";
	av[ac] = NULL;
	snprintf(path, sizeof(path), "%s/stderr", tmpdir);
	fflush(stderr);
	saved = dup(2);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	optind = 0;
	rc = nc_parse_args(ac, (char **)(uintptr_t)av, o);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, msg, cap - 1, 0);
	msg[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return rc;
}

static void
test_options(void)
{
	static const struct {
		const char	*a[5];
		int		rc;
		uint8_t		fec;
		uint32_t	ov;
		const char	*msg;
	} cases[] = {
		{ { NULL }, 0, 0, 20, NULL },
		{ { "--fec", "none", NULL }, 0, 0, 20, NULL },
		{ { "--fec", "rs", NULL }, 0, 5, 20, NULL },
		{ { "--fec", "raptorq", "--overhead", "400", NULL }, 0, 6, 400,
		    NULL },
		{ { "--overhead", "1", "--fec", "rs", NULL }, 0, 5, 1, NULL },
		{ { "--fec", "ldpc", NULL }, NC_EX_USAGE, 0, 0, "--fec ldpc" },
		{ { "--fec", "", NULL }, NC_EX_USAGE, 0, 0, "unknown scheme" },
		{ { "--fec", "RS", NULL }, NC_EX_USAGE, 0, 0, "unknown" },
		{ { "--fec", "rs", "--overhead", "0", NULL }, NC_EX_USAGE, 0, 0,
		    "--overhead 0" },
		{ { "--fec", "rs", "--overhead", "401", NULL }, NC_EX_USAGE, 0,
		    0, "1 to 400" },
		{ { "--fec", "rs", "--overhead", "-5", NULL }, NC_EX_USAGE, 0,
		    0, "--overhead -5" },
		{ { "--fec", "rs", "--overhead", "20%", NULL }, NC_EX_USAGE, 0,
		    0, "1 to 400" },
		{ { "--fec", "rs", "--overhead", "", NULL }, NC_EX_USAGE, 0, 0,
		    "--overhead" },
		{ { "--overhead", "20", NULL }, NC_EX_USAGE, 0, 0,
		    "--overhead needs --fec" },
		{ { "--fec", "none", "--overhead", "20", NULL }, NC_EX_USAGE, 0,
		    0, "--overhead needs --fec" },
	};
	struct nc_opts o;
	char msg[1024];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = opts_rc(cases[i].a, &o, msg, sizeof(msg));
		CHECK_EQ_U(rc, cases[i].rc);
		if (rc == 0) {
			CHECK_EQ_U(o.fec, cases[i].fec);
			CHECK_EQ_U(o.overhead, cases[i].ov);
		} else if (strstr(msg, cases[i].msg) == NULL) {
			fprintf(stderr, "  case %zu: \"%s\" lacks \"%s\"\n", i,
			    msg, cases[i].msg);
			CHECK(!"the message names the problem");
		}
	}
}

static void
test_limits(void)
{
	struct nc_fec_oti f;
	struct nc_opts o;
	uint64_t max, k = 1000, nrep = 200, r;

	memset(&o, 0, sizeof(o));
	o.symbol_len = 100;
	o.overhead = 20;
	o.fec = FTX_FEI_RAPTORQ;
	/* 255 blocks of RFC 6330's largest K, then no more. */
	max = 255ull * 56403 * 100;
	CHECK(nc_fec_oti(&o, max, &f) == 0 && f.z == 255 && f.b == 56403);
	CHECK(nc_fec_oti(&o, max + 1, &f) < 0);
	CHECK(nc_fec_oti(&o, 1ull << 40, &f) < 0);
	CHECK(nc_fec_oti(&o, 255ull * 1024 * 100, &f) == 0 && f.b == 1024);
	/* Big symbols: blocks of at most 16 MiB. */
	o.symbol_len = 64999;
	CHECK(nc_fec_oti(&o, 1000ull * 64999, &f) == 0 &&
	    (uint64_t)f.b * 64999 <= (16u << 20) && f.al == 1);
	/* RaptorQ repair ESIs stay below 2^24 and wrap. */
	f.fei = FTX_FEI_RAPTORQ;
	for (r = 83870; r < 83890; r++) {
		uint32_t e0 = nc_fec_esi0(&f, (uint32_t)k, (uint32_t)nrep, r);

		CHECK(e0 >= k && e0 + nrep - 1 <= 0xffffff);
		CHECK((e0 - k) % nrep == 0);
	}
	CHECK_EQ_U(nc_fec_esi0(&f, (uint32_t)k, (uint32_t)nrep,
	    (0x1000000 - k) / nrep), k);
	/* RS: 2^24 blocks at most (B = 212 at 20 %). */
	o.fec = FTX_FEI_RS8;
	o.symbol_len = 100;
	CHECK_EQ_U(nc_fec_rs_max_b(20), 212);
	CHECK_EQ_U(nc_fec_rs_max_b(400), 51);
	CHECK(nc_fec_oti(&o, (1ull << 24) * 212 * 100, &f) == 0);
	CHECK(nc_fec_oti(&o, (1ull << 24) * 212 * 100 + 1, &f) < 0);
}

/* --fec none sends the data packets exactly as without --fec. */
static void
test_none(void)
{
	struct run r = { NULL, NULL, "300", NULL, NULL, 0, 1 };
	struct cap a, b;
	struct alc_pkt p;
	struct tobj o;
	size_t i, j;

	tobj_init(&o, 1, 4, 100000, 300, 0);
	REQUIRE(capture(&r, &o, 1, &a, NULL) == 0);
	r.fec = "none";
	REQUIRE(capture(&r, &o, 1, &b, NULL) == 0);
	for (i = j = 0; i < a.n; i++) {
		REQUIRE(alc_parse(a.p[i], a.len[i], &p) == 0);
		if (p.toi.lo == 0)
			continue;
		CHECK_EQ_U(p.codepoint, 0);
		while (j < b.n && alc_parse(b.p[j], b.len[j], &p) == 0 &&
		    p.toi.lo == 0)
			j++;
		REQUIRE(j < b.n);
		CHECK(a.len[i] == b.len[j] && memcmp(a.p[i], b.p[j],
		    a.len[i]) == 0);
		j++;
	}
	cap_free(&a);
	cap_free(&b);
	free(o.data);
}

TEST_MAIN(TEST(test_setup), TEST(test_options), TEST(test_limits),
    TEST(test_none), TEST(test_fdt), TEST(test_gateway),
    TEST(test_teardown))
