/*
 * rules_material.c: the events that move material: `extract` (a new lot at
 * a mine), `assay` (a lab certifies a lot's contents), `transform` (inputs
 * to outputs at a site: the mass and element balance), `ship` and `receive`
 * (custody across sites and borders). Each checks everything before it
 * writes anything, and keeps the lots' origin vectors (provenance.h).
 */
#include "ledger/rules_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/commit.h"
#include "ledger/findings.h"
#include "ledger/jcs.h"
#include "ledger/lineage.h"
#include "oretrail/status.h"

static ot_status nomem(otx_rule *r)
{
	return ot_error_set(r->err, OT_ERR_NOMEM, "out of memory");
}

static ot_status vec_fail(otx_rule *r, ot_status rc, const char *what)
{
	if (rc == OT_ERR_NOMEM)
		return nomem(r);
	return ot_error_set(r->err, rc == OT_ERR_CORRUPT ? OT_ERR_CORRUPT : OT_ERR_RANGE,
	                    "event %s: origin vector of %s: %s", r->id, what,
	                    rc == OT_ERR_CORRUPT ? "the stored vector is malformed"
	                                         : "an amount is out of range");
}

/* Stores the lot record with its vector as "origins" and, when stages is
 * not NULL, its stage vectors as "stages" (absent when there are none).
 * final: the overlay keeps rec itself (otx_state_put_final): the caller
 * changes nothing in it afterwards. */
static ot_status put_lot_as(otx_rule *r, json_t *rec, const otx_vector *vec,
                            const otx_stages *stages, int final)
{
	json_t *origins = otx_vector_to_json(vec);
	if (!origins || json_object_set_new(rec, "origins", origins))
		return nomem(r);
	if (stages) {
		json_t *sv = otx_stages_to_json(stages);
		if (!sv)
			return nomem(r);
		if (json_object_size(sv) == 0) {
			json_decref(sv);
			json_object_del(rec, "stages");
		} else if (json_object_set_new(rec, "stages", sv)) {
			return nomem(r);
		}
	}
	const char *id = otx_jstr(rec, "lot");
	return final ? otx_state_put_final(r->st, OTX_NS_LOT, id, rec, r->err)
	             : otx_state_put(r->st, OTX_NS_LOT, id, rec, r->err);
}

/* The rules of this file put a lot last: nothing changes it after. */
static ot_status put_lot(otx_rule *r, json_t *rec, const otx_vector *vec, const otx_stages *stages)
{
	return put_lot_as(r, rec, vec, stages, 1);
}

static json_int_t scale_mg(json_int_t mg, uint64_t num, uint64_t den);

/* Where a lot's new amounts go when an assay finds an element it had none
 * of: at its mine (made by `extract`), or at its recycler in the recycled
 * stage and its scrap class (made by `recycle`); else nowhere. */
typedef struct lot_source {
	const char *mine, *recycler, *scrap;
} lot_source;

/* One element of otx_lot_rescale. */
static ot_status rescale_element(otx_rule *r, json_t *rec, const char *el, uint64_t remaining,
                                 const lot_source *src, otx_vector *vec, otx_stages *stages)
{
	uint64_t target = otx_content_mg(remaining, (uint64_t)otx_lot_ppm(rec, el, NULL));
	uint64_t before = otx_vector_total(vec, el);
	uint64_t recycled = otx_vector_total(&stages->v[OTX_STAGE_RECYCLED], el);
	json_t *made = json_object_get(json_object_get(rec, "stage_output"), el);
	ot_status rc = OT_OK;
	if (!recycled && !src->recycler) {
		/* The stages follow the element's amount in the same proportion. */
		rc = otx_vector_set_total(vec, el, target, src->mine);
		if (!rc && before)
			rc = otx_stages_scale_element(stages, el, target, before);
	} else {
		/* With recycled feed the element's amount is what the mines, the
		 * external inputs and the recycled feed gave together: all of them
		 * follow the assay in the same proportion. */
		uint64_t whole = before + otx_unmined_total(stages, el);
		if (whole) {
			rc = otx_vector_scale_element(vec, el, target, whole);
			if (!rc)
				rc = otx_stages_scale_element(stages, el, target, whole);
		} else if (target && src->recycler && src->scrap) {
			rc = otx_vector_add(&stages->v[OTX_STAGE_RECYCLED], el, src->recycler,
			                    target);
			if (!rc)
				rc = otx_vector_add(&stages->v[OTX_STAGE_SCRAP], el, src->scrap,
				                    target);
		}
		before = whole;
	}
	/* And so does what the lot's creation added to its stage. */
	if (!rc && made && before)
		json_integer_set(made, scale_mg(json_integer_value(made), target, before));
	return rc ? vec_fail(r, rc, otx_jstr(rec, "lot")) : OT_OK;
}

ot_status otx_lot_rescale(otx_rule *r, json_t *rec, json_t *elements, json_t *more)
{
	otx_vector vec;
	otx_stages stages;
	otx_vector_init(&vec);
	otx_stages_init(&stages);
	ot_status rc;
	if ((rc = otx_vector_from_json(json_object_get(rec, "origins"), &vec)) ||
	    (rc = otx_stages_from_json(json_object_get(rec, "stages"), &stages))) {
		rc = vec_fail(r, rc, otx_jstr(rec, "lot"));
		goto out;
	}
	/* The vector follows the best estimate of the contents: each element
	 * named is rescaled to remaining mass x best content. */
	uint64_t remaining = (uint64_t)otx_jint(rec, "mass_g", 0);
	json_t *created = json_object_get(rec, "created");
	const char *type = otx_jstr(created, "type");
	lot_source src = {NULL, NULL, NULL};
	if (strcmp(type, "extract") == 0)
		src.mine = otx_jstr(created, "site");
	else if (strcmp(type, "recycle") == 0) {
		src.recycler = otx_jstr(created, "site");
		src.scrap = otx_jstr(json_object_get(rec, "recycled"), "scrap");
	}
	const char *el;
	json_t *v;
	json_object_foreach(elements, el, v)
	{
		if (remaining && (rc = rescale_element(r, rec, el, remaining, &src, &vec, &stages)))
			goto out;
	}
	json_object_foreach(more, el, v)
	{
		if (remaining && !json_object_get(elements, el) &&
		    (rc = rescale_element(r, rec, el, remaining, &src, &vec, &stages)))
			goto out;
	}
	rc = put_lot(r, rec, &vec, &stages);
out:
	otx_vector_free(&vec);
	otx_stages_free(&stages);
	return rc;
}

static json_t *new_lot(otx_rule *r, const char *lot, const char *material, int64_t mass,
                       const char *site, json_t *assay, int64_t uncertainty)
{
	return json_pack("{s:s,s:s,s:I,s:I,s:s,s:s,s:s,s:{s:I,s:s,s:s,s:s,s:s},s:O,s:I}", "lot",
	                 lot, "material", material, "mass_g", (json_int_t)mass, "initial_g",
	                 (json_int_t)mass, "holder", r->signer, "site", site, "status", "held",
	                 "created", "index", (json_int_t)r->index, "type", r->type, "id", r->id,
	                 "site", site, "time", r->time_str, "assay", assay, "uncertainty_ppm",
	                 (json_int_t)uncertainty);
}

/* mg x num / den, exact in 128 bits, within what JSON holds exactly. */
static json_int_t scale_mg(json_int_t mg, uint64_t num, uint64_t den)
{
	__extension__ typedef unsigned __int128 u128;
	u128 x = (u128)(mg < 0 ? 0 : mg) * num / den;
	return x > (u128)OTX_JSON_INT_MAX ? (json_int_t)OTX_JSON_INT_MAX : (json_int_t)x;
}

static ot_status lot_must_be_new(otx_rule *r, const char *lot, const char *path)
{
	json_t *prev = NULL;
	ot_status rc = otx_state_get(r->st, OTX_NS_LOT, lot, &prev, r->err);
	if (rc == OT_ERR_NOTFOUND)
		return OT_OK;
	if (rc)
		return rc;
	rc = otx_rfail(r, OT_ERR_CONFLICT, "duplicate_lot", path,
	               "lot %s already exists (created at entry %" PRId64 ")", lot,
	               otx_jint(json_object_get(prev, "created"), "index", -1));
	json_decref(prev);
	return rc;
}

/* --- extract --- */

ot_status otx_source_site(otx_rule *r, const char *site_id, const char *kind, const char *what,
                          json_t **site)
{
	ot_status rc = otx_load_site(r, site_id, "site", site);
	if (rc)
		return rc;
	if (strcmp(otx_jstr(*site, "kind"), kind) != 0)
		return otx_rfail(r, OT_ERR_RULE, "wrong_site_kind", "site",
		                 "site %s is a %s; %s happens at a %s", site_id,
		                 otx_jstr(*site, "kind"), what, kind);
	if (strcmp(otx_jstr(*site, "holder"), r->signer) != 0)
		return otx_rfail(r, OT_ERR_SIGNER, "not_site_holder", "site",
		                 "%s %s is held by %s, not by %s", kind, site_id,
		                 otx_jstr(*site, "holder"), r->signer);
	return otx_check_licence(r, *site, "site");
}

ot_status otx_rule_extract(otx_rule *r)
{
	const char *site_id, *lot, *material;
	char hs[7];
	int64_t mass = 0, unc = 0;
	otx_mass wm;
	json_t *assay, *site = NULL, *rec = NULL;
	otx_vector vec;
	otx_vector_init(&vec);

	ot_status rc;
	if ((rc = otx_r_id(r, r->ev, NULL, "site", 1, &site_id)) ||
	    (rc = otx_r_id(r, r->ev, NULL, "lot", 1, &lot)) ||
	    (rc = otx_r_enum(r, r->ev, NULL, "material", 1, otx_materials, &material)) ||
	    (rc = otx_r_wet_mass(r, r->ev, NULL, 1, &wm)) ||
	    (rc = otx_r_assay(r, r->ev, NULL, "assay", 1, &assay)) ||
	    (rc = otx_r_int(r, r->ev, NULL, "uncertainty_ppm", 0, 0, OTX_UNCERTAINTY_MAX, &unc)) ||
	    (rc = otx_r_hs_code(r, r->ev, NULL, hs)))
		return rc;
	mass = wm.dry;
	if ((rc = otx_source_site(r, site_id, "mine", "extraction", &site)) ||
	    (rc = lot_must_be_new(r, lot, "lot")))
		goto out;

	const char *el;
	json_t *ppm;
	json_object_foreach(assay, el, ppm)
	{
		rc = otx_vector_add(
			&vec, el, site_id,
			otx_content_mg((uint64_t)mass, (uint64_t)json_integer_value(ppm)));
		if (rc) {
			rc = vec_fail(r, rc, lot);
			goto out;
		}
	}
	rec = new_lot(r, lot, material, mass, site_id, assay, unc);
	if (!rec) {
		rc = nomem(r);
		goto out;
	}
	otx_lot_set_moisture(rec, &wm);
	if ((rc = otx_lot_set_hs(r, rec, hs)) || (rc = otx_lot_history_add(r, rec)) ||
	    (rc = put_lot(r, rec, &vec, NULL)) || (rc = otx_lot_event(r, lot, "create", NULL)))
		goto out;

	/* The mine's running total, and the finding when it passes the
	 * declared resources. */
	int64_t before = otx_jint(site, "extracted_g", 0);
	int64_t after = before > INT64_MAX - mass ? INT64_MAX : before + mass;
	otx_u128 declared_g = (otx_u128)(uint64_t)otx_jint(site, "declared_ore_t", 0) * 1000000u;
	json_object_set_new(site, "extracted_g", json_integer(after));
	/* site is this rule's own copy (otx_state_get), only read from here. */
	if ((rc = otx_state_put_final(r->st, OTX_NS_SITE, site_id, site, r->err)))
		goto out;
	if ((otx_u128)before <= declared_g && (otx_u128)after > declared_g) {
		if (declared_g == 0)
			rc = otx_finding_add_values(
				r->st, r->index, "extraction_beyond_resource", site_id,
				json_pack("{s:I}", "mass_g", (json_int_t)mass), r->err,
				"mine %s: extraction of %" PRId64
				" g without any declared resource",
				site_id, mass);
		else
			rc = otx_finding_add_values(
				r->st, r->index, "extraction_beyond_resource", site_id,
				json_pack("{s:I}", "extracted_g", (json_int_t)after), r->err,
				"mine %s: %" PRId64 " g extracted in all, beyond the %" PRId64
				" t of declared resources (measured, indicated, inferred)",
				site_id, after, otx_jint(site, "declared_ore_t", 0));
	}
out:
	otx_vector_free(&vec);
	json_decref(rec);
	json_decref(site);
	return rc;
}

/* --- transform --- */

static const char *const PROCESSES[] = {"beneficiation", "cracking", "leaching",      "separation",
                                        "smelting",      "refining", "blending",      "split",
                                        "merge",         "alloying", "magnet_making", NULL};

typedef struct tin {
	const char *lot; /* NULL for an external input */
	int64_t used;
	otx_external ext; /* an external input's declaration */
	json_t *rec;
	otx_vector vec;
	otx_stages stages;
} tin;

typedef struct tout {
	const char *lot;
	const char *material;
	int64_t mass; /* dry */
	otx_mass weighed;
	json_t *assay;
	int64_t unc;
	char hs[7]; /* the HS code, "" when not given */
	otx_vector vec;
	otx_stages stages;
} tout;

static int64_t ppm_of(json_t *assay, const char *el)
{
	json_t *v = json_object_get(assay, el);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

/* No element from nothing: for each element, what the outputs hold must not
 * exceed what the inputs used hold, allowing the inputs' stated assay
 * uncertainty (certified assays where there are). */
static ot_status element_balance(otx_rule *r, tin *in, size_t nin, tout *out, size_t nout)
{
	char path[OTX_PATH_MAX], g1[48], g2[48], g3[48];
	for (size_t j = 0; j < nout; j++) {
		const char *el;
		json_t *p;
		json_object_foreach(out[j].assay, el, p)
		{
			if (json_integer_value(p) <= 0)
				continue;
			/* Check each element once: at its first output. */
			size_t first = 0;
			while (first < j && ppm_of(out[first].assay, el) <= 0)
				first++;
			if (first < j)
				continue;
			otx_u128 out_ug = 0, in_ug = 0, in_allow = 0;
			for (size_t k = 0; k < nout; k++)
				out_ug += (otx_u128)(uint64_t)out[k].mass *
				          (uint64_t)ppm_of(out[k].assay, el);
			for (size_t i = 0; i < nin; i++) {
				int64_t unc = 0;
				int64_t ppm = in[i].lot ? otx_lot_ppm(in[i].rec, el, &unc)
				                        : ppm_of(in[i].ext.assay, el);
				otx_u128 ug = (otx_u128)(uint64_t)in[i].used * (uint64_t)ppm;
				in_ug += ug;
				in_allow += ug * (uint64_t)(1000000 + unc);
			}
			if (out_ug * 1000000u <= in_allow)
				continue;
			snprintf(path, sizeof path, "outputs[%zu].assay.%s", j, el);
			if (in_ug == 0)
				return otx_rfail(
					r, OT_ERR_RULE, "element_created", path,
					"the outputs hold %s of %s but the inputs hold none",
					otx_fmt_grams(g1, sizeof g1, out_ug), el);
			return otx_rfail(
				r, OT_ERR_RULE, "element_created", path,
				"the outputs hold %s of %s but the inputs hold %s, at most %s "
				"with their assay uncertainty",
				otx_fmt_grams(g1, sizeof g1, out_ug), el,
				otx_fmt_grams(g2, sizeof g2, in_ug),
				otx_fmt_grams(g3, sizeof g3, in_allow / 1000000u));
		}
	}
	return OT_OK;
}

static ot_status read_transform(otx_rule *r, json_t *inputs, json_t *outputs, tin *in, tout *out)
{
	char pfx[64], path[OTX_PATH_MAX];
	ot_status rc;
	int64_t total = 0;
	size_t nin = json_array_size(inputs), nout = json_array_size(outputs);
	for (size_t i = 0; i < nin; i++) {
		json_t *it = json_array_get(inputs, i);
		snprintf(pfx, sizeof pfx, "inputs[%zu]", i);
		if (!json_is_object(it))
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", pfx,
			                 "must be {\"lot\":...,\"mass_g\":...} or "
			                 "{\"external\":{...}}");
		if (json_object_get(it, "external")) {
			if ((rc = otx_external_read(r, it, pfx, &in[i].ext)))
				return rc;
			in[i].used = in[i].ext.mass.dry;
		} else if ((rc = otx_r_id(r, it, pfx, "lot", 1, &in[i].lot)) ||
		           (rc = otx_r_int(r, it, pfx, "mass_g", 1, 1, OTX_MASS_MAX, &in[i].used)))
			return rc;
		for (size_t k = 0; in[i].lot && k < i; k++)
			if (in[k].lot && strcmp(in[k].lot, in[i].lot) == 0)
				return otx_rfail(r, OT_ERR_PARSE, "bad_field",
				                 otx_rpath(path, sizeof path, pfx, "lot"),
				                 "lot %s is already used by inputs[%zu]", in[i].lot,
				                 k);
		total += in[i].used;
		if (total > OTX_MASS_MAX)
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", "inputs",
			                 "one transform uses at most %" PRId64 " g in all",
			                 OTX_MASS_MAX);
	}
	for (size_t j = 0; j < nout; j++) {
		json_t *it = json_array_get(outputs, j);
		snprintf(pfx, sizeof pfx, "outputs[%zu]", j);
		if (!json_is_object(it))
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", pfx,
			                 "must be {\"lot\",\"material\",\"mass_g\",\"assay\"}");
		if ((rc = otx_r_id(r, it, pfx, "lot", 1, &out[j].lot)) ||
		    (rc = otx_r_enum(r, it, pfx, "material", 1, otx_materials, &out[j].material)) ||
		    (rc = otx_r_wet_mass(r, it, pfx, 1, &out[j].weighed)) ||
		    (rc = otx_r_assay(r, it, pfx, "assay", 1, &out[j].assay)) ||
		    (rc = otx_r_int(r, it, pfx, "uncertainty_ppm", 0, 0, OTX_UNCERTAINTY_MAX,
		                    &out[j].unc)) ||
		    (rc = otx_r_hs_code(r, it, pfx, out[j].hs)))
			return rc;
		out[j].mass = out[j].weighed.dry;
		otx_rpath(path, sizeof path, pfx, "lot");
		for (size_t k = 0; k < j; k++)
			if (strcmp(out[k].lot, out[j].lot) == 0)
				return otx_rfail(r, OT_ERR_CONFLICT, "duplicate_lot", path,
				                 "lot %s is already made by outputs[%zu]",
				                 out[j].lot, k);
		for (size_t k = 0; k < nin; k++)
			if (in[k].lot && strcmp(in[k].lot, out[j].lot) == 0)
				return otx_rfail(r, OT_ERR_CONFLICT, "duplicate_lot", path,
				                 "lot %s is also an input (inputs[%zu])",
				                 out[j].lot, k);
	}
	return OT_OK;
}

/* The ancestry record of a transform's outputs (lineage.h): each input's
 * own history, and its inherited ancestry copied in while small, else
 * referenced. */
static ot_status inherited_ancestry(otx_rule *r, tin *in, size_t nin, ot_buf *out)
{
	otx_lineage acc, one;
	size_t copied = 0; /* items copied from the inputs' records */
	ot_buf own;
	ot_status rc = OT_OK;
	otx_lineage_init(&acc);
	otx_lineage_init(&one);
	ot_buf_init(&own, 0);
	for (size_t i = 0; i < nin && !rc; i++) {
		json_t *h = json_object_get(in[i].rec, "history");
		for (size_t k = 0; k < json_array_size(h) && !rc; k++) {
			json_t *e = json_array_get(h, k);
			rc = ot_buf_printf(&own, "%" PRId64 " %s %s\n",
			                   (int64_t)json_integer_value(json_array_get(e, 0)),
			                   json_string_value(json_array_get(e, 1)),
			                   json_string_value(json_array_get(e, 2)));
		}
	}
	if (rc) {
		rc = ot_error_set(r->err, rc, "event %s: the inputs' history is too long", r->id);
		goto out;
	}
	uint8_t *text = NULL;
	size_t len = 0;
	if (own.len && (rc = ot_buf_detach(&own, &text, &len)))
		goto nomem;
	if (text && (rc = otx_lineage_add_text(&acc, text, len)))
		goto corrupt;
	for (size_t i = 0; i < nin && !rc; i++) {
		if (!in[i].lot)
			continue;
		otx_lineage_free(&one);
		len = 0;
		rc = otx_state_get_raw(r->st, OTX_NS_ANCESTRY, in[i].lot, &text, &len, NULL);
		if (rc == OT_ERR_NOTFOUND) {
			rc = OT_OK;
			continue;
		}
		if (rc) {
			rc = otx_state_get_raw(r->st, OTX_NS_ANCESTRY, in[i].lot, &text, &len,
			                       r->err);
			goto out;
		}
		if ((rc = otx_lineage_add_text(&one, text, len)))
			goto corrupt;
		if (copied + one.n + one.nrefs <= OTX_LINEAGE_INLINE) {
			copied += one.n + one.nrefs;
			rc = otx_lineage_absorb(&acc, &one);
		} else
			rc = otx_lineage_add_ref(&acc, in[i].lot);
		if (rc)
			goto nomem;
	}
	otx_lineage_sort(&acc);
	if ((rc = otx_lineage_write(&acc, out)))
		rc = ot_error_set(r->err, rc, "event %s: the outputs' ancestry is too long", r->id);
	goto out;
nomem:
	rc = nomem(r);
	goto out;
corrupt:
	if (rc == OT_ERR_NOMEM)
		rc = nomem(r);
	else
		rc = ot_error_set(r->err, OT_ERR_CORRUPT,
		                  "event %s: an input's ancestry is malformed", r->id);
out:
	otx_lineage_free(&acc);
	otx_lineage_free(&one);
	ot_buf_free(&own);
	return rc;
}

/* A transform being checked and applied: its fields, inputs and outputs,
 * and the pool of origins the inputs give up. */
typedef struct transform {
	const char *site_id, *process;
	int64_t mass_unc;         /* the declared weighing uncertainty, mg/kg */
	json_t *inputs, *outputs; /* borrowed from the event */
	json_t *site, *parents;
	tin *in;
	tout *out;
	size_t nin, nout;
	otx_vector pool;
	otx_stages stage_pool;
	int stage;         /* the process's stage, -1: none (blending, split, merge) */
	ot_buf ancestry;   /* the outputs' inherited ancestry */
	const char *owner; /* the inputs' owner (borrowed): the outputs' too */
} transform;

static void transform_free(transform *t)
{
	for (size_t i = 0; t->in && i < t->nin; i++) {
		json_decref(t->in[i].rec);
		otx_vector_free(&t->in[i].vec);
		otx_stages_free(&t->in[i].stages);
	}
	for (size_t j = 0; t->out && j < t->nout; j++) {
		otx_vector_free(&t->out[j].vec);
		otx_stages_free(&t->out[j].stages);
	}
	free(t->in);
	free(t->out);
	otx_vector_free(&t->pool);
	otx_stages_free(&t->stage_pool);
	ot_buf_free(&t->ancestry);
	json_decref(t->parents);
	json_decref(t->site);
}

/* The event's fields, its inputs and its outputs. */
static ot_status transform_read(otx_rule *r, transform *t)
{
	ot_status rc;
	if ((rc = otx_r_id(r, r->ev, NULL, "site", 1, &t->site_id)) ||
	    (rc = otx_r_enum(r, r->ev, NULL, "process", 1, PROCESSES, &t->process)) ||
	    (rc = otx_r_array(r, r->ev, NULL, "inputs", 1, OTX_ITEMS_MAX, &t->inputs)) ||
	    (rc = otx_r_array(r, r->ev, NULL, "outputs", 1, OTX_ITEMS_MAX, &t->outputs)) ||
	    (rc = otx_r_int(r, r->ev, NULL, "mass_uncertainty_ppm", 0, 0, OTX_UNCERTAINTY_MAX,
	                    &t->mass_unc)))
		return rc;
	t->nin = json_array_size(t->inputs);
	t->nout = json_array_size(t->outputs);
	t->in = calloc(t->nin, sizeof *t->in);
	t->out = calloc(t->nout, sizeof *t->out);
	if (!t->in || !t->out)
		return nomem(r);
	for (size_t i = 0; i < t->nin; i++) {
		otx_vector_init(&t->in[i].vec);
		otx_stages_init(&t->in[i].stages);
	}
	for (size_t j = 0; j < t->nout; j++) {
		otx_vector_init(&t->out[j].vec);
		otx_stages_init(&t->out[j].stages);
	}
	t->stage = otx_process_stage(t->process);
	return read_transform(r, t->inputs, t->outputs, t->in, t->out);
}

/* The site: a plant, or a mine with its concentrator; blending, split and
 * merge also at a port or warehouse. */
static ot_status transform_check_site(otx_rule *r, transform *t)
{
	ot_status rc = otx_peek_site(r, t->site_id, "site", &t->site);
	if (rc)
		return rc;
	const char *kind = otx_jstr(t->site, "kind"), *process = t->process;
	int handling = !strcmp(process, "blending") || !strcmp(process, "split") ||
	               !strcmp(process, "merge");
	if (!(strcmp(kind, "plant") == 0 || strcmp(kind, "mine") == 0 ||
	      (handling && (strcmp(kind, "port") == 0 || strcmp(kind, "warehouse") == 0))))
		return otx_rfail(r, OT_ERR_RULE, "wrong_site_kind", "site",
		                 "site %s is a %s; %s happens at a plant or a mine%s", t->site_id,
		                 kind, process, handling ? ", port or warehouse" : "");
	return otx_check_licence(r, t->site, "site");
}

/* An event claimed before something it follows in the log (`since`, the
 * claimed time of `what` of `subject`) is the out_of_order finding, not a
 * rejection: the log's order is what happened, the claim is a claim. */
static ot_status out_of_order(otx_rule *r, const char *since, const char *subject, const char *what)
{
	int64_t t;
	if (!since || otx_parse_time(since, &t) != OT_OK || r->time >= t)
		return OT_OK;
	return otx_finding_add_values(
		r->st, r->index, "out_of_order", subject,
		json_pack("{s:s,s:s}", "claimed", r->time_str, "earlier", since), r->err,
		"%s %s claims %s, before %s (%s, claimed %s)", r->type, r->id, r->time_str, what,
		subject, since);
}

/* Every input held at the site with the mass used; every output new. */
static ot_status transform_check_lots(otx_rule *r, transform *t)
{
	char pfx[64], path[OTX_PATH_MAX];
	ot_status rc;
	for (size_t i = 0; i < t->nin; i++) {
		tin *in = &t->in[i];
		if (!in->lot)
			continue;
		snprintf(pfx, sizeof pfx, "inputs[%zu]", i);
		otx_rpath(path, sizeof path, pfx, "lot");
		if ((rc = otx_load_lot(r, in->lot, path, &in->rec)) ||
		    (rc = otx_check_custody(r, in->rec, t->site_id, path)) ||
		    (rc = otx_title_merge(r, in->rec, path, &t->owner)))
			return rc;
		if ((rc = out_of_order(r, otx_jstr(in->rec, "received_time"), in->lot,
		                       "its input arrived")))
			return rc;
		int64_t remaining = otx_jint(in->rec, "mass_g", 0);
		if (in->used > remaining)
			return otx_rfail(r, OT_ERR_RULE, "mass_exceeded",
			                 otx_rpath(path, sizeof path, pfx, "mass_g"),
			                 "uses %" PRId64 " g of %s but only %" PRId64 " g remain",
			                 in->used, in->lot, remaining);
	}
	for (size_t j = 0; j < t->nout; j++) {
		snprintf(pfx, sizeof pfx, "outputs[%zu]", j);
		if ((rc = lot_must_be_new(r, t->out[j].lot,
		                          otx_rpath(path, sizeof path, pfx, "lot"))))
			return rc;
	}
	return OT_OK;
}

/* Effects on the inputs: each gives up used/remaining of its origin vector
 * into the pool, and what is left of it is written back. */
static ot_status transform_take_inputs(otx_rule *r, transform *t)
{
	ot_status rc;
	t->parents = json_array();
	if (!t->parents)
		return nomem(r);
	for (size_t i = 0; i < t->nin; i++) {
		tin *in = &t->in[i];
		if (!in->lot) {
			if ((rc = otx_external_take(r, &in->ext, i, &t->stage_pool)))
				return rc;
			continue;
		}
		int64_t remaining = otx_jint(in->rec, "mass_g", 0);
		if ((rc = otx_vector_from_json(json_object_get(in->rec, "origins"), &in->vec)) ||
		    (rc = otx_stages_from_json(json_object_get(in->rec, "stages"), &in->stages)) ||
		    (rc = otx_vector_take(&in->vec, (uint64_t)in->used, (uint64_t)remaining,
		                          &t->pool)) ||
		    (rc = otx_stages_take(&in->stages, (uint64_t)in->used, (uint64_t)remaining,
		                          &t->stage_pool)))
			return vec_fail(r, rc, in->lot);
		remaining -= in->used;
		json_object_set_new(in->rec, "mass_g", json_integer(remaining));
		if (remaining == 0)
			json_object_set_new(in->rec, "status", json_string("consumed"));
		json_array_append_new(t->parents, json_string(in->lot));
		if ((rc = put_lot(r, in->rec, &in->vec, &in->stages)) ||
		    (rc = otx_lot_event(r, in->lot, "use", NULL)))
			return rc;
	}
	return OT_OK;
}

/* Splits the pool of element `el` over the outputs by their content. */
static ot_status transform_split_element(otx_rule *r, transform *t, const char *el)
{
	uint64_t claim = 0;
	for (size_t k = 0; k < t->nout; k++)
		claim += otx_content_mg((uint64_t)t->out[k].mass,
		                        (uint64_t)ppm_of(t->out[k].assay, el));
	uint64_t have = otx_vector_total(&t->pool, el) + otx_unmined_total(&t->stage_pool, el);
	uint64_t den = have > claim ? have : claim;
	for (size_t k = 0; k < t->nout && den > 0; k++) {
		uint64_t c = otx_content_mg((uint64_t)t->out[k].mass,
		                            (uint64_t)ppm_of(t->out[k].assay, el));
		if (c == 0)
			continue;
		ot_status rc = otx_vector_take_element(&t->pool, el, c, den, &t->out[k].vec);
		if (!rc)
			rc = otx_stages_take_element(&t->stage_pool, el, c, den, &t->out[k].stages);
		if (rc)
			return vec_fail(r, rc, t->out[k].lot);
		den -= c;
	}
	return OT_OK;
}

/* Each element's pool is split over the outputs, once: at the first output
 * that assays it. */
static ot_status transform_split_pool(otx_rule *r, transform *t)
{
	for (size_t j = 0; j < t->nout; j++) {
		const char *el;
		json_t *p;
		json_object_foreach(t->out[j].assay, el, p)
		{
			size_t first = 0;
			while (first < j && ppm_of(t->out[first].assay, el) <= 0)
				first++;
			if (json_integer_value(p) <= 0 || first < j)
				continue;
			ot_status rc = transform_split_element(r, t, el);
			if (rc)
				return rc;
		}
	}
	return OT_OK;
}

/* Adds to the output's stage of the process, per element, the sum of v. */
static ot_status stage_add_sums(otx_rule *r, transform *t, tout *o, const otx_vector *v)
{
	for (size_t i = 0; i < v->n; i++) {
		size_t b = i;
		uint64_t sum = 0;
		while (b < v->n && strcmp(v->items[b].element, v->items[i].element) == 0)
			sum += v->items[b++].mg; /* below 10^18 in a valid vector */
		ot_status rc = otx_vector_add(&o->stages.v[t->stage], v->items[i].element,
		                              t->site_id, sum);
		if (rc)
			return vec_fail(r, rc, o->lot);
		i = b - 1;
	}
	return OT_OK;
}

/* Each element of v with the stage's inherited total of it, before the
 * process adds to the stage. */
static ot_status stage_note_inherited(otx_rule *r, transform *t, tout *o, const otx_vector *v,
                                      json_t *inherited)
{
	for (size_t i = 0; i < v->n; i++) {
		const char *el = v->items[i].element;
		if (json_object_get(inherited, el))
			continue;
		uint64_t had = otx_vector_total(&o->stages.v[t->stage], el);
		if (json_object_set_new(inherited, el, json_integer((json_int_t)had)))
			return nomem(r);
	}
	return OT_OK;
}

/* The process's own stage: each output's whole amount of each element, at
 * this site: what it has from mines, external inputs and recycled feed. What of it
 * had not passed this stage before (the amount less the stage's inherited
 * total) is the stage's new output, counted once: `stage_output` {element:
 * mg} in the record (`oretrail report crma`). */
static ot_status transform_add_stage(otx_rule *r, transform *t, tout *o, json_t *stage_output)
{
	if (t->stage <= OTX_STAGE_MINED)
		return OT_OK;
	json_t *inherited = json_object();
	if (!inherited)
		return nomem(r);
	const otx_vector *ext = &o->stages.v[OTX_STAGE_EXTERNAL];
	const otx_vector *rec = &o->stages.v[OTX_STAGE_RECYCLED];
	ot_status rc = stage_note_inherited(r, t, o, &o->vec, inherited);
	if (!rc)
		rc = stage_note_inherited(r, t, o, ext, inherited);
	if (!rc)
		rc = stage_note_inherited(r, t, o, rec, inherited);
	if (!rc)
		rc = stage_add_sums(r, t, o, &o->vec);
	if (!rc)
		rc = stage_add_sums(r, t, o, ext);
	if (!rc)
		rc = stage_add_sums(r, t, o, rec);
	const char *el;
	json_t *had;
	json_object_foreach(inherited, el, had)
	{
		if (rc)
			break;
		/* now = inherited + what the process added (the whole amount) */
		uint64_t now = otx_vector_total(&o->stages.v[t->stage], el);
		uint64_t before = (uint64_t)json_integer_value(had);
		uint64_t whole = now - before;
		if (whole > before &&
		    json_object_set_new(stage_output, el,
		                        json_integer((json_int_t)(whole - before))))
			rc = nomem(r);
	}
	json_decref(inherited);
	return rc;
}

/* The total mass balance, dry: see otx_mass_balance. */
static ot_status transform_mass_balance(otx_rule *r, transform *t)
{
	otx_mass_sums m = {0, 0, 0, t->mass_unc};
	for (size_t i = 0; i < t->nin; i++) {
		if (t->in[i].lot)
			m.tracked_g += t->in[i].used;
		else
			m.external_g += t->in[i].used;
	}
	for (size_t j = 0; j < t->nout; j++)
		m.out_g += t->out[j].mass;
	return otx_mass_balance(r, &m, t->site_id);
}

/* The output lots, with their histories and inherited ancestry. */
static ot_status transform_write_outputs(otx_rule *r, transform *t)
{
	for (size_t j = 0; j < t->nout; j++) {
		tout *o = &t->out[j];
		json_t *stage_output = json_object();
		if (!stage_output)
			return nomem(r);
		ot_status rc = transform_add_stage(r, t, o, stage_output);
		json_t *rec =
			rc ? NULL
			   : new_lot(r, o->lot, o->material, o->mass, t->site_id, o->assay, o->unc);
		if (!rec) {
			json_decref(stage_output);
			return rc ? rc : nomem(r);
		}
		json_object_set_new(rec, "process", json_string(t->process));
		/* Toll processing: the outputs stay with the inputs' owner. */
		if (otx_lot_set_owner(rec, t->owner)) {
			json_decref(rec);
			json_decref(stage_output);
			return nomem(r);
		}
		if (json_object_size(stage_output))
			json_object_set(rec, "stage_output", stage_output);
		json_decref(stage_output);
		otx_lot_set_moisture(rec, &o->weighed);
		rc = otx_lot_set_hs(r, rec, o->hs);
		if (!rc)
			rc = otx_lot_history_add(r, rec);
		if (!rc)
			rc = put_lot(r, rec, &o->vec, &o->stages);
		json_decref(rec);
		if (rc || (rc = otx_lot_event(r, o->lot, "create", t->parents)))
			return rc;
		if (t->ancestry.len &&
		    (rc = otx_state_put_raw(r->st, OTX_NS_ANCESTRY, o->lot, t->ancestry.data,
		                            t->ancestry.len, r->err)))
			return rc;
	}
	return OT_OK;
}

ot_status otx_rule_transform(otx_rule *r)
{
	transform t;
	memset(&t, 0, sizeof t);
	otx_vector_init(&t.pool);
	otx_stages_init(&t.stage_pool);
	ot_buf_init(&t.ancestry, 0);
	ot_status rc;
	if ((rc = transform_read(r, &t)) || (rc = transform_check_site(r, &t)) ||
	    (rc = transform_check_lots(r, &t)) ||
	    (rc = element_balance(r, t.in, t.nin, t.out, t.nout)) ||
	    (rc = transform_mass_balance(r, &t)) ||
	    /* The outputs inherit their inputs' ancestries and histories. */
	    (rc = inherited_ancestry(r, t.in, t.nin, &t.ancestry)) ||
	    (rc = transform_take_inputs(r, &t)) || (rc = transform_split_pool(r, &t)))
		goto done;
	rc = transform_write_outputs(r, &t);
done:
	transform_free(&t);
	return rc;
}

/* --- ship --- */

/* Country of a site, through a small cache (site -> country). */
static const char *site_country(otx_rule *r, json_t *cache, const char *site)
{
	const char *c = json_string_value(json_object_get(cache, site));
	if (c)
		return c;
	json_t *rec = NULL;
	if (otx_state_get(r->st, OTX_NS_SITE, site, &rec, NULL) != OT_OK)
		return "";
	json_object_set(cache, site, json_object_get(rec, "country"));
	json_decref(rec);
	c = json_string_value(json_object_get(cache, site));
	return c ? c : "";
}

/* What a shipped lot holds, for the reports: content by element and origin
 * by country. */
static json_t *shipped_lot(otx_rule *r, json_t *cache, json_t *lot, int64_t mass)
{
	json_t *content = json_object(), *countries = json_object();
	json_t *assay = otx_lot_best_assay(lot);
	const char *el;
	json_t *p;
	json_object_foreach(assay, el, p)
	{
		uint64_t mg = otx_content_mg((uint64_t)mass, (uint64_t)json_integer_value(p));
		if (mg)
			json_object_set_new(content, el, json_integer((json_int_t)mg));
	}
	json_t *origins = json_object_get(lot, "origins");
	json_t *sites;
	json_object_foreach(origins, el, sites)
	{
		json_t *by = json_object();
		const char *site;
		json_t *mg;
		json_object_foreach(sites, site, mg)
		{
			const char *c = site_country(r, cache, site);
			json_int_t sum =
				json_integer_value(json_object_get(by, c)) + json_integer_value(mg);
			json_object_set_new(by, c, json_integer(sum));
		}
		json_object_set_new(countries, el, by);
	}
	json_decref(assay);
	return json_pack("{s:s,s:I,s:o,s:o}", "lot", otx_jstr(lot, "lot"), "mass_g",
	                 (json_int_t)mass, "content_mg", content, "origin_countries", countries);
}

/* A consignment being shipped: the event's fields, the sites, the lots
 * (their records, in the event's order) and the consignment's record. */
typedef struct ship {
	const char *cons, *from, *to, *consignee;
	json_t *lots, *hs, *value, *permit; /* borrowed from the event */
	json_t *from_site, *to_site;
	json_t **lot_recs;
	otx_ship_part *parts; /* the entries: whole lots or parts (rules_partial.c) */
	size_t n;
	const char *from_country, *to_country; /* borrowed from the sites */
	json_t *entries, *cache, *rec;
} ship;

/* Frees the lot records a ship or receive loaded (NULL-safe). */
static void free_lot_recs(json_t **lot_recs, size_t n)
{
	for (size_t i = 0; lot_recs && i < n; i++)
		json_decref(lot_recs[i]);
	free(lot_recs);
}

static void ship_free(ship *s)
{
	free_lot_recs(s->lot_recs, s->n);
	free(s->parts);
	json_decref(s->cache);
	json_decref(s->entries);
	json_decref(s->rec);
	json_decref(s->from_site);
	json_decref(s->to_site);
}

/* The event's fields: each lot listed once, the HS codes and the permit
 * well formed, and a consignment that leaves its site. */
static ot_status ship_read(otx_rule *r, ship *s)
{
	char path[OTX_PATH_MAX];
	ot_status rc;
	if ((rc = otx_r_id(r, r->ev, NULL, "consignment", 1, &s->cons)) ||
	    (rc = otx_r_id(r, r->ev, NULL, "from", 1, &s->from)) ||
	    (rc = otx_r_id(r, r->ev, NULL, "to", 1, &s->to)) ||
	    (rc = otx_r_actor_id(r, r->ev, NULL, "consignee", 1, &s->consignee)) ||
	    (rc = otx_r_array(r, r->ev, NULL, "lots", 1, OTX_ITEMS_MAX, &s->lots)) ||
	    (rc = otx_r_value(r, r->ev, NULL, "hs", 0, 1, &s->hs)) ||
	    (rc = otx_r_money(r, r->ev, NULL, "value", 0, 1, 0, &s->value)) ||
	    (rc = otx_r_value(r, r->ev, NULL, "permit", 0, 1, &s->permit)))
		return rc;
	s->n = json_array_size(s->lots);
	s->parts = calloc(s->n, sizeof *s->parts);
	if (!s->parts)
		return nomem(r);
	for (size_t i = 0; i < s->n; i++) {
		otx_ship_part *p = &s->parts[i];
		if ((rc = otx_ship_entry_read(r, json_array_get(s->lots, i), i, p)))
			return rc;
		snprintf(path, sizeof path, "lots[%zu]", i);
		for (size_t k = 0; k < i; k++) {
			const otx_ship_part *q = &s->parts[k];
			if (strcmp(p->lot, q->lot) == 0 && !(p->as && q->as))
				return otx_rfail(r, OT_ERR_PARSE, "bad_field", path,
				                 "lot %s is listed twice", p->lot);
			if (p->as &&
			    (strcmp(p->as, q->lot) == 0 || (q->as && strcmp(p->as, q->as) == 0)))
				return otx_rfail(r, OT_ERR_PARSE, "bad_field", path,
				                 "lot %s is named twice", p->as);
		}
	}
	json_t *hs = s->hs;
	if (hs && !otx_commit_is(hs)) {
		int ok = json_is_array(hs) && json_array_size(hs) <= OTX_ITEMS_MAX;
		for (size_t i = 0; ok && i < json_array_size(hs); i++)
			ok = json_string_length(json_array_get(hs, i)) > 0;
		if (!ok)
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", "hs",
			                 "must be an array of HS codes (strings)");
	}
	if (s->permit && !otx_commit_is(s->permit) && json_string_length(s->permit) == 0)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", "permit", "must be a string");
	if (strcmp(s->from, s->to) == 0)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", "to",
		                 "a consignment must leave its site %s", s->from);
	return OT_OK;
}

/* A new consignment, between known sites (the sender's licensed), to a
 * known consignee. */
static ot_status ship_check_parties(otx_rule *r, ship *s)
{
	int found = 0;
	ot_status rc = otx_state_has(r->st, OTX_NS_CONSIGNMENT, s->cons, &found, r->err);
	if (rc)
		return rc;
	if (found)
		return otx_rfail(r, OT_ERR_CONFLICT, "duplicate_consignment", "consignment",
		                 "consignment %s already exists", s->cons);
	if ((rc = otx_peek_site(r, s->from, "from", &s->from_site)) ||
	    (rc = otx_check_licence(r, s->from_site, "from")) ||
	    (rc = otx_peek_site(r, s->to, "to", &s->to_site)) ||
	    (rc = otx_need_actor(r, s->consignee, "consignee")))
		return rc;
	return OT_OK;
}

/* Every lot held at the sending site, with mass left to ship. */
static ot_status ship_load_lots(otx_rule *r, ship *s)
{
	char path[OTX_PATH_MAX], pfx[64];
	ot_status rc;
	s->lot_recs = calloc(s->n, sizeof *s->lot_recs);
	if (!s->lot_recs)
		return nomem(r);
	for (size_t i = 0; i < s->n; i++) {
		const otx_ship_part *p = &s->parts[i];
		snprintf(path, sizeof path, "lots[%zu]", i);
		if ((rc = otx_load_lot(r, p->lot, path, &s->lot_recs[i])) ||
		    (rc = otx_check_custody(r, s->lot_recs[i], s->from, path)))
			return rc;
		if (otx_jint(s->lot_recs[i], "mass_g", 0) <= 0)
			return otx_rfail(r, OT_ERR_CONFLICT, "lot_consumed", path,
			                 "lot %s is used up: nothing remains to ship", p->lot);
		if (p->as && (rc = otx_ship_part_check(r, s->lot_recs[i], p, i)))
			return rc;
	}
	/* Parts of one lot together may not exceed it either. */
	for (size_t i = 0; i < s->n; i++) {
		int64_t sum = 0;
		for (size_t k = 0; k <= i; k++)
			if (strcmp(s->parts[k].lot, s->parts[i].lot) == 0)
				sum += s->parts[k].mass;
		int64_t remaining = otx_jint(s->lot_recs[i], "mass_g", 0);
		if (s->parts[i].as && sum > remaining)
			return otx_rfail(r, OT_ERR_RULE, "mass_exceeded",
			                 otx_rpath(path, sizeof path,
			                           otx_rpath_at(pfx, sizeof pfx, "lots", i),
			                           "mass_g"),
			                 "the parts of %s shipped come to %" PRId64
			                 " g but only %" PRId64 " g remain",
			                 s->parts[i].lot, sum, remaining);
	}
	return OT_OK;
}

/* Each lot goes in transit, with its entry in the consignment; a lot that
 * crosses a border without a certified assay is a finding. */
static ot_status ship_move_lots(otx_rule *r, ship *s)
{
	s->from_country = otx_jstr(s->from_site, "country");
	s->to_country = otx_jstr(s->to_site, "country");
	int export = strcmp(s->from_country, s->to_country) != 0;
	s->entries = json_array();
	s->cache = json_object();
	if (!s->entries || !s->cache)
		return nomem(r);
	for (size_t i = 0; i < s->n; i++) {
		ot_status rc;
		const otx_ship_part *p = &s->parts[i];
		if (p->as) {
			/* The part becomes a lot of its own, which ships whole. The
			 * parent is read again: an earlier part may have changed it. */
			json_t *parent = NULL, *part = NULL;
			if ((rc = otx_load_lot(r, p->lot, "lots", &parent)))
				return rc;
			rc = otx_ship_split(r, parent, p, &part);
			json_decref(parent);
			if (rc)
				return rc;
			json_decref(s->lot_recs[i]);
			s->lot_recs[i] = part;
		}
		json_t *lot = s->lot_recs[i];
		const char *id = otx_jstr(lot, "lot");
		int64_t mass = otx_jint(lot, "mass_g", 0);
		json_t *e = shipped_lot(r, s->cache, lot, mass);
		if (!e || json_array_append_new(s->entries, e))
			return nomem(r);
		if (p->as)
			json_object_set_new(e, "part_of", json_string(p->lot));
		json_object_set_new(lot, "status", json_string("in_transit"));
		json_object_set_new(lot, "consignment", json_string(s->cons));
		/* A part's entry is its creation ("create", from its parent). */
		if ((!p->as && (rc = otx_lot_history_add(r, lot))) ||
		    (rc = otx_state_put(r->st, OTX_NS_LOT, id, lot, r->err)) ||
		    (!p->as && (rc = otx_lot_event(r, id, "ship", NULL))))
			return rc;
		if (export && !json_object_get(lot, "certified") &&
		    (rc = otx_finding_add_values(r->st, r->index, "export_without_assay", id,
		                                 json_pack("{s:I}", "mass_g", (json_int_t)mass),
		                                 r->err,
		                                 "lot %s (%" PRId64 " g of %s) left %s for %s in "
		                                 "consignment %s without a certified assay",
		                                 id, mass, otx_jstr(lot, "material"),
		                                 s->from_country, s->to_country, s->cons)))
			return rc;
	}
	return OT_OK;
}

/* The consignment's record, open until received. */
static ot_status ship_write_consignment(otx_rule *r, ship *s)
{
	s->rec = json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:O}", "consignment", s->cons,
	                   "index", (json_int_t)r->index, "time", r->time_str, "shipper", r->signer,
	                   "from", s->from, "to", s->to, "from_country", s->from_country,
	                   "to_country", s->to_country, "consignee", s->consignee, "status", "open",
	                   "lots", s->entries);
	if (!s->rec)
		return nomem(r);
	if (s->hs)
		json_object_set(s->rec, "hs", s->hs);
	if (s->value)
		json_object_set(s->rec, "value", s->value);
	if (s->permit)
		json_object_set(s->rec, "permit", s->permit);
	ot_status rc = otx_title_ship(r, s->rec);
	if (rc)
		return rc;
	return otx_state_put(r->st, OTX_NS_CONSIGNMENT, s->cons, s->rec, r->err);
}

ot_status otx_rule_ship(otx_rule *r)
{
	ship s;
	memset(&s, 0, sizeof s);
	ot_status rc;
	if (!(rc = ship_read(r, &s)) && !(rc = ship_check_parties(r, &s)) &&
	    !(rc = ship_load_lots(r, &s)) && !(rc = ship_move_lots(r, &s)))
		rc = ship_write_consignment(r, &s);
	ship_free(&s);
	return rc;
}

/* --- receive --- */

/* A consignment being received: the event's fields, the consignment's
 * record and site, and per listed lot its record, the mass received and
 * its entry in the consignment. */
typedef struct receive {
	const char *cons, *site_id;
	json_t *lots; /* borrowed from the event */
	json_t *rec, *site;
	json_t *shipped; /* borrowed from rec */
	json_t **lot_recs;
	int64_t *masses; /* dry */
	otx_mass *weighed;
	size_t *slot;
	size_t n;
	int64_t unc; /* the weighing uncertainty, mg/kg */
	otx_vector vec;
	otx_stages stages;
} receive;

static void receive_free(receive *c)
{
	free_lot_recs(c->lot_recs, c->n);
	free(c->masses);
	free(c->weighed);
	free(c->slot);
	otx_vector_free(&c->vec);
	otx_stages_free(&c->stages);
	json_decref(c->site);
	json_decref(c->rec);
}

/* The event's fields: each lot listed once, with the mass received. */
static ot_status receive_read(otx_rule *r, receive *c)
{
	char pfx[64], path[OTX_PATH_MAX];
	ot_status rc;
	if ((rc = otx_r_id(r, r->ev, NULL, "consignment", 1, &c->cons)) ||
	    (rc = otx_r_id(r, r->ev, NULL, "site", 1, &c->site_id)) ||
	    (rc = otx_r_array(r, r->ev, NULL, "lots", 1, OTX_ITEMS_MAX, &c->lots)))
		return rc;
	c->unc = OTX_TRANSIT_TOLERANCE_PPM;
	if ((rc = otx_r_int(r, r->ev, NULL, "mass_uncertainty_ppm", 0, 0, OTX_UNCERTAINTY_MAX,
	                    &c->unc)))
		return rc;
	c->n = json_array_size(c->lots);
	c->lot_recs = calloc(c->n, sizeof *c->lot_recs);
	c->masses = calloc(c->n, sizeof *c->masses);
	c->slot = calloc(c->n, sizeof *c->slot);
	c->weighed = calloc(c->n, sizeof *c->weighed);
	if (!c->lot_recs || !c->masses || !c->slot || !c->weighed)
		return nomem(r);
	for (size_t i = 0; i < c->n; i++) {
		json_t *it = json_array_get(c->lots, i);
		const char *id;
		snprintf(pfx, sizeof pfx, "lots[%zu]", i);
		if (!json_is_object(it))
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", pfx,
			                 "must be {\"lot\":...,\"mass_g\":...}");
		if ((rc = otx_r_id(r, it, pfx, "lot", 1, &id)) ||
		    (rc = otx_r_wet_mass(r, it, pfx, 0, &c->weighed[i])))
			return rc;
		c->masses[i] = c->weighed[i].dry;
		for (size_t k = 0; k < i; k++)
			if (strcmp(id, otx_jstr(json_array_get(c->lots, k), "lot")) == 0)
				return otx_rfail(r, OT_ERR_PARSE, "bad_field",
				                 otx_rpath(path, sizeof path, pfx, "lot"),
				                 "lot %s is listed twice", id);
	}
	return OT_OK;
}

/* An open consignment, addressed to the signer at this (licensed) site,
 * received after it was shipped. */
static ot_status receive_check_consignment(otx_rule *r, receive *c)
{
	const char *cons = c->cons;
	ot_status rc = otx_state_get(r->st, OTX_NS_CONSIGNMENT, cons, &c->rec, r->err);
	if (rc == OT_ERR_NOTFOUND)
		return otx_rfail(r, OT_ERR_CONFLICT, "consignment_not_found", "consignment",
		                 "consignment %s does not exist", cons);
	if (rc)
		return rc;
	json_t *rec = c->rec;
	if (strcmp(otx_jstr(rec, "status"), "open") != 0)
		return otx_rfail(r, OT_ERR_CONFLICT, "consignment_closed", "consignment",
		                 "consignment %s was already received at entry %" PRId64, cons,
		                 otx_jint(rec, "received_index", -1));
	if (strcmp(otx_jstr(rec, "consignee"), r->signer) != 0)
		return otx_rfail(r, OT_ERR_SIGNER, "not_consignee", "signer",
		                 "consignment %s is addressed to %s, not to %s", cons,
		                 otx_jstr(rec, "consignee"), r->signer);
	if (strcmp(otx_jstr(rec, "to"), c->site_id) != 0)
		return otx_rfail(r, OT_ERR_CONFLICT, "site_mismatch", "site",
		                 "consignment %s goes to site %s, not to %s", cons,
		                 otx_jstr(rec, "to"), c->site_id);
	/* A receipt claimed before its shipment is possible (clocks, time
	 * zones, paperwork): the log's order is the truth, the claim a finding. */
	if ((rc = out_of_order(r, otx_jstr(rec, "time"), cons, "its shipment")))
		return rc;
	if ((rc = otx_peek_site(r, c->site_id, "site", &c->site)) ||
	    (rc = otx_check_licence(r, c->site, "site")))
		return rc;
	return OT_OK;
}

/* The lots listed are lots shipped in the consignment and not received
 * yet (a receipt may cover part of it), none heavier than shipped beyond
 * the weighing uncertainty; each listed lot's entry and record. */
static ot_status receive_match_lots(otx_rule *r, receive *c)
{
	char path[OTX_PATH_MAX];
	size_t n = c->n, nshipped;
	c->shipped = json_object_get(c->rec, "lots");
	nshipped = json_array_size(c->shipped);
	for (size_t i = 0; i < n; i++) {
		const char *id = otx_jstr(json_array_get(c->lots, i), "lot");
		size_t k = 0;
		while (k < nshipped &&
		       strcmp(otx_jstr(json_array_get(c->shipped, k), "lot"), id) != 0)
			k++;
		snprintf(path, sizeof path, "lots[%zu].lot", i);
		if (k == nshipped)
			return otx_rfail(r, OT_ERR_CONFLICT, "lot_not_in_consignment", path,
			                 "lot %s is not in consignment %s", id, c->cons);
		c->slot[i] = k;
		json_t *entry = json_array_get(c->shipped, k);
		if (json_object_get(entry, "received_g"))
			return otx_rfail(r, OT_ERR_CONFLICT, "lot_already_received", path,
			                 "lot %s of consignment %s was received at entry %" PRId64,
			                 id, c->cons, otx_jint(entry, "received_index", -1));
		ot_status rc;
		if ((rc = otx_receive_check_gain(r, c->cons, id, i, otx_jint(entry, "mass_g", 0),
		                                 c->masses[i], c->unc)) ||
		    (rc = otx_load_lot(r, id, path, &c->lot_recs[i])))
			return rc;
	}
	return OT_OK;
}

/* A mass received that differs from the mass shipped by more than the
 * tolerance is a finding. */
static ot_status receive_check_transit(otx_rule *r, const char *cons, const char *id, int64_t sent,
                                       int64_t got)
{
	otx_u128 diff = (otx_u128)(got > sent ? got - sent : sent - got);
	if (!(sent > 0 && diff * 1000000u > (otx_u128)sent * OTX_TRANSIT_TOLERANCE_PPM))
		return OT_OK;
	uint64_t milli_pct = (uint64_t)(diff * 100000u / (uint64_t)sent);
	return otx_finding_add_values(
		r->st, r->index, got < sent ? "transit_loss" : "transit_gain", id,
		json_pack("{s:I,s:I}", "shipped_g", (json_int_t)sent, "received_g",
	                  (json_int_t)got),
		r->err,
		"lot %s: %" PRId64 " g shipped in consignment %s, %" PRId64
		" g received: %s%" PRIu64 ".%03" PRIu64 " %%, beyond the %d.%d %% tolerance",
		id, sent, cons, got, got < sent ? "-" : "+", milli_pct / 1000, milli_pct % 1000,
		OTX_TRANSIT_TOLERANCE_PPM / 10000, OTX_TRANSIT_TOLERANCE_PPM / 1000 % 10);
}

/* Custody passes; the vector loses what was lost on the way. */
static ot_status receive_write_custody(otx_rule *r, receive *c)
{
	ot_status rc;
	for (size_t i = 0; i < c->n; i++) {
		json_t *lot = c->lot_recs[i];
		json_t *entry = json_array_get(c->shipped, c->slot[i]);
		const char *id = otx_jstr(lot, "lot");
		int64_t sent = otx_jint(entry, "mass_g", 0), got = c->masses[i];
		otx_vector_free(&c->vec);
		otx_stages_free(&c->stages);
		if ((rc = otx_vector_from_json(json_object_get(lot, "origins"), &c->vec)) ||
		    (rc = otx_stages_from_json(json_object_get(lot, "stages"), &c->stages)) ||
		    (got < sent &&
		     (rc = otx_vector_scale(&c->vec, (uint64_t)got, (uint64_t)sent))) ||
		    (got < sent &&
		     (rc = otx_stages_scale(&c->stages, (uint64_t)got, (uint64_t)sent))))
			return vec_fail(r, rc, id);
		if ((rc = otx_check_moisture(r, lot, c->cons, &c->weighed[i])))
			return rc;
		otx_lot_set_moisture(lot, &c->weighed[i]);
		if (otx_title_receive(lot, c->rec, r->signer))
			return nomem(r);
		json_object_set_new(lot, "site", json_string(c->site_id));
		json_object_set_new(lot, "status", json_string(got ? "held" : "consumed"));
		json_object_set_new(lot, "mass_g", json_integer(got));
		json_object_set_new(lot, "received_time", json_string(r->time_str));
		json_object_del(lot, "consignment");
		json_object_set_new(entry, "received_g", json_integer(got));
		json_object_set_new(entry, "received_index", json_integer((json_int_t)r->index));
		if ((rc = otx_lot_history_add(r, lot)) ||
		    (rc = put_lot(r, lot, &c->vec, &c->stages)) ||
		    (rc = otx_lot_event(r, id, "receive", NULL)) ||
		    (rc = receive_check_transit(r, c->cons, id, sent, got)))
			return rc;
	}
	return OT_OK;
}

/* The receipt is recorded; the consignment is closed, received here, now,
 * when it was its last lot. */
static ot_status receive_close_consignment(otx_rule *r, receive *c)
{
	ot_status rc = otx_consignment_receipt(r, c->rec, c->n, c->unc);
	if (rc)
		return rc;
	if (strcmp(otx_jstr(c->rec, "status"), "received") == 0) {
		json_object_set_new(c->rec, "received_index", json_integer((json_int_t)r->index));
		json_object_set_new(c->rec, "received_time", json_string(r->time_str));
		json_object_set_new(c->rec, "received_site", json_string(c->site_id));
	}
	return otx_state_put(r->st, OTX_NS_CONSIGNMENT, c->cons, c->rec, r->err);
}

ot_status otx_rule_receive(otx_rule *r)
{
	receive c;
	memset(&c, 0, sizeof c);
	otx_vector_init(&c.vec);
	otx_stages_init(&c.stages);
	ot_status rc;
	if (!(rc = receive_read(r, &c)) && !(rc = receive_check_consignment(r, &c)) &&
	    !(rc = receive_match_lots(r, &c)) && !(rc = receive_write_custody(r, &c)))
		rc = receive_close_consignment(r, &c);
	receive_free(&c);
	return rc;
}

/* --- for rules_partial.c --- */

ot_status otx_lot_must_be_new(otx_rule *r, const char *lot, const char *path)
{
	return lot_must_be_new(r, lot, path);
}

json_t *otx_lot_new(otx_rule *r, const char *lot, const char *material, int64_t mass,
                    const char *site, json_t *assay, int64_t uncertainty)
{
	return new_lot(r, lot, material, mass, site, assay, uncertainty);
}

ot_status otx_lot_put(otx_rule *r, json_t *rec, const otx_vector *vec, const otx_stages *stages)
{
	/* A copy: other rules may go on with the lot (a part split off for a
	 * shipment is shipped next, rules_partial.c). */
	return put_lot_as(r, rec, vec, stages, 0);
}

ot_status otx_lot_inherit_ancestry(otx_rule *r, json_t *parent, const char *lot)
{
	tin in;
	memset(&in, 0, sizeof in);
	in.lot = otx_jstr(parent, "lot");
	in.rec = parent;
	ot_buf text;
	ot_buf_init(&text, 0);
	ot_status rc = inherited_ancestry(r, &in, 1, &text);
	if (!rc && text.len)
		rc = otx_state_put_raw(r->st, OTX_NS_ANCESTRY, lot, text.data, text.len, r->err);
	ot_buf_free(&text);
	return rc;
}
