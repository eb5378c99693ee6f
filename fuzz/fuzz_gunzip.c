/*
 * fuzz_gunzip.c: hostile bytes through the gzip reader `oretrail verify`
 * and `passport` use for compressed certificates (cli_gunzip,
 * src/cli/gzip.c). Oracles: an answer is NUL-terminated and within the
 * cap; what inflates, compressed again by cli_gzip, inflates back to the
 * same bytes; and input that is not gzip is never accepted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/gzip.h"

#define CAP ((size_t)1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL, *z = NULL, *back = NULL;
	size_t n = 0, zn = 0, bn = 0;
	ot_error err;
	ot_error_clear(&err);
	ot_status rc = cli_gunzip((const char *)data, size, CAP, &out, &n, &err);
	if (rc) {
		if (out || !err.message[0])
			__builtin_trap();
		return 0;
	}
	if (!cli_is_gzip((const char *)data, size) || n > CAP || out[n] != 0)
		__builtin_trap();
	if (cli_gzip(out, n, &z, &zn, &err) || cli_gunzip(z, zn, CAP, &back, &bn, &err) ||
	    bn != n || memcmp(back, out, n) != 0)
		__builtin_trap();
	free(back);
	free(z);
	free(out);
	return 0;
}
