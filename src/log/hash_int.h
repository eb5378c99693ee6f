/*
 * hash_int.h: many RFC 6962 hashes at once, for the log's append path.
 *
 * A tree hash is millions of short, independent messages. Where the CPU
 * has the SHA extensions (SHA-NI), hash.c compresses two messages at a
 * time: one message's rounds wait on the latency of sha256rnds2, and the
 * other's fill that wait, so two cost little more than one. Elsewhere (no
 * SHA-NI, not x86-64, the WebAssembly build) the same calls hash one
 * message after the other through ot_sha256's library. Either way the
 * results are those of ot_sha256, ot_leaf_hash and ot_node_hash, bit for
 * bit (tests/test_hash.c compares them). All functions are thread-safe.
 */
#ifndef OT_LOG_HASH_INT_H
#define OT_LOG_HASH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/hash.h"

/* SHA-256 of two messages: out0 of (m0, len0), out1 of (m1, len1). */
void otx_sha256_x2(const void *m0, size_t len0, const void *m1, size_t len1,
                   uint8_t out0[OT_HASH_SIZE], uint8_t out1[OT_HASH_SIZE]);

/* ot_leaf_hash of two entries. */
void otx_leaf_hash_x2(const void *e0, size_t len0, const void *e1, size_t len1,
                      uint8_t out0[OT_HASH_SIZE], uint8_t out1[OT_HASH_SIZE]);

/* ot_node_hash of two pairs: out0 of (l0, r0), out1 of (l1, r1). */
void otx_node_hash_x2(const uint8_t l0[OT_HASH_SIZE], const uint8_t r0[OT_HASH_SIZE],
                      const uint8_t l1[OT_HASH_SIZE], const uint8_t r1[OT_HASH_SIZE],
                      uint8_t out0[OT_HASH_SIZE], uint8_t out1[OT_HASH_SIZE]);

/* out[k] = ot_leaf_hash(entries[k], lens[k]) for k < n. */
void otx_leaf_hash_many(const uint8_t *const *entries, const size_t *lens, size_t n,
                        uint8_t (*out)[OT_HASH_SIZE]);

/* One level of a tree: out[k] = ot_node_hash(children[2k], children[2k+1])
 * for k < n. out may be children itself (the level is then hashed in
 * place, each parent over the first of its children). */
void otx_node_hash_many(const uint8_t (*children)[OT_HASH_SIZE], size_t n,
                        uint8_t (*out)[OT_HASH_SIZE]);

/* 1 when the calls above use the SHA extensions on this CPU, else 0. */
int otx_hash_accelerated(void);

#endif
