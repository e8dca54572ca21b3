/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_gse_mux.c: the GSE BBFrame writer, read back by a strict checker
 * of its own (own CRC-8 and CRC-32, own reassembly, own label rule):
 * BBHEADER fields and CRC, DFL, GSE packet lengths, complete versus
 * fragmented choices, Total_Length, CRC-32, Frag_ID rotation, and that
 * every PDU comes back in order with the right protocol and label.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../carousel/gse.h"
#include "test.h"
#include "testutil.h"

#define GLEN_MAX	4095
#define PDU_MAX		65535
#define MAX_SENT	512

static uint8_t
ck_crc8(const uint8_t *p, size_t n)
{
	uint8_t crc = 0;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (uint8_t)((crc & 0x80) ? (crc << 1) ^ 0xd5 :
			    crc << 1);
	}
	return crc;
}

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

static unsigned
be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
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

/* The checker, fed each frame by the writer callback. */
struct gck {
	size_t		 dfl;		/* most data field bytes a frame may use */
	unsigned	 lt;
	size_t		 label_len;
	/* The datagrams sent so far, delivered in this order. */
	const uint8_t	*sent[MAX_SENT];
	size_t		 lens[MAX_SENT];
	size_t		 nsent, ngot;
	/* Reassembly: Total_Length onwards, as the CRC covers it. */
	uint8_t		 re[2 + PDU_MAX + 8];
	size_t		 re_len, re_total;
	int		 inflight, any_frag;
	uint8_t		 fid;
	/* The frame before: bytes it left unused, -1 after a flush. */
	long		 left;
	int		 in_flush;
	int		 fail_at;	/* writer call that fails, 0 never */
	size_t		 calls;
	int		 errors;
	uint8_t		 frame[128];	/* the start of the last frame */
	size_t		 frames, complete, first, middle, last, wraps;
};

#define CK_ERR(c, ...) do {						\
	if ((c)->errors++ < 5) {					\
		fprintf(stderr, "gse checker, frame %zu: ",		\
		    (c)->frames);					\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

static void
ck_init(struct gck *c, const struct gse_mux_params *p)
{
	memset(c, 0, sizeof(*c));
	c->dfl = p->dfl ? p->dfl : GSE_DFL_MAX;
	c->lt = p->label_type == 3 ? 0 : p->label_type;
	c->label_len = c->lt == 0 ? 6 : c->lt == 1 ? 3 : 0;
	c->left = -1;
}

/* A PDU is whole: compare it with the next one sent. */
static void
ck_deliver(struct gck *c, const uint8_t *pt, const uint8_t *data, size_t n)
{
	const uint8_t *ip;
	uint8_t mac[6];
	unsigned proto = be16(pt);

	if (c->ngot >= c->nsent) {
		CK_ERR(c, "a PDU more than was sent");
		return;
	}
	ip = c->sent[c->ngot];
	if (n != c->lens[c->ngot] || memcmp(data, ip, n) != 0)
		CK_ERR(c, "PDU %zu: data differs (%zu bytes)", c->ngot, n);
	if (proto != ((ip[0] >> 4) == 4 ? 0x0800u : 0x86ddu))
		CK_ERR(c, "PDU %zu: Protocol_Type %#x", c->ngot, proto);
	ck_mac(ip, c->lens[c->ngot], mac);
	if (memcmp(pt + 2, mac + 6 - c->label_len, c->label_len) != 0)
		CK_ERR(c, "PDU %zu: label", c->ngot);
	c->ngot++;
}

static size_t
whole_len(const struct gck *c, size_t n)
{
	return 2 + 2 + c->label_len + n;
}

/*
 * The frame before ended with `left` bytes unused: nothing that starts
 * this frame could have gone there.  A new PDU needs room for itself
 * whole or for a first fragment with a data byte; a continued one for
 * its last fragment, or for a middle one leaving a byte for the last.
 */
static void
ck_waste(struct gck *c, int s, size_t n)
{
	size_t r = (size_t)c->left;

	if (s && ((whole_len(c, n) <= r && whole_len(c, n) - 2 <= GLEN_MAX) ||
	    r >= 2 + 1 + 2 + 2 + c->label_len + 1))
		CK_ERR(c, "frame ended with %zu bytes unused (new PDU)", r);
	if (!s && ((3 + n + 4 <= r && 1 + n + 4 <= GLEN_MAX) ||
	    (r >= 4 && n >= 2)))
		CK_ERR(c, "frame ended with %zu bytes unused (fragment)", r);
}

static void
ck_complete(struct gck *c, const uint8_t *p, size_t glen)
{
	size_t hl = 2 + c->label_len;

	c->complete++;
	if (glen <= hl) {
		CK_ERR(c, "complete packet too short");
		return;
	}
	ck_deliver(c, p, p + hl, glen - hl);
}

static void
ck_first(struct gck *c, const uint8_t *p, size_t glen, size_t room)
{
	size_t hl = 1 + 2 + 2 + c->label_len, n = glen - hl, pdu;

	c->first++;
	if (glen <= hl || c->inflight) {
		CK_ERR(c, "first fragment too short or one in flight");
		return;
	}
	if (c->any_frag && p[0] != (uint8_t)(c->fid + 1))
		CK_ERR(c, "Frag_ID %u after %u", p[0], c->fid);
	if (c->any_frag && p[0] == 0)
		c->wraps++;
	c->fid = p[0];
	c->any_frag = c->inflight = 1;
	c->re_total = be16(p + 1);
	pdu = c->re_total - 2 - c->label_len;
	if (c->re_total < 2 + c->label_len + 2 || n >= pdu)
		CK_ERR(c, "Total_Length %zu, first fragment %zu", c->re_total, n);
	/* Fragmented only when whole does not fit; filled greedily. */
	if (whole_len(c, pdu) <= room && whole_len(c, pdu) - 2 <= GLEN_MAX)
		CK_ERR(c, "a PDU of %zu fragmented that fit whole", pdu);
	if (2 + glen != room && glen != GLEN_MAX && n != pdu - 1)
		CK_ERR(c, "first fragment not filled");
	memcpy(c->re, p + 1, glen - 1);
	c->re_len = glen - 1;
}

static void
ck_sub(struct gck *c, const uint8_t *p, size_t glen, int last, size_t room)
{
	size_t n = glen - 1 - (last ? 4 : 0), r;

	if (last)
		c->last++;
	else
		c->middle++;
	if (glen < 2 + (last ? 4u : 0u) || !c->inflight || p[0] != c->fid) {
		CK_ERR(c, "fragment empty, unexpected or wrong Frag_ID");
		c->inflight = 0;
		return;
	}
	r = c->re_total + 2 - c->re_len;	/* data bytes still due */
	if (n > r || (last && n != r) || (!last && n == r)) {
		CK_ERR(c, "fragment of %zu with %zu due", n, r);
		c->inflight = 0;
		return;
	}
	if (!last && 3 + r + 4 <= room && 1 + r + 4 <= GLEN_MAX)
		CK_ERR(c, "middle fragment where the last one fit");
	if (!last && 2 + glen != room && glen != GLEN_MAX && n != r - 1)
		CK_ERR(c, "middle fragment not filled");
	memcpy(c->re + c->re_len, p + 1, n);
	c->re_len += n;
	if (!last)
		return;
	c->inflight = 0;
	if (ck_crc32(c->re, c->re_len) != ((uint32_t)be16(p + 1 + n) << 16 |
	    be16(p + 3 + n)))
		CK_ERR(c, "CRC-32 of a reassembled PDU");
	ck_deliver(c, c->re + 2, c->re + 4 + c->label_len,
	    c->re_len - 4 - c->label_len);
}

/* One GSE packet at p, with room data field bytes from it to the end. */
static void
ck_packet(struct gck *c, const uint8_t *p, size_t room, int at_start)
{
	int s = p[0] >> 7, e = (p[0] >> 6) & 1;
	unsigned lt = (p[0] >> 4) & 3;
	size_t glen = be16(p) & 0x0fff;

	if (at_start && c->left >= 0)
		ck_waste(c, s, s ? (s && e ? glen - 2 - c->label_len :
		    be16(p + 3) - 2 - c->label_len) :
		    c->re_total + 2 - c->re_len);
	if (s && lt != c->lt)
		CK_ERR(c, "LT %u on a first packet", lt);
	if (!s && lt != 3)
		CK_ERR(c, "LT %u on a later fragment", lt);
	if (s && e)
		ck_complete(c, p + 2, glen);
	else if (s)
		ck_first(c, p + 2, glen, room);
	else
		ck_sub(c, p + 2, glen, e, room);
}

static void
ck_frame(struct gck *c, const uint8_t *bb, size_t len)
{
	size_t dl, pos, glen;

	c->frames++;
	if (len < GSE_BBHEADER + 2 || ck_crc8(bb, 9) != bb[9]) {
		CK_ERR(c, "frame too short or BBHEADER CRC-8");
		return;
	}
	if (bb[0] != 0x70 || bb[1] != 0 || be16(bb + 2) != 0 || bb[6] != 0 ||
	    be16(bb + 7) != 0)
		CK_ERR(c, "MATYPE, UPL, SYNC or SYNCD");
	dl = be16(bb + 4) / 8;
	if (be16(bb + 4) % 8 != 0 || dl != len - GSE_BBHEADER || dl > c->dfl)
		CK_ERR(c, "DFL %u for %zu bytes", be16(bb + 4), len);
	for (pos = 0; pos < dl; pos += 2 + glen) {
		if (pos + 2 > dl) {
			CK_ERR(c, "packet header beyond DFL at %zu", pos);
			return;
		}
		glen = be16(bb + GSE_BBHEADER + pos) & 0x0fff;
		if ((bb[GSE_BBHEADER + pos] & 0xf0) == 0 ||
		    pos + 2 + glen > dl) {
			CK_ERR(c, "padding or packet beyond DFL at %zu", pos);
			return;
		}
		ck_packet(c, bb + GSE_BBHEADER + pos, c->dfl - pos, pos == 0);
	}
	c->left = c->in_flush ? -1 : (long)(c->dfl - dl);
}

static int
ck_write(void *arg, const uint8_t *bb, size_t len)
{
	struct gck *c = arg;

	c->calls++;
	if (c->fail_at != 0 && (int)c->calls >= c->fail_at)
		return -1;
	memcpy(c->frame, bb, len < sizeof(c->frame) ? len : sizeof(c->frame));
	ck_frame(c, bb, len);
	return 0;
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

static struct gck the_ck;
static uint8_t *bufs[MAX_SENT];

/* Send one datagram through m, registering it with the checker. */
static int
send_one(struct gse_mux *m, struct gck *c, size_t len)
{
	uint8_t *ip;

	if (c->nsent == MAX_SENT)
		return -1;
	ip = bufs[c->nsent] = malloc(len);
	if (ip == NULL)
		abort();
	make_dgram(ip, len, (int)rng_below(3));
	c->sent[c->nsent] = ip;
	c->lens[c->nsent++] = len;
	return gse_mux_datagram(m, ip, len);
}

static int
flush(struct gse_mux *m, struct gck *c)
{
	int rc;

	c->in_flush = 1;
	rc = gse_mux_flush(m);
	c->in_flush = 0;
	return rc;
}

static void
bufs_free(struct gck *c)
{
	size_t i;

	for (i = 0; i < c->nsent; i++)
		free(bufs[i]);
	c->nsent = 0;
}

static size_t
max_pdu(unsigned lt)
{
	return PDU_MAX - 2 - (lt == 1 ? 3 : lt == 2 ? 0 : 6);
}

static size_t
rand_size(unsigned lt)
{
	uint32_t k = rng_below(10);

	if (k < 4)
		return 1 + rng_below(200);
	if (k < 7)
		return 200 + rng_below(4000);
	if (k < 9)
		return 4200 + rng_below(16000);
	return 20000 + rng_below((uint32_t)(max_pdu(lt) - 20000 + 1));
}

/* Every dfl and label type, random sizes and flushes. */
static void
test_random(void)
{
	static const uint16_t dfls[] = { 0, 16, 64, 200, 1500, 7264 };
	struct gse_mux_params p;
	struct gse_mux *m;
	struct gck *c = &the_ck;
	size_t d, i, frags = 0;
	unsigned lt;

	rng_seed(1);
	for (d = 0; d < sizeof(dfls) / sizeof(dfls[0]); d++) {
		for (lt = 0; lt < 4; lt++) {
			memset(&p, 0, sizeof(p));
			p.dfl = dfls[d];
			p.label_type = (uint8_t)lt;
			ck_init(c, &p);
			m = gse_mux_new(&p, ck_write, c);
			REQUIRE(m != NULL);
			for (i = 0; i < (dfls[d] == 16 ? 15 : 40); i++) {
				CHECK(send_one(m, c, rand_size(lt)) == 0);
				if (rng_below(10) == 0)
					CHECK(flush(m, c) == 0);
			}
			CHECK(flush(m, c) == 0);
			gse_mux_free(m);
			CHECK_EQ_U(c->errors, 0);
			CHECK_EQ_U(c->ngot, c->nsent);
			CHECK(!c->inflight);
			CHECK(c->first > 0 && c->last > 0);
			CHECK(c->complete > 0 || dfls[d] < 200);
			frags += c->middle;
			bufs_free(c);
		}
	}
	CHECK(frags > 1000);
}

/* Byte-exact frame for one small datagram, per label type. */
static void
test_frame_bytes(void)
{
	static const uint8_t want_label[4][6] = {
		{ 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 },
		{ 0x01, 0x02, 0x03 },
		{ 0 },
		{ 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 },
	};
	static const size_t llen[4] = { 6, 3, 0, 6 };
	struct gse_mux_params p = { 0 };
	struct gse_mux *m;
	struct gck *c = &the_ck;
	uint8_t ip[28] = { 0x45, [16] = 239, 129, 2, 3, 0xaa };
	uint8_t bb[64];
	unsigned lt;
	size_t n;

	for (lt = 0; lt < 4; lt++) {
		p.label_type = (uint8_t)lt;
		ck_init(c, &p);
		m = gse_mux_new(&p, ck_write, c);
		REQUIRE(m != NULL);
		c->sent[0] = ip;
		c->lens[0] = sizeof(ip);
		c->nsent = 1;
		CHECK(gse_mux_datagram(m, ip, sizeof(ip)) == 0);
		CHECK_EQ_U(c->frames, 0);	/* waits for more */
		CHECK(flush(m, c) == 0);
		CHECK(flush(m, c) == 0);	/* nothing: no frame */
		CHECK_EQ_U(c->frames, 1);
		CHECK_EQ_U(c->ngot, 1);
		CHECK_EQ_U(c->errors, 0);
		gse_mux_free(m);

		/* Rebuild the expected frame by hand. */
		n = 4 + llen[lt] + sizeof(ip);
		memset(bb, 0, sizeof(bb));
		bb[0] = 0x70;
		put16(bb + 4, (uint32_t)(n * 8));
		bb[9] = ck_crc8(bb, 9);
		put16(bb + 10, 0xc000 | (lt == 3 ? 0 : lt) << 12 |
		    (uint32_t)(n - 2));
		put16(bb + 12, 0x0800);
		memcpy(bb + 14, want_label[lt], llen[lt]);
		memcpy(bb + 14 + llen[lt], ip, sizeof(ip));
		CHECK(memcmp(c->frame, bb, GSE_BBHEADER + n) == 0);
	}
}

/*
 * The largest PDU a complete packet carries, one more (fragmented even
 * in an empty frame), the largest PDU at all and one more (refused).
 */
static void
test_size_limits(void)
{
	struct gse_mux_params p = { 0 };
	struct gse_mux *m;
	struct gck *c = &the_ck;
	static uint8_t big[PDU_MAX];
	size_t whole_max;
	unsigned lt;

	rng_seed(2);
	for (lt = 0; lt < 3; lt++) {
		p.label_type = (uint8_t)lt;
		ck_init(c, &p);
		m = gse_mux_new(&p, ck_write, c);
		REQUIRE(m != NULL);
		whole_max = GLEN_MAX - 2 - c->label_len;
		CHECK(send_one(m, c, whole_max) == 0);
		CHECK(flush(m, c) == 0);
		CHECK_EQ_U(c->complete, 1);
		CHECK(send_one(m, c, whole_max + 1) == 0);
		CHECK(flush(m, c) == 0);
		CHECK_EQ_U(c->first, 1);
		CHECK(send_one(m, c, max_pdu(lt)) == 0);
		big[0] = 0x45;
		CHECK(gse_mux_datagram(m, big, max_pdu(lt) + 1) == -1);
		CHECK(gse_mux_datagram(m, big, PDU_MAX) == -1);
		CHECK(send_one(m, c, 1) == 0);
		CHECK(flush(m, c) == 0);
		gse_mux_free(m);
		CHECK_EQ_U(c->errors, 0);
		CHECK_EQ_U(c->ngot, 4);
		bufs_free(c);
	}
}

static void
test_bad_input(void)
{
	static const struct gse_mux_params bad[] = {
		{ .dfl = 15 }, { .dfl = 1 }, { .dfl = GSE_DFL_MAX + 1 },
		{ .label_type = 4 }, { .label_type = 255 },
	};
	struct gse_mux_params p = { .dfl = 100 };
	struct gse_mux *m;
	struct gck *c = &the_ck;
	uint8_t ip[40] = { 0x45 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(gse_mux_new(&bad[i], ck_write, c) == NULL);
	CHECK(gse_mux_new(&p, NULL, c) == NULL);
	CHECK(gse_mux_flush(NULL) == -1);
	gse_mux_free(NULL);

	ck_init(c, &p);
	m = gse_mux_new(&p, ck_write, c);
	REQUIRE(m != NULL);
	CHECK(gse_mux_datagram(m, NULL, 20) == -1);
	CHECK(gse_mux_datagram(m, ip, 0) == -1);
	ip[0] = 0x55;
	CHECK(gse_mux_datagram(m, ip, sizeof(ip)) == -1);
	ip[0] = 0x05;
	CHECK(gse_mux_datagram(m, ip, sizeof(ip)) == -1);
	CHECK(gse_mux_datagram(NULL, ip, sizeof(ip)) == -1);
	CHECK(flush(m, c) == 0);
	CHECK_EQ_U(c->calls, 0);	/* refusals left nothing */
	CHECK(send_one(m, c, 300) == 0);
	CHECK(flush(m, c) == 0);
	CHECK_EQ_U(c->ngot, 1);
	CHECK_EQ_U(c->errors, 0);
	gse_mux_free(m);
	bufs_free(c);
}

/* Frag_ID goes up by one per fragmented PDU and wraps after 255. */
static void
test_frag_id_wraps(void)
{
	struct gse_mux_params p = { .dfl = 64, .label_type = 2 };
	struct gse_mux *m;
	struct gck *c = &the_ck;
	size_t i;

	rng_seed(3);
	ck_init(c, &p);
	m = gse_mux_new(&p, ck_write, c);
	REQUIRE(m != NULL);
	for (i = 0; i < 300; i++)
		CHECK(send_one(m, c, 100 + rng_below(100)) == 0);
	CHECK(flush(m, c) == 0);
	gse_mux_free(m);
	CHECK_EQ_U(c->errors, 0);
	CHECK_EQ_U(c->ngot, 300);
	CHECK_EQ_U(c->first, 300);
	CHECK(c->wraps >= 1);
	bufs_free(c);
}

/* The writer's refusal is returned and stops the mux for good. */
static void
test_writer_fails(void)
{
	struct gse_mux_params p = { .dfl = 200 };
	struct gse_mux *m;
	struct gck *c = &the_ck;
	size_t calls;
	int rc = 0, i;

	rng_seed(4);
	ck_init(c, &p);
	c->fail_at = 3;
	m = gse_mux_new(&p, ck_write, c);
	REQUIRE(m != NULL);
	for (i = 0; i < 100 && rc == 0; i++)
		rc = send_one(m, c, 150);
	CHECK(rc == -1);
	CHECK(i >= 2 && i <= 6);
	calls = c->calls;
	CHECK(send_one(m, c, 10) == -1);
	CHECK(flush(m, c) == -1);
	CHECK_EQ_U(c->calls, calls);
	gse_mux_free(m);
	bufs_free(c);

	/* A failing flush. */
	ck_init(c, &p);
	c->fail_at = 1;
	m = gse_mux_new(&p, ck_write, c);
	REQUIRE(m != NULL);
	CHECK(send_one(m, c, 20) == 0);
	CHECK(flush(m, c) == -1);
	CHECK(send_one(m, c, 20) == -1);
	gse_mux_free(m);
	bufs_free(c);
}

TEST_MAIN(TEST(test_frame_bytes), TEST(test_random), TEST(test_size_limits),
    TEST(test_bad_input), TEST(test_frag_id_wraps), TEST(test_writer_fails))
