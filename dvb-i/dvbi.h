/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dvbi.h: DVB-I service lists (ETSI TS 103 770; dvbi-and-hls.md part 1):
 * the parser that gives the daemon what it lists and joins, and the
 * rewrite that points a received list at the box.
 *
 * The parser matches local names and accepts every
 * "urn:dvb:metadata:servicediscovery:" year (2019 to 2026), the types
 * namespace or the main one for URI, tva: children in the wrong namespace,
 * LCNTable without attributes, and the three HLS forms
 * (IdentifierBasedDeliveryParameters, OtherDeliveryParameters with the
 * vnd.apple.mpegurl extension, OtherDeliveryParameters with a private
 * extension holding a .m3u8 URI).  Validation is never required.
 *
 * The rewrite edits the DOM (libxml2) and keeps everything it does not
 * understand.  Both are pure: no I/O, no globals.
 */
#ifndef NIPCACHE_DVBI_H
#define NIPCACHE_DVBI_H

#include <stddef.h>
#include <stdint.h>

#define DVBI_MAX_SERVICES	4096
#define DVBI_MAX_INSTANCES	16	/* ServiceInstance per service */
#define DVBI_MAX_GENRES		8
#define DVBI_MAX_NAMES		8	/* ServiceName per service */
#define DVBI_MAX_TABLES		64	/* LCNTable */
#define DVBI_MAX_LCNS		8192	/* LCN per table */
#define DVBI_MAX_REGIONS	1024	/* Region, nested ones included */

enum dvbi_kind {
	DVBI_KIND_OTHER = 0,	/* unknown delivery, or none */
	DVBI_KIND_DASH,		/* DASHDeliveryParameters */
	DVBI_KIND_HLS,		/* any of the three HLS forms */
	DVBI_KIND_IDENTIFIER,	/* IdentifierBased, not HLS (e.g. video/mp4) */
	DVBI_KIND_DVBS,		/* DVBSDeliveryParameters */
	DVBI_KIND_DVBT,
	DVBI_KIND_DVBC,
};

struct dvbi_instance {
	uint32_t	priority;	/* @priority, default 0: lower is preferred */
	enum dvbi_kind	kind;
	char		*url;		/* locator URL, NULL for broadcast kinds */
	char		*content_type;	/* as signalled, or NULL */
	/* DVB-S: the triplet and tuning, as written. */
	uint32_t	onid, tsid, sid;
	char		*frequency;	/* DVBSDeliveryParameters/Frequency */
	char		*polarization;
	char		*orbital_position;
};

struct dvbi_name {
	char		*lang;		/* xml:lang, NULL if not given */
	char		*text;
};

struct dvbi_service {
	uint8_t		test;		/* TestService rather than Service */
	char		*id;		/* UniqueIdentifier */
	uint64_t	version;	/* @version */
	size_t		nnames;
	struct dvbi_name names[DVBI_MAX_NAMES];	/* ServiceName */
	char		*provider;	/* ProviderName (first) */
	char		*type;		/* ServiceType@href, or NULL */
	size_t		ngenres;
	char		*genres[DVBI_MAX_GENRES];	/* ServiceGenre@href */
	char		*logo;		/* RelatedMaterial 1001.2 MediaUri */
	char		*cg_ref;	/* ContentGuideSourceRef, or NULL */
	char		*cg_service_ref;	/* ContentGuideServiceRef */
	size_t		ninstances;
	struct dvbi_instance instances[DVBI_MAX_INSTANCES];
};

struct dvbi_lcn {
	char		*service_ref;	/* @serviceRef */
	uint32_t	number;		/* @channelNumber */
	uint8_t		visible;	/* default 1 */
	uint8_t		selectable;	/* default 1 */
};

struct dvbi_lcn_table {
	size_t		nregions;	/* TargetRegion count; 0 = default */
	char		**regions;
	size_t		nlcns;
	struct dvbi_lcn	*lcns;
};

struct dvbi_region {
	char		*id;		/* @regionID */
	char		*name;		/* first RegionName, or NULL */
	char		*parent;	/* enclosing Region's id, or NULL */
};

struct dvbi_list {
	char		ns[96];		/* namespace of ServiceList */
	char		*id;		/* @id */
	uint64_t	version;	/* @version (some lists use timestamps) */
	char		*name;		/* Name (first) */
	char		*provider;	/* ProviderName (first) */
	size_t		nservices;
	struct dvbi_service *services;
	size_t		ntables;
	struct dvbi_lcn_table *tables;
	size_t		nregions;
	struct dvbi_region *regions;
	size_t		ncg_sources;	/* ContentGuideSource count */
	uint8_t		truncated;
};

/* 0 and *out (free with dvbi_list_free), or -1 and "what: why" in err. */
int	dvbi_parse(const void *buf, size_t len, struct dvbi_list *out,
	    char *err, size_t errlen);
void	dvbi_list_free(struct dvbi_list *l);

/*
 * The LCN of a service for a region: the table whose TargetRegion is
 * region (or an ancestor of it), else the table with no TargetRegion.
 * region NULL: the default table.  Returns the LCN entry or NULL.
 */
const struct dvbi_lcn *dvbi_lcn_for(const struct dvbi_list *l,
	    const char *service_id, const char *region);
/* The service name for lang (NULL or no match: the first one). */
const char *dvbi_service_name(const struct dvbi_service *s,
	    const char *lang);
/*
 * The preferred playable instance: the lowest @priority among DASH, HLS
 * and IDENTIFIER kinds with a URL; prefer_hls picks HLS over DASH when
 * both exist.  NULL if none.
 */
const struct dvbi_instance *dvbi_playable(const struct dvbi_service *s,
	    int prefer_hls);

/*
 * The XSD file name (in dvb-i/schemas) for a service list namespace, the
 * "+hls..." variant when hls is set and one exists; NULL if unknown.
 */
const char *dvbi_xsd_for_ns(const char *ns, int hls);

/* How the rewrite maps a URL to the box. */
struct dvbi_rewrite_opts {
	const char	*base;	/* "http://192.0.2.1:8080", no trailing '/' */
	/*
	 * The box's path for url ("/ses.com/a.m3u8") into path: 0, or -1
	 * when the box cannot serve it (the URL is left alone).  The path
	 * is a decoded cache key (names.h); the rewrite percent-encodes
	 * what a URL path cannot carry.  NULL: only "http://dvb.gw/P"
	 * maps, to "/P" as written.
	 */
	int		(*local_path)(void *arg, const char *url, char *path,
			    size_t len);
	void		*arg;
};

/*
 * Rewrite a service list for players on the home network:
 *  - every ServiceInstance whose locator (DASH UriBasedLocation/URI,
 *    IdentifierBasedDeliveryParameters, OtherDeliveryParameters//URI)
 *    the box can serve gets a copy pointing at base + path, placed before
 *    the originals with the original's priority; the originals stay as
 *    lower-priority fallbacks (their @priority raised above every copy);
 *    ServiceInstance@id values of copies get a "-local" suffix;
 *  - RelatedMaterial MediaUri (logos, banners) and ContentGuideSource
 *    endpoint URIs the box can serve are pointed at the box in place;
 *  - ServiceList@version and each changed Service@version go up by one;
 *  - what would no longer verify is removed: SignaturePolicies,
 *    ds:Signature elements, and digest/verification attributes of any
 *    rewritten URI.
 * A list that validated against its XSD still does.  Returns 0 with a
 * malloc'd UTF-8 document in *out (*outlen bytes, NUL-terminated), or -1
 * with err.
 */
int	dvbi_rewrite(const void *buf, size_t len,
	    const struct dvbi_rewrite_opts *o, char **out, size_t *outlen,
	    char *err, size_t errlen);

#endif
