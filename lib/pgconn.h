/*
 * pgconn.h: the PostgreSQL session of every strongbox tool.  This file and
 * pgconn.c own the libpq connection rules of DESIGN.md:
 *
 *   - where to connect: -d CONNINFO|URL, else $DATABASE_URL, else libpq's
 *     PG* variables and ~/.pgpass;
 *   - URLs as application frameworks write them (postgres://,
 *     postgresql+asyncpg://, postgresql+psycopg2://...) are rewritten to
 *     postgresql://, and asyncpg's ?ssl=X becomes libpq's sslmode=X;
 *   - application_name is the tool's name (unless the conninfo sets one);
 *   - server notices go to stderr as "tool: NOTICE: ...", one line;
 *   - errors are one line, name the database, never show a password; a
 *     server that is unreachable, starting up, shutting down or out of
 *     connection slots exits 75 (EXIT_TEMPFAIL), anything else 1.
 */
#ifndef STRONGBOX_PGCONN_H
#define STRONGBOX_PGCONN_H

#include <libpq-fe.h>

/*
 * Rewrites a framework URL to one libpq accepts: the scheme "postgres",
 * "postgresql" or "postgres(ql)+DRIVER" becomes "postgresql", and an
 * asyncpg-style "ssl=VALUE" query parameter becomes "sslmode=VALUE" (true
 * and on mean require, false and off disable).  A keyword/value conninfo
 * (no "scheme://") is returned unchanged.  Returns a malloc'ed string the
 * caller frees.
 */
char *pgconn_normalize(const char *conninfo);

/*
 * The conninfo to use: opt (the -d argument) when not NULL, else
 * $DATABASE_URL when set and not empty, else NULL (libpq's PG* variables).
 * Returns a pointer to opt or to the environment: do not free.
 */
const char *pgconn_source(const char *opt);

/*
 * Copies s to a malloc'ed string where the password of a URL
 * (scheme://user:PASSWORD@...) or a conninfo (password=...) is replaced by
 * "xxxxx", for the rare message that must show a conninfo.
 */
char *pgconn_mask(const char *s);

/*
 * Connects to conninfo (NULL: libpq's defaults), normalized as above, with
 * application_name set to the program name (err_progname()) and notices
 * sent to stderr.  On failure prints 'tool: cannot connect to "DB": why'
 * and exits 75 if a retry later may succeed, 1 otherwise.  Never returns
 * NULL.  The connection is watched for SIGINT/SIGTERM (cancel_watch() of
 * cancel.h).  The caller closes it with pgconn_close().
 */
PGconn *pgconn_connect(const char *conninfo);

/* Stops watching conn for signals and closes it (PQfinish()). */
void pgconn_close(PGconn *conn);

/* Closes conn (NULL is fine), as PQfinish() does. */
void pgconn_finish(PGconn *conn);

/*
 * pgconn_connect() to another database of the same server: dbname
 * replaces the one conninfo names (NULL: as pgconn_connect()).
 */
PGconn *pgconn_connect_db(const char *conninfo, const char *dbname);

/*
 * The database conninfo names (normalized as above; a URL's path or a
 * dbname= keyword), else $PGDATABASE, else NULL (libpq then uses the user
 * name).  Malloc'ed.
 */
char *pgconn_dbname(const char *conninfo);

/*
 * The last error on conn as one line (trailing newline removed, inner
 * newlines turned into spaces), in a buffer owned by this module that the
 * next call overwrites.  Safe to call from one thread at a time.
 */
const char *pgconn_error(PGconn *conn);

/*
 * Like pgconn_error() but for a failed result: the primary message, and
 * the detail and hint when the server sent them, on one line.  Returns a
 * malloc'ed string the caller frees.
 */
char *pgconn_result_error(const PGresult *res);

/*
 * True when the failure of conn (or of res, which may be NULL) means the
 * server went away or is overloaded, so that a retry later may succeed:
 * the connection is bad, or the SQLSTATE is of class 08 (connection), 53
 * (insufficient resources) or 57P0x (operator intervention, shutdown).
 */
int pgconn_is_transient(PGconn *conn, const PGresult *res);

/* True when res failed with SQLSTATE 55P03 (lock_not_available). */
int pgconn_is_lock_timeout(const PGresult *res);

/*
 * Makes pgconn_exec() and its kin hand a statement that failed on a lock
 * timeout (pgconn_is_lock_timeout()) to fn, which must not return, instead
 * of failing with the server's message: pglock_set_timeout() sets its
 * report of the sessions holding the locks here (pglock.h), so that pgconn
 * needs nothing of pglock, as err_set_cancelled() does for cancel.h.
 * Until then such a failure exits 75 with the server's message.
 */
void pgconn_on_lock_timeout(void (*fn)(PGconn *conn));

/*
 * The exit status for a failed connection attempt, by cause, from libpq's
 * one-line error message msg and the PQping() answer of the same server:
 *   75 (EXIT_TEMPFAIL): the server is unreachable (refused, timed out, no
 *      route, host name not resolved), starting up, shutting down, in
 *      recovery, or out of connection slots;
 *   1 (EXIT_FAIL): authentication failed or a password is missing, the
 *      database or role does not exist, an SSL mismatch or SSL/certificate
 *      setting (sslmode=require against a server without SSL), permission
 *      denied, an invalid connection option; anything else when the
 *      server answered PQping().
 * Configuration errors win: they will not go away with a retry.
 */
int pgconn_classify(const char *msg, PGPing ping);

/*
 * Runs sql (one or more statements, no parameters) and returns its result
 * if it succeeded (PGRES_COMMAND_OK or PGRES_TUPLES_OK): the caller
 * PQclear()s it.  On failure prints "tool: what: server error" and exits
 * 75 or 1 as pgconn_is_transient() says.  what names the step, e.g.
 * "cannot read the catalog".  A lock timeout (SQLSTATE 55P03) goes to the
 * function set by pgconn_on_lock_timeout(): after pglock_set_timeout(), a
 * rollback, the sessions holding locks named and exit 75; after
 * SIGINT/SIGTERM (cancel.h) the failure reads "tool: cancelled", exit 1.
 */
PGresult *pgconn_exec(PGconn *conn, const char *what, const char *sql);

/*
 * Like pgconn_exec() but the result is discarded.
 */
void pgconn_command(PGconn *conn, const char *what, const char *sql);

/*
 * sql with one text parameter ($1), otherwise like pgconn_exec().
 */
PGresult *pgconn_exec1(PGconn *conn, const char *what, const char *sql,
                       const char *param);

/*
 * sql with nparams text parameters ($1...), otherwise like pgconn_exec().
 */
PGresult *pgconn_execv(PGconn *conn, const char *what, const char *sql,
                       int nparams, const char *const *params);

/*
 * Like pgconn_execv() with the parameters' type OIDs, so that a query
 * (a user's SQL file) may leave a parameter unused.
 */
PGresult *pgconn_exec_typed(PGconn *conn, const char *what, const char *sql,
                            int nparams, const Oid *types,
                            const char *const *params);

/*
 * Quotes an identifier ("a b" -> "\"a b\"") or a literal for SQL text.
 * Returns a malloc'ed string the caller frees (never NULL).
 */
char *pgconn_quote_ident(const char *ident);
char *pgconn_quote_literal(const char *lit);

/*
 * "schema"."name", each part quoted as pgconn_quote_ident() does.
 * Returns a malloc'ed string the caller frees (never NULL).
 */
char *pgconn_quote_qualified(const char *schema, const char *name);

/*
 * The environment for a child process (pg_dump, pg_restore, psql) that
 * must reach the same server as conn: the current environment with every
 * PG* variable libpq knows replaced by conn's settings (PGHOST, PGPORT,
 * PGUSER, PGDATABASE, PGPASSWORD, PGSSLMODE, ...), so that no password
 * goes through argv.  The password is thus visible only to the same user
 * (through /proc/PID/environ), as libpq documents for PGPASSWORD.
 * Returns a malloc'ed NULL-terminated array of malloc'ed strings; free it
 * with pgconn_free_env(), which wipes the password.
 */
char **pgconn_child_env(PGconn *conn);
void pgconn_free_env(char **env);

#endif
