/*
 * http_client.h: a small HTTP client on libcurl, shared by the server (which
 * asks C2SP tlog-witness witnesses for cosignatures, witness_pull.c) and the
 * verbs that follow a log over the network (src/cli/http_fetch.c). One easy
 * handle per request keeps it simple. Bodies are capped, requests are
 * bounded in time, redirects are not followed.
 */
#ifndef OT_SERVER_HTTP_CLIENT_H
#define OT_SERVER_HTTP_CLIENT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"

typedef struct otx_http_resp {
	long status;   /* the HTTP status; 0 when no answer came */
	uint8_t *body; /* malloc'ed, NUL-terminated; free with otx_http_free */
	size_t len;
	char content_type[128]; /* the answer's Content-Type, "" when none */
} otx_http_resp;

typedef struct otx_http_limits {
	size_t max;               /* the answer's body, bytes */
	long connect_s;           /* connecting, seconds */
	long total_s;             /* the whole request, seconds */
	const atomic_int *cancel; /* may be NULL; set: the request is abandoned */
} otx_http_limits;

/* Once per process, before any request (curl_global_init), and its pair. */
ot_status otx_http_init(ot_error *err);
void otx_http_cleanup(void);

/* GET (content_type NULL) or POST `body` to base_url + path (base without a
 * trailing slash, path with a leading one). Any answer is OT_OK with
 * resp->status set; a transport failure (refused, time-out, body over
 * lim->max bytes, cancelled) is OT_ERR_IO. Thread-safe. */
ot_status otx_http_request(const char *base_url, const char *path, const char *content_type,
                           const void *body, size_t len, const otx_http_limits *lim,
                           otx_http_resp *resp, ot_error *err);

void otx_http_free(otx_http_resp *resp);

#endif
