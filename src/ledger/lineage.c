/*
 * lineage.c: ancestry records as edges (lineage.h): parsing, merging,
 * writing and walking them.
 */
#include "ledger/lineage.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/state.h"

void otx_lineage_init(otx_lineage *l)
{
	memset(l, 0, sizeof *l);
}

void otx_lineage_free(otx_lineage *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nrefs; i++)
		free(l->refs[i]);
	for (size_t i = 0; i < l->nblobs; i++)
		free(l->blobs[i]);
	free(l->refs);
	free(l->blobs);
	free(l->lines);
	otx_lineage_init(l);
}

/* Room for one more item of size `size` in *arr (n used of *cap). */
static int grow(void **arr, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 16;
	void *p = realloc(*arr, c * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = c;
	return 0;
}

ot_status otx_lineage_add_ref(otx_lineage *l, const char *lot)
{
	char *copy = strdup(lot);
	if (!copy || grow((void **)&l->refs, l->nrefs, &l->cap_refs, sizeof *l->refs)) {
		free(copy);
		return OT_ERR_NOMEM;
	}
	l->refs[l->nrefs++] = copy;
	return OT_OK;
}

ot_status otx_lineage_add_text(otx_lineage *l, uint8_t *text, size_t len)
{
	if (grow((void **)&l->blobs, l->nblobs, &l->cap_blobs, sizeof *l->blobs)) {
		free(text);
		return OT_ERR_NOMEM;
	}
	l->blobs[l->nblobs++] = text;
	const char *s = (const char *)text;
	size_t at = 0;
	while (at < len) {
		const char *nl = memchr(s + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - s) : len;
		const char *line = s + at;
		size_t llen = end - at;
		at = end + 1;
		if (llen > 1 && line[0] == '@') {
			char lot[OTX_LINEAGE_REF_MAX];
			if (llen - 1 >= sizeof lot)
				return OT_ERR_CORRUPT;
			memcpy(lot, line + 1, llen - 1);
			lot[llen - 1] = 0;
			if (otx_lineage_add_ref(l, lot))
				return OT_ERR_NOMEM;
			continue;
		}
		const char *sp1 = memchr(line, ' ', llen);
		if (!sp1 || sp1 == line || !memchr(sp1 + 1, ' ', llen - (size_t)(sp1 + 1 - line)))
			return OT_ERR_CORRUPT;
		if (grow((void **)&l->lines, l->n, &l->cap, sizeof *l->lines))
			return OT_ERR_NOMEM;
		l->lines[l->n++] = (otx_aline){strtoull(line, NULL, 10), line, llen};
	}
	return OT_OK;
}

ot_status otx_lineage_absorb(otx_lineage *dst, otx_lineage *src)
{
	for (size_t i = 0; i < src->n; i++) {
		if (grow((void **)&dst->lines, dst->n, &dst->cap, sizeof *dst->lines))
			return OT_ERR_NOMEM;
		dst->lines[dst->n++] = src->lines[i];
	}
	src->n = 0;
	for (size_t i = 0; i < src->nblobs; i++) {
		if (grow((void **)&dst->blobs, dst->nblobs, &dst->cap_blobs, sizeof *dst->blobs))
			return OT_ERR_NOMEM;
		dst->blobs[dst->nblobs++] = src->blobs[i];
		src->blobs[i] = NULL;
	}
	src->nblobs = 0;
	for (size_t i = 0; i < src->nrefs; i++) {
		if (grow((void **)&dst->refs, dst->nrefs, &dst->cap_refs, sizeof *dst->refs))
			return OT_ERR_NOMEM;
		dst->refs[dst->nrefs++] = src->refs[i];
		src->refs[i] = NULL;
	}
	src->nrefs = 0;
	return OT_OK;
}

static int line_cmp(const void *a, const void *b)
{
	const otx_aline *x = a, *y = b;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int ref_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void otx_lineage_sort(otx_lineage *l)
{
	if (l->n > 1)
		qsort(l->lines, l->n, sizeof *l->lines, line_cmp);
	size_t w = 0;
	for (size_t i = 0; i < l->n; i++)
		if (w == 0 || l->lines[i].index != l->lines[w - 1].index)
			l->lines[w++] = l->lines[i];
	l->n = w;
	if (l->nrefs > 1)
		qsort(l->refs, l->nrefs, sizeof *l->refs, ref_cmp);
	w = 0;
	for (size_t i = 0; i < l->nrefs; i++) {
		if (w > 0 && strcmp(l->refs[i], l->refs[w - 1]) == 0)
			free(l->refs[i]);
		else
			l->refs[w++] = l->refs[i];
	}
	l->nrefs = w;
}

ot_status otx_lineage_write(const otx_lineage *l, ot_buf *out)
{
	ot_status rc = OT_OK;
	ot_buf_reset(out);
	for (size_t i = 0; !rc && i < l->n; i++) {
		rc = ot_buf_add(out, l->lines[i].text, l->lines[i].len);
		if (!rc)
			rc = ot_buf_addc(out, '\n');
	}
	for (size_t i = 0; !rc && i < l->nrefs; i++)
		rc = ot_buf_printf(out, "@%s\n", l->refs[i]);
	return rc;
}

/* Adds the record of `lot`, if any. */
static ot_status add_record(ot_store *st, const char *lot, otx_lineage *l, ot_error *err)
{
	uint8_t *text = NULL;
	size_t len = 0;
	ot_status rc = otx_state_get_raw(st, OTX_NS_ANCESTRY, lot, &text, &len, NULL);
	if (rc == OT_ERR_NOTFOUND)
		return OT_OK;
	if (rc)
		return otx_state_get_raw(st, OTX_NS_ANCESTRY, lot, &text, &len, err);
	rc = otx_lineage_add_text(l, text, len);
	if (rc)
		return ot_error_set(err, rc,
		                    rc == OT_ERR_NOMEM ? "out of memory"
		                                       : "the ancestry of lot %s is malformed",
		                    lot);
	return OT_OK;
}

ot_status otx_lineage_walk(ot_store *st, const char *lot, otx_lineage *l, ot_error *err)
{
	json_t *seen = json_object();
	if (!seen)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	ot_status rc = add_record(st, lot, l, err);
	/* l->refs grows as records are read: walk it by position. */
	for (size_t i = 0; !rc && i < l->nrefs; i++) {
		if (json_object_get(seen, l->refs[i]))
			continue;
		if (json_object_set_new(seen, l->refs[i], json_true()))
			rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		else
			rc = add_record(st, l->refs[i], l, err);
	}
	json_decref(seen);
	if (!rc)
		otx_lineage_sort(l);
	return rc;
}
