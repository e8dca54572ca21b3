/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_nipcast_out.c: nipcast's --output formats through the nc_out_*
 * API, read back with the receiver's own decapsulators.  Datagrams of
 * seeded random sizes (FLUTE packets with EXT_NACI among them) go to a
 * temporary file as MPE in TS, GSE in BBFrames and pcap, over IPv4 and
 * IPv6, with flushes in between; ts_demux, gse_demux and pcapf_rd must
 * give back every one, in order, with the addresses, ports and TTL
 * asked for.  Also: ts:udp:// datagrams of at most 7 TS packets, the
 * option parser, the defaults, oversize datagrams, and write errors
 * (EPIPE, ENOSPC) reported instead of lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "../../carousel/gse.h"
#include "../../carousel/ipudp.h"
#include "../../carousel/nipcast.h"
#include "../../carousel/pcapf.h"
#include "../../carousel/ts.h"

#define NDGRAM		300
#define PAYMAX		9000

static uint64_t rng_state = 0x0123456789abcdefull;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* What was written, and what came back. */
struct dg {
	uint8_t		*p;
	size_t		len;
};

struct got {
	struct dg	d[NDGRAM + 8];
	size_t		n;
	size_t		overflow;
	uint64_t	ts_min, ts_max;	/* pcap timestamps */
};

static void
got_free(struct got *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->d[i].p);
	memset(g, 0, sizeof(*g));
}

static void
on_datagram(void *arg, const uint8_t *ip, size_t len)
{
	struct got *g = arg;

	if (g->n >= sizeof(g->d) / sizeof(g->d[0])) {
		g->overflow++;
		return;
	}
	g->d[g->n].p = malloc(len + 1);
	if (g->d[g->n].p == NULL)
		return;
	memcpy(g->d[g->n].p, ip, len);
	g->d[g->n].len = len;
	g->n++;
}

/*
 * Payloads: FLUTE packets with EXT_NACI (a real sender's), then random
 * bytes of random sizes up to max, and the edge sizes 1 and max.
 */
static void
make_payloads(struct dg *pay, size_t n, size_t max)
{
	struct ftx_naci nc;
	struct ftx_pkt h;
	size_t i, j;
	int len;

	REQUIRE(ftx_naci_parse("318:7600:0:17702:EUTELSAT", &nc) == 0);
	for (i = 0; i < n; i++) {
		pay[i].len = i == 0 ? 1 : i == 1 ? max :
		    1 + (size_t)(rng() % max);
		pay[i].p = malloc(pay[i].len);
		REQUIRE(pay[i].p != NULL);
		for (j = 0; j < pay[i].len; j++)
			pay[i].p[j] = (uint8_t)(rng() >> 56);
		if (i % 3 != 2 || pay[i].len < FTX_MAX_HDR)
			continue;
		memset(&h, 0, sizeof(h));
		h.tsi = 1;
		h.toi = (uint32_t)i;
		h.esi = (uint32_t)i;
		h.naci = &nc;
		len = ftx_write_header(&h, pay[i].p, pay[i].len);
		CHECK(len > 0);
	}
}

static void
free_payloads(struct dg *pay, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(pay[i].p);
}

static void
group_of(int family, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(3937);
		inet_pton(AF_INET, "224.0.23.14", &s4->sin_addr);
	} else {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(3937);
		inet_pton(AF_INET6, "ff15::12d", &s6->sin6_addr);
	}
}

/* Every datagram back, in order, with the headers of the template. */
static void
check_back(const struct got *g, const struct dg *pay, size_t n,
    const struct ipudp *tpl)
{
	struct ipudp u;
	size_t i;

	CHECK_EQ_U(g->n, n);
	CHECK_EQ_U(g->overflow, 0);
	for (i = 0; i < n && i < g->n; i++) {
		REQUIRE(ipudp_parse(g->d[i].p, g->d[i].len, &u) == 0);
		CHECK_EQ_U(u.family, tpl->family);
		CHECK(memcmp(u.src, tpl->src, 16) == 0);
		CHECK(memcmp(u.dst, tpl->dst, 16) == 0);
		CHECK_EQ_U(u.sport, 3937);
		CHECK_EQ_U(u.dport, 3937);
		CHECK_EQ_U(u.ttl, tpl->ttl);
		CHECK_EQ_U(u.len, pay[i].len);
		CHECK(u.len == pay[i].len &&
		    memcmp(u.payload, pay[i].p, u.len) == 0);
	}
}

static uint8_t *
read_all(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *p;
	FILE *f;

	*len = 0;
	if (stat(path, &st) < 0 || (f = fopen(path, "rb")) == NULL)
		return NULL;
	p = malloc((size_t)st.st_size + 1);
	if (p != NULL)
		*len = fread(p, 1, (size_t)st.st_size, f);
	fclose(f);
	return p;
}

static void
decode_pcap(const uint8_t *b, size_t len, struct got *g, uint64_t *err)
{
	struct pcapf_rd r;
	struct pcapf_pkt pk;
	size_t off = 0, used;
	int rc;

	pcapf_rd_init(&r, err);
	g->ts_min = UINT64_MAX;
	while (off < len) {
		rc = pcapf_rd_next(&r, b + off, len - off, &used, &pk);
		if (rc <= 0)
			break;
		off += used;
		if (rc != 1)
			continue;
		on_datagram(g, pk.ip, pk.len);
		g->ts_min = pk.ts_ns < g->ts_min ? pk.ts_ns : g->ts_min;
		g->ts_max = pk.ts_ns > g->ts_max ? pk.ts_ns : g->ts_max;
	}
	CHECK_EQ_U(off, len);
}

/* Decode a whole file of format fmt into g; the error counters in err. */
static void
decode(enum nc_out_fmt fmt, const uint8_t *b, size_t len, struct got *g,
    uint64_t *err)
{
	struct decap_out out = { on_datagram, g, err };
	struct ts_demux_params tp;
	struct ts_demux *td;
	struct gse_demux *gd;

	memset(&tp, 0, sizeof(tp));
	if (fmt == NC_OUT_TS) {
		CHECK_EQ_U(len % TS_PACKET, 0);
		td = ts_demux_new(&tp, &out);
		REQUIRE(td != NULL);
		ts_demux_input(td, b, len);
		ts_demux_free(td);
	} else if (fmt == NC_OUT_GSE) {
		gd = gse_demux_new(&out);
		REQUIRE(gd != NULL);
		gse_demux_input(gd, b, len);
		gse_demux_free(gd);
	} else {
		decode_pcap(b, len, g, err);
	}
}

static uint64_t
wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
write_all(struct nc_out *o, const struct dg *pay, size_t n)
{
	struct iovec iov[2];
	size_t i, cut;

	for (i = 0; i < n; i++) {
		/* Two pieces, as the sender gathers header and symbol. */
		cut = (size_t)(rng() % (pay[i].len + 1));
		iov[0].iov_base = pay[i].p;
		iov[0].iov_len = cut;
		iov[1].iov_base = pay[i].p + cut;
		iov[1].iov_len = pay[i].len - cut;
		CHECK(nc_out_datagram(o, iov, 2) == 0);
		if (rng() % 16 == 0)
			CHECK(nc_out_flush(o) == 0);
	}
}

/* One format and family through a file, then back through a reader. */
static void
roundtrip(enum nc_out_fmt fmt, int family, const char *path)
{
	struct nc_out_opts oo;
	struct sockaddr_storage grp;
	struct dg pay[NDGRAM];
	uint64_t err[DECAP_NERR] = { 0 }, t0, t1;
	size_t len, max, i;
	struct ipudp tpl;
	struct nc_out *o;
	struct got *g;
	uint8_t *b;
	int fd;

	memset(&oo, 0, sizeof(oo));
	oo.fmt = fmt;
	oo.path = path;
	group_of(family, &grp);
	nc_out_ipudp(&oo, &grp, 7, &tpl);
	max = fmt == NC_OUT_TS ? NC_MPE_MAX - (family == AF_INET ? 28 : 48) :
	    PAYMAX;
	make_payloads(pay, NDGRAM, max);
	g = calloc(1, sizeof(*g));
	REQUIRE(g != NULL);
	fd = nc_out_open_file(path);
	REQUIRE(fd >= 0);
	o = nc_out_new(&oo, &tpl, fd, NULL);
	REQUIRE(o != NULL);
	t0 = wall_ns();
	write_all(o, pay, NDGRAM);
	CHECK(nc_out_free(o) == 0);
	t1 = wall_ns();
	close(fd);
	b = read_all(path, &len);
	REQUIRE(b != NULL);
	decode(fmt, b, len, g, err);
	check_back(g, pay, NDGRAM, &tpl);
	for (i = 0; i < DECAP_NERR; i++)
		if (err[i] != 0)
			fprintf(stderr, "  %s: %llu\n", decap_err_name((int)i),
			    (unsigned long long)err[i]);
	for (i = 0; i < DECAP_NERR; i++)
		CHECK_EQ_U(err[i], 0);
	if (fmt == NC_OUT_PCAP)
		CHECK(g->ts_min >= t0 / 1000 * 1000 && g->ts_max <= t1);
	free(b);
	got_free(g);
	free(g);
	free_payloads(pay, NDGRAM);
}

static char tmpdir[] = "/tmp/test_nipcast_out.XXXXXX";

static void
test_roundtrip(void)
{
	static const enum nc_out_fmt fmts[] = {
		NC_OUT_TS, NC_OUT_GSE, NC_OUT_PCAP
	};
	static const int fams[] = { AF_INET, AF_INET6 };
	char path[64];
	size_t i, j;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 2; j++) {
			snprintf(path, sizeof(path), "%s/out%zu%zu", tmpdir,
			    i, j);
			roundtrip(fmts[i], fams[j], path);
			unlink(path);
		}
}

/*
 * After each flush the file holds everything written so far, ending on
 * a TS packet or BBFrame boundary: a reader on a pipe is never starved.
 */
static void
test_flush_prompt(void)
{
	static const enum nc_out_fmt fmts[] = { NC_OUT_TS, NC_OUT_GSE };
	uint64_t err[DECAP_NERR] = { 0 };
	struct nc_out_opts oo;
	struct sockaddr_storage grp;
	struct dg pay[8];
	struct ipudp tpl;
	struct nc_out *o;
	struct got *g;
	struct iovec iov;
	char path[64];
	uint8_t *b;
	size_t i, k, len;
	int fd;

	group_of(AF_INET, &grp);
	for (k = 0; k < 2; k++) {
		memset(&oo, 0, sizeof(oo));
		oo.fmt = fmts[k];
		snprintf(path, sizeof(path), "%s/flush%zu", tmpdir, k);
		oo.path = path;
		nc_out_ipudp(&oo, &grp, 1, &tpl);
		make_payloads(pay, 8, 1400);
		fd = nc_out_open_file(path);
		REQUIRE(fd >= 0);
		o = nc_out_new(&oo, &tpl, fd, NULL);
		REQUIRE(o != NULL);
		for (i = 0; i < 8; i++) {
			iov.iov_base = pay[i].p;
			iov.iov_len = pay[i].len;
			CHECK(nc_out_datagram(o, &iov, 1) == 0);
			CHECK(nc_out_flush(o) == 0);
			b = read_all(path, &len);
			REQUIRE(b != NULL);
			g = calloc(1, sizeof(*g));
			REQUIRE(g != NULL);
			decode(oo.fmt, b, len, g, err);
			CHECK_EQ_U(g->n, i + 1);
			got_free(g);
			free(g);
			free(b);
		}
		CHECK(nc_out_free(o) == 0);
		close(fd);
		unlink(path);
		free_payloads(pay, 8);
	}
}

/*
 * ts:udp://: datagrams of whole TS packets, at most 7, nothing lost (the
 * socket is the caller's; nipcast connects it with nc_out_socket).
 */
static void
test_ts_udp(void)
{
	uint64_t err[DECAP_NERR] = { 0 };
	struct nc_out_opts oo;
	struct sockaddr_storage grp;
	struct dg pay[40];
	struct ipudp tpl;
	struct nc_out *o;
	struct got *g;
	uint8_t *all, dgram[2048];
	size_t len = 0, ndg = 0;
	ssize_t r;
	int sv[2], bufsz = 4 << 20;

	/* A loopback receiver; its socket buffer holds the whole test. */
	memset(&oo, 0, sizeof(oo));
	REQUIRE(nc_out_option(&oo, "output", "ts:udp://127.0.0.1:1") == 0);
	CHECK(oo.path == NULL && oo.udp.ss_family == AF_INET);
	sv[1] = socket(AF_INET, SOCK_DGRAM, 0);
	REQUIRE(sv[1] >= 0);
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	((struct sockaddr_in *)&oo.udp)->sin_port = 0;
	REQUIRE(bind(sv[1], (struct sockaddr *)&oo.udp, oo.udp_len) == 0);
	REQUIRE(getsockname(sv[1], (struct sockaddr *)&oo.udp,
	    &oo.udp_len) == 0);
	sv[0] = socket(AF_INET, SOCK_DGRAM, 0);
	REQUIRE(sv[0] >= 0);
	REQUIRE(connect(sv[0], (struct sockaddr *)&oo.udp, oo.udp_len) == 0);
	group_of(AF_INET, &grp);
	nc_out_ipudp(&oo, &grp, 3, &tpl);
	make_payloads(pay, 40, 1400);
	o = nc_out_new(&oo, &tpl, sv[0], NULL);
	REQUIRE(o != NULL);
	write_all(o, pay, 40);
	CHECK(nc_out_free(o) == 0);
	close(sv[0]);
	all = malloc(40 * 2048 * 2);
	g = calloc(1, sizeof(*g));
	REQUIRE(all != NULL && g != NULL);
	while ((r = recv(sv[1], dgram, sizeof(dgram), MSG_DONTWAIT)) > 0) {
		CHECK(r <= NC_TS_DGRAM && r % TS_PACKET == 0);
		memcpy(all + len, dgram, (size_t)r);
		len += (size_t)r;
		ndg++;
	}
	close(sv[1]);
	CHECK(ndg >= len / NC_TS_DGRAM);
	decode(NC_OUT_TS, all, len, g, err);
	check_back(g, pay, 40, &tpl);
	got_free(g);
	free(g);
	free(all);
	free_payloads(pay, 40);
}

/* A write that fails is reported with its errno, not swallowed. */
static void
test_write_errors(void)
{
	static const enum nc_out_fmt fmts[] = {
		NC_OUT_TS, NC_OUT_GSE, NC_OUT_PCAP
	};
	struct nc_out_opts oo;
	struct sockaddr_storage grp;
	uint8_t big[PAYMAX];
	struct iovec iov = { big, 1000 };
	struct ipudp tpl;
	struct nc_out *o;
	int p[2], fd, rc;
	size_t k;

	memset(big, 0x42, sizeof(big));
	group_of(AF_INET, &grp);
	signal(SIGPIPE, SIG_IGN);
	for (k = 0; k < 3; k++) {
		memset(&oo, 0, sizeof(oo));
		oo.fmt = fmts[k];
		oo.path = "-";
		nc_out_ipudp(&oo, &grp, 1, &tpl);
		REQUIRE(pipe(p) == 0);
		close(p[0]);
		o = nc_out_new(&oo, &tpl, p[1], NULL);
		REQUIRE(o != NULL);
		CHECK(nc_out_datagram(o, &iov, 1) == 0);
		errno = 0;
		CHECK(nc_out_flush(o) < 0 && errno == EPIPE);
		/* Bytes were lost: the error sticks. */
		errno = 0;
		CHECK(nc_out_datagram(o, &iov, 1) < 0 && errno == EPIPE);
		CHECK(nc_out_free(o) < 0);
		close(p[1]);
		fd = open("/dev/full", O_WRONLY);
		if (fd < 0)
			continue;
		o = nc_out_new(&oo, &tpl, fd, NULL);
		REQUIRE(o != NULL);
		CHECK(nc_out_datagram(o, &iov, 1) == 0);
		errno = 0;
		rc = nc_out_free(o);
		CHECK(rc < 0 && errno == ENOSPC);
		close(fd);
	}
	/* Only ts: goes to a socket; udp is not an nc_out format at all. */
	oo.fmt = NC_OUT_PCAP;
	oo.path = NULL;
	CHECK(nc_out_new(&oo, &tpl, 1, NULL) == NULL);
	oo.fmt = NC_OUT_UDP;
	oo.path = "-";
	CHECK(nc_out_new(&oo, &tpl, 1, NULL) == NULL);
}

/* Too big for one MPE section, or for UDP at all: EMSGSIZE, not a crash. */
static void
test_oversize(void)
{
	struct nc_out_opts oo;
	struct sockaddr_storage grp;
	static uint8_t big[PAYMAX];
	struct iovec v[8], iov = { big, 0 };
	struct ipudp tpl;
	struct nc_out *o;
	size_t i;
	int fd;

	group_of(AF_INET, &grp);
	memset(&oo, 0, sizeof(oo));
	oo.fmt = NC_OUT_TS;
	oo.path = "-";
	fd = open("/dev/null", O_WRONLY);
	REQUIRE(fd >= 0);
	nc_out_ipudp(&oo, &grp, 1, &tpl);
	o = nc_out_new(&oo, &tpl, fd, NULL);
	REQUIRE(o != NULL);
	iov.iov_len = NC_MPE_MAX - 28;
	CHECK(nc_out_datagram(o, &iov, 1) == 0);
	iov.iov_len++;
	errno = 0;
	CHECK(nc_out_datagram(o, &iov, 1) < 0 && errno == EMSGSIZE);
	CHECK(nc_out_free(o) == 0);
	oo.fmt = NC_OUT_GSE;
	o = nc_out_new(&oo, &tpl, fd, NULL);
	REQUIRE(o != NULL);
	for (i = 0; i < 8; i++) {
		v[i].iov_base = big;
		v[i].iov_len = PAYMAX;
	}
	errno = 0;
	CHECK(nc_out_datagram(o, v, 8) < 0 && errno == EMSGSIZE);
	/* The output is still usable afterwards. */
	CHECK(nc_out_datagram(o, v, 1) == 0);
	CHECK(nc_out_free(o) == 0);
	close(fd);
}

static void
test_options(void)
{
	static const struct {
		const char	*name, *arg;
		int		ok;
		enum nc_out_fmt	fmt;
	} t[] = {
		{ "output", "udp", 1, NC_OUT_UDP },
		{ "output", "ts:-", 1, NC_OUT_TS },
		{ "output", "ts:/tmp/a.ts", 1, NC_OUT_TS },
		{ "output", "ts:udp://10.0.0.2:1234", 1, NC_OUT_TS },
		{ "output", "ts:udp://[ff15::1]:5000", 1, NC_OUT_TS },
		{ "output", "gse:x.bb", 1, NC_OUT_GSE },
		{ "output", "pcap:-", 1, NC_OUT_PCAP },
		{ "output", "ts:", 0, 0 },
		{ "output", "pcap:", 0, 0 },
		{ "output", "gse:udp://1.2.3.4:5", 0, 0 },
		{ "output", "pcap:udp://1.2.3.4:5", 0, 0 },
		{ "output", "ts:udp://1.2.3.4", 0, 0 },
		{ "output", "ts:udp://1.2.3.4:0", 0, 0 },
		{ "output", "ts:udp://1.2.3.4:65536", 0, 0 },
		{ "output", "ts:udp://ff15::1:5000", 0, 0 },
		{ "output", "ts:udp://[1.2.3.4]:5", 0, 0 },
		{ "output", "ts:udp://host.example:5", 0, 0 },
		{ "output", "ts:udp://:5", 0, 0 },
		{ "output", "mpeg:x", 0, 0 },
		{ "output", "", 0, 0 },
		{ "source", "10.1.2.3", 1, 0 },
		{ "source", "2001:db8::5", 1, 0 },
		{ "source", "10.1.2", 0, 0 },
		{ "mpe-pid", "0x1ffe", 1, 0 },
		{ "mpe-pid", "4096", 1, 0 },
		{ "mpe-pid", "0x1fff", 0, 0 },
		{ "mpe-pid", "15", 0, 0 },
		{ "mpe-pid", "-1", 0, 0 },
		{ "pmt-pid", "0x30", 1, 0 },
		{ "pmt-pid", "0x30x", 0, 0 },
		{ "service-id", "17702", 1, 0 },
		{ "service-id", "0", 0, 0 },
		{ "tsid", "65535", 1, 0 },
		{ "tsid", "65536", 0, 0 },
		{ "gse-dfl", "7264", 1, 0 },
		{ "gse-dfl", "7265", 0, 0 },
		{ "gse-label", "3", 1, 0 },
		{ "gse-label", "4", 0, 0 },
		{ "no-such", "1", 0, 0 },
	};
	struct nc_out_opts oo;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&oo, 0, sizeof(oo));
		if (!t[i].ok) {
			CHECK(nc_out_option(&oo, t[i].name, t[i].arg) < 0);
			continue;
		}
		CHECK(nc_out_option(&oo, t[i].name, t[i].arg) == 0);
		CHECK_EQ_U(oo.fmt, t[i].fmt);
	}
	memset(&oo, 0, sizeof(oo));
	CHECK(nc_out_option(&oo, "gse-label", "0") == 0 &&
	    oo.gse.label_type == 2);
	CHECK(nc_out_option(&oo, "mpe-pid", "0x101") == 0 &&
	    oo.ts.pid == 0x101);
	CHECK(nc_out_check(&oo, AF_INET) == NULL);
	CHECK(nc_out_option(&oo, "pmt-pid", "257") == 0);
	CHECK(nc_out_check(&oo, AF_INET) != NULL);
	memset(&oo, 0, sizeof(oo));
	CHECK(nc_out_option(&oo, "mpe-pid", "0x20") == 0);
	CHECK(nc_out_check(&oo, AF_INET) != NULL);
	memset(&oo, 0, sizeof(oo));
	CHECK(nc_out_option(&oo, "source", "2001:db8::9") == 0);
	CHECK(nc_out_check(&oo, AF_INET) != NULL);
	CHECK(nc_out_check(&oo, AF_INET6) == NULL);
}

/* Documentation source addresses unless --source; ports and TTL. */
static void
test_ipudp_template(void)
{
	static const uint8_t doc6[16] = { 0x20, 0x01, 0x0d, 0xb8,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t src4[4] = { 10, 9, 8, 7 };
	struct sockaddr_storage grp;
	struct nc_out_opts oo;
	struct ipudp h;

	memset(&oo, 0, sizeof(oo));
	group_of(AF_INET, &grp);
	nc_out_ipudp(&oo, &grp, 5, &h);
	CHECK(h.family == AF_INET && h.ttl == 5 && h.dport == 3937);
	CHECK(h.src[0] == 192 && h.src[1] == 0 && h.src[2] == 2 &&
	    h.src[3] == 1);
	CHECK(h.dst[0] == 224 && h.dst[3] == 14);
	group_of(AF_INET6, &grp);
	nc_out_ipudp(&oo, &grp, 1, &h);
	CHECK(h.family == AF_INET6 && memcmp(h.src, doc6, 16) == 0);
	CHECK(h.dst[0] == 0xff && h.dst[15] == 0x2d);
	REQUIRE(nc_out_option(&oo, "source", "10.9.8.7") == 0);
	group_of(AF_INET, &grp);
	nc_out_ipudp(&oo, &grp, 1, &h);
	CHECK(memcmp(h.src, src4, 4) == 0);
}

/* ts: names its stream; EXT_NACI shrinks the default symbol for MTU. */
static void
test_finish(void)
{
	struct ftx_pkt data;
	struct nc_opts o;

	memset(&o, 0, sizeof(o));
	o.symbol_len = FTX_SYMBOL_LEN;
	group_of(AF_INET, &o.group);
	REQUIRE(nc_out_option(&o.out, "output", "ts:-") == 0);
	nc_out_finish(&o);
	CHECK(o.has_naci && o.naci.network == 1 && o.naci.service == 1);
	CHECK(o.naci.name_len == 7 && memcmp(o.naci.name, "nipcast", 7) == 0);
	CHECK_EQ_U(o.out.ts.service_id, 1);
	memset(&data, 0, sizeof(data));
	data.naci = &o.naci;
	CHECK(28 + ftx_header_len(&data) + o.symbol_len <= NC_MTU);
	/* A 64-byte name over IPv6 shrinks E; --service-id wins. */
	memset(&o, 0, sizeof(o));
	o.symbol_len = FTX_SYMBOL_LEN;
	group_of(AF_INET6, &o.group);
	REQUIRE(ftx_naci_parse("318:7600:0:17702:"
	    "0123456789012345678901234567890123456789012345678901234567890123",
	    &o.naci) == 0);
	o.has_naci = 1;
	REQUIRE(nc_out_option(&o.out, "output", "ts:-") == 0);
	nc_out_finish(&o);
	CHECK_EQ_U(o.out.ts.service_id, 17702);
	data.naci = &o.naci;
	CHECK_EQ_U(48 + ftx_header_len(&data) + o.symbol_len, NC_MTU);
	memset(&o.out, 0, sizeof(o.out));
	REQUIRE(nc_out_option(&o.out, "output", "ts:-") == 0);
	REQUIRE(nc_out_option(&o.out, "service-id", "5") == 0);
	o.symbol_len = 1000;
	nc_out_finish(&o);
	CHECK_EQ_U(o.out.ts.service_id, 5);
	CHECK_EQ_U(o.symbol_len, 1000);
	/* pcap, no --naci: nothing added. */
	memset(&o, 0, sizeof(o));
	o.symbol_len = FTX_SYMBOL_LEN;
	group_of(AF_INET, &o.group);
	REQUIRE(nc_out_option(&o.out, "output", "pcap:-") == 0);
	nc_out_finish(&o);
	CHECK(!o.has_naci && o.symbol_len == FTX_SYMBOL_LEN);
}

static void
test_setup(void)
{
	REQUIRE(mkdtemp(tmpdir) != NULL);
}

static void
test_teardown(void)
{
	CHECK(rmdir(tmpdir) == 0);
}

TEST_MAIN(TEST(test_setup), TEST(test_options), TEST(test_ipudp_template),
    TEST(test_finish), TEST(test_roundtrip), TEST(test_flush_prompt),
    TEST(test_ts_udp), TEST(test_write_errors), TEST(test_oversize),
    TEST(test_teardown))
