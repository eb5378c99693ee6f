/*
 * c2sp.c: the C2SP tlog-tiles read paths, byte for byte as the log stores
 * them (c2sp.org/tlog-tiles, "Checkpoints", "Merkle Tree", "Log entries").
 *
 *   GET /checkpoint                  text/plain; charset=utf-8, mutable: cached
 *                                    a few seconds at most
 *   GET /tile/<L>/<N>[.p/<W>]        application/octet-stream
 *   GET /tile/entries/<N>[.p/<W>]    application/octet-stream
 *
 * A full tile never changes, so it is cached for a year and marked
 * immutable. A partial tile `.p/W` is also fixed once its width exists, but
 * the log may stop serving it once the full tile is there (the spec allows
 * it), so it gets a short lifetime. A tile the tree does not (yet) have is
 * 404, as from a static file server.
 */
#include <stdlib.h>
#include <string.h>

#include "oretrail/status.h"
#include "server/handlers.h"
#include "server/http.h"
#include "server/readers.h"
#include "server/server_int.h"

#define CACHE_CHECKPOINT "public, max-age=2"
#define CACHE_FULL_TILE "public, max-age=31536000, immutable"
#define CACHE_PARTIAL_TILE "public, max-age=60"

enum MHD_Result otx_c2sp_checkpoint(otx_request *r)
{
	ot_error err;
	ot_error_clear(&err);
	otx_reader *rd = otx_reader_get(r->srv, &err);
	if (!rd)
		return otx_respond_error(r, &err);
	char *note = NULL;
	size_t len = 0;
	/* The reader's snapshot holds the tree it serves tiles from: this is
	 * that tree's checkpoint (readers.c). With the witnesses'
	 * cosignatures of this very checkpoint (witness.c). */
	ot_status rc = ot_ledger_checkpoint(rd->ledger, &note, &len, &err);
	otx_reader_put(r->srv, rd);
	if (rc) {
		free(note);
		return otx_respond_error(r, &err);
	}
	return otx_respond(r, 200, "text/plain; charset=utf-8", CACHE_CHECKPOINT, note, len, NULL);
}

enum MHD_Result otx_c2sp_tile(otx_request *r, const char *path)
{
	ot_tile t;
	if (ot_tile_parse_path(path, strlen(path), &t) != OT_OK)
		return otx_respond_errorf(r, 404, OT_ERR_NOTFOUND, "not_found",
		                          "/%s is not a tile path", path);
	ot_error err;
	ot_error_clear(&err);
	otx_reader *rd = otx_reader_get(r->srv, &err);
	if (!rd)
		return otx_respond_error(r, &err);
	uint8_t *data = NULL;
	size_t len = 0;
	ot_status rc = ot_log_read_tile(ot_ledger_log(rd->ledger), &t, &data, &len, &err);
	otx_reader_put(r->srv, rd);
	if (rc == OT_ERR_NOTFOUND || rc == OT_ERR_RANGE)
		return otx_respond_errorf(r, 404, OT_ERR_NOTFOUND, "not_found", "%s", err.message);
	if (rc)
		return otx_respond_error(r, &err);
	return otx_respond(r, 200, "application/octet-stream",
	                   t.width == OT_TILE_WIDTH ? CACHE_FULL_TILE : CACHE_PARTIAL_TILE, data,
	                   len, NULL);
}
