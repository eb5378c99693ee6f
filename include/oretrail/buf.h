/*
 * buf.h: a growable byte buffer with a hard cap (curl's dynbuf idea): hostile
 * input meets a limit, never unbounded memory. The contents are always
 * NUL-terminated so text can be used as a C string.
 */
#ifndef ORETRAIL_BUF_H
#define ORETRAIL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"

typedef struct ot_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max; /* hard limit on len; 0 means the default (64 MiB) */
} ot_buf;

#define OT_BUF_DEFAULT_MAX ((size_t)64 << 20)

OT_EXPORT void ot_buf_init(ot_buf *b, size_t max);
OT_EXPORT void ot_buf_free(ot_buf *b);
OT_EXPORT void ot_buf_reset(ot_buf *b);
/* Reserve room for `extra` more bytes (plus the NUL). OT_ERR_TOOBIG past max. */
OT_EXPORT ot_status ot_buf_reserve(ot_buf *b, size_t extra);
OT_EXPORT ot_status ot_buf_add(ot_buf *b, const void *data, size_t len);
OT_EXPORT ot_status ot_buf_addc(ot_buf *b, char c);
OT_EXPORT ot_status ot_buf_adds(ot_buf *b, const char *s);
OT_EXPORT ot_status ot_buf_printf(ot_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
OT_EXPORT ot_status ot_buf_vprintf(ot_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Hands the contents over to the caller (malloc'ed, NUL-terminated) and
 * leaves the buffer empty. Never NULL on success, even when empty. */
OT_EXPORT ot_status ot_buf_detach(ot_buf *b, uint8_t **data, size_t *len);

#endif
