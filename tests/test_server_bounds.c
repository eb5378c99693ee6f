/*
 * test_server_bounds.c: `oretrail serve` under the two attacks of issue 16,
 * over real sockets on 127.0.0.x: 1,100 slowloris connections (a partial
 * request head, one more byte a second, so libmicrohttpd's idle time-out
 * never fires) and 1,024 connections that each declare a 16 MiB body and
 * send it partly. Meanwhile a well-behaved client on 127.0.0.1 asks for
 * /checkpoint GOOD_REQUESTS times: it must get every answer, each 200.
 *
 * What must hold: every slow connection is cut by the server, never before
 * --header-timeout; one client address holds at most --max-per-address
 * connections (a greedy address opens more first); of the bodies at most
 * --max-body-memory / 16 MiB are taken, the others get 503 with
 * Retry-After; the bodies held never pass the budget, and the server's
 * peak RSS (VmHWM) stays under RSS_CAP_MIB. The server is a child process
 * so that its memory is its own. The attackers come from several source
 * addresses so that the per-address limit lets them in and the deadlines
 * and the budget are what stop them; --max-connections is raised above the
 * attack for the same reason.
 *
 * Before them, on a server of its own with a 1 s --header-timeout (so its
 * deadline thread looks every 100 ms), KEEPALIVE_CONNS busy keep-alive
 * connections ask KEEPALIVE_REQUESTS times each: none may be cut. The
 * deadline thread once computed a negative age as a huge one when a
 * request ended after it had read the clock, and cut busy connections at
 * random (bench_server's tile GETs saw "the server closed the connection").
 *
 * Assertions are counts; the only times asserted are "not cut before the
 * deadline" (the server cannot be early) and a hang guard. The numbers for
 * the note (cut times, the good client's latencies, peak RSS) are
 * printed. Needs OT_CLI; skipped (77) when the descriptor limit is too low.
 */
#include <inttypes.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/resource.h>

#include "http_client.h"
#include "server/bounds.h"
#include "server_child.h"
#include "test.h"

#define SLOW_CONNS 1100
#define BODY_CONNS 1024
#define GREEDY_CONNS 200
#define ATTACK_ADDRESSES 9       /* 127.0.0.2-10 slow, 127.0.0.11-19 bodies */
#define GREEDY_ADDRESS 20        /* 127.0.0.20 */
#define PER_ADDRESS 128          /* the default --max-per-address */
#define HEADER_TIMEOUT_S 3       /* --header-timeout (default 10: shorter test) */
#define BODY_TIMEOUT_S 5         /* --body-timeout (default 60) */
#define BODY_MEMORY (128u << 20) /* the default --max-body-memory */
#define DECLARED (16u << 20)     /* each body's Content-Length */
#define MAX_CONNECTIONS "4096"   /* above the attack: see above */
#define GOOD_REQUESTS                                        \
	200 /* the well-behaved client's requests, at least; \
	       it goes on until the attack is over */
#define GOOD_MAX 4096
#define GOOD_GAP_MS 10             /* between them */
#define TRICKLE_MS 1000            /* a slow client's byte interval */
#define GUARD_MS 90000             /* hang guard for a phase */
#define GOOD_RECV_TIMEOUT_MS 10000 /* hang guard for one good request */
#define KEEPALIVE_CONNS 8
#define KEEPALIVE_REQUESTS 1500
#define NEED_FDS (SLOW_CONNS + BODY_CONNS + GREEDY_CONNS + 256)

/* The cap on the server's peak RSS: the body budget, the connections'
 * buffers (2,300 at up to 32 KiB of libmicrohttpd pool each, 72 MiB) and
 * the rest of the process. Sanitizer builds keep freed memory in
 * quarantine and shadow it, hence more. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_CAP_MIB 1024
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RSS_CAP_MIB 1024
#endif
#endif
#ifndef RSS_CAP_MIB
#define RSS_CAP_MIB 320
#endif

enum kind {
	SLOW,
	BODY_EXPECT,
	BODY_BLAST,
	GREEDY
};

typedef struct conn {
	int fd; /* -1 once ended */
	enum kind kind;
	int ended, reset, got_100, body_go;
	unsigned status;
	uint64_t t_open, t_end, t_sent;
	uint64_t body_sent;
	char resp[1024];
	size_t resp_len;
} conn;

static uint16_t port;
static conn *conns;
static size_t n_conns;
static char zeros[65536];

/* --- attackers --- */

/* A connection from 127.0.0.<octet>, non-blocking once connected. */
static int open_from(unsigned octet)
{
	int fd = http_connect_from(port, octet, GOOD_RECV_TIMEOUT_MS);
	int flags = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
	if (flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

static void end(conn *c, int reset)
{
	if (c->ended)
		return;
	c->ended = 1;
	c->reset = reset;
	c->t_end = sc_now_ms();
	close(c->fd);
	c->fd = -1;
}

static void send_some(conn *c, const void *data, size_t len)
{
	ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		end(c, 1);
	else if (n > 0 && c->body_go)
		c->body_sent += (uint64_t)n;
}

/* Opens one attacker from 127.0.0.<octet> and sends its request head. */
static int attack(conn *c, enum kind kind, unsigned octet)
{
	static const char slow[] = "GET /checkpoint HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
	char head[256];
	memset(c, 0, sizeof *c);
	c->kind = kind;
	c->t_open = c->t_sent = sc_now_ms();
	c->fd = open_from(octet);
	if (c->fd < 0)
		return -1;
	if (kind == SLOW || kind == GREEDY) {
		send_some(c, slow, sizeof slow - 1);
		return 0;
	}
	int n = snprintf(head, sizeof head,
	                 "POST /add HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
	                 "application/json\r\nContent-Length: %u\r\n%s\r\n",
	                 DECLARED, kind == BODY_EXPECT ? "Expect: 100-continue\r\n" : "");
	c->body_go = kind == BODY_BLAST;
	send_some(c, head, (size_t)n);
	return 0;
}

/* Reads what the server sent: a 100 Continue lets an Expect client go on,
 * a final status is noted, the end of the connection ends it. */
static void take(conn *c)
{
	char scratch[4096];
	char *into = c->resp_len < sizeof c->resp - 1 ? c->resp + c->resp_len : scratch;
	size_t room = into == scratch ? sizeof scratch : sizeof c->resp - 1 - c->resp_len;
	ssize_t n = recv(c->fd, into, room, 0);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		end(c, n < 0);
		return;
	}
	if (n < 0 || into == scratch)
		return;
	c->resp_len += (size_t)n;
	c->resp[c->resp_len] = 0;
	char *blank = strstr(c->resp, "\r\n\r\n");
	if (!c->got_100 && blank && strncmp(c->resp, "HTTP/1.1 100", 12) == 0) {
		c->got_100 = 1;
		c->body_go = 1;
		blank += 4;
		c->resp_len -= (size_t)(blank - c->resp);
		memmove(c->resp, blank, c->resp_len + 1);
	}
	unsigned st = 0;
	if (!c->status && sscanf(c->resp, "HTTP/1.1 %u", &st) == 1 && st != 100)
		c->status = st;
}

/* Drives conns[from..to) until each has ended or the guard passes. */
static void run(size_t from, size_t to)
{
	struct pollfd *p = calloc(to - from, sizeof *p);
	size_t *idx = calloc(to - from, sizeof *idx);
	uint64_t guard = sc_now_ms() + GUARD_MS;
	for (;;) {
		size_t live = 0;
		uint64_t now = sc_now_ms();
		for (size_t i = from; i < to; i++) {
			conn *c = &conns[i];
			if (c->ended)
				continue;
			int trickles = c->kind == SLOW || c->kind == GREEDY;
			if (trickles && now - c->t_sent >= TRICKLE_MS) {
				c->t_sent = now;
				send_some(c, "x", 1);
				if (c->ended)
					continue;
			}
			/* A body is sent but for its last byte: never complete. */
			int wants_out = c->body_go && c->body_sent < DECLARED - 1;
			p[live].fd = c->fd;
			p[live].events = (short)(POLLIN | (wants_out ? POLLOUT : 0));
			p[live].revents = 0;
			idx[live++] = i;
		}
		if (!live || now > guard)
			break;
		if (poll(p, live, 100) <= 0)
			continue;
		for (size_t k = 0; k < live; k++) {
			conn *c = &conns[idx[k]];
			short ev = p[k].revents;
			if (ev & (POLLIN | POLLHUP | POLLERR))
				take(c);
			if (!c->ended && (ev & POLLOUT)) {
				uint64_t left = DECLARED - 1 - c->body_sent;
				send_some(c, zeros,
				          left < sizeof zeros ? (size_t)left : sizeof zeros);
			}
		}
	}
	free(idx);
	free(p);
}

/* --- the well-behaved client --- */

typedef struct good {
	atomic_int attack_over;
	unsigned sent, ok, answered;
	uint64_t ms[GOOD_MAX];
} good;

static void *good_client(void *arg)
{
	good *g = arg;
	while (g->sent < GOOD_MAX && (g->sent < GOOD_REQUESTS || !atomic_load(&g->attack_over))) {
		g->sent++;
		uint64_t t0 = sc_now_ms();
		int fd = http_connect_timeout(port, GOOD_RECV_TIMEOUT_MS);
		http_resp r;
		memset(&r, 0, sizeof r);
		if (fd >= 0 &&
		    http_send(fd, "GET", "/checkpoint", "Connection: close\r\n", NULL, 0) == 0)
			http_recv(fd, &r, 0);
		if (fd >= 0)
			close(fd);
		g->ms[g->answered] = sc_now_ms() - t0;
		if (r.status)
			g->answered++;
		if (r.status == 200)
			g->ok++;
		http_resp_free(&r);
		struct timespec ts = {0, GOOD_GAP_MS * 1000000L};
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* --- the server's side --- */

static long vm_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	long kib = -1;
	size_t flen = strlen(field);
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, field, flen) == 0 && line[flen] == ':')
			kib = strtol(line + flen + 1, NULL, 10);
	if (f)
		fclose(f);
	return kib;
}

static json_int_t bound_stat(json_t *stats, const char *name)
{
	return json_integer_value(json_object_get(json_object_get(stats, "bounds"), name));
}

static json_t *get_stats(void)
{
	int fd = http_connect_timeout(port, GOOD_RECV_TIMEOUT_MS);
	http_resp r;
	memset(&r, 0, sizeof r);
	if (fd >= 0 && http_send(fd, "GET", "/api/stats", "Connection: close\r\n", NULL, 0) == 0)
		http_recv(fd, &r, 0);
	if (fd >= 0)
		close(fd);
	json_t *d = r.body ? json_loadb((const char *)r.body, r.body_len, 0, NULL) : NULL;
	http_resp_free(&r);
	return d;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* --- the phases --- */

/* One address opens more than its share: the excess is refused at once,
 * the rest held until the header deadline. */
static void greedy(void)
{
	size_t from = n_conns;
	for (size_t i = 0; i < GREEDY_CONNS; i++)
		CHECK(attack(&conns[n_conns++], GREEDY, GREEDY_ADDRESS) == 0);
	run(from, n_conns);
	unsigned early = 0, held = 0, unended = 0;
	for (size_t i = from; i < n_conns; i++) {
		conn *c = &conns[i];
		if (!c->ended)
			unended++;
		/* Before the deadline only a refusal can end it. */
		else if (c->t_end - c->t_open < HEADER_TIMEOUT_S * 1000u)
			early++;
		else
			held++;
	}
	printf("greedy address: %u connections, %u refused at once, %u held until the header "
	       "deadline\n",
	       GREEDY_CONNS, early, held);
	CHECK(unended == 0);
	CHECK(held <= PER_ADDRESS);
	CHECK(early >= GREEDY_CONNS - PER_ADDRESS);
}

static void main_attack(pid_t pid)
{
	size_t from = n_conns;
	for (size_t i = 0; i < SLOW_CONNS; i++)
		CHECK(attack(&conns[n_conns++], SLOW, 2 + (unsigned)(i % ATTACK_ADDRESSES)) == 0);
	for (size_t i = 0; i < BODY_CONNS; i++)
		CHECK(attack(&conns[n_conns++], i % 2 ? BODY_BLAST : BODY_EXPECT,
		             2 + ATTACK_ADDRESSES + (unsigned)(i % ATTACK_ADDRESSES)) == 0);
	uint64_t t0 = sc_now_ms();
	good *g = calloc(1, sizeof *g);
	pthread_t th;
	CHECK(pthread_create(&th, NULL, good_client, g) == 0);
	run(from, n_conns);
	atomic_store(&g->attack_over, 1);
	pthread_join(th, NULL);
	uint64_t took = sc_now_ms() - t0;

	/* The slow ones: each cut, none early, none answered. */
	uint64_t *cut = calloc(SLOW_CONNS, sizeof *cut);
	unsigned slow_cut = 0, slow_early = 0, slow_answered = 0;
	for (size_t i = from; i < from + SLOW_CONNS; i++) {
		conn *c = &conns[i];
		if (!c->ended)
			continue;
		cut[slow_cut++] = c->t_end - c->t_open;
		slow_early += (unsigned)(c->t_end - c->t_open < HEADER_TIMEOUT_S * 1000u);
		slow_answered += (unsigned)(c->status != 0);
	}
	qsort(cut, slow_cut, sizeof *cut, cmp_u64);
	printf("slowloris: %u of %u cut by the server (--header-timeout %d s), after "
	       "min %" PRIu64 " / median %" PRIu64 " / max %" PRIu64 " ms\n",
	       slow_cut, SLOW_CONNS, HEADER_TIMEOUT_S, slow_cut ? cut[0] : 0,
	       slow_cut ? cut[slow_cut / 2] : 0, slow_cut ? cut[slow_cut - 1] : 0);
	CHECK(slow_cut == SLOW_CONNS);
	CHECK(slow_early == 0);
	CHECK(slow_answered == 0);
	free(cut);

	/* The bodies: at most the budget's worth taken, the rest 503. */
	unsigned taken = 0, refused = 0, expect_other = 0, blast_other = 0, unended = 0;
	unsigned retry_after = 0;
	for (size_t i = from + SLOW_CONNS; i < n_conns; i++) {
		conn *c = &conns[i];
		unended += (unsigned)(!c->ended);
		if (c->status == 503) {
			refused++;
			retry_after += (unsigned)(strstr(c->resp, "Retry-After: 1\r\n") != NULL);
		}
		if (c->kind == BODY_EXPECT) {
			taken += (unsigned)(c->got_100);
			expect_other += (unsigned)(!c->got_100 && c->status != 503);
		} else {
			blast_other += (unsigned)(c->status != 0 && c->status != 503);
		}
	}
	printf("bodies: %u connections declaring %u bytes: %u taken after 100 Continue, %u "
	       "answered 503 (with Retry-After: %u)\n",
	       BODY_CONNS, DECLARED, taken, refused, retry_after);
	CHECK(unended == 0);
	CHECK(taken <= BODY_MEMORY / DECLARED);
	CHECK(expect_other == 0); /* each Expect client: 100 Continue or 503 */
	CHECK(blast_other == 0);  /* the others: 503 or cut, never another answer */
	CHECK(retry_after == refused);
	CHECK(refused >= BODY_CONNS / 2 - BODY_MEMORY / DECLARED);

	/* The well-behaved client: every answer, each 200. */
	qsort(g->ms, g->answered, sizeof g->ms[0], cmp_u64);
	printf("well-behaved client: %u of %u answered, %u with 200; latency min %" PRIu64
	       " / median %" PRIu64 " / max %" PRIu64 " ms (attack phase %" PRIu64 " ms)\n",
	       g->answered, g->sent, g->ok, g->answered ? g->ms[0] : 0,
	       g->answered ? g->ms[g->answered / 2] : 0, g->answered ? g->ms[g->answered - 1] : 0,
	       took);
	CHECK(g->sent >= GOOD_REQUESTS);
	CHECK(g->answered == g->sent);
	CHECK(g->ok == g->sent);
	free(g);

	/* A cut connection's body is given back when libmicrohttpd has closed
	 * it, which may be just after the client saw the end. */
	json_t *st = get_stats();
	for (uint64_t guard = sc_now_ms() + 10000;
	     st && bound_stat(st, "body_bytes") != 0 && sc_now_ms() < guard;) {
		json_decref(st);
		struct timespec ts = {0, 50000000L};
		nanosleep(&ts, NULL);
		st = get_stats();
	}
	CHECK(st != NULL);
	json_int_t held_max = bound_stat(st, "body_bytes_max");
	printf("server: cut_header %lld, cut_body %lld (ages %lld-%lld ms), body_refused %lld, "
	       "body_bytes_max %lld of %u\n",
	       (long long)bound_stat(st, "cut_header"), (long long)bound_stat(st, "cut_body"),
	       (long long)bound_stat(st, "cut_min_ms"), (long long)bound_stat(st, "cut_max_ms"),
	       (long long)bound_stat(st, "body_refused"), (long long)held_max, BODY_MEMORY);
	CHECK(bound_stat(st, "cut_header") >= SLOW_CONNS);
	CHECK(bound_stat(st, "body_refused") >= refused);
	CHECK(held_max > 0 && held_max <= (json_int_t)BODY_MEMORY);
	CHECK(bound_stat(st, "body_bytes") == 0);
	json_decref(st);

	long hwm = vm_kib(pid, "VmHWM");
	printf("server RSS: peak (VmHWM) %ld MiB, cap %d MiB\n", hwm / 1024, RSS_CAP_MIB);
	CHECK(hwm > 0 && hwm / 1024 < RSS_CAP_MIB);
}

/* --- busy keep-alive connections, never cut --- */

typedef struct keeper {
	unsigned ok;     /* answers with 200 on the one connection */
	unsigned status; /* the first other status, or 0 */
	int lost;        /* the connection ended before all answers */
} keeper;

static void *keep_alive_client(void *arg)
{
	keeper *k = arg;
	int fd = http_connect_timeout(port, GOOD_RECV_TIMEOUT_MS);
	k->lost = fd < 0;
	for (unsigned i = 0; fd >= 0 && i < KEEPALIVE_REQUESTS; i++) {
		http_resp r;
		memset(&r, 0, sizeof r);
		if (http_send(fd, "GET", "/checkpoint", NULL, NULL, 0) != 0 ||
		    http_recv(fd, &r, 0) != 0 || r.closed) {
			http_resp_free(&r);
			k->lost = 1;
			break;
		}
		if (r.status == 200)
			k->ok++;
		else if (!k->status)
			k->status = (unsigned)r.status;
		http_resp_free(&r);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void keep_alive_phase(const char *cli, const char *db)
{
	const char *argv[] = {cli,        "serve",       "--db",    db,
	                      "--listen", "127.0.0.1:0", "--quiet", "--header-timeout",
	                      "1",        NULL};
	pid_t pid = sc_spawn(argv, &port);
	CHECK(pid > 0);
	if (pid <= 0)
		return;
	keeper k[KEEPALIVE_CONNS];
	pthread_t th[KEEPALIVE_CONNS];
	memset(k, 0, sizeof k);
	for (int i = 0; i < KEEPALIVE_CONNS; i++)
		CHECK(pthread_create(&th[i], NULL, keep_alive_client, &k[i]) == 0);
	unsigned ok = 0, lost = 0;
	for (int i = 0; i < KEEPALIVE_CONNS; i++) {
		pthread_join(th[i], NULL);
		ok += k[i].ok;
		lost += (unsigned)k[i].lost;
		CHECK(k[i].status == 0);
	}
	json_t *st = get_stats();
	json_int_t cut = st ? bound_stat(st, "cut_header") : -1;
	printf("keep-alive: %u of %u answered 200 on %d connections, %u connections lost, "
	       "cut_header %lld\n",
	       ok, KEEPALIVE_CONNS * KEEPALIVE_REQUESTS, KEEPALIVE_CONNS, lost, (long long)cut);
	CHECK(ok == KEEPALIVE_CONNS * KEEPALIVE_REQUESTS);
	CHECK(lost == 0);
	CHECK(cut == 0);
	json_decref(st);
	int status = 0;
	kill(pid, SIGTERM);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	/* The age the deadline thread judges by, when a phase began before,
	 * at or after the clock it read (the last is a request that ended
	 * while it looked). */
	CHECK(otx_phase_age_ns(5000000000u, 2000000000u) == 3000000000u);
	CHECK(otx_phase_age_ns(5000000000u, 5000000000u) == 0);
	CHECK(otx_phase_age_ns(5000000000u, 5000000001u) == 0);
	CHECK(otx_phase_age_ns(1, UINT64_MAX) == 0);

	const char *cli = getenv("OT_CLI");
	if (!cli) {
		fprintf(stderr, "test_server_bounds: skipped: OT_CLI (the oretrail command) is not "
		                "set\n");
		return TEST_SKIP;
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < NEED_FDS) {
		fprintf(stderr,
		        "test_server_bounds: skipped: %d open files needed (client and server "
		        "each), the hard limit is %llu\n",
		        NEED_FDS, (unsigned long long)rl.rlim_max);
		return TEST_SKIP;
	}
	const char *dir = test_tmpdir("server-bounds");
	CHECK(dir != NULL);
	if (!dir)
		return test_done("test_server_bounds");
	char db[4200], cmd[8600];
	snprintf(db, sizeof db, "%s/bounds.db", dir);
	snprintf(cmd, sizeof cmd,
	         "'%s' init --db '%s' --origin test.example/bounds >/dev/null 2>&1", cli, db);
	CHECK(system(cmd) == 0);

	keep_alive_phase(cli, db);

	char timeout_h[16], timeout_b[16];
	snprintf(timeout_h, sizeof timeout_h, "%d", HEADER_TIMEOUT_S);
	snprintf(timeout_b, sizeof timeout_b, "%d", BODY_TIMEOUT_S);
	const char *argv[] = {cli,
	                      "serve",
	                      "--db",
	                      db,
	                      "--listen",
	                      "127.0.0.1:0",
	                      "--quiet",
	                      "--max-connections",
	                      MAX_CONNECTIONS,
	                      "--header-timeout",
	                      timeout_h,
	                      "--body-timeout",
	                      timeout_b,
	                      NULL};
	pid_t pid = sc_spawn(argv, &port);
	CHECK(pid > 0);
	if (pid <= 0)
		return test_done("test_server_bounds");

	conns = calloc(SLOW_CONNS + BODY_CONNS + GREEDY_CONNS, sizeof *conns);
	greedy();
	main_attack(pid);
	free(conns);

	int status = 0;
	kill(pid, SIGTERM);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return test_done("test_server_bounds");
}
