/*
 * merkle.c: RFC 9162 section 2.1 — Merkle tree hashes over stored perfect
 * subtrees, inclusion and consistency proofs, and their verification.
 *
 * Generation follows the RFC's recursive definitions (MTH, PATH, SUBPROOF)
 * on leaf ranges. Every range the recursion asks MTH of is either a perfect
 * subtree aligned to its size, which is read from storage in one step, or
 * splits into such a subtree and a smaller range; so a proof costs O(log n)
 * node reads and no leaf is ever rehashed.
 *
 * Verification follows the RFC's iterative algorithms (2.1.3.2, 2.1.4.2),
 * with the edge cases of transparency-dev/merkle: equal sizes need an empty
 * proof and equal roots; a first tree of size 0 is consistent with anything
 * given an empty proof.
 */
#include "log/merkle.h"

#include <string.h>

#include "oretrail/proof.h"

uint64_t otx_split_point(uint64_t n)
{
	uint64_t k = 1;
	while (k << 1 < n)
		k <<= 1;
	return k;
}

static int is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static unsigned log2_exact(uint64_t x)
{
	unsigned l = 0;
	while (x > 1) {
		x >>= 1;
		l++;
	}
	return l;
}

/* MTH of the perfect subtree (level, index): read, or hashed from its
 * halves when the reader keeps no hash at that level. */
static ot_status subtree_hash(ot_node_reader rd, void *ctx, unsigned level, uint64_t index,
                              uint8_t out[OT_HASH_SIZE])
{
	ot_status rc = rd(ctx, level, index, out);
	if (rc != OT_ERR_NOTFOUND || level == 0)
		return rc;
	uint8_t left[OT_HASH_SIZE], right[OT_HASH_SIZE];
	if ((rc = subtree_hash(rd, ctx, level - 1, index * 2, left)) ||
	    (rc = subtree_hash(rd, ctx, level - 1, index * 2 + 1, right)))
		return rc;
	ot_node_hash(left, right, out);
	return OT_OK;
}

ot_status ot_range_hash(ot_node_reader rd, void *ctx, uint64_t start, uint64_t end,
                        uint8_t out[OT_HASH_SIZE])
{
	if (end < start || !rd || !out)
		return OT_ERR_ARG;
	uint64_t len = end - start;
	if (len == 0) {
		ot_empty_root(out);
		return OT_OK;
	}
	if (is_pow2(len) && start % len == 0) {
		unsigned level = log2_exact(len);
		return subtree_hash(rd, ctx, level, start >> level, out);
	}
	uint64_t k = otx_split_point(len);
	uint8_t left[OT_HASH_SIZE], right[OT_HASH_SIZE];
	ot_status rc = ot_range_hash(rd, ctx, start, start + k, left);
	if (rc)
		return rc;
	rc = ot_range_hash(rd, ctx, start + k, end, right);
	if (rc)
		return rc;
	ot_node_hash(left, right, out);
	return OT_OK;
}

/* PATH(m, D[start:end]); appends to proof in RFC order (leaf side first). */
static ot_status path(ot_node_reader rd, void *ctx, uint64_t m, uint64_t start, uint64_t end,
                      uint8_t (*proof)[OT_HASH_SIZE], size_t *count)
{
	uint64_t n = end - start;
	if (n == 1)
		return OT_OK;
	uint64_t k = otx_split_point(n);
	ot_status rc;
	if (m < k) {
		rc = path(rd, ctx, m, start, start + k, proof, count);
		if (rc)
			return rc;
		rc = ot_range_hash(rd, ctx, start + k, end, proof[*count]);
	} else {
		rc = path(rd, ctx, m - k, start + k, end, proof, count);
		if (rc)
			return rc;
		rc = ot_range_hash(rd, ctx, start, start + k, proof[*count]);
	}
	if (rc)
		return rc;
	(*count)++;
	return OT_OK;
}

ot_status otx_inclusion_proof(ot_node_reader rd, void *ctx, uint64_t m, uint64_t n,
                              uint8_t (*proof)[OT_HASH_SIZE], size_t *count)
{
	*count = 0;
	if (m >= n)
		return OT_ERR_RANGE;
	return path(rd, ctx, m, 0, n, proof, count);
}

/* SUBPROOF(m, D[start:end], b). */
static ot_status subproof(ot_node_reader rd, void *ctx, uint64_t m, uint64_t start, uint64_t end,
                          int b, uint8_t (*proof)[OT_HASH_SIZE], size_t *count)
{
	uint64_t n = end - start;
	ot_status rc;
	if (m == n) {
		if (b)
			return OT_OK;
		rc = ot_range_hash(rd, ctx, start, end, proof[*count]);
		if (rc)
			return rc;
		(*count)++;
		return OT_OK;
	}
	uint64_t k = otx_split_point(n);
	if (m <= k) {
		rc = subproof(rd, ctx, m, start, start + k, b, proof, count);
		if (rc)
			return rc;
		rc = ot_range_hash(rd, ctx, start + k, end, proof[*count]);
	} else {
		rc = subproof(rd, ctx, m - k, start + k, end, 0, proof, count);
		if (rc)
			return rc;
		rc = ot_range_hash(rd, ctx, start, start + k, proof[*count]);
	}
	if (rc)
		return rc;
	(*count)++;
	return OT_OK;
}

ot_status otx_consistency_proof(ot_node_reader rd, void *ctx, uint64_t m, uint64_t n,
                                uint8_t (*proof)[OT_HASH_SIZE], size_t *count)
{
	*count = 0;
	if (m > n)
		return OT_ERR_RANGE;
	if (m == 0 || m == n)
		return OT_OK;
	return subproof(rd, ctx, m, 0, n, 1, proof, count);
}

static int hash_eq(const uint8_t a[OT_HASH_SIZE], const uint8_t b[OT_HASH_SIZE])
{
	uint8_t d = 0;
	for (int i = 0; i < OT_HASH_SIZE; i++)
		d |= (uint8_t)(a[i] ^ b[i]);
	return d == 0;
}

ot_status ot_verify_inclusion(uint64_t index, uint64_t tree_size,
                              const uint8_t leaf_hash[OT_HASH_SIZE],
                              const uint8_t (*proof)[OT_HASH_SIZE], size_t n,
                              const uint8_t root[OT_HASH_SIZE])
{
	if (index >= tree_size)
		return OT_ERR_RANGE;
	if (n > OT_PROOF_MAX || (n && !proof))
		return OT_ERR_VERIFY;
	uint64_t fn = index, sn = tree_size - 1;
	uint8_t r[OT_HASH_SIZE];
	memcpy(r, leaf_hash, OT_HASH_SIZE);
	for (size_t i = 0; i < n; i++) {
		if (sn == 0)
			return OT_ERR_VERIFY;
		if ((fn & 1) || fn == sn) {
			ot_node_hash(proof[i], r, r);
			if (!(fn & 1))
				while (fn != 0 && !(fn & 1)) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			ot_node_hash(r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || !hash_eq(r, root))
		return OT_ERR_VERIFY;
	return OT_OK;
}

ot_status ot_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t root1[OT_HASH_SIZE],
                                const uint8_t root2[OT_HASH_SIZE],
                                const uint8_t (*proof)[OT_HASH_SIZE], size_t n)
{
	if (size2 < size1)
		return OT_ERR_VERIFY;
	if (size1 == size2)
		return (n == 0 && hash_eq(root1, root2)) ? OT_OK : OT_ERR_VERIFY;
	if (size1 == 0)
		return n == 0 ? OT_OK : OT_ERR_VERIFY;
	if (n == 0 || n > OT_PROOF_MAX || !proof)
		return OT_ERR_VERIFY;

	/* When size1 is a power of two, the old root is itself the first node
	 * of the path and is not sent; otherwise the path starts with it. */
	size_t i = 0;
	const uint8_t *first = is_pow2(size1) ? root1 : proof[i++];
	uint64_t fn = size1 - 1, sn = size2 - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	uint8_t fr[OT_HASH_SIZE], sr[OT_HASH_SIZE];
	memcpy(fr, first, OT_HASH_SIZE);
	memcpy(sr, first, OT_HASH_SIZE);
	for (; i < n; i++) {
		if (sn == 0)
			return OT_ERR_VERIFY;
		if ((fn & 1) || fn == sn) {
			ot_node_hash(proof[i], fr, fr);
			ot_node_hash(proof[i], sr, sr);
			if (!(fn & 1))
				while (fn != 0 && !(fn & 1)) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			ot_node_hash(sr, proof[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0 || !hash_eq(fr, root1) || !hash_eq(sr, root2))
		return OT_ERR_VERIFY;
	return OT_OK;
}

/* ------------------------------------------------------------------ */
/* Multi-proofs (docs/certificate.md, "The merged proof")              */

/*
 * One walk serves the three uses: it visits the tree of `size` leaves from
 * the root, left subtree before right, and stops at every subtree that holds
 * none of the indexes (a node of the proof) and at every leaf that is one of
 * them. Generating, it reads each such node's hash (rd) and hands it to emit;
 * verifying, it takes the next of `nodes` instead and the leaves' hashes from
 * `leaves`, and hashes its way up to the root; counting, it does neither.
 */
typedef struct mp_walk {
	const uint64_t *idx;
	ot_node_reader rd; /* generate: node hashes from here ... */
	void *rd_ctx;
	ot_status (*emit)(void *ctx, const uint8_t hash[OT_HASH_SIZE]); /* ... to here */
	void *emit_ctx;
	const uint8_t (*leaves)[OT_HASH_SIZE]; /* verify: the leaves' hashes, */
	const uint8_t (*nodes)[OT_HASH_SIZE];  /* and the proof's nodes */
	size_t n_nodes;
	size_t used; /* nodes emitted, taken or counted */
} mp_walk;

/* The first of idx[a..b) at or beyond `at` (b when none). */
static size_t first_at(const uint64_t *idx, size_t a, size_t b, uint64_t at)
{
	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (idx[mid] < at)
			a = mid + 1;
		else
			b = mid;
	}
	return a;
}

/* The subtree of leaves [lo, hi), whose included indexes are idx[a..b);
 * its hash into out unless counting. */
static ot_status mp_visit(mp_walk *w, uint64_t lo, uint64_t hi, size_t a, size_t b,
                          uint8_t out[OT_HASH_SIZE])
{
	int hashing = w->rd || w->nodes;
	if (a == b) {
		ot_status rc = OT_OK;
		if (w->nodes) {
			if (w->used == w->n_nodes)
				return OT_ERR_VERIFY;
			memcpy(out, w->nodes[w->used], OT_HASH_SIZE);
		} else if (w->rd && !(rc = ot_range_hash(w->rd, w->rd_ctx, lo, hi, out)) &&
		           w->emit) {
			rc = w->emit(w->emit_ctx, out);
		}
		w->used++;
		return rc;
	}
	if (hi - lo == 1) {
		if (w->leaves)
			memcpy(out, w->leaves[a], OT_HASH_SIZE);
		else if (w->rd)
			return w->rd(w->rd_ctx, 0, lo, out);
		return OT_OK;
	}
	uint64_t k = otx_split_point(hi - lo);
	size_t m = first_at(w->idx, a, b, lo + k);
	uint8_t left[OT_HASH_SIZE], right[OT_HASH_SIZE];
	ot_status rc = mp_visit(w, lo, lo + k, a, m, left);
	if (!rc)
		rc = mp_visit(w, lo + k, hi, m, b, right);
	if (!rc && hashing)
		ot_node_hash(left, right, out);
	return rc;
}

/* The indexes are strictly increasing and inside the tree. */
static int mp_indexes_ok(uint64_t size, const uint64_t *idx, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (idx[i] >= size || (i > 0 && idx[i] <= idx[i - 1]))
			return 0;
	return size > 0;
}

ot_status ot_multiproof_count(uint64_t tree_size, const uint64_t *indexes, size_t n, size_t *count)
{
	if ((n && !indexes) || !count)
		return OT_ERR_ARG;
	if (!mp_indexes_ok(tree_size, indexes, n))
		return OT_ERR_RANGE;
	mp_walk w = {indexes, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0};
	uint8_t unused[OT_HASH_SIZE];
	ot_status rc = mp_visit(&w, 0, tree_size, 0, n, unused);
	*count = w.used;
	return rc;
}

ot_status otx_multiproof(ot_node_reader rd, void *ctx, uint64_t size, const uint64_t *indexes,
                         size_t n, ot_status (*emit)(void *ctx, const uint8_t hash[OT_HASH_SIZE]),
                         void *emit_ctx, uint8_t root[OT_HASH_SIZE])
{
	if (!mp_indexes_ok(size, indexes, n))
		return OT_ERR_RANGE;
	mp_walk w = {indexes, rd, ctx, emit, emit_ctx, NULL, NULL, 0, 0};
	return mp_visit(&w, 0, size, 0, n, root);
}

ot_status ot_verify_multiproof(uint64_t tree_size, const uint64_t *indexes,
                               const uint8_t (*leaf_hashes)[OT_HASH_SIZE], size_t n,
                               const uint8_t (*nodes)[OT_HASH_SIZE], size_t n_nodes,
                               const uint8_t root[OT_HASH_SIZE])
{
	if ((n && (!indexes || !leaf_hashes)) || (n_nodes && !nodes) || !root)
		return OT_ERR_ARG;
	if (!mp_indexes_ok(tree_size, indexes, n))
		return OT_ERR_RANGE;
	/* A walk with no nodes to take would count instead: give it one. */
	static const uint8_t none[1][OT_HASH_SIZE];
	mp_walk w = {indexes, NULL, NULL, NULL, NULL, leaf_hashes, n_nodes ? nodes : none,
	             n_nodes, 0};
	uint8_t got[OT_HASH_SIZE];
	ot_status rc = mp_visit(&w, 0, tree_size, 0, n, got);
	if (rc)
		return rc;
	if (w.used != n_nodes || !hash_eq(got, root))
		return OT_ERR_VERIFY;
	return OT_OK;
}
