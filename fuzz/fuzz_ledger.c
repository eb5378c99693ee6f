/*
 * fuzz_ledger.c: the ledger's rules and provenance under hostile events.
 *
 * Each input is lines of "<signer digit><event JSON>": the digit picks who
 * signs (0 the authority gov, 1 fwo, 2 lab, 3 ussm), the JSON is an unsigned
 * event ("id" and "time" are added when missing). A fixed prelude registers
 * the actors and a few sites so that inputs reach the deep rules (custody,
 * mass and element balance, consignments, contracts). Every event is signed
 * and submitted to a fresh in-memory ledger; whatever the rules decide, the
 * oracle is the audit: a full replay of the log must agree with the state
 * the ledger kept at append time, byte for byte. A disagreement traps.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/envelope.h"
#include "oretrail/ledger.h"

#define N_KEYS 4
static const char *const NAMES[N_KEYS] = {"gov", "fwo", "lab", "ussm"};
static ot_signer *keys[N_KEYS];

static const char *const PRELUDE[] = {
	"0{\"type\":\"actor\",\"actor\":\"fwo\",\"name\":\"F\",\"country\":\"PK\","
	"\"roles\":[\"miner\",\"processor\",\"exporter\"],\"key\":\"@1\"}",
	"0{\"type\":\"actor\",\"actor\":\"lab\",\"name\":\"L\",\"country\":\"PK\",\"roles\":["
	"\"lab\"],"
	"\"key\":\"@2\"}",
	"0{\"type\":\"actor\",\"actor\":\"ussm\",\"name\":\"U\",\"country\":\"US\","
	"\"roles\":[\"importer\",\"processor\"],\"key\":\"@3\"}",
	"0{\"type\":\"site\",\"site\":\"m1\",\"kind\":\"mine\",\"holder\":\"fwo\",\"country\":"
	"\"PK\","
	"\"minerals\":[\"Nd\",\"Pr\"],\"valid_from\":\"2025-01-01T00:00:00Z\","
	"\"valid_until\":\"2035-01-01T00:00:00Z\"}",
	"0{\"type\":\"site\",\"site\":\"m2\",\"kind\":\"mine\",\"holder\":\"fwo\",\"country\":"
	"\"CN\","
	"\"minerals\":[\"Nd\",\"Pr\"],\"valid_from\":\"2025-01-01T00:00:00Z\","
	"\"valid_until\":\"2035-01-01T00:00:00Z\"}",
	"0{\"type\":\"site\",\"site\":\"p1\",\"kind\":\"plant\",\"holder\":\"fwo\",\"country\":"
	"\"PK\","
	"\"valid_from\":\"2025-01-01T00:00:00Z\",\"valid_until\":\"2035-01-01T00:00:00Z\"}",
	"0{\"type\":\"site\",\"site\":\"u1\",\"kind\":\"plant\",\"holder\":\"ussm\",\"country\":"
	"\"US\"}",
	"0{\"type\":\"site\",\"site\":\"lab1\",\"kind\":\"lab\",\"holder\":\"lab\",\"country\":"
	"\"PK\"}",
};

static unsigned next_id;

/* Signs and submits one line; rejections are fine, crashes are not. */
static void submit_line(ot_ledger *l, const char *line, size_t len)
{
	if (len < 2 || line[0] < '0' || line[0] > '3')
		return;
	int who = line[0] - '0';
	json_error_t jerr;
	json_t *ev = json_loadb(line + 1, len - 1, JSON_REJECT_DUPLICATES, &jerr);
	if (!ev || !json_is_object(ev)) {
		json_decref(ev);
		return;
	}
	/* "@N" as a key field stands for key N's verifier key. */
	json_t *k = json_object_get(ev, "key");
	if (json_is_string(k) && json_string_value(k)[0] == '@') {
		int n = json_string_value(k)[1] - '0';
		char vkey[OT_VKEY_MAX];
		if (n >= 0 && n < N_KEYS && ot_signer_vkey(keys[n], vkey, sizeof vkey) == OT_OK)
			json_object_set_new(ev, "key", json_string(vkey));
	}
	char id[32];
	if (!json_object_get(ev, "id")) {
		snprintf(id, sizeof id, "f%u", next_id++);
		json_object_set_new(ev, "id", json_string(id));
	}
	if (!json_object_get(ev, "time"))
		json_object_set_new(ev, "time", json_string("2025-09-10T00:00:00Z"));
	ot_buf entry;
	ot_buf_init(&entry, 0);
	if (otx_envelope_sign(ev, NAMES[who], keys[who], &entry, NULL) == OT_OK) {
		const uint8_t *e = entry.data;
		size_t n = entry.len;
		(void)ot_ledger_submit(l, &e, &n, 1, 0, NULL, NULL, NULL);
	}
	ot_buf_free(&entry);
	json_decref(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!keys[0])
		for (int i = 0; i < N_KEYS; i++)
			if (ot_signer_generate(NAMES[i], &keys[i], NULL) != OT_OK)
				__builtin_trap();
	if (size > 16384)
		return 0;
	ot_ledger *l = NULL;
	if (ot_ledger_create(":memory:", "fuzz.example/ledger", keys[0], &l, NULL) != OT_OK)
		__builtin_trap();
	next_id = 0;
	for (size_t i = 0; i < sizeof PRELUDE / sizeof PRELUDE[0]; i++)
		submit_line(l, PRELUDE[i], strlen(PRELUDE[i]));

	const char *p = (const char *)data, *end = p + size;
	int lines = 0;
	while (p < end && lines < 64) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		submit_line(l, p, len);
		lines++;
		p += len + 1;
	}

	ot_audit_options opts;
	memset(&opts, 0, sizeof opts);
	opts.now = 1767225600; /* 2026-01-01: time-based findings are stable */
	char *json = NULL;
	ot_error err;
	if (ot_ledger_audit(l, &opts, 0, &json, &err) != OT_OK) {
		fprintf(stderr, "audit disagrees with the ledger: %s\n%s\n", err.message,
		        json ? json : "");
		__builtin_trap();
	}
	free(json);
	ot_ledger_close(l);
	return 0;
}
