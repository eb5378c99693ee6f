/*
 * cmd_proof.c: `oretrail proof inclusion|consistency|check`. Proofs are
 * printed and read as JSON in the shape of the transparency-dev/merkle
 * golden files, so that our proofs and theirs go through the same checker.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "oretrail/proof_file.h"
#include "oretrail/status.h"

static const cli_spec SPEC = {
	"oretrail proof inclusion --db PATH INDEX [SIZE]\n"
	"       oretrail proof consistency --db PATH SIZE1 SIZE2\n"
	"       oretrail proof check FILE.json",
	"inclusion    prints the proof that entry INDEX is in the tree of SIZE entries\n"
	"             (default: the latest checkpoint's size), with its leaf hash and\n"
	"             the tree's root.\n"
	"consistency  prints the proof that the tree of SIZE1 entries is a prefix of\n"
	"             the tree of SIZE2 entries, with both roots.\n"
	"check        verifies a proof file offline, with no database.\n"
	"             Exit 0 valid, 1 invalid, 2 unusable input.\n\n"
	"Proofs are JSON: {\"leafIdx\",\"treeSize\",\"root\",\"leafHash\",\"proof\"} or\n"
	"{\"size1\",\"size2\",\"root1\",\"root2\",\"proof\"}, hashes in standard base64\n"
	"(the format of transparency-dev/merkle's test data).\n",
	1,
};

/* The options of inclusion and consistency; one table for them and --help. */
static const char *db_path;
static const cli_opt OPTS[] = {CLI_OPT_DB(db_path), CLI_OPT_READ_ONLY, CLI_OPT_END};

static void help(FILE *out)
{
	cli_help(&SPEC, OPTS, out);
}

static int print_proof(const ot_proof_file *p)
{
	char *json = NULL;
	if (ot_proof_file_format(p, &json))
		return cli_failf(EXIT_STORE, "proof", "out of memory");
	printf("%s\n", json);
	free(json);
	return EXIT_OK;
}

/* `proof inclusion` (INDEX [SIZE]) and `proof consistency` (SIZE1 SIZE2). */
static int make_proof(int argc, char **argv, int consistency)
{
	const char *what = consistency ? "proof consistency" : "proof inclusion";
	int code, first = cli_parse(&SPEC, OPTS, argc, argv, &code);
	if (first < 0)
		return code;
	const char *db = db_path;
	if (!db)
		return cli_failf(EXIT_USAGE, "proof", "--db is required");
	int nargs = argc - first;
	uint64_t a = 0, b = 0;
	int have_b = nargs == 2;
	if (nargs < (consistency ? 2 : 1) || nargs > 2 || !cli_parse_u64(argv[first], &a) ||
	    (have_b && !cli_parse_u64(argv[first + 1], &b)))
		return cli_failf(EXIT_USAGE, what, "expected %s as decimal numbers",
		                 consistency ? "SIZE1 SIZE2" : "INDEX [SIZE]");
	cli_ledger l;
	code = cli_ledger_open(&l, db, CLI_READ, NULL);
	if (code)
		return code;
	if (!have_b)
		b = ot_log_size(l.log);
	ot_error err;
	ot_error_clear(&err);
	ot_proof_file *p = calloc(1, sizeof *p);
	if (!p)
		code = cli_failf(EXIT_STORE, what, "out of memory");
	else if (ot_proof_file_from_log(l.log, consistency, a, b, p, &err))
		code = cli_fail(0, what, &err);
	else
		code = print_proof(p);
	free(p);
	cli_ledger_close(&l);
	return code;
}

static int check(int argc, char **argv)
{
	/* check takes no option, and its --help may follow FILE. */
	static const cli_opt none[] = {CLI_OPT_END};
	cli_spec spec = SPEC;
	spec.in_order = 0;
	int code, first = cli_parse(&spec, none, argc, argv, &code);
	if (first < 0)
		return code;
	if (argc - first != 1)
		return cli_failf(EXIT_USAGE, "proof check",
		                 "expected one FILE.json (or - for stdin)");
	const char *path = argv[first];
	ot_error err;
	ot_error_clear(&err);
	char *text = NULL;
	size_t len = 0;
	if (cli_read_file(path, &text, &len, 1 << 20, &err))
		return cli_fail(EXIT_USAGE, "proof check", &err);
	ot_proof_file *p = calloc(1, sizeof *p);
	if (!p) {
		code = cli_failf(EXIT_STORE, "proof check", "out of memory");
	} else if (ot_proof_file_parse(text, len, p, &err)) {
		ot_error_prefix(&err, "%s", path);
		code = cli_fail(EXIT_USAGE, "proof check", &err);
	} else if (ot_proof_file_verify(p, &err)) {
		ot_error_prefix(&err, "%s", path);
		code = cli_fail(EXIT_INVALID, "proof check", &err);
	} else {
		printf("ok: %s proof verifies (%s %llu, %s %llu)\n",
		       p->consistency ? "consistency" : "inclusion",
		       p->consistency ? "size1" : "leaf", (unsigned long long)p->index,
		       p->consistency ? "size2" : "tree size", (unsigned long long)p->size);
		code = EXIT_OK;
	}
	free(p);
	free(text);
	return code;
}

int cmd_proof(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		help(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (strcmp(argv[1], "inclusion") == 0)
		return make_proof(argc - 1, argv + 1, 0);
	if (strcmp(argv[1], "consistency") == 0)
		return make_proof(argc - 1, argv + 1, 1);
	if (strcmp(argv[1], "check") == 0)
		return check(argc - 1, argv + 1);
	return cli_failf(EXIT_USAGE, "proof",
	                 "no such proof verb \"%s\" (inclusion, consistency, check)", argv[1]);
}
