/*
 * rules_int.h: what the rule files share: the per-event context, the field
 * readers that turn a bad field into a precise error, and the handlers.
 */
#ifndef OT_LEDGER_RULES_INT_H
#define OT_LEDGER_RULES_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/envelope.h"
#include "ledger/provenance.h"
#include "ledger/rules.h"
#include "ledger/state.h"

__extension__ typedef unsigned __int128 otx_u128;

/* One event being checked. */
typedef struct otx_rule {
	ot_store *st;
	const otx_ledger_ctx *ctx;
	uint64_t index;
	const otx_envelope *env;
	json_t *ev;
	const char *id;
	const char *type;
	const char *time_str;
	int64_t time;
	const char *signer;
	unsigned roles;             /* the signer's roles */
	const uint8_t *verified_pk; /* the key the signature verifies with, if known */
	const char *corrects;       /* applying the correction of this event id */
	ot_error *err;
} otx_rule;

/* Fills err: "event <id>: <path>: <why>" (path may be NULL). */
ot_status otx_rfail(otx_rule *r, ot_status status, const char *code, const char *path,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The path of member `key` under `prefix` ("outputs[0]" + "mass_g"). */
const char *otx_rpath(char *buf, size_t size, const char *prefix, const char *key);
/* The path of item i under prefix ("lots" + 2: "lots[2]"). */
const char *otx_rpath_at(char *buf, size_t size, const char *prefix, size_t i);
#define OTX_PATH_MAX 160

/* Field readers. Each reads obj[key], reports missing_field when required
 * and absent, bad_field when of the wrong type or out of range, and leaves
 * the output untouched (NULL / 0) when optional and absent. A commitment
 * {"commit":...} is accepted only where allow_commit says so. */
ot_status otx_r_value(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                      int allow_commit, json_t **out);
ot_status otx_r_str(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                    const char **out);
/* An id: 1..OTX_EVENT_ID_MAX bytes of printable ASCII without spaces. */
ot_status otx_r_id(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                   const char **out);
/* An actor id: 1..OTX_SIGNER_MAX bytes of [A-Za-z0-9._:-]. */
ot_status otx_r_actor_id(otx_rule *r, json_t *obj, const char *prefix, const char *key,
                         int required, const char **out);
ot_status otx_r_int(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                    int64_t min, int64_t max, int64_t *out);
ot_status otx_r_time(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                     const char **str, int64_t *out);
ot_status otx_r_country(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                        const char **out);
/* An optional GS1 Global Location Number: 13 digits with a valid check
 * digit (bad_field otherwise). */
ot_status otx_r_gln(otx_rule *r, json_t *obj, const char *key, const char **out);
/* An array of 1..max items (0..max when min0). */
ot_status otx_r_array(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                      size_t max, json_t **out);
/* Element symbol -> mg/kg object; the contents add up to at most 10^6. */
ot_status otx_r_assay(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                      json_t **out);
/* {"amount": >= min, "currency": ISO 4217}, or a commitment when allowed. */
ot_status otx_r_money(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                      int allow_commit, int64_t min, json_t **out);
/* One of a NULL-terminated vocabulary. */
ot_status otx_r_enum(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                     const char *const *words, const char **out);
/* An array of distinct element symbols. */
ot_status otx_r_elements(otx_rule *r, json_t *obj, const char *prefix, const char *key,
                         int required, int allow_commit, json_t **out);

int otx_is_element(const char *s);
extern const char *const otx_materials[];

/* State lookups that fail with the conflict codes. */
ot_status otx_load_lot(otx_rule *r, const char *lot, const char *path, json_t **out);
ot_status otx_load_site(otx_rule *r, const char *site, const char *path, json_t **out);
/* otx_load_site for a rule that only reads the site (otx_state_peek): *out
 * is shared with the state and must not be changed. */
ot_status otx_peek_site(otx_rule *r, const char *site, const char *path, json_t **out);
ot_status otx_need_actor(otx_rule *r, const char *actor, const char *path);
/* licence_not_valid unless valid_from <= event time < valid_until. */
ot_status otx_check_licence(otx_rule *r, json_t *site, const char *path);
/* lot_in_transit, lot_not_held, lot_not_at_site. */
ot_status otx_check_custody(otx_rule *r, json_t *lot, const char *site, const char *path);

/* time_order unless the event is dated at or after `since` (an RFC 3339
 * time from a record; `what` says what happened then). */
ot_status otx_check_time(otx_rule *r, const char *since, const char *path, const char *what,
                         const char *id);

/* The lot's best content of `el` in mg/kg: the certified assay's when it
 * certifies el, else the declared one; *unc (may be NULL) its uncertainty. */
int64_t otx_lot_ppm(json_t *lot, const char *el, int64_t *unc);
/* The lot's best assay as a new object: declared, overridden element by
 * element by the certified one. NULL when out of memory. */
json_t *otx_lot_best_assay(json_t *lot);

/* Adds this entry to the `history` of a lot record (before it is stored). */
ot_status otx_lot_history_add(otx_rule *r, json_t *lot);

/* Rescales the lot's origin vector and stages so that each element named
 * in `elements` or `more` (objects whose keys are elements; either may be
 * NULL) totals its remaining mass x best content (otx_lot_ppm), and stores
 * the lot. */
ot_status otx_lot_rescale(otx_rule *r, json_t *rec, json_t *elements, json_t *more);

/* Appends the entry to the lot's history (lot_event); inputs may be NULL. */
ot_status otx_lot_event(otx_rule *r, const char *lot, const char *role, json_t *inputs);

/* Prints ug as grams with three decimals into buf. */
const char *otx_fmt_grams(char *buf, size_t size, otx_u128 ug);

/* Bulk trade (rules_bulk.c). */

/* A receiver's moisture that differs from the shipper's by more than this
 * (0.5 percentage points, in mg/kg of the wet mass) is a finding. */
#define OTX_MOISTURE_TOLERANCE_PPM 5000

/* A mass as weighed: `mass_g` (wet when `moisture_ppm` is given) and the
 * dry mass that every balance uses; moisture -1 when not given. */
typedef struct otx_mass {
	int64_t wet, dry, moisture;
} otx_mass;

/* Reads prefix.mass_g (min..OTX_MASS_MAX) and prefix.moisture_ppm
 * (0..10^6): bad_field out of range, no_dry_mass when the dry mass is
 * below min. */
ot_status otx_r_wet_mass(otx_rule *r, json_t *obj, const char *prefix, int64_t min, otx_mass *out);
/* Records "moisture_ppm" and "wet_mass_g" in a lot record when given. */
void otx_lot_set_moisture(json_t *rec, const otx_mass *m);
/* The moisture_mismatch finding when a receipt's moisture differs from the
 * lot's recorded one beyond OTX_MOISTURE_TOLERANCE_PPM. */
ot_status otx_check_moisture(otx_rule *r, json_t *lot, const char *cons, const otx_mass *got);

/* A transform input from outside the ledger (borrowed from the event). */
typedef struct otx_external {
	const char *material, *supplier, *country;
	otx_mass mass;
	json_t *assay;
} otx_external;

/* Reads item {"external": {...}} at prefix ("inputs[2]"). */
ot_status otx_external_read(otx_rule *r, json_t *item, const char *prefix, otx_external *x);
/* Records input i's declared origin (a site record of kind `external`,
 * "external:<event id>:<i>") and adds its contents to the pool's external
 * stage. */
ot_status otx_external_take(otx_rule *r, const otx_external *x, size_t i, otx_stages *pool);

/* A transform's dry masses in grams. */
typedef struct otx_mass_sums {
	int64_t tracked_g, external_g, out_g, uncertainty_ppm;
} otx_mass_sums;

/* mass_created when the outputs outweigh the inputs beyond the declared
 * uncertainty; else adds the unassigned loss to the site's process_loss_g. */
ot_status otx_mass_balance(otx_rule *r, const otx_mass_sums *m, const char *site_id);

/* Assays with roles (rules_assay.c). */

/* A seller's and a buyer's content of an element that differ by more than
 * this share of the higher one (1 %) differ beyond the splitting limit,
 * unless the contract (`splitting_limit`) names the element. */
#define OTX_SPLITTING_LIMIT_PPM 10000

/* The governing assay of a lot's `assays` (borrowed), NULL when none. */
json_t *otx_assay_governing(json_t *assays);
/* Sets the lot's `certified` to its governing assay and stores the lot,
 * rescaling it (otx_lot_rescale) when that differs from `old` (the
 * certified record before, or NULL). */
ot_status otx_assay_settle(otx_rule *r, json_t *rec, json_t *old);
/* Removes the assay of event `event_id` (or its correction) from the lot
 * and sets `certified` to the new governing one (absent when none); does
 * not store the lot. */
ot_status otx_assay_drop(otx_rule *r, json_t *rec, const char *event_id);

/* Partial shipments and receipts (rules_partial.c). */

/* A ship entry: a lot id (the whole lot), or {"lot","mass_g","as"}: mass_g
 * dry grams of lot travel as the new lot `as` (mass 0, as NULL: whole). */
typedef struct otx_ship_part {
	const char *lot, *as;
	int64_t mass;
} otx_ship_part;

/* Reads lots[i] of a ship event (borrowed from it). */
ot_status otx_ship_entry_read(otx_rule *r, json_t *item, size_t i, otx_ship_part *out);
/* mass_exceeded beyond the lot's remaining mass, duplicate_lot when `as`
 * exists. */
ot_status otx_ship_part_check(otx_rule *r, json_t *lot, const otx_ship_part *p, size_t i);
/* Splits p->mass of the parent (its record, stored again with the rest)
 * off into the new lot p->as, held where the parent is, with the parent's
 * provenance in proportion; *part is its stored record (a new reference). */
ot_status otx_ship_split(otx_rule *r, json_t *parent, const otx_ship_part *p, json_t **part);
/* mass_gained when lots[i] arrives heavier than shipped beyond unc_ppm. */
ot_status otx_receive_check_gain(otx_rule *r, const char *cons, const char *lot, size_t i,
                                 int64_t sent, int64_t got, int64_t unc_ppm);
/* Records this receipt of nlots lots in the consignment record; when every
 * lot is received, closes it (status "received", "received_g") with the
 * finding short_shipment when the total arrived short beyond the largest
 * weighing uncertainty of its receipts (but for one lot in one receipt,
 * which transit_loss covers). Does not store the record. */
ot_status otx_consignment_receipt(otx_rule *r, json_t *cons, size_t nlots, int64_t unc_ppm);

/* From rules_material.c, for the part lots and recycled feed. */
/* The site where new material enters the ledger (site_id, read from the
 * event's "site"): registered (site_not_found), of `kind`
 * (wrong_site_kind: "<what> happens at a <kind>"), held by the signer
 * (not_site_holder), licence valid (licence_not_valid). *site: a new
 * reference, also on failure after loading. */
ot_status otx_source_site(otx_rule *r, const char *site_id, const char *kind, const char *what,
                          json_t **site);
/* duplicate_lot when lot exists (path names the field). */
ot_status otx_lot_must_be_new(otx_rule *r, const char *lot, const char *path);
json_t *otx_lot_new(otx_rule *r, const char *lot, const char *material, int64_t mass,
                    const char *site, json_t *assay, int64_t uncertainty);
ot_status otx_lot_put(otx_rule *r, json_t *rec, const otx_vector *vec, const otx_stages *stages);
/* Writes the ancestry record of `lot`, made from `parent` (its history and
 * its own ancestry). */
ot_status otx_lot_inherit_ancestry(otx_rule *r, json_t *parent, const char *lot);

/* Title and custody (rules_title.c). */

/* The lot's owner: its "owner", else its holder (title with custody). */
const char *otx_lot_owner(const json_t *lot);
/* Sets the lot's owner: "owner" is kept only when it is not the holder;
 * NULL or the holder removes it. OT_ERR_NOMEM when out of memory. */
ot_status otx_lot_set_owner(json_t *lot, const char *owner);
/* Records the ship event's `title` ("retained": the owner keeps title
 * through the receipt, as in toll processing; "passes", the default: the
 * consignee becomes the owner) in the consignment's record. */
ot_status otx_title_ship(otx_rule *r, json_t *consignment);
/* A receipt: the lot's holder becomes `holder`; its owner stays when the
 * consignment's title is retained or a transfer separated title and
 * custody, else the holder owns it too. OT_ERR_NOMEM when out of memory. */
ot_status otx_title_receive(json_t *lot, json_t *consignment, const char *holder);
/* The owner of the inputs of one transform: *owner (NULL at first) takes
 * the lot's owner; mixed_owners when it differs from an earlier input's. */
ot_status otx_title_merge(otx_rule *r, json_t *lot, const char *path, const char **owner);

/* HS codes (rules_customs.c). */

/* Reads prefix.hs_code, when given, into code as six digits ("2846.90"
 * and "284690" are the same); bad_hs_code unless it is an HS 2022
 * subheading of data/hs2022.def. code[0] is 0 when absent. */
ot_status otx_r_hs_code(otx_rule *r, json_t *obj, const char *prefix, char code[7]);
/* Records code (when not empty) as the lot's "hs_code", and the finding
 * hs_code_mismatch when its heading does not fit the lot's material. */
ot_status otx_lot_set_hs(otx_rule *r, json_t *lot, const char *code);

/* Handlers, one per event type. */
ot_status otx_rule_actor(otx_rule *r);
ot_status otx_rule_site(otx_rule *r);
ot_status otx_rule_resource(otx_rule *r);
ot_status otx_rule_attest(otx_rule *r);
ot_status otx_rule_extract(otx_rule *r);
ot_status otx_rule_assay(otx_rule *r);
ot_status otx_rule_transform(otx_rule *r);
ot_status otx_rule_ship(otx_rule *r);
ot_status otx_rule_receive(otx_rule *r);
ot_status otx_rule_contract(otx_rule *r);
ot_status otx_rule_disclose(otx_rule *r);
ot_status otx_rule_payment(otx_rule *r);
ot_status otx_rule_receipt(otx_rule *r);

/* The payment streams (rules_contract.c), NULL-terminated, and the stream
 * of a payment or receipt record: its `stream`, else the one of its kind
 * (levy: tax, rent: fee, other: other). */
extern const char *const otx_payment_streams[];
const char *otx_payment_stream(json_t *rec);
ot_status otx_rule_correct(otx_rule *r);
ot_status otx_rule_void(otx_rule *r);
ot_status otx_rule_transfer(otx_rule *r);
ot_status otx_rule_declare(otx_rule *r);
/* Recycled feed (rules_recycle.c). */
ot_status otx_rule_recycle(otx_rule *r);
/* The scrap classes of a `recycle` event, NULL-terminated. */
extern const char *const otx_scrap_classes[];

#endif
