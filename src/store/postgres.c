/*
 * postgres.c: the PostgreSQL storage backend, on libpq. The same tables as
 * the SQLite backend (meta, entries, tiles, checkpoints, kv) in the
 * connection's current schema, with the same semantics: writes inside a
 * transaction that one writer at a time holds, savepoints, read snapshots.
 *
 * Writers: ot_store_begin opens a READ COMMITTED transaction and takes a
 * transaction-scoped advisory lock, so that writers of one database queue
 * as SQLite's BEGIN IMMEDIATE makes them (lock_timeout 10 s, then
 * OT_ERR_BUSY). Readers: a read snapshot is a REPEATABLE READ READ ONLY
 * transaction, so every read until ot_store_read_end sees one state.
 * Durability: synchronous_commit is on, so COMMIT returns once the server
 * has flushed the write-ahead log. A lost connection aborts the server's
 * transaction: nothing is half-committed.
 *
 * Statements are prepared once per connection, with binary parameters and
 * results (no SQL is built from values). The schema carries its version in
 * two meta rows; MIGRATIONS below is where upgrades from older versions go.
 * Error messages name the server as host/database, never the password.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/status.h"
#include "store/libpq_load.h"
#include "store/store_int.h"
#include "store/write_buffer.h"

#define APPLICATION "oretrail"
#define META_APPLICATION "oretrail.application"
#define META_SCHEMA "oretrail.schema"
#define WRITER_LOCK "7310218547" /* advisory lock key of the single writer */
#define LEADER_LOCK "7310218548" /* session advisory lock key of the leader */
#define SCAN_CHUNK 512           /* rows fetched per round trip of a scan */
#define FLUSH_BYTES (16u << 20)  /* most array bytes in one multi-row statement */
#define BUFFER_MAX (64u << 20)   /* buffered bytes that make a flush before commit */
#define STR_(x) #x
#define STR(x) STR_(x)

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
	Q_KV_GET,
	Q_KV_SCAN,
	Q_CHECK,
	Q_KV_GET_MANY,
	Q_KV_PUT_MANY,
	Q_KV_DEL_MANY,
	Q_PUT_ENTRIES,
	Q_COUNT_ALL
};

static const char *const QUERIES[Q_COUNT_ALL] = {
	[Q_GET_META] = "SELECT value FROM meta WHERE name = $1::text",
	[Q_SET_META] = "INSERT INTO meta(name, value) VALUES ($1::text, $2::text) "
		       "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
	[Q_COUNT] = "SELECT coalesce(max(idx) + 1, 0)::bigint FROM entries",
	/* DO NOTHING: a duplicate is reported (OT_ERR_EXISTS) without aborting
         * the transaction, as SQLite leaves it usable after a constraint error. */
	[Q_PUT_ENTRY] = "INSERT INTO entries(idx, data) VALUES ($1::bigint, $2::bytea) "
			"ON CONFLICT(idx) DO NOTHING",
	[Q_GET_ENTRY] = "SELECT data FROM entries WHERE idx = $1::bigint",
	[Q_SCAN_ENTRIES] = "SELECT idx, data FROM entries WHERE idx >= $1::bigint AND "
			   "idx < $2::bigint ORDER BY idx LIMIT " STR(SCAN_CHUNK),
	[Q_PUT_TILE] = "INSERT INTO tiles(id, width, data) VALUES ($1::bigint, $2::integer, "
		       "$3::bytea) ON CONFLICT(id) DO UPDATE SET width = excluded.width, "
		       "data = excluded.data",
	[Q_GET_TILE] = "SELECT width, data FROM tiles WHERE id = $1::bigint",
	[Q_PUT_CHECKPOINT] = "INSERT INTO checkpoints(size, note) VALUES ($1::bigint, $2::bytea) "
			     "ON CONFLICT(size) DO UPDATE SET note = excluded.note",
	[Q_GET_CHECKPOINT] = "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1",
	[Q_KV_GET] = "SELECT value FROM kv WHERE ns = $1::text AND key = $2::bytea",
	/* Keys are bytea: ordered by their bytes, as SQLite's BINARY collation. */
	[Q_KV_SCAN] = "SELECT key, value FROM kv WHERE ns = $1::text AND key >= $2::bytea "
		      "ORDER BY key LIMIT " STR(SCAN_CHUNK),
	[Q_CHECK] = "SELECT count(*)::bigint, coalesce(max(idx) + 1, 0)::bigint FROM entries",
	[Q_KV_GET_MANY] =
		"SELECT key, value FROM kv WHERE ns = $1::text AND key = ANY($2::bytea[])",
	/* A write transaction's buffered rows (write_buffer.h), many per
         * statement, as arrays in binary form. A segment names each row once. */
	[Q_KV_PUT_MANY] = "INSERT INTO kv(ns, key, value) SELECT * FROM unnest($1::text[], "
			  "$2::bytea[], $3::bytea[]) ON CONFLICT(ns, key) DO UPDATE SET "
			  "value = excluded.value",
	[Q_KV_DEL_MANY] = "DELETE FROM kv USING unnest($1::text[], $2::bytea[]) AS d(ns, key) "
			  "WHERE kv.ns = d.ns AND kv.key = d.key",
	[Q_PUT_ENTRIES] = "INSERT INTO entries(idx, data) SELECT * FROM unnest($1::bigint[], "
			  "$2::bytea[]) ON CONFLICT(idx) DO NOTHING",
};

/* Statements planned at each run, not prepared once: a prepared
 * statement's generic plan is made for the table as it was (the first runs,
 * on a young ledger: a sequential scan) and kept while the table grows,
 * and a lookup of many keys by `= ANY` or a join on an array then scans the
 * whole table (38 ms a batch at 10^5 rows). Planned with the array and the
 * table's size at hand, it is a walk of the primary key. */
static const unsigned char PLAN_EACH_RUN[Q_COUNT_ALL] = {
	[Q_KV_GET_MANY] = 1,
	[Q_KV_DEL_MANY] = 1,
};

/* Schema version 1. Tile id = level << 56 | tile index, as in sqlite.c. */
static const char SCHEMA[] =
	"CREATE TABLE meta(name text PRIMARY KEY, value text NOT NULL);"
	"CREATE TABLE entries(idx bigint PRIMARY KEY, data bytea NOT NULL);"
	"CREATE TABLE tiles(id bigint PRIMARY KEY, width integer NOT NULL, data bytea NOT NULL);"
	"CREATE TABLE checkpoints(size bigint PRIMARY KEY, note bytea NOT NULL);"
	"CREATE TABLE kv(ns text NOT NULL, key bytea NOT NULL, value bytea NOT NULL,"
	" PRIMARY KEY(ns, key));";

/* Migrations: MIGRATIONS[v] upgrades a schema of version v to v + 1 (SQL run
 * in the upgrading transaction, which then sets META_SCHEMA to v + 1). Version
 * 1 is the first: nothing to migrate yet. When OT_STORE_SCHEMA_VERSION becomes
 * 2, add [1] = "ALTER TABLE ...". */
static const char *const MIGRATIONS[OT_STORE_SCHEMA_VERSION] = {
	[0] = NULL, /* version 0 does not exist: a store is created at version 1 */
};

typedef struct pg_store {
	ot_store base;
	PGconn *conn;
	char where[512];    /* "host:port/database", for messages */
	char password[256]; /* to scrub from libpq's messages; never printed */
	int prepared;       /* QUERIES are prepared (once the schema exists) */
	int creating;       /* the new schema's transaction is open, uncommitted */
	int leading;        /* this connection holds LEADER_LOCK */
	/* Inside a write transaction: the rows it read and wrote, its unsent
	 * writes and savepoints (write_buffer.h), and the next entry's index
	 * (entries + buffered ones; -1 until read). */
	otx_write_buffer wb;
	int64_t next_entry;
} pg_store;

static pg_store *P(ot_store *st)
{
	return (pg_store *)st;
}

/* --- messages --- */

/* Copies msg to out with its trailing newline cut and every occurrence of the
 * password replaced by "***". */
static void scrub(const pg_store *s, const char *msg, char *out, size_t size)
{
	size_t n = 0, plen = strlen(s->password);
	if (!msg)
		msg = "(no message)";
	while (*msg && n + 4 < size) {
		if (plen && strncmp(msg, s->password, plen) == 0) {
			memcpy(out + n, "***", 3);
			n += 3;
			msg += plen;
			continue;
		}
		out[n++] = *msg++;
	}
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		n--;
	out[n] = 0;
}

/* Maps a SQLSTATE to a status. */
static ot_status status_of(const char *state)
{
	if (!state || strlen(state) != 5)
		return OT_ERR_IO;
	if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03") ||
	    !strcmp(state, "57014") || !strcmp(state, "53300"))
		return OT_ERR_BUSY; /* serialization, deadlock, lock or statement timeout */
	if (!strncmp(state, "23", 2))
		return OT_ERR_EXISTS; /* integrity constraint (unique violation 23505) */
	if (!strcmp(state, "53100"))
		return OT_ERR_FULL;
	if (!strcmp(state, "53200"))
		return OT_ERR_NOMEM;
	if (!strcmp(state, "25006"))
		return OT_ERR_READONLY;
	if (!strcmp(state, "54000"))
		return OT_ERR_TOOBIG;
	if (!strcmp(state, "XX001") || !strcmp(state, "XX002"))
		return OT_ERR_CORRUPT;
	if (!strcmp(state, "42P01") || !strcmp(state, "42703"))
		return OT_ERR_SCHEMA; /* a table or column of ours is missing */
	return OT_ERR_IO;
}

/* Fills err from a failed result (res may be NULL) and returns the status. */
static ot_status fail(pg_store *s, const PGresult *res, ot_error *err, const char *what)
{
	char msg[400];
	if (PQstatus(s->conn) == CONNECTION_BAD) {
		scrub(s, PQerrorMessage(s->conn), msg, sizeof msg);
		return ot_error_set(err, OT_ERR_IO,
		                    "PostgreSQL at %s: %s: lost the connection (%s); the open "
		                    "transaction, if any, was not committed",
		                    s->where, what, msg);
	}
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *text = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	scrub(s, text ? text : PQerrorMessage(s->conn), msg, sizeof msg);
	ot_status st = status_of(state);
	if (st == OT_ERR_FULL)
		return ot_error_set(err, st, "PostgreSQL at %s: %s: the server's disk is full (%s)",
		                    s->where, what, msg);
	return ot_error_set(err, st, "PostgreSQL at %s: %s: %s", s->where, what, msg);
}

/* --- running statements --- */

/* Parameters of one statement: text (format 0) or binary (format 1). */
typedef struct params {
	const char *v[3];
	int len[3];
	int fmt[3];
	int n;
	char i8[3][8];
} params;

static void p_text(params *p, const char *s)
{
	p->v[p->n] = s;
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

static void p_blob(params *p, const void *data, size_t len)
{
	p->v[p->n] = data ? (const char *)data : "";
	p->len[p->n] = (int)len;
	p->fmt[p->n++] = 1;
}

/* A bigint (int8) or, with bytes = 4, an integer (int4), big-endian. */
static void p_int(params *p, int64_t v, int bytes)
{
	char *b = p->i8[p->n];
	for (int i = 0; i < bytes; i++)
		b[i] = (char)((uint64_t)v >> (8 * (bytes - 1 - i)));
	p_blob(p, b, (size_t)bytes);
}

static int64_t r_int(const PGresult *res, int row, int col)
{
	const unsigned char *b = (const unsigned char *)PQgetvalue(res, row, col);
	int n = PQgetlength(res, row, col);
	uint64_t v = (n > 0 && (b[0] & 0x80)) ? UINT64_MAX : 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | b[i];
	return (int64_t)v;
}

/* Runs a prepared statement (binary results). NULL on failure, err filled. */
static PGresult *run(pg_store *s, int which, const params *p, ot_status *rc, ot_error *err,
                     const char *what)
{
	char name[16];
	snprintf(name, sizeof name, "ot%d", which);
	int n = p ? p->n : 0;
	const char *const *v = p ? p->v : NULL;
	const int *len = p ? p->len : NULL, *fmt = p ? p->fmt : NULL;
	PGresult *res = s->prepared && !PLAN_EACH_RUN[which]
	                        ? PQexecPrepared(s->conn, name, n, v, len, fmt, 1)
	                        : PQexecParams(s->conn, QUERIES[which], n, NULL, v, len, fmt, 1);
	ExecStatusType t = PQresultStatus(res);
	if (t == PGRES_TUPLES_OK || t == PGRES_COMMAND_OK) {
		*rc = OT_OK;
		return res;
	}
	*rc = fail(s, res, err, what);
	PQclear(res);
	return NULL;
}

/* Runs a statement that returns no rows. */
static ot_status run_done(pg_store *s, int which, const params *p, ot_error *err, const char *what)
{
	ot_status rc;
	PQclear(run(s, which, p, &rc, err, what));
	return rc;
}

/* Runs a fixed command (transaction control). */
static ot_status exec(pg_store *s, const char *sql, ot_error *err)
{
	PGresult *res = PQexec(s->conn, sql);
	ot_status rc =
		PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK
			? OT_OK
			: fail(s, res, err, sql);
	PQclear(res);
	return rc;
}

/* Copies n bytes into a new buffer with a trailing NUL. */
static ot_status copy_bytes(const void *from, size_t n, uint8_t **data, size_t *len, ot_error *err)
{
	uint8_t *b = malloc(n + 1);
	if (!b)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory reading the store");
	if (n > 0)
		memcpy(b, from, n);
	b[n] = 0;
	*data = b;
	if (len)
		*len = n;
	return OT_OK;
}

/* Copies a result value into a new buffer with a trailing NUL. */
static ot_status copy_val(const PGresult *res, int row, int col, uint8_t **data, size_t *len,
                          ot_error *err)
{
	return copy_bytes(PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col), data, len,
	                  err);
}

/* Runs a query of at most one row; *res is NULL when there is none. */
static ot_status get_one(pg_store *s, int which, const params *p, PGresult **res, ot_error *err,
                         const char *what)
{
	ot_status rc;
	*res = run(s, which, p, &rc, err, what);
	if (*res && PQntuples(*res) == 0) {
		PQclear(*res);
		*res = NULL;
	}
	return rc;
}

/* --- the write buffer: multi-row statements ---
 *
 * Inside a write transaction kv rows and entries are written to s->wb, not
 * sent; a flush sends them, a few statements per savepoint segment, each
 * with its rows as binary arrays (PostgreSQL's array_recv format: ndim 1,
 * no nulls, element type, length, lower bound 1, then each element as a
 * 4-byte length and its bytes). Reads the buffer answers cost no round
 * trip. Everything stays inside the one server transaction, so a lost
 * connection leaves none of it, and commit still makes it durable at once. */

enum {
	OID_BYTEA = 17,
	OID_INT8 = 20,
	OID_TEXT = 25
};

typedef struct array {
	uint8_t *b;
	size_t len, cap;
	uint32_t n, oid;
} array;

static int put32(array *a, uint32_t v)
{
	if (a->len + 4 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 4096;
		uint8_t *b = realloc(a->b, cap);
		if (!b)
			return -1;
		a->b = b;
		a->cap = cap;
	}
	for (int i = 0; i < 4; i++)
		a->b[a->len++] = (uint8_t)(v >> (24 - 8 * i));
	return 0;
}

static void arr_begin(array *a)
{
	a->len = 0;
	a->n = 0;
}

static int arr_add(array *a, const void *data, size_t len)
{
	if (a->len == 0 &&
	    (put32(a, 1) || put32(a, 0) || put32(a, a->oid) || put32(a, 0) || put32(a, 1)))
		return -1;
	if (put32(a, (uint32_t)len))
		return -1;
	while (a->len + len > a->cap) {
		uint8_t *b = realloc(a->b, a->cap * 2);
		if (!b)
			return -1;
		a->b = b;
		a->cap *= 2;
	}
	if (len)
		memcpy(a->b + a->len, data, len);
	a->len += len;
	a->n++;
	return 0;
}

/* Writes the array's length into its header, once its elements are in. */
static void arr_dims(array *a)
{
	for (int i = 0; i < 4; i++)
		a->b[12 + i] = (uint8_t)(a->n >> (24 - 8 * i));
}

/* One multi-row statement being filled: which query and its columns. */
typedef struct batch {
	int which, cols;
	const char *what;
	array col[3];
} batch;

static ot_status batch_send(pg_store *s, batch *b, ot_error *err)
{
	if (!b->col[0].n)
		return OT_OK;
	params p = {0};
	for (int c = 0; c < b->cols; c++) {
		arr_dims(&b->col[c]);
		p_blob(&p, b->col[c].b, b->col[c].len);
	}
	ot_status rc;
	PGresult *res = run(s, b->which, &p, &rc, err, b->what);
	if (res && b->which == Q_PUT_ENTRIES &&
	    strtoul(PQcmdTuples(res), NULL, 10) != (unsigned long)b->col[0].n)
		rc = ot_error_set(err, OT_ERR_EXISTS,
		                  "PostgreSQL at %s: writing entries: an entry already exists",
		                  s->where);
	PQclear(res);
	for (int c = 0; c < b->cols; c++)
		arr_begin(&b->col[c]);
	return rc;
}

/* Adds op's row to its statement, sending the statement when full. */
static ot_status batch_add(pg_store *s, batch *b, const otx_wb_op *op, ot_error *err)
{
	int bad;
	if (op->kind == OTX_WB_ENTRY)
		bad = arr_add(&b->col[0], op->key, op->klen) ||
		      arr_add(&b->col[1], op->value, op->vlen);
	else
		bad = arr_add(&b->col[0], op->ns, strlen(op->ns)) ||
		      arr_add(&b->col[1], op->key, op->klen) ||
		      (b->cols == 3 && arr_add(&b->col[2], op->value, op->vlen));
	if (bad)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory writing to the store");
	size_t bytes = 0;
	for (int c = 0; c < b->cols; c++)
		bytes += b->col[c].len;
	return bytes >= FLUSH_BYTES ? batch_send(s, b, err) : OT_OK;
}

/* Sends every buffered write, and a server savepoint for each savepoint
 * taken since the last flush, in order. */
static ot_status flush(pg_store *s, ot_error *err)
{
	otx_write_buffer *wb = &s->wb;
	size_t segments = otx_wb_segments(wb);
	if (!wb->nops && segments == 1)
		return OT_OK;
	batch b[3] = {
		{Q_KV_PUT_MANY,
	         3,
	         "writing indexes",
	         {{.oid = OID_TEXT}, {.oid = OID_BYTEA}, {.oid = OID_BYTEA}}},
		{Q_KV_DEL_MANY, 2, "deleting indexes", {{.oid = OID_TEXT}, {.oid = OID_BYTEA}}},
		{Q_PUT_ENTRIES, 2, "writing entries", {{.oid = OID_INT8}, {.oid = OID_BYTEA}}},
	};
	ot_status rc = OT_OK;
	for (size_t seg = 0; seg < segments && !rc; seg++) {
		size_t start, end;
		otx_wb_segment(wb, seg, &start, &end);
		if (seg > 0)
			rc = exec(s, "SAVEPOINT ot", err);
		for (size_t i = start; i < end && !rc; i++) {
			const otx_wb_op *op = &wb->ops[i];
			if (!op->superseded)
				rc = batch_add(s,
				               &b[op->kind == OTX_WB_ENTRY ? 2
				                  : op->del                ? 1
				                                           : 0],
				               op, err);
		}
		for (int k = 0; k < 3 && !rc; k++)
			rc = batch_send(s, &b[k], err);
	}
	for (int k = 0; k < 3; k++)
		for (int c = 0; c < 3; c++)
			free(b[k].col[c].b);
	if (!rc)
		otx_wb_flushed(wb);
	return rc;
}

/* Before a read of many rows (a scan, a count): the server's rows are the
 * read's, so buffered writes go first. */
static ot_status flush_rows(pg_store *s, ot_error *err)
{
	return s->wb.nops ? flush(s, err) : OT_OK;
}

/* Before a write sent at once (a tile, a checkpoint, metadata): savepoints
 * not yet on the server are opened there, so that rolling back to one
 * undoes it. */
static ot_status flush_marks(pg_store *s, ot_error *err)
{
	return otx_wb_segments(&s->wb) > 1 ? flush(s, err) : OT_OK;
}

/* Keeps the buffer under BUFFER_MAX: sends the writes and forgets the
 * rows read. */
static ot_status buffer_cap(pg_store *s, ot_error *err)
{
	if (s->wb.bytes <= BUFFER_MAX)
		return OT_OK;
	ot_status rc = flush(s, err);
	if (!rc)
		otx_wb_forget_rows(&s->wb);
	return rc;
}

static void buffer_end(pg_store *s)
{
	otx_wb_reset(&s->wb);
	s->next_entry = -1;
}

/* --- transactions --- */

static void p_close(ot_store *st)
{
	pg_store *s = P(st);
	if (s->base.in_txn || s->base.reading || s->creating)
		PQclear(PQexec(s->conn, "ROLLBACK"));
	buffer_end(s);
	PQfinish(s->conn);
	free(s);
}

/* While the new schema's transaction is open (s->creating), reads and the
 * first write transaction run inside it: its commit makes the schema and
 * the first writes durable together, or neither. */
static ot_status p_read_begin(ot_store *st, ot_error *err)
{
	if (P(st)->creating)
		return OT_OK;
	return exec(P(st), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err);
}

static void p_read_end(ot_store *st)
{
	if (!P(st)->creating)
		PQclear(PQexec(P(st)->conn, "COMMIT"));
}

static ot_status p_begin(ot_store *st, ot_error *err)
{
	pg_store *s = P(st);
	if (s->creating)
		return OT_OK; /* the creating transaction holds the writer lock */
	ot_status rc = exec(s,
	                    "BEGIN ISOLATION LEVEL READ COMMITTED; "
	                    "SELECT pg_advisory_xact_lock(" WRITER_LOCK ")",
	                    err);
	if (rc)
		PQclear(PQexec(s->conn, "ROLLBACK"));
	return rc;
}

static void p_set_wait(ot_store *st, unsigned ms)
{
	pg_store *s = P(st);
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT set_config('lock_timeout', '%ums', false)", ms);
	/* A session setting (is_local false): it holds for later transactions.
	 * A failure leaves the previous wait, which is all it can do. */
	PQclear(PQexec(s->conn, sql));
}

static ot_status p_commit(ot_store *st, ot_error *err)
{
	pg_store *s = P(st);
	ot_status rc = flush(s, err);
	if (rc)
		return rc; /* ot_store_commit rolls back */
	buffer_end(s);
	s->creating = 0;
	PGresult *res = PQexec(s->conn, "COMMIT");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = fail(s, res, err, "committing");
	else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
		/* The server answers COMMIT of a failed transaction with ROLLBACK. */
		rc = ot_error_set(err, OT_ERR_IO,
		                  "PostgreSQL at %s: committing: the transaction was rolled back "
		                  "after an earlier error",
		                  s->where);
	PQclear(res);
	return rc;
}

static void p_rollback(ot_store *st)
{
	buffer_end(P(st));
	P(st)->creating = 0;
	PQclear(PQexec(P(st)->conn, "ROLLBACK"));
}

/* Savepoints live in the write buffer until a flush opens them on the
 * server (write_buffer.h); most are released or undone without a round
 * trip. */
static ot_status p_savepoint(ot_store *st, ot_error *err)
{
	return otx_wb_mark(&P(st)->wb, err);
}

static ot_status p_release(ot_store *st, ot_error *err)
{
	return otx_wb_release(&P(st)->wb) ? exec(P(st), "RELEASE SAVEPOINT ot", err) : OT_OK;
}

static ot_status p_rollback_to(ot_store *st, ot_error *err)
{
	pg_store *s = P(st);
	s->next_entry = -1;
	int undone = otx_wb_undo(&s->wb);
	if (undone < 0)
		return ot_error_set(err, OT_ERR_NOMEM,
		                    "out of memory rolling back to a savepoint: roll the "
		                    "transaction back");
	if (!undone)
		return OT_OK;
	/* ROLLBACK TO keeps the savepoint on the stack; release it too. */
	return exec(s, "ROLLBACK TO SAVEPOINT ot; RELEASE SAVEPOINT ot", err);
}

/* A scan takes several round trips: outside a transaction or a snapshot it
 * opens a snapshot of its own so that its chunks see one state. */
static ot_status scan_enter(pg_store *s, int *took, ot_error *err)
{
	*took = 0;
	if (s->base.in_txn)
		return flush_rows(s, err);
	if (s->base.reading || s->creating)
		return OT_OK;
	ot_status rc = p_read_begin(&s->base, err);
	if (!rc) {
		s->base.reading = 1;
		*took = 1;
	}
	return rc;
}

static void scan_leave(pg_store *s, int took)
{
	if (took) {
		s->base.reading = 0;
		p_read_end(&s->base);
	}
}

/* --- operations --- */

static ot_status p_check(ot_store *st, ot_error *err)
{
	pg_store *s = P(st);
	PGresult *res = NULL;
	ot_status rc = flush_rows(s, err);
	rc = rc ? rc : get_one(s, Q_CHECK, NULL, &res, err, "checking the entries");
	if (rc || !res)
		return rc;
	int64_t n = r_int(res, 0, 0), next = r_int(res, 0, 1);
	PQclear(res);
	if (n != next)
		return ot_error_set(err, OT_ERR_CORRUPT,
		                    "PostgreSQL at %s: the entries are not contiguous (%lld "
		                    "entries, highest index %lld)",
		                    s->where, (long long)n, (long long)next - 1);
	return OT_OK;
}

static ot_status p_get_meta(ot_store *st, const char *name, char **value, ot_error *err)
{
	pg_store *s = P(st);
	params p = {0};
	p_text(&p, name);
	PGresult *res;
	ot_status rc = get_one(s, Q_GET_META, &p, &res, err, "reading metadata");
	if (!rc && !res)
		rc = ot_error_set(err, OT_ERR_NOTFOUND, "no metadata \"%s\"", name);
	if (!rc)
		rc = copy_val(res, 0, 0, (uint8_t **)value, NULL, err);
	PQclear(res);
	return rc;
}

static ot_status p_set_meta(ot_store *st, const char *name, const char *value, ot_error *err)
{
	params p = {0};
	p_text(&p, name);
	p_text(&p, value);
	ot_status rc = flush_marks(P(st), err);
	return rc ? rc : run_done(P(st), Q_SET_META, &p, err, "writing metadata");
}

static ot_status p_entry_count(ot_store *st, uint64_t *count, ot_error *err)
{
	pg_store *s = P(st);
	if (s->base.in_txn && s->next_entry >= 0) {
		*count = (uint64_t)s->next_entry;
		return OT_OK;
	}
	PGresult *res = NULL;
	ot_status rc = s->base.in_txn ? flush_rows(s, err) : OT_OK;
	rc = rc ? rc : get_one(s, Q_COUNT, NULL, &res, err, "counting entries");
	if (!rc)
		*count = res ? (uint64_t)r_int(res, 0, 0) : 0;
	PQclear(res);
	/* No other writer appends until this transaction ends. */
	if (!rc && s->base.in_txn)
		s->next_entry = (int64_t)*count;
	return rc;
}

/* An entry's index as the write buffer's key: int8 in binary form. */
static void entry_key(uint64_t index, uint8_t key[8])
{
	for (int i = 0; i < 8; i++)
		key[i] = (uint8_t)(index >> (56 - 8 * i));
}

static ot_status p_put_entry(ot_store *st, uint64_t index, const uint8_t *data, size_t len,
                             ot_error *err)
{
	pg_store *s = P(st);
	if (index > INT64_MAX || len > INT32_MAX)
		return ot_error_set(err, OT_ERR_RANGE, "entry %llu out of range",
		                    (unsigned long long)index);
	/* The next entry (the log's appends) is buffered; any other goes to
	 * the server at once, after the buffered ones, so that a duplicate is
	 * found now. */
	uint64_t next;
	ot_status rc = p_entry_count(st, &next, err);
	if (rc)
		return rc;
	if (index == next) {
		uint8_t key[8];
		entry_key(index, key);
		rc = otx_wb_write(&s->wb, OTX_WB_ENTRY, "", key, 8, 0, data, len, err);
		if (!rc)
			s->next_entry++;
		return rc ? rc : buffer_cap(s, err);
	}
	s->next_entry = -1;
	rc = flush(s, err);
	if (rc)
		return rc;
	params p = {0};
	p_int(&p, (int64_t)index, 8);
	p_blob(&p, data, len);
	PGresult *res = run(s, Q_PUT_ENTRY, &p, &rc, err, "writing an entry");
	if (res && strcmp(PQcmdTuples(res), "1") != 0)
		rc = ot_error_set(err, OT_ERR_EXISTS,
		                  "PostgreSQL at %s: writing an entry: entry %llu already exists",
		                  s->where, (unsigned long long)index);
	PQclear(res);
	return rc;
}

static ot_status p_get_entry(ot_store *st, uint64_t index, uint8_t **data, size_t *len,
                             ot_error *err)
{
	if (index > INT64_MAX)
		return ot_error_set(err, OT_ERR_RANGE, "entry %llu out of range",
		                    (unsigned long long)index);
	pg_store *s = P(st);
	if (s->base.in_txn) {
		uint8_t key[8];
		const uint8_t *v = NULL;
		size_t vlen = 0;
		entry_key(index, key);
		if (otx_wb_get(&s->wb, OTX_WB_ENTRY, "", key, 8, &v, &vlen) == 1)
			return copy_bytes(v, vlen, data, len, err);
	}
	params p = {0};
	p_int(&p, (int64_t)index, 8);
	PGresult *res;
	ot_status rc = get_one(s, Q_GET_ENTRY, &p, &res, err, "reading an entry");
	if (!rc && !res)
		rc = ot_error_set(err, OT_ERR_NOTFOUND, "no entry %llu", (unsigned long long)index);
	if (!rc)
		rc = copy_val(res, 0, 0, data, len, err);
	PQclear(res);
	return rc;
}

static ot_status entry_missing(pg_store *s, uint64_t want, ot_error *err)
{
	return ot_error_at(err, OT_ERR_CORRUPT, "entry_missing", (int64_t)want,
	                   "PostgreSQL at %s: entry %llu is missing from the store", s->where,
	                   (unsigned long long)want);
}

static ot_status p_scan_entries(ot_store *st, uint64_t start, uint64_t count, ot_entry_cb cb,
                                void *ctx, ot_error *err)
{
	pg_store *s = P(st);
	if (start > INT64_MAX || count > (uint64_t)INT64_MAX - start)
		return ot_error_set(err, OT_ERR_RANGE, "entry range out of range");
	int took;
	ot_status rc = scan_enter(s, &took, err);
	uint64_t want = start, end = start + count;
	while (!rc && want < end) {
		params p = {0};
		p_int(&p, (int64_t)want, 8);
		p_int(&p, (int64_t)end, 8);
		PGresult *res = run(s, Q_SCAN_ENTRIES, &p, &rc, err, "scanning entries");
		if (!res)
			break;
		int rows = PQntuples(res);
		for (int i = 0; i < rows && !rc; i++) {
			if ((uint64_t)r_int(res, i, 0) != want) {
				rc = entry_missing(s, want, err);
				break;
			}
			rc = cb(ctx, want, (const uint8_t *)PQgetvalue(res, i, 1),
			        (size_t)PQgetlength(res, i, 1));
			if (!rc)
				want++;
		}
		PQclear(res);
		if (!rc && rows < SCAN_CHUNK && want != end)
			rc = entry_missing(s, want, err);
	}
	scan_leave(s, took);
	return rc;
}

static int64_t tile_id(int level, uint64_t index)
{
	return (int64_t)((uint64_t)level << 56 | index);
}

static ot_status p_put_tile(ot_store *st, int level, uint64_t index, unsigned width,
                            const uint8_t *data, size_t len, ot_error *err)
{
	if (level < 0 || level > 7 || index >> 56 || len > INT32_MAX || width > INT32_MAX)
		return ot_error_set(err, OT_ERR_RANGE, "tile %d/%llu out of range", level,
		                    (unsigned long long)index);
	params p = {0};
	p_int(&p, tile_id(level, index), 8);
	p_int(&p, (int64_t)width, 4);
	p_blob(&p, data, len);
	ot_status rc = flush_marks(P(st), err);
	return rc ? rc : run_done(P(st), Q_PUT_TILE, &p, err, "writing a tile");
}

static ot_status p_get_tile(ot_store *st, int level, uint64_t index, unsigned *width,
                            uint8_t **data, size_t *len, ot_error *err)
{
	if (level < 0 || level > 7 || index >> 56)
		return ot_error_set(err, OT_ERR_NOTFOUND, "no tile %d/%llu", level,
		                    (unsigned long long)index);
	params p = {0};
	p_int(&p, tile_id(level, index), 8);
	PGresult *res;
	ot_status rc = get_one(P(st), Q_GET_TILE, &p, &res, err, "reading a tile");
	if (!rc && !res)
		rc = ot_error_set(err, OT_ERR_NOTFOUND, "no tile %d/%llu", level,
		                  (unsigned long long)index);
	if (!rc) {
		int64_t w = r_int(res, 0, 0);
		*width = w > 0 ? (unsigned)w : 0;
		rc = copy_val(res, 0, 1, data, len, err);
	}
	PQclear(res);
	return rc;
}

static ot_status p_put_checkpoint(ot_store *st, uint64_t size, const char *note, size_t len,
                                  ot_error *err)
{
	if (size > INT64_MAX || len > INT32_MAX)
		return ot_error_set(err, OT_ERR_RANGE, "checkpoint out of range");
	params p = {0};
	p_int(&p, (int64_t)size, 8);
	p_blob(&p, note, len);
	ot_status rc = flush_marks(P(st), err);
	return rc ? rc : run_done(P(st), Q_PUT_CHECKPOINT, &p, err, "writing a checkpoint");
}

static ot_status p_get_checkpoint(ot_store *st, uint64_t *size, char **note, size_t *len,
                                  ot_error *err)
{
	pg_store *s = P(st);
	PGresult *res;
	ot_status rc = get_one(s, Q_GET_CHECKPOINT, NULL, &res, err, "reading the checkpoint");
	if (!rc && !res)
		rc = ot_error_set(err, OT_ERR_NOTFOUND,
		                  "PostgreSQL at %s: no checkpoint has been published", s->where);
	if (!rc) {
		*size = (uint64_t)r_int(res, 0, 0);
		rc = copy_val(res, 0, 1, (uint8_t **)note, len, err);
	}
	PQclear(res);
	return rc;
}

static ot_status p_kv_put(ot_store *st, const char *ns, const char *key, const uint8_t *value,
                          size_t len, ot_error *err)
{
	if (len > INT32_MAX)
		return ot_error_set(err, OT_ERR_TOOBIG, "value too large");
	pg_store *s = P(st);
	ot_status rc = otx_wb_write(&s->wb, OTX_WB_KV, ns, (const uint8_t *)key, strlen(key), 0,
	                            value, len, err);
	return rc ? rc : buffer_cap(s, err);
}

static ot_status p_kv_get(ot_store *st, const char *ns, const char *key, uint8_t **value,
                          size_t *len, ot_error *err)
{
	pg_store *s = P(st);
	const uint8_t *k = (const uint8_t *)key, *v = NULL;
	size_t klen = strlen(key), vlen = 0;
	int known = s->base.in_txn ? otx_wb_get(&s->wb, OTX_WB_KV, ns, k, klen, &v, &vlen) : -1;
	if (known == 1)
		return copy_bytes(v, vlen, value, len, err);
	if (known == 0)
		return ot_error_set(err, OT_ERR_NOTFOUND, "no %s \"%s\"", ns, key);
	params p = {0};
	p_text(&p, ns);
	p_blob(&p, key, klen);
	PGresult *res;
	ot_status rc = get_one(s, Q_KV_GET, &p, &res, err, "reading an index");
	/* The writer's lock keeps the row as it is until the transaction ends
	 * (or this one writes it), whether it was there or not. */
	if (!rc && s->base.in_txn)
		rc = otx_wb_remember(&s->wb, OTX_WB_KV, ns, k, klen, res != NULL,
		                     res ? (const uint8_t *)PQgetvalue(res, 0, 0) : NULL,
		                     res ? (size_t)PQgetlength(res, 0, 0) : 0, err);
	if (!rc && s->base.in_txn)
		rc = buffer_cap(s, err);
	if (!rc && !res)
		rc = ot_error_set(err, OT_ERR_NOTFOUND, "no %s \"%s\"", ns, key);
	if (!rc)
		rc = copy_val(res, 0, 0, value, len, err);
	PQclear(res);
	return rc;
}

static ot_status p_kv_del(ot_store *st, const char *ns, const char *key, ot_error *err)
{
	pg_store *s = P(st);
	ot_status rc = otx_wb_write(&s->wb, OTX_WB_KV, ns, (const uint8_t *)key, strlen(key), 1,
	                            NULL, 0, err);
	return rc ? rc : buffer_cap(s, err);
}

static ot_status p_kv_scan(ot_store *st, const char *ns, const char *prefix, ot_kv_cb cb, void *ctx,
                           ot_error *err)
{
	pg_store *s = P(st);
	size_t plen = strlen(prefix);
	/* The next chunk starts at the last key + "\0", its successor in byte
	 * order. Keys are C strings, so the callback's key gets a NUL too. */
	uint8_t *from = malloc(plen + 1);
	if (!from)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory scanning an index");
	memcpy(from, prefix, plen);
	size_t flen = plen;
	int took, more = 1;
	ot_status rc = scan_enter(s, &took, err);
	while (!rc && more) {
		/* The callback may write: its writes reach the next chunk. */
		if (s->base.in_txn && (rc = flush_rows(s, err)) != OT_OK)
			break;
		params p = {0};
		p_text(&p, ns);
		p_blob(&p, from, flen);
		PGresult *res = run(s, Q_KV_SCAN, &p, &rc, err, "scanning an index");
		if (!res)
			break;
		int rows = PQntuples(res);
		more = rows == SCAN_CHUNK;
		for (int i = 0; i < rows && !rc && more >= 0; i++) {
			size_t klen = (size_t)PQgetlength(res, i, 0);
			uint8_t *key = NULL;
			rc = copy_val(res, i, 0, &key, NULL, err);
			if (rc)
				break;
			if (klen < plen || memcmp(key, prefix, plen) != 0) {
				free(key);
				more = -1; /* past the prefix */
				break;
			}
			rc = cb(ctx, (const char *)key, (const uint8_t *)PQgetvalue(res, i, 1),
			        (size_t)PQgetlength(res, i, 1));
			free(from);
			from = key; /* its NUL is the successor's last byte */
			flen = klen + 1;
		}
		PQclear(res);
		if (more < 0)
			more = 0;
	}
	scan_leave(s, took);
	free(from);
	return rc;
}

/* Reads the keys the buffer does not know, FLUSH_BYTES of them at a time,
 * into the buffer: the rows found, and the others as absent. */
static ot_status p_kv_prefetch(ot_store *st, const char *ns, const char *const *keys, size_t n,
                               ot_error *err)
{
	pg_store *s = P(st);
	array a = {.oid = OID_BYTEA};
	const uint8_t *v;
	size_t vlen, from = 0;
	ot_status rc = OT_OK;
	for (size_t i = 0; i <= n && !rc; i++) {
		if (i < n && keys[i] &&
		    otx_wb_get(&s->wb, OTX_WB_KV, ns, (const uint8_t *)keys[i], strlen(keys[i]), &v,
		               &vlen) < 0 &&
		    arr_add(&a, keys[i], strlen(keys[i])))
			rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory reading the store");
		if (rc || (i < n && a.len < FLUSH_BYTES) || !a.n)
			continue;
		params p = {0};
		p_text(&p, ns);
		arr_dims(&a);
		p_blob(&p, a.b, a.len);
		PGresult *res = run(s, Q_KV_GET_MANY, &p, &rc, err, "reading indexes");
		for (int r = 0; res && !rc && r < PQntuples(res); r++)
			rc = otx_wb_remember(&s->wb, OTX_WB_KV, ns,
			                     (const uint8_t *)PQgetvalue(res, r, 0),
			                     (size_t)PQgetlength(res, r, 0), 1,
			                     (const uint8_t *)PQgetvalue(res, r, 1),
			                     (size_t)PQgetlength(res, r, 1), err);
		PQclear(res);
		/* The keys not found: absent (remember keeps the rows found). */
		for (size_t k = from; k < i + (i < n) && !rc; k++)
			if (keys[k])
				rc = otx_wb_remember(&s->wb, OTX_WB_KV, ns,
				                     (const uint8_t *)keys[k], strlen(keys[k]), 0,
				                     NULL, 0, err);
		from = i + 1;
		arr_begin(&a);
	}
	free(a.b);
	return rc ? rc : buffer_cap(s, err);
}

/* The leader lock is a session advisory lock: it lives as long as this
 * connection, so while the connection answers, the lock is still ours. */
static ot_status p_lead(ot_store *st, int *held, ot_error *err)
{
	pg_store *s = P(st);
	PGresult *res =
		PQexec(s->conn,
	               s->leading ? "SELECT true" : "SELECT pg_try_advisory_lock(" LEADER_LOCK ")");
	ot_status rc = OT_OK;
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		rc = fail(s, res, err, "taking the leader lock");
	s->leading = !rc && PQgetvalue(res, 0, 0)[0] == 't';
	*held = s->leading;
	PQclear(res);
	return rc;
}

static const otx_store_ops POSTGRES_OPS = {
	.name = "postgres",
	.close = p_close,
	.check = p_check,
	.read_begin = p_read_begin,
	.read_end = p_read_end,
	.begin = p_begin,
	.set_wait = p_set_wait,
	.commit = p_commit,
	.rollback = p_rollback,
	.savepoint = p_savepoint,
	.release = p_release,
	.rollback_to = p_rollback_to,
	.get_meta = p_get_meta,
	.set_meta = p_set_meta,
	.entry_count = p_entry_count,
	.put_entry = p_put_entry,
	.get_entry = p_get_entry,
	.scan_entries = p_scan_entries,
	.put_tile = p_put_tile,
	.get_tile = p_get_tile,
	.put_checkpoint = p_put_checkpoint,
	.get_checkpoint = p_get_checkpoint,
	.kv_put = p_kv_put,
	.kv_get = p_kv_get,
	.kv_del = p_kv_del,
	.kv_scan = p_kv_scan,
	.kv_prefetch = p_kv_prefetch,
	.lead = p_lead,
};

/* --- opening --- */

/* Reads "host:port/database" and the password from the URI, without
 * connecting. OT_ERR_IO (with the URI's problem) when libpq cannot parse it. */
static ot_status parse_uri(pg_store *s, const char *uri, ot_error *err)
{
	char *msg = NULL;
	PQconninfoOption *opts = PQconninfoParse(uri, &msg);
	const char *host = "", *port = "", *db = "", *user = "";
	if (!opts) {
		/* libpq may quote the URI: scrub the password we can see. */
		const char *a = strstr(uri, "://"), *at = a ? strchr(a + 3, '@') : NULL;
		const char *colon = a ? memchr(a + 3, ':', at ? (size_t)(at - a - 3) : 0) : NULL;
		if (colon && at && (size_t)(at - colon) < sizeof s->password)
			snprintf(s->password, sizeof s->password, "%.*s", (int)(at - colon - 1),
			         colon + 1);
		char clean[300];
		scrub(s, msg ? msg : "out of memory", clean, sizeof clean);
		PQfreemem(msg);
		return ot_error_set(err, OT_ERR_IO,
		                    "cannot connect to PostgreSQL: the URI is not valid: %s",
		                    clean);
	}
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		const char *v = o->val ? o->val : "";
		if (!strcmp(o->keyword, "host") || (!strcmp(o->keyword, "hostaddr") && !*host))
			host = v;
		else if (!strcmp(o->keyword, "port"))
			port = v;
		else if (!strcmp(o->keyword, "dbname"))
			db = v;
		else if (!strcmp(o->keyword, "user"))
			user = v;
		else if (!strcmp(o->keyword, "password"))
			snprintf(s->password, sizeof s->password, "%s", v);
	}
	snprintf(s->where, sizeof s->where, "%s%s%s/%s", *host ? host : "localhost",
	         *port ? ":" : "", port,
	         *db     ? db
	         : *user ? user
	                 : "(default database)");
	PQconninfoFree(opts);
	return OT_OK;
}

static ot_status connect_to(pg_store *s, const char *uri, ot_error *err)
{
	/* Later keywords override earlier ones: the URI's own settings win. */
	const char *keys[] = {"connect_timeout", "fallback_application_name", "dbname", NULL};
	const char *vals[] = {"10", APPLICATION, uri, NULL};
	s->conn = PQconnectdbParams(keys, vals, 1);
	if (!s->conn)
		return ot_error_set(err, OT_ERR_NOMEM, "cannot connect to PostgreSQL at %s: %s",
		                    s->where, "out of memory");
	if (PQstatus(s->conn) != CONNECTION_OK) {
		char msg[400];
		scrub(s, PQerrorMessage(s->conn), msg, sizeof msg);
		return ot_error_set(err, OT_ERR_IO, "cannot connect to PostgreSQL at %s: %s",
		                    s->where, msg);
	}
	/* Durable commits, no notices on stderr, and SQLite's busy timeout
	 * unless the URI sets one (options=-c%20lock_timeout%3D...). */
	ot_status rc = exec(s,
	                    "SET synchronous_commit = on; SET client_min_messages = warning;"
	                    "SELECT set_config('lock_timeout', '10s', false) "
	                    "WHERE current_setting('lock_timeout') = '0'",
	                    err);
	if (!rc && s->base.readonly)
		rc = exec(s, "SET default_transaction_read_only = on", err);
	return rc;
}

/* Runs the migrations from `version` to OT_STORE_SCHEMA_VERSION in one
 * transaction. */
static ot_status migrate(pg_store *s, int64_t version, ot_error *err)
{
	ot_status rc = exec(s, "BEGIN", err);
	for (int64_t v = version; !rc && v < OT_STORE_SCHEMA_VERSION; v++)
		if (MIGRATIONS[v])
			rc = exec(s, MIGRATIONS[v], err);
	if (!rc) {
		char num[24];
		snprintf(num, sizeof num, "%d", OT_STORE_SCHEMA_VERSION);
		params p = {0};
		p_text(&p, META_SCHEMA);
		p_text(&p, num);
		rc = run_done(s, Q_SET_META, &p, err, "upgrading the schema");
	}
	rc = rc ? rc : exec(s, "COMMIT", err);
	if (rc)
		PQclear(PQexec(s->conn, "ROLLBACK"));
	return rc;
}

/* Is the database ours, of a schema we read? *version is its schema version,
 * 0 when the database is empty (and we create). */
static ot_status check_schema(pg_store *s, int creating, int64_t *version, ot_error *err)
{
	*version = 0;
	PGresult *res = PQexecParams(
		s->conn,
		"SELECT to_regclass('meta') IS NOT NULL, (SELECT count(*) "
		"FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
		"c.relnamespace "
		"WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm', 'p'))",
		0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		ot_status rc = fail(s, res, err, "reading the schema");
		PQclear(res);
		return rc;
	}
	int has_meta = PQgetvalue(res, 0, 0)[0] == 't';
	long tables = atol(PQgetvalue(res, 0, 1));
	PQclear(res);
	if (!has_meta && tables == 0)
		return creating ? OT_OK
		                : ot_error_set(err, OT_ERR_SCHEMA,
		                               "PostgreSQL at %s: the database is empty, not an "
		                               "oretrail ledger (create one with `oretrail init`)",
		                               s->where);
	char app[64] = "", ver[64] = "";
	if (has_meta) {
		res = PQexecParams(
			s->conn, "SELECT name, value FROM meta WHERE name IN ($1::text, $2::text)",
			2, NULL, (const char *const[]){META_APPLICATION, META_SCHEMA}, NULL, NULL,
			0);
		if (PQresultStatus(res) == PGRES_TUPLES_OK)
			for (int i = 0; i < PQntuples(res); i++)
				snprintf(strcmp(PQgetvalue(res, i, 0), META_SCHEMA) ? app : ver,
				         sizeof ver, "%s", PQgetvalue(res, i, 1));
		PQclear(res);
	}
	if (strcmp(app, APPLICATION) != 0)
		return ot_error_set(err, OT_ERR_SCHEMA,
		                    "PostgreSQL at %s: not an oretrail ledger (the database holds "
		                    "%ld tables of another program)",
		                    s->where, tables);
	char *end = NULL;
	long long v = strtoll(ver, &end, 10);
	if (!*ver || *end || v < 1)
		return ot_error_set(err, OT_ERR_SCHEMA,
		                    "PostgreSQL at %s: unknown ledger schema version \"%s\"",
		                    s->where, ver);
	if (v > OT_STORE_SCHEMA_VERSION)
		return ot_error_set(err, OT_ERR_SCHEMA,
		                    "PostgreSQL at %s: the ledger was written by a newer oretrail "
		                    "(schema %lld; "
		                    "this build reads schema %d): upgrade oretrail",
		                    s->where, v, OT_STORE_SCHEMA_VERSION);
	if (creating)
		return ot_error_set(err, OT_ERR_EXISTS,
		                    "PostgreSQL at %s: a ledger already exists there", s->where);
	*version = v;
	return OT_OK;
}

/* Creates the tables. With `atomic` (OT_STORE_CREATE_ATOMIC) it leaves their
 * transaction open (s->creating): the first ot_store_commit commits them with
 * the first writes (the log's origin and first checkpoint), and a store
 * closed before that leaves nothing behind. */
static ot_status create_schema(pg_store *s, int atomic, ot_error *err)
{
	char num[24];
	snprintf(num, sizeof num, "%d", OT_STORE_SCHEMA_VERSION);
	ot_status rc = exec(s,
	                    "BEGIN ISOLATION LEVEL READ COMMITTED; "
	                    "SELECT pg_advisory_xact_lock(" WRITER_LOCK ")",
	                    err);
	rc = rc ? rc : exec(s, SCHEMA, err);
	for (int i = 0; i < 2 && !rc; i++) {
		params p = {0};
		p_text(&p, i ? META_SCHEMA : META_APPLICATION);
		p_text(&p, i ? num : APPLICATION);
		rc = run_done(s, Q_SET_META, &p, err, "creating the schema");
	}
	if (!rc && !atomic)
		rc = exec(s, "COMMIT", err);
	if (rc)
		PQclear(PQexec(s->conn, "ROLLBACK"));
	else
		s->creating = atomic;
	return rc;
}

static ot_status prepare_all(pg_store *s, ot_error *err)
{
	for (int i = 0; i < Q_COUNT_ALL; i++) {
		if (PLAN_EACH_RUN[i])
			continue;
		char name[16];
		snprintf(name, sizeof name, "ot%d", i);
		PGresult *res = PQprepare(s->conn, name, QUERIES[i], 0, NULL);
		ot_status rc =
			PQresultStatus(res) == PGRES_COMMAND_OK
				? OT_OK
				: fail(s, res, err, "preparing queries (is the schema damaged?)");
		PQclear(res);
		if (rc)
			return rc;
	}
	s->prepared = 1;
	return OT_OK;
}

int otx_postgres_location(const char *location)
{
	return strncmp(location, "postgresql://", 13) == 0 ||
	       strncmp(location, "postgres://", 11) == 0;
}

void otx_postgres_name(const char *uri, char *out, size_t size)
{
	out[0] = 0;
	if (otx_libpq_load(NULL))
		return;
	PQconninfoOption *opts = PQconninfoParse(uri, NULL);
	const char *db = "", *user = "";
	for (PQconninfoOption *o = opts; o && o->keyword; o++) {
		if (!strcmp(o->keyword, "dbname") && o->val)
			db = o->val;
		else if (!strcmp(o->keyword, "user") && o->val)
			user = o->val;
	}
	snprintf(out, size, "%s", *db ? db : user);
	PQconninfoFree(opts);
}

ot_status otx_postgres_open(const char *uri, int flags, ot_store **out, ot_error *err)
{
	int creating = (flags & OT_STORE_CREATE) != 0;
	if (otx_libpq_load(err))
		return OT_ERR_IO;
	pg_store *s = calloc(1, sizeof *s);
	if (!s)
		return ot_error_set(err, OT_ERR_NOMEM, "cannot allocate the store");
	s->base.ops = &POSTGRES_OPS;
	s->next_entry = -1;
	s->base.readonly = (flags & OT_STORE_READONLY) != 0;
	int64_t version = 0;
	ot_status rc = parse_uri(s, uri, err);
	rc = rc ? rc : connect_to(s, uri, err);
	rc = rc ? rc : check_schema(s, creating, &version, err);
	if (!rc && creating)
		rc = create_schema(s, (flags & OT_STORE_CREATE_ATOMIC) != 0, err);
	else if (!rc && version < OT_STORE_SCHEMA_VERSION && !s->base.readonly)
		rc = migrate(s, version, err);
	else if (!rc && version < OT_STORE_SCHEMA_VERSION)
		rc = ot_error_set(err, OT_ERR_SCHEMA,
		                  "PostgreSQL at %s: the ledger has schema %lld and needs an "
		                  "upgrade: open it once for writing",
		                  s->where, (long long)version);
	rc = rc ? rc : prepare_all(s, err);
	if (rc) {
		PQfinish(s->conn);
		free(s);
		return rc;
	}
	*out = &s->base;
	return OT_OK;
}
