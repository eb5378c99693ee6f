/*
 * rules_partial.c: partial shipments and receipts (issue 14, item 7). A
 * `ship` entry may name a mass and a new lot id, `{"lot","mass_g","as"}`:
 * that part of the lot travels as its own lot, with the parent's provenance
 * (origin vector, stages, stage output and assays, all in proportion), and
 * the rest stays. A `receive` may list some of a consignment's lots; the
 * consignment closes when every lot is received, and a consignment that
 * arrives short beyond the weighing uncertainty is the finding
 * short_shipment. A lot that gains weight in transit beyond the weighing
 * uncertainty is refused (mass_gained): mass does not come from nowhere.
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

ot_status otx_ship_entry_read(otx_rule *r, json_t *item, size_t i, otx_ship_part *out)
{
	char pfx[64];
	memset(out, 0, sizeof *out);
	snprintf(pfx, sizeof pfx, "lots[%zu]", i);
	if (json_is_string(item)) {
		out->lot = json_string_value(item);
		if (!*out->lot)
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", pfx, "must be a lot id");
		return OT_OK;
	}
	if (!json_is_object(item))
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", pfx,
		                 "must be a lot id or {\"lot\",\"mass_g\",\"as\"}");
	ot_status rc;
	if ((rc = otx_r_id(r, item, pfx, "lot", 1, &out->lot)) ||
	    (rc = otx_r_int(r, item, pfx, "mass_g", 0, 1, OTX_MASS_MAX, &out->mass)) ||
	    (rc = otx_r_id(r, item, pfx, "as", out->mass > 0, &out->as)))
		return rc;
	char path[OTX_PATH_MAX];
	if (out->as && !out->mass)
		return otx_rfail(r, OT_ERR_PARSE, "missing_field",
		                 otx_rpath(path, sizeof path, pfx, "mass_g"),
		                 "required with \"as\": the mass of %s that travels as %s",
		                 out->lot, out->as);
	if (out->as && strcmp(out->as, out->lot) == 0)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field",
		                 otx_rpath(path, sizeof path, pfx, "as"),
		                 "the part shipped needs a lot id of its own, not %s", out->lot);
	return OT_OK;
}

ot_status otx_ship_part_check(otx_rule *r, json_t *lot, const otx_ship_part *p, size_t i)
{
	char pfx[64], path[OTX_PATH_MAX];
	snprintf(pfx, sizeof pfx, "lots[%zu]", i);
	int64_t remaining = otx_jint(lot, "mass_g", 0);
	if (p->mass > remaining)
		return otx_rfail(r, OT_ERR_RULE, "mass_exceeded",
		                 otx_rpath(path, sizeof path, pfx, "mass_g"),
		                 "ships %" PRId64 " g of %s as %s but only %" PRId64 " g remain",
		                 p->mass, p->lot, p->as, remaining);
	json_t *prev = NULL;
	ot_status rc = otx_state_get(r->st, OTX_NS_LOT, p->as, &prev, r->err);
	if (rc == OT_ERR_NOTFOUND)
		return OT_OK;
	if (rc)
		return rc;
	rc = otx_rfail(r, OT_ERR_CONFLICT, "duplicate_lot", otx_rpath(path, sizeof path, pfx, "as"),
	               "lot %s already exists (created at entry %" PRId64 ")", p->as,
	               otx_jint(json_object_get(prev, "created"), "index", -1));
	json_decref(prev);
	return rc;
}

/* Moves num/den of the lot's stage_output into the part's. */
static ot_status split_stage_output(otx_rule *r, json_t *parent, json_t *part, uint64_t num,
                                    uint64_t den)
{
	json_t *from = json_object_get(parent, "stage_output");
	if (!json_object_size(from))
		return OT_OK;
	json_t *to = json_object();
	if (!to || json_object_set_new(part, "stage_output", to))
		return nomem(r);
	const char *el;
	json_t *v;
	json_object_foreach(from, el, v)
	{
		uint64_t all = (uint64_t)json_integer_value(v), moved = 0;
		if (otx_apportion(&all, 1, num, den, &moved))
			return nomem(r);
		json_integer_set(v, (json_int_t)(all - moved));
		json_object_set_new(to, el, json_integer((json_int_t)moved));
	}
	return OT_OK;
}

/* The members the part takes over from its parent as they are: its
 * process, assays, moisture, title (owner, the last transfer) and HS code. */
static const char *const INHERITED[] = {"process",       "certified",    "assays",
                                        "assay_dispute", "moisture_ppm", "owner",
                                        "title",         "hs_code",      NULL};

ot_status otx_ship_split(otx_rule *r, json_t *parent, const otx_ship_part *p, json_t **part)
{
	otx_vector pv, qv;
	otx_stages ps, qs;
	otx_vector_init(&pv);
	otx_vector_init(&qv);
	otx_stages_init(&ps);
	otx_stages_init(&qs);
	json_t *rec = NULL, *parents = NULL;
	uint64_t remaining = (uint64_t)otx_jint(parent, "mass_g", 0), mass = (uint64_t)p->mass;
	ot_status rc;
	if ((rc = otx_vector_from_json(json_object_get(parent, "origins"), &pv)) ||
	    (rc = otx_stages_from_json(json_object_get(parent, "stages"), &ps)) ||
	    (rc = otx_vector_take(&pv, mass, remaining, &qv)) ||
	    (rc = otx_stages_take(&ps, mass, remaining, &qs))) {
		rc = rc == OT_ERR_NOMEM ? nomem(r)
		                        : ot_error_set(r->err, OT_ERR_CORRUPT,
		                                       "event %s: origin vector of %s: malformed",
		                                       r->id, p->lot);
		goto out;
	}
	rec = otx_lot_new(r, p->as, otx_jstr(parent, "material"), p->mass, otx_jstr(parent, "site"),
	                  json_object_get(parent, "assay"), otx_jint(parent, "uncertainty_ppm", 0));
	parents = json_pack("[s]", p->lot);
	if (!rec || !parents || json_object_set_new(rec, "split_from", json_string(p->lot))) {
		rc = nomem(r);
		goto out;
	}
	for (size_t k = 0; INHERITED[k]; k++)
		if (json_object_get(parent, INHERITED[k]))
			json_object_set_new(rec, INHERITED[k],
			                    json_deep_copy(json_object_get(parent, INHERITED[k])));
	if ((rc = split_stage_output(r, parent, rec, mass, remaining)) ||
	    (rc = otx_lot_history_add(r, rec)))
		goto out;
	/* The parent keeps the rest; like a transform input, it was used here
	 * (lot_event "use"), and its history stays as it was. */
	json_object_set_new(parent, "mass_g", json_integer((json_int_t)(remaining - mass)));
	if (remaining == mass)
		json_object_set_new(parent, "status", json_string("consumed"));
	json_object_del(parent, "wet_mass_g");
	if ((rc = otx_lot_put(r, parent, &pv, &ps)) ||
	    (rc = otx_lot_event(r, p->lot, "use", NULL)) ||
	    (rc = otx_lot_inherit_ancestry(r, parent, p->as)) ||
	    (rc = otx_lot_event(r, p->as, "create", parents)) ||
	    (rc = otx_lot_put(r, rec, &qv, &qs)))
		goto out;
	*part = rec;
	rec = NULL;
out:
	json_decref(parents);
	json_decref(rec);
	otx_vector_free(&pv);
	otx_vector_free(&qv);
	otx_stages_free(&ps);
	otx_stages_free(&qs);
	return rc;
}

ot_status otx_receive_check_gain(otx_rule *r, const char *cons, const char *lot, size_t i,
                                 int64_t sent, int64_t got, int64_t unc_ppm)
{
	if (got <= sent || (otx_u128)(got - sent) * 1000000u <= (otx_u128)sent * (uint64_t)unc_ppm)
		return OT_OK;
	char path[OTX_PATH_MAX];
	uint64_t milli_pct = (uint64_t)((otx_u128)(got - sent) * 100000u / (uint64_t)sent);
	snprintf(path, sizeof path, "lots[%zu].mass_g", i);
	return otx_rfail(r, OT_ERR_RULE, "mass_gained", path,
	                 "lot %s: %" PRId64 " g received of %" PRId64
	                 " g shipped in consignment %s: +%" PRIu64 ".%03" PRIu64
	                 " %%, beyond the weighing uncertainty of %" PRId64 " mg/kg",
	                 lot, got, sent, cons, milli_pct / 1000, milli_pct % 1000, unc_ppm);
}

ot_status otx_consignment_receipt(otx_rule *r, json_t *cons, size_t nlots, int64_t unc_ppm)
{
	json_t *receipts = json_object_get(cons, "receipts");
	if (!receipts) {
		receipts = json_array();
		if (!receipts || json_object_set_new(cons, "receipts", receipts))
			return nomem(r);
	}
	if (json_array_append_new(receipts, json_pack("{s:I,s:s,s:s,s:I,s:I}", "index",
	                                              (json_int_t)r->index, "id", r->id, "time",
	                                              r->time_str, "lots", (json_int_t)nlots,
	                                              "mass_uncertainty_ppm", (json_int_t)unc_ppm)))
		return nomem(r);
	/* Open until every lot is received. */
	json_t *lots = json_object_get(cons, "lots");
	int64_t sent = 0, got = 0, unc = 0;
	for (size_t k = 0; k < json_array_size(lots); k++) {
		json_t *e = json_array_get(lots, k);
		if (!json_object_get(e, "received_g"))
			return OT_OK;
		sent += otx_jint(e, "mass_g", 0);
		got += otx_jint(e, "received_g", 0);
	}
	for (size_t k = 0; k < json_array_size(receipts); k++) {
		int64_t u = otx_jint(json_array_get(receipts, k), "mass_uncertainty_ppm", 0);
		unc = u > unc ? u : unc;
	}
	json_object_set_new(cons, "status", json_string("received"));
	json_object_set_new(cons, "received_g", json_integer(got));
	const char *id = otx_jstr(cons, "consignment");
	/* One lot in one receipt: its transit_loss already says it. */
	if (json_array_size(lots) == 1 && json_array_size(receipts) == 1)
		return OT_OK;
	if (got >= sent || (otx_u128)(sent - got) * 1000000u <= (otx_u128)sent * (uint64_t)unc)
		return OT_OK;
	uint64_t milli_pct = (uint64_t)((otx_u128)(sent - got) * 100000u / (uint64_t)sent);
	return otx_finding_add_values(r->st, r->index, "short_shipment", id,
	                              json_pack("{s:I,s:I}", "shipped_g", (json_int_t)sent,
	                                        "received_g", (json_int_t)got),
	                              r->err,
	                              "consignment %s: %" PRId64 " g shipped, %" PRId64
	                              " g received in %zu receipt%s: -%" PRIu64 ".%03" PRIu64
	                              " %%, beyond the weighing uncertainty of %" PRId64 " mg/kg",
	                              id, sent, got, json_array_size(receipts),
	                              json_array_size(receipts) == 1 ? "" : "s", milli_pct / 1000,
	                              milli_pct % 1000, unc);
}
