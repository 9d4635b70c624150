/*
 * cancel.h: SIGINT and SIGTERM for the tools that talk to PostgreSQL.
 *
 * DESIGN.md: a cancelled job cancels its server-side work, prints one line
 * ("tool: cancelled") and exits 1, leaving nothing half done.  The handler
 * installed by cancel_init() only notes the signal and sends a cancel
 * request (PQcancel(), which is async-signal-safe) for every connection
 * being watched, so that a running query or COPY fails at once.  The tool
 * notices the failure, or calls cancel_check() between steps; die() of
 * err.h also checks, so that any failure after a signal reads "cancelled".
 * Exiting closes the connections: the server rolls back what was not
 * committed.  The tool checks once more right before it commits (or writes
 * an archive's trailer), so that a cancelled job never completes.  A tool
 * that has not exited CANCEL_GRACE seconds after the signal (blocked on a
 * stalled pipe) is ended by the handler of SIGALRM, with the same line.
 */
#define CANCEL_GRACE 3
#ifndef STRONGBOX_CANCEL_H
#define STRONGBOX_CANCEL_H

#include <libpq-fe.h>

/*
 * Installs the handler for SIGINT and SIGTERM (without SA_RESTART, so
 * that a blocking read or write returns EINTR).  Call it once, early.
 */
void cancel_init(void);

/*
 * Watches conn: a signal sends a cancel request to its server.
 * pgconn_connect() does it for every connection it makes.  Up to
 * CANCEL_MAX connections at once (more are not watched: the exit then
 * cancels their work).  Call from one thread at a time.
 */
#define CANCEL_MAX 64
void cancel_watch(PGconn *conn);

/* Stops watching conn (call before PQfinish()); unknown conn is ignored. */
void cancel_unwatch(PGconn *conn);

/* True once SIGINT or SIGTERM arrived. */
int cancel_requested(void);

/* When a signal arrived: prints "tool: cancelled" and exits 1. */
void cancel_check(void);

/*
 * Prints "tool: cancelled" and exits 1 (running atexit handlers, so that
 * temporary files go away).
 */
_Noreturn void cancel_exit(void);

#endif
