/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dvbi_rewrite.c: fuzz target for the service list rewrite
 * (dvb-i/dvbi_rewrite.c) that points players at the box.  The first
 * byte picks the URL mapping: even, the built-in one (only
 * http://dvb.gw/P); odd, a callback mapping every URL names.c can serve,
 * as the daemon does for the objects of its cache.  The rest is the list.
 *
 * Invariants: the result is a terminated document of the length given,
 * well-formed XML; and when the input was a list dvbi_parse accepts, the
 * result is one too, with the same services.
 */
#include "fuzz.h"
#include "../../daemon/names.h"
#include "../../dvb-i/dvbi.h"
#include "../../dvb-i/xmlu.h"

static int
fuzz_local_path(void *arg, const char *url, char *path, size_t len)
{
	(void)arg;
	return names_from_location(url, path, len);
}

/* The rewritten list parses as well as the original did. */
static void
fuzz_rw_compare(const uint8_t *data, size_t size, const char *out,
    size_t outlen)
{
	struct dvbi_list a, b;
	char err[160];

	if (dvbi_parse(data, size, &a, err, sizeof(err)) != 0)
		return;
	FUZZ_CHECK(dvbi_parse(out, outlen, &b, err, sizeof(err)) == 0);
	if (!a.truncated && !b.truncated)
		FUZZ_CHECK(a.nservices == b.nservices);
	dvbi_list_free(&a);
	dvbi_list_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dvbi_rewrite_opts o;
	char err[160], *out;
	size_t outlen;
	xmlDocPtr doc;

	if (size < 1)
		return 0;
	memset(&o, 0, sizeof(o));
	o.base = "http://192.0.2.1:8080";
	if (data[0] & 1)
		o.local_path = fuzz_local_path;
	data++;
	size--;
	err[0] = '\0';
	if (dvbi_rewrite(data, size, &o, &out, &outlen, err,
	    sizeof(err)) != 0) {
		FUZZ_CHECK(out == NULL);
		FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)));
		return 0;
	}
	FUZZ_CHECK(out != NULL && out[outlen] == '\0');
	FUZZ_CHECK(strlen(out) == outlen);
	doc = xmlu_parse(out, outlen, "rewritten", err, sizeof(err));
	FUZZ_CHECK(doc != NULL);
	xmlFreeDoc(doc);
	fuzz_rw_compare(data, size, out, outlen);
	free(out);
	return 0;
}
