/*
 * test_jcs.c: RFC 8785 canonical JSON and the strict parser (src/ledger/jcs.c).
 *
 * Known answers come from RFC 8785 itself: the member-sorting example of
 * section 3.2.3 and the string example of section 3.2.2.2 (its number
 * examples do not apply: oretrail numbers are integers). The rest checks the
 * rules one by one, the rejections with their codes and JSON paths, and, as
 * properties over random values, that canonical output parses back to the
 * same canonical output and that member names order as UTF-16 code units.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/jcs.h"
#include "oretrail/buf.h"
#include "test.h"

/* Parses `json` and returns its canonical form (malloc'ed) or NULL, leaving
 * the error in *err. */
static char *canon_n(const char *json, size_t len, ot_error *err)
{
	json_t *v = NULL;
	ot_buf b;
	uint8_t *out = NULL;

	ot_error_clear(err);
	if (otx_json_parse((const uint8_t *)json, len, 1 << 20, &v, err))
		return NULL;
	ot_buf_init(&b, 0);
	if (otx_jcs_write(&b, v, NULL, err) == OT_OK)
		(void)ot_buf_detach(&b, &out, NULL);
	ot_buf_free(&b);
	json_decref(v);
	return (char *)out;
}

static char *canon(const char *json, ot_error *err)
{
	return canon_n(json, strlen(json), err);
}

/* Checks canonical(json) == want, and that the canonical form is a fixed
 * point (canonical(canonical(json)) == canonical(json)). */
static void expect_canon(const char *json, const char *want)
{
	ot_error err;
	char *got = canon(json, &err);
	CHECK_STR(got, want);
	if (!got)
		fprintf(stderr, "  input %s: %s (%s)\n", json, err.message, err.code);
	if (got) {
		char *again = canon(got, &err);
		CHECK_STR(again, got);
		free(again);
	}
	free(got);
}

/* Checks that parsing (and so canonicalising) `json` fails with `status` and
 * `code`, and, when `in_message` is given, that the message contains it. */
static void expect_reject_n(const char *json, size_t len, ot_status status, const char *code,
                            const char *in_message)
{
	ot_error err;
	char *got = canon_n(json, len, &err);
	CHECK(got == NULL);
	CHECK(err.status == status);
	CHECK_STR(err.code, code);
	if (in_message) {
		CHECK(strstr(err.message, in_message) != NULL);
		if (!strstr(err.message, in_message))
			fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err.message, in_message);
	}
	free(got);
}

static void expect_reject(const char *json, ot_status status, const char *code,
                          const char *in_message)
{
	expect_reject_n(json, strlen(json), status, code, in_message);
}

static void test_rfc8785_sorting(void)
{
	/* RFC 8785 section 3.2.3, with its input written with escapes. The
	 * emoji (UTF-16 D83D DE00) sorts before U+FB33 although its UTF-8
	 * (F0 9F 98 80) is greater than U+FB33's (EF AC B3). */
	expect_canon("{\n"
	             "  \"\\u20ac\": \"Euro Sign\",\n"
	             "  \"\\r\": \"Carriage Return\",\n"
	             "  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n"
	             "  \"1\": \"One\",\n"
	             "  \"\\ud83d\\ude00\": \"Emoji: Grinning Face\",\n"
	             "  \"\\u0080\": \"Control\",\n"
	             "  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"\n"
	             "}",
	             "{\"\\r\":\"Carriage Return\","
	             "\"1\":\"One\","
	             "\"\xc2\x80\":\"Control\","
	             "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
	             "\"\xe2\x82\xac\":\"Euro Sign\","
	             "\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
	             "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");

	/* The same input with raw UTF-8 names gives the same bytes. */
	expect_canon("{\"\xe2\x82\xac\":1,\"\xef\xac\xb3\":2,\"\xf0\x9f\x98\x80\":3}",
	             "{\"\xe2\x82\xac\":1,\"\xf0\x9f\x98\x80\":3,\"\xef\xac\xb3\":2}");
	/* A prefix sorts first; sorting is by code units, not by length. */
	expect_canon("{\"ab\":1,\"a\":2,\"b\":3,\"\":4}", "{\"\":4,\"a\":2,\"ab\":1,\"b\":3}");
	expect_canon("{\"B\":1,\"a\":2,\"A\":3,\"_\":4}", "{\"A\":3,\"B\":1,\"_\":4,\"a\":2}");
	/* Two supplementary characters sharing a high surrogate order by the
	 * low one; U+FFFF sorts after every supplementary character. */
	expect_canon(
		"{\"\\ud83d\\ude01\":1,\"\\uffff\":2,\"\\ud83d\\ude00\":3,\"\\ud800\\udc00\":4}",
		"{\"\xf0\x90\x80\x80\":4,\"\xf0\x9f\x98\x80\":3,\"\xf0\x9f\x98\x81\":1,"
		"\"\xef\xbf\xbf\":2}");
}

static void test_rfc8785_strings(void)
{
	/* RFC 8785 section 3.2.2.2. */
	expect_canon("\"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\"",
	             "\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"");
	/* Every control character: the five short escapes, \u00xx (lowercase)
	 * for the rest. DEL, U+2028 and U+2029 stay raw (JSON.stringify). */
	expect_canon("\"\\u0001\\b\\t\\n\\u000B\\f\\r\\u000e\\u001F\\u001f\"",
	             "\"\\u0001\\b\\t\\n\\u000b\\f\\r\\u000e\\u001f\\u001f\"");
	expect_canon("\"\\u007f\\u2028\\u2029\\u00e9\"",
	             "\"\x7f\xe2\x80\xa8\xe2\x80\xa9\xc3\xa9\"");
	expect_canon("\"a\\/b\"", "\"a/b\"");
	expect_canon("\"\"", "\"\"");
	expect_canon("\"\xf4\x8f\xbf\xbf\"", "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
}

static void test_structure(void)
{
	expect_canon(" { \"b\" : [ 1 , { \"z\" : null , \"a\" : true } ] ,\r\n\t\"a\" : false } ",
	             "{\"a\":false,\"b\":[1,{\"a\":true,\"z\":null}]}");
	expect_canon("[null, true, false]", "[null,true,false]");
	expect_canon("[]", "[]");
	expect_canon("{}", "{}");
	expect_canon("[[],{},[{}]]", "[[],{},[{}]]");
	expect_canon("true", "true");
	expect_canon("null", "null");
	expect_canon("0", "0");
	expect_canon("-0", "0");
	expect_canon("-17", "-17");
	expect_canon("9007199254740991", "9007199254740991");
	expect_canon("-9007199254740991", "-9007199254740991");
	expect_canon("{\"mass_g\":50000000,\"assay\":{\"Pr\":1350,\"Nd\":4600}}",
	             "{\"assay\":{\"Nd\":4600,\"Pr\":1350},\"mass_g\":50000000}");

	/* More members than fit the on-stack sort array. */
	ot_buf in, want;
	ot_buf_init(&in, 0);
	ot_buf_init(&want, 0);
	CHECK_OK(ot_buf_adds(&in, "{"));
	CHECK_OK(ot_buf_adds(&want, "{"));
	for (int i = 99; i >= 0; i--)
		CHECK_OK(ot_buf_printf(&in, "%s\"k%02d\":%d", i == 99 ? "" : ",", i, i));
	for (int i = 0; i < 100; i++)
		CHECK_OK(ot_buf_printf(&want, "%s\"k%02d\":%d", i ? "," : "", i, i));
	CHECK_OK(ot_buf_adds(&in, "}"));
	CHECK_OK(ot_buf_adds(&want, "}"));
	expect_canon((const char *)in.data, (const char *)want.data);
	ot_buf_free(&in);
	ot_buf_free(&want);
}

static void test_numbers(void)
{
	expect_reject("9007199254740992", OT_ERR_PARSE, "json_number_range", "2^53");
	expect_reject("-9007199254740992", OT_ERR_PARSE, "json_number_range", NULL);
	expect_reject("99999999999999999999", OT_ERR_PARSE, "json_number_range", NULL);
	expect_reject("1.5", OT_ERR_PARSE, "json_not_integer", "the top level");
	expect_reject("1.0", OT_ERR_PARSE, "json_not_integer", NULL);
	expect_reject("1e3", OT_ERR_PARSE, "json_not_integer", NULL);
	expect_reject("1E+2", OT_ERR_PARSE, "json_not_integer", NULL);
	expect_reject("-0.0", OT_ERR_PARSE, "json_not_integer", NULL);
	expect_reject("1e400", OT_ERR_PARSE, "json_number_range", NULL);
	/* The path points at the offending member. */
	expect_reject("{\"event\":{\"outputs\":[{\"mass_g\":1},{\"mass_g\":1.5}]}}", OT_ERR_PARSE,
	              "json_not_integer", "event.outputs[1].mass_g");
	expect_reject("{\"a b\":{\"x\\\"y\":[0,[9007199254740993]]}}", OT_ERR_PARSE,
	              "json_number_range", "[\"a b\"][\"x\\\"y\"][1][0]");
	/* Syntax JSON itself forbids. */
	expect_reject("01", OT_ERR_PARSE, "json_syntax", NULL);
	expect_reject("+1", OT_ERR_PARSE, "json_syntax", NULL);
	expect_reject(".5", OT_ERR_PARSE, "json_syntax", NULL);
	expect_reject("NaN", OT_ERR_PARSE, "json_syntax", NULL);
	expect_reject("[Infinity]", OT_ERR_PARSE, "json_syntax", NULL);
	expect_reject("0x10", OT_ERR_PARSE, "json_syntax", NULL);
}

static void test_rejections(void)
{
	/* Duplicates, also nested and also when spelled differently. */
	expect_reject("{\"a\":1,\"a\":2}", OT_ERR_PARSE, "json_duplicate_key", "line 1");
	expect_reject("{\"x\":{\"a\":1,\"b\":2,\"a\":3}}", OT_ERR_PARSE, "json_duplicate_key",
	              NULL);
	expect_reject("{\"\\u00e9\":1,\"\xc3\xa9\":2}", OT_ERR_PARSE, "json_duplicate_key", NULL);
	/* Invalid UTF-8: lone continuation, overlong, surrogate, above
	 * U+10FFFF, truncated sequence, invalid lead bytes; in names too. */
	expect_reject("\"\x80\"", OT_ERR_PARSE, "json_invalid_utf8", NULL);
	expect_reject("\"\xc0\xaf\"", OT_ERR_PARSE, "json_invalid_utf8", NULL);
	expect_reject("\"\xe0\x80\xaf\"", OT_ERR_PARSE, "json_invalid_utf8", NULL);
	expect_reject("\"\xed\xa0\x80\"", OT_ERR_PARSE, "json_invalid_utf8", NULL);
	expect_reject("\"\xf4\x90\x80\x80\"", OT_ERR_PARSE, "json_invalid_utf8", NULL);
	expect_reject("\"\xe2\x82\"", OT_ERR_PARSE, "json_invalid_utf8", NULL);
	expect_reject("\"\xff\"", OT_ERR_PARSE, "json_invalid_utf8", NULL);
	expect_reject("{\"\xc3\":1}", OT_ERR_PARSE, "json_invalid_utf8", NULL);
	/* Lone surrogates in escapes, U+0000, raw control characters. */
	expect_reject("\"\\ud800\"", OT_ERR_PARSE, "json_syntax", NULL);
	expect_reject("\"\\udc00\\ud800\"", OT_ERR_PARSE, "json_syntax", NULL);
	expect_reject("\"a\\u0000b\"", OT_ERR_PARSE, "json_nul", NULL);
	expect_reject("{\"a\\u0000\":1}", OT_ERR_PARSE, "json_nul", NULL);
	expect_reject("\"a\tb\"", OT_ERR_PARSE, "json_syntax", NULL);
	expect_reject_n("\"a\0b\"", 5, OT_ERR_PARSE, "json_syntax", NULL);
	expect_reject_n("[1]\0", 4, OT_ERR_PARSE, "json_syntax", NULL);
	/* Not exactly one value. */
	expect_reject("", OT_ERR_PARSE, "json_syntax", NULL);
	expect_reject("  ", OT_ERR_PARSE, "json_syntax", NULL);
	expect_reject("[1] [2]", OT_ERR_PARSE, "json_syntax", "column");
	expect_reject("{\"a\":1}x", OT_ERR_PARSE, "json_syntax", NULL);
	expect_reject("\xef\xbb\xbf{}", OT_ERR_PARSE, "json_syntax", NULL); /* BOM */
	expect_reject("[1,]", OT_ERR_PARSE, "json_syntax", NULL);
	expect_reject("{\"a\":1,}", OT_ERR_PARSE, "json_syntax", NULL);
	expect_reject("{'a':1}", OT_ERR_PARSE, "json_syntax", NULL);
	expect_reject("[1] // c", OT_ERR_PARSE, "json_syntax", NULL);
	expect_reject("\f[1]", OT_ERR_PARSE, "json_syntax", NULL);
	expect_reject("\"\\x41\"", OT_ERR_PARSE, "json_syntax", NULL);
	expect_reject("[\"unterminated", OT_ERR_PARSE, "json_syntax", NULL);

	/* Messages quote hostile bytes as printable ASCII. */
	ot_error err;
	char *got = canon("[\"\xc3\x28\"]", &err);
	CHECK(got == NULL);
	for (const char *p = err.message; *p; p++)
		CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);

	/* The byte position of the error. */
	got = canon("{\"a\":1,\"a\":2}", &err);
	CHECK(got == NULL && err.index > 0 && err.index <= 13);

	/* The size limit, before any parsing. */
	json_t *v = NULL;
	CHECK_RC(otx_json_parse((const uint8_t *)"[1,2,3]", 7, 6, &v, &err), OT_ERR_TOOBIG);
	CHECK_STR(err.code, "json_too_big");
	CHECK(v == NULL);
	CHECK_OK(otx_json_parse((const uint8_t *)"[1,2,3]", 7, 7, &v, &err));
	json_decref(v);
	CHECK_RC(otx_json_parse(NULL, 3, 10, &v, &err), OT_ERR_ARG);
}

static void test_depth(void)
{
	char buf[5000];
	/* OTX_JSON_MAX_DEPTH arrays deep is fine, one more is not. */
	for (int depth = OTX_JSON_MAX_DEPTH; depth <= OTX_JSON_MAX_DEPTH + 1; depth++) {
		int n = 0;
		for (int i = 0; i < depth; i++)
			buf[n++] = '[';
		for (int i = 0; i < depth; i++)
			buf[n++] = ']';
		buf[n] = 0;
		if (depth == OTX_JSON_MAX_DEPTH)
			expect_canon(buf, buf);
		else
			expect_reject(buf, OT_ERR_PARSE, "json_too_deep", "64");
	}
	/* Objects count too, and jansson's own, deeper limit maps to the same code. */
	{
		int n = 0;
		for (int i = 0; i < 70; i++)
			n += snprintf(buf + n, sizeof buf - (size_t)n, "{\"a\":");
		buf[n++] = '1';
		for (int i = 0; i < 70; i++)
			buf[n++] = '}';
		buf[n] = 0;
		expect_reject(buf, OT_ERR_PARSE, "json_too_deep", "a.a.a");
	}
	memset(buf, '[', 3000);
	buf[3000] = 0;
	expect_reject(buf, OT_ERR_PARSE, "json_too_deep", NULL);
}

/* Values built with jansson's API (not parsed) meet the same checks. */
static void test_built_values(void)
{
	ot_buf b;
	ot_error err;
	json_t *v;

	ot_buf_init(&b, 0);
	CHECK_OK(ot_buf_adds(&b, "keep"));

	v = json_pack("{s:[i,f]}", "x", 1, 2.5);
	CHECK_RC(otx_jcs_write(&b, v, "event", &err), OT_ERR_PARSE);
	CHECK_STR(err.code, "json_not_integer");
	CHECK(strstr(err.message, "event.x[1]") != NULL);
	CHECK(b.len == 4 && strcmp((const char *)b.data, "keep") == 0); /* restored */
	json_decref(v);

	v = json_pack("{s:I}", "big", (json_int_t)INT64_MAX);
	CHECK_RC(otx_jcs_write(&b, v, NULL, &err), OT_ERR_PARSE);
	CHECK_STR(err.code, "json_number_range");
	json_decref(v);

	v = json_stringn_nocheck("\xc0\x80", 2);
	CHECK_RC(otx_jcs_write(&b, v, NULL, &err), OT_ERR_PARSE);
	CHECK_STR(err.code, "json_invalid_utf8");
	json_decref(v);

	v = json_stringn("a\0b", 3);
	CHECK_RC(otx_jcs_write(&b, v, NULL, &err), OT_ERR_PARSE);
	CHECK_STR(err.code, "json_nul");
	json_decref(v);

	v = json_object();
	CHECK(json_object_setn_new_nocheck(v, "\xff", 1, json_true()) == 0);
	CHECK_RC(otx_jcs_write(&b, v, "obj", &err), OT_ERR_PARSE);
	CHECK_STR(err.code, "json_invalid_utf8");
	CHECK(strstr(err.message, "member name") != NULL);
	CHECK_RC(otx_json_check(v, NULL, &err), OT_ERR_PARSE);
	json_decref(v);

	v = json_pack("{s:s,s:i}", "b", "x", "a", 1);
	CHECK_OK(otx_jcs_write(&b, v, NULL, &err));
	CHECK_STR((const char *)b.data, "keep{\"a\":1,\"b\":\"x\"}");
	CHECK_OK(otx_json_check(v, NULL, &err));
	json_decref(v);

	/* The buffer's cap is an error with its own code, and restores len. */
	ot_buf small;
	ot_buf_init(&small, 8);
	v = json_pack("{s:s}", "abc", "defgh");
	CHECK_RC(otx_jcs_write(&small, v, NULL, &err), OT_ERR_TOOBIG);
	CHECK_STR(err.code, "json_too_big");
	CHECK(small.len == 0);
	json_decref(v);
	ot_buf_free(&small);
	ot_buf_free(&b);
}

/* ---- properties over random values ------------------------------------------ */

static uint32_t random_code_point(void)
{
	/* Weighted towards the ranges whose orders differ. */
	switch (test_rand() % 8) {
	case 0: return (uint32_t)(test_rand() % 0x80);
	case 1: return 0x80 + (uint32_t)(test_rand() % 0x780);
	case 2: return 0xE000 + (uint32_t)(test_rand() % 0x2000);
	case 3: return 0x10000 + (uint32_t)(test_rand() % 0x100000);
	case 4: return 0x1F600 + (uint32_t)(test_rand() % 4);
	case 5: return 0xFB30 + (uint32_t)(test_rand() % 4);
	default: {
		uint32_t cp;
		do
			cp = (uint32_t)(test_rand() % 0x110000);
		while ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0);
		return cp;
	}
	}
}

static size_t put_utf8(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* A random string of up to 6 characters; its code points in cps. */
static size_t random_string(char *out, uint32_t *cps, size_t *ncp)
{
	size_t n = 0, k = (size_t)(test_rand() % 7);
	for (size_t i = 0; i < k; i++) {
		uint32_t cp = random_code_point();
		if (cp == 0)
			cp = 1;
		cps[i] = cp;
		n += put_utf8(cp, out + n);
	}
	*ncp = k;
	out[n] = 0;
	return n;
}

/* Reference order: expand to UTF-16 and compare unit by unit. */
static int utf16_order(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	uint16_t ua[16], ub[16];
	size_t la = 0, lb = 0;
	for (size_t i = 0; i < na; i++) {
		if (a[i] >= 0x10000) {
			ua[la++] = (uint16_t)(0xD800 + ((a[i] - 0x10000) >> 10));
			ua[la++] = (uint16_t)(0xDC00 + ((a[i] - 0x10000) & 0x3FF));
		} else {
			ua[la++] = (uint16_t)a[i];
		}
	}
	for (size_t i = 0; i < nb; i++) {
		if (b[i] >= 0x10000) {
			ub[lb++] = (uint16_t)(0xD800 + ((b[i] - 0x10000) >> 10));
			ub[lb++] = (uint16_t)(0xDC00 + ((b[i] - 0x10000) & 0x3FF));
		} else {
			ub[lb++] = (uint16_t)b[i];
		}
	}
	for (size_t i = 0; i < la && i < lb; i++)
		if (ua[i] != ub[i])
			return ua[i] < ub[i] ? -1 : 1;
	return la < lb ? -1 : (la > lb ? 1 : 0);
}

static int sign_of(int x)
{
	return (x > 0) - (x < 0);
}

static void test_name_order_property(void)
{
	char a[32], b[32];
	uint32_t ca[8], cb[8];
	size_t na, nb;
	int mismatches = 0;

	test_seed(8785);
	for (int i = 0; i < 200000; i++) {
		size_t la = random_string(a, ca, &na);
		size_t lb;
		if (test_rand() % 4 == 0) { /* share a prefix now and then */
			memcpy(b, a, la + 1);
			memcpy(cb, ca, sizeof ca);
			nb = na;
			lb = la;
			if (nb && test_rand() % 2) {
				nb--;
				cb[nb] = random_code_point();
				lb = 0;
				for (size_t k = 0; k <= nb; k++)
					lb += put_utf8(cb[k], b + lb);
				nb++;
				b[lb] = 0;
			}
		} else {
			lb = random_string(b, cb, &nb);
		}
		int got = sign_of(otx_jcs_compare_names(a, la, b, lb));
		int want = utf16_order(ca, na, cb, nb);
		if (got != want && mismatches++ < 5)
			fprintf(stderr, "  order mismatch: got %d want %d\n", got, want);
	}
	CHECK(mismatches == 0);
}

static json_t *random_value(int depth)
{
	char s[32];
	uint32_t cps[8];
	size_t n, ncp;
	unsigned kind = (unsigned)(test_rand() % (depth < 5 ? 8 : 5));

	switch (kind) {
	case 0: return json_null();
	case 1: return json_boolean(test_rand() % 2);
	case 2: {
		json_int_t v = (json_int_t)(test_rand() % (uint64_t)OTX_JSON_INT_MAX);
		return json_integer(test_rand() % 2 ? -v : v);
	}
	case 3:
	case 4: {
		/* Controls and quotes appear often enough to test escaping. */
		n = random_string(s, cps, &ncp);
		if (n < 30 && test_rand() % 3 == 0)
			s[n++] = "\"\\\n\x01\x1f/"[test_rand() % 6];
		return json_stringn(s, n);
	}
	case 5:
	case 6: {
		json_t *o = json_object();
		size_t k = (size_t)(test_rand() % 6);
		for (size_t i = 0; i < k; i++) {
			n = random_string(s, cps, &ncp);
			json_object_setn_new(o, s, n, random_value(depth + 1));
		}
		return o;
	}
	default: {
		json_t *a = json_array();
		size_t k = (size_t)(test_rand() % 5);
		for (size_t i = 0; i < k; i++)
			json_array_append_new(a, random_value(depth + 1));
		return a;
	}
	}
}

static void test_round_trip_property(void)
{
	int failures = 0;
	ot_error err;

	test_seed(20250901);
	for (int i = 0; i < 3000; i++) {
		json_t *v = random_value(0), *back = NULL;
		ot_buf c1, c2;
		ot_buf_init(&c1, 0);
		ot_buf_init(&c2, 0);
		int ok = otx_jcs_write(&c1, v, NULL, &err) == OT_OK &&
		         otx_json_parse(c1.data, c1.len, c1.len, &back, &err) == OT_OK &&
		         json_equal(v, back) && otx_jcs_write(&c2, back, NULL, &err) == OT_OK &&
		         c1.len == c2.len && memcmp(c1.data, c2.data, c1.len) == 0;
		if (!ok && failures++ < 3)
			fprintf(stderr, "  round trip failed: %s (%s)\n",
			        c1.data ? (const char *)c1.data : "", err.message);
		json_decref(v);
		json_decref(back);
		ot_buf_free(&c1);
		ot_buf_free(&c2);
	}
	CHECK(failures == 0);
}

static void test_utf8_valid(void)
{
	CHECK(otx_utf8_valid((const uint8_t *)"", 0));
	CHECK(otx_utf8_valid((const uint8_t *)"abc\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 12));
	CHECK(!otx_utf8_valid((const uint8_t *)"\xc1\xbf", 2));         /* overlong */
	CHECK(!otx_utf8_valid((const uint8_t *)"\xf0\x8f\xbf\xbf", 4)); /* overlong */
	CHECK(!otx_utf8_valid((const uint8_t *)"\xed\xbf\xbf", 3));     /* surrogate */
	CHECK(otx_utf8_valid((const uint8_t *)"\xee\x80\x80", 3));      /* U+E000 */
	CHECK(!otx_utf8_valid((const uint8_t *)"\xf5\x80\x80\x80", 4));
	CHECK(!otx_utf8_valid((const uint8_t *)"\xe2\x82", 2));
}

int main(void)
{
	test_rfc8785_sorting();
	test_rfc8785_strings();
	test_structure();
	test_numbers();
	test_rejections();
	test_depth();
	test_built_values();
	test_utf8_valid();
	test_name_order_property();
	test_round_trip_property();
	return test_done("test_jcs");
}
