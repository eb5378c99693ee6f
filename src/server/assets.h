/*
 * assets.h: the dashboard's files (HTML, CSS, JS, icons), compiled into the
 * binary so that `oretrail serve` needs nothing beside it and works offline.
 *
 * The table behind this interface is generated at build time: web/build.mjs
 * bundles web/src with esbuild, and assets_gen writes every output file into
 * a C array with its content type (web/CMakeLists.txt). With the CMake
 * option OT_BUILD_WEB off, assets_none.c stands in: "/" is a short page that
 * says the dashboard was not built, and nothing else is found.
 *
 * The data is constant and lives as long as the program; calls are thread
 * safe.
 */
#ifndef OT_SERVER_ASSETS_H
#define OT_SERVER_ASSETS_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"

/*
 * Looks up the asset served at URL path `path` ("/" is "/index.html"; a
 * query string or fragment must already be cut off). On OT_OK, *data and *len
 * are its bytes (not NUL-terminated) and *content_type its MIME type, e.g.
 * "text/html; charset=utf-8"; any of the three may be NULL when not wanted.
 * OT_ERR_NOTFOUND when there is no such asset, OT_ERR_ARG when path is NULL.
 */
ot_status otx_asset_find(const char *path, const uint8_t **data, size_t *len,
                         const char **content_type);

/* 1 when the dashboard was built into this binary, 0 for the stand-in page. */
int otx_assets_built(void);

#endif
