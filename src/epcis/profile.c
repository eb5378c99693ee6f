/*
 * epcis/profile.c: mapping profiles (oretrail/epcis.h, docs/epcis-
 * profiles.md): what a partner's EPCIS identifiers mean in one ledger.
 * A profile is a small JSON object of four tables: locations to sites,
 * parties to actors, EPC classes / LGTINs / GTINs to materials and assays,
 * bizSteps to processes. Keys are normalised on reading exactly as the
 * mapping normalises what it looks up (an EPC URI and its Digital Link are
 * one key), so a profile written by hand and one written by `epcis profile
 * infer` read alike. A null value is a placeholder ("not mapped yet") and
 * means the same as no entry. Inference walks a document and lists every
 * identifier the mapping would need and the profile's tables could give.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epcis/map.h"
#include "oretrail/encoding.h"
#include "oretrail/epcis.h"
#include "oretrail/event.h"
#include "oretrail/status.h"

#define PROFILE_FORMAT "oretrail-epcis-profile/1"
#define CBV_BIZSTEP "https://ref.gs1.org/cbv/BizStep-"
/* Most entries of all tables together: a partner's whole master data fits. */
#define PROFILE_MAX_ENTRIES 100000

void ot_epcis_profile_free(ot_epcis_profile *p)
{
	if (!p)
		return;
	json_decref(p->sites);
	json_decref(p->parties);
	json_decref(p->materials);
	json_decref(p->processes);
	json_decref(p->item_mass);
	json_decref(p->defaults);
	free(p);
}

/* The key a table is looked up by: bizSteps as CBV web URIs, any other
 * identifier as its oretrail id. Appended to b, NUL-terminated. */
static ot_status table_key(const char *table, const char *k, ot_buf *b)
{
	if (strcmp(table, "processes") == 0) {
		ot_status rc = OT_OK;
		if (!strchr(k, ':'))
			rc = ot_buf_adds(b, CBV_BIZSTEP);
		else if (strncmp(k, "urn:epcglobal:cbv:bizstep:", 26) == 0)
			rc = ot_buf_adds(b, CBV_BIZSTEP), k += 26;
		if (!rc)
			rc = ot_buf_add(b, k, strlen(k) + 1);
		if (!rc)
			b->len--;
		return rc;
	}
	return otx_epcis_id_text(k, strlen(k), NULL, b);
}

static int is_name(const char *s, size_t max, int actor)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (actor ? !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		              (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == ':' ||
		              ch == '-')
		          : (ch <= 0x20 || ch >= 0x7f))
			return 0;
	}
	return 1;
}

/* Checks one entry's value for its table: what it must be, and where. */
static ot_status check_value(const char *table, const char *key, json_t *v, ot_error *err)
{
	if (strcmp(table, "sites") == 0 || strcmp(table, "parties") == 0) {
		int actor = table[0] == 'p';
		if (!is_name(json_string_value(v), actor ? OT_ACTOR_MAX : OT_EVENT_ID_MAX, actor))
			return ot_error_at(err, OT_ERR_PARSE, "profile_bad_value", -1,
			                   "%s[\"%.80s\"] must be %s or null", table, key,
			                   actor ? "an actor id ([A-Za-z0-9._:-])"
			                         : "a site id (printable ASCII, no spaces)");
		return OT_OK;
	}
	if (strcmp(table, "item_mass_g") == 0) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 1000000000000000LL)
			return ot_error_at(err, OT_ERR_PARSE, "profile_bad_value", -1,
			                   "item_mass_g[\"%.80s\"] must be the grams of one item "
			                   "(an integer, 1 to 10^15) or null",
			                   key);
		return OT_OK;
	}
	if (strcmp(table, "processes") == 0) {
		if (!is_name(json_string_value(v), 64, 0))
			return ot_error_at(err, OT_ERR_PARSE, "profile_bad_value", -1,
			                   "processes[\"%.80s\"] must be a process name (smelting, "
			                   "separation, ...) or null",
			                   key);
		return OT_OK;
	}
	/* materials */
	const char *k;
	json_t *m;
	if (!json_is_object(v) || !json_is_string(json_object_get(v, "material")))
		return ot_error_at(err, OT_ERR_PARSE, "profile_bad_value", -1,
		                   "materials[\"%.80s\"] must be {\"material\":\"...\","
		                   "\"assay\":{...}} or null",
		                   key);
	json_object_foreach(v, k, m)
	{
		if (strcmp(k, "material") != 0 && strcmp(k, "assay") != 0 &&
		    strcmp(k, "uncertainty_ppm") != 0)
			return ot_error_at(
				err, OT_ERR_PARSE, "profile_unknown_member", -1,
				"materials[\"%.80s\"]: unknown member \"%.40s\" (material, "
				"assay, uncertainty_ppm)",
				key, k);
	}
	json_t *assay = json_object_get(v, "assay");
	if (assay && !json_is_object(assay))
		return ot_error_at(err, OT_ERR_PARSE, "profile_bad_value", -1,
		                   "materials[\"%.80s\"].assay must be an object of element "
		                   "symbols and mg/kg",
		                   key);
	return OT_OK;
}

/* Reads one table of root into *out (a new object keyed by table_key). */
static ot_status read_table(json_t *root, const char *table, json_t **out, size_t *entries,
                            ot_error *err)
{
	json_t *src = json_object_get(root, table);
	*out = json_object();
	if (!*out)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	if (!src)
		return OT_OK;
	if (!json_is_object(src))
		return ot_error_at(err, OT_ERR_PARSE, "profile_bad_table", -1,
		                   "\"%s\" must be an object", table);
	const char *k;
	json_t *v;
	json_object_foreach(src, k, v)
	{
		if (++*entries > PROFILE_MAX_ENTRIES)
			return ot_error_at(err, OT_ERR_TOOBIG, "profile_too_big", -1,
			                   "more than %d entries", PROFILE_MAX_ENTRIES);
		if (json_is_null(v))
			continue; /* a placeholder */
		ot_status rc = check_value(table, k, v, err);
		if (rc)
			return rc;
		ot_buf b;
		ot_buf_init(&b, 4096);
		rc = table_key(table, k, &b);
		if (rc) {
			ot_buf_free(&b);
			return ot_error_at(err, OT_ERR_PARSE, "profile_bad_key", -1,
			                   "%s: \"%.80s\" is not an identifier oretrail can use",
			                   table, k);
		}
		json_t *have = json_object_get(*out, (const char *)b.data);
		if (have && !json_equal(have, v)) {
			ot_error_at(
				err, OT_ERR_PARSE, "profile_conflict", -1,
				"%s: \"%.80s\" names the same identifier as another key, with a "
				"different value",
				table, k);
			ot_buf_free(&b);
			return OT_ERR_PARSE;
		}
		int bad = json_object_set(*out, (const char *)b.data, v);
		ot_buf_free(&b);
		if (bad)
			return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	}
	return OT_OK;
}

/* The defaults: {"consignment","destination","consignee"}, each an id (a
 * site for destination, an actor for consignee) or null. */
static ot_status read_defaults(json_t *root, json_t **out, ot_error *err)
{
	static const char *const KNOWN[] = {"consignment", "destination", "consignee", NULL};
	json_t *src = json_object_get(root, "defaults");
	*out = json_object();
	if (!*out)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	if (!src)
		return OT_OK;
	if (!json_is_object(src))
		return ot_error_at(err, OT_ERR_PARSE, "profile_bad_table", -1,
		                   "\"defaults\" must be an object");
	const char *k;
	json_t *v;
	json_object_foreach(src, k, v)
	{
		size_t i = 0;
		while (KNOWN[i] && strcmp(KNOWN[i], k) != 0)
			i++;
		if (!KNOWN[i])
			return ot_error_at(err, OT_ERR_PARSE, "profile_unknown_member", -1,
			                   "defaults: unknown member \"%.40s\" (consignment, "
			                   "destination, consignee)",
			                   k);
		if (json_is_null(v))
			continue;
		int actor = i == 2;
		if (!is_name(json_string_value(v), actor ? OT_ACTOR_MAX : OT_EVENT_ID_MAX, actor))
			return ot_error_at(err, OT_ERR_PARSE, "profile_bad_value", -1,
			                   "defaults.%s must be %s or null", k,
			                   actor ? "an actor id ([A-Za-z0-9._:-])"
			                         : "an id (printable ASCII, no spaces)");
		if (json_object_set(*out, k, v))
			return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	}
	return OT_OK;
}

ot_status ot_epcis_profile_parse(const uint8_t *data, size_t len, ot_epcis_profile **out,
                                 ot_error *err)
{
	*out = NULL;
	if (len > OT_EPCIS_INPUT_MAX)
		return ot_error_at(err, OT_ERR_TOOBIG, "profile_too_big", -1,
		                   "a profile is at most %zu bytes", OT_EPCIS_INPUT_MAX);
	json_error_t je;
	json_t *root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return ot_error_at(err, OT_ERR_PARSE, "profile_json", -1, "line %d, column %d: %s",
		                   je.line, je.column, je.text);
	ot_status rc = OT_OK;
	ot_epcis_profile *p = calloc(1, sizeof *p);
	if (!p) {
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (!json_is_object(root)) {
		rc = ot_error_at(err, OT_ERR_PARSE, "profile_not_object", -1,
		                 "a profile is a JSON object");
		goto out;
	}
	const char *fmt = json_string_value(json_object_get(root, "profile"));
	if (!fmt || strcmp(fmt, PROFILE_FORMAT) != 0) {
		rc = ot_error_at(err, OT_ERR_PARSE, "profile_format", -1,
		                 "\"profile\" must be \"" PROFILE_FORMAT "\"");
		goto out;
	}
	const char *k;
	json_t *v;
	json_object_foreach(root, k, v)
	{
		static const char *const KNOWN[] = {
			"profile",     "comment",  "sites",    "parties",  "materials", "processes",
			"item_mass_g", "defaults", "hash_ids", "unmapped", NULL};
		size_t i = 0;
		while (KNOWN[i] && strcmp(KNOWN[i], k) != 0)
			i++;
		if (!KNOWN[i]) {
			rc = ot_error_at(
				err, OT_ERR_PARSE, "profile_unknown_member", -1,
				"unknown member \"%.40s\" (profile, comment, sites, parties, "
				"materials, processes, item_mass_g, defaults, hash_ids, unmapped)",
				k);
			goto out;
		}
	}
	size_t entries = 0;
	if ((rc = read_table(root, "sites", &p->sites, &entries, err)) ||
	    (rc = read_table(root, "parties", &p->parties, &entries, err)) ||
	    (rc = read_table(root, "materials", &p->materials, &entries, err)) ||
	    (rc = read_table(root, "processes", &p->processes, &entries, err)) ||
	    (rc = read_table(root, "item_mass_g", &p->item_mass, &entries, err)) ||
	    (rc = read_defaults(root, &p->defaults, err)))
		goto out;
	json_t *hash_ids = json_object_get(root, "hash_ids");
	const char *hi = json_string_value(hash_ids);
	if (hash_ids && !json_is_null(hash_ids) &&
	    (!hi || (strcmp(hi, "verify") != 0 && strcmp(hi, "keep") != 0))) {
		rc = ot_error_at(err, OT_ERR_PARSE, "profile_bad_value", -1,
		                 "\"hash_ids\" must be \"verify\" (the default) or \"keep\"");
		goto out;
	}
	p->keep_hash_ids = hi && strcmp(hi, "keep") == 0;
	*out = p;
	p = NULL;
out:
	ot_epcis_profile_free(p);
	json_decref(root);
	return rc;
}

ot_epcis_profile *otx_epcis_profile_empty(void)
{
	ot_epcis_profile *p = calloc(1, sizeof *p);
	if (!p || !(p->sites = json_object()) || !(p->parties = json_object()) ||
	    !(p->materials = json_object()) || !(p->processes = json_object()) ||
	    !(p->item_mass = json_object()) || !(p->defaults = json_object())) {
		ot_epcis_profile_free(p);
		return NULL;
	}
	return p;
}

ot_status ot_epcis_profile_new(ot_epcis_profile **out, ot_error *err)
{
	*out = otx_epcis_profile_empty();
	return *out ? OT_OK : ot_error_set(err, OT_ERR_NOMEM, "out of memory");
}

ot_status ot_epcis_profile_add_gln(ot_epcis_profile *p, int party, const char *gln, const char *id,
                                   ot_error *err)
{
	if (!gln || !ot_gs1_key_ok(gln, 13))
		return ot_error_at(err, OT_ERR_PARSE, "profile_bad_key", -1,
		                   "\"%.40s\" is not a GLN (13 digits with the GS1 check digit)",
		                   gln ? gln : "(null)");
	char uri[64];
	snprintf(uri, sizeof uri, "%s%s", party ? OTX_EPCIS_DL_PGLN : OTX_EPCIS_DL_SGLN, gln);
	ot_buf b;
	ot_buf_init(&b, 4096);
	ot_status rc = table_key(party ? "parties" : "sites", uri, &b);
	json_t *table = party ? p->parties : p->sites;
	if (!rc && !json_object_get(table, (const char *)b.data) &&
	    json_object_set_new(table, (const char *)b.data, json_string(id)))
		rc = OT_ERR_NOMEM;
	ot_buf_free(&b);
	if (rc == OT_ERR_NOMEM)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	if (rc)
		return ot_error_at(err, OT_ERR_PARSE, "profile_bad_key", -1,
		                   "%s is not an identifier oretrail can use", uri);
	return OT_OK;
}

int otx_epcis_gtin_class(const char *id, char out[64])
{
	static const char GTIN[] = "https://id.gs1.org/01/";
	size_t n = sizeof GTIN - 1;
	if (strncmp(id, GTIN, n) != 0 || strlen(id) < n + 14 ||
	    (id[n + 14] != 0 && id[n + 14] != '/'))
		return 0;
	snprintf(out, 64, "%.*s", (int)(n + 14), id);
	return 1;
}

/* A table's entry for id, else for its GS1 class. */
static json_t *by_id_or_class(json_t *table, const char *id)
{
	json_t *e = json_object_get(table, id);
	char cls[64];
	if (!e && otx_epcis_gtin_class(id, cls))
		e = json_object_get(table, cls);
	return e;
}

json_t *otx_epcis_profile_material(const ot_epcis_profile *p, const char *lot)
{
	return by_id_or_class(p->materials, lot);
}

int64_t otx_epcis_profile_item_mass(const ot_epcis_profile *p, const char *id)
{
	json_t *g = p ? by_id_or_class(p->item_mass, id) : NULL;
	return json_is_integer(g) ? (int64_t)json_integer_value(g) : -1;
}

/* ---- inference ---- */

/* Adds key -> value (a reference it takes) to table unless there; notes
 * key in unmapped (kind,
 * event number) when value is null. */
static ot_status note(json_t *prof, const char *table, const char *kind, const char *key,
                      json_t *value, size_t event)
{
	json_t *t = json_object_get(prof, table);
	json_t *have = json_object_get(t, key);
	int unmapped = json_is_null(have ? have : value);
	if (have)
		json_decref(value);
	else if (json_object_set_new(t, key, value))
		return OT_ERR_NOMEM;
	if (!unmapped)
		return OT_OK;
	json_t *list = json_object_get(prof, "unmapped");
	size_t i;
	json_t *u;
	json_array_foreach(list, i, u)
	{
		if (strcmp(json_string_value(json_object_get(u, "id")), key) == 0 &&
		    strcmp(json_string_value(json_object_get(u, "kind")), kind) == 0)
			return json_array_append_new(json_object_get(u, "events"),
			                             json_integer((json_int_t)event))
			               ? OT_ERR_NOMEM
			               : OT_OK;
	}
	return json_array_append_new(list, json_pack("{s:s,s:s,s:[I]}", "kind", kind, "id", key,
	                                             "events", (json_int_t)event))
	               ? OT_ERR_NOMEM
	               : OT_OK;
}

/* The oretrail id of an identifier, into out; 0 when it has none. */
static int id_text(json_t *v, char out[OT_EVENT_ID_MAX + 1])
{
	if (!json_is_string(v))
		return 0;
	ot_buf b;
	ot_buf_init(&b, 4096);
	int ok = otx_epcis_id_text(json_string_value(v), json_string_length(v), NULL, &b) == OT_OK;
	if (ok)
		snprintf(out, OT_EVENT_ID_MAX + 1, "%s", (const char *)b.data);
	ot_buf_free(&b);
	return ok;
}

/* urn:oretrail:... ids name oretrail's own sites and actors already. */
static int oretrail_urn(json_t *v)
{
	const char *s = json_string_value(v);
	return s && strncmp(s, "urn:oretrail:", 13) == 0;
}

/* Locations: every place an event names is a site; by default its id. */
static ot_status infer_places(json_t *prof, json_t *ev, size_t n)
{
	json_t *places[4] = {json_object_get(json_object_get(ev, "bizLocation"), "id"),
	                     json_object_get(json_object_get(ev, "readPoint"), "id"), NULL, NULL};
	static const char *const LISTS[2][2] = {{"sourceList", "source"},
	                                        {"destinationList", "destination"}};
	char id[OT_EVENT_ID_MAX + 1];
	for (size_t p = 0; p < 2; p++)
		if (places[p] && !oretrail_urn(places[p]) && id_text(places[p], id) &&
		    note(prof, "sites", "site", json_string_value(places[p]), json_string(id), n))
			return OT_ERR_NOMEM;
	for (size_t l = 0; l < 2; l++) {
		size_t i;
		json_t *it;
		json_array_foreach(json_object_get(ev, LISTS[l][0]), i, it)
		{
			const char *type = json_string_value(json_object_get(it, "type"));
			json_t *who = json_object_get(it, LISTS[l][1]);
			if (!type || !json_is_string(who) || oretrail_urn(who))
				continue;
			int loc = strstr(type, "location") != NULL;
			int party = strstr(type, "party") != NULL;
			json_t *val = NULL;
			if (loc && id_text(who, id))
				val = json_string(id);
			else if (party)
				val = json_null(); /* a party needs an actor's key name */
			if ((loc || party) &&
			    note(prof, loc ? "sites" : "parties", loc ? "site" : "party",
			         json_string_value(who), val ? val : json_null(), n))
				return OT_ERR_NOMEM;
		}
	}
	return OT_OK;
}

/* 1 when a key of table names lot id or its GS1 class. */
static int has_key(json_t *table, const char *id)
{
	char cls[64], key_id[OT_EVENT_ID_MAX + 1];
	int has_cls = otx_epcis_gtin_class(id, cls);
	const char *k;
	json_t *v;
	json_object_foreach(table, k, v)
	{
		json_t *ks = json_string(k);
		int same = ks && id_text(ks, key_id) &&
		           (strcmp(key_id, id) == 0 || (has_cls && strcmp(key_id, cls) == 0));
		json_decref(ks);
		if (same)
			return 1;
	}
	return 0;
}

/* Sets key in one of the probe's tables to a stand-in value (a reference
 * it takes); 0 when it was there already (no progress), -1 out of memory. */
static int probe_set(json_t *table, const char *key, json_t *value)
{
	if (!value)
		return -1;
	if (json_object_get(table, key)) {
		json_decref(value);
		return 0;
	}
	return json_object_set_new(table, key, value) ? -1 : 1;
}

/* The classes of the lots event ev makes, as its quantity lists name them
 * (new lots of a transformation, else of a commissioning), into materials. */
static ot_status note_new_classes(json_t *prof, json_t *ev, size_t n)
{
	const char *type = json_string_value(json_object_get(ev, "type"));
	int transform = type && strcmp(type, "TransformationEvent") == 0;
	size_t j;
	json_t *q;
	json_array_foreach(json_object_get(ev, transform ? "outputQuantityList" : "quantityList"),
	                   j, q)
	{
		json_t *cls = json_object_get(q, "epcClass");
		if (json_is_string(cls) &&
		    note(prof, "materials", "material", json_string_value(cls), json_null(), n))
			return OT_ERR_NOMEM;
	}
	return OT_OK;
}

/*
 * What mapping m of event ev (number n) missed, as a placeholder in prof
 * and a stand-in in probe, so that mapping again gets past it: 1 when
 * something was added, 0 when the error is not one a profile fills (or
 * was filled already), -1 out of memory.
 */
static int fill(json_t *prof, ot_epcis_profile *probe, const ot_epcis_mapping *m, json_t *ev,
                size_t n)
{
	const char *code = m->error.code, *key = m->missing;
	if (strcmp(code, "epcis_no_mass") == 0 || strcmp(code, "epcis_not_mass") == 0) {
		if (!key[0] || note(prof, "item_mass_g", "item_mass", key, json_null(), n))
			return key[0] ? -1 : 0;
		return probe_set(probe->item_mass, key, json_integer(1));
	}
	if (strcmp(code, "epcis_no_material") == 0 || strcmp(code, "epcis_no_assay") == 0) {
		if (!key[0] || note_new_classes(prof, ev, n))
			return key[0] ? -1 : 0;
		char cls[64];
		if (!has_key(json_object_get(prof, "materials"), key) &&
		    note(prof, "materials", "material", otx_epcis_gtin_class(key, cls) ? cls : key,
		         json_null(), n))
			return -1;
		return probe_set(probe->materials, key,
		                 json_pack("{s:s,s:{}}", "material", "ore", "assay"));
	}
	if (strcmp(code, "epcis_no_process") == 0) {
		json_t *step = json_object_get(ev, "bizStep");
		const char *s = json_is_string(step) ? json_string_value(step) : "";
		if (note(prof, "processes", "process", s[0] ? s : "(no bizStep)", json_null(), n))
			return -1;
		return probe_set(probe->processes, key, json_string("split"));
	}
	static const char *const DEFAULTS[][2] = {{"epcis_no_consignment", "consignment"},
	                                          {"epcis_no_destination", "destination"},
	                                          {"epcis_no_consignee", "consignee"}};
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(code, DEFAULTS[i][0]) != 0)
			continue;
		if (note(prof, "defaults", "default", DEFAULTS[i][1], json_null(), n))
			return -1;
		return probe_set(probe->defaults, DEFAULTS[i][1], json_string("probe"));
	}
	/* A carried hash ID that is not the event's own: the user decides
	 * whether the partner's ids are kept ("keep") or refused ("verify"). */
	if (strcmp(code, "epcis_hash_mismatch") == 0) {
		if (!json_object_get(prof, "hash_ids") &&
		    json_object_set_new(prof, "hash_ids", json_null()))
			return -1;
		json_t *list = json_object_get(prof, "unmapped");
		int listed = 0;
		size_t i;
		json_t *u;
		json_array_foreach(list, i, u) listed |=
			strcmp(json_string_value(json_object_get(u, "kind")), "hash_ids") == 0;
		if (!listed && json_array_append_new(list, json_pack("{s:s,s:s,s:[I]}", "kind",
		                                                     "hash_ids", "id", "hash_ids",
		                                                     "events", (json_int_t)n)))
			return -1;
		if (listed) {
			json_array_foreach(list, i, u)
			{
				if (strcmp(json_string_value(json_object_get(u, "kind")),
				           "hash_ids") == 0 &&
				    json_array_append_new(json_object_get(u, "events"),
				                          json_integer((json_int_t)n)))
					return -1;
			}
		}
		if (probe->keep_hash_ids)
			return 0;
		probe->keep_hash_ids = 1;
		return 1;
	}
	/* A party that is not an actor id: infer_places noted it already. */
	if (strcmp(code, "epcis_bad_id") == 0 && key[0])
		return probe_set(probe->parties, key, json_string("probe"));
	return 0;
}

ot_status ot_epcis_profile_infer(const ot_epcis_doc *doc, json_t **out, ot_error *err)
{
	*out = NULL;
	json_t *prof = json_pack("{s:s,s:{},s:{},s:{},s:{},s:{},s:{},s:[]}", "profile",
	                         PROFILE_FORMAT, "sites", "parties", "materials", "processes",
	                         "item_mass_g", "defaults", "unmapped");
	ot_epcis_profile *probe = otx_epcis_profile_empty();
	if (!prof || !probe)
		goto oom;
	/* Each event is mapped through a probe profile that gains a stand-in
	 * for every entry found missing, until it maps or misses something a
	 * profile cannot give: so every missing entry is listed, not only the
	 * first. */
	for (size_t i = 0; i < ot_epcis_doc_count(doc); i++) {
		json_t *ev = ot_epcis_doc_event(doc, i);
		ot_epcis_mapping m;
		memset(&m, 0, sizeof m);
		int flow = 0, filled = 1;
		for (int tries = 0; filled == 1 && tries < 64; tries++) {
			ot_status rc = ot_epcis_map_event_with(doc, i, probe, &m);
			if (rc == OT_ERR_NOMEM) {
				ot_epcis_mapping_clear(&m);
				goto oom;
			}
			if (tries == 0) {
				flow = rc == OT_OK ||
				       (!ot_epcis_mapping_unsupported(&m) &&
				        strcmp(m.error.code, "epcis_bad_event") != 0);
				if (flow && infer_places(prof, ev, i + 1)) {
					ot_epcis_mapping_clear(&m);
					goto oom;
				}
			}
			filled = rc == OT_OK || !flow ? 0 : fill(prof, probe, &m, ev, i + 1);
		}
		ot_epcis_mapping_clear(&m);
		if (filled < 0)
			goto oom;
	}
	ot_epcis_profile_free(probe);
	*out = prof;
	return OT_OK;
oom:
	ot_epcis_profile_free(probe);
	json_decref(prof);
	return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
}
