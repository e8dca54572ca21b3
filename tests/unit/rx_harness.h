/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rx_harness.h: the fixture of the receive thread tests (test_rx.c): an
 * in-memory sink shared between the rx thread and the test thread, a
 * minimal FLUTE sender over a UDP socket, the loopback set-up of a private
 * network namespace, and rx started on a list of source spellings.
 *
 * Everything is static: each test binary includes this header once.  A
 * helper that some includer does not call must be marked
 * __attribute__((unused)), or that file fails -Wunused-function under
 * -Werror.
 */
#ifndef NIPCACHE_RX_HARNESS_H
#define NIPCACHE_RX_HARNESS_H

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "testutil.h"
#include "../../carousel/rx.h"
#include "../../daemon/util.h"

/* ------------------------------------------------------------------ */
/* In-memory sink, shared between the rx thread and the test thread. */

struct mem_obj {
	struct obj_key	key;
	uint8_t		*buf;
	uint64_t	len;
};

struct commit_rec {
	struct obj_key	key;
	char		location[128];
	uint8_t		*data;
	uint64_t	len;
};

#define MAX_COMMITS	32

static struct {
	pthread_mutex_t	lock;
	unsigned	begins, aborts, writes_bad;
	unsigned	ncommits;
	struct commit_rec commits[MAX_COMMITS];
} mem = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void *
mem_begin(void *ctx, const struct obj_key *key, uint64_t len)
{
	struct mem_obj *o;

	(void)ctx;
	if (len > (1u << 20) || (o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	o->key = *key;
	o->len = len;
	if ((o->buf = calloc(1, len ? len : 1)) == NULL) {
		free(o);
		return NULL;
	}
	pthread_mutex_lock(&mem.lock);
	mem.begins++;
	pthread_mutex_unlock(&mem.lock);
	return o;
}

static int
mem_write(void *ctx, void *h, uint64_t off, const void *buf, size_t len)
{
	struct mem_obj *o = h;

	(void)ctx;
	if (off > o->len || len > o->len - off) {
		pthread_mutex_lock(&mem.lock);
		mem.writes_bad++;
		pthread_mutex_unlock(&mem.lock);
		return -1;
	}
	memcpy(o->buf + off, buf, len);
	return 0;
}

static void
mem_commit(void *ctx, void *h, const struct obj_meta *meta)
{
	struct mem_obj *o = h;
	struct commit_rec *r;

	(void)ctx;
	pthread_mutex_lock(&mem.lock);
	if (mem.ncommits < MAX_COMMITS) {
		r = &mem.commits[mem.ncommits++];
		r->key = meta->key;
		util_strlcpy(r->location, meta->location ? meta->location : "",
		    sizeof(r->location));
		r->data = o->buf;
		r->len = o->len;
		o->buf = NULL;
	}
	pthread_mutex_unlock(&mem.lock);
	free(o->buf);
	free(o);
}

static void
mem_abort(void *ctx, void *h, enum obj_abort_reason why)
{
	struct mem_obj *o = h;

	(void)ctx;
	(void)why;
	pthread_mutex_lock(&mem.lock);
	mem.aborts++;
	pthread_mutex_unlock(&mem.lock);
	free(o->buf);
	free(o);
}

static const struct obj_sink mem_sink = {
	NULL, mem_begin, mem_write, mem_commit, mem_abort, NULL, NULL, NULL,
	NULL
};

static unsigned
mem_count(const unsigned *field)
{
	unsigned v;

	pthread_mutex_lock(&mem.lock);
	v = *field;
	pthread_mutex_unlock(&mem.lock);
	return v;
}

static void
mem_reset(void)
{
	unsigned i;

	pthread_mutex_lock(&mem.lock);
	for (i = 0; i < mem.ncommits; i++)
		free(mem.commits[i].data);
	mem.ncommits = mem.begins = mem.aborts = mem.writes_bad = 0;
	pthread_mutex_unlock(&mem.lock);
}

/* Copy commit i out (data pointer stays owned by mem). 0 or -1. */
static int
mem_commit_get(unsigned i, struct commit_rec *out)
{
	int rc = -1;

	pthread_mutex_lock(&mem.lock);
	if (i < mem.ncommits) {
		*out = mem.commits[i];
		rc = 0;
	}
	pthread_mutex_unlock(&mem.lock);
	return rc;
}

/* Poll cond every 5 ms for at most ms; ok is set to its last value. */
#define WAIT_UNTIL(ok, cond, ms) do {					\
	uint64_t dl_ = util_now_ms() + (ms);				\
	while (!((ok) = (cond)) && util_now_ms() < dl_)		\
		poll(NULL, 0, 5);					\
} while (0)

static struct rx_stats
stats(void)
{
	struct rx_stats st;

	rx_get_stats(&st);
	return st;
}

static uint64_t nfences;	/* fences sent since start_rx() */
static void tx_send(const char *, uint16_t, const void *, size_t);

/*
 * Send a datagram too short for an LCT header (ALC_ETRUNC) and wait until
 * the published counters show it: everything sent before it on the same
 * socket has then been counted too.  1 if it arrived.
 */
static int
fence(const char *group, uint16_t port)
{
	int ok;

	tx_send(group, port, "xyz", 3);
	nfences++;
	WAIT_UNTIL(ok, stats().bad_packets[-ALC_ETRUNC] == nfences, 1000);
	return ok;
}

/* ------------------------------------------------------------------ */
/* A minimal FLUTE sender: LCT header, EXT_FDT, EXT_FTI, SBN16|ESI16. */

#define SYM_LEN		1428
#define MAX_SBL		64

struct tx_hdr {
	uint32_t	tsi, toi;
	int		fdt_instance;	/* -1: no EXT_FDT */
	uint64_t	len;		/* EXT_FTI transfer length */
	uint16_t	sbn, esi;
};

static size_t
build_pkt(uint8_t *buf, const struct tx_hdr *h, const void *pl, size_t n)
{
	size_t hl = 16 + (h->fdt_instance >= 0 ? 4 : 0) + 16;
	uint8_t *p = buf;

	p[0] = 0x10;			/* V=1 C=0 PSI=0 */
	p[1] = 0xa0;			/* S=1 O=1 H=0 */
	p[2] = (uint8_t)(hl / 4);
	p[3] = 0;			/* CP = FEI 0 */
	put32(p + 4, 0);		/* CCI */
	put32(p + 8, h->tsi);
	put32(p + 12, h->toi);
	p += 16;
	if (h->fdt_instance >= 0) {
		put32(p, 0xc0000000u | 1u << 20 | (uint32_t)h->fdt_instance);
		p += 4;
	}
	p[0] = 64;			/* EXT_FTI, HEL 4 */
	p[1] = 4;
	put16(p + 2, (uint32_t)(h->len >> 32));
	put32(p + 4, (uint32_t)h->len);
	put16(p + 8, 0);
	put16(p + 10, SYM_LEN);
	put32(p + 12, MAX_SBL);
	p += 16;
	put16(p, h->sbn);
	put16(p + 2, h->esi);
	p += 4;
	memcpy(p, pl, n);
	return (size_t)(p - buf) + n;
}

static int tx_fd = -1;

static void
tx_send(const char *group, uint16_t port, const void *buf, size_t len)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	inet_pton(AF_INET, group, &sin.sin_addr);
	if (sendto(tx_fd, buf, len, 0, (struct sockaddr *)&sin,
	    sizeof(sin)) != (ssize_t)len)
		fprintf(stderr, "sendto %s:%u: %s\n", group, port,
		    strerror(errno));
}

/* The FDT instance announcing one object on toi. */
static void
send_fdt(const char *group, uint16_t port, uint32_t tsi, uint32_t toi,
    const char *location, size_t len)
{
	struct tx_hdr h = { tsi, 0, (int)toi, 0, 0, 0 };
	uint32_t expires = (uint32_t)(time(NULL) + 2208988800LL + 3600);
	uint8_t pkt[2048];
	char xml[1024];
	int n;

	n = snprintf(xml, sizeof(xml),
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<FDT-Instance xmlns=\"urn:IETF:metadata:2005:FLUTE:FDT\" "
	    "Expires=\"%u\">\n<File TOI=\"%u\" Content-Location=\"%s\" "
	    "Content-Length=\"%zu\" Transfer-Length=\"%zu\" "
	    "Content-Type=\"application/octet-stream\" "
	    "FEC-OTI-FEC-Encoding-ID=\"0\" "
	    "FEC-OTI-Maximum-Source-Block-Length=\"%d\" "
	    "FEC-OTI-Encoding-Symbol-Length=\"%d\"/>\n</FDT-Instance>\n",
	    expires, toi, location, len, len, MAX_SBL, SYM_LEN);
	h.len = (uint64_t)n;
	tx_send(group, port, pkt, build_pkt(pkt, &h, xml, (size_t)n));
}

/* Data packets [first, last) of an object, one symbol each. */
static void
send_data(const char *group, uint16_t port, uint32_t tsi, uint32_t toi,
    const uint8_t *data, size_t len, unsigned first, unsigned last)
{
	struct tx_hdr h = { tsi, toi, -1, len, 0, 0 };
	uint8_t pkt[2048];
	unsigned i;
	size_t off, n;

	for (i = first; i < last && (off = (size_t)i * SYM_LEN) < len; i++) {
		n = len - off < SYM_LEN ? len - off : SYM_LEN;
		h.esi = (uint16_t)i;	/* objects here fit one block */
		tx_send(group, port, pkt, build_pkt(pkt, &h, data + off, n));
	}
}

static void
send_object(const char *group, uint16_t port, uint32_t tsi, uint32_t toi,
    const char *location, const uint8_t *data, size_t len)
{
	send_fdt(group, port, tsi, toi, location, len);
	send_data(group, port, tsi, toi, data, len, 0, 64);
}

/* ------------------------------------------------------------------ */
/* Interfaces in the test namespace, and rx started on source spellings. */

static int
if_set_up(const char *name)
{
	struct ifreq ifr;
	int fd, rc = -1;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	util_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

/* Add an IPv4 address to lo under an alias label. */
static int
lo_add_addr(const char *label, const char *addr)
{
	struct sockaddr_in sin;
	struct ifreq ifr;
	int fd, rc;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	util_strlcpy(ifr.ifr_name, label, sizeof(ifr.ifr_name));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin.sin_addr);
	memcpy(&ifr.ifr_addr, &sin, sizeof(sin));
	rc = ioctl(fd, SIOCSIFADDR, &ifr);
	close(fd);
	return rc;
}

static void
parse_list(const char *const *specs, size_t n, struct carousel_src *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rx_parse_src(specs[i], &out[i]) != 0)
			fprintf(stderr, "bad spec %s\n", specs[i]);
}

static int
start_rx_rcvbuf(const char *ifname, const char *const *specs, size_t n,
    uint32_t rcvbuf)
{
	struct carousel_src srcs[8];
	struct rx_params p;

	memset(&p, 0, sizeof(p));
	util_strlcpy(p.interface, ifname, sizeof(p.interface));
	p.batch = 16;
	p.rcvbuf = rcvbuf;
	parse_list(specs, n, srcs);
	nfences = 0;
	return rx_start(&p, srcs, n, &mem_sink);
}

static int
start_rx(const char *ifname, const char *const *specs, size_t n)
{
	return start_rx_rcvbuf(ifname, specs, n, 0);
}

/* Wait for commit number idx and compare it with the expected object. */
static void
check_commit(unsigned idx, const char *group, uint16_t port, uint32_t tsi,
    uint32_t toi, const char *loc, const uint8_t *data, size_t len)
{
	struct commit_rec r;
	uint8_t g[4], lo[4];
	int ok;

	WAIT_UNTIL(ok, mem_count(&mem.ncommits) > idx, 2000);
	REQUIRE(ok);
	REQUIRE(mem_commit_get(idx, &r) == 0);
	inet_pton(AF_INET, group, g);
	inet_pton(AF_INET, "127.0.0.1", lo);
	CHECK(r.key.family == AF_INET);
	CHECK(memcmp(r.key.dst, g, 4) == 0);
	CHECK(memcmp(r.key.src, lo, 4) == 0);
	CHECK_EQ_U(r.key.port, port);
	CHECK_EQ_U(r.key.tsi.lo, tsi);
	CHECK_EQ_U(r.key.toi.lo, toi);
	CHECK(strcmp(r.location, loc) == 0);
	CHECK_EQ_U(r.len, len);
	CHECK(r.len == len && memcmp(r.data, data, len) == 0);
}

#endif
