/*
 * error.h: filling an ot_error. Every helper returns the status it was given,
 * so a failure path reads `return otx_err(err, OT_ERR_PARSE, "...", ...);`.
 */
#ifndef OT_UTIL_ERROR_H
#define OT_UTIL_ERROR_H

#include <stdint.h>

#include "oretrail/status.h"

/* Sets status and message (printf-style); index -1, no code. err may be NULL. */
ot_status otx_err(ot_error *err, ot_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Also sets the stable code and the index. */
ot_status otx_err_at(ot_error *err, ot_status status, const char *code, int64_t index,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Prefixes the existing message with "<prefix>: " (for context). */
void otx_err_prefix(ot_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
