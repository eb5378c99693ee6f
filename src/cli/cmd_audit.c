/*
 * cmd_audit.c: `oretrail audit`: the whole-ledger check (ot_ledger_audit).
 * The log is verified, every entry is replayed from scratch through the
 * rules, and the replayed state is compared with the ledger's index; the
 * suspicious-but-possible facts the replay meets are listed as findings.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_ledger.h"

static const cli_spec SPEC = {
	"oretrail audit --db PATH [--json] [--now TIME] [--withheld-days N] [--tolerance D]",
	"Audits the whole ledger: verifies the log (every tile, the checkpoint's\n"
	"signature), replays every entry from scratch through the rules (signatures,\n"
	"roles, custody, mass and element balance, origin vectors) and compares the\n"
	"result with the ledger's own index, record by record.\n"
	"\n"
	"Findings are facts that are suspicious but possible: mass lost in transit\n"
	"beyond 0.5 %, extraction beyond a mine's declared resources, exports\n"
	"without a certified assay, and contract fields committed but not disclosed\n"
	"for more than N days (default 180) as of TIME (default now; RFC 3339 or\n"
	"YYYY-MM-DD), counted from when the contract was logged. On time: events\n"
	"whose claimed time lies before (backdated) or after (future_dated) the\n"
	"interval in which the log took them by more than D (default 48h; a\n"
	"number with s, m, h or d), and receipts or transforms claimed before what\n"
	"they follow (out_of_order). Problems are where the ledger itself is broken.\n"
	"\n"
	"--json prints {\"entries\",\"ok\",\"findings\":[{\"index\",\"kind\",\"subject\",\n"
	"\"detail\"}],\"problems\":[{\"index\",\"code\",\"message\"}]}.\n"
	"Exit 0 when the ledger verifies, even with findings; 1 when it does not.\n",
	0,
};

static void progress(void *ctx, uint64_t done, uint64_t total)
{
	(void)ctx;
	fprintf(stderr, "\raudit: replayed %" PRIu64 " / %" PRIu64 " entries", done, total);
	if (done == total)
		fputc('\n', stderr);
}

/* A table of findings or problems: the entry's index ("-" when there is
 * none), then the members keys[0..ncols-1) of each. */
static void print_indexed(json_t *list, size_t ncols, const char *const *head, const char *align,
                          const char *const *keys)
{
	cli_table t;
	cli_table_init(&t, ncols, head, align);
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *f = json_array_get(list, i);
		char idx[32];
		json_t *jidx = json_object_get(f, "index");
		if (json_is_integer(jidx))
			snprintf(idx, sizeof idx, "%" PRId64, (int64_t)json_integer_value(jidx));
		else
			snprintf(idx, sizeof idx, "-");
		const char *row[4] = {idx};
		for (size_t c = 1; c < ncols && c < 4; c++)
			row[c] = cli_jstr(f, keys[c - 1]);
		cli_table_row(&t, row);
	}
	cli_table_print(&t, stdout, "  ");
	cli_table_free(&t);
}

static int print_audit(json_t *doc)
{
	json_t *findings = json_object_get(doc, "findings");
	json_t *problems = json_object_get(doc, "problems");
	int ok = json_is_true(json_object_get(doc, "ok"));
	int64_t entries = cli_jint(doc, "entries", 0);
	if (ok)
		printf("ok: %" PRId64
		       " entries; the log verifies, and replaying every entry through "
		       "the rules gives exactly the ledger's state\n",
		       entries);
	else
		printf("NOT OK: %" PRId64 " entries; %zu problem%s found\n", entries,
		       json_array_size(problems) + (size_t)cli_jint(doc, "problems_not_listed", 0),
		       json_array_size(problems) == 1 ? "" : "s");

	printf("\nfindings: %zu%s\n", json_array_size(findings),
	       json_array_size(findings) ? " (suspicious but possible facts, for a person to check)"
	                                 : "");
	if (json_array_size(findings)) {
		static const char *const head[] = {"entry", "kind", "subject", "detail"};
		static const char *const keys[] = {"kind", "subject", "detail"};
		print_indexed(findings, 4, head, "rlll", keys);
	}
	if (json_array_size(problems)) {
		static const char *const head[] = {"entry", "problem", "message"};
		static const char *const keys[] = {"code", "message"};
		printf("\nproblems: %zu\n", json_array_size(problems));
		print_indexed(problems, 3, head, "rll", keys);
		if (cli_jint(doc, "problems_not_listed", 0) > 0)
			printf("  ... and %" PRId64 " more\n",
			       cli_jint(doc, "problems_not_listed", 0));
	}
	if (fflush(stdout) != 0)
		return cli_failf(EXIT_STORE, "audit", "cannot write to standard output");
	return EXIT_OK;
}

int cmd_audit(int argc, char **argv)
{
	const char *db = NULL, *now_s = NULL, *days_s = NULL, *tol_s = NULL;
	int json = 0;
	const cli_opt opts[] = {
		CLI_OPT_DB(db),
		CLI_OPT_READ_ONLY,
		CLI_OPT_JSON(json),
		{"now", 0, "TIME", "count the days up to TIME (default now)", &now_s, NULL},
		{"withheld-days", 0, "N", "days a committed field may stay withheld (default 180)",
	         &days_s, NULL},
		{"tolerance", 0, "D", "slack of backdated and future_dated (default 48h)", &tol_s,
	         NULL},
		CLI_OPT_END,
	};
	int code, first = cli_parse(&SPEC, opts, argc, argv, &code);
	if (first < 0)
		return code;
	if (first != argc)
		return cli_failf(EXIT_USAGE, "audit", "unexpected argument \"%s\"", argv[first]);
	if (!db)
		return cli_failf(EXIT_USAGE, "audit", "--db is required");
	ot_audit_options ao;
	memset(&ao, 0, sizeof ao);
	if (now_s && !cli_parse_time(now_s, &ao.now))
		return cli_failf(EXIT_USAGE, "audit",
		                 "--now %s is not a time: use YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD",
		                 now_s);
	uint64_t days = 0;
	if (days_s && (!cli_parse_u64(days_s, &days) || days == 0 || days > 100000))
		return cli_failf(EXIT_USAGE, "audit",
		                 "--withheld-days %s is not a number of days (1-100000)", days_s);
	ao.withheld_days = (uint32_t)days;
	int tcode = cli_tolerance("audit", tol_s, &ao.tolerance_s);
	if (tcode)
		return tcode;
	if (!json && isatty(2))
		ao.progress = progress;

	ot_ledger *l = NULL;
	code = cli_ledger_open_ro(db, "audit", &l);
	if (code)
		return code;
	ot_error err;
	ot_error_clear(&err);
	char *text = NULL;
	ot_status rc = ot_ledger_audit(l, &ao, json ? OT_JSON_PRETTY : 0, &text, &err);
	if (!text) {
		/* No report at all: the audit could not run. */
		code = cli_fail_json(json, EXIT_STORE, "audit", &err);
	} else if (json) {
		code = cli_print_json("audit", text);
	} else {
		json_t *doc = json_loads(text, 0, NULL);
		code = doc ? print_audit(doc) : cli_failf(EXIT_STORE, "audit", "out of memory");
		json_decref(doc);
	}
	if (text && rc && code == EXIT_OK) {
		char shown[4200];
		fprintf(stderr, "oretrail: audit: %s is broken: %s\n",
		        cli_db_shown(db, shown, sizeof shown),
		        err.message[0] ? err.message : ot_status_str(rc));
		code = EXIT_INVALID;
	}
	free(text);
	ot_ledger_close(l);
	return code;
}
