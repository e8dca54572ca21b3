/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decap.c: the counters' names and the DVB checksums shared by the
 * decapsulators.  Table driven; the tables are built on first use.
 */
#include "decap.h"

static const char *const err_names[DECAP_NERR] = {
	[DECAP_TS_SYNC] = "ts_sync",
	[DECAP_TS_TEI] = "ts_tei",
	[DECAP_TS_CC] = "ts_cc",
	[DECAP_TS_SCRAMBLED] = "ts_scrambled",
	[DECAP_TS_AF] = "ts_adaptation",
	[DECAP_SECT_POINTER] = "section_pointer",
	[DECAP_SECT_LEN] = "section_length",
	[DECAP_SECT_CRC] = "section_crc",
	[DECAP_SECT_TRUNC] = "section_truncated",
	[DECAP_MPE_FLAGS] = "mpe_flags",
	[DECAP_PSI] = "psi",
	[DECAP_ULE_LEN] = "ule_length",
	[DECAP_ULE_CRC] = "ule_crc",
	[DECAP_ULE_TYPE] = "ule_type",
	[DECAP_BB_HDR] = "bbheader",
	[DECAP_BB_MODE] = "bbframe_mode",
	[DECAP_GSE_HDR] = "gse_header",
	[DECAP_GSE_FRAG] = "gse_fragment",
	[DECAP_GSE_CRC] = "gse_crc",
	[DECAP_GSE_TYPE] = "gse_type",
	[DECAP_PCAP_HDR] = "pcap_header",
	[DECAP_PCAP_TRUNC] = "pcap_truncated",
	[DECAP_PCAP_LINK] = "pcap_link",
	[DECAP_INT_LIMIT] = "int_limit",
};

const char *
decap_err_name(int e)
{
	if (e < 0 || e >= DECAP_NERR || err_names[e] == NULL)
		return "?";
	return err_names[e];
}

/*
 * Byte-wise tables, computed once.  Racing first callers compute the same
 * values, so the only cost of the race is the work done twice; the flag
 * is atomic so the tables are seen complete.
 */
static uint32_t crc32_tab[256];
static uint8_t crc8_tab[256];
static _Atomic int tabs_ready;

static void
tabs_init(void)
{
	uint32_t c;
	uint8_t b;
	int i, k;

	for (i = 0; i < 256; i++) {
		c = (uint32_t)i << 24;
		for (k = 0; k < 8; k++)
			c = (c & 0x80000000u) ? (c << 1) ^ 0x04C11DB7u : c << 1;
		crc32_tab[i] = c;
		b = (uint8_t)i;
		for (k = 0; k < 8; k++)
			b = (uint8_t)((b & 0x80) ? (b << 1) ^ 0xD5 : b << 1);
		crc8_tab[i] = b;
	}
	tabs_ready = 1;
}

uint32_t
decap_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	size_t i;

	if (!tabs_ready)
		tabs_init();
	for (i = 0; i < n; i++)
		crc = (crc << 8) ^ crc32_tab[((crc >> 24) ^ p[i]) & 0xff];
	return crc;
}

uint8_t
decap_crc8(const uint8_t *p, size_t n)
{
	uint8_t crc = 0;
	size_t i;

	if (!tabs_ready)
		tabs_init();
	for (i = 0; i < n; i++)
		crc = crc8_tab[crc ^ p[i]];
	return crc;
}
