/*
 * test_state_dump.c: the record serialiser and copier of the state layer
 * (ledger/state.h) against jansson's own, byte for byte.
 *
 * Ledgers store every record as json_dumps wrote it with JSON_SORT_KEYS |
 * JSON_COMPACT | JSON_ENSURE_ASCII, and the audit compares stored records
 * byte for byte with replayed ones, so otx_state_dump must write exactly
 * those bytes, and otx_json_copy must give what json_deep_copy gives.
 * Every case also checks otx_json_dump_ordered (members in insertion order,
 * as the ledger hands compact documents out) against json_dumps with
 * JSON_PRESERVE_ORDER instead of JSON_SORT_KEYS.
 *
 * 1. Hand-picked values: every escape (named, \u00XX, \uXXXX, surrogate
 *    pairs), DEL and U+0080 at the edges, keys that sort by length or bytes,
 *    integers at the 64-bit edges, reals that need ".0", exponents and 17
 *    digits, empty containers, a NUL inside a string.
 * 2. 20,000 random trees (seeded): random types, depths, UTF-8 strings over
 *    the whole range of code points, keys that share prefixes.
 * 3. What json_dumps refuses is refused too: a bare string or number, a
 *    string that is not UTF-8 (json_stringn_nocheck).
 * 4. Arrays long enough to be written in slices on every core (an audit's
 *    findings): 4,095, 4,096, 4,097 and 10,001 random members, at the top
 *    and inside an object, give jansson's bytes; a member that cannot be
 *    written in the middle of the last slice still refuses the whole.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include <jansson.h>

#include "ledger/state.h"
#include "test.h"

#define JANSSON_FLAGS (JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII)

static int same_dump(const json_t *v, const char *what)
{
	char *want = json_dumps(v, JANSSON_FLAGS);
	char *got = otx_state_dump(v);
	int same = (!want && !got) || (want && got && strcmp(want, got) == 0);
	/* The unsorted form, as otx_ledger_emit hands documents out. */
	char *want_o = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
	char *got_o = otx_json_dump_ordered(v);
	if ((want_o == NULL) != (got_o == NULL) || (want_o && strcmp(want_o, got_o) != 0)) {
		fprintf(stderr, "%s, in order:\n  jansson: %s\n  ours:    %s\n", what,
		        want_o ? want_o : "(null)", got_o ? got_o : "(null)");
		same = 0;
	}
	free(want_o);
	free(got_o);
	json_t *copy = otx_json_copy(v);
	char *copied = copy ? otx_state_dump(copy) : NULL;
	/* Not json_equal: it looks keys up by C string, so a key with a NUL
	 * inside never matches. The copy's bytes say the same. */
	int copy_same = copy && copy != v &&
	                ((!want && !copied) || (want && copied && strcmp(want, copied) == 0));
	if (!same || !copy_same)
		fprintf(stderr, "%s:\n  jansson: %s\n  ours:    %s\n  copy:    %s\n", what,
		        want ? want : "(null)", got ? got : "(null)", copied ? copied : "(null)");
	free(want);
	free(got);
	free(copied);
	json_decref(copy);
	return same && copy_same;
}

/* Appends the UTF-8 of cp to out[*n]. */
static void put_utf8(char *out, size_t *n, uint32_t cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (char)(0xC0 | (cp >> 6));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		out[(*n)++] = (char)(0xE0 | (cp >> 12));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	} else {
		out[(*n)++] = (char)(0xF0 | (cp >> 18));
		out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[(*n)++] = (char)(0x80 | (cp & 0x3F));
	}
}

/* A random code point: mostly ASCII, with controls, the escapes, and
 * the other planes (no surrogates). */
static uint32_t random_cp(void)
{
	switch (test_rand() % 8) {
	case 0: return (uint32_t)(test_rand() % 0x20);
	case 1: return (unsigned char)"\"\\/\x7f"[test_rand() % 4];
	case 2: return 0x80 + (uint32_t)(test_rand() % 0x780);
	case 3: {
		uint32_t cp = 0x800 + (uint32_t)(test_rand() % 0xF800);
		return cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp;
	}
	case 4: return 0x10000 + (uint32_t)(test_rand() % 0x100000);
	default: return 0x20 + (uint32_t)(test_rand() % 0x5F);
	}
}

static json_t *random_string(void)
{
	char buf[200];
	size_t n = 0, len = test_rand() % 12;
	for (size_t i = 0; i < len; i++)
		put_utf8(buf, &n, random_cp());
	return json_stringn(buf, n);
}

static json_t *random_value(int depth)
{
	unsigned kind = (unsigned)(test_rand() % (depth > 4 ? 6 : 8));
	switch (kind) {
	case 0: return json_null();
	case 1: return json_boolean(test_rand() & 1);
	case 2: {
		static const json_int_t EDGES[] = {0, -1, 1, INT64_MAX, INT64_MIN, 9, 10, -10};
		return json_integer(test_rand() % 3
		                            ? (json_int_t)(test_rand() >> (test_rand() % 64)) *
		                                      (test_rand() & 1 ? 1 : -1)
		                            : EDGES[test_rand() % 8]);
	}
	case 3: {
		double d = (double)(int64_t)test_rand() / (double)(1 + test_rand() % 100000);
		return json_real(test_rand() % 4 ? d : ldexp(d, (int)(test_rand() % 200) - 100));
	}
	case 4:
	case 5: return random_string();
	case 6: {
		json_t *a = json_array();
		for (size_t i = test_rand() % 5; i > 0; i--)
			json_array_append_new(a, random_value(depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		for (size_t i = test_rand() % 7; i > 0; i--) {
			/* Keys share prefixes, so that length and bytes decide. */
			static const char *const STEMS[] = {"lot", "lots", "lo", "a", "", "é", "z"};
			json_t *k = random_string();
			char key[260];
			snprintf(key, sizeof key, "%s%s", STEMS[test_rand() % 7],
			         test_rand() & 1 ? json_string_value(k) : "");
			json_decref(k);
			json_object_set_new(o, key, random_value(depth + 1));
		}
		return o;
	}
	}
}

static void hand_picked(void)
{
	static const char *const DOCS[] = {
		"{}",
		"[]",
		"{\"b\":1,\"a\":2,\"ab\":3,\"\":4,\"aa\":[],\"a0\":{}}",
		"{\"s\":\"quote \\\" backslash \\\\ slash / tab \\t nl \\n cr \\r bs \\b ff \\f\"}",
		"{\"c\":\"\\u0001\\u001f\\u007f\\u0080\\u00e9\\u07ff\\u0800\\uffff\"}",
		"{\"pair\":\"\\ud83d\\ude00 \\udbff\\udfff \\ud800\\udc00\"}",
		"{\"nul\":\"a\\u0000b\"}",
		"{\"i\":[0,-1,9223372036854775807,-9223372036854775808,10,-10]}",
		"{\"r\":[1.0,0.1,-0.0,1e300,1.5e-7,123456789012345678.0,2.5,3.0e21,1e-300]}",
		"{\"t\":[true,false,null,[[[{}]]]]}",
		"{\"\\u00e9\":1,\"e\":2,\"z\":3,\"\\ud83d\\ude00\":4,\"\\u007f\":5}",
		"[{\"x\":{\"y\":{\"z\":[1,\"two\",3.5,null]}}}]",
	};
	for (size_t i = 0; i < sizeof DOCS / sizeof DOCS[0]; i++) {
		json_error_t jerr;
		json_t *v = json_loads(DOCS[i], JSON_ALLOW_NUL, &jerr);
		CHECK(v != NULL);
		if (v)
			CHECK(same_dump(v, DOCS[i]));
		json_decref(v);
	}
	/* Keys with a NUL inside order by bytes, then by length. */
	json_t *o = json_object();
	json_object_setn_new(o, "a\0b", 3, json_integer(1));
	json_object_setn_new(o, "a", 1, json_integer(2));
	json_object_setn_new(o, "a\0", 2, json_integer(3));
	CHECK(same_dump(o, "keys with NUL"));
	json_decref(o);
}

static void refusals(void)
{
	json_t *s = json_string("bare");
	CHECK(otx_state_dump(s) == NULL);
	json_decref(s);
	json_t *n = json_integer(5);
	CHECK(otx_state_dump(n) == NULL);
	json_decref(n);
	/* Not UTF-8: an overlong, a lone continuation, a surrogate, a cut. */
	static const char *const BAD[] = {"\xc0\xaf", "\x80", "\xed\xa0\x80", "\xe2\x82"};
	for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "k", json_stringn_nocheck(BAD[i], strlen(BAD[i])));
		char *want = json_dumps(o, JANSSON_FLAGS);
		char *got = otx_state_dump(o);
		CHECK(want == NULL);
		CHECK(got == NULL);
		free(want);
		free(got);
		json_decref(o);
	}
}

static void long_arrays(void)
{
	static const size_t SIZES[] = {4095, 4096, 4097, 10001};
	for (size_t s = 0; s < sizeof SIZES / sizeof SIZES[0]; s++) {
		json_t *a = json_array();
		for (size_t i = 0; i < SIZES[s]; i++)
			json_array_append_new(a, random_value(1));
		CHECK(same_dump(a, "long array"));
		json_t *doc = json_pack("{s:i,s:O,s:b}", "entries", (int)SIZES[s], "findings", a,
		                        "ok", 1);
		CHECK(same_dump(doc, "long array in a document"));
		/* Not UTF-8 in the last slice: refused as jansson refuses it. */
		json_array_append_new(a, json_stringn_nocheck("\xc0\xaf", 2));
		json_array_append_new(a, json_integer(1));
		CHECK(otx_json_dump_ordered(doc) == NULL);
		json_decref(doc);
		json_decref(a);
	}
}

int main(void)
{
	hand_picked();
	refusals();
	test_seed(17);
	long_arrays();
	test_seed(16);
	size_t bad = 0;
	for (int i = 0; i < 20000; i++) {
		json_t *v = test_rand() & 1 ? json_object() : json_array();
		for (size_t k = test_rand() % 6; k > 0; k--) {
			if (json_is_object(v)) {
				char key[16];
				snprintf(key, sizeof key, "k%" PRIu64, test_rand() % 100);
				json_object_set_new(v, key, random_value(1));
			} else {
				json_array_append_new(v, random_value(1));
			}
		}
		if (!same_dump(v, "random tree") && ++bad > 5)
			break;
		json_decref(v);
	}
	CHECK(bad == 0);
	return test_done("test_state_dump");
}
