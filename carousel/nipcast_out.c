/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipcast_out.c: the --output formats other than a UDP socket.  Each UDP
 * payload the sender would send becomes an IPv4/IPv6 + UDP packet to the
 * -g group (ipudp_build), then MPE sections in a transport stream
 * (ts_mux), GSE packets in BBFrames (gse_mux) or an Ethernet record of a
 * classic pcap file (pcapf_wr_record).  The bytes go to a file, stdout or
 * a FIFO through one buffer that is written out at every flush, so that a
 * reader at the other end of a pipe sees each batch at once; or, for
 * ts:udp://, to a connected UDP socket as datagrams of 7 TS packets.
 * The options of these outputs are parsed here too, and the sender's UDP
 * sockets are set up here (for -g and for ts:udp://).  No globals: all
 * the state is in a struct nc_out, so the unit test drives it alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../daemon/log.h"
#include "pcapf.h"
#include "nipcast.h"

#define PAY_MAX		65535	/* largest UDP payload accepted */
#define PKT_CAP		(PAY_MAX + 64)	/* IP + UDP headers and payload */
#define FILE_BUF	(256 * 1024)	/* bytes buffered for a file */
#define SNDBUF		(4 << 20)

struct nc_out {
	enum nc_out_fmt	fmt;
	int		fd;
	int		dgram;		/* fd is a UDP socket */
	int		(*stopping)(void);
	struct ipudp	ip;		/* template: addresses, ports, TTL */
	struct ts_mux	*ts;
	struct gse_mux	*gse;
	uint8_t		*pay;		/* the gathered UDP payload */
	uint8_t		*pkt;		/* the IP packet */
	uint8_t		*buf;		/* bytes not written yet */
	size_t		len;
	size_t		cap;
	int		err;		/* errno of a write failed in a mux */
	int		failed;		/* errno of the first failed write */
};

static const char help[] =
"  --output FORMAT     where packets go (default udp: the socket to -g);\n"
"                      ts:FILE or ts:udp://HOST:PORT (MPE in a transport\n"
"                      stream; HOST an IPv4 address or [IPv6], UDP\n"
"                      datagrams of 7 TS packets, -i and --ttl apply),\n"
"                      gse:FILE (GSE in BBFrames, back to back) or\n"
"                      pcap:FILE (classic pcap, Ethernet); FILE - is\n"
"                      stdout.  Each packet is wrapped in IP/UDP to -g\n"
"                      first; each batch is written out at once\n"
"  --source ADDR       IP source of those packets (default 192.0.2.1 or\n"
"                      2001:db8::1); the source port is the -g port\n"
"  --mpe-pid N         ts: PID of the MPE sections (default 0x100)\n"
"  --pmt-pid N         ts: PID of the PMT (default 0x20)\n"
"  --service-id N      ts: program_number of the MPE service (default the\n"
"                      --naci service if not 0, else 1)\n"
"  --tsid N            ts: transport_stream_id (default 1)\n"
"  --gse-dfl N         gse: data field bytes per BBFrame (default 7264)\n"
"  --gse-label 6|3|0   gse: label bytes per packet (default 6, the MAC)\n"
"  --naci NET:CARRIER:LINK:SERVICE[:NAME]\n"
"                      EXT_NACI on every packet, naming the DVB-NIP stream\n"
"                      (NAME up to 64 bytes); ts: defaults to\n"
"                      1:1:1:1:nipcast\n";

const char *
nc_out_help(void)
{
	return help;
}

void
nc_out_finish(struct nc_opts *o)
{
	struct ftx_pkt data = { .naci = &o->naci };
	size_t ip = (o->group.ss_family == AF_INET6 ? 40 : 20) + 8, room;

	if (o->out.fmt == NC_OUT_TS && !o->has_naci) {
		ftx_naci_parse("1:1:1:1:nipcast", &o->naci);
		o->has_naci = 1;
	}
	if (o->out.fmt == NC_OUT_TS && !o->out.ts_service_given &&
	    o->has_naci && o->naci.service != 0)
		o->out.ts.service_id = o->naci.service;
	if (!o->has_naci || o->symbol_given)
		return;
	room = NC_MTU - ip - ftx_header_len(&data);
	if (o->symbol_len > room)
		o->symbol_len = (uint16_t)room;
}

/* A whole number, decimal or 0x hex, in [lo, hi]: 0 or -1. */
static int
out_num(const char *s, unsigned long lo, unsigned long hi, uint16_t *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* "A.B.C.D:PORT" or "[IPv6]:PORT" into sa: 0 or -1. */
static int
out_hostport(const char *s, struct sockaddr_storage *sa, socklen_t *salen)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *h = s;
	uint16_t port;
	size_t hl;

	colon = strrchr(s, ':');
	if (colon == NULL || out_num(colon + 1, 1, 65535, &port) < 0)
		return -1;
	hl = (size_t)(colon - s);
	if (*s == '[') {
		if (hl < 2 || s[hl - 1] != ']')
			return -1;
		h++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	memset(sa, 0, sizeof(*sa));
	if (*s != '[' && inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*salen = sizeof(*s4);
	} else if (*s == '[' &&
	    inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*salen = sizeof(*s6);
	} else {
		return -1;
	}
	return 0;
}

/* A FILE of --output: not empty, and not a udp:// that only ts: takes. */
static int
out_path(struct nc_out_opts *oo, enum nc_out_fmt fmt, const char *path)
{
	oo->fmt = fmt;
	oo->path = NULL;
	if (strncmp(path, "udp://", 6) == 0) {
		if (fmt != NC_OUT_TS)
			return -1;
		return out_hostport(path + 6, &oo->udp, &oo->udp_len);
	}
	if (*path == '\0')
		return -1;
	oo->path = path;
	return 0;
}

static int
out_format(struct nc_out_opts *oo, const char *arg)
{
	oo->spec = arg;
	if (strcmp(arg, "udp") == 0) {
		oo->fmt = NC_OUT_UDP;
		oo->path = NULL;
		return 0;
	}
	if (strncmp(arg, "ts:", 3) == 0)
		return out_path(oo, NC_OUT_TS, arg + 3);
	if (strncmp(arg, "gse:", 4) == 0)
		return out_path(oo, NC_OUT_GSE, arg + 4);
	if (strncmp(arg, "pcap:", 5) == 0)
		return out_path(oo, NC_OUT_PCAP, arg + 5);
	return -1;
}

static int
out_source(struct nc_out_opts *oo, const char *arg)
{
	memset(oo->source, 0, sizeof(oo->source));
	if (inet_pton(AF_INET, arg, oo->source) == 1)
		oo->source_family = AF_INET;
	else if (inet_pton(AF_INET6, arg, oo->source) == 1)
		oo->source_family = AF_INET6;
	else
		return -1;
	return 0;
}

static int
out_label(struct nc_out_opts *oo, const char *arg)
{
	if (strcmp(arg, "6") == 0)
		oo->gse.label_type = 0;
	else if (strcmp(arg, "3") == 0)
		oo->gse.label_type = 1;
	else if (strcmp(arg, "0") == 0)
		oo->gse.label_type = 2;
	else
		return -1;
	return 0;
}

int
nc_out_option(struct nc_out_opts *oo, const char *name, const char *arg)
{
	if (strcmp(name, "output") == 0)
		return out_format(oo, arg);
	if (strcmp(name, "source") == 0)
		return out_source(oo, arg);
	if (strcmp(name, "mpe-pid") == 0)
		return out_num(arg, 0x10, 0x1ffe, &oo->ts.pid);
	if (strcmp(name, "pmt-pid") == 0)
		return out_num(arg, 0x10, 0x1ffe, &oo->ts.pmt_pid);
	if (strcmp(name, "service-id") == 0) {
		oo->ts_service_given = 1;
		return out_num(arg, 1, 0xffff, &oo->ts.service_id);
	}
	if (strcmp(name, "tsid") == 0)
		return out_num(arg, 1, 0xffff, &oo->ts.tsid);
	if (strcmp(name, "gse-dfl") == 0)
		return out_num(arg, 64, GSE_DFL_MAX, &oo->gse.dfl);
	if (strcmp(name, "gse-label") == 0)
		return out_label(oo, arg);
	return -1;
}

const char *
nc_out_check(const struct nc_out_opts *oo, int family)
{
	uint16_t pid = oo->ts.pid != 0 ? oo->ts.pid : 0x100;
	uint16_t pmt = oo->ts.pmt_pid != 0 ? oo->ts.pmt_pid : 0x20;

	if (oo->source_family != 0 && oo->source_family != family)
		return "--source must be of the address family of -g";
	if (pid == pmt)
		return "--mpe-pid and --pmt-pid must differ";
	return NULL;
}

void
nc_out_ipudp(const struct nc_out_opts *oo,
    const struct sockaddr_storage *group, int ttl, struct ipudp *h)
{
	const struct sockaddr_in *g4 = (const struct sockaddr_in *)group;
	const struct sockaddr_in6 *g6 = (const struct sockaddr_in6 *)group;
	static const uint8_t doc4[4] = { 192, 0, 2, 1 };
	static const uint8_t doc6[16] = { 0x20, 0x01, 0x0d, 0xb8,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

	memset(h, 0, sizeof(*h));
	h->family = group->ss_family;
	h->ttl = (uint8_t)ttl;
	if (h->family == AF_INET) {
		memcpy(h->dst, &g4->sin_addr, 4);
		memcpy(h->src, doc4, 4);
		h->dport = ntohs(g4->sin_port);
	} else {
		memcpy(h->dst, &g6->sin6_addr, 16);
		memcpy(h->src, doc6, 16);
		h->dport = ntohs(g6->sin6_port);
	}
	if (oo->source_family == h->family)
		memcpy(h->src, oo->source, sizeof(h->src));
	h->sport = h->dport;
}

int
nc_out_open_file(const char *path)
{
	if (strcmp(path, "-") == 0)
		return STDOUT_FILENO;
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

/* Whether a write interrupted by a signal should give up. */
static int
out_stop(const struct nc_out *o)
{
	return o->stopping != NULL && o->stopping();
}

/* Write n bytes to a file or pipe, waiting while a pipe is full. */
static int
out_write(struct nc_out *o, const uint8_t *p, size_t n)
{
	struct pollfd pfd = { .fd = o->fd, .events = POLLOUT };
	ssize_t r;

	while (n > 0) {
		r = write(o->fd, p, n);
		if (r > 0 && (size_t)r < n && out_stop(o)) {
			/* A signal cut a blocked write short: we are leaving. */
			errno = EINTR;
			return -1;
		} else if (r > 0) {
			p += r;
			n -= (size_t)r;
		} else if (r < 0 && errno == EINTR && !out_stop(o)) {
			continue;
		} else if (r < 0 && errno == EAGAIN) {
			if (poll(&pfd, 1, -1) < 0 && errno == EINTR &&
			    out_stop(o))
				return -1;
		} else {
			if (r == 0)
				errno = EIO;
			return -1;
		}
	}
	return 0;
}

/* Send one ts:udp:// datagram; a unicast target without listener is fine. */
static int
out_send(struct nc_out *o, const uint8_t *p, size_t n)
{
	static const struct timespec backoff = { 0, 100000 };

	for (;;) {
		if (send(o->fd, p, n, 0) >= 0 || errno == ECONNREFUSED)
			return 0;
		if (errno == ENOBUFS || errno == EAGAIN)
			nanosleep(&backoff, NULL);
		else if (errno != EINTR || out_stop(o))
			return -1;
	}
}

/* Write out the buffer: all of it for a file, one datagram for a socket. */
static int
out_drain(struct nc_out *o)
{
	int rc;

	if (o->len == 0)
		return 0;
	rc = o->dgram ? out_send(o, o->buf, o->len) :
	    out_write(o, o->buf, o->len);
	o->len = 0;
	/* Bytes are lost now: every later call fails the same way. */
	if (rc < 0 && o->failed == 0)
		o->failed = errno != 0 ? errno : EIO;
	return rc;
}

/* Append bytes; a socket gets a datagram each time NC_TS_DGRAM fill up. */
static int
out_put(struct nc_out *o, const uint8_t *p, size_t n)
{
	size_t k;

	while (n > 0) {
		if (o->len == o->cap && out_drain(o) < 0) {
			o->err = errno;
			return -1;
		}
		k = o->cap - o->len < n ? o->cap - o->len : n;
		memcpy(o->buf + o->len, p, k);
		o->len += k;
		p += k;
		n -= k;
	}
	return 0;
}

static int
out_ts_write(void *arg, const uint8_t *ts, size_t len)
{
	return out_put(arg, ts, len);
}

static int
out_gse_write(void *arg, const uint8_t *bb, size_t len)
{
	return out_put(arg, bb, len);
}

struct nc_out *
nc_out_new(const struct nc_out_opts *oo, const struct ipudp *h, int fd,
    int (*stopping)(void))
{
	struct nc_out *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	o->fmt = oo->fmt;
	o->fd = fd;
	o->dgram = oo->path == NULL;
	o->stopping = stopping;
	o->ip = *h;
	o->cap = o->dgram ? NC_TS_DGRAM : FILE_BUF;
	o->pay = malloc(PAY_MAX);
	o->pkt = malloc(PKT_CAP);
	o->buf = malloc(o->cap);
	if (o->fmt == NC_OUT_TS)
		o->ts = ts_mux_new(&oo->ts, out_ts_write, o);
	else if (o->fmt == NC_OUT_GSE)
		o->gse = gse_mux_new(&oo->gse, out_gse_write, o);
	if (o->pay == NULL || o->pkt == NULL || o->buf == NULL ||
	    (o->fmt == NC_OUT_TS && o->ts == NULL) ||
	    (o->fmt == NC_OUT_GSE && o->gse == NULL) ||
	    (o->fmt == NC_OUT_PCAP && o->dgram) || o->fmt == NC_OUT_UDP) {
		o->fmt = NC_OUT_UDP;	/* nothing to flush */
		nc_out_free(o);
		return NULL;
	}
	if (o->fmt == NC_OUT_PCAP) {
		pcapf_wr_header(o->buf);
		o->len = PCAPF_FILE_HDR;
	}
	return o;
}

/* A pcap record, stamped with the wall clock now. */
static int
out_pcap(struct nc_out *o, size_t n)
{
	struct timespec now;
	ssize_t r;

	if (o->cap - o->len < PCAPF_REC_HDR + PCAPF_ETH_HDR + n &&
	    out_drain(o) < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &now);
	r = pcapf_wr_record(o->buf + o->len, o->cap - o->len,
	    (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec,
	    o->pkt, n);
	if (r < 0) {
		errno = EMSGSIZE;
		return -1;
	}
	o->len += (size_t)r;
	return 0;
}

/* A mux refused: the write error its callback saw, else a size error. */
static int
out_mux_failed(const struct nc_out *o)
{
	errno = o->err != 0 ? o->err : EMSGSIZE;
	return -1;
}

/* The UDP payload in one piece, then IP and UDP headers before it. */
static ssize_t
out_build(struct nc_out *o, const struct iovec *iov, int n)
{
	struct ipudp h = o->ip;
	size_t plen = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (iov[i].iov_len > PAY_MAX - plen)
			return -1;
		memcpy(o->pay + plen, iov[i].iov_base, iov[i].iov_len);
		plen += iov[i].iov_len;
	}
	h.payload = o->pay;
	h.len = plen;
	return ipudp_build(o->pkt, PKT_CAP, &h);
}

int
nc_out_datagram(struct nc_out *o, const struct iovec *iov, int n)
{
	ssize_t len;

	if (o->failed != 0) {
		errno = o->failed;
		return -1;
	}
	len = out_build(o, iov, n);
	if (len < 0 || (o->fmt == NC_OUT_TS && len > NC_MPE_MAX)) {
		errno = EMSGSIZE;
		return -1;
	}
	o->err = 0;
	switch (o->fmt) {
	case NC_OUT_TS:
		if (ts_mux_datagram(o->ts, o->pkt, (size_t)len) < 0)
			return out_mux_failed(o);
		return 0;
	case NC_OUT_GSE:
		if (gse_mux_datagram(o->gse, o->pkt, (size_t)len) < 0)
			return out_mux_failed(o);
		return 0;
	case NC_OUT_PCAP:
		return out_pcap(o, (size_t)len);
	default:
		errno = EINVAL;
		return -1;
	}
}

int
nc_out_flush(struct nc_out *o)
{
	if (o->failed != 0) {
		errno = o->failed;
		return -1;
	}
	o->err = 0;
	if (o->ts != NULL && ts_mux_flush(o->ts) < 0)
		return out_mux_failed(o);
	if (o->gse != NULL && gse_mux_flush(o->gse) < 0)
		return out_mux_failed(o);
	return out_drain(o);
}

int
nc_out_free(struct nc_out *o)
{
	int rc = 0, saved;

	if (o == NULL)
		return 0;
	if (o->fmt != NC_OUT_UDP)
		rc = nc_out_flush(o);
	saved = errno;
	if (o->ts != NULL)
		ts_mux_free(o->ts);
	if (o->gse != NULL)
		gse_mux_free(o->gse);
	free(o->pay);
	free(o->pkt);
	free(o->buf);
	free(o);
	errno = saved;
	return rc;
}

/* IPv6 -i given as an address: find its interface. */
static unsigned
ifindex_of6(const struct in6_addr *a)
{
	struct ifaddrs *ifa, *i;
	unsigned idx = 0;

	if (getifaddrs(&ifa) < 0)
		return 0;
	for (i = ifa; i != NULL && idx == 0; i = i->ifa_next) {
		const struct sockaddr_in6 *s6 = (const void *)i->ifa_addr;

		if (s6 != NULL && s6->sin6_family == AF_INET6 &&
		    memcmp(&s6->sin6_addr, a, sizeof(*a)) == 0)
			idx = if_nametoindex(i->ifa_name);
	}
	freeifaddrs(ifa);
	return idx;
}

static int
sock_iface4(int fd, const char *ifname)
{
	struct ip_mreqn mr;
	struct sockaddr_in sin;

	memset(&mr, 0, sizeof(mr));
	memset(&sin, 0, sizeof(sin));
	if (inet_pton(AF_INET, ifname, &mr.imr_address) == 1) {
		/* The source address matters to SSM receivers: bind it. */
		sin.sin_family = AF_INET;
		sin.sin_addr = mr.imr_address;
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			log_warn("bind %s", ifname);
			return NC_EX_IOERR;
		}
	} else if ((mr.imr_ifindex = (int)if_nametoindex(ifname)) == 0) {
		log_warnx("-i %s: no such interface or address", ifname);
		return NC_EX_USAGE;
	}
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) < 0) {
		log_warn("IP_MULTICAST_IF %s", ifname);
		return NC_EX_IOERR;
	}
	return 0;
}

static int
sock_iface6(int fd, const char *ifname)
{
	struct sockaddr_in6 sin6;
	unsigned idx;

	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET6, ifname, &sin6.sin6_addr) == 1) {
		idx = ifindex_of6(&sin6.sin6_addr);
		sin6.sin6_family = AF_INET6;
		sin6.sin6_scope_id = idx;
		if (bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) < 0) {
			log_warn("bind %s", ifname);
			return NC_EX_IOERR;
		}
	} else {
		idx = if_nametoindex(ifname);
	}
	if (idx == 0) {
		log_warnx("-i %s: no such interface or address", ifname);
		return NC_EX_USAGE;
	}
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx,
	    sizeof(idx)) < 0) {
		log_warn("IPV6_MULTICAST_IF %s", ifname);
		return NC_EX_IOERR;
	}
	return 0;
}

/*
 * Multicast TTL and loop; with ts:udp://, which may name a unicast host,
 * an explicit --ttl sets the unicast TTL too (udp keeps the system's).
 */
static int
sock_options(int fd, const struct nc_opts *o, int family)
{
	int one = 1, ttl = o->ttl, buf = SNDBUF, rc = 0;
	int uc = o->ttl_given && ttl > 0 && o->out.fmt != NC_OUT_UDP;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	if (family == AF_INET) {
		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
		    sizeof(ttl)) < 0 || setsockopt(fd, IPPROTO_IP,
		    IP_MULTICAST_LOOP, &one, sizeof(one)) < 0 || (uc &&
		    setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) < 0))
			rc = -1;
	} else {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl,
		    sizeof(ttl)) < 0 || setsockopt(fd, IPPROTO_IPV6,
		    IPV6_MULTICAST_LOOP, &one, sizeof(one)) < 0 || (uc &&
		    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
		    sizeof(ttl)) < 0))
			rc = -1;
	}
	if (rc < 0) {
		log_warn("multicast socket options");
		return NC_EX_IOERR;
	}
	if (o->ifname == NULL)
		return 0;
	return family == AF_INET ? sock_iface4(fd, o->ifname) :
	    sock_iface6(fd, o->ifname);
}

int
nc_out_socket(const struct nc_opts *o, const struct sockaddr_storage *to,
    socklen_t tolen, int *fd)
{
	int rc;

	*fd = socket(to->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (*fd < 0) {
		log_warn("socket");
		return NC_EX_IOERR;
	}
	rc = sock_options(*fd, o, to->ss_family);
	if (rc != 0)
		return rc;
	if (connect(*fd, (const struct sockaddr *)to, tolen) < 0) {
		log_warn("connect");
		return NC_EX_IOERR;
	}
	return 0;
}
