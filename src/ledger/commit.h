/*
 * commit.h: hiding commitments to confidential field values (DESIGN.md,
 * "Confidential fields and disclosure").
 *
 * Any field value may be logged as {"commit":"sha256:<64 lowercase hex>"},
 * the SHA-256 of a 32-byte random salt followed by the RFC 8785 canonical
 * form of the value. The salt hides the value (a guessable value such as an
 * amount cannot be found by trying candidates); the hash binds it (a
 * different value cannot be disclosed later). A `disclose` event reveals the
 * salt (base64) and the value, and anyone can check the opening.
 * All functions are reentrant.
 */
#ifndef OT_LEDGER_COMMIT_H
#define OT_LEDGER_COMMIT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "oretrail/hash.h"
#include "oretrail/status.h"

#define OTX_COMMIT_SALT_SIZE 32
#define OTX_COMMIT_PREFIX "sha256:"
#define OTX_COMMIT_STR_LEN 71      /* "sha256:" and 64 hex digits */
#define OTX_COMMIT_SALT_B64_LEN 44 /* base64 of the salt, with its padding */

/*
 * digest = SHA-256(salt || JCS(value)). The value is only read and must pass
 * otx_json_check (errors carry its codes, with the path "value").
 */
ot_status otx_commit_digest(json_t *value, const uint8_t salt[OTX_COMMIT_SALT_SIZE],
                            uint8_t digest[OT_HASH_SIZE], ot_error *err);

/*
 * Makes the commitment object {"commit":"sha256:..."} for `value` into *out
 * (a new reference). With salt NULL a fresh random salt is drawn (libsodium's
 * randombytes_buf); the salt used is copied to salt_out, which may be NULL
 * only when salt is given (a random salt nobody keeps could never be opened).
 */
ot_status otx_commit_make(json_t *value, const uint8_t *salt,
                          uint8_t salt_out[OTX_COMMIT_SALT_SIZE], json_t **out, ot_error *err);

/* Writes "sha256:<hex>" for a digest (NUL-terminated). */
void otx_commit_format(const uint8_t digest[OT_HASH_SIZE], char out[OTX_COMMIT_STR_LEN + 1]);

/*
 * Returns 1 when v is a commitment object: exactly one member, "commit",
 * whose value is "sha256:" and 64 lowercase hex digits. Else 0.
 */
int otx_commit_is(const json_t *v);

/*
 * Reads the digest from a commitment: the object, or its bare string
 * "sha256:<hex>". OT_ERR_PARSE (code bad_commitment) otherwise.
 */
ot_status otx_commit_parse(const json_t *v, uint8_t digest[OT_HASH_SIZE], ot_error *err);

/*
 * Checks an opening: that SHA-256(salt || JCS(value)) is the digest in
 * `commitment` (object or bare string), with the salt given as the canonical
 * padded base64 of 32 bytes (salt_b64 is NUL-terminated). Returns OT_OK,
 * OT_ERR_VERIFY (code commit_mismatch) when it does not open, OT_ERR_PARSE
 * (bad_commitment, bad_salt, or a code of otx_json_check) when an argument
 * is malformed. `value` is only read.
 */
OT_NODISCARD ot_status otx_commit_check(const json_t *commitment, const char *salt_b64,
                                        json_t *value, ot_error *err);

#endif
