/*
 * test_store_conformance.c: the same checks of the store interface against
 * each backend: `test_store_conformance sqlite` (files in a temporary
 * directory) or `test_store_conformance postgres` (databases in the cluster
 * of the CTest fixture; skipped, 77, without one) or `test_store_conformance
 * memory` (OT_STORE_MEMORY: every check that needs no second handle and no
 * reopening). Every operation,
 * transactions, savepoints and rollbacks, read snapshots while another
 * connection commits, prefix scans in byte order, read-only opening, schema
 * refusal, and the errors of a wrong or unreachable PostgreSQL URI.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/store.h"
#include "pg/pg_test.h"
#include "test.h"

static int postgres;
static int memory;
static const char *tmp;

/* A new, empty location for a store: a file path or a new database. */
static const char *fresh(const char *tag)
{
	static char loc[4][1200];
	static int turn;
	char *out = loc[turn++ % 4];
	if (memory) {
		snprintf(out, sizeof loc[0], "%s", OT_STORE_MEMORY);
	} else if (postgres) {
		if (pg_new_db(tag, out, sizeof loc[0]))
			return NULL;
	} else {
		snprintf(out, sizeof loc[0], "%s/%s.db", tmp, tag);
	}
	return out;
}

static ot_store *create(const char *loc)
{
	ot_store *st = NULL;
	ot_error err;
	if (ot_store_open(loc, OT_STORE_CREATE, &st, &err)) {
		fprintf(stderr, "create %s: %s\n", loc, err.message);
		return NULL;
	}
	return st;
}

static ot_store *open_flags(const char *loc, int flags)
{
	ot_store *st = NULL;
	ot_error err;
	if (ot_store_open(loc, flags, &st, &err)) {
		fprintf(stderr, "open %s: %s\n", loc, err.message);
		return NULL;
	}
	return st;
}

static int has_entry(ot_store *st, uint64_t i)
{
	uint8_t *d = NULL;
	size_t n;
	ot_status rc = ot_store_get_entry(st, i, &d, &n, NULL);
	free(d);
	return rc == OT_OK;
}

static uint64_t count(ot_store *st)
{
	uint64_t n = UINT64_MAX;
	CHECK_OK(ot_store_entry_count(st, &n, NULL));
	return n;
}

/* --- every operation, in one store --- */

static ot_status collect_entry(void *ctx, uint64_t index, const uint8_t *data, size_t len)
{
	uint64_t *sum = ctx;
	char want[32];
	int n = snprintf(want, sizeof want, "entry-%llu", (unsigned long long)index);
	if ((size_t)n != len || memcmp(data, want, len) != 0)
		return OT_ERR_CORRUPT;
	*sum += index;
	return index == 999999 ? OT_ERR_RULE : OT_OK;
}

static ot_status stop_at_5(void *ctx, uint64_t index, const uint8_t *data, size_t len)
{
	(void)data;
	(void)len;
	*(uint64_t *)ctx = index;
	return index == 5 ? OT_ERR_RULE : OT_OK;
}

static void test_operations(void)
{
	const char *loc = fresh("ops");
	ot_store *st = loc ? create(loc) : NULL;
	CHECK(st != NULL);
	if (!st)
		return;
	CHECK_STR(ot_store_backend(st), memory ? "memory" : postgres ? "postgres" : "sqlite");
	ot_error err;
	CHECK(count(st) == 0);
	char *s = NULL;
	size_t n;
	uint64_t size;
	CHECK_RC(ot_store_get_checkpoint(st, &size, &s, &n, NULL), OT_ERR_NOTFOUND);
	CHECK_RC(ot_store_get_meta(st, "origin", &s, NULL), OT_ERR_NOTFOUND);
	/* Writes need a transaction. */
	CHECK_RC(ot_store_set_meta(st, "origin", "x", &err), OT_ERR_ARG);
	CHECK_RC(ot_store_commit(st, NULL), OT_ERR_ARG);

	enum {
		N = 1200
	}; /* more than one chunk of a PostgreSQL scan */
	CHECK_OK(ot_store_begin(st, &err));
	CHECK_RC(ot_store_begin(st, NULL), OT_ERR_ARG);
	CHECK_OK(ot_store_set_meta(st, "origin", "example.org/log", &err));
	CHECK_OK(ot_store_set_meta(st, "origin", "example.org/log2", &err));
	for (uint64_t i = 0; i < N; i++) {
		char e[32];
		int len = snprintf(e, sizeof e, "entry-%llu", (unsigned long long)i);
		CHECK_OK(ot_store_put_entry(st, i, (const uint8_t *)e, (size_t)len, &err));
	}
	/* A duplicate is refused and leaves the transaction usable. */
	CHECK_RC(ot_store_put_entry(st, 3, (const uint8_t *)"dup", 3, &err), OT_ERR_EXISTS);
	CHECK_OK(ot_store_put_entry(st, N, (const uint8_t *)"", 0, &err));
	uint8_t tile[96];
	for (size_t i = 0; i < sizeof tile; i++)
		tile[i] = (uint8_t)(i * 7);
	CHECK_OK(ot_store_put_tile(st, 0, 4, 3, tile, sizeof tile, &err));
	CHECK_OK(ot_store_put_tile(st, 0, 4, 256, tile, 64, &err)); /* replaces */
	CHECK_OK(ot_store_put_tile(st, 2, 1ull << 40, 1, tile, 32, &err));
	CHECK_RC(ot_store_put_tile(st, 8, 0, 1, tile, 32, NULL), OT_ERR_RANGE);
	CHECK_OK(ot_store_put_checkpoint(st, 10, "note 10\n", 8, &err));
	CHECK_OK(ot_store_put_checkpoint(st, 1000, "note 1000\n", 10, &err));
	CHECK_OK(ot_store_put_checkpoint(st, 20, "note 20\n", 8, &err));
	CHECK_OK(ot_store_kv_put(st, "lots", "a", (const uint8_t *)"1", 1, &err));
	CHECK_OK(ot_store_kv_put(st, "lots", "a", (const uint8_t *)"22", 2, &err));
	CHECK_OK(ot_store_kv_put(st, "other", "a", (const uint8_t *)"", 0, &err));
	CHECK_OK(ot_store_commit(st, &err));

	CHECK(count(st) == N + 1);
	CHECK_OK(ot_store_get_meta(st, "origin", &s, &err));
	CHECK_STR(s, "example.org/log2");
	free(s);
	uint8_t *d = NULL;
	CHECK_OK(ot_store_get_entry(st, 3, &d, &n, &err));
	CHECK(n == 7 && memcmp(d, "entry-3", 7) == 0 && d[n] == 0);
	free(d);
	CHECK_OK(ot_store_get_entry(st, N, &d, &n, &err));
	CHECK(n == 0);
	free(d);
	CHECK_RC(ot_store_get_entry(st, N + 1, &d, &n, NULL), OT_ERR_NOTFOUND);
	unsigned w = 0;
	CHECK_OK(ot_store_get_tile(st, 0, 4, &w, &d, &n, &err));
	CHECK(w == 256 && n == 64 && memcmp(d, tile, 64) == 0);
	free(d);
	CHECK_OK(ot_store_get_tile(st, 2, 1ull << 40, &w, &d, &n, &err));
	CHECK(w == 1 && n == 32);
	free(d);
	CHECK_RC(ot_store_get_tile(st, 1, 4, &w, &d, &n, NULL), OT_ERR_NOTFOUND);
	CHECK_OK(ot_store_get_checkpoint(st, &size, &s, &n, &err));
	CHECK(size == 1000 && n == 10);
	CHECK_STR(s, "note 1000\n");
	free(s);
	CHECK_OK(ot_store_kv_get(st, "lots", "a", &d, &n, &err));
	CHECK(n == 2 && memcmp(d, "22", 2) == 0);
	free(d);
	CHECK_OK(ot_store_kv_get(st, "other", "a", &d, &n, &err));
	CHECK(n == 0);
	free(d);
	CHECK_RC(ot_store_kv_get(st, "lots", "b", &d, &n, NULL), OT_ERR_NOTFOUND);

	/* Scans: all, a range, an early stop, a missing entry. */
	uint64_t sum = 0;
	CHECK_OK(ot_store_scan_entries(st, 0, N, collect_entry, &sum, &err));
	CHECK(sum == (uint64_t)N * (N - 1) / 2);
	sum = 0;
	CHECK_OK(ot_store_scan_entries(st, 600, 3, collect_entry, &sum, &err));
	CHECK(sum == 600 + 601 + 602);
	uint64_t last = 0;
	CHECK_RC(ot_store_scan_entries(st, 0, N, stop_at_5, &last, NULL), OT_ERR_RULE);
	CHECK(last == 5);
	CHECK_RC(ot_store_scan_entries(st, N - 2, 5, stop_at_5, &last, &err), OT_ERR_CORRUPT);
	CHECK(err.index == N + 1);
	CHECK_OK(ot_store_check(st, &err));

	/* kv_del. */
	CHECK_OK(ot_store_begin(st, &err));
	CHECK_OK(ot_store_kv_del(st, "lots", "a", &err));
	CHECK_OK(ot_store_kv_del(st, "lots", "absent", &err));
	CHECK_OK(ot_store_commit(st, &err));
	CHECK_RC(ot_store_kv_get(st, "lots", "a", &d, &n, NULL), OT_ERR_NOTFOUND);
	ot_store_close(st);
	if (memory)
		return; /* gone with the handle */

	/* Reopened, the data is there. */
	st = open_flags(loc, 0);
	CHECK(st != NULL);
	if (st)
		CHECK(count(st) == N + 1);
	ot_store_close(st);
}

/* --- transactions and savepoints --- */

static void test_transactions(void)
{
	const char *loc = fresh("txn");
	ot_store *st = loc ? create(loc) : NULL;
	CHECK(st != NULL);
	if (!st)
		return;
	ot_error err;
	/* Rollback undoes everything. */
	CHECK_OK(ot_store_begin(st, &err));
	CHECK_OK(ot_store_put_entry(st, 0, (const uint8_t *)"a", 1, &err));
	CHECK_OK(ot_store_kv_put(st, "ns", "k", (const uint8_t *)"v", 1, &err));
	ot_store_rollback(st);
	CHECK(!has_entry(st, 0));
	uint8_t *d = NULL;
	size_t n;
	CHECK_RC(ot_store_kv_get(st, "ns", "k", &d, &n, NULL), OT_ERR_NOTFOUND);

	/* Savepoints: released work stays, rolled-back work goes, nested. */
	CHECK_RC(ot_store_savepoint(st, NULL), OT_ERR_ARG); /* outside a transaction */
	CHECK_OK(ot_store_begin(st, &err));
	CHECK_RC(ot_store_release(st, NULL), OT_ERR_ARG);
	CHECK_OK(ot_store_savepoint(st, &err));
	CHECK_OK(ot_store_put_entry(st, 0, (const uint8_t *)"a", 1, &err));
	CHECK_OK(ot_store_release(st, &err));
	CHECK_OK(ot_store_savepoint(st, &err));
	CHECK_OK(ot_store_put_entry(st, 1, (const uint8_t *)"b", 1, &err));
	CHECK_OK(ot_store_savepoint(st, &err));
	CHECK_OK(ot_store_put_entry(st, 2, (const uint8_t *)"c", 1, &err));
	CHECK_OK(ot_store_rollback_to(st, &err)); /* drops 2 */
	CHECK_OK(ot_store_put_entry(st, 3, (const uint8_t *)"d", 1, &err));
	CHECK_OK(ot_store_release(st, &err)); /* keeps 1 and 3 */
	CHECK_OK(ot_store_savepoint(st, &err));
	CHECK_OK(ot_store_put_entry(st, 4, (const uint8_t *)"e", 1, &err));
	/* A failed statement inside a savepoint, then rollback_to: usable. */
	CHECK_RC(ot_store_put_entry(st, 4, (const uint8_t *)"e", 1, NULL), OT_ERR_EXISTS);
	CHECK_OK(ot_store_rollback_to(st, &err)); /* drops 4 */
	CHECK_RC(ot_store_rollback_to(st, NULL), OT_ERR_ARG);
	/* Savepoints with nothing written under them (a backend opens one only
	 * at the first write): empty ones released or rolled back change
	 * nothing; a write under the inner of two opens both, so rolling back
	 * the outer, after the inner was released, drops it. */
	CHECK_OK(ot_store_savepoint(st, &err));
	CHECK_OK(ot_store_rollback_to(st, &err));
	CHECK_OK(ot_store_savepoint(st, &err));
	CHECK_OK(ot_store_release(st, &err));
	CHECK_OK(ot_store_savepoint(st, &err)); /* outer */
	CHECK_OK(ot_store_savepoint(st, &err)); /* inner */
	CHECK_OK(ot_store_put_entry(st, 5, (const uint8_t *)"f", 1, &err));
	CHECK_OK(ot_store_release(st, &err)); /* 5 goes with the outer */
	CHECK_OK(ot_store_savepoint(st, &err));
	CHECK_OK(ot_store_release(st, &err));
	CHECK_OK(ot_store_rollback_to(st, &err)); /* drops 5 */
	CHECK_RC(ot_store_release(st, NULL), OT_ERR_ARG);
	CHECK_OK(ot_store_put_entry(st, 6, (const uint8_t *)"g", 1, &err));
	CHECK_OK(ot_store_commit(st, &err));
	CHECK(has_entry(st, 0) && has_entry(st, 1) && !has_entry(st, 2) && has_entry(st, 3) &&
	      !has_entry(st, 4) && !has_entry(st, 5) && has_entry(st, 6));

	/* A write transaction cannot begin inside a read snapshot. */
	CHECK_OK(ot_store_read_begin(st, &err));
	CHECK_RC(ot_store_begin(st, NULL), OT_ERR_ARG);
	ot_store_read_end(st);
	ot_store_close(st);
}

/* --- read snapshots while another connection commits --- */

static void test_snapshots(void)
{
	const char *loc = fresh("snap");
	ot_store *w = loc ? create(loc) : NULL;
	ot_store *r = loc ? open_flags(loc, OT_STORE_READONLY) : NULL;
	CHECK(w != NULL && r != NULL);
	if (!w || !r) {
		ot_store_close(w);
		ot_store_close(r);
		return;
	}
	ot_error err;
	CHECK_OK(ot_store_begin(w, &err));
	CHECK_OK(ot_store_put_entry(w, 0, (const uint8_t *)"a", 1, &err));
	CHECK_OK(ot_store_put_checkpoint(w, 1, "one\n", 4, &err));
	CHECK_OK(ot_store_commit(w, &err));

	CHECK_OK(ot_store_read_begin(r, &err));
	CHECK_OK(ot_store_read_begin(r, &err)); /* nests */
	CHECK(count(r) == 1);
	CHECK_OK(ot_store_begin(w, &err));
	CHECK_OK(ot_store_put_entry(w, 1, (const uint8_t *)"b", 1, &err));
	CHECK_OK(ot_store_put_checkpoint(w, 2, "two\n", 4, &err));
	CHECK_OK(ot_store_commit(w, &err));
	/* The snapshot does not move. */
	CHECK(count(r) == 1);
	CHECK(!has_entry(r, 1));
	uint64_t size = 0;
	char *note = NULL;
	size_t n;
	CHECK_OK(ot_store_get_checkpoint(r, &size, &note, &n, &err));
	CHECK(size == 1);
	free(note);
	ot_store_read_end(r);
	CHECK(count(r) == 1); /* still inside the outer snapshot */
	ot_store_read_end(r);
	CHECK(count(r) == 2);
	CHECK(has_entry(r, 1));
	ot_store_close(r);
	ot_store_close(w);
}

/* --- key-value prefix scans --- */

typedef struct scan_ctx {
	ot_store *st;
	char keys[2000][16];
	size_t n;
	int nested_ok;
} scan_ctx;

static ot_status collect_key(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	scan_ctx *c = ctx;
	if (c->n < 2000)
		snprintf(c->keys[c->n++], sizeof c->keys[0], "%s", key);
	return len == strlen(key) && memcmp(value, key, len) == 0 ? OT_OK : OT_ERR_CORRUPT;
}

static ot_status count_inner(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	(void)value;
	(void)len;
	(*(int *)ctx)++;
	return OT_OK;
}

/* A scan inside a scan's callback (the ledger does this). */
static ot_status nested(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)value;
	(void)len;
	scan_ctx *c = ctx;
	int inner = 0;
	if (ot_store_kv_scan(c->st, "ns", "b", count_inner, &inner, NULL) == OT_OK && inner == 3)
		c->nested_ok++;
	return strcmp(key, "a2") == 0 ? OT_ERR_RULE : OT_OK;
}

static void put_kv(ot_store *st, const char *ns, const char *key)
{
	CHECK_OK(ot_store_kv_put(st, ns, key, (const uint8_t *)key, strlen(key), NULL));
}

static void test_kv_scan(void)
{
	const char *loc = fresh("kv");
	ot_store *st = loc ? create(loc) : NULL;
	CHECK(st != NULL);
	if (!st)
		return;
	static scan_ctx c;
	ot_error err;
	CHECK_OK(ot_store_begin(st, &err));
	/* Byte order: "B" < "a" < "a\xc3\xa9" (UTF-8 é) < "a~" < "b". */
	const char *keys[] = {"b", "a~", "a\xc3\xa9", "a", "B", "a2", "a10", "b1", "b2", "c"};
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		put_kv(st, "ns", keys[i]);
	put_kv(st, "ns2", "a0"); /* another namespace */
	for (int i = 0; i < 1100; i++) {
		char k[16];
		snprintf(k, sizeof k, "big/%05d", 1099 - i);
		put_kv(st, "big", k);
	}
	CHECK_OK(ot_store_commit(st, &err));

	memset(&c, 0, sizeof c);
	CHECK_OK(ot_store_kv_scan(st, "ns", "a", collect_key, &c, &err));
	CHECK(c.n == 5);
	if (c.n == 5) {
		CHECK_STR(c.keys[0], "a");
		CHECK_STR(c.keys[1], "a10");
		CHECK_STR(c.keys[2], "a2");
		CHECK_STR(c.keys[3], "a~");
		CHECK_STR(c.keys[4], "a\xc3\xa9");
	}
	memset(&c, 0, sizeof c);
	CHECK_OK(ot_store_kv_scan(st, "ns", "", collect_key, &c, &err));
	CHECK(c.n == 10);
	if (c.n == 10) {
		CHECK_STR(c.keys[0], "B");
		CHECK_STR(c.keys[9], "c");
	}
	memset(&c, 0, sizeof c);
	CHECK_OK(ot_store_kv_scan(st, "ns", "zz", collect_key, &c, &err));
	CHECK(c.n == 0);
	/* More keys than one chunk, in order. */
	memset(&c, 0, sizeof c);
	CHECK_OK(ot_store_kv_scan(st, "big", "big/", collect_key, &c, &err));
	CHECK(c.n == 1100);
	int ordered = 1;
	for (size_t i = 1; i < c.n; i++)
		ordered &= strcmp(c.keys[i - 1], c.keys[i]) < 0;
	CHECK(ordered);
	/* Nested scans, and a callback's status stops the scan. */
	memset(&c, 0, sizeof c);
	c.st = st;
	CHECK_RC(ot_store_kv_scan(st, "ns", "a", nested, &c, NULL), OT_ERR_RULE);
	CHECK(c.nested_ok == 3); /* a, a10, a2 */
	/* Inside a transaction, a scan sees the transaction's own writes. */
	CHECK_OK(ot_store_begin(st, &err));
	put_kv(st, "ns", "a3");
	memset(&c, 0, sizeof c);
	CHECK_OK(ot_store_kv_scan(st, "ns", "a", collect_key, &c, &err));
	CHECK(c.n == 6);
	ot_store_rollback(st);
	ot_store_close(st);
}

/* --- read-only opening, creation twice, schema refusal --- */

/* Marks the store at loc with another schema version (or, with `foreign`,
 * makes it another program's database). */
static int tamper(const char *loc, int foreign)
{
	if (postgres)
		return pg_exec_on(loc, foreign ? "CREATE TABLE customers(id int)"
		                               : "UPDATE meta SET value = '99' WHERE name = "
		                                 "'oretrail.schema'");
	sqlite3 *db = NULL;
	int rc = sqlite3_open(loc, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(
			db, foreign ? "CREATE TABLE customers(id int)" : "PRAGMA user_version=99",
			NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static void test_open_modes(void)
{
	const char *loc = fresh("modes");
	ot_store *st = loc ? create(loc) : NULL;
	CHECK(st != NULL);
	if (!st)
		return;
	ot_error err;
	CHECK_OK(ot_store_begin(st, &err));
	CHECK_OK(ot_store_put_entry(st, 0, (const uint8_t *)"a", 1, &err));
	CHECK_OK(ot_store_commit(st, &err));
	ot_store_close(st);

	/* Creating over an existing store. */
	CHECK_RC(ot_store_open(loc, OT_STORE_CREATE, &st, &err), OT_ERR_EXISTS);
	CHECK_RC(ot_store_open(loc, OT_STORE_CREATE | OT_STORE_READONLY, &st, NULL), OT_ERR_ARG);

	/* Read-only: reads work, writes are refused. */
	st = open_flags(loc, OT_STORE_READONLY);
	CHECK(st != NULL);
	if (st) {
		CHECK(has_entry(st, 0));
		CHECK_RC(ot_store_begin(st, &err), OT_ERR_READONLY);
		CHECK_RC(ot_store_put_entry(st, 1, (const uint8_t *)"b", 1, NULL), OT_ERR_READONLY);
		ot_store_close(st);
	}

	/* A newer schema is refused, with a clear message. */
	CHECK(tamper(loc, 0) == 0);
	CHECK_RC(ot_store_open(loc, 0, &st, &err), OT_ERR_SCHEMA);
	CHECK(strstr(err.message, "newer oretrail") != NULL);
	CHECK_RC(ot_store_open(loc, OT_STORE_READONLY, &st, &err), OT_ERR_SCHEMA);

	/* Another program's database. */
	const char *other = fresh("foreign");
	CHECK(other && tamper(other, 1) == 0);
	CHECK_RC(ot_store_open(other, 0, &st, &err), OT_ERR_SCHEMA);
	CHECK(strstr(err.message, "not an oretrail ledger") != NULL);
	CHECK_RC(ot_store_open(other, OT_STORE_CREATE, &st, &err), OT_ERR_SCHEMA);

	/* A location with nothing: no file, or an empty database. */
	const char *none = fresh("none");
	CHECK(none != NULL);
	ot_status rc = ot_store_open(none, 0, &st, &err);
	CHECK(rc == (postgres ? OT_ERR_SCHEMA : OT_ERR_NOTFOUND));
	if (rc == OT_OK)
		ot_store_close(st);
}

/* --- PostgreSQL's connection errors (no server needed) --- */

static void test_bad_uris(void)
{
	ot_store *st = NULL;
	ot_error err;
	char uri[4300];
	/* A socket directory with no server. */
	snprintf(uri, sizeof uri, "postgresql://alice:s3cretpw@/ledger?host=%s&port=5999", tmp);
	CHECK_RC(ot_store_open(uri, 0, &st, &err), OT_ERR_IO);
	CHECK(strstr(err.message, "cannot connect to PostgreSQL at ") != NULL);
	CHECK(strstr(err.message, "/ledger") != NULL);
	CHECK(strstr(err.message, "s3cretpw") == NULL);
	/* The other URI prefix, a password as a parameter. */
	snprintf(uri, sizeof uri, "postgres:///ledger?host=%s&port=5999&password=pw0rd42", tmp);
	CHECK_RC(ot_store_open(uri, 0, &st, &err), OT_ERR_IO);
	CHECK(strstr(err.message, "pw0rd42") == NULL);
	/* A URI libpq cannot parse. */
	CHECK_RC(ot_store_open("postgresql://bob:hunter2x@host/db?nosuchoption=1", 0, &st, &err),
	         OT_ERR_IO);
	CHECK(strstr(err.message, "cannot connect to PostgreSQL") != NULL);
	CHECK(strstr(err.message, "hunter2x") == NULL);
	CHECK_RC(ot_store_open("postgresql://bob:hunter2x@ho%zzst/db", 0, &st, &err), OT_ERR_IO);
	CHECK(strstr(err.message, "hunter2x") == NULL);
}

/* --- PostgreSQL only: credentials, a lost connection, lock timeouts --- */

static void test_pg_faults(void)
{
	ot_store *st = NULL;
	ot_error err;
	/* An unknown role. */
	char uri[1200];
	const char *loc = fresh("faults");
	CHECK(loc != NULL);
	if (!loc)
		return;
	snprintf(uri, sizeof uri, "%s&user=nosuchrole&password=pw7secret", loc);
	CHECK_RC(ot_store_open(uri, 0, &st, &err), OT_ERR_IO);
	CHECK(strstr(err.message, "cannot connect to PostgreSQL at ") != NULL);
	CHECK(strstr(err.message, "pw7secret") == NULL);

	/* A lost connection mid-transaction: an I/O error, nothing committed. */
	st = create(loc);
	CHECK(st != NULL);
	if (!st)
		return;
	CHECK_OK(ot_store_begin(st, &err));
	CHECK_OK(ot_store_put_entry(st, 0, (const uint8_t *)"a", 1, &err));
	char sql[512];
	snprintf(sql, sizeof sql,
	         "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
	         "'ot_faults_%ld' AND application_name = 'oretrail'",
	         (long)getpid());
	CHECK(pg_admin(sql) == 0);
	ot_status rc = ot_store_put_entry(st, 1, (const uint8_t *)"b", 1, &err);
	if (rc == OT_OK)
		rc = ot_store_commit(st, &err);
	else
		ot_store_rollback(st);
	CHECK(rc == OT_ERR_IO);
	CHECK(strstr(err.message, "connection") != NULL);
	ot_store_close(st);
	st = open_flags(loc, 0);
	CHECK(st != NULL);
	if (st) {
		CHECK(count(st) == 0);
		ot_store_close(st);
	}

	/* A second writer waits for the first, then gives up: busy. */
	snprintf(uri, sizeof uri, "%s&options=-c%%20lock_timeout%%3D300", loc);
	ot_store *a = open_flags(loc, 0), *b = open_flags(uri, 0);
	CHECK(a && b);
	if (a && b) {
		CHECK_OK(ot_store_begin(a, &err));
		CHECK_RC(ot_store_begin(b, &err), OT_ERR_BUSY);
		ot_store_rollback(a);
		CHECK_OK(ot_store_begin(b, &err));
		ot_store_rollback(b);
	}
	ot_store_close(a);
	ot_store_close(b);
}

/* --- the in-memory backend's own: undo of overwrites and deletes, scans
 * that write, independence of handles --- */

static ot_status put_during_scan(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)value;
	(void)len;
	scan_ctx *c = ctx;
	/* Overwrite the record seen and delete the next: the scan goes on by key. */
	CHECK_OK(ot_store_kv_put(c->st, "ns", key, (const uint8_t *)"x", 1, NULL));
	if (strcmp(key, "a") == 0)
		CHECK_OK(ot_store_kv_del(c->st, "ns", "b", NULL));
	snprintf(c->keys[c->n++], sizeof c->keys[0], "%s", key);
	return OT_OK;
}

static void test_memory(void)
{
	ot_store *st = create(OT_STORE_MEMORY), *other = create(OT_STORE_MEMORY);
	CHECK(st != NULL && other != NULL);
	if (!st || !other) {
		ot_store_close(st);
		ot_store_close(other);
		return;
	}
	ot_error err;
	uint8_t *d = NULL;
	size_t n;
	CHECK_OK(ot_store_begin(st, &err));
	put_kv(st, "ns", "a");
	put_kv(st, "ns", "b");
	put_kv(st, "ns", "c");
	CHECK_OK(ot_store_commit(st, &err));
	/* Overwrite and delete, then roll back: the old values return. */
	CHECK_OK(ot_store_begin(st, &err));
	CHECK_OK(ot_store_savepoint(st, &err));
	CHECK_OK(ot_store_kv_put(st, "ns", "a", (const uint8_t *)"new", 3, &err));
	CHECK_OK(ot_store_kv_del(st, "ns", "b", &err));
	CHECK_OK(ot_store_kv_put(st, "ns", "a", (const uint8_t *)"newer", 5, &err));
	CHECK_OK(ot_store_rollback_to(st, &err));
	CHECK_OK(ot_store_kv_get(st, "ns", "a", &d, &n, &err));
	CHECK(n == 1 && d[0] == 'a' && d[1] == 0);
	free(d);
	CHECK_OK(ot_store_kv_get(st, "ns", "b", &d, &n, &err));
	free(d);
	/* A scan whose callback writes and deletes. */
	static scan_ctx c;
	memset(&c, 0, sizeof c);
	c.st = st;
	CHECK_OK(ot_store_kv_scan(st, "ns", "", put_during_scan, &c, &err));
	CHECK(c.n == 2);
	if (c.n == 2) {
		CHECK_STR(c.keys[0], "a");
		CHECK_STR(c.keys[1], "c");
	}
	ot_store_rollback(st);
	CHECK_OK(ot_store_kv_get(st, "ns", "b", &d, &n, &err));
	CHECK(n == 1 && d[0] == 'b');
	free(d);
	/* Another handle is another store. */
	CHECK_RC(ot_store_kv_get(other, "ns", "a", &d, &n, NULL), OT_ERR_NOTFOUND);
	/* Read-only: reads, no writes. */
	ot_store *ro = open_flags(OT_STORE_MEMORY, OT_STORE_READONLY);
	CHECK(ro != NULL);
	CHECK_RC(ot_store_begin(ro, NULL), OT_ERR_READONLY);
	ot_store_close(ro);
	ot_store_close(other);
	ot_store_close(st);
}

/* --- every backend: a transaction's reads of its own writes, savepoints
 * around writes that reached the server and writes that did not yet (the
 * PostgreSQL backend buffers them: write_buffer.h), reads ahead --- */

static void check_kv(ot_store *st, const char *key, const char *want)
{
	uint8_t *d = NULL;
	size_t n = 0;
	ot_error err;
	ot_status rc = ot_store_kv_get(st, "ns", key, &d, &n, &err);
	if (!want) {
		CHECK_RC(rc, OT_ERR_NOTFOUND);
	} else {
		CHECK_OK(rc);
		CHECK(rc == OT_OK && n == strlen(want) && memcmp(d, want, n) == 0 && d[n] == 0);
	}
	free(d);
}

static void set_kv(ot_store *st, const char *key, const char *value)
{
	CHECK_OK(ot_store_kv_put(st, "ns", key, (const uint8_t *)value, strlen(value), NULL));
}

static ot_status count_kv(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	(void)value;
	(void)len;
	++*(int *)ctx;
	return OT_OK;
}

static void test_buffered(void)
{
	const char *loc = fresh("buffered");
	ot_store *st = create(loc);
	CHECK(st != NULL);
	if (!st)
		return;
	ot_error err;
	const char *keys[] = {"a", "zz", NULL, "a"};
	/* Outside a transaction a read ahead does nothing. */
	CHECK_OK(ot_store_kv_prefetch(st, "ns", keys, 4, &err));
	CHECK_RC(ot_store_kv_prefetch(st, "ns", NULL, 1, NULL), OT_ERR_ARG);
	CHECK_OK(ot_store_begin(st, &err));
	set_kv(st, "a", "a");
	set_kv(st, "b", "b");
	set_kv(st, "c", "c");
	CHECK_OK(ot_store_commit(st, &err));

	CHECK_OK(ot_store_begin(st, &err));
	/* Read ahead: found, absent, skipped, twice; then written. */
	CHECK_OK(ot_store_kv_prefetch(st, "ns", keys, 4, &err));
	check_kv(st, "a", "a");
	check_kv(st, "zz", NULL);
	set_kv(st, "zz", "zz1");
	CHECK_OK(ot_store_kv_prefetch(st, "ns", keys, 4, &err));
	check_kv(st, "zz", "zz1");
	/* Overwrite and delete, then roll back: the old values return. */
	CHECK_OK(ot_store_savepoint(st, &err));
	set_kv(st, "a", "new");
	CHECK_OK(ot_store_kv_del(st, "ns", "b", &err));
	set_kv(st, "a", "newer");
	check_kv(st, "a", "newer");
	check_kv(st, "b", NULL);
	CHECK_OK(ot_store_rollback_to(st, &err));
	check_kv(st, "a", "a");
	check_kv(st, "b", "b");
	/* A scan (which needs the writes at the server) inside two savepoints,
	 * then more writes, then the inner one rolled back: all of its writes
	 * go, those before it stay. */
	CHECK_OK(ot_store_savepoint(st, &err));
	set_kv(st, "x1", "x1");
	CHECK_OK(ot_store_savepoint(st, &err));
	set_kv(st, "y", "y");
	set_kv(st, "a", "a2");
	int seen = 0;
	CHECK_OK(ot_store_kv_scan(st, "ns", "", count_kv, &seen, &err));
	CHECK(seen == 6); /* a b c zz x1 y, "a" once */
	set_kv(st, "z", "z");
	CHECK_OK(ot_store_kv_del(st, "ns", "c", &err));
	CHECK_OK(ot_store_rollback_to(st, &err));
	check_kv(st, "y", NULL);
	check_kv(st, "z", NULL);
	check_kv(st, "a", "a");
	check_kv(st, "c", "c");
	check_kv(st, "x1", "x1");
	CHECK_OK(ot_store_release(st, &err));
	/* A row written before a savepoint and inside it, the savepoint
	 * released: the later value is the row's. */
	set_kv(st, "k", "1");
	CHECK_OK(ot_store_savepoint(st, &err));
	set_kv(st, "k", "2");
	CHECK_OK(ot_store_release(st, &err));
	check_kv(st, "k", "2");
	/* A write in a released inner savepoint goes with the outer one. */
	CHECK_OK(ot_store_savepoint(st, &err));
	CHECK_OK(ot_store_savepoint(st, &err));
	set_kv(st, "w", "w");
	CHECK_OK(ot_store_release(st, &err));
	CHECK_OK(ot_store_rollback_to(st, &err));
	check_kv(st, "w", NULL);
	/* Entries: appended, read back, scanned, one rolled back. */
	uint64_t n = count(st);
	CHECK(n == 0);
	CHECK_OK(ot_store_put_entry(st, 0, (const uint8_t *)"entry-0", 7, &err));
	CHECK_OK(ot_store_savepoint(st, &err));
	CHECK_OK(ot_store_put_entry(st, 1, (const uint8_t *)"entry-1", 7, &err));
	CHECK(count(st) == 2 && has_entry(st, 1));
	CHECK_OK(ot_store_rollback_to(st, &err));
	CHECK(count(st) == 1 && !has_entry(st, 1) && has_entry(st, 0));
	CHECK_OK(ot_store_put_entry(st, 1, (const uint8_t *)"entry-1", 7, &err));
	CHECK_RC(ot_store_put_entry(st, 1, (const uint8_t *)"entry-1", 7, NULL), OT_ERR_EXISTS);
	uint64_t sum = 0;
	CHECK_OK(ot_store_scan_entries(st, 0, 2, collect_entry, &sum, &err));
	CHECK(sum == 1);
	/* Values larger in all than one multi-row statement carries. */
	enum {
		BIG = 512 * 1024,
		MANY = 40
	};
	char *big = malloc(BIG + 1);
	CHECK(big != NULL);
	if (big) {
		for (int i = 0; i < MANY; i++) {
			char key[16];
			snprintf(key, sizeof key, "big%02d", i);
			memset(big, 'a' + i % 26, BIG);
			big[BIG] = 0;
			set_kv(st, key, big);
		}
	}
	CHECK_OK(ot_store_commit(st, &err));
	if (!memory) { /* what was committed, as another handle sees it */
		ot_store_close(st);
		st = open_flags(loc, 0);
		CHECK(st != NULL);
		if (!st) {
			free(big);
			return;
		}
	}
	check_kv(st, "a", "a");
	check_kv(st, "b", "b");
	check_kv(st, "c", "c");
	check_kv(st, "zz", "zz1");
	check_kv(st, "x1", "x1");
	check_kv(st, "y", NULL);
	check_kv(st, "z", NULL);
	check_kv(st, "k", "2");
	check_kv(st, "w", NULL);
	CHECK(count(st) == 2 && has_entry(st, 0) && has_entry(st, 1));
	if (big)
		check_kv(st, "big39", big);
	free(big);
	ot_store_close(st);
}

int main(int argc, char **argv)
{
	const char *backend = argc > 1 ? argv[1] : "sqlite";
	postgres = strcmp(backend, "postgres") == 0;
	memory = strcmp(backend, "memory") == 0;
	char name[64];
	snprintf(name, sizeof name, "store-conformance-%s", backend);
	tmp = test_tmpdir(name);
	if (!tmp)
		return 1;
	if (postgres && !pg_admin_uri()) {
		fprintf(stderr, "%s: no PostgreSQL cluster (OT_PG_URI_FILE): skipped\n", name);
		return TEST_SKIP;
	}
	test_operations();
	test_transactions();
	test_kv_scan();
	test_buffered();
	if (memory) {
		test_memory();
		return test_done(name);
	}
	test_snapshots();
	test_open_modes();
	test_bad_uris();
	if (postgres)
		test_pg_faults();
	return test_done(name);
}
