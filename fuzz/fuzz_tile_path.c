/*
 * fuzz_tile_path.c: C2SP tile paths from hostile bytes. An accepted path
 * must format back to exactly itself (one tile, one name).
 */
#include <stdint.h>
#include <string.h>

#include "oretrail/tile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ot_tile t;
	if (ot_tile_parse_path((const char *)data, size, &t) != OT_OK)
		return 0;
	char buf[128];
	if (ot_tile_path(&t, buf, sizeof buf) != OT_OK)
		__builtin_trap();
	const uint8_t *p = data;
	size_t n = size;
	if (n && p[0] == '/') {
		p++;
		n--;
	}
	if (strlen(buf) != n || memcmp(buf, p, n) != 0)
		__builtin_trap();
	return 0;
}
