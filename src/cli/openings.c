/*
 * openings.c: the openings file kept by `oretrail commit` (salt and value
 * of each commitment, one JSON object a line) as `disclose` reads it. Kept
 * apart from the verbs so that the fuzzer (fuzz/fuzz_openings.c) runs this
 * very reader.
 */
#include <string.h>

#include "cli/openings.h"
#include "oretrail/json.h"

#define LINE_MAX_BYTES ((size_t)64 << 20)

static const char *str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

ot_status cli_openings_find(const char *data, size_t len, const char *commit, const char *contract,
                            const char *field, json_t **out, ot_error *err)
{
	*out = NULL;
	if (len == 0)
		return OT_OK; /* an empty file (data may be NULL) */
	unsigned long lineno = 0;
	const char *end = data + len;
	for (const char *p = data, *nl; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		lineno++;
		if (nl == p)
			continue;
		json_t *rec = NULL;
		ot_error line_err;
		ot_error_clear(&line_err);
		if (ot_json_parse((const uint8_t *)p, (size_t)(nl - p), LINE_MAX_BYTES, &rec,
		                  &line_err) ||
		    !json_is_object(rec)) {
			json_decref(rec);
			json_decref(*out);
			*out = NULL;
			return ot_error_set(
				err, OT_ERR_PARSE, "line %lu is not an opening: %s", lineno,
				line_err.message[0] ? line_err.message : "not a JSON object");
		}
		/* by commitment: only a line that has one (an empty search never
		 * matches a line without the key) */
		const char *own = json_string_value(json_object_get(rec, "commit"));
		int match = commit ? own && strcmp(own, commit) == 0
		                   : strcmp(str(rec, "contract"), contract) == 0 &&
		                             strcmp(str(rec, "field"), field) == 0;
		if (match) {
			json_decref(*out);
			*out = rec;
		} else {
			json_decref(rec);
		}
	}
	return OT_OK;
}
