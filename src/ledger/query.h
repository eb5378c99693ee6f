/*
 * query.h: the read side of the ledger as jansson values, for the public API
 * (ledger.h, which serialises them), the CLI and the HTTP server. Each
 * answers from the state namespaces (state.h), never by replaying the log.
 * Results are new references owned by the caller. Wrap a call in
 * ot_store_read_begin / ot_store_read_end (as the ledger.h wrappers do) for
 * one consistent snapshot and one lock instead of one per read.
 */
#ifndef OT_LEDGER_QUERY_H
#define OT_LEDGER_QUERY_H

#include <jansson.h>
#include <stdint.h>

#include "oretrail/status.h"
#include "oretrail/store.h"

/* Internal trace flag: leave "ancestry" empty (ot_ledger_trace writes it
 * as text). */
#define OTX_TRACE_NO_ANCESTRY (1 << 16)

/* ot_ledger_trace's document (ledger.h; flags: OT_TRACE_CONTEXT).
 * OT_ERR_NOTFOUND, code lot_not_found. */
ot_status otx_trace_json(ot_store *st, const char *lot, int flags, json_t **out, ot_error *err);

/* Appends to `out` the stage rows of a lot record (ledger.h,
 * OT_TRACE_STAGES): {"stage","element","country","site","facility","grams",
 * "mg","share_ppm"}, by stage, element, amount (largest first), site. */
ot_status otx_lot_stage_rows(ot_store *st, json_t *rec, json_t *out, ot_error *err);

/* Appends to `out` the recycled content of a lot record (report_recycled.c;
 * trace "recycled"): per element with recycled feed, {"element","grams",
 * "mg","share_ppm","post_consumer_mg","pre_consumer_mg"}, by element;
 * share_ppm is the recycled part of the element's amount (mined, external
 * and recycled together). OT_ERR_CORRUPT on a malformed record. */
ot_status otx_lot_recycled_rows(json_t *rec, json_t *out);

/* One row of a lot's ancestry: log index, entry type and id (not
 * NUL-terminated). Nonzero stops the walk (reported as out of memory). */
typedef ot_status (*otx_ancestry_fn)(void *ctx, int64_t index, const char *type, size_t type_len,
                                     const char *id, size_t id_len);

/* Calls fn for each row of the ancestry of a lot record (ledger.h, trace
 * "ancestry"): the inherited ancestry, then the lot's own history, in log
 * order. */
ot_status otx_ancestry_each(ot_store *st, json_t *rec, otx_ancestry_fn fn, void *ctx,
                            ot_error *err);

/* ot_ledger_contract_show's document. OT_ERR_NOTFOUND, code contract_not_found. */
ot_status otx_contract_json(ot_store *st, const char *contract, int64_t now, json_t **out,
                            ot_error *err);

/* ot_ledger_report's document. */
ot_status otx_report_json(ot_store *st, json_t **out, ot_error *err);

#endif
