/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipdoc.h: the DVB-NIP signalling files of ETSI TS 103 876 other than
 * the gateway configuration: the Network Information File (NIF), the
 * Service Information File (SIF), and the DVB-I Service List Entry Points
 * (SLEP) document.  protocols.md sections 4.2 to 4.4.
 *
 * Namespaces: urn:dvb:metadata:nativeip:2023 and :2024 (any
 * "urn:dvb:metadata:nativeip:" year) for NIF and SIF; any
 * "urn:dvb:metadata:servicelistdiscovery:" year for the SLEP.  Elements
 * are matched by local name, so prefixes do not matter.  Pure parsers;
 * each struct owns its memory and has a free function.
 */
#ifndef NIPCACHE_NIPDOC_H
#define NIPCACHE_NIPDOC_H

#include <stddef.h>
#include <stdint.h>

#define NIPDOC_MAX_NETWORKS	64
#define NIPDOC_MAX_STREAMS	256	/* NIPStream per network */
#define NIPDOC_MAX_MEDIA	256	/* BroadcastMediaStream in a SIF */
#define NIPDOC_MAX_URIS		8192	/* URIs per BroadcastMediaStream */
#define NIPDOC_MAX_OFFERINGS	256	/* ServiceListOffering in a SLEP */

/* DVBS2_ or DVBS2X_NIPDeliveryParameters (units as in the file). */
struct nif_delivery {
	uint8_t		present;
	uint8_t		s2x;		/* DVBS2X_ form */
	uint32_t	frequency;	/* 10 kHz units: 1114100 = 11141.00 MHz */
	char		polarization[16];	/* "horizontal", "vertical", ... */
	char		modulation[16];	/* Modulation_Type, "" if absent */
	char		roll_off[8];	/* "0.20" */
	uint32_t	symbol_rate;	/* ks/s */
	char		fec[8];		/* "3/4", "" if absent */
	uint32_t	isi;		/* input_stream_identifier */
	char		s2x_mode[16];
	char		profiles[64];	/* receiver_profiles */
};

struct nif_stream {
	char		link_layer[16];	/* "TS", "GSE-Lite", "GSE" */
	char		provider[128];	/* NIPStreamProviderName */
	uint32_t	carrier_id;	/* NIPCarrierID */
	uint32_t	link_id;	/* NIPLinkID */
	uint32_t	service_id;	/* NIPServiceID */
	uint8_t		bootstrap;	/* BootstrapStream present */
	char		bootstrap_type[32];	/* "Physical Network", ... */
	char		status[16];	/* "Active" */
	struct nif_delivery delivery;
};

struct nif_network {
	uint8_t		actual;		/* ActualBroadcastNetwork (else Other) */
	char		type[32];	/* NetworkType */
	char		name[128];	/* NetworkName */
	char		provider[128];	/* NIPNetworkProviderName */
	char		orbital_position[16];	/* "19.2", "" if absent */
	uint8_t		east;		/* West_East_flag == East */
	uint32_t	network_id;	/* NIPNetworkID, 1..65280 */
	size_t		nstreams;
	struct nif_stream *streams;
};

struct nif {
	char		version[40];	/* VersionUpdate, as written */
	int64_t		version_ms;	/* the same as Unix ms, 0 if unparsable */
	char		type[32];	/* NIFType */
	size_t		nnetworks;
	struct nif_network *networks;
	uint8_t		truncated;
};

struct sif_media {
	uint32_t	network_id, carrier_id, link_id, service_id;
	size_t		nuris;
	char		**uris;		/* BroadcastMedia/URI, in order */
	size_t		napps;		/* InteractiveApplications count */
};

struct sif {
	char		version[40];	/* VersionUpdate */
	int64_t		version_ms;
	char		provider[128];	/* NIPNetworkProviderName */
	size_t		nmedia;
	struct sif_media *media;
	uint8_t		truncated;
};

struct slep_offering {
	char		*list_name;	/* ServiceListName (first) */
	char		*uri;		/* ServiceListURI/URI (first) */
	char		*content_type;	/* ServiceListURI@contentType */
	char		*list_id;	/* ServiceListId, or NULL */
	char		*provider;	/* Provider/Name of the ProviderOffering */
	uint8_t		regulator;	/* @regulatorListFlag */
};

struct slep {
	char		ns[96];
	char		registry_name[128];	/* ServiceListRegistryEntity/Name */
	size_t		noffers;
	struct slep_offering *offers;
	uint8_t		truncated;
};

/* Each: 0 and *out filled (free it), or -1 and err ("what: why"). */
int	nif_parse(const void *buf, size_t len, struct nif *out, char *err,
	    size_t errlen);
void	nif_free(struct nif *n);
int	sif_parse(const void *buf, size_t len, struct sif *out, char *err,
	    size_t errlen);
void	sif_free(struct sif *s);
int	slep_parse(const void *buf, size_t len, struct slep *out, char *err,
	    size_t errlen);
void	slep_free(struct slep *s);

#endif
