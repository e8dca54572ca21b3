/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gse_fixture.h: the state and helpers test_gse_demux.c and
 * test_gse_demux_frag.c share (on top of gse_harness.h): one recording
 * sink, a frame, fragment builders and four IP packets.  Each test binary
 * includes it once.
 */
#ifndef NIPCACHE_GSE_FIXTURE_H
#define NIPCACHE_GSE_FIXTURE_H

#include "gse_harness.h"

static GH_UNUSED const uint8_t mac6[6] = {
	0x01, 0x00, 0x5e, 0x01, 0x01, 0x01
};
static GH_UNUSED const uint8_t lab3[3] = { 0xaa, 0xbb, 0xcc };

static struct gh_sink sink;
static struct gh_frame fr;
static GH_UNUSED struct gh_frag fg[4];
static uint8_t ipb[4][65536];
static size_t ipn[4];
static GH_UNUSED struct gh_stream st;

static struct gse_demux *
new_demux(void)
{
	gh_sink_clear(&sink);
	gh_sink_init(&sink);
	return gse_demux_new(&sink.out);
}

/* A frame holding one whole IPv4 PDU i, for filler and markers. */
static GH_UNUSED void
frame_one(struct gh_frame *f, int i)
{
	gh_frame_init(f, GH_MATYPE_GS, 0);
	gh_complete(f, 2, NULL, (ipb[i][0] >> 4) == 6 ? GH_PT_IPV6 :
	    GH_PT_IPV4, ipb[i], ipn[i]);
	gh_frame_end(f);
}

static int
make_ips(void)
{
	ipn[0] = gh_ip(ipb[0], sizeof(ipb[0]), AF_INET, 100, 1);
	ipn[1] = gh_ip(ipb[1], sizeof(ipb[1]), AF_INET, 1000, 2);
	ipn[2] = gh_ip(ipb[2], sizeof(ipb[2]), AF_INET6, 500, 3);
	ipn[3] = gh_ip(ipb[3], sizeof(ipb[3]), AF_INET, 9000, 4);
	return ipn[0] && ipn[1] && ipn[2] && ipn[3];
}

#endif
