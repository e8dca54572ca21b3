/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipcast_tx.c: the sending half of nipcast.  One UDP socket connected to
 * the group, sendmmsg batches, a token bucket on CLOCK_MONOTONIC, seeded
 * packet loss, FDT instances (built, refreshed before they expire, sent
 * before each object and every FDT interval) and the transmission of an
 * object's symbols straight from its file with pread.  With --output
 * ts:/gse:/pcap: each batch goes through nipcast_out.c instead of
 * sendmmsg, to a file, a pipe or the ts:udp:// socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../daemon/log.h"
#include "../daemon/util.h"
#include "nipcast.h"

#define BATCH_MAX	64
#define BURST_NS	4000000ll	/* credit kept when the sender idles */
#define BATCH_NS	1000000ull	/* a batch lasts about 1 ms */
#define FILE_BATCH_NS	10000000ull	/* 10 ms when written to a file */

static volatile sig_atomic_t stop_flag;

/* The process has one sender; its state lives here. */
static struct {
	const struct nc_opts *o;
	int		fd;		/* UDP socket (udp, ts:udp://) */
	int		family;		/* of the -g group */
	struct nc_out	*out;		/* --output other than udp */
	int		out_failed;	/* its write error was logged */
	int		out_fd;		/* its file, pipe or stdout */
	const struct ftx_naci *naci;	/* EXT_NACI on every packet */
	struct mmsghdr	msgs[BATCH_MAX];
	struct iovec	iov[BATCH_MAX][2];
	uint8_t		hdr[BATCH_MAX][FTX_MAX_HDR];
	uint8_t		*slots;		/* BATCH_MAX symbols of payload */
	unsigned	n;		/* messages queued */
	unsigned	nslots;		/* payload slots used */
	unsigned	max;		/* messages per batch */
	uint64_t	pending;	/* bytes charged at the next flush */
	int64_t		next_ns;	/* pacing: when the next batch may go */
	uint64_t	rng;
	uint16_t	fdt_e;		/* symbol length of FDT packets */
	int		fti_fits;	/* EXT_FTI fits on data packets */
	const struct nc_fdt *tail_fdt;	/* sent last, nothing after it */
	uint32_t	next_instance;
	uint64_t	start_ns;
	uint64_t	packets, bytes, dropped, fdt_packets, objects;
} tx = { .fd = -1, .out_fd = -1 };

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

void
nc_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int
nc_stopping(void)
{
	return stop_flag != 0;
}

uint64_t
nc_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Sizes that depend on the address family: FDT packets always carry
 * EXT_FDT and EXT_FTI, so over IPv6 their symbols are shortened to keep
 * every packet within NC_MTU; data packets get EXT_FTI only if it fits.
 * For ts: every datagram must fit one MPE section, or it is a usage error.
 */
static int
tx_sizes(const struct nc_opts *o)
{
	struct ftx_pkt fdt = { .has_fdt = 1, .has_fti = 1, .naci = tx.naci };
	struct ftx_pkt first = { .has_fti = 1, .naci = tx.naci };
	struct ftx_pkt data = { .toi = 1, .naci = tx.naci };
	size_t ip = (tx.family == AF_INET ? 20 : 40) + 8;
	size_t room = NC_MTU - ip - ftx_header_len(&fdt);
	uint64_t batch_ns = o->out.path != NULL ? FILE_BATCH_NS : BATCH_NS;

	tx.fdt_e = o->symbol_len < room ? o->symbol_len : (uint16_t)room;
	tx.fti_fits = ip + ftx_header_len(&first) + o->symbol_len <= NC_MTU;
	if (o->out.fmt == NC_OUT_TS &&
	    ip + ftx_header_len(&first) + o->symbol_len > NC_MPE_MAX) {
		log_warnx("symbol size %u: datagrams exceed the %d bytes of "
		    "an MPE section", o->symbol_len, NC_MPE_MAX);
		return NC_EX_USAGE;
	}
	if (o->out.fmt == NC_OUT_UDP &&
	    ip + ftx_header_len(&data) + o->symbol_len > NC_MTU)
		log_warnx("symbol size %u: packets exceed a %d-byte MTU "
		    "and will be fragmented", o->symbol_len, NC_MTU);
	/*
	 * About 1 ms of traffic per batch keeps bursts short at low rates;
	 * a file or pipe gets 10 ms, since each batch ends a TS packet or a
	 * BBFrame early (stuffing) so that the reader sees it at once.
	 */
	tx.max = BATCH_MAX;
	if (o->rate > 0) {
		uint64_t per = o->rate / 8 * batch_ns / 1000000000ull /
		    (o->symbol_len + 40);

		tx.max = per < 1 ? 1 : per > BATCH_MAX ? BATCH_MAX :
		    (unsigned)per;
	}
	return 0;
}

/*
 * A restarted sender must not reuse the instance IDs of its previous run
 * (a receiver skips an instance it has just applied), so start at a random
 * point of the 20-bit space rather than at a clock value that repeats within
 * a second.
 */
static uint32_t
tx_first_instance(void)
{
	uint32_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = (uint32_t)util_wall_s() ^ ((uint32_t)getpid() << 12);
	return v % FTX_INSTANCE_MOD;
}

/* The UDP socket, connected to -g or to the ts:udp:// target. */
static int
tx_socket(const struct nc_opts *o)
{
	if (o->out.fmt != NC_OUT_UDP)
		return nc_out_socket(o, &o->out.udp, o->out.udp_len, &tx.fd);
	return nc_out_socket(o, &o->group, o->group_len, &tx.fd);
}

/* --output ts:/gse:/pcap:: open the file (or the socket), then the muxer. */
static int
tx_output(const struct nc_opts *o)
{
	const char *path = o->out.path;
	struct ipudp h;
	int rc;

	if (path == NULL) {
		rc = tx_socket(o);
		if (rc != 0)
			return rc;
	} else if (strcmp(path, "-") == 0 && isatty(STDOUT_FILENO)) {
		log_warnx("--output %s: stdout is a terminal", o->out.spec);
		return NC_EX_USAGE;
	} else if ((tx.out_fd = nc_out_open_file(path)) < 0) {
		log_warn("--output %s", o->out.spec);
		return NC_EX_IOERR;
	}
	nc_out_ipudp(&o->out, &o->group, o->ttl, &h);
	tx.out = nc_out_new(&o->out, &h, path == NULL ? tx.fd : tx.out_fd,
	    nc_stopping);
	if (tx.out == NULL) {
		log_warnx("--output %s: out of memory", o->out.spec);
		return NC_EX_IOERR;
	}
	return 0;
}

int
nc_tx_open(const struct nc_opts *o)
{
	int rc;

	tx.o = o;
	tx.family = o->group.ss_family;
	tx.naci = o->has_naci ? &o->naci : NULL;
	tx.rng = o->seed * 0x9e3779b97f4a7c15ull + 1;
	tx.next_instance = tx_first_instance();
	tx.slots = malloc((size_t)BATCH_MAX * o->symbol_len);
	if (tx.slots == NULL) {
		log_warn("malloc");
		return NC_EX_IOERR;
	}
	rc = tx_sizes(o);
	if (rc != 0)
		return rc;
	return o->out.fmt == NC_OUT_UDP ? tx_socket(o) : tx_output(o);
}

/*
 * Why writing to the --output failed.  A write that a signal interrupted
 * while stopping is not an error: the reader stalled and we are leaving.
 */
static int
tx_out_error(void)
{
	if (errno == EINTR && nc_stopping())
		return 0;
	if (tx.out_failed++ > 0)
		return -1;		/* said once is enough */
	if (errno == EPIPE)
		log_warnx("--output %s: the reader went away (broken pipe)",
		    tx.o->out.spec);
	else
		log_warn("--output %s", tx.o->out.spec);
	return -1;
}

int
nc_tx_close(void)
{
	int rc = 0;

	if (tx.out != NULL && nc_out_free(tx.out) < 0 && tx_out_error() < 0)
		rc = NC_EX_IOERR;
	tx.out = NULL;
	if (tx.out_fd >= 0 && tx.out_fd != STDOUT_FILENO &&
	    close(tx.out_fd) < 0) {
		log_warn("--output %s: close", tx.o->out.spec);
		rc = NC_EX_IOERR;
	}
	tx.out_fd = -1;
	if (tx.fd >= 0)
		close(tx.fd);
	tx.fd = -1;
	free(tx.slots);
	tx.slots = NULL;
	return rc;
}

void
nc_tx_report(void)
{
	double s = tx.start_ns == 0 ? 0 :
	    (double)(nc_mono_ns() - tx.start_ns) / 1e9;

	log_info("sent %llu packets (%llu FDT), %llu payload bytes, "
	    "%llu objects, %llu dropped on purpose, %.3f s, %.1f Mbit/s",
	    (unsigned long long)tx.packets, (unsigned long long)tx.fdt_packets,
	    (unsigned long long)tx.bytes, (unsigned long long)tx.objects,
	    (unsigned long long)tx.dropped, s,
	    s > 0 ? (double)tx.bytes * 8 / s / 1e6 : 0.0);
}

/* xorshift64*: the seeded loss decisions. */
static int
tx_drop(void)
{
	uint64_t x;

	if (tx.o->loss <= 0)
		return 0;
	x = tx.rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	tx.rng = x;
	return (double)((x * 0x2545f4914f6cdd1dull) >> 11) / 9007199254740992.0
	    < tx.o->loss;
}

/* Sleep until the token bucket holds the bytes about to be sent. */
static void
tx_pace(void)
{
	int64_t now = (int64_t)nc_mono_ns();
	struct timespec ts;

	if (tx.o->rate == 0)
		return;
	if (tx.next_ns < now - BURST_NS)
		tx.next_ns = now - BURST_NS;
	while (tx.next_ns > now && !nc_stopping()) {
		ts.tv_sec = tx.next_ns / 1000000000ll;
		ts.tv_nsec = tx.next_ns % 1000000000ll;
		if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
		    NULL) == 0)
			break;
		now = (int64_t)nc_mono_ns();
	}
	tx.next_ns += (int64_t)(tx.pending * 8 * 1000000000ull / tx.o->rate);
}

/* The batch through the --output encapsulation, then out to its reader. */
static int
tx_write_out(void)
{
	unsigned i;

	for (i = 0; i < tx.n; i++)
		if (nc_out_datagram(tx.out, tx.iov[i], 2) < 0)
			return tx_out_error();
	if (nc_out_flush(tx.out) < 0)
		return tx_out_error();
	return 0;
}

int
nc_tx_flush(void)
{
	static const struct timespec backoff = { 0, 100000 };
	unsigned sent = 0;
	int r;

	if (tx.start_ns == 0)
		tx.start_ns = nc_mono_ns();
	tx_pace();
	if (tx.out != NULL) {
		r = tx_write_out();
		tx.n = 0;
		tx.nslots = 0;
		tx.pending = 0;
		return r;
	}
	while (sent < tx.n) {
		r = sendmmsg(tx.fd, tx.msgs + sent, tx.n - sent, 0);
		if (r > 0) {
			sent += (unsigned)r;
		} else if (errno == EINTR) {
			continue;
		} else if (errno == ENOBUFS || errno == EAGAIN) {
			nanosleep(&backoff, NULL);
		} else if (errno == ECONNREFUSED) {
			sent++;		/* a unicast target without listener */
		} else {
			log_warn("sendmmsg");
			return -1;
		}
	}
	tx.n = 0;
	tx.nslots = 0;
	tx.pending = 0;
	return 0;
}

/* Queue one packet (or drop it on purpose); flushes a full batch. */
int
nc_tx_queue(const struct ftx_pkt *h, const uint8_t *payload, size_t len)
{
	struct ftx_pkt hn = *h;
	struct msghdr *m;
	int hl;

	hn.naci = tx.naci;
	hl = ftx_write_header(&hn, tx.hdr[tx.n], FTX_MAX_HDR);
	if (hl < 0)
		return -1;
	tx.pending += (uint64_t)hl + len;
	if (tx_drop()) {
		tx.dropped++;
	} else {
		tx.iov[tx.n][0].iov_base = tx.hdr[tx.n];
		tx.iov[tx.n][0].iov_len = (size_t)hl;
		tx.iov[tx.n][1].iov_base = (void *)(uintptr_t)payload;
		tx.iov[tx.n][1].iov_len = len;
		m = &tx.msgs[tx.n].msg_hdr;
		memset(m, 0, sizeof(*m));
		m->msg_iov = tx.iov[tx.n];
		m->msg_iovlen = 2;
		tx.n++;
		tx.packets++;
		tx.bytes += (uint64_t)hl + len;
	}
	if (tx.n >= tx.max || tx.nslots >= tx.max)
		return nc_tx_flush();
	return 0;
}

int
nc_tx_fdt(struct nc_fdt *f)
{
	struct ftx_object o;
	struct ftx_pkt h;
	struct ftx_sym sym;
	uint64_t i;

	if (ftx_object_init(&o, tx.o->tsi, 0, f->len, tx.fdt_e,
	    tx.o->max_sbl) < 0)
		return -1;
	ftx_object_fdt(&o, f->id);
	for (i = 0; i < o.npk; i++) {
		ftx_object_packet(&o, i, &h, &sym);
		if (nc_tx_queue(&h, (const uint8_t *)f->xml + sym.offset,
		    sym.size) < 0)
			return -1;
		tx.fdt_packets++;
	}
	if (nc_tx_flush() < 0)
		return -1;
	f->last_ns = nc_mono_ns();
	tx.tail_fdt = f;
	return 0;
}

/* Read object bytes; a file that shrank reads as zeros (and -1). */
int
nc_src_read(const struct nc_src *s, int fd, uint64_t off, uint8_t *buf,
    size_t n)
{
	ssize_t r;

	if (s->mem != NULL) {
		memcpy(buf, s->mem + off, n);
		return 0;
	}
	while (n > 0) {
		r = pread(fd, buf, n, (off_t)(s->base + off));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			memset(buf, 0, n);
			return -1;
		}
		buf += r;
		off += (uint64_t)r;
		n -= (size_t)r;
	}
	return 0;
}

/* Per-object transmission state. */
struct obj_run {
	const struct nc_obj *ob;
	struct ftx_object pk;
	int		fd;
	int		short_read;
};

/*
 * Read the payloads of k packets from packet index i into the slots at
 * base: one pread for a run of consecutive symbols, else one each.
 */
static void
obj_read(struct obj_run *r, uint64_t i, unsigned k, uint8_t *base)
{
	struct ftx_pkt h;
	struct ftx_sym a, b;
	unsigned j;

	if (!r->pk.shuffle) {
		ftx_object_packet(&r->pk, i, &h, &a);
		ftx_object_packet(&r->pk, i + k - 1, &h, &b);
		if (nc_src_read(&r->ob->src, r->fd, a.offset, base,
		    (size_t)(b.offset + b.size - a.offset)) < 0)
			r->short_read = 1;
		return;
	}
	for (j = 0; j < k; j++) {
		ftx_object_packet(&r->pk, i + j, &h, &a);
		if (nc_src_read(&r->ob->src, r->fd, a.offset,
		    base + (size_t)j * tx.o->symbol_len, a.size) < 0)
			r->short_read = 1;
	}
}

/* Stage k packets from packet index i: read payloads, then queue. */
static int
obj_stage(struct obj_run *r, uint64_t i, unsigned k)
{
	uint8_t *base = tx.slots + (size_t)tx.nslots * tx.o->symbol_len;
	struct ftx_pkt h;
	struct ftx_sym sym;
	unsigned j;
	int rc;

	obj_read(r, i, k, base);
	for (j = 0; j < k; j++) {
		ftx_object_packet(&r->pk, i + j, &h, &sym);
		tx.nslots++;
		rc = nc_tx_queue(&h, base + (size_t)j * tx.o->symbol_len,
		    sym.size);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/*
 * The FDT goes before each object, unless it was the very last thing sent,
 * or it is big next to the object and went out a moment ago: a 60 kB
 * instance in front of every 1 kB file of a large folder would multiply
 * the traffic, while the FDT interval still repeats it.
 */
static int
fdt_due_before(const struct nc_fdt *f, uint64_t npk)
{
	uint64_t fdt_pk = f->len / tx.fdt_e + 1;
	uint64_t age = nc_mono_ns() - f->last_ns;

	if (f->last_ns == 0)
		return 1;
	if (tx.tail_fdt == f)
		return 0;
	if (fdt_pk <= 2 || fdt_pk * 8 <= npk)
		return 1;
	return age >= nc_fdt_ival_ns() / 4;
}

uint64_t
nc_fdt_ival_ns(void)
{
	uint64_t ival = tx.o->fdt_interval_ms * 1000000ull;

	/* A little early, so that no gap ever exceeds the interval. */
	return ival - (ival / 10 < 20000000 ? ival / 10 : 20000000);
}

static int
fdt_repeat(struct nc_fdt *f)
{
	if (nc_fdt_refresh(f) < 0)
		return -1;
	return nc_tx_fdt(f);
}

/* The file opened is still the version that the FDT describes. */
static int
obj_stamp_ok(int fd, const struct nc_src *s)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (uint64_t)st.st_size == s->len &&
	    st.st_mtim.tv_sec == s->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == s->mtime.tv_nsec;
}

static int
obj_open(struct obj_run *r, const struct nc_obj *ob)
{
	memset(r, 0, sizeof(*r));
	r->ob = ob;
	r->fd = ob->src.fd;
	/* FEC objects are partitioned by nipcast_fec.c instead. */
	if (tx.o->fec == FTX_FEI_NOCODE && ftx_object_init(&r->pk,
	    tx.o->tsi, ob->toi, ob->src.len, tx.o->symbol_len,
	    ob->max_sbl) < 0) {
		log_warnx_rl("%s: cannot partition %llu bytes", ob->location,
		    (unsigned long long)ob->src.len);
		return -1;
	}
	r->pk.fti_first = (uint8_t)tx.fti_fits;
	if (tx.o->shuffle)
		ftx_object_shuffle(&r->pk, tx.o->seed ^
		    ((uint64_t)ob->toi * 0xd6e8feb86659fd93ull));
	if (ob->src.path != NULL && ob->src.mem == NULL) {
		r->fd = open(ob->src.path, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0) {
			log_warn_rl("%s", ob->src.path);
			return -1;
		}
		if (ob->src.has_stamp && !obj_stamp_ok(r->fd, &ob->src)) {
			log_debug("%s: replaced since the scan, skipped",
			    ob->src.path);
			close(r->fd);
			return -1;
		}
	}
	return 0;
}

int
nc_tx_fdt_due(struct nc_fdt *f)
{
	if (f == NULL || nc_mono_ns() - f->last_ns < nc_fdt_ival_ns())
		return 0;
	return fdt_repeat(f);
}

/* The packets of an FEI 0 object, k at a time. */
static int
obj_send(struct obj_run *r, struct nc_fdt *f)
{
	uint64_t i;
	unsigned k;
	int rc = 0;

	for (i = 0; i < r->pk.npk && rc == 0 && !nc_stopping(); i += k) {
		rc = nc_tx_fdt_due(f);
		k = tx.max - tx.nslots;
		if (k > r->pk.npk - i)
			k = (unsigned)(r->pk.npk - i);
		if (rc == 0)
			rc = obj_stage(r, i, k);
	}
	return rc;
}

/* Packets of one send of ob, for the FDT's placement. */
static uint64_t
obj_packets(const struct obj_run *r, const struct nc_obj *ob)
{
	struct nc_fec_oti fo;

	if (tx.o->fec == FTX_FEI_NOCODE)
		return r->pk.npk;
	return nc_fec_oti(tx.o, ob->src.len, &fo) < 0 ? 1 :
	    nc_fec_packets(&fo);
}

int
nc_tx_object(struct nc_obj *ob, struct nc_fdt *f)
{
	struct obj_run r;
	int rc = 0;

	if (obj_open(&r, ob) < 0)
		return 0;
	if (f != NULL && f->xml == NULL)
		f = NULL;		/* nothing to announce */
	if (f != NULL && fdt_due_before(f, obj_packets(&r, ob)))
		rc = fdt_repeat(f);
	tx.tail_fdt = NULL;
	if (rc == 0)
		rc = tx.o->fec != FTX_FEI_NOCODE ? nc_fec_send(tx.o, ob, r.fd,
		    f, tx.fti_fits) : obj_send(&r, f);
	if (rc == 0)
		rc = nc_tx_flush();
	tx.tail_fdt = NULL;
	if (r.short_read)
		log_warnx_rl("%s: file shrank while being sent; zeros sent",
		    ob->location);
	if (r.fd >= 0 && r.fd != ob->src.fd)
		close(r.fd);
	tx.objects++;
	ob->sends++;
	return rc;
}

void
nc_obj_file(const struct nc_obj *ob, struct ftx_file *f)
{
	struct nc_fec_oti fo;

	memset(f, 0, sizeof(*f));
	f->toi = ob->toi;
	f->location = ob->location;
	f->content_len = ob->content_len;
	f->transfer_len = ob->src.len;
	f->content_type = ob->ctype;
	f->content_encoding = ob->gzip ? "gzip" : NULL;
	f->has_md5 = ob->has_md5;
	memcpy(f->md5, ob->md5, sizeof(f->md5));
	f->max_sbl = ob->max_sbl != tx.o->max_sbl ? ob->max_sbl : 0;
	if (tx.o->fec != FTX_FEI_NOCODE && nc_fec_oti(tx.o, ob->src.len,
	    &fo) == 0)
		nc_fec_file(&fo, f);
}

/* (Re)write the XML of f from f->files under a new instance ID. */
static int
fdt_render(struct nc_fdt *f, size_t *nout)
{
	struct ftx_fdt_params p;
	char *buf;
	int len;

	memset(&p, 0, sizeof(p));
	f->expires = util_wall_s() + NC_FDT_LIFE_S;
	p.expires = ftx_unix_to_ntp(f->expires);
	p.symbol_len = tx.o->symbol_len;
	p.max_sbl = tx.o->max_sbl;
	buf = malloc(NC_FDT_MAX);
	if (buf == NULL)
		return -1;
	len = ftx_fdt_build(&p, f->files, f->nfiles, buf, NC_FDT_MAX, nout);
	if (len < 0) {
		free(buf);
		return -1;
	}
	free(f->xml);
	f->xml = buf;
	f->len = (size_t)len;
	f->id = tx.next_instance;
	tx.next_instance = ftx_instance_next(tx.next_instance);
	return 0;
}

int
nc_fdt_build(struct nc_fdt *f, const struct ftx_file *files, size_t n,
    size_t *nout)
{
	nc_fdt_clear(f);
	f->files = malloc((n > 0 ? n : 1) * sizeof(*files));
	if (f->files == NULL)
		return -1;
	if (n > 0)
		memcpy(f->files, files, n * sizeof(*files));
	f->nfiles = n;
	if (fdt_render(f, nout) < 0) {
		log_warnx("FDT: a File element exceeds %d bytes", NC_FDT_MAX);
		nc_fdt_clear(f);
		return -1;
	}
	f->nfiles = *nout;
	return 0;
}

int
nc_fdt_refresh(struct nc_fdt *f)
{
	size_t nout;

	if (f->xml == NULL || util_wall_s() < f->expires - NC_FDT_LIFE_S / 2)
		return 0;
	return fdt_render(f, &nout);
}

void
nc_fdt_clear(struct nc_fdt *f)
{
	free(f->xml);
	free(f->files);
	memset(f, 0, sizeof(*f));
}

uint32_t
nc_block_for(uint64_t transfer_len)
{
	uint64_t t = (transfer_len + tx.o->symbol_len - 1) / tx.o->symbol_len;
	struct nc_fec_oti fo;

	if (tx.o->fec == FTX_FEI_NOCODE)
		return ftx_block_for(t, tx.o->max_sbl);
	if (nc_fec_oti(tx.o, transfer_len, &fo) < 0) {
		log_warnx_rl("%llu bytes: too big for --fec %s",
		    (unsigned long long)transfer_len, nc_fec_name(tx.o->fec));
		return 0;
	}
	return fo.b > 0 ? fo.b : 1;
}

const char *
nc_ctype(const char *name)
{
	return tx.o->ctype_from_ext ? ftx_content_type(name) : NULL;
}
