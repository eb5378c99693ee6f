/*
 * tile.h: C2SP tlog-tiles paths.
 *
 * Hash tiles have height 8 (width 256). `tile/<L>/<N>` holds the hashes of
 * tree level 8*L, nodes N*256 ... N*256+255; `tile/entries/<N>` holds entries
 * N*256 ... as a bundle (each a big-endian uint16 length, then its bytes).
 * A partial tile of width W (1..255) has the suffix `.p/<W>`. N is written
 * in groups of three digits, all but the last prefixed with `x`:
 * 1234067 -> x001/x234/067.
 */
#ifndef ORETRAIL_TILE_H
#define ORETRAIL_TILE_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define OT_TILE_HEIGHT 8
#define OT_TILE_WIDTH 256
#define OT_TILE_LEVEL_ENTRIES (-1) /* level value for entry bundles */

typedef struct ot_tile {
	int level;      /* 0.. for hash tiles, OT_TILE_LEVEL_ENTRIES for bundles */
	uint64_t index; /* N */
	unsigned width; /* 1..256; 256 is a full tile */
} ot_tile;

/* Writes the path of `t` (without a leading slash), e.g. "tile/0/x001/234.p/7",
 * into buf. Returns OT_ERR_TOOBIG when it does not fit, OT_ERR_ARG on a bad tile. */
OT_EXPORT ot_status ot_tile_path(const ot_tile *t, char *buf, size_t size);

/* Parses a path as written by ot_tile_path (leading slash allowed). Strict:
 * no leading zeros beyond the three-digit groups, no empty or extra elements,
 * width 1..255 after ".p/". Returns OT_OK or OT_ERR_PARSE. */
OT_EXPORT ot_status ot_tile_parse_path(const char *path, size_t len, ot_tile *out);

/* The width of tile (level, index) in a tree of `tree_size` leaves: 256 for a
 * full tile, 1..255 for the partial tile at the edge, 0 when it does not exist. */
OT_EXPORT unsigned ot_tile_width_at(int level, uint64_t index, uint64_t tree_size);

/* Reads an entry bundle of `width` entries (each a big-endian uint16
 * length, then its bytes): entries[k] (pointing into data) and lens[k] for
 * each entry read, both arrays of at least `width` slots. Returns how many
 * entries were read, fewer than `width` when the bundle is truncated; *used
 * is the bytes they took, less than len when bytes follow the last entry.
 * Reentrant. */
OT_EXPORT size_t ot_tile_bundle_split(const uint8_t *data, size_t len, unsigned width,
                                      const uint8_t **entries, size_t *lens, size_t *used);

#ifdef __cplusplus
}
#endif
#endif
