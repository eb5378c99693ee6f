/*
 * static.c: the log as static files, for any web server, object store or CDN
 * (`oretrail publish`). It writes the C2SP tlog-tiles layout under a
 * directory: `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]` and
 * `checkpoint`, so that every read path of the tlog-tiles spec is a file.
 * Tiles are immutable (a partial tile has its width in its path), so a run
 * writes only the paths that are not there yet; each file goes in whole
 * (temporary name, fsync, rename: ot_file_write), and the checkpoint comes
 * last, so a reader never sees a checkpoint whose tiles are missing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "oretrail/file.h"
#include "oretrail/log.h"
#include "oretrail/status.h"
#include "oretrail/tile.h"

/* Makes every directory on the way to the file `path` (mode 0755). */
static ot_status make_parents(char *path, ot_error *err)
{
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = 0;
		int bad = mkdir(path, 0755) != 0 && errno != EEXIST;
		int e = errno;
		*p = '/';
		if (bad)
			return ot_error_set(err, e == ENOSPC ? OT_ERR_FULL : OT_ERR_IO,
			                    "cannot make the directory of %s: %s", path,
			                    strerror(e));
	}
	return OT_OK;
}

/* Writes one tile (or bundle) at dir/<its path> unless it is there already. */
static ot_status put_tile(ot_log *log, const char *dir, const ot_tile *t, ot_static_stats *stats,
                          ot_error *err)
{
	char rel[128], path[4352];
	ot_status rc = ot_tile_path(t, rel, sizeof rel);
	if (rc)
		return ot_error_set(err, rc, "cannot name tile %d/%llu", t->level,
		                    (unsigned long long)t->index);
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, rel) >= sizeof path)
		return ot_error_set(err, OT_ERR_TOOBIG, "the directory name is too long");
	struct stat sb;
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
		stats->kept++;
		return OT_OK;
	}
	uint8_t *data = NULL;
	size_t len = 0;
	rc = make_parents(path, err);
	rc = rc ? rc : ot_log_read_tile(log, t, &data, &len, err);
	rc = rc ? rc : ot_file_write(path, (const char *)data, len, 0644, 0, err);
	free(data);
	if (!rc)
		stats->written++;
	return rc;
}

/* The tree size a signed checkpoint note states (its second line). */
static int note_size(const char *note, uint64_t *size)
{
	const char *nl = strchr(note, '\n');
	char *end = NULL;
	if (!nl || nl[1] < '0' || nl[1] > '9')
		return 0;
	errno = 0;
	unsigned long long v = strtoull(nl + 1, &end, 10);
	if (errno || *end != '\n')
		return 0;
	*size = v;
	return 1;
}

ot_status ot_log_write_static(ot_log *log, const char *dir, ot_static_stats *stats, ot_error *err)
{
	if (!log || !dir || !*dir || !stats)
		return ot_error_set(err, OT_ERR_ARG, "bad arguments");
	memset(stats, 0, sizeof *stats);
	char *note = NULL;
	size_t nlen = 0;
	uint64_t size = 0;
	/* The latest checkpoint and tiles of the same tree: a writer may append
	 * between the two reads, so read again until they agree. */
	ot_status rc = OT_OK;
	for (int tries = 0; tries < 5; tries++) {
		free(note);
		note = NULL;
		rc = ot_log_refresh(log, err);
		rc = rc ? rc : ot_log_checkpoint(log, &note, &nlen, err);
		if (rc)
			goto out;
		if (!note_size(note, &size)) {
			rc = ot_error_set(err, OT_ERR_CORRUPT, "the latest checkpoint has no size");
			goto out;
		}
		if (size <= ot_log_size(log))
			break;
	}
	if (size > ot_log_size(log)) {
		rc = ot_error_set(err, OT_ERR_BUSY,
		                  "the log kept growing past its checkpoint; try again");
		goto out;
	}
	struct stat sb;
	if (mkdir(dir, 0755) != 0 &&
	    !(errno == EEXIST && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))) {
		rc = ot_error_set(err, OT_ERR_IO, "cannot make the directory %s: %s", dir,
		                  strerror(errno));
		goto out;
	}
	/* Entry bundles, then hash tiles level by level, up to the top. */
	for (int level = OT_TILE_LEVEL_ENTRIES; !rc; level++) {
		int l = level < 0 ? 0 : level; /* bundles have level 0's widths */
		unsigned w;
		if (ot_tile_width_at(l, 0, size) == 0)
			break;
		for (uint64_t i = 0; !rc && (w = ot_tile_width_at(l, i, size)) != 0; i++) {
			ot_tile t = {level, i, w};
			rc = put_tile(log, dir, &t, stats, err);
		}
	}
	if (!rc) {
		char path[4352];
		snprintf(path, sizeof path, "%s/checkpoint", dir);
		rc = ot_file_write(path, note, nlen, 0644, 0, err);
	}
	stats->size = size;
out:
	free(note);
	return rc;
}
