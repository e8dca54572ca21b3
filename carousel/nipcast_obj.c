/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nipcast_obj.c: preparing an object's content before it is sent: the MD5
 * of a file for Content-MD5, and gzip of a file into the spool for
 * Content-Encoding.  Both read with pread in fixed chunks, so a large
 * file never sits in memory, and neither touches the sender's state.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/md5.h>
#include <zlib.h>

#include "nipcast.h"

#define IO_CHUNK	(1u << 20)

int
nc_md5_fd(int fd, uint64_t len, uint8_t md5[16])
{
	struct md5_ctx ctx;
	uint8_t *buf;
	uint64_t off = 0;
	ssize_t r;

	buf = malloc(IO_CHUNK);
	if (buf == NULL)
		return -1;
	md5_init(&ctx);
	while (off < len) {
		r = pread(fd, buf, len - off < IO_CHUNK ? len - off : IO_CHUNK,
		    (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			errno = r == 0 ? EIO : errno;	/* the file shrank */
			break;
		}
		md5_update(&ctx, (size_t)r, buf);
		off += (uint64_t)r;
	}
	free(buf);
	md5_digest(&ctx, 16, md5);
	return off == len ? 0 : -1;
}

static int
write_all(int fd, const uint8_t *p, size_t n, uint64_t off)
{
	ssize_t w;

	while (n > 0) {
		w = pwrite(fd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

/*
 * One deflate step: drain z's output into out at *off.  1 at the end of
 * the stream, 0 when more input is wanted, -1 on error.
 */
static int
gz_drain(z_stream *z, int flush, uint8_t *obuf, int out, uint64_t *off)
{
	int zr;

	do {
		z->next_out = obuf;
		z->avail_out = IO_CHUNK;
		zr = deflate(z, flush);
		if (zr == Z_STREAM_ERROR)
			return -1;
		if (write_all(out, obuf, IO_CHUNK - z->avail_out, *off) < 0)
			return -1;
		*off += IO_CHUNK - z->avail_out;
	} while (z->avail_out == 0);
	return zr == Z_STREAM_END;
}

int
nc_gzip_fd(int in, uint64_t len, int out, uint64_t off, uint64_t *olen)
{
	uint8_t *ibuf = malloc(IO_CHUNK), *obuf = malloc(IO_CHUNK);
	uint64_t done = 0, start = off;
	z_stream z;
	ssize_t r;
	int rc = -1, zr = 0;

	memset(&z, 0, sizeof(z));
	if (ibuf == NULL || obuf == NULL ||
	    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		goto free_bufs;
	while (zr == 0) {
		r = 0;
		if (done < len) {
			r = pread(in, ibuf, len - done < IO_CHUNK ? len - done :
			    IO_CHUNK, (off_t)done);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				goto end_deflate;
		}
		done += (uint64_t)r;
		z.next_in = ibuf;
		z.avail_in = (uInt)r;
		zr = gz_drain(&z, done < len ? Z_NO_FLUSH : Z_FINISH, obuf, out,
		    &off);
		if (zr < 0)
			goto end_deflate;
	}
	*olen = off - start;
	rc = zr == 1 ? 0 : -1;
end_deflate:
	deflateEnd(&z);
free_bufs:
	free(ibuf);
	free(obuf);
	return rc;
}
