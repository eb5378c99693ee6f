/*
 * report_smelters.c: the smelter and refiner list of one actor
 * (ot_ledger_report_smelters, ledger.h; `oretrail report smelters`), in the
 * manner of the RMI Conflict Minerals and Extended Minerals Reporting
 * Templates (CMRT, EMRT): every smelting or refining facility in the
 * lineage of what the actor received, one row per metal and facility.
 *
 * What the actor received: the lots of every consignment addressed to it
 * and received. The lineage of each is its ancestry (query.h), a walk over
 * the stored edges; a transform in it whose process is of the separated or
 * refined stage (separation, refining, smelting; provenance.h) is a
 * facility of the list for each element it gave that stage (its outputs'
 * stage_output) that the received lot carried when it was shipped. The
 * facility is the transform's site: its operator, country and identifiers
 * (the `site` event's facility_ids, RMI's CID among them).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger_int.h"
#include "ledger/provenance.h"
#include "ledger/query.h"
#include "ledger/state.h"
#include "oretrail/status.h"

typedef struct smelters {
	ot_store *st;
	const char *actor;
	json_t *plants;  /* transform index -> {"site","process","stage","elements":{el:true}} */
	json_t *rows;    /* "<element> <site>" -> {"entries":{index:true},"lots":{lot:true}} */
	json_t *shipped; /* the received lot's elements while its ancestry is walked */
	const char *lot;
	int oom;
} smelters;

static ot_status nomem(ot_error *err)
{
	return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
}

/* obj[key] as an object, made when absent; NULL when out of memory. */
static json_t *member(json_t *obj, const char *key)
{
	json_t *m = json_object_get(obj, key);
	if (!m && json_object_set_new(obj, key, m = json_object()))
		return NULL;
	return m;
}

/* Notes the outputs of smelting and refining transforms by their entry. */
static ot_status smelters_lot(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	smelters *s = ctx;
	json_t *lot = json_loadb((const char *)value, len, 0, NULL);
	if (!lot)
		return OT_ERR_CORRUPT;
	json_t *created = json_object_get(lot, "created");
	int stage = otx_process_stage(otx_jstr(lot, "process"));
	const char *site = otx_jstr(created, "site");
	if (site && strcmp(otx_jstr(created, "type"), "transform") == 0 &&
	    (stage == OTX_STAGE_SEPARATED || stage == OTX_STAGE_REFINED)) {
		char idx[32];
		snprintf(idx, sizeof idx, "%" PRId64, otx_jint(created, "index", -1));
		json_t *p = json_object_get(s->plants, idx);
		if (!p &&
		    json_object_set_new(s->plants, idx,
		                        p = json_pack("{s:s,s:s,s:s,s:{}}", "site", site, "process",
		                                      otx_jstr(lot, "process"), "stage",
		                                      otx_stage_name(stage), "elements")))
			p = NULL;
		const char *el;
		json_t *mg;
		json_object_foreach(json_object_get(lot, "stage_output"), el, mg)
		{
			if (p && json_integer_value(mg) > 0 &&
			    json_object_set(json_object_get(p, "elements"), el, json_true()))
				p = NULL;
		}
		s->oom |= !p;
	}
	json_decref(lot);
	return s->oom ? OT_ERR_NOMEM : OT_OK;
}

/* One entry of a received lot's lineage: a facility row per element the
 * plant gave its stage and the lot carried. */
static ot_status smelters_entry(void *ctx, int64_t index, const char *type, size_t type_len,
                                const char *id, size_t id_len)
{
	(void)type;
	(void)type_len;
	(void)id;
	(void)id_len;
	smelters *s = ctx;
	char idx[32], key[512];
	snprintf(idx, sizeof idx, "%" PRId64, index);
	json_t *p = json_object_get(s->plants, idx);
	const char *el;
	json_t *v;
	json_object_foreach(json_object_get(p, "elements"), el, v)
	{
		if (!json_object_get(s->shipped, el))
			continue;
		snprintf(key, sizeof key, "%s %s", el, otx_jstr(p, "site"));
		json_t *row = member(s->rows, key);
		json_t *entries = row ? member(row, "entries") : NULL;
		json_t *lots = row ? member(row, "lots") : NULL;
		if (!entries || !lots || json_object_set(entries, idx, json_true()) ||
		    json_object_set(lots, s->lot, json_true()))
			return OT_ERR_NOMEM;
	}
	return OT_OK;
}

typedef struct cons_scan {
	smelters *s;
	json_t *received; /* [{"consignment","index","lots"}] */
	ot_error *err;
} cons_scan;

/* A consignment the actor received: the lineage of each of its lots. */
static ot_status smelters_consignment(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	cons_scan *c = ctx;
	smelters *s = c->s;
	json_t *rec = json_loadb((const char *)value, len, 0, NULL);
	if (!rec)
		return OT_ERR_CORRUPT;
	ot_status rc = OT_OK;
	json_t *lots = json_object_get(rec, "lots"), *ids = json_array();
	if (!ids)
		rc = nomem(c->err);
	if (!rc &&
	    strcmp(otx_jstr(rec, "consignee") ? otx_jstr(rec, "consignee") : "", s->actor) == 0 &&
	    json_object_get(rec, "received_index")) {
		for (size_t i = 0; !rc && i < json_array_size(lots); i++) {
			json_t *item = json_array_get(lots, i), *lot = NULL;
			s->lot = otx_jstr(item, "lot");
			s->shipped = json_object_get(item, "content_mg");
			if (!s->lot || json_array_append_new(ids, json_string(s->lot))) {
				rc = ot_error_set(c->err, OT_ERR_CORRUPT,
				                  "consignment %s lists a lot without an id",
				                  otx_jstr(rec, "consignment"));
				break;
			}
			rc = otx_state_get(s->st, OTX_NS_LOT, s->lot, &lot, c->err);
			if (!rc)
				rc = otx_ancestry_each(s->st, lot, smelters_entry, s, c->err);
			json_decref(lot);
		}
		if (!rc && json_array_append_new(
				   c->received,
				   json_pack("{s:s,s:O,s:O,s:O}", "consignment",
		                             otx_jstr(rec, "consignment"), "index",
		                             json_object_get(rec, "received_index"), "time",
		                             json_object_get(rec, "received_time"), "lots", ids)))
			rc = nomem(c->err);
	}
	json_decref(ids);
	json_decref(rec);
	return rc;
}

/* The keys of an object of flags as a sorted array: numbers when `numeric`
 * (entry indexes, in log order), else strings. */
static json_t *key_list(json_t *obj, int numeric)
{
	json_t *out = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v)
	{
		size_t i = json_array_size(out);
		json_t *item = numeric ? json_integer(strtoll(k, NULL, 10)) : json_string(k);
		if (!item || json_array_append_new(out, item))
			goto fail;
		/* insertion sort: the lists are the few entries of one row */
		for (; i > 0; i--) {
			json_t *a = json_array_get(out, i - 1), *b = json_array_get(out, i);
			int after =
				numeric ? json_integer_value(a) > json_integer_value(b)
					: strcmp(json_string_value(a), json_string_value(b)) > 0;
			if (!after)
				break;
			json_incref(a);
			json_array_set(out, i - 1, b);
			json_array_set_new(out, i, a);
		}
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* One row of the list: the metal and the facility as the CMRT names them,
 * then the site, its stage and the entries behind the row. */
static json_t *smelter_row(smelters *s, const char *key, json_t *r, json_t *cache)
{
	const char *site = strchr(key, ' ') + 1;
	json_t *rec = json_object_get(cache, site);
	if (!rec) {
		if (otx_state_get(s->st, OTX_NS_SITE, site, &rec, NULL) != OT_OK)
			rec = json_object();
		if (!rec || json_object_set_new(cache, site, rec))
			return NULL;
	}
	json_t *ids = json_object_get(rec, "facility_ids");
	const char *op = otx_jstr(rec, "operator"), *cid = otx_jstr(ids, "rmi");
	const char *scheme = NULL, *other = NULL;
	json_t *v;
	json_object_foreach(ids, scheme, v)
	{
		if (!other || strcmp(scheme, other) < 0)
			other = scheme;
	}
	/* The RMI identifier where there is one, else the first scheme's. */
	const char *source = cid ? "rmi" : other;
	json_t *stages = json_object(), *entries = key_list(json_object_get(r, "entries"), 1);
	for (size_t i = 0; stages && i < json_array_size(entries); i++) {
		char idx[32];
		snprintf(idx, sizeof idx, "%" JSON_INTEGER_FORMAT,
		         json_integer_value(json_array_get(entries, i)));
		json_object_set(stages, otx_jstr(json_object_get(s->plants, idx), "stage"),
		                json_true());
	}
	json_t *o = entries && stages
	                    ? json_pack("{s:s%,s:s,s:s,s:s,s:s?,s:s?,s:s,s:o,s:O*,s:o,s:o}",
	                                "element", key, (size_t)(site - key - 1), "smelter_look_up",
	                                cid && op ? op : "Smelter not listed", "smelter_name",
	                                op ? op : site, "smelter_country",
	                                otx_jstr(rec, "country") ? otx_jstr(rec, "country") : "??",
	                                "smelter_id", source ? otx_jstr(ids, source) : NULL,
	                                "smelter_id_source", source, "site", site, "stages",
	                                key_list(stages, 0), "facility_ids", ids, "entries",
	                                entries, "lots", key_list(json_object_get(r, "lots"), 0))
	                    : NULL;
	if (!o)
		json_decref(entries);
	json_decref(stages);
	return o;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The rows by element, then facility name, then site. */
static ot_status smelters_rows(smelters *s, json_t *out, ot_error *err)
{
	size_t n = 0;
	const char **keys = calloc(json_object_size(s->rows) + 1, sizeof *keys);
	json_t *cache = json_object();
	const char *k;
	json_t *v;
	ot_status rc = keys && cache ? OT_OK : nomem(err);
	json_object_foreach(s->rows, k, v)
	{
		if (keys)
			keys[n++] = k;
	}
	if (!rc)
		qsort(keys, n, sizeof *keys, key_cmp);
	for (size_t i = 0; !rc && i < n; i++) {
		json_t *o = smelter_row(s, keys[i], json_object_get(s->rows, keys[i]), cache);
		if (!o || json_array_append_new(out, o))
			rc = nomem(err);
	}
	free(keys);
	json_decref(cache);
	return rc;
}

static ot_status smelters_json(ot_store *st, const char *actor, json_t **out, ot_error *err)
{
	smelters s = {st, actor, json_object(), json_object(), NULL, NULL, 0};
	json_t *received = json_array(), *list = json_array();
	cons_scan c = {&s, received, err};
	ot_status rc = s.plants && s.rows && received && list ? OT_OK : nomem(err);
	int found = 0;
	if (!rc)
		rc = otx_state_has(st, OTX_NS_ACTOR, actor, &found, err);
	if (!rc && !found)
		rc = ot_error_at(err, OT_ERR_NOTFOUND, "actor_not_found", -1,
		                 "--for: actor %s is not registered", actor);
	if (!rc &&
	    ((rc = ot_store_kv_scan(st, OTX_NS_LOT, "", smelters_lot, &s, err)) ||
	     (rc = ot_store_kv_scan(st, OTX_NS_CONSIGNMENT, "", smelters_consignment, &c, err))) &&
	    (rc == OT_ERR_NOMEM || rc == OT_ERR_CORRUPT))
		rc = ot_error_set(err, rc, "cannot read the state for the smelter list");
	if (!rc)
		rc = smelters_rows(&s, list, err);
	if (!rc && !(*out = json_pack("{s:s,s:O,s:O}", "for", actor, "received", received,
	                              "smelters", list)))
		rc = nomem(err);
	json_decref(received);
	json_decref(list);
	json_decref(s.plants);
	json_decref(s.rows);
	return rc;
}

ot_status ot_ledger_report_smelters(ot_ledger *l, const char *actor, int flags, char **json,
                                    ot_error *err)
{
	json_t *out = NULL;
	if (!l || !actor || !json)
		return ot_error_set(err, OT_ERR_ARG,
		                    "report smelters needs a ledger, an actor and an output");
	*json = NULL;
	ot_status rc = ot_store_read_begin(l->st, err);
	if (!rc) {
		rc = smelters_json(l->st, actor, &out, err);
		ot_store_read_end(l->st);
	}
	if (!rc)
		rc = otx_ledger_emit(out, flags, json, err);
	json_decref(out);
	return rc;
}
