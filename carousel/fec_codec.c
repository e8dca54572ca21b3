/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fec_codec.c: the FEC codecs by Encoding ID (fec_codec.h).
 */
#include <stddef.h>

#include "fec_codec.h"

const struct fec_codec *
fec_codec_get(uint8_t fei)
{
	switch (fei) {
	case 5:
		return &fec_rs_codec;
	case 6:
		return &fec_rq_codec;
	default:
		return NULL;
	}
}
