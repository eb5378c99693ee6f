/*
 * test_pg_leader.c: the leader lock and the write fence of the store
 * (store.h, docs/internals/failover.md) on PostgreSQL, with two handles as
 * two processes have them. One handle holds the leader lock and the other
 * cannot take it until the first is closed (or its connection is killed);
 * a handle fenced with an epoch writes while the epoch is the leader's and
 * is refused ("not_leader", nothing written) once another handle bumped it,
 * even though it began after the bump; SQLite has no leader lock. Skipped
 * (77) without the fixture's cluster.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oretrail/store.h"
#include "pg/pg_test.h"
#include "test.h"

/* Bumps the leader epoch to `epoch` as a new leader does. */
static void bump(ot_store *st, const char *epoch)
{
	ot_error err;
	CHECK_OK(ot_store_begin(st, &err));
	CHECK_OK(ot_store_set_meta(st, OT_STORE_LEADER_EPOCH, epoch, &err));
	CHECK_OK(ot_store_commit(st, &err));
}

static uint64_t count(ot_store *st)
{
	uint64_t n = 0;
	CHECK_OK(ot_store_entry_count(st, &n, NULL));
	return n;
}

int main(void)
{
	const char *tmp = test_tmpdir("pg-leader");
	if (!tmp)
		return 1;
	ot_error err;
	char path[4200];
	snprintf(path, sizeof path, "%s/l.db", tmp);
	ot_store *lite = NULL;
	CHECK_OK(ot_store_open(path, OT_STORE_CREATE, &lite, &err));
	int held = 1;
	CHECK_RC(ot_store_lead(lite, &held, &err), OT_ERR_ARG);
	CHECK(held == 0 && strstr(err.message, "PostgreSQL"));
	ot_store_close(lite);

	if (!pg_admin_uri()) {
		fprintf(stderr,
		        "test_pg_leader: no PostgreSQL cluster (OT_PG_URI_FILE): skipped\n");
		return TEST_SKIP;
	}
	char uri[1200];
	CHECK(pg_new_db("leader", uri, sizeof uri) == 0);
	ot_store *a = NULL, *b = NULL;
	CHECK_OK(ot_store_open(uri, OT_STORE_CREATE, &a, &err));
	CHECK_OK(ot_store_open(uri, 0, &b, &err));
	if (!a || !b)
		return test_done("test_pg_leader");

	/* The lock: one holder at a time; asking again checks it is still held. */
	CHECK_OK(ot_store_lead(a, &held, &err));
	CHECK(held == 1);
	CHECK_OK(ot_store_lead(b, &held, &err));
	CHECK(held == 0);
	CHECK_OK(ot_store_lead(a, &held, &err));
	CHECK(held == 1);
	CHECK_OK(ot_store_begin(a, &err));
	CHECK_RC(ot_store_lead(a, &held, &err), OT_ERR_ARG); /* not inside a transaction */
	ot_store_rollback(a);

	/* a leads in epoch 1 and writes, fenced. */
	bump(a, "1");
	CHECK_OK(ot_store_set_fence(a, "1", &err));
	CHECK_OK(ot_store_begin(a, &err));
	CHECK_OK(ot_store_put_entry(a, 0, (const uint8_t *)"x", 1, &err));
	CHECK_OK(ot_store_commit(a, &err));
	CHECK(count(b) == 1);

	/* a's connection is killed (a lost lock a does not know about yet): b
	 * takes the lock and bumps the epoch; a's next write is refused. */
	CHECK(pg_exec_on(uri, "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE "
	                      "locktype = 'advisory' AND granted AND database = (SELECT oid FROM "
	                      "pg_database WHERE datname = current_database())") == 0);
	CHECK_RC(ot_store_lead(a, &held, &err), OT_ERR_IO);
	CHECK(held == 0);
	for (int i = 0; i < 100 && !held; i++) {
		CHECK_OK(ot_store_lead(b, &held, &err));
		if (!held)
			usleep(20000);
	}
	CHECK(held == 1);
	bump(b, "2");
	ot_store_close(a);

	/* A handle fenced with the old epoch (a paused leader's sequencer on a
	 * connection of its own) is refused after the bump, nothing written. */
	ot_store *stale = NULL;
	CHECK_OK(ot_store_open(uri, 0, &stale, &err));
	CHECK_OK(ot_store_set_fence(stale, "1", &err));
	ot_error_clear(&err);
	CHECK_RC(ot_store_begin(stale, &err), OT_ERR_READONLY);
	CHECK_STR(err.code, "not_leader");
	CHECK(strstr(err.message, "leader epoch 2, ours 1") != NULL);
	CHECK_RC(ot_store_put_entry(stale, 1, (const uint8_t *)"y", 1, &err), OT_ERR_ARG);
	CHECK(count(b) == 1);
	/* Fenced with the leader's epoch, it writes; unfenced, it is not checked. */
	CHECK_OK(ot_store_set_fence(stale, "2", &err));
	CHECK_OK(ot_store_begin(stale, &err));
	CHECK_OK(ot_store_put_entry(stale, 1, (const uint8_t *)"y", 1, &err));
	CHECK_OK(ot_store_commit(stale, &err));
	CHECK(count(b) == 2);
	CHECK_OK(ot_store_set_fence(stale, NULL, &err));
	CHECK_OK(ot_store_begin(stale, &err));
	ot_store_rollback(stale);
	ot_store_close(stale);

	/* Closing the holder frees the lock for the next. */
	ot_store *c = NULL;
	CHECK_OK(ot_store_open(uri, 0, &c, &err));
	CHECK_OK(ot_store_lead(c, &held, &err));
	CHECK(held == 0);
	ot_store_close(b);
	/* The server ends b's session a moment after the close: poll, as a
	 * follower does. */
	for (int i = 0; i < 100 && !held; i++) {
		CHECK_OK(ot_store_lead(c, &held, &err));
		if (!held)
			usleep(20000);
	}
	CHECK(held == 1);
	ot_store_close(c);
	return test_done("test_pg_leader");
}
