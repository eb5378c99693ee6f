/*
 * cmd_witness.c: `oretrail witness`: follows a log over HTTP and cosigns its
 * checkpoints (C2SP tlog-cosignature v1) once it has checked that each is
 * consistent with the last one it cosigned.
 *
 * A round: GET /checkpoint, verify the log's signature; compare with the
 * checkpoint kept in the state directory (DIR/checkpoint, written
 * atomically with fsync): same size must mean same root; a larger tree must
 * come with a consistency proof (GET /api/proof/consistency) that verifies
 * locally against both signed roots; a smaller one (a cache serving an older
 * checkpoint) must be proven a prefix of the cosigned one. Then cosign, keep
 * the new checkpoint, and POST the cosigned note to /witness/cosignature.
 *
 * Anything else is a fork or a rollback: the witness refuses, writes both
 * checkpoints to DIR/fork-<time>.txt and exits 1. It never cosigns a tree
 * that does not extend the one it cosigned before, however many rounds
 * later: the state is only replaced by a consistent checkpoint.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/http_fetch.h"
#include "log/proof_json.h"
#include "oretrail/proof.h"
#include "util/b64.h"
#include "util/error.h"

#define STATE_FILE "checkpoint"
#define FETCH_MAX ((size_t)1 << 20)

static void help(FILE *out)
{
	fprintf(out,
	        "usage: oretrail witness --log URL --log-key VKEY --key KEY --state DIR\n"
	        "                        [--once] [--interval SECONDS] [--no-submit] [--json]\n"
	        "       oretrail witness --key KEY --print-vkey\n\n"
	        "Follows the log at URL (an `oretrail serve`), verifies each new checkpoint's\n"
	        "signature by VKEY and its consistency with the last checkpoint this witness\n"
	        "cosigned (kept in DIR), cosigns it (C2SP tlog-cosignature v1, Ed25519) with\n"
	        "KEY (a note signer key, e.g. from `oretrail key new`) and sends the\n"
	        "cosignature back to the log (POST /witness/cosignature), which serves it\n"
	        "with its checkpoint once `oretrail serve --witness-key` names this witness.\n\n"
	        "A checkpoint that is not consistent with what the witness cosigned (same\n"
	        "size with another root, or a tree that does not extend the cosigned one) is\n"
	        "refused: both checkpoints go to DIR/fork-<time>.txt and the witness exits 1.\n\n"
	        "options:\n"
	        "  --once               one round, then exit\n"
	        "  --interval SECONDS   time between rounds (10)\n"
	        "  --no-submit          cosign and keep, but do not send to the log\n"
	        "  --json               one JSON object per round on standard output\n"
	        "  --print-vkey         print the witness's verifier key (for serve\n"
	        "                       --witness-key) and exit\n\n"
	        "exit codes: 0 done (--once) or stopped by a signal; 1 the log forked or\n"
	        "its signature does not verify; 2 usage; 3 the log or DIR cannot be used.\n");
}

typedef struct witness {
	const char *url;
	const char *dir;
	ot_verifier *log_key;
	ot_signer *key;
	ot_cosig_verifier *self;
	int submit;
	int json;
	char state_path[4200];
} witness;

/* One line of output per round. */
static void report(const witness *w, const char *event, const ot_checkpoint *cp,
                   const char *detail)
{
	if (w->json) {
		char root[64] = "";
		if (cp)
			otx_b64_encode(cp->root, OT_HASH_SIZE, root);
		printf("{\"event\":\"%s\",\"size\":%" PRIu64 ",\"root\":\"%s\",\"detail\":\"", event,
		       cp ? cp->size : 0, root);
		for (const char *p = detail ? detail : ""; *p; p++) {
			if (*p == '"' || *p == '\\')
				printf("\\%c", *p);
			else if ((unsigned char)*p < 0x20)
				printf("\\u%04x", (unsigned char)*p);
			else
				putchar(*p);
		}
		printf("\"}\n");
	} else {
		printf("%s: %" PRIu64 " entries%s%s\n", event, cp ? cp->size : 0, detail ? ": " : "",
		       detail ? detail : "");
	}
	fflush(stdout);
}

/* Opens a signed checkpoint note by the log key. */
static ot_status open_checkpoint(const witness *w, const char *note, size_t len,
                                 ot_checkpoint *cp, ot_error *err)
{
	ot_note n;
	ot_status rc = ot_note_open(note, len, &w->log_key, 1, &n, err);
	if (rc)
		return rc;
	rc = ot_checkpoint_parse(n.text, n.text_len, cp, err);
	ot_note_clear(&n);
	return rc;
}

/* Fetches and checks the consistency proof from size1 to size2. OT_OK: the
 * trees are consistent; OT_ERR_VERIFY: the proof does not verify; other:
 * the proof could not be had (err says why; for a rollback, evidence too). */
static ot_status check_consistency(const witness *w, const ot_checkpoint *small,
                                   const ot_checkpoint *big, ot_error *err)
{
	if (small->size == 0) {
		uint8_t empty[OT_HASH_SIZE];
		ot_empty_root(empty);
		return memcmp(empty, small->root, OT_HASH_SIZE) == 0
		           ? OT_OK
		           : otx_err(err, OT_ERR_VERIFY, "the empty tree has another root");
	}
	char path[128];
	snprintf(path, sizeof path, "/api/proof/consistency?size1=%" PRIu64 "&size2=%" PRIu64,
	         small->size, big->size);
	cli_http_resp resp;
	ot_status rc = cli_http_get(w->url, path, FETCH_MAX, &resp, err);
	if (rc)
		return rc;
	if (resp.status != 200) {
		rc = otx_err(err, OT_ERR_NOTFOUND,
		             "the log gives no consistency proof from %" PRIu64 " to %" PRIu64
		             " entries (HTTP %ld)",
		             small->size, big->size, resp.status);
		cli_http_free(&resp);
		return rc;
	}
	otx_proof_file *p = calloc(1, sizeof *p);
	uint8_t(*proof)[OT_HASH_SIZE] = calloc(OT_PROOF_MAX, OT_HASH_SIZE);
	if (!p || !proof) {
		rc = otx_err(err, OT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = otx_proof_file_parse((const char *)resp.body, resp.len, p, err))) {
		otx_err_prefix(err, "the log's consistency proof");
		goto out;
	}
	if (!p->consistency || p->n > OT_PROOF_MAX) {
		rc = otx_err(err, OT_ERR_VERIFY, "the log's answer is not a consistency proof");
		goto out;
	}
	for (size_t i = 0; i < p->n; i++) {
		if (p->proof[i].len != OT_HASH_SIZE) {
			rc = otx_err(err, OT_ERR_VERIFY, "hash %zu of the proof is not 32 bytes", i);
			goto out;
		}
		memcpy(proof[i], p->proof[i].h, OT_HASH_SIZE);
	}
	/* Against the roots the log signed, not those the proof states. */
	if (ot_verify_consistency(small->size, big->size, small->root, big->root,
	                          (const uint8_t(*)[OT_HASH_SIZE])proof, p->n) != OT_OK)
		rc = otx_err(err, OT_ERR_VERIFY,
		             "the tree of %" PRIu64 " entries is not a prefix of the tree of %" PRIu64
		             " entries: the consistency proof does not verify",
		             small->size, big->size);
out:
	free(p);
	free(proof);
	cli_http_free(&resp);
	return rc;
}

/* Writes both checkpoints to DIR/fork-<time>.txt; says where on stderr. */
static void keep_evidence(const witness *w, const char *why, const char *old_note,
                          size_t old_len, const char *new_note, size_t new_len)
{
	char path[4300];
	snprintf(path, sizeof path, "%s/fork-%lld.txt", w->dir, (long long)time(NULL));
	size_t cap = old_len + new_len + strlen(why) + strlen(w->url) + 512;
	char *doc = malloc(cap);
	if (!doc)
		return;
	int n = snprintf(doc, cap,
	                 "oretrail witness: refused a checkpoint of %s\n"
	                 "reason: %s\n\n"
	                 "--- the checkpoint this witness cosigned ---\n%.*s"
	                 "--- the checkpoint the log serves now ---\n%.*s",
	                 w->url, why, (int)old_len, old_note, (int)new_len, new_note);
	ot_error err;
	ot_error_clear(&err);
	if (n > 0 && cli_write_file(path, doc, (size_t)n < cap ? (size_t)n : cap - 1, 0644, 0, &err))
		fprintf(stderr, "oretrail: witness: cannot write the evidence: %s\n", err.message);
	else
		fprintf(stderr, "oretrail: witness: the evidence (both checkpoints) is in %s\n", path);
	free(doc);
}

enum { ROUND_OK = 0, ROUND_FORK = 1, ROUND_ERROR = 3 };

static int round_once(witness *w);

/* A fork ends the witness (exit 1). Transient failures are reported and
 * retried next round; a single round (--once) that failed exits 3. */
static int follow_round(void *ctx, int *stop)
{
	int r = round_once(ctx);
	if (r == ROUND_FORK) {
		*stop = 1;
		return EXIT_INVALID;
	}
	return r == ROUND_OK || !*stop ? EXIT_OK : EXIT_STORE;
}

static int round_once(witness *w)
{
	ot_error err;
	ot_error_clear(&err);
	cli_http_resp resp;
	char *old_note = NULL;
	size_t old_len = 0;
	int result = ROUND_ERROR;
	if (cli_http_get(w->url, "/checkpoint", OT_NOTE_MAX + 1, &resp, &err)) {
		cli_fail(0, "witness: fetching the checkpoint", &err);
		return ROUND_ERROR;
	}
	if (resp.status != 200) {
		cli_failf(0, "witness", "GET %s/checkpoint: HTTP %ld", w->url, resp.status);
		goto out;
	}
	const char *note = (const char *)resp.body;
	size_t len = resp.len;
	ot_checkpoint cp;
	if (open_checkpoint(w, note, len, &cp, &err)) {
		cli_fail(0, "witness: the log's checkpoint does not verify", &err);
		report(w, "bad_signature", NULL, err.message);
		result = ROUND_FORK;
		goto out;
	}

	ot_checkpoint old;
	int have_old = 0;
	ot_status rc = cli_read_file(w->state_path, &old_note, &old_len, OT_NOTE_MAX * 2, &err);
	if (rc == OT_OK) {
		if (open_checkpoint(w, old_note, old_len, &old, &err)) {
			cli_fail(0, "witness: the cosigned checkpoint in the state directory", &err);
			goto out;
		}
		have_old = 1;
	} else if (rc != OT_ERR_NOTFOUND) {
		cli_fail(0, "witness: reading the state", &err);
		goto out;
	}

	char why[700] = "";
	if (have_old) {
		if (strcmp(old.origin, cp.origin) != 0) {
			snprintf(why, sizeof why, "the log's origin changed from \"%s\" to \"%s\"",
			         old.origin, cp.origin);
		} else if (cp.size == old.size) {
			if (memcmp(cp.root, old.root, OT_HASH_SIZE) != 0)
				snprintf(why, sizeof why,
				         "the log signed two different trees of %" PRIu64 " entries", cp.size);
		} else {
			const ot_checkpoint *small = cp.size < old.size ? &cp : &old;
			const ot_checkpoint *big = cp.size < old.size ? &old : &cp;
			ot_error pe;
			ot_error_clear(&pe);
			rc = check_consistency(w, small, big, &pe);
			if (rc == OT_ERR_VERIFY || (rc && cp.size < old.size)) {
				/* No proof of a smaller tree: the log rolled back. */
				snprintf(why, sizeof why, "%s%s", pe.message,
				         cp.size < old.size ? " (the log went back from the tree this "
				                              "witness cosigned)"
				                            : "");
			} else if (rc) {
				cli_fail(0, "witness: checking consistency", &pe);
				goto out;
			}
		}
	}
	if (why[0]) {
		fprintf(stderr, "oretrail: witness: REFUSED: %s: %s\n", w->url, why);
		keep_evidence(w, why, old_note, old_len, note, len);
		report(w, "fork", &cp, why);
		result = ROUND_FORK;
		goto out;
	}
	if (have_old && cp.size < old.size) {
		report(w, "stale", &cp, "an older checkpoint, consistent; nothing to cosign");
		result = ROUND_OK;
		goto out;
	}

	/* Already cosigned and served with our cosignature: nothing to do. */
	if (have_old && cp.size == old.size) {
		ot_note n;
		if (ot_note_open(note, len, &w->log_key, 1, &n, &err) == OT_OK) {
			size_t mine = ot_note_count_cosignatures(&n, &w->self, 1, NULL);
			ot_note_clear(&n);
			if (mine) {
				report(w, "unchanged", &cp, NULL);
				result = ROUND_OK;
				goto out;
			}
		}
	}

	/* Cosign the note text exactly as the log signed it. What is kept and
	 * sent is the text, the log's own signature and this cosignature: other
	 * witnesses' lines are theirs to send. */
	ot_note n;
	if (ot_note_open(note, len, &w->log_key, 1, &n, &err)) {
		cli_fail(0, "witness", &err);
		goto out;
	}
	char line[OT_COSIG_LINE_MAX];
	size_t line_len = 0;
	rc = ot_note_cosign(w->key, n.text, n.text_len, (uint64_t)time(NULL), line, sizeof line,
	                    &line_len, &err);
	char *cosigned = rc ? NULL : malloc(n.text_len + 1 + 2 * OT_COSIG_LINE_MAX);
	size_t clen = 0;
	if (cosigned) {
		memcpy(cosigned, n.text, n.text_len);
		clen = n.text_len;
		cosigned[clen++] = '\n';
		for (size_t i = 0; i < n.n_sigs; i++) {
			if (!n.sigs[i].verified)
				continue;
			uint8_t raw[4 + 64];
			char b64[128];
			for (int k = 0; k < 4; k++)
				raw[k] = (uint8_t)(n.sigs[i].key_id >> (24 - 8 * k));
			memcpy(raw + 4, n.sigs[i].sig, 64);
			otx_b64_encode(raw, sizeof raw, b64);
			clen += (size_t)snprintf(cosigned + clen, OT_COSIG_LINE_MAX, "\xe2\x80\x94 %s %s\n",
			                         n.sigs[i].name, b64);
			break; /* the log has one key */
		}
		memcpy(cosigned + clen, line, line_len + 1);
		clen += line_len;
	}
	ot_note_clear(&n);
	if (rc) {
		cli_fail(0, "witness: cosigning", &err);
		goto out;
	}
	if (!cosigned) {
		cli_failf(0, "witness", "out of memory");
		goto out;
	}
	/* Keep it before telling anyone: a crash after this never lets the
	 * witness cosign a fork of what it sent. */
	if (cli_write_file(w->state_path, cosigned, clen, 0644, 0, &err)) {
		free(cosigned);
		cli_fail(0, "witness: writing the state", &err);
		goto out;
	}
	char detail[800] = "cosigned";
	if (w->submit) {
		cli_http_resp pr;
		if (cli_http_post(w->url, "/witness/cosignature", "text/plain; charset=utf-8", cosigned,
		                  clen, FETCH_MAX, &pr, &err) != OT_OK) {
			snprintf(detail, sizeof detail, "cosigned; not submitted: %.500s", err.message);
		} else {
			if (pr.status == 200)
				snprintf(detail, sizeof detail, "cosigned and submitted");
			else
				snprintf(detail, sizeof detail, "cosigned; the log refused it (HTTP %ld): %.180s",
				         pr.status, pr.body ? (const char *)pr.body : "");
			cli_http_free(&pr);
		}
		size_t dl = strlen(detail);
		while (dl && (detail[dl - 1] == '\n'))
			detail[--dl] = 0;
	}
	free(cosigned);
	report(w, "cosigned", &cp, detail);
	result = ROUND_OK;
out:
	free(old_note);
	cli_http_free(&resp);
	return result;
}

int cmd_witness(int argc, char **argv)
{
	enum { O_LOG = 256, O_LOG_KEY, O_KEY, O_STATE, O_ONCE, O_INTERVAL, O_NO_SUBMIT, O_JSON,
	       O_PRINT_VKEY };
	static const struct option opts[] = {{"log", required_argument, NULL, O_LOG},
	                                     {"log-key", required_argument, NULL, O_LOG_KEY},
	                                     {"key", required_argument, NULL, O_KEY},
	                                     {"state", required_argument, NULL, O_STATE},
	                                     {"once", no_argument, NULL, O_ONCE},
	                                     {"interval", required_argument, NULL, O_INTERVAL},
	                                     {"no-submit", no_argument, NULL, O_NO_SUBMIT},
	                                     {"json", no_argument, NULL, O_JSON},
	                                     {"print-vkey", no_argument, NULL, O_PRINT_VKEY},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *log_key_path = NULL, *key_path = NULL;
	witness w;
	memset(&w, 0, sizeof w);
	w.submit = 1;
	int once = 0, print_vkey = 0, c;
	uint64_t interval = 10;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_LOG: w.url = optarg; break;
		case O_LOG_KEY: log_key_path = optarg; break;
		case O_KEY: key_path = optarg; break;
		case O_STATE: w.dir = optarg; break;
		case O_ONCE: once = 1; break;
		case O_INTERVAL:
			if (!cli_parse_u64(optarg, &interval) || interval == 0 || interval > 86400)
				return cli_failf(EXIT_USAGE, "witness",
				                 "--interval %s: expected seconds from 1 to 86400", optarg);
			break;
		case O_NO_SUBMIT: w.submit = 0; break;
		case O_JSON: w.json = 1; break;
		case O_PRINT_VKEY: print_vkey = 1; break;
		case 'h': help(stdout); return EXIT_OK;
		default: help(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_failf(EXIT_USAGE, "witness", "unexpected argument \"%s\"", argv[optind]);
	if (!key_path)
		return cli_failf(EXIT_USAGE, "witness", "--key is required");
	ot_error err;
	ot_error_clear(&err);
	int code = EXIT_OK;
	if (cli_load_signer(key_path, &w.key, &err))
		return cli_fail(EXIT_USAGE, "witness: loading --key", &err);
	if (ot_cosig_verifier_from_signer(w.key, &w.self, &err)) {
		code = cli_fail(EXIT_USAGE, "witness", &err);
		goto out;
	}
	if (print_vkey) {
		char vkey[OT_VKEY_MAX];
		if (ot_cosig_verifier_format(w.self, vkey, sizeof vkey) != OT_OK) {
			code = cli_failf(EXIT_USAGE, "witness", "cannot format the key");
			goto out;
		}
		printf("%s\n", vkey);
		goto out;
	}
	if (!w.url || !log_key_path || !w.dir) {
		code = cli_failf(EXIT_USAGE, "witness", "--log, --log-key and --state are required");
		goto out;
	}
	if (cli_load_verifier(log_key_path, &w.log_key, &err)) {
		code = cli_fail(EXIT_USAGE, "witness: loading --log-key", &err);
		goto out;
	}
	if (mkdir(w.dir, 0700) != 0 && errno != EEXIST) {
		code = cli_failf(EXIT_STORE, "witness", "cannot create %s: %s", w.dir, strerror(errno));
		goto out;
	}
	snprintf(w.state_path, sizeof w.state_path, "%s/%s", w.dir, STATE_FILE);
	code = cli_follow("witness", once, interval, follow_round, &w);
out:
	ot_cosig_verifier_free(w.self);
	ot_verifier_free(w.log_key);
	ot_signer_free(w.key);
	return code;
}
