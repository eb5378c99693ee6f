/*
 * bounds.h: the server's defences against clients that hold resources
 * without finishing a request (bounds.c): a deadline for the request line
 * and headers, another for the body, and one budget for the request bodies
 * held in memory by all connections together.
 */
#ifndef OT_SERVER_BOUNDS_H
#define OT_SERVER_BOUNDS_H

#include "oretrail/status.h"
#include "server/server_int.h"

/* Where a connection is in its request, which says which deadline runs. */
enum otx_phase {
	PHASE_HEADER = 0, /* waiting for a request line and headers: header deadline */
	PHASE_BODY,       /* headers in, body coming: body deadline */
	PHASE_ANSWER,     /* the request is all in: no deadline of ours */
};

/* The counters of GET /api/stats "bounds". */
typedef struct otx_bounds_stats {
	uint64_t cut_header;     /* connections cut at the header deadline */
	uint64_t cut_body;       /* connections cut at the body deadline */
	uint64_t cut_min_ms;     /* the shortest and longest time a cut */
	uint64_t cut_max_ms;     /* connection had been in its phase */
	uint64_t body_refused;   /* bodies refused (503) for the memory budget */
	uint64_t body_bytes;     /* body bytes held now */
	uint64_t body_bytes_max; /* the most held at once */
	uint64_t connections;    /* connections open now */
} otx_bounds_stats;

/* Starts the thread that enforces the deadlines (before the daemon). */
ot_status otx_bounds_start(ot_server *s, ot_error *err);
/* Stops it (after the daemon: every connection is closed by then). */
void otx_bounds_stop(ot_server *s);

/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION callback: registers a new
 * connection (in PHASE_HEADER) and forgets a closed one. cls: the server. */
void otx_bounds_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode code);

/* How long a connection has been in its phase at `now`, both on the
 * monotonic clock in ns. A phase that began after the sweep read `now` (a
 * request that ended meanwhile) is 0 old: computed as an unsigned
 * difference it wrapped to centuries, and the sweep cut busy keep-alive
 * connections at random. */
uint64_t otx_phase_age_ns(uint64_t now, uint64_t since);

/* Moves the connection to phase; its deadline counts from now. */
void otx_bounds_phase(struct MHD_Connection *conn, enum otx_phase phase);

/* Raises the request's share of the body budget to total bytes. 1 when
 * granted, 0 when the budget is full (counted as refused; the share is
 * unchanged). */
int otx_body_reserve(otx_request *r, uint64_t total);
/* Gives the request's share back (at its end, or when its body is dropped). */
void otx_body_release(otx_request *r);
/* The 503 for a request the body budget has no room for (code
 * "body_memory_full", with Retry-After). */
enum MHD_Result otx_body_memory_full(otx_request *r);

/* A submission's prepared entries (ot_ledger_prepare: the canonical entry
 * and the key that verified) and its answer's slots stay in memory until it
 * is answered, in place of its body, and count in the body budget at this
 * many times the body's size: measured at 2.2 times for a body of one
 * 275-byte envelope (the entry's buffer, the prepared entry, malloc's
 * overhead); larger envelopes take relatively less. */
#define OTX_ADD_PARSED_FACTOR 3

void otx_bounds_get_stats(ot_server *s, otx_bounds_stats *out);

#endif
