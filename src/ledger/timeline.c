/*
 * timeline.c: the checkpoint history and the logged time of entries
 * (timeline.h). The ledger records every checkpoint it publishes with the
 * operator's signing time (ledger.c) and every witness cosignature the
 * server accepts with the witness's timestamp (cosig.c); C2SP
 * tlog-cosignature/v1 says a cosignature's timestamp is the time at which
 * the cosigner saw the checkpoint as the newest consistent tree of the log.
 * An entry at index i is in every checkpoint of size > i and in none of
 * size <= i, so it was logged after the newest checkpoint of size <= i was
 * witnessed and before the oldest checkpoint of size > i was.
 */
#include "ledger/timeline.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/envelope.h"
#include "ledger/state.h"
#include "oretrail/status.h"

ot_status otx_timeline_published(ot_store *st, uint64_t size, const char *note, size_t len,
                                 int64_t signed_at, ot_error *err)
{
	char key[OTX_INDEX_KEY_LEN], when[OTX_TIME_LEN + 1];
	otx_index_key(key, size);
	if (otx_format_time(signed_at, when))
		return ot_error_set(err, OT_ERR_RANGE, "the clock is out of range");
	json_t *rec = json_pack("{s:I,s:s,s:s%}", "size", (json_int_t)size, "signed_at", when,
	                        "note", note, len);
	if (!rec)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory recording a checkpoint");
	ot_status rc = otx_state_put(st, OTX_NS_CHECKPOINT, key, rec, err);
	json_decref(rec);
	return rc;
}

ot_status otx_timeline_cosigned(ot_store *st, uint64_t size, const char *witness, uint32_t key_id,
                                uint64_t timestamp, const char *line, ot_error *err)
{
	char ikey[OTX_INDEX_KEY_LEN], key[OTX_INDEX_KEY_LEN + 300], kid[9], when[OTX_TIME_LEN + 1];
	if (timestamp > (uint64_t)INT64_MAX || otx_format_time((int64_t)timestamp, when))
		return ot_error_set(err, OT_ERR_RANGE,
		                    "the cosignature by %s has an impossible timestamp %" PRIu64,
		                    witness, timestamp);
	otx_index_key(ikey, size);
	snprintf(kid, sizeof kid, "%08" PRIx32, key_id);
	snprintf(key, sizeof key, "%s %s+%s", ikey, witness, kid);
	/* The first cosignature of a checkpoint closes the intervals of its
	 * entries earliest; the last says longest that nothing followed it. */
	json_t *rec = NULL;
	ot_status rc = otx_state_get(st, OTX_NS_CHECKPOINT_COSIG, key, &rec, err);
	int64_t first = 0;
	if (rc == OT_OK && otx_parse_time(otx_jstr(rec, "time"), &first) == OT_OK &&
	    first <= (int64_t)timestamp) {
		json_object_set_new(rec, "last_seen", json_string(when));
	} else if (rc == OT_OK || rc == OT_ERR_NOTFOUND) {
		json_decref(rec);
		rec = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "size", (json_int_t)size, "witness",
		                witness, "key_id", kid, "time", when, "last_seen", when, "line",
		                line);
		if (!rec)
			return ot_error_set(err, OT_ERR_NOMEM,
			                    "out of memory recording a cosignature");
	} else {
		return rc;
	}
	rc = otx_state_put(st, OTX_NS_CHECKPOINT_COSIG, key, rec, err);
	json_decref(rec);
	return rc;
}

/* One point of the history: a checkpoint size and a time; for witnessed
 * points the earliest and latest cosignature of that size and how many. */
typedef struct point {
	uint64_t size;
	int64_t first, last;
	unsigned count;
} point;

typedef struct points {
	point *v;
	size_t n, cap;
} points;

struct otx_timeline {
	points op;  /* the operator's signed checkpoints */
	points wit; /* witnessed checkpoints */
};

/* Adds times first..last at size to ps (sizes arrive in ascending order). */
static ot_status points_add(points *ps, uint64_t size, int64_t first, int64_t last)
{
	if (ps->n && ps->v[ps->n - 1].size == size) {
		point *p = &ps->v[ps->n - 1];
		p->first = first < p->first ? first : p->first;
		p->last = last > p->last ? last : p->last;
		p->count++;
		return OT_OK;
	}
	if (ps->n == ps->cap) {
		size_t nc = ps->cap ? ps->cap * 2 : 64;
		point *v = realloc(ps->v, nc * sizeof *v);
		if (!v)
			return OT_ERR_NOMEM;
		ps->v = v;
		ps->cap = nc;
	}
	ps->v[ps->n++] = (point){size, first, last, 1};
	return OT_OK;
}

/* A history record's size and times (members `first`, and `last` when
 * present). */
static ot_status load_one(points *ps, const uint8_t *value, size_t len, const char *first,
                          const char *last)
{
	json_t *rec = json_loadb((const char *)value, len, 0, NULL);
	int64_t t0 = 0, t1 = 0;
	json_int_t size = json_integer_value(json_object_get(rec, "size"));
	const char *when = otx_jstr(rec, first);
	const char *until = last ? otx_jstr(rec, last) : NULL;
	ot_status rc = OT_ERR_CORRUPT;
	if (rec && size >= 0 && when && otx_parse_time(when, &t0) == OT_OK &&
	    (!until || otx_parse_time(until, &t1) == OT_OK))
		rc = points_add(ps, (uint64_t)size, t0, until && t1 > t0 ? t1 : t0);
	json_decref(rec);
	return rc;
}

static ot_status load_op(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	return load_one(&((otx_timeline *)ctx)->op, value, len, "signed_at", NULL);
}

static ot_status load_wit(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	return load_one(&((otx_timeline *)ctx)->wit, value, len, "time", "last_seen");
}

ot_status otx_timeline_load(ot_store *st, otx_timeline **out, ot_error *err)
{
	*out = NULL;
	otx_timeline *t = calloc(1, sizeof *t);
	if (!t)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	ot_status rc = ot_store_kv_scan(st, OTX_NS_CHECKPOINT, "", load_op, t, err);
	if (!rc)
		rc = ot_store_kv_scan(st, OTX_NS_CHECKPOINT_COSIG, "", load_wit, t, err);
	if (rc == OT_ERR_CORRUPT || rc == OT_ERR_NOMEM)
		rc = ot_error_set(err, rc, "cannot read the checkpoint history");
	if (rc) {
		otx_timeline_free(t);
		return rc;
	}
	*out = t;
	return OT_OK;
}

void otx_timeline_free(otx_timeline *t)
{
	if (!t)
		return;
	free(t->op.v);
	free(t->wit.v);
	free(t);
}

int otx_timeline_empty(const otx_timeline *t)
{
	return !t || (t->op.n == 0 && t->wit.n == 0);
}

/* The position of the first point of size > index (n when none). */
static size_t first_containing(const points *ps, uint64_t index)
{
	size_t lo = 0, hi = ps->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ps->v[mid].size > index)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* The interval from the four checkpoints around an entry (each NULL when
 * there is none): the operator's and the witnessed one below it (the
 * largest size <= index) and above it (the smallest size > index).
 * any_witness: the log has a cosignature at all. */
static void bounds_from(const point *op_lo, const point *op_hi, const point *w_lo,
                        const point *w_hi, int any_witness, otx_logged *out)
{
	memset(out, 0, sizeof *out);
	if (op_hi) {
		out->has_sequenced = 1;
		out->sequenced = op_hi->first;
	}
	/* The lower bound: the newest time anyone saw a tree without it. */
	const point *lo = w_lo ? w_lo : op_lo;
	if (lo) {
		out->after_basis = w_lo ? OTX_BASIS_WITNESSED : OTX_BASIS_OPERATOR;
		out->after = lo->last;
		out->after_size = lo->size;
	}
	/* The upper bound: the oldest time anyone saw a tree with it. Once the
	 * log has witnesses it is theirs alone: open until one cosigns a tree
	 * with the entry, whatever the operator's clock says. */
	const point *hi = w_hi ? w_hi : any_witness ? NULL : op_hi;
	if (hi) {
		out->before_basis = w_hi ? OTX_BASIS_WITNESSED : OTX_BASIS_OPERATOR;
		out->before = hi->first;
		out->before_size = hi->size;
		out->witnesses = w_hi ? w_hi->count : 0;
	}
}

void otx_timeline_bounds(const otx_timeline *t, uint64_t index, otx_logged *out)
{
	memset(out, 0, sizeof *out);
	if (!t)
		return;
	size_t o = first_containing(&t->op, index), w = first_containing(&t->wit, index);
	bounds_from(o > 0 ? &t->op.v[o - 1] : NULL, o < t->op.n ? &t->op.v[o] : NULL,
	            w > 0 ? &t->wit.v[w - 1] : NULL, w < t->wit.n ? &t->wit.v[w] : NULL,
	            t->wit.n > 0, out);
}

/* --- one entry's interval without loading the history ---
 * Keys start with the size as 20 digits, and a scan starts at its prefix:
 * the checkpoint next to a size is found by scanning the blocks of keys
 * that share its first 19 digits, then 18, ..., so a look-up reads the
 * neighbourhood of the entry, not the whole history. */

#define SEEK_DONE OT_ERR_RANGE /* stops a scan; not an error */

typedef struct seek_ctx {
	uint64_t target;
	int above; /* 1: the smallest size >= target; 0: the largest size <= target */
	const char *first_m, *last_m;
	points found; /* the records of one size */
} seek_ctx;

static ot_status seek_one(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	seek_ctx *c = ctx;
	uint64_t size = strtoull(key, NULL, 10);
	if (c->above) {
		if (size < c->target)
			return OT_OK;
		if (c->found.n && c->found.v[0].size != size)
			return SEEK_DONE;
	} else {
		if (size > c->target)
			return SEEK_DONE;
		if (c->found.n && c->found.v[0].size != size)
			c->found.n = 0; /* a larger size below the target */
	}
	return load_one(&c->found, value, len, c->first_m, c->last_m);
}

/* The point next to `target` in ns; *found 0 when there is none. */
static ot_status seek(ot_store *st, const char *ns, uint64_t target, int above, const char *first_m,
                      const char *last_m, point *out, int *found, ot_error *err)
{
	char key[OTX_INDEX_KEY_LEN], prefix[OTX_INDEX_KEY_LEN];
	seek_ctx c = {target, above, first_m, last_m, {NULL, 0, 0}};
	ot_status rc = OT_OK;
	*found = 0;
	otx_index_key(key, target);
	for (size_t plen = OTX_INDEX_KEY_LEN - 1;; plen--) {
		memcpy(prefix, key, plen);
		prefix[plen] = 0;
		c.found.n = 0;
		rc = ot_store_kv_scan(st, ns, prefix, seek_one, &c, err);
		if (rc == SEEK_DONE)
			rc = OT_OK;
		if (rc || c.found.n || plen == 0)
			break;
	}
	if (rc == OT_ERR_CORRUPT || rc == OT_ERR_NOMEM)
		rc = ot_error_set(err, rc, "cannot read the checkpoint history");
	if (!rc && c.found.n) {
		/* Points of one size merge into one. */
		*out = c.found.v[0];
		*found = 1;
	}
	free(c.found.v);
	return rc;
}

static ot_status any_one(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key, (void)value, (void)len;
	*(int *)ctx = 1;
	return SEEK_DONE;
}

ot_status otx_logged_at(ot_store *st, uint64_t index, otx_logged *out, ot_error *err)
{
	point p[4];
	int f[4] = {0, 0, 0, 0}, any_witness = 0;
	memset(out, 0, sizeof *out);
	ot_status rc =
		ot_store_kv_scan(st, OTX_NS_CHECKPOINT_COSIG, "", any_one, &any_witness, err);
	if (rc && rc != SEEK_DONE)
		return rc;
	if ((rc = seek(st, OTX_NS_CHECKPOINT, index, 0, "signed_at", NULL, &p[0], &f[0], err)) ||
	    (rc = seek(st, OTX_NS_CHECKPOINT, index + 1, 1, "signed_at", NULL, &p[1], &f[1], err)))
		return rc;
	if (any_witness && ((rc = seek(st, OTX_NS_CHECKPOINT_COSIG, index, 0, "time", "last_seen",
	                               &p[2], &f[2], err)) ||
	                    (rc = seek(st, OTX_NS_CHECKPOINT_COSIG, index + 1, 1, "time",
	                               "last_seen", &p[3], &f[3], err))))
		return rc;
	bounds_from(f[0] ? &p[0] : NULL, f[1] ? &p[1] : NULL, f[2] ? &p[2] : NULL,
	            f[3] ? &p[3] : NULL, any_witness, out);
	return OT_OK;
}

static const char *basis_name(otx_basis b)
{
	return b == OTX_BASIS_WITNESSED ? "witnessed" : b == OTX_BASIS_OPERATOR ? "operator" : NULL;
}

/* A bound's time as RFC 3339, or null. */
static json_t *bound_time(otx_basis b, int64_t t)
{
	char when[OTX_TIME_LEN + 1];
	if (b == OTX_BASIS_NONE || otx_format_time(t, when))
		return json_null();
	return json_string(when);
}

json_t *otx_logged_json(const otx_logged *lg)
{
	/* Witnessed only when every bound there is rests on a witness. */
	int any = lg->after_basis || lg->before_basis;
	int op = lg->after_basis == OTX_BASIS_OPERATOR || lg->before_basis == OTX_BASIS_OPERATOR;
	const char *basis = !any ? "none" : op ? "operator" : "witnessed";
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "after", bound_time(lg->after_basis, lg->after));
	json_object_set_new(o, "after_size",
	                    lg->after_basis ? json_integer((json_int_t)lg->after_size)
	                                    : json_null());
	json_object_set_new(o, "after_basis",
	                    lg->after_basis ? json_string(basis_name(lg->after_basis))
	                                    : json_null());
	json_object_set_new(o, "before", bound_time(lg->before_basis, lg->before));
	json_object_set_new(o, "before_size",
	                    lg->before_basis ? json_integer((json_int_t)lg->before_size)
	                                     : json_null());
	json_object_set_new(o, "before_basis",
	                    lg->before_basis ? json_string(basis_name(lg->before_basis))
	                                     : json_null());
	json_object_set_new(o, "witnesses", json_integer(lg->witnesses));
	json_object_set_new(
		o, "sequenced",
		bound_time(lg->has_sequenced ? OTX_BASIS_OPERATOR : OTX_BASIS_NONE, lg->sequenced));
	json_object_set_new(o, "basis", json_string(basis));
	return o;
}

int64_t otx_logged_date(const otx_logged *lg, int64_t claimed)
{
	if (lg->before_basis)
		return lg->before;
	if (lg->after_basis)
		return lg->after;
	return claimed;
}

/* --- the time findings --- */

typedef struct time_ctx {
	const otx_timeline *t;
	int64_t tolerance_s;
	json_t *out;
	ot_status fail;
} time_ctx;

/* "2025-09-08T11:00:00Z" of t, or "?" */
static const char *fmt(int64_t t, char buf[OTX_TIME_LEN + 1])
{
	if (otx_format_time(t, buf))
		snprintf(buf, OTX_TIME_LEN + 1, "?");
	return buf;
}

/* Adds one time finding. */
/* Adds one time finding: the event's claimed time and the bound it passes
 * (`bound_name`: "logged_after" or "logged_by") as its values. */
static ot_status time_finding(time_ctx *c, uint64_t index, const char *kind, const char *subject,
                              const char *detail, const char *claimed, const char *bound_name,
                              const char *bound)
{
	json_t *f = json_pack("{s:I,s:s,s:s,s:s,s:{s:s,s:s}}", "index", (json_int_t)index, "kind",
	                      kind, "subject", subject, "detail", detail, "values", "claimed",
	                      claimed, bound_name, bound);
	if (!f || json_array_append_new(c->out, f))
		return OT_ERR_NOMEM;
	return OT_OK;
}

/* How far apart, in whole hours. */
static long long hours(int64_t a, int64_t b)
{
	return (long long)((a - b) / 3600);
}

ot_status otx_findings_time_entry(const otx_timeline *t, int64_t tolerance_s, uint64_t index,
                                  const char *id, const char *claim_s, json_t *out)
{
	time_ctx ctx = {t, tolerance_s, out, OT_OK}, *c = &ctx;
	int64_t claim = 0;
	ot_status rc = OT_OK;
	if (!claim_s || !id || otx_timeline_empty(t) || otx_parse_time(claim_s, &claim) != OT_OK)
		return OT_OK; /* the audit's replay reports bad entries */
	otx_logged lg;
	otx_timeline_bounds(c->t, index, &lg);
	char detail[512], a[OTX_TIME_LEN + 1], b[OTX_TIME_LEN + 1];
	long long tol_h = (long long)(c->tolerance_s / 3600);
	if (lg.after_basis && claim < lg.after - c->tolerance_s) {
		snprintf(
			detail, sizeof detail,
			"event %s claims %s, but it was logged after %s (%s, checkpoint of %" PRIu64
			" entries): %lld h earlier, beyond the %lld h tolerance",
			id, claim_s, fmt(lg.after, a),
			lg.after_basis == OTX_BASIS_WITNESSED ? "witnessed" : "operator's clock",
			lg.after_size, hours(lg.after, claim), tol_h);
		rc = time_finding(c, index, "backdated", id, detail, claim_s, "logged_after", a);
	}
	/* The latest it can honestly claim: the upper bound, and in any case
	 * the time the operator sequenced it. */
	int has_ub = lg.before_basis || lg.has_sequenced;
	int64_t ub = lg.before_basis ? lg.before : lg.sequenced;
	if (lg.has_sequenced && lg.sequenced < ub)
		ub = lg.sequenced;
	if (!rc && has_ub && claim > ub + c->tolerance_s) {
		snprintf(detail, sizeof detail,
		         "event %s claims %s, but it was logged by %s: %lld h later, beyond the "
		         "%lld h tolerance",
		         id, claim_s, fmt(ub, b), hours(claim, ub), tol_h);
		rc = time_finding(c, index, "future_dated", id, detail, claim_s, "logged_by", b);
	}
	return rc;
}

ot_status otx_findings_time_raw(const otx_timeline *t, int64_t tolerance_s, uint64_t index,
                                const uint8_t *data, size_t len, json_t *out)
{
	json_t *env = json_loadb((const char *)data, len, 0, NULL);
	json_t *ev = json_object_get(env, "event");
	ot_status rc = otx_findings_time_entry(t, tolerance_s, index, otx_jstr(ev, "id"),
	                                       otx_jstr(ev, "time"), out);
	json_decref(env);
	return rc;
}

static ot_status time_one(void *ctx, uint64_t index, const uint8_t *data, size_t len)
{
	time_ctx *c = ctx;
	ot_status rc = otx_findings_time_raw(c->t, c->tolerance_s, index, data, len, c->out);
	if (rc)
		c->fail = rc;
	return rc;
}

ot_status otx_findings_time(ot_store *st, const otx_timeline *t, int64_t tolerance_s, json_t *out,
                            ot_error *err)
{
	uint64_t count = 0;
	if (otx_timeline_empty(t))
		return OT_OK;
	ot_status rc = ot_store_entry_count(st, &count, err);
	if (rc)
		return rc;
	time_ctx c = {t, tolerance_s, out, OT_OK};
	rc = ot_store_scan_entries(st, 0, count, time_one, &c, err);
	if (c.fail)
		return ot_error_set(err, c.fail, "out of memory judging the entries' times");
	return rc;
}

/* --- the history as served --- */

typedef struct cp_page {
	ot_store *st;
	uint64_t from;
	size_t limit;
	json_t *list;
	json_t *next;
	ot_status fail;
} cp_page;

#define PAGE_FULL OT_ERR_RANGE /* stops the scan; not an error */

static ot_status add_cosig(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	json_t *rec = json_loadb((const char *)value, len, 0, NULL);
	if (!rec)
		return OT_ERR_CORRUPT;
	json_object_del(rec, "size");
	return json_array_append_new((json_t *)ctx, rec) ? OT_ERR_NOMEM : OT_OK;
}

/* A history record with its cosignatures. */
static ot_status checkpoint_doc(ot_store *st, const uint8_t *value, size_t len, json_t **out,
                                ot_error *err)
{
	char prefix[OTX_INDEX_KEY_LEN + 1];
	json_t *rec = json_loadb((const char *)value, len, 0, NULL);
	json_t *cos = json_array();
	*out = NULL;
	if (!rec || !cos) {
		json_decref(rec);
		json_decref(cos);
		return ot_error_set(err, OT_ERR_CORRUPT, "a checkpoint record is not JSON");
	}
	json_int_t size = json_integer_value(json_object_get(rec, "size"));
	otx_index_key(prefix, (uint64_t)size);
	strcat(prefix, " ");
	ot_status rc = ot_store_kv_scan(st, OTX_NS_CHECKPOINT_COSIG, prefix, add_cosig, cos, err);
	if (rc == OT_ERR_CORRUPT || rc == OT_ERR_NOMEM)
		rc = ot_error_set(err, rc, "cannot read the cosignatures of checkpoint %lld",
		                  (long long)size);
	json_t *doc = rc ? NULL
	                 : json_pack("{s:O,s:O,s:o,s:O}", "size", json_object_get(rec, "size"),
	                             "signed_at", json_object_get(rec, "signed_at"), "cosignatures",
	                             cos, "note", json_object_get(rec, "note"));
	if (rc)
		json_decref(cos);
	json_decref(rec);
	if (!rc && !doc)
		rc = ot_error_set(err, OT_ERR_CORRUPT, "a checkpoint record is incomplete");
	*out = doc;
	return rc;
}

static ot_status page_one(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	cp_page *p = ctx;
	if (strtoull(key, NULL, 10) < p->from)
		return OT_OK;
	if (json_array_size(p->list) == p->limit) {
		p->next = json_integer((json_int_t)strtoull(key, NULL, 10));
		return PAGE_FULL;
	}
	json_t *doc = NULL;
	ot_error e;
	ot_error_clear(&e);
	ot_status rc = checkpoint_doc(p->st, value, len, &doc, &e);
	if (!rc && json_array_append_new(p->list, doc))
		rc = OT_ERR_NOMEM;
	if (rc)
		p->fail = rc;
	return rc;
}

ot_status otx_checkpoints_json(ot_store *st, uint64_t from, size_t limit, json_t **out,
                               ot_error *err)
{
	cp_page p = {st, from, limit ? limit : 1, json_array(), NULL, OT_OK};
	*out = NULL;
	if (!p.list)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	ot_status rc = ot_store_kv_scan(st, OTX_NS_CHECKPOINT, "", page_one, &p, err);
	if (rc == PAGE_FULL)
		rc = OT_OK;
	else if (p.fail)
		rc = ot_error_set(err, p.fail, "cannot read the checkpoint history");
	if (!rc) {
		*out = json_pack("{s:o,s:o}", "checkpoints", p.list, "next",
		                 p.next ? p.next : json_null());
		if (!*out)
			rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		return rc;
	}
	json_decref(p.list);
	json_decref(p.next);
	return rc;
}

ot_status otx_checkpoint_json(ot_store *st, uint64_t size, json_t **out, ot_error *err)
{
	char key[OTX_INDEX_KEY_LEN];
	uint8_t *value = NULL;
	size_t len = 0;
	*out = NULL;
	otx_index_key(key, size);
	ot_status rc = ot_store_kv_get(st, OTX_NS_CHECKPOINT, key, &value, &len, err);
	if (rc == OT_ERR_NOTFOUND)
		return ot_error_at(err, rc, "checkpoint_not_found", -1,
		                   "no checkpoint of %" PRIu64 " entries was published", size);
	if (!rc)
		rc = checkpoint_doc(st, value, len, out, err);
	free(value);
	return rc;
}
