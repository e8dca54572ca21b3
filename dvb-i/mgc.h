/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mgc.h: the DVB-MABR MulticastGatewayConfiguration (ETSI TS 103 769
 * clause 10; protocols.md section 5), as carried by DVB-NIP: the
 * bootstrap on the announcement channel and the full gateway
 * configuration it leads to.  One parser for both: the bootstrap holds
 * MulticastGatewayConfigurationTransportSession elements, the full one
 * adds MulticastSession elements, one per service.
 *
 * Accepted: the 2019, 2023 and 2024 namespaces (any
 * "urn:dvb:metadata:MulticastSessionConfiguration:" year), elements with
 * any prefix (Eutelsat's ns2:), schemaVersion with or without the ext:
 * prefix, @validUntil as an MPEG-7 TimePoint or xs:dateTime, and
 * @validityPeriod as an ISO 8601 duration.  Unknown elements and
 * attributes are skipped.  A transport session without a usable
 * EndpointAddress is dropped and counted (dropped_sessions), not fatal.
 *
 * Pure: mgc_parse does no I/O and touches no globals.  Everything in a
 * struct mgc is owned by it and freed by mgc_free.
 */
#ifndef NIPCACHE_MGC_H
#define NIPCACHE_MGC_H

#include <stddef.h>
#include <stdint.h>

/* Bounds: documents beyond them are truncated and flagged (truncated). */
#define MGC_MAX_TS		1024	/* transport sessions, both kinds */
#define MGC_MAX_SERVICES	1024	/* MulticastSession elements */
#define MGC_MAX_EP		16	/* EndpointAddress per session */
#define MGC_MAX_FEC		4
#define MGC_MAX_BASEURL		8
#define MGC_MAX_LOCATORS	4096	/* ResourceLocator per carousel */
#define MGC_MAX_REFS		256	/* PresentationManifests/InitSegments */
#define MGC_MAX_COMPONENTS	64	/* ServiceComponentIdentifier */
#define MGC_MAX_PML		16	/* PresentationManifestLocator */

enum mgc_proto {
	MGC_PROTO_OTHER = 0,
	MGC_PROTO_FLUTE,	/* protocolIdentifier ends in ":FLUTE" */
	MGC_PROTO_ROUTE,	/* ... ":ROUTE" */
};

enum mgc_security {
	MGC_SEC_NONE = 0,
	MGC_SEC_INTEGRITY,
	MGC_SEC_INTEGRITY_AUTH,
};

/* One EndpointAddress, addresses as written (IPv4 or IPv6 text). */
struct mgc_endpoint {
	char		source[64];	/* NetworkSourceAddress, "" = ASM */
	char		group[64];	/* NetworkDestinationGroupAddress */
	uint16_t	port;		/* TransportDestinationPort */
	uint8_t		has_tsi;	/* MediaTransportSessionIdentifier given */
	uint64_t	tsi;
};

struct mgc_fec {
	uint8_t		fei;		/* from urn:ietf:rmt:fec:encoding:N */
	uint32_t	overhead_pct;	/* OverheadPercentage, 0 if absent */
	uint8_t		has_endpoint;	/* repair symbols on another group */
	struct mgc_endpoint endpoint;
};

struct mgc_baseurl {
	char		*url;
	uint32_t	weight;		/* @relativeWeight, default 1 */
};

struct mgc_repair {
	char		*object_base_uri;	/* @transportObjectBaseURI or NULL */
	uint32_t	reception_timeout_ms;	/* @transportObjectReceptionTimeout */
	uint32_t	fixed_backoff_ms;	/* @fixedBackOffPeriod, default 0 */
	uint32_t	random_backoff_ms;	/* @randomBackOffPeriod, default 0 */
	size_t		nbase;
	struct mgc_baseurl base[MGC_MAX_BASEURL];
};

/* PresentationManifests or InitSegments inside a gateway ObjectCarousel. */
struct mgc_svcref {
	uint8_t		init;		/* 1: InitSegments, 0: PresentationManifests */
	char		*service_id;	/* @serviceIdRef */
	char		*ts_id;		/* @transportSessionIdRef or NULL */
	uint64_t	latency_ms;	/* @targetAcquisitionLatency, 0 = absent */
};

struct mgc_locator {
	char		*uri;		/* ResourceLocator text */
	uint64_t	latency_ms;	/* @targetAcquisitionLatency */
};

enum mgc_comp_kind {
	MGC_COMP_GENERIC = 0,
	MGC_COMP_DASH,
	MGC_COMP_HLS,
};

/* ServiceComponentIdentifier, by its xsi:type (local part). */
struct mgc_component {
	enum mgc_comp_kind kind;
	char		*manifest_id_ref;	/* @manifestIdRef */
	char		*media_playlist;	/* HLS: @mediaPlaylistLocator */
	char		*period_id;		/* DASH: @periodIdentifier */
	char		*adaptation_set_id;	/* DASH */
	char		*representation_id;	/* DASH */
	char		*component_id;		/* generic: @componentIdentifier */
};

/*
 * A transport session: a MulticastGatewayConfigurationTransportSession
 * (gateway = 1: signalling and object carousels, not bound to one
 * service) or a MulticastTransportSession of a MulticastSession
 * (gateway = 0, service = index into mgc.services).
 */
struct mgc_ts {
	uint8_t		gateway;
	int		service;	/* index, -1 for gateway sessions */
	char		*id;		/* @id or NULL */
	char		*service_class;	/* @serviceClass or NULL */
	char		*tags;		/* @tags (space-separated URIs) or NULL */
	enum mgc_proto	proto;
	uint32_t	proto_version;
	uint8_t		chunked;	/* @transmissionMode="chunked" */
	enum mgc_security security;
	uint32_t	idle_timeout_ms;	/* @sessionIdleTimeout, 0 = absent */
	uint64_t	bitrate_avg;	/* BitRate@average, bit/s, 0 = absent */
	uint64_t	bitrate_max;	/* BitRate@maximum */
	size_t		nendpoints;
	struct mgc_endpoint endpoints[MGC_MAX_EP];
	size_t		nfec;
	struct mgc_fec	fec[MGC_MAX_FEC];
	uint8_t		has_repair;
	struct mgc_repair repair;
	uint8_t		has_carousel;	/* ObjectCarousel present */
	uint64_t	carousel_transport_size;
	uint64_t	carousel_content_size;
	size_t		nlocators;
	struct mgc_locator *locators;
	size_t		nrefs;
	struct mgc_svcref *refs;
	size_t		ncomponents;
	struct mgc_component *components;
};

/* PresentationManifestLocator of a MulticastSession. */
struct mgc_pml {
	char		*manifest_id;	/* @manifestId */
	char		*content_type;	/* @contentType */
	char		*url;		/* text: the manifest URL ("" allowed) */
	char		*object_uri;	/* @transportObjectURI or NULL */
	char		*path_pattern;	/* @contentPlaybackPathPattern or NULL */
};

/* A MulticastSession: one service. */
struct mgc_service {
	char		*id;		/* @serviceIdentifier = DVB-I UniqueIdentifier */
	uint64_t	playback_offset_ms;	/* @contentPlaybackAvailabilityOffset */
	size_t		npml;
	struct mgc_pml	pml[MGC_MAX_PML];
	size_t		first_ts;	/* its sessions: ts[first_ts ..+ nts) */
	size_t		nts;
};

struct mgc {
	char		ns[96];		/* namespace of the root element */
	int		schema_version;	/* [ext:]schemaVersion, -1 absent */
	uint8_t		has_valid_until;
	int64_t		valid_until_ms;	/* Unix ms */
	uint8_t		has_validity_period;
	uint64_t	validity_period_ms;
	size_t		nts;
	struct mgc_ts	*ts;
	size_t		nservices;
	struct mgc_service *services;
	uint32_t	dropped_sessions;	/* no usable endpoint */
	uint8_t		truncated;		/* a MGC_MAX_* bound was hit */
};

/*
 * Parse a MulticastGatewayConfiguration document of len bytes.  Returns 0
 * and fills *out (free with mgc_free), or -1 with a reason in err (*out
 * then needs no freeing).  Refused: not XML, a DTD, a root element
 * other than MulticastGatewayConfiguration, a namespace other than
 * MulticastSessionConfiguration's.
 */
int	mgc_parse(const void *buf, size_t len, struct mgc *out, char *err,
	    size_t errlen);
void	mgc_free(struct mgc *m);

/* The service with this identifier, or NULL. */
const struct mgc_service *mgc_service_find(const struct mgc *m,
	    const char *service_id);
/*
 * 1 if gateway session t names service_id in its ObjectCarousel
 * (PresentationManifests or InitSegments @serviceIdRef).
 */
int	mgc_ts_serves(const struct mgc_ts *t, const char *service_id);

#endif
