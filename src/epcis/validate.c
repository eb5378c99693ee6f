/*
 * epcis/validate.c: is an EPCIS 2.0 event usable at all (oretrail/epcis.h,
 * ot_epcis_validate)? The CBV 2.0 hash rules canonicalise whatever they
 * are given, so a hash ID exists even for an event with no eventTime or
 * with "22-07-2026" as one; such an ID names nothing a partner could ever
 * reproduce. This module checks what the EPCIS 2.0 JSON schema requires of
 * every event (eventTime an xsd:dateTimeStamp with its offset,
 * eventTimeZoneOffset "+hh:mm" or "-hh:mm") and that every identifier is a
 * URI, with the GS1 EPC URIs well formed (check-free: EPC URIs carry no
 * check digit, but their company prefix and reference must add up to the
 * key's length). The first problem found is reported, naming the field and
 * the value.
 */
#include <stdio.h>
#include <string.h>

#include "epcis/hash.h"
#include "oretrail/epcis.h"
#include "oretrail/status.h"

static ot_status check_time(json_t *event, ot_error *err)
{
	json_t *t = json_object_get(event, "eventTime");
	if (!t)
		return ot_error_at(err, OT_ERR_PARSE, "epcis_no_time", -1,
		                   "eventTime is missing: every EPCIS event says when it happened");
	const char *s = json_string_value(t);
	size_t len = json_string_length(t);
	char canon[OTX_EPCIS_TIME_LEN + 1];
	/* xsd:dateTimeStamp: the offset (Z or +-hh:mm) is required. */
	int has_offset =
		s && len > 0 &&
		(s[len - 1] == 'Z' || s[len - 1] == 'z' ||
	         (len > 6 && (s[len - 6] == '+' || s[len - 6] == '-') && s[len - 3] == ':'));
	if (!s || !has_offset || otx_epcis_time(s, len, canon, NULL) != OT_OK)
		return ot_error_at(err, OT_ERR_PARSE, "epcis_bad_time", -1,
		                   "%s \"%.60s\" is not an xsd:dateTimeStamp "
		                   "(YYYY-MM-DDThh:mm:ss[.fff] and Z or +hh:mm)",
		                   "eventTime", s ? s : "(not a string)");
	json_t *off = json_object_get(event, "eventTimeZoneOffset");
	if (!off)
		return ot_error_at(err, OT_ERR_PARSE, "epcis_no_offset", -1,
		                   "eventTimeZoneOffset is missing: every EPCIS event gives the "
		                   "local time zone offset of its eventTime (+hh:mm or -hh:mm)");
	s = json_string_value(off);
	int ok = s && strlen(s) == 6 && (s[0] == '+' || s[0] == '-') && s[1] >= '0' &&
	         s[1] <= '1' && s[2] >= '0' && s[2] <= '9' && s[3] == ':' && s[4] >= '0' &&
	         s[4] <= '5' && s[5] >= '0' && s[5] <= '9' &&
	         ((s[1] - '0') * 10 + (s[2] - '0')) <= 14;
	if (!ok)
		return ot_error_at(
			err, OT_ERR_PARSE, "epcis_bad_offset", -1,
			"%s \"%.60s\" is not a time zone offset (+hh:mm or -hh:mm, up to 14 "
			"hours)",
			"eventTimeZoneOffset", s ? s : "(not a string)");
	return OT_OK;
}

/* The EPC URI schemes of GS1 keys: these must convert to a Digital Link. */
static const char *const GS1_SCHEMES[] = {
	"sgtin", "sscc", "sgln", "grai", "gdti", "sgcn", "giai",  "ginc", "gsrn",
	"gsrnp", "gsin", "pgln", "cpi",  "itip", "upui", "lgtin", NULL,
};

static int is_gs1_epc(const char *s)
{
	static const char *const KINDS[] = {
		"urn:epc:id:", "urn:epc:class:", "urn:epc:idpat:", NULL};
	for (size_t k = 0; KINDS[k]; k++) {
		size_t n = strlen(KINDS[k]);
		if (strncmp(s, KINDS[k], n) != 0)
			continue;
		const char *scheme = s + n;
		const char *colon = strchr(scheme, ':');
		if (!colon)
			return 1; /* urn:epc:id:sgtin with nothing after it */
		for (size_t i = 0; GS1_SCHEMES[i]; i++)
			if (strlen(GS1_SCHEMES[i]) == (size_t)(colon - scheme) &&
			    memcmp(scheme, GS1_SCHEMES[i], (size_t)(colon - scheme)) == 0)
				return 1;
	}
	return 0;
}

/* RFC 3986: scheme ":" and something, no spaces or controls. */
static int is_uri(const char *s, size_t len)
{
	size_t i = 0;
	if (len == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	while (i < len &&
	       ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	        (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' || s[i] == '.'))
		i++;
	if (i == len || s[i] != ':' || i + 1 == len)
		return 0;
	for (; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static ot_status check_id(json_t *v, const char *field, ot_error *err)
{
	const char *s = json_string_value(v);
	if (!s)
		return ot_error_at(err, OT_ERR_PARSE, "epcis_bad_id", -1, "%s must be a URI string",
		                   field);
	size_t len = json_string_length(v);
	if (!is_uri(s, len))
		return ot_error_at(err, OT_ERR_PARSE, "epcis_bad_id", -1,
		                   "%s \"%.100s\" is not a URI (scheme:rest, no spaces)", field, s);
	if (is_gs1_epc(s)) {
		ot_buf b;
		ot_buf_init(&b, 4096);
		int r = otx_epcis_digital_link(s, len, &b);
		ot_buf_free(&b);
		if (r != 1)
			return ot_error_at(
				err, OT_ERR_PARSE, "epcis_bad_id", -1,
				"%s \"%.100s\" is not a well-formed EPC URI (company prefix and "
				"reference digits, as the GS1 EPC Tag Data Standard has them)",
				field, s);
	}
	return OT_OK;
}

/* Each item of an array of identifiers, or member `member` of each item. */
static ot_status check_list(json_t *event, const char *list, const char *member, ot_error *err)
{
	json_t *arr = json_object_get(event, list);
	if (!arr)
		return OT_OK;
	if (!json_is_array(arr))
		return ot_error_at(err, OT_ERR_PARSE, "epcis_bad_id", -1, "%s must be a list",
		                   list);
	size_t i;
	json_t *it;
	json_array_foreach(arr, i, it)
	{
		char field[96];
		json_t *v = it;
		if (member) {
			snprintf(field, sizeof field, "%s[%zu].%s", list, i, member);
			v = json_object_get(it, member);
			if (!v)
				return ot_error_at(err, OT_ERR_PARSE, "epcis_bad_id", -1,
				                   "%s is missing", field);
		} else {
			snprintf(field, sizeof field, "%s[%zu]", list, i);
		}
		ot_status rc = check_id(v, field, err);
		if (rc)
			return rc;
	}
	return OT_OK;
}

ot_status ot_epcis_validate(const ot_epcis_doc *doc, json_t *event, ot_error *err)
{
	(void)doc;
	if (!json_is_object(event))
		return ot_error_at(err, OT_ERR_PARSE, "epcis_bad_event", -1,
		                   "an event must be an object");
	ot_status rc = check_time(event, err);
	if (rc)
		return rc;
	static const char *const ID_LISTS[] = {"epcList", "childEPCs", "inputEPCList",
	                                       "outputEPCList", NULL};
	static const char *const QTY_LISTS[] = {"quantityList", "childQuantityList",
	                                        "inputQuantityList", "outputQuantityList", NULL};
	for (size_t i = 0; ID_LISTS[i]; i++)
		if ((rc = check_list(event, ID_LISTS[i], NULL, err)))
			return rc;
	for (size_t i = 0; QTY_LISTS[i]; i++)
		if ((rc = check_list(event, QTY_LISTS[i], "epcClass", err)))
			return rc;
	if ((rc = check_list(event, "sourceList", "source", err)) ||
	    (rc = check_list(event, "destinationList", "destination", err)))
		return rc;
	static const char *const SINGLE[] = {"parentID", NULL};
	for (size_t i = 0; SINGLE[i]; i++) {
		json_t *v = json_object_get(event, SINGLE[i]);
		if (v && (rc = check_id(v, SINGLE[i], err)))
			return rc;
	}
	static const char *const PLACES[] = {"readPoint", "bizLocation", NULL};
	for (size_t i = 0; PLACES[i]; i++) {
		json_t *p = json_object_get(event, PLACES[i]);
		char field[32];
		snprintf(field, sizeof field, "%s.id", PLACES[i]);
		if (p && (rc = check_id(json_object_get(p, "id"), field, err)))
			return rc;
	}
	return OT_OK;
}
