/*
 * tilefile.c: the flat tile file (tilefile.h).
 *
 * Layout: a 4096-byte header, then 16,320-byte records at fixed slots.
 * Header: the magic line (32 bytes, zero-padded), the store's tiles_id (32
 * hex characters), then the count of valid slots (8 bytes, little-endian).
 *
 * Slots follow the order in which the log completes tiles. Level-L tile i
 * completes when the log reaches t = (i+1) * 256^(L+1) entries, after the
 * level-0 tile (and any tiles between) that complete at the same t. Before
 * it then come, for each level l <= L, the t / 256^(l+1) tiles completed by
 * t (itself included, at l = L), and for each level l > L the
 * (t-1) / 256^(l+1) completed strictly before t.
 */
#include "store/tilefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEADER 4096
#define MAGIC "oretrail flat tile file 1\n"
#define MAGIC_LEN 32
#define COUNT_AT (MAGIC_LEN + OTX_TILEFILE_ID_LEN)
#define LEVELS 8

struct otx_tilefile {
	int fd;
	int writable;
	char id[OTX_TILEFILE_ID_LEN];
	uint8_t *map; /* [0, map_len) of the file, shared */
	size_t map_len;
	/* The open transaction's full tiles: slots first..last, if any. */
	int txn_any;
	uint64_t txn_first, txn_last;
};

uint64_t otx_tilefile_slot(int level, uint64_t index, int *ok)
{
	*ok = 0;
	if (level < 0 || level >= LEVELS)
		return 0;
	unsigned shift = 8 * ((unsigned)level + 1);
	if (shift >= 64 || index >= (UINT64_MAX >> shift))
		return 0;
	uint64_t t = (index + 1) << shift, slot = 0;
	for (int l = 0; l < LEVELS; l++) {
		unsigned s = 8 * ((unsigned)l + 1);
		if (s >= 64)
			break;
		slot += l <= level ? t >> s : (t - 1) >> s;
	}
	*ok = 1;
	return slot - 1;
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int full_pwrite(int fd, const void *buf, size_t len, off_t at)
{
	const uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
		at += n;
	}
	return 0;
}

static int read_count(otx_tilefile *tf, uint64_t *count)
{
	uint8_t b[8];
	if (pread(tf->fd, b, 8, COUNT_AT) != 8)
		return -1;
	*count = get_le64(b);
	return 0;
}

/* Maps the whole file as it is now; 0 when at least `need` bytes are. */
static int remap(otx_tilefile *tf, size_t need)
{
	struct stat sb;
	if (fstat(tf->fd, &sb) != 0 || (uint64_t)sb.st_size < need || sb.st_size < HEADER)
		return -1;
	void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, tf->fd, 0);
	if (m == MAP_FAILED)
		return -1;
	if (tf->map)
		munmap(tf->map, tf->map_len);
	tf->map = m;
	tf->map_len = (size_t)sb.st_size;
	return 0;
}

otx_tilefile *otx_tilefile_open(const char *path, const char *id, int writable)
{
	if (!id || strlen(id) != OTX_TILEFILE_ID_LEN)
		return NULL;
	otx_tilefile *tf = calloc(1, sizeof *tf);
	if (!tf)
		return NULL;
	memcpy(tf->id, id, OTX_TILEFILE_ID_LEN);
	tf->writable = writable;
	tf->fd = open(path, (writable ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0644);
	if (tf->fd < 0)
		goto fail;
	uint8_t h[COUNT_AT + 8];
	ssize_t got = pread(tf->fd, h, sizeof h, 0);
	int ours = got == (ssize_t)sizeof h && memcmp(h, MAGIC, sizeof MAGIC - 1) == 0 &&
	           memcmp(h + MAGIC_LEN, id, OTX_TILEFILE_ID_LEN) == 0;
	if (!ours) {
		if (!writable)
			goto fail;
		/* New, or another store's: start over, empty, in a new file, so
		 * that a process still mapping the old one (the old store's)
		 * never sees it shrink under its map. */
		uint8_t fresh[HEADER] = {0};
		memcpy(fresh, MAGIC, sizeof MAGIC - 1);
		memcpy(fresh + MAGIC_LEN, id, OTX_TILEFILE_ID_LEN);
		close(tf->fd);
		unlink(path);
		tf->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (tf->fd < 0 || full_pwrite(tf->fd, fresh, HEADER, 0) != 0 ||
		    fdatasync(tf->fd) != 0)
			goto fail;
	}
	if (remap(tf, HEADER) != 0)
		goto fail;
	return tf;
fail:
	otx_tilefile_close(tf);
	return NULL;
}

void otx_tilefile_close(otx_tilefile *tf)
{
	if (!tf)
		return;
	if (tf->map)
		munmap(tf->map, tf->map_len);
	if (tf->fd >= 0)
		close(tf->fd);
	free(tf);
}

static off_t slot_offset(uint64_t slot)
{
	return (off_t)(HEADER + slot * (uint64_t)OTX_TILEFILE_RECORD);
}

const uint8_t *otx_tilefile_get(otx_tilefile *tf, int level, uint64_t index)
{
	int ok;
	uint64_t slot = otx_tilefile_slot(level, index, &ok);
	if (!tf || !ok || slot >= get_le64(tf->map + COUNT_AT))
		return NULL;
	size_t end = (size_t)slot_offset(slot) + OTX_TILEFILE_RECORD;
	if (end > tf->map_len && remap(tf, end) != 0)
		return NULL;
	return tf->map + slot_offset(slot);
}

void otx_tilefile_put(otx_tilefile *tf, int level, uint64_t index, const uint8_t *rec)
{
	int ok;
	uint64_t slot = otx_tilefile_slot(level, index, &ok);
	if (!tf || !tf->writable || !ok)
		return;
	if (full_pwrite(tf->fd, rec, OTX_TILEFILE_RECORD, slot_offset(slot)) != 0)
		return; /* not counted: the commit stops before it */
	if (!tf->txn_any || slot < tf->txn_first)
		tf->txn_first = slot;
	if (!tf->txn_any || slot > tf->txn_last)
		tf->txn_last = slot;
	tf->txn_any = 1;
}

/* The tile in `slot`: the level-0 tile whose slot is the last at or
 * before it, then the upper tiles that complete with it. */
static int slot_tile(uint64_t slot, int *level, uint64_t *index)
{
	uint64_t lo = 0, hi = slot; /* slot(0, j) >= j */
	int ok;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2;
		if (otx_tilefile_slot(0, mid, &ok) <= slot && ok)
			lo = mid;
		else
			hi = mid - 1;
	}
	uint64_t s0 = otx_tilefile_slot(0, lo, &ok);
	if (!ok || s0 > slot)
		return -1;
	uint64_t done = lo + 1; /* level-0 tiles complete with this one */
	for (int l = 0; l < LEVELS && s0 + (uint64_t)l <= slot; l++) {
		if (s0 + (uint64_t)l == slot) {
			*level = l;
			*index = done - 1;
			return 0;
		}
		if (done % 256 != 0)
			return -1;
		done /= 256;
	}
	return -1;
}

void otx_tilefile_commit(otx_tilefile *tf, otx_tilefile_reader read, void *ctx)
{
	if (!tf || !tf->txn_any)
		return;
	uint64_t first = tf->txn_first, last = tf->txn_last, count;
	tf->txn_any = 0;
	if (read_count(tf, &count) != 0 || count > last)
		return;
	/* Slots before this transaction's that a crash or another writer's
	 * failure left unwritten: from the store. */
	uint8_t *rec = count < first ? malloc(OTX_TILEFILE_RECORD) : NULL;
	for (uint64_t slot = count; slot < first; slot++) {
		int level;
		uint64_t index;
		if (!rec || slot_tile(slot, &level, &index) != 0 ||
		    read(ctx, level, index, rec) != 0 ||
		    full_pwrite(tf->fd, rec, OTX_TILEFILE_RECORD, slot_offset(slot)) != 0) {
			free(rec);
			return;
		}
	}
	free(rec);
	/* The records reach the disk before the count that covers them. */
	if (fdatasync(tf->fd) != 0)
		return;
	uint8_t b[8];
	put_le64(b, last + 1);
	full_pwrite(tf->fd, b, 8, COUNT_AT);
}

void otx_tilefile_rollback(otx_tilefile *tf)
{
	if (tf)
		tf->txn_any = 0;
}

int otx_tilefile_check(otx_tilefile *tf, otx_tilefile_reader read, void *ctx, int *level,
                       uint64_t *index)
{
	if (!tf)
		return 0;
	uint64_t count = get_le64(tf->map + COUNT_AT);
	uint8_t *rec = malloc(OTX_TILEFILE_RECORD);
	int rc = rec ? 0 : -1;
	for (uint64_t slot = 0; slot < count && rc == 0; slot++) {
		const uint8_t *have = NULL;
		if (slot_tile(slot, level, index) == 0)
			have = otx_tilefile_get(tf, *level, *index);
		if (!have || read(ctx, *level, *index, rec) != 0 ||
		    memcmp(have, rec, OTX_TILEFILE_RECORD) != 0)
			rc = -1;
	}
	free(rec);
	return rc;
}
