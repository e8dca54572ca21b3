/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reasm_fdt.c: the FDT side of reassembly.  TOI 0 packets are gathered
 * per FDT instance, EXT_CENC is undone (zlib, deflate, gzip, bounded by
 * FDT_MAX_XML), the XML goes to fdt_parse(), and every File of the
 * instance becomes or refreshes a declaration of its session.  The rules
 * for instances that disagree, FullFDT and Expires are in the overview at
 * the top of reasm.c; state and shared functions are in reasm_int.h.
 */
#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST
#include <zlib.h>

#include "../daemon/log.h"
#include "../daemon/util.h"
#include "fdt.h"
#include "reasm_int.h"

/* 1 if 20-bit FDT instance ID a is newer than b (serial arithmetic). */
static int
fdt_id_newer(uint32_t a, uint32_t b)
{
	uint32_t d = (a - b) & FDT_ID_MASK;

	return d != 0 && d < (FDT_ID_MASK + 1) / 2;
}

/*
 * Instances arrive out of order only by a few IDs (a late repeat of the
 * previous FDT).  An ID far behind the newest is a sender that restarted
 * at another point of the 20-bit space, and its FDT is the current truth.
 */
#define FDT_REORDER_WINDOW	64

/* 1 if a is newer than b by at most FDT_REORDER_WINDOW. */
static int
fdt_id_late(uint32_t a, uint32_t b)
{
	return fdt_id_newer(a, b) && ((a - b) & FDT_ID_MASK) <= FDT_REORDER_WINDOW;
}

/* ---- Declarations. ---- */

struct decl *
reasm_decl_find(struct sess *s, const struct alc_id *toi)
{
	struct decl *dc;

	HASH_FIND(hh, s->decls, toi, sizeof(*toi), dc);
	return dc;
}

static void
decl_strings_free(struct decl *dc)
{
	free(dc->location);
	free(dc->ctype);
	free(dc->cenc);
	dc->location = dc->ctype = dc->cenc = NULL;
}

/* Drop a declaration (no object in flight); counted if never received. */
void
reasm_decl_drop(struct reasm *r, struct sess *s, struct decl *dc, int count)
{
	if (dc->obj != NULL)
		reasm_obj_abort(r, s, dc->obj, OBJ_ABORT_INCOMPLETE);
	else if (count && dc->state == DECL_NEW && !dc->refused)
		r->st.objects_incomplete++;
	HASH_DEL(s->decls, dc);
	s->ndecls--;
	decl_strings_free(dc);
	free(dc);
}

static int
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static char *
str_dup(const char *a, int *err)
{
	char *d;

	if (a == NULL)
		return NULL;
	if ((d = strdup(a)) == NULL)
		*err = 1;
	return d;
}

static uint32_t
oti_u32(int64_t v, uint32_t max)
{
	return v > 0 && v <= (int64_t)max ? (uint32_t)v : 0;
}

/*
 * Copy what f says into dc.  With merge (the same content declared
 * again), lengths and OTI that f leaves out keep their known values.
 * Returns 0, or -1 on ENOMEM.
 */
static int
decl_fill(struct decl *dc, const struct fdt_file *f, int merge)
{
	uint32_t e = oti_u32(f->oti.symbol_len, 0xFFFF);
	uint32_t b = oti_u32(f->oti.max_sbl, UINT32_MAX);
	int err = 0;

	decl_strings_free(dc);
	dc->location = str_dup(f->location, &err);
	dc->ctype = str_dup(f->content_type, &err);
	dc->cenc = str_dup(f->content_encoding, &err);
	if (!merge || f->content_length >= 0)
		dc->content_length = f->content_length;
	if (!merge || f->transfer_length >= 0)
		dc->transfer_length = f->transfer_length;
	if (!merge || e != 0)
		dc->e = e;
	if (!merge || b != 0)
		dc->b = b;
	if (!merge || f->oti.fei >= 0)
		dc->fei = f->oti.fei;
	if (!merge || f->oti.max_n >= 0)
		dc->max_n = oti_u32(f->oti.max_n, UINT32_MAX);
	if (!merge || f->oti.ssi_len != 0) {
		dc->ssi_len = f->oti.ssi_len;
		memcpy(dc->ssi, f->oti.ssi, sizeof(dc->ssi));
	}
	dc->has_md5 = f->has_md5;
	memcpy(dc->md5, f->md5, sizeof(dc->md5));
	dc->has_sha256 = f->has_sha256;
	memcpy(dc->sha256, f->sha256, sizeof(dc->sha256));
	return err || dc->location == NULL ? -1 : 0;
}

static int
len_differs(int64_t a, int64_t b)
{
	return a >= 0 && b >= 0 && a != b;
}

/*
 * 1 if f describes other content than dc (a new version of the TOI), or
 * a transfer length other than the one the object in flight uses.  OTI
 * details and Content-Type alone are updated in place.
 */
static int
decl_differs(const struct decl *dc, const struct fdt_file *f)
{
	return !str_eq(dc->location, f->location) ||
	    !str_eq(dc->cenc, f->content_encoding) ||
	    len_differs(dc->content_length, f->content_length) ||
	    len_differs(dc->transfer_length, f->transfer_length) ||
	    (dc->obj != NULL && len_differs((int64_t)dc->obj->trk.part.len,
	    f->transfer_length)) ||
	    dc->has_md5 != f->has_md5 || dc->has_sha256 != f->has_sha256 ||
	    memcmp(dc->md5, f->md5, sizeof(dc->md5)) != 0 ||
	    memcmp(dc->sha256, f->sha256, sizeof(dc->sha256)) != 0;
}

static struct decl *
decl_new(struct reasm *r, struct sess *s, const struct fdt_file *f)
{
	struct decl *dc;

	if (s->ndecls >= REASM_MAX_DECLS) {
		r->st.objects_dropped_limit++;
		log_warnx_rl("reasm: declaration limit reached, TOI %llu "
		    "ignored", (unsigned long long)f->toi.lo);
		return NULL;
	}
	if ((dc = calloc(1, sizeof(*dc))) == NULL)
		return NULL;
	dc->toi = f->toi;
	if (decl_fill(dc, f, 0) < 0)
		goto fail;
	HASH_ADD(hh, s->decls, toi, sizeof(dc->toi), dc);
	if (dc->hh.tbl == NULL)
		goto fail;
	s->ndecls++;
	dc->seq = ++r->seq;
	return dc;
fail:
	decl_strings_free(dc);
	free(dc);
	return NULL;
}

/*
 * A newer instance changed what the TOI carries: whatever was received or
 * committed under the old declaration no longer counts.  A new location
 * (or new content) is a new mapping and gets a new seq.
 */
static int
decl_replace(struct reasm *r, struct sess *s, struct decl *dc,
    const struct fdt_file *f)
{
	struct done *d = reasm_done_find(s, &dc->toi);

	if (dc->obj != NULL)
		reasm_obj_abort(r, s, dc->obj, OBJ_ABORT_SUPERSEDED);
	if (d != NULL)
		reasm_done_del(s, d);
	dc->state = DECL_NEW;
	dc->refused = 0;
	dc->limited = 0;
	dc->declined = 0;
	dc->close_seen = 0;
	dc->seq = ++r->seq;
	return decl_fill(dc, f, 0);
}

static int
decl_len_zero(const struct decl *dc)
{
	return dc->transfer_length == 0 ||
	    (dc->transfer_length < 0 && dc->content_length == 0);
}

/*
 * Apply one File of FDT instance id.  A new declaration, or a new version
 * replacing one, is announced to the sink; repeats are not.
 */
static void
decl_apply(struct reasm *r, struct sess *s, uint32_t id,
    const struct fdt_file *f, uint64_t keep, uint64_t now)
{
	struct decl *dc;
	struct done *d;
	int fresh = 0;

	if (reasm_id_is_zero(&f->toi) || f->location == NULL)
		return;
	if ((dc = reasm_decl_find(s, &f->toi)) == NULL) {
		if ((dc = decl_new(r, s, f)) == NULL)
			return;
		fresh = 1;
	} else if (fdt_id_late(dc->inst, id) &&
	    reasm_age(now, dc->inst_ms) < r->p.object_timeout_ms) {
		/*
		 * A late older instance: the newer one keeps the TOI, as long
		 * as it is still being sent.  Otherwise, or when the ID is far
		 * behind, the sender restarted its instance counter and the
		 * "older" one is the current truth.
		 */
		dc->touch_ms = now;
		dc->gen = s->gen;
		dc->unlisted = 0;
		return;
	} else {
		fresh = decl_differs(dc, f);
		if ((fresh ? decl_replace(r, s, dc, f) : decl_fill(dc, f, 1)) <
		    0) {
			reasm_decl_drop(r, s, dc, 0);
			return;
		}
	}
	dc->inst = id;
	dc->inst_ms = now;
	dc->gen = s->gen;
	dc->unlisted = 0;
	dc->touch_ms = now;
	dc->keep_ms = keep;
	if ((d = reasm_done_find(s, &dc->toi)) != NULL) {
		d->last_ms = now;
		return;
	}
	if (fresh)
		reasm_announce(r, s, dc);
	if (dc->obj == NULL && !dc->refused && dc->state != DECL_DONE &&
	    (reasm_pend_find(s, &dc->toi) != NULL || decl_len_zero(dc)) &&
	    reasm_obj_open(r, s, dc, NULL, now) == 0)
		reasm_repair_closed(r, s, dc, now);
}

/* ---- FDT instances. ---- */

/* Monotonic time until which an FDT's Expires keeps its declarations. */
static uint64_t
fdt_keep_ms(const struct reasm *r, uint32_t expires, uint64_t now,
    int64_t now_unix)
{
	int64_t ex;
	uint64_t d;

	if (now_unix <= 0)
		return 0;
	ex = util_ntp_to_unix(expires, now_unix);
	if (ex <= now_unix)
		return 0;
	d = (uint64_t)(ex - now_unix);
	if (d > r->p.session_timeout_ms / 1000)
		d = r->p.session_timeout_ms / 1000;
	return now + d * 1000;
}

static void
fdt_apply(struct reasm *r, struct sess *s, uint32_t id, const struct fdt *f,
    uint64_t now, int64_t now_unix)
{
	uint64_t keep = fdt_keep_ms(r, f->expires, now, now_unix);
	int newest = !s->have_newest || !fdt_id_late(s->newest, id);
	struct decl *dc, *tmp;
	size_t i;

	if (newest) {
		s->have_newest = 1;
		s->newest = id;
		s->complete = f->complete;
		s->full_fdt = f->full_fdt;
	}
	s->gen++;
	for (i = 0; i < f->nfiles; i++)
		decl_apply(r, s, id, &f->files[i], keep, now);
	if (!newest || !f->full_fdt)
		return;
	HASH_ITER(hh, s->decls, dc, tmp)
		if (dc->gen != s->gen)
			dc->unlisted = 1;
}

/*
 * 1 if instance id of this transfer length was applied recently.  The
 * length is compared too: a restarted sender may reuse an id for other
 * content, and that must not be skipped for a whole reparse period.
 */
static int
applied_recent(const struct reasm *r, struct sess *s, uint32_t id,
    uint64_t len, uint64_t now)
{
	struct applied *a;

	HASH_FIND(hh, s->applied, &id, sizeof(id), a);
	return a != NULL && (len == 0 || a->len == len) &&
	    reasm_age(now, a->at_ms) < reasm_reparse_ms(r);
}

/* Remember id; when the table is full it is simply parsed again later. */
static void
applied_note(struct sess *s, uint32_t id, uint64_t len, uint64_t now)
{
	struct applied *a;

	HASH_FIND(hh, s->applied, &id, sizeof(id), a);
	if (a == NULL) {
		if (s->napplied >= REASM_MAX_APPLIED ||
		    (a = calloc(1, sizeof(*a))) == NULL)
			return;
		a->id = id;
		HASH_ADD(hh, s->applied, id, sizeof(a->id), a);
		if (a->hh.tbl == NULL) {
			free(a);
			return;
		}
		s->napplied++;
	}
	a->len = len;
	a->at_ms = now;
}

void
reasm_applied_del(struct sess *s, struct applied *a)
{
	HASH_DEL(s->applied, a);
	s->napplied--;
	free(a);
}

void
reasm_fdtasm_free(struct reasm *r, struct sess *s, struct fdtasm *fa)
{
	HASH_DEL(s->fdts, fa);
	s->nfdts--;
	r->st.inflight_bytes_now -= fa->trk.part.len;
	reasm_trk_free(&fa->trk);
	free(fa->buf);
	free(fa);
}

/* A rejected instance is counted once and then skipped like an applied one. */
static void
fdt_reject(struct reasm *r, struct sess *s, uint32_t id, uint64_t len,
    uint64_t now, const char *why)
{
	r->st.fdt_bad++;
	applied_note(s, id, len, now);
	log_warnx_rl("reasm: FDT instance %u rejected: %s", id, why);
}

/*
 * Undo EXT_CENC into a new buffer of at most FDT_MAX_XML bytes.
 * Returns 0, or -1 (bad stream, unknown encoding, too large, ENOMEM).
 */
static int
fdt_inflate(const uint8_t *in, size_t len, uint8_t cenc, uint8_t **out,
    size_t *outlen)
{
	int wbits = cenc == ALC_CENC_ZLIB ? 15 : cenc == ALC_CENC_DEFLATE ?
	    -15 : cenc == ALC_CENC_GZIP ? 31 : 0;
	size_t cap = 64 << 10;
	uint8_t *buf = NULL, *nb;
	z_stream zs;
	int rc = Z_OK;

	memset(&zs, 0, sizeof(zs));
	if (wbits == 0 || inflateInit2(&zs, wbits) != Z_OK)
		return -1;
	zs.next_in = in;
	zs.avail_in = (uInt)len;
	while (rc == Z_OK) {
		if (buf == NULL || zs.avail_out == 0) {
			if (buf != NULL && (cap *= 2) > FDT_MAX_XML + 1)
				cap = FDT_MAX_XML + 1;
			if (buf != NULL && zs.total_out >= cap)
				break;
			if ((nb = realloc(buf, cap)) == NULL)
				break;
			buf = nb;
			zs.next_out = buf + zs.total_out;
			zs.avail_out = (uInt)(cap - zs.total_out);
		}
		rc = inflate(&zs, Z_NO_FLUSH);
	}
	*outlen = zs.total_out;
	inflateEnd(&zs);
	if (rc != Z_STREAM_END || *outlen > FDT_MAX_XML) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

/* A complete instance: decode, parse, apply. */
static void
fdt_finish(struct reasm *r, struct sess *s, struct fdtasm *fa, uint64_t now,
    int64_t now_unix)
{
	uint8_t *xml = fa->buf, *dec = NULL;
	size_t len = fa->trk.part.len;
	uint64_t tl = fa->trk.part.len;
	uint32_t id = fa->id;
	struct fdt *f = NULL;
	int rc;

	if (fa->has_cenc && fa->cenc != ALC_CENC_NULL) {
		if (fdt_inflate(fa->buf, len, fa->cenc, &dec, &len) < 0) {
			reasm_fdtasm_free(r, s, fa);
			fdt_reject(r, s, id, tl, now, "content encoding");
			return;
		}
		xml = dec;
	}
	rc = fdt_parse((const char *)xml, len, &f, NULL);
	free(dec);
	reasm_fdtasm_free(r, s, fa);
	if (rc < 0) {
		fdt_reject(r, s, id, tl, now, fdt_strerror(rc));
		return;
	}
	r->st.fdt_instances++;
	applied_note(s, id, tl, now);
	fdt_apply(r, s, id, f, now, now_unix);
	fdt_free(f);
}

static int
fdt_put(struct reasm *r, void *ctx, uint64_t off, const uint8_t *p, size_t n)
{
	struct fdtasm *fa = ctx;

	(void)r;
	memcpy(fa->buf + off, p, n);
	return 0;
}

/* Make room for one more instance in reassembly: drop the stalest. */
static void
fdtasm_evict(struct reasm *r, struct sess *s)
{
	struct fdtasm *fa, *tmp, *old = NULL;

	HASH_ITER(hh, s->fdts, fa, tmp)
		if (old == NULL || fa->last_ms < old->last_ms)
			old = fa;
	if (old != NULL)
		reasm_fdtasm_free(r, s, old);
}

static struct fdtasm *
fdtasm_new(struct reasm *r, struct sess *s, uint32_t id,
    const struct pinfo *pi, uint64_t now)
{
	struct fdtasm *fa;

	if (!pi->has_fti) {
		r->st.bad_symbols++;
		log_warnx_rl("reasm: FDT instance %u: packet without EXT_FTI",
		    id);
		return NULL;
	}
	if (pi->fti_l == 0 || pi->fti_l > FDT_MAX_XML) {
		fdt_reject(r, s, id, pi->fti_l, now,
		    "transfer length out of bounds");
		return NULL;
	}
	if (r->st.inflight_bytes_now + pi->fti_l > r->p.max_inflight_bytes) {
		r->st.objects_dropped_limit++;
		return NULL;
	}
	if (s->nfdts >= REASM_MAX_FDTASM)
		fdtasm_evict(r, s);
	if ((fa = calloc(1, sizeof(*fa))) == NULL)
		return NULL;
	if (reasm_trk_init(&fa->trk, pi->fti_l, pi->fti_e, pi->fti_b) < 0) {
		free(fa);
		fdt_reject(r, s, id, pi->fti_l, now, "bad block partitioning");
		return NULL;
	}
	fa->id = id;
	if ((fa->buf = malloc(pi->fti_l)) == NULL)
		goto fail;
	/* uthash frees its table with the last item: no use after free. */
	/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
	HASH_ADD(hh, s->fdts, id, sizeof(fa->id), fa);
	if (fa->hh.tbl == NULL)
		goto fail;
	s->nfdts++;
	r->st.inflight_bytes_now += pi->fti_l;
	return fa;
fail:
	reasm_trk_free(&fa->trk);
	free(fa->buf);
	free(fa);
	return NULL;
}

/* A packet of TOI 0.  0 or -1. */
int
reasm_fdt_input(struct reasm *r, struct sess *s, const struct alc_pkt *pkt,
    const struct pinfo *pi, uint64_t now, int64_t now_unix)
{
	struct fdtasm *fa;
	uint32_t id;
	long k;

	if (!pkt->has_fdt) {
		r->st.bad_symbols++;
		log_warnx_rl("reasm: TOI 0 packet without EXT_FDT");
		return -1;
	}
	id = pkt->fdt_instance & FDT_ID_MASK;
	if (applied_recent(r, s, id, pi->has_fti ? pi->fti_l : 0, now))
		return 0;
	HASH_FIND(hh, s->fdts, &id, sizeof(id), fa);
	if (fa == NULL && (fa = fdtasm_new(r, s, id, pi, now)) == NULL)
		return -1;
	if (pkt->has_cenc && !fa->has_cenc) {
		fa->has_cenc = 1;
		fa->cenc = pkt->cenc;
	}
	if ((k = reasm_trk_count(&fa->trk, pi->sbn, pi->esi, pi->len)) < 0) {
		r->st.bad_symbols++;
		log_warnx_rl("reasm: FDT instance %u: symbol SBN %u ESI %u "
		    "length %zu does not fit", id, pi->sbn, pi->esi, pi->len);
		return -1;
	}
	fa->last_ms = now;
	(void)reasm_trk_add(r, &fa->trk, pi, k, fdt_put, fa);
	if (fa->trk.blocks_left == 0)
		fdt_finish(r, s, fa, now, now_unix);
	return 0;
}
