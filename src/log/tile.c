/*
 * tile.c: C2SP tlog-tiles paths ("Merkle Tree" and "Entry bundles" sections).
 *
 * The tile index N is written as three-digit groups from the most
 * significant, every group but the last prefixed with 'x':
 * 1234067 -> x001/x234/067. Parsing is strict so that one tile has exactly
 * one path (a server must not serve the same tile under two names).
 */
#include "oretrail/tile.h"

#include <stdio.h>
#include <string.h>

#define MAX_LEVEL 63

ot_status ot_tile_path(const ot_tile *t, char *buf, size_t size)
{
	if (!t || !buf || t->width < 1 || t->width > OT_TILE_WIDTH ||
	    (t->level != OT_TILE_LEVEL_ENTRIES && (t->level < 0 || t->level > MAX_LEVEL)))
		return OT_ERR_ARG;
	char idx[64];
	size_t pos = 0;
	unsigned groups[8];
	int ng = 0;
	uint64_t n = t->index;
	do {
		groups[ng++] = (unsigned)(n % 1000);
		n /= 1000;
	} while (n > 0);
	for (int g = ng - 1; g >= 0; g--) {
		int w = snprintf(idx + pos, sizeof idx - pos, g > 0 ? "x%03u/" : "%03u", groups[g]);
		pos += (size_t)w;
	}
	int w;
	char lvl[16];
	if (t->level == OT_TILE_LEVEL_ENTRIES)
		snprintf(lvl, sizeof lvl, "entries");
	else
		snprintf(lvl, sizeof lvl, "%d", t->level);
	if (t->width == OT_TILE_WIDTH)
		w = snprintf(buf, size, "tile/%s/%s", lvl, idx);
	else
		w = snprintf(buf, size, "tile/%s/%s.p/%u", lvl, idx, t->width);
	if (w < 0 || (size_t)w >= size)
		return OT_ERR_TOOBIG;
	return OT_OK;
}

/* Parses exactly `n` ASCII digits at p into *out. */
static int digits(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*out = v;
	return 1;
}

ot_status ot_tile_parse_path(const char *path, size_t len, ot_tile *out)
{
	if (!path || !out)
		return OT_ERR_ARG;
	const char *p = path, *end = path + len;
	if (p < end && *p == '/')
		p++;
	if ((size_t)(end - p) < 5 || memcmp(p, "tile/", 5) != 0)
		return OT_ERR_PARSE;
	p += 5;

	/* Level: "entries" or a decimal 0..63 without leading zeros. */
	const char *slash = memchr(p, '/', (size_t)(end - p));
	if (!slash)
		return OT_ERR_PARSE;
	size_t llen = (size_t)(slash - p);
	ot_tile t = {0, 0, OT_TILE_WIDTH};
	if (llen == 7 && memcmp(p, "entries", 7) == 0) {
		t.level = OT_TILE_LEVEL_ENTRIES;
	} else {
		uint64_t lv;
		if (llen < 1 || llen > 2 || (llen == 2 && p[0] == '0') || !digits(p, llen, &lv) ||
		    lv > MAX_LEVEL)
			return OT_ERR_PARSE;
		t.level = (int)lv;
	}
	p = slash + 1;

	/* Index: zero or more "xDDD/" then "DDD". At most 7 groups keep it in
	 * 64 bits with room (10^21 > 2^64, so 7 groups can overflow: check). */
	uint64_t index = 0;
	int groups = 0;
	for (;;) {
		if (groups >= 7)
			return OT_ERR_PARSE;
		uint64_t g;
		if (p < end && *p == 'x') {
			if (end - p < 5 || !digits(p + 1, 3, &g) || p[4] != '/')
				return OT_ERR_PARSE;
			if (groups == 0 && g == 0)
				return OT_ERR_PARSE; /* leading zero group */
			if (index > (UINT64_MAX - g) / 1000)
				return OT_ERR_PARSE;
			index = index * 1000 + g;
			groups++;
			p += 5;
			continue;
		}
		if (end - p < 3 || !digits(p, 3, &g))
			return OT_ERR_PARSE;
		if (index > (UINT64_MAX - g) / 1000)
			return OT_ERR_PARSE;
		index = index * 1000 + g;
		p += 3;
		break;
	}
	t.index = index;

	if (p < end) {
		/* ".p/W" with W 1..255 without leading zeros. */
		if (end - p < 4 || memcmp(p, ".p/", 3) != 0)
			return OT_ERR_PARSE;
		p += 3;
		size_t wlen = (size_t)(end - p);
		uint64_t w;
		if (wlen < 1 || wlen > 3 || p[0] == '0' || !digits(p, wlen, &w) || w < 1 ||
		    w >= OT_TILE_WIDTH)
			return OT_ERR_PARSE;
		t.width = (unsigned)w;
	}
	*out = t;
	return OT_OK;
}

unsigned ot_tile_width_at(int level, uint64_t index, uint64_t tree_size)
{
	/* Nodes at tile level L are the roots of subtrees of 256^L leaves. */
	unsigned shift = level == OT_TILE_LEVEL_ENTRIES ? 0 : (unsigned)level * OT_TILE_HEIGHT;
	if (shift >= 64)
		return 0;
	uint64_t nodes = tree_size >> shift; /* complete nodes at that level */
	uint64_t first = index * OT_TILE_WIDTH;
	if (index > UINT64_MAX / OT_TILE_WIDTH || nodes <= first)
		return 0;
	uint64_t w = nodes - first;
	return w >= OT_TILE_WIDTH ? OT_TILE_WIDTH : (unsigned)w;
}

size_t ot_tile_bundle_split(const uint8_t *data, size_t len, unsigned width,
                            const uint8_t **entries, size_t *lens, size_t *used)
{
	size_t at = 0, k = 0;
	for (; k < width; k++) {
		if (len - at < 2)
			break;
		size_t n = (size_t)data[at] << 8 | data[at + 1];
		if (len - at - 2 < n)
			break;
		entries[k] = data + at + 2;
		lens[k] = n;
		at += 2 + n;
	}
	*used = at;
	return k;
}
