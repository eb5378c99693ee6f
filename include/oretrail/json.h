/*
 * json.h: oretrail's data model for event JSON, for the layers that build
 * events from other formats (src/epcis): which JSON values an event may
 * hold, the form of its times, and the longest ids.
 *
 * An event is signed and hashed as its RFC 8785 (JCS) canonical bytes, so
 * oretrail narrows JSON to values with exactly one such form: numbers are
 * integers within +-(2^53 - 1) (RFC 8785 section 3.2.2.3, I-JSON RFC 7493
 * section 2.2), strings are valid UTF-8 without U+0000, nesting is bounded.
 * Times are RFC 3339 UTC with whole seconds, "YYYY-MM-DDTHH:MM:SSZ".
 * The implementation is the ledger's own (src/ledger/jcs.c, envelope.c);
 * all functions are reentrant and share no state.
 */
#ifndef ORETRAIL_JSON_H
#define ORETRAIL_JSON_H

#include <jansson.h>
#include <stdint.h>

#include "oretrail/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The largest integer magnitude an event may hold: 2^53 - 1. */
#define OT_JSON_INT_MAX INT64_C(9007199254740991)
/* Length of an event time, "YYYY-MM-DDTHH:MM:SSZ". */
#define OT_TIME_LEN 20
/* Longest event id, in bytes (printable ASCII without spaces). */
#define OT_EVENT_ID_MAX 200
/* Longest actor id (the signer of an event), in bytes. */
#define OT_SIGNER_MAX 128

/*
 * Checks that `value` stays inside the data model: no reals, integers within
 * +-OT_JSON_INT_MAX, bounded nesting, strings and member names valid UTF-8
 * without U+0000. Returns OT_OK, or OT_ERR_PARSE with err saying where:
 * `path` names the value in messages (e.g. "event"; NULL for the top level)
 * and the message points at the offending member as a JSON path such as
 * event.outputs[1].mass_g. Codes: json_not_integer, json_number_range,
 * json_too_deep, json_invalid_utf8, json_nul; OT_ERR_NOMEM. The value is
 * only read.
 */
OT_EXPORT ot_status ot_json_check(json_t *value, const char *path, ot_error *err);

/*
 * Writes seconds since 1970 (negative before) as an event time,
 * "YYYY-MM-DDTHH:MM:SSZ" and a NUL, into out. OT_ERR_RANGE (out untouched)
 * when the year would fall outside 0000..9999.
 */
OT_EXPORT ot_status ot_time_format(int64_t unix_seconds, char out[OT_TIME_LEN + 1]);

#ifdef __cplusplus
}
#endif
#endif
