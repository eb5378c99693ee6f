/*
 * state.c: reading and writing the ledger's JSON records (see state.h), and
 * the batch-scoped record overlay in front of them.
 *
 * While a batch is applied, the records the rules read and write stay
 * parsed in a hash table in front of the store: a get copies the held
 * object instead of parsing the stored bytes, a put replaces it and marks it
 * dirty, and each dirty record is serialised and written once: when the
 * batch ends, when the table passes its cap between events, or when someone
 * reads the store directly (the store's front, store.h: a key read, a
 * namespace scan, a raw write, a commit). Each event runs between an undo
 * mark and its release or rollback: every change of an entry inside it is
 * logged with the entry's previous state, so that a rejected event leaves
 * the table as it found it, while the store's own savepoint undoes whatever
 * reached the store meanwhile.
 */
#include "ledger/state.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/batch.h"
#include "oretrail/buf.h"
#include "oretrail/status.h"

const char *const otx_state_namespaces[] = {
	OTX_NS_ACTOR,
	OTX_NS_SITE,
	OTX_NS_LOT,
	OTX_NS_LOT_EVENT,
	OTX_NS_ANCESTRY,
	OTX_NS_EVENT_ID,
	OTX_NS_CONTRACT,
	OTX_NS_CONSIGNMENT,
	OTX_NS_DISCLOSURE,
	OTX_NS_PAYMENT,
	OTX_NS_RECEIPT,
	OTX_NS_FINDING,
	NULL,
};

void otx_index_key(char out[OTX_INDEX_KEY_LEN], uint64_t index)
{
	snprintf(out, OTX_INDEX_KEY_LEN, "%020" PRIu64, index);
}

typedef struct ov_entry {
	struct ov_entry *next; /* hash chain */
	json_t *rec;           /* the record (a reference); NULL: not held, ask the store; a
	                          string: the bytes themselves (otx_state_put_raw) */
	unsigned char dirty;   /* rec is newer than the stored bytes */
	unsigned char listed;  /* in the overlay's dirty list */
	uint32_t hash;
	char *sealed;    /* OT_OVERLAY_CHECK: rec as put by otx_state_put_final */
	char *text;      /* rec serialised ahead of the final flush (otx_overlay_end), */
	size_t text_len; /* of this length */
	const char *key; /* points into name, after ns */
	char name[];     /* ns NUL key NUL */
} ov_entry;

/* An entry's state before a change made inside an event. */
typedef struct ov_undo {
	ov_entry *e;
	json_t *rec; /* the reference it held */
	unsigned char dirty;
} ov_undo;

struct otx_overlay {
	ot_store *st;
	ov_entry **slots;
	size_t nslots, nentries, cap;
	ov_entry **dirty; /* entries that may be dirty, in the order they became so */
	size_t ndirty, dirtycap;
	ov_undo *undo;
	size_t nundo, undocap;
	size_t *marks; /* the undo log's length at each open event */
	size_t nmarks, markcap;
	int self;     /* the overlay itself is calling the store */
	int serial;   /* start no thread (otx_overlay_begin) */
	int hold_raw; /* hold otx_state_put_raw's bytes (not in memory stores) */
};

static atomic_size_t default_cap = OTX_OVERLAY_CAP;

void otx_overlay_set_default_cap(size_t cap)
{
	atomic_store(&default_cap, cap ? cap : (size_t)OTX_OVERLAY_CAP);
}

static uint32_t name_hash(const char *ns, const char *key)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)ns; *p; p++)
		h = (h ^ *p) * 16777619u;
	h = (h ^ 0xffu) * 16777619u; /* the separator: no ns+key pair collides by shifting */
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

/* OT_OVERLAY_CHECK set (not "0"; the test suite sets it): a record given
 * to otx_state_put_final is serialised at the put and again when the
 * overlay next writes, replaces or drops it; a difference means its caller
 * changed it afterwards, against put_final's contract, and aborts, naming
 * the record. Costs two serialisations per such put; off by default. */
static int check_mode(void)
{
	static atomic_int mode = -1;
	int m = atomic_load(&mode);
	if (m < 0) {
		const char *v = getenv("OT_OVERLAY_CHECK");
		m = v && *v && strcmp(v, "0") != 0;
		atomic_store(&mode, m);
	}
	return m;
}

/* Checks (and forgets) e's seal, before its record is written, replaced or
 * dropped. */
static void unseal(ov_entry *e)
{
	if (!e->sealed)
		return;
	char *now = otx_state_dump(e->rec);
	if (!now || strcmp(now, e->sealed) != 0) {
		fprintf(stderr,
		        "oretrail: OT_OVERLAY_CHECK: the %s record \"%s\" was changed after "
		        "otx_state_put_final\n  put:  %s\n  now:  %s\n",
		        e->name, e->key, e->sealed, now ? now : "(not serialisable)");
		abort();
	}
	free(now);
	free(e->sealed);
	e->sealed = NULL;
}

static ov_entry *find(const otx_overlay *ov, const char *ns, const char *key, uint32_t h)
{
	for (ov_entry *e = ov->slots[h & (ov->nslots - 1)]; e; e = e->next)
		if (e->hash == h && !strcmp(e->key, key) && !strcmp(e->name, ns))
			return e;
	return NULL;
}

static ot_status grow(otx_overlay *ov, ot_error *err)
{
	size_t n = ov->nslots * 2;
	ov_entry **slots = calloc(n, sizeof *slots);
	if (!slots)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < ov->nslots; i++) {
		for (ov_entry *e = ov->slots[i], *next; e; e = next) {
			next = e->next;
			e->next = slots[e->hash & (n - 1)];
			slots[e->hash & (n - 1)] = e;
		}
	}
	free(ov->slots);
	ov->slots = slots;
	ov->nslots = n;
	return OT_OK;
}

/* The entry of (ns, key), made (not held) when absent. */
static ot_status entry(otx_overlay *ov, const char *ns, const char *key, ov_entry **out,
                       ot_error *err)
{
	uint32_t h = name_hash(ns, key);
	ov_entry *e = find(ov, ns, key, h);
	if (e) {
		*out = e;
		return OT_OK;
	}
	if (ov->nentries >= ov->nslots && grow(ov, err))
		return OT_ERR_NOMEM;
	size_t nl = strlen(ns), kl = strlen(key);
	e = malloc(sizeof *e + nl + kl + 2);
	if (!e)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	memcpy(e->name, ns, nl + 1);
	memcpy(e->name + nl + 1, key, kl + 1);
	e->key = e->name + nl + 1;
	e->rec = NULL;
	e->dirty = 0;
	e->listed = 0;
	e->sealed = NULL;
	e->text = NULL;
	e->text_len = 0;
	e->hash = h;
	e->next = ov->slots[h & (ov->nslots - 1)];
	ov->slots[h & (ov->nslots - 1)] = e;
	ov->nentries++;
	*out = e;
	return OT_OK;
}

static ot_status list_dirty(otx_overlay *ov, ov_entry *e, ot_error *err)
{
	if (e->listed)
		return OT_OK;
	if (ov->ndirty == ov->dirtycap) {
		size_t n = ov->dirtycap ? ov->dirtycap * 2 : 64;
		ov_entry **d = realloc(ov->dirty, n * sizeof *d);
		if (!d)
			return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		ov->dirty = d;
		ov->dirtycap = n;
	}
	ov->dirty[ov->ndirty++] = e;
	e->listed = 1;
	return OT_OK;
}

/* Sets the entry's record (taking the reference rec) and dirty flag,
 * logging its previous state when an event is open. */
static ot_status change(otx_overlay *ov, ov_entry *e, json_t *rec, int dirty, ot_error *err)
{
	if (rec != e->rec)
		unseal(e);
	if (ov->nmarks) {
		if (ov->nundo == ov->undocap) {
			size_t n = ov->undocap ? ov->undocap * 2 : 64;
			ov_undo *u = realloc(ov->undo, n * sizeof *u);
			if (!u) {
				json_decref(rec);
				return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
			}
			ov->undo = u;
			ov->undocap = n;
		}
		ov->undo[ov->nundo++] = (ov_undo){e, e->rec, e->dirty};
	} else {
		json_decref(e->rec);
	}
	e->rec = rec;
	e->dirty = (unsigned char)dirty;
	if (dirty && list_dirty(ov, e, err))
		return OT_ERR_NOMEM;
	return OT_OK;
}

/* The bytes of e's record, as stored (malloc'ed, *len; NULL when out of
 * memory or not serialisable): a raw entry's own, else otx_state_dump's. */
static char *entry_text(const ov_entry *e, size_t *len)
{
	if (json_is_string(e->rec)) {
		*len = json_string_length(e->rec);
		char *t = malloc(*len + 1);
		if (t)
			memcpy(t, json_string_value(e->rec), *len + 1);
		return t;
	}
	char *t = otx_state_dump(e->rec);
	*len = t ? strlen(t) : 0;
	return t;
}

/* Writes one dirty entry to the store and marks it clean. */
static ot_status write_entry(otx_overlay *ov, ov_entry *e, ot_error *err)
{
	unseal(e);
	size_t len = e->text_len;
	char *text = e->text ? e->text : entry_text(e, &len);
	e->text = NULL;
	if (!text)
		return ot_error_set(err, OT_ERR_NOMEM, "cannot serialise the %s record \"%s\"",
		                    e->name, e->key);
	ov->self = 1;
	ot_status rc = ot_store_kv_put(ov->st, e->name, e->key, (const uint8_t *)text, len, err);
	ov->self = 0;
	free(text);
	return rc ? rc : change(ov, e, json_incref(e->rec), 0, err);
}

/* Writes the dirty entries of ns (NULL: all), in the order they became
 * dirty, and, between events, drops the clean ones from the list (inside
 * one they stay: its undo may make them dirty again). */
static ot_status flush(otx_overlay *ov, const char *ns, ot_error *err)
{
	ot_status rc = OT_OK;
	size_t kept = 0;
	for (size_t i = 0; i < ov->ndirty; i++) {
		ov_entry *e = ov->dirty[i];
		if (!rc && e->dirty && (!ns || !strcmp(e->name, ns)))
			rc = write_entry(ov, e, err);
		if (e->dirty || ov->nmarks)
			ov->dirty[kept++] = e;
		else
			e->listed = 0;
	}
	ov->ndirty = kept;
	return rc;
}

static void drop_undo(otx_overlay *ov, size_t to)
{
	while (ov->nundo > to)
		json_decref(ov->undo[--ov->nundo].rec);
}

/* Forgets every entry (pending ones included). */
static void clear(otx_overlay *ov)
{
	drop_undo(ov, 0);
	ov->nmarks = 0;
	ov->ndirty = 0;
	for (size_t i = 0; i < ov->nslots; i++) {
		for (ov_entry *e = ov->slots[i], *next; e; e = next) {
			next = e->next;
			unseal(e);
			json_decref(e->rec);
			free(e->text); /* left by a failed flush */
			free(e);
		}
		ov->slots[i] = NULL;
	}
	ov->nentries = 0;
}

/* The store's front (store.h): what the store is about to do. */
static ot_status on_store(void *ctx, ot_front_op op, const char *ns, const char *key, ot_error *err)
{
	otx_overlay *ov = ctx;
	if (ov->self)
		return OT_OK;
	ov_entry *e = NULL;
	switch (op) {
	case OT_FRONT_READ:
		e = find(ov, ns, key, name_hash(ns, key));
		return e && e->dirty ? write_entry(ov, e, err) : OT_OK;
	case OT_FRONT_SCAN: return flush(ov, ns, err);
	case OT_FRONT_WRITE:
		e = find(ov, ns, key, name_hash(ns, key));
		return e && e->rec ? change(ov, e, NULL, 0, err) : OT_OK;
	case OT_FRONT_COMMIT: return flush(ov, NULL, err);
	case OT_FRONT_ROLLBACK: clear(ov); return OT_OK;
	}
	return OT_OK;
}

static otx_overlay *overlay_of(ot_store *st)
{
	return ot_store_front(st, on_store);
}

ot_status otx_overlay_begin(ot_store *st, int serial, otx_overlay **out, ot_error *err)
{
	*out = NULL;
	if (overlay_of(st))
		return ot_error_set(err, OT_ERR_ARG, "the store already has a record overlay");
	otx_overlay *ov = calloc(1, sizeof *ov);
	if (ov) {
		ov->nslots = 256;
		ov->slots = calloc(ov->nslots, sizeof *ov->slots);
	}
	if (!ov || !ov->slots) {
		free(ov);
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	}
	ov->st = st;
	ov->serial = serial;
	/* A memory store writes and rolls back a few bytes for less than
	 * holding them costs; a database's savepoint is what holding saves. */
	ov->hold_raw = strcmp(ot_store_backend(st), "memory") != 0;
	ov->cap = atomic_load(&default_cap);
	ot_store_set_front(st, on_store, ov);
	*out = ov;
	return OT_OK;
}

/* Undoes the changes of the innermost open event. */
static void undo_event(otx_overlay *ov)
{
	size_t to = ov->marks[--ov->nmarks];
	while (ov->nundo > to) {
		ov_undo *u = &ov->undo[--ov->nundo];
		unseal(u->e);
		json_decref(u->e->rec);
		u->e->rec = u->rec;
		u->e->dirty = u->dirty;
		/* Does nothing: an entry dirty before the event stays listed
		 * until a flush between events finds it clean. */
		if (u->e->dirty && !u->e->listed)
			list_dirty(ov, u->e, NULL);
	}
}

/* otx_parallel_for's step at the end of an overlay: checks entry i's seal,
 * serialises its record if pending, and drops the record (kept if it could
 * not be serialised: the flush then tries again and reports it). Each
 * step touches its own entry only, so they go on every core at once
 * (jansson counts references atomically, for records that share a value). */
static void finish_entry(void *ctx, size_t i)
{
	ov_entry *e = ((ov_entry **)ctx)[i];
	unseal(e);
	if (e->dirty && e->rec)
		e->text = entry_text(e, &e->text_len);
	if (!e->dirty || e->text) {
		json_decref(e->rec);
		e->rec = NULL;
	}
}

/* write_all's consumer: writes the pending entries among the first
 * `pending` of `all` (the dirty list's order), each once finish_entry has
 * serialised it; the others were only to be dropped. */
typedef struct pending_write {
	otx_overlay *ov;
	ov_entry **all;
	size_t pending;
	ot_error *err;
} pending_write;

static ot_status write_pending(void *ctx, size_t i)
{
	pending_write *w = ctx;
	ov_entry *e = w->all[i];
	return i < w->pending && e->dirty ? write_entry(w->ov, e, w->err) : OT_OK;
}

/* Writes every pending record and forgets every entry, at the cap between
 * events and at the end (no event is open). Serialising and freeing the
 * records is most of the cost: it goes on every core, the pending ones
 * first in the order they became dirty, and this thread writes each to
 * the store (one connection) as soon as it is serialised. Without room
 * for the list, the flush does it all on this thread. */
static ot_status write_all(otx_overlay *ov, ot_error *err)
{
	drop_undo(ov, 0);
	ov_entry **all = malloc((ov->nentries ? ov->nentries : 1) * sizeof *all);
	size_t n = 0, pending = 0;
	ot_status rc = OT_OK;
	for (size_t i = 0; all && i < ov->ndirty; i++)
		if (ov->dirty[i]->dirty)
			all[pending++] = ov->dirty[i];
	n = pending;
	for (size_t i = 0; all && i < ov->nslots; i++)
		for (ov_entry *e = ov->slots[i]; e; e = e->next)
			if (!(e->listed && e->dirty))
				all[n++] = e;
	if (all) {
		pending_write w = {ov, all, pending, err};
		rc = otx_parallel_ordered(n, OTX_PARALLEL_LIGHT, ov->serial, finish_entry, all,
		                          write_pending, &w);
	}
	free(all);
	if (!rc)
		rc = flush(ov, NULL, err);
	clear(ov);
	return rc;
}

ot_status otx_overlay_end(otx_overlay *ov, ot_error *err)
{
	if (!ov)
		return OT_OK;
	/* Events left open by a failure are not written, as the store's
	 * savepoints are not kept. */
	while (ov->nmarks)
		undo_event(ov);
	ot_status rc = write_all(ov, err);
	ot_store_set_front(ov->st, NULL, NULL);
	free(ov->slots);
	free(ov->dirty);
	free(ov->undo);
	free(ov->marks);
	free(ov);
	return rc;
}

size_t otx_overlay_held(ot_store *st)
{
	otx_overlay *ov = overlay_of(st);
	size_t n = 0;
	for (size_t i = 0; ov && i < ov->nslots; i++)
		for (const ov_entry *e = ov->slots[i]; e; e = e->next)
			n += e->rec != NULL;
	return n;
}

size_t otx_overlay_pending(ot_store *st)
{
	otx_overlay *ov = overlay_of(st);
	size_t n = 0;
	for (size_t i = 0; ov && i < ov->ndirty; i++)
		n += ov->dirty[i]->dirty;
	return n;
}

/* Between events, past the cap: writes everything and starts empty. */
static ot_status bound(otx_overlay *ov, ot_error *err)
{
	if (ov->nmarks || ov->nentries <= ov->cap)
		return OT_OK;
	return write_all(ov, err);
}

static int entry_cmp(const void *a, const void *b)
{
	const ov_entry *x = *(const ov_entry *const *)a, *y = *(const ov_entry *const *)b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->key, y->key);
}

char *otx_overlay_describe(ot_store *st)
{
	otx_overlay *ov = overlay_of(st);
	size_t n = 0, k = 0;
	ov_entry **v = malloc(((ov ? ov->nentries : 0) + 1) * sizeof *v);
	ot_buf b;
	ot_buf_init(&b, 0);
	for (size_t i = 0; v && ov && i < ov->nslots; i++)
		for (ov_entry *e = ov->slots[i]; e; e = e->next)
			if (e->rec)
				v[n++] = e;
	if (v)
		qsort(v, n, sizeof *v, entry_cmp);
	ot_status rc = v ? OT_OK : OT_ERR_NOMEM;
	for (k = 0; !rc && k < n; k++) {
		size_t len = 0;
		char *text = entry_text(v[k], &len);
		rc = text ? ot_buf_printf(&b, "%s %s %s %s\n", v[k]->name, v[k]->key,
		                          v[k]->dirty ? "pending" : "held", text)
		          : OT_ERR_NOMEM;
		free(text);
	}
	free(v);
	uint8_t *out = NULL;
	size_t len = 0;
	if (!rc)
		rc = ot_buf_addc(&b, '\0');
	if (rc) {
		ot_buf_free(&b);
		return NULL;
	}
	ot_buf_detach(&b, &out, &len);
	return (char *)out;
}

ot_status otx_state_scan_stored(ot_store *st, const char *ns, ot_kv_cb cb, void *ctx, ot_error *err)
{
	otx_overlay *ov = overlay_of(st);
	if (ov)
		ov->self = 1;
	ot_status rc = ot_store_kv_scan(st, ns, "", cb, ctx, err);
	if (ov)
		ov->self = 0;
	return rc;
}

ot_status otx_state_savepoint(ot_store *st, ot_error *err)
{
	ot_status rc = ot_store_savepoint(st, err);
	otx_overlay *ov = overlay_of(st);
	if (rc || !ov)
		return rc;
	if (ov->nmarks == ov->markcap) {
		size_t n = ov->markcap ? ov->markcap * 2 : 8;
		size_t *m = realloc(ov->marks, n * sizeof *m);
		if (!m) {
			ot_store_rollback_to(st, NULL);
			return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		}
		ov->marks = m;
		ov->markcap = n;
	}
	ov->marks[ov->nmarks++] = ov->nundo;
	return OT_OK;
}

ot_status otx_state_release(ot_store *st, ot_error *err)
{
	ot_status rc = ot_store_release(st, err);
	otx_overlay *ov = overlay_of(st);
	if (rc || !ov || !ov->nmarks)
		return rc;
	/* An enclosing event still needs the log to undo this one with it. */
	if (--ov->nmarks == 0)
		drop_undo(ov, 0);
	return bound(ov, err);
}

ot_status otx_state_rollback_to(ot_store *st, ot_error *err)
{
	ot_status rc = ot_store_rollback_to(st, err);
	otx_overlay *ov = overlay_of(st);
	if (!ov || !ov->nmarks)
		return rc;
	undo_event(ov);
	return rc ? rc : bound(ov, err);
}

/* otx_state_get and, shared, otx_state_peek. */
static ot_status get(ot_store *st, const char *ns, const char *key, int shared, json_t **out,
                     ot_error *err)
{
	otx_overlay *ov = overlay_of(st);
	ov_entry *e = NULL;
	*out = NULL;
	if (ov) {
		e = find(ov, ns, key, name_hash(ns, key));
		/* Bytes put raw are read as the store has them, written first. */
		int raw = e && json_is_string(e->rec);
		ot_status wrc = raw && e->dirty ? write_entry(ov, e, err) : OT_OK;
		if (wrc)
			return wrc;
		if (e && e->rec && !raw) {
			/* A reader promises not to change it: sealed, in check mode,
			 * as a put_final record is. */
			if (shared && check_mode() && !e->sealed)
				e->sealed = otx_state_dump(e->rec);
			*out = shared ? json_incref(e->rec) : otx_json_copy(e->rec);
			return *out ? OT_OK : ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		}
		ov->self = 1;
	}
	uint8_t *data = NULL;
	size_t len = 0;
	ot_status rc = ot_store_kv_get(st, ns, key, &data, &len, NULL);
	if (rc && rc != OT_ERR_NOTFOUND) {
		/* Ask again for the message: the first call kept err clean for
		 * the common "absent" case. */
		rc = ot_store_kv_get(st, ns, key, &data, &len, err);
	}
	if (ov)
		ov->self = 0;
	if (rc)
		return rc;
	json_error_t jerr;
	json_t *rec = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &jerr);
	free(data);
	if (!rec || !json_is_object(rec)) {
		json_decref(rec);
		return ot_error_set(err, OT_ERR_CORRUPT,
		                    "the %s record \"%s\" is not a JSON object", ns, key);
	}
	if (ov) {
		/* Held as read; the caller gets its own copy, or shares it. */
		json_t *copy = shared ? json_incref(rec) : otx_json_copy(rec);
		if (!copy || (rc = entry(ov, ns, key, &e, err)) ||
		    (rc = change(ov, e, json_incref(rec), 0, err))) {
			json_decref(copy);
			json_decref(rec);
			return rc ? rc : ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		}
		json_decref(rec);
		rec = copy;
	}
	*out = rec;
	return OT_OK;
}

ot_status otx_state_get(ot_store *st, const char *ns, const char *key, json_t **out, ot_error *err)
{
	return get(st, ns, key, 0, out, err);
}

ot_status otx_state_peek(ot_store *st, const char *ns, const char *key, json_t **out, ot_error *err)
{
	return get(st, ns, key, 1, out, err);
}

ot_status otx_state_has(ot_store *st, const char *ns, const char *key, int *found, ot_error *err)
{
	otx_overlay *ov = overlay_of(st);
	*found = 0;
	if (ov) {
		const ov_entry *e = find(ov, ns, key, name_hash(ns, key));
		if (e && e->rec) {
			*found = 1;
			return OT_OK;
		}
		ov->self = 1;
	}
	uint8_t *data = NULL;
	size_t len = 0;
	ot_status rc = ot_store_kv_get(st, ns, key, &data, &len, NULL);
	free(data);
	if (rc && rc != OT_ERR_NOTFOUND) { /* again, for the message */
		data = NULL;
		rc = ot_store_kv_get(st, ns, key, &data, &len, err);
		free(data);
	}
	if (ov)
		ov->self = 0;
	if (rc == OT_ERR_NOTFOUND)
		return OT_OK;
	if (rc)
		return rc;
	*found = 1;
	return OT_OK;
}

/* The flags whose output otx_state_dump reproduces. */
#define DUMP_FLAGS (JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII)

static const char HEX[] = "0123456789ABCDEF";

static ot_status dump_u16(ot_buf *b, uint32_t u)
{
	char seq[6] = {'\\',       'u', HEX[(u >> 12) & 15], HEX[(u >> 8) & 15], HEX[(u >> 4) & 15],
	               HEX[u & 15]};
	return ot_buf_add(b, seq, sizeof seq);
}

/* The code point of the UTF-8 sequence at s[0 .. n) into *cp and its length,
 * 0 when it is not one (overlong, a surrogate, past U+10FFFF, cut short). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t MIN[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t len = s[0] < 0x80   ? 1
	             : s[0] < 0xC2 ? 0
	             : s[0] < 0xE0 ? 2
	             : s[0] < 0xF0 ? 3
	             : s[0] < 0xF5 ? 4
	                           : 0;
	if (len == 0 || len > n)
		return 0;
	uint32_t c = len == 1 ? s[0] : s[0] & (0x7Fu >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3Fu);
	}
	if (c < MIN[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* A string as json_dumps writes it under DUMP_FLAGS: `"`, `\`, \b \f \n \r
 * \t by name, other controls and every code point past U+007F as \uXXXX
 * (upper-case, a surrogate pair past U+FFFF). Invalid UTF-8 fails, as it
 * does there. */
static ot_status dump_string(ot_buf *b, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;
	ot_status rc = ot_buf_addc(b, '"');
	while (!rc && i < len) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (i > run && (rc = ot_buf_add(b, s + run, i - run)))
			break;
		const char *named = c == '"'    ? "\\\""
		                    : c == '\\' ? "\\\\"
		                    : c == '\b' ? "\\b"
		                    : c == '\f' ? "\\f"
		                    : c == '\n' ? "\\n"
		                    : c == '\r' ? "\\r"
		                    : c == '\t' ? "\\t"
		                                : NULL;
		uint32_t cp = c;
		size_t n = 1;
		if (named)
			rc = ot_buf_add(b, named, 2);
		else if (c < 0x20)
			rc = dump_u16(b, c);
		else if ((n = utf8_next(s + i, len - i, &cp)) == 0)
			return OT_ERR_PARSE;
		else if (cp < 0x10000)
			rc = dump_u16(b, cp);
		else if (!(rc = dump_u16(b, 0xD800 | ((cp - 0x10000) >> 10))))
			rc = dump_u16(b, 0xDC00 | ((cp - 0x10000) & 0x3FF));
		i += n;
		run = i;
	}
	if (!rc && i > run)
		rc = ot_buf_add(b, s + run, i - run);
	return rc ? rc : ot_buf_addc(b, '"');
}

typedef struct dump_key {
	const char *key;
	size_t len;
	const json_t *value;
} dump_key;

/* json_dumps' key order: bytes, then the shorter first. */
static int dump_key_cmp(const void *a, const void *b)
{
	const dump_key *x = a, *y = b;
	int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

#define DUMP_DEPTH_MAX 2048
/* An array of at least this many members (a report's findings) is written
 * in slices of DUMP_SLICE on every core, then joined in order. */
#define DUMP_PARALLEL_MIN 4096
#define DUMP_SLICE 512

static ot_status dump_value(ot_buf *b, const json_t *v, int sorted, int depth, int parallel);

/* One slice of a large array (dump_array), into a buffer of its own. */
typedef struct dump_slices {
	const json_t *arr;
	size_t n;
	int sorted, depth;
	ot_buf *bufs;
	ot_status *rcs;
} dump_slices;

static void dump_slice(void *ctx, size_t s)
{
	dump_slices *d = ctx;
	size_t from = s * DUMP_SLICE, to = from + DUMP_SLICE < d->n ? from + DUMP_SLICE : d->n;
	ot_buf *b = &d->bufs[s];
	ot_status rc = OT_OK;
	for (size_t i = from; !rc && i < to; i++) {
		if (i > from)
			rc = ot_buf_addc(b, ',');
		if (!rc)
			rc = dump_value(b, json_array_get(d->arr, i), d->sorted, d->depth + 1, 0);
	}
	d->rcs[s] = rc;
}

/* The members of a large array, their slices written on every core (the
 * values are only read) and joined here: the same bytes as in order. */
static ot_status dump_array_parallel(ot_buf *b, const json_t *v, int sorted, int depth)
{
	size_t n = json_array_size(v), slices = (n + DUMP_SLICE - 1) / DUMP_SLICE;
	dump_slices d = {.arr = v, .n = n, .sorted = sorted, .depth = depth};
	d.bufs = calloc(slices, sizeof *d.bufs);
	d.rcs = calloc(slices, sizeof *d.rcs);
	ot_status rc = d.bufs && d.rcs ? OT_OK : OT_ERR_NOMEM;
	for (size_t s = 0; !rc && s < slices; s++)
		ot_buf_init(&d.bufs[s], 0);
	if (!rc)
		otx_parallel_for(slices, 2, 0, dump_slice, &d);
	for (size_t s = 0; !rc && s < slices; s++) {
		rc = d.rcs[s];
		if (!rc && s)
			rc = ot_buf_addc(b, ',');
		if (!rc)
			rc = ot_buf_add(b, d.bufs[s].data, d.bufs[s].len);
	}
	for (size_t s = 0; d.bufs && s < slices; s++)
		ot_buf_free(&d.bufs[s]);
	free(d.bufs);
	free(d.rcs);
	return rc;
}

static ot_status dump_value(ot_buf *b, const json_t *v, int sorted, int depth, int parallel)
{
	if (depth > DUMP_DEPTH_MAX)
		return OT_ERR_TOOBIG;
	switch (json_typeof(v)) {
	case JSON_NULL: return ot_buf_add(b, "null", 4);
	case JSON_TRUE: return ot_buf_add(b, "true", 4);
	case JSON_FALSE: return ot_buf_add(b, "false", 5);
	case JSON_INTEGER: {
		char num[24], *p = num + sizeof num;
		json_int_t x = json_integer_value(v);
		uint64_t u = x < 0 ? 0u - (uint64_t)x : (uint64_t)x;
		do
			*--p = (char)('0' + u % 10);
		while (u /= 10);
		if (x < 0)
			*--p = '-';
		return ot_buf_add(b, p, (size_t)(num + sizeof num - p));
	}
	case JSON_REAL: {
		/* Rare in records: jansson's own formatting, byte for byte. */
		char *text = json_dumps(v, DUMP_FLAGS | JSON_ENCODE_ANY);
		ot_status rc = text ? ot_buf_add(b, text, strlen(text)) : OT_ERR_NOMEM;
		free(text);
		return rc;
	}
	case JSON_STRING: return dump_string(b, json_string_value(v), json_string_length(v));
	case JSON_ARRAY: {
		ot_status rc = ot_buf_addc(b, '[');
		if (!rc && parallel && json_array_size(v) >= DUMP_PARALLEL_MIN)
			rc = dump_array_parallel(b, v, sorted, depth);
		else
			for (size_t i = 0; !rc && i < json_array_size(v); i++) {
				if (i)
					rc = ot_buf_addc(b, ',');
				if (!rc)
					rc = dump_value(b, json_array_get(v, i), sorted, depth + 1,
					                parallel);
			}
		return rc ? rc : ot_buf_addc(b, ']');
	}
	case JSON_OBJECT: {
		size_t n = json_object_size(v), i = 0;
		dump_key small[32], *keys = n <= 32 ? small : malloc(n * sizeof *keys);
		if (!keys)
			return OT_ERR_NOMEM;
		const char *key;
		size_t key_len;
		json_t *value;
		json_object_keylen_foreach((json_t *)(uintptr_t)v, key, key_len, value)
		{
			keys[i++] = (dump_key){key, key_len, value};
		}
		if (sorted)
			qsort(keys, i, sizeof *keys, dump_key_cmp);
		ot_status rc = ot_buf_addc(b, '{');
		for (size_t k = 0; !rc && k < i; k++) {
			if (k)
				rc = ot_buf_addc(b, ',');
			if (!rc)
				rc = dump_string(b, keys[k].key, keys[k].len);
			if (!rc)
				rc = ot_buf_addc(b, ':');
			if (!rc)
				rc = dump_value(b, keys[k].value, sorted, depth + 1, parallel);
		}
		if (keys != small)
			free(keys);
		return rc ? rc : ot_buf_addc(b, '}');
	}
	}
	return OT_ERR_ARG;
}

/* The bytes of json_dumps(rec, DUMP_FLAGS), written here without its cycle
 * check (a formatted pointer and a hash table insert per object and array,
 * a third of the rules' serialising time): records are trees, and a depth
 * bound stands in for the check. tests/test_state_dump.c compares the two. */
static char *dump_tree(const json_t *v, int sorted, int parallel)
{
	if (!json_is_object(v) && !json_is_array(v))
		return NULL;
	ot_buf b;
	ot_buf_init(&b, 0);
	uint8_t *out = NULL;
	size_t len = 0;
	if (dump_value(&b, v, sorted, 0, parallel) || ot_buf_addc(&b, '\0')) {
		ot_buf_free(&b);
		return NULL;
	}
	ot_buf_detach(&b, &out, &len);
	return (char *)out;
}

char *otx_state_dump(const json_t *rec)
{
	return dump_tree(rec, 1, 0); /* often on a helper already (finish_entry) */
}

char *otx_json_dump_ordered(const json_t *doc)
{
	return dump_tree(doc, 0, 1);
}

json_t *otx_json_copy(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_INTEGER: return json_integer(json_integer_value(v));
	case JSON_REAL: return json_real(json_real_value(v));
	case JSON_STRING: return json_stringn_nocheck(json_string_value(v), json_string_length(v));
	case JSON_ARRAY: {
		json_t *a = json_array();
		for (size_t i = 0; a && i < json_array_size(v); i++) {
			if (json_array_append_new(a, otx_json_copy(json_array_get(v, i)))) {
				json_decref(a);
				return NULL;
			}
		}
		return a;
	}
	case JSON_OBJECT: {
		json_t *o = json_object();
		const char *key;
		size_t key_len;
		json_t *value;
		if (!o)
			return NULL;
		json_object_keylen_foreach((json_t *)(uintptr_t)v, key, key_len, value)
		{
			if (json_object_setn_new_nocheck(o, key, key_len, otx_json_copy(value))) {
				json_decref(o);
				return NULL;
			}
		}
		return o;
	}
	default: return json_incref((json_t *)(uintptr_t)v); /* true, false, null: singletons */
	}
}

/* otx_state_put, holding rec itself (shared) or a copy of it. */
static ot_status put(ot_store *st, const char *ns, const char *key, json_t *rec, int shared,
                     ot_error *err)
{
	otx_overlay *ov = overlay_of(st);
	if (ov) {
		ov_entry *e = NULL;
		json_t *copy = shared ? json_incref(rec) : otx_json_copy(rec);
		if (!copy)
			return ot_error_set(err, OT_ERR_NOMEM, "cannot copy the %s record \"%s\"",
			                    ns, key);
		ot_status rc = entry(ov, ns, key, &e, err);
		if (rc) {
			json_decref(copy);
			return rc;
		}
		int seal = shared && check_mode();
		if ((rc = change(ov, e, copy, 1, err)) || !seal)
			return rc;
		if (!(e->sealed = otx_state_dump(rec)))
			return ot_error_set(err, OT_ERR_NOMEM,
			                    "cannot serialise the %s record \"%s\"", ns, key);
		return OT_OK;
	}
	char *text = otx_state_dump(rec);
	if (!text)
		return ot_error_set(err, OT_ERR_NOMEM, "cannot serialise the %s record \"%s\"", ns,
		                    key);
	ot_status rc = ot_store_kv_put(st, ns, key, (const uint8_t *)text, strlen(text), err);
	free(text);
	return rc;
}

ot_status otx_state_put(ot_store *st, const char *ns, const char *key, json_t *rec, ot_error *err)
{
	return put(st, ns, key, rec, 0, err);
}

ot_status otx_state_put_final(ot_store *st, const char *ns, const char *key, json_t *rec,
                              ot_error *err)
{
	return put(st, ns, key, rec, 1, err);
}

ot_status otx_state_put_raw(ot_store *st, const char *ns, const char *key, const uint8_t *data,
                            size_t len, ot_error *err)
{
	otx_overlay *ov = overlay_of(st);
	if (!ov || !ov->hold_raw)
		return ot_store_kv_put(st, ns, key, data, len, err);
	ov_entry *e = NULL;
	json_t *bytes = json_stringn_nocheck((const char *)data, len);
	if (!bytes)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	ot_status rc = entry(ov, ns, key, &e, err);
	if (rc) {
		json_decref(bytes);
		return rc;
	}
	return change(ov, e, bytes, 1, err);
}

ot_status otx_state_get_raw(ot_store *st, const char *ns, const char *key, uint8_t **data,
                            size_t *len, ot_error *err)
{
	otx_overlay *ov = overlay_of(st);
	ov_entry *e = ov ? find(ov, ns, key, name_hash(ns, key)) : NULL;
	if (e && json_is_string(e->rec)) {
		char *t = entry_text(e, len);
		*data = (uint8_t *)t;
		return t ? OT_OK : ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	}
	return ot_store_kv_get(st, ns, key, data, len, err);
}

const char *otx_jstr(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

int64_t otx_jint(const json_t *obj, const char *key, int64_t fallback)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : fallback;
}
