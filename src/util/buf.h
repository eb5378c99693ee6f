/*
 * buf.h: a growable byte buffer with a hard cap (curl's dynbuf idea): hostile
 * input meets a limit, never unbounded memory. The contents are always
 * NUL-terminated so text can be used as a C string.
 */
#ifndef OT_UTIL_BUF_H
#define OT_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"

typedef struct otx_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max; /* hard limit on len; 0 means the default (64 MiB) */
} otx_buf;

#define OTX_BUF_DEFAULT_MAX ((size_t)64 << 20)

void otx_buf_init(otx_buf *b, size_t max);
void otx_buf_free(otx_buf *b);
void otx_buf_reset(otx_buf *b);
/* Reserve room for `extra` more bytes (plus the NUL). OT_ERR_TOOBIG past max. */
ot_status otx_buf_reserve(otx_buf *b, size_t extra);
ot_status otx_buf_add(otx_buf *b, const void *data, size_t len);
ot_status otx_buf_addc(otx_buf *b, char c);
ot_status otx_buf_adds(otx_buf *b, const char *s);
ot_status otx_buf_printf(otx_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
ot_status otx_buf_vprintf(otx_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Hands the contents over to the caller (malloc'ed, NUL-terminated) and
 * leaves the buffer empty. Never NULL on success, even when empty. */
ot_status otx_buf_detach(otx_buf *b, uint8_t **data, size_t *len);

#endif
