/*
 * file.h: reading a whole file under a cap, and writing one atomically
 * (temporary file, fsync, rename), for state that must survive a crash
 * whole or not at all (a witness's last cosigned checkpoint).
 */
#ifndef ORETRAIL_FILE_H
#define ORETRAIL_FILE_H

#include <stddef.h>

#include "oretrail/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads the file at `path` ("-": standard input) into *data (malloc'ed,
 * *len bytes; free with free()). OT_ERR_NOTFOUND when it does not exist,
 * OT_ERR_TOOBIG past `max` bytes, OT_ERR_IO otherwise. */
OT_EXPORT ot_status ot_file_read(const char *path, char **data, size_t *len, size_t max,
                                 ot_error *err);

/* Writes `path` atomically with the given mode: a temporary file beside
 * it, fsync, rename. With `exclusive`, OT_ERR_EXISTS when it exists
 * already. OT_ERR_FULL when the disk is full, OT_ERR_IO otherwise. */
OT_EXPORT ot_status ot_file_write(const char *path, const char *data, size_t len, unsigned mode,
                                  int exclusive, ot_error *err);

#ifdef __cplusplus
}
#endif
#endif
