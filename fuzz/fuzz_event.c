/*
 * fuzz_event.c: libFuzzer target for the event envelope parser and the
 * canonical JSON writer (src/ledger/envelope.c, src/ledger/jcs.c).
 *
 * Besides "no crash, no sanitizer report", it checks the property the log
 * relies on: canonical form is a fixed point. Whatever input parses, its
 * canonical bytes parse again to exactly the same canonical bytes (and, for
 * envelopes, the same signed message); a difference traps. Seeds are in
 * fuzz/corpus/event/.
 */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "ledger/envelope.h"
#include "ledger/jcs.h"
#include "oretrail/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const ot_buf *a, const ot_buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* Any JSON value: parse -> JCS -> parse -> JCS must be stable and lossless. */
static void check_json(const uint8_t *data, size_t size)
{
	json_t *v = NULL, *back = NULL;
	ot_buf c1, c2;
	ot_error err;

	ot_buf_init(&c1, 0);
	ot_buf_init(&c2, 0);
	if (otx_json_parse(data, size, OTX_ENVELOPE_INPUT_MAX, &v, &err) != OT_OK)
		goto out;
	/* Everything the parser accepts must canonicalise ... */
	if (otx_jcs_write(&c1, v, NULL, &err) != OT_OK)
		__builtin_trap();
	/* ... and the canonical bytes must parse back to an equal value with
	 * the same canonical bytes. */
	if (otx_json_parse(c1.data, c1.len, c1.len, &back, &err) != OT_OK)
		__builtin_trap();
	if (!json_equal(v, back))
		__builtin_trap();
	if (otx_jcs_write(&c2, back, NULL, &err) != OT_OK || !same(&c1, &c2))
		__builtin_trap();
out:
	json_decref(v);
	json_decref(back);
	ot_buf_free(&c1);
	ot_buf_free(&c2);
}

/* Envelopes: the stored entry parses to itself, with the same message. */
static void check_envelope(const uint8_t *data, size_t size)
{
	otx_envelope env, again;
	ot_buf msg;
	ot_error err;

	otx_envelope_init(&env);
	otx_envelope_init(&again);
	ot_buf_init(&msg, 0);
	if (otx_envelope_parse(data, size, &env, &err) != OT_OK)
		goto out;
	if (env.entry.len == 0 || env.entry.len > 65535)
		__builtin_trap();
	if (otx_envelope_parse(env.entry.data, env.entry.len, &again, &err) != OT_OK)
		__builtin_trap();
	if (!same(&env.entry, &again.entry) || !same(&env.message, &again.message) ||
	    strcmp(env.signer, again.signer) != 0 || memcmp(env.sig, again.sig, sizeof env.sig) ||
	    env.time_unix != again.time_unix)
		__builtin_trap();
	/* The message is the domain then JCS(event). */
	if (ot_buf_adds(&msg, OTX_EVENT_DOMAIN) != OT_OK ||
	    otx_jcs_write(&msg, env.event, "event", &err) != OT_OK || !same(&msg, &env.message))
		__builtin_trap();
	/* The all-zero key is of small order, which libsodium always refuses:
	 * this only exercises the call. */
	{
		static const uint8_t zero[32];
		if (otx_envelope_verify(&env, zero) == OT_OK)
			__builtin_trap();
	}
out:
	otx_envelope_clear(&env);
	otx_envelope_clear(&again);
	ot_buf_free(&msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_envelope(data, size);
	check_json(data, size);
	return 0;
}
