/*
 * merkle.h: the tree arithmetic shared by proof generation and verification
 * (RFC 9162 section 2.1), independent of where node hashes are stored.
 */
#ifndef OT_LOG_MERKLE_H
#define OT_LOG_MERKLE_H

#include <stdint.h>

#include "oretrail/hash.h"
#include "oretrail/proof.h"
#include "oretrail/status.h"

/* Node hashes come from an ot_node_reader (proof.h); range hashes are
 * ot_range_hash's (proof.h). */

/* PATH(m, D[0:n]) per RFC 9162 2.1.3.1; proof holds OT_PROOF_MAX hashes. */
ot_status otx_inclusion_proof(ot_node_reader rd, void *ctx, uint64_t m, uint64_t n,
                              uint8_t (*proof)[OT_HASH_SIZE], size_t *count);

/* PROOF(m, D[0:n]) per RFC 9162 2.1.4.1. */
ot_status otx_consistency_proof(ot_node_reader rd, void *ctx, uint64_t m, uint64_t n,
                                uint8_t (*proof)[OT_HASH_SIZE], size_t *count);

/* The multi-proof of indexes[0..n) in the tree of `size` leaves (proof.h),
 * node by node in order to emit(emit_ctx, hash), and the root into root.
 * OT_ERR_RANGE for indexes not increasing inside the tree; else the
 * reader's or emit's status. */
ot_status otx_multiproof(ot_node_reader rd, void *ctx, uint64_t size, const uint64_t *indexes,
                         size_t n, ot_status (*emit)(void *ctx, const uint8_t hash[OT_HASH_SIZE]),
                         void *emit_ctx, uint8_t root[OT_HASH_SIZE]);

/* Largest power of two strictly less than n (n >= 2). */
uint64_t otx_split_point(uint64_t n);

#endif
