/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipcast_opts.c: nipcast's command line: the help text, the options
 * into struct nc_opts with their defaults, and the checks of which mode
 * the options make (nc_parse_args).
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../daemon/log.h"
#include "../daemon/util.h"
#include "nipcast.h"

#ifndef NIPCACHE_VERSION
#define NIPCACHE_VERSION "dev"
#endif

static void
usage(void)
{
	printf(
"usage: nipcast -g GROUP:PORT [-i IFADDR] [-t TSI] [-r BITS_PER_S]\n"
"               [-c CYCLES] [--live] [--url-base URL]\n"
"               [--loss FRACTION --seed N] [--output FORMAT]\n"
"               [--fec none|rs|raptorq [--overhead PERCENT]]\n"
"               [--naci NET:CARRIER:LINK:SERVICE[:NAME]] [options] PATH...\n"
"       nipcast -g GROUP:PORT [options] --objects LIST\n"
"       nipcast --nip DESC [-i IFADDR] [-r RATE] [--ttl N] [-v]\n"
"       nipcast --nip DESC --nip-dump DIR\n"
"Send files and folders (recursively) as a FLUTE v1 carousel\n"
"(Compact No-Code FEC, or Reed-Solomon or RaptorQ with --fec).\n"
"  -g GROUP:PORT       destination, e.g. 239.1.1.1:5000 or [ff15::1]:5000\n"
"  -i IFADDR|IFNAME    source interface (address is also bound as source)\n"
"  -t TSI              transport session identifier (default 1)\n"
"  -r RATE             UDP payload bit rate, suffix k/M/G (decimal);\n"
"                      default 20M; 0 = as fast as possible\n"
"  -c CYCLES           carousel cycles (default 1); 0 = until SIGINT/SIGTERM\n"
"  --live              watch the folder(s) of a live HLS packager instead\n"
"  --objects LIST      send the files a list names, one per line:\n"
"                      PATH LOCATION [CONTENT-TYPE] (# comments; PATH\n"
"                      relative to the list's folder; LOCATION may be a\n"
"                      URN); each cycle re-stats them, and a file whose\n"
"                      size or mtime changed goes out under a new TOI\n"
"  --nip DESC          send a whole DVB-NIP network described by DESC:\n"
"                      bootstrap, NIF, SIF, SLEP and DVB-I service list on\n"
"                      224.0.23.14:3937 TSI 0, the gateway configuration on\n"
"                      its own session, and each service's HLS on its own\n"
"                      session, one child sender each (-i, -r, --ttl, -v and\n"
"                      --naci apply to every child); SIGHUP re-reads DESC\n"
"  --nip-dump DIR      write the six documents of DESC into DIR and exit\n"
"  --url-base URL      Content-Location prefix (default http://dvb.gw/)\n"
"  --loss FRACTION     drop this fraction of packets on purpose (FDT too)\n"
"  --seed N            seed of --loss and --shuffle (default 1)\n"
"  --ttl N             multicast TTL / hop limit (default 1)\n"
"  --symbol-size N     encoding symbol length E in bytes (default 1428)\n"
"  --block N           maximum source block length B (default 64; with\n"
"                      --fec rs the largest B that leaves room for the\n"
"                      repair symbols in 255, with raptorq 1024)\n"
"  --fec SCHEME        FEC of the objects (not of the FDT): none (default,\n"
"                      Compact No-Code, FEI 0), rs (Reed-Solomon GF(2^8),\n"
"                      FEI 5) or raptorq (RaptorQ, FEI 6); every mode,\n"
"                      --live, --objects and --nip (its service sessions,\n"
"                      signalled in the gateway configuration) included\n"
"  --overhead PERCENT  repair symbols per source block, 1 to 400 percent\n"
"                      of its source symbols (default 20; needs --fec);\n"
"                      raptorq sends new repair symbols every cycle\n"
"  --gzip              send objects gzip-encoded (Content-Encoding gzip)\n"
"  --no-md5            do not announce Content-MD5\n"
"  --fdt-interval MS   repeat the FDT at least this often (default 500)\n"
"  --content-type-from-ext, --no-content-type-from-ext\n"
"                      announce Content-Type from the extension (default on)\n"
"  --shuffle           send the symbols of each object in random order\n"
"                      (with --fec: of each source block, repair included)\n"
"  --toi-start N       first TOI to allocate (default 1)\n"
"  -v                  more messages (repeat for debug)\n");
	fputs(nc_out_help(), stdout);
	printf(
"Each object's Content-Location is the URL base plus its path relative to\n"
"the folder given (for a single file: its name).\n"
"DESC is an INI file:\n"
"  [network]  provider, domain (objects are http://dvb.gw/DOMAIN/...),\n"
"             list_id, gateway = GROUP:PORT/TSI; optional list_name,\n"
"             list_version, source (SSM source address), network_id,\n"
"             carrier_id, link_id, service_id, network_type, link_layer\n"
"  [service NAME]  (NAME: [a-z0-9_-]+) hls = FOLDER (relative to DESC's\n"
"             folder), playlist = PATH in it, session = GROUP:PORT/TSI;\n"
"             optional id, title, lcn, genre, logo (URL), bitrate,\n"
"             mode = live|static (default live)\n"
"Exit: 0 done, 64 usage (or a bad LIST or DESC), 66 no input, 74 I/O\n"
"error (writing the --output included).\n");
}

static void
usage_short(void)
{
	fprintf(stderr, "usage: nipcast -g GROUP:PORT [options] PATH...  "
	    "(nipcast --help for more)\n");
}

/* "A.B.C.D:PORT" or "[IPv6]:PORT". */
static int
parse_group(const char *s, struct nc_opts *o)
{
	struct nc_ep ep;

	if (nc_parse_ep(s, 0, &ep) < 0)
		return -1;
	memcpy(&o->group, &ep.sa, sizeof(o->group));
	o->group_len = ep.salen;
	return 0;
}

static int
parse_loss(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno != 0 || end == s || *end != '\0' || !(*out >= 0) ||
	    *out >= 1 ? -1 : 0;
}

/* --fec SCHEME: a bad name is said here, with the names known. */
static int
parse_fec(const char *s, struct nc_opts *o)
{
	int fei = nc_fec_scheme(s);

	if (fei < 0) {
		log_warnx("--fec %s: unknown scheme (none, rs or raptorq)", s);
		return -2;
	}
	o->fec = (uint8_t)fei;
	return 0;
}

/* --overhead PERCENT: 0 would signal FEC without repair (use none). */
static int
parse_overhead(const char *s, struct nc_opts *o)
{
	uint64_t v;

	if (nc_parse_u64(s, 1, NC_FEC_OVERHEAD_MAX, &v) < 0) {
		log_warnx("--overhead %s: a whole percentage from 1 to %d is "
		    "needed", s, NC_FEC_OVERHEAD_MAX);
		return -2;
	}
	o->overhead = (uint32_t)v;
	o->overhead_given = 1;
	return 0;
}

enum {
	OPT_LIVE = 256, OPT_URL_BASE, OPT_LOSS, OPT_SEED, OPT_TTL,
	OPT_SYMBOL, OPT_BLOCK, OPT_GZIP, OPT_NO_MD5, OPT_FDT_IVAL,
	OPT_CT_EXT, OPT_NO_CT_EXT, OPT_SHUFFLE, OPT_TOI_START, OPT_OBJECTS,
	OPT_NIP, OPT_NIP_DUMP, OPT_NACI, OPT_OUT, OPT_FEC, OPT_OVERHEAD
};

static const struct option longopts[] = {
	{ "group", required_argument, NULL, 'g' },
	{ "interface", required_argument, NULL, 'i' },
	{ "tsi", required_argument, NULL, 't' },
	{ "rate", required_argument, NULL, 'r' },
	{ "cycles", required_argument, NULL, 'c' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "live", no_argument, NULL, OPT_LIVE },
	{ "url-base", required_argument, NULL, OPT_URL_BASE },
	{ "loss", required_argument, NULL, OPT_LOSS },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "ttl", required_argument, NULL, OPT_TTL },
	{ "symbol-size", required_argument, NULL, OPT_SYMBOL },
	{ "block", required_argument, NULL, OPT_BLOCK },
	{ "gzip", no_argument, NULL, OPT_GZIP },
	{ "no-md5", no_argument, NULL, OPT_NO_MD5 },
	{ "fdt-interval", required_argument, NULL, OPT_FDT_IVAL },
	{ "content-type-from-ext", no_argument, NULL, OPT_CT_EXT },
	{ "no-content-type-from-ext", no_argument, NULL, OPT_NO_CT_EXT },
	{ "shuffle", no_argument, NULL, OPT_SHUFFLE },
	{ "toi-start", required_argument, NULL, OPT_TOI_START },
	{ "objects", required_argument, NULL, OPT_OBJECTS },
	{ "nip", required_argument, NULL, OPT_NIP },
	{ "nip-dump", required_argument, NULL, OPT_NIP_DUMP },
	{ "naci", required_argument, NULL, OPT_NACI },
	{ "fec", required_argument, NULL, OPT_FEC },
	{ "overhead", required_argument, NULL, OPT_OVERHEAD },
	/* The options of the --output formats, parsed by nc_out_option. */
	{ "output", required_argument, NULL, OPT_OUT },
	{ "source", required_argument, NULL, OPT_OUT },
	{ "mpe-pid", required_argument, NULL, OPT_OUT },
	{ "pmt-pid", required_argument, NULL, OPT_OUT },
	{ "service-id", required_argument, NULL, OPT_OUT },
	{ "tsid", required_argument, NULL, OPT_OUT },
	{ "gse-dfl", required_argument, NULL, OPT_OUT },
	{ "gse-label", required_argument, NULL, OPT_OUT },
	{ NULL, 0, NULL, 0 }
};

/* One option (long name: name); -1 if its argument is bad. */
static int
parse_opt(struct nc_opts *o, int c, const char *arg, const char *name)
{
	uint64_t v = 0;
	int rc = 0;

	switch (c) {
	case 'g': rc = parse_group(arg, o); break;
	case 'i': o->ifname = arg; break;
	case 't':
		rc = nc_parse_u64(arg, 0, UINT32_MAX, &v);
		o->tsi = (uint32_t)v;
		break;
	case 'r': rc = ftx_parse_rate(arg, &o->rate); break;
	case 'c': rc = nc_parse_u64(arg, 0, UINT64_MAX, &o->cycles); break;
	case 'v': o->verbose++; break;
	case OPT_LIVE: o->live = 1; break;
	case OPT_OBJECTS: o->objects = arg; break;
	case OPT_NIP: o->nip = arg; break;
	case OPT_NIP_DUMP: o->nip_dump = arg; break;
	case OPT_URL_BASE: o->url_base = arg; break;
	case OPT_LOSS: rc = parse_loss(arg, &o->loss); break;
	case OPT_SEED: rc = nc_parse_u64(arg, 0, UINT64_MAX, &o->seed); break;
	case OPT_TTL:
		rc = nc_parse_u64(arg, 0, 255, &v);
		o->ttl = (int)v;
		o->ttl_given = 1;
		break;
	case OPT_SYMBOL:
		rc = nc_parse_u64(arg, 1, 65000, &v);
		o->symbol_len = (uint16_t)v;
		o->symbol_given = 1;
		break;
	case OPT_BLOCK:
		rc = nc_parse_u64(arg, 1, 65535, &v);
		o->max_sbl = (uint32_t)v;
		o->block_given = 1;
		break;
	case OPT_GZIP: o->gzip = 1; break;
	case OPT_NO_MD5: o->md5 = 0; break;
	case OPT_FDT_IVAL:
		rc = nc_parse_u64(arg, 1, 3600000, &o->fdt_interval_ms);
		break;
	case OPT_CT_EXT: o->ctype_from_ext = 1; break;
	case OPT_NO_CT_EXT: o->ctype_from_ext = 0; break;
	case OPT_SHUFFLE: o->shuffle = 1; break;
	case OPT_TOI_START:
		rc = nc_parse_u64(arg, 1, UINT32_MAX, &v);
		o->toi_start = (uint32_t)v;
		break;
	case OPT_NACI:
		rc = ftx_naci_parse(arg, &o->naci);
		o->has_naci = rc == 0;
		o->naci_arg = arg;
		break;
	case OPT_OUT: rc = nc_out_option(&o->out, name, arg); break;
	case OPT_FEC: rc = parse_fec(arg, o); break;
	case OPT_OVERHEAD: rc = parse_overhead(arg, o); break;
	default: return -1;
	}
	return rc;
}

static void
opts_default(struct nc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->tsi = 1;
	o->rate = 20000000;
	o->cycles = 1;
	o->url_base = "http://dvb.gw/";
	o->seed = 1;
	o->ttl = 1;
	o->symbol_len = FTX_SYMBOL_LEN;
	o->max_sbl = FTX_MAX_SBL;
	o->md5 = 1;
	o->ctype_from_ext = 1;
	o->fdt_interval_ms = 500;
	o->toi_start = 1;
	o->overhead = NC_FEC_OVERHEAD_DEFAULT;
}

/* The modes exclude each other; each has its own required arguments. */
static int
check_mode(const struct nc_opts *o)
{
	const char *why = NULL;

	if ((o->nip != NULL) + (o->objects != NULL) + o->live > 1)
		why = "--nip, --objects and --live exclude each other";
	else if (o->nip_dump != NULL && o->nip == NULL)
		why = "--nip-dump needs --nip DESC";
	else if (o->nip == NULL && o->group_len == 0)
		why = "-g GROUP:PORT is required";
	else if ((o->nip != NULL || o->objects != NULL) && o->npaths > 0)
		why = "no PATH goes with --nip or --objects";
	else if (o->nip == NULL && o->objects == NULL && o->npaths == 0)
		why = "no PATH given";
	else if (o->nip != NULL && o->out.fmt != NC_OUT_UDP)
		why = "--output ts:/gse:/pcap: is for the single-carousel "
		    "modes; with --nip, run one nipcast per session instead";
	else if (o->overhead_given && o->fec == FTX_FEI_NOCODE)
		why = "--overhead needs --fec rs or --fec raptorq";
	else if (o->has_naci && !nc_desc_text_ok((const char *)o->naci.name))
		why = "--naci: NAME must be UTF-8 text";
	else if (o->group_len > 0)
		why = nc_out_check(&o->out, o->group.ss_family);
	if (why == NULL)
		return 0;
	log_warnx("%s", why);
	usage_short();
	return NC_EX_USAGE;
}

int
nc_parse_args(int argc, char **argv, struct nc_opts *o)
{
	int c, idx = 0, rc;

	opts_default(o);
	while ((c = getopt_long(argc, argv, "g:i:t:r:c:vhV", longopts,
	    &idx)) != -1) {
		if (c == 'h' || c == 'V') {
			if (c == 'h')
				usage();
			else
				printf("nipcast %s\n", NIPCACHE_VERSION);
			return -1;
		}
		if (c == '?' || (rc = parse_opt(o, c, optarg,
		    longopts[idx].name)) < 0) {
			/* -2: the option said what is wrong already. */
			if (c != '?' && rc != -2)
				log_warnx("bad option argument: %s", optarg);
			usage_short();
			return NC_EX_USAGE;
		}
	}
	o->paths = argv + optind;
	o->npaths = argc - optind;
	nc_out_finish(o);
	return check_mode(o);
}
