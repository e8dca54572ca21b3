/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fdt_int.h: private to fdt.c (the guarded libxml2 parse) and fdt_attr.c
 * (reading the elements it harvests).  Nothing outside carousel/fdt*.c
 * may include it.
 */
#ifndef NIPCACHE_FDT_INT_H
#define NIPCACHE_FDT_INT_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "fdt.h"

/* Internal: a value is malformed (the caller decides what that means). */
#define FDT_BAD		(-100)

/* Instance-level defaults, merged into every File. */
struct fdt_dflt {
	char		*ctype;
	char		*cenc;
	struct fdt_oti	oti;
};

/* fdt.c */

/* 1 for the XML white space characters. */
int	fdt_is_space(char c);
/* name equals want after any "prefix:" (undeclared prefixes stay in it). */
int	fdt_name_eq(const xmlChar *name, const char *want);
/* 1 if n is an element with this local name. */
int	fdt_is_elem(xmlNodePtr n, const char *name);

/* fdt_attr.c */

/* Free a File's strings and zero it. */
void	fdt_file_clear(struct fdt_file *file);
/* One File element; 0, FDT_BAD (skip it) or FDT_ENOMEM. */
int	fdt_file_parse(xmlNodePtr node, const struct fdt_dflt *d,
	    struct fdt_file *file, size_t *bad);
/* FDT-Instance attributes: Expires, flags, defaults; 0 or FDT_E*. */
int	fdt_instance(xmlNodePtr root, struct fdt *f, struct fdt_dflt *d);

#endif
