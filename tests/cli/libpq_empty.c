/*
 * libpq_empty.c: a shared object named libpq.so.5 that has none of libpq's
 * functions (tests/CMakeLists.txt builds it into a folder of its own). With
 * that folder in LD_LIBRARY_PATH, dlopen("libpq.so.5") finds it, and
 * tests/cli/net_split_cli.sh checks the error of a postgresql:// ledger
 * whose libpq cannot be used.
 */
int ot_libpq_empty(void);

int ot_libpq_empty(void)
{
	return 0;
}
