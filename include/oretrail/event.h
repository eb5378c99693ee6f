/*
 * event.h: the ledger's events as their authors make them: bare events
 * ({"type","id","time",...}) signed into envelopes, the log entries
 * (EVENTS.md):
 *
 *   {"event":{...},"sig":"<base64 Ed25519 signature>","signer":"<actor id>"}
 *
 * The signature covers "oretrail/event/v1\n" || JCS(event); the entry is
 * JCS(envelope). Times are RFC 3339 UTC with whole seconds,
 * "YYYY-MM-DDTHH:MM:SSZ". What each event type means is the ledger rules'
 * business (ledger.h); this header checks only what every event has.
 *
 * All functions are reentrant and share no state; any thread may call them.
 */
#ifndef ORETRAIL_EVENT_H
#define ORETRAIL_EVENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "oretrail/buf.h"
#include "oretrail/note.h"
#include "oretrail/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OT_ACTOR_MAX 128    /* longest actor id (a key's name), in bytes */
#define OT_EVENT_ID_MAX 200 /* longest event id, in bytes */
#define OT_TIME_LEN 20      /* "YYYY-MM-DDTHH:MM:SSZ" */

/*
 * Signs `event` (checked as ot_event_check does; only read) as the actor
 * `actor` with `key`, and writes the canonical envelope, the log entry, into
 * *entry, which the caller owns and has initialised (ot_buf_init); its old
 * contents are freed and its cap becomes OT_ENTRY_MAX. Errors carry codes:
 * bad_event, bad_event_type, bad_event_id, bad_event_time, the json_* codes,
 * bad_signer, entry_too_big.
 */
OT_EXPORT ot_status ot_event_sign(json_t *event, const char *actor, const ot_signer *key,
                                  ot_buf *entry, ot_error *err);

/*
 * Reads a submitted envelope, data[0..len) in any JSON layout, checks its
 * shape (the event's members, the signer's id, the signature's form; not
 * whether the signature verifies, which needs the ledger's state) and
 * writes its canonical form, the bytes the log would store, into *entry
 * (caller-owned, initialised with ot_buf_init; its old contents are freed).
 * Errors are those of the ledger's envelope parser, with their codes
 * (json_*, bad_envelope, bad_event*, bad_signer, bad_sig, entry_too_big).
 * Reentrant.
 */
OT_EXPORT ot_status ot_event_entry(const uint8_t *data, size_t len, ot_buf *entry, ot_error *err);

/*
 * Checks the members every event has: `type` ([a-z][a-z0-9_]*), `id` (1 to
 * OT_EVENT_ID_MAX bytes of printable ASCII without spaces) and `time`
 * (ot_time_parse), and the JSON data model (json.h). `path` names the event
 * in messages (NULL for the top level). The event is only read.
 */
OT_EXPORT ot_status ot_event_check(json_t *event, const char *path, ot_error *err);

/*
 * 1 when s is a valid actor id (the name of an actor's key and the `signer`
 * of its entries): 1 to OT_ACTOR_MAX bytes of A-Z a-z 0-9 . _ : -, else 0.
 * NULL is not one.
 */
OT_EXPORT int ot_actor_id_valid(const char *s);

/*
 * Opens a signed log entry, entry[0..len) (an envelope in any JSON layout,
 * as the log stores it), without verifying its signature: checks it as the
 * ledger checks every entry's shape (exactly event, signer and sig; the
 * event as ot_event_check requires) and sets *event to the event (one
 * reference, which the caller owns and releases with json_decref). When
 * signer is not NULL, the signer's actor id is copied into it
 * (NUL-terminated; signer_size must be at least OT_ACTOR_MAX + 1, else
 * OT_ERR_ARG). On failure *event is NULL; errors are OT_ERR_PARSE with the
 * codes envelope_not_object, envelope_unsigned, envelope_unknown_member,
 * envelope_missing_member, bad_signer, bad_sig, bad_event, the json_* and
 * bad_event_* codes, or OT_ERR_TOOBIG (entry_too_big).
 */
OT_EXPORT ot_status ot_event_open(const uint8_t *entry, size_t len, json_t **event, char *signer,
                                  size_t signer_size, ot_error *err);

/* Returns 1 when v is a signed envelope (an object with an `event` member),
 * 0 when it is anything else, such as a bare event. */
OT_EXPORT int ot_event_is_signed(const json_t *v);

/* Parses an RFC 3339 UTC time, exactly "YYYY-MM-DDTHH:MM:SSZ" with a date
 * that exists (years 0000..9999), into seconds since 1970 (may be
 * negative). OT_OK or OT_ERR_PARSE. */
OT_EXPORT ot_status ot_time_parse(const char *s, int64_t *unix_seconds);

/* Formats seconds since 1970 in that form into out (caller's buffer of
 * OT_TIME_LEN + 1 bytes, NUL-terminated). OT_ERR_RANGE when the year would
 * fall outside 0000..9999. */
OT_EXPORT ot_status ot_time_format(int64_t unix_seconds, char out[OT_TIME_LEN + 1]);

#ifdef __cplusplus
}
#endif
#endif
