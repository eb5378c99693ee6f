/*
 * events_in.h: reading a file of events (events_in.c), for `oretrail
 * submit`.
 */
#ifndef OT_CLI_EVENTS_IN_H
#define OT_CLI_EVENTS_IN_H

#include <jansson.h>
#include <stddef.h>

#include "oretrail/status.h"

/* Takes one event read: `value` (a JSON object, a reference the callback
 * owns from then on, also when it fails) and the line where it starts (0
 * inside an array). Non-zero stops the reading with that status. */
typedef ot_status (*cli_event_fn)(void *ctx, json_t *value, unsigned long line, ot_error *err);

/* Reads data[0..len): JSON lines (a sequence of JSON objects; lines
 * starting with # are comments) or one JSON array of objects, after an
 * optional UTF-8 byte order mark, and hands each object to each(ctx, ...)
 * in order. Objects are checked as the ledger checks entries (no duplicate
 * members, integers only). OT_OK; OT_ERR_PARSE (or the check's status)
 * with "line L: ..." or "event N of the array ..." for bad input; or what
 * `each` returned. */
ot_status cli_read_events(const char *data, size_t len, cli_event_fn each, void *ctx,
                          ot_error *err);

#endif
