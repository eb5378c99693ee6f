/*
 * replay_state.c: the C side of the test that the WebAssembly replay
 * (web/wasm) derives what the C replay derives. Reads a ledger's entries
 * and log key from its store, replays them from scratch with the public
 * replay engine (ot_replay_new, ot_replay_entries, ot_replay_state; one
 * thread, as in the browser) and writes, under OUTDIR:
 *
 *   state.json   ot_replay_state's document (as of NOW, withholding limit DAYS)
 *   entries.bin  every entry, in log order, each as a 4-byte big-endian
 *                length and its bytes (what web/wasm's replay takes)
 *   vkey         the log's verifier key (meta log_vkey)
 *   checkpoint   the latest signed checkpoint when it covers every entry,
 *                else empty (web/wasm checks the entries against it)
 *
 *   replay_state DB NOW DAYS OUTDIR
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/note.h"
#include "oretrail/replay.h"
#include "oretrail/store.h"

typedef struct dump {
	ot_replay *replay;
	FILE *entries;
	ot_error *err;
} dump;

static ot_status each_entry(void *ctx, uint64_t index, const uint8_t *data, size_t len)
{
	dump *d = ctx;
	uint8_t be[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
	                 (uint8_t)len};
	if (fwrite(be, 1, 4, d->entries) != 4 || fwrite(data, 1, len, d->entries) != len)
		return ot_error_set(d->err, OT_ERR_IO, "writing entries.bin: %s", strerror(errno));
	return ot_replay_entry(d->replay, index, data, len, NULL, NULL, d->err);
}

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	int ok = f && fputs(text, f) >= 0;
	if (f && fclose(f) != 0)
		ok = 0;
	if (!ok)
		fprintf(stderr, "replay_state: cannot write %s: %s\n", path, strerror(errno));
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: replay_state DB NOW DAYS OUTDIR\n");
		return 2;
	}
	const char *dir = argv[4];
	int64_t now = strtoll(argv[2], NULL, 10);
	uint32_t days = (uint32_t)strtoul(argv[3], NULL, 10);
	ot_error err;
	ot_error_clear(&err);
	ot_store *st = NULL;
	ot_verifier *key = NULL;
	ot_replay *replay = NULL;
	char *vkey = NULL, *state = NULL, *note = NULL;
	uint64_t note_size = 0;
	size_t note_len = 0;
	FILE *entries = NULL;
	uint64_t count = 0;
	int code = 1;
	char path[4096];
	snprintf(path, sizeof path, "%s/entries.bin", dir);
	if (ot_store_open(argv[1], OT_STORE_READONLY, &st, &err) ||
	    ot_store_get_meta(st, "log_vkey", &vkey, &err) ||
	    ot_verifier_parse(vkey, strlen(vkey), &key, &err) ||
	    ot_replay_new(key, OT_REPLAY_SERIAL, &replay, &err) ||
	    ot_store_entry_count(st, &count, &err))
		goto out;
	if (!(entries = fopen(path, "wb"))) {
		ot_error_set(&err, OT_ERR_IO, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	dump d = {replay, entries, &err};
	if (ot_store_scan_entries(st, 0, count, each_entry, &d, &err) ||
	    ot_replay_state(replay, now, days, &state, &err))
		goto out;
	if (fclose(entries) != 0) {
		entries = NULL;
		ot_error_set(&err, OT_ERR_IO, "cannot write %s", path);
		goto out;
	}
	entries = NULL;
	ot_status found = ot_store_get_checkpoint(st, &note_size, &note, &note_len, &err);
	if (found && found != OT_ERR_NOTFOUND)
		goto out;
	ot_error_clear(&err);
	code = write_file(dir, "state.json", state) || write_file(dir, "vkey", vkey) ||
	       write_file(dir, "checkpoint", !found && note_size == count ? note : "");
out:
	if (code && err.message[0])
		fprintf(stderr, "replay_state: %s: %s\n", argv[1], err.message);
	if (entries)
		fclose(entries);
	free(state);
	free(vkey);
	free(note);
	ot_replay_free(replay);
	ot_verifier_free(key);
	ot_store_close(st);
	return code;
}
