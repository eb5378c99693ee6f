/*
 * findings.h: facts that are suspicious but possible. The rules never reject
 * them; they are recorded when the entry is appended (namespace `finding`,
 * key "<index>/<kind>/<subject>") or computed at audit and report time
 * against a given "now". Kinds:
 *
 *   transit_loss                received mass below shipped mass by more than
 *                               OTX_TRANSIT_TOLERANCE_PPM (0.5 %)
 *   transit_gain                received mass above it by more than that
 *   extraction_beyond_resource  a mine's extracted mass passes its declared
 *                               resources (measured + indicated + inferred
 *                               ore tonnage; none declared counts as zero);
 *                               recorded at the crossing
 *   export_without_assay        a lot shipped across a border with no
 *                               certified (lab) assay
 *   signed_after_revocation     an entry sequenced before its signer's key was
 *                               revoked but claiming a time at or after the
 *                               key's stop time (recorded at the revocation)
 *   overdue_disclosure          (audit time) a contract's disclose_by date has
 *                               passed with a commitment still withheld
 *   terms_withheld              (audit time) a committed contract field not
 *                               disclosed for longer than the withholding limit,
 *                               counted from the contract's logged date
 *                               (timeline.h) where the ledger has a history
 *   out_of_order                a receipt claimed before its shipment, a
 *                               transform claimed before an input arrived
 *   corrected, voided           a `correct` / `void` entry changed the event
 *                               named (rules_correct.c)
 *   backdated, future_dated     (audit time) an event's claimed time outside
 *                               the interval in which it was logged, by more
 *                               than a tolerance (timeline.h)
 */
#ifndef OT_LEDGER_FINDINGS_H
#define OT_LEDGER_FINDINGS_H

#include <jansson.h>
#include <stdint.h>

#include "ledger/timeline.h"
#include "oretrail/status.h"
#include "oretrail/store.h"

/* Records a finding at log index `index`. */
ot_status otx_finding_add(ot_store *st, uint64_t index, const char *kind, const char *subject,
                          ot_error *err, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* As otx_finding_add, with `values` (a JSON object, stolen; NULL is out of
 * memory): the detail's figures, structured (docs/events.md, Findings). */
ot_status otx_finding_add_values(ot_store *st, uint64_t index, const char *kind,
                                 const char *subject, json_t *values, ot_error *err,
                                 const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Appends to `out` (a JSON array) every recorded finding, as
 * {"index","kind","subject","detail"[,"values"]}, in log order. */
ot_status otx_findings_recorded(ot_store *st, json_t *out, ot_error *err);

/* The number of a contract record's commitments not yet disclosed. */
size_t otx_contract_withheld(json_t *rec);
/* 1 when the contract record is overdue as of `now`: its disclose_by date
 * (overdue_from) has passed with a commitment still withheld; *since (may
 * be NULL) is then the moment it became overdue. */
int otx_contract_overdue(json_t *rec, int64_t now, int64_t *since);

/* Appends the time-based findings as of `now` (seconds since 1970):
 * contract fields committed more than withheld_days ago and still not
 * disclosed (terms_withheld), and contracts past their disclose_by date
 * with a commitment still withheld (overdue_disclosure). A contract is dated by its logged date in
 * the history `t` (NULL or empty: by its claimed time). */
ot_status otx_findings_withheld(ot_store *st, const otx_timeline *t, int64_t now,
                                uint32_t withheld_days, json_t *out, ot_error *err);

/* Every finding that is judged at query time, for the state in `state` and
 * the log and checkpoint history of the ledger's store `ledger`:
 * terms_withheld (dated by the history) and backdated / future_dated with
 * `tolerance_s` seconds of slack. */
ot_status otx_findings_timed(ot_store *state, ot_store *ledger, int64_t now, uint32_t withheld_days,
                             int64_t tolerance_s, json_t *out, ot_error *err);

#endif
