/*
 * status.h: the one status type returned by every fallible oretrail call, and
 * the optional rich error that says what was wrong, where and why.
 *
 * Every function that can fail returns ot_status; OT_OK is zero so that
 * `rc = f(); if (rc) goto out;` reads naturally. Functions that can say more
 * take an optional `ot_error *err` (NULL is allowed) which they fill on
 * failure with the same code, a human message and a position.
 */
#ifndef ORETRAIL_STATUS_H
#define ORETRAIL_STATUS_H

#include <stdint.h>

#if defined(__GNUC__)
#define OT_EXPORT __attribute__((visibility("default")))
#define OT_NODISCARD __attribute__((warn_unused_result))
#else
#define OT_EXPORT
#define OT_NODISCARD
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ot_status {
	OT_OK = 0,
	OT_ERR_NOMEM,    /* an allocation failed */
	OT_ERR_ARG,      /* the caller passed something unusable (misuse) */
	OT_ERR_PARSE,    /* input is malformed */
	OT_ERR_IO,       /* the operating system or the store failed */
	OT_ERR_CORRUPT,  /* stored data is inconsistent with itself */
	OT_ERR_SCHEMA,   /* the database is not ours, or of another version */
	OT_ERR_VERIFY,   /* a signature, a hash or a proof does not check */
	OT_ERR_NOTFOUND, /* no such entry, tile, key or record */
	OT_ERR_RANGE,    /* an index or size is outside the log */
	OT_ERR_KEY,      /* a key is malformed, unknown or of the wrong kind */
	OT_ERR_TOOBIG,   /* input exceeds a documented limit */
	OT_ERR_EXISTS,   /* the thing to create already exists */
	OT_ERR_FULL,     /* the disk or a quota is full */
	OT_ERR_BUSY,     /* the store is locked by someone else */
	OT_ERR_READONLY, /* the ledger is open read-only */
	OT_ERR_RULE,     /* an event breaks a ledger rule */
	OT_ERR_CONFLICT, /* an event conflicts with the ledger's state */
	OT_ERR_SIGNER,   /* unknown or revoked signer, or missing role */
} ot_status;

/* Rich error. `message` is NUL-terminated and always fits; `index` is the
 * position the error refers to (entry index, event number, byte offset) or
 * -1 when there is none. `code` is a short stable machine-readable name
 * (e.g. "lot_not_found"); empty when the status says it all. */
typedef struct ot_error {
	ot_status status;
	int64_t index;
	char code[48];
	char message[512];
} ot_error;

/* A constant English name for a status ("verification failed" ...). */
OT_EXPORT const char *ot_status_str(ot_status s);

/* A constant stable identifier for a status ("verify", "parse" ...). */
OT_EXPORT const char *ot_status_code(ot_status s);

/* Clears *err (no-op on NULL). */
OT_EXPORT void ot_error_clear(ot_error *err);

/*
 * Filling an ot_error. Each helper returns the status it was given, so a
 * failure path reads `return ot_error_set(err, OT_ERR_PARSE, "...", ...);`.
 * err may be NULL. Messages are cut to fit ot_error.message.
 */

/* Sets status and message (printf-style); index -1, the status's code. */
OT_EXPORT ot_status ot_error_set(ot_error *err, ot_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Also sets the stable code (NULL: the status's) and the index. */
OT_EXPORT ot_status ot_error_at(ot_error *err, ot_status status, const char *code, int64_t index,
                                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Prefixes the existing message with "<prefix>: " (for context). */
OT_EXPORT void ot_error_prefix(ot_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif
#endif
