/*
 * cmd_passport.c: `oretrail passport LOT` writes a lot's Digital Product
 * Passport (UNTP DPP, JSON-LD) with its provenance certificate embedded or
 * referenced; `oretrail passport verify FILE` checks one offline
 * (passport.h, docs/passport.md).
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_ledger.h"
#include "cli/gzip.h"
#include "oretrail/certificate.h"
#include "oretrail/passport.h"

static const cli_spec PASSPORT_SPEC = {
	"oretrail passport --db PATH [--certificate FILE] [--embed] [--out FILE] LOT\n"
	"       oretrail passport verify FILE --key LOG.vkey [--certificate CERT] [--json]",
	"Writes the Digital Product Passport of LOT (UN Transparency Protocol DPP\n"
	"0.5.0, JSON-LD; to standard output, or FILE): the product and batch, its\n"
	"materialsProvenance (origin country and mass fraction of each element),\n"
	"its traceability events (links to the log entries of its ancestry) and\n"
	"its conformity claims (the determinations the certificate carries). The\n"
	"provenance certificate is the one `oretrail prove` makes now, embedded; or\n"
	"--certificate FILE (a certificate of LOT, e.g. with --profile\n"
	"determinations), referenced by its SHA-256 (embedded with --embed).\n"
	"`passport verify` verifies the certificate (as `oretrail verify` does)\n"
	"and that every figure of the passport is the one the certificate's claim\n"
	"makes. Codes: passport_mismatch, certificate_hash_mismatch and those of\n"
	"`oretrail verify` (exit 1); passport_malformed, cert_malformed (exit 2).\n"
	"The format is described in docs/passport.md.\n\n"
	"Exit 0 on success, 1 when a passport does not verify, 2 on unusable\n"
	"input or no such lot, 3 when the ledger cannot be used.\n",
	0,
};

static int write_out(const char *out, char *text)
{
	ot_error err;
	ot_error_clear(&err);
	if (!out)
		return cli_print_json("passport", text);
	size_t len = strlen(text);
	text[len] = '\n'; /* the NUL becomes the final newline */
	ot_status rc = cli_write_file(out, text, len + 1, 0644, 0, &err);
	text[len] = 0;
	return rc ? cli_fail(0, "passport", &err) : EXIT_OK;
}

/* The certificate: FILE's bytes, or the one the ledger makes now. */
static int passport_cert(const char *db, const char *lot, const char *cert_path, char **cert,
                         size_t *len)
{
	ot_error err;
	ot_error_clear(&err);
	if (cert_path) {
		if (cli_read_certificate(cert_path, cert, len, &err))
			return cli_fail(EXIT_USAGE, "passport", &err);
		json_t *doc = json_loadb(*cert, *len, 0, NULL);
		int same = json_is_string(json_object_get(doc, "lot")) &&
		           strcmp(json_string_value(json_object_get(doc, "lot")), lot) == 0;
		json_decref(doc);
		if (same)
			return 0;
		free(*cert);
		*cert = NULL;
		return cli_failf(EXIT_USAGE, "passport", "%s is not a certificate of lot %s",
		                 cert_path, lot);
	}
	ot_ledger *l = NULL;
	int code = cli_ledger_open_ro(db, "passport", &l);
	if (code)
		return code;
	ot_status rc = ot_ledger_prove(l, lot, OT_JSON_PRETTY, cert, &err);
	ot_ledger_close(l);
	if (rc)
		return cli_fail(rc == OT_ERR_NOTFOUND ? EXIT_USAGE : EXIT_STORE, "passport", &err);
	*len = strlen(*cert);
	return 0;
}

static int passport_verify(int argc, char **argv)
{
	const char *key_path = NULL, *cert_path = NULL;
	int json = 0;
	const cli_opt opts[] = {
		{"key", 0, "LOG.vkey", "the log's verifier key", &key_path, NULL},
		{"certificate", 0, "CERT", "the certificate the passport references", &cert_path,
	         NULL},
		CLI_OPT_JSON(json),
		CLI_OPT_END,
	};
	int code, first = cli_parse(&PASSPORT_SPEC, opts, argc, argv, &code);
	if (first < 0)
		return code;
	if (argc - first != 1)
		return cli_failf(EXIT_USAGE, "passport verify", "expected FILE, the passport");
	if (!key_path)
		return cli_failf(EXIT_USAGE, "passport verify", "--key LOG.vkey is required");
	cli_profiles ps = {{{NULL, 0, 0}}, {NULL}, 0};
	ot_verifier *key = NULL;
	char *pass = NULL, *ref = NULL, *cert = NULL, *report = NULL;
	size_t pass_len = 0, ref_len = 0, cert_len = 0;
	ot_error err;
	ot_error_clear(&err);
	if ((code = cli_profiles_add_shipped(&ps, "passport verify")))
		goto out;
	if (cli_load_verifier(key_path, &key, &err) ||
	    cli_read_file(argv[first], &pass, &pass_len, 2 * OT_CERT_MAX, &err) ||
	    (cert_path && cli_read_certificate(cert_path, &ref, &ref_len, &err))) {
		code = cli_fail_json(json, EXIT_USAGE, "passport verify", &err);
		goto out;
	}
	ot_cert_options o = {key, NULL, 0, 0, ps.items, ps.n};
	ot_status rc =
		ot_passport_certificate(pass, pass_len, ref, ref_len, &cert, &cert_len, &err);
	if (!rc)
		rc = ot_certificate_verify(cert, cert_len, &o, OT_JSON_PRETTY, &report, &err);
	if (!rc)
		rc = ot_passport_compare(pass, pass_len, cert, cert_len, &err);
	if (rc) {
		ot_error shown = err;
		if (err.code[0])
			snprintf(shown.message, sizeof shown.message, "%s: %.*s", err.code,
			         (int)(sizeof shown.message - sizeof err.code - 3), err.message);
		code = cli_fail_json(json, 0, "passport verify", &shown);
	} else if (json) {
		code = cli_print_json("passport verify", report);
	} else {
		json_t *rep = json_loads(report, 0, NULL);
		printf("ok: the passport of lot %s verifies: its figures are its certificate's\n",
		       json_string_value(json_object_get(rep, "lot")));
		json_decref(rep);
		code = EXIT_OK;
	}
out:
	cli_profiles_free(&ps);
	free(report);
	free(cert);
	free(ref);
	free(pass);
	ot_verifier_free(key);
	return code;
}

int cmd_passport(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "verify") == 0)
		return passport_verify(argc - 1, argv + 1);
	const char *db = NULL, *out = NULL, *cert_path = NULL;
	int embed = 0;
	const cli_opt opts[] = {
		CLI_OPT_DB(db),
		CLI_OPT_READ_ONLY,
		{"certificate", 0, "FILE", "reference this certificate of LOT", &cert_path, NULL},
		{"embed", 0, NULL, "embed the certificate (the default without --certificate)",
	         NULL, &embed},
		{"out", 'o', "FILE", "write the passport to FILE", &out, NULL},
		CLI_OPT_END,
	};
	int code, first = cli_parse(&PASSPORT_SPEC, opts, argc, argv, &code);
	if (first < 0)
		return code;
	if (argc - first != 1)
		return cli_failf(EXIT_USAGE, "passport", "expected LOT, the lot");
	if (!db)
		return cli_failf(EXIT_USAGE, "passport", "--db is required");
	char *cert = NULL, *text = NULL;
	size_t len = 0;
	if ((code = passport_cert(db, argv[first], cert_path, &cert, &len)))
		return code;
	ot_error err;
	ot_error_clear(&err);
	int flags = OT_JSON_PRETTY | (embed || !cert_path ? OT_PASSPORT_EMBED : 0);
	if (ot_passport_make(cert, len, flags, &text, &err))
		code = cli_fail(EXIT_USAGE, "passport", &err);
	else
		code = write_out(out, text);
	free(text);
	free(cert);
	return code;
}
