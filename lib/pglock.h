/*
 * pglock.h: every lock a tool takes is taken with a timeout (DESIGN.md).
 * The session's lock_timeout is set from --lock-timeout (duration.h); a
 * statement that waits longer fails with SQLSTATE 55P03
 * (lock_not_available).  Then the tool rolls back, names the table and the
 * sessions that hold locks on it (pid and application_name, as far as
 * pg_locks and pg_stat_activity show them to this user), and exits 75: a
 * retry later may succeed.
 */
#ifndef STRONGBOX_PGLOCK_H
#define STRONGBOX_PGLOCK_H

#include <stdnoreturn.h>

#include <libpq-fe.h>

/*
 * SET lock_timeout for the session of conn to timeout_ms milliseconds
 * (> 0), and make pgconn_exec() and its kin report a lock timeout as
 * pglock_die(conn, NULL, NULL) does (pgconn_on_lock_timeout()).  Exits as
 * pgconn_exec() does on failure.
 */
void pglock_set_timeout(PGconn *conn, long timeout_ms);

/*
 * LOCK TABLE schema.name IN mode MODE (mode is e.g. "ACCESS SHARE",
 * "ACCESS EXCLUSIVE"; schema and name unquoted, this quotes them), inside
 * the caller's transaction.  On a lock timeout, calls pglock_die(); on any
 * other failure exits as pgconn_exec() does.
 */
void pglock_table(PGconn *conn, const char *schema, const char *name,
                  const char *mode);

/*
 * pglock_table(), except that a table that no longer exists under that
 * name (dropped or renamed since the caller read the name: SQLSTATE 42P01
 * or 3F000) returns -1, the caller's transaction then being aborted.
 * Returns 0 once the lock is held.
 */
int pglock_table_if_exists(PGconn *conn, const char *schema, const char *name,
                           const char *mode);

/*
 * For a statement that failed on a lock timeout: rolls back the
 * transaction of conn, finds the sessions holding locks on the table
 * (schema.name; both NULL when the table is not known: then the tables
 * other sessions hold ACCESS EXCLUSIVE are named with their holders, or
 * failing that every session holding a relation lock in this database),
 * and exits 75 with one line, e.g.
 *   "tool: cannot lock public.bills within 30s: held by pid 4242
 *    (application_name psql); rolled back"
 */
noreturn void pglock_die(PGconn *conn, const char *schema, const char *name);

/*
 * pglock_die() for a table known by its SQL name (schema-qualified, quoted
 * where needed, as pg_dump prints it in "LOCK TABLE ..."), e.g. when the
 * lock that timed out was a child pg_dump's.
 */
noreturn void pglock_die_relation(PGconn *conn, const char *relation);

/*
 * The text "pid 4242 (application_name psql), pid 4250" for the sessions
 * of res (columns pid, application_name; a pid named once, ten at most),
 * or "another session" when res has no row.  Pure formatting, for pglock_die() and its
 * unit test.  Returns a malloc'ed string.
 */
char *pglock_describe(const PGresult *res);

#endif
