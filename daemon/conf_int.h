/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conf_int.h: what the files of the configuration module share and
 * nobody else may use.  conf.c reads the file (libinih) and owns the
 * table of most keys; conf_http.c parses the [http] section;
 * conf_input.c the inputs below UDP and the tuners.  The value parsers
 * all take the value and fill why (n bytes) when they refuse it.
 */
#ifndef NIPCACHE_CONF_INT_H
#define NIPCACHE_CONF_INT_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

/* conf.c */
/* A string of 1 to dstlen - 1 bytes.  0 or -1. */
int	conf_parse_str(char *dst, size_t dstlen, const char *v,
	    char *why, size_t n);
/* A size (K, M, G, T binary) within [lo, hi].  0 or -1. */
int	conf_parse_size(uint64_t *dst, const char *v, uint64_t lo,
	    uint64_t hi, char *why, size_t n);
/* A duration ("250ms", "6s", "2m") in milliseconds within [lo, hi]. */
int	conf_parse_ms(uint64_t *dst, const char *v, uint64_t lo,
	    uint64_t hi, char *why, size_t n);
/* A number within [lo, hi].  0 or -1. */
int	conf_parse_u32(uint32_t *dst, const char *v, uint32_t lo,
	    uint32_t hi, char *why, size_t n);
/* yes/no, on/off, true/false, 1/0.  0 or -1. */
int	conf_parse_bool(int *dst, const char *v, char *why, size_t n);

/* conf_http.c */
/* Parser state across the [http] lines of one file. */
struct conf_http_st {
	int	listen_given;	/* a listen line dropped the default */
};

/* The [http] defaults into c. */
void	conf_http_defaults(struct conf *c);
/*
 * One [http] key.  1 if name is not an [http] key; else 0, or -1 with
 * why.
 */
int	conf_http_key(struct conf *c, struct conf_http_st *st,
	    const char *name, const char *value, char *why, size_t n);

#endif
