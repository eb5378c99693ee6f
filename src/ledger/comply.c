/*
 * comply.c: compliance determinations (ot_ledger_comply, ledger.h): a
 * profile, given as data (docs/events.md "Compliance profiles"), names the
 * elements, the stages with the date each takes effect, and either the
 * covered countries (DFARS 252.225-7052: any share of a covered country at
 * a covered stage fails) or a largest share for one third country (EU CRMA:
 * 65 %, EU-27 exempt). The lot's stage vectors (provenance.h) answer it; a
 * lot whose content the origin vector does not account for is undetermined.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/comply.h"
#include "ledger/ledger_int.h"
#include "ledger/provenance.h"
#include "ledger/query.h"
#include "ledger/state.h"
#include "oretrail/status.h"

/* Unattributed content below this share (or the lot's uncertainty) is
 * rounding and assay noise, not missing origin. */
#define UNATTRIBUTED_TOLERANCE_PPM 5000

typedef otx_profile profile;

static ot_status pbad(ot_error *err, const char *field, const char *why)
{
	return ot_error_at(err, OT_ERR_PARSE, "bad_profile", -1, "profile: %s: %s", field, why);
}

static int is_country(const char *c)
{
	return c && strlen(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z';
}

static int is_date(const char *d)
{
	int y, m, day;
	char tail;
	return d && strlen(d) == 10 && sscanf(d, "%4d-%2d-%2d%c", &y, &m, &day, &tail) == 3 &&
	       m >= 1 && m <= 12 && day >= 1 && day <= 31;
}

static ot_status check_countries(json_t *arr, const char *field, ot_error *err)
{
	char path[64];
	if (!json_is_array(arr))
		return pbad(err, field, "must be an array of ISO 3166-1 alpha-2 codes");
	for (size_t i = 0; i < json_array_size(arr); i++) {
		snprintf(path, sizeof path, "%s[%zu]", field, i);
		if (!is_country(json_string_value(json_array_get(arr, i))))
			return pbad(err, path,
			            "unknown country code: must be ISO 3166-1 alpha-2, such as CN");
	}
	return OT_OK;
}

ot_status otx_profile_read(json_t *doc, otx_profile *p, ot_error *err)
{
	char path[96];
	memset(p, 0, sizeof *p);
	p->doc = doc;
	if (!json_is_object(doc))
		return pbad(err, "(document)", "must be a JSON object");
	p->name = json_string_value(json_object_get(doc, "profile"));
	if (!p->name || !*p->name)
		return pbad(err, "profile", "must be the profile's name, a non-empty string");
	p->elements = json_object_get(doc, "elements");
	if (!json_is_array(p->elements) || json_array_size(p->elements) == 0)
		return pbad(err, "elements", "must be a non-empty array of element symbols");
	for (size_t i = 0; i < json_array_size(p->elements); i++) {
		const char *e = json_string_value(json_array_get(p->elements, i));
		snprintf(path, sizeof path, "elements[%zu]", i);
		if (!e || !*e || strlen(e) > 3)
			return pbad(err, path, "must be an element symbol such as Nd");
	}
	p->stages = json_object_get(doc, "stages");
	if (!json_is_object(p->stages) || json_object_size(p->stages) == 0)
		return pbad(err, "stages",
		            "must be an object of stage -> effective date (YYYY-MM-DD)");
	const char *st;
	json_t *d;
	json_object_foreach(p->stages, st, d)
	{
		snprintf(path, sizeof path, "stages.%.60s", st);
		if (otx_stage_of(st) < 0)
			return pbad(err, path,
			            "unknown stage: one of mined, concentrated, processed, "
			            "separated, refined, alloyed, magnet, external, recycled");
		if (!is_date(json_string_value(d)))
			return pbad(err, path, "must be the date it takes effect, YYYY-MM-DD");
	}
	p->covered = json_object_get(doc, "covered_countries");
	json_t *max = json_object_get(doc, "third_country_max_ppm");
	p->exempt = json_object_get(doc, "exempt_countries");
	if (!!p->covered == !!max)
		return pbad(err, "covered_countries",
		            "a profile has either covered_countries or third_country_max_ppm");
	ot_status rc;
	if (p->covered && (rc = check_countries(p->covered, "covered_countries", err)))
		return rc;
	if (p->exempt && (rc = check_countries(p->exempt, "exempt_countries", err)))
		return rc;
	p->max_ppm = -1;
	if (max) {
		if (!json_is_integer(max) || json_integer_value(max) < 0 ||
		    json_integer_value(max) > 1000000)
			return pbad(err, "third_country_max_ppm", "must be an integer 0..1000000");
		p->max_ppm = (int64_t)json_integer_value(max);
	}
	return OT_OK;
}

ot_status otx_profile_load(const char *json, size_t len, json_t **doc, otx_profile *p,
                           ot_error *err)
{
	json_error_t je;
	*doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (!*doc)
		return ot_error_at(err, OT_ERR_PARSE, "bad_profile", -1,
		                   "profile: not JSON: line %d column %d: %s", je.line, je.column,
		                   je.text);
	return otx_profile_read(*doc, p, err);
}

int otx_profile_in_list(json_t *arr, const char *s)
{
	for (size_t i = 0; s && i < json_array_size(arr); i++)
		if (strcmp(json_string_value(json_array_get(arr, i)), s) == 0)
			return 1;
	return 0;
}

ot_status otx_comply_check_at(const char *at, ot_error *err)
{
	if (!is_date(at))
		return ot_error_at(err, OT_ERR_PARSE, "bad_field", -1,
		                   "--at: %s is not a date YYYY-MM-DD", at ? at : "(none)");
	return OT_OK;
}

ot_status otx_ledger_read_entry(void *ledger, uint64_t index, uint8_t **data, size_t *len,
                                ot_error *err)
{
	ot_ledger *l = ledger;
	return ot_log_entry(l->log, index, data, len, err);
}

/* "stage site" -> [log indexes]: the lineage's extractions and transforms
 * by the stage and site they happened at, read from the log. */
static ot_status stage_entries(const otx_entry_reader *rd, json_t *ancestry, json_t *out,
                               ot_error *err)
{
	for (size_t i = 0; i < json_array_size(ancestry); i++) {
		json_t *a = json_array_get(ancestry, i);
		const char *type = otx_jstr(a, "type");
		if (strcmp(type, "extract") != 0 && strcmp(type, "transform") != 0 &&
		    strcmp(type, "recycle") != 0)
			continue;
		int64_t index = otx_jint(a, "index", -1);
		uint8_t *data = NULL;
		size_t len = 0;
		ot_status rc = rd->read(rd->ctx, (uint64_t)index, &data, &len, err);
		if (rc)
			return rc;
		json_t *env = json_loadb((const char *)data, len, 0, NULL);
		free(data);
		json_t *ev = json_object_get(env, "event");
		int stage = strcmp(type, "extract") == 0 ? OTX_STAGE_MINED
		            : strcmp(type, "recycle") == 0
		                    ? OTX_STAGE_RECYCLED
		                    : otx_process_stage(otx_jstr(ev, "process"));
		const char *site = otx_jstr(ev, "site");
		if (stage >= 0 && site) {
			char key[OTX_EVENT_ID_MAX + 32];
			snprintf(key, sizeof key, "%s %s", otx_stage_name(stage), site);
			json_t *list = json_object_get(out, key);
			if (!list) {
				list = json_array();
				json_object_set_new(out, key, list);
			}
			json_array_append_new(list, json_integer(index));
		}
		json_decref(env);
	}
	return OT_OK;
}

/* One reason per country of this stage and element that the profile
 * objects to. */
static ot_status stage_reasons(const profile *p, json_t *rows, const char *stage, const char *el,
                               json_t *entries, json_t *reasons)
{
	json_t *by = json_object(); /* country -> {"share_ppm", "sites", "entries"} */
	for (size_t i = 0; by && i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i);
		if (strcmp(otx_jstr(r, "stage"), stage) || strcmp(otx_jstr(r, "element"), el))
			continue;
		const char *c = otx_jstr(r, "country");
		json_t *g = json_object_get(by, c);
		if (!g) {
			g = json_pack("{s:s,s:s,s:s,s:I,s:[],s:[]}", "stage", stage, "element", el,
			              "country", c, "share_ppm", (json_int_t)0, "sites", "entries");
			json_object_set_new(by, c, g);
		}
		json_object_set_new(
			g, "share_ppm",
			json_integer(otx_jint(g, "share_ppm", 0) + otx_jint(r, "share_ppm", 0)));
		json_array_append(json_object_get(g, "sites"), json_object_get(r, "site"));
		char key[OTX_EVENT_ID_MAX + 32];
		snprintf(key, sizeof key, "%s %s", stage, otx_jstr(r, "site"));
		json_array_extend(json_object_get(g, "entries"), json_object_get(entries, key));
	}
	if (!by)
		return OT_ERR_NOMEM;
	const char *c;
	json_t *g;
	json_object_foreach(by, c, g)
	{
		int64_t share = otx_jint(g, "share_ppm", 0);
		int objection = p->max_ppm < 0
		                        ? otx_profile_in_list(p->covered, c)
		                        : !otx_profile_in_list(p->exempt, c) && share > p->max_ppm;
		if (!objection)
			continue;
		json_object_set_new(
			g, "kind",
			json_string(p->max_ppm < 0 ? "covered_country" : "third_country_share"));
		json_array_append(reasons, g);
	}
	json_decref(by);
	return OT_OK;
}

/* An element whose content the origin vector does not account for. */
static ot_status unattributed(json_t *trace, const char *el, json_t *reasons)
{
	json_t *cert = json_object_get(json_object_get(trace, "certified"), "assay");
	json_t *ppm = json_object_get(cert, el);
	if (!ppm)
		ppm = json_object_get(json_object_get(trace, "assay"), el);
	int64_t mass = otx_jint(trace, "mass_g", 0);
	if (mass == 0)
		mass = otx_jint(trace, "initial_g", 0);
	uint64_t content = otx_content_mg((uint64_t)mass, (uint64_t)json_integer_value(ppm));
	if (content == 0)
		return OT_OK;
	/* Recycled feed is attributed too: to the recycler that took it in. */
	uint64_t mined = 0;
	json_t *origins = json_object_get(trace, "origins");
	json_t *recycled = json_object_get(trace, "recycled");
	for (size_t i = 0; i < json_array_size(origins); i++)
		if (strcmp(otx_jstr(json_array_get(origins, i), "element"), el) == 0)
			mined += (uint64_t)otx_jint(json_array_get(origins, i), "mg", 0);
	for (size_t i = 0; i < json_array_size(recycled); i++)
		if (strcmp(otx_jstr(json_array_get(recycled, i), "element"), el) == 0)
			mined += (uint64_t)otx_jint(json_array_get(recycled, i), "mg", 0);
	int64_t tol = otx_jint(trace, "uncertainty_ppm", 0);
	if (tol < UNATTRIBUTED_TOLERANCE_PPM)
		tol = UNATTRIBUTED_TOLERANCE_PPM;
	if (mined >= content ||
	    (__uint128_t)(content - mined) * 1000000u <= (__uint128_t)content * (uint64_t)tol)
		return OT_OK;
	json_t *r = json_pack("{s:s,s:s,s:n,s:I,s:[],s:[],s:s}", "stage", "mined", "element", el,
	                      "country", "share_ppm",
	                      (json_int_t)((__uint128_t)(content - mined) * 1000000u / content),
	                      "sites", "entries", "kind", "unattributed");
	return !r || json_array_append_new(reasons, r) ? OT_ERR_NOMEM : OT_OK;
}

ot_status otx_comply_determine(ot_store *st, const otx_entry_reader *rd, const otx_profile *p,
                               const char *lot, const char *at, json_t **out, int *determination,
                               ot_error *err)
{
	json_t *trace = NULL, *entries = json_object(), *reasons = json_array();
	ot_status rc = entries && reasons ? otx_trace_json(st, lot, OT_TRACE_STAGES, &trace, err)
	                                  : ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	if (!rc)
		rc = stage_entries(rd, json_object_get(trace, "ancestry"), entries, err);
	for (size_t e = 0; !rc && e < json_array_size(p->elements); e++) {
		const char *el = json_string_value(json_array_get(p->elements, e));
		const char *stage;
		json_t *d;
		json_object_foreach(p->stages, stage, d)
		{
			if (rc || strcmp(json_string_value(d), at) > 0)
				continue;
			rc = stage_reasons(p, json_object_get(trace, "stages"), stage, el, entries,
			                   reasons);
		}
		if (!rc)
			rc = unattributed(trace, el, reasons);
		if (rc == OT_ERR_NOMEM)
			rc = ot_error_set(err, rc, "out of memory");
	}
	/* Covered and threshold reasons are all "fail"; only unattributed ones
	 * leave it open. */
	int fail = 0, undetermined = 0;
	for (size_t i = 0; i < json_array_size(reasons); i++) {
		if (strcmp(otx_jstr(json_array_get(reasons, i), "kind"), "unattributed") == 0)
			undetermined = 1;
		else
			fail = 1;
	}
	*determination = fail           ? OT_COMPLY_FAIL
	                 : undetermined ? OT_COMPLY_UNDETERMINED
	                                : OT_COMPLY_PASS;
	if (!rc) {
		*out = json_pack("{s:s,s:O*,s:s,s:s,s:s,s:O}", "profile", p->name, "title",
		                 json_object_get(p->doc, "title"), "lot", lot, "at", at,
		                 "determination",
		                 fail           ? "fail"
		                 : undetermined ? "undetermined"
		                                : "pass",
		                 "reasons", reasons);
		if (!*out)
			rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	}
	json_decref(trace);
	json_decref(entries);
	json_decref(reasons);
	return rc;
}

/* Where item (a determination) goes in arr, kept in profile name order. */
static size_t by_profile_name(json_t *arr, json_t *item)
{
	const char *name = otx_jstr(item, "profile");
	size_t i = json_array_size(arr);
	while (i > 0 && strcmp(otx_jstr(json_array_get(arr, i - 1), "profile"), name) > 0)
		i--;
	return i;
}

ot_status otx_lot_compliance(ot_store *st, const otx_entry_reader *rd,
                             const ot_cert_profile *profiles, size_t n, const char *lot,
                             const char *at, json_t *doc, ot_error *err)
{
	json_t *all = json_array();
	if (!all || json_object_set_new(doc, "at", json_string(at)) ||
	    json_object_set_new(doc, "compliance", all))
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	ot_status rc = otx_comply_check_at(at, err);
	for (size_t i = 0; !rc && i < n; i++) {
		profile p;
		json_t *pdoc = NULL, *det = NULL;
		int determination = 0;
		rc = otx_profile_load(profiles[i].json, profiles[i].len, &pdoc, &p, err);
		if (!rc)
			rc = otx_comply_determine(st, rd, &p, lot, at, &det, &determination, err);
		if (!rc && json_array_insert_new(all, by_profile_name(all, det), det))
			rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		json_decref(pdoc);
	}
	return rc;
}

ot_status ot_ledger_comply(ot_ledger *l, const char *profile_json, size_t len, const char *lot,
                           const char *at, int flags, char **json, int *determination,
                           ot_error *err)
{
	profile p;
	json_t *doc = NULL, *out = NULL;
	if (!l || !profile_json || !lot || !at || !json || !determination)
		return ot_error_set(err, OT_ERR_ARG,
		                    "comply needs a ledger, a profile, a lot, a date and outputs");
	*json = NULL;
	ot_status rc = otx_comply_check_at(at, err);
	if (!rc)
		rc = otx_profile_load(profile_json, len, &doc, &p, err);
	otx_entry_reader rd = {otx_ledger_read_entry, l};
	if (!rc && !(rc = ot_store_read_begin(l->st, err))) {
		rc = otx_comply_determine(l->st, &rd, &p, lot, at, &out, determination, err);
		ot_store_read_end(l->st);
	}
	if (!rc)
		rc = otx_ledger_emit(out, flags, json, err);
	json_decref(out);
	json_decref(doc);
	return rc;
}
