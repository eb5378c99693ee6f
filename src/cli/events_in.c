/*
 * events_in.c: how `oretrail submit` reads its file of events: JSON lines
 * (any sequence of JSON objects, "#" comment lines, an optional UTF-8 byte
 * order mark) or one JSON array of them, each object parsed as strictly as
 * the ledger parses entries. Kept apart from the verb so that the fuzzer
 * (fuzz/fuzz_events_in.c) runs this very reader.
 */
#include <jansson.h>
#include <string.h>

#include "cli/events_in.h"
#include "oretrail/json.h"

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Reads one JSON array of objects. */
static ot_status split_array(const char *data, size_t len, cli_event_fn each, void *ctx,
                             ot_error *err)
{
	json_t *arr = NULL;
	ot_status rc = ot_json_parse((const uint8_t *)data, len, len, &arr, err);
	if (rc)
		return rc;
	if (!json_is_array(arr)) {
		json_decref(arr);
		return ot_error_set(err, OT_ERR_PARSE, "not a JSON array of events");
	}
	for (size_t i = 0; i < json_array_size(arr) && !rc; i++) {
		json_t *v = json_array_get(arr, i);
		if (!json_is_object(v))
			rc = ot_error_set(err, OT_ERR_PARSE,
			                  "event %zu of the array is not a JSON object", i + 1);
		else
			rc = each(ctx, json_incref(v), 0, err);
	}
	json_decref(arr);
	return rc;
}

/* Reads a sequence of JSON objects (JSON lines). Each is parsed as strictly
 * as the ledger parses entries: no duplicate members, integers only. */
static ot_status split_sequence(const char *data, size_t len, cli_event_fn each, void *ctx,
                                ot_error *err)
{
	size_t p = 0;
	unsigned long line = 1;
	while (p < len) {
		if (is_ws(data[p])) {
			line += data[p] == '\n';
			p++;
			continue;
		}
		if (data[p] == '#') {
			/* A comment line: hand-written event files say where their
			 * figures come from. */
			while (p < len && data[p] != '\n')
				p++;
			continue;
		}
		if (data[p] != '{')
			return ot_error_set(
				err, OT_ERR_PARSE,
				"line %lu: expected a JSON object: one event per line, or a JSON "
				"array of events",
				line);
		json_error_t je;
		json_t *v = json_loadb(data + p, len - p,
		                       JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &je);
		if (!v)
			return ot_error_set(err, OT_ERR_PARSE, "line %lu: not JSON: %s",
			                    line + (unsigned long)(je.line > 0 ? je.line - 1 : 0),
			                    je.text);
		size_t used = je.position > 0 ? (size_t)je.position : 1;
		ot_error ce;
		ot_error_clear(&ce);
		if (ot_json_check(v, NULL, &ce)) {
			json_decref(v);
			return ot_error_set(err, ce.status, "line %lu: %s", line, ce.message);
		}
		ot_status rc = each(ctx, v, line, err);
		if (rc)
			return rc;
		for (size_t k = p; k < p + used && k < len; k++)
			line += data[k] == '\n';
		p += used;
	}
	return OT_OK;
}

ot_status cli_read_events(const char *data, size_t len, cli_event_fn each, void *ctx, ot_error *err)
{
	if (len == 0)
		return OT_OK; /* no events (data may be NULL) */
	size_t p = 0;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		p = 3; /* a UTF-8 byte order mark */
	size_t q = p;
	while (q < len && is_ws(data[q]))
		q++;
	if (q < len && data[q] == '[')
		return split_array(data + p, len - p, each, ctx, err);
	return split_sequence(data + p, len - p, each, ctx, err);
}
