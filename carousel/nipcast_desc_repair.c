/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipcast_desc_repair.c: the unicast repair keys of a --nip description
 * (repair_base, repair_object_base, reception_timeout, fixed_backoff and
 * random_backoff, allowed in [network] and in [service NAME]) and how a
 * service inherits from [network] the ones it does not give.
 * nipcast_desc.c hands each key and each finished service to this file
 * and names the file and line in errors; nipcast_sig.c writes the result
 * as UnicastRepairParameters.  Pure like nipcast_desc.c: no I/O, no
 * globals, no logging.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../daemon/util.h"
#include "nipcast.h"

#define WEIGHT_MAX	1000000		/* as [repair] base_url in nipcached */
#define RP_MS_MAX	600000		/* back-offs and timeout: 10 minutes */

/* An http:// or https:// URL with a host, text without blanks. */
static int
http_url_ok(const char *s)
{
	size_t skip = strncasecmp(s, "http://", 7) == 0 ? 7 :
	    strncasecmp(s, "https://", 8) == 0 ? 8 : 0;

	return skip != 0 && s[skip] != '\0' && s[skip] != '/' &&
	    nc_desc_text_ok(s) && strpbrk(s, " \t") == NULL;
}

/* repair_base = URL [WEIGHT]: repeatable, up to NC_REPAIR_MAX_BASE. */
static const char *
rp_base(struct nc_repair *r, const char *v)
{
	size_t l = strcspn(v, " \t");
	const char *w = v + l + strspn(v + l, " \t");
	uint64_t weight = 1;
	char *url;

	if (r->nbase == NC_REPAIR_MAX_BASE)
		return "at most 8 repair_base lines in a section";
	if (*w != '\0' && nc_parse_u64(w, 0, WEIGHT_MAX, &weight) < 0)
		return "expected URL [WEIGHT], WEIGHT from 0 to 1000000";
	if ((url = strndup(v, l)) == NULL)
		return "out of memory";
	if (!http_url_ok(url)) {
		free(url);
		return "expected an http:// or https:// URL with a host";
	}
	r->base[r->nbase] = url;
	r->weight[r->nbase++] = (uint32_t)weight;
	return NULL;
}

static const char *
rp_object_base(struct nc_repair *r, const char *v)
{
	if (!nc_desc_uri_ok(v))
		return "expected a URI (scheme:..., no blanks)";
	if ((r->object_base = strdup(v)) == NULL)
		return "out of memory";
	return NULL;
}

/* A duration (util_parse_duration_ms: "250ms", "2s"; bare: seconds). */
static const char *
rp_ms(const char *v, uint64_t lo, uint32_t *out)
{
	uint64_t ms;

	if (util_parse_duration_ms(v, &ms) < 0 || ms < lo || ms > RP_MS_MAX)
		return lo > 0 ? "expected a duration from 1ms to 10m "
		    "(250ms, 2s; a bare number is seconds)" :
		    "expected a duration from 0 to 10m "
		    "(250ms, 2s; a bare number is seconds)";
	*out = (uint32_t)ms;
	return NULL;
}

static const char *
rp_timeout(struct nc_repair *r, const char *v)
{
	return rp_ms(v, 1, &r->timeout_ms);
}

static const char *
rp_fixed(struct nc_repair *r, const char *v)
{
	return rp_ms(v, 0, &r->fixed_ms);
}

static const char *
rp_random(struct nc_repair *r, const char *v)
{
	return rp_ms(v, 0, &r->random_ms);
}

static const struct {
	const char	*name;
	uint32_t	bit;		/* NC_RP_* */
	const char	*(*fn)(struct nc_repair *r, const char *v);
} rp_keys[] = {
	{ "repair_base", NC_RP_BASE, rp_base },
	{ "repair_object_base", NC_RP_OBJECT_BASE, rp_object_base },
	{ "reception_timeout", NC_RP_TIMEOUT, rp_timeout },
	{ "fixed_backoff", NC_RP_FIXED, rp_fixed },
	{ "random_backoff", NC_RP_RANDOM, rp_random },
};

int
nc_desc_repair_key(struct nc_repair *r, const char *name, const char *v,
    const char **why)
{
	size_t i, n = sizeof(rp_keys) / sizeof(rp_keys[0]);

	for (i = 0; i < n; i++)
		if (strcmp(rp_keys[i].name, name) == 0)
			break;
	if (i == n)
		return 0;
	/*
	 * The bit is set before the value is checked, so that a key refused
	 * once and given again is "given twice" and allocates nothing more.
	 * Only repair_base may repeat.
	 */
	if ((r->given & rp_keys[i].bit) && rp_keys[i].bit != NC_RP_BASE) {
		*why = "given twice";
		return 1;
	}
	r->given |= rp_keys[i].bit;
	*why = rp_keys[i].fn(r, v);
	return 1;
}

const char *
nc_desc_repair_inherit(struct nc_repair *r, const struct nc_repair *net)
{
	for (; !(r->given & NC_RP_BASE) && r->nbase < net->nbase; r->nbase++) {
		if ((r->base[r->nbase] = strdup(net->base[r->nbase])) == NULL)
			return "out of memory";
		r->weight[r->nbase] = net->weight[r->nbase];
	}
	if (!(r->given & NC_RP_OBJECT_BASE) && net->object_base != NULL &&
	    (r->object_base = strdup(net->object_base)) == NULL)
		return "out of memory";
	if (!(r->given & NC_RP_TIMEOUT))
		r->timeout_ms = net->timeout_ms;
	if (!(r->given & NC_RP_FIXED))
		r->fixed_ms = net->fixed_ms;
	if (!(r->given & NC_RP_RANDOM))
		r->random_ms = net->random_ms;
	if (r->nbase > 0 && r->timeout_ms == 0)
		r->timeout_ms = NC_RP_TIMEOUT_DEFAULT;
	/* Timing keys in a service with no base would be silently lost. */
	if (r->nbase == 0 && (r->given & ~(uint32_t)NC_RP_BASE) != 0)
		return "repair keys need a repair_base (here or in [network])";
	return NULL;
}

void
nc_desc_repair_free(struct nc_repair *r)
{
	size_t i;

	for (i = 0; i < r->nbase; i++)
		free(r->base[i]);
	free(r->object_base);
}
