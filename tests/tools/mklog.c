/*
 * mklog.c: builds a log with liboretrail and writes out what an outside
 * verifier needs, for the Go interoperability test (tests/interop/verify.go,
 * run by tests/interop/run_interop.sh).
 *
 *   mklog make OUTDIR [SEED]   create a log and write the exchange files
 *   mklog check-go OUTDIR      check the keys and the note Go wrote back
 *
 * Exchange files under OUTDIR (hashes in lowercase hex, one record a line):
 *   vkey, skey            the log's verifier and signer keys
 *   sizes                 the tree sizes with a saved checkpoint, ascending
 *   checkpoints/<size>    the signed checkpoint the log published at <size>
 *   leaves                leaf hash of entry i on line i, for the final size
 *   inclusion             <index> <size> <leaf hash> <proof hash>...
 *   consistency           <size1> <size2> <proof hash>...
 *   tiles/tile/...        every tile and entry bundle of the final tree,
 *                         at its C2SP path
 * Go writes back go_skey, go_vkey (a key pair of its own) and go_signed.note,
 * the text GO_NOTE_TEXT signed by both the log's key and Go's key, which
 * check-go verifies with ot_note_open.
 *
 * Sizes are 1, 2, 3, 255, 256, 257, 65537 and four drawn from SEED; entries
 * are pseudo-random bytes of 1..200 bytes, one of them OT_ENTRY_MAX long.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "oretrail/hash.h"
#include "oretrail/log.h"
#include "oretrail/note.h"
#include "oretrail/proof.h"
#include "oretrail/status.h"
#include "oretrail/store.h"
#include "oretrail/tile.h"

#define LOG_ORIGIN "interop.oretrail.example/log"
#define GO_NOTE_TEXT "oretrail interop: signed by Go\n"
#define MAX_SIZES 16
#define MAX_BATCH 4000
#define BIG_ENTRY_INDEX 4

static int failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	failures++;
	fputs("mklog: FAIL: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* splitmix64: a seedable generator for sizes, batches and entry bytes. */
static uint64_t mix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static uint64_t rng;

static uint64_t rand_in(uint64_t lo, uint64_t hi) /* inclusive */
{
	return lo + mix(&rng) % (hi - lo + 1);
}

/* Entry i: deterministic in i alone, so a failing log can be rebuilt. */
static size_t make_entry(uint64_t i, uint8_t *buf)
{
	uint64_t state = i * 7919u + 1;
	size_t len = i == BIG_ENTRY_INDEX ? OT_ENTRY_MAX : (size_t)(1 + mix(&state) % 200);

	for (size_t k = 0; k < len; k += 8) {
		uint64_t v = mix(&state);
		for (size_t b = 0; b < 8 && k + b < len; b++)
			buf[k + b] = (uint8_t)(v >> (8 * b));
	}
	return len;
}

static void hex_put(FILE *f, const uint8_t *h)
{
	for (size_t i = 0; i < OT_HASH_SIZE; i++)
		fprintf(f, "%02x", h[i]);
}

static int mkdirs(const char *path)
{
	char tmp[4096];
	size_t len = strlen(path);

	if (len >= sizeof tmp)
		return -1;
	memcpy(tmp, path, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (tmp[i] == '/' || tmp[i] == '\0') {
			char c = tmp[i];
			tmp[i] = '\0';
			if (mkdir(tmp, 0777) != 0 && errno != EEXIST) {
				fail("mkdir %s: %s", tmp, strerror(errno));
				return -1;
			}
			tmp[i] = c;
		}
	}
	return 0;
}

static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];
	char *slash;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	slash = strrchr(path, '/');
	*slash = '\0';
	if (mkdirs(path))
		return -1;
	*slash = '/';
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fail("write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Reads a whole small file into a NUL-terminated malloc'ed buffer. */
static char *read_file(const char *dir, const char *name, size_t *len)
{
	char path[4096];
	FILE *f;
	char *buf = NULL;
	long size;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || !(buf = malloc((size_t)size + 1)) ||
	    fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fail("read %s: %s", path, strerror(errno));
		free(buf);
		if (f)
			fclose(f);
		return NULL;
	}
	fclose(f);
	buf[size] = '\0';
	*len = (size_t)size;
	return buf;
}

static size_t count_plus(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '+';
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static size_t pick_sizes(uint64_t *sizes)
{
	static const uint64_t fixed[] = {1, 2, 3, 255, 256, 257, 65537};
	size_t n = 0, out = 0;

	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		sizes[n++] = fixed[i];
	sizes[n++] = rand_in(4, 254);
	sizes[n++] = rand_in(258, 65536);
	sizes[n++] = rand_in(258, 65536);
	sizes[n++] = rand_in(65538, 70000);
	qsort(sizes, n, sizeof sizes[0], cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (out == 0 || sizes[i] != sizes[out - 1])
			sizes[out++] = sizes[i];
	return out;
}

/* Appends entries up to `target` in batches of random sizes. Entries go into
 * one arena: at most 200 bytes each, plus the one OT_ENTRY_MAX entry. */
static int append_to(ot_log *log, uint64_t target)
{
	static uint8_t arena[MAX_BATCH * 200 + OT_ENTRY_MAX];
	static const uint8_t *ptrs[MAX_BATCH];
	static size_t lens[MAX_BATCH];
	ot_error err;

	while (ot_log_size(log) < target) {
		uint64_t have = ot_log_size(log), first = 0;
		size_t batch = (size_t)rand_in(1, MAX_BATCH), used = 0;
		ot_status st;

		if (batch > target - have)
			batch = (size_t)(target - have);
		for (size_t i = 0; i < batch; i++) {
			ptrs[i] = arena + used;
			lens[i] = make_entry(have + i, arena + used);
			used += lens[i];
		}
		ot_error_clear(&err);
		st = ot_log_append(log, ptrs, lens, batch, &first, &err);
		if (st) {
			fail("ot_log_append(%zu at %" PRIu64 "): %s: %s", batch, have,
			     ot_status_str(st), err.message);
			return -1;
		}
		if (first != have || ot_log_size(log) != have + batch) {
			fail("append of %zu at %" PRIu64 ": first %" PRIu64 ", size %" PRIu64,
			     batch, have, first, ot_log_size(log));
			return -1;
		}
	}
	return 0;
}

static int put_inclusion(FILE *f, ot_log *log, uint64_t index, uint64_t size)
{
	uint8_t proof[OT_PROOF_MAX][OT_HASH_SIZE];
	uint8_t leaf[OT_HASH_SIZE];
	size_t n = 0;
	ot_error err;
	ot_status st;

	ot_error_clear(&err);
	if ((st = ot_log_leaf_hash(log, index, leaf, &err)) != OT_OK ||
	    (st = ot_log_inclusion_proof(log, index, size, proof, &n, &err)) != OT_OK) {
		fail("inclusion proof of %" PRIu64 " in %" PRIu64 ": %s: %s", index, size,
		     ot_status_str(st), err.message);
		return -1;
	}
	fprintf(f, "%" PRIu64 " %" PRIu64 " ", index, size);
	hex_put(f, leaf);
	for (size_t i = 0; i < n; i++) {
		fputc(' ', f);
		hex_put(f, proof[i]);
	}
	fputc('\n', f);
	return 0;
}

static int put_consistency(FILE *f, ot_log *log, uint64_t size1, uint64_t size2)
{
	uint8_t proof[OT_PROOF_MAX][OT_HASH_SIZE];
	size_t n = 0;
	ot_error err;
	ot_status st;

	ot_error_clear(&err);
	st = ot_log_consistency_proof(log, size1, size2, proof, &n, &err);
	if (st) {
		fail("consistency proof %" PRIu64 " -> %" PRIu64 ": %s: %s", size1, size2,
		     ot_status_str(st), err.message);
		return -1;
	}
	fprintf(f, "%" PRIu64 " %" PRIu64, size1, size2);
	for (size_t i = 0; i < n; i++) {
		fputc(' ', f);
		hex_put(f, proof[i]);
	}
	fputc('\n', f);
	return 0;
}

static int put_tile(ot_log *log, const char *out, int level, uint64_t index, unsigned width)
{
	ot_tile t = {level, index, width};
	char path[128], name[160];
	uint8_t *data = NULL;
	size_t len = 0;
	ot_error err;
	ot_status st;
	int rc;

	if (ot_tile_path(&t, path, sizeof path) != OT_OK) {
		fail("ot_tile_path(level %d index %" PRIu64 " width %u)", level, index, width);
		return -1;
	}
	ot_error_clear(&err);
	st = ot_log_read_tile(log, &t, &data, &len, &err);
	if (st) {
		fail("ot_log_read_tile(%s): %s: %s", path, ot_status_str(st), err.message);
		return -1;
	}
	snprintf(name, sizeof name, "tiles/%s", path);
	rc = write_file(out, name, data, len);
	free(data);
	return rc;
}

/* Every tile and bundle of the tree of `size` leaves, computed here rather
 * than with ot_tile_width_at so that the library is not its own judge. */
static int put_tiles(ot_log *log, const char *out, uint64_t size)
{
	for (int level = 0; level < 8 && (size >> (8 * level)) > 0; level++) {
		uint64_t nodes = size >> (8 * level);
		for (uint64_t n = 0; n <= nodes >> 8; n++) {
			unsigned width = n < nodes >> 8 ? OT_TILE_WIDTH : (unsigned)(nodes & 255);
			if (width == 0)
				break;
			if (put_tile(log, out, level, n, width))
				return -1;
			if (level == 0 && put_tile(log, out, OT_TILE_LEVEL_ENTRIES, n, width))
				return -1;
		}
	}
	return 0;
}

static int cmd_make(const char *out, uint64_t seed)
{
	uint64_t sizes[MAX_SIZES];
	size_t n_sizes;
	char path[4096], key[OT_SKEY_MAX + 1];
	ot_signer *signer = NULL;
	ot_store *st = NULL;
	ot_log *log = NULL;
	FILE *inc = NULL, *con = NULL, *f = NULL;
	ot_error err;
	ot_status s;
	int rc = -1;

	rng = seed;
	n_sizes = pick_sizes(sizes);
	printf("mklog: seed %" PRIu64 ", sizes", seed);
	for (size_t i = 0; i < n_sizes; i++)
		printf(" %" PRIu64, sizes[i]);
	printf("\n");

	if (mkdirs(out))
		goto out;
	/* Draw keys until both key strings have a '+' inside their base64 (about
	 * one key in four), the case where naive splitting on '+' goes wrong. */
	for (int tries = 0;; tries++) {
		char vkey[OT_VKEY_MAX];
		ot_error_clear(&err);
		if ((s = ot_signer_generate(LOG_ORIGIN, &signer, &err)) != OT_OK) {
			fail("ot_signer_generate: %s: %s", ot_status_str(s), err.message);
			goto out;
		}
		if (ot_signer_format(signer, key, sizeof key) != OT_OK ||
		    ot_signer_vkey(signer, vkey, sizeof vkey) != OT_OK) {
			fail("ot_signer_format or ot_signer_vkey");
			goto out;
		}
		if ((count_plus(key) > 4 && count_plus(vkey) > 2) || tries == 1000)
			break;
		ot_signer_free(signer);
		signer = NULL;
	}
	strcat(key, "\n");
	if (write_file(out, "skey", key, strlen(key)))
		goto out;
	if (ot_signer_vkey(signer, key, sizeof key) != OT_OK) {
		fail("ot_signer_vkey");
		goto out;
	}
	strcat(key, "\n");
	if (write_file(out, "vkey", key, strlen(key)))
		goto out;

	snprintf(path, sizeof path, "%s/log.db", out);
	if ((s = ot_store_open(path, OT_STORE_CREATE, &st, &err)) != OT_OK ||
	    (s = ot_log_create(st, LOG_ORIGIN, signer, &err)) != OT_OK ||
	    (s = ot_log_open(st, signer, &log, &err)) != OT_OK) {
		fail("creating the log in %s: %s: %s", path, ot_status_str(s), err.message);
		goto out;
	}

	snprintf(path, sizeof path, "%s/inclusion", out);
	if (!(inc = fopen(path, "w"))) {
		fail("open %s: %s", path, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < n_sizes; i++) {
		char *note = NULL;
		size_t len = 0;
		char name[64];

		if (append_to(log, sizes[i]))
			goto out;
		if ((s = ot_log_checkpoint(log, &note, &len, &err)) != OT_OK) {
			fail("ot_log_checkpoint at %" PRIu64 ": %s: %s", sizes[i], ot_status_str(s),
			     err.message);
			goto out;
		}
		snprintf(name, sizeof name, "checkpoints/%" PRIu64, sizes[i]);
		rc = write_file(out, name, note, len);
		free(note);
		if (rc)
			goto out;
		rc = -1;
		/* Proofs against the tree as it is now ... */
		if (put_inclusion(inc, log, sizes[i] - 1, sizes[i]) ||
		    put_inclusion(inc, log, 0, sizes[i]))
			goto out;
	}

	/* ... and against every earlier tree, from the final one. */
	for (size_t i = 0; i < n_sizes; i++) {
		uint64_t size = sizes[i];
		uint64_t idx[5] = {0, size / 2, size - 1, 0, 0};
		idx[3] = rand_in(0, size - 1);
		idx[4] = rand_in(0, size - 1);
		for (size_t k = 0; k < sizeof idx / sizeof idx[0]; k++)
			if (put_inclusion(inc, log, idx[k], size))
				goto out;
	}
	if (fclose(inc) != 0) {
		inc = NULL;
		fail("write inclusion");
		goto out;
	}
	inc = NULL;

	snprintf(path, sizeof path, "%s/consistency", out);
	if (!(con = fopen(path, "w"))) {
		fail("open %s: %s", path, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < n_sizes; i++)
		for (size_t j = i; j < n_sizes; j++)
			if (put_consistency(con, log, sizes[i], sizes[j]))
				goto out;
	if (fclose(con) != 0) {
		con = NULL;
		fail("write consistency");
		goto out;
	}
	con = NULL;

	snprintf(path, sizeof path, "%s/sizes", out);
	if (!(f = fopen(path, "w"))) {
		fail("open %s: %s", path, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < n_sizes; i++)
		fprintf(f, "%" PRIu64 "\n", sizes[i]);
	if (fclose(f) != 0) {
		f = NULL;
		fail("write sizes");
		goto out;
	}
	f = NULL;

	snprintf(path, sizeof path, "%s/leaves", out);
	if (!(f = fopen(path, "w"))) {
		fail("open %s: %s", path, strerror(errno));
		goto out;
	}
	for (uint64_t i = 0; i < ot_log_size(log); i++) {
		uint8_t leaf[OT_HASH_SIZE];
		if ((s = ot_log_leaf_hash(log, i, leaf, &err)) != OT_OK) {
			fail("ot_log_leaf_hash(%" PRIu64 "): %s: %s", i, ot_status_str(s),
			     err.message);
			goto out;
		}
		hex_put(f, leaf);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		f = NULL;
		fail("write leaves");
		goto out;
	}
	f = NULL;

	if (put_tiles(log, out, ot_log_size(log)))
		goto out;
	rc = 0;
out:
	if (inc)
		fclose(inc);
	if (con)
		fclose(con);
	if (f)
		fclose(f);
	ot_log_close(log);
	ot_store_close(st);
	ot_signer_free(signer);
	return rc || failures ? 1 : 0;
}

static void chomp(char *s, size_t *len)
{
	while (*len > 0 && (s[*len - 1] == '\n' || s[*len - 1] == '\r'))
		s[--*len] = '\0';
}

/* The keys and the note Go wrote: Go's key in our parser, and a note signed by
 * Go (with our key and its own) in ot_note_open. */
static int cmd_check_go(const char *out)
{
	char *vkey = NULL, *go_vkey = NULL, *go_skey = NULL, *note = NULL;
	size_t vkey_len = 0, go_vkey_len = 0, go_skey_len = 0, note_len = 0;
	ot_verifier *vs[2] = {NULL, NULL};
	ot_signer *go_signer = NULL;
	char buf[OT_SKEY_MAX + 1];
	ot_note parsed;
	ot_error err;
	ot_status s;

	memset(&parsed, 0, sizeof parsed);
	ot_error_clear(&err);
	if (!(vkey = read_file(out, "vkey", &vkey_len)) ||
	    !(go_vkey = read_file(out, "go_vkey", &go_vkey_len)) ||
	    !(go_skey = read_file(out, "go_skey", &go_skey_len)) ||
	    !(note = read_file(out, "go_signed.note", &note_len)))
		goto out;
	chomp(vkey, &vkey_len);
	chomp(go_vkey, &go_vkey_len);
	chomp(go_skey, &go_skey_len);

	if ((s = ot_signer_parse(go_skey, go_skey_len, &go_signer, &err)) != OT_OK) {
		fail("ot_signer_parse(Go's signer key): %s: %s", ot_status_str(s), err.message);
	} else {
		if (ot_signer_format(go_signer, buf, sizeof buf) != OT_OK ||
		    strcmp(buf, go_skey) != 0)
			fail("Go's signer key formats back as %s", buf);
		if (ot_signer_vkey(go_signer, buf, sizeof buf) != OT_OK ||
		    strcmp(buf, go_vkey) != 0)
			fail("Go's signer key gives verifier key %s, Go says %s", buf, go_vkey);
	}
	if ((s = ot_verifier_parse(vkey, vkey_len, &vs[0], &err)) != OT_OK ||
	    (s = ot_verifier_parse(go_vkey, go_vkey_len, &vs[1], &err)) != OT_OK) {
		fail("ot_verifier_parse: %s: %s", ot_status_str(s), err.message);
		goto out;
	}

	/* Both keys known: both signatures must verify. */
	s = ot_note_open(note, note_len, vs, 2, &parsed, &err);
	if (s) {
		fail("ot_note_open(Go's note, both keys): %s: %s", ot_status_str(s), err.message);
	} else {
		if (parsed.text_len != strlen(GO_NOTE_TEXT) ||
		    memcmp(parsed.text, GO_NOTE_TEXT, parsed.text_len) != 0)
			fail("Go's note text: got %.*s", (int)parsed.text_len, parsed.text);
		if (parsed.n_sigs != 2 || !parsed.sigs[0].verified || !parsed.sigs[1].verified)
			fail("Go's note: %zu signatures, want 2 verified", parsed.n_sigs);
	}
	ot_note_clear(&parsed);

	/* Only our key known: Go's signature is kept, unverified. */
	s = ot_note_open(note, note_len, vs, 1, &parsed, &err);
	if (s) {
		fail("ot_note_open(Go's note, our key): %s: %s", ot_status_str(s), err.message);
	} else {
		size_t verified = 0;
		for (size_t i = 0; i < parsed.n_sigs; i++)
			verified += parsed.sigs[i].verified ? 1u : 0u;
		if (parsed.n_sigs != 2 || verified != 1)
			fail("Go's note with our key: %zu signatures, %zu verified, want 2 and 1",
			     parsed.n_sigs, verified);
	}
	ot_note_clear(&parsed);

	/* A changed text must not verify. */
	note[0] = note[0] == 'o' ? 'O' : 'o';
	s = ot_note_open(note, note_len, vs, 2, &parsed, &err);
	if (s != OT_ERR_VERIFY)
		fail("ot_note_open(altered Go note): %s, want %s", ot_status_str(s),
		     ot_status_str(OT_ERR_VERIFY));
	ot_note_clear(&parsed);
out:
	free(vkey);
	free(go_vkey);
	free(go_skey);
	free(note);
	ot_verifier_free(vs[0]);
	ot_verifier_free(vs[1]);
	ot_signer_free(go_signer);
	if (!failures)
		printf("mklog: Go's keys and signed note check with liboretrail\n");
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "make") == 0) {
		uint64_t seed = argc == 4 ? strtoull(argv[3], NULL, 10)
		                          : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
		return cmd_make(argv[2], seed);
	}
	if (argc == 3 && strcmp(argv[1], "check-go") == 0)
		return cmd_check_go(argv[2]);
	fprintf(stderr, "usage: mklog make OUTDIR [SEED]\n"
	                "       mklog check-go OUTDIR\n");
	return 2;
}
