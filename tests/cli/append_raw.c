/*
 * append_raw.c: test helper: appends N deterministic raw entries to a log
 * (below the ledger's rules), so that CLI tests have trees to prove.
 *   append_raw DB KEYFILE N [BATCH [WORD]]
 *   append_raw DB KEYFILE -
 * Entry i is "<WORD> entry <i>\n" (WORD "raw" by default): another WORD
 * grows the same log key's tree another way, i.e. a fork. With "-", each
 * line of stdin (without its newline) is one entry, in one append: a
 * signed envelope the rules would refuse gets into the log this way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/log.h"

static int append_lines(ot_log *log, ot_store *st, ot_signer *signer)
{
	static char lines[100][65536];
	const uint8_t *ptrs[100];
	size_t lens[100], k = 0;
	while (k < 100 && fgets(lines[k], sizeof lines[k], stdin)) {
		lens[k] = strcspn(lines[k], "\n");
		ptrs[k] = (const uint8_t *)lines[k];
		k++;
	}
	ot_error err;
	int rc = 0;
	if (ot_log_append(log, ptrs, lens, k, NULL, &err)) {
		fprintf(stderr, "append_raw: %s\n", err.message);
		rc = 3;
	}
	ot_log_close(log);
	ot_store_close(st);
	ot_signer_free(signer);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: append_raw DB KEYFILE N [BATCH [WORD]]\n");
		return 2;
	}
	int from_stdin = strcmp(argv[3], "-") == 0;
	uint64_t n = from_stdin ? 0 : strtoull(argv[3], NULL, 10);
	size_t batch = argc > 4 ? (size_t)strtoul(argv[4], NULL, 10) : 100;
	if (batch == 0 || batch > 10000)
		batch = 100;
	const char *word = argc > 5 ? argv[5] : "raw";
	if (strlen(word) > 32) {
		fprintf(stderr, "append_raw: WORD is at most 32 bytes\n");
		return 2;
	}
	char key[512];
	FILE *f = fopen(argv[2], "r");
	if (!f || !fgets(key, sizeof key, f)) {
		fprintf(stderr, "append_raw: cannot read %s\n", argv[2]);
		return 2;
	}
	fclose(f);
	ot_error err;
	ot_signer *signer = NULL;
	ot_store *st = NULL;
	ot_log *log = NULL;
	if (ot_signer_parse(key, strlen(key), &signer, &err) ||
	    ot_store_open(argv[1], 0, &st, &err) || ot_log_open(st, signer, &log, &err)) {
		fprintf(stderr, "append_raw: %s\n", err.message);
		return 3;
	}
	if (from_stdin)
		return append_lines(log, st, signer);
	static uint8_t bufs[10000][64];
	const uint8_t *ptrs[10000];
	size_t lens[10000];
	uint64_t start = ot_log_size(log), done = 0;
	while (done < n) {
		size_t k = 0;
		for (; k < batch && done + k < n; k++) {
			uint64_t i = start + done + k;
			lens[k] = (size_t)snprintf((char *)bufs[k], sizeof bufs[k],
			                           "%s entry %llu\n", word, (unsigned long long)i);
			ptrs[k] = bufs[k];
		}
		if (ot_log_append(log, ptrs, lens, k, NULL, &err)) {
			fprintf(stderr, "append_raw: %s\n", err.message);
			return 3;
		}
		done += k;
	}
	ot_log_close(log);
	ot_store_close(st);
	ot_signer_free(signer);
	return 0;
}
