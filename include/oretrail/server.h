/*
 * server.h: the ledger's HTTP server (`oretrail serve`).
 *
 * Serves the C2SP tlog-tiles read paths (/checkpoint, /tile/...), accepts
 * signed events at POST /add and answers the JSON API under /api/. One
 * sequencer thread owns the writable ledger: concurrent submissions are
 * checked against one state, written in one transaction with one fsync
 * (group commit) and answered only once durable. Reads use their own
 * read-only handles and never wait for the sequencer.
 *
 * ot_server_start returns once the socket listens; the server runs on its
 * own threads until ot_server_stop. The handle is thread-safe.
 *
 * With witness keys, it takes C2SP tlog-cosignature lines at POST
 * /witness/cosignature, or asks C2SP tlog-witness witnesses for them, and
 * serves them after the log's signature at /checkpoint
 * (docs/internals/server.md, src/server/witness.c, witness_pull.c).
 */
#ifndef ORETRAIL_SERVER_H
#define ORETRAIL_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "oretrail/certificate.h"
#include "oretrail/note.h"
#include "oretrail/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ot_server ot_server;

/* Options; zero-initialise and set what you need. A zero limit means the
 * default given in brackets. */
typedef struct ot_server_options {
	const char *db;          /* the ledger (SQLite file); required */
	const char *listen;      /* "HOST:PORT", "[V6]:PORT" or ":PORT"; port 0 picks a
	                            free one ["127.0.0.1:8080"] */
	const ot_signer *signer; /* the log's key, to accept submissions; borrowed, must
	                            outlive the server. NULL or read_only: no POST /add */
	int read_only;           /* serve without accepting submissions (503) */
	/* The log's verifier key (C2SP note vkey text) that GET /api/checkpoint
	 * publishes as "vkey", for readers to check the checkpoint with when the
	 * ledger's authority is not a registered actor. NULL: the signer's, when
	 * there is one, else none. Borrowed. */
	const char *log_vkey;
	FILE *access_log;         /* Common Log Format lines; NULL: none */
	unsigned threads;         /* HTTP threads [4] */
	unsigned max_connections; /* open connections at once [1024] */
	unsigned timeout_s;       /* idle connection time-out, seconds [30] */
	size_t max_header;        /* request line and headers, bytes [16384] */
	size_t max_body;          /* POST body, bytes [16 MiB] */
	size_t max_events;        /* signed envelopes in one POST /add [10000] */
	size_t queue_events;      /* events waiting for the sequencer before 429 [65536] */
	size_t batch_events;      /* events per transaction, at most [8192] */
	unsigned wait_ms;         /* how long a batch waits for another writer of the
	                             ledger (another process) before its requests get
	                             503 "ledger busy" with Retry-After, ms [5000] */
	/* Witness keys whose cosignatures POST /witness/cosignature accepts and
	 * GET /checkpoint then serves (needs `signer`); borrowed, must outlive
	 * the server. None: the route answers 503. */
	ot_cosig_verifier *const *witnesses;
	size_t n_witnesses;
	/* NULL, or one entry per witness: the base URL of its C2SP tlog-witness
	 * endpoint (NULL: none, it pushes). A writable server then asks it for
	 * a cosignature of each new checkpoint (POST <URL>/add-checkpoint) from
	 * a thread of its own, and keeps the answer as a pushed one. Borrowed. */
	const char *const *witness_urls;
	/* The slack of the backdated / future_dated findings at /api/findings,
	 * seconds (ot_ledger_set_tolerance): 0 48 h, negative none. */
	int64_t tolerance_s;
	FILE *error_log; /* what needs a human (a witness that holds another tree),
	                    even when access_log is NULL; NULL: access_log */
	/* Bounds on what clients hold (slowloris, large bodies); a zero means
	 * the default in brackets. */
	unsigned max_per_address;  /* connections open at once from one client
	                              address [128] */
	unsigned header_timeout_s; /* from a connection's start, or the end of its
	                              previous request, to the end of the request
	                              headers; then the connection is cut [10] */
	unsigned body_timeout_s;   /* from the end of the headers to the end of the
	                              body; then the connection is cut [60] */
	size_t max_body_memory;    /* request bodies held in memory by all
	                              connections together; a request that would
	                              pass it gets 503 with Retry-After [128 MiB] */
	/* On PostgreSQL, several writable servers may share the database: one
	 * leads (sequences), the others serve reads and answer POST /add with
	 * 503 naming the leader, and take over when it goes
	 * (docs/internals/failover.md). `advertise` is the URL the others name
	 * for this one [http://<listen host>:<port>]. Ignored on SQLite. */
	const char *advertise;
	/* The compliance profiles GET /api/lots/<lot> judges the lot by (its
	 * "compliance"; `oretrail serve` gives the shipped ones); borrowed,
	 * must outlive the server. None: "compliance" is []. */
	const ot_cert_profile *profiles;
	size_t n_profiles;
} ot_server_options;

/* Opens the ledger, binds the socket and starts serving. On failure nothing
 * is left running. */
OT_EXPORT ot_status ot_server_start(const ot_server_options *opts, ot_server **out, ot_error *err);

/* The TCP port the server listens on (useful after asking for port 0). */
OT_EXPORT uint16_t ot_server_port(const ot_server *s);

/* Stops accepting connections, answers every submission already queued,
 * then stops and frees the server. NULL is a no-op. */
OT_EXPORT void ot_server_stop(ot_server *s);

#ifdef __cplusplus
}
#endif
#endif
