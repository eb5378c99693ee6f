/*
 * test_tile_kat.c: liboretrail's tiles, entry bundles and tree roots against
 * known answers computed independently with Go's golang.org/x/mod/sumdb/tlog
 * (tests/data/tiles/kat.txt, made by tests/interop/gen_tile_kat.go; see
 * tests/data/tiles/README.md).
 *
 * The test rebuilds the KAT log (entry i is "oretrail kat entry <i>\n") in a
 * fresh SQLite store, appending in batches of uneven sizes so that batch
 * edges fall inside and across tiles, and closing and reopening the log once
 * on the way. At each KAT size it checks the root (ot_log_tree_hash) and the
 * SHA-256 of every listed tile (ot_log_read_tile), that each path parses and
 * formats back unchanged, and that tiles beyond the tree are not served. At
 * the end it checks again every full tile and every earlier root, and the
 * latest signed checkpoint.
 *
 * Usage: test_tile_kat KAT_FILE [TMP_DIR]
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oretrail/hash.h"
#include "oretrail/log.h"
#include "oretrail/note.h"
#include "oretrail/status.h"
#include "oretrail/store.h"
#include "oretrail/tile.h"

#define KAT_ORIGIN "oretrail.example/kat"
/* A fixed test key (made with Go's note.GenerateKey), so runs are repeatable.
 * Its base64 parts hold no '+'; key parsing has its own tests. */
#define KAT_SKEY \
	"PRIVATE+KEY+oretrail.example/kat+d1380182+AWFFCqUGBfxfnNlAEJrNdCM1lind4Q2fCFgk/kG0YjgD"
#define KAT_VKEY "oretrail.example/kat+d1380182+AQEdoghCruiDVWafnvKFV8YgSQMGkU8Wbwlo7VapI9p4"
#define MAX_BATCH 3000
#define MAX_REPORTS 20

/* One line of kat.txt: a root (path "root") or a tile. */
typedef struct kat_line {
	uint64_t size;
	char path[64];
	unsigned width;
	char value[80]; /* base64 root or hex SHA-256 */
} kat_line;

static int failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	if (failures++ >= MAX_REPORTS)
		return;
	fputs("FAIL: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Independent of the library's codecs on purpose. */
static void hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static void b64_encode(const uint8_t *in, size_t n, char *out)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = alphabet[(v >> 18) & 63];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? alphabet[v & 63] : '=';
	}
	out[o] = '\0';
}

static kat_line *read_kat(const char *file, size_t *count)
{
	FILE *f = fopen(file, "r");
	kat_line *lines = NULL;
	size_t n = 0, cap = 0;
	char buf[256];
	unsigned lineno = 0;

	if (!f) {
		fprintf(stderr, "test_tile_kat: cannot open %s: %s\n", file, strerror(errno));
		return NULL;
	}
	while (fgets(buf, sizeof buf, f)) {
		kat_line l;
		int fields;

		lineno++;
		if (buf[0] == '#' || buf[0] == '\n')
			continue;
		memset(&l, 0, sizeof l);
		if (strstr(buf, " root ")) {
			fields = sscanf(buf, "%" SCNu64 " %63s %79s", &l.size, l.path, l.value);
			if (fields != 3 || strcmp(l.path, "root") != 0)
				goto bad;
		} else {
			fields = sscanf(buf, "%" SCNu64 " %63s %u %79s", &l.size, l.path, &l.width,
			                l.value);
			if (fields != 4)
				goto bad;
		}
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 1024;
			kat_line *nl = realloc(lines, ncap * sizeof *nl);
			if (!nl)
				goto bad;
			lines = nl;
			cap = ncap;
		}
		lines[n++] = l;
		continue;
bad:
		fprintf(stderr, "test_tile_kat: %s:%u: bad line\n", file, lineno);
		free(lines);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*count = n;
	return lines;
}

/* Deterministic batch sizes (xorshift32), so a failure reproduces. */
static uint32_t rng_state = 2463534242u;

static uint32_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static int append_to(ot_log *log, uint64_t target)
{
	static char text[MAX_BATCH][32];
	static const uint8_t *ptrs[MAX_BATCH];
	static size_t lens[MAX_BATCH];
	ot_error err;

	while (ot_log_size(log) < target) {
		uint64_t have = ot_log_size(log);
		uint64_t batch = 1 + rng_next() % MAX_BATCH;
		uint64_t first = 0;
		ot_status rc;

		if (batch > target - have)
			batch = target - have;
		for (uint64_t i = 0; i < batch; i++) {
			int len = snprintf(text[i], sizeof text[i],
			                   "oretrail kat entry %" PRIu64 "\n", have + i);
			ptrs[i] = (const uint8_t *)text[i];
			lens[i] = (size_t)len;
		}
		ot_error_clear(&err);
		rc = ot_log_append(log, ptrs, lens, (size_t)batch, &first, &err);
		if (rc) {
			fail("ot_log_append(%" PRIu64 " entries at %" PRIu64 "): %s: %s", batch,
			     have, ot_status_str(rc), err.message);
			return -1;
		}
		if (first != have)
			fail("ot_log_append at size %" PRIu64 ": first index %" PRIu64, have,
			     first);
		if (ot_log_size(log) != have + batch) {
			fail("after appending %" PRIu64 " at %" PRIu64 ": size %" PRIu64, batch,
			     have, ot_log_size(log));
			return -1;
		}
	}
	return 0;
}

static void check_root(ot_log *log, const kat_line *l)
{
	uint8_t root[OT_HASH_SIZE];
	char b64[48];
	ot_error err;
	ot_status rc;

	ot_error_clear(&err);
	rc = ot_log_tree_hash(log, l->size, root, &err);
	if (rc) {
		fail("ot_log_tree_hash(%" PRIu64 ") at log size %" PRIu64 ": %s: %s", l->size,
		     ot_log_size(log), ot_status_str(rc), err.message);
		return;
	}
	b64_encode(root, sizeof root, b64);
	if (strcmp(b64, l->value) != 0)
		fail("root of size %" PRIu64 " (log size %" PRIu64 "): got %s, want %s", l->size,
		     ot_log_size(log), b64, l->value);
}

static void expect_absent(ot_log *log, const ot_tile *t, const char *why)
{
	uint8_t *data = NULL;
	size_t len = 0;
	char path[96];
	ot_status rc;

	rc = ot_log_read_tile(log, t, &data, &len, NULL);
	if (ot_tile_path(t, path, sizeof path) != OT_OK)
		snprintf(path, sizeof path, "(level %d index %" PRIu64 " width %u)", t->level,
		         t->index, t->width);
	if (rc != OT_ERR_NOTFOUND)
		fail("%s at size %" PRIu64 " (%s): got %s (%zu bytes), want %s", path,
		     ot_log_size(log), why, ot_status_str(rc), len, ot_status_str(OT_ERR_NOTFOUND));
	free(data);
}

static void check_tile(ot_log *log, const kat_line *l, int edge_checks)
{
	ot_tile t;
	char path[96];
	uint8_t digest[OT_HASH_SIZE];
	char hex[2 * OT_HASH_SIZE + 1];
	uint8_t *data = NULL;
	size_t len = 0;
	ot_error err;
	ot_status rc;

	rc = ot_tile_parse_path(l->path, strlen(l->path), &t);
	if (rc) {
		fail("ot_tile_parse_path(%s): %s", l->path, ot_status_str(rc));
		return;
	}
	if (t.width != l->width)
		fail("ot_tile_parse_path(%s): width %u, want %u", l->path, t.width, l->width);
	if (ot_tile_path(&t, path, sizeof path) != OT_OK || strcmp(path, l->path) != 0)
		fail("ot_tile_path of parsed %s: got %s", l->path, path);
	{
		int level = t.level < 0 ? 0 : t.level; /* a bundle is as wide as its level-0 tile */
		unsigned w = ot_tile_width_at(level, t.index, l->size);
		if (w != l->width)
			fail("ot_tile_width_at(%d, %" PRIu64 ", %" PRIu64 ") = %u, want %u", level,
			     t.index, l->size, w, l->width);
	}

	ot_error_clear(&err);
	rc = ot_log_read_tile(log, &t, &data, &len, &err);
	if (rc) {
		fail("ot_log_read_tile(%s) at size %" PRIu64 ": %s: %s", l->path, ot_log_size(log),
		     ot_status_str(rc), err.message);
		return;
	}
	if (t.level >= 0 && len != (size_t)t.width * OT_HASH_SIZE)
		fail("%s at size %" PRIu64 ": %zu bytes, want %u", l->path, ot_log_size(log), len,
		     t.width * OT_HASH_SIZE);
	ot_sha256(data, len, digest);
	hex_encode(digest, sizeof digest, hex);
	if (strcmp(hex, l->value) != 0)
		fail("%s at size %" PRIu64 ": sha256 %s (%zu bytes), want %s", l->path,
		     ot_log_size(log), hex, len, l->value);
	free(data);

	if (!edge_checks || t.width == OT_TILE_WIDTH)
		return;
	/* The partial tile at the edge is the widest there is: neither a wider
	 * one nor the next tile on the level may be served. */
	{
		ot_tile wider = t, next = t;
		wider.width = t.width + 1;
		next.index = t.index + 1;
		next.width = 1;
		expect_absent(log, &wider, "wider than the tree");
		expect_absent(log, &next, "beyond the tree");
	}
}

static int open_log(const char *db, int create, const ot_signer *signer, ot_store **st,
                    ot_log **log)
{
	ot_error err;
	ot_status rc;

	ot_error_clear(&err);
	rc = ot_store_open(db, create ? OT_STORE_CREATE : 0, st, &err);
	if (rc) {
		fail("ot_store_open(%s): %s: %s", db, ot_status_str(rc), err.message);
		return -1;
	}
	if (create) {
		rc = ot_log_create(*st, KAT_ORIGIN, signer, &err);
		if (rc) {
			fail("ot_log_create: %s: %s", ot_status_str(rc), err.message);
			return -1;
		}
	}
	rc = ot_log_open(*st, signer, log, &err);
	if (rc) {
		fail("ot_log_open: %s: %s", ot_status_str(rc), err.message);
		return -1;
	}
	return 0;
}

static void check_checkpoint(ot_log *log, const ot_signer *signer, const kat_line *root_line)
{
	char vkey[OT_VKEY_MAX];
	ot_verifier *v = NULL;
	char *note = NULL;
	size_t len = 0;
	ot_note parsed;
	ot_checkpoint cp;
	char b64[48];
	ot_error err;
	ot_status rc;

	memset(&parsed, 0, sizeof parsed);
	ot_error_clear(&err);
	if ((rc = ot_signer_vkey(signer, vkey, sizeof vkey)) != OT_OK) {
		fail("ot_signer_vkey: %s", ot_status_str(rc));
		goto out;
	}
	if (strcmp(vkey, KAT_VKEY) != 0)
		fail("ot_signer_vkey: got %s, want %s", vkey, KAT_VKEY);
	if ((rc = ot_verifier_parse(vkey, strlen(vkey), &v, &err)) != OT_OK) {
		fail("ot_verifier_parse(%s): %s: %s", vkey, ot_status_str(rc), err.message);
		goto out;
	}
	if ((rc = ot_log_checkpoint(log, &note, &len, &err)) != OT_OK) {
		fail("ot_log_checkpoint: %s: %s", ot_status_str(rc), err.message);
		goto out;
	}
	if ((rc = ot_note_open(note, len, &v, 1, &parsed, &err)) != OT_OK) {
		fail("ot_note_open(checkpoint): %s: %s", ot_status_str(rc), err.message);
		goto out;
	}
	if ((rc = ot_checkpoint_parse(parsed.text, parsed.text_len, &cp, &err)) != OT_OK) {
		fail("ot_checkpoint_parse: %s: %s", ot_status_str(rc), err.message);
		goto out;
	}
	b64_encode(cp.root, sizeof cp.root, b64);
	if (strcmp(cp.origin, KAT_ORIGIN) != 0 || cp.size != root_line->size ||
	    strcmp(b64, root_line->value) != 0)
		fail("checkpoint says %s %" PRIu64 " %s, want %s %" PRIu64 " %s", cp.origin,
		     cp.size, b64, KAT_ORIGIN, root_line->size, root_line->value);
out:
	ot_note_clear(&parsed);
	free(note);
	ot_verifier_free(v);
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096 + 512];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	const char *tmp_base;
	char dir[4096], db[4200];
	kat_line *lines;
	size_t n_lines = 0, checked = 0;
	ot_signer *signer = NULL;
	ot_store *st = NULL;
	ot_log *log = NULL;
	ot_error err;
	int reopened = 0;
	const kat_line *last_root = NULL;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: test_tile_kat KAT_FILE [TMP_DIR]\n");
		return 2;
	}
	lines = read_kat(argv[1], &n_lines);
	if (!lines || n_lines == 0) {
		fprintf(stderr, "test_tile_kat: no known answers in %s\n", argv[1]);
		free(lines);
		return 1;
	}
	tmp_base = argc == 3 ? argv[2] : getenv("TMPDIR");
	if (!tmp_base || !*tmp_base)
		tmp_base = "/tmp";
	snprintf(dir, sizeof dir, "%s/test_tile_kat.XXXXXX", tmp_base);
	if (!mkdtemp(dir)) {
		fprintf(stderr, "test_tile_kat: mkdtemp(%s): %s\n", dir, strerror(errno));
		free(lines);
		return 1;
	}
	snprintf(db, sizeof db, "%s/kat.db", dir);

	ot_error_clear(&err);
	if (ot_signer_parse(KAT_SKEY, strlen(KAT_SKEY), &signer, &err) != OT_OK) {
		fail("ot_signer_parse(%s): %s", KAT_SKEY, err.message);
		goto out;
	}
	if (open_log(db, 1, signer, &st, &log))
		goto out;

	for (size_t i = 0; i < n_lines; i++) {
		const kat_line *l = &lines[i];

		if (ot_log_size(log) != l->size) {
			if (l->size < ot_log_size(log)) {
				fail("kat.txt is not in increasing size order at %s", l->path);
				goto out;
			}
			/* Once past 2^16, reload the right edge from the store. */
			if (!reopened && l->size > 65536) {
				ot_log_close(log);
				ot_store_close(st);
				log = NULL;
				st = NULL;
				if (open_log(db, 0, signer, &st, &log))
					goto out;
				reopened = 1;
			}
			if (append_to(log, l->size))
				goto out;
		}
		if (strcmp(l->path, "root") == 0) {
			check_root(log, l);
			last_root = l;
		} else {
			check_tile(log, l, 1);
		}
		checked++;
	}

	/* Full tiles never change and earlier trees stay computable. */
	for (size_t i = 0; i < n_lines; i++) {
		if (strcmp(lines[i].path, "root") == 0)
			check_root(log, &lines[i]);
		else if (lines[i].width == OT_TILE_WIDTH)
			check_tile(log, &lines[i], 0);
	}
	if (last_root)
		check_checkpoint(log, signer, last_root);

out:
	ot_log_close(log);
	ot_store_close(st);
	ot_signer_free(signer);
	remove_dir(dir);
	free(lines);
	if (failures > MAX_REPORTS)
		fprintf(stderr, "... and %d more failures\n", failures - MAX_REPORTS);
	printf("test_tile_kat: %zu of %zu known answers checked, %d failures\n", checked, n_lines,
	       failures);
	return failures ? 1 : 0;
}
