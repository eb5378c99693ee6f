/*
 * cmd_trace.c: `oretrail trace LOT`: where a lot is, who holds it, what made
 * it, and where its elements were mined. The answer comes from the ledger's
 * index (ot_ledger_trace); the text form adds a line per entry of the lot's
 * lineage, read from the log itself, saying what each one did.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_ledger.h"
#include "oretrail/buf.h"

static const cli_spec SPEC = {
	"oretrail trace --db PATH [--json] [--context] LOT",
	"Traces LOT: its material and mass, who holds it where, its status\n"
	"(held, in_transit, consumed), its declared and certified assays, the\n"
	"share of each element by mine and by country, and its lineage: every\n"
	"entry that made it or its ancestors, moved or assayed them, oldest first.\n"
	"The time an event states is its signer's claim; \"logged\" is when the log\n"
	"took it: between the checkpoints before and after it, as witnesses\n"
	"cosigned them (or, with no witness, as the operator signed them).\n"
	"--context adds the entries that used the lot, and the other uses of its\n"
	"ancestors that a replay needs to recompute its origins.\n"
	"\n"
	"--json prints the ledger's trace document:\n"
	"  {\"lot\",\"material\",\"mass_g\",\"initial_g\",\"holder\",\"owner\",\"site\",\n"
	"   \"status\",\"title\"?:{\"index\",\"id\",\"time\",\"from\",\"to\",\"incoterm\"?,\n"
	"   \"price_ref\"?,\"contract\"?},\"hs_code\"?,\n"
	"   \"created\":{\"index\",\"type\",\"id\",\"time\",\"logged\"},\"assay\",\n"
	"   \"uncertainty_ppm\",\"certified\"?,\"assays\":[...],\"governing\":{\"role\",\n"
	"   \"index\"?},\"assay_dispute\"?,\n"
	"   \"corrections\"?:[{\"entry\",\"by\",\"reason\",\"kind\",\"event\",\n"
	"                   \"event_index\"}],  (kind: correct or void)\n"
	"   \"origins\":[{\"element\",\"site\",\"country\",\"grams\",\"mg\",\"share_ppm\"}],\n"
	"   \"countries\":[{\"element\",\"country\",\"grams\",\"mg\",\"share_ppm\"}],\n"
	"   "
	"\"stages\":[{\"stage\",\"element\",\"country\",\"site\",\"facility\",\"grams\",\"mg\",\n"
	"              \"share_ppm\"}],\n"
	"   \"ancestry\":[{\"index\",\"type\",\"id\"}]}, with --context also\n"
	"   \"context\":[...] and \"uses\":[...] of the same shape.\n"
	"Exit 2 when there is no such lot.\n",
	0,
};

/* Appends "lot (mass)" items of an array of {"lot","mass_g"} or of strings;
 * a mass weighed wet (the item has moisture_ppm) says so. */
static void lots_list(ot_buf *b, json_t *arr, int with_material)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *it = json_array_get(arr, i);
		char g[48];
		if (i)
			ot_buf_adds(b, ", ");
		if (json_is_string(it)) {
			ot_buf_adds(b, json_string_value(it));
			continue;
		}
		ot_buf_printf(b, "%s (%s%s%s%s)", cli_jstr(it, "lot"),
		              cli_fmt_grams(g, sizeof g, cli_jint(it, "mass_g", 0)),
		              json_object_get(it, "moisture_ppm") ? " wet" : "",
		              with_material ? " " : "",
		              with_material ? cli_jstr(it, "material") : "");
	}
}

/* One line on what a lineage entry did. */
static void describe(ot_buf *b, json_t *ev)
{
	const char *type = cli_jstr(ev, "type");
	char g[48], a[256];
	if (strcmp(type, "extract") == 0) {
		ot_buf_printf(b, "%s: %s of %s mined at %s (%s)", cli_jstr(ev, "lot"),
		              cli_fmt_grams(g, sizeof g, cli_jint(ev, "mass_g", 0)),
		              cli_jstr(ev, "material"), cli_jstr(ev, "site"),
		              cli_fmt_assay(a, sizeof a, json_object_get(ev, "assay")));
	} else if (strcmp(type, "recycle") == 0) {
		ot_buf_printf(b, "%s: %s of %s recycled at %s (%s), %s scrap: %s",
		              cli_jstr(ev, "lot"),
		              cli_fmt_grams(g, sizeof g, cli_jint(ev, "mass_g", 0)),
		              cli_jstr(ev, "material"), cli_jstr(ev, "site"),
		              cli_fmt_assay(a, sizeof a, json_object_get(ev, "assay")),
		              cli_jstr(ev, "scrap"), cli_jstr(ev, "source"));
	} else if (strcmp(type, "assay") == 0) {
		/* A role other than the default final one is named: a seller's or
		 * buyer's assay may not be the one that governs. */
		const char *role = json_string_value(json_object_get(ev, "role"));
		int named = role && strcmp(role, "final") != 0;
		ot_buf_printf(b, named ? "%s assay (%s): %s" : "%s certified%s: %s",
		              cli_jstr(ev, "lot"), named ? role : "",
		              cli_fmt_assay(a, sizeof a, json_object_get(ev, "assay")));
		if (json_object_get(ev, "lab") || json_object_get(ev, "method"))
			ot_buf_printf(b, " (%s%s%s)", cli_jstr(ev, "lab"),
			              json_object_get(ev, "lab") && json_object_get(ev, "method")
			                      ? ", "
			                      : "",
			              cli_jstr(ev, "method"));
	} else if (strcmp(type, "transform") == 0) {
		ot_buf_printf(b, "%s at %s: ", cli_jstr(ev, "process"), cli_jstr(ev, "site"));
		lots_list(b, json_object_get(ev, "inputs"), 0);
		ot_buf_adds(b, " -> ");
		lots_list(b, json_object_get(ev, "outputs"), 1);
	} else if (strcmp(type, "ship") == 0) {
		ot_buf_printf(b,
		              "consignment %s from %s to %s for %s: ", cli_jstr(ev, "consignment"),
		              cli_jstr(ev, "from"), cli_jstr(ev, "to"), cli_jstr(ev, "consignee"));
		lots_list(b, json_object_get(ev, "lots"), 0);
	} else if (strcmp(type, "receive") == 0) {
		ot_buf_printf(b, "consignment %s received at %s: ", cli_jstr(ev, "consignment"),
		              cli_jstr(ev, "site"));
		lots_list(b, json_object_get(ev, "lots"), 0);
	} else if (strcmp(type, "transfer") == 0) {
		ot_buf_printf(b, "title from %s to %s%s%s: ", cli_jstr(ev, "from"),
		              cli_jstr(ev, "to"), json_object_get(ev, "incoterm") ? ", " : "",
		              json_object_get(ev, "incoterm") ? cli_jstr(ev, "incoterm") : "");
		lots_list(b, json_object_get(ev, "lots"), 0);
	} else {
		ot_buf_adds(b, cli_jstr(ev, "id"));
	}
}

/* The lineage table: each entry's date, signer, type and what it did. */
static int print_lineage(ot_ledger *l, json_t *list, const char *title)
{
	static const char *const head[] = {"entry", "date", "by", "event", "what"};
	cli_table t;
	cli_table_init(&t, 5, head,
	               "rlll"
	               "l");
	ot_log *log = ot_ledger_log(l);
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *a = json_array_get(list, i);
		int64_t index = cli_jint(a, "index", -1);
		char idx[32], date[16];
		snprintf(idx, sizeof idx, "%" PRId64, index);
		uint8_t *data = NULL;
		size_t len = 0;
		ot_error err;
		ot_error_clear(&err);
		json_t *env = NULL;
		if (index < 0 || ot_log_entry(log, (uint64_t)index, &data, &len, &err) ||
		    !(env = json_loadb((const char *)data, len, 0, NULL))) {
			free(data);
			cli_table_free(&t);
			return cli_failf(EXIT_STORE, "trace", "cannot read entry %s of the log",
			                 idx);
		}
		free(data);
		json_t *ev = json_object_get(env, "event");
		snprintf(date, sizeof date, "%.10s", cli_jstr(ev, "time"));
		ot_buf what;
		ot_buf_init(&what, 4096);
		describe(&what, ev);
		const char *row[] = {idx, date, cli_jstr(env, "signer"), cli_jstr(ev, "type"),
		                     what.data ? (const char *)what.data : ""};
		cli_table_row(&t, row);
		ot_buf_free(&what);
		json_decref(env);
	}
	printf("\n%s: %zu entr%s, oldest first\n", title, json_array_size(list),
	       json_array_size(list) == 1 ? "y" : "ies");
	cli_table_print(&t, stdout, "  ");
	int oom = t.oom;
	cli_table_free(&t);
	return oom ? cli_failf(EXIT_STORE, "trace", "out of memory") : EXIT_OK;
}

/* The lot itself: material, mass, where it is, how it was made. */
static void print_lot(json_t *doc)
{
	char g1[48], g2[48];
	json_t *created = json_object_get(doc, "created");
	printf("lot        %s\n", cli_jstr(doc, "lot"));
	printf("material   %s\n", cli_jstr(doc, "material"));
	printf("mass       %s now, %s when made\n",
	       cli_fmt_grams(g1, sizeof g1, cli_jint(doc, "mass_g", 0)),
	       cli_fmt_grams(g2, sizeof g2, cli_jint(doc, "initial_g", 0)));
	if (json_object_get(doc, "moisture_ppm")) {
		int64_t moisture = cli_jint(doc, "moisture_ppm", 0);
		printf("weighed    %s wet at %" PRId64 ".%02" PRId64
		       " %% moisture, last weighing (masses above are dry)\n",
		       cli_fmt_grams(g1, sizeof g1, cli_jint(doc, "wet_mass_g", 0)),
		       moisture / 10000, moisture % 10000 / 100);
	}
	const char *status = cli_jstr(doc, "status");
	if (strcmp(status, "in_transit") == 0)
		printf("status     in transit in consignment %s, shipped by %s from %s\n",
		       cli_jstr(doc, "consignment"), cli_jstr(doc, "holder"),
		       cli_jstr(doc, "site"));
	else
		printf("status     %s by %s at %s\n", strcmp(status, "held") == 0 ? "held" : status,
		       cli_jstr(doc, "holder"), cli_jstr(doc, "site"));
	json_t *title = json_object_get(doc, "title");
	if (title)
		printf("owner      %s, by transfer %s (entry %" PRId64 ") from %s\n",
		       cli_jstr(doc, "owner"), cli_jstr(title, "id"), cli_jint(title, "index", -1),
		       cli_jstr(title, "from"));
	else
		printf("owner      %s\n", cli_jstr(doc, "owner"));
	if (json_object_get(doc, "hs_code"))
		printf("hs code    %s\n", cli_jstr(doc, "hs_code"));
	printf("made       entry %" PRId64 ", %s: %s %s\n", cli_jint(created, "index", -1),
	       cli_jstr(created, "time"), cli_jstr(created, "type"), cli_jstr(created, "id"));
	char logged[256];
	printf("logged     %s\n",
	       cli_fmt_logged(logged, sizeof logged, json_object_get(created, "logged")));
}

/* One assay: contents, entry, signer, lab, method, uncertainty. */
static void print_one_assay(json_t *a)
{
	char t[512], u[32];
	printf("%s, entry %" PRId64 " by %s",
	       cli_fmt_assay(t, sizeof t, json_object_get(a, "assay")), cli_jint(a, "index", -1),
	       cli_jstr(a, "by"));
	if (json_object_get(a, "lab"))
		printf(" at %s", cli_jstr(a, "lab"));
	if (json_object_get(a, "method"))
		printf(", %s", cli_jstr(a, "method"));
	if (cli_jint(a, "uncertainty_ppm", 0) > 0)
		printf(", uncertainty %s",
		       cli_fmt_ppm(u, sizeof u, cli_jint(a, "uncertainty_ppm", 0)));
	printf("\n");
}

/* The declared assay, every lab assay with its role, the one that governs,
 * and an assay dispute. */
static void print_assays(json_t *doc)
{
	char a[512], u[32];
	json_t *cert = json_object_get(doc, "certified");
	json_t *all = json_object_get(doc, "assays");
	json_t *dispute = json_object_get(doc, "assay_dispute");
	printf("assay      %s (declared",
	       cli_fmt_assay(a, sizeof a, json_object_get(doc, "assay")));
	if (cli_jint(doc, "uncertainty_ppm", 0) > 0)
		printf(", uncertainty %s",
		       cli_fmt_ppm(u, sizeof u, cli_jint(doc, "uncertainty_ppm", 0)));
	printf(")\n");
	/* One assay is the certified one: its line says it all. */
	for (size_t i = 0; json_array_size(all) > 1 && i < json_array_size(all); i++) {
		json_t *it = json_array_get(all, i);
		printf("assay      %s %s: ", cli_jstr(it, "role"), cli_jstr(it, "basis"));
		print_one_assay(it);
	}
	if (!cert) {
		printf("certified  no: no laboratory has certified this lot's contents\n");
		return;
	}
	if (json_array_size(all) > 1)
		printf("certified  by the %s assay, which governs: ", cli_jstr(cert, "role"));
	else
		printf("certified  ");
	print_one_assay(cert);
	if (dispute && json_object_get(dispute, "settled_by"))
		printf("dispute    seller (entry %" PRId64 ") and buyer (entry %" PRId64
		       ") differed beyond the splitting limit; settled by the umpire, entry "
		       "%" PRId64 "\n",
		       cli_jint(dispute, "seller", -1), cli_jint(dispute, "buyer", -1),
		       cli_jint(dispute, "settled_by", -1));
	else if (dispute)
		printf("dispute    open: seller (entry %" PRId64 ") and buyer (entry %" PRId64
		       ") differ beyond the splitting limit; no umpire assay yet\n",
		       cli_jint(dispute, "seller", -1), cli_jint(dispute, "buyer", -1));
}

/* The corrections and voids that changed the lot, oldest first. */
static void print_corrections(json_t *doc)
{
	json_t *list = json_object_get(doc, "corrections");
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *c = json_array_get(list, i);
		printf("%-10s %s %s at entry %" PRId64 " by %s: %s\n", i ? "" : "corrected",
		       cli_jstr(c, "event"),
		       strcmp(cli_jstr(c, "kind"), "void") == 0 ? "voided" : "corrected",
		       cli_jint(c, "entry", -1), cli_jstr(c, "by"), cli_jstr(c, "reason"));
	}
}

/* The entries around the lot: its lineage, its uses (--context) and the
 * other uses of its ancestors. */
static int print_entries(ot_ledger *l, json_t *doc)
{
	int code = print_lineage(l, json_object_get(doc, "ancestry"), "lineage");
	json_t *uses = json_object_get(doc, "uses");
	if (!code && uses) {
		if (json_array_size(uses))
			code = print_lineage(l, uses, "used by");
		else
			printf("\nused by: nothing has used this lot\n");
	}
	json_t *context = json_object_get(doc, "context");
	if (!code && json_array_size(context) > 0) {
		printf("\nalso needed to recompute the origins (other uses of ancestors): entr%s",
		       json_array_size(context) == 1 ? "y" : "ies");
		for (size_t i = 0; i < json_array_size(context); i++)
			printf("%s %" PRId64, i ? "," : "",
			       cli_jint(json_array_get(context, i), "index", -1));
		printf("\n");
	}
	return code;
}

static int print_trace(ot_ledger *l, json_t *doc)
{
	print_lot(doc);
	print_assays(doc);
	print_corrections(doc);
	cli_print_origins(
		json_object_get(doc, "countries"), 0,
		"origin by country (each element's content in the lot, by where it was mined)");
	cli_print_origins(json_object_get(doc, "origins"), 1, "origin by mine");
	cli_print_stages(json_object_get(doc, "stages"),
	                 "provenance by stage (each element's amount by the site of each stage)");
	if (json_object_get(doc, "recycled")) {
		printf("\nrecycled content (each element's recycled amount and its share of the "
		       "element in the lot)\n");
		cli_print_recycled(json_object_get(doc, "recycled"), "  ");
	}
	int code = print_entries(l, doc);
	if (fflush(stdout) != 0)
		return cli_failf(EXIT_STORE, "trace", "cannot write to standard output");
	return code;
}

int cmd_trace(int argc, char **argv)
{
	const char *db = NULL;
	int json = 0, context = 0;
	const cli_opt opts[] = {
		CLI_OPT_DB(db),
		CLI_OPT_READ_ONLY,
		CLI_OPT_JSON(json),
		{"context", 0, NULL,
	         "add the entries that used the lot, and the other uses of its ancestors", NULL,
	         &context},
		CLI_OPT_END,
	};
	int code, first = cli_parse(&SPEC, opts, argc, argv, &code);
	if (first < 0)
		return code;
	if (argc - first > 1)
		return cli_failf(EXIT_USAGE, "trace", "unexpected argument \"%s\"",
		                 argv[first + 1]);
	if (argc - first != 1)
		return cli_failf(EXIT_USAGE, "trace", "expected LOT, the lot to trace");
	if (!db)
		return cli_failf(EXIT_USAGE, "trace", "--db is required");
	const char *lot = argv[first];

	ot_ledger *l = NULL;
	code = cli_ledger_open_ro(db, "trace", &l);
	if (code)
		return code;
	ot_error err;
	ot_error_clear(&err);
	char *text = NULL;
	int flags = OT_TRACE_STAGES | OT_TRACE_ASSAYS | (json ? OT_JSON_PRETTY : 0) |
	            (context ? OT_TRACE_CONTEXT : 0);
	ot_status rc = ot_ledger_trace(l, lot, flags, &text, &err);
	if (rc) {
		code = cli_fail_json(json, rc == OT_ERR_NOTFOUND ? EXIT_USAGE : EXIT_STORE, "trace",
		                     &err);
	} else if (json) {
		code = cli_print_json("trace", text);
	} else {
		json_t *doc = json_loads(text, 0, NULL);
		code = doc ? print_trace(l, doc) : cli_failf(EXIT_STORE, "trace", "out of memory");
		json_decref(doc);
	}
	free(text);
	ot_ledger_close(l);
	return code;
}
