/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_rx.c: the receive thread for real: in a private network namespace
 * (unshare, root) with only lo up, FLUTE packets made by the tiny builder
 * in rx_harness.h go through loopback multicast into rx and an in-memory
 * sink.  Without the namespace the cases print SKIP.  rx_parse_src is
 * tested in test_rx_src.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "rx_harness.h"

/* Set by test_netns_setup; without it the other cases return at once. */
static int have_netns;
static uint8_t obj_a[5000], obj_b[3000], obj_c[7000], obj_d[6000];

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

/* The copy of every source's counters, or n = 0. */
static struct rx_src_stats *
all_src(size_t *n)
{
	return rx_get_all_src_stats(n);
}

/* Source 0 has had its two sessions' worth of counters summed. */
static int
src_summed(size_t want_objects)
{
	struct rx_src_stats *v;
	size_t n;
	int ok;

	v = all_src(&n);
	ok = v != NULL && n == 3 && v[0].sess.objects == want_objects &&
	    v[2].sess.objects == 1;
	free(v);
	return ok;
}

static uint64_t
src0_bitrate(void)
{
	struct rx_src_stats *v;
	uint64_t b = UINT64_MAX;
	size_t n;

	if ((v = all_src(&n)) != NULL && n == 3)
		b = v[0].bitrate;
	free(v);
	return b;
}

/*
 * Per-source counters as test_mcast_receive left them: the bit rate of
 * each second, and the FLUTE sessions each source accepted with their
 * reassembly counters (objects, bytes staged, packets); the filter that
 * got nothing has nothing.  A repeat is traffic: it shows in the bit rate.
 */
static void
test_src_sessions(void)
{
	struct carousel_src want[3];
	struct rx_src_stats *v;
	size_t n, i;
	uint64_t b;
	int ok;

	if (!have_netns)
		return;
	WAIT_UNTIL(ok, src_summed(1), 2500);
	REQUIRE(ok);
	v = all_src(&n);
	REQUIRE(v != NULL && n == 3);
	parse_list(specs1, 3, want);
	for (i = 0; i < 3; i++)
		CHECK(rx_src_same(&v[i].src, &want[i]));
	CHECK(!rx_src_same(&v[0].src, &want[1]));
	CHECK_EQ_U(v[0].nsessions, 1);
	CHECK_EQ_U(v[0].sess.bytes, sizeof(obj_a));
	CHECK_EQ_U(v[0].sess.packets, v[0].datagrams);
	CHECK_EQ_U(v[0].sess.incomplete + v[0].sess.lost_symbols +
	    v[0].sess.repairs + v[0].sess.fec_recovered, 0);
	CHECK_EQ_U(v[1].datagrams + v[1].nsessions + v[1].sess.packets +
	    v[1].bitrate, 0);
	CHECK_EQ_U(v[2].nsessions, 1);
	CHECK_EQ_U(v[2].sess.bytes, sizeof(obj_b));
	CHECK_EQ_U(v[2].sess.packets, v[2].datagrams);
	free(v);
	/* A repeat: ignored by reassembly, but it is traffic. */
	send_object("239.1.2.3", 5000, 7, 1, "http://t/a", obj_a,
	    sizeof(obj_a));
	WAIT_UNTIL(ok, (b = src0_bitrate()) > 0 && b != UINT64_MAX, 1500);
	CHECK(ok);
	v = all_src(&n);
	REQUIRE(v != NULL && n == 3);
	/* Measured over a second or more: at most 8 bits per byte seen. */
	CHECK(b <= 8 * v[0].bytes);
	CHECK_EQ_U(v[0].sess.objects, 1);
	free(v);
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

TEST_MAIN(TEST(test_netns_setup), TEST(test_mcast_receive), TEST(test_src_sessions),
    TEST(test_mcast_commit_result), TEST(test_mcast_set_sources),
    TEST(test_mcast_stop), TEST(test_join_retry), TEST(test_join_by_name),
    TEST(test_missing_interface), TEST(test_kernel_drops))
