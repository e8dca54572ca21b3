/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ts_int.c: the IP/MAC Notification Table (ETSI EN 301 192 §8) for the TS
 * demux.  A PMT ES with data_broadcast_id 0x000B carries INT sections; each
 * pairs a target descriptor loop (who the streams are for) with an
 * operational loop (where they are).  For the pairs that target IP, the
 * IP/MAC_stream_location_descriptor names a service and a component_tag;
 * the ES of that service's PMT whose stream_identifier_descriptor has that
 * tag is then followed as MPE, exactly like an MPE PID a PMT names.
 *
 * The section is parsed into a small struct first (a pure function) and
 * applied only if the whole of it parsed.  The locations and the component
 * tags live in fixed tables in the demux, so a hostile INT can use a
 * bounded amount of memory; what does not fit is counted (DECAP_INT_LIMIT).
 * The network, original_network and transport_stream ids of a location
 * are not compared with the stream's: a demux has only the one multiplex
 * it is fed, and a remultiplexed stream often keeps stale ids.
 */
#include <string.h>

#include "ts_demux_int.h"

#define INT_ACTION_LOCATION	0x01	/* location of IP/MAC streams */
#define DESC_STREAM_LOCATION	0x13	/* IP/MAC_stream_location */
#define STREAM_LOCATION_LEN	9
#define INT_HDR			12	/* up to processing_order */
#define PID_FIRST_DATA		0x0020

/* A descriptor loop: where its descriptors are and how many bytes. */
struct int_loop {
	const uint8_t	*p;
	size_t		 n;
};

/* ---- Parsing (pure). ---- */

/* Whether the descriptors of a loop fill it exactly. */
static int
int_loop_check(const struct int_loop *l)
{
	size_t off = 0;

	while (off < l->n) {
		if (l->n - off < 2 || l->p[off + 1] > l->n - off - 2)
			return -1;
		off += 2 + (size_t)l->p[off + 1];
	}
	return 0;
}

/*
 * The descriptor loop at *off (a 12-bit length after 4 reserved bits),
 * which must end by end; *off moves past it.
 */
static int
int_loop_take(const uint8_t *s, size_t end, size_t *off, struct int_loop *l)
{
	size_t n;

	if (end - *off < 2)
		return -1;
	n = (size_t)(s[*off] & 0x0f) << 8 | s[*off + 1];
	if (n > end - *off - 2)
		return -1;
	l->p = s + *off + 2;
	l->n = n;
	*off += 2 + n;
	return int_loop_check(l);
}

static int
int_tag_is_ip(uint8_t tag)
{
	switch (tag) {
	case 0x09:	/* target_IP_address */
	case 0x0a:	/* target_IPv6_address */
	case 0x0f:	/* target_IP_slash */
	case 0x10:	/* target_IP_source_slash */
	case 0x11:	/* target_IPv6_slash */
	case 0x12:	/* target_IPv6_source_slash */
		return 1;
	default:
		return 0;
	}
}

/*
 * Whether a target loop (already checked) addresses IP receivers.  An
 * empty loop addresses every receiver of the platform.
 */
static int
int_targets_ip(const struct int_loop *l)
{
	size_t off;

	if (l->n == 0)
		return 1;
	for (off = 0; off < l->n; off += 2 + (size_t)l->p[off + 1])
		if (int_tag_is_ip(l->p[off]))
			return 1;
	return 0;
}

static void
int_loc_add(struct ts_int_info *ii, uint16_t service, uint8_t tag)
{
	size_t i;

	for (i = 0; i < ii->n; i++)
		if (ii->loc[i].service == service && ii->loc[i].tag == tag)
			return;
	if (ii->n == TS_INT_LOCS) {
		ii->dropped++;
		return;
	}
	ii->loc[ii->n].service = service;
	ii->loc[ii->n].tag = tag;
	ii->n++;
}

/*
 * The stream locations of an operational loop (already checked).  -1 if
 * a location descriptor is too short to hold its fields.
 */
static int
int_operational(const struct int_loop *l, struct ts_int_info *ii)
{
	const uint8_t *d;
	size_t off;

	for (off = 0; off < l->n; off += 2 + (size_t)l->p[off + 1]) {
		d = l->p + off;
		if (d[0] != DESC_STREAM_LOCATION)
			continue;
		if (d[1] < STREAM_LOCATION_LEN)
			return -1;
		/* network_id, original_network_id, transport_stream_id. */
		int_loc_add(ii, (uint16_t)(d[8] << 8 | d[9]), d[10]);
	}
	return 0;
}

int
ts_int_parse(const uint8_t *s, size_t len, struct ts_int_info *ii)
{
	struct int_loop tl, ol;
	size_t off = INT_HDR, end;

	memset(ii, 0, sizeof(*ii));
	if (len < INT_HDR + 2 + 4 || s[0] != TS_TABLE_INT || s[6] > s[7])
		return -1;
	end = len - 4;
	ii->action = s[3];
	ii->ext = (uint16_t)(s[3] << 8 | s[4]);
	ii->version = (s[5] >> 1) & 0x1f;
	ii->section = s[6];
	ii->platform = (uint32_t)s[8] << 16 | (uint32_t)s[9] << 8 | s[10];
	/* The platform loop names the platform; nothing in it is needed. */
	if (int_loop_take(s, end, &off, &tl) != 0)
		return -1;
	while (off < end) {
		if (int_loop_take(s, end, &off, &tl) != 0 ||
		    int_loop_take(s, end, &off, &ol) != 0)
			return -1;
		if (int_targets_ip(&tl) && int_operational(&ol, ii) != 0)
			return -1;
	}
	return 0;
}

/* ---- The locations the INTs name. ---- */

static void
intloc_del(struct ts_demux *d, size_t i)
{
	d->intloc[i] = d->intloc[--d->nintloc];
}

/*
 * A section replaces what the same section said before and, when the
 * version changes, everything the previous version of its sub-table said
 * (the sub-table is the pair action_type/platform_id_hash with the
 * platform_id).
 */
static void
intloc_expire(struct ts_demux *d, uint16_t int_pid,
    const struct ts_int_info *ii)
{
	const struct ts_intloc *l;
	size_t i;

	for (i = d->nintloc; i-- > 0;) {
		l = &d->intloc[i];
		if (l->int_pid != int_pid || l->ext != ii->ext ||
		    l->platform != ii->platform)
			continue;
		if (l->version != ii->version || l->section == ii->section)
			intloc_del(d, i);
	}
}

/* Keep the locations of a section; returns how many did not fit. */
static size_t
intloc_add(struct ts_demux *d, uint16_t int_pid, const struct ts_int_info *ii)
{
	struct ts_intloc *l;
	size_t i, lost = ii->dropped;

	for (i = 0; i < ii->n; i++) {
		if (d->nintloc == TS_MAX_INTLOC) {
			lost += ii->n - i;
			break;
		}
		l = &d->intloc[d->nintloc++];
		memset(l, 0, sizeof(*l));
		l->int_pid = int_pid;
		l->ext = ii->ext;
		l->platform = ii->platform;
		l->version = ii->version;
		l->section = ii->section;
		l->service = ii->loc[i].service;
		l->tag = ii->loc[i].tag;
	}
	return lost;
}

void
ts_int_section(struct ts_demux *d, uint16_t int_pid, const uint8_t *sec,
    size_t len)
{
	struct ts_int_info ii;

	if (ts_int_parse(sec, len, &ii) != 0) {
		ts_count(d, DECAP_PSI);
		return;
	}
	/* The other action_types are reserved: their loops mean nothing yet. */
	if (ii.action != INT_ACTION_LOCATION)
		return;
	intloc_expire(d, int_pid, &ii);
	if (intloc_add(d, int_pid, &ii) > 0)
		ts_count(d, DECAP_INT_LIMIT);
}

void
ts_int_forget(struct ts_demux *d, uint16_t int_pid)
{
	size_t i;

	for (i = d->nintloc; i-- > 0;)
		if (d->intloc[i].int_pid == int_pid)
			intloc_del(d, i);
}

/* ---- Component tags. ---- */

void
ts_int_comps(struct ts_demux *d, uint16_t program, const struct ts_comp *c,
    size_t n)
{
	size_t i;

	for (i = d->ncomp; i-- > 0;)
		if (d->comp[i].program == program)
			d->comp[i] = d->comp[--d->ncomp];
	/* Not counted: a full table is no fault of this PMT. */
	for (i = 0; i < n && d->ncomp < TS_MAX_COMPS; i++)
		d->comp[d->ncomp++] = c[i];
}

/* The PID of service's ES with component_tag tag, or 0 if none. */
static uint16_t
comp_pid(const struct ts_demux *d, uint16_t service, uint8_t tag)
{
	size_t i;

	for (i = 0; i < d->ncomp; i++)
		if (d->comp[i].program == service && d->comp[i].tag == tag)
			return d->comp[i].pid;
	return 0;
}

/* ---- Following the located PIDs. ---- */

/* A PID to follow and the service it belongs to. */
struct int_want {
	uint16_t	pid;
	uint16_t	service;
};

/* The PIDs the locations resolve to, each once; returns how many. */
static size_t
int_wanted(const struct ts_demux *d, struct int_want *w)
{
	const struct ts_intloc *l;
	size_t i, j, n = 0;
	uint16_t pid;

	for (i = 0; i < d->nintloc; i++) {
		l = &d->intloc[i];
		pid = comp_pid(d, l->service, l->tag);
		if (pid < PID_FIRST_DATA || pid >= TS_PID_NULL)
			continue;
		for (j = 0; j < n && w[j].pid != pid; j++)
			;
		if (j == n) {
			w[n].pid = pid;
			w[n].service = l->service;
			n++;
		}
	}
	return n;
}

static int
int_wants(const struct int_want *w, size_t n, uint16_t pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (w[i].pid == pid)
			return 1;
	return 0;
}

/*
 * Follow a located PID as MPE.  A sniffed MPE PID is adopted with its
 * reassembly state; a PID followed for another reason (a PMT, the PSI, a
 * fixed PID) is left as it is.  -1 if a cap refused it.
 */
static int
int_follow(struct ts_demux *d, const struct int_want *w)
{
	struct ts_stream *st = ts_stream_get(d, w->pid);

	if (st != NULL && st->origin != TS_FROM_SNIFF)
		return 0;
	if (st != NULL && st->kind == TS_KIND_MPE) {
		st->origin = TS_FROM_INT;
		st->program = w->service;
		d->npmtdata++;
		return 0;
	}
	if (st != NULL)
		ts_stream_del(d, st);
	if ((st = ts_stream_add(d, w->pid, TS_KIND_MPE, TS_FROM_INT)) == NULL)
		return -1;
	st->program = w->service;
	return 0;
}

void
ts_int_resolve(struct ts_demux *d)
{
	struct int_want w[TS_MAX_INTLOC];
	size_t i, n = int_wanted(d, w);
	int full = 0;

	for (i = 0; i < TS_MAX_STREAMS; i++)
		if (d->st[i].origin == TS_FROM_INT &&
		    !int_wants(w, n, d->st[i].pid))
			ts_stream_del(d, &d->st[i]);
	for (i = 0; i < n; i++)
		if (int_follow(d, &w[i]) != 0)
			full = 1;
	if (full)
		ts_count(d, DECAP_INT_LIMIT);
}
