/*
 * sqlguard.h: what an archive's SQL member (schema/pre-data.sql,
 * schema/post-data.sql) may hold before srestore runs it, or srestore
 * --sql prints it, inside its one transaction.  The members are pg_dump's
 * output; this refuses what pg_dump never writes there and what could leave
 * or outlive the transaction, or act outside the database: transaction
 * control (BEGIN, START, COMMIT, END, ROLLBACK, ABORT, SAVEPOINT, RELEASE,
 * PREPARE, EXECUTE), session changes (SET/RESET ROLE, SET/RESET SESSION
 * AUTHORIZATION, RESET ALL, DISCARD), COPY (COPY ... TO PROGRAM runs a
 * shell command, COPY FROM stdin would read from srestore's data stream),
 * code run on the spot (DO, CALL, LOAD), queries and DML (SELECT but
 * pg_dump's set_config() and lo_create() of constants, WITH, VALUES,
 * TABLE, EXPLAIN, INSERT, UPDATE, DELETE, MERGE: a SELECT could call a
 * function the member defined) and every psql meta-command but
 * the one "\restrict KEY" ... "\unrestrict KEY" pair that pg_dump 15.14
 * and later writes around a section.  strongbox-archive(5) gives the list
 * and its reasons.  Pure string work over sqlscript's split.
 */
#ifndef STRONGBOX_SQLGUARD_H
#define STRONGBOX_SQLGUARD_H

#include <stddef.h>

/*
 * Returns 0 when the len bytes of text (the member named member, for the
 * message) hold nothing refused, else -1 with why filled with one line
 * naming the first refused statement or meta-command.
 */
int sqlguard_check(const char *member, const char *text, size_t len,
                   char *why, size_t whylen);

#endif
