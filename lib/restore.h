/*
 * restore.h: the engine of srestore.  A strongbox archive, read by
 * archive_read.h, is restored into a PostgreSQL database in one
 * transaction: the target is checked first (the tables absent, or with
 * --data-only present with the archived columns); --clean drops what the
 * pre-data script creates; the pre-data script runs; rows go in through
 * COPY (FREEZE where the transaction created or truncated the table);
 * sequences are set; the post-data script runs; materialized views are
 * refreshed; and COMMIT comes only once the reader verified every checksum
 * of the archive and the server's row counts agree with it.  A data-only
 * restore truncates the tables and sets the target's foreign keys and
 * triggers between them aside for the load, putting them back before
 * COMMIT.  Any failure rolls back and dies with one line, exit 75 when a
 * retry later may succeed (server gone or overloaded), else 1.
 *
 * This file owns every libpq call of the restore.
 */
#ifndef STRONGBOX_RESTORE_H
#define STRONGBOX_RESTORE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "archive_read.h"

struct restore_opts {
	const char *conninfo; /* pgopts_conninfo(), or NULL */
	long lock_timeout_ms; /* --lock-timeout: every lock of the restore */
	bool clean;           /* replace the archive's objects */
	bool data_only;       /* rows only, into existing tables */
	bool progress;        /* progress lines on stderr */
	bool verbose;         /* -v: pg_restore's output on stderr */
	bool no_owner;        /* skip ALTER ... OWNER TO (pg_restore -O) */
	bool no_acl;          /* skip GRANT, REVOKE (pg_restore -x) */
	const char *role;     /* --role: SET ROLE before restoring, or NULL */
	char **patterns;      /* -t: schema.name with fnmatch(3) wildcards */
	size_t npatterns;
};

/*
 * Which tables of m the patterns select: a malloc'ed array of m->ntables
 * flags (all of them with no pattern).  A pattern without a dot matches
 * the name in any schema.  *why is set (malloc'ed) to the first pattern
 * that matches no table, else NULL.
 */
bool *restore_select(const struct manifest *m, char *const *patterns,
                     size_t npatterns, char **why);

/*
 * "COPY "schema"."name" (cols...) FROM stdin", with " WITH (FREEZE)" when
 * freeze; malloc'ed.
 */
char *restore_copy_statement(const struct manifest_table *t, bool freeze);

/*
 * Restores the archive r into the database of o (see above), reading it
 * to its end.  Returns the report: a JSON object of mode, database,
 * tables, rows, bytes, seconds, timing per phase and the reader's
 * statistics (the caller owns it).  Dies on any failure after rolling
 * back.
 */
json_t *restore_run(struct archive_reader *r, const struct restore_opts *o);

/*
 * --dry-run: reads and verifies the whole archive and checks the target
 * in a READ ONLY transaction, changing nothing.  Appends to lines one
 * object per selected table (its action) and a summary.  Returns the
 * problems that would stop the restore (one malloc'ed line) or NULL.
 * Dies when the archive is bad or the server fails.
 */
char *restore_dry_run(struct archive_reader *r, const struct restore_opts *o,
                      json_t *lines);

/*
 * A pg_dump -Fc archive: plen bytes already read (prefix) and the rest of
 * fd are handed to pg_restore --single-transaction --exit-on-error (with
 * --clean --if-exists for o->clean) against the database of o, its output
 * going to stderr.  Returns the report {mode, format, bytes, seconds};
 * dies when pg_restore fails (it then restored nothing).
 */
json_t *restore_pg_dump(const struct restore_opts *o, int fd,
                        const void *prefix, size_t plen);

/*
 * One step of a restore on its own, for srestore -j (prestore.h), which
 * runs them on several sessions of a staging database.  Each runs on conn
 * (in whatever transaction state it is), returns 0, or 1 with *error set
 * to one line (malloc'ed, the caller frees) and *code to the exit status
 * it calls for (75 when a retry may succeed, else 1).
 *
 * restore_script: a pre-data or post-data script (or one statement of
 *   it), statement by statement, as restore_run() runs it under o
 *   (--no-owner, --no-acl); section names it in messages.
 * restore_sequences: the archive's sequences set (after AR_SEQUENCES).
 * restore_matviews: the materialized views that are still empty
 *   refreshed (after the post-data script).
 */
int restore_script(PGconn *conn, const struct restore_opts *o,
                   const char *section, const char *text, size_t len,
                   char **error, int *code);
int restore_sequences(PGconn *conn, struct archive_reader *r, char **error,
                      int *code);
int restore_matviews(PGconn *conn, const struct manifest *m, char **error,
                     int *code);

#endif
