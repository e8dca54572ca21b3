/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_fdt_hostile.c: the FDT instance parser on hostile documents:
 * refused documents, entity attacks, depth, size and namespace limits,
 * huge values, bad bytes, truncation, a seeded mutation loop, and parsing
 * from several threads at once.
 */
#include <pthread.h>

#include "fdt_harness.h"
/* Documents that must be refused with a given code. */
static void
test_refused(void)
{
	static const struct {
		const char	*xml;
		int		rc;
	} t[] = {
		{ "hello", FDT_EXML },
		{ "<", FDT_EXML },
		{ "<FDT-Instance Expires=\"1\">", FDT_EXML },
		{ "<FDT-Instance Expires=\"1\"/><x/>", FDT_EXML },
		{ "<FDT-Instance Expires=\"1\" Expires=\"2\"/>", FDT_EXML },
		{ "<FDT-Instance Expires=1/>", FDT_EXML },
		{ "<?xml version=\"1.0\"?>", FDT_EXML },
		{ "<FDT-Instance Expires=\"1\"><File TOI=\"1\" Content-Location="
		  "\"&xxe;\"/></FDT-Instance>", FDT_EXML },
		{ "<FDT-Instance Expires=\"1\">&lol;</FDT-Instance>", FDT_EXML },
		{ "<!DOCTYPE FDT-Instance><FDT-Instance Expires=\"1\"/>",
		  FDT_EXML },
		{ "<!DOCTYPE FDT-Instance SYSTEM \"http://127.0.0.1:1/x.dtd\">"
		  "<FDT-Instance Expires=\"1\"/>", FDT_EXML },
		{ "<FDT Expires=\"1\"/>", FDT_EROOT },
		{ "<File TOI=\"1\" Content-Location=\"a\"/>", FDT_EROOT },
		{ "<x:FDT-Instances xmlns:x=\"urn:IETF:metadata:2005:FLUTE:FDT\""
		  " Expires=\"1\"/>", FDT_EROOT },
		{ "<fdt-instance Expires=\"1\"/>", FDT_EROOT },
		{ "<FDT-Instance expires=\"1\"/>", FDT_EATTR },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fdt *f = (struct fdt *)&f;
		int rc = parse(t[i].xml, &f, NULL);

		if (rc != t[i].rc)
			fprintf(stderr, "refused case %zu: %d\n", i, rc);
		CHECK(rc == t[i].rc);
		CHECK(f == NULL);
	}
	CHECK(fdt_parse("", 0, &(struct fdt *){ NULL }, NULL) == FDT_EXML);
	CHECK(fdt_parse(NULL, 5, &(struct fdt *){ NULL }, NULL) == FDT_EXML);
}

static void
test_entities(void)
{
	static const char laughs[] =
	    "<?xml version=\"1.0\"?><!DOCTYPE FDT-Instance ["
	    "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
	    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
	    "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">"
	    "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
	    "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">"
	    "<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">"
	    "<!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">]>"
	    "<FDT-Instance Expires=\"1\"><File TOI=\"1\" Content-Location="
	    "\"&i;\" Content-Type=\"&i;\"/>&i;</FDT-Instance>";
	static const char *const xxe[] = {
	    "<?xml version=\"1.0\"?><!DOCTYPE FDT-Instance ["
	    "<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	    "<FDT-Instance Expires=\"1\"><File TOI=\"1\" "
	    "Content-Location=\"a\" Content-Type=\"&x;\"/>&x;</FDT-Instance>",
	    "<?xml version=\"1.0\"?><!DOCTYPE FDT-Instance ["
	    "<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]>"
	    "<FDT-Instance Expires=\"1\"/>",
	    "<?xml version=\"1.0\"?><!DOCTYPE FDT-Instance SYSTEM "
	    "\"file:///etc/passwd\"><FDT-Instance Expires=\"1\">"
	    "<File TOI=\"1\" Content-Location=\"a\"/></FDT-Instance>",
	};
	struct fdt *f = (struct fdt *)&f;
	size_t i;

	CHECK(parse(laughs, &f, NULL) == FDT_EXML);
	CHECK(f == NULL);
	for (i = 0; i < sizeof(xxe) / sizeof(xxe[0]); i++) {
		f = (struct fdt *)&f;
		CHECK(parse(xxe[i], &f, NULL) == FDT_EXML);
		CHECK(f == NULL);
	}
	/* XInclude is never processed: the element is just unknown. */
	REQUIRE(parse("<FDT-Instance Expires=\"1\" xmlns:xi=\"http://www.w3.org"
	    "/2001/XInclude\"><xi:include href=\"file:///etc/passwd\" "
	    "parse=\"text\"/><File TOI=\"1\" Content-Location=\"a\"/>"
	    "</FDT-Instance>", &f, NULL) == 0);
	REQUIRE(f->nfiles == 1);
	CHECK(strstr(f->files[0].location, "root:") == NULL);
	CHECK(strcmp(f->files[0].location, "a") == 0);
	fdt_free(f);
}

/* Element nesting: FDT_MAX_DEPTH levels pass, one more does not. */
static void
test_depth(void)
{
	static const int depths[] = { FDT_MAX_DEPTH, FDT_MAX_DEPTH + 1, 300,
	    100000 };
	size_t i;
	int d;

	for (i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
		struct fdt *f = NULL;
		size_t n;
		int rc;

		n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\">"
		    "<File TOI=\"1\" Content-Location=\"a\"/>");
		for (d = 1; d < depths[i]; d++)
			n += (size_t)sprintf(big + n, "<x>");
		for (d = 1; d < depths[i]; d++)
			n += (size_t)sprintf(big + n, "</x>");
		n += (size_t)sprintf(big + n, "</FDT-Instance>");
		rc = fdt_parse(big, n, &f, NULL);
		CHECK(rc == (depths[i] <= FDT_MAX_DEPTH ? 0 : FDT_ELIMIT));
		if (rc == 0)
			CHECK_EQ_U(f->nfiles, 1);
		fdt_free(f);
	}
}

static size_t
many_files(size_t nfiles)
{
	size_t i, n;

	n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\">");
	for (i = 0; i < nfiles; i++)
		n += (size_t)sprintf(big + n,
		    "<File TOI=\"%zu\" Content-Location=\"f%zu\"/>", i + 1, i);
	n += (size_t)sprintf(big + n, "</FDT-Instance>");
	return n;
}

static void
test_limits(void)
{
	struct fdt *f = NULL;
	size_t n, i, k;

	/* 2.9 MB: Files straddle the parser's chunk boundaries. */
	n = many_files(FDT_MAX_FILES);
	REQUIRE(fdt_parse(big, n, &f, NULL) == 0);
	REQUIRE(f->nfiles == FDT_MAX_FILES);
	for (i = k = 0; i < FDT_MAX_FILES; i++) {
		char loc[16];

		snprintf(loc, sizeof(loc), "f%zu", i);
		k += f->files[i].toi.lo == i + 1 &&
		    strcmp(f->files[i].location, loc) == 0;
	}
	CHECK_EQ_U(k, FDT_MAX_FILES);
	fdt_free(f);
	n = many_files(FDT_MAX_FILES + 1);
	CHECK(fdt_parse(big, n, &f, NULL) == FDT_ELIMIT && f == NULL);

	/* Oversize: a valid document padded with blanks past the limit. */
	n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\">");
	memset(big + n, ' ', FDT_MAX_XML);
	n += FDT_MAX_XML;
	n += (size_t)sprintf(big + n, "</FDT-Instance>");
	CHECK(fdt_parse(big, n, &f, NULL) == FDT_ELIMIT && f == NULL);
	CHECK(fdt_parse(big, FDT_MAX_XML - 100, &f, NULL) == FDT_EXML);

	/* Lots of small elements: the element cap, not memory, stops it. */
	n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\">");
	while (n < FDT_MAX_XML - 32)
		n += (size_t)sprintf(big + n, "<a/>");
	n += (size_t)sprintf(big + n, "</FDT-Instance>");
	CHECK(fdt_parse(big, n, &f, NULL) == FDT_ELIMIT && f == NULL);

	/* Attributes per tag: 64 pass, 65 and a 4 MB flood do not. */
	for (i = FDT_MAX_ATTRS - 2; i <= FDT_MAX_ATTRS + 1; i++) {
		n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\">"
		    "<File TOI=\"1\" ");
		for (k = 2; k < i; k++)
			n += (size_t)sprintf(big + n, "a%zu='=' ", k);
		n += (size_t)sprintf(big + n, "Content-Location=\"a\"/>"
		    "</FDT-Instance>");
		CHECK(fdt_parse(big, n, &f, NULL) ==
		    (i <= FDT_MAX_ATTRS ? 0 : FDT_ELIMIT));
		fdt_free(f);
		f = NULL;
	}
	n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\"><File ");
	for (i = 0; n < FDT_MAX_XML - 64; i++)
		n += (size_t)sprintf(big + n, "a%zu=\"\" ", i);
	n += (size_t)sprintf(big + n, "/></FDT-Instance>");
	CHECK(fdt_parse(big, n, &f, NULL) == FDT_ELIMIT);
	/* Namespace declarations count too. */
	for (k = FDT_MAX_ATTRS - 1; k <= FDT_MAX_ATTRS; k++) {
		n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\"");
		for (i = 0; i < k; i++)
			n += (size_t)sprintf(big + n, " xmlns:n%zu=\"u:%zu\"",
			    i, i);
		n += (size_t)sprintf(big + n, "/>");
		CHECK(fdt_parse(big, n, &f, NULL) ==
		    (k < FDT_MAX_ATTRS ? 0 : FDT_ELIMIT));
		fdt_free(f);
		f = NULL;
	}
}

/* Namespaces in scope: 2 x 60 pass, 3 x 60 nested do not; siblings do. */
static size_t
ns_levels(int nested, int levels)
{
	size_t n;
	int l, i;

	n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\">");
	for (l = 0; l < levels; l++) {
		n += (size_t)sprintf(big + n, "<x");
		for (i = 0; i < 60; i++)
			n += (size_t)sprintf(big + n, " xmlns:p%d=\"u:%d\"", i, l);
		n += (size_t)sprintf(big + n, nested ? ">" : "/>");
	}
	for (l = 0; nested && l < levels; l++)
		n += (size_t)sprintf(big + n, "</x>");
	n += (size_t)sprintf(big + n, "<File TOI=\"1\" Content-Location=\"a\"/>"
	    "</FDT-Instance>");
	return n;
}

static void
test_ns_scope(void)
{
	struct fdt *f = NULL;

	CHECK(fdt_parse(big, ns_levels(1, 2), &f, NULL) == 0);
	CHECK(f != NULL && f->nfiles == 1);
	fdt_free(f);
	CHECK(fdt_parse(big, ns_levels(1, 3), &f, NULL) == FDT_ELIMIT);
	CHECK(fdt_parse(big, ns_levels(0, 50), &f, NULL) == 0);
	CHECK(f != NULL && f->nfiles == 1);
	fdt_free(f);
}

/* Elements below one File: FDT_MAX_SUBTREE pass, one more does not. */
static void
test_subtree(void)
{
	static const size_t counts[] = { FDT_MAX_SUBTREE, FDT_MAX_SUBTREE + 1,
	    100000 };
	struct fdt *f = NULL;
	size_t i, k, n;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\"><File "
		    "TOI=\"1\" Content-Location=\"a\"><Cache-Control>");
		for (k = 1; k < counts[i]; k++)
			n += (size_t)sprintf(big + n, "<no-cache/>");
		n += (size_t)sprintf(big + n, "</Cache-Control></File>"
		    "<File TOI=\"2\" Content-Location=\"b\"/></FDT-Instance>");
		CHECK(fdt_parse(big, n, &f, NULL) ==
		    (counts[i] <= FDT_MAX_SUBTREE ? 0 : FDT_ELIMIT));
		if (f != NULL)
			CHECK(f->nfiles == 2 && f->files[0].no_cache);
		fdt_free(f);
		f = NULL;
	}
	/* Comments, PIs and CDATA add no nodes and count for no limit. */
	n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\"><File TOI=\"1\" "
	    "Content-Location=\"a\"><Cache-Control><Expires>");
	while (n < (512u << 10))
		n += (size_t)sprintf(big + n, "<!-- -->1<?p?><![CDATA[]]>");
	n += (size_t)sprintf(big + n, "</Expires></Cache-Control></File>"
	    "</FDT-Instance>");
	REQUIRE(fdt_parse(big, n, &f, NULL) == 0);
	CHECK(f->nfiles == 1 && f->files[0].cache_expires == -1);
	fdt_free(f);
}

static void
test_huge_values(void)
{
	static const char *const attrs[] = {
		"Content-Location", "Content-Type", "Content-Encoding", "TOI",
		"Content-Length", "FEC-OTI-Encoding-Symbol-Length",
		"FEC-OTI-Scheme-Specific-Info",
	};
	struct fdt *f;
	size_t i, n, sk;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\"><File "
		    "TOI=\"1\" Content-Location=\"a\" %s=\"", attrs[i]);
		memset(big + n, i == 3 || i == 4 ? '7' : 'A', 1 << 20);
		n += 1 << 20;
		n += (size_t)sprintf(big + n, "\"/></FDT-Instance>");
		/* Duplicate TOI/Content-Location: not well-formed. */
		if (i == 0 || i == 3) {
			CHECK(fdt_parse(big, n, &f, &sk) == FDT_EXML);
			continue;
		}
		REQUIRE(fdt_parse(big, n, &f, &sk) == 0);
		CHECK(f->nfiles == 0 && sk == 1);
		fdt_free(f);
	}
	n = (size_t)sprintf(big, "<FDT-Instance Expires=\"");
	memset(big + n, '9', 1 << 20);
	n += 1 << 20;
	n += (size_t)sprintf(big + n, "\"/>");
	CHECK(fdt_parse(big, n, &f, NULL) == FDT_EATTR);
	n = (size_t)sprintf(big, "<FDT-Instance Expires=\"1\"><File "
	    "TOI=\"1\" Content-Location=\"");
	memset(big + n, 'u', 1 << 20);
	n += 1 << 20;
	n += (size_t)sprintf(big + n, "\"/></FDT-Instance>");
	REQUIRE(fdt_parse(big, n, &f, &sk) == 0);
	CHECK(f->nfiles == 0 && sk == 1);
	fdt_free(f);
}

static void
test_bad_bytes(void)
{
	static const struct {
		const char	*xml;
		size_t		len;
		int		rc;
	} t[] = {
#define B(s, rc) { s, sizeof(s) - 1, rc }
		B("<FDT-Instance Expires=\"1\"><File TOI=\"1\" "
		  "Content-Location=\"a\0b\"/></FDT-Instance>", FDT_EXML),
		B("<FDT-Instance Expires=\"1\">\0</FDT-Instance>", FDT_EXML),
		B("\0<FDT-Instance Expires=\"1\"/>", FDT_EXML),
		B("<FDT-Instance Expires=\"1\"/>\0garbage", FDT_EXML),
		B("<FDT-Instance Expires=\"1\"/>\0\0<x", FDT_EXML),
		/* A C string terminator counted in the length is fine. */
		B("<FDT-Instance Expires=\"1\"/>\0", 0),
		B("<FDT-Instance Expires=\"1\"/>\n\0\0\0", 0),
		B("\0\0\0", FDT_EXML),
		B("<FDT-Instance Expires=\"1\"><File TOI=\"1\" "
		  "Content-Location=\"\xff\xfe\"/></FDT-Instance>", FDT_EXML),
		B("<FDT-Instance Expires=\"1\"><File TOI=\"1\" "
		  "Content-Location=\"\xc0\xaf\"/></FDT-Instance>", FDT_EXML),
		B("<FDT-Instance Expires=\"1\"><File TOI=\"1\" "
		  "Content-Location=\"\xed\xa0\x80\"/></FDT-Instance>", FDT_EXML),
		B("<FDT-Instance Expires=\"1\">\xe2\x82</FDT-Instance>", FDT_EXML),
		B("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		  "<FDT-Instance Expires=\"1\" \x80=\"1\"/>", FDT_EXML),
		B("<FDT-Instance Expires=\"1\">&#0;</FDT-Instance>", FDT_EXML),
		B("<FDT-Instance Expires=\"1\"><File TOI=\"1\" "
		  "Content-Location=\"&#xD800;\"/></FDT-Instance>", FDT_EXML),
		B("<FDT-Instance Expires=\"1\">\x1b$B</FDT-Instance>", FDT_EXML),
		/* UTF-16 (both orders, with and without BOM), EBCDIC. */
		B("\xff\xfe<\0F\0/\0>\0", FDT_EXML),
		B("\xfe\xff\0<\0F\0/\0>", FDT_EXML),
		B("<\0?\0x\0m\0l\0 \0?\0>\0", FDT_EXML),
		B("\x4c\x6f\xa7\x94\x93\x40\x6f\x6e", FDT_EXML),
		/* Declared Latin-1 with a Latin-1 byte: not UTF-8. */
		B("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
		  "<FDT-Instance Expires=\"1\"><File TOI=\"1\" "
		  "Content-Location=\"caf\xe9\"/></FDT-Instance>", FDT_EXML),
		/* The declaration is ignored; what counts is UTF-8. */
		B("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
		  "<FDT-Instance Expires=\"1\"/>", 0),
		B("<?xml version=\"1.0\" encoding=\"UTF-16\"?>"
		  "<FDT-Instance Expires=\"1\"/>", 0),
		B("<?xml version=\"1.0\" encoding=\"ISO-2022-JP\"?>"
		  "<FDT-Instance Expires=\"1\"/>", 0),
		B("\xef\xbb\xbf<?xml version=\"1.0\"?><FDT-Instance "
		  "Expires=\"1\"/>", 0),
		B("\n <FDT-Instance Expires=\"1\"/>", 0),
#undef B
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct fdt *f = (struct fdt *)&f;
		int rc = fdt_parse(t[i].xml, t[i].len, &f, NULL);

		if (rc != t[i].rc)
			fprintf(stderr, "bad bytes case %zu: %d\n", i, rc);
		CHECK(rc == t[i].rc);
		CHECK((rc == 0) == (f != NULL));
		if (rc == 0)
			fdt_free(f);
	}
	/* Valid non-ASCII UTF-8 passes through unchanged. */
	{
		struct fdt *f;

		REQUIRE(parse(doc1("TOI=\"1\" Content-Location="
		    "\"caf\xc3\xa9/\xe2\x82\xac\"", ""), &f, NULL) == 0);
		REQUIRE(f->nfiles == 1);
		CHECK(strcmp(f->files[0].location,
		    "caf\xc3\xa9/\xe2\x82\xac") == 0);
		fdt_free(f);
	}
}

/* Truncated at every 7th byte: an error or a sane result, never a crash. */
static void
test_truncation(void)
{
	static const char *const docs[] = { rich_fdt, gpac_fdt, libflute_fdt };
	size_t d, len, full, errors, n;

	for (d = 0; d < sizeof(docs) / sizeof(docs[0]); d++) {
		full = strlen(docs[d]);
		/* Without the root's end tag no prefix is well-formed. */
		n = (size_t)(strstr(docs[d], "</") - docs[d]);
		while (strstr(docs[d] + n + 2, "</") != NULL)
			n = (size_t)(strstr(docs[d] + n + 2, "</") - docs[d]);
		for (errors = 0, len = 1; len < full; len += 7) {
			struct fdt *f = NULL;
			int rc = fdt_parse(docs[d], len, &f, NULL);

			if (len <= n)
				CHECK(rc < 0);
			if (rc < 0) {
				CHECK(f == NULL);
				errors++;
			}
			fdt_free(f);
		}
		CHECK(errors >= n / 7);
	}
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void
mutate(char *buf, size_t *len)
{
	static const char special[] = "<>\"'=&;/:x0 -#\xff\x80\0!?[]";
	size_t pos = *len ? rng() % *len : 0, k;

	switch (rng() % 6) {
	case 0:
		buf[pos] ^= (char)(1u << (rng() % 8));
		break;
	case 1:
		buf[pos] = special[rng() % (sizeof(special) - 1)];
		break;
	case 2:
		*len = pos;
		break;
	case 3:		/* delete a slice */
		k = rng() % 16;
		if (pos + k <= *len) {
			memmove(buf + pos, buf + pos + k, *len - pos - k);
			*len -= k;
		}
		break;
	case 4:		/* duplicate a slice */
		k = rng() % 64;
		if (pos + k <= *len && *len + k < 4096) {
			memmove(buf + pos + k, buf + pos, *len - pos);
			*len += k;
		}
		break;
	default:
		buf[pos] = (char)('0' + rng() % 10);
		break;
	}
}

/* A parsed instance must satisfy the header's promises. */
static int
sane(const struct fdt *f)
{
	size_t i;

	for (i = 0; i < f->nfiles; i++) {
		const struct fdt_file *x = &f->files[i];

		if (x->location == NULL || x->location[0] == '\0' ||
		    strlen(x->location) > FDT_MAX_URI ||
		    (x->toi.hi == 0 && x->toi.lo == 0) ||
		    x->toi.hi > 0xFFFFFFFFFFFFull ||
		    x->content_length < -1 || x->transfer_length < -1 ||
		    x->oti.fei < -1 || x->oti.fei > 255 || x->oti.ssi_len > 8 ||
		    x->cache_expires < -1 || x->cache_expires > UINT32_MAX)
			return 0;
	}
	return 1;
}

static void
test_mutation(void)
{
	static const char *const seeds[] = { rich_fdt, libflute_fdt };
	char buf[4096];
	size_t len, ok = 0, bad = 0, files = 0;
	int i, m;

	for (i = 0; i < 20000; i++) {
		const char *s = seeds[i % 2];
		struct fdt *f = NULL;
		int rc;

		len = strlen(s);
		memcpy(buf, s, len);
		for (m = 1 + (int)(rng() % 4); m > 0; m--)
			mutate(buf, &len);
		rc = fdt_parse(buf, len, &f, NULL);
		if (rc == 0) {
			CHECK(f != NULL && sane(f));
			files += f->nfiles;
			ok++;
		} else {
			CHECK(f == NULL && rc >= FDT_ENOMEM && rc < 0);
			bad++;
		}
		fdt_free(f);
	}
	fprintf(stderr, "mutation: %zu parsed (%zu files), %zu refused\n",
	    ok, files, bad);
	CHECK(ok > 1000 && bad > 1000);
}

static void *
thread_main(void *arg)
{
	int i, *fails = arg;

	for (i = 0; i < 300; i++) {
		struct fdt *f;
		const char *x = i % 2 ? gpac_fdt : libflute_fdt;

		if (fdt_parse(x, strlen(x), &f, NULL) != 0) {
			(*fails)++;
			continue;
		}
		*fails += f->nfiles != (i % 2 ? 6u : 7u);
		fdt_free(f);
	}
	return NULL;
}

/* Parsing from several threads at once (the receive threads do this). */
static void
test_threads(void)
{
	pthread_t th[4];
	int fails[4] = { 0, 0, 0, 0 }, i;

	for (i = 0; i < 4; i++)
		REQUIRE(pthread_create(&th[i], NULL, thread_main,
		    &fails[i]) == 0);
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK_EQ_U(fails[i], 0);
	}
}

static void
test_strerror(void)
{
	static const int codes[] = { FDT_EXML, FDT_EROOT, FDT_EATTR,
	    FDT_ELIMIT, FDT_ENOMEM };
	size_t i, j;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		CHECK(fdt_strerror(codes[i])[0] != '\0');
		CHECK(strcmp(fdt_strerror(codes[i]), "unknown") != 0);
		for (j = 0; j < i; j++)
			CHECK(strcmp(fdt_strerror(codes[i]),
			    fdt_strerror(codes[j])) != 0);
	}
	CHECK(strcmp(fdt_strerror(-77), "unknown") == 0);
	fdt_free(NULL);
}

TEST_MAIN(TEST(test_refused), TEST(test_entities), TEST(test_depth),
    TEST(test_limits), TEST(test_ns_scope), TEST(test_subtree),
    TEST(test_huge_values), TEST(test_bad_bytes),
    TEST(test_truncation), TEST(test_mutation), TEST(test_threads),
    TEST(test_strerror))
