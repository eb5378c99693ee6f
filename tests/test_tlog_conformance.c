/*
 * test_tlog_conformance.c: every RFC 6962 / 9162 proof vector of
 * transparency-dev/merkle (../shared/conformance/tlog), read in place,
 * through the library's verifiers. Positive cases must verify, negative
 * ones (wantErr) must not. Skipped (77) when the data is absent.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "log/proof_json.h"
#include "test.h"

static int checked, positive, negative;

static void check_file(const char *path)
{
	size_t len = 0;
	char *text = test_read_file(path, &len);
	CHECK(text != NULL);
	if (!text)
		return;
	otx_proof_file *p = calloc(1, sizeof *p);
	ot_error err;
	ot_status rc = otx_proof_file_parse(text, len, p, &err);
	CHECK(rc == OT_OK && p->want_err >= 0);
	if (rc == OT_OK) {
		rc = otx_proof_file_verify(p, &err);
		if ((rc == OT_OK) != (p->want_err == 0))
			fprintf(stderr, "%s (%s): got %s, wantErr %d\n", path, p->desc,
			        ot_status_str(rc), p->want_err);
		CHECK((rc == OT_OK) == (p->want_err == 0));
		CHECK(rc == OT_OK || rc == OT_ERR_VERIFY);
		checked++;
		if (p->want_err)
			negative++;
		else
			positive++;
	}
	free(p);
	free(text);
}

static void walk(const char *dir)
{
	DIR *d = opendir(dir);
	CHECK(d != NULL);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		size_t n = strlen(e->d_name);
		if (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0)
			check_file(path);
		else
			walk(path);
	}
	closedir(d);
}

int main(void)
{
	const char *conf = test_conformance_dir();
	if (!conf) {
		printf("conformance data not found (set OT_CONFORMANCE): skipped\n");
		return TEST_SKIP;
	}
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/tlog/inclusion", conf);
	walk(dir);
	snprintf(dir, sizeof dir, "%s/tlog/consistency", conf);
	walk(dir);
	printf("%d vectors: %d valid, %d invalid\n", checked, positive, negative);
	CHECK(checked >= 150 && positive > 0 && negative > 0);
	return test_done("test_tlog_conformance");
}
