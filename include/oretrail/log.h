/*
 * log.h: the verifiable log. An append-only RFC 6962 Merkle tree over a store,
 * laid out as C2SP tlog-tiles and published as signed C2SP checkpoints.
 *
 * The log keeps only its right edge in memory (the partial tile of each
 * level), so memory stays flat as the log grows; everything else is read from
 * the store. A log handle borrows its store and its signer (both must outlive
 * it) and is used by one thread at a time.
 */
#ifndef ORETRAIL_LOG_H
#define ORETRAIL_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/hash.h"
#include "oretrail/note.h"
#include "oretrail/proof.h"
#include "oretrail/status.h"
#include "oretrail/store.h"
#include "oretrail/tile.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OT_ENTRY_MAX 65535 /* an entry's length is a uint16 in entry bundles */

typedef struct ot_log ot_log;

/* Initialises an empty store as a log named `origin` and publishes the
 * checkpoint of the empty tree, signed by `signer`. */
OT_EXPORT ot_status ot_log_create(ot_store *st, const char *origin, const ot_signer *signer,
                                  ot_error *err);

/* Opens the log in `st`. `signer` may be NULL for a read-only log; appending
 * needs it, and its name must match the log's key. */
OT_EXPORT ot_status ot_log_open(ot_store *st, const ot_signer *signer, ot_log **out, ot_error *err);
OT_EXPORT void ot_log_close(ot_log *log);

OT_EXPORT const char *ot_log_origin(const ot_log *log);
OT_EXPORT uint64_t ot_log_size(const ot_log *log);

/* Catches up with entries appended through another handle on the same store
 * (another thread or process): reloads the right edge when the store holds
 * more entries than the log knows. Between reads, or right after
 * ot_store_begin (the writer then builds on the latest state; appends do it
 * themselves); not after an append of the open transaction. Cheap when
 * nothing changed (one count query). */
OT_EXPORT ot_status ot_log_refresh(ot_log *log, ot_error *err);

/* Appends n entries (each 1..OT_ENTRY_MAX bytes) in one durable transaction
 * with a new signed checkpoint. On success *first_index is the index of the
 * first one. On failure nothing is appended. */
OT_EXPORT ot_status ot_log_append(ot_log *log, const uint8_t *const *entries, const size_t *lens,
                                  size_t n, uint64_t *first_index, ot_error *err);

/* The same, inside a transaction the caller has begun on the store (so that
 * other writes, such as ledger indexes, commit with the entries). The caller
 * then commits and calls ot_log_txn_end with whether the commit succeeded. */
OT_EXPORT ot_status ot_log_append_in_txn(ot_log *log, const uint8_t *const *entries,
                                         const size_t *lens, size_t n, uint64_t *first_index,
                                         ot_error *err);
OT_EXPORT ot_status ot_log_publish_in_txn(ot_log *log, ot_error *err);
OT_EXPORT void ot_log_txn_end(ot_log *log, int committed);

/* The root hash of the tree of the first `size` entries (size <= log size). */
OT_EXPORT ot_status ot_log_tree_hash(ot_log *log, uint64_t size, uint8_t root[OT_HASH_SIZE],
                                     ot_error *err);
OT_EXPORT ot_status ot_log_leaf_hash(ot_log *log, uint64_t index, uint8_t out[OT_HASH_SIZE],
                                     ot_error *err);

/* The latest signed checkpoint, exactly as served at /checkpoint (malloc'ed). */
OT_EXPORT ot_status ot_log_checkpoint(ot_log *log, char **note, size_t *len, ot_error *err);

/* Proofs into caller buffers of OT_PROOF_MAX hashes; *n is set to the count. */
OT_EXPORT ot_status ot_log_inclusion_proof(ot_log *log, uint64_t index, uint64_t size,
                                           uint8_t (*proof)[OT_HASH_SIZE], size_t *n,
                                           ot_error *err);
/* The multi-proof (proof.h) of the entries at indexes[0..n), strictly
 * increasing, in the tree of `size` entries: *nodes (malloc'ed, free with
 * free(); NULL when there are none) holds *n_nodes hashes in proof order. */
OT_EXPORT ot_status ot_log_multiproof(ot_log *log, const uint64_t *indexes, size_t n, uint64_t size,
                                      uint8_t (**nodes)[OT_HASH_SIZE], size_t *n_nodes,
                                      ot_error *err);
OT_EXPORT ot_status ot_log_consistency_proof(ot_log *log, uint64_t size1, uint64_t size2,
                                             uint8_t (*proof)[OT_HASH_SIZE], size_t *n,
                                             ot_error *err);

/* The bytes of a C2SP tile or entry bundle as served (malloc'ed). A tile
 * that does not exist at that width in the current tree: OT_ERR_NOTFOUND. */
OT_EXPORT ot_status ot_log_read_tile(ot_log *log, const ot_tile *t, uint8_t **data, size_t *len,
                                     ot_error *err);

/* What ot_log_write_static did: the tree size of the checkpoint it wrote,
 * the tile and bundle files it wrote, and those already there. */
typedef struct ot_static_stats {
	uint64_t size;
	uint64_t written;
	uint64_t kept;
} ot_static_stats;

/* Writes the log as static files under `dir` (made when missing) in the C2SP
 * tlog-tiles layout: every entry bundle and hash tile of the latest
 * checkpoint's tree (tile/entries/..., tile/<L>/...), then `checkpoint`.
 * Only files that are not there yet are written, each atomically (temporary
 * name, fsync, rename); the checkpoint last, so the directory never names a
 * tree whose tiles it lacks. Safe while another process appends. The
 * caller's handle is refreshed (ot_log_refresh). OT_ERR_IO / OT_ERR_FULL
 * when a file cannot be written. Not thread-safe on one handle. */
OT_EXPORT ot_status ot_log_write_static(ot_log *log, const char *dir, ot_static_stats *stats,
                                        ot_error *err);

/* Reads entry `index` (malloc'ed). */
OT_EXPORT ot_status ot_log_entry(ot_log *log, uint64_t index, uint8_t **data, size_t *len,
                                 ot_error *err);

/* Whole-log check: recomputes every tile from the entries, compares them with
 * the stored tiles, and checks the latest checkpoint's signature (against
 * `verifier`), size and root. Each problem found is reported through `report`
 * (may be NULL); the first one's status is returned. `progress` (may be NULL)
 * is called now and then with entries checked so far. */
typedef void (*ot_report_cb)(void *ctx, const ot_error *problem);
typedef void (*ot_progress_cb)(void *ctx, uint64_t done, uint64_t total);
OT_EXPORT ot_status ot_log_verify(ot_log *log, const ot_verifier *verifier, ot_report_cb report,
                                  ot_progress_cb progress, void *ctx, ot_error *err);

#ifdef __cplusplus
}
#endif
#endif
