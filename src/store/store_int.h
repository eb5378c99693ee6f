/*
 * store_int.h: what a storage backend implements. ot_store is a vtable
 * pointer plus the backend's own state; store.c dispatches the public calls.
 */
#ifndef OT_STORE_INT_H
#define OT_STORE_INT_H

#include "oretrail/store.h"

typedef struct otx_store_ops {
	const char *name;
	void (*close)(ot_store *st);
	ot_status (*check)(ot_store *st, ot_error *err);
	ot_status (*read_begin)(ot_store *st, ot_error *err);
	void (*read_end)(ot_store *st);
	ot_status (*begin)(ot_store *st, ot_error *err);
	void (*set_wait)(ot_store *st, unsigned ms);
	ot_status (*commit)(ot_store *st, ot_error *err);
	void (*rollback)(ot_store *st);
	ot_status (*savepoint)(ot_store *st, ot_error *err);
	ot_status (*release)(ot_store *st, ot_error *err);
	ot_status (*rollback_to)(ot_store *st, ot_error *err);
	ot_status (*get_meta)(ot_store *st, const char *name, char **value, ot_error *err);
	ot_status (*set_meta)(ot_store *st, const char *name, const char *value, ot_error *err);
	ot_status (*entry_count)(ot_store *st, uint64_t *count, ot_error *err);
	ot_status (*put_entry)(ot_store *st, uint64_t index, const uint8_t *data, size_t len,
	                       ot_error *err);
	ot_status (*get_entry)(ot_store *st, uint64_t index, uint8_t **data, size_t *len,
	                       ot_error *err);
	ot_status (*scan_entries)(ot_store *st, uint64_t start, uint64_t count, ot_entry_cb cb,
	                          void *ctx, ot_error *err);
	ot_status (*put_tile)(ot_store *st, int level, uint64_t index, unsigned width,
	                      const uint8_t *data, size_t len, ot_error *err);
	ot_status (*get_tile)(ot_store *st, int level, uint64_t index, unsigned *width,
	                      uint8_t **data, size_t *len, ot_error *err);
	/* NULL: ot_store_peek_tile copies with get_tile into peeked */
	ot_status (*peek_tile)(ot_store *st, int level, uint64_t index, unsigned *width,
	                       const uint8_t **data, size_t *len, ot_error *err);
	/* NULL: no full tiles kept apart (ot_store_peek_full_tile) */
	ot_status (*peek_full_tile)(ot_store *st, int level, uint64_t index, const uint8_t **data,
	                            size_t *len);
	/* Ends the validity of the last peek_tile (NULL: nothing to do) */
	void (*release_peek)(ot_store *st);
	ot_status (*put_checkpoint)(ot_store *st, uint64_t size, const char *note, size_t len,
	                            ot_error *err);
	ot_status (*get_checkpoint)(ot_store *st, uint64_t *size, char **note, size_t *len,
	                            ot_error *err);
	ot_status (*kv_put)(ot_store *st, const char *ns, const char *key, const uint8_t *value,
	                    size_t len, ot_error *err);
	ot_status (*kv_get)(ot_store *st, const char *ns, const char *key, uint8_t **value,
	                    size_t *len, ot_error *err);
	ot_status (*kv_del)(ot_store *st, const char *ns, const char *key, ot_error *err);
	ot_status (*kv_scan)(ot_store *st, const char *ns, const char *prefix, ot_kv_cb cb,
	                     void *ctx, ot_error *err);
	/* NULL: reads cost no round trip, nothing to read ahead */
	ot_status (*kv_prefetch)(ot_store *st, const char *ns, const char *const *keys, size_t n,
	                         ot_error *err);
	/* NULL: the backend has no leader lock (ot_store_lead) */
	ot_status (*lead)(ot_store *st, int *held, ot_error *err);
} otx_store_ops;

struct ot_store {
	const otx_store_ops *ops;
	int readonly;
	int in_txn;
	int savepoints;      /* asked for (ot_store_savepoint), innermost last */
	int savepoints_open; /* of those, opened in the backend: before the first write */
	int reading;         /* nesting depth of read snapshots */
	char fence[24];      /* ot_store_set_fence's epoch; "" none */
	uint8_t *peeked;     /* the last peeked tile, for backends without peek_tile */
	ot_front_fn front;   /* ot_store_set_front; NULL none */
	void *front_ctx;
	int in_front; /* the front is being called: its own calls pass */
};

/* Backends. */
/* Nonzero when `location` is OT_STORE_MEMORY. */
int otx_memory_location(const char *location);
ot_status otx_memory_open(int flags, ot_store **out, ot_error *err);
ot_status otx_sqlite_open(const char *path, int flags, ot_store **out, ot_error *err);
/* Nonzero when `location` is a libpq URI (postgresql:// or postgres://). */
int otx_postgres_location(const char *location);
/* The database a URI names (dbname, else user; "" when neither or the URI
 * does not parse), as libpq reads it, into out. */
void otx_postgres_name(const char *uri, char *out, size_t size);
ot_status otx_postgres_open(const char *uri, int flags, ot_store **out, ot_error *err);

#endif
