/*
 * error.c: status names and the rich-error helpers.
 */
#include "oretrail/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *ot_status_str(ot_status s)
{
	switch (s) {
	case OT_OK: return "ok";
	case OT_ERR_NOMEM: return "out of memory";
	case OT_ERR_ARG: return "invalid argument";
	case OT_ERR_PARSE: return "malformed input";
	case OT_ERR_IO: return "input/output error";
	case OT_ERR_CORRUPT: return "stored data is corrupt";
	case OT_ERR_SCHEMA: return "unsupported database schema";
	case OT_ERR_VERIFY: return "verification failed";
	case OT_ERR_NOTFOUND: return "not found";
	case OT_ERR_RANGE: return "out of range";
	case OT_ERR_KEY: return "bad key";
	case OT_ERR_TOOBIG: return "too large";
	case OT_ERR_EXISTS: return "already exists";
	case OT_ERR_FULL: return "disk full";
	case OT_ERR_BUSY: return "store busy";
	case OT_ERR_READONLY: return "read-only";
	case OT_ERR_RULE: return "ledger rule broken";
	case OT_ERR_CONFLICT: return "conflict with ledger state";
	case OT_ERR_SIGNER: return "signer not allowed";
	}
	return "unknown error";
}

const char *ot_status_code(ot_status s)
{
	switch (s) {
	case OT_OK: return "ok";
	case OT_ERR_NOMEM: return "nomem";
	case OT_ERR_ARG: return "arg";
	case OT_ERR_PARSE: return "parse";
	case OT_ERR_IO: return "io";
	case OT_ERR_CORRUPT: return "corrupt";
	case OT_ERR_SCHEMA: return "schema";
	case OT_ERR_VERIFY: return "verify";
	case OT_ERR_NOTFOUND: return "not_found";
	case OT_ERR_RANGE: return "range";
	case OT_ERR_KEY: return "key";
	case OT_ERR_TOOBIG: return "too_big";
	case OT_ERR_EXISTS: return "exists";
	case OT_ERR_FULL: return "full";
	case OT_ERR_BUSY: return "busy";
	case OT_ERR_READONLY: return "read_only";
	case OT_ERR_RULE: return "rule";
	case OT_ERR_CONFLICT: return "conflict";
	case OT_ERR_SIGNER: return "signer";
	}
	return "unknown";
}

void ot_error_clear(ot_error *err)
{
	if (!err)
		return;
	err->status = OT_OK;
	err->index = -1;
	err->code[0] = 0;
	err->message[0] = 0;
}

__attribute__((format(printf, 5, 0))) static void
fill(ot_error *err, ot_status status, const char *code, int64_t index, const char *fmt, va_list ap)
{
	err->status = status;
	err->index = index;
	snprintf(err->code, sizeof err->code, "%s", code ? code : ot_status_code(status));
	vsnprintf(err->message, sizeof err->message, fmt, ap);
}

ot_status ot_error_set(ot_error *err, ot_status status, const char *fmt, ...)
{
	if (!err)
		return status;
	va_list ap;
	va_start(ap, fmt);
	fill(err, status, NULL, -1, fmt, ap);
	va_end(ap);
	return status;
}

ot_status ot_error_at(ot_error *err, ot_status status, const char *code, int64_t index,
                      const char *fmt, ...)
{
	if (!err)
		return status;
	va_list ap;
	va_start(ap, fmt);
	fill(err, status, code, index, fmt, ap);
	va_end(ap);
	return status;
}

void ot_error_prefix(ot_error *err, const char *fmt, ...)
{
	if (!err)
		return;
	char prefix[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(prefix, sizeof prefix - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t plen = strlen(prefix);
	memcpy(prefix + plen, ": ", 3);
	plen += 2;
	/* Shift the old message right, truncating its end if need be. */
	size_t cap = sizeof err->message - 1;
	size_t old = strnlen(err->message, cap);
	if (plen >= cap)
		plen = cap;
	if (old > cap - plen)
		old = cap - plen;
	memmove(err->message + plen, err->message, old);
	memcpy(err->message, prefix, plen);
	err->message[plen + old] = 0;
}
