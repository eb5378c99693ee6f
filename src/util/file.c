/*
 * file.c: whole-file reads under a cap and atomic writes (file.h).
 */
#include "oretrail/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oretrail/buf.h"
#include "oretrail/status.h"

ot_status ot_file_read(const char *path, char **data, size_t *len, size_t max, ot_error *err)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f)
		return ot_error_set(err, errno == ENOENT ? OT_ERR_NOTFOUND : OT_ERR_IO, "%s: %s",
		                    path, strerror(errno));
	ot_buf b;
	ot_buf_init(&b, max);
	ot_status rc = OT_OK;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		rc = ot_buf_add(&b, chunk, n);
		if (rc)
			break;
	}
	if (!rc && ferror(f))
		rc = ot_error_set(err, OT_ERR_IO, "%s: read error", path);
	else if (rc == OT_ERR_TOOBIG)
		rc = ot_error_set(err, rc, "%s: larger than %zu bytes", path, max);
	else if (rc)
		rc = ot_error_set(err, rc, "%s: cannot read", path);
	if (f != stdin)
		fclose(f);
	if (!rc)
		rc = ot_buf_detach(&b, (uint8_t **)data, len);
	ot_buf_free(&b);
	return rc;
}

ot_status ot_file_write(const char *path, const char *data, size_t len, unsigned mode,
                        int exclusive, ot_error *err)
{
	struct stat sb;
	if (exclusive && stat(path, &sb) == 0)
		return ot_error_set(err, OT_ERR_EXISTS, "%s already exists; not overwriting it",
		                    path);
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, (mode_t)mode);
	if (fd < 0)
		return ot_error_set(err, OT_ERR_IO, "%s: %s", tmp, strerror(errno));
	ot_status rc = OT_OK;
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = ot_error_set(err, errno == ENOSPC ? OT_ERR_FULL : OT_ERR_IO, "%s: %s",
			                  tmp, strerror(errno));
			break;
		}
		off += (size_t)w;
	}
	if (!rc && fchmod(fd, (mode_t)mode) != 0)
		rc = ot_error_set(err, OT_ERR_IO, "%s: %s", tmp, strerror(errno));
	if (!rc && fsync(fd) != 0)
		rc = ot_error_set(err, OT_ERR_IO, "%s: %s", tmp, strerror(errno));
	close(fd);
	if (!rc && rename(tmp, path) != 0)
		rc = ot_error_set(err, OT_ERR_IO, "%s: %s", path, strerror(errno));
	if (rc)
		unlink(tmp);
	return rc;
}
