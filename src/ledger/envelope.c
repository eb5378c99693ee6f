/*
 * envelope.c: parsing, checking, signing and verifying the signed event
 * envelope (docs/events.md, "Envelope"), and the RFC 3339 times events carry.
 *
 * The idea: whatever layout the submitter used, the envelope is reduced to
 * its canonical bytes (RFC 8785) once, here, and from then on only those
 * bytes exist: the signature covers "oretrail/event/v1\n" || JCS(event), and
 * the log stores JCS(envelope). Because the signer id and the base64
 * signature contain nothing JSON escapes, and "event" < "sig" < "signer" in
 * JCS order, JCS(envelope) is JCS(event) framed by constant text; building it
 * that way saves canonicalising the event twice (tests check it against the
 * general JCS writer).
 */
#include "ledger/envelope.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "ledger/jcs.h"
#include "oretrail/encoding.h"
#include "oretrail/log.h"
#include "oretrail/status.h"

#define SIG_B64_LEN 88 /* ot_b64_len(64) */

/* ---- times ------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil; exact for all years, no tables). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse: the date of day z since 1970-01-01. */
static void civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
	int64_t era, doe, yoe, doy, mp;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Reads n decimal digits at s; -1 when any is not a digit. */
static int64_t digits(const char *s, int n)
{
	int64_t v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Writes v (0 <= v < 10^n) as exactly n decimal digits. */
static void put_digits(char *p, int64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

ot_status otx_parse_time(const char *s, int64_t *unix_seconds)
{
	static const int64_t mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t y, mo, d, h, mi, sec, dim;

	if (!s || !unix_seconds || strlen(s) != OTX_TIME_LEN)
		return OT_ERR_PARSE;
	if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[19] != 'Z')
		return OT_ERR_PARSE;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    sec < 0 || sec > 59) /* no leap seconds: Unix time cannot say them */
		return OT_ERR_PARSE;
	dim = mdays[mo - 1] + (mo == 2 && is_leap(y));
	if (d > dim)
		return OT_ERR_PARSE;
	*unix_seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return OT_OK;
}

ot_status otx_format_time(int64_t t, char out[OTX_TIME_LEN + 1])
{
	/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z */
	static const int64_t min = INT64_C(-62167219200), max = INT64_C(253402300799);
	int64_t days, rem, y, m, d;

	if (t < min || t > max)
		return OT_ERR_RANGE;
	/* Floor division, so that times before 1970 land on the right day. */
	days = t / 86400;
	rem = t % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	memcpy(out, "0000-00-00T00:00:00Z", OTX_TIME_LEN + 1);
	put_digits(out, y, 4);
	put_digits(out + 5, m, 2);
	put_digits(out + 8, d, 2);
	put_digits(out + 11, rem / 3600, 2);
	put_digits(out + 14, rem / 60 % 60, 2);
	put_digits(out + 17, rem % 60, 2);
	return OT_OK;
}

/* ---- checks ----------------------------------------------------------------- */

/* Quotes untrusted text for a message: printable ASCII as is, other bytes as
 * \xNN, at most about 48 characters. */
static const char *quote(const char *s, size_t len, char *buf, size_t size)
{
	size_t n = 0;
	buf[n++] = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		/* Room for this byte (up to 4), "...", the quote and the NUL. */
		if (n + 9 > size || i >= 48) {
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			buf[n++] = (char)c;
		else
			n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
	}
	buf[n++] = '"';
	buf[n] = 0;
	return buf;
}

/* "event.id" from "event" and "id"; just "id" at the top level. */
static const char *member_path(const char *path, const char *name, char *buf, size_t size)
{
	if (path && *path)
		snprintf(buf, size, "%s.%s", path, name);
	else
		snprintf(buf, size, "%s", name);
	return buf;
}

int otx_actor_id_valid(const char *s, size_t len)
{
	if (len == 0 || len > OTX_SIGNER_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == ':' || c == '-'))
			return 0;
	}
	return 1;
}

/* Finds event.<name> and checks that it is a string; *s, *len on success. */
static ot_status get_string(json_t *event, const char *path, const char *name, const char *code,
                            const char **s, size_t *len, ot_error *err)
{
	char where[160];
	json_t *v = json_object_get(event, name);

	member_path(path, name, where, sizeof where);
	if (!v)
		return ot_error_at(err, OT_ERR_PARSE, code, -1, "%s is missing: every event has %s",
		                   where, "\"type\", \"id\" and \"time\"");
	if (!json_is_string(v))
		return ot_error_at(err, OT_ERR_PARSE, code, -1, "%s must be a string", where);
	*s = json_string_value(v);
	*len = json_string_length(v);
	return OT_OK;
}

/* The members every event has; the event has passed otx_json_check. */
static ot_status check_event_fields(json_t *event, const char *path, ot_error *err)
{
	const char *s;
	size_t len;
	int64_t t;
	char where[160], q[160];
	ot_status rc;

	if ((rc = get_string(event, path, "type", "bad_event_type", &s, &len, err)))
		return rc;
	int ok = len > 0 && len <= OTX_EVENT_TYPE_MAX && s[0] >= 'a' && s[0] <= 'z';
	for (size_t i = 1; ok && i < len; i++)
		ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_';
	if (!ok)
		return ot_error_at(err, OT_ERR_PARSE, "bad_event_type", -1,
		                   "%s %s is not an event type: lowercase letters, digits and '_', "
		                   "starting with a letter, at most %d bytes",
		                   member_path(path, "type", where, sizeof where),
		                   quote(s, len, q, sizeof q), OTX_EVENT_TYPE_MAX);

	if ((rc = get_string(event, path, "id", "bad_event_id", &s, &len, err)))
		return rc;
	ok = len > 0 && len <= OTX_EVENT_ID_MAX;
	for (size_t i = 0; ok && i < len; i++)
		ok = s[i] > 0x20 && s[i] < 0x7f;
	if (!ok)
		return ot_error_at(err, OT_ERR_PARSE, "bad_event_id", -1,
		                   "%s %s is not an event id: 1 to %d bytes of printable ASCII "
		                   "without spaces",
		                   member_path(path, "id", where, sizeof where),
		                   quote(s, len, q, sizeof q), OTX_EVENT_ID_MAX);

	if ((rc = get_string(event, path, "time", "bad_event_time", &s, &len, err)))
		return rc;
	if (strlen(s) != len || otx_parse_time(s, &t) != OT_OK)
		return ot_error_at(err, OT_ERR_PARSE, "bad_event_time", -1,
		                   "%s %s is not an RFC 3339 UTC time with whole seconds "
		                   "(YYYY-MM-DDTHH:MM:SSZ, a real date)",
		                   member_path(path, "time", where, sizeof where),
		                   quote(s, len, q, sizeof q));
	return OT_OK;
}

ot_status otx_event_check(json_t *event, const char *path, ot_error *err)
{
	ot_status rc;
	if (!json_is_object(event))
		return ot_error_at(err, OT_ERR_PARSE, "bad_event", -1, "%s is not a JSON object",
		                   path && *path ? path : "the event");
	/* The data model first: it also guarantees valid UTF-8 below. */
	if ((rc = otx_json_check(event, path, err)))
		return rc;
	return check_event_fields(event, path, err);
}

int otx_envelope_is_signed(const json_t *v)
{
	return json_is_object(v) && json_object_get(v, "event") != NULL;
}

/* ---- canonical bytes ---------------------------------------------------------- */

static ot_status too_big(ot_error *err)
{
	return ot_error_at(err, OT_ERR_TOOBIG, "entry_too_big", -1,
	                   "the canonical entry would exceed %d bytes, the largest log entry",
	                   OT_ENTRY_MAX);
}

/* message = OTX_EVENT_DOMAIN || JCS(event), into a fresh buffer. */
static ot_status build_message(json_t *event, ot_buf *message, ot_error *err)
{
	ot_status rc;
	ot_buf_init(message, OT_ENTRY_MAX);
	if ((rc = ot_buf_adds(message, OTX_EVENT_DOMAIN)))
		return rc == OT_ERR_TOOBIG ? too_big(err) : ot_error_set(err, rc, "out of memory");
	rc = otx_jcs_write(message, event, "event", err);
	if (rc == OT_ERR_TOOBIG)
		return too_big(err);
	return rc;
}

/* entry = JCS({"event":event,"sig":sig,"signer":signer}) from the message
 * (see the file comment for why simple framing is canonical here). */
static ot_status build_entry(const ot_buf *message, const char *signer,
                             const uint8_t sig[OTX_SIG_SIZE], ot_buf *entry, ot_error *err)
{
	const size_t domain_len = sizeof OTX_EVENT_DOMAIN - 1;
	char sig_b64[SIG_B64_LEN + 1];
	ot_status rc;

	ot_b64_encode(sig, OTX_SIG_SIZE, sig_b64);
	ot_buf_init(entry, OT_ENTRY_MAX);
	if ((rc = ot_buf_adds(entry, "{\"event\":")) ||
	    (rc = ot_buf_add(entry, message->data + domain_len, message->len - domain_len)) ||
	    (rc = ot_buf_adds(entry, ",\"sig\":\"")) || (rc = ot_buf_adds(entry, sig_b64)) ||
	    (rc = ot_buf_adds(entry, "\",\"signer\":\"")) || (rc = ot_buf_adds(entry, signer)) ||
	    (rc = ot_buf_adds(entry, "\"}"))) {
		ot_buf_free(entry);
		return rc == OT_ERR_TOOBIG ? too_big(err) : ot_error_set(err, rc, "out of memory");
	}
	return OT_OK;
}

/* ---- the envelope --------------------------------------------------------------- */

void otx_envelope_init(otx_envelope *env)
{
	memset(env, 0, sizeof *env);
	ot_buf_init(&env->entry, OT_ENTRY_MAX);
	ot_buf_init(&env->message, OT_ENTRY_MAX);
}

void otx_envelope_clear(otx_envelope *env)
{
	if (!env)
		return;
	json_decref(env->event);
	ot_buf_free(&env->entry);
	ot_buf_free(&env->message);
	otx_envelope_init(env);
}

/* The envelope's members: an object with exactly "event", "signer" and
 * "sig" (borrowed from root into *event, *signer, *sig). */
static ot_status envelope_members(json_t *root, json_t **event, json_t **signer, json_t **sig,
                                  ot_error *err)
{
	const char *key;
	json_t *value;
	size_t n;
	char q[160];

	if (!json_is_object(root))
		return ot_error_at(
			err, OT_ERR_PARSE, "envelope_not_object", -1,
			"an entry is a JSON object {\"event\":...,\"signer\":...,\"sig\":...}");
	*event = json_object_get(root, "event");
	if (!*event && json_object_get(root, "type"))
		return ot_error_at(
			err, OT_ERR_PARSE, "envelope_unsigned", -1,
			"this is a bare event (it has \"type\" at the top level), not a "
			"signed envelope {\"event\":...,\"signer\":...,\"sig\":...}: sign it "
			"first");
	json_object_keylen_foreach(root, key, n, value)
	{
		(void)value;
		if (strcmp(key, "event") && strcmp(key, "signer") && strcmp(key, "sig"))
			return ot_error_at(
				err, OT_ERR_PARSE, "envelope_unknown_member", -1,
				"unknown member %s in the envelope: it has exactly \"event\", "
				"\"signer\" and \"sig\"",
				quote(key, n, q, sizeof q));
	}
	*signer = json_object_get(root, "signer");
	*sig = json_object_get(root, "sig");
	if (!*event || !*signer || !*sig)
		return ot_error_at(err, OT_ERR_PARSE, "envelope_missing_member", -1,
		                   "the envelope has no \"%s\" member",
		                   !*event    ? "event"
		                   : !*signer ? "signer"
		                              : "sig");
	return OT_OK;
}

/* The error for a signer that is not an actor id (s NULL: not a string). */
static ot_status bad_signer(const char *s, size_t len, ot_error *err)
{
	char q[160];
	return ot_error_at(err, OT_ERR_PARSE, "bad_signer", -1,
	                   "signer %s is not an actor id: 1 to %d bytes of letters, digits, "
	                   "'.', '_', ':' and '-'",
	                   s ? quote(s, len, q, sizeof q) : "(not a string)", OTX_SIGNER_MAX);
}

/* The signer is an actor id; sig decodes into sig_out. */
static ot_status envelope_signature(json_t *signer, json_t *sig, uint8_t sig_out[OTX_SIG_SIZE],
                                    ot_error *err)
{
	size_t n;
	if (!json_is_string(signer))
		return bad_signer(NULL, 0, err);
	if (!otx_actor_id_valid(json_string_value(signer), json_string_length(signer)))
		return bad_signer(json_string_value(signer), json_string_length(signer), err);
	if (!json_is_string(sig) || json_string_length(sig) != SIG_B64_LEN ||
	    ot_b64_decode(json_string_value(sig), SIG_B64_LEN, sig_out, OTX_SIG_SIZE, &n) ||
	    n != OTX_SIG_SIZE)
		return ot_error_at(err, OT_ERR_PARSE, "bad_sig", -1,
		                   "sig is not a 64-byte Ed25519 signature in canonical padded "
		                   "base64 (%d characters)",
		                   SIG_B64_LEN);
	return OT_OK;
}

ot_status otx_envelope_parse(const uint8_t *data, size_t len, otx_envelope *out, ot_error *err)
{
	json_t *root = NULL, *event = NULL, *signer = NULL, *sig = NULL;
	ot_status rc;

	if (!out)
		return ot_error_set(err, OT_ERR_ARG, "otx_envelope_parse: no output");
	otx_envelope_clear(out);
	if ((rc = otx_json_parse(data, len, OTX_ENVELOPE_INPUT_MAX, &root, err)))
		return rc;
	if ((rc = envelope_members(root, &event, &signer, &sig, err)) ||
	    (rc = envelope_signature(signer, sig, out->sig, err)))
		goto out;
	if (!json_is_object(event)) {
		rc = ot_error_at(err, OT_ERR_PARSE, "bad_event", -1, "event is not a JSON object");
		goto out;
	}
	/* otx_json_parse has checked the data model of the whole envelope. */
	if ((rc = check_event_fields(event, "event", err)))
		goto out;

	if ((rc = build_message(event, &out->message, err)) ||
	    (rc = build_entry(&out->message, json_string_value(signer), out->sig, &out->entry,
	                      err)))
		goto out;

	memcpy(out->signer, json_string_value(signer), json_string_length(signer) + 1);
	out->event = json_incref(event);
	out->type = json_string_value(json_object_get(event, "type"));
	out->id = json_string_value(json_object_get(event, "id"));
	out->time = json_string_value(json_object_get(event, "time"));
	rc = otx_parse_time(out->time, &out->time_unix); /* checked above: cannot fail */
out:
	json_decref(root);
	if (rc)
		otx_envelope_clear(out);
	return rc;
}

ot_status otx_envelope_verify(const otx_envelope *env, const uint8_t pubkey[32])
{
	if (!env || !pubkey || !env->message.data)
		return OT_ERR_ARG;
	/* Idempotent and thread-safe; picks the fastest implementations. */
	if (sodium_init() < 0)
		return OT_ERR_VERIFY;
	if (crypto_sign_verify_detached(env->sig, env->message.data, env->message.len, pubkey) != 0)
		return OT_ERR_VERIFY;
	return OT_OK;
}

ot_status otx_envelope_sign(json_t *event, const char *signer_actor, const ot_signer *key,
                            ot_buf *entry_out, ot_error *err)
{
	ot_buf message, entry;
	uint8_t sig[OTX_SIG_SIZE];
	ot_status rc;

	if (!event || !signer_actor || !key || !entry_out)
		return ot_error_set(err, OT_ERR_ARG, "otx_envelope_sign: missing argument");
	if (!otx_actor_id_valid(signer_actor, strlen(signer_actor)))
		return bad_signer(signer_actor, strlen(signer_actor), err);
	if ((rc = otx_event_check(event, "event", err)))
		return rc;
	if ((rc = build_message(event, &message, err)))
		goto out;
	if ((rc = ot_signer_sign_raw(key, message.data, message.len, sig))) {
		ot_error_set(err, rc, "signing the event failed: %s", ot_status_str(rc));
		goto out;
	}
	if ((rc = build_entry(&message, signer_actor, sig, &entry, err)))
		goto out;
	ot_buf_free(entry_out);
	*entry_out = entry;
out:
	ot_buf_free(&message);
	return rc;
}
