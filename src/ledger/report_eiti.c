/*
 * report_eiti.c: the EITI report (ot_ledger_report_eiti, ledger.h; `oretrail
 * report eiti`). EITI Standard 2023: payments by company, by government
 * agency and by revenue stream (Requirement 4.1), reconciled against what
 * the government says it received (Requirement 4.9: every discrepancy
 * listed), and the contracts with their disclosure status (Requirement 2.4).
 *
 * Payments are the `payment` entries (disclosed by the payer), receipts the
 * `receipt` entries (signed by the payee; rules_contract.c). A payment and
 * its receipt are one pair; a payment without one is unacknowledged, a
 * receipt naming no payment is a receipt without payment, and a pair whose
 * amounts or currencies differ is listed with both. Sums are per currency:
 * the ledger converts nothing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger/envelope.h"
#include "ledger/findings.h"
#include "ledger/jcs.h"
#include "ledger/ledger_int.h"
#include "ledger/query.h"
#include "ledger/rules_int.h"
#include "ledger/state.h"
#include "oretrail/status.h"

/* The grouping dimensions of the payments, in report order: the member of
 * the document and the payment record's field it groups by. */
static const struct {
	const char *member, *field;
} DIMS[] = {
	{"by_payer", "payer"},       {"by_payee", "payee"},   {"by_stream", "stream"},
	{"by_contract", "contract"}, {"by_period", "period"},
};
#define NDIMS (sizeof DIMS / sizeof DIMS[0])

typedef struct eiti {
	const char *period;    /* YYYY, YYYY-Qn, YYYY-MM or NULL: all */
	json_t *groups[NDIMS]; /* "<key>\t<currency>" -> [count, amount] */
	json_t *totals;        /* currency -> [count, amount] */
	json_t *payments;      /* the payments in the period, in log order */
	json_t *receipts;      /* the receipts in the period, in log order */
	json_t *paid;          /* payment id -> its row in payments */
} eiti;

static ot_status nomem(ot_error *err)
{
	return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
}

static int period_valid(const char *p)
{
	size_t n = strlen(p);
	if (n != 4 && n != 7)
		return 0;
	for (size_t i = 0; i < 4; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	if (n == 4)
		return 1;
	if (p[4] != '-')
		return 0;
	if (p[5] == 'Q')
		return p[6] >= '1' && p[6] <= '4';
	int month = (p[5] - '0') * 10 + (p[6] - '0');
	return p[5] >= '0' && p[5] <= '1' && p[6] >= '0' && p[6] <= '9' && month >= 1 &&
	       month <= 12;
}

ot_status otx_period_check(const char *period, ot_error *err)
{
	if (!period || period_valid(period))
		return OT_OK;
	return ot_error_at(err, OT_ERR_PARSE, "bad_field", -1,
	                   "period \"%s\" is not YYYY, YYYY-Qn (n 1-4) or YYYY-MM", period);
}

int otx_in_period(const char *period, const char *time)
{
	if (!period)
		return 1;
	if (!time || strlen(time) < 8 || strncmp(time, period, 4) != 0 || time[4] != '-')
		return 0;
	if (strlen(period) == 4)
		return 1;
	if (period[5] != 'Q')
		return strncmp(time + 5, period + 5, 2) == 0;
	int month = (time[5] - '0') * 10 + (time[6] - '0'), q = period[6] - '0';
	return month > (q - 1) * 3 && month <= q * 3;
}

/* Adds one amount to acc[key] = [count, amount], saturating. */
static int tally(json_t *acc, const char *key, int64_t amount)
{
	json_t *a = json_object_get(acc, key);
	if (!a &&
	    json_object_set_new(acc, key, a = json_pack("[I,I]", (json_int_t)0, (json_int_t)0)))
		return -1;
	json_int_t count = json_integer_value(json_array_get(a, 0));
	json_int_t sum = json_integer_value(json_array_get(a, 1));
	sum = sum > OTX_JSON_INT_MAX - amount ? OTX_JSON_INT_MAX : sum + amount;
	return json_array_set_new(a, 0, json_integer(count + 1)) ||
	       json_array_set_new(a, 1, json_integer(sum));
}

/* One payment in the period: its row and its share of every group. */
static ot_status eiti_payment(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	eiti *e = ctx;
	json_t *rec = json_loadb((const char *)value, len, 0, NULL);
	if (!rec)
		return OT_ERR_CORRUPT;
	json_t *money = json_object_get(rec, "amount");
	const char *cur = otx_jstr(money, "currency");
	int64_t amount = otx_jint(money, "amount", 0);
	int fail = 0;
	if (otx_in_period(e->period, otx_jstr(rec, "time")) && cur) {
		char gkey[1024];
		json_object_set_new(rec, "stream", json_string(otx_payment_stream(rec)));
		for (size_t i = 0; i < NDIMS; i++) {
			snprintf(gkey, sizeof gkey, "%s\t%s",
			         otx_jstr(rec, DIMS[i].field) ? otx_jstr(rec, DIMS[i].field) : "",
			         cur);
			fail |= tally(e->groups[i], gkey, amount);
		}
		fail |= tally(e->totals, cur, amount) || json_array_append(e->payments, rec) ||
		        json_object_set(e->paid, otx_jstr(rec, "id"), rec);
	}
	json_decref(rec);
	return fail ? OT_ERR_NOMEM : OT_OK;
}

/* A receipt: of a payment in the period, or naming none and itself in it. */
static ot_status eiti_receipt(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)key;
	eiti *e = ctx;
	json_t *rec = json_loadb((const char *)value, len, 0, NULL);
	if (!rec)
		return OT_ERR_CORRUPT;
	const char *payment = otx_jstr(rec, "payment");
	int fail = 0;
	if (payment ? json_object_get(e->paid, payment) != NULL
	            : otx_in_period(e->period, otx_jstr(rec, "time")))
		fail = json_array_append(e->receipts, rec);
	json_decref(rec);
	return fail ? OT_ERR_NOMEM : OT_OK;
}

/* "<key>\t<currency>" -> [count, amount] as rows {name, currency, amount,
 * count}, by key then currency (the tab sorts before any id character); an
 * empty key is null. With name NULL the keys are currencies alone:
 * {currency, amount, count}. */
static json_t *group_rows(json_t *acc, const char *name)
{
	json_t *rows = json_array();
	const char **keys = calloc(json_object_size(acc) + 1, sizeof *keys);
	size_t n = 0;
	const char *k;
	json_t *v;
	if (!rows || !keys)
		goto fail;
	json_object_foreach(acc, k, v) keys[n++] = k;
	for (size_t a = 1; a < n; a++)
		for (size_t b = a; b > 0 && strcmp(keys[b - 1], keys[b]) > 0; b--) {
			const char *t = keys[b];
			keys[b] = keys[b - 1];
			keys[b - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		const char *tab = strchr(keys[i], '\t');
		json_t *a = json_object_get(acc, keys[i]);
		json_t *o =
			json_pack("{s:s,s:O,s:O}", "currency", tab ? tab + 1 : keys[i], "amount",
		                  json_array_get(a, 1), "count", json_array_get(a, 0));
		json_t *label = !tab || tab == keys[i]
		                        ? json_null()
		                        : json_stringn(keys[i], (size_t)(tab - keys[i]));
		if (!o || !label || json_array_append_new(rows, o) ||
		    (name && json_object_set_new(o, name, label)))
			goto fail;
		if (!name)
			json_decref(label);
	}
	free(keys);
	return rows;
fail:
	free(keys);
	json_decref(rows);
	return NULL;
}

/* One discrepancy row. */
static int discrepancy(json_t *out, const char *kind, json_t *pay, json_t *rcpt)
{
	json_t *o = json_pack(
		"{s:s,s:O*,s:O*,s:O*,s:O*,s:O*,s:O*,s:O*,s:O*}", "kind", kind, "payment",
		json_object_get(pay, "id"), "payment_index", json_object_get(pay, "index"),
		"receipt", json_object_get(rcpt, "id"), "receipt_index",
		json_object_get(rcpt, "index"), "payer", json_object_get(pay ? pay : rcpt, "payer"),
		"payee", json_object_get(pay ? pay : rcpt, "payee"), "paid",
		json_object_get(pay, "amount"), "received", json_object_get(rcpt, "amount"));
	if (o && pay && rcpt &&
	    json_equal(json_object_get(json_object_get(pay, "amount"), "currency"),
	               json_object_get(json_object_get(rcpt, "amount"), "currency")))
		json_object_set_new(
			o, "difference",
			json_integer(json_integer_value(json_object_get(
					     json_object_get(rcpt, "amount"), "amount")) -
		                     json_integer_value(json_object_get(
					     json_object_get(pay, "amount"), "amount"))));
	return !o || json_array_append_new(out, o);
}

/* Payments against receipts: every discrepancy, in log order of the
 * payment (or of the receipt, for one without payment). */
static json_t *reconcile(eiti *e)
{
	json_t *by_payment = json_object(), *list = json_array();
	size_t acknowledged = 0;
	int fail = !by_payment || !list;
	for (size_t i = 0; !fail && i < json_array_size(e->receipts); i++) {
		json_t *r = json_array_get(e->receipts, i);
		const char *p = otx_jstr(r, "payment");
		fail = p && json_object_set(by_payment, p, r);
	}
	for (size_t i = 0; !fail && i < json_array_size(e->payments); i++) {
		json_t *pay = json_array_get(e->payments, i);
		json_t *r = json_object_get(by_payment, otx_jstr(pay, "id"));
		acknowledged += r != NULL;
		if (!r)
			fail = discrepancy(list, "unacknowledged_payment", pay, NULL);
		else if (!json_equal(json_object_get(pay, "amount"), json_object_get(r, "amount")))
			fail = discrepancy(list, "amount_differs", pay, r);
	}
	for (size_t i = 0; !fail && i < json_array_size(e->receipts); i++) {
		json_t *r = json_array_get(e->receipts, i);
		if (!otx_jstr(r, "payment"))
			fail = discrepancy(list, "receipt_without_payment", NULL, r);
	}
	json_t *o = fail ? NULL
	                 : json_pack("{s:I,s:I,s:I,s:O}", "payments",
	                             (json_int_t)json_array_size(e->payments), "receipts",
	                             (json_int_t)json_array_size(e->receipts), "acknowledged",
	                             (json_int_t)acknowledged, "discrepancies", list);
	json_decref(by_payment);
	json_decref(list);
	return o;
}

typedef struct contracts_scan {
	ot_store *st;
	int64_t now;
	json_t *out;
	ot_error *err;
} contracts_scan;

/* v, or JSON null when it is absent (borrowed either way). */
static json_t *or_null(json_t *v)
{
	return v ? v : json_null();
}

/* One contract: its disclosure status and how long its terms are withheld
 * (`contract show`'s commitments, otx_contract_json). */
static ot_status eiti_contract(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	contracts_scan *c = ctx;
	json_t *rec = json_loadb((const char *)value, len, 0, NULL), *doc = NULL;
	if (!rec)
		return OT_ERR_CORRUPT;
	ot_status rc = otx_contract_json(c->st, key, c->now, &doc, c->err);
	json_t *cms = json_object_get(doc, "commitments"), *fields = json_object_get(rec, "fields");
	json_int_t withheld = 0, days = 0;
	for (size_t i = 0; i < json_array_size(cms); i++) {
		json_t *cm = json_array_get(cms, i);
		if (json_is_true(json_object_get(cm, "disclosed")))
			continue;
		withheld++;
		if (otx_jint(cm, "withheld_days", 0) > days)
			days = otx_jint(cm, "withheld_days", 0);
	}
	size_t n = json_array_size(cms);
	int64_t since = 0;
	int overdue = otx_contract_overdue(rec, c->now, &since);
	const char *status = !n                      ? "public"
	                     : !withheld             ? "disclosed"
	                     : (size_t)withheld == n ? "withheld"
	                                             : "partly_disclosed";
	json_t *title = json_object_get(fields, "title");
	json_t *o =
		rc ? NULL
		   : json_pack("{s:s,s:O,s:o,s:O*,s:s,s:I,s:I,s:I,s:O,s:b,s:I}", "contract", key,
	                       "index", json_object_get(rec, "index"), "title",
	                       json_incref(json_is_string(title) ? title : json_null()), "parties",
	                       json_object_get(fields, "parties"), "status", status, "commitments",
	                       (json_int_t)n, "withheld", withheld, "withheld_days", days,
	                       "disclose_by", or_null(json_object_get(fields, "disclose_by")),
	                       "overdue", overdue, "overdue_days",
	                       (json_int_t)(overdue ? (c->now - since) / 86400 : 0));
	if (!rc && (!o || json_array_append_new(c->out, o)))
		rc = OT_ERR_NOMEM;
	json_decref(doc);
	json_decref(rec);
	return rc;
}

static ot_status eiti_json(ot_store *st, const char *period, int64_t now, json_t **out,
                           ot_error *err)
{
	eiti e = {period, {NULL}, json_object(), json_array(), json_array(), json_object()};
	json_t *contracts = json_array(), *doc = NULL;
	contracts_scan cs = {st, now, contracts, err};
	int fail = !e.totals || !e.payments || !e.receipts || !e.paid || !contracts;
	for (size_t i = 0; i < NDIMS; i++)
		fail |= !(e.groups[i] = json_object());
	ot_status rc = fail ? nomem(err) : OT_OK;
	if (!rc &&
	    ((rc = ot_store_kv_scan(st, OTX_NS_PAYMENT, "", eiti_payment, &e, err)) ||
	     (rc = ot_store_kv_scan(st, OTX_NS_RECEIPT, "", eiti_receipt, &e, err)) ||
	     (rc = ot_store_kv_scan(st, OTX_NS_CONTRACT, "", eiti_contract, &cs, err))) &&
	    (rc == OT_ERR_NOMEM || rc == OT_ERR_CORRUPT))
		rc = ot_error_set(err, rc, "cannot read the state for the EITI report");
	char as_of[OTX_TIME_LEN + 1];
	if (!rc && otx_format_time(now, as_of))
		rc = ot_error_at(err, OT_ERR_PARSE, "bad_field", -1, "--now: out of range");
	if (!rc) {
		doc = json_pack("{s:s?,s:s,s:o}", "period", period, "as_of", as_of, "totals",
		                group_rows(e.totals, NULL));
		fail = !doc;
		for (size_t i = 0; !fail && i < NDIMS; i++)
			fail = json_object_set_new(doc, DIMS[i].member,
			                           group_rows(e.groups[i], DIMS[i].field));
		fail = fail || json_object_set(doc, "payments", e.payments) ||
		       json_object_set(doc, "receipts", e.receipts) ||
		       json_object_set_new(doc, "reconciliation", reconcile(&e)) ||
		       json_object_set(doc, "contracts", contracts);
		if (fail) {
			json_decref(doc);
			doc = NULL;
			rc = nomem(err);
		}
	}
	*out = doc;
	for (size_t i = 0; i < NDIMS; i++)
		json_decref(e.groups[i]);
	json_decref(e.totals);
	json_decref(e.payments);
	json_decref(e.receipts);
	json_decref(e.paid);
	json_decref(contracts);
	return rc;
}

ot_status ot_ledger_report_eiti(ot_ledger *l, const char *period, int64_t now, int flags,
                                char **json, ot_error *err)
{
	json_t *out = NULL;
	if (!l || !json)
		return ot_error_set(err, OT_ERR_ARG, "report eiti needs a ledger and an output");
	*json = NULL;
	ot_status bad = otx_period_check(period, err);
	if (bad)
		return bad;
	if (!now)
		now = (int64_t)time(NULL);
	ot_status rc = ot_store_read_begin(l->st, err);
	if (!rc) {
		rc = eiti_json(l->st, period, now, &out, err);
		ot_store_read_end(l->st);
	}
	if (!rc)
		rc = otx_ledger_emit(out, flags, json, err);
	json_decref(out);
	return rc;
}
