/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tuner_int.h: private to tuner_conf.c and tuner_plan.c, which share the
 * name tables (modulation, code rate, roll-off, delivery system) and the
 * value ranges.  Not for other modules.
 */
#ifndef NIPCACHE_TUNER_INT_H
#define NIPCACHE_TUNER_INT_H

#include <stddef.h>

#define TUNER_FREQ_MIN_KHZ	500000u
#define TUNER_FREQ_MAX_KHZ	100000000u
#define TUNER_SR_MIN		100000u
#define TUNER_SR_MAX		100000000u
#define TUNER_TOKEN_MAX		32

enum tuner_names {
	TUNER_NAMES_DELSYS,
	TUNER_NAMES_MOD,
	TUNER_NAMES_FEC,
	TUNER_NAMES_ROLLOFF
};

/* s without surrounding white space into buf; -1 if it does not fit. */
int	tuner_trim(const char *s, char *buf, size_t n);
/* Equal without case and without '-', '_', ' ' and '/'. */
int	tuner_name_eq(const char *a, const char *b);
/* The canonical spelling of s in table k into out ("" for auto); 0/-1. */
int	tuner_name_canon(enum tuner_names k, const char *s, char *out,
	    size_t n);

#endif
