/*
 * batch.h: the parallel half of checking a batch of entries.
 *
 * Parsing an envelope and verifying its Ed25519 signature are pure work and
 * dominate the cost of an event, so they run on every core before the rules
 * check the events one by one. The signer's candidate keys are those of the
 * state when the batch (or its run, below) starts; the rules then only
 * confirm that the key that verified is still the actor's and valid at the
 * event's time, and verify inline what did not verify ahead.
 */
#ifndef OT_LEDGER_BATCH_H
#define OT_LEDGER_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/envelope.h"
#include "ledger/rules.h"

typedef struct otx_batch_item {
	const uint8_t *data; /* the entry as submitted (borrowed) */
	size_t len;
	otx_envelope env; /* parsed when parse_rc is OT_OK */
	ot_status parse_rc;
	ot_error parse_err;
	int verified; /* 1: the signature verifies with verified_pk */
	uint8_t verified_pk[32];
	size_t signer_slot; /* private */
} otx_batch_item;

/* Sets up n items over the given entries; otx_batch_clear frees them (on
 * every core, or on this thread only when serial). */
void otx_batch_init(otx_batch_item *items, size_t n, const uint8_t *const *data,
                    const size_t *lens);
void otx_batch_clear(otx_batch_item *items, size_t n, int serial);

/* Runs fn(ctx) on a thread of its own while the caller goes on, until
 * otx_task_wait(task) returns (a submission frees its batch while it
 * commits, an audit judges its findings while it compares its state).
 * When serial, on one core, or without a thread to be had, runs it on this
 * thread at once and returns NULL, which otx_task_wait accepts. */
typedef struct otx_task otx_task;
otx_task *otx_task_start(void (*fn)(void *ctx), void *ctx, int serial);
void otx_task_wait(otx_task *t);

/* The keys of the last few signers otx_batch_prepare looked up, each kept
 * for OTX_KEY_MEMO_MS: one ledger handle's (one thread at a time), so that
 * a stream of envelopes from one signer costs one read of its record, not
 * one each. Stale keys only cost speed: they are a hint (below). */
typedef struct otx_key_memo otx_key_memo;
#define OTX_KEY_MEMO_MS 1000
otx_key_memo *otx_key_memo_new(void);
/* NULL is a no-op. */
void otx_key_memo_free(otx_key_memo *m);

/* Parses the one item `it` (set up by otx_batch_init) and verifies its
 * signature against the keys its signer holds in st (or held at most
 * OTX_KEY_MEMO_MS ago, in memo; may be NULL; st NULL: only parses), ahead
 * of a batch:
 * a server does this on the thread that received the entry, so that the
 * writer's batch only parses and applies the rules: otx_batch_run does not
 * verify an item again that comes with `verified` set (a caller may carry
 * verified and verified_pk over to a new item of the same entry, whose
 * parse gives the same signed message). The keys are only a hint: the rules still confirm that
 * verified_pk is the signer's and valid at the event's time, and an item that did not verify
 * (unknown signer, a key registered later, keys the store could not read just now) is verified by
 * the batch as usual. Returns the parse failure (also in it->parse_err); OT_OK otherwise. */
ot_status otx_batch_prepare(ot_store *st, const otx_ledger_ctx *ctx, otx_key_memo *memo,
                            otx_batch_item *it, ot_error *err);

/* Runs fn(ctx, i) for i in [0, n) on up to one thread per core (the
 * caller's included; only the caller's when serial or n < min); returns
 * when all are done. fn must be thread-safe. */
void otx_parallel_for(size_t n, size_t min, int serial, void (*fn)(void *ctx, size_t i), void *ctx);
/* Runs fn(ctx, i) for i in [0, n) on every core as otx_parallel_for does,
 * and consume(cctx, i) on the calling thread in order, each as soon as
 * fn has run on item i (the calling thread runs fn too while the next
 * item is not ready): the serial consumer of a parallel step overlaps it
 * instead of waiting for all of it. A non-OK consume stops the consuming
 * and the claiming of further items, and is returned once the helpers
 * have finished the items they hold (so no fn runs after the return). */
ot_status otx_parallel_ordered(size_t n, size_t min, int serial, void (*fn)(void *ctx, size_t i),
                               void *ctx, ot_status (*consume)(void *cctx, size_t i), void *cctx);
/* min for steps of a few microseconds (freeing, serialising a record):
 * fewer are done sooner than a thread starts. */
#define OTX_PARALLEL_LIGHT 64

/* Called for each item in order by otx_batch_run; a non-OK return stops
 * the run and is returned. */
typedef ot_status (*otx_batch_apply_fn)(void *ctx, size_t i);

/* Parses every entry (in parallel), loads the signers' keys from st and
 * verifies the signatures against them, overlapped with the caller's own
 * work: calls
 * apply(actx, i) for i in [0, n) in order on the calling thread while the
 * other cores verify signatures ahead of it; item i is verified (or has
 * failed to) when apply sees it, and the calling thread verifies too when it
 * catches up. apply may use st: the helpers never touch the store.
 * Per-entry problems stay in the items (parse_rc, verified = 0); a store or
 * memory failure, or apply's non-OK status, is returned. serial: the
 * calling thread does all of it, no thread is started.
 *
 * The batch goes in runs, each with the keys of the state as it starts: a
 * run ends just after an `actor` event whose actor signs a later item of
 * the batch, so that an actor registered (or given a new key) inside the
 * batch has its items verified ahead on every core like the rest, not one
 * by one by the rules. */
ot_status otx_batch_run(ot_store *st, const otx_ledger_ctx *ctx, otx_batch_item *items, size_t n,
                        int serial, otx_batch_apply_fn apply, void *actx, ot_error *err);

#endif
