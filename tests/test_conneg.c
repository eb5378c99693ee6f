/*
 * test_conneg.c: the server's reading of Accept-Encoding and If-None-Match
 * (src/server/conneg.c): qualities as RFC 9110 section 12.5.3 gives them
 * (an entry's own q, else "*", else 0; malformed entries skipped), and the
 * weak comparison of If-None-Match (section 13.1.2), including lists, "*"
 * and values that are not entity-tags.
 */
#include <string.h>

#include "server/conneg.h"
#include "test.h"

static unsigned q(const char *header, const char *coding)
{
	return otx_accept_encoding_q(header, header ? strlen(header) : 0, coding);
}

static int m(const char *header, const char *etag)
{
	return otx_etag_matches(header, header ? strlen(header) : 0, etag);
}

static void test_accept_encoding(void)
{
	CHECK(q(NULL, "gzip") == 0);
	CHECK(q("", "gzip") == 0);
	CHECK(q("gzip", "gzip") == 1000);
	CHECK(q("GZIP", "gzip") == 1000);
	CHECK(q("gzip", "br") == 0);
	CHECK(q("gzip, deflate, br", "br") == 1000);
	CHECK(q("gzip;q=0.5, br;q=0.25", "gzip") == 500);
	CHECK(q("gzip;q=0.5, br;q=0.25", "br") == 250);
	CHECK(q("gzip ; Q=0.125 ", "gzip") == 125);
	CHECK(q("br;q=0", "br") == 0);
	CHECK(q("br;q=1.000", "br") == 1000);
	CHECK(q("br;q=0.", "br") == 0);
	CHECK(q("*", "br") == 1000);
	CHECK(q("*;q=0.3, gzip", "br") == 300);
	CHECK(q("*;q=0.3, gzip", "gzip") == 1000);
	CHECK(q("br;q=0, *", "br") == 0); /* its own entry wins over "*" */
	CHECK(q("x-gzip", "gzip") == 1000);
	CHECK(q(" , ,gzip,,", "gzip") == 1000);
	/* Malformed entries are skipped; the others still count. */
	CHECK(q("br;q=2, gzip", "br") == 0);
	CHECK(q("br;q=2, gzip", "gzip") == 1000);
	CHECK(q("br;q=0.1234", "br") == 0);
	CHECK(q("br;q=1.5", "br") == 0);
	CHECK(q("br;level=1", "br") == 0);
	CHECK(q("br x, gzip", "br") == 0);
	CHECK(q("\"br\", gzip;q=0.9", "gzip") == 900);
	CHECK(q("gzip;q=", "gzip") == 0);
	/* The length bounds the value: no read past it. */
	CHECK(otx_accept_encoding_q("gzip, br", 4, "br") == 0);
	CHECK(otx_accept_encoding_q("gzip, br", 4, "gzip") == 1000);
}

static void test_if_none_match(void)
{
	const char *tag = "\"3f2a0c1d9e8b7a65\"";
	CHECK(m(NULL, tag) == 0);
	CHECK(m("", tag) == 0);
	CHECK(m("\"3f2a0c1d9e8b7a65\"", tag) == 1);
	CHECK(m("W/\"3f2a0c1d9e8b7a65\"", tag) == 1);
	CHECK(m("\"x\", \"3f2a0c1d9e8b7a65\"", tag) == 1);
	CHECK(m("\"x\",W/\"3f2a0c1d9e8b7a65\" ", tag) == 1);
	CHECK(m(" * ", tag) == 1);
	CHECK(m("*, \"x\"", tag) == 0);
	CHECK(m("\"3f2a0c1d9e8b7a6\"", tag) == 0);
	CHECK(m("\"3f2a0c1d9e8b7a65-gzip\"", tag) == 0);
	CHECK(m("3f2a0c1d9e8b7a65", tag) == 0);
	CHECK(m("\"3f2a0c1d9e8b7a65", tag) == 0);
	/* A malformed element ends the list. */
	CHECK(m("\"x\" junk, \"3f2a0c1d9e8b7a65\"", tag) == 0);
	CHECK(m("\"a b\", \"3f2a0c1d9e8b7a65\"", tag) == 0);
	CHECK(otx_etag_matches("\"3f2a0c1d9e8b7a65\"", 10, tag) == 0);
	/* An unquoted etag to compare with never matches. */
	CHECK(m("*", "abc") == 0);
	CHECK(m("\"abc\"", "abc") == 0);
}

int main(void)
{
	test_accept_encoding();
	test_if_none_match();
	return test_done("test_conneg");
}
