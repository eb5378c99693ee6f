/*
 * test_ledger.c: the public ledger API over a real SQLite file: batches
 * (all or none, keep going, dry run), reopening, trace, audit against the
 * index (and catching a tampered index), time-based findings, contract show
 * and the flows report.
 */
#include <inttypes.h>
#include <time.h>

#include "ledger/commit.h"
#include "ledger_fixture.h"
#include "oretrail/encoding.h"
#include "oretrail/event.h"

#define N_BATCH 1000
#define BAD_AT 500

static fx f;

#define OK(expr)                                                                  \
	do {                                                                      \
		ot_status ok_ = (expr);                                           \
		CHECK_RC(ok_, OT_OK);                                             \
		if (ok_)                                                          \
			fprintf(stderr, "  %s: %s\n", f.err.code, f.err.message); \
	} while (0)

typedef struct batch {
	ot_buf bufs[N_BATCH];
	const uint8_t *data[N_BATCH];
	size_t lens[N_BATCH];
} batch;

/* 1000 events by fwo: extractions, and at BAD_AT (when bad) a transform
 * using more of lot-10 than it holds. */
static void make_batch(batch *b, int bad, const char *tag)
{
	for (int i = 0; i < N_BATCH; i++) {
		json_t *ev;
		if (i == BAD_AT && bad)
			ev = J("{'type':'transform','id':'%s-%d','site':'mine-a','process':'"
			       "beneficiation',"
			       "'inputs':[{'lot':'%s-lot-10','mass_g':1000001}],"
			       "'outputs':[{'lot':'%s-conc','material':'concentrate','mass_g':1000,"
			       "'assay':{'Cu':250000}}]}",
			       tag, i, tag, tag);
		else
			ev = J("{'type':'extract','id':'%s-%d','site':'mine-a','lot':'%s-lot-%d',"
			       "'material':'ore','mass_g':1000000,'assay':{'Cu':8000,'Sb':%d}}",
			       tag, i, tag, i, i % 7);
		CHECK(fx_sign_with(&f, ev, "fwo", fx_key(&f, "fwo"), &b->bufs[i]) == 0);
		b->data[i] = b->bufs[i].data;
		b->lens[i] = b->bufs[i].len;
	}
}

static void free_batch(batch *b)
{
	for (int i = 0; i < N_BATCH; i++)
		ot_buf_free(&b->bufs[i]);
}

static int lot_exists(const char *lot)
{
	int found = 0;
	otx_state_has(ot_ledger_store(f.l), OTX_NS_LOT, lot, &found, NULL);
	return found;
}

static void test_batches(void)
{
	static batch b;
	static ot_submit_result res[N_BATCH];
	ot_error err;
	size_t n = 99;

	/* All or none: event 500 breaks the mass rule, nothing is appended. */
	uint64_t size0 = fx_size(&f);
	char *state0 = fx_state(&f);
	make_batch(&b, 1, "a");
	CHECK_RC(ot_ledger_submit(f.l, b.data, b.lens, N_BATCH, 0, res, &n, &err), OT_ERR_RULE);
	CHECK(err.index == BAD_AT);
	CHECK_STR(err.code, "mass_exceeded");
	CHECK(strstr(err.message, "batch entry 500") != NULL);
	CHECK(strstr(err.message, "event a-500") != NULL);
	CHECK(strstr(err.message, "inputs[0].mass_g") != NULL);
	CHECK(strstr(err.message, "uses 1000001 g of a-lot-10 but only 1000000 g remain") != NULL);
	CHECK(n == 0);
	CHECK(res[BAD_AT].index == -1 && res[BAD_AT].error.status == OT_ERR_RULE);
	CHECK(res[0].index == -1 && res[999].index == -1);
	CHECK(fx_size(&f) == size0);
	char *state1 = fx_state(&f);
	CHECK(state0 && state1 && strcmp(state0, state1) == 0);
	CHECK(!lot_exists("a-lot-0") && !lot_exists("a-lot-999"));
	free(state1);

	/* Dry run of the same: the same verdict, still nothing written. */
	CHECK_RC(ot_ledger_submit(f.l, b.data, b.lens, N_BATCH, OT_SUBMIT_DRY_RUN, res, &n, &err),
	         OT_ERR_RULE);
	CHECK(fx_size(&f) == size0);

	/* Keep going: 999 appended in order, event 500 reported. */
	CHECK_OK(ot_ledger_submit(f.l, b.data, b.lens, N_BATCH, OT_SUBMIT_KEEP_GOING, res, &n,
	                          &err));
	CHECK(n == N_BATCH - 1);
	CHECK(fx_size(&f) == size0 + N_BATCH - 1);
	CHECK(res[0].index == (int64_t)size0);
	CHECK(res[499].index == (int64_t)size0 + 499);
	CHECK(res[BAD_AT].index == -1);
	CHECK_STR(res[BAD_AT].error.code, "mass_exceeded");
	CHECK(res[BAD_AT].error.index == BAD_AT);
	CHECK(res[501].index == (int64_t)size0 + 500);
	CHECK(res[999].index == (int64_t)size0 + 998);
	CHECK(lot_exists("a-lot-999") && !lot_exists("a-conc"));
	/* Replays are rejected: the same batch again appends nothing. */
	CHECK_RC(ot_ledger_submit(f.l, b.data, b.lens, N_BATCH, 0, res, &n, &err), OT_ERR_CONFLICT);
	CHECK_STR(err.code, "duplicate_id");
	CHECK(err.index == 0);
	free_batch(&b);

	/* A good batch: dry run first, then for real in one call. */
	uint64_t size1 = fx_size(&f);
	make_batch(&b, 0, "b");
	CHECK_OK(ot_ledger_submit(f.l, b.data, b.lens, N_BATCH, OT_SUBMIT_DRY_RUN, res, &n, &err));
	CHECK(n == 0 && fx_size(&f) == size1 && res[999].index == (int64_t)size1 + 999);
	CHECK(!lot_exists("b-lot-0"));
	CHECK_OK(ot_ledger_submit(f.l, b.data, b.lens, N_BATCH, 0, res, &n, &err));
	CHECK(n == N_BATCH && fx_size(&f) == size1 + N_BATCH);
	CHECK(res[999].index == (int64_t)size1 + 999);

	/* The log holds exactly the canonical entries. */
	uint8_t *entry = NULL;
	size_t len = 0;
	CHECK_OK(ot_log_entry(ot_ledger_log(f.l), size1 + 123, &entry, &len, NULL));
	CHECK(entry && len == b.lens[123] && memcmp(entry, b.data[123], len) == 0);
	free(entry);
	free_batch(&b);
	free(state0);

	/* A pretty-printed envelope is stored in canonical form. */
	ot_buf one;
	CHECK(fx_sign_with(&f,
	                   J("{'type':'extract','site':'mine-a','lot':'pretty',"
	                     "'material':'ore','mass_g':5,'assay':{}}"),
	                   "fwo", fx_key(&f, "fwo"), &one) == 0);
	json_t *env = json_loadb((const char *)one.data, one.len, 0, NULL);
	char *pretty = json_dumps(env, JSON_INDENT(4));
	const uint8_t *pd = (const uint8_t *)pretty;
	size_t pl = strlen(pretty);
	uint64_t at = fx_size(&f);
	CHECK_OK(ot_ledger_submit(f.l, &pd, &pl, 1, 0, NULL, NULL, &err));
	CHECK_OK(ot_log_entry(ot_ledger_log(f.l), at, &entry, &len, NULL));
	CHECK(entry && len == one.len && memcmp(entry, one.data, len) == 0);
	free(entry);
	free(pretty);
	json_decref(env);
	ot_buf_free(&one);

	/* Garbage is a parse error at its position. */
	const uint8_t *junk[2] = {(const uint8_t *)"{\"event\":", (const uint8_t *)"[]"};
	size_t jl[2] = {9, 2};
	CHECK_RC(ot_ledger_submit(f.l, junk, jl, 2, 0, NULL, NULL, &err), OT_ERR_PARSE);
	CHECK(err.index == 0);
	CHECK_OK(ot_ledger_submit(f.l, junk, jl, 2, OT_SUBMIT_KEEP_GOING, res, &n, &err));
	CHECK(n == 0 && res[0].error.status == OT_ERR_PARSE && res[1].error.index == 1);
	/* Misuse */
	CHECK_RC(ot_ledger_submit(f.l, junk, jl, 2, OT_SUBMIT_KEEP_GOING, NULL, &n, &err),
	         OT_ERR_ARG);
	CHECK_OK(ot_ledger_submit(f.l, NULL, NULL, 0, 0, NULL, &n, &err));
}

/* A key rotation inside a batch that fails is rolled back with it: the old
 * key still signs afterwards (the state, and the signer cache, forget it). */
static void test_rotation_rollback(void)
{
	ot_signer *k2 = fx_other_key(&f, "ussm");
	char vk2[OT_VKEY_MAX];
	ot_buf b[2];
	ot_error err;
	CHECK_OK(ot_signer_vkey(k2, vk2, sizeof vk2));
	CHECK(fx_sign_with(&f,
	                   J("{'type':'actor','actor':'ussm','key':'%s',"
	                     "'time':'2025-09-20T00:00:00Z'}",
	                     vk2),
	                   "gov", f.auth, &b[0]) == 0);
	CHECK(fx_sign_with(&f,
	                   J("{'type':'payment','payer':'ussm','payee':'x','kind':'fee',"
	                     "'amount':{'amount':1,'currency':'USD'},"
	                     "'time':'2025-09-21T00:00:00Z'}"),
	                   "ussm", fx_key(&f, "ussm"), &b[1]) == 0);
	const uint8_t *d[2] = {b[0].data, b[1].data};
	size_t l[2] = {b[0].len, b[1].len};
	uint64_t size = fx_size(&f);
	CHECK_RC(ot_ledger_submit(f.l, d, l, 2, 0, NULL, NULL, &err), OT_ERR_SIGNER);
	CHECK_STR(err.code, "key_revoked");
	CHECK(err.index == 1 && fx_size(&f) == size);
	/* the rotation never happened: the old key signs the same payment */
	CHECK_OK(ot_ledger_submit(f.l, &d[1], &l[1], 1, 0, NULL, NULL, &err));
	ot_buf_free(&b[0]);
	ot_buf_free(&b[1]);
}

static int has_finding(json_t *audit, const char *kind, const char *subject)
{
	json_t *a = json_object_get(audit, "findings");
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *x = json_array_get(a, i);
		if (strcmp(json_string_value(json_object_get(x, "kind")), kind) == 0 &&
		    (!subject ||
		     strcmp(json_string_value(json_object_get(x, "subject")), subject) == 0))
			return 1;
	}
	return 0;
}

static json_t *audit(ot_status want, int64_t now)
{
	char *text = NULL;
	ot_error err;
	ot_audit_options o;
	memset(&o, 0, sizeof o);
	o.now = now;
	ot_status rc = ot_ledger_audit(f.l, &o, 0, &text, &err);
	CHECK_RC(rc, want);
	if (rc != want)
		fprintf(stderr, "  audit: %s: %s\n", err.code, err.message);
	json_t *v = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return v;
}

static void test_flows(void)
{
	/* Copper to the US through a port, with a contract, a payment, a loss. */
	OK(fx_extract(&f, "fwo", "mine-a", "cu-ore", 10000000, "{'Cu':8000}")); /* 80 kg Cu */
	OK(fx_submit(&f, "fwo",
	             J("{'type':'transform','site':'mine-a','process':'beneficiation',"
	               "'inputs':[{'lot':'cu-ore','mass_g':10000000}],"
	               "'outputs':[{'lot':'cu-conc','material':'concentrate','mass_g':250000,"
	               "'assay':{'Cu':300000}}]}"))); /* 75 kg Cu */
	OK(fx_submit(&f, "fwo",
	             J("{'type':'ship','consignment':'PK-US-1','from':'mine-a','to':'us-site',"
	               "'consignee':'ussm','lots':['cu-conc'],'hs':['2603.00'],"
	               "'value':{'amount':250000,'currency':'USD'}}")));
	OK(fx_submit(&f, "ussm",
	             J("{'type':'receive','consignment':'PK-US-1','site':'us-site',"
	               "'lots':[{'lot':'cu-conc','mass_g':240000}]}")));
	uint8_t salt[OTX_COMMIT_SALT_SIZE];
	memset(salt, 1, sizeof salt);
	json_t *terms = J("'royalty 5 %%'"), *commit = NULL;
	CHECK_OK(otx_commit_make(terms, salt, NULL, &commit, NULL));
	char *ct = json_dumps(commit, 0);
	OK(fx_submit(&f, "fwo",
	             J("{'type':'contract','contract':'mou-1','parties':['gov-pk','fwo','ussm'],"
	               "'title':'MoU','terms':%s,'text':%s,'time':'2025-09-08T00:00:00Z'}",
	               ct, ct)));
	char sb[64];
	ot_b64_encode(salt, sizeof salt, sb);
	OK(fx_submit(&f, "fwo",
	             J("{'type':'disclose','contract':'mou-1','field':'text','salt':'%s',"
	               "'value':'royalty 5 %%'}",
	               sb)));
	OK(fx_submit(&f, "fwo",
	             J("{'type':'payment','payer':'fwo','payee':'gov-pk','kind':'royalty',"
	               "'amount':{'amount':1250000,'currency':'PKR'},'contract':'mou-1',"
	               "'lots':['cu-ore']}")));
	OK(fx_submit(&f, "fwo",
	             J("{'type':'payment','payer':'fwo','payee':'gov-pk','kind':'tax',"
	               "'amount':{'amount':750000,'currency':'PKR'}}")));
	free(ct);
	json_decref(commit);
	json_decref(terms);

	/* The audit agrees with the index; findings as of now and, when the
	 * terms have been withheld for 200 days, 200 days on: withholding
	 * counts from when the contract was logged (now), not from its claimed
	 * 2025 date, which is back-dated. */
	int64_t t0 = (int64_t)time(NULL);
	json_t *a = audit(OT_OK, t0);
	CHECK(has_finding(a, "backdated", NULL));
	CHECK(json_is_true(json_object_get(a, "ok")));
	CHECK((uint64_t)json_integer_value(json_object_get(a, "entries")) == fx_size(&f));
	CHECK(has_finding(a, "transit_loss", "cu-conc"));
	CHECK(has_finding(a, "export_without_assay", "cu-conc"));
	CHECK(has_finding(a, "extraction_beyond_resource", "mine-a"));
	CHECK(!has_finding(a, "terms_withheld", NULL));
	json_decref(a);
	a = audit(OT_OK, t0 + 200 * 86400);
	CHECK(has_finding(a, "terms_withheld", "mou-1.terms"));
	CHECK(!has_finding(a, "terms_withheld", "mou-1.text"));
	json_decref(a);

	/* contract show */
	char *text = NULL;
	CHECK_OK(ot_ledger_contract_show(f.l, "mou-1", t0 + 23 * 86400 + 3600, OT_JSON_PRETTY,
	                                 &text, NULL));
	json_t *c = text ? json_loads(text, 0, NULL) : NULL;
	json_t *cms = json_object_get(c, "commitments");
	CHECK(json_array_size(cms) == 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(cms, 0), "field")), "terms");
	CHECK(json_integer_value(json_object_get(json_array_get(cms, 0), "withheld_days")) == 23);
	CHECK_STR(json_string_value(json_object_get(json_array_get(cms, 1), "value")),
	          "royalty 5 %");
	CHECK(json_array_size(json_object_get(c, "payments")) == 1);
	json_decref(c);
	free(text);
	ot_error err;
	CHECK_RC(ot_ledger_contract_show(f.l, "nope", t0, 0, &text, &err), OT_ERR_NOTFOUND);
	CHECK_STR(err.code, "contract_not_found");

	/* The report: copper extracted and processed in PK, exported PK -> US. */
	CHECK_OK(ot_ledger_report(f.l, 0, &text, NULL));
	json_t *r = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	json_t *cu = NULL, *mins = json_object_get(r, "minerals");
	for (size_t i = 0; i < json_array_size(mins); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(mins, i), "element")),
		           "Cu") == 0)
			cu = json_array_get(mins, i);
	CHECK(cu != NULL);
	json_t *ex = json_array_get(json_object_get(cu, "exported"), 0);
	CHECK_STR(json_string_value(json_object_get(ex, "from")), "PK");
	CHECK_STR(json_string_value(json_object_get(ex, "to")), "US");
	CHECK(json_integer_value(json_object_get(ex, "grams")) == 75000);
	json_t *conc = json_object_get(cu, "concentration");
	CHECK(json_array_size(conc) >= 3);
	CHECK_STR(json_string_value(json_object_get(json_array_get(conc, 0), "top_country")), "PK");
	CHECK(json_integer_value(json_object_get(json_array_get(conc, 0), "hhi")) == 10000);
	json_t *pays = json_object_get(r, "payments"), *gov = NULL;
	for (size_t i = 0; i < json_array_size(pays); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(pays, i), "payee")),
		           "gov-pk") == 0)
			gov = json_array_get(pays, i);
	CHECK(json_array_size(pays) ==
	      2); /* gov-pk, and x (test_rotation_rollback, test_prepared) */
	CHECK(json_integer_value(json_object_get(gov, "amount")) == 2000000);
	CHECK(json_integer_value(json_object_get(gov, "count")) == 2);
	json_decref(r);

	/* trace of an unknown lot */
	CHECK_RC(ot_ledger_trace(f.l, "nope", 0, &text, &err), OT_ERR_NOTFOUND);
	CHECK_STR(err.code, "lot_not_found");
	/* the docs/events.md shape */
	json_t *t = fx_trace(&f, "cu-conc");
	static const char *const keys[] = {"lot",    "material", "mass_g",  "holder",
	                                   "status", "origins",  "ancestry"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		CHECK(json_object_get(t, keys[i]) != NULL);
	json_t *o = json_array_get(json_object_get(t, "origins"), 0);
	CHECK_STR(json_string_value(json_object_get(o, "element")), "Cu");
	CHECK_STR(json_string_value(json_object_get(o, "site")), "mine-a");
	CHECK_STR(json_string_value(json_object_get(o, "country")), "PK");
	CHECK(json_integer_value(json_object_get(o, "grams")) == 72000); /* 75 kg x 240/250 */
	CHECK(json_integer_value(json_object_get(o, "share_ppm")) == 1000000);
	json_decref(t);

	/* Ids with a quote and a backslash: the compact trace escapes them as
	 * jansson does (fx_trace compares it with the indented one). */
	OK(fx_extract(&f, "fwo", "mine-a", "odd\"ore\\1", 1000, "{'Cu':8000}"));
	OK(fx_submit(&f, "fwo",
	             json_pack("{s:s,s:s,s:s,s:s,s:[{s:s,s:i}],s:[{s:s,s:s,s:i,s:{s:i}}]}", "id",
	                       "ev\"odd\\2", "type", "transform", "site", "mine-a", "process",
	                       "beneficiation", "inputs", "lot", "odd\"ore\\1", "mass_g", 1000,
	                       "outputs", "lot", "odd\\conc\"1", "material", "concentrate",
	                       "mass_g", 20, "assay", "Cu", 300000)));
	t = fx_trace(&f, "odd\\conc\"1");
	CHECK(t != NULL);
	json_t *anc = json_object_get(t, "ancestry");
	CHECK(json_array_size(anc) == 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(anc, 1), "id")), "ev\"odd\\2");
	json_decref(t);
}

static void test_tamper(void)
{
	ot_store *st = ot_ledger_store(f.l);
	uint8_t *orig = NULL;
	size_t olen = 0;
	CHECK_OK(ot_store_kv_get(st, OTX_NS_LOT, "cu-conc", &orig, &olen, NULL));
	uint8_t *orig_id = NULL;
	size_t idlen = 0;
	CHECK_OK(ot_store_kv_get(st, OTX_NS_EVENT_ID, "b-7", &orig_id, &idlen, NULL));

	/* An index that says more Cu came from the mine than the log implies. */
	json_t *rec = json_loadb((const char *)orig, olen, 0, NULL);
	json_object_set_new(json_object_get(json_object_get(rec, "origins"), "Cu"), "mine-a",
	                    json_integer(99999999));
	CHECK_OK(ot_store_begin(st, NULL));
	CHECK_OK(otx_state_put(st, OTX_NS_LOT, "cu-conc", rec, NULL));
	CHECK_OK(ot_store_kv_put(st, OTX_NS_LOT, "ghost", (const uint8_t *)"{}", 2, NULL));
	CHECK_OK(ot_store_kv_del(st, OTX_NS_EVENT_ID, "b-7", NULL));
	CHECK_OK(ot_store_commit(st, NULL));
	json_decref(rec);
	json_t *a = audit(OT_ERR_CORRUPT, 0);
	CHECK(json_is_false(json_object_get(a, "ok")));
	json_t *p = json_object_get(a, "problems");
	int mismatch = 0, extra = 0, missing = 0;
	for (size_t i = 0; i < json_array_size(p); i++) {
		const char *code = json_string_value(json_object_get(json_array_get(p, i), "code"));
		mismatch += strcmp(code, "state_mismatch") == 0;
		extra += strcmp(code, "state_extra") == 0;
		missing += strcmp(code, "state_missing") == 0;
	}
	CHECK(mismatch == 1 && extra == 1 && missing == 1);
	json_decref(a);

	/* Put back, but b-7 with the wrong index: only that is caught. */
	CHECK_OK(ot_store_begin(st, NULL));
	CHECK_OK(ot_store_kv_put(st, OTX_NS_LOT, "cu-conc", orig, olen, NULL));
	CHECK_OK(ot_store_kv_del(st, OTX_NS_LOT, "ghost", NULL));
	CHECK_OK(ot_store_kv_put(st, OTX_NS_EVENT_ID, "b-7",
	                         (const uint8_t *)"{\"index\":0,\"type\":\"extract\"}", 29, NULL));
	CHECK_OK(ot_store_commit(st, NULL));
	a = audit(OT_ERR_CORRUPT, 0);
	p = json_object_get(a, "problems");
	CHECK(json_array_size(p) == 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(p, 0), "code")),
	          "state_mismatch");
	json_decref(a);

	/* With its own bytes the audit is clean again, for the tests after. */
	CHECK_OK(ot_store_begin(st, NULL));
	CHECK_OK(ot_store_kv_put(st, OTX_NS_EVENT_ID, "b-7", orig_id, idlen, NULL));
	CHECK_OK(ot_store_commit(st, NULL));
	a = audit(OT_OK, 0);
	CHECK(json_is_true(json_object_get(a, "ok")));
	json_decref(a);
	free(orig);
	free(orig_id);
}

static void test_reopen(void)
{
	char path[sizeof f.path];
	ot_error err;
	snprintf(path, sizeof path, "%s", f.path);
	uint64_t size = fx_size(&f);
	ot_ledger_close(f.l);
	f.l = NULL;

	ot_ledger *ro = NULL;
	CHECK_OK(ot_ledger_open(path, NULL, OT_LEDGER_READONLY, &ro, &err));
	CHECK(ro && ot_log_size(ot_ledger_log(ro)) == size);
	CHECK_STR(ot_ledger_authority(ro), "gov");
	char *text = NULL;
	CHECK_OK(ot_ledger_trace(ro, "cu-conc", 0, &text, &err));
	free(text);
	const uint8_t *junk = (const uint8_t *)"{}";
	size_t jl = 2;
	CHECK_RC(ot_ledger_submit(ro, &junk, &jl, 1, 0, NULL, NULL, &err), OT_ERR_READONLY);
	ot_ledger_close(ro);

	/* With the wrong key: refused. With the right one: appends. */
	CHECK_RC(ot_ledger_open(path, fx_key(&f, "fwo"), 0, &f.l, &err), OT_ERR_KEY);
	CHECK_OK(ot_ledger_open(path, f.auth, 0, &f.l, &err));
	OK(fx_extract(&f, "fwo", "mine-a", "after-reopen", 10, "{'Cu':1}"));
	CHECK(fx_size(&f) == size + 1);
	CHECK_RC(ot_ledger_create(path, "again", f.auth, &ro, &err), OT_ERR_EXISTS);
}

/* A payment by `payer` at `time`, signed with `key`. */
static void payment(const char *payer, const ot_signer *key, const char *time, ot_buf *b)
{
	CHECK(fx_sign_with(&f,
	                   J("{'type':'payment','payer':'%s','payee':'x','kind':'fee',"
	                     "'amount':{'amount':1,'currency':'USD'},'time':'%s'}",
	                     payer, time),
	                   payer, key, b) == 0);
}

/* ot_ledger_prepare and ot_ledger_submit_prepared: the signature checked
 * ahead of the batch is a hint the rules still confirm. */
static void test_prepared(void)
{
	ot_error err;
	ot_prepared *p = NULL, *late = NULL, *junk = (ot_prepared *)1;
	ot_submit_result res[2];
	ot_buf b;
	OK(fx_actor(&f, "prep", "US", "['importer','processor']"));

	/* Prepared, then submitted: the canonical entry, appended at the end;
	 * the same prepared entry again is a safe retry. */
	payment("prep", fx_key(&f, "prep"), "2025-09-21T00:00:00Z", &b);
	ot_buf canon;
	ot_buf_init(&canon, 0);
	CHECK_OK(ot_event_entry(b.data, b.len, &canon, &err));
	CHECK_OK(ot_ledger_prepare(f.l, b.data, b.len, &p, &err));
	ot_buf_free(&b); /* the prepared entry keeps what it needs */
	size_t len = 0;
	const uint8_t *entry = ot_prepared_entry(p, &len);
	CHECK(len == canon.len && memcmp(entry, canon.data, len) == 0);
	ot_buf_free(&canon);
	uint64_t size = fx_size(&f);
	size_t n = 0;
	CHECK_OK(ot_ledger_submit_prepared(f.l, &p, 1, OT_SUBMIT_RETRY, res, &n, &err));
	CHECK(n == 1 && res[0].index == (int64_t)size && fx_size(&f) == size + 1);
	CHECK_OK(ot_ledger_submit_prepared(f.l, &p, 1, OT_SUBMIT_RETRY, res, &n, &err));
	CHECK(n == 0 && res[0].existing == 1 && res[0].index == (int64_t)size);
	CHECK_RC(ot_ledger_submit_prepared(f.l, &p, 1, 0, NULL, NULL, &err), OT_ERR_CONFLICT);
	CHECK_STR(err.code, "duplicate_id");
	ot_prepared_free(p);

	/* Prepared while its signer is unknown (no key to check it with),
	 * registered before the submit: verified in the batch, accepted. */
	payment("prep-late", fx_key(&f, "prep-late"), "2025-09-21T00:00:00Z", &b);
	CHECK_OK(ot_ledger_prepare(f.l, b.data, b.len, &late, &err));
	ot_buf_free(&b);
	OK(fx_actor(&f, "prep-late", "US", "['importer','processor']"));
	CHECK_OK(ot_ledger_submit_prepared(f.l, &late, 1, 0, NULL, &n, &err));
	CHECK(n == 1);
	ot_prepared_free(late);

	/* Prepared with the key in force, which is rotated before the submit:
	 * the signature verified, but the rules refuse the revoked key. */
	payment("prep", fx_key(&f, "prep"), "2025-09-23T00:00:00Z", &b);
	CHECK_OK(ot_ledger_prepare(f.l, b.data, b.len, &p, &err));
	ot_buf_free(&b);
	char vk2[OT_VKEY_MAX];
	ot_signer *k2 = fx_other_key(&f, "prep");
	CHECK_OK(ot_signer_vkey(k2, vk2, sizeof vk2));
	OK(fx_submit(&f, "gov",
	             J("{'type':'actor','actor':'prep','key':'%s','time':'2025-09-22T00:00:00Z'}",
	               vk2)));
	size = fx_size(&f);
	CHECK_RC(ot_ledger_submit_prepared(f.l, &p, 1, 0, NULL, NULL, &err), OT_ERR_SIGNER);
	CHECK_STR(err.code, "key_revoked");
	CHECK(err.index == 0 && fx_size(&f) == size);
	CHECK_OK(ot_ledger_submit_prepared(f.l, &p, 1, OT_SUBMIT_KEEP_GOING, res, &n, &err));
	CHECK(n == 0 && res[0].index == -1 && res[0].error.status == OT_ERR_SIGNER);
	ot_prepared_free(p);

	/* Signed with the new key and prepared at once, while the handle
	 * still remembers the old one: verified in the batch, accepted. */
	payment("prep", k2, "2025-09-23T00:00:00Z", &b);
	CHECK_OK(ot_ledger_prepare(f.l, b.data, b.len, &p, &err));
	ot_buf_free(&b);
	CHECK_OK(ot_ledger_submit_prepared(f.l, &p, 1, 0, NULL, &n, &err));
	CHECK(n == 1);
	ot_prepared_free(p);

	/* Not an envelope: the parse error, nothing prepared; misuse. */
	CHECK_RC(ot_ledger_prepare(f.l, (const uint8_t *)"{\"a\":1}", 7, &junk, &err),
	         OT_ERR_PARSE);
	CHECK(junk == NULL && err.code[0]);
	CHECK_RC(ot_ledger_prepare(f.l, NULL, 2, &junk, &err), OT_ERR_ARG);

	/* Without a ledger (a server with no read handle just now): parsed
	 * only, verified in the batch. */
	payment("prep-late", fx_key(&f, "prep-late"), "2025-09-24T00:00:00Z", &b);
	CHECK_OK(ot_ledger_prepare(NULL, b.data, b.len, &late, &err));
	ot_buf_free(&b);
	CHECK_OK(ot_ledger_submit_prepared(f.l, &late, 1, 0, NULL, &n, &err));
	CHECK(n == 1);
	ot_prepared_free(late);
	CHECK_RC(ot_ledger_submit_prepared(f.l, NULL, 1, 0, NULL, NULL, &err), OT_ERR_ARG);
	CHECK_RC(ot_ledger_submit_prepared(f.l, &junk, 1, 0, NULL, NULL, &err), OT_ERR_ARG);
	CHECK_OK(ot_ledger_submit_prepared(f.l, NULL, 0, 0, NULL, &n, &err));
	CHECK(ot_prepared_entry(NULL, &len) == NULL && len == 0);
	ot_prepared_free(NULL);
}

int main(void)
{
	CHECK(fx_open(&f, "ledger") == 0);
	OK(fx_actor(&f, "fwo", "PK", "['miner','processor','exporter']"));
	OK(fx_actor(&f, "ussm", "US", "['importer','processor']"));
	OK(fx_site(&f, "mine-a", "mine", "fwo", "PK"));
	OK(fx_site(&f, "us-site", "plant", "ussm", "US"));
	test_batches();
	test_rotation_rollback();
	test_prepared();
	test_flows();
	test_tamper();
	test_reopen();
	fx_close(&f);
	return test_done("test_ledger");
}
