/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_gse_demux_frag.c: GSE fragment reassembly going wrong, against
 * BBFrames built by hand (gse_fixture.h): CRC-32 errors, lost and orphan
 * fragments, a reused Frag_ID, the 256-frame timeout, and fragments that
 * do not add up to Total_Length.
 */
#include "gse_fixture.h"

/* First, middle and last of PDU 3 on fid, one frame each. */
static void
send_frag(struct gse_demux *d, uint8_t fid, int skip_middle, int bad_crc)
{
	gh_frag_init(&fg[0], fid, 2, NULL, GH_PT_IPV4, ipb[3], ipn[3]);
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_frag_first(&fg[0], &fr, 3000);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_frag_middle(&fg[0], &fr, 3000);
	gh_frame_end(&fr);
	if (!skip_middle)
		gse_demux_frame(d, fr.b, fr.len);
	fg[0].crc ^= bad_crc ? 0x00010000u : 0;
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_frag_last(&fg[0], &fr);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
}

static void
test_frag_errors(void)
{
	struct gse_demux *d;

	REQUIRE(make_ips());
	d = new_demux();
	REQUIRE(d != NULL);
	send_frag(d, 3, 0, 1);
	CHECK_EQ_U(sink.n, 0);
	CHECK_EQ_U(sink.err[DECAP_GSE_CRC], 1);
	send_frag(d, 3, 1, 0);		/* middle lost */
	CHECK_EQ_U(sink.n, 0);
	CHECK_EQ_U(sink.err[DECAP_GSE_FRAG], 1);
	send_frag(d, 3, 0, 0);		/* the Frag_ID works again */
	CHECK_EQ_U(sink.n, 1);
	CHECK(gh_rec_is(&sink, 0, ipb[3], ipn[3]));
	/* A middle and a last without their start: one lost PDU. */
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	fg[0].off = fg[0].total - 300;
	REQUIRE(gh_frag_middle(&fg[0], &fr, 100) == 0);
	REQUIRE(gh_frag_last(&fg[0], &fr) == 0);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	CHECK_EQ_U(sink.err[DECAP_GSE_FRAG], 2);
	/* A last alone. */
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	fg[0].off = fg[0].total - 300;
	REQUIRE(gh_frag_last(&fg[0], &fr) == 0);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	CHECK_EQ_U(sink.err[DECAP_GSE_FRAG], 3);
	CHECK_EQ_U(sink.err[DECAP_GSE_CRC], 1);
	CHECK_EQ_U(gh_err_total(&sink), 4);
	CHECK_EQ_U(sink.n, 1);
	gse_demux_free(d);
}

/* A new start on a busy Frag_ID drops the old PDU, keeps the new. */
static void
test_reused_fragid(void)
{
	struct gse_demux *d;

	REQUIRE(make_ips());
	d = new_demux();
	REQUIRE(d != NULL);
	gh_frag_init(&fg[1], 5, 0, mac6, GH_PT_IPV4, ipb[1], ipn[1]);
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_frag_first(&fg[1], &fr, 200);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	send_frag(d, 5, 0, 0);
	/* The old PDU's last fragment now finds nothing to finish. */
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_frag_last(&fg[1], &fr);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	CHECK_EQ_U(sink.n, 1);
	CHECK(gh_rec_is(&sink, 0, ipb[3], ipn[3]));
	CHECK_EQ_U(sink.err[DECAP_GSE_FRAG], 2);
	CHECK_EQ_U(gh_err_total(&sink), 2);
	gse_demux_free(d);
}

static void
empty_frames(struct gse_demux *d, int n)
{
	struct gh_frame e;

	gh_frame_init(&e, GH_MATYPE_GS, 0);
	gh_frame_end(&e);
	while (n-- > 0)
		gse_demux_input(d, e.b, e.len);
}

/*
 * A reassembly may span 256 frames (its start's and 255 more); in the
 * 257th its last fragment comes too late, counted once.
 */
static void
test_timeout(void)
{
	struct gse_demux *d;
	int late;

	REQUIRE(make_ips());
	for (late = 0; late < 2; late++) {
		d = new_demux();
		REQUIRE(d != NULL);
		gh_frag_init(&fg[0], 77, 2, NULL, GH_PT_IPV4, ipb[3], ipn[3]);
		gh_frame_init(&fr, GH_MATYPE_GS, 0);
		gh_frag_first(&fg[0], &fr, 3000);
		gh_frag_middle(&fg[0], &fr, 3000);
		gh_frame_end(&fr);
		gse_demux_input(d, fr.b, fr.len);
		empty_frames(d, 254 + late);
		gh_frame_init(&fr, GH_MATYPE_GS, 0);
		gh_frag_last(&fg[0], &fr);
		gh_frame_end(&fr);
		gse_demux_input(d, fr.b, fr.len);
		CHECK_EQ_U(sink.n, !late);
		CHECK_EQ_U(sink.err[DECAP_GSE_FRAG], late);
		CHECK_EQ_U(gh_err_total(&sink), late);
		/* Much later the Frag_ID is idle: an orphan counts again. */
		empty_frames(d, 300);
		gse_demux_input(d, fr.b, fr.len);
		CHECK_EQ_U(sink.err[DECAP_GSE_FRAG], late + 1);
		gse_demux_free(d);
	}
}

/* Fragments that do not add up to Total_Length. */
static void
test_overflow(void)
{
	struct gse_demux *d;
	uint8_t hdr[3] = { 4, 0, 0 };

	REQUIRE(make_ips());
	d = new_demux();
	REQUIRE(d != NULL);
	/* Middles past Total_Length: counted once, the rest discarded. */
	gh_frag_init(&fg[0], 4, 2, NULL, GH_PT_IPV4, ipb[1], ipn[1]);
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_frag_first(&fg[0], &fr, 500);
	gh_frag_middle(&fg[0], &fr, 500);
	fg[0].off = 500;
	gh_frag_middle(&fg[0], &fr, 500);
	gh_frag_last(&fg[0], &fr);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	CHECK_EQ_U(sink.err[DECAP_GSE_FRAG], 1);
	/* A first fragment longer than its Total_Length. */
	put16(hdr + 1, 20);
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_pkt(&fr, 1, 0, 2, hdr, 3, ipb[0], 30, NULL, 0);
	/* Total_Length shorter than Protocol_Type and label. */
	put16(hdr + 1, 7);
	gh_pkt(&fr, 1, 0, 0, hdr, 3, ipb[0], 8, NULL, 0);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	CHECK_EQ_U(sink.err[DECAP_GSE_FRAG], 3);
	CHECK_EQ_U(sink.n, 0);
	CHECK_EQ_U(gh_err_total(&sink), 3);
	/* A whole PDU as one first fragment and an empty last one. */
	gh_frag_init(&fg[0], 4, 2, NULL, GH_PT_IPV4, ipb[0], ipn[0]);
	gh_frame_init(&fr, GH_MATYPE_GS, 0);
	gh_frag_first(&fg[0], &fr, fg[0].total);
	gh_frag_last(&fg[0], &fr);
	gh_frame_end(&fr);
	gse_demux_frame(d, fr.b, fr.len);
	CHECK_EQ_U(sink.n, 1);
	CHECK(gh_rec_is(&sink, 0, ipb[0], ipn[0]));
	gse_demux_free(d);
}

TEST_MAIN(TEST(test_frag_errors), TEST(test_reused_fragid),
    TEST(test_timeout), TEST(test_overflow))
