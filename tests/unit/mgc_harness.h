/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mgc_harness.h: what test_mgc.c (real and hand-written documents) and
 * test_mgc_hostile.c (hostile input, bounds, mutations) share: the
 * namespace and element-builder macros their documents are written with,
 * the path of the real SES bootstrap, and invariants(), the rules every
 * successfully parsed document must satisfy whatever its content.  Kept in
 * one place so that both files check accepted documents the same way.
 */
#ifndef NIPCACHE_MGC_HARNESS_H
#define NIPCACHE_MGC_HARNESS_H

#include <arpa/inet.h>
#include <stddef.h>

#include "sample_harness.h"
#include "../../dvb-i/mgc.h"

#define SES_BOOTSTRAP	SAMPLE_SES "/bootstrap.xml"
#define NS_2024		"urn:dvb:metadata:MulticastSessionConfiguration:2024"

/* Element builders, so that the test documents stay readable. */
#define G(a)		"<NetworkDestinationGroupAddress>" a		\
			"</NetworkDestinationGroupAddress>"
#define P(a)		"<TransportDestinationPort>" a			\
			"</TransportDestinationPort>"
#define T(a)		"<MediaTransportSessionIdentifier>" a		\
			"</MediaTransportSessionIdentifier>"
#define EP(x)		"<EndpointAddress>" x "</EndpointAddress>"

/* 1 if s is an IPv4 or IPv6 multicast address. */
static inline int
is_mcast(const char *s)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, s, a) == 1)
		return (a[0] & 0xf0) == 0xe0;
	return inet_pton(AF_INET6, s, a) == 1 && a[0] == 0xff;
}

/*
 * What every successfully parsed document must satisfy, whatever its
 * content: the number of broken rules.
 */
static inline int
invariants(const struct mgc *m)
{
	size_t i, j;
	int bad = 0;

	bad += m->nts > MGC_MAX_TS || m->nservices > MGC_MAX_SERVICES;
	for (i = 0; i < m->nts; i++) {
		const struct mgc_ts *t = &m->ts[i];

		bad += t->nendpoints < 1 || t->nendpoints > MGC_MAX_EP;
		bad += t->gateway != (t->service < 0);
		bad += t->service >= (int)m->nservices;
		bad += t->nfec > MGC_MAX_FEC || t->nlocators > MGC_MAX_LOCATORS;
		bad += t->nrefs > MGC_MAX_REFS;
		bad += t->ncomponents > MGC_MAX_COMPONENTS;
		for (j = 0; j < t->nendpoints && j < MGC_MAX_EP; j++)
			bad += !is_mcast(t->endpoints[j].group) ||
			    t->endpoints[j].port == 0;
		for (j = 0; j < t->nlocators; j++)
			bad += t->locators[j].uri == NULL ||
			    t->locators[j].uri[0] == '\0';
		for (j = 0; j < t->nrefs; j++)
			bad += t->refs[j].service_id == NULL;
	}
	for (i = 0; i < m->nservices; i++) {
		const struct mgc_service *s = &m->services[i];

		bad += s->id == NULL || s->first_ts + s->nts > m->nts;
		for (j = 0; j < s->nts && s->first_ts + j < m->nts; j++)
			bad += m->ts[s->first_ts + j].service != (int)i;
		for (j = 0; j < s->npml; j++)
			bad += s->pml[j].url == NULL ||
			    s->pml[j].manifest_id == NULL ||
			    s->pml[j].content_type == NULL;
	}
	return bad;
}

#endif
