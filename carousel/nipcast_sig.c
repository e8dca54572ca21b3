/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipcast_sig.c: the DVB-NIP signalling chain for a --nip description
 * (nipcast_desc.c), so that a receiver told nothing but its interface
 * finds everything: the bootstrap on the announcement channel names the
 * NIF, SIF, SLEP and service list sent beside it, and the gateway
 * session; the gateway configuration there maps each DVB-I service to its
 * transport session.  protocols.md sections 4 and 5, dvbi-and-hls.md 1.2
 * to 1.5; the SES captures in shared/data/nip are the models.  Also the
 * small address and list-line parsers the other nipcast files share.
 *
 * Pure: description in, XML strings out; no I/O, no globals, no logging.
 * Every value from the description is escaped where it lands.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../daemon/util.h"
#include "nipcast.h"

#define GW_BASE		"http://dvb.gw/"
#define MGC_NS		"urn:dvb:metadata:MulticastSessionConfiguration:2024"
#define EXT_NS		"urn:dvb:metadata:Extensibility:2024"
#define XSI_NS		"http://www.w3.org/2001/XMLSchema-instance"
#define NIP_NS		"urn:dvb:metadata:nativeip:2024"
#define SLD_NS		"urn:dvb:metadata:servicelistdiscovery:2024"
#define SL_NS		"urn:dvb:metadata:servicediscovery:2024"
#define TYPES_NS	"urn:dvb:metadata:servicediscovery-types:2023"
#define TVA_NS		"urn:tva:metadata:2024"
#define MPEG7_NS	"urn:tva:mpeg7:2008"
#define FLUTE_ID	"urn:dvb:metadata:cs:MulticastTransportProtocolCS:2019:FLUTE"
#define LINEAR		"urn:dvb:metadata:cs:ServiceTypeCS:2019:linear"
#define LOGO_HOWRELATED	"urn:dvb:metadata:cs:HowRelatedCS:2021:1001.2"
#define HLS_TYPE	"application/vnd.apple.mpegurl"
#define VALID_UNTIL	"2099-06-26T07:01:50:000F1000"	/* MPEG-7 TimePoint */
#define IDLE_MS		60000		/* sessionIdleTimeout */
#define LIST_PATH	"dvbi/service_list.xml"

static const struct {
	const char	*file;
	const char	*location;	/* NULL: under the domain */
	const char	*ctype;
} docs[NC_DOC_N] = {
	[NC_DOC_BOOTSTRAP] = { "bootstrap.xml",
	    "urn:dvb:metadata:cs:NativeIPMulticastTransportObjectTypeCS:"
	    "2023:bootstrap",
	    "application/xml+dvb-mabr-session-configuration" },
	[NC_DOC_GATEWAY] = { "gateway.xml",
	    "urn:dvb:metadata:cs:MulticastTransportObjectTypeCS:2021:"
	    "gateway-configuration",
	    "application/xml+dvb-mabr-session-configuration" },
	[NC_DOC_NIF] = { "nif.xml",
	    "urn:dvb:metadata:nativeip:NetworkInformationFile",
	    "application/xml+dvb-nip-nif" },
	[NC_DOC_SIF] = { "sif.xml",
	    "urn:dvb:metadata:nativeip:ServiceInformationFile",
	    "application/xml+dvb-nip-sif" },
	[NC_DOC_SLEP] = { "slep.xml", "urn:dvb:metadata:nativeip:dvb-i-slep",
	    "application/xml+dvb-i-slep" },
	[NC_DOC_LIST] = { "service_list.xml", NULL,
	    "application/vnd.dvb.dvbisl+xml" },
};

/* ---- small parsers shared with nipcast.c ---- */

int
nc_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (*s == '\0')
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' ||
		    v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int
ep_host(char *host, uint16_t port, struct nc_ep *ep)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&ep->sa;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ep->sa;
	size_t hl = strlen(host);

	if (hl >= 3 && host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		host++;
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		ep->salen = sizeof(*sin6);
	} else {
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return -1;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		ep->salen = sizeof(*sin);
	}
	util_strlcpy(ep->group, host, sizeof(ep->group));
	return 0;
}

int
nc_parse_ep(const char *s, int want_tsi, struct nc_ep *ep)
{
	char buf[NC_ADDR_MAX + 24], *slash, *colon;
	uint64_t port, tsi = 0;

	memset(ep, 0, sizeof(*ep));
	if (strlen(s) >= sizeof(buf))
		return -1;
	util_strlcpy(buf, s, sizeof(buf));
	slash = strrchr(buf, '/');
	if ((slash != NULL) != (want_tsi != 0))
		return -1;
	if (slash != NULL) {
		*slash = '\0';
		if (nc_parse_u64(slash + 1, 0, UINT32_MAX, &tsi) < 0)
			return -1;
	}
	colon = strrchr(buf, ':');
	if (colon == NULL || colon == buf ||
	    nc_parse_u64(colon + 1, 1, 65535, &port) < 0)
		return -1;
	*colon = '\0';
	if (ep_host(buf, (uint16_t)port, ep) < 0) {
		memset(ep, 0, sizeof(*ep));
		return -1;
	}
	ep->port = (uint16_t)port;
	ep->tsi = (uint32_t)tsi;
	return 0;
}

int
nc_sig_objline(char *line, char **path, char **loc, char **ctype)
{
	char *tok[4], *save = NULL, *t;
	int n = 0;

	for (t = strtok_r(line, " \t\r\n", &save); t != NULL;
	    t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == 0 && t[0] == '#')
			return 0;
		if (n == 4)
			return -1;
		tok[n++] = t;
	}
	if (n == 0)
		return 0;
	if (n < 2 || n > 3)
		return -1;
	*path = tok[0];
	*loc = tok[1];
	*ctype = n == 3 ? tok[2] : NULL;
	return 1;
}

/* ---- XML output ---- */

#define sb_lit(b, s)	util_sb_add((b), (s), sizeof(s) - 1)

static void
sb_ind(struct util_sb *b, int ind)
{
	static const char sp[] = "                ";
	size_t n = ind > 0 ? (size_t)ind * 2 : 0;

	util_sb_add(b, sp, n < sizeof(sp) - 1 ? n : sizeof(sp) - 1);
}

/* ' name="value"' */
static void
sb_attr(struct util_sb *b, const char *name, const char *v)
{
	util_sb_printf(b, " %s=\"", name);
	util_sb_xml(b, v);
	sb_lit(b, "\"");
}

/* An element holding only text, on a line of its own. */
static void
sb_elem(struct util_sb *b, int ind, const char *name, const char *text)
{
	sb_ind(b, ind);
	util_sb_printf(b, "<%s>", name);
	util_sb_xml(b, text);
	util_sb_printf(b, "</%s>\n", name);
}

static void
sb_elem_u(struct util_sb *b, int ind, const char *name, uint64_t v)
{
	sb_ind(b, ind);
	util_sb_printf(b, "<%s>%llu</%s>\n", name, (unsigned long long)v, name);
}

static void
sb_line(struct util_sb *b, int ind, const char *text)
{
	sb_ind(b, ind);
	util_sb_add(b, text, strlen(text));
	sb_lit(b, "\n");
}

static int
url_join(char *buf, size_t cap, const char *domain, const char *a,
    const char *b)
{
	int r = snprintf(buf, cap, GW_BASE "%s/%s%s", domain, a, b);

	return r < 0 || (size_t)r >= cap ? -1 : r;
}

int
nc_sig_url_base(const struct nc_desc *d, const struct nc_svc *s, char *buf,
    size_t cap)
{
	return url_join(buf, cap, d->domain, s->name, "/");
}

int
nc_sig_playlist_url(const struct nc_desc *d, const struct nc_svc *s,
    char *buf, size_t cap)
{
	char dir[NC_NAME_MAX + 1];

	snprintf(dir, sizeof(dir), "%s/", s->name);
	return url_join(buf, cap, d->domain, dir, s->playlist);
}

int
nc_sig_location(const struct nc_desc *d, enum nc_doc doc, char *buf,
    size_t cap)
{
	size_t n;

	if (docs[doc].location == NULL)
		return url_join(buf, cap, d->domain, LIST_PATH, "");
	n = util_strlcpy(buf, docs[doc].location, cap);
	return n >= cap ? -1 : (int)n;
}

const char *
nc_sig_file(enum nc_doc doc)
{
	return docs[doc].file;
}

const char *
nc_sig_ctype(enum nc_doc doc)
{
	return docs[doc].ctype;
}

/* The source goes only into endpoints of its own address family. */
static void
put_endpoint(struct util_sb *b, int ind, const struct nc_desc *d,
    const char *group, unsigned port, uint32_t tsi)
{
	int v6 = strchr(group, ':') != NULL;

	sb_line(b, ind, "<EndpointAddress>");
	if (d->source != NULL && (strchr(d->source, ':') != NULL) == v6)
		sb_elem(b, ind + 1, "NetworkSourceAddress", d->source);
	sb_elem(b, ind + 1, "NetworkDestinationGroupAddress", group);
	sb_elem_u(b, ind + 1, "TransportDestinationPort", port);
	sb_elem_u(b, ind + 1, "MediaTransportSessionIdentifier", tsi);
	sb_line(b, ind, "</EndpointAddress>");
}

/* TransportProtocol, EndpointAddress and BitRate of any session. */
static void
put_transport(struct util_sb *b, int ind, const struct nc_desc *d,
    const char *group, unsigned port, uint32_t tsi, uint64_t rate)
{
	sb_ind(b, ind);
	util_sb_printf(b, "<TransportProtocol protocolIdentifier=\"%s\" "
	    "protocolVersion=\"1\"/>\n", FLUTE_ID);
	put_endpoint(b, ind, d, group, port, tsi);
	if (rate > 0) {
		sb_ind(b, ind);
		util_sb_printf(b, "<BitRate maximum=\"%llu\"/>\n",
		    (unsigned long long)rate);
	}
}

static void
put_locator(struct util_sb *b, const struct nc_desc *d, enum nc_doc doc)
{
	char loc[1024];

	if (nc_sig_location(d, doc, loc, sizeof(loc)) < 0)
		b->err = 1;
	else
		sb_elem(b, 3, "ResourceLocator", loc);
}

/* The announcement channel and the gateway session. */
static void
put_gateway_sessions(struct util_sb *b, const struct nc_desc *d)
{
	static const enum nc_doc announced[] = {
		NC_DOC_NIF, NC_DOC_SIF, NC_DOC_SLEP, NC_DOC_LIST
	};
	size_t i;

	sb_line(b, 1, "<MulticastGatewayConfigurationTransportSession>");
	put_transport(b, 2, d, NC_ANNOUNCE_GROUP, NC_ANNOUNCE_PORT, 0,
	    d->rate);
	sb_line(b, 2, "<ObjectCarousel>");
	for (i = 0; i < sizeof(announced) / sizeof(announced[0]); i++)
		put_locator(b, d, announced[i]);
	sb_line(b, 2, "</ObjectCarousel>");
	sb_line(b, 1, "</MulticastGatewayConfigurationTransportSession>");
	sb_line(b, 1, "<MulticastGatewayConfigurationTransportSession>");
	put_transport(b, 2, d, d->gateway.group, d->gateway.port,
	    d->gateway.tsi, d->rate);
	sb_line(b, 2, "<ObjectCarousel>");
	put_locator(b, d, NC_DOC_GATEWAY);
	sb_line(b, 2, "</ObjectCarousel>");
	sb_line(b, 1, "</MulticastGatewayConfigurationTransportSession>");
}

static void
put_mgc_open(struct util_sb *b)
{
	util_sb_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<MulticastGatewayConfiguration xmlns=\"%s\" xmlns:xsi=\"%s\" "
	    "xmlns:ext=\"%s\" ext:schemaVersion=\"2\" validUntil=\"%s\">\n",
	    MGC_NS, XSI_NS, EXT_NS, VALID_UNTIL);
}

/*
 * UnicastRepairParameters (protocols.md 5.4), only for a service with a
 * repair base.  The schema's MulticastTransportSession sequence puts it
 * after BitRate and ForwardErrorCorrectionParameters and before
 * ObjectCarousel and ServiceComponentIdentifier.  Times are in ms; zero
 * back-offs and weights of 1 are the defaults and are left out.
 */
static void
put_repair(struct util_sb *b, int ind, const struct nc_repair *r)
{
	size_t i;

	if (r->nbase == 0)
		return;
	sb_ind(b, ind);
	sb_lit(b, "<UnicastRepairParameters");
	if (r->object_base != NULL)
		sb_attr(b, "transportObjectBaseURI", r->object_base);
	util_sb_printf(b, " transportObjectReceptionTimeout=\"%u\"",
	    r->timeout_ms != 0 ? r->timeout_ms : NC_RP_TIMEOUT_DEFAULT);
	if (r->fixed_ms != 0)
		util_sb_printf(b, " fixedBackOffPeriod=\"%u\"", r->fixed_ms);
	if (r->random_ms != 0)
		util_sb_printf(b, " randomBackOffPeriod=\"%u\"", r->random_ms);
	sb_lit(b, ">\n");
	for (i = 0; i < r->nbase && i < NC_REPAIR_MAX_BASE; i++) {
		sb_ind(b, ind + 1);
		sb_lit(b, "<BaseURL");
		if (r->weight[i] != 1)
			util_sb_printf(b, " relativeWeight=\"%u\"",
			    r->weight[i]);
		sb_lit(b, ">");
		util_sb_xml(b, r->base[i]);
		sb_lit(b, "</BaseURL>\n");
	}
	sb_line(b, ind, "</UnicastRepairParameters>");
}

/*
 * ForwardErrorCorrectionParameters (protocols.md 5.2): the scheme of the
 * service sessions' objects; absent means Compact No-Code for FLUTE.  In
 * the MulticastTransportSession sequence it follows BitRate and precedes
 * UnicastRepairParameters.  OverheadPercentage is a positive integer.
 */
static void
put_fec(struct util_sb *b, int ind, const struct nc_desc *d)
{
	if (d->fec_fei == 0)
		return;
	sb_line(b, ind, "<ForwardErrorCorrectionParameters>");
	sb_ind(b, ind + 1);
	util_sb_printf(b, "<SchemeIdentifier>urn:ietf:rmt:fec:encoding:%u"
	    "</SchemeIdentifier>\n", d->fec_fei);
	sb_elem_u(b, ind + 1, "OverheadPercentage",
	    d->fec_overhead > 0 ? d->fec_overhead : 1);
	sb_line(b, ind, "</ForwardErrorCorrectionParameters>");
}

/* One MulticastSession: the service's playlist and its transport session. */
static void
put_session(struct util_sb *b, const struct nc_desc *d, const struct nc_svc *s)
{
	char url[1024], mid[NC_NAME_MAX + 8];

	if (nc_sig_playlist_url(d, s, url, sizeof(url)) < 0) {
		b->err = 1;
		return;
	}
	snprintf(mid, sizeof(mid), "%s-hls", s->name);
	sb_ind(b, 1);
	sb_lit(b, "<MulticastSession");
	sb_attr(b, "serviceIdentifier", s->id);
	sb_lit(b, ">\n");
	sb_ind(b, 2);
	sb_lit(b, "<PresentationManifestLocator");
	sb_attr(b, "manifestId", mid);
	sb_attr(b, "contentType", HLS_TYPE);
	sb_attr(b, "transportObjectURI", url);
	sb_lit(b, ">");
	util_sb_xml(b, url);
	sb_lit(b, "</PresentationManifestLocator>\n");
	sb_ind(b, 2);
	sb_lit(b, "<MulticastTransportSession");
	sb_attr(b, "id", s->name);
	util_sb_printf(b, " sessionIdleTimeout=\"%d\">\n", IDLE_MS);
	put_transport(b, 3, d, s->session.group, s->session.port,
	    s->session.tsi, s->bitrate ? s->bitrate : d->rate);
	put_fec(b, 3, d);
	put_repair(b, 3, &s->repair);
	sb_ind(b, 3);
	sb_lit(b, "<ServiceComponentIdentifier "
	    "xsi:type=\"HLSComponentIdentifierType\"");
	sb_attr(b, "manifestIdRef", mid);
	sb_attr(b, "mediaPlaylistLocator", url);
	sb_lit(b, "/>\n");
	sb_line(b, 2, "</MulticastTransportSession>");
	sb_line(b, 1, "</MulticastSession>");
}

static void
render_bootstrap(struct util_sb *b, const struct nc_desc *d)
{
	put_mgc_open(b);
	put_gateway_sessions(b, d);
	sb_line(b, 0, "</MulticastGatewayConfiguration>");
}

static void
render_gateway(struct util_sb *b, const struct nc_desc *d)
{
	size_t i;

	put_mgc_open(b);
	put_gateway_sessions(b, d);
	for (i = 0; i < d->nsvc; i++)
		put_session(b, d, &d->svc[i]);
	sb_line(b, 0, "</MulticastGatewayConfiguration>");
}

/* The root of a NIF or SIF and its VersionUpdate. */
static void
put_nip_open(struct util_sb *b, const struct nc_desc *d, const char *root)
{
	time_t t = (time_t)d->updated;
	char when[32];
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		util_strlcpy(when, "1970-01-01T00:00:00Z", sizeof(when));
	util_sb_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<%s xmlns=\"%s\" xmlns:xsi=\"%s\" xmlns:ext=\"%s\" "
	    "ext:schemaVersion=\"1\">\n", root, NIP_NS, XSI_NS, EXT_NS);
	sb_elem(b, 1, "VersionUpdate", when);
}

static void
put_stream_ids(struct util_sb *b, int ind, const struct nc_desc *d)
{
	sb_elem_u(b, ind, "NIPCarrierID", d->carrier_id);
	sb_elem_u(b, ind, "NIPLinkID", d->link_id);
	sb_elem_u(b, ind, "NIPServiceID", d->service_id);
}

/*
 * One actual network with one NIP stream, the bootstrap stream.  There
 * are no delivery parameters: the tuning is whatever brought the
 * multicast to the receiver.
 */
static void
render_nif(struct util_sb *b, const struct nc_desc *d)
{
	put_nip_open(b, d, "NetworkInformationFile");
	sb_elem(b, 1, "NIFType", "Physical Network");
	sb_line(b, 1, "<ActualBroadcastNetwork>");
	sb_elem(b, 2, "NetworkType", d->network_type);
	sb_elem(b, 2, "NetworkName", d->provider);
	sb_elem(b, 2, "NIPNetworkProviderName", d->provider);
	sb_elem_u(b, 2, "NIPNetworkID", d->network_id);
	sb_line(b, 2, "<NIPStream>");
	sb_elem(b, 3, "LinkLayerFormat", d->link_layer);
	sb_elem(b, 3, "NIPStreamProviderName", d->provider);
	put_stream_ids(b, 3, d);
	sb_line(b, 3, "<BootstrapStream>");
	sb_elem(b, 4, "BootstrapType", "Physical Network");
	sb_elem(b, 4, "Status", "Active");
	sb_line(b, 3, "</BootstrapStream>");
	sb_line(b, 2, "</NIPStream>");
	sb_line(b, 1, "</ActualBroadcastNetwork>");
	sb_line(b, 0, "</NetworkInformationFile>");
}

static void
render_sif(struct util_sb *b, const struct nc_desc *d)
{
	char url[1024];
	size_t i;

	put_nip_open(b, d, "ServiceInformationFile");
	sb_elem(b, 1, "NIPNetworkProviderName", d->provider);
	sb_line(b, 1, "<BroadcastMediaStream>");
	sb_elem_u(b, 2, "NIPNetworkID", d->network_id);
	put_stream_ids(b, 2, d);
	sb_line(b, 2, "<BroadcastMedia>");
	if (nc_sig_location(d, NC_DOC_LIST, url, sizeof(url)) < 0)
		b->err = 1;
	else
		sb_elem(b, 3, "URI", url);
	for (i = 0; i < d->nsvc; i++) {
		if (nc_sig_playlist_url(d, &d->svc[i], url, sizeof(url)) < 0)
			b->err = 1;
		else
			sb_elem(b, 3, "URI", url);
	}
	sb_line(b, 2, "</BroadcastMedia>");
	sb_line(b, 1, "</BroadcastMediaStream>");
	sb_line(b, 0, "</ServiceInformationFile>");
}

static void
render_slep(struct util_sb *b, const struct nc_desc *d)
{
	char url[1024];

	if (nc_sig_location(d, NC_DOC_LIST, url, sizeof(url)) < 0)
		b->err = 1;
	util_sb_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<ServiceListEntryPoints xmlns=\"%s\" xmlns:mpeg7=\"%s\" "
	    "xmlns:dvbi-types=\"%s\" xml:lang=\"en\">\n", SLD_NS, MPEG7_NS,
	    TYPES_NS);
	sb_line(b, 1, "<ServiceListRegistryEntity regulatorFlag=\"false\">");
	sb_elem(b, 2, "Name", d->provider);
	sb_line(b, 1, "</ServiceListRegistryEntity>");
	sb_line(b, 1, "<ProviderOffering>");
	sb_line(b, 2, "<Provider regulatorFlag=\"false\">");
	sb_elem(b, 3, "Name", d->provider);
	sb_line(b, 2, "</Provider>");
	sb_line(b, 2, "<ServiceListOffering regulatorListFlag=\"false\">");
	sb_elem(b, 3, "dvbi-types:ServiceListName", d->list_name);
	sb_ind(b, 3);
	util_sb_printf(b, "<dvbi-types:ServiceListURI contentType=\"%s\">\n",
	    docs[NC_DOC_LIST].ctype);
	sb_elem(b, 4, "dvbi-types:URI", url);
	sb_line(b, 3, "</dvbi-types:ServiceListURI>");
	sb_line(b, 3, "<dvbi-types:Delivery/>");
	sb_elem(b, 3, "dvbi-types:ServiceListId", d->list_id);
	sb_line(b, 2, "</ServiceListOffering>");
	sb_line(b, 1, "</ProviderOffering>");
	sb_line(b, 0, "</ServiceListEntryPoints>");
}

/* The image type of a logo URL by its extension, or NULL. */
static const char *
logo_type(const char *url)
{
	static const char *const t[][2] = {
		{ ".png", "image/png" }, { ".jpg", "image/jpeg" },
		{ ".jpeg", "image/jpeg" }, { ".gif", "image/gif" },
		{ ".svg", "image/svg+xml" }, { ".webp", "image/webp" },
	};
	size_t i, n = strlen(url), k;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		k = strlen(t[i][0]);
		if (n > k && strcasecmp(url + n - k, t[i][0]) == 0)
			return t[i][1];
	}
	return NULL;
}

/* The service logo: RelatedMaterial with HowRelated 1001.2 (A177 5.2.6). */
static void
put_logo(struct util_sb *b, const char *url)
{
	const char *type = logo_type(url);

	sb_line(b, 2, "<RelatedMaterial>");
	sb_line(b, 3, "<tva:HowRelated href=\"" LOGO_HOWRELATED "\"/>");
	sb_line(b, 3, "<tva:MediaLocator>");
	sb_ind(b, 4);
	sb_lit(b, "<tva:MediaUri");
	if (type != NULL)
		sb_attr(b, "contentType", type);
	sb_lit(b, ">");
	util_sb_xml(b, url);
	sb_lit(b, "</tva:MediaUri>\n");
	sb_line(b, 3, "</tva:MediaLocator>");
	sb_line(b, 2, "</RelatedMaterial>");
}

/* A Service element at the given version (compared across reloads). */
static void
put_service(struct util_sb *b, const struct nc_desc *d, const struct nc_svc *s,
    uint32_t version)
{
	char url[1024];

	if (nc_sig_playlist_url(d, s, url, sizeof(url)) < 0)
		b->err = 1;
	sb_ind(b, 1);
	util_sb_printf(b, "<Service version=\"%u\">\n", version);
	sb_elem(b, 2, "UniqueIdentifier", s->id);
	sb_line(b, 2, "<ServiceInstance priority=\"1\">");
	sb_ind(b, 3);
	util_sb_printf(b, "<IdentifierBasedDeliveryParameters contentType=\"%s\">",
	    HLS_TYPE);
	util_sb_xml(b, url);
	sb_lit(b, "</IdentifierBasedDeliveryParameters>\n");
	sb_line(b, 2, "</ServiceInstance>");
	sb_elem(b, 2, "ServiceName", s->title);
	sb_elem(b, 2, "ProviderName", d->provider);
	if (s->logo != NULL)
		put_logo(b, s->logo);
	if (s->genre != NULL) {
		sb_ind(b, 2);
		sb_lit(b, "<ServiceGenre");
		sb_attr(b, "href", s->genre);
		sb_lit(b, "/>\n");
	}
	sb_ind(b, 2);
	util_sb_printf(b, "<ServiceType href=\"%s\"/>\n", LINEAR);
	sb_line(b, 1, "</Service>");
}

static void
render_list(struct util_sb *b, const struct nc_desc *d)
{
	size_t i;

	util_sb_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<ServiceList xmlns=\"%s\" xmlns:xsi=\"%s\" xmlns:tva=\"%s\" "
	    "xmlns:dvbi-types=\"%s\" xml:lang=\"en\"", SL_NS, XSI_NS, TVA_NS,
	    TYPES_NS);
	sb_attr(b, "id", d->list_id);
	util_sb_printf(b, " version=\"%u\">\n", d->list_version);
	sb_elem(b, 1, "Name", d->list_name);
	sb_elem(b, 1, "ProviderName", d->provider);
	if (d->nsvc > 0) {
		sb_line(b, 1, "<LCNTableList>");
		sb_line(b, 2, "<LCNTable>");
		for (i = 0; i < d->nsvc; i++) {
			sb_ind(b, 3);
			util_sb_printf(b, "<LCN channelNumber=\"%u\"",
			    d->svc[i].lcn);
			sb_attr(b, "serviceRef", d->svc[i].id);
			sb_lit(b, " selectable=\"true\" visible=\"true\"/>\n");
		}
		sb_line(b, 2, "</LCNTable>");
		sb_line(b, 1, "</LCNTableList>");
	}
	for (i = 0; i < d->nsvc; i++)
		put_service(b, d, &d->svc[i], d->svc[i].version);
	sb_line(b, 0, "</ServiceList>");
}

int
nc_sig_render(const struct nc_desc *d, enum nc_doc doc, char **out,
    size_t *len)
{
	static void (*const render[NC_DOC_N])(struct util_sb *,
	    const struct nc_desc *) = {
		render_bootstrap, render_gateway, render_nif, render_sif,
		render_slep, render_list
	};
	struct util_sb b = { NULL, 0, 0, 0 };

	*out = NULL;
	*len = 0;
	if ((unsigned)doc >= NC_DOC_N)
		return -1;
	render[doc](&b, d);
	if (b.err) {
		free(b.p);
		return -1;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}

/* ---- reload ---- */

static const struct nc_svc *
svc_find(const struct nc_desc *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->nsvc; i++)
		if (strcmp(d->svc[i].name, name) == 0)
			return &d->svc[i];
	return NULL;
}

/* 1 if the Service element of s in nd differs from that of o in old. */
static int
svc_changed(const struct nc_desc *nd, const struct nc_svc *s,
    const struct nc_desc *old, const struct nc_svc *o)
{
	struct util_sb a = { NULL, 0, 0, 0 }, b = { NULL, 0, 0, 0 };
	int r;

	put_service(&a, nd, s, 1);
	put_service(&b, old, o, 1);
	r = a.err || b.err || a.len != b.len || memcmp(a.p, b.p, a.len) != 0;
	free(a.p);
	free(b.p);
	return r;
}

/* 1 if document doc differs between a and b (or cannot be rendered). */
static int
doc_changed(const struct nc_desc *a, const struct nc_desc *b,
    enum nc_doc doc)
{
	char *x, *y;
	size_t xl, yl;
	int r = 1;

	if (nc_sig_render(a, doc, &x, &xl) < 0)
		return 1;
	if (nc_sig_render(b, doc, &y, &yl) == 0) {
		r = xl != yl || memcmp(x, y, xl) != 0;
		free(y);
	}
	free(x);
	return r;
}

int
nc_sig_carry(struct nc_desc *nd, const struct nc_desc *old)
{
	uint32_t given = nd->list_version_given ? nd->list_version : 0;
	int64_t now = nd->updated;
	const struct nc_svc *o;
	int changed = 0, i;
	size_t k;

	for (k = 0; k < nd->nsvc; k++) {
		o = svc_find(old, nd->svc[k].name);
		nd->svc[k].version = o == NULL ? 1 : o->version +
		    (uint32_t)svc_changed(nd, &nd->svc[k], old, o);
	}
	nd->list_version = old->list_version;
	if (doc_changed(nd, old, NC_DOC_LIST) &&
	    nd->list_version < UINT32_MAX)
		nd->list_version++;
	if (given > nd->list_version)
		nd->list_version = given;
	/* Same VersionUpdate as before unless some document changes. */
	nd->updated = old->updated;
	for (i = 0; i < NC_DOC_N; i++)
		changed |= doc_changed(nd, old, (enum nc_doc)i);
	if (changed)
		nd->updated = now;
	return changed;
}
