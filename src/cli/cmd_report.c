/*
 * cmd_report.c: `oretrail report`: the flows report (ot_ledger_report). Per
 * mineral (element) and country: what was extracted, processed, refined and
 * exported (by destination, and by the country where the exported content
 * was mined); how concentrated each stage is (the largest country's share and
 * the Herfindahl-Hirschman index); and the payments disclosed, by payee.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_ledger.h"

static const cli_spec SPEC = {
	"oretrail report --db PATH [--json]",
	"Reports, for each element the ledger tracks:\n"
	"  extracted        content of the lots extracted, by the mine's country\n"
	"  processed        content of the products of beneficiation, cracking and\n"
	"                   leaching, by the country of the site\n"
	"  refined          content of the products of separation, smelting and\n"
	"                   refining (the refining stage), by the country of the plant\n"
	"  exported         content shipped across a border, by origin and destination\n"
	"  exported, mined  the same content by the country where it was mined\n"
	"and the supply concentration of each stage: the largest country's share and\n"
	"the Herfindahl-Hirschman index (0-10000; above 2500 is highly concentrated).\n"
	"Then payments (royalties, taxes, fees) by payee and currency, and the\n"
	"number of audit findings recorded.\n"
	"\n"
	"--json prints {\"minerals\":[{\"element\",\"extracted\":[{\"country\",\"grams\"}],\n"
	"\"processed\":[...],\"refined\":[...],\"exported\":[{\"from\",\"to\",\"grams\"}],\n"
	"\"exported_origin\":[...],\"concentration\":[{\"stage\",\"top_country\",\n"
	"\"top_share_ppm\",\"hhi\"}]}],\"payments\":[{\"payee\",\"currency\",\"amount\",\n"
	"\"count\"}],\"findings\":N}. Contents are grams of the element, by the\n"
	"certified assay where there is one; a chain of processing steps counts at\n"
	"each of them, so processed can exceed extracted.\n",
	0,
};

static const struct {
	const char *key, *label;
} STAGES[] = {
	{"extracted", "extracted"},
	{"processed", "processed"},
	{"refined", "refined"},
	{"exported", "exported"},
	{"exported_origin", "exported, mined"},
};

static void mineral_table(json_t *m)
{
	static const char *const head[] = {"stage", "country", "content", "share"};
	cli_table t;
	cli_table_init(&t, 4, head, "llrr");
	for (size_t s = 0; s < sizeof STAGES / sizeof STAGES[0]; s++) {
		json_t *rows = json_object_get(m, STAGES[s].key);
		uint64_t total = 0;
		for (size_t i = 0; i < json_array_size(rows); i++)
			total += (uint64_t)cli_jint(json_array_get(rows, i), "grams", 0);
		for (size_t i = 0; i < json_array_size(rows); i++) {
			json_t *r = json_array_get(rows, i);
			char where[64], g[48], share[32];
			int64_t grams = cli_jint(r, "grams", 0);
			if (json_object_get(r, "to"))
				snprintf(where, sizeof where, "%s -> %s", cli_jstr(r, "from"),
				         cli_jstr(r, "to"));
			else
				snprintf(where, sizeof where, "%s", cli_jstr(r, "country"));
			cli_fmt_grams(g, sizeof g, grams);
			/* A display share: doubles are exact enough for four decimals. */
			cli_fmt_ppm(share, sizeof share,
			            total ? (int64_t)((double)grams * 1e6 / (double)total) : 0);
			const char *row[] = {i == 0 ? STAGES[s].label : "", where, g, share};
			cli_table_row(&t, row);
		}
	}
	cli_table_print(&t, stdout, "  ");
	cli_table_free(&t);

	json_t *conc = json_object_get(m, "concentration");
	if (!json_array_size(conc))
		return;
	static const char *const chead[] = {"concentration", "largest", "share", "HHI"};
	cli_table_init(&t, 4, chead, "llrr");
	for (size_t i = 0; i < json_array_size(conc); i++) {
		json_t *c = json_array_get(conc, i);
		const char *stage = cli_jstr(c, "stage");
		for (size_t s = 0; s < sizeof STAGES / sizeof STAGES[0]; s++)
			if (strcmp(STAGES[s].key, stage) == 0)
				stage = STAGES[s].label;
		char share[32], hhi[32];
		cli_fmt_ppm(share, sizeof share, cli_jint(c, "top_share_ppm", 0));
		snprintf(hhi, sizeof hhi, "%" PRId64, cli_jint(c, "hhi", 0));
		const char *row[] = {stage, cli_jstr(c, "top_country"), share, hhi};
		cli_table_row(&t, row);
	}
	printf("\n");
	cli_table_print(&t, stdout, "  ");
	cli_table_free(&t);
}

static int print_report(json_t *doc)
{
	json_t *minerals = json_object_get(doc, "minerals");
	json_t *pays = json_object_get(doc, "payments");
	printf("flows by mineral (content of the element, not mass of material)\n");
	if (!json_array_size(minerals))
		printf("\n  none: no lot has been recorded yet\n");
	for (size_t i = 0; i < json_array_size(minerals); i++) {
		json_t *m = json_array_get(minerals, i);
		const char *el = cli_jstr(m, "element");
		const char *name = cli_element_name(el);
		printf("\n%s%s%s%s\n", el, name ? " (" : "", name ? name : "", name ? ")" : "");
		mineral_table(m);
	}
	printf("\npayments by payee: %zu\n", json_array_size(pays));
	if (json_array_size(pays)) {
		static const char *const head[] = {"payee", "amount", "payments"};
		cli_table t;
		cli_table_init(&t, 3, head, "lrr");
		for (size_t i = 0; i < json_array_size(pays); i++) {
			json_t *p = json_array_get(pays, i);
			char money[64], count[32];
			cli_fmt_money(money, sizeof money, cli_jint(p, "amount", 0),
			              cli_jstr(p, "currency"));
			snprintf(count, sizeof count, "%" PRId64, cli_jint(p, "count", 0));
			const char *row[] = {cli_jstr(p, "payee"), money, count};
			cli_table_row(&t, row);
		}
		cli_table_print(&t, stdout, "  ");
		cli_table_free(&t);
	}
	printf("\naudit findings recorded: %" PRId64 " (see `oretrail audit`)\n",
	       cli_jint(doc, "findings", 0));
	if (fflush(stdout) != 0)
		return cli_failf(EXIT_STORE, "report", "cannot write to standard output");
	return EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
	const char *db = NULL;
	int json = 0;
	const cli_opt opts[] = {
		CLI_OPT_DB(db),
		CLI_OPT_READ_ONLY,
		CLI_OPT_JSON(json),
		CLI_OPT_END,
	};
	int code, first = cli_parse(&SPEC, opts, argc, argv, &code);
	if (first < 0)
		return code;
	if (first != argc)
		return cli_failf(EXIT_USAGE, "report", "unexpected argument \"%s\"", argv[first]);
	if (!db)
		return cli_failf(EXIT_USAGE, "report", "--db is required");
	ot_ledger *l = NULL;
	code = cli_ledger_open_ro(db, "report", &l);
	if (code)
		return code;
	ot_error err;
	ot_error_clear(&err);
	char *text = NULL;
	ot_status rc = ot_ledger_report(l, json ? OT_JSON_PRETTY : 0, &text, &err);
	if (rc) {
		code = cli_fail_json(json, EXIT_STORE, "report", &err);
	} else if (json) {
		code = cli_print_json("report", text);
	} else {
		json_t *doc = json_loads(text, 0, NULL);
		code = doc ? print_report(doc) : cli_failf(EXIT_STORE, "report", "out of memory");
		json_decref(doc);
	}
	free(text);
	ot_ledger_close(l);
	return code;
}
