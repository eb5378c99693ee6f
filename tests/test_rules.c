/*
 * test_rules.c: every ledger rule, each with an event that passes and one
 * that breaks it: the exact status and code, and a rejected event leaves
 * the log size and every state record unchanged.
 */
#include <inttypes.h>

#include "ledger/commit.h"
#include "ledger_fixture.h"
#include "oretrail/encoding.h"

static fx f;

/* Submits and expects a rejection with `code`, nothing changed. */
#define REJECT(expr, want_status, want_code)                               \
	do {                                                               \
		uint64_t n0_ = fx_size(&f);                                \
		char *s0_ = fx_state(&f);                                  \
		CHECK_RC((expr), (want_status));                           \
		CHECK_STR(f.err.code, (want_code));                        \
		if (strcmp(f.err.code, (want_code)) != 0)                  \
			fprintf(stderr, "  message: %s\n", f.err.message); \
		CHECK(fx_size(&f) == n0_);                                 \
		char *s1_ = fx_state(&f);                                  \
		CHECK(s0_ &&s1_ &&strcmp(s0_, s1_) == 0);                  \
		free(s0_);                                                 \
		free(s1_);                                                 \
	} while (0)

#define ACCEPT(expr)                                                              \
	do {                                                                      \
		uint64_t n0_ = fx_size(&f);                                       \
		ot_status ra_ = (expr);                                           \
		CHECK_RC(ra_, OT_OK);                                             \
		if (ra_)                                                          \
			fprintf(stderr, "  %s: %s\n", f.err.code, f.err.message); \
		CHECK(fx_size(&f) == n0_ + 1);                                    \
	} while (0)

#define MSG_HAS(s) CHECK(strstr(f.err.message, (s)) != NULL)

static json_t *lot_rec(const char *lot)
{
	json_t *rec = NULL;
	if (otx_state_get(ot_ledger_store(f.l), OTX_NS_LOT, lot, &rec, NULL) != OT_OK)
		return NULL;
	return rec;
}

static const char *lot_str(const char *lot, const char *key)
{
	static char buf[256];
	json_t *rec = lot_rec(lot);
	snprintf(buf, sizeof buf, "%s", rec ? otx_jstr(rec, key) : "(none)");
	json_decref(rec);
	return buf;
}

static int64_t lot_int(const char *lot, const char *key)
{
	json_t *rec = lot_rec(lot);
	int64_t v = rec ? otx_jint(rec, key, -1) : -1;
	json_decref(rec);
	return v;
}

typedef struct count_ctx {
	const char *kind;
	int n;
} count_ctx;

static ot_status count_cb(void *ctx, const char *key, const uint8_t *value, size_t len)
{
	(void)value;
	(void)len;
	count_ctx *c = ctx;
	if (strstr(key, c->kind))
		c->n++;
	return OT_OK;
}

static int findings(const char *kind)
{
	count_ctx c = {kind, 0};
	ot_store_kv_scan(ot_ledger_store(f.l), OTX_NS_FINDING, "", count_cb, &c, NULL);
	return c.n;
}

static void world(void)
{
	CHECK_OK(fx_open(&f, "rules") == 0 ? OT_OK : OT_ERR_IO);
	CHECK_OK(fx_actor(&f, "fwo", "PK", "['miner','processor','exporter']"));
	CHECK_OK(fx_actor(&f, "proc2", "PK", "['processor']"));
	CHECK_OK(fx_actor(&f, "miner2", "PK", "['miner']"));
	CHECK_OK(fx_actor(&f, "lab1", "PK", "['lab']"));
	CHECK_OK(fx_actor(&f, "ussm", "US", "['importer','processor']"));
	CHECK_OK(fx_site(&f, "mine-a", "mine", "fwo", "PK"));
	CHECK_OK(fx_site(&f, "plant-1", "plant", "fwo", "PK"));
	CHECK_OK(fx_site(&f, "plant-2", "plant", "proc2", "PK"));
	CHECK_OK(fx_site(&f, "lab-pk", "lab", "lab1", "PK"));
	CHECK_OK(fx_site(&f, "us-site", "plant", "ussm", "US"));
	CHECK_OK(fx_extract(&f, "fwo", "mine-a", "ore-1", 1500000, "{'Nd':4600,'Pr':1350}"));
	CHECK(fx_size(&f) == 11);
}

static void test_signer(void)
{
#define EV_FMT                                                                \
	"{'type':'extract','site':'mine-a','lot':'ore-k%d','material':'ore'," \
	"'mass_g':1000,'assay':{'Nd':4600},'time':'%s'}"
	/* unknown signer */
	REJECT(fx_submit(&f, "stranger", J(EV_FMT, 1, FX_TIME)), OT_ERR_SIGNER, "unknown_signer");
	/* a key of the right name that is not the registered one */
	REJECT(fx_submit_with(&f, J(EV_FMT, 1, FX_TIME), "fwo", fx_other_key(&f, "fwo")),
	       OT_ERR_VERIFY, "bad_signature");
	/* a lab may not extract; only the authority registers actors and sites */
	REJECT(fx_submit(&f, "lab1", J(EV_FMT, 1, FX_TIME)), OT_ERR_SIGNER, "missing_role");
	MSG_HAS("lab1 has the roles lab; extract events need one of miner");
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'actor','actor':'x','name':'x','country':'PK','roles':['lab'],"
	                   "'key':'%s'}",
	                   fx_vkey(&f, "x"))),
	       OT_ERR_SIGNER, "missing_role");
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'site','site':'s9','kind':'mine','holder':'fwo','country':'PK'"
	                   "}")),
	       OT_ERR_SIGNER, "missing_role");
	ACCEPT(fx_submit(&f, "fwo", J(EV_FMT, 1, FX_TIME)));

	/* Rotation, by log position: once the authority gives rot a new key,
	 * the old one signs nothing more, whatever time the event claims. */
#define CT_FMT "{'type':'contract','contract':'ct-%d','parties':['%s'],'time':'%s'}"
	CHECK_OK(fx_actor(&f, "rot", "PK", "['lab']"));
	ACCEPT(fx_submit(&f, "rot", J(CT_FMT, 1, "rot", "2025-10-05T00:00:00Z")));
	ACCEPT(fx_submit(&f, "rot", J(CT_FMT, 2, "rot", "2025-09-01T00:00:00Z")));
	ot_signer *k2 = fx_other_key(&f, "rot");
	char vk2[OT_VKEY_MAX];
	CHECK_OK(ot_signer_vkey(k2, vk2, sizeof vk2));
	uint64_t rotated_at = fx_size(&f);
	ACCEPT(fx_submit(
		&f, "gov",
		J("{'type':'actor','actor':'rot','key':'%s','time':'2025-10-01T00:00:00Z'}", vk2)));
	/* ct-1, sequenced before the rotation but claiming a time after it */
	CHECK(findings("signed_after_revocation/rot") == 1);
	REJECT(fx_submit(&f, "rot", J(CT_FMT, 3, "rot", "2025-10-02T00:00:00Z")), OT_ERR_SIGNER,
	       "key_revoked");
	char msg[64];
	snprintf(msg, sizeof msg, "revoked by entry %" PRIu64, rotated_at);
	MSG_HAS(msg);
	/* back-dated before the rotation: refused all the same */
	REJECT(fx_submit(&f, "rot", J(CT_FMT, 3, "rot", "2025-09-15T00:00:00Z")), OT_ERR_SIGNER,
	       "key_revoked");
	ACCEPT(fx_submit_with(&f, J(CT_FMT, 3, "rot", "2025-10-02T00:00:00Z"), "rot", k2));
	/* the same key twice is refused */
	REJECT(fx_submit(&f, "gov", J("{'type':'actor','actor':'rot','key':'%s'}", vk2)),
	       OT_ERR_PARSE, "bad_field");
	/* a key named for someone else */
	REJECT(fx_submit(
		       &f, "gov",
		       J("{'type':'actor','actor':'zed','name':'z','country':'PK','roles':['lab'],"
	                 "'key':'%s'}",
	                 fx_vkey(&f, "lab1"))),
	       OT_ERR_PARSE, "bad_field");

	/* Revocation without a successor, from a time in the future: still
	 * effective at once. */
	CHECK_OK(fx_actor(&f, "gone", "PK", "['lab']"));
	ACCEPT(fx_submit(
		&f, "gov",
		J("{'type':'actor','actor':'gone','revoke_from':'2026-09-20T00:00:00Z'}")));
	REJECT(fx_submit(&f, "gone", J(CT_FMT, 4, "gone", "2025-09-21T00:00:00Z")), OT_ERR_SIGNER,
	       "key_revoked");
	MSG_HAS("revoked by entry");

	/* Revoked outright, then re-admitted with a new key. */
	CHECK_OK(fx_actor(&f, "out", "PK", "['lab']"));
	REJECT(fx_submit(&f, "gov", J("{'type':'actor','actor':'out','revoked':false}")),
	       OT_ERR_PARSE, "bad_field");
	REJECT(fx_submit(&f, "gov",
	                 J("{'type':'actor','actor':'nobody','name':'n','country':'PK',"
	                   "'roles':['lab'],'key':'%s','revoked':true}",
	                   fx_vkey(&f, "nobody"))),
	       OT_ERR_PARSE, "bad_field");
	MSG_HAS("nothing to revoke");
	ot_signer *k3 = fx_other_key(&f, "out");
	char vk3[OT_VKEY_MAX];
	CHECK_OK(ot_signer_vkey(k3, vk3, sizeof vk3));
	REJECT(fx_submit(&f, "gov",
	                 J("{'type':'actor','actor':'out','revoked':true,'key':'%s'}", vk3)),
	       OT_ERR_PARSE, "bad_field");
	ACCEPT(fx_submit(&f, "gov", J("{'type':'actor','actor':'out','revoked':true}")));
	REJECT(fx_submit(&f, "out", J(CT_FMT, 5, "out", "2020-01-01T00:00:00Z")), OT_ERR_SIGNER,
	       "key_revoked");
	/* an unregistered key is no way back in */
	REJECT(fx_submit_with(&f, J(CT_FMT, 5, "out", FX_TIME), "out", k3), OT_ERR_SIGNER,
	       "key_revoked");
	MSG_HAS("no key in force");
	ACCEPT(fx_submit(&f, "gov", J("{'type':'actor','actor':'out','key':'%s'}", vk3)));
	ACCEPT(fx_submit_with(&f, J(CT_FMT, 5, "out", FX_TIME), "out", k3));
	REJECT(fx_submit(&f, "out", J(CT_FMT, 6, "out", FX_TIME)), OT_ERR_SIGNER, "key_revoked");
#undef CT_FMT

	/* duplicate event id (replay) */
	ACCEPT(fx_submit(&f, "fwo",
	                 J("{'type':'resource','id':'same','site':'mine-a',"
	                   "'category':'measured','ore_t':1000}")));
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'resource','id':'same','site':'mine-a',"
	                   "'category':'measured','ore_t':1000}")),
	       OT_ERR_CONFLICT, "duplicate_id");
}

static void test_fields(void)
{
	REJECT(fx_submit(&f, "fwo", J("{'type':'teleport','lot':'ore-1'}")), OT_ERR_PARSE,
	       "unknown_type");
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'extract','site':'mine-a','lot':'ore-f','material':'ore',"
	                   "'assay':{'Nd':1}}")),
	       OT_ERR_PARSE, "missing_field");
	MSG_HAS("mass_g: required");
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'extract','site':'mine-a','lot':'ore-f','material':'ore',"
	                   "'mass_g':'12','assay':{'Nd':1}}")),
	       OT_ERR_PARSE, "bad_field");
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'extract','site':'mine-a','lot':'ore-f','material':'ore',"
	                   "'mass_g':12,'assay':{'Xx':1}}")),
	       OT_ERR_PARSE, "bad_field");
	MSG_HAS("assay.Xx");
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'extract','site':'mine-a','lot':'ore-f','material':'gold bars',"
	                   "'mass_g':12,'assay':{'Nd':1}}")),
	       OT_ERR_PARSE, "bad_field");
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'extract','site':'mine-a','lot':'ore-f','material':'ore',"
	                   "'mass_g':12,'assay':{'Nd':700000,'Pr':400000}}")),
	       OT_ERR_PARSE, "bad_field");
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'extract','site':'mine-a','lot':'ore f','material':'ore',"
	                   "'mass_g':12,'assay':{'Nd':1}}")),
	       OT_ERR_PARSE, "bad_field");
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'extract','site':'mine-a','lot':'ore-f','material':'ore',"
	                   "'mass_g':{'commit':'sha256:%064d'},'assay':{'Nd':1}}",
	                   0)),
	       OT_ERR_PARSE, "bad_field");
	MSG_HAS("must be public");
}

static void test_registry(void)
{
	REJECT(fx_site(&f, "mine-a", "mine", "fwo", "PK"), OT_ERR_CONFLICT, "duplicate_site");
	REJECT(fx_site(&f, "mine-z", "mine", "nobody", "PK"), OT_ERR_CONFLICT, "actor_not_found");
	REJECT(fx_site(&f, "mine-z", "volcano", "fwo", "PK"), OT_ERR_PARSE, "bad_field");
	REJECT(fx_site(&f, "mine-z", "mine", "fwo", "Pakistan"), OT_ERR_PARSE, "bad_field");
	ACCEPT(fx_submit(&f, "fwo",
	                 J("{'type':'resource','site':'mine-a','category':'indicated',"
	                   "'ore_t':2000000,'grade':{'TREO':25000,'Nd':4500},'standard':'JORC'}")));
	ACCEPT(fx_submit(&f, "gov",
	                 J("{'type':'resource','site':'mine-a','category':'inferred','ore_t':1}")));
	REJECT(fx_submit(&f, "proc2",
	                 J("{'type':'resource','site':'mine-a','category':'inferred','ore_t':1}")),
	       OT_ERR_SIGNER, "not_site_holder");
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'resource','site':'plant-1','category':'inferred','ore_t':1}")),
	       OT_ERR_RULE, "wrong_site_kind");
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'resource','site':'mine-a','category':'guessed','ore_t':1}")),
	       OT_ERR_PARSE, "bad_field");
}

static void test_extract(void)
{
	CHECK_OK(fx_submit(&f, "gov",
	                   J("{'type':'site','site':'mine-old','kind':'mine','holder':'fwo',"
	                     "'country':'PK','licence':'KP-ML-2020-001',"
	                     "'valid_from':'2020-01-01T00:00:00Z',"
	                     "'valid_until':'2025-06-01T00:00:00Z'}")));
	REJECT(fx_extract(&f, "fwo", "mine-old", "ore-o1", 1000, "{'Cu':5000}"), OT_ERR_RULE,
	       "licence_not_valid");
	MSG_HAS("expired at 2025-06-01T00:00:00Z");
	ACCEPT(fx_submit(&f, "fwo",
	                 J("{'type':'extract','site':'mine-old','lot':'ore-o1','material':'ore',"
	                   "'mass_g':1000,'assay':{'Cu':5000},'time':'2025-05-01T00:00:00Z'}")));
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'extract','site':'mine-old','lot':'ore-o2','material':'ore',"
	                   "'mass_g':1000,'assay':{'Cu':5000},'time':'2019-05-01T00:00:00Z'}")),
	       OT_ERR_RULE, "licence_not_valid");
	REJECT(fx_extract(&f, "fwo", "plant-1", "ore-p", 1000, "{'Cu':5000}"), OT_ERR_RULE,
	       "wrong_site_kind");
	REJECT(fx_extract(&f, "miner2", "mine-a", "ore-m2", 1000, "{'Cu':5000}"), OT_ERR_SIGNER,
	       "not_site_holder");
	CHECK_OK(fx_actor(&f, "miner3", "PK", "['miner']"));
	REJECT(fx_extract(&f, "miner3", "mine-a", "ore-m3", 1000, "{'Cu':5000}"), OT_ERR_SIGNER,
	       "not_site_holder");
	REJECT(fx_extract(&f, "fwo", "mine-a", "ore-1", 1000, "{'Cu':5000}"), OT_ERR_CONFLICT,
	       "duplicate_lot");
	REJECT(fx_extract(&f, "fwo", "mine-nowhere", "ore-n", 1000, "{'Cu':5000}"), OT_ERR_CONFLICT,
	       "site_not_found");

	/* Extraction beyond declared resources is a finding, not a rejection. */
	CHECK_OK(fx_site(&f, "mine-b", "mine", "fwo", "PK"));
	CHECK_OK(fx_submit(
		&f, "fwo",
		J("{'type':'resource','site':'mine-b','category':'measured','ore_t':2}")));
	ACCEPT(fx_extract(&f, "fwo", "mine-b", "ore-b1", 1500000, "{'Sb':20000}"));
	CHECK(findings("extraction_beyond_resource/mine-b") == 0);
	ACCEPT(fx_extract(&f, "fwo", "mine-b", "ore-b2", 600000, "{'Sb':20000}"));
	CHECK(findings("extraction_beyond_resource/mine-b") == 1);
	ACCEPT(fx_extract(&f, "fwo", "mine-b", "ore-b3", 600000, "{'Sb':20000}"));
	CHECK(findings("extraction_beyond_resource/mine-b") == 1); /* recorded at the crossing */
}

static json_t *transform(const char *site, const char *in_lot, long long used, const char *out_lot,
                         long long mass, const char *assay)
{
	return J("{'type':'transform','site':'%s','process':'beneficiation',"
	         "'inputs':[{'lot':'%s','mass_g':%lld}],"
	         "'outputs':[{'lot':'%s','material':'concentrate','mass_g':%lld,'assay':%s}]}",
	         site, in_lot, used, out_lot, mass, assay);
}

static void test_transform(void)
{
	/* ore-1: 1,500,000 g at Nd 4600, Pr 1350: 6900 g Nd, 2025 g Pr. */
	REJECT(fx_submit(&f, "fwo", transform("mine-a", "nope", 10, "c-x", 1, "{'Nd':1}")),
	       OT_ERR_CONFLICT, "lot_not_found");
	REJECT(fx_submit(&f, "fwo",
	                 transform("mine-a", "ore-1", 1600000, "c-x", 20000, "{'Nd':300000}")),
	       OT_ERR_RULE, "mass_exceeded");
	MSG_HAS("inputs[0].mass_g: uses 1600000 g of ore-1 but only 1500000 g remain");
	REJECT(fx_submit(&f, "fwo",
	                 transform("mine-a", "ore-1", 1500000, "c-x", 20000, "{'Nd':400000}")),
	       OT_ERR_RULE, "element_created");
	MSG_HAS("outputs[0].assay.Nd: the outputs hold 8000.000 g of Nd but the inputs hold "
	        "6900.000 g");
	REJECT(fx_submit(&f, "fwo",
	                 transform("mine-a", "ore-1", 1500000, "c-x", 20000, "{'Sb':10}")),
	       OT_ERR_RULE, "element_created");
	REJECT(fx_submit(&f, "proc2",
	                 transform("mine-a", "ore-1", 1500000, "c-x", 20000, "{'Nd':300000}")),
	       OT_ERR_CONFLICT, "lot_not_held");
	MSG_HAS("held by fwo, not by proc2");
	REJECT(fx_submit(&f, "fwo",
	                 transform("plant-1", "ore-1", 1500000, "c-x", 20000, "{'Nd':300000}")),
	       OT_ERR_CONFLICT, "lot_not_at_site");
	REJECT(fx_submit(&f, "fwo",
	                 transform("lab-pk", "ore-1", 1500000, "c-x", 20000, "{'Nd':300000}")),
	       OT_ERR_RULE, "wrong_site_kind");
	REJECT(fx_submit(&f, "fwo",
	                 transform("mine-a", "ore-1", 1500000, "ore-b1", 20000, "{'Nd':300000}")),
	       OT_ERR_CONFLICT, "duplicate_lot");
	REJECT(fx_submit(&f, "lab1",
	                 transform("mine-a", "ore-1", 1500000, "c-x", 20000, "{'Nd':300000}")),
	       OT_ERR_SIGNER, "missing_role");
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'transform','site':'mine-a','process':'beneficiation',"
	                   "'inputs':[{'lot':'ore-1','mass_g':10},{'lot':'ore-1','mass_g':10}],"
	                   "'outputs':[{'lot':'c-x','material':'concentrate','mass_g':1,"
	                   "'assay':{}}]}")),
	       OT_ERR_PARSE, "bad_field");
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'transform','site':'mine-a','process':'alchemy',"
	                   "'inputs':[{'lot':'ore-1','mass_g':10}],"
	                   "'outputs':[{'lot':'c-x','material':'concentrate','mass_g':1,"
	                   "'assay':{}}]}")),
	       OT_ERR_PARSE, "bad_field");

	/* Causality: nothing happens to a lot before it was made. */
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'transform','site':'mine-a','process':'beneficiation',"
	                   "'inputs':[{'lot':'ore-1','mass_g':10}],'time':'2025-09-09T23:59:59Z',"
	                   "'outputs':[{'lot':'c-t','material':'concentrate','mass_g':1,"
	                   "'assay':{}}]}")),
	       OT_ERR_RULE, "time_order");
	MSG_HAS("before lot ore-1 was made (2025-09-10T00:00:00Z)");
	REJECT(fx_submit(&f, "lab1",
	                 J("{'type':'assay','lot':'ore-1','assay':{'Nd':4600},"
	                   "'time':'2025-01-01T00:00:00Z'}")),
	       OT_ERR_RULE, "time_order");

	/* Within the stated uncertainty (1 %): 2 % over fails, 0.5 % over passes. */
	CHECK_OK(fx_submit(&f, "fwo",
	                   J("{'type':'extract','site':'mine-a','lot':'ore-u','material':'ore',"
	                     "'mass_g':1000000,'assay':{'Cu':10000},'uncertainty_ppm':10000}")));
	REJECT(fx_submit(&f, "fwo",
	                 transform("mine-a", "ore-u", 1000000, "c-u", 40000, "{'Cu':255000}")),
	       OT_ERR_RULE, "element_created");
	ACCEPT(fx_submit(&f, "fwo",
	                 transform("mine-a", "ore-u", 1000000, "c-u", 40000, "{'Cu':251250}")));

	/* The good one, in two partial uses. */
	ACCEPT(fx_submit(&f, "fwo",
	                 transform("mine-a", "ore-1", 1000000, "conc-1", 13000, "{'Nd':300000}")));
	CHECK(lot_int("ore-1", "mass_g") == 500000);
	CHECK_STR(lot_str("ore-1", "status"), "held");
	REJECT(fx_submit(&f, "fwo",
	                 transform("mine-a", "ore-1", 500001, "conc-2", 6000, "{'Nd':300000}")),
	       OT_ERR_RULE, "mass_exceeded");
	ACCEPT(fx_submit(&f, "fwo",
	                 transform("mine-a", "ore-1", 500000, "conc-2", 6000, "{'Nd':300000}")));
	CHECK(lot_int("ore-1", "mass_g") == 0);
	CHECK_STR(lot_str("ore-1", "status"), "consumed");
	CHECK_STR(lot_str("conc-1", "holder"), "fwo");
	CHECK_STR(lot_str("conc-1", "site"), "mine-a");

	/* A certified assay supersedes the declared one: conc-1 declared 30 %
	 * Nd (3900 g); the lab finds 25 % (3250 g). */
	REJECT(fx_submit(&f, "fwo", J("{'type':'assay','lot':'conc-1','assay':{'Nd':250000}}")),
	       OT_ERR_SIGNER, "missing_role");
	REJECT(fx_submit(
		       &f, "lab1",
		       J("{'type':'assay','lot':'conc-1','lab':'plant-1','assay':{'Nd':250000}}")),
	       OT_ERR_RULE, "wrong_site_kind");
	ACCEPT(fx_submit(&f, "lab1",
	                 J("{'type':'assay','lot':'conc-1','lab':'lab-pk','assay':{'Nd':250000},"
	                   "'uncertainty_ppm':0,'method':'ICP-MS'}")));
	REJECT(fx_submit(&f, "fwo",
	                 transform("mine-a", "conc-1", 13000, "ox-1", 4000, "{'Nd':850000}")),
	       OT_ERR_RULE, "element_created"); /* 3400 g > 3250 g */
	ACCEPT(fx_submit(
		&f, "fwo",
		transform("mine-a", "conc-1", 13000, "ox-1", 3800, "{'Nd':850000}"))); /* 3230 g */
}

static void test_ship_receive(void)
{
	CHECK_OK(fx_extract(&f, "fwo", "mine-a", "ore-s1", 100000, "{'Sb':300000}"));
	CHECK_OK(fx_extract(&f, "fwo", "mine-a", "ore-s2", 50000, "{'Sb':300000}"));
#define SHIP_FMT                                                       \
	"{'type':'ship','consignment':'%s','from':'mine-a','to':'%s'," \
	"'consignee':'ussm','lots':[%s],'hs':['2617.10'],"             \
	"'value':{'amount':250000,'currency':'USD'},'permit':'EXP-1'}"
	REJECT(fx_submit(&f, "fwo", J(SHIP_FMT, "C1", "nowhere", "'ore-s1'")), OT_ERR_CONFLICT,
	       "site_not_found");
	REJECT(fx_submit(&f, "fwo", J(SHIP_FMT, "C1", "us-site", "'ore-s1','ore-s1'")),
	       OT_ERR_PARSE, "bad_field");
	REJECT(fx_submit(&f, "proc2", J(SHIP_FMT, "C1", "us-site", "'ore-s1'")), OT_ERR_CONFLICT,
	       "lot_not_held");
	REJECT(fx_submit(&f, "fwo", J(SHIP_FMT, "C1", "us-site", "'ore-1'")), OT_ERR_CONFLICT,
	       "lot_consumed");
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'ship','consignment':'C1','from':'mine-a','to':'us-site',"
	                   "'consignee':'nobody','lots':['ore-s1']}")),
	       OT_ERR_CONFLICT, "actor_not_found");
	CHECK(findings("export_without_assay") == 0);
	ACCEPT(fx_submit(&f, "fwo", J(SHIP_FMT, "C1", "us-site", "'ore-s1','ore-s2'")));
	CHECK(findings("export_without_assay") == 2);
	CHECK_STR(lot_str("ore-s1", "status"), "in_transit");
	REJECT(fx_submit(&f, "fwo", J(SHIP_FMT, "C1", "us-site", "'conc-2'")), OT_ERR_CONFLICT,
	       "duplicate_consignment");
	REJECT(fx_submit(&f, "fwo", J(SHIP_FMT, "C2", "us-site", "'ore-s1'")), OT_ERR_CONFLICT,
	       "lot_in_transit");
	REJECT(fx_submit(&f, "fwo",
	                 transform("mine-a", "ore-s1", 100000, "c-s", 1000, "{'Sb':500000}")),
	       OT_ERR_CONFLICT, "lot_in_transit");

#define RECV_FMT "{'type':'receive','consignment':'%s','site':'%s','lots':[%s]}"
	const char *both = "{'lot':'ore-s1','mass_g':99000},{'lot':'ore-s2','mass_g':49900}";
	REJECT(fx_submit(&f, "ussm", J(RECV_FMT, "C9", "us-site", both)), OT_ERR_CONFLICT,
	       "consignment_not_found");
	REJECT(fx_submit(&f, "fwo", J(RECV_FMT, "C1", "us-site", both)), OT_ERR_SIGNER,
	       "not_consignee");
	REJECT(fx_submit(&f, "ussm", J(RECV_FMT, "C1", "plant-2", both)), OT_ERR_CONFLICT,
	       "site_mismatch");
	/* A receipt may cover part of a consignment: partial_ship_cli.sh. */
	REJECT(fx_submit(&f, "ussm",
	                 J(RECV_FMT, "C1", "us-site",
	                   "{'lot':'ore-s1','mass_g':99000},{'lot':'conc-2','mass_g':1}")),
	       OT_ERR_CONFLICT, "lot_not_in_consignment");
	/* A receipt claimed before its shipment is taken, as a finding. */
	CHECK(findings("out_of_order") == 0);
	ACCEPT(fx_submit(&f, "ussm",
	                 J("{'type':'receive','consignment':'C1','site':'us-site','lots':[%s],"
	                   "'time':'2025-09-01T00:00:00Z'}",
	                   both)));
	CHECK(findings("out_of_order/C1") == 1);
	REJECT(fx_submit(&f, "ussm", J(RECV_FMT, "C1", "us-site", both)), OT_ERR_CONFLICT,
	       "consignment_closed");
	/* ore-s1 lost 1 % (a finding); ore-s2 0.2 % (within tolerance). */
	CHECK(findings("transit_loss") == 1);
	CHECK_STR(lot_str("ore-s1", "holder"), "ussm");
	CHECK_STR(lot_str("ore-s1", "site"), "us-site");
	CHECK_STR(lot_str("ore-s1", "status"), "held");
	CHECK(lot_int("ore-s1", "mass_g") == 99000);
	/* Custody passed: fwo can no longer use it, ussm can. */
	REJECT(fx_submit(&f, "fwo",
	                 transform("us-site", "ore-s1", 1000, "c-s", 100, "{'Sb':500000}")),
	       OT_ERR_CONFLICT, "lot_not_held");
	ACCEPT(fx_submit(&f, "ussm",
	                 transform("us-site", "ore-s1", 1000, "c-s", 100, "{'Sb':500000}")));
}

static void test_contracts(void)
{
	uint8_t salt[OTX_COMMIT_SALT_SIZE];
	char salt_b64[64];
	json_t *terms = J("{'royalty_ppm':50000,'term_years':10}");
	json_t *commit = NULL;
	memset(salt, 7, sizeof salt);
	CHECK_OK(otx_commit_make(terms, salt, NULL, &commit, NULL));
	char *commit_text = json_dumps(commit, JSON_COMPACT);
	ot_b64_encode(salt, sizeof salt, salt_b64);

#define CONTRACT_FMT                                        \
	"{'type':'contract','contract':'%s','title':'MoU'," \
	"'parties':['gov-pk','fwo'],'signed':'2025-09-08'," \
	"'value':{'amount':50000000000,'currency':'USD'},"  \
	"'minerals':['Nd','Pr','Cu','Sb'],'terms':%s,'time':'%s'}"
	REJECT(fx_submit(&f, "lab1", J(CONTRACT_FMT, "mou-1", commit_text, FX_TIME)), OT_ERR_SIGNER,
	       "not_party");
	ACCEPT(fx_submit(&f, "fwo", J(CONTRACT_FMT, "mou-1", commit_text, "2025-09-08T00:00:00Z")));
	REJECT(fx_submit(&f, "fwo", J(CONTRACT_FMT, "mou-1", commit_text, FX_TIME)),
	       OT_ERR_CONFLICT, "duplicate_contract");
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'contract','contract':'mou-2','parties':['fwo'],"
	                   "'terms':{'commit':'sha256:xyz'}}")),
	       OT_ERR_PARSE, "bad_field");

#define DISCLOSE_FMT                                                   \
	"{'type':'disclose','contract':'%s','field':'%s','salt':'%s'," \
	"'value':%s}"
	REJECT(fx_submit(&f, "fwo",
	                 J(DISCLOSE_FMT, "mou-9", "terms", salt_b64,
	                   "{'royalty_ppm':50000,'term_years':10}")),
	       OT_ERR_CONFLICT, "contract_not_found");
	REJECT(fx_submit(&f, "fwo",
	                 J(DISCLOSE_FMT, "mou-1", "terms", salt_b64,
	                   "{'royalty_ppm':20000,'term_years':10}")),
	       OT_ERR_VERIFY, "commitment_mismatch");
	REJECT(fx_submit(&f, "fwo", J(DISCLOSE_FMT, "mou-1", "title", salt_b64, "'MoU'")),
	       OT_ERR_CONFLICT, "not_committed");
	REJECT(fx_submit(&f, "fwo",
	                 J(DISCLOSE_FMT, "mou-1", "terms",
	                   "bm90IGEgc2FsdA==", "{'royalty_ppm':50000,'term_years':10}")),
	       OT_ERR_PARSE, "bad_field");
	REJECT(fx_submit(&f, "lab1",
	                 J(DISCLOSE_FMT, "mou-1", "terms", salt_b64,
	                   "{'royalty_ppm':50000,'term_years':10}")),
	       OT_ERR_SIGNER, "not_party");
	ACCEPT(fx_submit(&f, "gov",
	                 J(DISCLOSE_FMT, "mou-1", "terms", salt_b64,
	                   "{'term_years':10,'royalty_ppm':50000}")));
	REJECT(fx_submit(&f, "fwo",
	                 J(DISCLOSE_FMT, "mou-1", "terms", salt_b64,
	                   "{'royalty_ppm':50000,'term_years':10}")),
	       OT_ERR_CONFLICT, "already_disclosed");

#define PAY_FMT                                                             \
	"{'type':'payment','payer':'%s','payee':'gov-pk','kind':'royalty'," \
	"'amount':{'amount':1250000,'currency':'PKR'},'contract':'%s',"     \
	"'lots':['%s'],'period':'2025-Q3'}"
	REJECT(fx_submit(&f, "fwo", J(PAY_FMT, "fwo", "mou-9", "conc-1")), OT_ERR_CONFLICT,
	       "contract_not_found");
	REJECT(fx_submit(&f, "fwo", J(PAY_FMT, "fwo", "mou-1", "lot-9")), OT_ERR_CONFLICT,
	       "lot_not_found");
	REJECT(fx_submit(&f, "ussm", J(PAY_FMT, "fwo", "mou-1", "conc-1")), OT_ERR_SIGNER,
	       "not_payer");
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'payment','payer':'fwo','payee':'gov-pk','kind':'bribe',"
	                   "'amount':{'amount':1,'currency':'PKR'}}")),
	       OT_ERR_PARSE, "bad_field");
	REJECT(fx_submit(&f, "fwo",
	                 J("{'type':'payment','payer':'fwo','payee':'gov-pk','kind':'tax',"
	                   "'amount':{'amount':1,'currency':'rupees'}}")),
	       OT_ERR_PARSE, "bad_field");
	ACCEPT(fx_submit(&f, "fwo", J(PAY_FMT, "fwo", "mou-1", "conc-1")));

	char *text = NULL;
	CHECK_OK(ot_ledger_contract_show(f.l, "mou-1", 0, 0, &text, NULL));
	json_t *show = text ? json_loads(text, 0, NULL) : NULL;
	json_t *cms = json_object_get(show, "commitments");
	CHECK(json_array_size(cms) == 1);
	CHECK(json_is_true(json_object_get(json_array_get(cms, 0), "disclosed")));
	CHECK(json_integer_value(json_object_get(json_object_get(json_array_get(cms, 0), "value"),
	                                         "royalty_ppm")) == 50000);
	CHECK(json_array_size(json_object_get(show, "payments")) == 1);
	json_decref(show);
	free(text);
	free(commit_text);
	json_decref(commit);
	json_decref(terms);
}

/* A recycle event by `signer` at `site` making `lot`: `extra` is more
 * members (JSON text without braces, may be empty). */
static json_t *recycle(const char *site, const char *lot, long long mass, const char *assay,
                       const char *scrap, const char *extra)
{
	return J("{'type':'recycle','site':'%s','lot':'%s','material':'scrap','mass_g':%lld,"
	         "'assay':%s,'scrap':'%s','source':'end-of-life magnets'%s%s}",
	         site, lot, mass, assay, scrap, extra[0] ? "," : "", extra);
}

/* The stage vector `stage` of a lot record, as compact JSON text. */
static char *lot_stage(const char *lot, const char *stage)
{
	json_t *rec = lot_rec(lot);
	char *text = json_dumps(json_object_get(json_object_get(rec, "stages"), stage),
	                        JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	json_decref(rec);
	return text;
}

static void test_recycle(void)
{
	CHECK_OK(fx_site(&f, "rec-1", "recycler", "proc2", "DE"));
	/* 100,000 g of scrap at 250,000 mg/kg of Nd: 25,000 g of Nd. */
	ACCEPT(fx_submit(&f, "proc2",
	                 recycle("rec-1", "rsw-1", 100000, "{'Nd':250000}", "post_consumer",
	                         "'country':'FR'")));
	CHECK_STR(lot_str("rsw-1", "holder"), "proc2");
	CHECK_STR(lot_str("rsw-1", "site"), "rec-1");
	json_t *rec = lot_rec("rsw-1");
	CHECK(rec && json_array_size(json_object_get(rec, "origins")) == 0);
	CHECK_STR(otx_jstr(json_object_get(rec, "created"), "type"), "recycle");
	CHECK_STR(otx_jstr(json_object_get(rec, "recycled"), "scrap"), "post_consumer");
	CHECK_STR(otx_jstr(json_object_get(rec, "recycled"), "country"), "FR");
	json_decref(rec);
	char *v = lot_stage("rsw-1", "recycled");
	CHECK_STR(v, "{\"Nd\":{\"rec-1\":25000000}}");
	free(v);
	v = lot_stage("rsw-1", "scrap_class");
	CHECK_STR(v, "{\"Nd\":{\"post_consumer\":25000000}}");
	free(v);
	json_t *site = NULL;
	CHECK_OK(otx_state_get(ot_ledger_store(f.l), OTX_NS_SITE, "rec-1", &site, NULL));
	CHECK(otx_jint(site, "recycled_g", 0) == 100000);
	json_decref(site);

	/* The rules: each refused, nothing changed. */
	REJECT(fx_submit(&f, "proc2",
	                 recycle("plant-2", "rsw-x", 1000, "{'Nd':1}", "post_consumer", "")),
	       OT_ERR_RULE, "wrong_site_kind");
	MSG_HAS("recycling happens at a recycler");
	REJECT(fx_submit(&f, "fwo",
	                 recycle("rec-1", "rsw-x", 1000, "{'Nd':1}", "post_consumer", "")),
	       OT_ERR_SIGNER, "not_site_holder");
	REJECT(fx_submit(&f, "lab1",
	                 recycle("rec-1", "rsw-x", 1000, "{'Nd':1}", "post_consumer", "")),
	       OT_ERR_SIGNER, "missing_role");
	REJECT(fx_submit(&f, "proc2",
	                 recycle("rec-1", "rsw-1", 1000, "{'Nd':1}", "pre_consumer", "")),
	       OT_ERR_CONFLICT, "duplicate_lot");
	REJECT(fx_submit(&f, "proc2", recycle("rec-1", "rsw-x", 0, "{'Nd':1}", "pre_consumer", "")),
	       OT_ERR_PARSE, "bad_field");
	REJECT(fx_submit(&f, "proc2",
	                 recycle("rec-1", "rsw-x", 1000, "{'Nd':1000001}", "pre_consumer", "")),
	       OT_ERR_PARSE, "bad_field");
	REJECT(fx_submit(&f, "proc2", recycle("rec-1", "rsw-x", 1000, "{}", "pre_consumer", "")),
	       OT_ERR_PARSE, "bad_field");
	MSG_HAS("at least one element");
	REJECT(fx_submit(&f, "proc2", recycle("rec-1", "rsw-x", 1000, "{'Nd':1}", "home", "")),
	       OT_ERR_PARSE, "bad_field");
	REJECT(fx_submit(&f, "proc2",
	                 recycle("rec-1", "rsw-x", 1000, "{'Nd':1}", "pre_consumer",
	                         "'country':'X1'")),
	       OT_ERR_PARSE, "bad_field");
	REJECT(fx_submit(&f, "proc2",
	                 J("{'type':'recycle','site':'rec-1','lot':'rsw-x','material':'scrap',"
	                   "'mass_g':1000,'assay':{'Nd':1},'scrap':'pre_consumer'}")),
	       OT_ERR_PARSE, "missing_field");

	/* Separated at a plant: the output keeps the recycled stage and its
	 * class, and gains the separated stage at the plant. */
	ACCEPT(fx_submit(&f, "proc2",
	                 J("{'type':'ship','consignment':'k-rec','from':'rec-1','to':'plant-2',"
	                   "'consignee':'proc2','lots':['rsw-1']}")));
	ACCEPT(fx_submit(&f, "proc2",
	                 J("{'type':'receive','consignment':'k-rec','site':'plant-2',"
	                   "'lots':[{'lot':'rsw-1','mass_g':100000}]}")));
	ACCEPT(fx_submit(&f, "proc2",
	                 J("{'type':'transform','site':'plant-2','process':'separation',"
	                   "'inputs':[{'lot':'rsw-1','mass_g':100000}],"
	                   "'outputs':[{'lot':'rox-1','material':'oxide','mass_g':24000,"
	                   "'assay':{'Nd':800000}}]}")));
	v = lot_stage("rox-1", "recycled");
	CHECK_STR(v, "{\"Nd\":{\"rec-1\":19200000}}");
	free(v);
	v = lot_stage("rox-1", "scrap_class");
	CHECK_STR(v, "{\"Nd\":{\"post_consumer\":19200000}}");
	free(v);
	v = lot_stage("rox-1", "separated");
	CHECK_STR(v, "{\"Nd\":{\"plant-2\":19200000}}");
	free(v);
	CHECK_STR(lot_str("rsw-1", "status"), "consumed");

	/* The replay from scratch agrees, record for record. */
	CHECK(fx_audit_clean(&f));
}

int main(void)
{
	world();
	test_signer();
	test_fields();
	test_registry();
	test_extract();
	test_transform();
	test_ship_receive();
	test_contracts();
	test_recycle();
	fx_close(&f);
	return test_done("test_rules");
}
