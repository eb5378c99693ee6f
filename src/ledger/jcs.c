/*
 * jcs.c: strict JSON parsing (jansson plus oretrail's data-model checks) and
 * RFC 8785 canonical serialisation.
 *
 * One recursive walk does both jobs: with an output buffer it writes the
 * canonical form, without one it only checks. Either way it keeps a stack of
 * the member names and array indexes leading to the value it is looking at,
 * and spells it as a JSON path (event.outputs[1].mass_g) only when an error
 * needs to say exactly where the input went wrong: valid input, the common
 * case, pays nothing for messages. Member order follows RFC 8785
 * section 3.2.3: names compare as arrays of UTF-16 code units. UTF-8 byte
 * order agrees with that except between a character above U+FFFF (a
 * surrogate pair, D800..DFFF) and one in U+E000..U+FFFF, which is why the
 * comparison decodes the first differing character instead of using memcmp.
 */
#include "ledger/jcs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/status.h"

/* Longest JSON path kept for messages; longer paths are elided with "...". */
#define PATH_MAX_LEN 240
/* Objects up to this many members are sorted without a heap allocation. */
#define SMALL_OBJECT 16

/* ---- UTF-8 ---------------------------------------------------------------- */

/* Decodes one character at s (len > 0 bytes available) into *cp and returns
 * its length in bytes, or 0 when the bytes there are not valid UTF-8. */
static size_t utf8_decode(const uint8_t *s, size_t len, uint32_t *cp)
{
	uint8_t b0 = s[0];
	size_t n;
	uint32_t c, min;

	if (b0 < 0x80) {
		*cp = b0;
		return 1;
	}
	if (b0 >= 0xC2 && b0 <= 0xDF) {
		n = 2;
		c = b0 & 0x1Fu;
		min = 0x80;
	} else if (b0 >= 0xE0 && b0 <= 0xEF) {
		n = 3;
		c = b0 & 0x0Fu;
		min = 0x800;
	} else if (b0 >= 0xF0 && b0 <= 0xF4) {
		n = 4;
		c = b0 & 0x07u;
		min = 0x10000;
	} else {
		return 0; /* continuation byte, C0/C1 (always overlong) or F5..FF */
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3Fu);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

int otx_utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

/* The first UTF-16 code unit of a character. */
static uint32_t utf16_first_unit(uint32_t cp)
{
	return cp < 0x10000 ? cp : 0xD800 + ((cp - 0x10000) >> 10);
}

int otx_jcs_compare_names(const char *a, size_t alen, const char *b, size_t blen)
{
	const uint8_t *ua = (const uint8_t *)a, *ub = (const uint8_t *)b;
	size_t n = alen < blen ? alen : blen;
	size_t i = 0;
	uint32_t ca, cb;

	while (i < n && ua[i] == ub[i])
		i++;
	if (i == n) /* one is a prefix of the other: in UTF-16 too */
		return alen < blen ? -1 : (alen > blen ? 1 : 0);

	/* The bytes before i are equal, so both strings have a character
	 * starting at the same position at or before i: back up to it. */
	while (i > 0 && (ua[i] & 0xC0) == 0x80)
		i--;
	if (!utf8_decode(ua + i, alen - i, &ca) || !utf8_decode(ub + i, blen - i, &cb))
		return ua[i] < ub[i] ? -1 : 1; /* not UTF-8 (callers validate): bytes */
	if (utf16_first_unit(ca) != utf16_first_unit(cb))
		return utf16_first_unit(ca) < utf16_first_unit(cb) ? -1 : 1;
	/* Both above U+FFFF with the same high surrogate: the low surrogates
	 * order as the code points do. */
	return ca < cb ? -1 : 1;
}

/* ---- the walk -------------------------------------------------------------- */

/* One step of the path from the top: a member name, or (name NULL) an
 * array index. */
typedef struct step {
	const char *name;
	size_t len;
	size_t index;
} step;

typedef struct walker {
	ot_buf *out; /* NULL: check only */
	ot_error *err;
	const char *base;               /* the caller's name for the value */
	step steps[OTX_JSON_MAX_DEPTH]; /* one per enclosing container */
	int nsteps;
	char path[PATH_MAX_LEN + 4]; /* spelled out by where(); + "..." and NUL */
	size_t path_len;
} walker;

typedef struct member {
	const char *name;
	size_t len;
	json_t *value;
} member;

/* Appends one path segment when it fits, else "..." (once in a row). */
static void path_add(walker *w, const char *seg, size_t len)
{
	if (w->path_len + len <= PATH_MAX_LEN) {
		memcpy(w->path + w->path_len, seg, len);
		w->path_len += len;
	} else if (w->path_len < 3 || memcmp(w->path + w->path_len - 3, "...", 3) != 0) {
		memcpy(w->path + w->path_len, "...", 3);
		w->path_len += 3;
	}
	w->path[w->path_len] = 0;
}

static int is_identifier(const char *s, size_t len)
{
	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return 0;
	}
	return 1;
}

/* Adds a member name: `.name` for identifiers (no dot at the start of the
 * path), `["name"]` with quotes, backslashes and controls escaped otherwise. */
static void path_add_name(walker *w, const char *name, size_t len)
{
	char seg[PATH_MAX_LEN + 8];
	size_t n = 0;

	if (is_identifier(name, len) && len < PATH_MAX_LEN) {
		if (w->path_len)
			seg[n++] = '.';
		memcpy(seg + n, name, len);
		path_add(w, seg, n + len);
		return;
	}
	seg[n++] = '[';
	seg[n++] = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (n + 8 > PATH_MAX_LEN) {
			path_add(w, seg, PATH_MAX_LEN + 1); /* too long: elided */
			return;
		}
		if (c == '"' || c == '\\') {
			seg[n++] = '\\';
			seg[n++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			n += (size_t)snprintf(seg + n, sizeof seg - n, "\\u%04x", c);
		} else {
			seg[n++] = (char)c;
		}
	}
	seg[n++] = '"';
	seg[n++] = ']';
	path_add(w, seg, n);
}

/* Spells the current path for a message: "event.outputs[1].mass_g", or
 * "the top level". Only called on errors. */
static const char *where(walker *w)
{
	w->path_len = 0;
	w->path[0] = 0;
	if (w->base && *w->base)
		path_add(w, w->base, strlen(w->base));
	for (int i = 0; i < w->nsteps; i++) {
		const step *st = &w->steps[i];
		if (st->name) {
			path_add_name(w, st->name, st->len);
		} else {
			char seg[32];
			int n = snprintf(seg, sizeof seg, "[%zu]", st->index);
			path_add(w, seg, (size_t)n);
		}
	}
	return w->path_len ? w->path : "the top level";
}

/* Appends output bytes (when writing), turning buffer failures into errors. */
static ot_status put(walker *w, const void *data, size_t len)
{
	ot_status rc;
	if (!w->out)
		return OT_OK;
	rc = ot_buf_add(w->out, data, len);
	if (rc == OT_ERR_TOOBIG)
		return ot_error_at(w->err, rc, "json_too_big", -1,
		                   "canonical JSON exceeds the limit of %zu bytes (at %s)",
		                   w->out->max, where(w));
	if (rc)
		return ot_error_set(w->err, rc, "out of memory writing canonical JSON");
	return OT_OK;
}

/* Checks that a string (or member name) is valid UTF-8 without U+0000.
 * `what` begins the message: "the string at", "a member name in". */
static ot_status check_text(walker *w, const char *s, size_t len, const char *what)
{
	if (!otx_utf8_valid((const uint8_t *)s, len))
		return ot_error_at(w->err, OT_ERR_PARSE, "json_invalid_utf8", -1,
		                   "%s %s is not valid UTF-8", what, where(w));
	if (memchr(s, 0, len))
		return ot_error_at(w->err, OT_ERR_PARSE, "json_nul", -1,
		                   "%s %s contains U+0000, which oretrail does not allow", what,
		                   where(w));
	return OT_OK;
}

/* Emits a checked string quoted and escaped exactly as JSON.stringify does
 * (RFC 8785 section 3.2.2.2): the two mandatory escapes \" and \\, the
 * short forms \b \f \n \r \t, \u00xx with lowercase hex for the other
 * controls, and every other character as it is, in UTF-8. */
static ot_status put_string(walker *w, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *u = (const uint8_t *)s;
	size_t run = 0; /* start of the pending run of bytes copied verbatim */
	ot_status rc;

	if (!w->out)
		return OT_OK;
	if ((rc = put(w, "\"", 1)))
		return rc;
	for (size_t i = 0; i < len; i++) {
		char esc[6];
		size_t n = 2;
		uint8_t c = u[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xF];
			n = 6;
			break;
		}
		if ((rc = put(w, s + run, i - run)) || (rc = put(w, esc, n)))
			return rc;
		run = i + 1;
	}
	if ((rc = put(w, s + run, len - run)))
		return rc;
	return put(w, "\"", 1);
}

/* Writes an integer (|v| < 2^53) in plain decimal, as JCS does for it. */
static ot_status put_integer(walker *w, json_int_t v)
{
	char digits[24];
	size_t n = sizeof digits;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		digits[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		digits[--n] = '-';
	return put(w, digits + n, sizeof digits - n);
}

static int member_cmp(const void *pa, const void *pb)
{
	const member *a = pa, *b = pb;
	return otx_jcs_compare_names(a->name, a->len, b->name, b->len);
}

static ot_status walk(walker *w, json_t *v, int depth);

static ot_status walk_object(walker *w, json_t *obj, int depth)
{
	member small[SMALL_OBJECT];
	member *m = small;
	size_t n = json_object_size(obj), i = 0;
	ot_status rc = OT_OK;

	if (n > SMALL_OBJECT) {
		m = malloc(n * sizeof *m);
		if (!m)
			return ot_error_set(w->err, OT_ERR_NOMEM,
			                    "out of memory sorting an object");
	}
	for (void *it = json_object_iter(obj); it && i < n; it = json_object_iter_next(obj, it)) {
		m[i].name = json_object_iter_key(it);
		m[i].len = json_object_iter_key_len(it);
		m[i].value = json_object_iter_value(it);
		/* Names are checked before they are compared or shown. */
		if ((rc = check_text(w, m[i].name, m[i].len, "a member name in the object at")))
			goto out;
		i++;
	}
	n = i;
	if (w->out)
		qsort(m, n, sizeof *m, member_cmp);

	if ((rc = put(w, "{", 1)))
		goto out;
	for (i = 0; i < n; i++) {
		if ((i && (rc = put(w, ",", 1))) || (rc = put_string(w, m[i].name, m[i].len)) ||
		    (rc = put(w, ":", 1)))
			goto out;
		w->steps[w->nsteps++] = (step){.name = m[i].name, .len = m[i].len};
		rc = walk(w, m[i].value, depth);
		w->nsteps--;
		if (rc)
			goto out;
	}
	rc = put(w, "}", 1);
out:
	if (m != small)
		free(m);
	return rc;
}

static ot_status walk_array(walker *w, json_t *arr, int depth)
{
	size_t n = json_array_size(arr);
	ot_status rc;

	if ((rc = put(w, "[", 1)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (i && (rc = put(w, ",", 1)))
			return rc;
		w->steps[w->nsteps++] = (step){.index = i};
		rc = walk(w, json_array_get(arr, i), depth);
		w->nsteps--;
		if (rc)
			return rc;
	}
	return put(w, "]", 1);
}

static ot_status walk(walker *w, json_t *v, int depth)
{
	json_int_t iv;
	ot_status rc;

	if (!v)
		return ot_error_set(w->err, OT_ERR_ARG, "missing JSON value at %s", where(w));
	switch (json_typeof(v)) {
	case JSON_OBJECT:
	case JSON_ARRAY:
		if (depth + 1 > OTX_JSON_MAX_DEPTH)
			return ot_error_at(w->err, OT_ERR_PARSE, "json_too_deep", -1,
			                   "JSON nested deeper than %d levels at %s",
			                   OTX_JSON_MAX_DEPTH, where(w));
		return json_is_object(v) ? walk_object(w, v, depth + 1)
		                         : walk_array(w, v, depth + 1);
	case JSON_STRING:
		if ((rc = check_text(w, json_string_value(v), json_string_length(v),
		                     "the string at")))
			return rc;
		return put_string(w, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		iv = json_integer_value(v);
		if (iv > OTX_JSON_INT_MAX || iv < -OTX_JSON_INT_MAX)
			return ot_error_at(w->err, OT_ERR_PARSE, "json_number_range", -1,
			                   "integer %lld at %s is outside +-(2^53-1), the range "
			                   "canonical JSON (RFC 8785) represents exactly",
			                   (long long)iv, where(w));
		return put_integer(w, iv);
	case JSON_REAL:
		/* jansson keeps no source text: 1.0 and 1e0 both print as 1. */
		return ot_error_at(w->err, OT_ERR_PARSE, "json_not_integer", -1,
		                   "the number at %s (%.17g) has a fraction or an exponent: "
		                   "oretrail numbers are integers (grams, mg/kg, minor units, "
		                   "microdegrees) in plain decimal",
		                   where(w), json_real_value(v));
	case JSON_TRUE: return put(w, "true", 4);
	case JSON_FALSE: return put(w, "false", 5);
	case JSON_NULL: return put(w, "null", 4);
	}
	return ot_error_set(w->err, OT_ERR_ARG, "unknown JSON value type at %s", where(w));
}

static void walker_init(walker *w, ot_buf *out, const char *path, ot_error *err)
{
	w->out = out;
	w->err = err;
	w->base = path;
	w->nsteps = 0;
	w->path_len = 0;
	w->path[0] = 0;
}

ot_status otx_json_check(json_t *value, const char *path, ot_error *err)
{
	walker w;
	walker_init(&w, NULL, path, err);
	return walk(&w, value, 0);
}

ot_status otx_jcs_write(ot_buf *out, json_t *value, const char *path, ot_error *err)
{
	walker w;
	size_t saved;
	ot_status rc;

	if (!out)
		return ot_error_set(err, OT_ERR_ARG, "otx_jcs_write: no output buffer");
	saved = out->len;
	walker_init(&w, out, path, err);
	rc = walk(&w, value, 0);
	if (rc) {
		out->len = saved;
		if (out->data)
			out->data[saved] = 0;
	}
	return rc;
}

/* ---- parsing --------------------------------------------------------------- */

/* jansson's message quotes the input near the error, which may hold any bytes;
 * keep ours printable ASCII so it can go into logs and JSON as is. */
static void sanitise(const char *in, size_t len, char *out, size_t size)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + 5 < size; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c >= 0x20 && c < 0x7f)
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
	}
	out[n] = 0;
}

ot_status otx_json_parse(const uint8_t *data, size_t len, size_t max_len, json_t **out,
                         ot_error *err)
{
	json_error_t je;
	json_t *v;
	const char *code;
	ot_status status = OT_ERR_PARSE;
	char text[4 * sizeof je.text + 1];
	ot_status rc;

	if (!out || (!data && len))
		return ot_error_set(err, OT_ERR_ARG, "otx_json_parse: bad arguments");
	*out = NULL;
	if (len > max_len)
		return ot_error_at(err, OT_ERR_TOOBIG, "json_too_big", -1,
		                   "JSON input of %zu bytes exceeds the limit of %zu bytes", len,
		                   max_len);

	v = json_loadb(data ? (const char *)data : "", len,
	               JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (!v) {
		switch (json_error_code(&je)) {
		case json_error_out_of_memory:
			status = OT_ERR_NOMEM;
			code = "nomem";
			break;
		case json_error_invalid_utf8: code = "json_invalid_utf8"; break;
		case json_error_null_character:
		case json_error_null_byte_in_key: code = "json_nul"; break;
		case json_error_duplicate_key: code = "json_duplicate_key"; break;
		case json_error_numeric_overflow: code = "json_number_range"; break;
		case json_error_stack_overflow: code = "json_too_deep"; break;
		default: code = "json_syntax"; break;
		}
		sanitise(je.text, strnlen(je.text, sizeof je.text - 1), text, sizeof text);
		return ot_error_at(err, status, code, je.position,
		                   "invalid JSON at line %d, column %d (byte %d): %s", je.line,
		                   je.column, je.position, text);
	}
	rc = otx_json_check(v, NULL, err);
	if (rc) {
		json_decref(v);
		return rc;
	}
	*out = v;
	return OT_OK;
}

ot_status otx_json_string_write(ot_buf *out, const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && s[i] >= 0x20 && s[i] < 0x7f)
		i++;
	if (i == len) {
		ot_status rc = ot_buf_addc(out, '"');
		for (size_t k = 0; !rc && k < len; k++) {
			if (s[k] == '"' || s[k] == '\\')
				rc = ot_buf_addc(out, '\\');
			if (!rc)
				rc = ot_buf_addc(out, s[k]);
		}
		return rc ? rc : ot_buf_addc(out, '"');
	}
	json_t *str = json_stringn(s, len);
	char *text = str ? json_dumps(str, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
	json_decref(str);
	ot_status rc = text ? ot_buf_adds(out, text) : OT_ERR_NOMEM;
	free(text);
	return rc;
}
