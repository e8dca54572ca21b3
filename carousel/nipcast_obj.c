/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipcast_obj.c: preparing an object's content before it is sent: the MD5
 * of a file for Content-MD5, and gzip of a file into the spool (or of a
 * buffer) for Content-Encoding.  The file helpers read with pread in fixed
 * chunks, so a large file never sits in memory, and touch no state.
 *
 * Then --objects: a carousel of the files named by a list, one
 * "PATH LOCATION [CONTENT-TYPE]" per line, under exactly those
 * Content-Locations (URNs included).  Its writers (nipcast --nip among
 * them) replace files atomically, so each cycle re-stats every path (and
 * the list itself); a file whose size or mtime changed is opened again by
 * path, read whole and sent under a new TOI with a new FDT instance, so a
 * receiver sees a new version under the same Content-Location.  Holding
 * the content in memory keeps what is sent equal to what the FDT says
 * even when the file is replaced mid-cycle; these are signalling
 * documents, hence the OBJ_MAX bound (the folder carousel sends big files).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/md5.h>
#include <zlib.h>

#include "../daemon/log.h"
#include "../daemon/util.h"
#include "nipcast.h"

#define IO_CHUNK	(1u << 20)
#define OBJ_MAX		(64u << 20)	/* bytes of one listed object */
#define LIST_MAX	(1u << 20)	/* bytes of the list */

int
nc_md5_fd(int fd, uint64_t len, uint8_t md5[16])
{
	struct md5_ctx ctx;
	uint8_t *buf;
	uint64_t off = 0;
	ssize_t r;

	buf = malloc(IO_CHUNK);
	if (buf == NULL)
		return -1;
	md5_init(&ctx);
	while (off < len) {
		r = pread(fd, buf, len - off < IO_CHUNK ? len - off : IO_CHUNK,
		    (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			errno = r == 0 ? EIO : errno;	/* the file shrank */
			break;
		}
		md5_update(&ctx, (size_t)r, buf);
		off += (uint64_t)r;
	}
	free(buf);
	md5_digest(&ctx, 16, md5);
	return off == len ? 0 : -1;
}

static int
write_all(int fd, const uint8_t *p, size_t n, uint64_t off)
{
	ssize_t w;

	while (n > 0) {
		w = pwrite(fd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

/*
 * One deflate step: drain z's output into out at *off.  1 at the end of
 * the stream, 0 when more input is wanted, -1 on error.
 */
static int
gz_drain(z_stream *z, int flush, uint8_t *obuf, int out, uint64_t *off)
{
	int zr;

	do {
		z->next_out = obuf;
		z->avail_out = IO_CHUNK;
		zr = deflate(z, flush);
		if (zr == Z_STREAM_ERROR)
			return -1;
		if (write_all(out, obuf, IO_CHUNK - z->avail_out, *off) < 0)
			return -1;
		*off += IO_CHUNK - z->avail_out;
	} while (z->avail_out == 0);
	return zr == Z_STREAM_END;
}

int
nc_gzip_fd(int in, uint64_t len, int out, uint64_t off, uint64_t *olen)
{
	uint8_t *ibuf = malloc(IO_CHUNK), *obuf = malloc(IO_CHUNK);
	uint64_t done = 0, start = off;
	z_stream z;
	ssize_t r;
	int rc = -1, zr = 0;

	memset(&z, 0, sizeof(z));
	if (ibuf == NULL || obuf == NULL ||
	    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		goto free_bufs;
	while (zr == 0) {
		r = 0;
		if (done < len) {
			r = pread(in, ibuf, len - done < IO_CHUNK ? len - done :
			    IO_CHUNK, (off_t)done);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				goto end_deflate;
		}
		done += (uint64_t)r;
		z.next_in = ibuf;
		z.avail_in = (uInt)r;
		zr = gz_drain(&z, done < len ? Z_NO_FLUSH : Z_FINISH, obuf, out,
		    &off);
		if (zr < 0)
			goto end_deflate;
	}
	*olen = off - start;
	rc = zr == 1 ? 0 : -1;
end_deflate:
	deflateEnd(&z);
free_bufs:
	free(ibuf);
	free(obuf);
	return rc;
}

int
nc_gzip_mem(const uint8_t *in, size_t len, uint8_t **out, size_t *olen)
{
	z_stream z;
	uLong cap;
	uint8_t *buf;

	memset(&z, 0, sizeof(z));
	if (len > UINT32_MAX / 2 || deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	cap = deflateBound(&z, (uLong)len) + 32;
	buf = malloc(cap);
	if (buf == NULL) {
		deflateEnd(&z);
		return -1;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(buf);
		return -1;
	}
	*olen = cap - z.avail_out;
	*out = buf;
	deflateEnd(&z);
	return 0;
}

/* ---- --objects ---- */

/* One line of the list and the version of its file being sent. */
struct lobj {
	char		*path;		/* resolved against the list's folder */
	char		*location;
	char		*ctype;
	int		present;	/* content loaded */
	uint64_t	size;		/* stamp of the loaded version */
	struct timespec	mtime;
	uint8_t		*data;
	uint8_t		*enc;		/* gzip of data, with --gzip */
	struct nc_obj	obj;
};

static struct {
	const struct nc_opts *o;
	char		*dir;		/* the list's folder */
	int		list_read;	/* the list has been read once */
	uint64_t	list_size;
	struct timespec	list_mtime;
	struct lobj	*v;
	size_t		n;
	struct lobj	**send;		/* present ones, in list order */
	size_t		nsend;
	struct nc_fdt	*fdts;
	size_t		*first;		/* first of send[] in each FDT */
	size_t		nfdts;
	int		dirty;		/* the FDT must be rebuilt */
	uint32_t	next_toi;
} ol;

static int
stamp_same(const struct stat *st, uint64_t size, const struct timespec *t)
{
	return (uint64_t)st->st_size == size &&
	    st->st_mtim.tv_sec == t->tv_sec &&
	    st->st_mtim.tv_nsec == t->tv_nsec;
}

static void
lobj_drop(struct lobj *e)
{
	free(e->data);
	free(e->enc);
	e->data = e->enc = NULL;
	if (e->present)
		ol.dirty = 1;
	e->present = 0;
}

static void
lobj_free(struct lobj *e)
{
	lobj_drop(e);
	free(e->path);
	free(e->location);
	free(e->ctype);
}

/* Read an open file whole: a buffer of st_size bytes, or NULL. */
static uint8_t *
read_whole(int fd, const struct stat *st)
{
	uint8_t *buf;
	size_t got = 0, want = (size_t)st->st_size;
	ssize_t r;

	if (!S_ISREG(st->st_mode) || (uint64_t)st->st_size > OBJ_MAX) {
		errno = EFBIG;
		return NULL;
	}
	if ((buf = malloc(want + 1)) == NULL)
		return NULL;
	while (got < want) {
		r = pread(fd, buf + got, want - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			errno = r == 0 ? EIO : errno;	/* it shrank */
			free(buf);
			return NULL;
		}
		got += (size_t)r;
	}
	return buf;
}

/* Point the object at the content just read, under a new TOI. */
static int
lobj_install(struct lobj *e, uint8_t *data, const struct stat *st)
{
	size_t len = (size_t)st->st_size, elen = len;

	lobj_drop(e);
	e->data = data;
	e->obj.src.mem = data;
	if (ol.o->gzip && nc_gzip_mem(data, len, &e->enc, &elen) == 0)
		e->obj.src.mem = e->enc;
	e->obj.gzip = e->enc != NULL;
	e->obj.src.fd = -1;
	e->obj.src.len = elen;
	e->obj.content_len = len;
	e->obj.has_md5 = (uint8_t)ol.o->md5;
	util_md5(data, len, e->obj.md5);
	e->obj.max_sbl = nc_block_for(elen);
	if (e->obj.max_sbl == 0)
		return -1;
	e->obj.toi = ol.next_toi;
	ol.next_toi = ol.next_toi == UINT32_MAX ? 1 : ol.next_toi + 1;
	e->size = (uint64_t)st->st_size;
	e->mtime = st->st_mtim;
	e->present = 1;
	ol.dirty = 1;
	log_info("%s: TOI %u, %zu bytes, from %s", e->location, e->obj.toi,
	    len, e->path);
	return 0;
}

/*
 * Re-stat one file; a new version is opened by path (the writer renamed
 * it into place), stamped by fstat of what was opened, and read whole.
 */
static void
lobj_check(struct lobj *e)
{
	struct stat st;
	uint8_t *data;
	int fd;

	if (stat(e->path, &st) < 0) {
		if (e->present)
			log_warn("%s", e->path);
		else
			log_warn_rl("%s", e->path);
		lobj_drop(e);
		return;
	}
	if (e->present && stamp_same(&st, e->size, &e->mtime))
		return;
	fd = open(e->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 ||
	    (e->present && stamp_same(&st, e->size, &e->mtime))) {
		if (fd < 0)
			log_warn_rl("%s", e->path);
		if (fd >= 0)
			close(fd);
		return;
	}
	data = read_whole(fd, &st);
	close(fd);
	if (data == NULL) {
		log_warn_rl("%s", e->path);
		lobj_drop(e);
	} else if (lobj_install(e, data, &st) < 0) {
		log_warnx_rl("%s: too big for the source block numbers",
		    e->path);
		lobj_drop(e);
	}
}

/* A listed object; 0, or -1 for a duplicate location. */
static int
ol_add(struct lobj *v, size_t n, const char *path, const char *loc,
    const char *ctype)
{
	struct lobj *e = &v[n];
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].location, loc) == 0)
			return -1;
	memset(e, 0, sizeof(*e));
	if (path[0] == '/')
		e->path = xstrdup(path);
	else if (asprintf(&e->path, "%s/%s", ol.dir, path) < 0)
		fatal("asprintf");
	e->location = xstrdup(loc);
	e->ctype = ctype != NULL ? xstrdup(ctype) : NULL;
	e->obj.location = e->location;
	e->obj.ctype = e->ctype != NULL ? e->ctype : nc_ctype(path);
	e->obj.src.fd = -1;
	return 0;
}

/*
 * Parse the list text into a new vector; bad lines are named and skipped
 * (*bad counts them).  Returns the number of objects.
 */
static size_t
ol_parse(char *text, const char *name, struct lobj **out, int *bad)
{
	char *line, *next, *path, *loc, *ctype;
	struct lobj *v = NULL;
	size_t n = 0, cap = 0;
	int lineno = 0, r;

	for (line = text; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		r = nc_sig_objline(line, &path, &loc, &ctype);
		if (r == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		if (r < 0 || ol_add(v, n, path, loc, ctype) < 0) {
			log_warnx("%s:%d: %s", name, lineno, r < 0 ?
			    "expected PATH LOCATION [CONTENT-TYPE]" :
			    "location listed twice");
			(*bad)++;
			continue;
		}
		n++;
	}
	*out = v;
	return n;
}

static int
str_same(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* Objects that stay listed as they were keep their content and TOI. */
static void
ol_adopt(struct lobj *v, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < ol.n; j++)
			if (ol.v[j].present &&
			    strcmp(ol.v[j].location, v[i].location) == 0 &&
			    strcmp(ol.v[j].path, v[i].path) == 0 &&
			    str_same(ol.v[j].ctype, v[i].ctype)) {
				free(v[i].path);
				free(v[i].location);
				free(v[i].ctype);
				v[i] = ol.v[j];
				v[i].obj.location = v[i].location;
				memset(&ol.v[j], 0, sizeof(ol.v[j]));
				break;
			}
	for (j = 0; j < ol.n; j++)
		lobj_free(&ol.v[j]);
	free(ol.v);
	ol.v = v;
	ol.n = n;
	ol.dirty = 1;
}

/* Re-read the list when it changed.  0, or -1 if unreadable or bad. */
static int
ol_list(int *bad)
{
	struct stat st;
	struct lobj *v;
	uint8_t *text;
	size_t n;
	int fd;

	if (stat(ol.o->objects, &st) < 0)
		return -1;
	if (ol.list_read && stamp_same(&st, ol.list_size, &ol.list_mtime))
		return 0;
	fd = open(ol.o->objects, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || (uint64_t)st.st_size > LIST_MAX ||
	    (text = read_whole(fd, &st)) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	text[st.st_size] = '\0';
	n = ol_parse((char *)text, ol.o->objects, &v, bad);
	free(text);
	ol_adopt(v, n);
	ol.list_read = 1;
	ol.list_size = (uint64_t)st.st_size;
	ol.list_mtime = st.st_mtim;
	log_info("%s: %zu objects listed", ol.o->objects, n);
	return 0;
}

static void
ol_fdts_clear(void)
{
	size_t i;

	for (i = 0; i < ol.nfdts; i++)
		nc_fdt_clear(&ol.fdts[i]);
	ol.nfdts = 0;
}

/* FDT instances for the present objects (several if one would be big). */
static int
ol_fdts(void)
{
	struct ftx_file *files;
	size_t i, nout;

	ol_fdts_clear();
	/* An array of pointers: the element is a pointer. */
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	ol.send = xrealloc(ol.send, (ol.n + 1) * sizeof(*ol.send));
	ol.nsend = 0;
	for (i = 0; i < ol.n; i++)
		if (ol.v[i].present)
			ol.send[ol.nsend++] = &ol.v[i];
	files = xcalloc(ol.nsend + 1, sizeof(*files));
	ol.fdts = xrealloc(ol.fdts, (ol.nsend + 1) * sizeof(*ol.fdts));
	ol.first = xrealloc(ol.first, (ol.nsend + 2) * sizeof(*ol.first));
	memset(ol.fdts, 0, (ol.nsend + 1) * sizeof(*ol.fdts));
	for (i = 0; i < ol.nsend; i++)
		nc_obj_file(&ol.send[i]->obj, &files[i]);
	for (i = 0; i < ol.nsend; i += nout) {
		ol.first[ol.nfdts] = i;
		if (nc_fdt_build(&ol.fdts[ol.nfdts], files + i, ol.nsend - i,
		    &nout) < 0) {
			free(files);
			return -1;
		}
		ol.nfdts++;
	}
	ol.first[ol.nfdts] = ol.nsend;
	free(files);
	ol.dirty = 0;
	return 0;
}

/* One pass: each FDT batch, then its objects. */
static int
ol_cycle(void)
{
	struct nc_fdt *f;
	size_t b, i;

	for (b = 0; b < ol.nfdts && !nc_stopping(); b++) {
		f = &ol.fdts[b];
		if (nc_fdt_refresh(f) < 0 || nc_tx_fdt(f) < 0)
			return NC_EX_IOERR;
		for (i = ol.first[b]; i < ol.first[b + 1] && !nc_stopping();
		    i++)
			if (nc_tx_object(&ol.send[i]->obj, f) < 0)
				return NC_EX_IOERR;
	}
	return 0;
}

static void
ol_free(void)
{
	size_t i;

	ol_fdts_clear();
	for (i = 0; i < ol.n; i++)
		lobj_free(&ol.v[i]);
	free(ol.v);
	free(ol.send);
	free(ol.fdts);
	free(ol.first);
	free(ol.dir);
}

/* Re-stat the list and every file, then rebuild the FDT if needed. */
static int
ol_refresh(void)
{
	int bad = 0;
	size_t i;

	if (ol_list(&bad) < 0)
		log_warn_rl("%s", ol.o->objects);
	for (i = 0; i < ol.n; i++)
		lobj_check(&ol.v[i]);
	if (ol.dirty && ol_fdts() < 0)
		return NC_EX_IOERR;
	return 0;
}

static int
ol_start(const struct nc_opts *o)
{
	char *copy = xstrdup(o->objects);
	int bad = 0;

	ol.o = o;
	ol.next_toi = o->toi_start;
	ol.dir = xstrdup(dirname(copy));
	free(copy);
	if (ol_list(&bad) < 0) {
		log_warn("%s", o->objects);
		return NC_EX_NOINPUT;
	}
	return bad > 0 ? NC_EX_USAGE : 0;
}

int
nc_objects_run(const struct nc_opts *o)
{
	struct timespec idle;
	uint64_t cycle;
	int rc;

	idle.tv_sec = (time_t)(o->fdt_interval_ms / 1000);
	idle.tv_nsec = (long)(o->fdt_interval_ms % 1000) * 1000000;
	rc = ol_start(o);
	for (cycle = 0; rc == 0 && !nc_stopping() &&
	    (o->cycles == 0 || cycle < o->cycles); cycle++) {
		rc = ol_refresh();
		if (rc == 0 && ol.nsend == 0 && o->cycles != 0 && cycle == 0) {
			log_warnx("%s: no object could be read", o->objects);
			rc = NC_EX_NOINPUT;
		} else if (rc == 0 && ol.nsend == 0) {
			nanosleep(&idle, NULL);	/* until files appear */
		} else if (rc == 0) {
			rc = ol_cycle();
		}
	}
	ol_free();
	return rc;
}
