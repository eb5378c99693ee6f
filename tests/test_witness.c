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

	char cmd[128];
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
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir0);
	CHECK(system(cmd) == 0);

	ot_witness_free(w);
	ot_verifier_free(log_v);
	ot_signer_free(log);
	ot_signer_free(key);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	return test_done("test_witness");
}
