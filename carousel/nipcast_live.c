/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipcast_live.c: --live, the sender for a live HLS packager's folder
 * (ffmpeg -f hls -hls_flags temp_file+delete_segments and the like).
 *
 * inotify tells us when a playlist is complete (IN_CLOSE_WRITE, or
 * IN_MOVED_TO when it is renamed into place).  Each new playlist version
 * is parsed; every segment, init section (#EXT-X-MAP) or key it lists that
 * has not been sent yet goes out once under a new TOI, and then the
 * playlist itself under a new TOI, each preceded by an FDT that describes
 * it.  Files that no playlist lists are never sent.  Between updates the
 * current playlists are repeated every second (same TOI while unchanged)
 * and the FDT every FDT interval, for receivers that tune in late.
 *
 * Memory stays bounded: a segment is forgotten once it is deleted or no
 * playlist has listed it for PRUNE_NS, and it has left the FDT window.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uthash.h>

#include "../daemon/log.h"
#include "../daemon/util.h"
#include "nipcast.h"

#define NS		1000000000ull
#define REPEAT_NS	(1 * NS)	/* current playlists are repeated */
#define RECENT_NS	(30 * NS)	/* segments stay in the FDT this long */
#define PRUNE_NS	(300 * NS)	/* unlisted segments are forgotten */
#define PLAYLIST_MAX	(4u << 20)	/* bytes of playlist read */
#define WATCH_MASK	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | \
			 IN_DELETE | IN_CREATE)
#define DEPTH_MAX	16
#define URI_MAX		4096

/* A watched folder: wd -> (root, path relative to the root). */
struct watch {
	UT_hash_handle	hh;
	int		wd;		/* key */
	int		root;
	char		*rel;
};

/* A segment, init section or key: sent once per content. */
struct seg {
	UT_hash_handle	hh;
	char		*path;		/* key: file system path */
	char		*location;
	uint64_t	size;
	struct timespec	mtime;
	uint64_t	listed_ns;	/* last listed by a playlist */
	uint64_t	sent_ns;	/* 0 while pending */
	int		deleted;
	int		fd;		/* open while pending */
	struct nc_obj	obj;
};

/* A playlist: the version last read, repeated until it changes. */
struct playlist {
	UT_hash_handle	hh;
	char		*path;		/* key */
	char		*location;
	int		root;
	char		*rel;
	uint8_t		*data;		/* as read */
	size_t		len;
	uint8_t		*enc;		/* gzip encoding, if --gzip */
	uint64_t	sent_ns;
	struct nc_obj	obj;
};

static struct {
	const struct nc_opts *o;
	int		ifd;
	struct watch	*watches;
	struct seg	*segs;
	struct playlist	*playlists;
	struct nc_fdt	fdt;
	uint32_t	next_toi;
	FILE		*spool;		/* gzip of pending segments */
	uint64_t	spool_size;
	uint64_t	pruned_ns;
} lv;

static void live_tree(int root, const char *rel, int depth);

static char *
root_path(int root, const char *rel)
{
	char *p;

	if (asprintf(&p, "%s%s%s", lv.o->paths[root], *rel ? "/" : "",
	    rel) < 0)
		return NULL;
	return p;
}

static int
is_playlist(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcasecmp(name + n - 5, ".m3u8") == 0;
}

static uint32_t
toi_alloc(void)
{
	uint32_t toi = lv.next_toi;

	lv.next_toi = lv.next_toi == UINT32_MAX ? 1 : lv.next_toi + 1;
	return toi;
}

static char *
make_location(const char *rel)
{
	char loc[URI_MAX];

	if (ftx_location(lv.o->url_base, rel, loc, sizeof(loc)) < 0)
		return NULL;
	return strdup(loc);
}

/*
 * The FDT: current playlists, then the segments about to be sent, then
 * the recently sent ones.  Returns how many of pending[] it describes.
 */
static size_t
live_fdt(struct seg **pending, size_t npend)
{
	size_t n = 0, npl = HASH_COUNT(lv.playlists), nout = 0;
	struct ftx_file *files;
	struct playlist *p, *ptmp;
	struct seg *s, *stmp;
	uint64_t now = nc_mono_ns();
	size_t i;

	files = calloc(npl + npend + HASH_COUNT(lv.segs) + 1, sizeof(*files));
	if (files == NULL)
		return 0;
	HASH_ITER(hh, lv.playlists, p, ptmp)
		nc_obj_file(&p->obj, &files[n++]);
	for (i = 0; i < npend; i++)
		nc_obj_file(&pending[i]->obj, &files[n++]);
	HASH_ITER(hh, lv.segs, s, stmp)
		if (s->sent_ns != 0 && now - s->sent_ns < RECENT_NS)
			nc_obj_file(&s->obj, &files[n++]);
	if (n > 0 && nc_fdt_build(&lv.fdt, files, n, &nout) < 0)
		nout = 0;
	if (n == 0)
		nc_fdt_clear(&lv.fdt);
	free(files);
	return nout > npl ? (nout - npl < npend ? nout - npl : npend) : 0;
}

static void
seg_free(struct seg *s)
{
	HASH_DEL(lv.segs, s);
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	free(s->location);
	free(s);
}

/* Open, hash and (with --gzip) encode a segment about to be sent. */
static int
seg_prepare(struct seg *s, const struct stat *st)
{
	uint64_t elen;

	s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0 || (lv.o->md5 && nc_md5_fd(s->fd,
	    (uint64_t)st->st_size, s->obj.md5) < 0))
		return -1;
	s->size = (uint64_t)st->st_size;
	s->mtime = st->st_mtim;
	s->obj.has_md5 = (uint8_t)lv.o->md5;
	s->obj.content_len = s->size;
	s->obj.src.fd = s->fd;
	s->obj.src.base = 0;
	s->obj.src.len = s->size;
	if (lv.o->gzip) {
		if (lv.spool == NULL && (lv.spool = tmpfile()) == NULL)
			return -1;
		if (nc_gzip_fd(s->fd, s->size, fileno(lv.spool),
		    lv.spool_size, &elen) < 0)
			return -1;
		s->obj.gzip = 1;
		s->obj.src.fd = fileno(lv.spool);
		s->obj.src.base = lv.spool_size;
		s->obj.src.len = elen;
		lv.spool_size += elen;
	}
	s->obj.max_sbl = nc_block_for(s->obj.src.len);
	if (s->obj.max_sbl == 0)
		return -1;
	s->obj.toi = toi_alloc();
	s->sent_ns = 0;
	s->deleted = 0;
	return 0;
}

static struct seg *
seg_new(char *path, const char *rel)
{
	struct seg *s;

	s = calloc(1, sizeof(*s));
	if (s == NULL || (s->location = make_location(rel)) == NULL) {
		free(s);
		free(path);
		return NULL;
	}
	s->path = path;
	s->fd = -1;
	s->obj.location = s->location;
	s->obj.ctype = nc_ctype(rel);
	HASH_ADD_KEYPTR(hh, lv.segs, s->path, strlen(s->path), s);
	return s;
}

/* Known and unchanged; a packager restarted with the same names is not. */
static int
seg_same(const struct seg *s, const struct stat *st)
{
	return s->sent_ns == 0 || (s->size == (uint64_t)st->st_size &&
	    s->mtime.tv_sec == st->st_mtim.tv_sec &&
	    s->mtime.tv_nsec == st->st_mtim.tv_nsec);
}

/* A URI of a playlist: 1 if it is new (or changed) and must be sent. */
static int
seg_listed(struct playlist *p, const char *uri, struct seg **out)
{
	char rel[URI_MAX], dir[URI_MAX], *slash, *path;
	struct stat st;
	struct seg *s;

	util_strlcpy(dir, p->rel, sizeof(dir));
	slash = strrchr(dir, '/');
	*(slash != NULL ? slash : dir) = '\0';
	if (ftx_hls_resolve(dir, uri, rel, sizeof(rel)) < 0) {
		log_warnx_rl("%s: cannot send URI %s", p->path, uri);
		return 0;
	}
	path = root_path(p->root, rel);
	if (path == NULL)
		return 0;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_warnx_rl("%s: listed %s is missing", p->path, path);
		free(path);
		return 0;
	}
	HASH_FIND_STR(lv.segs, path, s);
	if (s != NULL)
		free(path);
	else if ((s = seg_new(path, rel)) == NULL)
		return 0;
	s->listed_ns = nc_mono_ns();
	if (s->obj.toi != 0 && seg_same(s, &st))
		return 0;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (seg_prepare(s, &st) < 0) {
		log_warn_rl("%s", s->path);
		/* One sent before may still be in the FDT: prune it later. */
		if (s->sent_ns != 0)
			s->deleted = 1;
		else
			seg_free(s);
		return 0;
	}
	*out = s;
	return 1;
}

/* Collect the new segments of a playlist version (pending[] grows). */
static size_t
pl_new_segments(struct playlist *p, const uint8_t *data, size_t len,
    struct seg ***pending)
{
	char uri[URI_MAX];
	enum ftx_hls_kind kind;
	size_t pos = 0, n = 0, cap = 0;
	struct seg *s, **grown;

	*pending = NULL;
	while (ftx_hls_next((const char *)data, len, &pos, uri, sizeof(uri),
	    &kind)) {
		if (kind == FTX_HLS_PLAYLIST || !seg_listed(p, uri, &s))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			/* An array of pointers: the element is a pointer. */
			/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
			grown = realloc(*pending, cap * sizeof(**pending));
			if (grown == NULL)
				break;
			*pending = grown;
		}
		(*pending)[n++] = s;
	}
	return n;
}

static int
send_segments(struct seg **pending, size_t n)
{
	size_t i = 0, j, k;
	int rc = 0;

	while (i < n && rc == 0 && !nc_stopping()) {
		k = live_fdt(pending + i, n - i);
		if (k == 0) {
			log_warnx_rl("FDT too small for %s",
			    pending[i]->location);
			k = 1;
		}
		for (j = i; j < i + k && rc == 0 && !nc_stopping(); j++) {
			rc = nc_tx_object(&pending[j]->obj, &lv.fdt);
			pending[j]->sent_ns = nc_mono_ns();
			close(pending[j]->fd);
			pending[j]->fd = -1;
			pending[j]->obj.src.fd = -1;
		}
		i += k;
	}
	/* Every pending segment is out: the spool can start over. */
	if (lv.spool != NULL && ftruncate(fileno(lv.spool), 0) == 0)
		lv.spool_size = 0;
	return rc;
}

/* Install a new version of a playlist under a new TOI. */
static int
pl_install(struct playlist *p, uint8_t *data, size_t len)
{
	size_t elen = len;

	free(p->data);
	free(p->enc);
	p->data = data;
	p->len = len;
	p->enc = NULL;
	p->obj.src.mem = data;
	p->obj.gzip = 0;
	if (lv.o->gzip && nc_gzip_mem(data, len, &p->enc, &elen) == 0) {
		p->obj.src.mem = p->enc;
		p->obj.gzip = 1;
	}
	p->obj.src.fd = -1;
	p->obj.src.len = p->obj.gzip ? elen : len;
	p->obj.content_len = len;
	p->obj.has_md5 = (uint8_t)lv.o->md5;
	util_md5(data, len, p->obj.md5);
	p->obj.max_sbl = nc_block_for(p->obj.src.len);
	p->obj.toi = toi_alloc();
	return 0;
}

/* Read a playlist whole; NULL if it vanished or is absurdly big. */
static uint8_t *
pl_read(const char *path, size_t *len)
{
	uint8_t *buf;
	struct stat st;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = NULL;
	if (fstat(fd, &st) == 0 && (uint64_t)st.st_size <= PLAYLIST_MAX &&
	    (buf = malloc((size_t)st.st_size + 1)) != NULL) {
		r = read(fd, buf, (size_t)st.st_size + 1);
		if (r < 0 || (size_t)r > (size_t)st.st_size) {
			free(buf);
			buf = NULL;
		} else {
			*len = (size_t)r;
		}
	}
	close(fd);
	return buf;
}

static struct playlist *
pl_get(int root, const char *rel, const char *path)
{
	struct playlist *p;

	HASH_FIND_STR(lv.playlists, path, p);
	if (p != NULL)
		return p;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->path = strdup(path);
	p->rel = strdup(rel);
	p->location = make_location(rel);
	if (p->path == NULL || p->rel == NULL || p->location == NULL) {
		free(p->path);
		free(p->rel);
		free(p->location);
		free(p);
		return NULL;
	}
	p->root = root;
	p->obj.location = p->location;
	p->obj.ctype = nc_ctype(rel);
	p->obj.src.fd = -1;
	return p;
}

/*
 * A playlist was written: send what it newly lists, then the playlist.
 * Until then its previous version (if any) stays current.
 */
static int
on_playlist(int root, const char *rel)
{
	struct playlist *p;
	struct seg **pending;
	uint8_t *data;
	size_t len, n;
	char *path;
	int rc = 0, isnew;

	path = root_path(root, rel);
	if (path == NULL)
		return 0;
	data = pl_read(path, &len);
	p = data != NULL ? pl_get(root, rel, path) : NULL;
	free(path);
	if (p == NULL || (p->data != NULL && p->len == len &&
	    memcmp(p->data, data, len) == 0)) {
		free(data);
		return 0;
	}
	isnew = p->data == NULL;
	n = pl_new_segments(p, data, len, &pending);
	if (n > 0)
		rc = send_segments(pending, n);
	free(pending);
	pl_install(p, data, len);
	if (isnew)
		HASH_ADD_KEYPTR(hh, lv.playlists, p->path, strlen(p->path), p);
	log_debug("%s: TOI %u, %zu new segments", p->location, p->obj.toi, n);
	live_fdt(NULL, 0);
	if (rc == 0 && !nc_stopping())
		rc = nc_tx_object(&p->obj, &lv.fdt);
	p->sent_ns = nc_mono_ns();
	return rc;
}

static void
pl_free(struct playlist *p)
{
	/* uthash frees its table with the last item: no use after free. */
	/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
	HASH_DEL(lv.playlists, p);
	free(p->path);
	free(p->rel);
	free(p->location);
	free(p->data);
	free(p->enc);
	free(p);
}

/* A file went away: stop repeating a playlist, or forget a segment. */
static void
on_gone(int root, const char *rel)
{
	struct playlist *p;
	struct seg *s;
	char *path = root_path(root, rel);

	if (path == NULL)
		return;
	HASH_FIND_STR(lv.playlists, path, p);
	if (p != NULL) {
		pl_free(p);
		live_fdt(NULL, 0);
	}
	HASH_FIND_STR(lv.segs, path, s);
	if (s != NULL)
		s->deleted = 1;
	free(path);
}

/* Forget segments that left both the playlists and the FDT window. */
static void
live_prune(uint64_t now)
{
	struct seg *s, *tmp;
	size_t n = 0;

	HASH_ITER(hh, lv.segs, s, tmp) {
		if (s->sent_ns == 0 || now - s->sent_ns < RECENT_NS)
			continue;
		if (s->deleted || now - s->listed_ns > PRUNE_NS) {
			seg_free(s);
			n++;
		}
	}
	/* The FDT borrowed their names: rebuild it without them. */
	if (n > 0) {
		/* False positive after seg_free()'s HASH_DEL, as in pl_free(). */
		/* NOLINTBEGIN(clang-analyzer-unix.Malloc) */
		log_debug("forgot %zu segments, %u remembered", n,
		    HASH_COUNT(lv.segs));
		/* NOLINTEND(clang-analyzer-unix.Malloc) */
		live_fdt(NULL, 0);
	}
	lv.pruned_ns = now;
}

static void
watch_add(int root, const char *rel)
{
	struct watch *w;
	char *path = root_path(root, rel);
	int wd;

	if (path == NULL)
		return;
	wd = inotify_add_watch(lv.ifd, path, WATCH_MASK);
	if (wd < 0)
		log_warn("inotify %s", path);
	free(path);
	if (wd < 0)
		return;
	HASH_FIND_INT(lv.watches, &wd, w);
	if (w == NULL) {
		w = calloc(1, sizeof(*w));
		if (w == NULL)
			return;
		w->wd = wd;
		HASH_ADD_INT(lv.watches, wd, w);
	}
	free(w->rel);
	w->root = root;
	w->rel = strdup(rel);
}

static void
live_child(int root, const char *rel, const char *name, int depth)
{
	char *crel, *path;
	struct stat st;

	if (asprintf(&crel, "%s%s%s", rel, *rel ? "/" : "", name) < 0)
		return;
	path = root_path(root, crel);
	if (path != NULL && stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode) && depth < DEPTH_MAX)
			live_tree(root, crel, depth + 1);
		else if (S_ISREG(st.st_mode) && is_playlist(name))
			on_playlist(root, crel);
	}
	free(path);
	free(crel);
}

/* Watch a folder and its subfolders; send the playlists already there. */
static void
live_tree(int root, const char *rel, int depth)
{
	struct dirent *de;
	char *path;
	DIR *d;

	watch_add(root, rel);
	path = root_path(root, rel);
	d = path != NULL ? opendir(path) : NULL;
	free(path);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && !nc_stopping())
		if (de->d_name[0] != '.')
			live_child(root, rel, de->d_name, depth);
	closedir(d);
}

static void
live_rescan(void)
{
	int i;

	for (i = 0; i < lv.o->npaths; i++)
		live_tree(i, "", 0);
}

static int
on_event(const struct inotify_event *ev)
{
	struct watch *w;
	char *rel;
	int rc = 0;

	if (ev->mask & IN_Q_OVERFLOW) {
		log_warnx("inotify queue overflow: rescanning");
		live_rescan();
		return 0;
	}
	HASH_FIND_INT(lv.watches, &ev->wd, w);
	if (w == NULL)
		return 0;
	if (ev->mask & IN_IGNORED) {
		HASH_DEL(lv.watches, w);
		free(w->rel);
		free(w);
		return 0;
	}
	if (ev->len == 0 || ev->name[0] == '.' ||
	    asprintf(&rel, "%s%s%s", w->rel, *w->rel ? "/" : "", ev->name) < 0)
		return 0;
	if (ev->mask & IN_ISDIR) {
		if (ev->mask & (IN_CREATE | IN_MOVED_TO))
			live_tree(w->root, rel, 1);
	} else if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
		on_gone(w->root, rel);
	} else if (is_playlist(ev->name) &&
	    (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))) {
		rc = on_playlist(w->root, rel);
	}
	free(rel);
	return rc;
}

static int
live_events(void)
{
	char buf[64 * 1024] __attribute__((aligned(8)));
	const struct inotify_event *ev;
	ssize_t n;
	char *p;
	int rc = 0;

	n = read(lv.ifd, buf, sizeof(buf));
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	for (p = buf; p < buf + n && rc == 0 && !nc_stopping();
	    p += sizeof(*ev) + ev->len) {
		ev = (const struct inotify_event *)(void *)p;
		rc = on_event(ev);
	}
	return rc;
}

/* Repeat the current playlists and the FDT; *timeout: ms until due. */
static int
live_repeat(int *timeout)
{
	uint64_t ival = nc_fdt_ival_ns();
	uint64_t now = nc_mono_ns(), due = now + REPEAT_NS;
	struct playlist *p, *tmp;
	int rc = 0;

	if (now - lv.pruned_ns >= REPEAT_NS)
		live_prune(now);
	HASH_ITER(hh, lv.playlists, p, tmp) {
		if (rc == 0 && now - p->sent_ns >= REPEAT_NS) {
			rc = nc_tx_object(&p->obj, &lv.fdt);
			p->sent_ns = nc_mono_ns();
		}
		if (p->sent_ns + REPEAT_NS < due)
			due = p->sent_ns + REPEAT_NS;
	}
	now = nc_mono_ns();
	if (rc == 0 && lv.fdt.xml != NULL) {
		if (now - lv.fdt.last_ns >= ival &&
		    nc_fdt_refresh(&lv.fdt) == 0)
			rc = nc_tx_fdt(&lv.fdt);
		if (lv.fdt.last_ns + ival < due)
			due = lv.fdt.last_ns + ival;
	}
	now = nc_mono_ns();
	*timeout = due > now ? (int)((due - now) / 1000000) + 1 : 1;
	return rc;
}

static void
live_free(void)
{
	struct playlist *p, *ptmp;
	struct seg *s, *stmp;
	struct watch *w, *wtmp;

	HASH_ITER(hh, lv.playlists, p, ptmp)
		pl_free(p);
	HASH_ITER(hh, lv.segs, s, stmp)
		seg_free(s);
	HASH_ITER(hh, lv.watches, w, wtmp) {
		/* uthash frees its table with the last item: no use after free. */
		/* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
		HASH_DEL(lv.watches, w);
		free(w->rel);
		free(w);
	}
	nc_fdt_clear(&lv.fdt);
	if (lv.spool != NULL)
		fclose(lv.spool);
	if (lv.ifd >= 0)
		close(lv.ifd);
}

int
nc_live_run(const struct nc_opts *o)
{
	struct pollfd pfd;
	int rc = 0, timeout = 0;

	lv.o = o;
	lv.next_toi = o->toi_start;
	lv.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (lv.ifd < 0) {
		log_warn("inotify_init1");
		return NC_EX_IOERR;
	}
	live_rescan();
	while (rc == 0 && !nc_stopping()) {
		rc = live_repeat(&timeout);
		pfd.fd = lv.ifd;
		pfd.events = POLLIN;
		if (rc == 0 && poll(&pfd, 1, timeout) > 0)
			rc = live_events();
	}
	live_free();
	return rc == 0 ? 0 : NC_EX_IOERR;
}
