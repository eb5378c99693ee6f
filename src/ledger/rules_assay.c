/*
 * rules_assay.c: `assay`, a laboratory's statement of a lot's contents, with
 * the role it plays in trade (provisional, final, seller, buyer, umpire).
 * Every assay is kept on the lot record (`assays`, log order); the one that
 * governs (`certified`) is the highest-ranked, the latest among equals:
 * umpire > final > seller = buyer > provisional > the declared contents.
 * The lot's origin vector and stages follow the governing assay
 * (otx_lot_rescale). A seller's and a buyer's assay that differ beyond the
 * splitting limit, with no umpire assay yet, is the finding assay_dispute.
 */
#include "ledger/rules_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ledger/findings.h"
#include "oretrail/status.h"

static const char *const ROLES[] = {"provisional", "final", "seller", "buyer", "umpire", NULL};
static const char *const BASES[] = {"dry", NULL};

static ot_status nomem(otx_rule *r)
{
	return ot_error_set(r->err, OT_ERR_NOMEM, "out of memory");
}

/* umpire 4, final 3, seller and buyer 2, provisional 1. An assay recorded
 * before roles existed counts as final. */
static int rank(json_t *a)
{
	const char *role = otx_jstr(a, "role");
	if (!role || strcmp(role, "final") == 0)
		return 3;
	if (strcmp(role, "umpire") == 0)
		return 4;
	if (strcmp(role, "provisional") == 0)
		return 1;
	return 2;
}

json_t *otx_assay_governing(json_t *assays)
{
	json_t *best = NULL;
	for (size_t i = 0; i < json_array_size(assays); i++) {
		json_t *a = json_array_get(assays, i);
		if (!best || rank(a) >= rank(best))
			best = a;
	}
	return best;
}

/* The latest assay in the role, or NULL. */
static json_t *latest_in_role(json_t *assays, const char *role)
{
	json_t *found = NULL;
	for (size_t i = 0; i < json_array_size(assays); i++) {
		json_t *a = json_array_get(assays, i);
		if (strcmp(otx_jstr(a, "role") ? otx_jstr(a, "role") : "", role) == 0)
			found = a;
	}
	return found;
}

ot_status otx_assay_settle(otx_rule *r, json_t *rec, json_t *old)
{
	json_t *gov = otx_assay_governing(json_object_get(rec, "assays"));
	json_t *before = json_object_get(old, "assay");
	if (!gov) {
		json_object_del(rec, "certified");
	} else if (json_object_set_new(rec, "certified", json_deep_copy(gov))) {
		return nomem(r);
	}
	json_t *now = json_object_get(json_object_get(rec, "certified"), "assay");
	if (json_equal(old, json_object_get(rec, "certified")))
		return otx_state_put(r->st, OTX_NS_LOT, otx_jstr(rec, "lot"), rec, r->err);
	/* Back to the declared contents for what no assay governs any more. */
	return otx_lot_rescale(r, rec, now ? now : json_object_get(rec, "assay"), before);
}

/* The splitting limit for `el` in mg/kg, absolute, when the contract's
 * public field `splitting_limit` names it; -1 otherwise. */
static int64_t contract_limit(otx_rule *r, const char *contract, const char *el)
{
	json_t *c = NULL;
	int64_t limit = -1;
	if (!contract || otx_state_get(r->st, OTX_NS_CONTRACT, contract, &c, NULL) != OT_OK)
		return -1;
	json_t *v = json_object_get(
		json_object_get(json_object_get(c, "fields"), "splitting_limit"), el);
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		limit = (int64_t)json_integer_value(v);
	json_decref(c);
	return limit;
}

/* assay_dispute: after a seller's or a buyer's assay, the seller's and the
 * buyer's latest assays differ beyond the splitting limit (of the contract
 * the lot's latest assay naming one names) on an element both give, and no
 * umpire has assayed the lot. The lot keeps the open dispute as
 * `assay_dispute`; an umpire assay settles it. */
static ot_status check_dispute(otx_rule *r, json_t *rec, const char *role)
{
	json_t *assays = json_object_get(rec, "assays");
	json_t *open = json_object_get(rec, "assay_dispute");
	json_t *umpire = latest_in_role(assays, "umpire");
	if (umpire) {
		if (open && !json_object_get(open, "settled_by"))
			json_object_set(open, "settled_by", json_object_get(umpire, "index"));
		return OT_OK;
	}
	/* Only a seller's or a buyer's assay changes the pair. */
	if (strcmp(role, "seller") != 0 && strcmp(role, "buyer") != 0)
		return OT_OK;
	json_t *s = latest_in_role(assays, "seller"), *b = latest_in_role(assays, "buyer");
	if (!s || !b)
		return OT_OK;
	/* The contract the latest assay to name one names. */
	const char *contract = NULL;
	for (size_t i = 0; i < json_array_size(assays); i++)
		if (otx_jstr(json_array_get(assays, i), "contract"))
			contract = otx_jstr(json_array_get(assays, i), "contract");
	json_t *beyond = json_object();
	if (!beyond)
		return nomem(r);
	char detail[400] = "";
	size_t used = 0;
	const char *el;
	json_t *sv;
	json_object_foreach(json_object_get(s, "assay"), el, sv)
	{
		json_t *bv = json_object_get(json_object_get(b, "assay"), el);
		if (!bv)
			continue;
		int64_t sp = (int64_t)json_integer_value(sv), bp = (int64_t)json_integer_value(bv);
		int64_t diff = sp > bp ? sp - bp : bp - sp, hi = sp > bp ? sp : bp;
		int64_t limit = contract_limit(r, contract, el);
		if (limit < 0)
			limit = hi * OTX_SPLITTING_LIMIT_PPM / 1000000;
		if (diff <= limit)
			continue;
		json_object_set_new(beyond, el,
		                    json_pack("{s:I,s:I,s:I}", "seller", (json_int_t)sp, "buyer",
		                              (json_int_t)bp, "limit", (json_int_t)limit));
		if (used < sizeof detail)
			used += (size_t)snprintf(detail + used, sizeof detail - used,
			                         "%s%s seller %" PRId64 " mg/kg, buyer %" PRId64
			                         " mg/kg (limit %" PRId64 ")",
			                         used ? "; " : "", el, sp, bp, limit);
	}
	ot_status rc = OT_OK;
	if (json_object_size(beyond) == 0) {
		/* Within the limit now: an open dispute is over. */
		if (open && !json_object_get(open, "settled_by"))
			json_object_del(rec, "assay_dispute");
		json_decref(beyond);
		return OT_OK;
	}
	json_t *d = json_pack("{s:I,s:O,s:O,s:o}", "index", (json_int_t)r->index, "seller",
	                      json_object_get(s, "index"), "buyer", json_object_get(b, "index"),
	                      "elements", beyond);
	if (!d || json_object_set_new(rec, "assay_dispute", d))
		return nomem(r);
	if (contract)
		json_object_set_new(d, "contract", json_string(contract));
	const char *lot = otx_jstr(rec, "lot");
	rc = otx_finding_add(r->st, r->index, "assay_dispute", lot, r->err,
	                     "lot %s: the seller's assay (entry %" PRId64
	                     ") and the buyer's (entry %" PRId64
	                     ") differ beyond the splitting limit: %s; an umpire assay decides",
	                     lot, otx_jint(s, "index", -1), otx_jint(b, "index", -1), detail);
	return rc;
}

/* Adds cert to the lot's assays; a correction replaces the assay it
 * corrects (or that assay's earlier correction). */
static ot_status keep_assay(otx_rule *r, json_t *rec, json_t *cert)
{
	json_t *assays = json_object_get(rec, "assays");
	if (!assays) {
		/* A lot certified before roles existed: its assay is the first. */
		json_t *cert0 = json_object_get(rec, "certified");
		assays = cert0 ? json_pack("[O]", cert0) : json_array();
		if (!assays || json_object_set_new(rec, "assays", assays))
			return nomem(r);
	}
	for (size_t i = 0; r->corrects && i < json_array_size(assays); i++) {
		json_t *a = json_array_get(assays, i);
		const char *id = otx_jstr(a, "id"), *fixes = otx_jstr(a, "corrects");
		if ((id && strcmp(id, r->corrects) == 0) ||
		    (fixes && strcmp(fixes, r->corrects) == 0))
			return json_array_set(assays, i, cert) ? nomem(r) : OT_OK;
	}
	return json_array_append(assays, cert) ? nomem(r) : OT_OK;
}

ot_status otx_assay_drop(otx_rule *r, json_t *rec, const char *event_id)
{
	json_t *assays = json_object_get(rec, "assays");
	json_t *cert = json_object_get(rec, "certified");
	for (size_t i = 0; i < json_array_size(assays); i++) {
		json_t *a = json_array_get(assays, i);
		const char *id = otx_jstr(a, "id"), *fixes = otx_jstr(a, "corrects");
		/* An assay kept before ids were: the governing one is the target. */
		if ((id && strcmp(id, event_id) == 0) || (fixes && strcmp(fixes, event_id) == 0) ||
		    (!id && json_equal(a, cert))) {
			json_array_remove(assays, i);
			break;
		}
	}
	if (assays && json_array_size(assays) == 0)
		json_object_del(rec, "assays");
	json_t *gov = otx_assay_governing(json_object_get(rec, "assays"));
	if (!gov) {
		json_object_del(rec, "certified");
		return OT_OK;
	}
	return json_object_set_new(rec, "certified", json_deep_copy(gov)) ? nomem(r) : OT_OK;
}

/* The event's fields besides lot and assay. */
typedef struct assay_ev {
	const char *lot, *lab, *method, *role, *basis, *contract;
	int64_t unc;
	json_t *assay;
} assay_ev;

static ot_status assay_read(otx_rule *r, assay_ev *a)
{
	ot_status rc;
	if ((rc = otx_r_id(r, r->ev, NULL, "lot", 1, &a->lot)) ||
	    (rc = otx_r_assay(r, r->ev, NULL, "assay", 1, &a->assay)) ||
	    (rc = otx_r_int(r, r->ev, NULL, "uncertainty_ppm", 0, 0, OTX_UNCERTAINTY_MAX,
	                    &a->unc)) ||
	    (rc = otx_r_id(r, r->ev, NULL, "lab", 0, &a->lab)) ||
	    (rc = otx_r_str(r, r->ev, NULL, "method", 0, &a->method)) ||
	    (rc = otx_r_enum(r, r->ev, NULL, "role", 0, ROLES, &a->role)) ||
	    (rc = otx_r_enum(r, r->ev, NULL, "basis", 0, BASES, &a->basis)) ||
	    (rc = otx_r_id(r, r->ev, NULL, "contract", 0, &a->contract)))
		return rc;
	if (json_object_size(a->assay) == 0)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", "assay", "certifies no element");
	if (!a->role)
		a->role = "final";
	if (!a->basis)
		a->basis = "dry";
	return OT_OK;
}

/* The lab, when named, is a lab; the contract, when named, exists. */
static ot_status assay_check_refs(otx_rule *r, const assay_ev *a)
{
	json_t *rec = NULL;
	ot_status rc = OT_OK;
	if (a->lab) {
		if ((rc = otx_peek_site(r, a->lab, "lab", &rec)))
			return rc;
		if (strcmp(otx_jstr(rec, "kind"), "lab") != 0)
			rc = otx_rfail(r, OT_ERR_RULE, "wrong_site_kind", "lab",
			               "site %s is a %s, not a lab", a->lab, otx_jstr(rec, "kind"));
		json_decref(rec);
		rec = NULL;
	}
	if (!rc && a->contract) {
		rc = otx_state_get(r->st, OTX_NS_CONTRACT, a->contract, &rec, r->err);
		json_decref(rec);
		if (rc == OT_ERR_NOTFOUND)
			rc = otx_rfail(r, OT_ERR_CONFLICT, "contract_not_found", "contract",
			               "contract %s does not exist", a->contract);
	}
	return rc;
}

ot_status otx_rule_assay(otx_rule *r)
{
	assay_ev a;
	memset(&a, 0, sizeof a);
	json_t *rec = NULL, *old = NULL, *cert = NULL;
	ot_status rc;
	if ((rc = assay_read(r, &a)) || (rc = otx_load_lot(r, a.lot, "lot", &rec)))
		return rc;
	if ((rc = otx_check_time(r, otx_jstr(json_object_get(rec, "created"), "time"), "lot", "lot",
	                         a.lot)) ||
	    (rc = assay_check_refs(r, &a)))
		goto out;
	cert = json_pack("{s:O,s:I,s:I,s:s,s:s,s:s,s:s,s:s}", "assay", a.assay, "uncertainty_ppm",
	                 (json_int_t)a.unc, "index", (json_int_t)r->index, "time", r->time_str,
	                 "by", r->signer, "id", r->id, "role", a.role, "basis", a.basis);
	old = json_deep_copy(json_object_get(rec, "certified"));
	if (!cert) {
		rc = nomem(r);
		goto out;
	}
	if (a.lab)
		json_object_set_new(cert, "lab", json_string(a.lab));
	if (a.method)
		json_object_set_new(cert, "method", json_string(a.method));
	if (a.contract)
		json_object_set_new(cert, "contract", json_string(a.contract));
	if (r->corrects)
		json_object_set_new(cert, "corrects", json_string(r->corrects));
	if ((rc = keep_assay(r, rec, cert)) || (rc = check_dispute(r, rec, a.role)))
		goto out;
	/* A correction (rules_correct.c) records its own history. */
	if (r->corrects)
		rc = otx_assay_settle(r, rec, old);
	else if (!(rc = otx_lot_history_add(r, rec)) && !(rc = otx_assay_settle(r, rec, old)))
		rc = otx_lot_event(r, a.lot, "assay", NULL);
out:
	json_decref(cert);
	json_decref(old);
	json_decref(rec);
	return rc;
}
