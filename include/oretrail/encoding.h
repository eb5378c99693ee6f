/*
 * encoding.h: standard base64 (RFC 4648 section 4, with padding) and lowercase hex,
 * through libsodium's constant-time codecs.
 */
#ifndef ORETRAIL_ENCODING_H
#define ORETRAIL_ENCODING_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"

/* Encoded length of n bytes, without the NUL. */
OT_EXPORT size_t ot_b64_len(size_t n);
/* Writes the NUL-terminated encoding; out must hold ot_b64_len(n)+1 bytes. */
OT_EXPORT void ot_b64_encode(const uint8_t *in, size_t n, char *out);
/* Decodes exactly `len` chars of strict padded base64 into out (cap bytes);
 * *out_len is the decoded length. OT_ERR_PARSE on any bad character,
 * missing padding or trailing garbage; OT_ERR_TOOBIG when out is too small. */
OT_EXPORT ot_status ot_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap,
                                  size_t *out_len);

OT_EXPORT void ot_hex_encode(const uint8_t *in, size_t n, char *out); /* out: 2n+1 */
OT_EXPORT ot_status ot_hex_decode(const char *in, size_t len, uint8_t *out, size_t cap,
                                  size_t *out_len);

#endif
