/*
 * public_event.c: the public faces (event.h, json.h, commit.h) of the
 * ledger's envelope, strict-JSON and commitment modules, for the layers
 * above (the CLI, format adapters). Each is the module's own function
 * (ot_event_open: the envelope parser, handing out only the event and its
 * signer); the limits are the modules' and are checked equal here.
 */
#include <string.h>

#include "ledger/commit.h"
#include "ledger/envelope.h"
#include "ledger/jcs.h"
#include "oretrail/commit.h"
#include "oretrail/event.h"
#include "oretrail/json.h"

_Static_assert(OT_JSON_INT_MAX == OTX_JSON_INT_MAX, "integer range");
_Static_assert(OT_ACTOR_MAX == OTX_SIGNER_MAX, "actor id limit");
_Static_assert(OT_EVENT_ID_MAX == OTX_EVENT_ID_MAX, "event id limit");
_Static_assert(OT_TIME_LEN == OTX_TIME_LEN, "time length");
_Static_assert(OT_COMMIT_SALT_SIZE == OTX_COMMIT_SALT_SIZE, "salt size");
_Static_assert(OT_COMMIT_STR_LEN == OTX_COMMIT_STR_LEN, "commitment length");
_Static_assert(OT_COMMIT_SALT_B64_LEN == OTX_COMMIT_SALT_B64_LEN, "salt base64 length");

ot_status ot_json_parse(const uint8_t *data, size_t len, size_t max_len, json_t **out,
                        ot_error *err)
{
	return otx_json_parse(data, len, max_len, out, err);
}

ot_status ot_json_check(json_t *value, const char *path, ot_error *err)
{
	return otx_json_check(value, path, err);
}

ot_status ot_json_canonical(ot_buf *out, json_t *value, const char *path, ot_error *err)
{
	return otx_jcs_write(out, value, path, err);
}

int ot_utf8_valid(const uint8_t *s, size_t len)
{
	return otx_utf8_valid(s, len);
}

ot_status ot_event_sign(json_t *event, const char *actor, const ot_signer *key, ot_buf *entry,
                        ot_error *err)
{
	return otx_envelope_sign(event, actor, key, entry, err);
}

int ot_actor_id_valid(const char *s)
{
	return s && otx_actor_id_valid(s, strlen(s));
}

ot_status ot_event_entry(const uint8_t *data, size_t len, ot_buf *entry, ot_error *err)
{
	otx_envelope env;
	otx_envelope_init(&env);
	ot_status rc = otx_envelope_parse(data, len, &env, err);
	if (!rc) {
		ot_buf_free(entry);
		*entry = env.entry;
		ot_buf_init(&env.entry, 0);
	}
	otx_envelope_clear(&env);
	return rc;
}

ot_status ot_event_check(json_t *event, const char *path, ot_error *err)
{
	return otx_event_check(event, path, err);
}

ot_status ot_event_open(const uint8_t *entry, size_t len, json_t **event, char *signer,
                        size_t signer_size, ot_error *err)
{
	*event = NULL;
	if (signer && signer_size < OTX_SIGNER_MAX + 1)
		return ot_error_set(err, OT_ERR_ARG, "signer buffer too small");
	otx_envelope env;
	otx_envelope_init(&env);
	ot_status rc = otx_envelope_parse(entry, len, &env, err);
	if (rc == OT_OK) {
		*event = json_incref(env.event);
		if (signer)
			memcpy(signer, env.signer, sizeof env.signer);
	}
	otx_envelope_clear(&env);
	return rc;
}

int ot_event_is_signed(const json_t *v)
{
	return otx_envelope_is_signed(v);
}

ot_status ot_time_parse(const char *s, int64_t *unix_seconds)
{
	return otx_parse_time(s, unix_seconds);
}

ot_status ot_time_format(int64_t unix_seconds, char out[OT_TIME_LEN + 1])
{
	return otx_format_time(unix_seconds, out);
}

ot_status ot_commit_make(json_t *value, const uint8_t *salt, uint8_t salt_out[OT_COMMIT_SALT_SIZE],
                         json_t **out, ot_error *err)
{
	return otx_commit_make(value, salt, salt_out, out, err);
}

int ot_commit_is(const json_t *v)
{
	return otx_commit_is(v);
}

ot_status ot_commit_check(const json_t *commitment, const char *salt_b64, json_t *value,
                          ot_error *err)
{
	return otx_commit_check(commitment, salt_b64, value, err);
}
