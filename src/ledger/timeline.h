/*
 * timeline.h: the checkpoint history and the time an entry was logged.
 *
 * An event's `time` is its signer's claim. What the log itself can say is
 * when an entry was *logged*: after the newest checkpoint that does not
 * contain it and before the oldest one that does. A checkpoint's body has
 * no time; the time comes from who signed it: a witness's C2SP
 * tlog-cosignature/v1 timestamp (the witnessed time, resting on no signer
 * of events and not on the operator), or, with no witness, the time the
 * operator signed the checkpoint (recorded by the ledger as it publishes).
 *
 * Two namespaces, written beside the rules' state but not by the rules
 * (audit does not compare them; a replay has none):
 *
 *   checkpoint        "<size>"                 {"size","signed_at","note"}:
 *                                              every checkpoint the ledger
 *                                              published, with the time the
 *                                              operator signed it
 *   checkpoint_cosig  "<size> <name>+<key id>" {"size","witness","key_id",
 *                                              "time","line"}: each witness
 *                                              cosignature accepted for it
 *
 * <size> is 20 zero-padded digits (otx_index_key), so key order is size
 * order.
 */
#ifndef OT_LEDGER_TIMELINE_H
#define OT_LEDGER_TIMELINE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"
#include "oretrail/store.h"

#define OTX_NS_CHECKPOINT "checkpoint"
#define OTX_NS_CHECKPOINT_COSIG "checkpoint_cosig"

/* The default tolerance of the time findings: 48 hours. */
#define OTX_TIME_TOLERANCE_S ((int64_t)48 * 3600)

/* Records a published checkpoint (inside the caller's transaction). */
ot_status otx_timeline_published(ot_store *st, uint64_t size, const char *note, size_t len,
                                 int64_t signed_at, ot_error *err);

/* Records a witness's cosignature of the checkpoint of `size` (inside the
 * caller's transaction). `line` is the note signature line, with its
 * newline. */
ot_status otx_timeline_cosigned(ot_store *st, uint64_t size, const char *witness, uint32_t key_id,
                                uint64_t timestamp, const char *line, ot_error *err);

/* Where a bound came from. */
typedef enum otx_basis {
	OTX_BASIS_NONE = 0, /* no checkpoint gives it (an open upper bound) */
	OTX_BASIS_OPERATOR, /* the operator's signing time */
	OTX_BASIS_WITNESSED /* a witness's cosignature timestamp */
} otx_basis;

/* The interval in which an entry was logged. */
typedef struct otx_logged {
	otx_basis after_basis, before_basis;
	int64_t after, before; /* seconds since 1970, when the basis is not NONE */
	uint64_t after_size, before_size;
	unsigned witnesses; /* cosignatures on the checkpoint giving `before` */
	int has_sequenced;  /* the operator signed a checkpoint containing it */
	int64_t sequenced;  /* that checkpoint's signing time */
} otx_logged;

/* The checkpoint history, loaded once for many look-ups. */
typedef struct otx_timeline otx_timeline;

/* Loads the history of `st` (empty when the store has none, as a replay's
 * store). Free with otx_timeline_free (NULL is a no-op). */
ot_status otx_timeline_load(ot_store *st, otx_timeline **out, ot_error *err);
void otx_timeline_free(otx_timeline *t);
/* 1 when the history holds no checkpoint at all. */
int otx_timeline_empty(const otx_timeline *t);

/* The interval of entry `index`. */
void otx_timeline_bounds(const otx_timeline *t, uint64_t index, otx_logged *out);
/* The same for one entry, reading only the history next to it (a few
 * key scans, not the whole history). */
ot_status otx_logged_at(ot_store *st, uint64_t index, otx_logged *out, ot_error *err);

/* {"after","after_size","after_basis","before","before_size",
 *  "before_basis","witnesses","basis"} (times RFC 3339, null when open). */
json_t *otx_logged_json(const otx_logged *lg);

/* The time a commitment made at `index` is dated by: the upper bound when
 * there is one, else the lower bound; `claimed` (the event's time) only
 * when the history has neither. */
int64_t otx_logged_date(const otx_logged *lg, int64_t claimed);

/* Appends to `out` (a JSON array) the time findings of every entry of the
 * log in `st` (backdated, future_dated; findings.h), judged against the
 * history `t` with `tolerance_s` seconds of slack. Nothing when the history
 * is empty. */
ot_status otx_findings_time(ot_store *st, const otx_timeline *t, int64_t tolerance_s, json_t *out,
                            ot_error *err);

/* The same for one entry at `index`: its event's id and claimed time
 * (nothing when either is missing or the time does not parse), or its raw
 * bytes. OT_ERR_NOMEM is the only failure. The audit judges each entry as
 * its replay reports it, without parsing the log a second time. */
ot_status otx_findings_time_entry(const otx_timeline *t, int64_t tolerance_s, uint64_t index,
                                  const char *id, const char *claim_s, json_t *out);
ot_status otx_findings_time_raw(const otx_timeline *t, int64_t tolerance_s, uint64_t index,
                                const uint8_t *data, size_t len, json_t *out);

/* The history as the API serves it (ledger.h, ot_ledger_checkpoints). */
ot_status otx_checkpoints_json(ot_store *st, uint64_t from, size_t limit, json_t **out,
                               ot_error *err);
ot_status otx_checkpoint_json(ot_store *st, uint64_t size, json_t **out, ot_error *err);

#endif
