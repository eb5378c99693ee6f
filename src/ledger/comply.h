/*
 * comply.h: compliance profiles (docs/events.md "Compliance profiles") as
 * comply.c reads them, for the determinations and the reports that judge
 * by the same profile (`oretrail report crma`).
 */
#ifndef OT_LEDGER_COMPLY_H
#define OT_LEDGER_COMPLY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "oretrail/certificate.h"
#include "oretrail/status.h"
#include "oretrail/store.h"

/* A checked profile; its members are borrowed from doc. */
typedef struct otx_profile {
	json_t *doc; /* owned by otx_profile_load's caller */
	const char *name;
	json_t *elements, *stages, *covered, *exempt;
	int64_t max_ppm; /* -1: covered countries */
} otx_profile;

/* Parses (duplicates rejected) and checks a profile of len bytes: *doc is
 * the new document (the caller json_decref's it, also on error). Errors:
 * OT_ERR_PARSE, code bad_profile, the message naming the field. */
ot_status otx_profile_load(const char *json, size_t len, json_t **doc, otx_profile *p,
                           ot_error *err);

/* Checks a parsed profile document (borrowed: p's members point into it).
 * Errors as otx_profile_load's. */
ot_status otx_profile_read(json_t *doc, otx_profile *p, ot_error *err);

/* Whether arr (an array of strings) holds s. */
int otx_profile_in_list(json_t *arr, const char *s);

/* Where the bytes of log entry `index` come from (a malloc'ed copy in *data,
 * the caller's to free): the ledger's log, or a certificate's entries. */
typedef struct otx_entry_reader {
	ot_status (*read)(void *ctx, uint64_t index, uint8_t **data, size_t *len, ot_error *err);
	void *ctx;
} otx_entry_reader;

/* otx_entry_reader's read over an ot_ledger's log (ctx: the ledger). */
ot_status otx_ledger_read_entry(void *ledger, uint64_t index, uint8_t **data, size_t *len,
                                ot_error *err);

/* OT_OK when at is a date YYYY-MM-DD; else OT_ERR_PARSE, code bad_field. */
ot_status otx_comply_check_at(const char *at, ot_error *err);

/* The determination of lot under p as of at (ot_ledger_comply's document,
 * a new reference in *out), judged from the state st, read inside the
 * caller's snapshot; rd gives the lineage's extractions and transforms.
 * The same call decides `comply`, `prove --profile` and `verify`. */
ot_status otx_comply_determine(ot_store *st, const otx_entry_reader *rd, const otx_profile *p,
                               const char *lot, const char *at, json_t **out, int *determination,
                               ot_error *err);

/* Adds to doc "at" and "compliance": the lot's determination under each of
 * the n profiles as of at (otx_comply_determine's documents, in profile
 * name order). The server's lot answer and the browser's replay
 * (ot_replay_lot) both make it here. Errors as otx_comply_determine's, and
 * otx_profile_load's for a bad profile, otx_comply_check_at's for at. */
ot_status otx_lot_compliance(ot_store *st, const otx_entry_reader *rd,
                             const ot_cert_profile *profiles, size_t n, const char *lot,
                             const char *at, json_t *doc, ot_error *err);

#endif
