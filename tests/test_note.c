/*
 * test_note.c: signed notes and keys against the known answers published in
 * Go's golang.org/x/mod/sumdb/note documentation (the PeterNeumann key and
 * note), plus round trips and every kind of malformed input.
 */
#include <stdlib.h>
#include <string.h>

#include "oretrail/note.h"
#include "test.h"

static const char SKEY[] =
	"PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char VKEY[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char TEXT[] = "If you think cryptography is the answer to your problem,\n"
			   "then you don't know what your problem is.\n";
static const char SIGNED[] =
	"If you think cryptography is the answer to your problem,\n"
	"then you don't know what your problem is.\n"
	"\n"
	"\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/"
	"SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

static void known_answers(void)
{
	ot_signer *s = NULL;
	ot_verifier *v = NULL;
	ot_error err;
	CHECK_OK(ot_signer_parse(SKEY, strlen(SKEY), &s, &err));
	CHECK_OK(ot_verifier_parse(VKEY, strlen(VKEY), &v, &err));
	if (!s || !v)
		return;
	CHECK(ot_signer_key_id(s) == 0xc74f20a3);
	CHECK(ot_verifier_key_id(v) == 0xc74f20a3);
	char buf[OT_SKEY_MAX];
	CHECK_OK(ot_signer_vkey(s, buf, sizeof buf));
	CHECK_STR(buf, VKEY);
	CHECK_OK(ot_signer_format(s, buf, sizeof buf));
	CHECK_STR(buf, SKEY);
	CHECK_OK(ot_verifier_format(v, buf, sizeof buf));
	CHECK_STR(buf, VKEY);

	/* Ed25519 is deterministic: our signature must be Go's, byte for byte. */
	char *out = NULL;
	size_t len = 0;
	ot_signer *list[1] = {s};
	CHECK_OK(ot_note_sign(TEXT, strlen(TEXT), list, 1, &out, &len, &err));
	CHECK(out && len == strlen(SIGNED) && memcmp(out, SIGNED, len) == 0);
	free(out);

	ot_note n;
	ot_verifier *vl[1] = {v};
	CHECK_OK(ot_note_open(SIGNED, strlen(SIGNED), vl, 1, &n, &err));
	CHECK(n.text_len == strlen(TEXT) && memcmp(n.text, TEXT, n.text_len) == 0);
	CHECK(n.n_sigs == 1 && n.sigs[0].verified && n.sigs[0].key_id == 0xc74f20a3);
	ot_note_clear(&n);

	/* No known key: refused. */
	CHECK_RC(ot_note_open(SIGNED, strlen(SIGNED), NULL, 0, &n, &err), OT_ERR_VERIFY);

	/* Any change to the text breaks the signature. */
	char *bad = strdup(SIGNED);
	bad[3] ^= 0x20;
	CHECK_RC(ot_note_open(bad, strlen(bad), vl, 1, &n, &err), OT_ERR_VERIFY);
	free(bad);

	ot_signer_free(s);
	ot_verifier_free(v);
}

static void bad_keys(void)
{
	ot_verifier *v = NULL;
	ot_signer *s = NULL;
	ot_error err;
	/* From Go's note_test.go badKey list and our own. */
	const char *bad_v[] = {
		"PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
		"PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", /* wrong id */
		"PeterNeumann+c74f20a3",
		"Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
		"",
		SKEY,
	};
	for (size_t i = 0; i < sizeof bad_v / sizeof bad_v[0]; i++) {
		ot_error_clear(&err);
		CHECK_RC(ot_verifier_parse(bad_v[i], strlen(bad_v[i]), &v, &err), OT_ERR_KEY);
		CHECK(err.message[0] != 0);
	}
	const char *bad_s[] = {
		VKEY,
		"PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
		"PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDF",
		"PRIVATE+KEY+PeterNeumann+c74f20a3",
	};
	for (size_t i = 0; i < sizeof bad_s / sizeof bad_s[0]; i++)
		CHECK_RC(ot_signer_parse(bad_s[i], strlen(bad_s[i]), &s, &err), OT_ERR_KEY);
	CHECK_RC(ot_signer_generate("bad name", &s, &err), OT_ERR_KEY);
	CHECK_RC(ot_signer_generate("a+b", &s, &err), OT_ERR_KEY);
}

static void malformed_notes(void)
{
	ot_verifier *v = NULL;
	ot_error err;
	CHECK_OK(ot_verifier_parse(VKEY, strlen(VKEY), &v, &err));
	ot_verifier *vl[1] = {v};
	ot_note n;
	const char *bad[] = {
		"",
		"no signature block\n",
		"text\n\n",
		"text\n\nnot a signature line\n",
		"text\n\n\xe2\x80\x94 PeterNeumann\n",
		"text\n\n\xe2\x80\x94 PeterNeumann !!!!\n",
		"text\n\n\xe2\x80\x94 PeterNeumann AAAA\n", /* too short */
		"te\x01xt\n\n\xe2\x80\x94 PeterNeumann x08go/ZJ\n",
		"te\xffxt\n\n\xe2\x80\x94 PeterNeumann x08go/ZJ\n",
		"text\n\n\xe2\x80\x94 PeterNeumann "
		"x08go/ZJkuBS9UG/"
		"SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnA"
		"M=", /* no final newline */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ot_status rc = ot_note_open(bad[i], strlen(bad[i]), vl, 1, &n, &err);
		CHECK(rc == OT_ERR_PARSE || rc == OT_ERR_VERIFY);
		if (rc == OT_OK)
			ot_note_clear(&n);
	}
	/* A signature by the known key's name but another id is "unknown". */
	const char *other = "If you think cryptography is the answer to your problem,\n"
			    "then you don't know what your problem is.\n\n"
			    "\xe2\x80\x94 PeterNeumann "
			    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
			    "AAAAAAAAAAAAAAAAA=\n";
	CHECK_RC(ot_note_open(other, strlen(other), vl, 1, &n, &err), OT_ERR_VERIFY);
	ot_verifier_free(v);
}

static void round_trip(void)
{
	ot_signer *a = NULL, *b = NULL;
	ot_error err;
	CHECK_OK(ot_signer_generate("log.example/a", &a, &err));
	CHECK_OK(ot_signer_generate("witness.example/b", &b, &err));
	char va[OT_VKEY_MAX], vb[OT_VKEY_MAX];
	CHECK_OK(ot_signer_vkey(a, va, sizeof va));
	CHECK_OK(ot_signer_vkey(b, vb, sizeof vb));
	ot_verifier *pa = NULL, *pb = NULL;
	CHECK_OK(ot_verifier_parse(va, strlen(va), &pa, &err));
	CHECK_OK(ot_verifier_parse(vb, strlen(vb), &pb, &err));
	const char *text = "log.example/a\n7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
	ot_signer *both[2] = {a, b};
	char *out = NULL;
	size_t len = 0;
	CHECK_OK(ot_note_sign(text, strlen(text), both, 2, &out, &len, &err));
	ot_note n;
	ot_verifier *only_b[1] = {pb};
	CHECK_OK(ot_note_open(out, len, only_b, 1, &n, &err));
	CHECK(n.n_sigs == 2 && !n.sigs[0].verified && n.sigs[1].verified);
	ot_checkpoint cp;
	CHECK_OK(ot_checkpoint_parse(n.text, n.text_len, &cp, &err));
	CHECK_STR(cp.origin, "log.example/a");
	CHECK(cp.size == 7);
	ot_note_clear(&n);
	free(out);
	/* Text that does not end in a newline cannot be signed. */
	CHECK_RC(ot_note_sign("x", 1, both, 2, &out, &len, &err), OT_ERR_PARSE);

	const char *bad_cp[] = {
		"",
		"origin\n",
		"origin\n07\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
		"origin\n-1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
		"origin\n18446744073709551616\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
		"origin\n7\nAAAA\n",
		"origin\n7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"\n7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
	};
	for (size_t i = 0; i < sizeof bad_cp / sizeof bad_cp[0]; i++)
		CHECK_RC(ot_checkpoint_parse(bad_cp[i], strlen(bad_cp[i]), &cp, &err),
		         OT_ERR_PARSE);
	const char *ext =
		"origin\n7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nextension line\n";
	CHECK_OK(ot_checkpoint_parse(ext, strlen(ext), &cp, &err));

	ot_signer_free(a);
	ot_signer_free(b);
	ot_verifier_free(pa);
	ot_verifier_free(pb);
}

int main(void)
{
	known_answers();
	bad_keys();
	malformed_notes();
	round_trip();
	return test_done("test_note");
}
