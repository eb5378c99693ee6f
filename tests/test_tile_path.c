/*
 * test_tile_path.c: C2SP tile paths: the examples of the specification,
 * round trips over many indexes, and strict rejection of every other form.
 */
#include <string.h>

#include "oretrail/tile.h"
#include "test.h"

static void check_path(int level, uint64_t index, unsigned width, const char *want)
{
	ot_tile t = {level, index, width}, back;
	char buf[128];
	CHECK_OK(ot_tile_path(&t, buf, sizeof buf));
	CHECK_STR(buf, want);
	CHECK_OK(ot_tile_parse_path(buf, strlen(buf), &back));
	CHECK(back.level == level && back.index == index && back.width == width);
}

int main(void)
{
	/* The examples in C2SP tlog-tiles. */
	check_path(0, 1234067, 256, "tile/0/x001/x234/067");
	check_path(1, 1234067, 8, "tile/1/x001/x234/067.p/8");
	check_path(OT_TILE_LEVEL_ENTRIES, 1234067, 256, "tile/entries/x001/x234/067");
	check_path(0, 0, 1, "tile/0/000.p/1");
	check_path(2, 999, 255, "tile/2/999.p/255");
	check_path(3, 1000, 256, "tile/3/x001/000");
	check_path(0, UINT64_MAX / 256, 256, "tile/0/x072/x057/x594/x037/x927/935");

	test_seed(42);
	for (int i = 0; i < 100000; i++) {
		ot_tile t = {(int)(test_rand() % 9) - 1, test_rand() >> (test_rand() % 64),
		             (unsigned)(test_rand() % 256) + 1};
		if (t.level < 0)
			t.level = OT_TILE_LEVEL_ENTRIES;
		char buf[128];
		ot_tile back;
		CHECK_OK(ot_tile_path(&t, buf, sizeof buf));
		CHECK_OK(ot_tile_parse_path(buf, strlen(buf), &back));
		CHECK(back.level == t.level && back.index == t.index && back.width == t.width);
	}

	const char *bad[] = {
		"",
		"tile",
		"tile/",
		"tile/0",
		"tile/0/",
		"tile/0/1",
		"tile/0/01",
		"tile/0/0001",
		"tile/0/x000/001",
		"tile/0/x1/001",
		"tile/0/001.p/",
		"tile/0/001.p/0",
		"tile/0/001.p/256",
		"tile/0/001.p/01",
		"tile/00/001",
		"tile/64/001",
		"tile/-1/001",
		"tile/entry/001",
		"tile/0/001/",
		"tile/0/001.p/8/",
		"tile/0/x001/",
		"tiles/0/001",
		"tile/0/001.q/8",
		"tile/0/x999/x999/x999/x999/x999/x999/999",
		"tile/0/x018/x446/x744/x073/x709/551/616",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ot_tile t;
		ot_status rc = ot_tile_parse_path(bad[i], strlen(bad[i]), &t);
		if (rc != OT_ERR_PARSE)
			fprintf(stderr, "accepted bad path \"%s\"\n", bad[i]);
		CHECK(rc == OT_ERR_PARSE);
	}
	ot_tile t;
	CHECK_OK(ot_tile_parse_path("/tile/0/001", 11, &t));

	/* Widths at the tree's edge. */
	CHECK(ot_tile_width_at(0, 0, 0) == 0);
	CHECK(ot_tile_width_at(0, 0, 1) == 1);
	CHECK(ot_tile_width_at(0, 0, 256) == 256);
	CHECK(ot_tile_width_at(0, 1, 256) == 0);
	CHECK(ot_tile_width_at(0, 1, 300) == 44);
	CHECK(ot_tile_width_at(1, 0, 300) == 1);
	CHECK(ot_tile_width_at(1, 0, 255) == 0);
	CHECK(ot_tile_width_at(OT_TILE_LEVEL_ENTRIES, 1, 300) == 44);
	CHECK(ot_tile_width_at(2, 0, 65536) == 1);
	return test_done("test_tile_path");
}
