/*
 * cmd_init.c: `oretrail init`: creates a ledger, its signing key (PATH.key,
 * mode 0600) and verifier key (PATH.vkey), and publishes the empty tree's
 * checkpoint. The key's name is the authority's actor id, so it must be one:
 * by default it is derived from the origin (every byte an actor id may not
 * hold becomes '-'), so that the authority can sign the registry events
 * (`actor`, `site`) as soon as the ledger exists.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "oretrail/event.h"
#include "oretrail/ledger.h"
#include "oretrail/status.h"

static const cli_spec SPEC = {
	"oretrail init --db PATH --origin NAME [--key-name NAME]",
	"Creates a new ledger at PATH (an SQLite file), a new Ed25519 signing key\n"
	"in PATH.key (mode 0600, Go sumdb/note private key format) and its verifier\n"
	"key in PATH.vkey, publishes the checkpoint of the empty log and prints the\n"
	"verifier key. NAME is the log's origin line (e.g. oretrail.example/pk).\n"
	"The key's name is the authority's actor id: the actor that signs the\n"
	"registry events (actor, site) with PATH.key from the start. By default it\n"
	"is the origin with every character other than A-Z a-z 0-9 . _ : - turned\n"
	"into '-' (oretrail.example/pk -> oretrail.example-pk); --key-name names it\n"
	"(an actor id: 1-128 of those characters).\n",
	0,
};

/* The authority's actor id derived from the origin: each byte an actor id
 * may not hold becomes '-', cut at OT_ACTOR_MAX bytes. */
static const char *authority_name(const char *origin, char out[OT_ACTOR_MAX + 1])
{
	size_t n = 0;
	for (; origin[n] && n < OT_ACTOR_MAX; n++) {
		char one[2] = {origin[n], 0};
		out[n] = ot_actor_id_valid(one) ? one[0] : '-';
	}
	out[n] = 0;
	return n ? out : "authority";
}

int cmd_init(int argc, char **argv)
{
	const char *db = NULL, *origin = NULL, *key_name = NULL;
	const cli_opt opts[] = {
		CLI_OPT_DB(db),
		{"origin", 0, "NAME", "the log's origin line", &origin, NULL},
		{"key-name", 0, "NAME", "the authority's actor id (default: from the origin)",
	         &key_name, NULL},
		CLI_OPT_END,
	};
	int code, first = cli_parse(&SPEC, opts, argc, argv, &code);
	if (first < 0)
		return code;
	if ((code = cli_no_operands("init", argc, argv, first)))
		return code;
	if (!db || !origin)
		return cli_failf(EXIT_USAGE, "init", "--db and --origin are required");

	char name[OT_ACTOR_MAX + 1];
	if (key_name && !ot_actor_id_valid(key_name))
		return cli_failf(EXIT_USAGE, "init",
		                 "--key-name \"%.130s\" is not valid: the key's name is the "
		                 "authority's actor id, 1-%d bytes of A-Z a-z 0-9 . _ : -",
		                 key_name, OT_ACTOR_MAX);
	if (!key_name)
		key_name = authority_name(origin, name);

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
	if ((code = cli_make_key("init", key_name, key_path, vkey_path, 0, &signer, vkey)))
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
		        "oretrail: created ledger %s (origin %s); key in %s, verifier key in %s; "
		        "the authority is actor %s\n",
		        db, origin, key_path, vkey_path, key_name);
	}
	ot_ledger_close(l);
	ot_signer_free(signer);
	return code;
}
