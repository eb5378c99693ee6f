/*
 * rules_contract.c: the transparency events. `contract` records a contract
 * or MoU: public fields plus commitments to confidential ones (any member,
 * at any depth of objects, may be {"commit":"sha256:..."}; commit.h).
 * `disclose` opens one of them, and the opening must match what was
 * committed on the day of signing. `payment` is an EITI-style disclosure of
 * a royalty, tax or fee, tied to a contract and lots where given, in one
 * EITI revenue stream. `receipt` is the other side (EITI Requirement 4.1):
 * the payee acknowledges what it received, of a disclosed payment or of one
 * nobody disclosed; `report eiti` reconciles the two.
 */
#include "ledger/rules_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ledger/commit.h"
#include "oretrail/status.h"

static ot_status nomem(otx_rule *r)
{
	return ot_error_set(r->err, OT_ERR_NOMEM, "out of memory");
}

/* Parties may be actors of the ledger or outside it (a government, a
 * company without a key): plain ids. */
static ot_status read_parties(otx_rule *r, json_t **out)
{
	char path[OTX_PATH_MAX];
	ot_status rc = otx_r_array(r, r->ev, NULL, "parties", 1, 100, out);
	if (rc)
		return rc;
	for (size_t i = 0; i < json_array_size(*out); i++) {
		const char *s = json_string_value(json_array_get(*out, i));
		snprintf(path, sizeof path, "parties[%zu]", i);
		if (!s || !*s)
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", path, "must be an actor id");
		for (size_t k = 0; k < i; k++)
			if (strcmp(s, json_string_value(json_array_get(*out, k))) == 0)
				return otx_rfail(r, OT_ERR_PARSE, "bad_field", path,
				                 "%s is listed twice", s);
	}
	return OT_OK;
}

static int is_party(json_t *parties, const char *actor)
{
	for (size_t i = 0; i < json_array_size(parties); i++)
		if (strcmp(json_string_value(json_array_get(parties, i)), actor) == 0)
			return 1;
	return 0;
}

/* Collects the commitments under `v` into out {path: {"commit": ...}}; a
 * malformed one (an object with "commit" that is not a commitment) is an
 * error. Arrays are not searched: a commitment is addressed by member names. */
static ot_status find_commitments(otx_rule *r, json_t *v, const char *path, int depth, json_t *out)
{
	char sub[OTX_PATH_MAX];
	if (!json_is_object(v))
		return OT_OK;
	if (json_object_get(v, "commit")) {
		if (!otx_commit_is(v))
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", path,
			                 "not a commitment {\"commit\":\"sha256:<64 hex>\"}");
		json_t *entry = json_pack("{s:O}", "commit", json_object_get(v, "commit"));
		if (!entry || json_object_set_new(out, path, entry))
			return nomem(r);
		return OT_OK;
	}
	if (depth > 8)
		return OT_OK;
	const char *k;
	json_t *m;
	json_object_foreach(v, k, m)
	{
		if (strlen(path) + strlen(k) + 2 > sizeof sub)
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", path, "nested too deeply");
		otx_rpath(sub, sizeof sub, path, k);
		ot_status rc = find_commitments(r, m, sub, depth + 1, out);
		if (rc)
			return rc;
	}
	return OT_OK;
}

/* `disclose_by`: a date (YYYY-MM-DD, overdue from the next day) or an RFC
 * 3339 time, or else a rule in words ("on ratification"), which has no
 * deadline. Anything that starts like a date must be one. *deadline is the
 * first moment the contract is overdue, "" for a rule or no disclose_by. */
static ot_status read_disclose_by(otx_rule *r, const char **by, char deadline[OTX_TIME_LEN + 1])
{
	deadline[0] = 0;
	ot_status rc = otx_r_str(r, r->ev, NULL, "disclose_by", 0, by);
	if (rc || !*by)
		return rc;
	const char *s = *by;
	int datelike = strlen(s) >= 5 && s[4] == '-';
	for (int i = 0; datelike && i < 4; i++)
		datelike = s[i] >= '0' && s[i] <= '9';
	if (!datelike)
		return OT_OK;
	char t[OTX_TIME_LEN + 1];
	int64_t at;
	int is_date = strlen(s) == 10;
	if (is_date)
		snprintf(t, sizeof t, "%sT00:00:00Z", s);
	if (otx_parse_time(is_date ? t : s, &at) != OT_OK ||
	    otx_format_time(at + (is_date ? 86400 : 0), deadline) != OT_OK)
		return otx_rfail(
			r, OT_ERR_PARSE, "bad_disclose_by", "disclose_by",
			"\"%.40s\" is not a date (YYYY-MM-DD) nor an RFC 3339 UTC time "
			"(YYYY-MM-DDTHH:MM:SSZ); a rule in words must not start like a date",
			s);
	return OT_OK;
}

ot_status otx_rule_contract(otx_rule *r)
{
	const char *disclose_by = NULL;
	char deadline[OTX_TIME_LEN + 1];
	const char *contract;
	json_t *parties, *title, *value, *minerals, *rec = NULL, *fields = NULL,
						    *commitments = NULL;
	ot_status rc;
	if ((rc = otx_r_id(r, r->ev, NULL, "contract", 1, &contract)) ||
	    (rc = read_parties(r, &parties)) ||
	    (rc = otx_r_value(r, r->ev, NULL, "title", 0, 1, &title)) ||
	    (rc = otx_r_money(r, r->ev, NULL, "value", 0, 1, 0, &value)) ||
	    (rc = otx_r_elements(r, r->ev, NULL, "minerals", 0, 1, &minerals)) ||
	    (rc = read_disclose_by(r, &disclose_by, deadline)))
		return rc;
	if (title && !otx_commit_is(title) && json_string_length(title) == 0)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", "title", "must be a string");
	if (!is_party(parties, r->signer) && !(r->roles & OTX_ROLE_AUTHORITY))
		return otx_rfail(r, OT_ERR_SIGNER, "not_party", "signer",
		                 "%s is not a party to contract %s and not an authority", r->signer,
		                 contract);
	int found = 0;
	if ((rc = otx_state_has(r->st, OTX_NS_CONTRACT, contract, &found, r->err)))
		return rc;
	if (found)
		return otx_rfail(r, OT_ERR_CONFLICT, "duplicate_contract", "contract",
		                 "contract %s already exists", contract);

	/* The public fields are the event's members but type, id, time and
	 * contract; commitments among them are listed with their paths. */
	fields = json_deep_copy(r->ev);
	commitments = json_object();
	if (!fields || !commitments) {
		rc = nomem(r);
		goto out;
	}
	json_object_del(fields, "type");
	json_object_del(fields, "id");
	json_object_del(fields, "time");
	json_object_del(fields, "contract");
	if ((rc = find_commitments(r, fields, "", 0, commitments)))
		goto out;
	rec = json_pack("{s:s,s:I,s:s,s:s,s:s,s:O,s:O}", "contract", contract, "index",
	                (json_int_t)r->index, "time", r->time_str, "id", r->id, "signer", r->signer,
	                "fields", fields, "commitments", commitments);
	if (!rec) {
		rc = nomem(r);
		goto out;
	}
	if (deadline[0])
		json_object_set_new(rec, "overdue_from", json_string(deadline));
	rc = otx_state_put(r->st, OTX_NS_CONTRACT, contract, rec, r->err);
out:
	json_decref(rec);
	json_decref(fields);
	json_decref(commitments);
	return rc;
}

ot_status otx_rule_disclose(otx_rule *r)
{
	const char *contract, *field, *salt;
	json_t *value, *rec = NULL, *disc = NULL;
	ot_error cerr;
	char key[OTX_EVENT_ID_MAX + OTX_PATH_MAX + 2];
	ot_status rc;
	if ((rc = otx_r_id(r, r->ev, NULL, "contract", 1, &contract)) ||
	    (rc = otx_r_str(r, r->ev, NULL, "field", 1, &field)) ||
	    (rc = otx_r_str(r, r->ev, NULL, "salt", 1, &salt)) ||
	    (rc = otx_r_value(r, r->ev, NULL, "value", 1, 0, &value)))
		return rc;
	if (strlen(field) >= OTX_PATH_MAX)
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", "field", "too long");
	rc = otx_state_get(r->st, OTX_NS_CONTRACT, contract, &rec, r->err);
	if (rc == OT_ERR_NOTFOUND)
		return otx_rfail(r, OT_ERR_CONFLICT, "contract_not_found", "contract",
		                 "contract %s does not exist", contract);
	if (rc)
		return rc;
	json_t *parties = json_object_get(json_object_get(rec, "fields"), "parties");
	if (!is_party(parties, r->signer) && !(r->roles & OTX_ROLE_AUTHORITY) &&
	    strcmp(otx_jstr(rec, "signer"), r->signer) != 0) {
		rc = otx_rfail(r, OT_ERR_SIGNER, "not_party", "signer",
		               "%s is not a party to contract %s and not an authority", r->signer,
		               contract);
		goto out;
	}
	json_t *cm = json_object_get(json_object_get(rec, "commitments"), field);
	if (!cm) {
		rc = otx_rfail(r, OT_ERR_CONFLICT, "not_committed", "field",
		               "contract %s has no commitment at %s", contract, field);
		goto out;
	}
	if (json_object_get(cm, "disclosed")) {
		rc = otx_rfail(r, OT_ERR_CONFLICT, "already_disclosed", "field",
		               "%s of contract %s was disclosed at entry %" PRId64, field, contract,
		               otx_jint(json_object_get(cm, "disclosed"), "index", -1));
		goto out;
	}
	ot_error_clear(&cerr);
	rc = otx_commit_check(cm, salt, value, &cerr);
	if (rc == OT_ERR_VERIFY) {
		rc = otx_rfail(
			r, OT_ERR_VERIFY, "commitment_mismatch", "value",
			"salt and value do not open the commitment %s made to %s of contract "
			"%s at entry %" PRId64,
			otx_jstr(cm, "commit"), field, contract, otx_jint(rec, "index", -1));
		goto out;
	}
	if (rc) {
		rc = otx_rfail(r, OT_ERR_PARSE, "bad_field",
		               strcmp(cerr.code, "bad_salt") == 0 ? "salt" : "value", "%s",
		               cerr.message);
		goto out;
	}
	json_object_set_new(cm, "disclosed",
	                    json_pack("{s:I,s:s,s:s}", "index", (json_int_t)r->index, "time",
	                              r->time_str, "by", r->signer));
	if ((rc = otx_state_put(r->st, OTX_NS_CONTRACT, contract, rec, r->err)))
		goto out;
	snprintf(key, sizeof key, "%s %s", contract, field);
	disc = json_pack("{s:s,s:s,s:I,s:s,s:s,s:O}", "contract", contract, "field", field, "index",
	                 (json_int_t)r->index, "time", r->time_str, "salt", salt, "value", value);
	if (!disc) {
		rc = nomem(r);
		goto out;
	}
	rc = otx_state_put(r->st, OTX_NS_DISCLOSURE, key, disc, r->err);
out:
	json_decref(disc);
	json_decref(rec);
	return rc;
}

static const char *const PAYMENT_KINDS[] = {"royalty", "tax",  "fee",   "bonus", "dividend",
                                            "levy",    "rent", "other", NULL};

/* The EITI revenue streams (EITI Standard 2023, Requirement 4.1), and
 * "other". */
const char *const otx_payment_streams[] = {
	"royalty",        "tax",    "fee",   "bonus", "dividend", "production_entitlement",
	"infrastructure", "social", "other", NULL};

const char *otx_payment_stream(json_t *rec)
{
	static const char *const BY_KIND[][2] = {
		{"royalty", "royalty"},   {"tax", "tax"},  {"fee", "fee"},  {"bonus", "bonus"},
		{"dividend", "dividend"}, {"levy", "tax"}, {"rent", "fee"},
	};
	const char *stream = otx_jstr(rec, "stream"), *kind = otx_jstr(rec, "kind");
	if (stream)
		return stream;
	for (size_t i = 0; kind && i < sizeof BY_KIND / sizeof BY_KIND[0]; i++)
		if (strcmp(kind, BY_KIND[i][0]) == 0)
			return BY_KIND[i][1];
	return "other";
}

ot_status otx_rule_payment(otx_rule *r)
{
	const char *payer, *payee, *kind, *stream, *contract, *period;
	json_t *amount, *lots, *rec = NULL, *c = NULL;
	char path[OTX_PATH_MAX], ikey[OTX_INDEX_KEY_LEN];
	ot_status rc;
	if ((rc = otx_r_actor_id(r, r->ev, NULL, "payer", 1, &payer)) ||
	    (rc = otx_r_str(r, r->ev, NULL, "payee", 1, &payee)) ||
	    (rc = otx_r_enum(r, r->ev, NULL, "kind", 1, PAYMENT_KINDS, &kind)) ||
	    (rc = otx_r_enum(r, r->ev, NULL, "stream", 0, otx_payment_streams, &stream)) ||
	    (rc = otx_r_money(r, r->ev, NULL, "amount", 1, 0, 1, &amount)) ||
	    (rc = otx_r_id(r, r->ev, NULL, "contract", 0, &contract)) ||
	    (rc = otx_r_value(r, r->ev, NULL, "lots", 0, 0, &lots)) ||
	    (rc = otx_r_str(r, r->ev, NULL, "period", 0, &period)))
		return rc;
	if (lots && (!json_is_array(lots) || json_array_size(lots) > OTX_ITEMS_MAX))
		return otx_rfail(r, OT_ERR_PARSE, "bad_field", "lots",
		                 "must be an array of at most %d lot ids", OTX_ITEMS_MAX);
	for (size_t i = 0; i < json_array_size(lots); i++) {
		snprintf(path, sizeof path, "lots[%zu]", i);
		if (json_string_length(json_array_get(lots, i)) == 0)
			return otx_rfail(r, OT_ERR_PARSE, "bad_field", path, "must be a lot id");
	}
	if (strcmp(payer, r->signer) != 0)
		return otx_rfail(r, OT_ERR_SIGNER, "not_payer", "payer",
		                 "the payment is by %s; only the payer may disclose it, not %s",
		                 payer, r->signer);
	if (contract) {
		rc = otx_state_get(r->st, OTX_NS_CONTRACT, contract, &c, r->err);
		json_decref(c);
		if (rc == OT_ERR_NOTFOUND)
			return otx_rfail(r, OT_ERR_CONFLICT, "contract_not_found", "contract",
			                 "contract %s does not exist", contract);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < json_array_size(lots); i++) {
		int found = 0;
		const char *id = json_string_value(json_array_get(lots, i));
		if ((rc = otx_state_has(r->st, OTX_NS_LOT, id, &found, r->err)))
			return rc;
		snprintf(path, sizeof path, "lots[%zu]", i);
		if (!found)
			return otx_rfail(r, OT_ERR_CONFLICT, "lot_not_found", path,
			                 "lot %s does not exist", id);
	}
	rec = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:O}", "index", (json_int_t)r->index, "time",
	                r->time_str, "id", r->id, "payer", payer, "payee", payee, "kind", kind,
	                "amount", amount);
	if (!rec)
		return nomem(r);
	if (contract)
		json_object_set_new(rec, "contract", json_string(contract));
	if (stream)
		json_object_set_new(rec, "stream", json_string(stream));
	if (lots)
		json_object_set(rec, "lots", lots);
	if (period)
		json_object_set_new(rec, "period", json_string(period));
	otx_index_key(ikey, r->index);
	rc = otx_state_put(r->st, OTX_NS_PAYMENT, ikey, rec, r->err);
	json_decref(rec);
	return rc;
}

/* The payment a receipt names: its record (*pay) and storage key, checked:
 * a payment entry, to the signer, not acknowledged before. */
static ot_status receipt_payment(otx_rule *r, const char *payment, json_t **pay,
                                 char ikey[OTX_INDEX_KEY_LEN])
{
	json_t *ev = NULL;
	ot_status rc = otx_state_get(r->st, OTX_NS_EVENT_ID, payment, &ev, r->err);
	if (rc == OT_ERR_NOTFOUND || (!rc && strcmp(otx_jstr(ev, "type"), "payment") != 0)) {
		rc = otx_rfail(r, OT_ERR_CONFLICT, "payment_not_found", "payment",
		               "no payment with id %s is in the log%s%s%s", payment,
		               ev ? ": it is a " : "", ev ? otx_jstr(ev, "type") : "",
		               ev ? " event" : "");
		json_decref(ev);
		return rc;
	}
	if (rc)
		return rc;
	otx_index_key(ikey, (uint64_t)otx_jint(ev, "index", 0));
	json_decref(ev);
	if ((rc = otx_state_get(r->st, OTX_NS_PAYMENT, ikey, pay, r->err)))
		return rc == OT_ERR_NOTFOUND ? ot_error_set(r->err, OT_ERR_CORRUPT,
		                                            "payment %s has no record", payment)
		                             : rc;
	if (strcmp(otx_jstr(*pay, "payee"), r->signer) != 0)
		return otx_rfail(r, OT_ERR_SIGNER, "not_payee", "payment",
		                 "payment %s is to %s; only the payee may acknowledge it, not %s",
		                 payment, otx_jstr(*pay, "payee"), r->signer);
	if (json_object_get(*pay, "receipt"))
		return otx_rfail(r, OT_ERR_CONFLICT, "duplicate_receipt", "payment",
		                 "payment %s was acknowledged by entry %" PRId64, payment,
		                 otx_jint(*pay, "receipt", -1));
	return OT_OK;
}

ot_status otx_rule_receipt(otx_rule *r)
{
	const char *payment, *payer, *stream, *period;
	json_t *amount, *pay = NULL, *rec = NULL;
	char ikey[OTX_INDEX_KEY_LEN], pkey[OTX_INDEX_KEY_LEN];
	ot_status rc;
	if ((rc = otx_r_id(r, r->ev, NULL, "payment", 0, &payment)) ||
	    (rc = otx_r_str(r, r->ev, NULL, "payer", 0, &payer)) ||
	    (rc = otx_r_money(r, r->ev, NULL, "amount", 1, 0, 1, &amount)) ||
	    (rc = otx_r_enum(r, r->ev, NULL, "stream", 0, otx_payment_streams, &stream)) ||
	    (rc = otx_r_str(r, r->ev, NULL, "period", 0, &period)))
		return rc;
	if (!payment && !payer)
		return otx_rfail(r, OT_ERR_PARSE, "missing_field", "payer",
		                 "a receipt names the payment it acknowledges, or else its payer");
	if (payment && (rc = receipt_payment(r, payment, &pay, pkey)))
		goto out;
	if (pay && payer && strcmp(payer, otx_jstr(pay, "payer")) != 0) {
		rc = otx_rfail(r, OT_ERR_CONFLICT, "payer_mismatch", "payer",
		               "payment %s was made by %s, not %s", payment, otx_jstr(pay, "payer"),
		               payer);
		goto out;
	}
	rec = json_pack("{s:I,s:s,s:s,s:s,s:s,s:O}", "index", (json_int_t)r->index, "time",
	                r->time_str, "id", r->id, "payee", r->signer, "payer",
	                pay ? otx_jstr(pay, "payer") : payer, "amount", amount);
	if (!rec) {
		rc = nomem(r);
		goto out;
	}
	if (pay) {
		json_object_set_new(rec, "payment", json_string(payment));
		json_object_set(rec, "payment_index", json_object_get(pay, "index"));
	}
	if (stream)
		json_object_set_new(rec, "stream", json_string(stream));
	if (period)
		json_object_set_new(rec, "period", json_string(period));
	otx_index_key(ikey, r->index);
	if ((rc = otx_state_put(r->st, OTX_NS_RECEIPT, ikey, rec, r->err)))
		goto out;
	if (pay) {
		json_object_set_new(pay, "receipt", json_integer((json_int_t)r->index));
		rc = otx_state_put(r->st, OTX_NS_PAYMENT, pkey, pay, r->err);
	}
out:
	json_decref(rec);
	json_decref(pay);
	return rc;
}
