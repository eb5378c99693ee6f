/*
 * cmd_init.c: `oretrail init`: creates a ledger, its signing key (PATH.key,
 * mode 0600) and verifier key (PATH.vkey), and publishes the empty tree's
 * checkpoint. The key name is the origin unless --key-name says otherwise.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "oretrail/ledger.h"
#include "oretrail/status.h"

static const cli_spec SPEC = {
	"oretrail init --db PATH --origin NAME [--key-name NAME]",
	"Creates a new ledger at PATH (an SQLite file), a new Ed25519 signing key\n"
	"in PATH.key (mode 0600, Go sumdb/note private key format) and its verifier\n"
	"key in PATH.vkey, publishes the checkpoint of the empty log and prints the\n"
	"verifier key. NAME is the log's origin line (e.g. oretrail.example/pk);\n"
	"the key is named after it unless --key-name is given.\n",
	0,
};

int cmd_init(int argc, char **argv)
{
	const char *db = NULL, *origin = NULL, *key_name = NULL;
	const cli_opt opts[] = {
		CLI_OPT_DB(db),
		{"origin", 0, "NAME", "the log's origin line, and the key's name", &origin, NULL},
		{"key-name", 0, "NAME", "name the key NAME instead", &key_name, NULL},
		CLI_OPT_END,
	};
	int code, first = cli_parse(&SPEC, opts, argc, argv, &code);
	if (first < 0)
		return code;
	if ((code = cli_no_operands("init", argc, argv, first)))
		return code;
	if (!db || !origin)
		return cli_failf(EXIT_USAGE, "init", "--db and --origin are required");

	char key_path[4200], vkey_path[4200];
	snprintf(key_path, sizeof key_path, "%s.key", db);
	snprintf(vkey_path, sizeof vkey_path, "%s.vkey", db);
	struct stat sb;
	if (stat(db, &sb) == 0)
		return cli_failf(EXIT_USAGE, "init", "%s already exists; not overwriting it", db);
	if (stat(key_path, &sb) == 0)
		return cli_failf(EXIT_USAGE, "init", "%s already exists; not overwriting it",
		                 key_path);

	ot_signer *signer = NULL;
	char vkey[OT_VKEY_MAX];
	if ((code = cli_make_key("init", key_name ? key_name : origin, key_path, vkey_path, 0,
	                         &signer, vkey)))
		return code;
	ot_error err;
	ot_error_clear(&err);
	ot_ledger *l = NULL;
	if (ot_ledger_create(db, origin, signer, &l, &err)) {
		code = cli_fail(0, "init", &err);
		unlink(db);
		unlink(key_path);
		unlink(vkey_path);
	} else {
		printf("%s\n", vkey);
		fprintf(stderr,
		        "oretrail: created ledger %s (origin %s); key in %s, verifier key in %s\n",
		        db, origin, key_path, vkey_path);
	}
	ot_ledger_close(l);
	ot_signer_free(signer);
	return code;
}
