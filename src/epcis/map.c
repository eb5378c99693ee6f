/*
 * epcis/map.c: EPCIS 2.0 events to oretrail events and back (epcis/map.h,
 * oretrail/epcis.h), on the ledger's event data model (oretrail/json.h).
 *
 * Import is a pure function of one EPCIS event and its document's context:
 * it picks the event's identifiers, place, masses and the oretrail
 * extensions, and either builds the oretrail events or names the one thing
 * that stops it. Identifiers become oretrail ids one way: the bare id of a
 * urn:oretrail:<kind>: URI, the constrained canonical Digital Link of a GS1
 * key (so that an EPC URI and a Digital Link for the same lot are the same
 * lot), or else the URI as it is. Export inverts that, and relies on
 * import being deterministic: an original is trusted only when importing it
 * again gives byte for byte the event the ledger holds.
 */
#include "epcis/map.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/event.h"
#include "oretrail/json.h"
#include "oretrail/status.h"

#define CBV "https://ref.gs1.org/cbv/"

/* ---- import --------------------------------------------------------------- */

typedef struct mapctx {
	const ot_epcis_doc *doc;
	json_t *ev;   /* the EPCIS event */
	json_t *ilmd; /* its ILMD object, or NULL */
	ot_epcis_mapping *m;
	const ot_epcis_profile *prof; /* or NULL */
	char id[OT_EVENT_ID_MAX + 1]; /* the oretrail event id */
	char time[OT_TIME_LEN + 1];
} mapctx;

static ot_status fail(mapctx *c, ot_status status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static ot_status fail(mapctx *c, ot_status status, const char *code, const char *fmt, ...)
{
	char why[440];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return ot_error_at(&c->m->error, status, code, (int64_t)c->m->event, "%s", why);
}

/* Notes the profile key that would have supplied what is missing. */
static void missing(mapctx *c, const char *key)
{
	snprintf(c->m->missing, sizeof c->m->missing, "%s", key);
}

static ot_status nomem(mapctx *c)
{
	return ot_error_at(&c->m->error, OT_ERR_NOMEM, "", (int64_t)c->m->event, "out of memory");
}

void ot_epcis_mapping_clear(ot_epcis_mapping *m)
{
	if (!m)
		return;
	json_decref(m->events);
	memset(m, 0, sizeof *m);
}

/* The value of oretrail extension `local` in obj (under any prefix bound
 * to OT_EPCIS_NS, or the full IRI), or NULL. */
static json_t *ext_get(const ot_epcis_doc *doc, json_t *obj, const char *local)
{
	const size_t nslen = strlen(OT_EPCIS_NS);
	const char *k;
	json_t *v;
	if (!json_is_object(obj))
		return NULL;
	json_object_foreach(obj, k, v)
	{
		const char *colon = strchr(k, ':');
		if (!colon)
			continue;
		if (strncmp(k, OT_EPCIS_NS, nslen) == 0 && strcmp(k + nslen, local) == 0)
			return v;
		const char *iri = otx_epcis_prefix_iri(doc, k, (size_t)(colon - k));
		if (iri && strcmp(iri, OT_EPCIS_NS) == 0 && strcmp(colon + 1, local) == 0)
			return v;
	}
	return NULL;
}

/* The canonical form of a scalar read as `vocab`, into buf (NUL-terminated,
 * truncated to size); "" for anything else. */
static const char *canon(const ot_epcis_doc *doc, otx_epcis_vocab vocab, json_t *v, char *buf,
                         size_t size)
{
	ot_buf b;
	ot_buf_init(&b, 0);
	buf[0] = 0;
	if (v && otx_epcis_canonical(doc, vocab, v, &b) == OT_OK && b.len)
		snprintf(buf, size, "%s", (const char *)b.data);
	ot_buf_free(&b);
	return buf;
}

static int printable_id(const char *s, size_t len, size_t max)
{
	if (len == 0 || len > max)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
	return 1;
}

ot_status otx_epcis_id_text(const char *s, size_t len, const char *urn, ot_buf *b)
{
	while (len && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
	               s[len - 1] == '\r'))
		len--;
	size_t n = urn ? strlen(urn) : 0;
	ot_status rc = OT_OK;
	if (n && len > n && memcmp(s, urn, n) == 0)
		rc = ot_buf_add(b, s + n, len - n);
	else if (otx_epcis_digital_link(s, len, b) != 1)
		rc = ot_buf_add(b, s, len);
	if (!rc)
		rc = ot_buf_add(b, "", 1);
	if (rc)
		return rc;
	b->len--;
	return printable_id((const char *)b->data, b->len, OT_EVENT_ID_MAX) ? OT_OK : OT_ERR_PARSE;
}

/* A profile's name for an id, from table (an object keyed by ids), or NULL. */
static const char *renamed(json_t *table, const char *id)
{
	return json_string_value(json_object_get(table, id));
}

/*
 * An oretrail id from an EPCIS identifier `v` (a string): the rest of a
 * `urn` URI, the canonical Digital Link of a GS1 key, or the URI itself;
 * then, for sites and actors, the profile's name for it. Writes it to out
 * (OT_EVENT_ID_MAX + 1 bytes).
 */
static ot_status id_of(mapctx *c, json_t *v, const char *urn, const char *what, char *out)
{
	if (!json_is_string(v))
		return fail(c, OT_ERR_PARSE, "epcis_bad_id", "%s must be a URI string", what);
	ot_buf b;
	ot_buf_init(&b, 4096);
	if (otx_epcis_id_text(json_string_value(v), json_string_length(v), urn, &b)) {
		ot_buf_free(&b);
		return fail(c, OT_ERR_PARSE, "epcis_bad_id",
		            "%s \"%.80s\" is not usable as an oretrail id (1-%d printable ASCII "
		            "characters without spaces)",
		            what, json_string_value(v), OT_EVENT_ID_MAX);
	}
	const char *name = NULL;
	if (c->prof && strcmp(urn, OTX_EPCIS_URN_SITE) == 0)
		name = renamed(c->prof->sites, (const char *)b.data);
	else if (c->prof && strcmp(urn, OTX_EPCIS_URN_ACTOR) == 0)
		name = renamed(c->prof->parties, (const char *)b.data);
	snprintf(out, OT_EVENT_ID_MAX + 1, "%s", name ? name : (const char *)b.data);
	ot_buf_free(&b);
	return OT_OK;
}

/* An actor id (a key name: [A-Za-z0-9._:-]) from a party URI. */
static ot_status actor_of(mapctx *c, json_t *v, const char *what, char *out)
{
	ot_status rc = id_of(c, v, OTX_EPCIS_URN_ACTOR, what, out);
	if (rc)
		return rc;
	size_t len = strlen(out);
	int ok = len <= OT_ACTOR_MAX;
	for (size_t i = 0; ok && i < len; i++) {
		char ch = out[i];
		ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		     (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == ':' || ch == '-';
	}
	if (!ok)
		missing(c, out);
	if (!ok)
		return fail(c, OT_ERR_PARSE, "epcis_bad_id",
		            "%s \"%.80s\" is not an oretrail actor id (use %sNAME for actor NAME, "
		            "or the profile line \"parties\":{\"%.80s\":\"NAME\"})",
		            what, out, OTX_EPCIS_URN_ACTOR, out);
	return OT_OK;
}

static int is_step(mapctx *c, const char *step)
{
	char buf[256], want[128];
	snprintf(want, sizeof want, CBV "BizStep-%s", step);
	return strcmp(canon(c->doc, OTX_EPCIS_BIZSTEP, json_object_get(c->ev, "bizStep"), buf,
	                    sizeof buf),
	              want) == 0;
}

/* The event's place: bizLocation, else readPoint. */
static json_t *place_of(mapctx *c)
{
	json_t *loc = json_object_get(json_object_get(c->ev, "bizLocation"), "id");
	if (!loc)
		loc = json_object_get(json_object_get(c->ev, "readPoint"), "id");
	return loc;
}

static ot_status site_of(mapctx *c, json_t *fallback, char *out)
{
	json_t *loc = place_of(c);
	if (!loc)
		loc = fallback;
	if (!loc)
		return fail(
			c, OT_ERR_PARSE, "epcis_no_site",
			"no bizLocation or readPoint: oretrail needs the site where it happened");
	return id_of(c, loc, OTX_EPCIS_URN_SITE, "site", out);
}

/* The first element of a source or destination list whose type is `type`
 * (an SDT term); its id member is `member`. */
static json_t *party(mapctx *c, const char *list, const char *member, const char *type)
{
	char want[64], buf[256];
	snprintf(want, sizeof want, CBV "SDT-%s", type);
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(c->ev, list), i, it)
	{
		if (strcmp(canon(c->doc, OTX_EPCIS_SDT, json_object_get(it, "type"), buf,
		                 sizeof buf),
		           want) == 0)
			return json_object_get(it, member);
	}
	return NULL;
}

static ot_status consignment_of(mapctx *c, char *out);

/* Sets *e to a context for event j of c's document, mapping into the
 * scratch *m (nothing to free: only names are looked up through it); 1 when
 * that event is an ObjectEvent with bizStep `step`. */
static int object_event_at(const mapctx *c, size_t j, const char *step, mapctx *e,
                           ot_epcis_mapping *m)
{
	memset(m, 0, sizeof *m);
	m->event = j;
	*e = *c;
	e->m = m;
	e->ev = ot_epcis_doc_event(c->doc, j);
	const char *type = json_string_value(json_object_get(e->ev, "type"));
	return type && strcmp(type, "ObjectEvent") == 0 && is_step(e, step);
}

/* A receiving that names, among its business transactions, the consignment
 * of a shipping ObjectEvent earlier in the same document receives that
 * consignment, whatever the types: GS1's examples ship under a purchase
 * order and receive under the same order plus a despatch advice, one
 * material flow that the type order below would split in two. 1 when found
 * (out set). */
static int shipped_earlier(mapctx *c, char *out)
{
	json_t *list = json_object_get(c->ev, "bizTransactionList");
	if (json_array_size(list) < 2 || !is_step(c, "receiving"))
		return 0;
	for (size_t j = 0; j < c->m->event; j++) {
		ot_epcis_mapping scratch;
		mapctx e;
		char shipped[OT_EVENT_ID_MAX + 1], mine[OT_EVENT_ID_MAX + 1];
		if (!object_event_at(c, j, "shipping", &e, &scratch) ||
		    consignment_of(&e, shipped) != OT_OK)
			continue;
		size_t i;
		json_t *it;
		json_array_foreach(list, i, it)
		{
			if (id_of(&e, json_object_get(it, "bizTransaction"),
			          OTX_EPCIS_URN_CONSIGNMENT, "consignment", mine) == OT_OK &&
			    strcmp(mine, shipped) == 0) {
				memcpy(out, mine, OT_EVENT_ID_MAX + 1);
				return 1;
			}
		}
	}
	return 0;
}

/* The consignment of a shipping or receiving: for a receiving, the one an
 * earlier shipping of the document shipped (shipped_earlier); a despatch
 * advice, else a bill of lading among the business transactions, else
 * oretrail:consignment. */
static ot_status consignment_of(mapctx *c, char *out)
{
	static const char *const TYPES[] = {"desadv", "bol"};
	char want[64], buf[256];
	if (shipped_earlier(c, out))
		return OT_OK;
	for (size_t t = 0; t < 2; t++) {
		snprintf(want, sizeof want, CBV "BTT-%s", TYPES[t]);
		size_t i;
		json_t *it;
		json_array_foreach(json_object_get(c->ev, "bizTransactionList"), i, it)
		{
			if (strcmp(canon(c->doc, OTX_EPCIS_BTT, json_object_get(it, "type"), buf,
			                 sizeof buf),
			           want) == 0)
				return id_of(c, json_object_get(it, "bizTransaction"),
				             OTX_EPCIS_URN_CONSIGNMENT, "consignment", out);
		}
	}
	json_t *ext = ext_get(c->doc, c->ev, "consignment");
	if (ext)
		return id_of(c, ext, OTX_EPCIS_URN_CONSIGNMENT, "oretrail:consignment", out);
	/* One business transaction of another type (a purchase order, an
	 * invoice): the only name the shipment has. */
	json_t *list = json_object_get(c->ev, "bizTransactionList");
	if (json_array_size(list) == 1)
		return id_of(c, json_object_get(json_array_get(list, 0), "bizTransaction"),
		             OTX_EPCIS_URN_CONSIGNMENT, "consignment (the one bizTransaction)",
		             out);
	const char *def = c->prof ? renamed(c->prof->defaults, "consignment") : NULL;
	if (def) {
		snprintf(out, OT_EVENT_ID_MAX + 1, "%s", def);
		return OT_OK;
	}
	return fail(c, OT_ERR_PARSE, "epcis_no_consignment",
	            "no consignment: a bizTransaction of type desadv or bol (or "
	            "oretrail:consignment, or the event's only bizTransaction) links a "
	            "shipping to its receiving; or the profile line "
	            "\"defaults\":{\"consignment\":\"ID\"}");
}

/* ---- quantities ---- */

static const struct {
	const char *uom;
	double grams;
} UNITS[] = {
	{"GRM", 1.0},          {"KGM", 1e3},        {"TNE", 1e6},       {"MGM", 1e-3},
	{"HGM", 1e2},          {"DTN", 1e5},        {"KTN", 1e9},       {"LBR", 453.59237},
	{"ONZ", 28.349523125}, {"APZ", 31.1034768}, {"STN", 907184.74}, {"LTN", 1016046.9088},
};

ot_status otx_epcis_grams(double quantity, const char *uom, int64_t *grams)
{
	for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++) {
		if (!uom || strcmp(uom, UNITS[i].uom) != 0)
			continue;
		double g = quantity * UNITS[i].grams;
		if (!isfinite(g) || g < 0.5 || g > 1e15)
			return OT_ERR_RANGE;
		*grams = (int64_t)(g + 0.5); /* g >= 0.5: rounds half up */
		return OT_OK;
	}
	return OT_ERR_PARSE;
}

/* One lot of a quantity or EPC list: its oretrail id and, for quantities
 * with a unit of mass, its grams. */
typedef struct lotq {
	char id[OT_EVENT_ID_MAX + 1];
	int64_t grams; /* -1: no mass */
} lotq;

typedef struct lots {
	lotq *v;
	size_t n;
} lots;

static void lots_free(lots *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static ot_status no_item_mass(mapctx *c, const char *id, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* An item, or a count of items, with no mass: names the profile line that
 * gives one item's mass (for the item's GS1 class when it has one). */
static ot_status no_item_mass(mapctx *c, const char *id, const char *code, const char *fmt, ...)
{
	char why[320], cls[64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	missing(c, otx_epcis_gtin_class(id, cls) ? cls : id);
	return fail(c, OT_ERR_PARSE, code,
	            "%s; or the mass of one item: the profile line "
	            "\"item_mass_g\":{\"%.80s\":GRAMS}",
	            why, c->m->missing);
}

/*
 * Appends the lots of an EPC list and a quantity list. With need_mass,
 * every lot must come with a mass: EPCs (instances) have none, and a
 * quantity must be in a unit of mass.
 */
static ot_status collect(mapctx *c, const char *epc_name, const char *qty_name, int need_mass,
                         lots *out)
{
	json_t *epcs = json_object_get(c->ev, epc_name);
	json_t *qtys = json_object_get(c->ev, qty_name);
	size_t more = json_array_size(epcs) + json_array_size(qtys);
	if (more == 0)
		return OT_OK;
	if (more > 10000)
		return fail(c, OT_ERR_PARSE, "epcis_bad_event", "%s has too many items", qty_name);
	lotq *v = realloc(out->v, (out->n + more) * sizeof *v);
	if (!v)
		return nomem(c);
	out->v = v;
	size_t i;
	json_t *it;
	json_array_foreach(epcs, i, it)
	{
		lotq *q = &out->v[out->n];
		ot_status rc = id_of(c, it, OTX_EPCIS_URN_LOT, epc_name, q->id);
		if (rc)
			return rc;
		q->grams = need_mass ? otx_epcis_profile_item_mass(c->prof, q->id) : -1;
		if (need_mass && q->grams < 0)
			return no_item_mass(
				c, q->id, "epcis_no_mass",
				"%s[%zu] %.80s is a serialised item with no mass: oretrail "
				"lots are bulk material, given in %s with a unit of mass "
				"(KGM, TNE, GRM, ...)",
				epc_name, i, q->id, qty_name);
		out->n++;
	}
	json_array_foreach(qtys, i, it)
	{
		lotq *q = &out->v[out->n];
		char what[80];
		snprintf(what, sizeof what, "%s[%zu].epcClass", qty_name, i);
		ot_status rc =
			id_of(c, json_object_get(it, "epcClass"), OTX_EPCIS_URN_LOT, what, q->id);
		if (rc)
			return rc;
		q->grams = -1;
		json_t *qv = json_object_get(it, "quantity");
		const char *uom = json_string_value(json_object_get(it, "uom"));
		if (need_mass) {
			if (!json_is_number(qv))
				return fail(c, OT_ERR_PARSE, "epcis_no_mass",
				            "%s[%zu] (%s) has no quantity", qty_name, i, q->id);
			if (!uom) {
				/* A count of items: each of the class's mass. */
				int64_t each = otx_epcis_profile_item_mass(c->prof, q->id);
				if (each < 0)
					return no_item_mass(
						c, q->id, "epcis_not_mass",
						"%s[%zu] (%s): a quantity without uom "
						"counts items; oretrail needs a mass (KGM, "
						"TNE, GRM, ...)",
						qty_name, i, q->id);
				rc = otx_epcis_grams(json_number_value(qv) * (double)each, "GRM",
				                     &q->grams);
			} else {
				rc = otx_epcis_grams(json_number_value(qv), uom, &q->grams);
			}
			if (rc == OT_ERR_PARSE)
				return fail(c, OT_ERR_PARSE, "epcis_not_mass",
				            "%s[%zu] (%s): %.8s is not a unit of mass", qty_name, i,
				            q->id, uom);
			if (rc)
				return fail(c, OT_ERR_PARSE, "epcis_no_mass",
				            "%s[%zu] (%s): the mass is not a positive number of "
				            "grams up "
				            "to 10^15",
				            qty_name, i, q->id);
		}
		out->n++;
	}
	return OT_OK;
}

/* ---- lot master data (ILMD) ---- */

/* An integer in 0..max from a JSON number or a decimal string (kept
 * originals hold reals as strings): 1 when v is one. */
static int small_int(json_t *v, int64_t max, int64_t *out)
{
	double d;
	if (json_is_number(v)) {
		d = json_number_value(v);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		d = strtod(s, &end);
		if (end == s || *end)
			return 0;
	} else {
		return 0;
	}
	if (!(d >= 0 && d <= (double)max) || d != (double)(int64_t)d)
		return 0;
	*out = (int64_t)d;
	return 1;
}

/* An assay from an extension: element -> mg/kg, integers (an integral
 * real is taken as the integer). A new object. */
static ot_status assay_of(mapctx *c, json_t *v, const char *lot, json_t **out)
{
	*out = NULL;
	if (!json_is_object(v))
		return fail(c, OT_ERR_PARSE, "epcis_bad_extension",
		            "oretrail:assay of %s must be an object of element symbols and mg/kg",
		            lot);
	json_t *a = json_object();
	if (!a)
		return nomem(c);
	const char *el;
	json_t *ppm;
	json_object_foreach(v, el, ppm)
	{
		int64_t d;
		if (!small_int(ppm, 1000000, &d)) {
			json_decref(a);
			return fail(c, OT_ERR_PARSE, "epcis_bad_extension",
			            "oretrail:assay of %s: %.8s must be an integer of mg/kg", lot,
			            el);
		}
		if (json_object_set_new(a, el, json_integer((json_int_t)d))) {
			json_decref(a);
			return nomem(c);
		}
	}
	*out = a;
	return OT_OK;
}

/* Material, assay and assay uncertainty of an output lot: from its entry in
 * oretrail:lots ([{"lot","material","assay","uncertainty_ppm"}]) in the
 * ILMD or on the event, else from oretrail:material, oretrail:assay and
 * oretrail:uncertainty_ppm there. Adds them to `item`. */
/* The moisture of `lot` as weighed in this event, from the event's
 * oretrail:moisture (an object: lot id -> mg of water per kg, written by
 * `epcis export` for lots weighed wet), into item's moisture_ppm; nothing
 * when the event has none for the lot. */
static ot_status set_moisture(mapctx *c, const char *lot, json_t *item)
{
	json_t *m = ext_get(c->doc, c->ev, "moisture");
	if (!m)
		return OT_OK;
	if (!json_is_object(m))
		return fail(c, OT_ERR_PARSE, "epcis_bad_extension",
		            "oretrail:moisture must be an object: lot id -> mg of water per kg");
	json_t *v = json_object_get(m, lot);
	if (!v)
		return OT_OK;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000)
		return fail(
			c, OT_ERR_PARSE, "epcis_bad_extension",
			"oretrail:moisture: lot %s: expected an integer 0..1000000 (mg of water "
			"per kg of the weighed mass)",
			lot);
	if (json_object_set(item, "moisture_ppm", v))
		return nomem(c);
	return OT_OK;
}

static ot_status lot_data(mapctx *c, const char *lot, json_t *item)
{
	json_t *scopes[2] = {c->ilmd, c->ev};
	json_t *material = NULL, *assay = NULL, *unc = NULL;
	for (size_t s = 0; s < 2 && !material; s++) {
		size_t i;
		json_t *e;
		json_array_foreach(ext_get(c->doc, scopes[s], "lots"), i, e)
		{
			char eid[OT_EVENT_ID_MAX + 1];
			json_t *lid = json_object_get(e, "lot");
			if (!lid || id_of(c, lid, OTX_EPCIS_URN_LOT, "oretrail:lots[].lot", eid))
				continue;
			if (strcmp(eid, lot) == 0) {
				material = json_object_get(e, "material");
				assay = json_object_get(e, "assay");
				unc = json_object_get(e, "uncertainty_ppm");
				break;
			}
		}
	}
	ot_error_clear(&c->m->error);
	for (size_t s = 0; s < 2 && !material; s++) {
		material = ext_get(c->doc, scopes[s], "material");
		assay = ext_get(c->doc, scopes[s], "assay");
		unc = ext_get(c->doc, scopes[s], "uncertainty_ppm");
	}
	json_t *entry = c->prof && !material ? otx_epcis_profile_material(c->prof, lot) : NULL;
	if (entry) {
		material = json_object_get(entry, "material");
		assay = json_object_get(entry, "assay");
		unc = json_object_get(entry, "uncertainty_ppm");
	}
	if (!json_is_string(material) || !assay)
		missing(c, lot);
	if (!json_is_string(material))
		return fail(c, OT_ERR_PARSE, "epcis_no_material",
		            "lot %s: no material (oretrail:material in the ILMD, or the profile "
		            "line \"materials\":{\"%s\":{\"material\":\"concentrate\","
		            "\"assay\":{\"Cu\":250000}}})",
		            lot, lot);
	if (!assay)
		return fail(c, OT_ERR_PARSE, "epcis_no_assay",
		            "lot %s: no assay (oretrail:assay in the ILMD, or \"assay\" in its "
		            "profile entry: element symbol -> mg/kg)",
		            lot);
	json_t *a;
	ot_status rc = assay_of(c, assay, lot, &a);
	if (rc)
		return rc;
	if (json_object_set_new(item, "material", json_copy(material)) ||
	    json_object_set_new(item, "assay", a))
		return nomem(c);
	if (unc) {
		int64_t d;
		if (!small_int(unc, 1000000, &d))
			return fail(c, OT_ERR_PARSE, "epcis_bad_extension",
			            "lot %s: oretrail:uncertainty_ppm must be an integer", lot);
		if (json_object_set_new(item, "uncertainty_ppm", json_integer((json_int_t)d)))
			return nomem(c);
	}
	return OT_OK;
}

/* ---- the attached original ---- */

/* When m is a number oretrail events cannot hold (a real, or an integer
 * beyond +-(2^53 - 1)), *out is a new string of its decimal form; else
 * NULL. */
static ot_status storable_number(json_t *m, json_t **out)
{
	*out = NULL;
	if (!json_is_real(m) && !(json_is_integer(m) && (json_integer_value(m) > OT_JSON_INT_MAX ||
	                                                 json_integer_value(m) < -OT_JSON_INT_MAX)))
		return OT_OK;
	char num[400];
	if (json_is_real(m)) {
		if (otx_epcis_format_real(json_real_value(m), num, sizeof num))
			return OT_ERR_RANGE;
	} else {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(m));
	}
	*out = json_string(num);
	return *out ? OT_OK : OT_ERR_NOMEM;
}

/* Rewrites numbers oretrail events cannot hold as decimal strings. */
static ot_status to_storable(json_t *v)
{
	json_t *m, *num;
	ot_status rc;
	if (json_is_object(v)) {
		const char *k;
		void *tmp;
		json_object_foreach_safe(v, tmp, k, m)
		{
			if ((rc = storable_number(m, &num)))
				return rc;
			if (num ? json_object_set_new(v, k, num) != 0 : to_storable(m) != OT_OK)
				return OT_ERR_NOMEM;
		}
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			m = json_array_get(v, i);
			if ((rc = storable_number(m, &num)))
				return rc;
			if (num ? json_array_set_new(v, i, num) != 0 : to_storable(m) != OT_OK)
				return OT_ERR_NOMEM;
		}
	}
	return OT_OK;
}

/* The document's own prefix (not the standard context's) for p, or NULL. */
static const char *inline_prefix(const ot_epcis_doc *doc, const char *p, size_t n)
{
	for (size_t i = doc->n_prefixes; i-- > 0;)
		if (strlen(doc->prefixes[i].prefix) == n &&
		    memcmp(doc->prefixes[i].prefix, p, n) == 0)
			return doc->prefixes[i].iri;
	return NULL;
}

static ot_status note_prefix(const ot_epcis_doc *doc, const char *s, json_t *ctx)
{
	const char *colon = strchr(s, ':');
	if (!colon || colon[1] == '/')
		return OT_OK;
	const char *iri = inline_prefix(doc, s, (size_t)(colon - s));
	if (!iri)
		return OT_OK;
	char p[128];
	size_t n = (size_t)(colon - s);
	if (n >= sizeof p)
		return OT_OK;
	memcpy(p, s, n);
	p[n] = 0;
	return json_object_set_new(ctx, p, json_string(iri)) ? OT_ERR_NOMEM : OT_OK;
}

/* The document prefixes that the event's member names and values use. */
static ot_status used_prefixes(const ot_epcis_doc *doc, json_t *v, json_t *ctx, int depth)
{
	if (depth > OTX_EPCIS_MAX_DEPTH)
		return OT_OK;
	if (json_is_string(v))
		return note_prefix(doc, json_string_value(v), ctx);
	if (json_is_array(v)) {
		size_t i;
		json_t *m;
		json_array_foreach(
			v, i, m) if (used_prefixes(doc, m, ctx, depth + 1)) return OT_ERR_NOMEM;
	} else if (json_is_object(v)) {
		const char *k;
		json_t *m;
		json_object_foreach(v, k, m)
		{
			if (note_prefix(doc, k, ctx) || used_prefixes(doc, m, ctx, depth + 1))
				return OT_ERR_NOMEM;
		}
	}
	return OT_OK;
}

/* {"hash","context"?,"event"}: the EPCIS event as oretrail keeps it. */
static ot_status attachment(mapctx *c, json_t **out)
{
	*out = NULL;
	json_t *ev = json_deep_copy(c->ev);
	json_t *ctx = json_object();
	json_t *att = json_object();
	if (!ev || !ctx || !att)
		goto oom;
	/* What export derives again: a hash-ID eventID and oretrail:hash. */
	const char *eid = json_string_value(json_object_get(ev, "eventID"));
	if (eid && strcmp(eid, c->m->hash_id) == 0)
		json_object_del(ev, "eventID");
	const char *k;
	json_t *m;
	void *tmp;
	json_object_foreach_safe(ev, tmp, k, m)
	{
		const char *colon = strchr(k, ':');
		const char *iri =
			colon ? otx_epcis_prefix_iri(c->doc, k, (size_t)(colon - k)) : NULL;
		if ((iri && strcmp(iri, OT_EPCIS_NS) == 0 && strcmp(colon + 1, "hash") == 0) ||
		    strcmp(k, OT_EPCIS_NS "hash") == 0)
			json_object_del(ev, k);
	}
	/* Members the document says are not part of the event. */
	size_t ii;
	json_t *ig;
	json_array_foreach(c->doc->ignore, ii, ig)
	{
		if (json_is_string(ig))
			json_object_del(ev, json_string_value(ig));
	}
	if (to_storable(ev) || used_prefixes(c->doc, ev, ctx, 0))
		goto oom;
	if (json_object_set_new(att, "hash", json_string(c->m->hash_id)))
		goto oom;
	if (json_object_size(ctx) && json_object_set(att, "context", ctx))
		goto oom;
	if (json_object_set(att, "event", ev))
		goto oom;
	json_decref(ev);
	json_decref(ctx);
	*out = att;
	return OT_OK;
oom:
	json_decref(ev);
	json_decref(ctx);
	json_decref(att);
	return nomem(c);
}

/* A new oretrail event {"type","id","time"} with the event's id and time. */
static json_t *base_event(mapctx *c, const char *type, const char *id)
{
	return json_pack("{s:s,s:s,s:s}", "type", type, "id", id, "time", c->time);
}

/* Adds the attachment to ev and appends ev to the mapping (steals ev). */
static ot_status emit(mapctx *c, json_t *ev, json_t *att)
{
	if (!ev)
		return nomem(c);
	if (att && json_object_set(ev, "epcis", att)) {
		json_decref(ev);
		return nomem(c);
	}
	if (json_array_append_new(c->m->events, ev))
		return nomem(c);
	return OT_OK;
}

static ot_status set_lot_ids(mapctx *c, json_t *obj, const char *key, const lots *l, int with_mass)
{
	json_t *arr = json_array();
	if (!arr || json_object_set_new(obj, key, arr))
		return nomem(c);
	for (size_t i = 0; i < l->n; i++) {
		json_t *it = with_mass ? json_pack("{s:s,s:I}", "lot", l->v[i].id, "mass_g",
		                                   (json_int_t)l->v[i].grams)
		                       : json_string(l->v[i].id);
		if (!it || json_array_append_new(arr, it))
			return nomem(c);
	}
	return OT_OK;
}

/* ---- the event types ---- */

/* The members of oretrail:recycled that a `recycle` event carries: scrap,
 * source and (when given) country, as strings. */
static ot_status recycled_fields(mapctx *c, json_t *recycled, json_t *ev)
{
	static const char *const keys[] = {"scrap", "source", "country"};
	if (!json_is_object(recycled))
		return fail(c, OT_ERR_PARSE, "epcis_bad_extension",
		            "oretrail:recycled must be {\"scrap\",\"source\",\"country\"}");
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		json_t *v = json_object_get(recycled, keys[k]);
		if (!v && k == 2)
			continue;
		if (!json_is_string(v))
			return fail(c, OT_ERR_PARSE, "epcis_bad_extension",
			            "oretrail:recycled.%s must be a string", keys[k]);
		if (json_object_set(ev, keys[k], v))
			return nomem(c);
	}
	return OT_OK;
}

static ot_status map_extract(mapctx *c, json_t *att)
{
	char site[OT_EVENT_ID_MAX + 1];
	lots l = {0};
	ot_status rc;
	if ((rc = site_of(c, NULL, site)) || (rc = collect(c, "epcList", "quantityList", 1, &l)))
		goto out;
	if (l.n == 0) {
		rc = fail(c, OT_ERR_PARSE, "epcis_no_lot",
		          "commissioning of no lot: give the new lots in quantityList");
		goto out;
	}
	for (size_t i = 0; i < l.n && !rc; i++) {
		char id[OT_EVENT_ID_MAX + 32];
		if (l.n > 1)
			snprintf(id, sizeof id, "%s#%zu", c->id, i + 1);
		else
			snprintf(id, sizeof id, "%s", c->id);
		if (strlen(id) > OT_EVENT_ID_MAX) {
			rc = fail(c, OT_ERR_PARSE, "epcis_bad_id", "event id %s is too long", id);
			break;
		}
		/* Recycled feed is commissioned too: oretrail:recycled in the ILMD
		 * (scrap class, source, country of collection) makes it a
		 * `recycle` at a recycler, not an extraction. */
		json_t *recycled = ext_get(c->doc, c->ilmd, "recycled");
		json_t *ev = base_event(c, recycled ? "recycle" : "extract", id);
		if (!ev || json_object_set_new(ev, "site", json_string(site)) ||
		    json_object_set_new(ev, "lot", json_string(l.v[i].id))) {
			json_decref(ev);
			rc = nomem(c);
			break;
		}
		if (recycled && (rc = recycled_fields(c, recycled, ev))) {
			json_decref(ev);
			break;
		}
		rc = lot_data(c, l.v[i].id, ev);
		if (!rc)
			rc = set_moisture(c, l.v[i].id, ev);
		if (!rc) {
			/* mass before the lot data in reading order does not matter: JCS sorts */
			if (json_object_set_new(ev, "mass_g",
			                        json_integer((json_int_t)l.v[i].grams)))
				rc = nomem(c);
		}
		json_t *part_att = NULL;
		if (!rc && l.n > 1) {
			part_att =
				i == 0 ? json_copy(att)
				       : json_pack("{s:O}", "hash", json_object_get(att, "hash"));
			if (!part_att ||
			    json_object_set_new(part_att, "part",
			                        json_integer((json_int_t)(i + 1))) ||
			    json_object_set_new(part_att, "parts", json_integer((json_int_t)l.n)))
				rc = nomem(c);
		}
		if (rc) {
			json_decref(ev);
			json_decref(part_att);
			break;
		}
		rc = emit(c, ev, part_att ? part_att : att);
		json_decref(part_att);
	}
out:
	lots_free(&l);
	return rc;
}

static ot_status map_transform(mapctx *c, json_t *att)
{
	char site[OT_EVENT_ID_MAX + 1];
	lots in = {0}, outl = {0};
	json_t *ev = NULL, *implied = NULL;
	ot_status rc;
	json_t *process = ext_get(c->doc, c->ev, "process");
	if (!process)
		process = ext_get(c->doc, c->ilmd, "process");
	if ((rc = site_of(c, NULL, site)))
		goto out;
	if ((rc = collect(c, "inputEPCList", "inputQuantityList", 1, &in)) ||
	    (rc = collect(c, "outputEPCList", "outputQuantityList", 1, &outl)))
		goto out;
	if (in.n == 0 || outl.n == 0) {
		rc = fail(c, OT_ERR_PARSE, "epcis_no_lot",
		          "a transformation needs input and output lots in inputQuantityList and "
		          "outputQuantityList");
		goto out;
	}
	char step[256];
	canon(c->doc, OTX_EPCIS_BIZSTEP, json_object_get(c->ev, "bizStep"), step, sizeof step);
	if (!process && c->prof)
		process = json_object_get(c->prof->processes, step);
	/* Unambiguous without a word from the partner: one lot into several
	 * with the same mass in all is a split, several into one a merge. */
	int64_t in_g = 0, out_g = 0;
	for (size_t i = 0; i < in.n && in_g <= OT_JSON_INT_MAX; i++)
		in_g += in.v[i].grams; /* each at most 10^15: no overflow before the cap */
	for (size_t i = 0; i < outl.n && out_g <= OT_JSON_INT_MAX; i++)
		out_g += outl.v[i].grams;
	if (!process && in_g == out_g && in.n == 1 && outl.n > 1)
		process = implied = json_string("split");
	else if (!process && in_g == out_g && in.n > 1 && outl.n == 1)
		process = implied = json_string("merge");
	if (!json_is_string(process)) {
		missing(c, step[0] ? step : "(no bizStep)");
		rc = fail(c, OT_ERR_PARSE, "epcis_no_process",
		          "no process (oretrail:process, or the profile line "
		          "\"processes\":{\"%s\":\"smelting\"}: beneficiation, cracking, "
		          "leaching, separation, smelting, refining, blending, split or merge)",
		          step[0] ? step : "(no bizStep)");
		goto out;
	}
	ev = base_event(c, "transform", c->id);
	if (!ev || json_object_set_new(ev, "site", json_string(site)) ||
	    json_object_set(ev, "process", process) || set_lot_ids(c, ev, "inputs", &in, 1)) {
		rc = nomem(c);
		goto out;
	}
	json_t *outputs = json_array();
	if (!outputs || json_object_set_new(ev, "outputs", outputs)) {
		rc = nomem(c);
		goto out;
	}
	for (size_t i = 0; i < outl.n && !rc; i++) {
		json_t *o = json_pack("{s:s,s:I}", "lot", outl.v[i].id, "mass_g",
		                      (json_int_t)outl.v[i].grams);
		if (!o || json_array_append_new(outputs, o)) {
			rc = nomem(c);
			break;
		}
		rc = lot_data(c, outl.v[i].id, o);
		if (!rc)
			rc = set_moisture(c, outl.v[i].id, o);
	}
	if (!rc) {
		rc = emit(c, ev, att);
		ev = NULL;
	}
out:
	json_decref(implied);
	json_decref(ev);
	lots_free(&in);
	lots_free(&outl);
	return rc;
}

static ot_status copy_ext(mapctx *c, json_t *ev, const char *name)
{
	json_t *v = ext_get(c->doc, c->ev, name);
	ot_error e;
	if (!v)
		return OT_OK;
	if (ot_json_check(v, name, &e) != OT_OK)
		return fail(c, OT_ERR_PARSE, "epcis_bad_extension", "oretrail:%s: %s", name,
		            e.message);
	if (json_object_set(ev, name, v))
		return nomem(c);
	return OT_OK;
}

/* The site where a receiving later in the document receives consignment
 * cons, into site: where a shipping that names no destination went. 1 when
 * found. */
static int received_later(mapctx *c, const char *cons, char *site)
{
	size_t n = ot_epcis_doc_count(c->doc);
	for (size_t j = c->m->event + 1; j < n; j++) {
		ot_epcis_mapping scratch;
		mapctx e;
		char got[OT_EVENT_ID_MAX + 1];
		if (object_event_at(c, j, "receiving", &e, &scratch) &&
		    consignment_of(&e, got) == OT_OK && strcmp(got, cons) == 0 &&
		    site_of(&e, party(&e, "destinationList", "destination", "location"), site) ==
		            OT_OK)
			return 1;
	}
	return 0;
}

static ot_status map_ship(mapctx *c, json_t *att, int aggregation)
{
	char cons[OT_EVENT_ID_MAX + 1], from[OT_EVENT_ID_MAX + 1], to[OT_EVENT_ID_MAX + 1],
		consignee[OT_EVENT_ID_MAX + 1];
	lots l = {0};
	json_t *ev = NULL;
	ot_status rc;
	if (aggregation) {
		json_t *parent = json_object_get(c->ev, "parentID");
		rc = parent ? id_of(c, parent, OTX_EPCIS_URN_CONSIGNMENT, "parentID", cons)
		            : fail(c, OT_ERR_PARSE, "epcis_no_consignment",
		                   "no parentID: the container is the consignment");
	} else {
		rc = consignment_of(c, cons);
	}
	if (rc)
		goto out;
	json_t *src = party(c, "sourceList", "source", "location");
	if (src)
		rc = id_of(c, src, OTX_EPCIS_URN_SITE, "sourceList location", from);
	else
		rc = site_of(c, NULL, from);
	if (rc)
		goto out;
	json_t *dst = party(c, "destinationList", "destination", "location");
	const char *def = c->prof ? renamed(c->prof->defaults, "destination") : NULL;
	int received = !dst && received_later(c, cons, to);
	if (!dst && !def && !received) {
		rc = fail(c, OT_ERR_PARSE, "epcis_no_destination",
		          "no destination site: a destinationList entry of type location, or "
		          "the profile line \"defaults\":{\"destination\":\"SITE\"}");
		goto out;
	}
	if (dst && (rc = id_of(c, dst, OTX_EPCIS_URN_SITE, "destinationList location", to)))
		goto out;
	if (!dst && !received)
		snprintf(to, sizeof to, "%s", def);
	json_t *who = party(c, "destinationList", "destination", "possessing_party");
	if (!who)
		who = party(c, "destinationList", "destination", "owning_party");
	def = c->prof ? renamed(c->prof->defaults, "consignee") : NULL;
	if (!who && !def) {
		rc = fail(c, OT_ERR_PARSE, "epcis_no_consignee",
		          "no consignee: a destinationList entry of type possessing_party or "
		          "owning_party, or the profile line "
		          "\"defaults\":{\"consignee\":\"ACTOR\"}");
		goto out;
	}
	if (who && (rc = actor_of(c, who, "consignee", consignee)))
		goto out;
	if (!who)
		snprintf(consignee, sizeof consignee, "%s", def);
	if ((rc = aggregation ? collect(c, "childEPCs", "childQuantityList", 0, &l)
	                      : collect(c, "epcList", "quantityList", 0, &l)))
		goto out;
	if (l.n == 0) {
		rc = fail(c, OT_ERR_PARSE, "epcis_no_lot", "shipping of no lot");
		goto out;
	}
	ev = base_event(c, "ship", c->id);
	if (!ev || json_object_set_new(ev, "consignment", json_string(cons)) ||
	    json_object_set_new(ev, "from", json_string(from)) ||
	    json_object_set_new(ev, "to", json_string(to)) ||
	    json_object_set_new(ev, "consignee", json_string(consignee)) ||
	    set_lot_ids(c, ev, "lots", &l, 0)) {
		rc = nomem(c);
		goto out;
	}
	if ((rc = copy_ext(c, ev, "hs")) || (rc = copy_ext(c, ev, "value")) ||
	    (rc = copy_ext(c, ev, "permit")))
		goto out;
	rc = emit(c, ev, att);
	ev = NULL;
out:
	json_decref(ev);
	lots_free(&l);
	return rc;
}

static ot_status map_receive(mapctx *c, json_t *att, int aggregation)
{
	char cons[OT_EVENT_ID_MAX + 1], site[OT_EVENT_ID_MAX + 1];
	lots l = {0};
	json_t *ev = NULL;
	ot_status rc;
	if (aggregation) {
		json_t *parent = json_object_get(c->ev, "parentID");
		rc = parent ? id_of(c, parent, OTX_EPCIS_URN_CONSIGNMENT, "parentID", cons)
		            : fail(c, OT_ERR_PARSE, "epcis_no_consignment",
		                   "no parentID: the container is the consignment");
	} else {
		rc = consignment_of(c, cons);
	}
	if (rc || (rc = site_of(c, party(c, "destinationList", "destination", "location"), site)))
		goto out;
	if ((rc = aggregation ? collect(c, "childEPCs", "childQuantityList", 1, &l)
	                      : collect(c, "epcList", "quantityList", 1, &l)))
		goto out;
	if (l.n == 0) {
		rc = fail(c, OT_ERR_PARSE, "epcis_no_lot", "receiving of no lot");
		goto out;
	}
	ev = base_event(c, "receive", c->id);
	if (!ev || json_object_set_new(ev, "consignment", json_string(cons)) ||
	    json_object_set_new(ev, "site", json_string(site)) ||
	    set_lot_ids(c, ev, "lots", &l, 1)) {
		rc = nomem(c);
		goto out;
	}
	for (size_t i = 0; i < l.n && !rc; i++)
		rc = set_moisture(c, l.v[i].id, json_array_get(json_object_get(ev, "lots"), i));
	if (rc)
		goto out;
	rc = emit(c, ev, att);
	ev = NULL;
out:
	json_decref(ev);
	lots_free(&l);
	return rc;
}

/* ---- inspections: element contents in sensor reports ---- */

/* mg/kg in one unit of a mass fraction (UN/CEFACT Rec. 20). */
static const struct {
	const char *uom;
	double mg_per_kg;
} FRACTIONS[] = {
	{"59", 1.0}, {"P1", 1e4}, {"NX", 1e3}, {"61", 1e-3}, {"MGK", 1.0}, {"GK", 1e3},
};

/* The element symbol a sensor report is about: oretrail:element, else the
 * end of its chemicalSubstance URI (after the last '/', ':' or '#') when
 * that is one or two letters, capital first. NULL when neither. */
static const char *report_element(mapctx *c, json_t *rep, char out[4])
{
	json_t *own = ext_get(c->doc, rep, "element");
	const char *s = json_string_value(own);
	if (!s) {
		s = json_string_value(json_object_get(rep, "chemicalSubstance"));
		const char *tail = s;
		for (const char *p = s; p && *p; p++)
			if (*p == '/' || *p == ':' || *p == '#')
				tail = p + 1;
		s = tail;
	}
	size_t n = s ? strlen(s) : 0;
	if (n < 1 || n > 2 || s[0] < 'A' || s[0] > 'Z' || (n == 2 && (s[1] < 'a' || s[1] > 'z')))
		return NULL;
	memcpy(out, s, n + 1);
	return out;
}

/* The element contents of the event's sensor reports, as an assay (a new
 * object, mg/kg); *out NULL when no report gives one. */
static ot_status element_reports(mapctx *c, json_t **out)
{
	*out = NULL;
	size_t i, j;
	json_t *el, *rep;
	json_array_foreach(json_object_get(c->ev, "sensorElementList"), i, el)
	{
		json_array_foreach(json_object_get(el, "sensorReport"), j, rep)
		{
			char sym[4];
			if (!report_element(c, rep, sym))
				continue;
			json_t *v = json_object_get(rep, "value");
			const char *uom = json_string_value(json_object_get(rep, "uom"));
			double f = -1;
			for (size_t k = 0; uom && k < sizeof FRACTIONS / sizeof FRACTIONS[0]; k++)
				if (strcmp(uom, FRACTIONS[k].uom) == 0)
					f = FRACTIONS[k].mg_per_kg;
			double ppm = json_is_number(v) ? json_number_value(v) * f : -1;
			if (f < 0 || !(ppm >= 0 && ppm <= 1e6)) {
				json_decref(*out);
				*out = NULL;
				return fail(c, OT_ERR_PARSE, "epcis_bad_assay",
				            "sensorElementList[%zu].sensorReport[%zu] (%s): the "
				            "content "
				            "must be a number in 59 (mg/kg), P1 (%%), NX (per "
				            "mille) or "
				            "61 (ppb), at most 100 %%",
				            i, j, sym);
			}
			if (!*out && !(*out = json_object()))
				return nomem(c);
			if (json_object_get(*out, sym)) {
				json_decref(*out);
				*out = NULL;
				return fail(c, OT_ERR_PARSE, "epcis_bad_assay",
				            "element %s is reported twice", sym);
			}
			if (json_object_set_new(*out, sym, json_integer((json_int_t)(ppm + 0.5))))
				return nomem(c);
		}
	}
	return OT_OK;
}

/* The lab, uncertainty and method of an assay: the site of the
 * bizLocation (where the inspection took place), oretrail:uncertainty_ppm
 * and oretrail:method. */
static ot_status assay_details(mapctx *c, json_t *ev)
{
	json_t *loc = json_object_get(json_object_get(c->ev, "bizLocation"), "id");
	json_t *unc = ext_get(c->doc, c->ev, "uncertainty_ppm");
	json_t *method = ext_get(c->doc, c->ev, "method");
	char lab[OT_EVENT_ID_MAX + 1];
	int64_t ppm = 0;
	ot_status rc;
	if (loc && ((rc = id_of(c, loc, OTX_EPCIS_URN_SITE, "bizLocation", lab)) ||
	            json_object_set_new(ev, "lab", json_string(lab))))
		return rc ? rc : nomem(c);
	if (unc && !small_int(unc, 1000000, &ppm))
		return fail(c, OT_ERR_PARSE, "epcis_bad_extension",
		            "oretrail:uncertainty_ppm must be an integer");
	if (unc && json_object_set_new(ev, "uncertainty_ppm", json_integer((json_int_t)ppm)))
		return nomem(c);
	if (method && !json_is_string(method))
		return fail(c, OT_ERR_PARSE, "epcis_bad_extension",
		            "oretrail:method must be a string");
	if (method && json_object_set(ev, "method", method))
		return nomem(c);
	return OT_OK;
}

/* An inspection with element contents: an assay of its one lot. */
static ot_status map_assay(mapctx *c, json_t *att, json_t *assay)
{
	lots l = {0};
	json_t *ev = NULL;
	ot_status rc = collect(c, "epcList", "quantityList", 0, &l);
	if (!rc && l.n != 1)
		rc = fail(c, OT_ERR_PARSE, "epcis_no_lot",
		          "an inspection with element contents is an assay of one lot: give "
		          "exactly one in epcList or quantityList (it has %zu)",
		          l.n);
	if (!rc) {
		ev = base_event(c, "assay", c->id);
		if (!ev || json_object_set_new(ev, "lot", json_string(l.v[0].id)) ||
		    json_object_set(ev, "assay", assay))
			rc = nomem(c);
	}
	if (!rc)
		rc = assay_details(c, ev);
	if (!rc) {
		rc = emit(c, ev, att);
		ev = NULL;
	}
	json_decref(ev);
	lots_free(&l);
	return rc;
}

static ot_status unsupported(mapctx *c, const char *action, const char *step)
{
	return fail(c, OT_ERR_PARSE, "epcis_unsupported",
	            "%s %s %s is not a material flow oretrail records (it imports commissioning, "
	            "shipping, receiving, transformations, and aggregations for shipping and "
	            "receiving)",
	            c->m->type, action && *action ? action : "(no action)",
	            step && *step ? step : "(no bizStep)");
}

/* The oretrail id: oretrail:id, else the bare id of a urn:oretrail:event:
 * eventID, else an eventID that is not a hash ID, else the hash ID. */
static ot_status choose_id(mapctx *c)
{
	json_t *own = ext_get(c->doc, c->ev, "id");
	json_t *eid = json_object_get(c->ev, "eventID");
	const char *s = json_string_value(eid);
	if (own)
		return id_of(c, own, OTX_EPCIS_URN_EVENT, "oretrail:id", c->id);
	if (s && !ot_epcis_is_hash_id(s)) {
		size_t n = strlen(OTX_EPCIS_URN_EVENT);
		const char *bare = strncmp(s, OTX_EPCIS_URN_EVENT, n) == 0 ? s + n : s;
		if (printable_id(bare, strlen(bare), OT_EVENT_ID_MAX)) {
			snprintf(c->id, sizeof c->id, "%s", bare);
			return OT_OK;
		}
	}
	snprintf(c->id, sizeof c->id, "%s", c->m->hash_id);
	return OT_OK;
}

int ot_epcis_mapping_unsupported(const ot_epcis_mapping *m)
{
	return m->error.status != OT_OK && (strcmp(m->error.code, "epcis_unsupported") == 0 ||
	                                    strcmp(m->error.code, "epcis_error_declaration") == 0);
}

ot_status ot_epcis_map_event(const ot_epcis_doc *doc, size_t i, ot_epcis_mapping *m)
{
	return ot_epcis_map_event_with(doc, i, NULL, m);
}

ot_status ot_epcis_map_event_with(const ot_epcis_doc *doc, size_t i, const ot_epcis_profile *p,
                                  ot_epcis_mapping *m)
{
	ot_epcis_mapping_clear(m);
	m->event = i;
	snprintf(m->type, sizeof m->type, "?");
	mapctx c = {.doc = doc, .m = m, .prof = p};
	m->events = json_array();
	if (!m->events)
		return nomem(&c);
	json_t *ev = ot_epcis_doc_event(doc, i);
	c.ev = ev;
	if (!json_is_object(ev))
		return fail(&c, OT_ERR_PARSE, "epcis_bad_event", "not a JSON object");
	const char *type = json_string_value(json_object_get(ev, "type"));
	if (type)
		snprintf(m->type, sizeof m->type, "%s", type);
	ot_error herr;
	if (ot_epcis_hash_id(doc, ev, m->hash_id, &herr)) {
		m->hash_id[0] = 0;
		m->error = herr;
		m->error.index = (int64_t)i;
		return m->error.status;
	}
	if (json_object_get(ev, "errorDeclaration"))
		return fail(&c, OT_ERR_PARSE, "epcis_error_declaration",
		            "an error declaration (a correction of an earlier event): oretrail's "
		            "log is "
		            "append-only and corrections are new events, so it is not imported");
	c.ilmd = json_object_get(ev, "ilmd");
	if (c.ilmd && !json_is_object(c.ilmd))
		c.ilmd = NULL;

	char step[256], action[32];
	canon(doc, OTX_EPCIS_BIZSTEP, json_object_get(ev, "bizStep"), step, sizeof step);
	snprintf(action, sizeof action, "%s",
	         json_is_string(json_object_get(ev, "action"))
	                 ? json_string_value(json_object_get(ev, "action"))
	                 : "");
	const char *step_name = step;
	if (strncmp(step, CBV "BizStep-", strlen(CBV "BizStep-")) == 0)
		step_name = step + strlen(CBV "BizStep-");

	enum {
		NONE,
		EXTRACT,
		TRANSFORM,
		SHIP,
		RECEIVE,
		AGG_SHIP,
		AGG_RECEIVE,
		ASSAY
	} kind = NONE;
	json_t *assay = NULL; /* the element contents of an inspection */
	if (type && strcmp(type, "ObjectEvent") == 0) {
		if (is_step(&c, "commissioning") && strcmp(action, "ADD") == 0)
			kind = EXTRACT;
		else if (is_step(&c, "shipping") && strcmp(action, "DELETE") != 0)
			kind = SHIP;
		else if (is_step(&c, "receiving") && strcmp(action, "DELETE") != 0)
			kind = RECEIVE;
		else if (is_step(&c, "inspecting") && strcmp(action, "OBSERVE") == 0) {
			ot_status arc = element_reports(&c, &assay);
			if (arc)
				return arc;
			if (assay)
				kind = ASSAY;
		}
	} else if (type && strcmp(type, "TransformationEvent") == 0) {
		kind = TRANSFORM;
	} else if (type && strcmp(type, "AggregationEvent") == 0) {
		if (strcmp(action, "ADD") == 0 &&
		    (is_step(&c, "shipping") || is_step(&c, "loading")))
			kind = AGG_SHIP;
		else if (strcmp(action, "DELETE") == 0 &&
		         (is_step(&c, "receiving") || is_step(&c, "unloading")))
			kind = AGG_RECEIVE;
	}
	if (kind == NONE)
		return unsupported(&c, action, step_name);

	/* Time: oretrail keeps whole seconds in UTC; the original keeps the rest. */
	json_t *t = json_object_get(ev, "eventTime");
	char canon_time[OTX_EPCIS_TIME_LEN + 1];
	int64_t ms;
	ot_status rc = OT_OK;
	if (!json_is_string(t) ||
	    otx_epcis_time(json_string_value(t), json_string_length(t), canon_time, &ms) ||
	    ot_time_format(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000), c.time))
		rc = fail(&c, OT_ERR_PARSE, "epcis_bad_time",
		          "eventTime must be an xsd:dateTimeStamp between the years 0 and 9999");
	if (!rc)
		rc = choose_id(&c);
	json_t *att = NULL;
	if (!rc)
		rc = attachment(&c, &att);
	if (!rc) {
		switch (kind) {
		case EXTRACT: rc = map_extract(&c, att); break;
		case TRANSFORM: rc = map_transform(&c, att); break;
		case SHIP: rc = map_ship(&c, att, 0); break;
		case AGG_SHIP: rc = map_ship(&c, att, 1); break;
		case RECEIVE: rc = map_receive(&c, att, 0); break;
		case AGG_RECEIVE: rc = map_receive(&c, att, 1); break;
		case ASSAY: rc = map_assay(&c, att, assay); break;
		case NONE: break;
		}
	}
	json_decref(assay);
	json_decref(att);
	if (!rc) {
		/* A hash ID the event carries must be its own. */
		const char *eid = json_string_value(json_object_get(ev, "eventID"));
		json_t *own = ext_get(doc, ev, "hash");
		if (eid && ot_epcis_is_hash_id(eid) && strcmp(eid, m->hash_id) != 0 &&
		    !(p && p->keep_hash_ids))
			rc = fail(&c, OT_ERR_VERIFY, "epcis_hash_mismatch",
			          "eventID %s is not the event's hash ID %s (the profile line "
			          "\"hash_ids\":\"keep\" keeps it as the partner's id)",
			          eid, m->hash_id);
		else if (own &&
		         (!json_is_string(own) || strcmp(json_string_value(own), m->hash_id) != 0))
			rc = fail(&c, OT_ERR_VERIFY, "epcis_hash_mismatch",
			          "oretrail:hash %.100s is not the event's hash ID %s",
			          json_is_string(own) ? json_string_value(own) : "(not a string)",
			          m->hash_id);
	}
	if (rc)
		json_array_clear(m->events);
	return rc;
}

/* ---- export --------------------------------------------------------------- */

/* Fields of EPCIS that the schema wants as numbers, which import kept as
 * decimal strings: quantities and sensor values. */
static const char *const SENSOR_NUMBERS[] = {"value", "minValue", "maxValue",  "meanValue",
                                             "sDev",  "percRank", "percValue", NULL};
static const char *const QUANTITY_LISTS[] = {"quantityList", "childQuantityList",
                                             "inputQuantityList", "outputQuantityList", NULL};

static void restore_number(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		return;
	const char *s = json_string_value(v);
	char *end;
	double d = strtod(s, &end);
	if (end == s || *end || !isfinite(d))
		return;
	/* Import wrote reals, and integers beyond oretrail's range, as
	 * strings; only the latter are all digits and that large. */
	int digits = 1;
	for (const char *p = s + (*s == '-'); *p; p++)
		digits &= *p >= '0' && *p <= '9';
	if (digits && (d > (double)OT_JSON_INT_MAX || d < -(double)OT_JSON_INT_MAX)) {
		char *iend;
		long long ll = strtoll(s, &iend, 10);
		if (!*iend) {
			json_object_set_new(obj, key, json_integer((json_int_t)ll));
			return;
		}
	}
	json_object_set_new(obj, key, json_real(d));
}

/* The EPCIS event an attachment holds, with its numbers back (new). */
static json_t *restored(json_t *stored)
{
	json_t *ev = json_deep_copy(stored);
	if (!ev)
		return NULL;
	for (size_t l = 0; QUANTITY_LISTS[l]; l++) {
		size_t i;
		json_t *q;
		json_array_foreach(json_object_get(ev, QUANTITY_LISTS[l]), i, q)
			restore_number(q, "quantity");
	}
	size_t i, j;
	json_t *el, *rep;
	json_array_foreach(json_object_get(ev, "sensorElementList"), i, el)
	{
		json_array_foreach(json_object_get(el, "sensorReport"), j, rep)
		{
			for (size_t k = 0; SENSOR_NUMBERS[k]; k++)
				restore_number(rep, SENSOR_NUMBERS[k]);
		}
	}
	return ev;
}

/* A one-event document in a context, for hashing or mapping an event
 * again. Takes a reference to neither argument. */
static ot_status doc_of(json_t *context, json_t *event, ot_epcis_doc *doc, ot_error *err)
{
	json_t *root = json_pack("{s:[s,O],s:[s],s:{s:[O]}}", "@context", OTX_EPCIS_CONTEXT_URL,
	                         context, OTX_EPCIS_NS_PREFIX ":ignoreFields",
	                         OTX_EPCIS_NS_PREFIX ":hash", "epcisBody", "eventList", event);
	if (!root)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	return otx_epcis_doc_from_json(root, doc, err);
}

ot_status otx_epcis_writer_init(ot_epcis_writer *w, const char *creation, ot_error *err)
{
	memset(w, 0, sizeof *w);
	w->doc = json_pack("{s:[s,{s:s}],s:s,s:s,s:s,s:[s],s:{s:[]}}", "@context",
	                   OTX_EPCIS_CONTEXT_URL, OTX_EPCIS_NS_PREFIX, OT_EPCIS_NS, "type",
	                   "EPCISDocument", "schemaVersion", "2.0", "creationDate", creation,
	                   OTX_EPCIS_NS_PREFIX ":ignoreFields", OTX_EPCIS_NS_PREFIX ":hash",
	                   "epcisBody", "eventList");
	if (!w->doc)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	w->list = json_object_get(json_object_get(w->doc, "epcisBody"), "eventList");
	w->context = json_array_get(json_object_get(w->doc, "@context"), 1);
	w->glns = json_pack("{s:{},s:{}}", "sites", "actors");
	w->shipped = json_object();
	w->names = otx_epcis_profile_empty();
	if (!w->glns || !w->shipped || !w->names) {
		otx_epcis_writer_clear(w);
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	}
	return OT_OK;
}

ot_status ot_epcis_writer_new(const char *creation, ot_epcis_writer **out, ot_error *err)
{
	*out = NULL;
	ot_epcis_writer *w = malloc(sizeof *w);
	if (!w)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	ot_status rc = otx_epcis_writer_init(w, creation, err);
	if (rc) {
		free(w);
		return rc;
	}
	*out = w;
	return OT_OK;
}

void ot_epcis_writer_free(ot_epcis_writer *w)
{
	otx_epcis_writer_clear(w);
	free(w);
}

void ot_epcis_writer_counts(const ot_epcis_writer *w, ot_epcis_counts *out)
{
	out->written = w->written;
	out->as_original = w->as_original;
	out->constructed = w->constructed;
	out->skipped = w->skipped;
}

ot_status ot_epcis_writer_gln(ot_epcis_writer *w, int party, const char *id, const char *gln,
                              ot_error *err)
{
	ot_status rc = ot_epcis_profile_add_gln(w->names, party, gln, id, err);
	if (rc)
		return rc;
	if (json_object_set_new(json_object_get(w->glns, party ? "actors" : "sites"), id,
	                        json_string(gln)))
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	return OT_OK;
}

ot_status ot_epcis_writer_shipped(ot_epcis_writer *w, const char *consignment, const char *lot,
                                  int64_t grams, ot_error *err)
{
	json_t *carried = json_object_get(w->shipped, consignment);
	if (!carried && json_object_set_new(w->shipped, consignment, carried = json_object()))
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	if (json_object_set_new(carried, lot, json_integer((json_int_t)grams)))
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	return OT_OK;
}

void otx_epcis_writer_clear(ot_epcis_writer *w)
{
	if (!w)
		return;
	json_decref(w->doc);
	json_decref(w->pending);
	json_decref(w->glns);
	json_decref(w->shipped);
	ot_epcis_profile_free(w->names);
	memset(w, 0, sizeof *w);
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A copy of v with the members of every object in name order (new). */
static json_t *sorted_copy(json_t *v)
{
	if (json_is_array(v)) {
		json_t *a = json_array();
		for (size_t i = 0; a && i < json_array_size(v); i++)
			if (json_array_append_new(a, sorted_copy(json_array_get(v, i)))) {
				json_decref(a);
				return NULL;
			}
		return a;
	}
	if (!json_is_object(v))
		return json_incref(v);
	size_t n = json_object_size(v), i = 0;
	const char **keys = malloc((n ? n : 1) * sizeof *keys);
	json_t *o = json_object();
	const char *k;
	json_t *m;
	if (!keys || !o)
		goto fail;
	json_object_foreach(v, k, m) keys[i++] = k;
	qsort(keys, n, sizeof *keys, key_cmp);
	for (i = 0; i < n; i++)
		if (json_object_set_new(o, keys[i], sorted_copy(json_object_get(v, keys[i]))))
			goto fail;
	free(keys);
	return o;
fail:
	free(keys);
	json_decref(o);
	return NULL;
}

static const char *const MEMBER_ORDER[] = {"eventTime",
                                           "eventTimeZoneOffset",
                                           "recordTime",
                                           "certificationInfo",
                                           "epcList",
                                           "parentID",
                                           "childEPCs",
                                           "inputEPCList",
                                           "quantityList",
                                           "childQuantityList",
                                           "inputQuantityList",
                                           "outputEPCList",
                                           "outputQuantityList",
                                           "action",
                                           "transformationID",
                                           "bizStep",
                                           "disposition",
                                           "persistentDisposition",
                                           "readPoint",
                                           "bizLocation",
                                           "bizTransactionList",
                                           "sourceList",
                                           "destinationList",
                                           "sensorElementList",
                                           "ilmd",
                                           NULL};

/* Appends an EPCIS event with its hash ID as oretrail:hash, and as eventID
 * when it has none. `context` is the prefixes it uses. */
static ot_status append(ot_epcis_writer *w, json_t *context, json_t *event, ot_error *err)
{
	ot_epcis_doc doc;
	otx_epcis_doc_init(&doc);
	char id[OT_EPCIS_HASH_ID_LEN + 1];
	ot_status rc = doc_of(context, event, &doc, err);
	if (!rc)
		rc = ot_epcis_hash_id(&doc, ot_epcis_doc_event(&doc, 0), id, err);
	otx_epcis_doc_clear(&doc);
	if (rc)
		return rc;
	/* Members in the order of the standard's tables, extensions last, so
	 * that documents read as people write them and exports compare as text
	 * (a stored original comes back with its members sorted). */
	json_t *out = json_object();
	if (!out || json_object_set(out, "type", json_object_get(event, "type")))
		goto oom;
	json_t *eid = json_object_get(event, "eventID");
	if (json_object_set_new(out, "eventID", eid ? json_incref(eid) : json_string(id)))
		goto oom;
	const char *k;
	json_t *v;
	for (size_t i = 0; MEMBER_ORDER[i]; i++) {
		v = json_object_get(event, MEMBER_ORDER[i]);
		if (v && json_object_set_new(out, MEMBER_ORDER[i], sorted_copy(v)))
			goto oom;
	}
	{
		/* Then the extensions, in name order. */
		json_t *sorted = sorted_copy(event);
		if (!sorted)
			goto oom;
		json_object_foreach(sorted, k, v)
		{
			if (!json_object_get(out, k) && json_object_set(out, k, v)) {
				json_decref(sorted);
				goto oom;
			}
		}
		json_decref(sorted);
	}
	if (json_object_set_new(out, OTX_EPCIS_NS_PREFIX ":hash", json_string(id)) ||
	    json_array_append_new(w->list, out))
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	json_object_foreach(context, k, v)
	{
		if (json_object_set(w->context, k, v))
			return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	}
	w->written++;
	return OT_OK;
oom:
	json_decref(out);
	return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
}

/* A URI for an oretrail id: the id when it is one, else urn + id. */
static json_t *uri_of(json_t *id, const char *urn)
{
	const char *s = json_string_value(id);
	if (!s)
		return NULL;
	if (strchr(s, ':'))
		return json_string(s);
	char buf[OT_EVENT_ID_MAX + 64];
	snprintf(buf, sizeof buf, "%s%s", urn, s);
	return json_string(buf);
}

static int set_new(json_t *obj, const char *key, json_t *v)
{
	return !v || json_object_set_new(obj, key, v);
}

/* The URI of a site (party 0) or an actor (party 1): the Digital Link of
 * its GLN when it has one, else urn:oretrail:site: / actor: + id. */
static json_t *place_uri(const ot_epcis_writer *w, json_t *id, int party)
{
	const char *gln = json_string_value(json_object_get(
		json_object_get(w->glns, party ? "actors" : "sites"), json_string_value(id)));
	if (!gln)
		return uri_of(id, party ? OTX_EPCIS_URN_ACTOR : OTX_EPCIS_URN_SITE);
	char buf[64];
	snprintf(buf, sizeof buf, "%s%s", party ? OTX_EPCIS_DL_PGLN : OTX_EPCIS_DL_SGLN, gln);
	return json_string(buf);
}

static json_t *location(const ot_epcis_writer *w, json_t *site)
{
	json_t *uri = place_uri(w, site, 0);
	return uri ? json_pack("{s:o}", "id", uri) : NULL;
}

/* A quantity element {"epcClass","quantity"?,"uom"?} for a lot id and
 * grams (grams < 0: none). */
static json_t *quantity(json_t *lot, json_t *grams)
{
	json_t *uri = uri_of(lot, OTX_EPCIS_URN_LOT);
	if (!uri)
		return NULL;
	if (!grams)
		return json_pack("{s:o}", "epcClass", uri);
	if (!json_is_integer(grams)) {
		json_decref(uri);
		return NULL;
	}
	return json_pack("{s:o,s:O,s:s}", "epcClass", uri, "quantity", grams, "uom", "GRM");
}

static json_t *quantities(json_t *items, int with_mass)
{
	json_t *arr = json_array();
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		json_t *q = with_mass ? quantity(json_object_get(it, "lot"),
		                                 json_object_get(it, "mass_g"))
		                      : quantity(it, NULL);
		if (!q || json_array_append_new(arr, q)) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* The lots of a ship event with the grams each carried (none where the
 * writer was not told). */
static json_t *shipped_quantities(const ot_epcis_writer *w, json_t *event)
{
	json_t *carried = json_object_get(w->shipped,
	                                  json_string_value(json_object_get(event, "consignment")));
	json_t *arr = json_array();
	size_t i;
	json_t *lot;
	json_array_foreach(json_object_get(event, "lots"), i, lot)
	{
		json_t *q = quantity(lot, json_object_get(carried, json_string_value(lot)));
		if (!q || json_array_append_new(arr, q)) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* Sensor reports of an assay's element contents: mass fractions in mg/kg
 * (UN/CEFACT 59), each element named by its PubChem page. */
static json_t *element_sensors(json_t *assay)
{
	json_t *reports = json_array();
	const char *el;
	json_t *ppm;
	json_object_foreach(assay, el, ppm)
	{
		char uri[96];
		snprintf(uri, sizeof uri, "https://pubchem.ncbi.nlm.nih.gov/element/%s", el);
		json_t *r = json_pack("{s:s,s:s,s:O,s:s}", "type", "Dimensionless",
		                      "chemicalSubstance", uri, "value", ppm, "uom", "59");
		if (!r || json_array_append_new(reports, r)) {
			json_decref(reports);
			return NULL;
		}
	}
	return reports ? json_pack("[{s:o}]", "sensorReport", reports) : NULL;
}

/* The ILMD of new lots: oretrail:lots [{"lot","material","assay",...}]. */
static json_t *lots_ilmd(json_t *items)
{
	json_t *arr = json_array();
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		json_t *e = json_pack("{s:o,s:O,s:O}", "lot",
		                      uri_of(json_object_get(it, "lot"), OTX_EPCIS_URN_LOT),
		                      "material", json_object_get(it, "material"), "assay",
		                      json_object_get(it, "assay"));
		json_t *unc = json_object_get(it, "uncertainty_ppm");
		if (!e || (unc && json_object_set(e, "uncertainty_ppm", unc)) ||
		    json_array_append_new(arr, e)) {
			json_decref(arr);
			return NULL;
		}
	}
	return json_pack("{s:o}", OTX_EPCIS_NS_PREFIX ":lots", arr);
}

/* oretrail:moisture for the lots of `items` weighed wet: {lot id:
 * moisture_ppm}, so that an import knows their masses are wet (what
 * set_moisture reads). 0 when none was, -1 when out of memory. */
static int set_moisture_ext(json_t *e, json_t *items)
{
	json_t *m = NULL;
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		json_t *v = json_object_get(it, "moisture_ppm");
		const char *lot = json_string_value(json_object_get(it, "lot"));
		if (!v || !lot)
			continue;
		if ((!m && !(m = json_object())) || json_object_set(m, lot, v)) {
			json_decref(m);
			return -1;
		}
	}
	return m ? set_new(e, OTX_EPCIS_NS_PREFIX ":moisture", m) : 0;
}

/* The EPCIS form of an oretrail material-flow event, from its own fields.
 * NULL when a field it needs is missing or committed. */
static json_t *construct(const ot_epcis_writer *w, json_t *event)
{
	const char *type = json_string_value(json_object_get(event, "type"));
	json_t *id = json_object_get(event, "id");
	json_t *e = json_pack(
		"{s:s,s:O,s:s}", "type",
		strcmp(type, "transform") == 0 ? "TransformationEvent" : "ObjectEvent", "eventTime",
		json_object_get(event, "time"), "eventTimeZoneOffset", "+00:00");
	if (!e || !json_is_string(id))
		goto bad;
	/* The oretrail id as eventID, unless it looks like a hash ID (which
	 * would then have to be this event's own): then as oretrail:id. */
	if (ot_epcis_is_hash_id(json_string_value(id))) {
		if (json_object_set(e, OTX_EPCIS_NS_PREFIX ":id", id))
			goto bad;
	} else if (set_new(e, "eventID", uri_of(id, OTX_EPCIS_URN_EVENT))) {
		goto bad;
	}
	json_t *site = json_object_get(event, "site");
	if (strcmp(type, "extract") == 0 || strcmp(type, "recycle") == 0) {
		json_t *one = json_pack("[{s:O,s:O,s:O*}]", "lot", json_object_get(event, "lot"),
		                        "mass_g", json_object_get(event, "mass_g"), "moisture_ppm",
		                        json_object_get(event, "moisture_ppm"));
		json_t *ilmd =
			json_pack("{s:O,s:O}", OTX_EPCIS_NS_PREFIX ":material",
		                  json_object_get(event, "material"), OTX_EPCIS_NS_PREFIX ":assay",
		                  json_object_get(event, "assay"));
		json_t *unc = json_object_get(event, "uncertainty_ppm");
		/* Recycled feed: its scrap class, source and country of collection. */
		json_t *recycled = strcmp(type, "recycle") == 0
		                           ? json_pack("{s:O,s:O,s:O*}", "scrap",
		                                       json_object_get(event, "scrap"), "source",
		                                       json_object_get(event, "source"), "country",
		                                       json_object_get(event, "country"))
		                           : NULL;
		int bad = !one || !ilmd ||
		          (unc &&
		           json_object_set(ilmd, OTX_EPCIS_NS_PREFIX ":uncertainty_ppm", unc)) ||
		          (strcmp(type, "recycle") == 0 &&
		           (!recycled ||
		            json_object_set(ilmd, OTX_EPCIS_NS_PREFIX ":recycled", recycled))) ||
		          set_new(e, "quantityList", quantities(one, 1)) ||
		          set_moisture_ext(e, one) ||
		          json_object_set_new(e, "action", json_string("ADD")) ||
		          json_object_set_new(e, "bizStep", json_string("commissioning")) ||
		          json_object_set_new(e, "disposition", json_string("active")) ||
		          set_new(e, "readPoint", location(w, site)) ||
		          set_new(e, "bizLocation", location(w, site)) ||
		          json_object_set(e, "ilmd", ilmd);
		json_decref(one);
		json_decref(ilmd);
		json_decref(recycled);
		if (bad)
			goto bad;
	} else if (strcmp(type, "transform") == 0) {
		if (set_new(e, "inputQuantityList",
		            quantities(json_object_get(event, "inputs"), 1)) ||
		    set_new(e, "outputQuantityList",
		            quantities(json_object_get(event, "outputs"), 1)) ||
		    set_moisture_ext(e, json_object_get(event, "outputs")) ||
		    set_new(e, "readPoint", location(w, site)) ||
		    set_new(e, "bizLocation", location(w, site)) ||
		    set_new(e, "ilmd", lots_ilmd(json_object_get(event, "outputs"))) ||
		    !json_is_string(json_object_get(event, "process")) ||
		    json_object_set(e, OTX_EPCIS_NS_PREFIX ":process",
		                    json_object_get(event, "process")))
			goto bad;
	} else if (strcmp(type, "ship") == 0) {
		json_t *src = json_pack("[{s:s,s:o}]", "type", "location", "source",
		                        place_uri(w, json_object_get(event, "from"), 0));
		json_t *dst = json_pack("[{s:s,s:o},{s:s,s:o}]", "type", "location", "destination",
		                        place_uri(w, json_object_get(event, "to"), 0), "type",
		                        "possessing_party", "destination",
		                        place_uri(w, json_object_get(event, "consignee"), 1));
		if (set_new(e, "quantityList", shipped_quantities(w, event)) ||
		    json_object_set_new(e, "action", json_string("OBSERVE")) ||
		    json_object_set_new(e, "bizStep", json_string("shipping")) ||
		    json_object_set_new(e, "disposition", json_string("in_transit")) ||
		    set_new(e, "readPoint", location(w, json_object_get(event, "from"))) ||
		    set_new(e, "bizTransactionList",
		            json_pack("[{s:s,s:o}]", "type", "desadv", "bizTransaction",
		                      uri_of(json_object_get(event, "consignment"),
		                             OTX_EPCIS_URN_CONSIGNMENT))) ||
		    set_new(e, "sourceList", src) || set_new(e, "destinationList", dst))
			goto bad;
		static const char *const EXTRA[] = {"hs", "value", "permit", NULL};
		for (size_t i = 0; EXTRA[i]; i++) {
			json_t *v = json_object_get(event, EXTRA[i]);
			char key[64];
			snprintf(key, sizeof key, OTX_EPCIS_NS_PREFIX ":%s", EXTRA[i]);
			if (v && json_object_set(e, key, v))
				goto bad;
		}
	} else if (strcmp(type, "receive") == 0) {
		if (set_new(e, "quantityList", quantities(json_object_get(event, "lots"), 1)) ||
		    set_moisture_ext(e, json_object_get(event, "lots")) ||
		    json_object_set_new(e, "action", json_string("OBSERVE")) ||
		    json_object_set_new(e, "bizStep", json_string("receiving")) ||
		    json_object_set_new(e, "disposition", json_string("in_progress")) ||
		    set_new(e, "readPoint", location(w, site)) ||
		    set_new(e, "bizLocation", location(w, site)) ||
		    set_new(e, "bizTransactionList",
		            json_pack("[{s:s,s:o}]", "type", "desadv", "bizTransaction",
		                      uri_of(json_object_get(event, "consignment"),
		                             OTX_EPCIS_URN_CONSIGNMENT))))
			goto bad;
	} else if (strcmp(type, "assay") == 0) {
		json_t *lab = json_object_get(event, "lab");
		json_t *lot = json_pack("[O]", json_object_get(event, "lot"));
		int bad = set_new(e, "quantityList", quantities(lot, 0)) ||
		          json_object_set_new(e, "action", json_string("OBSERVE")) ||
		          json_object_set_new(e, "bizStep", json_string("inspecting")) ||
		          (lab && (set_new(e, "readPoint", location(w, lab)) ||
		                   set_new(e, "bizLocation", location(w, lab)))) ||
		          set_new(e, "sensorElementList",
		                  element_sensors(json_object_get(event, "assay")));
		json_decref(lot);
		static const char *const EXTRA[] = {"uncertainty_ppm", "method", NULL};
		for (size_t i = 0; EXTRA[i] && !bad; i++) {
			json_t *v = json_object_get(event, EXTRA[i]);
			char key[64];
			snprintf(key, sizeof key, OTX_EPCIS_NS_PREFIX ":%s", EXTRA[i]);
			bad = v && json_object_set(e, key, v);
		}
		if (bad)
			goto bad;
	} else {
		goto bad;
	}
	return e;
bad:
	json_decref(e);
	return NULL;
}

static ot_status write_constructed(ot_epcis_writer *w, json_t *event, ot_error *err)
{
	json_t *e = construct(w, event);
	if (!e)
		return ot_error_at(err, OT_ERR_PARSE, "epcis_cannot_export", -1,
		                   "event %s: a field the EPCIS form needs is missing or committed",
		                   json_string_value(json_object_get(event, "id")));
	json_t *ctx = json_pack("{s:s}", OTX_EPCIS_NS_PREFIX, OT_EPCIS_NS);
	ot_status rc =
		ctx ? append(w, ctx, e, err) : ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	json_decref(ctx);
	json_decref(e);
	if (!rc)
		w->constructed++;
	return rc;
}

/*
 * Writes the events of one EPCIS original (one, or the parts of a multi-
 * lot commissioning) as that original, if mapping it again gives exactly
 * these events; otherwise each from its own fields.
 */
static ot_status write_group(ot_epcis_writer *w, json_t *att, json_t *events, ot_error *err)
{
	json_t *stored = json_object_get(att, "event");
	json_t *ctx = json_object_get(att, "context");
	json_t *ev = stored ? restored(stored) : NULL;
	json_t *context = ctx ? json_deep_copy(ctx) : json_object();
	int trusted = 0;
	ot_status rc = OT_OK;
	if (ev && context) {
		/* The document's prefixes must not clash with the event's. */
		int clash = !json_is_object(context);
		const char *k;
		json_t *v;
		json_object_foreach(context, k, v)
		{
			json_t *have = json_object_get(w->context, k);
			clash |= !json_is_string(v) || (have && !json_equal(have, v));
		}
		if (!clash && !json_object_get(context, OTX_EPCIS_NS_PREFIX))
			json_object_set_new(context, OTX_EPCIS_NS_PREFIX, json_string(OT_EPCIS_NS));
		ot_epcis_doc doc;
		ot_epcis_mapping m;
		ot_error e2;
		otx_epcis_doc_init(&doc);
		memset(&m, 0, sizeof m);
		if (!clash && doc_of(context, ev, &doc, &e2) == OT_OK &&
		    ot_epcis_map_event_with(&doc, 0, w->names, &m) == OT_OK &&
		    json_array_size(m.events) == json_array_size(events)) {
			trusted = 1;
			for (size_t i = 0; i < json_array_size(events) && trusted; i++)
				trusted = json_equal(json_array_get(m.events, i),
				                     json_array_get(events, i));
		}
		ot_epcis_mapping_clear(&m);
		otx_epcis_doc_clear(&doc);
	}
	if (trusted) {
		rc = append(w, context, ev, err);
		if (!rc)
			w->as_original++;
	} else {
		for (size_t i = 0; i < json_array_size(events) && !rc; i++)
			rc = write_constructed(w, json_array_get(events, i), err);
	}
	json_decref(ev);
	json_decref(context);
	return rc;
}

/* Writes the parts collected so far of a multi-part original. */
static ot_status flush_pending(ot_epcis_writer *w, ot_error *err)
{
	if (!w->pending)
		return OT_OK;
	json_t *p = w->pending;
	w->pending = NULL;
	json_t *att = json_object_get(p, "att");
	json_t *events = json_object_get(p, "events");
	json_int_t parts = json_integer_value(json_object_get(att, "parts"));
	ot_status rc = OT_OK;
	if ((json_int_t)json_array_size(events) == parts)
		rc = write_group(w, att, events, err);
	else
		for (size_t i = 0; i < json_array_size(events) && !rc; i++)
			rc = write_constructed(w, json_array_get(events, i), err);
	json_decref(p);
	return rc;
}

ot_status ot_epcis_writer_add(ot_epcis_writer *w, json_t *event, ot_error *err)
{
	const char *type = json_string_value(json_object_get(event, "type"));
	if (!type || (strcmp(type, "extract") != 0 && strcmp(type, "transform") != 0 &&
	              strcmp(type, "ship") != 0 && strcmp(type, "receive") != 0 &&
	              strcmp(type, "assay") != 0 && strcmp(type, "recycle") != 0)) {
		w->skipped++;
		return ot_error_at(err, OT_ERR_NOTFOUND, "epcis_no_form", -1,
		                   "%s events have no EPCIS form", type ? type : "untyped");
	}
	json_t *att = json_object_get(event, "epcis");
	json_int_t parts = json_integer_value(json_object_get(att, "parts"));
	json_int_t part = json_integer_value(json_object_get(att, "part"));
	ot_status rc;
	if (parts > 1 && part >= 1 && part <= parts) {
		json_t *pend_att = json_object_get(w->pending, "att");
		json_t *pend_ev = json_object_get(w->pending, "events");
		if (part > 1 && pend_att &&
		    json_equal(json_object_get(pend_att, "hash"), json_object_get(att, "hash")) &&
		    (json_int_t)json_array_size(pend_ev) == part - 1 &&
		    json_integer_value(json_object_get(pend_att, "parts")) == parts) {
			if (json_array_append(pend_ev, event))
				return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		} else {
			if ((rc = flush_pending(w, err)))
				return rc;
			if (part > 1)
				return write_constructed(w, event, err);
			w->pending = json_pack("{s:O,s:[O]}", "att", att, "events", event);
			if (!w->pending)
				return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		}
		if ((json_int_t)json_array_size(json_object_get(w->pending, "events")) == parts)
			return flush_pending(w, err);
		return OT_OK;
	}
	if ((rc = flush_pending(w, err)))
		return rc;
	if (json_is_object(att) && json_object_get(att, "event")) {
		json_t *one = json_pack("[O]", event);
		if (!one)
			return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		rc = write_group(w, att, one, err);
		json_decref(one);
		return rc;
	}
	return write_constructed(w, event, err);
}

ot_status ot_epcis_writer_finish(ot_epcis_writer *w, json_t **out, ot_error *err)
{
	ot_status rc = flush_pending(w, err);
	if (rc)
		return rc;
	*out = json_incref(w->doc);
	return OT_OK;
}
