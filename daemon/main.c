/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c: nipcached's life: options, config, the init order (undone in
 * reverse), signals through a signalfd, housekeeping, reload and stop.
 * Always in the foreground: it never forks.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "../carousel/rx.h"
#include "cache.h"
#include "conf.h"
#include "frontend.h"
#include "hold.h"
#include "httpd.h"
#include "log.h"
#include "metrics.h"
#include "names.h"
#include "nip.h"
#include "repair.h"
#include "notify.h"
#include "stage.h"
#include "status.h"
#include "util.h"

/* sysexits(3) codes. */
#define EX_OK_		0
#define EX_USAGE_	64
#define EX_SOFTWARE_	70
#define EX_OSERR_	71
#define EX_CANTCREAT_	73
#define EX_CONFIG_	78

#define DEFAULT_CONFIG	"/etc/nipcache/nipcached.conf"
#define TICK_MS		500
#define READY_POLL_MS	10	/* until ready (see main_poll_ms) */
#define READY_FAST_MS	2000

static struct conf *main_conf;
static int main_cache_up;	/* cache_init succeeded: shut it down */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: nipcached [--config FILE] [-n] [--help] [--version]\n"
	    "  -c, --config FILE  configuration (default " DEFAULT_CONFIG ")\n"
	    "  -n, --check        check the configuration and exit\n"
	    "  -d, --debug        log at debug level\n"
	    "  -h, --help         this text\n"
	    "  -V, --version      print the version\n");
}

static int
main_options(int argc, char **argv, const char **path, int *check, int *debug)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "c:ndhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': *path = optarg; break;
		case 'n': *check = 1; break;
		case 'd': *debug = 1; break;
		case 'h': usage(stdout); exit(EX_OK_);
		case 'V': printf("nipcached %s\n", NIPCACHE_VERSION); exit(EX_OK_);
		default: usage(stderr); exit(EX_USAGE_);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(EX_USAGE_);
	}
	return 0;
}

/* Block the signals we handle (threads inherit the mask) and open a signalfd. */
static int
main_signals(void)
{
	sigset_t set;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		fatalx("pthread_sigmask failed");
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		fatal("signalfd");
	return fd;
}

/*
 * Descriptors the configured caps can take at once: an HTTP connection
 * each, a staging file per object in flight, a socket per channel, plus a
 * margin for the cache, repair transfers, epoll, timers and the log.
 */
#define MAIN_FD_MARGIN	256

static uint64_t
main_fds_needed(const struct conf *c)
{
	return (uint64_t)c->http_max_conns + c->reasm.max_objects +
	    c->nsrcs + MAIN_FD_MARGIN;
}

/*
 * Raise the descriptor limit to the hard limit (segments are served from
 * descriptors), and say so when even that is below what the caps need:
 * the daemon still runs, but a flood up to the caps would meet EMFILE.
 */
static void
main_rlimit(const struct conf *c)
{
	uint64_t need = main_fds_needed(c);
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		log_warn("getrlimit RLIMIT_NOFILE");
		return;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			log_warn("setrlimit RLIMIT_NOFILE");
		else if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
			return;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
		log_warnx("descriptor limit %llu is below the %llu the caps "
		    "need ([http] max_connections + [carousel] max_objects + "
		    "channels + %d): raise LimitNOFILE or lower the caps",
		    (unsigned long long)rl.rlim_cur, (unsigned long long)need,
		    MAIN_FD_MARGIN);
	else
		log_info("descriptor limit %llu (the caps need %llu)",
		    (unsigned long long)rl.rlim_cur, (unsigned long long)need);
}

static int
health_hook(char *buf, size_t len)
{
	return metrics_health(buf, len);
}

static size_t
metrics_hook(char *buf, size_t len)
{
	return metrics_render(buf, len);
}

/* Only an origin is configured: path fetches count as origin fetches. */
static _Atomic int main_from_origin;

/*
 * httpd asks whether a missing object is on its way.  Announced objects
 * come by broadcast (or reasm hands them to repair when they stall); others
 * are fetched by cache path from a repair base or the origin.
 */
static int
main_fetch(const char *path, int urgent)
{
	enum repair_state rs = repair_path_state(path);
	enum hold_state hs = hold_state(path);

	if (rs == REPAIR_ST_PENDING) {
		if (urgent)
			repair_hurry(path);
		return 1;
	}
	if (hs == HOLD_LOST || rs == REPAIR_ST_FAILED)
		return 0;
	if (hs == HOLD_PENDING) {
		/*
		 * Announced, so the broadcast may still bring it (or its FDT
		 * came and its packets were lost).  A waiting player starts a
		 * repair after the usual back-off; if the object is cached by
		 * then, the job is dropped.
		 */
		if (urgent)
			(void)repair_path(path, OBJ_REPAIR_PLAYER, 0);
		return 1;
	}
	return repair_path(path, atomic_load(&main_from_origin) ?
	    OBJ_REPAIR_ORIGIN : OBJ_REPAIR_PLAYER, urgent) == 0;
}

/* util_now_ms() when the receiver last counted a datagram (main loop). */
static _Atomic uint64_t main_rx_last_ms;
static uint64_t main_rx_datagrams;
/* Bytes the receiver holds for TOIs no FDT declared yet. */
static _Atomic uint64_t main_rx_prefdt;

static void
main_watch_rx(uint64_t now)
{
	struct rx_stats st;

	rx_get_stats(&st);
	atomic_store(&main_rx_prefdt, st.reasm.prefdt_bytes_now);
	if (st.datagrams != main_rx_datagrams || main_rx_last_ms == 0) {
		main_rx_datagrams = st.datagrams;
		atomic_store(&main_rx_last_ms, now);
	}
}

/*
 * A live playlist went stale.  Only a total loss of signal makes it a
 * case for the terrestrial side: while datagrams still arrive (loss, a
 * late version under repair) the broadcast brings the next version, and
 * a copy from the origin would list segments ahead of the broadcast that
 * would all be fetched over unicast.  A live carousel sends something at
 * least every target duration, so a silence that long is a lost signal.
 */
static void
main_refresh(const char *path, uint64_t seq, uint32_t target_ms)
{
	uint64_t last = atomic_load(&main_rx_last_ms);

	if (last != 0 && util_now_ms() - last < target_ms)
		return;
	(void)repair_refresh(path, seq);
}

/* /status.json is the status module's, every other document the NIP's. */
static int
main_document(const char *path, const char *host, struct httpd_doc *out)
{
	if (strcmp(path, STATUS_PATH) == 0)
		return status_document(out);
	return nip_document(path, host, out);
}

static const struct httpd_hooks main_hooks = {
	health_hook, metrics_hook, main_document, nip_touch, main_fetch,
	main_refresh
};

/* The committer's verdict goes to rx (done markers) and to repair. */
static void
main_commit_result(const struct obj_key *key, enum obj_result res)
{
	rx_commit_result(key, res);
	repair_commit_result(key, res);
}

static int
main_sink_repair(void *ctx, void *h, const struct obj_meta *m,
    const struct obj_range *r, size_t n, uint64_t lost,
    enum obj_repair_trigger why)
{
	(void)ctx;
	return repair_object(h, m, r, n, lost, why);
}

/*
 * An FDT announced an object, or its packets are arriving: players asking
 * for it are held, and a fetch of it by path waits (main_repair_wait).
 */
static void
main_sink_broadcast(const struct obj_meta *m, int receiving)
{
	char path[NAMES_MAX + 1];

	if (m->location != NULL &&
	    names_from_location(m->location, path, sizeof(path)) == 0)
		hold_broadcast(path, receiving);
}

static void
main_sink_announce(void *ctx, const struct obj_meta *m)
{
	(void)ctx;
	main_sink_broadcast(m, 0);
}

static void
main_sink_receiving(void *ctx, const struct obj_meta *m)
{
	(void)ctx;
	main_sink_broadcast(m, 1);
}

/* The sink rx writes through: the stage's, plus repair and announce. */
static struct obj_sink main_sink;

static void
main_repair_failed(const struct obj_key *key, const char *path)
{
	if (key != NULL)
		rx_commit_result(key, OBJ_EIO);
	if (path != NULL)
		hold_lost(path);
}

/*
 * A repair job was queued: players may wait for it now, and one that is
 * waiting already makes it skip its back-off.
 */
static void
main_repair_queued(const char *path)
{
	hold_announce(path);
	if (hold_waiting(path))
		repair_hurry(path);
}

/* [repair] reception_timeout, for the repair thread. */
static _Atomic uint32_t main_rto_ms;

/*
 * A fetch by path is due.  While the receiver hears the broadcast, it
 * waits for an object the broadcast is bringing, so that a player's
 * request does not fetch whole what the broadcast delivers (or repairs by
 * range) a moment later: one whose packets are arriving (when they stop,
 * the receiver hands its gaps to repair after the reception timeout); one
 * just announced, for a second, since a sender's packets follow its FDT;
 * and one not announced yet while the receiver holds packets waiting for
 * their FDT, for a reception timeout after the fetch was asked (a
 * playlist names a segment whose FDT was lost: an FDT repeat comes).
 * Waits without such evidence would only delay a player: after a loss of
 * signal, the FDT repeats announce segments whose packets went by in it.
 * A silent receiver brings nothing: fetch now.
 */
static uint64_t
main_repair_wait(const char *path, uint64_t queued_ms)
{
	uint64_t now = util_now_ms(), last = atomic_load(&main_rx_last_ms);
	uint64_t ann, rcv, rto = atomic_load(&main_rto_ms);

	if (rto == 0 || last == 0 || now - last >= rto)
		return 0;
	hold_broadcast_times(path, &ann, &rcv);
	if (rcv != 0 && now - rcv < rto + 2 * OBJ_RECEIVING_MS)
		return now + OBJ_RECEIVING_MS;
	if (ann != 0 && rcv < ann && now - ann < 2 * OBJ_RECEIVING_MS)
		return ann + 2 * OBJ_RECEIVING_MS;
	if (ann == 0 && atomic_load(&main_rx_prefdt) > 0 &&
	    now - queued_ms < rto)
		return queued_ms + rto;
	log_debug("repair: %s by path: announced %lld ms ago, packets %lld "
	    "ms ago, asked %llu ms ago", path, ann ? (long long)(now - ann) :
	    -1LL, rcv ? (long long)(now - rcv) : -1LL,
	    (unsigned long long)(now - queued_ms));
	return 0;
}

static int
main_cached(const char *path)
{
	struct cache_hit h;

	return cache_peek(path, &h) == 0;
}

/* [repair] as repair_params. */
static void
main_repair_params(const struct conf *c, struct repair_params *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->enabled = c->repair_enabled;
	for (i = 0; i < c->repair_nbase; i++) {
		util_strlcpy(p->base[i].url, c->repair_base[i],
		    sizeof(p->base[i].url));
		p->base[i].weight = c->repair_base_weight[i];
	}
	p->nbase = c->repair_nbase;
	util_strlcpy(p->origin, c->repair_origin, sizeof(p->origin));
	p->fixed_backoff_ms = c->repair_fixed_backoff_ms;
	p->random_backoff_ms = c->repair_random_backoff_ms;
	p->max_parallel = c->repair_max_parallel;
	p->timeout_ms = c->repair_timeout_ms;
	p->max_object_bytes = c->reasm.max_object_bytes;
	atomic_store(&main_from_origin, c->repair_nbase == 0 &&
	    c->repair_origin[0] != '\0');
}

static void
main_start_repair(const struct conf *c)
{
	struct repair_hooks h;
	struct repair_params p;

	memset(&h, 0, sizeof(h));
	h.sink = stage_sink();
	h.failed = main_repair_failed;
	h.queued = main_repair_queued;
	h.cached = main_cached;
	h.wait = main_repair_wait;
	atomic_store(&main_rto_ms, c->repair_reception_timeout_ms);
	main_repair_params(c, &p);
	if (repair_start(&p, &h) < 0)
		fatalx("cannot start the repair thread");
	main_sink = *stage_sink();
	main_sink.repair = main_sink_repair;
	main_sink.announce = main_sink_announce;
	main_sink.receiving = main_sink_receiving;
}

/* 1 if dir is a mount point (its device differs from its parent's). */
static int
main_is_mountpoint(const char *dir)
{
	char parent[4200];
	struct stat a, b;

	snprintf(parent, sizeof(parent), "%s/..", dir);
	if (stat(dir, &a) < 0 || stat(parent, &b) < 0)
		return 0;
	return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

/* Try to open the cache once.  1 ready, 0 not yet (late mount), -1 fatal. */
static int
main_try_cache(const struct conf *c)
{
	struct cache_params cp;
	char err[512];
	int r;

	if (c->require_mount && !main_is_mountpoint(c->cache_dir))
		return 0;
	memset(&cp, 0, sizeof(cp));
	cp.dir = c->cache_dir;
	cp.max_bytes = c->max_bytes;
	cp.min_free_bytes = c->min_free_bytes;
	cp.min_free_pct = c->min_free_pct;
	cp.fsync_mode = (int)c->fsync;
	cp.mem_max = c->http_mem_max;
	cp.mem_budget = 4 << 20;
	cp.on_publish = hold_published;
	r = cache_init(&cp, err, sizeof(err));
	if (r < 0) {
		log_warnx("cache %s: %s", c->cache_dir, err);
		return -1;
	}
	return r == 0 ? 1 : 0;
}

/* Each new NIF version goes to the tuners that follow it. */
static void
main_follow_nif(void)
{
	static uint64_t seen;
	const struct nif *nif;
	uint64_t gen = 0;

	if ((nif = nip_nif(&gen)) != NULL && gen != seen) {
		seen = gen;
		frontend_nif(nif);
	}
}

static void
main_start_pipeline(const struct conf *c)
{
	struct stage_params sp;
	struct rx_params rp;

	memset(&sp, 0, sizeof(sp));
	sp.dir = c->cache_dir;
	sp.fsync_mode = (int)c->fsync;
	sp.max_decoded_bytes = c->max_decoded_bytes;
	sp.mem_max = c->http_mem_max;
	sp.queue_max = 4096;
	if (stage_start(&sp, main_commit_result) < 0)
		fatalx("cannot start the committer thread");
	main_start_repair(c);
	memset(&rp, 0, sizeof(rp));
	util_strlcpy(rp.interface, c->interface, sizeof(rp.interface));
	rp.rcvbuf = c->rcvbuf;
	rp.batch = 64;
	rp.reasm = c->reasm;
	if (frontend_start(c, &rp) < 0)
		fatalx("cannot set up the inputs");
	if (rx_start(&rp, c->srcs, c->nsrcs, &main_sink) < 0)
		fatalx("cannot start the receive thread");
	/* The NIP manager hands rx its channels from now on. */
	if (nip_start(c) < 0)
		fatalx("cannot start the NIP manager");
}

/* SIGHUP: re-read the config; apply what can change live, log the rest. */
/*
 * Both confs are calloc()ed and their inputs and tuners start as memset()
 * structures, so padding compares equal: at worst a value set twice leaves
 * bytes after its string and a reload warns needlessly.
 */
static int
main_inputs_differ(const struct conf *n, const struct conf *o)
{
	/* NOLINTNEXTLINE(bugprone-suspicious-memory-comparison) */
	return memcmp(n->inputs, o->inputs, sizeof(n->inputs)) != 0 ||
	    /* NOLINTNEXTLINE(bugprone-suspicious-memory-comparison) */
	    memcmp(n->tuners, o->tuners, sizeof(n->tuners)) != 0;
}

static void
main_reload(void)
{
	struct conf *n, *o = main_conf;
	struct repair_params rp;
	char err[512];
	size_t i;

	if (conf_load(o->path, &n, err, sizeof(err)) < 0) {
		log_warnx("reload: %s; keeping the running configuration", err);
		return;
	}
	log_setlevel(n->log_level);
	if (rx_set_params(&n->reasm) < 0)
		log_warnx("reload: the new [carousel] bounds were not applied");
	nip_reload(n);
	main_repair_params(n, &rp);
	repair_set_params(&rp);
	atomic_store(&main_rto_ms, n->repair_reception_timeout_ms);
	cache_set_limits(n->max_bytes, n->min_free_bytes, n->min_free_pct);
	if (strcmp(n->cache_dir, o->cache_dir) != 0)
		log_warnx("reload: [cache] dir changes need a restart");
	if (strcmp(n->interface, o->interface) != 0)
		log_warnx("reload: [input] interface changes need a restart");
	if (n->nlisten != o->nlisten || n->http_threads != o->http_threads ||
	    n->http_max_conns != o->http_max_conns ||
	    n->http_per_client != o->http_per_client ||
	    n->http_timeout_s != o->http_timeout_s ||
	    n->http_mem_max != o->http_mem_max ||
	    n->http_header_ms != o->http_header_ms ||
	    n->http_rate != o->http_rate ||
	    n->http_max_held != o->http_max_held ||
	    n->http_held_per_client != o->http_held_per_client ||
	    memcmp(&n->http_admin_allow, &o->http_admin_allow,
	    sizeof(n->http_admin_allow)) != 0 ||
	    memcmp(&n->http_limit_exempt, &o->http_limit_exempt,
	    sizeof(n->http_limit_exempt)) != 0 ||
	    strcmp(n->http_ui_dir, o->http_ui_dir) != 0)
		log_warnx("reload: [http] changes need a restart");
	if (n->fsync != o->fsync || n->max_decoded_bytes != o->max_decoded_bytes ||
	    n->require_mount != o->require_mount || n->rcvbuf != o->rcvbuf)
		log_warnx("reload: [cache] fsync, max_decoded_size, "
		    "require_mount and [input] receive_buffer changes need a "
		    "restart");
	if (n->ninputs != o->ninputs || n->ntuners != o->ntuners ||
	    n->sockets != o->sockets || n->pace_realtime != o->pace_realtime ||
	    main_inputs_differ(n, o))
		log_warnx("reload: [input] ts, gse, pcap, dvb, pace, sockets "
		    "and [tuner] changes need a restart");
	for (i = 0; i < n->nlisten && i < o->nlisten; i++)
		if (strcmp(n->listen[i], o->listen[i]) != 0)
			log_warnx("reload: [http] listen changes need a restart");
	log_info("reload: %s applied (%zu channels)", n->path, n->nsrcs);
	/* Other threads copied what they need at start: o can go. */
	conf_free(o);
	main_conf = n;
}

/* Returns 1 when asked to stop. */
static int
main_signal(int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			notify_send("RELOADING=1");
			main_reload();
			notify_send("READY=1");
		} else {
			log_info("signal %u: stopping", si.ssi_signo);
			return 1;
		}
	}
	return 0;
}

static void
main_status(void)
{
	struct cache_stats cs;
	struct rx_stats rs;
	char buf[256];

	if (!cache_ready())
		return;
	cache_get_stats(&cs);
	rx_get_stats(&rs);
	snprintf(buf, sizeof(buf), "STATUS=%llu objects, %llu MB cached; "
	    "%llu channels, %llu sessions, %llu in flight",
	    (unsigned long long)cs.objects,
	    (unsigned long long)(cs.bytes >> 20),
	    (unsigned long long)rs.sockets,
	    (unsigned long long)rs.reasm.sessions_now,
	    (unsigned long long)rs.reasm.objects_now);
	notify_send(buf);
}

/*
 * How long the main loop sleeps: a tick, but READY_POLL_MS until rx has
 * joined its channels, for at most READY_FAST_MS after the pipeline
 * started.  rx joins on its own thread and does not wake this one, so
 * without this READY and /health would follow every (re)start by up to a
 * tick; a join that keeps failing falls back to the tick.
 */
static int
main_poll_ms(int running, uint64_t started, uint64_t now)
{
	if (running && !metrics_is_ready() && now - started < READY_FAST_MS)
		return READY_POLL_MS;
	return TICK_MS;
}

/*
 * Wait for the cache (late mounts), then run until a stop signal.  Returns
 * EX_OK_, or EX_CANTCREAT_ when the cache folder cannot be used.
 */
static int
main_loop(int sfd)
{
	struct pollfd pfd[2] = { { sfd, POLLIN, 0 }, { -1, POLLIN, 0 } };
	uint64_t wd = notify_watchdog_ms(), last_wd = 0, last_hk = 0;
	uint64_t last_wait_log = 0, started = 0, now;
	int running = 0;

	for (;;) {
		now = util_now_ms();
		if (!main_cache_up) {
			int r = main_try_cache(main_conf);

			if (r < 0)
				return EX_CANTCREAT_;
			if (r == 0 && now - last_wait_log >= 60000) {
				log_warnx("cache %s: not there (or not mounted) "
				    "yet; waiting", main_conf->cache_dir);
				notify_send("STATUS=waiting for the cache disk");
				last_wait_log = now;
			}
			if (r == 1) {
				main_cache_up = 1;
				main_start_pipeline(main_conf);
				running = 1;
				started = now;
			}
		}
		if (running && !metrics_is_ready() && rx_ready()) {
			metrics_set_ready(1);
			notify_send("READY=1");
			log_info("ready");
		}
		if (wd && now - last_wd >= wd / 2) {
			notify_send("WATCHDOG=1");
			last_wd = now;
		}
		if (main_cache_up && now - last_hk >= 5000) {
			cache_housekeep();
			main_status();
			last_hk = now;
		}
		if (running) {
			nip_tick(now);
			main_follow_nif();
			main_watch_rx(now);
		}
		pfd[1].fd = nip_wakefd();
		if (poll(pfd, 2, main_poll_ms(running, started, now)) > 0 &&
		    (pfd[0].revents & POLLIN) && main_signal(sfd))
			break;
	}
	notify_send("STOPPING=1");
	metrics_set_ready(0);
	if (running) {
		rx_stop();
		frontend_stop();
		repair_stop();
		stage_stop();
	}
	return EX_OK_;
}

int
main(int argc, char **argv)
{
	const char *path = DEFAULT_CONFIG;
	char err[512];
	int check = 0, debug = 0, sfd, r;

	main_options(argc, argv, &path, &check, &debug);
	log_init("nipcached", debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	if (conf_load(path, &main_conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "nipcached: %s\n", err);
		return EX_CONFIG_;
	}
	if (check) {
		printf("nipcached: %s: configuration OK\n", path);
		conf_free(main_conf);
		return EX_OK_;
	}
	if (!debug)
		log_setlevel(main_conf->log_level);
	/* libxml2's global state is set up once, before any thread parses. */
	xmlInitParser();
	sfd = main_signals();
	main_rlimit(main_conf);
	metrics_init();
	if (hold_init(NULL) < 0)
		fatalx("cannot start the hold table");
	if (httpd_start(main_conf, &main_hooks) < 0)
		return EX_OSERR_;
	log_info("nipcached %s started (config %s, cache %s)", NIPCACHE_VERSION,
	    path, main_conf->cache_dir);
	r = main_loop(sfd);
	httpd_stop();
	hold_shutdown();
	nip_stop();
	if (main_cache_up)
		cache_shutdown();
	conf_free(main_conf);
	close(sfd);
	if (r == EX_OK_)
		log_info("stopped");
	return r;
}
