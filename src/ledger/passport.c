/*
 * passport.c: a lot's Digital Product Passport (UNTP DPP 0.5.0) made from
 * its provenance certificate's claim, and the checks of one (passport.h,
 * docs/passport.md).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger_int.h"
#include "ledger/state.h"
#include "oretrail/certificate.h"
#include "oretrail/encoding.h"
#include "oretrail/event.h"
#include "oretrail/hash.h"
#include "oretrail/ledger.h"
#include "oretrail/passport.h"

#define DTE_TYPE "https://test.uncefact.org/vocabulary/untp/dte/0/DigitalTraceabilityEvent"
/* The credentialSchema id the DPP 0.5.0 JSON Schema fixes (docs/passport.md). */
#define DPP_SCHEMA_ID \
	"https://uncefact.github.io/spec-untp/docs/specification/DigitalProductPassport"

static ot_status malformed(ot_error *err, const char *code, const char *what)
{
	return ot_error_at(err, OT_ERR_PARSE, code, -1, "%s", what);
}

/* Appends id to the URI out (cap bytes, NUL-terminated, truncating),
 * percent-encoding every byte RFC 3986 does not allow in a path segment
 * (object ids are any printable ASCII: '"', '<', '%', '#', '?' and the like
 * must not end up raw in an `id` the schema types as a URI). */
static void uri_append(char *out, size_t cap, const char *id)
{
	static const char ok[] = "-._~!$&'()*+,;=:@";
	size_t n = strlen(out);
	for (const unsigned char *p = (const unsigned char *)id; *p && n + 4 <= cap; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(ok, *p))
			out[n++] = (char)*p;
		else
			n += (size_t)snprintf(out + n, cap - n, "%%%02X", *p);
	}
	out[n] = 0;
}

/* validFrom: the time of the latest event among the certificate's entries
 * (from then on the passport's figures hold), into out. Event times are all
 * "YYYY-MM-DDTHH:MM:SSZ", so the greatest string is the latest time. */
static void valid_from(const json_t *cert, char out[OT_TIME_LEN + 1])
{
	json_t *entries = json_object_get(cert, "entries");
	out[0] = 0;
	for (size_t i = 0; i < json_array_size(entries); i++) {
		json_t *entry = json_object_get(json_array_get(entries, i), "entry");
		json_t *env = NULL;
		if (json_is_object(entry)) {
			/* version 2: the envelope itself */
			env = json_incref(entry);
		} else if (json_is_string(entry)) {
			/* version 1: its bytes in base64 */
			size_t len = json_string_length(entry), n;
			uint8_t *bytes = malloc(len + 1);
			if (bytes &&
			    !ot_b64_decode(json_string_value(entry), len, bytes, len + 1, &n))
				env = json_loadb((const char *)bytes, n, 0, NULL);
			free(bytes);
		}
		const char *t = otx_jstr(json_object_get(env, "event"), "time");
		if (t && strlen(t) == OT_TIME_LEN && strcmp(t, out) > 0)
			memcpy(out, t, OT_TIME_LEN + 1);
		json_decref(env);
	}
}

/* materialsProvenance: one Material per element and country of the claim. */
static json_t *provenance(const json_t *claim)
{
	json_t *out = json_array(), *countries = json_object_get(claim, "countries");
	for (size_t i = 0; i < json_array_size(countries); i++) {
		json_t *c = json_array_get(countries, i);
		json_int_t ppm = json_integer_value(json_object_get(c, "share_ppm"));
		json_array_append_new(
			out, json_pack("{s:[s],s:s,s:{s:[s],s:s},s:f,s:{s:I,s:s},s:I}", "type",
		                       "Material", "name", otx_jstr(c, "element"), "originCountry",
		                       "type", "Country", "countryCode", otx_jstr(c, "country"),
		                       "massFraction", (double)ppm / 1e6, "massAmount", "value",
		                       json_integer_value(json_object_get(c, "grams")), "unit",
		                       "GRM", "oretrail:share_ppm", ppm));
	}
	return out;
}

/* traceabilityInformation: the lot's ancestry as links to its log entries
 * (UNTP DTE links; the EPCIS form of each is `oretrail epcis export`'s). */
static json_t *traceability(const json_t *claim)
{
	json_t *links = json_array(), *anc = json_object_get(claim, "ancestry");
	for (size_t i = 0; i < json_array_size(anc); i++) {
		json_t *a = json_array_get(anc, i);
		char url[64];
		snprintf(url, sizeof url, "urn:oretrail:entry:%" JSON_INTEGER_FORMAT,
		         json_integer_value(json_object_get(a, "index")));
		json_array_append_new(links, json_pack("{s:[s],s:s,s:s,s:s,s:s}", "type", "Link",
		                                       "linkURL", url, "linkName",
		                                       otx_jstr(a, "id"), "linkType", DTE_TYPE,
		                                       "oretrail:type", otx_jstr(a, "type")));
	}
	return json_pack("[{s:[s],s:s,s:f,s:o}]", "type", "TraceabilityPerformance",
	                 "valueChainProcess", "mining to product", "verifiedRatio", 1.0,
	                 "traceabilityEvent", links);
}

/* conformityClaim: one Claim per determination the certificate carries. */
static json_t *conformity(const json_t *cert)
{
	json_t *out = json_array(), *list = json_object_get(cert, "compliance");
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *d = json_object_get(json_array_get(list, i), "determination");
		const char *det = otx_jstr(d, "determination");
		json_array_append_new(
			out,
			json_pack("{s:[s],s:s,s:{s:[s],s:s},s:b,s:s,s:s}", "type", "Claim",
		                  "conformityTopic", "supply-chain.due-diligence",
		                  "referenceRegulation", "type", "Regulation", "name",
		                  otx_jstr(d, "profile"), "conformance", strcmp(det, "pass") == 0,
		                  "oretrail:determination", det, "oretrail:at", otx_jstr(d, "at")));
	}
	return out;
}

/* The passport of the parsed certificate (text[0..len) its bytes). */
static json_t *make(json_t *cert, const char *text, size_t len, int flags)
{
	json_t *claim = json_object_get(cert, "claim"), *log = json_object_get(cert, "log");
	const char *lot = otx_jstr(cert, "lot");
	char id[1024] = "urn:oretrail:passport:", lot_id[700] = "urn:oretrail:lot:";
	char issuer[700] = "urn:oretrail:log:", from[OT_TIME_LEN + 1];
	uri_append(id, sizeof id, lot);
	uri_append(id, sizeof id, ":");
	uri_append(id, sizeof id, otx_jstr(log, "root"));
	uri_append(lot_id, sizeof lot_id, lot);
	uri_append(issuer, sizeof issuer, otx_jstr(log, "origin"));
	valid_from(cert, from);
	json_t *subject = json_pack(
		"{s:[s],s:s,s:{s:[s],s:s,s:s,s:s},s:o,s:o,s:o,s:{s:I,s:I,s:s,s:s,s:s}}", "type",
		"UNTPDigitalProductPassport", "id", id, "product", "type", "Product", "id", lot_id,
		"name", otx_jstr(claim, "material"), "batchNumber", lot, "materialsProvenance",
		provenance(claim), "traceabilityInformation", traceability(claim),
		"conformityClaim", conformity(cert), "oretrail:lot", "mass_g",
		json_integer_value(json_object_get(claim, "mass_g")), "initial_g",
		json_integer_value(json_object_get(claim, "initial_g")), "status",
		otx_jstr(claim, "status"), "holder", otx_jstr(claim, "holder"), "site",
		otx_jstr(claim, "site"));
	json_t *doc = json_pack(
		"{s:[s,s],s:[s,s],s:s,s:{s:s,s:s},s:s,s:s,s:{s:[s],s:s,s:s},s:o}", "@context",
		"https://www.w3.org/ns/credentials/v2", OT_PASSPORT_CONTEXT, "type",
		"VerifiableCredential", "UNTPDigitalProductPassportCredential", "id", id,
		"credentialSchema", "id", DPP_SCHEMA_ID, "type", "JsonSchema", "validFrom", from,
		"oretrail:untp_version", OT_PASSPORT_UNTP_VERSION, "issuer", "type", "Organization",
		"id", issuer, "name", otx_jstr(log, "origin"), "credentialSubject", subject);
	if (!doc)
		return NULL;
	if (flags & OT_PASSPORT_EMBED) {
		json_object_set(doc, "oretrail:certificate", cert);
	} else {
		uint8_t h[OT_HASH_SIZE];
		char hex[2 * OT_HASH_SIZE + 1];
		ot_sha256(text, len, h);
		ot_hex_encode(h, sizeof h, hex);
		json_object_set_new(doc, "oretrail:certificate_sha256", json_string(hex));
	}
	return doc;
}

static ot_status load_cert(const char *text, size_t len, json_t **cert, ot_error *err)
{
	*cert = json_loadb(text, len, 0, NULL);
	if (!json_is_object(*cert) || !json_is_object(json_object_get(*cert, "claim")) ||
	    !json_is_object(json_object_get(*cert, "log")) || !otx_jstr(*cert, "lot")[0]) {
		json_decref(*cert);
		*cert = NULL;
		return malformed(err, OT_CERT_MALFORMED, "the certificate is not a certificate");
	}
	return OT_OK;
}

ot_status ot_passport_make(const char *text, size_t len, int flags, char **out, ot_error *err)
{
	json_t *cert;
	ot_status rc = load_cert(text, len, &cert, err);
	if (rc)
		return rc;
	json_t *doc = make(cert, text, len, flags);
	rc = doc ? otx_ledger_emit(doc, flags, out, err)
	         : ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	json_decref(doc);
	json_decref(cert);
	return rc;
}

static ot_status load_passport(const char *text, size_t len, json_t **doc, ot_error *err)
{
	*doc = json_loadb(text, len, 0, NULL);
	json_t *type = json_array_get(json_object_get(*doc, "type"), 1);
	if (!json_is_object(*doc) || !json_is_string(type) ||
	    strcmp(json_string_value(type), "UNTPDigitalProductPassportCredential") != 0) {
		json_decref(*doc);
		*doc = NULL;
		return malformed(
			err, OT_PASSPORT_MALFORMED,
			"not a Digital Product Passport (type is not [\"VerifiableCredential\", "
			"\"UNTPDigitalProductPassportCredential\"])");
	}
	return OT_OK;
}

ot_status ot_passport_certificate(const char *text, size_t len, const char *ref, size_t ref_len,
                                  char **cert, size_t *cert_len, ot_error *err)
{
	json_t *doc;
	ot_status rc = load_passport(text, len, &doc, err);
	if (rc)
		return rc;
	json_t *emb = json_object_get(doc, "oretrail:certificate");
	const char *want = otx_jstr(doc, "oretrail:certificate_sha256");
	if (json_is_object(emb)) {
		*cert = json_dumps(emb, JSON_PRESERVE_ORDER | JSON_COMPACT);
		rc = *cert ? OT_OK : ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	} else if (!want[0]) {
		rc = malformed(err, OT_PASSPORT_MALFORMED,
		               "the passport has neither oretrail:certificate nor "
		               "oretrail:certificate_sha256");
	} else if (!ref) {
		rc = malformed(err, OT_PASSPORT_MALFORMED,
		               "the passport references its certificate by SHA-256: give it "
		               "with --certificate FILE");
	} else {
		uint8_t h[OT_HASH_SIZE];
		char hex[2 * OT_HASH_SIZE + 1];
		ot_sha256(ref, ref_len, h);
		ot_hex_encode(h, sizeof h, hex);
		if (strcmp(hex, want) != 0)
			rc = ot_error_at(err, OT_ERR_VERIFY, OT_PASSPORT_CERT_HASH, -1,
			                 "the certificate's SHA-256 is %s, the passport names %s",
			                 hex, want);
		else if (!(*cert = malloc(ref_len + 1)))
			rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		else {
			memcpy(*cert, ref, ref_len);
			(*cert)[ref_len] = 0;
		}
	}
	if (!rc)
		*cert_len = strlen(*cert);
	json_decref(doc);
	return rc;
}

/* The path of the first member where a and b differ, into path; 1 if any. */
static int differ(json_t *a, json_t *b, char *path, size_t cap)
{
	if (json_equal(a, b))
		return 0;
	size_t n = strlen(path);
	if (json_is_object(a) && json_is_object(b)) {
		const char *k;
		json_t *v;
		json_object_foreach(b, k, v)
		{
			snprintf(path + n, cap - n, ".%s", k);
			if (differ(json_object_get(a, k), v, path, cap))
				return 1;
		}
		json_object_foreach(a, k, v)
		{
			snprintf(path + n, cap - n, ".%s", k);
			if (!json_object_get(b, k))
				return 1;
		}
	} else if (json_is_array(a) && json_is_array(b) &&
	           json_array_size(a) == json_array_size(b)) {
		for (size_t i = 0; i < json_array_size(a); i++) {
			snprintf(path + n, cap - n, "[%zu]", i);
			if (differ(json_array_get(a, i), json_array_get(b, i), path, cap))
				return 1;
		}
	}
	path[n] = 0;
	return 1;
}

ot_status ot_passport_compare(const char *text, size_t len, const char *cert_text, size_t cert_len,
                              ot_error *err)
{
	json_t *doc, *cert;
	ot_status rc = load_passport(text, len, &doc, err);
	if (rc)
		return rc;
	if ((rc = load_cert(cert_text, cert_len, &cert, err))) {
		json_decref(doc);
		return rc;
	}
	int flags = json_object_get(doc, "oretrail:certificate") ? OT_PASSPORT_EMBED : 0;
	json_t *want = make(cert, cert_text, cert_len, flags);
	char path[256] = "";
	if (!want)
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	else if (differ(doc, want, path, sizeof path))
		rc = ot_error_at(err, OT_ERR_VERIFY, OT_PASSPORT_MISMATCH, -1,
		                 "%s is not what the certificate's verified claim makes",
		                 path[0] ? path + 1 : "the passport");
	json_decref(want);
	json_decref(cert);
	json_decref(doc);
	return rc;
}
