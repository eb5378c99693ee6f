/*
 * hash.c: RFC 6962 section 2.1 hashing (RFC 9162 section 2.1.1).
 *
 * SHA-256 comes from OpenSSL's libcrypto, whose implementation uses the
 * SHA-NI instructions where the CPU has them. The low-level SHA256_* calls
 * are used on purpose: a tree hash is millions of tiny messages, and the
 * EVP layer's per-call dispatch costs more than the compression itself.
 * They are deprecated in OpenSSL 3 but remain supported through 3.x.
 * The WebAssembly build (web/wasm, OT_SHA256_SODIUM), which has no
 * OpenSSL, maps the same three calls onto libsodium's SHA-256.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "oretrail/hash.h"

#ifdef OT_SHA256_SODIUM
#include <sodium.h>
typedef crypto_hash_sha256_state SHA256_CTX;
#define SHA256_Init(c) crypto_hash_sha256_init(c)
#define SHA256_Update(c, d, n) crypto_hash_sha256_update((c), (const unsigned char *)(d), (n))
#define SHA256_Final(out, c) crypto_hash_sha256_final((c), (out))
#else
#include <openssl/sha.h>
#endif

void ot_sha256(const void *data, size_t len, uint8_t out[OT_HASH_SIZE])
{
	SHA256_CTX c;
	SHA256_Init(&c);
	SHA256_Update(&c, data, len);
	SHA256_Final(out, &c);
}

void ot_leaf_hash(const void *entry, size_t len, uint8_t out[OT_HASH_SIZE])
{
	static const uint8_t prefix = 0x00;
	SHA256_CTX c;
	SHA256_Init(&c);
	SHA256_Update(&c, &prefix, 1);
	SHA256_Update(&c, entry, len);
	SHA256_Final(out, &c);
}

void ot_node_hash(const uint8_t left[OT_HASH_SIZE], const uint8_t right[OT_HASH_SIZE],
                  uint8_t out[OT_HASH_SIZE])
{
	uint8_t msg[1 + 2 * OT_HASH_SIZE];
	msg[0] = 0x01;
	for (int i = 0; i < OT_HASH_SIZE; i++) {
		msg[1 + i] = left[i];
		msg[1 + OT_HASH_SIZE + i] = right[i];
	}
	SHA256_CTX c;
	SHA256_Init(&c);
	SHA256_Update(&c, msg, sizeof msg);
	SHA256_Final(out, &c);
}

void ot_empty_root(uint8_t out[OT_HASH_SIZE])
{
	ot_sha256("", 0, out);
}
