/*
 * witness_http.h: a witness (include/oretrail/witness.h) on the network.
 *
 * The C2SP tlog-witness endpoint (the spec as revised on 2026-07-06, C2SP
 * commit 95978ca): POST /add-checkpoint (an empty submission prefix), each
 * request decided by ot_witness_add_checkpoint under one mutex, so that
 * checking the old size against the state and replacing the state are one
 * step and two requests can never roll the witness back (the race the spec
 * describes); and the monitoring request GET /<origin hash>/checkpoint (an
 * empty monitoring prefix; the lowercase hex SHA-256 of the origin line):
 * the checkpoint last cosigned with the log's signature and the witness's
 * cosignature (text/plain; charset=utf-8), 404 for a log it never
 * cosigned. Any other path is 404, another method 405; a body past
 * OT_WITNESS_BODY_MAX is 413.
 *
 * Following a log: one round fetches GET /checkpoint from an `oretrail
 * serve`, checks it against the state (a consistency proof from GET
 * /api/proof/consistency where the sizes differ), cosigns it and POSTs the
 * cosigned note to /witness/cosignature.
 */
#ifndef ORETRAIL_WITNESS_HTTP_H
#define ORETRAIL_WITNESS_HTTP_H

#include <stdint.h>
#include <stdio.h>

#include "oretrail/note.h"
#include "oretrail/status.h"
#include "oretrail/witness.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ot_witness_server ot_witness_server;

/* Serves the endpoint on `listen` ("HOST:PORT" or "[V6]:PORT"; port 0
 * picks a free one) from threads of its own, for witness `w` (borrowed; no
 * other thread may use it until ot_witness_server_stop). `log` gets one
 * line a request ("oretrail: witness: PEER METHOD PATH STATUS first line
 * of the answer") and libmicrohttpd's complaints; NULL: none.
 * OT_ERR_ARG (message "--listen SPEC: ...") for a bad address, OT_ERR_IO
 * ("cannot listen on SPEC") when it cannot listen. */
OT_EXPORT ot_status ot_witness_server_start(const char *listen, ot_witness *w, FILE *log,
                                            ot_witness_server **out, ot_error *err);
/* The TCP port it listens on. */
OT_EXPORT uint16_t ot_witness_server_port(const ot_witness_server *s);
/* Stops serving and frees it. NULL is a no-op. */
OT_EXPORT void ot_witness_server_stop(ot_witness_server *s);

/* What a round of following saw. */
typedef struct ot_witness_round {
	/* "cosigned", "unchanged", "stale" (an older, consistent checkpoint),
	 * "fork" (refused; evidence kept), "bad_signature"; NULL when the round
	 * failed before deciding (the status says why). */
	const char *event;
	int refused; /* fork or bad_signature: the witness must stop */
	int has_cp;  /* cp is the log's checkpoint */
	ot_checkpoint cp;
	char detail[800]; /* "" or what happened: the refusal, the submission */
} ot_witness_round;

/* One round against the log at base URL `url`; with `submit`, sends the
 * cosigned note back to the log. OT_OK when the round decided (see
 * out->event); otherwise the failure, with err saying what failed first
 * ("fetching the checkpoint: ...", "reading the state: ...", "checking
 * consistency: ...", "cosigning: ...", "the log's checkpoint does not
 * verify: ..." — the last with out->event "bad_signature"). Needs
 * ot_http_init. */
OT_EXPORT ot_status ot_witness_follow_round(ot_witness *w, const char *url, int submit,
                                            ot_witness_round *out, ot_error *err);

#ifdef __cplusplus
}
#endif
#endif
