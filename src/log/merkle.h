/*
 * merkle.h: the tree arithmetic shared by proof generation and verification
 * (RFC 9162 section 2.1), independent of where node hashes are stored.
 */
#ifndef OT_LOG_MERKLE_H
#define OT_LOG_MERKLE_H

#include <stdint.h>

#include "oretrail/hash.h"
#include "oretrail/status.h"

/* Where node hashes come from: the hash of the perfect subtree at `level`
 * (height; 0 = leaves) and `index` (from the left at that level). Only
 * subtrees that are complete in the tree being proven are asked for. */
typedef ot_status (*otx_node_reader)(void *ctx, unsigned level, uint64_t index,
                                     uint8_t out[OT_HASH_SIZE]);

/* MTH(D[start:end]) per RFC 9162 2.1.1, from the stored perfect subtrees. */
ot_status otx_range_hash(otx_node_reader rd, void *ctx, uint64_t start, uint64_t end,
                         uint8_t out[OT_HASH_SIZE]);

/* PATH(m, D[0:n]) per RFC 9162 2.1.3.1; proof holds OT_PROOF_MAX hashes. */
ot_status otx_inclusion_proof(otx_node_reader rd, void *ctx, uint64_t m, uint64_t n,
                              uint8_t (*proof)[OT_HASH_SIZE], size_t *count);

/* PROOF(m, D[0:n]) per RFC 9162 2.1.4.1. */
ot_status otx_consistency_proof(otx_node_reader rd, void *ctx, uint64_t m, uint64_t n,
                                uint8_t (*proof)[OT_HASH_SIZE], size_t *count);

/* Largest power of two strictly less than n (n >= 2). */
uint64_t otx_split_point(uint64_t n);

#endif
