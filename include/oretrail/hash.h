/*
 * hash.h: RFC 6962 / RFC 9162 Merkle tree hashing.
 *
 * leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right);
 * the empty tree's hash is SHA-256(""). All functions are thread-safe and
 * write into caller-owned 32-byte buffers.
 */
#ifndef ORETRAIL_HASH_H
#define ORETRAIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OT_HASH_SIZE 32

OT_EXPORT void ot_sha256(const void *data, size_t len, uint8_t out[OT_HASH_SIZE]);
OT_EXPORT void ot_leaf_hash(const void *entry, size_t len, uint8_t out[OT_HASH_SIZE]);
OT_EXPORT void ot_node_hash(const uint8_t left[OT_HASH_SIZE], const uint8_t right[OT_HASH_SIZE],
                            uint8_t out[OT_HASH_SIZE]);
OT_EXPORT void ot_empty_root(uint8_t out[OT_HASH_SIZE]);

#ifdef __cplusplus
}
#endif
#endif
