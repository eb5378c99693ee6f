/*
 * http_fetch.h: a small HTTP client for the verbs that follow a log over
 * the network (`oretrail witness`, `oretrail monitor`), on libcurl. Bodies
 * are capped, requests are bounded in time, redirects are not followed (a
 * log's paths are fixed by C2SP tlog-tiles).
 */
#ifndef OT_CLI_HTTP_FETCH_H
#define OT_CLI_HTTP_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"
#include "server/http_client.h"

/* status (0 when no answer came), body (malloc'ed, NUL-terminated; free
 * with cli_http_free), len, content_type. */
typedef otx_http_resp cli_http_resp;

/* Once per process, before any request (curl_global_init). */
ot_status cli_http_init(ot_error *err);
void cli_http_cleanup(void);

/* GET base_url + path (base without a trailing slash, path with a leading
 * one). Any answer is OT_OK with resp->status set; a transport failure
 * (refused, time-out, body over `max` bytes) is OT_ERR_IO. */
ot_status cli_http_get(const char *base_url, const char *path, size_t max, cli_http_resp *resp,
                       ot_error *err);

/* POST `body` with the given content type; the answer as for cli_http_get. */
ot_status cli_http_post(const char *base_url, const char *path, const char *content_type,
                        const void *body, size_t len, size_t max, cli_http_resp *resp,
                        ot_error *err);

void cli_http_free(cli_http_resp *resp);

/* One round of a follower: returns its exit code; *stop comes in as 1 for
 * a single round (--once), 0 otherwise, and a round sets it to end the
 * loop. */
typedef int (*cli_round_fn)(void *ctx, int *stop);

/* The loop of the verbs that follow a log: sets up libcurl and ignores
 * SIGPIPE, then runs round(ctx) once (once != 0), or every `interval`
 * seconds until a round sets *stop or SIGINT/SIGTERM arrives. Returns the
 * last round's code, or EXIT_STORE (with a message) when libcurl cannot
 * start. */
int cli_follow(const char *verb, int once, uint64_t interval, cli_round_fn round, void *ctx);

#endif
