/*
 * log.c: benchmark of the Merkle log against DESIGN.md's performance goals.
 *
 * Each figure is printed beside the machine's ceiling measured in the same
 * run, so that a slow machine does not look like a slow log:
 *   1. raw SHA-256 through the same library the log hashes with (ot_sha256,
 *      OpenSSL's SHA256_*): the ceiling for everything below;
 *   2. tree hashing of 1 KiB entries: the log's hash calls alone (one leaf
 *      hash per entry, n-1 node hashes), and the whole of ot_log_append on a
 *      scratch (tmpfs) store, both as MB/s of entry bytes and % of raw;
 *   3. durable appends of 1 KiB entries in batches of 1, 64 and 1024, beside
 *      the disk's fdatasync rate and write bandwidth;
 *   4. inclusion-proof latency on a log of ten million small entries;
 *   5. resident memory sampled while that log grows.
 * A verdict line per goal ends the run. Single-threaded; every time comes
 * from CLOCK_MONOTONIC; MB is 10^6 bytes, MiB 2^20.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "log/hash_int.h"
#include "oretrail/log.h"

#define MIB (1024.0 * 1024.0)
#define MB 1e6
#define ENTRY_1K 1024
#define ENTRY_SMALL 16
#define RING 1024 /* distinct 1 KiB entry buffers cycled through by the pure tree hash */
#define MAX_SAMPLES 64

/* Goals from DESIGN.md, "Performance goals". */
#define GOAL_TREE_PCT 90.0 /* issue 16; DESIGN.md asks 80 */
#define GOAL_PROOF_US 50.0
#define GOAL_FLAT_MIB 4.0 /* allowed RSS growth over the second half of the build */

static volatile uint8_t sink; /* keeps results observable */

static uint64_t rng_state;

/* splitmix64: small, fast, good enough to pick indexes. */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* --- memory --- */

static double rss_mib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size = 0, resident = 0;
	if (!f)
		return -1;
	int got = fscanf(f, "%lu %lu", &size, &resident);
	fclose(f);
	if (got != 2)
		return -1;
	return (double)resident * (double)sysconf(_SC_PAGESIZE) / MIB;
}

/* --- entries --- */

static uint8_t pattern_1k[ENTRY_1K];

/* Entry i of the 1 KiB workloads: its index, then a fixed pattern. */
static void entry_1k(uint64_t i, uint8_t *buf)
{
	memcpy(buf, pattern_1k, ENTRY_1K);
	memcpy(buf, &i, sizeof i);
}

/* Entry i of the proof log: 16 bytes. */
static void entry_small(uint64_t i, uint8_t *buf)
{
	memcpy(buf, &i, sizeof i);
	memcpy(buf + 8, "otbench!", 8);
}

/* --- 1. raw SHA-256 and 2. pure tree hashing --- */

/* Figures from many short trials. On a shared machine a long run is
 * always interrupted by someone, and the clock speed wanders with the
 * neighbours' load; a trial of under a millisecond mostly runs alone. So
 * each figure is the fastest of its trials, and each ratio is the median,
 * over adjacent pairs of trials, of the figure's speed over the ceiling's:
 * both halves of a pair ran under the same conditions. */
#define TRIAL_BYTES (1 << 20) /* about 0.6 ms of SHA-256 */
#define TRIAL_NODES 4096

typedef struct meter {
	double best; /* fastest trial, seconds */
	uint64_t n;
} meter;

static void meter_trial(meter *m, double seconds)
{
	if (m->n == 0 || seconds < m->best)
		m->best = seconds;
	m->n++;
}

/* One trial: `calls` calls of ot_sha256 over consecutive `chunk`s. */
static double sha_trial(const uint8_t *buf, size_t chunk, uint64_t calls)
{
	uint8_t out[OT_HASH_SIZE] = {0};
	double t0 = bench_now();
	for (uint64_t j = 0; j < calls; j++)
		ot_sha256(buf + j * chunk, chunk, out);
	double dt = bench_now() - t0;
	sink ^= out[0];
	return dt;
}

static double node_trial(uint64_t calls)
{
	uint8_t a[OT_HASH_SIZE] = {1}, b[OT_HASH_SIZE] = {2};
	double t0 = bench_now();
	for (uint64_t i = 0; i < calls; i++)
		ot_node_hash(a, b, (i & 1) ? a : b);
	double dt = bench_now() - t0;
	sink ^= a[0] ^ b[0];
	return dt;
}

/* The log's hashing work without the log: one leaf hash per entry and the
 * n-1 node hashes of the tree, hashed as ot_log_append hashes them: each
 * 256 entries (a tile) as a run, their leaf hashes two at a time, then the
 * nodes above level by level in pairs (log/hash_int.h). Completed subtrees
 * are kept as a binary counter of perfect subtrees (folded for the root);
 * entries that do not fill a run go one at a time. */
#define RUN 256

typedef struct tree {
	uint8_t stack[64][OT_HASH_SIZE];
	unsigned heights[64];
	int depth;
	uint64_t size, nodes;
	uint8_t *work; /* RING entries of 1 KiB; each gets its index stamped in */
	const uint8_t *ptrs[RUN];
	size_t lens[RUN];
	uint8_t level[RUN][OT_HASH_SIZE];
} tree;

static void tree_init(tree *t)
{
	memset(t, 0, sizeof *t);
	t->work = bench_xmalloc((size_t)RING * ENTRY_1K);
	for (uint64_t i = 0; i < RING; i++)
		entry_1k(i, t->work + i * ENTRY_1K);
	for (size_t k = 0; k < RUN; k++)
		t->lens[k] = ENTRY_1K;
}

/* Pushes the root of a perfect subtree of 2^height leaves. */
static void tree_push(tree *t, const uint8_t root[OT_HASH_SIZE], unsigned height)
{
	memcpy(t->stack[t->depth], root, OT_HASH_SIZE);
	t->heights[t->depth++] = height;
	while (t->depth >= 2 && t->heights[t->depth - 1] == t->heights[t->depth - 2]) {
		ot_node_hash(t->stack[t->depth - 2], t->stack[t->depth - 1],
		             t->stack[t->depth - 2]);
		t->heights[t->depth - 2]++;
		t->depth--;
		t->nodes++;
	}
}

static uint8_t *tree_entry(tree *t, uint64_t i)
{
	uint8_t *e = t->work + (size_t)(i % RING) * ENTRY_1K;
	memcpy(e, &i, sizeof i);
	return e;
}

static void tree_add(tree *t, uint64_t n)
{
	for (uint64_t end = t->size + n; t->size < end;) {
		if (t->size % RUN == 0 && end - t->size >= RUN) {
			for (size_t k = 0; k < RUN; k++)
				t->ptrs[k] = tree_entry(t, t->size + k);
			otx_leaf_hash_many(t->ptrs, t->lens, RUN, t->level);
			unsigned height = 0;
			for (size_t c = RUN; c > 1; c /= 2, height++) {
				otx_node_hash_many((const uint8_t(*)[OT_HASH_SIZE])t->level, c / 2,
				                   t->level);
				t->nodes += c / 2;
			}
			tree_push(t, t->level[0], height);
			t->size += RUN;
			continue;
		}
		uint8_t leaf[OT_HASH_SIZE];
		ot_leaf_hash(tree_entry(t, t->size), ENTRY_1K, leaf);
		tree_push(t, leaf, 0);
		t->size++;
	}
}

static void tree_root(const tree *t, uint8_t root[OT_HASH_SIZE])
{
	if (!t->depth) {
		ot_empty_root(root);
		return;
	}
	memcpy(root, t->stack[t->depth - 1], OT_HASH_SIZE);
	for (int i = t->depth - 2; i >= 0; i--)
		ot_node_hash(t->stack[i], root, root);
}

static void tree_free(tree *t)
{
	free(t->work);
}

static double tree_trial(tree *t, uint64_t n)
{
	double t0 = bench_now();
	tree_add(t, n);
	return bench_now() - t0;
}

/* --- growing a log through the library --- */

typedef struct mem_sample {
	uint64_t entries;
	double seconds;
	double rss_mib;
} mem_sample;

typedef struct grow {
	/* in */
	const char *path;
	size_t entry_len; /* ENTRY_1K or ENTRY_SMALL */
	size_t batch;
	uint64_t max_entries;
	double max_seconds;    /* 0: no time cap */
	uint64_t sample_every; /* 0: no memory samples */
	/* out */
	uint64_t done;
	uint64_t commits;
	double seconds;
	uint8_t root[OT_HASH_SIZE];
	mem_sample samples[MAX_SAMPLES];
	int n_samples;
	double db_mib;
	/* private */
	ot_store *st;
	ot_log *log;
	uint8_t *buf;
	const uint8_t **ptrs;
	size_t *lens;
	uint64_t next_sample;
} grow;

static ot_signer *bench_signer(void)
{
	ot_signer *s = NULL;
	ot_error err;
	bench_check(ot_signer_generate("bench.oretrail.example", &s, &err), &err,
	            "generating a key");
	return s;
}

/* Creates a fresh log at g->path, ready for grow_run. */
static void grow_begin(grow *g, ot_signer *signer)
{
	ot_error err;
	bench_claim_store(g->path); /* removed at the end, on error or ^C */
	bench_check(ot_store_open(g->path, OT_STORE_CREATE, &g->st, &err), &err, g->path);
	bench_check(ot_log_create(g->st, "bench.oretrail.example/log", signer, &err), &err,
	            "creating a log");
	bench_check(ot_log_open(g->st, signer, &g->log, &err), &err, "opening the log");
	g->buf = bench_xmalloc(g->batch * g->entry_len);
	g->ptrs = bench_xmalloc(g->batch * sizeof *g->ptrs);
	g->lens = bench_xmalloc(g->batch * sizeof *g->lens);
	for (size_t k = 0; k < g->batch; k++) {
		g->ptrs[k] = g->buf + k * g->entry_len;
		g->lens[k] = g->entry_len;
		if (g->entry_len == ENTRY_1K)
			entry_1k(0, g->buf + k * g->entry_len);
	}
	g->done = g->commits = 0;
	g->seconds = 0;
	g->n_samples = 0;
	g->next_sample = g->sample_every;
}

/* Appends entries in batches of g->batch, each batch one durable
 * ot_log_append, until g->max_entries in all or `seconds` (0: no limit) in
 * this call. Only the appends (and the stamping of each entry's index) are
 * timed; g->seconds sums the time over calls. */
static void grow_run(grow *g, double seconds)
{
	ot_error err;
	double t0 = bench_now(), elapsed = 0;
	while (g->done < g->max_entries && (seconds <= 0 || elapsed < seconds)) {
		size_t n = g->batch;
		if (g->max_entries - g->done < n)
			n = (size_t)(g->max_entries - g->done);
		for (size_t k = 0; k < n; k++) {
			uint64_t i = g->done + k;
			if (g->entry_len == ENTRY_1K)
				memcpy(g->buf + k * g->entry_len, &i, sizeof i);
			else
				entry_small(i, g->buf + k * g->entry_len);
		}
		uint64_t first = 0;
		bench_check(ot_log_append(g->log, g->ptrs, g->lens, n, &first, &err), &err,
		            "appending");
		if (first != g->done)
			bench_die("append put entries at %llu, expected %llu",
			          (unsigned long long)first, (unsigned long long)g->done);
		g->done += n;
		g->commits++;
		elapsed = bench_now() - t0;
		if (g->sample_every && g->done >= g->next_sample && g->n_samples < MAX_SAMPLES) {
			/* Sampling reads /proc; keep it out of the timed region. */
			double ts = bench_now();
			mem_sample *m = &g->samples[g->n_samples++];
			m->entries = g->done;
			m->seconds = g->seconds + elapsed;
			m->rss_mib = rss_mib();
			g->next_sample += g->sample_every;
			t0 += bench_now() - ts;
		}
	}
	g->seconds += elapsed;
}

/* Reads the root into g->root, closes the log and notes the store's size. */
static void grow_end(grow *g)
{
	ot_error err;
	bench_check(ot_log_tree_hash(g->log, g->done, g->root, &err), &err, "reading the root");
	ot_log_close(g->log);
	ot_store_close(g->st);
	g->db_mib = bench_store_mib(g->path);
	free(g->buf);
	free(g->ptrs);
	free(g->lens);
}

static void grow_log(grow *g, ot_signer *signer)
{
	grow_begin(g, signer);
	grow_run(g, g->max_seconds);
	grow_end(g);
}

/* --- 3. the disk's ceilings --- */

/* The durable-commit ceiling: rewriting 4 KiB in place and fdatasyncing
 * it, the most durable commits per second the file system allows one
 * writer. A file of 1 MiB is preallocated so that no write changes its size. */
typedef struct syncer {
	int fd;
	uint64_t n;
	char path[4200];
} syncer;

static void syncer_open(syncer *sy, const char *dir)
{
	snprintf(sy->path, sizeof sy->path, "%s/oretrail-bench-%ld.fsync", dir, (long)getpid());
	bench_claim_file(sy->path);
	sy->fd = open(sy->path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	sy->n = 0;
	if (sy->fd < 0)
		bench_die("%s: %s", sy->path, strerror(errno));
	uint8_t page[4096];
	memset(page, 0xa5, sizeof page);
	for (int i = 0; i < 256; i++)
		if (write(sy->fd, page, sizeof page) != (ssize_t)sizeof page)
			bench_die("%s: %s", sy->path, strerror(errno));
	if (fsync(sy->fd) != 0)
		bench_die("%s: fsync: %s", sy->path, strerror(errno));
}

/* fdatasyncs per second over `seconds` (at least 5 of them). */
static double syncer_trial(syncer *sy, double seconds)
{
	uint8_t page[4096];
	memset(page, 0xa5, sizeof page);
	uint64_t n = 0;
	double t0 = bench_now(), dt = 0;
	while (dt < seconds || n < 5) {
		page[0] = (uint8_t)sy->n;
		off_t off = (off_t)(sy->n % 256) * (off_t)sizeof page;
		if (pwrite(sy->fd, page, sizeof page, off) != (ssize_t)sizeof page)
			bench_die("%s: %s", sy->path, strerror(errno));
		if (fdatasync(sy->fd) != 0)
			bench_die("%s: fdatasync: %s", sy->path, strerror(errno));
		n++;
		sy->n++;
		dt = bench_now() - t0;
	}
	return (double)n / dt;
}

static void syncer_close(syncer *sy)
{
	close(sy->fd);
	bench_remove_file();
}

/* Writes `total` bytes in 1 MiB writes and fsyncs once: MB/s. */
static double write_rate(const char *dir, uint64_t total)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/oretrail-bench-%ld.write", dir, (long)getpid());
	bench_claim_file(path);
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	if (fd < 0)
		bench_die("%s: %s", path, strerror(errno));
	size_t chunk = 1 << 20;
	uint8_t *buf = bench_xmalloc(chunk);
	memset(buf, 0x5a, chunk);
	double t0 = bench_now();
	for (uint64_t done = 0; done < total; done += chunk)
		if (write(fd, buf, chunk) != (ssize_t)chunk)
			bench_die("%s: %s", path, strerror(errno));
	if (fsync(fd) != 0)
		bench_die("%s: fsync: %s", path, strerror(errno));
	double dt = bench_now() - t0;
	close(fd);
	bench_remove_file();
	free(buf);
	return (double)total / dt / MB;
}

static double ed25519_verify_rate(ot_signer *signer, double seconds)
{
	char vkey[OT_VKEY_MAX];
	ot_verifier *v = NULL;
	ot_error err;
	if (ot_signer_vkey(signer, vkey, sizeof vkey) != OT_OK)
		bench_die("cannot format the verifier key");
	bench_check(ot_verifier_parse(vkey, strlen(vkey), &v, &err), &err,
	            "parsing the verifier key");
	uint8_t msg[200], sig[64];
	memset(msg, 'e', sizeof msg);
	if (ot_signer_sign_raw(signer, msg, sizeof msg, sig) != OT_OK)
		bench_die("cannot sign");
	uint64_t n = 0;
	double t0 = bench_now(), dt = 0;
	while (dt < seconds) {
		for (int k = 0; k < 100; k++)
			if (ot_verifier_verify_raw(v, msg, sizeof msg, sig) != OT_OK)
				bench_die("a good signature did not verify");
		n += 100;
		dt = bench_now() - t0;
	}
	ot_verifier_free(v);
	return (double)n / dt;
}

/* --- 4. proofs --- */

/* Latencies of one operation: of all calls, and of those not preempted. */
typedef struct op_result {
	bench_stats all, calm;
} op_result;

/* Summarises l and frees its series. */
static op_result latency_result(bench_latency *l)
{
	op_result r;
	bench_latency_summarise(l, &r.all, &r.calm);
	bench_latency_free(l);
	return r;
}

/* One proof to make: entry `index` in the tree of `size` entries. */
typedef struct query {
	uint64_t index, size;
} query;

/* The random proofs of the phase: untimed warm-up ones, then the two timed
 * kinds. Drawn once, so that Go's tlog proves the very same ones. */
typedef struct queries {
	uint64_t full; /* the log's size */
	size_t n_warm, n;
	query *warm, *at_full, *older;
} queries;

static void queries_draw(queries *q, uint64_t full, uint64_t proofs)
{
	q->full = full;
	q->n = (size_t)proofs;
	q->n_warm = (size_t)(proofs / 100);
	q->warm = bench_xmalloc((q->n_warm + 1) * sizeof *q->warm);
	q->at_full = bench_xmalloc(q->n * sizeof *q->at_full);
	q->older = bench_xmalloc(q->n * sizeof *q->older);
	for (size_t k = 0; k < q->n_warm; k++)
		q->warm[k] = (query){rnd() % full, full};
	for (size_t k = 0; k < q->n; k++)
		q->at_full[k] = (query){rnd() % full, full};
	for (size_t k = 0; k < q->n; k++) {
		uint64_t size = 1 + rnd() % full;
		q->older[k] = (query){rnd() % size, size};
	}
}

static void queries_free(queries *q)
{
	free(q->warm);
	free(q->at_full);
	free(q->older);
}

static void hex32(const uint8_t *h, char out[2 * OT_HASH_SIZE + 1])
{
	for (int i = 0; i < OT_HASH_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

typedef struct proof_result {
	op_result full, older, verify;
	double mean_len_full, mean_len_older;
	uint64_t failures;
	char root[2 * OT_HASH_SIZE + 1];        /* of the whole log, hex */
	char digest_full[65], digest_older[65]; /* SHA-256 of all proofs' hashes, hex */
} proof_result;

/* SHA-256 over every proof of a set, hash after hash, to compare with Go's. */
typedef struct proof_digest {
	EVP_MD_CTX *ctx;
} proof_digest;

static void digest_begin(proof_digest *d)
{
	d->ctx = EVP_MD_CTX_new();
	if (!d->ctx || EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) != 1)
		bench_die("cannot start a SHA-256 digest");
}

static void digest_end(proof_digest *d, char out[65])
{
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	if (EVP_DigestFinal_ex(d->ctx, h, &len) != 1 || len != OT_HASH_SIZE)
		bench_die("cannot finish a SHA-256 digest");
	EVP_MD_CTX_free(d->ctx);
	hex32(h, out);
}

static void time_proofs(const char *path, const queries *q, proof_result *r)
{
	ot_error err;
	ot_store *st = NULL;
	ot_log *log = NULL;
	/* Reopened as a reader would: cold SQLite and tile caches, read-only log. */
	bench_check(ot_store_open(path, 0, &st, &err), &err, path);
	bench_check(ot_log_open(st, NULL, &log, &err), &err, "opening the log to read");
	uint64_t full = ot_log_size(log);
	if (full != q->full)
		bench_die("the proof log has %llu entries, not %llu", (unsigned long long)full,
		          (unsigned long long)q->full);
	uint8_t root_full[OT_HASH_SIZE], root[OT_HASH_SIZE], leaf[OT_HASH_SIZE];
	bench_check(ot_log_tree_hash(log, full, root_full, &err), &err, "reading the root");
	hex32(root_full, r->root);
	bench_latency l_full, l_old, l_ver;
	bench_latency_init(&l_full, q->n);
	bench_latency_init(&l_old, q->n);
	bench_latency_init(&l_ver, q->n);
	uint8_t proof[OT_PROOF_MAX][OT_HASH_SIZE];
	const uint8_t(*cproof)[OT_HASH_SIZE] = (const uint8_t(*)[OT_HASH_SIZE])proof;
	uint8_t entry[ENTRY_SMALL];
	size_t n = 0;
	uint64_t len_full = 0, len_old = 0;
	r->failures = 0;
	proof_digest d;

	for (size_t k = 0; k < q->n_warm; k++)
		bench_check(ot_log_inclusion_proof(log, q->warm[k].index, full, proof, &n, &err),
		            &err, "inclusion proof");

	digest_begin(&d);
	for (size_t k = 0; k < q->n; k++) {
		uint64_t index = q->at_full[k].index;
		long sw0 = bench_involuntary_switches();
		double t0 = bench_now();
		ot_status rc = ot_log_inclusion_proof(log, index, full, proof, &n, &err);
		double t1 = bench_now();
		long sw1 = bench_involuntary_switches();
		bench_check(rc, &err, "inclusion proof");
		entry_small(index, entry);
		ot_leaf_hash(entry, sizeof entry, leaf);
		double t2 = bench_now();
		rc = ot_verify_inclusion(index, full, leaf, cproof, n, root_full);
		double t3 = bench_now();
		long sw2 = bench_involuntary_switches();
		if (rc)
			r->failures++;
		EVP_DigestUpdate(d.ctx, proof, n * OT_HASH_SIZE);
		bench_latency_add(&l_full, (t1 - t0) * 1e6, sw1 != sw0);
		bench_latency_add(&l_ver, (t3 - t2) * 1e6, sw2 != sw1);
		len_full += n;
	}
	digest_end(&d, r->digest_full);
	/* Older sizes: the proof first, so that computing the root (which
	 * reads the same right edge) does not warm the tiles for it. The root
	 * is only for checking the proof. */
	digest_begin(&d);
	for (size_t k = 0; k < q->n; k++) {
		uint64_t size = q->older[k].size, index = q->older[k].index;
		long sw0 = bench_involuntary_switches();
		double t0 = bench_now();
		ot_status rc = ot_log_inclusion_proof(log, index, size, proof, &n, &err);
		double t1 = bench_now();
		long sw1 = bench_involuntary_switches();
		bench_check(rc, &err, "inclusion proof");
		bench_check(ot_log_tree_hash(log, size, root, &err), &err, "tree hash");
		entry_small(index, entry);
		ot_leaf_hash(entry, sizeof entry, leaf);
		if (ot_verify_inclusion(index, size, leaf, cproof, n, root) != OT_OK)
			r->failures++;
		EVP_DigestUpdate(d.ctx, proof, n * OT_HASH_SIZE);
		bench_latency_add(&l_old, (t1 - t0) * 1e6, sw1 != sw0);
		len_old += n;
	}
	digest_end(&d, r->digest_older);
	r->full = latency_result(&l_full);
	r->older = latency_result(&l_old);
	r->verify = latency_result(&l_ver);
	r->mean_len_full = (double)len_full / (double)q->n;
	r->mean_len_older = (double)len_old / (double)q->n;
	ot_log_close(log);
	ot_store_close(st);
}

/* --- 4b. the same proofs by Go's sumdb/tlog (bench/tlog/tlog_prove.go) --- */

typedef struct go_result {
	int have;
	char why[BENCH_PATH_MAX + 256]; /* when not: why not */
	char version[64];
	double p50[2], p99[2], mean[2]; /* [0] size = full, [1] older sizes */
} go_result;

static void put_u64(FILE *f, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	if (fwrite(b, 1, 8, f) != 8)
		bench_die("writing the tree for Go: %s", strerror(errno));
}

static void put_queries(FILE *f, const query *q, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		put_u64(f, q[k].index);
		put_u64(f, q[k].size);
	}
}

/* Writes tlog_prove's input: the header, the log's leaf hashes read back
 * from the store (its level-0 tiles), the queries. */
static void export_tree(const char *store_path, const char *out, const queries *q)
{
	ot_error err;
	ot_store *st = NULL;
	ot_log *log = NULL;
	bench_check(ot_store_open(store_path, 0, &st, &err), &err, store_path);
	bench_check(ot_log_open(st, NULL, &log, &err), &err, "opening the log to export it");
	FILE *f = fopen(out, "wb");
	if (!f)
		bench_die("%s: %s", out, strerror(errno));
	put_u64(f, q->full);
	put_u64(f, q->n_warm);
	put_u64(f, q->n);
	put_u64(f, q->n);
	for (uint64_t i = 0; i * OT_TILE_WIDTH < q->full; i++) {
		uint64_t left = q->full - i * OT_TILE_WIDTH;
		ot_tile t = {0, i, left < OT_TILE_WIDTH ? (unsigned)left : OT_TILE_WIDTH};
		uint8_t *data = NULL;
		size_t len = 0;
		bench_check(ot_log_read_tile(log, &t, &data, &len, &err), &err, "reading a tile");
		if (fwrite(data, 1, len, f) != len)
			bench_die("%s: %s", out, strerror(errno));
		free(data);
	}
	put_queries(f, q->warm, q->n_warm);
	put_queries(f, q->at_full, q->n);
	put_queries(f, q->older, q->n);
	if (fclose(f) != 0)
		bench_die("%s: %s", out, strerror(errno));
	ot_log_close(log);
	ot_store_close(st);
}

/* The tlog_prove to run: `given` (--go-tlog), else beside this program. */
static const char *go_program(const char *given, char *buf, size_t size)
{
	if (given)
		return given;
	ssize_t n = readlink("/proc/self/exe", buf, size - 16);
	if (n <= 0)
		return NULL;
	buf[n] = 0;
	char *slash = strrchr(buf, '/');
	if (!slash)
		return NULL;
	snprintf(slash + 1, 16, "tlog_prove");
	return buf;
}

/* Runs Go's tlog on the same tree and proofs; checks its root and proofs
 * are ours. */
static void go_prove(const char *given, const char *dir, const char *store_path, const queries *q,
                     const proof_result *ours, go_result *g)
{
	memset(g, 0, sizeof *g);
	char prog_buf[BENCH_PATH_MAX];
	const char *prog = go_program(given, prog_buf, sizeof prog_buf);
	if (!prog || access(prog, X_OK) != 0) {
		snprintf(g->why, sizeof g->why,
		         "no Go program at %s (bench/run builds bench/tlog/tlog_prove.go when go "
		         "and golang.org/x/mod are installed; or --go-tlog PATH)",
		         prog ? prog : "(unknown)");
		return;
	}
	char path[BENCH_PATH_MAX];
	snprintf(path, sizeof path, "%s/oretrail-bench-%ld-tlog.bin", dir, (long)getpid());
	bench_claim_file(path);
	export_tree(store_path, path, q);
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
		execl(prog, prog, path, (char *)NULL);
		fprintf(stderr, "bench_log: %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	FILE *out = fdopen(fds[0], "r");
	if (!out)
		bench_die("fdopen: %s", strerror(errno));
	char line[512], root[80] = "", dig[2][80] = {"", ""};
	int got = 0;
	while (fgets(line, sizeof line, out)) {
		char kind[16];
		double p50, p99, mean;
		char d[80];
		if (sscanf(line, "go %63s", g->version) == 1)
			continue;
		if (sscanf(line, "root %79s", root) == 1)
			continue;
		if (sscanf(line, "%15s %lf %lf %lf %79s", kind, &p50, &p99, &mean, d) == 5) {
			int k = !strcmp(kind, "full") ? 0 : !strcmp(kind, "older") ? 1 : -1;
			if (k < 0)
				continue;
			g->p50[k] = p50;
			g->p99[k] = p99;
			g->mean[k] = mean;
			snprintf(dig[k], sizeof dig[k], "%s", d);
			got |= 1 << k;
		}
	}
	fclose(out);
	int status = 0;
	waitpid(pid, &status, 0);
	bench_remove_file();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || got != 3)
		bench_die("%s failed (status %d)", prog, status);
	if (strcmp(root, ours->root) != 0)
		bench_die("Go's tlog computes root %s, the log %s", root, ours->root);
	if (strcmp(dig[0], ours->digest_full) != 0 || strcmp(dig[1], ours->digest_older) != 0)
		bench_die("Go's tlog made other proofs than the log for the same queries");
	g->have = 1;
}

/* --- reporting --- */

/* --- options --- */

enum {
	PHASE_HASHING = 1,
	PHASE_APPEND = 2,
	PHASE_PROOFS = 4,
	PHASE_ALL = 7
};

typedef struct opts {
	const char *dir;       /* durable stores (--dir) */
	const char *scratch;   /* store for hashing through the log (--scratch) */
	int phases;            /* PHASE_* */
	int rounds;            /* interleaved hashing rounds, best kept */
	uint64_t sha_bytes;    /* raw SHA-256 volume per round */
	uint64_t tree_entries; /* 1 KiB entries per round, pure tree hashing */
	uint64_t lib_entries;  /* 1 KiB entries through ot_log_append on scratch */
	size_t lib_batch;
	uint64_t append_entries; /* cap per batch size, durable appends */
	double append_seconds;   /* time cap per batch size */
	uint64_t proof_entries;  /* size of the proof log */
	size_t proof_batch;
	uint64_t proofs; /* timed proofs of each kind */
	uint64_t seed;
	const char *go_tlog; /* Go's tlog_prove (--go-tlog) */
	int quick;
} opts;

/* The names of the PHASE_* bits, in order, for --only. */
static const char *const PHASE_NAMES[] = {"hashing", "append", "proofs", NULL};

static void usage(FILE *to)
{
	fputs("usage: bench_log [options]\n"
	      "  --dir DIR            durable stores and disk ceilings go here (default /tmp)\n"
	      "  --scratch DIR        store for hashing through the log (default /dev/shm,\n"
	      "                       else --dir)\n"
	      "  --only LIST          phases to run: hashing,append,proofs (default all)\n"
	      "  --proof-entries N    entries in the proof log (default 10000000)\n"
	      "  --proofs N           timed proofs of each kind (default 100000)\n"
	      "  --append-entries N   cap per batch size for durable appends (default 100000)\n"
	      "  --append-seconds S   time cap per batch size (default 10)\n"
	      "  --tree-entries N     1 KiB entries per hashing round (default 65536)\n"
	      "  --rounds N           interleaved hashing rounds, best kept (default 15)\n"
	      "  --seed N             random seed for proof indexes (default 1)\n"
	      "  --go-tlog PATH       Go's tlog_prove for the proof comparison (default:\n"
	      "                       tlog_prove beside bench_log, built by bench/run)\n"
	      "  --quick              smoke run of a few seconds (small sizes)\n"
	      "  --help\n",
	      to);
}

static void parse_args(int argc, char **argv, opts *o)
{
	memset(o, 0, sizeof *o);
	o->dir = "/tmp";
	o->phases = PHASE_ALL;
	o->rounds = 15;
	o->sha_bytes = (uint64_t)64 << 20;
	o->tree_entries = 65536;
	o->lib_entries = 262144;
	o->lib_batch = 4096;
	o->append_entries = 100000;
	o->append_seconds = 10;
	o->proof_entries = 10000000;
	o->proof_batch = 100000;
	o->proofs = 100000;
	o->seed = 1;
	int have_proof_entries = 0, have_proofs = 0, have_tree = 0, have_append = 0, have_secs = 0,
	    have_rounds = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--quick")) {
			o->quick = 1;
			continue;
		}
		if (!v) {
			usage(stderr);
			bench_die("unknown option or missing value: %s", a);
		}
		i++;
		if (!strcmp(a, "--dir")) {
			o->dir = v;
		} else if (!strcmp(a, "--scratch")) {
			o->scratch = v;
		} else if (!strcmp(a, "--only")) {
			o->phases = bench_parse_phases(v, PHASE_NAMES);
		} else if (!strcmp(a, "--proof-entries")) {
			o->proof_entries = bench_parse_u64(a, v);
			have_proof_entries = 1;
		} else if (!strcmp(a, "--proofs")) {
			o->proofs = bench_parse_u64(a, v);
			have_proofs = 1;
		} else if (!strcmp(a, "--append-entries")) {
			o->append_entries = bench_parse_u64(a, v);
			have_append = 1;
		} else if (!strcmp(a, "--append-seconds")) {
			o->append_seconds = (double)bench_parse_u64(a, v);
			have_secs = 1;
		} else if (!strcmp(a, "--tree-entries")) {
			o->tree_entries = bench_parse_u64(a, v);
			have_tree = 1;
		} else if (!strcmp(a, "--rounds")) {
			uint64_t r = bench_parse_u64(a, v);
			o->rounds = r > 1000 ? 1000 : (int)r;
			have_rounds = 1;
		} else if (!strcmp(a, "--go-tlog")) {
			o->go_tlog = v;
		} else if (!strcmp(a, "--seed")) {
			o->seed = bench_parse_u64(a, v);
		} else {
			usage(stderr);
			bench_die("unknown option %s", a);
		}
	}
	if (o->quick) {
		o->sha_bytes = (uint64_t)16 << 20;
		o->lib_entries = 16384;
		o->lib_batch = 1024;
		if (!have_rounds)
			o->rounds = 5;
		if (!have_tree)
			o->tree_entries = 16384;
		if (!have_append)
			o->append_entries = 4096;
		if (!have_secs)
			o->append_seconds = 0.5;
		if (!have_proof_entries)
			o->proof_entries = 200000;
		if (!have_proofs)
			o->proofs = 5000;
	}
	if (o->proof_entries < 1 || o->proofs < 1 || o->tree_entries < 1 || o->rounds < 1)
		bench_die("--proof-entries, --proofs, --tree-entries and --rounds must be "
		          "at least 1");
	if (o->proof_batch > o->proof_entries)
		o->proof_batch = (size_t)o->proof_entries;
	if (access(o->dir, W_OK) != 0)
		bench_die("--dir %s: %s", o->dir, strerror(errno));
	if (o->scratch && access(o->scratch, W_OK) != 0)
		bench_die("--scratch %s: %s", o->scratch, strerror(errno));
	if (!o->scratch) {
		struct stat sb;
		o->scratch = (stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) &&
		              access("/dev/shm", W_OK) == 0)
		                     ? "/dev/shm"
		                     : o->dir;
	}
}

/* --- the phases --- */

typedef struct results {
	double tree_pct, tree_pct_best;
	int have_tree;
	proof_result proofs;
	go_result go;
	uint64_t proof_entries;
	int have_proofs;
	double growth_mib;
	uint64_t growth_from;
	int have_growth;
} results;

static void phase_hashing(const opts *o, ot_signer *signer, results *res)
{
	/* Trials of raw SHA-256 (1 MiB calls walking through the buffer), 1 KiB
	 * messages, the tree and node hashes, interleaved. */
	uint8_t *big = bench_xmalloc((size_t)o->sha_bytes);
	for (uint64_t i = 0; i < o->sha_bytes; i++)
		big[i] = (uint8_t)(i * 2654435761u >> 13);
	uint64_t tree_trial_entries = TRIAL_BYTES / ENTRY_1K;
	uint64_t per_round = o->tree_entries / tree_trial_entries;
	if (per_round < 1)
		per_round = 1;
	size_t trials = (size_t)(per_round * (uint64_t)o->rounds);
	double *r_small = bench_xmalloc(trials * sizeof(double));
	double *r_tree = bench_xmalloc(trials * sizeof(double));
	meter raw, small, node, tm;
	memset(&raw, 0, sizeof raw);
	small = node = tm = raw;
	tree t;
	tree_init(&t);
	uint64_t chunks = o->sha_bytes / TRIAL_BYTES, next = 0;
	size_t k = 0;
	for (int r = 0; r < o->rounds; r++) {
		for (uint64_t j = 0; j < per_round; j++, k++) {
			const uint8_t *chunk = big + (next++ % chunks) * TRIAL_BYTES;
			double d_raw = sha_trial(chunk, TRIAL_BYTES, 1);
			double d_small = sha_trial(chunk, ENTRY_1K, TRIAL_BYTES / ENTRY_1K);
			double d_tree = tree_trial(&t, tree_trial_entries);
			meter_trial(&raw, d_raw);
			meter_trial(&small, d_small);
			meter_trial(&tm, d_tree);
			r_small[k] = d_raw / d_small;
			r_tree[k] = d_raw / d_tree;
			if (j % 16 == 0)
				meter_trial(&node, node_trial(TRIAL_NODES));
		}
	}
	free(big);
	double raw_mb = TRIAL_BYTES / raw.best / MB;
	double small_mb = TRIAL_BYTES / small.best / MB;
	double tree_mb = TRIAL_BYTES / tm.best / MB;
	double small_pct = 100.0 * bench_median(r_small, trials);
	res->tree_pct = 100.0 * bench_median(r_tree, trials);
	res->tree_pct_best = 100.0 * tree_mb / raw_mb;
	res->have_tree = 1;
	double node_ns = node.best / TRIAL_NODES * 1e9;
	double block_ns = raw.best / (TRIAL_BYTES / 64) * 1e9;
	uint64_t tree_size = t.size, tree_nodes = t.nodes;
	tree_free(&t);
	free(r_small);
	free(r_tree);

	/* Hashing through the log: ot_log_append into a scratch store. Its root
	 * must equal the reference tree's over the same entries. */
	char path[4200];
	snprintf(path, sizeof path, "%s/oretrail-bench-%ld-scratch.db", o->scratch, (long)getpid());
	grow lib = {.path = path,
	            .entry_len = ENTRY_1K,
	            .batch = o->lib_batch,
	            .max_entries = o->lib_entries};
	grow_log(&lib, signer);
	bench_remove_live_store();
	uint8_t ref[OT_HASH_SIZE];
	tree_init(&t);
	tree_add(&t, lib.done);
	tree_root(&t, ref);
	tree_free(&t);
	if (memcmp(ref, lib.root, OT_HASH_SIZE) != 0)
		bench_die("the log's root differs from the reference tree's over the same entries");
	double lib_mb = (double)lib.done * ENTRY_1K / lib.seconds / MB;

	printf("1-2. hashing, 1 KiB entries: %zu interleaved trials of 1 MiB each\n", trials);
	printf("   %-40s %9s      %-14s %9s %9s\n", "", "fastest", "ceiling", "ratio", "ratio of");
	printf("   %-40s %9s      %-14s %9s %9s\n", "", "trial", "(fastest)", "(median)",
	       "fastest");
	printf("   %-40s %9.1f MB/s = ceiling\n", "SHA-256 raw, ot_sha256 in 1 MiB calls", raw_mb);
	printf("   %-40s %9.1f MB/s %9.1f MB/s %7.1f %% %7.1f %%\n",
	       "SHA-256 of 1 KiB messages (ot_sha256)", small_mb, raw_mb, small_pct,
	       100.0 * small_mb / raw_mb);
	printf("   %-40s %9.1f ns   = %.2f raw blocks (2 needed)\n",
	       "node hash, 65 bytes (ot_node_hash)", node_ns, node_ns / block_ns);
	printf("   %-40s %9.1f MB/s %9.1f MB/s %7.1f %% %7.1f %%\n",
	       otx_hash_accelerated() ? "tree: the log's hashing, SHA-NI pairs"
	                              : "tree: the log's hashing (no SHA-NI)",
	       tree_mb, raw_mb, res->tree_pct, res->tree_pct_best);
	char what[96];
	snprintf(what, sizeof what, "tree: ot_log_append, batches of %zu", o->lib_batch);
	printf("   %-40s %9.1f MB/s %9.1f MB/s %7.1f %%   (one run)\n", what, lib_mb, raw_mb,
	       100.0 * lib_mb / raw_mb);
	printf("   (ratio: median over trials of raw time / figure time, each pair run back to "
	       "back.\n"
	       "    The tree: %llu entries, %llu node hashes, in the log's order: leaves two at "
	       "a time,\n"
	       "    nodes level by level in pairs. 19 SHA-256 blocks per 16 blocks of entry: "
	       "one message\n"
	       "    at a time at raw speed would give 84.2 %% of raw.\n"
	       "    ot_log_append: %llu entries in %.2f s into a store in %s, root checked\n"
	       "    against the tree's; hashing is %.1f %% of its time.)\n\n",
	       (unsigned long long)tree_size, (unsigned long long)tree_nodes,
	       (unsigned long long)lib.done, lib.seconds, o->scratch, 100.0 * lib_mb / tree_mb);
}

/* Bytes this process has handed to write(2) and friends so far. */
static double written_bytes(void)
{
	double w = -1;
	FILE *f = fopen("/proc/self/io", "r");
	if (f) {
		char line[128];
		while (fgets(line, sizeof line, f))
			if (sscanf(line, "wchar: %lf", &w) == 1)
				break;
		fclose(f);
	}
	return w;
}

#define MAX_SLICES 256

static void phase_append(const opts *o, ot_signer *signer)
{
	/* Each row alternates a short fdatasync trial with a slice of appends,
	 * so that ceiling and figure see the same (shared, wandering) disk;
	 * the ratio is the median over slices. */
	double slice = o->append_seconds / 20, sync_trial = o->quick ? 0.05 : 0.1;
	if (slice < 0.1)
		slice = 0.1;
	double wbw = write_rate(o->dir, o->quick ? (uint64_t)16 << 20 : (uint64_t)256 << 20);
	double edv = ed25519_verify_rate(signer, o->quick ? 0.2 : 1.0);
	printf("3. durable appends, 1 KiB entries, into %s (SQLite WAL, synchronous=FULL)\n",
	       o->dir);
	printf("   machine: write+fsync %.1f MB/s, Ed25519 verify %.0f/s; fdatasync/s of a "
	       "4 KiB rewrite,\n   measured before each %.1f s slice of appends: median "
	       "(min-max)\n",
	       wbw, edv, slice);
	printf("   %5s %8s %7s %9s %6s %9s %7s %18s %17s %6s\n", "batch", "entries", "seconds",
	       "entries/s", "MB/s", "commits/s", "written", "fdatasync/s", "ceiling entries/s",
	       "ratio");
	static const size_t batches[] = {1, 64, 1024};
	char path[4200];
	for (size_t b = 0; b < sizeof batches / sizeof batches[0]; b++) {
		snprintf(path, sizeof path, "%s/oretrail-bench-%ld-append.db", o->dir,
		         (long)getpid());
		grow g = {.path = path,
		          .entry_len = ENTRY_1K,
		          .batch = batches[b],
		          .max_entries = o->append_entries};
		double by_bw = wbw * MB / ENTRY_1K;
		double syncs[MAX_SLICES], ratios[MAX_SLICES], written = 0;
		size_t n = 0;
		syncer sy;
		syncer_open(&sy, o->dir);
		grow_begin(&g, signer);
		while (g.done < g.max_entries && g.seconds < o->append_seconds && n < MAX_SLICES) {
			syncs[n] = syncer_trial(&sy, sync_trial);
			uint64_t d0 = g.done;
			double s0 = g.seconds, w0 = written_bytes();
			grow_run(&g, slice);
			if (w0 >= 0)
				written += written_bytes() - w0;
			double eps = (double)(g.done - d0) / (g.seconds - s0);
			double by_sync = syncs[n] * (double)batches[b];
			ratios[n] = eps / (by_sync < by_bw ? by_sync : by_bw);
			n++;
		}
		grow_end(&g);
		syncer_close(&sy);
		bench_remove_live_store();
		double lo = syncs[0], hi = syncs[0];
		for (size_t i = 1; i < n; i++) {
			lo = syncs[i] < lo ? syncs[i] : lo;
			hi = syncs[i] > hi ? syncs[i] : hi;
		}
		double sync_med = bench_median(syncs, n), ratio = bench_median(ratios, n);
		double by_sync = sync_med * (double)batches[b];
		double ceil = by_sync < by_bw ? by_sync : by_bw;
		double eps = (double)g.done / g.seconds;
		char syncs_txt[48];
		snprintf(syncs_txt, sizeof syncs_txt, "%.0f (%.0f-%.0f)", sync_med, lo, hi);
		printf("   %5zu %8llu %7.2f %9.0f %6.1f %9.1f %6.1fx %18s %9.0f (%-5s) %5.1f %%\n",
		       batches[b], (unsigned long long)g.done, g.seconds, eps, eps * ENTRY_1K / MB,
		       (double)g.commits / g.seconds, written / ((double)g.done * ENTRY_1K),
		       syncs_txt, ceil, by_sync < by_bw ? "fsync" : "disk", 100.0 * ratio);
	}
	printf("   (written: bytes handed to write(2) per byte of entry, WAL and database "
	       "together.\n"
	       "    The log alone, no signature checks: the ledger's append goal, >= 20,000 "
	       "events/s\n    and >= 50 %% of Ed25519 verify = %.0f/s, is for the ledger's "
	       "bench.)\n\n",
	       edv / 2);
}

static void print_op(const char *name, const op_result *r, const char *extra)
{
	printf("   %-38s %8.2f %8.2f %8.2f %9.1f %8.2f %7llu %s\n", name, r->all.p50, r->all.p99,
	       r->all.mean, r->all.max, r->calm.p99, (unsigned long long)(r->all.n - r->calm.n),
	       extra);
}

static void phase_proofs(const opts *o, ot_signer *signer, results *res)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/oretrail-bench-%ld-proofs.db", o->dir, (long)getpid());
	uint64_t every = o->proof_entries / 10;
	if (every < o->proof_batch)
		every = o->proof_batch;
	grow pg = {.path = path,
	           .entry_len = ENTRY_SMALL,
	           .batch = o->proof_batch,
	           .max_entries = o->proof_entries,
	           .sample_every = every};
	double rss_before = rss_mib();
	grow_log(&pg, signer);
	printf("4. inclusion proofs on a log of %llu entries of %d bytes (small entries keep the "
	       "disk use sane),\n"
	       "   built in batches of %zu in %.1f s (%.0f entries/s); store %.0f MiB in %s\n",
	       (unsigned long long)pg.done, ENTRY_SMALL, o->proof_batch, pg.seconds,
	       (double)pg.done / pg.seconds, pg.db_mib, o->dir);
	proof_result *pr = &res->proofs;
	queries q;
	queries_draw(&q, pg.done, o->proofs);
	time_proofs(path, &q, pr);
	go_prove(o->go_tlog, o->dir, path, &q, pr, &res->go);
	queries_free(&q);
	bench_remove_live_store();
	res->have_proofs = 1;
	res->proof_entries = pg.done;
	printf("   %llu random proofs of each kind after %llu untimed ones; the store reopened "
	       "cold\n",
	       (unsigned long long)o->proofs, (unsigned long long)(o->proofs / 100));
	printf("   %-38s %8s %8s %8s %9s %8s %7s\n", "microseconds", "median", "p99", "mean", "max",
	       "p99 calm", "preempt");
	char extra[64];
	snprintf(extra, sizeof extra, "(%.1f hashes)", pr->mean_len_full);
	print_op("ot_log_inclusion_proof, size = full", &pr->full, extra);
	snprintf(extra, sizeof extra, "(%.1f hashes)", pr->mean_len_older);
	print_op("ot_log_inclusion_proof, older size", &pr->older, extra);
	print_op("ot_verify_inclusion, size = full", &pr->verify, "");
	printf("   (p99 calm: without the calls during which another process preempted this one;\n"
	       "    preempt: how many those were. Proofs that failed to verify: %llu)\n\n",
	       (unsigned long long)pr->failures);
	if (pr->failures)
		bench_die("%llu proofs did not verify", (unsigned long long)pr->failures);
	const go_result *g = &res->go;
	if (g->have) {
		printf("   Go's sumdb/tlog (%s), tlog.ProveRecord over the same tree held in "
		       "memory\n"
		       "   (its stored hashes in a Go slice), the same proofs; roots and proofs "
		       "equal to the log's\n",
		       g->version);
		printf("   %-38s %8s %8s %8s %12s\n", "microseconds", "median", "p99", "mean",
		       "Go / ours");
		const op_result *mine[2] = {&pr->full, &pr->older};
		const char *names[2] = {"tlog.ProveRecord, size = full",
		                        "tlog.ProveRecord, older size"};
		for (int k = 0; k < 2; k++)
			printf("   %-38s %8.2f %8.2f %8.2f %10.2fx\n", names[k], g->p50[k],
			       g->p99[k], g->mean[k], g->p50[k] / mine[k]->all.p50);
		printf("   (Go / ours: Go's median over the log's; > 1 means the log is "
		       "faster)\n\n");
	} else {
		printf("   Go's sumdb/tlog not compared: %s\n\n", g->why);
	}

	printf("5. memory while the proof log grows (RSS from /proc/self/statm; %.1f MiB before)\n",
	       rss_before);
	printf("   %10s %8s %8s\n", "entries", "seconds", "RSS MiB");
	for (int i = 0; i < pg.n_samples; i++)
		printf("   %10llu %8.1f %8.1f\n", (unsigned long long)pg.samples[i].entries,
		       pg.samples[i].seconds, pg.samples[i].rss_mib);
	/* Flat: growth over the second half of the build, when the store's
	 * bounded page cache (64 MiB) has long filled. */
	if (pg.n_samples >= 4 && pg.done >= 2000000) {
		int mid = pg.n_samples / 2 - 1;
		double lo = pg.samples[mid].rss_mib, hi = lo;
		for (int i = mid; i < pg.n_samples; i++)
			hi = pg.samples[i].rss_mib > hi ? pg.samples[i].rss_mib : hi;
		res->growth_mib = hi - lo;
		res->growth_from = pg.samples[mid].entries;
		res->have_growth = 1;
		printf("   growth from %llu to %llu entries: %+.1f MiB\n",
		       (unsigned long long)res->growth_from, (unsigned long long)pg.done,
		       res->growth_mib);
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	bench_name = "bench_log";
	opts o;
	parse_args(argc, argv, &o);
	rng_state = o.seed;
	for (size_t j = 0; j < ENTRY_1K; j++)
		pattern_1k[j] = (uint8_t)(j * 7 + 1);
	setvbuf(stdout, NULL, _IOLBF, 0);

	bench_banner(o.quick);
	bench_machine_line(1, "%s; SQLite %s", OpenSSL_version(OPENSSL_VERSION),
	                   sqlite3_libversion());
	printf("load average %.2f at the start; MB = 10^6 bytes, MiB = 2^20\n\n", bench_loadavg());
	ot_signer *signer = bench_signer();
	results res;
	memset(&res, 0, sizeof res);
	bench_remove_at_exit();

	/* Peak RSS after each phase: where the peak comes from. */
	char peaks[256] = "";
	size_t pl = 0;
	if (o.phases & PHASE_HASHING) {
		phase_hashing(&o, signer, &res);
		pl += (size_t)snprintf(peaks + pl, sizeof peaks - pl,
		                       "%.1f MiB after hashing (its %.0f MiB buffer), ",
		                       bench_peak_mib(), (double)o.sha_bytes / MIB);
	}
	if (o.phases & PHASE_APPEND) {
		phase_append(&o, signer);
		pl += (size_t)snprintf(peaks + pl, sizeof peaks - pl, "%.1f MiB after appends, ",
		                       bench_peak_mib());
	}
	if (o.phases & PHASE_PROOFS)
		phase_proofs(&o, signer, &res);
	printf("peak RSS (ru_maxrss): %s%.1f MiB at the end\nload average %.2f at the end\n\n",
	       peaks, bench_peak_mib(), bench_loadavg());

	/* One line per goal: what, the figure, the verdict. */
	char fig[160];
	if (res.have_tree || res.have_proofs)
		printf("goals (DESIGN.md)\n");
	if (res.have_tree) {
		snprintf(fig, sizeof fig, "%.1f %% (ratio of fastest trials %.1f %%)", res.tree_pct,
		         res.tree_pct_best);
		printf("  %-42s %-56s %s\n", "tree hashing >= 90 % of raw SHA-256", fig,
		       bench_verdict(res.tree_pct >= GOAL_TREE_PCT));
	}
	if (res.have_proofs) {
		const proof_result *pr = &res.proofs;
		int ok = pr->full.all.p50 < GOAL_PROOF_US && pr->older.all.p50 < GOAL_PROOF_US;
		snprintf(fig, sizeof fig, "median %.1f us at size = full, %.1f us at older sizes",
		         pr->full.all.p50, pr->older.all.p50);
		printf("  %-42s %-56s %s%s\n",
		       res.proof_entries >= 10000000 ? "inclusion proof < 50 us, 10M-entry log"
		                                     : "inclusion proof < 50 us (small log)",
		       fig, bench_verdict(ok),
		       res.proof_entries >= 10000000 ? "" : " (indicative only)");
		if (res.go.have) {
			double rf = res.go.p50[0] / pr->full.all.p50;
			double ro = res.go.p50[1] / pr->older.all.p50;
			snprintf(fig, sizeof fig,
			         "%.2fx Go's speed at size = full, %.2fx at older sizes", rf, ro);
			printf("  %-42s %-56s %s (issue 16)\n",
			       "inclusion proof >= 2x Go's tlog speed", fig,
			       bench_verdict(rf >= 2.0 && ro >= 2.0));
		}
		if (res.have_growth) {
			snprintf(fig, sizeof fig, "%+.1f MiB RSS from %llu to %llu entries",
			         res.growth_mib, (unsigned long long)res.growth_from,
			         (unsigned long long)res.proof_entries);
			printf("  %-42s %-56s %s\n", "memory flat as the log grows (<= 4 MiB)", fig,
			       bench_verdict(res.growth_mib <= GOAL_FLAT_MIB));
		} else {
			printf("  %-42s %-56s\n", "memory flat as the log grows",
			       "not judged: needs --proof-entries >= 2000000");
		}
	}
	ot_signer_free(signer);
	return 0;
}
