/*
 * jcs.h: strict JSON input and RFC 8785 (JSON Canonicalization Scheme)
 * output, over jansson values.
 *
 * An event is signed and hashed as bytes, so one JSON value must have exactly
 * one byte form. JCS gives it: no whitespace, object members sorted by the
 * UTF-16 code units of their names (RFC 8785 section 3.2.3), strings escaped
 * as ECMAScript's JSON.stringify does (section 3.2.2.2), literals as
 * true/false/null. oretrail narrows the JSON data model so that the hard part
 * of JCS, ECMAScript number formatting, never arises: numbers are integers
 * (grams, mg/kg, minor units, microdegrees) within the range an IEEE-754
 * double holds exactly, +-(2^53 - 1), and are written in plain decimal, which
 * is what JCS would write for them. Reals such as 1.5, 1.0 or 1e3 are
 * rejected, as are strings holding U+0000 (jansson cannot parse them back
 * without a flag we keep off). Every value otx_jcs_write accepts, otx_json_parse
 * parses back to a value with the same canonical form.
 *
 * All functions are reentrant; they share no state.
 */
#ifndef OT_LEDGER_JCS_H
#define OT_LEDGER_JCS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "oretrail/buf.h"
#include "oretrail/status.h"

/* Deepest nesting of arrays and objects accepted (the top-level container is
 * depth 1). Events need 4 or 5; the limit keeps recursion shallow. */
#define OTX_JSON_MAX_DEPTH 64

/* The largest integer magnitude accepted: 2^53 - 1 (RFC 8785 section 3.2.2.3
 * and I-JSON, RFC 7493 section 2.2: beyond it doubles lose integers). */
#define OTX_JSON_INT_MAX INT64_C(9007199254740991)

/*
 * Parses exactly one JSON value (any type at the top level; surrounding JSON
 * whitespace allowed) from data[0..len) into *out (a new reference the caller
 * must json_decref). Strict: duplicate member names, invalid UTF-8, U+0000 in
 * strings, lone surrogate escapes, trailing bytes, more than max_len bytes
 * (OT_ERR_TOOBIG), and any value otx_json_check rejects are all errors.
 * Errors: OT_ERR_PARSE with err->index the byte offset and the line and
 * column in the message, or OT_ERR_TOOBIG / OT_ERR_NOMEM. Stable codes:
 * json_too_big, json_syntax, json_invalid_utf8, json_nul, json_duplicate_key,
 * json_number_range, json_not_integer, json_too_deep.
 * On failure *out is NULL.
 */
ot_status otx_json_parse(const uint8_t *data, size_t len, size_t max_len, json_t **out,
                         ot_error *err);

/*
 * Checks that `value` stays inside oretrail's JSON data model: no reals,
 * integers within +-OTX_JSON_INT_MAX, nesting at most OTX_JSON_MAX_DEPTH,
 * strings and member names valid UTF-8 without U+0000. `path` names the value
 * in error messages (e.g. "event"; NULL for the top level), and errors point
 * at the offending member as a JSON path such as event.outputs[1].mass_g.
 * The value is only read (jansson's iterators want a non-const pointer).
 */
ot_status otx_json_check(json_t *value, const char *path, ot_error *err);

/*
 * Appends the RFC 8785 canonical form of `value` to `out`. Performs the same
 * checks as otx_json_check, with the same codes and paths. On failure out->len
 * is restored to what it was (OT_ERR_TOOBIG when out's cap is reached; code
 * json_too_big). The value is only read.
 */
ot_status otx_jcs_write(ot_buf *out, json_t *value, const char *path, ot_error *err);

/*
 * Compares two member names, given as valid UTF-8, in JCS order: by their
 * UTF-16 code units, a proper prefix first. Returns <0, 0 or >0.
 */
int otx_jcs_compare_names(const char *a, size_t alen, const char *b, size_t blen);

/*
 * Appends s[0..len) as a JSON string, byte for byte as json_dumps writes it
 * with JSON_ENSURE_ASCII: printable ASCII other than '"' and '\\' as it is
 * (the common case: ids are printable ASCII), anything else through jansson.
 * Not canonical (RFC 8785) for other strings: for the ledger's own records.
 */
ot_status otx_json_string_write(ot_buf *out, const char *s, size_t len);

/* Returns 1 when s[0..len) is valid UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), else 0. */
int otx_utf8_valid(const uint8_t *s, size_t len);

#endif
