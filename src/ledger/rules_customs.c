/*
 * rules_customs.c: HS codes and customs declarations (issue 14, items 8
 * and 9). A lot may carry its Harmonized System code (`hs_code`), checked
 * against the HS 2022 six-digit subheadings of the chapters this ledger
 * meets (data/hs2022.def); a code whose heading does not fit the lot's
 * material (an oxide under an ore heading) is the finding hs_code_mismatch,
 * not a refusal: classification is the declarant's call, the ledger only
 * shows what looks wrong.
 *
 * The `declare` event is a customs officer's record of an export or import
 * declaration for a consignment: the declared net mass, value and HS codes.
 * The ledger compares them with what the ship and receive events say, and
 * each difference is the finding declaration_mismatch naming the field and
 * both values. The declaration is kept in the consignment's record.
 */
#include "ledger/rules_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/findings.h"
#include "oretrail/status.h"

static ot_status nomem(otx_rule *r)
{
	return ot_error_set(r->err, OT_ERR_NOMEM, "out of memory");
}

/* --- HS codes --- */

/* What a subheading classifies, for the plausibility of a material. */
enum hs_kind {
	MINERAL,
	ORE,
	RESIDUE,
	ELEMENT,
	COMPOUND,
	METAL,
	SCRAP,
	MAGNET,
	ARTICLE
};

static const char *const HS_KIND_NAMES[] = {
	"a mineral substance",
	"an ore or concentrate",
	"a slag, ash or residue",
	"an element",
	"a chemical compound",
	"a metal",
	"waste and scrap",
	"a magnet",
	"an article",
};

static const struct hs_entry {
	uint32_t code;
	enum hs_kind kind;
	const char *description;
} HS_CODES[] = {
#define HS(code, kind, description) {code, kind, description},
#include "../../data/hs2022.def"
#undef HS
};

static int hs_cmp(const void *key, const void *item)
{
	uint32_t a = *(const uint32_t *)key, b = ((const struct hs_entry *)item)->code;
	return a < b ? -1 : a > b;
}

/* The table's entry of a code, NULL when it is not in the list. */
static const struct hs_entry *hs_find(uint32_t code)
{
	return bsearch(&code, HS_CODES, sizeof HS_CODES / sizeof HS_CODES[0], sizeof HS_CODES[0],
	               hs_cmp);
}

/* "284690" or "2846.90" as a number; 0 when it is neither. */
static uint32_t hs_parse(const char *s)
{
	uint32_t code = 0;
	size_t digits = 0;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '.' && i == 4 && digits == 4)
			continue;
		if (s[i] < '0' || s[i] > '9' || digits == 6)
			return 0;
		code = code * 10 + (uint32_t)(s[i] - '0');
		digits++;
	}
	return digits == 6 ? code : 0;
}

/* Reads the HS code at obj[key] (a string) into code; bad_hs_code when it
 * is not a six-digit subheading of the list. */
static ot_status read_hs(otx_rule *r, json_t *v, const char *path, uint32_t *code)
{
	const char *s = json_string_value(v);
	*code = s ? hs_parse(s) : 0;
	if (!*code)
		return otx_rfail(r, OT_ERR_RULE, "bad_hs_code", path,
		                 "\"%.20s\" is not an HS code: six digits, as \"284690\" or "
		                 "\"2846.90\"",
		                 s ? s : "");
	if (!hs_find(*code))
		return otx_rfail(r, OT_ERR_RULE, "bad_hs_code", path,
		                 "%06" PRIu32 " is not an HS 2022 subheading of chapters 25, 26, "
		                 "28, 71-81 or heading 85.05 (data/hs2022.def)",
		                 *code);
	return OT_OK;
}

ot_status otx_r_hs_code(otx_rule *r, json_t *obj, const char *prefix, char code[7])
{
	char path[OTX_PATH_MAX];
	json_t *v;
	uint32_t n;
	code[0] = 0;
	ot_status rc = otx_r_value(r, obj, prefix, "hs_code", 0, 0, &v);
	if (rc || !v || (rc = read_hs(r, v, otx_rpath(path, sizeof path, prefix, "hs_code"), &n)))
		return rc;
	snprintf(code, 7, "%06" PRIu32, n);
	return OT_OK;
}

/* 1 when a lot of `material` may plausibly be classified as `kind`. */
static int material_fits(const char *material, enum hs_kind kind)
{
	static const struct {
		const char *material;
		unsigned kinds;
	} FITS[] = {
		{"ore", 1u << ORE | 1u << MINERAL},
		{"concentrate", 1u << ORE | 1u << MINERAL},
		{"tailings", 1u << RESIDUE | 1u << ORE | 1u << MINERAL},
		{"residue", 1u << RESIDUE | 1u << SCRAP},
		{"slag", 1u << RESIDUE},
		{"scrap", 1u << SCRAP | 1u << RESIDUE},
		{"magnet", 1u << MAGNET},
	};
	static const char *const METALLIC[] = {"matte", "blister", "anode",  "cathode",
	                                       "metal", "alloy",   "powder", NULL};
	for (size_t i = 0; i < sizeof FITS / sizeof FITS[0]; i++)
		if (strcmp(FITS[i].material, material) == 0)
			return (FITS[i].kinds >> kind) & 1u;
	for (size_t i = 0; METALLIC[i]; i++)
		if (strcmp(METALLIC[i], material) == 0)
			return kind == METAL || kind == ELEMENT;
	/* hydroxide, chloride, sulfate, oxalate, carbonate, oxide, solution,
	 * precipitate */
	return kind == COMPOUND;
}

ot_status otx_lot_set_hs(otx_rule *r, json_t *lot, const char *code)
{
	if (!code[0])
		return OT_OK;
	if (json_object_set_new(lot, "hs_code", json_string(code)))
		return nomem(r);
	const struct hs_entry *e = hs_find((uint32_t)strtoul(code, NULL, 10));
	const char *material = otx_jstr(lot, "material"), *id = otx_jstr(lot, "lot");
	if (!e || material_fits(material, e->kind))
		return OT_OK;
	return otx_finding_add(r->st, r->index, "hs_code_mismatch", id, r->err,
	                       "lot %s is %s but HS %s (%.120s) classifies %s", id, material, code,
	                       e->description, HS_KIND_NAMES[e->kind]);
}

/* --- declare --- */

static const char *const DIRECTIONS[] = {"export", "import", NULL};

/* A declaration being checked: its fields and the consignment's record. */
typedef struct declare {
	const char *cons, *direction, *reference;
	int64_t mass;
	json_t *value, *hs; /* borrowed from the event */
	json_t *codes;      /* the declared codes, normalized and sorted */
	json_t *rec;        /* the consignment */
} declare;

/* Inserts code into the sorted array of strings set, once. */
static int set_add(json_t *set, const char *code)
{
	size_t i = 0;
	while (i < json_array_size(set) &&
	       strcmp(json_string_value(json_array_get(set, i)), code) < 0)
		i++;
	if (i < json_array_size(set) &&
	    strcmp(json_string_value(json_array_get(set, i)), code) == 0)
		return 0;
	return json_array_insert_new(set, i, json_string(code));
}

static ot_status declare_read(otx_rule *r, declare *d)
{
	char path[OTX_PATH_MAX], code[7];
	ot_status rc;
	if ((rc = otx_r_id(r, r->ev, NULL, "consignment", 1, &d->cons)) ||
	    (rc = otx_r_enum(r, r->ev, NULL, "direction", 1, DIRECTIONS, &d->direction)) ||
	    (rc = otx_r_str(r, r->ev, NULL, "reference", 0, &d->reference)) ||
	    (rc = otx_r_int(r, r->ev, NULL, "mass_g", 1, 0, OTX_MASS_MAX, &d->mass)) ||
	    (rc = otx_r_money(r, r->ev, NULL, "value", 1, 0, 0, &d->value)) ||
	    (rc = otx_r_array(r, r->ev, NULL, "hs", 1, OTX_ITEMS_MAX, &d->hs)))
		return rc;
	d->codes = json_array();
	if (!d->codes)
		return nomem(r);
	for (size_t i = 0; i < json_array_size(d->hs); i++) {
		uint32_t n;
		if ((rc = read_hs(r, json_array_get(d->hs, i),
		                  otx_rpath_at(path, sizeof path, "hs", i), &n)))
			return rc;
		snprintf(code, sizeof code, "%06" PRIu32, n);
		if (set_add(d->codes, code))
			return nomem(r);
	}
	return OT_OK;
}

/* The consignment exists, has no declaration in this direction yet, and
 * the officer is of the country the goods leave (export) or enter
 * (import). */
static ot_status declare_check(otx_rule *r, declare *d)
{
	json_t *actor = NULL;
	ot_status rc = otx_state_get(r->st, OTX_NS_CONSIGNMENT, d->cons, &d->rec, r->err);
	if (rc == OT_ERR_NOTFOUND)
		return otx_rfail(r, OT_ERR_CONFLICT, "consignment_not_found", "consignment",
		                 "consignment %s does not exist", d->cons);
	if (rc)
		return rc;
	json_t *prev = json_object_get(json_object_get(d->rec, "declarations"), d->direction);
	if (prev)
		return otx_rfail(r, OT_ERR_CONFLICT, "duplicate_declaration", "consignment",
		                 "consignment %s already has its %s declaration, entry %" PRId64,
		                 d->cons, d->direction, otx_jint(prev, "index", -1));
	const char *country = otx_jstr(d->rec, strcmp(d->direction, "export") == 0 ? "from_country"
	                                                                           : "to_country");
	if ((rc = otx_state_get(r->st, OTX_NS_ACTOR, r->signer, &actor, r->err)))
		return rc;
	const char *own = otx_jstr(actor, "country");
	if (country && own && strcmp(country, own) != 0)
		rc = otx_rfail(r, OT_ERR_SIGNER, "wrong_customs_country", "signer",
		               "%s is a customs authority of %s; the %s declaration of "
		               "consignment %s is made in %s",
		               r->signer, own, d->direction, d->cons, country);
	json_decref(actor);
	return rc;
}

/* The consignment's codes: the ship event's `hs` (when public) and its
 * lots' hs_code, normalized and sorted; codes that do not parse are left
 * out (the ship event's `hs` is free text). */
static json_t *consignment_codes(otx_rule *r, declare *d)
{
	char code[7];
	json_t *set = json_array(), *hs = json_object_get(d->rec, "hs");
	for (size_t i = 0; set && json_is_array(hs) && i < json_array_size(hs); i++) {
		const char *s = json_string_value(json_array_get(hs, i));
		uint32_t n = s ? hs_parse(s) : 0;
		snprintf(code, sizeof code, "%06" PRIu32, n);
		if (n && set_add(set, code))
			goto nomem;
	}
	json_t *lots = json_object_get(d->rec, "lots");
	for (size_t i = 0; set && i < json_array_size(lots); i++) {
		json_t *lot = NULL;
		const char *id = otx_jstr(json_array_get(lots, i), "lot");
		if (otx_state_get(r->st, OTX_NS_LOT, id, &lot, NULL) != OT_OK)
			continue;
		const char *c = otx_jstr(lot, "hs_code");
		int fail = c && set_add(set, c);
		json_decref(lot);
		if (fail)
			goto nomem;
	}
	return set;
nomem:
	json_decref(set);
	return NULL;
}

/* "260300, 284690" into buf. */
static const char *codes_text(char *buf, size_t size, json_t *set)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < json_array_size(set); i++) {
		int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
		                 json_string_value(json_array_get(set, i)));
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	return used ? buf : "none";
}

/* `values` (may be NULL, stolen) structures the two figures when they are
 * masses. */
static ot_status mismatch(otx_rule *r, declare *d, const char *field, const char *declared,
                          const char *what, const char *found, json_t *values)
{
	char subject[OTX_EVENT_ID_MAX + 16], detail[512];
	snprintf(subject, sizeof subject, "%s.%s", d->cons, field);
	snprintf(detail, sizeof detail, "consignment %s, %s declaration %s: %s declared %s, %s %s",
	         d->cons, d->direction, r->id, field, declared, what, found);
	if (values)
		return otx_finding_add_values(r->st, r->index, "declaration_mismatch", subject,
		                              values, r->err, "%s", detail);
	return otx_finding_add(r->st, r->index, "declaration_mismatch", subject, r->err, "%s",
	                       detail);
}

/* The declared figures against the consignment's: the mass shipped (or,
 * for an import after the receipt, received) within the transit tolerance,
 * the shipper's stated value exactly, and the same set of HS codes. */
static ot_status declare_compare(otx_rule *r, declare *d)
{
	char a[64], b[64], ca[400], cb[400];
	int received = strcmp(d->direction, "import") == 0 &&
	               strcmp(otx_jstr(d->rec, "status"), "received") == 0;
	json_t *lots = json_object_get(d->rec, "lots");
	int64_t mass = 0;
	for (size_t i = 0; i < json_array_size(lots); i++)
		mass += otx_jint(json_array_get(lots, i), received ? "received_g" : "mass_g", 0);
	otx_u128 diff = (otx_u128)(d->mass > mass ? d->mass - mass : mass - d->mass);
	ot_status rc = OT_OK;
	if (diff * 1000000u > (otx_u128)mass * OTX_TRANSIT_TOLERANCE_PPM) {
		snprintf(a, sizeof a, "%" PRId64 " g", d->mass);
		snprintf(b, sizeof b, "%" PRId64 " g", mass);
		json_t *v = json_pack("{s:I,s:I}", "declared_g", (json_int_t)d->mass, "found_g",
		                      (json_int_t)mass);
		if (!v)
			return nomem(r);
		if ((rc = mismatch(r, d, "mass_g", a, received ? "received" : "shipped", b, v)))
			return rc;
	}
	json_t *value = json_object_get(d->rec, "value");
	if (json_is_object(value) && !json_object_get(value, "commit")) {
		int64_t amount = otx_jint(value, "amount", 0);
		const char *cur = otx_jstr(value, "currency");
		if (amount != otx_jint(d->value, "amount", 0) ||
		    strcmp(cur ? cur : "", otx_jstr(d->value, "currency")) != 0) {
			snprintf(a, sizeof a, "%" PRId64 " %s", otx_jint(d->value, "amount", 0),
			         otx_jstr(d->value, "currency"));
			snprintf(b, sizeof b, "%" PRId64 " %s", amount, cur ? cur : "");
			if ((rc = mismatch(r, d, "value", a, "shipped at", b, NULL)))
				return rc;
		}
	}
	json_t *codes = consignment_codes(r, d);
	if (!codes)
		return nomem(r);
	if (json_array_size(codes) && !json_equal(codes, d->codes))
		rc = mismatch(r, d, "hs", codes_text(ca, sizeof ca, d->codes), "the consignment's",
		              codes_text(cb, sizeof cb, codes), NULL);
	json_decref(codes);
	return rc;
}

/* The declaration goes into the consignment's record, by direction. */
static ot_status declare_write(otx_rule *r, declare *d)
{
	json_t *decl = json_pack("{s:I,s:s,s:s,s:s,s:I,s:O,s:O}", "index", (json_int_t)r->index,
	                         "id", r->id, "time", r->time_str, "by", r->signer, "mass_g",
	                         (json_int_t)d->mass, "value", d->value, "hs", d->codes);
	if (!decl)
		return nomem(r);
	if (d->reference)
		json_object_set_new(decl, "reference", json_string(d->reference));
	json_t *all = json_object_get(d->rec, "declarations");
	if (!all) {
		all = json_object();
		if (!all || json_object_set_new(d->rec, "declarations", all)) {
			json_decref(decl);
			return nomem(r);
		}
	}
	if (json_object_set_new(all, d->direction, decl))
		return nomem(r);
	return otx_state_put(r->st, OTX_NS_CONSIGNMENT, d->cons, d->rec, r->err);
}

ot_status otx_rule_declare(otx_rule *r)
{
	declare d;
	memset(&d, 0, sizeof d);
	ot_status rc;
	if (!(rc = declare_read(r, &d)) && !(rc = declare_check(r, &d)) &&
	    !(rc = declare_compare(r, &d)))
		rc = declare_write(r, &d);
	json_decref(d.codes);
	json_decref(d.rec);
	return rc;
}
