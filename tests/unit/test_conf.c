/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for daemon/conf.c: every key, defaults, and bad files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "../../daemon/conf.h"
#include "../../daemon/log.h"
#include "test.h"

static char conf_path[64];

/* Write text to a temp file and load it; returns conf_load's result. */
static int
load(const char *text, struct conf **out, char *err, size_t errlen)
{
	FILE *f;
	int fd;

	snprintf(conf_path, sizeof(conf_path), "/tmp/nipcache-conf-XXXXXX");
	fd = mkstemp(conf_path);
	if (fd < 0)
		return -2;
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	fd = conf_load(conf_path, out, err, errlen);
	unlink(conf_path);
	return fd;
}

static void
test_defaults(void)
{
	struct conf *c;
	char err[256];

	REQUIRE(load("", &c, err, sizeof(err)) == 0);
	CHECK(strcmp(c->interface, "127.0.0.1") == 0);
	CHECK(strcmp(c->cache_dir, "/var/cache/nipcache") == 0);
	CHECK_EQ_U(c->max_bytes, 10ULL << 30);
	CHECK_EQ_U(c->min_free_pct, 5);
	CHECK(c->fsync == CONF_FSYNC_COMMIT);
	CHECK_EQ_U(c->nlisten, 1);
	CHECK(strcmp(c->listen[0], "127.0.0.1:8080") == 0);
	CHECK_EQ_U(c->nsrcs, 0);
	CHECK(c->nip_announcement == 1);
	CHECK(c->nip_join == CONF_JOIN_ALL);
	CHECK_EQ_U(c->nip_nservices, 0);
	CHECK_EQ_U(c->nip_idle_leave_ms, 300000);
	CHECK(c->nip_region[0] == '\0' && c->nip_gateway_config[0] == '\0');
	CHECK_EQ_U(c->http_hold_ms, 6000);
	CHECK(c->http_gap_tag == 1 && c->repair_enabled == 1);
	CHECK(c->http_ui_dir[0] == '\0');	/* the compiled-in folder */
	CHECK_EQ_U(c->repair_nbase, 0);
	CHECK(c->repair_origin[0] == '\0');
	CHECK_EQ_U(c->repair_reception_timeout_ms, 2000);
	CHECK_EQ_U(c->reasm.reception_timeout_ms, 2000);
	CHECK_EQ_U(c->repair_fixed_backoff_ms, 0);
	CHECK_EQ_U(c->repair_random_backoff_ms, 1000);
	CHECK_EQ_U(c->repair_max_parallel, 4);
	CHECK_EQ_U(c->reasm.max_objects, 4096);
	CHECK_EQ_U(c->reasm.fec_max_object_bytes, 32ULL << 20);
	CHECK_EQ_U(c->reasm.fec_max_total_bytes, 64ULL << 20);
	conf_free(c);
}

static void
test_repair_keys(void)
{
	struct conf *c;
	char err[256];
	const char *text =
	    "[repair]\nenabled = no\n"
	    "base_url = http://cdn.example/x/\n"
	    "base_url = https://cdn2.example:8443/y 3\n"
	    "base_url = http://off.example/ 0\n"
	    "origin = http://127.0.0.1:8081/\n"
	    "reception_timeout = 0\nfixed_backoff = 250ms\n"
	    "random_backoff = 3s\nmax_parallel = 8\nrequest_timeout = 4s\n"
	    "[http]\nhold_timeout = 2s\ngap_tag = no\n"
	    "ui_dir = /opt/nipcache/ui\n";

	REQUIRE(load(text, &c, err, sizeof(err)) == 0);
	CHECK(strcmp(c->http_ui_dir, "/opt/nipcache/ui") == 0);
	CHECK(c->repair_enabled == 0);
	REQUIRE(c->repair_nbase == 3);
	CHECK(strcmp(c->repair_base[0], "http://cdn.example/x/") == 0);
	CHECK_EQ_U(c->repair_base_weight[0], 1);
	CHECK(strcmp(c->repair_base[1], "https://cdn2.example:8443/y") == 0);
	CHECK_EQ_U(c->repair_base_weight[1], 3);
	CHECK_EQ_U(c->repair_base_weight[2], 0);
	CHECK(strcmp(c->repair_origin, "http://127.0.0.1:8081/") == 0);
	CHECK_EQ_U(c->repair_reception_timeout_ms, 0);
	CHECK_EQ_U(c->reasm.reception_timeout_ms, 0);
	CHECK_EQ_U(c->repair_fixed_backoff_ms, 250);
	CHECK_EQ_U(c->repair_random_backoff_ms, 3000);
	CHECK_EQ_U(c->repair_max_parallel, 8);
	CHECK_EQ_U(c->repair_timeout_ms, 4000);
	CHECK_EQ_U(c->http_hold_ms, 2000);
	CHECK(c->http_gap_tag == 0);
	conf_free(c);
}

static void
test_all_keys(void)
{
	struct conf *c;
	char err[256];
	const char *text =
	    "# comment\n"
	    "[log]\nlevel = debug\n"
	    "[input]\ninterface = eth0\n"
	    "udp = 239.1.1.1:5000\n"
	    "udp = 239.1.1.2:5001/7@10.0.0.1 ; a comment after a value\n"
	    "udp = [ff15::1]:6000/2\n"
	    "receive_buffer = 4M\n"
	    "[carousel]\nobject_timeout = 250ms\nprefdt_bytes = 1M\n"
	    "max_object_size = 1G\nmax_sessions = 9\nmax_objects = 17\n"
	    "fec_object_bytes = 8M\nfec_total_bytes = 0\n"
	    "[cache]\ndir = /srv/cache\nmax_bytes = 512M\nmin_free = 2G\n"
	    "fsync = never\nrequire_mount = yes\n"
	    "[http]\nlisten = 0.0.0.0:80\nlisten = [::1]:8081\nthreads = 4\n"
	    "timeout = 2m\nmax_connections_per_client = 0\n"
	    "[nip]\nannouncement = off\njoin = list\n"
	    "services = tag:a,2024:x   tag:b,2024:y\nservices = tag:c\n"
	    "idle_leave = 90s\nregion = DE-BY\n"
	    "gateway_config = /etc/nipcache/gw.xml\nnif = /etc/nipcache/nif.xml\n";

	REQUIRE(load(text, &c, err, sizeof(err)) == 0);
	CHECK(c->log_level == LOG_LEVEL_DEBUG);
	CHECK(strcmp(c->interface, "eth0") == 0);
	REQUIRE(c->nsrcs == 3);
	CHECK(c->srcs[0].port == 5000 && !c->srcs[0].has_tsi);
	CHECK(c->srcs[1].has_tsi && c->srcs[1].tsi.lo == 7);
	CHECK(c->srcs[1].has_source);
	CHECK(c->srcs[2].port == 6000 && c->srcs[2].tsi.lo == 2);
	CHECK_EQ_U(c->rcvbuf, 4 << 20);
	CHECK_EQ_U(c->reasm.object_timeout_ms, 250);
	CHECK_EQ_U(c->reasm.prefdt_max_bytes, 1 << 20);
	CHECK_EQ_U(c->reasm.max_object_bytes, 1ULL << 30);
	CHECK_EQ_U(c->reasm.max_sessions, 9);
	CHECK_EQ_U(c->reasm.max_objects, 17);
	CHECK_EQ_U(c->reasm.fec_max_object_bytes, 8ULL << 20);
	CHECK_EQ_U(c->reasm.fec_max_total_bytes, 0);
	CHECK(strcmp(c->cache_dir, "/srv/cache") == 0);
	CHECK_EQ_U(c->max_bytes, 512ULL << 20);
	CHECK_EQ_U(c->min_free_bytes, 2ULL << 30);
	CHECK_EQ_U(c->min_free_pct, 0);
	CHECK(c->fsync == CONF_FSYNC_NEVER);
	CHECK(c->require_mount == 1);
	REQUIRE(c->nlisten == 2);
	CHECK(strcmp(c->listen[0], "0.0.0.0:80") == 0);
	CHECK(strcmp(c->listen[1], "[::1]:8081") == 0);
	CHECK_EQ_U(c->http_threads, 4);
	CHECK_EQ_U(c->http_timeout_s, 120);
	CHECK_EQ_U(c->http_per_client, 0);
	CHECK(c->nip_announcement == 0);
	CHECK(c->nip_join == CONF_JOIN_LIST);
	REQUIRE(c->nip_nservices == 3);
	CHECK(strcmp(c->nip_services[0], "tag:a,2024:x") == 0);
	CHECK(strcmp(c->nip_services[1], "tag:b,2024:y") == 0);
	CHECK(strcmp(c->nip_services[2], "tag:c") == 0);
	CHECK_EQ_U(c->nip_idle_leave_ms, 90000);
	CHECK(strcmp(c->nip_region, "DE-BY") == 0);
	CHECK(strcmp(c->nip_gateway_config, "/etc/nipcache/gw.xml") == 0);
	CHECK(strcmp(c->nip_nif, "/etc/nipcache/nif.xml") == 0);
	conf_free(c);
}

/* Each bad file must fail with "path:line: " and a reason naming the key. */
static void
test_errors(void)
{
	static const struct { const char *text; int line; const char *what; } t[] = {
		{ "[cache]\nmax_bytes = lots\n", 2, "max_bytes" },
		{ "[cache]\n\nfsync = sometimes\n", 3, "fsync" },
		{ "[cache]\ndir = relative/path\n", 2, "dir" },
		{ "[cache]\nmin_free = 95%\n", 2, "min_free" },
		{ "[input]\nudp = 10.0.0.1:5000\n", 2, "udp" },
		{ "[input]\nudp = 239.1.1.1\n", 2, "udp" },
		{ "[input]\nudp = 239.1.1.1:99999\n", 2, "udp" },
		{ "[http]\nlisten = 1.2.3:80\n", 2, "listen" },
		{ "[http]\nlisten = eth/0:80\n", 2, "listen" },
		{ "[http]\nlisten = sixteen-chars-ifn:80\n", 2, "listen" },
		{ "[http]\nlisten = lo:80 lo:99999\n", 2, "listen" },
		{ "[http]\nlisten = lo\n", 2, "listen" },
		/* More port digits than httpd reads (fuzz conf found it). */
		{ "[http]\nlisten = 127.0.0.1:000080\n", 2, "listen" },
		{ "[http]\nlisten = [::1]:+80\n", 2, "listen" },
		{ "[http]\nlisten = a:1 b:2 c:3\nlisten = d:4 e:5 f:6 g:7 h:8 "
		  "i:9\n", 3, "more than 8" },
		{ "[http]\nadmin_allow = 10.0.0.1/8\n", 2, "admin_allow" },
		{ "[http]\nadmin_allow = none 10.0.0.0/8\n", 2, "admin_allow" },
		{ "[http]\nadmin_allow = \n", 2, "admin_allow" },
		{ "[http]\nlimit_exempt = 10.0.0.0/33\n", 2, "limit_exempt" },
		{ "[http]\nlimit_exempt = lan\n", 2, "limit_exempt" },
		{ "[http]\nmax_request_rate = fast\n", 2, "max_request_rate" },
		{ "[http]\nmax_held = 0\n", 2, "max_held" },
		{ "[http]\nmax_held_per_client = -1\n", 2,
		  "max_held_per_client" },
		{ "[http]\nheader_timeout = 500ms\n", 2, "header_timeout" },
		{ "[http]\nnosuch = 1\n", 2, "unknown key" },
		{ "[http]\nlisten = [::1:80\n", 2, "listen" },
		{ "[http]\nthreads = 0\n", 2, "threads" },
		{ "[nosuch]\nkey = 1\n", 2, "unknown" },
		{ "[cache]\nnosuch = 1\n", 2, "unknown" },
		{ "[log]\nlevel = loud\n", 2, "level" },
		{ "[carousel]\nobject_timeout = 5 parsecs\n", 2, "object_timeout" },
		{ "[carousel]\nfec_object_bytes = 5T\n", 2, "fec_object_bytes" },
		{ "[carousel]\nfec_total_bytes = -1\n", 2, "fec_total_bytes" },
		{ "[carousel]\nmax_objects = 0\n", 2, "max_objects" },
		{ "garbage line\n", 1, "syntax" },
		{ "[nip]\njoin = some\n", 2, "join" },
		{ "[nip]\nannouncement = maybe\n", 2, "announcement" },
		{ "[nip]\nidle_leave = 0\n", 2, "idle_leave" },
		{ "[nip]\ngateway_config = gw.xml\n", 2, "gateway_config" },
		{ "[nip]\nnif = \n", 2, "nif" },
		{ "[repair]\nbase_url = ftp://x/\n", 2, "base_url" },
		{ "[repair]\nbase_url = http:///path\n", 2, "base_url" },
		{ "[repair]\nbase_url = http://x/ heavy\n", 2, "base_url" },
		{ "[repair]\norigin = cdn.example\n", 2, "origin" },
		{ "[repair]\nenabled = perhaps\n", 2, "enabled" },
		{ "[repair]\nmax_parallel = 0\n", 2, "max_parallel" },
		{ "[repair]\nrandom_backoff = 11m\n", 2, "random_backoff" },
		{ "[repair]\nrequest_timeout = 10ms\n", 2, "request_timeout" },
		{ "[http]\nhold_timeout = 2m\n", 2, "hold_timeout" },
		{ "[http]\ngap_tag = sometimes\n", 2, "gap_tag" },
		{ "[http]\nui_dir = share/ui\n", 2, "absolute path" },
		{ "[http]\nui_dir = \n", 2, "ui_dir" },
		{ "[input]\nts = x pid=5\n", 2, "ts" },
		{ "[input]\nts = x pid=0x1fff\n", 2, "ts" },
		{ "[input]\nts = x ule\n", 2, "ule needs pid" },
		{ "[input]\nts = x colour=red\n", 2, "unknown option" },
		{ "[input]\nts = udp://239.1.1.1\n", 2, "udp://HOST:PORT" },
		{ "[input]\nts = udp://[ff05::1:99\n", 2, "ts" },
		{ "[input]\ngse = x service=3\n", 2, "gse" },
		{ "[input]\npcap = udp://1.2.3.4:5\n", 2, "a capture is a file" },
		{ "[input]\npace = slow\n", 2, "pace" },
		{ "[input]\nsockets = maybe\n", 2, "sockets" },
		{ "[input]\ndvb = zero\n", 2, "dvb" },
		{ "[input]\ndvb = 0\n[tuner]\nfrequency = lots\n", 4, "frequency" },
		{ "[input]\ndvb = 0\n[tuner]\npolarisation = up\n", 4, "polar" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct conf *c = NULL;
		char err[512], want[64];

		CHECK(load(t[i].text, &c, err, sizeof(err)) == -1);
		CHECK(c == NULL);
		snprintf(want, sizeof(want), ":%d: ", t[i].line);
		CHECK(strstr(err, want) != NULL);
		CHECK(strstr(err, t[i].what) != NULL);
		if (strstr(err, want) == NULL || strstr(err, t[i].what) == NULL)
			fprintf(stderr, "  case %zu: %s\n", i, err);
	}
}

/* Inputs below UDP and tuners: what the keys fill in. */
static void
test_input_keys(void)
{
	static const char text[] =
	    "[input]\nudp = 239.1.1.1:5000\n"
	    "ts = /tmp/a.ts pid=0x100 service=7\nts = udp://[ff05::1]:1234\n"
	    "gse = -\npcap = /tmp/b.pcap\npace = realtime\ndvb = 1:2\n"
	    "[tuner]\nfrequency = 11141 MHz\npolarisation = h\n"
	    "symbol_rate = 23500 ks/s\npid = 0x200\n";
	struct conf *c = NULL;
	char err[512];

	REQUIRE(load(text, &c, err, sizeof(err)) == 0);
	CHECK_EQ_U(c->ninputs, 4);
	CHECK(c->inputs[0].kind == RX_IN_TS && c->inputs[0].ts.pid == 0x100 &&
	    c->inputs[0].ts.service_id == 7 &&
	    strcmp(c->inputs[0].name, "/tmp/a.ts") == 0);
	CHECK(strcmp(c->inputs[1].name, "udp://[ff05::1]:1234") == 0);
	CHECK(c->inputs[2].kind == RX_IN_GSE && c->inputs[3].kind == RX_IN_PCAP);
	CHECK(c->inputs[3].realtime == 1 && c->inputs[0].realtime == 0);
	CHECK_EQ_U(c->ntuners, 1);
	CHECK(c->tuners[0].adapter == 1 && c->tuners[0].frontend == 2);
	CHECK_EQ_U(c->tuners[0].freq_khz, 11141000);
	CHECK(c->tuners[0].pol == 'H' && c->tuners[0].mpe_pid == 0x200);
	CHECK_EQ_U(c->tuners[0].symbol_rate, 23500000);
	CHECK(!conf_use_sockets(c));
	conf_free(c);
	/* Only udp lines: sockets; forced either way. */
	REQUIRE(load("[input]\nudp = 239.1.1.1:5000\n", &c, err,
	    sizeof(err)) == 0);
	CHECK(conf_use_sockets(c));
	conf_free(c);
	REQUIRE(load("[input]\npcap = /x\nsockets = yes\n", &c, err,
	    sizeof(err)) == 0);
	CHECK(conf_use_sockets(c));
	conf_free(c);
	/* A [tuner] section needs its dvb line. */
	CHECK(load("[tuner2]\nfrequency = 11141 MHz\n[input]\ndvb = 0\n", &c,
	    err, sizeof(err)) == -1 && strstr(err, "tuner2") != NULL);
}

/* 1 if the text address (IPv4 or IPv6) is in acl; -1 if bad text. */
static int
in_acl(const struct netacl *acl, const char *a)
{
	uint8_t buf[16];

	if (inet_pton(AF_INET, a, buf) == 1)
		return netacl_match_addr(acl, AF_INET, buf);
	if (inet_pton(AF_INET6, a, buf) != 1)
		return -1;
	return netacl_match_addr(acl, AF_INET6, buf);
}

/* [http]: the limits and networks, their defaults, listen forms. */
static void
test_http_keys(void)
{
	struct conf *c;
	char err[256];

	REQUIRE(load("", &c, err, sizeof(err)) == 0);
	CHECK_EQ_U(c->http_header_ms, 10000);
	CHECK_EQ_U(c->http_rate, 100);
	CHECK_EQ_U(c->http_max_held, 512);
	CHECK_EQ_U(c->http_held_per_client, 32);
	CHECK_EQ_U(c->http_max_conns, 1000);
	CHECK_EQ_U(c->http_per_client, 64);
	/* Diagnostics: loopback and the private networks, nothing public. */
	CHECK(1 == in_acl(&c->http_admin_allow, "127.0.0.1"));
	CHECK(1 == in_acl(&c->http_admin_allow, "::1"));
	CHECK(1 == in_acl(&c->http_admin_allow, "192.168.1.20"));
	CHECK(1 == in_acl(&c->http_admin_allow, "10.9.8.7"));
	CHECK(1 == in_acl(&c->http_admin_allow, "172.31.255.255"));
	CHECK(1 == in_acl(&c->http_admin_allow, "fd12:3456::1"));
	CHECK(1 == in_acl(&c->http_admin_allow, "fe80::1"));
	CHECK(0 == in_acl(&c->http_admin_allow, "172.32.0.1"));
	CHECK(0 == in_acl(&c->http_admin_allow, "8.8.8.8"));
	CHECK(0 == in_acl(&c->http_admin_allow, "2001:db8::1"));
	CHECK(1 == in_acl(&c->http_limit_exempt, "127.0.0.2"));
	CHECK(0 == in_acl(&c->http_limit_exempt, "192.168.1.20"));
	conf_free(c);

	REQUIRE(load("[http]\nlisten = lo:8080 br-lan:8080\n"
	    "listen = [::1]:81 eth0.100:0\nheader_timeout = 3s\n"
	    "max_request_rate = 0\nmax_held = 7\nmax_held_per_client = 0\n"
	    "admin_allow = 127.0.0.0/8\nadmin_allow = ::1 10.1.0.0/16\n"
	    "limit_exempt = none\n", &c, err, sizeof(err)) == 0);
	REQUIRE(c->nlisten == 4);
	CHECK(strcmp(c->listen[0], "lo:8080") == 0);
	CHECK(strcmp(c->listen[1], "br-lan:8080") == 0);
	CHECK(strcmp(c->listen[2], "[::1]:81") == 0);
	CHECK(strcmp(c->listen[3], "eth0.100:0") == 0);
	CHECK_EQ_U(c->http_header_ms, 3000);
	CHECK_EQ_U(c->http_rate, 0);
	CHECK_EQ_U(c->http_max_held, 7);
	CHECK_EQ_U(c->http_held_per_client, 0);
	/* A later line replaces the list. */
	CHECK(0 == in_acl(&c->http_admin_allow, "127.0.0.1"));
	CHECK(1 == in_acl(&c->http_admin_allow, "::1"));
	CHECK(1 == in_acl(&c->http_admin_allow, "10.1.200.3"));
	CHECK(0 == in_acl(&c->http_admin_allow, "10.2.0.1"));
	CHECK_EQ_U(c->http_limit_exempt.n, 0);
	CHECK(0 == in_acl(&c->http_limit_exempt, "127.0.0.1"));
	conf_free(c);
	REQUIRE(load("[http]\nadmin_allow = any\n", &c, err,
	    sizeof(err)) == 0);
	CHECK(1 == in_acl(&c->http_admin_allow, "8.8.8.8"));
	CHECK(1 == in_acl(&c->http_admin_allow, "2001:db8::1"));
	conf_free(c);
}

static void
test_long_line(void)
{
	struct conf *c = NULL;
	char text[600], err[512];

	snprintf(text, sizeof(text), "[cache]\n\ndir = /%0250d\n", 0);
	CHECK(load(text, &c, err, sizeof(err)) == -1);
	CHECK(strstr(err, ":3: line longer than") != NULL);
	CHECK(c == NULL);
}

static void
test_missing_file(void)
{
	struct conf *c = NULL;
	char err[256];

	CHECK(conf_load("/nonexistent/nipcached.conf", &c, err, sizeof(err)) == -1);
	CHECK(strstr(err, "/nonexistent/nipcached.conf") != NULL);
}

/* 1 if the shipped file's line "prefix LIST" parses to acl; 0, -1. */
static int
shipped_acl(const char *prefix, const struct netacl *acl)
{
	struct netacl got;
	char line[256], why[160];
	FILE *f = fopen("systemd/nipcached.conf", "r");
	int r = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, prefix, strlen(prefix)) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		r = netacl_parse(line + strlen(prefix), &got, why,
		    sizeof(why)) == 0 && memcmp(&got, acl, sizeof(got)) == 0;
		break;
	}
	fclose(f);
	return r;
}

static void
test_shipped_file(void)
{
	struct conf *c = NULL;
	char err[512];

	/* The commented default file must load and equal the defaults. */
	CHECK(conf_load("systemd/nipcached.conf", &c, err, sizeof(err)) == 0);
	if (c == NULL) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	CHECK_EQ_U(c->max_bytes, 10ULL << 30);
	CHECK(strcmp(c->listen[0], "127.0.0.1:8080") == 0 && c->nlisten == 1);
	/* The networks shown commented out are the defaults. */
	CHECK(shipped_acl("#admin_allow = ", &c->http_admin_allow) == 1);
	CHECK(shipped_acl("#limit_exempt = ", &c->http_limit_exempt) == 1);
	conf_free(c);
}

TEST_MAIN(TEST(test_defaults), TEST(test_all_keys), TEST(test_repair_keys),
    TEST(test_input_keys), TEST(test_http_keys),
    TEST(test_errors),
    TEST(test_long_line), TEST(test_missing_file), TEST(test_shipped_file))
