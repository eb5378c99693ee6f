/*
 * fuzz_bundle.c: C2SP entry bundles from hostile bytes, through the reader
 * `oretrail monitor` uses on what a log serves (ot_tile_bundle_split). The
 * first byte sets the width the monitor expects (1..256), the rest is the
 * bundle. Oracles: the entries read lie inside the bundle, back to back,
 * and written again (uint16 length, bytes) give exactly the bytes used; a
 * short read stops only where the next entry does not fit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/tile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned width = (unsigned)data[0] + 1;
	const uint8_t *b = data + 1;
	size_t len = size - 1, used = 0;
	const uint8_t *entry[OT_TILE_WIDTH];
	size_t lens[OT_TILE_WIDTH];
	size_t got = ot_tile_bundle_split(b, len, width, entry, lens, &used);
	if (got > width || used > len)
		__builtin_trap();
	uint8_t *again = malloc(used ? used : 1);
	if (!again)
		__builtin_trap();
	size_t at = 0;
	for (size_t k = 0; k < got; k++) {
		if (entry[k] != b + at + 2 || at + 2 + lens[k] > used)
			__builtin_trap();
		again[at] = (uint8_t)(lens[k] >> 8);
		again[at + 1] = (uint8_t)lens[k];
		memcpy(again + at + 2, entry[k], lens[k]);
		at += 2 + lens[k];
	}
	if (at != used || memcmp(again, b, used) != 0)
		__builtin_trap();
	if (got < width && len - used >= 2 &&
	    len - used - 2 >= ((size_t)b[used] << 8 | b[used + 1]))
		__builtin_trap(); /* stopped although the next entry fits */
	free(again);
	return 0;
}
