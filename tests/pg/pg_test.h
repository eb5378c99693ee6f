/*
 * pg_test.h: the PostgreSQL side of the store tests. The CTest fixture
 * (pg-start.sh) starts one private cluster and writes its URI to the file
 * named by OT_PG_URI_FILE; each test creates databases of its own in it, so
 * that tests running in parallel do not collide. Header-only.
 */
#ifndef OT_TEST_PG_TEST_H
#define OT_TEST_PG_TEST_H

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PG_UNUSED __attribute__((unused))

/* The cluster's admin URI (database "postgres"); NULL when no cluster runs. */
PG_UNUSED static const char *pg_admin_uri(void)
{
	static char uri[1024];
	const char *file = getenv("OT_PG_URI_FILE");
	FILE *f = file ? fopen(file, "r") : NULL;
	if (!f)
		return NULL;
	int ok = fgets(uri, sizeof uri, f) != NULL;
	fclose(f);
	uri[strcspn(uri, "\r\n")] = 0;
	return ok && *uri ? uri : NULL;
}

/* Runs one command on the admin database; 0 on success. */
PG_UNUSED static int pg_admin(const char *sql)
{
	const char *admin = pg_admin_uri();
	PGconn *c = admin ? PQconnectdb(admin) : NULL;
	int ok = c && PQstatus(c) == CONNECTION_OK;
	if (ok) {
		PGresult *r = PQexec(c, sql);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
		if (!ok)
			fprintf(stderr, "pg_admin: %s: %s", sql, PQerrorMessage(c));
		PQclear(r);
	} else {
		fprintf(stderr, "pg_admin: cannot connect: %s", c ? PQerrorMessage(c) : "no URI\n");
	}
	PQfinish(c);
	return ok ? 0 : -1;
}

/* The admin URI with its database replaced by `db`. */
PG_UNUSED static void pg_uri_for(const char *db, char *out, size_t size)
{
	const char *admin = pg_admin_uri();
	const char *q = admin ? strchr(admin, '?') : NULL;
	snprintf(out, size, "postgresql:///%s%s", db, q ? q : "");
}

/* Creates a new empty database named "<tag>_<pid>" and puts its URI in out;
 * 0 on success. */
PG_UNUSED static int pg_new_db(const char *tag, char *out, size_t size)
{
	char db[128], sql[256];
	snprintf(db, sizeof db, "ot_%s_%ld", tag, (long)getpid());
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
	if (pg_admin(sql))
		return -1;
	pg_uri_for(db, out, size);
	return 0;
}

/* Runs one command on the database at `uri`; 0 on success. */
PG_UNUSED static int pg_exec_on(const char *uri, const char *sql)
{
	PGconn *c = PQconnectdb(uri);
	int ok = PQstatus(c) == CONNECTION_OK;
	if (ok) {
		PGresult *r = PQexec(c, sql);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
		if (!ok)
			fprintf(stderr, "pg_exec_on: %s: %s", sql, PQerrorMessage(c));
		PQclear(r);
	}
	PQfinish(c);
	return ok ? 0 : -1;
}

#endif
