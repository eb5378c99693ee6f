/*
 * cmd_export.c: `oretrail export`: the ledger's material flows as an EPCIS
 * 2.0 JSON-LD document (oretrail/epcis.h). Every extract, transform,
 * ship and receive entry in log order, or with --lot those that make up the
 * lot's chain of custody: the entries that made it and its ancestors, moved
 * them, and used the lot.
 */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cli_ledger.h"
#include "ledger/envelope.h"
#include "oretrail/epcis.h"
#include "oretrail/event.h"
#include "oretrail/json.h"
#include "oretrail/status.h"

static void help(FILE *out)
{
	fprintf(out,
	        "usage: oretrail export --db PATH [--lot LOT] [--out FILE]\n\n"
	        "Writes the ledger's material flows as an EPCIS 2.0 JSON-LD document\n"
	        "(EPCISDocument): extract as ObjectEvent ADD commissioning, transform as\n"
	        "TransformationEvent, ship and receive as ObjectEvent shipping and\n"
	        "receiving, masses in grams (GRM). Events imported from EPCIS are written\n"
	        "as they were imported, when that is still exactly what the ledger holds,\n"
	        "so they keep their hash ID. Each event carries its CBV 2.0 hash ID as\n"
	        "oretrail:hash (and as eventID when it has no other id).\n"
	        "With --lot, only the entries of LOT's chain of custody: those that made\n"
	        "it and its ancestors, moved them, and used LOT.\n"
	        "The document goes to standard output, or to FILE with --out.\n\n"
	        "Other events (actors, sites, resources, assays, contracts, payments) have\n"
	        "no EPCIS form and are counted on standard error.\n"
	        "Exit 0 on success, 2 for an unknown lot, 3 when the ledger cannot be read.\n");
}

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

int cmd_export(int argc, char **argv)
{
	static const struct option lopts[] = {{"db", required_argument, NULL, 'd'},
	                                      {"lot", required_argument, NULL, 'L'},
	                                      {"out", required_argument, NULL, 'o'},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	const char *db = NULL, *lot = NULL, *outfile = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'L': lot = optarg; break;
		case 'o': outfile = optarg; break;
		case 'h': help(stdout); return EXIT_OK;
		default: help(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_failf(EXIT_USAGE, "export", "unexpected argument \"%s\"", argv[optind]);
	if (!db)
		return cli_failf(EXIT_USAGE, "export", "--db is required");

	ot_ledger *l = NULL;
	int code = cli_ledger_open_ro(db, "export", &l);
	if (code)
		return code;
	ot_error err;
	ot_error_clear(&err);
	int64_t *idx = NULL;
	size_t n = 0;
	json_t *doc = NULL;
	char *text = NULL;
	ot_epcis_writer *w = NULL;
	ot_log *log = ot_ledger_log(l);
	uint64_t size = ot_log_size(log);
	if (lot && (code = lot_indexes(l, lot, &idx, &n)))
		goto out;

	char now[OT_TIME_LEN + 1];
	if (ot_time_format((int64_t)time(NULL), now) || ot_epcis_writer_new(now, &w, &err)) {
		code = cli_failf(EXIT_STORE, "export", "out of memory");
		goto out;
	}
	size_t total = lot ? n : (size_t)size, warned = 0;
	for (size_t i = 0; i < total; i++) {
		uint64_t index = lot ? (uint64_t)idx[i] : (uint64_t)i;
		uint8_t *data = NULL;
		size_t len = 0;
		if (ot_log_entry(log, index, &data, &len, &err)) {
			code = cli_fail(EXIT_STORE, "export", &err);
			goto out;
		}
		otx_envelope env;
		otx_envelope_init(&env);
		ot_status rc = otx_envelope_parse(data, len, &env, &err);
		free(data);
		if (rc) {
			otx_envelope_clear(&env);
			code = cli_failf(EXIT_STORE, "export",
			                 "entry %" PRIu64 " is not an event: %s", index,
			                 err.message);
			goto out;
		}
		rc = ot_epcis_writer_add(w, env.event, &err);
		if (rc == OT_ERR_NOMEM) {
			otx_envelope_clear(&env);
			code = cli_failf(EXIT_STORE, "export", "out of memory");
			goto out;
		}
		if (rc && rc != OT_ERR_NOTFOUND) {
			/* Not silently: the event is named and the export goes on. */
			fprintf(stderr,
			        "oretrail: export: entry %" PRIu64 " (%s %s) not exported: %s\n",
			        index, env.type, env.id, err.message);
			warned++;
		}
		otx_envelope_clear(&env);
	}
	if (ot_epcis_writer_finish(w, &doc, &err)) {
		code = cli_fail(EXIT_STORE, "export", &err);
		goto out;
	}
	text = json_dumps(doc, JSON_INDENT(2));
	if (!text) {
		code = cli_failf(EXIT_STORE, "export", "out of memory");
		goto out;
	}
	if (outfile) {
		size_t tl = strlen(text);
		char *file = malloc(tl + 2);
		if (!file) {
			code = cli_failf(EXIT_STORE, "export", "out of memory");
			goto out;
		}
		memcpy(file, text, tl);
		file[tl] = '\n';
		file[tl + 1] = 0;
		ot_status rc = cli_write_file(outfile, file, tl + 1, 0644, 0, &err);
		free(file);
		if (rc) {
			code = cli_fail(EXIT_STORE, "export", &err);
			goto out;
		}
	} else {
		printf("%s\n", text);
		if (fflush(stdout) != 0) {
			code = cli_failf(EXIT_STORE, "export", "cannot write to standard output");
			goto out;
		}
	}
	ot_epcis_counts counts;
	ot_epcis_writer_counts(w, &counts);
	fprintf(stderr,
	        "oretrail: export: %zu EPCIS event%s (%zu as imported, %zu from the ledger's "
	        "fields); %zu entr%s without an EPCIS form%s\n",
	        counts.written, counts.written == 1 ? "" : "s", counts.as_original,
	        counts.constructed, counts.skipped, counts.skipped == 1 ? "y" : "ies",
	        warned ? "; some entries not exported (see above)" : "");
	code = EXIT_OK;
out:
	free(text);
	json_decref(doc);
	ot_epcis_writer_free(w);
	free(idx);
	ot_ledger_close(l);
	return code;
}
