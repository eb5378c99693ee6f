/*
 * server.c: benchmark of `oretrail serve` against the library it runs on.
 *
 * Everything is measured in the same run, on the same disk:
 *   1. the library's own submit rate: ot_ledger_submit of pre-signed
 *      events in batches, one durable transaction each: the ceiling;
 *   2. sustained POST /add over loopback HTTP from our own closed-loop
 *      load generator (C connections with keep-alive, each sending an
 *      array of K events and waiting for the answer), as events/s and as a
 *      share of (1), with p50/p99 acknowledgement latency; then the same
 *      with one event per request, the worst case for HTTP's overhead;
 *   3. tile GETs (full hash tiles and entry bundles) per second;
 *   4. the server's resident memory (VmRSS of the `oretrail serve`
 *      process) before the submissions, half-way and at the end.
 * The server is the real command, a child process; events are signed before
 * the clock starts, so signing costs neither side. A verdict line per goal
 * (issue 4: HTTP within 20 % of the library, >= 20,000 events/s, p99
 * acknowledgement < 50 ms, memory flat) ends the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "ledger/envelope.h"
#include "oretrail/ledger.h"

#ifndef OT_CLI_PATH
#define OT_CLI_PATH "oretrail"
#endif

#define GOAL_HTTP_SHARE 0.80
#define GOAL_EVENTS_S 20000.0
#define GOAL_P99_MS 50.0
#define GOAL_FLAT_MIB 4.0

typedef struct options {
	const char *dir;
	const char *server;
	size_t http_events;
	size_t single_events;
	unsigned clients;
	unsigned per_request;
	double tile_seconds;
	unsigned slices;
	unsigned threads; /* serve --threads; 0: the server's default */
} options;

/* --- the temporary directory --- */

static char tmp_dir[4096];
static pid_t server_pid;

/* At exit, bench_die's included: the server child stopped (it would
 * otherwise keep running after a failed run), then the directory removed. */
static void cleanup(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
		server_pid = 0;
	}
	if (!tmp_dir[0])
		return;
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_server: could not remove %s\n", tmp_dir);
	tmp_dir[0] = 0;
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* --- ledgers and events --- */

typedef struct keys {
	ot_signer *gov; /* the authority, and the log's key */
	ot_signer *fwo; /* the miner who signs the events */
} keys;

static void submit_one(ot_ledger *l, json_t *ev, const char *signer, const ot_signer *key)
{
	ot_buf b;
	ot_buf_init(&b, 0);
	ot_error err;
	bench_check(otx_envelope_sign(ev, signer, key, &b, &err), &err, "signing");
	json_decref(ev);
	const uint8_t *p = b.data;
	size_t len = b.len;
	bench_check(ot_ledger_submit(l, &p, &len, 1, 0, NULL, NULL, &err), &err,
	            "setting up the ledger");
	ot_buf_free(&b);
}

/* A ledger with the miner fwo and its mine, as the events below need. */
static void make_ledger(const char *path, const keys *k)
{
	ot_ledger *l = NULL;
	ot_error err;
	bench_check(ot_ledger_create(path, "bench.example/server", k->gov, &l, &err), &err, path);
	char vkey[OT_VKEY_MAX];
	bench_check(ot_signer_vkey(k->fwo, vkey, sizeof vkey), NULL, "vkey");
	submit_one(l,
	           json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:[s],s:s}", "type", "actor", "id",
	                     "e-actor", "time", "2025-09-01T00:00:00Z", "actor", "fwo", "name",
	                     "FWO", "country", "PK", "roles", "miner", "key", vkey),
	           "gov", k->gov);
	submit_one(l,
	           json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", "site", "id",
	                     "e-site", "time", "2025-09-01T00:00:00Z", "site", "mine-a", "kind",
	                     "mine", "holder", "fwo", "country", "PK", "licence", "L-1",
	                     "valid_from", "2025-01-01T00:00:00Z", "valid_until",
	                     "2035-01-01T00:00:00Z"),
	           "gov", k->gov);
	ot_ledger_close(l);
}

typedef struct pool {
	const char *prefix;
	size_t n;
	uint8_t **data;
	size_t *lens;
	const ot_signer *key;
	size_t from, to; /* this thread's share */
} pool;

static void *sign_range(void *arg)
{
	pool *p = arg;
	for (size_t i = p->from; i < p->to; i++) {
		char id[64];
		snprintf(id, sizeof id, "%s-%zu", p->prefix, i);
		json_t *ev = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:{s:i,s:i}}", "type",
		                       "extract", "id", id, "time", "2025-09-10T00:00:00Z", "site",
		                       "mine-a", "lot", id, "material", "ore", "mass_g", 1000000,
		                       "assay", "Nd", 4600, "Pr", 1350);
		ot_buf b;
		ot_buf_init(&b, 0);
		ot_error err;
		bench_check(otx_envelope_sign(ev, "fwo", p->key, &b, &err), &err, "signing");
		json_decref(ev);
		p->data[i] = b.data;
		p->lens[i] = b.len;
	}
	return NULL;
}

static void sign_pool(pool *p, const char *prefix, size_t n, const ot_signer *key)
{
	p->prefix = prefix;
	p->n = n;
	p->key = key;
	p->data = bench_xmalloc(n * sizeof *p->data);
	p->lens = bench_xmalloc(n * sizeof *p->lens);
	enum {
		T = 4
	};
	pool part[T];
	pthread_t th[T];
	for (int t = 0; t < T; t++) {
		part[t] = *p;
		part[t].from = n * (size_t)t / T;
		part[t].to = n * (size_t)(t + 1) / T;
		pthread_create(&th[t], NULL, sign_range, &part[t]);
	}
	for (int t = 0; t < T; t++)
		pthread_join(th[t], NULL);
}

static void free_pool(pool *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->data[i]);
	free(p->data);
	free(p->lens);
}

/* 1. The library's rate over pool[from, to): batches of `batch` events,
 * each one durable transaction, as the sequencer would submit them. */
static double library_rate(ot_ledger *l, const pool *p, size_t from, size_t to, size_t batch)
{
	ot_error err;
	double t0 = bench_now();
	for (size_t i = from; i < to; i += batch) {
		size_t n = to - i < batch ? to - i : batch;
		size_t appended = 0;
		bench_check(ot_ledger_submit(l, (const uint8_t *const *)p->data + i, p->lens + i, n,
		                             0, NULL, &appended, &err),
		            &err, "ot_ledger_submit");
		if (appended != n)
			bench_die("the library appended %zu of %zu", appended, n);
	}
	return (double)(to - from) / (bench_now() - t0);
}

/* --- the server, a child process --- */

static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	long kib = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static uint16_t start_server(const options *o, const char *db, const char *key)
{
	int fds[2];
	if (pipe(fds) != 0)
		bench_die("pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		char threads[16];
		snprintf(threads, sizeof threads, "%u", o->threads);
		if (o->threads)
			execl(o->server, o->server, "serve", "--db", db, "--key", key, "--listen",
			      "127.0.0.1:0", "--quiet", "--threads", threads, (char *)NULL);
		else
			execl(o->server, o->server, "serve", "--db", db, "--key", key, "--listen",
			      "127.0.0.1:0", "--quiet", (char *)NULL);
		fprintf(stderr, "bench_server: cannot run %s: %s\n", o->server, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	server_pid = pid;
	char line[256];
	size_t len = 0;
	while (len < sizeof line - 1 && read(fds[0], line + len, 1) == 1 && line[len] != '\n')
		len++;
	line[len] = 0;
	close(fds[0]);
	unsigned port = 0;
	if (sscanf(line, "listening on http://127.0.0.1:%u/", &port) != 1 || !port)
		bench_die("the server did not start (%s): \"%s\"", o->server, line);
	return (uint16_t)port;
}

static void stop_server(void)
{
	if (server_pid <= 0)
		return;
	kill(server_pid, SIGTERM);
	waitpid(server_pid, NULL, 0);
	server_pid = 0;
}

/* --- a buffered HTTP/1.1 client, keep-alive --- */

typedef struct conn {
	int fd;
	char buf[65536];
	size_t pos, have;
} conn;

static void conn_open(conn *c, uint16_t port)
{
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		bench_die("connect: %s", strerror(errno));
	c->pos = c->have = 0;
}

static int fill(conn *c)
{
	if (c->pos == c->have)
		c->pos = c->have = 0;
	if (c->have == sizeof c->buf) {
		memmove(c->buf, c->buf + c->pos, c->have - c->pos);
		c->have -= c->pos;
		c->pos = 0;
	}
	ssize_t n = recv(c->fd, c->buf + c->have, sizeof c->buf - c->have, 0);
	if (n <= 0)
		return -1;
	c->have += (size_t)n;
	return 0;
}

/* The end of an HTTP head ("\r\n\r\n") in p[0..n), or NULL. */
static char *find_blank_line(char *p, size_t n)
{
	for (size_t i = 0; i + 4 <= n; i++)
		if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n')
			return p + i;
	return NULL;
}

/* Sends one request and reads its answer; returns the status, *len the
 * body's length. The body is skipped, or its first out_size - 1 bytes are
 * copied to out (NUL-terminated) when out is not NULL. */
static int conn_call_into(conn *c, const char *head, size_t hlen, const void *body, size_t blen,
                          size_t *len, char *out, size_t out_size)
{
	struct iovec iov[2] = {{(void *)(uintptr_t)head, hlen}, {(void *)(uintptr_t)body, blen}};
	size_t total = hlen + blen, sent = 0;
	while (sent < total) {
		struct iovec v[2];
		int k = 0;
		size_t skip = sent;
		for (int i = 0; i < 2; i++) {
			if (skip >= iov[i].iov_len) {
				skip -= iov[i].iov_len;
				continue;
			}
			v[k].iov_base = (char *)iov[i].iov_base + skip;
			v[k].iov_len = iov[i].iov_len - skip;
			skip = 0;
			k++;
		}
		ssize_t n = writev(c->fd, v, k);
		if (n <= 0)
			bench_die("send: %s", strerror(errno));
		sent += (size_t)n;
	}
	char *end;
	while (!(end = find_blank_line(c->buf + c->pos, c->have - c->pos)))
		if (fill(c))
			bench_die("the server closed the connection");
	int status = 0;
	if (sscanf(c->buf + c->pos, "HTTP/1.1 %d", &status) != 1)
		bench_die("not an HTTP answer");
	size_t clen = 0;
	for (char *p = c->buf + c->pos; p < end; p++) {
		if ((p == c->buf + c->pos || p[-1] == '\n') &&
		    strncasecmp(p, "Content-Length:", 15) == 0) {
			clen = (size_t)strtoull(p + 15, NULL, 10);
			break;
		}
	}
	c->pos = (size_t)(end + 4 - c->buf);
	size_t left = clen, kept = 0;
	while (left) {
		if (c->pos == c->have && fill(c))
			bench_die("the answer was cut short");
		size_t take = c->have - c->pos < left ? c->have - c->pos : left;
		size_t keep = out && kept + 1 < out_size ? out_size - 1 - kept : 0;
		if (keep > take)
			keep = take;
		if (keep) {
			memcpy(out + kept, c->buf + c->pos, keep);
			kept += keep;
		}
		c->pos += take;
		left -= take;
	}
	if (out && out_size)
		out[kept] = 0;
	*len = clen;
	return status;
}

static int conn_call(conn *c, const char *head, size_t hlen, const void *body, size_t blen,
                     size_t *len)
{
	return conn_call_into(c, head, hlen, body, blen, len, NULL, 0);
}

/* The server's sequencer counters (GET /api/stats): transactions committed,
 * events appended and milliseconds spent committing, so far. */
typedef struct seq_stats {
	uint64_t batches, events, max_batch, commit_ms;
} seq_stats;

static seq_stats server_stats(uint16_t port)
{
	static const char head[] = "GET /api/stats HTTP/1.1\r\nHost: x\r\n\r\n";
	conn *c = bench_xmalloc(sizeof *c);
	char text[4096];
	size_t len = 0;
	seq_stats st = {0, 0, 0, 0};
	conn_open(c, port);
	int status = conn_call_into(c, head, sizeof head - 1, NULL, 0, &len, text, sizeof text);
	close(c->fd);
	free(c);
	json_t *doc = status == 200 ? json_loads(text, 0, NULL) : NULL;
	json_t *seq = json_object_get(doc, "sequencer");
	st.batches = (uint64_t)json_integer_value(json_object_get(seq, "batches"));
	st.events = (uint64_t)json_integer_value(json_object_get(seq, "events"));
	st.max_batch = (uint64_t)json_integer_value(json_object_get(seq, "max_batch"));
	st.commit_ms = (uint64_t)json_integer_value(json_object_get(seq, "commit_ms"));
	json_decref(doc);
	if (!seq)
		bench_die("GET /api/stats: no sequencer counters (status %d)", status);
	return st;
}

/* --- 2. POST /add under load --- */

typedef struct client {
	uint16_t port;
	char **heads;
	size_t *head_lens;
	char **bodies;
	size_t *body_lens;
	size_t n_requests;
	double *lat_ms;
	size_t failures;
	pthread_barrier_t *go;
} client;

static void *client_main(void *arg)
{
	client *cl = arg;
	conn *c = bench_xmalloc(sizeof *c);
	conn_open(c, cl->port);
	pthread_barrier_wait(cl->go);
	for (size_t i = 0; i < cl->n_requests; i++) {
		size_t len = 0;
		double t0 = bench_now();
		int st = conn_call(c, cl->heads[i], cl->head_lens[i], cl->bodies[i],
		                   cl->body_lens[i], &len);
		cl->lat_ms[i] = (bench_now() - t0) * 1e3;
		if (st != 200)
			cl->failures++;
	}
	close(c->fd);
	free(c);
	return NULL;
}

typedef struct load_result {
	double events_s;
	double *lat_ms; /* every request's, unsorted (malloc'ed) */
	size_t n_lat;
	size_t failures;
} load_result;

/* Posts pool[from, to) in requests of k events over `clients` connections. */
static load_result run_load(uint16_t port, const pool *p, size_t from, size_t to, unsigned clients,
                            unsigned k)
{
	size_t events = to - from;
	size_t n_req = (events + k - 1) / k;
	client *cl = calloc(clients, sizeof *cl);
	pthread_t *th = bench_xmalloc(clients * sizeof *th);
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, clients + 1);
	for (unsigned c = 0; c < clients; c++) {
		cl[c].port = port;
		cl[c].go = &go;
		size_t mine = n_req / clients + (c < n_req % clients);
		cl[c].heads = bench_xmalloc(mine * sizeof(char *));
		cl[c].head_lens = bench_xmalloc(mine * sizeof(size_t));
		cl[c].bodies = bench_xmalloc(mine * sizeof(char *));
		cl[c].body_lens = bench_xmalloc(mine * sizeof(size_t));
		cl[c].lat_ms = bench_xmalloc(mine * sizeof(double));
		cl[c].n_requests = mine;
	}
	/* Requests are dealt round-robin, so every client sends its share. */
	for (size_t r = 0; r < n_req; r++) {
		client *c = &cl[r % clients];
		size_t slot = r / clients;
		size_t a = from + r * k, b = a + k < to ? a + k : to;
		size_t blen = k > 1 ? 2 : 0;
		for (size_t i = a; i < b; i++)
			blen += p->lens[i] + 1;
		char *body = bench_xmalloc(blen + 1);
		size_t at = 0;
		if (k > 1)
			body[at++] = '[';
		for (size_t i = a; i < b; i++) {
			if (i > a)
				body[at++] = ',';
			memcpy(body + at, p->data[i], p->lens[i]);
			at += p->lens[i];
		}
		if (k > 1)
			body[at++] = ']';
		char *head = bench_xmalloc(160);
		int hl = snprintf(head, 160,
		                  "POST /add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
		                  "application/json\r\nContent-Length: %zu\r\n\r\n",
		                  at);
		c->heads[slot] = head;
		c->head_lens[slot] = (size_t)hl;
		c->bodies[slot] = body;
		c->body_lens[slot] = at;
	}
	for (unsigned c = 0; c < clients; c++)
		pthread_create(&th[c], NULL, client_main, &cl[c]);
	pthread_barrier_wait(&go);
	double t0 = bench_now();
	load_result res;
	memset(&res, 0, sizeof res);
	for (unsigned c = 0; c < clients; c++)
		pthread_join(th[c], NULL);
	double dt = bench_now() - t0;
	size_t all = 0;
	for (unsigned c = 0; c < clients; c++)
		all += cl[c].n_requests;
	double *lat = bench_xmalloc((all ? all : 1) * sizeof *lat);
	size_t at = 0;
	for (unsigned c = 0; c < clients; c++) {
		memcpy(lat + at, cl[c].lat_ms, cl[c].n_requests * sizeof *lat);
		at += cl[c].n_requests;
		res.failures += cl[c].failures;
		for (size_t i = 0; i < cl[c].n_requests; i++) {
			free(cl[c].heads[i]);
			free(cl[c].bodies[i]);
		}
		free(cl[c].heads);
		free(cl[c].head_lens);
		free(cl[c].bodies);
		free(cl[c].body_lens);
		free(cl[c].lat_ms);
	}
	res.events_s = (double)events / dt;
	res.lat_ms = lat;
	res.n_lat = all;
	free(cl);
	free(th);
	pthread_barrier_destroy(&go);
	return res;
}

typedef struct mode {
	const char *name;
	unsigned clients, per_request;
	size_t batch;    /* what the library is given at a time */
	size_t from, to; /* the events of this mode */
	unsigned slices;
	double *lib, *http, *ratio, *lat;
	size_t n_lat;
	double http_s; /* the HTTP slices' time in all */
	/* The library in batches of the size the server formed (its events
	 * per transaction in the slice before; half of `batch` at first), on
	 * half of each library slice, and HTTP's rate against it: HTTP's own
	 * cost, without that of the smaller batches. */
	double *lib_same, *ratio_same;
	double same_batches; /* their mean size */
} mode;

/* Unlike bench_median: of a sorted array, the mean of the two middle values
 * for even n. */
static double median(const double *sorted, size_t n)
{
	return n ? (n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2) : 0;
}

static double pct(const double *sorted, size_t n, double q)
{
	return n ? sorted[(size_t)((double)(n - 1) * q)] : 0;
}

/* Inclusion proofs through the library on the library-side ledger: up to
 * 2000 random indexes against the latest size, each timed; p50 and p99. */
static void proof_times(ot_log *log)
{
	enum {
		N = 2000
	};
	uint64_t size = ot_log_size(log);
	static double t[N];
	static uint8_t proof[OT_PROOF_MAX][OT_HASH_SIZE];
	uint64_t x = 88172645463325252u;
	ot_error err;
	for (size_t i = 0; i < N; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t n = 0;
		double t0 = bench_now();
		bench_check(ot_log_inclusion_proof(log, x % size, size, proof, &n, &err), &err,
		            "ot_log_inclusion_proof");
		t[i] = (bench_now() - t0) * 1e6;
	}
	qsort(t, N, sizeof t[0], bench_cmp_double);
	printf("library  inclusion proof, %d random indexes of %" PRIu64
	       ": p50 %.1f us, p99 %.1f us\n",
	       N, size, pct(t, N, 0.50), pct(t, N, 0.99));
}

/* --- 3. tile GETs --- */

typedef struct getter {
	uint16_t port;
	uint64_t tree_size;
	double until;
	uint64_t requests, bytes, failures;
	unsigned seed;
} getter;

static void *getter_main(void *arg)
{
	getter *g = arg;
	conn *c = bench_xmalloc(sizeof *c);
	conn_open(c, g->port);
	uint64_t full = g->tree_size / 256;
	char head[256];
	while (bench_now() < g->until) {
		for (int burst = 0; burst < 32; burst++) {
			uint64_t n = full ? (uint64_t)rand_r(&g->seed) % full : 0;
			int entries = rand_r(&g->seed) % 4 == 0;
			char path[64];
			if (n >= 1000)
				snprintf(path, sizeof path, "x%03" PRIu64 "/%03" PRIu64, n / 1000,
				         n % 1000);
			else
				snprintf(path, sizeof path, "%03" PRIu64, n);
			int hl = snprintf(head, sizeof head,
			                  "GET /tile/%s/%s HTTP/1.1\r\nHost: x\r\n\r\n",
			                  entries ? "entries" : "0", path);
			size_t len = 0;
			int st = conn_call(c, head, (size_t)hl, NULL, 0, &len);
			g->requests++;
			g->bytes += len;
			g->failures += st != 200;
		}
	}
	close(c->fd);
	free(c);
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: bench_server [options]\n\n"
	        "  --dir DIR           where the ledgers go (/tmp)\n"
	        "  --server PATH       the oretrail command (%s)\n"
	        "  --lib-db URI        library-side ledger store, e.g. an empty PostgreSQL\n"
	        "                      database (default: a SQLite file in DIR)\n"
	        "  --http-db URI       the server's ledger store (likewise)\n"
	        "  --events N          events posted in arrays (100000)\n"
	        "  --single-events N   events posted one per request (20000)\n"
	        "  --clients N         connections of the load generator (8)\n"
	        "  --per-request K     events per POST in the array run (64)\n"
	        "  --slices N          alternating library/HTTP slices per mode (10)\n"
	        "  --tile-seconds S    duration of the tile GETs (3)\n"
	        "  --threads N         the server's HTTP threads (serve --threads; its default)\n"
	        "  --quick             small sizes, a few seconds\n",
	        OT_CLI_PATH);
}

/* bench_parse_size, at least 1 and at most `max`. */
static size_t parse_count(const char *opt, const char *v, size_t max)
{
	size_t n = bench_parse_size(opt, v);
	if (n == 0 || n > max)
		bench_die("%s wants a number from 1 to %zu, not \"%s\"", opt, max, v);
	return n;
}

int main(int argc, char **argv)
{
	bench_name = "bench_server";
	options o = {"/tmp", OT_CLI_PATH, 100000, 20000, 8, 64, 3.0, 10, 0};
	/* --lib-db / --http-db: the two ledgers in other stores (e.g. empty
	 * PostgreSQL databases, bench/store); default: SQLite files in --dir. */
	const char *lib_uri = NULL, *http_uri = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--quick") == 0) {
			o.http_events = 5000;
			o.single_events = 1000;
			o.tile_seconds = 0.5;
			o.slices = 4;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (!v)
			bench_die("%s needs a value (see --help)", a);
		i++;
		if (strcmp(a, "--dir") == 0)
			o.dir = v;
		else if (strcmp(a, "--server") == 0)
			o.server = v;
		else if (strcmp(a, "--lib-db") == 0)
			lib_uri = v;
		else if (strcmp(a, "--http-db") == 0)
			http_uri = v;
		else if (strcmp(a, "--events") == 0)
			o.http_events = parse_count(a, v, 100000000);
		else if (strcmp(a, "--single-events") == 0)
			o.single_events = parse_count(a, v, 100000000);
		else if (strcmp(a, "--clients") == 0)
			o.clients = (unsigned)parse_count(a, v, 256);
		else if (strcmp(a, "--per-request") == 0)
			o.per_request = (unsigned)parse_count(a, v, 10000);
		else if (strcmp(a, "--slices") == 0)
			o.slices = (unsigned)parse_count(a, v, 1000);
		else if (strcmp(a, "--threads") == 0)
			o.threads = (unsigned)parse_count(a, v, 256);
		else if (strcmp(a, "--tile-seconds") == 0)
			o.tile_seconds = (double)parse_count(a, v, 3600);
		else
			bench_die("unknown option %s (see --help)", a);
	}

	snprintf(tmp_dir, sizeof tmp_dir, "%s/oretrail-bench-server-XXXXXX", o.dir);
	if (!mkdtemp(tmp_dir))
		bench_die("mkdtemp %s: %s", tmp_dir, strerror(errno));
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	keys k;
	ot_error err;
	bench_check(ot_signer_generate("gov", &k.gov, &err), &err, "key");
	bench_check(ot_signer_generate("fwo", &k.fwo, &err), &err, "key");
	char lib_db[4200], http_db[4200], key_path[4300];
	snprintf(lib_db, sizeof lib_db, "%s", lib_uri ? lib_uri : "");
	snprintf(http_db, sizeof http_db, "%s", http_uri ? http_uri : "");
	if (!lib_uri)
		snprintf(lib_db, sizeof lib_db, "%s/library.db", tmp_dir);
	if (!http_uri)
		snprintf(http_db, sizeof http_db, "%s/server.db", tmp_dir);
	snprintf(key_path, sizeof key_path, "%s/server.key", tmp_dir);
	make_ledger(lib_db, &k);
	make_ledger(http_db, &k);
	char skey[OT_SKEY_MAX];
	bench_check(ot_signer_format(k.gov, skey, sizeof skey), NULL, "key");
	int kfd = open(key_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (kfd < 0 || write(kfd, skey, strlen(skey)) != (ssize_t)strlen(skey) || close(kfd) != 0)
		bench_die("%s: %s", key_path, strerror(errno));

	unsigned single_clients = o.clients * 4;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("bench_server: store %s; %ld cores; load average %.1f; one fsync per commit\n",
	       http_uri ? "given by --http-db" : o.dir, sysconf(_SC_NPROCESSORS_ONLN),
	       bench_loadavg());
	double t0 = bench_now();
	pool lib, http;
	size_t total = o.single_events + o.http_events;
	sign_pool(&lib, "lib", total, k.fwo);
	sign_pool(&http, "http", total, k.fwo);
	printf("signed %zu events in %.1f s (not timed below)\n\n", lib.n + http.n,
	       bench_now() - t0);

	/* 1 and 2, interleaved: a slice through the library, the same slice
	 * over HTTP, and again, so that both ledgers grow in step and a change
	 * in the machine's load hits both sides alike. Ratios are per slice;
	 * the medians are reported. */
	ot_ledger *l = NULL;
	bench_check(ot_ledger_open(lib_db, k.gov, 0, &l, &err), &err, lib_db);
	uint16_t port = start_server(&o, http_db, key_path);
	long rss0 = rss_kib(server_pid), rss_mid = 0, rss_end = 0;
	mode modes[2] = {
		{"one event per request", single_clients, 1, single_clients, 0, o.single_events,
	         o.slices, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, 0},
		{"arrays", o.clients, o.per_request, (size_t)o.clients * o.per_request,
	         o.single_events, total, o.slices, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, 0},
	};
	for (int m = 0; m < 2; m++) {
		mode *md = &modes[m];
		size_t span = md->to - md->from;
		seq_stats st0 = server_stats(port);
		md->lib = bench_xmalloc(md->slices * sizeof(double));
		md->http = bench_xmalloc(md->slices * sizeof(double));
		md->ratio = bench_xmalloc(md->slices * sizeof(double));
		md->lib_same = bench_xmalloc(md->slices * sizeof(double));
		md->ratio_same = bench_xmalloc(md->slices * sizeof(double));
		md->lat = bench_xmalloc((span + 1) * sizeof(double));
		md->n_lat = 0;
		size_t same = md->batch / 2 ? md->batch / 2 : 1;
		for (unsigned r = 0; r < md->slices; r++) {
			size_t a = md->from + span * r / md->slices,
			       b = md->from + span * (r + 1) / md->slices, half = a + (b - a) / 2;
			md->lib[r] = library_rate(l, &lib, a, half, md->batch);
			md->lib_same[r] = library_rate(l, &lib, half, b, same);
			md->same_batches += (double)same / md->slices;
			seq_stats before = server_stats(port);
			load_result lr = run_load(port, &http, a, b, md->clients, md->per_request);
			if (lr.failures)
				bench_die("%zu requests failed", lr.failures);
			seq_stats after = server_stats(port);
			if (after.batches > before.batches)
				same = (size_t)((double)(after.events - before.events) /
				                        (double)(after.batches - before.batches) +
				                0.5);
			if (same == 0)
				same = 1;
			md->http[r] = lr.events_s;
			md->http_s += (double)(b - a) / lr.events_s;
			md->ratio[r] = lr.events_s / md->lib[r];
			md->ratio_same[r] = lr.events_s / md->lib_same[r];
			memcpy(md->lat + md->n_lat, lr.lat_ms, lr.n_lat * sizeof(double));
			md->n_lat += lr.n_lat;
			free(lr.lat_ms);
			if (m == 1 && r + 1 == (md->slices + 1) / 2)
				rss_mid = rss_kib(server_pid);
		}
		rss_end = rss_kib(server_pid);
		qsort(md->lib, md->slices, sizeof(double), bench_cmp_double);
		qsort(md->http, md->slices, sizeof(double), bench_cmp_double);
		qsort(md->ratio, md->slices, sizeof(double), bench_cmp_double);
		qsort(md->lib_same, md->slices, sizeof(double), bench_cmp_double);
		qsort(md->ratio_same, md->slices, sizeof(double), bench_cmp_double);
		qsort(md->lat, md->n_lat, sizeof(double), bench_cmp_double);
		printf("%s: %u connections, %u event%s per request, %zu events in %u slices\n",
		       md->name, md->clients, md->per_request, md->per_request > 1 ? "s" : "", span,
		       md->slices);
		printf("  library  ot_ledger_submit, batches of %4zu: %8.0f events/s (slices: "
		       "%.0f-%.0f)\n",
		       md->batch, median(md->lib, md->slices), md->lib[0], md->lib[md->slices - 1]);
		printf("  HTTP     POST /add:                          %8.0f events/s (slices: "
		       "%.0f-%.0f)\n",
		       median(md->http, md->slices), md->http[0], md->http[md->slices - 1]);
		printf("  HTTP / library, median of the slices:        %8.0f %%  (slices: "
		       "%.0f-%.0f %%)\n",
		       100.0 * median(md->ratio, md->slices), 100.0 * md->ratio[0],
		       100.0 * md->ratio[md->slices - 1]);
		printf("  library  in batches the size the server formed (%.1f on average): %.0f "
		       "events/s (slices: %.0f-%.0f)\n",
		       md->same_batches, median(md->lib_same, md->slices), md->lib_same[0],
		       md->lib_same[md->slices - 1]);
		printf("  HTTP / library at the server's batch size:   %8.0f %%  (slices: "
		       "%.0f-%.0f %%)\n",
		       100.0 * median(md->ratio_same, md->slices), 100.0 * md->ratio_same[0],
		       100.0 * md->ratio_same[md->slices - 1]);
		printf("  acknowledgement latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%zu "
		       "requests, "
		       "%zu events in flight)\n",
		       pct(md->lat, md->n_lat, 0.50), pct(md->lat, md->n_lat, 0.99),
		       md->n_lat ? md->lat[md->n_lat - 1] : 0.0, md->n_lat,
		       (size_t)md->clients * md->per_request);
		seq_stats st1 = server_stats(port);
		uint64_t nb = st1.batches - st0.batches;
		printf("  server transactions: %" PRIu64 ", %.1f events each on average "
		       "(largest so far %" PRIu64 "); the sequencer busy %.0f %% of the time\n",
		       nb, nb ? (double)(st1.events - st0.events) / (double)nb : 0.0, st1.max_batch,
		       md->http_s > 0
		               ? 100.0 * (double)(st1.commit_ms - st0.commit_ms) / 1e3 / md->http_s
		               : 0.0);
	}
	proof_times(ot_ledger_log(l));
	ot_ledger_close(l);

	/* 3. Tile GETs over the tree just written. */
	uint64_t tree = total + 2;
	getter g[8];
	pthread_t gt[8];
	unsigned ng = o.clients < 8 ? o.clients : 8;
	double until = bench_now() + o.tile_seconds;
	for (unsigned i = 0; i < ng; i++) {
		g[i] = (getter){port, tree, until, 0, 0, 0, 1234u + i};
		pthread_create(&gt[i], NULL, getter_main, &g[i]);
	}
	uint64_t reqs = 0, bytes = 0, fails = 0;
	double g0 = bench_now();
	for (unsigned i = 0; i < ng; i++) {
		pthread_join(gt[i], NULL);
		reqs += g[i].requests;
		bytes += g[i].bytes;
		fails += g[i].failures;
	}
	double gdt = bench_now() - g0;
	printf("HTTP     GET /tile/0/N and /tile/entries/N (full), %u conns: %.0f requests/s, %.0f "
	       "MB/s%s\n",
	       ng, (double)reqs / gdt, (double)bytes / gdt / 1e6, fails ? " (with failures)" : "");

	/* 4. Memory. */
	printf("memory   server VmRSS: %.1f MiB at start, %.1f MiB half-way through the arrays, "
	       "%.1f MiB after all %zu events\n",
	       (double)rss0 / 1024, (double)rss_mid / 1024, (double)rss_end / 1024, total);
	stop_server();

	double growth = (double)(rss_end - rss_mid) / 1024;
	double share = median(modes[1].ratio, modes[1].slices);
	double share1 = median(modes[0].ratio, modes[0].slices);
	double rate = median(modes[1].http, modes[1].slices);
	double lib_best = median(modes[1].lib, modes[1].slices);
	double p99 = pct(modes[0].lat, modes[0].n_lat, 0.99);
	printf("load average at the end: %.1f (other work on the machine slows both sides alike)\n",
	       bench_loadavg());
	printf("\nverdicts (issue 4)\n");
	printf("  HTTP costs < 20 %% of the library's rate: %s (arrays: HTTP at %.0f %%; one event "
	       "per request: %.0f %%)\n",
	       share >= GOAL_HTTP_SHARE ? "MET " : "MISS", 100.0 * share, 100.0 * share1);
	printf("  >= %.0f events/s over HTTP:            %s (%.0f; the library itself: %.0f)\n",
	       GOAL_EVENTS_S, rate >= GOAL_EVENTS_S ? "MET " : "MISS", rate, lib_best);
	printf("  p99 acknowledgement < %.0f ms (%u clients, one event each): %s (%.1f ms)\n",
	       GOAL_P99_MS, modes[0].clients, p99 < GOAL_P99_MS ? "MET " : "MISS", p99);
	printf("  memory flat (< %.0f MiB over the second half of the arrays): %s (%+.1f MiB)\n",
	       GOAL_FLAT_MIB, growth < GOAL_FLAT_MIB ? "MET " : "MISS", growth);
	for (int m = 0; m < 2; m++) {
		free(modes[m].lib);
		free(modes[m].lib_same);
		free(modes[m].ratio_same);
		free(modes[m].http);
		free(modes[m].ratio);
		free(modes[m].lat);
	}

	free_pool(&lib);
	free_pool(&http);
	ot_signer_free(k.gov);
	ot_signer_free(k.fwo);
	return 0;
}
