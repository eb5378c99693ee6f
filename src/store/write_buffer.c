/*
 * write_buffer.c: a write transaction's rows and unsent writes, kept on the
 * client (write_buffer.h). The rows are a chained hash table (FNV-1a over
 * kind, namespace and key); the op log is an array whose marks split it
 * into the segments a flush sends between server savepoints. Within a
 * segment only a row's last write is sent: the earlier ones are flagged
 * superseded when the later one is logged, so a multi-row statement never
 * names one row twice.
 */
#include "store/write_buffer.h"

#include <stdlib.h>
#include <string.h>

struct otx_wb_row {
	otx_wb_row *next;
	uint64_t hash;
	long last_op; /* index in the op log of the row's last write; -1 none */
	int present;
	uint8_t *value; /* malloc'ed, NUL-terminated; NULL when absent */
	size_t vlen;
	char kind;
	size_t nslen, klen;
	char name[]; /* ns, NUL, key */
};

static uint64_t hash_of(char kind, const char *ns, size_t nslen, const uint8_t *key, size_t klen)
{
	uint64_t h = 14695981039346656037u;
	h = (h ^ (uint8_t)kind) * 1099511628211u;
	for (size_t i = 0; i < nslen; i++)
		h = (h ^ (uint8_t)ns[i]) * 1099511628211u;
	h = (h ^ 0) * 1099511628211u;
	for (size_t i = 0; i < klen; i++)
		h = (h ^ key[i]) * 1099511628211u;
	return h;
}

static otx_wb_row *find(const otx_write_buffer *wb, char kind, const char *ns, size_t nslen,
                        const uint8_t *key, size_t klen, uint64_t h)
{
	if (!wb->nslots)
		return NULL;
	for (otx_wb_row *r = wb->slots[h & (wb->nslots - 1)]; r; r = r->next)
		if (r->hash == h && r->kind == kind && r->nslen == nslen && r->klen == klen &&
		    memcmp(r->name, ns, nslen) == 0 && memcmp(r->name + nslen + 1, key, klen) == 0)
			return r;
	return NULL;
}

static void free_row(otx_write_buffer *wb, otx_wb_row *r)
{
	wb->bytes -= sizeof *r + r->nslen + r->klen + 1 + r->vlen;
	free(r->value);
	free(r);
}

static void unlink_row(otx_write_buffer *wb, otx_wb_row *gone)
{
	otx_wb_row **p = &wb->slots[gone->hash & (wb->nslots - 1)];
	while (*p != gone)
		p = &(*p)->next;
	*p = gone->next;
	wb->nrows--;
	free_row(wb, gone);
}

static ot_status grow(otx_write_buffer *wb, ot_error *err)
{
	size_t n = wb->nslots ? wb->nslots * 2 : 256;
	otx_wb_row **slots = calloc(n, sizeof *slots);
	if (!slots)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory buffering a transaction");
	for (size_t i = 0; i < wb->nslots; i++)
		for (otx_wb_row *r = wb->slots[i], *next; r; r = next) {
			next = r->next;
			r->next = slots[r->hash & (n - 1)];
			slots[r->hash & (n - 1)] = r;
		}
	free(wb->slots);
	wb->slots = slots;
	wb->nslots = n;
	return OT_OK;
}

/* Sets the row's value (present or absent), creating the row if needed. */
static ot_status set_row(otx_write_buffer *wb, char kind, const char *ns, const uint8_t *key,
                         size_t klen, int present, const uint8_t *value, size_t vlen, long last_op,
                         ot_error *err)
{
	size_t nslen = strlen(ns);
	uint64_t h = hash_of(kind, ns, nslen, key, klen);
	otx_wb_row *r = find(wb, kind, ns, nslen, key, klen, h);
	uint8_t *copy = NULL;
	if (present) {
		copy = malloc(vlen + 1);
		if (!copy)
			return ot_error_set(err, OT_ERR_NOMEM,
			                    "out of memory buffering a transaction");
		if (vlen)
			memcpy(copy, value, vlen);
		copy[vlen] = 0;
	}
	if (!r) {
		if (wb->nrows >= wb->nslots && grow(wb, err) != OT_OK) {
			free(copy);
			return OT_ERR_NOMEM;
		}
		r = malloc(sizeof *r + nslen + klen + 1);
		if (!r) {
			free(copy);
			return ot_error_set(err, OT_ERR_NOMEM,
			                    "out of memory buffering a transaction");
		}
		r->hash = h;
		r->kind = kind;
		r->nslen = nslen;
		r->klen = klen;
		memcpy(r->name, ns, nslen + 1);
		if (klen)
			memcpy(r->name + nslen + 1, key, klen);
		r->value = NULL;
		r->vlen = 0;
		r->next = wb->slots[h & (wb->nslots - 1)];
		wb->slots[h & (wb->nslots - 1)] = r;
		wb->nrows++;
		wb->bytes += sizeof *r + nslen + klen + 1;
	}
	wb->bytes = wb->bytes - r->vlen + (present ? vlen : 0);
	free(r->value);
	r->value = copy;
	r->vlen = present ? vlen : 0;
	r->present = present;
	r->last_op = last_op;
	return OT_OK;
}

int otx_wb_get(const otx_write_buffer *wb, char kind, const char *ns, const uint8_t *key,
               size_t klen, const uint8_t **value, size_t *vlen)
{
	size_t nslen = strlen(ns);
	const otx_wb_row *r =
		find(wb, kind, ns, nslen, key, klen, hash_of(kind, ns, nslen, key, klen));
	if (!r)
		return -1;
	if (r->present) {
		*value = r->value;
		*vlen = r->vlen;
	}
	return r->present;
}

ot_status otx_wb_remember(otx_write_buffer *wb, char kind, const char *ns, const uint8_t *key,
                          size_t klen, int present, const uint8_t *value, size_t vlen,
                          ot_error *err)
{
	size_t nslen = strlen(ns);
	if (find(wb, kind, ns, nslen, key, klen, hash_of(kind, ns, nslen, key, klen)))
		return OT_OK;
	return set_row(wb, kind, ns, key, klen, present, value, vlen, -1, err);
}

/* The row an op writes, or NULL. */
static otx_wb_row *op_row(const otx_write_buffer *wb, const otx_wb_op *op)
{
	size_t nslen = strlen(op->ns);
	return find(wb, op->kind, op->ns, nslen, op->key, op->klen,
	            hash_of(op->kind, op->ns, nslen, op->key, op->klen));
}

/* Where the segment that new ops join begins: the innermost mark not yet on
 * the server, else the log's start. */
static size_t last_segment_start(const otx_write_buffer *wb)
{
	for (size_t i = wb->nmarks; i > 0; i--)
		if (!wb->marks[i - 1].on_server)
			return wb->marks[i - 1].pos;
	return 0;
}

/* Logs op i's row as its last write, superseding an earlier write of the
 * same segment. */
static ot_status log_row(otx_write_buffer *wb, size_t i, size_t seg_start, ot_error *err)
{
	otx_wb_op *op = &wb->ops[i];
	const otx_wb_row *r = op_row(wb, op);
	long prev = r ? r->last_op : -1;
	op->prev = prev;
	ot_status rc = set_row(wb, op->kind, op->ns, op->key, op->klen, !op->del, op->value,
	                       op->vlen, (long)i, err);
	/* Only once the row holds the new write: a failed one supersedes
	 * nothing. */
	if (!rc && prev >= 0 && (size_t)prev >= seg_start && (size_t)prev < i)
		wb->ops[prev].superseded = 1;
	return rc;
}

/* Doubles an array's capacity (to `first` elements when it has none). */
static ot_status grow_array(void **items, size_t *cap, size_t size, size_t first, ot_error *err)
{
	size_t n = *cap ? *cap * 2 : first;
	void *p = realloc(*items, n * size);
	if (!p)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory buffering a transaction");
	*items = p;
	*cap = n;
	return OT_OK;
}

ot_status otx_wb_write(otx_write_buffer *wb, char kind, const char *ns, const uint8_t *key,
                       size_t klen, int del, const uint8_t *value, size_t vlen, ot_error *err)
{
	if (wb->nops == wb->opcap &&
	    grow_array((void **)&wb->ops, &wb->opcap, sizeof *wb->ops, 256, err) != OT_OK)
		return OT_ERR_NOMEM;
	size_t nslen = strlen(ns), size = nslen + 1 + klen + (del ? 0 : vlen) + 1;
	char *mem = malloc(size);
	if (!mem)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory buffering a transaction");
	memcpy(mem, ns, nslen + 1);
	if (klen)
		memcpy(mem + nslen + 1, key, klen);
	if (!del && vlen)
		memcpy(mem + nslen + 1 + klen, value, vlen);
	mem[size - 1] = 0;
	otx_wb_op *op = &wb->ops[wb->nops];
	*op = (otx_wb_op){.kind = kind,
	                  .del = del,
	                  .ns = mem,
	                  .key = (const uint8_t *)mem + nslen + 1,
	                  .klen = klen,
	                  .value = del ? NULL : (const uint8_t *)mem + nslen + 1 + klen,
	                  .vlen = del ? 0 : vlen,
	                  .mem = mem};
	ot_status rc = log_row(wb, wb->nops, last_segment_start(wb), err);
	if (rc) {
		free(mem);
		return rc;
	}
	wb->nops++;
	wb->bytes += sizeof *op + size;
	return OT_OK;
}

ot_status otx_wb_mark(otx_write_buffer *wb, ot_error *err)
{
	if (wb->nmarks == wb->markcap &&
	    grow_array((void **)&wb->marks, &wb->markcap, sizeof *wb->marks, 8, err) != OT_OK)
		return OT_ERR_NOMEM;
	wb->marks[wb->nmarks++] = (otx_wb_savepoint_mark){.pos = wb->nops, .on_server = 0};
	return OT_OK;
}

int otx_wb_release(otx_write_buffer *wb)
{
	if (!wb->nmarks)
		return 0;
	otx_wb_savepoint_mark m = wb->marks[--wb->nmarks];
	if (m.on_server)
		return 1;
	/* The released segment merges with the one before: a row written in
	 * both is now written twice in one segment, and its last write before
	 * the mark (the one its first write after the mark follows) is
	 * superseded. */
	size_t start = last_segment_start(wb);
	for (size_t i = m.pos; i < wb->nops; i++) {
		long p = wb->ops[i].prev;
		if (p >= 0 && (size_t)p >= start && (size_t)p < m.pos)
			wb->ops[p].superseded = 1;
	}
	return 0;
}

int otx_wb_undo(otx_write_buffer *wb)
{
	if (!wb->nmarks)
		return 0;
	otx_wb_savepoint_mark m = wb->marks[--wb->nmarks];
	if (m.on_server) {
		/* The log holds only writes since the last flush, all after the
		 * server's savepoint: the server's rollback drops what they
		 * would have done, and the rows are re-read from it. */
		for (size_t i = 0; i < wb->nops; i++)
			free(wb->ops[i].mem);
		wb->nops = 0;
		otx_wb_forget_rows(wb);
		wb->bytes = 0;
		return 1;
	}
	/* Forget the rows the dropped ops wrote, then restore each from its
	 * last write before the mark (the one its first dropped write
	 * follows), or leave it to the server when there was none. The ops
	 * before the mark were not superseded by the dropped ones (another
	 * segment). */
	int ok = 1;
	for (size_t i = m.pos; i < wb->nops; i++) {
		otx_wb_row *r = op_row(wb, &wb->ops[i]);
		if (r)
			unlink_row(wb, r);
	}
	for (size_t i = m.pos; i < wb->nops; i++) {
		long p = wb->ops[i].prev;
		if (p >= 0 && (size_t)p < m.pos) {
			const otx_wb_op *op = &wb->ops[p];
			if (set_row(wb, op->kind, op->ns, op->key, op->klen, !op->del, op->value,
			            op->vlen, p, NULL) != OT_OK)
				ok = 0;
		}
	}
	for (size_t i = m.pos; i < wb->nops; i++) {
		otx_wb_op *op = &wb->ops[i];
		wb->bytes -= sizeof *op + strlen(op->ns) + 1 + op->klen + op->vlen + 1;
		free(op->mem);
	}
	wb->nops = m.pos;
	return ok ? 0 : -1;
}

size_t otx_wb_segments(const otx_write_buffer *wb)
{
	size_t n = 1;
	for (size_t i = 0; i < wb->nmarks; i++)
		n += !wb->marks[i].on_server;
	return n;
}

void otx_wb_segment(const otx_write_buffer *wb, size_t i, size_t *start, size_t *end)
{
	/* Marks not on the server are the innermost ones, in log order. */
	size_t first = wb->nmarks + 1 - otx_wb_segments(wb);
	*start = i == 0 ? 0 : wb->marks[first + i - 1].pos;
	*end = first + i < wb->nmarks ? wb->marks[first + i].pos : wb->nops;
}

void otx_wb_flushed(otx_write_buffer *wb)
{
	for (size_t i = 0; i < wb->nops; i++)
		free(wb->ops[i].mem);
	wb->nops = 0;
	for (size_t i = 0; i < wb->nmarks; i++)
		wb->marks[i] = (otx_wb_savepoint_mark){.pos = 0, .on_server = 1};
	wb->bytes = 0;
	for (size_t i = 0; i < wb->nslots; i++)
		for (otx_wb_row *r = wb->slots[i]; r; r = r->next) {
			r->last_op = -1;
			wb->bytes += sizeof *r + r->nslen + r->klen + 1 + r->vlen;
		}
}

void otx_wb_forget_rows(otx_write_buffer *wb)
{
	for (size_t i = 0; i < wb->nslots; i++)
		for (otx_wb_row *r = wb->slots[i], *next; r; r = next) {
			next = r->next;
			free_row(wb, r);
		}
	if (wb->nslots)
		memset(wb->slots, 0, wb->nslots * sizeof *wb->slots);
	wb->nrows = 0;
}

void otx_wb_reset(otx_write_buffer *wb)
{
	otx_wb_forget_rows(wb);
	free(wb->slots);
	for (size_t i = 0; i < wb->nops; i++)
		free(wb->ops[i].mem);
	free(wb->ops);
	free(wb->marks);
	memset(wb, 0, sizeof *wb);
}
