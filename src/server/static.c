/*
 * static.c: the dashboard's files (assets.h) over HTTP. Each file is served
 * under its plain name (/app.js) and, when web/build.mjs named it after its
 * content, under that name too (/app.3f2a0c1d9e8b.js), which index.html
 * uses. A content-named file never changes, so it may be kept a year
 * without asking again ("immutable", RFC 8246); the plain names, index.html
 * first, must be revalidated on every use ("no-cache"), which costs a 304
 * when the client's ETag still matches (RFC 9110 section 13.1.2).
 *
 * The bodies were compressed at build time (gzip, brotli); the one sent is
 * chosen by Accept-Encoding, with "Vary: Accept-Encoding" so that shared
 * caches keep them apart, and each has its own strong ETag (the identity
 * tag with "-gzip" or "-br" added), as RFC 9110 section 8.8.3 asks of
 * representations that differ in their bytes.
 */
#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "server/assets.h"
#include "server/conneg.h"
#include "server/handlers.h"
#include "server/http.h"

#define CACHE_HASHED "public, max-age=31536000, immutable"
#define CACHE_PLAIN "no-cache"
#define ETAG_MAX 128

/* The page is held to what this server serves; the one allowance,
 * 'wasm-unsafe-eval', lets it compile the replay engine's WebAssembly
 * (web/wasm), and allows no JavaScript eval. "/" also varies by Accept
 * (server.c answers curl there with text). */
#define DASHBOARD_CSP                                                                      \
	"default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' data:; " \
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
#define DASHBOARD_VARY "Accept, Accept-Encoding"

static const otx_asset *find(const char *url, int *hashed)
{
	size_t n;
	const otx_asset *a = otx_assets(&n);
	if (strcmp(url, "/") == 0)
		url = "/index.html";
	for (size_t i = 0; i < n; i++) {
		if (strcmp(a[i].path, url) == 0) {
			*hashed = 0;
			return &a[i];
		}
		if (a[i].hashed_path && strcmp(a[i].hashed_path, url) == 0) {
			*hashed = 1;
			return &a[i];
		}
	}
	return NULL;
}

/* The body to send: brotli when the client takes it at least as gladly as
 * gzip (it is the smaller), else gzip, else identity. */
static const char *choose(otx_request *r, const otx_asset *a, const uint8_t **body, size_t *len)
{
	const char *ae = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	                                             MHD_HTTP_HEADER_ACCEPT_ENCODING);
	size_t ae_len = ae ? strlen(ae) : 0;
	unsigned q_br = a->br ? otx_accept_encoding_q(ae, ae_len, "br") : 0;
	unsigned q_gz = a->gzip ? otx_accept_encoding_q(ae, ae_len, "gzip") : 0;
	if (q_br > 0 && q_br >= q_gz) {
		*body = a->br;
		*len = a->br_len;
		return "br";
	}
	if (q_gz > 0) {
		*body = a->gzip;
		*len = a->gzip_len;
		return "gzip";
	}
	*body = a->data;
	*len = a->len;
	return NULL;
}

enum MHD_Result otx_static(otx_request *r, const char *url)
{
	int hashed = 0;
	const otx_asset *a = find(url, &hashed);
	if (!a)
		return otx_respond_errorf(r, 404, OT_ERR_NOTFOUND, "not_found",
		                          "no such resource: %s", url);
	const uint8_t *body;
	size_t len;
	const char *coding = choose(r, a, &body, &len);

	char etag[ETAG_MAX] = "";
	if (a->etag) {
		size_t n = strlen(a->etag);
		if (n >= 2 && n + 8 < sizeof etag) /* the tag, "-gzip", NUL */
			snprintf(etag, sizeof etag, "%.*s%s%s\"", (int)(n - 1), a->etag,
			         coding ? "-" : "", coding ? coding : "");
	}
	otx_header headers[5];
	size_t h = 0;
	headers[h++] = (otx_header){"Content-Security-Policy", DASHBOARD_CSP};
	headers[h++] = (otx_header){"Vary", DASHBOARD_VARY};
	if (etag[0])
		headers[h++] = (otx_header){"ETag", etag};
	const char *cache = hashed ? CACHE_HASHED : CACHE_PLAIN;

	const char *inm = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	                                              MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (etag[0] && inm && otx_etag_matches(inm, strlen(inm), etag)) {
		headers[h] = (otx_header){NULL, NULL};
		return otx_respond_static(r, 304, NULL, cache, "", headers);
	}
	if (coding)
		headers[h++] = (otx_header){"Content-Encoding", coding};
	headers[h] = (otx_header){NULL, NULL};
	return otx_respond_const(r, 200, a->type, cache, body, len, headers);
}
