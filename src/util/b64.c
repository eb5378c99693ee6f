/*
 * b64.c: base64 and hex via libsodium. The decoders are strict: they accept
 * only the canonical form, so that one value has one encoding. The GS1
 * check digit lives here too, with the other encodings of identifiers.
 */
#include "oretrail/encoding.h"

#include <sodium.h>
#include <string.h>

size_t ot_b64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

void ot_b64_encode(const uint8_t *in, size_t n, char *out)
{
	sodium_bin2base64(out, ot_b64_len(n) + 1, in, n, sodium_base64_VARIANT_ORIGINAL);
}

ot_status ot_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t n = 0;
	const char *end = NULL;
	if (len % 4 != 0)
		return OT_ERR_PARSE;
	/* Check the alphabet ourselves: libsodium 1.0.18 maps some bytes above
	 * 0x7f to '/' instead of rejecting them. Padding only at the end. */
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		         (c >= '0' && c <= '9') || c == '+' || c == '/' ||
		         (c == '=' && i + 2 >= len);
		if (!ok || (c == '=' && i + 1 < len && in[i + 1] != '='))
			return OT_ERR_PARSE;
	}
	if (len / 4 * 3 > cap + 2)
		return OT_ERR_TOOBIG;
	if (sodium_base642bin(out, cap, in, len, NULL, &n, &end, sodium_base64_VARIANT_ORIGINAL) !=
	    0)
		return (len / 4 * 3 > cap) ? OT_ERR_TOOBIG : OT_ERR_PARSE;
	if (end != in + len)
		return OT_ERR_PARSE;
	/* Reject non-canonical encodings (nonzero bits in the last padded group). */
	if (n % 3) {
		uint8_t last[3] = {0};
		char enc[5];
		memcpy(last, out + (n - n % 3), n % 3);
		sodium_bin2base64(enc, sizeof enc, last, n % 3, sodium_base64_VARIANT_ORIGINAL);
		if (memcmp(enc, in + len - 4, 4) != 0)
			return OT_ERR_PARSE;
	}
	*out_len = n;
	return OT_OK;
}

void ot_hex_encode(const uint8_t *in, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, in, n);
}

ot_status ot_hex_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t n = 0;
	const char *end = NULL;
	if (len % 2 != 0)
		return OT_ERR_PARSE;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return OT_ERR_PARSE;
	}
	if (len / 2 > cap)
		return OT_ERR_TOOBIG;
	if (sodium_hex2bin(out, cap, in, len, NULL, &n, &end) != 0 || end != in + len)
		return OT_ERR_PARSE;
	*out_len = n;
	return OT_OK;
}

char ot_gs1_check_digit(const char *s, size_t n)
{
	int sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += (s[i] - '0') * ((n - i) % 2 == 1 ? 3 : 1);
	return (char)('0' + (10 - sum % 10) % 10);
}

int ot_gs1_key_ok(const char *s, size_t n)
{
	if (n < 2 || strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return ot_gs1_check_digit(s, n - 1) == s[n - 1];
}
