/*
 * test_provenance.c: origin vectors (the ISO 22095 mass-balance model).
 * First the apportionment itself, then a chain over three mines in two
 * countries: transport, a sample split, a blend with partial uses, a split,
 * a merge, transit loss and a certified assay, each with the amounts worked
 * out by hand in the comments (mg of element).
 */
#include <inttypes.h>

#include "ledger/provenance.h"
#include "ledger_fixture.h"

static void test_apportion(void)
{
	uint64_t out[4];
	uint64_t a[] = {1, 1};
	/* half of 2 units: 1 unit; the tie goes to the lower site */
	CHECK_OK(otx_apportion(a, 2, 1, 2, out));
	CHECK(out[0] == 1 && out[1] == 0);
	uint64_t b[] = {5, 3, 2};
	/* 10/3 = 3 units: floors 1,1,0; remainders 2,0,2: the first wins */
	CHECK_OK(otx_apportion(b, 3, 1, 3, out));
	CHECK(out[0] == 2 && out[1] == 1 && out[2] == 0);
	CHECK_OK(otx_apportion(b, 3, 3, 3, out));
	CHECK(out[0] == 5 && out[1] == 3 && out[2] == 2);
	CHECK_RC(otx_apportion(b, 3, 1, 0, out), OT_ERR_ARG);
	uint64_t big[] = {UINT64_MAX, 1};
	CHECK_RC(otx_apportion(big, 2, 2, 1, out), OT_ERR_RANGE);

	uint64_t s3[] = {1, 1, 1}, sh[3];
	otx_shares_ppm(s3, 3, sh);
	CHECK(sh[0] == 333334 && sh[1] == 333333 && sh[2] == 333333);
	uint64_t z[] = {0, 0};
	otx_shares_ppm(z, 2, sh);
	CHECK(sh[0] == 0 && sh[1] == 0);

	CHECK(otx_content_mg(1000000, 4600) == 4600000);
	CHECK(otx_content_mg(1, 4600) == 5); /* 4.6 mg, rounded half up */
	CHECK(otx_content_mg(1, 1499) == 1);
}

/* Random vectors, random partial uses: amounts are conserved exactly and
 * no site ever gives more than it holds. */
static void test_take_property(void)
{
	static const char *const sites[] = {"s-a", "s-b", "s-c", "s-d", "s-e"};
	static const char *const els[] = {"Nd", "Pr", "Cu"};
	test_seed(42);
	for (int round = 0; round < 200; round++) {
		otx_vector v, taken, split[3];
		otx_vector_init(&v);
		otx_vector_init(&taken);
		for (int k = 0; k < 3; k++)
			otx_vector_init(&split[k]);
		uint64_t before[3] = {0, 0, 0};
		for (int i = 0; i < 8; i++) {
			int e = (int)(test_rand() % 3);
			uint64_t mg = test_rand() % 1000000000000ull;
			CHECK_OK(otx_vector_add(&v, els[e], sites[test_rand() % 5], mg));
			before[e] += mg;
		}
		uint64_t remaining = 1 + test_rand() % 1000000;
		while (remaining > 0) {
			uint64_t use = 1 + test_rand() % remaining;
			CHECK_OK(otx_vector_take(&v, use, remaining, &taken));
			remaining -= use;
		}
		CHECK(v.n == 0); /* everything taken once the lot is used up */
		for (int e = 0; e < 3; e++)
			CHECK(otx_vector_total(&taken, els[e]) == before[e]);
		/* Split each element over three claims that exceed the pool. */
		for (int e = 0; e < 3; e++) {
			uint64_t have = otx_vector_total(&taken, els[e]);
			uint64_t c[3] = {have / 2 + 7, have / 3 + 1, have / 4 + 3};
			uint64_t den = c[0] + c[1] + c[2];
			for (int k = 0; k < 3; k++) {
				CHECK_OK(otx_vector_take_element(&taken, els[e], c[k], den,
				                                 &split[k]));
				den -= c[k];
			}
			CHECK(otx_vector_total(&taken, els[e]) == 0);
			CHECK(otx_vector_total(&split[0], els[e]) +
			              otx_vector_total(&split[1], els[e]) +
			              otx_vector_total(&split[2], els[e]) ==
			      before[e]);
		}
		otx_vector_free(&v);
		otx_vector_free(&taken);
		for (int k = 0; k < 3; k++)
			otx_vector_free(&split[k]);
	}
}

static fx f;

#define OK(expr)                                                                  \
	do {                                                                      \
		ot_status ok_ = (expr);                                           \
		CHECK_RC(ok_, OT_OK);                                             \
		if (ok_)                                                          \
			fprintf(stderr, "  %s: %s\n", f.err.code, f.err.message); \
	} while (0)

static void ship(const char *cons, const char *from, const char *to, const char *consignee,
                 const char *signer, const char *lot)
{
	OK(fx_submit(&f, signer,
	             J("{'type':'ship','consignment':'%s','from':'%s','to':'%s','consignee':'%s',"
	               "'lots':['%s']}",
	               cons, from, to, consignee, lot)));
}

static void receive(const char *cons, const char *site, const char *signer, const char *lot,
                    long long mass)
{
	OK(fx_submit(&f, signer,
	             J("{'type':'receive','consignment':'%s','site':'%s','lots':[{'lot':'%s',"
	               "'mass_g':%lld}]}",
	               cons, site, lot, mass)));
}

static int64_t share(json_t *t, const char *list, const char *el, const char *key_name,
                     const char *key)
{
	json_t *o = json_object_get(t, list);
	for (size_t i = 0; i < json_array_size(o); i++) {
		json_t *r = json_array_get(o, i);
		if (strcmp(json_string_value(json_object_get(r, "element")), el) == 0 &&
		    strcmp(json_string_value(json_object_get(r, key_name)), key) == 0)
			return (int64_t)json_integer_value(json_object_get(r, "share_ppm"));
	}
	return -1;
}

static int has_entry(json_t *t, const char *list, int64_t index)
{
	json_t *a = json_object_get(t, list);
	for (size_t i = 0; i < json_array_size(a); i++)
		if (json_integer_value(json_object_get(json_array_get(a, i), "index")) == index)
			return 1;
	return 0;
}

/* grams in the row of `list` whose `key` is `value` (-1 when absent) */
static int64_t grams_of(json_t *mineral, const char *list, const char *key, const char *value)
{
	json_t *a = json_object_get(mineral, list);
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *row = json_array_get(a, i);
		if (strcmp(json_string_value(json_object_get(row, key)), value) == 0)
			return (int64_t)json_integer_value(json_object_get(row, "grams"));
	}
	return -1;
}

static void test_chain(void)
{
	CHECK(fx_open(&f, "provenance") == 0);
	OK(fx_actor(&f, "fwo", "PK", "['miner','processor','exporter']"));
	OK(fx_actor(&f, "cnco", "CN", "['miner','exporter']"));
	OK(fx_actor(&f, "lab1", "PK", "['lab']"));
	OK(fx_actor(&f, "ussm", "US", "['importer','processor']"));
	OK(fx_site(&f, "mine-a", "mine", "fwo", "PK"));
	OK(fx_site(&f, "mine-b", "mine", "fwo", "PK"));
	OK(fx_site(&f, "mine-c", "mine", "cnco", "CN"));
	OK(fx_site(&f, "plant-1", "plant", "fwo", "PK"));
	OK(fx_site(&f, "us-site", "plant", "ussm", "US"));

	/* ore-a: 1 t at Nd 5000, Pr 1000: Nd 5,000,000 mg, Pr 1,000,000 mg.
	 * ore-b: 2 t at Nd 2500, Pr 1500: Nd 5,000,000, Pr 3,000,000.
	 * ore-c: 1 t at Nd 10000 (in China): Nd 10,000,000. */
	uint64_t i_ext_a = fx_size(&f);
	OK(fx_extract(&f, "fwo", "mine-a", "ore-a", 1000000, "{'Nd':5000,'Pr':1000}"));
	OK(fx_extract(&f, "fwo", "mine-b", "ore-b", 2000000, "{'Nd':2500,'Pr':1500}"));
	uint64_t i_ext_c = fx_size(&f);
	OK(fx_extract(&f, "cnco", "mine-c", "ore-c", 1000000, "{'Nd':10000}"));
	json_t *t = fx_trace(&f, "ore-a");
	CHECK(fx_origin(t, "Nd", "mine-a", "mg") == 5000000);
	CHECK(fx_origin(t, "Pr", "mine-a", "grams") == 1000);
	CHECK(share(t, "origins", "Nd", "site", "mine-a") == 1000000);
	json_decref(t);

	ship("s-a", "mine-a", "plant-1", "fwo", "fwo", "ore-a");
	receive("s-a", "plant-1", "fwo", "ore-a", 1000000);
	ship("s-b", "mine-b", "plant-1", "fwo", "fwo", "ore-b");
	receive("s-b", "plant-1", "fwo", "ore-b", 2000000);
	uint64_t i_ship_c = fx_size(&f);
	ship("s-c", "mine-c", "plant-1", "fwo", "cnco", "ore-c");
	receive("s-c", "plant-1", "fwo", "ore-c", 1000000);

	/* A sample of ore-c, split off before the blend: 100 kg, 1,000,000 mg. */
	uint64_t i_sample = fx_size(&f);
	OK(fx_submit(&f, "fwo",
	             J("{'type':'transform','site':'plant-1','process':'split',"
	               "'inputs':[{'lot':'ore-c','mass_g':100000}],"
	               "'outputs':[{'lot':'sample-c','material':'ore','mass_g':100000,"
	               "'assay':{'Nd':10000}}]}")));

	/* The blend: all of ore-a, half of ore-b, 500 kg of the 900 kg of
	 * ore-c. Nd pool: a 5,000,000, b 2,500,000, c 5,000,000 = 12,500,000.
	 * conc-1 claims 40 kg x 30 % = 12,000,000 (0.96 of the pool), the
	 * tailings 2.4 t x 200 = 480,000 (0.96 of the rest), 20,000 is lost.
	 * Pr pool: a 1,000,000, b 1,500,000; conc-1 claims 2,000,000 (0.8). */
	uint64_t i_blend = fx_size(&f);
	OK(fx_submit(
		&f, "fwo",
		J("{'type':'transform','site':'plant-1','process':'beneficiation',"
	          "'inputs':[{'lot':'ore-a','mass_g':1000000},{'lot':'ore-b','mass_g':1000000},"
	          "{'lot':'ore-c','mass_g':500000}],"
	          "'outputs':[{'lot':'conc-1','material':'concentrate','mass_g':40000,"
	          "'assay':{'Nd':300000,'Pr':50000}},"
	          "{'lot':'tail-1','material':'tailings','mass_g':2400000,'assay':{'Nd':200}}]}")));
	t = fx_trace(&f, "conc-1");
	CHECK(fx_origin(t, "Nd", "mine-a", "mg") == 4800000);
	CHECK(fx_origin(t, "Nd", "mine-b", "mg") == 2400000);
	CHECK(fx_origin(t, "Nd", "mine-c", "mg") == 4800000);
	CHECK(fx_origin(t, "Pr", "mine-a", "mg") == 800000);
	CHECK(fx_origin(t, "Pr", "mine-b", "mg") == 1200000);
	CHECK(share(t, "origins", "Nd", "site", "mine-a") == 400000);
	CHECK(share(t, "origins", "Nd", "site", "mine-b") == 200000);
	CHECK(share(t, "countries", "Nd", "country", "PK") == 600000);
	CHECK(share(t, "countries", "Nd", "country", "CN") == 400000);
	CHECK(share(t, "origins", "Pr", "site", "mine-b") == 600000);
	json_decref(t);
	t = fx_trace(&f, "tail-1");
	CHECK(fx_origin(t, "Nd", "mine-a", "mg") == 192000);
	CHECK(fx_origin(t, "Nd", "mine-b", "mg") == 96000);
	CHECK(fx_origin(t, "Nd", "mine-c", "mg") == 192000);
	json_decref(t);
	/* What stays: ore-b 1 t with Nd 2,500,000 and Pr 1,500,000; ore-c
	 * 400 kg with Nd 4,000,000. */
	t = fx_trace(&f, "ore-b");
	CHECK(fx_origin(t, "Nd", "mine-b", "mg") == 2500000);
	CHECK(fx_origin(t, "Pr", "mine-b", "mg") == 1500000);
	CHECK(json_integer_value(json_object_get(t, "mass_g")) == 1000000);
	json_decref(t);
	t = fx_trace(&f, "ore-c");
	CHECK(fx_origin(t, "Nd", "mine-c", "mg") == 4000000);
	json_decref(t);

	/* Split conc-1: 10 kg and 30 kg, a quarter and three quarters. */
	uint64_t i_split = fx_size(&f);
	OK(fx_submit(&f, "fwo",
	             J("{'type':'transform','site':'plant-1','process':'split',"
	               "'inputs':[{'lot':'conc-1','mass_g':40000}],"
	               "'outputs':[{'lot':'conc-1a','material':'concentrate','mass_g':10000,"
	               "'assay':{'Nd':300000,'Pr':50000}},"
	               "{'lot':'conc-1b','material':'concentrate','mass_g':30000,"
	               "'assay':{'Nd':300000,'Pr':50000}}]}")));
	t = fx_trace(&f, "conc-1a");
	CHECK(fx_origin(t, "Nd", "mine-a", "mg") == 1200000);
	CHECK(fx_origin(t, "Nd", "mine-b", "mg") == 600000);
	CHECK(fx_origin(t, "Nd", "mine-c", "mg") == 1200000);
	CHECK(fx_origin(t, "Pr", "mine-a", "mg") == 200000);
	json_decref(t);

	/* The rest of ore-b makes conc-b2 (Nd 2,000,000 of 2,500,000), then
	 * conc-1b and conc-b2 merge: Nd a 3,600,000, b 1,800,000 + 2,000,000,
	 * c 3,600,000 = 11,000,000 (50 kg x 22 %); Pr a 600,000, b 900,000. */
	uint64_t i_b2 = fx_size(&f);
	OK(fx_submit(&f, "fwo",
	             J("{'type':'transform','site':'plant-1','process':'beneficiation',"
	               "'inputs':[{'lot':'ore-b','mass_g':1000000}],"
	               "'outputs':[{'lot':'conc-b2','material':'concentrate','mass_g':20000,"
	               "'assay':{'Nd':100000}}]}")));
	uint64_t i_merge = fx_size(&f);
	OK(fx_submit(
		&f, "fwo",
		J("{'type':'transform','site':'plant-1','process':'merge',"
	          "'inputs':[{'lot':'conc-1b','mass_g':30000},{'lot':'conc-b2','mass_g':20000}],"
	          "'outputs':[{'lot':'conc-m','material':'concentrate','mass_g':50000,"
	          "'assay':{'Nd':220000,'Pr':30000}}]}")));
	t = fx_trace(&f, "conc-m");
	CHECK(fx_origin(t, "Nd", "mine-a", "mg") == 3600000);
	CHECK(fx_origin(t, "Nd", "mine-b", "mg") == 3800000);
	CHECK(fx_origin(t, "Nd", "mine-c", "mg") == 3600000);
	CHECK(fx_origin(t, "Pr", "mine-a", "mg") == 600000);
	CHECK(fx_origin(t, "Pr", "mine-b", "mg") == 900000);
	/* 3.6/11 = 0.3272727, 3.8/11 = 0.3454545: largest remainders give the
	 * two missing ppm to mine-a and mine-c; by country PK 7.4/11, CN 3.6/11. */
	CHECK(share(t, "origins", "Nd", "site", "mine-a") == 327273);
	CHECK(share(t, "origins", "Nd", "site", "mine-b") == 345454);
	CHECK(share(t, "origins", "Nd", "site", "mine-c") == 327273);
	CHECK(share(t, "countries", "Nd", "country", "PK") == 672727);
	CHECK(share(t, "countries", "Nd", "country", "CN") == 327273);
	CHECK(share(t, "origins", "Pr", "site", "mine-a") == 400000);
	json_decref(t);

	/* To the US, 1 % lost on the way: the vector scales by 0.99. Then the
	 * lab certifies 23 % Nd on 49.5 kg: 11,385,000, rescaled by site. */
	ship("s-m", "plant-1", "us-site", "ussm", "fwo", "conc-m");
	uint64_t i_recv = fx_size(&f);
	receive("s-m", "us-site", "ussm", "conc-m", 49500);
	t = fx_trace(&f, "conc-m");
	CHECK(fx_origin(t, "Nd", "mine-a", "mg") == 3564000);
	CHECK(fx_origin(t, "Nd", "mine-b", "mg") == 3762000);
	CHECK(fx_origin(t, "Nd", "mine-c", "mg") == 3564000);
	CHECK(share(t, "origins", "Nd", "site", "mine-b") == 345454);
	json_decref(t);
	uint64_t i_assay = fx_size(&f);
	OK(fx_submit(&f, "lab1", J("{'type':'assay','lot':'conc-m','assay':{'Nd':230000}}")));
	t = fx_trace(&f, "conc-m");
	CHECK(json_object_get(t, "context") == NULL); /* only on request */
	json_decref(t);
	t = fx_trace_ex(&f, "conc-m", OT_TRACE_CONTEXT);
	CHECK(fx_origin(t, "Nd", "mine-a", "mg") == 3726000);
	CHECK(fx_origin(t, "Nd", "mine-b", "mg") == 3933000);
	CHECK(fx_origin(t, "Nd", "mine-c", "mg") == 3726000);
	CHECK(fx_origin(t, "Nd", "mine-c", "grams") == 3726);
	CHECK(fx_origin(t, "Pr", "mine-a", "mg") == 594000); /* Pr not re-assayed: 0.99 x */
	CHECK_STR(json_string_value(json_object_get(t, "holder")), "ussm");
	CHECK_STR(json_string_value(json_object_get(t, "status")), "held");
	CHECK_STR(json_string_value(json_object_get(t, "material")), "concentrate");
	CHECK(json_integer_value(json_object_get(t, "mass_g")) == 49500);
	/* Ancestry: the extractions, the moves of the ores, the blend, split,
	 * conc-b2, the merge, the shipment, receipt and assay; the sample split
	 * that used ore-c before the blend is context. */
	CHECK(has_entry(t, "ancestry", (int64_t)i_ext_a));
	CHECK(has_entry(t, "ancestry", (int64_t)i_ext_c));
	CHECK(has_entry(t, "ancestry", (int64_t)i_ship_c));
	CHECK(has_entry(t, "ancestry", (int64_t)i_blend));
	CHECK(has_entry(t, "ancestry", (int64_t)i_split));
	CHECK(has_entry(t, "ancestry", (int64_t)i_b2));
	CHECK(has_entry(t, "ancestry", (int64_t)i_merge));
	CHECK(has_entry(t, "ancestry", (int64_t)i_recv));
	CHECK(has_entry(t, "ancestry", (int64_t)i_assay));
	CHECK(!has_entry(t, "ancestry", (int64_t)i_sample));
	CHECK(has_entry(t, "context", (int64_t)i_sample));
	CHECK(json_array_size(json_object_get(t, "context")) == 1);
	/* ancestry is in log order */
	json_t *anc = json_object_get(t, "ancestry");
	int sorted = 1;
	for (size_t i = 1; i < json_array_size(anc); i++)
		sorted &= json_integer_value(json_object_get(json_array_get(anc, i - 1), "index")) <
		          json_integer_value(json_object_get(json_array_get(anc, i), "index"));
	CHECK(sorted);
	CHECK(json_array_size(anc) == 16);
	if (json_array_size(anc) != 16) {
		char *d = json_dumps(anc, 0);
		fprintf(stderr, "%s\n", d);
		free(d);
	}
	json_decref(t);

	/* ore-c's uses: the sample split and the blend. */
	t = fx_trace_ex(&f, "ore-c", OT_TRACE_CONTEXT);
	CHECK(json_array_size(json_object_get(t, "uses")) == 2);
	CHECK(has_entry(t, "uses", (int64_t)i_sample) && has_entry(t, "uses", (int64_t)i_blend));
	CHECK(json_array_size(json_object_get(t, "ancestry")) == 3); /* extract, ship, receive */
	json_decref(t);

	/* The sample's own lineage does not include the blend. */
	t = fx_trace(&f, "sample-c");
	CHECK(has_entry(t, "ancestry", (int64_t)i_sample));
	CHECK(!has_entry(t, "ancestry", (int64_t)i_blend));
	CHECK(fx_origin(t, "Nd", "mine-c", "mg") == 1000000);
	json_decref(t);

	/* The report, by hand for Nd: extracted PK 10,000 g (mine-a 5,000,
	 * mine-b 5,000), CN 10,000 g; processed (beneficiation) in PK: conc-1
	 * 12,000 + tail-1 480 + conc-b2 2,000 = 14,480 g (the split and the
	 * merge count for nothing); exported PK -> US: conc-m, 50 kg x 22 % =
	 * 11,000 g, mined 7,400 g in PK and 3,600 g in CN; and CN -> PK: ore-c,
	 * 10,000 g. Extraction is split evenly: the tie goes to CN, HHI
	 * 50^2 + 50^2 = 5000. */
	char *rep = NULL;
	CHECK_OK(ot_ledger_report(f.l, 0, &rep, NULL));
	json_t *r = rep ? json_loads(rep, 0, NULL) : NULL, *nd = NULL;
	free(rep);
	for (size_t i = 0; i < json_array_size(json_object_get(r, "minerals")); i++) {
		json_t *m = json_array_get(json_object_get(r, "minerals"), i);
		if (strcmp(json_string_value(json_object_get(m, "element")), "Nd") == 0)
			nd = m;
	}
	CHECK(nd != NULL);
	CHECK(grams_of(nd, "extracted", "country", "PK") == 10000);
	CHECK(grams_of(nd, "extracted", "country", "CN") == 10000);
	CHECK(grams_of(nd, "processed", "country", "PK") == 14480);
	CHECK(json_array_size(json_object_get(nd, "refined")) == 0);
	CHECK(grams_of(nd, "exported", "to", "US") == 11000);
	CHECK(grams_of(nd, "exported", "from", "CN") == 10000);
	CHECK(grams_of(nd, "exported_origin", "country", "PK") == 7400);
	CHECK(grams_of(nd, "exported_origin", "country", "CN") == 13600);
	json_t *conc = json_object_get(nd, "concentration");
	json_t *ext = json_array_get(conc, 0), *orig = json_array_get(conc, 3);
	CHECK_STR(json_string_value(json_object_get(ext, "stage")), "extracted");
	CHECK_STR(json_string_value(json_object_get(ext, "top_country")), "CN");
	CHECK(json_integer_value(json_object_get(ext, "top_share_ppm")) == 500000);
	CHECK(json_integer_value(json_object_get(ext, "hhi")) == 5000);
	/* exported by mine country: CN 13.6/21 = 647,619 ppm, PK 352,380 ppm;
	 * HHI 64.7619^2 + 35.2380^2 = 5435.87 -> 5436 */
	CHECK_STR(json_string_value(json_object_get(orig, "stage")), "exported_origin");
	CHECK_STR(json_string_value(json_object_get(orig, "top_country")), "CN");
	CHECK(json_integer_value(json_object_get(orig, "top_share_ppm")) == 647619);
	CHECK(json_integer_value(json_object_get(orig, "hhi")) == 5436);
	json_decref(r);

	/* The replay agrees, vector for vector. */
	CHECK(fx_audit_clean(&f));
	fx_close(&f);
}

int main(void)
{
	test_apportion();
	test_take_property();
	test_chain();
	return test_done("test_provenance");
}
