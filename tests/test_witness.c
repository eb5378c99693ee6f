/*
 * test_witness.c: the witness library (include/oretrail/witness.h,
 * src/log/witness.c) without the network: C2SP tlog-witness (as revised
 * on 2026-07-06) add-checkpoint answers in the spec's order (400, 409 with
 * the size; 422 for a size-zero checkpoint whose root is not the empty
 * tree's, a proof with old 0, two trees of one size, with evidence kept
 * when there is a cosigned tree), the state it keeps, and the monitoring
 * request (ot_witness_latest: the kept note by origin hash, else
 * not found).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/encoding.h"
#include "oretrail/note.h"
#include "oretrail/witness.h"
#include "test.h"

#define ORIGIN "example.org/log"

/* A checkpoint note of `size` entries with `root` (NULL: the empty tree's)
 * or a root of byte `fill`, signed. */
static char *signed_root(ot_signer *log, uint64_t size, const uint8_t *root, uint8_t fill,
                         size_t *len)
{
	ot_checkpoint cp;
	memset(&cp, 0, sizeof cp);
	strcpy(cp.origin, ORIGIN);
	cp.size = size;
	if (root)
		memcpy(cp.root, root, sizeof cp.root);
	else
		memset(cp.root, fill, sizeof cp.root);
	char text[512];
	size_t tl = 0;
	char *note = NULL;
	if (ot_checkpoint_format(&cp, text, sizeof text, &tl) != OT_OK ||
	    ot_note_sign(text, tl, &log, 1, &note, len, NULL) != OT_OK)
		return NULL;
	return note;
}

static char *signed_checkpoint(ot_signer *log, uint64_t size, uint8_t fill, size_t *len)
{
	return signed_root(log, size, NULL, fill, len);
}

/* "old <size>\n" || proof lines || "\n" || note, malloc'ed. */
static char *request_proof(uint64_t old, const char *proof, const char *note, size_t len,
                           size_t *out_len)
{
	size_t pl = strlen(proof);
	char *b = malloc(len + pl + 64);
	int n = snprintf(b, 64, "old %llu\n", (unsigned long long)old);
	memcpy(b + n, proof, pl);
	b[(size_t)n + pl] = '\n';
	memcpy(b + (size_t)n + pl + 1, note, len);
	*out_len = (size_t)n + pl + 1 + len;
	return b;
}

static char *request(uint64_t old, const char *note, size_t len, size_t *out_len)
{
	return request_proof(old, "", note, len, out_len);
}

/* One request to w; its status. */
static unsigned add(ot_witness *w, uint64_t old, const char *proof, const char *note, size_t len,
                    ot_witness_answer *ans)
{
	size_t blen = 0;
	char *body = request_proof(old, proof, note, len, &blen);
	ot_witness_add_checkpoint(w, body, blen, ans);
	free(body);
	return ans->status;
}

static int count_evidence(const char *dir)
{
	int n = 0;
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));)
		n += strncmp(e->d_name, "fork-", 5) == 0;
	if (d)
		closedir(d);
	return n;
}

/* A well-formed proof line (its hash is no real node). */
#define PROOF_LINE "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"

/* rm -rf dir; 1 when done. */
static int remove_dir(const char *dir)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0;
}

/* A proof body of `n` copies of PROOF_LINE, malloc'ed. */
static char *proof_lines(size_t n)
{
	char *p = malloc(n * strlen(PROOF_LINE) + 1);
	p[0] = 0;
	for (size_t i = 0; i < n; i++)
		strcat(p, PROOF_LINE);
	return p;
}

/* The cosignature answered in ans verifies as `key`'s over `note`'s text
 * (start 0, end the size: tlog-cosignature v1 signs the whole tree) with a
 * timestamp that is not zero, after the log's signature. */
static int answer_cosigns(const ot_witness_answer *ans, ot_verifier *log_v, const ot_signer *key,
                          const char *note, size_t len)
{
	ot_cosig_verifier *v = NULL;
	ot_note n;
	uint64_t ts = 0;
	char *whole = malloc(len + ans->len);
	memcpy(whole, note, len);
	memcpy(whole + len, ans->body, ans->len);
	int good = ans->len > 0 && ans->body[ans->len - 1] == '\n' &&
	           ot_cosig_verifier_from_signer(key, &v, NULL) == OT_OK &&
	           ot_note_open(whole, len + ans->len, &log_v, 1, &n, NULL) == OT_OK;
	if (good) {
		good = n.n_sigs == 2 &&
		       ot_cosignature_verify(v, n.text, n.text_len, &n.sigs[1], &ts) == OT_OK &&
		       ts > 0;
		ot_note_clear(&n);
	}
	ot_cosig_verifier_free(v);
	free(whole);
	return good;
}

int main(void)
{
	ot_error err;
	char dir[] = "/tmp/ot_witness_XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	ot_signer *log = NULL, *key = NULL;
	ot_verifier *log_v = NULL;
	ot_witness *w = NULL;
	char vkey[OT_VKEY_MAX];
	CHECK_OK(ot_signer_generate("example.org/log", &log, &err));
	CHECK_OK(ot_signer_generate("witness.example", &key, &err));
	CHECK_OK(ot_signer_vkey(log, vkey, sizeof vkey));
	CHECK_OK(ot_verifier_parse(vkey, strlen(vkey), &log_v, &err));
	CHECK_OK(ot_witness_open(dir, log_v, key, "the test", NULL, &w, &err));
	if (!w)
		return test_done("test_witness");

	ot_witness_answer ans;
	ot_witness_add_checkpoint(w, "nonsense", 8, &ans);
	CHECK(ans.status == 400);

	size_t len = 0, blen = 0;
	char *note = signed_checkpoint(log, 3, 0xab, &len);
	char *body = request(0, note, len, &blen);
	ot_witness_add_checkpoint(w, body, blen, &ans);
	CHECK(ans.status == 200);
	CHECK(ans.len > 4 && memcmp(ans.body, "\xe2\x80\x94 witness.example ", 20) == 0);

	ot_witness_state st;
	CHECK_OK(ot_witness_load(w, &st, &err));
	CHECK(st.have && st.cp.size == 3);
	CHECK(ot_witness_cosigned_by_self(w, st.note, st.len));
	ot_witness_state_clear(&st);

	/* The witness is at 3 now: old 0 is answered with its size. */
	ot_witness_add_checkpoint(w, body, blen, &ans);
	CHECK(ans.status == 409);
	CHECK_STR(ans.type, "text/x.tlog.size");
	CHECK_STR(ans.body, "3\n");
	free(body);

	/* Another tree of the same size: 422 (409 before the 2026-07-06
	 * revision), and the evidence kept. */
	char *other = signed_checkpoint(log, 3, 0xcd, &len);
	body = request(3, other, len, &blen);
	ot_witness_add_checkpoint(w, body, blen, &ans);
	CHECK(ans.status == 422);
	CHECK_STR(ans.type, "text/plain; charset=utf-8");
	CHECK(strstr(ans.body, "two different trees") != NULL);
	CHECK(count_evidence(dir) == 1);
	free(body);
	free(other);
	/* The same tree again with a proof: the proof from 3 to 3 is empty. */
	size_t nlen = 0;
	free(note);
	note = signed_checkpoint(log, 3, 0xab, &nlen);
	CHECK(add(w, 3, PROOF_LINE, note, nlen, &ans) == 422);
	/* ... and without one it is cosigned again. */
	CHECK(add(w, 3, "", note, nlen, &ans) == 200);
	free(note);

	/* Monitoring: the kept note by the hash of its origin. */
	uint8_t h[OT_HASH_SIZE];
	char hex[2 * OT_HASH_SIZE + 1];
	ot_sha256(ORIGIN, strlen(ORIGIN), h);
	ot_hex_encode(h, sizeof h, hex);
	char *kept = NULL;
	size_t klen = 0;
	CHECK_OK(ot_witness_latest(w, hex, &kept, &klen, &err));
	CHECK_OK(ot_witness_load(w, &st, &err));
	CHECK(kept && klen == st.len && memcmp(kept, st.note, klen) == 0);
	CHECK(kept && strncmp(kept, ORIGIN "\n3\n", strlen(ORIGIN) + 3) == 0);
	CHECK(kept && ot_witness_cosigned_by_self(w, kept, klen));
	ot_witness_state_clear(&st);
	free(kept);
	/* Another origin, and the same hash in capitals: not found. */
	char upper[sizeof hex];
	for (size_t i = 0; i < sizeof hex; i++)
		upper[i] = hex[i] >= 'a' && hex[i] <= 'f' ? (char)(hex[i] - 'a' + 'A') : hex[i];
	ot_sha256("example.org/other", 17, h);
	ot_hex_encode(h, sizeof h, hex);
	CHECK(ot_witness_latest(w, hex, &kept, &klen, &err) == OT_ERR_NOTFOUND && !kept);
	CHECK(ot_witness_latest(w, upper, &kept, &klen, &err) == OT_ERR_NOTFOUND && !kept);
	ot_witness_free(w);
	w = NULL;

	/* A fresh witness: nothing to monitor; size zero must have the empty
	 * tree's root; old 0 takes no proof. */
	char dir0[] = "/tmp/ot_witness0_XXXXXX";
	CHECK(mkdtemp(dir0) != NULL);
	CHECK_OK(ot_witness_open(dir0, log_v, key, "the test", NULL, &w, &err));
	if (!w)
		return test_done("test_witness");
	ot_sha256(ORIGIN, strlen(ORIGIN), h);
	ot_hex_encode(h, sizeof h, hex);
	CHECK(ot_witness_latest(w, hex, &kept, &klen, &err) == OT_ERR_NOTFOUND);
	uint8_t empty[OT_HASH_SIZE];
	ot_empty_root(empty);
	char *zero_bad = signed_checkpoint(log, 0, 0xab, &len);
	CHECK(add(w, 0, "", zero_bad, len, &ans) == 422);
	CHECK(strstr(ans.body, "root of the empty tree") != NULL);
	CHECK_OK(ot_witness_load(w, &st, &err));
	CHECK(!st.have); /* refused: nothing kept, no tree to compare with */
	ot_witness_state_clear(&st);
	CHECK(count_evidence(dir0) == 0);
	size_t zlen = 0;
	char *zero = signed_root(log, 0, empty, 0, &zlen);
	CHECK(add(w, 0, PROOF_LINE, zero, zlen, &ans) == 422);
	CHECK(strstr(ans.body, "proof must be empty") != NULL);
	CHECK(add(w, 0, "", zero, zlen, &ans) == 200);
	CHECK_OK(ot_witness_latest(w, hex, &kept, &klen, &err));
	free(kept);
	/* At size 0 now: the bad empty tree is refused with evidence. */
	CHECK(add(w, 0, "", zero_bad, len, &ans) == 422);
	CHECK(count_evidence(dir0) == 1);
	/* Growth from 0 with a proof: 422, not cosigned. */
	char *three = signed_checkpoint(log, 3, 0xab, &len);
	CHECK(add(w, 0, PROOF_LINE, three, len, &ans) == 422);
	CHECK(strstr(ans.body, "proof must be empty") != NULL);
	CHECK(add(w, 0, "", three, len, &ans) == 200);
	free(three);
	free(zero);
	free(zero_bad);
	CHECK(remove_dir(dir0));
	ot_witness_free(w);

	/* The rest of the text, on a fresh witness. */
	char dir1[] = "/tmp/ot_witness1_XXXXXX";
	CHECK(mkdtemp(dir1) != NULL);
	CHECK_OK(ot_witness_open(dir1, log_v, key, "the test", NULL, &w, &err));
	if (!w)
		return test_done("test_witness");
	/* A real tree of 2 then 3 leaves: RFC 6962's proof from 2 to 3 is the
	 * third leaf's hash. */
	uint8_t leaf[3][OT_HASH_SIZE], root2[OT_HASH_SIZE], root3[OT_HASH_SIZE];
	for (int i = 0; i < 3; i++)
		ot_leaf_hash(&i, sizeof i, leaf[i]);
	ot_node_hash(leaf[0], leaf[1], root2);
	ot_node_hash(root2, leaf[2], root3);
	char line[64], *good_proof, *bad_proof;
	ot_b64_encode(leaf[2], OT_HASH_SIZE, line);
	good_proof = malloc(strlen(line) + 2);
	sprintf(good_proof, "%s\n", line);
	leaf[2][0] ^= 1;
	ot_b64_encode(leaf[2], OT_HASH_SIZE, line);
	bad_proof = malloc(strlen(line) + 2);
	sprintf(bad_proof, "%s\n", line);
	size_t l2 = 0, l3 = 0;
	char *two = signed_root(log, 2, root2, 0, &l2),
	     *three3 = signed_root(log, 3, root3, 0, &l3);
	/* 200: the answer is cosignature lines, each "— " ... "\n", a
	 * cosignature of the whole tree with a timestamp. */
	CHECK(add(w, 0, "", two, l2, &ans) == 200);
	CHECK(answer_cosigns(&ans, log_v, key, two, l2));
	/* Old larger than the checkpoint: 400, before the 409 of a wrong old. */
	CHECK(add(w, 3, "", two, l2, &ans) == 400);
	CHECK(strstr(ans.body, "larger than the checkpoint") != NULL);
	/* The body's shape: 400 for each of these. */
	const char *shapes[] = {"old 02\n\n", "old 2\n",    "old -2\n\n",
	                        "old 2 \n\n", "old\t2\n\n", "old 2\nnot base64\n\n",
	                        "2\n\n"};
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		size_t sl = strlen(shapes[i]);
		char *b = malloc(sl + l3);
		memcpy(b, shapes[i], sl);
		memcpy(b + sl, three3, l3);
		ot_witness_add_checkpoint(w, b, sl + l3, &ans);
		CHECK(ans.status == 400);
		free(b);
	}
	/* At most 63 proof lines: 63 are read (and do not verify: 422), 64 are
	 * a malformed body (400). */
	char *p63 = proof_lines(63), *p64 = proof_lines(64);
	CHECK(add(w, 2, p63, three3, l3, &ans) == 422);
	CHECK(add(w, 2, p64, three3, l3, &ans) == 400);
	CHECK(strstr(ans.body, "more than 63") != NULL);
	free(p63);
	free(p64);
	/* A proof that does not verify: 422, evidence kept, state unchanged. */
	int before = count_evidence(dir1);
	CHECK(add(w, 2, bad_proof, three3, l3, &ans) == 422);
	CHECK(count_evidence(dir1) == before + 1);
	CHECK_OK(ot_witness_load(w, &st, &err));
	CHECK(st.have && st.cp.size == 2);
	ot_witness_state_clear(&st);
	/* A checkpoint of another origin, signed by its own key: 404. */
	ot_signer *stranger = NULL;
	CHECK_OK(ot_signer_generate("example.org/other", &stranger, &err));
	ot_checkpoint ocp;
	memset(&ocp, 0, sizeof ocp);
	strcpy(ocp.origin, "example.org/other");
	ocp.size = 3;
	memcpy(ocp.root, root3, sizeof ocp.root);
	char otext[512], *onote = NULL;
	size_t otl = 0, onl = 0;
	CHECK_OK(ot_checkpoint_format(&ocp, otext, sizeof otext, &otl));
	CHECK_OK(ot_note_sign(otext, otl, &stranger, 1, &onote, &onl, &err));
	CHECK(add(w, 2, good_proof, onote, onl, &ans) == 404);
	free(onote);
	/* This origin signed only by another key: 403. */
	ot_signer *impostor = NULL;
	CHECK_OK(ot_signer_generate("example.org/log", &impostor, &err));
	size_t tl3 = (size_t)(strstr(three3, "\n\n") - three3) + 1;
	CHECK_OK(ot_note_sign(three3, tl3, &impostor, 1, &onote, &onl, &err));
	CHECK(add(w, 2, good_proof, onote, onl, &ans) == 403);
	free(onote);
	/* The log's valid signature plus a line of the log's key name and id
	 * whose signature does not verify: the note is malformed, 403. */
	char *dup = malloc(2 * l3);
	memcpy(dup, three3, l3);
	const char *sig = three3 + tl3 + 1;
	size_t sl = l3 - tl3 - 1;
	memcpy(dup + l3, sig, sl);
	/* A character well inside the signature: every one of its six bits is
	 * data (the last one before '=' has padding bits a decoder may ignore,
	 * which made this check pass or fail with the random key). */
	dup[l3 + sl - 10] = dup[l3 + sl - 10] == 'A' ? 'B' : 'A';
	CHECK(add(w, 2, good_proof, dup, l3 + sl, &ans) == 403);
	free(dup);
	CHECK_OK(ot_witness_load(w, &st, &err));
	CHECK(st.have && st.cp.size == 2);
	ot_witness_state_clear(&st);
	/* The right proof: 200, and the monitoring path serves 3 with the
	 * log's signature and this cosignature. */
	CHECK(add(w, 2, good_proof, three3, l3, &ans) == 200);
	CHECK(answer_cosigns(&ans, log_v, key, three3, l3));
	ot_sha256(ORIGIN, strlen(ORIGIN), h);
	ot_hex_encode(h, sizeof h, hex);
	CHECK_OK(ot_witness_latest(w, hex, &kept, &klen, &err));
	CHECK(kept && klen > l3 && memcmp(kept, three3, l3) == 0);
	CHECK(kept && ot_witness_cosigned_by_self(w, kept, klen));
	free(kept);
	ot_signer_free(stranger);
	ot_signer_free(impostor);
	free(two);
	free(three3);
	free(good_proof);
	free(bad_proof);
	CHECK(remove_dir(dir1));

	ot_witness_free(w);
	ot_verifier_free(log_v);
	ot_signer_free(log);
	ot_signer_free(key);
	CHECK(remove_dir(dir));
	return test_done("test_witness");
}
