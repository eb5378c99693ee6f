/*
 * test_util.c: helpers behind test.h.
 */
#include "test.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int test_failures;
int test_checks;
static uint64_t rand_state = 0x9e3779b97f4a7c15ull;

int test_done(const char *name)
{
	if (test_failures) {
		fprintf(stderr, "%s: %d of %d checks failed\n", name, test_failures, test_checks);
		return 1;
	}
	printf("%s: all %d checks passed\n", name, test_checks);
	return 0;
}

const char *test_tmpdir(const char *name)
{
	static char path[4096];
	const char *base = getenv("TMPDIR");
	if (!base)
		base = "/tmp";
	snprintf(path, sizeof path, "%s/oretrail-test-%s-%ld", base, name, (long)getpid());
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
	if (system(cmd) != 0)
		return NULL;
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return NULL;
	return path;
}

const char *test_conformance_dir(void)
{
	const char *dir = getenv("OT_CONFORMANCE");
	struct stat st;
	if (!dir || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return dir;
}

char *test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n + 1 >= cap) {
			char *p = realloc(buf, cap * 2);
			if (!p) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = p;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

void test_seed(uint64_t seed)
{
	rand_state = seed ? seed : 1;
}

uint64_t test_rand(void)
{
	rand_state ^= rand_state >> 12;
	rand_state ^= rand_state << 25;
	rand_state ^= rand_state >> 27;
	return rand_state * 2685821657736338717ull;
}
