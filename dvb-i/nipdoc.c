/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipdoc.c: the NIF, SIF and SLEP parsers of nipdoc.h.
 *
 * Choices the header leaves open, made here:
 *
 * - The root element must have the expected local name and a namespace
 *   starting with the expected prefix; anything else (another document,
 *   no namespace, the DVB-I service list namespace) is refused, so a
 *   mislabelled carousel object cannot pass for signalling.
 * - A NIF must hold at least one ActualBroadcastNetwork (the schema
 *   requires exactly one): without it the file cannot say how to tune to
 *   the network it came on, so it is refused with "no
 *   ActualBroadcastNetwork".  The actual networks are stored first, then
 *   the other ones, each group in document order.
 * - A NIPNetworkID outside 1..65280 (or absent, or not a number) keeps
 *   its network, with network_id 0: the tuning data is still useful and
 *   0 never matches a NACI.  Carrier, link and service IDs are 16-bit
 *   like their NACI fields; a bad one reads as 0.  Bad or absent numbers
 *   in the delivery parameters read as 0.
 * - A SIF without BroadcastMediaStream and a SLEP without offerings are
 *   accepted, empty.  Empty URI elements are skipped.  A SLEP offering
 *   without a non-empty ServiceListURI/URI is skipped (it points nowhere).
 *   In a kept offering, list_name, uri, content_type and provider are
 *   never NULL ("" when absent); list_id is NULL when absent.
 * - A text longer than its fixed field is cut at a UTF-8 character
 *   boundary; that, and items beyond the NIPDOC_MAX_* limits (which are
 *   dropped), set truncated.
 * - Out of memory fails the whole parse ("what: out of memory").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nipdoc.h"
#include "xmlu.h"

#define NS_NIP		"urn:dvb:metadata:nativeip:"
#define NS_SLD		"urn:dvb:metadata:servicelistdiscovery:"
#define NIP_NETID_MAX	65280	/* the top of the range is reserved */
#define NIP_ID16_MAX	65535

/* What every helper may report besides its result. */
struct nipdoc_ctx {
	uint8_t	*truncated;	/* the document's truncated flag */
	int	oom;		/* an allocation failed */
};

/* The length of s cut to at most max bytes, never inside a UTF-8 character. */
static size_t
nipdoc_utf8_cut(const char *s, size_t max)
{
	size_t l = strlen(s);

	if (l <= max)
		return l;
	/* s[max] begins the first byte left out; back up to a lead byte. */
	l = max;
	while (l > 0 && ((unsigned char)s[l] & 0xc0) == 0x80)
		l--;
	return l;
}

/*
 * The trimmed text of n into dst ("" when n is NULL).  The common case
 * fits and costs no allocation; a longer text is copied whole once and
 * cut, and the document marked truncated.
 */
static void
nipdoc_copy(struct nipdoc_ctx *cx, char *dst, size_t len, const xmlNode *n)
{
	char *s;
	size_t l;

	dst[0] = '\0';
	if (n == NULL || xmlu_text(n, dst, len) >= 0)
		return;
	if ((s = xmlu_text_dup(n)) == NULL) {
		cx->oom = 1;
		return;
	}
	l = nipdoc_utf8_cut(s, len - 1);
	memcpy(dst, s, l);
	dst[l] = '\0';
	if (s[l] != '\0')
		*cx->truncated = 1;
	free(s);
}

/* The same, of the first child of parent named local. */
static void
nipdoc_copy_child(struct nipdoc_ctx *cx, char *dst, size_t len,
    const xmlNode *parent, const char *local)
{
	nipdoc_copy(cx, dst, len, xmlu_child(parent, local));
}

/* The first child named local as a number in min..max, else 0. */
static uint32_t
nipdoc_num(const xmlNode *parent, const char *local, uint64_t min,
    uint64_t max)
{
	char b[32];
	uint64_t v;

	if (xmlu_child_text(parent, local, b, sizeof(b)) < 0 ||
	    xmlu_u64(b, max, &v) < 0 || v < min)
		return 0;
	return (uint32_t)v;
}

/* A malloc'd copy of the trimmed text of n; "" when n is NULL. */
static char *
nipdoc_dup(struct nipdoc_ctx *cx, const xmlNode *n)
{
	char *s = n != NULL ? xmlu_text_dup(n) : strdup("");

	if (s == NULL)
		cx->oom = 1;
	return s;
}

/* The number of element children of parent named local. */
static size_t
nipdoc_count(const xmlNode *parent, const char *local)
{
	const xmlNode *c;
	size_t n = 0;

	XMLU_FOREACH(c, parent, local)
		n++;
	return n;
}

/* At most max of want items; marks the document truncated if fewer. */
static size_t
nipdoc_cap(struct nipdoc_ctx *cx, size_t want, size_t max)
{
	if (want <= max)
		return want;
	*cx->truncated = 1;
	return max;
}

/* The root element, if it has this local name in a namespace under ns. */
static const xmlNode *
nipdoc_root(xmlDocPtr doc, const char *local, const char *ns,
    const char *what, char *err, size_t errlen)
{
	const xmlNode *root = xmlDocGetRootElement(doc);

	if (!xmlu_is(root, local)) {
		snprintf(err, errlen, "%s: root element is %s, not %s", what,
		    root != NULL && root->name != NULL ?
		    (const char *)root->name : "missing", local);
		return NULL;
	}
	if (!xmlu_ns_has_prefix(root, ns)) {
		snprintf(err, errlen, "%s: %s is in namespace \"%s\", not %s*",
		    what, local, root->ns != NULL && root->ns->href != NULL ?
		    (const char *)root->ns->href : "", ns);
		return NULL;
	}
	return root;
}

/* What each document's root must be. */
struct nipdoc_kind {
	const char	*what;		/* "nif", for messages */
	const char	*root;		/* root element's local name */
	const char	*ns;		/* namespace prefix */
};

static const struct nipdoc_kind nipdoc_nif = {
	"nif", "NetworkInformationFile", NS_NIP
};
static const struct nipdoc_kind nipdoc_sif = {
	"sif", "ServiceInformationFile", NS_NIP
};
static const struct nipdoc_kind nipdoc_slep = {
	"slep", "ServiceListEntryPoints", NS_SLD
};

/*
 * The common start of every parse: zero *out (outlen bytes), set up cx
 * with the document's truncated flag, parse and check the root.  Returns
 * the root with the document in *docp, or NULL with err set and nothing
 * left to free.
 */
static const xmlNode *
nipdoc_open(struct nipdoc_ctx *cx, const struct nipdoc_kind *k,
    const void *buf, size_t len, void *out, size_t outlen,
    uint8_t *truncated, xmlDocPtr *docp, char *err, size_t errlen)
{
	const xmlNode *root;

	if (out == NULL) {
		snprintf(err, errlen, "%s: no result struct", k->what);
		return NULL;
	}
	memset(out, 0, outlen);
	cx->truncated = truncated;
	cx->oom = 0;
	if ((*docp = xmlu_parse(buf, len, k->what, err, errlen)) == NULL)
		return NULL;
	root = nipdoc_root(*docp, k->root, k->ns, k->what, err, errlen);
	if (root == NULL) {
		xmlFreeDoc(*docp);
		*docp = NULL;
	}
	return root;
}

/* VersionUpdate as written and as Unix milliseconds (0 if unparsable). */
static void
nipdoc_version(struct nipdoc_ctx *cx, const xmlNode *root, char *dst,
    size_t len, int64_t *ms)
{
	nipdoc_copy_child(cx, dst, len, root, "VersionUpdate");
	if (xmlu_timepoint_ms(dst, ms) < 0)
		*ms = 0;
}

/* --- NIF ---------------------------------------------------------- */

/* DVBS2_ or DVBS2X_NIPDeliveryParameters, whichever comes first. */
static void
nif_delivery(struct nipdoc_ctx *cx, const xmlNode *st, struct nif_delivery *d)
{
	const xmlNode *p;

	XMLU_FOREACH(p, st, NULL) {
		if (xmlu_is(p, "DVBS2_NIPDeliveryParameters") ||
		    xmlu_is(p, "DVBS2X_NIPDeliveryParameters"))
			break;
	}
	if (p == NULL)
		return;
	d->present = 1;
	d->s2x = xmlu_is(p, "DVBS2X_NIPDeliveryParameters");
	d->frequency = nipdoc_num(p, "Frequency", 0, UINT32_MAX);
	d->symbol_rate = nipdoc_num(p, "SymbolRate", 0, UINT32_MAX);
	d->isi = nipdoc_num(p, "input_stream_identifier", 0, UINT32_MAX);
	nipdoc_copy_child(cx, d->polarization, sizeof(d->polarization), p,
	    "Polarization");
	nipdoc_copy_child(cx, d->modulation, sizeof(d->modulation), p,
	    "Modulation_Type");
	nipdoc_copy_child(cx, d->roll_off, sizeof(d->roll_off), p, "Roll_off");
	nipdoc_copy_child(cx, d->fec, sizeof(d->fec), p, "FEC");
	nipdoc_copy_child(cx, d->s2x_mode, sizeof(d->s2x_mode), p, "S2X_mode");
	nipdoc_copy_child(cx, d->profiles, sizeof(d->profiles), p,
	    "receiver_profiles");
}

/* One NIPStream. */
static void
nif_stream(struct nipdoc_ctx *cx, const xmlNode *n, struct nif_stream *s)
{
	const xmlNode *bs;

	nipdoc_copy_child(cx, s->link_layer, sizeof(s->link_layer), n,
	    "LinkLayerFormat");
	nipdoc_copy_child(cx, s->provider, sizeof(s->provider), n,
	    "NIPStreamProviderName");
	s->carrier_id = nipdoc_num(n, "NIPCarrierID", 0, NIP_ID16_MAX);
	s->link_id = nipdoc_num(n, "NIPLinkID", 0, NIP_ID16_MAX);
	s->service_id = nipdoc_num(n, "NIPServiceID", 0, NIP_ID16_MAX);
	if ((bs = xmlu_child(n, "BootstrapStream")) != NULL) {
		s->bootstrap = 1;
		nipdoc_copy_child(cx, s->bootstrap_type,
		    sizeof(s->bootstrap_type), bs, "BootstrapType");
		nipdoc_copy_child(cx, s->status, sizeof(s->status), bs,
		    "Status");
	}
	nif_delivery(cx, n, &s->delivery);
}

/* One Actual- or OtherBroadcastNetwork; -1 when out of memory. */
static int
nif_network(struct nipdoc_ctx *cx, const xmlNode *n, int actual,
    struct nif_network *net)
{
	const xmlNode *c, *pos;
	char flag[16];
	size_t want, i = 0;

	net->actual = (uint8_t)actual;
	nipdoc_copy_child(cx, net->type, sizeof(net->type), n, "NetworkType");
	nipdoc_copy_child(cx, net->name, sizeof(net->name), n, "NetworkName");
	nipdoc_copy_child(cx, net->provider, sizeof(net->provider), n,
	    "NIPNetworkProviderName");
	if ((pos = xmlu_child(n, "SatellitePosition")) != NULL) {
		nipdoc_copy_child(cx, net->orbital_position,
		    sizeof(net->orbital_position), pos, "OrbitalPosition");
		if (xmlu_child_text(pos, "West_East_flag", flag,
		    sizeof(flag)) > 0)
			net->east = strcasecmp(flag, "East") == 0 ||
			    strcasecmp(flag, "E") == 0;
	}
	net->network_id = nipdoc_num(n, "NIPNetworkID", 1, NIP_NETID_MAX);
	want = nipdoc_cap(cx, nipdoc_count(n, "NIPStream"), NIPDOC_MAX_STREAMS);
	if (want == 0)
		return 0;
	if ((net->streams = calloc(want, sizeof(*net->streams))) == NULL) {
		cx->oom = 1;
		return -1;
	}
	XMLU_FOREACH(c, n, "NIPStream") {
		if (i == want)
			break;
		nif_stream(cx, c, &net->streams[i++]);
	}
	net->nstreams = i;
	return cx->oom ? -1 : 0;
}

/* All the networks, the actual ones first. */
static int
nif_networks(struct nipdoc_ctx *cx, const xmlNode *root, struct nif *out,
    char *err, size_t errlen)
{
	static const char *const kinds[2] = {
		"ActualBroadcastNetwork", "OtherBroadcastNetwork"
	};
	size_t nact, want, k;
	const xmlNode *c;

	if ((nact = nipdoc_count(root, kinds[0])) == 0) {
		snprintf(err, errlen, "nif: no ActualBroadcastNetwork");
		return -1;
	}
	want = nipdoc_cap(cx, nact + nipdoc_count(root, kinds[1]),
	    NIPDOC_MAX_NETWORKS);
	if ((out->networks = calloc(want, sizeof(*out->networks))) == NULL)
		goto oom;
	for (k = 0; k < 2; k++) {
		XMLU_FOREACH(c, root, kinds[k]) {
			if (out->nnetworks == want)
				break;
			/* Counted first, so a failed network is freed too. */
			if (nif_network(cx, c, k == 0,
			    &out->networks[out->nnetworks++]) < 0)
				goto oom;
		}
	}
	return 0;
oom:
	snprintf(err, errlen, "nif: out of memory");
	return -1;
}

int
nif_parse(const void *buf, size_t len, struct nif *out, char *err,
    size_t errlen)
{
	struct nipdoc_ctx cx;
	const xmlNode *root;
	xmlDocPtr doc;
	int rc = -1;

	root = nipdoc_open(&cx, &nipdoc_nif, buf, len, out, sizeof(*out),
	    out != NULL ? &out->truncated : NULL, &doc, err, errlen);
	if (root == NULL)
		return -1;
	nipdoc_version(&cx, root, out->version, sizeof(out->version),
	    &out->version_ms);
	nipdoc_copy_child(&cx, out->type, sizeof(out->type), root, "NIFType");
	if (nif_networks(&cx, root, out, err, errlen) < 0)
		goto done;
	if (cx.oom) {
		snprintf(err, errlen, "nif: out of memory");
		goto done;
	}
	rc = 0;
done:
	if (rc < 0)
		nif_free(out);
	xmlFreeDoc(doc);
	return rc;
}

void
nif_free(struct nif *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nnetworks; i++)
		free(n->networks[i].streams);
	free(n->networks);
	memset(n, 0, sizeof(*n));
}

/* --- SIF ---------------------------------------------------------- */

/* The non-empty URIs of every BroadcastMedia of one stream, in order. */
static int
sif_uris(struct nipdoc_ctx *cx, const xmlNode *bms, struct sif_media *m)
{
	const xmlNode *bm, *u;
	size_t want = 0;
	char *s;

	XMLU_FOREACH(bm, bms, "BroadcastMedia") {
		want += nipdoc_count(bm, "URI");
		m->napps += nipdoc_count(bm, "InteractiveApplications");
	}
	/* Counted before the empty ones are skipped: an upper bound. */
	if (want > NIPDOC_MAX_URIS)
		want = NIPDOC_MAX_URIS;
	if (want == 0)
		return 0;
	if ((m->uris = calloc(want, sizeof(*m->uris))) == NULL)
		goto oom;
	XMLU_FOREACH(bm, bms, "BroadcastMedia") {
		XMLU_FOREACH(u, bm, "URI") {
			if ((s = xmlu_text_dup(u)) == NULL)
				goto oom;
			if (*s == '\0') {
				free(s);
				continue;
			}
			if (m->nuris == want) {
				free(s);
				*cx->truncated = 1;
				return 0;
			}
			m->uris[m->nuris++] = s;
		}
	}
	return 0;
oom:
	cx->oom = 1;
	return -1;
}

/* One BroadcastMediaStream. */
static int
sif_media(struct nipdoc_ctx *cx, const xmlNode *n, struct sif_media *m)
{
	m->network_id = nipdoc_num(n, "NIPNetworkID", 1, NIP_NETID_MAX);
	m->carrier_id = nipdoc_num(n, "NIPCarrierID", 0, NIP_ID16_MAX);
	m->link_id = nipdoc_num(n, "NIPLinkID", 0, NIP_ID16_MAX);
	m->service_id = nipdoc_num(n, "NIPServiceID", 0, NIP_ID16_MAX);
	return sif_uris(cx, n, m);
}

/* Every BroadcastMediaStream, up to NIPDOC_MAX_MEDIA. */
static int
sif_streams(struct nipdoc_ctx *cx, const xmlNode *root, struct sif *out)
{
	const xmlNode *c;
	size_t want;

	want = nipdoc_cap(cx, nipdoc_count(root, "BroadcastMediaStream"),
	    NIPDOC_MAX_MEDIA);
	if (want == 0)
		return 0;
	if ((out->media = calloc(want, sizeof(*out->media))) == NULL) {
		cx->oom = 1;
		return -1;
	}
	XMLU_FOREACH(c, root, "BroadcastMediaStream") {
		if (out->nmedia == want)
			break;
		if (sif_media(cx, c, &out->media[out->nmedia++]) < 0)
			return -1;
	}
	return 0;
}

int
sif_parse(const void *buf, size_t len, struct sif *out, char *err,
    size_t errlen)
{
	struct nipdoc_ctx cx;
	const xmlNode *root;
	xmlDocPtr doc;
	int rc = -1;

	root = nipdoc_open(&cx, &nipdoc_sif, buf, len, out, sizeof(*out),
	    out != NULL ? &out->truncated : NULL, &doc, err, errlen);
	if (root == NULL)
		return -1;
	nipdoc_version(&cx, root, out->version, sizeof(out->version),
	    &out->version_ms);
	nipdoc_copy_child(&cx, out->provider, sizeof(out->provider), root,
	    "NIPNetworkProviderName");
	if (sif_streams(&cx, root, out) < 0 || cx.oom) {
		snprintf(err, errlen, "sif: out of memory");
		goto done;
	}
	rc = 0;
done:
	if (rc < 0)
		sif_free(out);
	xmlFreeDoc(doc);
	return rc;
}

void
sif_free(struct sif *s)
{
	size_t i, j;

	if (s == NULL)
		return;
	for (i = 0; i < s->nmedia; i++) {
		for (j = 0; j < s->media[i].nuris; j++)
			free(s->media[i].uris[j]);
		free(s->media[i].uris);
	}
	free(s->media);
	memset(s, 0, sizeof(*s));
}

/* --- SLEP --------------------------------------------------------- */

/* The first ServiceListURI with a non-empty URI child, and that URI. */
static const xmlNode *
slep_uri(const xmlNode *off, const xmlNode **uri)
{
	const xmlNode *slu, *u;
	char probe[2];

	XMLU_FOREACH(slu, off, "ServiceListURI") {
		XMLU_FOREACH(u, slu, "URI") {
			/* -1 means absent or longer than one byte. */
			if (xmlu_text(u, probe, sizeof(probe)) != 0) {
				*uri = u;
				return slu;
			}
		}
	}
	return NULL;
}

/* Free the strings of one offering. */
static void
slep_offer_free(struct slep_offering *o)
{
	free(o->list_name);
	free(o->uri);
	free(o->content_type);
	free(o->list_id);
	free(o->provider);
	memset(o, 0, sizeof(*o));
}

/* One ServiceListOffering into o; 1 if kept, 0 if skipped, -1 OOM. */
static int
slep_offer(struct nipdoc_ctx *cx, const xmlNode *off, const xmlNode *prov,
    struct slep_offering *o)
{
	const xmlNode *slu, *uri = NULL, *id;
	const char *ct;

	if ((slu = slep_uri(off, &uri)) == NULL)
		return 0;
	ct = xmlu_attr(slu, "contentType");
	o->uri = nipdoc_dup(cx, uri);
	o->content_type = strdup(ct != NULL ? ct : "");
	o->list_name = nipdoc_dup(cx, xmlu_child(off, "ServiceListName"));
	o->provider = nipdoc_dup(cx, xmlu_child(prov, "Name"));
	if ((id = xmlu_child(off, "ServiceListId")) != NULL)
		o->list_id = nipdoc_dup(cx, id);
	o->regulator = xmlu_bool(xmlu_attr(off, "regulatorListFlag"), 0) == 1;
	if (o->content_type == NULL)
		cx->oom = 1;
	if (cx->oom) {
		slep_offer_free(o);
		return -1;
	}
	return 1;
}

/* The number of ServiceListOffering over every ProviderOffering. */
static size_t
slep_count(const xmlNode *root)
{
	const xmlNode *po;
	size_t n = 0;

	XMLU_FOREACH(po, root, "ProviderOffering")
		n += nipdoc_count(po, "ServiceListOffering");
	return n;
}

/* Every offering that names a list, up to NIPDOC_MAX_OFFERINGS. */
static int
slep_offers(struct nipdoc_ctx *cx, const xmlNode *root, struct slep *out)
{
	const xmlNode *po, *off, *uri;
	size_t want = slep_count(root);
	int r;

	/* Counted before the URI-less ones are skipped: an upper bound. */
	if (want > NIPDOC_MAX_OFFERINGS)
		want = NIPDOC_MAX_OFFERINGS;
	if (want == 0)
		return 0;
	if ((out->offers = calloc(want, sizeof(*out->offers))) == NULL) {
		cx->oom = 1;
		return -1;
	}
	XMLU_FOREACH(po, root, "ProviderOffering") {
		XMLU_FOREACH(off, po, "ServiceListOffering") {
			if (out->noffers == want) {
				/* Only a real offering past the cap counts. */
				if (slep_uri(off, &uri) != NULL)
					*cx->truncated = 1;
				continue;
			}
			r = slep_offer(cx, off, xmlu_child(po, "Provider"),
			    &out->offers[out->noffers]);
			if (r < 0)
				return -1;
			out->noffers += (size_t)r;
		}
	}
	return 0;
}

int
slep_parse(const void *buf, size_t len, struct slep *out, char *err,
    size_t errlen)
{
	struct nipdoc_ctx cx;
	const xmlNode *root;
	const char *href;
	xmlDocPtr doc;
	size_t l;
	int rc = -1;

	root = nipdoc_open(&cx, &nipdoc_slep, buf, len, out, sizeof(*out),
	    out != NULL ? &out->truncated : NULL, &doc, err, errlen);
	if (root == NULL)
		return -1;
	href = (const char *)root->ns->href;
	l = nipdoc_utf8_cut(href, sizeof(out->ns) - 1);
	memcpy(out->ns, href, l);
	if (href[l] != '\0')
		out->truncated = 1;
	nipdoc_copy_child(&cx, out->registry_name, sizeof(out->registry_name),
	    xmlu_child(root, "ServiceListRegistryEntity"), "Name");
	if (slep_offers(&cx, root, out) < 0 || cx.oom) {
		snprintf(err, errlen, "slep: out of memory");
		goto done;
	}
	rc = 0;
done:
	if (rc < 0)
		slep_free(out);
	xmlFreeDoc(doc);
	return rc;
}

void
slep_free(struct slep *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->noffers; i++)
		slep_offer_free(&s->offers[i]);
	free(s->offers);
	memset(s, 0, sizeof(*s));
}
