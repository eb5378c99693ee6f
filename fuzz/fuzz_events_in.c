/*
 * fuzz_events_in.c: files of events from hostile bytes, through the reader
 * `oretrail submit` uses (cli_read_events, src/cli/events_in.c). Oracles:
 * every value handed over is a JSON object; line numbers never go back
 * (all 0 for an array); and the events read, written again one compact
 * object per line, read back as the same objects on lines 1, 2, ...
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/events_in.h"
#include "oretrail/buf.h"

typedef struct got {
	json_t *values; /* a JSON array of what was read */
	unsigned long last_line;
	int lines_ok;
} got;

static ot_status take(void *ctx, json_t *value, unsigned long line, ot_error *err)
{
	(void)err;
	got *g = ctx;
	if (!json_is_object(value))
		__builtin_trap();
	if (line < g->last_line)
		g->lines_ok = 0;
	g->last_line = line;
	if (json_array_append_new(g->values, value))
		__builtin_trap();
	return OT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	got g = {json_array(), 0, 1};
	ot_error err;
	ot_error_clear(&err);
	if (!g.values)
		__builtin_trap();
	if (cli_read_events((const char *)data, size, take, &g, &err) != OT_OK) {
		if (!err.message[0])
			__builtin_trap();
		goto out;
	}
	if (!g.lines_ok)
		__builtin_trap();
	/* Written again as JSON lines. */
	ot_buf lines;
	ot_buf_init(&lines, 0);
	size_t i;
	json_t *v;
	json_array_foreach(g.values, i, v)
	{
		char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
		if (!text || ot_buf_adds(&lines, text) || ot_buf_addc(&lines, '\n'))
			__builtin_trap();
		free(text);
	}
	got back = {json_array(), 0, 1};
	if (!back.values ||
	    cli_read_events((const char *)lines.data, lines.len, take, &back, NULL) != OT_OK ||
	    json_array_size(back.values) != json_array_size(g.values) ||
	    !json_equal(back.values, g.values) ||
	    (json_array_size(g.values) && back.last_line != json_array_size(g.values)))
		__builtin_trap();
	json_decref(back.values);
	ot_buf_free(&lines);
out:
	json_decref(g.values);
	return 0;
}
