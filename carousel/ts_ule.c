/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ts_ule.c: ULE SNDUs (RFC 4326) once ts_demux.c has reassembled them
 * from TS packets: the Length check, the CRC-32, the chain of extension
 * headers after the Type field, and the delivery of IPv4/IPv6 PDUs.
 *
 * SNDU: D(1) Length(15) Type(16) [NPA address(6) if D = 0] PDU CRC-32(32).
 * Length counts from after Type to the end of the CRC.  A Type below
 * 0x0600 is an extension header: 5 zero bits, H-LEN(3), H-Type(8).
 * H-LEN 0 is a Mandatory header that decides the rest of the SNDU; H-LEN
 * 1..5 an Optional one of 2 * H-LEN bytes whose last two hold the next
 * Type, skipped if not understood.
 */
#include "ts_demux_int.h"

#define ULE_ETHERTYPE_MIN	0x0600
#define ULE_NPA_LEN		6
#define ULE_EXT_TEST		0x00	/* Test-SNDU: discard */
#define ULE_EXT_BRIDGED		0x01	/* Bridged-SNDU: an Ethernet frame */
#define ULE_MAX_EXT		8	/* Optional headers followed at most */
#define ETH_HDR_LEN		14

static int
ule_is_ip(unsigned type)
{
	return type == 0x0800 || type == 0x86dd;
}

size_t
ts_ule_length(struct ts_demux *d, const uint8_t *p)
{
	size_t len = (size_t)(p[0] & 0x7f) << 8 | p[1];
	size_t min = 4;

	/* D = 0: the NPA address is inside Length too. */
	if ((p[0] & 0x80) == 0)
		min += ULE_NPA_LEN;
	if (len < min) {
		ts_count(d, DECAP_ULE_LEN);
		return 0;
	}
	return 4 + len;
}

/* A PDU of type type (an EtherType). */
static void
ule_ether(struct ts_demux *d, const uint8_t *p, size_t n, unsigned type)
{
	if (!ule_is_ip(type)) {
		ts_count(d, DECAP_ULE_TYPE);
		return;
	}
	if (n == 0) {
		ts_count(d, DECAP_ULE_LEN);
		return;
	}
	ts_deliver(d, p, n);
}

/* What follows a Mandatory extension header of type htype. */
static void
ule_mandatory(struct ts_demux *d, const uint8_t *p, size_t n, unsigned htype)
{
	switch (htype) {
	case ULE_EXT_TEST:
		return;
	case ULE_EXT_BRIDGED:
		/* Destination MAC, source MAC, EtherType, payload. */
		if (n < ETH_HDR_LEN) {
			ts_count(d, DECAP_ULE_LEN);
			return;
		}
		ule_ether(d, p + ETH_HDR_LEN, n - ETH_HDR_LEN,
		    (unsigned)p[12] << 8 | p[13]);
		return;
	default:
		ts_count(d, DECAP_ULE_TYPE);
		return;
	}
}

/*
 * Follow the Type chain from offset off to the PDU, which ends at end
 * (where the CRC starts).
 */
static void
ule_types(struct ts_demux *d, const uint8_t *s, size_t off, size_t end,
    unsigned type)
{
	unsigned i, hlen;

	for (i = 0; i <= ULE_MAX_EXT; i++) {
		if (type >= ULE_ETHERTYPE_MIN) {
			ule_ether(d, s + off, end - off, type);
			return;
		}
		hlen = type >> 8;
		if (hlen == 0) {
			ule_mandatory(d, s + off, end - off, type & 0xff);
			return;
		}
		if (end - off < 2 * hlen) {
			ts_count(d, DECAP_ULE_LEN);
			return;
		}
		off += 2 * hlen;
		type = (unsigned)s[off - 2] << 8 | s[off - 1];
	}
	ts_count(d, DECAP_ULE_TYPE);
}

void
ts_ule_sndu(struct ts_demux *d, const uint8_t *s, size_t len)
{
	size_t off = 4;

	/* Over the whole SNDU, CRC included, the MPEG-2 CRC leaves 0. */
	if (decap_crc32(0xffffffffu, s, len) != 0) {
		ts_count(d, DECAP_ULE_CRC);
		return;
	}
	/* The receiver's NPA address is not filtered on, like the MAC. */
	if ((s[0] & 0x80) == 0)
		off += ULE_NPA_LEN;
	ule_types(d, s, off, len - 4, (unsigned)s[2] << 8 | s[3]);
}
