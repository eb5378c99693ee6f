/*
 * gzip.h: gzip-compressed files (RFC 1952) for the commands that read and
 * write provenance certificates (gzip.c, on Debian's zlib). A certificate
 * is one JSON document whose signed entries compress about five times
 * (docs/certificate.md, "Compressed certificates").
 */
#ifndef OT_CLI_GZIP_H
#define OT_CLI_GZIP_H

#include <stddef.h>

#include "oretrail/status.h"

/* Whether data[0..len) starts with the gzip magic (1f 8b). */
int cli_is_gzip(const char *data, size_t len);

/*
 * Inflates one gzip member data[0..len) into *out (malloc'ed,
 * NUL-terminated, *out_len bytes), at most max bytes. OT_ERR_TOOBIG
 * "inflates to more than MAX bytes" past the cap (the rest is not
 * inflated: a small file cannot claim gigabytes); OT_ERR_PARSE for a
 * stream that is damaged, cut short, or followed by other bytes, saying
 * which and after how many input bytes. *out is NULL on error.
 */
ot_status cli_gunzip(const char *data, size_t len, size_t max, char **out, size_t *out_len,
                     ot_error *err);

/* Compresses data[0..len) as one gzip member, at zlib's best compression,
 * into *out (malloc'ed, *out_len bytes). */
ot_status cli_gzip(const char *data, size_t len, char **out, size_t *out_len, ot_error *err);

/*
 * Reads a provenance certificate from path ("-": stdin), inflating it when
 * it is gzip-compressed; both the file and what it inflates to are capped
 * at OT_CERT_MAX. A damaged, cut or over-large gzip stream is an error
 * with err->code "cert_malformed" and a message naming the file.
 */
ot_status cli_read_certificate(const char *path, char **data, size_t *len, ot_error *err);

#endif
