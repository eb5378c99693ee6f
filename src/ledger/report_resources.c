/*
 * report_resources.c: the resources report (ot_ledger_report_resources,
 * ledger.h; `oretrail report resources`): a seller's claim of what lies in
 * the ground made checkable. Per mine, each declaration in force (one per
 * category: measured, indicated, inferred resources; proved, probable
 * reserves) with its reporting standard (JORC, NI 43-101, PERC, ...) and
 * the competent persons who attested it (`attest` events, signed by the
 * competent_person role; rules_registry.c), or none; the ore extracted to
 * date against the declared total; and over all mines, by standard, how
 * much of the declared total has any attested basis. As for the site
 * record, the declared total is measured + indicated + inferred: reserves
 * are part of the resources and are listed, not added.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger_int.h"
#include "ledger/provenance.h"
#include "ledger/rules_int.h"
#include "ledger/state.h"
#include "oretrail/status.h"

static const char *const CATEGORIES[] = {"measured", "indicated", "inferred", "proved", "probable"};
/* The first three add up to the declared total. */
#define ADDED_CATEGORIES 3

typedef struct resources {
	json_t *sites;
	json_t *by_standard; /* standard ("" for none) -> [declared_ore_t, attested_ore_t] */
	int64_t declared, attested;
	int oom;
} resources;

static ot_status nomem(ot_error *err)
{
	return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
}

/* part / whole in ppm (0..10^6 and above when part exceeds whole), or -1
 * when whole is 0. */
static json_int_t ppm(otx_u128 part, otx_u128 whole)
{
	if (!whole)
		return -1;
	otx_u128 v = part * 1000000u / whole;
	return v > (otx_u128)OTX_PPM_MAX * 1000000u ? (json_int_t)OTX_PPM_MAX * 1000000
	                                            : (json_int_t)v;
}

static json_t *ppm_json(otx_u128 part, otx_u128 whole)
{
	json_int_t v = ppm(part, whole);
	return v < 0 ? json_null() : json_integer(v);
}

static void by_standard(resources *c, const char *standard, int64_t ore_t, int attested)
{
	json_t *a = json_object_get(c->by_standard, standard);
	if (!a && json_object_set_new(c->by_standard, standard,
	                              a = json_pack("[I,I]", (json_int_t)0, (json_int_t)0)))
		a = NULL;
	if (!a ||
	    json_array_set_new(a, 0,
	                       json_integer(json_integer_value(json_array_get(a, 0)) + ore_t)) ||
	    json_array_set_new(a, 1,
	                       json_integer(json_integer_value(json_array_get(a, 1)) +
	                                    (attested ? ore_t : 0))))
		c->oom = 1;
}

/* One mine: its declarations in category order and its totals. */
static ot_status resources_site(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	resources *c = ctx;
	json_t *rec = json_loadb((const char *)value, len, 0, NULL);
	if (!rec)
		return OT_ERR_CORRUPT;
	json_t *res = json_object_get(rec, "resources"), *decls = json_array();
	int64_t declared = 0, attested = 0;
	if (!decls)
		c->oom = 1;
	for (size_t i = 0; decls && i < sizeof CATEGORIES / sizeof CATEGORIES[0]; i++) {
		json_t *d = json_object_get(res, CATEGORIES[i]);
		if (!d)
			continue;
		json_t *by = json_object_get(d, "attested");
		int64_t ore_t = otx_jint(d, "ore_t", 0);
		json_t *row = json_pack(
			"{s:s,s:O*,s:I,s:O*,s:O,s:O,s:b,s:o}", "category", CATEGORIES[i],
			"standard", json_object_get(d, "standard"), "ore_t", (json_int_t)ore_t,
			"grade", json_object_get(d, "grade"), "index", json_object_get(d, "index"),
			"time", json_object_get(d, "time"), "added", i < ADDED_CATEGORIES,
			"attested", by ? json_incref(by) : json_array());
		if (!row || json_array_append_new(decls, row))
			c->oom = 1;
		if (i < ADDED_CATEGORIES) {
			declared += ore_t;
			attested += json_array_size(by) ? ore_t : 0;
			by_standard(c, otx_jstr(d, "standard") ? otx_jstr(d, "standard") : "",
			            ore_t, json_array_size(by) > 0);
		}
	}
	int64_t extracted_g = otx_jint(rec, "extracted_g", 0);
	if (decls && strcmp(otx_jstr(rec, "kind") ? otx_jstr(rec, "kind") : "", "mine") == 0 &&
	    (json_array_size(decls) || extracted_g)) {
		otx_u128 declared_g = (otx_u128)declared * 1000000u;
		json_t *o = json_pack(
			"{s:s,s:O*,s:O*,s:O*,s:O,s:I,s:I,s:o,s:I,s:I,s:o}", "site", key, "holder",
			json_object_get(rec, "holder"), "country", json_object_get(rec, "country"),
			"operator", json_object_get(rec, "operator"), "declarations", decls,
			"declared_ore_t", (json_int_t)declared, "attested_ore_t",
			(json_int_t)attested, "attested_share_ppm",
			ppm_json((otx_u128)attested, (otx_u128)declared), "extracted_g",
			(json_int_t)extracted_g, "extracted_t",
			(json_int_t)((extracted_g + 500000) / 1000000), "extracted_share_ppm",
			ppm_json((otx_u128)extracted_g, declared_g));
		if (!o || json_array_append_new(c->sites, o))
			c->oom = 1;
		c->declared += declared;
		c->attested += attested;
	}
	json_decref(decls);
	json_decref(rec);
	return c->oom ? OT_ERR_NOMEM : OT_OK;
}

static ot_status resources_json(ot_store *st, json_t **out, ot_error *err)
{
	resources c = {json_array(), json_object(), 0, 0, 0};
	json_t *stds = json_array();
	ot_status rc = c.sites && c.by_standard && stds ? OT_OK : nomem(err);
	if (!rc && (rc = ot_store_kv_scan(st, OTX_NS_SITE, "", resources_site, &c, err)) &&
	    (rc == OT_ERR_NOMEM || rc == OT_ERR_CORRUPT))
		rc = ot_error_set(err, rc, "cannot read the sites for the resources report");
	/* by standard, in byte order of the name; none first */
	const char **names = rc ? NULL : calloc(json_object_size(c.by_standard) + 1, sizeof *names);
	size_t n = 0;
	const char *k;
	json_t *v;
	if (!rc && !names)
		rc = nomem(err);
	json_object_foreach(c.by_standard, k, v)
	{
		if (names)
			names[n++] = k;
	}
	for (size_t a = 1; names && a < n; a++)
		for (size_t b = a; b > 0 && strcmp(names[b - 1], names[b]) > 0; b--) {
			const char *t = names[b];
			names[b] = names[b - 1];
			names[b - 1] = t;
		}
	for (size_t i = 0; !rc && i < n; i++) {
		json_t *a = json_object_get(c.by_standard, names[i]);
		json_int_t d = json_integer_value(json_array_get(a, 0)),
			   t = json_integer_value(json_array_get(a, 1));
		json_t *o = json_pack("{s:o,s:I,s:I,s:o}", "standard",
		                      names[i][0] ? json_string(names[i]) : json_null(),
		                      "declared_ore_t", d, "attested_ore_t", t,
		                      "attested_share_ppm", ppm_json((otx_u128)t, (otx_u128)d));
		if (!o || json_array_append_new(stds, o))
			rc = nomem(err);
	}
	free(names);
	if (!rc &&
	    !(*out = json_pack("{s:O,s:O,s:I,s:I,s:o}", "sites", c.sites, "by_standard", stds,
	                       "declared_ore_t", (json_int_t)c.declared, "attested_ore_t",
	                       (json_int_t)c.attested, "attested_share_ppm",
	                       ppm_json((otx_u128)c.attested, (otx_u128)c.declared))))
		rc = nomem(err);
	json_decref(c.sites);
	json_decref(c.by_standard);
	json_decref(stds);
	return rc;
}

ot_status ot_ledger_report_resources(ot_ledger *l, int flags, char **json, ot_error *err)
{
	json_t *out = NULL;
	if (!l || !json)
		return ot_error_set(err, OT_ERR_ARG,
		                    "report resources needs a ledger and an output");
	*json = NULL;
	ot_status rc = ot_store_read_begin(l->st, err);
	if (!rc) {
		rc = resources_json(l->st, &out, err);
		ot_store_read_end(l->st);
	}
	if (!rc)
		rc = otx_ledger_emit(out, flags, json, err);
	json_decref(out);
	return rc;
}
