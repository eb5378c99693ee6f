/*
 * bounds.c: deadlines and a memory budget for what clients send (bounds.h).
 *
 * libmicrohttpd's time-out is an idle one: a client that sends one byte
 * every few seconds (slowloris) never trips it and holds its connection,
 * and its few kilobytes, for ever. So each connection is registered here
 * with the phase of its request and the time that phase began; a thread
 * looks over them a few times per deadline and shuts down the socket of
 * any that has been reading its headers, or its body, for longer than
 * allowed. libmicrohttpd then sees the connection end and closes it. The
 * registry is left (MHD_CONNECTION_NOTIFY_CLOSED) before libmicrohttpd
 * closes the descriptor, under the same lock as the sweep, so a socket
 * shut down is always the connection's own.
 *
 * The bodies that connections hold in memory are counted against one
 * budget: a declared Content-Length counts in full from the headers, a
 * chunked body as it comes in. A request that would pass the budget gets
 * 503 with Retry-After and its body is not kept.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "server/bounds.h"
#include "server/http.h"

#define SWEEPS_PER_DEADLINE 10
#define SWEEP_MIN_MS 50
#define SWEEP_MAX_MS 1000

typedef struct otx_conn {
	struct otx_conn *prev, *next;
	int fd;
	int cut; /* shut down already (under mu) */
	atomic_int phase;
	atomic_uint_fast64_t since_ns;
} otx_conn;

struct otx_bounds {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stopping;
	pthread_t thread;
	otx_conn *head;
	uint64_t connections;
	uint64_t cut_header, cut_body, cut_min_ms, cut_max_ms;
	atomic_uint_fast64_t body_bytes, body_bytes_max, body_refused;
};

static uint64_t deadline_ns(const ot_server *s, int phase)
{
	if (phase == PHASE_HEADER)
		return (uint64_t)s->opt.header_timeout_s * 1000000000u;
	if (phase == PHASE_BODY)
		return (uint64_t)s->opt.body_timeout_s * 1000000000u;
	return 0;
}

uint64_t otx_phase_age_ns(uint64_t now, uint64_t since)
{
	return since < now ? now - since : 0;
}

/* One look over the connections (under mu). */
static void sweep(ot_server *s, otx_bounds *b)
{
	uint64_t now = otx_now_ns();
	for (otx_conn *c = b->head; c; c = c->next) {
		int phase = atomic_load(&c->phase);
		uint64_t limit = deadline_ns(s, phase);
		uint64_t age = otx_phase_age_ns(now, atomic_load(&c->since_ns));
		if (c->cut || !limit || age <= limit)
			continue;
		c->cut = 1;
		shutdown(c->fd, SHUT_RDWR);
		uint64_t ms = age / 1000000u;
		if (phase == PHASE_HEADER)
			b->cut_header++;
		else
			b->cut_body++;
		if (!b->cut_min_ms || ms < b->cut_min_ms)
			b->cut_min_ms = ms;
		if (ms > b->cut_max_ms)
			b->cut_max_ms = ms;
	}
}

static void *sweeper(void *arg)
{
	ot_server *s = arg;
	otx_bounds *b = s->bounds;
	unsigned shortest = s->opt.header_timeout_s < s->opt.body_timeout_s
	                            ? s->opt.header_timeout_s
	                            : s->opt.body_timeout_s;
	uint64_t period_ms = (uint64_t)shortest * 1000u / SWEEPS_PER_DEADLINE;
	if (period_ms < SWEEP_MIN_MS)
		period_ms = SWEEP_MIN_MS;
	if (period_ms > SWEEP_MAX_MS)
		period_ms = SWEEP_MAX_MS;
	pthread_mutex_lock(&b->mu);
	while (!b->stopping) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		uint64_t ns = (uint64_t)ts.tv_nsec + period_ms * 1000000u;
		ts.tv_sec += (time_t)(ns / 1000000000u);
		ts.tv_nsec = (long)(ns % 1000000000u);
		pthread_cond_timedwait(&b->cv, &b->mu, &ts);
		if (!b->stopping)
			sweep(s, b);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

ot_status otx_bounds_start(ot_server *s, ot_error *err)
{
	otx_bounds *b = calloc(1, sizeof *b);
	if (!b)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&b->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&b->mu, NULL);
	atomic_init(&b->body_bytes, 0);
	atomic_init(&b->body_bytes_max, 0);
	atomic_init(&b->body_refused, 0);
	s->bounds = b;
	if (pthread_create(&b->thread, NULL, sweeper, s) != 0) {
		s->bounds = NULL;
		pthread_cond_destroy(&b->cv);
		pthread_mutex_destroy(&b->mu);
		free(b);
		return ot_error_set(err, OT_ERR_NOMEM, "cannot start the server's deadline thread");
	}
	return OT_OK;
}

void otx_bounds_stop(ot_server *s)
{
	otx_bounds *b = s->bounds;
	if (!b)
		return;
	pthread_mutex_lock(&b->mu);
	b->stopping = 1;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	pthread_join(b->thread, NULL);
	/* The daemon is stopped: every connection has left the registry. */
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
	free(b);
	s->bounds = NULL;
}

void otx_bounds_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode code)
{
	ot_server *s = cls;
	otx_bounds *b = s->bounds;
	otx_conn *c = *socket_context;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		c = ci ? calloc(1, sizeof *c) : NULL;
		*socket_context = c;
		if (!c)
			return; /* unbounded by us; libmicrohttpd's idle time-out remains */
		c->fd = ci->connect_fd;
		atomic_init(&c->phase, PHASE_HEADER);
		atomic_init(&c->since_ns, otx_now_ns());
		pthread_mutex_lock(&b->mu);
		c->next = b->head;
		if (b->head)
			b->head->prev = c;
		b->head = c;
		b->connections++;
		pthread_mutex_unlock(&b->mu);
		return;
	}
	if (!c)
		return;
	pthread_mutex_lock(&b->mu);
	if (c->prev)
		c->prev->next = c->next;
	else
		b->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	b->connections--;
	pthread_mutex_unlock(&b->mu);
	*socket_context = NULL;
	free(c);
}

void otx_bounds_phase(struct MHD_Connection *conn, enum otx_phase phase)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	otx_conn *c = ci ? ci->socket_context : NULL;
	if (!c)
		return;
	/* The time first: a sweep that sees the new phase must not see the
	 * old phase's start. */
	atomic_store(&c->since_ns, otx_now_ns());
	atomic_store(&c->phase, (int)phase);
}

int otx_body_reserve(otx_request *r, uint64_t total)
{
	if (total <= r->reserved)
		return 1;
	ot_server *s = r->srv;
	otx_bounds *b = s->bounds;
	uint64_t more = total - r->reserved;
	uint_fast64_t cur = atomic_load(&b->body_bytes);
	do {
		if (cur + more > s->opt.max_body_memory) {
			atomic_fetch_add(&b->body_refused, 1);
			return 0;
		}
	} while (!atomic_compare_exchange_weak(&b->body_bytes, &cur, cur + more));
	r->reserved = total;
	uint_fast64_t held = cur + more, max = atomic_load(&b->body_bytes_max);
	while (held > max && !atomic_compare_exchange_weak(&b->body_bytes_max, &max, held))
		;
	return 1;
}

enum MHD_Result otx_body_memory_full(otx_request *r)
{
	return otx_respond_errorf(r, 0, OT_ERR_BUSY, "body_memory_full",
	                          "the server holds as many request bodies as it may (%zu "
	                          "bytes); try again later",
	                          r->srv->opt.max_body_memory);
}

void otx_body_release(otx_request *r)
{
	if (!r->reserved)
		return;
	atomic_fetch_sub(&r->srv->bounds->body_bytes, r->reserved);
	r->reserved = 0;
}

void otx_bounds_get_stats(ot_server *s, otx_bounds_stats *out)
{
	otx_bounds *b = s->bounds;
	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&b->mu);
	out->cut_header = b->cut_header;
	out->cut_body = b->cut_body;
	out->cut_min_ms = b->cut_min_ms;
	out->cut_max_ms = b->cut_max_ms;
	out->connections = b->connections;
	pthread_mutex_unlock(&b->mu);
	out->body_refused = atomic_load(&b->body_refused);
	out->body_bytes = atomic_load(&b->body_bytes);
	out->body_bytes_max = atomic_load(&b->body_bytes_max);
}
