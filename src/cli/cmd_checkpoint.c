/*
 * cmd_checkpoint.c: `oretrail checkpoint`: prints the latest signed
 * checkpoint, exactly the bytes that GET /checkpoint serves (the ledger's
 * ot_ledger_checkpoint: the log's checkpoint with its witnesses'
 * cosignatures).
 */
#include <stdlib.h>

#include "cli/cli.h"

static const cli_spec SPEC = {
	"oretrail checkpoint --db PATH",
	"Prints the ledger's latest signed checkpoint (C2SP tlog-checkpoint in\n"
	"signed-note form) with the witnesses' cosignatures of it that the\n"
	"server accepted, byte for byte as served at /checkpoint.\n",
	0,
};

int cmd_checkpoint(int argc, char **argv)
{
	const char *db = NULL;
	const cli_opt opts[] = {CLI_OPT_DB(db), CLI_OPT_READ_ONLY, CLI_OPT_END};
	int code, first = cli_parse(&SPEC, opts, argc, argv, &code);
	if (first < 0)
		return code;
	if ((code = cli_no_operands("checkpoint", argc, argv, first)))
		return code;
	if (!db)
		return cli_failf(EXIT_USAGE, "checkpoint", "--db is required");
	cli_ledger l;
	if ((code = cli_ledger_open(&l, db, CLI_READ, NULL)))
		return code;
	ot_error err;
	ot_error_clear(&err);
	char *note = NULL;
	size_t len = 0;
	if (ot_ledger_checkpoint(l.ledger, &note, &len, &err))
		code = cli_fail(EXIT_STORE, "checkpoint", &err);
	else if (fwrite(note, 1, len, stdout) != len || fflush(stdout) != 0)
		code = cli_failf(EXIT_STORE, "checkpoint", "cannot write to standard output");
	free(note);
	cli_ledger_close(&l);
	return code;
}
