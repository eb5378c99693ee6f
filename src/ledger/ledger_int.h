/*
 * ledger_int.h: the ledger handle, shared by ledger.c (open, submit),
 * audit.c and query.c.
 */
#ifndef OT_LEDGER_LEDGER_INT_H
#define OT_LEDGER_LEDGER_INT_H

#include <jansson.h>

#include "ledger/rules.h"
#include "oretrail/ledger.h"

struct ot_ledger {
	ot_store *st;
	ot_log *log;
	ot_verifier *authority_key; /* meta log_vkey */
	otx_ledger_ctx ctx;
	int can_append;
	int64_t tolerance_s;       /* of the time findings; 0: OTX_TIME_TOLERANCE_S, < 0: none */
	struct otx_key_memo *memo; /* ot_ledger_prepare's signer keys (batch.h); lazily */
};

/* The tolerance of the time findings in seconds: `override` when not 0,
 * else the handle's (ot_ledger_set_tolerance), else 48 h; negative: 0. */
int64_t otx_ledger_tolerance(const ot_ledger *l, int64_t override);

/* Serialises a query result for the public API (keys in insertion order). */
ot_status otx_ledger_emit(json_t *doc, int flags, char **json, ot_error *err);

/* A report period: YYYY, YYYY-Qn (n 1-4) or YYYY-MM (report_eiti.c); NULL
 * (every period) passes. Otherwise "bad_field" naming the period, with no
 * option name: the CLI's --period and the API's ?period= share it. */
ot_status otx_period_check(const char *period, ot_error *err);

/* `report crma` (ot_ledger_report_crma's document) from the state in `st`:
 * a ledger's store inside a read, or a replay's (ot_replay_report_crma). */
ot_status otx_report_crma(ot_store *st, const char *profile_json, size_t len, const char *year,
                          int flags, char **json, ot_error *err);
/* Whether an RFC 3339 time falls in a valid period (NULL: every time). */
int otx_in_period(const char *period, const char *time);

#endif
