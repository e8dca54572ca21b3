/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rx_dgram.c: one datagram, from a socket (recvmmsg with its control
 * messages) or from an input below UDP (after the IP/UDP checks), through
 * the channel's filters (source, TSI) to reassembly.  rx thread only; no
 * system calls.
 */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "rx_int.h"

/* Kernel drops: the delta of the cumulative SO_RXQ_OVFL counter. */
static void
rx_ovfl(struct rx *rx, struct rx_chan *c, uint32_t v)
{
	rx->st.kernel_drops += (uint32_t)(v - c->ovfl);
	c->ovfl = v;
}

/* Walk the control messages: destination address and drop counter. */
static int
rx_cmsgs(struct rx *rx, struct rx_chan *c, struct msghdr *h, uint8_t *dst)
{
	struct cmsghdr *cm;
	int found = 0;

	for (cm = CMSG_FIRSTHDR(h); cm != NULL; cm = CMSG_NXTHDR(h, cm)) {
		if (cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			memcpy(dst, &pi.ipi_addr, 4);
			found = 1;
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi6;

			memcpy(&pi6, CMSG_DATA(cm), sizeof(pi6));
			memcpy(dst, &pi6.ipi6_addr, 16);
			found = 1;
		} else if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SO_RXQ_OVFL) {
			uint32_t v;

			memcpy(&v, CMSG_DATA(cm), sizeof(v));
			rx_ovfl(rx, c, v);
		}
	}
	return found;
}

/* The index of the first configured (source, TSI) accepting the packet, -1. */
int
rx_match(const struct rx_chan *c, const uint8_t *src, struct alc_id tsi)
{
	size_t i, al = rx_addr_len(c->family);

	for (i = 0; i < c->nfilters; i++) {
		const struct carousel_src *f = &c->filters[i];

		if (f->has_source && memcmp(f->source, src, al) != 0)
			continue;
		if (f->has_tsi && !alc_id_eq(f->tsi, tsi))
			continue;
		return (int)i;
	}
	return -1;
}

/*
 * What sockets and inputs share: parse, filter by destination, source and
 * TSI, count, hand to reasm.  ch holds the addresses.  No system calls.
 */
static void
rx_deliver(struct rx *rx, struct rx_chan *c, struct reasm_chan *ch,
    const uint8_t *buf, size_t len, uint64_t now, int64_t wall)
{
	struct alc_pkt pkt;
	size_t al = rx_addr_len(c->family);
	int rc, fi;

	rc = alc_parse(buf, len, &pkt);
	if (rc < 0) {
		rx->st.bad_packets[-rc > ALC_ENERR ? ALC_ENERR : -rc]++;
		return;
	}
	if (memcmp(ch->dst, c->group, al) != 0 ||
	    (fi = rx_match(c, ch->src, pkt.tsi)) < 0) {
		rx->st.filtered++;
		return;
	}
	c->fstats[fi].datagrams++;
	c->fstats[fi].bytes += len;
	c->fstats[fi].last_ms = now;
	ch->family = (uint8_t)c->family;
	ch->port = c->port;
	/* The session's signalled transportObjectReceptionTimeout. */
	ch->reception_timeout_ms = c->filters[fi].reception_timeout_ms;
	(void)reasm_input(rx->reasm, ch, &pkt, now, wall);
}

/* One datagram from a socket: count, take its addresses, deliver. */
void
rx_datagram(struct rx *rx, struct rx_chan *c, struct mmsghdr *m,
    uint64_t now, int64_t wall)
{
	struct msghdr *h = &m->msg_hdr;
	struct reasm_chan ch;
	size_t al = rx_addr_len(c->family);

	rx->st.datagrams++;
	rx->st.bytes += m->msg_len;
	memset(&ch, 0, sizeof(ch));
	if (!rx_cmsgs(rx, c, h, ch.dst))
		memcpy(ch.dst, c->group, al);
	if (h->msg_flags & MSG_TRUNC) {
		rx->st.bad_packets[RX_BAD_OVERSIZE]++;
		return;
	}
	if (c->family == AF_INET)
		memcpy(ch.src, &((struct sockaddr_in *)h->msg_name)->sin_addr,
		    4);
	else
		memcpy(ch.src, &((struct sockaddr_in6 *)h->msg_name)->sin6_addr,
		    16);
	rx_deliver(rx, c, &ch, h->msg_iov->iov_base, m->msg_len, now, wall);
}

/*
 * From an input: the IP/UDP checks the kernel would make, then the
 * channel of its group and port (an unknown one is filtered, as a socket
 * would never have received it).
 */
int
rx_ip_datagram(struct rx *rx, const uint8_t *ip, size_t len)
{
	struct reasm_chan ch;
	struct ipudp d;
	struct rx_chan *c = NULL;
	size_t i, al;
	int rc;

	if ((rc = ipudp_parse(ip, len, &d)) < 0) {
		rx->st.ip_errors[-rc < IPUDP_NERR ? -rc : 0]++;
		return -1;
	}
	al = rx_addr_len(d.family);
	for (i = 0; i < rx->nchans && c == NULL; i++)
		if (rx->chans[i]->family == d.family &&
		    rx->chans[i]->port == d.dport &&
		    memcmp(rx->chans[i]->group, d.dst, al) == 0)
			c = rx->chans[i];
	rx->st.datagrams++;
	rx->st.bytes += d.len;
	if (c == NULL) {
		rx->st.filtered++;
		return 0;
	}
	memset(&ch, 0, sizeof(ch));
	memcpy(ch.src, d.src, al);
	memcpy(ch.dst, d.dst, al);
	rx_deliver(rx, c, &ch, d.payload, d.len, rx->now, rx->wall);
	return 0;
}
