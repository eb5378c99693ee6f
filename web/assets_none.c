/*
 * assets_none.c: what `oretrail serve` shows at "/" when the dashboard was
 * not built into it (CMake option OT_BUILD_WEB off, or no node and npm at
 * configure time). The log's read paths and the JSON API work all the same.
 */
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

static const otx_asset PAGE[] = {{
	.path = "/index.html",
	.data = (const uint8_t *)NOT_BUILT,
	.len = sizeof NOT_BUILT - 1,
	.type = "text/html; charset=utf-8",
}};

const otx_asset *otx_assets(size_t *n)
{
	*n = sizeof PAGE / sizeof PAGE[0];
	return PAGE;
}

int otx_assets_built(void)
{
	return 0;
}
