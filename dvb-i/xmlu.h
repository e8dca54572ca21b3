/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xmlu.h: the safe way into libxml2 for every signalling parser, and the
 * few helpers they share.  Real DVB-NIP and DVB-I documents come with
 * many namespace years and prefixes (ns2:, ext:), so elements and
 * attributes are matched by local name, and a namespace only by its
 * prefix ("urn:dvb:metadata:servicediscovery:" matches every year).
 *
 * xmlu_parse refuses what a broadcast signalling document never needs
 * and an attacker does: any DOCTYPE (so no entity expansion and no
 * external entity), network access, documents over XMLU_MAX_BYTES, nesting
 * deeper than XMLU_MAX_DEPTH and more than XMLU_MAX_NODES elements.
 * Everything here is pure: no I/O, no globals; errors come back as text.
 */
#ifndef NIPCACHE_XMLU_H
#define NIPCACHE_XMLU_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#define XMLU_MAX_BYTES	(8u << 20)	/* largest document parsed */
#define XMLU_MAX_DEPTH	64		/* deepest element nesting */
#define XMLU_MAX_NODES	200000		/* most elements in a document */

/*
 * Parse len bytes.  Returns the document (free with xmlFreeDoc), or NULL
 * with "what: reason (line N)" in err.
 */
xmlDocPtr xmlu_parse(const void *buf, size_t len, const char *what,
	    char *err, size_t errlen);

/* 1 if n is an element with this local name (any namespace). */
int	xmlu_is(const xmlNode *n, const char *local);
/* 1 if n's namespace URI starts with prefix (NULL prefix: any). */
int	xmlu_ns_has_prefix(const xmlNode *n, const char *prefix);
/* First element child of n with this local name (NULL local: any). */
xmlNodePtr xmlu_child(const xmlNode *n, const char *local);
/* The next element sibling after n with this local name (NULL: any). */
xmlNodePtr xmlu_next(const xmlNode *n, const char *local);
/* Iterate the element children of parent named local (NULL: all). */
#define XMLU_FOREACH(c, parent, local)					\
	for ((c) = xmlu_child((parent), (local)); (c) != NULL;		\
	    (c) = xmlu_next((c), (local)))

/*
 * Attribute by local name, in any namespace or none (so both
 * "schemaVersion" and "ext:schemaVersion" are found); the value is
 * borrowed from the tree, NULL if absent.  Values of attributes that
 * hold entity references are not supported (never seen in signalling).
 */
const char *xmlu_attr(const xmlNode *n, const char *local);
/*
 * The text content of n (all text children concatenated, entity-free),
 * leading and trailing white space trimmed, into buf.  Returns the length,
 * or -1 if absent (n NULL) or longer than len - 1 (buf then holds "").
 */
int	xmlu_text(const xmlNode *n, char *buf, size_t len);
/* The same, of the first child named local; -1 if there is none. */
int	xmlu_child_text(const xmlNode *n, const char *local, char *buf,
	    size_t len);
/* Text as a malloc'd trimmed string, NULL if absent or out of memory. */
char	*xmlu_text_dup(const xmlNode *n);

/* Unsigned decimal (surrounding blanks allowed) up to max: 0 or -1. */
int	xmlu_u64(const char *s, uint64_t max, uint64_t *out);
/* xs:boolean ("true", "1", "false", "0"); dflt when s is NULL; -1 bad. */
int	xmlu_bool(const char *s, int dflt);

/*
 * ISO 8601 duration "PnYnMnDTnHnMn.nS" (years as 365 days, months as
 * 30) to milliseconds; a leading '-' is refused.  0 or -1.
 */
int	xmlu_duration_ms(const char *s, uint64_t *ms);
/*
 * A time point to Unix milliseconds: xs:dateTime
 * ("2025-01-10T11:36:58Z", "...+01:00", fractions) or an MPEG-7 TimePoint
 * ("2099-06-26T07:01:50:000F1000": hh:mm:ss:nnnFNNN, nnn/NNN of a
 * second; "+01:00" or "Z" may follow).  No zone means UTC.  0 or -1.
 */
int	xmlu_timepoint_ms(const char *s, int64_t *ms);

#endif
