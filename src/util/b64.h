/*
 * b64.h: standard base64 (RFC 4648 section 4, with padding) and lowercase hex,
 * through libsodium's constant-time codecs.
 */
#ifndef OT_UTIL_B64_H
#define OT_UTIL_B64_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"

/* Encoded length of n bytes, without the NUL. */
size_t otx_b64_len(size_t n);
/* Writes the NUL-terminated encoding; out must hold otx_b64_len(n)+1 bytes. */
void otx_b64_encode(const uint8_t *in, size_t n, char *out);
/* Decodes exactly `len` chars of strict padded base64 into out (cap bytes);
 * *out_len is the decoded length. OT_ERR_PARSE on any bad character,
 * missing padding or trailing garbage; OT_ERR_TOOBIG when out is too small. */
ot_status otx_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

void otx_hex_encode(const uint8_t *in, size_t n, char *out); /* out: 2n+1 */
ot_status otx_hex_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

#endif
