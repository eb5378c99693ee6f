/*
 * libpq_load.c: libpq through dlopen (libpq_load.h). OT_LIBPQ_FUNCTIONS is
 * the list of the libpq functions the backend calls, with their prototypes
 * as in libpq-fe.h (the compiler checks each definition below against that
 * header). A libpq function postgres.c starts to use needs its line here:
 * until then the link fails with an undefined reference to it.
 */
#include <dlfcn.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "oretrail/status.h"
#include "store/libpq_load.h"

/* X(return type, name, parameters, arguments): functions with a result. */
#define OT_LIBPQ_FUNCTIONS(X)                                                                 \
	X(char *, PQcmdStatus, (PGresult * res), (res))                                       \
	X(char *, PQcmdTuples, (PGresult * res), (res))                                       \
	X(PGconn *, PQconnectdbParams,                                                        \
	  (const char *const *keywords, const char *const *values, int expand_dbname),        \
	  (keywords, values, expand_dbname))                                                  \
	X(PQconninfoOption *, PQconninfoParse, (const char *conninfo, char **errmsg),         \
	  (conninfo, errmsg))                                                                 \
	X(char *, PQerrorMessage, (const PGconn *conn), (conn))                               \
	X(PGresult *, PQexec, (PGconn * conn, const char *query), (conn, query))              \
	X(PGresult *, PQexecParams,                                                           \
	  (PGconn * conn, const char *command, int nParams, const Oid *paramTypes,            \
	   const char *const *paramValues, const int *paramLengths, const int *paramFormats,  \
	   int resultFormat),                                                                 \
	  (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats,       \
	   resultFormat))                                                                     \
	X(PGresult *, PQexecPrepared,                                                         \
	  (PGconn * conn, const char *stmtName, int nParams, const char *const *paramValues,  \
	   const int *paramLengths, const int *paramFormats, int resultFormat),               \
	  (conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat))   \
	X(int, PQgetlength, (const PGresult *res, int tup_num, int field_num),                \
	  (res, tup_num, field_num))                                                          \
	X(char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num),              \
	  (res, tup_num, field_num))                                                          \
	X(int, PQntuples, (const PGresult *res), (res))                                       \
	X(PGresult *, PQprepare,                                                              \
	  (PGconn * conn, const char *stmtName, const char *query, int nParams,               \
	   const Oid *paramTypes),                                                            \
	  (conn, stmtName, query, nParams, paramTypes))                                       \
	X(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode)) \
	X(ExecStatusType, PQresultStatus, (const PGresult *res), (res))                       \
	X(ConnStatusType, PQstatus, (const PGconn *conn), (conn))

/* V(name, parameter type): the functions that free; safe before loading
 * because nothing can have been allocated by libpq then. */
#define OT_LIBPQ_FREE_FUNCTIONS(V)            \
	V(PQclear, PGresult *)                \
	V(PQconninfoFree, PQconninfoOption *) \
	V(PQfinish, PGconn *)                 \
	V(PQfreemem, void *)

#define FIELD(ret, name, params, args) ret(*name) params;
#define FREE_FIELD(name, type) void (*name)(type);
static struct {
	OT_LIBPQ_FUNCTIONS(FIELD)
	OT_LIBPQ_FREE_FUNCTIONS(FREE_FIELD)
} libpq;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded;
static char load_error[256];

/* dlsym's object pointer into a function pointer field: memcpy, which ISO
 * C allows where a cast between the two kinds of pointer is not. */
static int resolve(void *handle, const char *name, void *field, size_t size)
{
	void *sym = dlsym(handle, name);
	if (!sym) {
		snprintf(load_error, sizeof load_error, "%s has no function %s", OTX_LIBPQ_SONAME,
		         name);
		return -1;
	}
	memcpy(field, &sym, size);
	return 0;
}

static void load(void)
{
	void *handle = dlopen(OTX_LIBPQ_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		const char *why = dlerror();
		snprintf(load_error, sizeof load_error, "%s", why ? why : "unknown reason");
		return;
	}
#define RESOLVE(ret, name, params, args)                            \
	if (resolve(handle, #name, &libpq.name, sizeof libpq.name)) \
		goto fail;
#define FREE_RESOLVE(name, type) RESOLVE(void, name, (type), ())
	OT_LIBPQ_FUNCTIONS(RESOLVE)
	OT_LIBPQ_FREE_FUNCTIONS(FREE_RESOLVE)
	loaded = 1;
	return;
fail:
	memset(&libpq, 0, sizeof libpq);
	dlclose(handle);
}

ot_status otx_libpq_load(ot_error *err)
{
	if (pthread_once(&load_once, load) != 0)
		snprintf(load_error, sizeof load_error, "pthread_once failed");
	if (loaded)
		return OT_OK;
	return ot_error_set(err, OT_ERR_IO,
	                    "PostgreSQL: cannot load %s (%s): install libpq5 to use a "
	                    "postgresql:// ledger",
	                    OTX_LIBPQ_SONAME, load_error);
}

/* Each call loads libpq if nothing did yet (a program that links libpq
 * itself, as the PostgreSQL tests do, may call these before any store is
 * open); the backend has checked that the load succeeds. */
#define CALL(ret, name, params, args)       \
	ret name params                     \
	{                                   \
		(void)otx_libpq_load(NULL); \
		return libpq.name args;     \
	}
OT_LIBPQ_FUNCTIONS(CALL)

#define FREE_CALL(name, type)          \
	void name(type p)              \
	{                              \
		if (libpq.name)        \
			libpq.name(p); \
	}
OT_LIBPQ_FREE_FUNCTIONS(FREE_CALL)
