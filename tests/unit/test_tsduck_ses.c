/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_tsduck_ses.c: our reading of the SES Astra 19.2E DVB-NIP signalling
 * against TSDuck's, the reference analyser.  TSDuck's own text output for
 * a capture of that stream (nip-summary.txt, flute-summary.txt) is parsed
 * here and every row it prints is looked up in what our parsers make of
 * the signalling files beside it: carriers in the NIF, service lists in
 * the SLEP and the bootstrap carousels, services in the three DVB-I lists
 * (merged as TSDuck merges them: one service per UniqueIdentifier, one row
 * per media URN), FLUTE sessions in the bootstrap's endpoints, and file
 * sizes and content types against the bodies on disk and daemon/mime.h.
 *
 * TSDuck's tables are space-padded to display width, so a name with a
 * combining accent shifts every later column by a byte: columns are cut
 * at runs of two or more spaces instead (no cell here holds two spaces).
 * Numbers carry thousands separators ("1,100").  In the services table
 * the flags are "v"/"s" when visible/selectable, "-" otherwise, and an
 * absent ServiceType prints as "linear".
 *
 * Where the two readings differ for a reason outside our parsers (a
 * session announced only by a per-session gateway configuration we do not
 * have, a content type the sender chose), the row is printed as a NOTE
 * with the reason and only what must still hold is asserted.  Needs
 * ../shared/data; prints SKIP without it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tsduck_harness.h"

/* ---- 1. Carriers. ---- */

static const struct nif_stream *
nif_find(const struct nif *n, unsigned net, unsigned car, unsigned link,
    unsigned svc)
{
	size_t i, j;

	for (i = 0; i < n->nnetworks; i++) {
		const struct nif_network *w = &n->networks[i];

		for (j = 0; w->network_id == net && j < w->nstreams; j++)
			if (w->streams[j].carrier_id == car &&
			    w->streams[j].link_id == link &&
			    w->streams[j].service_id == svc)
				return &w->streams[j];
	}
	return NULL;
}

static void
test_carriers(void)
{
	struct doc d;
	struct ours o;
	size_t i, streams = 0, rows = 0;
	long at;
	int64_t count;

	if (!have_data("TSDuck carriers"))
		return;
	REQUIRE(doc_load(NIP_SUMMARY, &d) == 0);
	CHECK(ours_load(&o) == 0);
	at = doc_find(&d, 0, "DVB-NIP carriers: ");
	CHECK(at >= 0);
	count = at >= 0 ? num_parse(d.line[at] + 18) : -1;
	for (i = 0; o.nif_rc == 0 && i < o.nif.nnetworks; i++)
		streams += o.nif.networks[i].nstreams;
	for (i = at >= 0 ? (size_t)at + 1 : d.n; i < d.n &&
	    strncmp(d.line[i], "Provider: ", 10) == 0; i++, rows++) {
		const struct nif_stream *s;
		char prov[128];
		unsigned net, car, link, svc;
		int end = -1;

		CHECK(sscanf(d.line[i], "Provider: \"%127[^\"]\", network: %u, "
		    "carrier: %u, link: %u, service: %u%n", prov, &net, &car,
		    &link, &svc, &end) == 5 && end > 0 && d.line[i][end] == 0);
		if (end < 0)
			continue;
		s = nif_find(&o.nif, net, car, link, svc);
		CHECK(s != NULL);
		CHECK_FIELD("provider", d.line[i], prov, s ? s->provider : 0);
	}
	CHECK(rows > 0);
	CHECK_EQ_U(rows, count);
	CHECK_EQ_U(streams, count);
	ours_free(&o);
	doc_free(&d);
}

/* ---- 2. Service lists. ---- */

static void
check_list_row(char **f, const struct ours *o)
{
	const struct slep_offering *of = NULL;
	const struct mgc_ts *t;
	struct tsd_sid sid;
	size_t i;

	for (i = 0; i < o->slep.noffers; i++)
		if (streq(o->slep.offers[i].uri, f[3]))
			of = &o->slep.offers[i];
	CHECK(of != NULL);
	if (of == NULL)
		return;
	CHECK_FIELD("list name", f[3], f[1], of->list_name);
	CHECK_FIELD("provider", f[3], f[0], of->provider);
	for (i = 0; i < o->nlists && !streq(o->lists[i].id, of->list_id); i++)
		;
	CHECK(i < o->nlists);
	if (i < o->nlists)
		CHECK_FIELD("list's own Name", f[3], f[1], o->lists[i].name);
	/* The SLEP names no session: the bootstrap carousel listing it does. */
	t = mgc_by_locator(&o->boot, f[3]);
	CHECK(t != NULL);
	CHECK(sid_parse(f[2], &sid) == 0);
	if (t != NULL && mgc_by_sid(&o->boot, &sid) != t) {
		note("DIFF session of %s: TSDuck %s, bootstrap %s:%u",
		    f[3], f[2], t->endpoints[0].group, t->endpoints[0].port);
		CHECK(0);
	}
}

static void
test_service_lists(void)
{
	struct doc d;
	struct ours o;
	char *c[MAXCOLS];
	size_t i, rows = 0;
	long at;

	if (!have_data("TSDuck lists"))
		return;
	REQUIRE(doc_load(NIP_SUMMARY, &d) == 0);
	CHECK(ours_load(&o) == 0);
	at = doc_find(&d, 0, "Service lists: ");
	REQUIRE(at >= 0 && (size_t)at + 1 < d.n);
	CHECK_EQ_U(num_parse(d.line[at] + 15), o.slep.noffers);
	CHECK(split_cols(d.line[at + 1], c, MAXCOLS) == 4 &&
	    strcmp(c[2], "Session id") == 0);
	for (i = (size_t)at + 2; i < d.n && d.line[i][0] != '\0'; i++) {
		CHECK(split_cols(d.line[i], c, MAXCOLS) == 4);
		check_list_row(c, &o);
		rows++;
	}
	CHECK(rows > 0);
	CHECK_EQ_U(rows, o.slep.noffers);
	CHECK_EQ_U(o.nlists, o.slep.noffers);
	ours_free(&o);
	doc_free(&d);
}

/* ---- 3. Services. ---- */

/* The service with an instance at url (and named name, if one is). */
static const struct merged *
merged_by_url(const struct ours *o, const char *url, const char *name,
    const struct dvbi_instance **inst)
{
	const struct merged *found = NULL;
	size_t i, k, j;

	for (i = 0; i < o->nmerged; i++) {
		const struct merged *m = &o->merged[i];

		for (k = 0; k < m->n; k++)
			for (j = 0; j < m->s[k]->ninstances; j++) {
				if (!streq(m->s[k]->instances[j].url, url))
					continue;
				if (found == NULL || streq(dvbi_service_name(
				    m->s[k], NULL), name)) {
					found = m;
					*inst = &m->s[k]->instances[j];
				}
			}
	}
	return found;
}

static const char *
type_tail(const char *href)
{
	const char *c;

	if (href == NULL)
		return "linear";	/* TSDuck's default, and DVB-I's */
	c = strrchr(href, ':');
	return c != NULL ? c + 1 : href;
}

/* LCN and flags of m in every list holding it against the row. */
static void
check_lcn(char **f, const struct merged *m)
{
	size_t k, found = 0;

	for (k = 0; k < m->n; k++) {
		const struct dvbi_lcn *l = dvbi_lcn_for(m->l[k], m->id, NULL);
		char flags[3] = "--";

		if (l == NULL)
			continue;
		found++;
		flags[0] = l->visible ? 'v' : '-';
		flags[1] = l->selectable ? 's' : '-';
		CHECK_EQ_U(num_parse(f[0]), l->number);
		CHECK_FIELD("VS flags", f[5], f[1], flags);
	}
	if (found == 0)
		note("NOTE %s: no LCN in any list, TSDuck says %s", m->id,
		    f[0]);
}

/* How many distinct instance URLs m has over its lists. */
static size_t
merged_urls(const struct merged *m)
{
	size_t k, j, k2, j2, urls = 0;

	for (k = 0; k < m->n; k++)
		for (j = 0; j < m->s[k]->ninstances; j++) {
			const char *u = m->s[k]->instances[j].url;
			int dup = 0;

			for (k2 = 0; u != NULL && k2 <= k; k2++)
				for (j2 = 0; j2 < (k2 < k ? m->s[k2]->ninstances :
				    j); j2++)
					dup |= streq(m->s[k2]->instances[j2].url, u);
			urls += u != NULL && !dup;
		}
	return urls;
}

static void
check_service_row(char **f, size_t nf, const struct ours *o)
{
	const struct dvbi_instance *in = NULL;
	const struct merged *m;
	size_t k;

	if (nf != 7) {
		/* TSDuck's row for a service without any media URN. */
		for (k = 0; k < o->nmerged; k++)
			if (streq(dvbi_service_name(o->merged[k].s[0], NULL),
			    f[4]) && merged_urls(&o->merged[k]) == 0)
				break;
		if (k == o->nmerged)
			note("DIFF service %s: no URN in TSDuck, ours has", f[4]);
		CHECK(k < o->nmerged);
		return;
	}
	m = merged_by_url(o, f[5], f[4], &in);

	if (m == NULL)
		note("DIFF service %s (%s): no instance of ours has it",
		    f[4], f[5]);
	CHECK(m != NULL);
	if (m == NULL)
		return;
	check_lcn(f, m);
	for (k = 0; k < m->n; k++) {
		CHECK_FIELD("type", f[5], f[2], type_tail(m->s[k]->type));
		CHECK_FIELD("provider", f[5], f[3], m->s[k]->provider);
		CHECK_FIELD("name", f[5], f[4],
		    dvbi_service_name(m->s[k], NULL));
	}
	CHECK_FIELD("media type", f[5], f[6], in->content_type);
}

static void
test_services(void)
{
	struct doc d;
	struct ours o;
	char *c[MAXCOLS], *seen[256];
	size_t i, j, rows = 0, ours = 0;
	long at;

	if (!have_data("TSDuck services"))
		return;
	REQUIRE(doc_load(NIP_SUMMARY, &d) == 0);
	CHECK(ours_load(&o) == 0);
	at = doc_find(&d, 0, "Services: ");
	REQUIRE(at >= 0 && (size_t)at + 1 < d.n);
	CHECK_EQ_U(strtoull(d.line[at] + 10, NULL, 10), o.nmerged);
	CHECK(split_cols(d.line[at + 1], c, MAXCOLS) == 7 &&
	    strcmp(c[5], "Media URN") == 0);
	for (i = (size_t)at + 2; i < d.n && d.line[i][0] != '\0'; i++) {
		size_t nf = split_cols(d.line[i], c, MAXCOLS);

		CHECK(nf == 5 || nf == 7);
		if (nf != 5 && nf != 7)
			continue;
		check_service_row(c, nf, &o);
		/* No row twice: with the counts equal, a one-to-one match. */
		for (j = 0; j < rows && j < 256; j++)
			CHECK(strcmp(seen[j], c[nf - 2]) != 0);
		if (rows < 256)
			seen[rows] = c[nf - 2];
		rows++;
	}
	for (i = 0; i < o.nmerged; i++) {
		size_t u = merged_urls(&o.merged[i]);

		ours += u > 0 ? u : 1;
	}
	CHECK(rows > 0 && rows <= 256);
	CHECK_EQ_U(rows, ours);
	ours_free(&o);
	doc_free(&d);
}

/* ---- 4. Sessions. ---- */

static const struct tsd_session *
tsd_by_ep(const struct tsd_sessions *ss, const struct mgc_endpoint *e)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		if (ep_is(e, &ss->s[i].sid))
			return &ss->s[i];
	return NULL;
}

/* The service whose media sits in the folder holding name, or NULL. */
static const struct merged *
merged_by_folder(const struct ours *o, const char *name)
{
	size_t i, k, j;

	for (i = 0; i < o->nmerged; i++)
		for (k = 0; k < o->merged[i].n; k++)
			for (j = 0; j < o->merged[i].s[k]->ninstances; j++) {
				const char *u =
				    o->merged[i].s[k]->instances[j].url;

				if (u != NULL && url_base(u) > u &&
				    strncmp(u, name, (size_t)(url_base(u) -
				    u)) == 0)
					return &o->merged[i];
			}
	return NULL;
}

/*
 * A named file of a session the bootstrap does not name must be media of
 * a service that a bootstrap gateway session references, and TSDuck must
 * have seen that gateway session's own gateway configuration: the one
 * announcing the service's sessions, which is not among our samples.
 * Returns the service, or NULL.
 */
static const struct merged *
check_foreign(const char *name, const struct tsd_sessions *ss,
    const struct ours *o, const char *what)
{
	const struct mgc_ts *gw = NULL;
	const struct tsd_session *g = NULL;
	const struct merged *m = merged_by_folder(o, name);
	size_t i;

	for (i = 0; m != NULL && i < o->boot.nts && gw == NULL; i++)
		if (o->boot.ts[i].gateway && mgc_ts_serves(&o->boot.ts[i], m->id))
			gw = &o->boot.ts[i];
	if (gw != NULL && (g = tsd_by_ep(ss, &gw->endpoints[0])) != NULL)
		for (i = 0; i < g->nfiles; i++)
			if (streq(g->files[i].name, URN_GWCONF))
				break;
	if (g == NULL || i == g->nfiles) {
		note("DIFF %s carries %s: no service of ours explains it", what,
		    name);
		CHECK(0);
		return NULL;
	}
	return m;
}

/*
 * Every named file of a bootstrap session is one of its ResourceLocators,
 * but for the gateway configurations, which describe the session itself.
 * Returns how many of those it carries.
 */
static size_t
check_joined(const struct tsd_session *s, const struct mgc_ts *t,
    const char *what)
{
	size_t i, self = 0;

	for (i = 0; i < s->nfiles; i++) {
		const char *n = s->files[i].name;

		if (n == NULL || ts_has_locator(t, n))
			continue;
		if (streq(n, URN_BOOTSTRAP) || streq(n, URN_GWCONF)) {
			self++;
			continue;
		}
		note("DIFF %s carries %s, not in its carousel", what, n);
		CHECK(0);
	}
	return self;
}

/* Session numbers for one NOTE line. */
static void
nums_add(char *buf, size_t len, int num)
{
	size_t l = strlen(buf);

	snprintf(buf + l, len - l, " #%d", num);
}

/* One session of TSDuck's against the bootstrap; 1 if it is there. */
static int
check_session(const struct tsd_session *s, const struct tsd_sessions *ss,
    const struct ours *o, const char *file, char (*nums)[256])
{
	const struct mgc_ts *t = mgc_by_sid(&o->boot, &s->sid);
	const struct merged *m = NULL;
	char what[160];
	size_t k, l;

	snprintf(what, sizeof(what), "%s #%d ", file, s->num);
	l = strlen(what);
	sid_print(&s->sid, what + l, sizeof(what) - l);
	if (t != NULL) {
		if (check_joined(s, t, what) > 0)
			nums_add(nums[0], sizeof(nums[0]), s->num);
		return 1;
	}
	for (k = 0; k < s->nfiles; k++)
		if (s->files[k].name != NULL)
			m = check_foreign(s->files[k].name, ss, o, what);
	if (m != NULL)
		note("NOTE not in bootstrap.xml: %s: media of %s, whose "
		    "sessions a per-session gateway configuration announces "
		    "(not among our samples)", what, m->id);
	else
		nums_add(nums[1], sizeof(nums[1]), s->num);
	return 0;
}

static void
check_sessions(const char *file, const struct ours *o)
{
	struct tsd_sessions ss;
	struct doc d;
	char nums[2][256] = { "", "" };
	size_t i, joined = 0;

	if (!have_data(file))
		return;
	REQUIRE(doc_load(file, &d) == 0);
	CHECK(sessions_parse(&d, &ss) == 0);
	for (i = 0; i < ss.n; i++)
		joined += check_session(&ss.s[i], &ss, o, file, nums);
	if (nums[0][0] != '\0')
		note("NOTE %s:%s carry their gateway configuration object "
		    "(by URN, not a ResourceLocator)", file, nums[0]);
	if (nums[1][0] != '\0')
		note("NOTE not in bootstrap.xml: %s:%s, no file name to tell "
		    "what they carry", file, nums[1]);
	/*
	 * The capture saw every session the bootstrap announces, so an
	 * endpoint we misread would show here.
	 */
	for (i = 0; i < o->boot.nts; i++)
		CHECK(tsd_by_ep(&ss, &o->boot.ts[i].endpoints[0]) != NULL);
	CHECK(joined > 0);
	sessions_free(&ss);
	doc_free(&d);
}

static void
test_sessions(void)
{
	struct ours o;

	if (!have_data("TSDuck sessions"))
		return;
	CHECK(ours_load(&o) == 0);
	CHECK(o.boot_rc == 0 && o.boot.nts > 0);
	check_sessions(NIP_SUMMARY, &o);
	check_sessions(FLUTE_SUMMARY, &o);
	ours_free(&o);
}

/* ---- 5. Files: sizes and content types. ---- */

/*
 * What TSDuck saved under its own names beside the summaries.  Its
 * --save-nif, -sif, -slep and -bootstrap options write the document
 * re-indented (reindented); carousel files are saved as carried.  Other
 * http:// files are found by the last segment of their URL.
 */
static const struct {
	const char	*name;
	const char	*file;
	int		reindented;
} disk_alias[] = {
	{ URN_BOOTSTRAP, "bootstrap.xml", 1 },
	{ "urn:dvb:metadata:nativeip:NetworkInformationFile", "nif.xml", 1 },
	{ "urn:dvb:metadata:nativeip:ServiceInformationFile", "sif.xml", 1 },
	{ "urn:dvb:metadata:nativeip:dvb-i-slep", "slep.xml", 1 },
	{ "http://dvb.gw/ses.com/dvbi/cg/manifest.xml", "cg-manifest.xml", 0 },
};

/* The length without whitespace between tags and at the end. */
static size_t
compact_len(const char *b, size_t len)
{
	size_t i, j, n = 0;

	while (len > 0 && isspace((unsigned char)b[len - 1]))
		len--;
	for (i = 0; i < len; i++, n++) {
		if (b[i] != '>')
			continue;
		for (j = i + 1; j < len && isspace((unsigned char)b[j]); j++)
			;
		if (j < len && b[j] == '<')
			i = j - 1;
	}
	return n;
}

/*
 * The size TSDuck printed for a complete file we have the body of, and
 * what that body is: a DVB-I list the daemon accepts must have been
 * announced with a "dvbisl" type (nip.c's test for lists the SLEP does
 * not name).  Returns 1 if there was a body to compare.
 */
static int
check_body(const struct tsd_file *f, const char *what)
{
	struct dvbi_list l;
	const char *file = NULL;
	char err[256], *b;
	size_t i, len = 0;
	int reindented = 0;

	for (i = 0; i < sizeof(disk_alias) / sizeof(disk_alias[0]); i++)
		if (strcmp(f->name, disk_alias[i].name) == 0) {
			file = disk_alias[i].file;
			reindented = disk_alias[i].reindented;
		}
	if (file == NULL && strncmp(f->name, "http://", 7) == 0)
		file = url_base(f->name);
	if (file == NULL || (b = ses_read(file, &len)) == NULL)
		return 0;
	if (reindented) {
		note("NOTE %s: %s is %zu bytes re-indented, TSDuck %" PRId64
		    "; without the indentation %zu", what, file, len, f->size,
		    compact_len(b, len));
		CHECK_EQ_U(compact_len(b, len), f->size);
	} else {
		CHECK_EQ_U(len, f->size);
	}
	if (dvbi_parse(b, len, &l, err, sizeof(err)) == 0) {
		CHECK(f->type != NULL && strstr(f->type, "dvbisl") != NULL);
		dvbi_list_free(&l);
	}
	free(b);
	return 1;
}

enum verdict { V_SAME, V_XML, V_NOEXT, V_OCTET, V_KNOWN, V_GAP, V_DIFF };

/* Where our table differs on purpose, or lacks an extension (a gap). */
static const struct {
	const char	*ext;
	const char	*theirs;
	enum verdict	v;
	const char	*why;
} mime_known[] = {
	{ "m4s", "audio/mp4", V_KNOWN, "every .m4s is video/mp4, dvbi-and-hls.md 2.1" },
	{ "m4s", "application/mp4", V_KNOWN, "every .m4s is video/mp4" },
	{ "mp4", "audio/mp4", V_KNOWN, "every .mp4 is video/mp4" },
	{ "mp4", "application/mp4", V_KNOWN, "every .mp4 is video/mp4" },
	{ "js", "application/javascript", V_KNOWN, "RFC 9239 text/javascript" },
	{ "pdf", "application/pdf", V_GAP, "no .pdf in our table" },
	{ "aitx", "application/vnd.dvb.ait+xml", V_GAP, "no .aitx in our table" },
};

/* Equal up to parameters (";...") and case. */
static int
type_eq(const char *a, const char *b)
{
	size_t la = strcspn(a, "; "), lb = strcspn(b, "; ");

	return la == lb && strncasecmp(a, b, la) == 0;
}

static enum verdict
mime_verdict(const char *name, const char *theirs, const char **why)
{
	const char *ours = mime_from_path(name);
	const char *dot = strrchr(url_base(name), '.');
	size_t i;

	*why = "";
	if (type_eq(theirs, MIME_DEFAULT))
		return V_OCTET;
	if (dot == NULL)
		return V_NOEXT;
	if (type_eq(ours, theirs))
		return V_SAME;
	if (strcmp(ours, "application/xml") == 0 &&
	    (strstr(theirs, "+xml") != NULL || strstr(theirs, "xml+") != NULL))
		return V_XML;
	for (i = 0; i < sizeof(mime_known) / sizeof(mime_known[0]); i++)
		if (strcasecmp(dot + 1, mime_known[i].ext) == 0 &&
		    type_eq(theirs, mime_known[i].theirs))
			return *why = mime_known[i].why, mime_known[i].v;
	return V_DIFF;
}

/* Distinct (extension, TSDuck type) pairs, printed once with a count. */
struct pair {
	char		ext[16];
	const char	*theirs;
	enum verdict	v;
	const char	*why;
	unsigned	count;
};

static void
pair_add(struct pair *p, size_t *np, const char *name, const char *theirs,
    enum verdict v, const char *why)
{
	const char *dot = strrchr(url_base(name), '.');
	char ext[16];
	size_t i;

	snprintf(ext, sizeof(ext), "%s", dot != NULL ? dot + 1 : "-");
	for (i = 0; i < *np; i++)
		if (strcmp(p[i].ext, ext) == 0 && strcmp(p[i].theirs,
		    theirs) == 0) {
			p[i].count++;
			return;
		}
	CHECK(*np < MAXPAIRS);
	if (*np >= MAXPAIRS)
		return;
	p[*np] = (struct pair){ .theirs = theirs, .v = v, .why = why,
	    .count = 1 };
	memcpy(p[*np].ext, ext, sizeof(ext));
	(*np)++;
}

static void
pairs_print(const char *file, const struct pair *p, size_t np)
{
	static const char *vn[] = { "same", "xml fallback", "no extension",
	    "sender said octet-stream", "differs by design", "GAP", "DIFF" };
	char name[32];
	size_t i;
	unsigned noext = 0;

	for (i = 0; i < np; i++) {
		noext += p[i].v == V_NOEXT ? p[i].count : 0;
		if (p[i].v == V_SAME || p[i].v == V_NOEXT)
			continue;
		snprintf(name, sizeof(name), "f.%.16s", p[i].ext);
		note("NOTE %s: .%s announced %s (%u files), ours %s: %s%s%s",
		    file, p[i].ext, p[i].theirs, p[i].count,
		    mime_from_path(name), vn[p[i].v],
		    p[i].why[0] != '\0' ? ", " : "", p[i].why);
	}
	note("NOTE %s: %u named objects without an extension (signalling "
	    "URNs): mime_from_path does not apply", file, noext);
}

static void
check_files(const char *file)
{
	struct tsd_sessions ss;
	struct pair pairs[MAXPAIRS];
	struct doc d;
	char what[160];
	size_t i, k, np = 0, sized = 0;

	if (!have_data(file))
		return;
	REQUIRE(doc_load(file, &d) == 0);
	CHECK(sessions_parse(&d, &ss) == 0);
	for (i = 0; i < ss.n; i++)
		for (k = 0; k < ss.s[i].nfiles; k++) {
			const struct tsd_file *f = &ss.s[i].files[k];
			const char *why;
			enum verdict v;

			if (f->name == NULL || f->type == NULL)
				continue;
			snprintf(what, sizeof(what), "%s #%d %s", file,
			    ss.s[i].num, url_base(f->name));
			v = mime_verdict(f->name, f->type, &why);
			if (v == V_DIFF)
				note("DIFF %s: announced %s, mime_from_path "
				    "%s", what, f->type,
				    mime_from_path(f->name));
			CHECK(v != V_DIFF);
			pair_add(pairs, &np, f->name, f->type, v, why);
			if (!f->complete || !check_body(f, what))
				continue;
			/* A body we have: our type must be its generic one. */
			CHECK(v == V_SAME || v == V_XML || v == V_NOEXT);
			sized++;
		}
	pairs_print(file, pairs, np);
	CHECK(sized > 0);
	sessions_free(&ss);
	doc_free(&d);
}

/* The bodies we have are XML: mime_from_path gives their generic type. */
static void
test_files(void)
{
	check_files(NIP_SUMMARY);
	check_files(FLUTE_SUMMARY);
}

/* ---- The reader itself, on text TSDuck would not print. ---- */

static void
test_reader_hostile(void)
{
	static const struct {
		const char	*s;
		int		ok;
	} sids[] = {
		{ "source: 1.2.3.4, destination: 224.0.0.1:9, TSI: 7", 1 },
		{ "source: ::1, destination: [ff02::1]:9, TSI: 7", 1 },
		{ "", 0 },
		{ "source: 1.2.3.4, destination: 224.0.0.1, TSI: 7", 0 },
		{ "source: 1.2.3.4, destination: 224.0.0.1:0, TSI: 7", 0 },
		{ "source: 1.2.3.4, destination: 224.0.0.1:65536, TSI: 7", 0 },
		{ "source: 1.2.3.4, destination: 224.0.0.1:9, TSI: x", 0 },
		{ "source: 1.2.3.4, destination: 224.0.0.1:9, TSI: 7 x", 0 },
		{ "source: 1.2.3.4, destination: :9, TSI: 7", 0 },
		{ "unknown", 0 },
	};
	static const char *bad_docs[] = {
		"Session #1: source: a, destination: b:1, TSI: 1\n",
		"Session #1: source: a, destination: b:1, TSI: 1\nSize  TOI\n",
		"Session #1: source: a, destination: b:1, TSI: 1\n"
		    "Size  TOI  Status  Name\n  1  2  complete\n",
		"Session #1: source: a, destination: b:1, TSI: 1\n"
		    "Size  TOI  Status  Name\n  x  2  complete  n\n",
		"Session #1: source: a, destination: b:1, TSI: 1\n"
		    "Size  TOI  Status  Name\n  1  2  half  n\n",
		"Session #1: source: a, destination: b:1, TSI: 1\n"
		    "Size  TOI  Status  Name\n  1  2  0  n  t  u\n",
		"Session #x: source: a, destination: b:1, TSI: 1\n",
	};
	struct tsd_sessions ss;
	struct tsd_sid sid;
	struct doc d;
	char line[64], *f[MAXCOLS];
	size_t i;

	for (i = 0; i < sizeof(sids) / sizeof(sids[0]); i++)
		CHECK((sid_parse(sids[i].s, &sid) == 0) == sids[i].ok);
	CHECK(sid_parse(sids[1].s, &sid) == 0 && sid.port == 9 &&
	    strcmp(sid.group, "[ff02::1]") == 0 && sid.tsi == 7);
	CHECK_EQ_U(num_parse("1,100"), 1100);
	CHECK(num_parse("") < 0 && num_parse(",1") < 0 && num_parse("1a") < 0);
	CHECK(num_parse("99999999999999999999999") < 0);
	snprintf(line, sizeof(line), "  a  b c   d");
	CHECK(split_cols(line, f, MAXCOLS) == 3 && strcmp(f[1], "b c") == 0 &&
	    strcmp(f[2], "d") == 0);
	snprintf(line, sizeof(line), "a  b  c");
	CHECK(split_cols(line, f, 2) == 3);
	for (i = 0; i < sizeof(bad_docs) / sizeof(bad_docs[0]); i++) {
		REQUIRE(doc_from(bad_docs[i], &d) == 0);
		CHECK(sessions_parse(&d, &ss) < 0);
		sessions_free(&ss);
		doc_free(&d);
	}
	REQUIRE(doc_from("Session #3: source: a, destination: b:1, TSI: 1\n"
	    "Size  TOI  Status  Name  Type\n  1,024  2  complete  http://x/y  t"
	    "\n  5  6  7  (unknown, TOI 6)\n\nSession #4: source: a, "
	    "destination: b:2, TSI: 2\nSize  TOI  Status  Name\n", &d) == 0);
	CHECK(sessions_parse(&d, &ss) == 0 && ss.n == 2 && ss.s[0].nfiles == 2 &&
	    ss.s[0].files[0].size == 1024 && ss.s[0].files[0].complete &&
	    ss.s[0].files[1].name == NULL && !ss.s[0].files[1].complete &&
	    ss.s[1].num == 4 && ss.s[1].nfiles == 0);
	sessions_free(&ss);
	doc_free(&d);
}

TEST_MAIN(TEST(test_reader_hostile), TEST(test_carriers),
    TEST(test_service_lists), TEST(test_services), TEST(test_sessions),
    TEST(test_files))
