/*
 * provenance.c: origin vectors and the apportionment that moves them
 * (provenance.h explains the model). Amounts are in mg of element; products
 * are formed in 128 bits, so nothing here can overflow silently.
 */
#include "ledger/provenance.h"

#include <stdlib.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

uint64_t otx_content_mg(uint64_t mass_g, uint64_t ppm)
{
	/* g x mg/kg = ug; round half up to mg. */
	u128 ug = (u128)mass_g * ppm;
	u128 mg = (ug + 500) / 1000;
	return mg > UINT64_MAX ? UINT64_MAX : (uint64_t)mg;
}

void otx_vector_init(otx_vector *v)
{
	v->items = NULL;
	v->n = 0;
	v->cap = 0;
}

void otx_vector_free(otx_vector *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++)
		free(v->items[i].site);
	free(v->items);
	otx_vector_init(v);
}

static int item_cmp(const char *element, const char *site, const otx_origin *o)
{
	int c = strcmp(element, o->element);
	return c ? c : strcmp(site, o->site);
}

/* Position of (element, site) or where it would go; *found tells which. */
static size_t find(const otx_vector *v, const char *element, const char *site, int *found)
{
	size_t lo = 0, hi = v->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = item_cmp(element, site, &v->items[mid]);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*found = 0;
	return lo;
}

ot_status otx_vector_add(otx_vector *v, const char *element, const char *site, uint64_t mg)
{
	size_t elen = element ? strlen(element) : 0;
	if (elen == 0 || elen > 3 || !site || !*site)
		return OT_ERR_ARG;
	if (mg == 0)
		return OT_OK;
	int found;
	size_t at = find(v, element, site, &found);
	if (found) {
		if (v->items[at].mg > UINT64_MAX - mg)
			return OT_ERR_RANGE;
		v->items[at].mg += mg;
		return OT_OK;
	}
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		otx_origin *p = realloc(v->items, cap * sizeof *p);
		if (!p)
			return OT_ERR_NOMEM;
		v->items = p;
		v->cap = cap;
	}
	char *copy = strdup(site);
	if (!copy)
		return OT_ERR_NOMEM;
	memmove(&v->items[at + 1], &v->items[at], (v->n - at) * sizeof *v->items);
	memcpy(v->items[at].element, element, elen + 1);
	v->items[at].site = copy;
	v->items[at].mg = mg;
	v->n++;
	return OT_OK;
}

/* Drops the items whose amount fell to zero. */
static void compact(otx_vector *v)
{
	size_t w = 0;
	for (size_t i = 0; i < v->n; i++) {
		if (v->items[i].mg == 0) {
			free(v->items[i].site);
			continue;
		}
		v->items[w++] = v->items[i];
	}
	v->n = w;
}

/* The items of one element: [*start, *end). */
static void group(const otx_vector *v, const char *element, size_t *start, size_t *end)
{
	size_t i = 0;
	while (i < v->n && strcmp(v->items[i].element, element) < 0)
		i++;
	size_t j = i;
	while (j < v->n && strcmp(v->items[j].element, element) == 0)
		j++;
	*start = i;
	*end = j;
}

uint64_t otx_vector_total(const otx_vector *v, const char *element)
{
	size_t a, b;
	group(v, element, &a, &b);
	uint64_t sum = 0;
	for (size_t i = a; i < b; i++)
		sum = v->items[i].mg > UINT64_MAX - sum ? UINT64_MAX : sum + v->items[i].mg;
	return sum;
}

ot_status otx_vector_from_json(const json_t *origins, otx_vector *out)
{
	otx_vector_init(out);
	if (!origins)
		return OT_OK;
	if (!json_is_object(origins))
		return OT_ERR_CORRUPT;
	const char *element;
	json_t *sites;
	/* json_object_foreach wants a non-const object; it only reads. */
	json_t *obj = (json_t *)(uintptr_t)origins;
	json_object_foreach(obj, element, sites)
	{
		if (!json_is_object(sites))
			goto bad;
		const char *site;
		json_t *amount;
		json_object_foreach(sites, site, amount)
		{
			if (!json_is_integer(amount) || json_integer_value(amount) < 0)
				goto bad;
			ot_status rc = otx_vector_add(out, element, site,
			                              (uint64_t)json_integer_value(amount));
			if (rc) {
				otx_vector_free(out);
				return rc == OT_ERR_NOMEM ? rc : OT_ERR_CORRUPT;
			}
		}
	}
	return OT_OK;
bad:
	otx_vector_free(out);
	return OT_ERR_CORRUPT;
}

json_t *otx_vector_to_json(const otx_vector *v)
{
	json_t *root = json_object();
	json_t *cur = NULL;
	const char *cur_el = NULL;
	if (!root)
		return NULL;
	for (size_t i = 0; i < v->n; i++) {
		const otx_origin *o = &v->items[i];
		if (!cur_el || strcmp(cur_el, o->element) != 0) {
			cur = json_object();
			if (!cur || json_object_set_new(root, o->element, cur))
				goto fail;
			cur_el = o->element;
		}
		if (o->mg > (uint64_t)INT64_MAX ||
		    json_object_set_new(cur, o->site, json_integer((json_int_t)o->mg)))
			goto fail;
	}
	return root;
fail:
	json_decref(root);
	return NULL;
}

typedef struct rank {
	u128 rem;
	size_t i;
} rank;

static int rank_cmp(const void *a, const void *b)
{
	const rank *x = a, *y = b;
	if (x->rem != y->rem)
		return x->rem > y->rem ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* The core of the apportionment with a 128-bit denominator. */
static ot_status apportion(const uint64_t *v, size_t n, uint64_t num, u128 den, uint64_t *out)
{
	if (den == 0)
		return OT_ERR_ARG;
	if (n == 0)
		return OT_OK;
	rank *r = malloc(n * sizeof *r);
	if (!r)
		return OT_ERR_NOMEM;
	u128 sum_rem = 0;
	for (size_t i = 0; i < n; i++) {
		u128 p = (u128)v[i] * num;
		u128 q = p / den;
		if (q > UINT64_MAX) {
			free(r);
			return OT_ERR_RANGE;
		}
		out[i] = (uint64_t)q;
		r[i].rem = p % den;
		r[i].i = i;
		sum_rem += r[i].rem;
	}
	/* round_down(sum x num / den) - sum of floors = round_down(sum_rem / den),
	 * which is below the number of positive remainders: only sites with a
	 * fractional share get a unit, so none gets more than its exact share
	 * rounded up. */
	u128 left = sum_rem / den;
	if (left > 0) {
		qsort(r, n, sizeof *r, rank_cmp);
		for (size_t k = 0; k < n && left > 0; k++, left--) {
			if (out[r[k].i] == UINT64_MAX) {
				free(r);
				return OT_ERR_RANGE;
			}
			out[r[k].i]++;
		}
	}
	free(r);
	return OT_OK;
}

ot_status otx_apportion(const uint64_t *v, size_t n, uint64_t num, uint64_t den, uint64_t *out)
{
	return apportion(v, n, num, den, out);
}

void otx_shares_ppm(const uint64_t *v, size_t n, uint64_t *share)
{
	u128 sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	if (sum == 0 || apportion(v, n, 1000000, sum, share) != OT_OK)
		for (size_t i = 0; i < n; i++)
			share[i] = 0;
}

/* Apportions items [a, b) of v by num/den into a fresh array (malloc'ed). */
static ot_status portion(const otx_vector *v, size_t a, size_t b, uint64_t num, uint64_t den,
                         uint64_t **out)
{
	size_t n = b - a;
	uint64_t *vals = malloc((n ? n : 1) * sizeof *vals);
	uint64_t *res = malloc((n ? n : 1) * sizeof *res);
	ot_status rc = OT_ERR_NOMEM;
	if (!vals || !res)
		goto fail;
	for (size_t i = 0; i < n; i++)
		vals[i] = v->items[a + i].mg;
	rc = apportion(vals, n, num, den, res);
	if (rc)
		goto fail;
	free(vals);
	*out = res;
	return OT_OK;
fail:
	free(vals);
	free(res);
	return rc;
}

/* Moves num/den of the items [a, b) of from into to; leaves zeros in from. */
static ot_status take_range(otx_vector *from, size_t a, size_t b, uint64_t num, uint64_t den,
                            otx_vector *to)
{
	if (num > den)
		return OT_ERR_ARG;
	uint64_t *part = NULL;
	ot_status rc = portion(from, a, b, num, den, &part);
	if (rc)
		return rc;
	for (size_t i = a; i < b && !rc; i++) {
		otx_origin *o = &from->items[i];
		rc = otx_vector_add(to, o->element, o->site, part[i - a]);
		if (!rc)
			o->mg -= part[i - a];
	}
	free(part);
	return rc;
}

ot_status otx_vector_take(otx_vector *from, uint64_t num, uint64_t den, otx_vector *to)
{
	ot_status rc = OT_OK;
	size_t a = 0;
	while (a < from->n && !rc) {
		size_t b = a;
		while (b < from->n && strcmp(from->items[b].element, from->items[a].element) == 0)
			b++;
		rc = take_range(from, a, b, num, den, to);
		a = b;
	}
	compact(from);
	return rc;
}

ot_status otx_vector_take_element(otx_vector *from, const char *element, uint64_t num, uint64_t den,
                                  otx_vector *to)
{
	size_t a, b;
	group(from, element, &a, &b);
	ot_status rc = take_range(from, a, b, num, den, to);
	compact(from);
	return rc;
}

/* Replaces the amounts of [a, b) by their num/den apportionment. */
static ot_status scale_range(otx_vector *v, size_t a, size_t b, uint64_t num, uint64_t den)
{
	uint64_t *part = NULL;
	ot_status rc = portion(v, a, b, num, den, &part);
	if (rc)
		return rc;
	for (size_t i = a; i < b; i++)
		v->items[i].mg = part[i - a];
	free(part);
	return OT_OK;
}

ot_status otx_vector_scale(otx_vector *v, uint64_t num, uint64_t den)
{
	ot_status rc = OT_OK;
	size_t a = 0;
	while (a < v->n && !rc) {
		size_t b = a;
		while (b < v->n && strcmp(v->items[b].element, v->items[a].element) == 0)
			b++;
		rc = scale_range(v, a, b, num, den);
		a = b;
	}
	compact(v);
	return rc;
}

ot_status otx_vector_set_total(otx_vector *v, const char *element, uint64_t target,
                               const char *site_if_new)
{
	size_t a, b;
	group(v, element, &a, &b);
	if (a == b)
		return site_if_new ? otx_vector_add(v, element, site_if_new, target) : OT_OK;
	uint64_t total = 0;
	for (size_t i = a; i < b; i++)
		total += v->items[i].mg; /* a valid vector's element totals stay below 10^18 */
	ot_status rc = scale_range(v, a, b, target, total);
	compact(v);
	return rc;
}

ot_status otx_vector_scale_element(otx_vector *v, const char *element, uint64_t num, uint64_t den)
{
	size_t a, b;
	group(v, element, &a, &b);
	if (a == b || num == den)
		return OT_OK;
	ot_status rc = scale_range(v, a, b, num, den);
	compact(v);
	return rc;
}

/* --- stages --- */

static const char *const STAGE_NAMES[OTX_STAGE_SLOTS] = {
	"mined",   "concentrated", "processed", "separated", "refined",
	"alloyed", "magnet",       "external",  "recycled",  "scrap_class",
};

/* Process -> stage. Blending, split and merge are absent: no stage. */
static const struct {
	const char *process;
	int stage;
} PROCESS_STAGES[] = {
	{"beneficiation", OTX_STAGE_CONCENTRATED}, {"cracking", OTX_STAGE_PROCESSED},
	{"leaching", OTX_STAGE_PROCESSED},         {"separation", OTX_STAGE_SEPARATED},
	{"refining", OTX_STAGE_REFINED},           {"smelting", OTX_STAGE_REFINED},
	{"alloying", OTX_STAGE_ALLOYED},           {"magnet_making", OTX_STAGE_MAGNET},
};

const char *otx_stage_name(int stage)
{
	return stage >= 0 && stage < OTX_STAGES ? STAGE_NAMES[stage] : NULL;
}

int otx_stage_of(const char *name)
{
	for (int i = 0; name && i < OTX_STAGES; i++)
		if (strcmp(name, STAGE_NAMES[i]) == 0)
			return i;
	return -1;
}

int otx_process_stage(const char *process)
{
	for (size_t i = 0; process && i < sizeof PROCESS_STAGES / sizeof PROCESS_STAGES[0]; i++)
		if (strcmp(process, PROCESS_STAGES[i].process) == 0)
			return PROCESS_STAGES[i].stage;
	return -1;
}

void otx_stages_init(otx_stages *s)
{
	for (int i = 0; i < OTX_STAGE_SLOTS; i++)
		otx_vector_init(&s->v[i]);
}

void otx_stages_free(otx_stages *s)
{
	for (int i = 0; s && i < OTX_STAGE_SLOTS; i++)
		otx_vector_free(&s->v[i]);
}

ot_status otx_stages_from_json(const json_t *stages, otx_stages *out)
{
	otx_stages_init(out);
	if (!stages)
		return OT_OK;
	if (!json_is_object(stages))
		return OT_ERR_CORRUPT;
	const char *name;
	json_t *vec;
	json_t *obj = (json_t *)(uintptr_t)stages;
	json_object_foreach(obj, name, vec)
	{
		int st = strcmp(name, STAGE_NAMES[OTX_STAGE_SCRAP]) == 0 ? OTX_STAGE_SCRAP
		                                                         : otx_stage_of(name);
		ot_status rc = st <= OTX_STAGE_MINED ? OT_ERR_CORRUPT
		                                     : otx_vector_from_json(vec, &out->v[st]);
		if (rc) {
			otx_stages_free(out);
			return rc;
		}
	}
	return OT_OK;
}

json_t *otx_stages_to_json(const otx_stages *s)
{
	json_t *root = json_object();
	for (int i = OTX_STAGE_MINED + 1; root && i < OTX_STAGE_SLOTS; i++) {
		if (s->v[i].n == 0)
			continue;
		json_t *v = otx_vector_to_json(&s->v[i]);
		if (!v || json_object_set_new(root, STAGE_NAMES[i], v)) {
			json_decref(root);
			return NULL;
		}
	}
	return root;
}

ot_status otx_stages_take(otx_stages *from, uint64_t num, uint64_t den, otx_stages *to)
{
	ot_status rc = OT_OK;
	for (int i = 0; !rc && i < OTX_STAGE_SLOTS; i++)
		rc = otx_vector_take(&from->v[i], num, den, &to->v[i]);
	return rc;
}

ot_status otx_stages_take_element(otx_stages *from, const char *element, uint64_t num, uint64_t den,
                                  otx_stages *to)
{
	ot_status rc = OT_OK;
	for (int i = 0; !rc && i < OTX_STAGE_SLOTS; i++)
		rc = otx_vector_take_element(&from->v[i], element, num, den, &to->v[i]);
	return rc;
}

ot_status otx_stages_scale(otx_stages *s, uint64_t num, uint64_t den)
{
	ot_status rc = OT_OK;
	for (int i = 0; !rc && i < OTX_STAGE_SLOTS; i++)
		rc = otx_vector_scale(&s->v[i], num, den);
	return rc;
}

ot_status otx_stages_scale_element(otx_stages *s, const char *element, uint64_t num, uint64_t den)
{
	ot_status rc = OT_OK;
	for (int i = 0; !rc && i < OTX_STAGE_SLOTS; i++)
		rc = otx_vector_scale_element(&s->v[i], element, num, den);
	return rc;
}

uint64_t otx_unmined_total(const otx_stages *s, const char *element)
{
	return otx_vector_total(&s->v[OTX_STAGE_EXTERNAL], element) +
	       otx_vector_total(&s->v[OTX_STAGE_RECYCLED], element);
}
