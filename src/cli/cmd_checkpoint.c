/*
 * cmd_checkpoint.c: `oretrail checkpoint`: prints the latest signed
 * checkpoint, exactly the bytes that GET /checkpoint serves.
 */
#include <getopt.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "ledger/state.h"

static void help(FILE *out)
{
	fprintf(out, "usage: oretrail checkpoint --db PATH\n\n"
	             "Prints the ledger's latest signed checkpoint (C2SP tlog-checkpoint in\n"
	             "signed-note form) with the witnesses' cosignatures of it that the\n"
	             "server accepted, byte for byte as served at /checkpoint.\n");
}

int cmd_checkpoint(int argc, char **argv)
{
	const char *db = NULL;
	static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'h': help(stdout); return EXIT_OK;
		default: help(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_failf(EXIT_USAGE, "checkpoint", "unexpected argument \"%s\"",
		                 argv[optind]);
	if (!db)
		return cli_failf(EXIT_USAGE, "checkpoint", "--db is required");
	cli_ledger l;
	int code = cli_ledger_open(&l, db, CLI_READ, NULL);
	if (code)
		return code;
	ot_error err;
	ot_error_clear(&err);
	char *note = NULL;
	size_t len = 0;
	if (ot_log_checkpoint(l.log, &note, &len, &err) ||
	    otx_cosig_attach(l.st, &note, &len, &err))
		code = cli_fail(EXIT_STORE, "checkpoint", &err);
	else if (fwrite(note, 1, len, stdout) != len || fflush(stdout) != 0)
		code = cli_failf(EXIT_STORE, "checkpoint", "cannot write to standard output");
	free(note);
	cli_ledger_close(&l);
	return code;
}
