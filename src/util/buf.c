/*
 * buf.c: capped growable buffer. See buf.h.
 */
#include "oretrail/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ot_buf_init(ot_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : OT_BUF_DEFAULT_MAX;
}

void ot_buf_free(ot_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void ot_buf_reset(ot_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = 0;
}

ot_status ot_buf_reserve(ot_buf *b, size_t extra)
{
	if (b->max == 0)
		b->max = OT_BUF_DEFAULT_MAX;
	if (extra > b->max || b->len > b->max - extra)
		return OT_ERR_TOOBIG;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return OT_OK;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	uint8_t *p = realloc(b->data, cap);
	if (!p)
		return OT_ERR_NOMEM;
	b->data = p;
	b->cap = cap;
	return OT_OK;
}

ot_status ot_buf_add(ot_buf *b, const void *data, size_t len)
{
	ot_status rc = ot_buf_reserve(b, len);
	if (rc)
		return rc;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = 0;
	return OT_OK;
}

ot_status ot_buf_addc(ot_buf *b, char c)
{
	return ot_buf_add(b, &c, 1);
}

ot_status ot_buf_adds(ot_buf *b, const char *s)
{
	return ot_buf_add(b, s, strlen(s));
}

ot_status ot_buf_vprintf(ot_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return OT_ERR_ARG;
	ot_status rc = ot_buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return OT_OK;
}

ot_status ot_buf_printf(ot_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ot_status rc = ot_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

ot_status ot_buf_detach(ot_buf *b, uint8_t **data, size_t *len)
{
	if (!b->data) {
		ot_status rc = ot_buf_reserve(b, 0);
		if (rc)
			return rc;
		b->data[0] = 0;
	}
	*data = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return OT_OK;
}
