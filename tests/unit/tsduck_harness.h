/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tsduck_harness.h: for test_tsduck_ses.c only.  Reads TSDuck's text
 * output (nip-summary.txt, flute-summary.txt: tables cut at runs of two
 * or more spaces, numbers with thousands separators) and loads what our
 * parsers make of the SES signalling files beside it.  Static functions,
 * as the other harness headers.
 */
#ifndef NIPCACHE_TSDUCK_HARNESS_H
#define NIPCACHE_TSDUCK_HARNESS_H

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "test.h"
#include "sample_harness.h"
#include "../../daemon/mime.h"
#include "../../dvb-i/dvbi.h"
#include "../../dvb-i/mgc.h"
#include "../../dvb-i/nipdoc.h"

#define NIP_SUMMARY	"nip-summary.txt"
#define FLUTE_SUMMARY	"flute-summary.txt"
#define MAXCOLS		8
#define MAXLISTS	8
#define MAXPAIRS	64

/* The two self-describing objects: gateway configurations, not locators. */
#define URN_BOOTSTRAP \
	"urn:dvb:metadata:cs:NativeIPMulticastTransportObjectTypeCS:2023:bootstrap"
#define URN_GWCONF \
	"urn:dvb:metadata:cs:MulticastTransportObjectTypeCS:2021:gateway-configuration"

/* A text file cut into lines in place, trailing blanks removed. */
struct doc {
	char	*buf;
	char	**line;
	size_t	n;
};

/* A TSDuck session id: "source: S, destination: G:P, TSI: T". */
struct tsd_sid {
	char		src[64];
	char		group[64];
	unsigned	port;
	uint64_t	tsi;
};

struct tsd_file {
	int64_t		size;
	int		complete;
	const char	*name;		/* NULL for "(unknown, TOI n)" */
	const char	*type;		/* NULL if the table has no Type */
};

struct tsd_session {
	int		num;
	struct tsd_sid	sid;
	size_t		nfiles;
	struct tsd_file	*files;
};

struct tsd_sessions {
	size_t		n;
	struct tsd_session *s;
};

/* A service merged over the lists that hold it. */
struct merged {
	const char	*id;
	size_t		n;
	const struct dvbi_service *s[MAXLISTS];
	const struct dvbi_list *l[MAXLISTS];
};

/* Everything our parsers make of the signalling files. */
struct ours {
	int		boot_rc, nif_rc, slep_rc;
	struct mgc	boot;
	struct nif	nif;
	struct slep	slep;
	size_t		nlists;
	struct dvbi_list lists[MAXLISTS];
	size_t		nmerged;
	struct merged	*merged;
};

/* A NOTE or DIFF line on stdout, flushed to keep it beside test.h's. */
static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/*
 * 1 if the samples are here, else print why the case is skipped.  Only a
 * missing folder skips: an unreadable or empty file in it fails.
 */
static int
have_data(const char *what)
{
	if (access(SAMPLE_SES, R_OK | X_OK) == 0)
		return 1;
	return !sample_skip(what);
}

/* ---- Reading TSDuck's text. ---- */

static void
doc_split(struct doc *d, size_t len)
{
	size_t i, cap = 1;
	char *p = d->buf;

	for (i = 0; i < len; i++)
		cap += d->buf[i] == '\n';
	if ((d->line = calloc(cap, sizeof(*d->line))) == NULL)
		return;
	for (;;) {
		char *nl = strchr(p, '\n'), *e;

		if (nl != NULL)
			*nl = '\0';
		e = p + strlen(p);
		while (e > p && (e[-1] == ' ' || e[-1] == '\r'))
			*--e = '\0';
		d->line[d->n++] = p;
		if (nl == NULL || d->n == cap)
			break;
		p = nl + 1;
	}
}

static int
doc_from(const char *text, struct doc *d)
{
	memset(d, 0, sizeof(*d));
	if ((d->buf = strdup(text)) == NULL)
		return -1;
	doc_split(d, strlen(text));
	if (d->line == NULL)
		free(d->buf);
	return d->line != NULL ? 0 : -1;
}

static char *
ses_read(const char *name, size_t *len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", SAMPLE_SES, name);
	return sample_read(path, len);
}

static int
doc_load(const char *name, struct doc *d)
{
	size_t len = 0;

	memset(d, 0, sizeof(*d));
	if ((d->buf = ses_read(name, &len)) == NULL)
		return -1;
	doc_split(d, len);
	if (d->line == NULL)
		free(d->buf);
	return d->line != NULL ? 0 : -1;
}

static void
doc_free(struct doc *d)
{
	free(d->line);
	free(d->buf);
}

/* Index of the first line at or after from starting with prefix, or -1. */
static long
doc_find(const struct doc *d, size_t from, const char *prefix)
{
	size_t i;

	for (i = from; i < d->n; i++)
		if (strncmp(d->line[i], prefix, strlen(prefix)) == 0)
			return (long)i;
	return -1;
}

/*
 * Cut s in place into cells separated by two or more spaces.  Returns the
 * count, or max + 1 if there are more cells than max.
 */
static size_t
split_cols(char *s, char **f, size_t max)
{
	size_t n = 0;

	for (;;) {
		char *end;

		while (*s == ' ')
			s++;
		if (*s == '\0')
			return n;
		if (n == max)
			return max + 1;
		f[n++] = s;
		if ((end = strstr(s, "  ")) == NULL)
			return n;
		*end = '\0';
		s = end + 2;
	}
}

/* "1,234,567" to 1234567; -1 if not a number. */
static int64_t
num_parse(const char *s)
{
	int64_t v = 0;
	int digits = 0;

	for (; *s != '\0'; s++) {
		if (*s == ',' && digits > 0)
			continue;
		if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
		digits++;
	}
	return digits > 0 ? v : -1;
}

static int
sid_parse(const char *s, struct tsd_sid *sid)
{
	char dst[96], *colon;
	int end = -1;
	int64_t port;

	memset(sid, 0, sizeof(*sid));
	if (sscanf(s, "source: %63[^,], destination: %95[^,], TSI: %" SCNu64
	    "%n", sid->src, dst, &sid->tsi, &end) != 3 || end < 0 ||
	    s[end] != '\0' || (colon = strrchr(dst, ':')) == NULL)
		return -1;
	*colon = '\0';
	if ((port = num_parse(colon + 1)) < 1 || port > 65535 ||
	    strchr(colon + 1, ',') != NULL || dst[0] == '\0' ||
	    snprintf(sid->group, sizeof(sid->group), "%s", dst) >=
	    (int)sizeof(sid->group))
		return -1;
	sid->port = (unsigned)port;
	return 0;
}

static void
sid_print(const struct tsd_sid *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s -> %s:%u TSI %" PRIu64, s->src, s->group,
	    s->port, s->tsi);
}

/* One row of a session table into f; 0, or -1 if it is not one. */
static int
file_parse(char *line, size_t ncols, struct tsd_file *f)
{
	char *c[MAXCOLS];
	size_t n = split_cols(line, c, MAXCOLS);

	memset(f, 0, sizeof(*f));
	if (n < 4 || n > ncols || (f->size = num_parse(c[0])) < 0 ||
	    num_parse(c[1]) < 0)
		return -1;
	f->complete = strcmp(c[2], "complete") == 0;
	if (!f->complete && num_parse(c[2]) < 0)
		return -1;
	if (strncmp(c[3], "(unknown, TOI ", 14) != 0)
		f->name = c[3];
	else if (n > 4)
		return -1;
	f->type = n > 4 ? c[4] : NULL;
	return 0;
}

/* The table under "Session #n: ..." at line i; 0 or -1. */
static int
session_parse(struct doc *d, size_t i, struct tsd_session *s)
{
	char *h[MAXCOLS];
	size_t nh, k;
	int end = -1;

	if (sscanf(d->line[i], "Session #%d: %n", &s->num, &end) != 1 ||
	    end < 0 || sid_parse(d->line[i] + end, &s->sid) < 0 ||
	    i + 1 >= d->n)
		return -1;
	nh = split_cols(d->line[i + 1], h, MAXCOLS);
	if (nh < 4 || nh > 5 || strcmp(h[0], "Size") != 0 ||
	    strcmp(h[3], "Name") != 0)
		return -1;
	for (k = i + 2; k < d->n && d->line[k][0] != '\0'; k++)
		;
	if ((s->files = calloc(k - i - 1, sizeof(*s->files))) == NULL)
		return -1;
	for (k = i + 2; k < d->n && d->line[k][0] != '\0'; k++)
		if (file_parse(d->line[k], nh, &s->files[s->nfiles++]) < 0)
			return -1;
	return 0;
}

static void
sessions_free(struct tsd_sessions *ss)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		free(ss->s[i].files);
	free(ss->s);
	memset(ss, 0, sizeof(*ss));
}

/* Every "Session #n" table of d; 0, or -1 on the first malformed one. */
static int
sessions_parse(struct doc *d, struct tsd_sessions *ss)
{
	size_t i, n = 0;

	memset(ss, 0, sizeof(*ss));
	for (i = 0; i < d->n; i++)
		n += strncmp(d->line[i], "Session #", 9) == 0;
	if (n == 0 || (ss->s = calloc(n, sizeof(*ss->s))) == NULL)
		return n == 0 ? 0 : -1;
	for (i = 0; i < d->n; i++) {
		if (strncmp(d->line[i], "Session #", 9) != 0)
			continue;
		if (session_parse(d, i, &ss->s[ss->n++]) < 0)
			return -1;
	}
	return 0;
}

/* ---- Our side. ---- */

static const char *
url_base(const char *url)
{
	const char *s = strrchr(url, '/');

	return s != NULL ? s + 1 : url;
}

static void
ours_merge(struct ours *o)
{
	size_t i, j, k, cap = 0;

	for (i = 0; i < o->nlists; i++)
		cap += o->lists[i].nservices;
	if ((o->merged = calloc(cap + 1, sizeof(*o->merged))) == NULL)
		return;
	for (i = 0; i < o->nlists; i++) {
		for (j = 0; j < o->lists[i].nservices; j++) {
			const struct dvbi_service *s = &o->lists[i].services[j];
			struct merged *m = NULL;

			for (k = 0; s->id != NULL && k < o->nmerged; k++)
				if (strcmp(o->merged[k].id, s->id) == 0)
					m = &o->merged[k];
			if (s->id == NULL)
				continue;
			if (m == NULL)
				(m = &o->merged[o->nmerged++])->id = s->id;
			if (m->n == MAXLISTS)
				continue;	/* an id repeated within a list */
			m->s[m->n] = s;
			m->l[m->n++] = &o->lists[i];
		}
	}
}

/*
 * Parse bootstrap, NIF and SLEP, then the lists our SLEP names (by the
 * last segment of their URI, as they are saved beside it).  0 or -1.
 */
static int
ours_load(struct ours *o)
{
	char err[256], *b;
	size_t len = 0, i;

	memset(o, 0, sizeof(*o));
	o->boot_rc = o->nif_rc = o->slep_rc = -1;
	if ((b = ses_read("bootstrap.xml", &len)) != NULL)
		o->boot_rc = mgc_parse(b, len, &o->boot, err, sizeof(err));
	free(b);
	if ((b = ses_read("nif.xml", &len)) != NULL)
		o->nif_rc = nif_parse(b, len, &o->nif, err, sizeof(err));
	free(b);
	if ((b = ses_read("slep.xml", &len)) != NULL)
		o->slep_rc = slep_parse(b, len, &o->slep, err, sizeof(err));
	free(b);
	for (i = 0; o->slep_rc == 0 && i < o->slep.noffers &&
	    o->nlists < MAXLISTS; i++) {
		if (o->slep.offers[i].uri == NULL ||
		    (b = ses_read(url_base(o->slep.offers[i].uri), &len)) ==
		    NULL)
			continue;
		if (dvbi_parse(b, len, &o->lists[o->nlists], err,
		    sizeof(err)) == 0)
			o->nlists++;
		free(b);
	}
	ours_merge(o);
	return o->boot_rc == 0 && o->nif_rc == 0 && o->slep_rc == 0 &&
	    o->merged != NULL ? 0 : -1;
}

static void
ours_free(struct ours *o)
{
	size_t i;

	if (o->boot_rc == 0)
		mgc_free(&o->boot);
	if (o->nif_rc == 0)
		nif_free(&o->nif);
	if (o->slep_rc == 0)
		slep_free(&o->slep);
	for (i = 0; i < o->nlists; i++)
		dvbi_list_free(&o->lists[i]);
	free(o->merged);
}

static int
ep_is(const struct mgc_endpoint *e, const struct tsd_sid *s)
{
	return strcmp(e->group, s->group) == 0 && e->port == s->port &&
	    e->has_tsi && e->tsi == s->tsi && strcmp(e->source, s->src) == 0;
}

/* The transport session of m with endpoint s, or NULL. */
static const struct mgc_ts *
mgc_by_sid(const struct mgc *m, const struct tsd_sid *s)
{
	size_t i, j;

	for (i = 0; i < m->nts; i++)
		for (j = 0; j < m->ts[i].nendpoints; j++)
			if (ep_is(&m->ts[i].endpoints[j], s))
				return &m->ts[i];
	return NULL;
}

static int
ts_has_locator(const struct mgc_ts *t, const char *uri)
{
	size_t i;

	for (i = 0; i < t->nlocators; i++)
		if (strcmp(t->locators[i].uri, uri) == 0)
			return 1;
	return 0;
}

/* The transport session whose carousel lists uri, or NULL. */
static const struct mgc_ts *
mgc_by_locator(const struct mgc *m, const char *uri)
{
	size_t i;

	for (i = 0; i < m->nts; i++)
		if (ts_has_locator(&m->ts[i], uri))
			return &m->ts[i];
	return NULL;
}

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* CHECK a == b, printing both and the row when they differ. */
#define CHECK_FIELD(what, row, tsd, our) do {				\
	const char *t_ = (tsd), *o_ = (our);				\
	if (!streq(t_, o_))						\
		note("DIFF %s of %s: TSDuck \"%s\", ours \"%s\"",	\
		    (what), (row), t_ ? t_ : "-", o_ ? o_ : "-");	\
	CHECK(streq(t_, o_));						\
} while (0)

#endif
