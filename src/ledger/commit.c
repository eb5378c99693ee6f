/*
 * commit.c: salted SHA-256 commitments over canonical JSON values. See
 * commit.h for the idea; the format is DESIGN.md's:
 * {"commit":"sha256:<hex of SHA-256(salt || JCS(value))>"}.
 *
 * The digest is computed over one contiguous buffer, salt then canonical
 * value, so that ot_sha256 (one call, SHA-NI through OpenSSL) does the work.
 */
#include "ledger/commit.h"

#include <sodium.h>
#include <string.h>

#include "ledger/jcs.h"
#include "oretrail/buf.h"
#include "oretrail/encoding.h"
#include "oretrail/status.h"

ot_status otx_commit_digest(json_t *value, const uint8_t salt[OTX_COMMIT_SALT_SIZE],
                            uint8_t digest[OT_HASH_SIZE], ot_error *err)
{
	ot_buf buf;
	ot_status rc;

	if (!value || !salt || !digest)
		return ot_error_set(err, OT_ERR_ARG, "otx_commit_digest: missing argument");
	ot_buf_init(&buf, 0);
	if ((rc = ot_buf_add(&buf, salt, OTX_COMMIT_SALT_SIZE)))
		goto out;
	if ((rc = otx_jcs_write(&buf, value, "value", err)))
		goto out;
	ot_sha256(buf.data, buf.len, digest);
out:
	if (rc == OT_ERR_NOMEM)
		ot_error_set(err, rc, "out of memory canonicalising a committed value");
	/* The buffer holds the salt, which is what keeps the value hidden. */
	if (buf.data)
		sodium_memzero(buf.data, buf.len);
	ot_buf_free(&buf);
	return rc;
}

void otx_commit_format(const uint8_t digest[OT_HASH_SIZE], char out[OTX_COMMIT_STR_LEN + 1])
{
	memcpy(out, OTX_COMMIT_PREFIX, sizeof OTX_COMMIT_PREFIX - 1);
	ot_hex_encode(digest, OT_HASH_SIZE, out + sizeof OTX_COMMIT_PREFIX - 1);
}

ot_status otx_commit_make(json_t *value, const uint8_t *salt,
                          uint8_t salt_out[OTX_COMMIT_SALT_SIZE], json_t **out, ot_error *err)
{
	uint8_t s[OTX_COMMIT_SALT_SIZE], digest[OT_HASH_SIZE];
	char str[OTX_COMMIT_STR_LEN + 1];
	ot_status rc;

	if (!out || (!salt && !salt_out))
		return ot_error_set(err, OT_ERR_ARG, "otx_commit_make: %s",
		                    out ? "a random salt needs somewhere to go" : "no output");
	*out = NULL;
	if (salt) {
		memcpy(s, salt, sizeof s);
	} else {
		if (sodium_init() < 0)
			return ot_error_set(err, OT_ERR_IO, "libsodium failed to initialise");
		randombytes_buf(s, sizeof s);
	}
	if ((rc = otx_commit_digest(value, s, digest, err)))
		goto out;
	otx_commit_format(digest, str);
	*out = json_pack("{s:s}", "commit", str);
	if (!*out) {
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory making a commitment");
		goto out;
	}
	if (salt_out)
		memcpy(salt_out, s, sizeof s);
out:
	sodium_memzero(s, sizeof s);
	return rc;
}

/* Parses "sha256:<64 lowercase hex>"; 1 on success. */
static int parse_commit_string(const json_t *v, uint8_t digest[OT_HASH_SIZE])
{
	const size_t plen = sizeof OTX_COMMIT_PREFIX - 1;
	const char *s;
	size_t n;

	if (!json_is_string(v) || json_string_length(v) != OTX_COMMIT_STR_LEN)
		return 0;
	s = json_string_value(v);
	if (memcmp(s, OTX_COMMIT_PREFIX, plen) != 0)
		return 0;
	/* ot_hex_decode accepts lowercase only: one digest, one spelling. */
	return ot_hex_decode(s + plen, OTX_COMMIT_STR_LEN - plen, digest, OT_HASH_SIZE, &n) ==
	               OT_OK &&
	       n == OT_HASH_SIZE;
}

int otx_commit_is(const json_t *v)
{
	uint8_t digest[OT_HASH_SIZE];
	return json_is_object(v) && json_object_size(v) == 1 &&
	       parse_commit_string(json_object_get(v, "commit"), digest);
}

ot_status otx_commit_parse(const json_t *v, uint8_t digest[OT_HASH_SIZE], ot_error *err)
{
	if (json_is_string(v) ? parse_commit_string(v, digest)
	                      : (otx_commit_is(v) &&
	                         parse_commit_string(json_object_get(v, "commit"), digest)))
		return OT_OK;
	return ot_error_at(err, OT_ERR_PARSE, "bad_commitment", -1,
	                   "not a commitment: expected {\"commit\":\"sha256:<64 lowercase hex "
	                   "digits>\"}");
}

ot_status otx_commit_check(const json_t *commitment, const char *salt_b64, json_t *value,
                           ot_error *err)
{
	uint8_t want[OT_HASH_SIZE], got[OT_HASH_SIZE], salt[OTX_COMMIT_SALT_SIZE];
	size_t n = 0;
	ot_status rc;

	if ((rc = otx_commit_parse(commitment, want, err)))
		return rc;
	if (!salt_b64 || strlen(salt_b64) != OTX_COMMIT_SALT_B64_LEN ||
	    ot_b64_decode(salt_b64, OTX_COMMIT_SALT_B64_LEN, salt, sizeof salt, &n) ||
	    n != OTX_COMMIT_SALT_SIZE)
		return ot_error_at(err, OT_ERR_PARSE, "bad_salt", -1,
		                   "the salt is not %d bytes in canonical padded base64 (%d "
		                   "characters)",
		                   OTX_COMMIT_SALT_SIZE, OTX_COMMIT_SALT_B64_LEN);
	if ((rc = otx_commit_digest(value, salt, got, err)))
		return rc;
	if (sodium_memcmp(want, got, sizeof want) != 0)
		return ot_error_at(
			err, OT_ERR_VERIFY, "commit_mismatch", -1,
			"the disclosed salt and value do not open the commitment: "
			"SHA-256(salt || canonical value) differs from what was committed");
	return OT_OK;
}
