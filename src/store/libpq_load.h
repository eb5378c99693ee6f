/*
 * libpq_load.h: libpq, loaded on first use. The PostgreSQL backend calls
 * libpq's functions by their own names (libpq-fe.h); libpq_load.c defines
 * each of them as a call through a pointer that otx_libpq_load fills from
 * dlopen("libpq.so.5"), so that no oretrail program loads libpq at start-up
 * and only the first postgresql:// location pays for it.
 */
#ifndef OT_STORE_LIBPQ_LOAD_H
#define OT_STORE_LIBPQ_LOAD_H

#include "oretrail/status.h"

/* The shared object's name: libpq's major version 5 (PostgreSQL 10 on). */
#define OTX_LIBPQ_SONAME "libpq.so.5"

/* Loads libpq and resolves every function the backend uses, once per
 * process (thread-safe). OT_OK, or OT_ERR_IO naming the library and the
 * loader's reason ("cannot load libpq.so.5: ...") on every call after a
 * failure; err may be NULL. The functions call it themselves, but only
 * PQclear, PQfinish, PQfreemem and PQconninfoFree are safe (no-ops) when
 * it fails: a caller checks it before the first other call. */
ot_status otx_libpq_load(ot_error *err);

#endif
