/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fdt.c: FLUTE FDT instance parser (RFC 3926 / RFC 6726 with the 3GPP and
 * DVB extensions of protocols.md section 3).
 *
 * The XML comes from the network, so the parse runs in guarded steps.
 * A gate admits UTF-8 only, and a byte pre-scan refuses start tags with
 * more than FDT_MAX_ATTRS attributes (libxml2 2.9 is quadratic in them).
 * libxml2's push parser then builds a tree with SAX hooks that stop it at
 * the first DOCTYPE (before any entity is declared, so entity expansion
 * and external entities never happen) and at the depth, element,
 * namespace and File limits.  After every chunk the finished File
 * elements are read by local names and their subtrees freed, so memory
 * stays near the size of the result, not 30 times the input as a whole
 * tree would.  Attribute values are read from their text nodes only, so
 * an entity reference could never be expanded even if one got in.
 *
 * fdt_attr.c reads the harvested elements (attribute values, File and
 * FDT-Instance) into the result; fdt_int.h is what the two files share.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "fdt.h"
#include "fdt_int.h"

/* Elements in the whole document: a File needs a handful at most. */
#define FDT_MAX_ELEMS	((size_t)FDT_MAX_FILES * 8)

/* Bytes fed to libxml2 at a time; finished Files are freed in between. */
#define FDT_CHUNK	(64u << 10)

/*
 * No XML_PARSE_NOENT, DTDLOAD, DTDATTR, XINCLUDE or HUGE, on purpose.
 * IGNORE_ENC: the input is always parsed as UTF-8 (see fdt_gate).
 * NOCDATA: CDATA sections become ordinary text.
 */
#define FDT_XML_OPTIONS	(XML_PARSE_NONET | XML_PARSE_NOBLANKS | \
			 XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
			 XML_PARSE_IGNORE_ENC | XML_PARSE_NOCDATA)

/* State of one parse, reached from the SAX hooks through ctxt->_private. */
struct fdt_sax {
	int			depth;
	int			nns[FDT_MAX_DEPTH + 1]; /* declared per level */
	int			nscope;	/* sum of nns */
	size_t			nelem;
	size_t			nsub;	/* below the current root child */
	size_t			nfile;
	int			err;	/* FDT_E* of a hook that stopped it */
	startElementNsSAX2Func	start;	/* the tree builder's own hooks */
	endElementNsSAX2Func	end;
};

/* The result being built. */
struct fdt_run {
	struct fdt	*f;
	size_t		cap;		/* f->files allocated */
	size_t		skipped;
	int		have_root;	/* instance attributes read */
	struct fdt_dflt	d;
};

static pthread_once_t fdt_once = PTHREAD_ONCE_INIT;

static void
fdt_lib_init(void)
{
	xmlInitParser();
}

/* Pre-scan. */

int
fdt_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Only UTF-8 (or plain ASCII) reaches libxml2, and its encoding
 * declaration is ignored: then the pre-scan sees exactly the characters
 * libxml2 parses, which a declared ISO-2022-JP or an autodetected UTF-16
 * or EBCDIC would break.  Every FDT seen in the wild is UTF-8.  Trailing
 * NULs (a C string terminator counted in the transfer length) are
 * dropped; any other NUL would end libxml2's input early and hide what
 * follows, so it is refused.
 */
static int
fdt_gate(const char *xml, size_t *len)
{
	size_t i = 0;

	while (*len > 0 && xml[*len - 1] == '\0')
		(*len)--;
	if (*len >= 3 && memcmp(xml, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < *len && fdt_is_space(xml[i]))
		i++;
	if (i >= *len || xml[i] != '<' || memchr(xml, '\0', *len) != NULL)
		return FDT_EXML;
	return 0;
}

static const char *
fdt_skip_past(const char *p, const char *end, const char *term)
{
	size_t n = strlen(term);
	const char *q = memmem(p, (size_t)(end - p), term, n);

	return q == NULL ? end : q + n;
}

/* Count '=' outside quotes up to the '>' that ends the tag at p. */
static const char *
fdt_scan_tag(const char *p, const char *end, size_t *nattr)
{
	char quote = 0;

	for (p++; p < end; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '=') {
			(*nattr)++;
		} else if (*p == '>') {
			return p + 1;
		}
	}
	return end;
}

/*
 * A lexical pass over the raw bytes: comments, CDATA sections and
 * processing instructions are skipped whole, every other markup counts
 * its '=' signs.  It only has to be right for well-formed input in an
 * ASCII-compatible encoding; anything else fails in libxml2 anyway.
 */
static int
fdt_prescan(const char *p, size_t len)
{
	const char *end = p + len;
	size_t nattr;

	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		size_t left = (size_t)(end - p);

		nattr = 0;
		if (left >= 4 && memcmp(p, "<!--", 4) == 0)
			p = fdt_skip_past(p + 4, end, "-->");
		else if (left >= 9 && memcmp(p, "<![CDATA[", 9) == 0)
			p = fdt_skip_past(p + 9, end, "]]>");
		else if (left >= 2 && p[1] == '?')
			p = fdt_skip_past(p + 2, end, "?>");
		else
			p = fdt_scan_tag(p, end, &nattr);
		if (nattr > FDT_MAX_ATTRS)
			return FDT_ELIMIT;
	}
	return 0;
}

/* Names. */

/*
 * libxml2 keeps an undeclared prefix inside the name ("ns2:File"); such
 * documents are only namespace-broken, so compare after the last ':'.
 */
int
fdt_name_eq(const xmlChar *name, const char *want)
{
	const char *n = (const char *)name, *colon;

	if (n == NULL)
		return 0;
	if ((colon = strrchr(n, ':')) != NULL)
		n = colon + 1;
	return strcmp(n, want) == 0;
}

int
fdt_is_elem(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && fdt_name_eq(n->name, name);
}

/* libxml2 with hooks. */

static void
fdt_sax_stop(xmlParserCtxtPtr ctxt, int err)
{
	struct fdt_sax *st = ctxt->_private;

	if (st->err == 0)
		st->err = err;
	xmlStopParser(ctxt);
}

static void
fdt_sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nb_ns, const xmlChar **ns, int nb_attr,
    int nb_def, const xmlChar **attrs)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct fdt_sax *st = ctxt->_private;

	st->depth++;
	st->nelem++;
	if (st->depth == 2)
		st->nsub = 0;
	else if (st->depth > 2)
		st->nsub++;
	if (st->depth == 2 && fdt_name_eq(localname, "File"))
		st->nfile++;
	if (st->depth > FDT_MAX_DEPTH || st->nelem > FDT_MAX_ELEMS ||
	    st->nsub > FDT_MAX_SUBTREE || st->nfile > FDT_MAX_FILES ||
	    st->nscope + nb_ns > FDT_MAX_NS) {
		fdt_sax_stop(ctxt, FDT_ELIMIT);
		return;
	}
	st->nns[st->depth] = nb_ns;
	st->nscope += nb_ns;
	st->start(ctx, localname, prefix, uri, nb_ns, ns, nb_attr, nb_def,
	    attrs);
}

static void
fdt_sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct fdt_sax *st = ctxt->_private;

	st->nscope -= st->nns[st->depth];
	st->depth--;
	st->end(ctx, localname, prefix, uri);
}

/*
 * Called when "<!DOCTYPE name ..." has been read and before its internal
 * subset: no FDT has a DTD, and refusing here means no entity is ever
 * declared, so neither billion laughs nor external entities can work.
 */
static void
fdt_sax_dtd(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	(void)name;
	(void)eid;
	(void)sid;
	fdt_sax_stop(ctx, FDT_EXML);
}

/* Errors are reported as FDT_E* codes; libxml2 must not print them. */
static void
fdt_sax_error(void *ctx, xmlErrorPtr error)
{
	(void)ctx;
	(void)error;
}

/* A push parser with the hooks installed, or NULL (ENOMEM). */
static xmlParserCtxtPtr
fdt_ctxt_new(struct fdt_sax *st)
{
	xmlParserCtxtPtr ctxt;

	memset(st, 0, sizeof(*st));
	if ((ctxt = xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, NULL)) == NULL)
		return NULL;
	xmlCtxtUseOptions(ctxt, FDT_XML_OPTIONS);
	/* Do not trust process-wide defaults another module may have set. */
	ctxt->replaceEntities = 0;
	ctxt->loadsubset = 0;
	ctxt->validate = 0;
	ctxt->_private = st;
	st->start = ctxt->sax->startElementNs;
	st->end = ctxt->sax->endElementNs;
	if (st->start == NULL || st->end == NULL) {
		xmlFreeParserCtxt(ctxt);
		return NULL;
	}
	ctxt->sax->startElementNs = fdt_sax_start;
	ctxt->sax->endElementNs = fdt_sax_end;
	ctxt->sax->internalSubset = fdt_sax_dtd;
	ctxt->sax->serror = fdt_sax_error;
	/*
	 * No comment or PI nodes: then text nodes only sit between
	 * elements, and the element limits bound every node in the tree.
	 */
	ctxt->sax->comment = NULL;
	ctxt->sax->processingInstruction = NULL;
	return ctxt;
}

static int
fdt_status(xmlParserCtxtPtr ctxt, const struct fdt_sax *st)
{
	xmlDocPtr doc = ctxt->myDoc;

	if (st->err != 0)
		return st->err;
	if (ctxt->errNo == XML_ERR_NO_MEMORY)
		return FDT_ENOMEM;
	if (!ctxt->wellFormed || (doc != NULL &&
	    (doc->intSubset != NULL || doc->extSubset != NULL)))
		return FDT_EXML;
	return 0;
}

static int
fdt_add_file(struct fdt_run *run, xmlNodePtr node)
{
	struct fdt *f = run->f;
	struct fdt_file *nf;
	size_t cap;
	int rc;

	if (f->nfiles + run->skipped >= FDT_MAX_FILES)
		return FDT_ELIMIT;
	if (f->nfiles == run->cap) {
		cap = run->cap ? run->cap * 2 : 16;
		if (cap > FDT_MAX_FILES)
			cap = FDT_MAX_FILES;
		if ((nf = realloc(f->files, cap * sizeof(*nf))) == NULL)
			return FDT_ENOMEM;
		f->files = nf;
		run->cap = cap;
	}
	rc = fdt_file_parse(node, &run->d, &f->files[f->nfiles],
	    &f->bad_digests);
	if (rc == 0)
		f->nfiles++;
	else if (rc == FDT_BAD)
		run->skipped++;
	return rc == FDT_BAD ? 0 : rc;
}

/*
 * After each chunk: check the parser, read the instance attributes once
 * the root has started, and turn every finished child of the root into
 * a struct fdt_file and free its subtree, so that the tree never holds
 * much more than a chunk.  The last child may still be growing, so it
 * waits unless this is the final step.
 */
static int
fdt_step(xmlParserCtxtPtr ctxt, const struct fdt_sax *st,
    struct fdt_run *run, int final)
{
	xmlNodePtr root = NULL, c;
	int rc;

	if ((rc = fdt_status(ctxt, st)) < 0)
		return rc;
	if (ctxt->myDoc != NULL)
		root = xmlDocGetRootElement(ctxt->myDoc);
	if (root == NULL)
		return final ? FDT_EXML : 0;
	if (!run->have_root) {
		if (!fdt_name_eq(root->name, "FDT-Instance"))
			return FDT_EROOT;
		if ((rc = fdt_instance(root, run->f, &run->d)) < 0)
			return rc;
		run->have_root = 1;
	}
	while ((c = root->children) != NULL && (final || c != root->last)) {
		rc = fdt_is_elem(c, "File") ? fdt_add_file(run, c) : 0;
		xmlUnlinkNode(c);
		xmlFreeNode(c);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Feed the document to libxml2 in chunks, harvesting Files as they end. */
static int
fdt_run(const char *xml, size_t len, struct fdt_run *run)
{
	xmlParserCtxtPtr ctxt;
	struct fdt_sax st;
	size_t off, n;
	int rc = 0;

	if ((ctxt = fdt_ctxt_new(&st)) == NULL)
		return FDT_ENOMEM;
	for (off = 0; off < len && rc == 0; off += n) {
		n = len - off < FDT_CHUNK ? len - off : FDT_CHUNK;
		xmlParseChunk(ctxt, xml + off, (int)n, 0);
		rc = fdt_step(ctxt, &st, run, 0);
	}
	if (rc == 0) {
		xmlParseChunk(ctxt, NULL, 0, 1);
		rc = fdt_step(ctxt, &st, run, 1);
	}
	xmlFreeDoc(ctxt->myDoc);
	ctxt->myDoc = NULL;
	xmlFreeParserCtxt(ctxt);
	return rc;
}

int
fdt_parse(const char *xml, size_t len, struct fdt **out, size_t *skipped)
{
	struct fdt_run run;
	int rc;

	*out = NULL;
	if (skipped != NULL)
		*skipped = 0;
	if (xml == NULL || len == 0)
		return FDT_EXML;
	if (len > FDT_MAX_XML)
		return FDT_ELIMIT;
	if ((rc = fdt_gate(xml, &len)) < 0 ||
	    (rc = fdt_prescan(xml, len)) < 0)
		return rc;
	pthread_once(&fdt_once, fdt_lib_init);
	memset(&run, 0, sizeof(run));
	if ((run.f = calloc(1, sizeof(*run.f))) == NULL)
		return FDT_ENOMEM;
	rc = fdt_run(xml, len, &run);
	free(run.d.ctype);
	free(run.d.cenc);
	if (rc < 0) {
		fdt_free(run.f);
		return rc;
	}
	*out = run.f;
	if (skipped != NULL)
		*skipped = run.skipped;
	return 0;
}

void
fdt_free(struct fdt *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nfiles; i++)
		fdt_file_clear(&f->files[i]);
	free(f->files);
	free(f);
}

/* Indexed by -FDT_E*. */
static const char *const fdt_errnames[] = {
	"ok", "not-xml", "wrong-root", "bad-attribute", "over-limit",
	"no-memory",
};

const char *
fdt_strerror(int err)
{
	if (err > 0 || err < FDT_ENOMEM)
		return "unknown";
	return fdt_errnames[-err];
}
