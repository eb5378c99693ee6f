/*
 * test_commit.c: salted commitments to canonical values (src/ledger/commit.c).
 *
 * The known answers were made with Python:
 *   salt = bytes(range(32))
 *   hashlib.sha256(salt + b'"hello"').hexdigest()
 *   hashlib.sha256(salt + b'{"a":[true,null],"b":1}').hexdigest()
 * i.e. SHA-256 of the salt followed by the RFC 8785 form of the value.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/commit.h"
#include "ledger/jcs.h"
#include "oretrail/encoding.h"
#include "test.h"

static const char *kat_hello =
	"sha256:0277e2cd7d63bff9107d0415859ea138b23cc881745a5f86e112c709bd94ad16";
static const char *kat_object =
	"sha256:35e59aff7ce3d85651f688662b0851b4b419dbd19c1bafe2e0e6fe6eb97eda8a";
static const char *kat_salt_b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

static json_t *load(const char *json)
{
	json_t *v = NULL;
	ot_error err;
	CHECK_OK(otx_json_parse((const uint8_t *)json, strlen(json), 1 << 20, &v, &err));
	return v;
}

static void test_known_answers(void)
{
	uint8_t salt[OTX_COMMIT_SALT_SIZE], digest[OT_HASH_SIZE];
	char str[OTX_COMMIT_STR_LEN + 1];
	ot_error err;
	json_t *c = NULL;

	for (int i = 0; i < OTX_COMMIT_SALT_SIZE; i++)
		salt[i] = (uint8_t)i;

	json_t *hello = json_string("hello");
	CHECK_OK(otx_commit_digest(hello, salt, digest, &err));
	otx_commit_format(digest, str);
	CHECK_STR(str, kat_hello);
	CHECK(strlen(str) == OTX_COMMIT_STR_LEN);

	/* The value is canonicalised first: member order and layout do not
	 * matter. */
	json_t *obj = load("{ \"b\" : 1, \"a\" : [ true, null ] }");
	CHECK_OK(otx_commit_make(obj, salt, NULL, &c, &err));
	CHECK(otx_commit_is(c));
	CHECK_STR(json_string_value(json_object_get(c, "commit")), kat_object);
	CHECK_OK(otx_commit_check(c, kat_salt_b64, obj, &err));
	json_decref(c);

	/* A bare commitment string opens too. */
	json_t *bare = json_string(kat_hello);
	CHECK_OK(otx_commit_check(bare, kat_salt_b64, hello, &err));
	json_decref(bare);
	json_decref(hello);
	json_decref(obj);
}

static void test_random_salt(void)
{
	uint8_t salt1[OTX_COMMIT_SALT_SIZE], salt2[OTX_COMMIT_SALT_SIZE];
	char salt_b64[OTX_COMMIT_SALT_B64_LEN + 1];
	json_t *c1 = NULL, *c2 = NULL, *c3 = NULL;
	ot_error err;
	json_t *value = load("{\"amount\":50000000000,\"currency\":\"USD\"}");

	CHECK_OK(otx_commit_make(value, NULL, salt1, &c1, &err));
	CHECK_OK(otx_commit_make(value, NULL, salt2, &c2, &err));
	CHECK(memcmp(salt1, salt2, sizeof salt1) != 0);
	/* Same value, different salts: the commitments do not give it away. */
	CHECK(!json_equal(c1, c2));

	ot_b64_encode(salt1, sizeof salt1, salt_b64);
	CHECK(strlen(salt_b64) == OTX_COMMIT_SALT_B64_LEN);
	CHECK_OK(otx_commit_check(c1, salt_b64, value, &err));
	/* c1's salt does not open c2. */
	CHECK(otx_commit_check(c2, salt_b64, value, &err) == OT_ERR_VERIFY);
	CHECK_STR(err.code, "commit_mismatch");

	/* Another value does not open it, even one equal in JSON but for type
	 * or member: 50000000000 vs "50000000000", extra member. */
	json_t *other = load("{\"amount\":\"50000000000\",\"currency\":\"USD\"}");
	CHECK(otx_commit_check(c1, salt_b64, other, &err) == OT_ERR_VERIFY);
	json_decref(other);
	other = load("{\"amount\":50000000000,\"currency\":\"USD\",\"x\":null}");
	CHECK(otx_commit_check(c1, salt_b64, other, &err) == OT_ERR_VERIFY);
	json_decref(other);
	/* The same value in another layout does. */
	other = load("{\n  \"currency\": \"USD\",\n  \"amount\": 50000000000\n}");
	CHECK_OK(otx_commit_check(c1, salt_b64, other, &err));
	json_decref(other);

	/* A random salt must have somewhere to go; a given one need not. */
	CHECK_RC(otx_commit_make(value, NULL, NULL, &c3, &err), OT_ERR_ARG);
	CHECK(c3 == NULL);
	CHECK_RC(otx_commit_make(value, salt1, NULL, NULL, &err), OT_ERR_ARG);

	json_decref(c1);
	json_decref(c2);
	json_decref(value);
}

static void test_recognise(void)
{
	static const struct {
		const char *json;
		int is;
	} cases[] = {
		{"{\"commit\":\"sha256:"
	         "0277e2cd7d63bff9107d0415859ea138b23cc881745a5f86e112c709bd94ad16\"}",
	         1},
		/* uppercase hex: one digest, one spelling */
		{"{\"commit\":\"sha256:"
	         "0277E2CD7D63BFF9107D0415859EA138B23CC881745A5F86E112C709BD94AD16\"}",
	         0},
		{"{\"commit\":\"sha512:"
	         "0277e2cd7d63bff9107d0415859ea138b23cc881745a5f86e112c709bd94ad16\"}",
	         0},
		{"{\"commit\":\"sha256:"
	         "0277e2cd7d63bff9107d0415859ea138b23cc881745a5f86e112c709bd94ad1\"}",
	         0},
		{"{\"commit\":\"sha256:"
	         "0277e2cd7d63bff9107d0415859ea138b23cc881745a5f86e112c709bd94ad166\"}",
	         0},
		{"{\"commit\":\"sha256:"
	         "0277e2cd7d63bff9107d0415859ea138b23cc881745a5f86e112c709bd94ad1g\"}",
	         0},
		{"{\"commit\":"
	         "\"0277e2cd7d63bff9107d0415859ea138b23cc881745a5f86e112c709bd94ad16\"}",
	         0},
		{"{\"commit\":\"sha256:"
	         "0277e2cd7d63bff9107d0415859ea138b23cc881745a5f86e112c709bd94ad16\","
	         "\"salt\":\"x\"}",
	         0},
		{"{\"Commit\":\"sha256:"
	         "0277e2cd7d63bff9107d0415859ea138b23cc881745a5f86e112c709bd94ad16\"}",
	         0},
		{"{\"commit\":7}", 0},
		{"{}", 0},
		{"\"sha256:0277e2cd7d63bff9107d0415859ea138b23cc881745a5f86e112c709bd94ad16\"", 0},
		{"[\"sha256:0277e2cd7d63bff9107d0415859ea138b23cc881745a5f86e112c709bd94ad16\"]",
	         0},
	};
	uint8_t digest[OT_HASH_SIZE];
	ot_error err;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *v = load(cases[i].json);
		CHECK(otx_commit_is(v) == cases[i].is);
		/* parse accepts the objects is() accepts, and the bare string. */
		int bare = i == 11;
		CHECK((otx_commit_parse(v, digest, &err) == OT_OK) == (cases[i].is || bare));
		if (!cases[i].is && !bare)
			CHECK_STR(err.code, "bad_commitment");
		json_decref(v);
	}
	CHECK(!otx_commit_is(NULL));
}

static void test_bad_openings(void)
{
	json_t *c = json_pack("{s:s}", "commit", kat_hello);
	json_t *hello = json_string("hello");
	json_t *bad = json_pack("{s:s}", "commit", "sha256:xyz");
	ot_error err;
	static const char *bad_salts[] = {
		"",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",   /* no padding */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=",  /* non-canonical bits */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8==", /* too long */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd",      /* 30 bytes */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh-=",  /* base64url */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH h8=", /* space */
	};

	for (size_t i = 0; i < sizeof bad_salts / sizeof bad_salts[0]; i++) {
		CHECK_RC(otx_commit_check(c, bad_salts[i], hello, &err), OT_ERR_PARSE);
		CHECK_STR(err.code, "bad_salt");
	}
	CHECK_RC(otx_commit_check(c, NULL, hello, &err), OT_ERR_PARSE);
	CHECK_RC(otx_commit_check(bad, kat_salt_b64, hello, &err), OT_ERR_PARSE);
	CHECK_STR(err.code, "bad_commitment");
	CHECK_RC(otx_commit_check(NULL, kat_salt_b64, hello, &err), OT_ERR_PARSE);

	/* The disclosed value must itself be oretrail JSON. */
	json_t *real = json_real(2.5);
	CHECK_RC(otx_commit_check(c, kat_salt_b64, real, &err), OT_ERR_PARSE);
	CHECK_STR(err.code, "json_not_integer");
	CHECK(strstr(err.message, "value") != NULL);
	CHECK_RC(otx_commit_check(c, kat_salt_b64, NULL, &err), OT_ERR_ARG);
	json_decref(real);

	/* A one-bit change of the salt does not open it. */
	CHECK_RC(otx_commit_check(c, "AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", hello, &err),
	         OT_ERR_VERIFY);

	json_decref(c);
	json_decref(bad);
	json_decref(hello);
}

int main(void)
{
	test_known_answers();
	test_random_salt();
	test_recognise();
	test_bad_openings();
	return test_done("test_commit");
}
