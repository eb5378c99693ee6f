/*
 * cmd_serve.c: `oretrail serve`: the ledger over HTTP (include/oretrail/
 * server.h) until SIGINT or SIGTERM, then a clean stop: queued submissions
 * are answered before the process exits.
 */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "oretrail/server.h"

#define OT_SERVE_MAX_WITNESSES 64

static void help(FILE *out)
{
	fprintf(out,
	        "usage: oretrail serve --db PATH [--listen HOST:PORT] [options]\n\n"
	        "Serves the ledger over HTTP:\n"
	        "  GET  /checkpoint, /tile/<L>/<N>[.p/<W>], /tile/entries/<N>[.p/<W>]\n"
	        "       the log in C2SP tlog-tiles form\n"
	        "  POST /add  a signed envelope or a JSON array of them; answered once the\n"
	        "       entries are durable, with their indexes, leaf hashes and a checkpoint\n"
	        "  GET  /api/...  lots and their trace, consignments, contracts, findings,\n"
	        "       reports, proofs (see GET /api/)\n"
	        "Prints \"listening on http://HOST:PORT/\" on standard output once ready, and\n"
	        "an access log in Common Log Format on standard error. Stops on SIGINT or\n"
	        "SIGTERM after answering the submissions already received.\n\n"
	        "options:\n"
	        "  --listen HOST:PORT   where to listen (127.0.0.1:8080; port 0: a free port)\n"
	        "  --key FILE           the log's private key (PATH.key), to accept submissions\n"
	        "  --read-only          accept no submissions (a public mirror); no key needed\n"
	        "  --witness-key FILE   a witness's verifier key (repeatable): accept its C2SP\n"
	        "                       cosignatures at POST /witness/cosignature and serve\n"
	        "                       them after the log's signature at /checkpoint\n"
	        "  --witness FILE=URL   the same, and ask it (a C2SP tlog-witness server at\n"
	        "                       URL) to cosign each new checkpoint: POST\n"
	        "                       URL/add-checkpoint with a consistency proof from the\n"
	        "                       size it last cosigned (repeatable; not --read-only)\n"
	        "  --quiet              no access log\n"
	        "  --threads N          HTTP threads (4)\n"
	        "  --max-connections N  connections open at once (1024)\n"
	        "  --timeout SECONDS    idle connection time-out (30)\n"
	        "  --max-header BYTES   request line and headers (16384)\n"
	        "  --max-body BYTES     POST body (16777216)\n"
	        "  --max-events N       envelopes in one POST /add (10000)\n"
	        "  --queue N            events waiting to be written before 429 (65536)\n"
	        "  --batch N            events written in one transaction, at most (8192)\n");
}

static int parse_count(const char *opt, const char *s, uint64_t max, uint64_t *out)
{
	if (!cli_parse_u64(s, out) || *out == 0 || *out > max)
		return cli_failf(EXIT_USAGE, "serve", "%s %s: expected a number from 1 to %llu",
		                 opt, s, (unsigned long long)max);
	return 0;
}

/* Splits --witness FILE=URL in place (at the "=" before the URL's scheme,
 * so that the file's name may hold one). 0 when it is not that. */
static int split_witness(char *arg, const char **url)
{
	char *eq = strstr(arg, "=http://");
	if (!eq)
		eq = strstr(arg, "=https://");
	if (!eq || eq == arg)
		return 0;
	*eq = 0;
	*url = eq + 1;
	return 1;
}

int cmd_serve(int argc, char **argv)
{
	enum {
		O_LISTEN = 256,
		O_KEY,
		O_READ_ONLY,
		O_QUIET,
		O_THREADS,
		O_MAX_CONN,
		O_TIMEOUT,
		O_MAX_HEADER,
		O_MAX_BODY,
		O_MAX_EVENTS,
		O_QUEUE,
		O_BATCH,
		O_WITNESS_KEY,
		O_WITNESS,
	};
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"listen", required_argument, NULL, O_LISTEN},
		{"key", required_argument, NULL, O_KEY},
		{"read-only", no_argument, NULL, O_READ_ONLY},
		{"quiet", no_argument, NULL, O_QUIET},
		{"threads", required_argument, NULL, O_THREADS},
		{"max-connections", required_argument, NULL, O_MAX_CONN},
		{"timeout", required_argument, NULL, O_TIMEOUT},
		{"max-header", required_argument, NULL, O_MAX_HEADER},
		{"max-body", required_argument, NULL, O_MAX_BODY},
		{"max-events", required_argument, NULL, O_MAX_EVENTS},
		{"queue", required_argument, NULL, O_QUEUE},
		{"batch", required_argument, NULL, O_BATCH},
		{"witness-key", required_argument, NULL, O_WITNESS_KEY},
		{"witness", required_argument, NULL, O_WITNESS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	ot_server_options o;
	memset(&o, 0, sizeof o);
	o.access_log = stderr;
	o.error_log = stderr;
	const char *key_path = NULL;
	const char *witness_paths[OT_SERVE_MAX_WITNESSES];
	const char *witness_urls[OT_SERVE_MAX_WITNESSES]; /* NULL: --witness-key */
	size_t n_witness_paths = 0, n_urls = 0;
	uint64_t v = 0;
	int c, code = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o.db = optarg; break;
		case O_LISTEN: o.listen = optarg; break;
		case O_KEY: key_path = optarg; break;
		case O_READ_ONLY: o.read_only = 1; break;
		case O_QUIET: o.access_log = NULL; break;
		case O_THREADS:
			if ((code = parse_count("--threads", optarg, 256, &v)))
				return code;
			o.threads = (unsigned)v;
			break;
		case O_MAX_CONN:
			if ((code = parse_count("--max-connections", optarg, 1000000, &v)))
				return code;
			o.max_connections = (unsigned)v;
			break;
		case O_TIMEOUT:
			if ((code = parse_count("--timeout", optarg, 86400, &v)))
				return code;
			o.timeout_s = (unsigned)v;
			break;
		case O_MAX_HEADER:
			if ((code = parse_count("--max-header", optarg, 1 << 20, &v)))
				return code;
			o.max_header = (size_t)v;
			break;
		case O_MAX_BODY:
			if ((code = parse_count("--max-body", optarg, (uint64_t)1 << 30, &v)))
				return code;
			o.max_body = (size_t)v;
			break;
		case O_MAX_EVENTS:
			if ((code = parse_count("--max-events", optarg, 1000000, &v)))
				return code;
			o.max_events = (size_t)v;
			break;
		case O_QUEUE:
			if ((code = parse_count("--queue", optarg, 10000000, &v)))
				return code;
			o.queue_events = (size_t)v;
			break;
		case O_BATCH:
			if ((code = parse_count("--batch", optarg, 1000000, &v)))
				return code;
			o.batch_events = (size_t)v;
			break;
		case O_WITNESS_KEY:
		case O_WITNESS:
			if (n_witness_paths == OT_SERVE_MAX_WITNESSES)
				return cli_failf(EXIT_USAGE, "serve", "at most %d witnesses",
				                 OT_SERVE_MAX_WITNESSES);
			witness_urls[n_witness_paths] = NULL;
			witness_paths[n_witness_paths] = optarg;
			if (c == O_WITNESS) {
				if (!split_witness(optarg, &witness_urls[n_witness_paths]))
					return cli_failf(EXIT_USAGE, "serve",
					                 "--witness %s: expected FILE=URL (http:// "
					                 "or https://)",
					                 optarg);
				n_urls++;
			}
			n_witness_paths++;
			break;
		case 'h': help(stdout); return EXIT_OK;
		default: help(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_failf(EXIT_USAGE, "serve", "unexpected argument \"%s\"", argv[optind]);
	if (!o.db)
		return cli_failf(EXIT_USAGE, "serve", "--db is required");
	if (n_urls && o.read_only)
		return cli_failf(EXIT_USAGE, "serve",
		                 "--witness asks for cosignatures, which a --read-only server does "
		                 "not take (use --witness-key)");

	ot_error err;
	ot_error_clear(&err);
	ot_signer *signer = NULL;
	if (!o.read_only) {
		char path[4200];
		snprintf(path, sizeof path, "%s", key_path ? key_path : "");
		if (!key_path)
			snprintf(path, sizeof path, "%s.key", o.db);
		struct stat sb;
		if (!key_path && stat(path, &sb) != 0)
			return cli_failf(EXIT_USAGE, "serve",
			                 "no key at %s: give --key FILE to accept submissions, or "
			                 "--read-only to serve without",
			                 path);
		if (cli_load_signer(path, &signer, &err))
			return cli_fail(EXIT_USAGE, "serve: loading the ledger key", &err);
		o.signer = signer;
	}

	ot_cosig_verifier *witnesses[OT_SERVE_MAX_WITNESSES];
	for (size_t i = 0; i < n_witness_paths; i++) {
		if (cli_load_cosig_verifier(witness_paths[i], &witnesses[i], &err)) {
			for (size_t k = 0; k < i; k++)
				ot_cosig_verifier_free(witnesses[k]);
			ot_signer_free(signer);
			return cli_fail(EXIT_USAGE, "serve: --witness-key", &err);
		}
	}
	o.witnesses = witnesses;
	o.n_witnesses = n_witness_paths;
	o.witness_urls = n_urls ? witness_urls : NULL;
	if (n_witness_paths && !signer)
		fprintf(stderr,
		        "oretrail: serve: warning: a read-only server takes no cosignatures\n");

	/* Every thread the server starts inherits this mask, so the signals
	 * reach only cli_wait_stop below. */
	sigset_t stop;
	cli_block_stop_signals(&stop);

	ot_server *srv = NULL;
	if (ot_server_start(&o, &srv, &err)) {
		for (size_t i = 0; i < n_witness_paths; i++)
			ot_cosig_verifier_free(witnesses[i]);
		ot_signer_free(signer);
		return cli_fail(0, "serve", &err);
	}
	const char *listen = o.listen ? o.listen : "127.0.0.1:8080";
	const char *colon = strrchr(listen, ':');
	int host_len = (int)(colon ? colon - listen : 0);
	printf("listening on http://%.*s:%u/%s\n", host_len ? host_len : 7,
	       host_len ? listen : "0.0.0.0", (unsigned)ot_server_port(srv),
	       o.read_only || !signer ? " (read-only)" : "");
	fflush(stdout);

	cli_wait_stop(&stop);
	ot_server_stop(srv);
	for (size_t i = 0; i < n_witness_paths; i++)
		ot_cosig_verifier_free(witnesses[i]);
	ot_signer_free(signer);
	return EXIT_OK;
}
