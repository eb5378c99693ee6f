/*
 * sqlite.c: the embedded storage backend. One SQLite file in WAL mode holds
 * the entries, the tiles, every published checkpoint, the metadata and the
 * ledger's key-value indexes.
 *
 * Durability: synchronous=FULL makes every COMMIT fsync the write-ahead log,
 * so a transaction is on disk when ot_store_commit returns (SQLite's WAL
 * documentation, "Performance Considerations"). The file is marked with
 * application_id 'ortl' and user_version = schema version, so a stranger's
 * database or a newer schema is refused on open rather than misread.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oretrail/status.h"
#include "store/store_int.h"
#include "store/tilefile.h"

#define APPLICATION_ID 0x6f72746c /* "ortl" */

enum {
	Q_GET_META,
	Q_SET_META,
	Q_COUNT,
	Q_PUT_ENTRY,
	Q_GET_ENTRY,
	Q_SCAN_ENTRIES,
	Q_PUT_TILE,
	Q_GET_TILE,
	Q_PUT_CHECKPOINT,
	Q_GET_CHECKPOINT,
	Q_KV_PUT,
	Q_KV_GET,
	Q_KV_DEL,
	Q_KV_SCAN,
	Q_SAVEPOINT,
	Q_RELEASE,
	Q_ROLLBACK_TO,
	Q_PEEK_TILE,
	Q_READ_BEGIN,
	Q_READ_END,
	Q_COUNT_ALL
};

static const char *const QUERIES[Q_COUNT_ALL] = {
	[Q_GET_META] = "SELECT value FROM meta WHERE name = ?1",
	[Q_SET_META] = "INSERT INTO meta(name, value) VALUES (?1, ?2) "
		       "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
	[Q_COUNT] = "SELECT coalesce(max(idx) + 1, 0) FROM entries",
	[Q_PUT_ENTRY] = "INSERT INTO entries(idx, data) VALUES (?1, ?2)",
	[Q_GET_ENTRY] = "SELECT data FROM entries WHERE idx = ?1",
	[Q_SCAN_ENTRIES] =
		"SELECT idx, data FROM entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx",
	[Q_PUT_TILE] = "INSERT INTO tiles(id, width, data) VALUES (?1, ?2, ?3) "
		       "ON CONFLICT(id) DO UPDATE SET width = excluded.width, data = excluded.data",
	[Q_GET_TILE] = "SELECT width, data FROM tiles WHERE id = ?1",
	[Q_PUT_CHECKPOINT] = "INSERT INTO checkpoints(size, note) VALUES (?1, ?2) "
			     "ON CONFLICT(size) DO UPDATE SET note = excluded.note",
	[Q_GET_CHECKPOINT] = "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1",
	[Q_KV_PUT] = "INSERT INTO kv(ns, key, value) VALUES (?1, ?2, ?3) "
		     "ON CONFLICT(ns, key) DO UPDATE SET value = excluded.value",
	[Q_KV_GET] = "SELECT value FROM kv WHERE ns = ?1 AND key = ?2",
	[Q_KV_DEL] = "DELETE FROM kv WHERE ns = ?1 AND key = ?2",
	[Q_KV_SCAN] = "SELECT key, value FROM kv WHERE ns = ?1 AND key >= ?2 ORDER BY key",
	[Q_SAVEPOINT] = "SAVEPOINT ot",
	[Q_RELEASE] = "RELEASE ot",
	[Q_ROLLBACK_TO] = "ROLLBACK TO ot",
	/* Q_GET_TILE's query, its row held until released (s_peek_tile). */
	[Q_PEEK_TILE] = "SELECT width, data FROM tiles WHERE id = ?1",
	/* Read snapshots are taken once per proof: prepared, not exec. A
         * deferred transaction takes its snapshot at the first read. */
	[Q_READ_BEGIN] = "BEGIN DEFERRED",
	[Q_READ_END] = "COMMIT",
};

static const char SCHEMA[] =
	"CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE entries(idx INTEGER PRIMARY KEY, data BLOB NOT NULL);"
	/* id = level << 56 | tile index; level -1 is not stored (bundles are
         * assembled from entries). */
	"CREATE TABLE tiles(id INTEGER PRIMARY KEY, width INTEGER NOT NULL, data BLOB NOT NULL);"
	"CREATE TABLE checkpoints(size INTEGER PRIMARY KEY, note BLOB NOT NULL);"
	"CREATE TABLE kv(ns TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,"
	" PRIMARY KEY(ns, key)) WITHOUT ROWID;";

typedef struct sqlite_store {
	ot_store base;
	sqlite3 *db;
	sqlite3_stmt *q[Q_COUNT_ALL];
	int scanning;        /* the cached Q_KV_SCAN is in use (scans may nest) */
	otx_tilefile *tiles; /* the flat tile file, NULL when not used */
	char path[4096];
} sqlite_store;

static int read_full_tile(void *ctx, int level, uint64_t index, uint8_t rec[OTX_TILEFILE_RECORD]);

static sqlite_store *S(ot_store *st)
{
	return (sqlite_store *)st;
}

/* Maps an SQLite result to a status and fills err with context. */
static ot_status fail(sqlite_store *s, ot_error *err, int rc, const char *what)
{
	ot_status st;
	switch (rc & 0xff) {
	case SQLITE_NOMEM: st = OT_ERR_NOMEM; break;
	case SQLITE_FULL: st = OT_ERR_FULL; break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: st = OT_ERR_BUSY; break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB: st = OT_ERR_CORRUPT; break;
	case SQLITE_READONLY: st = OT_ERR_READONLY; break;
	case SQLITE_CONSTRAINT: st = OT_ERR_EXISTS; break;
	case SQLITE_TOOBIG: st = OT_ERR_TOOBIG; break;
	case SQLITE_CANTOPEN: st = OT_ERR_NOTFOUND; break;
	default: st = OT_ERR_IO; break;
	}
	const char *msg = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	if (st == OT_ERR_FULL)
		return ot_error_set(err, st, "%s: %s: the disk is full (%s)", s ? s->path : "",
		                    what, msg);
	if (st == OT_ERR_CORRUPT)
		return ot_error_set(err, st, "%s: %s: the database file is damaged (%s)",
		                    s ? s->path : "", what, msg);
	return ot_error_set(err, st, "%s: %s: %s", s ? s->path : "", what, msg);
}

static ot_status exec(sqlite_store *s, const char *sql, ot_error *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? OT_OK : fail(s, err, rc, sql);
}

static sqlite3_stmt *stmt(sqlite_store *s, int which)
{
	sqlite3_stmt *q = s->q[which];
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return q;
}

static ot_status pragma_int(sqlite_store *s, const char *sql, int64_t *out, ot_error *err)
{
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(q, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_OK ? OT_OK : fail(s, err, rc, "reading the database header");
}

static void s_close(ot_store *st)
{
	sqlite_store *s = S(st);
	if (s->base.in_txn || s->base.reading)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	for (int i = 0; i < Q_COUNT_ALL; i++)
		sqlite3_finalize(s->q[i]);
	sqlite3_close(s->db);
	otx_tilefile_close(s->tiles);
	free(s);
}

static ot_status s_check(ot_store *st, ot_error *err)
{
	sqlite_store *s = S(st);
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &q, NULL);
	if (rc != SQLITE_OK)
		return fail(s, err, rc, "checking the database");
	ot_status st_rc = OT_OK;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *res = (const char *)sqlite3_column_text(q, 0);
		if (!res || strcmp(res, "ok") != 0)
			st_rc = ot_error_set(err, OT_ERR_CORRUPT,
			                     "%s: the database file is damaged: %s", s->path,
			                     res ? res : "(no result)");
	} else {
		st_rc = fail(s, err, rc, "checking the database");
	}
	sqlite3_finalize(q);
	int level = 0;
	uint64_t index = 0;
	if (!st_rc && otx_tilefile_check(s->tiles, read_full_tile, s, &level, &index) != 0)
		st_rc = ot_error_set(err, OT_ERR_CORRUPT,
		                     "%s-tiles: tile %d/%llu differs from the database's: delete "
		                     "the file (the next append that completes a tile rebuilds it)",
		                     s->path, level, (unsigned long long)index);
	return st_rc;
}

static ot_status s_begin(ot_store *st, ot_error *err)
{
	return exec(S(st), "BEGIN IMMEDIATE", err);
}

static void s_set_wait(ot_store *st, unsigned ms)
{
	sqlite3_busy_timeout(S(st)->db, ms > INT32_MAX ? INT32_MAX : (int)ms);
}

static int read_full_tile(void *ctx, int level, uint64_t index, uint8_t rec[OTX_TILEFILE_RECORD]);

static ot_status s_commit(ot_store *st, ot_error *err)
{
	ot_status rc = exec(S(st), "COMMIT", err);
	if (rc)
		otx_tilefile_rollback(S(st)->tiles);
	else
		otx_tilefile_commit(S(st)->tiles, read_full_tile, S(st));
	return rc;
}

static void s_rollback(ot_store *st)
{
	sqlite3_exec(S(st)->db, "ROLLBACK", NULL, NULL, NULL);
	otx_tilefile_rollback(S(st)->tiles);
}

/* Savepoints are taken once per event: prepared statements, not exec. */
static ot_status run_cached(sqlite_store *s, int which, ot_error *err)
{
	sqlite3_stmt *q = s->q[which];
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? OT_OK : fail(s, err, rc, QUERIES[which]);
}

static ot_status s_read_begin(ot_store *st, ot_error *err)
{
	return run_cached(S(st), Q_READ_BEGIN, err);
}

static void s_read_end(ot_store *st)
{
	run_cached(S(st), Q_READ_END, NULL);
}

static ot_status s_savepoint(ot_store *st, ot_error *err)
{
	return run_cached(S(st), Q_SAVEPOINT, err);
}

static ot_status s_release(ot_store *st, ot_error *err)
{
	return run_cached(S(st), Q_RELEASE, err);
}

static ot_status s_rollback_to(ot_store *st, ot_error *err)
{
	/* ROLLBACK TO keeps the savepoint on the stack; release it too. The
	 * tile file forgets the whole transaction's tiles (the next commit
	 * that writes tiles refills their slots from the database). */
	otx_tilefile_rollback(S(st)->tiles);
	ot_status rc = run_cached(S(st), Q_ROLLBACK_TO, err);
	return rc ? rc : run_cached(S(st), Q_RELEASE, err);
}

/* Copies a blob/text column into a new buffer with a trailing NUL. */
static ot_status copy_col(sqlite3_stmt *q, int col, uint8_t **data, size_t *len)
{
	const void *p = sqlite3_column_blob(q, col);
	int n = sqlite3_column_bytes(q, col);
	uint8_t *b = malloc((size_t)n + 1);
	if (!b)
		return OT_ERR_NOMEM;
	if (n > 0)
		memcpy(b, p, (size_t)n);
	b[n] = 0;
	*data = b;
	if (len)
		*len = (size_t)n;
	return OT_OK;
}

/* Steps a query expected to return at most one row. */
static ot_status step_one(sqlite_store *s, sqlite3_stmt *q, int *found, ot_error *err,
                          const char *what)
{
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*found = 1;
		return OT_OK;
	}
	*found = 0;
	if (rc == SQLITE_DONE)
		return OT_OK;
	return fail(s, err, rc, what);
}

static ot_status step_done(sqlite_store *s, sqlite3_stmt *q, ot_error *err, const char *what)
{
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? OT_OK : fail(s, err, rc, what);
}

static ot_status s_get_meta(ot_store *st, const char *name, char **value, ot_error *err)
{
	sqlite_store *s = S(st);
	sqlite3_stmt *q = stmt(s, Q_GET_META);
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	int found;
	ot_status rc = step_one(s, q, &found, err, "reading metadata");
	if (!rc && !found)
		rc = ot_error_set(err, OT_ERR_NOTFOUND, "no metadata \"%s\"", name);
	if (!rc)
		rc = copy_col(q, 0, (uint8_t **)value, NULL);
	sqlite3_reset(q);
	return rc;
}

static ot_status s_set_meta(ot_store *st, const char *name, const char *value, ot_error *err)
{
	sqlite_store *s = S(st);
	sqlite3_stmt *q = stmt(s, Q_SET_META);
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
	return step_done(s, q, err, "writing metadata");
}

static ot_status s_entry_count(ot_store *st, uint64_t *count, ot_error *err)
{
	sqlite_store *s = S(st);
	sqlite3_stmt *q = stmt(s, Q_COUNT);
	int found;
	ot_status rc = step_one(s, q, &found, err, "counting entries");
	if (!rc)
		*count = found ? (uint64_t)sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	return rc;
}

static ot_status s_put_entry(ot_store *st, uint64_t index, const uint8_t *data, size_t len,
                             ot_error *err)
{
	sqlite_store *s = S(st);
	if (index > INT64_MAX || len > INT32_MAX)
		return ot_error_set(err, OT_ERR_RANGE, "entry %llu out of range",
		                    (unsigned long long)index);
	sqlite3_stmt *q = stmt(s, Q_PUT_ENTRY);
	sqlite3_bind_int64(q, 1, (sqlite3_int64)index);
	sqlite3_bind_blob(q, 2, data ? (const void *)data : "", (int)len, SQLITE_STATIC);
	return step_done(s, q, err, "writing an entry");
}

static ot_status s_get_entry(ot_store *st, uint64_t index, uint8_t **data, size_t *len,
                             ot_error *err)
{
	sqlite_store *s = S(st);
	if (index > INT64_MAX)
		return ot_error_set(err, OT_ERR_RANGE, "entry %llu out of range",
		                    (unsigned long long)index);
	sqlite3_stmt *q = stmt(s, Q_GET_ENTRY);
	sqlite3_bind_int64(q, 1, (sqlite3_int64)index);
	int found;
	ot_status rc = step_one(s, q, &found, err, "reading an entry");
	if (!rc && !found)
		rc = ot_error_set(err, OT_ERR_NOTFOUND, "no entry %llu", (unsigned long long)index);
	if (!rc)
		rc = copy_col(q, 0, data, len);
	sqlite3_reset(q);
	return rc;
}

static ot_status s_scan_entries(ot_store *st, uint64_t start, uint64_t count, ot_entry_cb cb,
                                void *ctx, ot_error *err)
{
	sqlite_store *s = S(st);
	if (start > INT64_MAX || count > (uint64_t)INT64_MAX - start)
		return ot_error_set(err, OT_ERR_RANGE, "entry range out of range");
	/* The statement may be re-entered by the callback (reading tiles, other
	 * entries), so use a private one rather than the cached statement. */
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(s->db, QUERIES[Q_SCAN_ENTRIES], -1, &q, NULL);
	if (rc != SQLITE_OK)
		return fail(s, err, rc, "scanning entries");
	sqlite3_bind_int64(q, 1, (sqlite3_int64)start);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)(start + count));
	uint64_t want = start;
	ot_status st_rc = OT_OK;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		uint64_t idx = (uint64_t)sqlite3_column_int64(q, 0);
		if (idx != want) {
			st_rc = ot_error_at(err, OT_ERR_CORRUPT, "entry_missing", (int64_t)want,
			                    "%s: entry %llu is missing from the store", s->path,
			                    (unsigned long long)want);
			break;
		}
		const uint8_t *data = sqlite3_column_blob(q, 1);
		size_t len = (size_t)sqlite3_column_bytes(q, 1);
		st_rc = cb(ctx, idx, data ? data : (const uint8_t *)"", len);
		if (st_rc)
			break;
		want++;
	}
	if (!st_rc && rc != SQLITE_DONE)
		st_rc = fail(s, err, rc, "scanning entries");
	if (!st_rc && want != start + count)
		st_rc = ot_error_at(err, OT_ERR_CORRUPT, "entry_missing", (int64_t)want,
		                    "%s: entry %llu is missing from the store", s->path,
		                    (unsigned long long)want);
	sqlite3_finalize(q);
	return st_rc;
}

static int64_t tile_id(int level, uint64_t index)
{
	return (int64_t)((uint64_t)level << 56 | index);
}

static ot_status s_put_tile(ot_store *st, int level, uint64_t index, unsigned width,
                            const uint8_t *data, size_t len, ot_error *err)
{
	sqlite_store *s = S(st);
	if (level < 0 || level > 7 || index >> 56 || len > INT32_MAX)
		return ot_error_set(err, OT_ERR_RANGE, "tile %d/%llu out of range", level,
		                    (unsigned long long)index);
	sqlite3_stmt *q = stmt(s, Q_PUT_TILE);
	sqlite3_bind_int64(q, 1, tile_id(level, index));
	sqlite3_bind_int(q, 2, (int)width);
	sqlite3_bind_blob(q, 3, data, (int)len, SQLITE_STATIC);
	ot_status rc = step_done(s, q, err, "writing a tile");
	if (!rc && width == 256 && len == OTX_TILEFILE_RECORD)
		otx_tilefile_put(s->tiles, level, index, data);
	return rc;
}

/* Steps `which` (Q_GET_TILE or Q_PEEK_TILE) to the tile's row; *data
 * points at the blob until the statement is reset (the caller's task, on
 * success; on failure it is reset here). */
static ot_status find_tile(sqlite_store *s, int which, int level, uint64_t index, unsigned *width,
                           const uint8_t **data, size_t *len, ot_error *err)
{
	if (level < 0 || level > 7 || index >> 56)
		return ot_error_set(err, OT_ERR_NOTFOUND, "no tile %d/%llu", level,
		                    (unsigned long long)index);
	sqlite3_stmt *q = stmt(s, which);
	sqlite3_bind_int64(q, 1, tile_id(level, index));
	int found;
	ot_status rc = step_one(s, q, &found, err, "reading a tile");
	if (!rc && !found)
		rc = ot_error_set(err, OT_ERR_NOTFOUND, "no tile %d/%llu", level,
		                  (unsigned long long)index);
	if (!rc) {
		int w = sqlite3_column_int(q, 0);
		*width = w > 0 ? (unsigned)w : 0;
		*data = sqlite3_column_blob(q, 1);
		int n = sqlite3_column_bytes(q, 1);
		*len = n > 0 ? (size_t)n : 0;
		if (!*data && n > 0)
			rc = fail(s, err, sqlite3_errcode(s->db), "reading a tile");
	}
	if (rc)
		sqlite3_reset(q);
	return rc;
}

static ot_status s_get_tile(ot_store *st, int level, uint64_t index, unsigned *width,
                            uint8_t **data, size_t *len, ot_error *err)
{
	sqlite_store *s = S(st);
	const uint8_t *p = NULL;
	ot_status rc = find_tile(s, Q_GET_TILE, level, index, width, &p, len, err);
	if (rc)
		return rc;
	*data = malloc(*len + 1);
	if (!*data)
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory reading a tile");
	else if (*len)
		memcpy(*data, p, *len);
	sqlite3_reset(s->q[Q_GET_TILE]);
	return rc;
}

static ot_status s_peek_full_tile(ot_store *st, int level, uint64_t index, const uint8_t **data,
                                  size_t *len)
{
	const uint8_t *rec = otx_tilefile_get(S(st)->tiles, level, index);
	if (!rec)
		return OT_ERR_NOTFOUND;
	*data = rec;
	*len = OTX_TILEFILE_RECORD;
	return OT_OK;
}

/* The row stays on Q_PEEK_TILE, not reset, so that the blob SQLite hands
 * out (in its page cache when the record fits a page, as a tile record
 * does: see the page size in otx_sqlite_open) stays valid until
 * s_release_peek. */
static ot_status s_peek_tile(ot_store *st, int level, uint64_t index, unsigned *width,
                             const uint8_t **data, size_t *len, ot_error *err)
{
	/* Full tiles from the flat file where it has them: no lookup, no lock. */
	if (s_peek_full_tile(st, level, index, data, len) == OT_OK) {
		*width = 256;
		return OT_OK;
	}
	return find_tile(S(st), Q_PEEK_TILE, level, index, width, data, len, err);
}

/* otx_tilefile_reader: a full tile record from the database. */
static int read_full_tile(void *ctx, int level, uint64_t index, uint8_t rec[OTX_TILEFILE_RECORD])
{
	sqlite_store *s = ctx;
	const uint8_t *p = NULL;
	unsigned width = 0;
	size_t len = 0;
	if (find_tile(s, Q_GET_TILE, level, index, &width, &p, &len, NULL) != OT_OK)
		return -1;
	int ok = width == 256 && len == OTX_TILEFILE_RECORD;
	if (ok)
		memcpy(rec, p, OTX_TILEFILE_RECORD);
	sqlite3_reset(s->q[Q_GET_TILE]);
	return ok ? 0 : -1;
}

static void s_release_peek(ot_store *st)
{
	sqlite3_reset(S(st)->q[Q_PEEK_TILE]);
}

static ot_status s_put_checkpoint(ot_store *st, uint64_t size, const char *note, size_t len,
                                  ot_error *err)
{
	sqlite_store *s = S(st);
	if (size > INT64_MAX || len > INT32_MAX)
		return ot_error_set(err, OT_ERR_RANGE, "checkpoint out of range");
	sqlite3_stmt *q = stmt(s, Q_PUT_CHECKPOINT);
	sqlite3_bind_int64(q, 1, (sqlite3_int64)size);
	sqlite3_bind_blob(q, 2, note, (int)len, SQLITE_STATIC);
	return step_done(s, q, err, "writing a checkpoint");
}

static ot_status s_get_checkpoint(ot_store *st, uint64_t *size, char **note, size_t *len,
                                  ot_error *err)
{
	sqlite_store *s = S(st);
	sqlite3_stmt *q = stmt(s, Q_GET_CHECKPOINT);
	int found;
	ot_status rc = step_one(s, q, &found, err, "reading the checkpoint");
	if (!rc && !found)
		rc = ot_error_set(err, OT_ERR_NOTFOUND, "%s: no checkpoint has been published",
		                  s->path);
	if (!rc) {
		*size = (uint64_t)sqlite3_column_int64(q, 0);
		rc = copy_col(q, 1, (uint8_t **)note, len);
	}
	sqlite3_reset(q);
	return rc;
}

static ot_status s_kv_put(ot_store *st, const char *ns, const char *key, const uint8_t *value,
                          size_t len, ot_error *err)
{
	sqlite_store *s = S(st);
	if (len > INT32_MAX)
		return ot_error_set(err, OT_ERR_TOOBIG, "value too large");
	sqlite3_stmt *q = stmt(s, Q_KV_PUT);
	sqlite3_bind_text(q, 1, ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 3, value ? (const void *)value : "", (int)len, SQLITE_STATIC);
	return step_done(s, q, err, "writing an index");
}

static ot_status s_kv_get(ot_store *st, const char *ns, const char *key, uint8_t **value,
                          size_t *len, ot_error *err)
{
	sqlite_store *s = S(st);
	sqlite3_stmt *q = stmt(s, Q_KV_GET);
	sqlite3_bind_text(q, 1, ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
	int found;
	ot_status rc = step_one(s, q, &found, err, "reading an index");
	if (!rc && !found)
		rc = ot_error_set(err, OT_ERR_NOTFOUND, "no %s \"%s\"", ns, key);
	if (!rc)
		rc = copy_col(q, 0, value, len);
	sqlite3_reset(q);
	return rc;
}

static ot_status s_kv_del(ot_store *st, const char *ns, const char *key, ot_error *err)
{
	sqlite_store *s = S(st);
	sqlite3_stmt *q = stmt(s, Q_KV_DEL);
	sqlite3_bind_text(q, 1, ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
	return step_done(s, q, err, "deleting an index");
}

static ot_status s_kv_scan(ot_store *st, const char *ns, const char *prefix, ot_kv_cb cb, void *ctx,
                           ot_error *err)
{
	sqlite_store *s = S(st);
	sqlite3_stmt *q = NULL;
	int cached = !s->scanning; /* a nested scan gets a statement of its own */
	int rc = SQLITE_OK;
	if (cached) {
		q = stmt(s, Q_KV_SCAN);
		s->scanning = 1;
	} else {
		rc = sqlite3_prepare_v2(s->db, QUERIES[Q_KV_SCAN], -1, &q, NULL);
		if (rc != SQLITE_OK)
			return fail(s, err, rc, "scanning an index");
	}
	sqlite3_bind_text(q, 1, ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, prefix, -1, SQLITE_STATIC);
	size_t plen = strlen(prefix);
	ot_status st_rc = OT_OK;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(q, 0);
		if (!key || strncmp(key, prefix, plen) != 0)
			break;
		const uint8_t *v = sqlite3_column_blob(q, 1);
		size_t len = (size_t)sqlite3_column_bytes(q, 1);
		st_rc = cb(ctx, key, v ? v : (const uint8_t *)"", len);
		if (st_rc)
			break;
	}
	if (!st_rc && rc != SQLITE_ROW && rc != SQLITE_DONE)
		st_rc = fail(s, err, rc, "scanning an index");
	if (cached) {
		sqlite3_reset(q);
		s->scanning = 0;
	} else {
		sqlite3_finalize(q);
	}
	return st_rc;
}

static const otx_store_ops SQLITE_OPS = {
	.name = "sqlite",
	.close = s_close,
	.check = s_check,
	.read_begin = s_read_begin,
	.read_end = s_read_end,
	.begin = s_begin,
	.set_wait = s_set_wait,
	.commit = s_commit,
	.rollback = s_rollback,
	.savepoint = s_savepoint,
	.release = s_release,
	.rollback_to = s_rollback_to,
	.get_meta = s_get_meta,
	.set_meta = s_set_meta,
	.entry_count = s_entry_count,
	.put_entry = s_put_entry,
	.get_entry = s_get_entry,
	.scan_entries = s_scan_entries,
	.put_tile = s_put_tile,
	.get_tile = s_get_tile,
	.peek_tile = s_peek_tile,
	.peek_full_tile = s_peek_full_tile,
	.release_peek = s_release_peek,
	.put_checkpoint = s_put_checkpoint,
	.get_checkpoint = s_get_checkpoint,
	.kv_put = s_kv_put,
	.kv_get = s_kv_get,
	.kv_del = s_kv_del,
	.kv_scan = s_kv_scan,
};

/* Whether a read-only open must write nothing: asked for, or the file or
 * its directory cannot be written (read-only media, a published archive),
 * where SQLite could not create the -wal and -shm of a WAL database. */
static int nowrite(const char *path, int flags)
{
	if (flags & OT_STORE_NOWRITE)
		return 1;
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == dir)
		dir[1] = 0;
	else
		*slash = 0;
	return access(path, W_OK) != 0 || access(dir, W_OK) != 0;
}

/* How to open without writing: immutable when no -wal file is there (so
 * nothing is left to read from one, and nothing is created), else
 * read-only through the WAL a writer keeps. */
static const char *nowrite_mode(const char *path)
{
	char wal[4200];
	struct stat sb;
	snprintf(wal, sizeof wal, "%s-wal", path);
	return stat(wal, &sb) == 0 && sb.st_size > 0 ? "mode=ro" : "immutable=1";
}

/* The path as an SQLite URI ("file:" with %, ? and # escaped), with the
 * query `query` when not NULL. */
static void file_uri(const char *path, const char *query, char *out, size_t size)
{
	size_t n = (size_t)snprintf(out, size, "file:");
	for (const char *p = path; *p && n + 4 < size; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			n += (size_t)snprintf(out + n, size - n, "%%%02X", (unsigned char)*p);
		else
			out[n++] = *p;
	}
	out[n] = 0;
	if (query)
		snprintf(out + n, size - n, "?%s", query);
}

/* Checks the header of an existing database: ours, and a schema we read. */
/* The random name that ties a flat tile file to this store (tilefile.h);
 * "" when no randomness is to be had (the store then has no tile file). */
static void new_tiles_id(char id[OTX_TILEFILE_ID_LEN + 1])
{
	uint8_t r[OTX_TILEFILE_ID_LEN / 2];
	id[0] = 0;
	FILE *f = fopen("/dev/urandom", "rb");
	if (!f)
		return;
	size_t got = fread(r, 1, sizeof r, f);
	fclose(f);
	if (got != sizeof r)
		return;
	for (size_t i = 0; i < sizeof r; i++)
		snprintf(id + 2 * i, 3, "%02x", r[i]);
}

/* Opens `<db>-tiles` for a store that has a tiles_id (stores created
 * before it have none, and read every tile from SQLite). */
static void open_tiles(sqlite_store *s, const char *created_id, int readonly)
{
	char *id = NULL;
	if (!created_id[0] && s_get_meta(&s->base, "tiles_id", &id, NULL) != OT_OK)
		return;
	char path[sizeof s->path + 8];
	snprintf(path, sizeof path, "%s-tiles", s->path);
	s->tiles = otx_tilefile_open(path, created_id[0] ? created_id : id, !readonly);
	free(id);
}

static ot_status check_schema(sqlite_store *s, int creating, ot_error *err)
{
	int64_t app = 0, version = 0, tables = 0;
	ot_status rc = pragma_int(s, "PRAGMA application_id", &app, err);
	if (!rc)
		rc = pragma_int(s, "PRAGMA user_version", &version, err);
	if (!rc)
		rc = pragma_int(s, "SELECT count(*) FROM sqlite_master", &tables, err);
	if (rc)
		return rc;
	if (app == 0 && version == 0 && tables == 0)
		return creating ? OT_OK
		                : ot_error_set(err, OT_ERR_SCHEMA,
		                               "%s: the database is empty, not an oretrail ledger "
		                               "(create one with `oretrail init`)",
		                               s->path);
	if (app != APPLICATION_ID)
		return ot_error_set(err, OT_ERR_SCHEMA,
		                    "%s: not an oretrail ledger (SQLite application id %08llx)",
		                    s->path, (unsigned long long)app);
	if (creating)
		return ot_error_set(err, OT_ERR_EXISTS, "%s: a ledger already exists there",
		                    s->path);
	if (version > OT_STORE_SCHEMA_VERSION)
		return ot_error_set(
			err, OT_ERR_SCHEMA,
			"%s: the ledger was written by a newer oretrail (schema %lld; this "
			"build reads schema %d): upgrade oretrail",
			s->path, (long long)version, OT_STORE_SCHEMA_VERSION);
	if (version < 1)
		return ot_error_set(err, OT_ERR_SCHEMA, "%s: unknown ledger schema version %lld",
		                    s->path, (long long)version);
	return OT_OK;
}

ot_status otx_sqlite_open(const char *path, int flags, ot_store **out, ot_error *err)
{
	int creating = (flags & OT_STORE_CREATE) != 0;
	int readonly = (flags & OT_STORE_READONLY) != 0;
	int memory = strcmp(path, ":memory:") == 0;
	struct stat sb;
	int exists = !memory && stat(path, &sb) == 0;
	if (!memory && !creating && !exists)
		return ot_error_set(err, OT_ERR_NOTFOUND, "%s: no such ledger", path);
	/* Before SQLite opens it: opening a FIFO would wait for a writer, and
	 * a directory would be "disk I/O error". */
	if (exists && !S_ISREG(sb.st_mode))
		return ot_error_set(err, OT_ERR_IO, "%s is %s, not a ledger file", path,
		                    S_ISDIR(sb.st_mode)    ? "a directory"
		                    : S_ISFIFO(sb.st_mode) ? "a FIFO"
		                    : S_ISSOCK(sb.st_mode) ? "a socket"
		                    : S_ISCHR(sb.st_mode)  ? "a character device"
		                    : S_ISBLK(sb.st_mode)  ? "a block device"
		                                           : "not a regular file");

	sqlite_store *s = calloc(1, sizeof *s);
	if (!s)
		return ot_error_set(err, OT_ERR_NOMEM, "cannot allocate the store");
	s->base.ops = &SQLITE_OPS;
	s->base.readonly = readonly;
	snprintf(s->path, sizeof s->path, "%s", path);

	int oflags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (creating)
		oflags |= SQLITE_OPEN_CREATE;
	oflags |= SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
	ot_status rc = OT_OK;
	char uri[3 * sizeof s->path + 64];
	if (memory)
		snprintf(uri, sizeof uri, ":memory:");
	else
		file_uri(path, readonly && nowrite(path, flags) ? nowrite_mode(path) : NULL, uri,
		         sizeof uri);
	int src = sqlite3_open_v2(uri, &s->db, oflags, NULL);
	if (src != SQLITE_OK) {
		rc = fail(s, err, src, "opening the database");
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 10000);

	rc = check_schema(s, creating, err);
	if (rc)
		goto out;
	/* A 16 KiB tile record spans one or two 16 KiB pages instead of five
	 * 4 KiB ones; set before WAL mode and the first table fix the size. */
	if (creating && !memory) {
		rc = exec(s, "PRAGMA page_size=16384", err);
		if (rc)
			goto out;
	}
	if (!readonly && !memory) {
		rc = exec(s, "PRAGMA journal_mode=WAL", err);
		if (rc)
			goto out;
	}
	rc = exec(s,
	          "PRAGMA synchronous=FULL; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-65536;"
	          "PRAGMA temp_store=MEMORY",
	          err);
	if (rc)
		goto out;
	char tiles_id[OTX_TILEFILE_ID_LEN + 1] = "";
	if (creating) {
		char sql[1024];
		if (!memory)
			new_tiles_id(tiles_id);
		snprintf(sql, sizeof sql,
		         "BEGIN; %s PRAGMA application_id=%d; PRAGMA user_version=%d; %s%s%s "
		         "COMMIT;",
		         SCHEMA, APPLICATION_ID, OT_STORE_SCHEMA_VERSION,
		         tiles_id[0] ? "INSERT INTO meta(name, value) VALUES ('tiles_id', '" : "",
		         tiles_id, tiles_id[0] ? "');" : "");
		rc = exec(s, sql, err);
		if (rc) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			goto out;
		}
	}
	for (int i = 0; i < Q_COUNT_ALL; i++) {
		src = sqlite3_prepare_v3(s->db, QUERIES[i], -1, SQLITE_PREPARE_PERSISTENT, &s->q[i],
		                         NULL);
		if (src != SQLITE_OK) {
			rc = fail(s, err, src, "preparing queries (is the schema damaged?)");
			goto out;
		}
	}
	if (!memory)
		open_tiles(s, tiles_id, readonly);
	*out = &s->base;
	return OT_OK;
out:
	for (int i = 0; i < Q_COUNT_ALL; i++)
		sqlite3_finalize(s->q[i]);
	sqlite3_close(s->db);
	free(s);
	return rc;
}
