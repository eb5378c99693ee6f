/*
 * test_write_buffer.c: the PostgreSQL backend's client-side write buffer
 * (src/store/write_buffer.c) without a server: what it answers for rows
 * read and written, which writes a flush sends in which segment (a row
 * twice in one segment is sent once, its last write), and what undoing a
 * savepoint leaves, before and after a flush.
 */
#include <string.h>

#include "store/write_buffer.h"
#include "test.h"

static void put(otx_write_buffer *wb, const char *key, const char *value)
{
	CHECK_OK(otx_wb_write(wb, OTX_WB_KV, "ns", (const uint8_t *)key, strlen(key), !value,
	                      (const uint8_t *)value, value ? strlen(value) : 0, NULL));
}

/* -1 unknown, 0 absent, 1 present with `want` */
static void expect(const otx_write_buffer *wb, const char *key, int known, const char *want)
{
	const uint8_t *v = NULL;
	size_t n = 0;
	int got = otx_wb_get(wb, OTX_WB_KV, "ns", (const uint8_t *)key, strlen(key), &v, &n);
	CHECK(got == known);
	if (got == 1 && want)
		CHECK(n == strlen(want) && memcmp(v, want, n) == 0 && v[n] == 0);
}

/* The ops of segment i that a flush sends, as "key=value" or "key-" for a
 * delete, joined by spaces. */
static void expect_segment(const otx_write_buffer *wb, size_t i, const char *want)
{
	size_t start = 0, end = 0;
	char got[256] = "";
	otx_wb_segment(wb, i, &start, &end);
	for (size_t k = start; k < end; k++) {
		const otx_wb_op *op = &wb->ops[k];
		if (op->superseded)
			continue;
		size_t len = strlen(got);
		snprintf(got + len, sizeof got - len, "%s%.*s%s%.*s", len ? " " : "", (int)op->klen,
		         (const char *)op->key, op->del ? "-" : "=", (int)op->vlen,
		         op->value ? (const char *)op->value : "");
	}
	CHECK_STR(got, want);
}

int main(void)
{
	otx_write_buffer wb;
	memset(&wb, 0, sizeof wb);
	expect(&wb, "a", -1, NULL);
	CHECK(otx_wb_segments(&wb) == 1);

	/* One segment: a row written twice is sent once, with its last value. */
	put(&wb, "a", "1");
	put(&wb, "b", "2");
	put(&wb, "a", "3");
	expect(&wb, "a", 1, "3");
	expect_segment(&wb, 0, "b=2 a=3");

	/* A savepoint starts a segment: the same row is sent in both. */
	CHECK_OK(otx_wb_mark(&wb, NULL));
	put(&wb, "b", "4");
	CHECK(otx_wb_segments(&wb) == 2);
	expect_segment(&wb, 0, "b=2 a=3");
	expect_segment(&wb, 1, "b=4");

	/* Undone before any flush: the rows written inside it return to
	 * their values before it, without a server. */
	CHECK_OK(otx_wb_mark(&wb, NULL));
	put(&wb, "a", NULL);
	put(&wb, "c", "5");
	expect(&wb, "a", 0, NULL);
	CHECK(otx_wb_segments(&wb) == 3);
	CHECK(otx_wb_undo(&wb) == 0);
	expect(&wb, "a", 1, "3");
	expect(&wb, "c", -1, NULL);
	CHECK(otx_wb_segments(&wb) == 2);

	/* Released: its segment joins the one before, whose write of b it
	 * supersedes. */
	CHECK(otx_wb_release(&wb) == 0);
	CHECK(otx_wb_segments(&wb) == 1);
	expect_segment(&wb, 0, "a=3 b=4");

	/* Rows read from the server: remembered present or absent; a row
	 * known already keeps what the transaction wrote. */
	CHECK_OK(otx_wb_remember(&wb, OTX_WB_KV, "ns", (const uint8_t *)"r", 1, 0, NULL, 0, NULL));
	CHECK_OK(otx_wb_remember(&wb, OTX_WB_KV, "ns", (const uint8_t *)"s", 1, 1,
	                         (const uint8_t *)"six", 3, NULL));
	CHECK_OK(otx_wb_remember(&wb, OTX_WB_KV, "ns", (const uint8_t *)"a", 1, 1,
	                         (const uint8_t *)"old", 3, NULL));
	expect(&wb, "r", 0, NULL);
	expect(&wb, "s", 1, "six");
	expect(&wb, "a", 1, "3");
	expect_segment(&wb, 0, "a=3 b=4");

	/* Kinds and namespaces name different rows. */
	CHECK_OK(otx_wb_write(&wb, OTX_WB_ENTRY, "", (const uint8_t *)"a", 1, 0,
	                      (const uint8_t *)"entry", 5, NULL));
	expect(&wb, "a", 1, "3");
	const uint8_t *v = NULL;
	size_t n = 0;
	CHECK(otx_wb_get(&wb, OTX_WB_KV, "other", (const uint8_t *)"a", 1, &v, &n) == -1);

	/* A savepoint taken, then a flush: its mark is on the server. Undoing
	 * it now is the server's to do: the buffer forgets its rows. */
	CHECK_OK(otx_wb_mark(&wb, NULL));
	put(&wb, "d", "7");
	CHECK(otx_wb_segments(&wb) == 2);
	expect_segment(&wb, 1, "d=7");
	otx_wb_flushed(&wb);
	CHECK(wb.nops == 0 && otx_wb_segments(&wb) == 1);
	expect(&wb, "d", 1, "7");
	put(&wb, "e", "8");
	CHECK(otx_wb_undo(&wb) == 1);
	CHECK(wb.nops == 0 && wb.nmarks == 0);
	expect(&wb, "d", -1, NULL);
	expect(&wb, "a", -1, NULL);

	/* A mark on the server, released: the caller releases it there. */
	CHECK_OK(otx_wb_mark(&wb, NULL));
	otx_wb_flushed(&wb);
	CHECK(otx_wb_release(&wb) == 1);

	otx_wb_reset(&wb);

	/* Three nested segments write one row; the innermost released: the
	 * middle one's write is superseded, the outer one's is not. Then the
	 * middle one undone: the row is the outer one's again. */
	put(&wb, "m", "outer");
	CHECK_OK(otx_wb_mark(&wb, NULL));
	put(&wb, "m", "middle");
	put(&wb, "n", "1");
	CHECK_OK(otx_wb_mark(&wb, NULL));
	put(&wb, "m", "inner");
	put(&wb, "m", "inner2");
	CHECK(otx_wb_release(&wb) == 0);
	expect_segment(&wb, 0, "m=outer");
	expect_segment(&wb, 1, "n=1 m=inner2");
	CHECK(otx_wb_undo(&wb) == 0);
	expect(&wb, "m", 1, "outer");
	expect(&wb, "n", -1, NULL);
	expect_segment(&wb, 0, "m=outer");
	CHECK(wb.nops == 1);
	/* And written again: the outer write is superseded as before. */
	put(&wb, "m", "again");
	expect_segment(&wb, 0, "m=again");

	otx_wb_reset(&wb);
	CHECK(wb.bytes == 0 && wb.nrows == 0 && wb.nops == 0);
	return test_done("test_write_buffer");
}
