/*
 * fuzz_witness_add.c: C2SP tlog-witness add-checkpoint bodies from hostile
 * bytes, through ot_witness_add_checkpoint (the parser and the rule the
 * HTTP endpoint calls). Each input is decided twice: by a witness that never
 * cosigned and by one whose state is a size-2 checkpoint of the log (so
 * that proofs are checked). Oracles: the status is one of those the
 * contract lists; a 200 answers with a cosignature line that verifies over
 * the body's checkpoint as the witness's key; and a 200 then keeps exactly
 * that checkpoint as the state.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oretrail/hash.h"
#include "oretrail/note.h"
#include "oretrail/witness.h"

#include "fuzz_keys.h"

static ot_signer *signer;
static ot_verifier *verifier;
static ot_cosig_verifier *cosigner;
static ot_witness *witness;
static char dir[] = "/tmp/fuzz_witness_add.XXXXXX";
static char state_path[sizeof dir + 16];
static char *state2; /* a signed checkpoint of size 2 */
static size_t state2_len;

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

/* The state directory and the evidence the refusals wrote go at exit. */
static void cleanup(void)
{
	nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
	fuzz_keys(&signer, &verifier, &cosigner);
	if (!mkdtemp(dir) || ot_witness_open(dir, verifier, signer, "fuzz", NULL, &witness, NULL))
		__builtin_trap();
	atexit(cleanup);
	snprintf(state_path, sizeof state_path, "%s/checkpoint", dir);
	/* The log of the seeds: leaves 0x00, 0x01, 0x02; its tree of two. */
	uint8_t l0[OT_HASH_SIZE], l1[OT_HASH_SIZE], root[OT_HASH_SIZE];
	uint8_t b0 = 0, b1 = 1;
	ot_leaf_hash(&b0, 1, l0);
	ot_leaf_hash(&b1, 1, l1);
	ot_node_hash(l0, l1, root);
	ot_checkpoint cp = {.size = 2};
	snprintf(cp.origin, sizeof cp.origin, "PeterNeumann");
	memcpy(cp.root, root, OT_HASH_SIZE);
	char text[OT_ORIGIN_MAX + 128];
	size_t tlen = 0;
	ot_signer *sl[1] = {signer};
	if (ot_checkpoint_format(&cp, text, sizeof text, &tlen) ||
	    ot_note_sign(text, tlen, sl, 1, &state2, &state2_len, NULL))
		__builtin_trap();
}

static void set_state(int size2)
{
	if (!size2) {
		unlink(state_path);
		return;
	}
	FILE *f = fopen(state_path, "wb");
	if (!f || fwrite(state2, 1, state2_len, f) != state2_len || fclose(f))
		__builtin_trap();
}

static void check(const char *body, size_t size, const ot_witness_answer *ans)
{
	switch (ans->status) {
	case 400:
	case 403:
	case 404:
	case 409:
	case 422: return;
	case 200: break;
	default: __builtin_trap(); /* 500/503 only when the disk or a rival fails */
	}
	/* The note follows the first empty line (after "old N" and the proof
	 * lines, none of them empty). */
	const char *note = NULL;
	for (size_t i = 0; i + 1 < size; i++)
		if (body[i] == '\n' && body[i + 1] == '\n') {
			note = body + i + 2;
			break;
		}
	if (!note)
		__builtin_trap();
	size_t note_len = size - (size_t)(note - body);
	char *both = malloc(note_len + ans->len);
	if (!both)
		__builtin_trap();
	memcpy(both, note, note_len);
	memcpy(both + note_len, ans->body, ans->len);
	ot_note n;
	ot_verifier *vl[1] = {verifier};
	ot_cosig_verifier *cl[1] = {cosigner};
	if (ot_note_open(both, note_len + ans->len, vl, 1, &n, NULL) != OT_OK ||
	    ot_note_count_cosignatures(&n, cl, 1, NULL) != 1)
		__builtin_trap();
	ot_note_clear(&n);
	free(both);
	ot_witness_state st;
	ot_checkpoint cp;
	if (ot_witness_load(witness, &st, NULL) != OT_OK || !st.have ||
	    ot_witness_open_checkpoint(witness, note, note_len, &cp, NULL) != OT_OK ||
	    st.cp.size != cp.size || memcmp(st.cp.root, cp.root, OT_HASH_SIZE) != 0)
		__builtin_trap();
	ot_witness_state_clear(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!witness)
		setup();
	if (size > OT_WITNESS_BODY_MAX)
		return 0; /* the endpoint answers 413 before parsing */
	const char *body = (const char *)data;
	ot_witness_answer *ans = malloc(sizeof *ans);
	if (!ans)
		__builtin_trap();
	for (int size2 = 0; size2 < 2; size2++) {
		set_state(size2);
		memset(ans, 0, sizeof *ans);
		ot_witness_add_checkpoint(witness, body, size, ans);
		check(body, size, ans);
	}
	free(ans);
	return 0;
}
