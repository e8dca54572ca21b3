/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fdt_harness.h: what test_fdt.c and test_fdt_hostile.c share: real FDT
 * instances (GPAC, rt-libflute, one with every feature), a document
 * builder and small helpers.  All static and marked unused.
 */
#ifndef NIPCACHE_FDT_HARNESS_H
#define NIPCACHE_FDT_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../carousel/fdt.h"
#include "../../daemon/util.h"
#include "test.h"

#define FDTH_UNUSED	__attribute__((unused))
#define EXPIRES	"3979630922"
#define SHA_EMPTY_B64	"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
#define SHA_EMPTY_HEX	\
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* FDT instance 1 of TSI 1 in gpac-mabr-hls.pcap, as sent. */
static const char gpac_fdt[] =
"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\" ?>\n"
"<FDT-Instance Expires=\"4294944000\" xmlns=\"urn:IETF:metadata:2005:FLUTE:FDT\">\n"
"<File FEC-OTI-FEC-Encoding-ID=\"0\" FEC-OTI-Maximum-Source-Block-Length=\"65535\" Content-Length=\"2670\" Transfer-Length=\"2670\" Content-Location=\"urn:dvb:metadata:cs:MulticastTransportObjectTypeCS:2021:gateway-configuration\" Content-Type=\"application/xml+dvb-mabr-session-configuration\" FEC-OTI-Encoding-Symbol-Length=\"1416\" TOI=\"1\" Content-MD5=\"I/y/rqNER3SF4ftSY3TY+Q==\"/>\n"
"<File FEC-OTI-FEC-Encoding-ID=\"0\" FEC-OTI-Maximum-Source-Block-Length=\"65535\" Content-Length=\"297\" Transfer-Length=\"297\" Content-Location=\"tag:mabr.gpac.io.2025.services.4294967295/live.m3u8\" Content-Type=\"video/mpegurl\" FEC-OTI-Encoding-Symbol-Length=\"1416\" TOI=\"2\" Content-MD5=\"pY6+Qd6/WF0hmwXgC49o2A==\"/>\n"
"<File FEC-OTI-FEC-Encoding-ID=\"0\" FEC-OTI-Maximum-Source-Block-Length=\"65535\" Content-Length=\"947\" Transfer-Length=\"947\" Content-Location=\"tag:mabr.gpac.io.2025.services.4294967295/src_dash_track1_init.mp4\" Content-Type=\"video/mp4\" FEC-OTI-Encoding-Symbol-Length=\"1416\" TOI=\"3\" Content-MD5=\"BXeA9/PZ8NB5uxhbAt9vjQ==\"/>\n"
"<File FEC-OTI-FEC-Encoding-ID=\"0\" FEC-OTI-Maximum-Source-Block-Length=\"65535\" Content-Length=\"176\" Transfer-Length=\"176\" Content-Location=\"tag:mabr.gpac.io.2025.services.4294967295/live_1.m3u8\" Content-Type=\"application/vnd.apple.mpegURL\" FEC-OTI-Encoding-Symbol-Length=\"1416\" TOI=\"4\" Content-MD5=\"0+IqnQlrhk713ABsP/9FYg==\"/>\n"
"<File FEC-OTI-FEC-Encoding-ID=\"0\" FEC-OTI-Maximum-Source-Block-Length=\"65535\" Content-Length=\"871\" Transfer-Length=\"871\" Content-Location=\"tag:mabr.gpac.io.2025.services.4294967295/src_dash_track2_init.mp4\" Content-Type=\"video/mp4\" FEC-OTI-Encoding-Symbol-Length=\"1416\" TOI=\"5\" Content-MD5=\"wNym3qOZOAwQ/ChU9QJDZg==\"/>\n"
"<File FEC-OTI-FEC-Encoding-ID=\"0\" FEC-OTI-Maximum-Source-Block-Length=\"65535\" Content-Length=\"180\" Transfer-Length=\"180\" Content-Location=\"tag:mabr.gpac.io.2025.services.4294967295/live_2.m3u8\" Content-Type=\"application/vnd.apple.mpegURL\" FEC-OTI-Encoding-Symbol-Length=\"1416\" TOI=\"6\" Content-MD5=\"Dt6vghfSEH3Jbm0ivpyrpg==\"/>\n"
"</FDT-Instance>\n";

/* FDT instance 7 of libflute-hls.pcap, as sent (instance-level OTI). */
static const char libflute_fdt[] =
"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
"<FDT-Instance xmlns=\"urn:IETF:metadata:2005:FLUTE:FDT\" Expires=\"4004243277\" FEC-OTI-FEC-Encoding-ID=\"0\" FEC-OTI-Maximum-Source-Block-Length=\"64\" FEC-OTI-Encoding-Symbol-Length=\"1436\" xmlns:mbms2007=\"urn:3GPP:metadata:2007:MBMS:FLUTE:FDT\" xmlns:mbms2012=\"urn:3GPP:metadata:2012:MBMS:FLUTE:FDT\">\n"
"    <File TOI=\"1\" Content-Location=\"index.m3u8\" Content-Length=\"159\" Transfer-Length=\"159\" Content-MD5=\"o/ljKptk5wsGFIZiLGCf/A==\" Content-Type=\"application/octet-stream\"/>\n"
"    <File TOI=\"2\" Content-Location=\"seg1.m4s\" Content-Length=\"300000\" Transfer-Length=\"300000\" Content-MD5=\"pzg3rYjYvsYsCrZ+j1dLvA==\" Content-Type=\"application/octet-stream\"/>\n"
"    <File TOI=\"3\" Content-Location=\"seg2.m4s\" Content-Length=\"300000\" Transfer-Length=\"300000\" Content-MD5=\"1JIk5QBYqFGgj9kvQ6XgWA==\" Content-Type=\"application/octet-stream\"/>\n"
"    <File TOI=\"4\" Content-Location=\"seg3.m4s\" Content-Length=\"300000\" Transfer-Length=\"300000\" Content-MD5=\"I9tIFfk95JoEe5ycJyGRBA==\" Content-Type=\"application/octet-stream\"/>\n"
"    <File TOI=\"5\" Content-Location=\"seg4.m4s\" Content-Length=\"300000\" Transfer-Length=\"300000\" Content-MD5=\"LippTKgiG74SmE0NRWfhIA==\" Content-Type=\"application/octet-stream\"/>\n"
"    <File TOI=\"6\" Content-Location=\"seg5.m4s\" Content-Length=\"300000\" Transfer-Length=\"300000\" Content-MD5=\"Y4/4jffcINndRx0khJVsOA==\" Content-Type=\"application/octet-stream\"/>\n"
"    <File TOI=\"7\" Content-Location=\"big.txt\" Content-Length=\"1288895\" Transfer-Length=\"1288895\" Content-MD5=\"DhBCah1b3f/O8C8TRXhxKA==\" Content-Type=\"application/octet-stream\"/>\n"
"</FDT-Instance>\n";

/* A richer document for truncation and mutation: every feature once. */
static const char rich_fdt[] =
"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
"<!-- a comment with > and \" and = = = -->\n"
"<ns2:FDT-Instance xmlns:ns2=\"urn:3GPP:metadata:2022:FLUTE:FDT\""
" xmlns:mbms2007=\"urn:3GPP:metadata:2007:MBMS:FLUTE:FDT\""
" xmlns:mbms2008=\"urn:3GPP:metadata:2008:MBMS:FLUTE:FDT_ext\""
" xmlns:dvb=\"urn:dvb:metadata:ExtendedFileDeliveryTable:2022\""
" Expires=\"" EXPIRES "\" Complete=\"true\" mbms2008:FullFDT=\"true\""
" Content-Type=\"video/mp4\" FEC-OTI-FEC-Encoding-ID=\"0\""
" FEC-OTI-Maximum-Source-Block-Length=\"64\""
" FEC-OTI-Encoding-Symbol-Length=\"1428\">\n"
" <ns2:File TOI=\"5192296858534827628530496329220095\""
" Content-Location=\"http://dvb.gw/a/b.m4s?x=1&amp;y=2\""
" Content-Length=\"1000\" Transfer-Length=\"600\" Content-Encoding=\"gzip\""
" Content-MD5=\"I/y/rqNER3SF4ftSY3TY+Q==\""
" dvb:Content-Digest=\"sha-256=:" SHA_EMPTY_B64 ":\">\n"
"  <mbms2007:Cache-Control><mbms2007:Expires>3979631000</mbms2007:Expires>"
"</mbms2007:Cache-Control>\n"
" </ns2:File><?pi x=\"y\"?><!-- between -->\n"
" <ns2:File TOI=\"2\" Content-Location=\"index.m3u8\""
" FEC-OTI-Encoding-Symbol-Length=\"100\"><![CDATA[ <x a=1> ]]>"
"<mbms2007:Cache-Control><mbms2007:no-cache>true</mbms2007:no-cache>"
"</mbms2007:Cache-Control></ns2:File>\n"
"</ns2:FDT-Instance>\n";

static FDTH_UNUSED char big[8u << 20];

static FDTH_UNUSED int
parse(const char *xml, struct fdt **f, size_t *skipped)
{
	return fdt_parse(xml, strlen(xml), f, skipped);
}

/* One FDT with root attributes ra and the File elements in files. */
static FDTH_UNUSED const char *
doc(const char *ra, const char *files)
{
	snprintf(big, sizeof(big), "<FDT-Instance xmlns="
	    "\"urn:IETF:metadata:2005:FLUTE:FDT\" %s>%s</FDT-Instance>",
	    ra, files);
	return big;
}

/* One File with attributes fa and children body. */
static FDTH_UNUSED const char *
doc1(const char *fa, const char *body)
{
	static char file[1 << 16];

	snprintf(file, sizeof(file), "<File %s>%s</File>", fa, body);
	return doc("Expires=\"" EXPIRES "\"", file);
}

static FDTH_UNUSED const char *
hex(const uint8_t *p, size_t n)
{
	static char out[65];

	util_hex(p, n, out);
	return out;
}

#endif
