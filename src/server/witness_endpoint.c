/*
 * witness_endpoint.c: C2SP tlog-witness over HTTP (witness_http.h): POST
 * /add-checkpoint and GET /<origin hash>/checkpoint (both prefixes empty),
 * on libmicrohttpd.
 *
 * The body is collected (413 past OT_OT_WITNESS_BODY_MAX) and handed to the
 * witness (ot_witness_add_checkpoint, src/log/witness.c, which parses it
 * and decides) under one mutex: checking the old size against the state
 * and replacing the state happen as one step. GET /<lowercase hex SHA-256
 * of the origin line>/checkpoint serves the checkpoint last cosigned
 * (ot_witness_latest), 404 for a log never cosigned. Any other path is 404;
 * another method on either path is 405.
 *
 * libmicrohttpd runs a small thread pool; a request is answered once its
 * body is all in. Connections, idle time and per-connection memory are
 * bounded by libmicrohttpd's options.
 */
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "oretrail/buf.h"
#include "oretrail/witness_http.h"

#define ROUTE "/add-checkpoint"
#define MONITOR_SUFFIX "/checkpoint"
#define HASH_HEX 64
#define TEXT "text/plain; charset=utf-8"
#define TOO_BIG "the body is larger than 64 KiB"

struct ot_witness_server {
	ot_witness *w;
	FILE *log;                /* NULL: quiet */
	pthread_mutex_t state_mu; /* one add at a time: check and persist are atomic */
	pthread_mutex_t log_mu;
	struct MHD_Daemon *mhd;
	uint16_t port;
};
typedef struct ot_witness_server server;

/* Per request: the body as it comes in. */
typedef struct request {
	int too_big;
	size_t dropped; /* bytes past the limit */
	ot_buf body;
} request;

/* A decimal without leading zeros that fits in 64 bits. */
static int parse_u64(const char *v, uint64_t *out)
{
	if (!v || !*v || (v[0] == '0' && v[1]) || strspn(v, "0123456789") != strlen(v))
		return 0;
	uint64_t n = 0;
	for (const char *p = v; *p; p++) {
		uint64_t d = (uint64_t)(*p - '0');
		if (n > (UINT64_MAX - d) / 10)
			return 0;
		n = n * 10 + d;
	}
	*out = n;
	return 1;
}

__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	server *s = cls;
	if (!s->log)
		return;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\r\n")] = 0;
	pthread_mutex_lock(&s->log_mu);
	fprintf(s->log, "oretrail: witness: %s\n", msg);
	pthread_mutex_unlock(&s->log_mu);
}

/* One line a request on stderr: peer, method, path, status, and the first
 * line of the answer (the reason of a refusal, the size of a 409, the
 * origin of a served checkpoint; "cosigned" for a cosignature). */
static void log_request(server *s, struct MHD_Connection *conn, const char *method, const char *url,
                        unsigned status, const char *body, size_t len)
{
	if (!s->log)
		return;
	char peer[64] = "?";
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr)
		getnameinfo(ci->client_addr,
		            ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
		                                                   : sizeof(struct sockaddr_in),
		            peer, sizeof peer, NULL, 0, NI_NUMERICHOST);
	if (status == 200 && strcmp(method, MHD_HTTP_METHOD_POST) == 0) {
		body = "cosigned";
		len = strlen(body);
	}
	const char *nl = memchr(body, '\n', len);
	size_t line = nl ? (size_t)(nl - body) : len;
	pthread_mutex_lock(&s->log_mu);
	fprintf(s->log, "oretrail: witness: %s %.16s %.200s %u %.*s\n", peer, method, url, status,
	        (int)(line > 300 ? 300 : line), body);
	pthread_mutex_unlock(&s->log_mu);
}

/* "/<64 lowercase hex>/checkpoint": the monitoring path (0 otherwise). */
static int is_monitor_path(const char *url)
{
	return url[0] == '/' && strspn(url + 1, "0123456789abcdef") == HASH_HEX &&
	       strcmp(url + 1 + HASH_HEX, MONITOR_SUFFIX) == 0;
}

static enum MHD_Result respond(server *s, struct MHD_Connection *conn, const char *method,
                               const char *url, unsigned status, const char *type, const char *body,
                               size_t len)
{
	log_request(s, conn, method, url, status, body, len);
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	                                                            MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (status == 405)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
		                        is_monitor_path(url) ? "GET, HEAD" : "POST");
	enum MHD_Result ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result refuse(server *s, struct MHD_Connection *conn, const char *method,
                              const char *url, unsigned status, const char *reason)
{
	char body[256];
	int n = snprintf(body, sizeof body, "%s\n", reason);
	return respond(s, conn, method, url, status, TEXT, body,
	               n > 0 && (size_t)n < sizeof body ? (size_t)n : strlen(body));
}

static enum MHD_Result add_checkpoint(server *s, struct MHD_Connection *conn, const char *method,
                                      const char *url, const request *r)
{
	ot_witness_answer *ans = calloc(1, sizeof *ans);
	if (!ans)
		return MHD_NO;
	pthread_mutex_lock(&s->state_mu);
	ot_witness_add_checkpoint(s->w, (const char *)r->body.data, r->body.len, ans);
	pthread_mutex_unlock(&s->state_mu);
	enum MHD_Result ret =
		respond(s, conn, method, url, ans->status, ans->type, ans->body, ans->len);
	free(ans);
	return ret;
}

/* GET /<origin hash>/checkpoint: the kept note, or 404. */
static enum MHD_Result latest_checkpoint(server *s, struct MHD_Connection *conn, const char *method,
                                         const char *url)
{
	char hash[HASH_HEX + 1];
	memcpy(hash, url + 1, HASH_HEX);
	hash[HASH_HEX] = 0;
	char *note = NULL;
	size_t len = 0;
	ot_error err;
	ot_error_clear(&err);
	pthread_mutex_lock(&s->state_mu);
	ot_status rc = ot_witness_latest(s->w, hash, &note, &len, &err);
	pthread_mutex_unlock(&s->state_mu);
	if (rc == OT_ERR_NOTFOUND)
		return refuse(s, conn, method, url, 404, err.message);
	if (rc) {
		if (s->log) {
			pthread_mutex_lock(&s->log_mu);
			fprintf(s->log, "oretrail: witness: reading the state: %s\n", err.message);
			pthread_mutex_unlock(&s->log_mu);
		}
		return refuse(s, conn, method, url, 500, "the witness cannot read its state");
	}
	enum MHD_Result ret = respond(s, conn, method, url, 200, TEXT, note, len);
	free(note);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	server *s = cls;
	request *r = *con_cls;
	(void)version;
	if (!r) {
		/* Headers in: refuse at once what cannot succeed (libmicrohttpd
		 * then closes the connection rather than read the body). */
		if (is_monitor_path(url)) {
			if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
			    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
				return refuse(s, conn, method, url, 405, "use GET");
			return latest_checkpoint(s, conn, method, url);
		}
		if (strcmp(url, ROUTE) != 0)
			return refuse(s, conn, method, url, 404,
			              "not found: this witness serves POST " ROUTE
			              " and GET /<origin hash>" MONITOR_SUFFIX);
		if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
			return refuse(s, conn, method, url, 405, "use POST");
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		                                             MHD_HTTP_HEADER_CONTENT_LENGTH);
		uint64_t n = 0;
		if (cl && (!parse_u64(cl, &n) || n > OT_WITNESS_BODY_MAX))
			return refuse(s, conn, method, url, 413, TOO_BIG);
		r = calloc(1, sizeof *r);
		if (!r)
			return MHD_NO;
		ot_buf_init(&r->body, OT_WITNESS_BODY_MAX);
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (!r->too_big && ot_buf_add(&r->body, upload_data, n) == OT_OK)
			return MHD_YES;
		/* Past the limit (a chunked body): drop it, answer 413 at the
		 * end, and give up on a client that keeps sending. */
		if (!r->too_big) {
			r->too_big = 1;
			ot_buf_free(&r->body);
		}
		r->dropped += n;
		return r->dropped > OT_WITNESS_BODY_MAX ? MHD_NO : MHD_YES;
	}
	if (r->too_big)
		return refuse(s, conn, method, url, 413, TOO_BIG);
	if (!r->body.data)
		return refuse(s, conn, method, url, 400, "empty body");
	return add_checkpoint(s, conn, method, url, r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	request *r = *con_cls;
	(void)cls;
	(void)conn;
	(void)toe;
	if (!r)
		return;
	ot_buf_free(&r->body);
	free(r);
	*con_cls = NULL;
}

/* "HOST:PORT" or "[V6]:PORT" into an address to bind. */
static ot_status resolve_listen(const char *spec, struct sockaddr_storage *addr, ot_error *err)
{
	const char *colon = strrchr(spec, ':');
	if (!colon || colon == spec || !colon[1])
		return ot_error_set(err, OT_ERR_ARG, "--listen %s: expected HOST:PORT", spec);
	uint64_t port;
	if (!parse_u64(colon + 1, &port) || port > 65535)
		return ot_error_set(err, OT_ERR_ARG, "--listen %s: the port must be 0-65535", spec);
	char host[256];
	size_t hl = (size_t)(colon - spec);
	int bracket = spec[0] == '[' && colon[-1] == ']';
	if (hl - (size_t)(2 * bracket) >= sizeof host)
		return ot_error_set(err, OT_ERR_ARG, "--listen %s: the host is too long", spec);
	memcpy(host, spec + bracket, hl - (size_t)(2 * bracket));
	host[hl - (size_t)(2 * bracket)] = 0;
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	int g = getaddrinfo(host, colon + 1, &hints, &res);
	if (g != 0)
		return ot_error_set(err, OT_ERR_ARG, "--listen %s: %s", spec, gai_strerror(g));
	memset(addr, 0, sizeof *addr);
	memcpy(addr, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return OT_OK;
}

ot_status ot_witness_server_start(const char *listen, ot_witness *w, FILE *log,
                                  ot_witness_server **out, ot_error *err)
{
	*out = NULL;
	struct sockaddr_storage addr;
	ot_status rc = resolve_listen(listen, &addr, err);
	if (rc)
		return rc;
	server *s = calloc(1, sizeof *s);
	if (!s)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	s->w = w;
	s->log = log;
	pthread_mutex_init(&s->state_mu, NULL);
	pthread_mutex_init(&s->log_mu, NULL);
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
	                          on_mhd_log, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
	                          MHD_OPTION_THREAD_POOL_SIZE, 2u, MHD_OPTION_CONNECTION_LIMIT,
	                          256u, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
	                          MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
	                          MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
	if (!s->mhd) {
		ot_witness_server_stop(s);
		return ot_error_set(err, OT_ERR_IO, "cannot listen on %s", listen);
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : 0;
	*out = s;
	return OT_OK;
}

uint16_t ot_witness_server_port(const ot_witness_server *s)
{
	return s ? s->port : 0;
}

void ot_witness_server_stop(ot_witness_server *s)
{
	if (!s)
		return;
	if (s->mhd)
		MHD_stop_daemon(s->mhd);
	pthread_mutex_destroy(&s->state_mu);
	pthread_mutex_destroy(&s->log_mu);
	free(s);
}
