/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flute_tx.h: the sending side of FLUTE v1 (RFC 3926) over ALC/LCT with
 * Compact No-Code FEC (FEI 0): LCT header and FDT instance builders, the
 * walk over an object's source symbols, and the small pure helpers that
 * nipcast needs (Content-Location, Content-Type, rates, HLS playlists).
 * Everything here is pure: buffers in, bytes out, no I/O, no allocation,
 * no globals.  Tests use it to make real packets for the receiver.
 * See ../shared/docs/protocols.md sections 1 to 3.
 */
#ifndef NIPCACHE_FLUTE_TX_H
#define NIPCACHE_FLUTE_TX_H

#include <stddef.h>
#include <stdint.h>

#include "fec.h"

#define FTX_SYMBOL_LEN		1428	/* default E: fits a 1500-byte MTU */
#define FTX_MAX_SBL		64	/* default B */
#define FTX_INSTANCE_MOD	(1u << 20) /* FDT Instance IDs wrap here */
#define FTX_NACI_NAME_MAX	64	/* NIPStreamProviderName bytes we write */
#define FTX_NACI_MAX_LEN	((12 + FTX_NACI_NAME_MAX + 3) & ~3) /* EXT_NACI */
#define FTX_MAX_HDR		(40 + FTX_NACI_MAX_LEN) /* header + FPI */
#define FTX_MAX_TRANSFER	((1ull << 48) - 1) /* EXT_FTI field width */

/*
 * EXT_NACI (HET 68, protocols.md 1.2): the DVB-NIP stream the packets
 * travel on.  The builder writes name_len bytes of the UTF-8 name, the
 * reserved byte as 0, and pads the extension with zeros to 32 bits.
 */
struct ftx_naci {
	uint16_t	network;	/* NIPNetworkID */
	uint16_t	carrier;	/* NIPCarrierID */
	uint16_t	link;		/* NIPLinkID */
	uint16_t	service;	/* NIPServiceID */
	uint8_t		name_len;	/* <= FTX_NACI_NAME_MAX */
	/* NIPStreamProviderName; ftx_naci_parse also NUL-terminates it. */
	uint8_t		name[FTX_NACI_NAME_MAX + 1];
};

/*
 * One ALC packet header.  The builder always writes V=1, C=0, S=1, O=1,
 * H=0 (32-bit TSI and TOI), the codepoint CP = fei and the FEC Payload ID
 * of that FEI (0: SBN16|ESI16, 5: SBN24|ESI8, 6: SBN8|ESI24), and adds
 * EXT_FDT (V=1), EXT_FTI (the FEI's layout, protocols.md 2.2) and EXT_NACI
 * when asked.  A zeroed struct is a Compact No-Code (FEI 0) packet.
 */
struct ftx_pkt {
	uint32_t	tsi;
	uint32_t	toi;
	uint8_t		close_object;	/* B flag */
	uint8_t		close_session;	/* A flag */
	uint8_t		has_fdt;	/* add EXT_FDT (TOI 0) */
	uint32_t	fdt_instance;	/* < FTX_INSTANCE_MOD */
	uint8_t		fei;		/* FTX_FEI_*: codepoint and layouts */
	uint8_t		has_fti;	/* add EXT_FTI (ftx_fti_len bytes) */
	uint64_t	transfer_len;	/* EXT_FTI L (F); see ftx_fec_valid */
	uint16_t	symbol_len;	/* EXT_FTI E (T) */
	uint32_t	max_sbl;	/* EXT_FTI B: FEI 0 32 bits, FEI 5 8 */
	uint16_t	max_n;		/* FEI 5 EXT_FTI max_n, <= 255 */
	uint8_t		z;		/* FEI 6 EXT_FTI Z, N and Al, */
	uint16_t	sub_blocks;	/* each >= 1 */
	uint8_t		al;
	uint32_t	sbn;		/* FEI 0: 16 bits, 5: 24, 6: 8 */
	uint32_t	esi;		/* FEI 0: 16 bits, 5: 8, 6: 24 */
	const struct ftx_naci *naci;	/* add EXT_NACI; NULL: none (borrowed) */
};

/* The FEC Encoding IDs the builder writes. */
#define FTX_FEI_NOCODE	0	/* Compact No-Code, RFC 5445 */
#define FTX_FEI_RS8	5	/* Reed-Solomon over GF(2^8), RFC 5510 */
#define FTX_FEI_RAPTORQ	6	/* RaptorQ, RFC 6330 */

/*
 * flute_tx_fec.c: the parts of a header that depend on the FEI.  Bytes of
 * EXT_FTI for h (0 without has_fti; 12 for FEI 5, else 16); whether the
 * payload ID, EXT_FTI and codepoint of h fit their wire widths; and the
 * writers of EXT_FTI and of the FEC Payload ID, which return the end.
 */
size_t	ftx_fti_len(const struct ftx_pkt *h);
int	ftx_fec_valid(const struct ftx_pkt *h);
uint8_t *ftx_put_fti(uint8_t *p, const struct ftx_pkt *h);
uint8_t *ftx_put_fpi(uint8_t *p, const struct ftx_pkt *h);

/* Bytes of EXT_NACI for a name of name_len bytes (12 to 76, or 0 if NULL). */
size_t	ftx_naci_len(const struct ftx_naci *n);
/* Bytes of LCT header plus FEC Payload ID that h needs (20 to FTX_MAX_HDR). */
size_t	ftx_header_len(const struct ftx_pkt *h);
/*
 * Write the header and FEC Payload ID of h into buf.  Returns their
 * length, or -1 if cap is too small or a field does not fit its width.
 */
int	ftx_write_header(const struct ftx_pkt *h, uint8_t *buf, size_t cap);
/* Header, then len payload bytes.  Returns the packet length or -1. */
int	ftx_build_packet(const struct ftx_pkt *h, const uint8_t *payload,
	    size_t len, uint8_t *buf, size_t cap);
/* The FDT Instance ID that follows id (modulo 2^20). */
uint32_t ftx_instance_next(uint32_t id);

/*
 * Symbols of an object in transmission order.  An object of L > 0 bytes
 * has p->t packets, one symbol each; an empty object still gets one
 * packet (SBN 0, ESI 0, no payload) so that it can carry the B flag.
 */
struct ftx_sym {
	uint32_t	sbn;
	uint32_t	esi;
	uint64_t	offset;		/* byte offset in the object */
	uint32_t	size;		/* payload bytes */
};

uint64_t ftx_packet_count(const struct fec_part *p);
/*
 * The source block length to use for t symbols: b, or more when b would
 * need more than 2^16 blocks (SBN is 16 bits).  0 if even a block of 2^16
 * symbols is not enough.
 */
uint32_t ftx_block_for(uint64_t t, uint32_t b);
/* Symbol idx (0 .. ftx_packet_count - 1) in order; 0, or -1 if too big. */
int	ftx_symbol(const struct fec_part *p, uint64_t idx, struct ftx_sym *out);

/*
 * A seeded pseudo-random permutation of 0 .. n-1 in constant memory
 * (a keyed bijection on the next power of two, with cycle walking), used
 * to send the symbols of a multi-gigabyte object in random order.
 */
struct ftx_perm {
	uint64_t	n;
	uint64_t	mask;
	unsigned	bits;
	uint64_t	key[4];
};

void	ftx_perm_init(struct ftx_perm *pm, uint64_t n, uint64_t seed);
/* The i-th element of the permutation; i < n. */
uint64_t ftx_perm_at(const struct ftx_perm *pm, uint64_t i);

/*
 * The packets of one object, as nipcast sends them: packet idx (0 ..
 * npk - 1, in transmission order) carries symbol sym with header h.  Data
 * packets carry the B flag on the last packet sent and, if fti_first is
 * set, EXT_FTI on the first; an FDT instance (TOI 0) carries EXT_FDT and
 * EXT_FTI on every packet and never B (TOI 0 stays open).
 */
struct ftx_object {
	struct ftx_pkt	hdr;		/* template: TSI, TOI, OTI */
	struct fec_part	part;
	uint64_t	npk;
	uint8_t		fti_first;
	uint8_t		shuffle;
	struct ftx_perm	perm;
};

/* 0, or -1 if the object cannot be partitioned for SBN16|ESI16. */
int	ftx_object_init(struct ftx_object *o, uint32_t tsi, uint32_t toi,
	    uint64_t len, uint16_t e, uint32_t b);
/* Make o the FDT instance with this ID (TOI 0). */
void	ftx_object_fdt(struct ftx_object *o, uint32_t instance);
/* Send the symbols in a seeded random order. */
void	ftx_object_shuffle(struct ftx_object *o, uint64_t seed);
/* Header and symbol of packet idx.  0, or -1 if idx >= npk. */
int	ftx_object_packet(const struct ftx_object *o, uint64_t idx,
	    struct ftx_pkt *h, struct ftx_sym *sym);

/* One File element of an FDT instance. */
struct ftx_file {
	uint32_t	toi;
	const char	*location;	/* Content-Location (escaped here) */
	uint64_t	content_len;	/* decoded length */
	uint64_t	transfer_len;	/* written only when encoding is set */
	const char	*content_type;	/* NULL: omitted */
	const char	*content_encoding; /* NULL: omitted; "gzip" */
	uint8_t		has_md5;
	uint8_t		md5[16];	/* of the decoded content */
	uint32_t	max_sbl;	/* 0, or a per-file B override */
	/*
	 * FEC other than No-Code: with fei != 0 the File carries its own
	 * FEC-OTI-FEC-Encoding-ID, -Maximum-Source-Block-Length (max_sbl),
	 * -Encoding-Symbol-Length, -Max-Number-of-Encoding-Symbols and,
	 * when ssi_len != 0, -Scheme-Specific-Info (base64 of ssi).
	 */
	uint8_t		fei;
	uint16_t	symbol_len;
	uint32_t	max_n;
	uint8_t		ssi_len;	/* <= 4 */
	uint8_t		ssi[4];		/* RaptorQ: Z(8) N(16) Al(8) */
};

/* Instance-wide attributes: Expires and the FEC OTI defaults. */
struct ftx_fdt_params {
	uint32_t	expires;	/* NTP seconds */
	uint16_t	symbol_len;
	uint32_t	max_sbl;
	uint8_t		complete;	/* Complete="true" */
};

/*
 * Write an FDT instance (urn:IETF:metadata:2005:FLUTE:FDT, NUL-terminated)
 * describing files[0 .. n) into buf.  When they do not all fit in cap
 * bytes, the instance describes the first *nout files that do, so a big
 * carousel can be announced in batches.  Returns the XML length (without
 * the NUL), or -1 if not even one file (or, for n = 0, the empty
 * instance) fits.
 */
int	ftx_fdt_build(const struct ftx_fdt_params *p,
	    const struct ftx_file *files, size_t n, char *buf, size_t cap,
	    size_t *nout);
/* Unix seconds to the 32-bit NTP seconds of FDT Expires. */
uint32_t ftx_unix_to_ntp(int64_t unix_s);

/*
 * Content-Location for a file: base (e.g. "http://dvb.gw/", a '/' is
 * added when it lacks one, unless empty) followed by relpath with every
 * byte outside the URI path characters percent-encoded.  Returns the
 * length, or -1 if it does not fit cap (NUL included).
 */
int	ftx_location(const char *base, const char *relpath, char *out,
	    size_t cap);
/* Content-Type from the file name's extension; NULL if unknown. */
const char *ftx_content_type(const char *name);
/*
 * A bit rate with optional decimal suffix k, M or G ("20M", "1.2G",
 * "500k", "0").  Returns 0 and *bps, or -1.
 */
int	ftx_parse_rate(const char *s, uint64_t *bps);
/*
 * NACI as given on a command line: "NETWORK:CARRIER:LINK:SERVICE[:NAME]",
 * four decimal numbers 0 to 65535, then an optional name (everything after
 * the fourth colon, colons included) of at most FTX_NACI_NAME_MAX bytes
 * without control characters.  Returns 0 and fills *n, or -1.
 */
int	ftx_naci_parse(const char *s, struct ftx_naci *n);

/* What an HLS playlist line refers to. */
enum ftx_hls_kind {
	FTX_HLS_SEGMENT,	/* a media segment URI line */
	FTX_HLS_MAP,		/* #EXT-X-MAP URI (init segment) */
	FTX_HLS_KEY,		/* #EXT-X-KEY / #EXT-X-SESSION-KEY URI */
	FTX_HLS_PLAYLIST	/* a variant or rendition playlist */
};

/*
 * Iterate over the URIs an HLS playlist refers to: set *pos = 0, then
 * call until it returns 0.  Returns 1 with the URI in uri (NUL-terminated)
 * and its kind, or 0 at the end.  URIs longer than cap are skipped.
 */
int	ftx_hls_next(const char *pl, size_t len, size_t *pos, char *uri,
	    size_t cap, enum ftx_hls_kind *kind);
/*
 * Resolve a playlist URI against the playlist's directory (relative to
 * the served root, "" for the root itself) into a root-relative path:
 * drops ?query and #fragment, decodes %XX, folds "." and "..".  Returns
 * 0, or -1 for absolute or scheme URIs, paths leaving the root, NUL or
 * over-long results.
 */
int	ftx_hls_resolve(const char *dir, const char *uri, char *out,
	    size_t cap);

#endif
