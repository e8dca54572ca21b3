/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reasm_sstat.c: what each FLUTE session brought (packets, bytes, objects,
 * FEC recoveries, losses handed to repair), for the status page.  The
 * counting code all over reasm*.c moves the reassembler's global
 * counters; the work done for one session (a packet, its expiry tick) is
 * bracketed by reasm_sc_begin/reasm_sc_end, which charge the difference to
 * that session.  rx thread only, like the rest of reasm.
 */
#include <string.h>

#include "reasm_int.h"

static uint64_t
sc_repairs(const struct reasm_stats *st)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < OBJ_REPAIR_NTRIGGERS; i++)
		n += st->repairs_handed[i];
	return n;
}

/* The global counters that per-session counters follow. */
static void
sc_read(const struct reasm *r, struct reasm_sess_counts *c)
{
	c->packets = r->st.packets;
	c->bytes = r->st.bytes;
	c->objects = r->st.objects_completed;
	c->incomplete = r->st.objects_incomplete;
	c->fec_recovered = r->st.fec_symbols_recovered;
	c->lost_symbols = r->st.lost_symbols;
	c->repairs = sc_repairs(&r->st);
}

void
reasm_sc_begin(const struct reasm *r, struct reasm_sc_mark *m)
{
	sc_read(r, &m->c);
}

void
reasm_sc_end(const struct reasm *r, struct sess *s,
    const struct reasm_sc_mark *m)
{
	struct reasm_sess_counts now;

	if (s == NULL)
		return;
	sc_read(r, &now);
	s->c.packets += now.packets - m->c.packets;
	s->c.bytes += now.bytes - m->c.bytes;
	s->c.objects += now.objects - m->c.objects;
	s->c.incomplete += now.incomplete - m->c.incomplete;
	s->c.fec_recovered += now.fec_recovered - m->c.fec_recovered;
	s->c.lost_symbols += now.lost_symbols - m->c.lost_symbols;
	s->c.repairs += now.repairs - m->c.repairs;
}

size_t
reasm_get_sessions(const struct reasm *r, struct reasm_sess_stats *out,
    size_t max)
{
	const struct sess *s;
	size_t n = 0;

	for (s = r->sessions; s != NULL; s = s->hh.next, n++) {
		if (n >= max)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].family = s->key.family;
		memcpy(out[n].src, s->key.src, sizeof(out[n].src));
		memcpy(out[n].dst, s->key.dst, sizeof(out[n].dst));
		out[n].port = s->key.port;
		out[n].tsi = s->key.tsi;
		out[n].last_ms = s->last_ms;
		out[n].c = s->c;
	}
	return n;
}
