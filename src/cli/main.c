/*
 * main.c: the oretrail command: dispatches to a verb. Only main decides to
 * exit; every verb returns its exit code. Built twice: as `oretrail` and,
 * with OT_CLI_NET, as `oretrail-net` (cli/net.c says why).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/* The verbs that speak HTTP: their own in oretrail-net, exec'ed from
 * oretrail (cli_net_exec; the build compiles this file once for each). */
#ifdef OT_CLI_NET
#define NET_VERB(run) run
#else
#define NET_VERB(run) cli_net_exec
#endif

static const cli_verb VERBS[] = {
	{"init", cmd_init, "create a ledger and its signing key"},
	{"checkpoint", cmd_checkpoint, "print the latest signed checkpoint"},
	{"verify-log", cmd_verify_log, "recompute every tile and check the latest checkpoint"},
	{"proof", cmd_proof, "print or check inclusion and consistency proofs"},
	{"serve", NET_VERB(cmd_serve),
         "serve the ledger over HTTP: C2SP tiles, POST /add, JSON API"},
	{"publish", cmd_publish, "write the log as static C2SP tiles for any web server"},
	{"import", cmd_import, "import the material flows of an EPCIS 2.0 document"},
	{"export", cmd_export, "write the ledger's material flows as an EPCIS 2.0 document"},
	{"epcis", cmd_epcis, "EPCIS 2.0 tools: CBV 2.0 event hash IDs"},
	{"key", cmd_key, "make an actor's signing key"},
	{"submit", cmd_submit, "sign events and append them to the ledger"},
	{"trace", cmd_trace, "trace a lot: holder, status, lineage, origin by mine and country"},
	{"comply", cmd_comply, "compliance determination of a lot under a profile (DFARS, CRMA)"},
	{"audit", cmd_audit, "replay the whole ledger and list findings and problems"},
	{"contract", cmd_contract, "show a contract: what is committed, disclosed, withheld"},
	{"prove", cmd_prove, "write a lot's provenance certificate, checkable offline"},
	{"verify", cmd_verify, "check a provenance certificate offline, with no database"},
	{"passport", cmd_passport, "write or verify a lot's UNTP digital product passport"},
	{"report", cmd_report, "flows per mineral and country, concentration, payments"},
	{"commit", cmd_commit, "commit to a confidential value; keep its opening"},
	{"disclose", cmd_disclose, "make the event that discloses a committed contract field"},
	{"witness", NET_VERB(cmd_witness),
         "follow a log, check its consistency, cosign its checkpoints"},
	{"monitor", NET_VERB(cmd_monitor),
         "follow a log: recompute its tree, replay its entries, report"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: oretrail <verb> [options]\n\n"
	             "oretrail keeps a verifiable chain-of-custody ledger for critical minerals:\n"
	             "signed events in a public Merkle log (C2SP tlog-tiles).\n\nverbs:\n");
	for (size_t i = 0; i < sizeof VERBS / sizeof VERBS[0]; i++)
		fprintf(out, "  %-12s %s\n", VERBS[i].name, VERBS[i].summary);
	fprintf(out, "\n`oretrail <verb> --help` tells more.\n\n"
	             "exit codes:\n"
	             "  0  success\n"
	             "  1  verification failed: a proof, a signature or the log is not valid\n"
	             "  2  usage error or unusable input (bad arguments, malformed file)\n"
	             "  3  the ledger cannot be used (storage, schema, I/O, disk full)\n"
	             "  4  the ledger's rules rejected a submission\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *verb = argv[1];
	if (strcmp(verb, "-h") == 0 || strcmp(verb, "--help") == 0 || strcmp(verb, "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(verb, "--version") == 0 || strcmp(verb, "version") == 0) {
		printf("oretrail 0.1.0\n");
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof VERBS / sizeof VERBS[0]; i++)
		if (strcmp(verb, VERBS[i].name) == 0)
			return VERBS[i].run(argc - 1, argv + 1);
	fprintf(stderr, "oretrail: %s: no such verb (see `oretrail --help`)\n", verb);
	return EXIT_USAGE;
}
