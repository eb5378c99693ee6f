/*
 * fuzz_add_split.c: POST /add bodies from hostile bytes, through the
 * server's splitter (otx_add_split, src/server/add.c) that cuts an array
 * into its envelopes before each is parsed. Oracles: a split that succeeds
 * yields ordered, non-empty, non-overlapping pieces inside the body, the
 * whole body when it is not an array; and the pieces joined again as an
 * array ("[" p0 "," p1 ... "]") split into the same pieces.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/handlers.h"

#define MAX_EVENTS 1000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t *start, *end, n;
	ot_error err;
	ot_error_clear(&err);
	if (otx_add_split(data, size, MAX_EVENTS, &start, &end, &n, &err) != OT_OK) {
		if (!err.code[0] || (err.status != OT_ERR_PARSE && err.status != OT_ERR_TOOBIG))
			__builtin_trap();
		return 0;
	}
	if (n == 0 || n > MAX_EVENTS)
		__builtin_trap();
	size_t joined_len = 2, prev = 0;
	for (size_t i = 0; i < n; i++) {
		if (start[i] < prev || end[i] <= start[i] || end[i] > size)
			__builtin_trap();
		prev = end[i];
		joined_len += end[i] - start[i] + 1;
	}
	int array = 0;
	for (size_t i = 0; i < size; i++)
		if (data[i] != ' ' && data[i] != '\t' && data[i] != '\n' && data[i] != '\r') {
			array = data[i] == '[';
			break;
		}
	if (!array) {
		if (n != 1 || start[0] != 0 || end[0] != size)
			__builtin_trap();
		goto out;
	}
	uint8_t *joined = malloc(joined_len);
	if (!joined)
		__builtin_trap();
	size_t at = 0;
	joined[at++] = '[';
	for (size_t i = 0; i < n; i++) {
		if (i)
			joined[at++] = ',';
		memcpy(joined + at, data + start[i], end[i] - start[i]);
		at += end[i] - start[i];
	}
	joined[at++] = ']';
	size_t *s2, *e2, n2;
	if (otx_add_split(joined, at, MAX_EVENTS, &s2, &e2, &n2, NULL) != OT_OK || n2 != n)
		__builtin_trap();
	for (size_t i = 0; i < n; i++)
		if (e2[i] - s2[i] != end[i] - start[i] ||
		    memcmp(joined + s2[i], data + start[i], end[i] - start[i]) != 0)
			__builtin_trap();
	free(s2);
	free(e2);
	free(joined);
out:
	free(start);
	free(end);
	return 0;
}
