/*
 * fuzz_note.c: signed notes, checkpoints and key strings from hostile bytes.
 * Whatever the input, the parsers must not crash, and what they accept must
 * be consistent: a note opened with a known key re-signs to the same text,
 * and a witness's cosignature (C2SP tlog-cosignature) appended to it is
 * counted; a parsed checkpoint formats back to a prefix of its text; a
 * cosigner key string formats back to a key with the same id.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/note.h"

#include "fuzz_keys.h"

static ot_signer *signer;
static ot_verifier *verifier;
static ot_cosig_verifier *cosigner; /* the same key as a witness */

static void setup(void)
{
	fuzz_keys(&signer, &verifier, &cosigner);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!signer)
		setup();
	const char *text = (const char *)data;

	ot_note n;
	ot_verifier *vl[1] = {verifier};
	if (ot_note_open(text, size, vl, 1, &n, NULL) == OT_OK) {
		/* Only a real signature by the key gets here: signing the same
		 * text again must reproduce a verifying note. */
		char *out = NULL;
		size_t len = 0;
		ot_signer *sl[1] = {signer};
		if (ot_note_sign(n.text, n.text_len, sl, 1, &out, &len, NULL) != OT_OK)
			__builtin_trap();
		ot_note again;
		if (ot_note_open(out, len, vl, 1, &again, NULL) != OT_OK)
			__builtin_trap();
		ot_note_clear(&again);
		/* Whatever cosignature lines the input carries, checking them
		 * must not crash; one made here must count. */
		ot_cosig_verifier *cl[1] = {cosigner};
		(void)ot_note_count_cosignatures(&n, cl, 1, NULL);
		char line[OT_COSIG_LINE_MAX];
		size_t line_len = 0;
		char *both = NULL;
		if (ot_note_cosign(signer, n.text, n.text_len, 1700000000, line, sizeof line,
		                   &line_len, NULL) != OT_OK ||
		    !(both = malloc(len + line_len)))
			__builtin_trap();
		memcpy(both, out, len);
		memcpy(both + len, line, line_len);
		if (ot_note_open(both, len + line_len, vl, 1, &again, NULL) != OT_OK ||
		    ot_note_count_cosignatures(&again, cl, 1, NULL) != 1)
			__builtin_trap();
		ot_note_clear(&again);
		free(both);
		free(out);
		ot_note_clear(&n);
	}

	ot_checkpoint cp;
	if (ot_checkpoint_parse(text, size, &cp, NULL) == OT_OK) {
		char buf[OT_ORIGIN_MAX + 128];
		size_t len = 0;
		if (ot_checkpoint_format(&cp, buf, sizeof buf, &len) == OT_OK &&
		    (len > size || memcmp(buf, text, len) != 0))
			__builtin_trap();
	}

	ot_verifier *v = NULL;
	if (ot_verifier_parse(text, size, &v, NULL) == OT_OK) {
		char buf[OT_VKEY_MAX];
		if (ot_verifier_format(v, buf, sizeof buf) != OT_OK)
			__builtin_trap();
		ot_verifier_free(v);
	}
	ot_cosig_verifier *cv = NULL;
	if (ot_cosig_verifier_parse(text, size, &cv, NULL) == OT_OK) {
		char buf[OT_VKEY_MAX];
		ot_cosig_verifier *back = NULL;
		if (ot_cosig_verifier_format(cv, buf, sizeof buf) != OT_OK ||
		    ot_cosig_verifier_parse(buf, strlen(buf), &back, NULL) != OT_OK ||
		    ot_cosig_verifier_key_id(back) != ot_cosig_verifier_key_id(cv))
			__builtin_trap();
		ot_cosig_verifier_free(back);
		ot_cosig_verifier_free(cv);
	}
	ot_signer *s = NULL;
	if (ot_signer_parse(text, size, &s, NULL) == OT_OK)
		ot_signer_free(s);
	return 0;
}
