/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flute_tx.c: FLUTE v1 packet and FDT builders and the sender's pure
 * helpers.  No I/O, no allocation, no globals: see flute_tx.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <nettle/base64.h>

#include "../daemon/util.h"
#include "flute_tx.h"

#define LCT_FIXED_LEN	16	/* fixed header, CCI, TSI and TOI */
#define EXT_FDT_LEN	4
#define EXT_NACI_HET	68
#define EXT_NACI_FIXED	12	/* HET, HEL, four IDs, reserved, name_len */
#define FPI_LEN		4
#define NTP_UNIX_DELTA	2208988800ll

static uint8_t *
put_be(uint8_t *p, uint64_t v, unsigned bytes)
{
	while (bytes-- > 0)
		*p++ = (uint8_t)(v >> (8 * bytes));
	return p;
}

size_t
ftx_naci_len(const struct ftx_naci *n)
{
	if (n == NULL)
		return 0;
	return ((size_t)EXT_NACI_FIXED + n->name_len + 3) & ~(size_t)3;
}

size_t
ftx_header_len(const struct ftx_pkt *h)
{
	return LCT_FIXED_LEN + (h->has_fdt ? EXT_FDT_LEN : 0) +
	    ftx_fti_len(h) + ftx_naci_len(h->naci) + FPI_LEN;
}

/* Every field must fit the width the wire gives it. */
static int
header_valid(const struct ftx_pkt *h)
{
	if (!ftx_fec_valid(h))
		return 0;
	if (h->has_fdt && h->fdt_instance >= FTX_INSTANCE_MOD)
		return 0;
	if (h->naci != NULL && h->naci->name_len > FTX_NACI_NAME_MAX)
		return 0;
	return 1;
}

/* EXT_NACI at p, as protocols.md 1.2 lays it out; returns the end. */
static uint8_t *
put_naci(uint8_t *p, const struct ftx_naci *n)
{
	size_t len = ftx_naci_len(n), used = EXT_NACI_FIXED + n->name_len;

	*p++ = EXT_NACI_HET;
	*p++ = (uint8_t)(len / 4);		/* HEL in 32-bit words */
	p = put_be(p, n->network, 2);
	p = put_be(p, n->carrier, 2);
	p = put_be(p, n->link, 2);
	p = put_be(p, n->service, 2);
	*p++ = 0;				/* reserved */
	*p++ = n->name_len;
	memcpy(p, n->name, n->name_len);
	p += n->name_len;
	memset(p, 0, len - used);		/* pad to 32 bits */
	return p + (len - used);
}

int
ftx_write_header(const struct ftx_pkt *h, uint8_t *buf, size_t cap)
{
	size_t len = ftx_header_len(h);
	uint8_t *p = buf;

	if (len > cap || !header_valid(h))
		return -1;
	*p++ = 0x10;				/* V=1, C=0, PSI=0 */
	*p++ = 0x80 | 0x20 | (h->close_session ? 0x02 : 0) |
	    (h->close_object ? 0x01 : 0);	/* S=1, O=1, H=0 */
	*p++ = (uint8_t)((len - FPI_LEN) / 4);	/* HDR_LEN in words */
	*p++ = h->fei;				/* CP = FEI */
	p = put_be(p, 0, 4);			/* CCI */
	p = put_be(p, h->tsi, 4);
	p = put_be(p, h->toi, 4);
	if (h->has_fdt) {
		*p++ = 192;			/* EXT_FDT, V=1 */
		p = put_be(p, (1u << 20) | h->fdt_instance, 3);
	}
	if (h->has_fti)
		p = ftx_put_fti(p, h);
	if (h->naci != NULL)
		p = put_naci(p, h->naci);
	ftx_put_fpi(p, h);
	return (int)len;
}

int
ftx_build_packet(const struct ftx_pkt *h, const uint8_t *payload,
    size_t len, uint8_t *buf, size_t cap)
{
	int hl;

	hl = ftx_write_header(h, buf, cap);
	if (hl < 0 || len > cap - (size_t)hl || len > (size_t)INT32_MAX - 64)
		return -1;
	if (len > 0)
		memcpy(buf + hl, payload, len);
	return hl + (int)len;
}

uint32_t
ftx_instance_next(uint32_t id)
{
	return (id + 1) % FTX_INSTANCE_MOD;
}

uint64_t
ftx_packet_count(const struct fec_part *p)
{
	return p->t > 0 ? p->t : 1;
}

uint32_t
ftx_block_for(uint64_t t, uint32_t b)
{
	uint64_t need = (t + 0xffff) >> 16;

	if (need > 0x10000)
		return 0;
	return need > b ? (uint32_t)need : b;
}

int
ftx_symbol(const struct fec_part *p, uint64_t idx, struct ftx_sym *out)
{
	uint64_t large = (uint64_t)p->i_large * p->a_large;

	if (idx >= ftx_packet_count(p))
		return -1;
	if (p->t == 0) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	if (idx < large) {
		out->sbn = (uint32_t)(idx / p->a_large);
		out->esi = (uint32_t)(idx % p->a_large);
	} else {
		out->sbn = p->i_large + (uint32_t)((idx - large) / p->a_small);
		out->esi = (uint32_t)((idx - large) % p->a_small);
	}
	out->offset = idx * p->e;
	out->size = (uint32_t)(p->len - out->offset < p->e ?
	    p->len - out->offset : p->e);
	return 0;
}

/* splitmix64: turns one seed into well-spread round keys. */
static uint64_t
splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void
ftx_perm_init(struct ftx_perm *pm, uint64_t n, uint64_t seed)
{
	int i;

	pm->n = n;
	pm->bits = 1;
	while (pm->bits < 64 && (1ull << pm->bits) < n)
		pm->bits++;
	pm->mask = pm->bits == 64 ? ~0ull : (1ull << pm->bits) - 1;
	for (i = 0; i < 4; i++)
		pm->key[i] = splitmix(&seed);
}

/*
 * A bijection on bits-wide values: each round XORs a key, multiplies by
 * an odd number (invertible modulo 2^bits) and folds the high half down
 * (x ^ x >> s is invertible for s >= 1).
 */
static uint64_t
perm_round(const struct ftx_perm *pm, uint64_t x)
{
	unsigned shift = pm->bits / 2 + 1;
	int i;

	for (i = 0; i < 4; i++) {
		x = (x ^ pm->key[i]) & pm->mask;
		x = (x * (pm->key[(i + 1) & 3] | 1)) & pm->mask;
		x ^= x >> shift;
	}
	return x;
}

uint64_t
ftx_perm_at(const struct ftx_perm *pm, uint64_t i)
{
	uint64_t x = i;

	if (pm->n <= 1)
		return i;
	/* Cycle walking: i < n lies on the cycle, so this terminates. */
	do {
		x = perm_round(pm, x);
	} while (x >= pm->n);
	return x;
}

int
ftx_object_init(struct ftx_object *o, uint32_t tsi, uint32_t toi,
    uint64_t len, uint16_t e, uint32_t b)
{
	memset(o, 0, sizeof(*o));
	if (b == 0 || b > 0x10000 || len > FTX_MAX_TRANSFER ||
	    fec_partition(len, e, b, &o->part) != 0 || o->part.n > 0x10000)
		return -1;
	o->hdr.tsi = tsi;
	o->hdr.toi = toi;
	o->hdr.transfer_len = len;
	o->hdr.symbol_len = e;
	o->hdr.max_sbl = b;
	o->npk = ftx_packet_count(&o->part);
	return 0;
}

void
ftx_object_fdt(struct ftx_object *o, uint32_t instance)
{
	o->hdr.toi = 0;
	o->hdr.has_fdt = 1;
	o->hdr.has_fti = 1;
	o->hdr.fdt_instance = instance % FTX_INSTANCE_MOD;
}

void
ftx_object_shuffle(struct ftx_object *o, uint64_t seed)
{
	o->shuffle = 1;
	ftx_perm_init(&o->perm, o->npk, seed);
}

int
ftx_object_packet(const struct ftx_object *o, uint64_t idx,
    struct ftx_pkt *h, struct ftx_sym *sym)
{
	if (idx >= o->npk)
		return -1;
	ftx_symbol(&o->part, o->shuffle ? ftx_perm_at(&o->perm, idx) : idx,
	    sym);
	*h = o->hdr;
	h->sbn = sym->sbn;
	h->esi = sym->esi;
	if (!o->hdr.has_fdt) {
		h->close_object = idx + 1 == o->npk;
		h->has_fti = idx == 0 && o->fti_first;
	}
	return 0;
}

/* A bounded string builder; on overflow it keeps failing. */
struct sbuf {
	char	*p;
	size_t	cap;
	size_t	len;
	int	full;
};

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len)
		b->full = 1;
	else
		b->len += (size_t)n;
}

/* An XML attribute value: the five special characters become entities. */
static void
sb_attr(struct sbuf *b, const char *name, const char *val)
{
	const char *s;

	sb_printf(b, " %s=\"", name);
	for (s = val; *s != '\0' && !b->full; s++) {
		switch (*s) {
		case '&': sb_printf(b, "&amp;"); break;
		case '<': sb_printf(b, "&lt;"); break;
		case '>': sb_printf(b, "&gt;"); break;
		case '"': sb_printf(b, "&quot;"); break;
		case '\'': sb_printf(b, "&apos;"); break;
		default: sb_printf(b, "%c", *s); break;
		}
	}
	sb_printf(b, "\"");
}

/* The FEC OTI of a File whose FEI is not the instance's No-Code. */
static void
fdt_file_fec(struct sbuf *b, const struct ftx_file *f)
{
	char ssi[BASE64_ENCODE_RAW_LENGTH(sizeof(f->ssi)) + 1] = "";
	size_t n = f->ssi_len < sizeof(f->ssi) ? f->ssi_len : sizeof(f->ssi);

	sb_printf(b, " FEC-OTI-FEC-Encoding-ID=\"%u\" FEC-OTI-Encoding-Symbol-"
	    "Length=\"%u\"", f->fei, f->symbol_len);
	if (f->max_sbl != 0 && f->max_n != 0)
		sb_printf(b, " FEC-OTI-Maximum-Source-Block-Length=\"%u\" "
		    "FEC-OTI-Max-Number-of-Encoding-Symbols=\"%u\"",
		    f->max_sbl, f->max_n);
	base64_encode_raw(ssi, n, f->ssi);
	ssi[BASE64_ENCODE_RAW_LENGTH(n)] = '\0';
	if (n > 0)
		sb_printf(b, " FEC-OTI-Scheme-Specific-Info=\"%s\"", ssi);
}

static void
fdt_file(struct sbuf *b, const struct ftx_file *f)
{
	char md5[BASE64_ENCODE_RAW_LENGTH(16) + 1];

	sb_printf(b, "  <File TOI=\"%u\"", f->toi);
	sb_attr(b, "Content-Location", f->location);
	sb_printf(b, " Content-Length=\"%llu\"",
	    (unsigned long long)f->content_len);
	if (f->content_encoding != NULL)
		sb_printf(b, " Transfer-Length=\"%llu\"",
		    (unsigned long long)f->transfer_len);
	if (f->content_type != NULL)
		sb_attr(b, "Content-Type", f->content_type);
	if (f->content_encoding != NULL)
		sb_attr(b, "Content-Encoding", f->content_encoding);
	if (f->fei != 0)
		fdt_file_fec(b, f);
	else if (f->max_sbl != 0)
		sb_printf(b, " FEC-OTI-Maximum-Source-Block-Length=\"%u\"",
		    f->max_sbl);
	if (f->has_md5) {
		base64_encode_raw(md5, 16, f->md5);
		md5[sizeof(md5) - 1] = '\0';
		sb_printf(b, " Content-MD5=\"%s\"", md5);
	}
	sb_printf(b, "/>\n");
}

static const char fdt_tail[] = "</FDT-Instance>\n";

int
ftx_fdt_build(const struct ftx_fdt_params *p,
    const struct ftx_file *files, size_t n, char *buf, size_t cap,
    size_t *nout)
{
	struct sbuf b = { buf, cap, 0, 0 };
	size_t i, keep;

	*nout = 0;
	if (cap < sizeof(fdt_tail) || cap > INT32_MAX)
		return -1;
	/* Reserve room for the closing tag so a batch always ends well. */
	b.cap = cap - (sizeof(fdt_tail) - 1);
	sb_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<FDT-Instance xmlns=\"urn:IETF:metadata:2005:FLUTE:FDT\" "
	    "Expires=\"%u\"%s FEC-OTI-FEC-Encoding-ID=\"0\" "
	    "FEC-OTI-Maximum-Source-Block-Length=\"%u\" "
	    "FEC-OTI-Encoding-Symbol-Length=\"%u\">\n", p->expires,
	    p->complete ? " Complete=\"true\"" : "", p->max_sbl,
	    p->symbol_len);
	if (b.full)
		return -1;
	for (i = 0; i < n; i++) {
		keep = b.len;
		fdt_file(&b, &files[i]);
		if (b.full) {
			b.len = keep;
			break;
		}
	}
	if (i == 0 && n > 0)
		return -1;
	memcpy(buf + b.len, fdt_tail, sizeof(fdt_tail));
	*nout = i;
	return (int)(b.len + sizeof(fdt_tail) - 1);
}

uint32_t
ftx_unix_to_ntp(int64_t unix_s)
{
	return (uint32_t)((uint64_t)(unix_s + NTP_UNIX_DELTA) & 0xffffffffu);
}

int
ftx_location(const char *base, const char *relpath, char *out, size_t cap)
{
	size_t blen = strlen(base), len;

	while (*relpath == '/')
		relpath++;
	if (blen + 2 > cap)
		return -1;
	memcpy(out, base, blen);
	len = blen;
	if (blen > 0 && base[blen - 1] != '/')
		out[len++] = '/';
	if (util_path_escape(relpath, out + len, cap - len) < 0)
		return -1;
	len += strlen(out + len);
	return len > INT32_MAX ? -1 : (int)len;
}

static const struct {
	const char	*ext;
	const char	*type;
} ctypes[] = {
	{ "m3u8", "application/vnd.apple.mpegurl" },
	{ "m3u", "audio/mpegurl" },
	{ "ts", "video/mp2t" },
	{ "m4s", "video/iso.segment" },
	{ "mp4", "video/mp4" },
	{ "m4v", "video/mp4" },
	{ "cmfv", "video/mp4" },
	{ "m4a", "audio/mp4" },
	{ "cmfa", "audio/mp4" },
	{ "aac", "audio/aac" },
	{ "ac3", "audio/ac3" },
	{ "ec3", "audio/eac3" },
	{ "mp3", "audio/mpeg" },
	{ "vtt", "text/vtt" },
	{ "webvtt", "text/vtt" },
	{ "mpd", "application/dash+xml" },
	{ "xml", "application/xml" },
	{ "json", "application/json" },
	{ "html", "text/html" },
	{ "htm", "text/html" },
	{ "txt", "text/plain" },
	{ "css", "text/css" },
	{ "js", "text/javascript" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "svg", "image/svg+xml" },
	{ "ttml", "application/ttml+xml" },
	{ "key", "application/octet-stream" },
	{ "bin", "application/octet-stream" },
	{ "gz", "application/gzip" },
};

const char *
ftx_content_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	if (dot == NULL || strchr(dot, '/') != NULL)
		return NULL;
	for (i = 0; i < sizeof(ctypes) / sizeof(ctypes[0]); i++)
		if (strcasecmp(dot + 1, ctypes[i].ext) == 0)
			return ctypes[i].type;
	return NULL;
}

static int
rate_suffix(char c, uint64_t *mult)
{
	switch (c) {
	case '\0': *mult = 1; return 0;
	case 'k': case 'K': *mult = 1000; return 0;
	case 'm': case 'M': *mult = 1000000; return 0;
	case 'g': case 'G': *mult = 1000000000; return 0;
	default: return -1;
	}
}

int
ftx_parse_rate(const char *s, uint64_t *bps)
{
	uint64_t ip = 0, frac = 0, div = 1, mult;
	int digits = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		uint64_t d = (uint64_t)(*s - '0');

		if (ip > UINT64_MAX / 10 ||
		    (ip == UINT64_MAX / 10 && d > UINT64_MAX % 10))
			return -1;
		ip = ip * 10 + d;
	}
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++, digits++)
			if (div < 1000000000) {
				frac = frac * 10 + (uint64_t)(*s - '0');
				div *= 10;
			}
	if (digits == 0 || rate_suffix(*s, &mult) < 0 ||
	    (*s != '\0' && s[1] != '\0'))
		return -1;
	if (ip > UINT64_MAX / mult ||
	    frac * mult / div > UINT64_MAX - ip * mult)
		return -1;
	*bps = ip * mult + frac * mult / div;
	return 0;
}

/* A decimal number 0 to 65535 ending at stop ('\0' or ':'). */
static const char *
naci_id(const char *s, uint16_t *out)
{
	unsigned v = 0;
	int digits = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		v = v * 10 + (unsigned)(*s - '0');
		if (v > 0xffff)
			return NULL;
	}
	if (digits == 0)
		return NULL;
	*out = (uint16_t)v;
	return s;
}

int
ftx_naci_parse(const char *s, struct ftx_naci *n)
{
	uint16_t *ids[4] = { &n->network, &n->carrier, &n->link,
	    &n->service };
	size_t i, len;

	memset(n, 0, sizeof(*n));
	for (i = 0; i < 4; i++) {
		s = naci_id(s, ids[i]);
		if (s == NULL || (*s != ':' && (*s != '\0' || i < 3)))
			return -1;
		if (*s == ':')
			s++;
		else
			return 0;	/* four IDs, no name */
	}
	len = strlen(s);
	if (len > FTX_NACI_NAME_MAX)
		return -1;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return -1;
	n->name_len = (uint8_t)len;
	memcpy(n->name, s, len);
	return 0;
}
