/* pglock.c: locks taken with a timeout; see pglock.h. */
#include "pglock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "err.h"
#include "pgconn.h"
#include "xalloc.h"

/* The timeout set by pglock_set_timeout(), for messages. */
static long lock_timeout_ms = DURATION_LOCK_TIMEOUT_DEFAULT_MS;

/* For pgconn_exec(): a statement whose table is not known timed out. */
static void
die_unknown(PGconn *conn)
{
	pglock_die(conn, NULL, NULL);
}

void
pglock_set_timeout(PGconn *conn, long timeout_ms)
{
	char sql[64];

	lock_timeout_ms = timeout_ms;
	pgconn_on_lock_timeout(die_unknown);
	snprintf(sql, sizeof sql, "SET lock_timeout = %ld", timeout_ms);
	pgconn_command(conn, "cannot set the lock timeout", sql);
}

/* SQLSTATE of res, or "". */
static const char *
sqlstate(const PGresult *res)
{
	const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return s ? s : "";
}

static int
lock_table(PGconn *conn, const char *schema, const char *name,
           const char *mode, int if_exists)
{
	char *qs = pgconn_quote_ident(schema), *qn = pgconn_quote_ident(name);
	char *sql = xasprintf("LOCK TABLE %s.%s IN %s MODE", qs, qn, mode);
	PGresult *res = PQexec(conn, sql);

	free(sql);
	free(qs);
	free(qn);
	if (if_exists && PQresultStatus(res) == PGRES_FATAL_ERROR &&
	    (strcmp(sqlstate(res), "42P01") == 0 ||
	     strcmp(sqlstate(res), "3F000") == 0)) {
		PQclear(res);
		return -1;
	}
	if (pgconn_is_lock_timeout(res)) {
		PQclear(res);
		pglock_die(conn, schema, name);
	}
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    strcmp(sqlstate(res), "53200") == 0) {
		/* Not worth a retry: a setting is too small for this database. */
		PQclear(res);
		die(EXIT_FAIL, "cannot lock %s.%s: the server's lock table is "
		    "full (out of shared memory): raise max_locks_per_transaction",
		    schema, name);
	}
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		char *why = res ? pgconn_result_error(res)
		                : xstrdup(pgconn_error(conn));
		int code = pgconn_is_transient(conn, res) ? EXIT_TEMPFAIL
		                                          : EXIT_FAIL;

		PQclear(res);
		die(code, "cannot lock %s.%s: %s", schema, name, why);
	}
	PQclear(res);
	return 0;
}

void
pglock_table(PGconn *conn, const char *schema, const char *name,
             const char *mode)
{
	(void)lock_table(conn, schema, name, mode, 0);
}

int
pglock_table_if_exists(PGconn *conn, const char *schema, const char *name,
                       const char *mode)
{
	return lock_table(conn, schema, name, mode, 1);
}

char *
pglock_describe(const PGresult *res)
{
	char *out = NULL;
	int n = res ? PQntuples(res) : 0, shown = 0, more = 0;

	if (n == 0)
		return xstrdup("another session");
	for (int i = 0; i < n; i++) {
		const char *pid = PQgetvalue(res, i, 0);
		int seen = 0;

		for (int k = 0; k < i && !seen; k++)
			seen = strcmp(pid, PQgetvalue(res, k, 0)) == 0;
		if (seen)
			continue;
		if (shown == 10) {
			more++;
			continue;
		}
		shown++;
		const char *app = PQgetisnull(res, i, 1) ? ""
		                                         : PQgetvalue(res, i, 1);
		char *one = *app ? xasprintf("pid %s (application_name %s)", pid,
		                             app)
		                 : xasprintf("pid %s", pid);
		char *t = out ? xasprintf("%s, %s", out, one) : xstrdup(one);

		free(one);
		free(out);
		out = t;
	}
	if (more > 0) {
		char *t = xasprintf("%s and %d more", out, more);

		free(out);
		out = t;
	}
	return out;
}

/* Granted locks of other sessions on one relation ($1), or on any. */
static const char blockers_sql[] =
	"SELECT DISTINCT l.pid, a.application_name"
	"  FROM pg_catalog.pg_locks l"
	"  LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid"
	" WHERE l.locktype = 'relation' AND l.granted"
	"   AND l.pid <> pg_catalog.pg_backend_pid()"
	"   AND l.database = (SELECT oid FROM pg_catalog.pg_database"
	"                      WHERE datname = pg_catalog.current_database())"
	"   AND ($1::text IS NULL OR l.relation = pg_catalog.to_regclass($1))"
	" ORDER BY l.pid";

/*
 * With the table unknown (a catalog query or DDL timed out): the tables
 * other sessions hold ACCESS EXCLUSIVE, which blocks even a reader.
 */
static const char exclusive_sql[] =
	"SELECT DISTINCT l.pid, a.application_name,"
	"       n.nspname || '.' || c.relname"
	"  FROM pg_catalog.pg_locks l"
	"  JOIN pg_catalog.pg_class c ON c.oid = l.relation"
	"  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	"  LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid"
	" WHERE l.locktype = 'relation' AND l.granted"
	"   AND l.mode = 'AccessExclusiveLock'"
	"   AND l.pid <> pg_catalog.pg_backend_pid()"
	"   AND l.database = (SELECT oid FROM pg_catalog.pg_database"
	"                      WHERE datname = pg_catalog.current_database())"
	" ORDER BY 3, 1";

/* "public.a, public.b": the distinct names of column 2 of res. */
static char *
table_names(const PGresult *res)
{
	char *out = NULL;

	for (int i = 0; i < PQntuples(res); i++) {
		const char *t = PQgetvalue(res, i, 2);
		char *s;

		if (i > 0 && strcmp(t, PQgetvalue(res, i - 1, 2)) == 0)
			continue;
		s = out ? xasprintf("%s, %s", out, t) : xstrdup(t);
		free(out);
		out = s;
	}
	return out;
}

static noreturn void die_locked(PGconn *conn, const char *schema,
                                const char *name, const char *relation);

void
pglock_die(PGconn *conn, const char *schema, const char *name)
{
	die_locked(conn, schema, name, NULL);
}

void
pglock_die_relation(PGconn *conn, const char *relation)
{
	die_locked(conn, NULL, NULL, relation);
}

static void
die_locked(PGconn *conn, const char *schema, const char *name,
           const char *relation)
{
	char *qualified = NULL, *who, *table = NULL, d[16];
	const char *params[1] = {NULL};
	PGresult *res = NULL;

	PQclear(PQexec(conn, "ROLLBACK"));
	if (relation != NULL) {
		qualified = xstrdup(relation);
		table = xstrdup(relation);
		params[0] = qualified;
	} else if (schema != NULL && name != NULL) {
		char *qs = pgconn_quote_ident(schema);
		char *qn = pgconn_quote_ident(name);

		qualified = xasprintf("%s.%s", qs, qn);
		table = xasprintf("%s.%s", schema, name);
		params[0] = qualified;
		free(qs);
		free(qn);
	} else {
		res = PQexec(conn, exclusive_sql);
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0)
			table = table_names(res);
		else {
			PQclear(res);
			res = NULL;
		}
	}
	if (res == NULL)
		res = PQexecParams(conn, blockers_sql, 1, NULL, params, NULL, NULL, 0);
	who = pglock_describe(PQresultStatus(res) == PGRES_TUPLES_OK ? res
	                                                              : NULL);
	PQclear(res);
	duration_format(lock_timeout_ms, d, sizeof d);
	if (table != NULL)
		die(EXIT_TEMPFAIL,
		    "cannot lock %s within %s (--lock-timeout): held by %s; "
		    "rolled back",
		    table, d, who);
	die(EXIT_TEMPFAIL,
	    "cannot get a lock within %s (--lock-timeout): locks held by %s; "
	    "rolled back",
	    d, who);
}
