/*
 * buf.c: capped growable buffer. See buf.h.
 */
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void otx_buf_init(otx_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : OTX_BUF_DEFAULT_MAX;
}

void otx_buf_free(otx_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void otx_buf_reset(otx_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = 0;
}

ot_status otx_buf_reserve(otx_buf *b, size_t extra)
{
	if (b->max == 0)
		b->max = OTX_BUF_DEFAULT_MAX;
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

ot_status otx_buf_add(otx_buf *b, const void *data, size_t len)
{
	ot_status rc = otx_buf_reserve(b, len);
	if (rc)
		return rc;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = 0;
	return OT_OK;
}

ot_status otx_buf_addc(otx_buf *b, char c)
{
	return otx_buf_add(b, &c, 1);
}

ot_status otx_buf_adds(otx_buf *b, const char *s)
{
	return otx_buf_add(b, s, strlen(s));
}

ot_status otx_buf_vprintf(otx_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return OT_ERR_ARG;
	ot_status rc = otx_buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return OT_OK;
}

ot_status otx_buf_printf(otx_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ot_status rc = otx_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

ot_status otx_buf_detach(otx_buf *b, uint8_t **data, size_t *len)
{
	if (!b->data) {
		ot_status rc = otx_buf_reserve(b, 0);
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
