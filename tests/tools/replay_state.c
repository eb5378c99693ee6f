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
 * and, given a date and profiles, for every lot of the state in id order
 * a line of lots.jsonl: ot_replay_lot's document (stages, determinations
 * as of AT under the PROFILE files), which web/wasm's otw_lot must equal.
 *
 *   replay_state DB NOW DAYS OUTDIR [AT PROFILE...]
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/certificate.h"
#include "oretrail/file.h"
#include "oretrail/note.h"
#include "oretrail/replay.h"
#include "oretrail/store.h"

typedef struct dump {
	ot_replay *replay;
	FILE *entries;
	ot_error *err;
	uint8_t **data; /* every entry, by log index, for ot_replay_lot */
	size_t *lens, n, cap;
} dump;

static ot_status keep_entry(dump *d, const uint8_t *data, size_t len)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 256;
		uint8_t **nd = realloc(d->data, cap * sizeof *nd);
		if (nd)
			d->data = nd;
		size_t *nl = realloc(d->lens, cap * sizeof *nl);
		if (nl)
			d->lens = nl;
		if (!nd || !nl)
			return ot_error_set(d->err, OT_ERR_NOMEM, "out of memory");
		d->cap = cap;
	}
	if (!(d->data[d->n] = malloc(len ? len : 1)))
		return ot_error_set(d->err, OT_ERR_NOMEM, "out of memory");
	memcpy(d->data[d->n], data, len);
	d->lens[d->n++] = len;
	return OT_OK;
}

static ot_status each_entry(void *ctx, uint64_t index, const uint8_t *data, size_t len)
{
	dump *d = ctx;
	uint8_t be[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
	                 (uint8_t)len};
	if (fwrite(be, 1, 4, d->entries) != 4 || fwrite(data, 1, len, d->entries) != len)
		return ot_error_set(d->err, OT_ERR_IO, "writing entries.bin: %s", strerror(errno));
	ot_status rc = keep_entry(d, data, len);
	if (rc)
		return rc;
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

/* lots.jsonl: ot_replay_lot's document for every lot of the state, as of
 * at under the profile files. */
static ot_status write_lots(const dump *d, const char *state, const char *dir, const char *at,
                            char **files, size_t n, ot_error *err)
{
	ot_cert_profile profiles[16];
	char *texts[16] = {0};
	char path[4096];
	ot_status rc = OT_OK;
	if (n > 16)
		return ot_error_set(err, OT_ERR_ARG, "at most 16 profiles");
	for (size_t i = 0; !rc && i < n; i++) {
		size_t len = 0;
		rc = ot_file_read(files[i], &texts[i], &len, 1 << 20, err);
		profiles[i] = (ot_cert_profile){texts[i], len, 0};
	}
	json_t *doc = rc ? NULL : json_loads(state, 0, NULL);
	snprintf(path, sizeof path, "%s/lots.jsonl", dir);
	FILE *out = rc ? NULL : fopen(path, "w");
	if (!rc && (!doc || !out))
		rc = ot_error_set(err, OT_ERR_IO, "cannot write %s", path);
	const char *lot;
	json_t *rec;
	json_object_foreach(json_object_get(doc, "lots"), lot, rec)
	{
		char *text = NULL;
		if (rc || (rc = ot_replay_lot(d->replay, lot, profiles, n, at,
		                              (const uint8_t *const *)d->data, d->lens, d->n, &text,
		                              err)))
			break;
		if (fprintf(out, "%s\n", text) < 0)
			rc = ot_error_set(err, OT_ERR_IO, "cannot write %s", path);
		free(text);
	}
	if (out && fclose(out) != 0 && !rc)
		rc = ot_error_set(err, OT_ERR_IO, "cannot write %s", path);
	json_decref(doc);
	for (size_t i = 0; i < n; i++)
		free(texts[i]);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 5 && argc < 7) {
		fprintf(stderr, "usage: replay_state DB NOW DAYS OUTDIR [AT PROFILE...]\n");
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
	dump d = {0};
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
	d = (dump){replay, entries, &err, NULL, NULL, 0, 0};
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
	if (!code && argc >= 7 &&
	    write_lots(&d, state, dir, argv[5], argv + 6, (size_t)argc - 6, &err))
		code = 1;
out:
	if (code && err.message[0])
		fprintf(stderr, "replay_state: %s: %s\n", argv[1], err.message);
	if (entries)
		fclose(entries);
	free(state);
	free(vkey);
	free(note);
	for (size_t i = 0; i < d.n; i++)
		free(d.data[i]);
	free(d.data);
	free(d.lens);
	ot_replay_free(replay);
	ot_verifier_free(key);
	ot_store_close(st);
	return code;
}
