/*
 * fuzz_epcis.c: libFuzzer target for EPCIS 2.0 documents: the CBV 2.0 event
 * hash and the mapping to oretrail events and back (oretrail/epcis.h,
 * src/epcis/).
 *
 * Besides "no crash, no sanitizer report", it checks the properties import
 * and export rely on, and traps when one fails:
 * - the pre-hash and the hash ID of an event are the same every time;
 * - every event the mapping produces passes oretrail's event check (type,
 *   id, time, integers only), so it can be signed;
 * - the exported document of the mapped events parses, each exported event
 *   carries its own hash ID, and importing it again gives exactly the
 *   mapped events (import -> export -> import is stable).
 * Seeds are in fuzz/corpus/epcis/.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/envelope.h"
#include "oretrail/buf.h"
#include "oretrail/epcis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_hashes(const ot_epcis_doc *doc, size_t i)
{
	ot_buf a, b;
	ot_error err;
	char id1[OT_EPCIS_HASH_ID_LEN + 1], id2[OT_EPCIS_HASH_ID_LEN + 1];
	ot_buf_init(&a, 0);
	ot_buf_init(&b, 0);
	json_t *ev = ot_epcis_doc_event(doc, i);
	ot_status r1 = ot_epcis_prehash(doc, ev, &a, &err);
	ot_status r2 = ot_epcis_prehash(doc, ev, &b, &err);
	if (r1 != r2 || (r1 == OT_OK && (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)))
		__builtin_trap();
	if (r1 == OT_OK) {
		if (ot_epcis_hash_id(doc, ev, id1, &err) != OT_OK)
			__builtin_trap();
		ot_epcis_hash_of_prehash(a.len ? (const char *)a.data : "", a.len, id2);
		if (strcmp(id1, id2) != 0 || !ot_epcis_is_hash_id(id1))
			__builtin_trap();
	}
	ot_buf_free(&a);
	ot_buf_free(&b);
}

/* Exports `events`, reads the document back and maps it again. */
static void check_round_trip(json_t *events)
{
	ot_epcis_writer *w = NULL;
	ot_error err;
	json_t *out = NULL, *again = json_array();
	ot_epcis_doc *doc = NULL;
	ot_epcis_counts counts;
	if (ot_epcis_writer_new("2025-01-01T00:00:00Z", &w, &err) != OT_OK) {
		json_decref(again);
		return;
	}
	size_t i;
	json_t *ev;
	json_array_foreach(events, i, ev)
	{
		ot_status rc = ot_epcis_writer_add(w, ev, &err);
		if (rc != OT_OK && rc != OT_ERR_NOMEM)
			__builtin_trap(); /* what import makes, export can write */
	}
	if (ot_epcis_writer_finish(w, &out, &err) != OT_OK)
		goto done;
	char *text = json_dumps(out, JSON_COMPACT);
	if (!text)
		goto done;
	if (ot_epcis_doc_parse((const uint8_t *)text, strlen(text), &doc, &err) != OT_OK)
		__builtin_trap();
	free(text);
	for (i = 0; i < ot_epcis_doc_count(doc); i++) {
		char id[OT_EPCIS_HASH_ID_LEN + 1];
		json_t *e = ot_epcis_doc_event(doc, i);
		if (ot_epcis_hash_id(doc, e, id, &err) != OT_OK ||
		    strcmp(id, json_string_value(json_object_get(e, "oretrail:hash"))) != 0)
			__builtin_trap();
		ot_epcis_mapping m;
		memset(&m, 0, sizeof m);
		if (ot_epcis_map_event(doc, i, &m) != OT_OK)
			__builtin_trap();
		json_array_extend(again, m.events);
		ot_epcis_mapping_clear(&m);
	}
	/* Exactly the same events; an event written from its fields (when its
	 * original could not be kept, e.g. a prefix clash) comes back with
	 * the same oretrail fields and a new original. */
	ot_epcis_writer_counts(w, &counts);
	if (counts.constructed == 0 && !json_equal(events, again))
		__builtin_trap();
	if (json_array_size(events) != json_array_size(again))
		__builtin_trap();
	for (i = 0; i < json_array_size(events); i++) {
		json_t *x = json_deep_copy(json_array_get(events, i));
		json_t *y = json_deep_copy(json_array_get(again, i));
		json_object_del(x, "epcis");
		json_object_del(y, "epcis");
		int same = json_equal(x, y);
		json_decref(x);
		json_decref(y);
		if (!same)
			__builtin_trap();
	}
done:
	json_decref(out);
	json_decref(again);
	ot_epcis_doc_free(doc);
	ot_epcis_writer_free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ot_epcis_doc *doc = NULL;
	ot_error err;
	if (ot_epcis_doc_parse(data, size, &doc, &err) != OT_OK)
		return 0;
	json_t *all = json_array();
	for (size_t i = 0; i < ot_epcis_doc_count(doc) && i < 64; i++) {
		check_hashes(doc, i);
		ot_epcis_mapping m;
		memset(&m, 0, sizeof m);
		if (ot_epcis_map_event(doc, i, &m) == OT_OK) {
			size_t k;
			json_t *ev;
			json_array_foreach(m.events, k, ev)
			{
				ot_error ce;
				if (otx_event_check(ev, "event", &ce) != OT_OK)
					__builtin_trap();
			}
			json_array_extend(all, m.events);
		} else if (json_array_size(m.events) != 0 || !m.error.message[0]) {
			__builtin_trap(); /* a reported event has its reason, and no events */
		}
		ot_epcis_mapping_clear(&m);
	}
	if (json_array_size(all) > 0)
		check_round_trip(all);
	json_decref(all);
	ot_epcis_doc_free(doc);
	return 0;
}
