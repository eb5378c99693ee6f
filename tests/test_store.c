/*
 * test_store.c: the store's front door (store.c, sqlite.c): a location that
 * exists but is not a regular file (a directory, a FIFO, a device) is
 * refused with OT_ERR_IO and a message that says what it is, before SQLite
 * opens it; a FIFO is never opened, so the test cannot hang (alarm).
 */
#include <sys/stat.h>
#include <unistd.h>

#include "oretrail/store.h"
#include "test.h"

static void refused(const char *path, int flags, const char *what)
{
	ot_store *st = NULL;
	ot_error err;
	ot_error_clear(&err);
	CHECK_RC(ot_store_open(path, flags, &st, &err), OT_ERR_IO);
	CHECK(st == NULL);
	char want[4300];
	snprintf(want, sizeof want, "%s is %s, not a ledger file", path, what);
	CHECK_STR(err.message, want);
	ot_store_close(st);
}

int main(void)
{
	alarm(30); /* a FIFO opened for reading would wait forever */
	const char *dir = test_tmpdir("store");
	CHECK(dir != NULL);
	if (!dir)
		return test_done("test_store");
	char fifo[4200];
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	CHECK(mkfifo(fifo, 0600) == 0);
	for (int flags = 0; flags <= OT_STORE_READONLY; flags += OT_STORE_READONLY) {
		refused(dir, flags, "a directory");
		refused(fifo, flags, "a FIFO");
		refused("/dev/null", flags, "a character device");
	}
	/* Creating over one of them is refused the same way. */
	refused(dir, OT_STORE_CREATE, "a directory");
	refused(fifo, OT_STORE_CREATE, "a FIFO");
	unlink(fifo);
	return test_done("test_store");
}
