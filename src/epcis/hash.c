/*
 * epcis/hash.c: the CBV 2.0 EPCIS event hash ID (GS1 CBV 2.0, "EPCIS Event
 * Hash ID"), over EPCIS 2.0 JSON-LD documents read with jansson.
 *
 * The pre-hash string is built bottom-up as sorted lists of strings. Each
 * EPCIS structure is described by a table of its fields in canonical
 * property order; a field gives entries "name=value" (one per value of a
 * list), a list gives its name followed by its sorted items, a structure
 * gives its name followed by its fields in order and then its user
 * extensions, sorted. Values go through the normalisations of the rules:
 * trimmed, bare vocabulary and CURIEs expanded to web URIs, CBV URNs
 * replaced by web URIs, numbers without trailing zeros, times in UTC with
 * milliseconds, EPC URIs and Digital Link URIs as constrained canonical
 * Digital Link URIs (GS1 Digital Link 1.2 section 4.11; the EPC URI
 * grammar is GS1 Tag Data Standard 2.0 section 6).
 *
 * Where the written rules and the reference implementation's published
 * test vectors differ, the vectors win, because interoperable hash IDs are
 * the point: bizTransactionList, sourceList and destinationList are not
 * placed by the property order but sorted together with the ILMD and the
 * event-level user extensions at the end of the string, each item written
 * as type=...<name>=...; certificationInfo follows eventTimeZoneOffset.
 */
#include "epcis/hash.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/encoding.h"
#include "oretrail/hash.h"
#include "oretrail/status.h"

/* ---- a list of strings, sorted and joined ------------------------------- */

typedef struct slist {
	char **s;
	size_t *len;
	size_t n, cap;
} slist;

static void slist_free(slist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l->s);
	free(l->len);
	memset(l, 0, sizeof *l);
}

/* Takes over the contents of b (which is left empty). */
static ot_status slist_take(slist *l, ot_buf *b)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **s = realloc(l->s, cap * sizeof *s);
		if (!s)
			return OT_ERR_NOMEM;
		l->s = s;
		size_t *len = realloc(l->len, cap * sizeof *len);
		if (!len)
			return OT_ERR_NOMEM;
		l->len = len;
		l->cap = cap;
	}
	uint8_t *data;
	size_t n;
	ot_status rc = ot_buf_detach(b, &data, &n);
	if (rc)
		return rc;
	l->s[l->n] = (char *)data;
	l->len[l->n] = n;
	l->n++;
	return OT_OK;
}

typedef struct sref {
	const char *s;
	size_t len;
} sref;

/* Case-sensitive order of the characters' code points: for UTF-8 that is
 * byte order, a proper prefix first. */
static int sref_cmp(const void *a, const void *b)
{
	const sref *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);
	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* Appends the strings of l to out in sorted order. */
static ot_status slist_join_sorted(const slist *l, ot_buf *out)
{
	if (l->n == 0)
		return OT_OK;
	sref *r = malloc(l->n * sizeof *r);
	if (!r)
		return OT_ERR_NOMEM;
	for (size_t i = 0; i < l->n; i++) {
		r[i].s = l->s[i];
		r[i].len = l->len[i];
	}
	qsort(r, l->n, sizeof *r, sref_cmp);
	ot_status rc = OT_OK;
	for (size_t i = 0; i < l->n && !rc; i++)
		rc = ot_buf_add(out, r[i].s, r[i].len);
	free(r);
	return rc;
}

/* ---- documents ---------------------------------------------------------- */

/* The prefixes of the standard EPCIS 2.0 context; a document's own
 * @context objects come after them and win. */
static const otx_epcis_prefix STANDARD_PREFIXES[] = {
	{"epcis", "https://ref.gs1.org/epcis/"},
	{"cbv", "https://ref.gs1.org/cbv/"},
	{"gs1", "https://gs1.org/voc/"},
	{"rdfs", "http://www.w3.org/2000/01/rdf-schema#"},
	{"owl", "http://www.w3.org/2002/07/owl#"},
	{"xsd", "http://www.w3.org/2001/XMLSchema#"},
	{"dcterms", "http://purl.org/dc/terms/"},
};
#define N_STANDARD_PREFIXES (sizeof STANDARD_PREFIXES / sizeof STANDARD_PREFIXES[0])

void otx_epcis_doc_init(ot_epcis_doc *doc)
{
	memset(doc, 0, sizeof *doc);
}

void otx_epcis_doc_clear(ot_epcis_doc *doc)
{
	if (!doc)
		return;
	if (doc->own_events)
		json_decref(doc->events);
	json_decref(doc->root);
	otx_epcis_doc_init(doc);
}

size_t ot_epcis_doc_count(const ot_epcis_doc *doc)
{
	return doc && doc->events ? json_array_size(doc->events) : 0;
}

json_t *ot_epcis_doc_event(const ot_epcis_doc *doc, size_t i)
{
	return doc && doc->events ? json_array_get(doc->events, i) : NULL;
}

static void collect_prefixes(ot_epcis_doc *doc, json_t *ctx)
{
	if (json_is_array(ctx)) {
		size_t i;
		json_t *c;
		json_array_foreach(ctx, i, c) collect_prefixes(doc, c);
		return;
	}
	if (!json_is_object(ctx))
		return;
	const char *key;
	json_t *v;
	json_object_foreach(ctx, key, v)
	{
		if (key[0] == '@' || !json_is_string(v) || strchr(key, ':'))
			continue;
		if (doc->n_prefixes == OTX_EPCIS_MAX_PREFIXES)
			return;
		doc->prefixes[doc->n_prefixes].prefix = key;
		doc->prefixes[doc->n_prefixes].iri = json_string_value(v);
		doc->n_prefixes++;
	}
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

ot_status otx_epcis_doc_parse(const uint8_t *data, size_t len, ot_epcis_doc *out, ot_error *err)
{
	otx_epcis_doc_clear(out);
	if (len > OT_EPCIS_INPUT_MAX)
		return ot_error_at(err, OT_ERR_TOOBIG, "epcis_too_big", -1,
		                   "document of %zu bytes exceeds the limit of %zu", len,
		                   OT_EPCIS_INPUT_MAX);
	json_error_t jerr;
	json_t *root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return ot_error_at(err, OT_ERR_PARSE, "epcis_json", jerr.position,
		                   "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
	return otx_epcis_doc_from_json(root, out, err);
}

ot_status ot_epcis_doc_parse(const uint8_t *data, size_t len, ot_epcis_doc **out, ot_error *err)
{
	*out = NULL;
	ot_epcis_doc *doc = malloc(sizeof *doc);
	if (!doc)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	otx_epcis_doc_init(doc);
	ot_status rc = otx_epcis_doc_parse(data, len, doc, err);
	if (rc) {
		ot_epcis_doc_free(doc);
		return rc;
	}
	*out = doc;
	return OT_OK;
}

void ot_epcis_doc_free(ot_epcis_doc *doc)
{
	otx_epcis_doc_clear(doc);
	free(doc);
}

ot_status otx_epcis_doc_from_json(json_t *root, ot_epcis_doc *out, ot_error *err)
{
	otx_epcis_doc_clear(out);
	out->root = root;
	if (!json_is_object(root)) {
		otx_epcis_doc_clear(out);
		return ot_error_at(err, OT_ERR_PARSE, "epcis_not_document", -1,
		                   "not an EPCIS document: the top level is not an object");
	}
	json_t *body = json_object_get(root, "epcisBody");
	json_t *type = json_object_get(root, "type");
	if (json_is_object(body)) {
		json_t *list = json_object_get(body, "eventList");
		if (!list) {
			json_t *results = json_object_get(body, "queryResults");
			json_t *rbody = json_object_get(results, "resultsBody");
			list = json_object_get(rbody, "eventList");
		}
		if (json_is_array(list)) {
			out->events = list;
		} else if (json_is_object(json_object_get(body, "event"))) {
			out->events = json_array();
			out->own_events = 1;
			if (!out->events ||
			    json_array_append(out->events, json_object_get(body, "event"))) {
				otx_epcis_doc_clear(out);
				return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
			}
		} else {
			otx_epcis_doc_clear(out);
			return ot_error_at(
				err, OT_ERR_PARSE, "epcis_no_events", -1,
				"epcisBody has no eventList (nor queryResults.resultsBody."
				"eventList, nor event)");
		}
	} else if (json_is_string(type) && ends_with(json_string_value(type), "Event")) {
		out->events = json_array();
		out->own_events = 1;
		if (!out->events || json_array_append(out->events, root)) {
			otx_epcis_doc_clear(out);
			return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		}
	} else {
		otx_epcis_doc_clear(out);
		return ot_error_at(err, OT_ERR_PARSE, "epcis_not_document", -1,
		                   "not an EPCIS document: no epcisBody object and not an event");
	}
	collect_prefixes(out, json_object_get(root, "@context"));
	/* A document may name fields its events carry that are not part of
	 * the event (a repository's own hash, a capture id): a member such as
	 * "repository-x:ignoreFields": ["repository-x:hash", ...] in the
	 * document, its body or its query results. */
	json_t *results = json_object_get(body, "queryResults");
	json_t *holders[] = {root, body, results, json_object_get(results, "resultsBody")};
	for (size_t h = 0; h < sizeof holders / sizeof holders[0]; h++) {
		const char *key;
		json_t *v;
		if (!json_is_object(holders[h]))
			continue;
		json_object_foreach(holders[h], key, v)
		{
			if (json_is_array(v) &&
			    (strcmp(key, "ignoreFields") == 0 || ends_with(key, ":ignoreFields")))
				out->ignore = v;
		}
	}
	return OT_OK;
}

/* The namespace IRI of a prefix, or NULL. */
static const char *prefix_iri(const ot_epcis_doc *doc, const char *p, size_t n)
{
	if (!doc)
		return NULL;
	for (size_t i = doc->n_prefixes; i-- > 0;)
		if (strlen(doc->prefixes[i].prefix) == n &&
		    memcmp(doc->prefixes[i].prefix, p, n) == 0)
			return doc->prefixes[i].iri;
	for (size_t i = 0; i < N_STANDARD_PREFIXES; i++)
		if (strlen(STANDARD_PREFIXES[i].prefix) == n &&
		    memcmp(STANDARD_PREFIXES[i].prefix, p, n) == 0)
			return STANDARD_PREFIXES[i].iri;
	return NULL;
}

/* Appends a member name: "prefix:local" with a known prefix becomes
 * "{namespace}local" (rules 19-21); anything else is written as it is. */
static ot_status add_key(const ot_epcis_doc *doc, const char *key, ot_buf *out)
{
	const char *colon = strchr(key, ':');
	const char *iri = colon ? prefix_iri(doc, key, (size_t)(colon - key)) : NULL;
	if (!iri || colon[1] == '/')
		return ot_buf_adds(out, key);
	ot_status rc = ot_buf_addc(out, '{');
	if (!rc)
		rc = ot_buf_adds(out, iri);
	if (!rc)
		rc = ot_buf_addc(out, '}');
	if (!rc)
		rc = ot_buf_adds(out, colon + 1);
	return rc;
}

/* ---- numbers ------------------------------------------------------------ */

/*
 * Writes the plain decimal form of a decimal number given as its digits
 * (no point), with `point` the position of the decimal point in them (may
 * be negative or beyond the digits). Leading and trailing zeros go; zero is
 * "0". Returns 0, or -1 when out is too small.
 */
static int plain_decimal(int negative, const char *digits, size_t nd, long point, char *out,
                         size_t size)
{
	while (nd > 0 && digits[0] == '0') {
		digits++;
		nd--;
		point--;
	}
	while (nd > 0 && digits[nd - 1] == '0')
		nd--;
	size_t o = 0;
#define PUT(c)                     \
	do {                       \
		if (o + 1 >= size) \
			return -1; \
		out[o++] = (c);    \
	} while (0)
	if (nd == 0) {
		PUT('0');
		out[o] = 0;
		return 0;
	}
	if (negative)
		PUT('-');
	if (point <= 0) {
		PUT('0');
		PUT('.');
		for (long i = point; i < 0; i++)
			PUT('0');
		for (size_t i = 0; i < nd; i++)
			PUT(digits[i]);
	} else if ((size_t)point >= nd) {
		for (size_t i = 0; i < nd; i++)
			PUT(digits[i]);
		for (size_t i = nd; i < (size_t)point; i++)
			PUT('0');
	} else {
		for (size_t i = 0; i < nd; i++) {
			if (i == (size_t)point)
				PUT('.');
			PUT(digits[i]);
		}
	}
#undef PUT
	out[o] = 0;
	return 0;
}

/* Largest exponent and number of digits accepted in a numeric string;
 * longer ones are left as they are (they are not quantities). */
#define NUM_MAX_EXP 400
#define NUM_MAX_DIGITS 400

/*
 * Rule 6: a value that is a decimal number ([+-]digits[.digits][e[+-]digits])
 * is written without leading or trailing zeros, without "+" and without an
 * exponent: "1.0" -> "1", "0.3434" stays, "+5" -> "5", "1e3" -> "1000".
 * Returns 1 and writes out, or 0 when s is not such a number.
 */
static int canonical_number(const char *s, size_t len, char *out, size_t size)
{
	char digits[NUM_MAX_DIGITS];
	size_t nd = 0, i = 0;
	long point = -1;
	int negative = 0, any = 0;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		negative = s[i++] == '-';
	for (; i < len; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			if (nd == NUM_MAX_DIGITS)
				return 0;
			digits[nd++] = c;
			any = 1;
		} else if (c == '.' && point < 0) {
			point = (long)nd;
		} else {
			break;
		}
	}
	if (!any)
		return 0;
	if (point < 0)
		point = (long)nd;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		int eneg = 0;
		long e = 0;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		if (i == len || s[i] < '0' || s[i] > '9')
			return 0;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			e = e * 10 + (s[i] - '0');
			if (e > NUM_MAX_EXP)
				return 0;
		}
		point += eneg ? -e : e;
	}
	if (i != len)
		return 0;
	return plain_decimal(negative, digits, nd, point, out, size) == 0;
}

ot_status otx_epcis_format_real(double d, char *out, size_t size)
{
	if (!isfinite(d))
		return OT_ERR_RANGE;
	/* The shortest of %.1e ... %.17e that reads back as d. */
	char e[40];
	for (int prec = 0; prec <= 16; prec++) {
		snprintf(e, sizeof e, "%.*e", prec, d);
		if (strtod(e, NULL) == d)
			break;
	}
	if (!canonical_number(e, strlen(e), out, size))
		return OT_ERR_RANGE;
	return OT_OK;
}

/* ---- times -------------------------------------------------------------- */

static int digits_at(const char *s, size_t len, size_t at, size_t n, int *value)
{
	if (at + n > len)
		return 0;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[at + i];
		if (c < '0' || c > '9')
			return 0;
		v = v * 10 + (c - '0');
	}
	*value = v;
	return 1;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int y, int m)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

ot_status otx_epcis_time(const char *s, size_t len, char out[OTX_EPCIS_TIME_LEN + 1],
                         int64_t *unix_ms)
{
	int y, mo, d, h, mi, sec = 0, oh = 0, om = 0, ms = 0;
	size_t i = 0;
	if (!digits_at(s, len, 0, 4, &y) || len < 16 || s[4] != '-' ||
	    !digits_at(s, len, 5, 2, &mo) || s[7] != '-' || !digits_at(s, len, 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't') || !digits_at(s, len, 11, 2, &h) || s[13] != ':' ||
	    !digits_at(s, len, 14, 2, &mi))
		return OT_ERR_PARSE;
	i = 16;
	if (i < len && s[i] == ':') {
		if (!digits_at(s, len, i + 1, 2, &sec))
			return OT_ERR_PARSE;
		i += 3;
		if (i < len && s[i] == '.') {
			size_t start = ++i;
			while (i < len && s[i] >= '0' && s[i] <= '9')
				i++;
			size_t nf = i - start;
			if (nf == 0)
				return OT_ERR_PARSE;
			for (size_t k = 0; k < 3; k++)
				ms = ms * 10 + (k < nf ? s[start + k] - '0' : 0);
			/* Rule 9: the third decimal is rounded up when the fourth
			 * is 5 to 9. */
			if (nf > 3 && s[start + 3] >= '5')
				ms++;
		}
	}
	int sign = 0;
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < len && (s[i] == '+' || s[i] == '-')) {
		sign = s[i] == '-' ? -1 : 1;
		if (!digits_at(s, len, i + 1, 2, &oh))
			return OT_ERR_PARSE;
		i += 3;
		if (i < len && s[i] == ':')
			i++;
		if (!digits_at(s, len, i, 2, &om))
			return OT_ERR_PARSE;
		i += 2;
		if (oh > 23 || om > 59)
			return OT_ERR_PARSE;
	}
	if (i != len)
		return OT_ERR_PARSE;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 24 || mi > 59 ||
	    sec > 60 || (h == 24 && (mi || sec || ms)))
		return OT_ERR_PARSE;
	if (sec == 60) /* a leap second reads as the next second, as in xsd */
		sec = 59, ms += 1000;
	int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	t -= sign * (oh * 3600 + om * 60);
	int64_t total_ms = t * 1000 + ms;
	int64_t secs = total_ms >= 0 ? total_ms / 1000 : -((-total_ms + 999) / 1000);
	int frac = (int)(total_ms - secs * 1000);
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int64_t rem = secs - days * 86400;
	int64_t yy;
	int mm, dd;
	civil_from_days(days, &yy, &mm, &dd);
	if (yy < 0 || yy > 9999)
		return OT_ERR_PARSE;
	char text[64]; /* room for what the compiler cannot see is in range */
	snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)yy, mm, dd,
	         (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), frac);
	memcpy(out, text, OTX_EPCIS_TIME_LEN + 1);
	if (unix_ms)
		*unix_ms = total_ms;
	return OT_OK;
}

/* ---- GS1 identifiers ------------------------------------------------------ */

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/*
 * Checks an EPC URI component that holds GS1 AI encodable characters
 * (TDS 2.0 section 6: the characters of table A-1, with " % & / < > ?
 * escaped as %XX) and returns its length in characters, or -1.
 */
static long urn_chars(const char *s, size_t n)
{
	long count = 0;
	for (size_t i = 0; i < n; i++, count++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			char h1 = s[i + 1], h2 = s[i + 2];
			if (!((h1 >= '0' && h1 <= '9') || (h1 >= 'A' && h1 <= 'F') ||
			      (h1 >= 'a' && h1 <= 'f')) ||
			    !((h2 >= '0' && h2 <= '9') || (h2 >= 'A' && h2 <= 'F') ||
			      (h2 >= 'a' && h2 <= 'f')))
				return -1;
			i += 2;
			continue;
		}
		if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    strchr("!'()*+,-.:;=_", c))
			continue;
		return -1;
	}
	return count;
}

/* Appends an EPC URI component as Digital Link path text: the characters
 * that GS1 Digital Link 1.2 table 7-1 wants percent-encoded and that EPC
 * URIs leave bare are encoded; %XX escapes stay as they are. */
static ot_status add_dl_component(ot_buf *out, const char *s, size_t n)
{
	ot_status rc = OT_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		char c = s[i];
		if (c && strchr("!()*+,:", c))
			rc = ot_buf_printf(out, "%%%02X", (unsigned)(unsigned char)c);
		else
			rc = ot_buf_addc(out, c);
	}
	return rc;
}

/* A GS1 key with its check digit: prefix digits (an indicator or extension
 * digit, or "0"), company prefix, reference. */
static ot_status add_key_with_check(ot_buf *out, const char *lead, size_t nlead, const char *cp,
                                    size_t ncp, const char *ref, size_t nref)
{
	char digits[40];
	size_t n = 0;
	if (nlead + ncp + nref >= sizeof digits)
		return OT_ERR_ARG;
	memcpy(digits + n, lead, nlead);
	n += nlead;
	memcpy(digits + n, cp, ncp);
	n += ncp;
	memcpy(digits + n, ref, nref);
	n += nref;
	digits[n] = ot_gs1_check_digit(digits, n);
	return ot_buf_add(out, digits, n + 1);
}

/* A GTIN-14 from company prefix and indicator/item reference. */
static ot_status add_gtin(ot_buf *out, const char *cp, size_t ncp, const char *iir, size_t niir)
{
	return add_key_with_check(out, iir, 1, cp, ncp, iir + 1, niir - 1);
}

typedef struct comp {
	const char *s;
	size_t n;
} comp;

/* Splits body into at most max components at '.', the last taking the
 * rest. Returns the number of components. */
static size_t split_dots(const char *s, size_t n, comp *c, size_t max)
{
	size_t k = 0, start = 0;
	for (size_t i = 0; i <= n && k < max; i++) {
		if (i == n || (s[i] == '.' && k + 1 < max)) {
			c[k].s = s + start;
			c[k].n = i - start;
			k++;
			start = i + 1;
			if (i == n)
				break;
		}
	}
	return k;
}

static int is_cp(const comp *c)
{
	return c->n >= 6 && c->n <= 12 && all_digits(c->s, c->n);
}

/* A company prefix and a numeric reference of together `total` digits. */
static int cp_ref(const comp *cp, const comp *ref, size_t total)
{
	return is_cp(cp) && all_digits(ref->s, ref->n) && cp->n + ref->n == total;
}

/* Converts an EPC URI (pure identity, class or pattern) into a Digital
 * Link URI. Returns 1 when converted, 0 when s is not one it knows. */
static int epc_uri_to_dl(const char *s, size_t len, ot_buf *out)
{
	enum {
		ID,
		CLASS,
		PAT
	} kind;
	size_t skip;
	if (len > 11 && memcmp(s, "urn:epc:id:", 11) == 0)
		kind = ID, skip = 11;
	else if (len > 14 && memcmp(s, "urn:epc:class:", 14) == 0)
		kind = CLASS, skip = 14;
	else if (len > 14 && memcmp(s, "urn:epc:idpat:", 14) == 0)
		kind = PAT, skip = 14;
	else
		return 0;
	const char *scheme = s + skip;
	const char *colon = memchr(scheme, ':', len - skip);
	if (!colon)
		return 0;
	size_t nscheme = (size_t)(colon - scheme);
	const char *body = colon + 1;
	size_t nbody = len - skip - nscheme - 1;
#define SCHEME(name) (nscheme == strlen(name) && memcmp(scheme, name, nscheme) == 0)
	comp c[6];
	size_t before = out->len;
	ot_status rc = OT_OK;
	long nchars;

	if (kind == ID && SCHEME("sgtin")) {
		if (split_dots(body, nbody, c, 3) != 3 || !cp_ref(&c[0], &c[1], 13) ||
		    (nchars = urn_chars(c[2].s, c[2].n)) < 1 || nchars > 20)
			return 0;
		rc = ot_buf_adds(out, "https://id.gs1.org/01/");
		if (!rc)
			rc = add_gtin(out, c[0].s, c[0].n, c[1].s, c[1].n);
		if (!rc)
			rc = ot_buf_adds(out, "/21/");
		if (!rc)
			rc = add_dl_component(out, c[2].s, c[2].n);
	} else if (kind == ID && SCHEME("sscc")) {
		if (split_dots(body, nbody, c, 2) != 2 || !cp_ref(&c[0], &c[1], 17))
			return 0;
		rc = ot_buf_adds(out, "https://id.gs1.org/00/");
		if (!rc)
			rc = add_key_with_check(out, c[1].s, 1, c[0].s, c[0].n, c[1].s + 1,
			                        c[1].n - 1);
	} else if (kind == ID && SCHEME("sgln")) {
		if (split_dots(body, nbody, c, 3) != 3 || !cp_ref(&c[0], &c[1], 12) ||
		    (nchars = urn_chars(c[2].s, c[2].n)) < 1 || nchars > 20)
			return 0;
		rc = ot_buf_adds(out, "https://id.gs1.org/414/");
		if (!rc)
			rc = add_key_with_check(out, "", 0, c[0].s, c[0].n, c[1].s, c[1].n);
		if (!rc && !(c[2].n == 1 && c[2].s[0] == '0')) {
			rc = ot_buf_adds(out, "/254/");
			if (!rc)
				rc = add_dl_component(out, c[2].s, c[2].n);
		}
	} else if ((kind == ID || kind == PAT) &&
	           (SCHEME("grai") || SCHEME("gdti") || SCHEME("sgcn"))) {
		/* company prefix, type/reference, serial: key = [0] cp ref check serial */
		if (split_dots(body, nbody, c, 3) != 3 || !cp_ref(&c[0], &c[1], 12))
			return 0;
		int sgcn = SCHEME("sgcn"), grai = SCHEME("grai");
		if (kind == PAT) {
			if (c[2].n != 1 || c[2].s[0] != '*')
				return 0;
		} else {
			nchars = urn_chars(c[2].s, c[2].n);
			if (nchars < 1 ||
			    nchars > (grai   ? 16
			              : sgcn ? 12
			                     : 17) ||
			    (sgcn && !all_digits(c[2].s, c[2].n)))
				return 0;
		}
		rc = ot_buf_adds(out, grai   ? "https://id.gs1.org/8003/"
		                      : sgcn ? "https://id.gs1.org/255/"
		                             : "https://id.gs1.org/253/");
		if (!rc)
			rc = add_key_with_check(out, "0", grai ? 1 : 0, c[0].s, c[0].n, c[1].s,
			                        c[1].n);
		if (!rc && kind == ID)
			rc = add_dl_component(out, c[2].s, c[2].n);
	} else if (kind == ID && (SCHEME("giai") || SCHEME("ginc"))) {
		if (split_dots(body, nbody, c, 2) != 2 || !is_cp(&c[0]) ||
		    (nchars = urn_chars(c[1].s, c[1].n)) < 1 || (size_t)nchars + c[0].n > 30)
			return 0;
		rc = ot_buf_adds(out, SCHEME("giai") ? "https://id.gs1.org/8004/"
		                                     : "https://id.gs1.org/401/");
		if (!rc)
			rc = ot_buf_add(out, c[0].s, c[0].n);
		if (!rc)
			rc = add_dl_component(out, c[1].s, c[1].n);
	} else if (kind == ID && (SCHEME("gsrn") || SCHEME("gsrnp"))) {
		if (split_dots(body, nbody, c, 2) != 2 || !cp_ref(&c[0], &c[1], 17))
			return 0;
		rc = ot_buf_adds(out, SCHEME("gsrn") ? "https://id.gs1.org/8018/"
		                                     : "https://id.gs1.org/8017/");
		if (!rc)
			rc = add_key_with_check(out, "", 0, c[0].s, c[0].n, c[1].s, c[1].n);
	} else if (kind == ID && (SCHEME("gsin") || SCHEME("pgln"))) {
		int gsin = SCHEME("gsin");
		if (split_dots(body, nbody, c, 2) != 2 || !cp_ref(&c[0], &c[1], gsin ? 16 : 12))
			return 0;
		rc = ot_buf_adds(out, gsin ? "https://id.gs1.org/402/" : "https://id.gs1.org/417/");
		if (!rc)
			rc = add_key_with_check(out, "", 0, c[0].s, c[0].n, c[1].s, c[1].n);
	} else if ((kind == ID || kind == PAT) && SCHEME("cpi")) {
		/* The component/part reference holds [0-9A-Z-] and %23 %2F; the
		 * serial is 1..12 digits. */
		if (split_dots(body, nbody, c, 3) != 3 || !is_cp(&c[0]) || c[1].n == 0)
			return 0;
		for (size_t i = 0; i < c[1].n; i++) {
			char ch = c[1].s[i];
			if (ch == '%' && i + 2 < c[1].n &&
			    (memcmp(c[1].s + i, "%23", 3) == 0 ||
			     memcmp(c[1].s + i, "%2F", 3) == 0 ||
			     memcmp(c[1].s + i, "%2f", 3) == 0)) {
				i += 2;
				continue;
			}
			if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || ch == '-'))
				return 0;
		}
		if (kind == PAT ? (c[2].n != 1 || c[2].s[0] != '*')
		                : (c[2].n < 1 || c[2].n > 12 || !all_digits(c[2].s, c[2].n)))
			return 0;
		rc = ot_buf_adds(out, "https://id.gs1.org/8010/");
		if (!rc)
			rc = ot_buf_add(out, c[0].s, c[0].n);
		if (!rc)
			rc = add_dl_component(out, c[1].s, c[1].n);
		if (!rc && kind == ID) {
			rc = ot_buf_adds(out, "/8011/");
			if (!rc)
				rc = ot_buf_add(out, c[2].s, c[2].n);
		}
	} else if ((kind == ID || kind == PAT) && SCHEME("itip")) {
		if (split_dots(body, nbody, c, 5) != 5 || !cp_ref(&c[0], &c[1], 13) ||
		    c[2].n != 2 || !all_digits(c[2].s, 2) || c[3].n != 2 || !all_digits(c[3].s, 2))
			return 0;
		if (kind == PAT ? (c[4].n != 1 || c[4].s[0] != '*')
		                : ((nchars = urn_chars(c[4].s, c[4].n)) < 1 || nchars > 20))
			return 0;
		rc = ot_buf_adds(out, "https://id.gs1.org/8006/");
		if (!rc)
			rc = add_gtin(out, c[0].s, c[0].n, c[1].s, c[1].n);
		if (!rc)
			rc = ot_buf_add(out, c[2].s, 2);
		if (!rc)
			rc = ot_buf_add(out, c[3].s, 2);
		if (!rc && kind == ID) {
			rc = ot_buf_adds(out, "/21/");
			if (!rc)
				rc = add_dl_component(out, c[4].s, c[4].n);
		}
	} else if ((kind == ID && SCHEME("upui")) || (kind == CLASS && SCHEME("lgtin")) ||
	           (kind == PAT && (SCHEME("sgtin") || SCHEME("upui")))) {
		if (split_dots(body, nbody, c, 3) != 3 || !cp_ref(&c[0], &c[1], 13))
			return 0;
		int upui = SCHEME("upui");
		if (kind == PAT ? (c[2].n != 1 || c[2].s[0] != '*')
		                : ((nchars = urn_chars(c[2].s, c[2].n)) < 1 ||
		                   nchars > (upui ? 28 : 20)))
			return 0;
		rc = ot_buf_adds(out, "https://id.gs1.org/01/");
		if (!rc)
			rc = add_gtin(out, c[0].s, c[0].n, c[1].s, c[1].n);
		if (!rc && kind != PAT) {
			rc = ot_buf_adds(out, upui ? "/235/" : "/10/");
			if (!rc)
				rc = add_dl_component(out, c[2].s, c[2].n);
		}
	} else {
		return 0;
	}
#undef SCHEME
	if (rc) {
		out->len = before;
		if (out->data)
			out->data[before] = 0;
		return -1;
	}
	return 1;
}

/* GS1 Digital Link: the primary keys and the key qualifiers kept by the
 * hash rules (18 III), with the short names of Digital Link 1.0. */
typedef struct dl_key {
	const char *ai, *alpha;
	const char *qualifiers; /* kept qualifiers, finest first, space separated */
} dl_key;

static const dl_key DL_KEYS[] = {
	{"00", "sscc", ""},    {"01", "gtin", "21 10 235"}, {"253", "gdti", ""},
	{"255", "gcn", ""},    {"401", "ginc", ""},         {"402", "gsin", ""},
	{"414", "gln", "254"}, {"417", "party", ""},        {"8003", "grai", ""},
	{"8004", "giai", ""},  {"8006", "itip", "21 10"},   {"8010", "cpid", "8011"},
	{"8017", "gsrnp", ""}, {"8018", "gsrn", ""},
};

static const struct {
	const char *ai, *alpha;
} DL_QUALIFIERS[] = {{"22", "cpv"}, {"10", "lot"},  {"21", "ser"}, {"235", NULL},
                     {"254", NULL}, {"8011", NULL}, {"7040", NULL}};

static int seg_is(const comp *seg, const char *s)
{
	return s && seg->n == strlen(s) && memcmp(seg->s, s, seg->n) == 0;
}

static const dl_key *dl_primary(const comp *seg)
{
	for (size_t i = 0; i < sizeof DL_KEYS / sizeof DL_KEYS[0]; i++)
		if (seg_is(seg, DL_KEYS[i].ai) || seg_is(seg, DL_KEYS[i].alpha))
			return &DL_KEYS[i];
	return NULL;
}

static const char *dl_qualifier(const comp *seg)
{
	for (size_t i = 0; i < sizeof DL_QUALIFIERS / sizeof DL_QUALIFIERS[0]; i++)
		if (seg_is(seg, DL_QUALIFIERS[i].ai) || seg_is(seg, DL_QUALIFIERS[i].alpha))
			return DL_QUALIFIERS[i].ai;
	return NULL;
}

/* Checks the value of a primary key (GS1 General Specifications, the AI
 * formats) and, for a GTIN, pads it to 14 digits into gtin14. */
static int dl_key_valid(const dl_key *k, const comp *v, char gtin14[15])
{
	size_t n = v->n;
	long chars;
	if (strcmp(k->ai, "00") == 0 || strcmp(k->ai, "8006") == 0 || strcmp(k->ai, "8017") == 0 ||
	    strcmp(k->ai, "8018") == 0)
		return n == 18 && all_digits(v->s, n);
	if (strcmp(k->ai, "01") == 0) {
		if (!(n == 8 || n == 12 || n == 13 || n == 14) || !all_digits(v->s, n))
			return 0;
		memset(gtin14, '0', 14 - n);
		memcpy(gtin14 + 14 - n, v->s, n);
		gtin14[14] = 0;
		return 1;
	}
	if (strcmp(k->ai, "402") == 0)
		return n == 17 && all_digits(v->s, n);
	if (strcmp(k->ai, "414") == 0 || strcmp(k->ai, "417") == 0)
		return n == 13 && all_digits(v->s, n);
	chars = urn_chars(v->s, n);
	if (strcmp(k->ai, "253") == 0)
		return n >= 13 && all_digits(v->s, 13) && chars >= 13 && chars <= 30;
	if (strcmp(k->ai, "255") == 0)
		return n >= 13 && n <= 25 && all_digits(v->s, n);
	if (strcmp(k->ai, "8003") == 0)
		return n >= 14 && all_digits(v->s, 14) && chars >= 14 && chars <= 30;
	return chars >= 1 && chars <= 30; /* 401, 8004, 8010 */
}

static int qualifier_kept(const dl_key *k, const char *ai)
{
	const char *q = k->qualifiers;
	size_t n = strlen(ai);
	while (*q) {
		const char *sp = strchr(q, ' ');
		size_t m = sp ? (size_t)(sp - q) : strlen(q);
		if (m == n && memcmp(q, ai, n) == 0)
			return 1;
		q += m + (sp ? 1 : 0);
	}
	return 0;
}

#define DL_MAX_SEGMENTS 32

/* Constrains a Digital Link URI (rule 18). Returns 1, 0 or -1 as
 * otx_epcis_digital_link. */
static int dl_constrain(const char *s, size_t len, ot_buf *out)
{
	size_t i;
	if (len > 8 && memcmp(s, "https://", 8) == 0)
		i = 8;
	else if (len > 7 && memcmp(s, "http://", 7) == 0)
		i = 7;
	else
		return 0;
	while (i < len && s[i] != '/' && s[i] != '?' && s[i] != '#')
		i++;
	size_t end = i;
	while (end < len && s[end] != '?' && s[end] != '#')
		end++;
	/* Path segments, without the empty one a trailing slash makes. */
	comp seg[DL_MAX_SEGMENTS];
	size_t nseg = 0;
	size_t p = i;
	while (p < end) {
		size_t q = p + 1;
		while (q < end && s[q] != '/')
			q++;
		if (nseg == DL_MAX_SEGMENTS)
			return 0;
		seg[nseg].s = s + p + 1;
		seg[nseg].n = q - p - 1;
		nseg++;
		p = q;
	}
	if (nseg > 0 && seg[nseg - 1].n == 0)
		nseg--;
	/* The primary key is the first key AI followed by an even number of
	 * segments: key value, then qualifier/value pairs. */
	for (size_t k = 0; k + 1 < nseg; k++) {
		const dl_key *key = dl_primary(&seg[k]);
		char gtin14[15];
		if (!key || (nseg - k) % 2 != 0 || !dl_key_valid(key, &seg[k + 1], gtin14))
			continue;
		const comp *kept = NULL;
		const char *kept_ai = NULL;
		int ok = 1;
		for (size_t j = k + 2; j < nseg; j += 2) {
			const char *ai = dl_qualifier(&seg[j]);
			if (!ai || seg[j + 1].n == 0) {
				ok = 0;
				break;
			}
			if (!qualifier_kept(key, ai))
				continue; /* e.g. a consumer product variant: dropped */
			/* The finest level: a serial beats a lot. */
			if (!kept_ai || strcmp(ai, "21") == 0 || strcmp(ai, "235") == 0) {
				kept = &seg[j + 1];
				kept_ai = ai;
			}
		}
		if (!ok)
			continue;
		size_t before = out->len;
		ot_status rc = ot_buf_printf(out, "https://id.gs1.org/%s/", key->ai);
		if (!rc)
			rc = strcmp(key->ai, "01") == 0
			             ? ot_buf_adds(out, gtin14)
			             : ot_buf_add(out, seg[k + 1].s, seg[k + 1].n);
		if (!rc && kept) {
			rc = ot_buf_printf(out, "/%s/", kept_ai);
			if (!rc)
				rc = ot_buf_add(out, kept->s, kept->n);
		}
		if (rc) {
			out->len = before;
			if (out->data)
				out->data[before] = 0;
			return -1;
		}
		return 1;
	}
	return 0;
}

int otx_epcis_digital_link(const char *s, size_t len, ot_buf *out)
{
	int r = epc_uri_to_dl(s, len, out);
	if (r)
		return r;
	return dl_constrain(s, len, out);
}

/* ---- values --------------------------------------------------------------- */

/* How a field's bare values are read (rule 16): vocabulary terms of the
 * standard EPCIS context expand to their web URIs. */
typedef enum vkind {
	V_PLAIN,
	V_TIME,
	V_BIZSTEP,
	V_DISP,
	V_BTT,
	V_SDT,
	V_ER,
	V_GS1VOC, /* measurement types and sensor exceptions */
	V_COMP,
} vkind;

static const char *const VOCAB_PREFIX[] = {
	[V_BIZSTEP] = "https://ref.gs1.org/cbv/BizStep-",
	[V_DISP] = "https://ref.gs1.org/cbv/Disp-",
	[V_BTT] = "https://ref.gs1.org/cbv/BTT-",
	[V_SDT] = "https://ref.gs1.org/cbv/SDT-",
	[V_ER] = "https://ref.gs1.org/cbv/ER-",
	[V_GS1VOC] = "https://gs1.org/voc/",
	[V_COMP] = "https://ref.gs1.org/cbv/Comp-",
};

/* Rule 14: CBV 1.x URNs and their web URIs. */
static const struct {
	const char *urn, *web;
} CBV_URNS[] = {
	{"urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"},
	{"urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"},
	{"urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"},
	{"urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"},
	{"urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"},
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Appends the canonical form of a string value (rules 5, 6, 8, 9, 14-18). */
static ot_status add_value_string(const ot_epcis_doc *doc, vkind kind, const char *s, size_t len,
                                  ot_buf *out)
{
	while (len > 0 && is_space(s[0]))
		s++, len--;
	while (len > 0 && is_space(s[len - 1]))
		len--;
	if (kind == V_TIME) {
		char t[OTX_EPCIS_TIME_LEN + 1];
		if (otx_epcis_time(s, len, t, NULL) == OT_OK)
			return ot_buf_adds(out, t);
		return ot_buf_add(out, s, len);
	}
	/* Expand bare vocabulary and CURIEs into a scratch buffer first. */
	ot_buf v;
	ot_buf_init(&v, out->max);
	ot_status rc = OT_OK;
	const char *colon = memchr(s, ':', len);
	const char *iri = colon ? prefix_iri(doc, s, (size_t)(colon - s)) : NULL;
	if (kind != V_PLAIN && !colon && len > 0) {
		rc = ot_buf_adds(&v, VOCAB_PREFIX[kind]);
		if (!rc)
			rc = ot_buf_add(&v, s, len);
	} else if (iri && (size_t)(colon - s) + 1 < len && colon[1] != '/') {
		rc = ot_buf_adds(&v, iri);
		if (!rc)
			rc = ot_buf_add(&v, colon + 1, len - (size_t)(colon - s) - 1);
	} else {
		size_t i = 0;
		for (; i < sizeof CBV_URNS / sizeof CBV_URNS[0]; i++) {
			size_t n = strlen(CBV_URNS[i].urn);
			if (len > n && memcmp(s, CBV_URNS[i].urn, n) == 0) {
				rc = ot_buf_adds(&v, CBV_URNS[i].web);
				if (!rc)
					rc = ot_buf_add(&v, s + n, len - n);
				break;
			}
		}
		if (i == sizeof CBV_URNS / sizeof CBV_URNS[0])
			rc = ot_buf_add(&v, s, len);
	}
	if (rc)
		goto out;
	char num[NUM_MAX_DIGITS + NUM_MAX_EXP + 8];
	const char *vs = v.len ? (const char *)v.data : "";
	if (canonical_number(vs, v.len, num, sizeof num)) {
		rc = ot_buf_adds(out, num);
	} else {
		int r = otx_epcis_digital_link(vs, v.len, out);
		if (r < 0)
			rc = OT_ERR_TOOBIG;
		else if (r == 0)
			rc = ot_buf_add(out, vs, v.len);
	}
out:
	ot_buf_free(&v);
	return rc;
}

/* Appends the canonical form of a scalar; returns OT_ERR_NOTFOUND (nothing
 * written) for null, arrays and objects. */
static ot_status add_scalar(const ot_epcis_doc *doc, vkind kind, json_t *v, ot_buf *out)
{
	char num[400];
	switch (json_typeof(v)) {
	case JSON_STRING:
		return add_value_string(doc, kind, json_string_value(v), json_string_length(v),
		                        out);
	case JSON_INTEGER: return ot_buf_printf(out, "%lld", (long long)json_integer_value(v));
	case JSON_REAL:
		if (otx_epcis_format_real(json_real_value(v), num, sizeof num))
			return OT_ERR_RANGE;
		return ot_buf_adds(out, num);
	case JSON_TRUE: return ot_buf_adds(out, "true");
	case JSON_FALSE: return ot_buf_adds(out, "false");
	default: return OT_ERR_NOTFOUND;
	}
}

/* ---- the walk ------------------------------------------------------------- */

typedef struct walk {
	const ot_epcis_doc *doc;
	size_t max; /* cap of every scratch buffer */
	ot_error *err;
} walk;

static ot_status too_deep(walk *w)
{
	return ot_error_at(w->err, OT_ERR_PARSE, "epcis_too_deep", -1,
	                   "event nested deeper than %d levels", OTX_EPCIS_MAX_DEPTH);
}

/*
 * Generic entries for a member that the property order does not name (user
 * extensions, ILMD, unknown fields; rules 19-21): a scalar gives
 * "key=value", an array gives the entries of each element under the same
 * key, an object gives the key followed by its members' entries, sorted.
 */
static ot_status generic_entries(walk *w, const char *key, json_t *v, slist *out, int depth)
{
	if (depth > OTX_EPCIS_MAX_DEPTH)
		return too_deep(w);
	ot_status rc = OT_OK;
	if (json_is_array(v)) {
		size_t i;
		json_t *item;
		json_array_foreach(v, i, item)
		{
			rc = generic_entries(w, key, item, out, depth + 1);
			if (rc)
				return rc;
		}
		return OT_OK;
	}
	if (json_is_null(v))
		return OT_OK;
	ot_buf b;
	ot_buf_init(&b, w->max);
	rc = add_key(w->doc, key, &b);
	if (!rc && json_is_object(v)) {
		slist inner = {0};
		const char *k;
		json_t *m;
		json_object_foreach(v, k, m)
		{
			rc = generic_entries(w, k, m, &inner, depth + 1);
			if (rc)
				break;
		}
		if (!rc)
			rc = slist_join_sorted(&inner, &b);
		slist_free(&inner);
	} else if (!rc) {
		size_t mark = b.len;
		rc = ot_buf_addc(&b, '=');
		if (!rc) {
			rc = add_scalar(w->doc, V_PLAIN, v, &b);
			if (rc == OT_ERR_NOTFOUND)
				rc = OT_OK;
			if (b.len == mark + 1) { /* an empty value: the key alone */
				b.len = mark;
				b.data[mark] = 0;
			}
		}
	}
	if (!rc)
		rc = slist_take(out, &b);
	ot_buf_free(&b);
	return rc;
}

/* The kinds of fields in a property order. */
typedef enum fkind {
	F_VALUE,   /* name=value, for a value or each value of an array */
	F_STRUCT,  /* a structure: name, its fields in order, its extensions */
	F_LIST,    /* name, then its items sorted: "child=value" or child structures */
	F_TYPED,   /* bizTransactionList etc.: items type=...child=... */
	F_IGNORED, /* not part of the event's identity */
} fkind;

typedef struct field {
	const char *name;
	fkind kind;
	vkind vkind;             /* F_VALUE, F_LIST of values, F_TYPED's type */
	const char *child;       /* F_LIST, F_TYPED: the item's name */
	const struct field *sub; /* F_STRUCT, F_LIST of structures */
	size_t n_sub;
} field;

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const field QUANTITY_ELEMENT[] = {
	{"epcClass", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"quantity", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"uom", F_VALUE, V_PLAIN, NULL, NULL, 0},
};

static const field LOCATION[] = {{"id", F_VALUE, V_PLAIN, NULL, NULL, 0}};

static const field PERSISTENT_DISPOSITION[] = {
	{"set", F_VALUE, V_DISP, NULL, NULL, 0},
	{"unset", F_VALUE, V_DISP, NULL, NULL, 0},
};

static const field SENSOR_METADATA[] = {
	{"time", F_VALUE, V_TIME, NULL, NULL, 0},
	{"startTime", F_VALUE, V_TIME, NULL, NULL, 0},
	{"endTime", F_VALUE, V_TIME, NULL, NULL, 0},
	{"deviceID", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"deviceMetadata", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"rawData", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"dataProcessingMethod", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"bizRules", F_VALUE, V_PLAIN, NULL, NULL, 0},
};

static const field SENSOR_REPORT[] = {
	{"type", F_VALUE, V_GS1VOC, NULL, NULL, 0},
	{"exception", F_VALUE, V_GS1VOC, NULL, NULL, 0},
	{"deviceID", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"deviceMetadata", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"rawData", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"dataProcessingMethod", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"time", F_VALUE, V_TIME, NULL, NULL, 0},
	{"microorganism", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"chemicalSubstance", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"value", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"component", F_VALUE, V_COMP, NULL, NULL, 0},
	{"stringValue", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"booleanValue", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"hexBinaryValue", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"uriValue", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"minValue", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"maxValue", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"meanValue", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"sDev", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"percRank", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"percValue", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"uom", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"coordinateReferenceSystem", F_VALUE, V_PLAIN, NULL, NULL, 0},
};

static const field SENSOR_ELEMENT[] = {
	{"sensorMetadata", F_STRUCT, V_PLAIN, NULL, SENSOR_METADATA, N(SENSOR_METADATA)},
	{"sensorReport", F_STRUCT, V_PLAIN, NULL, SENSOR_REPORT, N(SENSOR_REPORT)},
};

/* The canonical property order of CBV 2.0, for all five event types, and
 * after it the members that go to the sorted tail or nowhere. */
static const field EVENT[] = {
	{"eventTime", F_VALUE, V_TIME, NULL, NULL, 0},
	{"eventTimeZoneOffset", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"certificationInfo", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"epcList", F_LIST, V_PLAIN, "epc", NULL, 0},
	{"parentID", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"inputEPCList", F_LIST, V_PLAIN, "epc", NULL, 0},
	{"childEPCs", F_LIST, V_PLAIN, "epc", NULL, 0},
	{"quantityList", F_LIST, V_PLAIN, "quantityElement", QUANTITY_ELEMENT, N(QUANTITY_ELEMENT)},
	{"childQuantityList", F_LIST, V_PLAIN, "quantityElement", QUANTITY_ELEMENT,
         N(QUANTITY_ELEMENT)},
	{"inputQuantityList", F_LIST, V_PLAIN, "quantityElement", QUANTITY_ELEMENT,
         N(QUANTITY_ELEMENT)},
	{"outputEPCList", F_LIST, V_PLAIN, "epc", NULL, 0},
	{"outputQuantityList", F_LIST, V_PLAIN, "quantityElement", QUANTITY_ELEMENT,
         N(QUANTITY_ELEMENT)},
	{"action", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"transformationID", F_VALUE, V_PLAIN, NULL, NULL, 0},
	{"bizStep", F_VALUE, V_BIZSTEP, NULL, NULL, 0},
	{"disposition", F_VALUE, V_DISP, NULL, NULL, 0},
	{"persistentDisposition", F_STRUCT, V_PLAIN, NULL, PERSISTENT_DISPOSITION,
         N(PERSISTENT_DISPOSITION)},
	{"readPoint", F_STRUCT, V_PLAIN, NULL, LOCATION, N(LOCATION)},
	{"bizLocation", F_STRUCT, V_PLAIN, NULL, LOCATION, N(LOCATION)},
	{"sensorElementList", F_LIST, V_PLAIN, "sensorElement", SENSOR_ELEMENT, N(SENSOR_ELEMENT)},
};

/* Members of an event that are not in the order above. */
static const field EVENT_TAIL[] = {
	{"bizTransactionList", F_TYPED, V_BTT, "bizTransaction", NULL, 0},
	{"sourceList", F_TYPED, V_SDT, "source", NULL, 0},
	{"destinationList", F_TYPED, V_SDT, "destination", NULL, 0},
	{"type", F_IGNORED, V_PLAIN, NULL, NULL, 0},
	{"eventID", F_IGNORED, V_PLAIN, NULL, NULL, 0},
	{"recordTime", F_IGNORED, V_PLAIN, NULL, NULL, 0},
	{"errorDeclaration", F_IGNORED, V_PLAIN, NULL, NULL, 0},
	{"comment", F_IGNORED, V_PLAIN, NULL, NULL, 0},
	{"rdfs:comment", F_IGNORED, V_PLAIN, NULL, NULL, 0},
	{"@context", F_IGNORED, V_PLAIN, NULL, NULL, 0},
};

static const field *find_field(const field *order, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(order[i].name, name) == 0)
			return &order[i];
	return NULL;
}

static ot_status field_entries(walk *w, const field *f, json_t *v, slist *out, int depth);

/* Appends a structure's fields in order, then its extensions sorted. */
static ot_status struct_body(walk *w, const field *order, size_t n, json_t *obj, ot_buf *out,
                             int depth)
{
	ot_status rc = OT_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		json_t *v = json_object_get(obj, order[i].name);
		if (!v)
			continue;
		slist l = {0};
		rc = field_entries(w, &order[i], v, &l, depth + 1);
		if (!rc)
			rc = slist_join_sorted(&l, out);
		slist_free(&l);
	}
	slist ext = {0};
	const char *k;
	json_t *m;
	json_object_foreach(obj, k, m)
	{
		if (rc)
			break;
		if (!find_field(order, n, k))
			rc = generic_entries(w, k, m, &ext, depth + 1);
	}
	if (!rc)
		rc = slist_join_sorted(&ext, out);
	slist_free(&ext);
	return rc;
}

/* One item of a typed list: type=<type><child>=<id>, then extensions. */
static ot_status typed_item(walk *w, const field *f, json_t *item, ot_buf *b, int depth)
{
	ot_status rc = OT_OK;
	if (!json_is_object(item)) {
		rc = ot_buf_printf(b, "%s=", f->child);
		size_t mark = b->len;
		if (!rc && (rc = add_scalar(w->doc, V_PLAIN, item, b)) == OT_ERR_NOTFOUND)
			rc = OT_OK;
		if (!rc && b->len == mark)
			b->len = 0, b->data[0] = 0;
		return rc;
	}
	json_t *type = json_object_get(item, "type");
	json_t *id = json_object_get(item, f->child);
	if (type && !json_is_null(type)) {
		rc = ot_buf_adds(b, "type=");
		if (!rc && (rc = add_scalar(w->doc, f->vkind, type, b)) == OT_ERR_NOTFOUND)
			rc = OT_OK;
	}
	if (!rc && id && !json_is_null(id)) {
		rc = ot_buf_printf(b, "%s=", f->child);
		if (!rc && (rc = add_scalar(w->doc, V_PLAIN, id, b)) == OT_ERR_NOTFOUND)
			rc = OT_OK;
	}
	slist ext = {0};
	const char *k;
	json_t *m;
	json_object_foreach(item, k, m)
	{
		if (rc)
			break;
		if (strcmp(k, "type") != 0 && strcmp(k, f->child) != 0)
			rc = generic_entries(w, k, m, &ext, depth + 1);
	}
	if (!rc)
		rc = slist_join_sorted(&ext, b);
	slist_free(&ext);
	return rc;
}

/* The entries one field of a structure contributes (before sorting). */
static ot_status field_entries(walk *w, const field *f, json_t *v, slist *out, int depth)
{
	if (depth > OTX_EPCIS_MAX_DEPTH)
		return too_deep(w);
	ot_status rc = OT_OK;
	ot_buf b;
	ot_buf_init(&b, w->max);

	switch (f->kind) {
	case F_IGNORED: break;
	case F_VALUE:
		if (json_is_array(v)) {
			size_t i;
			json_t *item;
			json_array_foreach(v, i, item)
			{
				rc = field_entries(w, f, item, out, depth + 1);
				if (rc)
					break;
			}
			break;
		}
		if (json_is_object(v)) {
			rc = generic_entries(w, f->name, v, out, depth + 1);
			break;
		}
		rc = ot_buf_printf(&b, "%s=", f->name);
		if (!rc) {
			size_t mark = b.len;
			rc = add_scalar(w->doc, f->vkind, v, &b);
			if (rc == OT_ERR_NOTFOUND)
				break; /* null: absent */
			/* Rule 4: a field without a value is left out. */
			if (!rc && b.len > mark)
				rc = slist_take(out, &b);
		}
		break;
	case F_STRUCT:
		if (json_is_array(v)) {
			size_t i;
			json_t *item;
			json_array_foreach(v, i, item)
			{
				rc = field_entries(w, f, item, out, depth + 1);
				if (rc)
					break;
			}
			break;
		}
		if (!json_is_object(v)) {
			rc = generic_entries(w, f->name, v, out, depth + 1);
			break;
		}
		rc = struct_body(w, f->sub, f->n_sub, v, &b, depth);
		if (!rc && b.len > 0) {
			ot_buf named;
			ot_buf_init(&named, w->max);
			rc = ot_buf_adds(&named, f->name);
			if (!rc)
				rc = ot_buf_add(&named, b.data, b.len);
			if (!rc)
				rc = slist_take(out, &named);
			ot_buf_free(&named);
		}
		break;
	case F_LIST:
	case F_TYPED: {
		slist items = {0};
		size_t n = json_is_array(v) ? json_array_size(v) : 1;
		for (size_t i = 0; i < n && !rc; i++) {
			json_t *item = json_is_array(v) ? json_array_get(v, i) : v;
			if (f->kind == F_TYPED) {
				ot_buf_reset(&b);
				rc = typed_item(w, f, item, &b, depth + 1);
				if (!rc && b.len > 0)
					rc = slist_take(&items, &b);
			} else if (f->sub) {
				field child = {f->child, F_STRUCT, V_PLAIN, NULL, f->sub, f->n_sub};
				rc = field_entries(w, &child, item, &items, depth + 1);
			} else {
				field child = {f->child, F_VALUE, f->vkind, NULL, NULL, 0};
				rc = field_entries(w, &child, item, &items, depth + 1);
			}
		}
		/* Rule 11: the list's name once, then its items sorted. */
		if (!rc && items.n > 0) {
			ot_buf_reset(&b);
			rc = ot_buf_adds(&b, f->name);
			if (!rc)
				rc = slist_join_sorted(&items, &b);
			if (!rc)
				rc = slist_take(out, &b);
		}
		slist_free(&items);
		break;
	}
	}
	ot_buf_free(&b);
	return rc;
}

/* Whether the document says to leave this member out. */
static int doc_ignores(const ot_epcis_doc *doc, const char *key)
{
	size_t i;
	json_t *v;
	json_array_foreach(doc->ignore, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), key) == 0)
			return 1;
	}
	return 0;
}

ot_status ot_epcis_prehash(const ot_epcis_doc *doc, json_t *event, ot_buf *out, ot_error *err)
{
	json_t *type = json_object_get(event, "type");
	if (!json_is_object(event) || !json_is_string(type) || json_string_length(type) == 0)
		return ot_error_at(err, OT_ERR_PARSE, "epcis_bad_event", -1,
		                   "an event must be an object with a \"type\"");
	walk w = {doc, out->max ? out->max : OT_BUF_DEFAULT_MAX, err};
	size_t before = out->len;
	ot_status rc = ot_buf_adds(out, "eventType=");
	if (!rc)
		rc = ot_buf_add(out, json_string_value(type), json_string_length(type));
	for (size_t i = 0; i < N(EVENT) && !rc; i++) {
		json_t *v = json_object_get(event, EVENT[i].name);
		if (!v || doc_ignores(doc, EVENT[i].name))
			continue;
		slist l = {0};
		rc = field_entries(&w, &EVENT[i], v, &l, 1);
		if (!rc)
			rc = slist_join_sorted(&l, out);
		slist_free(&l);
	}
	/* Everything else: the lists the reference implementation leaves
	 * out of the property order, the ILMD and user extensions, sorted
	 * together (rules 19 and 20). */
	slist tail = {0};
	const char *k;
	json_t *m;
	json_object_foreach(event, k, m)
	{
		if (rc)
			break;
		if (find_field(EVENT, N(EVENT), k) || doc_ignores(doc, k))
			continue;
		const field *f = find_field(EVENT_TAIL, N(EVENT_TAIL), k);
		if (f)
			rc = field_entries(&w, f, m, &tail, 1);
		else
			rc = generic_entries(&w, k, m, &tail, 1);
	}
	if (!rc)
		rc = slist_join_sorted(&tail, out);
	slist_free(&tail);
	if (rc) {
		out->len = before;
		if (out->data)
			out->data[before] = 0;
		if (rc == OT_ERR_TOOBIG)
			return ot_error_at(err, rc, "epcis_too_big", -1,
			                   "pre-hash string too long");
		if (rc == OT_ERR_NOMEM)
			return ot_error_set(err, rc, "out of memory");
		if (rc == OT_ERR_RANGE)
			return ot_error_at(err, OT_ERR_PARSE, "epcis_bad_number", -1,
			                   "a number is not finite");
		return rc; /* err already says what */
	}
	return OT_OK;
}

void ot_epcis_hash_of_prehash(const char *prehash, size_t len, char out[OT_EPCIS_HASH_ID_LEN + 1])
{
	uint8_t h[OT_HASH_SIZE];
	char hex[2 * OT_HASH_SIZE + 1];
	ot_sha256(prehash, len, h);
	ot_hex_encode(h, sizeof h, hex);
	snprintf(out, OT_EPCIS_HASH_ID_LEN + 1, "ni:///sha-256;%s?ver=CBV2.0", hex);
}

ot_status ot_epcis_hash_id(const ot_epcis_doc *doc, json_t *event,
                           char out[OT_EPCIS_HASH_ID_LEN + 1], ot_error *err)
{
	ot_buf b;
	ot_buf_init(&b, 0);
	ot_status rc = ot_epcis_prehash(doc, event, &b, err);
	if (!rc)
		ot_epcis_hash_of_prehash(b.len ? (const char *)b.data : "", b.len, out);
	ot_buf_free(&b);
	return rc;
}

int ot_epcis_is_hash_id(const char *s)
{
	if (!s || strlen(s) != OT_EPCIS_HASH_ID_LEN || memcmp(s, "ni:///sha-256;", 14) != 0 ||
	    strcmp(s + 78, "?ver=CBV2.0") != 0)
		return 0;
	for (size_t i = 14; i < 78; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

ot_status otx_epcis_canonical(const ot_epcis_doc *doc, otx_epcis_vocab vocab, json_t *v,
                              ot_buf *out)
{
	static const vkind KIND[] = {
		[OTX_EPCIS_PLAIN] = V_PLAIN,     [OTX_EPCIS_TIME] = V_TIME,
		[OTX_EPCIS_BIZSTEP] = V_BIZSTEP, [OTX_EPCIS_DISPOSITION] = V_DISP,
		[OTX_EPCIS_BTT] = V_BTT,         [OTX_EPCIS_SDT] = V_SDT,
	};
	if ((size_t)vocab >= sizeof KIND / sizeof KIND[0])
		return OT_ERR_ARG;
	ot_status rc = add_scalar(doc, KIND[vocab], v, out);
	return rc == OT_ERR_RANGE ? OT_ERR_PARSE : rc;
}

ot_status otx_epcis_expand_key(const ot_epcis_doc *doc, const char *key, ot_buf *out)
{
	return add_key(doc, key, out);
}

const char *otx_epcis_prefix_iri(const ot_epcis_doc *doc, const char *prefix, size_t len)
{
	return prefix_iri(doc, prefix, len);
}
