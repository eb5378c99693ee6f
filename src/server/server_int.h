/*
 * server_int.h: the types the server's modules share: the server handle,
 * one HTTP request's state, a borrowed read-only ledger handle. Functions
 * are declared by the module that defines them, and calls go one way:
 *
 *   server.c (lifecycle, router) -> handlers.h: c2sp.c, add.c, api.c,
 *                                   witness.c, witness_pull.c
 *   every module                 -> http.h (http.c: responses, logs)
 *                                   readers.h (readers.c: ledger handles)
 *   server.c, api.c, add.c       -> bounds.h (bounds.c: deadlines, body
 *                                   budget, their counters)
 *   server.c, add.c              -> leader.h (leader.c: which server of
 *                                   several on one database writes)
 *
 * No handler calls server.c; http.c and readers.c call no handler.
 */
#ifndef OT_SERVER_SERVER_INT_H
#define OT_SERVER_SERVER_INT_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "oretrail/buf.h"
#include "oretrail/ledger.h"
#include "oretrail/server.h"
#include "server/sequencer.h"

/* A read-only ledger handle, lent to one request at a time. */
typedef struct otx_reader {
	ot_ledger *ledger;
	struct otx_reader *next;
} otx_reader;

typedef struct otx_bounds otx_bounds; /* deadlines and the body budget (bounds.c) */
typedef struct otx_leader otx_leader; /* one writer among several servers (leader.c) */

/* A cached JSON document valid for one tree size (the flows report). */
typedef struct otx_cached {
	uint64_t size;
	int valid;
	char *json;
	size_t len;
} otx_cached;

struct ot_server {
	ot_server_options opt; /* defaults filled in */
	char *db;
	char *listen;
	struct MHD_Daemon *mhd;
	int listen_fd;
	uint16_t port;
	otx_sequencer *seq; /* NULL when read-only */
	otx_leader *leader; /* NULL unless several servers may share the database */
	char origin[OT_ORIGIN_MAX + 1];

	pthread_mutex_t readers_mu;
	otx_reader *free_readers;

	pthread_mutex_t log_mu; /* one access-log line at a time */

	pthread_mutex_t cache_mu;
	otx_cached report;

	/* Witnesses (witness.c): the log's verifier key, and a store handle
	 * of its own for writing cosignatures, opened on first use. */
	ot_verifier *log_verifier; /* NULL: no cosignatures taken */
	pthread_mutex_t cosig_mu;
	ot_store *cosig_st;
	struct otx_pull *pull; /* asking witnesses (witness_pull.c); NULL: none */

	otx_bounds *bounds;

	atomic_uint_fast64_t requests; /* requests seen */
	atomic_int_fast64_t inflight;  /* requests not yet completed */
	uint64_t started_ns;
};

enum otx_route {
	ROUTE_NONE = 0,
	ROUTE_GET,   /* a GET or HEAD, answered once the request is all in */
	ROUTE_ADD,   /* POST /add: collecting the body, then queued */
	ROUTE_COSIG, /* POST /witness/cosignature: collecting the body */
};

typedef struct otx_add otx_add;

/* One HTTP request, from its URI to its completion. */
typedef struct otx_request {
	ot_server *srv;
	struct MHD_Connection *conn;
	char *uri; /* as received, query included: for the access log */
	char method[16];
	char version[16];
	int head; /* HEAD: the log shows no bytes sent */
	int started;
	enum otx_route route;
	uint64_t received_ns;
	time_t received;

	ot_buf body; /* POST body, capped at max_body */
	int body_too_big;
	int body_no_memory;  /* the body budget was full: dropped, then 503 */
	uint64_t reserved;   /* this request's share of the body budget, bytes */
	uint64_t dropped;    /* body bytes read and dropped past the limit */
	otx_add *add;        /* the queued submission, when route is ROUTE_ADD */
	atomic_int answered; /* set by the sequencer thread before resuming */
	int queued;

	uint64_t bytes; /* body bytes of the response queued */
} otx_request;

#endif
