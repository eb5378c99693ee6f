/*
 * test.h: the few checks our C tests need. A failed CHECK prints where and
 * what and counts the failure; the test's main returns test_done().
 * Return 77 to tell CTest the test was skipped (conformance data absent).
 */
#ifndef OT_TEST_H
#define OT_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "oretrail/status.h"

extern int test_failures;
extern int test_checks;

#define TEST_SKIP 77

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		test_checks++;                                                                   \
		if (!(cond)) {                                                                   \
			test_failures++;                                                         \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                                \
	} while (0)

#define CHECK_OK(expr)                                                                        \
	do {                                                                                  \
		test_checks++;                                                                \
		ot_status rc_ = (expr);                                                       \
		if (rc_ != OT_OK) {                                                           \
			test_failures++;                                                      \
			fprintf(stderr, "%s:%d: %s returned %s\n", __FILE__, __LINE__, #expr, \
			        ot_status_str(rc_));                                          \
		}                                                                             \
	} while (0)

#define CHECK_RC(expr, want)                                                                    \
	do {                                                                                    \
		test_checks++;                                                                  \
		ot_status rc_ = (expr);                                                         \
		if (rc_ != (want)) {                                                            \
			test_failures++;                                                        \
			fprintf(stderr, "%s:%d: %s returned %s, want %s\n", __FILE__, __LINE__, \
			        #expr, ot_status_str(rc_), ot_status_str(want));                \
		}                                                                               \
	} while (0)

#define CHECK_STR(got, want)                                                                    \
	do {                                                                                    \
		test_checks++;                                                                  \
		const char *g_ = (got), *w_ = (want);                                           \
		if (!g_ || strcmp(g_, w_) != 0) {                                               \
			test_failures++;                                                        \
			fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, \
			        g_ ? g_ : "(null)", w_);                                        \
		}                                                                               \
	} while (0)

/* Prints the summary and returns the exit status for main. */
int test_done(const char *name);

/* A fresh empty directory under the build tree (or TMPDIR); static storage. */
const char *test_tmpdir(const char *name);

/* The conformance directory, or NULL when absent (then skip). */
const char *test_conformance_dir(void);

/* Reads a whole file (malloc'ed, NUL-terminated); NULL on failure. */
char *test_read_file(const char *path, size_t *len);

/* Deterministic pseudo-random numbers for property tests (xorshift64*). */
uint64_t test_rand(void);
void test_seed(uint64_t seed);

#endif
