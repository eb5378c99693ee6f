/*
 * state.c: reading and writing the ledger's JSON records (see state.h).
 */
#include "ledger/state.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/status.h"

const char *const otx_state_namespaces[] = {
	OTX_NS_ACTOR,
	OTX_NS_SITE,
	OTX_NS_LOT,
	OTX_NS_LOT_EVENT,
	OTX_NS_ANCESTRY,
	OTX_NS_EVENT_ID,
	OTX_NS_CONTRACT,
	OTX_NS_CONSIGNMENT,
	OTX_NS_DISCLOSURE,
	OTX_NS_PAYMENT,
	OTX_NS_RECEIPT,
	OTX_NS_FINDING,
	NULL,
};

void otx_index_key(char out[OTX_INDEX_KEY_LEN], uint64_t index)
{
	snprintf(out, OTX_INDEX_KEY_LEN, "%020" PRIu64, index);
}

ot_status otx_state_get(ot_store *st, const char *ns, const char *key, json_t **out, ot_error *err)
{
	uint8_t *data = NULL;
	size_t len = 0;
	*out = NULL;
	ot_status rc = ot_store_kv_get(st, ns, key, &data, &len, NULL);
	if (rc == OT_ERR_NOTFOUND)
		return rc;
	if (rc) {
		/* Ask again for the message: the first call kept err clean for
		 * the common "absent" case. */
		rc = ot_store_kv_get(st, ns, key, &data, &len, err);
		if (rc)
			return rc;
	}
	json_error_t jerr;
	json_t *rec = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &jerr);
	free(data);
	if (!rec || !json_is_object(rec)) {
		json_decref(rec);
		return ot_error_set(err, OT_ERR_CORRUPT,
		                    "the %s record \"%s\" is not a JSON object", ns, key);
	}
	*out = rec;
	return OT_OK;
}

ot_status otx_state_has(ot_store *st, const char *ns, const char *key, int *found, ot_error *err)
{
	uint8_t *data = NULL;
	size_t len = 0;
	*found = 0;
	ot_status rc = ot_store_kv_get(st, ns, key, &data, &len, NULL);
	free(data);
	if (rc == OT_ERR_NOTFOUND)
		return OT_OK;
	if (rc) { /* again, for the message */
		data = NULL;
		rc = ot_store_kv_get(st, ns, key, &data, &len, err);
		free(data);
		if (rc)
			return rc;
	}
	*found = 1;
	return OT_OK;
}

char *otx_state_dump(const json_t *rec)
{
	return json_dumps(rec, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII);
}

ot_status otx_state_put(ot_store *st, const char *ns, const char *key, json_t *rec, ot_error *err)
{
	char *text = otx_state_dump(rec);
	if (!text)
		return ot_error_set(err, OT_ERR_NOMEM, "cannot serialise the %s record \"%s\"", ns,
		                    key);
	ot_status rc = ot_store_kv_put(st, ns, key, (const uint8_t *)text, strlen(text), err);
	free(text);
	return rc;
}

const char *otx_jstr(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

int64_t otx_jint(const json_t *obj, const char *key, int64_t fallback)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : fallback;
}
