/*
 * memory.c: the in-memory storage backend ("memory:"): the whole store
 * interface (entries, tiles, checkpoints, metadata, key-value indexes,
 * transactions and nested savepoints) in the process's memory, gone when
 * the handle is closed. The replay engine keeps its state in one (audit,
 * certificate verification, the monitor), and so does the WebAssembly
 * build of the rules, which has no SQLite.
 *
 * Every record lives in one ordered map (a treap keyed by bytes, compared
 * as memcmp then length, the order SQLite's BINARY collation gives), under
 * a key that starts with its table's letter: 'm' name, 'e' index, 't' tile
 * id, 'c' size (indexes big-endian, so byte order is numeric order), 'k'
 * ns NUL key. A write inside a transaction first logs the record's old
 * value (or its absence) in an undo log; a savepoint is a position in that
 * log, rolling back replays the log backwards to it, and commit forgets it.
 * Scans step by key (the next key after the last one seen), so a callback
 * may read, write or scan the store again, as it may with SQLite.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/status.h"
#include "store/store_int.h"

typedef struct node {
	struct node *left, *right;
	uint64_t prio;
	uint8_t *value;
	size_t vlen;
	size_t klen;
	uint8_t key[]; /* klen bytes */
} node;

/* One write's undo record: the key and what it held before (had = 0: no
 * record). The old value is moved here, not copied. */
typedef struct undo {
	uint8_t *key;
	size_t klen;
	uint8_t *old;
	size_t oldlen;
	int had;
} undo;

typedef struct memory_store {
	ot_store base;
	node *root;
	uint64_t seed; /* xorshift state for the treap's priorities */
	undo *log;     /* the open transaction's writes, oldest first */
	size_t nlog, caplog;
	size_t *marks; /* savepoints: positions in the undo log */
	size_t nmarks, capmarks;
} memory_store;

#define M(st) ((memory_store *)(st))

/* A record key longer than any real one (a kv key is a lot or contract id)
 * is refused rather than copied on the stack. */
#define KEY_MAX 4096

static int key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static uint64_t next_prio(memory_store *m)
{
	uint64_t x = m->seed;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return m->seed = x;
}

static node *rotate_right(node *n)
{
	node *l = n->left;
	n->left = l->right;
	l->right = n;
	return l;
}

static node *rotate_left(node *n)
{
	node *r = n->right;
	n->right = r->left;
	r->left = n;
	return r;
}

static node *find(node *n, const uint8_t *key, size_t klen)
{
	while (n) {
		int c = key_cmp(key, klen, n->key, n->klen);
		if (c == 0)
			return n;
		n = c < 0 ? n->left : n->right;
	}
	return NULL;
}

/* Inserts `fresh` (its key absent from the tree). */
static node *insert(node *n, node *fresh)
{
	if (!n)
		return fresh;
	if (key_cmp(fresh->key, fresh->klen, n->key, n->klen) < 0) {
		n->left = insert(n->left, fresh);
		if (n->left->prio > n->prio)
			n = rotate_right(n);
	} else {
		n->right = insert(n->right, fresh);
		if (n->right->prio > n->prio)
			n = rotate_left(n);
	}
	return n;
}

/* Unlinks the node with `key` (present) into *gone. */
static node *unlink_key(node *n, const uint8_t *key, size_t klen, node **gone)
{
	if (!n)
		return NULL;
	int c = key_cmp(key, klen, n->key, n->klen);
	if (c < 0) {
		n->left = unlink_key(n->left, key, klen, gone);
		return n;
	}
	if (c > 0) {
		n->right = unlink_key(n->right, key, klen, gone);
		return n;
	}
	if (!n->left || !n->right) {
		*gone = n;
		return n->left ? n->left : n->right;
	}
	if (n->left->prio > n->right->prio) {
		n = rotate_right(n);
		n->right = unlink_key(n->right, key, klen, gone);
	} else {
		n = rotate_left(n);
		n->left = unlink_key(n->left, key, klen, gone);
	}
	return n;
}

/* The first node whose key is >= key (> key when `after`), or NULL. */
static node *seek(node *n, const uint8_t *key, size_t klen, int after)
{
	node *best = NULL;
	while (n) {
		int c = key_cmp(n->key, n->klen, key, klen);
		if (c > 0 || (c == 0 && !after)) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

/* The last node whose key is < key, or NULL. */
static node *seek_below(node *n, const uint8_t *key, size_t klen)
{
	node *best = NULL;
	while (n) {
		if (key_cmp(n->key, n->klen, key, klen) < 0) {
			best = n;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best;
}

static void free_tree(node *n)
{
	while (n) {
		free_tree(n->left);
		node *r = n->right;
		free(n->value);
		free(n);
		n = r;
	}
}

/* Sets key to the value (moved in; NULL with had = 0 deletes it), without
 * logging. Returns the previous value through old/oldlen/had (moved out). */
static ot_status set_raw(memory_store *m, const uint8_t *key, size_t klen, uint8_t *value,
                         size_t vlen, int present, uint8_t **old, size_t *oldlen, int *had)
{
	node *n = find(m->root, key, klen);
	*had = n != NULL;
	*old = NULL;
	*oldlen = 0;
	if (n && present) {
		*old = n->value;
		*oldlen = n->vlen;
		n->value = value;
		n->vlen = vlen;
		return OT_OK;
	}
	if (n) {
		node *gone = NULL;
		m->root = unlink_key(m->root, key, klen, &gone);
		*old = gone->value;
		*oldlen = gone->vlen;
		free(gone);
		return OT_OK;
	}
	if (!present)
		return OT_OK;
	node *fresh = malloc(sizeof *fresh + klen);
	if (!fresh)
		return OT_ERR_NOMEM;
	memset(fresh, 0, sizeof *fresh);
	memcpy(fresh->key, key, klen);
	fresh->klen = klen;
	fresh->value = value;
	fresh->vlen = vlen;
	fresh->prio = next_prio(m);
	m->root = insert(m->root, fresh);
	return OT_OK;
}

/* Makes room for one more element in *arr (n used of *cap, elem bytes
 * each), doubling from `first`. */
static int reserve(void **arr, size_t n, size_t *cap, size_t elem, size_t first)
{
	if (n < *cap)
		return 0;
	size_t want = *cap ? *cap * 2 : first;
	void *grown = realloc(*arr, want * elem);
	if (!grown)
		return -1;
	*arr = grown;
	*cap = want;
	return 0;
}

/* Writes (present) or deletes a record inside the transaction, logging
 * the old value for rollback. value is copied. */
static ot_status put(memory_store *m, const uint8_t *key, size_t klen, const uint8_t *value,
                     size_t vlen, int present, ot_error *err)
{
	if (reserve((void **)&m->log, m->nlog, &m->caplog, sizeof *m->log, 64))
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory writing the store");
	undo *u = &m->log[m->nlog];
	uint8_t *copy = NULL;
	u->key = malloc(klen ? klen : 1);
	if (present && (copy = malloc(vlen + 1)) != NULL) {
		if (vlen)
			memcpy(copy, value, vlen);
		copy[vlen] = 0;
	}
	if (!u->key || (present && !copy)) {
		free(u->key);
		free(copy);
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory writing the store");
	}
	memcpy(u->key, key, klen);
	u->klen = klen;
	if (set_raw(m, key, klen, copy, vlen, present, &u->old, &u->oldlen, &u->had)) {
		free(u->key);
		free(copy);
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory writing the store");
	}
	m->nlog++;
	return OT_OK;
}

/* Undoes the log back to position `to`. Restoring never allocates a key
 * that was not there (a deleted record's node is re-created, which can
 * fail only if memory is gone; the record is then lost with the store). */
static void undo_to(memory_store *m, size_t to)
{
	while (m->nlog > to) {
		undo *u = &m->log[--m->nlog];
		uint8_t *cur = NULL;
		size_t curlen;
		int had;
		if (set_raw(m, u->key, u->klen, u->old, u->oldlen, u->had, &cur, &curlen, &had))
			free(u->old);
		free(cur);
		free(u->key);
	}
}

static void forget_log(memory_store *m)
{
	for (size_t i = 0; i < m->nlog; i++) {
		free(m->log[i].key);
		free(m->log[i].old);
	}
	m->nlog = 0;
	m->nmarks = 0;
}

/* Copies a record's value into a new buffer with a trailing NUL. */
static ot_status copy_out(const node *n, size_t skip, uint8_t **data, size_t *len, ot_error *err)
{
	size_t vlen = n->vlen - skip;
	uint8_t *b = malloc(vlen + 1);
	if (!b)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory reading the store");
	if (vlen)
		memcpy(b, n->value + skip, vlen);
	b[vlen] = 0;
	*data = b;
	*len = vlen;
	return OT_OK;
}

/* Record keys. */
static size_t num_key(uint8_t key[9], char table, uint64_t v)
{
	key[0] = (uint8_t)table;
	for (int i = 0; i < 8; i++)
		key[1 + i] = (uint8_t)(v >> (56 - 8 * i));
	return 9;
}

static uint64_t key_num(const node *n)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | n->key[1 + i];
	return v;
}

/* 't' tile id, 'm' name or 'k' ns NUL key into buf (KEY_MAX bytes). */
static int text_key(uint8_t *buf, char table, const char *ns, const char *key, size_t *klen)
{
	size_t nslen = ns ? strlen(ns) + 1 : 0, len = strlen(key);
	if (1 + nslen + len > KEY_MAX)
		return -1;
	buf[0] = (uint8_t)table;
	if (ns)
		memcpy(buf + 1, ns, nslen);
	memcpy(buf + 1 + nslen, key, len);
	*klen = 1 + nslen + len;
	return 0;
}

/* --- the backend's operations --- */

static void m_close(ot_store *st)
{
	memory_store *m = M(st);
	forget_log(m);
	free(m->log);
	free(m->marks);
	free_tree(m->root);
	free(m);
}

static ot_status m_check(ot_store *st, ot_error *err)
{
	(void)st;
	(void)err;
	return OT_OK;
}

static ot_status m_read_begin(ot_store *st, ot_error *err)
{
	/* One handle, one thread: nothing else can write under the reader. */
	(void)st;
	(void)err;
	return OT_OK;
}

static void m_read_end(ot_store *st)
{
	(void)st;
}

static ot_status m_begin(ot_store *st, ot_error *err)
{
	(void)err;
	forget_log(M(st));
	return OT_OK;
}

static ot_status m_commit(ot_store *st, ot_error *err)
{
	(void)err;
	forget_log(M(st));
	return OT_OK;
}

static void m_rollback(ot_store *st)
{
	memory_store *m = M(st);
	undo_to(m, 0);
	m->nmarks = 0;
}

static ot_status m_savepoint(ot_store *st, ot_error *err)
{
	memory_store *m = M(st);
	if (reserve((void **)&m->marks, m->nmarks, &m->capmarks, sizeof *m->marks, 8))
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory taking a savepoint");
	m->marks[m->nmarks++] = m->nlog;
	return OT_OK;
}

static ot_status m_release(ot_store *st, ot_error *err)
{
	(void)err;
	M(st)->nmarks--; /* the work stays in the log, for an outer rollback */
	return OT_OK;
}

static ot_status m_rollback_to(ot_store *st, ot_error *err)
{
	(void)err;
	memory_store *m = M(st);
	undo_to(m, m->marks[--m->nmarks]);
	return OT_OK;
}

static ot_status m_get_meta(ot_store *st, const char *name, char **value, ot_error *err)
{
	uint8_t key[KEY_MAX];
	size_t klen;
	node *n = text_key(key, 'm', NULL, name, &klen) ? NULL : find(M(st)->root, key, klen);
	if (!n)
		return ot_error_set(err, OT_ERR_NOTFOUND, "no metadata \"%s\"", name);
	size_t len;
	return copy_out(n, 0, (uint8_t **)value, &len, err);
}

static ot_status m_set_meta(ot_store *st, const char *name, const char *value, ot_error *err)
{
	uint8_t key[KEY_MAX];
	size_t klen;
	if (text_key(key, 'm', NULL, name, &klen))
		return ot_error_set(err, OT_ERR_TOOBIG, "metadata name too long");
	return put(M(st), key, klen, (const uint8_t *)value, strlen(value), 1, err);
}

static ot_status m_entry_count(ot_store *st, uint64_t *count, ot_error *err)
{
	(void)err;
	const uint8_t next_table = 'e' + 1;
	node *n = seek_below(M(st)->root, &next_table, 1);
	*count = n && n->key[0] == 'e' ? key_num(n) + 1 : 0;
	return OT_OK;
}

static ot_status m_put_entry(ot_store *st, uint64_t index, const uint8_t *data, size_t len,
                             ot_error *err)
{
	uint8_t key[9];
	size_t klen = num_key(key, 'e', index);
	if (index > INT64_MAX)
		return ot_error_set(err, OT_ERR_RANGE, "entry %llu out of range",
		                    (unsigned long long)index);
	if (find(M(st)->root, key, klen))
		return ot_error_set(err, OT_ERR_EXISTS, "entry %llu already exists",
		                    (unsigned long long)index);
	return put(M(st), key, klen, data, len, 1, err);
}

static ot_status m_get_entry(ot_store *st, uint64_t index, uint8_t **data, size_t *len,
                             ot_error *err)
{
	uint8_t key[9];
	node *n = find(M(st)->root, key, num_key(key, 'e', index));
	if (!n)
		return ot_error_set(err, OT_ERR_NOTFOUND, "no entry %llu",
		                    (unsigned long long)index);
	return copy_out(n, 0, data, len, err);
}

/* Copies a node's key and value aside, for a callback that may change
 * the store under them. */
typedef struct scratch {
	uint8_t *buf;
	size_t cap;
} scratch;

static uint8_t *hold(scratch *s, const node *n, ot_error *err)
{
	size_t need = n->klen + 1 + n->vlen + 1;
	if (need > s->cap) {
		uint8_t *grown = realloc(s->buf, need);
		if (!grown) {
			ot_error_set(err, OT_ERR_NOMEM, "out of memory scanning the store");
			return NULL;
		}
		s->buf = grown;
		s->cap = need;
	}
	memcpy(s->buf, n->key, n->klen);
	s->buf[n->klen] = 0;
	if (n->vlen)
		memcpy(s->buf + n->klen + 1, n->value, n->vlen);
	s->buf[n->klen + 1 + n->vlen] = 0;
	return s->buf;
}

static ot_status m_scan_entries(ot_store *st, uint64_t start, uint64_t count, ot_entry_cb cb,
                                void *ctx, ot_error *err)
{
	if (start > INT64_MAX || count > (uint64_t)INT64_MAX - start)
		return ot_error_set(err, OT_ERR_RANGE, "entry range out of range");
	scratch s = {NULL, 0};
	ot_status rc = OT_OK;
	for (uint64_t i = start; i < start + count && !rc; i++) {
		uint8_t key[9];
		node *n = find(M(st)->root, key, num_key(key, 'e', i));
		if (!n) {
			rc = ot_error_at(err, OT_ERR_CORRUPT, "entry_missing", (int64_t)i,
			                 "memory: entry %llu is missing from the store",
			                 (unsigned long long)i);
			break;
		}
		uint8_t *b = hold(&s, n, err);
		size_t len = n->vlen;
		rc = b ? cb(ctx, i, b + 10, len) : OT_ERR_NOMEM;
	}
	free(s.buf);
	return rc;
}

static uint64_t tile_id(int level, uint64_t index)
{
	return (uint64_t)level << 56 | index;
}

static ot_status m_put_tile(ot_store *st, int level, uint64_t index, unsigned width,
                            const uint8_t *data, size_t len, ot_error *err)
{
	if (level < 0 || level > 7 || index >> 56 || len > SIZE_MAX - 4)
		return ot_error_set(err, OT_ERR_RANGE, "tile %d/%llu out of range", level,
		                    (unsigned long long)index);
	uint8_t *v = malloc(4 + len);
	if (!v)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory writing a tile");
	for (int i = 0; i < 4; i++)
		v[i] = (uint8_t)(width >> (24 - 8 * i));
	memcpy(v + 4, data, len);
	uint8_t key[9];
	ot_status rc =
		put(M(st), key, num_key(key, 't', tile_id(level, index)), v, 4 + len, 1, err);
	free(v);
	return rc;
}

static ot_status m_get_tile(ot_store *st, int level, uint64_t index, unsigned *width,
                            uint8_t **data, size_t *len, ot_error *err)
{
	uint8_t key[9];
	node *n = level < 0 || level > 7 || index >> 56
	                  ? NULL
	                  : find(M(st)->root, key, num_key(key, 't', tile_id(level, index)));
	if (!n)
		return ot_error_set(err, OT_ERR_NOTFOUND, "no tile %d/%llu", level,
		                    (unsigned long long)index);
	*width = (unsigned)n->value[0] << 24 | (unsigned)n->value[1] << 16 |
	         (unsigned)n->value[2] << 8 | n->value[3];
	return copy_out(n, 4, data, len, err);
}

static ot_status m_put_checkpoint(ot_store *st, uint64_t size, const char *note, size_t len,
                                  ot_error *err)
{
	uint8_t key[9];
	if (size > INT64_MAX)
		return ot_error_set(err, OT_ERR_RANGE, "checkpoint out of range");
	return put(M(st), key, num_key(key, 'c', size), (const uint8_t *)note, len, 1, err);
}

static ot_status m_get_checkpoint(ot_store *st, uint64_t *size, char **note, size_t *len,
                                  ot_error *err)
{
	const uint8_t next_table = 'c' + 1;
	node *n = seek_below(M(st)->root, &next_table, 1);
	if (!n || n->key[0] != 'c')
		return ot_error_set(err, OT_ERR_NOTFOUND,
		                    "memory: no checkpoint has been published");
	*size = key_num(n);
	return copy_out(n, 0, (uint8_t **)note, len, err);
}

static ot_status m_kv_put(ot_store *st, const char *ns, const char *key, const uint8_t *value,
                          size_t len, ot_error *err)
{
	uint8_t k[KEY_MAX];
	size_t klen;
	if (text_key(k, 'k', ns, key, &klen))
		return ot_error_set(err, OT_ERR_TOOBIG, "index key too long");
	return put(M(st), k, klen, value, len, 1, err);
}

static ot_status m_kv_get(ot_store *st, const char *ns, const char *key, uint8_t **value,
                          size_t *len, ot_error *err)
{
	uint8_t k[KEY_MAX];
	size_t klen;
	node *n = text_key(k, 'k', ns, key, &klen) ? NULL : find(M(st)->root, k, klen);
	if (!n)
		return ot_error_set(err, OT_ERR_NOTFOUND, "no %s \"%s\"", ns, key);
	return copy_out(n, 0, value, len, err);
}

static ot_status m_kv_del(ot_store *st, const char *ns, const char *key, ot_error *err)
{
	uint8_t k[KEY_MAX];
	size_t klen;
	if (text_key(k, 'k', ns, key, &klen) || !find(M(st)->root, k, klen))
		return OT_OK;
	return put(M(st), k, klen, NULL, 0, 0, err);
}

static ot_status m_kv_scan(ot_store *st, const char *ns, const char *prefix, ot_kv_cb cb, void *ctx,
                           ot_error *err)
{
	uint8_t k[KEY_MAX];
	size_t plen;
	if (text_key(k, 'k', ns, prefix, &plen))
		return OT_OK; /* no key is that long */
	scratch s = {NULL, 0};
	ot_status rc = OT_OK;
	size_t klen = plen;
	int after = 0;
	node *n;
	while ((n = seek(M(st)->root, k, klen, after)) != NULL && n->klen >= plen &&
	       memcmp(n->key, k, plen) == 0) {
		if (n->klen > KEY_MAX) /* cannot happen: kv_put refuses such keys */
			break;
		memcpy(k, n->key, n->klen);
		klen = n->klen;
		after = 1;
		uint8_t *b = hold(&s, n, err);
		if (!b) {
			rc = OT_ERR_NOMEM;
			break;
		}
		size_t skip = plen - strlen(prefix); /* 'k' ns NUL */
		if ((rc = cb(ctx, (const char *)b + skip, b + klen + 1, n->vlen)))
			break;
	}
	free(s.buf);
	return rc;
}

static const otx_store_ops MEMORY_OPS = {
	.name = "memory",
	.close = m_close,
	.check = m_check,
	.read_begin = m_read_begin,
	.read_end = m_read_end,
	.begin = m_begin,
	.commit = m_commit,
	.rollback = m_rollback,
	.savepoint = m_savepoint,
	.release = m_release,
	.rollback_to = m_rollback_to,
	.get_meta = m_get_meta,
	.set_meta = m_set_meta,
	.entry_count = m_entry_count,
	.put_entry = m_put_entry,
	.get_entry = m_get_entry,
	.scan_entries = m_scan_entries,
	.put_tile = m_put_tile,
	.get_tile = m_get_tile,
	.put_checkpoint = m_put_checkpoint,
	.get_checkpoint = m_get_checkpoint,
	.kv_put = m_kv_put,
	.kv_get = m_kv_get,
	.kv_del = m_kv_del,
	.kv_scan = m_kv_scan,
};

int otx_memory_location(const char *location)
{
	return strcmp(location, OT_STORE_MEMORY) == 0;
}

ot_status otx_memory_open(int flags, ot_store **out, ot_error *err)
{
	memory_store *m = calloc(1, sizeof *m);
	if (!m)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory opening a memory store");
	m->base.ops = &MEMORY_OPS;
	m->base.readonly = (flags & OT_STORE_READONLY) != 0;
	m->seed = 0x9e3779b97f4a7c15ull;
	*out = &m->base;
	return OT_OK;
}
