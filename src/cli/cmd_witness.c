/*
 * cmd_witness.c: `oretrail witness`: a witness of one log, C2SP
 * tlog-cosignature v1. It parses the options and hands over: the witness's
 * state and rule are the log layer's (include/oretrail/witness.h,
 * src/log/witness.c), following a log over HTTP and the C2SP tlog-witness
 * endpoint are the server layer's (include/oretrail/witness_http.h).
 *
 * Following (--log URL): each round fetches the log's checkpoint, checks it
 * is consistent with the last one cosigned (kept in DIR), cosigns it and
 * sends the cosignature back; one line per round on standard output. A fork
 * or a rollback is refused: both checkpoints go to DIR/fork-<time>.txt and
 * the witness exits 1. It never cosigns a tree that does not extend the one
 * it cosigned before, however many rounds later.
 *
 * Serving (--listen): any log, ours or not, POSTs its checkpoint with the
 * old size and a consistency proof to /add-checkpoint and gets the
 * cosignature back. Same key, same state, same rule; the log's origin is
 * the one in DIR/checkpoint (learnt from the first checkpoint cosigned).
 */
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/follow.h"
#include "oretrail/encoding.h"
#include "oretrail/status.h"
#include "oretrail/witness.h"
#include "oretrail/witness_http.h"

static const cli_spec SPEC = {
	"oretrail witness --log URL --log-key VKEY --key KEY --state DIR\n"
	"                        [--once] [--interval SECONDS] [--no-submit] [--json]\n"
	"       oretrail witness --listen HOST:PORT --log-key VKEY --key KEY --state DIR\n"
	"                        [--quiet]\n"
	"       oretrail witness --key KEY --print-vkey",
	"Follows the log at URL (an `oretrail serve`), verifies each new checkpoint's\n"
	"signature by VKEY and its consistency with the last checkpoint this witness\n"
	"cosigned (kept in DIR), cosigns it (C2SP tlog-cosignature v1, Ed25519) with\n"
	"KEY (a note signer key, e.g. from `oretrail key new`) and sends the\n"
	"cosignature back to the log (POST /witness/cosignature), which serves it\n"
	"with its checkpoint once `oretrail serve --witness-key` names this witness.\n\n"
	"A checkpoint that is not consistent with what the witness cosigned (same\n"
	"size with another root, or a tree that does not extend the cosigned one) is\n"
	"refused: both checkpoints go to DIR/fork-<time>.txt and the witness exits 1.\n\n"
	"With --listen, serves C2SP tlog-witness instead: POST /add-checkpoint with\n"
	"\"old <size>\", the consistency proof, an empty line and the checkpoint; the\n"
	"answer is the cosignature line. Same checks and state as above (any log\n"
	"signing with VKEY can ask, ours or not); the log's origin is learnt from the\n"
	"first checkpoint cosigned and another origin gets 404. A validly signed\n"
	"checkpoint that is not consistent is refused (422; 409 only for a stale\n"
	"old size) and kept in DIR/fork-<time>.txt; the server goes on. GET\n"
	"/<hex SHA-256 of the origin>/checkpoint serves the latest cosigned\n"
	"checkpoint. Prints \"listening on http://HOST:PORT/\" once ready; stops on\n"
	"SIGINT or SIGTERM.\n\n"
	"exit codes: 0 done (--once) or stopped by a signal; 1 the log forked or\n"
	"its signature does not verify; 2 usage; 3 the log or DIR cannot be used.\n",
	0,
};

/* What the options ask for. */
typedef struct witness_opts {
	const char *url; /* the log followed; NULL with --listen */
	const char *dir;
	const char *log_key_path;
	const char *key_path;
	const char *listen;
	int submit;
	int json;
	int once;
	int print_vkey;
	int quiet;
	int follow_only; /* an option only following takes was given */
	uint64_t interval;
} witness_opts;

/* A follower's context for its rounds. */
typedef struct follower {
	ot_witness *w;
	const char *url;
	int submit;
	int json;
} follower;

/* One line of output per round. */
static void report(const follower *f, const char *event, const ot_checkpoint *cp,
                   const char *detail)
{
	if (f->json) {
		char root[64] = "";
		if (cp)
			ot_b64_encode(cp->root, OT_HASH_SIZE, root);
		printf("{\"event\":\"%s\",\"size\":%" PRIu64 ",\"root\":\"%s\",\"detail\":\"",
		       event, cp ? cp->size : 0, root);
		for (const char *p = detail ? detail : ""; *p; p++) {
			if (*p == '"' || *p == '\\')
				printf("\\%c", *p);
			else if ((unsigned char)*p < 0x20)
				printf("\\u%04x", (unsigned char)*p);
			else
				putchar(*p);
		}
		printf("\"}\n");
	} else {
		printf("%s: %" PRIu64 " entries%s%s\n", event, cp ? cp->size : 0,
		       detail ? ": " : "", detail ? detail : "");
	}
	fflush(stdout);
}

/* A fork ends the witness (exit 1). Transient failures are reported and
 * retried next round; a single round (--once) that failed exits 3. */
static int follow_round(void *ctx, int *stop)
{
	follower *f = ctx;
	ot_witness_round r;
	ot_error err;
	ot_error_clear(&err);
	ot_status rc = ot_witness_follow_round(f->w, f->url, f->submit, &r, &err);
	if (rc)
		cli_fail(0, "witness", &err);
	if (r.event) {
		const char *detail = r.detail[0] ? r.detail : NULL;
		report(f, r.event, r.has_cp ? &r.cp : NULL, detail);
	}
	if (r.refused) {
		*stop = 1;
		return EXIT_INVALID;
	}
	return !rc || !*stop ? EXIT_OK : EXIT_STORE;
}

/* Serves C2SP tlog-witness until SIGINT or SIGTERM. */
static int serve(ot_witness *w, const char *listen, int quiet)
{
	/* Every thread libmicrohttpd starts inherits this mask, so the signals
	 * reach only cli_wait_stop below. */
	sigset_t stop;
	cli_block_stop_signals(&stop);
	ot_error err;
	ot_error_clear(&err);
	ot_witness_server *srv = NULL;
	ot_status rc = ot_witness_server_start(listen, w, quiet ? NULL : stderr, &srv, &err);
	if (rc)
		return cli_fail(rc == OT_ERR_ARG ? EXIT_USAGE : EXIT_STORE, "witness", &err);
	const char *colon = strrchr(listen, ':');
	printf("listening on http://%.*s:%u/\n", (int)(colon - listen), listen,
	       (unsigned)ot_witness_server_port(srv));
	fflush(stdout);
	cli_wait_stop(&stop);
	ot_witness_server_stop(srv);
	return EXIT_OK;
}

/* Parses the options into o. -1: go on; otherwise the exit code. */
static int parse_opts(int argc, char **argv, witness_opts *o)
{
	const char *interval_s = NULL;
	int no_submit = 0;
	const cli_opt opts[] = {
		{"log", 0, "URL", "the log to follow (an `oretrail serve`)", &o->url, NULL},
		{"log-key", 0, "VKEY", "the log's verifier key", &o->log_key_path, NULL},
		{"key", 0, "KEY", "the witness's signing key", &o->key_path, NULL},
		{"state", 0, "DIR", "where the witness keeps what it cosigned", &o->dir, NULL},
		{"once", 0, NULL, "one round, then exit", NULL, &o->once},
		{"interval", 0, "SECONDS", "time between rounds (10)", &interval_s, NULL},
		{"no-submit", 0, NULL, "cosign and keep, but do not send to the log", NULL,
	         &no_submit},
		{"json", 0, NULL, "one JSON object per round on standard output", NULL, &o->json},
		{"listen", 0, "HOST:PORT", "serve C2SP tlog-witness (port 0: a free port)",
	         &o->listen, NULL},
		{"quiet", 0, NULL, "with --listen: no request log on standard error", NULL,
	         &o->quiet},
		{"print-vkey", 0, NULL,
	         "print the witness's verifier key (for serve --witness-key) and exit", NULL,
	         &o->print_vkey},
		CLI_OPT_END,
	};
	int code, first = cli_parse(&SPEC, opts, argc, argv, &code);
	if (first < 0)
		return code;
	if ((code = cli_follow_interval("witness", interval_s, &o->interval)))
		return code;
	if (no_submit)
		o->submit = 0;
	o->follow_only = o->once || interval_s || no_submit || o->json;
	if ((code = cli_no_operands("witness", argc, argv, first)))
		return code;
	if (!o->key_path)
		return cli_failf(EXIT_USAGE, "witness", "--key is required");
	return -1;
}

/* Checks the options that only make sense together. -1: fine. */
static int check_modes(const witness_opts *o)
{
	if (o->listen && (o->url || o->follow_only))
		return cli_failf(
			EXIT_USAGE, "witness",
			"--listen serves; --log, --once, --interval, --no-submit and --json "
			"are for following a log");
	if ((!o->url && !o->listen) || !o->log_key_path || !o->dir)
		return cli_failf(EXIT_USAGE, "witness",
		                 "--log (or --listen), --log-key and --state are required");
	return -1;
}

static int print_vkey(const ot_cosig_verifier *self)
{
	char vkey[OT_VKEY_MAX];
	if (ot_cosig_verifier_format(self, vkey, sizeof vkey) != OT_OK)
		return cli_failf(EXIT_USAGE, "witness", "cannot format the key");
	printf("%s\n", vkey);
	return EXIT_OK;
}

/* Opens the witness in DIR and follows or serves. */
static int run(const witness_opts *o, const ot_signer *key)
{
	ot_error err;
	ot_error_clear(&err);
	ot_verifier *log_key = NULL;
	ot_witness *w = NULL;
	int code;
	if (cli_load_verifier(o->log_key_path, &log_key, &err))
		return cli_fail(EXIT_USAGE, "witness: loading --log-key", &err);
	const char *source = o->listen ? "the logs asking at POST /add-checkpoint" : o->url;
	if (ot_witness_open(o->dir, log_key, key, source, stderr, &w, &err)) {
		code = cli_fail(EXIT_STORE, "witness", &err);
	} else if (o->listen) {
		code = serve(w, o->listen, o->quiet);
	} else {
		follower f = {w, o->url, o->submit, o->json};
		code = cli_follow("witness", o->once, o->interval, follow_round, &f);
	}
	ot_witness_free(w);
	ot_verifier_free(log_key);
	return code;
}

int cmd_witness(int argc, char **argv)
{
	witness_opts o;
	memset(&o, 0, sizeof o);
	o.submit = 1;
	o.interval = 10;
	int code = parse_opts(argc, argv, &o);
	if (code >= 0)
		return code;
	ot_error err;
	ot_error_clear(&err);
	ot_signer *key = NULL;
	ot_cosig_verifier *self = NULL;
	if (cli_load_signer(o.key_path, &key, &err))
		return cli_fail(EXIT_USAGE, "witness: loading --key", &err);
	if (ot_cosig_verifier_from_signer(key, &self, &err))
		code = cli_fail(EXIT_USAGE, "witness", &err);
	else if (o.print_vkey)
		code = print_vkey(self);
	else if ((code = check_modes(&o)) < 0)
		code = run(&o, key);
	ot_cosig_verifier_free(self);
	ot_signer_free(key);
	return code;
}
