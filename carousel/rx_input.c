/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rx_input.c: the inputs below UDP, read by the rx thread beside its
 * sockets.  A transport stream (MPE/ULE), a BBFrame stream (GSE) or a
 * capture (pcap, pcapng) comes from a file, standard input, a UDP socket
 * or a device (the DVB demux, opened by main's callback).  Descriptors
 * epoll can watch (pipes, sockets, devices) are read when readable;
 * regular files are read a bounded chunk per loop turn, so that sockets
 * and housekeeping keep their turn, and a capture replayed at its own
 * pace sleeps until its next record is due.  Every datagram ends in
 * rx_ip_datagram(), the one entry for "an IP datagram arrived".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "../daemon/log.h"
#include "../daemon/util.h"
#include "gse.h"
#include "pcapf.h"
#include "rx_int.h"

#define IN_CHUNK	(64 * 1024)	/* one read */
#define IN_BUDGET	(512 * 1024)	/* bytes per input per loop turn */
#define IN_PCAP_BUF	(PCAPF_MAX_BLOCK + IN_CHUNK)
#define IN_RETRY_MIN_MS	1000
#define IN_RETRY_MAX_MS	30000

static const char *
in_kind_name(enum rx_input_kind k)
{
	return k == RX_IN_TS ? "ts" : k == RX_IN_GSE ? "gse" : "pcap";
}

/* ---- parsing the configuration (pure) ---- */

/* "udp://HOST:PORT": 0 and the address, or -1. */
static int
in_parse_udp(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[64];
	const char *p, *colon;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	unsigned long port;
	char *end;
	size_t hl;

	if (strncmp(s, "udp://", 6) != 0)
		return -1;
	p = s + 6;
	if (*p == '[') {
		if ((colon = strstr(p, "]:")) == NULL)
			return -1;
		hl = (size_t)(colon - p - 1);
		p++;
		colon++;
	} else {
		if ((colon = strrchr(p, ':')) == NULL)
			return -1;
		hl = (size_t)(colon - p);
	}
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, p, hl);
	host[hl] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || port == 0 || port > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*s6);
	} else {
		return -1;
	}
	return 0;
}

/* One "pid=N", "ule" or "service=N" option of a ts input. */
static int
in_parse_opt(const char *o, struct ts_demux_params *t)
{
	unsigned long v;
	char *end;

	if (strcasecmp(o, "ule") == 0) {
		t->ule = 1;
		return 0;
	}
	if (strncasecmp(o, "pid=", 4) == 0) {
		errno = 0;
		v = strtoul(o + 4, &end, 0);
		if (errno != 0 || *end != '\0' || v < 0x20 || v >= TS_PID_NULL)
			return -1;
		t->pid = (uint16_t)v;
		return 0;
	}
	if (strncasecmp(o, "service=", 8) == 0) {
		errno = 0;
		v = strtoul(o + 8, &end, 0);
		if (errno != 0 || *end != '\0' || v == 0 || v > 0xffff)
			return -1;
		t->service_id = (uint16_t)v;
		return 0;
	}
	return -1;
}

int
rx_parse_input(enum rx_input_kind kind, const char *s, struct rx_input *out,
    char *why, size_t n)
{
	struct sockaddr_storage ss;
	struct rx_input in;
	char buf[RX_INPUT_NAME + 64], *tok, *save = NULL;
	socklen_t sl;

	memset(&in, 0, sizeof(in));
	in.kind = kind;
	if (strlen(s) >= sizeof(buf) || util_strlcpy(buf, s, sizeof(buf)) == 0 ||
	    (tok = strtok_r(buf, " \t", &save)) == NULL ||
	    strlen(tok) >= sizeof(in.name)) {
		snprintf(why, n, "expected a path, - or udp://HOST:PORT");
		return -1;
	}
	util_strlcpy(in.name, tok, sizeof(in.name));
	if (strncmp(tok, "udp://", 6) == 0 &&
	    (kind == RX_IN_PCAP || in_parse_udp(tok, &ss, &sl) < 0)) {
		snprintf(why, n, kind == RX_IN_PCAP ? "a capture is a file" :
		    "expected udp://HOST:PORT (IPv6 in brackets)");
		return -1;
	}
	while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
		if (kind != RX_IN_TS || in_parse_opt(tok, &in.ts) < 0) {
			snprintf(why, n, "unknown option \"%.40s\" (ts takes "
			    "pid=N, ule, service=N)", tok);
			return -1;
		}
	}
	if (in.ts.ule && in.ts.pid == 0) {
		snprintf(why, n, "ule needs pid=N");
		return -1;
	}
	*out = in;
	return 0;
}

/* ---- opening ---- */

/* A UDP socket bound to the address (joined if multicast). */
static int
in_open_udp(const char *name)
{
	struct sockaddr_storage ss;
	struct ip_mreqn m4;
	struct ipv6_mreq m6;
	socklen_t sl;
	int fd, one = 1, rcv = 4 << 20;

	if (in_parse_udp(name, &ss, &sl) < 0 ||
	    (fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
		goto fail;
	if (ss.ss_family == AF_INET &&
	    IN_MULTICAST(ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr))) {
		memset(&m4, 0, sizeof(m4));
		m4.imr_multiaddr = ((struct sockaddr_in *)&ss)->sin_addr;
		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m4,
		    sizeof(m4)) < 0)
			goto fail;
	} else if (ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_MULTICAST(&((struct sockaddr_in6 *)&ss)->sin6_addr)) {
		memset(&m6, 0, sizeof(m6));
		m6.ipv6mr_multiaddr = ((struct sockaddr_in6 *)&ss)->sin6_addr;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m6,
		    sizeof(m6)) < 0)
			goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* The descriptor of in, by its kind of name. */
static int
in_open_fd(struct rx_in *in)
{
	if (in->cf.open != NULL)
		return in->cf.open(in->cf.arg);
	if (strncmp(in->cf.name, "udp://", 6) == 0) {
		in->sock = 1;
		return in_open_udp(in->cf.name);
	}
	if (strcmp(in->cf.name, "-") == 0)
		return fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	return open(in->cf.name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
}

/* Open in now; a failure is retried with back-off for devices only. */
static void
in_open(struct rx *rx, struct rx_in *in, uint64_t now)
{
	struct epoll_event ev;
	int fd, fl;

	if ((fd = in_open_fd(in)) < 0) {
		log_warn_rl("rx: input %s %s", in_kind_name(in->cf.kind),
		    in->cf.name);
		if (in->cf.open == NULL) {
			in->st.eof = 1;	/* a file that is not there */
			return;
		}
		in->retry_ms = in->retry_ms == 0 ? IN_RETRY_MIN_MS :
		    in->retry_ms * 2 > IN_RETRY_MAX_MS ? IN_RETRY_MAX_MS :
		    in->retry_ms * 2;
		in->retry_at = now + in->retry_ms;
		return;
	}
	if ((fl = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = in;
	/* Regular files cannot be watched (EPERM): read them in turns. */
	in->polled = epoll_ctl(rx->epfd, EPOLL_CTL_ADD, fd, &ev) == 0;
	in->fd = fd;
	in->retry_ms = 0;
	in->st.open = 1;
	in->st.opens++;
	log_info("rx: input %s %s open%s", in_kind_name(in->cf.kind),
	    in->cf.name, in->cf.kind == RX_IN_PCAP && in->cf.realtime ?
	    " (replayed at its own pace)" : "");
}

static void
in_close(struct rx *rx, struct rx_in *in)
{
	if (in->fd < 0)
		return;
	if (in->polled)
		(void)epoll_ctl(rx->epfd, EPOLL_CTL_DEL, in->fd, NULL);
	close(in->fd);
	in->fd = -1;
	in->polled = 0;
	in->st.open = 0;
}

/* ---- reading ---- */

/* The decapsulators' output: one IP datagram of this input. */
static void
in_datagram(void *arg, const uint8_t *ip, size_t len)
{
	struct rx_in *in = arg;

	in->st.datagrams++;
	(void)rx_ip_datagram(in->rx, ip, len);
}

/*
 * Records of a capture, while they are due.  1 when a record waits for
 * its time, 0 when the buffer needs more bytes, -1 when the file cannot
 * be read further.
 */
static int
in_pcap_records(struct rx *rx, struct rx_in *in)
{
	struct pcapf_pkt pkt;
	size_t off = 0, used;
	uint64_t due;
	int r = 0;

	while (off < in->fill) {
		r = pcapf_rd_next(in->pcap, in->buf + off, in->fill - off,
		    &used, &pkt);
		if (r <= 0)
			break;
		if (r == 1 && in->cf.realtime) {
			if (in->t0_ms == 0) {
				in->t0_ms = rx->now;
				in->ts0_ns = pkt.ts_ns;
			}
			due = in->t0_ms + (pkt.ts_ns > in->ts0_ns ?
			    (pkt.ts_ns - in->ts0_ns) / 1000000 : 0);
			if (due > rx->now) {
				in->due_ms = due;
				r = 1;
				break;
			}
		}
		if (r == 1)
			in_datagram(in, pkt.ip, pkt.len);
		off += used;
		r = 0;
	}
	memmove(in->buf, in->buf + off, in->fill - off);
	in->fill -= off;
	return r;
}

/* Bytes just read into buf go to the decapsulator. */
static void
in_feed(struct rx_in *in, const uint8_t *buf, size_t n)
{
	in->st.bytes += n;
	if (in->ts != NULL)
		ts_demux_input(in->ts, buf, n);
	else if (in->gse != NULL)
		gse_demux_input(in->gse, buf, n);
}

/* The input ended (or broke): report it, and reopen a device later. */
static void
in_end(struct rx *rx, struct rx_in *in, int err)
{
	if (in->pcap != NULL && in->fill > 0 && err == 0)
		rx->st.decap_errors[DECAP_PCAP_TRUNC]++;
	in->fill = 0;
	in_close(rx, in);
	if (in->cf.open != NULL) {
		log_warnx_rl("rx: input %s %s: %s, reopening",
		    in_kind_name(in->cf.kind), in->cf.name,
		    err != 0 ? strerror(err) : "end of stream");
		in->retry_ms = IN_RETRY_MIN_MS;
		in->retry_at = rx->now + in->retry_ms;
		return;
	}
	in->st.eof = 1;
	log_info("rx: input %s %s: %s after %llu bytes, %llu datagrams",
	    in_kind_name(in->cf.kind), in->cf.name,
	    err != 0 ? strerror(err) : "end", (unsigned long long)in->st.bytes,
	    (unsigned long long)in->st.datagrams);
}

/*
 * Read in up to budget bytes.  Returns 1 if it may have more right away,
 * 0 when it is waiting (EAGAIN, a paced record, or closed).
 */
static int
in_read(struct rx *rx, struct rx_in *in, size_t budget)
{
	uint8_t *dst;
	size_t room, got = 0;
	ssize_t r;

	rx->now = util_now_ms();
	rx->wall = util_wall_s();
	while (in->fd >= 0 && got < budget) {
		if (in->pcap != NULL) {
			if (in->due_ms > rx->now)
				return 0;
			in->due_ms = 0;
			if (in_pcap_records(rx, in) != 0)
				return in->due_ms == 0 && in->fd >= 0 ?
				    (in_end(rx, in, EINVAL), 0) : 0;
			dst = in->buf + in->fill;
			room = IN_PCAP_BUF - in->fill;
		} else {
			dst = rx->data;
			room = IN_CHUNK;
		}
		r = read(in->fd, dst, room);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (r < 0 && errno == EOVERFLOW) {	/* demux buffer overrun */
			log_warnx_rl("rx: input %s: buffer overflow, data lost",
			    in->cf.name);
			continue;
		}
		if (r <= 0) {
			in_end(rx, in, r < 0 ? errno : 0);
			return 0;
		}
		got += (size_t)r;
		if (in->pcap != NULL) {
			in->fill += (size_t)r;
			in->st.bytes += (size_t)r;
		} else {
			in_feed(in, dst, (size_t)r);
		}
	}
	return in->fd >= 0;
}

void
rx_input_event(struct rx *rx, struct rx_in *in)
{
	(void)in_read(rx, in, IN_BUDGET);
}

int
rx_inputs_run(struct rx *rx, uint64_t now, int max_ms)
{
	struct rx_in *in;
	int tmo = max_ms < 0 ? 0 : max_ms;
	size_t i;

	for (i = 0; i < rx->nin; i++) {
		in = rx->in[i];
		if (in->fd < 0 && !in->st.eof && in->cf.open != NULL &&
		    now >= in->retry_at)
			in_open(rx, in, now);
		if (in->fd < 0 || in->polled)
			continue;
		if (in->due_ms > now) {
			if ((int)(in->due_ms - now) < tmo)
				tmo = (int)(in->due_ms - now);
			continue;
		}
		if (in_read(rx, in, IN_BUDGET))
			tmo = 0;
		else if (in->due_ms > now && (int)(in->due_ms - now) < tmo)
			tmo = (int)(in->due_ms - now);
	}
	return tmo;
}

/* ---- life cycle ---- */

static struct rx_in *
in_new(struct rx *rx, const struct rx_input *cf)
{
	struct decap_out out;
	struct rx_in *in;

	if ((in = calloc(1, sizeof(*in))) == NULL)
		return NULL;
	in->evkind = RX_EV_INPUT;
	in->rx = rx;
	in->cf = *cf;
	in->cf.name[sizeof(in->cf.name) - 1] = '\0';
	in->fd = -1;
	util_strlcpy(in->st.name, in->cf.name, sizeof(in->st.name));
	in->st.kind = cf->kind;
	out.datagram = in_datagram;
	out.arg = in;
	out.err = rx->st.decap_errors;
	if (cf->kind == RX_IN_TS)
		in->ts = ts_demux_new(&cf->ts, &out);
	else if (cf->kind == RX_IN_GSE)
		in->gse = gse_demux_new(&out);
	else if ((in->pcap = calloc(1, sizeof(*in->pcap))) != NULL &&
	    (in->buf = malloc(IN_PCAP_BUF)) != NULL)
		pcapf_rd_init(in->pcap, rx->st.decap_errors);
	if (in->ts == NULL && in->gse == NULL && in->buf == NULL) {
		free(in->pcap);
		free(in);
		return NULL;
	}
	return in;
}

int
rx_inputs_start(struct rx *rx)
{
	size_t i;

	for (i = 0; i < rx->p.ninputs && i < RX_INPUTS_MAX; i++) {
		if ((rx->in[i] = in_new(rx, &rx->p.inputs[i])) == NULL) {
			log_warnx("rx: out of memory for input %zu", i);
			return -1;
		}
		rx->nin = i + 1;
		in_open(rx, rx->in[i], util_now_ms());
	}
	return 0;
}

void
rx_inputs_free(struct rx *rx)
{
	struct rx_in *in;
	size_t i;

	for (i = 0; i < rx->nin; i++) {
		in = rx->in[i];
		in_close(rx, in);
		ts_demux_free(in->ts);
		gse_demux_free(in->gse);
		free(in->pcap);
		free(in->buf);
		free(in);
		rx->in[i] = NULL;
	}
	rx->nin = 0;
}

void
rx_inputs_stats(struct rx *rx)
{
	size_t i;

	rx->st.ninputs = rx->nin;
	for (i = 0; i < rx->nin; i++)
		rx->st.inputs[i] = rx->in[i]->st;
}
