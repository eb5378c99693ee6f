/*
 * server.c: the HTTP server on libmicrohttpd (server.h).
 *
 * libmicrohttpd runs a pool of threads, each an epoll loop over its share of
 * the connections, so a slow or stalled client costs a socket and a few
 * kilobytes, never a thread: the others go on being served. Limits are
 * libmicrohttpd's (connections in total and per client address, idle
 * time-out, per-connection memory, which bounds the request headers) plus
 * ours (header and body size, events per request, the sequencer's queue,
 * and in bounds.c the header and body deadlines and the budget of bodies
 * held in memory).
 *
 * Reads are answered on the pool thread from a read-only ledger handle
 * borrowed for the request (SQLite in WAL mode lets them read while the
 * sequencer writes). POST /add suspends its connection while the sequencer
 * works and is resumed by the sequencer thread once the entries are durable,
 * so waiting for an fsync does not hold a thread either.
 *
 * This file is the lifecycle and the router: it calls the handlers
 * (handlers.h), the response helpers (http.h) and the reader pool
 * (readers.h); none of them calls back into it (server_int.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "oretrail/status.h"
#include "server/bounds.h"
#include "server/handlers.h"
#include "server/http.h"
#include "server/leader.h"
#include "server/readers.h"
#include "server/server_int.h"

#define DEFAULT_LISTEN "127.0.0.1:8080"
#define URI_LOG_MAX 8192 /* longest URI kept for the access log */
#define DROP_FACTOR 16   /* POST /add: read and drop up to 16x the body limit for a 413 */

/* --- the listening socket --- */

/* Splits "host:port", "[v6]:port" or ":port". */
static ot_status split_listen(const char *spec, char *host, size_t hsize, char *port, size_t psize,
                              ot_error *err)
{
	const char *colon;
	const char *h = spec;
	size_t hlen;
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close || close[1] != ':')
			return ot_error_set(err, OT_ERR_ARG, "--listen %s: expected [ADDRESS]:PORT",
			                    spec);
		h = spec + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon)
			return ot_error_set(err, OT_ERR_ARG, "--listen %s: expected HOST:PORT",
			                    spec);
		hlen = (size_t)(colon - spec);
	}
	const char *p = colon + 1;
	size_t plen = strlen(p);
	if (plen == 0 || plen >= psize || hlen >= hsize || strspn(p, "0123456789") != plen ||
	    strtoul(p, NULL, 10) > 65535)
		return ot_error_set(err, OT_ERR_ARG, "--listen %s: the port must be 0-65535", spec);
	memcpy(host, h, hlen);
	host[hlen] = 0;
	memcpy(port, p, plen + 1);
	return OT_OK;
}

static ot_status open_listener(const char *spec, int *fd_out, uint16_t *port_out, ot_error *err)
{
	char host[256], port[8];
	ot_status rc = split_listen(spec, host, sizeof host, port, sizeof port, err);
	if (rc)
		return rc;
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	int g = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (g != 0)
		return ot_error_set(err, OT_ERR_ARG, "--listen %s: %s", spec, gai_strerror(g));
	int fd = -1, saved = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		            ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1024) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return ot_error_set(err, saved == EADDRINUSE ? OT_ERR_EXISTS : OT_ERR_IO,
		                    "--listen %s: %s", spec, strerror(saved));
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	uint16_t bound = 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			bound = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	*fd_out = fd;
	*port_out = bound;
	return OT_OK;
}

/* --- libmicrohttpd callbacks --- */

__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	ot_server *s = cls;
	if (!s->opt.access_log)
		return;
	char msg[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = 0;
	pthread_mutex_lock(&s->log_mu);
	fprintf(s->opt.access_log, "oretrail: serve: %s\n", msg);
	pthread_mutex_unlock(&s->log_mu);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	ot_server *s = cls;
	otx_request *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->srv = s;
	r->conn = conn;
	size_t n = strnlen(uri, URI_LOG_MAX);
	r->uri = malloc(n + 1);
	if (r->uri) {
		memcpy(r->uri, uri, n);
		r->uri[n] = 0;
	}
	r->received = time(NULL);
	r->received_ns = otx_now_ns();
	atomic_init(&r->answered, 0);
	atomic_fetch_add(&s->requests, 1);
	atomic_fetch_add(&s->inflight, 1);
	return r;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	ot_server *s = cls;
	otx_request *r = *con_cls;
	(void)toe;
	if (!r)
		return;
	*con_cls = NULL;
	r->conn = conn;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_HTTP_STATUS);
	unsigned status = ci ? ci->http_status : 0;
	otx_access_log(s, r, status);
	ot_buf_free(&r->body);
	otx_body_release(r);
	/* A kept-alive connection now waits for its next request's headers. */
	otx_bounds_phase(conn, PHASE_HEADER);
	otx_add_free(r->add);
	free(r->uri);
	free(r);
	atomic_fetch_sub(&s->inflight, 1);
}

static const otx_header ALLOW_GET[] = {{"Allow", "GET, HEAD"}, {NULL, NULL}};
static const otx_header ALLOW_POST[] = {{"Allow", "POST"}, {NULL, NULL}};

static enum MHD_Result not_allowed(otx_request *r, const otx_header *allow)
{
	ot_error e;
	ot_error_at(&e, OT_ERR_ARG, "method_not_allowed", -1, "%s is not allowed here (use %s)",
	            r->method, allow[0].value);
	char *json = otx_error_json(&e);
	if (!json)
		return MHD_NO;
	return otx_respond(r, 405, "application/json", "no-store", json, strlen(json), allow);
}

static const char INDEX_TEXT[] =
	"oretrail ledger\n\n"
	"GET  /checkpoint                 the latest signed checkpoint (C2SP tlog-checkpoint)\n"
	"GET  /tile/<L>/<N>[.p/<W>]       hash tiles (C2SP tlog-tiles)\n"
	"GET  /tile/entries/<N>[.p/<W>]   entry bundles\n"
	"POST /add                        a signed envelope or a JSON array of them\n"
	"POST /witness/cosignature        a witness's cosignature of a checkpoint\n"
	"GET  /api/                       the JSON API\n";

/* "/" answers by Accept (the dashboard or INDEX_TEXT): shared caches must
 * keep the two apart. */
static const otx_header VARY_ACCEPT[] = {{"Vary", "Accept, Accept-Encoding"}, {NULL, NULL}};

static int wants_html(otx_request *r)
{
	const char *accept = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Accept");
	return accept && strstr(accept, "text/html") != NULL;
}

static enum MHD_Result dispatch_get(otx_request *r, const char *url)
{
	if (strcmp(url, "/checkpoint") == 0)
		return otx_c2sp_checkpoint(r);
	if (strncmp(url, "/tile/", 6) == 0)
		return otx_c2sp_tile(r, url + 1);
	if (strcmp(url, "/api") == 0 || strncmp(url, "/api/", 5) == 0)
		return otx_api(r); /* from the path as sent: ids are decoded strictly */
	if (strcmp(url, "/") == 0 && !wants_html(r))
		return otx_respond_static(r, 200, "text/plain; charset=utf-8", "public, max-age=60",
		                          INDEX_TEXT, VARY_ACCEPT);
	return otx_static(r, url); /* the dashboard (static.c) */
}

/* The 413 for a body over the limit. */
static enum MHD_Result body_too_big(otx_request *r, size_t limit)
{
	return otx_respond_errorf(r, 413, OT_ERR_TOOBIG, "body_too_big",
	                          "the request body is larger than %zu bytes", limit);
}

/* POST /add, headers in: refuse early what cannot succeed. */
static enum MHD_Result add_begin(otx_request *r)
{
	ot_server *s = r->srv;
	if (!s->seq)
		return otx_respond_errorf(r, 503, OT_ERR_READONLY, "read_only",
		                          "this server is read-only: it accepts no submissions");
	if (s->leader && !otx_leader_leading(s->leader))
		return otx_leader_refuse(r);
	const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	                                             MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		char *end = NULL;
		errno = 0;
		unsigned long long n = strtoull(cl, &end, 10);
		if (errno || end == cl || *end || n > s->opt.max_body)
			return body_too_big(r, s->opt.max_body);
		/* The declared length counts in full from now on. */
		if (!otx_body_reserve(r, n))
			return otx_body_memory_full(r);
	}
	r->route = ROUTE_ADD;
	ot_buf_init(&r->body, s->opt.max_body);
	return MHD_YES;
}

/* Content-Length headers: the first value, and whether another differs. */
typedef struct {
	const char *first;
	int conflict;
} lengths;

static enum MHD_Result on_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
	lengths *l = cls;
	(void)kind;
	if (!key || strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) != 0)
		return MHD_YES;
	if (!l->first)
		l->first = value ? value : "";
	else if (strcmp(l->first, value ? value : "") != 0)
		l->conflict = 1;
	return MHD_YES;
}

/* Two Content-Length headers that disagree frame the body two ways (request
 * smuggling, RFC 9112 section 6.3): refused. */
static int conflicting_lengths(struct MHD_Connection *conn)
{
	lengths l = {NULL, 0};
	MHD_get_connection_values(conn, MHD_HEADER_KIND, on_header, &l);
	return l.conflict;
}

/*
 * A body over its limit (a chunked body, or a lying Content-Length), or
 * one the body budget has no room for: libmicrohttpd takes no answer while
 * a body is coming in, so the rest is read and dropped, nothing of it kept,
 * and the 413 (or 503) answered at its end. A client that goes on past
 * `cap` dropped bytes is cut off.
 */
static enum MHD_Result drop_body(otx_request *r, size_t n, uint64_t cap)
{
	if (!r->body_too_big && !r->body_no_memory) {
		r->body_too_big = 1;
		ot_buf_free(&r->body);
		otx_body_release(r);
	}
	r->dropped += n;
	return r->dropped > cap ? MHD_NO : MHD_YES;
}

/* Keeps n more body bytes, within the body's limit and the budget of all
 * bodies in memory; past either, drops them. */
static enum MHD_Result take_body(otx_request *r, const char *data, size_t n, uint64_t cap)
{
	if (!r->body_too_big && !r->body_no_memory) {
		if (!otx_body_reserve(r, (uint64_t)r->body.len + n)) {
			r->body_no_memory = 1;
			ot_buf_free(&r->body);
			otx_body_release(r);
		} else if (ot_buf_add(&r->body, data, n) == OT_OK) {
			return MHD_YES;
		}
	}
	return drop_body(r, n, cap);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	ot_server *s = cls;
	otx_request *r = *con_cls;
	if (!r)
		return MHD_NO; /* out of memory when the request began */
	r->conn = conn;
	if (!r->started) {
		r->started = 1;
		snprintf(r->method, sizeof r->method, "%s", method);
		snprintf(r->version, sizeof r->version, "%s", version);
		otx_bounds_phase(conn, PHASE_BODY);
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
		if (ci && ci->header_size > s->opt.max_header)
			return otx_respond_errorf(r, 431, OT_ERR_TOOBIG, "headers_too_big",
			                          "the request headers are larger than %zu bytes",
			                          s->opt.max_header);
		if (conflicting_lengths(conn))
			return otx_respond_errorf(r, 400, OT_ERR_PARSE, "conflicting_length",
			                          "the request has Content-Length headers that "
			                          "disagree");
		int get = strcmp(method, MHD_HTTP_METHOD_GET) == 0;
		int head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
		int post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
		/* Errors are answered at once (libmicrohttpd then closes the
		 * connection, which is right for a body we will not read); a
		 * request that may succeed is answered on the next call, once it
		 * is all in, which keeps the connection alive. */
		if (strcmp(url, "/add") == 0)
			return post ? add_begin(r) : not_allowed(r, ALLOW_POST);
		if (strcmp(url, "/witness/cosignature") == 0) {
			if (!post)
				return not_allowed(r, ALLOW_POST);
			r->route = ROUTE_COSIG;
			ot_buf_init(&r->body, OT_NOTE_MAX);
			return MHD_YES;
		}
		if (!get && !head)
			return not_allowed(r, ALLOW_GET);
		r->head = head;
		r->route = ROUTE_GET;
		return MHD_YES;
	}
	if (r->route == ROUTE_GET) {
		if (*upload_data_size) {
			/* A body on a GET means nothing: drop it, within limits. */
			r->body.len += *upload_data_size;
			*upload_data_size = 0;
			return r->body.len > s->opt.max_body ? MHD_NO : MHD_YES;
		}
		otx_bounds_phase(conn, PHASE_ANSWER);
		return dispatch_get(r, url);
	}
	if (r->route == ROUTE_COSIG) {
		if (*upload_data_size) {
			size_t n = *upload_data_size;
			*upload_data_size = 0;
			return take_body(r, upload_data, n, s->opt.max_body);
		}
		otx_bounds_phase(conn, PHASE_ANSWER);
		if (r->body_no_memory)
			return otx_body_memory_full(r);
		if (r->body_too_big)
			return otx_respond_errorf(r, 413, OT_ERR_TOOBIG, "body_too_big",
			                          "a cosigned checkpoint is at most %d bytes",
			                          OT_NOTE_MAX);
		return otx_witness_post(r);
	}
	if (r->route != ROUTE_ADD)
		return MHD_NO;
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		return take_body(r, upload_data, n, (uint64_t)s->opt.max_body * DROP_FACTOR);
	}
	otx_bounds_phase(conn, PHASE_ANSWER);
	if (r->body_no_memory)
		return otx_body_memory_full(r);
	if (r->body_too_big)
		return body_too_big(r, s->opt.max_body);
	if (!r->queued)
		return otx_add_start(r);
	return otx_add_finish(r);
}

/* --- start and stop --- */

static void fill_defaults(ot_server_options *o)
{
	if (!o->listen)
		o->listen = DEFAULT_LISTEN;
	if (!o->threads)
		o->threads = 4;
	if (!o->max_connections)
		o->max_connections = 1024;
	if (!o->timeout_s)
		o->timeout_s = 30;
	if (!o->max_header)
		o->max_header = 16384;
	if (!o->max_body)
		o->max_body = (size_t)16 << 20;
	if (!o->max_events)
		o->max_events = 10000;
	if (!o->queue_events)
		o->queue_events = 65536;
	if (!o->batch_events)
		o->batch_events = 8192;
	if (!o->wait_ms)
		o->wait_ms = 5000;
	if (!o->max_per_address)
		o->max_per_address = 128;
	if (!o->header_timeout_s)
		o->header_timeout_s = 10;
	if (!o->body_timeout_s)
		o->body_timeout_s = 60;
	if (!o->max_body_memory)
		o->max_body_memory = (size_t)128 << 20;
}

static void server_free(ot_server *s)
{
	otx_readers_free(s);
	otx_witness_teardown(s);
	free(s->report.json);
	pthread_mutex_destroy(&s->readers_mu);
	pthread_mutex_destroy(&s->log_mu);
	pthread_mutex_destroy(&s->cache_mu);
	free(s->db);
	free(s->listen);
	free(s);
}

/* Several servers on one PostgreSQL database: this one leads or follows
 * (leader.c), advertised as opt.advertise or else as where it listens. */
static ot_status start_leader(ot_server *s, ot_error *err)
{
	char url[1100];
	if (s->opt.advertise) {
		snprintf(url, sizeof url, "%s", s->opt.advertise);
	} else {
		char host[256] = "", port[8];
		if (split_listen(s->listen, host, sizeof host, port, sizeof port, NULL) != OT_OK ||
		    !host[0] || !strcmp(host, "0.0.0.0") || !strcmp(host, "::"))
			snprintf(host, sizeof host, "127.0.0.1");
		int v6 = strchr(host, ':') != NULL;
		snprintf(url, sizeof url, "http://%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "",
		         (unsigned)s->port);
	}
	return otx_leader_start(s, url, &s->leader, err);
}

ot_status ot_server_start(const ot_server_options *opts, ot_server **out, ot_error *err)
{
	if (!opts || !opts->db || !out)
		return ot_error_set(err, OT_ERR_ARG, "the server needs a ledger");
	*out = NULL;
	ot_server *s = calloc(1, sizeof *s);
	if (!s)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	s->opt = *opts;
	fill_defaults(&s->opt);
	s->listen_fd = -1;
	pthread_mutex_init(&s->readers_mu, NULL);
	pthread_mutex_init(&s->log_mu, NULL);
	pthread_mutex_init(&s->cache_mu, NULL);
	pthread_mutex_init(&s->cosig_mu, NULL);
	atomic_init(&s->requests, 0);
	atomic_init(&s->inflight, 0);
	s->db = strdup(opts->db);
	s->listen = strdup(s->opt.listen);
	if (!s->db || !s->listen) {
		server_free(s);
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	}
	s->opt.db = s->db;
	s->opt.listen = s->listen;
	if (otx_witness_setup(s, err) != OT_OK) {
		server_free(s);
		return err ? err->status : OT_ERR_KEY;
	}
	if (s->opt.max_events > s->opt.queue_events)
		s->opt.max_events = s->opt.queue_events;

	/* Open a reader now: a missing or foreign ledger fails here, not on
	 * the first request. */
	otx_reader *rd = otx_reader_get(s, err);
	if (!rd) {
		server_free(s);
		return err ? err->status : OT_ERR_IO;
	}
	snprintf(s->origin, sizeof s->origin, "%s", ot_log_origin(ot_ledger_log(rd->ledger)));
	otx_reader_put(s, rd);

	ot_status rc = OT_OK;
	if (!s->opt.read_only && s->opt.signer)
		rc = otx_sequencer_start(s->db, s->opt.signer, s->opt.queue_events,
		                         s->opt.batch_events, s->opt.wait_ms, &s->seq, err);
	if (!rc)
		rc = open_listener(s->listen, &s->listen_fd, &s->port, err);
	if (!rc && s->seq && ot_store_is_uri(s->db) && (rc = start_leader(s, err)) != OT_OK)
		close(s->listen_fd);
	if (!rc && (rc = otx_bounds_start(s, err)) != OT_OK) {
		otx_leader_stop(s->leader);
		close(s->listen_fd);
	}
	if (rc) {
		otx_sequencer_free(s->seq);
		server_free(s);
		return rc;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	                 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	size_t memory = s->opt.max_header + 16384;
	s->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)s->listen_fd, MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned int)s->opt.threads, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)s->opt.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned int)s->opt.max_per_address, MHD_OPTION_NOTIFY_CONNECTION,
		otx_bounds_notify, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)s->opt.timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
	if (!s->mhd) {
		ot_error_set(err, OT_ERR_IO, "cannot start the HTTP server on %s", s->opt.listen);
		close(s->listen_fd);
		otx_bounds_stop(s);
		otx_leader_stop(s->leader);
		otx_sequencer_free(s->seq);
		server_free(s);
		return OT_ERR_IO;
	}
	if ((rc = otx_pull_start(s, err)) != OT_OK) {
		MHD_stop_daemon(s->mhd);
		otx_bounds_stop(s);
		otx_leader_stop(s->leader);
		otx_sequencer_free(s->seq);
		server_free(s);
		return rc;
	}
	s->started_ns = otx_now_ns();
	*out = s;
	return OT_OK;
}

uint16_t ot_server_port(const ot_server *s)
{
	return s ? s->port : 0;
}

void ot_server_stop(ot_server *s)
{
	if (!s)
		return;
	/* No new connections; the listening socket is ours again. */
	MHD_socket fd = MHD_quiesce_daemon(s->mhd);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	otx_pull_stop(s);
	/* Answer every queued submission (and resume its connection), as the
	 * leader still... */
	otx_sequencer_stop(s->seq);
	otx_leader_stop(s->leader);
	/* ...and give the answers a moment to reach their clients. */
	uint64_t deadline = otx_now_ns() + 3000000000u;
	while (atomic_load(&s->inflight) > 0 && otx_now_ns() < deadline) {
		struct timespec ts = {0, 10000000};
		nanosleep(&ts, NULL);
	}
	MHD_stop_daemon(s->mhd);
	otx_bounds_stop(s);
	otx_sequencer_free(s->seq);
	server_free(s);
}
