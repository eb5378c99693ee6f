/*
 * http.h: a small HTTP client on libcurl, for what follows a log or a
 * witness over the network: the server asking C2SP tlog-witness witnesses
 * for cosignatures, `oretrail witness` following a log, `oretrail monitor`.
 * One easy handle per request keeps it simple. Bodies are capped, requests
 * are bounded in time, redirects are not followed (a log's paths are fixed
 * by C2SP tlog-tiles).
 */
#ifndef ORETRAIL_HTTP_H
#define ORETRAIL_HTTP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An answer. */
typedef struct ot_http_resp {
	long status;   /* the HTTP status; 0 when no answer came */
	uint8_t *body; /* malloc'ed, NUL-terminated; free with ot_http_free */
	size_t len;
	char content_type[128]; /* the answer's Content-Type, "" when none */
	long retry_after_s;     /* its Retry-After in seconds, 0 when none */
} ot_http_resp;

/* What one request may take. */
typedef struct ot_http_limits {
	size_t max;               /* the answer's body, bytes */
	long connect_s;           /* connecting, seconds */
	long total_s;             /* the whole request, seconds */
	const atomic_int *cancel; /* may be NULL; set: the request is abandoned */
} ot_http_limits;

/* Once per process, before any request (curl_global_init), and its pair.
 * Not thread-safe: call them from main. */
OT_EXPORT ot_status ot_http_init(ot_error *err);
OT_EXPORT void ot_http_cleanup(void);

/* GET (content_type NULL) or POST `body` to base_url + path (base without a
 * trailing slash, path with a leading one). Any answer is OT_OK with
 * resp->status set; a transport failure (refused, time-out, body over
 * lim->max bytes, cancelled) is OT_ERR_IO. Thread-safe. */
OT_EXPORT ot_status ot_http_request(const char *base_url, const char *path,
                                    const char *content_type, const void *body, size_t len,
                                    const ot_http_limits *lim, ot_http_resp *resp, ot_error *err);

/* ot_http_request with the followers' limits (10 s to connect, 60 s in
 * all, the body capped at `max` bytes): a GET, and a POST of `body`. */
OT_EXPORT ot_status ot_http_get(const char *base_url, const char *path, size_t max,
                                ot_http_resp *resp, ot_error *err);
OT_EXPORT ot_status ot_http_post(const char *base_url, const char *path, const char *content_type,
                                 const void *body, size_t len, size_t max, ot_http_resp *resp,
                                 ot_error *err);

/* Frees the answer's body. NULL is a no-op. */
OT_EXPORT void ot_http_free(ot_http_resp *resp);

#ifdef __cplusplus
}
#endif
#endif
