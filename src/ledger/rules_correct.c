/*
 * rules_correct.c: corrections without rewriting history. A `correct`
 * entry names an earlier event and carries it in full as it should have
 * been; a `void` entry names one that should not have been. Neither
 * touches the log: the rules apply them to the state at their own position,
 * so trace, reports, certificates and audit read the corrected values, and
 * the lot keeps the history (`corrections`, a `corrected`/`voided` finding).
 *
 * What can be corrected is what the state can re-derive without guessing:
 * a lot's creation (`extract`: mass, material, assay, uncertainty) and a
 * certification (`assay`); `extract` and `assay` can be voided. The other
 * types spread their effects over lots, consignments and derived origin
 * vectors that later entries built on, and are refused (`not_correctable`,
 * docs/events.md "Corrections"). Every correction is re-checked at the
 * point of correction with the rules of the corrected type, and against
 * what later entries already did with the value: one that would break them
 * is refused naming those entries (`correction_breaks_downstream`).
 */
#include "ledger/rules_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/findings.h"
#include "oretrail/buf.h"
#include "oretrail/status.h"

/* Longest reason, in bytes. */
#define REASON_MAX 1000

static ot_status nomem(otx_rule *r)
{
	return ot_error_set(r->err, OT_ERR_NOMEM, "out of memory");
}

/* What `correct` and `void` share: the target's event_id record, the
 * reason, and the kind ("correct" or "void"). */
typedef struct fix {
	const char *kind;
	const char *target; /* the event id corrected or voided */
	const char *reason;
	json_t *rec; /* the target's event_id record */
	int64_t target_index;
	const char *target_type;
	const char *target_signer;
} fix;

static ot_status fix_read(otx_rule *r, fix *f, const char *kind, const char *key)
{
	char path[OTX_PATH_MAX];
	memset(f, 0, sizeof *f);
	f->kind = kind;
	ot_status rc;
	if ((rc = otx_r_id(r, r->ev, NULL, key, 1, &f->target)) ||
	    (rc = otx_r_str(r, r->ev, NULL, "reason", 1, &f->reason)))
		return rc;
	if (strlen(f->reason) > REASON_MAX)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", "reason",
		                 "a reason is at most %d bytes", REASON_MAX);
	rc = otx_state_get(r->st, OTX_NS_EVENT_ID, f->target, &f->rec, r->err);
	if (rc == OT_ERR_NOTFOUND)
		return otx_rfail(r, OT_ERR_CONFLICT, "event_not_found", key,
		                 "no event with id %s is in the log", f->target);
	if (rc)
		return rc;
	f->target_index = otx_jint(f->rec, "index", -1);
	f->target_type = otx_jstr(f->rec, "type");
	f->target_signer = otx_jstr(f->rec, "signer");
	if (!f->target_type || !f->target_signer || f->target_index < 0)
		return ot_error_set(r->err, OT_ERR_CORRUPT, "the record of event %s is incomplete",
		                    f->target);
	otx_rpath(path, sizeof path, NULL, key);
	if (json_object_get(f->rec, "voided"))
		return otx_rfail(r, OT_ERR_CONFLICT, "event_voided", path,
		                 "event %s was voided by entry %" PRId64
		                 "; a voided event cannot be corrected or voided again",
		                 f->target, otx_jint(f->rec, "voided", -1));
	if (strcmp(f->target_type, "correct") == 0 || strcmp(f->target_type, "void") == 0)
		return otx_rfail(r, OT_ERR_RULE, "not_correctable", path,
		                 "%s is itself a %s entry; correct or void the event it names",
		                 f->target, f->target_type);
	/* The original signer, on the key it holds now (check_signer has
	 * verified it), or the authority. */
	if (strcmp(f->target_signer, r->signer) != 0 && !(r->roles & OTX_ROLE_AUTHORITY))
		return otx_rfail(r, OT_ERR_SIGNER, "not_original_signer", "signer",
		                 "event %s was signed by %s; only %s or an authority may %s it, "
		                 "not %s",
		                 f->target, f->target_signer, f->target_signer, kind, r->signer);
	return OT_OK;
}

/* The refusal for types whose effects cannot be re-derived. */
static ot_status not_correctable(otx_rule *r, const fix *f, const char *path)
{
	static const struct {
		const char *type, *why;
	} WHY[] = {
		{"transform",
	         "its outputs' contents and origin vectors are derived from its inputs "
	         "and may have been used since"},
		{"ship", "it opened a consignment that a receipt may have closed"},
		{"receive", "custody passed on it and later entries rest on that custody"},
		{"actor", "keys and roles change by a new actor event"},
		{"site", "a site changes by a new site event"},
		{"contract", "a contract's public fields are what was committed on the day of "
	                     "signing; disclose or amend with a new contract"},
		{"disclose", "a disclosure opens a commitment and is checked against it"},
		{"payment", "record the difference as a new payment"},
		{"receipt", "the payee's acknowledgement stands as signed; a difference from the "
	                    "payment is a discrepancy of `report eiti`"},
		{"resource", "declare the resources again with a new resource event"},
	};
	const char *why = "this type has no correction rule";
	for (size_t i = 0; i < sizeof WHY / sizeof WHY[0]; i++)
		if (strcmp(WHY[i].type, f->target_type) == 0)
			why = WHY[i].why;
	return otx_rfail(r, OT_ERR_RULE, "not_correctable", path,
	                 "%s is a %s event, which cannot be %s: %s", f->target, f->target_type,
	                 strcmp(f->kind, "void") == 0 ? "voided" : "corrected", why);
}

/* --- what later entries did with a lot --- */

typedef struct later {
	int64_t after; /* entries after this index count */
	json_t *list;  /* [{"index","type","id","role"}] of role use, ship, receive */
	int moved;     /* one of them is a ship or receive */
} later;

static ot_status later_add(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	later *l = ctx;
	json_t *ev = json_loadb((const char *)value, len, 0, NULL);
	if (!ev)
		return OT_ERR_CORRUPT;
	const char *role = otx_jstr(ev, "role");
	int use = role && strcmp(role, "use") == 0;
	int moved = role && (strcmp(role, "ship") == 0 || strcmp(role, "receive") == 0);
	ot_status rc = OT_OK;
	if ((use || moved) && otx_jint(ev, "index", -1) > l->after) {
		l->moved |= moved;
		rc = json_array_append(l->list, ev) ? OT_ERR_NOMEM : OT_OK;
	}
	json_decref(ev);
	return rc;
}

/* The entries after `after` that used, shipped or received `lot`. */
static ot_status later_of(otx_rule *r, const char *lot, int64_t after, later *l)
{
	char prefix[OTX_EVENT_ID_MAX + 2];
	snprintf(prefix, sizeof prefix, "%s ", lot);
	l->after = after;
	l->moved = 0;
	l->list = json_array();
	if (!l->list)
		return nomem(r);
	ot_status rc = ot_store_kv_scan(r->st, OTX_NS_LOT_EVENT, prefix, later_add, l, NULL);
	if (rc)
		return ot_error_set(r->err, rc, "cannot read the history of lot %s", lot);
	return OT_OK;
}

/* "entries 7 (transform t1), 9 (ship s1)" into b. */
static const char *later_text(const later *l, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < json_array_size(l->list); i++) {
		json_t *ev = json_array_get(l->list, i);
		int n = snprintf(buf + used, size - used, "%s%" PRId64 " (%s %s)", i ? ", " : "",
		                 otx_jint(ev, "index", -1), otx_jstr(ev, "type"),
		                 otx_jstr(ev, "id"));
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

static ot_status breaks(otx_rule *r, const fix *f, const char *path, const later *l,
                        const char *why)
{
	char list[300];
	return otx_rfail(r, OT_ERR_RULE, "correction_breaks_downstream", path,
	                 "correcting %s would break entr%s %s: %s", f->target,
	                 json_array_size(l->list) == 1 ? "y" : "ies",
	                 later_text(l, list, sizeof list), why);
}

/* --- the record of it --- */

/* The lot's `corrections`, the target's event_id record, the lot's history
 * and lot_event, and the finding. Then stores the lot (rescaled over the
 * elements of a and b, each may be NULL) unless `put` is 0. */
static ot_status record_fix(otx_rule *r, fix *f, json_t *lot, json_t *a, json_t *b)
{
	const char *id = otx_jstr(lot, "lot");
	json_t *list = json_object_get(lot, "corrections");
	if (!list) {
		list = json_array();
		if (!list || json_object_set_new(lot, "corrections", list))
			return nomem(r);
	}
	if (json_array_append_new(list, json_pack("{s:I,s:s,s:s,s:s,s:s,s:I}", "entry",
	                                          (json_int_t)r->index, "by", r->signer, "reason",
	                                          f->reason, "kind", f->kind, "event", f->target,
	                                          "event_index", (json_int_t)f->target_index)))
		return nomem(r);
	if (strcmp(f->kind, "void") == 0) {
		json_object_set_new(f->rec, "voided", json_integer((json_int_t)r->index));
	} else {
		json_t *by = json_object_get(f->rec, "corrected");
		if (!by) {
			by = json_array();
			if (!by || json_object_set_new(f->rec, "corrected", by))
				return nomem(r);
		}
		json_array_append_new(by, json_integer((json_int_t)r->index));
	}
	ot_status rc;
	if ((rc = otx_state_put(r->st, OTX_NS_EVENT_ID, f->target, f->rec, r->err)) ||
	    (rc = otx_lot_history_add(r, lot)) || (rc = otx_lot_rescale(r, lot, a, b)) ||
	    (rc = otx_lot_event(r, id, f->kind, NULL)))
		return rc;
	return otx_finding_add(
		r->st, r->index, strcmp(f->kind, "void") == 0 ? "voided" : "corrected", f->target,
		r->err, "%s %s of lot %s (entry %" PRId64 ") %s by %s: %s", f->target_type,
		f->target, id, f->target_index,
		strcmp(f->kind, "void") == 0 ? "voided" : "corrected", r->signer, f->reason);
}

/* The lot `lot_id` (read from the corrected event at `path`) if the
 * target's entry touched it: its lot_event at the target's index. */
static ot_status target_lot(otx_rule *r, const fix *f, const char *lot_id, const char *path,
                            json_t **out)
{
	char ikey[OTX_INDEX_KEY_LEN], key[OTX_EVENT_ID_MAX + OTX_INDEX_KEY_LEN + 2];
	int found = 0;
	otx_index_key(ikey, (uint64_t)f->target_index);
	snprintf(key, sizeof key, "%s %s", lot_id, ikey);
	ot_status rc = otx_state_has(r->st, OTX_NS_LOT_EVENT, key, &found, r->err);
	if (rc)
		return rc;
	if (!found)
		return otx_rfail(r, OT_ERR_RULE, "correction_changes_subject", path,
		                 "%s %s was not about lot %s; a correction keeps the lot",
		                 f->target_type, f->target, lot_id);
	return otx_load_lot(r, lot_id, path, out);
}

/* --- extract --- */

static int same(json_t *a, json_t *b)
{
	return json_equal(a, b) || (!a && json_is_integer(b) && json_integer_value(b) == 0) ||
	       (!b && json_is_integer(a) && json_integer_value(a) == 0);
}

static ot_status correct_extract(otx_rule *r, fix *f, json_t *ev)
{
	const char *site_id, *lot_id, *material;
	int64_t mass = 0, unc = 0;
	json_t *assay, *lot = NULL, *site = NULL, *old_assay = NULL;
	later l = {0, NULL, 0};
	ot_status rc;
	if ((rc = otx_r_id(r, ev, "corrected", "site", 1, &site_id)) ||
	    (rc = otx_r_id(r, ev, "corrected", "lot", 1, &lot_id)) ||
	    (rc = otx_r_enum(r, ev, "corrected", "material", 1, otx_materials, &material)) ||
	    (rc = otx_r_int(r, ev, "corrected", "mass_g", 1, 1, OTX_MASS_MAX, &mass)) ||
	    (rc = otx_r_assay(r, ev, "corrected", "assay", 1, &assay)) ||
	    (rc = otx_r_int(r, ev, "corrected", "uncertainty_ppm", 0, 0, OTX_UNCERTAINTY_MAX,
	                    &unc)) ||
	    (rc = target_lot(r, f, lot_id, "corrected.lot", &lot)))
		return rc;
	json_t *created = json_object_get(lot, "created");
	if (strcmp(otx_jstr(created, "site"), site_id) != 0) {
		rc = otx_rfail(r, OT_ERR_RULE, "correction_changes_subject", "corrected.site",
		               "lot %s was extracted at %s; a correction keeps the mine", lot_id,
		               otx_jstr(created, "site"));
		goto out;
	}
	if ((rc = otx_load_site(r, site_id, "corrected.site", &site)) ||
	    (rc = otx_check_licence(r, site, "corrected.site")))
		goto out;

	int64_t initial = otx_jint(lot, "initial_g", 0);
	int64_t used = initial - otx_jint(lot, "mass_g", 0);
	json_t *unc_j = json_integer(unc);
	int content = !same(json_object_get(lot, "assay"), assay) ||
	              strcmp(otx_jstr(lot, "material"), material) != 0 ||
	              !same(json_object_get(lot, "uncertainty_ppm"), unc_j);
	json_decref(unc_j);
	if ((rc = later_of(r, lot_id, f->target_index, &l)))
		goto out;
	if (json_array_size(l.list)) {
		char why[200];
		if (content) {
			rc = breaks(r, f, "corrected", &l,
			            "they carried the lot's material and contents on");
			goto out;
		}
		if (mass != initial && l.moved) {
			rc = breaks(r, f, "corrected.mass_g", &l,
			            "the lot was shipped at its recorded mass");
			goto out;
		}
		if (mass < used) {
			char g1[48], g2[48];
			snprintf(why, sizeof why, "they used %s of it, more than the corrected %s",
			         otx_fmt_grams(g1, sizeof g1, (otx_u128)used * 1000000u),
			         otx_fmt_grams(g2, sizeof g2, (otx_u128)mass * 1000000u));
			rc = breaks(r, f, "corrected.mass_g", &l, why);
			goto out;
		}
	}

	/* The lot as it would have been, less what later entries used. */
	old_assay = json_deep_copy(json_object_get(lot, "assay"));
	json_object_set_new(lot, "material", json_string(material));
	json_object_set_new(lot, "initial_g", json_integer(mass));
	json_object_set_new(lot, "mass_g", json_integer(mass - used));
	json_object_set(lot, "assay", assay);
	json_object_set_new(lot, "uncertainty_ppm", json_integer(unc));
	json_object_set_new(created, "time", json_string(r->time_str));
	int64_t extracted = otx_jint(site, "extracted_g", 0) - initial + mass;
	json_object_set_new(site, "extracted_g", json_integer(extracted < 0 ? 0 : extracted));
	if ((rc = otx_state_put(r->st, OTX_NS_SITE, site_id, site, r->err)))
		goto out;
	rc = record_fix(r, f, lot, assay, old_assay);
out:
	json_decref(l.list);
	json_decref(old_assay);
	json_decref(site);
	json_decref(lot);
	return rc;
}

static ot_status void_extract(otx_rule *r, fix *f, json_t *lot)
{
	json_t *site = NULL;
	later l = {0, NULL, 0};
	ot_status rc = later_of(r, otx_jstr(lot, "lot"), f->target_index, &l);
	if (rc)
		return rc;
	if (json_array_size(l.list)) {
		char list[300];
		rc = otx_rfail(r, OT_ERR_CONFLICT, "lot_used", "voids",
		               "lot %s was created by %s and is in use since (entries %s): only "
		               "an unused lot's creation can be voided",
		               otx_jstr(lot, "lot"), f->target, later_text(&l, list, sizeof list));
		goto out;
	}
	const char *site_id = otx_jstr(json_object_get(lot, "created"), "site");
	if ((rc = otx_load_site(r, site_id, "voids", &site)))
		goto out;
	int64_t extracted = otx_jint(site, "extracted_g", 0) - otx_jint(lot, "initial_g", 0);
	json_object_set_new(site, "extracted_g", json_integer(extracted < 0 ? 0 : extracted));
	if ((rc = otx_state_put(r->st, OTX_NS_SITE, site_id, site, r->err)))
		goto out;
	/* The lot stays, to be traced and to keep its id taken; it holds
	 * nothing and no rule accepts it again (lot_voided). */
	json_object_set_new(lot, "status", json_string("void"));
	json_object_set_new(lot, "mass_g", json_integer(0));
	json_object_set_new(lot, "origins", json_object());
	json_object_del(lot, "stages");
	rc = record_fix(r, f, lot, NULL, NULL);
out:
	json_decref(l.list);
	json_decref(site);
	return rc;
}

/* --- assay --- */

/* The lot whose current certification is the target's (or a correction
 * of it), and whether anything used or shipped it since. */
static ot_status assay_target(otx_rule *r, fix *f, const char *lot_id, const char *path,
                              json_t **lot)
{
	ot_status rc = target_lot(r, f, lot_id, path, lot);
	if (rc)
		return rc;
	json_t *cert = json_object_get(*lot, "certified");
	const char *corrects = otx_jstr(cert, "corrects");
	if (!cert || (otx_jint(cert, "index", -1) != f->target_index &&
	              !(corrects && strcmp(corrects, f->target) == 0)))
		return otx_rfail(r, OT_ERR_CONFLICT, "correction_superseded", path,
		                 "lot %s is certified by entry %" PRId64 " now, not by %s; "
		                 "correct that one",
		                 lot_id, otx_jint(cert, "index", -1), f->target);
	later l = {0, NULL, 0};
	if ((rc = later_of(r, lot_id, f->target_index, &l)))
		return rc;
	if (json_array_size(l.list))
		rc = breaks(r, f, path, &l,
		            "they carried the certified contents on into their own records");
	json_decref(l.list);
	return rc;
}

static ot_status correct_assay(otx_rule *r, fix *f, json_t *ev)
{
	const char *lot_id;
	json_t *lot = NULL, *old = NULL;
	ot_status rc;
	if ((rc = otx_r_id(r, ev, "corrected", "lot", 1, &lot_id)) ||
	    (rc = assay_target(r, f, lot_id, "corrected.lot", &lot)))
		goto out;
	old = json_deep_copy(json_object_get(json_object_get(lot, "certified"), "assay"));
	/* The assay rule itself, on the corrected event at this position. */
	otx_rule sub = *r;
	sub.ev = ev;
	sub.corrects = f->target;
	if ((rc = otx_rule_assay(&sub)))
		goto out;
	json_decref(lot);
	lot = NULL;
	if ((rc = otx_load_lot(r, lot_id, "corrected.lot", &lot)))
		goto out;
	rc = record_fix(r, f, lot, json_object_get(json_object_get(lot, "certified"), "assay"),
	                old);
out:
	json_decref(old);
	json_decref(lot);
	return rc;
}

static ot_status void_assay(otx_rule *r, fix *f, const char *lot_id)
{
	json_t *lot = NULL, *old = NULL;
	ot_status rc = assay_target(r, f, lot_id, "voids", &lot);
	if (rc)
		goto out;
	old = json_deep_copy(json_object_get(json_object_get(lot, "certified"), "assay"));
	if ((rc = otx_assay_drop(r, lot, f->target)))
		goto out;
	/* Back to the next governing assay, else the declared contents. */
	json_t *now = json_object_get(json_object_get(lot, "certified"), "assay");
	rc = record_fix(r, f, lot, old, now ? now : json_object_get(lot, "assay"));
out:
	json_decref(old);
	json_decref(lot);
	return rc;
}

/* --- the lot of a voided entry --- */

typedef struct find_lot {
	char suffix[OTX_INDEX_KEY_LEN + 1]; /* " <index>" */
	char *lot;
} find_lot;

static ot_status find_lot_cb(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)value, (void)len;
	find_lot *fl = ctx;
	size_t kl = strlen(key), sl = strlen(fl->suffix);
	if (kl <= sl || strcmp(key + kl - sl, fl->suffix) != 0)
		return OT_OK;
	fl->lot = strndup(key, kl - sl);
	return fl->lot ? OT_ERR_EXISTS : OT_ERR_NOMEM; /* found: stop */
}

/* The lot that the target's entry created or assayed. A void names only
 * the event, and lot_event is keyed by lot, so this scans it: voids are
 * rare. */
static ot_status lot_of_entry(otx_rule *r, const fix *f, json_t **lot)
{
	find_lot fl;
	char ikey[OTX_INDEX_KEY_LEN];
	otx_index_key(ikey, (uint64_t)f->target_index);
	snprintf(fl.suffix, sizeof fl.suffix, " %s", ikey);
	fl.lot = NULL;
	ot_status rc = ot_store_kv_scan(r->st, OTX_NS_LOT_EVENT, "", find_lot_cb, &fl, NULL);
	if (rc && rc != OT_ERR_EXISTS)
		return ot_error_set(r->err, rc, "cannot read the lots' histories");
	if (!fl.lot)
		return ot_error_set(r->err, OT_ERR_CORRUPT, "the lot of event %s is not recorded",
		                    f->target);
	rc = otx_load_lot(r, fl.lot, "voids", lot);
	free(fl.lot);
	return rc;
}

/* --- the handlers --- */

ot_status otx_rule_correct(otx_rule *r)
{
	fix f;
	json_t *ev;
	const char *type, *id, *time_str;
	int64_t t = 0;
	ot_status rc = fix_read(r, &f, "correct", "corrects");
	if (rc)
		goto out;
	if ((rc = otx_r_value(r, r->ev, NULL, "corrected", 1, 0, &ev)))
		goto out;
	if (!json_is_object(ev)) {
		rc = otx_rfail(r, OT_ERR_PARSE, "bad_field", "corrected",
		               "must be the corrected event in full, an object");
		goto out;
	}
	if ((rc = otx_r_str(r, ev, "corrected", "type", 1, &type)) ||
	    (rc = otx_r_id(r, ev, "corrected", "id", 1, &id)) ||
	    (rc = otx_r_time(r, ev, "corrected", "time", 1, &time_str, &t)))
		goto out;
	if (strcmp(type, f.target_type) != 0) {
		rc = otx_rfail(r, OT_ERR_RULE, "correction_changes_type", "corrected.type",
		               "%s is a %s event; its correction must be one too, not %s", f.target,
		               f.target_type, type);
		goto out;
	}
	if (strcmp(id, f.target) != 0) {
		rc = otx_rfail(r, OT_ERR_RULE, "correction_changes_id", "corrected.id",
		               "the corrected event must keep the id %s, not %s", f.target, id);
		goto out;
	}
	/* The corrected event is checked at its claimed time. */
	r->time = t;
	r->time_str = time_str;
	if (strcmp(type, "extract") == 0)
		rc = correct_extract(r, &f, ev);
	else if (strcmp(type, "assay") == 0)
		rc = correct_assay(r, &f, ev);
	else
		rc = not_correctable(r, &f, "corrects");
out:
	json_decref(f.rec);
	return rc;
}

ot_status otx_rule_void(otx_rule *r)
{
	fix f;
	json_t *lot = NULL;
	ot_status rc = fix_read(r, &f, "void", "voids");
	if (rc)
		goto out;
	if (strcmp(f.target_type, "extract") != 0 && strcmp(f.target_type, "assay") != 0) {
		rc = not_correctable(r, &f, "voids");
		goto out;
	}
	if ((rc = lot_of_entry(r, &f, &lot)))
		goto out;
	if (strcmp(f.target_type, "extract") == 0)
		rc = void_extract(r, &f, lot);
	else
		rc = void_assay(r, &f, otx_jstr(lot, "lot"));
out:
	json_decref(lot);
	json_decref(f.rec);
	return rc;
}
