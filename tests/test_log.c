/*
 * test_log.c: the Merkle log against an independent in-memory reference.
 *
 * The reference keeps RFC 6962 roots for every tree size with a stack of
 * perfect subtrees (a binary counter), which shares no code with the
 * tile-based log. Property tests: for random m <= n every inclusion and
 * consistency proof verifies, and a flipped bit anywhere (proof, root, leaf,
 * index, size) makes it fail. Also: reopen, rollback, entry limits, tiles.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oretrail/log.h"
#include "oretrail/proof.h"
#include "test.h"

#define N 70000 /* crosses into level-2 tiles (65536) */

static uint8_t (*roots)[OT_HASH_SIZE]; /* roots[n] = MTH of the first n entries */
static uint8_t (*leaves)[OT_HASH_SIZE];

/* Reference: binary counter of perfect subtree roots. */
static uint8_t stack[64][OT_HASH_SIZE];
static unsigned heights[64];
static int depth;

static void ref_push(const uint8_t leaf[OT_HASH_SIZE])
{
	memcpy(stack[depth], leaf, OT_HASH_SIZE);
	heights[depth++] = 0;
	while (depth >= 2 && heights[depth - 1] == heights[depth - 2]) {
		ot_node_hash(stack[depth - 2], stack[depth - 1], stack[depth - 2]);
		heights[depth - 2]++;
		depth--;
	}
}

static void ref_root(uint8_t out[OT_HASH_SIZE])
{
	memcpy(out, stack[depth - 1], OT_HASH_SIZE);
	for (int i = depth - 2; i >= 0; i--)
		ot_node_hash(stack[i], out, out);
}

static size_t entry_for(uint64_t i, uint8_t *buf)
{
	/* Varied lengths, 1..300 bytes. */
	size_t len = 1 + (size_t)((i * 2654435761u) % 300);
	for (size_t k = 0; k < len; k++)
		buf[k] = (uint8_t)(i * 31 + k * 7);
	return len;
}

static ot_log *build(ot_store *st, ot_signer *signer)
{
	ot_error err;
	ot_log *log = NULL;
	CHECK_OK(ot_log_create(st, "test.example/log", signer, &err));
	CHECK_OK(ot_log_open(st, signer, &log, &err));
	if (!log)
		return NULL;
	ot_empty_root(roots[0]);
	static uint8_t bufs[1000][300];
	const uint8_t *ptrs[1000];
	size_t lens[1000];
	uint64_t i = 0;
	test_seed(7);
	while (i < N) {
		size_t batch = 1 + (size_t)(test_rand() % 1000);
		if (i + batch > N)
			batch = N - i;
		for (size_t k = 0; k < batch; k++) {
			lens[k] = entry_for(i + k, bufs[k]);
			ptrs[k] = bufs[k];
			ot_leaf_hash(bufs[k], lens[k], leaves[i + k]);
			ref_push(leaves[i + k]);
			ref_root(roots[i + k + 1]);
		}
		uint64_t first = 0;
		CHECK_OK(ot_log_append(log, ptrs, lens, batch, &first, &err));
		CHECK(first == i);
		i += batch;
		CHECK(ot_log_size(log) == i);
	}
	return log;
}

static void check_roots(ot_log *log)
{
	ot_error err;
	uint8_t r[OT_HASH_SIZE];
	for (uint64_t n = 0; n <= 1100; n++) {
		CHECK_OK(ot_log_tree_hash(log, n, r, &err));
		CHECK(memcmp(r, roots[n], OT_HASH_SIZE) == 0);
	}
	uint64_t sizes[] = {65535, 65536, 65537, N - 1, N};
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		CHECK_OK(ot_log_tree_hash(log, sizes[k], r, &err));
		CHECK(memcmp(r, roots[sizes[k]], OT_HASH_SIZE) == 0);
	}
	for (int k = 0; k < 2000; k++) {
		uint64_t n = test_rand() % (N + 1);
		CHECK_OK(ot_log_tree_hash(log, n, r, &err));
		CHECK(memcmp(r, roots[n], OT_HASH_SIZE) == 0);
	}
	CHECK_RC(ot_log_tree_hash(log, N + 1, r, &err), OT_ERR_RANGE);
	for (int k = 0; k < 1000; k++) {
		uint64_t i = test_rand() % N;
		CHECK_OK(ot_log_leaf_hash(log, i, r, &err));
		CHECK(memcmp(r, leaves[i], OT_HASH_SIZE) == 0);
	}
}

static void flip(uint8_t *h, uint64_t bit)
{
	h[bit / 8 % OT_HASH_SIZE] ^= (uint8_t)(1u << (bit % 8));
}

static void check_inclusion(ot_log *log, uint64_t m, uint64_t n)
{
	ot_error err;
	uint8_t proof[OT_PROOF_MAX][OT_HASH_SIZE];
	size_t count = 0;
	CHECK_OK(ot_log_inclusion_proof(log, m, n, proof, &count, &err));
	const uint8_t(*p)[OT_HASH_SIZE] = (const uint8_t(*)[OT_HASH_SIZE])proof;
	CHECK_OK(ot_verify_inclusion(m, n, leaves[m], p, count, roots[n]));
	uint8_t leaf[OT_HASH_SIZE], root[OT_HASH_SIZE];
	memcpy(leaf, leaves[m], OT_HASH_SIZE);
	flip(leaf, test_rand());
	CHECK(ot_verify_inclusion(m, n, leaf, p, count, roots[n]) != OT_OK);
	memcpy(root, roots[n], OT_HASH_SIZE);
	flip(root, test_rand());
	CHECK(ot_verify_inclusion(m, n, leaves[m], p, count, root) != OT_OK);
	if (count) {
		size_t k = test_rand() % count;
		flip(proof[k], test_rand());
		CHECK(ot_verify_inclusion(m, n, leaves[m], p, count, roots[n]) != OT_OK);
		flip(proof[k], 0); /* not necessarily the same bit: restore fully below */
		CHECK_OK(ot_log_inclusion_proof(log, m, n, proof, &count, &err));
		CHECK(ot_verify_inclusion(m, n, leaves[m], p, count - 1, roots[n]) != OT_OK);
	}
	if (count < OT_PROOF_MAX) {
		memcpy(proof[count], roots[n], OT_HASH_SIZE);
		CHECK(ot_verify_inclusion(m, n, leaves[m], p, count + 1, roots[n]) != OT_OK);
	}
	if (m + 1 < n)
		CHECK(ot_verify_inclusion(m + 1, n, leaves[m], p, count, roots[n]) != OT_OK);
	/* A proof for (m, n) may also fit (m, n+1): the root, signed with its
	 * size in the checkpoint, is what binds the size, so no check here. */
}

static void check_consistency(ot_log *log, uint64_t m, uint64_t n)
{
	ot_error err;
	uint8_t proof[OT_PROOF_MAX][OT_HASH_SIZE];
	size_t count = 0;
	CHECK_OK(ot_log_consistency_proof(log, m, n, proof, &count, &err));
	const uint8_t(*p)[OT_HASH_SIZE] = (const uint8_t(*)[OT_HASH_SIZE])proof;
	CHECK_OK(ot_verify_consistency(m, n, roots[m], roots[n], p, count));
	if (m == 0)
		return; /* the empty tree is a prefix of every tree */
	uint8_t r[OT_HASH_SIZE];
	memcpy(r, roots[m], OT_HASH_SIZE);
	flip(r, test_rand());
	CHECK(ot_verify_consistency(m, n, r, roots[n], p, count) != OT_OK);
	memcpy(r, roots[n], OT_HASH_SIZE);
	flip(r, test_rand());
	CHECK(ot_verify_consistency(m, n, roots[m], r, p, count) != OT_OK);
	if (count) {
		size_t k = test_rand() % count;
		flip(proof[k], test_rand());
		CHECK(ot_verify_consistency(m, n, roots[m], roots[n], p, count) != OT_OK);
		CHECK_OK(ot_log_consistency_proof(log, m, n, proof, &count, &err));
		CHECK(ot_verify_consistency(m, n, roots[m], roots[n], p, count - 1) != OT_OK);
	}
	if (m < n && m > 1)
		CHECK(ot_verify_consistency(m - 1, n, roots[m], roots[n], p, count) != OT_OK);
}

/* Whether h is one of the inclusion proof hashes of the leaves idx[0..k). */
static int in_some_proof(ot_log *log, const uint64_t *idx, size_t k, uint64_t n,
                         const uint8_t h[OT_HASH_SIZE])
{
	uint8_t proof[OT_PROOF_MAX][OT_HASH_SIZE];
	for (size_t i = 0; i < k; i++) {
		size_t count = 0;
		if (ot_log_inclusion_proof(log, idx[i], n, proof, &count, NULL))
			return 0;
		for (size_t j = 0; j < count; j++)
			if (memcmp(proof[j], h, OT_HASH_SIZE) == 0)
				return 1;
	}
	return 0;
}

/* The multi-proof of k random leaves of the tree of n (k <= 64): it verifies
 * against the reference root, has the size ot_multiproof_count says, takes
 * its nodes from the leaves' own inclusion proofs, and a flipped
 * bit in a node, a leaf or the root, a node too few or too many, or a moved
 * index makes it fail. */
static void check_multiproof(ot_log *log, uint64_t n, size_t k)
{
	uint64_t idx[64];
	uint8_t lh[64][OT_HASH_SIZE];
	size_t m = 0;
	ot_error err;
	for (size_t i = 0; i < k && i < n; i++) {
		uint64_t x = test_rand() % n;
		size_t at = 0;
		while (at < m && idx[at] < x)
			at++;
		if (at < m && idx[at] == x)
			continue;
		memmove(idx + at + 1, idx + at, (m - at) * sizeof *idx);
		idx[at] = x;
		m++;
	}
	for (size_t i = 0; i < m; i++)
		memcpy(lh[i], leaves[idx[i]], OT_HASH_SIZE);
	uint8_t(*nodes)[OT_HASH_SIZE] = NULL;
	size_t nn = 0, want = 0;
	CHECK_OK(ot_log_multiproof(log, idx, m, n, &nodes, &nn, &err));
	CHECK_OK(ot_multiproof_count(n, idx, m, &want));
	CHECK(want == nn);
	const uint8_t(*l)[OT_HASH_SIZE] = (const uint8_t(*)[OT_HASH_SIZE])lh;
	const uint8_t(*p)[OT_HASH_SIZE] = (const uint8_t(*)[OT_HASH_SIZE])nodes;
	CHECK_OK(ot_verify_multiproof(n, idx, l, m, p, nn, roots[n]));
	for (size_t j = 0; m > 0 && j < nn; j++)
		CHECK(in_some_proof(log, idx, m, n, nodes[j]));
	if (m == 0) /* no leaf: the proof is the root */
		CHECK(nn == 1 && memcmp(nodes[0], roots[n], OT_HASH_SIZE) == 0);
	if (m == 1) {
		uint8_t proof[OT_PROOF_MAX][OT_HASH_SIZE];
		size_t count = 0;
		CHECK_OK(ot_log_inclusion_proof(log, idx[0], n, proof, &count, &err));
		CHECK(count == nn);
	}
	uint8_t root[OT_HASH_SIZE];
	memcpy(root, roots[n], OT_HASH_SIZE);
	flip(root, test_rand());
	CHECK(ot_verify_multiproof(n, idx, l, m, p, nn, root) == OT_ERR_VERIFY);
	if (m > 0) {
		size_t i = test_rand() % m;
		flip(lh[i], test_rand());
		CHECK(ot_verify_multiproof(n, idx, l, m, p, nn, roots[n]) == OT_ERR_VERIFY);
		memcpy(lh[i], leaves[idx[i]], OT_HASH_SIZE);
		/* The same leaf hash at the next index (when it is free). */
		if (idx[i] + 1 < n && (i + 1 == m || idx[i + 1] > idx[i] + 1)) {
			idx[i]++;
			CHECK(ot_verify_multiproof(n, idx, l, m, p, nn, roots[n]) != OT_OK);
			idx[i]--;
		}
	}
	if (nn > 0) {
		size_t j = test_rand() % nn;
		flip(nodes[j], test_rand());
		CHECK(ot_verify_multiproof(n, idx, l, m, p, nn, roots[n]) == OT_ERR_VERIFY);
		CHECK(ot_verify_multiproof(n, idx, l, m, p, nn - 1, roots[n]) == OT_ERR_VERIFY);
	}
	uint8_t(*more)[OT_HASH_SIZE] = realloc(nodes, (nn + 1) * sizeof *more);
	if (more) {
		nodes = more;
		memcpy(nodes[nn], roots[n], OT_HASH_SIZE);
		CHECK(ot_verify_multiproof(n, idx, l, m, (const uint8_t(*)[OT_HASH_SIZE])nodes,
		                           nn + 1, roots[n]) == OT_ERR_VERIFY);
	}
	free(nodes);
	/* Indexes out of order or outside the tree. */
	if (m >= 2) {
		uint64_t t = idx[0];
		idx[0] = idx[1];
		idx[1] = t;
		CHECK_RC(ot_multiproof_count(n, idx, m, &want), OT_ERR_RANGE);
		idx[1] = idx[0];
		idx[0] = t;
	}
	idx[m] = n;
	CHECK_RC(ot_multiproof_count(n, idx, m + 1, &want), OT_ERR_RANGE);
	CHECK_RC(ot_log_multiproof(log, idx, m + 1, n, &nodes, &nn, &err), OT_ERR_RANGE);
}

static void properties(ot_log *log)
{
	for (uint64_t n = 1; n <= 40; n++)
		for (size_t k = 0; k <= n; k++)
			check_multiproof(log, n, k);
	for (int k = 0; k < 300; k++)
		check_multiproof(log, 1 + test_rand() % N, test_rand() % 63);
	for (uint64_t n = 1; n <= 64; n++)
		for (uint64_t m = 0; m <= n; m++) {
			if (m < n)
				check_inclusion(log, m, n);
			check_consistency(log, m, n);
		}
	for (int k = 0; k < 3000; k++) {
		uint64_t n = 1 + test_rand() % N;
		uint64_t m = test_rand() % (n + 1);
		if (m < n)
			check_inclusion(log, m, n);
		check_consistency(log, m, n);
	}
}

static void tiles(ot_log *log)
{
	ot_error err;
	uint8_t *data = NULL;
	size_t len = 0;
	/* Level 0 tile 3: the leaf hashes 768..1023. */
	ot_tile t = {0, 3, 256};
	CHECK_OK(ot_log_read_tile(log, &t, &data, &len, &err));
	CHECK(len == 256 * OT_HASH_SIZE && memcmp(data, leaves[768], len) == 0);
	free(data);
	/* A partial read of the same full tile is its prefix. */
	t.width = 5;
	CHECK_OK(ot_log_read_tile(log, &t, &data, &len, &err));
	CHECK(len == 5 * OT_HASH_SIZE && memcmp(data, leaves[768], len) == 0);
	free(data);
	/* The last, partial tile: N % 256 = 112 leaves. */
	t.index = N / 256;
	t.width = N % 256;
	CHECK_OK(ot_log_read_tile(log, &t, &data, &len, &err));
	CHECK(len == (N % 256) * OT_HASH_SIZE && memcmp(data, leaves[N / 256 * 256], len) == 0);
	free(data);
	t.width = 256;
	CHECK_RC(ot_log_read_tile(log, &t, &data, &len, &err), OT_ERR_NOTFOUND);
	t.width = N % 256 + 1;
	CHECK_RC(ot_log_read_tile(log, &t, &data, &len, &err), OT_ERR_NOTFOUND);
	/* Level 1 tile 0 holds the roots of the first 256 level-0 tiles:
	 * the root of leaves [256k, 256k+256) is MTH of that range. */
	t.level = 1;
	t.index = 0;
	t.width = 256;
	CHECK_OK(ot_log_read_tile(log, &t, &data, &len, &err));
	CHECK(len == 256 * OT_HASH_SIZE);
	CHECK(data && memcmp(data, roots[256], OT_HASH_SIZE) == 0);
	free(data);
	/* Level 2 tile 0 has width 1 (one complete 65536-leaf subtree). */
	t.level = 2;
	t.width = 1;
	CHECK_OK(ot_log_read_tile(log, &t, &data, &len, &err));
	CHECK(len == OT_HASH_SIZE && data && memcmp(data, roots[65536], OT_HASH_SIZE) == 0);
	free(data);
	/* Entry bundle: big-endian uint16 length, then the bytes. */
	t.level = OT_TILE_LEVEL_ENTRIES;
	t.index = 1;
	t.width = 256;
	CHECK_OK(ot_log_read_tile(log, &t, &data, &len, &err));
	size_t pos = 0;
	for (uint64_t i = 256; i < 512 && data; i++) {
		uint8_t buf[300];
		size_t el = entry_for(i, buf);
		CHECK(pos + 2 + el <= len);
		if (pos + 2 + el > len)
			break;
		CHECK(((size_t)data[pos] << 8 | data[pos + 1]) == el);
		CHECK(memcmp(data + pos + 2, buf, el) == 0);
		pos += 2 + el;
	}
	CHECK(pos == len);
	free(data);
}

static void limits_and_rollback(ot_store *st, ot_log *log)
{
	ot_error err;
	uint64_t before = ot_log_size(log);
	uint8_t root_before[OT_HASH_SIZE];
	CHECK_OK(ot_log_tree_hash(log, before, root_before, &err));
	static uint8_t big[OT_ENTRY_MAX + 1];
	const uint8_t *ptrs[2] = {big, big};
	size_t lens[2] = {10, OT_ENTRY_MAX + 1};
	CHECK_RC(ot_log_append(log, ptrs, lens, 2, NULL, &err), OT_ERR_TOOBIG);
	CHECK(err.index == 1);
	lens[1] = 0;
	CHECK_RC(ot_log_append(log, ptrs, lens, 2, NULL, &err), OT_ERR_TOOBIG);
	CHECK(ot_log_size(log) == before);
	/* A transaction that appends, then rolls back, leaves nothing. */
	CHECK_OK(ot_store_begin(st, &err));
	lens[1] = OT_ENTRY_MAX;
	CHECK_OK(ot_log_append_in_txn(log, ptrs, lens, 2, NULL, &err));
	CHECK(ot_log_size(log) == before + 2);
	ot_store_rollback(st);
	ot_log_txn_end(log, 0);
	CHECK(ot_log_size(log) == before);
	uint8_t root_after[OT_HASH_SIZE];
	CHECK_OK(ot_log_tree_hash(log, before, root_after, &err));
	CHECK(memcmp(root_before, root_after, OT_HASH_SIZE) == 0);
	/* The largest entry fits. */
	CHECK_OK(ot_log_append(log, ptrs, lens, 2, NULL, &err));
	CHECK(ot_log_size(log) == before + 2);
}

int main(void)
{
	roots = calloc(N + 1, OT_HASH_SIZE);
	leaves = calloc(N, OT_HASH_SIZE);
	const char *dir = test_tmpdir("log");
	char path[4200];
	snprintf(path, sizeof path, "%s/log.db", dir);
	ot_error err;
	ot_store *st = NULL;
	ot_signer *signer = NULL;
	CHECK_OK(ot_signer_generate("test.example/log", &signer, &err));
	CHECK_OK(ot_store_open(path, OT_STORE_CREATE, &st, &err));
	ot_log *log = st ? build(st, signer) : NULL;
	if (log) {
		check_roots(log);
		properties(log);
		tiles(log);
		/* Reopen: the right edge comes back from the store. */
		ot_log_close(log);
		log = NULL;
		CHECK_OK(ot_log_open(st, signer, &log, &err));
		if (log) {
			CHECK(ot_log_size(log) == N);
			check_roots(log);
			tiles(log);
			char vkey[OT_VKEY_MAX];
			ot_verifier *v = NULL;
			CHECK_OK(ot_signer_vkey(signer, vkey, sizeof vkey));
			CHECK_OK(ot_verifier_parse(vkey, strlen(vkey), &v, &err));
			CHECK_OK(ot_log_verify(log, v, NULL, NULL, NULL, &err));
			limits_and_rollback(st, log);
			CHECK_OK(ot_log_verify(log, v, NULL, NULL, NULL, &err));
			ot_verifier_free(v);
		}
	}
	/* A second create on the same store is refused. */
	CHECK_RC(ot_log_create(st, "other", signer, &err), OT_ERR_EXISTS);
	/* Opening with another key than the log's is refused. */
	ot_signer *other = NULL;
	ot_log *l2 = NULL;
	CHECK_OK(ot_signer_generate("test.example/log", &other, &err));
	CHECK_RC(ot_log_open(st, other, &l2, &err), OT_ERR_KEY);
	ot_signer_free(other);
	ot_log_close(log);
	ot_store_close(st);
	ot_signer_free(signer);
	free(roots);
	free(leaves);
	return test_done("test_log");
}
