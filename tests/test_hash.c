/*
 * test_hash.c: the paired hashing of log/hash_int.h against the one-message
 * path (OpenSSL's SHA256_*, through ot_sha256 and ot_leaf_hash).
 *
 * ot_node_hash itself takes the SHA-NI path where there is one, so node
 * hashes are compared with ot_sha256(0x01 || left || right), which stays
 * on OpenSSL (it is bench_log's ceiling).
 *
 * Known answers made at run time: random messages of every length 0..300,
 * paired with every other length (so that the two messages of a pair end in
 * different blocks, and in the same one), hashed both ways; a few fixed
 * digests from FIPS 180-4's examples; and tree roots of a log whose append
 * path hashes in pairs, against a reference tree hashed one node at a time,
 * for every size up to 1100 and for sizes around tile boundaries (256,
 * 65536). The seed is printed; OT_TEST_SEED repeats a run.
 */
#include <stdlib.h>
#include <string.h>

#include "log/hash_int.h"
#include "oretrail/log.h"
#include "oretrail/note.h"
#include "oretrail/store.h"
#include "test.h"

#define MAX_LEN 300

static uint8_t msg_a[MAX_LEN + 1], msg_b[MAX_LEN + 1];

static void fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)test_rand();
}

static void hex(const uint8_t h[OT_HASH_SIZE], char out[2 * OT_HASH_SIZE + 1])
{
	for (int i = 0; i < OT_HASH_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* RFC 6962's node hash through OpenSSL alone. */
static void ref_node(const uint8_t l[OT_HASH_SIZE], const uint8_t r[OT_HASH_SIZE],
                     uint8_t out[OT_HASH_SIZE])
{
	uint8_t msg[1 + 2 * OT_HASH_SIZE];
	msg[0] = 0x01;
	memcpy(msg + 1, l, OT_HASH_SIZE);
	memcpy(msg + 1 + OT_HASH_SIZE, r, OT_HASH_SIZE);
	ot_sha256(msg, sizeof msg, out);
}

/* FIPS 180-4 example digests, through the paired path. */
static void fixed_answers(void)
{
	uint8_t h0[OT_HASH_SIZE], h1[OT_HASH_SIZE];
	char x0[65], x1[65];
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	otx_sha256_x2("abc", 3, two, strlen(two), h0, h1);
	hex(h0, x0);
	hex(h1, x1);
	CHECK_STR(x0, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_STR(x1, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	otx_sha256_x2("", 0, "abc", 3, h0, h1);
	hex(h0, x0);
	CHECK_STR(x0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* Every length of one message against every length of the other. */
static void messages(void)
{
	int bad_sha = 0, bad_leaf = 0;
	for (size_t la = 0; la <= MAX_LEN; la++) {
		for (size_t lb = 0; lb <= MAX_LEN; lb += (la % 7) + 1) {
			fill(msg_a, la);
			fill(msg_b, lb);
			uint8_t want_a[OT_HASH_SIZE], want_b[OT_HASH_SIZE];
			uint8_t got_a[OT_HASH_SIZE], got_b[OT_HASH_SIZE];
			ot_sha256(msg_a, la, want_a);
			ot_sha256(msg_b, lb, want_b);
			otx_sha256_x2(msg_a, la, msg_b, lb, got_a, got_b);
			if (memcmp(got_a, want_a, OT_HASH_SIZE) ||
			    memcmp(got_b, want_b, OT_HASH_SIZE)) {
				if (!bad_sha++)
					fprintf(stderr, "sha256 x2 differs at lengths %zu, %zu\n",
					        la, lb);
			}
			ot_leaf_hash(msg_a, la, want_a);
			ot_leaf_hash(msg_b, lb, want_b);
			otx_leaf_hash_x2(msg_a, la, msg_b, lb, got_a, got_b);
			if (memcmp(got_a, want_a, OT_HASH_SIZE) ||
			    memcmp(got_b, want_b, OT_HASH_SIZE)) {
				if (!bad_leaf++)
					fprintf(stderr,
					        "leaf hash x2 differs at lengths %zu, %zu\n", la,
					        lb);
			}
		}
	}
	CHECK(bad_sha == 0);
	CHECK(bad_leaf == 0);
}

/* Node hashes: pairs, and whole levels of every count up to 64, in place and
 * not, beside one reference node hash per parent. */
static void nodes(void)
{
	uint8_t l0[OT_HASH_SIZE], r0[OT_HASH_SIZE], l1[OT_HASH_SIZE], r1[OT_HASH_SIZE];
	uint8_t want0[OT_HASH_SIZE], want1[OT_HASH_SIZE], got0[OT_HASH_SIZE], got1[OT_HASH_SIZE];
	int bad = 0;
	for (int i = 0; i < 200; i++) {
		fill(l0, sizeof l0);
		fill(r0, sizeof r0);
		fill(l1, sizeof l1);
		fill(r1, sizeof r1);
		ref_node(l0, r0, want0);
		ref_node(l1, r1, want1);
		otx_node_hash_x2(l0, r0, l1, r1, got0, got1);
		bad += memcmp(got0, want0, OT_HASH_SIZE) != 0 ||
		       memcmp(got1, want1, OT_HASH_SIZE) != 0;
		ot_node_hash(l0, r0, got0);
		bad += memcmp(got0, want0, OT_HASH_SIZE) != 0;
	}
	CHECK(bad == 0);
	static uint8_t children[128][OT_HASH_SIZE], level[64][OT_HASH_SIZE], want[64][OT_HASH_SIZE];
	int bad_level = 0, bad_inplace = 0;
	for (size_t n = 1; n <= 64; n++) {
		fill(children[0], 2 * n * OT_HASH_SIZE);
		for (size_t k = 0; k < n; k++)
			ref_node(children[2 * k], children[2 * k + 1], want[k]);
		otx_node_hash_many((const uint8_t(*)[OT_HASH_SIZE])children, n, level);
		bad_level += memcmp(level, want, n * OT_HASH_SIZE) != 0;
		otx_node_hash_many((const uint8_t(*)[OT_HASH_SIZE])children, n, children);
		bad_inplace += memcmp(children, want, n * OT_HASH_SIZE) != 0;
	}
	CHECK(bad_level == 0);
	CHECK(bad_inplace == 0);
	/* Leaves of a batch, odd and even counts, entries of mixed lengths. */
	const uint8_t *ptrs[9];
	size_t lens[9];
	static uint8_t bodies[9][MAX_LEN];
	uint8_t leaves[9][OT_HASH_SIZE];
	int bad_leaves = 0;
	for (size_t n = 1; n <= 9; n++) {
		for (size_t k = 0; k < n; k++) {
			lens[k] = (size_t)(test_rand() % MAX_LEN);
			fill(bodies[k], lens[k]);
			ptrs[k] = bodies[k];
		}
		otx_leaf_hash_many(ptrs, lens, n, leaves);
		for (size_t k = 0; k < n; k++) {
			ot_leaf_hash(ptrs[k], lens[k], want0);
			bad_leaves += memcmp(leaves[k], want0, OT_HASH_SIZE) != 0;
		}
	}
	CHECK(bad_leaves == 0);
}

/* MTH(D[0:n]) per RFC 9162 2.1.1, one node at a time (OpenSSL path). */
static void ref_root(const uint8_t (*leaves)[OT_HASH_SIZE], uint64_t n, uint8_t out[OT_HASH_SIZE])
{
	if (n == 1) {
		memcpy(out, leaves[0], OT_HASH_SIZE);
		return;
	}
	uint64_t k = 1;
	while (k * 2 < n)
		k *= 2;
	uint8_t l[OT_HASH_SIZE], r[OT_HASH_SIZE];
	ref_root(leaves, k, l);
	ref_root(leaves + k, n - k, r);
	ref_node(l, r, out);
}

static size_t entry_for(uint64_t i, uint8_t *buf)
{
	size_t len = 1 + (size_t)(i * 37 % 200);
	for (size_t j = 0; j < len; j++)
		buf[j] = (uint8_t)(i * 131 + j);
	return len;
}

/* A log appended in batches of random sizes (so that batches start and end
 * anywhere in a tile): its roots against the reference at chosen sizes. */
static void tree_roots(void)
{
	enum {
		N = 66000
	};
	static uint8_t leaves[N][OT_HASH_SIZE];
	static uint8_t bodies[512][200];
	const uint8_t *ptrs[512];
	size_t lens[512];
	ot_error err;
	ot_store *st = NULL;
	ot_signer *signer = NULL;
	ot_log *log = NULL;
	CHECK_OK(ot_signer_generate("test.example/hash", &signer, &err));
	CHECK_OK(ot_store_open(OT_STORE_MEMORY, OT_STORE_CREATE, &st, &err));
	if (st && signer) {
		CHECK_OK(ot_log_create(st, "test.example/hash", signer, &err));
		CHECK_OK(ot_log_open(st, signer, &log, &err));
	}
	if (!log) {
		ot_store_close(st);
		ot_signer_free(signer);
		return;
	}
	uint64_t size = 0;
	int bad = 0, checked = 0;
	while (size < N) {
		size_t batch = (size_t)(test_rand() % 512) + 1;
		if (size < 1100)
			batch = (size_t)(test_rand() % 4) + 1;
		if (batch > N - size)
			batch = (size_t)(N - size);
		for (size_t k = 0; k < batch; k++) {
			lens[k] = entry_for(size + k, bodies[k]);
			ptrs[k] = bodies[k];
			ot_leaf_hash(bodies[k], lens[k], leaves[size + k]);
		}
		CHECK_OK(ot_log_append(log, ptrs, lens, batch, NULL, &err));
		uint64_t prev = size;
		size += batch;
		/* Every size up to 1100, then the batch ends, and each
		 * multiple of 256 passed (a tile completed inside the batch). */
		for (uint64_t s = prev + 1; s <= size; s++) {
			if (s > 1100 && s != size && s % 256 != 0 && s % 256 != 1)
				continue;
			uint8_t want[OT_HASH_SIZE], got[OT_HASH_SIZE];
			ref_root((const uint8_t(*)[OT_HASH_SIZE])leaves, s, want);
			CHECK_OK(ot_log_tree_hash(log, s, got, &err));
			checked++;
			if (memcmp(got, want, OT_HASH_SIZE) != 0 && !bad++)
				fprintf(stderr, "root of %llu entries differs\n",
				        (unsigned long long)s);
		}
	}
	CHECK(bad == 0);
	CHECK(checked > 1100);
	printf("tree roots: %d sizes checked up to %d entries\n", checked, N);
	ot_log_close(log);
	ot_store_close(st);
	ot_signer_free(signer);
}

int main(void)
{
	const char *s = getenv("OT_TEST_SEED");
	uint64_t seed = s ? strtoull(s, NULL, 10) : 1;
	test_seed(seed);
	printf("seed %llu; paired hashing %s\n", (unsigned long long)seed,
	       otx_hash_accelerated() ? "with SHA-NI" : "without SHA-NI (one message at a time)");
	fixed_answers();
	messages();
	nodes();
	tree_roots();
	return test_done("test_hash");
}
