/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipcast.h: internals shared by the files of the nipcast program
 * (nipcast.c: options and the folder carousel; nipcast_tx.c: socket,
 * pacing, FDT instances and object transmission; nipcast_obj.c: MD5 and
 * gzip of an object's content and the --objects list carousel;
 * nipcast_live.c: the live HLS watcher; nipcast_desc.c and
 * nipcast_desc_repair.c: the --nip description, and nipcast_sig.c: the
 * DVB-NIP documents made from it, all pure; nipcast_nip.c: the --nip
 * supervisor and its children; nipcast_out.c: the --output formats other
 * than UDP, i.e. IP/UDP in MPE/TS, GSE/BBFrames or pcap).
 * Not a library: one process, one sender (the supervisor sends nothing).
 */
#ifndef NIPCACHE_NIPCAST_H
#define NIPCACHE_NIPCAST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include "flute_tx.h"
#include "gse.h"
#include "ipudp.h"
#include "ts.h"

/* Exit codes (sysexits.h values). */
#define NC_EX_OK	0
#define NC_EX_USAGE	64
#define NC_EX_NOINPUT	66
#define NC_EX_IOERR	74

#define NC_FDT_MAX	(60 * 1024)	/* bytes of XML per FDT instance */
#define NC_FDT_LIFE_S	60		/* FDT Expires = now + this */
#define NC_MTU		1500
#define NC_MPE_MAX	4080	/* largest IP datagram of one MPE section */
#define NC_TS_DGRAM	(7 * TS_PACKET)	/* ts:udp:// datagram, 1316 bytes */

/* --output formats. */
enum nc_out_fmt {
	NC_OUT_UDP = 0,		/* the socket to -g GROUP:PORT (default) */
	NC_OUT_TS,		/* MPE sections in an MPEG-2 transport stream */
	NC_OUT_GSE,		/* GSE packets in DVB-S2 BBFrames */
	NC_OUT_PCAP		/* classic pcap, Ethernet records */
};

/* The options of the outputs (parsed and used by nipcast_out.c). */
struct nc_out_opts {
	enum nc_out_fmt	fmt;
	const char	*spec;		/* --output as given, for messages */
	const char	*path;		/* FILE, "-" = stdout; NULL: ts:udp:// */
	struct sockaddr_storage udp;	/* ts:udp://HOST:PORT */
	socklen_t	udp_len;
	int		source_family;	/* --source given: AF_INET(6), else 0 */
	uint8_t		source[16];
	struct ts_mux_params ts;
	int		ts_service_given;
	struct gse_mux_params gse;
};

struct nc_opts {
	struct sockaddr_storage group;
	socklen_t	group_len;
	const char	*ifname;	/* -i: address or interface name */
	uint32_t	tsi;
	uint64_t	rate;		/* UDP payload bits/s, 0 = unpaced */
	uint64_t	cycles;		/* 0 = until stopped */
	int		live;
	const char	*objects;	/* --objects LIST */
	const char	*nip;		/* --nip DESC */
	const char	*nip_dump;	/* --nip-dump DIR */
	const char	*url_base;
	double		loss;		/* fraction of packets dropped */
	uint64_t	seed;
	int		ttl;
	int		ttl_given;
	uint16_t	symbol_len;
	int		symbol_given;
	uint32_t	max_sbl;
	int		block_given;
	uint8_t		fec;		/* --fec: FTX_FEI_* (0, 5 or 6) */
	uint32_t	overhead;	/* --overhead, percent of repair */
	int		overhead_given;
	int		gzip;
	int		md5;
	int		ctype_from_ext;
	int		shuffle;
	uint64_t	fdt_interval_ms;
	uint32_t	toi_start;
	int		verbose;
	const char	*naci_arg;	/* --naci as given (for --nip children) */
	int		has_naci;
	struct ftx_naci	naci;		/* EXT_NACI on every packet */
	struct nc_out_opts out;
	char		**paths;
	int		npaths;
};

/*
 * Where the transport bytes of an object come from: memory, an open file
 * descriptor at an offset (a file or the gzip spool), or a path opened
 * only while the object is being sent.
 */
struct nc_src {
	const uint8_t	*mem;
	int		fd;		/* -1 when unused */
	uint64_t	base;
	const char	*path;		/* opened by nc_tx_object when set */
	uint64_t	len;		/* transfer length */
	/*
	 * With has_stamp, a path opened at send time must still be the file
	 * that was described (this size and mtime), else it was replaced
	 * since the scan and is skipped until the next scan gives it a TOI.
	 */
	uint8_t		has_stamp;
	struct timespec	mtime;
};

/* One transport object as the sender sees it. */
struct nc_obj {
	uint32_t	toi;
	const char	*location;
	const char	*ctype;		/* NULL: not announced */
	uint64_t	content_len;	/* decoded length */
	uint8_t		gzip;
	uint8_t		has_md5;
	uint8_t		md5[16];	/* of the decoded content */
	uint32_t	max_sbl;	/* B used for this object */
	struct nc_src	src;
	uint64_t	sends;		/* times sent (RaptorQ: fresh ESIs) */
};

/* One FDT instance with the file list it was built from. */
struct nc_fdt {
	uint32_t	id;
	char		*xml;
	size_t		len;
	int64_t		expires;	/* Unix seconds */
	uint64_t	last_ns;	/* last sent (monotonic), 0 = never */
	struct ftx_file	*files;		/* strings borrowed from objects */
	size_t		nfiles;
};

/*
 * nipcast_opts.c: parse the command line into o (defaults first).  0, an
 * exit code, or -1 after --help or --version (exit 0).
 */
int	nc_parse_args(int argc, char **argv, struct nc_opts *o);

/* nipcast_tx.c: the one sender of the process. */
int	nc_tx_open(const struct nc_opts *o);
/* Flush the output and close it: 0, or NC_EX_IOERR if the flush failed. */
int	nc_tx_close(void);
/* 1 once SIGINT or SIGTERM arrived. */
int	nc_stopping(void);
void	nc_install_signals(void);
uint64_t nc_mono_ns(void);
/* Send an FDT instance now.  0 or -1 (I/O error, logged). */
int	nc_tx_fdt(struct nc_fdt *f);
/*
 * Send every packet of an object once, preceded by the FDT instance f
 * that describes it and with f repeated every FDT interval.  0, or -1 on
 * a socket error (logged); an unreadable file is logged and skipped.
 * Counts the send in ob->sends.
 */
int	nc_tx_object(struct nc_obj *ob, struct nc_fdt *f);
/*
 * For nipcast_fec.c.  nc_tx_queue: one packet (dropped on purpose with
 * --loss), the payload borrowed until the next nc_tx_flush; 0 or -1.
 * nc_tx_fdt_due: send f again if its FDT interval has passed (f may be
 * NULL); 0 or -1.  nc_src_read: n object bytes from off (fd: the open
 * file, if any); a file that shrank reads as zeros and gives -1.
 */
int	nc_tx_queue(const struct ftx_pkt *h, const uint8_t *payload,
	    size_t len);
int	nc_tx_flush(void);
int	nc_tx_fdt_due(struct nc_fdt *f);
int	nc_src_read(const struct nc_src *s, int fd, uint64_t off,
	    uint8_t *buf, size_t n);
/* When a sent FDT is due again (a little less than --fdt-interval). */
uint64_t nc_fdt_ival_ns(void);
/* Log the totals (info level). */
void	nc_tx_report(void);

/*
 * nipcast_out.c.  nc_out_option: one option of the output group, by long
 * name ("output", "source", "mpe-pid", "pmt-pid", "service-id", "tsid",
 * "gse-dfl", "gse-label"): 0, or -1 if its argument is bad.
 */
int	nc_out_option(struct nc_out_opts *oo, const char *name,
	    const char *arg);
/*
 * Defaults that depend on other options: a transport stream names its
 * NIP stream (EXT_NACI 1:1:1:1:nipcast unless --naci) and its service
 * after it; EXT_NACI costs header room, so the default symbol shrinks to
 * keep a data packet within NC_MTU.
 */
void	nc_out_finish(struct nc_opts *o);
/* The --help text of those options. */
const char *nc_out_help(void);
/*
 * Options that contradict each other, for a group of this family: NULL,
 * or why (--source of the other family, the MPE PID equal to the PMT's).
 */
const char *nc_out_check(const struct nc_out_opts *oo, int family);
/*
 * The IP/UDP template of every datagram: to the group, from --source (or
 * 192.0.2.1 / 2001:db8::1, documentation addresses) and its port, TTL ttl.
 */
void	nc_out_ipudp(const struct nc_out_opts *oo,
	    const struct sockaddr_storage *group, int ttl, struct ipudp *h);
/*
 * A UDP socket connected to to, with the multicast TTL, loop and -i
 * interface of o (an explicit --ttl sets the unicast TTL too): 0 and *fd,
 * or an exit code (logged).
 */
int	nc_out_socket(const struct nc_opts *o,
	    const struct sockaddr_storage *to, socklen_t tolen, int *fd);
/* Open FILE for writing, "-" meaning stdout: the fd, or -1 (errno). */
int	nc_out_open_file(const char *path);

struct nc_out;

/*
 * An output of format oo->fmt writing to fd: a file, pipe or FIFO (bytes
 * buffered until the next flush), or, when oo->path is NULL, a UDP socket
 * connected to the ts:udp:// target (datagrams of up to NC_TS_DGRAM
 * bytes).  h is the IP/UDP template (payload unused).  stopping, if not
 * NULL, lets a write blocked on a full pipe give up on a signal.  The fd
 * stays the caller's.  NULL on out of memory.
 */
struct nc_out *nc_out_new(const struct nc_out_opts *oo,
	    const struct ipudp *h, int fd, int (*stopping)(void));
/*
 * One UDP payload, gathered from n iovecs, as an IP/UDP packet in the
 * format.  0, or -1 with errno: EMSGSIZE (more than the format carries)
 * or the error of a write (EPIPE, ENOSPC, ...).
 */
int	nc_out_datagram(struct nc_out *o, const struct iovec *iov, int n);
/* End the TS packet or BBFrame being filled, write out every byte: 0/-1. */
int	nc_out_flush(struct nc_out *o);
/* Flush, then free o (NULL is fine): 0, or -1 as nc_out_flush. */
int	nc_out_free(struct nc_out *o);

/* Fill the FDT File element for an object. */
void	nc_obj_file(const struct nc_obj *ob, struct ftx_file *f);
/*
 * Build an FDT instance for files[0 .. n) under a new instance ID: as
 * many as fit in NC_FDT_MAX bytes (*nout).  0 or -1.
 */
int	nc_fdt_build(struct nc_fdt *f, const struct ftx_file *files,
	    size_t n, size_t *nout);
/* Rebuild with a new ID and Expires when half its life is gone. */
int	nc_fdt_refresh(struct nc_fdt *f);
void	nc_fdt_clear(struct nc_fdt *f);

/*
 * nipcast_obj.c, content helpers: 0 or -1 with errno-style logging done
 * by the caller.
 */
int	nc_md5_fd(int fd, uint64_t len, uint8_t md5[16]);
/* gzip the first len bytes of in and write them to out at off. */
int	nc_gzip_fd(int in, uint64_t len, int out, uint64_t off,
	    uint64_t *olen);
/*
 * nipcast_tx.c again: choose the B that keeps SBN within 16 bits (0 if the
 * object is too big), and the announced Content-Type.
 */
uint32_t nc_block_for(uint64_t transfer_len);
const char *nc_ctype(const char *name);

/*
 * nipcast_fec.c: objects sent with --fec rs (FEI 5) or raptorq (FEI 6).
 * The block geometry of an object follows from its length and the
 * options alone, so the FDT, EXT_FTI and the packets always agree.
 */
#define NC_FEC_OVERHEAD_DEFAULT	20	/* percent, when --fec is given */
#define NC_FEC_OVERHEAD_MAX	400
#define NC_FEC_RQ_BLOCK		1024	/* RaptorQ symbols per block */

struct nc_fec_oti {
	uint8_t		fei;		/* FTX_FEI_RS8 or FTX_FEI_RAPTORQ */
	uint16_t	e;		/* E (T) */
	uint32_t	b;		/* B; RaptorQ: KL, the largest block */
	uint32_t	max_n;		/* B + its repair symbols */
	uint8_t		z;		/* RaptorQ: Z, N = 1 and Al */
	uint16_t	n;
	uint8_t		al;
	uint32_t	overhead;	/* percent */
	struct fec_part	part;
};

/* "none", "rs", "raptorq" to 0, 5, 6, or -1; and back ("?" if unknown). */
int	nc_fec_scheme(const char *name);
const char *nc_fec_name(uint8_t fei);
/* The largest k with k + ceil(k * overhead / 100) <= 255 (RS blocks). */
uint32_t nc_fec_rs_max_b(uint32_t overhead);
/*
 * The OTI and partition of an object of len bytes under o's --fec: 0, or
 * -1 when the scheme cannot carry it (RaptorQ: more than 255 blocks of
 * at most 56403 symbols; RS: more than 2^24 blocks).
 */
int	nc_fec_oti(const struct nc_opts *o, uint64_t len, struct nc_fec_oti *f);
/* Repair symbols sent per cycle for block sbn. */
uint32_t nc_fec_nrep(const struct nc_fec_oti *f, uint32_t sbn);
/*
 * The first repair ESI of a block of k symbols with nrep repair symbols
 * on the round-th send of the object: k for RS; for RaptorQ each round
 * continues after the previous one's, wrapping before 2^24.
 */
uint32_t nc_fec_esi0(const struct nc_fec_oti *f, uint32_t k, uint32_t nrep,
	    uint64_t round);
/* Packets of one send: every source and repair symbol (1 when empty). */
uint64_t nc_fec_packets(const struct nc_fec_oti *f);
/* The EXT_FTI fields of h, and the FEC-OTI of an FDT File. */
void	nc_fec_header(const struct nc_fec_oti *f, struct ftx_pkt *h);
void	nc_fec_file(const struct nc_fec_oti *f, struct ftx_file *file);
/*
 * Send every block of ob (fd: its open file, or -1) once, source symbols
 * then repair, f repeated every FDT interval, EXT_FTI on the first packet
 * if fti.  0, or -1 on an output error; an object the scheme cannot carry
 * is logged and skipped.
 */
int	nc_fec_send(const struct nc_opts *o, const struct nc_obj *ob, int fd,
	    struct nc_fdt *f, int fti);

/* gzip len bytes into a new malloc()ed buffer: 0 or -1. */
int	nc_gzip_mem(const uint8_t *in, size_t len, uint8_t **out,
	    size_t *olen);
/*
 * --objects: carousel the files named by a list, re-reading each one whose
 * size or mtime changed under a new TOI.  Returns an exit code.
 */
int	nc_objects_run(const struct nc_opts *o);

/* nipcast_live.c */
int	nc_live_run(const struct nc_opts *o);

/* nipcast_nip.c: --nip and --nip-dump.  Both return an exit code. */
int	nc_nip_run(const struct nc_opts *o);
int	nc_nip_dump(const struct nc_opts *o);
/* In a child of --nip: be stopped (SIGTERM) when the supervisor dies. */
void	nc_nip_child(void);

/*
 * nipcast_sig.c and nipcast_desc*.c: pure text helpers, the description of
 * a small DVB-NIP network (an INI file, see nipcast --help) and the
 * signalling documents made from it.  No I/O, no globals, no logging:
 * unit-tested on their own.
 */
#define NC_ANNOUNCE_GROUP	"224.0.23.14"
#define NC_ANNOUNCE_PORT	3937
#define NC_NAME_MAX		64
#define NC_ADDR_MAX		64

/* A whole unsigned decimal number in [lo, hi]: 0 or -1. */
int	nc_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

/* An endpoint "A.B.C.D:PORT[/TSI]" or "[IPv6]:PORT[/TSI]". */
struct nc_ep {
	struct sockaddr_storage sa;
	socklen_t	salen;
	char		group[NC_ADDR_MAX];	/* address text, no brackets */
	uint16_t	port;
	uint32_t	tsi;
};

/*
 * Parse an endpoint; with want_tsi the "/TSI" part is required, else it
 * is refused.  0 or -1.
 */
int	nc_parse_ep(const char *s, int want_tsi, struct nc_ep *ep);

/*
 * One line of an --objects list, "PATH LOCATION [CONTENT-TYPE]", split in
 * place (line is modified, the pointers point into it).  Returns 1 for an
 * object, 0 for a blank or # comment line, -1 for a malformed line.
 */
int	nc_sig_objline(char *line, char **path, char **loc, char **ctype);

/*
 * Unicast repair signalled for a service (its MulticastTransportSession's
 * UnicastRepairParameters): the repair_* keys of [service NAME], each one
 * not given there inherited from [network].  The element is written only
 * when nbase > 0.  given holds the NC_RP_* bits of the keys the section
 * itself set.
 */
#define NC_REPAIR_MAX_BASE	8
#define NC_RP_BASE		0x01
#define NC_RP_OBJECT_BASE	0x02
#define NC_RP_TIMEOUT		0x04
#define NC_RP_FIXED		0x08
#define NC_RP_RANDOM		0x10
#define NC_RP_TIMEOUT_DEFAULT	1000	/* ms, when a base has no timeout */

struct nc_repair {
	size_t		nbase;
	char		*base[NC_REPAIR_MAX_BASE];	/* BaseURL */
	uint32_t	weight[NC_REPAIR_MAX_BASE];	/* @relativeWeight */
	char		*object_base;	/* @transportObjectBaseURI or NULL */
	uint32_t	timeout_ms;	/* @transportObjectReceptionTimeout */
	uint32_t	fixed_ms;	/* @fixedBackOffPeriod, 0: omitted */
	uint32_t	random_ms;	/* @randomBackOffPeriod, 0: omitted */
	uint32_t	given;		/* NC_RP_* */
};

/* One [service NAME] of a description. */
struct nc_svc {
	char		name[NC_NAME_MAX];	/* [a-z0-9_-]+ */
	char		*id;		/* DVB-I UniqueIdentifier */
	char		*title;		/* ServiceName */
	char		*genre;		/* ServiceGenre href or NULL */
	char		*logo;		/* logo URL (RelatedMaterial) or NULL */
	char		*hls;		/* folder sent by the child */
	char		*playlist;	/* relative path in it */
	uint32_t	lcn;
	int		live;		/* mode = live (1) or static (0) */
	uint64_t	bitrate;	/* bit/s, 0: the description's rate */
	struct nc_ep	session;
	uint32_t	version;	/* Service@version */
	int		line;		/* of its [service] header */
	int		hls_line;	/* of its hls key */
	struct nc_repair repair;	/* [network] defaults applied */
};

/* A --nip description: the [network] section and the services. */
struct nc_desc {
	char		*provider;
	char		*domain;
	char		*list_id;
	char		*list_name;
	char		*source;	/* NetworkSourceAddress or NULL */
	char		*network_type;	/* NIF NetworkType */
	char		*link_layer;	/* NIF LinkLayerFormat */
	uint32_t	list_version;
	int		list_version_given;
	struct nc_ep	gateway;
	uint32_t	network_id, carrier_id, link_id, service_id;
	size_t		nsvc;
	struct nc_svc	*svc;
	uint64_t	rate;		/* BitRate when none is given; 0: omit */
	int64_t		updated;	/* VersionUpdate, Unix seconds */
	struct nc_repair repair;	/* [network] defaults */
	/*
	 * --fec and --overhead of the supervisor (not in the file): each
	 * service session signals them in ForwardErrorCorrectionParameters
	 * when fec_fei != 0.
	 */
	uint8_t		fec_fei;
	uint32_t	fec_overhead;
};

enum nc_doc {
	NC_DOC_BOOTSTRAP,
	NC_DOC_GATEWAY,
	NC_DOC_NIF,
	NC_DOC_SIF,
	NC_DOC_SLEP,
	NC_DOC_LIST,
	NC_DOC_N
};

/*
 * nipcast_desc.c: parse the description text (len bytes; file names it in messages).
 * Returns 0 and fills *d (free with nc_desc_free), or -1 with
 * "file:line: [section] key: reason" in err (*d then holds nothing).
 */
int	nc_desc_parse(const char *text, size_t len, const char *file,
	    struct nc_desc *d, char *err, size_t errlen);
void	nc_desc_free(struct nc_desc *d);
/* Valid UTF-8 text without control characters; a URI (scheme:, no blanks). */
int	nc_desc_text_ok(const char *s);
int	nc_desc_uri_ok(const char *s);

/*
 * nipcast_desc_repair.c, for nipcast_desc.c: the repair keys of a section.
 * nc_desc_repair_key: 0 if name is not a repair key; else 1, the value
 * stored in r and its NC_RP_* bit set in r->given, with *why NULL or the
 * reason the value is refused (a key other than repair_base given twice
 * included).
 */
int	nc_desc_repair_key(struct nc_repair *r, const char *name,
	    const char *v, const char **why);
/*
 * A service's repair r once its section is read: each key it did not give
 * comes from the [network] keys net, and a base gets a reception timeout
 * (NC_RP_TIMEOUT_DEFAULT).  NULL, or why the service is refused: out of
 * memory, or timing keys that would be lost for want of a base.
 */
const char *nc_desc_repair_inherit(struct nc_repair *r,
	    const struct nc_repair *net);
/* Free what r holds (not r). */
void	nc_desc_repair_free(struct nc_repair *r);
/*
 * After a reload: carry the versions of old into nd.  A service whose
 * listed content changed gets old version + 1, a new one version 1; the
 * list version goes up by one when the list changed (or to the value
 * given in the file, if higher).  Returns 1 if any document changes.
 */
int	nc_sig_carry(struct nc_desc *nd, const struct nc_desc *old);
/*
 * Render one document: 0 and a malloc()ed NUL-terminated string in *out
 * (*len bytes), or -1 (out of memory).
 */
int	nc_sig_render(const struct nc_desc *d, enum nc_doc doc, char **out,
	    size_t *len);
/* Fixed file name (bootstrap.xml, ...) and Content-Type of a document. */
const char *nc_sig_file(enum nc_doc doc);
const char *nc_sig_ctype(enum nc_doc doc);
/* Content-Location of a document, the URL base of a service, and its
 * playlist URL: the length, or -1 if cap is too small. */
int	nc_sig_location(const struct nc_desc *d, enum nc_doc doc, char *buf,
	    size_t cap);
int	nc_sig_url_base(const struct nc_desc *d, const struct nc_svc *s,
	    char *buf, size_t cap);
int	nc_sig_playlist_url(const struct nc_desc *d, const struct nc_svc *s,
	    char *buf, size_t cap);

#endif
