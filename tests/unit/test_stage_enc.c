/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_stage_enc.c: content decoding through the committer: gzip, zlib and
 * raw deflate, multi-member, truncated and corrupt streams, the decoded
 * size cap (gzip bombs), digests and stale versions.
 */
#include "stage_harness.h"

struct enc_case {
	const char	*encoding;
	int		wbits;		/* 31 gzip, 15 zlib, -15 raw */
	int		md5_on;	/* 0 none, 1 decoded, 2 encoded, 3 bad */
	int64_t		clen;		/* -2: the right one */
	int		want;
};

static void
test_encodings(void)
{
	static const struct enc_case c[] = {
		{ "gzip", 31, 1, -2, OBJ_OK },
		{ "gzip", 31, 2, -2, OBJ_OK },
		{ "GZIP", 31, 0, -1, OBJ_OK },
		{ "x-gzip", 31, 0, -2, OBJ_OK },
		{ "deflate", 15, 1, -2, OBJ_OK },
		{ "deflate", -15, 2, -2, OBJ_OK },
		{ "identity", 0, 1, -2, OBJ_OK },
		{ "gzip", 31, 3, -2, OBJ_EDIGEST },
		{ "gzip", 31, 0, 12345, OBJ_ELENGTH },
		{ "gzip", 31, 0, 0, OBJ_ELENGTH },
		{ NULL, 0, 0, 12345, OBJ_ELENGTH },
		{ "br", 31, 0, -2, OBJ_EDECODE },
		{ "gzip", 0, 0, -2, OBJ_EDECODE },	/* not compressed */
	};
	static uint8_t body[200000];
	char loc[64], path[64];
	size_t i;

	REQUIRE(setup(CONF_FSYNC_COMMIT, 0) == 0);
	fill(body, sizeof(body), 3);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint64_t toi = 10 + i;
		size_t elen = sizeof(body);
		uint8_t *enc = c[i].wbits != 0 ?
		    compress_buf(body, sizeof(body), c[i].wbits, &elen) : body;
		struct obj_meta m;

		REQUIRE(enc != NULL);
		snprintf(loc, sizeof(loc), "enc/%zu.bin", i);
		snprintf(path, sizeof(path), "/enc/%zu.bin", i);
		m = meta(toi, loc, elen);
		m.content_encoding = c[i].encoding;
		m.content_length = c[i].clen == -2 ? (int64_t)sizeof(body) :
		    c[i].clen;
		m.has_md5 = c[i].md5_on != 0;
		if (c[i].md5_on == 1 || c[i].md5_on == 3)
			util_md5(body, sizeof(body), m.md5);
		else if (c[i].md5_on == 2)
			util_md5(enc, elen, m.md5);
		if (c[i].md5_on == 3)
			m.md5[0] ^= 1;
		REQUIRE(stage(&m, enc, elen) == 0);
		CHECK(wait_result(toi) == c[i].want);
		if (c[i].want == OBJ_OK)
			CHECK(served(path, body, sizeof(body), NULL));
		else
			CHECK(cache_open(path, &(struct cache_hit){ 0 }) == -1);
		if (wait_result(toi) != c[i].want)
			fprintf(stderr, "  case %zu: %d\n", i,
			    wait_result(toi));
		if (enc != body)
			free(enc);
	}
	CHECK_EQ_U(tmp_count(), 0);
	teardown();
}

/* Multi-member gzip is one body; truncation and trailing junk are not. */
static void
test_gzip_framing(void)
{
	static uint8_t a[50000], b[30000], both[80000], buf[200000];
	uint8_t *ga, *gb;
	size_t la, lb, n;
	struct obj_meta m;

	REQUIRE(setup(CONF_FSYNC_NEVER, 0) == 0);
	fill(a, sizeof(a), 4);
	fill(b, sizeof(b), 5);
	memcpy(both, a, sizeof(a));
	memcpy(both + sizeof(a), b, sizeof(b));
	ga = compress_buf(a, sizeof(a), 31, &la);
	gb = compress_buf(b, sizeof(b), 31, &lb);
	REQUIRE(ga != NULL && gb != NULL && la + lb + 8 < sizeof(buf));
	memcpy(buf, ga, la);
	memcpy(buf + la, gb, lb);
	m = meta(30, "multi.txt", la + lb);
	m.content_encoding = "gzip";
	m.content_length = sizeof(both);
	REQUIRE(stage(&m, buf, la + lb) == 0);
	CHECK(wait_result(30) == OBJ_OK);
	CHECK(served("/multi.txt", both, sizeof(both),
	    "text/plain; charset=utf-8"));
	/* Truncated at several points. */
	for (n = 0; n < 4; n++) {
		size_t cut = n == 0 ? 0 : n == 1 ? 5 : n == 2 ? la / 2 : la - 1;

		m = meta(31 + n, "trunc.txt", cut);
		m.content_encoding = "gzip";
		REQUIRE(stage(&m, ga, cut) == 0);
		CHECK(wait_result(31 + n) == OBJ_EDECODE);
	}
	/* Junk after the stream. */
	memcpy(buf, ga, la);
	memcpy(buf + la, "JUNKJUNK", 8);
	m = meta(35, "junk.txt", la + 8);
	m.content_encoding = "gzip";
	REQUIRE(stage(&m, buf, la + 8) == 0);
	CHECK(wait_result(35) == OBJ_EDECODE);
	/* Corrupted in the middle. */
	memcpy(buf, ga, la);
	buf[la / 2] ^= 0x55;
	buf[la / 2 + 1] ^= 0xaa;
	m = meta(36, "corrupt.txt", la);
	m.content_encoding = "gzip";
	REQUIRE(stage(&m, buf, la) == 0);
	CHECK(wait_result(36) == OBJ_EDECODE);
	CHECK(cache_open("/trunc.txt", &(struct cache_hit){ 0 }) == -1);
	free(ga);
	free(gb);
	CHECK_EQ_U(tmp_count(), 0);
	teardown();
}

static void
test_bomb(void)
{
	uint8_t *zeros = calloc(1, 10 << 20), *gz;
	size_t glen = 0;
	struct obj_meta m;
	struct stage_stats st;

	REQUIRE(zeros != NULL);
	REQUIRE(setup(CONF_FSYNC_NEVER, 0) == 0);
	gz = compress_buf(zeros, 10 << 20, 31, &glen);
	REQUIRE(gz != NULL && glen < 64 * 1024);
	m = meta(40, "bomb.xml", glen);
	m.content_encoding = "gzip";
	REQUIRE(stage(&m, gz, glen) == 0);
	CHECK(wait_result(40) == OBJ_EDECODE);
	CHECK(cache_open("/bomb.xml", &(struct cache_hit){ 0 }) == -1);
	/* Exactly at the cap is fine. */
	free(gz);
	gz = compress_buf(zeros, 1 << 20, 31, &glen);
	REQUIRE(gz != NULL);
	m = meta(41, "cap.xml", glen);
	m.content_encoding = "gzip";
	m.content_length = 1 << 20;
	REQUIRE(stage(&m, gz, glen) == 0);
	CHECK(wait_result(41) == OBJ_OK);
	CHECK(served("/cap.xml", zeros, 1 << 20, "application/xml"));
	stage_get_stats(&st);
	CHECK_EQ_U(st.failed[OBJ_EDECODE], 1);
	CHECK_EQ_U(tmp_count(), 0);
	free(gz);
	free(zeros);
	teardown();
}

static void
test_digests_and_versions(void)
{
	static uint8_t a[20000], b[20000];
	struct obj_meta m;

	REQUIRE(setup(CONF_FSYNC_ALWAYS, 0) == 0);
	fill(a, sizeof(a), 6);
	fill(b, sizeof(b), 7);
	/* MD5 of something else. */
	m = meta(50, "d/x.m4s", sizeof(a));
	m.has_md5 = 1;
	util_md5(b, sizeof(b), m.md5);
	REQUIRE(stage(&m, a, sizeof(a)) == 0);
	CHECK(wait_result(50) == OBJ_EDIGEST);
	CHECK(cache_open("/d/x.m4s", &(struct cache_hit){ 0 }) == -1);
	/* Content-Digest covers the transfer payload. */
	m = meta(51, "d/x.m4s", sizeof(a));
	m.has_sha256 = 1;
	sha_of(b, sizeof(b), m.sha256);
	REQUIRE(stage(&m, a, sizeof(a)) == 0);
	CHECK(wait_result(51) == OBJ_EDIGEST);
	/* Versions: 55 wins, 53 is stale, 55 again is a duplicate. */
	m = meta(55, "d/v.m3u8", sizeof(a));
	REQUIRE(stage(&m, a, sizeof(a)) == 0);
	CHECK(wait_result(55) == OBJ_OK);
	m = meta(53, "d/v.m3u8", sizeof(b));
	REQUIRE(stage(&m, b, sizeof(b)) == 0);
	CHECK(wait_result(53) == OBJ_ESTALE);
	CHECK(served("/d/v.m3u8", a, sizeof(a), NULL));
	m = meta(56, "d/v.m3u8", sizeof(a));
	m.seq = 55;
	REQUIRE(stage(&m, a, sizeof(a)) == 0);
	CHECK(wait_result(56) == OBJ_ESTALE);
	m = meta(57, "d/v.m3u8", sizeof(b));
	REQUIRE(stage(&m, b, sizeof(b)) == 0);
	CHECK(wait_result(57) == OBJ_OK);
	CHECK(served("/d/v.m3u8", b, sizeof(b), NULL));
	CHECK_EQ_U(tmp_count(), 0);
	teardown();
}

TEST_MAIN(TEST(test_encodings), TEST(test_gzip_framing), TEST(test_bomb),
    TEST(test_digests_and_versions))
