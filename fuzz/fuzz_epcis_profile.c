/*
 * fuzz_epcis_profile.c: libFuzzer target for EPCIS mapping profiles
 * (ot_epcis_profile_parse, docs/epcis-profiles.md) and their use in the
 * mapping. The input is a profile; each one that parses maps the events
 * of a fixed partner document through it.
 *
 * Besides "no crash, no sanitizer report", it traps when a property fails:
 * - parsing is deterministic (the same input parses or fails alike, with
 *   the same code);
 * - a failure leaves *out NULL and says why (a code);
 * - every event a profile maps passes oretrail's event check, so it can be
 *   signed, and mapping through the same profile twice gives equal events.
 * Seeds are in fuzz/corpus/epcis_profile/.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/envelope.h"
#include "oretrail/epcis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char DOC[] =
	"{\"type\":\"EPCISDocument\",\"epcisBody\":{\"eventList\":["
	"{\"type\":\"ObjectEvent\",\"eventTime\":\"2025-09-10T11:00:00+05:00\","
	"\"eventTimeZoneOffset\":\"+05:00\",\"action\":\"ADD\",\"bizStep\":\"commissioning\","
	"\"quantityList\":[{\"epcClass\":\"urn:epc:class:lgtin:0614141.012345.A\",\"quantity\":"
	"2,\"uom\":\"TNE\"}],\"bizLocation\":{\"id\":\"urn:epc:id:sgln:0614141.00001.0\"}},"
	"{\"type\":\"TransformationEvent\",\"eventTime\":\"2025-09-11T11:00:00Z\","
	"\"eventTimeZoneOffset\":\"+00:00\",\"bizStep\":\"commissioning\","
	"\"inputQuantityList\":[{\"epcClass\":\"urn:epc:class:lgtin:0614141.012345.A\","
	"\"quantity\":2,\"uom\":\"TNE\"}],\"outputQuantityList\":[{\"epcClass\":"
	"\"urn:epc:class:lgtin:0614141.012346.B\",\"quantity\":300,\"uom\":\"KGM\"}],"
	"\"readPoint\":{\"id\":\"urn:epc:id:sgln:0614141.00001.0\"}},"
	"{\"type\":\"ObjectEvent\",\"eventTime\":\"2025-09-12T11:00:00Z\","
	"\"eventTimeZoneOffset\":\"+00:00\",\"action\":\"OBSERVE\",\"bizStep\":\"shipping\","
	"\"quantityList\":[{\"epcClass\":\"urn:epc:class:lgtin:0614141.012346.B\"}],"
	"\"readPoint\":{\"id\":\"urn:epc:id:sgln:0614141.00001.0\"},"
	"\"bizTransactionList\":[{\"type\":\"desadv\",\"bizTransaction\":\"urn:x:c1\"}],"
	"\"destinationList\":[{\"type\":\"location\",\"destination\":"
	"\"urn:epc:id:sgln:0614141.00002.0\"},{\"type\":\"possessing_party\","
	"\"destination\":\"urn:epc:id:pgln:0614141.00003\"}]}]}}";

static void map_all(const ot_epcis_doc *doc, const ot_epcis_profile *p)
{
	for (size_t i = 0; i < ot_epcis_doc_count(doc); i++) {
		ot_epcis_mapping a, b;
		memset(&a, 0, sizeof a);
		memset(&b, 0, sizeof b);
		ot_status ra = ot_epcis_map_event_with(doc, i, p, &a);
		ot_status rb = ot_epcis_map_event_with(doc, i, p, &b);
		if (ra != rb || !json_equal(a.events, b.events))
			__builtin_trap();
		size_t j;
		json_t *ev;
		json_array_foreach(a.events, j, ev)
		{
			ot_error err;
			if (ra == OT_OK && otx_event_check(ev, "event", &err) != OT_OK)
				__builtin_trap();
		}
		ot_epcis_mapping_clear(&a);
		ot_epcis_mapping_clear(&b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ot_epcis_profile *p = NULL, *q = NULL;
	ot_error e1, e2;
	memset(&e1, 0, sizeof e1);
	memset(&e2, 0, sizeof e2);
	ot_status r1 = ot_epcis_profile_parse(data, size, &p, &e1);
	ot_status r2 = ot_epcis_profile_parse(data, size, &q, &e2);
	if (r1 != r2 || strcmp(e1.code, e2.code) != 0)
		__builtin_trap();
	if (r1 != OT_OK && (p || (r1 != OT_ERR_NOMEM && !e1.code[0])))
		__builtin_trap();
	ot_epcis_profile_free(q);
	if (r1 == OT_OK) {
		ot_epcis_doc *doc = NULL;
		ot_error err;
		if (ot_epcis_doc_parse((const uint8_t *)DOC, sizeof DOC - 1, &doc, &err) != OT_OK)
			__builtin_trap();
		map_all(doc, p);
		ot_epcis_doc_free(doc);
	}
	ot_epcis_profile_free(p);
	return 0;
}
