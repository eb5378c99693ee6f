/*
 * witness_http.c: the HTTP server of `oretrail witness --listen`: C2SP
 * tlog-witness, POST <prefix>/add-checkpoint with an empty prefix.
 *
 * The body is "old <size>\n", at most 63 base64 consistency proof lines, an
 * empty line, then the checkpoint's signed note. This file checks that
 * shape (400 with a one-line reason otherwise, 413 past WITNESS_BODY_MAX)
 * and hands the parsed request to the witness under one mutex: checking
 * the old size against the state and replacing the state happen as one
 * step, so two requests can never roll the witness back (the race the spec
 * describes). Anything but POST /add-checkpoint is 404 or 405.
 *
 * libmicrohttpd runs a small thread pool; a request is answered once its
 * body is all in. Connections, idle time and per-connection memory are
 * bounded by libmicrohttpd's options.
 */
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "cli/cli.h"
#include "cli/witness_http.h"
#include "oretrail/buf.h"
#include "oretrail/encoding.h"

#define ROUTE "/add-checkpoint"
#define PROOF_LINES_MAX 63 /* the spec's limit */
#define TOO_BIG "the body is larger than 64 KiB"

typedef struct server {
	witness_add_fn add;
	void *ctx;
	int quiet;
	pthread_mutex_t state_mu; /* one add at a time: check and persist are atomic */
	pthread_mutex_t log_mu;
} server;

/* Per request: the body as it comes in. */
typedef struct request {
	int too_big;
	size_t dropped; /* bytes past the limit */
	ot_buf body;
} request;

__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	server *s = cls;
	if (s->quiet)
		return;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\r\n")] = 0;
	pthread_mutex_lock(&s->log_mu);
	fprintf(stderr, "oretrail: witness: %s\n", msg);
	pthread_mutex_unlock(&s->log_mu);
}

/* One line a request on stderr: peer, method, path, status, and the first
 * line of the answer (the reason of a refusal, or the size of a 409). */
static void log_request(server *s, struct MHD_Connection *conn, const char *method, const char *url,
                        unsigned status, const char *body, size_t len)
{
	if (s->quiet)
		return;
	char peer[64] = "?";
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr)
		getnameinfo(ci->client_addr,
		            ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
		                                                   : sizeof(struct sockaddr_in),
		            peer, sizeof peer, NULL, 0, NI_NUMERICHOST);
	if (status == 200) {
		body = "cosigned";
		len = strlen(body);
	}
	const char *nl = memchr(body, '\n', len);
	size_t line = nl ? (size_t)(nl - body) : len;
	pthread_mutex_lock(&s->log_mu);
	fprintf(stderr, "oretrail: witness: %s %.16s %.200s %u %.*s\n", peer, method, url, status,
	        (int)(line > 300 ? 300 : line), body);
	pthread_mutex_unlock(&s->log_mu);
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
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "POST");
	enum MHD_Result ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result refuse(server *s, struct MHD_Connection *conn, const char *method,
                              const char *url, unsigned status, const char *reason)
{
	char body[256];
	int n = snprintf(body, sizeof body, "%s\n", reason);
	return respond(s, conn, method, url, status, "text/plain; charset=utf-8", body,
	               n > 0 && (size_t)n < sizeof body ? (size_t)n : strlen(body));
}

/* Parses the add-checkpoint body (C2SP tlog-witness) into req; proof holds
 * the decoded hashes. 0, or -1 with a reason in why. */
static int parse_body(const char *b, size_t len, uint8_t (*proof)[OT_HASH_SIZE],
                      witness_request *req, char *why, size_t why_size)
{
	const char *end = b + len, *nl = memchr(b, '\n', len);
	char digits[24];
	size_t dl = nl ? (size_t)(nl - b) : 0;
	if (!nl || dl < 5 || memcmp(b, "old ", 4) != 0 || dl - 4 >= sizeof digits) {
		snprintf(why, why_size, "the body must begin with \"old <size>\\n\"");
		return -1;
	}
	memcpy(digits, b + 4, dl - 4);
	digits[dl - 4] = 0;
	if (!cli_parse_u64(digits, &req->old_size)) {
		snprintf(why, why_size,
		         "the old size is not a decimal number without leading zeros");
		return -1;
	}
	const char *p = nl + 1;
	size_t n = 0;
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			snprintf(why, why_size,
			         "the proof lines are not followed by an empty line");
			return -1;
		}
		if (nl == p)
			break;
		size_t got = 0;
		if (n == PROOF_LINES_MAX) {
			snprintf(why, why_size, "more than %d consistency proof lines",
			         PROOF_LINES_MAX);
			return -1;
		}
		if (ot_b64_decode(p, (size_t)(nl - p), proof[n], OT_HASH_SIZE, &got) != OT_OK ||
		    got != OT_HASH_SIZE) {
			snprintf(why, why_size, "proof line %zu is not a base64 32-byte hash",
			         n + 1);
			return -1;
		}
		n++;
		p = nl + 1;
	}
	p = nl + 1;
	if (p == end) {
		snprintf(why, why_size, "no checkpoint after the empty line");
		return -1;
	}
	req->proof = (const uint8_t(*)[OT_HASH_SIZE])proof;
	req->n_proof = n;
	req->note = p;
	req->note_len = (size_t)(end - p);
	return 0;
}

static enum MHD_Result add_checkpoint(server *s, struct MHD_Connection *conn, const char *method,
                                      const char *url, const request *r)
{
	uint8_t proof[PROOF_LINES_MAX][OT_HASH_SIZE];
	witness_request req;
	char why[160];
	memset(&req, 0, sizeof req);
	if (parse_body((const char *)r->body.data, r->body.len, proof, &req, why, sizeof why))
		return refuse(s, conn, method, url, 400, why);
	witness_answer *ans = calloc(1, sizeof *ans);
	if (!ans)
		return MHD_NO;
	pthread_mutex_lock(&s->state_mu);
	s->add(s->ctx, &req, ans);
	pthread_mutex_unlock(&s->state_mu);
	enum MHD_Result ret =
		respond(s, conn, method, url, ans->status, ans->type, ans->body, ans->len);
	free(ans);
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
		if (strcmp(url, ROUTE) != 0)
			return refuse(s, conn, method, url, 404,
			              "not found: this witness serves POST " ROUTE);
		if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
			return refuse(s, conn, method, url, 405, "use POST");
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		                                             MHD_HTTP_HEADER_CONTENT_LENGTH);
		uint64_t n = 0;
		if (cl && (!cli_parse_u64(cl, &n) || n > WITNESS_BODY_MAX))
			return refuse(s, conn, method, url, 413, TOO_BIG);
		r = calloc(1, sizeof *r);
		if (!r)
			return MHD_NO;
		ot_buf_init(&r->body, WITNESS_BODY_MAX);
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
		return r->dropped > WITNESS_BODY_MAX ? MHD_NO : MHD_YES;
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

/* "HOST:PORT" or "[V6]:PORT" into an address to bind; host_len is the
 * length of the host part as written (for the "listening on" line). */
static int resolve_listen(const char *spec, struct sockaddr_storage *addr, int *host_len)
{
	const char *colon = strrchr(spec, ':');
	if (!colon || colon == spec || !colon[1])
		return cli_failf(EXIT_USAGE, "witness", "--listen %s: expected HOST:PORT", spec);
	uint64_t port;
	if (!cli_parse_u64(colon + 1, &port) || port > 65535)
		return cli_failf(EXIT_USAGE, "witness", "--listen %s: the port must be 0-65535",
		                 spec);
	char host[256];
	size_t hl = (size_t)(colon - spec);
	int bracket = spec[0] == '[' && colon[-1] == ']';
	if (hl - (size_t)(2 * bracket) >= sizeof host)
		return cli_failf(EXIT_USAGE, "witness", "--listen %s: the host is too long", spec);
	memcpy(host, spec + bracket, hl - (size_t)(2 * bracket));
	host[hl - (size_t)(2 * bracket)] = 0;
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	int g = getaddrinfo(host, colon + 1, &hints, &res);
	if (g != 0)
		return cli_failf(EXIT_USAGE, "witness", "--listen %s: %s", spec, gai_strerror(g));
	memset(addr, 0, sizeof *addr);
	memcpy(addr, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	*host_len = (int)hl;
	return 0;
}

int witness_http_serve(const char *listen, int quiet, witness_add_fn add, void *ctx)
{
	struct sockaddr_storage addr;
	int host_len = 0;
	int code = resolve_listen(listen, &addr, &host_len);
	if (code)
		return code;
	server s;
	memset(&s, 0, sizeof s);
	s.add = add;
	s.ctx = ctx;
	s.quiet = quiet;
	pthread_mutex_init(&s.state_mu, NULL);
	pthread_mutex_init(&s.log_mu, NULL);

	/* Every thread libmicrohttpd starts inherits this mask, so the signals
	 * reach only cli_wait_stop below. */
	sigset_t stop;
	cli_block_stop_signals(&stop);

	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	struct MHD_Daemon *d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, &s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, &s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE, 2u,
		MHD_OPTION_CONNECTION_LIMIT, 256u, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768, MHD_OPTION_NOTIFY_COMPLETED,
		on_completed, &s, MHD_OPTION_END);
	if (!d) {
		code = cli_failf(EXIT_STORE, "witness", "cannot listen on %s", listen);
		goto out;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("listening on http://%.*s:%u/\n", host_len, listen, di ? (unsigned)di->port : 0u);
	fflush(stdout);
	cli_wait_stop(&stop);
	MHD_stop_daemon(d);
out:
	pthread_mutex_destroy(&s.state_mu);
	pthread_mutex_destroy(&s.log_mu);
	return code;
}
