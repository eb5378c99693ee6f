/*
 * cmd_report.c: `oretrail report`: the flows report (ot_ledger_report). Per
 * mineral (element) and country: what was extracted, processed, refined and
 * exported (by destination, and by the country where the exported content
 * was mined); how concentrated each stage is (the largest country's share and
 * the Herfindahl-Hirschman index); and the payments disclosed, by payee.
 * The sub-reports, each as text, JSON or CSV through one runner
 * (report_run): `report crma`, the EU Critical Raw Materials Act report
 * (ot_ledger_report_crma); `report smelters`, the CMRT/EMRT-style smelter
 * list of what an actor received; `report eiti`, payments, receipts
 * reconciled and contracts' disclosure; `report resources`, declared
 * resources with their attestation and extraction; `report recycled`,
 * recycled content per lot and period.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_ledger.h"

static const cli_spec SPEC = {
	"oretrail report --db PATH [--json]\n"
	"       oretrail report crma --db PATH [--year Y] [--profile P] [--json | --csv]",
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
	"each of them, so processed can exceed extracted.\n"
	"\n"
	"report crma: the EU Critical Raw Materials Act report; report smelters: the\n"
	"CMRT/EMRT-style smelter list of what an actor received; report eiti: EITI\n"
	"payments, government receipts reconciled, contracts' disclosure; report\n"
	"resources: declared resources, their attestation and extraction; report\n"
	"recycled: recycled content per lot and period. `oretrail report crma --help`\n"
	"(and smelters, eiti, resources, recycled) says more.\n",
	1,
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

/* --- the reports' common shape: text, --json or --csv of one document --- */

/* The options every report takes: --db, --read-only, --json and --csv. */
#define REPORT_OPTS(db, json, csv)                                                   \
	CLI_OPT_DB(db), CLI_OPT_READ_ONLY, CLI_OPT_JSON(json),                       \
	{                                                                            \
		"csv", 0, NULL, "print CSV (RFC 4180) instead of text", NULL, &(csv) \
	}

/* One report: the library call that makes its document (ctx: the report's
 * arguments), and how its text and CSV forms print it. */
typedef struct report_kind {
	const char *what;
	ot_status (*make)(ot_ledger *l, const void *ctx, int flags, char **json, ot_error *err);
	void (*text)(json_t *doc);
	void (*csv)(json_t *doc);
} report_kind;

/* Opens the ledger, makes the report and prints it as JSON, CSV or text;
 * the exit code. A PARSE error is bad input (exit 2), NOTFOUND an unknown
 * name given on the command line (exit 2). */
static int report_run(const report_kind *k, const char *db, int json, int csv, const void *ctx)
{
	ot_ledger *l = NULL;
	int code = cli_ledger_open_ro(db, k->what, &l);
	if (code)
		return code;
	ot_error err;
	ot_error_clear(&err);
	char *out = NULL;
	ot_status rc = k->make(l, ctx, json ? OT_JSON_PRETTY : 0, &out, &err);
	json_t *doc = NULL;
	if (rc)
		code = cli_fail_json(
			json, rc == OT_ERR_PARSE || rc == OT_ERR_NOTFOUND ? EXIT_USAGE : EXIT_STORE,
			k->what, &err);
	else if (json)
		code = cli_print_json(k->what, out);
	else if (!(doc = json_loads(out, 0, NULL)))
		code = cli_failf(EXIT_STORE, k->what, "out of memory");
	if (doc) {
		(csv ? k->csv : k->text)(doc);
		if (fflush(stdout) != 0)
			code = cli_failf(EXIT_STORE, k->what, "cannot write to standard output");
		json_decref(doc);
	}
	free(out);
	ot_ledger_close(l);
	return code;
}

/* Parses a report's options (opts, their --db, --json and --csv stored in
 * *db, *json, *csv) and checks what every report needs: no operands, --db,
 * not both --json and --csv. 1 to go on; 0 to stop with *code the exit
 * code (0 after --help). */
static int report_parse(const char *what, const cli_spec *spec, const cli_opt *opts, int argc,
                        char **argv, const char *const *db, const int *json, const int *csv,
                        int *code)
{
	int first = cli_parse(spec, opts, argc, argv, code);
	if (first < 0)
		return 0;
	if ((*code = cli_no_operands(what, argc, argv, first)))
		return 0;
	if (!*db)
		*code = cli_failf(EXIT_USAGE, what, "--db is required");
	else if (*json && *csv)
		*code = cli_failf(EXIT_USAGE, what, "--json and --csv exclude each other");
	return !*code;
}

/* --- report crma --- */

static const cli_spec CRMA_SPEC = {
	"oretrail report crma --db PATH [--year Y] [--profile P] [--json | --csv]",
	"The EU Critical Raw Materials Act report (Regulation (EU) 2024/1252, Art.\n"
	"5(1)(b): at most 65 % of a strategic raw material from one third country at\n"
	"any stage).\n"
	"Per element and stage (mined, concentrated, processed, separated, refined,\n"
	"alloyed, magnet) the stage's output counted once, from the stage vectors:\n"
	"content that passes a stage twice counts at the first; its shares by\n"
	"country; the largest third country's share (the EU-27 are not third\n"
	"countries) and a flag above the profile's threshold. Then the content\n"
	"exported across borders, and apart from it the content returned to a\n"
	"country that already held the lot (not an export).\n"
	"--year Y counts the lots made and the shipments sent in calendar year Y.\n"
	"--profile P: the profile that gives the elements, stages, threshold and\n"
	"exempt countries (default crma; a name or a file, as `oretrail comply`).\n"
	"\n"
	"--json prints {\"profile\",\"year\",\"third_country_max_ppm\",\n"
	"\"exempt_countries\",\"minerals\":[{\"element\",\"listed\",\"stages\":[{\"stage\",\n"
	"\"grams\",\"mg\",\"countries\":[{\"country\",\"grams\",\"mg\",\"share_ppm\",\n"
	"\"third_country\"}],\"largest_third_country\",\"largest_third_country_share_ppm\",\n"
	"\"judged\",\"over_threshold\"}],\"exported\":[{\"from\",\"to\",\"grams\",\"mg\"}],\n"
	"\"returned\":[...]}]}. --csv prints one row per element, stage and country\n"
	"(header: element,stage,country,to,grams,share_ppm,third_country,\n"
	"over_threshold; the flows as stages exported and returned, from in country).\n"
	"Exit 2 for a bad year or an unknown or malformed profile.\n",
	0,
};

/* The flag of a stage row, in words. */
static const char *crma_flag(json_t *st)
{
	if (!json_is_true(json_object_get(st, "judged")))
		return "not judged";
	return json_is_true(json_object_get(st, "over_threshold")) ? "OVER" : "within";
}

static void crma_text(json_t *doc)
{
	char limit[32];
	cli_fmt_ppm(limit, sizeof limit, cli_jint(doc, "third_country_max_ppm", 0));
	printf("CRMA report (profile %s, %s): each stage's output counted once\n",
	       cli_jstr(doc, "profile"),
	       json_is_string(json_object_get(doc, "year")) ? cli_jstr(doc, "year") : "all years");
	printf("third-country limit: %s per country and stage; EU-27 exempt\n", limit);
	json_t *minerals = json_object_get(doc, "minerals");
	if (!json_array_size(minerals))
		printf("\n  none: no lot has been recorded\n");
	for (size_t i = 0; i < json_array_size(minerals); i++) {
		json_t *m = json_array_get(minerals, i);
		const char *el = cli_jstr(m, "element"), *name = cli_element_name(el);
		printf("\n%s%s%s%s%s\n", el, name ? " (" : "", name ? name : "", name ? ")" : "",
		       json_is_true(json_object_get(m, "listed")) ? ""
		                                                  : ", not listed in the profile");
		static const char *const head[] = {"stage", "country", "content", "share", "third"};
		cli_table t;
		cli_table_init(&t, 5, head, "llrrl");
		json_t *stages = json_object_get(m, "stages");
		for (size_t k = 0; k < json_array_size(stages); k++) {
			json_t *st = json_array_get(stages, k),
			       *cs = json_object_get(st, "countries");
			for (size_t c = 0; c < json_array_size(cs); c++) {
				json_t *row = json_array_get(cs, c);
				char g[48], share[32];
				cli_fmt_grams(g, sizeof g, cli_jint(row, "grams", 0));
				cli_fmt_ppm(share, sizeof share, cli_jint(row, "share_ppm", 0));
				const char *cells[] = {
					c == 0 ? cli_jstr(st, "stage") : "",
					cli_jstr(row, "country"), g, share,
					json_is_true(json_object_get(row, "third_country")) ? "yes"
											    : "no"};
				cli_table_row(&t, cells);
			}
		}
		cli_table_print(&t, stdout, "  ");
		cli_table_free(&t);
		for (size_t k = 0; k < json_array_size(stages); k++) {
			json_t *st = json_array_get(stages, k);
			char share[32];
			cli_fmt_ppm(share, sizeof share,
			            cli_jint(st, "largest_third_country_share_ppm", 0));
			if (json_is_string(json_object_get(st, "largest_third_country")))
				printf("  %-12s largest third country %s %s: %s\n",
				       cli_jstr(st, "stage"), cli_jstr(st, "largest_third_country"),
				       share, crma_flag(st));
			else
				printf("  %-12s no third country\n", cli_jstr(st, "stage"));
		}
		static const char *const flows[] = {"exported", "returned"};
		for (size_t f = 0; f < 2; f++) {
			json_t *rows = json_object_get(m, flows[f]);
			for (size_t k = 0; k < json_array_size(rows); k++) {
				json_t *r = json_array_get(rows, k);
				char g[48];
				cli_fmt_grams(g, sizeof g, cli_jint(r, "grams", 0));
				printf("  %-12s %s -> %s %s\n", k == 0 ? flows[f] : "",
				       cli_jstr(r, "from"), cli_jstr(r, "to"), g);
			}
		}
	}
}

static void crma_csv(json_t *doc)
{
	static const char *const head[] = {
		"element", "stage",     "country",       "to",
		"grams",   "share_ppm", "third_country", "over_threshold"};
	cli_csv_row(stdout, 8, head);
	json_t *minerals = json_object_get(doc, "minerals");
	for (size_t i = 0; i < json_array_size(minerals); i++) {
		json_t *m = json_array_get(minerals, i), *stages = json_object_get(m, "stages");
		for (size_t k = 0; k < json_array_size(stages); k++) {
			json_t *st = json_array_get(stages, k),
			       *cs = json_object_get(st, "countries");
			for (size_t c = 0; c < json_array_size(cs); c++) {
				json_t *row = json_array_get(cs, c);
				char g[32], share[32];
				snprintf(g, sizeof g, "%" PRId64, cli_jint(row, "grams", 0));
				snprintf(share, sizeof share, "%" PRId64,
				         cli_jint(row, "share_ppm", 0));
				int third = json_is_true(json_object_get(row, "third_country"));
				int top = !strcmp(cli_jstr(row, "country"),
				                  cli_jstr(st, "largest_third_country"));
				const char *cells[] = {
					cli_jstr(m, "element"),
					cli_jstr(st, "stage"),
					cli_jstr(row, "country"),
					"",
					g,
					share,
					third ? "true" : "false",
					top && json_is_true(json_object_get(st, "over_threshold"))
						? "true"
						: "false"};
				cli_csv_row(stdout, 8, cells);
			}
		}
		static const char *const flows[] = {"exported", "returned"};
		for (size_t f = 0; f < 2; f++) {
			json_t *rows = json_object_get(m, flows[f]);
			for (size_t k = 0; k < json_array_size(rows); k++) {
				json_t *r = json_array_get(rows, k);
				char g[32];
				snprintf(g, sizeof g, "%" PRId64, cli_jint(r, "grams", 0));
				const char *cells[] = {cli_jstr(m, "element"),
				                       flows[f],
				                       cli_jstr(r, "from"),
				                       cli_jstr(r, "to"),
				                       g,
				                       "",
				                       "",
				                       ""};
				cli_csv_row(stdout, 8, cells);
			}
		}
	}
}

typedef struct crma_args {
	char *profile;
	size_t len;
	const char *year;
} crma_args;

static ot_status crma_make(ot_ledger *l, const void *ctx, int flags, char **json, ot_error *err)
{
	const crma_args *a = ctx;
	return ot_ledger_report_crma(l, a->profile, a->len, a->year, flags, json, err);
}

static int report_crma(const char *db, int argc, char **argv)
{
	const char *year = NULL, *profile = "crma";
	int json = 0, csv = 0;
	const cli_opt opts[] = {
		REPORT_OPTS(db, json, csv),
		{"year", 0, "Y", "count calendar year Y only (default: all)", &year, NULL},
		{"profile", 0, "P", "the profile (default crma)", &profile, NULL},
		CLI_OPT_END,
	};
	int code;
	if (!report_parse("report crma", &CRMA_SPEC, opts, argc, argv, &db, &json, &csv, &code))
		return code;
	crma_args args = {NULL, 0, year};
	if ((code = cli_profile_read("report crma", profile, &args.profile, &args.len)))
		return code;
	static const report_kind kind = {"report crma", crma_make, crma_text, crma_csv};
	code = report_run(&kind, db, json, csv, &args);
	free(args.profile);
	return code;
}

/* --- report smelters --- */

static const cli_spec SMELTERS_SPEC = {
	"oretrail report smelters --db PATH --for ACTOR [--json | --csv]",
	"The smelter and refiner list of everything ACTOR received, in the manner\n"
	"of the RMI CMRT/EMRT smelter list: each facility of the separated or\n"
	"refined stage (separation, refining, smelting) in the lineage of the lots\n"
	"of the consignments addressed to ACTOR and received, one row per metal and\n"
	"facility: metal, smelter look-up (the operator when it has an RMI CID, else\n"
	"\"Smelter not listed\"), smelter name (the site's operator, else the site),\n"
	"country, identification (RMI CID where given) and its source, then the\n"
	"site, its stages, the log entries of the smelting or refining and the\n"
	"received lots whose lineage holds them.\n"
	"\n"
	"--json prints {\"for\",\"received\":[{\"consignment\",\"index\",\"time\",\"lots\"}],\n"
	"\"smelters\":[{\"element\",\"smelter_look_up\",\"smelter_name\",\n"
	"\"smelter_country\",\"smelter_id\",\"smelter_id_source\",\"site\",\"stages\",\n"
	"\"facility_ids\",\"entries\",\"lots\"}]}. --csv prints one row per facility\n"
	"and metal in the CMRT's column order (header: metal,smelter_look_up,\n"
	"smelter_name,smelter_country,smelter_identification,source_of_identification,\n"
	"site,stages,entries,lots; lists joined with spaces).\n"
	"Exit 2 for an unknown actor.\n",
	0,
};

/* "Neodymium" for Nd, the symbol when the name is unknown. */
static const char *metal_name(char *buf, size_t size, const char *symbol)
{
	const char *name = cli_element_name(symbol);
	snprintf(buf, size, "%s", name ? name : symbol);
	if (name && buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
	return buf;
}

/* A JSON array of strings or integers joined with sep. */
static const char *joined(char *buf, size_t size, json_t *list, const char *sep)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < json_array_size(list) && used < size; i++) {
		json_t *v = json_array_get(list, i);
		int n = json_is_integer(v)
		                ? snprintf(buf + used, size - used, "%s%" JSON_INTEGER_FORMAT,
		                           i ? sep : "", json_integer_value(v))
		                : snprintf(buf + used, size - used, "%s%s", i ? sep : "",
		                           json_string_value(v) ? json_string_value(v) : "");
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}

static void smelters_text(json_t *doc)
{
	json_t *rows = json_object_get(doc, "smelters"), *recv = json_object_get(doc, "received");
	printf("smelters and refiners in the lineage of what %s received (%zu consignment%s)\n",
	       cli_jstr(doc, "for"), json_array_size(recv), json_array_size(recv) == 1 ? "" : "s");
	if (!json_array_size(rows)) {
		printf("\n  none: no smelting or refining in the lineage\n");
		return;
	}
	static const char *const head[] = {"metal",          "smelter name", "country",
	                                   "identification", "site",         "entries"};
	cli_table t;
	cli_table_init(&t, 6, head, "llllll");
	for (size_t i = 0; i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i);
		char metal[32], id[160], entries[512];
		if (json_is_string(json_object_get(r, "smelter_id")))
			snprintf(id, sizeof id, "%s (%s)", cli_jstr(r, "smelter_id"),
			         cli_jstr(r, "smelter_id_source"));
		else
			snprintf(id, sizeof id, "none");
		const char *cells[] = {
			metal_name(metal, sizeof metal, cli_jstr(r, "element")),
			cli_jstr(r, "smelter_name"),
			cli_jstr(r, "smelter_country"),
			id,
			cli_jstr(r, "site"),
			joined(entries, sizeof entries, json_object_get(r, "entries"), ", ")};
		cli_table_row(&t, cells);
	}
	printf("\n");
	cli_table_print(&t, stdout, "  ");
	cli_table_free(&t);
}

static void smelters_csv(json_t *doc)
{
	static const char *const head[] = {"metal",
	                                   "smelter_look_up",
	                                   "smelter_name",
	                                   "smelter_country",
	                                   "smelter_identification",
	                                   "source_of_identification",
	                                   "site",
	                                   "stages",
	                                   "entries",
	                                   "lots"};
	cli_csv_row(stdout, 10, head);
	json_t *rows = json_object_get(doc, "smelters");
	for (size_t i = 0; i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i);
		char metal[32], stages[128], entries[4096], lots[8192];
		const char *cells[] = {
			metal_name(metal, sizeof metal, cli_jstr(r, "element")),
			cli_jstr(r, "smelter_look_up"),
			cli_jstr(r, "smelter_name"),
			cli_jstr(r, "smelter_country"),
			cli_jstr(r, "smelter_id"),
			cli_jstr(r, "smelter_id_source"),
			cli_jstr(r, "site"),
			joined(stages, sizeof stages, json_object_get(r, "stages"), " "),
			joined(entries, sizeof entries, json_object_get(r, "entries"), " "),
			joined(lots, sizeof lots, json_object_get(r, "lots"), " ")};
		cli_csv_row(stdout, 10, cells);
	}
}

static ot_status smelters_make(ot_ledger *l, const void *actor, int flags, char **json,
                               ot_error *err)
{
	return ot_ledger_report_smelters(l, actor, flags, json, err);
}

static int report_smelters(const char *db, int argc, char **argv)
{
	const char *actor = NULL;
	int json = 0, csv = 0;
	const cli_opt opts[] = {
		REPORT_OPTS(db, json, csv),
		{"for", 0, "ACTOR", "the actor whose receipts are listed (required)", &actor, NULL},
		CLI_OPT_END,
	};
	int code;
	if (!report_parse("report smelters", &SMELTERS_SPEC, opts, argc, argv, &db, &json, &csv,
	                  &code))
		return code;
	if (!actor)
		return cli_failf(EXIT_USAGE, "report smelters", "--for ACTOR is required");
	static const report_kind kind = {"report smelters", smelters_make, smelters_text,
	                                 smelters_csv};
	return report_run(&kind, db, json, csv, actor);
}

/* --- report eiti --- */

static const cli_spec EITI_SPEC = {
	"oretrail report eiti --db PATH [--period P] [--now TIME] [--json | --csv]",
	"The EITI report (EITI Standard 2023): the payments disclosed, by payer, by\n"
	"payee agency, by revenue stream (royalty, tax, fee, bonus, dividend,\n"
	"production_entitlement, infrastructure, social, other), by contract and by\n"
	"declared period, with totals per currency (Requirement 4.1); the payees'\n"
	"receipts reconciled against them, every discrepancy listed: a payment\n"
	"without receipt (unacknowledged_payment), a receipt for another amount or\n"
	"currency (amount_differs), a receipt naming no payment\n"
	"(receipt_without_payment) (Requirement 4.9); and every contract with its\n"
	"disclosure status (public, disclosed, partly_disclosed, withheld), the days\n"
	"its oldest withheld commitment has been withheld and whether its\n"
	"disclose_by date has passed (Requirement 2.4).\n"
	"--period P: the payments made in P (by their time): YYYY, YYYY-Qn (n 1-4)\n"
	"or YYYY-MM; their receipts, and the receipts without payment made in P.\n"
	"--now TIME counts the days withheld up to TIME (default now).\n"
	"\n"
	"--json prints {\"period\",\"as_of\",\"totals\",\"by_payer\",\"by_payee\",\"by_stream\",\n"
	"\"by_contract\",\"by_period\",\"payments\",\"receipts\",\"reconciliation\":{\"payments\","
	"\n"
	"\"receipts\",\"acknowledged\",\"discrepancies\"},\"contracts\"} (docs/events.md,\n"
	"\"EITI report\"). --csv prints one row per total, group, discrepancy and\n"
	"contract (sections total, payer, payee, stream, contract, period,\n"
	"discrepancy, disclosure)\n"
	"(header: section,key,currency,amount,count,payment,receipt,received_currency,\n"
	"received_amount,status,withheld_days,overdue_days). Exit 2 for a bad period.\n",
	0,
};

/* The groups of the document, with their text titles and CSV sections. */
static const struct {
	const char *member, *field, *title, *section;
} EITI_GROUPS[] = {
	{"by_payer", "payer", "by payer (company)", "payer"},
	{"by_payee", "payee", "by payee (government agency)", "payee"},
	{"by_stream", "stream", "by revenue stream", "stream"},
	{"by_contract", "contract", "by contract", "contract"},
	{"by_period", "period", "by declared period", "period"},
};

/* A money object as text: "12,500.00 PKR". */
static const char *money_text(char *buf, size_t size, json_t *money)
{
	return cli_fmt_money(buf, size, cli_jint(money, "amount", 0), cli_jstr(money, "currency"));
}

static void eiti_text(json_t *doc)
{
	json_t *rec = json_object_get(doc, "reconciliation");
	printf("EITI report (%s), as of %s\n",
	       json_is_string(json_object_get(doc, "period")) ? cli_jstr(doc, "period")
	                                                      : "all periods",
	       cli_jstr(doc, "as_of"));
	json_t *totals = json_object_get(doc, "totals");
	printf("\npayments: %" PRId64 "\n", cli_jint(rec, "payments", 0));
	for (size_t i = 0; i < json_array_size(totals); i++) {
		char money[64];
		printf("  total %s in %" PRId64 " payment%s\n",
		       money_text(money, sizeof money, json_array_get(totals, i)),
		       cli_jint(json_array_get(totals, i), "count", 0),
		       cli_jint(json_array_get(totals, i), "count", 0) == 1 ? "" : "s");
	}
	for (size_t g = 0; g < sizeof EITI_GROUPS / sizeof EITI_GROUPS[0]; g++) {
		json_t *rows = json_object_get(doc, EITI_GROUPS[g].member);
		if (!json_array_size(rows))
			continue;
		const char *const head[] = {EITI_GROUPS[g].field, "amount", "payments"};
		cli_table t;
		cli_table_init(&t, 3, head, "lrr");
		for (size_t i = 0; i < json_array_size(rows); i++) {
			json_t *r = json_array_get(rows, i);
			char money[64], count[32];
			snprintf(count, sizeof count, "%" PRId64, cli_jint(r, "count", 0));
			const char *key = json_is_string(json_object_get(r, EITI_GROUPS[g].field))
			                          ? cli_jstr(r, EITI_GROUPS[g].field)
			                          : "(none)";
			const char *cells[] = {key, money_text(money, sizeof money, r), count};
			cli_table_row(&t, cells);
		}
		printf("\n%s\n", EITI_GROUPS[g].title);
		cli_table_print(&t, stdout, "  ");
		cli_table_free(&t);
	}
	json_t *disc = json_object_get(rec, "discrepancies");
	printf("\nreceipts: %" PRId64 "; payments acknowledged: %" PRId64 " of %" PRId64
	       "; discrepancies: %zu\n",
	       cli_jint(rec, "receipts", 0), cli_jint(rec, "acknowledged", 0),
	       cli_jint(rec, "payments", 0), json_array_size(disc));
	if (json_array_size(disc)) {
		static const char *const head[] = {"discrepancy", "payment", "receipt", "payer",
		                                   "payee",       "paid",    "received"};
		cli_table t;
		cli_table_init(&t, 7, head, "lllllrr");
		for (size_t i = 0; i < json_array_size(disc); i++) {
			json_t *d = json_array_get(disc, i);
			char paid[64] = "-", got[64] = "-";
			if (json_object_get(d, "paid"))
				money_text(paid, sizeof paid, json_object_get(d, "paid"));
			if (json_object_get(d, "received"))
				money_text(got, sizeof got, json_object_get(d, "received"));
			const char *cells[] = {
				cli_jstr(d, "kind"),
				json_object_get(d, "payment") ? cli_jstr(d, "payment") : "-",
				json_object_get(d, "receipt") ? cli_jstr(d, "receipt") : "-",
				cli_jstr(d, "payer"),
				cli_jstr(d, "payee"),
				paid,
				got};
			cli_table_row(&t, cells);
		}
		cli_table_print(&t, stdout, "  ");
		cli_table_free(&t);
	}
	json_t *contracts = json_object_get(doc, "contracts");
	printf("\ncontracts: %zu\n", json_array_size(contracts));
	if (json_array_size(contracts)) {
		static const char *const head[] = {"contract",      "status",      "withheld",
		                                   "days withheld", "disclose by", "overdue"};
		cli_table t;
		cli_table_init(&t, 6, head, "llrrll");
		for (size_t i = 0; i < json_array_size(contracts); i++) {
			json_t *c = json_array_get(contracts, i);
			char withheld[48], days[32], overdue[48];
			snprintf(withheld, sizeof withheld, "%" PRId64 " of %" PRId64,
			         cli_jint(c, "withheld", 0), cli_jint(c, "commitments", 0));
			snprintf(days, sizeof days, "%" PRId64, cli_jint(c, "withheld_days", 0));
			if (json_is_true(json_object_get(c, "overdue")))
				snprintf(overdue, sizeof overdue, "yes, %" PRId64 " days",
				         cli_jint(c, "overdue_days", 0));
			else
				snprintf(overdue, sizeof overdue, "no");
			const char *cells[] = {cli_jstr(c, "contract"),
			                       cli_jstr(c, "status"),
			                       withheld,
			                       days,
			                       json_is_string(json_object_get(c, "disclose_by"))
			                               ? cli_jstr(c, "disclose_by")
			                               : "-",
			                       overdue};
			cli_table_row(&t, cells);
		}
		cli_table_print(&t, stdout, "  ");
		cli_table_free(&t);
	}
}

/* One CSV row of 12 cells from the ones given (NULL: empty). */
static void eiti_csv_row(const char *section, const char *key, const char *currency, json_t *amount,
                         json_t *count, const char *payment, const char *receipt, json_t *received,
                         const char *status, json_t *days, json_t *overdue)
{
	char a[32] = "", n[32] = "", ra[32] = "", wd[32] = "", od[32] = "";
	if (json_is_integer(amount))
		snprintf(a, sizeof a, "%" JSON_INTEGER_FORMAT, json_integer_value(amount));
	if (json_is_integer(count))
		snprintf(n, sizeof n, "%" JSON_INTEGER_FORMAT, json_integer_value(count));
	if (received)
		snprintf(ra, sizeof ra, "%" PRId64, cli_jint(received, "amount", 0));
	if (json_is_integer(days))
		snprintf(wd, sizeof wd, "%" JSON_INTEGER_FORMAT, json_integer_value(days));
	if (json_is_integer(overdue))
		snprintf(od, sizeof od, "%" JSON_INTEGER_FORMAT, json_integer_value(overdue));
	const char *cells[] = {section,
	                       key ? key : "",
	                       currency ? currency : "",
	                       a,
	                       n,
	                       payment ? payment : "",
	                       receipt ? receipt : "",
	                       received ? cli_jstr(received, "currency") : "",
	                       ra,
	                       status ? status : "",
	                       wd,
	                       od};
	cli_csv_row(stdout, 12, cells);
}

static void eiti_csv(json_t *doc)
{
	static const char *const head[] = {
		"section",         "key",     "currency",      "amount",
		"count",           "payment", "receipt",       "received_currency",
		"received_amount", "status",  "withheld_days", "overdue_days"};
	cli_csv_row(stdout, 12, head);
	json_t *totals = json_object_get(doc, "totals");
	for (size_t i = 0; i < json_array_size(totals); i++) {
		json_t *r = json_array_get(totals, i);
		eiti_csv_row("total", NULL, cli_jstr(r, "currency"), json_object_get(r, "amount"),
		             json_object_get(r, "count"), NULL, NULL, NULL, NULL, NULL, NULL);
	}
	for (size_t g = 0; g < sizeof EITI_GROUPS / sizeof EITI_GROUPS[0]; g++) {
		json_t *rows = json_object_get(doc, EITI_GROUPS[g].member);
		for (size_t i = 0; i < json_array_size(rows); i++) {
			json_t *r = json_array_get(rows, i);
			eiti_csv_row(EITI_GROUPS[g].section,
			             json_string_value(json_object_get(r, EITI_GROUPS[g].field)),
			             cli_jstr(r, "currency"), json_object_get(r, "amount"),
			             json_object_get(r, "count"), NULL, NULL, NULL, NULL, NULL,
			             NULL);
		}
	}
	json_t *disc = json_object_get(json_object_get(doc, "reconciliation"), "discrepancies");
	for (size_t i = 0; i < json_array_size(disc); i++) {
		json_t *d = json_array_get(disc, i), *paid = json_object_get(d, "paid");
		eiti_csv_row("discrepancy", cli_jstr(d, "kind"),
		             paid ? cli_jstr(paid, "currency") : NULL,
		             json_object_get(paid, "amount"), NULL,
		             json_string_value(json_object_get(d, "payment")),
		             json_string_value(json_object_get(d, "receipt")),
		             json_object_get(d, "received"), NULL, NULL, NULL);
	}
	json_t *contracts = json_object_get(doc, "contracts");
	for (size_t i = 0; i < json_array_size(contracts); i++) {
		json_t *c = json_array_get(contracts, i);
		eiti_csv_row("disclosure", cli_jstr(c, "contract"), NULL, NULL,
		             json_object_get(c, "withheld"), NULL, NULL, NULL,
		             cli_jstr(c, "status"), json_object_get(c, "withheld_days"),
		             json_object_get(c, "overdue_days"));
	}
}

typedef struct eiti_args {
	const char *period;
	int64_t now;
} eiti_args;

static ot_status eiti_make(ot_ledger *l, const void *ctx, int flags, char **json, ot_error *err)
{
	const eiti_args *a = ctx;
	return ot_ledger_report_eiti(l, a->period, a->now, flags, json, err);
}

static int report_eiti(const char *db, int argc, char **argv)
{
	const char *period = NULL, *now_s = NULL;
	int json = 0, csv = 0;
	const cli_opt opts[] = {
		REPORT_OPTS(db, json, csv),
		{"period", 0, "P", "payments made in P: YYYY, YYYY-Qn or YYYY-MM (default: all)",
	         &period, NULL},
		{"now", 0, "TIME", "count the days withheld up to TIME (default now)", &now_s,
	         NULL},
		CLI_OPT_END,
	};
	int code;
	if (!report_parse("report eiti", &EITI_SPEC, opts, argc, argv, &db, &json, &csv, &code))
		return code;
	int64_t now = 0;
	if (now_s && !cli_parse_time(now_s, &now))
		return cli_failf(EXIT_USAGE, "report eiti",
		                 "--now %s is not a time: use YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD",
		                 now_s);
	eiti_args args = {period, now};
	static const report_kind kind = {"report eiti", eiti_make, eiti_text, eiti_csv};
	return report_run(&kind, db, json, csv, &args);
}

/* --- report resources --- */

static const cli_spec RESOURCES_SPEC = {
	"oretrail report resources --db PATH [--json | --csv]",
	"The resources declared per mine, made checkable: each declaration in force\n"
	"(measured, indicated, inferred resources; proved, probable reserves) with\n"
	"its reporting standard (JORC, NI 43-101, PERC, ...) and the competent\n"
	"persons who attested it (`attest` events), or UNATTESTED; the ore extracted\n"
	"to date against the declared total (measured + indicated + inferred); and\n"
	"by standard and over all mines, what share of the declared total has any\n"
	"attested basis.\n"
	"\n"
	"--json prints "
	"{\"sites\":[{\"site\",\"holder\",\"country\",\"declarations\":[{\"category\",\n"
	"\"standard\",\"ore_t\",\"grade\",\"index\",\"time\",\"added\",\"attested\":[{\"by\","
	"\"index\",\n"
	"\"time\",\"report\"}]}],\"declared_ore_t\",\"attested_ore_t\",\"attested_share_ppm\",\n"
	"\"extracted_g\",\"extracted_t\",\"extracted_share_ppm\"}],\"by_standard\",\n"
	"\"declared_ore_t\",\"attested_ore_t\",\"attested_share_ppm\"}. --csv prints one row\n"
	"per declaration (header: site,country,category,standard,ore_t,added,entry,\n"
	"attested_by,attestation_entries; lists joined with spaces).\n",
	0,
};

/* Tonnes of ore as text: "2,000,000.000 t", "0 t". */
static const char *fmt_tonnes(char *buf, size_t size, int64_t tonnes)
{
	if (!tonnes) {
		snprintf(buf, size, "0 t");
		return buf;
	}
	return cli_fmt_grams(buf, size, tonnes * 1000000);
}

/* A ppm share or "-" when there is no total. */
static const char *share_text(char *buf, size_t size, json_t *v)
{
	if (!json_is_integer(v)) {
		snprintf(buf, size, "-");
		return buf;
	}
	return cli_fmt_ppm(buf, size, (int64_t)json_integer_value(v));
}

/* The attesters of a declaration: with entries, "a (entry 12), b (entry
 * 14)"; without, "a b". */
static const char *attesters(char *buf, size_t size, json_t *by, int entries)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < json_array_size(by); i++) {
		json_t *a = json_array_get(by, i);
		int n = entries ? snprintf(buf + used, size - used, "%s%s (entry %" PRId64 ")",
		                           i ? ", " : "", cli_jstr(a, "by"),
		                           cli_jint(a, "index", -1))
		                : snprintf(buf + used, size - used, "%s%s", i ? " " : "",
		                           cli_jstr(a, "by"));
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

static void resources_text(json_t *doc)
{
	json_t *sites = json_object_get(doc, "sites");
	printf("resources declared, attested and extracted (declared: measured + indicated + "
	       "inferred)\n");
	if (!json_array_size(sites))
		printf("\n  none: no mine has declared resources or extracted ore\n");
	for (size_t i = 0; i < json_array_size(sites); i++) {
		json_t *s = json_array_get(sites, i), *decls = json_object_get(s, "declarations");
		printf("\n%s (%s, held by %s)\n", cli_jstr(s, "site"), cli_jstr(s, "country"),
		       cli_jstr(s, "holder"));
		static const char *const head[] = {"category", "standard", "ore", "entry",
		                                   "attested by"};
		cli_table t;
		cli_table_init(&t, 5, head, "llrrl");
		for (size_t k = 0; k < json_array_size(decls); k++) {
			json_t *d = json_array_get(decls, k);
			char ore[48], entry[32], names[512];
			fmt_tonnes(ore, sizeof ore, cli_jint(d, "ore_t", 0));
			snprintf(entry, sizeof entry, "%" PRId64, cli_jint(d, "index", -1));
			attesters(names, sizeof names, json_object_get(d, "attested"), 1);
			const char *cells[] = {cli_jstr(d, "category"),
			                       json_is_string(json_object_get(d, "standard"))
			                               ? cli_jstr(d, "standard")
			                               : "-",
			                       ore, entry, names[0] ? names : "UNATTESTED"};
			cli_table_row(&t, cells);
		}
		if (json_array_size(decls))
			cli_table_print(&t, stdout, "  ");
		cli_table_free(&t);
		char decl[48], att[48], ext[48], s1[32], s2[32];
		fmt_tonnes(decl, sizeof decl, cli_jint(s, "declared_ore_t", 0));
		fmt_tonnes(att, sizeof att, cli_jint(s, "attested_ore_t", 0));
		cli_fmt_grams(ext, sizeof ext, cli_jint(s, "extracted_g", 0));
		printf("  declared %s; attested %s (%s); extracted %s (%s of declared)\n", decl,
		       att, share_text(s1, sizeof s1, json_object_get(s, "attested_share_ppm")),
		       ext, share_text(s2, sizeof s2, json_object_get(s, "extracted_share_ppm")));
	}
	json_t *stds = json_object_get(doc, "by_standard");
	if (json_array_size(stds)) {
		static const char *const head[] = {"standard", "declared", "attested", "share"};
		cli_table t;
		cli_table_init(&t, 4, head, "lrrr");
		for (size_t i = 0; i < json_array_size(stds); i++) {
			json_t *r = json_array_get(stds, i);
			char decl[48], att[48], share[32];
			cli_fmt_grams(decl, sizeof decl,
			              cli_jint(r, "declared_ore_t", 0) * 1000000);
			fmt_tonnes(att, sizeof att, cli_jint(r, "attested_ore_t", 0));
			const char *cells[] = {
				json_is_string(json_object_get(r, "standard"))
					? cli_jstr(r, "standard")
					: "(none)",
				decl, att,
				share_text(share, sizeof share,
			                   json_object_get(r, "attested_share_ppm"))};
			cli_table_row(&t, cells);
		}
		printf("\nby standard\n");
		cli_table_print(&t, stdout, "  ");
		cli_table_free(&t);
	}
	char decl[48], att[48], share[32];
	fmt_tonnes(decl, sizeof decl, cli_jint(doc, "declared_ore_t", 0));
	fmt_tonnes(att, sizeof att, cli_jint(doc, "attested_ore_t", 0));
	printf("\ndeclared in all: %s; with an attested basis: %s (%s)\n", decl, att,
	       share_text(share, sizeof share, json_object_get(doc, "attested_share_ppm")));
}

static void resources_csv(json_t *doc)
{
	static const char *const head[] = {"site",     "country",     "category",
	                                   "standard", "ore_t",       "added",
	                                   "entry",    "attested_by", "attestation_entries"};
	cli_csv_row(stdout, 9, head);
	json_t *sites = json_object_get(doc, "sites");
	for (size_t i = 0; i < json_array_size(sites); i++) {
		json_t *s = json_array_get(sites, i), *decls = json_object_get(s, "declarations");
		for (size_t k = 0; k < json_array_size(decls); k++) {
			json_t *d = json_array_get(decls, k), *by = json_object_get(d, "attested");
			char ore[32], entry[32], names[1024], entries[512];
			snprintf(ore, sizeof ore, "%" PRId64, cli_jint(d, "ore_t", 0));
			snprintf(entry, sizeof entry, "%" PRId64, cli_jint(d, "index", -1));
			json_t *idx = json_array();
			for (size_t a = 0; idx && a < json_array_size(by); a++)
				json_array_append(idx,
				                  json_object_get(json_array_get(by, a), "index"));
			joined(entries, sizeof entries, idx, " ");
			json_decref(idx);
			attesters(names, sizeof names, by, 0);
			const char *cells[] = {cli_jstr(s, "site"),
			                       cli_jstr(s, "country"),
			                       cli_jstr(d, "category"),
			                       cli_jstr(d, "standard"),
			                       ore,
			                       json_is_true(json_object_get(d, "added")) ? "true"
			                                                                 : "false",
			                       entry,
			                       names,
			                       entries};
			cli_csv_row(stdout, 9, cells);
		}
	}
}

static ot_status resources_make(ot_ledger *l, const void *ctx, int flags, char **json,
                                ot_error *err)
{
	(void)ctx;
	return ot_ledger_report_resources(l, flags, json, err);
}

static int report_resources(const char *db, int argc, char **argv)
{
	int json = 0, csv = 0;
	const cli_opt opts[] = {
		REPORT_OPTS(db, json, csv),
		CLI_OPT_END,
	};
	int code;
	if (!report_parse("report resources", &RESOURCES_SPEC, opts, argc, argv, &db, &json, &csv,
	                  &code))
		return code;
	static const report_kind kind = {"report resources", resources_make, resources_text,
	                                 resources_csv};
	return report_run(&kind, db, json, csv, NULL);
}

/* --- report recycled --- */

static const cli_spec RECYCLED_SPEC = {
	"oretrail report recycled --db PATH [--period P] [--json | --csv]",
	"Recycled content: the recycled feed taken in (`recycle` events at recycler\n"
	"sites, post-consumer or pre-consumer scrap) by element, each intake, and\n"
	"every lot that holds recycled content with, per element, the recycled\n"
	"amount, its share of the element's amount in the lot (mined, external and\n"
	"recycled together) and its post-consumer and pre-consumer parts. Recycled\n"
	"feed is followed through transforms, shipments and assays in proportion,\n"
	"as origins are. --period P (YYYY, YYYY-Qn or YYYY-MM) keeps the lots made\n"
	"in P (by the claimed time of the entry that made them).\n"
	"\n"
	"--json prints {\"period\",\"feed\":[{\"element\",\"grams\",\"mg\",\n"
	"\"post_consumer_mg\",\"pre_consumer_mg\"}],\"intake\":[{\"lot\",\"index\",\"time\",\n"
	"\"site\",\"country\",\"scrap\",\"source\",\"collected_in\",\"mass_g\",\"assay\"}],\n"
	"\"lots\":[{\"lot\",\"material\",\"index\",\"type\",\"time\",\"holder\",\"status\",\n"
	"\"mass_g\",\"initial_g\",\"elements\":[{\"element\",\"grams\",\"mg\",\"share_ppm\",\n"
	"\"post_consumer_mg\",\"pre_consumer_mg\"}]}]}. --csv prints one row per element\n"
	"of the feed and of each lot (header: section,lot,element,mg,share_ppm,\n"
	"post_consumer_mg,pre_consumer_mg; section feed or lot).\n",
	0,
};

static void recycled_text(json_t *doc)
{
	json_t *feed = json_object_get(doc, "feed"), *intake = json_object_get(doc, "intake");
	json_t *lots = json_object_get(doc, "lots");
	printf("recycled content, %s%s\n",
	       json_is_string(json_object_get(doc, "period")) ? "period " : "all time",
	       cli_jstr(doc, "period"));
	printf("\nfeed taken in (recycle events)\n");
	if (!json_array_size(feed))
		printf("  none: no recycled feed entered the ledger\n");
	else
		cli_print_recycled(feed, "  ");
	for (size_t i = 0; i < json_array_size(intake); i++) {
		json_t *in = json_array_get(intake, i);
		char g[48];
		printf("%s  entry %" PRId64 " %s: %s, %s at %s (%s), %s: %s%s%s\n", i ? "" : "\n",
		       cli_jint(in, "index", -1), cli_jstr(in, "time"), cli_jstr(in, "lot"),
		       cli_fmt_grams(g, sizeof g, cli_jint(in, "mass_g", 0)), cli_jstr(in, "site"),
		       cli_jstr(in, "country"), cli_jstr(in, "scrap"), cli_jstr(in, "source"),
		       json_object_get(in, "collected_in") ? ", collected in " : "",
		       cli_jstr(in, "collected_in"));
	}
	printf("\nlots holding recycled content\n");
	if (!json_array_size(lots))
		printf("  none\n");
	for (size_t i = 0; i < json_array_size(lots); i++) {
		json_t *lot = json_array_get(lots, i);
		char g[48];
		printf("  %s (%s, %s, %s by %s), made at entry %" PRId64 " by %s on %s\n",
		       cli_jstr(lot, "lot"), cli_jstr(lot, "material"),
		       cli_fmt_grams(g, sizeof g, cli_jint(lot, "mass_g", 0)),
		       cli_jstr(lot, "status"), cli_jstr(lot, "holder"), cli_jint(lot, "index", -1),
		       cli_jstr(lot, "type"), cli_jstr(lot, "time"));
		cli_print_recycled(json_object_get(lot, "elements"), "    ");
	}
}

/* One CSV row of a feed or lot element. */
static void recycled_csv_row(const char *section, const char *lot, json_t *r)
{
	char mg[32], share[32], post[32], pre[32];
	snprintf(mg, sizeof mg, "%" PRId64, cli_jint(r, "mg", 0));
	snprintf(share, sizeof share, "%" PRId64, cli_jint(r, "share_ppm", 0));
	snprintf(post, sizeof post, "%" PRId64, cli_jint(r, "post_consumer_mg", 0));
	snprintf(pre, sizeof pre, "%" PRId64, cli_jint(r, "pre_consumer_mg", 0));
	const char *cells[] = {section,
	                       lot,
	                       cli_jstr(r, "element"),
	                       mg,
	                       json_object_get(r, "share_ppm") ? share : "",
	                       post,
	                       pre};
	cli_csv_row(stdout, 7, cells);
}

static void recycled_csv(json_t *doc)
{
	static const char *const head[] = {
		"section",        "lot", "element", "mg", "share_ppm", "post_consumer_mg",
		"pre_consumer_mg"};
	cli_csv_row(stdout, 7, head);
	json_t *feed = json_object_get(doc, "feed"), *lots = json_object_get(doc, "lots");
	for (size_t i = 0; i < json_array_size(feed); i++)
		recycled_csv_row("feed", "", json_array_get(feed, i));
	for (size_t i = 0; i < json_array_size(lots); i++) {
		json_t *lot = json_array_get(lots, i), *els = json_object_get(lot, "elements");
		for (size_t k = 0; k < json_array_size(els); k++)
			recycled_csv_row("lot", cli_jstr(lot, "lot"), json_array_get(els, k));
	}
}

static ot_status recycled_make(ot_ledger *l, const void *period, int flags, char **json,
                               ot_error *err)
{
	return ot_ledger_report_recycled(l, period, flags, json, err);
}

static int report_recycled(const char *db, int argc, char **argv)
{
	const char *period = NULL;
	int json = 0, csv = 0;
	const cli_opt opts[] = {
		REPORT_OPTS(db, json, csv),
		{"period", 0, "P", "lots made in P: YYYY, YYYY-Qn or YYYY-MM (default: all)",
	         &period, NULL},
		CLI_OPT_END,
	};
	int code;
	if (!report_parse("report recycled", &RECYCLED_SPEC, opts, argc, argv, &db, &json, &csv,
	                  &code))
		return code;
	static const report_kind kind = {"report recycled", recycled_make, recycled_text,
	                                 recycled_csv};
	return report_run(&kind, db, json, csv, period);
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
	if (first < argc && strcmp(argv[first], "crma") == 0)
		return report_crma(db, argc - first, argv + first);
	if (first < argc && strcmp(argv[first], "smelters") == 0)
		return report_smelters(db, argc - first, argv + first);
	if (first < argc && strcmp(argv[first], "eiti") == 0)
		return report_eiti(db, argc - first, argv + first);
	if (first < argc && strcmp(argv[first], "resources") == 0)
		return report_resources(db, argc - first, argv + first);
	if (first < argc && strcmp(argv[first], "recycled") == 0)
		return report_recycled(db, argc - first, argv + first);
	if (first != argc)
		return cli_failf(EXIT_USAGE, "report",
		                 "unexpected argument \"%s\" (reports: crma, smelters, eiti, "
		                 "resources, recycled, or none for the flows)",
		                 argv[first]);
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
