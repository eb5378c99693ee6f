/*
 * encoding.h: standard base64 (RFC 4648 section 4, with padding) and lowercase hex,
 * through libsodium's constant-time codecs; and the GS1 check digit of
 * numeric keys (GS1 General Specifications, section 7.9).
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

/* The GS1 check digit of the n digits s[0..n) (weights 3, 1, 3, ... from
 * the right), as a character '0'..'9'. s must be digits. */
OT_EXPORT char ot_gs1_check_digit(const char *s, size_t n);

/* 1 when the string s is exactly n digits whose last is the GS1 check digit of the
 * others (a GLN: n = 13; a GTIN-14: n = 14), else 0. */
OT_EXPORT int ot_gs1_key_ok(const char *s, size_t n);

#endif
