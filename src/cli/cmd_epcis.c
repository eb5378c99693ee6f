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
#include "cli/cli_ledger.h"
#include "oretrail/buf.h"
#include "oretrail/encoding.h"
#include "oretrail/epcis.h"
#include "oretrail/event.h"
#include "oretrail/hash.h"
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
	"       oretrail epcis profile infer FILE.jsonld|-\n"
	"       oretrail epcis registry --db PATH --key KEYFILE --authority-key FILE\n"
	"                               [--profile FILE] [--country CC] [--json] FILE.jsonld|-",
	"EPCIS 2.0 tools. `oretrail import` and `oretrail export` move events\n"
	"between a ledger and EPCIS documents.\n\n"
	"hash   the CBV 2.0 event hash ID of each event (see `oretrail epcis hash\n"
	"       --help`)\n"
	"profile infer\n"
	"       a starting mapping profile for a document (see `oretrail epcis\n"
	"       profile infer --help`)\n"
	"registry\n"
	"       the events a ledger needs before a document's material flows can\n"
	"       come in: the partner, its sites, the lots and consignments it\n"
	"       consumes (see `oretrail epcis registry --help`)\n",
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

ot_status cli_load_profile(const char *path, ot_epcis_profile **out, ot_error *err)
{
	char *text = NULL;
	size_t len = 0;
	ot_status rc = cli_read_file(path, &text, &len, OT_EPCIS_INPUT_MAX, err);
	if (!rc)
		rc = ot_epcis_profile_parse((const uint8_t *)text, len, out, err);
	free(text);
	if (rc)
		ot_error_prefix(err, "profile %s", path);
	return rc;
}

static const cli_spec REGISTRY_SPEC = {
	"oretrail epcis registry --db PATH --key KEYFILE --authority-key FILE\n"
	"                               [--profile FILE] [--country CC] [--json] FILE.jsonld|-",
	"Writes the events the ledger at PATH needs before the material flows of\n"
	"the EPCIS 2.0 document FILE (mapped through --profile, as `oretrail import`\n"
	"maps them) can come in signed with KEYFILE, as signed envelopes, one a line,\n"
	"for `oretrail submit --db PATH`: signed with the authority's key (--authority-key,\n"
	"for example PATH.key), an `actor` event registering KEYFILE's actor with\n"
	"the roles its events need and a `site` event for every site they name\n"
	"(held by that actor, of the kind the rules ask: mine, plant, lab, else\n"
	"warehouse); signed with KEYFILE, a `transform` with one `external` input\n"
	"(process blending: declared, not proven) bringing in each lot the\n"
	"document consumes that nothing makes, at the site it is first used, with\n"
	"the profile's material and assay for it; and a `ship` to the actor of each\n"
	"consignment the document receives that nothing ships, from a site of its\n"
	"own. What the ledger already holds is not made again. --country (required)\n"
	"is the actor's, its sites' and what it brings in. Times: three, two and one\n"
	"days before the document's earliest event.\n"
	"What only someone else can declare is listed on standard error: another\n"
	"actor (its own key), the material of a consumed lot the profile does not\n"
	"give (the profile line to add), a mass nothing states.\n"
	"--json prints {\"events\":[envelopes],\"left\":[{\"kind\",\"id\",\"reason\"}]}.\n\n"
	"Exit 0 when nothing is left, 2 when something is (the events are still\n"
	"written) or for an unusable document, profile or key, 3 when the ledger\n"
	"cannot be read.\n",
	1,
};

/* Signs each bare event of list with key as actor into out (a JSON array of
 * envelopes). EXIT_OK or the exit code, said. */
static int sign_all(json_t *list, const char *actor, const ot_signer *key, json_t *out)
{
	size_t i;
	json_t *ev;
	ot_buf b;
	ot_buf_init(&b, 0);
	int code = EXIT_OK;
	json_array_foreach(list, i, ev)
	{
		ot_error err;
		ot_error_clear(&err);
		ot_buf_reset(&b);
		json_t *env = NULL;
		if (ot_event_sign(ev, actor, key, &b, &err) ||
		    !(env = json_loadb((const char *)b.data, b.len, 0, NULL))) {
			code = cli_fail(EXIT_USAGE, "epcis registry", &err);
			break;
		}
		json_array_append_new(out, env);
	}
	ot_buf_free(&b);
	return code;
}

ot_status cli_profile_add_gln(void *ctx, int party, const char *id, const char *gln, ot_error *err)
{
	return ot_epcis_profile_add_gln(ctx, party, gln, id, err);
}

static int registry_cmd(int argc, char **argv)
{
	const char *db = NULL, *key_path = NULL, *auth_path = NULL, *prof_path = NULL,
		   *country = NULL;
	int as_json = 0;
	const cli_opt opts[] = {
		CLI_OPT_DB(db),
		{"key", 0, "KEYFILE", "the key the import will be signed with", &key_path, NULL},
		{"authority-key", 0, "FILE", "the authority's key (registers actors and sites)",
	         &auth_path, NULL},
		{"profile", 0, "FILE", "the mapping profile", &prof_path, NULL},
		{"country", 0, "CC", "ISO 3166-1 alpha-2 country of the actor and its sites",
	         &country, NULL},
		CLI_OPT_JSON(as_json),
		CLI_OPT_END,
	};
	const char *path = NULL, *what = "epcis registry";
	char *text = NULL;
	ot_epcis_doc *doc = NULL;
	int code = read_doc(&REGISTRY_SPEC, opts, what, argc, argv, &path, &text, &doc);
	if (code)
		return code < 0 ? EXIT_OK : code;
	ot_error err;
	ot_error_clear(&err);
	ot_epcis_profile *prof = NULL;
	ot_signer *key = NULL, *auth = NULL;
	ot_ledger *l = NULL;
	json_t *reg = NULL, *out = json_pack("{s:[],s:[]}", "events", "left");
	char vkey[OT_VKEY_MAX];
	if (!db || !key_path || !auth_path || !country) {
		code = cli_failf(EXIT_USAGE, what,
		                 "--db, --key, --authority-key and --country are "
		                 "required");
		goto out;
	}
	if (strlen(country) != 2 || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' ||
	    country[1] > 'Z') {
		code = cli_failf(EXIT_USAGE, what,
		                 "--country \"%s\" is not an ISO 3166-1 alpha-2 code", country);
		goto out;
	}
	if ((prof_path ? cli_load_profile(prof_path, &prof, &err)
	               : ot_epcis_profile_new(&prof, &err)) ||
	    cli_load_signer(key_path, &key, &err) || cli_load_signer(auth_path, &auth, &err) ||
	    ot_signer_vkey(key, vkey, sizeof vkey)) {
		code = cli_fail(EXIT_USAGE, what, &err);
		goto out;
	}
	if ((code = cli_ledger_open_ro(db, what, &l)) ||
	    (code = cli_ledger_glns(l, what, cli_profile_add_gln, prof)))
		goto out;
	/* Event ids: the document's SHA-256, so two documents never collide. */
	uint8_t h[OT_HASH_SIZE];
	char hex[2 * OT_HASH_SIZE + 1], tag[32];
	ot_sha256(text, strlen(text), h);
	ot_hex_encode(h, sizeof h, hex);
	snprintf(tag, sizeof tag, "reg-%.12s", hex);
	ot_epcis_registry_opts ro = {ot_signer_name(key), vkey, ot_ledger_authority(l), country,
	                             tag};
	if (ot_epcis_registry(doc, prof, l, &ro, &reg, &err)) {
		code = cli_fail(EXIT_STORE, what, &err);
		goto out;
	}
	json_t *events = json_object_get(out, "events"), *left = json_object_get(reg, "left");
	if ((code = sign_all(json_object_get(reg, "authority"), ot_signer_name(auth), auth,
	                     events)) ||
	    (code = sign_all(json_object_get(reg, "partner"), ot_signer_name(key), key, events)))
		goto out;
	json_object_set(out, "left", left);
	size_t i;
	json_t *it;
	json_array_foreach(left, i, it)
	{
		fprintf(stderr, "oretrail: %s: left: %s %s: %s\n", what,
		        json_string_value(json_object_get(it, "kind")),
		        json_string_value(json_object_get(it, "id")),
		        json_string_value(json_object_get(it, "reason")));
	}
	if (as_json) {
		char *s = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (s)
			printf("%s\n", s);
		free(s);
	} else {
		json_array_foreach(events, i, it)
		{
			char *s = json_dumps(it, JSON_COMPACT | JSON_PRESERVE_ORDER);
			if (s)
				printf("%s\n", s);
			free(s);
		}
	}
	code = json_array_size(left) ? EXIT_USAGE : EXIT_OK;
out:
	json_decref(reg);
	json_decref(out);
	ot_ledger_close(l);
	ot_signer_free(key);
	ot_signer_free(auth);
	ot_epcis_profile_free(prof);
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
	if (strcmp(argv[1], "registry") == 0)
		return registry_cmd(argc - 1, argv + 1);
	return cli_failf(EXIT_USAGE, "epcis", "no such epcis verb \"%s\" (hash, profile, registry)",
	                 argv[1]);
}
