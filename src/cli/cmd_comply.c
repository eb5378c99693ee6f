/*
 * cmd_comply.c: `oretrail comply PROFILE LOT`: the determination a buyer
 * files (pass, fail, undetermined) under a compliance profile, with every
 * reason and the log entries behind it (ot_ledger_comply). Profiles are
 * JSON files: by name from the profiles directory, or a path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_ledger.h"

static const cli_spec SPEC = {
	"oretrail comply --db PATH [--json] [--at DATE] PROFILE LOT",
	"Determines whether LOT complies with PROFILE, a compliance profile: its\n"
	"name (dfars-7052, crma: PROFILE.json in $OT_PROFILES_DIR, else in the\n"
	"profiles directory shipped with oretrail: share/oretrail/profiles beside\n"
	"an installed bin/) or the path of a profile file\n"
	"(docs/events.md, \"Compliance profiles\"). --at DATE (YYYY-MM-DD, default\n"
	"today, UTC) judges only the stages in effect on that date.\n"
	"\n"
	"--json prints {\"profile\",\"title\",\"lot\",\"at\",\"determination\",\n"
	"  \"reasons\":[{\"kind\",\"stage\",\"element\",\"country\",\"share_ppm\",\"sites\",\n"
	"  \"entries\"}]}.\n"
	"Exit 0 pass, 1 fail, 5 undetermined (the ledger cannot show where some of\n"
	"the content came from); 2 for an unknown or malformed profile, a bad date\n"
	"or no such lot; 3 when the ledger cannot be read.\n",
	0,
};

static void print_text(json_t *doc)
{
	const char *det = cli_jstr(doc, "determination");
	printf("compliance determination\n");
	printf("profile        %s%s%s%s\n", cli_jstr(doc, "profile"),
	       json_object_get(doc, "title") ? " (" : "", cli_jstr(doc, "title"),
	       json_object_get(doc, "title") ? ")" : "");
	printf("lot            %s\n", cli_jstr(doc, "lot"));
	printf("as of          %s\n", cli_jstr(doc, "at"));
	printf("determination  %s\n",
	       strcmp(det, "pass") == 0   ? "PASS"
	       : strcmp(det, "fail") == 0 ? "FAIL"
	                                  : "UNDETERMINED (the ledger cannot show the origin of "
	                                    "all of the lot's content)");
	json_t *reasons = json_object_get(doc, "reasons");
	if (json_array_size(reasons) == 0) {
		printf("reasons        none: no covered country or excessive third-country share "
		       "at any stage in effect\n");
		return;
	}
	printf("reasons\n");
	for (size_t i = 0; i < json_array_size(reasons); i++) {
		json_t *r = json_array_get(reasons, i);
		char share[32];
		printf("  %zu. %s %s: %s %s, %s", i + 1, cli_jstr(r, "stage"),
		       cli_jstr(r, "element"),
		       json_is_null(json_object_get(r, "country")) ? "unknown origin"
		                                                   : cli_jstr(r, "country"),
		       cli_fmt_ppm(share, sizeof share, cli_jint(r, "share_ppm", 0)),
		       cli_jstr(r, "kind"));
		json_t *sites = json_object_get(r, "sites"), *ents = json_object_get(r, "entries");
		for (size_t k = 0; k < json_array_size(sites); k++)
			printf("%s%s", k ? ", " : "; sites ",
			       json_string_value(json_array_get(sites, k)));
		for (size_t k = 0; k < json_array_size(ents); k++)
			printf("%s%lld", k ? ", " : "; log entries ",
			       (long long)json_integer_value(json_array_get(ents, k)));
		printf("\n");
	}
}

int cmd_comply(int argc, char **argv)
{
	const char *db = NULL, *at = NULL;
	int json = 0;
	const cli_opt opts[] = {
		CLI_OPT_DB(db),
		CLI_OPT_JSON(json),
		{"at", 0, "DATE", "judge as of this date, YYYY-MM-DD (default today)", &at, NULL},
		CLI_OPT_END,
	};
	int code, first = cli_parse(&SPEC, opts, argc, argv, &code);
	if (first < 0)
		return code;
	if (argc - first != 2)
		return cli_failf(EXIT_USAGE, "comply", "expected PROFILE and LOT");
	if (!db)
		return cli_failf(EXIT_USAGE, "comply", "--db is required");
	char today[16];
	if (!at) {
		cli_today(today);
		at = today;
	}
	char *text = NULL, *out = NULL;
	size_t len = 0;
	ot_error err;
	ot_error_clear(&err);
	if ((code = cli_profile_read("comply", argv[first], &text, &len)))
		return code;
	ot_ledger *l = NULL;
	code = cli_ledger_open_ro(db, "comply", &l);
	if (code) {
		free(text);
		return code;
	}
	int det = 0;
	ot_status rc = ot_ledger_comply(l, text, len, argv[first + 1], at,
	                                json ? OT_JSON_PRETTY : 0, &out, &det, &err);
	if (rc) {
		code = cli_fail_json(
			json, rc == OT_ERR_NOTFOUND || rc == OT_ERR_PARSE ? EXIT_USAGE : EXIT_STORE,
			"comply", &err);
	} else if (json) {
		code = cli_print_json("comply", out);
		if (!code)
			code = det;
	} else {
		json_t *doc = json_loads(out, 0, NULL);
		if (doc)
			print_text(doc);
		code = doc ? det : cli_failf(EXIT_STORE, "comply", "out of memory");
		json_decref(doc);
	}
	free(out);
	free(text);
	ot_ledger_close(l);
	return code;
}
