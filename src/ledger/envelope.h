/*
 * envelope.h: the signed event envelope, one log entry (docs/events.md).
 *
 *   {"event":{...},"sig":"<base64 Ed25519 signature>","signer":"<actor id>"}
 *
 * The signature covers "oretrail/event/v1\n" || JCS(event), a domain-separated
 * message so that an event signature can never be mistaken for a signature on
 * anything else the same key signs (checkpoints, notes). The entry stored in
 * the log is JCS(envelope), at most OT_ENTRY_MAX bytes; the member order
 * above is that canonical order.
 *
 * This module checks only what every event has (type, id, time) and the
 * envelope's own shape; what each event type means is the ledger rules'
 * business. All functions are reentrant.
 */
#ifndef OT_LEDGER_ENVELOPE_H
#define OT_LEDGER_ENVELOPE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "oretrail/buf.h"
#include "oretrail/note.h"
#include "oretrail/status.h"

#define OTX_EVENT_DOMAIN "oretrail/event/v1\n" /* prefix of the signed message */
#define OTX_SIG_SIZE 64                        /* Ed25519 signature */
#define OTX_SIGNER_MAX 128                     /* longest actor id, in bytes */
#define OTX_EVENT_ID_MAX 200                   /* longest event id, in bytes */
#define OTX_EVENT_TYPE_MAX 64                  /* longest event type, in bytes */
#define OTX_TIME_LEN 20                        /* "YYYY-MM-DDTHH:MM:SSZ" */
/* Largest input otx_envelope_parse reads: room for pretty-printed JSON whose
 * canonical form still fits in OT_ENTRY_MAX. */
#define OTX_ENVELOPE_INPUT_MAX ((size_t)4 << 16)

/* A parsed, checked envelope. Owns everything it points to; release with
 * otx_envelope_clear. */
typedef struct otx_envelope {
	json_t *event;    /* the event object (one reference owned) */
	const char *type; /* event.type, event.id, event.time: */
	const char *id;   /*   NUL-terminated, owned by `event` */
	const char *time;
	int64_t time_unix;               /* event.time in seconds since 1970 */
	char signer[OTX_SIGNER_MAX + 1]; /* actor id */
	uint8_t sig[OTX_SIG_SIZE];
	ot_buf entry;   /* JCS(envelope): the bytes the log stores */
	ot_buf message; /* OTX_EVENT_DOMAIN || JCS(event): the bytes signed */
} otx_envelope;

/* Sets every field empty, so that otx_envelope_clear is always safe. */
void otx_envelope_init(otx_envelope *env);
/* Frees what env owns and leaves it empty. NULL is a no-op. */
void otx_envelope_clear(otx_envelope *env);

/*
 * Parses and checks a signed envelope from data[0..len) (at most
 * OTX_ENVELOPE_INPUT_MAX bytes; any JSON layout) into *out, which must have
 * been initialised and is cleared first. Strict: exactly the members event,
 * signer and sig; signer 1..OTX_SIGNER_MAX bytes of [A-Za-z0-9._:-]; sig
 * canonical padded base64 of 64 bytes; event as otx_event_check requires;
 * the canonical entry at most OT_ENTRY_MAX bytes. Does not verify the
 * signature (see otx_envelope_verify). To check that stored bytes are
 * canonical, compare them with out->entry.
 * Errors (OT_ERR_PARSE unless noted), with their codes: the json_* codes of
 * otx_json_parse; envelope_not_object, envelope_unsigned (an event without
 * an envelope), envelope_unknown_member, envelope_missing_member, bad_signer,
 * bad_sig, bad_event and the codes of otx_event_check; entry_too_big
 * (OT_ERR_TOOBIG). On failure *out is left empty.
 */
ot_status otx_envelope_parse(const uint8_t *data, size_t len, otx_envelope *out, ot_error *err);

/* 1 when s[0..len) is an actor id: 1..OTX_SIGNER_MAX bytes of [A-Za-z0-9._:-]. */
int otx_actor_id_valid(const char *s, size_t len);

/*
 * Verifies env's signature over env->message with an Ed25519 public key.
 * Returns OT_OK or OT_ERR_VERIFY (OT_ERR_ARG on NULL arguments).
 */
OT_NODISCARD ot_status otx_envelope_verify(const otx_envelope *env, const uint8_t pubkey[32]);

/*
 * Signs `event` (checked with otx_event_check; only read) as `signer_actor`
 * with `key`, and writes the canonical envelope, the log entry, into
 * *entry_out. entry_out must be initialised (ot_buf_init); its old contents
 * are freed and its cap becomes OT_ENTRY_MAX. Errors: those of
 * otx_event_check, bad_signer, entry_too_big, and ot_signer_sign_raw's.
 */
ot_status otx_envelope_sign(json_t *event, const char *signer_actor, const ot_signer *key,
                            ot_buf *entry_out, ot_error *err);

/*
 * Checks the members every event has: `type` ([a-z][a-z0-9_]*, at most
 * OTX_EVENT_TYPE_MAX bytes), `id` (1..OTX_EVENT_ID_MAX bytes of printable
 * ASCII without spaces) and `time` (otx_parse_time), plus the data model of
 * otx_json_check. `path` names the event in messages ("event"; NULL for the
 * top level). Codes: bad_event (not an object), bad_event_type,
 * bad_event_id, bad_event_time, and otx_json_check's.
 */
ot_status otx_event_check(json_t *event, const char *path, ot_error *err);

/*
 * Tells a signed envelope from a bare event, for commands that accept both:
 * returns 1 when v is an object with an `event` member, 0 otherwise (a bare
 * event has `type` at the top level instead).
 */
int otx_envelope_is_signed(const json_t *v);

/*
 * Parses an RFC 3339 UTC time with whole seconds, exactly
 * "YYYY-MM-DDTHH:MM:SSZ" (uppercase T and Z, no offset, no fraction, no leap
 * second), checking that the date exists in the proleptic Gregorian calendar
 * (years 0000..9999). Sets *unix_seconds (may be negative). OT_OK or
 * OT_ERR_PARSE.
 */
ot_status otx_parse_time(const char *s, int64_t *unix_seconds);

/* Formats seconds since 1970 in that form into out (OTX_TIME_LEN + 1 bytes).
 * OT_ERR_RANGE when the year would fall outside 0000..9999. */
ot_status otx_format_time(int64_t unix_seconds, char out[OTX_TIME_LEN + 1]);

#endif
