/*
 * readers.h: read-only ledger handles lent to one request at a time
 * (readers.c).
 */
#ifndef OT_SERVER_READERS_H
#define OT_SERVER_READERS_H

#include "oretrail/status.h"
#include "server/server_int.h"

/* Borrows a read-only ledger handle whose log has caught up with the store,
 * reading one snapshot of it until otx_reader_put (so that the latest
 * checkpoint and the tree agree). NULL with err filled when none can be
 * opened. */
otx_reader *otx_reader_get(ot_server *s, ot_error *err);
void otx_reader_put(ot_server *s, otx_reader *r);

/* The same handle without the snapshot or the catching up, for a request
 * that reads a row or two (POST /add looks up signers' keys): each read is
 * then of the newest committed state. otx_reader_give returns it. */
otx_reader *otx_reader_take(ot_server *s, ot_error *err);
void otx_reader_give(ot_server *s, otx_reader *r);

/* Closes every pooled handle (at stop, when no request runs). */
void otx_readers_free(ot_server *s);

#endif
