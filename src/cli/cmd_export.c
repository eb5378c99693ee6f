/*
 * cmd_export.c: `oretrail export`: the ledger's material flows as an EPCIS
 * 2.0 JSON-LD document (oretrail/epcis.h). Every extract, transform,
 * ship, receive and assay entry in log order, or with --lot those that make
 * up the lot's chain of custody: the entries that made it and its
 * ancestors, moved or assayed them, and used the lot. What the events do
 * not carry comes from the ledger's records: the GLNs of sites and actors,
 * and the masses each consignment carried.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cli_ledger.h"
#include "oretrail/epcis.h"
#include "oretrail/event.h"
#include "oretrail/json.h"
#include "oretrail/status.h"

static const cli_spec SPEC = {
	"oretrail export --db PATH [--lot LOT] [--out FILE]",
	"Writes the ledger's material flows as an EPCIS 2.0 JSON-LD document\n"
	"(EPCISDocument): extract (and recycle, with oretrail:recycled in the ILMD)\n"
	"as ObjectEvent ADD commissioning, transform as\n"
	"TransformationEvent, ship and receive as ObjectEvent shipping and\n"
	"receiving (with the mass of every lot), assay as ObjectEvent OBSERVE\n"
	"inspecting with a sensor report per element (mg/kg), masses in grams\n"
	"(GRM). A site or actor registered with a GLN is named by its GS1 Digital\n"
	"Link (https://id.gs1.org/414/GLN for a location, /417/GLN for a party),\n"
	"any other by urn:oretrail:site:ID / urn:oretrail:actor:ID.\n"
	"Events imported from EPCIS are written\n"
	"as they were imported, when that is still exactly what the ledger holds,\n"
	"so they keep their hash ID. Each event carries its CBV 2.0 hash ID as\n"
	"oretrail:hash (and as eventID when it has no other id).\n"
	"With --lot, only the entries of LOT's chain of custody: those that made\n"
	"it and its ancestors, moved them, and used LOT.\n"
	"The document goes to standard output, or to FILE with --out.\n\n"
	"Other events (actors, sites, resources, contracts, payments) have\n"
	"no EPCIS form and are counted on standard error.\n"
	"Exit 0 on success, 2 for an unknown lot, 3 when the ledger cannot be read.\n",
	0,
};

/* Log indexes to export: all, or those of a lot's chain, sorted. */
static int lot_indexes(ot_ledger *l, const char *lot, int64_t **out, size_t *n)
{
	ot_error err;
	ot_error_clear(&err);
	char *text = NULL;
	if (ot_ledger_trace(l, lot, OT_TRACE_CONTEXT, &text, &err))
		return cli_fail(0, "export", &err);
	json_t *t = json_loads(text, 0, NULL);
	free(text);
	json_t *lists[2] = {json_object_get(t, "ancestry"), json_object_get(t, "uses")};
	size_t cap = json_array_size(lists[0]) + json_array_size(lists[1]);
	int64_t *v = calloc(cap ? cap : 1, sizeof *v);
	if (!t || !v) {
		json_decref(t);
		free(v);
		return cli_failf(EXIT_STORE, "export", "out of memory");
	}
	size_t k = 0;
	for (size_t li = 0; li < 2; li++) {
		size_t i;
		json_t *e;
		json_array_foreach(lists[li], i, e)
		{
			int64_t idx = (int64_t)json_integer_value(json_object_get(e, "index"));
			int dup = 0;
			for (size_t j = 0; j < k && !dup; j++)
				dup = v[j] == idx;
			if (!dup)
				v[k++] = idx;
		}
	}
	/* Log order (insertion sort: chains are short). */
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int64_t x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	json_decref(t);
	*out = v;
	*n = k;
	return EXIT_OK;
}

/* One export: the entries to write, the writer, the document. */
typedef struct export
{
	const char *lot, *outfile;
	ot_ledger *l;
	int64_t *idx; /* with --lot: the entries of its chain, in log order */
	size_t n;
	ot_epcis_writer *w;
	size_t warned; /* entries named on standard error and left out */
	ot_error err;
}
export;

/* The masses a ship event's consignment carried, from its record, for the
 * writer. */
static int tell_shipped(export *x, json_t *event)
{
	const char *cons = json_string_value(json_object_get(event, "consignment"));
	char *text = NULL;
	if (!cons || ot_ledger_record(x->l, OT_RECORD_CONSIGNMENT, cons, &text, &x->err))
		return EXIT_OK; /* a ship the ledger did not take: written without masses */
	json_t *rec = json_loads(text, 0, NULL);
	free(text);
	int code = rec ? EXIT_OK : cli_failf(EXIT_STORE, "export", "out of memory");
	size_t i;
	json_t *lot;
	json_array_foreach(json_object_get(rec, "lots"), i, lot)
	{
		if (!code &&
		    ot_epcis_writer_shipped(
			    x->w, cons, json_string_value(json_object_get(lot, "lot")),
			    (int64_t)json_integer_value(json_object_get(lot, "mass_g")), &x->err))
			code = cli_fail(EXIT_STORE, "export", &x->err);
	}
	json_decref(rec);
	return code;
}

static ot_status tell_gln(void *ctx, int party, const char *id, const char *gln, ot_error *err)
{
	return ot_epcis_writer_gln(ctx, party, id, gln, err);
}

/* Adds log entry `index` to the document. An entry the writer cannot
 * write is named on standard error and the export goes on. */
static int add_entry(export *x, uint64_t index)
{
	uint8_t *data = NULL;
	size_t len = 0;
	json_t *event = NULL;
	if (ot_log_entry(ot_ledger_log(x->l), index, &data, &len, &x->err))
		return cli_fail(EXIT_STORE, "export", &x->err);
	ot_status rc = ot_event_open(data, len, &event, NULL, 0, &x->err);
	free(data);
	if (rc)
		return cli_failf(EXIT_STORE, "export", "entry %" PRIu64 " is not an event: %s",
		                 index, x->err.message);
	const char *type = json_string_value(json_object_get(event, "type"));
	int code = EXIT_OK;
	if (type && strcmp(type, "ship") == 0 && (code = tell_shipped(x, event))) {
		json_decref(event);
		return code;
	}
	rc = ot_epcis_writer_add(x->w, event, &x->err);
	if (rc == OT_ERR_NOMEM) {
		code = cli_failf(EXIT_STORE, "export", "out of memory");
	} else if (rc && rc != OT_ERR_NOTFOUND) {
		/* Not silently: the event is named and the export goes on. */
		fprintf(stderr, "oretrail: export: entry %" PRIu64 " (%s %s) not exported: %s\n",
		        index, json_string_value(json_object_get(event, "type")),
		        json_string_value(json_object_get(event, "id")), x->err.message);
		x->warned++;
	}
	json_decref(event);
	return code;
}

/* Every entry, or those of the lot's chain, into the writer. */
static int add_entries(export *x)
{
	char now[OT_TIME_LEN + 1];
	if (ot_time_format((int64_t)time(NULL), now) || ot_epcis_writer_new(now, &x->w, &x->err))
		return cli_failf(EXIT_STORE, "export", "out of memory");
	int code = cli_ledger_glns(x->l, "export", tell_gln, x->w);
	if (code)
		return code;
	size_t total = x->lot ? x->n : (size_t)ot_log_size(ot_ledger_log(x->l));
	for (size_t i = 0; i < total; i++) {
		code = add_entry(x, x->lot ? (uint64_t)x->idx[i] : (uint64_t)i);
		if (code)
			return code;
	}
	return EXIT_OK;
}

/* The document, to standard output or --out FILE. */
static int write_document(export *x)
{
	json_t *doc = NULL;
	if (ot_epcis_writer_finish(x->w, &doc, &x->err))
		return cli_fail(EXIT_STORE, "export", &x->err);
	char *text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	if (!text)
		return cli_failf(EXIT_STORE, "export", "out of memory");
	int code = EXIT_OK;
	if (x->outfile) {
		size_t tl = strlen(text);
		char *file = malloc(tl + 2);
		if (!file) {
			free(text);
			return cli_failf(EXIT_STORE, "export", "out of memory");
		}
		memcpy(file, text, tl);
		file[tl] = '\n';
		file[tl + 1] = 0;
		if (cli_write_file(x->outfile, file, tl + 1, 0644, 0, &x->err))
			code = cli_fail(EXIT_STORE, "export", &x->err);
		free(file);
	} else {
		printf("%s\n", text);
		if (fflush(stdout) != 0)
			code = cli_failf(EXIT_STORE, "export", "cannot write to standard output");
	}
	free(text);
	return code;
}

static void print_counts(const export *x)
{
	ot_epcis_counts counts;
	ot_epcis_writer_counts(x->w, &counts);
	fprintf(stderr,
	        "oretrail: export: %zu EPCIS event%s (%zu as imported, %zu from the ledger's "
	        "fields); %zu entr%s without an EPCIS form%s\n",
	        counts.written, counts.written == 1 ? "" : "s", counts.as_original,
	        counts.constructed, counts.skipped, counts.skipped == 1 ? "y" : "ies",
	        x->warned ? "; some entries not exported (see above)" : "");
}

int cmd_export(int argc, char **argv)
{
	export x;
	memset(&x, 0, sizeof x);
	const char *db = NULL;
	const cli_opt opts[] = {
		CLI_OPT_DB(db),
		CLI_OPT_READ_ONLY,
		{"lot", 0, "LOT", "only the entries of LOT's chain of custody", &x.lot, NULL},
		{"out", 0, "FILE", "write the document to FILE", &x.outfile, NULL},
		CLI_OPT_END,
	};
	int code, first = cli_parse(&SPEC, opts, argc, argv, &code);
	if (first < 0)
		return code;
	if ((code = cli_no_operands("export", argc, argv, first)))
		return code;
	if (!db)
		return cli_failf(EXIT_USAGE, "export", "--db is required");
	if ((code = cli_ledger_open_ro(db, "export", &x.l)))
		return code;
	ot_error_clear(&x.err);
	if ((!x.lot || !(code = lot_indexes(x.l, x.lot, &x.idx, &x.n))) &&
	    !(code = add_entries(&x)) && !(code = write_document(&x)))
		print_counts(&x);
	ot_epcis_writer_free(x.w);
	free(x.idx);
	ot_ledger_close(x.l);
	return code;
}
