/*
 * store.h: the storage interface under the log and the ledger.
 *
 * One interface, two backends (SQLite and PostgreSQL), and an in-memory
 * one for state that need not outlive the process (OT_STORE_MEMORY): entries,
 * tiles, checkpoints, a small metadata map and namespaced key-value indexes.
 * Writes happen inside a transaction: ot_store_begin, puts, ot_store_commit.
 * When ot_store_commit returns OT_OK the transaction is durable (fsynced).
 * A failed commit leaves the store as it was before ot_store_begin.
 *
 * A store handle is used by one thread at a time. Returned buffers are
 * malloc'ed and owned by the caller (free()).
 */
#ifndef ORETRAIL_STORE_H
#define ORETRAIL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ot_store ot_store;

enum {
	OT_STORE_CREATE = 1 << 0,   /* create a new, empty store; fail if it holds a ledger */
	OT_STORE_READONLY = 1 << 1, /* open for reading only */
	/* With READONLY: write nothing at all (read-only media, published
	 * archives, forensic copies). SQLite: when no -wal file is there the
	 * file is opened immutable (no locks, no -wal or -shm created; the file
	 * must not change while open); when one is (a writer may be at work),
	 * read-only through it, which writes neither the file nor the WAL.
	 * A READONLY open of a file that cannot be written (or in a directory
	 * that cannot) does this by itself. PostgreSQL: the same as READONLY. */
	OT_STORE_NOWRITE = 1 << 2,
	/* with CREATE, on PostgreSQL: the new schema commits only with the first
	 * ot_store_commit, so that a store closed before it (or a lost
	 * connection) leaves the database as it was (SQLite ignores it: the
	 * caller removes the file it made) */
	OT_STORE_CREATE_ATOMIC = 1 << 3,
};

/* The location of an in-memory store: empty when opened, gone when closed,
 * with the same transactions, savepoints and key order as the others (the
 * replay engine keeps its state in one; it needs no SQLite, so the
 * WebAssembly build of the rules has only this backend). */
#define OT_STORE_MEMORY "memory:"

/* The schema version this build writes and reads. */
#define OT_STORE_SCHEMA_VERSION 1

/* Opens a store. `location` is OT_STORE_MEMORY ("memory:", a new empty
 * in-memory store; CREATE makes no difference), a file path (SQLite) or a
 * libpq URI starting with postgresql:// or postgres:// (PostgreSQL), e.g.
 * "postgresql://user@host:5432/db" or, over a Unix socket,
 * "postgresql:///db?host=/run/postgresql&port=5432"; the tables live in the
 * connection's current schema. Opening a store written by an unknown or newer
 * schema fails with OT_ERR_SCHEMA; a file or database that is not an
 * oretrail store with OT_ERR_SCHEMA; a missing file (without CREATE) with
 * OT_ERR_NOTFOUND, an empty PostgreSQL database with OT_ERR_SCHEMA. An
 * unreachable server or refused credentials: OT_ERR_IO ("cannot connect to
 * PostgreSQL at host/db: ..."; messages never contain the password). On
 * PostgreSQL, writers of one database take turns (a second ot_store_begin
 * waits up to lock_timeout, 10 s by default, then OT_ERR_BUSY), and a lost
 * connection is OT_ERR_IO with the open transaction not committed.
 * Creating with OT_STORE_CREATE_ATOMIC on PostgreSQL: the new schema stays in
 * an open transaction (holding the writer lock) until the first
 * ot_store_commit, whose transaction it joins. */
OT_EXPORT ot_status ot_store_open(const char *location, int flags, ot_store **out, ot_error *err);

/* 1 when `location` names a PostgreSQL database (a postgresql:// or
 * postgres:// URI), 0 for a file path. Thread-safe. */
OT_EXPORT int ot_store_is_uri(const char *location);

/* Writes `location` into out (size bytes, always NUL-terminated) as it may
 * be shown to a person: a file path as it is; a URI with its password (the
 * userinfo's and any password= parameter's) replaced by "***". Returns out.
 * Thread-safe. */
OT_EXPORT const char *ot_store_redact(const char *location, char *out, size_t size);

/* The short name of the database a location names, for naming files after
 * it: a URI's database name (dbname, else its user), with every character
 * other than letters, digits, '.', '_' and '-' made '_'; "ledger" when the
 * URI names none; a file path's last component. Writes into out (always
 * NUL-terminated) and returns it. Thread-safe. */
OT_EXPORT const char *ot_store_name(const char *location, char *out, size_t size);

/* Closes the store, rolling back any open transaction. NULL is a no-op. */
OT_EXPORT void ot_store_close(ot_store *st);

/* A short name of the backend ("sqlite", "postgres" or "memory"). */
OT_EXPORT const char *ot_store_backend(const ot_store *st);

/* Checks the store's own structures (for SQLite: PRAGMA quick_check; for
 * PostgreSQL: that the entries are contiguous).
 * OT_OK, or OT_ERR_CORRUPT with the first problem in err. */
OT_EXPORT ot_status ot_store_check(ot_store *st, ot_error *err);

/* --- transactions --- */
/* A read snapshot: the reads until ot_store_read_end see one consistent
 * state, and cost one lock instead of one per read. Calls nest; inside a
 * write transaction they do nothing. A write transaction cannot begin while
 * a snapshot is open. */
OT_EXPORT ot_status ot_store_read_begin(ot_store *st, ot_error *err);
OT_EXPORT void ot_store_read_end(ot_store *st);

/* Begins the write transaction. Writers of one store take turns: while
 * another writer (thread or process) holds it, this waits up to the store's
 * wait (ot_store_set_wait), then fails with OT_ERR_BUSY, code "busy",
 * message "ledger busy: another writer holds it". */
OT_EXPORT ot_status ot_store_begin(ot_store *st, ot_error *err);
/* How long ot_store_begin (and a read that meets a lock) waits for another
 * writer, in milliseconds; 10000 after open. Applies to later calls. NULL
 * is a no-op. */
OT_EXPORT void ot_store_set_wait(ot_store *st, unsigned ms);
OT_EXPORT ot_status ot_store_commit(ot_store *st, ot_error *err);
OT_EXPORT void ot_store_rollback(ot_store *st);
/* Nested undo points inside a transaction (SQL SAVEPOINT): release keeps the
 * work since the matching savepoint, rollback_to undoes it. */
OT_EXPORT ot_status ot_store_savepoint(ot_store *st, ot_error *err);
OT_EXPORT ot_status ot_store_release(ot_store *st, ot_error *err);
OT_EXPORT ot_status ot_store_rollback_to(ot_store *st, ot_error *err);

/* --- one writer among the processes of one database (PostgreSQL) ---
 *
 * Several `oretrail serve` processes may share one PostgreSQL database; one
 * of them, the leader, sequences. A handle takes the leader lock with
 * ot_store_lead (a session advisory lock on the handle's own connection,
 * held until the handle is closed or its connection is lost: a killed
 * process loses it at once). A lock alone cannot stop a leader that lost
 * it without noticing (a paused process, a dropped connection) from
 * committing a write it had begun, so writes are also fenced: the new
 * leader bumps an epoch in the metadata (OT_STORE_LEADER_EPOCH) under the
 * writer's lock, and a handle given that epoch by ot_store_set_fence checks
 * it inside every write transaction, right after taking the writer's lock
 * (docs/internals/failover.md). */

/* Metadata names: the leader's epoch (a decimal count, bumped by each new
 * leader) and the URL it advertises to the others. */
#define OT_STORE_LEADER_EPOCH "leader.epoch"
#define OT_STORE_LEADER_URL "leader.url"

/* Tries, without waiting, to take the leader lock on this handle; when the
 * handle holds it already, checks that its connection (and so the lock) is
 * still there. *held is 1 while this handle holds it, 0 when another does.
 * A lost connection: OT_ERR_IO with *held 0 (the lock went with it: close
 * the handle and open another). Not inside a transaction or a snapshot.
 * SQLite and in-memory stores have no leader: OT_ERR_ARG. */
OT_EXPORT ot_status ot_store_lead(ot_store *st, int *held, ot_error *err);

/* Fences this handle's writes: every later ot_store_begin, once it holds
 * the writer's lock, checks that the metadata OT_STORE_LEADER_EPOCH still
 * holds `epoch`; when it does not (another leader took over since) the
 * transaction is rolled back and ot_store_begin fails with OT_ERR_READONLY,
 * code "not_leader". NULL or "": no check (the default). */
OT_EXPORT ot_status ot_store_set_fence(ot_store *st, const char *epoch, ot_error *err);

/* --- metadata: small text values by name --- */
/* *value is malloc'ed and NUL-terminated; OT_ERR_NOTFOUND when absent. */
OT_EXPORT ot_status ot_store_get_meta(ot_store *st, const char *name, char **value, ot_error *err);
OT_EXPORT ot_status ot_store_set_meta(ot_store *st, const char *name, const char *value,
                                      ot_error *err);

/* --- log entries, by index from 0 --- */
OT_EXPORT ot_status ot_store_entry_count(ot_store *st, uint64_t *count, ot_error *err);
OT_EXPORT ot_status ot_store_put_entry(ot_store *st, uint64_t index, const uint8_t *data,
                                       size_t len, ot_error *err);
OT_EXPORT ot_status ot_store_get_entry(ot_store *st, uint64_t index, uint8_t **data, size_t *len,
                                       ot_error *err);

/* Calls cb for entries [start, start+count) in order; stops early with cb's
 * non-OT_OK status, which it returns. OT_ERR_CORRUPT if one is missing. */
typedef ot_status (*ot_entry_cb)(void *ctx, uint64_t index, const uint8_t *data, size_t len);
OT_EXPORT ot_status ot_store_scan_entries(ot_store *st, uint64_t start, uint64_t count,
                                          ot_entry_cb cb, void *ctx, ot_error *err);

/* --- hash tiles: an opaque record per (level, index), written by the log --- */
OT_EXPORT ot_status ot_store_put_tile(ot_store *st, int level, uint64_t index, unsigned width,
                                      const uint8_t *data, size_t len, ot_error *err);
OT_EXPORT ot_status ot_store_get_tile(ot_store *st, int level, uint64_t index, unsigned *width,
                                      uint8_t **data, size_t *len, ot_error *err);
/* ot_store_get_tile without the copy: *data points at the record inside the
 * store (SQLite's page cache, for one) and stays valid until the next call
 * on st or the end of the snapshot, whichever comes first. Only inside a
 * read snapshot (ot_store_read_begin) or a transaction: else OT_ERR_ARG. */
OT_EXPORT ot_status ot_store_peek_tile(ot_store *st, int level, uint64_t index, unsigned *width,
                                       const uint8_t **data, size_t *len, ot_error *err);
/* A full tile's record (width 256) from where the store keeps full tiles
 * apart, immutable (SQLite's flat tile file, docs/internals/log.md): no
 * snapshot needed. *data is valid until the next call on st. OT_ERR_NOTFOUND
 * when the store has it nowhere such (then ot_store_peek_tile, in a
 * snapshot). */
OT_EXPORT ot_status ot_store_peek_full_tile(ot_store *st, int level, uint64_t index,
                                            const uint8_t **data, size_t *len);

/* --- checkpoints: every signed checkpoint the log ever published, by size --- */
OT_EXPORT ot_status ot_store_put_checkpoint(ot_store *st, uint64_t size, const char *note,
                                            size_t len, ot_error *err);
/* The latest (largest) checkpoint; OT_ERR_NOTFOUND when there is none. */
OT_EXPORT ot_status ot_store_get_checkpoint(ot_store *st, uint64_t *size, char **note, size_t *len,
                                            ot_error *err);

/* --- key-value indexes in namespaces, for the ledger's state --- */
OT_EXPORT ot_status ot_store_kv_put(ot_store *st, const char *ns, const char *key,
                                    const uint8_t *value, size_t len, ot_error *err);
OT_EXPORT ot_status ot_store_kv_get(ot_store *st, const char *ns, const char *key, uint8_t **value,
                                    size_t *len, ot_error *err);
OT_EXPORT ot_status ot_store_kv_del(ot_store *st, const char *ns, const char *key, ot_error *err);
/* Reads the rows of n keys of `ns` ahead, for a write transaction that
 * will read them: after it, the ot_store_kv_get of each of them in the
 * same transaction costs no round trip. A hint for backends whose every
 * read is one (PostgreSQL: one round trip for all the keys); SQLite and
 * in-memory stores, and any store outside a write transaction, do nothing.
 * NULL keys are skipped. Returns OT_OK or a failure of the store. */
OT_EXPORT ot_status ot_store_kv_prefetch(ot_store *st, const char *ns, const char *const *keys,
                                         size_t n, ot_error *err);
/* Calls cb for every key in `ns` that starts with `prefix`, in key order. */
typedef ot_status (*ot_kv_cb)(void *ctx, const char *key, const uint8_t *value, size_t len);
OT_EXPORT ot_status ot_store_kv_scan(ot_store *st, const char *ns, const char *prefix, ot_kv_cb cb,
                                     void *ctx, ot_error *err);

/* --- a front: a cache the layer above keeps over the key-value indexes ---
 *
 * The ledger keeps a batch's records parsed in memory and writes each one
 * once (ledger/state.h, the record overlay). So that every other reader and
 * writer of the store still sees one state, the store calls the front
 * before it:
 *   OT_FRONT_READ      reads (ns, key): the front writes that key's pending value
 *   OT_FRONT_SCAN      scans ns: the front writes the namespace's pending values
 *   OT_FRONT_WRITE     writes or deletes (ns, key): the front forgets its value
 *   OT_FRONT_COMMIT    commits (ns, key NULL): the front writes everything
 *   OT_FRONT_ROLLBACK  rolls the transaction back: the front forgets
 *                      everything (its status is ignored)
 * A non-OK status stops the call with it (a commit then rolls back). The
 * front's own calls to the store, made while it is being called, are not
 * reported to it. One front per store; NULL fn removes it. */
typedef enum ot_front_op {
	OT_FRONT_READ,
	OT_FRONT_SCAN,
	OT_FRONT_WRITE,
	OT_FRONT_COMMIT,
	OT_FRONT_ROLLBACK
} ot_front_op;
typedef ot_status (*ot_front_fn)(void *ctx, ot_front_op op, const char *ns, const char *key,
                                 ot_error *err);
OT_EXPORT void ot_store_set_front(ot_store *st, ot_front_fn fn, void *ctx);
/* The ctx of the store's front when its function is fn, else NULL. */
OT_EXPORT void *ot_store_front(const ot_store *st, ot_front_fn fn);

#ifdef __cplusplus
}
#endif
#endif
