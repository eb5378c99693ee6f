/*
 * fuzz_api_path.c: request URIs from hostile bytes, through the JSON API's
 * strict path and id decoding (otx_api_path, src/server/api.c). Oracles: a
 * rejection is OT_ERR_PARSE with code bad_path or bad_id; an accepted path
 * is valid UTF-8 without NUL or control bytes, shorter than the buffer, and
 * percent-encoded again ("/api/" then every byte but "/" as %XX) it decodes
 * to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/json.h"
#include "server/handlers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4 * OTX_API_PATH_MAX)
		return 0;
	/* libmicrohttpd hands the URI over as a C string. */
	char *uri = malloc(size + 1);
	char *again = malloc(5 + 3 * OTX_API_PATH_MAX + 1);
	static char buf[OTX_API_PATH_MAX], back[OTX_API_PATH_MAX];
	if (!uri || !again)
		__builtin_trap();
	memcpy(uri, data, size);
	uri[size] = 0;
	ot_error err;
	ot_error_clear(&err);
	if (otx_api_path(uri, buf, &err) != OT_OK) {
		if (err.status != OT_ERR_PARSE ||
		    (strcmp(err.code, "bad_path") != 0 && strcmp(err.code, "bad_id") != 0))
			__builtin_trap();
		goto out;
	}
	size_t n = strnlen(buf, sizeof buf);
	if (n >= sizeof buf || !ot_utf8_valid((const uint8_t *)buf, n))
		__builtin_trap();
	static const char hex[] = "0123456789ABCDEF";
	size_t at = 0;
	memcpy(again, "/api/", 5);
	at = 5;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c < 0x20 || c == 0x7f)
			__builtin_trap();
		if (c == '/') {
			again[at++] = '/';
			continue;
		}
		again[at++] = '%';
		again[at++] = hex[c >> 4];
		again[at++] = hex[c & 15];
	}
	again[at] = 0;
	if (otx_api_path(again, back, NULL) != OT_OK || strcmp(back, buf) != 0)
		__builtin_trap();
out:
	free(uri);
	free(again);
	return 0;
}
