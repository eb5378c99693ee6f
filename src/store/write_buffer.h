/*
 * write_buffer.h: a write transaction's rows kept on the client, for a
 * backend whose every statement is a round trip (PostgreSQL).
 *
 * Two parts. The row map knows, for each row this transaction has read or
 * written, its current value or that it is absent; while the transaction
 * holds the writer's lock no one else changes those rows, so a second read
 * needs no round trip. The op log keeps the writes not yet sent, in order,
 * with the open savepoints as marks between them: the backend sends them as
 * a few multi-row statements (before commit, or before a read the map cannot
 * answer), one run of ops per segment between marks, and a savepoint on the
 * server at each mark, so undo points keep their meaning after a flush.
 * A savepoint whose mark has not reached the server is undone here, without
 * a round trip.
 *
 * Rows are named by kind (OTX_WB_KV: a namespace and a key; OTX_WB_ENTRY:
 * a log index as 8 big-endian bytes, namespace ""). Not thread-safe: one
 * per store handle.
 */
#ifndef OT_STORE_WRITE_BUFFER_H
#define OT_STORE_WRITE_BUFFER_H

#include <stddef.h>
#include <stdint.h>

#include "oretrail/status.h"

enum {
	OTX_WB_KV = 'k',
	OTX_WB_ENTRY = 'e'
};

/* One write not yet sent. Its strings are owned by the buffer. */
typedef struct otx_wb_op {
	char kind;      /* OTX_WB_KV or OTX_WB_ENTRY */
	int del;        /* delete the row (kv only) */
	int superseded; /* a later op of the same segment writes the same row */
	long prev;      /* the op before it that wrote the same row; -1 none */
	const char *ns; /* NUL-terminated */
	const uint8_t *key;
	size_t klen;
	const uint8_t *value;
	size_t vlen;
	char *mem; /* the one allocation holding ns, key and value */
} otx_wb_op;

typedef struct otx_wb_row otx_wb_row;
typedef struct otx_wb_savepoint_mark {
	size_t pos;    /* the op log's length when the savepoint was taken */
	int on_server; /* sent as a server savepoint by a flush */
} otx_wb_savepoint_mark;

typedef struct otx_write_buffer {
	otx_wb_row **slots; /* hash table of rows, chained */
	size_t nslots, nrows;
	otx_wb_op *ops; /* the op log */
	size_t nops, opcap;
	otx_wb_savepoint_mark *marks; /* open savepoints, innermost last */
	size_t nmarks, markcap;
	size_t bytes; /* memory held by rows and ops, for the caller's cap */
} otx_write_buffer;

/* Empties the buffer and frees what it holds; the struct may be reused.
 * A zeroed struct is an empty buffer. */
void otx_wb_reset(otx_write_buffer *wb);

/* What the buffer knows of a row: -1 nothing, 0 absent, 1 present with
 * *value (owned by the buffer, valid until its next change) and *vlen. */
int otx_wb_get(const otx_write_buffer *wb, char kind, const char *ns, const uint8_t *key,
               size_t klen, const uint8_t **value, size_t *vlen);

/* Remembers a row as read from the server (present or not); a row the
 * buffer knows already is left as it is. */
ot_status otx_wb_remember(otx_write_buffer *wb, char kind, const char *ns, const uint8_t *key,
                          size_t klen, int present, const uint8_t *value, size_t vlen,
                          ot_error *err);

/* Logs a write (del: a delete) and makes it the row's value. */
ot_status otx_wb_write(otx_write_buffer *wb, char kind, const char *ns, const uint8_t *key,
                       size_t klen, int del, const uint8_t *value, size_t vlen, ot_error *err);

/* Savepoints: mark pushes one at the log's end; release pops the innermost
 * (its ops join the enclosing segment's: the caller releases a server
 * savepoint when it returns 1). undo rolls the innermost back and pops it:
 * 0 when it never reached the server (its ops and their rows are gone from
 * the buffer), 1 when it did (the caller rolls the server back to it; the
 * buffer is then emptied of ops and rows, as the server is the truth), -1
 * out of memory (the buffer no longer knows the rows: the transaction must
 * be rolled back). Both cost the savepoint's own ops, not the log's. */
ot_status otx_wb_mark(otx_write_buffer *wb, ot_error *err);
int otx_wb_release(otx_write_buffer *wb);
int otx_wb_undo(otx_write_buffer *wb);

/* The segments of the op log for a flush: segment i (0 <= i <= count of
 * marks not on the server) spans ops [*start, *end); before segment i > 0
 * the caller opens a server savepoint. Returns the number of segments. */
size_t otx_wb_segments(const otx_write_buffer *wb);
void otx_wb_segment(const otx_write_buffer *wb, size_t i, size_t *start, size_t *end);

/* After a successful flush: empties the op log, keeps the rows as they are
 * (now the server's too) and counts every mark as on the server. */
void otx_wb_flushed(otx_write_buffer *wb);

/* Forgets every row; only with an empty op log (after a flush). */
void otx_wb_forget_rows(otx_write_buffer *wb);

#endif
