/*
 * rules_recycle.c: recycled feed. A `recycle` event brings scrap into the
 * ledger at a recycler site: magnet swarf, end-of-life magnets, process
 * scrap. It makes a lot as `extract` does at a mine, but what it carries is
 * not mined: its contents enter provenance as the `recycled` stage at the
 * recycler (provenance.h), and by scrap class (post-consumer or
 * pre-consumer, the distinction ISO 14021 clause 7.8.1.1 draws for
 * recycled content) in the bookkeeping vector that follows it through
 * every later transform, so that `report recycled` can give each lot's
 * recycled content and its split (docs/events.md "Recycled feed").
 */
#include "ledger/rules_int.h"

#include <inttypes.h>
#include <string.h>

#include "oretrail/status.h"

const char *const otx_scrap_classes[] = {"post_consumer", "pre_consumer", NULL};

/* A recycle event's fields, borrowed from it. */
typedef struct recycle {
	const char *site_id, *lot, *material, *scrap, *source, *country;
	otx_mass mass;
	json_t *assay;
	int64_t unc;
	char hs[7];
} recycle;

static ot_status recycle_read(otx_rule *r, recycle *x)
{
	ot_status rc;
	if ((rc = otx_r_id(r, r->ev, NULL, "site", 1, &x->site_id)) ||
	    (rc = otx_r_id(r, r->ev, NULL, "lot", 1, &x->lot)) ||
	    (rc = otx_r_enum(r, r->ev, NULL, "material", 1, otx_materials, &x->material)) ||
	    (rc = otx_r_enum(r, r->ev, NULL, "scrap", 1, otx_scrap_classes, &x->scrap)) ||
	    (rc = otx_r_str(r, r->ev, NULL, "source", 1, &x->source)) ||
	    (rc = otx_r_country(r, r->ev, NULL, "country", 0, &x->country)) ||
	    (rc = otx_r_wet_mass(r, r->ev, NULL, 1, &x->mass)) ||
	    (rc = otx_r_assay(r, r->ev, NULL, "assay", 1, &x->assay)) ||
	    (rc = otx_r_int(r, r->ev, NULL, "uncertainty_ppm", 0, 0, OTX_UNCERTAINTY_MAX,
	                    &x->unc)) ||
	    (rc = otx_r_hs_code(r, r->ev, NULL, x->hs)))
		return rc;
	/* Recycled content is element content: feed that declares none would
	 * enter the ledger as mass that no report can count. */
	const char *el;
	json_t *ppm;
	json_object_foreach(x->assay, el, ppm)
	{
		if (json_integer_value(ppm) > 0)
			return OT_OK;
	}
	return otx_rfail(r, OT_ERR_PARSE, "bad_field", "assay",
	                 "recycled feed declares the content of at least one element");
}

/* The new lot's stage vectors: each element's content in the recycled
 * stage at the recycler, and in the scrap-class vector under its class. */
static ot_status recycle_stages(const recycle *x, otx_stages *stages)
{
	const char *el;
	json_t *ppm;
	json_object_foreach(x->assay, el, ppm)
	{
		uint64_t mg =
			otx_content_mg((uint64_t)x->mass.dry, (uint64_t)json_integer_value(ppm));
		if (!mg)
			continue;
		ot_status rc = otx_vector_add(&stages->v[OTX_STAGE_RECYCLED], el, x->site_id, mg);
		if (!rc)
			rc = otx_vector_add(&stages->v[OTX_STAGE_SCRAP], el, x->scrap, mg);
		if (rc)
			return rc;
	}
	return OT_OK;
}

ot_status otx_rule_recycle(otx_rule *r)
{
	recycle x;
	json_t *site = NULL, *rec = NULL;
	otx_vector none;
	otx_stages stages;
	memset(&x, 0, sizeof x);
	otx_vector_init(&none);
	otx_stages_init(&stages);

	ot_status rc = recycle_read(r, &x);
	if (rc || (rc = otx_source_site(r, x.site_id, "recycler", "recycling", &site)) ||
	    (rc = otx_lot_must_be_new(r, x.lot, "lot")))
		goto out;
	if ((rc = recycle_stages(&x, &stages))) {
		rc = ot_error_set(r->err, rc == OT_ERR_NOMEM ? rc : OT_ERR_RANGE,
		                  "event %s: recycled content of %s: %s", r->id, x.lot,
		                  rc == OT_ERR_NOMEM ? "out of memory"
		                                     : "an amount is out of range");
		goto out;
	}
	rec = otx_lot_new(r, x.lot, x.material, x.mass.dry, x.site_id, x.assay, x.unc);
	json_t *what = rec ? json_pack("{s:s,s:s}", "scrap", x.scrap, "source", x.source) : NULL;
	if (!what || (x.country && json_object_set_new(what, "country", json_string(x.country))) ||
	    json_object_set_new(rec, "recycled", what)) {
		rc = ot_error_set(r->err, OT_ERR_NOMEM, "out of memory");
		goto out;
	}
	otx_lot_set_moisture(rec, &x.mass);
	if ((rc = otx_lot_set_hs(r, rec, x.hs)) || (rc = otx_lot_history_add(r, rec)) ||
	    (rc = otx_lot_put(r, rec, &none, &stages)) ||
	    (rc = otx_lot_event(r, x.lot, "create", NULL)))
		goto out;

	/* The recycler's running total of feed taken in, dry grams. */
	int64_t before = otx_jint(site, "recycled_g", 0);
	int64_t after = before > INT64_MAX - x.mass.dry ? INT64_MAX : before + x.mass.dry;
	if (json_object_set_new(site, "recycled_g", json_integer(after)))
		rc = ot_error_set(r->err, OT_ERR_NOMEM, "out of memory");
	else
		rc = otx_state_put(r->st, OTX_NS_SITE, x.site_id, site, r->err);
out:
	otx_vector_free(&none);
	otx_stages_free(&stages);
	json_decref(rec);
	json_decref(site);
	return rc;
}
