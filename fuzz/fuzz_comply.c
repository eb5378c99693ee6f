/*
 * fuzz_comply.c: the compliance profile parser and the determination
 * (ot_ledger_comply) under hostile profile files.
 *
 * Each input is a profile document, judged against one lot of a fixed
 * in-memory ledger (a lot mined in PK and separated in CN). Whatever the
 * profile says, the call either fails with an error that has a code and a
 * message, or returns a determination of pass, fail or undetermined with
 * JSON that parses. Anything else traps.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/buf.h"
#include "oretrail/event.h"
#include "oretrail/ledger.h"

static ot_ledger *ledger;
static ot_signer *gov;

static const char *const EVENTS[] = {
	"{\"type\":\"actor\",\"id\":\"a1\",\"time\":\"2025-01-02T00:00:00Z\",\"actor\":\"gov\","
	"\"name\":\"G\",\"country\":\"PK\",\"roles\":[\"authority\",\"miner\",\"processor\"],"
	"\"key\":\"@\"}",
	"{\"type\":\"site\",\"id\":\"a2\",\"time\":\"2025-01-02T00:00:00Z\",\"site\":\"m1\","
	"\"kind\":\"mine\",\"holder\":\"gov\",\"country\":\"PK\"}",
	"{\"type\":\"site\",\"id\":\"a3\",\"time\":\"2025-01-02T00:00:00Z\",\"site\":\"p1\","
	"\"kind\":\"plant\",\"holder\":\"gov\",\"country\":\"CN\",\"facility_ids\":{\"rmi\":"
	"\"CID1\"}}",
	"{\"type\":\"extract\",\"id\":\"a4\",\"time\":\"2025-01-03T00:00:00Z\",\"site\":\"m1\","
	"\"lot\":\"o\",\"material\":\"ore\",\"mass_g\":1000,\"assay\":{\"Nd\":5000}}",
	"{\"type\":\"transform\",\"id\":\"a5\",\"time\":\"2025-01-04T00:00:00Z\",\"site\":\"m1\","
	"\"process\":\"blending\",\"inputs\":[{\"lot\":\"o\",\"mass_g\":1000}],\"outputs\":[{"
	"\"lot\":\"k\",\"material\":\"ore\",\"mass_g\":1000,\"assay\":{\"Nd\":5000}}]}",
};

static void setup(void)
{
	if (ot_signer_generate("gov", &gov, NULL) != OT_OK ||
	    ot_ledger_create(":memory:", "fuzz.example/comply", gov, &ledger, NULL) != OT_OK)
		abort();
	char vkey[OT_VKEY_MAX];
	if (ot_signer_vkey(gov, vkey, sizeof vkey) != OT_OK)
		abort();
	for (size_t i = 0; i < sizeof EVENTS / sizeof EVENTS[0]; i++) {
		json_t *ev = json_loads(EVENTS[i], 0, NULL);
		if (!ev)
			abort();
		if (json_object_get(ev, "key"))
			json_object_set_new(ev, "key", json_string(vkey));
		ot_buf entry;
		ot_buf_init(&entry, 0);
		size_t appended = 0;
		if (ot_event_sign(ev, "gov", gov, &entry, NULL) != OT_OK)
			abort();
		const uint8_t *entries[1] = {entry.data};
		size_t lens[1] = {entry.len};
		if (ot_ledger_submit(ledger, entries, lens, 1, 0, NULL, &appended, NULL) != OT_OK ||
		    appended != 1)
			abort();
		ot_buf_free(&entry);
		json_decref(ev);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ledger)
		setup();
	char *json = NULL;
	int det = -1;
	ot_error err;
	ot_error_clear(&err);
	ot_status rc = ot_ledger_comply(ledger, (const char *)data, size, "k", "2027-06-01", 0,
	                                &json, &det, &err);
	if (rc) {
		if (!err.code[0] || !err.message[0] || json)
			__builtin_trap();
		return 0;
	}
	json_t *doc = json ? json_loads(json, 0, NULL) : NULL;
	if (!doc ||
	    (det != OT_COMPLY_PASS && det != OT_COMPLY_FAIL && det != OT_COMPLY_UNDETERMINED))
		__builtin_trap();
	json_decref(doc);
	free(json);
	return 0;
}
