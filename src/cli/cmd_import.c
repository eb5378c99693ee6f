/*
 * cmd_import.c: `oretrail import`: the material flows of an EPCIS 2.0
 * JSON-LD document into the ledger (oretrail/epcis.h): each EPCIS
 * event mapped to oretrail events, signed with the submitter's key and
 * appended in one batch. Every event that does not make it in is reported
 * on its own line with the reason: not a material flow, something oretrail
 * needs is missing, a carried hash ID that is not the event's, or a rule
 * of the ledger.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_ledger.h"
#include "oretrail/buf.h"
#include "oretrail/epcis.h"
#include "oretrail/event.h"
#include "oretrail/status.h"

static const cli_spec SPEC = {
	"oretrail import --db PATH --key KEYFILE [--as ACTOR] [--log-key FILE]\n"
	"                       [--profile FILE] [--keep-going] [--dry-run] [--json]\n"
	"                       FILE.jsonld|-",
	"Imports the material flows of the EPCIS 2.0 JSON-LD document FILE into the\n"
	"ledger at PATH: ObjectEvent commissioning -> extract (recycle with\n"
	"oretrail:recycled in the ILMD), shipping -> ship,\n"
	"receiving -> receive; TransformationEvent -> transform; AggregationEvent\n"
	"ADD shipping/loading -> ship, DELETE receiving/unloading -> receive (the\n"
	"README's EPCIS section has the whole table). Masses come from quantity\n"
	"lists in units of mass, converted to grams; material, assay and process\n"
	"from oretrail:* extensions (namespace " OT_EPCIS_NS "),\n"
	"else from the mapping profile FILE (--profile; docs/epcis-profiles.md:\n"
	"locations -> sites, parties -> actors, EPC classes -> materials and assays,\n"
	"bizSteps -> processes; `oretrail epcis profile infer` writes a first one).\n"
	"Sites and actors registered with a GLN are also known by its GS1 Digital\n"
	"Link (https://id.gs1.org/414/GLN, /417/GLN), as export writes them; an\n"
	"inspecting event with element contents is an assay (lab: its bizLocation).\n"
	"Without either, a TransformationEvent of one lot into several is a split\n"
	"and of several into one a merge.\n"
	"Each event keeps its EPCIS original, with sensor and certification data,\n"
	"and its CBV 2.0 hash ID; a hash ID the document carries (eventID or\n"
	"oretrail:hash) must be the event's own.\n\n"
	"The events are signed with KEYFILE as the key's actor (or ACTOR with --as)\n"
	"and appended in one batch: all or none, unless --keep-going. Events that\n"
	"are not material flows (aggregations, associations, observations) are\n"
	"skipped and reported; a material flow whose mapping is incomplete stops the\n"
	"whole document (nothing appended) unless --keep-going, which imports the\n"
	"good events and lists the rest.\n"
	"--dry-run maps and checks without appending. Appending signs a new\n"
	"checkpoint with PATH.key (--log-key FILE to take it from elsewhere).\n\n"
	"Prints one line per appended entry: log index, type, id, and the EPCIS\n"
	"event it came from; --json prints {\"appended\",\"size\",\"events\":[{\"event\",\n"
	"\"type\",\"hash\",\"status\",\"entries\"?,\"code\"?,\"message\"?,\"index\",\n"
	"\"epcis_type\",\"outcome\",\"event\",\"reason\"}]} with status imported,\n"
	"not_mapped, rejected or would_import; outcome mapped, unsupported (not a\n"
	"material flow) or error, event the oretrail event (without its EPCIS\n"
	"original) or null, reason null or why not.\n\n"
	"Exit 0 when every EPCIS event was imported, 4 when one was not (not\n"
	"mapped, or rejected by the ledger), 2 for an unusable document or key,\n"
	"3 when the ledger cannot be written.\n",
	0,
};

typedef struct opts {
	const char *db, *key, *as, *log_key, *wait, *file, *profile;
	int keep_going, dry_run, json;
} opts;

/* Parses the options into o. 0: go on; -1: --help was printed; otherwise
 * the exit code. */
static int parse_opts(int argc, char **argv, opts *o)
{
	memset(o, 0, sizeof *o);
	const cli_opt table[] = {
		CLI_OPTS_APPEND(o),
		{"profile", 0, "FILE", "the mapping profile for the partner's identifiers",
	         &o->profile, NULL},
		CLI_OPT_END,
	};
	int code, first = cli_parse(&SPEC, table, argc, argv, &code);
	if (first < 0)
		return code ? code : -1;
	if (argc - first != 1)
		return cli_failf(EXIT_USAGE, "import", "expected one FILE.jsonld (or - for stdin)");
	o->file = argv[first];
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
	ot_epcis_mapping map;
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

/* What an EPCIS event would become, or why it cannot: "index" (from 0),
 * "epcis_type", "outcome" (mapped, unsupported, error), "event" (the first
 * oretrail event, without its EPCIS original, or null), "reason". */
static void outcome_members(json_t *e, const outcome *oc)
{
	const char *kind = oc->why.status == OT_OK                  ? "mapped"
	                   : ot_epcis_mapping_unsupported(&oc->map) ? "unsupported"
	                                                            : "error";
	json_t *ev = json_array_get(oc->map.events, 0);
	json_t *shown = ev ? json_copy(ev) : json_null();
	if (ev)
		json_object_del(shown, "epcis");
	json_object_set_new(e, "index", json_integer((json_int_t)oc->map.event));
	json_object_set_new(e, "epcis_type", json_string(oc->map.type));
	json_object_set_new(e, "outcome", json_string(kind));
	json_object_set_new(e, "event", shown);
	json_object_set_new(e, "reason",
	                    oc->why.status ? json_string(strip_batch_prefix(oc->why.message))
	                                   : json_null());
}

/* The "events" of the JSON report: what became of each EPCIS event. */
static json_t *json_events(const outcome *oc, size_t n, const entry *en, size_t ne)
{
	json_t *events = json_array();
	for (size_t i = 0; events && i < n; i++) {
		json_t *e = json_pack("{s:I,s:s,s:s,s:s}", "event", (json_int_t)(i + 1), "type",
		                      oc[i].map.type, "hash", oc[i].map.hash_id, "status",
		                      oc[i].status);
		if (!e)
			continue;
		if (oc[i].why.status) {
			json_object_set_new(
				e, "code",
				json_string(oc[i].why.code[0] ? oc[i].why.code
			                                      : ot_status_code(oc[i].why.status)));
			json_object_set_new(e, "message",
			                    json_string(strip_batch_prefix(oc[i].why.message)));
		} else {
			json_t *ents = json_array();
			for (size_t j = 0; ents && j < ne; j++)
				if (en[j].event == i)
					json_array_append_new(
						ents,
						json_pack("{s:I,s:O,s:O}", "index",
					                  (json_int_t)en[j].index, "type",
					                  json_object_get(en[j].ev, "type"), "id",
					                  json_object_get(en[j].ev, "id")));
			json_object_set_new(e, "entries", ents);
		}
		outcome_members(e, &oc[i]);
		json_array_append_new(events, e);
	}
	return events;
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
		int code =
			print_json(json_pack("{s:I,s:I,s:b,s:o}", "appended", (json_int_t)appended,
		                             "size", (json_int_t)size, "dry_run", o->dry_run,
		                             "events", json_events(oc, n, en, ne)));
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

/* One import, from the document read to the batch submitted. */
typedef struct import {
	opts o;
	ot_error err;
	char *text; /* the document as read */
	size_t len;
	ot_epcis_doc *doc;
	ot_signer *key, *log_signer;
	ot_epcis_profile *profile; /* --profile, or NULL */
	const char *actor;         /* who signs the events */
	outcome *oc;               /* one per EPCIS event */
	size_t n;
	entry *en; /* one per oretrail event */
	size_t ne, total;
	ot_ledger *l;
	/* the batch: entries k of ptrs/lens/results are en[map[k]] */
	const uint8_t **ptrs;
	size_t *lens, *map;
	ot_submit_result *results;
	size_t appended;
} import;

static int out_of_memory(void)
{
	return cli_failf(EXIT_STORE, "import", "out of memory");
}

/* Reads and parses the document, and loads the signing key. */
static int load_input(import *im)
{
	const opts *o = &im->o;
	if (cli_read_file(o->file, &im->text, &im->len, OT_EPCIS_INPUT_MAX, &im->err))
		return cli_fail_json(o->json, EXIT_USAGE, "import", &im->err);
	if (ot_epcis_doc_parse((const uint8_t *)im->text, im->len, &im->doc, &im->err)) {
		ot_error_prefix(&im->err, "%s", o->file);
		return cli_fail_json(o->json, EXIT_USAGE, "import", &im->err);
	}
	if (o->profile && cli_load_profile(o->profile, &im->profile, &im->err))
		return cli_fail_json(o->json, EXIT_USAGE, "import", &im->err);
	if (cli_load_signer(o->key, &im->key, &im->err))
		return cli_fail_json(o->json, EXIT_USAGE, "import: loading the signing key",
		                     &im->err);
	im->actor = o->as ? o->as : ot_signer_name(im->key);
	return EXIT_OK;
}

/* The ledger's GLNs into the profile (one made for them without
 * --profile): the Digital Links export writes for its sites and actors
 * name them again. */
static int add_glns(import *im)
{
	if (!im->profile && ot_epcis_profile_new(&im->profile, &im->err))
		return out_of_memory();
	return cli_ledger_glns(im->l, "import", cli_profile_add_gln, im->profile);
}

/* Maps every event, and makes room for the oretrail events to submit. */
static int map_events(import *im)
{
	im->n = ot_epcis_doc_count(im->doc);
	im->oc = calloc(im->n ? im->n : 1, sizeof *im->oc);
	if (!im->oc)
		return out_of_memory();
	for (size_t i = 0; i < im->n; i++) {
		outcome *oc = &im->oc[i];
		ot_status rc = ot_epcis_map_event_with(im->doc, i, im->profile, &oc->map);
		if (rc == OT_ERR_NOMEM)
			return out_of_memory();
		oc->status = im->o.dry_run ? "would_import" : "imported";
		if (rc) {
			oc->status = "not_mapped";
			oc->why = oc->map.error;
		}
		im->total += json_array_size(oc->map.events);
	}
	size_t room = im->total ? im->total : 1;
	im->en = calloc(room, sizeof *im->en);
	im->ptrs = calloc(room, sizeof *im->ptrs);
	im->lens = calloc(room, sizeof *im->lens);
	im->map = calloc(room, sizeof *im->map);
	im->results = calloc(room, sizeof *im->results);
	if (!im->en || !im->ptrs || !im->lens || !im->map || !im->results)
		return out_of_memory();
	return EXIT_OK;
}

/* Signs every oretrail event; an event that cannot be signed rejects the
 * EPCIS event it came from. */
static int sign_entries(import *im)
{
	for (size_t i = 0; i < im->n; i++) {
		size_t j;
		json_t *ev;
		json_array_foreach(im->oc[i].map.events, j, ev)
		{
			entry *e = &im->en[im->ne++];
			e->event = i;
			e->ev = ev;
			e->index = -1;
			ot_buf_init(&e->signed_entry, 0);
			ot_error se;
			ot_error_clear(&se);
			ot_status rc = ot_event_sign(ev, im->actor, im->key, &e->signed_entry, &se);
			if (rc == OT_ERR_NOMEM)
				return out_of_memory();
			if (rc)
				reject(&im->oc[i], &se);
		}
	}
	return EXIT_OK;
}

/* The ledger: with its log key to append, without it for a dry run. */
static int open_ledger(import *im)
{
	const opts *o = &im->o;
	int code = cli_ledger_open_append(o->db, o->log_key, o->dry_run, o->json, "import", &im->l,
	                                  &im->log_signer);
	return code ? code : cli_ledger_set_wait(im->l, "import", o->wait);
}

/* All or none, and batch entry k was rejected: nothing was appended. */
static int rejected_batch(import *im, size_t k)
{
	const entry *e = &im->en[im->map[k]];
	const outcome *bad = &im->oc[e->event];
	const ot_error *err = &im->err;
	fprintf(stderr, "oretrail: import: event %zu (%s) rejected, nothing appended: %s\n",
	        e->event + 1, bad->map.type, strip_batch_prefix(err->message));
	if (im->o.json)
		print_json(json_pack("{s:{s:s,s:s,s:I,s:s}}", "error", "code",
		                     err->code[0] ? err->code : ot_status_code(err->status),
		                     "message", strip_batch_prefix(err->message), "event",
		                     (json_int_t)(e->event + 1), "hash", bad->map.hash_id));
	return EXIT_REJECTED;
}

/* All or none: a material flow that could not be mapped (or signed) keeps
 * the whole document out, unless --keep-going or --dry-run. */
static int incomplete_document(import *im)
{
	if (im->o.keep_going || im->o.dry_run)
		return EXIT_OK;
	for (size_t i = 0; i < im->n; i++) {
		const outcome *oc = &im->oc[i];
		if (!oc->why.status || ot_epcis_mapping_unsupported(&oc->map))
			continue;
		fprintf(stderr,
		        "oretrail: import: event %zu (%s) cannot be imported, nothing appended "
		        "(--keep-going imports the other events): %s\n",
		        i + 1, oc->map.type, strip_batch_prefix(oc->why.message));
		if (im->o.json)
			print_json(json_pack(
				"{s:{s:s,s:s,s:I,s:s}}", "error", "code",
				oc->why.code[0] ? oc->why.code : ot_status_code(oc->why.status),
				"message", strip_batch_prefix(oc->why.message), "event",
				(json_int_t)(i + 1), "hash", oc->map.hash_id));
		return EXIT_REJECTED;
	}
	return EXIT_OK;
}

/* Everything signed goes in one batch; parts of an event that could not be
 * signed stay out with it. */
static int submit_batch(import *im)
{
	const opts *o = &im->o;
	int code = incomplete_document(im);
	if (code)
		return code;
	size_t k = 0;
	for (size_t j = 0; j < im->ne; j++) {
		if (strcmp(im->oc[im->en[j].event].status, "rejected") == 0)
			continue;
		im->ptrs[k] = im->en[j].signed_entry.data;
		im->lens[k] = im->en[j].signed_entry.len;
		im->map[k++] = j;
	}
	if (k == 0)
		return EXIT_OK;
	int flags =
		(o->keep_going ? OT_SUBMIT_KEEP_GOING : 0) | (o->dry_run ? OT_SUBMIT_DRY_RUN : 0);
	ot_error *err = &im->err;
	ot_status rc = ot_ledger_submit(im->l, im->ptrs, im->lens, k, flags, im->results,
	                                &im->appended, err);
	if (rc && err->index >= 0 && (size_t)err->index < k && cli_exit_for(rc) != EXIT_STORE &&
	    rc != OT_ERR_READONLY)
		return rejected_batch(im, (size_t)err->index);
	if (rc)
		return cli_fail_json(o->json,
		                     cli_exit_for(rc) == EXIT_USAGE ? EXIT_USAGE : EXIT_STORE,
		                     "import", err);
	for (size_t j = 0; j < k; j++) {
		entry *e = &im->en[im->map[j]];
		if (im->results[j].error.status != OT_OK)
			reject(&im->oc[e->event], &im->results[j].error);
		else
			e->index = im->results[j].index;
	}
	return EXIT_OK;
}

static void import_free(import *im)
{
	for (size_t j = 0; j < im->ne; j++)
		ot_buf_free(&im->en[j].signed_entry);
	for (size_t i = 0; im->oc && i < im->n; i++)
		ot_epcis_mapping_clear(&im->oc[i].map);
	free(im->oc);
	free(im->en);
	free(im->ptrs);
	free(im->lens);
	free(im->map);
	free(im->results);
	ot_ledger_close(im->l);
	ot_signer_free(im->log_signer);
	ot_signer_free(im->key);
	ot_epcis_doc_free(im->doc);
	ot_epcis_profile_free(im->profile);
	free(im->text);
}

int cmd_import(int argc, char **argv)
{
import im;
	memset(&im, 0, sizeof im);
	int code = parse_opts(argc, argv, &im.o);
	if (code)
		return code < 0 ? EXIT_OK : code;
	ot_error_clear(&im.err);
	if (!(code = load_input(&im)) && !(code = open_ledger(&im)) && !(code = add_glns(&im)) &&
	    !(code = map_events(&im)) && !(code = sign_entries(&im)) && !(code = submit_batch(&im)))
		code = report(&im.o, im.oc, im.n, im.en, im.ne, im.appended,
		              ot_log_size(ot_ledger_log(im.l)));
	import_free(&im);
	return code;
}
