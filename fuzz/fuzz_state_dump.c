/*
 * fuzz_state_dump.c: any JSON document through the state layer's record
 * serialiser and copier (otx_state_dump, otx_json_copy; ledger/state.h),
 * against jansson's json_dumps with the flags ledgers have always stored
 * records with. Oracle: the same bytes, or both refuse; a copy dumps to the
 * same bytes again; otx_json_dump_ordered gives json_dumps' bytes with
 * members in insertion order. A difference would make an audit of an
 * existing ledger report records that were never changed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ledger/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *v = json_loadb((const char *)data, size, JSON_ALLOW_NUL, &jerr);
	if (!v)
		return 0;
	char *want = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII);
	char *got = otx_state_dump(v);
	json_t *copy = otx_json_copy(v);
	char *again = copy ? otx_state_dump(copy) : NULL;
	if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0))
		__builtin_trap();
	if (!copy || (want == NULL) != (again == NULL) || (want && strcmp(want, again) != 0))
		__builtin_trap();
	char *want_o = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
	char *got_o = otx_json_dump_ordered(v);
	if ((want_o == NULL) != (got_o == NULL) || (want_o && strcmp(want_o, got_o) != 0))
		__builtin_trap();
	free(want_o);
	free(got_o);
	free(again);
	json_decref(copy);
	free(got);
	free(want);
	json_decref(v);
	return 0;
}
