/*
 * tilefile.h: the flat tile file beside a SQLite store, `<db>-tiles`, from
 * which proofs read full tiles in place through a memory map, with no
 * SQLite lookup, lock or copy (bench/README.md, "Inclusion proofs").
 *
 * The file is a cache: the SQLite store stays the ledger. It holds only
 * full tile records, which never change, each at a fixed slot: the order in
 * which the log completes tiles (a level-0 tile, then the upper tiles that
 * complete with it). A header names the store (the store's `tiles_id`
 * metadata, so a file left beside another database is not believed) and
 * counts the slots that are written and synced: readers use no slot past
 * the count. A writer writes its transaction's full tiles into their slots,
 * and after the store's commit syncs the file, then raises the count; a
 * crash anywhere leaves a count that covers synced tiles only, and the next
 * commit fills any gap from the store.
 */
#ifndef OT_STORE_TILEFILE_H
#define OT_STORE_TILEFILE_H

#include <stddef.h>
#include <stdint.h>

#define OTX_TILEFILE_ID_LEN 32 /* hex characters of the store's tiles_id */

typedef struct otx_tilefile otx_tilefile;

/* The record size the file holds: a full tile record (log.c's layout). */
#define OTX_TILEFILE_RECORD (510 * 32)

/* Opens (writable: creates or, when it names another store, restarts) the
 * tile file at path for the store whose tiles_id is id. NULL when there is
 * none to use (read-only and absent or another store's, or an I/O error):
 * the store then reads from SQLite. */
otx_tilefile *otx_tilefile_open(const char *path, const char *id, int writable);
void otx_tilefile_close(otx_tilefile *tf);

/* The full tile (level, index), in place, or NULL when the file does not
 * hold it (yet). Valid until the next call on tf. */
const uint8_t *otx_tilefile_get(otx_tilefile *tf, int level, uint64_t index);

/* Writes a full tile's record into its slot, inside the store's write
 * transaction; it counts once otx_tilefile_commit has run. */
void otx_tilefile_put(otx_tilefile *tf, int level, uint64_t index, const uint8_t *rec);

/* After the store's commit: fills the slots before this transaction's from
 * the store (read(ctx, level, index, rec) copies a full tile record, 0 on
 * success), syncs, and raises the count. After a rollback: forgets. */
typedef int (*otx_tilefile_reader)(void *ctx, int level, uint64_t index,
                                   uint8_t rec[OTX_TILEFILE_RECORD]);
void otx_tilefile_commit(otx_tilefile *tf, otx_tilefile_reader read, void *ctx);
void otx_tilefile_rollback(otx_tilefile *tf);

/* Compares every counted record with the store's (read as for commit):
 * 0 when all agree, else -1 with the first that does not in *level and
 * *index. */
int otx_tilefile_check(otx_tilefile *tf, otx_tilefile_reader read, void *ctx, int *level,
                       uint64_t *index);

/* The slot of tile (level, index) in completion order; 0 with *ok = 0 when
 * out of range (exposed for tests). */
uint64_t otx_tilefile_slot(int level, uint64_t index, int *ok);

#endif
