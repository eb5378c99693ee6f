/*
 * rules_bulk.c: the conventions of bulk trade that the material rules
 * (rules_material.c) apply: masses weighed wet and counted dry (a lot's or a
 * receipt's `moisture_ppm`), the total mass balance of a transform on a dry
 * basis (outputs may not outweigh the inputs, tracked and external, beyond
 * the declared weighing uncertainty; what is not assigned to an output is
 * the site's process loss), and external inputs: feed from outside the
 * ledger (iron, boron, reagents), declared and signed by the transformer,
 * which enters provenance as the `external` stage at a declared-origin
 * record (docs/events.md "Bulk trade").
 */
#include "ledger/rules_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ledger/findings.h"
#include "oretrail/status.h"

static ot_status nomem(otx_rule *r)
{
	return ot_error_set(r->err, OT_ERR_NOMEM, "out of memory");
}

/* --- moisture --- */

ot_status otx_r_wet_mass(otx_rule *r, json_t *obj, const char *prefix, int64_t min, otx_mass *out)
{
	char path[OTX_PATH_MAX];
	ot_status rc;
	out->moisture = -1;
	if ((rc = otx_r_int(r, obj, prefix, "mass_g", 1, min, OTX_MASS_MAX, &out->wet)) ||
	    (rc = otx_r_int(r, obj, prefix, "moisture_ppm", 0, 0, OTX_PPM_MAX, &out->moisture)))
		return rc;
	if (!json_object_get(obj, "moisture_ppm"))
		out->moisture = -1;
	/* The water, rounded half up to the gram; the rest is dry. */
	out->dry = out->wet;
	if (out->moisture > 0)
		out->dry -= (int64_t)(((otx_u128)(uint64_t)out->wet * (uint64_t)out->moisture +
		                       500000u) /
		                      1000000u);
	if (out->dry < min)
		return otx_rfail(r, OT_ERR_RULE, "no_dry_mass",
		                 otx_rpath(path, sizeof path, prefix, "moisture_ppm"),
		                 "%" PRId64 " g at %" PRId64 " mg/kg of moisture leave no dry mass",
		                 out->wet, out->moisture);
	return OT_OK;
}

void otx_lot_set_moisture(json_t *rec, const otx_mass *m)
{
	if (m->moisture < 0)
		return;
	json_object_set_new(rec, "moisture_ppm", json_integer((json_int_t)m->moisture));
	json_object_set_new(rec, "wet_mass_g", json_integer((json_int_t)m->wet));
}

ot_status otx_check_moisture(otx_rule *r, json_t *lot, const char *cons, const otx_mass *got)
{
	json_t *shipped = json_object_get(lot, "moisture_ppm");
	if (got->moisture < 0 || !json_is_integer(shipped))
		return OT_OK;
	int64_t was = (int64_t)json_integer_value(shipped);
	int64_t diff = got->moisture > was ? got->moisture - was : was - got->moisture;
	if (diff <= OTX_MOISTURE_TOLERANCE_PPM)
		return OT_OK;
	const char *id = otx_jstr(lot, "lot");
	return otx_finding_add(r->st, r->index, "moisture_mismatch", id, r->err,
	                       "lot %s: shipped at %" PRId64 " mg/kg of moisture in consignment "
	                       "%s, received at %" PRId64 " mg/kg: %" PRId64
	                       " mg/kg apart, beyond the %d mg/kg tolerance",
	                       id, was, cons, got->moisture, diff, OTX_MOISTURE_TOLERANCE_PPM);
}

/* --- external inputs --- */

ot_status otx_external_read(otx_rule *r, json_t *item, const char *prefix, otx_external *x)
{
	char pfx[OTX_PATH_MAX];
	json_t *ext = json_object_get(item, "external");
	otx_rpath(pfx, sizeof pfx, prefix, "external");
	if (!json_is_object(ext))
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", pfx,
		                 "must be {\"material\",\"supplier\",\"country\",\"mass_g\","
		                 "\"assay\"}");
	if (json_object_size(item) != 1)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", prefix,
		                 "an external input has only \"external\": its mass and assay go "
		                 "inside it");
	ot_status rc;
	if ((rc = otx_r_enum(r, ext, pfx, "material", 1, otx_materials, &x->material)) ||
	    (rc = otx_r_str(r, ext, pfx, "supplier", 1, &x->supplier)) ||
	    (rc = otx_r_country(r, ext, pfx, "country", 1, &x->country)) ||
	    (rc = otx_r_wet_mass(r, ext, pfx, 1, &x->mass)) ||
	    (rc = otx_r_assay(r, ext, pfx, "assay", 1, &x->assay)))
		return rc;
	return OT_OK;
}

/* The record that stands for an external input in provenance: a site of
 * kind `external` at the declared country, keyed by the event and the
 * input's position. */
static ot_status external_site(otx_rule *r, const otx_external *x, const char *key,
                               const char *path)
{
	int found = 0;
	ot_status rc = otx_state_has(r->st, OTX_NS_SITE, key, &found, r->err);
	if (rc)
		return rc;
	if (found)
		return otx_rfail(r, OT_ERR_CONFLICT, "duplicate_site", path,
		                 "site %s already exists", key);
	json_t *rec =
		json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:b}", "site", key, "kind",
	                  "external", "country", x->country, "supplier", x->supplier, "material",
	                  x->material, "holder", r->signer, "index", (json_int_t)r->index, "time",
	                  r->time_str, "event", r->id, "declared", 1);
	if (!rec)
		return nomem(r);
	rc = otx_state_put_final(r->st, OTX_NS_SITE, key, rec, r->err);
	json_decref(rec);
	return rc;
}

ot_status otx_external_take(otx_rule *r, const otx_external *x, size_t i, otx_stages *pool)
{
	char key[OTX_PATH_MAX], path[OTX_PATH_MAX];
	snprintf(key, sizeof key, "external:%s:%zu", r->id, i);
	snprintf(path, sizeof path, "inputs[%zu].external", i);
	ot_status rc = external_site(r, x, key, path);
	if (rc)
		return rc;
	const char *el;
	json_t *ppm;
	json_object_foreach(x->assay, el, ppm)
	{
		uint64_t mg =
			otx_content_mg((uint64_t)x->mass.dry, (uint64_t)json_integer_value(ppm));
		if (mg && otx_vector_add(&pool->v[OTX_STAGE_EXTERNAL], el, key, mg))
			return nomem(r);
	}
	return OT_OK;
}

/* --- total mass balance --- */

ot_status otx_mass_balance(otx_rule *r, const otx_mass_sums *m, const char *site_id)
{
	char path[OTX_PATH_MAX];
	otx_u128 in = (otx_u128)(uint64_t)m->tracked_g + (uint64_t)m->external_g;
	otx_u128 allow = in * (uint64_t)(1000000 + m->uncertainty_ppm);
	if ((otx_u128)(uint64_t)m->out_g * 1000000u > allow) {
		snprintf(path, sizeof path, "outputs");
		return otx_rfail(r, OT_ERR_RULE, "mass_created", path,
		                 "the outputs weigh %" PRId64 " g dry but the inputs %" PRIu64
		                 " g dry (%" PRId64 " g tracked, %" PRId64
		                 " g external), at most %" PRIu64
		                 " g with the declared uncertainty of %" PRId64 " mg/kg",
		                 m->out_g, (uint64_t)in, m->tracked_g, m->external_g,
		                 (uint64_t)(allow / 1000000u), m->uncertainty_ppm);
	}
	if ((otx_u128)(uint64_t)m->out_g >= in)
		return OT_OK;
	/* The loss no output took (tailings not recorded as `residue`, off-gas,
	 * moisture driven off): the site's process loss. */
	int64_t loss = (int64_t)(in - (uint64_t)m->out_g);
	json_t *site = NULL;
	ot_status rc = otx_state_get(r->st, OTX_NS_SITE, site_id, &site, r->err);
	if (rc)
		return rc;
	int64_t before = otx_jint(site, "process_loss_g", 0);
	int64_t after = before > INT64_MAX - loss ? INT64_MAX : before + loss;
	if (json_object_set_new(site, "process_loss_g", json_integer(after)))
		rc = nomem(r);
	else
		rc = otx_state_put_final(r->st, OTX_NS_SITE, site_id, site, r->err);
	json_decref(site);
	return rc;
}
