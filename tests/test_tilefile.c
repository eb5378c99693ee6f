/*
 * test_tilefile.c: the flat tile file beside a SQLite store (`<db>-tiles`,
 * src/store/tilefile.h), through the log that reads proofs from it.
 *
 * Every proof is checked against a reference tree built here from the
 * entries (one node hash at a time), so a wrong tile read from the file
 * fails a check. The file's header is poked as a crash would leave it: a
 * count behind the records (their sync done, the count's write lost),
 * garbage past the count (a transaction's records written, then a crash
 * before its count), and a file left beside a new store at the same path.
 * Each time the proofs must stay right and the next commit must bring the
 * count back to all the full tiles.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oretrail/log.h"
#include "oretrail/note.h"
#include "oretrail/proof.h"
#include "oretrail/store.h"
#include "test.h"

#define COUNT_AT 64 /* tilefile.c: the magic (32 bytes), the store's id (32) */
#define HEADER 4096
#define RECORD (510 * 32)
#define MAX_ENTRIES 70000

static uint8_t (*leaves)[OT_HASH_SIZE];

static size_t entry_for(uint64_t i, uint64_t salt, uint8_t *buf)
{
	size_t len = 1 + (size_t)((i * 2654435761u + salt) % 40);
	for (size_t k = 0; k < len; k++)
		buf[k] = (uint8_t)(i * 31 + k * 7 + salt);
	return len;
}

/* MTH(D[0:n]) of the reference leaves, RFC 9162 2.1.1. */
static void ref_root(const uint8_t (*l)[OT_HASH_SIZE], uint64_t n, uint8_t out[OT_HASH_SIZE])
{
	if (n == 1) {
		memcpy(out, l[0], OT_HASH_SIZE);
		return;
	}
	uint64_t k = 1;
	while (k * 2 < n)
		k *= 2;
	uint8_t a[OT_HASH_SIZE], b[OT_HASH_SIZE];
	ref_root(l, k, a);
	ref_root(l + k, n - k, b);
	ot_node_hash(a, b, out);
}

/* Appends entries [from, to) in batches of 1000, salted. */
static void append(ot_log *log, uint64_t from, uint64_t to, uint64_t salt)
{
	static uint8_t bodies[1000][64];
	const uint8_t *ptrs[1000];
	size_t lens[1000];
	ot_error err;
	for (uint64_t at = from; at < to;) {
		size_t n = to - at < 1000 ? (size_t)(to - at) : 1000;
		for (size_t k = 0; k < n; k++) {
			lens[k] = entry_for(at + k, salt, bodies[k]);
			ptrs[k] = bodies[k];
			ot_leaf_hash(bodies[k], lens[k], leaves[at + k]);
		}
		CHECK_OK(ot_log_append(log, ptrs, lens, n, NULL, &err));
		at += n;
	}
}

/* Proofs of random entries in random (and the full) tree sizes, checked
 * against the reference roots. */
static void check_proofs(ot_log *log, int rounds)
{
	uint64_t full = ot_log_size(log);
	int bad = 0;
	for (int r = 0; r < rounds; r++) {
		uint64_t size = r % 2 ? full : 1 + test_rand() % full;
		uint64_t index = test_rand() % size;
		uint8_t proof[OT_PROOF_MAX][OT_HASH_SIZE], root[OT_HASH_SIZE];
		size_t n = 0;
		ot_error err;
		CHECK_OK(ot_log_inclusion_proof(log, index, size, proof, &n, &err));
		ref_root((const uint8_t(*)[OT_HASH_SIZE])leaves, size, root);
		if (ot_verify_inclusion(index, size, leaves[index],
		                        (const uint8_t(*)[OT_HASH_SIZE])proof, n, root) != OT_OK &&
		    !bad++)
			fprintf(stderr, "proof of %llu in %llu does not verify\n",
			        (unsigned long long)index, (unsigned long long)size);
	}
	CHECK(bad == 0);
}

static uint64_t read_count(const char *tiles)
{
	int fd = open(tiles, O_RDONLY);
	uint8_t b[8] = {0};
	CHECK(fd >= 0 && pread(fd, b, 8, COUNT_AT) == 8);
	if (fd >= 0)
		close(fd);
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static void poke(const char *tiles, off_t at, const void *data, size_t len)
{
	int fd = open(tiles, O_WRONLY);
	CHECK(fd >= 0 && pwrite(fd, data, len, at) == (ssize_t)len);
	if (fd >= 0)
		close(fd);
}

static void set_count(const char *tiles, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	poke(tiles, COUNT_AT, b, 8);
}

/* Full tiles of a log of n entries: level 0, and level 1 (n < 2^24). */
static uint64_t full_tiles(uint64_t n)
{
	return n / 256 + n / 65536;
}

static ot_log *open_log(const char *path, int flags, ot_signer *signer, ot_store **st)
{
	ot_error err;
	ot_log *log = NULL;
	*st = NULL;
	CHECK_OK(ot_store_open(path, flags, st, &err));
	if (*st && (flags & OT_STORE_CREATE))
		CHECK_OK(ot_log_create(*st, "test.example/tiles", signer, &err));
	if (*st)
		CHECK_OK(ot_log_open(*st, signer, &log, &err));
	return log;
}

static void close_log(ot_log *log, ot_store *st)
{
	ot_log_close(log);
	ot_store_close(st);
}

int main(void)
{
	test_seed(7);
	leaves = calloc(MAX_ENTRIES, OT_HASH_SIZE);
	const char *dir = test_tmpdir("tilefile");
	char path[4200], tiles[4300], gone[4300];
	snprintf(path, sizeof path, "%s/t.db", dir);
	snprintf(tiles, sizeof tiles, "%s-tiles", path);
	ot_error err;
	ot_signer *signer = NULL;
	CHECK_OK(ot_signer_generate("test.example/tiles", &signer, &err));
	ot_store *st = NULL;

	/* 66,000 entries: 257 full level-0 tiles and the first level-1 tile,
	 * whose slot comes right after level-0 tile 255's. */
	ot_log *log = open_log(path, OT_STORE_CREATE, signer, &st);
	if (!log)
		return test_done("test_tilefile");
	append(log, 0, 66000, 0);
	CHECK(access(tiles, F_OK) == 0);
	CHECK(read_count(tiles) == full_tiles(66000));
	check_proofs(log, 400);
	close_log(log, st);

	/* A reader (read-only) uses the file as it is. */
	log = open_log(path, OT_STORE_READONLY, NULL, &st);
	if (log)
		check_proofs(log, 400);
	close_log(log, st);

	/* A crash between the records and the count: the count is behind and
	 * the slots past it hold garbage. Readers keep to the count; the next
	 * commit that completes a tile refills the gap from the database. */
	set_count(tiles, 10);
	static uint8_t junk[RECORD];
	memset(junk, 0xa5, sizeof junk);
	poke(tiles, HEADER + 20 * (off_t)RECORD, junk, sizeof junk);
	poke(tiles, HEADER + 256 * (off_t)RECORD, junk, sizeof junk); /* level-1 tile 0 */
	log = open_log(path, 0, signer, &st);
	if (log) {
		check_proofs(log, 400);
		append(log, 66000, 66600, 0);
		CHECK(read_count(tiles) == full_tiles(66600));
		check_proofs(log, 400);
	}
	close_log(log, st);

	/* Damage to a counted record: the store's check (verify-log's) names
	 * the file and the tile; deleted, the file is rebuilt. */
	poke(tiles, HEADER + 5 * (off_t)RECORD, junk, 64);
	log = open_log(path, 0, signer, &st);
	if (log) {
		ot_error e;
		CHECK_RC(ot_store_check(st, &e), OT_ERR_CORRUPT);
		CHECK(strstr(e.message, "-tiles: tile 0/5 differs") != NULL);
	}
	close_log(log, st);
	CHECK(unlink(tiles) == 0);
	log = open_log(path, 0, signer, &st);
	if (log) {
		append(log, 66600, 66900, 0);
		CHECK(read_count(tiles) == full_tiles(66900));
		CHECK_OK(ot_store_check(st, &err));
		check_proofs(log, 400);
	}
	close_log(log, st);

	/* A new store at the same path, the old file left beside it: the file
	 * names the old store, so it is started over, not believed. */
	snprintf(gone, sizeof gone, "%s-wal", path);
	unlink(gone);
	snprintf(gone, sizeof gone, "%s-shm", path);
	unlink(gone);
	CHECK(unlink(path) == 0);
	log = open_log(path, OT_STORE_CREATE, signer, &st);
	if (log) {
		CHECK(read_count(tiles) == 0);
		append(log, 0, 3000, 99);
		CHECK(read_count(tiles) == full_tiles(3000));
		check_proofs(log, 400);
	}
	close_log(log, st);

	ot_signer_free(signer);
	free(leaves);
	return test_done("test_tilefile");
}
