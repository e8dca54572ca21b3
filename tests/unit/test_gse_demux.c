/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_gse_demux.c: the GSE demux against BBFrames built by hand
 * (gse_harness.h): whole PDUs with every label type, label re-use,
 * padding, fragments interleaved over several Frag_IDs and frames, the
 * stream cut at every byte, BBHEADER errors and resync, and extension
 * headers.  Fragment errors are tested in test_gse_demux_frag.c, the cap
 * on reassembly buffers in test_gse_demux_hostile.c.
 */
#include "gse_fixture.h"

static void
test_complete_labels(void)
{
	struct gse_demux *d;
	struct ipudp u;
	size_t i;

	REQUIRE(make_ips());
	d = new_demux();
	REQUIRE(d != NULL);
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	REQUIRE(gh_complete(&fr, 0, mac6, GH_PT_IPV4, ipb[0], ipn[0]) == 0);
	REQUIRE(gh_complete(&fr, 1, lab3, GH_PT_IPV4, ipb[1], ipn[1]) == 0);
	REQUIRE(gh_complete(&fr, 2, NULL, GH_PT_IPV6, ipb[2], ipn[2]) == 0);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	CHECK_EQ_U(sink.n, 3);
	for (i = 0; i < 3; i++) {
		CHECK(gh_rec_is(&sink, i, ipb[i], ipn[i]));
		CHECK(ipudp_parse(sink.rec[i].p, sink.rec[i].len, &u) == 0);
		CHECK(u.family == (i == 2 ? AF_INET6 : AF_INET));
	}
	CHECK_EQ_U(u.len, 500);
	/* The same bytes as a stream. */
	gse_demux_input(d, fr.b, fr.len);
	CHECK_EQ_U(sink.n, 6);
	CHECK(gh_rec_is(&sink, 5, ipb[2], ipn[2]));
	CHECK_EQ_U(gh_err_total(&sink), 0);
	gse_demux_free(d);
}

/* Label types of packets in one frame, which get delivered, HDR count. */
static const struct {
	const char	*name;
	int		lt[4];
	int		np;
	unsigned	delivered;
	unsigned	hdr;
} lt_cases[] = {
	{ "00 then 11 11", { 0, 3, 3 }, 3, 0x7, 0 },
	{ "01 then 11", { 1, 3 }, 2, 0x3, 0 },
	{ "11 first", { 3, 2 }, 2, 0x2, 1 },
	{ "10 then 11", { 2, 3 }, 2, 0x1, 1 },
	{ "11 11 00 11", { 3, 3, 0, 3 }, 4, 0xc, 2 },
	{ "10 01 10 11", { 2, 1, 2, 3 }, 4, 0xf, 0 },
};

static void
test_label_reuse(void)
{
	struct gse_demux *d;
	size_t c, k;
	int i;

	REQUIRE(make_ips());
	for (c = 0; c < sizeof(lt_cases) / sizeof(lt_cases[0]); c++) {
		d = new_demux();
		REQUIRE(d != NULL);
		gh_frame_init(&fr, GH_MATYPE_GS, 0);
		for (i = 0; i < lt_cases[c].np; i++)
			REQUIRE(gh_complete(&fr, lt_cases[c].lt[i],
			    lt_cases[c].lt[i] ? lab3 : mac6, GH_PT_IPV4,
			    ipb[i % 3], ipn[i % 3]) == 0);
		gh_frame_end(&fr);
		gse_demux_frame(d, fr.b, fr.len);
		for (i = 0, k = 0; i < lt_cases[c].np; i++) {
			if (!(lt_cases[c].delivered & 1u << i))
				continue;
			if (!gh_rec_is(&sink, k++, ipb[i % 3], ipn[i % 3]))
				fprintf(stderr, "case %s: pdu %d\n",
				    lt_cases[c].name, i);
		}
		CHECK_EQ_U(sink.n, k);
		CHECK_EQ_U(sink.err[DECAP_GSE_HDR], lt_cases[c].hdr);
		gse_demux_free(d);
	}
	/* Re-use does not reach back into the previous frame. */
	d = new_demux();
	REQUIRE(d != NULL);
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_complete(&fr, 0, mac6, GH_PT_IPV4, ipb[0], ipn[0]);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_complete(&fr, 3, NULL, GH_PT_IPV4, ipb[1], ipn[1]);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	CHECK_EQ_U(sink.n, 1);
	CHECK_EQ_U(sink.err[DECAP_GSE_HDR], 1);
	gse_demux_free(d);
}

/*
 * A bad packet (raw S, E, LT and body) between two good PDUs: counted as
 * a header error; the next one is still found since the length holds.
 */
static const struct {
	const char	*name;
	int		s, e, lt;
	const char	*body;
	size_t		n;
} bad_pkts[] = {
	{ "complete without type", 1, 1, 2, "\x08", 1 },
	{ "complete cut in label", 1, 1, 0, "\x08\x00\x01\x02", 4 },
	{ "first too short", 1, 0, 2, "\x01\x00\x10\x08", 4 },
	{ "middle empty", 0, 0, 3, "", 0 },
	{ "last without CRC", 0, 1, 3, "\x01\x02\x03\x04", 4 },
};

static void
test_bad_packets(void)
{
	struct gse_demux *d;
	size_t c;

	REQUIRE(make_ips());
	for (c = 0; c < sizeof(bad_pkts) / sizeof(bad_pkts[0]); c++) {
		d = new_demux();
		REQUIRE(d != NULL);
		gh_frame_init(&fr, GH_MATYPE_GS, 0);
		gh_complete(&fr, 2, NULL, GH_PT_IPV4, ipb[0], ipn[0]);
		REQUIRE(gh_pkt(&fr, bad_pkts[c].s, bad_pkts[c].e,
		    bad_pkts[c].lt, NULL, 0, (const uint8_t *)bad_pkts[c].body,
		    bad_pkts[c].n, NULL, 0) == 0);
		gh_complete(&fr, 2, NULL, GH_PT_IPV4, ipb[1], ipn[1]);
		gh_frame_end(&fr);
		gse_demux_frame(d, fr.b, fr.len);
		if (sink.n != 2 || sink.err[DECAP_GSE_HDR] != 1)
			fprintf(stderr, "case %s\n", bad_pkts[c].name);
		CHECK_EQ_U(sink.n, 2);
		CHECK(gh_rec_is(&sink, 1, ipb[1], ipn[1]));
		CHECK_EQ_U(sink.err[DECAP_GSE_HDR], 1);
		CHECK_EQ_U(gh_err_total(&sink), 1);
		gse_demux_free(d);
	}
}

static void
test_padding(void)
{
	struct gse_demux *d;
	static const uint8_t odd = 0xc0;

	REQUIRE(make_ips());
	d = new_demux();
	REQUIRE(d != NULL);
	/* PDU, padding to the end. */
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_complete(&fr, 2, NULL, GH_PT_IPV4, ipb[0], ipn[0]);
	gh_padding(&fr, 300);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	CHECK_EQ_U(sink.n, 1);
	/* Two zero bytes hide the PDU written after them. */
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_padding(&fr, 2);
	gh_complete(&fr, 2, NULL, GH_PT_IPV4, ipb[1], ipn[1]);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	/* Only padding; an empty data field. */
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_padding(&fr, GSE_DFL_MAX);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_frame_end(&fr);
	gse_demux_input(d, fr.b, fr.len);
	gse_demux_input(d, fr.b, fr.len);
	CHECK_EQ_U(sink.n, 1);
	CHECK_EQ_U(gh_err_total(&sink), 0);
	/* One stray byte that is not padding ends a data field. */
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_complete(&fr, 2, NULL, GH_PT_IPV4, ipb[2], ipn[2]);
	gh_put(&fr, &odd, 1);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	CHECK_EQ_U(sink.n, 2);
	CHECK_EQ_U(sink.err[DECAP_GSE_HDR], 1);
	/* A packet running past the data field. */
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_complete(&fr, 2, NULL, GH_PT_IPV4, ipb[0], ipn[0]);
	gh_complete(&fr, 2, NULL, GH_PT_IPV4, ipb[1], ipn[1]);
	fr.len -= 5;
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	CHECK_EQ_U(sink.n, 3);
	CHECK(gh_rec_is(&sink, 2, ipb[0], ipn[0]));
	CHECK_EQ_U(sink.err[DECAP_GSE_HDR], 2);
	gse_demux_free(d);
}

/*
 * Four PDUs on Frag_IDs 7, 200, 0 and 255, fragments round robin in
 * 1500-byte frames, so each frame carries pieces of three or four.
 */
static void
test_frag_interleaved(void)
{
	static const uint8_t fid[4] = { 7, 200, 0, 255 };
	static const int lt[4] = { 0, 1, 2, 0 };
	struct gse_demux *d;
	int i, left = 4, frames = 0, done[4] = { 0 };

	REQUIRE(make_ips());
	ipn[0] = gh_ip(ipb[0], sizeof(ipb[0]), AF_INET, 20000, 11);
	ipn[2] = gh_ip(ipb[2], sizeof(ipb[2]), AF_INET6, 6000, 12);
	d = new_demux();
	REQUIRE(d != NULL);
	for (i = 0; i < 4; i++)
		gh_frag_init(&fg[i], fid[i], lt[i], lt[i] ? lab3 : mac6,
		    i == 2 ? GH_PT_IPV6 : GH_PT_IPV4, ipb[i], ipn[i]);
	while (left > 0 && frames < 200) {
		gh_frame_init(&fr, GH_MATYPE_GS, 1500);
		for (i = 0; i < 4; i++)
			if (!done[i] && gh_frag_some(&fg[i], &fr, 400) == 1) {
				done[i] = 1;
				left--;
			}
		gh_frame_end(&fr);
		gse_demux_frame(d, fr.b, fr.len);
		frames++;
	}
	CHECK(frames > 20);
	CHECK_EQ_U(sink.n, 4);
	for (i = 0; i < 4; i++)
		CHECK(gh_delivered_once(&sink, ipb[i], ipn[i]));
	CHECK_EQ_U(gh_err_total(&sink), 0);
	gse_demux_free(d);
}

/*
 * A first fragment may re-use the label of an earlier packet of its
 * frame (then it carries none); as the frame's first packet it is an
 * error, and the rest of that PDU is counted once as orphaned.
 */
static void
test_frag_label_reuse(void)
{
	struct gse_demux *d;

	REQUIRE(make_ips());
	d = new_demux();
	REQUIRE(d != NULL);
	gh_frag_init(&fg[0], 9, 3, NULL, GH_PT_IPV4, ipb[3], ipn[3]);
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_complete(&fr, 0, mac6, GH_PT_IPV4, ipb[0], ipn[0]);
	REQUIRE(gh_frag_first(&fg[0], &fr, 3000) == 0);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	REQUIRE(gh_frag_middle(&fg[0], &fr, 3000) == 0);
	REQUIRE(gh_frag_last(&fg[0], &fr) == 0);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	CHECK_EQ_U(sink.n, 2);
	CHECK(gh_rec_is(&sink, 1, ipb[3], ipn[3]));
	CHECK_EQ_U(gh_err_total(&sink), 0);

	gh_frag_init(&fg[0], 9, 3, NULL, GH_PT_IPV4, ipb[3], ipn[3]);
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	REQUIRE(gh_frag_first(&fg[0], &fr, 2000) == 0);
	REQUIRE(gh_frag_middle(&fg[0], &fr, 3000) == 0);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	REQUIRE(gh_frag_last(&fg[0], &fr) == 0);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	CHECK_EQ_U(sink.n, 2);
	CHECK_EQ_U(sink.err[DECAP_GSE_HDR], 1);
	CHECK_EQ_U(sink.err[DECAP_GSE_FRAG], 1);
	gse_demux_free(d);
}

/*
 * A stream of small frames mixing whole PDUs, fragments across frames, a
 * transport stream frame, padding and a corrupt header.
 */
static void
build_mixed_stream(void)
{
	st.len = 0;
	gh_frag_init(&fg[0], 1, 0, mac6, GH_PT_IPV4, ipb[1], ipn[1]);
	gh_frag_init(&fg[1], 2, 2, NULL, GH_PT_IPV6, ipb[2], ipn[2]);
	gh_frame_init(&fr, GH_MATYPE_GS, 600);
	gh_complete(&fr, 0, mac6, GH_PT_IPV4, ipb[0], ipn[0]);
	gh_complete(&fr, 3, NULL, GH_PT_IPV4, ipb[0], ipn[0]);
	gh_frag_first(&fg[0], &fr, 300);
	gh_frame_end(&fr);
	gh_stream_add(&st, &fr);
	gh_frame_init(&fr, GH_MATYPE_GS, 600);
	gh_frag_middle(&fg[0], &fr, 400);
	gh_frag_first(&fg[1], &fr, 150);
	gh_frame_end(&fr);
	gh_stream_add(&st, &fr);
	gh_frame_init(&fr, GH_MATYPE_TS, 376);
	gh_complete(&fr, 2, NULL, GH_PT_IPV4, ipb[0], ipn[0]);
	gh_frame_end(&fr);
	gh_stream_add(&st, &fr);
	gh_frame_init(&fr, GH_MATYPE_GS, 800);
	gh_frag_last(&fg[0], &fr);
	gh_frag_last(&fg[1], &fr);
	gh_padding(&fr, 20);
	gh_frame_end(&fr);
	gh_stream_add(&st, &fr);
	frame_one(&fr, 0);
	fr.b[3] ^= 0x10;		/* UPL: the CRC-8 no longer matches */
	gh_stream_add(&st, &fr);
	frame_one(&fr, 0);
	gh_stream_add(&st, &fr);
}

static int
same_as_reference(const struct gh_sink *ref)
{
	size_t i;

	if (sink.n != ref->n || memcmp(sink.err, ref->err, sizeof(sink.err)))
		return 0;
	for (i = 0; i < ref->n; i++)
		if (!gh_rec_is(&sink, i, ref->rec[i].p, ref->rec[i].len))
			return 0;
	return 1;
}

static void
test_chunking(void)
{
	static struct gh_sink ref;
	struct gse_demux *d;
	size_t k, off, c, bad = 0;
	int r;

	REQUIRE(make_ips());
	build_mixed_stream();
	d = new_demux();
	REQUIRE(d != NULL);
	gse_demux_input(d, st.b, st.len);
	gse_demux_free(d);
	/* 2 whole, 2 reassembled, the one after the corrupt frame. */
	CHECK_EQ_U(sink.n, 5);
	CHECK(gh_rec_is(&sink, 1, ipb[0], ipn[0]));
	CHECK(gh_rec_is(&sink, 2, ipb[1], ipn[1]));
	CHECK(gh_rec_is(&sink, 3, ipb[2], ipn[2]));
	CHECK(gh_rec_is(&sink, 4, ipb[0], ipn[0]));
	CHECK_EQ_U(sink.err[DECAP_BB_MODE], 1);
	CHECK_EQ_U(sink.err[DECAP_BB_HDR], 1);
	CHECK_EQ_U(gh_err_total(&sink), 2);
	memcpy(&ref, &sink, sizeof(ref));
	sink.n = 0;			/* ref owns the records now */
	for (k = 0; k <= st.len; k++) {
		d = new_demux();
		gse_demux_input(d, st.b, k);
		gse_demux_input(d, st.b + k, st.len - k);
		gse_demux_free(d);
		if (!same_as_reference(&ref) && bad++ == 0)
			fprintf(stderr, "first bad split at %zu\n", k);
	}
	CHECK_EQ_U(bad, 0);
	for (r = 0; r < 100; r++) {
		d = new_demux();
		rng_seed(100 + (uint64_t)r);
		for (off = 0; off < st.len; off += c) {
			c = r == 0 ? 1 : 1 + rng_below(r < 50 ? 20 : 2000);
			if (c > st.len - off)
				c = st.len - off;
			gse_demux_input(d, st.b + off, c);
		}
		gse_demux_free(d);
		bad += !same_as_reference(&ref);
	}
	CHECK_EQ_U(bad, 0);
	gh_sink_clear(&ref);
}

/*
 * Garbage before the first frame and a torn frame (its header broken)
 * inside the stream: each counted once, and the frames after them are
 * found again.
 */
static void
test_resync(void)
{
	struct gse_demux *d;
	size_t i, k, torn;

	REQUIRE(make_ips());
	gh_garbage(st.b, 3000, 42);
	st.len = 3000;
	for (k = 0; k < 3; k++) {
		frame_one(&fr, (int)k);
		gh_stream_add(&st, &fr);
	}
	torn = st.len;
	memcpy(st.b + st.len, st.b + 3000, 40);
	st.b[st.len + 2] ^= 0x01;
	st.len += 40;
	frame_one(&fr, 0);
	gh_stream_add(&st, &fr);
	for (i = 0, k = 0; i < 3000; i++)
		k += gh_is_header(st.b + i);
	REQUIRE(k == 0);		/* not even across into frame 0 */
	for (i = 0, k = 0; i + GSE_BBHEADER <= fr.len + 40; i++)
		k += gh_is_header(st.b + torn + i);
	REQUIRE(k == 1);		/* frame 3's own header */
	d = new_demux();
	REQUIRE(d != NULL);
	gse_demux_input(d, st.b, st.len);
	CHECK_EQ_U(sink.n, 4);
	for (k = 0; k < 3; k++)
		CHECK(gh_rec_is(&sink, k, ipb[k], ipn[k]));
	CHECK(gh_rec_is(&sink, 3, ipb[0], ipn[0]));
	CHECK_EQ_U(sink.err[DECAP_BB_HDR], 2);
	CHECK_EQ_U(gh_err_total(&sink), 2);
	gse_demux_free(d);
}

/* A header tampered with after its CRC, or a frame of another mode. */
static const struct {
	const char	*name;
	uint8_t		matype1;
	uint32_t	dfl_bits;	/* 0: the real one */
	uint8_t		crc_xor;
	int		err;		/* counter bumped, -1 none */
} hdr_cases[] = {
	{ "good", GH_MATYPE_GS, 0, 0, -1 },
	{ "crc", GH_MATYPE_GS, 0, 0x01, DECAP_BB_HDR },
	{ "dfl not bytes", GH_MATYPE_GS, 8 * 200 + 3, 0, DECAP_BB_HDR },
	{ "dfl too big", GH_MATYPE_GS, 8 * (GSE_DFL_MAX + 1), 0,
	  DECAP_BB_HDR },
	{ "transport", GH_MATYPE_TS, 0, 0, DECAP_BB_MODE },
	{ "packetized", 0x30, 0, 0, DECAP_BB_MODE },
	{ "gse-hem", GH_MATYPE_HEM, 0, 0, -1 },
	{ "gse-hem mode 1", GH_MATYPE_HEM, 0, 0x01, -1 },
	{ "gcs mode 1", GH_MATYPE_GS, 0, 0x01, DECAP_BB_HDR },
};

static void
test_bb_headers(void)
{
	struct gse_demux *d;
	size_t c;
	int api, want;

	REQUIRE(make_ips());
	for (c = 0; c < sizeof(hdr_cases) / sizeof(hdr_cases[0]); c++)
	for (api = 0; api < 2; api++) {
		d = new_demux();
		REQUIRE(d != NULL);
		gh_frame_init(&fr, hdr_cases[c].matype1, 0);
		gh_complete(&fr, 2, NULL, GH_PT_IPV4, ipb[1], ipn[1]);
		gh_padding(&fr, 2000 - (fr.len - GSE_BBHEADER));
		gh_frame_end(&fr);
		if (hdr_cases[c].dfl_bits != 0) {
			put16(fr.b + 4, hdr_cases[c].dfl_bits);
			fr.b[9] = decap_crc8(fr.b, 9);
		}
		fr.b[9] ^= hdr_cases[c].crc_xor;
		if (api == 0)
			gse_demux_frame(d, fr.b, fr.len);
		else
			gse_demux_input(d, fr.b, fr.len);
		want = hdr_cases[c].err < 0;
		if (sink.n != (size_t)want)
			fprintf(stderr, "case %s api %d\n", hdr_cases[c].name,
			    api);
		CHECK_EQ_U(sink.n, want);
		CHECK_EQ_U(gh_err_total(&sink), !want);
		if (!want)
			CHECK_EQ_U(sink.err[hdr_cases[c].err], 1);
		gse_demux_free(d);
	}
}

static void
test_frame_api(void)
{
	struct gse_demux *d;
	uint8_t big[GH_FRAME_MAX + 100];

	REQUIRE(make_ips());
	d = new_demux();
	REQUIRE(d != NULL);
	frame_one(&fr, 0);
	memcpy(big, fr.b, fr.len);
	memset(big + fr.len, 0xa5, 100);
	gse_demux_frame(d, big, fr.len + 100);	/* trailing bytes ignored */
	CHECK_EQ_U(sink.n, 1);
	gse_demux_frame(d, big, fr.len - 1);	/* shorter than DFL says */
	gse_demux_frame(d, big, 9);
	gse_demux_frame(d, NULL, 0);
	CHECK_EQ_U(sink.n, 1);
	CHECK_EQ_U(sink.err[DECAP_BB_HDR], 3);
	gse_demux_input(d, NULL, 5);
	gse_demux_frame(NULL, big, fr.len);
	gse_demux_input(NULL, big, fr.len);
	gse_demux_free(NULL);
	CHECK_EQ_U(gh_err_total(&sink), 3);
	gse_demux_free(d);
}

/* Protocol_Type chains: extension headers ahead of the IP packet. */
static const struct {
	const char	*name;
	const char	*ext;		/* Protocol_Type, extension bytes */
	size_t		n;
	int		ok;
} ext_cases[] = {
	{ "ipv4", "\x08\x00", 2, 1 },
	{ "padding ext", "\x01\x00\x08\x00", 4, 1 },
	{ "timestamp ext", "\x03\x01\x12\x34\x56\x78\x08\x00", 8, 1 },
	{ "two exts", "\x01\x00\x02\x05\x00\x00\x08\x00", 8, 1 },
	{ "mandatory bridged", "\x00\x01", 2, 0 },
	{ "test sndu", "\x00\x00", 2, 0 },
	{ "arp", "\x08\x06", 2, 0 },
	{ "h-len 6", "\x06\x01\0\0\0\0\0\0\0\0\0\0\x08\x00", 14, 0 },
	{ "ext to arp", "\x01\x00\x08\x06", 4, 0 },
	{ "nine exts", "\x01\x00\x01\x00\x01\x00\x01\x00\x01\x00\x01\x00"
	  "\x01\x00\x01\x00\x01\x00\x08\x00", 20, 0 },
};

static void
test_ext_headers(void)
{
	static uint8_t pdu[4200];
	struct gse_demux *d;
	size_t c, n;

	REQUIRE(make_ips());
	for (c = 0; c < sizeof(ext_cases) / sizeof(ext_cases[0]); c++) {
		d = new_demux();
		REQUIRE(d != NULL);
		n = ext_cases[c].n - 2;
		memcpy(pdu, ext_cases[c].ext + 2, n);
		memcpy(pdu + n, ipb[1], ipn[1]);
		gh_frame_init(&fr, GH_MATYPE_GS, 0);
		gh_complete(&fr, 0, mac6,
		    (uint16_t)gh_rd16(ext_cases[c].ext), pdu, n + ipn[1]);
		gh_frame_end(&fr);
		gse_demux_frame(d, fr.b, fr.len);
		/* And fragmented. */
		gh_frag_init(&fg[0], 1, 1, lab3,
		    (uint16_t)gh_rd16(ext_cases[c].ext), pdu, n + ipn[1]);
		gh_frame_init(&fr, GH_MATYPE_GS, 0);
		gh_frag_first(&fg[0], &fr, 9);
		gh_frag_last(&fg[0], &fr);
		gh_frame_end(&fr);
		gse_demux_frame(d, fr.b, fr.len);
		if (sink.n != (ext_cases[c].ok ? 2u : 0u))
			fprintf(stderr, "case %s\n", ext_cases[c].name);
		CHECK_EQ_U(sink.n, ext_cases[c].ok ? 2 : 0);
		CHECK(!ext_cases[c].ok || gh_rec_is(&sink, 1, ipb[1], ipn[1]));
		CHECK_EQ_U(sink.err[DECAP_GSE_TYPE], ext_cases[c].ok ? 0 : 2);
		gse_demux_free(d);
	}
	/* An IP type with nothing after the label. */
	d = new_demux();
	REQUIRE(d != NULL);
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_complete(&fr, 0, mac6, GH_PT_IPV6, NULL, 0);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	CHECK_EQ_U(sink.n, 0);
	CHECK_EQ_U(sink.err[DECAP_GSE_HDR], 1);
	gse_demux_free(d);
}

TEST_MAIN(TEST(test_complete_labels), TEST(test_label_reuse),
    TEST(test_bad_packets), TEST(test_padding), TEST(test_frag_interleaved),
    TEST(test_frag_label_reuse), TEST(test_chunking), TEST(test_resync),
    TEST(test_bb_headers), TEST(test_frame_api), TEST(test_ext_headers))
