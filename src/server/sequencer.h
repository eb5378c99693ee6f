/*
 * sequencer.h: the one writer. A thread that owns the writable ledger,
 * takes every submission waiting in its queue, checks and writes them in one
 * store transaction with one fsync (group commit), and only then answers
 * each submission through its callback.
 *
 * A submission holding several events is all or none: if any of its events
 * is rejected, none of them is appended, and the other submissions of the
 * batch are not affected (sequencer.c says how).
 */
#ifndef OT_SERVER_SEQUENCER_H
#define OT_SERVER_SEQUENCER_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/ledger.h"
#include "oretrail/note.h"
#include "oretrail/status.h"

typedef struct otx_sequencer otx_sequencer;
typedef struct otx_submission otx_submission;

/* Called on the sequencer thread once the submission is answered: durable
 * (status OT_OK) or rejected. The submission is the caller's again. */
typedef void (*otx_submission_done)(otx_submission *s);

struct otx_submission {
	/* Set by the caller; only read by the sequencer. */
	ot_prepared *const *prepared; /* n signed envelopes (ot_ledger_prepare) */
	size_t n;
	int64_t *indexes; /* n slots: each entry's log index, set on success */
	int *existing;    /* n slots or NULL: 1 where the entry was already in the
	                     ledger (a retry of the same envelope), set on success */
	otx_submission_done done;
	void *ctx;

	/* Set by the sequencer before done() is called. */
	ot_status status;   /* OT_OK when every entry is durable */
	ot_error err;       /* why not; err.index: the entry's position in this submission */
	uint64_t tree_size; /* the log's size after the commit */
	char *checkpoint;   /* a signed checkpoint including the entries (malloc'ed;
	                       the caller frees it), NULL on failure */
	size_t checkpoint_len;

	/* The sequencer's own. */
	otx_submission *next;
	size_t pos; /* first position in the batch */
	int settled;
};

typedef struct otx_sequencer_stats {
	uint64_t batches;   /* transactions committed */
	uint64_t events;    /* entries appended */
	uint64_t rejected;  /* submissions rejected */
	uint64_t failed;    /* submissions failed by the store */
	uint64_t queued;    /* events waiting now */
	uint64_t max_batch; /* most events in one transaction */
	uint64_t commit_ns; /* time spent in ot_ledger_submit */
} otx_sequencer_stats;

/* Opens the ledger at `db` for writing with the log key `signer` (borrowed)
 * and starts the thread. queue_events: most events waiting before
 * otx_sequencer_submit says busy; batch_events: most events per transaction
 * (a larger submission goes alone); wait_ms: how long a batch waits for
 * another writer of the ledger (another process) before its submissions
 * fail with OT_ERR_BUSY, "ledger busy: another writer holds it". */
/* Nonzero for a submission's own fault (malformed, unsigned, against the
 * rules), as ledger.c tells them from the store's. */
int otx_sequencer_is_rejection(ot_status s);

ot_status otx_sequencer_start(const char *db, const ot_signer *signer, size_t queue_events,
                              size_t batch_events, unsigned wait_ms, otx_sequencer **out,
                              ot_error *err);

/* Queuing takes two steps, so that the caller can get ready for the answer
 * (suspend its connection) between the one that can fail and the one that
 * cannot. otx_sequencer_reserve makes room for n events (thread-safe):
 * OT_ERR_BUSY (code "overloaded") when the queue is full, OT_ERR_READONLY
 * (code "shutting_down") when stopping. Each successful reservation must be
 * followed by exactly one otx_sequencer_push of a submission of n events;
 * done() is then called exactly once, even when the sequencer is stopping. */
ot_status otx_sequencer_reserve(otx_sequencer *q, size_t n, ot_error *err);
void otx_sequencer_push(otx_sequencer *q, otx_submission *s);

/* Tells the sequencer that a submission is on its way (+1: its body is in
 * and being parsed) or no longer (-1: pushed, or refused). While some are on
 * their way, the sequencer waits a moment (at most OTX_LINGER_US) before
 * taking a batch, so that they share its transaction. Thread-safe. */
#define OTX_LINGER_US 1000
void otx_sequencer_incoming(otx_sequencer *q, int delta);

/* Several servers on one database (leader.c): from the first call on, the
 * sequencer writes only as the leader of `epoch` (the epoch this server
 * took, ot_store_set_fence on its ledger's store, so that a batch cannot
 * commit once another leader took over). NULL or "": this server is not
 * the leader, and every batch fails with OT_ERR_READONLY, code
 * "not_leader". Thread-safe. */
void otx_sequencer_set_fence(otx_sequencer *q, const char *epoch);

/* Answers everything queued, stops the thread and closes the ledger; later
 * submissions get OT_ERR_READONLY. */
void otx_sequencer_stop(otx_sequencer *q);
/* Frees a stopped sequencer (stopping it first if need be). NULL: no-op. */
void otx_sequencer_free(otx_sequencer *q);

void otx_sequencer_get_stats(otx_sequencer *q, otx_sequencer_stats *out);

#endif
