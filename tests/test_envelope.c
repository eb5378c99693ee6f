/*
 * test_envelope.c: the signed event envelope (src/ledger/envelope.c).
 *
 * Signs the docs/events.md examples with a fresh key, parses the entries back,
 * verifies them, and then breaks every rule of the envelope one at a time.
 * RFC 3339 times are checked against values computed with Python's
 * calendar.timegm.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/envelope.h"
#include "ledger/jcs.h"
#include "oretrail/encoding.h"
#include "oretrail/log.h"
#include "oretrail/note.h"
#include "test.h"

static const char *extract_event =
	"{\"type\":\"extract\",\"id\":\"e4\",\"time\":\"2025-09-01T08:00:00Z\","
	"\"site\":\"pk-kp-loe-shilman\",\"lot\":\"lot-ree-ore-001\",\"material\":\"ore\","
	"\"mass_g\":50000000,\"assay\":{\"Nd\":4600,\"Pr\":1350},\"uncertainty_ppm\":5000}";

static ot_signer *signer;
static uint8_t pubkey[32];

/* The public key is taken from the verifier key string
 * <name>+<id>+<base64(0x01 || key)>: the key data follows the second '+'
 * (base64 may itself contain '+'). */
static void make_key(void)
{
	char vkey[OT_VKEY_MAX];
	uint8_t raw[40];
	size_t n = 0;
	ot_error err;
	const char *p;
	CHECK_OK(ot_signer_generate("fwo", &signer, &err));
	CHECK_OK(ot_signer_vkey(signer, vkey, sizeof vkey));
	p = strchr(vkey, '+');
	p = p ? strchr(p + 1, '+') : NULL;
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_OK(ot_b64_decode(p + 1, strlen(p + 1), raw, sizeof raw, &n));
	CHECK(n == 33 && raw[0] == 0x01);
	memcpy(pubkey, raw + 1, 32);
}

static json_t *load(const char *json)
{
	json_t *v = NULL;
	ot_error err;
	CHECK_OK(otx_json_parse((const uint8_t *)json, strlen(json), 1 << 20, &v, &err));
	return v;
}

/* Signs `event_json` as `actor` into a malloc'ed NUL-terminated entry. */
static char *sign(const char *event_json, const char *actor)
{
	json_t *ev = load(event_json);
	ot_buf entry;
	uint8_t *out = NULL;
	ot_error err;
	ot_buf_init(&entry, 0);
	if (ev && otx_envelope_sign(ev, actor, signer, &entry, &err) == OT_OK)
		CHECK_OK(ot_buf_detach(&entry, &out, NULL));
	else
		fprintf(stderr, "  sign failed: %s\n", ev ? err.message : "bad test JSON");
	ot_buf_free(&entry);
	json_decref(ev);
	return (char *)out;
}

/* Parses `json` expecting failure with `status` and `code` (and `in_message`
 * in the message, when given). */
static void expect_reject(const char *json, ot_status status, const char *code,
                          const char *in_message)
{
	otx_envelope env;
	ot_error err;
	otx_envelope_init(&env);
	CHECK_RC(otx_envelope_parse((const uint8_t *)json, strlen(json), &env, &err), status);
	CHECK_STR(err.code, code);
	if (strcmp(err.code, code) != 0)
		fprintf(stderr, "  input %.120s: %s\n", json, err.message);
	if (in_message) {
		CHECK(strstr(err.message, in_message) != NULL);
		if (!strstr(err.message, in_message))
			fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err.message, in_message);
	}
	CHECK(env.event == NULL && env.entry.len == 0);
	otx_envelope_clear(&env);
}

/* An envelope around `event_json` with a syntactically valid signature. */
static char *wrap(const char *event_json, const char *signer_id)
{
	static const char zero_sig[] =
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		"AAAAAAAAAAAAAAAAAAA==";
	size_t n = strlen(event_json) + strlen(signer_id) + 200;
	char *s = malloc(n);
	snprintf(s, n, "{\"event\":%s,\"signer\":\"%s\",\"sig\":\"%s\"}", event_json, signer_id,
	         zero_sig);
	return s;
}

static void expect_event_reject(const char *event_json, const char *code, const char *in_message)
{
	char *s = wrap(event_json, "fwo");
	expect_reject(s, OT_ERR_PARSE, code, in_message);
	free(s);
}

static void test_sign_parse_verify(void)
{
	otx_envelope env, env2;
	ot_error err;
	char *entry = sign(extract_event, "fwo");

	CHECK(entry != NULL);
	if (!entry)
		return;
	CHECK(strncmp(entry, "{\"event\":{\"assay\":{\"Nd\":4600,\"Pr\":1350},\"id\":\"e4\"", 49) ==
	      0);
	CHECK(strstr(entry, "},\"sig\":\"") != NULL);
	{
		const char *tail = "\",\"signer\":\"fwo\"}";
		CHECK(strlen(entry) > 88 &&
		      strcmp(entry + strlen(entry) - strlen(tail), tail) == 0);
	}

	otx_envelope_init(&env);
	CHECK_OK(otx_envelope_parse((const uint8_t *)entry, strlen(entry), &env, &err));
	CHECK_STR(env.signer, "fwo");
	CHECK_STR(env.type, "extract");
	CHECK_STR(env.id, "e4");
	CHECK_STR(env.time, "2025-09-01T08:00:00Z");
	CHECK(env.time_unix == 1756713600);
	/* Stored entries are canonical: parsing one gives back the same bytes. */
	CHECK(env.entry.len == strlen(entry) && memcmp(env.entry.data, entry, env.entry.len) == 0);
	CHECK(otx_envelope_verify(&env, pubkey) == OT_OK);

	/* The message is the domain then JCS(event). */
	{
		ot_buf m;
		ot_buf_init(&m, 0);
		CHECK_OK(ot_buf_adds(&m, "oretrail/event/v1\n"));
		json_t *ev = load(extract_event);
		CHECK_OK(otx_jcs_write(&m, ev, NULL, &err));
		CHECK(m.len == env.message.len && memcmp(m.data, env.message.data, m.len) == 0);
		json_decref(ev);
		ot_buf_free(&m);
	}
	/* The framed entry is exactly what the general JCS writer makes. */
	{
		json_t *root = load(entry);
		ot_buf c;
		ot_buf_init(&c, 0);
		CHECK_OK(otx_jcs_write(&c, root, NULL, &err));
		CHECK(c.len == env.entry.len && memcmp(c.data, env.entry.data, c.len) == 0);
		ot_buf_free(&c);
		json_decref(root);
	}

	/* Ed25519 is deterministic: signing again gives the same entry. */
	char *again = sign(extract_event, "fwo");
	CHECK_STR(again, entry);
	free(again);

	/* Another key does not verify it. */
	{
		uint8_t pk[32], sk[64];
		crypto_sign_keypair(pk, sk);
		CHECK(otx_envelope_verify(&env, pk) == OT_ERR_VERIFY);
	}

	/* The same envelope, pretty-printed and reordered, parses to the same
	 * canonical entry and still verifies. */
	{
		json_t *root = load(entry);
		char *pretty = json_dumps(root, JSON_INDENT(3) | JSON_ENSURE_ASCII);
		otx_envelope_init(&env2);
		CHECK_OK(otx_envelope_parse((const uint8_t *)pretty, strlen(pretty), &env2, &err));
		CHECK(env2.entry.len == env.entry.len &&
		      memcmp(env2.entry.data, env.entry.data, env.entry.len) == 0);
		CHECK(otx_envelope_verify(&env2, pubkey) == OT_OK);
		otx_envelope_clear(&env2);
		free(pretty);
		json_decref(root);
	}

	/* Any change to the event breaks the signature. */
	{
		char *tampered = strdup(entry);
		char *p = strstr(tampered, "50000000");
		p[0] = '6';
		otx_envelope_init(&env2);
		CHECK_OK(otx_envelope_parse((const uint8_t *)tampered, strlen(tampered), &env2,
		                            &err));
		CHECK(otx_envelope_verify(&env2, pubkey) == OT_ERR_VERIFY);
		otx_envelope_clear(&env2);
		free(tampered);
	}

	/* Parsing into a used envelope replaces it; clearing twice is fine. */
	CHECK_OK(otx_envelope_parse((const uint8_t *)entry, strlen(entry), &env, &err));
	otx_envelope_clear(&env);
	otx_envelope_clear(&env);
	otx_envelope_clear(NULL);
	CHECK(otx_envelope_verify(&env, pubkey) == OT_ERR_ARG);
	free(entry);
}

/* The docs/events.md examples sign and parse back. */
static void test_events_md_examples(void)
{
	static const char *events[] = {
		"{\"type\":\"actor\",\"id\":\"e1\",\"time\":\"2025-09-01T08:00:00Z\","
		"\"actor\":\"fwo\",\"name\":\"Frontier Works Organisation\",\"country\":\"PK\","
		"\"roles\":[\"miner\",\"processor\",\"exporter\"],\"key\":\"fwo+1a2b3c4d+AaBb\"}",
		"{\"type\":\"site\",\"id\":\"e2\",\"time\":\"2025-09-01T08:00:00Z\","
		"\"site\":\"pk-kp-loe-shilman\",\"kind\":\"mine\",\"holder\":\"fwo\",\"country\":"
		"\"PK\","
		"\"lat_ud\":34152000,\"lon_ud\":71205000,\"licence\":\"KP-ML-2025-017\","
		"\"minerals\":[\"Nd\",\"Pr\"],\"valid_from\":\"2025-01-01T00:00:00Z\","
		"\"valid_until\":\"2035-01-01T00:00:00Z\"}",
		"{\"type\":\"transform\",\"id\":\"e6\",\"time\":\"2025-09-03T10:00:00Z\","
		"\"site\":\"pk-plant-1\",\"process\":\"separation\","
		"\"inputs\":[{\"lot\":\"lot-ree-conc-001\",\"mass_g\":1500000}],"
		"\"outputs\":[{\"lot\":\"lot-ndpr-oxide-001\",\"material\":\"oxide\","
		"\"mass_g\":289000,\"assay\":{\"Nd\":640000,\"Pr\":190000}}]}",
		"{\"type\":\"contract\",\"id\":\"urn:epc:id:e9\",\"time\":\"2025-09-08T00:00:00Z\","
		"\"contract\":\"mou-pk-ussm-2025\",\"title\":\"MoU \xe2\x80\x94 minerals\","
		"\"parties\":[\"gov-pk\",\"ussm\"],\"value\":{\"amount\":50000000000,"
		"\"currency\":\"USD\"},\"text\":{\"commit\":\"sha256:"
		"0277e2cd7d63bff9107d0415859ea138b23cc881745a5f86e112c709bd94ad16\"}}",
	};
	for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
		char *entry = sign(events[i], i == 3 ? "gov-pk" : "authority.pk:1");
		otx_envelope env;
		ot_error err;
		otx_envelope_init(&env);
		CHECK(entry != NULL);
		if (!entry)
			continue;
		CHECK_OK(otx_envelope_parse((const uint8_t *)entry, strlen(entry), &env, &err));
		CHECK(otx_envelope_verify(&env, pubkey) == OT_OK);
		CHECK(strlen(entry) <= OT_ENTRY_MAX);
		otx_envelope_clear(&env);
		free(entry);
	}
}

static void test_envelope_shape(void)
{
	char *entry = sign(extract_event, "fwo");
	char buf[2048];
	const char *sig = entry ? strstr(entry, "\"sig\":\"") + 7 : NULL;
	if (!entry)
		return;

	expect_reject("[]", OT_ERR_PARSE, "envelope_not_object", NULL);
	expect_reject("\"x\"", OT_ERR_PARSE, "envelope_not_object", NULL);
	expect_reject(extract_event, OT_ERR_PARSE, "envelope_unsigned", "sign it");
	expect_reject("{\"event\":{},\"signer\":\"fwo\"}", OT_ERR_PARSE, "envelope_missing_member",
	              "sig");
	expect_reject("{\"event\":{},\"sig\":\"\"}", OT_ERR_PARSE, "envelope_missing_member",
	              "signer");
	expect_reject("{\"signer\":\"fwo\",\"sig\":\"\"}", OT_ERR_PARSE, "envelope_missing_member",
	              "event");
	/* An extra member, whatever its name. */
	snprintf(buf, sizeof buf, "%.*s,\"note\":1}", (int)strlen(entry) - 1, entry);
	expect_reject(buf, OT_ERR_PARSE, "envelope_unknown_member", "\"note\"");
	snprintf(buf, sizeof buf, "%.*s,\"\\u0001\":1}", (int)strlen(entry) - 1, entry);
	expect_reject(buf, OT_ERR_PARSE, "envelope_unknown_member", "\\x01");
	/* A long name of bytes that need escaping in the message (found by
	 * fuzz_event: the quoting once overran its buffer). */
	{
		char name[400] = "abc"; /* then 4-byte escapes up to the edge */
		size_t k = 3;
		for (int i = 0; i < 60; i++)
			k += (size_t)snprintf(name + k, sizeof name - k, "\\u007f");
		snprintf(buf, sizeof buf, "%.*s,\"%s\":1}", (int)strlen(entry) - 1, entry, name);
		expect_reject(buf, OT_ERR_PARSE, "envelope_unknown_member", "\\x7f\\x7f...\"");
	}
	/* Duplicates are a JSON error before anything else. */
	snprintf(buf, sizeof buf, "%.*s,\"signer\":\"fwo\"}", (int)strlen(entry) - 1, entry);
	expect_reject(buf, OT_ERR_PARSE, "json_duplicate_key", NULL);

	/* Signers. */
	static const char *bad_signers[] = {"",    "f wo",   "fwo+1", "f\\u00e9",
	                                    "a/b", "a\\\"b", "\\n"};
	for (size_t i = 0; i < sizeof bad_signers / sizeof bad_signers[0]; i++) {
		char *s = wrap(extract_event, bad_signers[i]);
		expect_reject(s, OT_ERR_PARSE, "bad_signer", NULL);
		free(s);
	}
	{
		char long_id[OTX_SIGNER_MAX + 2];
		memset(long_id, 'a', sizeof long_id - 1);
		long_id[OTX_SIGNER_MAX + 1] = 0;
		char *s = wrap(extract_event, long_id);
		expect_reject(s, OT_ERR_PARSE, "bad_signer", "128");
		free(s);
		long_id[OTX_SIGNER_MAX] = 0; /* exactly the limit is fine */
		s = wrap(extract_event, long_id);
		otx_envelope env;
		ot_error err;
		otx_envelope_init(&env);
		CHECK_OK(otx_envelope_parse((const uint8_t *)s, strlen(s), &env, &err));
		CHECK(otx_envelope_verify(&env, pubkey) == OT_ERR_VERIFY); /* zero sig */
		otx_envelope_clear(&env);
		free(s);
	}
	snprintf(buf, sizeof buf, "{\"event\":%s,\"signer\":7,\"sig\":\"%.88s\"}", extract_event,
	         sig);
	expect_reject(buf, OT_ERR_PARSE, "bad_signer", "not a string");

	/* Signatures: wrong type, length, alphabet, padding, non-canonical bits. */
	snprintf(buf, sizeof buf, "{\"event\":%s,\"signer\":\"fwo\",\"sig\":null}", extract_event);
	expect_reject(buf, OT_ERR_PARSE, "bad_sig", NULL);
	snprintf(buf, sizeof buf, "{\"event\":%s,\"signer\":\"fwo\",\"sig\":\"%.84s\"}",
	         extract_event, sig);
	expect_reject(buf, OT_ERR_PARSE, "bad_sig", NULL);
	{
		char s2[89];
		memcpy(s2, sig, 88);
		s2[88] = 0;
		s2[10] = '-'; /* base64url, not standard base64 */
		snprintf(buf, sizeof buf, "{\"event\":%s,\"signer\":\"fwo\",\"sig\":\"%s\"}",
		         extract_event, s2);
		expect_reject(buf, OT_ERR_PARSE, "bad_sig", NULL);
		memcpy(s2, sig, 88);
		s2[86] = s2[86] == 'A' ? 'B' : 'A'; /* 64 bytes leave 4 spare bits here */
		snprintf(buf, sizeof buf, "{\"event\":%s,\"signer\":\"fwo\",\"sig\":\"%s\"}",
		         extract_event, s2);
		/* Either the spare bits are now set (non-canonical: rejected) or
		 * the signature changed (parses, does not verify). */
		otx_envelope env;
		ot_error err;
		otx_envelope_init(&env);
		ot_status rc = otx_envelope_parse((const uint8_t *)buf, strlen(buf), &env, &err);
		CHECK(rc == OT_ERR_PARSE || otx_envelope_verify(&env, pubkey) == OT_ERR_VERIFY);
		otx_envelope_clear(&env);
		/* Non-canonical for sure: the lowest spare bit of the last group. */
		memcpy(s2, sig, 88);
		const char *b64 =
			"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		size_t idx = (size_t)(strchr(b64, s2[85]) - b64);
		s2[85] = b64[idx ^ 1];
		snprintf(buf, sizeof buf, "{\"event\":%s,\"signer\":\"fwo\",\"sig\":\"%s\"}",
		         extract_event, s2);
		expect_reject(buf, OT_ERR_PARSE, "bad_sig", NULL);
		/* 66 bytes of base64 instead of 64. */
		snprintf(buf, sizeof buf, "{\"event\":%s,\"signer\":\"fwo\",\"sig\":\"%.86sAAAA\"}",
		         extract_event, sig);
		expect_reject(buf, OT_ERR_PARSE, "bad_sig", NULL);
	}
	free(entry);
}

static void test_event_rules(void)
{
	expect_event_reject("[1]", "bad_event", "not a JSON object");
	expect_event_reject("{\"id\":\"e1\",\"time\":\"2025-09-01T08:00:00Z\"}", "bad_event_type",
	                    "event.type is missing");
	expect_event_reject("{\"type\":7,\"id\":\"e1\",\"time\":\"2025-09-01T08:00:00Z\"}",
	                    "bad_event_type", "string");
	expect_event_reject(
		"{\"type\":\"Extract\",\"id\":\"e1\",\"time\":\"2025-09-01T08:00:00Z\"}",
		"bad_event_type", NULL);
	expect_event_reject("{\"type\":\"\",\"id\":\"e1\",\"time\":\"2025-09-01T08:00:00Z\"}",
	                    "bad_event_type", NULL);
	expect_event_reject("{\"type\":\"x\",\"time\":\"2025-09-01T08:00:00Z\"}", "bad_event_id",
	                    "event.id");
	expect_event_reject("{\"type\":\"x\",\"id\":\"\",\"time\":\"2025-09-01T08:00:00Z\"}",
	                    "bad_event_id", NULL);
	expect_event_reject("{\"type\":\"x\",\"id\":\"e 1\",\"time\":\"2025-09-01T08:00:00Z\"}",
	                    "bad_event_id", "\"e 1\"");
	expect_event_reject(
		"{\"type\":\"x\",\"id\":\"\\u00e91\",\"time\":\"2025-09-01T08:00:00Z\"}",
		"bad_event_id", "\\xc3\\xa9");
	expect_event_reject("{\"type\":\"x\",\"id\":\"e\\t\",\"time\":\"2025-09-01T08:00:00Z\"}",
	                    "bad_event_id", NULL);
	{
		char ev[512];
		char id[OTX_EVENT_ID_MAX + 2];
		memset(id, 'i', sizeof id - 1);
		id[OTX_EVENT_ID_MAX + 1] = 0;
		snprintf(ev, sizeof ev,
		         "{\"type\":\"x\",\"id\":\"%s\",\"time\":\"2025-09-01T08:00:00Z\"}", id);
		expect_event_reject(ev, "bad_event_id", NULL);
	}
	expect_event_reject("{\"type\":\"x\",\"id\":\"e1\"}", "bad_event_time", "event.time");
	static const char *bad_times[] = {
		"2025-09-01T08:00:00",
		"2025-09-01T08:00:00+00:00",
		"2025-09-01T08:00:00.5Z",
		"2025-09-01t08:00:00z",
		"2025-09-01 08:00:00Z",
		"2025-02-29T00:00:00Z",
		"1900-02-29T00:00:00Z",
		"2025-04-31T00:00:00Z",
		"2025-13-01T00:00:00Z",
		"2025-00-10T00:00:00Z",
		"2025-01-00T00:00:00Z",
		"2025-09-01T24:00:00Z",
		"2025-09-01T23:60:00Z",
		"2016-12-31T23:59:60Z",
		"+025-09-01T08:00:00Z",
		"2025-9-01T08:00:00Z",
		"",
		"20250901T080000Z",
	};
	for (size_t i = 0; i < sizeof bad_times / sizeof bad_times[0]; i++) {
		char ev[256];
		snprintf(ev, sizeof ev, "{\"type\":\"x\",\"id\":\"e1\",\"time\":\"%s\"}",
		         bad_times[i]);
		expect_event_reject(ev, "bad_event_time", "RFC 3339");
	}
	expect_event_reject("{\"type\":\"x\",\"id\":\"e1\",\"time\":20250901}", "bad_event_time",
	                    "string");
	/* The data model, with the path into the event. */
	expect_event_reject("{\"type\":\"x\",\"id\":\"e1\",\"time\":\"2025-09-01T08:00:00Z\","
	                    "\"outputs\":[{\"mass_g\":1},{\"mass_g\":2.5}]}",
	                    "json_not_integer", "event.outputs[1].mass_g");

	/* The same rules apply when signing. */
	json_t *ev = load("{\"type\":\"x\",\"id\":\"e1\"}");
	ot_buf out;
	ot_error err;
	ot_buf_init(&out, 0);
	CHECK_RC(otx_envelope_sign(ev, "fwo", signer, &out, &err), OT_ERR_PARSE);
	CHECK_STR(err.code, "bad_event_time");
	json_decref(ev);
	ev = load(extract_event);
	CHECK_RC(otx_envelope_sign(ev, "f wo", signer, &out, &err), OT_ERR_PARSE);
	CHECK_STR(err.code, "bad_signer");
	CHECK_RC(otx_envelope_sign(ev, "fwo", NULL, &out, &err), OT_ERR_ARG);
	CHECK(out.len == 0);
	json_object_set_new(ev, "mass_g", json_real(1.5));
	CHECK_RC(otx_envelope_sign(ev, "fwo", signer, &out, &err), OT_ERR_PARSE);
	CHECK_STR(err.code, "json_not_integer");
	CHECK(strstr(err.message, "event.mass_g") != NULL);
	json_decref(ev);
	ot_buf_free(&out);

	/* Bare events and envelopes told apart. */
	json_t *bare = load(extract_event), *env = json_pack("{s:{}}", "event");
	CHECK(!otx_envelope_is_signed(bare));
	CHECK(otx_envelope_is_signed(env));
	CHECK(!otx_envelope_is_signed(NULL));
	json_decref(bare);
	json_decref(env);
}

static void test_size_limits(void)
{
	/* An event whose canonical entry is just over OT_ENTRY_MAX. */
	size_t pad = OT_ENTRY_MAX - 100; /* the envelope adds more than 100 bytes */
	char *big = malloc(pad + 200), *s;
	int n = snprintf(big, 200,
	                 "{\"type\":\"x\",\"id\":\"e1\",\"time\":\"2025-09-01T08:00:00Z\","
	                 "\"note\":\"");
	memset(big + n, 'a', pad);
	snprintf(big + (size_t)n + pad, 200, "\"}");
	s = wrap(big, "fwo");
	expect_reject(s, OT_ERR_TOOBIG, "entry_too_big", "65535");
	free(s);

	json_t *ev = load(big);
	ot_buf out;
	ot_error err;
	ot_buf_init(&out, 0);
	CHECK_RC(otx_envelope_sign(ev, "fwo", signer, &out, &err), OT_ERR_TOOBIG);
	CHECK_STR(err.code, "entry_too_big");
	/* Size the event so that its entry is exactly OT_ENTRY_MAX bytes. */
	json_object_set_new(ev, "note", json_string(""));
	CHECK_OK(otx_envelope_sign(ev, "fwo", signer, &out, &err));
	size_t overhead = out.len;
	char *fill = malloc(OT_ENTRY_MAX);
	memset(fill, 'b', OT_ENTRY_MAX);
	json_object_set_new(ev, "note", json_stringn(fill, OT_ENTRY_MAX - overhead));
	CHECK_OK(otx_envelope_sign(ev, "fwo", signer, &out, &err));
	CHECK(out.len == OT_ENTRY_MAX);
	{
		otx_envelope e;
		otx_envelope_init(&e);
		CHECK_OK(otx_envelope_parse(out.data, out.len, &e, &err));
		CHECK(otx_envelope_verify(&e, pubkey) == OT_OK);
		otx_envelope_clear(&e);
	}
	json_object_set_new(ev, "note", json_stringn(fill, OT_ENTRY_MAX - overhead + 1));
	CHECK_RC(otx_envelope_sign(ev, "fwo", signer, &out, &err), OT_ERR_TOOBIG);
	free(fill);
	json_decref(ev);
	ot_buf_free(&out);
	free(big);

	/* Input beyond OTX_ENVELOPE_INPUT_MAX is not even parsed. */
	char *huge = malloc(OTX_ENVELOPE_INPUT_MAX + 2);
	memset(huge, ' ', OTX_ENVELOPE_INPUT_MAX + 1);
	huge[0] = '{';
	huge[OTX_ENVELOPE_INPUT_MAX] = '}';
	huge[OTX_ENVELOPE_INPUT_MAX + 1] = 0;
	expect_reject(huge, OT_ERR_TOOBIG, "json_too_big", NULL);
	free(huge);
}

static void test_times(void)
{
	static const struct {
		const char *s;
		int64_t t;
	} known[] = {
		{"1970-01-01T00:00:00Z", 0},
		{"2025-09-01T08:00:00Z", 1756713600},
		{"2000-02-29T12:34:56Z", 951827696},
		{"1969-12-31T23:59:59Z", -1},
		{"0000-01-01T00:00:00Z", INT64_C(-62167219200)},
		{"9999-12-31T23:59:59Z", INT64_C(253402300799)},
		{"2024-02-29T23:59:59Z", 1709251199},
	};
	char out[OTX_TIME_LEN + 1];
	int64_t t;

	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		CHECK_OK(otx_parse_time(known[i].s, &t));
		CHECK(t == known[i].t);
		CHECK_OK(otx_format_time(known[i].t, out));
		CHECK_STR(out, known[i].s);
	}
	CHECK_RC(otx_format_time(INT64_C(253402300800), out), OT_ERR_RANGE);
	CHECK_RC(otx_format_time(INT64_C(-62167219201), out), OT_ERR_RANGE);
	CHECK_RC(otx_parse_time(NULL, &t), OT_ERR_PARSE);

	/* format and parse are inverse over the whole range. */
	int bad = 0;
	test_seed(3339);
	for (int i = 0; i < 100000; i++) {
		int64_t want =
			(int64_t)(test_rand() % UINT64_C(315569520000)) - INT64_C(62167219200);
		if (otx_format_time(want, out) != OT_OK || otx_parse_time(out, &t) != OT_OK ||
		    t != want)
			bad++;
	}
	CHECK(bad == 0);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	make_key();
	test_sign_parse_verify();
	test_events_md_examples();
	test_envelope_shape();
	test_event_rules();
	test_size_limits();
	test_times();
	ot_signer_free(signer);
	return test_done("test_envelope");
}
