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

void
pglock_set_timeout(PGconn *conn, long timeout_ms)
{
	char sql[64];

	lock_timeout_ms = timeout_ms;
	snprintf(sql, sizeof sql, "SET lock_timeout = %ld", timeout_ms);
	pgconn_command(conn, "cannot set the lock timeout", sql);
}

int
pglock_is_timeout(const PGresult *res)
{
	const char *state =
		res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return state != NULL && strcmp(state, "55P03") == 0;
}

void
pglock_table(PGconn *conn, const char *schema, const char *name,
             const char *mode)
{
	char *qs = pgconn_quote_ident(schema), *qn = pgconn_quote_ident(name);
	char *sql = xasprintf("LOCK TABLE %s.%s IN %s MODE", qs, qn, mode);
	PGresult *res = PQexec(conn, sql);

	free(sql);
	free(qs);
	free(qn);
	if (pglock_is_timeout(res)) {
		PQclear(res);
		pglock_die(conn, schema, name);
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
}

char *
pglock_describe(const PGresult *res)
{
	char *out = NULL;
	int n = res ? PQntuples(res) : 0;

	if (n == 0)
		return xstrdup("another session");
	for (int i = 0; i < n && i < 10; i++) {
		const char *pid = PQgetvalue(res, i, 0);
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
	if (n > 10) {
		char *t = xasprintf("%s and %d more", out, n - 10);

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

void
pglock_die(PGconn *conn, const char *schema, const char *name)
{
	char *qualified = NULL, *who, *table = NULL, d[16];
	const char *params[1] = {NULL};
	PGresult *res;

	PQclear(PQexec(conn, "ROLLBACK"));
	if (schema != NULL && name != NULL) {
		char *qs = pgconn_quote_ident(schema);
		char *qn = pgconn_quote_ident(name);

		qualified = xasprintf("%s.%s", qs, qn);
		table = xasprintf("%s.%s", schema, name);
		params[0] = qualified;
		free(qs);
		free(qn);
	}
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
