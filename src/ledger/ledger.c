/*
 * ledger.c: the public ledger handle (ledger.h): creating and opening a
 * ledger over a store and its log, and submitting batches of events.
 *
 * A batch is one store transaction. Each event gets a savepoint: the rules
 * check it against the state the earlier events left and write its effects;
 * a rejected event is rolled back to its savepoint, so it changes nothing.
 * The accepted entries are then appended to the log in the same transaction
 * with a new signed checkpoint, and one commit makes state, entries and
 * checkpoint durable together.
 */
#include "ledger/ledger_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger/envelope.h"
#include "ledger/replay_int.h"
#include "ledger/state.h"
#include "ledger/timeline.h"
#include "oretrail/status.h"

ot_status otx_ledger_emit(json_t *doc, int flags, char **json, ot_error *err)
{
	size_t f = JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII;
	f |= (flags & OT_JSON_PRETTY) ? JSON_INDENT(2) : JSON_COMPACT;
	/* Compact: the same bytes without jansson's cycle check (a formatted
	 * pointer and a hash insert per object; most of an audit's output
	 * time with thousands of findings). */
	*json = (flags & OT_JSON_PRETTY) ? NULL : otx_json_dump_ordered(doc);
	if (!*json)
		*json = json_dumps(doc, f);
	if (!*json)
		return ot_error_set(err, OT_ERR_NOMEM, "cannot serialise the result");
	return OT_OK;
}

int64_t otx_ledger_tolerance(const ot_ledger *l, int64_t override)
{
	int64_t t = override ? override : l->tolerance_s;
	return t < 0 ? 0 : t ? t : OTX_TIME_TOLERANCE_S;
}

void ot_ledger_set_tolerance(ot_ledger *l, int64_t seconds)
{
	if (l)
		l->tolerance_s = seconds;
}

/* Records the log's latest checkpoint in the history (timeline.h) with
 * the operator's clock as its signing time, inside the open transaction. */
static ot_status record_checkpoint(ot_ledger *l, ot_error *err)
{
	char *note = NULL;
	size_t len = 0;
	ot_status rc = ot_log_checkpoint(l->log, &note, &len, err);
	if (!rc)
		rc = otx_timeline_published(l->st, ot_log_size(l->log), note, len,
		                            (int64_t)time(NULL), err);
	free(note);
	return rc;
}

static ot_status finish_open(ot_store *st, const ot_signer *signer, ot_ledger **out, ot_error *err)
{
	char *vkey = NULL;
	ot_ledger *l = calloc(1, sizeof *l);
	ot_status rc = OT_ERR_NOMEM;
	if (!l) {
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		goto fail;
	}
	l->st = st;
	if ((rc = ot_log_open(st, signer, &l->log, err)))
		goto fail;
	rc = ot_store_get_meta(st, "log_vkey", &vkey, err);
	if (rc == OT_ERR_NOTFOUND)
		rc = ot_error_set(err, OT_ERR_SCHEMA, "the store holds no log key (meta log_vkey)");
	if (rc)
		goto fail;
	if ((rc = ot_verifier_parse(vkey, strlen(vkey), &l->authority_key, err))) {
		ot_error_prefix(err, "the log key in the store");
		goto fail;
	}
	free(vkey);
	l->ctx.authority = ot_verifier_name(l->authority_key);
	l->ctx.authority_key = l->authority_key;
	l->ctx.cache = otx_signer_cache_new(); /* optional: NULL only costs speed */
	l->can_append = signer != NULL;
	*out = l;
	return OT_OK;
fail:
	free(vkey);
	if (l) {
		ot_log_close(l->log);
		free(l);
	}
	ot_store_close(st);
	return rc;
}

ot_status ot_ledger_create(const char *path, const char *origin, const ot_signer *authority,
                           ot_ledger **out, ot_error *err)
{
	ot_store *st = NULL;
	if (!path || !origin || !authority || !out)
		return ot_error_set(err, OT_ERR_ARG,
		                    "creating a ledger needs a path, an origin and a key");
	*out = NULL;
	const char *name = ot_signer_name(authority);
	if (!name || !otx_actor_id_valid(name, strlen(name)))
		return ot_error_at(
			err, OT_ERR_ARG, "bad_signer", -1,
			"the authority's key is named \"%.130s\", which is not an actor id "
			"(1-%d bytes of A-Z a-z 0-9 . _ : -): the authority could not sign "
			"the registry events",
			name ? name : "", OTX_SIGNER_MAX);
	/* Atomic: a ledger without its log (origin, first checkpoint) is never
	 * left behind in a PostgreSQL database. */
	ot_status rc = ot_store_open(path, OT_STORE_CREATE | OT_STORE_CREATE_ATOMIC, &st, err);
	if (rc)
		return rc;
	if ((rc = ot_log_create(st, origin, authority, err))) {
		ot_store_close(st);
		return rc;
	}
	if ((rc = finish_open(st, authority, out, err)))
		return rc;
	/* The empty tree's checkpoint opens the history. */
	if ((rc = ot_store_begin(st, err)))
		goto fail;
	if ((rc = record_checkpoint(*out, err)))
		ot_store_rollback(st);
	else
		rc = ot_store_commit(st, err);
	if (!rc)
		return OT_OK;
fail:
	ot_ledger_close(*out);
	*out = NULL;
	return rc;
}

ot_status ot_ledger_open(const char *path, const ot_signer *log_signer, int flags, ot_ledger **out,
                         ot_error *err)
{
	ot_store *st = NULL;
	if (!path || !out)
		return ot_error_set(err, OT_ERR_ARG, "opening a ledger needs a path");
	*out = NULL;
	if ((flags & OT_LEDGER_READONLY) && log_signer)
		return ot_error_set(err, OT_ERR_ARG, "a read-only ledger takes no signer");
	int store_flags = (flags & OT_LEDGER_READONLY) ? OT_STORE_READONLY : 0;
	if ((flags & OT_LEDGER_READONLY) && (flags & OT_LEDGER_NOWRITE))
		store_flags |= OT_STORE_NOWRITE;
	ot_status rc = ot_store_open(path, store_flags, &st, err);
	if (rc)
		return rc;
	return finish_open(st, log_signer, out, err);
}

void ot_ledger_close(ot_ledger *l)
{
	if (!l)
		return;
	ot_log_close(l->log);
	ot_verifier_free(l->authority_key);
	otx_signer_cache_free(l->ctx.cache);
	otx_key_memo_free(l->memo);
	ot_store_close(l->st);
	free(l);
}

ot_store *ot_ledger_store(ot_ledger *l)
{
	return l ? l->st : NULL;
}

ot_log *ot_ledger_log(ot_ledger *l)
{
	return l ? l->log : NULL;
}

const char *ot_ledger_authority(const ot_ledger *l)
{
	return l ? l->ctx.authority : NULL;
}

/* An event's own fault (reported against it) rather than the store's. */
static int is_rejection(ot_status s)
{
	return s == OT_ERR_PARSE || s == OT_ERR_SIGNER || s == OT_ERR_VERIFY || s == OT_ERR_RULE ||
	       s == OT_ERR_CONFLICT || s == OT_ERR_TOOBIG || s == OT_ERR_KEY;
}

/* The state of one submit, for submit_outcome. */
typedef struct submit_run {
	ot_ledger *l;
	uint64_t base; /* the log index of the batch's first accepted entry */
	int retry;     /* OT_SUBMIT_RETRY */
	ot_submit_result *results;
	int keep_going;
	const uint8_t **ok_data;
	size_t *ok_len, *ok_pos, k;
	ot_error *err;
} submit_run;

/* A retry: o was rejected (as a duplicate id, or by a rule that no longer
 * holds, such as a key revoked since) and the entry that holds its id (in
 * the log, or accepted earlier in this batch) is byte for byte the same
 * canonical envelope. Its log index, or -1 when it is not a retry. */
static int64_t retried_index(const submit_run *s, const ot_replay_outcome *o)
{
	if (!s->retry || !is_rejection(o->status) || !o->canonical || !o->id)
		return -1;
	json_t *prev = NULL;
	ot_error e;
	ot_error_clear(&e);
	if (otx_state_get(s->l->st, OTX_NS_EVENT_ID, o->id, &prev, &e))
		return -1;
	int64_t at = otx_jint(prev, "index", -1);
	json_decref(prev);
	if (at < 0)
		return -1;
	if ((uint64_t)at >= s->base) {
		size_t j = (size_t)((uint64_t)at - s->base);
		return j < s->k && s->ok_len[j] == o->canonical_len &&
		                       memcmp(s->ok_data[j], o->canonical, o->canonical_len) == 0
		               ? at
		               : -1;
	}
	uint8_t *data = NULL;
	size_t len = 0;
	if (ot_log_entry(s->l->log, (uint64_t)at, &data, &len, &e))
		return -1;
	int same = len == o->canonical_len && memcmp(data, o->canonical, len) == 0;
	free(data);
	return same ? at : -1;
}

/* What became of batch entry o->position (the replay engine calls it in
 * order, the accepted ones at consecutive log indexes). A store failure,
 * or a rejection without keep_going, stops the batch. */
static ot_status submit_outcome(void *ctx, const ot_replay_outcome *o)
{
	submit_run *s = ctx;
	size_t i = o->position;
	if (o->status == OT_OK) {
		s->ok_data[s->k] = o->canonical;
		s->ok_len[s->k] = o->canonical_len;
		s->ok_pos[s->k] = i;
		s->k++;
		return OT_OK;
	}
	int64_t retried = retried_index(s, o);
	if (retried >= 0) {
		if (s->results) {
			s->results[i].index = retried;
			s->results[i].existing = 1;
		}
		return OT_OK;
	}
	ot_error ev_err = *o->error;
	if (ev_err.status == OT_OK)
		ot_error_set(&ev_err, o->status, "event %s: rejected", o->id);
	if (!is_rejection(o->status)) {
		if (s->err)
			*s->err = ev_err;
		return o->status; /* the store failed: nothing is appended */
	}
	ot_error_prefix(&ev_err, "batch entry %zu", i);
	ev_err.index = (int64_t)i;
	if (s->results)
		s->results[i].error = ev_err;
	if (!s->keep_going) {
		if (s->err)
			*s->err = ev_err;
		return ev_err.status;
	}
	return OT_OK;
}

/* Checks submit's arguments (no_entries: some of the n entries are
 * missing), after emptying n_appended, and empties the results. */
static ot_status submit_prepare(const ot_ledger *l, int no_entries, size_t n, int flags,
                                ot_submit_result *results, size_t *n_appended, ot_error *err)
{
	if (n_appended)
		*n_appended = 0;
	if (!l || no_entries || ((flags & OT_SUBMIT_KEEP_GOING) && !results))
		return ot_error_set(
			err, OT_ERR_ARG,
			"submit needs a ledger, the entries, and results when keeping going");
	if (!l->can_append && !(flags & OT_SUBMIT_DRY_RUN))
		return ot_error_set(err, OT_ERR_READONLY,
		                    "the ledger was opened without its log key");
	for (size_t i = 0; results && i < n; i++) {
		results[i].index = -1;
		results[i].existing = 0;
		ot_error_clear(&results[i].error);
	}
	return OT_OK;
}

/* A batch's items, freed on another core (otx_task_start). */
typedef struct batch_items {
	otx_batch_item *items;
	size_t n;
	otx_task *clearing; /* while being freed */
	int cleared;        /* freed, or being freed */
} batch_items;

static void clear_items(void *ctx)
{
	batch_items *b = ctx;
	otx_batch_clear(b->items, b->n, 1);
}

/* The accepted entries go to the log, at base as the rules assumed, are
 * published, and the state commits with them. On failure *in_txn and
 * *appended say what the caller still has to undo. The batch's items are
 * no longer needed once the entries are in the log: they are freed on
 * another core while the commit writes. */
static ot_status submit_append(ot_ledger *l, const submit_run *run, uint64_t base, batch_items *b,
                               int *in_txn, int *appended, ot_error *err)
{
	uint64_t first = 0;
	*appended = 1;
	ot_status rc = ot_log_append_in_txn(l->log, run->ok_data, run->ok_len, run->k, &first, err);
	if (!rc && first != base)
		rc = ot_error_set(err, OT_ERR_CORRUPT,
		                  "the log appended at %llu, not at %llu as the rules assumed",
		                  (unsigned long long)first, (unsigned long long)base);
	if (!rc)
		rc = ot_log_publish_in_txn(l->log, err);
	if (!rc)
		rc = record_checkpoint(l, err);
	if (!rc) {
		b->clearing = otx_task_start(clear_items, b, b->n < OTX_PARALLEL_LIGHT);
		b->cleared = 1;
		rc = ot_store_commit(l->st, err);
	}
	if (rc)
		return rc;
	*in_txn = 0;
	ot_log_txn_end(l->log, 1);
	*appended = 0;
	return OT_OK;
}

/* What ot_ledger_prepare hands out: the canonical entry and the key its
 * signature verified with, if any. Not the parsed envelope: its JSON tree
 * takes about ten times the entry's size, and parsing again in the batch
 * costs a fraction of verifying. */
struct ot_prepared {
	ot_buf entry;
	int verified;
	uint8_t verified_pk[32];
};

ot_status ot_ledger_prepare(ot_ledger *l, const uint8_t *data, size_t len, ot_prepared **out,
                            ot_error *err)
{
	if (!out)
		return ot_error_set(err, OT_ERR_ARG, "prepare needs somewhere to put the entry");
	*out = NULL;
	if (!data && len)
		return ot_error_set(err, OT_ERR_ARG, "prepare needs an entry");
	ot_prepared *p = calloc(1, sizeof *p);
	if (!p)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	if (l && !l->memo)
		l->memo = otx_key_memo_new(); /* NULL only costs a read per entry */
	otx_batch_item item;
	otx_batch_init(&item, 1, &data, &len);
	ot_status rc = l ? otx_batch_prepare(l->st, &l->ctx, l->memo, &item, err)
	                 : otx_batch_prepare(NULL, NULL, NULL, &item, err);
	if (!rc) {
		p->entry = item.env.entry; /* taken */
		ot_buf_init(&item.env.entry, 0);
		p->verified = item.verified;
		memcpy(p->verified_pk, item.verified_pk, sizeof p->verified_pk);
		*out = p;
	} else {
		free(p);
	}
	otx_batch_clear(&item, 1, 1);
	return rc;
}

const uint8_t *ot_prepared_entry(const ot_prepared *p, size_t *len)
{
	if (len)
		*len = p ? p->entry.len : 0;
	return p ? p->entry.data : NULL;
}

void ot_prepared_free(ot_prepared *p)
{
	if (!p)
		return;
	ot_buf_free(&p->entry);
	free(p);
}

/* ot_ledger_submit over items set up by the caller (items[i].data and len
 * are the entries); clears the items (the caller frees the array). */
static ot_status submit_items(ot_ledger *l, otx_batch_item *items, size_t n, int flags,
                              ot_submit_result *results, size_t *n_appended, ot_error *err)
{
	int dry_run = (flags & OT_SUBMIT_DRY_RUN) != 0;
	submit_run run = {l,
	                  0,
	                  (flags & OT_SUBMIT_RETRY) != 0,
	                  results,
	                  (flags & OT_SUBMIT_KEEP_GOING) != 0,
	                  NULL,
	                  NULL,
	                  NULL,
	                  0,
	                  err};
	int in_txn = 0, appended = 0;
	batch_items b = {items, n, NULL, 0};
	ot_status rc = OT_OK;

	run.ok_data = calloc(n, sizeof *run.ok_data);
	run.ok_len = calloc(n, sizeof *run.ok_len);
	run.ok_pos = calloc(n, sizeof *run.ok_pos);
	if (!run.ok_data || !run.ok_len || !run.ok_pos) {
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		goto out;
	}

	if ((rc = ot_store_begin(l->st, err)))
		goto out;
	in_txn = 1;
	/* The write lock is ours now: catch up with what other writers
	 * (processes, other handles) appended since this handle looked, so
	 * the rules see their state and the entries go after theirs. */
	if ((rc = ot_log_refresh(l->log, err)))
		goto out;
	uint64_t base = ot_log_size(l->log);
	run.base = base;
	/* The rules check each event while the other cores verify ahead; only
	 * the accepted events take log indexes. */
	otx_replay_run replay = {l->st,          &l->ctx, base, NULL, OTX_REPLAY_PACKED,
	                         submit_outcome, &run};
	if ((rc = otx_replay_items(&replay, items, n, err)))
		goto out;
	if (run.k == 0 || dry_run) {
		ot_store_rollback(l->st);
		in_txn = 0;
	} else if ((rc = submit_append(l, &run, base, &b, &in_txn, &appended, err))) {
		goto out;
	}
	for (size_t j = 0; results && j < run.k; j++)
		results[run.ok_pos[j]].index = (int64_t)(base + j);
	if (n_appended)
		*n_appended = dry_run ? 0 : run.k;
out:
	if (in_txn)
		ot_store_rollback(l->st);
	if (appended)
		ot_log_txn_end(l->log, 0);
	if (b.cleared)
		otx_task_wait(b.clearing);
	else
		otx_batch_clear(items, n, 0);
	free(run.ok_data);
	free(run.ok_len);
	free(run.ok_pos);
	return rc;
}

ot_status ot_ledger_submit(ot_ledger *l, const uint8_t *const *entries, const size_t *lens,
                           size_t n, int flags, ot_submit_result *results, size_t *n_appended,
                           ot_error *err)
{
	ot_status rc =
		submit_prepare(l, n && (!entries || !lens), n, flags, results, n_appended, err);
	if (rc || n == 0)
		return rc;
	otx_batch_item *items = calloc(n, sizeof *items);
	if (!items)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	otx_batch_init(items, n, entries, lens);
	rc = submit_items(l, items, n, flags, results, n_appended, err);
	free(items);
	return rc;
}

ot_status ot_ledger_submit_prepared(ot_ledger *l, ot_prepared *const *prepared, size_t n, int flags,
                                    ot_submit_result *results, size_t *n_appended, ot_error *err)
{
	int missing = 0;
	for (size_t i = 0; prepared && i < n; i++)
		missing |= prepared[i] == NULL;
	ot_status rc =
		submit_prepare(l, n && (!prepared || missing), n, flags, results, n_appended, err);
	if (rc || n == 0)
		return rc;
	otx_batch_item *items = calloc(n, sizeof *items);
	if (!items)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	/* Parsed again (the canonical entry gives the same signed message);
	 * an entry whose signature verified is not verified again. */
	for (size_t i = 0; i < n; i++) {
		const uint8_t *data = prepared[i]->entry.data;
		size_t len = prepared[i]->entry.len;
		otx_batch_init(&items[i], 1, &data, &len);
		items[i].verified = prepared[i]->verified;
		memcpy(items[i].verified_pk, prepared[i]->verified_pk, sizeof items[i].verified_pk);
	}
	rc = submit_items(l, items, n, flags, results, n_appended, err);
	free(items);
	return rc;
}
