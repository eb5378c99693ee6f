/*
 * query.c: trace, contract show and the flows report, answered from the
 * state namespaces (query.h), and their public wrappers (ledger.h).
 *
 * trace walks a lot's lineage through lot_event: each lot's history is one
 * key-prefix scan ("<lot> "), and the creating transform names the input
 * lots, which are walked in turn with a cutoff at that entry: what happened
 * to an ancestor after its descendant was made is not the descendant's
 * history.
 */
#include "ledger/query.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger/commit.h"
#include "ledger/comply.h"
#include "ledger/envelope.h"
#include "ledger/jcs.h"
#include "ledger/ledger_int.h"
#include "ledger/lineage.h"
#include "ledger/provenance.h"
#include "ledger/state.h"
#include "ledger/timeline.h"
#include "oretrail/buf.h"
#include "oretrail/status.h"

__extension__ typedef unsigned __int128 u128;

static ot_status nomem(ot_error *err)
{
	return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
}

/* Country of a site through a cache object (site -> country). */
static const char *country_of(ot_store *st, json_t *cache, const char *site)
{
	const char *c = json_string_value(json_object_get(cache, site));
	if (c)
		return c;
	json_t *rec = NULL;
	if (otx_state_get(st, OTX_NS_SITE, site, &rec, NULL) == OT_OK) {
		json_object_set(cache, site, json_object_get(rec, "country"));
		json_decref(rec);
	}
	c = json_string_value(json_object_get(cache, site));
	if (!c) {
		json_object_set_new(cache, site, json_string("??"));
		c = "??";
	}
	return c;
}

/* --- origins --- */

typedef struct orow {
	const char *element;
	const char *key; /* site or country */
	const char *country;
	uint64_t mg;
	uint64_t share;
} orow;

static int orow_cmp(const void *a, const void *b)
{
	const orow *x = a, *y = b;
	int c = strcmp(x->element, y->element);
	if (c)
		return c;
	if (x->mg != y->mg)
		return x->mg > y->mg ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Fills shares per element (rows sorted by element) and appends the rows
 * to `out` as objects; `key_name` is "site" or "country". */
static ot_status emit_rows(orow *rows, size_t n, const char *key_name, json_t *out)
{
	uint64_t *v = malloc((n ? n : 1) * sizeof *v), *s = malloc((n ? n : 1) * sizeof *s);
	if (!v || !s) {
		free(v);
		free(s);
		return OT_ERR_NOMEM;
	}
	qsort(rows, n, sizeof *rows, orow_cmp);
	size_t a = 0;
	while (a < n) {
		size_t b = a;
		while (b < n && strcmp(rows[b].element, rows[a].element) == 0) {
			v[b - a] = rows[b].mg;
			b++;
		}
		otx_shares_ppm(v, b - a, s);
		for (size_t i = a; i < b; i++)
			rows[i].share = s[i - a];
		a = b;
	}
	free(v);
	free(s);
	for (size_t i = 0; i < n; i++) {
		json_t *o =
			json_pack("{s:s,s:s}", "element", rows[i].element, key_name, rows[i].key);
		if (!o)
			return OT_ERR_NOMEM;
		if (rows[i].country)
			json_object_set_new(o, "country", json_string(rows[i].country));
		json_object_set_new(o, "grams",
		                    json_integer((json_int_t)((rows[i].mg + 500) / 1000)));
		json_object_set_new(o, "mg", json_integer((json_int_t)rows[i].mg));
		json_object_set_new(o, "share_ppm", json_integer((json_int_t)rows[i].share));
		if (json_array_append_new(out, o))
			return OT_ERR_NOMEM;
	}
	return OT_OK;
}

static ot_status origins_json(ot_store *st, json_t *lot, json_t *origins, json_t *countries)
{
	otx_vector v;
	json_t *cache = json_object();
	orow *rows = NULL, *crows = NULL;
	size_t nc = 0;
	ot_status rc =
		cache ? otx_vector_from_json(json_object_get(lot, "origins"), &v) : OT_ERR_NOMEM;
	if (rc) {
		json_decref(cache);
		return rc;
	}
	rows = calloc(v.n ? v.n : 1, sizeof *rows);
	crows = calloc(v.n ? v.n : 1, sizeof *crows);
	if (!rows || !crows) {
		rc = OT_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < v.n; i++) {
		const char *c = country_of(st, cache, v.items[i].site);
		rows[i] = (orow){v.items[i].element, v.items[i].site, c, v.items[i].mg, 0};
		size_t k = 0;
		while (k < nc && !(strcmp(crows[k].element, v.items[i].element) == 0 &&
		                   strcmp(crows[k].key, c) == 0))
			k++;
		if (k == nc)
			crows[nc++] = (orow){v.items[i].element, c, NULL, 0, 0};
		crows[k].mg += v.items[i].mg;
	}
	if (!(rc = emit_rows(rows, v.n, "site", origins)))
		rc = emit_rows(crows, nc, "country", countries);
out:
	free(rows);
	free(crows);
	otx_vector_free(&v);
	json_decref(cache);
	return rc;
}

/* --- stages --- */

/* What the stage rows say of a site, through a cache (site -> {"country",
 * "facility"}): its country, and its facility (operator and identifiers)
 * or null. Borrowed from the cache. */
static json_t *site_info(ot_store *st, json_t *cache, const char *site)
{
	json_t *info = json_object_get(cache, site);
	if (info)
		return info;
	json_t *rec = NULL, *facility = json_null();
	const char *country = "??";
	if (otx_state_get(st, OTX_NS_SITE, site, &rec, NULL) == OT_OK) {
		if (otx_jstr(rec, "country"))
			country = otx_jstr(rec, "country");
		json_t *op = json_object_get(rec, "operator");
		json_t *ids = json_object_get(rec, "facility_ids");
		if (op || ids) {
			facility = json_object();
			if (facility && op)
				json_object_set(facility, "operator", op);
			if (facility && ids)
				json_object_set(facility, "ids", ids);
		}
	}
	info = json_pack("{s:s,s:o*}", "country", country, "facility", facility);
	json_decref(rec);
	if (!info || json_object_set_new(cache, site, info))
		return NULL;
	return info;
}

typedef struct stage_row {
	int stage;
	const char *element, *site;
	uint64_t mg, share;
} stage_row;

static int stage_row_cmp(const void *a, const void *b)
{
	const stage_row *x = a, *y = b;
	if (x->stage != y->stage)
		return x->stage < y->stage ? -1 : 1;
	int c = strcmp(x->element, y->element);
	if (c)
		return c;
	if (x->mg != y->mg)
		return x->mg > y->mg ? -1 : 1;
	return strcmp(x->site, y->site);
}

/* The rows of every stage vector of the lot (the origin vector is the
 * mined stage), shares per stage and element. */
static ot_status stage_rows(ot_store *st, json_t *rec, json_t *cache, json_t *out)
{
	otx_stages sv;
	otx_vector *v = sv.v;
	stage_row *rows = NULL;
	uint64_t *amt = NULL, *share = NULL;
	size_t n = 0;
	ot_status rc = otx_stages_from_json(json_object_get(rec, "stages"), &sv);
	if (rc)
		return rc;
	otx_vector_free(&v[OTX_STAGE_MINED]);
	if ((rc = otx_vector_from_json(json_object_get(rec, "origins"), &v[OTX_STAGE_MINED]))) {
		otx_stages_free(&sv);
		return rc;
	}
	for (int k = 0; k < OTX_STAGES; k++)
		n += v[k].n;
	rows = calloc(n ? n : 1, sizeof *rows);
	amt = calloc(n ? n : 1, sizeof *amt);
	share = calloc(n ? n : 1, sizeof *share);
	rc = rows && amt && share ? OT_OK : OT_ERR_NOMEM;
	n = 0;
	for (int k = 0; !rc && k < OTX_STAGES; k++)
		for (size_t i = 0; i < v[k].n; i++)
			rows[n++] = (stage_row){k, v[k].items[i].element, v[k].items[i].site,
			                        v[k].items[i].mg, 0};
	if (!rc)
		qsort(rows, n, sizeof *rows, stage_row_cmp);
	for (size_t a = 0, b; !rc && a < n; a = b) {
		for (b = a; b < n && rows[b].stage == rows[a].stage &&
		            strcmp(rows[b].element, rows[a].element) == 0;
		     b++)
			amt[b - a] = rows[b].mg;
		otx_shares_ppm(amt, b - a, share);
		for (size_t i = a; i < b; i++)
			rows[i].share = share[i - a];
	}
	for (size_t i = 0; !rc && i < n; i++) {
		json_t *info = site_info(st, cache, rows[i].site);
		json_t *o = info ? json_pack("{s:s,s:s,s:O,s:s,s:O,s:I,s:I,s:I}", "stage",
		                             otx_stage_name(rows[i].stage), "element",
		                             rows[i].element, "country",
		                             json_object_get(info, "country"), "site", rows[i].site,
		                             "facility", json_object_get(info, "facility"), "grams",
		                             (json_int_t)((rows[i].mg + 500) / 1000), "mg",
		                             (json_int_t)rows[i].mg, "share_ppm",
		                             (json_int_t)rows[i].share)
		                 : NULL;
		if (!o || json_array_append_new(out, o))
			rc = OT_ERR_NOMEM;
	}
	free(rows);
	free(amt);
	free(share);
	otx_stages_free(&sv);
	return rc;
}

ot_status otx_lot_stage_rows(ot_store *st, json_t *rec, json_t *out, ot_error *err)
{
	json_t *cache = json_object();
	ot_status rc = cache ? stage_rows(st, rec, cache, out) : OT_ERR_NOMEM;
	json_decref(cache);
	if (rc)
		rc = ot_error_set(err, rc == OT_ERR_NOMEM ? rc : OT_ERR_CORRUPT,
		                  "cannot read the stage vectors of lot %s", otx_jstr(rec, "lot"));
	return rc;
}

/* --- lineage --- */

typedef struct hist {
	json_t *events; /* array of lot_event records */
} hist;

static ot_status collect_event(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	hist *h = ctx;
	json_t *rec = json_loadb((const char *)value, len, 0, NULL);
	if (!rec)
		return OT_ERR_CORRUPT;
	return json_array_append_new(h->events, rec) ? OT_ERR_NOMEM : OT_OK;
}

typedef struct lentry {
	int64_t index;
	const char *type;
	const char *id;
	int ancestry;
} lentry;

static int lentry_cmp(const void *a, const void *b)
{
	const lentry *x = a, *y = b;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return y->ancestry - x->ancestry;
}

/* The walk behind lineage: the lots still to visit ([lot, cutoff]), the
 * cutoff each lot was visited with, the entries found, and the records
 * their strings point into. */
typedef struct walk {
	json_t *visited, *work, *keep;
	lentry *ents;
	size_t n, cap;
} walk;

/* Room for one more entry. */
static ot_status walk_reserve(walk *w)
{
	if (w->n < w->cap)
		return OT_OK;
	size_t nc = w->cap ? w->cap * 2 : 64;
	lentry *p = realloc(w->ents, nc * sizeof *p);
	if (!p)
		return OT_ERR_NOMEM;
	w->ents = p;
	w->cap = nc;
	return OT_OK;
}

/* One lot's history up to its cutoff (one key-prefix scan): its uses, and
 * the inputs of its creation, to visit with that entry as their cutoff. */
static ot_status lineage_lot(ot_store *st, walk *w, const char *root, const char *lot,
                             int64_t cutoff, ot_error *err)
{
	char prefix[OTX_EVENT_ID_MAX + 2];
	hist h = {json_array()};
	snprintf(prefix, sizeof prefix, "%s ", lot);
	ot_status rc =
		h.events ? ot_store_kv_scan(st, OTX_NS_LOT_EVENT, prefix, collect_event, &h, err)
			 : OT_ERR_NOMEM;
	int is_root = strcmp(lot, root) == 0;
	for (size_t i = 0; !rc && i < json_array_size(h.events); i++) {
		json_t *ev = json_array_get(h.events, i);
		int64_t idx = otx_jint(ev, "index", -1);
		const char *role = otx_jstr(ev, "role");
		if (idx > cutoff || (rc = walk_reserve(w)))
			break;
		/* ancestry = 1 marks the root's own uses, 0 an ancestor's use
		 * before the cutoff; the rest is in the materialised ancestry. */
		if (strcmp(role, "use") == 0 && (is_root || idx < cutoff))
			w->ents[w->n++] =
				(lentry){idx, otx_jstr(ev, "type"), otx_jstr(ev, "id"), is_root};
		json_t *inputs = json_object_get(ev, "inputs");
		for (size_t k = 0; strcmp(role, "create") == 0 && k < json_array_size(inputs); k++)
			json_array_append_new(w->work, json_pack("[O,I]", json_array_get(inputs, k),
			                                         (json_int_t)idx));
	}
	/* The strings in the entries point into these records: keep them alive. */
	if (h.events)
		json_array_append_new(w->keep, h.events);
	if (rc == OT_ERR_NOMEM || rc == OT_ERR_CORRUPT)
		rc = ot_error_set(err, rc, "cannot read the history of lot %s", lot);
	return rc;
}

/* The entries found, in log order, each once (the root's use first), into
 * uses (the root's) and context (the ancestors'). */
static ot_status lineage_emit(walk *w, json_t *uses, json_t *context, ot_error *err)
{
	lentry *ents = w->ents;
	qsort(ents, w->n, sizeof *ents, lentry_cmp);
	for (size_t i = 0; i < w->n; i++) {
		if (i > 0 && ents[i].index == ents[i - 1].index)
			continue;
		json_t *o = json_pack("{s:I,s:s,s:s}", "index", (json_int_t)ents[i].index, "type",
		                      ents[i].type ? ents[i].type : "", "id",
		                      ents[i].id ? ents[i].id : "");
		if (!o || json_array_append_new(ents[i].ancestry ? uses : context, o))
			return nomem(err);
	}
	return OT_OK;
}

/* The walk behind OT_TRACE_CONTEXT: `context`, the entries that used an
 * ancestor before its descendant was made (a replay needs them to recompute
 * the ancestor's remaining vector), and `uses`, the entries that used the
 * lot itself. One key-prefix scan per ancestor. */
static ot_status lineage(ot_store *st, const char *root, json_t *uses, json_t *context,
                         ot_error *err)
{
	walk w = {json_object(), json_array(), json_array(), NULL, 0, 0};
	ot_status rc = OT_OK;
	if (!w.visited || !w.work || !w.keep ||
	    json_array_append_new(w.work, json_pack("[s,I]", root, (json_int_t)INT64_MAX))) {
		rc = nomem(err);
		goto out;
	}
	while (!rc && json_array_size(w.work) > 0) {
		size_t last = json_array_size(w.work) - 1;
		json_t *item = json_incref(json_array_get(w.work, last));
		json_array_remove(w.work, last);
		const char *lot = json_string_value(json_array_get(item, 0));
		int64_t cutoff = (int64_t)json_integer_value(json_array_get(item, 1));
		json_t *seen = json_object_get(w.visited, lot);
		if (!seen || json_integer_value(seen) < cutoff) {
			json_object_set_new(w.visited, lot, json_integer(cutoff));
			rc = lineage_lot(st, &w, root, lot, cutoff, err);
		}
		json_decref(item);
	}
	if (!rc)
		rc = lineage_emit(&w, uses, context, err);
out:
	free(w.ents);
	json_decref(w.keep);
	json_decref(w.work);
	json_decref(w.visited);
	return rc;
}

/* The ancestry: the lot's inherited ancestry, walked through its records
 * (lineage.h), then its own history, in log order. */
ot_status otx_ancestry_each(ot_store *st, json_t *rec, otx_ancestry_fn fn, void *ctx, ot_error *err)
{
	const char *lot = otx_jstr(rec, "lot");
	otx_lineage l;
	otx_lineage_init(&l);
	ot_status rc = otx_lineage_walk(st, lot, &l, err);
	for (size_t i = 0; !rc && i < l.n; i++) {
		const char *line = l.lines[i].text;
		size_t llen = l.lines[i].len;
		const char *sp1 = memchr(line, ' ', llen);
		const char *sp2 = memchr(sp1 + 1, ' ', llen - (size_t)(sp1 + 1 - line));
		if (fn(ctx, (int64_t)l.lines[i].index, sp1 + 1, (size_t)(sp2 - sp1 - 1), sp2 + 1,
		       (size_t)(line + llen - sp2 - 1)))
			rc = nomem(err);
	}
	otx_lineage_free(&l);
	json_t *h = json_object_get(rec, "history");
	for (size_t i = 0; !rc && i < json_array_size(h); i++) {
		json_t *e = json_array_get(h, i);
		const char *type = json_string_value(json_array_get(e, 1));
		const char *id = json_string_value(json_array_get(e, 2));
		if (!type || !id)
			rc = ot_error_set(err, OT_ERR_CORRUPT, "the history of lot %s is malformed",
			                  lot);
		else if (fn(ctx, (int64_t)json_integer_value(json_array_get(e, 0)), type,
		            strlen(type), id, strlen(id)))
			rc = nomem(err);
	}
	return rc;
}

static ot_status ancestry_object(void *ctx, int64_t index, const char *type, size_t type_len,
                                 const char *id, size_t id_len)
{
	/* The hot loop of a deep trace: no json_pack format parsing. */
	json_t *o = json_object();
	if (!o || json_array_append_new(ctx, o) ||
	    json_object_set_new_nocheck(o, "index", json_integer((json_int_t)index)) ||
	    json_object_set_new_nocheck(o, "type", json_stringn_nocheck(type, type_len)) ||
	    json_object_set_new_nocheck(o, "id", json_stringn_nocheck(id, id_len)))
		return OT_ERR_NOMEM;
	return OT_OK;
}

static ot_status ancestry_json(ot_store *st, json_t *rec, json_t *out, ot_error *err)
{
	return otx_ancestry_each(st, rec, ancestry_object, out, err);
}

static ot_status ancestry_text(void *ctx, int64_t index, const char *type, size_t type_len,
                               const char *id, size_t id_len)
{
	ot_buf *b = ctx;
	ot_status rc = ot_buf_printf(b, "%s{\"index\":%" PRId64 ",\"type\":",
	                             b->data[b->len - 1] == '[' ? "" : ",", index);
	if (!rc)
		rc = otx_json_string_write(b, type, type_len);
	if (!rc)
		rc = ot_buf_adds(b, ",\"id\":");
	if (!rc)
		rc = otx_json_string_write(b, id, id_len);
	return rc ? rc : ot_buf_addc(b, '}');
}

/* The head of a trace: the lot's record as it stands and its creation. */
static json_t *trace_head(json_t *rec)
{
	json_t *created = json_object_get(rec, "created");
	json_t *doc = json_pack(
		"{s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:{s:O,s:O,s:O,s:O},s:O,s:O}", "lot",
		json_object_get(rec, "lot"), "material", json_object_get(rec, "material"), "mass_g",
		json_object_get(rec, "mass_g"), "initial_g", json_object_get(rec, "initial_g"),
		"holder", json_object_get(rec, "holder"), "site", json_object_get(rec, "site"),
		"status", json_object_get(rec, "status"), "created", "index",
		json_object_get(created, "index"), "type", json_object_get(created, "type"), "id",
		json_object_get(created, "id"), "time", json_object_get(created, "time"), "assay",
		json_object_get(rec, "assay"), "uncertainty_ppm",
		json_object_get(rec, "uncertainty_ppm"));
	if (!doc)
		return NULL;
	if (json_object_get(rec, "consignment"))
		json_object_set(doc, "consignment", json_object_get(rec, "consignment"));
	/* Title: the owner is the holder unless a transfer separated them. */
	json_t *owner = json_object_get(rec, "owner");
	json_object_set(doc, "owner", owner ? owner : json_object_get(rec, "holder"));
	if (json_object_get(rec, "title"))
		json_object_set(doc, "title", json_object_get(rec, "title"));
	if (json_object_get(rec, "hs_code"))
		json_object_set(doc, "hs_code", json_object_get(rec, "hs_code"));
	/* A lot weighed wet: its last weighing (mass_g is dry). */
	if (json_object_get(rec, "moisture_ppm")) {
		json_object_set(doc, "moisture_ppm", json_object_get(rec, "moisture_ppm"));
		json_object_set(doc, "wet_mass_g", json_object_get(rec, "wet_mass_g"));
	}
	if (json_object_get(rec, "certified"))
		json_object_set(doc, "certified", json_object_get(rec, "certified"));
	if (json_object_get(rec, "corrections"))
		json_object_set(doc, "corrections", json_object_get(rec, "corrections"));
	return doc;
}

/* OT_TRACE_ASSAYS: every assay of the lot, which one governs (its role and
 * entry, or "declared"), and an open or settled assay dispute. */
static ot_status trace_assays(json_t *doc, json_t *rec)
{
	json_t *gov = json_object_get(rec, "certified");
	const char *role = otx_jstr(gov, "role");
	json_t *g = gov ? json_pack("{s:s,s:O}", "role", role ? role : "final", "index",
	                            json_object_get(gov, "index"))
	                : json_pack("{s:s}", "role", "declared");
	json_t *all = json_object_get(rec, "assays");
	if (!g || json_object_set_new(doc, "assays", all ? json_incref(all) : json_array()) ||
	    json_object_set_new(doc, "governing", g))
		return OT_ERR_NOMEM;
	if (json_object_get(rec, "assay_dispute") &&
	    json_object_set(doc, "assay_dispute", json_object_get(rec, "assay_dispute")))
		return OT_ERR_NOMEM;
	return OT_OK;
}

/* An ancestor's use can be on the path too (it made another ancestor):
 * then it is ancestry, not context. Both lists are in log order. */
static void trace_prune_context(json_t *context, json_t *ancestry)
{
	for (size_t i = 0, k = 0; context && i < json_array_size(context);) {
		json_int_t ci =
			json_integer_value(json_object_get(json_array_get(context, i), "index"));
		while (k < json_array_size(ancestry) &&
		       json_integer_value(json_object_get(json_array_get(ancestry, k), "index")) <
		               ci)
			k++;
		if (k < json_array_size(ancestry) &&
		    json_integer_value(json_object_get(json_array_get(ancestry, k), "index")) == ci)
			json_array_remove(context, i);
		else
			i++;
	}
}

/* otx_trace_json, and with rec_out (may be NULL) the lot's record too. */
static ot_status trace_doc(ot_store *st, const char *lot, int flags, json_t **out, json_t **rec_out,
                           ot_error *err)
{
	json_t *rec = NULL, *doc = NULL;
	*out = NULL;
	if (!st || !lot)
		return ot_error_set(err, OT_ERR_ARG, "trace needs a store and a lot");
	ot_status rc = otx_state_get(st, OTX_NS_LOT, lot, &rec, err);
	if (rc == OT_ERR_NOTFOUND)
		return ot_error_at(err, rc, "lot_not_found", -1, "lot %s does not exist", lot);
	if (rc)
		return rc;
	json_t *origins = json_array(), *countries = json_array();
	json_t *ancestry = json_array(), *context = json_array(), *uses = json_array();
	doc = trace_head(rec);
	if (!doc || !origins || !countries || !ancestry || !context || !uses) {
		json_decref(origins);
		json_decref(countries);
		json_decref(ancestry);
		json_decref(context);
		json_decref(uses);
		rc = ot_error_set(err, OT_ERR_CORRUPT, "the record of lot %s is incomplete", lot);
		goto out;
	}
	json_object_set_new(doc, "origins", origins);
	json_object_set_new(doc, "countries", countries);
	json_object_set_new(doc, "ancestry", ancestry);
	if (flags & OT_TRACE_CONTEXT) {
		json_object_set_new(doc, "context", context);
		json_object_set_new(doc, "uses", uses);
	} else {
		json_decref(context);
		json_decref(uses);
		context = uses = NULL;
	}
	if ((rc = origins_json(st, rec, origins, countries))) {
		rc = ot_error_set(err, rc == OT_ERR_NOMEM ? rc : OT_ERR_CORRUPT,
		                  "cannot read the origin vector of lot %s", lot);
		goto out;
	}
	if ((flags & OT_TRACE_ASSAYS) && trace_assays(doc, rec)) {
		rc = nomem(err);
		goto out;
	}
	if (flags & OT_TRACE_STAGES) {
		json_t *stages = json_array();
		if (!stages || json_object_set_new(doc, "stages", stages)) {
			rc = nomem(err);
			goto out;
		}
		if ((rc = otx_lot_stage_rows(st, rec, stages, err)))
			goto out;
		/* Recycled content, only where there is some: certificates made
		 * before recycled feed claim none. */
		json_t *recycled = json_array();
		if (!recycled || (rc = otx_lot_recycled_rows(rec, recycled))) {
			json_decref(recycled);
			rc = rc == OT_ERR_CORRUPT
			             ? ot_error_set(err, rc,
			                            "cannot read the recycled content of lot %s",
			                            lot)
			             : nomem(err);
			goto out;
		}
		if (json_array_size(recycled) == 0)
			json_decref(recycled);
		else if (json_object_set_new(doc, "recycled", recycled)) {
			rc = nomem(err);
			goto out;
		}
	}
	if ((!(flags & OTX_TRACE_NO_ANCESTRY) && (rc = ancestry_json(st, rec, ancestry, err))) ||
	    ((flags & OT_TRACE_CONTEXT) && (rc = lineage(st, lot, uses, context, err))))
		goto out;
	trace_prune_context(context, ancestry);
	*out = doc;
	doc = NULL;
	if (rec_out) {
		*rec_out = rec;
		rec = NULL;
	}
out:
	json_decref(doc);
	json_decref(rec);
	return rc;
}

ot_status otx_trace_json(ot_store *st, const char *lot, int flags, json_t **out, ot_error *err)
{
	return trace_doc(st, lot, flags, out, NULL, err);
}

/* --- contract show --- */

typedef struct pay_ctx {
	const char *contract; /* NULL: all */
	json_t *out;
} pay_ctx;

static ot_status collect_payment(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	pay_ctx *p = ctx;
	json_t *rec = json_loadb((const char *)value, len, 0, NULL);
	if (!rec)
		return OT_ERR_CORRUPT;
	const char *c = otx_jstr(rec, "contract");
	if (p->contract && (!c || strcmp(c, p->contract) != 0)) {
		json_decref(rec);
		return OT_OK;
	}
	return json_array_append_new(p->out, rec) ? OT_ERR_NOMEM : OT_OK;
}

/* One commitment's row: disclosed (when, and the value and salt if the
 * disclosure is in the state) or withheld (for how many days). */
static json_t *contract_commitment(ot_store *st, const char *contract, const char *path, json_t *cm,
                                   int64_t now, int64_t committed)
{
	char key[OTX_EVENT_ID_MAX + 300];
	json_t *d = json_object_get(cm, "disclosed");
	json_t *o = json_pack("{s:s,s:O,s:b}", "field", path, "commit",
	                      json_object_get(cm, "commit"), "disclosed", d != NULL);
	if (!o)
		return NULL;
	if (d) {
		json_t *disc = NULL;
		json_object_set(o, "disclosed_index", json_object_get(d, "index"));
		json_object_set(o, "disclosed_time", json_object_get(d, "time"));
		snprintf(key, sizeof key, "%s %s", contract, path);
		if (otx_state_get(st, OTX_NS_DISCLOSURE, key, &disc, NULL) == OT_OK) {
			json_object_set(o, "value", json_object_get(disc, "value"));
			json_object_set(o, "salt", json_object_get(disc, "salt"));
			json_decref(disc);
		}
	} else {
		int64_t days = now > committed ? (now - committed) / 86400 : 0;
		json_object_set_new(o, "withheld_days", json_integer(days));
	}
	return o;
}

/* The contract's commitments, in path order, into list. */
static ot_status contract_commitments(ot_store *st, const char *contract, json_t *rec, int64_t now,
                                      int64_t committed, json_t *list, ot_error *err)
{
	json_t *cms = json_object_get(rec, "commitments");
	size_t ncm = json_object_size(cms), i = 0;
	const char **paths = calloc(ncm ? ncm : 1, sizeof *paths);
	const char *path;
	json_t *cm;
	ot_status rc = OT_OK;
	if (!paths)
		return nomem(err);
	json_object_foreach(cms, path, cm) paths[i++] = path;
	for (size_t a = 1; a < ncm; a++)
		for (size_t b = a; b > 0 && strcmp(paths[b - 1], paths[b]) > 0; b--) {
			const char *t = paths[b];
			paths[b] = paths[b - 1];
			paths[b - 1] = t;
		}
	for (i = 0; i < ncm && !rc; i++) {
		json_t *o = contract_commitment(st, contract, paths[i],
		                                json_object_get(cms, paths[i]), now, committed);
		if (!o || json_array_append_new(list, o))
			rc = nomem(err);
	}
	free(paths);
	return rc;
}

/* disclose_by, when the contract names one, and whether it is overdue: its
 * date has passed (as of now) with a commitment still withheld. */
static void contract_deadline(json_t *doc, json_t *rec, json_t *commitments, int64_t now)
{
	json_t *by = json_object_get(json_object_get(rec, "fields"), "disclose_by");
	const char *from = otx_jstr(rec, "overdue_from");
	int64_t t;
	if (!by)
		return;
	int withheld = 0;
	for (size_t i = 0; i < json_array_size(commitments); i++)
		withheld |=
			!json_is_true(json_object_get(json_array_get(commitments, i), "disclosed"));
	json_object_set(doc, "disclose_by", by);
	json_object_set_new(
		doc, "overdue",
		json_boolean(from && otx_parse_time(from, &t) == OT_OK && now >= t && withheld));
}

ot_status otx_contract_json(ot_store *st, const char *contract, int64_t now, json_t **out,
                            ot_error *err)
{
	json_t *rec = NULL, *doc = NULL, *list = NULL, *payments = NULL, *logged = NULL;
	*out = NULL;
	if (!st || !contract)
		return ot_error_set(err, OT_ERR_ARG, "contract show needs a store and a contract");
	ot_status rc = otx_state_get(st, OTX_NS_CONTRACT, contract, &rec, err);
	if (rc == OT_ERR_NOTFOUND)
		return ot_error_at(err, rc, "contract_not_found", -1, "contract %s does not exist",
		                   contract);
	if (rc)
		return rc;
	if (!now)
		now = (int64_t)time(NULL);
	int64_t committed = 0;
	if (!otx_jstr(rec, "time") || otx_parse_time(otx_jstr(rec, "time"), &committed)) {
		rc = ot_error_set(err, OT_ERR_CORRUPT, "the record of contract %s has no time",
		                  contract);
		goto out;
	}
	/* Dated by when it was logged, not by its signer's claim. */
	otx_logged lg;
	if ((rc = otx_logged_at(st, (uint64_t)otx_jint(rec, "index", 0), &lg, err)))
		goto out;
	committed = otx_logged_date(&lg, committed);
	char committed_s[OTX_TIME_LEN + 1];
	if (otx_format_time(committed, committed_s)) {
		rc = ot_error_set(err, OT_ERR_CORRUPT, "contract %s has an impossible date",
		                  contract);
		goto out;
	}
	list = json_array();
	payments = json_array();
	logged = otx_logged_json(&lg);
	if (!list || !payments || !logged) {
		rc = nomem(err);
		goto out;
	}
	if ((rc = contract_commitments(st, contract, rec, now, committed, list, err)))
		goto out;
	pay_ctx p = {contract, payments};
	if ((rc = ot_store_kv_scan(st, OTX_NS_PAYMENT, "", collect_payment, &p, err))) {
		if (rc == OT_ERR_CORRUPT || rc == OT_ERR_NOMEM)
			rc = ot_error_set(err, rc, "cannot read the payments");
		goto out;
	}
	doc = json_pack("{s:O,s:O,s:O,s:O,s:O,s:s,s:O,s:O,s:O,s:O}", "contract",
	                json_object_get(rec, "contract"), "index", json_object_get(rec, "index"),
	                "id", json_object_get(rec, "id"), "time", json_object_get(rec, "time"),
	                "logged", logged, "committed", committed_s, "signer",
	                json_object_get(rec, "signer"), "fields", json_object_get(rec, "fields"),
	                "commitments", list, "payments", payments);
	if (!doc) {
		rc = ot_error_set(err, OT_ERR_CORRUPT, "the record of contract %s is incomplete",
		                  contract);
		goto out;
	}
	contract_deadline(doc, rec, list, now);
	*out = doc;
out:
	json_decref(list);
	json_decref(payments);
	json_decref(logged);
	json_decref(rec);
	return rc;
}

/* --- report --- */

/* Sums by string key in 128 bits (json object: key -> slot). */
typedef struct acc {
	json_t *slots;
	u128 *vals;
	size_t n, cap;
} acc;

static int acc_add(acc *a, const char *key, u128 v)
{
	json_t *slot = json_object_get(a->slots, key);
	if (slot) {
		a->vals[json_integer_value(slot)] += v;
		return 0;
	}
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 32;
		u128 *p = realloc(a->vals, nc * sizeof *p);
		if (!p)
			return -1;
		a->vals = p;
		a->cap = nc;
	}
	if (json_object_set_new(a->slots, key, json_integer((json_int_t)a->n)))
		return -1;
	a->vals[a->n++] = v;
	return 0;
}

typedef struct report {
	ot_store *st;
	json_t *cache;
	acc sums;     /* "<stage>|<element>|<country>[|<to>]" -> mg */
	acc payments; /* "<payee>|<currency>" -> amount */
	acc counts;   /* same key -> count */
	size_t findings;
	int oom;
} report;

static void add(report *r, const char *stage, const char *el, const char *c1, const char *c2,
                u128 mg)
{
	char key[64];
	snprintf(key, sizeof key, "%s|%s|%s%s%s", stage, el, c1, c2 ? "|" : "", c2 ? c2 : "");
	if (acc_add(&r->sums, key, mg))
		r->oom = 1;
}

/* The stage a lot's creation counts for: extraction, processing
 * (beneficiation, cracking, leaching: concentrates and intermediates) or
 * refining (separation, smelting, refining: oxides and metals). Blending,
 * split and merge only handle material: they count for nothing, so that
 * nothing is counted twice within a stage by them. */
static const char *stage_of(const char *type, const char *process)
{
	static const char *const processing[] = {"beneficiation", "cracking", "leaching", NULL};
	static const char *const refining[] = {"separation", "smelting", "refining", NULL};
	if (type && strcmp(type, "extract") == 0)
		return "extracted";
	for (size_t i = 0; process && processing[i]; i++)
		if (strcmp(process, processing[i]) == 0)
			return "processed";
	for (size_t i = 0; process && refining[i]; i++)
		if (strcmp(process, refining[i]) == 0)
			return "refined";
	return NULL;
}

static ot_status report_lot(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	report *r = ctx;
	json_t *lot = json_loadb((const char *)value, len, 0, NULL);
	if (!lot)
		return OT_ERR_CORRUPT;
	json_t *created = json_object_get(lot, "created");
	const char *type = otx_jstr(created, "type");
	const char *stage = stage_of(type, otx_jstr(lot, "process"));
	const char *status = otx_jstr(lot, "status");
	if (!stage || (status && strcmp(status, "void") == 0)) {
		json_decref(lot);
		return OT_OK;
	}
	const char *country = country_of(r->st, r->cache, otx_jstr(created, "site"));
	/* Best estimate: declared contents, overridden by certified ones. */
	json_t *assay = json_deep_copy(json_object_get(lot, "assay"));
	json_t *cert = json_object_get(json_object_get(lot, "certified"), "assay");
	if (assay && cert)
		json_object_update(assay, cert);
	uint64_t mass = (uint64_t)otx_jint(lot, "initial_g", 0);
	const char *el;
	json_t *ppm;
	json_object_foreach(assay, el, ppm)
	{
		uint64_t mg = otx_content_mg(mass, (uint64_t)json_integer_value(ppm));
		if (mg)
			add(r, stage, el, country, NULL, mg);
	}
	json_decref(assay);
	json_decref(lot);
	return r->oom ? OT_ERR_NOMEM : OT_OK;
}

static ot_status report_consignment(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	report *r = ctx;
	json_t *c = json_loadb((const char *)value, len, 0, NULL);
	if (!c)
		return OT_ERR_CORRUPT;
	const char *from = otx_jstr(c, "from_country"), *to = otx_jstr(c, "to_country");
	if (from && to && strcmp(from, to) != 0) {
		json_t *lots = json_object_get(c, "lots");
		for (size_t i = 0; i < json_array_size(lots); i++) {
			json_t *l = json_array_get(lots, i);
			const char *el, *country;
			json_t *mg, *by;
			json_object_foreach(json_object_get(l, "content_mg"), el, mg)
				add(r, "exported", el, from, to, (u128)json_integer_value(mg));
			json_object_foreach(json_object_get(l, "origin_countries"), el, by)
			{
				json_object_foreach(by, country, mg)
					add(r, "exported_origin", el, country, NULL,
				            (u128)json_integer_value(mg));
			}
		}
	}
	json_decref(c);
	return r->oom ? OT_ERR_NOMEM : OT_OK;
}

static ot_status report_payment(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	report *r = ctx;
	json_t *p = json_loadb((const char *)value, len, 0, NULL);
	if (!p)
		return OT_ERR_CORRUPT;
	json_t *amount = json_object_get(p, "amount");
	char k[400];
	snprintf(k, sizeof k, "%s|%s", otx_jstr(p, "payee"), otx_jstr(amount, "currency"));
	if (acc_add(&r->payments, k, (u128)otx_jint(amount, "amount", 0)) ||
	    acc_add(&r->counts, k, 1))
		r->oom = 1;
	json_decref(p);
	return r->oom ? OT_ERR_NOMEM : OT_OK;
}

static ot_status count_finding(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	(void)value;
	(void)len;
	((report *)ctx)->findings++;
	return OT_OK;
}

/* Report numbers stay within what a JSON reader holds exactly (2^53 - 1). */
static json_int_t clamp(u128 v)
{
	return v > (u128)OTX_JSON_INT_MAX ? (json_int_t)OTX_JSON_INT_MAX : (json_int_t)v;
}

typedef struct srow {
	const char *stage, *el, *c1, *c2;
	u128 mg;
} srow;

static int srow_cmp(const void *a, const void *b)
{
	const srow *x = a, *y = b;
	int c = strcmp(x->el, y->el);
	if (!c)
		c = strcmp(x->stage, y->stage);
	if (c)
		return c;
	if (x->mg != y->mg)
		return x->mg > y->mg ? -1 : 1;
	c = strcmp(x->c1, y->c1);
	return c ? c : strcmp(x->c2 ? x->c2 : "", y->c2 ? y->c2 : "");
}

/* Concentration of one stage of one element over rows [a, b): by country
 * (exported rows count for the exporting country). The largest country's
 * share in ppm, and the HHI: the sum of squared percentage shares, 0..10000. */
static json_t *concentration(const char *stage, const srow *rows, size_t a, size_t b)
{
	const char **names = calloc(b - a + 1, sizeof *names);
	u128 *sums = calloc(b - a + 1, sizeof *sums);
	size_t n = 0;
	u128 total = 0, hhi = 0;
	json_t *o = NULL;
	if (!names || !sums)
		goto out;
	for (size_t i = a; i < b; i++) {
		size_t k = 0;
		while (k < n && strcmp(names[k], rows[i].c1) != 0)
			k++;
		if (k == n)
			names[n++] = rows[i].c1;
		sums[k] += rows[i].mg;
		total += rows[i].mg;
	}
	size_t top = 0;
	for (size_t k = 1; k < n; k++)
		if (sums[k] > sums[top] ||
		    (sums[k] == sums[top] && strcmp(names[k], names[top]) < 0))
			top = k;
	for (size_t k = 0; total && k < n; k++) {
		/* share in ppm; (ppm / 10^4)^2 summed = sum(ppm^2) / 10^8 */
		u128 share = sums[k] * 1000000u / total;
		hhi += share * share;
	}
	o = json_pack("{s:s,s:s,s:I,s:I}", "stage", stage, "top_country", n ? names[top] : "",
	              "top_share_ppm", (json_int_t)(total && n ? sums[top] * 1000000u / total : 0),
	              "hhi", (json_int_t)((hhi + 50000000u) / 100000000u));
out:
	free(names);
	free(sums);
	return o;
}

/* The state the report sums: lots, consignments, payments, findings. */
static ot_status report_scan(ot_store *st, report *r, ot_error *err)
{
	ot_status rc;
	if ((rc = ot_store_kv_scan(st, OTX_NS_LOT, "", report_lot, r, err)) ||
	    (rc = ot_store_kv_scan(st, OTX_NS_CONSIGNMENT, "", report_consignment, r, err)) ||
	    (rc = ot_store_kv_scan(st, OTX_NS_PAYMENT, "", report_payment, r, err)) ||
	    (rc = ot_store_kv_scan(st, OTX_NS_FINDING, "", count_finding, r, err))) {
		if (rc == OT_ERR_NOMEM || rc == OT_ERR_CORRUPT)
			rc = ot_error_set(err, rc, "cannot read the state for the report");
		return rc;
	}
	return OT_OK;
}

/* Splits the sums' keys back into rows (*keys owns the strings they point
 * into, r->sums.n of them), sorted by element, stage, amount. */
static ot_status report_rows(report *r, srow **rows_out, char ***keys_out, ot_error *err)
{
	size_t n = r->sums.n, i = 0;
	srow *rows = *rows_out = calloc(n ? n : 1, sizeof *rows);
	char **keys = *keys_out = calloc(n ? n : 1, sizeof *keys);
	if (!rows || !keys)
		return nomem(err);
	const char *key;
	json_t *slot;
	json_object_foreach(r->sums.slots, key, slot)
	{
		char *k = strdup(key);
		if (!k)
			return nomem(err);
		keys[i] = k;
		srow *s = &rows[i++];
		s->mg = r->sums.vals[json_integer_value(slot)];
		s->stage = strtok(k, "|");
		s->el = strtok(NULL, "|");
		s->c1 = strtok(NULL, "|");
		s->c2 = strtok(NULL, "|");
	}
	qsort(rows, n, sizeof *rows, srow_cmp);
	return OT_OK;
}

/* One element's stages from its rows [a, b): the amounts by country (or
 * from, to) in grams, and each stage's concentration. */
static void report_element(json_t *m, const srow *rows, size_t a, size_t b)
{
	static const char *const stages[] = {"extracted", "processed", "refined", "exported",
	                                     "exported_origin"};
	for (size_t s = 0; s < sizeof stages / sizeof stages[0]; s++) {
		size_t x = a;
		while (x < b && strcmp(rows[x].stage, stages[s]) != 0)
			x++;
		size_t y = x;
		while (y < b && strcmp(rows[y].stage, stages[s]) == 0)
			y++;
		if (x == y)
			continue;
		json_t *list = json_object_get(m, stages[s]);
		for (size_t k = x; k < y; k++) {
			json_t *o = rows[k].c2
			                    ? json_pack("{s:s,s:s,s:I}", "from", rows[k].c1, "to",
			                                rows[k].c2, "grams",
			                                clamp((rows[k].mg + 500) / 1000))
			                    : json_pack("{s:s,s:I}", "country", rows[k].c1, "grams",
			                                clamp((rows[k].mg + 500) / 1000));
			json_array_append_new(list, o);
		}
		json_array_append_new(json_object_get(m, "concentration"),
		                      concentration(stages[s], rows, x, y));
	}
}

/* One object per element, from the sorted rows. */
static ot_status report_minerals(const srow *rows, size_t n, json_t *minerals, ot_error *err)
{
	size_t a = 0;
	while (a < n) {
		size_t b = a;
		while (b < n && strcmp(rows[b].el, rows[a].el) == 0)
			b++;
		json_t *m = json_pack("{s:s,s:[],s:[],s:[],s:[],s:[],s:[]}", "element", rows[a].el,
		                      "extracted", "processed", "refined", "exported",
		                      "exported_origin", "concentration");
		if (!m || json_array_append_new(minerals, m))
			return nomem(err);
		report_element(m, rows, a, b);
		a = b;
	}
	return OT_OK;
}

/* The payments by payee and currency: amount and count. */
static void report_payments(const report *r, json_t *pays)
{
	const char *key;
	json_t *slot;
	json_object_foreach(r->payments.slots, key, slot)
	{
		char payee[400];
		snprintf(payee, sizeof payee, "%s", key);
		char *bar = strrchr(payee, '|');
		if (!bar)
			continue;
		*bar = 0;
		json_int_t count =
			(json_int_t)r->counts
				.vals[json_integer_value(json_object_get(r->counts.slots, key))];
		json_array_append_new(
			pays, json_pack("{s:s,s:s,s:I,s:I}", "payee", payee, "currency", bar + 1,
		                        "amount", clamp(r->payments.vals[json_integer_value(slot)]),
		                        "count", count));
	}
}

ot_status otx_report_json(ot_store *st, json_t **out, ot_error *err)
{
	report r;
	srow *rows = NULL;
	char **keys = NULL;
	json_t *minerals = NULL, *pays = NULL, *doc = NULL;
	ot_status rc;
	*out = NULL;
	memset(&r, 0, sizeof r);
	r.st = st;
	r.cache = json_object();
	r.sums.slots = json_object();
	r.payments.slots = json_object();
	r.counts.slots = json_object();
	minerals = json_array();
	pays = json_array();
	if (!r.cache || !r.sums.slots || !r.payments.slots || !r.counts.slots || !minerals ||
	    !pays) {
		rc = nomem(err);
		goto out;
	}
	if ((rc = report_scan(st, &r, err)) || (rc = report_rows(&r, &rows, &keys, err)) ||
	    (rc = report_minerals(rows, r.sums.n, minerals, err)))
		goto out;
	report_payments(&r, pays);
	doc = json_pack("{s:O,s:O,s:I}", "minerals", minerals, "payments", pays, "findings",
	                (json_int_t)r.findings);
	if (!doc) {
		rc = nomem(err);
		goto out;
	}
	*out = doc;
out:
	for (size_t k = 0; keys && k < r.sums.n; k++)
		free(keys[k]);
	free(keys);
	free(rows);
	free(r.sums.vals);
	free(r.payments.vals);
	free(r.counts.vals);
	json_decref(r.sums.slots);
	json_decref(r.payments.slots);
	json_decref(r.counts.slots);
	json_decref(r.cache);
	json_decref(minerals);
	json_decref(pays);
	return rc;
}

/* --- public wrappers --- */

/* Adds to obj (a record with "index") the interval in which its entry was
 * logged, from the checkpoint history (timeline.h), as "logged". */
static ot_status add_logged(ot_store *st, json_t *obj, ot_error *err)
{
	json_t *idx = json_object_get(obj, "index");
	if (!json_is_integer(idx) || json_integer_value(idx) < 0)
		return OT_OK;
	otx_logged lg;
	ot_status rc = otx_logged_at(st, (uint64_t)json_integer_value(idx), &lg, err);
	if (rc)
		return rc;
	if (json_object_set_new(obj, "logged", otx_logged_json(&lg)))
		return nomem(err);
	return OT_OK;
}

static ot_status emit(json_t *doc, ot_status rc, int flags, char **json, ot_error *err)
{
	if (!rc)
		rc = otx_ledger_emit(doc, flags, json, err);
	json_decref(doc);
	return rc;
}

/* The compact trace without building the ancestry as JSON values: the
 * document is serialised with an empty "ancestry" and the array, written
 * straight from the index's text, goes in its place. Same bytes as
 * otx_ledger_emit of the whole document (test_query checks). */
static ot_status trace_compact(ot_store *st, const char *lot, int flags, char **json, ot_error *err)
{
	json_t *doc = NULL, *rec = NULL;
	ot_buf b;
	ot_buf_init(&b, 0);
	ot_status rc = trace_doc(
		st, lot, OTX_TRACE_NO_ANCESTRY | (flags & (OT_TRACE_STAGES | OT_TRACE_ASSAYS)),
		&doc, &rec, err);
	if (!rc)
		rc = add_logged(st, json_object_get(doc, "created"), err);
	char *head = NULL;
	if (!rc)
		rc = otx_ledger_emit(doc, 0, &head, err);
	static const char key[] = "\"ancestry\":[]";
	const char *at = head ? strstr(head, key) : NULL;
	if (!rc && !at)
		rc = ot_error_set(err, OT_ERR_CORRUPT, "trace of lot %s: no ancestry member", lot);
	if (!rc) {
		size_t pre = (size_t)(at - head) + sizeof key - 2; /* up to and with the '[' */
		rc = ot_buf_add(&b, head, pre);
		if (!rc)
			rc = otx_ancestry_each(st, rec, ancestry_text, &b, err);
		if (!rc)
			rc = ot_buf_adds(&b, at + sizeof key - 2);
		if (rc == OT_ERR_NOMEM || rc == OT_ERR_TOOBIG)
			rc = nomem(err);
	}
	if (!rc) {
		uint8_t *data = NULL;
		if ((rc = ot_buf_detach(&b, &data, NULL)))
			rc = nomem(err);
		*json = (char *)data;
	}
	free(head);
	ot_buf_free(&b);
	json_decref(rec);
	json_decref(doc);
	return rc;
}

ot_status ot_ledger_trace(ot_ledger *l, const char *lot, int flags, char **json, ot_error *err)
{
	json_t *doc = NULL;
	if (!l || !lot || !json)
		return ot_error_set(err, OT_ERR_ARG, "trace needs a ledger, a lot and an output");
	*json = NULL;
	/* One snapshot: one lock, and a consistent answer. */
	ot_status rc = ot_store_read_begin(l->st, err);
	if (rc)
		return rc;
	if (!(flags & (OT_JSON_PRETTY | OT_TRACE_CONTEXT))) {
		rc = trace_compact(l->st, lot, flags, json, err);
		ot_store_read_end(l->st);
		return rc;
	}
	rc = otx_trace_json(l->st, lot, flags, &doc, err);
	if (!rc)
		rc = add_logged(l->st, json_object_get(doc, "created"), err);
	ot_store_read_end(l->st);
	return emit(doc, rc, flags, json, err);
}

ot_status ot_ledger_lot(ot_ledger *l, const char *lot, const ot_cert_profile *profiles, size_t n,
                        const char *at, char **json, ot_error *err)
{
	json_t *doc = NULL;
	if (!l || !lot || (n && !profiles) || !at || !json)
		return ot_error_set(err, OT_ERR_ARG,
		                    "the lot's view needs a ledger, a lot, a date and an output");
	*json = NULL;
	otx_entry_reader rd = {otx_ledger_read_entry, l};
	ot_status rc = ot_store_read_begin(l->st, err);
	if (rc)
		return rc;
	rc = otx_trace_json(l->st, lot, OT_TRACE_STAGES, &doc, err);
	if (!rc)
		rc = add_logged(l->st, json_object_get(doc, "created"), err);
	if (!rc)
		rc = otx_lot_compliance(l->st, &rd, profiles, n, lot, at, doc, err);
	ot_store_read_end(l->st);
	return emit(doc, rc, 0, json, err);
}

ot_status ot_ledger_contract_show(ot_ledger *l, const char *contract, int64_t now, int flags,
                                  char **json, ot_error *err)
{
	json_t *doc = NULL;
	if (!l || !contract || !json)
		return ot_error_set(err, OT_ERR_ARG,
		                    "contract show needs a ledger, a contract and an output");
	*json = NULL;
	/* One snapshot: one lock, and a consistent answer. */
	ot_status rc = ot_store_read_begin(l->st, err);
	if (rc)
		return rc;
	rc = otx_contract_json(l->st, contract, now, &doc, err);
	ot_store_read_end(l->st);
	return emit(doc, rc, flags, json, err);
}

ot_status ot_ledger_report(ot_ledger *l, int flags, char **json, ot_error *err)
{
	json_t *doc = NULL;
	if (!l || !json)
		return ot_error_set(err, OT_ERR_ARG, "report needs a ledger and an output");
	*json = NULL;
	/* One snapshot: one lock, and a consistent answer. */
	ot_status rc = ot_store_read_begin(l->st, err);
	if (rc)
		return rc;
	rc = otx_report_json(l->st, &doc, err);
	ot_store_read_end(l->st);
	return emit(doc, rc, flags, json, err);
}
