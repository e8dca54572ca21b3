/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipudp_mac.c: the link-layer destination of an IP packet, shared by the
 * writers that need one (MPE sections, GSE labels, Ethernet pcap).
 */
#include <string.h>

#include "ipudp.h"

void
ipudp_dst_mac(const uint8_t *ip, size_t len, uint8_t mac[6])
{
	static const uint8_t unicast[6] = { 0x02, 0, 0, 0, 0, 0x01 };

	memcpy(mac, unicast, 6);
	if (len >= 20 && (ip[0] >> 4) == 4 && (ip[16] & 0xf0) == 0xe0) {
		/* RFC 1112: 01:00:5e and the low 23 bits of the group. */
		mac[0] = 0x01;
		mac[1] = 0x00;
		mac[2] = 0x5e;
		mac[3] = ip[17] & 0x7f;
		mac[4] = ip[18];
		mac[5] = ip[19];
	} else if (len >= 40 && (ip[0] >> 4) == 6 && ip[24] == 0xff) {
		/* RFC 2464: 33:33 and the low 32 bits of the group. */
		mac[0] = 0x33;
		mac[1] = 0x33;
		memcpy(mac + 2, ip + 36, 4);
	}
}
