/*
 * cmd_epcis.c: `oretrail epcis hash`: the CBV 2.0 event hash ID of each
 * event of an EPCIS 2.0 JSON-LD document (oretrail/epcis.h), in
 * document order, or their canonical pre-hash strings; with --check, also
 * whether the eventIDs the document carries are the events' hash IDs.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "oretrail/buf.h"
#include "oretrail/epcis.h"
#include "oretrail/status.h"

static const cli_spec HASH_SPEC = {
	"oretrail epcis hash [--prehash] [--check] [--lenient] [--json] FILE.jsonld|-",
	"Prints the CBV 2.0 event hash ID of each event of the EPCIS 2.0 JSON-LD\n"
	"document FILE, one per line in document order:\n"
	"  ni:///sha-256;<64 hex digits>?ver=CBV2.0\n"
	"--prehash prints the canonical pre-hash string of each event instead\n"
	"(the text whose SHA-256 the id holds).\n"
	"--check also compares each id with the event's eventID when that is a\n"
	"hash ID, and says which differ (on standard error).\n"
	"Each event is checked first: eventTime present and an xsd:dateTimeStamp\n"
	"with its offset, eventTimeZoneOffset present (+hh:mm or -hh:mm), every\n"
	"identifier a URI and every GS1 EPC URI well formed; an event that is not\n"
	"is reported with the field and value (on standard error) and not hashed.\n"
	"--lenient hashes such events anyway, as before these checks.\n"
	"--json prints one array [{\"event\",\"id\",\"prehash\"?,\"eventID\"?,\n"
	"\"matches\"?}] with events numbered from 1.\n\n"
	"Exit 0 when every event was hashed (and, with --check, every hash ID the\n"
	"document carries matches), 1 when a carried hash ID does not match, 2 for\n"
	"an unusable document or event (missing or malformed eventTime, missing\n"
	"eventTimeZoneOffset, malformed identifier; unless --lenient).\n",
	1,
};

static const cli_spec EPCIS_SPEC = {
	"oretrail epcis hash [--prehash] [--check] [--lenient] [--json] FILE.jsonld|-\n"
	"       oretrail epcis profile infer FILE.jsonld|-",
	"EPCIS 2.0 tools. `oretrail import` and `oretrail export` move events\n"
	"between a ledger and EPCIS documents.\n\n"
	"hash   the CBV 2.0 event hash ID of each event (see `oretrail epcis hash\n"
	"       --help`)\n"
	"profile infer\n"
	"       a starting mapping profile for a document (see `oretrail epcis\n"
	"       profile infer --help`)\n",
	1,
};

/* What hash_event needs: the document, the flags, and where to write. */
typedef struct hash_run {
	ot_epcis_doc *doc;
	const char *path;
	int prehash, check, lenient;
	ot_buf *pre; /* scratch: the event's pre-hash string */
	json_t *out; /* --json: the array to append to; NULL: print lines */
} hash_run;

/* Hashes event i and prints or collects it. EXIT_USAGE when it cannot be
 * hashed, EXIT_INVALID when --check finds its eventID is not its hash ID,
 * EXIT_STORE when out of memory (the run stops). */
static int hash_event(const hash_run *r, size_t i)
{
	ot_error err;
	ot_error_clear(&err);
	json_t *event = ot_epcis_doc_event(r->doc, i);
	char id[OT_EPCIS_HASH_ID_LEN + 1];
	ot_buf_reset(r->pre);
	if ((!r->lenient && ot_epcis_validate(r->doc, event, &err)) ||
	    ot_epcis_prehash(r->doc, event, r->pre, &err)) {
		ot_error_prefix(&err, "%s: event %zu", r->path, i + 1);
		cli_fail(EXIT_USAGE, "epcis hash", &err);
		return EXIT_USAGE;
	}
	const char *pre_s = r->pre->len ? (const char *)r->pre->data : "";
	ot_epcis_hash_of_prehash(pre_s, r->pre->len, id);
	const char *declared = json_string_value(json_object_get(event, "eventID"));
	int has_hash = declared && ot_epcis_is_hash_id(declared);
	int matches = has_hash && strcmp(declared, id) == 0;
	int code = EXIT_OK;
	if (r->check && has_hash && !matches) {
		fprintf(stderr,
		        "oretrail: epcis hash: %s: event %zu: eventID %s is not its hash ID %s\n",
		        r->path, i + 1, declared, id);
		code = EXIT_INVALID;
	}
	if (!r->out) {
		fwrite(r->prehash ? pre_s : id, 1, r->prehash ? r->pre->len : strlen(id), stdout);
		fputc('\n', stdout);
		return code;
	}
	json_t *o = json_pack("{s:I,s:s}", "event", (json_int_t)(i + 1), "id", id);
	if (o && r->prehash)
		json_object_set_new(o, "prehash", json_stringn(pre_s, r->pre->len));
	if (o && declared)
		json_object_set_new(o, "eventID", json_string(declared));
	if (o && has_hash)
		json_object_set_new(o, "matches", json_boolean(matches));
	if (!o || json_array_append_new(r->out, o))
		return cli_failf(EXIT_STORE, "epcis hash", "out of memory");
	return code;
}

/* Parses the options of an epcis verb and reads its one document. Returns
 * -1 when --help was printed (exit 0), 0 when *doc and *text are the
 * caller's to free, else the exit code (a usage error, an unusable
 * document: said on standard error). */
static int read_doc(const cli_spec *spec, const cli_opt *opts, const char *what, int argc,
                    char **argv, const char **path, char **text, ot_epcis_doc **doc)
{
	int code, first = cli_parse(spec, opts, argc, argv, &code);
	if (first < 0)
		return code ? code : -1;
	if (argc - first != 1)
		return cli_failf(EXIT_USAGE, what, "expected one FILE.jsonld (or - for stdin)");
	*path = argv[first];
	ot_error err;
	ot_error_clear(&err);
	size_t len = 0;
	if (cli_read_file(*path, text, &len, OT_EPCIS_INPUT_MAX, &err))
		return cli_fail(EXIT_USAGE, what, &err);
	if (ot_epcis_doc_parse((const uint8_t *)*text, len, doc, &err)) {
		free(*text);
		*text = NULL;
		ot_error_prefix(&err, "%s", *path);
		return cli_fail(EXIT_USAGE, what, &err);
	}
	return 0;
}

static int hash_cmd(int argc, char **argv)
{
	int prehash = 0, check = 0, lenient = 0, as_json = 0;
	const cli_opt opts[] = {
		{"prehash", 0, NULL, "print the canonical pre-hash strings instead", NULL,
	         &prehash},
		{"check", 0, NULL, "compare each id with the eventID the event carries", NULL,
	         &check},
		{"lenient", 0, NULL, "hash events without checking their time and identifiers",
	         NULL, &lenient},
		CLI_OPT_JSON(as_json),
		CLI_OPT_END,
	};
	const char *path = NULL;
	char *text = NULL;
	ot_epcis_doc *doc = NULL;
	int code = read_doc(&HASH_SPEC, opts, "epcis hash", argc, argv, &path, &text, &doc);
	if (code)
		return code < 0 ? EXIT_OK : code;
	code = EXIT_OK;
	json_t *out = as_json ? json_array() : NULL;
	ot_buf pre;
	ot_buf_init(&pre, 0);
	hash_run r = {doc, path, prehash, check, lenient, &pre, out};
	for (size_t i = 0; i < ot_epcis_doc_count(doc); i++) {
		int c = hash_event(&r, i);
		if (c == EXIT_STORE) {
			code = c;
			break;
		}
		if (c == EXIT_USAGE || (c == EXIT_INVALID && code == EXIT_OK))
			code = c;
	}
	if (out) {
		char *s = json_dumps(out, JSON_INDENT(2));
		if (s)
			printf("%s\n", s);
		else
			code = cli_failf(EXIT_STORE, "epcis hash", "out of memory");
		free(s);
		json_decref(out);
	}
	if (check && code == EXIT_OK)
		fprintf(stderr, "ok: %zu events hashed; every hash ID carried matches\n",
		        ot_epcis_doc_count(doc));
	ot_buf_free(&pre);
	ot_epcis_doc_free(doc);
	free(text);
	return code;
}

static const cli_spec INFER_SPEC = {
	"oretrail epcis profile infer FILE.jsonld|-",
	"Writes a starting mapping profile for the EPCIS 2.0 document FILE, as JSON\n"
	"on standard output (docs/epcis-profiles.md): every location of its material\n"
	"flows under \"sites\" with the site id it maps to by default, every party\n"
	"under \"parties\", every EPC class of new lots that has no material under\n"
	"\"materials\", every bizStep of a transformation without a process under\n"
	"\"processes\", the GTIN class of every serialised item (or count of items)\n"
	"with no mass under \"item_mass_g\", a missing consignment, destination or\n"
	"consignee under \"defaults\", and \"hash_ids\" when an event carries a hash\n"
	"ID that is not its own. Each event is mapped again with stand-ins until it\n"
	"maps, so every missing entry is listed, not only the first.\n"
	"What cannot be mapped without a word from you is null, and\n"
	"listed in \"unmapped\": [{\"kind\",\"id\",\"events\"}] (events numbered from\n"
	"1). Fill in the nulls and give it to `oretrail import --profile`.\n\n"
	"Exit 0 when the profile was written (also when some identifiers are\n"
	"unmapped), 2 for an unusable document.\n",
	1,
};

static int infer_cmd(int argc, char **argv)
{
	const cli_opt opts[] = {CLI_OPT_END};
	const char *path = NULL;
	char *text = NULL;
	ot_epcis_doc *doc = NULL;
	int code =
		read_doc(&INFER_SPEC, opts, "epcis profile infer", argc, argv, &path, &text, &doc);
	if (code)
		return code < 0 ? EXIT_OK : code;
	ot_error err;
	ot_error_clear(&err);
	json_t *prof = NULL;
	char *s = NULL;
	if (ot_epcis_profile_infer(doc, &prof, &err)) {
		code = cli_fail(EXIT_STORE, "epcis profile infer", &err);
	} else if (!(s = json_dumps(prof, JSON_INDENT(2) | JSON_PRESERVE_ORDER))) {
		code = cli_failf(EXIT_STORE, "epcis profile infer", "out of memory");
	} else {
		printf("%s\n", s);
		size_t unmapped = json_array_size(json_object_get(prof, "unmapped"));
		fprintf(stderr,
		        "oretrail: epcis profile infer: %zu identifier%s to map by hand (null)\n",
		        unmapped, unmapped == 1 ? "" : "s");
	}
	free(s);
	json_decref(prof);
	ot_epcis_doc_free(doc);
	free(text);
	return code;
}

int cmd_epcis(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		static const cli_opt none[] = {CLI_OPT_END};
		cli_help(&EPCIS_SPEC, none, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (strcmp(argv[1], "hash") == 0)
		return hash_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "profile") == 0) {
		if (argc >= 3 && strcmp(argv[2], "infer") == 0)
			return infer_cmd(argc - 2, argv + 2);
		return cli_failf(EXIT_USAGE, "epcis profile",
		                 "expected `oretrail epcis profile infer FILE.jsonld`");
	}
	return cli_failf(EXIT_USAGE, "epcis", "no such epcis verb \"%s\" (hash, profile)", argv[1]);
}
