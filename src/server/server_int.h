/*
 * server_int.h: what the server's modules share: the server handle, one
 * HTTP request's state, the pool of read-only ledger handles, and the
 * response helpers. server.c drives libmicrohttpd; c2sp.c answers the
 * tlog-tiles paths, add.c POST /add, api.c the JSON API.
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
	otx_add *add;        /* the queued submission, when route is ROUTE_ADD */
	atomic_int answered; /* set by the sequencer thread before resuming */
	int queued;

	uint64_t bytes; /* body bytes of the response queued */
} otx_request;

/* --- readers (server.c) --- */
/* Borrows a read-only ledger handle whose log has caught up with the store.
 * NULL with err filled when none can be opened. */
otx_reader *otx_reader_get(ot_server *s, ot_error *err);
void otx_reader_put(ot_server *s, otx_reader *r);

/* --- responses (http.c) --- */
/* Headers added to a response: NULL-terminated name/value pairs. */
typedef struct otx_header {
	const char *name;
	const char *value;
} otx_header;

/* Queues a response whose body `data` (malloc'ed) is taken over. */
enum MHD_Result otx_respond(otx_request *r, unsigned status, const char *content_type,
                            const char *cache_control, void *data, size_t len,
                            const otx_header *extra);
/* Queues a constant body. */
enum MHD_Result otx_respond_static(otx_request *r, unsigned status, const char *content_type,
                                   const char *cache_control, const char *text,
                                   const otx_header *extra);
/* A JSON body (malloc'ed, taken over); Cache-Control no-store unless given. */
enum MHD_Result otx_respond_json(otx_request *r, unsigned status, char *json,
                                 const char *cache_control);
/* {"error":{"code","message","index"}} with the status that fits e. */
enum MHD_Result otx_respond_error(otx_request *r, const ot_error *e);
/* The same from a status, an HTTP code (0: the one that fits), a code and
 * a printf message. */
enum MHD_Result otx_respond_errorf(otx_request *r, unsigned http, ot_status st, const char *code,
                                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The HTTP status for an error (400, 401, 403, 404, 409, 413, 429, 500,
 * 503, 507). */
unsigned otx_http_status(const ot_error *e);
/* The error document, malloc'ed. */
char *otx_error_json(const ot_error *e);

/* Writes "oretrail: serve: <message>" to the server's log (when it has one). */
void otx_server_log(ot_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for what needs a human, to error_log (else the access log). */
void otx_server_alert(ot_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes one Common Log Format line for a finished request. */
void otx_access_log(ot_server *s, otx_request *r, unsigned status);

/* --- handlers --- */
enum MHD_Result otx_c2sp_checkpoint(otx_request *r);
enum MHD_Result otx_c2sp_tile(otx_request *r, const char *path);

/* POST /add (add.c): called once the whole body is in. Parses it, queues the
 * submission and suspends the connection, or answers at once. */
enum MHD_Result otx_add_start(otx_request *r);
/* Called when the connection is resumed after the sequencer answered. */
enum MHD_Result otx_add_finish(otx_request *r);
void otx_add_free(otx_add *a);

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

/* GET /api/... (api.c). `path` is what follows "/api/". */
enum MHD_Result otx_api(otx_request *r, const char *path);

/* Monotonic nanoseconds. */
uint64_t otx_now_ns(void);

#endif
