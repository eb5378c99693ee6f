/*
 * store.c: the storage interface's front: argument checks, the read-only
 * and transaction discipline shared by every backend, then dispatch.
 * Built with OT_STORE_MEMORY_ONLY (the WebAssembly build), only the
 * in-memory backend is there.
 */
#include "store/store_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oretrail/status.h"

ot_status ot_store_open(const char *location, int flags, ot_store **out, ot_error *err)
{
	if (!location || !*location || !out)
		return ot_error_set(err, OT_ERR_ARG, "no store location given");
	if ((flags & OT_STORE_CREATE) && (flags & OT_STORE_READONLY))
		return ot_error_set(err, OT_ERR_ARG, "cannot create a store read-only");
	*out = NULL;
	if (otx_memory_location(location))
		return otx_memory_open(flags, out, err);
#ifdef OT_STORE_MEMORY_ONLY
	return ot_error_set(err, OT_ERR_ARG, "%s: this build has only the in-memory store (%s)",
	                    location, OT_STORE_MEMORY);
#else
	if (otx_postgres_location(location))
		return otx_postgres_open(location, flags, out, err);
	return otx_sqlite_open(location, flags, out, err);
#endif
}

int ot_store_is_uri(const char *location)
{
	return location && otx_postgres_location(location);
}

/* Appends n bytes of src to out[*o], keeping room for the NUL. */
static void put(char *out, size_t size, size_t *o, const char *src, size_t n)
{
	while (n-- > 0 && *o + 1 < size)
		out[(*o)++] = *src++;
	out[*o] = 0;
}

const char *ot_store_redact(const char *location, char *out, size_t size)
{
	if (!out || size == 0)
		return out;
	out[0] = 0;
	if (!location)
		return out;
	if (!ot_store_is_uri(location)) {
		snprintf(out, size, "%s", location);
		return out;
	}
	size_t o = 0;
	const char *p = strstr(location, "://") + 3;
	put(out, size, &o, location, (size_t)(p - location));
	/* userinfo: up to the last '@' before the query; its password after ':' */
	const char *query = strchr(p, '?');
	const char *end = query ? query : p + strlen(p), *at = NULL;
	for (const char *c = p; c < end; c++)
		if (*c == '@')
			at = c;
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		put(out, size, &o, p, (size_t)((colon ? colon : at) - p));
		if (colon)
			put(out, size, &o, ":***", 4);
		p = at;
	}
	put(out, size, &o, p, (size_t)(end - p));
	/* parameters: password=VALUE up to the next '&' */
	for (p = end; *p;) {
		const char *amp = strchr(p + 1, '&');
		const char *next = amp ? amp : p + strlen(p);
		if (strncmp(p + 1, "password=", 9) == 0) {
			put(out, size, &o, p, 10);
			put(out, size, &o, "***", 3);
		} else {
			put(out, size, &o, p, (size_t)(next - p));
		}
		p = next;
	}
	return out;
}

const char *ot_store_name(const char *location, char *out, size_t size)
{
	if (!out || size == 0)
		return out;
	out[0] = 0;
	if (!location)
		return out;
	if (ot_store_is_uri(location)) {
		otx_postgres_name(location, out, size);
		for (char *c = out; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '.' && *c != '_' && *c != '-')
				*c = '_';
		if (!*out || !strcmp(out, ".") || !strcmp(out, ".."))
			snprintf(out, size, "ledger");
		return out;
	}
	const char *slash = strrchr(location, '/');
	snprintf(out, size, "%s", slash && slash[1] ? slash + 1 : location);
	return out;
}

/* Ends the validity of the last ot_store_peek_tile. */
static void release_peek(ot_store *st)
{
	if (st->ops->release_peek)
		st->ops->release_peek(st);
	free(st->peeked);
	st->peeked = NULL;
}

void ot_store_close(ot_store *st)
{
	if (!st)
		return;
	release_peek(st);
	st->ops->close(st);
}

const char *ot_store_backend(const ot_store *st)
{
	return st ? st->ops->name : "";
}

#define CHECK_ST(st)                                                      \
	do {                                                              \
		if (!(st))                                                \
			return ot_error_set(err, OT_ERR_ARG, "no store"); \
	} while (0)

#define CHECK_WRITE(st)                                                                           \
	do {                                                                                      \
		CHECK_ST(st);                                                                     \
		if ((st)->readonly)                                                               \
			return ot_error_set(err, OT_ERR_READONLY, "the store is open read-only"); \
		if (!(st)->in_txn)                                                                \
			return ot_error_set(err, OT_ERR_ARG, "write outside a transaction");      \
	} while (0)

void ot_store_set_front(ot_store *st, ot_front_fn fn, void *ctx)
{
	if (!st)
		return;
	st->front = fn;
	st->front_ctx = fn ? ctx : NULL;
}

void *ot_store_front(const ot_store *st, ot_front_fn fn)
{
	return st && fn && st->front == fn ? st->front_ctx : NULL;
}

/* Tells the front (if any, and unless this is its own call) what the store
 * is about to do. */
static ot_status tell_front(ot_store *st, ot_front_op op, const char *ns, const char *key,
                            ot_error *err)
{
	if (!st->front || st->in_front)
		return OT_OK;
	st->in_front = 1;
	ot_status rc = st->front(st->front_ctx, op, ns, key, err);
	st->in_front = 0;
	return rc;
}

ot_status ot_store_check(ot_store *st, ot_error *err)
{
	CHECK_ST(st);
	return st->ops->check(st, err);
}

ot_status ot_store_read_begin(ot_store *st, ot_error *err)
{
	CHECK_ST(st);
	if (st->in_txn)
		return OT_OK;
	if (st->reading == 0) {
		ot_status rc = st->ops->read_begin(st, err);
		if (rc)
			return rc;
	}
	st->reading++;
	return OT_OK;
}

void ot_store_read_end(ot_store *st)
{
	if (!st || st->in_txn || st->reading == 0)
		return;
	if (--st->reading == 0) {
		release_peek(st);
		st->ops->read_end(st);
	}
}

/* Inside the write transaction, holding the writer's lock: is the epoch
 * this handle was fenced with still the leader's? No other leader can bump
 * it before this transaction ends (the bump needs the same lock). */
static ot_status check_fence(ot_store *st, ot_error *err)
{
	char *epoch = NULL;
	ot_status rc = st->ops->get_meta(st, OT_STORE_LEADER_EPOCH, &epoch, err);
	if (rc && rc != OT_ERR_NOTFOUND)
		return rc;
	if (!rc && strcmp(epoch, st->fence) == 0) {
		free(epoch);
		return OT_OK;
	}
	rc = ot_error_at(err, OT_ERR_READONLY, "not_leader", -1,
	                 "this process is no longer the ledger's writer: another took over "
	                 "(leader epoch %s, ours %s); nothing was written",
	                 epoch ? epoch : "none", st->fence);
	free(epoch);
	return rc;
}

ot_status ot_store_lead(ot_store *st, int *held, ot_error *err)
{
	CHECK_ST(st);
	if (!held)
		return ot_error_set(err, OT_ERR_ARG, "no output for the leader lock");
	*held = 0;
	if (!st->ops->lead)
		return ot_error_set(err, OT_ERR_ARG,
		                    "a %s store has no leader lock: several writers need "
		                    "PostgreSQL",
		                    st->ops->name);
	if (st->in_txn || st->reading)
		return ot_error_set(err, OT_ERR_ARG,
		                    "the leader lock is taken outside transactions");
	return st->ops->lead(st, held, err);
}

ot_status ot_store_set_fence(ot_store *st, const char *epoch, ot_error *err)
{
	CHECK_ST(st);
	if (epoch && strlen(epoch) >= sizeof st->fence)
		return ot_error_set(err, OT_ERR_ARG, "leader epoch \"%s\" too long", epoch);
	snprintf(st->fence, sizeof st->fence, "%s", epoch ? epoch : "");
	return OT_OK;
}

ot_status ot_store_begin(ot_store *st, ot_error *err)
{
	CHECK_ST(st);
	if (st->readonly)
		return ot_error_set(err, OT_ERR_READONLY, "the store is open read-only");
	if (st->in_txn)
		return ot_error_set(err, OT_ERR_ARG, "a transaction is already open");
	if (st->reading)
		return ot_error_set(err, OT_ERR_ARG, "a read snapshot is open");
	ot_status rc = st->ops->begin(st, err);
	if (!rc) {
		st->in_txn = 1;
		st->savepoints = 0;
		st->savepoints_open = 0;
		if (st->fence[0] && (rc = check_fence(st, err)) != OT_OK) {
			st->ops->rollback(st);
			st->in_txn = 0;
			return rc;
		}
	}
	/* One message for both backends, naming neither SQL nor a path: it
	 * reaches remote clients as it is. */
	if (rc == OT_ERR_BUSY)
		rc = ot_error_at(err, OT_ERR_BUSY, "busy", -1,
		                 "ledger busy: another writer holds it");
	return rc;
}

void ot_store_set_wait(ot_store *st, unsigned ms)
{
	if (st)
		st->ops->set_wait(st, ms);
}

ot_status ot_store_commit(ot_store *st, ot_error *err)
{
	CHECK_ST(st);
	if (!st->in_txn)
		return ot_error_set(err, OT_ERR_ARG, "no transaction to commit");
	release_peek(st);
	ot_status rc = tell_front(st, OT_FRONT_COMMIT, NULL, NULL, err);
	if (!rc)
		rc = st->ops->commit(st, err);
	if (rc) {
		tell_front(st, OT_FRONT_ROLLBACK, NULL, NULL, NULL);
		st->ops->rollback(st);
	}
	st->in_txn = 0;
	st->savepoints = 0;
	st->savepoints_open = 0;
	return rc;
}

void ot_store_rollback(ot_store *st)
{
	if (!st || !st->in_txn)
		return;
	release_peek(st);
	tell_front(st, OT_FRONT_ROLLBACK, NULL, NULL, NULL);
	st->ops->rollback(st);
	st->in_txn = 0;
	st->savepoints = 0;
	st->savepoints_open = 0;
}

/* Savepoints are opened in the backend only when something is written
 * under them: most of an event's savepoint sees no write (the ledger's
 * record overlay holds them), and a savepoint in SQLite makes the first
 * write to each page copy it to a journal (16 KiB pages) while PostgreSQL
 * sends it. open_savepoints opens the ones asked for, before any write. */
static ot_status open_savepoints(ot_store *st, ot_error *err)
{
	while (st->savepoints_open < st->savepoints) {
		ot_status rc = st->ops->savepoint(st, err);
		if (rc)
			return rc;
		st->savepoints_open++;
	}
	return OT_OK;
}

ot_status ot_store_savepoint(ot_store *st, ot_error *err)
{
	CHECK_WRITE(st);
	st->savepoints++;
	return OT_OK;
}

/* Ends the innermost savepoint with the backend's op (release, or roll
 * back to it), if the backend ever opened it: nothing was written since a
 * savepoint that was not. */
static ot_status end_savepoint(ot_store *st, ot_status (*op)(ot_store *, ot_error *),
                               const char *what, ot_error *err)
{
	CHECK_WRITE(st);
	if (st->savepoints == 0)
		return ot_error_set(err, OT_ERR_ARG, "no savepoint to %s", what);
	if (st->savepoints_open == st->savepoints) {
		ot_status rc = op(st, err);
		if (rc)
			return rc;
		st->savepoints_open--;
	}
	st->savepoints--;
	return OT_OK;
}

ot_status ot_store_release(ot_store *st, ot_error *err)
{
	return end_savepoint(st, st ? st->ops->release : NULL, "release", err);
}

ot_status ot_store_rollback_to(ot_store *st, ot_error *err)
{
	return end_savepoint(st, st ? st->ops->rollback_to : NULL, "roll back to", err);
}

ot_status ot_store_get_meta(ot_store *st, const char *name, char **value, ot_error *err)
{
	CHECK_ST(st);
	if (!name || !value)
		return ot_error_set(err, OT_ERR_ARG, "bad meta arguments");
	return st->ops->get_meta(st, name, value, err);
}

ot_status ot_store_set_meta(ot_store *st, const char *name, const char *value, ot_error *err)
{
	CHECK_WRITE(st);
	if (!name || !value)
		return ot_error_set(err, OT_ERR_ARG, "bad meta arguments");
	ot_status rc = open_savepoints(st, err);
	return rc ? rc : st->ops->set_meta(st, name, value, err);
}

ot_status ot_store_entry_count(ot_store *st, uint64_t *count, ot_error *err)
{
	CHECK_ST(st);
	if (!count)
		return ot_error_set(err, OT_ERR_ARG, "bad arguments");
	return st->ops->entry_count(st, count, err);
}

ot_status ot_store_put_entry(ot_store *st, uint64_t index, const uint8_t *data, size_t len,
                             ot_error *err)
{
	CHECK_WRITE(st);
	if (!data && len)
		return ot_error_set(err, OT_ERR_ARG, "bad entry");
	ot_status rc = open_savepoints(st, err);
	return rc ? rc : st->ops->put_entry(st, index, data, len, err);
}

ot_status ot_store_get_entry(ot_store *st, uint64_t index, uint8_t **data, size_t *len,
                             ot_error *err)
{
	CHECK_ST(st);
	if (!data || !len)
		return ot_error_set(err, OT_ERR_ARG, "bad arguments");
	return st->ops->get_entry(st, index, data, len, err);
}

ot_status ot_store_scan_entries(ot_store *st, uint64_t start, uint64_t count, ot_entry_cb cb,
                                void *ctx, ot_error *err)
{
	CHECK_ST(st);
	if (!cb)
		return ot_error_set(err, OT_ERR_ARG, "no callback");
	return st->ops->scan_entries(st, start, count, cb, ctx, err);
}

ot_status ot_store_put_tile(ot_store *st, int level, uint64_t index, unsigned width,
                            const uint8_t *data, size_t len, ot_error *err)
{
	CHECK_WRITE(st);
	if (!data || !len)
		return ot_error_set(err, OT_ERR_ARG, "bad tile");
	ot_status rc = open_savepoints(st, err);
	return rc ? rc : st->ops->put_tile(st, level, index, width, data, len, err);
}

ot_status ot_store_get_tile(ot_store *st, int level, uint64_t index, unsigned *width,
                            uint8_t **data, size_t *len, ot_error *err)
{
	CHECK_ST(st);
	if (!width || !data || !len)
		return ot_error_set(err, OT_ERR_ARG, "bad arguments");
	return st->ops->get_tile(st, level, index, width, data, len, err);
}

ot_status ot_store_peek_tile(ot_store *st, int level, uint64_t index, unsigned *width,
                             const uint8_t **data, size_t *len, ot_error *err)
{
	CHECK_ST(st);
	if (!width || !data || !len)
		return ot_error_set(err, OT_ERR_ARG, "bad arguments");
	/* Outside a snapshot the pointer would outlive the read it came from
	 * (and SQLite's statement would hold its read lock until the next). */
	if (!st->reading && !st->in_txn)
		return ot_error_set(err, OT_ERR_ARG,
		                    "peeking at a tile needs a read snapshot or a transaction");
	if (st->ops->peek_tile)
		return st->ops->peek_tile(st, level, index, width, data, len, err);
	release_peek(st);
	ot_status rc = st->ops->get_tile(st, level, index, width, &st->peeked, len, err);
	*data = st->peeked;
	return rc;
}

ot_status ot_store_peek_full_tile(ot_store *st, int level, uint64_t index, const uint8_t **data,
                                  size_t *len)
{
	if (!st || !data || !len || !st->ops->peek_full_tile)
		return OT_ERR_NOTFOUND;
	return st->ops->peek_full_tile(st, level, index, data, len);
}

ot_status ot_store_put_checkpoint(ot_store *st, uint64_t size, const char *note, size_t len,
                                  ot_error *err)
{
	CHECK_WRITE(st);
	if (!note || !len)
		return ot_error_set(err, OT_ERR_ARG, "bad checkpoint");
	ot_status rc = open_savepoints(st, err);
	return rc ? rc : st->ops->put_checkpoint(st, size, note, len, err);
}

ot_status ot_store_get_checkpoint(ot_store *st, uint64_t *size, char **note, size_t *len,
                                  ot_error *err)
{
	CHECK_ST(st);
	if (!size || !note || !len)
		return ot_error_set(err, OT_ERR_ARG, "bad arguments");
	return st->ops->get_checkpoint(st, size, note, len, err);
}

ot_status ot_store_kv_put(ot_store *st, const char *ns, const char *key, const uint8_t *value,
                          size_t len, ot_error *err)
{
	CHECK_WRITE(st);
	if (!ns || !key || (!value && len))
		return ot_error_set(err, OT_ERR_ARG, "bad key-value arguments");
	ot_status rc = tell_front(st, OT_FRONT_WRITE, ns, key, err);
	if (!rc)
		rc = open_savepoints(st, err);
	return rc ? rc : st->ops->kv_put(st, ns, key, value, len, err);
}

ot_status ot_store_kv_get(ot_store *st, const char *ns, const char *key, uint8_t **value,
                          size_t *len, ot_error *err)
{
	CHECK_ST(st);
	if (!ns || !key || !value || !len)
		return ot_error_set(err, OT_ERR_ARG, "bad key-value arguments");
	ot_status rc = tell_front(st, OT_FRONT_READ, ns, key, err);
	return rc ? rc : st->ops->kv_get(st, ns, key, value, len, err);
}

ot_status ot_store_kv_del(ot_store *st, const char *ns, const char *key, ot_error *err)
{
	CHECK_WRITE(st);
	if (!ns || !key)
		return ot_error_set(err, OT_ERR_ARG, "bad key-value arguments");
	ot_status rc = tell_front(st, OT_FRONT_WRITE, ns, key, err);
	if (!rc)
		rc = open_savepoints(st, err);
	return rc ? rc : st->ops->kv_del(st, ns, key, err);
}

ot_status ot_store_kv_prefetch(ot_store *st, const char *ns, const char *const *keys, size_t n,
                               ot_error *err)
{
	CHECK_ST(st);
	if (!ns || (n && !keys))
		return ot_error_set(err, OT_ERR_ARG, "bad key-value arguments");
	if (!st->in_txn || !st->ops->kv_prefetch || n == 0)
		return OT_OK;
	return st->ops->kv_prefetch(st, ns, keys, n, err);
}

ot_status ot_store_kv_scan(ot_store *st, const char *ns, const char *prefix, ot_kv_cb cb, void *ctx,
                           ot_error *err)
{
	CHECK_ST(st);
	if (!ns || !cb)
		return ot_error_set(err, OT_ERR_ARG, "bad key-value arguments");
	ot_status rc = tell_front(st, OT_FRONT_SCAN, ns, NULL, err);
	return rc ? rc : st->ops->kv_scan(st, ns, prefix ? prefix : "", cb, ctx, err);
}
