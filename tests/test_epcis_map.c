/*
 * test_epcis_map.c: EPCIS 2.0 events to oretrail events and back
 * (src/epcis/map.c), as pure functions.
 *
 * - A mineral chain (tests/data/epcis/fwo-chain.jsonld, written for this
 *   test: commissioning of two ore lots at a mine, beneficiation, shipping;
 *   and ussm-receipt.jsonld) maps to the oretrail events expected, field by
 *   field, masses converted to grams.
 * - import -> export -> import is stable: the events mapped from an
 *   exported document are exactly those exported, and keep their hash IDs.
 * - Native oretrail events export from their own fields and import back to
 *   themselves; a ledger event that no longer matches its original is
 *   exported from its fields, not as the original.
 * - Every reason not to import has its code.
 * - Every document of the GS1 examples (conformance folder epcis/examples,
 *   read in place) is read, and each event is mapped or reported.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "epcis/map.h"
#include "oretrail/encoding.h"
#include "test.h"

static int load_doc(const char *text, size_t len, ot_epcis_doc *doc)
{
	ot_error err;
	otx_epcis_doc_init(doc);
	if (otx_epcis_doc_parse((const uint8_t *)text, len, doc, &err)) {
		fprintf(stderr, "parse: %s\n", err.message);
		return -1;
	}
	return 0;
}

/* Maps every event of a document; returns all oretrail events (new). */
static json_t *map_all(const ot_epcis_doc *doc, size_t *reported)
{
	json_t *all = json_array();
	*reported = 0;
	for (size_t i = 0; i < ot_epcis_doc_count(doc); i++) {
		ot_epcis_mapping m;
		memset(&m, 0, sizeof m);
		if (ot_epcis_map_event(doc, i, &m) == OT_OK)
			json_array_extend(all, m.events);
		else
			(*reported)++;
		ot_epcis_mapping_clear(&m);
	}
	return all;
}

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, 0, &e);
	if (!v)
		fprintf(stderr, "J: %s: %s\n", e.text, text);
	return v;
}

/* The event without its "epcis" attachment (new). */
static json_t *bare(json_t *ev)
{
	json_t *c = json_deep_copy(ev);
	json_object_del(c, "epcis");
	return c;
}

static void check_event(json_t *ev, const char *want_text)
{
	json_t *want = J(want_text);
	json_t *got = bare(ev);
	CHECK(want && json_equal(got, want));
	if (!want || !json_equal(got, want)) {
		char *g = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
		fprintf(stderr, "  got  %s\n  want %s\n", g, want_text);
		free(g);
	}
	json_decref(want);
	json_decref(got);
}

static char *data_file(const char *name, size_t *len)
{
	const char *dir = getenv("OT_TEST_DATA");
	char path[4096];
	snprintf(path, sizeof path, "%s/epcis/%s", dir ? dir : "tests/data", name);
	char *t = test_read_file(path, len);
	if (!t)
		fprintf(stderr, "cannot read %s\n", path);
	return t;
}

#define ORE_A "https://id.gs1.org/01/00614141123452/10/REE-ORE-A"
#define ORE_B "https://id.gs1.org/01/00614141123452/10/REE-ORE-B"
#define CONC "https://id.gs1.org/01/00614141123469/10/REE-CONC-1"
#define CONS "urn:epcglobal:cbv:bt:0614141000005:PK-US-2025-001"

static void chain(void)
{
	size_t len, reported;
	char *text = data_file("fwo-chain.jsonld", &len);
	ot_epcis_doc doc;
	CHECK(text && load_doc(text, len, &doc) == 0);
	if (!text)
		return;
	json_t *evs = map_all(&doc, &reported);
	CHECK(reported == 0);
	CHECK(json_array_size(evs) == 4);
	char id1[OT_EPCIS_HASH_ID_LEN + 1];
	ot_error err;
	CHECK_OK(ot_epcis_hash_id(&doc, ot_epcis_doc_event(&doc, 0), id1, &err));
	char want[2048];
	/* Two lots commissioned in one event: two extracts, ids #1 and #2;
	 * 120 TNE and 80000.0 KGM in grams; time in UTC, whole seconds. */
	snprintf(want, sizeof want,
	         "{\"type\":\"extract\",\"id\":\"%s#1\",\"time\":\"2025-09-10T06:00:00Z\","
	         "\"site\":\"pk-kp-loe-shilman\",\"lot\":\"" ORE_A "\",\"material\":\"ore\","
	         "\"mass_g\":120000000,\"assay\":{\"Nd\":3960,\"Pr\":1140},\"uncertainty_ppm\":"
	         "20000}",
	         id1);
	check_event(json_array_get(evs, 0), want);
	json_t *att = json_object_get(json_array_get(evs, 0), "epcis");
	CHECK_STR(json_string_value(json_object_get(att, "hash")), id1);
	CHECK(json_integer_value(json_object_get(att, "part")) == 1);
	CHECK(json_integer_value(json_object_get(att, "parts")) == 2);
	/* The original rides along: sensor data and certification, reals as
	 * decimal strings, its prefixes. */
	json_t *orig = json_object_get(att, "event");
	CHECK_STR(json_string_value(json_object_get(orig, "certificationInfo")),
	          "https://registry.example.org/licence/KP-ML-2025-017");
	json_t *rep = json_array_get(
		json_object_get(json_array_get(json_object_get(orig, "sensorElementList"), 0),
	                        "sensorReport"),
		0);
	CHECK_STR(json_string_value(json_object_get(rep, "value")), "200.004");
	CHECK_STR(json_string_value(json_object_get(json_object_get(att, "context"), "ex")),
	          "https://ns.example.org/mine/");
	json_t *part2 = json_object_get(json_array_get(evs, 1), "epcis");
	CHECK(json_object_size(part2) == 3 && !json_object_get(part2, "event"));
	snprintf(want, sizeof want,
	         "{\"type\":\"extract\",\"id\":\"%s#2\",\"time\":\"2025-09-10T06:00:00Z\","
	         "\"site\":\"pk-kp-loe-shilman\",\"lot\":\"" ORE_B "\",\"material\":\"ore\","
	         "\"mass_g\":80000000,\"assay\":{\"Nd\":3960,\"Pr\":1140},\"uncertainty_ppm\":"
	         "20000}",
	         id1);
	check_event(json_array_get(evs, 1), want);
	/* The same lot as an EPC class URI and as a Digital Link is one lot. */
	check_event(json_array_get(evs, 2),
	            "{\"type\":\"transform\",\"id\":\"ni:///sha-256;"
	            "5cb586ae612edb2d9983b34e3475f7c5754d881e61b47214316761350a79c830?ver=CBV2.0\","
	            "\"time\":\"2025-09-13T08:00:00Z\",\"site\":\"pk-kp-loe-shilman\","
	            "\"process\":\"beneficiation\",\"inputs\":[{\"lot\":\"" ORE_A "\","
	            "\"mass_g\":120000000},{\"lot\":\"" ORE_B "\",\"mass_g\":80000000}],"
	            "\"outputs\":[{\"lot\":\"" CONC "\",\"mass_g\":14570000,\"material\":"
	            "\"concentrate\",\"assay\":{\"Nd\":46090,\"Pr\":13420},\"uncertainty_ppm\":"
	            "10000}]}");
	check_event(json_array_get(evs, 3),
	            "{\"type\":\"ship\",\"id\":\"ni:///sha-256;"
	            "eafeabef05e03109905546e0fd93cbda18916e83604ea22e71028e7d107265a8?ver=CBV2.0\","
	            "\"time\":\"2025-09-26T08:00:00Z\",\"consignment\":\"" CONS "\","
	            "\"from\":\"pk-kp-loe-shilman\",\"to\":\"us-mo-ussm\",\"consignee\":\"ussm\","
	            "\"lots\":[\"" CONC "\"],\"hs\":[\"2846.90\"],\"value\":{\"amount\":28600000,"
	            "\"currency\":\"USD\"},\"permit\":\"PK-EXP-2025-0001\"}");
	json_decref(evs);
	otx_epcis_doc_clear(&doc);
	free(text);

	/* The receipt: its eventID (a UUID) is the id; the inspection after it
	 * is reported, not a material flow. */
	text = data_file("ussm-receipt.jsonld", &len);
	CHECK(text && load_doc(text, len, &doc) == 0);
	if (!text)
		return;
	ot_epcis_mapping m;
	memset(&m, 0, sizeof m);
	CHECK_OK(ot_epcis_map_event(&doc, 0, &m));
	check_event(
		json_array_get(m.events, 0),
		"{\"type\":\"receive\",\"id\":\"urn:uuid:6f1d4c1e-2b7a-4c55-9d1e-3f0a8e5b7c21\","
		"\"time\":\"2025-10-02T15:00:00Z\",\"consignment\":\"" CONS "\","
		"\"site\":\"us-mo-ussm\",\"lots\":[{\"lot\":\"" CONC "\",\"mass_g\":14550000}]}");
	CHECK_RC(ot_epcis_map_event(&doc, 1, &m), OT_ERR_PARSE);
	CHECK_STR(m.error.code, "epcis_unsupported");
	CHECK(json_array_size(m.events) == 0);
	CHECK(m.error.index == 1);
	ot_epcis_mapping_clear(&m);
	otx_epcis_doc_clear(&doc);
	free(text);
}

/* Export events, parse the document, map it again. */
static json_t *export_import(json_t *events, size_t *as_original, size_t *constructed,
                             char **doc_text)
{
	ot_epcis_writer w;
	ot_error err;
	json_t *doc = NULL, *again = NULL;
	CHECK_OK(otx_epcis_writer_init(&w, "2025-11-01T00:00:00Z", &err));
	size_t i;
	json_t *ev;
	json_array_foreach(events, i, ev)
	{
		ot_status rc = ot_epcis_writer_add(&w, ev, &err);
		CHECK(rc == OT_OK || rc == OT_ERR_NOTFOUND);
	}
	CHECK_OK(ot_epcis_writer_finish(&w, &doc, &err));
	*as_original = w.as_original;
	*constructed = w.constructed;
	otx_epcis_writer_clear(&w);
	char *text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	ot_epcis_doc d;
	size_t reported;
	if (text && load_doc(text, strlen(text), &d) == 0) {
		again = map_all(&d, &reported);
		CHECK(reported == 0);
		/* Every carried hash ID is the event's own. */
		for (size_t k = 0; k < ot_epcis_doc_count(&d); k++) {
			char id[OT_EPCIS_HASH_ID_LEN + 1];
			json_t *e = ot_epcis_doc_event(&d, k);
			CHECK_OK(ot_epcis_hash_id(&d, e, id, &err));
			CHECK_STR(json_string_value(json_object_get(e, "oretrail:hash")), id);
		}
		otx_epcis_doc_clear(&d);
	}
	if (doc_text)
		*doc_text = text;
	else
		free(text);
	return again;
}

static void round_trip(void)
{
	const char *files[] = {"fwo-chain.jsonld", "ussm-receipt.jsonld"};
	for (size_t f = 0; f < 2; f++) {
		size_t len, reported, orig, cons;
		char *text = data_file(files[f], &len);
		ot_epcis_doc doc;
		if (!text || load_doc(text, len, &doc)) {
			CHECK(0);
			free(text);
			continue;
		}
		json_t *first = map_all(&doc, &reported);
		char *exported = NULL;
		json_t *second = export_import(first, &orig, &cons, &exported);
		CHECK(second && json_equal(first, second));
		CHECK(cons == 0 && orig == (f == 0 ? 3 : 1));
		/* And once more: the export of the re-import is the same text. */
		char *exported2 = NULL;
		json_t *third = export_import(second, &orig, &cons, &exported2);
		CHECK(third && json_equal(second, third));
		CHECK(exported && exported2 && strcmp(exported, exported2) == 0);
		/* The exported events keep the originals' hash IDs. */
		ot_epcis_doc d2;
		if (exported && load_doc(exported, strlen(exported), &d2) == 0) {
			size_t k = 0;
			for (size_t i = 0; i < ot_epcis_doc_count(&doc); i++) {
				char id[OT_EPCIS_HASH_ID_LEN + 1];
				ot_error err;
				ot_epcis_mapping m;
				memset(&m, 0, sizeof m);
				if (ot_epcis_map_event(&doc, i, &m) != OT_OK) {
					ot_epcis_mapping_clear(&m);
					continue;
				}
				CHECK_OK(ot_epcis_hash_id(&d2, ot_epcis_doc_event(&d2, k++), id,
				                          &err));
				CHECK_STR(id, m.hash_id);
				ot_epcis_mapping_clear(&m);
			}
			otx_epcis_doc_clear(&d2);
		}
		free(exported);
		free(exported2);
		json_decref(first);
		json_decref(second);
		json_decref(third);
		otx_epcis_doc_clear(&doc);
		free(text);
	}
}

static void native(void)
{
	/* Events as the demo ledger holds them, with no EPCIS original. */
	json_t *events = J(
		"[{\"type\":\"extract\",\"id\":\"fwo-005\",\"time\":\"2025-09-10T06:00:00Z\","
		"\"site\":\"pk-kp-loe-shilman\",\"lot\":\"lot-ree-ore-001\",\"material\":\"ore\","
		"\"mass_g\":200000000,\"assay\":{\"Nd\":3960,\"Pr\":1140},\"uncertainty_ppm\":"
		"20000},"
		"{\"type\":\"transform\",\"id\":\"fwo-008\",\"time\":\"2025-09-13T06:00:00Z\","
		"\"site\":\"pk-kp-loe-shilman\",\"process\":\"beneficiation\",\"inputs\":[{\"lot\":"
		"\"lot-ree-ore-001\",\"mass_g\":200000000}],\"outputs\":[{\"lot\":\"lot-ree-conc-"
		"001\","
		"\"material\":\"concentrate\",\"mass_g\":14570000,\"assay\":{\"Nd\":46090,\"Pr\":"
		"13420},"
		"\"uncertainty_ppm\":10000}]},"
		"{\"type\":\"ship\",\"id\":\"fwo-021\",\"time\":\"2025-09-26T08:00:00Z\","
		"\"consignment\":\"PK-US-2025-001\",\"from\":\"pk-port-karachi\",\"to\":\"us-mo-"
		"ussm\","
		"\"consignee\":\"ussm\",\"lots\":[\"lot-ree-conc-001\"],\"hs\":[\"2846.90\"],"
		"\"value\":{\"amount\":28600000,\"currency\":\"USD\"},\"permit\":\"PK-EXP-2025-"
		"0001\"},"
		"{\"type\":\"receive\",\"id\":\"ussm-001\",\"time\":\"2025-10-02T15:00:00Z\","
		"\"consignment\":\"PK-US-2025-001\",\"site\":\"us-mo-ussm\",\"lots\":[{\"lot\":"
		"\"lot-ree-conc-001\",\"mass_g\":14550000}]},"
		"{\"type\":\"payment\",\"id\":\"fwo-030\",\"time\":\"2025-10-05T00:00:00Z\"}]");
	size_t orig, cons;
	json_t *back = export_import(events, &orig, &cons, NULL);
	CHECK(orig == 0 && cons == 4);
	CHECK(json_array_size(back) == 4);
	for (size_t i = 0; i < 4; i++) {
		json_t *b = bare(json_array_get(back, i));
		CHECK(json_equal(b, json_array_get(events, i)));
		if (!json_equal(b, json_array_get(events, i))) {
			char *s = json_dumps(b, JSON_SORT_KEYS | JSON_COMPACT);
			fprintf(stderr, "  native %zu came back as %s\n", i, s);
			free(s);
		}
		json_decref(b);
	}

	/* A ledger event that no longer matches its original is written from
	 * its own fields (the original would show what the ledger did not
	 * check). */
	json_t *tampered = json_deep_copy(back);
	json_object_set_new(json_array_get(tampered, 3), "lots",
	                    J("[{\"lot\":\"lot-ree-conc-001\",\"mass_g\":14560000}]"));
	json_t *again = export_import(tampered, &orig, &cons, NULL);
	CHECK(orig == 3 && cons == 1);
	json_t *lots = json_object_get(json_array_get(again, 3), "lots");
	CHECK(json_integer_value(json_object_get(json_array_get(lots, 0), "mass_g")) == 14560000);

	/* Skipped types say so. */
	ot_epcis_writer w;
	ot_error err;
	CHECK_OK(otx_epcis_writer_init(&w, "2025-11-01T00:00:00Z", &err));
	CHECK_RC(ot_epcis_writer_add(&w, json_array_get(events, 4), &err), OT_ERR_NOTFOUND);
	CHECK(w.skipped == 1 && w.written == 0);
	otx_epcis_writer_clear(&w);
	json_decref(again);
	json_decref(tampered);
	json_decref(back);
	json_decref(events);
}

/* Maps the one event of a document made around it; returns the code. */
static const char *reason(const char *event_json, char *code, size_t size)
{
	char doc[4096];
	snprintf(doc, sizeof doc,
	         "{\"@context\":[\"" OTX_EPCIS_CONTEXT_URL "\",{\"ot\":\"" OT_EPCIS_NS "\"}],"
	         "\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\",\"creationDate\":"
	         "\"2025-01-01T00:00:00Z\",\"epcisBody\":{\"eventList\":[%s]}}",
	         event_json);
	ot_epcis_doc d;
	ot_epcis_mapping m;
	memset(&m, 0, sizeof m);
	snprintf(code, size, "(parse)");
	if (load_doc(doc, strlen(doc), &d) == 0) {
		ot_status rc = ot_epcis_map_event(&d, 0, &m);
		snprintf(code, size, "%s", rc ? m.error.code : "ok");
		CHECK(rc == OT_OK || m.error.message[0]);
		CHECK(rc == OT_OK || json_array_size(m.events) == 0);
		ot_epcis_mapping_clear(&m);
		otx_epcis_doc_clear(&d);
	}
	return code;
}

#define T_Z "\"eventTime\":\"2025-01-02T03:04:05Z\",\"eventTimeZoneOffset\":\"+00:00\""
#define COMMISSION "\"type\":\"ObjectEvent\",\"action\":\"ADD\",\"bizStep\":\"commissioning\"," T_Z
#define AT_MINE "\"bizLocation\":{\"id\":\"urn:oretrail:site:m\"}"
#define ONE_LOT \
	"\"quantityList\":[{\"epcClass\":\"urn:oretrail:lot:l1\",\"quantity\":2,\"uom\":\"KGM\"}]"
#define ILMD "\"ilmd\":{\"ot:material\":\"ore\",\"ot:assay\":{\"Cu\":10000}}"

static void expect_reason(const char *event_json, const char *want)
{
	char code[64];
	CHECK_STR(reason(event_json, code, sizeof code), want);
}

static void reasons(void)
{
	expect_reason("{" COMMISSION "," AT_MINE "," ONE_LOT "," ILMD "}", "ok");
	expect_reason("{" COMMISSION "," ONE_LOT "," ILMD "}", "epcis_no_site");
	expect_reason("{" COMMISSION "," AT_MINE "," ILMD "}", "epcis_no_lot");
	expect_reason("{" COMMISSION "," AT_MINE
	              ",\"epcList\":[\"urn:epc:id:sgtin:0614141.107346.1\"]," ILMD "}",
	              "epcis_no_mass");
	expect_reason("{" COMMISSION "," AT_MINE
	              ",\"quantityList\":[{\"epcClass\":\"urn:oretrail:lot:"
	              "l1\",\"quantity\":2,\"uom\":\"LTR\"}]," ILMD "}",
	              "epcis_not_mass");
	expect_reason("{" COMMISSION "," AT_MINE
	              ",\"quantityList\":[{\"epcClass\":\"urn:oretrail:lot:"
	              "l1\",\"quantity\":2}]," ILMD "}",
	              "epcis_not_mass");
	expect_reason("{" COMMISSION "," AT_MINE
	              ",\"quantityList\":[{\"epcClass\":\"urn:oretrail:lot:"
	              "l1\",\"quantity\":-2,\"uom\":\"KGM\"}]," ILMD "}",
	              "epcis_no_mass");
	expect_reason("{" COMMISSION "," AT_MINE "," ONE_LOT ",\"ilmd\":{\"ot:assay\":{\"Cu\":1}}}",
	              "epcis_no_material");
	expect_reason("{" COMMISSION "," AT_MINE "," ONE_LOT ",\"ilmd\":{\"ot:material\":\"ore\"}}",
	              "epcis_no_assay");
	expect_reason("{" COMMISSION "," AT_MINE "," ONE_LOT ",\"ilmd\":{\"ot:material\":\"ore\","
	              "\"ot:assay\":{\"Cu\":1.5}}}",
	              "epcis_bad_extension");
	expect_reason(
		"{" COMMISSION "," AT_MINE "," ONE_LOT "," ILMD ",\"eventID\":\"ni:///sha-256;"
		"0000000000000000000000000000000000000000000000000000000000000000?ver=CBV2.0\"}",
		"epcis_hash_mismatch");
	expect_reason("{" COMMISSION "," AT_MINE "," ONE_LOT "," ILMD ",\"ot:hash\":\"x\"}",
	              "epcis_hash_mismatch");
	expect_reason("{\"type\":\"ObjectEvent\",\"action\":\"ADD\",\"bizStep\":\"commissioning\","
	              "\"eventTime\":\"yesterday\"," AT_MINE "," ONE_LOT "," ILMD "}",
	              "epcis_bad_time");
	expect_reason("{" COMMISSION "," AT_MINE "," ONE_LOT "," ILMD ",\"errorDeclaration\":"
	              "{\"declarationTime\":\"2025-02-01T00:00:00Z\"}}",
	              "epcis_error_declaration");
	expect_reason("{\"type\":\"ObjectEvent\",\"action\":\"OBSERVE\",\"bizStep\":"
	              "\"commissioning\"," T_Z "," AT_MINE "," ONE_LOT "," ILMD "}",
	              "epcis_unsupported");
	expect_reason("{\"type\":\"AssociationEvent\",\"action\":\"ADD\"," T_Z "}",
	              "epcis_unsupported");
	/* The lots come first: a split or a merge needs no process. */
	expect_reason("{\"type\":\"TransformationEvent\"," T_Z "," AT_MINE "}", "epcis_no_lot");
#define QTY(list, lot, kg)                                                                      \
	"\"" list "\":[{\"epcClass\":\"urn:oretrail:lot:" lot "\",\"quantity\":" kg ",\"uom\":" \
	"\"KGM\"}]"
	expect_reason(
		"{\"type\":\"TransformationEvent\"," T_Z "," AT_MINE
		"," QTY("inputQuantityList", "a", "5") "," QTY("outputQuantityList", "b", "2") "}",
		"epcis_no_process");
	expect_reason("{\"type\":\"TransformationEvent\"," T_Z "," AT_MINE
	              ",\"inputQuantityList\":[{\"epcClass\":\"urn:oretrail:lot:a\",\"quantity\":2,"
	              "\"uom\":\"KGM\"},{\"epcClass\":\"urn:oretrail:lot:c\",\"quantity\":3,"
	              "\"uom\":\"KGM\"}]," QTY("outputQuantityList", "b", "5") "," ILMD "}",
	              "ok"); /* a merge */
#undef QTY
	expect_reason("{\"type\":\"TransformationEvent\"," T_Z "," AT_MINE
	              ",\"ot:process\":\"smelting\","
	              "\"inputQuantityList\":[{\"epcClass\":\"urn:oretrail:lot:a\",\"quantity\":1,"
	              "\"uom\":\"TNE\"}]}",
	              "epcis_no_lot");
	/* Shipping: consignment, destination, consignee. */
	const char *ship = "\"type\":\"ObjectEvent\",\"action\":\"OBSERVE\",\"bizStep\":"
			   "\"urn:epcglobal:cbv:bizstep:shipping\"," T_Z "," AT_MINE
			   ",\"quantityList\":[{\"epcClass\":\"urn:oretrail:lot:l1\"}]";
	char ev[2048];
	snprintf(ev, sizeof ev, "{%s}", ship);
	expect_reason(ev, "epcis_no_consignment");
	snprintf(ev, sizeof ev, "{%s,\"ot:consignment\":\"c1\"}", ship);
	expect_reason(ev, "epcis_no_destination");
	snprintf(ev, sizeof ev,
	         "{%s,\"bizTransactionList\":[{\"type\":\"bol\",\"bizTransaction\":\"urn:x:1\"}],"
	         "\"destinationList\":[{\"type\":\"location\",\"destination\":\"urn:oretrail:site:"
	         "s\"}]}",
	         ship);
	expect_reason(ev, "epcis_no_consignee");
	snprintf(ev, sizeof ev,
	         "{%s,\"bizTransactionList\":[{\"type\":\"bol\",\"bizTransaction\":\"urn:x:1\"}],"
	         "\"destinationList\":[{\"type\":\"location\",\"destination\":\"urn:oretrail:site:"
	         "s\"},"
	         "{\"type\":\"owning_party\",\"destination\":\"urn:oretrail:actor:a b\"}]}",
	         ship);
	expect_reason(ev, "epcis_bad_id");
	snprintf(ev, sizeof ev,
	         "{%s,\"bizTransactionList\":[{\"type\":\"bol\",\"bizTransaction\":\"urn:x:1\"}],"
	         "\"destinationList\":[{\"type\":\"location\",\"destination\":\"urn:oretrail:site:"
	         "s\"},"
	         "{\"type\":\"owning_party\",\"destination\":\"urn:oretrail:actor:ussm\"}]}",
	         ship);
	expect_reason(ev, "ok");
	/* Aggregations: the parent is the consignment. */
	expect_reason("{\"type\":\"AggregationEvent\",\"action\":\"DELETE\",\"bizStep\":"
	              "\"unloading\"," T_Z "," AT_MINE
	              ",\"parentID\":\"urn:epc:id:sscc:0614141.1234567890\","
	              "\"childQuantityList\":[{\"epcClass\":\"urn:oretrail:lot:l1\",\"quantity\":3,"
	              "\"uom\":\"TNE\"}]}",
	              "ok");
	expect_reason(
		"{\"type\":\"AggregationEvent\",\"action\":\"ADD\",\"bizStep\":\"packing\"," T_Z
		"}",
		"epcis_unsupported");
	expect_reason("[]", "epcis_bad_event");
}

static void grams(void)
{
	int64_t g = 0;
	CHECK_OK(otx_epcis_grams(1.5, "TNE", &g));
	CHECK(g == 1500000);
	CHECK_OK(otx_epcis_grams(200.5, "KGM", &g));
	CHECK(g == 200500);
	CHECK_OK(otx_epcis_grams(0.1, "KGM", &g));
	CHECK(g == 100);
	CHECK_OK(otx_epcis_grams(1, "LBR", &g));
	CHECK(g == 454);
	CHECK_OK(otx_epcis_grams(2, "APZ", &g));
	CHECK(g == 62);
	CHECK_OK(otx_epcis_grams(1500, "MGM", &g));
	CHECK(g == 2);
	CHECK_RC(otx_epcis_grams(1, "LTR", &g), OT_ERR_PARSE);
	CHECK_RC(otx_epcis_grams(1, NULL, &g), OT_ERR_PARSE);
	CHECK_RC(otx_epcis_grams(0.4, "GRM", &g), OT_ERR_RANGE);
	CHECK_RC(otx_epcis_grams(-1, "KGM", &g), OT_ERR_RANGE);
	CHECK_RC(otx_epcis_grams(2e9, "TNE", &g), OT_ERR_RANGE);
}

static int examples_seen, examples_unreadable, events_seen, events_mapped, events_reported;

static void walk_examples(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk_examples(path);
			continue;
		}
		size_t n = strlen(e->d_name);
		if (n < 7 || strcmp(e->d_name + n - 7, ".jsonld") != 0)
			continue;
		size_t len;
		char *text = test_read_file(path, &len);
		CHECK(text != NULL);
		if (!text)
			continue;
		examples_seen++;
		ot_epcis_doc doc;
		ot_error err;
		otx_epcis_doc_init(&doc);
		if (otx_epcis_doc_parse((const uint8_t *)text, len, &doc, &err) != OT_OK) {
			/* Unreadable (AssociationEvent-h.jsonld repeats "eventID"):
			 * reported with where and why. */
			CHECK(err.code[0] && err.message[0]);
			printf("  %s: not read: %s\n", e->d_name, err.message);
			examples_unreadable++;
			free(text);
			continue;
		}
		for (size_t i = 0; i < ot_epcis_doc_count(&doc); i++) {
			ot_epcis_mapping m;
			memset(&m, 0, sizeof m);
			events_seen++;
			if (ot_epcis_map_event(&doc, i, &m) == OT_OK) {
				events_mapped++;
				CHECK(json_array_size(m.events) > 0);
			} else {
				events_reported++;
				CHECK(m.error.code[0] && m.error.message[0]);
				CHECK(m.error.index == (int64_t)i);
				printf("  %s event %zu (%s): %s: %.100s\n", e->d_name, i + 1,
				       m.type, m.error.code, m.error.message);
			}
			ot_epcis_mapping_clear(&m);
		}
		otx_epcis_doc_clear(&doc);
		free(text);
	}
	closedir(d);
}

static int examples(void)
{
	const char *root = test_conformance_dir();
	if (!root)
		return 0;
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/epcis/examples", root);
	walk_examples(dir);
	printf("epcis examples: %d documents (%d not readable), %d events: %d mapped, %d "
	       "reported\n",
	       examples_seen, examples_unreadable, events_seen, events_mapped, events_reported);
	CHECK(examples_seen >= 30);
	CHECK(events_seen == events_mapped + events_reported);
	return examples_seen > 0;
}

/* GLNs: the GS1 check digit (0614141000012 is the GLN of GS1's SGLN
 * example urn:epc:id:sgln:0614141.00001.0), and the Digital Links a
 * profile learns from a ledger's GLN registry. */
static void glns(void)
{
	CHECK(ot_gs1_check_digit("061414100001", 12) == '2');
	CHECK(ot_gs1_key_ok("0614141000012", 13));
	CHECK(!ot_gs1_key_ok("0614141000013", 13));
	CHECK(!ot_gs1_key_ok("614141000012", 13));
	CHECK(!ot_gs1_key_ok("06141410000a2", 13));
	ot_epcis_profile *p = NULL;
	ot_error err;
	CHECK(ot_epcis_profile_new(&p, &err) == OT_OK);
	CHECK(ot_epcis_profile_add_gln(p, 0, "0614141000012", "pk-mine", &err) == OT_OK);
	CHECK(ot_epcis_profile_add_gln(p, 1, "0614141000029", "fwo", &err) == OT_OK);
	CHECK(ot_epcis_profile_add_gln(p, 0, "0614141000012", "other", &err) == OT_OK);
	CHECK_STR(json_string_value(
			  json_object_get(p->sites, "https://id.gs1.org/414/0614141000012")),
	          "pk-mine");
	CHECK_STR(json_string_value(
			  json_object_get(p->parties, "https://id.gs1.org/417/0614141000029")),
	          "fwo");
	CHECK(ot_epcis_profile_add_gln(p, 0, "0614141000013", "x", &err) == OT_ERR_PARSE);
	CHECK_STR(err.code, "profile_bad_key");
	ot_epcis_profile_free(p);
}

/* The document's context: a receiving that names, beside a despatch
 * advice, the purchase order an earlier shipping was the only name of
 * receives that consignment; that shipping, with no destination, goes to
 * the receiving's site. A receiving with no such shipping before it keeps
 * the despatch advice. */
static void one_flow(void)
{
	static const char *const doc =
		"{\"@context\":[\"" OTX_EPCIS_CONTEXT_URL "\",{\"ot\":\"" OT_EPCIS_NS "\"}],"
		"\"type\":\"EPCISDocument\",\"schemaVersion\":\"2.0\",\"creationDate\":"
		"\"2025-01-01T00:00:00Z\",\"epcisBody\":{\"eventList\":["
		"{\"type\":\"ObjectEvent\",\"action\":\"OBSERVE\",\"bizStep\":\"shipping\"," T_Z
		",\"readPoint\":{\"id\":\"urn:oretrail:site:a\"},"
		"\"destinationList\":[{\"type\":\"possessing_party\",\"destination\":"
		"\"urn:oretrail:actor:b\"}]," ONE_LOT ","
		"\"bizTransactionList\":[{\"type\":\"po\",\"bizTransaction\":\"urn:oretrail:"
		"consignment:po-1\"}]},"
		"{\"type\":\"ObjectEvent\",\"action\":\"OBSERVE\",\"bizStep\":\"receiving\"," T_Z
		",\"bizLocation\":{\"id\":\"urn:oretrail:site:b\"}," ONE_LOT ","
		"\"bizTransactionList\":[{\"type\":\"po\",\"bizTransaction\":\"urn:oretrail:"
		"consignment:po-1\"},{\"type\":\"desadv\",\"bizTransaction\":\"urn:oretrail:"
		"consignment:da-9\"}]},"
		"{\"type\":\"ObjectEvent\",\"action\":\"OBSERVE\",\"bizStep\":\"receiving\"," T_Z
		",\"bizLocation\":{\"id\":\"urn:oretrail:site:b\"}," ONE_LOT ","
		"\"bizTransactionList\":[{\"type\":\"po\",\"bizTransaction\":\"urn:oretrail:"
		"consignment:po-2\"},{\"type\":\"desadv\",\"bizTransaction\":\"urn:oretrail:"
		"consignment:da-7\"}]}]}}";
	ot_epcis_doc d;
	int loaded = load_doc(doc, strlen(doc), &d) == 0;
	CHECK(loaded);
	if (!loaded)
		return;
	size_t reported = 0;
	json_t *all = map_all(&d, &reported);
	CHECK(reported == 0 && json_array_size(all) == 3);
	json_t *ship = json_array_get(all, 0), *got = json_array_get(all, 1),
	       *other = json_array_get(all, 2);
	CHECK_STR(json_string_value(json_object_get(ship, "consignment")), "po-1");
	CHECK_STR(json_string_value(json_object_get(ship, "to")), "b");
	CHECK_STR(json_string_value(json_object_get(got, "consignment")), "po-1");
	CHECK_STR(json_string_value(json_object_get(other, "consignment")), "da-7");
	json_decref(all);
	otx_epcis_doc_clear(&d);
}

int main(void)
{
	glns();
	grams();
	chain();
	round_trip();
	native();
	reasons();
	one_flow();
	if (!examples()) {
		printf("test_epcis_map: conformance data absent, GS1 examples skipped\n");
		int rc = test_done("test_epcis_map");
		return rc ? rc : TEST_SKIP;
	}
	return test_done("test_epcis_map");
}
