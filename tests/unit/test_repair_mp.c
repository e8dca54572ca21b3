/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for daemon/repair_mp.c: the field-value parsers of repair
 * answers (Content-Range, multipart boundary, Content-Digest, Content-MD5)
 * and the streaming multipart/byteranges parser, fed whole, split at
 * every point and a byte at a time.  Mutations at random are in
 * test_repair_mp_hostile.c; the object, body styles and receiver in
 * repair_mp_harness.h.
 */
#include <nettle/base64.h>
#include <nettle/sha2.h>

#include "../../daemon/util.h"
#include "repair_mp_harness.h"

#define U64MAX		UINT64_MAX

static void
test_content_range(void)
{
	static const struct {
		const char *v;
		int ok;
		uint64_t f, l, t;
	} t[] = {
		{ "bytes 0-0/1", 1, 0, 0, 1 },
		{ "bytes 0-499/1234", 1, 0, 499, 1234 },
		{ "  bytes 500-999/1234 \t", 1, 500, 999, 1234 },
		{ "BYTES 5-9/*", 1, 5, 9, U64MAX },
		{ "bytes 0-18446744073709551613/18446744073709551614", 1, 0,
		    18446744073709551613ULL, 18446744073709551614ULL },
		{ "bytes 00000000000000000001-2/3", 1, 1, 2, 3 },
		{ "bytes 000000000000000000001-2/3", 0, 0, 0, 0 },
		{ "bytes 0-18446744073709551615/*", 0, 0, 0, 0 },
		{ "bytes 0-1/18446744073709551615", 0, 0, 0, 0 },
		{ "bytes 0-1/18446744073709551616", 0, 0, 0, 0 },
		{ "bytes 0-99999999999999999999/*", 0, 0, 0, 0 },
		{ "bytes 3-2/10", 0, 0, 0, 0 },
		{ "bytes 0-10/10", 0, 0, 0, 0 },
		{ "bytes 0-9/0", 0, 0, 0, 0 },
		{ "bytes */10", 0, 0, 0, 0 },
		{ "bytes -1-2/10", 0, 0, 0, 0 },
		{ "bytes 1--2/10", 0, 0, 0, 0 },
		{ "bytes +1-2/10", 0, 0, 0, 0 },
		{ "bytes 1-2/10 x", 0, 0, 0, 0 },
		{ "bytes 1-2/10,3-4/10", 0, 0, 0, 0 },
		{ "bytes 1-2/", 0, 0, 0, 0 },
		{ "bytes 1-2", 0, 0, 0, 0 },
		{ "bytes 1-", 0, 0, 0, 0 },
		{ "bytes ", 0, 0, 0, 0 },
		{ "bytes", 0, 0, 0, 0 },
		{ "bytes  1-2/10", 0, 0, 0, 0 },
		{ "bytes 1 -2/10", 0, 0, 0, 0 },
		{ "bytes\t1-2/10", 0, 0, 0, 0 },
		{ "items 1-2/10", 0, 0, 0, 0 },
		{ "bytes=1-2/10", 0, 0, 0, 0 },
		{ "bytes 1-2/**", 0, 0, 0, 0 },
		{ "bytes 0x1-2/10", 0, 0, 0, 0 },
		{ "", 0, 0, 0, 0 },
	};
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		uint64_t f = 7, l = 7, tot = 7;
		int r = repair_content_range(t[i].v, &f, &l, &tot);

		CHECK((r == 0) == t[i].ok);
		if (r == 0 && t[i].ok) {
			CHECK_EQ_U(f, t[i].f);
			CHECK_EQ_U(l, t[i].l);
			CHECK_EQ_U(tot, t[i].t);
		}
		if ((r == 0) != t[i].ok)
			fprintf(stderr, "case %zu: %s\n", i, t[i].v);
	}
}

#define D10	"1234567890"
#define D70	D10 D10 D10 D10 D10 D10 D10

static void
test_boundary(void)
{
	static const struct {
		const char *v, *want;	/* want NULL: -1 */
	} t[] = {
		{ "multipart/byteranges; boundary=3d6b6a416f9b5",
		    "3d6b6a416f9b5" },
		{ "Multipart/ByteRanges;boundary=abc", "abc" },
		{ " multipart/byteranges ; charset=x ; "
		    "BOUNDARY=\"a b'()+_,-./:=?\" ", "a b'()+_,-./:=?" },
		{ "multipart/byteranges; x=\"q;\\\"boundary=no\"; boundary=yes",
		    "yes" },
		{ "multipart/byteranges; boundary=\"a\\b\"", "ab" },
		{ "multipart/byteranges; boundary=" D70, D70 },
		{ "multipart/byteranges; boundary=" D70 "1", NULL },
		{ "multipart/byteranges; boundary=\"\"", NULL },
		{ "multipart/byteranges; boundary=", NULL },
		{ "multipart/byteranges; boundary=\"ab \"", NULL },
		{ "multipart/byteranges; boundary=\"a\\\"b\"", NULL },
		{ "multipart/byteranges; boundary=a!b", NULL },
		{ "multipart/byteranges; boundary=\"abc", NULL },
		{ "multipart/byteranges; boundary=a; boundary=b", NULL },
		{ "multipart/byteranges; boundary = abc", NULL },
		{ "multipart/byteranges; boundary=abc x", NULL },
		{ "multipart/byteranges; charset", NULL },
		{ "multipart/byteranges; =abc", NULL },
		{ "multipart/byteranges;", NULL },
		{ "multipart/byteranges", NULL },
		{ "multipart/mixed; boundary=abc", NULL },
		{ "multipart/byterangesx; boundary=abc", NULL },
		{ "text/plain", NULL },
		{ "", NULL },
	};
	char out[80];
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		int r = repair_mp_boundary(t[i].v, out, sizeof(out));

		if (t[i].want == NULL) {
			CHECK(r == -1);
		} else {
			CHECK(r == 0);
			CHECK(r == 0 && strcmp(out, t[i].want) == 0);
		}
		if ((r == 0) != (t[i].want != NULL))
			fprintf(stderr, "case %zu: %s\n", i, t[i].v);
	}
	/* The output bound: "abc" needs 4 bytes. */
	CHECK(repair_mp_boundary("multipart/byteranges; boundary=abc", out,
	    4) == 0);
	CHECK(repair_mp_boundary("multipart/byteranges; boundary=abc", out,
	    3) == -1);
}

/* Base64 of n bytes into out (NUL-terminated), with nettle. */
static void
b64(const uint8_t *in, size_t n, char *out)
{
	base64_encode_raw(out, n, in);
	out[BASE64_ENCODE_RAW_LENGTH(n)] = '\0';
}

/* pat with its one "%s" replaced by val (no printf: pat is data). */
static void
subst(char *out, size_t len, const char *pat, const char *val)
{
	const char *p = strstr(pat, "%s");

	if (p == NULL)
		snprintf(out, len, "%s", pat);
	else
		snprintf(out, len, "%.*s%s%s", (int)(p - pat), pat, val, p + 2);
}

static void
test_md5(void)
{
	static const char *bad[] = {
		"1B2M2Y8AsgTpgAmY7PhCfg=", "1B2M2Y8AsgTpgAmY7PhCf",
		"1B2M2Y8AsgTpgAmY7PhCfgA=", "1B2M2Y8AsgTpgAmY7PhCfg===",
		"1B2M2Y8AsgTpgAmY7PhCfg==AAAA", "1B2M2Y8AsgTp gAmY7PhCfg==",
		"1B2M2Y8AsgTpgAmY7PhC!g==", "1B2M2Y8AsgTpgAmY7PhCf=g=",
		"d41d8cd98f00b204e9800998ecf8427e", "", "  ", "==",
	};
	uint8_t want[16], got[16];
	char enc[64], field[80];
	size_t i;

	util_md5("", 0, want);
	b64(want, 16, enc);
	CHECK(strcmp(enc, "1B2M2Y8AsgTpgAmY7PhCfg==") == 0);
	memset(got, 0, sizeof(got));
	CHECK(repair_content_md5(enc, got) == 0);
	CHECK(memcmp(got, want, 16) == 0);
	/* Unpadded, and with blanks around it. */
	memset(got, 0, sizeof(got));
	CHECK(repair_content_md5("1B2M2Y8AsgTpgAmY7PhCfg", got) == 0);
	CHECK(memcmp(got, want, 16) == 0);
	snprintf(field, sizeof(field), " \t%s  ", enc);
	CHECK(repair_content_md5(field, got) == 0);
	/* Every other digest too (all 256 first bytes, other tails). */
	for (i = 0; i < 256; i++) {
		uint8_t d[16];
		int ok;

		util_md5(&i, sizeof(i), d);
		d[0] = (uint8_t)i;
		b64(d, 16, enc);
		ok = repair_content_md5(enc, got) == 0 &&
		    memcmp(got, d, 16) == 0;
		if (!ok)
			break;
	}
	CHECK_EQ_U(i, 256);
	for (i = 0; i < NELEM(bad); i++) {
		CHECK(repair_content_md5(bad[i], got) == -1);
		if (repair_content_md5(bad[i], got) != -1)
			fprintf(stderr, "md5 case %zu: %s\n", i, bad[i]);
	}
}

static void
sha256_of(const char *s, uint8_t out[32])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, strlen(s), (const uint8_t *)s);
	sha256_digest(&c, 32, out);
}

/* The RFC 9530 examples and variations around a computed sha-256. */
static void
test_digest(void)
{
	static const char *shapes[] = {
		"sha-256=:%s:",
		"  sha-256=:%s:  ",
		"sha-512=:YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4y"
		    "P+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/WkppmM44T3qg==:, sha-256=:%s:",
		"unixsum=30637,sha-256=:%s:;p=1;q=\"x\\\"y\",id-sha-256=?1",
		"sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:,\t"
		    "sha-256=:%s:",
		"md5=:X48E9qOokqqrvdts8nOJRJ==:, sha-256=:%s:, x=tok/en:1, "
		    "y=-1.5, z=\"s\", w",
	};
	static const char *none[] = {
		"", "   ", "sha-512=:AAAA:", "md5=:AAAA:, unixsum=1",
		"id-sha-256=:AAAA:", "sha-2560=:AAAA:",
	};
	static const char *bad[] = {
		"sha-256=:%s", "sha-256=%s", "sha-256=:%s:,", "sha-256=:%s:,  ",
		",sha-256=:%s:", "sha-256=:%s: x", "SHA-256=:%s:",
		"sha-256 =:%s:", "sha-256= :%s:", "sha-256=:%sA:",
		"sha-256=:AAAA:", "sha-256=:%s=:", "sha-256=:!%s:",
		"sha-256=:AAAA:, sha-256=:%s:",
		"sha-256=\"%s\"", "sha-256", "sha-256=:%s:;",
		"x=(a b), sha-256=:%s:",
		"x=\"unterminated, sha-256=:%s:", "x=1.2345, sha-256=:%s:",
		"x=?2, sha-256=:%s:", "9x=1, sha-256=:%s:", "sha-256=:%s:,,x=1",
		"x=\"a\\b\", sha-256=:%s:", "x=\"\x01\", sha-256=:%s:",
	};
	uint8_t want[32], got[32];
	char enc[64], field[400];
	size_t i;

	/* RFC 9530 section 3 example: {"hello": "world"} and a LF. */
	sha256_of("{\"hello\": \"world\"}\n", want);
	b64(want, 32, enc);
	CHECK(strcmp(enc, "RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=") == 0);
	for (i = 0; i < NELEM(shapes); i++) {
		memset(got, 0, sizeof(got));
		subst(field, sizeof(field), shapes[i], enc);
		CHECK(repair_digest_sha256(field, got) == 1);
		CHECK(memcmp(got, want, 32) == 0);
	}
	/* Unpadded. */
	enc[strlen(enc) - 1] = '\0';
	snprintf(field, sizeof(field), "sha-256=:%s:", enc);
	CHECK(repair_digest_sha256(field, got) == 1);
	CHECK(memcmp(got, want, 32) == 0);
	strcat(enc, "=");
	for (i = 0; i < NELEM(none); i++)
		CHECK(repair_digest_sha256(none[i], got) == 0);
	for (i = 0; i < NELEM(bad); i++) {
		int r;

		subst(field, sizeof(field), bad[i], enc);
		r = repair_digest_sha256(field, got);
		CHECK(r == -1);
		if (r != -1)
			fprintf(stderr, "digest case %zu: %s\n", i, field);
	}
}

/* 1 if rx holds exactly the ranges of st and nothing else. */
static int
rx_matches(const struct rx *rx, const struct style *st)
{
	uint8_t want[OBJ_LEN];
	size_t i;

	memset(want, 0, sizeof(want));
	for (i = 0; i < st->nr; i++)
		memset(want + st->r[i].first, 1,
		    (size_t)(st->r[i].last - st->r[i].first + 1));
	if (rx->bad || memcmp(want, rx->got, OBJ_LEN) != 0)
		return 0;
	for (i = 0; i < OBJ_LEN; i++)
		if (want[i] && rx->obj[i] != object[i])
			return 0;
	return 1;
}

/*
 * Parse b cut at the given points (sorted, ncut of them; 0 cuts: whole),
 * or a byte at a time when ncut is SIZE_MAX.  1 if the result is right.
 */
static int
parse_split(const struct buf *b, const struct style *st, const size_t *cut,
    size_t ncut)
{
	struct repair_mp m;
	struct rx rx;
	size_t i, at = 0, end;
	int r = 0;

	memset(&rx, 0, sizeof(rx));
	if (repair_mp_init(&m, BND) != 0)
		return 0;
	for (i = 0; at < b->len && r == 0; i++) {
		if (ncut == SIZE_MAX)
			end = at + 1;
		else
			end = i < ncut ? cut[i] : b->len;
		r = feed_copy(&m, b->p + at, end - at, &rx);
		at = end;
	}
	return r == 0 && repair_mp_finish(&m) == 0 &&
	    m.parts == st->nr && m.total == (st->star ? U64MAX : OBJ_LEN) &&
	    rx_matches(&rx, st);
}

static void
test_mp_styles(void)
{
	struct buf b;
	size_t s, c[2], fails;

	for (s = 0; s < NELEM(styles); s++) {
		body_make(&b, &styles[s]);
		CHECK(parse_split(&b, &styles[s], NULL, 0));
		CHECK(parse_split(&b, &styles[s], NULL, SIZE_MAX));
		/* Every split point, and empty feeds at either end. */
		for (fails = 0, c[0] = 0; c[0] <= b.len; c[0]++)
			fails += !parse_split(&b, &styles[s], c, 1);
		CHECK_EQ_U(fails, 0);
		/* Every pair of split points in the first 120 bytes. */
		for (fails = 0, c[0] = 0; c[0] < 120; c[0]++)
			for (c[1] = c[0]; c[1] < 120; c[1]++)
				fails += !parse_split(&b, &styles[s], c, 2);
		CHECK_EQ_U(fails, 0);
	}
}

/* Parse a body given as a string whole and bytewise: feed+finish result. */
static int
parse_str(const char *s, size_t n, const char *bnd, struct rx *rx,
    struct repair_mp *m)
{
	size_t i;
	int r = 0;

	memset(rx, 0, sizeof(*rx));
	if (repair_mp_init(m, bnd) != 0)
		return -2;
	for (i = 0; i < n && r == 0; i++)
		r = feed_copy(m, (const uint8_t *)s + i, 1, rx);
	if (r == 0)
		r = repair_mp_finish(m);
	return r;
}

#define CR	"--b\r\nContent-Range: "
#define ABC	"\r\n\r\nabc\r\n--b--"
#define P0	"--b\r\nContent-Range: bytes 0-2/3\r\n\r\n"
#define P1	"--b\r\nContent-Range: bytes 1-2/3\r\n\r\n"

static void
test_mp_small(void)
{
	static const struct {
		const char *s;
		int ok;
		unsigned parts;
		uint64_t bytes;
	} t[] = {
		{ P0 "abc\r\n--b--", 1, 1, 3 },
		{ P0 "abc\n--b--\r\n", 1, 1, 3 },
		{ "\r\n" P0 "abc\r\n--b--", 1, 1, 3 },
		{ "x\n--b-\n--bb\n-" "-\n" P0 "abc\r\n--b--", 1, 1, 3 },
		{ "--b\ncontent-range:bytes 0-2/3\n\nabc\n--b--", 1, 1, 3 },
		{ "--b\r\nA: b\r\nContent-Range: bytes 0-2/3  \r\nZ: \r\n\r\n"
		    "abc\r\n--b--", 1, 1, 3 },
		{ "--b\r\nContent-Range: bytes 1-3/6\r\n\r\n\r\n-\r\n--b\r\n"
		    "Content-Range: bytes 4-5/6\r\n\n\n\n\n--b--", 1, 2, 5 },
		{ "--b\r\nContent-Range: bytes 0-2/*\r\n\r\nabc\r\n--b\r\n"
		    "Content-Range: bytes 7-7/*\r\n\r\nd\r\n--b--", 1, 2, 4 },
		{ P0 "abc\r\n--b--tail\r\n--b\r\nrubbish", 1, 1, 3 },
		/* Malformed or truncated. */
		{ "", 0, 0, 0 },
		{ "hello\r\n", 0, 0, 0 },
		{ "--b--\r\n", 0, 0, 0 },
		{ "--b\r\n", 0, 0, 0 },
		{ P0, 0, 0, 0 },
		{ P0 "ab", 0, 0, 2 },
		{ P0 "abc", 0, 1, 3 },
		{ P0 "abc\r\n", 0, 1, 3 },
		{ P0 "abc\r\n--b", 0, 1, 3 },
		{ P0 "abc\r\n--b-", 0, 1, 3 },
		{ P0 "abc\r\n--b\r\n", 0, 1, 3 },
		{ P0 "abcd\r\n--b--", 0, 1, 3 },
		{ P0 "abc\rX--b--", 0, 1, 3 },
		{ P0 "abc\r\n--c--", 0, 1, 3 },
		{ P0 "abc\r\n-b--", 0, 1, 3 },
		{ P0 "abc\r\n--b-x", 0, 1, 3 },
		{ P0 "abc\r\n--bx\r\n", 0, 1, 3 },
		{ P0 "abc\r\n--b \rx", 0, 1, 3 },
		{ P0 "abc\r\n--b\r\n\r\nxyz\r\n--b--", 0, 1, 3 },
		{ "--b \t x\r\n", 0, 0, 0 },
		{ "--b\r\r\n", 0, 0, 0 },
		{ "--b\r\nContent-Type: x\r\n\r\nabc\r\n--b--", 0, 0, 0 },
		{ CR "bytes 2-1/3" ABC, 0, 0, 0 },
		{ CR "bytes 0-3/3" ABC, 0, 0, 0 },
		{ CR "bytes */3" ABC, 0, 0, 0 },
		{ CR "0-2/3" ABC, 0, 0, 0 },
		{ CR "bytes 0-2/3\r\nContent-Range: bytes 0-2/3" ABC, 0, 0, 0 },
		{ "--b\r\nContent-Range bytes 0-2/3" ABC, 0, 0, 0 },
		{ "--b\r\nContent-Range : bytes 0-2/3" ABC, 0, 0, 0 },
		{ CR "\r\n bytes 0-2/3" ABC, 0, 0, 0 },
		{ "--b\r\n: x\r\nContent-Range: bytes 0-2/3" ABC, 0, 0, 0 },
		{ CR "bytes 0-2/3\rX" ABC, 0, 0, 0 },
		{ "--b\r\nContent-Range: bytes 0-2/3\r\n\r\nabc\r\n--b\r\n"
		    "Content-Range: bytes 3-5/7\r\n\r\ndef\r\n--b--", 0, 1, 3 },
		{ "--b\r\nContent-Range: bytes 0-2/*\r\n\r\nabc\r\n--b\r\n"
		    "Content-Range: bytes 3-5/6\r\n\r\ndef\r\n--b--", 0, 1, 3 },
		{ P0 "abc\r\n" P1 "de", 0, 2, 5 },
		{ P0 "abc\r\n" P1 "de\r\n--b--", 1, 2, 5 },
	};
	static const char nul[] = "--b\r\nX: \0\r\nContent-Range: bytes "
	    "0-2/3\r\n\r\nabc\r\n--b--";
	struct repair_mp m;
	struct rx rx;
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		int r = parse_str(t[i].s, strlen(t[i].s), "b", &rx, &m);

		CHECK((r == 0) == t[i].ok);
		CHECK_EQ_U(m.parts, t[i].parts);
		CHECK_EQ_U(rx.bytes, t[i].bytes);
		CHECK(rx.bad == 0);
		CHECK(r == 0 || m.err[0] != '\0');
		if ((r == 0) != t[i].ok || m.parts != t[i].parts)
			fprintf(stderr, "mp case %zu: r %d parts %u err %s\n",
			    i, r, m.parts, m.err);
	}
	/* A NUL in a header line. */
	CHECK(parse_str(nul, sizeof(nul) - 1, "b", &rx, &m) == -1);
	CHECK(rx.bytes == 0);
}

/* A header block of exactly REPAIR_MP_HDR_MAX bytes, and one more. */
static void
test_mp_hdr_max(void)
{
	static const char cr[] = "Content-Range: bytes 0-2/3\r\n";
	static char body[2 * REPAIR_MP_HDR_MAX];
	struct repair_mp m;
	struct rx rx;
	size_t fill, n, extra;

	for (extra = 0; extra < 2; extra++) {
		/* "--b\r\n" + "X: " fill "\r\n" + cr + "\r\n" */
		fill = REPAIR_MP_HDR_MAX - 3 - 2 - strlen(cr) - 2 + extra;
		n = (size_t)snprintf(body, sizeof(body),
		    "--b\r\nX: %*s\r\n%s\r\nabc\r\n--b--", (int)fill, "v", cr);
		CHECK(parse_str(body, n, "b", &rx, &m) == (extra ? -1 : 0));
		CHECK_EQ_U(rx.bytes, extra ? 0 : 3);
	}
	/* A Content-Range value too long to be one. */
	n = (size_t)snprintf(body, sizeof(body), "--b\r\nContent-Range: %200s"
	    "bytes 0-2/3\r\n\r\nabc\r\n--b--", "");
	CHECK(parse_str(body, n, "b", &rx, &m) == -1);
	/* A never-ending header line. */
	memset(body, 'a', sizeof(body));
	memcpy(body, "--b\r\n", 5);
	CHECK(parse_str(body, sizeof(body), "b", &rx, &m) == -1);
}

static void
test_mp_init(void)
{
	char b[80];
	struct repair_mp m;

	memset(b, 'a', sizeof(b));
	b[70] = '\0';
	CHECK(repair_mp_init(&m, b) == 0);
	CHECK_EQ_U(m.blen, 70);
	b[70] = 'a';
	b[71] = '\0';
	CHECK(repair_mp_init(&m, b) == -1);
	CHECK(repair_mp_feed(&m, (const uint8_t *)"x", 1, NULL, NULL) == -1);
	CHECK(repair_mp_finish(&m) == -1);
	CHECK(repair_mp_init(&m, "") == -1);
	CHECK(repair_mp_init(&m, "a\r\nb") == -1);
	/* No receiver: the parts are checked and skipped. */
	CHECK(repair_mp_init(&m, "b") == 0);
	CHECK(repair_mp_feed(&m, (const uint8_t *)P0 "abc\r\n--b--",
	    strlen(P0 "abc\r\n--b--"), NULL, NULL) == 0);
	CHECK(repair_mp_finish(&m) == 0);
	CHECK_EQ_U(m.parts, 1);
}

/* A receiver that refuses: -1 at once, and from then on. */
static void
test_mp_refused(void)
{
	static const char s[] = P0 "abc\r\n" P1 "de\r\n--b--";
	struct repair_mp m;
	struct rx rx;
	size_t i;
	int call, r;

	for (call = 1; call <= 5; call++) {
		memset(&rx, 0, sizeof(rx));
		rx.refuse_at = call;
		REQUIRE(repair_mp_init(&m, "b") == 0);
		/* Bytewise, each body byte is one call. */
		for (r = 0, i = 0; i < sizeof(s) - 1 && r == 0; i++)
			r = feed_copy(&m, (const uint8_t *)s + i, 1, &rx);
		CHECK(r == -1);
		CHECK_EQ_U(rx.calls, call);
		CHECK(m.err[0] != '\0');
		CHECK(feed_copy(&m, (const uint8_t *)"\r\n--b--", 7,
		    &rx) == -1);
		CHECK(repair_mp_finish(&m) == -1);
		CHECK_EQ_U(rx.calls, call);
	}
	/* Whole: the second part's run is refused. */
	memset(&rx, 0, sizeof(rx));
	rx.refuse_at = 2;
	REQUIRE(repair_mp_init(&m, "b") == 0);
	CHECK(feed_copy(&m, (const uint8_t *)s, sizeof(s) - 1, &rx) == -1);
	CHECK_EQ_U(rx.calls, 2);
	CHECK_EQ_U(rx.bytes, 5);
}

TEST_MAIN(TEST(setup), TEST(test_content_range), TEST(test_boundary),
    TEST(test_md5), TEST(test_digest), TEST(test_mp_styles),
    TEST(test_mp_small), TEST(test_mp_hdr_max), TEST(test_mp_init),
    TEST(test_mp_refused))
