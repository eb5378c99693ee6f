/*
 * proof.h: verification of RFC 9162 inclusion and consistency proofs
 * (sections 2.1.3.2 and 2.1.4.2), and the Merkle tree hash of a range of
 * leaves (2.1.1) over whatever holds the node hashes. Pure functions: no
 * log, no store. Proofs are arrays of 32-byte hashes, `n` of them, in RFC
 * order.
 */
#ifndef ORETRAIL_PROOF_H
#define ORETRAIL_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/hash.h"
#include "oretrail/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The longest proof for a tree of at most 2^63 leaves. */
#define OT_PROOF_MAX 64

/* Reads the hash of the perfect subtree at `level` (its height; 0 = a leaf)
 * and `index` (from the left at that level) into out. Returns OT_OK; or,
 * for level > 0 only, OT_ERR_NOTFOUND when the reader keeps no hash at that
 * level (a reader of leaf hashes alone), and ot_range_hash then hashes the
 * subtree's two halves; any other status stops ot_range_hash and is
 * returned. Only subtrees complete in the range hashed are asked for. */
typedef ot_status (*ot_node_reader)(void *ctx, unsigned level, uint64_t index,
                                    uint8_t out[OT_HASH_SIZE]);

/* MTH(D[start:end]) per RFC 9162 2.1.1 (the RFC 6962 Merkle tree hash of
 * leaves [start, end)) into out, reading node hashes through rd(ctx, ...):
 * a reader of stored subtrees makes it O(log n) reads, a reader of leaves
 * only O(end - start) hashes. start == end gives the empty tree's hash.
 * Returns OT_OK, OT_ERR_ARG when end < start, or the reader's status.
 * Thread-safe as far as the reader is. */
OT_EXPORT ot_status ot_range_hash(ot_node_reader rd, void *ctx, uint64_t start, uint64_t end,
                                  uint8_t out[OT_HASH_SIZE]);

/* Checks that `leaf_hash` is at `index` in the tree of `tree_size` leaves
 * whose root is `root`. Returns OT_OK or OT_ERR_VERIFY (OT_ERR_RANGE when
 * index >= tree_size). */
OT_EXPORT OT_NODISCARD ot_status ot_verify_inclusion(uint64_t index, uint64_t tree_size,
                                                     const uint8_t leaf_hash[OT_HASH_SIZE],
                                                     const uint8_t (*proof)[OT_HASH_SIZE], size_t n,
                                                     const uint8_t root[OT_HASH_SIZE]);

/*
 * Multi-proofs: the inclusion of several leaves at once in the tree of
 * `tree_size` leaves, as provenance certificates carry it (docs/
 * certificate.md, "The merged proof"). `indexes` (n of them) are strictly
 * increasing and below tree_size. The proof is the hash of every maximal
 * subtree that holds none of them, each once, in the order a walk from the
 * root meets them: left subtree before right, the tree split as RFC 9162
 * 2.1.1 splits it.
 */
/* How many nodes the multi-proof of these indexes has: OT_OK, or
 * OT_ERR_RANGE when the indexes are not increasing inside the tree. */
OT_EXPORT ot_status ot_multiproof_count(uint64_t tree_size, const uint64_t *indexes, size_t n,
                                        size_t *count);
/* Checks that leaf_hashes[i] is at indexes[i] for every i, given the n_nodes
 * nodes of the multi-proof: OT_OK, OT_ERR_VERIFY (the root differs, or the
 * nodes are too few or too many) or OT_ERR_RANGE (bad indexes). */
OT_EXPORT OT_NODISCARD ot_status ot_verify_multiproof(uint64_t tree_size, const uint64_t *indexes,
                                                      const uint8_t (*leaf_hashes)[OT_HASH_SIZE],
                                                      size_t n,
                                                      const uint8_t (*nodes)[OT_HASH_SIZE],
                                                      size_t n_nodes,
                                                      const uint8_t root[OT_HASH_SIZE]);
/* Checks that the tree of size1 leaves with root1 is a prefix of the tree of
 * size2 leaves with root2. Returns OT_OK or OT_ERR_VERIFY. */
OT_EXPORT OT_NODISCARD ot_status ot_verify_consistency(uint64_t size1, uint64_t size2,
                                                       const uint8_t root1[OT_HASH_SIZE],
                                                       const uint8_t root2[OT_HASH_SIZE],
                                                       const uint8_t (*proof)[OT_HASH_SIZE],
                                                       size_t n);

#ifdef __cplusplus
}
#endif
#endif
