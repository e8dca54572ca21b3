/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decap_sink.h: the datagram sink the TS and GSE fuzz targets share.
 * Every delivered datagram is read whole (so ASan sees a read past it)
 * and handed to ipudp_parse, as the receiver does next; the error
 * counters live in a heap array of exactly DECAP_NERR entries.
 */
#ifndef NIPCACHE_FUZZ_DECAP_SINK_H
#define NIPCACHE_FUZZ_DECAP_SINK_H

#include <sys/socket.h>

#include "fuzz.h"
#include "../../carousel/decap.h"
#include "../../carousel/ipudp.h"

struct fuzz_sink {
	struct decap_out	out;
	size_t			ndgram;
	uint32_t		sum;
};

static FUZZ_UNUSED void
fuzz_sink_datagram(void *arg, const uint8_t *ip, size_t len)
{
	struct fuzz_sink *k = arg;
	struct ipudp u;
	uint8_t *copy;
	int rc;

	FUZZ_CHECK(len > 0 && len <= 65535 + 40);
	copy = malloc(len);
	FUZZ_CHECK(copy != NULL);
	memcpy(copy, ip, len);
	k->sum += copy[0] + copy[len - 1];
	k->ndgram++;
	rc = ipudp_parse(copy, len, &u);
	FUZZ_CHECK(rc <= 0 && -rc < IPUDP_NERR);
	FUZZ_CHECK(ipudp_err_name(rc) != NULL);
	if (rc == 0) {
		FUZZ_CHECK(u.family == AF_INET || u.family == AF_INET6);
		FUZZ_CHECK(u.payload >= copy && u.payload + u.len <=
		    copy + len);
	}
	free(copy);
}

static FUZZ_UNUSED void
fuzz_sink_init(struct fuzz_sink *k)
{
	memset(k, 0, sizeof(*k));
	k->out.datagram = fuzz_sink_datagram;
	k->out.arg = k;
	k->out.err = calloc(DECAP_NERR, sizeof(*k->out.err));
	FUZZ_CHECK(k->out.err != NULL);
}

static FUZZ_UNUSED void
fuzz_sink_fini(struct fuzz_sink *k)
{
	int e;

	/* FUZZ_VERBOSE=1: what an input did, to judge a seed. */
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "%zu datagrams", k->ndgram);
	for (e = 0; e < DECAP_NERR; e++) {
		FUZZ_CHECK(decap_err_name(e) != NULL);
		if (k->out.err[e] != 0 && getenv("FUZZ_VERBOSE") != NULL)
			fprintf(stderr, " %s %llu", decap_err_name(e),
			    (unsigned long long)k->out.err[e]);
	}
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "\n");
	free(k->out.err);
}

#endif
