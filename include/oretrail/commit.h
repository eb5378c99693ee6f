/*
 * commit.h: hiding commitments to confidential field values (DESIGN.md,
 * "Confidential fields and disclosure").
 *
 * Any field value may be logged as {"commit":"sha256:<64 lowercase hex>"},
 * the SHA-256 of a 32-byte random salt followed by the RFC 8785 canonical
 * form of the value. A `disclose` event reveals the salt (base64) and the
 * value, and anyone can check the opening.
 *
 * All functions are reentrant and share no state; any thread may call them.
 */
#ifndef ORETRAIL_COMMIT_H
#define ORETRAIL_COMMIT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OT_COMMIT_SALT_SIZE 32
#define OT_COMMIT_STR_LEN 71      /* "sha256:" and 64 hex digits */
#define OT_COMMIT_SALT_B64_LEN 44 /* base64 of the salt, with its padding */

/*
 * Makes the commitment object {"commit":"sha256:..."} for `value` (only
 * read; it must pass ot_json_check) into *out, a new reference the caller
 * releases with json_decref. With salt NULL a fresh random salt is drawn;
 * the salt used is copied to salt_out, which may be NULL only when salt is
 * given.
 */
OT_EXPORT ot_status ot_commit_make(json_t *value, const uint8_t *salt,
                                   uint8_t salt_out[OT_COMMIT_SALT_SIZE], json_t **out,
                                   ot_error *err);

/* Returns 1 when v is a commitment object: exactly one member, "commit",
 * holding "sha256:" and 64 lowercase hex digits. Else 0. */
OT_EXPORT int ot_commit_is(const json_t *v);

/*
 * Checks an opening: that SHA-256(salt || JCS(value)) is the digest in
 * `commitment` (the object or its bare string), the salt given as canonical
 * padded base64 (NUL-terminated). OT_OK; OT_ERR_VERIFY (code
 * commit_mismatch) when it does not open; OT_ERR_PARSE (bad_commitment,
 * bad_salt, or a json_* code) for a malformed argument. `value` is only read.
 */
OT_EXPORT OT_NODISCARD ot_status ot_commit_check(const json_t *commitment, const char *salt_b64,
                                                 json_t *value, ot_error *err);

#ifdef __cplusplus
}
#endif
#endif
