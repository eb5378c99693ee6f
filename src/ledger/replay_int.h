/*
 * replay_int.h: the replay engine inside the ledger (replay.c), for the
 * ledger's own callers: submit runs it over the ledger's store with the
 * batch items it keeps afterwards, the audit over its in-memory store, and
 * certificate verification reads the state of a public ot_replay handle.
 */
#ifndef OT_LEDGER_REPLAY_INT_H
#define OT_LEDGER_REPLAY_INT_H

#include "ledger/batch.h"
#include "ledger/rules.h"
#include "oretrail/replay.h"

enum {
	/* A rejected entry takes no log index: the next entry gets it (a
	 * submission, where only the accepted entries are appended). */
	OTX_REPLAY_PACKED = 1 << 8,
};

/* One run of the engine: the state, the rules' context, and where the
 * outcomes go. */
typedef struct otx_replay_run {
	ot_store *st;              /* the state the rules read and write */
	const otx_ledger_ctx *ctx; /* the authority, its key, the signer cache */
	uint64_t first;            /* the log index of items[0] */
	const uint64_t *indexes;   /* or each item's own index (NULL: consecutive) */
	int flags;                 /* OT_REPLAY_SERIAL, OTX_REPLAY_PACKED */
	ot_replay_fn fn;           /* may be NULL */
	void *fn_ctx;
} otx_replay_run;

/* Replays n items, set up by the caller with otx_batch_init (and cleared by
 * it afterwards, so the envelopes, outcome->canonical included, outlive the
 * run): parses and verifies them (otx_batch_run) and applies each through
 * the rules in a savepoint of run->st, released when accepted and rolled
 * back when rejected, then calls run->fn. Returns a store or memory failure
 * or fn's non-OK status; an entry's rejection is only its outcome. */
ot_status otx_replay_items(const otx_replay_run *run, otx_batch_item *items, size_t n,
                           ot_error *err);

/* Keeps what a replay's in-memory store (mem, in a transaction since it
 * was opened) holds so far and starts a new transaction: the memory store
 * logs every write for a rollback until its transaction ends, so a replay
 * that runs for long (an audit, a monitor following a log) settles after
 * each step, or its undo log would grow with every record written and be
 * undone, record by record, when it closes. */
ot_status otx_replay_settle(ot_store *mem, ot_error *err);

/* The in-memory state of a replay handle, borrowed (certificate.c reads
 * the trace of the replayed lot from it). */
ot_store *otx_replay_store(ot_replay *r);

#endif
