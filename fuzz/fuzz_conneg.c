/*
 * fuzz_conneg.c: Accept-Encoding and If-None-Match values from hostile
 * bytes (src/server/conneg.c). The first byte picks the coding or tag to
 * ask about; the rest is the field value, read only within its length (no
 * NUL is added: ASan catches a read past it). Oracles: a quality is at
 * most 1000; "*" alone always matches; a value that matches stays
 * matching when another tag is put before it in the list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/conneg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *codings[] = {"gzip", "br", "identity", "*"};
	static const char *tags[] = {"\"3f2a0c1d9e8b7a65\"", "\"3f2a0c1d9e8b7a65-gzip\"", "\"\"",
	                             "\"a\""};
	if (size < 1 || size > 4096)
		return 0;
	const char *coding = codings[data[0] % 4];
	const char *tag = tags[(data[0] >> 2) % 4];
	size_t n = size - 1;
	char *v = malloc(n ? n : 1);
	if (!v)
		return 0;
	memcpy(v, data + 1, n);
	if (otx_accept_encoding_q(v, n, coding) > 1000)
		__builtin_trap();
	int hit = otx_etag_matches(v, n, tag);
	if (otx_etag_matches("*", 1, tag) != 1)
		__builtin_trap();
	if (hit && !(n == 0 || memchr(v, '*', n))) {
		/* "\"z\", " + the value: the same tag is still listed. */
		char *w = malloc(n + 5);
		if (!w)
			__builtin_trap();
		memcpy(w, "\"z\", ", 5);
		memcpy(w + 5, v, n);
		if (otx_etag_matches(w, n + 5, tag) != 1)
			__builtin_trap();
		free(w);
	}
	free(v);
	return 0;
}
