/*
 * cmd_contract.c: `oretrail contract show ID`: a contract's disclosure
 * state. What was committed to and when, which fields are public, which
 * commitments have been opened (and that the opening matched: the ledger
 * only accepts a disclosure that opens the commitment), which are still
 * withheld and for how long, and the payments that cite the contract.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_ledger.h"
#include "oretrail/commit.h"

/* Longest disclosed value shown in the text form; --json has all of it. */
#define SHOW_MAX 300

static const cli_spec SPEC = {
	"oretrail contract show --db PATH [--json] [--now TIME] ID",
	"Shows contract ID: when it was committed to the ledger and by whom, its\n"
	"public fields, and for each confidential field its commitment and state:\n"
	"disclosed (when, and the value, which the ledger checked against the\n"
	"commitment made at signing) or still withheld, and for how many days as\n"
	"of TIME (default now; RFC 3339 or YYYY-MM-DD). Then the payments that\n"
	"cite the contract.\n"
	"\n"
	"The contract's time is its signer's claim; it counts as committed on the\n"
	"date the log proves (\"committed\": the end of the interval in which it\n"
	"was logged, witnessed where a witness cosigned), and withholding counts\n"
	"from there.\n"
	"\n"
	"--json prints {\"contract\",\"index\",\"id\",\"time\",\"logged\",\"committed\",\n"
	"\"signer\",\"fields\",\n"
	"\"commitments\":[{\"field\",\"commit\",\"disclosed\",\"disclosed_index\"?,\n"
	"\"disclosed_time\"?,\"value\"?,\"salt\"?,\"withheld_days\"?}],\n"
	"\"payments\":[{\"index\",\"time\",\"id\",\"payer\",\"payee\",\"kind\",\"amount\",...}],\n"
	"\"disclose_by\"?,\"overdue\"?}; overdue: disclose_by's date has passed as of\n"
	"TIME with a commitment still withheld.\n"
	"Exit 2 when there is no such contract.\n",
	0,
};

/* `contract show`'s options; one table for them and for --help. */
static const char *show_db, *show_now;
static int show_json;
static const cli_opt OPTS[] = {
	CLI_OPT_DB(show_db),
	CLI_OPT_READ_ONLY,
	CLI_OPT_JSON(show_json),
	{"now", 0, "TIME", "count the days withheld up to TIME (default now)", &show_now, NULL},
	CLI_OPT_END,
};

static int64_t days_between(const char *from, const char *to)
{
	int64_t a, b;
	if (!cli_parse_time(from, &a) || !cli_parse_time(to, &b) || b < a)
		return -1;
	return (b - a) / 86400;
}

static void print_fields(json_t *fields)
{
	printf("\npublic fields\n");
	const char *k;
	json_t *v;
	size_t w = 0, shown = 0;
	json_object_foreach(fields, k, v)
	{
		if (!ot_commit_is(v) && strcmp(k, "title") != 0 && strlen(k) > w)
			w = strlen(k);
	}
	json_object_foreach(fields, k, v)
	{
		char buf[1024];
		if (ot_commit_is(v) || (strcmp(k, "title") == 0 && json_is_string(v)))
			continue; /* listed with the commitments, or above */
		if (json_is_object(v) &&
		    !(json_object_size(v) == 2 && json_object_get(v, "currency"))) {
			/* An object of fields, some perhaps committed: show its public members. */
			const char *k2;
			json_t *v2;
			json_object_foreach(v, k2, v2)
			{
				if (ot_commit_is(v2))
					continue;
				char path[256];
				snprintf(path, sizeof path, "%s.%s", k, k2);
				printf("  %-*s  %s\n", (int)w, path,
				       cli_fmt_value(buf, sizeof buf, v2));
				shown++;
			}
			continue;
		}
		printf("  %-*s  %s\n", (int)w, k, cli_fmt_value(buf, sizeof buf, v));
		shown++;
	}
	if (!shown)
		printf("  none\n");
}

/* The commitments: how many, and a table of their states. Returns how
 * many are disclosed. */
static size_t print_commitments(json_t *doc, json_t *cms)
{
	const char *time =
		*cli_jstr(doc, "committed") ? cli_jstr(doc, "committed") : cli_jstr(doc, "time");
	size_t withheld = 0, disclosed = 0;
	for (size_t i = 0; i < json_array_size(cms); i++)
		if (json_is_true(json_object_get(json_array_get(cms, i), "disclosed")))
			disclosed++;
		else
			withheld++;
	printf("\ncommitments: %zu, committed at entry %" PRId64 " on %.10s; %zu disclosed, %zu "
	       "withheld\n",
	       json_array_size(cms), cli_jint(doc, "index", -1), time, disclosed, withheld);
	if (!json_array_size(cms))
		return disclosed;
	static const char *const head[] = {"field", "commitment", "state"};
	cli_table t;
	cli_table_init(&t, 3, head, "lll");
	for (size_t i = 0; i < json_array_size(cms); i++) {
		json_t *cm = json_array_get(cms, i);
		char state[256], commit[32];
		snprintf(commit, sizeof commit, "%.23s...", cli_jstr(cm, "commit"));
		if (json_is_true(json_object_get(cm, "disclosed"))) {
			const char *when = cli_jstr(cm, "disclosed_time");
			snprintf(state, sizeof state,
			         "disclosed at entry %" PRId64 " on %.10s, %" PRId64
			         " days after it was committed; the opening matches",
			         cli_jint(cm, "disclosed_index", -1), when,
			         days_between(cli_jstr(doc, "time"), when));
		} else {
			snprintf(state, sizeof state, "withheld for %" PRId64 " days so far",
			         cli_jint(cm, "withheld_days", 0));
		}
		const char *row[] = {cli_jstr(cm, "field"), commit, state};
		cli_table_row(&t, row);
	}
	cli_table_print(&t, stdout, "  ");
	cli_table_free(&t);
	return disclosed;
}

/* The disclosed values, each on one line and cut at SHOW_MAX bytes. */
static void print_disclosed(json_t *cms)
{
	printf("\ndisclosed values\n");
	for (size_t i = 0; i < json_array_size(cms); i++) {
		json_t *cm = json_array_get(cms, i);
		json_t *v = json_object_get(cm, "value");
		if (!json_is_true(json_object_get(cm, "disclosed")) || !v)
			continue;
		char buf[SHOW_MAX * 4 + 64];
		cli_fmt_value(buf, sizeof buf, v);
		size_t len = strlen(buf);
		if (len > SHOW_MAX) {
			size_t cut = SHOW_MAX;
			while (cut > 0 && ((unsigned char)buf[cut] & 0xC0) == 0x80)
				cut--; /* not inside a UTF-8 sequence */
			snprintf(buf + cut, sizeof buf - cut,
			         "... (%zu bytes in all; --json shows it)",
			         json_is_string(v) ? json_string_length(v) : len);
		}
		for (char *p = buf; *p; p++)
			if (*p == '\n' || *p == '\r' || *p == '\t')
				*p = ' ';
		printf("  %s: %s\n", cli_jstr(cm, "field"), buf);
	}
}

/* The payments that cite the contract, as a table. */
static void print_payments(json_t *pays)
{
	printf("\npayments citing it: %zu\n", json_array_size(pays));
	if (!json_array_size(pays))
		return;
	static const char *const head[] = {"entry", "date",   "payer", "payee",
	                                   "kind",  "amount", "period"};
	cli_table t;
	cli_table_init(&t, 7, head, "rllllrl");
	for (size_t i = 0; i < json_array_size(pays); i++) {
		json_t *p = json_array_get(pays, i);
		json_t *amount = json_object_get(p, "amount");
		char idx[32], date[16], money[64];
		snprintf(idx, sizeof idx, "%" PRId64, cli_jint(p, "index", -1));
		snprintf(date, sizeof date, "%.10s", cli_jstr(p, "time"));
		cli_fmt_money(money, sizeof money, cli_jint(amount, "amount", 0),
		              cli_jstr(amount, "currency"));
		const char *row[] = {idx,
		                     date,
		                     cli_jstr(p, "payer"),
		                     cli_jstr(p, "payee"),
		                     cli_jstr(p, "kind"),
		                     money,
		                     cli_jstr(p, "period")};
		cli_table_row(&t, row);
	}
	cli_table_print(&t, stdout, "  ");
	cli_table_free(&t);
}

static int print_contract(json_t *doc)
{
	json_t *fields = json_object_get(doc, "fields");
	json_t *cms = json_object_get(doc, "commitments");
	json_t *title = json_object_get(fields, "title");
	printf("contract %s\n", cli_jstr(doc, "contract"));
	if (json_is_string(title))
		printf("  %s\n", json_string_value(title));
	printf("  recorded at entry %" PRId64 ", %s, by %s (event %s)\n",
	       cli_jint(doc, "index", -1), cli_jstr(doc, "time"), cli_jstr(doc, "signer"),
	       cli_jstr(doc, "id"));
	char logged[256];
	printf("  claimed %s; logged %s\n", cli_jstr(doc, "time"),
	       cli_fmt_logged(logged, sizeof logged, json_object_get(doc, "logged")));
	if (json_is_string(json_object_get(doc, "disclose_by")))
		printf("  to be disclosed by %s%s\n", cli_jstr(doc, "disclose_by"),
		       json_is_true(json_object_get(doc, "overdue")) ? ": OVERDUE" : "");
	print_fields(fields);
	if (print_commitments(doc, cms))
		print_disclosed(cms);
	print_payments(json_object_get(doc, "payments"));
	if (fflush(stdout) != 0)
		return cli_failf(EXIT_STORE, "contract show", "cannot write to standard output");
	return EXIT_OK;
}

static int contract_show(int argc, char **argv)
{
	show_db = show_now = NULL;
	show_json = 0;
	int code, first = cli_parse(&SPEC, OPTS, argc, argv, &code);
	if (first < 0)
		return code;
	const char *db = show_db, *now_s = show_now;
	int json = show_json;
	if (argc - first > 1)
		return cli_failf(EXIT_USAGE, "contract show", "unexpected argument \"%s\"",
		                 argv[first + 1]);
	if (argc - first != 1)
		return cli_failf(EXIT_USAGE, "contract show", "expected ID, the contract to show");
	if (!db)
		return cli_failf(EXIT_USAGE, "contract show", "--db is required");
	int64_t now = 0;
	if (now_s && !cli_parse_time(now_s, &now))
		return cli_failf(EXIT_USAGE, "contract show",
		                 "--now %s is not a time: use YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD",
		                 now_s);

	ot_ledger *l = NULL;
	code = cli_ledger_open_ro(db, "contract show", &l);
	if (code)
		return code;
	ot_error err;
	ot_error_clear(&err);
	char *text = NULL;
	ot_status rc = ot_ledger_contract_show(l, argv[first], now, json ? OT_JSON_PRETTY : 0,
	                                       &text, &err);
	if (rc) {
		code = cli_fail_json(json, rc == OT_ERR_NOTFOUND ? EXIT_USAGE : EXIT_STORE,
		                     "contract show", &err);
	} else if (json) {
		code = cli_print_json("contract show", text);
	} else {
		json_t *doc = json_loads(text, 0, NULL);
		code = doc ? print_contract(doc)
		           : cli_failf(EXIT_STORE, "contract show", "out of memory");
		json_decref(doc);
	}
	free(text);
	ot_ledger_close(l);
	return code;
}

static const cli_spec LIST_SPEC = {
	"oretrail contract list --db PATH [--json] [--now TIME]",
	"Lists every contract, overdue ones first (their disclose_by date has\n"
	"passed as of TIME, default now, with a commitment still withheld), then\n"
	"the others; each group in id order.\n"
	"\n"
	"--json prints {\"contracts\":[record...],\"next\":null}, each record as stored\n"
	"with \"overdue\" (true/false) and \"withheld\" (commitments not disclosed).\n",
	0,
};

static int contract_list(int argc, char **argv)
{
	show_db = show_now = NULL;
	show_json = 0;
	int code, first = cli_parse(&LIST_SPEC, OPTS, argc, argv, &code);
	if (first < 0)
		return code;
	if (argc - first > 0)
		return cli_failf(EXIT_USAGE, "contract list", "unexpected argument \"%s\"",
		                 argv[first]);
	if (!show_db)
		return cli_failf(EXIT_USAGE, "contract list", "--db is required");
	int64_t now = 0;
	if (show_now && !cli_parse_time(show_now, &now))
		return cli_failf(EXIT_USAGE, "contract list",
		                 "--now %s is not a time: use YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD",
		                 show_now);
	ot_ledger *l = NULL;
	code = cli_ledger_open_ro(show_db, "contract list", &l);
	if (code)
		return code;
	ot_error err;
	ot_error_clear(&err);
	char *text = NULL;
	ot_status rc = ot_ledger_contract_list(l, now, NULL, NULL, SIZE_MAX, &text, &err);
	json_t *doc = rc ? NULL : json_loads(text, 0, NULL);
	if (rc) {
		code = cli_fail_json(show_json, EXIT_STORE, "contract list", &err);
	} else if (show_json) {
		code = cli_print_json("contract list", text);
	} else if (!doc) {
		code = cli_failf(EXIT_STORE, "contract list", "out of memory");
	} else {
		json_t *list = json_object_get(doc, "contracts");
		for (size_t i = 0; i < json_array_size(list); i++) {
			json_t *c = json_array_get(list, i);
			json_t *by = json_object_get(json_object_get(c, "fields"), "disclose_by");
			printf("%s  entry %" PRId64 "  %" PRId64 " withheld",
			       cli_jstr(c, "contract"), cli_jint(c, "index", -1),
			       cli_jint(c, "withheld", 0));
			if (json_is_string(by))
				printf("  to be disclosed by %s%s", json_string_value(by),
				       json_is_true(json_object_get(c, "overdue")) ? ": OVERDUE"
				                                                   : "");
			printf("\n");
		}
		code = fflush(stdout) ? cli_failf(EXIT_STORE, "contract list",
		                                  "cannot write to standard output")
		                      : EXIT_OK;
	}
	json_decref(doc);
	free(text);
	ot_ledger_close(l);
	return code;
}

int cmd_contract(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		cli_help(&SPEC, OPTS, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (strcmp(argv[1], "show") == 0)
		return contract_show(argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return contract_list(argc - 1, argv + 1);
	return cli_failf(EXIT_USAGE, "contract", "no such contract verb \"%s\" (show, list)",
	                 argv[1]);
}
