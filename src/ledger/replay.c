/*
 * replay.c: the one replay engine (replay.h, replay_int.h): walks entries
 * through the ledger's rules over a state and reports each outcome.
 *
 * Every path that applies entries goes through otx_replay_items: ledger
 * submission (over the ledger's store), the audit and certificate
 * verification (over an empty in-memory store), and, through the public
 * ot_replay handle, the monitor. Parsing and signature verification run on
 * every core ahead of the rules (batch.h); the rules then see each entry
 * in log order inside a store savepoint, so that a rejected entry changes
 * nothing. The hot path adds nothing per entry beyond filling the outcome.
 */
#include "ledger/replay_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/comply.h"
#include "ledger/findings.h"
#include "ledger/ledger_int.h"
#include "ledger/query.h"
#include "ledger/state.h"
#include "oretrail/status.h"

struct ot_replay {
	ot_store *mem;
	otx_ledger_ctx ctx;
	int flags;
	uint64_t accepted; /* entries accepted so far, for ot_replay_state */
	uint64_t rejected_count;
	json_t *rejected; /* [{"index","code","message"}] of the first rejected */
};

/* Bounds the rejections ot_replay_state lists (a hostile log could be all
 * rejections); the count of the rest is still exact. */
#define REJECTED_LISTED 1000

/* Wraps the caller's callback: counts the outcome for ot_replay_state. */
typedef struct tally {
	ot_replay *r;
	ot_replay_fn fn;
	void *ctx;
} tally;

/* The state of one otx_replay_items call, for replay_item. */
typedef struct engine {
	const otx_replay_run *run;
	otx_batch_item *items;
	uint64_t next; /* the next entry's index, when consecutive */
	ot_error *err;
} engine;

/* Applies a parsed item at o->index in a savepoint; the rules' verdict goes
 * to o->status and *rule_err, a store failure is returned. */
static ot_status apply(engine *e, otx_batch_item *it, ot_replay_outcome *o, ot_error *rule_err)
{
	ot_store *st = e->run->st;
	ot_status rc = otx_state_savepoint(st, e->err);
	if (rc)
		return rc;
	o->status = otx_rules_apply_ex(st, e->run->ctx, o->index, &it->env,
	                               it->verified ? it->verified_pk : NULL, rule_err);
	if (o->status) {
		o->error = rule_err;
		return otx_state_rollback_to(st, e->err);
	}
	return otx_state_release(st, e->err);
}

/* otx_batch_run's callback: item i, verified, in order. */
static ot_status replay_item(void *ctx, size_t i)
{
	engine *e = ctx;
	otx_batch_item *it = &e->items[i];
	ot_error rule_err;
	ot_replay_outcome o;
	memset(&o, 0, sizeof o);
	o.index = e->run->indexes ? e->run->indexes[i] : e->next;
	o.position = i;
	o.data = it->data;
	o.len = it->len;
	ot_status rc = OT_OK;
	if (it->parse_rc) {
		o.status = it->parse_rc;
		o.error = &it->parse_err;
	} else {
		o.parsed = 1;
		o.type = it->env.type;
		o.id = it->env.id;
		o.time = it->env.time;
		o.verified_ahead = it->verified;
		o.canonical = it->env.entry.data;
		o.canonical_len = it->env.entry.len;
		ot_error_clear(&rule_err);
		if ((rc = apply(e, it, &o, &rule_err)))
			return rc;
	}
	if (o.status == OT_OK || !(e->run->flags & OTX_REPLAY_PACKED))
		e->next++;
	return e->run->fn ? e->run->fn(e->run->fn_ctx, &o) : OT_OK;
}

ot_status otx_replay_settle(ot_store *mem, ot_error *err)
{
	ot_status rc = ot_store_commit(mem, err);
	return rc ? rc : ot_store_begin(mem, err);
}

ot_status otx_replay_items(const otx_replay_run *run, otx_batch_item *items, size_t n,
                           ot_error *err)
{
	engine e = {run, items, run->first, err};
	/* The batch's records stay parsed in the overlay and are written once
	 * each, at the end (state.h). */
	otx_overlay *ov = NULL;
	ot_status rc = otx_overlay_begin(run->st, (run->flags & OT_REPLAY_SERIAL) != 0, &ov, err);
	if (rc)
		return rc;
	rc = otx_batch_run(run->st, run->ctx, items, n, (run->flags & OT_REPLAY_SERIAL) != 0,
	                   replay_item, &e, err);
	ot_status end = otx_overlay_end(ov, rc ? NULL : err);
	return rc ? rc : end;
}

ot_status ot_replay_new(const ot_verifier *authority_key, int flags, ot_replay **out, ot_error *err)
{
	if (!authority_key || !out)
		return ot_error_set(err, OT_ERR_ARG, "a replay needs the authority's key");
	*out = NULL;
	ot_replay *r = calloc(1, sizeof *r);
	if (!r)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	r->ctx.authority = ot_verifier_name(authority_key);
	r->ctx.authority_key = authority_key;
	r->ctx.cache = otx_signer_cache_new(); /* optional: NULL only costs speed */
	r->flags = flags & OT_REPLAY_SERIAL;
	r->rejected = json_array();
	ot_status rc = r->rejected ? OT_OK : ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	if (!rc)
		rc = ot_store_open(OT_STORE_MEMORY, OT_STORE_CREATE, &r->mem, err);
	if (!rc && (rc = ot_store_begin(r->mem, err))) {
		ot_store_close(r->mem);
		r->mem = NULL;
	}
	if (rc) {
		ot_replay_free(r);
		return rc;
	}
	*out = r;
	return OT_OK;
}

static ot_status count_outcome(void *ctx, const ot_replay_outcome *o)
{
	tally *t = ctx;
	if (o->status == OT_OK) {
		t->r->accepted++;
	} else if (t->r->rejected_count++ < REJECTED_LISTED) {
		const char *code = o->error && o->error->code[0] ? o->error->code : "";
		json_t *row = json_pack("{s:I,s:s,s:s}", "index", (json_int_t)o->index, "code",
		                        code, "message", o->error ? o->error->message : "");
		if (!row || json_array_append_new(t->r->rejected, row))
			return OT_ERR_NOMEM;
	}
	return t->fn ? t->fn(t->ctx, o) : OT_OK;
}

ot_status ot_replay_entries(ot_replay *r, uint64_t first, const uint64_t *indexes,
                            const uint8_t *const *entries, const size_t *lens, size_t n,
                            ot_replay_fn fn, void *ctx, ot_error *err)
{
	if (!r || (n && (!entries || !lens)))
		return ot_error_set(err, OT_ERR_ARG, "a replay needs a handle and the entries");
	if (n == 0)
		return OT_OK;
	otx_batch_item *items = calloc(n, sizeof *items);
	if (!items)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	otx_batch_init(items, n, entries, lens);
	tally t = {r, fn, ctx};
	otx_replay_run run = {r->mem, &r->ctx, first, indexes, r->flags, count_outcome, &t};
	ot_status rc = otx_replay_items(&run, items, n, err);
	otx_batch_clear(items, n, (r->flags & OT_REPLAY_SERIAL) != 0);
	free(items);
	if (!rc)
		rc = otx_replay_settle(r->mem, err);
	return rc;
}

ot_status ot_replay_entry(ot_replay *r, uint64_t index, const uint8_t *entry, size_t len,
                          ot_replay_fn fn, void *ctx, ot_error *err)
{
	return ot_replay_entries(r, index, NULL, &entry, &len, 1, fn, ctx, err);
}

ot_status ot_replay_findings(ot_replay *r, int64_t now, uint32_t withheld_days, char **json,
                             ot_error *err)
{
	if (!r || !json)
		return ot_error_set(err, OT_ERR_ARG, "findings need a replay and an output");
	*json = NULL;
	json_t *all = json_array();
	if (!all)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	ot_status rc = otx_findings_recorded(r->mem, all, err);
	if (!rc)
		rc = otx_findings_withheld(r->mem, NULL, now, withheld_days, all, err);
	if (!rc)
		rc = otx_ledger_emit(all, 0, json, err);
	json_decref(all);
	return rc;
}

/* The records of one namespace into an object by id, as stored. */
typedef struct records {
	json_t *into;
	ot_error *err;
} records;

static ot_status add_record(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	records *rs = ctx;
	json_t *rec = json_loadb((const char *)value, len, 0, NULL);
	if (!rec)
		return ot_error_set(rs->err, OT_ERR_CORRUPT, "state record \"%s\" is not JSON",
		                    key);
	return json_object_set_new(rs->into, key, rec) ? OT_ERR_NOMEM : OT_OK;
}

ot_status ot_replay_state(ot_replay *r, int64_t now, uint32_t withheld_days, char **json,
                          ot_error *err)
{
	static const struct {
		const char *member, *ns;
	} KINDS[] = {
		{"actors", OTX_NS_ACTOR},       {"sites", OTX_NS_SITE},
		{"lots", OTX_NS_LOT},           {"consignments", OTX_NS_CONSIGNMENT},
		{"contracts", OTX_NS_CONTRACT},
	};
	if (!r || !json)
		return ot_error_set(err, OT_ERR_ARG, "state needs a replay and an output");
	*json = NULL;
	json_t *doc = json_pack("{s:I,s:I,s:O}", "accepted", (json_int_t)r->accepted, "rejected",
	                        (json_int_t)r->rejected_count, "rejections", r->rejected);
	json_t *findings = json_array();
	ot_status rc = doc && findings ? OT_OK : ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	for (size_t i = 0; !rc && i < sizeof KINDS / sizeof KINDS[0]; i++) {
		records rs = {json_object(), err};
		if (!rs.into || json_object_set_new(doc, KINDS[i].member, rs.into))
			rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		else
			rc = ot_store_kv_scan(r->mem, KINDS[i].ns, "", add_record, &rs, err);
	}
	if (!rc)
		rc = otx_findings_recorded(r->mem, findings, err);
	if (!rc)
		rc = otx_findings_withheld(r->mem, NULL, now, withheld_days, findings, err);
	if (!rc && json_object_set(doc, "findings", findings))
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	if (!rc)
		rc = otx_ledger_emit(doc, 0, json, err);
	json_decref(findings);
	json_decref(doc);
	return rc;
}

/* The entries given to ot_replay_lot, by log index. */
typedef struct entry_array {
	const uint8_t *const *data;
	const size_t *lens;
	size_t n;
} entry_array;

/* otx_entry_reader's read over an entry_array. */
static ot_status array_read_entry(void *ctx, uint64_t index, uint8_t **data, size_t *len,
                                  ot_error *err)
{
	const entry_array *a = ctx;
	if (index >= a->n)
		return ot_error_at(err, OT_ERR_NOTFOUND, "entry_not_found", -1,
		                   "the lot's lineage cites entry %" PRIu64 ", past the %zu given",
		                   index, a->n);
	if (!(*data = malloc(a->lens[index] ? a->lens[index] : 1)))
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	memcpy(*data, a->data[index], a->lens[index]);
	*len = a->lens[index];
	return OT_OK;
}

ot_status ot_replay_lot(ot_replay *r, const char *lot, const ot_cert_profile *profiles, size_t n,
                        const char *at, const uint8_t *const *entries, const size_t *lens,
                        size_t n_entries, char **json, ot_error *err)
{
	if (!r || !lot || (n && !profiles) || !at || (n_entries && (!entries || !lens)) || !json)
		return ot_error_set(err, OT_ERR_ARG,
		                    "the lot's view needs a replay, a lot, a date and an output");
	*json = NULL;
	entry_array a = {entries, lens, n_entries};
	otx_entry_reader rd = {array_read_entry, &a};
	json_t *trace = NULL, *doc = json_pack("{s:s}", "lot", lot);
	ot_status rc = doc ? otx_trace_json(r->mem, lot, OT_TRACE_STAGES | OTX_TRACE_NO_ANCESTRY,
	                                    &trace, err)
	                   : ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	if (!rc && json_object_set(doc, "stages", json_object_get(trace, "stages")))
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	if (!rc)
		rc = otx_lot_compliance(r->mem, &rd, profiles, n, lot, at, doc, err);
	if (!rc)
		rc = otx_ledger_emit(doc, 0, json, err);
	json_decref(trace);
	json_decref(doc);
	return rc;
}

ot_status ot_replay_report_crma(ot_replay *r, const char *profile_json, size_t len,
                                const char *year, char **json, ot_error *err)
{
	if (!r)
		return ot_error_set(err, OT_ERR_ARG, "report crma needs a replay");
	return otx_report_crma(r->mem, profile_json, len, year, 0, json, err);
}

ot_store *otx_replay_store(ot_replay *r)
{
	return r ? r->mem : NULL;
}

void ot_replay_free(ot_replay *r)
{
	if (!r)
		return;
	if (r->mem) {
		ot_store_rollback(r->mem);
		ot_store_close(r->mem);
	}
	otx_signer_cache_free(r->ctx.cache);
	json_decref(r->rejected);
	free(r);
}
