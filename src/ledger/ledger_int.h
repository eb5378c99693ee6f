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
};

/* Serialises a query result for the public API (keys in insertion order). */
ot_status otx_ledger_emit(json_t *doc, int flags, char **json, ot_error *err);

#endif
