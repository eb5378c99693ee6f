/*
 * witness.c: a witness's state and rule (include/oretrail/witness.h), C2SP
 * tlog-witness and tlog-cosignature v1, for `oretrail witness` following a
 * log and for its C2SP endpoint (src/server/witness_endpoint.c).
 *
 * The state is DIR/checkpoint: the last cosigned checkpoint as kept by
 * ot_witness_cosign (its text, the log's signature, this witness's
 * cosignature), replaced atomically. DIR/lock, taken around compare and
 * write, makes that one step for every process on DIR (a follower and a
 * server taking turns).
 */
#include "oretrail/witness.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "oretrail/encoding.h"
#include "oretrail/file.h"
#include "oretrail/proof.h"

#define STATE_FILE "checkpoint"
#define EVIDENCE_MAX 100   /* fork files one handle writes, at most */
#define PROOF_LINES_MAX 63 /* the spec's limit */
#define TEXT "text/plain; charset=utf-8"

struct ot_witness {
	const char *dir;
	const char *source;
	const ot_verifier *log_key;
	const ot_signer *key;
	ot_cosig_verifier *self;
	FILE *diag;
	int evidence_left;
	char state_path[4200];
};

__attribute__((format(printf, 2, 3))) static void say(const ot_witness *w, const char *fmt, ...)
{
	if (!w->diag)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("oretrail: witness: ", w->diag);
	vfprintf(w->diag, fmt, ap);
	fputc('\n', w->diag);
	va_end(ap);
}

ot_status ot_witness_open(const char *dir, const ot_verifier *log_key, const ot_signer *key,
                          const char *source, FILE *diag, ot_witness **out, ot_error *err)
{
	*out = NULL;
	ot_witness *w = calloc(1, sizeof *w);
	if (!w)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	ot_status rc = ot_cosig_verifier_from_signer(key, &w->self, err);
	if (rc) {
		free(w);
		return rc;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		rc = ot_error_set(err, OT_ERR_IO, "cannot create %s: %s", dir, strerror(errno));
		ot_witness_free(w);
		return rc;
	}
	w->dir = dir;
	w->source = source;
	w->log_key = log_key;
	w->key = key;
	w->diag = diag;
	w->evidence_left = EVIDENCE_MAX;
	snprintf(w->state_path, sizeof w->state_path, "%s/%s", dir, STATE_FILE);
	*out = w;
	return OT_OK;
}

void ot_witness_free(ot_witness *w)
{
	if (!w)
		return;
	ot_cosig_verifier_free(w->self);
	free(w);
}

/* ot_note_open takes a non-const array of keys; it only reads them. */
static ot_status open_note(const ot_witness *w, const char *note, size_t len, ot_note *n,
                           ot_error *err)
{
	ot_verifier *keys[1] = {(ot_verifier *)(uintptr_t)w->log_key};
	return ot_note_open(note, len, keys, 1, n, err);
}

ot_status ot_witness_open_checkpoint(const ot_witness *w, const char *note, size_t len,
                                     ot_checkpoint *cp, ot_error *err)
{
	ot_note n;
	ot_status rc = open_note(w, note, len, &n, err);
	if (rc)
		return rc;
	rc = ot_checkpoint_parse(n.text, n.text_len, cp, err);
	ot_note_clear(&n);
	return rc;
}

ot_status ot_witness_load(const ot_witness *w, ot_witness_state *st, ot_error *err)
{
	memset(st, 0, sizeof *st);
	ot_status rc = ot_file_read(w->state_path, &st->note, &st->len, OT_NOTE_MAX * 2, err);
	if (rc == OT_ERR_NOTFOUND) {
		st->note = NULL;
		st->len = 0;
		ot_error_clear(err);
		return OT_OK;
	}
	if (rc)
		return rc;
	rc = ot_witness_open_checkpoint(w, st->note, st->len, &st->cp, err);
	if (rc)
		ot_error_prefix(err, "the cosigned checkpoint in %s", w->state_path);
	else
		st->have = 1;
	return rc;
}

void ot_witness_state_clear(ot_witness_state *st)
{
	if (!st)
		return;
	free(st->note);
	memset(st, 0, sizeof *st);
}

ot_status ot_witness_verify_consistency(const ot_checkpoint *small, const ot_checkpoint *big,
                                        const uint8_t (*proof)[OT_HASH_SIZE], size_t n,
                                        ot_error *err)
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

int ot_witness_cosigned_by_self(const ot_witness *w, const char *note, size_t len)
{
	ot_note n;
	if (open_note(w, note, len, &n, NULL) != OT_OK)
		return 0;
	size_t mine = ot_note_count_cosignatures(&n, &w->self, 1, NULL);
	ot_note_clear(&n);
	return mine != 0;
}

/* Both checkpoints and the reason, in DIR/fork-<time>.txt. */
static void keep_evidence(ot_witness *w, const char *why, const char *old_note, size_t old_len,
                          const char *new_note, size_t new_len)
{
	if (w->evidence_left <= 0) {
		say(w, "evidence not kept (%d files this run already)", EVIDENCE_MAX);
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
		rc = ot_file_write(path, doc, (size_t)n < cap ? (size_t)n : cap - 1, 0644, 1, &err);
		if (rc != OT_ERR_EXISTS)
			break;
	}
	if (rc)
		say(w, "cannot write the evidence: %s", err.message);
	else
		say(w, "the evidence (both checkpoints) is in %s", path);
	w->evidence_left--;
	free(doc);
}

void ot_witness_refuse(ot_witness *w, const char *about, const char *why,
                       const ot_witness_state *old, const char *new_note, size_t new_len)
{
	if (about)
		say(w, "REFUSED: %s: %s", about, why);
	else
		say(w, "REFUSED: %s", why);
	if (old && old->have)
		keep_evidence(w, why, old->note, old->len, new_note, new_len);
}

/* Is the state file still exactly `expect`? Called with DIR/lock held. */
static int state_unchanged(const ot_witness *w, const ot_witness_state *expect)
{
	char *now = NULL;
	size_t now_len = 0;
	ot_status rc = ot_file_read(w->state_path, &now, &now_len, OT_NOTE_MAX * 2, NULL);
	const char *e = expect ? expect->note : NULL;
	size_t elen = expect ? expect->len : 0;
	int same = rc == OT_ERR_NOTFOUND ? e == NULL
	           : rc == OT_OK         ? e && now_len == elen && memcmp(now, e, elen) == 0
	                                 : 0;
	free(now);
	return same;
}

/* The note's text, the log's (first verified) signature line and `line`:
 * what the state keeps. malloc'ed; NULL when out of memory. */
static char *kept_note(const ot_note *n, const char *line, size_t line_len, size_t *olen)
{
	char *out = malloc(n->text_len + 1 + 2 * OT_COSIG_LINE_MAX);
	if (!out)
		return NULL;
	memcpy(out, n->text, n->text_len);
	size_t o = n->text_len;
	out[o++] = '\n';
	for (size_t i = 0; i < n->n_sigs; i++) {
		if (!n->sigs[i].verified)
			continue;
		uint8_t raw[4 + 64];
		char b64[128];
		for (int k = 0; k < 4; k++)
			raw[k] = (uint8_t)(n->sigs[i].key_id >> (24 - 8 * k));
		memcpy(raw + 4, n->sigs[i].sig, 64);
		ot_b64_encode(raw, sizeof raw, b64);
		o += (size_t)snprintf(out + o, OT_COSIG_LINE_MAX, "\xe2\x80\x94 %s %s\n",
		                      n->sigs[i].name, b64);
		break; /* the log has one key */
	}
	memcpy(out + o, line, line_len + 1);
	*olen = o + line_len;
	return out;
}

/* Takes DIR/lock (exclusive); -1 with err set when it cannot. */
static int lock_dir(const ot_witness *w, ot_error *err)
{
	char lock_path[4200];
	snprintf(lock_path, sizeof lock_path, "%s/lock", w->dir);
	int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) != 0) {
		if (lock >= 0)
			close(lock);
		ot_error_set(err, OT_ERR_IO, "cannot lock %s: %s", lock_path, strerror(errno));
		return -1;
	}
	return lock;
}

ot_status ot_witness_cosign(ot_witness *w, const char *note, size_t len,
                            const ot_witness_state *expect, char **cosigned, size_t *clen,
                            size_t *line_len, ot_error *err)
{
	int lock = lock_dir(w, err);
	if (lock < 0)
		return OT_ERR_IO;
	if (!state_unchanged(w, expect)) {
		close(lock);
		return ot_error_set(err, OT_ERR_CONFLICT,
		                    "%s changed while this checkpoint was being checked (another "
		                    "witness process on the same directory); try again",
		                    w->state_path);
	}
	ot_note n;
	ot_status rc = open_note(w, note, len, &n, err);
	if (rc) {
		close(lock);
		return rc;
	}
	char line[OT_COSIG_LINE_MAX];
	size_t olen = 0;
	rc = ot_note_cosign(w->key, n.text, n.text_len, (uint64_t)time(NULL), line, sizeof line,
	                    line_len, err);
	char *out = rc ? NULL : kept_note(&n, line, *line_len, &olen);
	if (!rc && !out)
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	ot_note_clear(&n);
	if (!rc && (rc = ot_file_write(w->state_path, out, olen, 0644, 0, err)))
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

/* --- add-checkpoint --- */

__attribute__((format(printf, 4, 5))) static void answer(ot_witness_answer *ans, unsigned status,
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

/* A decimal without leading zeros that fits in 64 bits. */
static int parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s || (s[0] == '0' && s[1]))
		return 0;
	uint64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		uint64_t d = (uint64_t)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = v;
	return 1;
}

/* An add-checkpoint request, parsed: pointers into the body. */
typedef struct add_request {
	uint64_t old_size;
	uint8_t proof[PROOF_LINES_MAX][OT_HASH_SIZE];
	size_t n_proof;
	const char *note;
	size_t note_len;
} add_request;

/* "old <size>\n": 0, or -1 with a reason in why. */
static int parse_old_size(const char *b, size_t len, add_request *req, const char **rest, char *why,
                          size_t why_size)
{
	const char *nl = memchr(b, '\n', len);
	char digits[24];
	size_t dl = nl ? (size_t)(nl - b) : 0;
	if (!nl || dl < 5 || memcmp(b, "old ", 4) != 0 || dl - 4 >= sizeof digits) {
		snprintf(why, why_size, "the body must begin with \"old <size>\\n\"");
		return -1;
	}
	memcpy(digits, b + 4, dl - 4);
	digits[dl - 4] = 0;
	if (!parse_u64(digits, &req->old_size)) {
		snprintf(why, why_size,
		         "the old size is not a decimal number without leading zeros");
		return -1;
	}
	*rest = nl + 1;
	return 0;
}

/* The body (C2SP tlog-witness) into req. 0, or -1 with a reason in why. */
static int parse_body(const char *b, size_t len, add_request *req, char *why, size_t why_size)
{
	const char *end = b + len, *p = NULL, *nl;
	if (parse_old_size(b, len, req, &p, why, why_size))
		return -1;
	size_t n = 0;
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			snprintf(why, why_size,
			         "the proof lines are not followed by an empty line");
			return -1;
		}
		if (nl == p)
			break;
		size_t got = 0;
		if (n == PROOF_LINES_MAX) {
			snprintf(why, why_size, "more than %d consistency proof lines",
			         PROOF_LINES_MAX);
			return -1;
		}
		if (ot_b64_decode(p, (size_t)(nl - p), req->proof[n], OT_HASH_SIZE, &got) !=
		            OT_OK ||
		    got != OT_HASH_SIZE) {
			snprintf(why, why_size, "proof line %zu is not a base64 32-byte hash",
			         n + 1);
			return -1;
		}
		n++;
		p = nl + 1;
	}
	p = nl + 1;
	if (p == end) {
		snprintf(why, why_size, "no checkpoint after the empty line");
		return -1;
	}
	req->n_proof = n;
	req->note = p;
	req->note_len = (size_t)(end - p);
	return 0;
}

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

/* Origin (404), signature (403), the checkpoint's shape (400). 0: *cp is
 * the checkpoint; -1: answered. */
static int check_signed(const ot_witness *w, const add_request *req, const ot_witness_state *st,
                        ot_checkpoint *cp, ot_witness_answer *ans)
{
	ot_error err;
	ot_error_clear(&err);
	ot_checkpoint claimed;
	ot_status rc = ot_witness_open_checkpoint(w, req->note, req->note_len, cp, &err);
	if (rc == OT_ERR_VERIFY) {
		if (st->have && claimed_checkpoint(req->note, req->note_len, &claimed) == OT_OK &&
		    strcmp(claimed.origin, st->cp.origin) != 0)
			answer(ans, 404, TEXT, "unknown origin: this witness knows only \"%s\"",
			       st->cp.origin);
		else
			answer(ans, 403, TEXT, "no valid signature by the log's key: %s",
			       err.message);
		return -1;
	}
	if (rc) {
		answer(ans, 400, TEXT, "the checkpoint: %s", err.message);
		return -1;
	}
	if (st->have && strcmp(cp->origin, st->cp.origin) != 0) {
		answer(ans, 404, TEXT, "unknown origin: this witness knows only \"%s\"",
		       st->cp.origin);
		return -1;
	}
	return 0;
}

/* Old size (400, 409); then, all 422: a size-zero checkpoint whose root is
 * not the empty tree's, a proof with old 0, the same size with another
 * root, a proof that does not verify (C2SP tlog-witness as of 2026-07-06).
 * A validly signed checkpoint refused for those is evidence. 0: cosign. */
static int check_extends(ot_witness *w, const add_request *req, const ot_witness_state *st,
                         const ot_checkpoint *cp, ot_witness_answer *ans)
{
	if (req->old_size > cp->size) {
		answer(ans, 400, TEXT,
		       "old size %" PRIu64 " is larger than the checkpoint's %" PRIu64,
		       req->old_size, cp->size);
		return -1;
	}
	uint8_t empty[OT_HASH_SIZE];
	ot_empty_root(empty);
	ot_checkpoint old = st->cp;
	if (!st->have) {
		/* Never cosigned: the tree before is the empty one. */
		old = *cp;
		old.size = 0;
		memcpy(old.root, empty, OT_HASH_SIZE);
	}
	if (req->old_size != old.size) {
		answer(ans, 409, "text/x.tlog.size", "%" PRIu64 "\n", old.size);
		return -1;
	}
	ot_error err;
	ot_error_clear(&err);
	char why[700] = "";
	if (cp->size == 0 && memcmp(cp->root, empty, OT_HASH_SIZE) != 0)
		snprintf(why, sizeof why,
		         "a checkpoint of 0 entries must have the root of the empty tree");
	else if (old.size == 0 && req->n_proof)
		snprintf(why, sizeof why,
		         "with old 0 the consistency proof must be empty (the empty tree is a "
		         "prefix of any tree)");
	else if (cp->size == old.size && memcmp(cp->root, old.root, OT_HASH_SIZE) != 0)
		snprintf(why, sizeof why,
		         "the log signed two different trees of %" PRIu64 " entries", cp->size);
	else if (ot_witness_verify_consistency(&old, cp, (const uint8_t(*)[OT_HASH_SIZE])req->proof,
	                                       req->n_proof, &err))
		snprintf(why, sizeof why, "%s", err.message);
	if (!why[0])
		return 0;
	/* Signed by the log and not consistent: perhaps a fork, perhaps a bad
	 * proof; either way worth keeping when there is a tree to compare with. */
	ot_witness_refuse(w, NULL, why, st, req->note, req->note_len);
	answer(ans, 422, TEXT, "%s", why);
	return -1;
}

void ot_witness_add_checkpoint(ot_witness *w, const char *body, size_t len, ot_witness_answer *ans)
{
	ot_error err;
	ot_error_clear(&err);
	ot_witness_state st;
	ot_checkpoint cp;
	char why[160];
	char *cosigned = NULL;
	size_t clen = 0, line_len = 0;
	add_request *req = calloc(1, sizeof *req);
	memset(&st, 0, sizeof st);
	if (!req) {
		answer(ans, 500, TEXT, "out of memory");
		return;
	}
	if (parse_body(body, len, req, why, sizeof why)) {
		answer(ans, 400, TEXT, "%s", why);
		goto out;
	}
	if (ot_witness_load(w, &st, &err)) {
		say(w, "reading the state: %s", err.message);
		answer(ans, 500, TEXT, "the witness cannot read its state");
		goto out;
	}
	if (check_signed(w, req, &st, &cp, ans) || check_extends(w, req, &st, &cp, ans))
		goto out;
	ot_status rc = ot_witness_cosign(w, req->note, req->note_len, &st, &cosigned, &clen,
	                                 &line_len, &err);
	if (rc) {
		say(w, "cosigning: %s", err.message);
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
	ot_witness_state_clear(&st);
	free(req);
}

/* --- monitoring: GET <prefix>/<origin hash>/checkpoint --- */

ot_status ot_witness_latest(const ot_witness *w, const char *origin_hash, char **note, size_t *len,
                            ot_error *err)
{
	*note = NULL;
	*len = 0;
	ot_witness_state st;
	ot_status rc = ot_witness_load(w, &st, err);
	if (rc)
		return rc;
	uint8_t h[OT_HASH_SIZE];
	char hex[2 * OT_HASH_SIZE + 1] = "";
	if (st.have) {
		ot_sha256(st.cp.origin, strlen(st.cp.origin), h);
		ot_hex_encode(h, sizeof h, hex);
	}
	if (!st.have || !origin_hash || strcmp(origin_hash, hex) != 0) {
		ot_witness_state_clear(&st);
		return ot_error_set(err, OT_ERR_NOTFOUND,
		                    "this witness has cosigned no checkpoint of that log");
	}
	*note = st.note;
	*len = st.len;
	st.note = NULL;
	ot_witness_state_clear(&st);
	return OT_OK;
}
