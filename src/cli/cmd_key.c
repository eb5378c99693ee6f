/*
 * cmd_key.c: `oretrail key new|show`: an actor's signing key. An actor id is
 * the name of its key, so `key new fwo` makes the key that signs FWO's
 * events: fwo.key (mode 0600) in Go's sumdb/note private key format, and
 * fwo.vkey, the verifier key that the authority registers in an `actor`
 * event. Existing files are never overwritten.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "oretrail/event.h"
#include "oretrail/status.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static const cli_spec SPEC = {
	"oretrail key new NAME [--dir DIR]\n"
	"       oretrail key show KEYFILE",
	"new   makes a new Ed25519 key named NAME for the actor NAME: writes the\n"
	"      private key to DIR/NAME.key (mode 0600, Go sumdb/note format) and the\n"
	"      verifier key to DIR/NAME.vkey, and prints the verifier key. DIR is\n"
	"      the current directory unless --dir says otherwise. Refuses to\n"
	"      overwrite either file. NAME is an actor id: 1-" STR(
		OT_ACTOR_MAX) " bytes of letters,\n"
			      "      digits, '.', '_', ':' and '-'.\n"
			      "show  prints the verifier key of a private key file.\n\n"
			      "The verifier key goes into the `actor` event that registers NAME\n"
			      "(\"key\":\"NAME+<id>+<key>\"); `oretrail submit --key NAME.key` "
			      "then signs\n"
			      "events as NAME.\n",
	0,
};

/* key new's option; one table for it and for --help. */
static const char *key_dir;
static const cli_opt OPTS[] = {
	{"dir", 0, "DIR", "where to write the key files (default: .)", &key_dir, NULL},
	CLI_OPT_END,
};

static int valid_actor(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len > OT_ACTOR_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == ':' || c == '-'))
			return 0;
	}
	return 1;
}

static int key_new(int argc, char **argv)
{
	key_dir = ".";
	int code, first = cli_parse(&SPEC, OPTS, argc, argv, &code);
	if (first < 0)
		return code;
	const char *dir = key_dir;
	if (argc - first != 1)
		return cli_failf(EXIT_USAGE, "key new", "expected one NAME, the actor id");
	const char *name = argv[first];
	if (!valid_actor(name))
		return cli_failf(
			EXIT_USAGE, "key new",
			"\"%s\" is not an actor id: use 1-%d letters, digits, '.', '_', ':' "
			"and '-'",
			name, OT_ACTOR_MAX);
	struct stat sb;
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return cli_failf(EXIT_USAGE, "key new", "%s is not a directory", dir);

	char key_path[4300], vkey_path[4300];
	snprintf(key_path, sizeof key_path, "%s/%s.key", dir, name);
	snprintf(vkey_path, sizeof vkey_path, "%s/%s.vkey", dir, name);
	if (stat(key_path, &sb) == 0)
		return cli_failf(EXIT_USAGE, "key new", "%s already exists; not overwriting it",
		                 key_path);
	if (stat(vkey_path, &sb) == 0)
		return cli_failf(EXIT_USAGE, "key new", "%s already exists; not overwriting it",
		                 vkey_path);

	ot_signer *signer = NULL;
	char vkey[OT_VKEY_MAX];
	if ((code = cli_make_key("key new", name, key_path, vkey_path, 1, &signer, vkey)))
		return code;
	printf("%s\n", vkey);
	fprintf(stderr, "oretrail: key new: private key in %s (mode 0600), verifier key in %s\n",
	        key_path, vkey_path);
	ot_signer_free(signer);
	return EXIT_OK;
}

static int key_show(int argc, char **argv)
{
	static const cli_opt none[] = {CLI_OPT_END};
	int code, first = cli_parse(&SPEC, none, argc, argv, &code);
	if (first < 0)
		return code;
	if (argc - first != 1)
		return cli_failf(EXIT_USAGE, "key show", "expected one KEYFILE");
	ot_error err;
	ot_error_clear(&err);
	ot_signer *signer = NULL;
	char vkey[OT_VKEY_MAX];
	if (cli_load_signer(argv[first], &signer, &err))
		return cli_fail(EXIT_USAGE, "key show", &err);
	if (ot_signer_vkey(signer, vkey, sizeof vkey))
		code = cli_failf(EXIT_STORE, "key show", "cannot format the verifier key");
	else
		printf("%s\n", vkey);
	ot_signer_free(signer);
	return code;
}

int cmd_key(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		cli_help(&SPEC, OPTS, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (strcmp(argv[1], "new") == 0)
		return key_new(argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return key_show(argc - 1, argv + 1);
	return cli_failf(EXIT_USAGE, "key", "no such key verb \"%s\" (new, show)", argv[1]);
}
