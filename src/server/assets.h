/*
 * assets.h: the dashboard's files (HTML, CSS, JS, icons), compiled into the
 * binary so that `oretrail serve` needs nothing beside it and works offline.
 *
 * The table behind this interface is generated at build time: web/build.mjs
 * bundles web/src with esbuild, names each asset a second time after its
 * content (app.<sha256 prefix>.js), compresses it with gzip and brotli, and
 * assets_gen writes every file into a C array with its content type, its
 * entity tag and its compressed bodies (web/CMakeLists.txt). With the CMake
 * option OT_BUILD_WEB off, assets_none.c stands in: "/" is a short page that
 * says the dashboard was not built, and nothing else is found. static.c
 * serves the table (content coding, ETag, Cache-Control).
 *
 * The data is constant and lives as long as the program; calls are thread
 * safe.
 */
#ifndef OT_SERVER_ASSETS_H
#define OT_SERVER_ASSETS_H

#include <stddef.h>
#include <stdint.h>

/* One file of the dashboard. A compressed body is present only when it is
 * smaller than the identity body; each decompresses to exactly data. */
typedef struct otx_asset {
	const char *path;        /* where it is served: "/app.js" */
	const char *hashed_path; /* also served here, named after its content
	                            ("/app.3f2a0c1d9e8b.js"), or NULL */
	const uint8_t *data;     /* the identity body, not NUL-terminated */
	size_t len;
	const char *type;    /* MIME type, "text/javascript; charset=utf-8" */
	const char *etag;    /* the identity body's strong entity tag, quoted
	                        ("\"3f2a0c1d9e8b7a65\""), or NULL */
	const uint8_t *gzip; /* the body gzip-compressed, or NULL */
	size_t gzip_len;
	const uint8_t *br; /* the body brotli-compressed, or NULL */
	size_t br_len;
} otx_asset;

/* The assets, *n of them; the table lives as long as the program. */
const otx_asset *otx_assets(size_t *n);

/* 1 when the dashboard was built into this binary, 0 for the stand-in page. */
int otx_assets_built(void);

#endif
