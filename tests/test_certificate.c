/*
 * test_certificate.c: provenance certificates (certificate.h). A small
 * ledger with two mines in two countries, a partial use, a blend and a
 * consignment of two lots: every lot's certificate verifies and recomputes
 * its origins; forgeries by someone who holds the log key (a re-signed
 * entry, an entry that breaks a rule, both in a rebuilt log with a freshly
 * signed checkpoint) fail on replay with their own codes; witness
 * cosignatures are counted. The edits anyone can make to a file are in
 * tests/cli/certificate_cli.sh.
 */
#include <stdlib.h>
#include <string.h>

#include "ledger_fixture.h"
#include "oretrail/certificate.h"
#include "oretrail/encoding.h"
#include "oretrail/proof.h"

static void build(fx *f)
{
	CHECK_OK(fx_actor(f, "mineco", "PK", "['miner','processor','exporter']"));
	CHECK_OK(fx_actor(f, "buyer", "US", "['importer','processor']"));
	CHECK_OK(fx_site(f, "m-pk", "mine", "mineco", "PK"));
	CHECK_OK(fx_site(f, "m-cn", "mine", "mineco", "CN"));
	CHECK_OK(fx_site(f, "plant", "plant", "mineco", "PK"));
	CHECK_OK(fx_site(f, "us-plant", "plant", "buyer", "US"));
	CHECK_OK(fx_extract(f, "mineco", "m-pk", "ore-a", 1000000, "{'Nd':5000}"));
	CHECK_OK(fx_extract(f, "mineco", "m-cn", "ore-b", 1000000, "{'Nd':5000}"));
	CHECK_OK(fx_submit(f, "mineco",
	                   J("{'type':'ship','consignment':'s1','from':'m-pk','to':'plant','"
	                     "consignee':'mineco','lots':['ore-a']}")));
	CHECK_OK(fx_submit(f, "mineco",
	                   J("{'type':'receive','consignment':'s1','site':'plant','lots':[{'lot':'"
	                     "ore-a','mass_g':1000000}]}")));
	CHECK_OK(fx_submit(f, "mineco",
	                   J("{'type':'ship','consignment':'s2','from':'m-cn','to':'plant','"
	                     "consignee':'mineco','lots':['ore-b']}")));
	CHECK_OK(fx_submit(f, "mineco",
	                   J("{'type':'receive','consignment':'s2','site':'plant','lots':[{'lot':'"
	                     "ore-b','mass_g':1000000}]}")));
	/* A partial use of ore-a before the blend: context for the blend. */
	CHECK_OK(fx_submit(f, "mineco",
	                   J("{'type':'transform','site':'plant','process':'split','inputs':[{'lot'"
	                     ":'ore-a','mass_g':200000}],'outputs':[{'lot':'ore-x','material':'ore'"
	                     ",'mass_g':200000,'assay':{'Nd':5000}}]}")));
	CHECK_OK(fx_submit(
		f, "mineco",
		J("{'id':'blend','type':'transform','site':'plant','process':'blending','inputs':[{"
	          "'lot':'ore-a','mass_g':500000},{'lot':'ore-b','mass_g':250000}],'outputs':[{'"
	          "lot':'blend-c','material':'ore','mass_g':750000,'assay':{'Nd':5000}}]}")));
	/* The blend leaves with another lot, whose history the receipt needs. */
	CHECK_OK(fx_submit(f, "mineco",
	                   J("{'type':'ship','consignment':'s3','from':'plant','to':'us-plant','"
	                     "consignee':'buyer','lots':['blend-c','ore-x']}")));
	CHECK_OK(fx_submit(f, "buyer",
	                   J("{'type':'receive','consignment':'s3','site':'us-plant','lots':[{'lot'"
	                     ":'blend-c','mass_g':749000},{'lot':'ore-x','mass_g':200000}]}")));
	/* Unrelated: a later use of ore-b, which blend-c's certificate needs not. */
	CHECK_OK(fx_submit(f, "mineco",
	                   J("{'type':'transform','site':'plant','process':'split','inputs':[{'lot'"
	                     ":'ore-b','mass_g':100000}],'outputs':[{'lot':'ore-y','material':'ore'"
	                     ",'mass_g':100000,'assay':{'Nd':5000}}]}")));
}

static ot_verifier *log_key(fx *f)
{
	char vkey[OT_VKEY_MAX];
	ot_verifier *v = NULL;
	if (ot_signer_vkey(f->auth, vkey, sizeof vkey) == OT_OK)
		(void)ot_verifier_parse(vkey, strlen(vkey), &v, NULL);
	return v;
}

static ot_status verify(const char *cert, ot_verifier *key, ot_cosig_verifier **w, size_t nw,
                        size_t min, json_t **report, ot_error *err)
{
	ot_cert_options o = {key, w, nw, min, NULL, 0};
	char *rep = NULL;
	ot_status rc = ot_certificate_verify(cert, strlen(cert), &o, 0, report ? &rep : NULL, err);
	if (report)
		*report = rep ? json_loads(rep, 0, NULL) : NULL;
	free(rep);
	return rc;
}

/* share_ppm of element/country in a trace's countries (-1 when absent). */
static int64_t share(json_t *trace, const char *country)
{
	json_t *c = json_object_get(trace, "countries");
	for (size_t i = 0; i < json_array_size(c); i++) {
		json_t *r = json_array_get(c, i);
		if (strcmp(json_string_value(json_object_get(r, "country")), country) == 0)
			return (int64_t)json_integer_value(json_object_get(r, "share_ppm"));
	}
	return -1;
}

/* Whether a (version 2) certificate holds the entry with event id `id`. */
static int has_entry(json_t *cert, const char *id)
{
	json_t *list = json_object_get(cert, "entries");
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *env = json_object_get(json_array_get(list, i), "entry");
		const char *eid =
			json_string_value(json_object_get(json_object_get(env, "event"), "id"));
		if (eid && strcmp(eid, id) == 0)
			return 1;
	}
	return 0;
}

static json_t *b64(const uint8_t *d, size_t n)
{
	char *s = malloc(ot_b64_len(n) + 1);
	ot_b64_encode(d, n, s);
	json_t *v = json_string(s);
	free(s);
	return v;
}

/*
 * A forgery by the log's operator: the ledger's log with entry `k` replaced
 * by `entry`, rebuilt in a new store and signed with the log key (and
 * `cosigner`, when given); the certificate's entries, proofs and checkpoint
 * are remade from it, in the format of `version`: 2, the entries as JSON
 * and one merged proof; 1, each entry in base64 with its leaf hash and
 * inclusion proof. Returns the new certificate text (malloc'ed).
 */
static char *forge(fx *f, const char *cert, uint64_t k, const ot_buf *entry, ot_signer *cosigner,
                   int version)
{
	uint64_t n = fx_size(f);
	ot_store *st = NULL;
	ot_log *log = NULL;
	char *note = NULL, *out = NULL;
	size_t note_len = 0;
	json_t *doc = json_loads(cert, 0, NULL);
	if (!doc || ot_store_open(":memory:", OT_STORE_CREATE, &st, NULL) ||
	    ot_log_create(st,
	                  json_string_value(json_object_get(json_object_get(doc, "log"), "origin")),
	                  f->auth, NULL) ||
	    ot_log_open(st, f->auth, &log, NULL))
		goto out;
	for (uint64_t i = 0; i < n; i++) {
		uint8_t *data = NULL;
		size_t len = 0;
		if (ot_log_entry(ot_ledger_log(f->l), i, &data, &len, NULL))
			goto out;
		const uint8_t *e = i == k ? entry->data : data;
		size_t elen = i == k ? entry->len : len;
		uint64_t first;
		ot_status rc = ot_log_append(log, &e, &elen, 1, &first, NULL);
		free(data);
		if (rc)
			goto out;
	}
	if (ot_log_checkpoint(log, &note, &note_len, NULL))
		goto out;
	if (cosigner) {
		/* The same checkpoint, cosigned by the witness (tlog-cosignature). */
		ot_note parsed;
		ot_verifier *v = log_key(f);
		char line[OT_COSIG_LINE_MAX];
		size_t line_len = 0;
		char *both = NULL;
		if (ot_note_open(note, note_len, &v, 1, &parsed, NULL) == OT_OK &&
		    ot_note_cosign(cosigner, parsed.text, parsed.text_len, 1795000000, line,
		                   sizeof line, &line_len, NULL) == OT_OK &&
		    (both = malloc(note_len + line_len)) != NULL) {
			memcpy(both, note, note_len);
			memcpy(both + note_len, line, line_len);
			free(note);
			note = both;
			note_len += line_len;
		}
		ot_note_clear(&parsed);
		ot_verifier_free(v);
	}
	uint8_t root[OT_HASH_SIZE];
	if (ot_log_tree_hash(log, n, root, NULL))
		goto out;
	json_object_set_new(doc, "checkpoint", json_stringn(note, note_len));
	json_object_set_new(json_object_get(doc, "log"), "root", b64(root, sizeof root));
	json_t *list = json_object_get(doc, "entries");
	size_t n_ents = json_array_size(list);
	uint64_t *idxs = calloc(n_ents + 1, sizeof *idxs);
	for (size_t i = 0; i < n_ents; i++) {
		json_t *it = json_array_get(list, i);
		uint64_t idx = (uint64_t)json_integer_value(json_object_get(it, "index"));
		uint8_t *data = NULL, leaf[OT_HASH_SIZE], proof[OT_PROOF_MAX][OT_HASH_SIZE];
		size_t len = 0, np = 0;
		idxs[i] = idx;
		if (ot_log_entry(log, idx, &data, &len, NULL) ||
		    ot_log_inclusion_proof(log, idx, n, proof, &np, NULL)) {
			free(data);
			free(idxs);
			goto out;
		}
		if (version == 1) {
			ot_leaf_hash(data, len, leaf);
			json_object_set_new(it, "entry", b64(data, len));
			json_object_set_new(it, "leaf_hash", b64(leaf, sizeof leaf));
			json_t *p = json_array();
			for (size_t j = 0; j < np; j++)
				json_array_append_new(p, b64(proof[j], OT_HASH_SIZE));
			json_object_set_new(it, "proof", p);
		} else {
			json_object_set_new(it, "entry",
			                    json_loadb((const char *)data, len, 0, NULL));
		}
		free(data);
	}
	uint8_t(*nodes)[OT_HASH_SIZE] = NULL;
	size_t n_nodes = 0;
	if (version == 2 &&
	    ot_log_multiproof(log, idxs, n_ents, n, &nodes, &n_nodes, NULL) == OT_OK) {
		json_t *p = json_array();
		for (size_t j = 0; j < n_nodes; j++)
			json_array_append_new(p, b64(nodes[j], OT_HASH_SIZE));
		json_object_set_new(doc, "proof", p);
	} else if (version == 1) {
		json_object_del(doc, "proof");
	}
	json_object_set_new(doc, "version", json_integer(version));
	free(nodes);
	free(idxs);
	out = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
out:
	free(note);
	ot_log_close(log);
	ot_store_close(st);
	json_decref(doc);
	return out;
}

/* Whether the certificate doc (edited by the caller) fails with `code`. */
static int edited_fails(json_t *doc, ot_verifier *key, const char *code, ot_error *err)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	ot_status rc = text ? verify(text, key, NULL, 0, 0, NULL, err) : OT_ERR_NOMEM;
	free(text);
	if (rc != OT_OK && strcmp(err->code, code) == 0)
		return 1;
	fprintf(stderr, "want %s, got %d %s: %s\n", code, rc, err->code, err->message);
	return 0;
}

/* Version 2, the merged proof: its shape, and each edit anyone could make
 * (a proof node, an entry, the checkpoint, the version) has its code. */
static void check_v2(const char *cert, ot_verifier *key)
{
	ot_error err;
	json_t *doc = json_loads(cert, 0, NULL);
	json_t *list = json_object_get(doc, "entries"), *proof = json_object_get(doc, "proof");
	CHECK(json_integer_value(json_object_get(doc, "version")) == 2);
	CHECK(json_is_array(proof) && json_array_size(list) > 0);
	uint64_t idx[256];
	size_t n = json_array_size(list), want = 0;
	CHECK(n <= 256);
	for (size_t i = 0; i < n && i < 256; i++) {
		json_t *it = json_array_get(list, i);
		idx[i] = (uint64_t)json_integer_value(json_object_get(it, "index"));
		CHECK(json_is_object(json_object_get(it, "entry")));
		CHECK(!json_object_get(it, "proof") && !json_object_get(it, "leaf_hash"));
	}
	uint64_t size =
		(uint64_t)json_integer_value(json_object_get(json_object_get(doc, "log"), "size"));
	CHECK_OK(ot_multiproof_count(size, idx, n, &want));
	CHECK(want == json_array_size(proof) && want > 0);

	json_t *d = json_deep_copy(doc);
	json_array_set_new(json_object_get(d, "proof"), 0,
	                   json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
	CHECK(edited_fails(d, key, OT_CERT_PROOF, &err));
	CHECK(strstr(err.message, "do not lead to the checkpoint's root") != NULL);
	json_decref(d);
	d = json_deep_copy(doc);
	json_array_remove(json_object_get(d, "proof"), 0);
	CHECK(edited_fails(d, key, OT_CERT_PROOF, &err));
	CHECK(strstr(err.message, "need") != NULL);
	json_decref(d);
	d = json_deep_copy(doc);
	json_array_append(json_object_get(d, "proof"), json_array_get(proof, 0));
	CHECK(edited_fails(d, key, OT_CERT_PROOF, &err));
	json_decref(d);
	/* An entry: the blend takes more ore-b (the signature would fail too,
	 * but the proof fails first). */
	d = json_deep_copy(doc);
	for (size_t i = 0; i < n; i++) {
		json_t *ev = json_object_get(
			json_object_get(json_array_get(json_object_get(d, "entries"), i), "entry"),
			"event");
		if (strcmp(json_string_value(json_object_get(ev, "id")), "blend") == 0)
			json_object_set_new(json_array_get(json_object_get(ev, "inputs"), 1),
			                    "mass_g", json_integer(260000));
	}
	CHECK(edited_fails(d, key, OT_CERT_PROOF, &err));
	CHECK(strstr(err.message, "an entry or a proof node was altered") != NULL);
	json_decref(d);
	/* An entry moved to an index beyond the tree. */
	d = json_deep_copy(doc);
	json_object_set_new(json_array_get(json_object_get(d, "entries"), n - 1), "index",
	                    json_integer((json_int_t)size));
	CHECK(edited_fails(d, key, OT_CERT_CHECKPOINT_MISMATCH, &err));
	json_decref(d);
	/* The checkpoint's text, and the log summary. */
	d = json_deep_copy(doc);
	const char *note = json_string_value(json_object_get(d, "checkpoint"));
	char *bent = strdup(note);
	char *nl = strchr(bent, '\n');
	if (nl)
		nl[1] = nl[1] == '1' ? '2' : '1';
	json_object_set_new(d, "checkpoint", json_string(bent));
	free(bent);
	CHECK(edited_fails(d, key, OT_CERT_CHECKPOINT_SIGNATURE, &err));
	json_decref(d);
	d = json_deep_copy(doc);
	json_object_set_new(json_object_get(d, "log"), "root",
	                    json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
	CHECK(edited_fails(d, key, OT_CERT_CHECKPOINT_MISMATCH, &err));
	json_decref(d);
	/* Entries not as JSON envelopes; no proof. */
	d = json_deep_copy(doc);
	json_object_set_new(json_array_get(json_object_get(d, "entries"), 0), "entry",
	                    json_string("e30="));
	CHECK(edited_fails(d, key, OT_CERT_MALFORMED, &err));
	json_object_del(d, "proof");
	CHECK(edited_fails(d, key, OT_CERT_MALFORMED, &err));
	json_decref(d);
	/* Versions this build does not read: refused by name, exit 2. */
	static const int versions[] = {3, 0, 1000};
	for (size_t v = 0; v < 3; v++) {
		char want_msg[64];
		d = json_deep_copy(doc);
		json_object_set_new(d, "version", json_integer(versions[v]));
		CHECK(edited_fails(d, key, OT_CERT_UNSUPPORTED, &err));
		snprintf(want_msg, sizeof want_msg, "unsupported certificate version %d",
		         versions[v]);
		CHECK(strstr(err.message, want_msg) != NULL);
		char *text = json_dumps(d, JSON_COMPACT);
		CHECK_RC(verify(text, key, NULL, 0, 0, NULL, &err), OT_ERR_PARSE);
		free(text);
		json_decref(d);
	}
	json_decref(doc);
}

/* The log index of the entry with event id `id` in the ledger. */
static uint64_t index_of(fx *f, const char *id)
{
	for (uint64_t i = 0; i < fx_size(f); i++) {
		uint8_t *data = NULL;
		size_t len = 0;
		if (ot_log_entry(ot_ledger_log(f->l), i, &data, &len, NULL))
			break;
		json_t *env = json_loadb((const char *)data, len, 0, NULL);
		free(data);
		const char *eid =
			json_string_value(json_object_get(json_object_get(env, "event"), "id"));
		int hit = eid && strcmp(eid, id) == 0;
		json_decref(env);
		if (hit)
			return i;
	}
	return UINT64_MAX;
}

int main(void)
{
	fx f;
	if (fx_open(&f, "certificate"))
		return 1;
	build(&f);
	ot_verifier *key = log_key(&f);
	ot_error err;
	char *cert = NULL;

	/* Every lot's certificate verifies (prove checks its own work). */
	static const char *const lots[] = {"ore-a", "ore-b", "ore-x", "blend-c", "ore-y"};
	for (size_t i = 0; i < sizeof lots / sizeof lots[0]; i++) {
		char *c = NULL;
		CHECK_OK(ot_ledger_prove(f.l, lots[i], 0, &c, &err));
		if (c)
			CHECK_OK(verify(c, key, NULL, 0, 0, NULL, &err));
		free(c);
	}
	CHECK_RC(ot_ledger_prove(f.l, "no-such-lot", 0, &cert, &err), OT_ERR_NOTFOUND);
	CHECK_STR(err.code, "lot_not_found");

	/* The blend: 500 kg of ore from PK (less the 200 kg split off before)
	 * and 250 kg from CN, shipped with the split-off lot. */
	CHECK_OK(ot_ledger_prove(f.l, "blend-c", OT_JSON_PRETTY, &cert, &err));
	json_t *doc = cert ? json_loads(cert, 0, NULL) : NULL;
	CHECK(doc != NULL);
	CHECK(has_entry(doc, "blend"));
	CHECK(has_entry(doc, "ev-12"));  /* the split: a context use of ore-a */
	CHECK(!has_entry(doc, "ev-15")); /* the later use of ore-b */
	json_t *rep = NULL;
	CHECK_OK(verify(cert, key, NULL, 0, 0, &rep, &err));
	json_t *tr = json_object_get(rep, "trace");
	CHECK(share(tr, "PK") == 666667 && share(tr, "CN") == 333333);
	CHECK(json_integer_value(json_object_get(tr, "mass_g")) == 749000);
	CHECK(json_array_size(json_object_get(tr, "context")) == 1);
	CHECK(json_integer_value(json_object_get(rep, "registrations")) == 6);
	json_decref(rep);
	check_v2(cert, key);

	/* Determinations: the blend's Nd was mined 1/3 in CN, so a profile
	 * covering CN at the mined stage fails it; verify recomputes that, says
	 * whose profile it is, and holds it to known profiles of its name. */
	{
		static const char no_cn[] = "{\"profile\":\"no-cn\",\"elements\":[\"Nd\"],"
					    "\"stages\":{\"mined\":\"2020-01-01\"},"
					    "\"covered_countries\":[\"CN\"]}";
		static const char no_cn_other[] = "{\"profile\":\"no-cn\",\"elements\":[\"Nd\"],"
						  "\"stages\":{\"mined\":\"2020-01-01\"},"
						  "\"covered_countries\":[\"RU\"]}";
		static const char other[] = "{\"profile\":\"other\",\"elements\":[\"Nd\"],"
					    "\"stages\":{\"mined\":\"2020-01-01\"},"
					    "\"covered_countries\":[\"RU\"]}";
		ot_cert_profile given = {no_cn, sizeof no_cn - 1, 0};
		char *c = NULL, *r = NULL;
		CHECK_RC(ot_ledger_prove_comply(f.l, "blend-c", &given, 1, "2027-13-01", 0, &c,
		                                &err),
		         OT_ERR_PARSE);
		CHECK_STR(err.code, "bad_field");
		CHECK_OK(ot_ledger_prove_comply(f.l, "blend-c", &given, 1, "2027-06-01", 0, &c,
		                                &err));
		json_t *cd = c ? json_loads(c, 0, NULL) : NULL;
		json_t *item = json_array_get(json_object_get(cd, "compliance"), 0);
		CHECK(json_array_size(json_object_get(json_object_get(cd, "claim"), "stages")) > 0);
		CHECK_STR(json_string_value(json_object_get(json_object_get(item, "determination"),
		                                            "determination")),
		          "fail");
		ot_cert_profile known[2] = {{no_cn, sizeof no_cn - 1, OT_CERT_PROFILE_REQUIRED},
		                            {other, sizeof other - 1, 0}};
		ot_cert_options o = {key, NULL, 0, 0, NULL, 0};
		for (int round = 0; c && round < 2; round++) {
			o.profiles = round ? known : NULL;
			o.n_profiles = round ? 2 : 0;
			CHECK_OK(ot_certificate_verify(c, strlen(c), &o, 0, &r, &err));
			json_t *rd = r ? json_loads(r, 0, NULL) : NULL;
			json_t *row = json_array_get(json_object_get(rd, "compliance"), 0);
			CHECK_STR(json_string_value(json_object_get(row, "source")),
			          round ? "given" : "certificate");
			CHECK(json_equal(json_object_get(row, "determination"),
			                 json_object_get(item, "determination")));
			json_decref(rd);
			free(r);
			r = NULL;
		}
		known[0] = (ot_cert_profile){no_cn_other, sizeof no_cn_other - 1,
		                             OT_CERT_PROFILE_SHIPPED};
		CHECK_RC(ot_certificate_verify(c, strlen(c), &o, 0, NULL, &err), OT_ERR_VERIFY);
		CHECK_STR(err.code, OT_CERT_PROFILE);
		known[0] = (ot_cert_profile){other, sizeof other - 1, OT_CERT_PROFILE_REQUIRED};
		CHECK_RC(ot_certificate_verify(c, strlen(c), &o, 0, NULL, &err), OT_ERR_VERIFY);
		CHECK_STR(err.code, OT_CERT_DETERMINATION_MISSING);
		json_decref(cd);
		free(c);
	}

	/* The wrong log key. */
	ot_verifier *other = NULL;
	{
		ot_signer *o = fx_other_key(&f, "gov");
		char vk[OT_VKEY_MAX];
		CHECK_OK(ot_signer_vkey(o, vk, sizeof vk));
		CHECK_OK(ot_verifier_parse(vk, strlen(vk), &other, NULL));
	}
	CHECK_RC(verify(cert, other, NULL, 0, 0, NULL, &err), OT_ERR_VERIFY);
	CHECK_STR(err.code, OT_CERT_CHECKPOINT_SIGNATURE);

	/* Forgeries with the log key: the checkpoint and proofs are right, the
	 * replay catches them. An unchanged rebuild verifies. */
	uint64_t k_extract = index_of(&f, "ev-7"), k_blend = index_of(&f, "blend");
	CHECK(k_extract != UINT64_MAX && k_blend != UINT64_MAX);
	ot_buf same;
	ot_buf_init(&same, 0);
	{
		uint8_t *data = NULL;
		size_t len = 0;
		CHECK_OK(ot_log_entry(ot_ledger_log(f.l), k_blend, &data, &len, NULL));
		ot_buf_add(&same, data, len);
		free(data);
	}
	char *forged = forge(&f, cert, k_blend, &same, NULL, 2);
	CHECK(forged != NULL);
	if (forged)
		CHECK_OK(verify(forged, key, NULL, 0, 0, NULL, &err));
	free(forged);
	/* Version 1 (base64 entries, a proof each) still verifies, and its
	 * per-entry checks still have their codes. */
	forged = forge(&f, cert, k_blend, &same, NULL, 1);
	CHECK(forged != NULL);
	if (forged) {
		json_t *rep1 = NULL;
		CHECK_OK(verify(forged, key, NULL, 0, 0, &rep1, &err));
		CHECK(share(json_object_get(rep1, "trace"), "PK") == 666667);
		json_decref(rep1);
		json_t *d1 = json_loads(forged, 0, NULL);
		CHECK(json_integer_value(json_object_get(d1, "version")) == 1);
		json_t *e0 = json_array_get(json_object_get(d1, "entries"), 0);
		json_object_set(e0, "leaf_hash", json_array_get(json_object_get(e0, "proof"), 0));
		CHECK(edited_fails(d1, key, OT_CERT_ENTRY_ALTERED, &err));
		json_decref(d1);
		d1 = json_loads(forged, 0, NULL);
		e0 = json_array_get(json_object_get(d1, "entries"), 0);
		json_array_set(json_object_get(e0, "proof"), 0,
		               json_object_get(json_object_get(d1, "log"), "root"));
		CHECK(edited_fails(d1, key, OT_CERT_PROOF, &err));
		json_decref(d1);
	}
	free(forged);
	ot_buf_free(&same);

	/* ore-b's extraction signed by another key named mineco. */
	ot_buf b;
	CHECK(fx_sign_with(&f,
	                   J("{'id':'ev-7','type':'extract','site':'m-cn','lot':'ore-b','material':"
	                     "'ore','mass_g':1000000,'assay':{'Nd':5000}}"),
	                   "mineco", fx_other_key(&f, "mineco"), &b) == 0);
	forged = forge(&f, cert, k_extract, &b, NULL, 2);
	CHECK(forged != NULL);
	if (forged) {
		CHECK_RC(verify(forged, key, NULL, 0, 0, NULL, &err), OT_ERR_VERIFY);
		CHECK_STR(err.code, OT_CERT_ENTRY_SIGNATURE);
		CHECK(err.index == (int64_t)k_extract);
	}
	free(forged);
	ot_buf_free(&b);

	/* The blend using more of ore-a than remains, properly signed. */
	CHECK(fx_sign_with(&f,
	                   J("{'id':'blend','type':'transform','site':'plant','process':'blending',"
	                     "'inputs':[{'lot':'ore-a','mass_g':900000},{'lot':'ore-b','mass_g':"
	                     "250000}],'outputs':[{'lot':'blend-c','material':'ore','mass_g':"
	                     "750000,'assay':{'Nd':5000}}]}"),
	                   "mineco", fx_key(&f, "mineco"), &b) == 0);
	forged = forge(&f, cert, k_blend, &b, NULL, 2);
	CHECK(forged != NULL);
	if (forged) {
		CHECK_RC(verify(forged, key, NULL, 0, 0, NULL, &err), OT_ERR_VERIFY);
		CHECK_STR(err.code, OT_CERT_RULE);
		CHECK(strstr(err.message, "mass_exceeded") != NULL);
	}
	free(forged);
	ot_buf_free(&b);

	/* Witnesses: a checkpoint cosigned by one witness. */
	ot_signer *wit = fx_key(&f, "witness-1");
	ot_cosig_verifier *wv[2] = {NULL, NULL};
	{
		/* One key in its native cosigner form, one as a plain note vkey. */
		char vk[OT_VKEY_MAX];
		CHECK_OK(ot_cosig_verifier_from_signer(wit, &wv[0], NULL));
		CHECK_OK(ot_signer_vkey(fx_key(&f, "witness-2"), vk, sizeof vk));
		CHECK_OK(ot_cosig_verifier_parse(vk, strlen(vk), &wv[1], NULL));
	}
	uint8_t *data = NULL;
	size_t len = 0;
	CHECK_OK(ot_log_entry(ot_ledger_log(f.l), k_blend, &data, &len, NULL));
	ot_buf_init(&b, 0);
	ot_buf_add(&b, data, len);
	free(data);
	forged = forge(&f, cert, k_blend, &b, wit, 2);
	ot_buf_free(&b);
	CHECK(forged != NULL);
	if (forged) {
		json_t *r2 = NULL;
		CHECK_OK(verify(forged, key, wv, 1, 1, &r2, &err));
		CHECK(json_integer_value(json_object_get(r2, "witnesses")) == 1);
		json_decref(r2);
		CHECK_OK(verify(forged, key, wv, 2, 1, NULL, &err));
		CHECK_RC(verify(forged, key, wv, 2, 2, NULL, &err), OT_ERR_VERIFY);
		CHECK_STR(err.code, OT_CERT_WITNESSES);
		/* The original, without cosignatures. */
		CHECK_RC(verify(cert, key, wv, 1, 1, NULL, &err), OT_ERR_VERIFY);
		CHECK_STR(err.code, OT_CERT_WITNESSES);
		/* Under another log key the cosignature alone does not do. */
		CHECK_RC(verify(forged, other, wv, 1, 1, NULL, &err), OT_ERR_VERIFY);
		CHECK_STR(err.code, OT_CERT_CHECKPOINT_SIGNATURE);
		/* A cosignature line altered in the file: named, not just missing. */
		json_t *fd = json_loads(forged, 0, NULL);
		const char *note = json_string_value(json_object_get(fd, "checkpoint"));
		char *bent = note ? strdup(note) : NULL;
		char *last = bent ? strrchr(bent, '\n') : NULL;
		CHECK(last != NULL && last - bent > 10);
		if (last) {
			last[-20] = last[-20] == 'A' ? 'B' : 'A';
			json_object_set_new(fd, "checkpoint", json_string(bent));
			char *text = json_dumps(fd, JSON_COMPACT);
			CHECK_RC(verify(text, key, wv, 1, 1, NULL, &err), OT_ERR_VERIFY);
			CHECK_STR(err.code, OT_CERT_WITNESSES);
			CHECK(strstr(err.message,
			             "cosignature of witness witness-1 does not verify") != NULL);
			free(text);
		}
		free(bent);
		json_decref(fd);
	}
	free(forged);

	/* Unusable input. */
	CHECK_RC(verify("{}", key, NULL, 0, 0, NULL, &err), OT_ERR_PARSE);
	CHECK_STR(err.code, OT_CERT_MALFORMED);
	CHECK_RC(verify("[1.5]", key, NULL, 0, 0, NULL, &err), OT_ERR_PARSE);
	CHECK_STR(err.code, OT_CERT_MALFORMED);
	CHECK_RC(verify(cert, NULL, NULL, 0, 0, NULL, &err), OT_ERR_ARG);

	ot_cosig_verifier_free(wv[0]);
	ot_cosig_verifier_free(wv[1]);
	ot_verifier_free(other);
	ot_verifier_free(key);
	json_decref(doc);
	free(cert);
	fx_close(&f);
	return test_done("test_certificate");
}
