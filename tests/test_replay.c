/*
 * test_replay.c: the public replay engine (oretrail/replay.h) and the log's
 * range hash (ot_range_hash, oretrail/proof.h).
 *
 * A small signed sequence (an actor, a site, an extraction) is fed through
 * ot_replay_entries with a bad entry among them: the outcomes come in order
 * with their log indexes, the rejected entry carries the rule's status and
 * code and changes nothing, an entry that is not an envelope is reported
 * unparsed, and the same sequence gives the same outcomes when serial or
 * fed one entry at a time. The CRMA report of the replayed state counts
 * the accepted extractions' content, not the rejected one's. The range hash
 * over leaf hashes only (a reader that keeps no subtree) equals the
 * ledger's own tree hash.
 */
#include "ledger/replay_int.h"
#include "ledger_fixture.h"
#include "oretrail/proof.h"
#include "oretrail/replay.h"

#define N_ENTRIES 6

static fx f;

typedef struct seen {
	size_t n;
	uint64_t index[N_ENTRIES];
	ot_status status[N_ENTRIES];
	int parsed[N_ENTRIES];
	int ahead[N_ENTRIES];
	char code[N_ENTRIES][48];
	size_t stop_after; /* 0: never stop */
} seen;

static ot_status record(void *ctx, const ot_replay_outcome *o)
{
	seen *s = ctx;
	if (s->n < N_ENTRIES) {
		s->index[s->n] = o->index;
		s->status[s->n] = o->status;
		s->parsed[s->n] = o->parsed;
		s->ahead[s->n] = o->verified_ahead;
		snprintf(s->code[s->n], sizeof s->code[s->n], "%s",
		         o->status ? o->error->code : "");
		CHECK(o->parsed ? o->type != NULL && o->canonical != NULL : o->type == NULL);
	}
	s->n++;
	if (s->stop_after && s->n == s->stop_after)
		return OT_ERR_RULE;
	return OT_OK;
}

/* The sequence: entries 0-2 and 4 are accepted, 3 extracts at a site that
 * does not exist, 5 is not an envelope. */
static ot_buf entries[N_ENTRIES];
static const uint8_t *data[N_ENTRIES];
static size_t lens[N_ENTRIES];

static int make_entries(void)
{
	int bad = 0;
	bad |= fx_sign_with(&f,
	                    json_pack("{s:s,s:s,s:s,s:s,s:[s],s:s}", "type", "actor", "actor",
	                              "fwo", "name", "FWO", "country", "PK", "roles", "miner",
	                              "key", fx_vkey(&f, "fwo")),
	                    "gov", fx_key(&f, "gov"), &entries[0]);
	bad |= fx_sign_with(&f,
	                    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", "site", "site",
	                              "mine-a", "kind", "mine", "holder", "fwo", "country", "PK",
	                              "licence", "L-1", "valid_from", "2025-01-01T00:00:00Z",
	                              "valid_until", "2035-01-01T00:00:00Z"),
	                    "gov", fx_key(&f, "gov"), &entries[1]);
	bad |= fx_sign_with(&f,
	                    json_pack("{s:s,s:s,s:s,s:s,s:i,s:o}", "type", "extract", "site",
	                              "mine-a", "lot", "ore-1", "material", "ore", "mass_g",
	                              1000000, "assay", J("{'Nd':4600}")),
	                    "fwo", fx_key(&f, "fwo"), &entries[2]);
	bad |= fx_sign_with(&f,
	                    json_pack("{s:s,s:s,s:s,s:s,s:i,s:o}", "type", "extract", "site",
	                              "mine-x", "lot", "ore-x", "material", "ore", "mass_g", 1000,
	                              "assay", J("{'Nd':4600}")),
	                    "fwo", fx_key(&f, "fwo"), &entries[3]);
	bad |= fx_sign_with(&f,
	                    json_pack("{s:s,s:s,s:s,s:s,s:i,s:o}", "type", "extract", "site",
	                              "mine-a", "lot", "ore-2", "material", "ore", "mass_g", 2000,
	                              "assay", J("{'Nd':4600}")),
	                    "fwo", fx_key(&f, "fwo"), &entries[4]);
	ot_buf_init(&entries[5], 0);
	ot_buf_printf(&entries[5], "not an envelope");
	for (size_t i = 0; i < N_ENTRIES; i++) {
		data[i] = entries[i].data;
		lens[i] = entries[i].len;
	}
	return bad;
}

static ot_verifier *authority_key(void)
{
	char vkey[OT_VKEY_MAX];
	ot_verifier *v = NULL;
	if (ot_signer_vkey(fx_key(&f, "gov"), vkey, sizeof vkey) != OT_OK ||
	    ot_verifier_parse(vkey, strlen(vkey), &v, NULL) != OT_OK)
		return NULL;
	return v;
}

static void check_outcomes(const seen *s, uint64_t first)
{
	CHECK(s->n == N_ENTRIES);
	for (size_t i = 0; i < N_ENTRIES && i < s->n; i++)
		CHECK(s->index[i] == first + i);
	CHECK_RC(s->status[0], OT_OK);
	CHECK_RC(s->status[1], OT_OK);
	CHECK_RC(s->status[2], OT_OK);
	CHECK_RC(s->status[3], OT_ERR_CONFLICT);
	CHECK_STR(s->code[3], "site_not_found");
	CHECK(s->parsed[3]);
	CHECK_RC(s->status[4], OT_OK);
	CHECK(s->status[5] != OT_OK && !s->parsed[5]);
	/* Every signature was checked ahead of the rules, fwo's too although
	 * entry 0 registers fwo in the same call (the run ends after it). */
	for (size_t i = 0; i < 5 && i < s->n; i++)
		CHECK(s->ahead[i] == 1);
	CHECK(s->ahead[5] == 0);
}

/* The whole sequence in one call, threaded or serial. */
static void test_entries(ot_verifier *key, int flags)
{
	ot_replay *r = NULL;
	seen s;
	memset(&s, 0, sizeof s);
	ot_error err;
	CHECK_OK(ot_replay_new(key, flags, &r, &err));
	CHECK_OK(ot_replay_entries(r, 10, NULL, data, lens, N_ENTRIES, record, &s, &err));
	check_outcomes(&s, 10);

	/* The call settled what it replayed: a rollback of the replay's store
	 * undoes none of it (a memory store logs every write until its
	 * transaction ends; an audit or a monitor that replays for long would
	 * otherwise keep an undo record of every write it ever made). */
	ot_store *mem = otx_replay_store(r);
	ot_store_rollback(mem);
	CHECK_OK(ot_store_begin(mem, &err));
	json_t *lot = NULL;
	CHECK_OK(otx_state_get(mem, OTX_NS_LOT, "ore-1", &lot, &err));
	json_decref(lot);

	/* The rejected entry changed nothing: ore-x is unknown, and the same
	 * lot id as ore-1 is now a duplicate. */
	memset(&s, 0, sizeof s);
	CHECK_OK(ot_replay_entry(r, 20, data[2], lens[2], record, &s, &err));
	CHECK(s.n == 1 && s.index[0] == 20);
	CHECK_RC(s.status[0], OT_ERR_CONFLICT);

	char *json = NULL;
	CHECK_OK(ot_replay_findings(r, 0, 180, &json, &err));
	json_t *v = json ? json_loads(json, 0, NULL) : NULL;
	CHECK(json_is_array(v));
	json_decref(v);
	free(json);
	ot_replay_free(r);
}

/* The CRMA report of the replayed state (ot_replay_report_crma): the two
 * accepted extractions' Nd at PK (1,000 kg and 2 kg at 4,600 mg/kg:
 * 4,609,200 mg), nothing of the rejected one; a year filters by claimed
 * time; a bad year or profile is refused with its code. */
static void test_report_crma(ot_verifier *key)
{
	static const char profile[] =
		"{\"profile\":\"crma-test\",\"title\":\"t\",\"elements\":[\"Nd\"],"
		"\"stages\":{\"mined\":\"2024-05-23\"},\"third_country_max_ppm\":650000,"
		"\"exempt_countries\":[\"DE\"]}";
	ot_replay *r = NULL;
	ot_error err;
	char *json = NULL;
	CHECK_OK(ot_replay_new(key, 0, &r, &err));
	CHECK_OK(ot_replay_entries(r, 0, NULL, data, lens, N_ENTRIES, NULL, NULL, &err));
	CHECK_OK(ot_replay_report_crma(r, profile, strlen(profile), NULL, &json, &err));
	json_t *doc = json ? json_loads(json, 0, NULL) : NULL;
	json_t *nd = json_array_get(json_object_get(doc, "minerals"), 0);
	json_t *mined = json_array_get(json_object_get(nd, "stages"), 0);
	json_t *pk = json_array_get(json_object_get(mined, "countries"), 0);
	CHECK_STR(json_string_value(json_object_get(doc, "profile")), "crma-test");
	CHECK(json_array_size(json_object_get(doc, "minerals")) == 1);
	CHECK_STR(json_string_value(json_object_get(nd, "element")), "Nd");
	CHECK_STR(json_string_value(json_object_get(mined, "stage")), "mined");
	CHECK(json_integer_value(json_object_get(mined, "mg")) == 4609200);
	CHECK_STR(json_string_value(json_object_get(pk, "country")), "PK");
	CHECK(json_integer_value(json_object_get(pk, "share_ppm")) == 1000000);
	CHECK(json_is_true(json_object_get(mined, "over_threshold")));
	json_decref(doc);
	free(json);

	/* The fixture's events carry their signing time: none in 1999. */
	json = NULL;
	CHECK_OK(ot_replay_report_crma(r, profile, strlen(profile), "1999", &json, &err));
	doc = json ? json_loads(json, 0, NULL) : NULL;
	CHECK(json_array_size(json_object_get(doc, "minerals")) == 0);
	json_decref(doc);
	free(json);

	json = NULL;
	CHECK_RC(ot_replay_report_crma(r, profile, strlen(profile), "99", &json, &err),
	         OT_ERR_PARSE);
	CHECK_STR(err.code, "bad_field");
	CHECK(json == NULL);
	static const char covered[] = "{\"profile\":\"d\",\"title\":\"t\",\"elements\":[\"Nd\"],"
				      "\"stages\":{\"mined\":\"2024-05-23\"},"
				      "\"covered_countries\":[\"CN\"]}";
	CHECK_RC(ot_replay_report_crma(r, covered, strlen(covered), NULL, &json, &err),
	         OT_ERR_PARSE);
	CHECK_STR(err.code, "bad_profile");
	CHECK_RC(ot_replay_report_crma(NULL, profile, strlen(profile), NULL, &json, &err),
	         OT_ERR_ARG);
	ot_replay_free(r);
}

/* One entry at a time, at explicit indexes; a callback's error stops. */
static void test_entry_by_entry(ot_verifier *key)
{
	ot_replay *r = NULL;
	seen s;
	memset(&s, 0, sizeof s);
	ot_error err;
	CHECK_OK(ot_replay_new(key, OT_REPLAY_SERIAL, &r, &err));
	for (size_t i = 0; i < N_ENTRIES; i++)
		CHECK_OK(ot_replay_entry(r, 100 + i, data[i], lens[i], record, &s, &err));
	check_outcomes(&s, 100);
	ot_replay_free(r);

	uint64_t indexes[N_ENTRIES] = {3, 5, 8, 13, 21, 34};
	memset(&s, 0, sizeof s);
	s.stop_after = 2;
	CHECK_OK(ot_replay_new(key, 0, &r, &err));
	CHECK_RC(ot_replay_entries(r, 0, indexes, data, lens, N_ENTRIES, record, &s, &err),
	         OT_ERR_RULE);
	CHECK(s.n == 2 && s.index[0] == 3 && s.index[1] == 5);
	ot_replay_free(r);
	CHECK_RC(ot_replay_new(NULL, 0, &r, &err), OT_ERR_ARG);
	ot_replay_free(NULL);
}

typedef struct leaves {
	uint8_t (*h)[OT_HASH_SIZE];
	size_t reads;
} leaves;

static ot_status read_leaf(void *ctx, unsigned level, uint64_t index, uint8_t out[OT_HASH_SIZE])
{
	leaves *l = ctx;
	if (level > 0)
		return OT_ERR_NOTFOUND;
	memcpy(out, l->h[index], OT_HASH_SIZE);
	l->reads++;
	return OT_OK;
}

/* ot_range_hash over leaf hashes only equals the log's tree hash. */
static void test_range_hash(void)
{
	for (size_t i = 0; i < N_ENTRIES - 1; i++) {
		const uint8_t *e = data[i];
		size_t len = lens[i];
		ot_submit_result res;
		CHECK_OK(
			ot_ledger_submit(f.l, &e, &len, 1, OT_SUBMIT_KEEP_GOING, &res, NULL, NULL));
	}
	uint64_t size = fx_size(&f);
	CHECK(size == 4); /* entry 3 is rejected */
	leaves l = {calloc(size ? size : 1, OT_HASH_SIZE), 0};
	for (uint64_t i = 0; i < size; i++)
		CHECK_OK(ot_log_leaf_hash(ot_ledger_log(f.l), i, l.h[i], NULL));
	for (uint64_t n = 0; n <= size; n++) {
		uint8_t want[OT_HASH_SIZE], got[OT_HASH_SIZE];
		CHECK_OK(ot_log_tree_hash(ot_ledger_log(f.l), n, want, NULL));
		l.reads = 0;
		CHECK_OK(ot_range_hash(read_leaf, &l, 0, n, got));
		CHECK(memcmp(want, got, OT_HASH_SIZE) == 0);
		CHECK(l.reads == n);
	}
	uint8_t h[OT_HASH_SIZE];
	CHECK_RC(ot_range_hash(read_leaf, &l, 3, 2, h), OT_ERR_ARG);
	free(l.h);
}

int main(void)
{
	if (fx_open(&f, "test_replay") || make_entries())
		return test_done("test_replay");
	ot_verifier *key = authority_key();
	CHECK(key != NULL);
	if (key) {
		test_entries(key, 0);
		test_entries(key, OT_REPLAY_SERIAL);
		test_entry_by_entry(key);
		test_report_crma(key);
	}
	test_range_hash();
	ot_verifier_free(key);
	for (size_t i = 0; i < N_ENTRIES; i++)
		ot_buf_free(&entries[i]);
	fx_close(&f);
	return test_done("test_replay");
}
