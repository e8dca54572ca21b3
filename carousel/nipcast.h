/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipcast.h: internals shared by the four files of the nipcast program
 * (nipcast.c: options and the folder carousel; nipcast_tx.c: socket,
 * pacing, FDT instances and object transmission; nipcast_obj.c: MD5 and
 * gzip of an object's content; nipcast_live.c: the live HLS watcher).
 * Not a library: one process, one sender.
 */
#ifndef NIPCACHE_NIPCAST_H
#define NIPCACHE_NIPCAST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "flute_tx.h"

/* Exit codes (sysexits.h values). */
#define NC_EX_OK	0
#define NC_EX_USAGE	64
#define NC_EX_NOINPUT	66
#define NC_EX_IOERR	74

#define NC_FDT_MAX	(60 * 1024)	/* bytes of XML per FDT instance */
#define NC_FDT_LIFE_S	60		/* FDT Expires = now + this */
#define NC_MTU		1500

struct nc_opts {
	struct sockaddr_storage group;
	socklen_t	group_len;
	const char	*ifname;	/* -i: address or interface name */
	uint32_t	tsi;
	uint64_t	rate;		/* UDP payload bits/s, 0 = unpaced */
	uint64_t	cycles;		/* 0 = until stopped */
	int		live;
	const char	*url_base;
	double		loss;		/* fraction of packets dropped */
	uint64_t	seed;
	int		ttl;
	uint16_t	symbol_len;
	uint32_t	max_sbl;
	int		gzip;
	int		md5;
	int		ctype_from_ext;
	int		shuffle;
	uint64_t	fdt_interval_ms;
	uint32_t	toi_start;
	int		verbose;
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

/* nipcast_tx.c: the one sender of the process. */
int	nc_tx_open(const struct nc_opts *o);
void	nc_tx_close(void);
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
 */
int	nc_tx_object(const struct nc_obj *ob, struct nc_fdt *f);
/* When a sent FDT is due again (a little less than --fdt-interval). */
uint64_t nc_fdt_ival_ns(void);
/* Log the totals (info level). */
void	nc_tx_report(void);

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

/* nipcast_live.c */
int	nc_live_run(const struct nc_opts *o);

#endif
