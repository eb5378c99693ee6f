/*
 * report_crma.c: the EU Critical Raw Materials Act report
 * (ot_ledger_report_crma, ledger.h; `oretrail report crma`). Regulation
 * (EU) 2024/1252, Art. 5(1)(b): the Union's imports diversified so that by
 * 2030 no third country accounts for more than 65 % of its annual
 * consumption of a strategic raw material, at any relevant stage of
 * processing. The profile (profiles/crma.json) gives the elements,
 * the stages, the threshold and the EU-27 (not third countries).
 *
 * Each stage's output is counted once: a lot extracted is the mined stage
 * at its mine; a transform's output counts for its process's stage only
 * with what had not passed that stage before (the lot's `stage_output`,
 * written by the transform rule from the stage vectors, provenance.h), so
 * a second refining step adds nothing to "refined", and alloying and
 * magnet making are stages of their own. A shipment to a country that has
 * already held the lot (where its content was mined, or where it or an
 * ancestor was shipped from or to before) is a return, not an export.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/comply.h"
#include "ledger/jcs.h"
#include "ledger/ledger_int.h"
#include "ledger/provenance.h"
#include "ledger/query.h"
#include "ledger/rules_int.h"
#include "ledger/state.h"
#include "oretrail/status.h"

typedef struct crma {
	ot_store *st;
	const char *year; /* "YYYY" or NULL: all */
	json_t *sites;    /* site -> country */
	json_t *stages;   /* element -> stage -> country -> mg */
	json_t *flows;    /* element -> "exported"|"returned" -> "FROM TO" -> mg */
	json_t *ships;    /* ship entry index -> [from_country, to_country] */
	int oom;
} crma;

static ot_status nomem(ot_error *err)
{
	return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
}

/* Adds mg at obj[k1][k2][k3], saturating at the largest exact JSON integer
 * (the report prints nothing larger). */
static void add3(crma *c, json_t *obj, const char *k1, const char *k2, const char *k3, int64_t mg)
{
	json_t *a = json_object_get(obj, k1);
	if (!a && json_object_set_new(obj, k1, a = json_object()))
		a = NULL;
	json_t *b = a ? json_object_get(a, k2) : NULL;
	if (a && !b && json_object_set_new(a, k2, b = json_object()))
		b = NULL;
	if (!b || mg <= 0) {
		c->oom |= !b;
		return;
	}
	json_int_t have = json_integer_value(json_object_get(b, k3));
	json_int_t sum = have > OTX_JSON_INT_MAX - mg ? OTX_JSON_INT_MAX : have + mg;
	if (json_object_set_new(b, k3, json_integer(sum)))
		c->oom = 1;
}

static int in_year(const crma *c, const char *time)
{
	return !c->year || (time && strncmp(time, c->year, 4) == 0 && time[4] == '-');
}

static const char *site_country(crma *c, const char *site)
{
	const char *country = json_string_value(json_object_get(c->sites, site));
	if (country)
		return country;
	json_t *rec = NULL;
	if (site && otx_state_get(c->st, OTX_NS_SITE, site, &rec, NULL) == OT_OK)
		json_object_set(c->sites, site, json_object_get(rec, "country"));
	json_decref(rec);
	country = json_string_value(json_object_get(c->sites, site));
	return country ? country : "??";
}

/* A lot counts at the stage that made it: extraction or recycled feed (its
 * content, by the best assay) or a transform (its stage_output). */
static ot_status crma_lot(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	crma *c = ctx;
	json_t *lot = json_loadb((const char *)value, len, 0, NULL);
	if (!lot)
		return OT_ERR_CORRUPT;
	json_t *created = json_object_get(lot, "created");
	const char *country = site_country(c, otx_jstr(created, "site"));
	const char *el;
	json_t *v;
	if (!in_year(c, otx_jstr(created, "time"))) {
		/* outside the year asked for */
	} else if (strcmp(otx_jstr(created, "type"), "extract") == 0 ||
	           strcmp(otx_jstr(created, "type"), "recycle") == 0) {
		/* Mined ore, or recycled feed: a stage of its own (its content at
		 * the recycler's country). */
		int stage = strcmp(otx_jstr(created, "type"), "extract") == 0 ? OTX_STAGE_MINED
		                                                              : OTX_STAGE_RECYCLED;
		json_t *assay = otx_lot_best_assay(lot);
		uint64_t mass = (uint64_t)otx_jint(lot, "initial_g", 0);
		json_object_foreach(assay, el, v)
		{
			uint64_t mg = otx_content_mg(mass, (uint64_t)json_integer_value(v));
			add3(c, c->stages, el, otx_stage_name(stage), country,
			     mg > (uint64_t)OTX_JSON_INT_MAX ? OTX_JSON_INT_MAX : (int64_t)mg);
		}
		json_decref(assay);
	} else {
		const char *stage = otx_stage_name(otx_process_stage(otx_jstr(lot, "process")));
		json_object_foreach(json_object_get(lot, "stage_output"), el, v)
		{
			if (stage)
				add3(c, c->stages, el, stage, country, json_integer_value(v));
		}
	}
	json_decref(lot);
	return c->oom ? OT_ERR_NOMEM : OT_OK;
}

/* Notes every shipment across a border by its log index. */
static ot_status crma_ship(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	crma *c = ctx;
	json_t *rec = json_loadb((const char *)value, len, 0, NULL);
	if (!rec)
		return OT_ERR_CORRUPT;
	char idx[32];
	snprintf(idx, sizeof idx, "%" PRId64, otx_jint(rec, "index", -1));
	if (json_object_set_new(c->ships, idx,
	                        json_pack("[s?s?]", otx_jstr(rec, "from_country"),
	                                  otx_jstr(rec, "to_country"))))
		c->oom = 1;
	json_decref(rec);
	return c->oom ? OT_ERR_NOMEM : OT_OK;
}

/* The countries a lot was in before one shipment (index `before`). */
typedef struct held {
	crma *c;
	int64_t before;
	json_t *countries; /* country -> true */
} held;

static ot_status held_row(void *ctx, int64_t index, const char *type, size_t type_len,
                          const char *id, size_t id_len)
{
	(void)id;
	(void)id_len;
	held *h = ctx;
	if (index >= h->before || type_len != 4 || memcmp(type, "ship", 4) != 0)
		return OT_OK;
	char idx[32];
	snprintf(idx, sizeof idx, "%" PRId64, index);
	json_t *ft = json_object_get(h->c->ships, idx);
	for (size_t i = 0; i < json_array_size(ft); i++)
		if (json_is_string(json_array_get(ft, i)) &&
		    json_object_set(h->countries, json_string_value(json_array_get(ft, i)),
		                    json_true()))
			return OT_ERR_NOMEM;
	return OT_OK;
}

/* One lot of a shipment across a border: exported, or returned to a
 * country that held it. */
static ot_status crma_shipped_lot(crma *c, json_t *item, int64_t index, const char *from,
                                  const char *to, ot_error *err)
{
	held h = {c, index, json_object()};
	json_t *rec = NULL;
	const char *el, *country;
	json_t *by, *mg;
	if (!h.countries)
		return nomem(err);
	json_object_foreach(json_object_get(item, "origin_countries"), el, by)
	{
		json_object_foreach(by, country, mg)
			json_object_set(h.countries, country, json_true());
	}
	ot_status rc = otx_state_get(c->st, OTX_NS_LOT, otx_jstr(item, "lot"), &rec, err);
	if (!rc)
		rc = otx_ancestry_each(c->st, rec, held_row, &h, err);
	if (!rc) {
		char pair[16];
		snprintf(pair, sizeof pair, "%.2s %.2s", from, to);
		const char *kind = json_object_get(h.countries, to) ? "returned" : "exported";
		json_object_foreach(json_object_get(item, "content_mg"), el, mg)
			add3(c, c->flows, el, kind, pair, json_integer_value(mg));
		if (c->oom)
			rc = nomem(err);
	}
	json_decref(rec);
	json_decref(h.countries);
	return rc;
}

typedef struct flow_scan {
	crma *c;
	ot_error *err;
} flow_scan;

static ot_status crma_consignment(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	flow_scan *f = ctx;
	json_t *rec = json_loadb((const char *)value, len, 0, NULL);
	if (!rec)
		return OT_ERR_CORRUPT;
	const char *from = otx_jstr(rec, "from_country"), *to = otx_jstr(rec, "to_country");
	ot_status rc = OT_OK;
	if (from && to && strcmp(from, to) != 0 && in_year(f->c, otx_jstr(rec, "time"))) {
		json_t *lots = json_object_get(rec, "lots");
		for (size_t i = 0; !rc && i < json_array_size(lots); i++)
			rc = crma_shipped_lot(f->c, json_array_get(lots, i),
			                      otx_jint(rec, "index", -1), from, to, f->err);
	}
	json_decref(rec);
	return rc;
}

typedef struct amount {
	const char *key;
	int64_t mg;
} amount;

/* Largest first, then by key: the order of every list in the report. */
static int amount_cmp(const void *a, const void *b)
{
	const amount *x = a, *y = b;
	if (x->mg != y->mg)
		return x->mg > y->mg ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* obj's members (key -> integer) sorted by amount_cmp; *n of them. */
static amount *sorted(json_t *obj, size_t *n)
{
	amount *v = calloc(json_object_size(obj) + 1, sizeof *v);
	const char *k;
	json_t *mg;
	*n = 0;
	if (!v)
		return NULL;
	json_object_foreach(obj, k, mg) v[(*n)++] = (amount){k, json_integer_value(mg)};
	qsort(v, *n, sizeof *v, amount_cmp);
	return v;
}

static json_int_t grams(int64_t mg)
{
	return (json_int_t)((mg + 500) / 1000);
}

/* One stage of one element: its output by country with shares, and the
 * largest third country's share against the profile's threshold. */
static json_t *crma_stage(const otx_profile *p, const char *stage, json_t *by, int listed)
{
	size_t n = 0;
	amount *v = sorted(by, &n);
	uint64_t *mg = calloc(n + 1, sizeof *mg), *share = calloc(n + 1, sizeof *share);
	json_t *rows = json_array(), *o = NULL;
	int64_t total = 0;
	if (!v || !mg || !share || !rows)
		goto out;
	for (size_t i = 0; i < n; i++) {
		mg[i] = (uint64_t)v[i].mg;
		total = total > OTX_JSON_INT_MAX - v[i].mg ? OTX_JSON_INT_MAX : total + v[i].mg;
	}
	otx_shares_ppm(mg, n, share);
	const char *top = NULL;
	uint64_t top_share = 0;
	for (size_t i = 0; i < n; i++) {
		int third = !otx_profile_in_list(p->exempt, v[i].key);
		if (third && !top) {
			top = v[i].key;
			top_share = share[i];
		}
		if (json_array_append_new(
			    rows, json_pack("{s:s,s:I,s:I,s:I,s:b}", "country", v[i].key, "grams",
		                            grams(v[i].mg), "mg", (json_int_t)v[i].mg, "share_ppm",
		                            (json_int_t)share[i], "third_country", third)))
			goto out;
	}
	int judged = listed && json_object_get(p->stages, stage) != NULL;
	o = json_pack("{s:s,s:I,s:I,s:O,s:s?,s:I,s:b,s:b}", "stage", stage, "grams", grams(total),
	              "mg", (json_int_t)total, "countries", rows, "largest_third_country", top,
	              "largest_third_country_share_ppm", (json_int_t)top_share, "judged", judged,
	              "over_threshold", judged && top && (int64_t)top_share > p->max_ppm);
out:
	free(v);
	free(mg);
	free(share);
	json_decref(rows);
	return o;
}

/* "exported" or "returned" of one element: {"from","to","grams","mg"}. */
static json_t *crma_flow_rows(json_t *by)
{
	size_t n = 0;
	amount *v = sorted(by, &n);
	json_t *rows = v ? json_array() : NULL;
	for (size_t i = 0; rows && i < n; i++) {
		json_t *o = strlen(v[i].key) == 5
		                    ? json_pack("{s:s%,s:s%,s:I,s:I}", "from", v[i].key, (size_t)2,
		                                "to", v[i].key + 3, (size_t)2, "grams",
		                                grams(v[i].mg), "mg", (json_int_t)v[i].mg)
		                    : NULL;
		if (!o || json_array_append_new(rows, o)) {
			json_decref(rows);
			rows = NULL;
		}
	}
	free(v);
	return rows;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One object per element, in symbol order, each stage in stage order. */
static ot_status crma_minerals(crma *c, const otx_profile *p, json_t *out, ot_error *err)
{
	json_t *all = json_object();
	const char *el;
	json_t *v;
	if (!all || json_object_update(all, c->stages) ||
	    json_object_update_missing(all, c->flows)) {
		json_decref(all);
		return nomem(err);
	}
	size_t n = 0;
	const char **els = calloc(json_object_size(all) + 1, sizeof *els);
	ot_status rc = els ? OT_OK : nomem(err);
	json_object_foreach(all, el, v)
	{
		if (els)
			els[n++] = el;
	}
	if (els)
		qsort(els, n, sizeof *els, key_cmp);
	for (size_t i = 0; !rc && i < n; i++) {
		int listed = otx_profile_in_list(p->elements, els[i]);
		json_t *stages = json_array(), *by = json_object_get(c->stages, els[i]);
		json_t *flows = json_object_get(c->flows, els[i]);
		for (int s = 0; stages && s < OTX_STAGES; s++) {
			json_t *one = json_object_get(by, otx_stage_name(s));
			if (one && json_array_append_new(
					   stages, crma_stage(p, otx_stage_name(s), one, listed))) {
				json_decref(stages);
				stages = NULL;
			}
		}
		json_t *m = stages ? json_pack("{s:s,s:b,s:o,s:o,s:o}", "element", els[i], "listed",
		                               listed, "stages", stages, "exported",
		                               crma_flow_rows(json_object_get(flows, "exported")),
		                               "returned",
		                               crma_flow_rows(json_object_get(flows, "returned")))
		                   : NULL;
		if (!m || json_array_append_new(out, m))
			rc = nomem(err);
	}
	free(els);
	json_decref(all);
	return rc;
}

static ot_status crma_json(ot_store *st, const otx_profile *p, const char *year, json_t **out,
                           ot_error *err)
{
	crma c = {st, year, json_object(), json_object(), json_object(), json_object(), 0};
	flow_scan f = {&c, err};
	json_t *minerals = json_array();
	ot_status rc = OT_OK;
	if (!c.sites || !c.stages || !c.flows || !c.ships || !minerals)
		rc = nomem(err);
	if (!rc &&
	    ((rc = ot_store_kv_scan(st, OTX_NS_LOT, "", crma_lot, &c, err)) ||
	     (rc = ot_store_kv_scan(st, OTX_NS_CONSIGNMENT, "", crma_ship, &c, err)) ||
	     (rc = ot_store_kv_scan(st, OTX_NS_CONSIGNMENT, "", crma_consignment, &f, err))) &&
	    (rc == OT_ERR_NOMEM || rc == OT_ERR_CORRUPT))
		rc = ot_error_set(err, rc, "cannot read the state for the CRMA report");
	if (!rc)
		rc = crma_minerals(&c, p, minerals, err);
	if (!rc) {
		*out = json_pack("{s:s,s:s?,s:I,s:O*,s:O}", "profile", p->name, "year", year,
		                 "third_country_max_ppm", (json_int_t)p->max_ppm,
		                 "exempt_countries", p->exempt, "minerals", minerals);
		if (!*out)
			rc = nomem(err);
	}
	json_decref(minerals);
	json_decref(c.sites);
	json_decref(c.stages);
	json_decref(c.flows);
	json_decref(c.ships);
	return rc;
}

/* The report from the state in `st` (read by the caller's transaction, or
 * a replay's memory store): ot_ledger_report_crma and ot_replay_report_crma. */
ot_status otx_report_crma(ot_store *st, const char *profile_json, size_t len, const char *year,
                          int flags, char **json, ot_error *err)
{
	otx_profile p;
	json_t *doc = NULL, *out = NULL;
	if (!st || !profile_json || !json)
		return ot_error_set(err, OT_ERR_ARG,
		                    "report crma needs a ledger, a profile and an output");
	*json = NULL;
	if (year && !(strlen(year) == 4 && strspn(year, "0123456789") == 4))
		return ot_error_at(err, OT_ERR_PARSE, "bad_field", -1,
		                   "--year: %s is not a year YYYY", year);
	ot_status rc = otx_profile_load(profile_json, len, &doc, &p, err);
	if (!rc && p.max_ppm < 0)
		rc = ot_error_at(
			err, OT_ERR_PARSE, "bad_profile", -1,
			"profile: third_country_max_ppm: profile %s has covered countries, "
			"not a third-country share: the CRMA report needs one such as crma",
			p.name);
	if (!rc)
		rc = crma_json(st, &p, year, &out, err);
	if (!rc)
		rc = otx_ledger_emit(out, flags, json, err);
	json_decref(out);
	json_decref(doc);
	return rc;
}

ot_status ot_ledger_report_crma(ot_ledger *l, const char *profile_json, size_t len,
                                const char *year, int flags, char **json, ot_error *err)
{
	if (!l || !profile_json || !json)
		return ot_error_set(err, OT_ERR_ARG,
		                    "report crma needs a ledger, a profile and an output");
	ot_status rc = ot_store_read_begin(l->st, err);
	if (!rc) {
		rc = otx_report_crma(l->st, profile_json, len, year, flags, json, err);
		ot_store_read_end(l->st);
	}
	return rc;
}
