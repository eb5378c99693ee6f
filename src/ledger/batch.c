/*
 * batch.c: parallel parsing and signature verification of a batch (batch.h).
 *
 * Threads are POSIX threads, one per core up to THREADS_MAX. A serial run
 * (otx_batch_run's `serial`) starts none, and a build with OT_NO_THREADS
 * (WebAssembly) has no thread code at all: the same steps then run in
 * order on the calling thread.
 */
#include "ledger/batch.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifndef OT_NO_THREADS
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#endif

#include "ledger/state.h"
#include "oretrail/status.h"

/* Below this many items to parse or verify threads cost more than they
 * save (a thread starts in tens of microseconds, an item takes about 40). */
#define PARALLEL_MIN 16
#define THREADS_MAX 8

/* Helper threads: started, then joined. */
typedef struct workers {
	size_t started;
#ifndef OT_NO_THREADS
	pthread_t tids[THREADS_MAX];
#endif
} workers;

/* Threads worth using for n items, the calling thread included, when
 * fewer than min are not worth a thread. */
static size_t threads_for(size_t n, size_t min, int serial)
{
#ifdef OT_NO_THREADS
	(void)n;
	(void)min;
	(void)serial;
	return 1;
#else
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (serial || n < min || cpus <= 1)
		return 1;
	return cpus > THREADS_MAX ? THREADS_MAX : (size_t)cpus;
#endif
}

/* Starts `count` threads running fn(arg); one that cannot start leaves its
 * share to the others. */
static void workers_start(workers *w, size_t count, void *(*fn)(void *), void *arg)
{
	w->started = 0;
#ifdef OT_NO_THREADS
	(void)count;
	(void)fn;
	(void)arg;
#else
	for (size_t t = 0; t < count && t < THREADS_MAX; t++)
		if (pthread_create(&w->tids[w->started], NULL, fn, arg) == 0)
			w->started++;
#endif
}

static void workers_join(workers *w)
{
#ifndef OT_NO_THREADS
	for (size_t t = 0; t < w->started; t++)
		pthread_join(w->tids[t], NULL);
#endif
	w->started = 0;
}

/* Lets a helper thread finish the item the caller waits for. */
static void yield_cpu(void)
{
#ifndef OT_NO_THREADS
	sched_yield();
#endif
}

typedef struct pfor {
	atomic_size_t next;
	size_t n;
	void (*fn)(void *ctx, size_t i);
	void *ctx;
} pfor;

static void *pfor_worker(void *arg)
{
	pfor *w = arg;
	size_t i;
	while ((i = atomic_fetch_add(&w->next, 1)) < w->n)
		w->fn(w->ctx, i);
	return NULL;
}

void otx_parallel_for(size_t n, size_t min, int serial, void (*fn)(void *ctx, size_t i), void *ctx)
{
	pfor w;
	workers ws;
	atomic_init(&w.next, 0);
	w.n = n;
	w.fn = fn;
	w.ctx = ctx;
	workers_start(&ws, threads_for(n, min, serial) - 1, pfor_worker, &w);
	pfor_worker(&w);
	workers_join(&ws);
}

/* otx_parallel_ordered: items claimed once (next), each marked done when
 * fn has run on it; helpers stop claiming once stop is set. */
typedef struct pord {
	atomic_size_t next;
	size_t n;
	void (*fn)(void *ctx, size_t i);
	void *ctx;
	atomic_uchar *done;
	atomic_int stop;
} pord;

/* Runs fn on the next unclaimed item; 0 when none is left. */
static int pord_next(pord *w)
{
	size_t i = atomic_fetch_add_explicit(&w->next, 1, memory_order_relaxed);
	if (i >= w->n)
		return 0;
	w->fn(w->ctx, i);
	atomic_store_explicit(&w->done[i], 1, memory_order_release);
	return 1;
}

static void *pord_worker(void *arg)
{
	pord *w = arg;
	while (!atomic_load_explicit(&w->stop, memory_order_relaxed) && pord_next(w))
		;
	return NULL;
}

ot_status otx_parallel_ordered(size_t n, size_t min, int serial, void (*fn)(void *ctx, size_t i),
                               void *ctx, ot_status (*consume)(void *cctx, size_t i), void *cctx)
{
	pord w;
	workers ws;
	atomic_init(&w.next, 0);
	atomic_init(&w.stop, 0);
	w.n = n;
	w.fn = fn;
	w.ctx = ctx;
	w.done = calloc(n ? n : 1, sizeof *w.done);
	if (!w.done) {
		/* Without the flags: every step, then every consume, here. */
		for (size_t i = 0; i < n; i++)
			fn(ctx, i);
		ot_status rc = OT_OK;
		for (size_t i = 0; i < n && !rc; i++)
			rc = consume(cctx, i);
		return rc;
	}
	for (size_t i = 0; i < n; i++)
		atomic_init(&w.done[i], 0);
	workers_start(&ws, threads_for(n, min, serial) - 1, pord_worker, &w);
	ot_status rc = OT_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		while (!atomic_load_explicit(&w.done[i], memory_order_acquire))
			if (!pord_next(&w))
				yield_cpu(); /* item i is with a helper */
		rc = consume(cctx, i);
	}
	atomic_store(&w.stop, 1);
	workers_join(&ws);
	free(w.done);
	return rc;
}

void otx_batch_init(otx_batch_item *items, size_t n, const uint8_t *const *data, const size_t *lens)
{
	for (size_t i = 0; i < n; i++) {
		memset(&items[i], 0, sizeof items[i]);
		items[i].data = data[i];
		items[i].len = lens[i];
		otx_envelope_init(&items[i].env);
		ot_error_clear(&items[i].parse_err);
		items[i].signer_slot = SIZE_MAX;
	}
}

static void clear_one(void *ctx, size_t i)
{
	otx_envelope_clear(&((otx_batch_item *)ctx)[i].env);
}

void otx_batch_clear(otx_batch_item *items, size_t n, int serial)
{
	if (items)
		otx_parallel_for(n, OTX_PARALLEL_LIGHT, serial, clear_one, items);
}

struct otx_task {
	void (*fn)(void *ctx);
	void *ctx;
	workers ws;
};

static void *task_worker(void *arg)
{
	otx_task *t = arg;
	t->fn(t->ctx);
	return NULL;
}

otx_task *otx_task_start(void (*fn)(void *ctx), void *ctx, int serial)
{
	otx_task *t = NULL;
	if (threads_for(2, 2, serial) > 1 && (t = malloc(sizeof *t)) != NULL) {
		t->fn = fn;
		t->ctx = ctx;
		workers_start(&t->ws, 1, task_worker, t);
		if (t->ws.started)
			return t;
		free(t);
	}
	fn(ctx);
	return NULL;
}

void otx_task_wait(otx_task *t)
{
	if (!t)
		return;
	workers_join(&t->ws);
	free(t);
}

/* The keys a signer had when the batch started. */
typedef struct signer_keys {
	ot_verifier **keys;
	size_t n;
} signer_keys;

typedef struct prep {
	otx_batch_item *items;
	signer_keys *signers;
} prep;

static void parse_one(void *ctx, size_t i)
{
	otx_batch_item *it = &((prep *)ctx)->items[i];
	it->parse_rc = otx_envelope_parse(it->data, it->len, &it->env, &it->parse_err);
	if (it->parse_rc && it->parse_err.status == OT_OK)
		ot_error_set(&it->parse_err, it->parse_rc, "the entry is not a valid envelope");
}

/* Marks it verified with the first of s's keys its signature verifies
 * with, if any. */
static void verify_with(otx_batch_item *it, const signer_keys *s)
{
	for (size_t k = 0; k < s->n; k++) {
		if (ot_verifier_verify_raw(s->keys[k], it->env.message.data, it->env.message.len,
		                           it->env.sig) == OT_OK) {
			memcpy(it->verified_pk, ot_verifier_public_key(s->keys[k]), 32);
			it->verified = 1;
			return;
		}
	}
}

static void verify_one(void *ctx, size_t i)
{
	prep *p = ctx;
	otx_batch_item *it = &p->items[i];
	if (it->parse_rc || it->verified || it->signer_slot == SIZE_MAX)
		return;
	verify_with(it, &p->signers[it->signer_slot]);
}

/* Loads the keys of `signer` into *s (none when unknown). */
static ot_status load_keys(ot_store *st, const otx_ledger_ctx *ctx, const char *signer,
                           signer_keys *s, ot_error *err)
{
	json_t *actor = NULL;
	s->keys = NULL;
	s->n = 0;
	ot_status rc = otx_state_get(st, OTX_NS_ACTOR, signer, &actor, err);
	if (rc == OT_ERR_NOTFOUND) {
		if (!ctx->authority || strcmp(signer, ctx->authority) != 0 || !ctx->authority_key)
			return OT_OK;
		char vkey[OT_VKEY_MAX];
		s->keys = calloc(1, sizeof *s->keys);
		if (!s->keys)
			return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		if (ot_verifier_format(ctx->authority_key, vkey, sizeof vkey) == OT_OK &&
		    ot_verifier_parse(vkey, strlen(vkey), &s->keys[0], NULL) == OT_OK)
			s->n = 1;
		return OT_OK;
	}
	if (rc)
		return rc;
	json_t *keys = json_object_get(actor, "keys");
	s->keys = calloc(json_array_size(keys) + 1, sizeof *s->keys);
	if (!s->keys) {
		json_decref(actor);
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	}
	for (size_t k = 0; k < json_array_size(keys); k++) {
		const char *vkey = otx_jstr(json_array_get(keys, k), "vkey");
		if (vkey && ot_verifier_parse(vkey, strlen(vkey), &s->keys[s->n], NULL) == OT_OK)
			s->n++;
	}
	json_decref(actor);
	return OT_OK;
}

static void free_keys(signer_keys *s)
{
	for (size_t k = 0; k < s->n; k++)
		ot_verifier_free(s->keys[k]);
	free(s->keys);
	s->keys = NULL;
	s->n = 0;
}

#define KEY_MEMO_SLOTS 8

struct otx_key_memo {
	struct {
		char signer[OTX_SIGNER_MAX + 1]; /* "": empty slot */
		signer_keys keys;
		struct timespec loaded;
	} slot[KEY_MEMO_SLOTS];
	size_t next; /* the slot to reuse next */
};

otx_key_memo *otx_key_memo_new(void)
{
	return calloc(1, sizeof(otx_key_memo));
}

void otx_key_memo_free(otx_key_memo *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < KEY_MEMO_SLOTS; i++)
		free_keys(&m->slot[i].keys);
	free(m);
}

static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (long)(b->tv_sec - a->tv_sec) * 1000L + (b->tv_nsec - a->tv_nsec) / 1000000L;
}

/* signer's keys from the memo, loaded from st when not there or too old;
 * NULL when they cannot be read (a store or memory failure). *own: keys
 * the caller frees (no memo). */
static const signer_keys *memo_keys(otx_key_memo *m, ot_store *st, const otx_ledger_ctx *ctx,
                                    const char *signer, signer_keys *own)
{
	ot_error ignored;
	if (!m)
		return load_keys(st, ctx, signer, own, &ignored) == OT_OK ? own : NULL;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	size_t i = 0;
	while (i < KEY_MEMO_SLOTS && strcmp(m->slot[i].signer, signer) != 0)
		i++;
	if (i < KEY_MEMO_SLOTS && ms_between(&m->slot[i].loaded, &now) < OTX_KEY_MEMO_MS)
		return &m->slot[i].keys;
	if (i == KEY_MEMO_SLOTS)
		i = m->next++ % KEY_MEMO_SLOTS;
	free_keys(&m->slot[i].keys);
	m->slot[i].signer[0] = 0;
	if (load_keys(st, ctx, signer, &m->slot[i].keys, &ignored) != OT_OK)
		return NULL;
	snprintf(m->slot[i].signer, sizeof m->slot[i].signer, "%s", signer);
	m->slot[i].loaded = now;
	return &m->slot[i].keys;
}

ot_status otx_batch_prepare(ot_store *st, const otx_ledger_ctx *ctx, otx_key_memo *memo,
                            otx_batch_item *it, ot_error *err)
{
	prep p = {it, NULL};
	parse_one(&p, 0);
	if (it->parse_rc) {
		if (err)
			*err = it->parse_err;
		return it->parse_rc;
	}
	/* Without the keys (a store or memory failure) the item only goes
	 * without the hint: the batch verifies it. */
	signer_keys own = {NULL, 0};
	const signer_keys *keys = st ? memo_keys(memo, st, ctx, it->env.signer, &own) : NULL;
	if (keys)
		verify_with(it, keys);
	free_keys(&own);
	return OT_OK;
}

/* Reads ahead, in one round trip each on PostgreSQL, the rows the rules
 * read first for most events: the ids' (every event claims its id) and the
 * lots' named by a "lot" member (created by an extraction, read by most
 * others). While this waits, the helpers verify. */
static ot_status prefetch(ot_store *st, const otx_batch_item *items, size_t n, ot_error *err)
{
	const char **keys = calloc(n ? n : 1, sizeof *keys);
	if (!keys)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		keys[i] = items[i].parse_rc ? NULL : items[i].env.id;
	ot_status rc = ot_store_kv_prefetch(st, OTX_NS_EVENT_ID, keys, n, err);
	for (size_t i = 0; i < n; i++)
		keys[i] = items[i].parse_rc
		                  ? NULL
		                  : json_string_value(json_object_get(items[i].env.event, "lot"));
	if (!rc)
		rc = ot_store_kv_prefetch(st, OTX_NS_LOT, keys, n, err);
	free(keys);
	return rc;
}

/* run_items' consumer: reads ahead (before the first item, while the
 * helpers verify), then applies each item once it is verified. */
typedef struct vapply {
	ot_store *st;
	const otx_batch_item *items; /* the whole batch, for the read-ahead */
	size_t from, ahead;
	otx_batch_apply_fn apply;
	void *actx;
	ot_error *err;
} vapply;

static ot_status apply_verified(void *ctx, size_t i)
{
	vapply *a = ctx;
	ot_status rc;
	if (i == 0 && a->ahead && (rc = prefetch(a->st, a->items, a->ahead, a->err)))
		return rc;
	return a->apply ? a->apply(a->actx, a->from + i) : OT_OK;
}

/* One run of a batch: items[from, to) with the keys their signers hold
 * when it starts, verified on every core while the calling thread applies
 * them in order (otx_batch_run). The rows of the first `ahead` items are
 * read ahead while the helpers verify (the first run reads the batch's). */
static ot_status run_items(ot_store *st, const otx_ledger_ctx *ctx, otx_batch_item *items,
                           size_t from, size_t to, size_t ahead, int serial,
                           otx_batch_apply_fn apply, void *actx, ot_error *err)
{
	prep p = {items + from, NULL};
	size_t count = to - from;
	json_t *slots = json_object(); /* signer -> slot */
	size_t nsigners = 0;
	ot_status rc = OT_OK;
	if (!slots)
		return ot_error_set(err, OT_ERR_NOMEM, "out of memory");
	size_t to_verify = 0;
	p.signers = calloc(count ? count : 1, sizeof *p.signers);
	if (!p.signers) {
		rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		otx_batch_item *it = &p.items[i];
		if (it->parse_rc || it->verified)
			continue;
		to_verify++;
		const char *signer = it->env.signer;
		json_t *slot = json_object_get(slots, signer);
		if (!slot) {
			if ((rc = load_keys(st, ctx, signer, &p.signers[nsigners], err)))
				goto out;
			/* Counted at once, so that the clean-up frees its keys. */
			it->signer_slot = nsigners++;
			if (json_object_set_new(slots, signer,
			                        json_integer((json_int_t)it->signer_slot))) {
				rc = ot_error_set(err, OT_ERR_NOMEM, "out of memory");
				goto out;
			}
		} else {
			it->signer_slot = (size_t)json_integer_value(slot);
		}
	}
	/* One helper per other core verifies ahead; this thread applies the
	 * items in order and verifies too whenever the next one is not ready. */
	vapply va = {st, items, from, ahead, apply, actx, err};
	rc = otx_parallel_ordered(count, PARALLEL_MIN, serial || to_verify < PARALLEL_MIN,
	                          verify_one, &p, apply_verified, &va);
out:
	for (size_t s = 0; p.signers && s < nsigners; s++)
		free_keys(&p.signers[s]);
	free(p.signers);
	json_decref(slots);
	return rc;
}

/* The last item each signer signs that the batch has to verify:
 * signer -> its position. NULL when out of memory. */
static json_t *last_signed(const otx_batch_item *items, size_t n)
{
	json_t *last = json_object();
	for (size_t i = 0; last && i < n; i++) {
		if (items[i].parse_rc || items[i].verified)
			continue;
		if (json_object_set_new(last, items[i].env.signer, json_integer((json_int_t)i))) {
			json_decref(last);
			last = NULL;
		}
	}
	return last;
}

/* Where the run that starts at `from` ends: just after the first actor
 * event (a registration or a new key) whose actor signs a later item, so
 * that the next run starts with the keys it adds and verifies that
 * actor's items on every core like the rest; n when there is none (or no
 * memory to tell). *last (last_signed) is made at the first actor event:
 * most batches have none. */
static size_t run_end(const otx_batch_item *items, size_t from, size_t n, json_t **last)
{
	for (size_t i = from; i < n; i++) {
		if (items[i].parse_rc || strcmp(items[i].env.type, "actor") != 0)
			continue;
		if (!*last && !(*last = last_signed(items, n)))
			return n;
		json_t *actor = json_object_get(items[i].env.event, "actor");
		json_t *at = json_is_string(actor)
		                     ? json_object_get(*last, json_string_value(actor))
		                     : NULL;
		if (at && (size_t)json_integer_value(at) > i)
			return i + 1;
	}
	return n;
}

ot_status otx_batch_run(ot_store *st, const otx_ledger_ctx *ctx, otx_batch_item *items, size_t n,
                        int serial, otx_batch_apply_fn apply, void *actx, ot_error *err)
{
	otx_parallel_for(n, PARALLEL_MIN, serial, parse_one, &(prep){items, NULL});
	json_t *last = NULL;
	ot_status rc;
	size_t from = 0;
	do {
		size_t to = run_end(items, from, n, &last);
		rc = run_items(st, ctx, items, from, to, from == 0 ? n : 0, serial, apply, actx,
		               err);
		from = to;
	} while (!rc && from < n);
	json_decref(last);
	return rc;
}
