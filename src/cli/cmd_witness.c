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
 *
 * With --listen it is instead a C2SP tlog-witness server (witness_http.c
 * speaks HTTP; add_checkpoint below decides): any log, ours or not, POSTs
 * its checkpoint with the old size and a consistency proof to
 * /add-checkpoint and gets the cosignature back. Same key, same state file,
 * same rule: a checkpoint is cosigned only if it extends DIR/checkpoint.
 * The witness knows one log, by its key; the log's origin is the one in
 * DIR/checkpoint (learnt from the first checkpoint cosigned), and a
 * checkpoint of another origin is refused as unknown (404).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/follow.h"
#include "cli/witness_http.h"
#include "log/proof_json.h"
#include "oretrail/encoding.h"
#include "oretrail/proof.h"
#include "oretrail/status.h"

#define STATE_FILE "checkpoint"
#define FETCH_MAX ((size_t)1 << 20)
#define EVIDENCE_MAX 100 /* fork files one server run writes, at most */

static void help(FILE *out)
{
	fprintf(out,
	        "usage: oretrail witness --log URL --log-key VKEY --key KEY --state DIR\n"
	        "                        [--once] [--interval SECONDS] [--no-submit] [--json]\n"
	        "       oretrail witness --listen HOST:PORT --log-key VKEY --key KEY --state DIR\n"
	        "                        [--quiet]\n"
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
	        "With --listen, serves C2SP tlog-witness instead: POST /add-checkpoint with\n"
	        "\"old <size>\", the consistency proof, an empty line and the checkpoint; the\n"
	        "answer is the cosignature line. Same checks and state as above (any log\n"
	        "signing with VKEY can ask, ours or not); the log's origin is learnt from the\n"
	        "first checkpoint cosigned and another origin gets 404. A validly signed\n"
	        "checkpoint that is not consistent is refused (409/422) and kept in\n"
	        "DIR/fork-<time>.txt; the server goes on. Prints \"listening on\n"
	        "http://HOST:PORT/\" once ready; stops on SIGINT or SIGTERM.\n\n"
	        "options:\n"
	        "  --once               one round, then exit\n"
	        "  --interval SECONDS   time between rounds (10)\n"
	        "  --no-submit          cosign and keep, but do not send to the log\n"
	        "  --json               one JSON object per round on standard output\n"
	        "  --listen HOST:PORT   serve C2SP tlog-witness (port 0: a free port)\n"
	        "  --quiet              with --listen: no request log on standard error\n"
	        "  --print-vkey         print the witness's verifier key (for serve\n"
	        "                       --witness-key) and exit\n\n"
	        "exit codes: 0 done (--once) or stopped by a signal; 1 the log forked or\n"
	        "its signature does not verify; 2 usage; 3 the log or DIR cannot be used.\n");
}

typedef struct witness {
	const char *url;    /* the log followed; NULL with --listen */
	const char *source; /* where checkpoints come from, for the evidence */
	const char *dir;
	ot_verifier *log_key;
	ot_signer *key;
	ot_cosig_verifier *self;
	int submit;
	int json;
	int evidence_left;
	char state_path[4200];
} witness;

/* One line of output per round. */
static void report(const witness *w, const char *event, const ot_checkpoint *cp, const char *detail)
{
	if (w->json) {
		char root[64] = "";
		if (cp)
			ot_b64_encode(cp->root, OT_HASH_SIZE, root);
		printf("{\"event\":\"%s\",\"size\":%" PRIu64 ",\"root\":\"%s\",\"detail\":\"",
		       event, cp ? cp->size : 0, root);
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
		printf("%s: %" PRIu64 " entries%s%s\n", event, cp ? cp->size : 0,
		       detail ? ": " : "", detail ? detail : "");
	}
	fflush(stdout);
}

/* Opens a signed checkpoint note by the log key. */
static ot_status open_checkpoint(const witness *w, const char *note, size_t len, ot_checkpoint *cp,
                                 ot_error *err)
{
	ot_note n;
	ot_status rc = ot_note_open(note, len, &w->log_key, 1, &n, err);
	if (rc)
		return rc;
	rc = ot_checkpoint_parse(n.text, n.text_len, cp, err);
	ot_note_clear(&n);
	return rc;
}

/* Reads the checkpoint last cosigned (DIR/checkpoint), if any: *have_old
 * says. *old_note is malloc'ed (NULL when there is none). */
static ot_status load_state(const witness *w, char **old_note, size_t *old_len, ot_checkpoint *old,
                            int *have_old, ot_error *err)
{
	*have_old = 0;
	ot_status rc = cli_read_file(w->state_path, old_note, old_len, OT_NOTE_MAX * 2, err);
	if (rc == OT_ERR_NOTFOUND) {
		*old_note = NULL;
		*old_len = 0;
		ot_error_clear(err);
		return OT_OK;
	}
	if (rc)
		return rc;
	rc = open_checkpoint(w, *old_note, *old_len, old, err);
	if (rc)
		ot_error_prefix(err, "the cosigned checkpoint in %s", w->state_path);
	else
		*have_old = 1;
	return rc;
}

/* Checks that `small` is a prefix of `big` with the consistency proof, against
 * the roots the log signed. OT_OK or OT_ERR_VERIFY. */
static ot_status verify_consistency(const ot_checkpoint *small, const ot_checkpoint *big,
                                    const uint8_t (*proof)[OT_HASH_SIZE], size_t n, ot_error *err)
{
	uint8_t empty[OT_HASH_SIZE];
	ot_empty_root(empty);
	if (small->size == 0 && memcmp(empty, small->root, OT_HASH_SIZE) != 0)
		return ot_error_set(err, OT_ERR_VERIFY, "the empty tree has another root");
	if (ot_verify_consistency(small->size, big->size, small->root, big->root, proof, n) !=
	    OT_OK)
		return ot_error_set(err, OT_ERR_VERIFY,
		                    "the tree of %" PRIu64
		                    " entries is not a prefix of the tree of %" PRIu64
		                    " entries: the consistency proof does not verify",
		                    small->size, big->size);
	return OT_OK;
}

/* Fetches and checks the consistency proof from size1 to size2. OT_OK: the
 * trees are consistent; OT_ERR_VERIFY: the proof does not verify; other:
 * the proof could not be had (err says why; for a rollback, evidence too). */
static ot_status check_consistency(const witness *w, const ot_checkpoint *small,
                                   const ot_checkpoint *big, ot_error *err)
{
	if (small->size == 0)
		return verify_consistency(small, big, NULL, 0, err);
	char path[128];
	snprintf(path, sizeof path, "/api/proof/consistency?size1=%" PRIu64 "&size2=%" PRIu64,
	         small->size, big->size);
	ot_http_resp resp;
	ot_status rc = ot_http_get(w->url, path, FETCH_MAX, &resp, err);
	if (rc)
		return rc;
	if (resp.status != 200) {
		rc = ot_error_set(err, OT_ERR_NOTFOUND,
		                  "the log gives no consistency proof from %" PRIu64 " to %" PRIu64
		                  " entries (HTTP %ld)",
		                  small->size, big->size, resp.status);
		ot_http_free(&resp);
		return rc;
	}
	otx_proof_file *p = calloc(1, sizeof *p);
	uint8_t(*proof)[OT_HASH_SIZE] = calloc(OT_PROOF_MAX, OT_HASH_SIZE);
	if (!p || !proof) {
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = otx_proof_file_parse((const char *)resp.body, resp.len, p, err))) {
		ot_error_prefix(err, "the log's consistency proof");
		goto out;
	}
	if (!p->consistency || p->n > OT_PROOF_MAX) {
		rc = ot_error_set(err, OT_ERR_VERIFY,
		                  "the log's answer is not a consistency proof");
		goto out;
	}
	for (size_t i = 0; i < p->n; i++) {
		if (p->proof[i].len != OT_HASH_SIZE) {
			rc = ot_error_set(err, OT_ERR_VERIFY,
			                  "hash %zu of the proof is not 32 bytes", i);
			goto out;
		}
		memcpy(proof[i], p->proof[i].h, OT_HASH_SIZE);
	}
	/* Against the roots the log signed, not those the proof states. */
	rc = verify_consistency(small, big, (const uint8_t(*)[OT_HASH_SIZE])proof, p->n, err);
out:
	free(p);
	free(proof);
	ot_http_free(&resp);
	return rc;
}

/* Writes both checkpoints to DIR/fork-<time>.txt (fork-<time>-<k>.txt when
 * that exists: evidence is never overwritten); says where on stderr. A
 * server writes at most EVIDENCE_MAX files a run: anyone can replay a
 * signed checkpoint with a bad proof, and must not fill the disk. */
static void keep_evidence(witness *w, const char *why, const char *old_note, size_t old_len,
                          const char *new_note, size_t new_len)
{
	if (w->evidence_left <= 0) {
		fprintf(stderr,
		        "oretrail: witness: evidence not kept (%d files this run already)\n",
		        EVIDENCE_MAX);
		return;
	}
	size_t cap = old_len + new_len + strlen(why) + strlen(w->source) + 512;
	char *doc = malloc(cap);
	if (!doc)
		return;
	int n = snprintf(doc, cap,
	                 "oretrail witness: refused a checkpoint of %s\n"
	                 "reason: %s\n\n"
	                 "--- the checkpoint this witness cosigned ---\n%.*s"
	                 "--- the checkpoint refused ---\n%.*s",
	                 w->source, why, (int)old_len, old_note, (int)new_len, new_note);
	char path[4300];
	ot_error err;
	ot_error_clear(&err);
	ot_status rc = OT_ERR_IO;
	long long now = (long long)time(NULL);
	for (int k = 0; n > 0 && k < EVIDENCE_MAX; k++) {
		if (k)
			snprintf(path, sizeof path, "%s/fork-%lld-%d.txt", w->dir, now, k);
		else
			snprintf(path, sizeof path, "%s/fork-%lld.txt", w->dir, now);
		ot_error_clear(&err);
		rc = cli_write_file(path, doc, (size_t)n < cap ? (size_t)n : cap - 1, 0644, 1,
		                    &err);
		if (rc != OT_ERR_EXISTS)
			break;
	}
	if (rc)
		fprintf(stderr, "oretrail: witness: cannot write the evidence: %s\n", err.message);
	else
		fprintf(stderr, "oretrail: witness: the evidence (both checkpoints) is in %s\n",
		        path);
	w->evidence_left--;
	free(doc);
}

/* Cosigns the note text exactly as the log signed it and keeps it in the
 * state, before anyone is told: a crash after this never lets the witness
 * cosign a fork of what it answered. What is kept is the text, the log's
 * own signature and this cosignature: other witnesses' lines are theirs.
 * *cosigned (malloc'ed, *clen bytes) is what was kept; its last *line_len
 * bytes are the cosignature line. */
/* Is the state file still exactly `expect` (expect_len bytes; NULL: no
 * state)? Called with DIR/lock held. */
static int state_unchanged(const witness *w, const char *expect, size_t expect_len)
{
	char *now = NULL;
	size_t now_len = 0;
	ot_status rc = cli_read_file(w->state_path, &now, &now_len, OT_NOTE_MAX * 2, NULL);
	int same = rc == OT_ERR_NOTFOUND ? expect == NULL
	           : rc == OT_OK
	                   ? expect && now_len == expect_len && memcmp(now, expect, expect_len) == 0
	                   : 0;
	free(now);
	return same;
}

static ot_status cosign_and_keep(const witness *w, const char *note, size_t len, const char *expect,
                                 size_t expect_len, char **cosigned, size_t *clen, size_t *line_len,
                                 ot_error *err)
{
	/* Another process on the same DIR (a follower and a server taking
	 * turns) may have moved the state since it was checked: the lock makes
	 * compare-and-write one step across processes. */
	char lock_path[4200];
	snprintf(lock_path, sizeof lock_path, "%s/lock", w->dir);
	int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) != 0) {
		if (lock >= 0)
			close(lock);
		return ot_error_set(err, OT_ERR_IO, "cannot lock %s: %s", lock_path,
		                    strerror(errno));
	}
	if (!state_unchanged(w, expect, expect_len)) {
		close(lock);
		return ot_error_set(err, OT_ERR_CONFLICT,
		                    "%s changed while this checkpoint was being checked (another "
		                    "witness process on the same directory); try again",
		                    w->state_path);
	}
	ot_note n;
	ot_status rc = ot_note_open(note, len, &w->log_key, 1, &n, err);
	if (rc) {
		close(lock);
		return rc;
	}
	char line[OT_COSIG_LINE_MAX];
	rc = ot_note_cosign(w->key, n.text, n.text_len, (uint64_t)time(NULL), line, sizeof line,
	                    line_len, err);
	char *out = rc ? NULL : malloc(n.text_len + 1 + 2 * OT_COSIG_LINE_MAX);
	size_t olen = 0;
	if (out) {
		memcpy(out, n.text, n.text_len);
		olen = n.text_len;
		out[olen++] = '\n';
		for (size_t i = 0; i < n.n_sigs; i++) {
			if (!n.sigs[i].verified)
				continue;
			uint8_t raw[4 + 64];
			char b64[128];
			for (int k = 0; k < 4; k++)
				raw[k] = (uint8_t)(n.sigs[i].key_id >> (24 - 8 * k));
			memcpy(raw + 4, n.sigs[i].sig, 64);
			ot_b64_encode(raw, sizeof raw, b64);
			olen += (size_t)snprintf(out + olen, OT_COSIG_LINE_MAX,
			                         "\xe2\x80\x94 %s %s\n", n.sigs[i].name, b64);
			break; /* the log has one key */
		}
		memcpy(out + olen, line, *line_len + 1);
		olen += *line_len;
	} else if (!rc) {
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	}
	ot_note_clear(&n);
	if (!rc && (rc = cli_write_file(w->state_path, out, olen, 0644, 0, err)))
		ot_error_prefix(err, "writing the state");
	close(lock);
	if (rc) {
		free(out);
		return rc;
	}
	*cosigned = out;
	*clen = olen;
	return OT_OK;
}

enum {
	ROUND_OK = 0,
	ROUND_FORK = 1,
	ROUND_ERROR = 3
};

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
	ot_http_resp resp;
	char *old_note = NULL;
	size_t old_len = 0;
	int result = ROUND_ERROR;
	if (ot_http_get(w->url, "/checkpoint", OT_NOTE_MAX + 1, &resp, &err)) {
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
	ot_status rc = load_state(w, &old_note, &old_len, &old, &have_old, &err);
	if (rc) {
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
				         "the log signed two different trees of %" PRIu64
				         " entries",
				         cp.size);
		} else {
			const ot_checkpoint *small = cp.size < old.size ? &cp : &old;
			const ot_checkpoint *big = cp.size < old.size ? &old : &cp;
			ot_error pe;
			ot_error_clear(&pe);
			rc = check_consistency(w, small, big, &pe);
			if (rc == OT_ERR_VERIFY || (rc && cp.size < old.size)) {
				/* No proof of a smaller tree: the log rolled back. */
				snprintf(why, sizeof why, "%s%s", pe.message,
				         cp.size < old.size
				                 ? " (the log went back from the tree this "
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

	char *cosigned = NULL;
	size_t clen = 0, line_len = 0;
	if (cosign_and_keep(w, note, len, old_note, old_len, &cosigned, &clen, &line_len, &err)) {
		cli_fail(0, "witness: cosigning", &err);
		goto out;
	}
	char detail[800] = "cosigned";
	if (w->submit) {
		ot_http_resp pr;
		if (ot_http_post(w->url, "/witness/cosignature", "text/plain; charset=utf-8",
		                 cosigned, clen, FETCH_MAX, &pr, &err) != OT_OK) {
			snprintf(detail, sizeof detail, "cosigned; not submitted: %.500s",
			         err.message);
		} else {
			if (pr.status == 200)
				snprintf(detail, sizeof detail, "cosigned and submitted");
			else
				snprintf(detail, sizeof detail,
				         "cosigned; the log refused it (HTTP %ld): %.180s",
				         pr.status, pr.body ? (const char *)pr.body : "");
			ot_http_free(&pr);
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
	ot_http_free(&resp);
	return result;
}

/* --- the C2SP tlog-witness server (--listen) --- */

__attribute__((format(printf, 4, 5))) static void answer(witness_answer *ans, unsigned status,
                                                         const char *type, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(ans->body, sizeof ans->body - 1, fmt, ap);
	va_end(ap);
	ans->len = n < 0 ? 0 : (size_t)n < sizeof ans->body - 1 ? (size_t)n : sizeof ans->body - 2;
	if (!ans->len || ans->body[ans->len - 1] != '\n')
		ans->body[ans->len++] = '\n';
	ans->body[ans->len] = 0;
	ans->status = status;
	ans->type = type;
}

#define TEXT "text/plain; charset=utf-8"

/* The origin line of a note whose signature did not verify, so that an
 * unknown origin is told apart from a bad signature (404 before 403). */
static ot_status claimed_checkpoint(const char *note, size_t len, ot_checkpoint *cp)
{
	size_t text_len = 0;
	for (size_t i = len; i >= 2; i--)
		if (note[i - 1] == '\n' && note[i - 2] == '\n') {
			text_len = i - 1;
			break;
		}
	return text_len ? ot_checkpoint_parse(note, text_len, cp, NULL) : OT_ERR_PARSE;
}

/* POST /add-checkpoint, in the order of C2SP tlog-witness: origin (404),
 * signature (403), old size (400, 409), proof (422), same size (409); then
 * cosign and keep the state before answering. Called under the server's
 * mutex. */
static void add_checkpoint(void *ctx, const witness_request *req, witness_answer *ans)
{
	witness *w = ctx;
	ot_error err;
	ot_error_clear(&err);
	char *old_note = NULL, *cosigned = NULL;
	size_t old_len = 0, clen = 0, line_len = 0;
	ot_checkpoint old, cp, claimed;
	int have_old = 0;
	if (load_state(w, &old_note, &old_len, &old, &have_old, &err)) {
		cli_fail(0, "witness: reading the state", &err);
		answer(ans, 500, TEXT, "the witness cannot read its state");
		goto out;
	}
	ot_status rc = open_checkpoint(w, req->note, req->note_len, &cp, &err);
	if (rc == OT_ERR_VERIFY) {
		if (have_old && claimed_checkpoint(req->note, req->note_len, &claimed) == OT_OK &&
		    strcmp(claimed.origin, old.origin) != 0)
			answer(ans, 404, TEXT, "unknown origin: this witness knows only \"%s\"",
			       old.origin);
		else
			answer(ans, 403, TEXT, "no valid signature by the log's key: %s",
			       err.message);
		goto out;
	}
	if (rc) {
		answer(ans, 400, TEXT, "the checkpoint: %s", err.message);
		goto out;
	}
	if (have_old && strcmp(cp.origin, old.origin) != 0) {
		answer(ans, 404, TEXT, "unknown origin: this witness knows only \"%s\"",
		       old.origin);
		goto out;
	}
	if (req->old_size > cp.size) {
		answer(ans, 400, TEXT,
		       "old size %" PRIu64 " is larger than the checkpoint's %" PRIu64,
		       req->old_size, cp.size);
		goto out;
	}
	if (!have_old) {
		/* Never cosigned: the tree before is the empty one. */
		memcpy(&old, &cp, sizeof old);
		old.size = 0;
		ot_empty_root(old.root);
	}
	if (req->old_size != old.size) {
		answer(ans, 409, "text/x.tlog.size", "%" PRIu64 "\n", old.size);
		goto out;
	}
	char why[700] = "";
	unsigned status = 409;
	if (cp.size == old.size && memcmp(cp.root, old.root, OT_HASH_SIZE) != 0) {
		snprintf(why, sizeof why,
		         "the log signed two different trees of %" PRIu64 " entries", cp.size);
	} else if (verify_consistency(&old, &cp, req->proof, req->n_proof, &err)) {
		snprintf(why, sizeof why, "%s", err.message);
		status = 422;
	}
	if (why[0]) {
		/* Signed by the log and not consistent: perhaps a fork, perhaps a
		 * bad proof; either way worth keeping when there is a tree to
		 * compare with. */
		fprintf(stderr, "oretrail: witness: REFUSED: %s\n", why);
		if (have_old)
			keep_evidence(w, why, old_note, old_len, req->note, req->note_len);
		answer(ans, status, TEXT, "%s", why);
		goto out;
	}
	if ((rc = cosign_and_keep(w, req->note, req->note_len, old_note, old_len, &cosigned, &clen,
	                          &line_len, &err))) {
		cli_fail(0, "witness: cosigning", &err);
		if (rc == OT_ERR_CONFLICT)
			answer(ans, 503, TEXT, "the witness's state changed meanwhile; try again");
		else
			answer(ans, 500, TEXT, "the witness cannot cosign or keep its state");
		goto out;
	}
	memcpy(ans->body, cosigned + clen - line_len, line_len);
	ans->len = line_len;
	ans->status = 200;
	ans->type = TEXT;
out:
	free(cosigned);
	free(old_note);
}

int cmd_witness(int argc, char **argv)
{
	enum {
		O_LOG = 256,
		O_LOG_KEY,
		O_KEY,
		O_STATE,
		O_ONCE,
		O_INTERVAL,
		O_NO_SUBMIT,
		O_JSON,
		O_PRINT_VKEY,
		O_LISTEN,
		O_QUIET
	};
	static const struct option opts[] = {{"log", required_argument, NULL, O_LOG},
	                                     {"log-key", required_argument, NULL, O_LOG_KEY},
	                                     {"key", required_argument, NULL, O_KEY},
	                                     {"state", required_argument, NULL, O_STATE},
	                                     {"once", no_argument, NULL, O_ONCE},
	                                     {"interval", required_argument, NULL, O_INTERVAL},
	                                     {"no-submit", no_argument, NULL, O_NO_SUBMIT},
	                                     {"json", no_argument, NULL, O_JSON},
	                                     {"print-vkey", no_argument, NULL, O_PRINT_VKEY},
	                                     {"listen", required_argument, NULL, O_LISTEN},
	                                     {"quiet", no_argument, NULL, O_QUIET},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *log_key_path = NULL, *key_path = NULL, *listen = NULL;
	witness w;
	memset(&w, 0, sizeof w);
	w.submit = 1;
	int once = 0, print_vkey = 0, quiet = 0, follow_only = 0, c;
	uint64_t interval = 10;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_LOG: w.url = optarg; break;
		case O_LOG_KEY: log_key_path = optarg; break;
		case O_KEY: key_path = optarg; break;
		case O_STATE: w.dir = optarg; break;
		case O_ONCE: once = follow_only = 1; break;
		case O_INTERVAL:
			follow_only = 1;
			if (!cli_parse_u64(optarg, &interval) || interval == 0 || interval > 86400)
				return cli_failf(EXIT_USAGE, "witness",
				                 "--interval %s: expected seconds from 1 to 86400",
				                 optarg);
			break;
		case O_NO_SUBMIT:
			w.submit = 0;
			follow_only = 1;
			break;
		case O_JSON:
			w.json = 1;
			follow_only = 1;
			break;
		case O_PRINT_VKEY: print_vkey = 1; break;
		case O_LISTEN: listen = optarg; break;
		case O_QUIET: quiet = 1; break;
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
	if (listen && (w.url || follow_only)) {
		code = cli_failf(
			EXIT_USAGE, "witness",
			"--listen serves; --log, --once, --interval, --no-submit and --json "
			"are for following a log");
		goto out;
	}
	if ((!w.url && !listen) || !log_key_path || !w.dir) {
		code = cli_failf(EXIT_USAGE, "witness",
		                 "--log (or --listen), --log-key and --state are required");
		goto out;
	}
	if (cli_load_verifier(log_key_path, &w.log_key, &err)) {
		code = cli_fail(EXIT_USAGE, "witness: loading --log-key", &err);
		goto out;
	}
	if (mkdir(w.dir, 0700) != 0 && errno != EEXIST) {
		code = cli_failf(EXIT_STORE, "witness", "cannot create %s: %s", w.dir,
		                 strerror(errno));
		goto out;
	}
	snprintf(w.state_path, sizeof w.state_path, "%s/%s", w.dir, STATE_FILE);
	w.evidence_left = EVIDENCE_MAX;
	if (listen) {
		w.source = "the logs asking at POST /add-checkpoint";
		code = witness_http_serve(listen, quiet, add_checkpoint, &w);
	} else {
		w.source = w.url;
		code = cli_follow("witness", once, interval, follow_round, &w);
	}
out:
	ot_cosig_verifier_free(w.self);
	ot_verifier_free(w.log_key);
	ot_signer_free(w.key);
	return code;
}
