/*
 * cmd_submit.c: `oretrail submit`: signs and appends events.
 *
 * The input is a file of events: JSON lines (one object per line; any
 * sequence of JSON objects, so pretty-printed objects one after another work
 * too) or one JSON array. Each object is either a bare event, which is signed
 * here with --key as the key's actor (or --as ACTOR), or an already signed
 * envelope {"event","signer","sig"}, which is passed on as it is. Everything
 * goes to the ledger in one batch, checked event by event against the state
 * the earlier ones leave: all or none by default, the valid ones with
 * --keep-going. Two keys are at work: KEYFILE signs the events (it is the
 * submitter's), the ledger's log key (PATH.key, from `oretrail init`) signs
 * the new checkpoint (it is the operator's). With --sign-only the submitter
 * signs on their own machine and hands the envelopes to the operator.
 * With --server the signed envelopes go to a running server's POST /add
 * instead, in chunks, with safe retries (the server answers an envelope it
 * already holds with its index): the remote_* functions below, which are
 * in oretrail-net only; oretrail execs it for --server (cli/net.c).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_ledger.h"
#include "cli/events_in.h"
#include "oretrail/buf.h"
#include "oretrail/event.h"
#ifdef OT_CLI_NET
#include "oretrail/http.h"
#endif
#include "oretrail/json.h"
#include "oretrail/status.h"

/* Largest input file. Each event is at most 64 KiB canonical; this allows
 * some hundred thousand events in one all-or-none batch. */
#define SUBMIT_FILE_MAX ((size_t)256 << 20)
/* Show progress on a terminal from this many events. */
#define PROGRESS_FROM 1000

static const cli_spec SPEC = {
	"oretrail submit --db PATH [--key KEYFILE] [--as ACTOR] [--log-key FILE]\n"
	"                       [--keep-going] [--dry-run] [--json] FILE|-\n"
	"       oretrail submit --sign-only --key KEYFILE [--as ACTOR] FILE|-\n"
	"       oretrail submit --server URL [--key KEYFILE] [--as ACTOR] [--chunk N]\n"
	"                       [--retries N] [--keep-going] [--json] FILE|-",
	"Appends the events in FILE (or standard input) to the ledger at PATH.\n"
	"FILE holds JSON lines, one event per line (any sequence of JSON objects\n"
	"works; lines starting with # are comments), or one JSON array of events.\n"
	"A bare event ({\"type\",\"id\",\"time\",...}) is signed with KEYFILE as the\n"
	"key's actor (its name), or as ACTOR with --as; an already signed envelope\n"
	"({\"event\",\"signer\",\"sig\"}) is passed on as it is.\n"
	"\n"
	"All or none: the events are checked one after another, each against the\n"
	"state the earlier ones leave, and the first one the ledger rejects stops\n"
	"the submission with its position, field and reason; nothing is appended.\n"
	"With --keep-going the valid events are appended and the rejected ones\n"
	"listed. --dry-run checks without appending.\n"
	"\n"
	"--sign-only signs the bare events and prints every envelope, one per line\n"
	"in canonical form, without a ledger: the submitter signs on their own\n"
	"machine and the operator submits the envelopes (no --key needed then).\n"
	"\n"
	"--server URL posts to a running `oretrail serve` (POST /add) instead, in\n"
	"requests of at most --chunk events (default 1000), each all or none. Where\n"
	"the server cannot answer (no connection, 500, 502, 503, 504) a request is\n"
	"sent again, up to --retries times (default 8; then exit 3). Retries are\n"
	"safe: an event the ledger already holds byte for byte is answered with its\n"
	"index, \"(already in the ledger)\", so running the same command again\n"
	"resumes an interrupted submission. A server that does not write (one of\n"
	"several on a PostgreSQL database) names the one that does: the requests go\n"
	"there from then on, and back to URL if that one stops answering.\n"
	"\n"
	"Appending signs a new checkpoint with the ledger's log key, PATH.key as\n"
	"written by `oretrail init` (--log-key FILE to take it from elsewhere).\n"
	"\n"
	"Prints one line per appended event: its log index, type and id; with\n"
	"--json one object {\"appended\",\"size\",\"entries\":[{\"event\",\"line\",\n"
	"\"index\",\"type\",\"id\"}],\"rejected\":[...]}. Events are numbered from 1\n"
	"in the order of FILE; line is where the event starts (0 inside an array).\n"
	"Progress is shown on a terminal for large submissions.\n"
	"\n"
	"Exit 0 when every event was appended, 4 when the ledger rejected one\n"
	"(with --keep-going: when any was rejected), 2 for unusable input, 3 when\n"
	"the ledger cannot be written.\n",
	0,
};

typedef struct item {
	unsigned long line; /* where the event starts in FILE; 0 inside an array */
	json_t *value;      /* the object as read */
	int is_signed;
	ot_buf entry;    /* what goes to the ledger */
	int64_t index;   /* log index once appended, else -1 */
	int existing;    /* 1: it was in the ledger already (a retry) */
	ot_error *error; /* why it was rejected (owned), NULL when it was not */
} item;

typedef struct batch {
	item *items;
	size_t n, cap;
} batch;

static void batch_free(batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		json_decref(b->items[i].value);
		ot_buf_free(&b->items[i].entry);
		free(b->items[i].error);
	}
	free(b->items);
	memset(b, 0, sizeof *b);
}

static ot_status batch_add(batch *b, json_t *value, unsigned long line, ot_error *err)
{
	if (b->n == b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 64;
		item *p = realloc(b->items, nc * sizeof *p);
		if (!p) {
			json_decref(value);
			return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		}
		b->items = p;
		b->cap = nc;
	}
	item *it = &b->items[b->n++];
	memset(it, 0, sizeof *it);
	it->line = line;
	it->value = value;
	it->is_signed = ot_event_is_signed(value);
	it->index = -1;
	ot_buf_init(&it->entry, 0);
	return OT_OK;
}

/* The event inside an item (the envelope's for a signed one). */
static json_t *event_of(const item *it)
{
	return it->is_signed ? json_object_get(it->value, "event") : it->value;
}

static const char *type_of(const item *it)
{
	const char *s = json_string_value(json_object_get(event_of(it), "type"));
	return s ? s : "?";
}

static const char *id_of(const item *it)
{
	const char *s = json_string_value(json_object_get(event_of(it), "id"));
	return s ? s : "?";
}

/* cli_read_events' callback: each event read goes into the batch. */
static ot_status batch_take(void *ctx, json_t *value, unsigned long line, ot_error *err)
{
	return batch_add(ctx, value, line, err);
}

/* "event 500 (line 500)" */
static const char *where(char *buf, size_t size, const batch *b, size_t i)
{
	if (b->items[i].line)
		snprintf(buf, size, "event %zu (line %lu)", i + 1, b->items[i].line);
	else
		snprintf(buf, size, "event %zu", i + 1);
	return buf;
}

/* The ledger prefixes its messages with "batch entry N: " (its own, 0-based
 * numbering of what it was given); the CLI says "event N (line L)". */
static const char *strip_batch_prefix(const char *msg)
{
	if (strncmp(msg, "batch entry ", 12) == 0) {
		const char *p = msg + 12;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p[0] == ':' && p[1] == ' ')
			return p + 2;
	}
	return msg;
}

static json_t *rejected_json(const batch *b, size_t i)
{
	const ot_error *e = b->items[i].error;
	return json_pack("{s:I,s:I,s:s,s:s,s:s,s:s}", "event", (json_int_t)(i + 1), "line",
	                 (json_int_t)b->items[i].line, "type", type_of(&b->items[i]), "id",
	                 id_of(&b->items[i]), "code",
	                 e->code[0] ? e->code : ot_status_code(e->status), "message",
	                 strip_batch_prefix(e->message));
}

static void set_error(item *it, const ot_error *e)
{
	if (!it->error)
		it->error = malloc(sizeof *it->error);
	if (it->error)
		*it->error = *e;
}

typedef struct opts {
	const char *db, *key, *as, *log_key, *wait, *file;
	const char *server, *chunk, *retries;
	int keep_going, dry_run, json, sign_only;
	size_t chunk_n;     /* --chunk as a number */
	unsigned retries_n; /* --retries as a number */
} opts;

/* All or none, rejected: the one line that says which event, where and why.
 * (With --sign-only nothing was to be appended: the event cannot be signed.) */
static int report_rejection(const opts *o, const batch *b, size_t i)
{
	char w[96];
	const ot_error *e = b->items[i].error;
	const char *msg = strip_batch_prefix(e->message);
	fprintf(stderr, "oretrail: submit: %s %s: %s\n", where(w, sizeof w, b, i),
	        o->sign_only ? "cannot be signed"
	        : o->server  ? "rejected by the server"
	                     : "rejected, nothing appended",
	        msg);
	if (o->json) {
		json_t *doc =
			json_pack("{s:{s:s,s:s,s:I,s:I,s:I,s:s}}", "error", "code",
		                  e->code[0] ? e->code : ot_status_code(e->status), "message", msg,
		                  "index", (json_int_t)i, "event", (json_int_t)(i + 1), "line",
		                  (json_int_t)b->items[i].line, "id", id_of(&b->items[i]));
		char *s = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(doc);
	}
	return EXIT_REJECTED;
}

/* {"event","line","index","type","id"}, and "existing":true for a retry. */
static json_t *entry_json(const batch *b, size_t i)
{
	const item *it = &b->items[i];
	json_t *e = json_pack("{s:I,s:I,s:I,s:s,s:s}", "event", (json_int_t)(i + 1), "line",
	                      (json_int_t)it->line, "index", (json_int_t)it->index, "type",
	                      type_of(it), "id", id_of(it));
	if (e && it->existing)
		json_object_set_new(e, "existing", json_true());
	return e;
}

/* --json: {"appended","size","dry_run","entries","rejected"} on one line. */
static int print_done_json(const opts *o, const batch *b, size_t appended, uint64_t size)
{
	json_t *entries = json_array(), *rej = json_array();
	for (size_t i = 0; entries && rej && i < b->n; i++) {
		if (b->items[i].error)
			json_array_append_new(rej, rejected_json(b, i));
		else if (b->items[i].index >= 0)
			json_array_append_new(entries, entry_json(b, i));
	}
	json_t *doc = json_pack("{s:I,s:I,s:b,s:o,s:o}", "appended", (json_int_t)appended, "size",
	                        (json_int_t)size, "dry_run", o->dry_run, "entries", entries,
	                        "rejected", rej);
	char *s = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (!s)
		return cli_failf(EXIT_STORE, "submit", "out of memory");
	printf("%s\n", s);
	free(s);
	return EXIT_OK;
}

/* The last line on standard error: what was (or would be) appended, and
 * how many were in the ledger already (retries). */
static void print_summary(const opts *o, const batch *b, size_t appended, uint64_t size,
                          size_t rejected)
{
	int64_t first = -1, last = -1;
	size_t existing = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (b->items[i].error || b->items[i].index < 0)
			continue;
		if (b->items[i].existing) {
			existing++;
			continue;
		}
		if (first < 0)
			first = b->items[i].index;
		last = b->items[i].index;
	}
	char already[64] = "";
	if (existing)
		snprintf(already, sizeof already, "; %zu %s in the ledger already", existing,
		         existing == 1 ? "was" : "were");
	size_t ok = b->n - rejected - existing;
	if (o->dry_run && first >= 0)
		fprintf(stderr,
		        "oretrail: submit: dry run: %zu of %zu event%s would be appended (entries "
		        "%" PRId64 "-%" PRId64 ")%s; nothing was written\n",
		        ok, b->n, b->n == 1 ? "" : "s", first, last, already);
	else if (o->dry_run)
		fprintf(stderr,
		        "oretrail: submit: dry run: none of %zu event%s would be appended%s\n",
		        b->n, b->n == 1 ? "" : "s", already);
	else if (appended)
		fprintf(stderr,
		        "oretrail: submit: appended %zu of %zu event%s (entries %" PRId64
		        "-%" PRId64 ")%s; the log holds %" PRIu64 " entries\n",
		        appended, b->n, b->n == 1 ? "" : "s", first, last, already, size);
	else
		fprintf(stderr,
		        "oretrail: submit: nothing appended%s; the log holds %" PRIu64 " entries\n",
		        already, size);
}

static int report_done(const opts *o, const batch *b, size_t appended, uint64_t size)
{
	size_t rejected = 0;
	for (size_t i = 0; i < b->n; i++)
		rejected += b->items[i].error != NULL;
	if (o->json) {
		int code = print_done_json(o, b, appended, size);
		if (code)
			return code;
	} else {
		for (size_t i = 0; i < b->n; i++)
			if (!b->items[i].error && b->items[i].index >= 0)
				printf("%" PRId64 " %s %s%s\n", b->items[i].index,
				       type_of(&b->items[i]), id_of(&b->items[i]),
				       b->items[i].existing ? " (already in the ledger)" : "");
	}
	char w[96];
	for (size_t i = 0; i < b->n; i++)
		if (b->items[i].error)
			fprintf(stderr, "oretrail: submit: %s rejected: %s\n",
			        where(w, sizeof w, b, i),
			        strip_batch_prefix(b->items[i].error->message));
	print_summary(o, b, appended, size, rejected);
	if (fflush(stdout) != 0)
		return cli_failf(EXIT_STORE, "submit", "cannot write to standard output");
	return rejected ? EXIT_REJECTED : EXIT_OK;
}

/* --chunk and --retries as numbers (defaults 1000 and 8). */
static int remote_numbers(opts *o)
{
	uint64_t v = 1000;
	if (o->chunk && (!cli_parse_u64(o->chunk, &v) || v == 0 || v > 10000))
		return cli_failf(EXIT_USAGE, "submit",
		                 "--chunk %s: expected a number of events from 1 to 10000 (the "
		                 "server's default limit per request)",
		                 o->chunk);
	o->chunk_n = (size_t)v;
	v = 8;
	if (o->retries && (!cli_parse_u64(o->retries, &v) || v > 100))
		return cli_failf(EXIT_USAGE, "submit",
		                 "--retries %s: expected a number from 0 to 100", o->retries);
	o->retries_n = (unsigned)v;
	return 0;
}

static int parse_opts(int argc, char **argv, opts *o)
{
	memset(o, 0, sizeof *o);
	const cli_opt table[] = {
		CLI_OPTS_APPEND(o),
		{"sign-only", 0, NULL, "sign and print the envelopes; no ledger", NULL,
	         &o->sign_only},
		{"server", 0, "URL", "post to the server at URL (its POST /add) instead of --db",
	         &o->server, NULL},
		{"chunk", 0, "N", "with --server: at most N events per request (default 1000)",
	         &o->chunk, NULL},
		{"retries", 0, "N", "with --server: attempts after the first (default 8)",
	         &o->retries, NULL},
		CLI_OPT_END,
	};
	int code, first = cli_parse(&SPEC, table, argc, argv, &code);
	if (first < 0)
		return code ? code : -1;
	if (argc - first > 1)
		return cli_failf(EXIT_USAGE, "submit", "unexpected argument \"%s\"",
		                 argv[first + 1]);
	if (argc - first != 1)
		return cli_failf(EXIT_USAGE, "submit", "expected FILE (or - for standard input)");
	o->file = argv[first];
	if (o->sign_only) {
		if (o->db || o->log_key || o->keep_going || o->dry_run || o->json)
			return cli_failf(EXIT_USAGE, "submit",
			                 "--sign-only takes no ledger: not with --db, --log-key, "
			                 "--keep-going, --dry-run or --json");
		if (!o->key)
			return cli_failf(EXIT_USAGE, "submit", "--sign-only needs --key KEYFILE");
		return 0;
	}
	if (o->server) {
		if (o->db || o->log_key || o->dry_run || o->wait)
			return cli_failf(EXIT_USAGE, "submit",
			                 "--server takes the place of a ledger: not with --db, "
			                 "--log-key, --dry-run or --wait");
		return remote_numbers(o);
	}
	if (o->chunk || o->retries)
		return cli_failf(EXIT_USAGE, "submit", "--chunk and --retries go with --server");
	if (!o->db)
		return cli_failf(EXIT_USAGE, "submit", "--db (or --server URL) is required");
	return 0;
}

/* Signs every bare event. All or none: the first failure is the answer. */
static int sign_events(const opts *o, batch *b, const ot_signer *key, const char *actor, int tty)
{
	for (size_t i = 0; i < b->n; i++) {
		item *it = &b->items[i];
		ot_error e;
		ot_error_clear(&e);
		if (tty && (i % 512 == 0 || i + 1 == b->n))
			fprintf(stderr, "\rsubmit: signing %zu / %zu events", i + 1, b->n);
		ot_status rc = it->is_signed ? ot_json_canonical(&it->entry, it->value, NULL, &e)
		                             : ot_event_sign(it->value, actor, key, &it->entry, &e);
		if (rc == OT_ERR_NOMEM) {
			if (tty)
				fputc('\n', stderr);
			return cli_fail(EXIT_STORE, "submit", &e);
		}
		if (rc) {
			if (!e.code[0])
				ot_error_at(&e, rc, ot_status_code(rc), -1, "%s", e.message);
			set_error(it, &e);
			if (!it->error)
				return cli_failf(EXIT_STORE, "submit", "out of memory");
			if (!o->keep_going) {
				if (tty)
					fputc('\n', stderr);
				int code = report_rejection(o, b, i);
				return o->sign_only ? EXIT_USAGE : code;
			}
		}
	}
	if (tty)
		fputc('\n', stderr);
	return 0;
}

/* Reads FILE into b, one item per event. */
static int read_events(const opts *o, char **data, batch *b)
{
	ot_error err;
	ot_error_clear(&err);
	size_t len = 0;
	const char *name = strcmp(o->file, "-") == 0 ? "standard input" : o->file;
	if (cli_read_file(o->file, data, &len, SUBMIT_FILE_MAX, &err))
		return cli_fail_json(o->json, EXIT_USAGE, "submit", &err);
	if (cli_read_events(*data, len, batch_take, b, &err)) {
		char w[4200];
		snprintf(w, sizeof w, "submit: %s", name);
		return cli_fail_json(o->json, err.status == OT_ERR_NOMEM ? EXIT_STORE : EXIT_USAGE,
		                     w, &err);
	}
	if (b->n == 0)
		return cli_failf(EXIT_USAGE, "submit", "%s holds no events", name);
	return EXIT_OK;
}

/* The submitter's key, when there is anything to sign (NULL otherwise). */
static int load_key(const opts *o, const batch *b, ot_signer **key)
{
	size_t unsigned_at = 0;
	while (unsigned_at < b->n && b->items[unsigned_at].is_signed)
		unsigned_at++;
	if (unsigned_at < b->n && !o->key) {
		char w[96];
		return cli_failf(EXIT_USAGE, "submit",
		                 "%s is not signed: give --key KEYFILE to sign it",
		                 where(w, sizeof w, b, unsigned_at));
	}
	ot_error err;
	ot_error_clear(&err);
	if (o->key && cli_load_signer(o->key, key, &err))
		return cli_fail_json(o->json, EXIT_USAGE, "submit: loading the signing key", &err);
	return EXIT_OK;
}

/* Hands every signed item to the ledger in one batch and reports. */
static int append(const opts *o, batch *b, ot_ledger *l, int tty)
{
	ot_error err;
	ot_error_clear(&err);
	const uint8_t **ptrs = calloc(b->n, sizeof *ptrs);
	size_t *lens = calloc(b->n, sizeof *lens), *map = calloc(b->n, sizeof *map);
	ot_submit_result *results = calloc(b->n, sizeof *results);
	int code;
	if (!ptrs || !lens || !map || !results) {
		code = cli_failf(EXIT_STORE, "submit", "out of memory");
		goto out;
	}
	size_t k = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (b->items[i].error)
			continue;
		ptrs[k] = b->items[i].entry.data;
		lens[k] = b->items[i].entry.len;
		map[k++] = i;
	}
	if (tty)
		fprintf(stderr, "submit: checking and appending %zu events...", k);
	int flags =
		(o->keep_going ? OT_SUBMIT_KEEP_GOING : 0) | (o->dry_run ? OT_SUBMIT_DRY_RUN : 0);
	size_t appended = 0;
	ot_status rc = ot_ledger_submit(l, ptrs, lens, k, flags, results, &appended, &err);
	if (tty)
		fprintf(stderr, " done\n");
	if (rc && err.index >= 0 && (size_t)err.index < k && cli_exit_for(rc) != EXIT_STORE &&
	    rc != OT_ERR_READONLY) {
		/* All or none, and one event was rejected. */
		set_error(&b->items[map[err.index]], &err);
		code = report_rejection(o, b, map[err.index]);
		goto out;
	}
	if (rc) {
		code = cli_fail_json(o->json,
		                     cli_exit_for(rc) == EXIT_USAGE ? EXIT_USAGE : EXIT_STORE,
		                     "submit", &err);
		goto out;
	}
	for (size_t j = 0; j < k; j++) {
		item *it = &b->items[map[j]];
		if (results[j].error.status != OT_OK) {
			set_error(it, &results[j].error);
		} else {
			it->index = results[j].index;
			it->existing = results[j].existing;
		}
	}
	code = report_done(o, b, appended, ot_log_size(ot_ledger_log(l)));
out:
	free(results);
	free(ptrs);
	free(lens);
	free(map);
	return code;
}

#ifdef OT_CLI_NET
/* --- over the network: --server URL --- */

/* Most bytes in one request: half the server's default body limit. */
#define REMOTE_BODY_MAX ((size_t)8 << 20)
#define REMOTE_ANSWER_MAX ((size_t)16 << 20)

typedef struct remote {
	const opts *o;
	batch *b;
	size_t chunk;     /* most events per request */
	unsigned retries; /* attempts after the first, for each request */
	int tty;
	size_t sent, appended;
	uint64_t size;
	struct timespec start;
	char server[1024]; /* where requests go now: --server, or the leader it named */
} remote;

static double elapsed_s(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

/* The request body for items [from, to) that are not rejected: a JSON array
 * of their canonical envelopes. Returns how many went in (map[k] = item). */
static size_t remote_body(const remote *r, size_t from, size_t to, ot_buf *body, size_t *map)
{
	size_t k = 0;
	body->len = 0;
	if (ot_buf_addc(body, '['))
		return 0;
	for (size_t i = from; i < to; i++) {
		const item *it = &r->b->items[i];
		if (it->error)
			continue;
		if ((k && ot_buf_addc(body, ',')) ||
		    ot_buf_add(body, it->entry.data, it->entry.len))
			return 0;
		map[k++] = i;
	}
	return ot_buf_addc(body, ']') ? 0 : k;
}

/* Where the next request ends: at most r->chunk events and REMOTE_BODY_MAX
 * bytes (one event at least). */
static size_t remote_chunk_end(const remote *r, size_t from)
{
	size_t bytes = 2, to = from;
	while (to < r->b->n && to - from < r->chunk) {
		size_t len = r->b->items[to].entry.len + 1;
		if (to > from && bytes + len > REMOTE_BODY_MAX)
			break;
		bytes += len;
		to++;
	}
	return to;
}

/* Worth another attempt: no answer, or the server says "later" (503, and
 * the gateway and internal errors, after which nothing was written). A
 * retry is safe: what the ledger already holds comes back as "existing". */
static int remote_retryable(ot_status rc, const ot_http_resp *resp)
{
	return rc == OT_ERR_IO || resp->status == 500 || resp->status == 502 ||
	       resp->status == 503 || resp->status == 504;
}

/* Seconds to wait before attempt `attempt` (1, 2, ...): the server's
 * Retry-After when it gave one, else 1, 2, 4, ... up to 30. */
static unsigned remote_backoff(unsigned attempt, const ot_http_resp *resp)
{
	if (resp->retry_after_s > 0)
		return resp->retry_after_s > 30 ? 30u : (unsigned)resp->retry_after_s;
	unsigned s = 1u << (attempt > 5 ? 5 : attempt - 1);
	return s > 30 ? 30u : s;
}

/* The server's {"error":{"code","message","index"}}, as an ot_error. */
static void remote_error(const ot_http_resp *resp, ot_error *e)
{
	json_t *doc = json_loadb((const char *)resp->body, resp->len, 0, NULL);
	json_t *jerr = json_object_get(doc, "error");
	const char *code = json_string_value(json_object_get(jerr, "code"));
	const char *msg = json_string_value(json_object_get(jerr, "message"));
	json_t *idx = json_object_get(jerr, "index");
	ot_error_at(e, resp->status == 409 ? OT_ERR_CONFLICT : OT_ERR_RULE, code ? code : "http",
	            json_is_integer(idx) ? (int64_t)json_integer_value(idx) : -1,
	            "the server answered %ld: %s", resp->status, msg ? msg : "(no error message)");
	json_decref(doc);
}

/* A 200 answer: each event's index, and whether it was there already. */
static int remote_accepted(remote *r, const ot_http_resp *resp, const size_t *map, size_t k)
{
	json_t *doc = json_loadb((const char *)resp->body, resp->len, 0, NULL);
	json_t *entries = json_object_get(doc, "entries");
	json_t *size = json_object_get(doc, "tree_size");
	int ok = json_is_array(entries) && json_array_size(entries) == k && json_is_integer(size);
	for (size_t j = 0; ok && j < k; j++) {
		json_t *e = json_array_get(entries, j);
		json_t *index = json_object_get(e, "index");
		if (!json_is_integer(index) || json_integer_value(index) < 0) {
			ok = 0;
			break;
		}
		item *it = &r->b->items[map[j]];
		it->index = (int64_t)json_integer_value(index);
		it->existing = json_is_true(json_object_get(e, "existing"));
		r->appended += !it->existing;
	}
	if (ok && (uint64_t)json_integer_value(size) > r->size)
		r->size = (uint64_t)json_integer_value(size);
	json_decref(doc);
	return ok;
}

/* Where the next attempt goes, after one that found no writer. A server of
 * several on one database that does not lead answers 503 not_leader naming
 * the leader (docs/events.md, "Several servers on one database"): go there,
 * at once (returns 1). One that went to such a leader and found no one
 * answering goes back to --server, which may lead by the next attempt
 * (returns 0: the caller waits first). */
static int remote_redirect(remote *r, ot_status rc, const ot_http_resp *resp)
{
	if (rc != OT_OK) {
		if (strcmp(r->server, r->o->server) == 0)
			return 0;
		fprintf(stderr, "oretrail: submit: %s does not answer; back to %s\n", r->server,
		        r->o->server);
		snprintf(r->server, sizeof r->server, "%s", r->o->server);
		return 0;
	}
	if (resp->status != 503)
		return 0;
	json_t *doc = json_loadb((const char *)resp->body, resp->len, 0, NULL);
	const char *code =
		json_string_value(json_object_get(json_object_get(doc, "error"), "code"));
	const char *url = json_string_value(json_object_get(json_object_get(doc, "leader"), "url"));
	int moved = code && url && strcmp(code, "not_leader") == 0 &&
	            (strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0) &&
	            strlen(url) < sizeof r->server && strcmp(url, r->server) != 0;
	if (moved) {
		fprintf(stderr, "oretrail: submit: %s does not write; sending to the leader, %s\n",
		        r->server, url);
		snprintf(r->server, sizeof r->server, "%s", url);
	}
	json_decref(doc);
	return moved;
}

/* Posts one request, retrying while the server cannot answer. Returns 0
 * when it was answered (*resp holds the answer), else the exit code. */
static int remote_post(remote *r, const ot_buf *body, ot_http_resp *resp)
{
	for (unsigned attempt = 0;; attempt++) {
		ot_error e;
		ot_error_clear(&e);
		ot_http_limits lim = {REMOTE_ANSWER_MAX, 10, 300, NULL};
		ot_status rc = ot_http_request(r->server, "/add", "application/json", body->data,
		                               body->len, &lim, resp, &e);
		if (!remote_retryable(rc, resp))
			return 0;
		if (attempt == r->retries) {
			if (rc == OT_OK)
				remote_error(resp, &e);
			ot_http_free(resp);
			ot_error_prefix(&e, "%s: no answer after %u attempts", r->server,
			                attempt + 1);
			return cli_fail_json(r->o->json, EXIT_STORE, "submit", &e);
		}
		unsigned wait = remote_backoff(attempt + 1, resp);
		if (rc == OT_OK)
			remote_error(resp, &e);
		char was[sizeof r->server];
		snprintf(was, sizeof was, "%s", r->server);
		if (remote_redirect(r, rc, resp)) {
			ot_http_free(resp);
			continue;
		}
		fprintf(stderr, "oretrail: submit: %s: %s; trying again in %u s\n", was, e.message,
		        wait);
		ot_http_free(resp);
		sleep(wait);
	}
}

/* One chunk [from, to): posted until it is in, or an event of it is
 * rejected (then, with --keep-going, again without that event). */
static int remote_send(remote *r, size_t from, size_t to, ot_buf *body, size_t *map)
{
	for (;;) {
		size_t k = remote_body(r, from, to, body, map);
		if (k == 0)
			return body->len ? cli_failf(EXIT_STORE, "submit", "out of memory") : 0;
		ot_http_resp resp;
		int code = remote_post(r, body, &resp);
		if (code)
			return code;
		if (resp.status == 200) {
			int ok = remote_accepted(r, &resp, map, k);
			ot_http_free(&resp);
			return ok ? 0
			          : cli_failf(EXIT_STORE, "submit",
			                      "%s: the answer to POST /add is not what the API "
			                      "documents",
			                      r->server);
		}
		ot_error e;
		ot_error_clear(&e);
		remote_error(&resp, &e);
		ot_http_free(&resp);
		if (e.index < 0 || (size_t)e.index >= k) {
			/* The request as a whole: too big, not an API, ... */
			return cli_fail_json(r->o->json, EXIT_STORE, "submit", &e);
		}
		set_error(&r->b->items[map[e.index]], &e);
		if (!r->b->items[map[e.index]].error)
			return cli_failf(EXIT_STORE, "submit", "out of memory");
		if (!r->o->keep_going)
			return report_rejection(r->o, r->b, map[e.index]);
	}
}

/* Sends every signed item to the server at --server, in requests of at
 * most --chunk events, and reports as a local submission does. */
static int remote_append(const opts *o, batch *b, int tty)
{
	size_t chunk = o->chunk_n;
	remote r = {o, b, chunk, o->retries_n, tty, 0, 0, 0, {0, 0}, ""};
	snprintf(r.server, sizeof r.server, "%s", o->server);
	clock_gettime(CLOCK_MONOTONIC, &r.start);
	ot_error err;
	ot_error_clear(&err);
	if (ot_http_init(&err))
		return cli_fail_json(o->json, EXIT_STORE, "submit", &err);
	ot_buf body;
	ot_buf_init(&body, REMOTE_BODY_MAX + 2);
	size_t *map = calloc(chunk, sizeof *map);
	int code = map ? 0 : cli_failf(EXIT_STORE, "submit", "out of memory");
	for (size_t from = 0; !code && from < b->n;) {
		size_t to = remote_chunk_end(&r, from);
		code = remote_send(&r, from, to, &body, map);
		r.sent = from = to;
		if (tty) {
			double t = elapsed_s(&r.start);
			fprintf(stderr, "\rsubmit: %zu / %zu events sent (%.0f events/s)", r.sent,
			        b->n, t > 0 ? (double)r.sent / t : 0.0);
		}
	}
	if (tty)
		fputc('\n', stderr);
	if (!code)
		code = report_done(o, b, r.appended, r.size);
	else if (r.appended)
		fprintf(stderr,
		        "oretrail: submit: %zu event%s appended before that; run the same "
		        "command again to resume (what is in the ledger is recognised)\n",
		        r.appended, r.appended == 1 ? " was" : "s were");
	free(map);
	ot_buf_free(&body);
	ot_http_cleanup();
	return code;
}
#endif

int cmd_submit(int argc, char **argv)
{
	opts o;
	int code = parse_opts(argc, argv, &o);
	if (code)
		return code < 0 ? EXIT_OK : code;
#ifndef OT_CLI_NET
	if (o.server) /* before anything reads standard input */
		return cli_net_exec(argc, argv);
#endif

	batch b;
	memset(&b, 0, sizeof b);
	char *data = NULL;
	ot_signer *key = NULL, *log_signer = NULL;
	ot_ledger *l = NULL;
	if ((code = read_events(&o, &data, &b)) || (code = load_key(&o, &b, &key)))
		goto out;
	int tty = !o.json && b.n >= PROGRESS_FROM && isatty(2);
	const char *actor = o.as ? o.as : key ? ot_signer_name(key) : NULL;
	if (o.sign_only) {
		if ((code = sign_events(&o, &b, key, actor, tty)))
			goto out;
		for (size_t i = 0; i < b.n; i++)
			printf("%s\n", (const char *)b.items[i].entry.data);
		if (fflush(stdout) != 0)
			code = cli_failf(EXIT_STORE, "submit", "cannot write to standard output");
		goto out;
	}
#ifdef OT_CLI_NET
	if (o.server) {
		if (!(code = sign_events(&o, &b, key, actor, tty)))
			code = remote_append(&o, &b, tty);
		goto out;
	}
#endif
	if ((code = cli_ledger_open_append(o.db, o.log_key, o.dry_run, o.json, "submit", &l,
	                                   &log_signer)) ||
	    (code = cli_ledger_set_wait(l, "submit", o.wait)) ||
	    (code = sign_events(&o, &b, key, actor, tty)))
		goto out;
	code = append(&o, &b, l, tty);
out:
	ot_ledger_close(l);
	ot_signer_free(log_signer);
	ot_signer_free(key);
	batch_free(&b);
	free(data);
	return code;
}
