/*
 * handlers.h: what the router (server.c) calls: the handlers of each
 * route and the witness setup. c2sp.c answers the C2SP tlog-tiles paths,
 * add.c POST /add, api.c the JSON API, witness.c POST
 * /witness/cosignature, witness_pull.c asks witnesses for cosignatures.
 * Handlers never call back into server.c.
 */
#ifndef OT_SERVER_HANDLERS_H
#define OT_SERVER_HANDLERS_H

#include <microhttpd.h>
#include <stdint.h>

#include "oretrail/note.h"
#include "oretrail/status.h"
#include "server/server_int.h"

enum MHD_Result otx_c2sp_checkpoint(otx_request *r);
enum MHD_Result otx_c2sp_tile(otx_request *r, const char *path);

/* The dashboard's files (static.c, assets.h) at "/" and their paths: the
 * body chosen by Accept-Encoding, 304 on a matching If-None-Match, a year's
 * caching for content-named files and revalidation for the others. */
enum MHD_Result otx_static(otx_request *r, const char *url);

/* POST /add (add.c): called once the whole body is in. Parses it, queues the
 * submission and suspends the connection, or answers at once. */
enum MHD_Result otx_add_start(otx_request *r);
/* Called when the connection is resumed after the sequencer answered. */
enum MHD_Result otx_add_finish(otx_request *r);
void otx_add_free(otx_add *a);
/* Splits a POST /add body into its envelopes without parsing them: the
 * whole body when it is not a JSON array, else the array's elements
 * (strings and nesting followed, nothing else checked). OT_OK with
 * *count >= 1 pieces body[(*starts)[i] .. (*ends)[i]) (both arrays
 * malloc'ed, the caller frees them); else OT_ERR_PARSE (empty_body,
 * empty_batch, json_syntax with the entry's index) or OT_ERR_TOOBIG
 * (too_many_events, past max_events) and nothing to free. */
ot_status otx_add_split(const uint8_t *body, size_t len, size_t max_events, size_t **starts,
                        size_t **ends, size_t *count, ot_error *err);

/* The JSON API (api.c). */
#define OTX_API_PATH_MAX 2048 /* the longest /api/ path, decoded, NUL included */
/*
 * The API path (after "/api/") of a request URI as sent (an absolute URI's
 * path, without query or fragment), decoded strictly into buf
 * (OTX_API_PATH_MAX bytes): its first segment as a path, what follows the
 * first "/" as an id. A malformed percent-escape, a NUL, a control byte,
 * bytes that are not UTF-8 or a result too long: OT_ERR_PARSE with code
 * bad_path or bad_id and err->index the offset in the text as sent.
 */
ot_status otx_api_path(const char *uri, char *buf, ot_error *err);

/* Witness cosignatures (witness.c). Setup parses what the options give;
 * teardown frees it. */
ot_status otx_witness_setup(ot_server *s, ot_error *err);
void otx_witness_teardown(ot_server *s);
/* POST /witness/cosignature, once the whole body is in. */
enum MHD_Result otx_witness_post(otx_request *r);
/* Checks the lines of `note` (opened with the log's key, a checkpoint of
 * this log of `size` entries) as witness v's cosignature and keeps the
 * first valid one as v's newest, as served by GET /checkpoint. OT_OK kept;
 * OT_ERR_NOTFOUND no line of v's; OT_ERR_VERIFY v's line does not verify;
 * otherwise the store's failure. Thread-safe. */
ot_status otx_witness_keep(ot_server *s, const ot_cosig_verifier *v, const ot_note *note,
                           uint64_t size, ot_error *err);
/* The size of the checkpoint v's kept cosignature covers; 0 when none. */
uint64_t otx_witness_stored_size(ot_server *s, const ot_cosig_verifier *v);

/* Asking the witnesses that have a URL for cosignatures (witness_pull.c):
 * start does nothing without any (or without a sequencer); stop joins the
 * thread and frees it. */
ot_status otx_pull_start(ot_server *s, ot_error *err);
void otx_pull_stop(ot_server *s);

/* GET /api and /api/... (api.c), from the request's URI as sent: the path
 * and query arguments are percent-decoded strictly (400 when malformed). */
enum MHD_Result otx_api(otx_request *r);

#endif
