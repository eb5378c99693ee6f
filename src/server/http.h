/*
 * http.h: answering a request (http.c): responses, the error document and
 * the status that fits an error, the server's own log lines and the access
 * log. Handlers and the router call these; http.c calls neither.
 */
#ifndef OT_SERVER_HTTP_H
#define OT_SERVER_HTTP_H

#include <jansson.h>
#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"
#include "server/server_int.h"

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
/* Queues a constant body of len bytes (lives as long as the program). */
enum MHD_Result otx_respond_const(otx_request *r, unsigned status, const char *content_type,
                                  const char *cache_control, const uint8_t *data, size_t len,
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
/* The error document, malloc'ed; and as a jansson object (a new
 * reference), for a handler that adds to it. */
char *otx_error_json(const ot_error *e);
json_t *otx_error_doc(const ot_error *e);
/* A JSON body (malloc'ed, taken over, NULL: out of memory) with
 * Retry-After: 1, for a 429, 503 or 507. */
enum MHD_Result otx_respond_later(otx_request *r, unsigned status, char *json);

/* Writes "oretrail: serve: <message>" to the server's log (when it has one). */
void otx_server_log(ot_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for what needs a human, to error_log (else the access log). */
void otx_server_alert(ot_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes one Common Log Format line for a finished request. */
void otx_access_log(ot_server *s, otx_request *r, unsigned status);

/* Monotonic nanoseconds. */
uint64_t otx_now_ns(void);

#endif
