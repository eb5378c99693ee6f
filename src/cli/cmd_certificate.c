/*
 * cmd_certificate.c: `oretrail prove LOT` writes a lot's provenance
 * certificate; `oretrail verify CERT` checks one offline, with no database,
 * and prints the origin shares it recomputed (certificate.h,
 * docs/certificate.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_ledger.h"
#include "cli/gzip.h"
#include "oretrail/certificate.h"

#define MAX_WITNESSES 32

static const cli_spec PROVE_SPEC = {
	"oretrail prove --db PATH [--out FILE] [--gzip] [--profile P ...] [--at DATE] LOT",
	"Writes the provenance certificate of LOT (to standard output, or FILE):\n"
	"one JSON file with every log entry a replay of the ledger's rules needs\n"
	"to recompute the lot's origins exactly (its ancestry, the other uses of\n"
	"its ancestors, the histories of the lots shipped or used with them, and\n"
	"the registrations of the actors and sites involved), each stored once,\n"
	"one merged inclusion proof of all of them against the log's latest signed\n"
	"checkpoint (with its cosignatures), and the lot's trace as the claim\n"
	"(with its origins by stage): certificate format version 2. `oretrail\n"
	"verify` checks it offline, and still reads version 1.\n"
	"--profile P (repeatable; a profile name such as dfars-7052, or a profile\n"
	"file, as `oretrail comply` takes it) adds the lot's determination under P\n"
	"as of --at DATE (YYYY-MM-DD, default today, UTC), with the whole profile,\n"
	"to the certificate's \"compliance\"; verify recomputes it.\n"
	"The format is described in docs/certificate.md.\n"
	"--gzip, or an --out FILE ending in .gz, writes it gzip-compressed (RFC\n"
	"1952, about five times smaller); verify, passport and the dashboard read\n"
	"either.\n\n"
	"Exit 2 when there is no such lot or a profile or date is unusable, 3 when\n"
	"the ledger cannot be used.\n",
	0,
};

/* --profile P, as it comes (the texts read by cli_profiles_add). */
typedef struct profile_args {
	const char *names[CLI_PROFILES_MAX];
	size_t n;
	const char *what;
} profile_args;

static int add_profile_arg(profile_args *pa, char *arg)
{
	if (pa->n == CLI_PROFILES_MAX)
		return cli_failf(EXIT_USAGE, pa->what, "at most %d --profile", CLI_PROFILES_MAX);
	pa->names[pa->n++] = arg;
	return 0;
}

static int prove_each(void *ctx, const cli_opt *opt, char *arg)
{
	return strcmp(opt->name, "profile") == 0 ? add_profile_arg(ctx, arg) : 0;
}

/* Reads the --profile texts into ps with flags; 0 or the exit code. */
static int read_profiles(const profile_args *pa, cli_profiles *ps, int flags)
{
	int code = 0;
	for (size_t i = 0; !code && i < pa->n; i++)
		code = cli_profiles_add(ps, pa->what, pa->names[i], flags);
	return code;
}

int cmd_prove(int argc, char **argv)
{
	const char *db = NULL, *out = NULL, *at = NULL;
	int gz = 0;
	profile_args pa = {{NULL}, 0, "prove"};
	cli_profiles ps = {{{NULL, 0, 0}}, {NULL}, 0};
	char today[16];
	const cli_opt opts[] = {
		CLI_OPT_DB(db),
		CLI_OPT_READ_ONLY,
		{"out", 'o', "FILE",
	         "write the certificate to FILE (gzip-compressed when it ends in .gz)", &out, NULL},
		{"gzip", 0, NULL, "gzip-compress the certificate (RFC 1952; about 5 times smaller)",
	         NULL, &gz},
		{"profile", 0, "P", "add the determination under profile P (repeatable)", NULL,
	         NULL},
		{"at", 0, "DATE", "judge the profiles as of this date, YYYY-MM-DD (default today)",
	         &at, NULL},
		CLI_OPT_END,
	};
	int code, first = cli_parse_each(&PROVE_SPEC, opts, argc, argv, prove_each, &pa, &code);
	if (first < 0)
		return code;
	if (argc - first > 1)
		return cli_failf(EXIT_USAGE, "prove", "unexpected argument \"%s\"",
		                 argv[first + 1]);
	if (argc - first != 1)
		return cli_failf(EXIT_USAGE, "prove", "expected LOT, the lot to prove");
	if (!db)
		return cli_failf(EXIT_USAGE, "prove", "--db is required");
	if (!at) {
		cli_today(today);
		at = today;
	}

	ot_ledger *l = NULL;
	if ((code = read_profiles(&pa, &ps, 0)) || (code = cli_ledger_open_ro(db, "prove", &l))) {
		cli_profiles_free(&ps);
		return code;
	}
	ot_error err;
	ot_error_clear(&err);
	char *text = NULL;
	ot_status rc = ot_ledger_prove_comply(l, argv[first], ps.items, ps.n, at, OT_JSON_PRETTY,
	                                      &text, &err);
	if (rc) {
		code = cli_fail(rc == OT_ERR_NOTFOUND || rc == OT_ERR_PARSE ? EXIT_USAGE
		                                                            : EXIT_STORE,
		                "prove", &err);
	} else if (gz || (out && strlen(out) > 3 && strcmp(out + strlen(out) - 3, ".gz") == 0)) {
		/* The same document, its final newline included, as one gzip member. */
		size_t len = strlen(text), zlen = 0;
		char *z = NULL;
		text[len] = '\n';
		rc = cli_gzip(text, len + 1, &z, &zlen, &err);
		text[len] = 0;
		if (!rc)
			rc = out ? cli_write_file(out, z, zlen, 0644, 0, &err)
			         : (fwrite(z, 1, zlen, stdout) == zlen && fflush(stdout) == 0
			                    ? OT_OK
			                    : ot_error_set(&err, OT_ERR_IO,
			                                   "cannot write to stdout"));
		free(z);
		code = rc ? cli_fail(0, "prove", &err) : EXIT_OK;
	} else if (out) {
		size_t len = strlen(text);
		text[len] = '\n'; /* the NUL becomes the final newline */
		rc = cli_write_file(out, text, len + 1, 0644, 0, &err);
		text[len] = 0;
		code = rc ? cli_fail(0, "prove", &err) : EXIT_OK;
	} else {
		code = cli_print_json("prove", text);
	}
	free(text);
	cli_profiles_free(&ps);
	ot_ledger_close(l);
	return code;
}

static const cli_spec VERIFY_SPEC = {
	"oretrail verify CERT --key LOG.vkey [--witness W.vkey ...]\n"
	"                       [--min-witnesses K] [--profile P ...] [--json]",
	"Checks a provenance certificate (from `oretrail prove`; plain or gzip-\n"
	"compressed) offline, with no\n"
	"database: the checkpoint's signature by the log key LOG.vkey and its\n"
	"C2SP tlog-cosignatures by the witnesses (W.vkey: the witness's key as\n"
	"`oretrail key new` or `oretrail witness --print-vkey` wrote it; by default\n"
	"every --witness must have cosigned; --min-witnesses K asks for K of\n"
	"them), every entry's inclusion\n"
	"proof against the checkpoint, then replays the entries in log order\n"
	"through the ledger's rules (each signature against the key its signer\n"
	"had registered, roles, custody, mass and element balances) and compares\n"
	"the lot's recomputed trace and origin shares with the certificate's claim.\n"
	"Prints the origin shares it recomputed.\n"
	"Each compliance determination the certificate carries is recomputed from\n"
	"the replay under its embedded profile; an embedded profile named as one\n"
	"of the profiles directory (or a --profile) must be that profile.\n"
	"--profile P (repeatable, a name or a file) requires a determination\n"
	"under P.\n\n"
	"--json prints "
	"{\"lot\",\"origin\",\"size\",\"root\",\"entries\",\"registrations\",\n"
	"\"witnesses\",\"trace\":{...},\"compliance\":[{\"profile\",\"source\",\n"
	"\"determination\"}]} on success, {\"error\":{\"code\",\"message\",\"index\"?}}\n"
	"on failure. Codes: checkpoint_signature, not_enough_witnesses,\n"
	"checkpoint_mismatch, entry_altered, proof_invalid, entry_signature,\n"
	"missing_entry, rule_broken, claim_mismatch, profile_mismatch,\n"
	"determination_mismatch, determination_missing (exit 1); cert_malformed,\n"
	"bad_profile (exit 2).\n"
	"Exit 0 when the certificate verifies, 1 when it does not, 2 when CERT or a\n"
	"key is unusable.\n",
	0,
};

/* The witnesses' keys, as --witness gives them, and the --profile names. */
typedef struct witness_list {
	const char *paths[MAX_WITNESSES];
	size_t n;
	profile_args profiles;
} witness_list;

static int add_witness(void *ctx, const cli_opt *opt, char *arg)
{
	witness_list *w = ctx;
	if (strcmp(opt->name, "profile") == 0)
		return add_profile_arg(&w->profiles, arg);
	if (strcmp(opt->name, "witness") != 0)
		return 0;
	if (w->n == MAX_WITNESSES)
		return cli_failf(EXIT_USAGE, "verify", "at most %d --witness keys", MAX_WITNESSES);
	w->paths[w->n++] = arg;
	return 0;
}

/* The determinations, recomputed, and whose profile each is under. */
static void print_compliance(json_t *list)
{
	if (json_array_size(list) == 0)
		return;
	printf("\ncompliance, recomputed\n");
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *it = json_array_get(list, i), *det = json_object_get(it, "determination");
		const char *source = cli_jstr(it, "source");
		size_t n = json_array_size(json_object_get(det, "reasons"));
		printf("  %s: %s as of %s, %zu reason%s\n", cli_jstr(it, "profile"),
		       cli_jstr(det, "determination"), cli_jstr(det, "at"), n, n == 1 ? "" : "s");
		if (strcmp(source, "certificate") == 0)
			printf("    profile %s is the certificate's own, not a shipped one\n",
			       cli_jstr(it, "profile"));
		else if (strcmp(source, "given") == 0)
			printf("    profile %s is the one given with --profile\n",
			       cli_jstr(it, "profile"));
	}
}

static int print_report(json_t *rep, size_t n_witnesses_asked)
{
	json_t *tr = json_object_get(rep, "trace");
	char g1[48], g2[48];
	printf("ok: the certificate of lot %s verifies\n", cli_jstr(rep, "lot"));
	printf("log        %s, checkpoint of %" PRId64 " entries signed by the log key",
	       cli_jstr(rep, "origin"), cli_jint(rep, "size", 0));
	if (n_witnesses_asked)
		printf(", cosigned by %" PRId64 " of %zu witnesses", cli_jint(rep, "witnesses", 0),
		       n_witnesses_asked);
	printf("\nentries    %" PRId64 " proven in the checkpoint's tree (%" PRId64
	       " registrations), replayed through the ledger's rules\n",
	       cli_jint(rep, "entries", 0), cli_jint(rep, "registrations", 0));
	printf("lineage    %zu entries, %zu other uses of ancestors, %zu uses of the lot\n",
	       json_array_size(json_object_get(tr, "ancestry")),
	       json_array_size(json_object_get(tr, "context")),
	       json_array_size(json_object_get(tr, "uses")));
	printf("lot        %s: %s, %s now, %s when made, %s by %s at %s\n", cli_jstr(tr, "lot"),
	       cli_jstr(tr, "material"), cli_fmt_grams(g1, sizeof g1, cli_jint(tr, "mass_g", 0)),
	       cli_fmt_grams(g2, sizeof g2, cli_jint(tr, "initial_g", 0)), cli_jstr(tr, "status"),
	       cli_jstr(tr, "holder"), cli_jstr(tr, "site"));
	cli_print_origins(
		json_object_get(tr, "countries"), 0,
		"origin by country, recomputed (each element's content in the lot, by where "
		"it was mined)");
	cli_print_origins(json_object_get(tr, "origins"), 1, "origin by mine, recomputed");
	if (json_object_get(tr, "stages"))
		cli_print_stages(json_object_get(tr, "stages"), "provenance by stage, recomputed");
	print_compliance(json_object_get(rep, "compliance"));
	if (fflush(stdout) != 0)
		return cli_failf(EXIT_STORE, "verify", "cannot write to standard output");
	return EXIT_OK;
}

/* The operands and --min-witnesses (0 when they make sense, else the exit
 * code, the error printed); *min defaults to all the witnesses given. */
static int verify_check_args(int argc, char **argv, int first, const char *key_path,
                             const char *min_s, size_t n_witnesses, uint64_t *min)
{
	if (min_s && !cli_parse_u64(min_s, min))
		return cli_failf(EXIT_USAGE, "verify", "--min-witnesses: \"%s\" is not a number",
		                 min_s);
	if (argc - first > 1)
		return cli_failf(EXIT_USAGE, "verify", "unexpected argument \"%s\"",
		                 argv[first + 1]);
	if (argc - first != 1)
		return cli_failf(EXIT_USAGE, "verify", "expected CERT, the certificate to verify");
	if (!key_path)
		return cli_failf(EXIT_USAGE, "verify",
		                 "--key LOG.vkey, the log's key, is required");
	if (!min_s)
		*min = n_witnesses;
	if (*min > n_witnesses)
		return cli_failf(EXIT_USAGE, "verify",
		                 "--min-witnesses %" PRIu64
		                 " asks for more than the %zu witnesses given",
		                 *min, n_witnesses);
	return 0;
}

/* The log's key and the witnesses' keys (*loaded of them, the caller's to
 * free, also on failure). */
static ot_status verify_load_keys(const char *key_path, const witness_list *wl,
                                  ot_verifier **log_key, ot_cosig_verifier **witnesses,
                                  size_t *loaded, ot_error *err)
{
	ot_status rc = cli_load_verifier(key_path, log_key, err);
	for (; !rc && *loaded < wl->n; ++*loaded)
		if ((rc = cli_load_cosig_verifier(wl->paths[*loaded], &witnesses[*loaded], err)))
			break;
	return rc;
}

/* The verdict: the failure as "<code>: <why>", so that the kind of failure
 * is on the line, or the report, as JSON or as text. */
static int verify_print(int json, ot_status rc, const ot_error *err, const char *report,
                        size_t n_witnesses)
{
	if (rc) {
		ot_error shown = *err;
		if (err->code[0])
			snprintf(shown.message, sizeof shown.message, "%s: %.*s", err->code,
			         (int)(sizeof shown.message - sizeof err->code - 3), err->message);
		return cli_fail_json(json, 0, "verify", &shown);
	}
	if (json)
		return cli_print_json("verify", report);
	json_t *rep = json_loads(report, 0, NULL);
	int code = rep ? print_report(rep, n_witnesses)
	               : cli_failf(EXIT_STORE, "verify", "out of memory");
	json_decref(rep);
	return code;
}

int cmd_verify(int argc, char **argv)
{
	const char *key_path = NULL, *min_s = NULL;
	witness_list wl = {{NULL}, 0, {{NULL}, 0, "verify"}};
	cli_profiles ps = {{{NULL, 0, 0}}, {NULL}, 0};
	uint64_t min = 0;
	int json = 0;
	const cli_opt opts[] = {
		{"key", 0, "LOG.vkey", "the log's verifier key", &key_path, NULL},
		{"witness", 0, "W.vkey", "a witness's key (repeatable)", NULL, NULL},
		{"min-witnesses", 0, "K", "how many witnesses must have cosigned (default: all)",
	         &min_s, NULL},
		{"profile", 0, "P", "require a determination under profile P (repeatable)", NULL,
	         NULL},
		CLI_OPT_JSON(json),
		CLI_OPT_END,
	};
	int code, first = cli_parse_each(&VERIFY_SPEC, opts, argc, argv, add_witness, &wl, &code);
	if (first < 0)
		return code;
	if ((code = verify_check_args(argc, argv, first, key_path, min_s, wl.n, &min)))
		return code;

	ot_verifier *log_key = NULL;
	ot_cosig_verifier *witnesses[MAX_WITNESSES];
	size_t loaded = 0;
	char *data = NULL, *report = NULL;
	size_t len = 0;
	ot_error err;
	ot_error_clear(&err);
	if ((code = read_profiles(&wl.profiles, &ps, OT_CERT_PROFILE_REQUIRED)) ||
	    (code = cli_profiles_add_shipped(&ps, "verify")))
		goto out;
	if (verify_load_keys(key_path, &wl, &log_key, witnesses, &loaded, &err) ||
	    cli_read_certificate(argv[first], &data, &len, &err)) {
		code = cli_fail_json(json, EXIT_USAGE, "verify", &err);
		goto out;
	}
	ot_cert_options o = {log_key, witnesses, wl.n, (size_t)min, ps.items, ps.n};
	ot_status rc =
		ot_certificate_verify(data, len, &o, json ? OT_JSON_PRETTY : 0, &report, &err);
	code = verify_print(json, rc, &err, report, wl.n);
out:
	cli_profiles_free(&ps);
	free(report);
	free(data);
	for (size_t i = 0; i < loaded; i++)
		ot_cosig_verifier_free(witnesses[i]);
	ot_verifier_free(log_key);
	return code;
}
