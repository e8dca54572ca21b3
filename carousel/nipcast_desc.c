/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipcast_desc.c: the description behind nipcast --nip, an INI file with
 * one [network] section and a [service NAME] section per service (see
 * nipcast --help), parsed with libinih into a struct nc_desc.  Every value
 * is checked here, so that nipcast_sig.c can put it into XML as it is
 * (escaped) and nipcast_nip.c can hand it to a child sender; the unicast
 * repair keys are checked in nipcast_desc_repair.c.  Errors name
 * the file and line: "desc.ini:12: [service one] session: not a multicast
 * group".  Pure: text in, struct out; no I/O, no globals, no logging.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "../daemon/util.h"
#include "nipcast.h"

#define LCN_MAX		65535
/* libinih reads lines of INI_MAX_LINE - 1 bytes, the newline included. */
#define LINE_MAX_INI	198
#define LINE_MAX_TEXT	"198"

/* ---- value checks ---- */

/* The length of the UTF-8 sequence lead byte c starts; 0: not a lead. */
static int
desc_utf8_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/* Valid UTF-8 without control characters (XML 1.0 refuses most). */
int
nc_desc_text_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n, i;

	for (; *p != '\0'; p += n) {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if ((n = desc_utf8_len(*p)) == 0)
			return 0;
		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		if ((n == 3 && *p == 0xe0 && p[1] < 0xa0) ||
		    (n == 3 && *p == 0xed && p[1] >= 0xa0) ||
		    (n == 4 && *p == 0xf0 && p[1] < 0x90) ||
		    (n == 4 && *p == 0xf4 && p[1] >= 0x90))
			return 0;
	}
	return 1;
}

/* Non-empty, every byte alphanumeric or in extra. */
static int
chars_ok(const char *s, const char *extra)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr(extra, *s) != NULL))
			return 0;
	return 1;
}

/* A URI as an identifier: scheme ':' and no blanks. */
int
nc_desc_uri_ok(const char *s)
{
	return nc_desc_text_ok(s) && strchr(s, ' ') == NULL &&
	    strchr(s, ':') != NULL && s[0] != ':';
}

/*
 * A relative path that nipcast sends under exactly this name: URI path
 * characters that need no percent-encoding, and no empty, "." or ".."
 * segment, so the playlist URL equals the child's Content-Location.
 */
static int
relpath_ok(const char *s)
{
	const char *seg = s, *end;
	size_t n;

	if (!chars_ok(s, "._~/-"))
		return 0;
	for (;;) {
		end = strchr(seg, '/');
		n = end != NULL ? (size_t)(end - seg) : strlen(seg);
		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return 0;
		if (end == NULL)
			return 1;
		seg = end + 1;
	}
}

static int
ep_multicast(const struct nc_ep *ep)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&ep->sa;
	const struct sockaddr_in6 *sin6 =
	    (const struct sockaddr_in6 *)&ep->sa;

	if (ep->sa.ss_family == AF_INET)
		return IN_MULTICAST(ntohl(sin->sin_addr.s_addr));
	return IN6_IS_ADDR_MULTICAST(&sin6->sin6_addr);
}

/* Same group (as an address, not as text) and port; with tsi, same TSI. */
static int
ep_same(const struct nc_ep *a, const struct nc_ep *b, int tsi)
{
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)&a->sa;
	const struct sockaddr_in *b4 = (const struct sockaddr_in *)&b->sa;
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&a->sa;
	const struct sockaddr_in6 *b6 = (const struct sockaddr_in6 *)&b->sa;

	if (a->sa.ss_family != b->sa.ss_family || a->port != b->port ||
	    (tsi && a->tsi != b->tsi))
		return 0;
	if (a->sa.ss_family == AF_INET)
		return a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
}

/* The announcement channel, for every TSI. */
static int
ep_announce(const struct nc_ep *ep)
{
	struct nc_ep a;

	nc_parse_ep(NC_ANNOUNCE_GROUP ":3937", 0, &a);
	return ep_same(ep, &a, 0);
}

/* "4M", "1.5G", "500k", "800000": bits per second. */
static int
parse_bits(const char *s, uint64_t *out)
{
	double v;
	char *end;

	v = strtod(s, &end);
	if (end == s || !(v > 0))
		return -1;
	if (*end == 'k' || *end == 'K')
		v *= 1e3, end++;
	else if (*end == 'M')
		v *= 1e6, end++;
	else if (*end == 'G')
		v *= 1e9, end++;
	if (*end != '\0' || v >= 1e15)
		return -1;
	*out = (uint64_t)v;
	return *out > 0 ? 0 : -1;
}

/* ---- the INI description ---- */

enum { SEC_NONE, SEC_NET, SEC_SVC, SEC_BAD };

struct pctx {
	struct nc_desc	*d;
	const char	*file;
	const char	*text;
	size_t		len, pos;
	int		line;		/* the line inih works on */
	int		header_line;	/* of the latest [section] header */
	char		section[256];
	int		kind;
	int		net_line;
	uint64_t	seen;		/* keys given in this section */
	char		*err;
	size_t		errlen;
	int		failed;
};

/* A key's parser: NULL, or why the value is refused. */
typedef const char *(*key_fn)(struct pctx *x, const char *v, void *field);

static const char *
k_text(struct pctx *x, const char *v, void *field)
{
	char **dst = field;

	(void)x;
	if (*v == '\0' || !nc_desc_text_ok(v))
		return "empty, or not UTF-8 text";
	if ((*dst = strdup(v)) == NULL)
		return "out of memory";
	return NULL;
}

static const char *
k_uri(struct pctx *x, const char *v, void *field)
{
	return nc_desc_uri_ok(v) ? k_text(x, v, field) :
	    "expected a URI (scheme:..., no blanks)";
}

static const char *
k_domain(struct pctx *x, const char *v, void *field)
{
	if (!chars_ok(v, ".-_") || v[0] == '.' || strstr(v, "..") != NULL)
		return "expected a domain name ([A-Za-z0-9._-])";
	return k_text(x, v, field);
}

static const char *
k_relpath(struct pctx *x, const char *v, void *field)
{
	if (!relpath_ok(v))
		return "expected a relative path of [A-Za-z0-9._~-] segments";
	return k_text(x, v, field);
}

static const char *
k_hls(struct pctx *x, const char *v, void *field)
{
	x->d->svc[x->d->nsvc - 1].hls_line = x->line;
	return k_text(x, v, field);
}

static const char *
k_u16(struct pctx *x, const char *v, void *field)
{
	uint64_t n;

	(void)x;
	if (nc_parse_u64(v, 0, 65535, &n) < 0)
		return "expected 0 to 65535";
	*(uint32_t *)field = (uint32_t)n;
	return NULL;
}

static const char *
k_network_id(struct pctx *x, const char *v, void *field)
{
	uint64_t n;

	(void)x;
	if (nc_parse_u64(v, 1, 65280, &n) < 0)
		return "expected 1 to 65280";
	*(uint32_t *)field = (uint32_t)n;
	return NULL;
}

static const char *
k_lcn(struct pctx *x, const char *v, void *field)
{
	uint64_t n;

	(void)x;
	if (nc_parse_u64(v, 1, LCN_MAX, &n) < 0)
		return "expected 1 to 65535";
	*(uint32_t *)field = (uint32_t)n;
	return NULL;
}

static const char *
k_version(struct pctx *x, const char *v, void *field)
{
	uint64_t n;

	if (nc_parse_u64(v, 1, UINT32_MAX, &n) < 0)
		return "expected 1 to 4294967295";
	*(uint32_t *)field = (uint32_t)n;
	x->d->list_version_given = 1;
	return NULL;
}

static const char *
k_endpoint(struct pctx *x, const char *v, void *field)
{
	struct nc_ep *ep = field;

	(void)x;
	if (nc_parse_ep(v, 1, ep) < 0)
		return "expected GROUP:PORT/TSI ([IPv6]:PORT/TSI)";
	if (!ep_multicast(ep))
		return "not a multicast group";
	return NULL;
}

static const char *
k_source(struct pctx *x, const char *v, void *field)
{
	uint8_t a[16];

	if (*v == '\0')
		return NULL;
	if (inet_pton(AF_INET, v, a) != 1 && inet_pton(AF_INET6, v, a) != 1)
		return "expected an IPv4 or IPv6 address";
	return k_text(x, v, field);
}

static const char *
k_mode(struct pctx *x, const char *v, void *field)
{
	(void)x;
	if (strcmp(v, "live") != 0 && strcmp(v, "static") != 0)
		return "expected live or static";
	*(int *)field = strcmp(v, "live") == 0;
	return NULL;
}

static const char *
k_bitrate(struct pctx *x, const char *v, void *field)
{
	(void)x;
	return parse_bits(v, field) < 0 ?
	    "expected bits per second, suffix k, M or G" : NULL;
}

#define NET(k, f, fn)	{ SEC_NET, k, offsetof(struct nc_desc, f), fn }
#define SVC(k, f, fn)	{ SEC_SVC, k, offsetof(struct nc_svc, f), fn }

static const struct {
	int		kind;
	const char	*name;
	size_t		off;
	key_fn		fn;
} keys[] = {
	NET("provider", provider, k_text),
	NET("domain", domain, k_domain),
	NET("list_id", list_id, k_uri),
	NET("list_name", list_name, k_text),
	NET("list_version", list_version, k_version),
	NET("gateway", gateway, k_endpoint),
	NET("source", source, k_source),
	NET("network_id", network_id, k_network_id),
	NET("carrier_id", carrier_id, k_u16),
	NET("link_id", link_id, k_u16),
	NET("service_id", service_id, k_u16),
	NET("network_type", network_type, k_text),
	NET("link_layer", link_layer, k_text),
	SVC("id", id, k_uri),
	SVC("title", title, k_text),
	SVC("lcn", lcn, k_lcn),
	SVC("genre", genre, k_uri),
	SVC("logo", logo, k_uri),
	SVC("hls", hls, k_hls),
	SVC("playlist", playlist, k_relpath),
	SVC("session", session, k_endpoint),
	SVC("bitrate", bitrate, k_bitrate),
	SVC("mode", live, k_mode),
};

/* Record the first error; returns 0 for inih. */
static int
desc_fail(struct pctx *x, int line, const char *what, const char *why)
{
	if (!x->failed)
		snprintf(x->err, x->errlen, "%s:%d: %s: %s", x->file, line,
		    what, why);
	x->failed = 1;
	return 0;
}

/*
 * fgets for inih over the text, counting lines (inih reports keys, not
 * line numbers) and noting where each [section] header is.  Lines that
 * would not fit were refused before (desc_scan).
 */
static char *
desc_reader(char *str, int num, void *stream)
{
	struct pctx *x = stream;
	size_t n = 0;
	char c;

	if (x->pos >= x->len || num < 2)
		return NULL;
	x->line++;
	while (x->pos < x->len && n < (size_t)num - 1) {
		c = x->text[x->pos++];
		str[n++] = c;
		if (c == '\n')
			break;
	}
	str[n] = '\0';
	n = strspn(str, " \t");
	if (str[n] == '[')
		x->header_line = x->line;
	return str;
}

/* NUL bytes and lines longer than libinih reads are refused up front. */
static int
desc_scan(struct pctx *x)
{
	size_t i, start = 0;
	int line = 1;

	for (i = 0; i < x->len; i++) {
		if (x->text[i] == '\0')
			return desc_fail(x, line, "description",
			    "holds a NUL byte");
		if (x->text[i] != '\n')
			continue;
		if (i - start > LINE_MAX_INI)
			break;
		start = i + 1;
		line++;
	}
	if (i - start > LINE_MAX_INI)
		return desc_fail(x, line, "line", "longer than "
		    LINE_MAX_TEXT " bytes");
	return 1;
}

static int
svc_add(struct pctx *x, const char *name)
{
	struct nc_desc *d = x->d;
	struct nc_svc *s;
	size_t i;

	while (*name == ' ' || *name == '\t')
		name++;
	if (!chars_ok(name, "_-") || strlen(name) >= NC_NAME_MAX ||
	    strpbrk(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != NULL)
		return desc_fail(x, x->header_line, x->section,
		    "NAME must be [a-z0-9_-]+, at most 63 bytes");
	if (strcmp(name, "dvbi") == 0)
		return desc_fail(x, x->header_line, x->section,
		    "NAME dvbi is taken by the service list's folder");
	for (i = 0; i < d->nsvc; i++)
		if (strcmp(d->svc[i].name, name) == 0)
			return desc_fail(x, x->header_line, x->section,
			    "duplicate service");
	s = realloc(d->svc, (d->nsvc + 1) * sizeof(*s));
	if (s == NULL)
		return desc_fail(x, x->header_line, x->section,
		    "out of memory");
	d->svc = s;
	s = &d->svc[d->nsvc++];
	memset(s, 0, sizeof(*s));
	util_strlcpy(s->name, name, sizeof(s->name));
	s->live = 1;
	s->line = x->header_line;
	return 1;
}

/*
 * inih reports keys, not headers: a section starts when the name changes.
 * A [network] or [service NAME] seen again is therefore refused (an
 * empty section is not seen at all).
 */
static void
section_enter(struct pctx *x, const char *section)
{
	util_strlcpy(x->section, section, sizeof(x->section));
	x->seen = 0;
	x->kind = SEC_BAD;
	if (*section == '\0') {
		desc_fail(x, x->line, "key", "outside a [section]");
	} else if (strcmp(section, "network") == 0) {
		if (x->net_line != 0) {
			desc_fail(x, x->header_line, "[network]",
			    "given twice");
			return;
		}
		x->net_line = x->header_line;
		x->kind = SEC_NET;
	} else if (strncmp(section, "service ", 8) == 0) {
		if (svc_add(x, section + 8))
			x->kind = SEC_SVC;
	} else {
		desc_fail(x, x->header_line, section,
		    "unknown section (expected [network] or [service NAME])");
	}
}

static int
desc_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct pctx *x = user;
	struct nc_repair *r;
	char what[320];
	const char *why;
	uint8_t *base;
	size_t i;

	if (x->kind == SEC_NONE || strcmp(section, x->section) != 0)
		section_enter(x, section);
	if (x->kind == SEC_BAD)
		return 1;		/* reported once, at the header */
	snprintf(what, sizeof(what), "[%s] %s", section, name);
	r = x->kind == SEC_NET ? &x->d->repair :
	    &x->d->svc[x->d->nsvc - 1].repair;
	if (nc_desc_repair_key(r, name, value, &why))
		return why != NULL ? desc_fail(x, x->line, what, why) : 1;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].kind == x->kind && strcmp(keys[i].name, name) == 0)
			break;
	if (i == sizeof(keys) / sizeof(keys[0]))
		return desc_fail(x, x->line, what, "unknown key");
	if (x->seen & (1ull << i))
		return desc_fail(x, x->line, what, "given twice");
	x->seen |= 1ull << i;
	base = x->kind == SEC_NET ? (uint8_t *)x->d :
	    (uint8_t *)&x->d->svc[x->d->nsvc - 1];
	why = keys[i].fn(x, value, base + keys[i].off);
	return why != NULL ? desc_fail(x, x->line, what, why) : 1;
}

static int
dup_text(struct pctx *x, char **dst, const char *v)
{
	if (*dst == NULL && (*dst = strdup(v)) == NULL)
		return desc_fail(x, 0, "description", "out of memory");
	return 1;
}

/*
 * The default UniqueIdentifier: the list id's "tag:authority,date:"
 * prefix and the service name, so the services share the list's host.
 */
static int
svc_default_id(struct pctx *x, struct nc_svc *s)
{
	const char *l = x->d->list_id, *colon;
	char id[512];

	colon = strncmp(l, "tag:", 4) == 0 ? strchr(l + 4, ':') : NULL;
	if (colon != NULL)
		snprintf(id, sizeof(id), "%.*s%s", (int)(colon - l + 1), l,
		    s->name);
	else
		snprintf(id, sizeof(id), "tag:%s,2026:%s", x->d->domain,
		    s->name);
	return dup_text(x, &s->id, id);
}

static int
svc_finish(struct pctx *x, struct nc_svc *s)
{
	const char *why;
	char what[96];

	snprintf(what, sizeof(what), "[service %s]", s->name);
	if (s->session.salen == 0)
		return desc_fail(x, s->line, what, "session is missing");
	if (s->hls == NULL)
		return desc_fail(x, s->line, what, "hls is missing");
	if (s->playlist == NULL)
		return desc_fail(x, s->line, what, "playlist is missing");
	if (s->id == NULL && !svc_default_id(x, s))
		return 0;
	/* Repair keys not given here come from [network]. */
	if ((why = nc_desc_repair_inherit(&s->repair, &x->d->repair)) != NULL)
		return desc_fail(x, s->line, what, why);
	return dup_text(x, &s->title, s->name);
}

/* Identifiers, sessions and LCNs must be unique; free LCNs are handed out. */
static int
svc_unique(struct pctx *x, size_t i)
{
	const struct nc_desc *d = x->d;
	struct nc_svc *s = &d->svc[i];
	char what[96];
	size_t j;

	snprintf(what, sizeof(what), "[service %s]", s->name);
	if (ep_same(&s->session, &d->gateway, 1) || ep_announce(&s->session))
		return desc_fail(x, s->line, what,
		    "session is the gateway's or the announcement channel's");
	for (j = 0; j < i; j++) {
		if (strcmp(d->svc[j].id, s->id) == 0)
			return desc_fail(x, s->line, what, "id is not unique");
		if (ep_same(&d->svc[j].session, &s->session, 1))
			return desc_fail(x, s->line, what,
			    "session is another service's");
		if (s->lcn != 0 && d->svc[j].lcn == s->lcn)
			return desc_fail(x, s->line, what, "lcn is not unique");
	}
	return 1;
}

static void
lcn_assign(struct nc_desc *d)
{
	uint32_t top = 0;
	size_t i;

	for (i = 0; i < d->nsvc; i++)
		if (d->svc[i].lcn > top)
			top = d->svc[i].lcn;
	for (i = 0; i < d->nsvc; i++)
		if (d->svc[i].lcn == 0)
			d->svc[i].lcn = top < LCN_MAX ? ++top : 0;
}

static int
desc_finish(struct pctx *x)
{
	struct nc_desc *d = x->d;
	size_t i;

	if (x->net_line == 0)
		return desc_fail(x, 1, "[network]", "section is missing");
	if (d->provider == NULL || d->domain == NULL || d->list_id == NULL ||
	    d->gateway.salen == 0)
		return desc_fail(x, x->net_line, "[network]",
		    "provider, domain, list_id and gateway are required");
	if (ep_announce(&d->gateway))
		return desc_fail(x, x->net_line, "[network] gateway",
		    "is the announcement channel");
	if (!dup_text(x, &d->list_name, d->provider) ||
	    !dup_text(x, &d->network_type, "Satellite") ||
	    !dup_text(x, &d->link_layer, "GSE-Lite"))
		return 0;
	if (d->list_version == 0)
		d->list_version = 1;
	for (i = 0; i < d->nsvc; i++) {
		d->svc[i].version = 1;
		if (!svc_finish(x, &d->svc[i]) || !svc_unique(x, i))
			return 0;
	}
	lcn_assign(d);
	return 1;
}

int
nc_desc_parse(const char *text, size_t len, const char *file,
    struct nc_desc *d, char *err, size_t errlen)
{
	struct pctx x;
	int r;

	memset(d, 0, sizeof(*d));
	d->network_id = d->carrier_id = d->link_id = 1;
	memset(&x, 0, sizeof(x));
	x.d = d;
	x.file = file;
	x.text = text;
	x.len = len;
	x.err = err;
	x.errlen = errlen;
	if (!desc_scan(&x))
		goto fail;
	r = ini_parse_stream(desc_reader, &x, desc_handler, &x);
	if (r > 0 && !x.failed)
		desc_fail(&x, r, "syntax error",
		    "expected [section] or key = value");
	if (r < 0)
		desc_fail(&x, 0, "description", "out of memory");
	if (x.failed || !desc_finish(&x))
		goto fail;
	return 0;
fail:
	nc_desc_free(d);
	return -1;
}

void
nc_desc_free(struct nc_desc *d)
{
	size_t i;

	for (i = 0; i < d->nsvc; i++) {
		nc_desc_repair_free(&d->svc[i].repair);
		free(d->svc[i].id);
		free(d->svc[i].title);
		free(d->svc[i].genre);
		free(d->svc[i].logo);
		free(d->svc[i].hls);
		free(d->svc[i].playlist);
	}
	free(d->svc);
	free(d->provider);
	free(d->domain);
	free(d->list_id);
	free(d->list_name);
	free(d->source);
	free(d->network_type);
	free(d->link_layer);
	nc_desc_repair_free(&d->repair);
	memset(d, 0, sizeof(*d));
}
