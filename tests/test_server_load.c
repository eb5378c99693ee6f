/*
 * test_server_load.c: the server under concurrency, over real HTTP on
 * 127.0.0.1: clients racing for the same lot (exactly one wins, the others
 * get 409, and a losing array leaves nothing behind), many clients at once
 * (group commit: fewer transactions than events), a full queue (429 with
 * Retry-After), slow and stalled clients (others are served meanwhile; the
 * stalled ones are timed out), and the connection limit.
 */
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>

#include "http_client.h"
#include "ledger_fixture.h"
#include "oretrail/server.h"

static fx f;
static ot_server *srv;
static uint16_t port;

static char *sign_as(const char *signer, json_t *ev)
{
	ot_buf b;
	if (fx_sign_with(&f, ev, signer, fx_key(&f, signer), &b))
		return NULL;
	return (char *)b.data;
}

#define EXTRACT                                                                    \
	"{'type':'extract','id':'%s','site':'mine-a','lot':'%s','material':'ore'," \
	"'mass_g':%d,'assay':{'Nd':4600,'Pr':1350}}"

static char *extract(const char *id, const char *lot, int mass)
{
	return sign_as("fwo", J(EXTRACT, id, lot, mass));
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int start(unsigned threads, unsigned max_conn, unsigned timeout_s, size_t queue,
                 size_t batch)
{
	ot_server_options o;
	memset(&o, 0, sizeof o);
	o.db = f.path;
	o.listen = "127.0.0.1:0";
	o.signer = f.auth;
	o.threads = threads;
	o.max_connections = max_conn;
	o.timeout_s = timeout_s;
	o.queue_events = queue;
	o.batch_events = batch;
	ot_error err;
	if (ot_server_start(&o, &srv, &err)) {
		fprintf(stderr, "ot_server_start: %s\n", err.message);
		return -1;
	}
	port = ot_server_port(srv);
	return 0;
}

static int lot_exists(const char *lot)
{
	char path[256];
	snprintf(path, sizeof path, "/api/lots/%s", lot);
	http_resp r;
	http_get(port, path, &r);
	int st = r.status;
	http_resp_free(&r);
	return st == 200;
}

static json_t *stats(void)
{
	http_resp r;
	http_get(port, "/api/stats", &r);
	json_t *d = r.body ? json_loadb((const char *)r.body, r.body_len, 0, NULL) : NULL;
	http_resp_free(&r);
	return json_object_get(d, "sequencer") ? d : NULL;
}

static void world(void)
{
	CHECK(fx_open(&f, "server-load") == 0);
	CHECK_OK(fx_actor(&f, "fwo", "PK", "['miner','processor','exporter']"));
	CHECK_OK(fx_actor(&f, "ussm", "US", "['importer','processor']"));
	CHECK_OK(fx_site(&f, "mine-a", "mine", "fwo", "PK"));
	CHECK_OK(fx_site(&f, "us-site", "plant", "ussm", "US"));
	ot_ledger_close(f.l);
	f.l = NULL;
}

/* --- racing for one lot --- */

#define RACERS 8
#define ROUNDS 12

typedef struct racer {
	pthread_barrier_t *go;
	char *body;
	int status;
	char code[64];
} racer;

static void *race_one(void *arg)
{
	racer *r = arg;
	int fd = http_connect(port);
	/* Connected and ready; now all at once. */
	pthread_barrier_wait(r->go);
	http_resp resp;
	memset(&resp, 0, sizeof resp);
	if (fd >= 0 && http_send(fd, "POST", "/add", NULL, r->body, strlen(r->body)) == 0 &&
	    http_recv(fd, &resp, 0) == 0) {
		r->status = resp.status;
		json_t *d = json_loadb((const char *)resp.body, resp.body_len, 0, NULL);
		const char *code =
			json_string_value(json_object_get(json_object_get(d, "error"), "code"));
		snprintf(r->code, sizeof r->code, "%s", code ? code : "");
		json_decref(d);
	}
	http_resp_free(&resp);
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* Each round: a fresh lot of 1000 g; RACERS clients each try to use all of
 * it (a transform, or a shipment), in a single envelope or in an array
 * after an extraction of their own. */
static void test_race(void)
{
	for (int round = 0; round < ROUNDS; round++) {
		char id[64], lot[64];
		snprintf(id, sizeof id, "race-ext-%d", round);
		snprintf(lot, sizeof lot, "race-%d", round);
		char *ext = extract(id, lot, 1000);
		http_resp r;
		http_post(port, "/add", ext, strlen(ext), &r);
		CHECK(r.status == 200);
		http_resp_free(&r);
		free(ext);

		int as_array = round % 3 == 2, ship = round % 3 == 1;
		racer rc[RACERS];
		pthread_t th[RACERS];
		pthread_barrier_t go;
		pthread_barrier_init(&go, NULL, RACERS);
		for (int k = 0; k < RACERS; k++) {
			memset(&rc[k], 0, sizeof rc[k]);
			rc[k].go = &go;
			char *use;
			if (ship)
				use = sign_as("fwo",
				              J("{'type':'ship','id':'race-use-%d-%d',"
				                "'consignment':'RC-%d-%d','from':'mine-a',"
				                "'to':'us-site','consignee':'ussm','lots':['%s']}",
				                round, k, round, k, lot));
			else
				use = sign_as("fwo", J("{'type':'transform','id':'race-use-%d-%d','"
				                       "site':'mine-a',"
				                       "'process':'beneficiation','inputs':[{'lot':"
				                       "'%s','mass_g':1000}],"
				                       "'outputs':[{'lot':'race-out-%d-%d','"
				                       "material':'concentrate',"
				                       "'mass_g':500,'assay':{'Nd':4000}}]}",
				                       round, k, lot, round, k));
			if (as_array) {
				char own_id[64], own_lot[64];
				snprintf(own_id, sizeof own_id, "race-own-%d-%d", round, k);
				snprintf(own_lot, sizeof own_lot, "race-own-%d-%d", round, k);
				char *own = extract(own_id, own_lot, 2000);
				size_t n = strlen(own) + strlen(use) + 8;
				rc[k].body = malloc(n);
				snprintf(rc[k].body, n, "[%s,%s]", own, use);
				free(own);
				free(use);
			} else {
				rc[k].body = use;
			}
		}
		for (int k = 0; k < RACERS; k++)
			pthread_create(&th[k], NULL, race_one, &rc[k]);
		int won = 0, lost = 0;
		for (int k = 0; k < RACERS; k++) {
			pthread_join(th[k], NULL);
			if (rc[k].status == 200)
				won++;
			else if (rc[k].status == 409)
				lost++;
			else
				fprintf(stderr, "  racer %d: %d %s\n", k, rc[k].status, rc[k].code);
			if (as_array) {
				char own_lot[64];
				snprintf(own_lot, sizeof own_lot, "race-own-%d-%d", round, k);
				/* All or none: a loser's own extraction is not there. */
				CHECK(lot_exists(own_lot) == (rc[k].status == 200));
			}
			free(rc[k].body);
		}
		pthread_barrier_destroy(&go);
		CHECK(won == 1);
		CHECK(lost == RACERS - 1);
		if (won != 1 || lost != RACERS - 1)
			fprintf(stderr, "  round %d: %d won, %d lost\n", round, won, lost);
	}
}

/* --- many clients at once --- */

#define CLIENTS 16
#define PER_CLIENT 40

typedef struct client {
	int id;
	int ok, bad;
	uint64_t worst_ms;
	int64_t index[PER_CLIENT]; /* each acknowledged event's log index; -1 none */
} client;

/* Whether data[0..len) holds the string s. */
static int holds(const uint8_t *data, size_t len, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(data + i, s, n) == 0)
			return 1;
	return 0;
}

/* The log index an answer of POST /add gives its one entry; -1 none. */
static int64_t acked_index(const http_resp *r)
{
	json_t *d = r->body ? json_loadb((const char *)r->body, r->body_len, 0, NULL) : NULL;
	json_t *e = json_array_get(json_object_get(d, "entries"), 0);
	int64_t at = json_is_integer(json_object_get(e, "index"))
	                     ? (int64_t)json_integer_value(json_object_get(e, "index"))
	                     : -1;
	json_decref(d);
	return at;
}

/* Counts a failed request and says what it was: a status and a body tell
 * a server error from a client-side time-out (rc -1, no status). */
static void client_failed(client *c, const char *what, int i, int rc, const http_resp *r)
{
	c->bad++;
	fprintf(stderr, "  client %d, request %d: %s: rc %d, status %d, %s\n", c->id, i, what, rc,
	        r->status, r->body ? (const char *)r->body : "(no body)");
}

static void *client_main(void *arg)
{
	client *c = arg;
	int fd = http_connect(port);
	for (int i = 0; i < PER_CLIENT; i++) {
		char id[64];
		snprintf(id, sizeof id, "many-%d-%d", c->id, i);
		char *ev = extract(id, id, 1000);
		http_resp r;
		memset(&r, 0, sizeof r);
		uint64_t t0 = now_ms();
		int rc = -1;
		if (fd >= 0)
			rc = http_send(fd, "POST", "/add", NULL, ev, strlen(ev));
		if (!rc)
			rc = http_recv(fd, &r, 0);
		uint64_t dt = now_ms() - t0;
		if (dt > c->worst_ms)
			c->worst_ms = dt;
		c->index[i] = -1;
		if (!rc && r.status == 200) {
			c->ok++;
			c->index[i] = acked_index(&r);
		} else {
			client_failed(c, "POST /add", i, rc, &r);
		}
		if (r.closed || rc) {
			close(fd);
			fd = http_connect(port);
		}
		/* Reads in between: they never wait for the sequencer. */
		if (i % 8 == 0 && fd >= 0) {
			const char *path = i % 16 ? "/checkpoint" : "/tile/0/000.p/1";
			http_resp_free(&r);
			rc = http_send(fd, "GET", path, NULL, NULL, 0);
			if (!rc)
				rc = http_recv(fd, &r, 0);
			if (!rc && r.status == 200)
				c->ok++;
			else
				client_failed(c, path, i, rc, &r);
			if (r.closed || rc) {
				close(fd);
				fd = http_connect(port);
			}
		}
		http_resp_free(&r);
		free(ev);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void test_many_clients(void)
{
	json_t *s0 = stats();
	json_int_t b0 =
		json_integer_value(json_object_get(json_object_get(s0, "sequencer"), "batches"));
	json_int_t e0 =
		json_integer_value(json_object_get(json_object_get(s0, "sequencer"), "events"));
	json_decref(s0);
	client c[CLIENTS];
	pthread_t th[CLIENTS];
	for (int k = 0; k < CLIENTS; k++) {
		memset(&c[k], 0, sizeof c[k]);
		c[k].id = k;
		pthread_create(&th[k], NULL, client_main, &c[k]);
	}
	int bad = 0;
	uint64_t worst = 0;
	for (int k = 0; k < CLIENTS; k++) {
		pthread_join(th[k], NULL);
		bad += c[k].bad;
		if (c[k].worst_ms > worst)
			worst = c[k].worst_ms;
	}
	CHECK(bad == 0);
	json_t *s1 = stats();
	json_int_t b1 =
		json_integer_value(json_object_get(json_object_get(s1, "sequencer"), "batches"));
	json_int_t e1 =
		json_integer_value(json_object_get(json_object_get(s1, "sequencer"), "events"));
	json_int_t maxb =
		json_integer_value(json_object_get(json_object_get(s1, "sequencer"), "max_batch"));
	json_decref(s1);
	CHECK(e1 - e0 == CLIENTS * PER_CLIENT);
	/* Group commit: concurrent submissions shared transactions. */
	CHECK(b1 - b0 < e1 - e0);
	CHECK(maxb > 1);
	/* Every acknowledged event is in the log at the index it was given,
	 * and each client's events are there in the order it sent them. */
	ot_ledger *l = NULL;
	CHECK_OK(ot_ledger_open(f.path, NULL, OT_LEDGER_READONLY, &l, NULL));
	int misplaced = 0, disordered = 0;
	for (int k = 0; l && k < CLIENTS; k++)
		for (int i = 0; i < PER_CLIENT; i++) {
			char id[64];
			snprintf(id, sizeof id, "\"many-%d-%d\"", k, i);
			uint8_t *data = NULL;
			size_t len = 0;
			if (c[k].index[i] < 0 ||
			    ot_log_entry(ot_ledger_log(l), (uint64_t)c[k].index[i], &data, &len,
			                 NULL) != OT_OK ||
			    !holds(data, len, id))
				misplaced++;
			free(data);
			if (i > 0 && c[k].index[i] <= c[k].index[i - 1])
				disordered++;
		}
	ot_ledger_close(l);
	CHECK(misplaced == 0);
	CHECK(disordered == 0);
	printf("many clients: %d events in %lld transactions (largest %lld), slowest answer %llu "
	       "ms\n",
	       CLIENTS * PER_CLIENT, (long long)(b1 - b0), (long long)maxb,
	       (unsigned long long)worst);
}

/* --- a full queue: 429 --- */

#define FLOODERS 12

typedef struct flooder {
	int id;
	int ok, busy, other;
	int retry_after;
	char *bodies[6];
	int status[6];
} flooder;

static void *flood_main(void *arg)
{
	flooder *fl = arg;
	for (int i = 0; i < 6; i++) {
		http_resp r;
		if (http_post(port, "/add", fl->bodies[i], strlen(fl->bodies[i]), &r) == 0) {
			fl->status[i] = r.status;
			if (r.status == 200)
				fl->ok++;
			else if (r.status == 429) {
				char v[32];
				fl->busy++;
				fl->retry_after |=
					http_header(&r, "Retry-After", v, sizeof v) != NULL;
			} else
				fl->other++;
		} else {
			fl->other++;
		}
		http_resp_free(&r);
	}
	return NULL;
}

/* One burst of FLOODERS clients, each posting 6 arrays of 40 events. */
static void flood(int round, int *ok, int *busy, int *other, int *retry)
{
	flooder fl[FLOODERS];
	pthread_t th[FLOODERS];
	for (int k = 0; k < FLOODERS; k++) {
		memset(&fl[k], 0, sizeof fl[k]);
		for (int i = 0; i < 6; i++) {
			ot_buf b;
			ot_buf_init(&b, 0);
			ot_buf_addc(&b, '[');
			for (int e = 0; e < 40; e++) {
				char id[64];
				snprintf(id, sizeof id, "flood-%d-%d-%d-%d", round, k, i, e);
				char *ev = extract(id, id, 1000);
				if (e)
					ot_buf_addc(&b, ',');
				ot_buf_adds(&b, ev);
				free(ev);
			}
			ot_buf_addc(&b, ']');
			fl[k].bodies[i] = (char *)b.data;
		}
	}
	for (int k = 0; k < FLOODERS; k++)
		pthread_create(&th[k], NULL, flood_main, &fl[k]);
	for (int k = 0; k < FLOODERS; k++) {
		pthread_join(th[k], NULL);
		*ok += fl[k].ok;
		*busy += fl[k].busy;
		*other += fl[k].other;
		if (fl[k].busy)
			*retry &= fl[k].retry_after;
	}
	/* What was accepted is there; what was refused is not. */
	for (int k = 0; k < FLOODERS; k++)
		for (int i = 0; i < 6; i++) {
			char lot[64];
			snprintf(lot, sizeof lot, "flood-%d-%d-%d-39", round, k, i);
			CHECK(lot_exists(lot) == (fl[k].status[i] == 200));
			free(fl[k].bodies[i]);
		}
}

static void test_queue_full(void)
{
	ot_server_stop(srv);
	/* Room for one waiting request of 40 events. */
	CHECK(start(4, 256, 10, 64, 64) == 0);
	int ok = 0, busy = 0, other = 0, retry = 1;
	/* Whether the queue fills depends on timing: burst until it does. */
	for (int round = 0; round < 6 && busy == 0; round++)
		flood(round, &ok, &busy, &other, &retry);
	printf("queue full: %d accepted, %d refused with 429\n", ok, busy);
	CHECK(busy > 0);
	CHECK(ok > 0);
	CHECK(other == 0);
	CHECK(retry);
}

/* --- slow and stalled clients --- */

static int closed_by_server(int fd, int wait_ms)
{
	struct pollfd p = {fd, POLLIN, 0};
	if (poll(&p, 1, wait_ms) <= 0)
		return 0;
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static void *trickle_main(void *arg)
{
	int *status = arg;
	const char *req = "GET /checkpoint HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: yes\r\n\r\n";
	int fd = http_connect(port);
	for (const char *p = req; fd >= 0 && *p; p++) {
		if (http_write_all(fd, p, 1))
			break;
		struct timespec ts = {0, 25000000};
		nanosleep(&ts, NULL);
	}
	http_resp r;
	if (fd >= 0 && http_recv(fd, &r, 0) == 0)
		*status = r.status;
	http_resp_free(&r);
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void test_slow_clients(void)
{
	ot_server_stop(srv);
	CHECK(start(4, 256, 2, 0, 0) == 0);
	/* A stalled request line, a stalled body, and a client that sends one
	 * byte every 25 ms. */
	int stalled_head = http_connect(port);
	CHECK(http_write_all(stalled_head, "GET /checkp", 11) == 0);
	int stalled_body = http_connect(port);
	const char *head =
		"POST /add HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"event\":";
	CHECK(http_write_all(stalled_body, head, strlen(head)) == 0);
	int trickle_status = 0;
	pthread_t trickler;
	pthread_create(&trickler, NULL, trickle_main, &trickle_status);

	/* Everyone else is served, promptly. */
	uint64_t worst = 0;
	int ok = 0;
	for (int i = 0; i < 60; i++) {
		http_resp r;
		uint64_t t0 = now_ms();
		if (i % 6 == 0) {
			char id[64];
			snprintf(id, sizeof id, "slow-ok-%d", i);
			char *ev = extract(id, id, 1000);
			http_post(port, "/add", ev, strlen(ev), &r);
			free(ev);
		} else {
			http_get(port, i % 2 ? "/checkpoint" : "/api/stats", &r);
		}
		uint64_t dt = now_ms() - t0;
		if (dt > worst)
			worst = dt;
		ok += r.status == 200;
		http_resp_free(&r);
	}
	CHECK(ok == 60);
	CHECK(worst < 1500); /* well under the 2 s the stalled ones hold on */
	printf("slow clients: 60 requests served meanwhile, slowest %llu ms\n",
	       (unsigned long long)worst);

	/* The stalled ones are timed out (2 s idle); the trickler got through. */
	CHECK(closed_by_server(stalled_head, 5000));
	CHECK(closed_by_server(stalled_body, 5000));
	pthread_join(trickler, NULL);
	CHECK(trickle_status == 200);
	close(stalled_head);
	close(stalled_body);
}

/* --- the connection limit --- */

static void test_connection_limit(void)
{
	ot_server_stop(srv);
	/* 2 threads with 2 connections each; idle ones are dropped after 2 s. */
	CHECK(start(2, 4, 2, 0, 0) == 0);
	int idle[4];
	for (int i = 0; i < 4; i++) {
		idle[i] = http_connect(port);
		CHECK(idle[i] >= 0);
	}
	/* Make sure each is accepted: a request answered on each. */
	for (int i = 0; i < 4; i++) {
		http_resp r;
		CHECK(http_send(idle[i], "GET", "/checkpoint", NULL, NULL, 0) == 0);
		CHECK(http_recv(idle[i], &r, 0) == 0 && r.status == 200);
		http_resp_free(&r);
	}
	/* A fifth waits for a free slot: not served while the four are held. */
	int fifth = http_connect_timeout(port, 15000);
	CHECK(fifth >= 0);
	uint64_t t0 = now_ms();
	CHECK(http_send(fifth, "GET", "/checkpoint", NULL, NULL, 0) == 0);
	struct pollfd p = {fifth, POLLIN, 0};
	CHECK(poll(&p, 1, 700) == 0);
	/* Once the idle ones time out, it is served. */
	http_resp r;
	CHECK(http_recv(fifth, &r, 0) == 0 && r.status == 200);
	uint64_t waited = now_ms() - t0;
	CHECK(waited >= 700 && waited < 10000);
	printf("connection limit: the fifth connection waited %llu ms for a slot\n",
	       (unsigned long long)waited);
	http_resp_free(&r);
	close(fifth);
	for (int i = 0; i < 4; i++)
		close(idle[i]);
}

int main(void)
{
	world();
	if (start(4, 0, 0, 0, 0) != 0) {
		fx_close(&f);
		return 1;
	}
	test_race();
	test_many_clients();
	test_queue_full();
	test_slow_clients();
	test_connection_limit();
	ot_server_stop(srv);

	ot_ledger *l = NULL;
	CHECK_OK(ot_ledger_open(f.path, NULL, OT_LEDGER_READONLY, &l, NULL));
	char *json = NULL;
	CHECK(l && ot_ledger_audit(l, NULL, 0, &json, NULL) == OT_OK);
	free(json);
	ot_ledger_close(l);
	fx_close(&f);
	return test_done("test_server_load");
}
