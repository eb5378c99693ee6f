/*
 * rules_registry.c: the registry events, signed by the authority: `actor`
 * (register, rotate or revoke an actor's key, revoke the actor outright or
 * re-admit it with a new key, change its roles) and `site`
 * (a licence, concession, plant, port or lab), and `resource`, a site's
 * declared resources by category (measured, indicated, inferred; JORC-style
 * reserves, proved and probable, are recorded but not added, being part of
 * the resources).
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

/* Reads `roles` into a canonical array (table order, no duplicates). */
static ot_status read_roles(otx_rule *r, int required, json_t **out)
{
	char path[OTX_PATH_MAX];
	json_t *arr;
	*out = NULL;
	ot_status rc = otx_r_array(r, r->ev, NULL, "roles", required, 16, &arr);
	if (rc || !arr)
		return rc;
	unsigned bits = 0;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		unsigned bit = s ? otx_role_bit(s) : 0;
		snprintf(path, sizeof path, "roles[%zu]", i);
		if (!bit)
			return otx_rfail(
				r, OT_ERR_PARSE, "bad_field", path,
				"\"%.40s\" is not a role (authority, miner, processor, lab, "
				"carrier, exporter, importer, customs, auditor, competent_person)",
				s ? s : "");
		if (bits & bit)
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", path, "%s is listed twice",
			                 s);
		bits |= bit;
	}
	json_t *canon = json_array();
	if (!canon)
		return nomem(r);
	for (unsigned i = 0; otx_role_name(i); i++)
		if (bits & (1u << i))
			json_array_append_new(canon, json_string(otx_role_name(i)));
	*out = canon;
	return OT_OK;
}

/* An actor event: its fields and the actor's record (NULL if new). */
typedef struct actor_event {
	const char *actor, *name, *country, *vkey, *revoke_str, *gln;
	int64_t revoke_from;
	json_t *roles, *rec;
	int exists, revoked; /* revoked: "revoked": true */
} actor_event;

/* The actor's record, if any, then the fields: a new actor needs them all. */
static ot_status actor_read(otx_rule *r, actor_event *a)
{
	ot_status rc = otx_r_actor_id(r, r->ev, NULL, "actor", 1, &a->actor);
	if (rc)
		return rc;
	rc = otx_state_get(r->st, OTX_NS_ACTOR, a->actor, &a->rec, r->err);
	if (rc && rc != OT_ERR_NOTFOUND)
		return rc;
	a->exists = rc == OT_OK;
	int required = !a->exists;
	if ((rc = otx_r_str(r, r->ev, NULL, "name", required, &a->name)) ||
	    (rc = otx_r_country(r, r->ev, NULL, "country", required, &a->country)) ||
	    (rc = read_roles(r, required, &a->roles)) ||
	    (rc = otx_r_str(r, r->ev, NULL, "key", required, &a->vkey)) ||
	    (rc = otx_r_gln(r, r->ev, "gln", &a->gln)) ||
	    (rc = otx_r_time(r, r->ev, NULL, "revoke_from", 0, &a->revoke_str, &a->revoke_from)))
		return rc;
	json_t *revoked = json_object_get(r->ev, "revoked");
	if (revoked && !json_is_null(revoked) && !json_is_true(revoked))
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", "revoked",
		                 "must be true (revoke the actor outright) or absent");
	a->revoked = json_is_true(revoked);
	return OT_OK;
}

/* A key, if given, is a verifier key named after the actor; only a known
 * actor has a key to revoke. */
static ot_status actor_check_key(otx_rule *r, const actor_event *a)
{
	if (a->vkey) {
		ot_verifier *v = NULL;
		ot_status rc = OT_OK;
		if (ot_verifier_parse(a->vkey, strlen(a->vkey), &v, NULL))
			rc = otx_rfail(r, OT_ERR_PARSE, "bad_field", "key",
			               "not a verifier key <name>+<hex id>+<base64 Ed25519 key>");
		else if (strcmp(ot_verifier_name(v), a->actor) != 0)
			rc = otx_rfail(r, OT_ERR_PARSE, "bad_field", "key",
			               "the key is named %s but the actor is %s",
			               ot_verifier_name(v), a->actor);
		ot_verifier_free(v);
		if (rc)
			return rc;
	}
	if (a->revoke_str && !a->exists)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", "revoke_from",
		                 "actor %s has no key to revoke yet", a->actor);
	if (a->revoked && !a->exists)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", "revoked",
		                 "actor %s is not registered: there is nothing to revoke",
		                 a->actor);
	if (a->revoked && a->vkey)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", "revoked",
		                 "an actor is revoked or given a new key, not both in one event");
	return OT_OK;
}

/* The scan of flag_signed_after: the entries of one actor claiming a time
 * at or after the stop time of its keys. */
typedef struct signed_after {
	otx_rule *r;
	const char *actor, *until;
	int64_t until_t;
} signed_after;

static ot_status signed_after_one(void *vctx, const char *key, const uint8_t *value, size_t len)
{
	signed_after *c = vctx;
	json_t *rec = json_loadb((const char *)value, len, 0, NULL);
	if (!rec)
		return OT_ERR_CORRUPT;
	const char *signer = otx_jstr(rec, "signer"), *time_s = otx_jstr(rec, "time");
	int64_t index = otx_jint(rec, "index", -1), t;
	ot_status rc = OT_OK;
	if (signer && time_s && strcmp(signer, c->actor) == 0 && index >= 0 &&
	    (uint64_t)index < c->r->index && otx_parse_time(time_s, &t) == OT_OK && t >= c->until_t)
		rc = otx_finding_add_values(
			c->r->st, (uint64_t)index, "signed_after_revocation", c->actor,
			json_pack("{s:s,s:s}", "claimed", time_s, "revoked_from", c->until),
			c->r->err,
			"entry %" PRId64 " (%s) signed by %s claims %s, not before %s, "
			"from which its key is revoked by entry %" PRIu64,
			index, key, c->actor, time_s, c->until, c->r->index);
	json_decref(rec);
	return rc;
}

/* The actor's entries sequenced before this revocation but claiming a time
 * at or after `until` are findings: they were signed when the key was
 * already meant to be dead, or are back-dated. Revocations are rare; this
 * scans the event ids once for each. */
static ot_status flag_signed_after(otx_rule *r, const char *actor, const char *until)
{
	signed_after c = {r, actor, until, 0};
	if (otx_parse_time(until, &c.until_t) != OT_OK)
		return OT_OK;
	ot_status rc = ot_store_kv_scan(r->st, OTX_NS_EVENT_ID, "", signed_after_one, &c, r->err);
	if (rc == OT_ERR_CORRUPT)
		return ot_error_set(r->err, rc, "an event id record cannot be read");
	return rc;
}

/* A known actor's record takes the fields given. A new key rotates: the
 * keys in force stop at revoke_from, or at this event's time; revoke_from
 * alone revokes without a successor. */
static ot_status actor_update(otx_rule *r, actor_event *a)
{
	json_t *rec = a->rec, *keys = json_object_get(rec, "keys");
	if (a->name)
		json_object_set_new(rec, "name", json_string(a->name));
	if (a->country)
		json_object_set_new(rec, "country", json_string(a->country));
	if (a->roles)
		json_object_set(rec, "roles", a->roles);
	if (a->gln)
		json_object_set_new(rec, "gln", json_string(a->gln));
	for (size_t i = 0; a->vkey && i < json_array_size(keys); i++)
		if (strcmp(otx_jstr(json_array_get(keys, i), "vkey"), a->vkey) == 0)
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", "key",
			                 "this key is already registered for %s", a->actor);
	if (a->vkey || a->revoke_str || a->revoked) {
		/* Revocation is by log position: a key stopped here signs nothing
		 * sequenced after this entry, whatever time it claims. `until`
		 * is the time from which its earlier entries are suspect. */
		const char *until = a->revoke_str ? a->revoke_str : r->time_str;
		for (size_t i = 0; i < json_array_size(keys); i++) {
			json_t *k = json_array_get(keys, i);
			if (json_object_get(k, "until"))
				continue;
			json_object_set_new(k, "until", json_string(until));
			json_object_set_new(k, "revoked_index", json_integer((json_int_t)r->index));
		}
		ot_status rc;
		if ((rc = flag_signed_after(r, a->actor, until)))
			return rc;
	}
	if (a->revoked)
		json_object_set_new(rec, "revoked", json_integer((json_int_t)r->index));
	if (a->vkey) {
		json_object_del(rec, "revoked"); /* re-admitted with a new key */
		json_array_append_new(keys, json_pack("{s:s,s:I}", "vkey", a->vkey, "added",
		                                      (json_int_t)r->index));
	}
	json_object_set_new(rec, "updated", json_integer((json_int_t)r->index));
	return OT_OK;
}

/* A new actor's record, with its first key. */
static ot_status actor_create(otx_rule *r, actor_event *a)
{
	a->rec = json_pack("{s:s,s:s,s:s,s:O,s:[{s:s,s:I}],s:I,s:I}", "actor", a->actor, "name",
	                   a->name, "country", a->country, "roles", a->roles, "keys", "vkey",
	                   a->vkey, "added", (json_int_t)r->index, "index", (json_int_t)r->index,
	                   "updated", (json_int_t)r->index);
	if (a->rec && a->gln && json_object_set_new(a->rec, "gln", json_string(a->gln)))
		return nomem(r);
	return a->rec ? OT_OK : nomem(r);
}

ot_status otx_rule_actor(otx_rule *r)
{
	actor_event a;
	memset(&a, 0, sizeof a);
	ot_status rc;
	if (!(rc = actor_read(r, &a)) && !(rc = actor_check_key(r, &a)) &&
	    !(rc = a.exists ? actor_update(r, &a) : actor_create(r, &a)))
		rc = otx_state_put(r->st, OTX_NS_ACTOR, a.actor, a.rec, r->err);
	json_decref(a.roles);
	json_decref(a.rec);
	return rc;
}

static const char *const SITE_KINDS[] = {"mine",      "plant",    "lab", "port",
                                         "warehouse", "recycler", NULL};

/* Most identifiers one site may carry, and their lengths. */
#define FACILITY_IDS_MAX 8
#define FACILITY_SCHEME_MAX 16
#define FACILITY_ID_MAX 64

/* facility_ids: {"rmi":"CID002512",...}: schemes of [a-z0-9_-], ids of
 * printable ASCII. */
static ot_status read_facility_ids(otx_rule *r, json_t **out)
{
	char path[OTX_PATH_MAX];
	json_t *ids = json_object_get(r->ev, "facility_ids");
	*out = NULL;
	if (!ids)
		return OT_OK;
	if (!json_is_object(ids) || json_object_size(ids) == 0 ||
	    json_object_size(ids) > FACILITY_IDS_MAX)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", "facility_ids",
		                 "must be an object of 1 to %d identifiers by scheme, such as "
		                 "{\"rmi\":\"CID002512\"}",
		                 FACILITY_IDS_MAX);
	const char *scheme;
	json_t *id;
	json_object_foreach(ids, scheme, id)
	{
		size_t n = strlen(scheme);
		int ok = n > 0 && n <= FACILITY_SCHEME_MAX;
		for (size_t i = 0; ok && i < n; i++)
			ok = (scheme[i] >= 'a' && scheme[i] <= 'z') ||
			     (scheme[i] >= '0' && scheme[i] <= '9') || scheme[i] == '_' ||
			     scheme[i] == '-';
		otx_rpath(path, sizeof path, "facility_ids", scheme);
		if (!ok)
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", path,
			                 "a scheme is 1 to %d characters of a-z, 0-9, _ and -",
			                 FACILITY_SCHEME_MAX);
		const char *v = json_string_value(id);
		size_t len = v ? json_string_length(id) : 0;
		ok = len > 0 && len <= FACILITY_ID_MAX;
		for (size_t i = 0; ok && i < len; i++)
			ok = v[i] > ' ' && v[i] < 127;
		if (!ok)
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", path,
			                 "must be an identifier: 1 to %d printable characters "
			                 "without spaces",
			                 FACILITY_ID_MAX);
	}
	*out = ids;
	return OT_OK;
}

ot_status otx_rule_site(otx_rule *r)
{
	const char *site, *kind, *holder, *country, *licence, *operator_name, *gln, *from_s = NULL,
										    *until_s = NULL;
	int64_t lat = 0, lon = 0, from = 0, until = 0;
	json_t *minerals, *facility_ids, *rec = NULL;
	int has_lat, has_lon;

	ot_status rc;
	if ((rc = otx_r_id(r, r->ev, NULL, "site", 1, &site)) ||
	    (rc = otx_r_enum(r, r->ev, NULL, "kind", 1, SITE_KINDS, &kind)) ||
	    (rc = otx_r_actor_id(r, r->ev, NULL, "holder", 1, &holder)) ||
	    (rc = otx_r_country(r, r->ev, NULL, "country", 1, &country)) ||
	    (rc = otx_r_int(r, r->ev, NULL, "lat_ud", 0, -90000000, 90000000, &lat)) ||
	    (rc = otx_r_int(r, r->ev, NULL, "lon_ud", 0, -180000000, 180000000, &lon)) ||
	    (rc = otx_r_str(r, r->ev, NULL, "licence", 0, &licence)) ||
	    (rc = otx_r_elements(r, r->ev, NULL, "minerals", 0, 0, &minerals)) ||
	    (rc = otx_r_time(r, r->ev, NULL, "valid_from", 0, &from_s, &from)) ||
	    (rc = otx_r_time(r, r->ev, NULL, "valid_until", 0, &until_s, &until)) ||
	    (rc = otx_r_str(r, r->ev, NULL, "operator", 0, &operator_name)) ||
	    (rc = otx_r_gln(r, r->ev, "gln", &gln)) || (rc = read_facility_ids(r, &facility_ids)))
		return rc;
	has_lat = json_object_get(r->ev, "lat_ud") != NULL;
	has_lon = json_object_get(r->ev, "lon_ud") != NULL;
	if (from_s && until_s && from >= until)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", "valid_until",
		                 "%s is not after valid_from %s", until_s, from_s);
	int found = 0;
	if ((rc = otx_state_has(r->st, OTX_NS_SITE, site, &found, r->err)))
		return rc;
	if (found)
		return otx_rfail(r, OT_ERR_CONFLICT, "duplicate_site", "site",
		                 "site %s is already registered", site);
	if ((rc = otx_need_actor(r, holder, "holder")))
		return rc;

	rec = json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:{},s:I,s:I}", "site", site, "kind", kind,
	                "holder", holder, "country", country, "index", (json_int_t)r->index, "time",
	                r->time_str, "resources", "declared_ore_t", (json_int_t)0, "extracted_g",
	                (json_int_t)0);
	if (!rec)
		return nomem(r);
	if (has_lat)
		json_object_set_new(rec, "lat_ud", json_integer(lat));
	if (has_lon)
		json_object_set_new(rec, "lon_ud", json_integer(lon));
	if (licence)
		json_object_set_new(rec, "licence", json_string(licence));
	if (minerals)
		json_object_set(rec, "minerals", minerals);
	if (from_s)
		json_object_set_new(rec, "valid_from", json_string(from_s));
	if (until_s)
		json_object_set_new(rec, "valid_until", json_string(until_s));
	if (operator_name)
		json_object_set_new(rec, "operator", json_string(operator_name));
	if (facility_ids)
		json_object_set(rec, "facility_ids", facility_ids);
	if (gln)
		json_object_set_new(rec, "gln", json_string(gln));
	rc = otx_state_put(r->st, OTX_NS_SITE, site, rec, r->err);
	json_decref(rec);
	return rc;
}

static const char *const CATEGORIES[] = {"measured", "indicated", "inferred",
                                         "proved",   "probable",  NULL};

ot_status otx_rule_resource(otx_rule *r)
{
	const char *site, *category, *standard;
	int64_t ore_t = 0;
	json_t *grade, *rec = NULL;
	char path[OTX_PATH_MAX];

	ot_status rc;
	if ((rc = otx_r_id(r, r->ev, NULL, "site", 1, &site)) ||
	    (rc = otx_r_enum(r, r->ev, NULL, "category", 1, CATEGORIES, &category)) ||
	    (rc = otx_r_int(r, r->ev, NULL, "ore_t", 1, 0, OTX_MASS_MAX / 1000000, &ore_t)) ||
	    (rc = otx_r_value(r, r->ev, NULL, "grade", 0, 0, &grade)) ||
	    (rc = otx_r_str(r, r->ev, NULL, "standard", 0, &standard)))
		return rc;
	if (grade) {
		/* Grades may name aggregates such as TREO: any name, mg/kg. */
		const char *k;
		json_t *g;
		if (!json_is_object(grade))
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", "grade",
			                 "must be an object of mg/kg");
		json_object_foreach(grade, k, g)
		{
			if (!json_is_integer(g) || json_integer_value(g) < 0 ||
			    json_integer_value(g) > OTX_PPM_MAX)
				return otx_rfail(r, OT_ERR_PARSE, "bad_field",
				                 otx_rpath(path, sizeof path, "grade", k),
				                 "must be an integer of mg/kg, 0..1000000");
		}
	}
	if ((rc = otx_load_site(r, site, "site", &rec)))
		return rc;
	const char *holder = otx_jstr(rec, "holder");
	if (strcmp(otx_jstr(rec, "kind"), "mine") != 0) {
		rc = otx_rfail(r, OT_ERR_RULE, "wrong_site_kind", "site",
		               "site %s is a %s; resources are declared for mines", site,
		               otx_jstr(rec, "kind"));
		goto out;
	}
	if (strcmp(holder, r->signer) != 0 && !(r->roles & OTX_ROLE_AUTHORITY)) {
		rc = otx_rfail(r, OT_ERR_SIGNER, "not_site_holder", "site",
		               "site %s is held by %s; %s may not declare its resources", site,
		               holder, r->signer);
		goto out;
	}
	json_t *res = json_object_get(rec, "resources");
	json_t *entry = json_pack("{s:I,s:I,s:s}", "ore_t", (json_int_t)ore_t, "index",
	                          (json_int_t)r->index, "time", r->time_str);
	if (!entry) {
		rc = nomem(r);
		goto out;
	}
	if (grade)
		json_object_set(entry, "grade", grade);
	if (standard)
		json_object_set_new(entry, "standard", json_string(standard));
	json_object_set_new(res, category, entry);
	int64_t declared = 0;
	for (size_t i = 0; i < 3; i++)
		declared += otx_jint(json_object_get(res, CATEGORIES[i]), "ore_t", 0);
	json_object_set_new(rec, "declared_ore_t", json_integer(declared));
	rc = otx_state_put(r->st, OTX_NS_SITE, site, rec, r->err);
out:
	json_decref(rec);
	return rc;
}

/* A competent person's attestation of a resource declaration (JORC,
 * NI 43-101, PERC: the public report rests on a competent or qualified
 * person's work): the declaration it names must be the one in force for
 * the site and category (a later declaration replaces it); each person
 * attests it once. */
ot_status otx_rule_attest(otx_rule *r)
{
	const char *site, *category, *resource, *report;
	json_t *ev = NULL, *rec = NULL;
	ot_status rc;
	if ((rc = otx_r_id(r, r->ev, NULL, "site", 1, &site)) ||
	    (rc = otx_r_enum(r, r->ev, NULL, "category", 1, CATEGORIES, &category)) ||
	    (rc = otx_r_id(r, r->ev, NULL, "resource", 1, &resource)) ||
	    (rc = otx_r_str(r, r->ev, NULL, "report", 0, &report)))
		return rc;
	if ((rc = otx_load_site(r, site, "site", &rec)))
		return rc;
	json_t *decl = json_object_get(json_object_get(rec, "resources"), category);
	rc = otx_state_get(r->st, OTX_NS_EVENT_ID, resource, &ev, r->err);
	if (rc == OT_ERR_NOTFOUND || (!rc && strcmp(otx_jstr(ev, "type"), "resource") != 0)) {
		rc = otx_rfail(r, OT_ERR_CONFLICT, "resource_not_found", "resource",
		               "no resource declaration with id %s is in the log%s%s%s", resource,
		               ev ? ": it is a " : "", ev ? otx_jstr(ev, "type") : "",
		               ev ? " event" : "");
		goto out;
	}
	if (rc)
		goto out;
	if (!decl || otx_jint(decl, "index", -1) != otx_jint(ev, "index", -2)) {
		rc = otx_rfail(r, OT_ERR_CONFLICT, "resource_superseded", "resource",
		               "resource declaration %s (entry %" PRId64
		               ") is not the %s declaration in force for site %s%s",
		               resource, otx_jint(ev, "index", -1), category, site,
		               decl ? "; a later one replaced it" : "");
		goto out;
	}
	json_t *by = json_object_get(decl, "attested");
	for (size_t i = 0; i < json_array_size(by); i++)
		if (strcmp(otx_jstr(json_array_get(by, i), "by"), r->signer) == 0) {
			rc = otx_rfail(r, OT_ERR_CONFLICT, "duplicate_attestation", "resource",
			               "%s attested resource declaration %s at entry %" PRId64,
			               r->signer, resource,
			               otx_jint(json_array_get(by, i), "index", -1));
			goto out;
		}
	json_t *a = json_pack("{s:s,s:I,s:s}", "by", r->signer, "index", (json_int_t)r->index,
	                      "time", r->time_str);
	if (a && report)
		json_object_set_new(a, "report", json_string(report));
	if (a && !by && json_object_set_new(decl, "attested", by = json_array()))
		by = NULL;
	if (!a || !by || json_array_append_new(by, a)) {
		if (!by)
			json_decref(a);
		rc = nomem(r);
		goto out;
	}
	rc = otx_state_put(r->st, OTX_NS_SITE, site, rec, r->err);
out:
	json_decref(ev);
	json_decref(rec);
	return rc;
}
