/*
 * test_log_readers.c: readers of a log that another connection is writing.
 *
 * A writer thread appends one entry per transaction while a reader, on its
 * own store handle, opens the log afresh and refreshes it over and over.
 * Every open and refresh must succeed and see a size that never shrinks,
 * with a root that matches the writer's for that size: the size and the
 * edge tiles come from one read snapshot. (Read apart, a commit between the
 * count and the tiles gave "tile 0/0 has width 179 but the log's 173 entries
 * need 173", a 500 from `oretrail serve` under load.)
 * Bounded in count, not time: the writer stops after WRITES appends, the
 * reader after at least READS rounds and at most 50 x READS.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/log.h"
#include "test.h"

#define WRITES 1500
#define READS 400

static char path[512];
static ot_signer *signer;
static atomic_int writer_done;
static atomic_int write_failures;
/* roots[n]: the writer's root at size n, published before the size is. */
static uint8_t roots[WRITES + 1][OT_HASH_SIZE];
static atomic_ullong published;

static void *writer_main(void *arg)
{
	(void)arg;
	ot_error err;
	ot_store *st = NULL;
	ot_log *log = NULL;
	if (ot_store_open(path, 0, &st, &err) || ot_log_open(st, signer, &log, &err)) {
		fprintf(stderr, "writer: %s\n", err.message);
		atomic_fetch_add(&write_failures, 1);
		goto out;
	}
	for (int i = 0; i < WRITES; i++) {
		char entry[64];
		int n = snprintf(entry, sizeof entry, "entry %d", i);
		const uint8_t *data = (const uint8_t *)entry;
		size_t len = (size_t)n;
		uint64_t first = 0;
		if (ot_log_append(log, &data, &len, 1, &first, &err) != OT_OK) {
			/* A reader's snapshot can make a commit wait; say so and
			 * go on (the store's busy time-out bounds the wait). */
			fprintf(stderr, "writer: append %d: %s\n", i, err.message);
			atomic_fetch_add(&write_failures, 1);
			continue;
		}
		uint64_t size = ot_log_size(log);
		if (size <= WRITES && ot_log_tree_hash(log, size, roots[size], &err) == OT_OK)
			atomic_store(&published, size);
	}
out:
	ot_log_close(log);
	ot_store_close(st);
	atomic_store(&writer_done, 1);
	return NULL;
}

int main(void)
{
	ot_error err;
	const char *dir = test_tmpdir("log_readers");
	snprintf(path, sizeof path, "%s/log.db", dir);
	CHECK_OK(ot_signer_generate("test.example/readers", &signer, &err));
	ot_store *st = NULL;
	CHECK_OK(ot_store_open(path, OT_STORE_CREATE, &st, &err));
	CHECK_OK(ot_log_create(st, "test.example/readers", signer, &err));
	ot_store_close(st);
	st = NULL;

	pthread_t w;
	CHECK(pthread_create(&w, NULL, writer_main, NULL) == 0);

	int opens = 0, refreshes = 0, failures = 0, shrinks = 0, mismatches = 0;
	uint64_t last = 0;
	/* At least READS rounds, and on until the writer is done (at most
	 * 50 x READS), so that reads overlap the whole run of commits. */
	int rounds = 0;
	for (int round = 0; round < 50 * READS && (round < READS || !atomic_load(&writer_done));
	     round++) {
		rounds++;
		ot_log *log = NULL;
		st = NULL;
		if (ot_store_open(path, OT_STORE_READONLY, &st, &err) ||
		    ot_log_open(st, NULL, &log, &err)) {
			if (failures++ < 5)
				fprintf(stderr, "round %d: open: %s\n", round, err.message);
			ot_store_close(st);
			continue;
		}
		opens++;
		for (int k = 0; k < 4; k++) {
			if (ot_log_refresh(log, &err) != OT_OK) {
				if (failures++ < 5)
					fprintf(stderr, "round %d: refresh: %s\n", round,
					        err.message);
				break;
			}
			refreshes++;
			uint64_t size = ot_log_size(log);
			if (size < last)
				shrinks++;
			last = size;
			/* The root this reader computes for a size the writer has
			 * published is the writer's. */
			uint64_t pub = atomic_load(&published);
			if (size > 0 && size <= pub) {
				uint8_t root[OT_HASH_SIZE];
				if (ot_log_tree_hash(log, size, root, &err) != OT_OK ||
				    memcmp(root, roots[size], OT_HASH_SIZE) != 0)
					mismatches++;
			}
		}
		ot_log_close(log);
		ot_store_close(st);
	}
	pthread_join(w, NULL);
	printf("log readers: %d opens, %d refreshes beside %d appends; last size %llu\n", opens,
	       refreshes, WRITES, (unsigned long long)last);
	CHECK(failures == 0);
	CHECK(opens == rounds);
	CHECK(shrinks == 0);
	CHECK(mismatches == 0);
	CHECK(atomic_load(&write_failures) == 0);
	ot_signer_free(signer);
	return test_done("test_log_readers");
}
