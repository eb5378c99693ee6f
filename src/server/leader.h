/*
 * leader.h: one writer among several servers on one PostgreSQL database
 * (leader.c, docs/internals/failover.md).
 */
#ifndef OT_SERVER_LEADER_H
#define OT_SERVER_LEADER_H

#include <jansson.h>
#include <microhttpd.h>
#include <stddef.h>

#include "oretrail/status.h"
#include "server/server_int.h"

/* How often a follower tries to take the leader lock, and a leader checks
 * that it still holds it, in milliseconds. */
#define OTX_LEAD_POLL_MS 200

/* Starts the election for server s (its sequencer s->seq exists): one
 * attempt at once, so that a server alone leads as soon as it listens, then
 * a thread that tries every OTX_LEAD_POLL_MS. `advertise` is the URL the
 * others name in their 503s. */
ot_status otx_leader_start(ot_server *s, const char *advertise, otx_leader **out, ot_error *err);
/* Stops the thread and gives the lock up. NULL: no-op. */
void otx_leader_stop(otx_leader *l);

/* 1 when this server leads now. Thread-safe. */
int otx_leader_leading(otx_leader *l);

/* {"leading","url","epoch"}: whether this server leads, and the leader's
 * advertised URL and epoch (null while none is known), for GET /api/stats.
 * A new reference; NULL when out of memory. Thread-safe. */
json_t *otx_leader_doc(otx_leader *l);

/* The 503 a server that does not lead answers to POST /add: Retry-After
 * and {"error":{"code":"not_leader",...},"leader":{"url","epoch"}} (leader
 * null while none is known). */
enum MHD_Result otx_leader_refuse(otx_request *r);

#endif
