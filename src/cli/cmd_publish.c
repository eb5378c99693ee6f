/*
 * cmd_publish.c: `oretrail publish`: writes the log as static files in the
 * C2SP tlog-tiles layout (checkpoint, hash tiles, entry bundles) into a
 * directory that any web server, object store or CDN can serve; only new
 * tiles are written, each atomically, and the checkpoint last
 * (ot_log_write_static).
 */
#include <inttypes.h>
#include <stdio.h>

#include "cli/cli.h"
#include "oretrail/log.h"

static const cli_spec SPEC = {
	"oretrail publish --db PATH|URI --to DIR [--json]",
	"Writes the ledger's log into DIR as static files in the C2SP tlog-tiles\n"
	"layout: DIR/checkpoint (the log's signed checkpoint), DIR/tile/<L>/<N>\n"
	"and DIR/tile/entries/<N> (with .p/<W> for partial tiles). Run it again\n"
	"after appending: it writes only the tiles that are not there yet, each\n"
	"to a temporary name and renamed, and the checkpoint last, so that a\n"
	"static file server never serves a checkpoint whose tiles are missing.\n"
	"Prints \"published N entries to DIR: T tiles written, K already there\";\n"
	"--json prints {\"size\",\"written\",\"kept\"}.\n",
	0,
};

int cmd_publish(int argc, char **argv)
{
	const char *db = NULL, *to = NULL;
	int json = 0;
	const cli_opt opts[] = {
		CLI_OPT_DB(db),
		{"to", 0, "DIR", "the directory to publish into", &to, NULL},
		CLI_OPT_JSON(json),
		CLI_OPT_END,
	};
	int code, first = cli_parse(&SPEC, opts, argc, argv, &code);
	if (first < 0)
		return code;
	if ((code = cli_no_operands("publish", argc, argv, first)))
		return code;
	if (!db || !to || !*to)
		return cli_failf(EXIT_USAGE, "publish", "--db and --to are required");
	cli_ledger l;
	if ((code = cli_ledger_open(&l, db, CLI_READ, NULL)))
		return code;
	ot_error err;
	ot_error_clear(&err);
	ot_static_stats stats;
	if (ot_log_write_static(l.log, to, &stats, &err))
		code = cli_fail(EXIT_STORE, "publish", &err);
	else if (json)
		printf("{\"size\":%" PRIu64 ",\"written\":%" PRIu64 ",\"kept\":%" PRIu64 "}\n",
		       stats.size, stats.written, stats.kept);
	else
		printf("published %" PRIu64 " entries to %s: %" PRIu64 " tiles written, %" PRIu64
		       " already there\n",
		       stats.size, to, stats.written, stats.kept);
	cli_ledger_close(&l);
	return code;
}
