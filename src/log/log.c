/*
 * log.c: the append-only Merkle log over a store, laid out as C2SP
 * tlog-tiles and published as signed C2SP checkpoints.
 *
 * The idea: hash tiles are stored together with the interior nodes of the
 * subtree each tile spans (levels 1..7 inside the tile), so any perfect
 * subtree's hash, at any level, is one tile read away. A proof then costs
 * O(log n) node reads and no rehashing (see merkle.c), and the interior
 * nodes cost nothing extra to compute: they are the intermediate results of
 * hashing the tile up to its root, which the next level needs anyway.
 *
 * Tile record (internal, not served): the W hashes of the tile's own level,
 * then for j = 1..7 the floor(W / 2^j) complete nodes j levels above it.
 * What is served as `tile/L/N[.p/W]` is the first W*32 bytes.
 *
 * Only the right edge (the last, partial tile of each level) lives in
 * memory, plus a small cache of immutable full tiles, so memory stays flat
 * however long the log grows.
 */
#include "oretrail/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/hash_int.h"
#include "log/merkle.h"
#include "oretrail/buf.h"
#include "oretrail/encoding.h"
#include "oretrail/status.h"

#define LEVELS 8  /* tile levels: 8 x 8 bits covers 2^64 leaves */
#define NODES 510 /* hashes in a full tile record: 256 + 128 + ... + 2 */
/* Full tiles of the upper levels cached for reading: nearly every proof
 * reads them (10 million entries have 153 level-1 tiles, 1 level-2 tile).
 * 64 sets of 4, least recently used out: 4 MiB, however long the log.
 * Level-0 tiles are not cached: a proof's is anywhere in the log, so the
 * next proof seldom wants it again; the store's own cache keeps the recent
 * ones, and they are read in place there (ot_store_peek_tile). */
#define CACHE_SETS 64
#define CACHE_WAYS 4
#define CACHE_SLOTS (CACHE_SETS * CACHE_WAYS)

typedef struct edge_tile {
	uint64_t index; /* tile index at its level */
	unsigned width; /* hashes at the tile's own level, 0..256 */
	int dirty;      /* changed since last written */
	uint8_t h[NODES][OT_HASH_SIZE];
} edge_tile;

typedef struct cached_tile {
	int valid;
	int level;
	uint64_t index;
	uint64_t used; /* the log's read_clock at the last hit */
	uint8_t h[NODES][OT_HASH_SIZE];
} cached_tile;

/* Builds tiles from leaf hashes; shared by append and by the whole-log check. */
typedef struct builder builder;
typedef ot_status (*tile_sink)(builder *b, int level, const edge_tile *t, ot_error *err);
struct builder {
	edge_tile edge[LEVELS];
	uint64_t size;
	tile_sink flush; /* called for each tile that became full, and by flush_all */
	void *ctx;
};

struct ot_log {
	ot_store *st;
	const ot_signer *signer;
	char origin[OT_ORIGIN_MAX + 1];
	builder b;
	uint64_t committed_size; /* size before the open transaction */
	int in_txn;
	cached_tile *cache; /* CACHE_SLOTS, CACHE_SETS sets of CACHE_WAYS */
	uint64_t read_clock;
	uint8_t (*scratch)[OT_HASH_SIZE]; /* NODES: a partial tile read, unpacked */
};

/* Offset (in hashes) of interior level j in a record of width w. */
static size_t level_offset(unsigned w, unsigned j)
{
	size_t off = 0;
	for (unsigned i = 0; i < j; i++)
		off += w >> i;
	return off;
}

static size_t record_hashes(unsigned w)
{
	return level_offset(w, OT_TILE_HEIGHT);
}

/* Packs an edge tile into its stored form (record order for width w). */
static void pack_record(const edge_tile *t, uint8_t *out)
{
	/* The edge tile keeps levels at fixed offsets (those of a full tile);
	 * the record is packed for its width. */
	size_t pos = 0;
	for (unsigned j = 0; j < OT_TILE_HEIGHT; j++) {
		size_t n = t->width >> j;
		memcpy(out + pos * OT_HASH_SIZE, t->h[level_offset(OT_TILE_WIDTH, j)],
		       n * OT_HASH_SIZE);
		pos += n;
	}
}

/* Unpacks a stored record of width w into fixed (full-tile) offsets. */
static ot_status unpack_record(const uint8_t *data, size_t len, unsigned w,
                               uint8_t (*h)[OT_HASH_SIZE])
{
	if (w < 1 || w > OT_TILE_WIDTH || len != record_hashes(w) * OT_HASH_SIZE)
		return OT_ERR_CORRUPT;
	size_t pos = 0;
	for (unsigned j = 0; j < OT_TILE_HEIGHT; j++) {
		size_t n = w >> j;
		memcpy(h[level_offset(OT_TILE_WIDTH, j)], data + pos * OT_HASH_SIZE,
		       n * OT_HASH_SIZE);
		pos += n;
	}
	return OT_OK;
}

/* Appends a run of n hashes to the edge tile of `level`, completing the
 * interior nodes level by level (pairs of parents hashed side by side,
 * hash_int.h), and carries the root of each completed tile up to the next
 * level. */
static ot_status builder_add(builder *b, int level, const uint8_t (*hashes)[OT_HASH_SIZE], size_t n,
                             ot_error *err)
{
	while (n > 0) {
		if (level >= LEVELS)
			return ot_error_set(err, OT_ERR_RANGE, "the log is full (2^64 entries)");
		edge_tile *t = &b->edge[level];
		unsigned from = t->width;
		unsigned take = n < OT_TILE_WIDTH - from ? (unsigned)n : OT_TILE_WIDTH - from;
		unsigned to = from + take;
		memcpy(t->h[from], hashes, (size_t)take * OT_HASH_SIZE);
		t->width = to;
		t->dirty = 1;
		/* The nodes j levels up whose two children now exist. */
		for (unsigned j = 1; j < OT_TILE_HEIGHT; j++) {
			size_t child = level_offset(OT_TILE_WIDTH, j - 1);
			size_t self = level_offset(OT_TILE_WIDTH, j);
			size_t first = from >> j, end = to >> j;
			otx_node_hash_many((const uint8_t(*)[OT_HASH_SIZE])t->h[child + 2 * first],
			                   end - first, &t->h[self + first]);
		}
		hashes += take;
		n -= take;
		if (to < OT_TILE_WIDTH)
			return OT_OK;

		uint8_t root[OT_HASH_SIZE];
		size_t top = level_offset(OT_TILE_WIDTH, OT_TILE_HEIGHT - 1);
		ot_node_hash(t->h[top], t->h[top + 1], root);
		ot_status rc = b->flush ? b->flush(b, level, t, err) : OT_OK;
		if (rc)
			return rc;
		t->index++;
		t->width = 0;
		t->dirty = 0;
		rc = builder_add(b, level + 1, (const uint8_t(*)[OT_HASH_SIZE])root, 1, err);
		if (rc)
			return rc;
	}
	return OT_OK;
}

static ot_status builder_flush_all(builder *b, ot_error *err)
{
	for (int l = 0; l < LEVELS; l++) {
		edge_tile *t = &b->edge[l];
		if (t->width && t->dirty && b->flush) {
			ot_status rc = b->flush(b, l, t, err);
			if (rc)
				return rc;
		}
		t->dirty = 0;
	}
	return OT_OK;
}

static ot_status store_tile(builder *b, int level, const edge_tile *t, ot_error *err)
{
	ot_log *log = b->ctx;
	uint8_t rec[NODES * OT_HASH_SIZE];
	pack_record(t, rec);
	return ot_store_put_tile(log->st, level, t->index, t->width, rec,
	                         record_hashes(t->width) * OT_HASH_SIZE, err);
}

/* Loads the right edge for the store's current size. */
static ot_status read_edge(ot_log *log, ot_error *err)
{
	uint64_t size;
	ot_status rc = ot_store_entry_count(log->st, &size, err);
	if (rc)
		return rc;
	memset(log->b.edge, 0, sizeof log->b.edge);
	log->b.size = size;
	for (int l = 0; l < LEVELS; l++) {
		unsigned shift = (unsigned)l * OT_TILE_HEIGHT;
		uint64_t nodes = size >> shift;
		edge_tile *t = &log->b.edge[l];
		t->index = nodes / OT_TILE_WIDTH;
		t->width = 0;
		unsigned w = (unsigned)(nodes % OT_TILE_WIDTH);
		if (w == 0)
			continue;
		unsigned got = 0;
		uint8_t *data = NULL;
		size_t len = 0;
		rc = ot_store_get_tile(log->st, l, t->index, &got, &data, &len, err);
		if (rc == OT_ERR_NOTFOUND)
			return ot_error_set(err, OT_ERR_CORRUPT,
			                    "the log has %llu entries but tile %d/%llu is missing",
			                    (unsigned long long)size, l,
			                    (unsigned long long)t->index);
		if (rc)
			return rc;
		if (got != w || unpack_record(data, len, w, t->h) != OT_OK) {
			free(data);
			return ot_error_set(
				err, OT_ERR_CORRUPT,
				"tile %d/%llu has width %u but the log's %llu entries need %u", l,
				(unsigned long long)t->index, got, (unsigned long long)size, w);
		}
		free(data);
		t->width = w;
	}
	return OT_OK;
}

/* Loads the size and the right edge of the tree from one read snapshot, so
 * that the count and the edge tiles are of the same committed state however
 * often a writer commits meanwhile (snapshots nest; inside a write
 * transaction this reads the transaction's own state). */
static ot_status load_edge(ot_log *log, ot_error *err)
{
	ot_status rc = ot_store_read_begin(log->st, err);
	if (rc)
		return rc;
	rc = read_edge(log, err);
	ot_store_read_end(log->st);
	return rc;
}

/* The cache slot of an upper-level tile: its own if cached (*hit), else
 * the set's least recently used. */
static cached_tile *cache_slot(ot_log *log, int level, uint64_t index, int *hit)
{
	uint64_t key = (index * 8 + (uint64_t)level) * 0x9e3779b97f4a7c15u;
	cached_tile *set = &log->cache[(key >> 58) * CACHE_WAYS], *lru = set;
	for (int w = 0; w < CACHE_WAYS; w++) {
		cached_tile *c = &set[w];
		if (c->valid && c->level == level && c->index == index) {
			*hit = 1;
			return c;
		}
		if (!c->valid || (lru->valid && c->used < lru->used))
			lru = c;
	}
	*hit = 0;
	return lru;
}

/* Finds the tile record of (level, index): in the edge, the cache, or the
 * store, where a full record is read in place (its packed layout is the
 * full-tile layout). *h points at it until the next call on the store, the
 * next append or cache fill, or the end of the caller's read snapshot;
 * *width gets its width. *reading says whether the caller's snapshot is
 * taken: if not, it is taken here when the store must be read. */
static ot_status get_tile(ot_log *log, int level, uint64_t index, unsigned *width,
                          const uint8_t (**h)[OT_HASH_SIZE], int *reading, ot_error *err)
{
	const edge_tile *e = &log->b.edge[level];
	if (e->index == index && e->width) {
		*h = (const uint8_t(*)[OT_HASH_SIZE])e->h;
		*width = e->width;
		return OT_OK;
	}
	cached_tile *c = NULL;
	if (level > 0) {
		int hit;
		c = cache_slot(log, level, index, &hit);
		if (hit) {
			c->used = ++log->read_clock;
			*h = (const uint8_t(*)[OT_HASH_SIZE])c->h;
			*width = OT_TILE_WIDTH;
			return OT_OK;
		}
	}
	const uint8_t *data = NULL;
	size_t len = 0;
	/* A full tile kept apart needs no snapshot; else take the caller's
	 * snapshot now, on its first read of the store. */
	ot_status rc = ot_store_peek_full_tile(log->st, level, index, &data, &len);
	if (rc == OT_OK) {
		*width = OT_TILE_WIDTH;
	} else {
		if (!*reading) {
			rc = ot_store_read_begin(log->st, err);
			if (rc)
				return rc;
			*reading = 1;
		}
		rc = ot_store_peek_tile(log->st, level, index, width, &data, &len, err);
		if (rc)
			return rc;
	}
	if (*width == OT_TILE_WIDTH && len == sizeof c->h) {
		*h = (const uint8_t(*)[OT_HASH_SIZE])(uintptr_t)data;
		if (c) {
			memcpy(c->h, data, sizeof c->h);
			c->valid = 1;
			c->level = level;
			c->index = index;
			c->used = ++log->read_clock;
			*h = (const uint8_t(*)[OT_HASH_SIZE])c->h;
		}
		return OT_OK;
	}
	if (unpack_record(data, len, *width, log->scratch) != OT_OK)
		return ot_error_set(err, OT_ERR_CORRUPT,
		                    "tile %d/%llu is damaged (%zu bytes for width %u)", level,
		                    (unsigned long long)index, len, *width);
	*h = (const uint8_t(*)[OT_HASH_SIZE])log->scratch;
	return OT_OK;
}

typedef struct node_ctx {
	ot_log *log;
	ot_error *err;
	int reading;                      /* inside a read snapshot get_tile took */
	uint64_t size;                    /* the tree read (0: not known) */
	const uint8_t (*h)[OT_HASH_SIZE]; /* the current tile, wherever it is */
	int have_level;
	uint64_t have_index;
	unsigned have_width;
} node_ctx;

/* The perfect subtrees that make up [0, size) (one per bit of size) are
 * what the right edge of a proof or root is hashed from; those in the tile
 * just reached get their cache lines asked for at once, as the path's. */
static void prefetch_edge(const node_ctx *nc, int tl, uint64_t ti)
{
	unsigned base = (unsigned)tl * OT_TILE_HEIGHT;
	if (!nc->size || base >= 64 || ((nc->size - 1) >> base) / OT_TILE_WIDTH != ti)
		return;
	for (unsigned j = 0; j < OT_TILE_HEIGHT && base + j < 64; j++) {
		uint64_t nodes = nc->size >> (base + j);
		uint64_t per_tile = (uint64_t)OT_TILE_WIDTH >> j;
		if ((nodes & 1) && (nodes - 1) / per_tile == ti &&
		    (nodes - 1) % per_tile < (nc->have_width >> j))
			__builtin_prefetch(
				nc->h[level_offset(OT_TILE_WIDTH, j) + (nodes - 1) % per_tile]);
	}
}

/* Makes tile (tl, ti) the current one for a read of node k at level j
 * inside it, and asks for the cache lines the proof will read there: the
 * siblings of the node's ancestors and the subtrees of the right edge, all
 * at once rather than one miss after another (in a big log the tile is
 * seldom in the CPU's caches). */
static ot_status reach_tile(node_ctx *nc, int tl, uint64_t ti, unsigned j, uint64_t k)
{
	if (nc->have_level == tl && nc->have_index == ti)
		return OT_OK;
	ot_status rc = get_tile(nc->log, tl, ti, &nc->have_width, &nc->h, &nc->reading, nc->err);
	if (rc) {
		nc->have_level = -1;
		if (rc == OT_ERR_NOTFOUND)
			return ot_error_set(nc->err, OT_ERR_CORRUPT,
			                    "tile %d/%llu is missing from the store", tl,
			                    (unsigned long long)ti);
		return rc;
	}
	nc->have_level = tl;
	nc->have_index = ti;
	if (nc->have_width == OT_TILE_WIDTH)
		for (unsigned up = j + 1; up < OT_TILE_HEIGHT; up++)
			__builtin_prefetch(
				nc->h[level_offset(OT_TILE_WIDTH, up) + ((k >> (up - j)) ^ 1)]);
	prefetch_edge(nc, tl, ti);
	return OT_OK;
}

/* ot_node_reader over the tiles: node (level, index) of the tree. */
static ot_status read_node(void *vctx, unsigned level, uint64_t index, uint8_t out[OT_HASH_SIZE])
{
	node_ctx *nc = vctx;
	int tl = (int)(level / OT_TILE_HEIGHT);
	unsigned j = level % OT_TILE_HEIGHT;
	uint64_t per_tile = (uint64_t)OT_TILE_WIDTH >> j;
	uint64_t ti = index / per_tile, k = index % per_tile;
	if (tl >= LEVELS)
		return ot_error_set(nc->err, OT_ERR_RANGE, "node level %u out of range", level);
	ot_status rc = reach_tile(nc, tl, ti, j, k);
	if (rc)
		return rc;
	if (k >= (nc->have_width >> j))
		return ot_error_set(
			nc->err, OT_ERR_CORRUPT, "tile %d/%llu (width %u) lacks node %u/%llu", tl,
			(unsigned long long)ti, nc->have_width, level, (unsigned long long)index);
	memcpy(out, nc->h[level_offset(OT_TILE_WIDTH, j) + k], OT_HASH_SIZE);
	return OT_OK;
}

static ot_status node_ctx_init(node_ctx *nc, ot_log *log, uint64_t size, ot_error *err)
{
	nc->log = log;
	nc->size = size;
	nc->err = err;
	nc->have_level = -1;
	nc->have_index = 0;
	nc->have_width = 0;
	nc->h = NULL;
	/* One snapshot for all the reads of a proof or root, consistent and
	 * one lock instead of one per tile (bench/README.md); taken by
	 * get_tile at the first read that needs it. Reads of the edge, the
	 * cache and full tiles kept apart need none: a proof that makes only
	 * those takes no lock at all. */
	nc->reading = 0;
	return OT_OK;
}

static void node_ctx_free(node_ctx *nc)
{
	if (nc->reading)
		ot_store_read_end(nc->log->st);
}

ot_status ot_log_tree_hash(ot_log *log, uint64_t size, uint8_t root[OT_HASH_SIZE], ot_error *err)
{
	if (!log || !root)
		return ot_error_set(err, OT_ERR_ARG, "bad arguments");
	if (size > log->b.size)
		return ot_error_set(err, OT_ERR_RANGE,
		                    "tree size %llu is beyond the log's %llu entries",
		                    (unsigned long long)size, (unsigned long long)log->b.size);
	if (size == 0) {
		ot_empty_root(root);
		return OT_OK;
	}
	node_ctx nc;
	ot_status rc = node_ctx_init(&nc, log, size, err);
	if (!rc)
		rc = ot_range_hash(read_node, &nc, 0, size, root);
	node_ctx_free(&nc);
	return rc;
}

ot_status ot_log_leaf_hash(ot_log *log, uint64_t index, uint8_t out[OT_HASH_SIZE], ot_error *err)
{
	if (!log || !out)
		return ot_error_set(err, OT_ERR_ARG, "bad arguments");
	if (index >= log->b.size)
		return ot_error_set(err, OT_ERR_RANGE,
		                    "entry %llu is beyond the log's %llu entries",
		                    (unsigned long long)index, (unsigned long long)log->b.size);
	node_ctx nc;
	ot_status rc = node_ctx_init(&nc, log, 0, err);
	if (!rc)
		rc = read_node(&nc, 0, index, out);
	node_ctx_free(&nc);
	return rc;
}

ot_status ot_log_inclusion_proof(ot_log *log, uint64_t index, uint64_t size,
                                 uint8_t (*proof)[OT_HASH_SIZE], size_t *n, ot_error *err)
{
	if (!log || !proof || !n)
		return ot_error_set(err, OT_ERR_ARG, "bad arguments");
	if (size > log->b.size || index >= size)
		return ot_error_set(
			err, OT_ERR_RANGE,
			"no inclusion proof for entry %llu in a tree of %llu (the log has %llu)",
			(unsigned long long)index, (unsigned long long)size,
			(unsigned long long)log->b.size);
	node_ctx nc;
	ot_status rc = node_ctx_init(&nc, log, size, err);
	/* The tree size's level-0 tile first, without reading from it: its
	 * right edge's lines are then on their way while the path is read
	 * from the entry's tile (two misses at once, not one after another). */
	if (!rc && size > OT_TILE_WIDTH)
		rc = reach_tile(&nc, 0, (size - 1) / OT_TILE_WIDTH, 0, (size - 1) % OT_TILE_WIDTH);
	if (!rc)
		rc = otx_inclusion_proof(read_node, &nc, index, size, proof, n);
	node_ctx_free(&nc);
	return rc;
}

/* The nodes of a multi-proof as they come, into a growing array. */
typedef struct node_list {
	uint8_t (*h)[OT_HASH_SIZE];
	size_t n, cap;
} node_list;

static ot_status node_list_add(void *ctx, const uint8_t hash[OT_HASH_SIZE])
{
	node_list *l = ctx;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		uint8_t(*p)[OT_HASH_SIZE] = realloc(l->h, nc * sizeof *p);
		if (!p)
			return OT_ERR_NOMEM;
		l->h = p;
		l->cap = nc;
	}
	memcpy(l->h[l->n++], hash, OT_HASH_SIZE);
	return OT_OK;
}

ot_status ot_log_multiproof(ot_log *log, const uint64_t *indexes, size_t n, uint64_t size,
                            uint8_t (**nodes)[OT_HASH_SIZE], size_t *n_nodes, ot_error *err)
{
	if (!log || (n && !indexes) || !nodes || !n_nodes)
		return ot_error_set(err, OT_ERR_ARG, "bad arguments");
	*nodes = NULL;
	*n_nodes = 0;
	if (size > log->b.size)
		return ot_error_set(err, OT_ERR_RANGE,
		                    "no multi-proof in a tree of %llu (the log has %llu)",
		                    (unsigned long long)size, (unsigned long long)log->b.size);
	node_ctx nc;
	node_list list = {NULL, 0, 0};
	uint8_t root[OT_HASH_SIZE];
	ot_status rc = node_ctx_init(&nc, log, size, err);
	if (!rc) {
		rc = otx_multiproof(read_node, &nc, size, indexes, n, node_list_add, &list, root);
		node_ctx_free(&nc);
		if (rc == OT_ERR_RANGE)
			rc = ot_error_set(
				err, rc,
				"a multi-proof needs increasing indexes inside the tree of "
				"%llu",
				(unsigned long long)size);
		else if (rc == OT_ERR_NOMEM)
			rc = ot_error_set(err, rc, "out of memory");
	}
	if (rc) {
		free(list.h);
		return rc;
	}
	*nodes = list.h;
	*n_nodes = list.n;
	return OT_OK;
}

ot_status ot_log_consistency_proof(ot_log *log, uint64_t size1, uint64_t size2,
                                   uint8_t (*proof)[OT_HASH_SIZE], size_t *n, ot_error *err)
{
	if (!log || !proof || !n)
		return ot_error_set(err, OT_ERR_ARG, "bad arguments");
	if (size2 > log->b.size || size1 > size2)
		return ot_error_set(err, OT_ERR_RANGE,
		                    "no consistency proof from %llu to %llu (the log has %llu)",
		                    (unsigned long long)size1, (unsigned long long)size2,
		                    (unsigned long long)log->b.size);
	node_ctx nc;
	ot_status rc = node_ctx_init(&nc, log, size2, err);
	if (!rc)
		rc = otx_consistency_proof(read_node, &nc, size1, size2, proof, n);
	node_ctx_free(&nc);
	return rc;
}

static ot_status sign_checkpoint(ot_log *log, uint64_t size, char **note, size_t *len,
                                 ot_error *err)
{
	ot_checkpoint cp;
	memset(&cp, 0, sizeof cp);
	snprintf(cp.origin, sizeof cp.origin, "%s", log->origin);
	cp.size = size;
	ot_status rc = ot_log_tree_hash(log, size, cp.root, err);
	if (rc)
		return rc;
	char body[OT_ORIGIN_MAX + 128];
	size_t blen = 0;
	rc = ot_checkpoint_format(&cp, body, sizeof body, &blen);
	if (rc)
		return ot_error_set(err, rc, "cannot format the checkpoint");
	ot_signer *signers[1] = {(ot_signer *)(uintptr_t)log->signer};
	return ot_note_sign(body, blen, signers, 1, note, len, err);
}

ot_status ot_log_create(ot_store *st, const char *origin, const ot_signer *signer, ot_error *err)
{
	if (!st || !origin || !signer)
		return ot_error_set(err, OT_ERR_ARG,
		                    "creating a log needs a store, an origin and a key");
	size_t olen = strlen(origin);
	if (olen == 0 || olen > OT_ORIGIN_MAX)
		return ot_error_set(err, OT_ERR_ARG, "the origin must be 1-%d bytes",
		                    OT_ORIGIN_MAX);
	for (size_t i = 0; i < olen; i++)
		if ((unsigned char)origin[i] < 0x21 || origin[i] == 0x7f)
			return ot_error_set(
				err, OT_ERR_ARG,
				"the origin \"%s\" must not contain spaces or control characters",
				origin);
	char *existing = NULL;
	if (ot_store_get_meta(st, "origin", &existing, NULL) == OT_OK) {
		free(existing);
		return ot_error_set(err, OT_ERR_EXISTS, "the store already holds a log");
	}
	char vkey[OT_VKEY_MAX];
	ot_status rc = ot_signer_vkey(signer, vkey, sizeof vkey);
	if (rc)
		return ot_error_set(err, rc, "cannot format the verifier key");

	ot_log tmp;
	memset(&tmp, 0, sizeof tmp);
	tmp.st = st;
	tmp.signer = signer;
	snprintf(tmp.origin, sizeof tmp.origin, "%s", origin);
	char *note = NULL;
	size_t nlen = 0;
	rc = ot_store_begin(st, err);
	if (rc)
		return rc;
	rc = ot_store_set_meta(st, "origin", origin, err);
	if (!rc)
		rc = ot_store_set_meta(st, "log_vkey", vkey, err);
	if (!rc)
		rc = sign_checkpoint(&tmp, 0, &note, &nlen, err);
	if (!rc)
		rc = ot_store_put_checkpoint(st, 0, note, nlen, err);
	free(note);
	if (!rc)
		return ot_store_commit(st, err);
	ot_store_rollback(st);
	return rc;
}

ot_status ot_log_open(ot_store *st, const ot_signer *signer, ot_log **out, ot_error *err)
{
	if (!st || !out)
		return ot_error_set(err, OT_ERR_ARG, "no store");
	*out = NULL;
	char *origin = NULL, *vkey = NULL;
	ot_status rc = ot_store_get_meta(st, "origin", &origin, err);
	if (rc == OT_ERR_NOTFOUND)
		return ot_error_set(err, OT_ERR_SCHEMA, "the store holds no log (no origin)");
	if (rc)
		return rc;
	ot_log *log = calloc(1, sizeof *log);
	if (!log) {
		free(origin);
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	}
	log->st = st;
	log->signer = signer;
	snprintf(log->origin, sizeof log->origin, "%s", origin);
	free(origin);
	log->cache = calloc(CACHE_SLOTS, sizeof *log->cache);
	log->scratch = malloc(NODES * OT_HASH_SIZE);
	log->b.flush = store_tile;
	log->b.ctx = log;
	if (!log->cache || !log->scratch) {
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (signer) {
		char want[OT_VKEY_MAX];
		rc = ot_store_get_meta(st, "log_vkey", &vkey, err);
		if (rc)
			goto fail;
		if (ot_signer_vkey(signer, want, sizeof want) != OT_OK || strcmp(want, vkey) != 0) {
			rc = ot_error_set(err, OT_ERR_KEY,
			                  "the key %s+%08x is not this log's key (%s)",
			                  ot_signer_name(signer), ot_signer_key_id(signer), vkey);
			goto fail;
		}
	}
	rc = load_edge(log, err);
	if (rc)
		goto fail;
	log->committed_size = log->b.size;
	free(vkey);
	*out = log;
	return OT_OK;
fail:
	free(vkey);
	free(log->cache);
	free(log->scratch);
	free(log);
	return rc;
}

void ot_log_close(ot_log *log)
{
	if (!log)
		return;
	free(log->cache);
	free(log->scratch);
	free(log);
}

const char *ot_log_origin(const ot_log *log)
{
	return log ? log->origin : NULL;
}

uint64_t ot_log_size(const ot_log *log)
{
	return log ? log->b.size : 0;
}

/* Reloads the right edge when the store holds another count of entries
 * than the log knows (another handle appended). Inside a write transaction
 * this reads the transaction's state, which holds the writer's lock: the
 * edge is then the one the appends build on. */
static ot_status sync_edge(ot_log *log, ot_error *err)
{
	uint64_t size = 0;
	ot_status rc = ot_store_entry_count(log->st, &size, err);
	if (rc || size == log->b.size)
		return rc;
	rc = read_edge(log, err);
	if (rc) {
		/* Leave a consistent (empty) edge behind; the next refresh
		 * reloads. */
		memset(log->b.edge, 0, sizeof log->b.edge);
		log->b.size = 0;
	}
	log->committed_size = log->b.size;
	return rc;
}

ot_status ot_log_refresh(ot_log *log, ot_error *err)
{
	if (!log)
		return ot_error_set(err, OT_ERR_ARG, "no log");
	if (log->in_txn)
		return ot_error_set(err, OT_ERR_ARG, "cannot refresh a log inside a transaction");
	/* One read snapshot: the entry count and the edge tiles are read from
	 * the same committed state, however often a writer commits meanwhile.
	 * (Reading them apart raced with busy writers: every retry could land
	 * between a commit's count and its tiles.) */
	ot_status rc = ot_store_read_begin(log->st, err);
	if (rc)
		return rc;
	rc = sync_edge(log, err);
	ot_store_read_end(log->st);
	return rc;
}

ot_status ot_log_append_in_txn(ot_log *log, const uint8_t *const *entries, const size_t *lens,
                               size_t n, uint64_t *first_index, ot_error *err)
{
	if (!log || (n && (!entries || !lens)))
		return ot_error_set(err, OT_ERR_ARG, "bad arguments");
	if (!log->signer)
		return ot_error_set(err, OT_ERR_READONLY, "the log was opened without its key");
	if (!log->in_txn) {
		/* The first append of this transaction: another process may
		 * have appended since this handle last looked. */
		ot_status rc = sync_edge(log, err);
		if (rc)
			return rc;
		log->in_txn = 1;
		log->committed_size = log->b.size;
	}
	for (size_t i = 0; i < n; i++)
		if (!entries[i] || lens[i] == 0 || lens[i] > OT_ENTRY_MAX)
			return ot_error_at(err, OT_ERR_TOOBIG, "entry_size", (int64_t)i,
			                   "entry %zu is %zu bytes; entries must be 1-%d bytes", i,
			                   lens[i], OT_ENTRY_MAX);
	if (first_index)
		*first_index = log->b.size;
	/* Up to a tile's worth at a time: the entries stored, then their leaf
	 * hashes two at a time, then the tree above them level by level. */
	uint8_t leaves[OT_TILE_WIDTH][OT_HASH_SIZE];
	for (size_t i = 0; i < n;) {
		size_t run = n - i < OT_TILE_WIDTH ? n - i : OT_TILE_WIDTH, stored = 0;
		ot_status rc = OT_OK;
		for (; stored < run && !rc; stored++)
			rc = ot_store_put_entry(log->st, log->b.size + stored, entries[i + stored],
			                        lens[i + stored], err);
		if (rc)
			stored--; /* the entry that failed */
		/* The tree takes what the store took, even on failure, so
		 * that the two agree until the caller rolls back. */
		otx_leaf_hash_many(entries + i, lens + i, stored, leaves);
		ot_status brc = builder_add(&log->b, 0, (const uint8_t(*)[OT_HASH_SIZE])leaves,
		                            stored, err);
		log->b.size += stored;
		if (rc || brc)
			return rc ? rc : brc;
		i += run;
	}
	return OT_OK;
}

ot_status ot_log_publish_in_txn(ot_log *log, ot_error *err)
{
	if (!log)
		return ot_error_set(err, OT_ERR_ARG, "no log");
	if (!log->signer)
		return ot_error_set(err, OT_ERR_READONLY, "the log was opened without its key");
	ot_status rc = builder_flush_all(&log->b, err);
	if (rc)
		return rc;
	char *note = NULL;
	size_t len = 0;
	rc = sign_checkpoint(log, log->b.size, &note, &len, err);
	if (!rc)
		rc = ot_store_put_checkpoint(log->st, log->b.size, note, len, err);
	free(note);
	return rc;
}

void ot_log_txn_end(ot_log *log, int committed)
{
	if (!log)
		return;
	if (!committed && log->in_txn) {
		/* The store rolled back; so does the edge. If reloading fails the
		 * next append will fail to read and report it. */
		if (load_edge(log, NULL) != OT_OK)
			log->b.size = log->committed_size;
		for (int i = 0; i < CACHE_SLOTS; i++)
			log->cache[i].valid = 0;
	}
	log->in_txn = 0;
	log->committed_size = log->b.size;
}

ot_status ot_log_append(ot_log *log, const uint8_t *const *entries, const size_t *lens, size_t n,
                        uint64_t *first_index, ot_error *err)
{
	if (!log)
		return ot_error_set(err, OT_ERR_ARG, "no log");
	ot_status rc = ot_store_begin(log->st, err);
	if (rc)
		return rc;
	rc = ot_log_append_in_txn(log, entries, lens, n, first_index, err);
	if (!rc)
		rc = ot_log_publish_in_txn(log, err);
	if (!rc)
		rc = ot_store_commit(log->st, err);
	else
		ot_store_rollback(log->st);
	ot_log_txn_end(log, rc == OT_OK);
	return rc;
}

ot_status ot_log_checkpoint(ot_log *log, char **note, size_t *len, ot_error *err)
{
	if (!log || !note || !len)
		return ot_error_set(err, OT_ERR_ARG, "bad arguments");
	uint64_t size = 0;
	return ot_store_get_checkpoint(log->st, &size, note, len, err);
}

ot_status ot_log_entry(ot_log *log, uint64_t index, uint8_t **data, size_t *len, ot_error *err)
{
	if (!log || !data || !len)
		return ot_error_set(err, OT_ERR_ARG, "bad arguments");
	if (index >= log->b.size)
		return ot_error_set(err, OT_ERR_RANGE,
		                    "entry %llu is beyond the log's %llu entries",
		                    (unsigned long long)index, (unsigned long long)log->b.size);
	ot_status rc = ot_store_get_entry(log->st, index, data, len, err);
	if (rc == OT_ERR_NOTFOUND)
		return ot_error_set(err, OT_ERR_CORRUPT, "entry %llu is missing from the store",
		                    (unsigned long long)index);
	return rc;
}

typedef struct bundle_ctx {
	ot_buf *out;
	ot_error *err;
} bundle_ctx;

static ot_status bundle_add(void *vctx, uint64_t index, const uint8_t *data, size_t len)
{
	bundle_ctx *bc = vctx;
	if (len == 0 || len > OT_ENTRY_MAX)
		return ot_error_at(bc->err, OT_ERR_CORRUPT, "entry_size", (int64_t)index,
		                   "entry %llu has length %zu, outside 1-%d",
		                   (unsigned long long)index, len, OT_ENTRY_MAX);
	uint8_t be[2] = {(uint8_t)(len >> 8), (uint8_t)len};
	ot_status rc = ot_buf_add(bc->out, be, 2);
	if (!rc)
		rc = ot_buf_add(bc->out, data, len);
	return rc ? ot_error_set(bc->err, rc, "cannot assemble the entry bundle") : OT_OK;
}

ot_status ot_log_read_tile(ot_log *log, const ot_tile *t, uint8_t **data, size_t *len,
                           ot_error *err)
{
	if (!log || !t || !data || !len)
		return ot_error_set(err, OT_ERR_ARG, "bad arguments");
	char path[128];
	if (ot_tile_path(t, path, sizeof path) != OT_OK)
		return ot_error_set(err, OT_ERR_ARG, "not a tile");
	unsigned have = ot_tile_width_at(t->level, t->index, log->b.size);
	if (have < t->width)
		return ot_error_set(err, OT_ERR_NOTFOUND,
		                    "%s does not exist in a tree of %llu entries", path,
		                    (unsigned long long)log->b.size);
	if (t->level == OT_TILE_LEVEL_ENTRIES) {
		ot_buf out;
		ot_buf_init(&out, (size_t)OT_TILE_WIDTH * (OT_ENTRY_MAX + 2));
		bundle_ctx bc = {&out, err};
		ot_status rc = ot_store_scan_entries(log->st, t->index * OT_TILE_WIDTH, t->width,
		                                     bundle_add, &bc, err);
		if (!rc)
			rc = ot_buf_detach(&out, data, len);
		ot_buf_free(&out);
		return rc;
	}
	if (t->level >= LEVELS)
		return ot_error_set(err, OT_ERR_NOTFOUND, "%s does not exist", path);
	const uint8_t(*h)[OT_HASH_SIZE] = NULL;
	unsigned width = 0;
	ot_status rc = ot_store_read_begin(log->st, err);
	if (rc)
		return rc;
	int reading = 1;
	rc = get_tile(log, t->level, t->index, &width, &h, &reading, err);
	if (rc == OT_ERR_NOTFOUND)
		rc = ot_error_set(err, OT_ERR_CORRUPT, "%s is missing from the store", path);
	if (!rc && width < t->width)
		rc = ot_error_set(err, OT_ERR_CORRUPT, "%s: stored tile has only width %u", path,
		                  width);
	if (!rc) {
		/* Copied before the snapshot ends: h may point into the store. */
		size_t n = (size_t)t->width * OT_HASH_SIZE;
		*data = malloc(n);
		if (!*data)
			rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		else {
			memcpy(*data, h, n);
			*len = n;
		}
	}
	ot_store_read_end(log->st);
	return rc;
}

/* --- whole-log check --- */

typedef struct verify_ctx {
	ot_log *log;
	builder b;
	ot_report_cb report;
	ot_progress_cb progress;
	void *ctx;
	ot_error *err;
	ot_status first;
	uint64_t total;
	uint64_t problems;
	uint8_t (*stored)[OT_HASH_SIZE];
	uint8_t *packed;
} verify_ctx;

static void problem(verify_ctx *vc, const ot_error *e)
{
	vc->problems++;
	if (vc->first == OT_OK) {
		vc->first = e->status;
		if (vc->err)
			*vc->err = *e;
	}
	if (vc->report)
		vc->report(vc->ctx, e);
}

/* The builder's sink for the check: compare, do not write. */
static ot_status compare_tile(builder *b, int level, const edge_tile *t, ot_error *err)
{
	(void)err;
	verify_ctx *vc = b->ctx;
	ot_error e;
	ot_error_clear(&e);
	unsigned width = 0;
	uint8_t *data = NULL;
	size_t len = 0;
	char path[128];
	ot_tile tt = {level, t->index, t->width};
	ot_tile_path(&tt, path, sizeof path);
	ot_status rc = ot_store_get_tile(vc->log->st, level, t->index, &width, &data, &len, &e);
	if (rc) {
		if (rc == OT_ERR_NOTFOUND)
			ot_error_set(&e, OT_ERR_CORRUPT, "%s is missing from the store", path);
		problem(vc, &e);
		return OT_OK;
	}
	size_t want = record_hashes(t->width) * OT_HASH_SIZE;
	pack_record(t, vc->packed);
	if (width != t->width || len != want) {
		ot_error_set(&e, OT_ERR_CORRUPT, "%s: stored tile has width %u, recomputed %u",
		             path, width, t->width);
		problem(vc, &e);
	} else if (memcmp(data, vc->packed, want) != 0) {
		size_t at = 0;
		while (at < want && data[at] == vc->packed[at])
			at++;
		size_t k = at / OT_HASH_SIZE;
		if (level == 0 && k < t->width)
			ot_error_at(
				&e, OT_ERR_CORRUPT, "entry_mismatch",
				(int64_t)(t->index * OT_TILE_WIDTH + k),
				"entry %llu does not hash to its leaf hash in %s: the entry or the "
				"tile was altered",
				(unsigned long long)(t->index * OT_TILE_WIDTH + k), path);
		else
			ot_error_at(&e, OT_ERR_CORRUPT, "tile_mismatch", (int64_t)k,
			            "%s: the stored tile differs from the one recomputed from the "
			            "entries (first at hash %zu)",
			            path, k);
		problem(vc, &e);
	}
	free(data);
	return OT_OK;
}

static ot_status verify_entry(void *vctx, uint64_t index, const uint8_t *data, size_t len)
{
	verify_ctx *vc = vctx;
	if (len == 0 || len > OT_ENTRY_MAX) {
		ot_error e;
		ot_error_at(&e, OT_ERR_CORRUPT, "entry_size", (int64_t)index,
		            "entry %llu has length %zu, outside 1-%d", (unsigned long long)index,
		            len, OT_ENTRY_MAX);
		problem(vc, &e);
	}
	uint8_t leaf[OT_HASH_SIZE];
	ot_leaf_hash(data, len, leaf);
	ot_status rc = builder_add(&vc->b, 0, (const uint8_t(*)[OT_HASH_SIZE])leaf, 1, vc->err);
	if (rc)
		return rc;
	vc->b.size++;
	if (vc->progress && (index + 1) % 65536 == 0)
		vc->progress(vc->ctx, index + 1, vc->total);
	return OT_OK;
}

static void verify_checkpoint(verify_ctx *vc, const ot_verifier *verifier)
{
	ot_log *log = vc->log;
	ot_error e;
	ot_error_clear(&e);
	uint64_t cp_size = 0;
	char *note = NULL;
	size_t len = 0;
	if (ot_store_get_checkpoint(log->st, &cp_size, &note, &len, &e) != OT_OK) {
		problem(vc, &e);
		return;
	}
	ot_note parsed;
	ot_verifier *vs[1] = {(ot_verifier *)(uintptr_t)verifier};
	ot_status rc = ot_note_open(note, len, vs, verifier ? 1 : 0, &parsed, &e);
	if (rc) {
		ot_error_prefix(&e, "the latest checkpoint");
		problem(vc, &e);
		free(note);
		return;
	}
	ot_checkpoint cp;
	rc = ot_checkpoint_parse(parsed.text, parsed.text_len, &cp, &e);
	ot_note_clear(&parsed);
	free(note);
	if (rc) {
		ot_error_prefix(&e, "the latest checkpoint");
		problem(vc, &e);
		return;
	}
	if (strcmp(cp.origin, log->origin) != 0) {
		ot_error_set(&e, OT_ERR_VERIFY,
		             "the latest checkpoint names origin \"%s\", the log is \"%s\"",
		             cp.origin, log->origin);
		problem(vc, &e);
	}
	if (cp.size != cp_size || cp.size != log->b.size) {
		ot_error_set(&e, OT_ERR_VERIFY,
		             "the latest checkpoint is for %llu entries but the log holds %llu",
		             (unsigned long long)cp.size, (unsigned long long)log->b.size);
		problem(vc, &e);
		return;
	}
	uint8_t root[OT_HASH_SIZE];
	if (ot_log_tree_hash(log, cp.size, root, &e) != OT_OK) {
		problem(vc, &e);
		return;
	}
	if (memcmp(root, cp.root, OT_HASH_SIZE) != 0) {
		char want[64], got[64];
		ot_b64_encode(root, OT_HASH_SIZE, want);
		ot_b64_encode(cp.root, OT_HASH_SIZE, got);
		ot_error_set(
			&e, OT_ERR_VERIFY,
			"the latest checkpoint's root %s is not the tree's root %s recomputed from "
			"the entries",
			got, want);
		problem(vc, &e);
	}
}

ot_status ot_log_verify(ot_log *log, const ot_verifier *verifier, ot_report_cb report,
                        ot_progress_cb progress, void *ctx, ot_error *err)
{
	if (!log)
		return ot_error_set(err, OT_ERR_ARG, "no log");
	verify_ctx *vc = calloc(1, sizeof *vc);
	if (!vc)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	vc->log = log;
	vc->b.flush = compare_tile;
	vc->b.ctx = vc;
	vc->report = report;
	vc->progress = progress;
	vc->ctx = ctx;
	vc->err = err;
	vc->packed = malloc(NODES * OT_HASH_SIZE);
	ot_status rc = vc->packed ? OT_OK : ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	/* One read snapshot for the whole check, and the log's size taken in
	 * it: a writer committing meanwhile (another process) is not seen
	 * half-way, so cannot look like corruption. */
	int reading = 0;
	if (!rc && !log->in_txn) {
		rc = ot_store_read_begin(log->st, err);
		reading = rc == OT_OK;
		if (!rc)
			rc = sync_edge(log, err);
	}
	vc->total = log->b.size;
	uint64_t count = 0;
	if (!rc) {
		ot_error e;
		ot_error_clear(&e);
		if (ot_store_check(log->st, &e) != OT_OK)
			problem(vc, &e);
	}
	if (!rc)
		rc = ot_store_entry_count(log->st, &count, err);
	if (!rc && count != log->b.size)
		rc = ot_error_set(err, OT_ERR_CORRUPT,
		                  "the store holds %llu entries, the log expected %llu",
		                  (unsigned long long)count, (unsigned long long)log->b.size);
	if (!rc) {
		ot_error e;
		ot_error_clear(&e);
		rc = ot_store_scan_entries(log->st, 0, log->b.size, verify_entry, vc, &e);
		if (rc) {
			problem(vc, &e);
			rc = OT_OK;
		} else {
			ot_status frc = builder_flush_all(&vc->b, &e);
			if (frc)
				problem(vc, &e);
		}
	}
	if (!rc && vc->problems == 0)
		verify_checkpoint(vc, verifier);
	if (!rc && progress)
		progress(ctx, log->b.size, log->b.size);
	if (!rc)
		rc = vc->first;
	if (reading)
		ot_store_read_end(log->st);
	free(vc->packed);
	free(vc);
	return rc;
}
