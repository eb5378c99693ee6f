/*
 * test_pg_log.c: the log on PostgreSQL against the log on SQLite. The same
 * entries appended in the same batches to both give identical checkpoints,
 * roots, proofs and tiles. Two writers of one store (two connections, as
 * two processes have) take turns on both backends: the one that opened
 * before the other appended appends after it, and one that meets the
 * other's transaction past its wait gets OT_ERR_BUSY, "ledger busy".
 * Skipped (77) without the fixture's cluster.
 */
#include <stdlib.h>
#include <string.h>

#include "oretrail/log.h"
#include "oretrail/store.h"
#include "pg/pg_test.h"
#include "test.h"

#define BATCHES 12

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

static void same_tiles(ot_store *a, ot_store *b, uint64_t size)
{
	for (int level = 0; level < 3; level++) {
		for (uint64_t i = 0;; i++) {
			unsigned wa = 0, wb = 0;
			uint8_t *da = NULL, *db = NULL;
			size_t la = 0, lb = 0;
			ot_status ra = ot_store_get_tile(a, level, i, &wa, &da, &la, NULL);
			ot_status rb = ot_store_get_tile(b, level, i, &wb, &db, &lb, NULL);
			CHECK(ra == rb);
			if (ra == OT_OK && rb == OT_OK)
				CHECK(wa == wb && la == lb && memcmp(da, db, la) == 0);
			free(da);
			free(db);
			if (ra != OT_OK || i > size)
				break;
		}
	}
}

/* A second writer on `loc` beside (st, log): appends after what log
 * appended since it opened, and is busy while st holds the write lock. */
static void two_writers(ot_store *st, ot_log *log, const char *loc, const ot_signer *signer)
{
	ot_error err;
	ot_store *s2 = NULL;
	ot_log *l2 = NULL;
	CHECK_OK(ot_store_open(loc, 0, &s2, &err));
	CHECK_OK(ot_log_open(s2, signer, &l2, &err));
	if (!l2) {
		ot_store_close(s2);
		return;
	}
	const uint8_t *e[1] = {(const uint8_t *)"first writer"};
	size_t n[1] = {12};
	uint64_t at1 = 0, at2 = 0;
	CHECK_OK(ot_log_append(log, e, n, 1, &at1, &err));
	e[0] = (const uint8_t *)"other writer";
	CHECK_OK(ot_log_append(l2, e, n, 1, &at2, &err)); /* was UNIQUE/23505 */
	CHECK(at2 == at1 + 1 && ot_log_size(l2) == at1 + 2);

	ot_store_set_wait(s2, 200);
	CHECK_OK(ot_store_begin(st, &err));
	ot_status rc = ot_log_append(l2, e, n, 1, &at2, &err);
	CHECK(rc == OT_ERR_BUSY);
	CHECK(strcmp(err.message, "ledger busy: another writer holds it") == 0);
	CHECK(strcmp(err.code, "busy") == 0);
	ot_store_rollback(st);
	CHECK_OK(ot_log_refresh(log, &err));
	CHECK(ot_log_size(log) == at1 + 2);
	ot_log_close(l2);
	ot_store_close(s2);
}

int main(void)
{
	const char *tmp = test_tmpdir("pg-log");
	if (!tmp)
		return 1;
	if (!pg_admin_uri()) {
		fprintf(stderr, "test_pg_log: no PostgreSQL cluster (OT_PG_URI_FILE): skipped\n");
		return TEST_SKIP;
	}
	char path[4200], uri[1200];
	snprintf(path, sizeof path, "%s/log.db", tmp);
	CHECK(pg_new_db("log", uri, sizeof uri) == 0);
	ot_error err;
	ot_signer *signer = NULL;
	CHECK_OK(ot_signer_generate("test.example/log", &signer, &err));
	ot_store *sa = create(path), *sb = create(uri);
	CHECK(sa && sb && signer);
	if (!sa || !sb || !signer)
		return test_done("test_pg_log");
	CHECK_OK(ot_log_create(sa, "test.example/log", signer, &err));
	CHECK_OK(ot_log_create(sb, "test.example/log", signer, &err));
	ot_log *la = NULL, *lb = NULL;
	CHECK_OK(ot_log_open(sa, signer, &la, &err));
	CHECK_OK(ot_log_open(sb, signer, &lb, &err));
	if (!la || !lb)
		return test_done("test_pg_log");

	test_seed(15);
	static uint8_t bytes[700][64];
	const uint8_t *entries[700];
	size_t lens[700];
	for (int batch = 0; batch < BATCHES; batch++) {
		size_t n = batch == 5 ? 600 : 1 + test_rand() % 90;
		for (size_t i = 0; i < n; i++) {
			lens[i] = 1 + test_rand() % sizeof bytes[0];
			for (size_t j = 0; j < lens[i]; j++)
				bytes[i][j] = (uint8_t)test_rand();
			entries[i] = bytes[i];
		}
		uint64_t fa = 0, fb = 1;
		CHECK_OK(ot_log_append(la, entries, lens, n, &fa, &err));
		CHECK_OK(ot_log_append(lb, entries, lens, n, &fb, &err));
		CHECK(fa == fb);
	}
	uint64_t size = ot_log_size(la);
	CHECK(size == ot_log_size(lb) && size > 600);

	/* The same signed checkpoint (Ed25519 signatures are deterministic). */
	char *ca = NULL, *cb = NULL;
	size_t cla = 0, clb = 0;
	CHECK_OK(ot_log_checkpoint(la, &ca, &cla, &err));
	CHECK_OK(ot_log_checkpoint(lb, &cb, &clb, &err));
	CHECK(ca && cb && cla == clb && memcmp(ca, cb, cla) == 0);
	free(ca);
	free(cb);

	/* Roots, inclusion and consistency proofs at a few sizes. */
	uint64_t sizes[] = {1, 2, 255, 256, 257, 512, size - 1, size};
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		uint8_t ra[OT_HASH_SIZE], rb[OT_HASH_SIZE];
		CHECK_OK(ot_log_tree_hash(la, sizes[k], ra, &err));
		CHECK_OK(ot_log_tree_hash(lb, sizes[k], rb, &err));
		CHECK(memcmp(ra, rb, OT_HASH_SIZE) == 0);
		static uint8_t pa[OT_PROOF_MAX][OT_HASH_SIZE], pb[OT_PROOF_MAX][OT_HASH_SIZE];
		size_t na = 0, nb = 0;
		uint64_t idx = sizes[k] / 3;
		CHECK_OK(ot_log_inclusion_proof(la, idx, sizes[k], pa, &na, &err));
		CHECK_OK(ot_log_inclusion_proof(lb, idx, sizes[k], pb, &nb, &err));
		CHECK(na == nb && memcmp(pa, pb, na * OT_HASH_SIZE) == 0);
		CHECK_OK(ot_log_consistency_proof(la, sizes[k], size, pa, &na, &err));
		CHECK_OK(ot_log_consistency_proof(lb, sizes[k], size, pb, &nb, &err));
		CHECK(na == nb && memcmp(pa, pb, na * OT_HASH_SIZE) == 0);
	}
	same_tiles(sa, sb, size);

	/* A second handle on PostgreSQL catches up and agrees. */
	ot_store *sc = NULL;
	ot_log *lc = NULL;
	CHECK_OK(ot_store_open(uri, OT_STORE_READONLY, &sc, &err));
	CHECK_OK(ot_log_open(sc, NULL, &lc, &err));
	CHECK(lc && ot_log_size(lc) == size);
	ot_log_close(lc);
	ot_store_close(sc);

	two_writers(sa, la, path, signer);
	two_writers(sb, lb, uri, signer);

	ot_log_close(la);
	ot_log_close(lb);
	ot_store_close(sa);
	ot_store_close(sb);
	ot_signer_free(signer);
	return test_done("test_pg_log");
}
