/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipcast.c: a FLUTE carousel sender.  Options (nipcast_opts.c), then one
 * of four modes:
 * the folder carousel below (files and folders sent in cycles, rescanned
 * at most once a second; an unchanged object keeps its TOI, a changed one
 * gets a new TOI), the live HLS watcher (nipcast_live.c), the --objects
 * list carousel (nipcast_obj.c) or the --nip supervisor (nipcast_nip.c),
 * which runs the other modes as child processes.  The packets themselves
 * leave through nipcast_tx.c: to the UDP socket of -g, or with --output
 * as IP/UDP packets in an MPEG-2 transport stream (MPE, to a file, a pipe
 * or ts:udp://), in GSE BBFrames or in a pcap file (nipcast_out.c).
 * --naci puts the DVB-NIP EXT_NACI header extension on every packet.
 * E.g. nipcast -g 239.1.1.1:5000 --output ts:udp://10.0.0.2:1234 DIR
 * or --output pcap:x.pcap --naci 1:2:3:4:me, or --output ts:- | reader.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <uthash.h>

#include "../daemon/log.h"
#include "../daemon/util.h"
#include "nipcast.h"

#ifndef NIPCACHE_VERSION
#define NIPCACHE_VERSION "dev"
#endif

#define WALK_DEPTH	32
#define SPOOL_SLACK	(64ull << 20)	/* spool garbage tolerated */
#define LOC_MAX		4096
#define RESCAN_NS	1000000000ull

/* One file of the carousel, keyed by its Content-Location. */
struct entry {
	UT_hash_handle	hh;
	char		*location;	/* key */
	char		*path;		/* where it is read from */
	uint64_t	size;
	struct timespec	mtime;
	int		seen;		/* found by the current scan */
	struct nc_obj	obj;
};

/* The folder carousel: objects, their FDT batches and the gzip spool. */
static struct {
	const struct nc_opts *o;
	struct entry	*byloc;
	struct entry	**order;	/* sorted by location */
	size_t		n;
	struct nc_fdt	*fdts;		/* one per batch */
	size_t		*first;		/* first object of each batch */
	size_t		nfdts;
	int		dirty;		/* FDT must be rebuilt */
	uint32_t	next_toi;
	FILE		*spool;
	uint64_t	spool_size;
	uint64_t	spool_live;
} car;

static uint32_t
toi_alloc(void)
{
	uint32_t toi = car.next_toi;

	car.next_toi = car.next_toi == UINT32_MAX ? 1 : car.next_toi + 1;
	return toi;
}

/* gzip a file to the end of the spool and point the object at it. */
static int
spool_add(struct entry *e, int fd)
{
	uint64_t elen;

	if (car.spool == NULL && (car.spool = tmpfile()) == NULL)
		return -1;
	if (nc_gzip_fd(fd, e->size, fileno(car.spool), car.spool_size,
	    &elen) < 0)
		return -1;
	e->obj.src.fd = fileno(car.spool);
	e->obj.src.base = car.spool_size;
	e->obj.src.len = elen;
	e->obj.src.path = NULL;
	car.spool_size += elen;
	car.spool_live += elen;
	return 0;
}

static void
spool_drop(struct entry *e)
{
	if (e->obj.gzip)
		car.spool_live -= e->obj.src.len;
	e->obj.gzip = 0;
}

/* Content for a new TOI: the file itself, or its gzip encoding. */
static int
entry_content(struct entry *e, int fd)
{
	spool_drop(e);
	e->obj.src.mem = NULL;
	e->obj.src.fd = -1;
	e->obj.src.base = 0;
	e->obj.src.path = e->path;
	e->obj.src.len = e->size;
	if (car.o->gzip) {
		if (spool_add(e, fd) < 0) {
			log_warn_rl("%s: gzip", e->path);
			return -1;
		}
		e->obj.gzip = 1;
	}
	e->obj.max_sbl = nc_block_for(e->obj.src.len);
	if (e->obj.max_sbl == 0) {
		log_warnx_rl("%s: too big for the source block numbers",
		    e->path);
		return -1;
	}
	return 0;
}

/*
 * A new or modified file: hash it and give it a new TOI unless its
 * content is what was sent before (touched but unchanged).
 */
static int
entry_update(struct entry *e, const struct stat *st)
{
	uint8_t md5[16] = { 0 };
	int fd, rc = -1;

	fd = open(e->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_warn_rl("%s", e->path);
		return -1;
	}
	if (car.o->md5 && nc_md5_fd(fd, (uint64_t)st->st_size, md5) < 0) {
		log_warn_rl("%s", e->path);
		goto close_fd;
	}
	rc = 0;
	if (e->obj.toi != 0 && car.o->md5 && e->size == (uint64_t)st->st_size &&
	    memcmp(md5, e->obj.md5, 16) == 0)
		goto keep;
	e->size = (uint64_t)st->st_size;
	e->obj.has_md5 = (uint8_t)car.o->md5;
	memcpy(e->obj.md5, md5, 16);
	e->obj.content_len = e->size;
	rc = entry_content(e, fd);
	e->obj.toi = rc == 0 ? toi_alloc() : 0;
	car.dirty = 1;
keep:
	e->mtime = st->st_mtim;
	/* Sent from its path: a replacement before then must not slip in. */
	e->obj.src.has_stamp = !e->obj.gzip;
	e->obj.src.mtime = st->st_mtim;
close_fd:
	close(fd);
	return rc;
}

static void
entry_free(struct entry *e)
{
	HASH_DEL(car.byloc, e);
	spool_drop(e);
	free(e->location);
	free(e->path);
	free(e);
}

/* A regular file found by the scan, relative path rel. */
static void
scan_file(const char *path, const char *rel, const struct stat *st)
{
	char loc[LOC_MAX];
	struct entry *e;

	if (ftx_location(car.o->url_base, rel, loc, sizeof(loc)) < 0) {
		log_warnx_rl("%s: location too long", path);
		return;
	}
	HASH_FIND_STR(car.byloc, loc, e);
	if (e != NULL && e->seen) {
		log_warnx_rl("%s: %s is already sent from %s", path, loc,
		    e->path);
		return;
	}
	if (e == NULL) {
		e = xcalloc(1, sizeof(*e));
		e->location = xstrdup(loc);
		e->path = xstrdup(path);
		e->obj.location = e->location;
		e->obj.ctype = nc_ctype(rel);
		e->obj.src.fd = -1;
		HASH_ADD_KEYPTR(hh, car.byloc, e->location, strlen(loc), e);
	} else if (strcmp(e->path, path) != 0) {
		free(e->path);
		e->path = xstrdup(path);
		e->obj.src.path = e->obj.gzip ? NULL : e->path;
	}
	e->seen = 1;
	if (e->obj.toi != 0 && e->size == (uint64_t)st->st_size &&
	    e->mtime.tv_sec == st->st_mtim.tv_sec &&
	    e->mtime.tv_nsec == st->st_mtim.tv_nsec)
		return;
	if (entry_update(e, st) < 0)
		e->seen = 0;		/* try again next cycle */
}

static void scan_dir(const char *path, const char *rel, int depth);

static void
scan_child(const char *dir, const char *rel, const char *name, int depth)
{
	char *path, *crel;
	struct stat st;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return;
	if (asprintf(&crel, "%s%s%s", rel, *rel != '\0' ? "/" : "", name) < 0) {
		free(path);
		return;
	}
	if (stat(path, &st) < 0)
		log_warn_rl("%s", path);
	else if (S_ISDIR(st.st_mode) && depth < WALK_DEPTH)
		scan_dir(path, crel, depth + 1);
	else if (S_ISREG(st.st_mode))
		scan_file(path, crel, &st);
	free(path);
	free(crel);
}

static int
visible(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

/*
 * Names in sorted order, so TOIs are allocated the same way every run;
 * hidden names (editors' and packagers' temporaries) are skipped.
 */
static void
scan_dir(const char *path, const char *rel, int depth)
{
	struct dirent **names;
	int i, n;

	n = scandir(path, &names, visible, alphasort);
	if (n < 0) {
		log_warn_rl("%s", path);
		return;
	}
	for (i = 0; i < n; i++) {
		scan_child(path, rel, names[i]->d_name, depth);
		free(names[i]);
	}
	free(names);
}

static int
cmp_loc(const void *a, const void *b)
{
	const struct entry *const *x = a, *const *y = b;

	return strcmp((*x)->location, (*y)->location);
}

/* Rewrite the spool with only live objects once garbage dominates. */
static void
spool_compact(void)
{
	FILE *old = car.spool;
	struct entry *e, *tmp;
	int fd;

	if (car.spool_size < 2 * car.spool_live + SPOOL_SLACK)
		return;
	log_debug("gzip spool: %llu bytes, %llu live: rewriting",
	    (unsigned long long)car.spool_size,
	    (unsigned long long)car.spool_live);
	car.spool = NULL;
	car.spool_size = car.spool_live = 0;
	HASH_ITER(hh, car.byloc, e, tmp) {
		if (!e->obj.gzip)
			continue;
		e->obj.gzip = 0;
		fd = open(e->path, O_RDONLY | O_CLOEXEC);
		/* zlib is deterministic: the same bytes, so the same TOI. */
		if (fd < 0 || spool_add(e, fd) < 0) {
			log_warn_rl("%s: gzip", e->path);
			e->obj.toi = 0;
			e->seen = 0;
		} else {
			e->obj.gzip = 1;
		}
		if (fd >= 0)
			close(fd);
	}
	fclose(old);
}

/* Forget files that disappeared or failed. */
static void
car_prune(void)
{
	struct entry *e, *tmp;

	HASH_ITER(hh, car.byloc, e, tmp)
		if (!e->seen || e->obj.toi == 0) {
			entry_free(e);
			car.dirty = 1;
		}
}

/* Rescan every PATH, forget what disappeared, order by location. */
static void
car_scan(void)
{
	struct entry *e, *tmp;
	struct stat st;
	char *copy;
	int i;

	HASH_ITER(hh, car.byloc, e, tmp)
		e->seen = 0;
	for (i = 0; i < car.o->npaths; i++) {
		const char *p = car.o->paths[i];

		if (stat(p, &st) < 0) {
			log_warn_rl("%s", p);
		} else if (S_ISDIR(st.st_mode)) {
			scan_dir(p, "", 0);
		} else {
			copy = xstrdup(p);
			scan_file(p, basename(copy), &st);
			free(copy);
		}
	}
	car_prune();
	spool_compact();
	car_prune();
	car.n = HASH_COUNT(car.byloc);
	/* An array of pointers: the element is a pointer. */
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	car.order = xrealloc(car.order, (car.n + 1) * sizeof(*car.order));
	car.n = 0;
	HASH_ITER(hh, car.byloc, e, tmp)
		car.order[car.n++] = e;
	/* An array of pointers: the element is a pointer. */
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	qsort(car.order, car.n, sizeof(*car.order), cmp_loc);
}

static void
fdts_clear(void)
{
	size_t i;

	for (i = 0; i < car.nfdts; i++)
		nc_fdt_clear(&car.fdts[i]);
	car.nfdts = 0;
}

/* One FDT instance while it fits in NC_FDT_MAX, else several batches. */
static int
car_fdts(void)
{
	struct ftx_file *files;
	size_t i, nout;

	fdts_clear();
	files = xcalloc(car.n + 1, sizeof(*files));
	car.fdts = xrealloc(car.fdts, (car.n + 1) * sizeof(*car.fdts));
	car.first = xrealloc(car.first, (car.n + 2) * sizeof(*car.first));
	memset(car.fdts, 0, (car.n + 1) * sizeof(*car.fdts));
	for (i = 0; i < car.n; i++)
		nc_obj_file(&car.order[i]->obj, &files[i]);
	for (i = 0; i < car.n; i += nout) {
		car.first[car.nfdts] = i;
		if (nc_fdt_build(&car.fdts[car.nfdts], files + i, car.n - i,
		    &nout) < 0) {
			free(files);
			return -1;
		}
		car.nfdts++;
	}
	car.first[car.nfdts] = car.n;
	free(files);
	car.dirty = 0;
	if (car.nfdts > 1)
		log_info("%zu objects announced in %zu FDT instances", car.n,
		    car.nfdts);
	return 0;
}

/* One pass over every object, each batch preceded by its FDT. */
static int
car_cycle(void)
{
	struct nc_fdt *f;
	size_t b, i;

	for (b = 0; b < car.nfdts && !nc_stopping(); b++) {
		f = &car.fdts[b];
		if (nc_fdt_refresh(f) < 0 || nc_tx_fdt(f) < 0)
			return NC_EX_IOERR;
		for (i = car.first[b]; i < car.first[b + 1] &&
		    !nc_stopping(); i++)
			if (nc_tx_object(&car.order[i]->obj, f) < 0)
				return NC_EX_IOERR;
	}
	return 0;
}

static void
car_free(void)
{
	struct entry *e, *tmp;

	fdts_clear();
	HASH_ITER(hh, car.byloc, e, tmp)
		entry_free(e);
	free(car.order);
	free(car.fdts);
	free(car.first);
	if (car.spool != NULL)
		fclose(car.spool);
}

static int
car_run(const struct nc_opts *o)
{
	struct timespec idle = { 0, 0 };
	uint64_t cycle, scanned = 0;
	int rc = 0;

	car.o = o;
	car.next_toi = o->toi_start;
	idle.tv_sec = (time_t)(o->fdt_interval_ms / 1000);
	idle.tv_nsec = (long)(o->fdt_interval_ms % 1000) * 1000000;
	for (cycle = 0; rc == 0 && !nc_stopping() &&
	    (o->cycles == 0 || cycle < o->cycles); cycle++) {
		/* Short cycles rescan the folders once a second at most. */
		if (cycle == 0 || nc_mono_ns() - scanned >= RESCAN_NS) {
			car_scan();
			scanned = nc_mono_ns();
		}
		if (car.n == 0 && cycle == 0) {
			log_warnx("no input files");
			rc = NC_EX_NOINPUT;
			break;
		}
		if (car.dirty && car_fdts() < 0)
			rc = NC_EX_IOERR;
		else if (car.n == 0)
			nanosleep(&idle, NULL);
		else
			rc = car_cycle();
		log_debug("cycle %llu done: %zu objects",
		    (unsigned long long)cycle + 1, car.n);
	}
	car_free();
	return rc;
}

static int
check_paths(const struct nc_opts *o)
{
	struct stat st;
	int i;

	for (i = 0; i < o->npaths; i++) {
		if (stat(o->paths[i], &st) < 0) {
			log_warn("%s", o->paths[i]);
			return NC_EX_NOINPUT;
		}
		if (o->live && !S_ISDIR(st.st_mode)) {
			log_warnx("%s: --live needs a folder", o->paths[i]);
			return NC_EX_USAGE;
		}
	}
	return 0;
}

/* Children of --nip are named "nipcast/ROLE" in argv[0] and in the log. */
static const char *
progname(const char *argv0)
{
	return strncmp(argv0, "nipcast/", 8) == 0 ? argv0 : "nipcast";
}

int
main(int argc, char **argv)
{
	struct nc_opts o;
	int rc;

	log_init(progname(argv[0]), LOG_LEVEL_WARN);
	rc = nc_parse_args(argc, argv, &o);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	log_setlevel(o.verbose >= 2 ? LOG_LEVEL_DEBUG : o.verbose == 1 ?
	    LOG_LEVEL_INFO : LOG_LEVEL_WARN);
	if (o.nip_dump != NULL)
		return nc_nip_dump(&o);
	if (o.nip != NULL)
		return nc_nip_run(&o);
	rc = check_paths(&o);
	if (rc != 0)
		return rc;
	nc_install_signals();
	if (strncmp(argv[0], "nipcast/", 8) == 0)
		nc_nip_child();
	rc = nc_tx_open(&o);
	if (rc == 0)
		rc = o.live ? nc_live_run(&o) : o.objects != NULL ?
		    nc_objects_run(&o) : car_run(&o);
	nc_tx_report();
	if (nc_tx_close() != 0 && rc == 0)
		rc = NC_EX_IOERR;
	return rc;
}
