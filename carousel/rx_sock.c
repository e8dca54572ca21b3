/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rx_sock.c: the sockets of the receive thread.  Resolves the configured
 * interface, creates one socket per channel bound to its group, sets the
 * options the datagram path relies on (PKTINFO, SO_RXQ_OVFL, no
 * IP_MULTICAST_ALL), joins any-source or source-specific, and schedules
 * retries with back-off when any step fails.  Called from the rx thread
 * (and from rx_start before it runs); see rx.c for the thread model.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../daemon/log.h"
#include "../daemon/util.h"
#include "rx_int.h"

#define RX_RETRY_MIN_MS	1000	/* join retries back off from 1 s ... */
#define RX_RETRY_MAX_MS	4000	/* ... to every 4 s */

void
rx_chan_name(const struct rx_chan *c, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(c->family, c->group, a, sizeof(a)) == NULL)
		util_strlcpy(a, "?", sizeof(a));
	snprintf(buf, len, c->family == AF_INET ? "%s:%u" : "[%s]:%u", a,
	    (unsigned)c->port);
}

/*
 * Interface resolution.  The configured interface may be an IPv4 address
 * (used directly for IPv4 joins), an IPv6 address, or a name; IPv6 and
 * protocol-independent joins need its index.  Resolved at every join
 * attempt, because interfaces and addresses come and go.
 */
struct rx_ifc {
	unsigned	ifindex;
	int		has_v4;
	struct in_addr	v4;
};

static unsigned
ifindex_by_addr(int family, const void *addr)
{
	const struct sockaddr_in6 *sin6;
	const struct sockaddr_in *sin;
	struct ifaddrs *ifa, *i;
	unsigned idx = 0;
	const void *a;

	if (getifaddrs(&ifa) == -1)
		return 0;
	for (i = ifa; i != NULL && idx == 0; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != family)
			continue;
		sin = (const void *)i->ifa_addr;
		sin6 = (const void *)i->ifa_addr;
		a = family == AF_INET ? (const void *)&sin->sin_addr :
		    (const void *)&sin6->sin6_addr;
		if (memcmp(a, addr, rx_addr_len(family)) == 0)
			idx = if_nametoindex(i->ifa_name);
	}
	freeifaddrs(ifa);
	return idx;
}

static int
ifc_resolve(const char *name, int family, struct rx_ifc *out)
{
	struct in6_addr v6;

	memset(out, 0, sizeof(*out));
	if (name[0] == '\0')
		return 0;
	if (inet_pton(AF_INET, name, &out->v4) == 1) {
		out->has_v4 = 1;
		if (family == AF_INET)
			return 0;
		out->ifindex = ifindex_by_addr(AF_INET, &out->v4);
	} else if (inet_pton(AF_INET6, name, &v6) == 1) {
		out->ifindex = ifindex_by_addr(AF_INET6, &v6);
	} else {
		out->ifindex = if_nametoindex(name);
	}
	if (out->ifindex == 0) {
		errno = ENODEV;
		return -1;
	}
	return 0;
}

static void
sa_fill(struct sockaddr_storage *ss, int family, const uint8_t *addr,
    uint16_t port, unsigned scope)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, addr, 16);
		sin6->sin6_scope_id = scope;
	}
}

/* Any-source join: IP_ADD_MEMBERSHIP (ip_mreqn) or IPV6_JOIN_GROUP. */
static int
join_any(int fd, const struct rx_chan *c, const struct rx_ifc *ifc)
{
	if (c->family == AF_INET) {
		struct ip_mreqn m;

		memset(&m, 0, sizeof(m));
		memcpy(&m.imr_multiaddr, c->group, 4);
		if (ifc->has_v4)
			m.imr_address = ifc->v4;
		m.imr_ifindex = (int)ifc->ifindex;
		return setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m,
		    sizeof(m));
	} else {
		struct ipv6_mreq m;

		memset(&m, 0, sizeof(m));
		memcpy(&m.ipv6mr_multiaddr, c->group, 16);
		m.ipv6mr_interface = ifc->ifindex;
		return setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m,
		    sizeof(m));
	}
}

/*
 * Source-specific join.  IPv4 with an interface address uses
 * IP_ADD_SOURCE_MEMBERSHIP; everything else MCAST_JOIN_SOURCE_GROUP,
 * which takes an interface index (0: chosen by the kernel).
 */
static int
join_source(int fd, const struct rx_chan *c, const uint8_t *src,
    const struct rx_ifc *ifc)
{
	struct group_source_req g;

	if (c->family == AF_INET && (ifc->has_v4 || ifc->ifindex == 0)) {
		struct ip_mreq_source m;

		memset(&m, 0, sizeof(m));
		memcpy(&m.imr_multiaddr, c->group, 4);
		memcpy(&m.imr_sourceaddr, src, 4);
		if (ifc->has_v4)
			m.imr_interface = ifc->v4;
		return setsockopt(fd, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP,
		    &m, sizeof(m));
	}
	memset(&g, 0, sizeof(g));
	g.gsr_interface = ifc->ifindex;
	sa_fill(&g.gsr_group, c->family, c->group, 0, 0);
	sa_fill(&g.gsr_source, c->family, src, 0, 0);
	return setsockopt(fd, c->family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
	    MCAST_JOIN_SOURCE_GROUP, &g, sizeof(g));
}

/*
 * Ask for the biggest receive buffer allowed: SO_RCVBUFFORCE when root
 * (ignores rmem_max), else SO_RCVBUF (capped by rmem_max, no privilege).
 * Returns the effective size the kernel reports.
 */
static uint32_t
sock_rcvbuf(int fd, uint32_t want)
{
	int v = want > INT_MAX / 2 ? INT_MAX / 2 : (int)want;
	socklen_t len = sizeof(v);

	if (geteuid() != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) == -1) {
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == -1)
			log_warn_rl("rx: SO_RCVBUF %d", v);
	}
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len) == -1)
		return 0;
	return v < 0 ? 0 : (uint32_t)v;
}

/* Options every channel socket needs before bind; returns 0 or -1. */
static int
sock_setup(int fd, int family)
{
	int one = 1, zero = 0;

	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) == -1)
		return -1;
	if (family == AF_INET)
		return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero,
		    sizeof(zero)) == -1 ||
		    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one,
		    sizeof(one)) == -1 ? -1 : 0;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
	    sizeof(one)) == -1 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one,
	    sizeof(one)) == -1)
		return -1;
	/* Linux >= 4.20 only; binding to the group filters on older ones. */
	(void)setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &zero,
	    sizeof(zero));
	return 0;
}

/* A socket with our options, bound to the group; -1 with errno set. */
static int
chan_socket(struct rx *rx, const struct rx_chan *c, unsigned ifindex)
{
	struct sockaddr_storage ss;
	int fd, err;

	fd = socket(c->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (sock_setup(fd, c->family) == -1)
		goto fail;
	rx->st.rcvbuf = sock_rcvbuf(fd, rx->p.rcvbuf);
	/* The kernel reports twice what it grants. */
	if (rx->st.rcvbuf / 2 < rx->p.rcvbuf && !rx->rcvbuf_logged) {
		log_info("rx: receive buffer %u bytes of %u wanted; raise "
		    "net.core.rmem_max to avoid drops", rx->st.rcvbuf / 2,
		    rx->p.rcvbuf);
		rx->rcvbuf_logged = 1;
	}
	/* Bound to the group: only its datagrams reach this socket. */
	sa_fill(&ss, c->family, c->group, c->port, ifindex);
	if (bind(fd, (struct sockaddr *)&ss, c->family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) == -1)
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/*
 * Open, bind and join one channel.  Any failure closes the socket (which
 * leaves whatever was joined) and schedules a retry, so a channel is
 * either fully joined or not open at all.
 */
int
rx_chan_open(struct rx *rx, struct rx_chan *c, uint64_t now)
{
	struct epoll_event ev;
	struct rx_ifc ifc;
	const char *what;
	char name[64];
	size_t i;
	int fd = -1, err;

	what = "interface lookup";
	if (ifc_resolve(rx->p.interface, c->family, &ifc) == -1)
		goto fail;
	what = "socket";
	if ((fd = chan_socket(rx, c, ifc.ifindex)) == -1)
		goto fail;
	what = "join";
	if (c->any_source) {
		if (join_any(fd, c, &ifc) == -1)
			goto fail;
	} else {
		for (i = 0; i < c->nsources; i++)
			if (join_source(fd, c, c->sources[i], &ifc) == -1)
				goto fail;
	}
	what = "epoll";
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = c;
	if (epoll_ctl(rx->epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		goto fail;
	c->fd = fd;
	c->ovfl = 0;
	c->retry_ms = 0;
	return 0;
fail:
	err = errno;
	if (fd != -1)
		close(fd);
	rx->st.join_failures++;
	c->retry_ms = c->retry_ms == 0 ? RX_RETRY_MIN_MS : c->retry_ms * 2;
	if (c->retry_ms > RX_RETRY_MAX_MS)
		c->retry_ms = RX_RETRY_MAX_MS;
	c->retry_at = now + c->retry_ms;
	rx_chan_name(c, name, sizeof(name));
	errno = err;
	log_warn_rl("rx: %s on interface \"%s\": %s failed, retry in %u ms",
	    name, rx->p.interface, what, (unsigned)c->retry_ms);
	return -1;
}

void
rx_chan_free(struct rx_chan *c)
{
	if (c == NULL)
		return;
	if (c->fd != -1)
		close(c->fd);	/* leaves its groups and its epoll set */
	free(c->sources);
	free(c->filters);
	free(c->fstats);
	free(c);
}
