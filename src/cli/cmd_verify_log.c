/*
 * cmd_verify_log.c: `oretrail verify-log`: the whole-log check. Recomputes
 * every tile from the entries, compares it with the stored one, and checks
 * the latest checkpoint's signature, size and root. Lists every problem.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "oretrail/status.h"

static const cli_spec SPEC = {
	"oretrail verify-log --db PATH [--key VKEY] [--json]",
	"Recomputes every hash tile from the log's entries, compares each with the\n"
	"stored tile, and checks the latest checkpoint: its signature (against VKEY,\n"
	"by default PATH.vkey), its origin, its size and its root hash.\n"
	"Exit 0 when the log verifies, 1 when it does not, 2 or 3 when it cannot\n"
	"be read.\n",
	0,
};

typedef struct report_ctx {
	int json;
	unsigned long problems;
	int tty;
} report_ctx;

static void report(void *vctx, const ot_error *p)
{
	report_ctx *rc = vctx;
	rc->problems++;
	if (!rc->json)
		fprintf(stderr, "oretrail: verify-log: %s\n", p->message);
}

static void progress(void *vctx, uint64_t done, uint64_t total)
{
	report_ctx *rc = vctx;
	if (rc->tty && !rc->json)
		fprintf(stderr, "\rverify-log: %llu / %llu entries", (unsigned long long)done,
		        (unsigned long long)total);
	if (rc->tty && !rc->json && done == total)
		fprintf(stderr, "\n");
}

int cmd_verify_log(int argc, char **argv)
{
	const char *db = NULL, *key = NULL;
	int json = 0;
	const cli_opt opts[] = {
		CLI_OPT_DB(db),
		CLI_OPT_READ_ONLY,
		{"key", 0, "VKEY", "the log's verifier key (default: PATH.vkey)", &key, NULL},
		CLI_OPT_JSON(json),
		CLI_OPT_END,
	};
	int code, first = cli_parse(&SPEC, opts, argc, argv, &code);
	if (first < 0)
		return code;
	if ((code = cli_no_operands("verify-log", argc, argv, first)))
		return code;
	if (!db)
		return cli_failf(EXIT_USAGE, "verify-log", "--db is required");
	cli_ledger l;
	if ((code = cli_ledger_open(&l, db, CLI_READ, NULL)))
		return code;
	ot_error err;
	ot_error_clear(&err);
	if (key) {
		ot_verifier_free(l.verifier);
		l.verifier = NULL;
		if (cli_load_verifier(key, &l.verifier, &err)) {
			code = cli_fail(EXIT_USAGE, "verify-log", &err);
			goto out;
		}
	}
	if (!l.verifier) {
		char vkey[4200];
		code = cli_failf(EXIT_USAGE, "verify-log",
		                 "no verifier key: %s is missing; give one with --key",
		                 cli_key_path(db, ".vkey", vkey, sizeof vkey));
		goto out;
	}
	report_ctx rc = {json, 0, isatty(2)};
	ot_status st = ot_log_verify(l.log, l.verifier, report, progress, &rc, &err);
	uint64_t size = ot_log_size(l.log);
	if (json) {
		printf("{\"entries\":%llu,\"ok\":%s,\"problems\":%lu}\n", (unsigned long long)size,
		       st == OT_OK ? "true" : "false", rc.problems);
	}
	if (st == OT_OK) {
		if (!json)
			printf("ok: %llu entries, every tile and the latest checkpoint verify\n",
			       (unsigned long long)size);
		code = EXIT_OK;
	} else if (rc.problems) {
		char shown[4200];
		if (!json)
			fprintf(stderr, "oretrail: verify-log: %lu problem%s found in %s\n",
			        rc.problems, rc.problems == 1 ? "" : "s",
			        cli_db_shown(db, shown, sizeof shown));
		code = EXIT_INVALID;
	} else {
		code = cli_fail(st == OT_ERR_CORRUPT || st == OT_ERR_VERIFY ? EXIT_INVALID : 0,
		                "verify-log", &err);
	}
out:
	cli_ledger_close(&l);
	return code;
}
