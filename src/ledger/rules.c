/*
 * rules.c: the entry point of the rules (rules.h): the event-type table with
 * the roles that may sign each type, the signer and signature check against
 * the actor's keys at the event's time, replay protection, and the field
 * readers and state lookups the handlers in rules_*.c share.
 */
#include "ledger/rules_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/commit.h"
#include "ledger/jcs.h"
#include "oretrail/buf.h"
#include "oretrail/encoding.h"
#include "oretrail/status.h"

#define CUSTODIANS                                                                    \
	(OTX_ROLE_MINER | OTX_ROLE_PROCESSOR | OTX_ROLE_EXPORTER | OTX_ROLE_CARRIER | \
	 OTX_ROLE_IMPORTER)

static const struct {
	const char *type;
	unsigned roles; /* any one of these; 0: any registered actor */
	ot_status (*apply)(otx_rule *r);
} EVENT_TYPES[] = {
	{"actor", OTX_ROLE_AUTHORITY, otx_rule_actor},
	{"site", OTX_ROLE_AUTHORITY, otx_rule_site},
	{"resource", 0, otx_rule_resource},
	{"attest", OTX_ROLE_COMPETENT_PERSON, otx_rule_attest},
	{"extract", OTX_ROLE_MINER, otx_rule_extract},
	{"assay", OTX_ROLE_LAB, otx_rule_assay},
	{"transform", OTX_ROLE_PROCESSOR | OTX_ROLE_MINER, otx_rule_transform},
	{"ship", CUSTODIANS, otx_rule_ship},
	{"receive", CUSTODIANS, otx_rule_receive},
	{"contract", 0, otx_rule_contract},
	{"disclose", 0, otx_rule_disclose},
	{"payment", 0, otx_rule_payment},
	{"receipt", 0, otx_rule_receipt},
	{"correct", 0, otx_rule_correct},
	{"void", 0, otx_rule_void},
	{"transfer", 0, otx_rule_transfer},
	{"declare", OTX_ROLE_CUSTOMS, otx_rule_declare},
	{"recycle", OTX_ROLE_PROCESSOR, otx_rule_recycle},
};

static const char *const ROLE_NAMES[] = {
	"authority", "miner",   "processor",        "lab", "carrier", "exporter", "importer",
	"customs",   "auditor", "competent_person", NULL,
};

const char *otx_role_name(unsigned i)
{
	return i < sizeof ROLE_NAMES / sizeof ROLE_NAMES[0] ? ROLE_NAMES[i] : NULL;
}

unsigned otx_role_bit(const char *name)
{
	for (unsigned i = 0; ROLE_NAMES[i]; i++)
		if (strcmp(ROLE_NAMES[i], name) == 0)
			return 1u << i;
	return 0;
}

static void role_list(unsigned roles, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = 0;
	for (unsigned i = 0; ROLE_NAMES[i]; i++) {
		if (!(roles & (1u << i)))
			continue;
		int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", ROLE_NAMES[i]);
		if (n < 0 || (size_t)n >= size - used)
			return;
		used += (size_t)n;
	}
	if (!used)
		snprintf(buf, size, "none");
}

ot_status otx_rfail(otx_rule *r, ot_status status, const char *code, const char *path,
                    const char *fmt, ...)
{
	char why[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return ot_error_at(r->err, status, code, -1, "event %s: %s%s%s", r->id ? r->id : "?",
	                   path ? path : "", path ? ": " : "", why);
}

const char *otx_rpath(char *buf, size_t size, const char *prefix, const char *key)
{
	int n = prefix && *prefix ? snprintf(buf, size, "%s.%s", prefix, key)
	                          : snprintf(buf, size, "%s", key);
	if (n < 0 || (size_t)n >= size)
		buf[size - 1] = 0; /* a truncated path still points the way */
	return buf;
}

const char *otx_rpath_at(char *buf, size_t size, const char *prefix, size_t i)
{
	int n = snprintf(buf, size, "%s[%zu]", prefix, i);
	if (n < 0 || (size_t)n >= size)
		buf[size - 1] = 0;
	return buf;
}

const char *otx_fmt_grams(char *buf, size_t size, otx_u128 ug)
{
	otx_u128 mg = (ug + 500) / 1000;
	uint64_t g = mg / 1000 > UINT64_MAX ? UINT64_MAX : (uint64_t)(mg / 1000);
	snprintf(buf, size, "%" PRIu64 ".%03u g", g, (unsigned)(mg % 1000));
	return buf;
}

/* --- field readers --- */

ot_status otx_r_value(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                      int allow_commit, json_t **out)
{
	char path[OTX_PATH_MAX];
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return otx_rfail(r, OT_ERR_PARSE, "missing_field",
			                 otx_rpath(path, sizeof path, prefix, key), "required");
		return OT_OK;
	}
	if (json_is_object(v) && json_object_get(v, "commit")) {
		if (!allow_commit)
			return otx_rfail(r, OT_ERR_PARSE, "bad_field",
			                 otx_rpath(path, sizeof path, prefix, key),
			                 "must be public, not a commitment");
		if (!otx_commit_is(v))
			return otx_rfail(r, OT_ERR_PARSE, "bad_field",
			                 otx_rpath(path, sizeof path, prefix, key),
			                 "not a commitment {\"commit\":\"sha256:<64 hex>\"}");
	}
	*out = v;
	return OT_OK;
}

ot_status otx_r_str(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                    const char **out)
{
	char path[OTX_PATH_MAX];
	json_t *v;
	*out = NULL;
	ot_status rc = otx_r_value(r, obj, prefix, key, required, 0, &v);
	if (rc || !v)
		return rc;
	if (!json_is_string(v) || json_string_length(v) == 0)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field",
		                 otx_rpath(path, sizeof path, prefix, key),
		                 "must be a non-empty string");
	*out = json_string_value(v);
	return OT_OK;
}

ot_status otx_r_id(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                   const char **out)
{
	char path[OTX_PATH_MAX];
	ot_status rc = otx_r_str(r, obj, prefix, key, required, out);
	if (rc || !*out)
		return rc;
	size_t len = strlen(*out);
	int ok = len <= OTX_EVENT_ID_MAX;
	for (size_t i = 0; ok && i < len; i++)
		ok = (*out)[i] > 0x20 && (*out)[i] < 0x7f;
	if (!ok)
		return otx_rfail(
			r, OT_ERR_PARSE, "bad_field", otx_rpath(path, sizeof path, prefix, key),
			"an id is 1-%d bytes of printable ASCII without spaces", OTX_EVENT_ID_MAX);
	return OT_OK;
}

ot_status otx_r_actor_id(otx_rule *r, json_t *obj, const char *prefix, const char *key,
                         int required, const char **out)
{
	char path[OTX_PATH_MAX];
	ot_status rc = otx_r_str(r, obj, prefix, key, required, out);
	if (rc || !*out)
		return rc;
	if (!otx_actor_id_valid(*out, strlen(*out)))
		return otx_rfail(r, OT_ERR_PARSE, "bad_field",
		                 otx_rpath(path, sizeof path, prefix, key),
		                 "an actor id is 1-%d bytes of [A-Za-z0-9._:-]", OTX_SIGNER_MAX);
	return OT_OK;
}

ot_status otx_r_int(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                    int64_t min, int64_t max, int64_t *out)
{
	char path[OTX_PATH_MAX];
	json_t *v;
	ot_status rc = otx_r_value(r, obj, prefix, key, required, 0, &v);
	if (rc || !v)
		return rc;
	if (!json_is_integer(v))
		return otx_rfail(r, OT_ERR_PARSE, "bad_field",
		                 otx_rpath(path, sizeof path, prefix, key), "must be an integer");
	int64_t x = (int64_t)json_integer_value(v);
	if (x < min || x > max)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field",
		                 otx_rpath(path, sizeof path, prefix, key),
		                 "%" PRId64 " is outside %" PRId64 "..%" PRId64, x, min, max);
	*out = x;
	return OT_OK;
}

ot_status otx_r_time(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                     const char **str, int64_t *out)
{
	char path[OTX_PATH_MAX];
	const char *s;
	ot_status rc = otx_r_str(r, obj, prefix, key, required, &s);
	if (rc || !s)
		return rc;
	if (otx_parse_time(s, out) != OT_OK)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field",
		                 otx_rpath(path, sizeof path, prefix, key),
		                 "\"%.40s\" is not an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SSZ)", s);
	if (str)
		*str = s;
	return OT_OK;
}

static int upper_code(const char *s, size_t len)
{
	if (strlen(s) != len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return 0;
	return 1;
}

ot_status otx_r_country(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                        const char **out)
{
	char path[OTX_PATH_MAX];
	ot_status rc = otx_r_str(r, obj, prefix, key, required, out);
	if (rc || !*out)
		return rc;
	if (!upper_code(*out, 2))
		return otx_rfail(r, OT_ERR_PARSE, "bad_field",
		                 otx_rpath(path, sizeof path, prefix, key),
		                 "\"%.20s\" is not an ISO 3166-1 alpha-2 country code", *out);
	return OT_OK;
}

ot_status otx_r_gln(otx_rule *r, json_t *obj, const char *key, const char **out)
{
	char path[OTX_PATH_MAX];
	ot_status rc = otx_r_str(r, obj, NULL, key, 0, out);
	if (rc || !*out)
		return rc;
	if (!ot_gs1_key_ok(*out, 13))
		return otx_rfail(r, OT_ERR_PARSE, "bad_field",
		                 otx_rpath(path, sizeof path, NULL, key),
		                 "\"%.20s\" is not a GLN: 13 digits, the last the GS1 check digit "
		                 "of the first 12",
		                 *out);
	return OT_OK;
}

ot_status otx_r_array(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                      size_t max, json_t **out)
{
	char path[OTX_PATH_MAX];
	json_t *v;
	ot_status rc = otx_r_value(r, obj, prefix, key, required, 0, &v);
	*out = NULL;
	if (rc || !v)
		return rc;
	if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > max)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field",
		                 otx_rpath(path, sizeof path, prefix, key),
		                 "must be an array of 1-%zu items", max);
	*out = v;
	return OT_OK;
}

/* The periodic table, for element symbols. */
static const char *const ELEMENTS[] = {
	"H",  "He", "Li", "Be", "B",  "C",  "N",  "O",  "F",  "Ne", "Na", "Mg", "Al", "Si", "P",
	"S",  "Cl", "Ar", "K",  "Ca", "Sc", "Ti", "V",  "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn",
	"Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y",  "Zr", "Nb", "Mo", "Tc", "Ru", "Rh",
	"Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I",  "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd",
	"Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W",  "Re",
	"Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th",
	"Pa", "U",  "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf", "Db",
	"Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og", NULL,
};

int otx_is_element(const char *s)
{
	for (size_t i = 0; ELEMENTS[i]; i++)
		if (strcmp(ELEMENTS[i], s) == 0)
			return 1;
	return 0;
}

const char *const otx_materials[] = {
	"ore",     "concentrate", "tailings", "residue",     "slag",     "matte",
	"blister", "anode",       "cathode",  "hydroxide",   "chloride", "sulfate",
	"oxalate", "carbonate",   "oxide",    "metal",       "alloy",    "powder",
	"magnet",  "scrap",       "solution", "precipitate", NULL,
};

ot_status otx_r_assay(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                      json_t **out)
{
	char path[OTX_PATH_MAX], epath[OTX_PATH_MAX];
	json_t *v;
	ot_status rc = otx_r_value(r, obj, prefix, key, required, 0, &v);
	*out = NULL;
	if (rc || !v)
		return rc;
	otx_rpath(path, sizeof path, prefix, key);
	if (!json_is_object(v))
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", path,
		                 "must be an object of element symbols and mg/kg");
	const char *el;
	json_t *ppm;
	int64_t sum = 0;
	json_object_foreach(v, el, ppm)
	{
		otx_rpath(epath, sizeof epath, path, el);
		if (!otx_is_element(el))
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", epath,
			                 "\"%.8s\" is not an element symbol", el);
		if (!json_is_integer(ppm) || json_integer_value(ppm) < 0 ||
		    json_integer_value(ppm) > OTX_PPM_MAX)
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", epath,
			                 "must be an integer of mg/kg, 0..1000000");
		sum += (int64_t)json_integer_value(ppm);
	}
	if (sum > OTX_PPM_MAX)
		return otx_rfail(
			r, OT_ERR_PARSE, "bad_field", path,
			"the contents add up to %" PRId64 " mg/kg, more than the whole lot", sum);
	*out = v;
	return OT_OK;
}

ot_status otx_r_money(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                      int allow_commit, int64_t min, json_t **out)
{
	char path[OTX_PATH_MAX];
	json_t *v;
	int64_t amount = 0;
	const char *currency;
	ot_status rc = otx_r_value(r, obj, prefix, key, required, allow_commit, &v);
	*out = NULL;
	if (rc || !v)
		return rc;
	if (otx_commit_is(v)) {
		*out = v;
		return OT_OK;
	}
	otx_rpath(path, sizeof path, prefix, key);
	if (!json_is_object(v))
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", path,
		                 "must be {\"amount\":<minor units>,\"currency\":\"<ISO 4217>\"}");
	rc = otx_r_int(r, v, path, "amount", 1, min, OTX_JSON_INT_MAX, &amount);
	if (!rc)
		rc = otx_r_str(r, v, path, "currency", 1, &currency);
	if (rc)
		return rc;
	if (!upper_code(currency, 3)) {
		char cpath[OTX_PATH_MAX];
		return otx_rfail(r, OT_ERR_PARSE, "bad_field",
		                 otx_rpath(cpath, sizeof cpath, path, "currency"),
		                 "\"%.20s\" is not an ISO 4217 currency code", currency);
	}
	*out = v;
	return OT_OK;
}

ot_status otx_r_enum(otx_rule *r, json_t *obj, const char *prefix, const char *key, int required,
                     const char *const *words, const char **out)
{
	char path[OTX_PATH_MAX], list[300];
	ot_status rc = otx_r_str(r, obj, prefix, key, required, out);
	if (rc || !*out)
		return rc;
	size_t used = 0;
	list[0] = 0;
	for (size_t i = 0; words[i]; i++) {
		if (strcmp(words[i], *out) == 0)
			return OT_OK;
		int n = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", words[i]);
		if (n > 0 && (size_t)n < sizeof list - used)
			used += (size_t)n;
	}
	return otx_rfail(r, OT_ERR_PARSE, "bad_field", otx_rpath(path, sizeof path, prefix, key),
	                 "\"%.40s\" is not one of %s", *out, list);
}

ot_status otx_r_elements(otx_rule *r, json_t *obj, const char *prefix, const char *key,
                         int required, int allow_commit, json_t **out)
{
	char path[OTX_PATH_MAX], ipath[OTX_PATH_MAX];
	json_t *v;
	ot_status rc = otx_r_value(r, obj, prefix, key, required, allow_commit, &v);
	*out = NULL;
	if (rc || !v)
		return rc;
	if (otx_commit_is(v)) {
		*out = v;
		return OT_OK;
	}
	otx_rpath(path, sizeof path, prefix, key);
	if (!json_is_array(v) || json_array_size(v) > 118)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", path,
		                 "must be an array of element symbols");
	for (size_t i = 0; i < json_array_size(v); i++) {
		const char *s = json_string_value(json_array_get(v, i));
		otx_rpath_at(ipath, sizeof ipath, path, i);
		if (!s || !otx_is_element(s))
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", ipath,
			                 "not an element symbol");
		for (size_t j = 0; j < i; j++)
			if (strcmp(s, json_string_value(json_array_get(v, j))) == 0)
				return otx_rfail(r, OT_ERR_PARSE, "bad_field", ipath,
				                 "%s is listed twice", s);
	}
	*out = v;
	return OT_OK;
}

/* --- state lookups --- */

ot_status otx_load_lot(otx_rule *r, const char *lot, const char *path, json_t **out)
{
	ot_status rc = otx_state_get(r->st, OTX_NS_LOT, lot, out, r->err);
	if (rc == OT_ERR_NOTFOUND)
		return otx_rfail(r, OT_ERR_CONFLICT, "lot_not_found", path, "lot %s does not exist",
		                 lot);
	if (!rc && !r->corrects && strcmp(otx_jstr(*out, "status"), "void") == 0) {
		json_t *c = json_array_get(json_object_get(*out, "corrections"), 0);
		rc = otx_rfail(r, OT_ERR_CONFLICT, "lot_voided", path,
		               "the creation of lot %s was voided by entry %" PRId64, lot,
		               otx_jint(c, "entry", -1));
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

static ot_status load_site(otx_rule *r, const char *site, const char *path, int shared,
                           json_t **out)
{
	ot_status rc = shared ? otx_state_peek(r->st, OTX_NS_SITE, site, out, r->err)
	                      : otx_state_get(r->st, OTX_NS_SITE, site, out, r->err);
	if (rc == OT_ERR_NOTFOUND)
		return otx_rfail(r, OT_ERR_CONFLICT, "site_not_found", path,
		                 "site %s is not registered", site);
	return rc;
}

ot_status otx_load_site(otx_rule *r, const char *site, const char *path, json_t **out)
{
	return load_site(r, site, path, 0, out);
}

ot_status otx_peek_site(otx_rule *r, const char *site, const char *path, json_t **out)
{
	return load_site(r, site, path, 1, out);
}

ot_status otx_need_actor(otx_rule *r, const char *actor, const char *path)
{
	int found = 0;
	if (r->ctx->authority && strcmp(actor, r->ctx->authority) == 0)
		return OT_OK;
	ot_status rc = otx_state_has(r->st, OTX_NS_ACTOR, actor, &found, r->err);
	if (rc)
		return rc;
	if (!found)
		return otx_rfail(r, OT_ERR_CONFLICT, "actor_not_found", path,
		                 "actor %s is not registered", actor);
	return OT_OK;
}

ot_status otx_check_licence(otx_rule *r, json_t *site, const char *path)
{
	const char *from = otx_jstr(site, "valid_from");
	const char *until = otx_jstr(site, "valid_until");
	int64_t t;
	if (from && otx_parse_time(from, &t) == OT_OK && r->time < t)
		return otx_rfail(
			r, OT_ERR_RULE, "licence_not_valid", path,
			"the licence %s of site %s is valid from %s; the event is dated %s",
			otx_jstr(site, "licence") ? otx_jstr(site, "licence") : "(none)",
			otx_jstr(site, "site"), from, r->time_str);
	if (until && otx_parse_time(until, &t) == OT_OK && r->time >= t)
		return otx_rfail(r, OT_ERR_RULE, "licence_not_valid", path,
		                 "the licence %s of site %s expired at %s; the event is dated %s",
		                 otx_jstr(site, "licence") ? otx_jstr(site, "licence") : "(none)",
		                 otx_jstr(site, "site"), until, r->time_str);
	return OT_OK;
}

ot_status otx_check_time(otx_rule *r, const char *since, const char *path, const char *what,
                         const char *id)
{
	int64_t t;
	if (!since || otx_parse_time(since, &t) != OT_OK || r->time >= t)
		return OT_OK;
	return otx_rfail(r, OT_ERR_RULE, "time_order", path,
	                 "the event is dated %s, before %s %s was %s (%s)", r->time_str, what, id,
	                 strcmp(what, "consignment") == 0 ? "shipped" : "made", since);
}

ot_status otx_check_custody(otx_rule *r, json_t *lot, const char *site, const char *path)
{
	const char *id = otx_jstr(lot, "lot");
	const char *status = otx_jstr(lot, "status");
	const char *holder = otx_jstr(lot, "holder");
	const char *at = otx_jstr(lot, "site");
	if (status && strcmp(status, "in_transit") == 0)
		return otx_rfail(
			r, OT_ERR_CONFLICT, "lot_in_transit", path,
			"lot %s is in transit in consignment %s and must be received first", id,
			otx_jstr(lot, "consignment") ? otx_jstr(lot, "consignment") : "?");
	if (!holder || strcmp(holder, r->signer) != 0)
		return otx_rfail(r, OT_ERR_CONFLICT, "lot_not_held", path,
		                 "lot %s is held by %s, not by %s", id, holder ? holder : "nobody",
		                 r->signer);
	if (!at || strcmp(at, site) != 0)
		return otx_rfail(r, OT_ERR_CONFLICT, "lot_not_at_site", path,
		                 "lot %s is at site %s, not at %s", id, at ? at : "?", site);
	return otx_check_time(r, otx_jstr(json_object_get(lot, "created"), "time"), path, "lot",
	                      id);
}

int64_t otx_lot_ppm(json_t *lot, const char *el, int64_t *unc)
{
	json_t *cert = json_object_get(lot, "certified");
	json_t *v = json_object_get(json_object_get(cert, "assay"), el);
	json_t *src = cert;
	if (!v) {
		v = json_object_get(json_object_get(lot, "assay"), el);
		src = lot;
	}
	if (unc)
		*unc = otx_jint(src, "uncertainty_ppm", 0);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

json_t *otx_lot_best_assay(json_t *lot)
{
	json_t *best = json_deep_copy(json_object_get(lot, "assay"));
	json_t *cert = json_object_get(json_object_get(lot, "certified"), "assay");
	if (!best)
		best = json_object();
	if (best && cert && json_object_update(best, cert)) {
		json_decref(best);
		return NULL;
	}
	return best;
}

ot_status otx_lot_history_add(otx_rule *r, json_t *lot)
{
	json_t *h = json_object_get(lot, "history");
	if (!h) {
		h = json_array();
		if (!h || json_object_set_new(lot, "history", h))
			return ot_error_set(r->err, OT_ERR_NOMEM, "out of memory");
	}
	if (json_array_append_new(h, json_pack("[I,s,s]", (json_int_t)r->index, r->type, r->id)))
		return ot_error_set(r->err, OT_ERR_NOMEM, "out of memory");
	return OT_OK;
}

ot_status otx_lot_event(otx_rule *r, const char *lot, const char *role, json_t *inputs)
{
	char ikey[OTX_INDEX_KEY_LEN];
	char key[OTX_EVENT_ID_MAX + OTX_INDEX_KEY_LEN + 2];
	otx_index_key(ikey, r->index);
	snprintf(key, sizeof key, "%s %s", lot, ikey);
	if (inputs) {
		json_t *rec =
			json_pack("{s:I,s:s,s:s,s:s,s:O}", "index", (json_int_t)r->index, "type",
		                  r->type, "id", r->id, "role", role, "inputs", inputs);
		if (!rec)
			return ot_error_set(r->err, OT_ERR_NOMEM, "out of memory");
		ot_status rc = otx_state_put(r->st, OTX_NS_LOT_EVENT, key, rec, r->err);
		json_decref(rec);
		return rc;
	}
	/* The common case without jansson, byte for byte as json_dumps with
	 * sorted keys: {"id":...,"index":N,"role":"...","type":"..."}. */
	char head[64];
	ot_buf b;
	ot_buf_init(&b, 0);
	snprintf(head, sizeof head, ",\"index\":%" PRIu64 ",\"role\":\"", r->index);
	ot_status rc = ot_buf_adds(&b, "{\"id\":");
	if (!rc)
		rc = otx_json_string_write(&b, r->id, strlen(r->id));
	if (!rc)
		rc = ot_buf_adds(&b, head);
	if (!rc)
		rc = ot_buf_adds(&b, role);
	if (!rc)
		rc = ot_buf_adds(&b, "\",\"type\":\"");
	if (!rc)
		rc = ot_buf_adds(&b, r->type);
	if (!rc)
		rc = ot_buf_adds(&b, "\"}");
	if (!rc)
		rc = otx_state_put_raw(r->st, OTX_NS_LOT_EVENT, key, b.data, b.len, r->err);
	else
		rc = ot_error_set(r->err, rc, "out of memory");
	ot_buf_free(&b);
	return rc;
}

/* --- signer --- */

static int verifies(const otx_rule *r, const ot_verifier *v)
{
	if (r->verified_pk)
		return memcmp(ot_verifier_public_key(v), r->verified_pk, 32) == 0;
	return ot_verifier_verify_raw(v, r->env->message.data, r->env->message.len, r->env->sig) ==
	       OT_OK;
}

/* The signer cache: an actor record parsed once (roles, verifiers, key
 * validity), reused while the stored record has exactly the same bytes, so
 * that rotation, rollback and replay into another store can never see a
 * stale entry. Direct-mapped by a hash of the actor id. */
#define SIGNER_SLOTS 64

typedef struct signer_entry {
	char *actor;
	uint8_t *bytes; /* the record it was parsed from */
	size_t len;
	unsigned roles;
	size_t nkeys;
	ot_verifier **keys;
	int64_t *revoked_index; /* -1: in force; else the entry that revoked it */
	char **until_str;       /* NULL: in force */
} signer_entry;

struct otx_signer_cache {
	signer_entry slot[SIGNER_SLOTS];
};

static void entry_clear(signer_entry *e)
{
	for (size_t k = 0; k < e->nkeys; k++) {
		ot_verifier_free(e->keys[k]);
		free(e->until_str[k]);
	}
	free(e->keys);
	free(e->revoked_index);
	free(e->until_str);
	free(e->actor);
	free(e->bytes);
	memset(e, 0, sizeof *e);
}

otx_signer_cache *otx_signer_cache_new(void)
{
	return calloc(1, sizeof(otx_signer_cache));
}

void otx_signer_cache_free(otx_signer_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < SIGNER_SLOTS; i++)
		entry_clear(&c->slot[i]);
	free(c);
}

/* Fills e from an actor record (taking `bytes`). */
static ot_status entry_fill(signer_entry *e, const char *actor, uint8_t *bytes, size_t len)
{
	json_t *rec = json_loadb((const char *)bytes, len, 0, NULL);
	e->bytes = bytes;
	e->len = len;
	e->actor = strdup(actor);
	if (!rec || !e->actor) {
		json_decref(rec);
		return rec ? OT_ERR_NOMEM : OT_ERR_CORRUPT;
	}
	json_t *roles = json_object_get(rec, "roles");
	for (size_t i = 0; i < json_array_size(roles); i++) {
		const char *name = json_string_value(json_array_get(roles, i));
		if (name)
			e->roles |= otx_role_bit(name);
	}
	json_t *keys = json_object_get(rec, "keys");
	size_t n = json_array_size(keys);
	e->keys = calloc(n + 1, sizeof *e->keys);
	e->revoked_index = calloc(n + 1, sizeof *e->revoked_index);
	e->until_str = calloc(n + 1, sizeof *e->until_str);
	ot_status rc = e->keys && e->revoked_index && e->until_str ? OT_OK : OT_ERR_NOMEM;
	for (size_t i = 0; !rc && i < n; i++) {
		json_t *k = json_array_get(keys, i);
		const char *vkey = otx_jstr(k, "vkey");
		const char *until = otx_jstr(k, "until");
		if (!vkey ||
		    ot_verifier_parse(vkey, strlen(vkey), &e->keys[e->nkeys], NULL) != OT_OK)
			continue; /* the rules only store keys that parse */
		/* A key with a stop time was revoked by an earlier entry. */
		e->revoked_index[e->nkeys] = until ? otx_jint(k, "revoked_index", 0) : -1;
		e->until_str[e->nkeys] = until ? strdup(until) : NULL;
		e->nkeys++;
	}
	json_decref(rec);
	return rc;
}

static size_t slot_of(const char *actor)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (const char *p = actor; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h % SIGNER_SLOTS;
}

/* The parsed record of r->signer: from the cache when its bytes match,
 * else parsed into the cache (or into *tmp without one). Takes `bytes`. */
static ot_status signer_entry_get(otx_rule *r, uint8_t *bytes, size_t len, signer_entry *tmp,
                                  signer_entry **out)
{
	otx_signer_cache *c = r->ctx->cache;
	signer_entry *e = c ? &c->slot[slot_of(r->signer)] : tmp;
	if (c && e->actor && strcmp(e->actor, r->signer) == 0 && e->len == len &&
	    memcmp(e->bytes, bytes, len) == 0) {
		free(bytes);
		*out = e;
		return OT_OK;
	}
	entry_clear(e);
	ot_status rc = entry_fill(e, r->signer, bytes, len);
	if (rc) {
		entry_clear(e);
		return ot_error_set(r->err, rc, "the record of actor %s cannot be read", r->signer);
	}
	*out = e;
	return OT_OK;
}

static ot_status check_signer(otx_rule *r)
{
	uint8_t *bytes = NULL;
	size_t len = 0;
	signer_entry tmp, *e = &tmp;
	int is_authority = r->ctx->authority && strcmp(r->signer, r->ctx->authority) == 0;
	ot_status rc = ot_store_kv_get(r->st, OTX_NS_ACTOR, r->signer, &bytes, &len, NULL);
	if (rc == OT_ERR_NOTFOUND) {
		if (!is_authority || !r->ctx->authority_key)
			return otx_rfail(r, OT_ERR_SIGNER, "unknown_signer", "signer",
			                 "%s is not a registered actor", r->signer);
		if (!verifies(r, r->ctx->authority_key))
			return otx_rfail(
				r, OT_ERR_VERIFY, "bad_signature", "sig",
				"the signature does not verify with the authority key of %s",
				r->signer);
		r->roles = OTX_ROLE_AUTHORITY;
		return OT_OK;
	}
	if (rc)
		return ot_store_kv_get(r->st, OTX_NS_ACTOR, r->signer, &bytes, &len, r->err);
	memset(&tmp, 0, sizeof tmp);
	if ((rc = signer_entry_get(r, bytes, len, &tmp, &e)))
		return rc;

	/* Try every key: one in force must verify. Revocation is by log
	 * position: a key revoked by an earlier entry signs nothing sequenced
	 * after it, whatever time the event claims; one that verifies says
	 * "revoked", not "bad". */
	int64_t revoked_by = -1, last_revoked = -1;
	int valid_keys = 0, ok = 0;
	for (size_t i = 0; i < e->nkeys && !ok; i++) {
		int valid = e->revoked_index[i] < 0;
		valid_keys += valid;
		if (!valid && e->revoked_index[i] > last_revoked)
			last_revoked = e->revoked_index[i];
		if (verifies(r, e->keys[i])) {
			if (valid)
				ok = 1;
			else if (revoked_by < 0)
				revoked_by = e->revoked_index[i];
		}
	}
	if (!ok) {
		if (revoked_by >= 0)
			rc = otx_rfail(r, OT_ERR_SIGNER, "key_revoked", "signer",
			               "the key of %s that signed this event was revoked by entry "
			               "%" PRId64
			               "; it signs nothing sequenced after that, whatever "
			               "time the event claims (%s)",
			               r->signer, revoked_by, r->time_str);
		else if (!valid_keys)
			rc = otx_rfail(
				r, OT_ERR_SIGNER, "key_revoked", "signer",
				"%s has no key in force: all its keys were revoked, the last "
				"by entry %" PRId64,
				r->signer, last_revoked);
		else
			rc = otx_rfail(r, OT_ERR_VERIFY, "bad_signature", "sig",
			               "the signature does not verify with any valid key of %s",
			               r->signer);
	} else {
		r->roles = e->roles | (is_authority ? OTX_ROLE_AUTHORITY : 0u);
	}
	if (e == &tmp)
		entry_clear(&tmp);
	return rc;
}

/* Replay protection: an event id is used once. */
static ot_status claim_id(otx_rule *r)
{
	json_t *prev = NULL;
	ot_status rc = otx_state_get(r->st, OTX_NS_EVENT_ID, r->id, &prev, r->err);
	if (rc == OT_OK) {
		rc = otx_rfail(r, OT_ERR_CONFLICT, "duplicate_id", "id",
		               "the id %s was already used by entry %" PRId64, r->id,
		               otx_jint(prev, "index", -1));
		json_decref(prev);
		return rc;
	}
	if (rc != OT_ERR_NOTFOUND)
		return rc;
	/* {"index":N,"signer":"...","time":"...","type":"..."}, as json_dumps
	 * would sort and write it; none of them needs escaping: actor ids are
	 * [A-Za-z0-9._:-]+, times RFC 3339, types [a-z][a-z0-9_]* (envelope.h).
	 * Signer and time serve revocation findings and corrections. */
	char rec[OTX_EVENT_TYPE_MAX + OTX_SIGNER_MAX + OTX_TIME_LEN + 96];
	int n = snprintf(rec, sizeof rec,
	                 "{\"index\":%" PRIu64
	                 ",\"signer\":\"%s\",\"time\":\"%s\",\"type\":\"%s\"}",
	                 r->index, r->signer, r->time_str, r->type);
	if (n < 0 || (size_t)n >= sizeof rec)
		return ot_error_set(r->err, OT_ERR_ARG, "event type too long");
	return otx_state_put_raw(r->st, OTX_NS_EVENT_ID, r->id, (const uint8_t *)rec, (size_t)n,
	                         r->err);
}

ot_status otx_rules_apply(ot_store *st, const otx_ledger_ctx *ctx, uint64_t index,
                          const otx_envelope *env, ot_error *err)
{
	return otx_rules_apply_ex(st, ctx, index, env, NULL, err);
}

ot_status otx_rules_apply_ex(ot_store *st, const otx_ledger_ctx *ctx, uint64_t index,
                             const otx_envelope *env, const uint8_t *verified_pk, ot_error *err)
{
	if (!st || !ctx || !env || !env->event || !env->type || !env->id || !env->time)
		return ot_error_set(err, OT_ERR_ARG,
		                    "rules need a store, a context and a parsed envelope");
	otx_rule r;
	memset(&r, 0, sizeof r);
	r.st = st;
	r.ctx = ctx;
	r.index = index;
	r.env = env;
	r.ev = env->event;
	r.id = env->id;
	r.type = env->type;
	r.time_str = env->time;
	r.time = env->time_unix;
	r.signer = env->signer;
	r.verified_pk = verified_pk;
	r.err = err;

	size_t t = 0, ntypes = sizeof EVENT_TYPES / sizeof EVENT_TYPES[0];
	while (t < ntypes && strcmp(EVENT_TYPES[t].type, r.type) != 0)
		t++;
	if (t == ntypes)
		return otx_rfail(&r, OT_ERR_PARSE, "unknown_type", "type",
		                 "\"%s\" is not an event type this ledger knows", r.type);

	ot_status rc = check_signer(&r);
	if (rc)
		return rc;
	if (EVENT_TYPES[t].roles && !(r.roles & EVENT_TYPES[t].roles)) {
		char have[200], need[200];
		role_list(r.roles, have, sizeof have);
		role_list(EVENT_TYPES[t].roles, need, sizeof need);
		return otx_rfail(&r, OT_ERR_SIGNER, "missing_role", "signer",
		                 "%s has the roles %s; %s events need one of %s", r.signer, have,
		                 r.type, need);
	}
	rc = claim_id(&r);
	if (rc)
		return rc;
	return EVENT_TYPES[t].apply(&r);
}
