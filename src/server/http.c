/*
 * http.c: building responses, the JSON error document, the mapping from
 * oretrail statuses to HTTP statuses, and the access log in Common Log
 * Format (the NCSA httpd format every log tool reads):
 *
 *   host ident authuser [day/Mon/year:HH:MM:SS zone] "request line" status bytes
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oretrail/json.h"
#include "oretrail/status.h"
#include "server/http.h"
#include "server/server_int.h"

uint64_t otx_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void free_body(void *p)
{
	free(p);
}

static enum MHD_Result queue(otx_request *r, unsigned status, struct MHD_Response *resp,
                             const char *content_type, const char *cache_control,
                             const otx_header *extra, size_t len)
{
	if (!resp)
		return MHD_NO;
	if (content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	if (cache_control)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	for (const otx_header *h = extra; h && h->name; h++)
		MHD_add_response_header(resp, h->name, h->value);
	r->bytes = r->head ? 0 : len;
	enum MHD_Result ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result otx_respond(otx_request *r, unsigned status, const char *content_type,
                            const char *cache_control, void *data, size_t len,
                            const otx_header *extra)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer_with_free_callback(len, data, free_body);
	if (!resp) {
		free(data);
		return MHD_NO;
	}
	return queue(r, status, resp, content_type, cache_control, extra, len);
}

enum MHD_Result otx_respond_const(otx_request *r, unsigned status, const char *content_type,
                                  const char *cache_control, const uint8_t *data, size_t len,
                                  const otx_header *extra)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)data,
	                                                            MHD_RESPMEM_PERSISTENT);
	return queue(r, status, resp, content_type, cache_control, extra, len);
}

enum MHD_Result otx_respond_static(otx_request *r, unsigned status, const char *content_type,
                                   const char *cache_control, const char *text,
                                   const otx_header *extra)
{
	return otx_respond_const(r, status, content_type, cache_control, (const uint8_t *)text,
	                         strlen(text), extra);
}

/* JSON (taken) with a final newline, and the headers in extra. */
static enum MHD_Result respond_json_with(otx_request *r, unsigned status, char *json,
                                         const char *cache_control, const otx_header *extra)
{
	if (!json)
		return otx_respond_static(r, 500, "application/json", "no-store",
		                          "{\"error\":{\"code\":\"nomem\",\"message\":\"out of "
		                          "memory\",\"index\":null}}\n",
		                          NULL);
	size_t len = strlen(json);
	/* A newline makes curl and terminals happier; json_dumps leaves room. */
	char *body = realloc(json, len + 2);
	if (!body) {
		free(json);
		return MHD_NO;
	}
	body[len++] = '\n';
	body[len] = 0;
	return otx_respond(r, status, "application/json",
	                   cache_control ? cache_control : "no-store", body, len, extra);
}

enum MHD_Result otx_respond_json(otx_request *r, unsigned status, char *json,
                                 const char *cache_control)
{
	return respond_json_with(r, status, json, cache_control, NULL);
}

unsigned otx_http_status(const ot_error *e)
{
	switch (e->status) {
	case OT_OK: return 200;
	case OT_ERR_PARSE:
	case OT_ERR_ARG:
	case OT_ERR_KEY:
	case OT_ERR_RANGE: return 400;
	case OT_ERR_VERIFY:
		/* A bad event signature is an authentication failure; a disclosure
		 * that does not open its commitment conflicts with the ledger. */
		return strcmp(e->code, "commitment_mismatch") == 0 ? 409 : 401;
	case OT_ERR_SIGNER:
		/* Who is it (401) versus not allowed to (403). */
		return strcmp(e->code, "unknown_signer") == 0 ||
		                       strcmp(e->code, "revoked_signer") == 0 ||
		                       strcmp(e->code, "key_revoked") == 0
		               ? 401
		               : 403;
	case OT_ERR_NOTFOUND: return 404;
	case OT_ERR_RULE:
	case OT_ERR_CONFLICT:
	case OT_ERR_EXISTS: return 409;
	case OT_ERR_TOOBIG: return 413;
	case OT_ERR_BUSY: return strcmp(e->code, "overloaded") == 0 ? 429 : 503;
	case OT_ERR_READONLY: return 503;
	case OT_ERR_FULL: return 507;
	case OT_ERR_NOMEM:
	case OT_ERR_IO:
	case OT_ERR_CORRUPT:
	case OT_ERR_SCHEMA: return 500;
	}
	return 500;
}

/* Appends s with quotes, backslashes and control bytes escaped (\xHH), so a
 * hostile request line cannot forge log lines. */
static void log_escaped(ot_buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			ot_buf_printf(b, "\\x%02x", *p);
		else
			ot_buf_addc(b, (char)*p);
	}
}

json_t *otx_error_doc(const ot_error *e)
{
	const char *code = e->code[0] ? e->code : ot_status_code(e->status);
	const char *msg = e->message[0] ? e->message : ot_status_str(e->status);
	/* A message quoting a hostile request may hold bytes that are not
	 * UTF-8, which JSON cannot carry: those are sent escaped. */
	ot_buf esc;
	ot_buf_init(&esc, 4 * sizeof e->message + 1);
	if (!ot_utf8_valid((const uint8_t *)msg, strlen(msg))) {
		log_escaped(&esc, msg);
		ot_buf_addc(&esc, 0);
		if (!esc.data)
			return NULL;
		msg = (const char *)esc.data;
	}
	json_t *doc = json_pack("{s:{s:s,s:s,s:o}}", "error", "code", code, "message", msg, "index",
	                        e->index >= 0 ? json_integer(e->index) : json_null());
	ot_buf_free(&esc);
	return doc;
}

char *otx_error_json(const ot_error *e)
{
	json_t *doc = otx_error_doc(e);
	char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	return text;
}

enum MHD_Result otx_respond_later(otx_request *r, unsigned status, char *json)
{
	/* Tell well-behaved clients when to come back. */
	static const otx_header retry[] = {{"Retry-After", "1"}, {NULL, NULL}};
	return respond_json_with(r, status, json, NULL, retry);
}

enum MHD_Result otx_respond_error(otx_request *r, const ot_error *e)
{
	unsigned status = otx_http_status(e);
	char *json = otx_error_json(e);
	if (status == 429 || status == 503 || status == 507)
		return otx_respond_later(r, status, json);
	return otx_respond_json(r, status, json, NULL);
}

enum MHD_Result otx_respond_errorf(otx_request *r, unsigned http, ot_status st, const char *code,
                                   const char *fmt, ...)
{
	ot_error e;
	ot_error_clear(&e);
	e.status = st;
	e.index = -1;
	snprintf(e.code, sizeof e.code, "%s", code);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e.message, sizeof e.message, fmt, ap);
	va_end(ap);
	if (!http)
		return otx_respond_error(r, &e);
	return otx_respond_json(r, http, otx_error_json(&e), NULL);
}

__attribute__((format(printf, 3, 0))) static void server_vlog(ot_server *s, FILE *out,
                                                              const char *fmt, va_list ap)
{
	if (!out)
		return;
	char msg[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	pthread_mutex_lock(&s->log_mu);
	fprintf(out, "oretrail: serve: %s\n", msg);
	fflush(out);
	pthread_mutex_unlock(&s->log_mu);
}

void otx_server_log(ot_server *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	server_vlog(s, s->opt.access_log, fmt, ap);
	va_end(ap);
}

void otx_server_alert(ot_server *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	server_vlog(s, s->opt.error_log ? s->opt.error_log : s->opt.access_log, fmt, ap);
	va_end(ap);
}

void otx_access_log(ot_server *s, otx_request *r, unsigned status)
{
	FILE *out = s->opt.access_log;
	if (!out)
		return;
	char host[64] = "-";
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET,
			          &((const struct sockaddr_in *)(const void *)sa)->sin_addr, host,
			          sizeof host);
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
			          &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, host,
			          sizeof host);
	}
	struct tm tm;
	char when[40];
	gmtime_r(&r->received, &tm);
	strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S +0000", &tm);

	ot_buf line;
	ot_buf_init(&line, 16384);
	ot_buf_printf(&line, "%s - - [%s] \"", host, when);
	if (r->method[0] && r->uri) {
		log_escaped(&line, r->method);
		ot_buf_addc(&line, ' ');
		log_escaped(&line, r->uri);
		ot_buf_addc(&line, ' ');
		log_escaped(&line, r->version);
	} else {
		/* Refused before it was parsed (libmicrohttpd's own answer). */
		ot_buf_addc(&line, '-');
	}
	ot_buf_adds(&line, "\" ");
	if (status)
		ot_buf_printf(&line, "%u ", status);
	else
		ot_buf_adds(&line, "- ");
	if (r->bytes)
		ot_buf_printf(&line, "%llu\n", (unsigned long long)r->bytes);
	else
		ot_buf_adds(&line, "-\n");
	if (line.data) {
		pthread_mutex_lock(&s->log_mu);
		fwrite(line.data, 1, line.len, out);
		fflush(out);
		pthread_mutex_unlock(&s->log_mu);
	}
	ot_buf_free(&line);
}
