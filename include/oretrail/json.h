/*
 * json.h: oretrail's JSON data model, strict JSON input and RFC 8785 (JSON
 * Canonicalization Scheme) output, over jansson values.
 *
 * An event is signed and hashed as bytes, so one JSON value must have exactly
 * one byte form. The data model keeps JCS simple: numbers are integers within
 * +-(2^53 - 1), no reals, nesting at most 64 deep, strings valid UTF-8
 * without U+0000. Every value ot_json_canonical accepts, ot_json_parse parses
 * back to a value with the same canonical form.
 *
 * All functions are reentrant and share no state; any thread may call them.
 */
#ifndef ORETRAIL_JSON_H
#define ORETRAIL_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "oretrail/buf.h"
#include "oretrail/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The largest integer magnitude an event may hold: 2^53 - 1 (RFC 8785
 * section 3.2.2.3, I-JSON RFC 7493 section 2.2). */
#define OT_JSON_INT_MAX INT64_C(9007199254740991)

/*
 * Parses exactly one JSON value from data[0..len) (at most max_len bytes,
 * else OT_ERR_TOOBIG) into *out, a new reference the caller releases with
 * json_decref. Strict: duplicate member names, invalid UTF-8, trailing bytes
 * and anything ot_json_check rejects are OT_ERR_PARSE, with err->index the
 * byte offset and codes json_syntax, json_invalid_utf8, json_nul,
 * json_duplicate_key, json_number_range, json_not_integer, json_too_deep
 * (json_too_big for the size). On failure *out is NULL.
 */
OT_EXPORT ot_status ot_json_parse(const uint8_t *data, size_t len, size_t max_len, json_t **out,
                                  ot_error *err);

/*
 * Checks that `value` stays inside the data model. `path` names the value in
 * messages ("event"; NULL for the top level), which point at the offending
 * member (event.outputs[1].mass_g). The value is only read.
 */
OT_EXPORT ot_status ot_json_check(json_t *value, const char *path, ot_error *err);

/*
 * Appends the RFC 8785 canonical form of `value` to `out` (caller-owned,
 * initialised with ot_buf_init), after the checks of ot_json_check. On
 * failure out->len is what it was; OT_ERR_TOOBIG when out's cap is reached.
 */
OT_EXPORT ot_status ot_json_canonical(ot_buf *out, json_t *value, const char *path, ot_error *err);

/* Returns 1 when s[0..len) is valid UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), else 0. */
OT_EXPORT int ot_utf8_valid(const uint8_t *s, size_t len);

#ifdef __cplusplus
}
#endif
#endif
