/*
 * witness_http.h: the HTTP side of `oretrail witness --listen`, a C2SP
 * tlog-witness server (POST /add-checkpoint) on libmicrohttpd. It parses
 * the request body (old size, consistency proof, checkpoint note) and hands
 * it to the witness (cmd_witness.c), which decides and keeps the state.
 */
#ifndef OT_CLI_WITNESS_HTTP_H
#define OT_CLI_WITNESS_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/hash.h"
#include "oretrail/note.h"
#include "oretrail/proof.h"

#define WITNESS_BODY_MAX ((size_t)64 << 10) /* the largest add-checkpoint body */

/* An add-checkpoint request, parsed: pointers into the request body. */
typedef struct witness_request {
	uint64_t old_size;
	const uint8_t (*proof)[OT_HASH_SIZE];
	size_t n_proof;
	const char *note;
	size_t note_len;
} witness_request;

/* The witness's answer: an HTTP status, its content type and body (a
 * cosignature line, "<size>\n" for text/x.tlog.size, or a one-line reason). */
typedef struct witness_answer {
	unsigned status;
	const char *type;
	char body[OT_COSIG_LINE_MAX + 512];
	size_t len;
} witness_answer;

/* Decides one request; called with the server's mutex held, so that
 * checking the state and replacing it is one step for all requests. */
typedef void (*witness_add_fn)(void *ctx, const witness_request *req, witness_answer *ans);

/* Serves POST /add-checkpoint on `listen` ("HOST:PORT", "[V6]:PORT"; port
 * 0 picks a free one) until SIGINT or SIGTERM; prints "listening on
 * http://HOST:PORT/" on standard output once ready and, unless quiet, one
 * line per request on standard error. Returns an exit code. */
int witness_http_serve(const char *listen, int quiet, witness_add_fn add, void *ctx);

#endif
