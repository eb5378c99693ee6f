/*
 * report_recycled.c: recycled content. A lot's recycled content is what
 * its `recycled` stage vector holds (provenance.h): the feed that `recycle`
 * events brought in, followed through every transform, shipment and assay
 * in the same proportions as the mined amounts, with its split into
 * post-consumer and pre-consumer scrap (the scrap-class vector). The share
 * of an element is recycled ÷ (mined + external + recycled), the measure
 * the EU Battery Regulation (EU) 2023/1542 Art. 8 asks of cobalt, lithium,
 * nickel and lead, applied here to any element. The report gives it per
 * lot, and per period the feed taken in (docs/events.md "Recycled feed").
 */
#include <stdlib.h>
#include <string.h>

#include "ledger/jcs.h"
#include "ledger/ledger_int.h"
#include "ledger/provenance.h"
#include "ledger/query.h"
#include "ledger/rules_int.h"
#include "ledger/state.h"

static ot_status nomem(ot_error *err)
{
	return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
}

/* The amount of element `el` at key `site` of v (0 when none). */
static uint64_t vector_at(const otx_vector *v, const char *el, const char *site)
{
	uint64_t mg = 0;
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->items[i].element, el) == 0 && strcmp(v->items[i].site, site) == 0)
			mg += v->items[i].mg;
	return mg;
}

static json_int_t clamp(uint64_t mg)
{
	return mg > (uint64_t)OTX_JSON_INT_MAX ? (json_int_t)OTX_JSON_INT_MAX : (json_int_t)mg;
}

ot_status otx_lot_recycled_rows(json_t *rec, json_t *out)
{
	otx_stages sv;
	otx_vector origins;
	otx_vector_init(&origins);
	ot_status rc = otx_stages_from_json(json_object_get(rec, "stages"), &sv);
	if (rc)
		return rc;
	if ((rc = otx_vector_from_json(json_object_get(rec, "origins"), &origins)))
		goto out;
	const otx_vector *recycled = &sv.v[OTX_STAGE_RECYCLED];
	for (size_t i = 0; !rc && i < recycled->n; i++) {
		const char *el = recycled->items[i].element;
		if (i > 0 && strcmp(recycled->items[i - 1].element, el) == 0)
			continue; /* one row per element: at its first item */
		uint64_t mg = otx_vector_total(recycled, el);
		uint64_t whole = otx_vector_total(&origins, el) + otx_unmined_total(&sv, el);
		uint64_t share = whole ? (uint64_t)((otx_u128)mg * 1000000u / whole) : 0;
		const otx_vector *scrap = &sv.v[OTX_STAGE_SCRAP];
		json_t *row = json_pack(
			"{s:s,s:I,s:I,s:I,s:I,s:I}", "element", el, "grams",
			clamp((mg + 500) / 1000), "mg", clamp(mg), "share_ppm", (json_int_t)share,
			"post_consumer_mg", clamp(vector_at(scrap, el, otx_scrap_classes[0])),
			"pre_consumer_mg", clamp(vector_at(scrap, el, otx_scrap_classes[1])));
		if (!row || json_array_append_new(out, row))
			rc = OT_ERR_NOMEM;
	}
out:
	otx_vector_free(&origins);
	otx_stages_free(&sv);
	return rc;
}

/* --- the report --- */

typedef struct recycled_report {
	const char *period;
	json_t *lots;   /* [created index, row] of the lots made in the period */
	json_t *intake; /* the same for the recycle events */
	json_t *feed;   /* element -> [mg, post-consumer mg, pre-consumer mg] */
	ot_store *st;
	ot_error *err;
} recycled_report;

static int by_index(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_array_get(*(json_t *const *)a, 0));
	json_int_t y = json_integer_value(json_array_get(*(json_t *const *)b, 0));
	return x < y ? -1 : x > y;
}

/* The rows of `pairs` ([index, row]) in log order, as a new array. */
static json_t *in_log_order(json_t *pairs)
{
	size_t n = json_array_size(pairs);
	json_t **v = calloc(n ? n : 1, sizeof *v);
	json_t *out = v ? json_array() : NULL;
	for (size_t i = 0; out && i < n; i++)
		v[i] = json_array_get(pairs, i);
	if (out)
		qsort(v, n, sizeof *v, by_index);
	for (size_t i = 0; out && i < n; i++)
		if (json_array_append(out, json_array_get(v[i], 1))) {
			json_decref(out);
			out = NULL;
		}
	free(v);
	return out;
}

/* Adds a recycle lot's intake, by element, to the period's feed. */
static int feed_add(json_t *feed, json_t *lot, const char *scrap)
{
	json_t *assay = otx_lot_best_assay(lot);
	uint64_t mass = (uint64_t)otx_jint(lot, "initial_g", 0);
	int post = strcmp(scrap, otx_scrap_classes[0]) == 0;
	const char *el;
	json_t *ppm;
	int fail = !assay;
	json_object_foreach(assay, el, ppm)
	{
		json_int_t mg = clamp(otx_content_mg(mass, (uint64_t)json_integer_value(ppm)));
		json_t *acc = json_object_get(feed, el);
		if (!acc && json_object_set_new(feed, el,
		                                acc = json_pack("[I,I,I]", (json_int_t)0,
		                                                (json_int_t)0, (json_int_t)0))) {
			fail = 1;
			break;
		}
		for (size_t k = 0; k < 3; k++) {
			if (k == 1 && !post)
				continue;
			if (k == 2 && post)
				continue;
			json_int_t was = json_integer_value(json_array_get(acc, k));
			json_array_set_new(acc, k,
			                   json_integer(was > OTX_JSON_INT_MAX - mg
			                                        ? OTX_JSON_INT_MAX
			                                        : was + mg));
		}
	}
	json_decref(assay);
	return fail;
}

/* The site's country, "??" when unknown. */
static const char *country_of(recycled_report *r, const char *site, json_t **keep)
{
	json_t *rec = NULL;
	if (site && otx_state_get(r->st, OTX_NS_SITE, site, &rec, NULL) == OT_OK && rec) {
		*keep = rec;
		const char *c = otx_jstr(rec, "country");
		return c ? c : "??";
	}
	return "??";
}

/* One lot: its recycled content now, and when a recycle made it in the
 * period, its intake. */
static ot_status recycled_lot(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	recycled_report *r = ctx;
	json_t *lot = json_loadb((const char *)value, len, 0, NULL), *site = NULL;
	if (!lot)
		return OT_ERR_CORRUPT;
	json_t *created = json_object_get(lot, "created");
	json_t *index = json_object_get(created, "index");
	ot_status rc = OT_OK;
	if (!otx_in_period(r->period, otx_jstr(created, "time")))
		goto out;
	json_t *rows = json_array();
	if (!rows) {
		rc = OT_ERR_NOMEM;
		goto out;
	}
	if ((rc = otx_lot_recycled_rows(lot, rows)) || json_array_size(rows) == 0) {
		json_decref(rows);
	} else {
		json_t *row = json_pack(
			"{s:s,s:s,s:O,s:s,s:s,s:s,s:s,s:I,s:I,s:o}", "lot", otx_jstr(lot, "lot"),
			"material", otx_jstr(lot, "material"), "index", index, "type",
			otx_jstr(created, "type"), "time", otx_jstr(created, "time"), "holder",
			otx_jstr(lot, "holder"), "status", otx_jstr(lot, "status"), "mass_g",
			(json_int_t)otx_jint(lot, "mass_g", 0), "initial_g",
			(json_int_t)otx_jint(lot, "initial_g", 0), "elements", rows);
		if (!row || json_array_append_new(r->lots, json_pack("[O,o]", index, row)))
			rc = OT_ERR_NOMEM;
	}
	json_t *what = json_object_get(lot, "recycled");
	if (rc || strcmp(otx_jstr(created, "type"), "recycle") != 0 || !what)
		goto out;
	const char *scrap = otx_jstr(what, "scrap");
	json_t *assay = otx_lot_best_assay(lot);
	json_t *in = assay ? json_pack("{s:s,s:O,s:s,s:s,s:s,s:s,s:s,s:O*,s:I,s:o}", "lot",
	                               otx_jstr(lot, "lot"), "index", index, "time",
	                               otx_jstr(created, "time"), "site", otx_jstr(created, "site"),
	                               "country", country_of(r, otx_jstr(created, "site"), &site),
	                               "scrap", scrap, "source", otx_jstr(what, "source"),
	                               "collected_in", json_object_get(what, "country"), "mass_g",
	                               (json_int_t)otx_jint(lot, "initial_g", 0), "assay", assay)
	                   : NULL;
	if (!in || json_array_append_new(r->intake, json_pack("[O,o]", index, in)) ||
	    feed_add(r->feed, lot, scrap))
		rc = OT_ERR_NOMEM;
out:
	json_decref(site);
	json_decref(lot);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The feed by element, sorted by symbol. */
static json_t *feed_rows(json_t *feed)
{
	size_t n = json_object_size(feed), k = 0;
	const char **els = calloc(n ? n : 1, sizeof *els);
	json_t *out = els ? json_array() : NULL;
	const char *el;
	json_t *acc;
	json_object_foreach(feed, el, acc)
	{
		if (els)
			els[k++] = el;
	}
	if (out)
		qsort(els, n, sizeof *els, cmp_str);
	for (size_t i = 0; out && i < n; i++) {
		acc = json_object_get(feed, els[i]);
		json_int_t mg = json_integer_value(json_array_get(acc, 0));
		json_t *row = json_pack("{s:s,s:I,s:I,s:O,s:O}", "element", els[i], "grams",
		                        (mg + 500) / 1000, "mg", mg, "post_consumer_mg",
		                        json_array_get(acc, 1), "pre_consumer_mg",
		                        json_array_get(acc, 2));
		if (!row || json_array_append_new(out, row)) {
			json_decref(out);
			out = NULL;
		}
	}
	free(els);
	return out;
}

ot_status ot_ledger_report_recycled(ot_ledger *l, const char *period, int flags, char **json,
                                    ot_error *err)
{
	if (!l || !json)
		return ot_error_set(err, OT_ERR_ARG,
		                    "report recycled needs a ledger and an output");
	*json = NULL;
	ot_status bad = otx_period_check(period, err);
	if (bad)
		return bad;
	recycled_report r = {period, json_array(), json_array(), json_object(), l->st, err};
	json_t *doc = NULL;
	ot_status rc = r.lots && r.intake && r.feed ? ot_store_read_begin(l->st, err) : nomem(err);
	if (!rc) {
		rc = ot_store_kv_scan(l->st, OTX_NS_LOT, "", recycled_lot, &r, err);
		ot_store_read_end(l->st);
		if (rc == OT_ERR_NOMEM || rc == OT_ERR_CORRUPT)
			rc = ot_error_set(err, rc, "cannot read the lots for the recycled report");
	}
	if (!rc) {
		doc = json_pack("{s:s?,s:o*,s:o*,s:o*}", "period", period, "feed",
		                feed_rows(r.feed), "intake", in_log_order(r.intake), "lots",
		                in_log_order(r.lots));
		if (!doc || json_object_size(doc) != 4)
			rc = nomem(err);
	}
	if (!rc)
		rc = otx_ledger_emit(doc, flags, json, err);
	json_decref(doc);
	json_decref(r.lots);
	json_decref(r.intake);
	json_decref(r.feed);
	return rc;
}
