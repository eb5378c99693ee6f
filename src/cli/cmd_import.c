/*
 * cmd_import.c: `oretrail import`: the material flows of an EPCIS 2.0
 * JSON-LD document into the ledger (src/ledger/epcis_map.c): each EPCIS
 * event mapped to oretrail events, signed with the submitter's key and
 * appended in one batch. Every event that does not make it in is reported
 * on its own line with the reason: not a material flow, something oretrail
 * needs is missing, a carried hash ID that is not the event's, or a rule
 * of the ledger.
 */
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/cli_ledger.h"
#include "ledger/envelope.h"
#include "ledger/epcis_map.h"
#include "oretrail/buf.h"
#include "oretrail/status.h"

static void help(FILE *out)
{
	fprintf(out,
	        "usage: oretrail import --db PATH --key KEYFILE [--as ACTOR] [--log-key FILE]\n"
	        "                       [--keep-going] [--dry-run] [--json] FILE.jsonld|-\n\n"
	        "Imports the material flows of the EPCIS 2.0 JSON-LD document FILE into the\n"
	        "ledger at PATH: ObjectEvent commissioning -> extract, shipping -> ship,\n"
	        "receiving -> receive; TransformationEvent -> transform; AggregationEvent\n"
	        "ADD shipping/loading -> ship, DELETE receiving/unloading -> receive (the\n"
	        "README's EPCIS section has the whole table). Masses come from quantity\n"
	        "lists in units of mass, converted to grams; material, assay and process\n"
	        "from oretrail:* extensions (namespace " OTX_EPCIS_NS ").\n"
	        "Each event keeps its EPCIS original, with sensor and certification data,\n"
	        "and its CBV 2.0 hash ID; a hash ID the document carries (eventID or\n"
	        "oretrail:hash) must be the event's own.\n\n"
	        "The events are signed with KEYFILE as the key's actor (or ACTOR with --as)\n"
	        "and appended in one batch: all or none, unless --keep-going. Events that\n"
	        "cannot be mapped are not imported; each is reported with the reason.\n"
	        "--dry-run maps and checks without appending. Appending signs a new\n"
	        "checkpoint with PATH.key (--log-key FILE to take it from elsewhere).\n\n"
	        "Prints one line per appended entry: log index, type, id, and the EPCIS\n"
	        "event it came from; --json prints {\"appended\",\"size\",\"events\":[{\"event\",\n"
	        "\"type\",\"hash\",\"status\",\"entries\"?,\"code\"?,\"message\"?}]} with status\n"
	        "imported, not_mapped, rejected or would_import.\n\n"
	        "Exit 0 when every EPCIS event was imported, 4 when one was not (not\n"
	        "mapped, or rejected by the ledger), 2 for an unusable document or key,\n"
	        "3 when the ledger cannot be written.\n");
}

typedef struct opts {
	const char *db, *key, *as, *log_key, *file;
	int keep_going, dry_run, json;
} opts;

static int parse_opts(int argc, char **argv, opts *o)
{
	static const struct option lopts[] = {{"db", required_argument, NULL, 'd'},
	                                      {"key", required_argument, NULL, 'k'},
	                                      {"as", required_argument, NULL, 'a'},
	                                      {"log-key", required_argument, NULL, 'l'},
	                                      {"keep-going", no_argument, NULL, 'g'},
	                                      {"dry-run", no_argument, NULL, 'n'},
	                                      {"json", no_argument, NULL, 'j'},
	                                      {"help", no_argument, NULL, 'h'},
	                                      {NULL, 0, NULL, 0}};
	int c;
	memset(o, 0, sizeof *o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'k': o->key = optarg; break;
		case 'a': o->as = optarg; break;
		case 'l': o->log_key = optarg; break;
		case 'g': o->keep_going = 1; break;
		case 'n': o->dry_run = 1; break;
		case 'j': o->json = 1; break;
		case 'h': help(stdout); return -1;
		default: help(stderr); return EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return cli_failf(EXIT_USAGE, "import", "expected one FILE.jsonld (or - for stdin)");
	o->file = argv[optind];
	if (!o->db || !o->key)
		return cli_failf(EXIT_USAGE, "import", "--db and --key are required");
	return 0;
}

/* One oretrail entry to submit, and the EPCIS event it came from. */
typedef struct entry {
	size_t event; /* EPCIS event, from 0 */
	json_t *ev;   /* the oretrail event (borrowed from the mapping) */
	ot_buf signed_entry;
	int64_t index;
} entry;

/* What became of each EPCIS event. */
typedef struct outcome {
	otx_epcis_mapping map;
	const char *status; /* imported, not_mapped, rejected, would_import */
	ot_error why;       /* for not_mapped and rejected */
} outcome;

static const char *strip_batch_prefix(const char *msg)
{
	if (strncmp(msg, "batch entry ", 12) == 0) {
		const char *p = msg + 12;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p[0] == ':' && p[1] == ' ')
			return p + 2;
	}
	return msg;
}

static void reject(outcome *oc, const ot_error *e)
{
	if (strcmp(oc->status, "rejected") == 0 || strcmp(oc->status, "not_mapped") == 0)
		return; /* the first reason is the one to give */
	oc->status = "rejected";
	oc->why = *e;
}

static int print_json(json_t *doc)
{
	char *s = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (!s) {
		json_decref(doc);
		return cli_failf(EXIT_STORE, "import", "out of memory");
	}
	printf("%s\n", s);
	free(s);
	json_decref(doc);
	return EXIT_OK;
}

static int report(const opts *o, outcome *oc, size_t n, const entry *en, size_t ne, size_t appended,
                  uint64_t size)
{
	size_t imported = 0, unmapped = 0, rejected = 0, entries = 0;
	for (size_t j = 0; j < ne; j++)
		entries += en[j].index >= 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(oc[i].status, "not_mapped") == 0)
			unmapped++;
		else if (strcmp(oc[i].status, "rejected") == 0)
			rejected++;
		else
			imported++;
	}
	if (o->json) {
		json_t *events = json_array();
		for (size_t i = 0; events && i < n; i++) {
			json_t *e = json_pack("{s:I,s:s,s:s,s:s}", "event", (json_int_t)(i + 1),
			                      "type", oc[i].map.type, "hash", oc[i].map.hash_id,
			                      "status", oc[i].status);
			if (!e)
				continue;
			if (oc[i].why.status) {
				json_object_set_new(
					e, "code",
					json_string(oc[i].why.code[0]
				                            ? oc[i].why.code
				                            : ot_status_code(oc[i].why.status)));
				json_object_set_new(
					e, "message",
					json_string(strip_batch_prefix(oc[i].why.message)));
			} else {
				json_t *ents = json_array();
				for (size_t j = 0; ents && j < ne; j++)
					if (en[j].event == i)
						json_array_append_new(
							ents,
							json_pack("{s:I,s:O,s:O}", "index",
						                  (json_int_t)en[j].index, "type",
						                  json_object_get(en[j].ev, "type"),
						                  "id",
						                  json_object_get(en[j].ev, "id")));
				json_object_set_new(e, "entries", ents);
			}
			json_array_append_new(events, e);
		}
		int code = print_json(json_pack("{s:I,s:I,s:b,s:o}", "appended",
		                                (json_int_t)appended, "size", (json_int_t)size,
		                                "dry_run", o->dry_run, "events", events));
		if (code)
			return code;
	} else {
		for (size_t j = 0; j < ne; j++) {
			if (en[j].index < 0 || strcmp(oc[en[j].event].status, "imported") != 0)
				continue;
			printf("%" PRId64 " %s %s <- event %zu (%s)\n", en[j].index,
			       json_string_value(json_object_get(en[j].ev, "type")),
			       json_string_value(json_object_get(en[j].ev, "id")), en[j].event + 1,
			       oc[en[j].event].map.type);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!oc[i].why.status)
			continue;
		fprintf(stderr, "oretrail: import: event %zu (%s): %s: %s\n", i + 1, oc[i].map.type,
		        strcmp(oc[i].status, "not_mapped") == 0 ? "not imported" : "rejected",
		        strip_batch_prefix(oc[i].why.message));
	}
	fprintf(stderr,
	        "oretrail: import: %zu of %zu EPCIS event%s %s (%zu entr%s), %zu not mapped, "
	        "%zu rejected; the log holds %" PRIu64 " entries\n",
	        imported, n, n == 1 ? "" : "s", o->dry_run ? "would be imported" : "imported",
	        entries, entries == 1 ? "y" : "ies", unmapped, rejected, size);
	if (fflush(stdout) != 0)
		return cli_failf(EXIT_STORE, "import", "cannot write to standard output");
	return unmapped || rejected ? EXIT_REJECTED : EXIT_OK;
}

int cmd_import(int argc, char **argv)
{
	opts o;
	int code = parse_opts(argc, argv, &o);
	if (code)
		return code < 0 ? EXIT_OK : code;

	ot_error err;
	ot_error_clear(&err);
	char *text = NULL;
	size_t len = 0;
	otx_epcis_doc doc;
	otx_epcis_doc_init(&doc);
	outcome *oc = NULL;
	entry *en = NULL;
	size_t n = 0, ne = 0;
	ot_signer *key = NULL, *log_signer = NULL;
	ot_ledger *l = NULL;
	const uint8_t **ptrs = NULL;
	size_t *lens = NULL, *map = NULL;
	ot_submit_result *results = NULL;

	if (cli_read_file(o.file, &text, &len, OTX_EPCIS_INPUT_MAX, &err)) {
		code = cli_fail_json(o.json, EXIT_USAGE, "import", &err);
		goto out;
	}
	if (otx_epcis_doc_parse((const uint8_t *)text, len, &doc, &err)) {
		ot_error_prefix(&err, "%s", o.file);
		code = cli_fail_json(o.json, EXIT_USAGE, "import", &err);
		goto out;
	}
	if (cli_load_signer(o.key, &key, &err)) {
		code = cli_fail_json(o.json, EXIT_USAGE, "import: loading the signing key", &err);
		goto out;
	}
	const char *actor = o.as ? o.as : ot_signer_name(key);

	/* Map every event; count the oretrail events to submit. */
	n = otx_epcis_doc_count(&doc);
	oc = calloc(n ? n : 1, sizeof *oc);
	if (!oc) {
		code = cli_failf(EXIT_STORE, "import", "out of memory");
		goto out;
	}
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		ot_status rc = otx_epcis_map_event(&doc, i, &oc[i].map);
		if (rc == OT_ERR_NOMEM) {
			code = cli_failf(EXIT_STORE, "import", "out of memory");
			goto out;
		}
		oc[i].status = o.dry_run ? "would_import" : "imported";
		if (rc) {
			oc[i].status = "not_mapped";
			oc[i].why = oc[i].map.error;
		}
		total += json_array_size(oc[i].map.events);
	}
	en = calloc(total ? total : 1, sizeof *en);
	ptrs = calloc(total ? total : 1, sizeof *ptrs);
	lens = calloc(total ? total : 1, sizeof *lens);
	map = calloc(total ? total : 1, sizeof *map);
	results = calloc(total ? total : 1, sizeof *results);
	if (!en || !ptrs || !lens || !map || !results) {
		code = cli_failf(EXIT_STORE, "import", "out of memory");
		goto out;
	}
	/* Sign them. */
	for (size_t i = 0; i < n; i++) {
		size_t j;
		json_t *ev;
		json_array_foreach(oc[i].map.events, j, ev)
		{
			entry *e = &en[ne++];
			e->event = i;
			e->ev = ev;
			e->index = -1;
			ot_buf_init(&e->signed_entry, 0);
			ot_error se;
			ot_error_clear(&se);
			ot_status rc = otx_envelope_sign(ev, actor, key, &e->signed_entry, &se);
			if (rc == OT_ERR_NOMEM) {
				code = cli_failf(EXIT_STORE, "import", "out of memory");
				goto out;
			}
			if (rc)
				reject(&oc[i], &se);
		}
	}

	/* The ledger: with its log key to append, without it for a dry run. */
	char log_key[4200];
	snprintf(log_key, sizeof log_key, "%s.key", o.db);
	if (o.dry_run) {
		ot_status rc = ot_ledger_open(o.db, NULL, 0, &l, &err);
		if (rc) {
			code = cli_fail_json(
				o.json, cli_exit_for(rc) == EXIT_USAGE ? EXIT_USAGE : EXIT_STORE,
				"import", &err);
			goto out;
		}
	} else {
		struct stat sb;
		if (stat(o.db, &sb) != 0) {
			code = cli_ledger_open_ro(o.db, "import", &l);
			if (code)
				goto out;
		}
		if (!o.log_key && stat(log_key, &sb) != 0) {
			code = cli_failf(
				EXIT_USAGE, "import",
				"%s is missing: appending needs the ledger's log key (written by "
				"init); give it with --log-key FILE",
				log_key);
			goto out;
		}
		ot_ledger_close(l);
		l = NULL;
		if ((code = cli_ledger_open_rw(o.db, o.log_key ? o.log_key : log_key, "import", &l,
		                               &log_signer)))
			goto out;
	}

	/* Everything signed goes in one batch; parts of an event that could
	 * not be signed stay out with it. */
	size_t k = 0;
	for (size_t j = 0; j < ne; j++) {
		if (strcmp(oc[en[j].event].status, "rejected") == 0)
			continue;
		ptrs[k] = en[j].signed_entry.data;
		lens[k] = en[j].signed_entry.len;
		map[k++] = j;
	}
	size_t appended = 0;
	if (k > 0) {
		int flags = (o.keep_going ? OT_SUBMIT_KEEP_GOING : 0) |
		            (o.dry_run ? OT_SUBMIT_DRY_RUN : 0);
		ot_status rc = ot_ledger_submit(l, ptrs, lens, k, flags, results, &appended, &err);
		if (rc && err.index >= 0 && (size_t)err.index < k &&
		    cli_exit_for(rc) != EXIT_STORE && rc != OT_ERR_READONLY) {
			/* All or none, and one was rejected: nothing was appended. */
			outcome *bad = &oc[en[map[err.index]].event];
			fprintf(stderr,
			        "oretrail: import: event %zu (%s) rejected, nothing appended: %s\n",
			        en[map[err.index]].event + 1, bad->map.type,
			        strip_batch_prefix(err.message));
			if (o.json) {
				json_t *e = json_pack(
					"{s:{s:s,s:s,s:I,s:s}}", "error", "code",
					err.code[0] ? err.code : ot_status_code(err.status),
					"message", strip_batch_prefix(err.message), "event",
					(json_int_t)(en[map[err.index]].event + 1), "hash",
					bad->map.hash_id);
				print_json(e);
			}
			code = EXIT_REJECTED;
			goto out;
		}
		if (rc) {
			code = cli_fail_json(
				o.json, cli_exit_for(rc) == EXIT_USAGE ? EXIT_USAGE : EXIT_STORE,
				"import", &err);
			goto out;
		}
		for (size_t j = 0; j < k; j++) {
			entry *e = &en[map[j]];
			if (results[j].error.status != OT_OK)
				reject(&oc[e->event], &results[j].error);
			else
				e->index = results[j].index;
		}
	}
	code = report(&o, oc, n, en, ne, appended, ot_log_size(ot_ledger_log(l)));
out:
	for (size_t j = 0; j < ne; j++)
		ot_buf_free(&en[j].signed_entry);
	for (size_t i = 0; oc && i < n; i++)
		otx_epcis_mapping_clear(&oc[i].map);
	free(oc);
	free(en);
	free(ptrs);
	free(lens);
	free(map);
	free(results);
	ot_ledger_close(l);
	ot_signer_free(log_signer);
	ot_signer_free(key);
	otx_epcis_doc_clear(&doc);
	free(text);
	return code;
}
