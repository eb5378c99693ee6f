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

/* Largest power of two strictly less than n (n >= 2). */
uint64_t otx_split_point(uint64_t n);

#endif
