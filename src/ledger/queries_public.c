/*
 * queries_public.c: the ledger's records as the HTTP API serves them
 * (ot_ledger_list, ot_ledger_record, ot_ledger_findings,
 * ot_ledger_disclosure in ledger.h): the state namespaces and their key
 * layouts (state.h) stay inside the ledger, and callers name a kind of
 * record and an id. Documents are serialised compact, keys in the order
 * stored, non-ASCII as UTF-8 (what `oretrail serve` has always sent).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger/findings.h"
#include "ledger/ledger_int.h"
#include "ledger/state.h"
#include "ledger/timeline.h"
#include "oretrail/status.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

static const struct {
	const char *ns;
	const char *plural; /* the list's member */
} KINDS[] = {
	[OT_RECORD_LOT] = {OTX_NS_LOT, "lots"},
	[OT_RECORD_CONSIGNMENT] = {OTX_NS_CONSIGNMENT, "consignments"},
	[OT_RECORD_CONTRACT] = {OTX_NS_CONTRACT, "contracts"},
	[OT_RECORD_ACTOR] = {OTX_NS_ACTOR, "actors"},
	[OT_RECORD_SITE] = {OTX_NS_SITE, "sites"},
};

static int kind_ok(ot_record_kind kind)
{
	return (unsigned)kind < sizeof KINDS / sizeof KINDS[0];
}

/* Serialises doc (taken over) into *json. */
static ot_status dump(json_t *doc, char **json, ot_error *err)
{
	*json = doc ? json_dumps(doc, DUMP_FLAGS) : NULL;
	json_decref(doc);
	return *json ? OT_OK : ot_error_set(err, OT_ERR_NOMEM, "cannot serialise the result");
}

typedef struct page {
	const char *after;
	size_t limit;
	json_t *items;
	char *next; /* the last key returned, when more follow */
	size_t count;
} page;

#define PAGE_FULL OT_ERR_RANGE /* stops the scan; not an error */

static ot_status page_add(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	page *p = ctx;
	if (p->after && strcmp(key, p->after) <= 0)
		return OT_OK;
	if (p->count == p->limit) {
		/* One more exists: say where the next page starts. */
		json_t *last = json_array_get(p->items, p->count - 1);
		const char *k = json_string_value(json_object_get(last, "_key"));
		p->next = k ? strdup(k) : NULL;
		return PAGE_FULL;
	}
	json_t *rec = json_loadb((const char *)value, len, 0, NULL);
	if (!json_is_object(rec)) {
		json_decref(rec);
		rec = json_object();
	}
	json_object_set_new(rec, "_key", json_string(key));
	json_array_append_new(p->items, rec);
	p->count++;
	return OT_OK;
}

/* The contracts, overdue ones first: each record with "overdue" and
 * "withheld" added, in two lists in id order. */
typedef struct clist {
	int64_t now;
	json_t *overdue, *rest;
} clist;

static ot_status clist_add(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	clist *c = ctx;
	json_t *rec = json_loadb((const char *)value, len, 0, NULL);
	if (!json_is_object(rec)) {
		json_decref(rec);
		return OT_ERR_CORRUPT;
	}
	int overdue = otx_contract_overdue(rec, c->now, NULL);
	json_object_set_new(rec, "overdue", json_boolean(overdue));
	json_object_set_new(rec, "withheld", json_integer((json_int_t)otx_contract_withheld(rec)));
	json_object_set_new(rec, "_key", json_string(key));
	return json_array_append_new(overdue ? c->overdue : c->rest, rec) ? OT_ERR_NOMEM : OT_OK;
}

static const char *item_key(json_t *list, size_t i)
{
	return json_string_value(json_object_get(json_array_get(list, i), "_key"));
}

ot_status ot_ledger_contract_list(ot_ledger *l, int64_t now, const char *prefix, const char *after,
                                  size_t limit, char **json, ot_error *err)
{
	if (!l || !json || limit == 0)
		return ot_error_set(err, OT_ERR_ARG, "contract list needs a ledger and a limit");
	*json = NULL;
	clist c = {now ? now : (int64_t)time(NULL), json_array(), json_array()};
	json_t *items = json_array();
	ot_status rc = c.overdue && c.rest && items ? OT_OK : OT_ERR_NOMEM;
	if (!rc)
		rc = ot_store_kv_scan(l->st, OTX_NS_CONTRACT, prefix ? prefix : "", clist_add, &c,
		                      err);
	if (rc) {
		rc = ot_error_set(err, rc, "cannot read the contracts");
		goto out;
	}
	size_t nover = json_array_size(c.overdue);
	if (json_array_extend(c.overdue, c.rest)) {
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		goto out;
	}
	json_t *all = c.overdue;
	size_t n = json_array_size(all), start = 0;
	if (after) {
		/* After `after` in this order; an id no longer listed resumes
		 * among the others by id. */
		while (start < n && strcmp(item_key(all, start), after) != 0)
			start++;
		if (start < n) {
			start++;
		} else {
			start = nover;
			while (start < n && strcmp(item_key(all, start), after) <= 0)
				start++;
		}
	}
	size_t end = n - start > limit ? start + limit : n;
	for (size_t i = start; i < end; i++) {
		json_t *rec = json_array_get(all, i);
		json_object_del(rec, "_key");
		json_array_append(items, rec);
	}
	/* The id of the last one, when more follow. */
	json_t *last = json_object_get(json_array_get(all, end - 1), "contract");
	json_t *next = end < n && json_is_string(last) ? json_copy(last) : json_null();
	rc = dump(json_pack("{s:O,s:o}", "contracts", items, "next", next), json, err);
out:
	json_decref(c.overdue);
	json_decref(c.rest);
	json_decref(items);
	return rc;
}

ot_status ot_ledger_list(ot_ledger *l, ot_record_kind kind, const char *prefix, const char *after,
                         size_t limit, char **json, ot_error *err)
{
	if (!l || !json || !kind_ok(kind) || limit == 0)
		return ot_error_set(err, OT_ERR_ARG, "list needs a ledger, a kind and a limit");
	if (kind == OT_RECORD_CONTRACT)
		return ot_ledger_contract_list(l, 0, prefix, after, limit, json, err);
	*json = NULL;
	page p = {after, limit, json_array(), NULL, 0};
	if (!p.items)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	ot_status rc =
		ot_store_kv_scan(l->st, KINDS[kind].ns, prefix ? prefix : "", page_add, &p, err);
	if (rc && rc != PAGE_FULL) {
		json_decref(p.items);
		free(p.next);
		return rc;
	}
	for (size_t i = 0; i < json_array_size(p.items); i++)
		json_object_del(json_array_get(p.items, i), "_key");
	json_t *doc = json_pack("{s:o,s:o}", KINDS[kind].plural, p.items, "next",
	                        p.next ? json_string(p.next) : json_null());
	free(p.next);
	return dump(doc, json, err);
}

ot_status ot_ledger_record(ot_ledger *l, ot_record_kind kind, const char *id, char **json,
                           ot_error *err)
{
	if (!l || !id || !json || !kind_ok(kind))
		return ot_error_set(err, OT_ERR_ARG, "record needs a ledger, a kind and an id");
	*json = NULL;
	json_t *rec = NULL;
	ot_status rc = otx_state_get(l->st, KINDS[kind].ns, id, &rec, err);
	return rc ? rc : dump(rec, json, err);
}

ot_status ot_ledger_findings(ot_ledger *l, int64_t now, uint32_t withheld_days, char **json,
                             ot_error *err)
{
	if (!l || !json)
		return ot_error_set(err, OT_ERR_ARG, "findings needs a ledger and an output");
	*json = NULL;
	json_t *list = json_array();
	ot_status rc = list ? OT_OK : ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	if (!rc)
		rc = otx_findings_recorded(l->st, list, err);
	if (!rc)
		rc = otx_findings_timed(l->st, l->st, now, withheld_days,
		                        otx_ledger_tolerance(l, 0), list, err);
	if (rc) {
		json_decref(list);
		return rc;
	}
	return dump(json_pack("{s:I,s:o}", "entries", (json_int_t)ot_log_size(l->log), "findings",
	                      list),
	            json, err);
}

ot_status ot_ledger_disclosure(ot_ledger *l, const char *contract, const char *field, char **value,
                               size_t *len, int *is_string, int64_t *index, ot_error *err)
{
	if (!l || !contract || !field || !value || !len || !is_string || !index)
		return ot_error_set(err, OT_ERR_ARG, "disclosure needs a ledger, ids and outputs");
	*value = NULL;
	*len = 0;
	char key[2048];
	int kn = snprintf(key, sizeof key, "%s %s", contract, field);
	if (kn < 0 || (size_t)kn >= sizeof key)
		return OT_ERR_NOTFOUND;
	json_t *rec = NULL;
	ot_status rc = otx_state_get(l->st, OTX_NS_DISCLOSURE, key, &rec, err);
	if (rc)
		return rc;
	json_t *v = json_object_get(rec, "value");
	*index = otx_jint(rec, "index", -1);
	*is_string = json_is_string(v);
	if (*is_string) {
		*len = json_string_length(v);
		*value = malloc(*len + 1);
		if (*value)
			memcpy(*value, json_string_value(v), *len + 1);
	} else {
		*value = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
		*len = *value ? strlen(*value) : 0;
	}
	json_decref(rec);
	if (!*value)
		return ot_error_set(err, v ? OT_ERR_NOMEM : OT_ERR_CORRUPT,
		                    "the disclosure of %s %s cannot be read", contract, field);
	return OT_OK;
}

ot_status ot_ledger_checkpoints(ot_ledger *l, uint64_t from, size_t limit, char **json,
                                ot_error *err)
{
	if (!l || !json || limit == 0)
		return ot_error_set(err, OT_ERR_ARG,
		                    "checkpoints needs a ledger, a limit and an output");
	*json = NULL;
	json_t *doc = NULL;
	ot_status rc = otx_checkpoints_json(l->st, from, limit, &doc, err);
	return rc ? rc : dump(doc, json, err);
}

ot_status ot_ledger_checkpoint_at(ot_ledger *l, uint64_t size, char **json, ot_error *err)
{
	if (!l || !json)
		return ot_error_set(err, OT_ERR_ARG, "checkpoint needs a ledger and an output");
	*json = NULL;
	json_t *doc = NULL;
	ot_status rc = otx_checkpoint_json(l->st, size, &doc, err);
	return rc ? rc : dump(doc, json, err);
}

ot_status ot_ledger_logged(ot_ledger *l, uint64_t index, char **json, ot_error *err)
{
	if (!l || !json)
		return ot_error_set(err, OT_ERR_ARG, "logged needs a ledger and an output");
	*json = NULL;
	if (index >= ot_log_size(l->log))
		return ot_error_at(err, OT_ERR_RANGE, "entry_not_found", (int64_t)index,
		                   "the log has no entry %llu", (unsigned long long)index);
	otx_logged lg;
	ot_status rc = ot_store_read_begin(l->st, err); /* one lock for the scans */
	if (rc)
		return rc;
	rc = otx_logged_at(l->st, index, &lg, err);
	ot_store_read_end(l->st);
	if (rc)
		return rc;
	json_t *doc = otx_logged_json(&lg);
	return doc ? dump(doc, json, err) : ot_error_set(err, OT_ERR_NOMEM, "out of memory");
}
