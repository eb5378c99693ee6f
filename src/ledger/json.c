/*
 * json.c: the public face of the ledger's event data model (oretrail/json.h):
 * the JSON value check of jcs.c and the time form of envelope.c, for the
 * layers above that build events. The limits json.h publishes are the
 * ledger's own, and the build checks that they stay so.
 */
#include "oretrail/json.h"

#include "ledger/envelope.h"
#include "ledger/jcs.h"

_Static_assert(OT_JSON_INT_MAX == OTX_JSON_INT_MAX, "json.h: OT_JSON_INT_MAX");
_Static_assert(OT_TIME_LEN == OTX_TIME_LEN, "json.h: OT_TIME_LEN");
_Static_assert(OT_EVENT_ID_MAX == OTX_EVENT_ID_MAX, "json.h: OT_EVENT_ID_MAX");
_Static_assert(OT_SIGNER_MAX == OTX_SIGNER_MAX, "json.h: OT_SIGNER_MAX");

ot_status ot_json_check(json_t *value, const char *path, ot_error *err)
{
	return otx_json_check(value, path, err);
}

ot_status ot_time_format(int64_t unix_seconds, char out[OT_TIME_LEN + 1])
{
	return otx_format_time(unix_seconds, out);
}
