/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rx_src.c: rx_parse_src(), the "GROUP:PORT[/TSI][@SOURCE]" syntax of a
 * configured carousel source.  A pure parser: no I/O, no globals.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "rx_int.h"

#define RX_SRC_MAX	128	/* longest "GROUP:PORT/TSI@SOURCE" accepted */

/* Parse an IPv4 dotted quad or a bracketed IPv6 address; advances *sp. */
static int
parse_addr(const char **sp, int *family, uint8_t *out)
{
	char buf[INET6_ADDRSTRLEN];
	const char *s = *sp, *end;
	size_t n;

	memset(out, 0, 16);
	if (*s == '[') {
		if ((end = strchr(s + 1, ']')) == NULL)
			return -1;
		n = (size_t)(end - (s + 1));
		if (n == 0 || n >= sizeof(buf))
			return -1;
		memcpy(buf, s + 1, n);
		buf[n] = '\0';
		*family = AF_INET6;
		*sp = end + 1;
	} else {
		n = strspn(s, "0123456789.");
		if (n == 0 || n >= INET_ADDRSTRLEN)
			return -1;
		memcpy(buf, s, n);
		buf[n] = '\0';
		*family = AF_INET;
		*sp = s + n;
	}
	return inet_pton(*family, buf, out) == 1 ? 0 : -1;
}

/* Unsigned decimal, 1..maxdigits digits, at most max; advances *sp. */
static int
parse_dec(const char **sp, int maxdigits, uint64_t max, uint64_t *out)
{
	const char *s = *sp;
	uint64_t v = 0;
	int n;

	for (n = 0; s[n] >= '0' && s[n] <= '9'; n++) {
		unsigned d = (unsigned)(s[n] - '0');

		if (n == maxdigits || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (n == 0)
		return -1;
	*sp = s + n;
	*out = v;
	return 0;
}

/* A usable SSM source: unicast, not unspecified, not broadcast. */
static int
source_ok(int family, const uint8_t *a)
{
	static const uint8_t zero[16], bcast[4] = { 255, 255, 255, 255 };
	size_t al = rx_addr_len(family);

	if (rx_addr_is_mcast(family, a) || memcmp(a, zero, al) == 0)
		return 0;
	return family == AF_INET6 || memcmp(a, bcast, 4) != 0;
}

int
rx_parse_src(const char *s, struct carousel_src *out)
{
	struct carousel_src c;
	const char *p = s;
	uint64_t v;
	int fam;

	if (s == NULL || strnlen(s, RX_SRC_MAX + 1) > RX_SRC_MAX)
		return -1;
	memset(&c, 0, sizeof(c));
	if (parse_addr(&p, &c.family, c.group) == -1 ||
	    !rx_addr_is_mcast(c.family, c.group) || *p != ':')
		return -1;
	p++;
	if (parse_dec(&p, 5, 65535, &v) == -1 || v == 0)
		return -1;
	c.port = (uint16_t)v;
	if (*p == '/') {
		p++;
		if (parse_dec(&p, 20, UINT64_MAX, &v) == -1)
			return -1;
		c.has_tsi = 1;
		c.tsi.lo = v;
	}
	if (*p == '@') {
		p++;
		if (parse_addr(&p, &fam, c.source) == -1 || fam != c.family ||
		    !source_ok(fam, c.source))
			return -1;
		c.has_source = 1;
	}
	if (*p != '\0')
		return -1;
	*out = c;
	return 0;
}
