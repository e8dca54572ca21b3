/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_rx.c: rx_parse_src (table and seeded random strings), then the
 * receive thread for real: in a private network namespace (unshare, root)
 * with only lo up, FLUTE packets made by a tiny builder below go through
 * loopback multicast into rx and an in-memory sink.  Without the
 * namespace the multicast cases print SKIP and only the parser runs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "../../carousel/rx.h"
#include "../../daemon/util.h"

/* ------------------------------------------------------------------ */
/* rx_parse_src */

struct parse_case {
	const char	*s;
	int		rc;
	int		family;
	const char	*group;
	uint16_t	port;
	int		has_tsi;
	uint64_t	tsi;
	const char	*source;	/* NULL: no source */
};

static const struct parse_case parse_cases[] = {
	{ "224.0.23.14:3937", 0, AF_INET, "224.0.23.14", 3937, 0, 0, NULL },
	{ "224.0.23.14:3937/0", 0, AF_INET, "224.0.23.14", 3937, 1, 0, NULL },
	{ "224.0.0.0:1", 0, AF_INET, "224.0.0.0", 1, 0, 0, NULL },
	{ "239.255.255.255:65535/18446744073709551615@192.0.2.1", 0, AF_INET,
	  "239.255.255.255", 65535, 1, UINT64_MAX, "192.0.2.1" },
	{ "232.1.1.1:5000@10.0.0.1", 0, AF_INET, "232.1.1.1", 5000, 0, 0,
	  "10.0.0.1" },
	{ "224.0.49.5:49005/49006", 0, AF_INET, "224.0.49.5", 49005, 1, 49006,
	  NULL },
	{ "[ff15::1]:5000/2@[2001:db8::1]", 0, AF_INET6, "ff15::1", 5000, 1, 2,
	  "2001:db8::1" },
	{ "[ff02::12d]:3937/0", 0, AF_INET6, "ff02::12d", 3937, 1, 0, NULL },
	{ "[FF0E::1]:1@[::1]", 0, AF_INET6, "ff0e::1", 1, 0, 0, "::1" },
	{ "239.1.1.1:00080", 0, AF_INET, "239.1.1.1", 80, 0, 0, NULL },
	/* Hostile or malformed. */
	{ "", -1, 0, NULL, 0, 0, 0, NULL },
	{ ":", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:0", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:65536", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:99999", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:123456", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:-1", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:+5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1: 5", -1, 0, NULL, 0, 0, 0, NULL },
	{ " 224.0.0.1:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5 ", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5\n", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5x", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:0x10", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5:6", -1, 0, NULL, 0, 0, 0, NULL },
	{ "10.0.0.1:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "223.255.255.255:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "240.0.0.1:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "255.255.255.255:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1.5:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.256:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.01:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "2240.0.0.1:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1111111111111:5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "ff15::1:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[ff15::1]5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[ff15::1:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "ff15::1]:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[]:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[[ff15::1]]:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[224.0.0.1]:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[2001:db8::1]:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[::ffff:224.0.0.1]:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[ff15::1%lo]:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[ff15:::1]:5000", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[ff15::1]:5000/", -1, 0, NULL, 0, 0, 0, NULL },
	{ "/5", -1, 0, NULL, 0, 0, 0, NULL },
	{ "@10.0.0.1", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5/", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5/-1", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5/18446744073709551616", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5/99999999999999999999", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5/000000000000000000001", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5/3/4", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5/0x3", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5@", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5@224.0.0.2", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5@0.0.0.0", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5@255.255.255.255", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5@[2001:db8::1]", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[ff15::1]:5@10.0.0.1", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[ff15::1]:5@[::]", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[ff15::1]:5@[ff02::1]", -1, 0, NULL, 0, 0, 0, NULL },
	{ "[ff15::1]:5@2001:db8::1", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5@10.0.0.1/3", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5@10.0.0.1@10.0.0.2", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5@10.0.0.1:7", -1, 0, NULL, 0, 0, 0, NULL },
	{ "224.0.0.1:5@host.example", -1, 0, NULL, 0, 0, 0, NULL },
	{ "multicast:5", -1, 0, NULL, 0, 0, 0, NULL },
};

static void
check_parse_case(const struct parse_case *pc)
{
	struct carousel_src out, poison;
	uint8_t a[16];
	int rc;

	memset(&out, 0xa5, sizeof(out));
	memcpy(&poison, &out, sizeof(out));
	rc = rx_parse_src(pc->s, &out);
	if (rc != pc->rc)
		fprintf(stderr, "rx_parse_src(\"%s\") = %d\n", pc->s, rc);
	CHECK(rc == pc->rc);
	if (rc != 0 || pc->rc != 0) {
		if (rc != 0)
			CHECK(memcmp(&out, &poison, sizeof(out)) == 0);
		return;
	}
	CHECK(out.family == pc->family);
	memset(a, 0, sizeof(a));
	REQUIRE(inet_pton(pc->family, pc->group, a) == 1);
	CHECK(memcmp(out.group, a, 16) == 0);
	CHECK_EQ_U(out.port, pc->port);
	CHECK_EQ_U(out.has_tsi, pc->has_tsi);
	CHECK_EQ_U(out.tsi.lo, pc->tsi);
	CHECK_EQ_U(out.tsi.hi, 0);
	CHECK_EQ_U(out.has_source, pc->source != NULL);
	memset(a, 0, sizeof(a));
	if (pc->source != NULL)
		REQUIRE(inet_pton(pc->family, pc->source, a) == 1);
	CHECK(memcmp(out.source, a, 16) == 0);
}

static void
test_parse_table(void)
{
	char big[512];
	size_t i;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++)
		check_parse_case(&parse_cases[i]);
	CHECK(rx_parse_src(NULL, NULL) == -1);
	/* Longer than any valid spelling, valid prefix. */
	memset(big, '0', sizeof(big));
	memcpy(big, "224.0.0.1:5/", 12);
	big[sizeof(big) - 1] = '\0';
	CHECK(rx_parse_src(big, &(struct carousel_src){ 0 }) == -1);
	memset(big, 'f', sizeof(big));
	big[0] = '[';
	memcpy(big + 300, "]:5", 4);
	CHECK(rx_parse_src(big, &(struct carousel_src){ 0 }) == -1);
}

/* Print a parsed source back in the canonical spelling. */
static void
format_src(const struct carousel_src *c, char *buf, size_t len)
{
	char g[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN];
	int v6 = c->family == AF_INET6;
	int n;

	inet_ntop(c->family, c->group, g, sizeof(g));
	n = snprintf(buf, len, v6 ? "[%s]:%u" : "%s:%u", g, (unsigned)c->port);
	if (c->has_tsi)
		n += snprintf(buf + n, len - (size_t)n, "/%llu",
		    (unsigned long long)c->tsi.lo);
	if (c->has_source) {
		inet_ntop(c->family, c->source, s, sizeof(s));
		snprintf(buf + n, len - (size_t)n, v6 ? "@[%s]" : "@%s", s);
	}
}

/*
 * Seeded random strings over the grammar's alphabet: never a crash, and
 * anything accepted is a multicast group with a port that prints and
 * parses back to the same struct.
 */
static void
test_parse_random(void)
{
	static const char alpha[] = "0123456789.:[]/@fe2";
	const unsigned na = sizeof(alpha) - 1;
	static const char *seeds[] = { "239.1.2.3:5000/7@10.0.0.1",
	    "[ff15::1]:5000/2@[2001:db8::1]", "224.0.23.14:3937/0" };
	struct carousel_src a, b;
	char s[80], back[160];
	unsigned accepted = 0, bad = 0, i, j, len;

	srand(12345);
	for (i = 0; i < 50000; i++) {
		if (i % 2) {
			len = (unsigned)rand() % 60;
			for (j = 0; j < len; j++)
				s[j] = alpha[(unsigned)rand() % na];
			s[len] = '\0';
		} else {
			/* Mutate a valid spelling at one or two places. */
			util_strlcpy(s, seeds[i / 2 % 3], sizeof(s));
			len = (unsigned)strlen(s);
			for (j = 0; j < 1 + (unsigned)rand() % 2; j++)
				s[(unsigned)rand() % len] =
				    alpha[(unsigned)rand() % na];
		}
		if (rx_parse_src(s, &a) != 0)
			continue;
		accepted++;
		format_src(&a, back, sizeof(back));
		memset(&b, 0, sizeof(b));
		if (a.port == 0 || rx_parse_src(back, &b) != 0 ||
		    memcmp(&a, &b, sizeof(a)) != 0) {
			fprintf(stderr, "round trip \"%s\" -> \"%s\"\n", s,
			    back);
			bad++;
		}
	}
	CHECK(accepted > 100);
	CHECK_EQ_U(bad, 0);
}

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
	NULL, mem_begin, mem_write, mem_commit, mem_abort, NULL, NULL
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

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

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
/* Network namespace and the multicast cases. */

static int have_netns;
static uint8_t obj_a[5000], obj_b[3000], obj_c[7000], obj_d[6000];

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
test_netns_setup(void)
{
	struct in_addr lo;
	size_t i;

	if (unshare(CLONE_NEWNET) == -1) {
		fprintf(stderr, "SKIP: multicast tests: unshare(CLONE_NEWNET)"
		    ": %s (needs root)\n", strerror(errno));
		return;
	}
	REQUIRE(if_set_up("lo") == 0);
	tx_fd = socket(AF_INET, SOCK_DGRAM, 0);
	REQUIRE(tx_fd != -1);
	inet_pton(AF_INET, "127.0.0.1", &lo);
	REQUIRE(setsockopt(tx_fd, IPPROTO_IP, IP_MULTICAST_IF, &lo,
	    sizeof(lo)) == 0);
	srand(777);
	for (i = 0; i < sizeof(obj_a); i++)
		obj_a[i] = (uint8_t)rand();
	for (i = 0; i < sizeof(obj_b); i++)
		obj_b[i] = (uint8_t)rand();
	for (i = 0; i < sizeof(obj_c); i++)
		obj_c[i] = (uint8_t)rand();
	for (i = 0; i < sizeof(obj_d); i++)
		obj_d[i] = (uint8_t)rand();
	have_netns = 1;
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

static const char *const specs1[] = {
	"239.1.2.3:5000/7",		/* any source, TSI 7 */
	"239.1.2.3:5000/8@127.0.0.2",	/* same socket: TSI 8 from .2 only */
	"239.1.2.4:5001/9@127.0.0.1",	/* source-specific join */
};

/* Reception, filters, bad packets and unjoined groups. */
static void
test_mcast_receive(void)
{
	struct rx_stats st;
	uint8_t pkt[16384];
	struct tx_hdr h = { 7, 1, -1, 100, 0, 0 };
	uint64_t d0;
	int ok;

	if (!have_netns)
		return;
	REQUIRE(start_rx("127.0.0.1", specs1, 3) == 0);
	WAIT_UNTIL(ok, rx_ready(), 2000);
	REQUIRE(ok);
	WAIT_UNTIL(ok, stats().sockets == 2, 1000);
	CHECK(ok);
	CHECK(stats().rcvbuf > 0);

	send_object("239.1.2.3", 5000, 7, 1, "http://t/a", obj_a,
	    sizeof(obj_a));
	check_commit(0, "239.1.2.3", 5000, 7, 1, "http://t/a", obj_a,
	    sizeof(obj_a));
	send_object("239.1.2.4", 5001, 9, 3, "b.bin", obj_b, sizeof(obj_b));
	check_commit(1, "239.1.2.4", 5001, 9, 3, "b.bin", obj_b,
	    sizeof(obj_b));

	/* Wrong TSI, and TSI 8 from a source that is not 127.0.0.2. */
	h.tsi = 99;
	tx_send("239.1.2.3", 5000, pkt, build_pkt(pkt, &h, obj_a, 100));
	h.tsi = 8;
	tx_send("239.1.2.3", 5000, pkt, build_pkt(pkt, &h, obj_a, 100));
	WAIT_UNTIL(ok, stats().filtered == 2, 1000);
	CHECK(ok);

	/* Garbage: too short, wrong version, bigger than a slot. */
	CHECK(fence("239.1.2.3", 5000));
	h.tsi = 7;
	build_pkt(pkt, &h, obj_a, 100);
	pkt[0] = 0x20;
	tx_send("239.1.2.3", 5000, pkt, 136);
	memset(pkt, 0, sizeof(pkt));
	tx_send("239.1.2.4", 5001, pkt, RX_SLOT_BYTES + 1);
	WAIT_UNTIL(ok, (st = stats(), st.bad_packets[-ALC_ETRUNC] == 1 &&
	    st.bad_packets[-ALC_EVERSION] == 1 &&
	    st.bad_packets[RX_BAD_OVERSIZE] == 1), 1000);
	CHECK(ok);

	/* Not joined: another group, another port; then a fence. */
	CHECK(fence("239.1.2.4", 5001));
	CHECK(fence("239.1.2.3", 5000));
	d0 = stats().datagrams;
	h.toi = 2;
	tx_send("239.1.2.5", 5000, pkt, build_pkt(pkt, &h, obj_a, 100));
	tx_send("239.1.2.3", 5002, pkt, build_pkt(pkt, &h, obj_a, 100));
	tx_send("239.1.2.4", 5000, pkt, build_pkt(pkt, &h, obj_a, 100));
	CHECK(fence("239.1.2.3", 5000));
	st = stats();
	CHECK_EQ_U(st.datagrams, d0 + 1);
	CHECK_EQ_U(st.kernel_drops, 0);
	CHECK_EQ_U(st.reasm.objects_completed, 2);
	CHECK(st.bytes > sizeof(obj_a) + sizeof(obj_b));
	CHECK_EQ_U(mem_count(&mem.writes_bad), 0);
}

/* A failed verdict makes the next carousel cycle be received again. */
static void
test_mcast_commit_result(void)
{
	struct commit_rec r;
	int ok;

	if (!have_netns)
		return;
	REQUIRE(mem_commit_get(0, &r) == 0);
	/* A repeat of a committed object is ignored... */
	send_object("239.1.2.3", 5000, 7, 1, "http://t/a", obj_a,
	    sizeof(obj_a));
	CHECK(fence("239.1.2.3", 5000));
	CHECK_EQ_U(mem_count(&mem.ncommits), 2);
	/* ...until the daemon reports that it failed. */
	rx_commit_result(&r.key, OBJ_EIO);
	WAIT_UNTIL(ok, stats().reasm.objects_commit_failed == 1, 1000);
	CHECK(ok);
	send_object("239.1.2.3", 5000, 7, 1, "http://t/a", obj_a,
	    sizeof(obj_a));
	check_commit(2, "239.1.2.3", 5000, 7, 1, "http://t/a", obj_a,
	    sizeof(obj_a));
}

/*
 * SIGHUP: keep 239.1.2.3:5000 (its half-received object survives),
 * drop 239.1.2.4:5001, add 239.1.2.6:5003.
 */
static void
test_mcast_set_sources(void)
{
	static const char *const specs2[] = { "239.1.2.3:5000/7",
	    "239.1.2.6:5003" };
	struct carousel_src srcs[2];
	uint64_t d0;
	int ok;

	if (!have_netns)
		return;
	send_fdt("239.1.2.3", 5000, 7, 4, "http://t/d", sizeof(obj_d));
	send_data("239.1.2.3", 5000, 7, 4, obj_d, sizeof(obj_d), 0, 2);
	WAIT_UNTIL(ok, stats().reasm.objects_now == 1, 1000);
	CHECK(ok);
	parse_list(specs2, 2, srcs);
	REQUIRE(rx_set_sources(srcs, 2) == 0);
	WAIT_UNTIL(ok, rx_ready() && stats().sockets == 2, 2000);
	REQUIRE(ok);
	send_data("239.1.2.3", 5000, 7, 4, obj_d, sizeof(obj_d), 2, 64);
	check_commit(3, "239.1.2.3", 5000, 7, 4, "http://t/d", obj_d,
	    sizeof(obj_d));
	send_object("239.1.2.6", 5003, 11, 5, "c", obj_c, sizeof(obj_c));
	check_commit(4, "239.1.2.6", 5003, 11, 5, "c", obj_c, sizeof(obj_c));
	/* The dropped channel is left. */
	CHECK(fence("239.1.2.6", 5003));
	d0 = stats().datagrams;
	send_object("239.1.2.4", 5001, 9, 6, "b2", obj_b, sizeof(obj_b));
	CHECK(fence("239.1.2.6", 5003));
	CHECK_EQ_U(stats().datagrams, d0 + 1);
	CHECK_EQ_U(mem_count(&mem.ncommits), 5);
}

/* rx_stop aborts what is staged and leaves everything. */
static void
test_mcast_stop(void)
{
	struct rx_stats st;
	unsigned b0;
	int ok;

	if (!have_netns)
		return;
	b0 = mem_count(&mem.begins);
	send_fdt("239.1.2.6", 5003, 11, 6, "partial", sizeof(obj_c));
	send_data("239.1.2.6", 5003, 11, 6, obj_c, sizeof(obj_c), 0, 1);
	WAIT_UNTIL(ok, mem_count(&mem.begins) == b0 + 1, 1000);
	CHECK(ok);
	CHECK_EQ_U(mem_count(&mem.aborts), 0);
	rx_stop();
	CHECK_EQ_U(mem_count(&mem.aborts), 1);
	CHECK(rx_ready() == 0);
	rx_get_stats(&st);
	CHECK_EQ_U(st.sockets, 0);
	CHECK(st.datagrams > 0);
	/* Calls after the stop are harmless. */
	rx_stop();
	CHECK(rx_set_sources(NULL, 0) == -1);
	rx_commit_result(&(struct obj_key){ 0 }, OBJ_OK);
	mem_reset();
}

/*
 * An interface address that does not exist yet: not fatal, retried, and
 * joined once the address appears.
 */
static void
test_join_retry(void)
{
	static const char *const specs[] = { "239.1.2.7:5007" };
	struct rx_stats st;
	int ok;

	if (!have_netns)
		return;
	REQUIRE(start_rx("10.9.8.7", specs, 1) == 0);
	st = stats();
	CHECK(rx_ready() == 0);
	CHECK_EQ_U(st.sockets, 0);
	CHECK(st.join_failures >= 1);
	REQUIRE(lo_add_addr("lo:1", "10.9.8.7") == 0);
	WAIT_UNTIL(ok, rx_ready(), 3000);
	CHECK(ok);
	CHECK(fence("239.1.2.7", 5007));
	rx_stop();
}

/*
 * Joins by interface name: IPv4 any-source (ip_mreqn ifindex) and
 * source-specific (MCAST_JOIN_SOURCE_GROUP), IPv6 both ways (joins only:
 * a bare namespace has no IPv6 multicast route to send with).
 */
static void
test_join_by_name(void)
{
	static const char *const specs[] = { "239.1.2.8:5008",
	    "239.1.2.9:5009/1@127.0.0.1", "[ff15::1]:5000/1",
	    "[ff15::2]:5001@[::1]", "239.1.2.8:5008/3@127.0.0.9" };
	uint8_t pkt[256];
	struct tx_hdr h = { 1, 1, -1, 100, 0, 0 };
	int ok;

	if (!have_netns)
		return;
	REQUIRE(start_rx("lo", specs, 5) == 0);
	WAIT_UNTIL(ok, rx_ready(), 2000);
	CHECK(ok);
	CHECK_EQ_U(stats().sockets, 4);
	tx_send("239.1.2.8", 5008, pkt, build_pkt(pkt, &h, obj_a, 100));
	tx_send("239.1.2.9", 5009, pkt, build_pkt(pkt, &h, obj_a, 100));
	WAIT_UNTIL(ok, stats().datagrams == 2, 1000);
	CHECK(ok);
	CHECK_EQ_U(stats().filtered, 0);
	rx_stop();
	mem_reset();
}

/* A missing interface name is retried, never fatal. */
static void
test_missing_interface(void)
{
	static const char *const specs[] = { "239.1.2.10:5010" };
	struct carousel_src none[1];
	int ok;

	if (!have_netns)
		return;
	REQUIRE(start_rx("nosuch0", specs, 1) == 0);
	CHECK(rx_ready() == 0);
	CHECK(stats().join_failures >= 1);
	/* An empty source list is trivially ready. */
	REQUIRE(rx_set_sources(none, 0) == 0);
	WAIT_UNTIL(ok, rx_ready(), 1000);
	CHECK(ok);
	rx_stop();
}

/*
 * SO_RXQ_OVFL: flood a tiny receive buffer; every datagram sent is then
 * either received or counted as a kernel drop.  The drop counter rides on
 * the next datagram queued, so trailing small ones are sent until the
 * sums meet.
 */
static void
test_kernel_drops(void)
{
	static const char *const specs[] = { "239.1.2.11:5011/1" };
	static uint8_t pkt[8000];
	struct tx_hdr h = { 99, 1, -1, sizeof(obj_d), 0, 0 };
	struct mmsghdr mm[64];
	struct sockaddr_in sin;
	struct iovec iov;
	struct rx_stats st;
	uint64_t sent = 0;
	int ok = 0, i;

	if (!have_netns)
		return;
	memset(&st, 0, sizeof(st));
	REQUIRE(start_rx_rcvbuf("127.0.0.1", specs, 1, 4096) == 0);
	WAIT_UNTIL(ok, rx_ready(), 2000);
	REQUIRE(ok);
	/* Bursts of datagrams, each near the whole buffer. */
	iov.iov_base = pkt;
	iov.iov_len = build_pkt(pkt, &h, obj_d, sizeof(obj_d));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(5011);
	inet_pton(AF_INET, "239.1.2.11", &sin.sin_addr);
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < 64; i++) {
		mm[i].msg_hdr.msg_iov = &iov;
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &sin;
		mm[i].msg_hdr.msg_namelen = sizeof(sin);
	}
	for (i = 0; i < 50; i++) {
		int n = sendmmsg(tx_fd, mm, 64, 0);

		REQUIRE(n > 0);
		sent += (uint64_t)n;
	}
	ok = 0;
	for (i = 0; i < 20 && !ok; i++) {
		tx_send("239.1.2.11", 5011, "xyz", 3);
		sent++;
		WAIT_UNTIL(ok, (st = stats(),
		    st.datagrams + st.kernel_drops == sent), 250);
	}
	CHECK(ok);
	CHECK(st.kernel_drops > 0);
	CHECK_EQ_U(st.filtered + st.bad_packets[-ALC_ETRUNC], st.datagrams);
	rx_stop();
}

TEST_MAIN(TEST(test_parse_table), TEST(test_parse_random),
    TEST(test_netns_setup), TEST(test_mcast_receive),
    TEST(test_mcast_commit_result), TEST(test_mcast_set_sources),
    TEST(test_mcast_stop), TEST(test_join_retry), TEST(test_join_by_name),
    TEST(test_missing_interface), TEST(test_kernel_drops))
