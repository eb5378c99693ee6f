/*
 * registry.c: what a ledger must hold before an EPCIS document's material
 * flows can come in (ot_epcis_registry, docs/epcis-profiles.md).
 *
 * A partner's document names sites, lots and consignments the ledger has
 * never heard of: its first shipment ships lots nobody made here, its
 * receipts close consignments nobody opened here. The ledger's rules are
 * right to refuse them. This module walks the document's mapped events in
 * order, as the rules will, and writes the ledger's own events that make
 * the walk go through, each a declaration by the partner or the authority
 * and nothing more: the partner as an actor with the roles its events
 * need, every site it names, held by the partner, every lot it consumes
 * that no earlier event makes, brought in as an `external` input of a
 * transform at the place it is first used (declared, not proven: the
 * `external` stage of its provenance), and every consignment it receives
 * that no earlier event ships, shipped to it from a site of the partner's
 * outside the document. What it cannot declare (another actor, which
 * needs that actor's own key; the material of a consumed lot the profile
 * does not give; a mass nothing states) is listed, not guessed.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epcis/map.h"
#include "oretrail/epcis.h"
#include "oretrail/event.h"
#include "oretrail/ledger.h"

/* The walk's state and its output. */
typedef struct walk {
	const ot_epcis_profile *prof;
	const ot_epcis_registry_opts *o;
	ot_ledger *l;
	json_t *sites;   /* site -> kind needed */
	json_t *lots;    /* lot -> its intake transform (borrowed), or true: made here */
	json_t *cons;    /* consignment -> the synthetic ship (borrowed), or true */
	json_t *roles;   /* role -> true */
	json_t *intakes; /* (kept apart, to come before the shipments) */
	json_t *ships;
	json_t *left;  /* [{"kind","id","reason"}] */
	json_t *later; /* the mapped events, in document order */
	size_t at;     /* index of the event walked in `later` */
	char t_reg[OT_TIME_LEN + 1], t_intake[OT_TIME_LEN + 1], t_ship[OT_TIME_LEN + 1];
	unsigned n;
} walk;

static int known(walk *w, ot_record_kind kind, const char *id)
{
	char *json = NULL;
	int got = w->l && ot_ledger_record(w->l, kind, id, &json, NULL) == OT_OK;
	free(json);
	return got;
}

static void leave(walk *w, const char *kind, const char *id, const char *reason)
{
	size_t i;
	json_t *it;
	json_array_foreach(w->left, i, it)
	{
		if (strcmp(json_string_value(json_object_get(it, "kind")), kind) == 0 &&
		    strcmp(json_string_value(json_object_get(it, "id")), id) == 0)
			return;
	}
	json_array_append_new(w->left,
	                      json_pack("{s:s,s:s,s:s}", "kind", kind, "id", id, "reason", reason));
}

/* Site kinds by what the rules ask of them: a mine for extract, a plant
 * for transform, a lab for an assay's lab; any other use takes any kind. */
static int kind_rank(const char *k)
{
	static const char *const order[] = {"warehouse", "lab", "plant", "mine"};
	for (int i = 0; i < 4; i++)
		if (strcmp(k, order[i]) == 0)
			return i;
	return 0;
}

static void need_site(walk *w, const char *site, const char *kind)
{
	const char *had = json_string_value(json_object_get(w->sites, site));
	if (!had || kind_rank(kind) > kind_rank(had))
		json_object_set_new(w->sites, site, json_string(kind));
}

static char *next_id(walk *w, const char *what, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s-%s-%u", w->o->tag, what, ++w->n);
	return buf;
}

/* The grams of one item of lot (the profile's item_mass_g), else the mass
 * a later receipt in the document gives it, else -1. */
static json_int_t lot_mass(walk *w, const char *lot)
{
	int64_t g = w->prof ? otx_epcis_profile_item_mass(w->prof, lot) : -1;
	if (g > 0)
		return (json_int_t)g;
	for (size_t i = w->at + 1; i < json_array_size(w->later); i++) {
		json_t *ev = json_array_get(w->later, i), *it;
		size_t j;
		if (strcmp(json_string_value(json_object_get(ev, "type")), "receive") != 0)
			continue;
		json_array_foreach(json_object_get(ev, "lots"), j, it)
		{
			if (strcmp(json_string_value(json_object_get(it, "lot")), lot) == 0)
				return json_integer_value(json_object_get(it, "mass_g"));
		}
	}
	return -1;
}

/* Lot `lot` is consumed (mass grams of it) at site: brought in there
 * unless the ledger or an earlier event made it. */
static void consume(walk *w, const char *lot, json_int_t mass, const char *site)
{
	json_t *had = json_object_get(w->lots, lot);
	if (json_is_true(had) || (!had && known(w, OT_RECORD_LOT, lot)))
		return;
	if (mass < 1)
		mass = 1;
	if (had) { /* brought in already: bring in this much more */
		json_t *ext = json_object_get(json_array_get(json_object_get(had, "inputs"), 0),
		                              "external");
		json_t *out = json_array_get(json_object_get(had, "outputs"), 0);
		json_int_t m = json_integer_value(json_object_get(out, "mass_g")) + mass;
		json_object_set_new(ext, "mass_g", json_integer(m));
		json_object_set_new(out, "mass_g", json_integer(m));
		return;
	}
	json_t *mat = w->prof ? otx_epcis_profile_material(w->prof, lot) : NULL;
	const char *material = json_string_value(json_object_get(mat, "material"));
	if (!material) {
		char cls[64];
		char why[400];
		snprintf(why, sizeof why,
		         "a lot the document consumes and nothing makes: its material and assay "
		         "(the profile line \"materials\":{\"%.80s\":{\"material\":...,"
		         "\"assay\":{...}}})",
		         otx_epcis_gtin_class(lot, cls) ? cls : lot);
		leave(w, "material", otx_epcis_gtin_class(lot, cls) ? cls : lot, why);
		json_object_set_new(w->lots, lot, json_true());
		return;
	}
	json_t *assay = json_object_get(mat, "assay");
	char id[OT_EVENT_ID_MAX + 1];
	json_t *out = json_pack("{s:s,s:s,s:I,s:O}", "lot", lot, "material", material, "mass_g",
	                        mass, "assay", assay ? assay : json_object());
	json_t *unc = json_object_get(mat, "uncertainty_ppm");
	if (unc)
		json_object_set(out, "uncertainty_ppm", unc);
	json_t *ev = json_pack(
		"{s:s,s:s,s:s,s:s,s:s,s:[{s:{s:s,s:s,s:s,s:I,s:O}}],s:[o]}", "type", "transform",
		"id", next_id(w, "intake", id, sizeof id), "time", w->t_intake, "site", site,
		"process", "blending", "inputs", "external", "material", material, "supplier",
		"outside this ledger, as declared by the partner", "country", w->o->country,
		"mass_g", mass, "assay", assay ? assay : json_object(), "outputs", out);
	json_array_append_new(w->intakes, ev);
	json_object_set(w->lots, lot, ev);
	need_site(w, site, "warehouse");
}

static void made(walk *w, const char *lot)
{
	if (lot && !json_object_get(w->lots, lot))
		json_object_set_new(w->lots, lot, json_true());
}

static void walk_transform(walk *w, json_t *ev)
{
	const char *site = json_string_value(json_object_get(ev, "site"));
	size_t i;
	json_t *it;
	need_site(w, site, "plant");
	json_object_set_new(w->roles, "processor", json_true());
	json_array_foreach(json_object_get(ev, "inputs"), i, it)
	{
		const char *lot = json_string_value(json_object_get(it, "lot"));
		if (lot)
			consume(w, lot, json_integer_value(json_object_get(it, "mass_g")), site);
	}
	json_array_foreach(json_object_get(ev, "outputs"), i, it)
		made(w, json_string_value(json_object_get(it, "lot")));
}

static void walk_ship(walk *w, json_t *ev)
{
	const char *from = json_string_value(json_object_get(ev, "from"));
	const char *consignee = json_string_value(json_object_get(ev, "consignee"));
	size_t i;
	json_t *it;
	need_site(w, from, "warehouse");
	need_site(w, json_string_value(json_object_get(ev, "to")), "warehouse");
	json_object_set_new(w->roles, "processor", json_true());
	json_object_set_new(w->cons, json_string_value(json_object_get(ev, "consignment")),
	                    json_true());
	if (strcmp(consignee, w->o->actor) != 0 && !known(w, OT_RECORD_ACTOR, consignee))
		leave(w, "actor", consignee,
		      "the consignee: an actor registers with its own key (an `actor` event "
		      "by the authority)");
	json_array_foreach(json_object_get(ev, "lots"), i, it)
	{
		if (json_is_string(it)) {
			const char *lot = json_string_value(it);
			json_int_t g = lot_mass(w, lot);
			if (g < 0 && !json_object_get(w->lots, lot) &&
			    !known(w, OT_RECORD_LOT, lot))
				leave(w, "item_mass", lot,
				      "the mass of a lot shipped whole that nothing makes: the "
				      "profile "
				      "line \"item_mass_g\"");
			else
				consume(w, lot, g, from);
		} else {
			consume(w, json_string_value(json_object_get(it, "lot")),
			        json_integer_value(json_object_get(it, "mass_g")), from);
			made(w, json_string_value(json_object_get(it, "as")));
		}
	}
}

static void walk_receive(walk *w, json_t *ev)
{
	const char *cons = json_string_value(json_object_get(ev, "consignment"));
	const char *site = json_string_value(json_object_get(ev, "site"));
	need_site(w, site, "warehouse");
	json_object_set_new(w->roles, "processor", json_true());
	json_t *had = json_object_get(w->cons, cons);
	if (json_is_true(had) || (!had && known(w, OT_RECORD_CONSIGNMENT, cons)))
		return;
	char id[OT_EVENT_ID_MAX + 1], origin[OT_EVENT_ID_MAX + 1];
	if (!had) {
		/* Received here, shipped nowhere the ledger knows: shipped to the
		 * partner from a site of its own outside the document. */
		next_id(w, "origin", origin, sizeof origin);
		need_site(w, origin, "warehouse");
		had = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[]}", "type", "ship", "id",
		                next_id(w, "ship", id, sizeof id), "time", w->t_ship, "consignment",
		                cons, "from", origin, "to", site, "consignee", w->o->actor, "lots");
		json_array_append_new(w->ships, had);
		json_object_set(w->cons, cons, had);
	}
	const char *from = json_string_value(json_object_get(had, "from"));
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(ev, "lots"), i, it)
	{
		const char *lot = json_string_value(json_object_get(it, "lot"));
		consume(w, lot, json_integer_value(json_object_get(it, "mass_g")), from);
		json_array_append_new(json_object_get(had, "lots"), json_string(lot));
	}
}

static void walk_event(walk *w, json_t *ev)
{
	const char *type = json_string_value(json_object_get(ev, "type"));
	if (strcmp(type, "transform") == 0) {
		walk_transform(w, ev);
	} else if (strcmp(type, "ship") == 0) {
		walk_ship(w, ev);
	} else if (strcmp(type, "receive") == 0) {
		walk_receive(w, ev);
	} else if (strcmp(type, "extract") == 0) {
		need_site(w, json_string_value(json_object_get(ev, "site")), "mine");
		json_object_set_new(w->roles, "miner", json_true());
		made(w, json_string_value(json_object_get(ev, "lot")));
	} else if (strcmp(type, "assay") == 0) {
		const char *lot = json_string_value(json_object_get(ev, "lot"));
		const char *lab = json_string_value(json_object_get(ev, "lab"));
		json_object_set_new(w->roles, "lab", json_true());
		if (lab)
			need_site(w, lab, "lab");
		if (!json_object_get(w->lots, lot) && !known(w, OT_RECORD_LOT, lot))
			leave(w, "lot", lot,
			      "an assayed lot that nothing makes: import the events that make it "
			      "first");
	}
}

/* t minus days, into out. */
static void before(const char *t, int days, char out[OT_TIME_LEN + 1])
{
	int64_t s = 0;
	if (ot_time_parse(t, &s) != OT_OK || ot_time_format(s - (int64_t)days * 86400, out))
		snprintf(out, OT_TIME_LEN + 1, "%s", t);
}

/* The authority's events: the partner (when new) and the sites. */
static json_t *authority_events(walk *w)
{
	json_t *out = json_array();
	char id[OT_EVENT_ID_MAX + 1];
	if (!known(w, OT_RECORD_ACTOR, w->o->actor) && strcmp(w->o->actor, w->o->authority) != 0) {
		json_t *roles = json_array();
		const char *r;
		json_t *v;
		json_object_foreach(w->roles, r, v) json_array_append_new(roles, json_string(r));
		if (!json_array_size(roles))
			json_array_append_new(roles, json_string("processor"));
		json_array_append_new(
			out, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s}", "type", "actor", "id",
		                       next_id(w, "actor", id, sizeof id), "time", w->t_reg,
		                       "actor", w->o->actor, "name", w->o->actor, "country",
		                       w->o->country, "roles", roles, "key", w->o->vkey));
	}
	const char *site;
	json_t *kind;
	json_object_foreach(w->sites, site, kind)
	{
		if (known(w, OT_RECORD_SITE, site))
			continue;
		json_array_append_new(out,
		                      json_pack("{s:s,s:s,s:s,s:s,s:O,s:s,s:s}", "type", "site",
		                                "id", next_id(w, "site", id, sizeof id), "time",
		                                w->t_reg, "site", site, "kind", kind, "holder",
		                                w->o->actor, "country", w->o->country));
	}
	return out;
}

ot_status ot_epcis_registry(const ot_epcis_doc *doc, const ot_epcis_profile *prof, ot_ledger *l,
                            const ot_epcis_registry_opts *o, json_t **out, ot_error *err)
{
	walk w;
	memset(&w, 0, sizeof w);
	w.prof = prof;
	w.o = o;
	w.l = l;
	w.sites = json_object();
	w.lots = json_object();
	w.cons = json_object();
	w.roles = json_object();
	w.intakes = json_array();
	w.ships = json_array();
	w.left = json_array();
	w.later = json_array();
	*out = NULL;
	ot_status rc = OT_OK;
	if (!w.sites || !w.lots || !w.cons || !w.roles || !w.intakes || !w.ships || !w.left ||
	    !w.later) {
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		goto done;
	}
	/* The mapped events, in order; the earliest time dates the
	 * declarations (a day apart, all before it). */
	char first[OT_TIME_LEN + 1] = "";
	for (size_t i = 0; i < ot_epcis_doc_count(doc); i++) {
		ot_epcis_mapping m;
		memset(&m, 0, sizeof m);
		if (ot_epcis_map_event_with(doc, i, prof, &m) == OT_OK) {
			size_t j;
			json_t *ev;
			json_array_foreach(m.events, j, ev)
			{
				const char *t = json_string_value(json_object_get(ev, "time"));
				if (t && (!first[0] || strcmp(t, first) < 0))
					snprintf(first, sizeof first, "%s", t);
				json_array_append(w.later, ev);
			}
		}
		ot_epcis_mapping_clear(&m);
	}
	if (!first[0]) { /* no material flow: nothing to declare */
		*out = json_pack("{s:[],s:[],s:[]}", "authority", "partner", "left");
		rc = *out ? OT_OK : ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		goto done;
	}
	before(first, 3, w.t_reg);
	before(first, 2, w.t_intake);
	before(first, 1, w.t_ship);
	for (w.at = 0; w.at < json_array_size(w.later); w.at++)
		walk_event(&w, json_array_get(w.later, w.at));
	json_t *partner = json_array();
	json_array_extend(partner, w.intakes);
	json_array_extend(partner, w.ships);
	*out = json_pack("{s:o,s:o,s:O}", "authority", authority_events(&w), "partner", partner,
	                 "left", w.left);
	if (!*out)
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
done:
	json_decref(w.sites);
	json_decref(w.lots);
	json_decref(w.cons);
	json_decref(w.roles);
	json_decref(w.intakes);
	json_decref(w.ships);
	json_decref(w.left);
	json_decref(w.later);
	return rc;
}
