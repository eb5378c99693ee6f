/*
 * test_epcis_hash.c: the CBV 2.0 EPCIS event hash ID (src/epcis/hash.c).
 *
 * Known answers: every X.jsonld in the conformance folder epcis-hash/ (the
 * test examples of RalphTro/epcis-event-hash-generator, read in place via
 * OT_CONFORMANCE) must give exactly the ids of X.hashes and the pre-hash
 * strings of X.prehashes, in document order. A few published pre-hash lines
 * do not hash to the published id of the same event (they were not
 * regenerated upstream when the algorithm was fixed; the reference's own
 * tests check only the ids): for those the id must match and the line is
 * reported, and their number is pinned so that a change shows.
 * Then the normalisations on their own: times, numbers, EPC URIs and
 * Digital Link URIs, and malformed documents.
 */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "epcis/hash.h"
#include "test.h"

/* Published pre-hash lines whose SHA-256 is not the published id:
 * epcisDocWithAllGS1Keys (1), epcisDocWithCustomSchemaInContext (event 2),
 * epcisDocWithDefaultSchemaInContext (event 2). */
#define STALE_PREHASH_LINES 3

/* Splits text into its non-empty lines (in place). Returns the count. */
static size_t split_lines(char *text, char **lines, size_t max)
{
	size_t n = 0;
	char *p = text;
	while (p && *p && n < max) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		size_t len = strlen(p);
		if (len && p[len - 1] == '\r')
			p[len - 1] = 0;
		if (*p)
			lines[n++] = p;
		p = nl ? nl + 1 : NULL;
	}
	return n;
}

#define MAX_EVENTS 64

static int files, events_checked, prehash_exact, stale_seen;

static void check_vector(const char *dir, const char *base)
{
	char path[4096 + 1024 + 16];
	size_t len;
	snprintf(path, sizeof path, "%s/%s.jsonld", dir, base);
	char *doc_text = test_read_file(path, &len);
	CHECK(doc_text != NULL);
	if (!doc_text)
		return;
	snprintf(path, sizeof path, "%s/%s.hashes", dir, base);
	char *hashes_text = test_read_file(path, NULL);
	snprintf(path, sizeof path, "%s/%s.prehashes", dir, base);
	char *pre_text = test_read_file(path, NULL); /* may be absent */
	CHECK(hashes_text != NULL);

	char *want_hash[MAX_EVENTS], *want_pre[MAX_EVENTS];
	size_t n_hash = hashes_text ? split_lines(hashes_text, want_hash, MAX_EVENTS) : 0;
	size_t n_pre = pre_text ? split_lines(pre_text, want_pre, MAX_EVENTS) : 0;

	ot_epcis_doc doc;
	ot_error err;
	otx_epcis_doc_init(&doc);
	ot_status rc = otx_epcis_doc_parse((const uint8_t *)doc_text, len, &doc, &err);
	CHECK_OK(rc);
	if (rc) {
		fprintf(stderr, "%s: %s\n", base, err.message);
		goto out;
	}
	files++;
	size_t n = ot_epcis_doc_count(&doc);
	if (n != n_hash || (pre_text && n != n_pre)) {
		test_failures++;
		fprintf(stderr, "%s: %zu events, %zu ids, %zu pre-hashes\n", base, n, n_hash,
		        n_pre);
	}
	for (size_t i = 0; i < n && i < n_hash; i++) {
		ot_buf pre;
		char id[OT_EPCIS_HASH_ID_LEN + 1], id2[OT_EPCIS_HASH_ID_LEN + 1];
		ot_buf_init(&pre, 0);
		CHECK_OK(ot_epcis_prehash(&doc, ot_epcis_doc_event(&doc, i), &pre, &err));
		CHECK_OK(ot_epcis_hash_id(&doc, ot_epcis_doc_event(&doc, i), id, &err));
		ot_epcis_hash_of_prehash(pre.len ? (char *)pre.data : "", pre.len, id2);
		CHECK_STR(id, id2);
		CHECK(ot_epcis_is_hash_id(id));
		if (strcmp(id, want_hash[i]) != 0) {
			test_failures++;
			fprintf(stderr, "%s event %zu: id\n  got  %s\n  want %s\n  pre-hash %s\n",
			        base, i + 1, id, want_hash[i], pre.len ? (char *)pre.data : "");
		}
		test_checks++;
		events_checked++;
		if (i < n_pre) {
			char published[OT_EPCIS_HASH_ID_LEN + 1];
			ot_epcis_hash_of_prehash(want_pre[i], strlen(want_pre[i]), published);
			int consistent = strcmp(published, want_hash[i]) == 0;
			int same = pre.len && strcmp((char *)pre.data, want_pre[i]) == 0;
			test_checks++;
			if (same) {
				prehash_exact++;
			} else if (consistent) {
				test_failures++;
				fprintf(stderr, "%s event %zu: pre-hash\n  got  %s\n  want %s\n",
				        base, i + 1, pre.len ? (char *)pre.data : "", want_pre[i]);
			} else {
				stale_seen++;
				printf("note: %s event %zu: the published pre-hash does not hash "
				       "to the "
				       "published id; the id matches\n",
				       base, i + 1);
			}
		}
		ot_buf_free(&pre);
	}
out:
	otx_epcis_doc_clear(&doc);
	free(doc_text);
	free(hashes_text);
	free(pre_text);
}

static int conformance(void)
{
	const char *root = test_conformance_dir();
	if (!root)
		return 0;
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/epcis-hash", root);
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n > 7 && strcmp(e->d_name + n - 7, ".jsonld") == 0) {
			char base[1024];
			snprintf(base, sizeof base, "%.*s", (int)(n - 7), e->d_name);
			check_vector(dir, base);
		}
	}
	closedir(d);
	printf("epcis-hash: %d documents, %d event ids reproduced, %d pre-hash lines exact, "
	       "%d published pre-hash lines stale\n",
	       files, events_checked, prehash_exact, stale_seen);
	CHECK(files >= 19);
	CHECK(stale_seen == STALE_PREHASH_LINES);
	return 1;
}

static void check_time(const char *in, const char *want)
{
	char out[OTX_EPCIS_TIME_LEN + 1];
	ot_status rc = otx_epcis_time(in, strlen(in), out, NULL);
	if (!want) {
		CHECK_RC(rc, OT_ERR_PARSE);
		return;
	}
	CHECK_OK(rc);
	CHECK_STR(rc ? "" : out, want);
}

static void times(void)
{
	check_time("2022-02-16T20:33:31.116000-06:00", "2022-02-17T02:33:31.116Z");
	check_time("2020-03-04T11:00:30+01:00", "2020-03-04T10:00:30.000Z");
	check_time("2023-01-11T11:05:00Z", "2023-01-11T11:05:00.000Z");
	check_time("2023-01-18T11:04:03.1415Z", "2023-01-18T11:04:03.142Z");
	check_time("2023-01-18T11:04:03.1414999Z", "2023-01-18T11:04:03.141Z");
	check_time("2023-12-31T23:59:59.9995Z", "2024-01-01T00:00:00.000Z");
	check_time("2023-01-01T00:30:00+05:45", "2022-12-31T18:45:00.000Z");
	check_time("2023-01-01T00:30:00-0130", "2023-01-01T02:00:00.000Z");
	check_time("2024-02-29T12:00:00.5Z", "2024-02-29T12:00:00.500Z");
	check_time("2023-06-01T10:00", "2023-06-01T10:00:00.000Z"); /* no offset: UTC */
	check_time("2023-02-29T12:00:00Z", NULL);
	check_time("2023-06-01", NULL);
	check_time("2023-06-01T25:00:00Z", NULL);
	check_time("2023-06-01T10:00:00.Z", NULL);
	check_time("2023-06-01T10:00:00+1:00", NULL);
	check_time("2023-06-01T10:00:00Z ", NULL);
	check_time("geo:47.5,11.1", NULL);
	int64_t ms = 0;
	char out[OTX_EPCIS_TIME_LEN + 1];
	CHECK_OK(otx_epcis_time("1970-01-01T00:00:01.5+00:00", 27, out, &ms));
	CHECK(ms == 1500);
}

static void check_real(double d, const char *want)
{
	char out[400];
	CHECK_OK(otx_epcis_format_real(d, out, sizeof out));
	CHECK_STR(out, want);
}

static void numbers(void)
{
	check_real(0.1, "0.1");
	check_real(452.0, "452");
	check_real(12.1, "12.1");
	check_real(23.319941, "23.319941");
	check_real(-0.0, "0");
	check_real(1e21, "1000000000000000000000");
	check_real(1e-7, "0.0000001");
	check_real(-2.5e-3, "-0.0025");
	check_real(0.30000000000000004, "0.30000000000000004");
	check_real(9007199254740993.0, "9007199254740992");
	char big[400];
	CHECK_OK(otx_epcis_format_real(5e-324, big, sizeof big));
	CHECK(strlen(big) == 326 && big[325] == '5');
	CHECK_OK(otx_epcis_format_real(1.7976931348623157e308, big, sizeof big));
	CHECK(strlen(big) == 309);
	CHECK_RC(otx_epcis_format_real(NAN, big, sizeof big), OT_ERR_RANGE);
}

/* The pre-hash of a one-event document, for checking value rules. */
static char *prehash_of(const char *doc_json)
{
	ot_epcis_doc doc;
	ot_error err;
	ot_buf b;
	otx_epcis_doc_init(&doc);
	ot_buf_init(&b, 0);
	char *res = NULL;
	if (otx_epcis_doc_parse((const uint8_t *)doc_json, strlen(doc_json), &doc, &err) == OT_OK &&
	    ot_epcis_prehash(&doc, ot_epcis_doc_event(&doc, 0), &b, &err) == OT_OK)
		res = strdup(b.len ? (char *)b.data : "");
	else
		fprintf(stderr, "prehash_of: %s\n", err.message);
	otx_epcis_doc_clear(&doc);
	ot_buf_free(&b);
	return res;
}

static void check_value(const char *json_value, const char *want)
{
	char doc[2048];
	snprintf(doc, sizeof doc,
	         "{\"@context\":[{\"ex\":\"https://ex.example/\"}],\"type\":\"ObjectEvent\","
	         "\"ex:v\":%s}",
	         json_value);
	char *got = prehash_of(doc);
	char want_full[2048];
	snprintf(want_full, sizeof want_full, "eventType=ObjectEvent%s", want);
	CHECK_STR(got, want_full);
	free(got);
}

static void check_dl(const char *in, const char *want)
{
	ot_buf b;
	ot_buf_init(&b, 0);
	int r = otx_epcis_digital_link(in, strlen(in), &b);
	if (!want) {
		CHECK(r == 0 && b.len == 0);
	} else {
		CHECK(r == 1);
		CHECK_STR(b.len ? (char *)b.data : "", want);
	}
	ot_buf_free(&b);
}

static void values(void)
{
	check_value("\" 0.3430 \"", "{https://ex.example/}v=0.343");
	check_value("\"+5\"", "{https://ex.example/}v=5");
	check_value("\"1e3\"", "{https://ex.example/}v=1000");
	check_value("\"2023-10-09\"", "{https://ex.example/}v=2023-10-09");
	check_value("1.50", "{https://ex.example/}v=1.5");
	check_value("true", "{https://ex.example/}v=true");
	check_value("null", "");
	check_value("\"\"", "{https://ex.example/}v");
	check_value("[\"b\",\"a\"]", "{https://ex.example/}v=a{https://ex.example/}v=b");
	check_value("{\"ex:z\":1,\"ex:a\":{\"ex:q\":\"x\"}}",
	            "{https://ex.example/}v{https://ex.example/}a{https://ex.example/}q=x"
	            "{https://ex.example/}z=1");
	check_value("\"urn:epcglobal:cbv:bizstep:receiving\"",
	            "{https://ex.example/}v=https://ref.gs1.org/cbv/BizStep-receiving");
	check_value("\"gs1:Temperature\"",
	            "{https://ex.example/}v=https://gs1.org/voc/Temperature");
	check_value("\"urn:epc:id:sgtin:0614141.107346.2017\"",
	            "{https://ex.example/}v=https://id.gs1.org/01/10614141073464/21/2017");

	/* Bare vocabulary per field; bizTransactionList sorted in the tail. */
	char *p = prehash_of("{\"type\":\"ObjectEvent\",\"bizStep\":\"receiving\",\"disposition\":"
	                     "\"urn:epcglobal:cbv:"
	                     "disp:in_progress\",\"action\":\"OBSERVE\",\"bizTransactionList\":[{"
	                     "\"type\":\"po\","
	                     "\"bizTransaction\":\"x:2\"},{\"bizTransaction\":\"x:1\"}],"
	                     "\"eventID\":\"urn:uuid:1\","
	                     "\"recordTime\":\"2020-01-01T00:00:00Z\"}");
	CHECK_STR(p, "eventType=ObjectEventaction=OBSERVEbizStep=https://ref.gs1.org/cbv/"
	             "BizStep-receivingdisposition=https://ref.gs1.org/cbv/Disp-in_progress"
	             "bizTransactionListbizTransaction=x:1type=https://ref.gs1.org/cbv/BTT-po"
	             "bizTransaction=x:2");
	free(p);

	/* The GS1 identifiers of epclist_normalisation and more. */
	check_dl("urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()",
	         "https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29");
	check_dl("urn:epc:id:sscc:4012345.3111111111", "https://id.gs1.org/00/340123451111111111");
	check_dl("urn:epc:id:sgln:4012345.00005.0", "https://id.gs1.org/414/4012345000054");
	check_dl("urn:epc:id:sgln:4012345.00005.122",
	         "https://id.gs1.org/414/4012345000054/254/122");
	check_dl("urn:epc:id:grai:4012345.00022.334455",
	         "https://id.gs1.org/8003/04012345000221334455");
	check_dl("urn:epc:id:gdti:987659999999..9", "https://id.gs1.org/253/98765999999929");
	check_dl("urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234",
	         "https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234");
	check_dl("urn:epc:id:itip:4012345.011111.01.02.987",
	         "https://id.gs1.org/8006/040123451111180102/21/987");
	check_dl("urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB",
	         "https://id.gs1.org/01/01234567987651/235/51qIgY%29%3C%26Jp3%2Aj7'SDB");
	check_dl("urn:epc:id:pgln:999999999999.", "https://id.gs1.org/417/9999999999994");
	check_dl("urn:epc:id:gsrn:4012345.0000006765",
	         "https://id.gs1.org/8018/401234500000067657");
	check_dl("urn:epc:id:gsin:4012345.222333444", "https://id.gs1.org/402/40123452223334442");
	check_dl("urn:epc:id:giai:4000001.111", "https://id.gs1.org/8004/4000001111");
	check_dl("urn:epc:id:ginc:0614141.xyz47%2F11", "https://id.gs1.org/401/0614141xyz47%2F11");
	check_dl("urn:epc:class:lgtin:4012345.012345.Lot987",
	         "https://id.gs1.org/01/04012345123456/10/Lot987");
	check_dl("urn:epc:idpat:sgtin:4012345.044444.*", "https://id.gs1.org/01/04012345444445");
	check_dl("urn:epc:idpat:grai:4012345.66666.*", "https://id.gs1.org/8003/04012345666663");
	check_dl("urn:epc:idpat:cpi:4012345.ABC.*", "https://id.gs1.org/8010/4012345ABC");
	check_dl("urn:epc:idpat:itip:4012345.012345.01.02.*",
	         "https://id.gs1.org/8006/040123451234560102");
	check_dl("https://id.gs1.org/gtin/09780345418913", "https://id.gs1.org/01/09780345418913");
	check_dl("https://example.com/gtin/09780345418913/21/765tz?abc=211121",
	         "https://id.gs1.org/01/09780345418913/21/765tz");
	check_dl("http://id.example.org/shop/01/9780345418913/cpv/2/lot/A1/ser/77#x",
	         "https://id.gs1.org/01/09780345418913/21/77");
	check_dl("https://id.gs1.org/01/12345670/10/ABC",
	         "https://id.gs1.org/01/00000012345670/10/ABC");
	check_dl("https://id.example.com/253/4012345000054987",
	         "https://id.gs1.org/253/4012345000054987");
	/* Not GS1 identifiers, or not valid ones: left alone. */
	check_dl("urn:epc:id:sgtin:0614141.10734.2017", NULL);  /* 12 digits */
	check_dl("urn:epc:id:sgtin:061414a.107346.2017", NULL); /* not digits */
	check_dl("urn:epc:id:sgtin:0614141.107346.20%2", NULL); /* bad escape */
	check_dl("urn:epc:id:sgtin:0614141.107346.", NULL);     /* no serial */
	check_dl("urn:epc:id:bic:CSQU3054383", NULL);
	check_dl("urn:epcglobal:cbv:bt:0614141073467:1152", NULL);
	check_dl("http://transaction.acme.com/po/12345678", NULL);
	check_dl("https://id.gs1.org/01/123/21/4", NULL);
	check_dl("https://id.gs1.org/01/09780345418913/99/4", NULL);
	check_dl("geo:47.506694,11.104301", NULL);
}

static void malformed(void)
{
	ot_epcis_doc doc;
	ot_error err;
	otx_epcis_doc_init(&doc);
	const char *bad[] = {
		"[1]",
		"{\"epcisBody\":{}}",
		"{\"epcisBody\":{\"eventList\":[]},\"a\":1,\"a\":2}",
		"{\"type\":\"EPCISDocument\"}",
		"{\"epcisBody\":{\"eventList\":[]}} x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_RC(otx_epcis_doc_parse((const uint8_t *)bad[i], strlen(bad[i]), &doc, &err),
		         OT_ERR_PARSE);
		CHECK(doc.root == NULL);
	}
	/* An event that is not an object, or has no type. */
	const char *odd = "{\"epcisBody\":{\"eventList\":[3,{\"action\":\"ADD\"}]}}";
	CHECK_OK(otx_epcis_doc_parse((const uint8_t *)odd, strlen(odd), &doc, &err));
	ot_buf b;
	ot_buf_init(&b, 0);
	CHECK_RC(ot_epcis_prehash(&doc, ot_epcis_doc_event(&doc, 0), &b, &err), OT_ERR_PARSE);
	CHECK_STR(err.code, "epcis_bad_event");
	CHECK_RC(ot_epcis_prehash(&doc, ot_epcis_doc_event(&doc, 1), &b, &err), OT_ERR_PARSE);
	CHECK(b.len == 0);
	otx_epcis_doc_clear(&doc);

	/* Too deep: arrays nested beyond the limit inside an extension. */
	char deep[512];
	size_t o = 0;
	o += (size_t)snprintf(deep, sizeof deep, "{\"type\":\"ObjectEvent\",\"x:y\":");
	for (int i = 0; i < 100; i++)
		deep[o++] = '[';
	for (int i = 0; i < 100; i++)
		deep[o++] = ']';
	deep[o++] = '}';
	CHECK_OK(otx_epcis_doc_parse((const uint8_t *)deep, o, &doc, &err));
	CHECK_RC(ot_epcis_prehash(&doc, ot_epcis_doc_event(&doc, 0), &b, &err), OT_ERR_PARSE);
	CHECK_STR(err.code, "epcis_too_deep");
	/* A cap on the output. */
	ot_buf small;
	ot_buf_init(&small, 16);
	const char *ev = "{\"type\":\"ObjectEvent\",\"action\":\"OBSERVE\"}";
	otx_epcis_doc_clear(&doc);
	CHECK_OK(otx_epcis_doc_parse((const uint8_t *)ev, strlen(ev), &doc, &err));
	CHECK_RC(ot_epcis_prehash(&doc, ot_epcis_doc_event(&doc, 0), &small, &err), OT_ERR_TOOBIG);
	CHECK(small.len == 0);
	ot_buf_free(&small);
	ot_buf_free(&b);
	otx_epcis_doc_clear(&doc);

	CHECK(!ot_epcis_is_hash_id("ni:///sha-256;ABC?ver=CBV2.0"));
	CHECK(!ot_epcis_is_hash_id(
		"ni:///"
		"sha-256;FFA491B16867E34A7791A8D5389D826AFC24E63A121026B6A4004ACE38631B4B?ver=CBV2."
		"0"));
	CHECK(ot_epcis_is_hash_id(
		"ni:///"
		"sha-256;ffa491b16867e34a7791a8d5389d826afc24e63a121026b6a4004ace38631b4b?ver=CBV2."
		"0"));
}

int main(void)
{
	times();
	numbers();
	values();
	malformed();
	if (!conformance()) {
		printf("test_epcis_hash: conformance data absent, vectors skipped\n");
		int rc = test_done("test_epcis_hash");
		return rc ? rc : TEST_SKIP;
	}
	return test_done("test_epcis_hash");
}
