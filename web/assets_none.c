/*
 * assets_none.c: what `oretrail serve` shows at "/" when the dashboard was
 * not built into it (CMake option OT_BUILD_WEB off, or no node and npm at
 * configure time). The log's read paths and the JSON API work all the same.
 */
#include <string.h>

#include "server/assets.h"

static const char NOT_BUILT[] =
	"<!doctype html>\n"
	"<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<title>oretrail: dashboard not built</title></head>\n"
	"<body style=\"font-family: system-ui, sans-serif; max-width: 40em; margin: 2em auto; "
	"padding: 0 1em; line-height: 1.5\">\n"
	"<h1>The dashboard was not built into this oretrail</h1>\n"
	"<p>This server still publishes the ledger: the signed checkpoint at "
	"<a href=\"/checkpoint\">/checkpoint</a>, the log's tiles under <code>/tile/</code> "
	"and the JSON API under <code>/api/</code>.</p>\n"
	"<p>To get the dashboard, install Node.js and npm (<code>scripts/install-deps "
	"browser</code>) and build again: <code>make build</code>, or configure with "
	"<code>cmake -DOT_BUILD_WEB=ON</code>.</p>\n"
	"</body></html>\n";

ot_status otx_asset_find(const char *path, const uint8_t **data, size_t *len,
                         const char **content_type)
{
	if (!path)
		return OT_ERR_ARG;
	if (strcmp(path, "/") != 0 && strcmp(path, "/index.html") != 0)
		return OT_ERR_NOTFOUND;
	if (data)
		*data = (const uint8_t *)NOT_BUILT;
	if (len)
		*len = sizeof NOT_BUILT - 1;
	if (content_type)
		*content_type = "text/html; charset=utf-8";
	return OT_OK;
}

int otx_assets_built(void)
{
	return 0;
}
