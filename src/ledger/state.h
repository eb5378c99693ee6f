/*
 * state.h: the ledger's state, kept as JSON records in the store's key-value
 * namespaces and written in the same store transaction as the log entries,
 * so that an event's state change is durable exactly when its entry is.
 *
 * Every record is serialised deterministically (json_dumps with sorted keys,
 * compact), so that a replay of the log into an empty store (`audit`) yields
 * byte-identical records and the two stores can be compared namespace by
 * namespace. The namespaces and their keys:
 *
 *   actor       actor id             roles, name, country, keys with validity
 *   site        site id              kind, holder, country, licence, validity,
 *                                    declared resources, extracted mass
 *   lot         lot id               material, mass, holder, site, status,
 *                                    assays, origin vector (provenance.h), and
 *                                    `history`: the entries that created,
 *                                    assayed, shipped or received it
 *   ancestry    lot id               the lot's inherited ancestry, written once
 *                                    when a transform makes it, as edges
 *                                    (lineage.h): the inputs' histories at that
 *                                    moment, one "<index> <type> <id>" line per
 *                                    entry, and their own ancestries copied in
 *                                    while small, else "@<lot>" references
 *   lot_event   "<lot> <index>"      every entry that touched the lot: type, id,
 *                                    role (create/use/assay/ship/receive) and,
 *                                    for a transform output, its input lots
 *   event_id    event id             the entry that used the id: index, type,
 *                                    signer, claimed time
 *   consignment consignment id       shipment, its lots, receipt
 *   contract    contract id          the contract event, its commitments and
 *                                    their disclosure state
 *   disclosure  "<contract> <field>" disclosed value and salt
 *   payment     "<index>"            payment disclosure (with "receipt": the
 *                                    index of the payee's acknowledgement)
 *   receipt     "<index>"            a payee's acknowledgement of a payment
 *   finding     "<index>/<kind>/<subject>"  suspicious-but-possible facts
 *
 * <index> is the log index as 20 zero-padded decimal digits, so key order is
 * log order. Ids never contain spaces (rules.c checks), which is why a space
 * separates the parts of composite keys.
 */
#ifndef OT_LEDGER_STATE_H
#define OT_LEDGER_STATE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"
#include "oretrail/store.h"

#define OTX_NS_ACTOR "actor"
#define OTX_NS_SITE "site"
#define OTX_NS_LOT "lot"
#define OTX_NS_LOT_EVENT "lot_event"
#define OTX_NS_ANCESTRY "ancestry"
#define OTX_NS_EVENT_ID "event_id"
#define OTX_NS_CONSIGNMENT "consignment"
#define OTX_NS_CONTRACT "contract"
#define OTX_NS_DISCLOSURE "disclosure"
#define OTX_NS_PAYMENT "payment"
#define OTX_NS_RECEIPT "receipt"
#define OTX_NS_FINDING "finding"
/* Witness cosignatures kept by the server (not rule state: audit skips it). */
#define OTX_NS_COSIG "cosig"

/* Appends to the signed note (*note, *len; malloc'ed, replaced when lines
 * are added) the stored witness cosignatures (OTX_NS_COSIG) of exactly its
 * checkpoint text (cosig.c). */
ot_status otx_cosig_attach(ot_store *st, char **note, size_t *len, ot_error *err);

/* Every namespace the rules write, NULL-terminated (audit compares them). */
extern const char *const otx_state_namespaces[];

/* Room for a 20-digit index and its NUL. */
#define OTX_INDEX_KEY_LEN 21
void otx_index_key(char out[OTX_INDEX_KEY_LEN], uint64_t index);

/* The batch-scoped record overlay (state.c): while it is in front of a
 * store, otx_state_get copies a record held parsed in memory (it reads and
 * parses the stored bytes only the first time), otx_state_put replaces the
 * held record with a copy of rec and marks it pending, and each pending
 * record is serialised (otx_state_dump, the bytes are the same) and written
 * once: at otx_overlay_end, between events once more than the cap's number
 * of records are held (then all are written and dropped), and before the
 * store reads that key, scans its namespace or commits (the store's front,
 * store.h). A raw ot_store_kv_put or _del of a held key drops it. Callers
 * always own what they get and keep what they put: no one can change a held
 * record but through otx_state_put. One overlay per store, on the thread
 * that uses the store. */
typedef struct otx_overlay otx_overlay;

/* Records held before the table is written and emptied between events. */
#define OTX_OVERLAY_CAP 4096
/* Sets the cap of overlays begun later (0: OTX_OVERLAY_CAP), for every
 * thread; for tests and benchmarks. */
void otx_overlay_set_default_cap(size_t cap);

/* Puts a new overlay in front of st (OT_ERR_ARG when it has one). When it
 * writes everything (at the cap, and at its end), the records are
 * serialised and freed on every core, then written in order on this
 * thread; serial: on this thread only, no thread is started. */
ot_status otx_overlay_begin(ot_store *st, int serial, otx_overlay **out, ot_error *err);
/* Undoes the events still open, writes every pending record, takes the
 * overlay away and frees it. NULL is a no-op. */
ot_status otx_overlay_end(otx_overlay *ov, ot_error *err);
/* Records held, and those of them pending (0 without an overlay). */
size_t otx_overlay_held(ot_store *st);
size_t otx_overlay_pending(ot_store *st);

/* The held records in key order, one line each: "<ns> <key> pending|held
 * <record>" (malloc'ed; "" without an overlay; NULL when out of memory).
 * For tests and diagnostics. */
char *otx_overlay_describe(ot_store *st);
/* Scans the bytes stored in ns as they are, without writing the overlay's
 * pending records first. For tests and diagnostics. */
ot_status otx_state_scan_stored(ot_store *st, const char *ns, ot_kv_cb cb, void *ctx,
                                ot_error *err);

/* An event's undo point: the store's savepoint (ot_store_savepoint ...)
 * and, with an overlay, a mark in its undo log. Rolling back undoes both:
 * the overlay holds exactly what it held before the savepoint. */
ot_status otx_state_savepoint(ot_store *st, ot_error *err);
ot_status otx_state_release(ot_store *st, ot_error *err);
ot_status otx_state_rollback_to(ot_store *st, ot_error *err);

/* Reads and parses a record. OT_ERR_NOTFOUND (err untouched) when absent,
 * OT_ERR_CORRUPT when the stored bytes are not a JSON object. *out is a new
 * reference on success, NULL otherwise. */
ot_status otx_state_get(ot_store *st, const char *ns, const char *key, json_t **out, ot_error *err);

/* The same for a reader that changes nothing in the record: with an
 * overlay, *out is a new reference to the held record itself, not a copy
 * (the caller still decrefs it). Changing it is a bug that corrupts the
 * overlay; OT_OVERLAY_CHECK catches it (see otx_state_put_final). */
ot_status otx_state_peek(ot_store *st, const char *ns, const char *key, json_t **out,
                         ot_error *err);

/* 1 when the key exists in ns, 0 when not; the status otherwise. */
ot_status otx_state_has(ot_store *st, const char *ns, const char *key, int *found, ot_error *err);

/* Serialises rec deterministically and stores it under (ns, key). rec is
 * only read. */
ot_status otx_state_put(ot_store *st, const char *ns, const char *key, json_t *rec, ot_error *err);

/* The same, but an overlay keeps rec itself (a new reference) instead of a
 * copy, which saves the copy: the caller must not change rec, or anything
 * in it, afterwards (it may still read it, and still owns its reference).
 * For a record the caller built, or got from otx_state_get, and shares with
 * nothing else. */
ot_status otx_state_put_final(ot_store *st, const char *ns, const char *key, json_t *rec,
                              ot_error *err);

/* Bytes that are not a parsed record (an event id's index, a lot's history
 * line, ancestry text), held and written like records: pending in the
 * overlay when there is one over a database (a memory store takes them
 * straight), undone with a rejected event, written once at the end or
 * before a read of that key or a scan of ns; straight to the store
 * otherwise. otx_state_get_raw reads them (the held bytes first; *data
 * malloc'ed); otx_state_get of such a key writes it and parses the
 * stored bytes. */
ot_status otx_state_put_raw(ot_store *st, const char *ns, const char *key, const uint8_t *data,
                            size_t len, ot_error *err);
ot_status otx_state_get_raw(ot_store *st, const char *ns, const char *key, uint8_t **data,
                            size_t *len, ot_error *err);

/* Deterministic serialisation of a record (malloc'ed, NUL-terminated; NULL
 * when out of memory, for a string that is not UTF-8, or past 2,048 levels
 * of nesting): the bytes of json_dumps with JSON_SORT_KEYS | JSON_COMPACT |
 * JSON_ENSURE_ASCII, which is what ledgers have always stored. */
char *otx_state_dump(const json_t *rec);
/* The same without sorting: json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII
 * | JSON_PRESERVE_ORDER), byte for byte, for documents handed out (an
 * audit's thousands of findings); NULL where otx_state_dump gives NULL. */
char *otx_json_dump_ordered(const json_t *doc);

/* A deep copy of v as json_deep_copy makes it (members in the same order),
 * without its cycle check: for trees (records, parsed documents). NULL when
 * out of memory. */
json_t *otx_json_copy(const json_t *v);

/* Small accessors over records written by the rules: absent or mistyped
 * members read as NULL / 0 / the fallback. */
const char *otx_jstr(const json_t *obj, const char *key);
int64_t otx_jint(const json_t *obj, const char *key, int64_t fallback);

#endif
