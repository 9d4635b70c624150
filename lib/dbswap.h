/*
 * dbswap.h: the databases srestore -j makes beside its target NAME and
 * the swap that puts the restored one in NAME's place.  It owns the
 * administrative session (connected to the "postgres" database, or
 * "template1" when NAME is "postgres"), which:
 *
 *   - checks the privileges (CREATEDB; owning NAME when it exists);
 *   - holds an advisory lock for NAME, so that one srestore -j at a time
 *     restores into it (another gets exit 75);
 *   - drops the staging and replaced databases a killed run left (marked
 *     by stagename.h's comments) once nothing is connected to them;
 *   - creates the staging database with NAME's encoding, locale (its
 *     provider named: libc, icu with its locale and rules, builtin with
 *     its locale) and tablespace (the archive's encoding when NAME does
 *     not exist), and
 *     drops it again at any exit before the swap committed (atexit: a
 *     failure, SIGINT or SIGTERM, a killed session);
 *   - swaps: one transaction carries NAME's owner, connection limit,
 *     privileges, settings (ALTER DATABASE ... SET and per role) and
 *     comment over to the staging database, renames NAME away and the
 *     staging database to NAME; the replaced database is then dropped, or
 *     kept under its dated name.  Sessions connected to either database
 *     are waited for up to the lock timeout, then named (exit 75, nothing
 *     changed) or, when asked, terminated.
 */
#ifndef STRONGBOX_DBSWAP_H
#define STRONGBOX_DBSWAP_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "stagename.h"

struct dbswap {
	PGconn *admin;
	const char *conninfo;
	const char *role;                 /* --role, or NULL */
	char *target;                     /* NAME */
	bool exists;                      /* NAME existed at the start */
	char staging[STAGENAME_MAX + 1];
	char old[STAGENAME_MAX + 1];      /* NAME's name after the swap */
	bool staging_made;                /* dropped at exit unless swapped */
	double swap_seconds;
	bool old_dropped;
};

/*
 * Connects the administrative session for the target conninfo names
 * (pgconn_dbname(), else the user name), as role when not NULL (SET ROLE,
 * as --role: the privileges checked are role's, and the databases it
 * creates are role's), checks the privileges, takes the advisory lock and
 * removes stale databases.  Dies with one line: exit 1 without CREATEDB or
 * ownership, or when SET ROLE fails, 75 when another run holds the lock.
 */
void dbswap_begin(struct dbswap *d, const char *conninfo, const char *role,
                  bool progress);

/*
 * Creates the staging database (see above); encoding is the archive's,
 * used when NAME does not exist ("" for the server's default).  From here
 * on any exit drops it.  Dies on failure.
 */
void dbswap_create_staging(struct dbswap *d, const char *encoding);

/*
 * Waits, at most 10 s, until the server sessions with the n process ids
 * pids, which the caller closed, have ended: a closed session lingers in
 * pg_stat_activity for a moment, and the swap would wait for it, or
 * terminate it under force, as if it were someone else's.
 */
void dbswap_wait_closed(struct dbswap *d, const int *pids, int n);

/*
 * Swaps the staging database in (see above).  lock_timeout_ms bounds the
 * wait for connected sessions; force terminates them instead of giving up;
 * keep_old keeps the replaced database under its dated name.  Dies with
 * exit 75 naming the sessions when they stayed, 1 on other failures; in
 * both cases NAME is unchanged and the staging database dropped.
 */
void dbswap_swap(struct dbswap *d, long lock_timeout_ms, bool force, bool keep_old,
                 bool progress);

/* Closes the administrative session. */
void dbswap_end(struct dbswap *d);

#endif
