/*
 * rules_title.c: title separate from custody (issue 14, item 6). A lot has
 * a holder, who has the material (custody: ship, receive, transform), and
 * an owner, who has the title to it. The `transfer` event moves the title
 * without moving the material: a sale of material in a warehouse or afloat,
 * or a toll processor's client keeping title to what the processor holds.
 *
 * A lot record carries "owner" only while the owner is not the holder, so a
 * ledger that never separated them reads as before (the owner is the
 * holder). Title then passes with custody: a receipt by a new holder makes
 * it the owner too. Once separated, a receipt moves custody only, and the
 * owner stays; when the holder becomes the owner again, "owner" goes.
 */
#include "ledger/rules_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/status.h"

static ot_status nomem(otx_rule *r)
{
	return ot_error_set(r->err, OT_ERR_NOMEM, "out of memory");
}

const char *otx_lot_owner(const json_t *lot)
{
	const char *owner = otx_jstr(lot, "owner");
	return owner ? owner : otx_jstr(lot, "holder");
}

ot_status otx_lot_set_owner(json_t *lot, const char *owner)
{
	const char *holder = otx_jstr(lot, "holder");
	if (!owner || (holder && strcmp(owner, holder) == 0)) {
		json_object_del(lot, "owner");
		return OT_OK;
	}
	return json_object_set_new(lot, "owner", json_string(owner)) ? OT_ERR_NOMEM : OT_OK;
}

ot_status otx_title_merge(otx_rule *r, json_t *lot, const char *path, const char **owner)
{
	const char *this_owner = otx_lot_owner(lot);
	if (!*owner) {
		*owner = this_owner;
		return OT_OK;
	}
	if (strcmp(*owner, this_owner) == 0)
		return OT_OK;
	return otx_rfail(r, OT_ERR_RULE, "mixed_owners", path,
	                 "lot %s is owned by %s but an earlier input by %s: a transform's "
	                 "outputs have one owner, so transfer the title first",
	                 otx_jstr(lot, "lot"), this_owner, *owner);
}

static const char *const SHIP_TITLE[] = {"passes", "retained", NULL};

ot_status otx_title_ship(otx_rule *r, json_t *consignment)
{
	const char *title;
	ot_status rc = otx_r_enum(r, r->ev, NULL, "title", 0, SHIP_TITLE, &title);
	if (rc || !title || strcmp(title, "passes") == 0)
		return rc;
	return json_object_set_new(consignment, "title", json_string(title)) ? nomem(r) : OT_OK;
}

ot_status otx_title_receive(json_t *lot, json_t *consignment, const char *holder)
{
	char owner[OTX_SIGNER_MAX + 1];
	const char *keep =
		strcmp(otx_jstr(consignment, "title") ? otx_jstr(consignment, "title") : "",
	               "retained") == 0
			? otx_lot_owner(lot)
			: otx_jstr(lot, "owner");
	/* A copy: the owner may be the holder's string, replaced below. */
	snprintf(owner, sizeof owner, "%s", keep ? keep : "");
	if (json_object_set_new(lot, "holder", json_string(holder)))
		return OT_ERR_NOMEM;
	return otx_lot_set_owner(lot, owner[0] ? owner : NULL);
}

/* Incoterms 2020 (ICC): who bears the risk and cost where; recorded, not
 * enforced. */
static const char *const INCOTERMS[] = {"EXW", "FCA", "CPT", "CIP", "DAP", "DPU",
                                        "DDP", "FAS", "FOB", "CFR", "CIF", NULL};

/* A transfer being checked: the event's fields and the lots' records. */
typedef struct transfer {
	const char *from, *to, *incoterm, *price_ref, *contract;
	json_t *lots; /* borrowed from the event */
	json_t **recs;
	size_t n;
} transfer;

static void transfer_free(transfer *t)
{
	for (size_t i = 0; t->recs && i < t->n; i++)
		json_decref(t->recs[i]);
	free(t->recs);
}

/* The fields: from is the signer, to someone else; the lots listed once;
 * a price reference or a contract. */
static ot_status transfer_read(otx_rule *r, transfer *t)
{
	char path[OTX_PATH_MAX];
	ot_status rc;
	if ((rc = otx_r_actor_id(r, r->ev, NULL, "from", 1, &t->from)) ||
	    (rc = otx_r_actor_id(r, r->ev, NULL, "to", 1, &t->to)) ||
	    (rc = otx_r_array(r, r->ev, NULL, "lots", 1, OTX_ITEMS_MAX, &t->lots)) ||
	    (rc = otx_r_enum(r, r->ev, NULL, "incoterm", 0, INCOTERMS, &t->incoterm)) ||
	    (rc = otx_r_str(r, r->ev, NULL, "price_ref", 0, &t->price_ref)) ||
	    (rc = otx_r_id(r, r->ev, NULL, "contract", 0, &t->contract)))
		return rc;
	if (!t->price_ref && !t->contract)
		return otx_rfail(r, OT_ERR_PARSE, "missing_field", "price_ref",
		                 "a transfer names its price_ref or its contract");
	if (strcmp(t->from, r->signer) != 0)
		return otx_rfail(r, OT_ERR_SIGNER, "not_owner", "from",
		                 "the title is transferred from %s but %s signs: only the owner "
		                 "transfers",
		                 t->from, r->signer);
	if (strcmp(t->from, t->to) == 0)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", "to",
		                 "%s already owns what it transfers to itself", t->to);
	t->n = json_array_size(t->lots);
	for (size_t i = 0; i < t->n; i++) {
		const char *id = json_string_value(json_array_get(t->lots, i));
		otx_rpath_at(path, sizeof path, "lots", i);
		if (!id || !*id)
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", path, "must be a lot id");
		for (size_t k = 0; k < i; k++)
			if (strcmp(id, json_string_value(json_array_get(t->lots, k))) == 0)
				return otx_rfail(r, OT_ERR_PARSE, "bad_field", path,
				                 "lot %s is listed twice", id);
	}
	return OT_OK;
}

/* The new owner is registered and the signer owns every lot, made before
 * the transfer and not used up. The contract is a reference the ledger
 * does not look up: a certificate replays a lot's transfers without the
 * contracts (certificate.c). */
static ot_status transfer_check(otx_rule *r, transfer *t)
{
	char path[OTX_PATH_MAX];
	ot_status rc = otx_need_actor(r, t->to, "to");
	if (rc)
		return rc;
	t->recs = calloc(t->n, sizeof *t->recs);
	if (!t->recs)
		return nomem(r);
	for (size_t i = 0; i < t->n; i++) {
		const char *id = json_string_value(json_array_get(t->lots, i));
		otx_rpath_at(path, sizeof path, "lots", i);
		if ((rc = otx_load_lot(r, id, path, &t->recs[i])))
			return rc;
		const char *owner = otx_lot_owner(t->recs[i]);
		if (!owner || strcmp(owner, r->signer) != 0)
			return otx_rfail(r, OT_ERR_SIGNER, "not_owner", path,
			                 "lot %s is owned by %s, not by %s", id,
			                 owner ? owner : "nobody", r->signer);
		if (otx_jint(t->recs[i], "mass_g", 0) <= 0)
			return otx_rfail(r, OT_ERR_CONFLICT, "lot_consumed", path,
			                 "lot %s is used up: there is nothing to own", id);
		if ((rc = otx_check_time(r,
		                         otx_jstr(json_object_get(t->recs[i], "created"), "time"),
		                         path, "lot", id)))
			return rc;
	}
	return OT_OK;
}

/* Each lot changes owner and keeps the transfer as its `title`. */
static ot_status transfer_write(otx_rule *r, transfer *t)
{
	for (size_t i = 0; i < t->n; i++) {
		json_t *lot = t->recs[i];
		const char *id = otx_jstr(lot, "lot");
		json_t *title =
			json_pack("{s:I,s:s,s:s,s:s,s:s}", "index", (json_int_t)r->index, "id",
		                  r->id, "time", r->time_str, "from", t->from, "to", t->to);
		if (!title)
			return nomem(r);
		if (t->incoterm)
			json_object_set_new(title, "incoterm", json_string(t->incoterm));
		if (t->price_ref)
			json_object_set_new(title, "price_ref", json_string(t->price_ref));
		if (t->contract)
			json_object_set_new(title, "contract", json_string(t->contract));
		if (json_object_set_new(lot, "title", title) || otx_lot_set_owner(lot, t->to))
			return nomem(r);
		ot_status rc;
		if ((rc = otx_lot_history_add(r, lot)) ||
		    (rc = otx_state_put(r->st, OTX_NS_LOT, id, lot, r->err)) ||
		    (rc = otx_lot_event(r, id, "transfer", NULL)))
			return rc;
	}
	return OT_OK;
}

ot_status otx_rule_transfer(otx_rule *r)
{
	transfer t;
	memset(&t, 0, sizeof t);
	ot_status rc;
	if (!(rc = transfer_read(r, &t)) && !(rc = transfer_check(r, &t)))
		rc = transfer_write(r, &t);
	transfer_free(&t);
	return rc;
}
