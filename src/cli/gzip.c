/*
 * gzip.c: gzip members in and out with zlib (gzip.h).
 */
#include "cli/gzip.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* zlib's window bits with 16 added: a gzip header and trailer, not zlib's. */
#define GZIP_WINDOW (15 + 16)
#define CHUNK ((size_t)1 << 16)

int cli_is_gzip(const char *data, size_t len)
{
	return len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b;
}

ot_status cli_gunzip(const char *data, size_t len, size_t max, char **out, size_t *out_len,
                     ot_error *err)
{
	*out = NULL;
	*out_len = 0;
	if (len > UINT_MAX)
		return ot_error_set(err, OT_ERR_TOOBIG, "the gzip file is larger than %u bytes",
		                    UINT_MAX);
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, GZIP_WINDOW) != Z_OK)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory (zlib)");
	size_t cap = CHUNK < max + 1 ? CHUNK : max + 1, n = 0;
	char *buf = malloc(cap + 1);
	ot_status rc = OT_OK;
	int zr = Z_OK;
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	while (!rc && zr != Z_STREAM_END) {
		if (!buf) {
			rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
			break;
		}
		if (n == cap) {
			if (cap > max) {
				rc = ot_error_set(
					err, OT_ERR_TOOBIG,
					"the gzip stream inflates to more than %zu bytes, the "
					"most this reads",
					max);
				break;
			}
			size_t more = cap * 2 < max + 1 ? cap * 2 : max + 1;
			char *p = realloc(buf, more + 1);
			if (!p) {
				rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
				break;
			}
			buf = p;
			cap = more;
		}
		size_t room = cap - n < UINT_MAX ? cap - n : UINT_MAX;
		z.next_out = (Bytef *)buf + n;
		z.avail_out = (uInt)room;
		zr = inflate(&z, Z_NO_FLUSH);
		n += room - z.avail_out;
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_BUF_ERROR && z.avail_in == 0)
			rc = ot_error_set(err, OT_ERR_PARSE,
			                  "the gzip stream is cut short: it ends after %zu bytes "
			                  "without its trailer",
			                  len);
		else if (zr != Z_OK && zr != Z_BUF_ERROR)
			rc = ot_error_set(err, OT_ERR_PARSE,
			                  "not a valid gzip stream: %s (at input byte %lu)",
			                  z.msg ? z.msg : "damaged data",
			                  (unsigned long)z.total_in);
	}
	if (!rc && n > max)
		rc = ot_error_set(err, OT_ERR_TOOBIG,
		                  "the gzip stream inflates to more than %zu bytes, the most this "
		                  "reads",
		                  max);
	if (!rc && z.avail_in != 0)
		rc = ot_error_set(err, OT_ERR_PARSE,
		                  "%u bytes follow the end of the gzip stream (at input byte %lu)",
		                  z.avail_in, (unsigned long)z.total_in);
	inflateEnd(&z);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[n] = 0;
	*out = buf;
	*out_len = n;
	return OT_OK;
}

ot_status cli_gzip(const char *data, size_t len, char **out, size_t *out_len, ot_error *err)
{
	*out = NULL;
	*out_len = 0;
	if (len > UINT_MAX)
		return ot_error_set(err, OT_ERR_TOOBIG, "more than %u bytes to compress", UINT_MAX);
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, GZIP_WINDOW, 9, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory (zlib)");
	uLong bound = deflateBound(&z, (uLong)len);
	char *buf = malloc(bound ? bound : 1);
	if (!buf) {
		deflateEnd(&z);
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	}
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)buf;
	z.avail_out = (uInt)bound;
	int zr = deflate(&z, Z_FINISH);
	size_t n = (size_t)z.total_out;
	deflateEnd(&z);
	if (zr != Z_STREAM_END) {
		free(buf);
		return ot_error_set(err, OT_ERR_NOMEM, "zlib could not compress (%d)", zr);
	}
	*out = buf;
	*out_len = n;
	return OT_OK;
}
