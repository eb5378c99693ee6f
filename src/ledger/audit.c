/*
 * audit.c: the whole-ledger audit (ot_ledger_audit, ledger.h).
 *
 * Trust nothing that was computed at append time: verify the log's tiles and
 * checkpoint, replay every entry from scratch into an empty in-memory store
 * through the same rules (signatures, roles, custody, balances, origin
 * vectors), and compare every state namespace of the replay with the
 * ledger's own, record by record. Agreement means the index that answers
 * `trace` and the reports is exactly what the log implies.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger/findings.h"
#include "ledger/ledger_int.h"
#include "ledger/replay_int.h"
#include "ledger/state.h"
#include "ledger/timeline.h"
#include "oretrail/status.h"

/* Problems beyond this many are counted, not listed. */
#define MAX_PROBLEMS 100
/* The replay goes in chunks, each parsed in parallel, then replayed while
 * the other cores verify its signatures ahead of the rules. */
#define CHUNK_ENTRIES 1024
#define CHUNK_BYTES ((size_t)8 << 20)

typedef struct audit {
	ot_ledger *l;
	ot_store *mem;
	json_t *problems;
	size_t n_problems;
	ot_status first;
	ot_error first_err; /* the first problem */
	ot_error fatal;     /* why the replay stopped, if it did */
	const ot_audit_options *opts;
	uint64_t total;
	/* time findings, judged as the replay reports each entry */
	otx_timeline *timeline;
	int64_t tolerance_s;
	json_t *time_findings;
	ot_status time_fail;
	/* the chunk being replayed: copies of the entries */
	uint8_t *data[CHUNK_ENTRIES];
	size_t len[CHUNK_ENTRIES];
	uint64_t chunk_first;
	size_t n, bytes;
	otx_batch_item items[CHUNK_ENTRIES];
	/* namespace comparison */
	const char *ns;
	ot_store *other;
	int other_is_mem;
	size_t paired; /* index records of ns the replay has too */
} audit;

static void problem(audit *a, int64_t index, ot_status status, const char *code, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));

static void problem(audit *a, int64_t index, ot_status status, const char *code, const char *fmt,
                    ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!a->first) {
		a->first = status;
		ot_error_at(&a->first_err, status, code, index, "%s", msg);
	}
	if (a->n_problems++ >= MAX_PROBLEMS)
		return;
	json_t *p =
		json_pack("{s:o,s:s,s:s}", "index", index >= 0 ? json_integer(index) : json_null(),
	                  "code", code, "message", msg);
	if (p)
		json_array_append_new(a->problems, p);
}

static void log_problem(void *ctx, const ot_error *e)
{
	audit *a = ctx;
	problem(a, e->index, e->status ? e->status : OT_ERR_VERIFY,
	        e->code[0] ? e->code : "log_broken", "%s", e->message);
}

/* What became of one entry of the replay into the in-memory store: a
 * problem when it does not parse, is not canonical or breaks the rules. */
static ot_status replay_outcome(void *ctx, const ot_replay_outcome *o)
{
	audit *a = ctx;
	uint64_t index = o->index;
	/* Its time findings, from the parsed event (the raw bytes when it is
	 * not an envelope: a bare event still claims a time). */
	ot_status trc = o->parsed ? otx_findings_time_entry(a->timeline, a->tolerance_s, index,
	                                                    o->id, o->time, a->time_findings)
	                          : otx_findings_time_raw(a->timeline, a->tolerance_s, index,
	                                                  o->data, o->len, a->time_findings);
	if (trc)
		return ot_error_set(&a->fatal, trc, "out of memory judging the entries' times");
	if (!o->parsed) {
		problem(a, (int64_t)index, o->status, "bad_entry", "entry %" PRIu64 ": %s", index,
		        o->error->message);
		return OT_OK;
	}
	if (o->canonical_len != o->len || memcmp(o->canonical, o->data, o->len) != 0)
		problem(a, (int64_t)index, OT_ERR_CORRUPT, "entry_not_canonical",
		        "entry %" PRIu64 " is not in canonical (RFC 8785) form", index);
	if (o->status)
		problem(a, (int64_t)index, o->status, "replay_rejected",
		        "entry %" PRIu64 " breaks the rules on replay: %s: %s", index,
		        o->error->code[0] ? o->error->code : ot_status_code(o->status),
		        o->error->message);
	return OT_OK;
}

static ot_status flush_chunk(audit *a, ot_error *err)
{
	otx_batch_init(a->items, a->n, (const uint8_t *const *)a->data, a->len);
	/* The rules replay each entry while the other cores verify ahead. */
	otx_replay_run run = {a->mem, &a->l->ctx, a->chunk_first, NULL, 0, replay_outcome, a};
	ot_status rc = otx_replay_items(&run, a->items, a->n, err);
	if (!rc)
		rc = otx_replay_settle(a->mem, err);
	otx_batch_clear(a->items, a->n, 0);
	for (size_t i = 0; i < a->n; i++)
		free(a->data[i]);
	if (!rc && a->opts->progress)
		a->opts->progress(a->opts->progress_ctx, a->chunk_first + a->n, a->total);
	a->chunk_first += a->n;
	a->n = 0;
	a->bytes = 0;
	return rc;
}

static ot_status collect_entry(void *ctx, uint64_t index, const uint8_t *data, size_t len)
{
	audit *a = ctx;
	(void)index; /* scans are in order: chunk_first + n */
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return ot_error_set(&a->fatal, OT_ERR_NOMEM, "out of memory");
	memcpy(copy, data, len);
	a->data[a->n] = copy;
	a->len[a->n] = len;
	a->n++;
	a->bytes += len;
	if (a->n == CHUNK_ENTRIES || a->bytes >= CHUNK_BYTES)
		return flush_chunk(a, &a->fatal);
	return OT_OK;
}

/* Compares one record of `ns` with the other store's. */
static ot_status compare_one(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	audit *a = ctx;
	uint8_t *other = NULL;
	size_t olen = 0;
	ot_status rc = ot_store_kv_get(a->other, a->ns, key, &other, &olen, NULL);
	if (rc == OT_ERR_NOTFOUND) {
		if (a->other_is_mem)
			problem(a, -1, OT_ERR_CORRUPT, "state_extra",
			        "%s record \"%s\" is in the index but no entry of the log makes it",
			        a->ns, key);
		else
			problem(a, -1, OT_ERR_CORRUPT, "state_missing",
			        "%s record \"%s\" follows from the log but is missing from the "
			        "index",
			        a->ns, key);
		return OT_OK;
	}
	if (rc)
		return rc;
	if (a->other_is_mem)
		a->paired++;
	/* Only the index-side scan compares contents (each pair once). */
	if (a->other_is_mem && (olen != len || memcmp(other, value, len) != 0))
		problem(a, -1, OT_ERR_CORRUPT, "state_mismatch",
		        "%s record \"%s\" differs from what the log implies: index %.*s, replay "
		        "%.*s",
		        a->ns, key, (int)(len < 160 ? len : 160), (const char *)value,
		        (int)(olen < 160 ? olen : 160), (const char *)other);
	free(other);
	return OT_OK;
}

static ot_status count_record(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	(void)value;
	(void)len;
	(*(size_t *)ctx)++;
	return OT_OK;
}

/* Each namespace: every index record against the replay's, then, only
 * when the replay holds more records than were paired, the replay's
 * against the index to name the ones missing from it (a lookup in the
 * ledger's store per record, which a clean ledger does not need). */
static ot_status compare_state(audit *a, ot_error *err)
{
	for (size_t i = 0; otx_state_namespaces[i]; i++) {
		size_t replayed = 0;
		a->ns = otx_state_namespaces[i];
		a->other = a->mem;
		a->other_is_mem = 1;
		a->paired = 0;
		ot_status rc = ot_store_kv_scan(a->l->st, a->ns, "", compare_one, a, err);
		if (!rc)
			rc = ot_store_kv_scan(a->mem, a->ns, "", count_record, &replayed, err);
		if (rc)
			return rc;
		if (replayed == a->paired)
			continue;
		a->other = a->l->st;
		a->other_is_mem = 0;
		rc = ot_store_kv_scan(a->mem, a->ns, "", compare_one, a, err);
		if (rc)
			return rc;
	}
	return OT_OK;
}

static int finding_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t i = json_integer_value(json_object_get(x, "index"));
	json_int_t j = json_integer_value(json_object_get(y, "index"));
	if (i != j)
		return i < j ? -1 : 1;
	int c = strcmp(otx_jstr(x, "kind"), otx_jstr(y, "kind"));
	return c ? c : strcmp(otx_jstr(x, "subject"), otx_jstr(y, "subject"));
}

/* Findings in log order (recorded and time-based ones interleaved). */
static void sort_findings(json_t *findings)
{
	size_t n = json_array_size(findings);
	json_t **v = malloc((n ? n : 1) * sizeof *v);
	if (!v)
		return; /* unsorted is still correct */
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(findings, i));
	qsort(v, n, sizeof *v, finding_cmp);
	json_array_clear(findings);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(findings, v[i]);
	free(v);
}

/* 1. The log itself: tiles and the signed checkpoint. A failure that
 * reported no problem of its own is one. */
static void audit_log(audit *a)
{
	ot_error e;
	ot_error_clear(&e);
	size_t before = a->n_problems;
	ot_status rc = ot_log_verify(a->l->log, a->l->authority_key, log_problem, NULL, a, &e);
	if (rc && a->n_problems == before)
		log_problem(a, &e);
}

/* 2. Replay into an empty store. */
static ot_status audit_replay(audit *a, ot_error *err)
{
	ot_status rc;
	if ((rc = ot_store_open(OT_STORE_MEMORY, OT_STORE_CREATE, &a->mem, err)) ||
	    (rc = ot_store_begin(a->mem, err)))
		return rc;
	rc = ot_store_scan_entries(a->l->st, 0, a->total, collect_entry, a, err);
	if (!rc && a->n)
		rc = flush_chunk(a, &a->fatal);
	if (rc && a->fatal.status && err)
		*err = a->fatal;
	return rc;
}

/* 4. Findings: recorded at append time (as replayed) and time-based. */
static ot_status audit_findings(const audit *a, json_t *findings, ot_error *err)
{
	int64_t now = a->opts->now ? a->opts->now : (int64_t)time(NULL);
	uint32_t days = a->opts->withheld_days ? a->opts->withheld_days : 180;
	ot_status rc;
	/* The time findings came with the replay (replay_outcome). */
	if ((rc = otx_findings_recorded(a->mem, findings, err)) ||
	    (rc = otx_findings_withheld(a->mem, a->timeline, now, days, findings, err)))
		return rc;
	if (json_array_extend(findings, a->time_findings))
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	sort_findings(findings);
	return OT_OK;
}

/* audit_findings on another core while the state is compared: both only
 * read the replay's store, and each writes its own list. That store is a
 * memory store with no front left on it (each chunk's overlay ended with
 * the chunk), so its gets and scans only walk its tree: two threads may
 * read it at once, which a store in general (one handle, one thread)
 * does not promise. */
typedef struct findings_task {
	const audit *a;
	json_t *findings;
	ot_status rc;
	ot_error err;
} findings_task;

static void findings_run(void *ctx)
{
	findings_task *t = ctx;
	t->rc = audit_findings(t->a, t->findings, &t->err);
}

/* 3. the index against the replay and 4. the findings, side by side. */
static ot_status audit_judge(audit *a, json_t *findings, ot_error *err)
{
	findings_task t = {a, findings, OT_OK, {0}};
	ot_error_clear(&t.err);
	otx_task *task = otx_task_start(findings_run, &t, 0);
	ot_status rc = compare_state(a, err);
	otx_task_wait(task);
	if (!rc && t.rc && err)
		*err = t.err;
	return rc ? rc : t.rc;
}

/* The audit's document: entries, ok, findings and problems. */
static ot_status audit_emit(const audit *a, json_t *findings, int flags, char **json, ot_error *err)
{
	json_t *doc = json_pack("{s:I,s:b,s:O,s:O}", "entries", (json_int_t)a->total, "ok",
	                        a->first == OT_OK, "findings", findings, "problems", a->problems);
	if (!doc)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	if (a->n_problems > MAX_PROBLEMS)
		json_object_set_new(doc, "problems_not_listed",
		                    json_integer((json_int_t)(a->n_problems - MAX_PROBLEMS)));
	ot_status rc = otx_ledger_emit(doc, flags, json, err);
	json_decref(doc);
	return rc;
}

static void close_replay(void *ctx)
{
	audit *a = ctx;
	ot_store_rollback(a->mem);
	ot_store_close(a->mem);
}

static void drop_value(void *ctx, size_t i)
{
	json_decref(((json_t **)ctx)[i]);
}

/* Drops an array and its members, these on every core (jansson counts
 * references atomically): an audit's time findings are an object each. */
static void drop_members(json_t *arr)
{
	size_t n = json_array_size(arr);
	json_t **v = n >= OTX_PARALLEL_LIGHT ? malloc(n * sizeof *v) : NULL;
	for (size_t i = 0; v && i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	json_decref(arr); /* with v: only the array's own references */
	if (v)
		otx_parallel_for(n, OTX_PARALLEL_LIGHT, 0, drop_value, v);
	free(v);
}

/* Frees everything, the replay's store on a thread of its own meanwhile. */
static void audit_free(audit *a)
{
	otx_task *closing = a->mem ? otx_task_start(close_replay, a, 0) : NULL;
	for (size_t i = 0; i < a->n; i++)
		free(a->data[i]);
	json_decref(a->problems);
	drop_members(a->time_findings);
	otx_timeline_free(a->timeline);
	otx_task_wait(closing);
	free(a);
}

ot_status ot_ledger_audit(ot_ledger *l, const ot_audit_options *opts, int flags, char **json,
                          ot_error *err)
{
	static const ot_audit_options defaults;
	json_t *findings = NULL;
	int reading = 0;
	ot_status rc;
	if (!l || !json)
		return ot_error_set(err, OT_ERR_ARG, "audit needs a ledger and an output");
	*json = NULL;
	/* Large (a chunk of entries): on the heap. */
	audit *a = calloc(1, sizeof *a);
	if (!a)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	a->l = l;
	a->opts = opts ? opts : &defaults;
	a->problems = json_array();
	findings = json_array();
	if (!a->problems || !findings) {
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* One snapshot of the ledger for the whole audit: consistent even if
	 * another process appends meanwhile, and one lock instead of one per
	 * read. The log size is read inside it. */
	if ((rc = ot_store_read_begin(l->st, err)))
		goto out;
	reading = 1;
	/* The log's size from this snapshot too (nested, it reads in it). */
	if ((rc = ot_log_refresh(l->log, err)))
		goto out;
	uint64_t stored = 0;
	if ((rc = ot_store_entry_count(l->st, &stored, err)))
		goto out;
	a->total = stored < ot_log_size(l->log) ? stored : ot_log_size(l->log);
	a->tolerance_s = otx_ledger_tolerance(l, a->opts->tolerance_s);
	if (!(a->time_findings = json_array())) {
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = otx_timeline_load(l->st, &a->timeline, err)))
		goto out;
	audit_log(a);
	/* 2. the replay, then side by side 3. the index against it and 4. the
	 * findings (audit_judge). */
	if ((rc = audit_replay(a, err)) || (rc = audit_judge(a, findings, err)) ||
	    (rc = audit_emit(a, findings, flags, json, err)))
		goto out;
	rc = a->first;
	if (rc && err)
		*err = a->first_err;
out:
	if (reading)
		ot_store_read_end(l->st);
	json_decref(findings);
	audit_free(a);
	return rc;
}
