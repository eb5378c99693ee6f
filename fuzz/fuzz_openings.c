/*
 * fuzz_openings.c: openings files (`oretrail commit`, `disclose`) from
 * hostile bytes, through cli_openings_find (src/cli/openings.c), then the
 * found opening through ot_commit_check as `disclose` does. Oracles: a
 * rejection names its line; an opening found by label carries that label;
 * found again by its own commitment, the opening has that commitment.
 */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "cli/openings.h"
#include "oretrail/commit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	json_t *rec = NULL;
	ot_error err;
	ot_error_clear(&err);
	if (cli_openings_find(text, size, NULL, "C-1", "price", &rec, &err) != OT_OK) {
		if (rec || strncmp(err.message, "line ", 5) != 0)
			__builtin_trap();
		return 0;
	}
	if (!rec)
		return 0;
	if (strcmp(json_string_value(json_object_get(rec, "contract")), "C-1") != 0 ||
	    strcmp(json_string_value(json_object_get(rec, "field")), "price") != 0)
		__builtin_trap();
	const char *commit = json_string_value(json_object_get(rec, "commit"));
	json_t *value = json_object_get(rec, "value");
	if (commit) {
		json_t *again = NULL;
		if (cli_openings_find(text, size, commit, NULL, NULL, &again, NULL) != OT_OK ||
		    !again ||
		    strcmp(json_string_value(json_object_get(again, "commit")), commit) != 0)
			__builtin_trap();
		json_decref(again);
	}
	const char *salt = json_string_value(json_object_get(rec, "salt"));
	if (value && salt)
		(void)ot_commit_check(json_object_get(rec, "commit"), salt, value, NULL);
	json_decref(rec);
	return 0;
}
