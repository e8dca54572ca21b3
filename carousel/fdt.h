/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fdt.h: FLUTE File Delivery Table instance parser (libxml2).  Pure: the
 * XML text in, a struct out, no I/O.  Elements and attributes are matched
 * on local names, so every namespace of protocols.md section 3.1 works.
 *
 * Thread safety: fdt_parse may run in several threads at once.  It calls
 * xmlInitParser() once through pthread_once; a program that also uses
 * libxml2 elsewhere should call xmlInitParser() from main() before
 * starting threads, and must never call xmlCleanupParser() while threads
 * run.
 */
#ifndef NIPCACHE_FDT_H
#define NIPCACHE_FDT_H

#include <stddef.h>
#include <stdint.h>

#include "alc.h"

/* Limits applied to hostile input. */
#define FDT_MAX_XML	(4u << 20)	/* bytes of XML accepted */
#define FDT_MAX_FILES	65536		/* File elements per instance */
#define FDT_MAX_DEPTH	16		/* element nesting */
#define FDT_MAX_URI	4096		/* bytes in a Content-Location */
#define FDT_MAX_TOKEN	256		/* bytes in Content-Type/-Encoding */
/*
 * Attributes (namespace declarations included) per start tag.  libxml2
 * 2.9 checks duplicates in quadratic time: one tag with 400,000
 * attributes costs minutes of CPU, so such tags are refused before
 * libxml2 sees them.
 */
#define FDT_MAX_ATTRS	64
/*
 * Namespace declarations in scope at once: libxml2 resolves a prefixed
 * name by walking all of them, so FDT_MAX_DEPTH levels of FDT_MAX_ATTRS
 * declarations would make a 4 MB document cost seconds.
 */
#define FDT_MAX_NS	128
/*
 * Elements below one child of FDT-Instance (a File, its Cache-Control
 * and other extensions).  Finished Files are freed while parsing, so this
 * bounds the tree held in memory.
 */
#define FDT_MAX_SUBTREE	256

/*
 * FEC OTI attributes, the File's value merged over the FDT-Instance
 * default; -1 (or ssi_len 0) when neither gives it.
 */
struct fdt_oti {
	int32_t		fei;		/* FEC-OTI-FEC-Encoding-ID */
	int32_t		instance_id;	/* FEC-OTI-FEC-Instance-ID */
	int64_t		max_sbl;	/* FEC-OTI-Maximum-Source-Block-Length */
	int64_t		symbol_len;	/* FEC-OTI-Encoding-Symbol-Length */
	int64_t		max_n;		/* FEC-OTI-Max-Number-of-Encoding-Symbols */
	uint8_t		ssi_len;	/* decoded FEC-OTI-Scheme-Specific-Info */
	uint8_t		ssi[8];
};

struct fdt_file {
	struct alc_id	toi;
	char		*location;	/* Content-Location, trimmed */
	int64_t		content_length;	/* -1 if absent */
	int64_t		transfer_length;/* -1 if absent */
	char		*content_type;	/* NULL if absent (instance default applied) */
	char		*content_encoding; /* NULL if absent (default applied) */
	uint8_t		has_md5;
	uint8_t		md5[16];	/* Content-MD5, decoded */
	uint8_t		has_sha256;
	uint8_t		sha256[32];	/* Content-Digest sha-256=:b64: (DVB) */
	struct fdt_oti	oti;		/* File overrides merged over defaults */
	int64_t		cache_expires;	/* mbms2007 Cache-Control Expires, -1 */
	uint8_t		no_cache;	/* mbms2007 Cache-Control no-cache */
	uint8_t		max_stale;	/* mbms2007 Cache-Control max-stale */
};

struct fdt {
	uint32_t	expires;	/* Expires, NTP seconds (required) */
	uint8_t		complete;	/* Complete="true" */
	uint8_t		full_fdt;	/* mbms2008 FullFDT="true" */
	size_t		nfiles;
	struct fdt_file	*files;		/* document order, duplicates kept */
	size_t		bad_digests;	/* malformed MD5/sha-256 ignored */
};

#define FDT_EXML	(-1)	/* not well-formed XML */
#define FDT_EROOT	(-2)	/* root is not FDT-Instance */
#define FDT_EATTR	(-3)	/* required attribute missing or malformed */
#define FDT_ELIMIT	(-4)	/* exceeds a FDT_MAX_* limit */
#define FDT_ENOMEM	(-5)

/*
 * Parse one FDT instance (already decompressed).  The text must be UTF-8:
 * an encoding declaration is ignored, UTF-16 is refused, trailing NULs
 * are tolerated and other NULs refused.  DTDs, external entities and
 * network access are refused: any DOCTYPE makes the document FDT_EXML.
 * Instance-level defaults (Content-Type, Content-Encoding, FEC-OTI-*) are
 * merged into each file.  A malformed instance attribute (Expires, or a
 * default that would apply to every file) is FDT_EATTR.
 *
 * A File element is skipped and counted in *skipped (may be NULL) when its
 * TOI is not a positive integer below 2^112, its Content-Location is
 * missing, empty, longer than FDT_MAX_URI or holds control characters, or
 * one of Content-Length, Transfer-Length, Content-Type, Content-Encoding
 * or a FEC-OTI-* override is malformed.  A malformed Content-MD5 or
 * sha-256 Content-Digest keeps the file: the digest is treated as absent
 * and counted in bad_digests, since the object can still be received and
 * the length checks still apply.  Numbers are decimal with an optional
 * '+'; values may carry surrounding whitespace.
 *
 * Returns 0 and a new *out that the caller frees with fdt_free(), or a
 * negative FDT_E* code (then *out is NULL).
 */
int	fdt_parse(const char *xml, size_t len, struct fdt **out, size_t *skipped);
void	fdt_free(struct fdt *f);
/* Short stable name for an FDT_E* code. */
const char *fdt_strerror(int err);

#endif
