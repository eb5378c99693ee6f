/*
 * test_pg_ledger.c: the ledger end to end on PostgreSQL. One ledger on a
 * postgresql:// URI and one on SQLite, both created with the same authority,
 * receive the very same signed events (tests/ledger_fixture.h builds them);
 * the checkpoints and the trace of a lot must be identical, and the
 * PostgreSQL ledger must reopen read-only with the same state. Skipped (77)
 * without the fixture's cluster.
 */
#include <jansson.h>

#include "ledger_fixture.h"
#include "pg/pg_test.h"

static fx f;          /* the SQLite ledger and the keys */
static ot_ledger *pg; /* the PostgreSQL ledger */

/* Signs `ev` as `signer` and submits it to both ledgers. */
static void both(const char *signer, json_t *ev)
{
	ot_buf b;
	CHECK(fx_sign_with(&f, ev, signer, fx_key(&f, signer), &b) == 0);
	const uint8_t *e = b.data;
	size_t len = b.len;
	ot_error err;
	ot_status ra = ot_ledger_submit(f.l, &e, &len, 1, 0, NULL, NULL, &err);
	if (ra)
		fprintf(stderr, "sqlite: %s\n", err.message);
	ot_status rb = ot_ledger_submit(pg, &e, &len, 1, 0, NULL, NULL, &err);
	if (rb)
		fprintf(stderr, "postgres: %s\n", err.message);
	CHECK(ra == OT_OK && rb == OT_OK);
	ot_buf_free(&b);
}

/* Drops every "logged" member: when an entry was logged is the wall clock
 * of each ledger's own checkpoints, which two ledgers need not share. */
static void drop_logged(json_t *v)
{
	const char *k;
	json_t *m;
	size_t i;
	if (json_is_object(v)) {
		json_object_del(v, "logged");
		json_object_foreach(v, k, m) drop_logged(m);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m) drop_logged(m);
	}
}

/* The lot's trace as JSON, without its logged times. */
static char *trace(ot_ledger *l, const char *lot)
{
	char *text = NULL, *out = NULL;
	ot_error err;
	if (ot_ledger_trace(l, lot, OT_JSON_PRETTY, &text, &err) != OT_OK) {
		fprintf(stderr, "trace %s: %s\n", lot, err.message);
		return NULL;
	}
	json_t *doc = json_loads(text, 0, NULL);
	free(text);
	if (doc) {
		drop_logged(doc);
		out = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(doc);
	}
	return out;
}

static char *checkpoint(ot_ledger *l)
{
	char *note = NULL;
	size_t len;
	CHECK_OK(ot_ledger_checkpoint(l, &note, &len, NULL));
	return note;
}

int main(void)
{
	if (!pg_admin_uri()) {
		fprintf(stderr,
		        "test_pg_ledger: no PostgreSQL cluster (OT_PG_URI_FILE): skipped\n");
		return TEST_SKIP;
	}
	char uri[1200];
	CHECK(pg_new_db("ledger", uri, sizeof uri) == 0);
	CHECK(fx_open(&f, "pg-ledger") == 0);
	ot_error err;
	ot_status rc = ot_ledger_create(uri, "oretrail.test/ledger", f.auth, &pg, &err);
	CHECK_OK(rc);
	if (rc || !f.l) {
		fprintf(stderr, "ot_ledger_create: %s\n", err.message);
		return test_done("test_pg_ledger");
	}

	const char *actors[][3] = {{"fwo", "PK", "['miner','processor','exporter']"},
	                           {"ussm", "US", "['importer','processor']"}};
	for (int i = 0; i < 2; i++)
		both("gov",
		     json_pack("{s:s,s:s,s:s,s:s,s:o,s:s}", "type", "actor", "actor", actors[i][0],
		               "name", actors[i][0], "country", actors[i][1], "roles",
		               J("%s", actors[i][2]), "key", fx_vkey(&f, actors[i][0])));
	const char *sites[][4] = {{"mine-a", "mine", "fwo", "PK"},
	                          {"us-site", "plant", "ussm", "US"}};
	for (int i = 0; i < 2; i++)
		both("gov",
		     json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", "site", "site",
		               sites[i][0], "kind", sites[i][1], "holder", sites[i][2], "country",
		               sites[i][3], "licence", "L-1", "valid_from", "2025-01-01T00:00:00Z",
		               "valid_until", "2035-01-01T00:00:00Z"));
	both("fwo", J("{'type':'extract','site':'mine-a','lot':'cu-ore','material':'ore',"
	              "'mass_g':10000000,'assay':{'Cu':8000}}"));
	both("fwo", J("{'type':'transform','site':'mine-a','process':'beneficiation',"
	              "'inputs':[{'lot':'cu-ore','mass_g':10000000}],"
	              "'outputs':[{'lot':'cu-conc','material':'concentrate','mass_g':250000,"
	              "'assay':{'Cu':300000}}]}"));
	both("fwo", J("{'type':'ship','consignment':'PK-US-1','from':'mine-a','to':'us-site',"
	              "'consignee':'ussm','lots':['cu-conc'],'hs':['2603.00'],"
	              "'value':{'amount':250000,'currency':'USD'}}"));
	both("ussm", J("{'type':'receive','consignment':'PK-US-1','site':'us-site',"
	               "'lots':[{'lot':'cu-conc','mass_g':240000}]}"));

	/* A refused event changes neither ledger (its savepoint is rolled back). */
	ot_buf b;
	CHECK(fx_sign_with(&f,
	                   J("{'type':'extract','site':'nowhere','lot':'x','material':'ore',"
	                     "'mass_g':1,'assay':{'Cu':1}}"),
	                   "fwo", fx_key(&f, "fwo"), &b) == 0);
	const uint8_t *e = b.data;
	size_t len = b.len;
	ot_status ra = ot_ledger_submit(f.l, &e, &len, 1, 0, NULL, NULL, NULL);
	ot_status rb = ot_ledger_submit(pg, &e, &len, 1, 0, NULL, NULL, NULL);
	CHECK(ra != OT_OK && ra == rb);
	ot_buf_free(&b);

	CHECK(ot_log_size(ot_ledger_log(pg)) == fx_size(&f) && fx_size(&f) == 8);
	char *ca = checkpoint(f.l), *cb = checkpoint(pg);
	CHECK(ca && cb);
	if (ca && cb)
		CHECK_STR(cb, ca);
	free(ca);
	free(cb);
	const char *lots[] = {"cu-ore", "cu-conc"};
	for (int i = 0; i < 2; i++) {
		char *ta = trace(f.l, lots[i]), *tb = trace(pg, lots[i]);
		CHECK(ta && tb);
		if (ta && tb)
			CHECK_STR(tb, ta);
		free(ta);
		free(tb);
	}
	ot_ledger_close(pg);

	/* Reopened read-only, the PostgreSQL ledger has the same state. */
	pg = NULL;
	CHECK_OK(ot_ledger_open(uri, NULL, OT_LEDGER_READONLY, &pg, &err));
	if (pg) {
		char *ta = trace(f.l, "cu-conc"), *tb = trace(pg, "cu-conc");
		CHECK(ta && tb);
		if (ta && tb)
			CHECK_STR(tb, ta);
		free(ta);
		free(tb);
		ot_ledger_close(pg);
	}
	/* Creating a ledger again on the same database is refused. */
	ot_ledger *again = NULL;
	CHECK_RC(ot_ledger_create(uri, "oretrail.test/ledger", f.auth, &again, &err),
	         OT_ERR_EXISTS);
	fx_close(&f);
	return test_done("test_pg_ledger");
}
