/*
 * findings.c: recording findings at append time and computing the
 * time-based ones at audit time (findings.h).
 */
#include "ledger/findings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/envelope.h"
#include "ledger/state.h"
#include "oretrail/status.h"

/* Stores one finding; `values` (may be NULL) is stolen. */
static ot_status finding_put(ot_store *st, uint64_t index, const char *kind, const char *subject,
                             json_t *values, const char *detail, ot_error *err)
{
	char ikey[OTX_INDEX_KEY_LEN], key[400];
	otx_index_key(ikey, index);
	snprintf(key, sizeof key, "%s/%s/%s", ikey, kind, subject);
	json_t *rec = json_pack("{s:I,s:s,s:s,s:s,s:o*}", "index", (json_int_t)index, "kind", kind,
	                        "subject", subject, "detail", detail, "values", values);
	if (!rec)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	ot_status rc = otx_state_put(st, OTX_NS_FINDING, key, rec, err);
	json_decref(rec);
	return rc;
}

ot_status otx_finding_add(ot_store *st, uint64_t index, const char *kind, const char *subject,
                          ot_error *err, const char *fmt, ...)
{
	char detail[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	return finding_put(st, index, kind, subject, NULL, detail, err);
}

ot_status otx_finding_add_values(ot_store *st, uint64_t index, const char *kind,
                                 const char *subject, json_t *values, ot_error *err,
                                 const char *fmt, ...)
{
	char detail[512];
	va_list ap;
	if (!values)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	return finding_put(st, index, kind, subject, values, detail, err);
}

static ot_status collect(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	json_t *rec = json_loadb((const char *)value, len, 0, NULL);
	if (!rec)
		return OT_ERR_CORRUPT;
	json_t *f = json_pack(
		"{s:O,s:O,s:O,s:O,s:O*}", "index", json_object_get(rec, "index"), "kind",
		json_object_get(rec, "kind"), "subject", json_object_get(rec, "subject"), "detail",
		json_object_get(rec, "detail"), "values", json_object_get(rec, "values"));
	json_decref(rec);
	if (!f)
		return OT_ERR_CORRUPT;
	return json_array_append_new((json_t *)ctx, f) ? OT_ERR_NOMEM : OT_OK;
}

ot_status otx_findings_recorded(ot_store *st, json_t *out, ot_error *err)
{
	ot_status rc = ot_store_kv_scan(st, OTX_NS_FINDING, "", collect, out, err);
	if (rc == OT_ERR_CORRUPT || rc == OT_ERR_NOMEM)
		return ot_error_set(err, rc, "cannot read the recorded findings");
	return rc;
}

typedef struct withheld_ctx {
	const otx_timeline *t;
	int64_t now;
	int64_t limit_s;
	json_t *out;
} withheld_ctx;

/* overdue_disclosure: the contract's disclose_by date has passed and a
 * commitment is still withheld. */
size_t otx_contract_withheld(json_t *rec)
{
	size_t withheld = 0;
	const char *field;
	json_t *cm;
	json_object_foreach(json_object_get(rec, "commitments"), field, cm)
	{
		withheld += json_object_get(cm, "disclosed") == NULL;
	}
	return withheld;
}

int otx_contract_overdue(json_t *rec, int64_t now, int64_t *since)
{
	const char *from = otx_jstr(rec, "overdue_from");
	int64_t t;
	if (!from || otx_parse_time(from, &t) != OT_OK || now < t || !otx_contract_withheld(rec))
		return 0;
	if (since)
		*since = t;
	return 1;
}

static ot_status overdue_one(withheld_ctx *c, const char *contract, json_t *rec)
{
	int64_t t = 0;
	if (!otx_contract_overdue(rec, c->now, &t))
		return OT_OK;
	size_t withheld = otx_contract_withheld(rec);
	char detail[512];
	snprintf(detail, sizeof detail,
	         "contract %s was to be disclosed by %s; %zu commitment%s still withheld, "
	         "%lld days overdue",
	         contract, otx_jstr(json_object_get(rec, "fields"), "disclose_by"), withheld,
	         withheld == 1 ? " is" : "s are", (long long)((c->now - t) / 86400));
	json_t *f = json_pack("{s:O,s:s,s:s,s:s,s:{s:s*}}", "index", json_object_get(rec, "index"),
	                      "kind", "overdue_disclosure", "subject", contract, "detail", detail,
	                      "values", "disclose_by",
	                      otx_jstr(json_object_get(rec, "fields"), "disclose_by"));
	return !f || json_array_append_new(c->out, f) ? OT_ERR_NOMEM : OT_OK;
}

static ot_status withheld_one(void *vctx, const char *key, const uint8_t *value, size_t len)
{
	withheld_ctx *c = vctx;
	json_t *rec = json_loadb((const char *)value, len, 0, NULL);
	if (!rec)
		return OT_ERR_CORRUPT;
	const char *time_s = otx_jstr(rec, "time");
	int64_t committed;
	ot_status rc = OT_OK;
	if (!time_s || otx_parse_time(time_s, &committed) != OT_OK) {
		json_decref(rec);
		return OT_ERR_CORRUPT;
	}
	char when[OTX_TIME_LEN + 1];
	if (!otx_timeline_empty(c->t)) {
		otx_logged lg;
		otx_timeline_bounds(c->t, (uint64_t)otx_jint(rec, "index", 0), &lg);
		committed = otx_logged_date(&lg, committed);
		if (otx_format_time(committed, when) == OT_OK)
			time_s = when;
	}
	json_t *commitments = json_object_get(rec, "commitments");
	const char *field;
	json_t *cm;
	if ((rc = overdue_one(c, key, rec)))
		goto out;
	json_object_foreach(commitments, field, cm)
	{
		if (json_object_get(cm, "disclosed"))
			continue;
		int64_t age = c->now - committed;
		if (age <= c->limit_s)
			continue;
		char detail[512], subject[300];
		snprintf(subject, sizeof subject, "%s.%s", key, field);
		snprintf(detail, sizeof detail,
		         "contract %s: %s committed on %s has not been disclosed for %lld days",
		         key, field, time_s, (long long)(age / 86400));
		json_t *f = json_pack("{s:O,s:s,s:s,s:s,s:{s:s}}", "index",
		                      json_object_get(rec, "index"), "kind", "terms_withheld",
		                      "subject", subject, "detail", detail, "values", "committed",
		                      time_s);
		if (!f || json_array_append_new(c->out, f)) {
			rc = OT_ERR_NOMEM;
			break;
		}
	}
out:
	json_decref(rec);
	return rc;
}

ot_status otx_findings_withheld(ot_store *st, const otx_timeline *t, int64_t now,
                                uint32_t withheld_days, json_t *out, ot_error *err)
{
	withheld_ctx c = {t, now, (int64_t)withheld_days * 86400, out};
	ot_status rc = ot_store_kv_scan(st, OTX_NS_CONTRACT, "", withheld_one, &c, err);
	if (rc == OT_ERR_CORRUPT || rc == OT_ERR_NOMEM)
		return ot_error_set(err, rc, "cannot read the contracts");
	return rc;
}

ot_status otx_findings_timed(ot_store *state, ot_store *ledger, int64_t now, uint32_t withheld_days,
                             int64_t tolerance_s, json_t *out, ot_error *err)
{
	otx_timeline *t = NULL;
	ot_status rc = otx_timeline_load(ledger, &t, err);
	if (!rc)
		rc = otx_findings_withheld(state, t, now, withheld_days, out, err);
	if (!rc)
		rc = otx_findings_time(ledger, t, tolerance_s, out, err);
	otx_timeline_free(t);
	return rc;
}
