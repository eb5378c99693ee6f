/*
 * cmd_serve.c: `oretrail serve`: the ledger over HTTP (include/oretrail/
 * server.h) until SIGINT or SIGTERM, then a clean stop: queued submissions
 * are answered before the process exits.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/cli_ledger.h"
#include "oretrail/file.h"
#include "oretrail/note.h"
#include "oretrail/server.h"

#define OT_SERVE_MAX_WITNESSES 64

static const cli_spec SPEC = {
	"oretrail serve --db PATH [--listen HOST:PORT] [options]",
	"Serves the ledger over HTTP:\n"
	"  GET  /checkpoint, /tile/<L>/<N>[.p/<W>], /tile/entries/<N>[.p/<W>]\n"
	"       the log in C2SP tlog-tiles form\n"
	"  POST /add  a signed envelope or a JSON array of them; answered once the\n"
	"       entries are durable, with their indexes, leaf hashes and a checkpoint\n"
	"  GET  /api/...  lots and their trace, consignments, contracts, findings,\n"
	"       reports, proofs (see GET /api/); a lot with its determinations under\n"
	"       the shipped compliance profiles (dfars-7052, crma)\n"
	"Prints \"listening on http://HOST:PORT/\" on standard output once ready, and\n"
	"an access log in Common Log Format on standard error. Stops on SIGINT or\n"
	"SIGTERM after answering the submissions already received.\n\n"
	"Several servers on one PostgreSQL database (--db postgresql://...): one, the\n"
	"leader, writes; the others serve reads and answer POST /add with 503 and\n"
	"Retry-After, naming the leader's --advertise URL, and one of them takes over\n"
	"within a few tenths of a second when the leader goes.\n\n"
	"--witness-key FILE (repeatable) names a witness by its verifier key: its C2SP\n"
	"cosignatures are accepted at POST /witness/cosignature and served after the\n"
	"log's signature at /checkpoint. --witness FILE=URL does the same and asks it\n"
	"(a C2SP tlog-witness server at URL) to cosign each new checkpoint: POST\n"
	"URL/add-checkpoint with a consistency proof from the size it last cosigned\n"
	"(repeatable; not with --read-only).\n\n"
	"Bounds: a connection is cut when its request line and headers take longer\n"
	"than --header-timeout (counted from the connection's start or its previous\n"
	"request's end) or its body longer than --body-timeout, however slowly the\n"
	"bytes trickle in; at most --max-per-address connections from one client\n"
	"address; a POST whose body would pass --max-body-memory (declared\n"
	"Content-Length counted in full) gets 503 with Retry-After.\n",
	0,
};

static int parse_count(const char *opt, const char *s, uint64_t max, uint64_t *out)
{
	if (!cli_parse_u64(s, out) || *out == 0 || *out > max)
		return cli_failf(EXIT_USAGE, "serve", "%s %s: expected a number from 1 to %llu",
		                 opt, s, (unsigned long long)max);
	return 0;
}

/* Splits --witness FILE=URL in place (at the "=" before the URL's scheme,
 * so that the file's name may hold one). 0 when it is not that. */
static int split_witness(char *arg, const char **url)
{
	char *eq = strstr(arg, "=http://");
	if (!eq)
		eq = strstr(arg, "=https://");
	if (!eq || eq == arg)
		return 0;
	*eq = 0;
	*url = eq + 1;
	return 1;
}

/* What the options ask for, and what was loaded from them. */
typedef struct serve_args {
	ot_server_options o;
	const char *key_path;
	const char *witness_paths[OT_SERVE_MAX_WITNESSES];
	const char *witness_urls[OT_SERVE_MAX_WITNESSES]; /* NULL: --witness-key */
	size_t n_witness_paths, n_urls;
	ot_signer *signer;
	char log_vkey[OT_VKEY_MAX]; /* a read-only server's DB.vkey, published */
	ot_cosig_verifier *witnesses[OT_SERVE_MAX_WITNESSES];
	size_t n_loaded;
	cli_profiles profiles; /* the shipped ones, judged by GET /api/lots/<lot> */
	const char *wait;      /* --wait DURATION */
	int first;             /* the first operand in argv */
} serve_args;

/* The numeric limits: --threads and the others, each a number from 1 to max. */
static const struct {
	const char *name;
	uint64_t max;
} LIMITS[] = {
	{"threads", 256},
	{"max-connections", 1000000},
	{"timeout", 86400},
	{"max-header", 1 << 20},
	{"max-body", (uint64_t)1 << 30},
	{"max-events", 1000000},
	{"queue", 10000000},
	{"batch", 1000000},
	{"max-per-address", 1000000},
	{"header-timeout", 86400},
	{"body-timeout", 86400},
	{"max-body-memory", (uint64_t)1 << 40},
};

/* Sets limit i of LIMITS from arg. 0 or an exit code. */
static int set_limit(size_t i, const char *arg, ot_server_options *o)
{
	char opt[32];
	snprintf(opt, sizeof opt, "--%s", LIMITS[i].name);
	uint64_t v = 0;
	int code = parse_count(opt, arg, LIMITS[i].max, &v);
	if (code)
		return code;
	switch (i) {
	case 0: o->threads = (unsigned)v; break;
	case 1: o->max_connections = (unsigned)v; break;
	case 2: o->timeout_s = (unsigned)v; break;
	case 3: o->max_header = (size_t)v; break;
	case 4: o->max_body = (size_t)v; break;
	case 5: o->max_events = (size_t)v; break;
	case 6: o->queue_events = (size_t)v; break;
	case 7: o->batch_events = (size_t)v; break;
	case 8: o->max_per_address = (unsigned)v; break;
	case 9: o->header_timeout_s = (unsigned)v; break;
	case 10: o->body_timeout_s = (unsigned)v; break;
	default: o->max_body_memory = (size_t)v; break;
	}
	return 0;
}

/* --witness-key FILE or --witness FILE=URL. 0 or an exit code. */
static int add_witness(serve_args *a, int with_url, char *arg)
{
	size_t n = a->n_witness_paths;
	if (n == OT_SERVE_MAX_WITNESSES)
		return cli_failf(EXIT_USAGE, "serve", "at most %d witnesses",
		                 OT_SERVE_MAX_WITNESSES);
	a->witness_urls[n] = NULL;
	a->witness_paths[n] = arg;
	if (with_url) {
		if (!split_witness(arg, &a->witness_urls[n]))
			return cli_failf(EXIT_USAGE, "serve",
			                 "--witness %s: expected FILE=URL (http:// or https://)",
			                 arg);
		a->n_urls++;
	}
	a->n_witness_paths++;
	return 0;
}

/* The options that act as they come: the witnesses (in order) and the
 * limits (checked). 0 or an exit code. */
static int each_opt(void *ctx, const cli_opt *opt, char *arg)
{
	serve_args *a = ctx;
	if (strcmp(opt->name, "witness-key") == 0 || strcmp(opt->name, "witness") == 0)
		return add_witness(a, strcmp(opt->name, "witness") == 0, arg);
	for (size_t i = 0; i < sizeof LIMITS / sizeof LIMITS[0]; i++)
		if (strcmp(opt->name, LIMITS[i].name) == 0)
			return set_limit(i, arg, &a->o);
	return 0;
}

/* Parses the options into a. -1: go on; otherwise the exit code. */
static int parse_opts(int argc, char **argv, serve_args *a)
{
	int quiet = 0;
	const char *tol_s = NULL;
	const cli_opt opts[] = {
		CLI_OPT_DB(a->o.db),
		{"listen", 0, "HOST:PORT", "where to listen (127.0.0.1:8080; port 0: a free port)",
	         &a->o.listen, NULL},
		{"key", 0, "FILE", "the log's private key (PATH.key), to accept submissions",
	         &a->key_path, NULL},
		{"read-only", 0, NULL, "accept no submissions (a public mirror); no key needed",
	         NULL, &a->o.read_only},
		{"advertise", 0, "URL", "PostgreSQL: the URL others name for this one as leader",
	         &a->o.advertise, NULL},
		{"witness-key", 0, "FILE", "a witness's verifier key (repeatable; see above)", NULL,
	         NULL},
		{"witness", 0, "FILE=URL", "the same, and ask it to cosign (repeatable)", NULL,
	         NULL},
		{"quiet", 0, NULL, "no access log", NULL, &quiet},
		{"tolerance", 0, "D", "slack of backdated/future_dated findings (48h)", &tol_s,
	         NULL},
		{"threads", 0, "N", "HTTP threads (4)", NULL, NULL},
		{"max-connections", 0, "N", "connections open at once (1024)", NULL, NULL},
		{"timeout", 0, "SECONDS", "idle connection time-out (30)", NULL, NULL},
		{"max-header", 0, "BYTES", "request line and headers (16384)", NULL, NULL},
		{"max-body", 0, "BYTES", "POST body (16777216)", NULL, NULL},
		{"max-events", 0, "N", "envelopes in one POST /add (10000)", NULL, NULL},
		{"queue", 0, "N", "events waiting to be written before 429 (65536)", NULL, NULL},
		{"batch", 0, "N", "events written in one transaction, at most (8192)", NULL, NULL},
		{"max-per-address", 0, "N", "connections open at once from one address (128)", NULL,
	         NULL},
		{"header-timeout", 0, "SECONDS", "to receive a request's line and headers (10)",
	         NULL, NULL},
		{"body-timeout", 0, "SECONDS", "to receive a request's body (60)", NULL, NULL},
		{"max-body-memory", 0, "BYTES",
	         "request bodies in memory, all together (134217728)", NULL, NULL},
		CLI_OPT_WAIT(a->wait),
		CLI_OPT_END,
	};
	int code, first = cli_parse_each(&SPEC, opts, argc, argv, each_opt, a, &code);
	if (first < 0)
		return code;
	if ((code = cli_tolerance("serve", tol_s, &a->o.tolerance_s)))
		return code;
	if (quiet)
		a->o.access_log = NULL;
	if ((code = cli_parse_wait("serve", a->wait, &a->o.wait_ms)))
		return code;
	a->first = first;
	return -1;
}

/* What must hold once all options are in. -1: fine. */
static int check_opts(int argc, char **argv, const serve_args *a)
{
	int code = cli_no_operands("serve", argc, argv, a->first);
	if (code)
		return code;
	if (!a->o.db)
		return cli_failf(EXIT_USAGE, "serve", "--db is required");
	const char *adv = a->o.advertise;
	if (adv && ((strncmp(adv, "http://", 7) != 0 && strncmp(adv, "https://", 8) != 0) ||
	            strlen(adv) > 1000 || strpbrk(adv, " \t\r\n\"\\")))
		return cli_failf(EXIT_USAGE, "serve",
		                 "--advertise %s: expected the URL clients reach this server at, "
		                 "http://HOST:PORT or https://... (at most 1000 bytes, no spaces "
		                 "or quotes)",
		                 adv);
	if (a->n_urls && a->o.read_only)
		return cli_failf(EXIT_USAGE, "serve",
		                 "--witness asks for cosignatures, which a --read-only server does "
		                 "not take (use --witness-key)");
	return -1;
}

/* The log's key, unless read-only: --key, else DB.key. -1 or an exit code. */
static int load_key(serve_args *a)
{
	if (a->o.read_only)
		return -1;
	ot_error err;
	ot_error_clear(&err);
	char path[4200];
	snprintf(path, sizeof path, "%s", a->key_path ? a->key_path : "");
	if (!a->key_path)
		cli_key_path(a->o.db, ".key", path, sizeof path);
	struct stat sb;
	if (!a->key_path && stat(path, &sb) != 0)
		return cli_failf(EXIT_USAGE, "serve",
		                 "no key at %s: give --key FILE to accept submissions, or "
		                 "--read-only to serve without",
		                 path);
	if (cli_load_signer(path, &a->signer, &err))
		return cli_fail(EXIT_USAGE, "serve: loading the ledger key", &err);
	a->o.signer = a->signer;
	return -1;
}

/* A read-only server publishes the log's verifier key from DB.vkey when it
 * is there (GET /api/checkpoint "vkey"), so that readers can check the
 * checkpoint of a ledger whose authority is not a registered actor. A file
 * that is no verifier key is said and skipped. Always -1. */
static int load_vkey(serve_args *a)
{
	if (a->signer)
		return -1; /* the server publishes the signer's own */
	char path[4200];
	cli_key_path(a->o.db, ".vkey", path, sizeof path);
	char *text = NULL;
	size_t len = 0;
	ot_error err;
	ot_error_clear(&err);
	if (ot_file_read(path, &text, &len, OT_VKEY_MAX, &err) != OT_OK)
		return -1; /* none: readers find the key elsewhere */
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	ot_verifier *v = NULL;
	if (len < sizeof a->log_vkey && ot_verifier_parse(text, len, &v, &err) == OT_OK) {
		memcpy(a->log_vkey, text, len);
		a->log_vkey[len] = 0;
		a->o.log_vkey = a->log_vkey;
	} else {
		fprintf(stderr,
		        "oretrail: serve: warning: %s is not a verifier key (%s); not published\n",
		        path, err.message);
	}
	ot_verifier_free(v);
	free(text);
	return -1;
}

/* The witnesses' keys. -1 or an exit code. */
static int load_witnesses(serve_args *a)
{
	ot_error err;
	ot_error_clear(&err);
	for (; a->n_loaded < a->n_witness_paths; a->n_loaded++)
		if (cli_load_cosig_verifier(a->witness_paths[a->n_loaded],
		                            &a->witnesses[a->n_loaded], &err))
			return cli_fail(EXIT_USAGE, "serve: --witness-key", &err);
	a->o.witnesses = a->witnesses;
	a->o.n_witnesses = a->n_witness_paths;
	a->o.witness_urls = a->n_urls ? a->witness_urls : NULL;
	if (a->n_witness_paths && !a->signer)
		fprintf(stderr,
		        "oretrail: serve: warning: a read-only server takes no cosignatures\n");
	return -1;
}

/* Serves until SIGINT or SIGTERM. */
static int run(serve_args *a)
{
	/* Every thread the server starts inherits this mask, so the signals
	 * reach only cli_wait_stop below. */
	sigset_t stop;
	cli_block_stop_signals(&stop);
	ot_error err;
	ot_error_clear(&err);
	ot_server *srv = NULL;
	if (ot_server_start(&a->o, &srv, &err))
		return cli_fail(0, "serve", &err);
	const char *listen = a->o.listen ? a->o.listen : "127.0.0.1:8080";
	const char *colon = strrchr(listen, ':');
	int host_len = (int)(colon ? colon - listen : 0);
	printf("listening on http://%.*s:%u/%s\n", host_len ? host_len : 7,
	       host_len ? listen : "0.0.0.0", (unsigned)ot_server_port(srv),
	       a->o.read_only || !a->signer ? " (read-only)" : "");
	fflush(stdout);
	cli_wait_stop(&stop);
	ot_server_stop(srv);
	return EXIT_OK;
}

int cmd_serve(int argc, char **argv)
{
	serve_args *a = calloc(1, sizeof *a);
	if (!a)
		return cli_failf(EXIT_STORE, "serve", "out of memory");
	a->o.access_log = stderr;
	a->o.error_log = stderr;
	int code = parse_opts(argc, argv, a);
	if (code < 0)
		code = check_opts(argc, argv, a);
	if (code < 0)
		code = load_key(a);
	if (code < 0)
		code = load_vkey(a);
	if (code < 0)
		code = load_witnesses(a);
	if (code < 0 && (code = cli_profiles_add_shipped(&a->profiles, "serve")) == 0) {
		a->o.profiles = a->profiles.items;
		a->o.n_profiles = a->profiles.n;
		code = -1;
	}
	if (code < 0)
		code = run(a);
	cli_profiles_free(&a->profiles);
	for (size_t i = 0; i < a->n_loaded; i++)
		ot_cosig_verifier_free(a->witnesses[i]);
	ot_signer_free(a->signer);
	free(a);
	return code;
}
