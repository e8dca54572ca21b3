/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conf.c: fuzz target for the configuration parser (daemon/conf.c,
 * conf_input.c, tuner_conf.c behind libinih).  conf_load reads a path, so
 * the input is written to a memfd and loaded through /proc/self/fd.
 *
 * Invariants: a file that loads gives counts within their bounds,
 * terminated strings, every listen address in the form httpd binds
 * (httpu_parse_listen accepts it), min_free as bytes or as a percentage
 * up to 90, and at least one HTTP thread; a file refused says why.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "../../daemon/conf.h"
#include "../../daemon/log.h"
#include "../../daemon/mime.h"

static int fuzz_fd = -1;
static char fuzz_path[64];

static void
fuzz_conf_check(const struct conf *c)
{
	struct sockaddr_storage ss;
	char ifname[16];
	uint16_t port;
	socklen_t sl;
	size_t i;

	FUZZ_CHECK(FUZZ_STRZ(c->interface) && FUZZ_STRZ(c->cache_dir));
	FUZZ_CHECK(FUZZ_STRZ(c->nip_region) && FUZZ_STRZ(c->repair_origin));
	FUZZ_CHECK(FUZZ_STRZ(c->nip_gateway_config) && FUZZ_STRZ(c->nip_nif));
	FUZZ_CHECK(FUZZ_STRZ(c->http_ui_dir));
	FUZZ_CHECK(c->nsrcs <= CONF_MAX_SRCS);
	FUZZ_CHECK(c->ninputs <= RX_INPUTS_MAX);
	FUZZ_CHECK(c->ntuners <= CONF_MAX_TUNERS);
	FUZZ_CHECK(c->nip_nservices <= CONF_MAX_NIP_SERVICES);
	FUZZ_CHECK(c->repair_nbase <= CONF_MAX_REPAIR_BASE);
	FUZZ_CHECK(c->nlisten <= CONF_MAX_LISTEN);
	for (i = 0; i < c->nip_nservices; i++)
		FUZZ_CHECK(FUZZ_STRZ(c->nip_services[i]));
	for (i = 0; i < c->repair_nbase; i++)
		FUZZ_CHECK(FUZZ_STRZ(c->repair_base[i]));
	for (i = 0; i < c->nlisten; i++) {
		FUZZ_CHECK(FUZZ_STRZ(c->listen[i]));
		FUZZ_CHECK(httpu_parse_listen(c->listen[i], &ss, &sl) == 0 ||
		    httpu_parse_listen_if(c->listen[i], ifname,
		    sizeof(ifname), &port) == 0);
	}
	for (i = 0; i < c->nsrcs; i++)
		FUZZ_CHECK(c->srcs[i].family == AF_INET ||
		    c->srcs[i].family == AF_INET6);
	FUZZ_CHECK(c->min_free_pct <= 90);
	FUZZ_CHECK(c->min_free_pct == 0 || c->min_free_bytes == 0);
	FUZZ_CHECK(c->http_threads >= 1);
	FUZZ_CHECK(c->max_bytes >= (1u << 20));
	(void)conf_use_sockets(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *c;
	char err[512];

	if (fuzz_fd < 0) {
		log_init("fuzz-conf", LOG_LEVEL_WARN);
		fuzz_fd = memfd_create("fuzz-conf", MFD_CLOEXEC);
		FUZZ_CHECK(fuzz_fd >= 0);
		snprintf(fuzz_path, sizeof(fuzz_path), "/proc/self/fd/%d",
		    fuzz_fd);
	}
	FUZZ_CHECK(ftruncate(fuzz_fd, 0) == 0);
	FUZZ_CHECK(pwrite(fuzz_fd, data, size, 0) == (ssize_t)size);
	err[0] = '\0';
	if (conf_load(fuzz_path, &c, err, sizeof(err)) != 0) {
		if (getenv("FUZZ_VERBOSE") != NULL)
			fprintf(stderr, "refused: %s\n", err);
		FUZZ_CHECK(c == NULL);
		FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)));
		return 0;
	}
	fuzz_conf_check(c);
	conf_free(c);
	return 0;
}
