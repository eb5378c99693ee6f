/*
 * test_server_crash.c: kill -9 while submitting. `oretrail serve` runs as a
 * child process; submitters post events (single ones and arrays) as fast as
 * they can and a reader keeps fetching /checkpoint, while the test kills the
 * server with SIGKILL at a random moment and starts it again, many times
 * (bounded in rounds and in time). Then, on the ledger left behind:
 *
 *   - every acknowledged entry is there, at its index, with its leaf hash;
 *   - every checkpoint ever served (in answers and at /checkpoint) verifies,
 *     and each is consistent with every later one: consecutive sizes are
 *     linked by consistency proofs checked against the served roots;
 *   - the whole ledger passes the audit (tiles, checkpoint, replay).
 *
 * Needs the oretrail command (OT_CLI, set by CTest); skipped (77) without it.
 * The seed is printed; OT_CRASH_SEED repeats a run.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "http_client.h"
#include "ledger_fixture.h"
#include "oretrail/encoding.h"
#include "server_child.h"

#define MAX_ROUNDS 14
#define TIME_BUDGET_MS 35000
#define SUBMITTERS 4

static fx f;
static const char *cli;
static char key_path[4300];
static ot_verifier *log_vkey;

typedef struct ack {
	uint64_t index;
	uint8_t leaf[OT_HASH_SIZE];
} ack;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static ack *acks;
static size_t n_acks, cap_acks;
static char **served; /* every checkpoint served */
static size_t n_served, cap_served;
static uint64_t posted_events;

static volatile int stop;
static uint16_t port;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void keep_checkpoint(const char *note, size_t len)
{
	char *copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, note, len);
	copy[len] = 0;
	pthread_mutex_lock(&mu);
	if (n_served == cap_served) {
		cap_served = cap_served ? cap_served * 2 : 256;
		served = realloc(served, cap_served * sizeof *served);
	}
	served[n_served++] = copy;
	pthread_mutex_unlock(&mu);
}

static void keep_ack(uint64_t index, const uint8_t leaf[OT_HASH_SIZE])
{
	pthread_mutex_lock(&mu);
	if (n_acks == cap_acks) {
		cap_acks = cap_acks ? cap_acks * 2 : 1024;
		acks = realloc(acks, cap_acks * sizeof *acks);
	}
	acks[n_acks].index = index;
	memcpy(acks[n_acks].leaf, leaf, OT_HASH_SIZE);
	n_acks++;
	pthread_mutex_unlock(&mu);
}

/* --- the server as a child process --- */

static pid_t spawn_server(const char *db, uint16_t *port_out)
{
	const char *argv[] = {cli,      "serve",    "--db",        db,        "--key",
	                      key_path, "--listen", "127.0.0.1:0", "--quiet", NULL};
	return sc_spawn(argv, port_out);
}

/* --- clients --- */

typedef struct submitter {
	int id;
	int round;
	uint64_t seq;
	const ot_signer *key;
	uint64_t rng;
} submitter;

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

/* Handles one 200 answer: its entries (matched with what was sent) and its
 * checkpoint. */
static void take_answer(const http_resp *r, ot_buf *sent, size_t n)
{
	json_t *doc = json_loadb((const char *)r->body, r->body_len, 0, NULL);
	json_t *list = json_object_get(doc, "entries");
	CHECK(json_array_size(list) == n);
	for (size_t i = 0; i < n && i < json_array_size(list); i++) {
		json_t *e = json_array_get(list, i);
		uint8_t leaf[OT_HASH_SIZE], want[OT_HASH_SIZE];
		size_t len = 0;
		const char *h = json_string_value(json_object_get(e, "leaf_hash"));
		CHECK(h && ot_b64_decode(h, strlen(h), leaf, sizeof leaf, &len) == OT_OK &&
		      len == OT_HASH_SIZE);
		ot_leaf_hash(sent[i].data, sent[i].len, want);
		CHECK(memcmp(leaf, want, OT_HASH_SIZE) == 0);
		keep_ack((uint64_t)json_integer_value(json_object_get(e, "index")), want);
	}
	const char *cp = json_string_value(json_object_get(doc, "checkpoint"));
	CHECK(cp != NULL);
	if (cp)
		keep_checkpoint(cp, strlen(cp));
	json_decref(doc);
}

static void *submit_main(void *arg)
{
	submitter *s = arg;
	int fd = -1;
	ot_buf sent[8];
	for (int i = 0; i < 8; i++)
		ot_buf_init(&sent[i], 0);
	while (!stop) {
		if (fd < 0 && (fd = http_connect_timeout(port, 5000)) < 0)
			break; /* the server is gone */
		size_t n = 1 + (size_t)(next_rand(&s->rng) % 8);
		if (next_rand(&s->rng) % 2)
			n = 1;
		ot_buf body;
		ot_buf_init(&body, 0);
		if (n > 1)
			ot_buf_addc(&body, '[');
		for (size_t i = 0; i < n; i++) {
			char id[96];
			snprintf(id, sizeof id, "crash-%d-%d-%" PRIu64, s->round, s->id, s->seq++);
			json_t *ev = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:{s:i}}", "type",
			                       "extract", "id", id, "time", FX_TIME, "site",
			                       "mine-a", "lot", id, "material", "ore", "mass_g",
			                       1000, "assay", "Nd", 4600);
			ot_error err;
			if (otx_envelope_sign(ev, "fwo", s->key, &sent[i], &err) != OT_OK)
				fprintf(stderr, "sign: %s\n", err.message);
			json_decref(ev);
			if (i)
				ot_buf_addc(&body, ',');
			ot_buf_add(&body, sent[i].data, sent[i].len);
		}
		if (n > 1)
			ot_buf_addc(&body, ']');
		http_resp r;
		memset(&r, 0, sizeof r);
		int rc = http_send(fd, "POST", "/add", NULL, body.data, body.len);
		if (!rc)
			rc = http_recv(fd, &r, 0);
		ot_buf_free(&body);
		if (!rc && r.status == 200) {
			take_answer(&r, sent, n);
			pthread_mutex_lock(&mu);
			posted_events += n;
			pthread_mutex_unlock(&mu);
		} else if (!rc) {
			/* Anything else than success must be a clean error. */
			CHECK(r.status == 429 || r.status == 503);
			if (r.status != 429 && r.status != 503)
				fprintf(stderr, "  POST /add: %d %s\n", r.status, (char *)r.body);
		}
		if (rc || r.closed) {
			close(fd);
			fd = -1;
		}
		http_resp_free(&r);
	}
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < 8; i++)
		ot_buf_free(&sent[i]);
	return NULL;
}

static void *reader_main(void *arg)
{
	(void)arg;
	while (!stop) {
		http_resp r;
		if (http_get(port, "/checkpoint", &r) == 0 && r.status == 200)
			keep_checkpoint((const char *)r.body, r.body_len);
		http_resp_free(&r);
		struct timespec ts = {0, 2000000};
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* --- the checks on what is left --- */

typedef struct seen_cp {
	uint64_t size;
	uint8_t root[OT_HASH_SIZE];
} seen_cp;

static int by_size(const void *a, const void *b)
{
	const seen_cp *x = a, *y = b;
	return x->size < y->size ? -1 : x->size > y->size;
}

static void check_ledger(void)
{
	ot_ledger *l = NULL;
	ot_error err;
	CHECK_OK(ot_ledger_open(f.path, NULL, OT_LEDGER_READONLY, &l, &err));
	if (!l)
		return;
	ot_log *log = ot_ledger_log(l);
	uint64_t size = ot_log_size(log);

	/* Every acknowledged entry. */
	size_t missing = 0;
	for (size_t i = 0; i < n_acks; i++) {
		uint8_t leaf[OT_HASH_SIZE];
		if (acks[i].index >= size ||
		    ot_log_leaf_hash(log, acks[i].index, leaf, NULL) != OT_OK ||
		    memcmp(leaf, acks[i].leaf, OT_HASH_SIZE) != 0)
			missing++;
	}
	CHECK(missing == 0);
	if (missing)
		fprintf(stderr, "  %zu of %zu acknowledged entries are not in the log\n", missing,
		        n_acks);

	/* Every checkpoint served: signed by the log, and a prefix of the final
	 * tree; consecutive ones linked by a consistency proof. */
	seen_cp *cps = calloc(n_served + 1, sizeof *cps);
	size_t n = 0, bad = 0;
	for (size_t i = 0; cps && i < n_served; i++) {
		ot_note note;
		memset(&note, 0, sizeof note);
		ot_checkpoint cp;
		if (ot_note_open(served[i], strlen(served[i]), &log_vkey, 1, &note, NULL) !=
		            OT_OK ||
		    ot_checkpoint_parse(note.text, note.text_len, &cp, NULL) != OT_OK) {
			bad++;
			ot_note_clear(&note);
			continue;
		}
		ot_note_clear(&note);
		cps[n].size = cp.size;
		memcpy(cps[n].root, cp.root, OT_HASH_SIZE);
		n++;
	}
	CHECK(bad == 0);
	qsort(cps, n, sizeof *cps, by_size);
	size_t distinct = 0, inconsistent = 0;
	uint8_t(*proof)[OT_HASH_SIZE] = malloc(OT_PROOF_MAX * OT_HASH_SIZE);
	for (size_t i = 0; proof && i < n; i++) {
		if (i > 0 && cps[i].size == cps[i - 1].size) {
			/* The same size: the same tree. */
			if (memcmp(cps[i].root, cps[i - 1].root, OT_HASH_SIZE) != 0)
				inconsistent++;
			continue;
		}
		distinct++;
		if (cps[i].size > size) {
			inconsistent++;
			continue;
		}
		if (i > 0) {
			size_t np = 0;
			if (ot_log_consistency_proof(log, cps[i - 1].size, cps[i].size, proof, &np,
			                             NULL) != OT_OK ||
			    ot_verify_consistency(
				    cps[i - 1].size, cps[i].size, cps[i - 1].root, cps[i].root,
				    (const uint8_t(*)[OT_HASH_SIZE])proof, np) != OT_OK)
				inconsistent++;
		}
	}
	/* And the last one served with the final tree. */
	if (n && proof) {
		uint8_t root[OT_HASH_SIZE];
		size_t np = 0;
		CHECK_OK(ot_log_tree_hash(log, size, root, NULL));
		CHECK(cps[n - 1].size <= size &&
		      ot_log_consistency_proof(log, cps[n - 1].size, size, proof, &np, NULL) ==
		              OT_OK &&
		      ot_verify_consistency(cps[n - 1].size, size, cps[n - 1].root, root,
		                            (const uint8_t(*)[OT_HASH_SIZE])proof, np) == OT_OK);
	}
	CHECK(inconsistent == 0);
	printf("crash: %zu entries in the log, %zu acknowledged, %zu checkpoints served (%zu "
	       "sizes), all consistent: %s\n",
	       (size_t)size, n_acks, n, distinct, inconsistent ? "no" : "yes");
	free(proof);
	free(cps);

	char *json = NULL;
	ot_status rc = ot_ledger_audit(l, NULL, 0, &json, &err);
	CHECK_RC(rc, OT_OK);
	if (rc)
		fprintf(stderr, "  audit: %s\n%s\n", err.message, json ? json : "");
	free(json);
	ot_ledger_close(l);
}

int main(void)
{
	cli = getenv("OT_CLI");
	struct stat sb;
	if (!cli || stat(cli, &sb) != 0) {
		fprintf(stderr,
		        "test_server_crash: skipped: OT_CLI (the oretrail command) is not set\n");
		return TEST_SKIP;
	}
	signal(SIGPIPE, SIG_IGN);
	uint64_t seed = (uint64_t)time(NULL);
	if (getenv("OT_CRASH_SEED"))
		seed = strtoull(getenv("OT_CRASH_SEED"), NULL, 10);
	printf("seed %" PRIu64 " (OT_CRASH_SEED to repeat)\n", seed);
	test_seed(seed | 1);

	CHECK(fx_open(&f, "server-crash") == 0);
	CHECK_OK(fx_actor(&f, "fwo", "PK", "['miner','processor','exporter']"));
	CHECK_OK(fx_site(&f, "mine-a", "mine", "fwo", "PK"));
	ot_ledger_close(f.l);
	f.l = NULL;
	char text[OT_SKEY_MAX];
	CHECK_OK(ot_signer_format(f.auth, text, sizeof text));
	snprintf(key_path, sizeof key_path, "%s.key", f.path);
	FILE *kf = fopen(key_path, "w");
	CHECK(kf != NULL);
	if (kf) {
		fchmod(fileno(kf), 0600);
		fprintf(kf, "%s\n", text);
		fclose(kf);
	}
	char vkey[OT_VKEY_MAX];
	CHECK_OK(ot_signer_vkey(f.auth, vkey, sizeof vkey));
	CHECK_OK(ot_verifier_parse(vkey, strlen(vkey), &log_vkey, NULL));

	uint64_t t_start = now_ms();
	int rounds = 0;
	for (; rounds < MAX_ROUNDS && now_ms() - t_start < TIME_BUDGET_MS; rounds++) {
		pid_t pid = spawn_server(f.path, &port);
		CHECK(pid > 0);
		if (pid <= 0)
			break;
		stop = 0;
		submitter subs[SUBMITTERS];
		pthread_t th[SUBMITTERS + 1];
		for (int k = 0; k < SUBMITTERS; k++) {
			subs[k] = (submitter){k, rounds, 0, fx_key(&f, "fwo"), test_rand() | 1};
			pthread_create(&th[k], NULL, submit_main, &subs[k]);
		}
		pthread_create(&th[SUBMITTERS], NULL, reader_main, NULL);
		/* Let it run, then pull the plug mid-flight. */
		struct timespec ts = {0, (long)(50 + test_rand() % 900) * 1000000L};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int status = 0;
		waitpid(pid, &status, 0);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		stop = 1;
		for (int k = 0; k <= SUBMITTERS; k++)
			pthread_join(th[k], NULL);
	}
	printf("crash: %d rounds of kill -9 in %llu ms, %" PRIu64 " events acknowledged\n", rounds,
	       (unsigned long long)(now_ms() - t_start), posted_events);
	CHECK(rounds >= 5);
	CHECK(n_acks > 0);

	/* A last start: the server comes up on what the crashes left. */
	pid_t pid = spawn_server(f.path, &port);
	CHECK(pid > 0);
	if (pid > 0) {
		http_resp r;
		CHECK(http_get(port, "/checkpoint", &r) == 0 && r.status == 200);
		if (r.status == 200)
			keep_checkpoint((const char *)r.body, r.body_len);
		http_resp_free(&r);
		kill(pid, SIGTERM);
		int status = 0;
		waitpid(pid, &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}

	check_ledger();
	for (size_t i = 0; i < n_served; i++)
		free(served[i]);
	free(served);
	free(acks);
	ot_verifier_free(log_vkey);
	fx_close(&f);
	return test_done("test_server_crash");
}
