/*
 * cmd_monitor.c: `oretrail monitor`: follows a log over HTTP the way a
 * C2SP tlog-tiles client would, trusting nothing but the log's key.
 *
 * A round: GET /checkpoint and verify its signature; fetch the entry bundles
 * the monitor has not seen (tile/entries/N[.p/W]); recompute the tree from
 * the entries and check it against the signed root; fetch every hash tile
 * of the tree that changed (tile/L/N[.p/W]) and check each hash against the
 * recomputed tree (a tampered tile is found even where the root agrees);
 * check the checkpoint against the last one seen (kept in DIR/checkpoint
 * with --state) by recomputing that tree's root from the same entries; then
 * replay the new entries through the ledger's rules into an in-memory
 * ledger (the ledger's replay engine, replay.h: the same parse, signature
 * and rules code as `audit`) and report the findings the log's growth
 * brings.
 *
 * It keeps every leaf hash in memory (32 bytes an entry) and recomputes the
 * roots it needs from them: simple, and enough for logs of millions of
 * entries.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cli_ledger.h"
#include "cli/follow.h"
#include "oretrail/encoding.h"
#include "oretrail/proof.h"
#include "oretrail/replay.h"
#include "oretrail/status.h"
#include "oretrail/tile.h"

#define STATE_FILE "checkpoint"
#define TILE_MAX ((size_t)256 * (OT_ENTRY_MAX + 2))
#define REPLAY_CHUNK 1024

static const cli_spec SPEC = {
	"oretrail monitor --log URL --log-key VKEY [--state DIR] [--once]\n"
	"                        [--interval SECONDS] [--json] [--now TIME]",
	"Follows the log at URL: verifies its checkpoint's signature by VKEY,\n"
	"fetches the entry bundles and hash tiles (C2SP tlog-tiles), recomputes\n"
	"the tree from the entries and checks the signed root and every tile,\n"
	"checks consistency with the last checkpoint seen (kept in DIR), replays\n"
	"the entries through the ledger's rules into an in-memory ledger, and\n"
	"reports what it finds as the log grows:\n"
	"  checkpoint  a new tree, verified\n"
	"  finding     a suspicious fact the rules allow (as `oretrail audit`)\n"
	"  problem     the log is broken: a bad tile or root, a fork, an entry that\n"
	"              breaks the rules\n\n"
	"exit codes: 0 no problem (findings are no problem); 1 a problem was found;\n"
	"2 usage; 3 the log or DIR cannot be used.\n",
	0,
};

typedef struct monitor {
	const char *url;
	const char *dir;
	ot_verifier *log_key;
	int json;
	int64_t now;
	char state_path[4200];

	/* What has been fetched and checked so far. */
	uint64_t size; /* entries fetched and replayed */
	uint8_t (*leaves)[OT_HASH_SIZE];
	uint64_t cap;
	uint64_t tiles_checked; /* tree size at which the tiles were last checked */
	ot_checkpoint last;     /* the last checkpoint seen */
	int have_last;

	/* The replay. */
	ot_replay *replay;
	json_t *seen; /* findings reported: "index/kind/subject" */
	size_t problems;
	int invalid; /* a round found a problem */
} monitor;

static void emit(json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(doc);
	fflush(stdout);
}

static void problem(monitor *m, int64_t index, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void problem(monitor *m, int64_t index, const char *code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	m->problems++;
	if (m->json)
		emit(json_pack("{s:s,s:o,s:s,s:s}", "type", "problem", "index",
		               index >= 0 ? json_integer(index) : json_null(), "code", code,
		               "message", msg));
	else
		printf("problem: %s: %s\n", code, msg);
	fflush(stdout);
}

/* The leaf hashes as an ot_node_reader: no subtree is kept, so
 * ot_range_hash hashes them up. */
static ot_status read_leaf(void *ctx, unsigned level, uint64_t index, uint8_t out[OT_HASH_SIZE])
{
	const monitor *m = ctx;
	if (level > 0)
		return OT_ERR_NOTFOUND;
	memcpy(out, m->leaves[index], OT_HASH_SIZE);
	return OT_OK;
}

/* MTH(leaves[start:end]) per RFC 9162 2.1.1. */
static void range_hash(monitor *m, uint64_t start, uint64_t end, uint8_t out[OT_HASH_SIZE])
{
	(void)ot_range_hash(read_leaf, m, start, end, out); /* cannot fail: end <= m->size */
}

static ot_status grow(monitor *m, uint64_t n, ot_error *err)
{
	if (n <= m->cap)
		return OT_OK;
	uint64_t cap = m->cap ? m->cap : 1024;
	while (cap < n)
		cap *= 2;
	void *p = realloc(m->leaves, (size_t)cap * OT_HASH_SIZE);
	if (!p)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory for %" PRIu64 " leaf hashes",
		                    cap);
	m->leaves = p;
	m->cap = cap;
	return OT_OK;
}

/* --- the replay --- */

/* A problem for each entry that is not a signed event or breaks the rules. */
static ot_status replay_outcome(void *ctx, const ot_replay_outcome *o)
{
	monitor *m = ctx;
	if (!o->parsed)
		problem(m, (int64_t)o->index, "bad_entry",
		        "entry %" PRIu64 " is not a signed event: %s", o->index, o->error->message);
	else if (o->status)
		problem(m, (int64_t)o->index, "replay_rejected",
		        "entry %" PRIu64 " breaks the ledger's rules: %s: %s", o->index,
		        o->error->code[0] ? o->error->code : ot_status_code(o->status),
		        o->error->message);
	return OT_OK;
}

static ot_status replay(monitor *m, uint64_t first, uint8_t **data, size_t *lens, size_t n,
                        ot_error *err)
{
	return ot_replay_entries(m->replay, first, NULL, (const uint8_t *const *)data, lens, n,
	                         replay_outcome, m, err);
}

static void report_findings(monitor *m)
{
	char *text = NULL;
	json_t *all = NULL;
	ot_error err;
	ot_error_clear(&err);
	if (ot_replay_findings(m->replay, m->now ? m->now : (int64_t)time(NULL), 180, &text,
	                       &err) ||
	    !(all = json_loads(text, 0, NULL))) {
		if (err.message[0])
			cli_fail(0, "monitor: findings", &err);
		free(text);
		return;
	}
	free(text);
	size_t i;
	json_t *f;
	json_array_foreach(all, i, f)
	{
		char key[600];
		snprintf(key, sizeof key, "%" JSON_INTEGER_FORMAT "/%s/%s",
		         json_integer_value(json_object_get(f, "index")),
		         json_string_value(json_object_get(f, "kind")),
		         json_string_value(json_object_get(f, "subject")));
		if (json_object_get(m->seen, key))
			continue;
		json_object_set_new(m->seen, key, json_true());
		if (m->json) {
			json_t *doc = json_pack("{s:s}", "type", "finding");
			json_object_update(doc, f);
			emit(doc);
		} else {
			printf("finding: entry %" JSON_INTEGER_FORMAT ": %s %s: %s\n",
			       json_integer_value(json_object_get(f, "index")),
			       json_string_value(json_object_get(f, "kind")),
			       json_string_value(json_object_get(f, "subject")),
			       json_string_value(json_object_get(f, "detail")));
		}
	}
	fflush(stdout);
	json_decref(all);
}

/* --- fetching --- */

static ot_status fetch_tile(monitor *m, const ot_tile *t, ot_http_resp *resp, ot_error *err)
{
	char path[128];
	path[0] = '/';
	if (ot_tile_path(t, path + 1, sizeof path - 1))
		return ot_error_set(err, OT_ERR_ARG, "bad tile");
	ot_status rc = ot_http_get(m->url, path, TILE_MAX, resp, err);
	if (rc)
		return rc;
	if (resp->status != 200) {
		long st = resp->status;
		ot_http_free(resp);
		return ot_error_set(err, OT_ERR_NOTFOUND, "GET %s: HTTP %ld", path, st);
	}
	return OT_OK;
}

/* Fetches entries [m->size, size), hashes them and replays them. */
static ot_status fetch_entries(monitor *m, uint64_t size, ot_error *err)
{
	ot_status rc = grow(m, size, err);
	if (rc)
		return rc;
	uint8_t *data[REPLAY_CHUNK];
	size_t lens[REPLAY_CHUNK];
	size_t n = 0;
	uint64_t chunk_first = m->size;
	while (!rc && m->size < size) {
		ot_tile t = {OT_TILE_LEVEL_ENTRIES, m->size / OT_TILE_WIDTH,
		             ot_tile_width_at(0, m->size / OT_TILE_WIDTH, size)};
		ot_http_resp resp;
		if ((rc = fetch_tile(m, &t, &resp, err)))
			break;
		const uint8_t *entry[OT_TILE_WIDTH];
		size_t entry_len[OT_TILE_WIDTH], used = 0;
		size_t got =
			ot_tile_bundle_split(resp.body, resp.len, t.width, entry, entry_len, &used);
		uint64_t index = t.index * OT_TILE_WIDTH;
		for (size_t k = 0; !rc && k < got; k++, index++) {
			size_t len = entry_len[k];
			if (index >= m->size) {
				ot_leaf_hash(entry[k], len, m->leaves[index]);
				data[n] = malloc(len ? len : 1);
				if (!data[n]) {
					rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
					break;
				}
				memcpy(data[n], entry[k], len);
				lens[n++] = len;
				if (n == REPLAY_CHUNK) {
					rc = replay(m, chunk_first, data, lens, n, err);
					while (n)
						free(data[--n]);
					chunk_first = index + 1;
				}
			}
		}
		if (!rc && got < t.width)
			rc = ot_error_set(err, OT_ERR_CORRUPT,
			                  "entry bundle %" PRIu64 " is truncated", t.index);
		if (!rc && used != resp.len)
			rc = ot_error_set(err, OT_ERR_CORRUPT,
			                  "entry bundle %" PRIu64 " has bytes after its %u entries",
			                  t.index, t.width);
		ot_http_free(&resp);
		if (!rc)
			m->size = index;
	}
	if (!rc && n)
		rc = replay(m, chunk_first, data, lens, n, err);
	while (n)
		free(data[--n]);
	return rc;
}

/* Checks every hash tile that changed between m->tiles_checked and size. */
static ot_status check_tiles(monitor *m, uint64_t size, ot_error *err)
{
	for (int level = 0;; level++) {
		unsigned shift = (unsigned)(OT_TILE_HEIGHT * level);
		if (shift >= 64 || (size >> shift) == 0)
			break;
		uint64_t nodes = size >> shift; /* complete nodes at tree level 8*level */
		uint64_t first = (m->tiles_checked >> shift) / OT_TILE_WIDTH;
		for (uint64_t idx = first; idx * OT_TILE_WIDTH < nodes; idx++) {
			ot_tile t = {level, idx, ot_tile_width_at(level, idx, size)};
			if (!t.width)
				break;
			ot_http_resp resp;
			ot_status rc = fetch_tile(m, &t, &resp, err);
			if (rc)
				return rc;
			char path[128];
			ot_tile_path(&t, path, sizeof path);
			if (resp.len != (size_t)t.width * OT_HASH_SIZE) {
				problem(m, -1, "tile_mismatch", "%s is %zu bytes, not %u hashes",
				        path, resp.len, t.width);
			} else {
				for (unsigned j = 0; j < t.width; j++) {
					uint64_t node = idx * OT_TILE_WIDTH + j;
					uint8_t h[OT_HASH_SIZE];
					range_hash(m, node << shift, (node + 1) << shift, h);
					if (memcmp(h, resp.body + (size_t)j * OT_HASH_SIZE,
					           OT_HASH_SIZE) != 0) {
						problem(m, level == 0 ? (int64_t)node : -1,
						        "tile_mismatch",
						        "%s: hash %u is not the hash of entries "
						        "%" PRIu64 "..%" PRIu64
						        " as served in the entry bundles",
						        path, j, node << shift,
						        ((node + 1) << shift) - 1);
						break;
					}
				}
			}
			ot_http_free(&resp);
		}
	}
	m->tiles_checked = size;
	return OT_OK;
}

static ot_status open_checkpoint(monitor *m, const char *note, size_t len, ot_checkpoint *cp,
                                 ot_error *err)
{
	ot_note n;
	ot_status rc = ot_note_open(note, len, &m->log_key, 1, &n, err);
	if (rc)
		return rc;
	rc = ot_checkpoint_parse(n.text, n.text_len, cp, err);
	ot_note_clear(&n);
	return rc;
}

/* One round; returns an exit code for --once. */
/* A checkpoint that goes back on the last one seen: another origin, a
 * smaller tree, fewer entries than fetched. Reports it; 1 when it does. */
static int goes_back(monitor *m, const ot_checkpoint *cp)
{
	if (m->have_last && strcmp(m->last.origin, cp->origin) != 0)
		problem(m, -1, "origin_changed", "the log's origin changed from \"%s\" to \"%s\"",
		        m->last.origin, cp->origin);
	else if (m->have_last && cp->size < m->last.size)
		problem(m, -1, "rollback",
		        "the log signs a tree of %" PRIu64 " entries after one of %" PRIu64,
		        cp->size, m->last.size);
	else if (m->size > cp->size)
		problem(m, -1, "rollback", "the log shrank to %" PRIu64 " entries", cp->size);
	else
		return 0;
	return 1;
}

/* Fetches the entries up to cp's size and checks the tree they make: the
 * signed root, the extension of the last tree seen, the tiles served.
 * Problems are reported; the exit code is for what could not be fetched. */
static int check_tree(monitor *m, const ot_checkpoint *cp)
{
	ot_error err;
	ot_error_clear(&err);
	if (fetch_entries(m, cp->size, &err))
		return cli_fail(EXIT_STORE, "monitor: fetching the entries", &err);
	uint8_t root[OT_HASH_SIZE];
	range_hash(m, 0, cp->size, root);
	if (memcmp(root, cp->root, OT_HASH_SIZE) != 0)
		problem(m, -1, "root_mismatch",
		        "the entries served do not make the signed tree of %" PRIu64 " entries",
		        cp->size);
	if (m->have_last) {
		range_hash(m, 0, m->last.size, root);
		if (memcmp(root, m->last.root, OT_HASH_SIZE) != 0)
			problem(m, -1, "inconsistent",
			        "the tree of %" PRIu64
			        " entries is not an extension of the one of %" PRIu64
			        " entries seen before",
			        cp->size, m->last.size);
	}
	if (check_tiles(m, cp->size, &err))
		return cli_fail(EXIT_STORE, "monitor: fetching the tiles", &err);
	return EXIT_OK;
}

/* A checkpoint that verified: says so, reports the findings, and keeps it
 * (note: its text as served) as the last one seen. */
static int accept_checkpoint(monitor *m, const ot_checkpoint *cp, uint64_t before,
                             const ot_http_resp *note)
{
	char b64[64];
	ot_b64_encode(cp->root, OT_HASH_SIZE, b64);
	if (m->json)
		emit(json_pack("{s:s,s:s,s:I,s:s,s:I}", "type", "checkpoint", "origin", cp->origin,
		               "size", (json_int_t)cp->size, "root", b64, "new_entries",
		               (json_int_t)(cp->size - before)));
	else if (!m->have_last || cp->size != m->last.size)
		printf("checkpoint: %" PRIu64 " entries (%" PRIu64
		       " new): signature, root, tiles and consistency verified\n",
		       cp->size, cp->size - before);
	fflush(stdout);
	report_findings(m);
	m->last = *cp;
	m->have_last = 1;
	ot_error err;
	ot_error_clear(&err);
	if (m->dir &&
	    cli_write_file(m->state_path, (const char *)note->body, note->len, 0644, 0, &err))
		return cli_fail(EXIT_STORE, "monitor: writing the state", &err);
	return EXIT_OK;
}

/* One round; returns an exit code for --once. */
static int round_once(monitor *m)
{
	ot_error err;
	ot_error_clear(&err);
	size_t problems_before = m->problems;
	ot_http_resp resp;
	if (ot_http_get(m->url, "/checkpoint", OT_NOTE_MAX + 1, &resp, &err))
		return cli_fail(EXIT_STORE, "monitor: fetching the checkpoint", &err);
	if (resp.status != 200) {
		ot_http_free(&resp);
		return cli_failf(EXIT_STORE, "monitor", "GET %s/checkpoint: HTTP %ld", m->url,
		                 resp.status);
	}
	ot_checkpoint cp;
	if (open_checkpoint(m, (const char *)resp.body, resp.len, &cp, &err)) {
		problem(m, -1, "checkpoint_signature", "the log's checkpoint does not verify: %s",
		        err.message);
		ot_http_free(&resp);
		return EXIT_INVALID;
	}
	uint64_t before = m->size;
	int code = EXIT_OK;
	if (!goes_back(m, &cp) && !(code = check_tree(m, &cp)) && m->problems == problems_before)
		code = accept_checkpoint(m, &cp, before, &resp);
	ot_http_free(&resp);
	if (!code && m->problems != problems_before)
		code = EXIT_INVALID;
	return code;
}

/* A single round (--once) exits with its own code. Following, a problem
 * found is remembered: the monitor goes on reporting, and exits 1 when
 * stopped. */
static int follow_round(void *ctx, int *stop)
{
	monitor *m = ctx;
	int r = round_once(m);
	if (*stop)
		return r;
	if (r == EXIT_INVALID)
		m->invalid = 1;
	return m->invalid ? EXIT_INVALID : EXIT_OK;
}

static int load_state(monitor *m)
{
	char *note = NULL;
	size_t len = 0;
	ot_error err;
	ot_error_clear(&err);
	ot_status rc = cli_read_file(m->state_path, &note, &len, OT_NOTE_MAX * 2, &err);
	if (rc == OT_ERR_NOTFOUND)
		return 0;
	if (!rc && !(rc = open_checkpoint(m, note, len, &m->last, &err)))
		m->have_last = 1;
	free(note);
	return rc ? cli_fail(EXIT_STORE, "monitor: the state", &err) : 0;
}

int cmd_monitor(int argc, char **argv)
{
	monitor m;
	memset(&m, 0, sizeof m);
	const char *log_key_path = NULL, *interval_s = NULL, *now_s = NULL;
	int once = 0;
	uint64_t interval = 10;
	const cli_opt opts[] = {
		{"log", 0, "URL", "the log to follow (an `oretrail serve`)", &m.url, NULL},
		{"log-key", 0, "VKEY", "the log's verifier key", &log_key_path, NULL},
		{"state", 0, "DIR", "keep the last checkpoint seen in DIR/checkpoint", &m.dir,
	         NULL},
		{"once", 0, NULL, "one round, then exit", NULL, &once},
		{"interval", 0, "SECONDS", "time between rounds (10)", &interval_s, NULL},
		{"json", 0, NULL, "one JSON object a line", NULL, &m.json},
		{"now", 0, "TIME", "the time for findings (RFC 3339 or YYYY-MM-DD; default: now)",
	         &now_s, NULL},
		CLI_OPT_END,
	};
	int code, first = cli_parse(&SPEC, opts, argc, argv, &code);
	if (first < 0)
		return code;
	if ((code = cli_follow_interval("monitor", interval_s, &interval)))
		return code;
	if (now_s && !cli_parse_time(now_s, &m.now))
		return cli_failf(EXIT_USAGE, "monitor",
		                 "--now %s is not a time: use YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD",
		                 now_s);
	if ((code = cli_no_operands("monitor", argc, argv, first)))
		return code;
	if (!m.url || !log_key_path)
		return cli_failf(EXIT_USAGE, "monitor", "--log and --log-key are required");
	ot_error err;
	ot_error_clear(&err);
	if (cli_load_verifier(log_key_path, &m.log_key, &err))
		return cli_fail(EXIT_USAGE, "monitor: loading --log-key", &err);
	m.seen = json_object();
	if (!m.seen || ot_replay_new(m.log_key, 0, &m.replay, &err)) {
		code = cli_fail(EXIT_STORE, "monitor: the in-memory ledger", &err);
		goto out;
	}
	if (m.dir) {
		if (mkdir(m.dir, 0700) != 0 && errno != EEXIST) {
			code = cli_failf(EXIT_STORE, "monitor", "cannot create %s: %s", m.dir,
			                 strerror(errno));
			goto out;
		}
		snprintf(m.state_path, sizeof m.state_path, "%s/%s", m.dir, STATE_FILE);
		if ((code = load_state(&m)))
			goto out;
	}
	code = cli_follow("monitor", once, interval, follow_round, &m);
out:
	ot_replay_free(m.replay);
	json_decref(m.seen);
	free(m.leaves);
	ot_verifier_free(m.log_key);
	return code;
}
