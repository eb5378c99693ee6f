/*
 * test_cosign.c: C2SP tlog-cosignature v1 (Ed25519, type 0x04) cosignatures
 * (src/log/cosign.c).
 *
 * Known answers, both public:
 *  - a cosignature by a Google witness on a checkpoint of Android's binary
 *    transparency log (1p/0, size 5), from the verification example of
 *    transparency-dev/formats' note.NewVerifierForCosignatureV1; its public
 *    key was published as PEM (the last 32 bytes of
 *    MCowBQYDK2VwAyEApTPPKyRu6Q3PoMkeY+/sNni0biF4vnVTYRHbVNA31mY=). The
 *    witness's real name is not published and the v1 message does not
 *    commit to it, so the key is named "witness" here and the line's key id
 *    is set to match; the vkeys were made with Python's hashlib:
 *      SHA-256("witness\n" || 0x04 || pk)[:4] = f7e268b3
 *      SHA-256("witness\n" || 0x01 || pk)[:4] = a79a5e94
 *  - the native cosigner vkey "remora.n621.de+da77ade7+BOvN..." of
 *    transparency-dev/formats' TestCoSigV1NewVerifier (key id check).
 * Then round trips, tampering, and ot_note_open keeping cosignature lines.
 */
#include <stdlib.h>
#include <string.h>

#include "oretrail/encoding.h"
#include "oretrail/note.h"
#include "test.h"

static const char GOOGLE_VKEY4[] = "witness+f7e268b3+BKUzzyskbukNz6DJHmPv7DZ4tG4heL51U2ER21TQN9Zm";
static const char GOOGLE_VKEY1[] = "witness+a79a5e94+AaUzzyskbukNz6DJHmPv7DZ4tG4heL51U2ER21TQN9Zm";
static const char GOOGLE_TEXT[] = "developers.google.com/android/binary_transparency/google1p/0\n"
				  "5\n"
				  "xqaCEZhTGZUuKNA7MpSyxe1WXiiESB2p+crAyzM+Vxo=\n";
static const char GOOGLE_SIG[] = "r0xBJQAAAABnkyoLuHgN5KlIUUpZV9hulwsFcgqV5v1CyeIhBZWdkfOJT0ims1Lq"
				 "bYygO5MEl91CGha5sP79K57P7lIGrz7Qtx8eBw==";
static const char REMORA[] = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2";

static void known_answers(void)
{
	ot_error err;
	ot_cosig_verifier *v4 = NULL, *v1 = NULL, *remora = NULL;
	CHECK_OK(ot_cosig_verifier_parse(GOOGLE_VKEY4, strlen(GOOGLE_VKEY4), &v4, &err));
	CHECK_OK(ot_cosig_verifier_parse(GOOGLE_VKEY1, strlen(GOOGLE_VKEY1), &v1, &err));
	CHECK_OK(ot_cosig_verifier_parse(REMORA, strlen(REMORA), &remora, &err));
	if (!v4 || !v1 || !remora)
		goto out;
	CHECK(ot_cosig_verifier_key_id(v4) == 0xf7e268b3);
	CHECK(ot_cosig_verifier_key_id(v1) == 0xf7e268b3); /* converted to type 0x04 */
	CHECK(ot_cosig_verifier_key_id(remora) == 0xda77ade7);
	char buf[OT_VKEY_MAX];
	CHECK_OK(ot_cosig_verifier_format(v1, buf, sizeof buf));
	CHECK_STR(buf, GOOGLE_VKEY4);
	CHECK_OK(ot_cosig_verifier_format(remora, buf, sizeof buf));
	CHECK_STR(buf, REMORA);

	uint8_t raw[128];
	size_t rawlen = 0;
	CHECK_OK(ot_b64_decode(GOOGLE_SIG, strlen(GOOGLE_SIG), raw, sizeof raw, &rawlen));
	CHECK(rawlen == 76);
	ot_note_sig sig;
	memset(&sig, 0, sizeof sig);
	strcpy(sig.name, "witness");
	sig.key_id = 0xf7e268b3;
	sig.sig_len = rawlen - 4;
	memcpy(sig.sig, raw + 4, sig.sig_len);
	uint64_t ts = 0;
	CHECK_OK(ot_cosignature_verify(v4, GOOGLE_TEXT, strlen(GOOGLE_TEXT), &sig, &ts));
	CHECK(ts == 1737697803);
	/* Another text, another time, another key, another name. */
	CHECK_RC(ot_cosignature_verify(v4, GOOGLE_TEXT, strlen(GOOGLE_TEXT) - 2, &sig, NULL),
	         OT_ERR_VERIFY);
	sig.sig[7] ^= 1;
	CHECK_RC(ot_cosignature_verify(v4, GOOGLE_TEXT, strlen(GOOGLE_TEXT), &sig, NULL),
	         OT_ERR_VERIFY);
	sig.sig[7] ^= 1;
	CHECK_RC(ot_cosignature_verify(remora, GOOGLE_TEXT, strlen(GOOGLE_TEXT), &sig, NULL),
	         OT_ERR_NOTFOUND);
	strcpy(sig.name, "witnesz");
	CHECK_RC(ot_cosignature_verify(v4, GOOGLE_TEXT, strlen(GOOGLE_TEXT), &sig, NULL),
	         OT_ERR_NOTFOUND);

	/* Malformed keys. */
	ot_cosig_verifier *bad = NULL;
	static const char *const BAD[] = {
		"witness+f7e268b4+BKUzzyskbukNz6DJHmPv7DZ4tG4heL51U2ER21TQN9Zm",  /* id */
		"witness+f7e268b3+AqUzzyskbukNz6DJHmPv7DZ4tG4heL51U2ER21TQN9Zm",  /* type 2 */
		"wit ness+f7e268b3+BKUzzyskbukNz6DJHmPv7DZ4tG4heL51U2ER21TQN9Zm", /* name */
		"witness+f7e268b3+BKUzzysk",                                      /* short */
		"witness",
		"",
	};
	for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
		CHECK(ot_cosig_verifier_parse(BAD[i], strlen(BAD[i]), &bad, &err) != OT_OK);
		ot_cosig_verifier_free(bad);
		bad = NULL;
	}
out:
	ot_cosig_verifier_free(v4);
	ot_cosig_verifier_free(v1);
	ot_cosig_verifier_free(remora);
}

static void round_trip(void)
{
	ot_error err;
	ot_signer *log = NULL, *w = NULL;
	ot_verifier *log_v = NULL;
	ot_cosig_verifier *wv = NULL, *wv2 = NULL;
	char *note = NULL;
	size_t note_len = 0;
	CHECK_OK(ot_signer_generate("log.example/a", &log, &err));
	CHECK_OK(ot_signer_generate("witness.example/w1", &w, &err));
	if (!log || !w)
		goto out;
	char vkey[OT_VKEY_MAX];
	CHECK_OK(ot_signer_vkey(log, vkey, sizeof vkey));
	CHECK_OK(ot_verifier_parse(vkey, strlen(vkey), &log_v, &err));
	CHECK_OK(ot_cosig_verifier_from_signer(w, &wv, &err));
	/* The witness's plain vkey converts to the same cosigner key. */
	CHECK_OK(ot_signer_vkey(w, vkey, sizeof vkey));
	CHECK_OK(ot_cosig_verifier_parse(vkey, strlen(vkey), &wv2, &err));
	if (!log_v || !wv || !wv2)
		goto out;
	CHECK(ot_cosig_verifier_key_id(wv) == ot_signer_cosig_key_id(w));
	CHECK(ot_cosig_verifier_key_id(wv2) == ot_signer_cosig_key_id(w));
	CHECK(ot_signer_cosig_key_id(w) != ot_signer_key_id(w));

	static const char TEXT[] =
		"log.example/a\n7\nuT0yI30z58yXWTdtB4zW5t3KJk3OB7rfnCy/9kPzIEs=\n";
	ot_signer *signers[1] = {log};
	CHECK_OK(ot_note_sign(TEXT, strlen(TEXT), signers, 1, &note, &note_len, &err));
	char line[OT_COSIG_LINE_MAX];
	size_t line_len = 0;
	CHECK_OK(ot_note_cosign(w, TEXT, strlen(TEXT), 1700000000, line, sizeof line, &line_len,
	                        &err));
	static const char PREFIX[] = "\xe2\x80\x94 witness.example/w1 ";
	CHECK(strncmp(line, PREFIX, sizeof PREFIX - 1) == 0);
	CHECK(line[line_len - 1] == '\n');
	char *cosigned = malloc(note_len + line_len + 1);
	if (!cosigned || !note)
		goto out;
	memcpy(cosigned, note, note_len);
	memcpy(cosigned + note_len, line, line_len + 1);

	/* The log's verifier opens it and keeps the cosignature line. */
	ot_note n;
	ot_verifier *keys[1] = {log_v};
	CHECK_OK(ot_note_open(cosigned, note_len + line_len, keys, 1, &n, &err));
	CHECK(n.n_sigs == 2);
	if (n.n_sigs == 2) {
		uint64_t ts = 0;
		CHECK_OK(ot_cosignature_verify(wv, n.text, n.text_len, &n.sigs[1], &ts));
		CHECK(ts == 1700000000);
		CHECK_RC(ot_cosignature_verify(wv, n.text, n.text_len, &n.sigs[0], NULL),
		         OT_ERR_NOTFOUND);
		ot_cosig_verifier *ws[3] = {wv, wv2, wv};
		long first_bad = 0;
		CHECK(ot_note_count_cosignatures(&n, ws, 3, &first_bad) == 1);
		CHECK(first_bad == -1);
		/* A cosignature is no ordinary signature: the witness's plain
		 * verifier does not see its line. */
		n.sigs[1].sig[20] ^= 0x80;
		CHECK(ot_note_count_cosignatures(&n, ws, 1, &first_bad) == 0);
		CHECK(first_bad == 0);
	}
	ot_note_clear(&n);
	/* Over another text it does not verify. */
	static const char OTHER[] =
		"log.example/a\n7\nuT0yI30z58yXWTdtB4zW5t3KJk3OB7rfnCy/9kPzIEt=\n";
	free(note);
	note = NULL;
	CHECK_OK(ot_note_sign(OTHER, strlen(OTHER), signers, 1, &note, &note_len, &err));
	char *forged = malloc(note_len + line_len + 1);
	if (forged && note) {
		memcpy(forged, note, note_len);
		memcpy(forged + note_len, line, line_len + 1);
		CHECK_OK(ot_note_open(forged, note_len + line_len, keys, 1, &n, &err));
		ot_cosig_verifier *ws[1] = {wv};
		CHECK(ot_note_count_cosignatures(&n, ws, 1, NULL) == 0);
		ot_note_clear(&n);
	}
	free(forged);
	/* Bad input. */
	CHECK(ot_note_cosign(w, "no newline", 10, 1, line, sizeof line, NULL, &err) != OT_OK);
	CHECK(ot_note_cosign(w, TEXT, strlen(TEXT), (uint64_t)1 << 63, line, sizeof line, NULL,
	                     &err) != OT_OK);
	CHECK(ot_note_cosign(w, TEXT, strlen(TEXT), 1, line, 10, NULL, &err) != OT_OK);
	free(cosigned);
out:
	free(note);
	ot_cosig_verifier_free(wv);
	ot_cosig_verifier_free(wv2);
	ot_verifier_free(log_v);
	ot_signer_free(log);
	ot_signer_free(w);
}

int main(void)
{
	known_answers();
	round_trip();
	return test_done("test_cosign");
}
