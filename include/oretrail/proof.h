/*
 * proof.h: verification of RFC 9162 inclusion and consistency proofs
 * (sections 2.1.3.2 and 2.1.4.2). Pure functions: no log, no store.
 * Proofs are arrays of 32-byte hashes, `n` of them, in RFC order.
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

/* Checks that `leaf_hash` is at `index` in the tree of `tree_size` leaves
 * whose root is `root`. Returns OT_OK or OT_ERR_VERIFY (OT_ERR_RANGE when
 * index >= tree_size). */
OT_EXPORT OT_NODISCARD ot_status ot_verify_inclusion(uint64_t index, uint64_t tree_size,
                                                     const uint8_t leaf_hash[OT_HASH_SIZE],
                                                     const uint8_t (*proof)[OT_HASH_SIZE], size_t n,
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
