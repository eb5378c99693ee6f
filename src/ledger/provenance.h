/*
 * provenance.h: origin vectors, the mass-balance model of ISO 22095.
 *
 * Each lot carries, per tracked element, the amount of that element by the
 * site it was mined at: its origin vector. The unit is the milligram of
 * element (a gram loses too much on small lots: 1 g of ore at 4600 mg/kg
 * holds 4.6 mg of Nd). With lots of at most OTX_MASS_MAX grams and contents
 * of at most 10^6 mg/kg, every amount fits in 10^18 mg, well inside uint64.
 *
 * How a vector evolves (all integer, all deterministic, so that a replay of
 * the log gives byte-identical vectors):
 *
 *   extract    the lot's vector is {e: {mine: content_mg(mass, ppm_e)}}.
 *   use        a transform using u grams of a lot holding r grams takes u/r of
 *              each element's remaining amount, site by site (when u == r it
 *              takes everything); what stays is the remainder. Taking from
 *              what remains, rather than from the original, keeps every site's
 *              amount conserved exactly however many partial uses a lot sees.
 *   pool       the taken amounts of all inputs are summed per element and site.
 *   split      each output j receives pool_e x C_j / D of element e, where C_j
 *              is the output's content of e (mass x assay) and D =
 *              max(pool total, sum of C_j): outputs get their content's worth
 *              when the inputs hold enough, and share the pool pro rata when
 *              they claim more (within the assay uncertainty the rules allow).
 *              Outputs are served in event order, each from what the earlier
 *              ones left, so no site is ever over-assigned. What remains after
 *              the last output is the process loss: it stays unassigned.
 *   assay      a certified assay rescales each assayed element to the lot's
 *              remaining mass x certified content (a lot from an extraction
 *              also gains the elements the lab found, at its mine).
 *   receive    a measured mass below the shipped mass scales the vector down
 *              by received/shipped (the loss in transit is unassigned); a gain
 *              leaves it as it is (no element from nothing).
 *
 * Every proportional step is one apportionment (otx_apportion): the total is
 * rounded down, each site gets the floor of its exact share, and the units
 * left over go to the sites with the largest remainders, ties to the smaller
 * site id. A site never receives more than it holds.
 */
#ifndef OT_LEDGER_PROVENANCE_H
#define OT_LEDGER_PROVENANCE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"

/* Largest lot mass (and largest total input of one transform): 10^15 g, one
 * gigatonne. Keeps every amount in mg below 10^18. */
#define OTX_MASS_MAX INT64_C(1000000000000000)
/* Contents are mg/kg: at most 10^6. */
#define OTX_PPM_MAX INT64_C(1000000)

/* Element content in mg of `mass_g` grams at `ppm` mg/kg, rounded half up. */
uint64_t otx_content_mg(uint64_t mass_g, uint64_t ppm);

typedef struct otx_origin {
	char element[4]; /* symbol, NUL-terminated */
	char *site;      /* owned */
	uint64_t mg;
} otx_origin;

/* Items sorted by (element, site), no zero amounts, no duplicates. */
typedef struct otx_vector {
	otx_origin *items;
	size_t n, cap;
} otx_vector;

void otx_vector_init(otx_vector *v);
void otx_vector_free(otx_vector *v);

/* Adds mg to (element, site). OT_ERR_RANGE on overflow, OT_ERR_ARG on a bad
 * element (1-3 bytes) or empty site. Zero is a no-op. */
ot_status otx_vector_add(otx_vector *v, const char *element, const char *site, uint64_t mg);

/* Sum of one element over all sites (saturating; never more than 10^18 in a
 * valid vector). */
uint64_t otx_vector_total(const otx_vector *v, const char *element);

/* {"Nd":{"site-a":123,...},...} <-> vector. from_json: OT_ERR_CORRUPT on a
 * malformed object. to_json returns a new reference or NULL (no memory). */
ot_status otx_vector_from_json(const json_t *origins, otx_vector *out);
json_t *otx_vector_to_json(const otx_vector *v);

/*
 * The apportionment: out[i] = share of v[i] in round_down(sum(v) x num / den),
 * by largest remainder, ties to the lower i (callers keep v sorted by site).
 * den > 0. OT_ERR_RANGE when a share exceeds uint64 (num > den only).
 */
ot_status otx_apportion(const uint64_t *v, size_t n, uint64_t num, uint64_t den, uint64_t *out);

/* Moves num/den of every element of *from into *to (the "use" step). */
ot_status otx_vector_take(otx_vector *from, uint64_t num, uint64_t den, otx_vector *to);

/* The same for one element only (the "split" step). */
ot_status otx_vector_take_element(otx_vector *from, const char *element, uint64_t num, uint64_t den,
                                  otx_vector *to);

/* Scales every element by num/den (num <= den: transit loss). */
ot_status otx_vector_scale(otx_vector *v, uint64_t num, uint64_t den);

/* Rescales one element so that it totals `target` (assay). An element the
 * vector lacks is added at `site_if_new` when that is not NULL. */
ot_status otx_vector_set_total(otx_vector *v, const char *element, uint64_t target,
                               const char *site_if_new);

/* Scales one element by num/den (num may exceed den: an assay that raises
 * the content). */
ot_status otx_vector_scale_element(otx_vector *v, const char *element, uint64_t num, uint64_t den);

/*
 * Stages. Every process belongs to a stage; a lot keeps, besides its origin
 * vector (which is the `mined` stage: grams by mine), one vector per later
 * stage: grams of each element by the site that concentrated, processed,
 * separated, refined, alloyed or made it into magnets. The stage vectors
 * move exactly as the origin vector does (use, pool, split, assay, receive:
 * the same fractions, applied stage by stage), and a transform of stage S at
 * site X adds to each output's S vector, per element, the output's whole
 * amount at X. Blending, split and merge belong to no stage: their outputs
 * keep their inputs' stages. A lot that passes the same stage twice keeps
 * both sites in that stage (a re-separation does not wash the first one
 * out), so a stage's total may exceed the element's amount.
 *
 * The stage names are a closed list here. `external` is feed from outside
 * the ledger (a transform's external inputs, rules_bulk.c): mg of each
 * element by its declared-origin record; `recycled` is scrap brought in by
 * a `recycle` event (rules_recycle.c): mg of each element by the recycler
 * site.
 *
 * One more vector rides along that is no stage: OTX_STAGE_SCRAP keeps the
 * recycled amounts by scrap class ("post_consumer", "pre_consumer" in place
 * of a site), so that the split survives mixing; it moves with the stages
 * (take, scale) but is no stage of trace, comply or a profile, and its key
 * in a lot's `stages` object is "scrap_class".
 */
enum {
	OTX_STAGE_MINED,
	OTX_STAGE_CONCENTRATED,
	OTX_STAGE_PROCESSED,
	OTX_STAGE_SEPARATED,
	OTX_STAGE_REFINED,
	OTX_STAGE_ALLOYED,
	OTX_STAGE_MAGNET,
	OTX_STAGE_EXTERNAL,
	OTX_STAGE_RECYCLED,
	OTX_STAGES,
	OTX_STAGE_SCRAP = OTX_STAGES, /* the recycled amounts by scrap class */
	OTX_STAGE_SLOTS
};

/* The stage's name ("mined", ...), NULL when out of range. */
const char *otx_stage_name(int stage);
/* The stage of a name, -1 when unknown. */
int otx_stage_of(const char *name);
/* The stage a transform process belongs to, -1 for blending, split and
 * merge (and unknown processes). */
int otx_process_stage(const char *process);

/* The stage vectors of a lot; v[OTX_STAGE_MINED] stays empty (the origin
 * vector is that stage). */
typedef struct otx_stages {
	otx_vector v[OTX_STAGE_SLOTS];
} otx_stages;

void otx_stages_init(otx_stages *s);
void otx_stages_free(otx_stages *s);
/* {"separated":{"Nd":{"site":mg}},...} <-> stages. from_json: NULL is
 * empty; OT_ERR_CORRUPT on a malformed object or an unknown stage. to_json:
 * a new object (empty when there is no stage), NULL when out of memory. */
ot_status otx_stages_from_json(const json_t *stages, otx_stages *out);
json_t *otx_stages_to_json(const otx_stages *s);
/* otx_vector_take, _take_element, _scale and _scale_element stage by stage. */
ot_status otx_stages_take(otx_stages *from, uint64_t num, uint64_t den, otx_stages *to);
ot_status otx_stages_take_element(otx_stages *from, const char *element, uint64_t num, uint64_t den,
                                  otx_stages *to);
ot_status otx_stages_scale(otx_stages *s, uint64_t num, uint64_t den);
ot_status otx_stages_scale_element(otx_stages *s, const char *element, uint64_t num, uint64_t den);

/* What of element the lot has from outside the mines: its external and
 * recycled stages' totals. */
uint64_t otx_unmined_total(const otx_stages *s, const char *element);

/* Shares in mg/kg (ppm) of each of n amounts in their sum, by the same
 * largest-remainder rule, so that they add up to exactly 10^6 (all zero when
 * the sum is zero). */
void otx_shares_ppm(const uint64_t *v, size_t n, uint64_t *share);

#endif
