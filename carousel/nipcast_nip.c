/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipcast_nip.c: nipcast --nip DESC, a whole DVB-NIP network on one box.
 * The supervisor sends nothing itself.  It writes the six signalling
 * documents of the description (nipcast_sig.c) into a private temporary
 * folder, and runs one child nipcast per session, each a plain mode of
 * this same program started from /proc/self/exe:
 *
 *   announce    --objects: bootstrap, NIF, SIF, SLEP, service list on
 *               224.0.23.14:3937 TSI 0;
 *   gateway     --objects: the gateway configuration on its session;
 *   NAME        --live (or a static folder carousel) of each service's
 *               HLS folder on the service's session, under
 *               http://dvb.gw/DOMAIN/NAME/.
 *
 * Documents are replaced atomically (temporary file, rename) and only
 * when their text changes, so the --objects children send a new TOI
 * exactly for what changed.  SIGHUP re-reads the description: versions are
 * carried and bumped, children of removed services are stopped, new ones
 * started, changed ones restarted.  A child that dies is restarted after
 * a back-off that doubles up to BACKOFF_MAX_MS.  SIGINT or SIGTERM stop
 * every child (SIGTERM, then SIGKILL after STOP_WAIT_MS) and remove the
 * folder.  Children get SIGTERM if the supervisor dies (nc_nip_child).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../daemon/log.h"
#include "../daemon/util.h"
#include "nipcast.h"

#define DESC_MAX	(1u << 20)	/* bytes of description read */
#define ARGV_MAX	28
#define STOP_WAIT_MS	3000
#define BACKOFF_MIN_MS	500
#define BACKOFF_MAX_MS	30000
#define HEALTHY_MS	60000		/* ran this long: back-off starts over */
#define TICK_MS		250
#define ENV_PARENT	"NIPCAST_SUPERVISOR"
#define ANNOUNCE_LIST	"announce.list"
#define GATEWAY_LIST	"gateway.list"

extern char **environ;

/* One child sender: its role, how it is started and how it is doing. */
struct child {
	char		role[NC_NAME_MAX + 16];
	char		*argv[ARGV_MAX];	/* owned, NULL-terminated */
	pid_t		pid;			/* 0: not running */
	uint64_t	started_ms;
	uint64_t	restart_ms;		/* start again then (if pid 0) */
	uint64_t	backoff_ms;
};

static struct {
	const struct nc_opts *o;
	char		dir[PATH_MAX];		/* "" until made */
	struct nc_desc	desc;
	struct child	*kids;
	size_t		nkids;
} nip;

/* ---- the description and the documents ---- */

/* Read a small file whole and NUL-terminated; NULL (errno) on failure. */
static char *
file_read(const char *path, size_t max, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		goto out;
	if ((uint64_t)st.st_size > max) {
		errno = EFBIG;
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto out;
	r = read(fd, buf, (size_t)st.st_size + 1);
	if (r < 0 || (size_t)r > (size_t)st.st_size) {
		errno = r < 0 ? errno : EFBIG;	/* it grew meanwhile */
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[r] = '\0';
	*len = (size_t)r;
out:
	close(fd);
	return buf;
}

/* hls folders are relative to the description's folder; they must exist. */
static int
desc_folders(const char *path, struct nc_desc *d)
{
	char *copy = xstrdup(path), *dir = dirname(copy), *abs;
	struct stat st;
	size_t i;
	int rc = 0;

	for (i = 0; i < d->nsvc && rc == 0; i++) {
		struct nc_svc *s = &d->svc[i];

		if (s->hls[0] != '/') {
			if (asprintf(&abs, "%s/%s", dir, s->hls) < 0)
				fatal("asprintf");
			free(s->hls);
			s->hls = abs;
		}
		if (stat(s->hls, &st) < 0) {
			log_warn("%s:%d: [service %s] hls: %s", path,
			    s->hls_line, s->name, s->hls);
			rc = NC_EX_NOINPUT;
		} else if (!S_ISDIR(st.st_mode)) {
			log_warnx("%s:%d: [service %s] hls: %s is not a "
			    "folder", path, s->hls_line, s->name, s->hls);
			rc = NC_EX_NOINPUT;
		}
	}
	free(copy);
	return rc;
}

/* Parse DESC into *d.  0, NC_EX_NOINPUT or NC_EX_USAGE (all logged). */
static int
desc_load(const char *path, struct nc_desc *d)
{
	char err[512], *text;
	size_t len = 0;
	int rc;

	text = file_read(path, DESC_MAX, &len);
	if (text == NULL) {
		log_warn("%s", path);
		return NC_EX_NOINPUT;
	}
	rc = nc_desc_parse(text, len, path, d, err, sizeof(err));
	free(text);
	if (rc < 0) {
		log_warnx("%s", err);
		return NC_EX_USAGE;
	}
	rc = desc_folders(path, d);
	if (rc != 0) {
		nc_desc_free(d);
		return rc;
	}
	d->rate = nip.o->rate;
	d->updated = util_wall_s();
	d->fec_fei = nip.o->fec;
	d->fec_overhead = nip.o->overhead;
	return 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Replace dir/name with buf unless it already holds exactly that: a new
 * file means a new TOI on the air.  Written beside it, then renamed.
 * Returns 1 if written, 0 if unchanged, -1 on error (logged).
 */
static int
file_put(const char *dir, const char *name, const char *buf, size_t len)
{
	char path[PATH_MAX], tmp[PATH_MAX], *old;
	size_t olen = 0;
	int fd, same;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	old = file_read(path, len, &olen);
	same = old != NULL && olen == len && memcmp(old, buf, len) == 0;
	free(old);
	if (same)
		return 0;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, buf, len) < 0 || close(fd) < 0 ||
	    rename(tmp, path) < 0) {
		log_warn("%s", path);
		if (fd >= 0)
			unlink(tmp);
		return -1;
	}
	return 1;
}

/* Write the six documents into dir; 0 or -1. */
static int
docs_write(const char *dir, const struct nc_desc *d)
{
	char *buf;
	size_t len;
	int i, r;

	for (i = 0; i < NC_DOC_N; i++) {
		if (nc_sig_render(d, (enum nc_doc)i, &buf, &len) < 0) {
			log_warnx("%s: out of memory", nc_sig_file(i));
			return -1;
		}
		r = file_put(dir, nc_sig_file(i), buf, len);
		free(buf);
		if (r < 0)
			return -1;
		if (r > 0)
			log_info("%s/%s: written", dir, nc_sig_file(i));
	}
	return 0;
}

/* One "FILE LOCATION TYPE" line of an --objects list. */
static void
list_line(char *buf, size_t cap, const struct nc_desc *d, enum nc_doc doc)
{
	char loc[1024];
	size_t n = strlen(buf);

	if (nc_sig_location(d, doc, loc, sizeof(loc)) < 0)
		fatalx("%s: location too long", nc_sig_file(doc));
	snprintf(buf + n, cap - n, "%s %s %s\n", nc_sig_file(doc), loc,
	    nc_sig_ctype(doc));
}

/* The lists the two --objects children carousel (names relative). */
static int
lists_write(const char *dir, const struct nc_desc *d)
{
	static const enum nc_doc announced[] = {
		NC_DOC_BOOTSTRAP, NC_DOC_NIF, NC_DOC_SIF, NC_DOC_SLEP,
		NC_DOC_LIST
	};
	char buf[8192] = "# written by nipcast --nip\n";
	size_t i;

	for (i = 0; i < sizeof(announced) / sizeof(announced[0]); i++)
		list_line(buf, sizeof(buf), d, announced[i]);
	if (file_put(dir, ANNOUNCE_LIST, buf, strlen(buf)) < 0)
		return -1;
	util_strlcpy(buf, "# written by nipcast --nip\n", sizeof(buf));
	list_line(buf, sizeof(buf), d, NC_DOC_GATEWAY);
	return file_put(dir, GATEWAY_LIST, buf, strlen(buf)) < 0 ? -1 : 0;
}

/* Remove the private folder and what is in it (nothing nested). */
static void
dir_remove(const char *dir)
{
	struct dirent *de;
	DIR *dp;

	if (*dir == '\0' || (dp = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(dp), de->d_name, 0) < 0)
			log_warn("%s/%s", dir, de->d_name);
	}
	closedir(dp);
	if (rmdir(dir) < 0)
		log_warn("%s", dir);
}

/* ---- children ---- */

static void
argv_free(char **argv)
{
	int i;

	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	argv[0] = NULL;
}

static void
argv_add(struct child *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
argv_add(struct child *c, const char *fmt, ...)
{
	va_list ap;
	int i;

	for (i = 0; c->argv[i] != NULL; i++)
		;
	if (i >= ARGV_MAX - 1)
		fatalx("%s: too many arguments", c->role);
	va_start(ap, fmt);
	if (vasprintf(&c->argv[i], fmt, ap) < 0)
		fatal("vasprintf");
	va_end(ap);
	c->argv[i + 1] = NULL;
}

/* -g GROUP:PORT -t TSI, then the options every child shares. */
static void
argv_common(struct child *c, const char *group, unsigned port, uint32_t tsi)
{
	const struct nc_opts *o = nip.o;
	int i;

	argv_add(c, "nipcast/%s", c->role);
	argv_add(c, "-g");
	argv_add(c, strchr(group, ':') != NULL ? "[%s]:%u" : "%s:%u", group,
	    port);
	argv_add(c, "-t");
	argv_add(c, "%u", tsi);
	argv_add(c, "-r");
	argv_add(c, "%llu", (unsigned long long)o->rate);
	argv_add(c, "--ttl");
	argv_add(c, "%d", o->ttl);
	if (o->ifname != NULL) {
		argv_add(c, "-i");
		argv_add(c, "%s", o->ifname);
	}
	if (o->naci_arg != NULL) {
		argv_add(c, "--naci");
		argv_add(c, "%s", o->naci_arg);
	}
	for (i = 0; i < o->verbose && i < 3; i++)
		argv_add(c, "-v");
}

static void
spec_objects(struct child *c, const char *role, const char *group,
    unsigned port, uint32_t tsi, const char *list)
{
	memset(c, 0, sizeof(*c));
	util_strlcpy(c->role, role, sizeof(c->role));
	argv_common(c, group, port, tsi);
	argv_add(c, "-c");
	argv_add(c, "0");
	argv_add(c, "--objects");
	argv_add(c, "%s/%s", nip.dir, list);
}

static void
spec_service(struct child *c, const struct nc_desc *d, const struct nc_svc *s)
{
	char base[1024];

	memset(c, 0, sizeof(*c));
	util_strlcpy(c->role, s->name, sizeof(c->role));
	argv_common(c, s->session.group, s->session.port, s->session.tsi);
	if (s->live) {
		argv_add(c, "--live");
	} else {
		argv_add(c, "-c");
		argv_add(c, "0");
	}
	if (nc_sig_url_base(d, s, base, sizeof(base)) < 0)
		fatalx("%s: URL too long", s->name);
	argv_add(c, "--url-base");
	argv_add(c, "%s", base);
	/*
	 * FEC on the service sessions only, where the gateway configuration
	 * signals it; the announcement and gateway sessions stay No-Code, so
	 * that any gateway can bootstrap from them.
	 */
	if (d->fec_fei != FTX_FEI_NOCODE) {
		argv_add(c, "--fec");
		argv_add(c, "%s", nc_fec_name(d->fec_fei));
		argv_add(c, "--overhead");
		argv_add(c, "%u", d->fec_overhead);
	}
	argv_add(c, "%s", s->hls);
}

/* The children a description needs, in a new array. */
static struct child *
specs_make(const struct nc_desc *d, size_t *n)
{
	struct child *v = xcalloc(d->nsvc + 2, sizeof(*v));
	size_t i;

	spec_objects(&v[0], "announce", NC_ANNOUNCE_GROUP, NC_ANNOUNCE_PORT,
	    0, ANNOUNCE_LIST);
	spec_objects(&v[1], "gateway", d->gateway.group, d->gateway.port,
	    d->gateway.tsi, GATEWAY_LIST);
	for (i = 0; i < d->nsvc; i++)
		spec_service(&v[i + 2], d, &d->svc[i]);
	*n = d->nsvc + 2;
	return v;
}

static void
child_start(struct child *c)
{
	posix_spawnattr_t attr;
	sigset_t none, dflt;
	pid_t pid;
	int r;

	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGHUP);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGCHLD);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	r = posix_spawn(&pid, "/proc/self/exe", NULL, &attr, c->argv,
	    environ);
	posix_spawnattr_destroy(&attr);
	c->started_ms = util_now_ms();
	if (r != 0) {
		errno = r;
		log_warn("%s: cannot start", c->role);
		c->pid = 0;
		c->backoff_ms = c->backoff_ms ? c->backoff_ms : BACKOFF_MIN_MS;
		c->restart_ms = c->started_ms + c->backoff_ms;
		return;
	}
	c->pid = pid;
	log_info("%s: started, pid %d", c->role, (int)pid);
}

static void
child_log_exit(const struct child *c, int status, uint64_t delay)
{
	if (WIFSIGNALED(status))
		log_warnx("%s: pid %d killed by signal %d; restart in %llu ms",
		    c->role, (int)c->pid, WTERMSIG(status),
		    (unsigned long long)delay);
	else
		log_warnx("%s: pid %d exited with %d; restart in %llu ms",
		    c->role, (int)c->pid, WEXITSTATUS(status),
		    (unsigned long long)delay);
}

/* A child died on its own: schedule it again after its back-off. */
static void
child_died(struct child *c, int status)
{
	uint64_t now = util_now_ms();

	if (now - c->started_ms >= HEALTHY_MS || c->backoff_ms == 0)
		c->backoff_ms = BACKOFF_MIN_MS;
	else if (c->backoff_ms < BACKOFF_MAX_MS)
		c->backoff_ms = c->backoff_ms * 2 < BACKOFF_MAX_MS ?
		    c->backoff_ms * 2 : BACKOFF_MAX_MS;
	child_log_exit(c, status, c->backoff_ms);
	c->pid = 0;
	c->restart_ms = now + c->backoff_ms;
}

static void
reap(void)
{
	size_t i;
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (i = 0; i < nip.nkids; i++)
			if (nip.kids[i].pid == pid)
				child_died(&nip.kids[i], status);
}

static void
restart_due(void)
{
	uint64_t now = util_now_ms();
	size_t i;

	for (i = 0; i < nip.nkids; i++)
		if (nip.kids[i].pid == 0 && now >= nip.kids[i].restart_ms)
			child_start(&nip.kids[i]);
}

/*
 * Stop these children: SIGTERM, up to STOP_WAIT_MS for them to exit,
 * then SIGKILL.  Each is waited for, so none is left a zombie.
 */
static void
children_stop(struct child **v, size_t n)
{
	static const struct timespec nap = { 0, 20000000 };
	uint64_t until = util_now_ms() + STOP_WAIT_MS;
	size_t i, left;
	int status;

	for (i = 0; i < n; i++)
		if (v[i]->pid > 0)
			kill(v[i]->pid, SIGTERM);
	do {
		for (i = 0, left = 0; i < n; i++) {
			if (v[i]->pid > 0 &&
			    waitpid(v[i]->pid, &status, WNOHANG) != 0)
				v[i]->pid = 0;
			left += v[i]->pid > 0;
		}
		if (left > 0)
			nanosleep(&nap, NULL);
	} while (left > 0 && util_now_ms() < until);
	for (i = 0; i < n; i++) {
		if (v[i]->pid <= 0)
			continue;
		log_warnx("%s: pid %d ignored SIGTERM, killing it",
		    v[i]->role, (int)v[i]->pid);
		kill(v[i]->pid, SIGKILL);
		waitpid(v[i]->pid, &status, 0);
		v[i]->pid = 0;
	}
}

static void
kids_free(struct child *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		argv_free(v[i].argv);
	free(v);
}

static int
argv_same(char *const *a, char *const *b)
{
	int i;

	for (i = 0; a[i] != NULL && b[i] != NULL; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return a[i] == NULL && b[i] == NULL;
}

/*
 * Move to a new set of children: one whose role and arguments are
 * unchanged keeps running, the others are stopped (at once, bounded) and
 * the new ones started.
 */
static void
kids_replace(struct child *nv, size_t nn)
{
	/* An array of pointers: the element is a pointer. */
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	struct child **stop = xcalloc(nip.nkids + 1, sizeof(*stop));
	size_t i, j, nstop = 0;

	for (j = 0; j < nip.nkids; j++) {
		struct child *c = &nip.kids[j];

		for (i = 0; i < nn; i++)
			if (strcmp(nv[i].role, c->role) == 0 &&
			    argv_same(nv[i].argv, c->argv))
				break;
		if (i < nn) {
			nv[i].pid = c->pid;
			nv[i].started_ms = c->started_ms;
			nv[i].restart_ms = c->restart_ms;
			nv[i].backoff_ms = c->backoff_ms;
		} else {
			stop[nstop++] = c;
			log_info("%s: stopping", c->role);
		}
	}
	children_stop(stop, nstop);
	free(stop);
	kids_free(nip.kids, nip.nkids);
	nip.kids = nv;
	nip.nkids = nn;
	restart_due();
}

/* ---- the supervisor ---- */

/* SIGHUP: a bad description leaves everything as it is. */
static void
nip_reload(void)
{
	struct nc_desc nd;
	struct child *nv;
	size_t nn;

	if (desc_load(nip.o->nip, &nd) != 0) {
		log_warnx("%s: not reloaded, still sending the previous one",
		    nip.o->nip);
		return;
	}
	nc_sig_carry(&nd, &nip.desc);
	if (docs_write(nip.dir, &nd) < 0 || lists_write(nip.dir, &nd) < 0)
		log_warnx("%s: documents not all written", nip.dir);
	nc_desc_free(&nip.desc);
	nip.desc = nd;
	nv = specs_make(&nip.desc, &nn);
	kids_replace(nv, nn);
	log_info("%s: reloaded: list version %u, %zu services", nip.o->nip,
	    nip.desc.list_version, nip.desc.nsvc);
}

/* Wait for signals and children until SIGINT or SIGTERM. */
static void
nip_loop(const sigset_t *set)
{
	struct timespec tick = { 0, TICK_MS * 1000000L };
	siginfo_t si;
	int sig;

	for (;;) {
		sig = sigtimedwait(set, &si, &tick);
		if (sig == SIGINT || sig == SIGTERM) {
			log_info("signal %d: stopping", sig);
			return;
		}
		if (sig == SIGHUP)
			nip_reload();
		reap();
		restart_due();
	}
}

static int
nip_setup(void)
{
	const char *tmp = getenv("TMPDIR");
	char pid[24];

	snprintf(nip.dir, sizeof(nip.dir), "%s/nipcast-nip.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(nip.dir) == NULL) {
		log_warn("mkdtemp %s", nip.dir);
		nip.dir[0] = '\0';
		return NC_EX_IOERR;
	}
	if (docs_write(nip.dir, &nip.desc) < 0 ||
	    lists_write(nip.dir, &nip.desc) < 0)
		return NC_EX_IOERR;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv(ENV_PARENT, pid, 1);
	nip.kids = specs_make(&nip.desc, &nip.nkids);
	return 0;
}

int
nc_nip_run(const struct nc_opts *o)
{
	struct child **all;
	sigset_t set;
	size_t i;
	int rc;

	nip.o = o;
	rc = desc_load(o->nip, &nip.desc);
	if (rc != 0)
		return rc;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	rc = nip_setup();
	if (rc == 0) {
		log_info("%s: %zu services, documents in %s", o->nip,
		    nip.desc.nsvc, nip.dir);
		restart_due();
		nip_loop(&set);
	}
	/* An array of pointers: the element is a pointer. */
	/* NOLINTNEXTLINE(bugprone-sizeof-expression) */
	all = xcalloc(nip.nkids + 1, sizeof(*all));
	for (i = 0; i < nip.nkids; i++)
		all[i] = &nip.kids[i];
	children_stop(all, nip.nkids);
	free(all);
	kids_free(nip.kids, nip.nkids);
	dir_remove(nip.dir);
	nc_desc_free(&nip.desc);
	return rc;
}

int
nc_nip_dump(const struct nc_opts *o)
{
	int rc;

	nip.o = o;
	rc = desc_load(o->nip, &nip.desc);
	if (rc != 0)
		return rc;
	if (mkdir(o->nip_dump, 0755) < 0 && errno != EEXIST) {
		log_warn("%s", o->nip_dump);
		rc = NC_EX_IOERR;
	} else if (docs_write(o->nip_dump, &nip.desc) < 0) {
		rc = NC_EX_IOERR;
	}
	nc_desc_free(&nip.desc);
	return rc;
}

void
nc_nip_child(void)
{
	const char *parent = getenv(ENV_PARENT);
	char *end;
	long pid;

	if (parent == NULL)
		return;
	/* Stop when the supervisor goes, even by SIGKILL. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	/* Gone already (or a malformed variable): stop too. */
	pid = strtol(parent, &end, 10);
	if (end == parent || *end != '\0' || getppid() != (pid_t)pid)
		kill(getpid(), SIGTERM);
}
