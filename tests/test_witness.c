/*
 * test_witness.c: the witness library (include/oretrail/witness.h,
 * src/log/witness.c) without the network: C2SP tlog-witness add-checkpoint
 * answers in the spec's order (400, 409 with the size, 409 for two trees
 * of one size, with evidence kept), and the state it keeps.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/note.h"
#include "oretrail/witness.h"
#include "test.h"

/* A checkpoint note of `size` entries with a root of byte `fill`, signed. */
static char *signed_checkpoint(ot_signer *log, uint64_t size, uint8_t fill, size_t *len)
{
	ot_checkpoint cp;
	memset(&cp, 0, sizeof cp);
	strcpy(cp.origin, "example.org/log");
	cp.size = size;
	memset(cp.root, fill, sizeof cp.root);
	char text[512];
	size_t tl = 0;
	char *note = NULL;
	if (ot_checkpoint_format(&cp, text, sizeof text, &tl) != OT_OK ||
	    ot_note_sign(text, tl, &log, 1, &note, len, NULL) != OT_OK)
		return NULL;
	return note;
}

/* "old <size>\n\n" || note, malloc'ed. */
static char *request(uint64_t old, const char *note, size_t len, size_t *out_len)
{
	char *b = malloc(len + 64);
	int n = snprintf(b, 64, "old %llu\n\n", (unsigned long long)old);
	memcpy(b + n, note, len);
	*out_len = (size_t)n + len;
	return b;
}

static int count_evidence(const char *dir)
{
	int n = 0;
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));)
		n += strncmp(e->d_name, "fork-", 5) == 0;
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	ot_error err;
	char dir[] = "/tmp/ot_witness_XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	ot_signer *log = NULL, *key = NULL;
	ot_verifier *log_v = NULL;
	ot_witness *w = NULL;
	char vkey[OT_VKEY_MAX];
	CHECK_OK(ot_signer_generate("example.org/log", &log, &err));
	CHECK_OK(ot_signer_generate("witness.example", &key, &err));
	CHECK_OK(ot_signer_vkey(log, vkey, sizeof vkey));
	CHECK_OK(ot_verifier_parse(vkey, strlen(vkey), &log_v, &err));
	CHECK_OK(ot_witness_open(dir, log_v, key, "the test", NULL, &w, &err));
	if (!w)
		return test_done("test_witness");

	ot_witness_answer ans;
	ot_witness_add_checkpoint(w, "nonsense", 8, &ans);
	CHECK(ans.status == 400);

	size_t len = 0, blen = 0;
	char *note = signed_checkpoint(log, 3, 0xab, &len);
	char *body = request(0, note, len, &blen);
	ot_witness_add_checkpoint(w, body, blen, &ans);
	CHECK(ans.status == 200);
	CHECK(ans.len > 4 && memcmp(ans.body, "\xe2\x80\x94 witness.example ", 20) == 0);

	ot_witness_state st;
	CHECK_OK(ot_witness_load(w, &st, &err));
	CHECK(st.have && st.cp.size == 3);
	CHECK(ot_witness_cosigned_by_self(w, st.note, st.len));
	ot_witness_state_clear(&st);

	/* The witness is at 3 now: old 0 is answered with its size. */
	ot_witness_add_checkpoint(w, body, blen, &ans);
	CHECK(ans.status == 409);
	CHECK_STR(ans.type, "text/x.tlog.size");
	CHECK_STR(ans.body, "3\n");
	free(body);

	/* Another tree of the same size: refused, and the evidence kept. */
	char *other = signed_checkpoint(log, 3, 0xcd, &len);
	body = request(3, other, len, &blen);
	ot_witness_add_checkpoint(w, body, blen, &ans);
	CHECK(ans.status == 409);
	CHECK(strstr(ans.body, "two different trees") != NULL);
	CHECK(count_evidence(dir) == 1);
	free(body);
	free(other);
	free(note);

	ot_witness_free(w);
	ot_verifier_free(log_v);
	ot_signer_free(log);
	ot_signer_free(key);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	return test_done("test_witness");
}
