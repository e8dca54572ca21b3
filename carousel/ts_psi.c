/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ts_psi.c: PAT and PMT for the TS demux.  The PAT names the PMT PID of
 * each program; each PMT names the PIDs of its program that carry MPE (a
 * data_broadcast_id_descriptor with data_broadcast_id 0x0005), ULE
 * (stream_type 0x91) or the INT (data_broadcast_id 0x000B, ts_int.c), and
 * the component_tag of its ESs, through which an INT locates more MPE
 * PIDs.  A section is parsed into a small struct first and applied only
 * if it parsed, so a damaged table changes nothing; applying a table
 * replaces what the previous version said, keeping the state of the PIDs
 * that stay.
 */
#include <string.h>

#include "ts_demux_int.h"

#define TABLE_PAT		0x00
#define TABLE_PMT		0x02
#define DESC_DATA_BROADCAST_ID	0x66
#define DESC_STREAM_IDENTIFIER	0x52
#define PID_FIRST_PMT		0x0010	/* below: PAT, CAT, TSDT, ... */
#define PID_FIRST_DATA		0x0020	/* below: PSI and DVB SI */

struct pat_info {
	size_t		n;
	struct ts_prog	prog[TS_MAX_PROGS];
};

/* An elementary stream that carries IP, or the INT. */
struct pmt_es {
	uint16_t	pid;
	uint8_t		kind;		/* TS_KIND_MPE, _ULE or _INT */
};

struct pmt_info {
	uint16_t	program;
	size_t		n;
	struct pmt_es	es[TS_MAX_DATA];
	size_t		ncomp;
	struct ts_comp	comp[TS_PMT_COMPS];
};

/* ---- Parsing (pure). ---- */

/*
 * The programs of a PAT section (with the service filter applied).  The
 * caller checked the CRC, so len >= 12.  -1 if the entries do not fill
 * the section in 4-byte steps.
 */
static int
pat_parse(const struct ts_demux *d, const uint8_t *s, size_t len,
    struct pat_info *pi)
{
	size_t off, end = len - 4;
	uint16_t num, pid;

	if ((end - 8) % 4 != 0)
		return -1;
	pi->n = 0;
	for (off = 8; off < end; off += 4) {
		num = (uint16_t)(s[off] << 8 | s[off + 1]);
		pid = (uint16_t)((s[off + 2] & 0x1f) << 8 | s[off + 3]);
		/* Program 0 is the network PID (NIT), not a PMT. */
		if (num == 0 || pid < PID_FIRST_PMT || pid >= TS_PID_NULL)
			continue;
		if (d->p.service_id != 0 && num != d->p.service_id)
			continue;
		if (pi->n < TS_MAX_PROGS) {
			pi->prog[pi->n].number = num;
			pi->prog[pi->n].pmt_pid = pid;
			pi->n++;
		}
	}
	return 0;
}

/* What the ES_info descriptors of an elementary stream say. */
struct es_desc {
	uint8_t		mpe;		/* data_broadcast_id 0x0005 */
	uint8_t		intab;		/* data_broadcast_id 0x000B */
	int		tag;		/* component_tag, -1 none */
};

/*
 * Read an ES_info descriptor loop.  A malformed loop is read up to where
 * it breaks.
 */
static void
desc_read(const uint8_t *p, size_t n, struct es_desc *ed)
{
	size_t off = 0, dl;
	unsigned id;

	memset(ed, 0, sizeof(*ed));
	ed->tag = -1;
	while (n - off >= 2) {
		dl = p[off + 1];
		if (dl > n - off - 2)
			return;
		if (p[off] == DESC_DATA_BROADCAST_ID && dl >= 2) {
			id = (unsigned)p[off + 2] << 8 | p[off + 3];
			ed->mpe |= id == TS_DBID_MPE;
			ed->intab |= id == TS_DBID_INT;
		}
		if (p[off] == DESC_STREAM_IDENTIFIER && dl >= 1 &&
		    ed->tag < 0)
			ed->tag = p[off + 2];
		off += 2 + dl;
	}
}

/* Keep the component_tag of an ES for the INT's locations. */
static void
pmt_comp(struct pmt_info *pi, uint16_t pid, int tag)
{
	if (tag < 0 || pi->ncomp >= TS_PMT_COMPS)
		return;
	pi->comp[pi->ncomp].program = pi->program;
	pi->comp[pi->ncomp].pid = pid;
	pi->comp[pi->ncomp].tag = (uint8_t)tag;
	pi->ncomp++;
}

/*
 * One ES loop entry of n bytes (5 + ES_info_length).  An ES that says
 * both MPE and INT is taken as MPE, as before the INT was read.
 */
static void
pmt_es(const uint8_t *e, size_t n, struct pmt_info *pi)
{
	uint16_t pid = (uint16_t)((e[1] & 0x1f) << 8 | e[2]);
	int kind = TS_KIND_NONE;
	struct es_desc ed;

	desc_read(e + 5, n - 5, &ed);
	if (e[0] == TS_STREAM_ULE)
		kind = TS_KIND_ULE;
	else if (ed.mpe)
		kind = TS_KIND_MPE;
	else if (ed.intab)
		kind = TS_KIND_INT;
	if (pid < PID_FIRST_DATA || pid >= TS_PID_NULL)
		return;
	pmt_comp(pi, pid, ed.tag);
	if (kind == TS_KIND_NONE || pi->n >= TS_MAX_DATA)
		return;
	pi->es[pi->n].pid = pid;
	pi->es[pi->n].kind = (uint8_t)kind;
	pi->n++;
}

/*
 * The MPE/ULE streams of a PMT section; the CRC was checked.  -1 if a
 * length overruns the section.
 */
static int
pmt_parse(const uint8_t *s, size_t len, struct pmt_info *pi)
{
	size_t off, il, end = len - 4;

	if (len < 12 + 4)
		return -1;
	pi->program = (uint16_t)(s[3] << 8 | s[4]);
	pi->n = 0;
	pi->ncomp = 0;
	off = 12 + ((size_t)(s[10] & 0x0f) << 8 | s[11]);
	if (off > end)
		return -1;
	while (off < end) {
		if (end - off < 5)
			return -1;
		il = (size_t)(s[off + 3] & 0x0f) << 8 | s[off + 4];
		if (il > end - off - 5)
			return -1;
		pmt_es(s + off, 5 + il, pi);
		off += 5 + il;
	}
	return 0;
}

/* ---- The followed data PIDs. ---- */

static int
pmt_lists(const struct pmt_info *pi, const struct ts_stream *st)
{
	size_t i;

	for (i = 0; i < pi->n; i++)
		if (pi->es[i].pid == st->pid && pi->es[i].kind == st->kind)
			return 1;
	return 0;
}

/* Stop following a PID; an INT PID takes what it said along. */
static void
data_del(struct ts_demux *d, struct ts_stream *st)
{
	uint16_t pid = st->pid;
	int was_int = st->kind == TS_KIND_INT;

	ts_stream_del(d, st);
	if (was_int)
		ts_int_forget(d, pid);
}

/* Stop following the PIDs program named that keep (if any) does not. */
static void
data_prune(struct ts_demux *d, uint16_t program, const struct pmt_info *keep)
{
	struct ts_stream *st;
	size_t i;

	for (i = 0; i < TS_MAX_STREAMS; i++) {
		st = &d->st[i];
		if (st->origin != TS_FROM_PMT || st->program != program)
			continue;
		if (keep == NULL || !pmt_lists(keep, st))
			data_del(d, st);
	}
}

/*
 * Follow an elementary stream a PMT names.  A PID sniffed as MPE or
 * located by an INT is adopted with its reassembly state (the PMT is the
 * stronger word); a PID followed for another reason (PSI, or another
 * program's PMT) is left alone.
 */
static void
data_add(struct ts_demux *d, uint16_t program, const struct pmt_es *es)
{
	struct ts_stream *st = ts_stream_get(d, es->pid);

	if (st != NULL && st->origin != TS_FROM_SNIFF &&
	    st->origin != TS_FROM_INT)
		return;
	if (st != NULL && st->kind == es->kind) {
		if (st->origin == TS_FROM_SNIFF)
			d->npmtdata++;
		st->origin = TS_FROM_PMT;
		st->program = program;
		return;
	}
	if (st != NULL)
		ts_stream_del(d, st);
	if ((st = ts_stream_add(d, es->pid, es->kind, TS_FROM_PMT)) != NULL)
		st->program = program;
}

/* Once a PMT names MPE/ULE PIDs, guesses give way. */
static void
sniff_drop(struct ts_demux *d)
{
	size_t i;

	for (i = 0; i < TS_MAX_STREAMS; i++)
		if (d->st[i].origin == TS_FROM_SNIFF)
			ts_stream_del(d, &d->st[i]);
}

/* ---- Programs. ---- */

static int
prog_find(const struct ts_demux *d, uint16_t number, uint16_t pmt_pid)
{
	size_t i;

	for (i = 0; i < d->nprog; i++)
		if (d->prog[i].number == number &&
		    d->prog[i].pmt_pid == pmt_pid)
			return (int)i;
	return -1;
}

static int
prog_uses_pid(const struct ts_demux *d, uint16_t pmt_pid)
{
	size_t i;

	for (i = 0; i < d->nprog; i++)
		if (d->prog[i].pmt_pid == pmt_pid)
			return 1;
	return 0;
}

/* Forget program i, its data PIDs and its PMT PID if no other uses it. */
static void
prog_del(struct ts_demux *d, size_t i)
{
	struct ts_prog pr = d->prog[i];
	struct ts_stream *st;

	data_prune(d, pr.number, NULL);
	ts_int_comps(d, pr.number, NULL, 0);
	d->prog[i] = d->prog[--d->nprog];
	if (prog_uses_pid(d, pr.pmt_pid))
		return;
	st = ts_stream_get(d, pr.pmt_pid);
	if (st != NULL && st->kind == TS_KIND_PMT)
		ts_stream_del(d, st);
}

/* Read the PMT of a program: follow its PID (a sniffed PID gives way). */
static void
prog_add(struct ts_demux *d, const struct ts_prog *pr)
{
	struct ts_stream *st;

	if (prog_find(d, pr->number, pr->pmt_pid) >= 0 ||
	    d->nprog == TS_MAX_PROGS)
		return;
	st = ts_stream_get(d, pr->pmt_pid);
	if (st != NULL && st->kind != TS_KIND_PMT) {
		if (st->origin != TS_FROM_SNIFF)
			return;
		ts_stream_del(d, st);
		st = NULL;
	}
	if (st == NULL &&
	    ts_stream_add(d, pr->pmt_pid, TS_KIND_PMT, TS_FROM_PSI) == NULL)
		return;
	d->prog[d->nprog++] = *pr;
}

static int
pat_lists(const struct pat_info *pi, const struct ts_prog *pr)
{
	size_t i;

	for (i = 0; i < pi->n; i++)
		if (pi->prog[i].number == pr->number &&
		    pi->prog[i].pmt_pid == pr->pmt_pid)
			return 1;
	return 0;
}

/* ---- Tables. ---- */

/*
 * A PAT section.  One with last_section_number 0 is the whole table and
 * replaces the program list; the sections of a longer table only add.
 */
static void
psi_pat(struct ts_demux *d, const uint8_t *s, size_t len)
{
	struct pat_info pi;
	size_t i;

	if (pat_parse(d, s, len, &pi) != 0) {
		ts_count(d, DECAP_PSI);
		return;
	}
	if (s[7] == 0) {
		for (i = d->nprog; i-- > 0;)
			if (!pat_lists(&pi, &d->prog[i]))
				prog_del(d, i);
	}
	for (i = 0; i < pi.n; i++)
		prog_add(d, &pi.prog[i]);
}

/*
 * A PMT section on the PMT PID st of one of our programs: its MPE/ULE/INT
 * PIDs become the program's set, its component tags replace the old.
 */
static void
psi_pmt(struct ts_demux *d, const struct ts_stream *st, const uint8_t *s,
    size_t len)
{
	struct pmt_info pi;
	size_t i;

	if (pmt_parse(s, len, &pi) != 0) {
		ts_count(d, DECAP_PSI);
		return;
	}
	if (prog_find(d, pi.program, st->pid) < 0)
		return;
	data_prune(d, pi.program, &pi);
	for (i = 0; i < pi.n; i++)
		data_add(d, pi.program, &pi.es[i]);
	ts_int_comps(d, pi.program, pi.comp, pi.ncomp);
}

static int
psi_table_id(const struct ts_stream *st)
{
	switch (st->kind) {
	case TS_KIND_PAT:
		return TABLE_PAT;
	case TS_KIND_INT:
		return TS_TABLE_INT;
	default:
		return TABLE_PMT;
	}
}

void
ts_psi_section(struct ts_demux *d, struct ts_stream *st, const uint8_t *sec,
    size_t len)
{
	int want = psi_table_id(st);

	/* The reassembly let a long-form section through only if len >= 12. */
	if ((sec[1] & 0x80) && decap_crc32(0xffffffffu, sec, len) != 0) {
		ts_count(d, DECAP_SECT_CRC);
		return;
	}
	if (sec[0] != want)
		return;
	if ((sec[1] & 0x80) == 0) {
		ts_count(d, DECAP_PSI);
		return;
	}
	/* current_next_indicator 0: a table announced, not yet valid. */
	if ((sec[5] & 0x01) == 0)
		return;
	if (st->kind == TS_KIND_PAT)
		psi_pat(d, sec, len);
	else if (st->kind == TS_KIND_INT)
		ts_int_section(d, st->pid, sec, len);
	else
		psi_pmt(d, st, sec, len);
	/*
	 * Any table can change where the INT locations lead: the INT itself,
	 * a PMT's component tags, a PAT that drops a program.
	 */
	ts_int_resolve(d);
	if (d->npmtdata > 0)
		sniff_drop(d);
}
