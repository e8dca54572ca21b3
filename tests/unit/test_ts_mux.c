/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ts_mux.c: the MPE transport stream writer, read back by a small
 * strict checker of its own (own CRC, own section reassembly, own MAC
 * rule): sync bytes, continuity counters, PAT and PMT, pointer_field
 * placement, section CRCs and that the datagrams come back in order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../carousel/ts.h"
#include "test.h"
#include "testutil.h"

#define PKT		188
#define PL		184
#define MAX_DGRAMS	4096

/* What the writer callback was given. */
struct cap {
	uint8_t		*buf;
	size_t		 len;
	size_t		 size;
	size_t		 calls;
	size_t		 max_batch;	/* packets */
	int		 bad_len;	/* a batch not a multiple of 188 */
	int		 fail_at;	/* call number that fails, 0 never */
};

static int
cap_write(void *arg, const uint8_t *ts, size_t len)
{
	struct cap *c = arg;

	c->calls++;
	if (c->fail_at != 0 && (int)c->calls >= c->fail_at)
		return -1;
	if (len == 0 || len % PKT != 0)
		c->bad_len = 1;
	if (len / PKT > c->max_batch)
		c->max_batch = len / PKT;
	if (c->len + len > c->size) {
		c->size = (c->len + len) * 2;
		c->buf = realloc(c->buf, c->size);
		if (c->buf == NULL)
			abort();
	}
	memcpy(c->buf + c->len, ts, len);
	c->len += len;
	return 0;
}

/* Bitwise MPEG-2 CRC-32, independent of the table in decap.c. */
static uint32_t
ck_crc32(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		crc ^= (uint32_t)p[i] << 24;
		for (k = 0; k < 8; k++)
			crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04c11db7u :
			    crc << 1;
	}
	return crc;
}

/* The MAC RFC 1112 / RFC 2464 give a datagram's destination. */
static void
ck_mac(const uint8_t *ip, size_t len, uint8_t mac[6])
{
	static const uint8_t uni[6] = { 2, 0, 0, 0, 0, 1 };

	memcpy(mac, uni, 6);
	if ((ip[0] >> 4) == 4 && len >= 20 && ip[16] >= 224 && ip[16] < 240) {
		mac[0] = 0x01;
		mac[1] = 0x00;
		mac[2] = 0x5e;
		mac[3] = ip[17] & 0x7f;
		mac[4] = ip[18];
		mac[5] = ip[19];
	} else if ((ip[0] >> 4) == 6 && len >= 40 && ip[24] == 0xff) {
		mac[0] = mac[1] = 0x33;
		memcpy(mac + 2, ip + 36, 4);
	}
}

struct got {
	uint8_t		*ip;
	size_t		 len;
	uint8_t		 mac[6];
};

/* The checker: what the stream must be, and what it carried. */
struct tsck {
	uint16_t	 pid, pmt_pid, sid, tsid;
	int		 last_cc[8192];
	size_t		 npkt;
	int		 errors;
	uint8_t		 sec[4200];
	size_t		 sec_len;
	struct got	 got[MAX_DGRAMS];
	size_t		 ngot;
	size_t		 want_gap;	/* packets from PAT to PAT, 0 any */
	size_t		 last_pat;	/* packet index */
	size_t		 npat, npmt;
	unsigned	 prev_pid;
	size_t		 stuff_mid;	/* 0xFF after a section, no PUSI */
	size_t		 hdr_split;	/* section header cut by a packet */
	size_t		 multi_start;	/* packets where 2+ sections start */
};

#define CK_ERR(c, ...) do {						\
	if ((c)->errors++ < 5) {					\
		fprintf(stderr, "ts checker, packet %zu: ",		\
		    (c)->npkt);						\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

static size_t ck_want_gap;

static void
ck_init(struct tsck *c, uint16_t pid, uint16_t pmt_pid, uint16_t sid,
    uint16_t tsid)
{
	memset(c, 0, sizeof(*c));
	c->pid = pid;
	c->pmt_pid = pmt_pid;
	c->sid = sid;
	c->tsid = tsid;
	c->want_gap = ck_want_gap;
	memset(c->last_cc, 0xff, sizeof(c->last_cc));
}

static void
ck_free(struct tsck *c)
{
	size_t i;

	for (i = 0; i < c->ngot; i++)
		free(c->got[i].ip);
}

static unsigned
be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Long-form PSI header checks shared by PAT and PMT; total length. */
static size_t
ck_psi(struct tsck *c, const uint8_t *s, size_t avail, uint8_t table,
    unsigned id)
{
	size_t total = 3 + (be16(s + 1) & 0x0fff);

	if (s[0] != table || (s[1] & 0xc0) != 0x80 || total > avail ||
	    total < 12) {
		CK_ERR(c, "PSI table %u header", table);
		return 0;
	}
	if (ck_crc32(s, total) != 0)
		CK_ERR(c, "PSI table %u CRC", table);
	if (be16(s + 3) != id || s[5] != 0xc1 || s[6] != 0 || s[7] != 0)
		CK_ERR(c, "PSI table %u id/version/section", table);
	return total;
}

static void
ck_pat(struct tsck *c, const uint8_t *s, size_t avail)
{
	size_t total = ck_psi(c, s, avail, 0x00, c->tsid);

	if (total == 0)
		return;
	if (total != 16 || be16(s + 8) != c->sid ||
	    (be16(s + 10) & 0x1fff) != c->pmt_pid ||
	    (s[10] & 0xe0) != 0xe0)
		CK_ERR(c, "PAT program loop");
	if (c->npat == 0 && c->npkt != 0)
		CK_ERR(c, "the stream does not start with the PAT");
	if (c->npat > 0 && c->want_gap && c->npkt - c->last_pat != c->want_gap)
		CK_ERR(c, "PAT after %zu packets", c->npkt - c->last_pat);
	c->last_pat = c->npkt;
	c->npat++;
}

static void
ck_pmt(struct tsck *c, const uint8_t *s, size_t avail)
{
	size_t total = ck_psi(c, s, avail, 0x02, c->sid);
	const uint8_t *es;

	if (total == 0)
		return;
	c->npmt++;
	if (be16(s + 8) != 0xffff || be16(s + 10) != 0xf000 || total != 25) {
		CK_ERR(c, "PMT PCR_PID, program_info or length");
		return;
	}
	es = s + 12;
	if (es[0] != 0x0d || (be16(es + 1) & 0x1fff) != c->pid ||
	    be16(es + 3) != 0xf004)
		CK_ERR(c, "PMT ES entry");
	if (es[5] != 0x66 || es[6] != 2 || be16(es + 7) != 0x0005)
		CK_ERR(c, "PMT data_broadcast_id_descriptor");
}

/* A PSI packet: PUSI, pointer 0, one section, then only stuffing. */
static void
ck_psi_packet(struct tsck *c, const uint8_t *pl, int pusi, int pat)
{
	size_t i, total;

	if (!pusi || pl[0] != 0) {
		CK_ERR(c, "PSI packet without PUSI or pointer 0");
		return;
	}
	if (pat)
		ck_pat(c, pl + 1, PL - 1);
	else
		ck_pmt(c, pl + 1, PL - 1);
	total = 3 + (be16(pl + 2) & 0x0fff);
	for (i = 1 + total; i < PL && total < PL; i++)
		if (pl[i] != 0xff)
			CK_ERR(c, "PSI packet stuffing");
}

static void
ck_mpe_done(struct tsck *c)
{
	const uint8_t *s = c->sec;
	size_t total = c->sec_len;
	struct got *g;

	c->sec_len = 0;
	if (s[0] != 0x3e || (s[1] & 0xf0) != 0xb0 || total < 17) {
		CK_ERR(c, "MPE section header");
		return;
	}
	if (ck_crc32(s, total) != 0)
		CK_ERR(c, "MPE section CRC");
	if (s[5] != 0xc1 || s[6] != 0 || s[7] != 0)
		CK_ERR(c, "MPE byte 5..7");
	if (c->ngot == MAX_DGRAMS)
		return;
	g = &c->got[c->ngot++];
	g->len = total - 16;
	g->ip = malloc(g->len);
	if (g->ip == NULL)
		abort();
	memcpy(g->ip, s + 12, g->len);
	g->mac[0] = s[11];
	g->mac[1] = s[10];
	g->mac[2] = s[9];
	g->mac[3] = s[8];
	g->mac[4] = s[4];
	g->mac[5] = s[3];
}

/* Bytes the section in progress still needs, as far as known. */
static size_t
ck_need(const struct tsck *c)
{
	size_t total;

	if (c->sec_len < 3)
		return 3 - c->sec_len;
	total = 3 + (be16(c->sec + 1) & 0x0fff);
	return total > 4096 ? 0 : total - c->sec_len;
}

/* Feed up to n bytes to the section in progress; bytes taken. */
static size_t
ck_take(struct tsck *c, const uint8_t *p, size_t n)
{
	size_t took = 0, k;

	while (took < n && (k = ck_need(c)) > 0) {
		if (k > n - took)
			k = n - took;
		memcpy(c->sec + c->sec_len, p + took, k);
		c->sec_len += k;
		took += k;
	}
	if (c->sec_len >= 3 && ck_need(c) == 0) {
		if (3 + (be16(c->sec + 1) & 0x0fff) > 4096) {
			CK_ERR(c, "section_length > 4093");
			c->sec_len = 0;
		} else {
			ck_mpe_done(c);
		}
	}
	return took;
}

/* The pointer_field must end the section in progress exactly. */
static size_t
ck_pointer(struct tsck *c, const uint8_t *pl)
{
	size_t ptr = pl[0];

	if (ptr >= PL - 1) {
		CK_ERR(c, "pointer_field %zu beyond the packet", ptr);
		return PL;
	}
	if (c->sec_len == 0 && ptr != 0)
		CK_ERR(c, "pointer_field %zu with no section in progress", ptr);
	if (c->sec_len > 0 && (ck_take(c, pl + 1, ptr) != ptr ||
	    c->sec_len != 0))
		CK_ERR(c, "pointer_field %zu does not end the section", ptr);
	return 1 + ptr;
}

static void
ck_mpe_packet(struct tsck *c, const uint8_t *pl, int pusi)
{
	size_t pos = 0, i, starts = 0;

	if (pusi)
		pos = ck_pointer(c, pl);
	else if (c->sec_len == 0)
		CK_ERR(c, "packet without PUSI and no section in progress");
	while (pos < PL) {
		if (c->sec_len == 0) {
			if (pl[pos] == 0xff) {
				if (!pusi)
					c->stuff_mid++;
				for (i = pos; i < PL; i++)
					if (pl[i] != 0xff)
						CK_ERR(c, "bytes after stuffing");
				return;
			}
			if (!pusi)
				CK_ERR(c, "section starts without PUSI");
			if (++starts == 2)
				c->multi_start++;
			if (PL - pos < 3)
				c->hdr_split++;
		}
		pos += ck_take(c, pl + pos, PL - pos);
	}
}

static void
ck_packet(struct tsck *c, const uint8_t *p)
{
	unsigned pid = be16(p + 1) & 0x1fff;
	int pusi = (p[1] & 0x40) != 0;
	int cc = p[3] & 0x0f;

	if (p[0] != 0x47 || (p[1] & 0x80) || (p[3] & 0xf0) != 0x10)
		CK_ERR(c, "sync, TEI, scrambling or adaptation field");
	if (c->last_cc[pid] >= 0 && cc != ((c->last_cc[pid] + 1) & 0x0f))
		CK_ERR(c, "CC on PID %u: %d after %d", pid, cc, c->last_cc[pid]);
	c->last_cc[pid] = cc;
	if (pid == 0)
		ck_psi_packet(c, p + 4, pusi, 1);
	else if (pid == c->pmt_pid)
		ck_psi_packet(c, p + 4, pusi, 0);
	else if (pid == c->pid)
		ck_mpe_packet(c, p + 4, pusi);
	else
		CK_ERR(c, "unexpected PID %u", pid);
	if (c->npkt > 0 && c->prev_pid == 0 && pid != c->pmt_pid)
		CK_ERR(c, "a PAT not followed by the PMT");
	c->prev_pid = pid;
	c->npkt++;
}

static void
ck_stream(struct tsck *c, const uint8_t *ts, size_t len)
{
	size_t i;

	for (i = 0; i + PKT <= len; i += PKT)
		ck_packet(c, ts + i);
	if (len % PKT != 0)
		CK_ERR(c, "stream not whole packets");
}

/*
 * A datagram of len bytes: kind 0 IPv4 to 239.x, 1 IPv6 to ff05::,
 * 2 IPv4 unicast; random bytes elsewhere.
 */
static void
make_dgram(uint8_t *ip, size_t len, int kind)
{
	size_t i;

	for (i = 0; i < len; i++)
		ip[i] = (uint8_t)rng();
	ip[0] = kind == 1 ? 0x60 : 0x45;
	if (kind == 0 && len >= 20)
		ip[16] = 239;
	if (kind == 1 && len >= 40)
		ip[24] = 0xff, ip[25] = 0x05;
	if (kind == 2 && len >= 20)
		ip[16] = 10;
}

/* Check the datagrams the checker got against those sent. */
static void
check_got(const struct tsck *c, uint8_t *const *sent, const size_t *lens,
    size_t n)
{
	uint8_t mac[6];
	size_t i;

	CHECK_EQ_U(c->ngot, n);
	for (i = 0; i < n && i < c->ngot; i++) {
		ck_mac(sent[i], lens[i], mac);
		if (c->got[i].len != lens[i] ||
		    memcmp(c->got[i].ip, sent[i], lens[i]) != 0 ||
		    memcmp(c->got[i].mac, mac, 6) != 0) {
			fprintf(stderr, "datagram %zu differs\n", i);
			CHECK(0);
			return;
		}
	}
}

struct run {
	struct cap	 cap;
	struct tsck	 ck;
	uint8_t		*sent[MAX_DGRAMS];
	size_t		 lens[MAX_DGRAMS];
	size_t		 n;
};

/*
 * Send n datagrams with sizes from size(i) through a mux, flushing with
 * probability flush_pct, then check everything the checker can.
 */
static void
run_sizes(struct run *r, const struct ts_mux_params *p, size_t n,
    size_t (*size)(size_t), unsigned flush_pct)
{
	struct ts_mux *m;
	size_t i;

	memset(r, 0, sizeof(*r));
	m = ts_mux_new(p, cap_write, &r->cap);
	REQUIRE(m != NULL);
	for (i = 0; i < n && i < MAX_DGRAMS; i++) {
		r->lens[i] = size(i);
		r->sent[i] = malloc(r->lens[i]);
		REQUIRE(r->sent[i] != NULL);
		make_dgram(r->sent[i], r->lens[i], (int)rng_below(3));
		CHECK(ts_mux_datagram(m, r->sent[i], r->lens[i]) == 0);
		if (rng_below(100) < flush_pct)
			CHECK(ts_mux_flush(m) == 0);
		r->n++;
	}
	CHECK(ts_mux_flush(m) == 0);
	ts_mux_free(m);
	ck_init(&r->ck, p->pid ? p->pid : 0x100,
	    p->pmt_pid ? p->pmt_pid : 0x20, p->service_id ? p->service_id : 1,
	    p->tsid ? p->tsid : 1);
	ck_stream(&r->ck, r->cap.buf, r->cap.len);
	CHECK_EQ_U(r->ck.errors, 0);
	CHECK_EQ_U(r->ck.sec_len, 0);
	CHECK(!r->cap.bad_len);
	CHECK(r->cap.max_batch <= 64);
	check_got(&r->ck, r->sent, r->lens, r->n);
}

static void
run_free(struct run *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->sent[i]);
	free(r->cap.buf);
	ck_free(&r->ck);
}

static size_t
size_any(size_t i)
{
	(void)i;
	return 20 + rng_below(4080 - 20 + 1);
}

static size_t
size_small(size_t i)
{
	(void)i;
	return 20 + rng_below(120);
}

static struct run the_run;

static void
test_random_sizes(void)
{
	static const struct ts_mux_params p = { .pid = 0x1ff0,
		.pmt_pid = 0x0042, .service_id = 17702, .tsid = 0x0203 };

	rng_seed(1);
	run_sizes(&the_run, &p, 1500, size_any, 3);
	CHECK(the_run.cap.max_batch == 64);
	CHECK(the_run.ck.npat >= 2);
	run_free(&the_run);
}

/* Small sections: several start in one packet after one pointer. */
static void
test_small_sections(void)
{
	static const struct ts_mux_params p;

	rng_seed(2);
	run_sizes(&the_run, &p, 3000, size_small, 1);
	CHECK(the_run.ck.multi_start > 100);
	CHECK(the_run.ck.hdr_split > 0);
	run_free(&the_run);
}

static size_t pair_first;

static size_t
size_pair(size_t i)
{
	return i == 0 ? pair_first : 20 + rng_below(60);
}

/*
 * A first datagram of every size 20..600 then small ones: the boundary
 * after the first section lands on every byte of the first packets,
 * including the last payload byte (a stuffing byte then) and the bytes
 * where a section header is cut.
 */
static void
test_every_alignment(void)
{
	static const struct ts_mux_params p;
	size_t stuff = 0, split = 0;

	rng_seed(3);
	for (pair_first = 20; pair_first <= 600; pair_first++) {
		run_sizes(&the_run, &p, 4, size_pair, 0);
		stuff += the_run.ck.stuff_mid;
		split += the_run.ck.hdr_split;
		run_free(&the_run);
	}
	CHECK(stuff >= 2);	/* 350 and 534: sections of 366 and 550 */
	CHECK(split >= 4);
}

static void
one_dgram(const struct ts_mux_params *p, const uint8_t *ip, size_t len,
    struct cap *c)
{
	struct ts_mux *m = ts_mux_new(p, cap_write, c);

	REQUIRE(m != NULL);
	CHECK(ts_mux_datagram(m, ip, len) == 0);
	CHECK(ts_mux_flush(m) == 0);
	ts_mux_free(m);
}

/* PAT, PMT, then the section, byte by byte where it matters. */
static void
test_layout_and_mac(void)
{
	static const struct ts_mux_params p = { .pid = 0x0abc };
	static const struct {
		uint8_t	dst[16];
		int	v6;
		uint8_t	mac[6];
	} cases[] = {
		{ { 239, 1, 2, 3 }, 0, { 0x01, 0x00, 0x5e, 1, 2, 3 } },
		{ { 239, 129, 2, 3 }, 0, { 0x01, 0x00, 0x5e, 1, 2, 3 } },
		{ { 224, 0, 23, 14 }, 0, { 0x01, 0x00, 0x5e, 0, 0x17, 0x0e } },
		{ { 0xff, 0x05, [12] = 0xa1, 0xb2, 0xc3, 0xd4 }, 1,
		    { 0x33, 0x33, 0xa1, 0xb2, 0xc3, 0xd4 } },
	};
	uint8_t ip[60], *pl;
	struct cap c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&c, 0, sizeof(c));
		memset(ip, 0x11, sizeof(ip));
		ip[0] = cases[i].v6 ? 0x60 : 0x45;
		memcpy(ip + (cases[i].v6 ? 24 : 16), cases[i].dst,
		    cases[i].v6 ? 16 : 4);
		one_dgram(&p, ip, sizeof(ip), &c);
		REQUIRE(c.len == 3 * PKT);
		CHECK(be16(c.buf + 1) == 0x4000);		/* PAT */
		CHECK(be16(c.buf + PKT + 1) == 0x4020);		/* PMT */
		CHECK(be16(c.buf + 2 * PKT + 1) == 0x4abc);	/* MPE */
		pl = c.buf + 2 * PKT + 4;
		CHECK(pl[0] == 0 && pl[1] == 0x3e);
		CHECK(be16(pl + 2) == (0xb000 | (9 + sizeof(ip) + 4)));
		CHECK(pl[1 + 11] == cases[i].mac[0] && pl[1 + 10] ==
		    cases[i].mac[1] && pl[1 + 9] == cases[i].mac[2] &&
		    pl[1 + 8] == cases[i].mac[3] && pl[1 + 4] ==
		    cases[i].mac[4] && pl[1 + 3] == cases[i].mac[5]);
		CHECK(pl[1 + 5] == 0xc1);
		CHECK(memcmp(pl + 1 + 12, ip, sizeof(ip)) == 0);
		CHECK(ck_crc32(pl + 1, 12 + sizeof(ip) + 4) == 0);
		CHECK(pl[1 + 12 + sizeof(ip) + 4] == 0xff);
		CHECK(pl[PL - 1] == 0xff);
		free(c.buf);
	}
}

/* The largest datagram fits one section; one byte more is refused. */
static void
test_limits(void)
{
	static uint8_t ip[4200];
	struct ts_mux *m;
	struct cap c;
	struct tsck *ck = &the_run.ck;
	uint8_t *sent[2] = { ip, ip };
	size_t lens[2] = { 4080, 20 };

	memset(&c, 0, sizeof(c));
	rng_seed(4);
	make_dgram(ip, sizeof(ip), 0);
	m = ts_mux_new(NULL, cap_write, &c);
	REQUIRE(m != NULL);
	CHECK(ts_mux_datagram(m, ip, 4081) == -1);
	CHECK(ts_mux_datagram(m, ip, 0) == -1);
	CHECK(ts_mux_datagram(m, NULL, 20) == -1);
	ip[0] = 0x55;
	CHECK(ts_mux_datagram(m, ip, 20) == -1);	/* not IPv4/IPv6 */
	ip[0] = 0x45;
	CHECK(ts_mux_datagram(NULL, ip, 20) == -1);
	CHECK(c.len == 0);	/* refusals wrote nothing */
	CHECK(ts_mux_datagram(m, ip, 4080) == 0);
	CHECK(ts_mux_datagram(m, ip, 20) == 0);
	CHECK(ts_mux_flush(m) == 0);
	CHECK(ts_mux_flush(m) == 0);	/* nothing left: no packets */
	ts_mux_free(m);
	ck_init(ck, 0x100, 0x20, 1, 1);
	ck_stream(ck, c.buf, c.len);
	CHECK_EQ_U(ck->errors, 0);
	check_got(ck, sent, lens, 2);
	/*
	 * PAT, PMT, 183 + 21 * 184 bytes of the 4096-byte section, then
	 * its last 49 and the 36-byte one after a pointer_field.
	 */
	CHECK_EQ_U(c.len / PKT, 2 + 1 + 21 + 1);
	ck_free(ck);
	free(c.buf);
}

static void
test_bad_params(void)
{
	static const struct ts_mux_params bad[] = {
		{ .pid = 0x0020 },			/* = default PMT PID */
		{ .pmt_pid = 0x0100 },			/* = default MPE PID */
		{ .pid = 0x1fff },
		{ .pid = 0x2000 },
		{ .pmt_pid = 0x0010 },			/* DVB SI range */
		{ .pid = 0x0001 },
	};
	struct cap c;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(ts_mux_new(&bad[i], cap_write, &c) == NULL);
	CHECK(ts_mux_new(NULL, NULL, &c) == NULL);
	CHECK(ts_mux_flush(NULL) == -1);
	ts_mux_free(NULL);
}

static size_t
size_mid(size_t i)
{
	(void)i;
	return 20 + rng_below(1480);
}

/* PAT+PMT every psi_every packets, counted over all packets. */
static void
test_psi_every(void)
{
	static const uint32_t every[] = { 1, 2, 10, 37, 0 };
	struct ts_mux_params p;
	struct tsck *ck = &the_run.ck;
	size_t i, want;

	for (i = 0; i < sizeof(every) / sizeof(every[0]); i++) {
		memset(&p, 0, sizeof(p));
		p.psi_every = every[i];
		/* With 1 or 2, one MPE packet still goes between. */
		want = every[i] == 0 ? 500 : every[i] < 3 ? 3 : every[i];
		ck_want_gap = want;
		rng_seed(10 + i);
		run_sizes(&the_run, &p, 800, size_mid, 0);
		CHECK_EQ_U(ck->npat, ck->npmt);
		CHECK(ck->npat >= 5);
		CHECK(ck->npkt - ck->last_pat <= want);
		run_free(&the_run);
	}
	ck_want_gap = 0;
}

/* The writer's refusal is returned and stops the mux for good. */
static void
test_writer_fails(void)
{
	static uint8_t ip[1500];
	struct ts_mux *m;
	struct cap c;
	int rc = 0, i;
	size_t calls;

	memset(&c, 0, sizeof(c));
	c.fail_at = 2;
	rng_seed(5);
	make_dgram(ip, sizeof(ip), 0);
	m = ts_mux_new(NULL, cap_write, &c);
	REQUIRE(m != NULL);
	for (i = 0; i < 200 && rc == 0; i++)
		rc = ts_mux_datagram(m, ip, sizeof(ip));
	CHECK(rc == -1);
	CHECK(i > 1 && i < 20);	/* the second batch of 64 packets */
	calls = c.calls;
	CHECK(ts_mux_datagram(m, ip, sizeof(ip)) == -1);
	CHECK(ts_mux_flush(m) == -1);
	CHECK_EQ_U(c.calls, calls);
	ts_mux_free(m);
	free(c.buf);

	/* A failing flush. */
	memset(&c, 0, sizeof(c));
	c.fail_at = 1;
	m = ts_mux_new(NULL, cap_write, &c);
	REQUIRE(m != NULL);
	CHECK(ts_mux_datagram(m, ip, 100) == 0);
	CHECK(ts_mux_flush(m) == -1);
	CHECK(ts_mux_datagram(m, ip, 100) == -1);
	ts_mux_free(m);
	free(c.buf);
}

TEST_MAIN(TEST(test_layout_and_mac), TEST(test_random_sizes),
    TEST(test_small_sections), TEST(test_every_alignment),
    TEST(test_limits), TEST(test_bad_params), TEST(test_psi_every),
    TEST(test_writer_fails))
