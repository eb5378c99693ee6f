/*
 * cmd_init.c: `oretrail init`: creates a ledger, its signing key (mode 0600)
 * and verifier key, and publishes the empty tree's checkpoint. The key files
 * go beside an SQLite file (PATH.key, PATH.vkey); for a PostgreSQL URI, which
 * is not a place for files, into the current directory under the database's
 * name (ledger.key, ledger.vkey); --key-out BASE puts them at BASE.key and
 * BASE.vkey for either. The key's name is the authority's actor id: by default
 * derived from the origin (every byte an actor id may not hold becomes '-'),
 * so that the authority can sign the registry events at once. On failure it
 * removes only what it made: the key files, and an SQLite file it created (a
 * PostgreSQL database is left as it was, since the store creates the schema
 * in a transaction that commits only with the first checkpoint).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "oretrail/event.h"
#include "oretrail/ledger.h"
#include "oretrail/status.h"
#include "oretrail/store.h"

static const cli_spec SPEC = {
	"oretrail init --db PATH|URI --origin NAME [--key-name NAME] [--key-out BASE]",
	"Creates a new ledger at PATH (an SQLite file) or in the PostgreSQL\n"
	"database URI (postgresql://..., made beforehand and empty), a new Ed25519\n"
	"signing key (mode 0600, Go sumdb/note private key format) and its verifier\n"
	"key, publishes the checkpoint of the empty log and prints the verifier key.\n"
	"The keys go to PATH.key and PATH.vkey for a file; for a URI to NAME.key and\n"
	"NAME.vkey in the current directory, NAME being the URI's database; with\n"
	"--key-out BASE to BASE.key and BASE.vkey. NAME is the log's origin line\n"
	"(e.g. oretrail.example/pk). Messages never show the URI's password.\n"
	"The key's name is the authority's actor id: the actor that signs the\n"
	"registry events (actor, site) with the key from the start. By default it\n"
	"is the origin with every character other than A-Z a-z 0-9 . _ : - turned\n"
	"into '-' (oretrail.example/pk -> oretrail.example-pk); --key-name names it\n"
	"(an actor id: 1-128 of those characters).\n",
	0,
};

/* BASE.key and BASE.vkey, a trailing ".key" of BASE taken as the key's own. */
static void key_out_paths(const char *base, char *key, char *vkey, size_t size)
{
	size_t n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".key") == 0)
		n -= 4;
	snprintf(key, size, "%.*s.key", (int)n, base);
	snprintf(vkey, size, "%.*s.vkey", (int)n, base);
}

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
	const char *db = NULL, *origin = NULL, *key_name = NULL, *key_out = NULL;
	const cli_opt opts[] = {
		CLI_OPT_DB(db),
		{"origin", 0, "NAME", "the log's origin line", &origin, NULL},
		{"key-name", 0, "NAME", "the authority's actor id (default: from the origin)",
	         &key_name, NULL},
		{"key-out", 0, "BASE", "write the keys to BASE.key and BASE.vkey", &key_out, NULL},
		CLI_OPT_END,
	};
	int code, first = cli_parse(&SPEC, opts, argc, argv, &code);
	if (first < 0)
		return code;
	if ((code = cli_no_operands("init", argc, argv, first)))
		return code;
	if (!db || !origin)
		return cli_failf(EXIT_USAGE, "init", "--db and --origin are required");
	if (key_out && !*key_out)
		return cli_failf(EXIT_USAGE, "init", "--key-out needs a path");

	char name[OT_ACTOR_MAX + 1];
	if (key_name && !ot_actor_id_valid(key_name))
		return cli_failf(EXIT_USAGE, "init",
		                 "--key-name \"%.130s\" is not valid: the key's name is the "
		                 "authority's actor id, 1-%d bytes of A-Z a-z 0-9 . _ : -",
		                 key_name, OT_ACTOR_MAX);
	if (!key_name)
		key_name = authority_name(origin, name);

	int uri = ot_store_is_uri(db);
	char key_path[4200], vkey_path[4200], shown[4200];
	cli_db_shown(db, shown, sizeof shown);
	if (key_out) {
		key_out_paths(key_out, key_path, vkey_path, sizeof key_path);
	} else {
		cli_key_path(db, ".key", key_path, sizeof key_path);
		cli_key_path(db, ".vkey", vkey_path, sizeof vkey_path);
	}
	struct stat sb;
	if (!uri && stat(db, &sb) == 0)
		return cli_failf(EXIT_USAGE, "init", "%s already exists; not overwriting it", db);
	if (stat(key_path, &sb) == 0)
		return cli_failf(EXIT_USAGE, "init", "%s already exists; not overwriting it",
		                 key_path);
	if (stat(vkey_path, &sb) == 0)
		return cli_failf(EXIT_USAGE, "init", "%s already exists; not overwriting it",
		                 vkey_path);

	ot_signer *signer = NULL;
	char vkey[OT_VKEY_MAX];
	if ((code = cli_make_key("init", key_name, key_path, vkey_path, 1, &signer, vkey)))
		return code;
	ot_error err;
	ot_error_clear(&err);
	ot_ledger *l = NULL;
	if (ot_ledger_create(db, origin, signer, &l, &err)) {
		code = cli_fail(0, "init", &err);
		if (!uri && err.status != OT_ERR_EXISTS)
			unlink(db); /* absent before (checked above): ours */
		unlink(key_path);
		unlink(vkey_path);
	} else {
		printf("%s\n", vkey);
		fprintf(stderr,
		        "oretrail: created ledger %s (origin %s); key in %s, verifier key in %s; "
		        "the authority is actor %s\n",
		        shown, origin, key_path, vkey_path, key_name);
	}
	ot_ledger_close(l);
	ot_signer_free(signer);
	return code;
}
